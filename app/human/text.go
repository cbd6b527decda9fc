package human

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Zero-width joiner and non-joiner: format characters that Persian,
// Indic and emoji text need, so they are neither escaped nor refused.
const (
	zwnj = '\u200c'
	zwj  = '\u200d'
)

// hidden reports whether r changes what a terminal shows without being
// seen itself: control characters (ESC starts ANSI and OSC sequences, CR
// rewrites a line), text-direction controls (U+202E turns "exe.txt" into
// "txt.exe"), line and paragraph separators, and the other invisible
// format characters (zero-width space, byte order mark, word joiner, tag
// characters). The joiners are not hidden: words need them.
func hidden(r rune) bool {
	switch {
	case r == zwnj || r == zwj:
		return false
	case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Bidi_Control, r),
		r == '\u2028', r == '\u2029':
		return true
	}
	return false
}

// Escape makes s safe to print as one line on a terminal or in a table
// cell: every control character (line breaks and tabs too), text-direction
// control, invisible format character and byte that is not UTF-8 is
// written as a visible escape like \x1b, \r, \n, \u202e or \xff. Other
// text, wide and combining characters included, is kept as it is.
func Escape(s string) string { return escape(s, false) }

// EscapeText is Escape for text of several lines: line breaks and tabs
// are kept, everything else Escape escapes is escaped.
func EscapeText(s string) string { return escape(s, true) }

func escape(s string, keepLines bool) string {
	if !needsEscape(s, keepLines) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && hidden(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r) && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsEscape(s string, keepLines bool) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || (hidden(r) && !(keepLines && (r == '\n' || r == '\t'))) {
			return true
		}
		i += n
	}
	return false
}

// EscapeJSON rewrites the text-direction controls and invisible format
// characters that encoding/json leaves raw in its output (it already
// escapes control characters and replaces bytes that are not UTF-8) as
// \uXXXX escapes. JSON allows such characters only inside strings, where
// the escape means the same character, so the data a program reads is
// unchanged while a terminal shows the escape.
func EscapeJSON(js []byte) []byte {
	var out []byte
	for i := 0; i < len(js); {
		r, n := utf8.DecodeRune(js[i:])
		if r >= 0x80 && hidden(r) {
			if out == nil {
				out = append(make([]byte, 0, len(js)+16), js[:i]...)
			}
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		} else if out != nil {
			out = append(out, js[i:i+n]...)
		}
		i += n
	}
	if out == nil {
		return js
	}
	return out
}

// Invisible reports whether r shows nothing by itself: white space,
// control and format characters (zero-width space, byte order mark),
// variation selectors and the other characters Unicode says to ignore when
// they cannot be shown (Hangul fillers among them).
func Invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// TrimInvisible removes white space and invisible characters (see
// Invisible) other than control characters from both ends of s: a name
// pasted with a trailing zero-width space or a leading byte order mark is
// the same name.
func TrimInvisible(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		// Control characters that are not white space (ESC, BEL) are kept,
		// to be refused rather than dropped without a word.
		return unicode.IsSpace(r) || (r != utf8.RuneError && Invisible(r) && !unicode.Is(unicode.Cc, r))
	})
}

// HasVisible reports whether s has at least one character that shows by
// itself (not invisible, not only a combining mark).
func HasVisible(s string) bool {
	for _, r := range s {
		if r != utf8.RuneError && !Invisible(r) && !unicode.IsMark(r) {
			return true
		}
	}
	return false
}

// NormalizeLines turns Windows (CR LF) and old Mac (CR) line ends and the
// Unicode line and paragraph separators into plain line breaks.
func NormalizeLines(s string) string {
	if !strings.ContainsAny(s, "\r\u2028\u2029") {
		return s
	}
	return strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n").Replace(s)
}

// Unsafe finds the first character of s that may not be stored in a text
// field and says what it is in words ("a line break", "a tab", "a
// terminal control code (U+001B)", "a text-direction control (U+202E)",
// "bytes that are not valid text"), or returns "" when there is none.
// One-line fields (names, titles, e-mail) refuse every control character
// and text-direction control; text of several lines (notes) keeps line
// breaks, tabs and direction controls, which right-to-left writing needs,
// and refuses the other control characters.
func Unsafe(s string, multiline bool) string {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			return "bytes that are not valid text (is the file or terminal set to UTF-8?)"
		case multiline && (r == '\n' || r == '\t'):
		case r == '\n', r == '\u2028', r == '\u2029':
			return "a line break"
		case r == '\t':
			return "a tab"
		case unicode.Is(unicode.Cc, r):
			return fmt.Sprintf("a control code (U+%04X) that can rewrite what a terminal shows", r)
		case !multiline && unicode.Is(unicode.Bidi_Control, r):
			return fmt.Sprintf("an invisible text-direction control (U+%04X) that can make text show in a different order", r)
		}
	}
	return ""
}
