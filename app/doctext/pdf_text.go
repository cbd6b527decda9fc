package doctext

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// errNoPages: the page tree could not be found; every stream is read instead.
var errNoPages = errors.New("no page tree")

// pdfText writes the text of a PDF's pages.
type pdfText struct {
	doc   *pdfDoc
	w     *textWriter
	forms int // form XObjects drawn so far
}

// pages walks the page tree from the catalog and writes each page's text.
func (p *pdfText) pages() error {
	d := p.doc
	root := d.findCatalog()
	if root == nil {
		return errNoPages
	}
	pagesRoot := d.dict(root["Pages"])
	if pagesRoot == nil {
		return errNoPages
	}
	type item struct {
		node      pdfDict
		resources any
		depth     int
	}
	stack := []item{{pagesRoot, pagesRoot["Resources"], 0}}
	seen := map[pdfRef]bool{}
	pages := 0
	for len(stack) > 0 && pages < maxPDFPages {
		if err := d.ctx.Err(); err != nil {
			return err
		}
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		res := it.resources
		if r := it.node["Resources"]; r != nil {
			res = r
		}
		kids, isTree := d.resolve(it.node["Kids"]).(pdfArray)
		if isTree || it.node.name("Type") == "Pages" {
			if it.depth >= maxPDFDepth {
				continue
			}
			// Push in reverse so the first kid comes out first.
			for i := len(kids) - 1; i >= 0; i-- {
				ref, isRef := kids[i].(pdfRef)
				if isRef {
					if seen[ref] {
						continue
					}
					seen[ref] = true
				}
				if k := d.dict(kids[i]); k != nil {
					stack = append(stack, item{k, res, it.depth + 1})
				}
			}
			continue
		}
		pages++
		if err := p.page(it.node, res); err != nil {
			return err
		}
		p.w.Break()
		p.w.Break()
	}
	if pages == 0 {
		return errNoPages
	}
	return nil
}

// findCatalog finds the document catalog: the /Root of a trailer or of a
// cross-reference stream, else an object of /Type /Catalog.
func (d *pdfDoc) findCatalog() pdfDict {
	for i := len(d.trailers) - 1; i >= 0; i-- {
		if t, ok := d.parseAt(d.trailers[i], false).(pdfDict); ok {
			if c := d.dict(t["Root"]); c != nil {
				return c
			}
		}
	}
	for i := len(d.xrefs) - 1; i >= 0; i-- {
		if s, ok := d.parseAt(d.xrefs[i], true).(*pdfStream); ok && s.dict.name("Type") == "XRef" {
			if c := d.dict(s.dict["Root"]); c != nil {
				return c
			}
		}
	}
	for i := len(d.catalogs) - 1; i >= 0; i-- {
		if c, ok := d.parseAt(d.catalogs[i], true).(pdfDict); ok && c.name("Type") == "Catalog" {
			return c
		}
	}
	// Objects in object streams, in number order so the choice is the same every time.
	nums := make([]int, 0, len(d.inStreams))
	for num := range d.inStreams {
		nums = append(nums, num)
	}
	slices.Sort(nums)
	for _, num := range nums {
		if d.ctx.Err() != nil {
			return nil
		}
		if c, ok := d.object(num).(pdfDict); ok && c.name("Type") == "Catalog" && c["Pages"] != nil {
			return c
		}
	}
	return nil
}

// page writes the text of one page: its content streams, in order.
func (p *pdfText) page(page pdfDict, resources any) error {
	var data []byte
	contents := p.doc.resolve(page["Contents"])
	var list pdfArray
	switch c := contents.(type) {
	case *pdfStream:
		list = pdfArray{c}
	case pdfArray:
		list = c
	}
	for _, c := range list {
		s, ok := p.doc.resolve(c).(*pdfStream)
		if !ok {
			continue
		}
		b, err := p.doc.streamData(s)
		if errors.Is(err, errBudget) {
			break
		}
		if err != nil {
			continue
		}
		data = append(data, b...)
		data = append(data, '\n') // content streams split between tokens
	}
	return p.content(data, p.doc.dict(resources), 0)
}

