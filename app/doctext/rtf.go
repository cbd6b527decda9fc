package doctext

import (
	"context"
	"io"
	"strconv"
	"unicode/utf16"
)

// maxRTFDepth bounds the nesting of RTF groups; deeper groups are skipped.
const maxRTFDepth = 256

// rtfSkipped are the destinations whose groups hold no text a reader sees:
// tables of fonts, colours and styles, pictures, embedded objects, field
// instructions, document information.
var rtfSkipped = set("fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "fldinst",
	"listtable", "listoverridetable", "rsidtbl", "generator", "xmlnstbl", "themedata",
	"colorschememapping", "datastore", "latentstyles", "pgdsctbl", "filetbl", "revtbl",
	"bkmkstart", "bkmkend", "nonshppict", "shpinst", "template", "userprops", "mmathPr",
	"ftnsep", "ftnsepc", "aftnsep", "aftnsepc", "falt", "panose", "fontemb", "fontfile")

// rtfChars are control words that stand for a character.
var rtfChars = map[string]string{
	"emdash": "—", "endash": "–", "bullet": "•", "lquote": "‘", "rquote": "’",
	"ldblquote": "“", "rdblquote": "”", "emspace": " ", "enspace": " ", "qmspace": " ",
}

type rtfGroup struct {
	skip bool
	uc   int // characters that follow a \uN as its fallback
}

func extractRTF(ctx context.Context, w *textWriter, r io.ReaderAt, size int64) error {
	p, err := readAllCapped(r, size, inputCap(w.limit))
	if err != nil {
		return err
	}
	return writeRTF(ctx, w, p)
}

// writeRTF writes the text of an RTF document: groups and control words
// read one at a time, the destinations without text skipped.
func writeRTF(ctx context.Context, w *textWriter, p []byte) error {
	stack := []rtfGroup{{uc: 1}}
	skipChars := 0 // fallback characters still to skip after a \uN
	var high rune  // the first half of a surrogate pair written as two \uN
	emit := func(s string) error {
		if stack[len(stack)-1].skip {
			return nil
		}
		if skipChars > 0 {
			skipChars--
			return nil
		}
		return w.WriteString(s)
	}
	for i, n := 0, 0; i < len(p); n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		top := &stack[len(stack)-1]
		c := p[i]
		switch c {
		case '{':
			i++
			g := *top
			if len(stack) >= maxRTFDepth {
				g.skip = true
			}
			stack = append(stack, g)
			skipChars = 0
			continue
		case '}':
			i++
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			skipChars = 0
			continue
		case '\r', '\n':
			i++
			continue
		case '\\':
		default:
			i++
			if err := emit(string(cp1252Rune(c))); err != nil {
				return err
			}
			continue
		}
		// A control word or symbol.
		i++
		if i >= len(p) {
			break
		}
		c = p[i]
		if !isASCIILetter(c) {
			i++
			var err error
			switch c {
			case '\\', '{', '}':
				err = emit(string(c))
			case '~':
				err = emit("\u00a0")
			case '_':
				err = emit("-")
			case '*':
				top.skip = true // an ignorable destination this reader does not know
			case '\'':
				if i+1 < len(p) {
					if b, ok := unhex2(p[i], p[i+1]); ok {
						err = emit(string(cp1252Rune(b)))
						i += 2
					}
				}
			case '\r', '\n':
				if !top.skip {
					w.Break()
				}
			}
			if err != nil {
				return err
			}
			continue
		}
		start := i
		for i < len(p) && i-start < 32 && isASCIILetter(p[i]) {
			i++
		}
		word := string(p[start:i])
		numStart := i
		if i < len(p) && p[i] == '-' {
			i++
		}
		for i < len(p) && i-numStart < 11 && p[i] >= '0' && p[i] <= '9' {
			i++
		}
		arg, hasArg := 0, i > numStart
		if hasArg {
			arg, _ = strconv.Atoi(string(p[numStart:i]))
		}
		if i < len(p) && p[i] == ' ' {
			i++ // the space ending a control word is part of it
		}
		if rtfSkipped[word] {
			top.skip = true
			continue
		}
		if s, ok := rtfChars[word]; ok {
			if err := emit(s); err != nil {
				return err
			}
			continue
		}
		switch word {
		case "par", "line", "sect", "page", "row":
			if !top.skip {
				w.Break()
			}
		case "tab", "cell":
			if !top.skip {
				w.Space()
			}
		case "uc":
			if hasArg && arg >= 0 && arg < 10 {
				top.uc = arg
			}
		case "u":
			if !hasArg {
				continue
			}
			if arg < 0 {
				arg += 65536
			}
			if arg < 0 || arg > 0xffff {
				continue // not a 16-bit unit: nonsense
			}
			r := rune(arg)
			switch {
			case utf16.IsSurrogate(r) && r < 0xdc00:
				high = r // the first half of a pair
				r = -1
			case utf16.IsSurrogate(r):
				r = utf16.DecodeRune(high, r)
				high = 0
			}
			if r >= 0 && !top.skip {
				if err := w.WriteRune(r); err != nil {
					return err
				}
			}
			skipChars = top.uc
		case "bin":
			if hasArg && arg > 0 {
				i += min(arg, len(p)-i)
			}
		}
	}
	return nil
}
