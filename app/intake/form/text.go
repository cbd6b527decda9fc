package form

import (
	"unicode"
	"unicode/utf8"

	"casevault/app/human"
)

// textIssue is what is wrong with a piece of text, if anything.
type textIssue int

const (
	textOK textIssue = iota
	textNotUTF8
	textControl   // a control character (ESC, NUL, CR, …)
	textLineBreak // a line break in one-line text
	textDirection // an invisible text-direction override, embedding or isolate
	textTooLong
)

// directionOverride reports the Unicode characters that reorder a run of
// text (embeddings, overrides, isolates and their terminators): they can
// make "exe.txt" show as "txt.exe" and a name read differently from what
// it is. The single marks (U+200E, U+200F, U+061C) do not reorder runs
// and right-to-left writing uses them, so they are allowed.
func directionOverride(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// checkText finds the first thing wrong with s: bytes that are not UTF-8,
// a control character (line breaks and tabs are allowed when multiline),
// a line or paragraph separator in one-line text, a direction override,
// or more than max characters. It returns textOK when there is none.
func checkText(s string, multiline bool, max int) textIssue {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
		switch {
		case r == utf8.RuneError && size == 1:
			return textNotUTF8
		case r == '\n' || r == '\u2028' || r == '\u2029':
			if !multiline || r != '\n' {
				if multiline {
					return textControl // Parse turns these into \n first
				}
				return textLineBreak
			}
		case r == '\t' && multiline:
		case unicode.Is(unicode.Cc, r):
			return textControl
		case directionOverride(r):
			return textDirection
		}
	}
	if max > 0 && n > max {
		return textTooLong
	}
	return textOK
}

// phrase is the end of a sentence about the issue, for the lawyer:
// "The question "x": its wording <phrase>."
func (t textIssue) phrase(max int) string {
	switch t {
	case textNotUTF8:
		return "has bytes that are not valid text"
	case textControl:
		return "has an invisible control character"
	case textLineBreak:
		return "has a line break"
	case textDirection:
		return "has an invisible character that changes the direction of text"
	case textTooLong:
		return "is too long (at most " + human.Count(max, "character", "characters") + ")"
	}
	return ""
}

// hasVisible reports whether s has something a reader can see.
func hasVisible(s string) bool { return human.HasVisible(s) }