// allStreams is the fallback of a PDF without a readable page tree: every
// stream that is not an image, a font or metadata is read as page content,
// in file order, without fonts.
func (p *pdfText) allStreams() error {
	d := p.doc
	for _, h := range d.headers {
		if err := d.ctx.Err(); err != nil {
			return err
		}
		s, ok := d.parseAt(h, true).(*pdfStream)
		if !ok {
			continue
		}
		if s.dict["Type"] != nil || s.dict["Subtype"] != nil || s.dict["Length1"] != nil || s.dict["Length2"] != nil {
			continue
		}
		d.measure(s)
		data, err := d.streamData(s)
		if errors.Is(err, errBudget) {
			return nil
		}
		if err != nil || bytes.Contains(data[:min(len(data), 512)], []byte("begincmap")) {
			continue
		}
		if err := p.content(data, nil, 0); err != nil {
			return err
		}
		p.w.Break()
	}
	return nil
}

// textState is what the content interpreter tracks to place line breaks
// and spaces: the text line matrix's position, where the last text was
// shown, and the font.
type textState struct {
	font         *pdfFont
	fontSize     float64
	leading      float64
	lm           [6]float64 // text line matrix
	lastX, lastY float64
	shown        bool // text was shown since the page started
}

// content interprets a content stream: text showing operators write text,
// positioning operators breaks and spaces, Do draws form XObjects.
func (p *pdfText) content(data []byte, resources pdfDict, depth int) error {
	l := &pdfLexer{b: data}
	var ops []any
	st := &textState{lm: [6]float64{1, 0, 0, 1, 0, 0}, fontSize: 12}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := p.doc.ctx.Err(); err != nil {
				return err
			}
		}
		v, err := l.object(0)
		if errors.Is(err, errPDFEnd) {
			return nil
		}
		if err != nil {
			ops = ops[:0]
			continue
		}
		kw, isOp := v.(pdfKeyword)
		if !isOp || kw == "[" || kw == "]" || kw == "<<" || kw == ">>" || kw == "{" || kw == "}" {
			if len(ops) >= 64 {
				ops = ops[:0] // operands without an operator: damaged, drop them
			}
			ops = append(ops, v)
			continue
		}
		if err := p.operator(string(kw), ops, st, l, resources, depth); err != nil {
			return err
		}
		ops = ops[:0]
	}
}

