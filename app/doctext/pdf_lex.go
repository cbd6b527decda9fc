package doctext

import (
	"errors"
	"strconv"
)

// PDF objects as the lexer returns them.
type (
	pdfName    string
	pdfString  []byte
	pdfKeyword string // an operator or a keyword: obj, stream, R, Tj...
	pdfArray   []any
	pdfDict    map[pdfName]any
	pdfRef     struct{ num, gen int }
)

// maxPDFDepth bounds the nesting of arrays and dictionaries.
const maxPDFDepth = 64

var (
	errPDFEnd   = errors.New("unexpected end of data")
	errPDFDepth = errors.New("arrays or dictionaries nested too deeply")
	errPDFToken = errors.New("unexpected token")
)

// pdfLexer reads PDF tokens and objects from bytes in memory.
type pdfLexer struct {
	b     []byte
	pos   int
	refs  bool // read "n g R" as a reference (not in content streams)
	elems int  // elements the object being read may still hold (see object)
}

// maxPDFElements bounds the array elements and dictionary entries of one
// object (all its levels together): an array of millions of numbers, which
// would take about 24 times its bytes in memory, keeps this many and skips
// the rest.
const maxPDFElements = 1 << 17

func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isPDFDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *pdfLexer) skipSpace() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case isPDFSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// delimiter tokens are returned as pdfKeyword: "[", "]", "<<", ">>", "{", "}".

// token reads one token: a number (float64), pdfName, pdfString,
// pdfKeyword (bool and null as true, false, nil). errPDFEnd at the end.
func (l *pdfLexer) token() (any, error) {
	l.skipSpace()
	if l.pos >= len(l.b) {
		return nil, errPDFEnd
	}
	c := l.b[l.pos]
	switch c {
	case '/':
		return l.name(), nil
	case '(':
		return l.literal(), nil
	case '<':
		if l.pos+1 < len(l.b) && l.b[l.pos+1] == '<' {
			l.pos += 2
			return pdfKeyword("<<"), nil
		}
		return l.hex(), nil
	case '>':
		if l.pos+1 < len(l.b) && l.b[l.pos+1] == '>' {
			l.pos += 2
			return pdfKeyword(">>"), nil
		}
		l.pos++
		return pdfKeyword(">"), nil
	case '[', ']', '{', '}', ')':
		l.pos++
		return pdfKeyword(c), nil
	}
	start := l.pos
	for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
		l.pos++
	}
	word := l.b[start:l.pos]
	if isPDFNumber(word) {
		return parsePDFNumber(word), nil
	}
	switch string(word) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	return pdfKeyword(word), nil
}

// smallInts are the numbers 0-1023 already in interfaces: most numbers in
// a PDF are small integers, and boxing each would allocate.
var smallInts = func() []any {
	v := make([]any, 1024)
	for i := range v {
		v[i] = float64(i)
	}
	return v
}()

// parsePDFNumber reads a number token (a malformed one reads as 0).
func parsePDFNumber(word []byte) any {
	n := 0
	for _, c := range word {
		if c < '0' || c > '9' || n >= 1<<20 {
			n = -1
			break
		}
		n = n*10 + int(c-'0')
	}
	if n >= 0 && n < len(smallInts) {
		return smallInts[n]
	}
	if n >= 0 {
		return float64(n)
	}
	f, err := strconv.ParseFloat(string(word), 64)
	if err != nil {
		f = 0
	}
	return f
}

// isPDFNumber: [+-]digits[.digits] or [+-].digits (malformed ones like
// "1.2.3" or "--1" count as numbers too and read as 0).
func isPDFNumber(w []byte) bool {
	if len(w) == 0 {
		return false
	}
	digits := false
	for _, c := range w {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == '+' || c == '-':
		default:
			return false
		}
	}
	return digits
}

func (l *pdfLexer) name() pdfName {
	l.pos++ // '/'
	var out []byte
	for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
		c := l.b[l.pos]
		if c == '#' && l.pos+2 < len(l.b) {
			if h, ok := unhex2(l.b[l.pos+1], l.b[l.pos+2]); ok {
				out = append(out, h)
				l.pos += 3
				continue
			}
		}
		out = append(out, c)
		l.pos++
	}
	return pdfName(out)
}

func unhexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func unhex2(a, b byte) (byte, bool) {
	x, ok1 := unhexDigit(a)
	y, ok2 := unhexDigit(b)
	return x<<4 | y, ok1 && ok2
}

// literal reads a (string) with balanced parentheses and escapes.
func (l *pdfLexer) literal() pdfString {
	l.pos++ // '('
	var out []byte
	depth := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return out
			}
		case '\r':
			// A raw end of line in a string is a line feed.
			if l.pos < len(l.b) && l.b[l.pos] == '\n' {
				l.pos++
			}
			c = '\n'
		case '\\':
			if l.pos >= len(l.b) {
				return out
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue // a line continued
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e // \( \) \\ and unknown escapes: the character itself
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// hex reads a <hex string>; whitespace is ignored, an odd last digit is followed by 0.
func (l *pdfLexer) hex() pdfString {
	l.pos++ // '<'
	var out []byte
	var hi byte
	half := false
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		if c == '>' {
			break
		}
		d, ok := unhexDigit(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|d)
		} else {
			hi = d
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}

// object reads a whole object: arrays and dictionaries with what they
// hold, and (with refs) "n g R" as a pdfRef.
func (l *pdfLexer) object(depth int) (any, error) {
	if depth > maxPDFDepth {
		return nil, errPDFDepth
	}
	if depth == 0 {
		l.elems = maxPDFElements
	}
	tok, err := l.token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case float64:
		if l.refs && t >= 0 && t < 1<<31 && t == float64(int(t)) {
			if gen, end, ok := l.refAhead(); ok {
				l.pos = end
				return pdfRef{int(t), gen}, nil
			}
		}
		return tok, nil
	case pdfKeyword:
		switch t {
		case "[":
			var arr pdfArray
			for {
				l.skipSpace()
				if l.pos < len(l.b) && l.b[l.pos] == ']' {
					l.pos++
					return arr, nil
				}
				keep := l.elems > 0 // counted before its own elements
				if keep {
					l.elems--
				}
				v, err := l.object(depth + 1)
				if err != nil {
					return arr, err
				}
				if k, ok := v.(pdfKeyword); ok && (k == ">>" || k == ")") {
					continue // stray delimiters in a damaged array
				}
				if keep {
					arr = append(arr, v)
				}
			}
		case "<<":
			d := pdfDict{}
			for {
				l.skipSpace()
				if l.pos+1 < len(l.b) && l.b[l.pos] == '>' && l.b[l.pos+1] == '>' {
					l.pos += 2
					return d, nil
				}
				k, err := l.object(depth + 1)
				if err != nil {
					return d, err
				}
				key, ok := k.(pdfName)
				if !ok {
					if k == pdfKeyword("]") {
						continue
					}
					return d, errPDFToken
				}
				keep := l.elems > 0
				if keep {
					l.elems--
				}
				v, err := l.object(depth + 1)
				if err != nil {
					return d, err
				}
				if keep {
					d[key] = v
				}
			}
		}
	}
	return tok, nil
}

// refAhead looks past a number just read for " gen R" (a reference),
// without reading tokens: most numbers are not references.
func (l *pdfLexer) refAhead() (gen, end int, ok bool) {
	b, i := l.b, l.pos
	j := i
	for j < len(b) && isPDFSpace(b[j]) {
		j++
	}
	k := j
	for k < len(b) && k-j < 10 && b[k] >= '0' && b[k] <= '9' {
		gen = gen*10 + int(b[k]-'0')
		k++
	}
	m := k
	for m < len(b) && isPDFSpace(b[m]) {
		m++
	}
	if j == i || k == j || m == k || m >= len(b) || b[m] != 'R' {
		return 0, 0, false
	}
	if m+1 < len(b) && !isPDFSpace(b[m+1]) && !isPDFDelim(b[m+1]) {
		return 0, 0, false
	}
	return gen, m + 1, true
}

// Helpers to read values of a dictionary.

func (d pdfDict) name(k pdfName) pdfName {
	n, _ := d[k].(pdfName)
	return n
}

func pdfInt(v any) (int64, bool) {
	f, ok := v.(float64)
	if !ok || f != f || f > 1<<53 || f < -(1<<53) {
		return 0, false
	}
	return int64(f), true
}
