package cli

// The printing layer: every table and report the commands print goes
// through r.out, and every value that comes from the vault, a backup or
// the command line goes through cell (one line) or lines (text of several
// lines), so a name cannot move the cursor, retitle the terminal, reorder
// the text it is shown in, or add a row or a column to a table.

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"casevault/app/human"
)

// cell is one value in a table or a report line: control characters (line
// breaks and tabs too), text-direction controls, invisible format
// characters and bytes that are not UTF-8 are written as visible escapes
// (\x1b, \n, \u202e, \xff).
func cell(s string) string { return human.Escape(s) }

// lines is text of several lines (notes, an address) as the value of a
// two-column table row: what cell escapes is escaped except line breaks;
// each further line starts in the value column (after an empty first
// cell), and tabs become spaces, so no line of the text can pose as a row
// of its own.
func lines(s string) string {
	s = strings.ReplaceAll(human.EscapeText(s), "\t", "    ")
	return strings.ReplaceAll(s, "\n", "\n\t")
}

// safeWriter is what r.out's text callbacks write to: it passes the
// table's own tabs and line breaks and escapes every other control
// character, text-direction control and byte that is not UTF-8 before the
// tabwriter sees it: the net under cell for a value a command forgot to
// pass through it. A character split across two writes is held back until
// the next write or flush.
type safeWriter struct {
	w       io.Writer
	pending []byte
}

func (s *safeWriter) Write(p []byte) (int, error) {
	buf := append(s.pending, p...)
	s.pending = nil
	// Hold back an incomplete last character (at most 3 bytes of a valid
	// start), to be completed by the next write.
	for k := 1; k <= 3 && k <= len(buf); k++ {
		tail := buf[len(buf)-k:]
		if utf8.RuneStart(tail[0]) {
			if !utf8.FullRune(tail) {
				s.pending = append([]byte(nil), tail...)
				buf = buf[:len(buf)-k]
			}
			break
		}
	}
	if _, err := io.WriteString(s.w, human.EscapeText(string(buf))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// flush writes what was held back (escaped: it never became a character).
func (s *safeWriter) flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	_, err := io.WriteString(s.w, human.EscapeText(string(s.pending)))
	s.pending = nil
	return err
}

// safeJSON is JSON output with the text-direction controls and invisible
// format characters that encoding/json leaves raw written as \u escapes:
// the same data for a program, nothing hidden on a terminal.
func safeJSON(w io.Writer, js []byte) error {
	_, err := io.Copy(w, bytes.NewReader(human.EscapeJSON(js)))
	return err
}

// escWriter escapes what the flag package writes itself (it repeats a
// mistyped flag as typed); it writes whole messages at a time.
type escWriter struct{ w io.Writer }

func (e escWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(e.w, human.EscapeText(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