func num(ops []any, i int) float64 {
	if i < 0 || i >= len(ops) {
		return 0
	}
	f, _ := ops[i].(float64)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// operator runs one content stream operator with its operands.
func (p *pdfText) operator(op string, ops []any, st *textState, l *pdfLexer, resources pdfDict, depth int) error {
	last := len(ops) - 1
	switch op {
	case "BT":
		st.lm = [6]float64{1, 0, 0, 1, 0, 0}
	case "Tf":
		if last >= 1 {
			name, _ := ops[last-1].(pdfName)
			st.font = p.font(resources, name)
			st.fontSize = math.Abs(num(ops, last))
		}
	case "TL":
		st.leading = num(ops, last)
	case "Td", "TD":
		tx, ty := num(ops, last-1), num(ops, last)
		if op == "TD" {
			st.leading = -ty
		}
		st.moveLine(tx, ty)
	case "T*":
		st.moveLine(0, -st.leading)
	case "Tm":
		if last >= 5 {
			for i := range 6 {
				st.lm[i] = num(ops, last-5+i)
			}
		}
	case "Tj":
		if last >= 0 {
			return p.show(st, ops[last])
		}
	case "'", "\"":
		st.moveLine(0, -st.leading)
		if last >= 0 {
			return p.show(st, ops[last])
		}
	case "TJ":
		if last < 0 {
			return nil
		}
		arr, _ := ops[last].(pdfArray)
		first := true
		for _, e := range arr {
			switch t := e.(type) {
			case pdfString:
				if first {
					if err := p.show(st, t); err != nil {
						return err
					}
					first = false
				} else if err := p.writeString(st, t); err != nil {
					return err
				}
			case float64:
				if t < -180 {
					p.w.Space() // a gap wider than kerning: a space between words
				}
			}
		}
	case "Do":
		if last >= 0 {
			name, _ := ops[last].(pdfName)
			return p.form(resources, name, depth)
		}
	case "BI":
		skipInlineImage(l)
	}
	return nil
}

// moveLine moves the text line matrix by (tx, ty) in its own space.
func (st *textState) moveLine(tx, ty float64) {
	st.lm[4] += tx*st.lm[0] + ty*st.lm[2]
	st.lm[5] += tx*st.lm[1] + ty*st.lm[3]
}

// show writes a string at the current position, after a line break if the
// line moved up or down since the last text, or a space if it moved along it.
func (p *pdfText) show(st *textState, v any) error {
	s, ok := v.(pdfString)
	if !ok {
		return nil
	}
	x, y := st.lm[4], st.lm[5]
	if st.shown {
		tol := max(st.fontSize*math.Hypot(st.lm[2], st.lm[3])*0.3, 0.5)
		switch {
		case math.Abs(y-st.lastY) > tol:
			p.w.Break()
		case x != st.lastX:
			p.w.Space()
		}
	}
	st.lastX, st.lastY, st.shown = x, y, true
	return p.writeString(st, s)
}

func (p *pdfText) writeString(st *textState, s pdfString) error {
	if st.font == nil {
		st.font = defaultFont
	}
	return st.font.decode(s, p.w)
}

// form draws a form XObject: its content with its own resources.
func (p *pdfText) form(resources pdfDict, name pdfName, depth int) error {
	if depth >= maxPDFFormDepth || resources == nil || p.forms >= 4096 {
		return nil
	}
	xobjects := p.doc.dict(resources["XObject"])
	if xobjects == nil {
		return nil
	}
	s, ok := p.doc.resolve(xobjects[name]).(*pdfStream)
	if !ok || s.dict.name("Subtype") != "Form" {
		return nil
	}
	p.forms++
	data, err := p.doc.streamData(s)
	if err != nil {
		return nil
	}
	res := p.doc.dict(s.dict["Resources"])
	if res == nil {
		res = resources
	}
	return p.content(data, res, depth+1)
}

// skipInlineImage skips an inline image's dictionary and data (BI ... ID
// data EI): the data is binary and would read as nonsense tokens.
func skipInlineImage(l *pdfLexer) {
	for {
		t, err := l.token()
		if err != nil {
			return
		}
		if t == pdfKeyword("ID") {
			break
		}
	}
	l.pos++ // the single white-space character after ID
	for l.pos < len(l.b) {
		i := bytes.Index(l.b[l.pos:], []byte("EI"))
		if i < 0 {
			l.pos = len(l.b)
			return
		}
		at := l.pos + i
		l.pos = at + 2
		if at > 0 && isPDFSpace(l.b[at-1]) && (at+2 == len(l.b) || isPDFSpace(l.b[at+2]) || isPDFDelim(l.b[at+2])) {
			return
		}
	}
}

// ---- fonts ----

// pdfFont turns the bytes of a shown string into text: through its
// ToUnicode CMap, else its simple encoding (one byte a character).
type pdfFont struct {
	cmap *cmap
	enc  *[256]string // simple fonts: byte -> text
	wide bool         // two-byte codes without a ToUnicode CMap: not decodable
}

var winAnsi = func() *[256]string {
	var e [256]string
	for i := range e {
		e[i] = string(cp1252Rune(byte(i)))
	}
	return &e
}()

var defaultFont = &pdfFont{enc: winAnsi}

func (f *pdfFont) decode(s pdfString, w *textWriter) error {
	if f.cmap != nil {
		return f.cmap.decode(s, w, f.enc)
	}
	if f.wide {
		return nil
	}
	enc := f.enc
	if enc == nil {
		enc = winAnsi
	}
	for _, c := range s {
		if err := w.WriteString(enc[c]); err != nil {
			return err
		}
	}
	return nil
}

// font returns the font named in a page's resources (cached by object).
func (p *pdfText) font(resources pdfDict, name pdfName) *pdfFont {
	d := p.doc
	if resources == nil {
		return defaultFont
	}
	fonts := d.dict(resources["Font"])
	if fonts == nil {
		return defaultFont
	}
	ref, isRef := fonts[name].(pdfRef)
	if isRef {
		if f, ok := d.fonts[ref]; ok {
			return f
		}
	}
	fd := d.dict(fonts[name])
	f := &pdfFont{}
	if fd != nil {
		if s, ok := d.resolve(fd["ToUnicode"]).(*pdfStream); ok {
			if data, err := d.streamData(s); err == nil {
				f.cmap = parseCMap(data)
			}
		}
		if fd.name("Subtype") == "Type0" {
			f.wide = true
		} else {
			f.enc = d.simpleEncoding(fd["Encoding"])
		}
	}
	if f.enc == nil && !f.wide {
		f.enc = winAnsi
	}
	if isRef && len(d.fonts) < 4096 {
		d.fonts[ref] = f
	}
	return f
}

// simpleEncoding is a simple font's encoding: WinAnsi (for Standard and
// no encoding too), MacRoman, and a /Differences array over either.
func (d *pdfDoc) simpleEncoding(v any) *[256]string {
	v = d.resolve(v)
	base := winAnsi
	var diffs pdfArray
	switch t := v.(type) {
	case pdfName:
		if t == "MacRomanEncoding" {
			base = macRoman
		}
		return base
	case pdfDict:
		if t.name("BaseEncoding") == "MacRomanEncoding" {
			base = macRoman
		}
		diffs, _ = d.resolve(t["Differences"]).(pdfArray)
	}
	if len(diffs) == 0 {
		return base
	}
	enc := *base
	code := 0
	for _, e := range diffs {
		switch t := e.(type) {
		case float64:
			code = int(t)
		case pdfName:
			if code >= 0 && code < 256 {
				if s, ok := glyphText(string(t)); ok {
					enc[code] = s
				}
			}
			code++
		}
	}
	return &enc
}

var macRoman = func() *[256]string {
	const high = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»… ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\uf8ffÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ"
	var e [256]string
	for i := range 128 {
		e[i] = string(rune(i))
	}
	i := 128
	for _, r := range high {
		if i < 256 {
			e[i] = string(r)
		}
		i++
	}
	return &e
}()

// glyphNames are the common glyph names that are not one letter or uniXXXX.
var glyphNames = map[string]string{
	"space": " ", "exclam": "!", "quotedbl": "\"", "numbersign": "#", "dollar": "$", "percent": "%",
	"ampersand": "&", "quotesingle": "'", "quoteright": "’", "quoteleft": "‘", "parenleft": "(",
	"parenright": ")", "asterisk": "*", "plus": "+", "comma": ",", "hyphen": "-", "period": ".",
	"slash": "/", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
	"six": "6", "seven": "7", "eight": "8", "nine": "9", "colon": ":", "semicolon": ";",
	"less": "<", "equal": "=", "greater": ">", "question": "?", "at": "@", "bracketleft": "[",
	"backslash": "\\", "bracketright": "]", "underscore": "_", "grave": "`", "braceleft": "{",
	"bar": "|", "braceright": "}", "asciitilde": "~", "quotedblleft": "“", "quotedblright": "”",
	"quotesinglbase": "‚", "quotedblbase": "„", "endash": "–", "emdash": "—", "bullet": "•",
	"ellipsis": "…", "fi": "fi", "fl": "fl", "ff": "ff", "ffi": "ffi", "ffl": "ffl",
	"section": "§", "paragraph": "¶", "copyright": "©", "registered": "®", "trademark": "™",
	"degree": "°", "Euro": "€", "euro": "€", "sterling": "£", "yen": "¥", "cent": "¢",
	"nbspace": " ", "germandbls": "ß", "dagger": "†", "daggerdbl": "‡", "minus": "−",
	"adieresis": "ä", "odieresis": "ö", "udieresis": "ü", "Adieresis": "Ä", "Odieresis": "Ö",
	"Udieresis": "Ü", "eacute": "é", "egrave": "è", "agrave": "à", "ccedilla": "ç",
}

// glyphText is the text of a glyph name: uniXXXX, uXXXX, a letter, or a known name.
func glyphText(name string) (string, bool) {
	if s, ok := glyphNames[name]; ok {
		return s, true
	}
	if len(name) == 1 && isASCIILetter(name[0]) {
		return name, true
	}
	if strings.HasPrefix(name, "uni") && len(name) >= 7 {
		var b strings.Builder
		for i := 3; i+4 <= len(name); i += 4 {
			v, err := strconv.ParseUint(name[i:i+4], 16, 16)
			if err != nil {
				return "", false
			}
			b.WriteRune(rune(v))
		}
		return b.String(), true
	}
	if len(name) >= 5 && len(name) <= 7 && name[0] == 'u' {
		if v, err := strconv.ParseUint(name[1:], 16, 32); err == nil && v <= 0x10ffff {
			return string(rune(v)), true
		}
	}
	return "", false
}

// ---- ToUnicode CMaps ----

// Bounds of one CMap.
const (
	maxCMapChars  = 1 << 16
	maxCMapRanges = 1 << 14
)

// cmap maps character codes (1 to 4 bytes) to text.
type cmap struct {
	space  []codeRange // codespace ranges: the lengths of codes
	chars  map[uint64]string
	ranges []bfRange
}

type codeRange struct {
	lo, hi []byte
}

type bfRange struct {
	n      int // code length
	lo, hi uint32
	dst    []byte   // UTF-16BE of lo's text; the last byte counts up
	dsts   []string // or one text per code
}

func codeKey(code []byte) uint64 {
	var v uint64
	for _, c := range code {
		v = v<<8 | uint64(c)
	}
	return uint64(len(code))<<32 | v
}

// parseCMap reads the codespace ranges, bfchar and bfrange sections of a
// ToUnicode CMap (the rest of its PostScript is ignored).
func parseCMap(data []byte) *cmap {
	m := &cmap{chars: map[uint64]string{}}
	l := &pdfLexer{b: data}
	var ops []any
	for {
		v, err := l.object(0)
		if err != nil {
			if errors.Is(err, errPDFEnd) {
				break
			}
			ops = ops[:0]
			continue
		}
		kw, ok := v.(pdfKeyword)
		if !ok {
			if len(ops) < 8 {
				ops = append(ops, v)
			}
			continue
		}
		ops = ops[:0]
		switch kw {
		case "begincodespacerange":
			for {
				lo, ok1 := nextString(l)
				hi, ok2 := nextString(l)
				if !ok1 || !ok2 {
					break
				}
				if len(lo) >= 1 && len(lo) <= 4 && len(hi) == len(lo) && len(m.space) < 64 {
					m.space = append(m.space, codeRange{lo, hi})
				}
			}
		case "beginbfchar":
			for {
				src, ok1 := nextString(l)
				if !ok1 {
					break
				}
				dst, err := l.object(0)
				if err != nil {
					break
				}
				if len(src) >= 1 && len(src) <= 4 && len(m.chars) < maxCMapChars {
					m.chars[codeKey(src)] = cmapText(dst)
				}
			}
		case "beginbfrange":
			for {
				lo, ok1 := nextString(l)
				hi, ok2 := nextString(l)
				if !ok1 || !ok2 {
					break
				}
				dst, err := l.object(0)
				if err != nil {
					break
				}
				if len(lo) < 1 || len(lo) > 4 || len(hi) != len(lo) || len(m.ranges) >= maxCMapRanges {
					continue
				}
				r := bfRange{n: len(lo), lo: uint32(codeKey(lo)), hi: uint32(codeKey(hi))}
				if r.hi < r.lo {
					continue
				}
				switch t := dst.(type) {
				case pdfString:
					r.dst = append([]byte(nil), t...)
				case pdfArray:
					for _, e := range t[:min(len(t), maxCMapChars)] {
						r.dsts = append(r.dsts, cmapText(e))
					}
				default:
					continue
				}
				m.ranges = append(m.ranges, r)
			}
		}
	}
	return m
}

// nextString reads the next token as a string; false at an end keyword.
func nextString(l *pdfLexer) (pdfString, bool) {
	t, err := l.token()
	if err != nil {
		return nil, false
	}
	s, ok := t.(pdfString)
	return s, ok
}

// cmapText is the text of a bfchar/bfrange target: UTF-16BE bytes or a glyph name.
func cmapText(v any) string {
	switch t := v.(type) {
	case pdfString:
		return utf16BE(t)
	case pdfName:
		s, _ := glyphText(string(t))
		return s
	}
	return ""
}

func utf16BE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return string(utf16.Decode(u))
}

