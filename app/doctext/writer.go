package doctext

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// errFull stops an extractor once the text reached the caller's limit; Extract
// turns it into success.
var errFull = errors.New("doctext: limit reached")

// textWriter collects extracted text: runs of spaces and tabs become one
// space, runs of line breaks at most one blank line, no space at the end or
// start of a line, control and invisible format characters dropped, at most
// limit bytes, cut on a character boundary.
type textWriter struct {
	b       strings.Builder
	limit   int
	space   bool // a space is pending
	breaks  int  // line breaks pending (0, 1 or 2)
	full    bool
	written bool // something but whitespace was written
	lastCR  bool // the last character was a CR
}

func newTextWriter(limit int) *textWriter { return &textWriter{limit: limit} }

// WriteString writes s; errFull once the limit is reached (the rest of s
// is dropped).
func (w *textWriter) WriteString(s string) error {
	for _, r := range s {
		if err := w.WriteRune(r); err != nil {
			return err
		}
	}
	return nil
}

// Write writes p, read as UTF-8 (bytes that are not become U+FFFD, which is dropped).
func (w *textWriter) Write(p []byte) (int, error) {
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if err := w.WriteRune(r); err != nil {
			return i, err
		}
		i += n
	}
	return len(p), nil
}

// WriteRune writes one character through the normalisation.
func (w *textWriter) WriteRune(r rune) error {
	if w.full {
		return errFull
	}
	if r == '\n' && w.lastCR {
		w.lastCR = false
		return nil // the LF of a CR LF
	}
	w.lastCR = r == '\r'
	switch {
	case r == '\n' || r == '\v' || r == '\f' || r == '\u2028' || r == '\u2029' || r == '\u0085':
		w.Break()
		return nil
	case r == '\r':
		w.Break()
		return nil
	case r == ' ' || r == '\t' || r == '\u00a0' || unicode.IsSpace(r):
		w.Space()
		return nil
	case r == utf8.RuneError || !utf8.ValidRune(r) || hiddenRune(r):
		return nil
	}
	sep := ""
	if w.written {
		switch {
		case w.breaks >= 2:
			sep = "\n\n"
		case w.breaks == 1:
			sep = "\n"
		case w.space:
			sep = " "
		}
	}
	if w.b.Len()+len(sep)+utf8.RuneLen(r) > w.limit {
		w.full = true
		return errFull
	}
	w.b.WriteString(sep)
	w.b.WriteRune(r)
	w.space, w.breaks, w.written = false, 0, true
	return nil
}

// Space asks for a space before the next character (nothing if a line break
// or a space is already pending).
func (w *textWriter) Space() { w.space = true }

// Break asks for a line break before the next character. Two breaks in a
// row (with only spaces between) make a blank line; more make no more.
func (w *textWriter) Break() {
	if w.breaks < 2 {
		w.breaks++
	}
}

// Len is the bytes written so far.
func (w *textWriter) Len() int { return w.b.Len() }

// Full reports whether the limit was reached.
func (w *textWriter) Full() bool { return w.full }

func (w *textWriter) String() string { return w.b.String() }

// hiddenRune reports characters that are dropped from extracted text:
// control characters, text-direction controls and the other invisible
// format characters (byte order marks, zero-width spaces, tag characters),
// like app/human's rule for what a terminal must not print. The zero-width
// joiners stay: words need them.
func hiddenRune(r rune) bool {
	switch {
	case r == '\u200c' || r == '\u200d':
		return false
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r < 0x80:
		return false
	}
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Co, r) ||
		unicode.Is(unicode.Noncharacter_Code_Point, r) || r == '\ufffd'
}