// codeLen is the length of the code at the start of s by the codespace
// ranges: the first length whose range holds the bytes; without ranges 2.
func (m *cmap) codeLen(s []byte) int {
	shortest := 0
	for n := 1; n <= 4 && n <= len(s); n++ {
		for _, r := range m.space {
			if len(r.lo) != n {
				continue
			}
			if shortest == 0 || n < shortest {
				shortest = n
			}
			in := true
			for k := range n {
				if s[k] < r.lo[k] || s[k] > r.hi[k] {
					in = false
					break
				}
			}
			if in {
				return n
			}
		}
	}
	if shortest > 0 {
		return shortest
	}
	if len(m.space) == 0 {
		return min(2, len(s))
	}
	// Only longer ranges than what is left.
	return len(s)
}

func (m *cmap) lookup(code []byte) (string, bool) {
	key := codeKey(code)
	if s, ok := m.chars[key]; ok {
		return s, true
	}
	v := uint32(key)
	for _, r := range m.ranges {
		if r.n != len(code) || v < r.lo || v > r.hi {
			continue
		}
		off := v - r.lo
		if r.dsts != nil {
			if int(off) < len(r.dsts) {
				return r.dsts[off], true
			}
			return "", true
		}
		if len(r.dst) == 0 {
			return "", true
		}
		d := append([]byte(nil), r.dst...)
		// Add off to the last two bytes (a UTF-16 unit), as readers do.
		last := uint32(d[len(d)-1])
		if len(d) >= 2 {
			last |= uint32(d[len(d)-2]) << 8
		}
		last += off
		d[len(d)-1] = byte(last)
		if len(d) >= 2 {
			d[len(d)-2] = byte(last >> 8)
		}
		return utf16BE(d), true
	}
	return "", false
}

// decode writes the text of s; a one-byte code the CMap lacks falls back
// to the font's simple encoding.
func (m *cmap) decode(s pdfString, w *textWriter, enc *[256]string) error {
	for i := 0; i < len(s); {
		n := max(m.codeLen(s[i:]), 1)
		n = min(n, len(s)-i)
		code := s[i : i+n]
		i += n
		t, ok := m.lookup(code)
		if !ok && n == 1 && enc != nil {
			t = enc[code[0]]
		}
		if err := w.WriteString(t); err != nil {
			return err
		}
	}
	return nil
}
