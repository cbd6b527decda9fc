package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app/human"
)

// This file: text of several styles in one widget (conflict hits, search
// results, the history list), in the theme's colours: a part's importance
// picks the colour a Label of that importance has, so the theme decides
// every colour and its contrast (nothing is dimmed by hand).

// importanceColor is the theme colour of a Label of importance i.
func importanceColor(i widget.Importance) fyne.ThemeColorName {
	switch i {
	case widget.LowImportance:
		return theme.ColorNameDisabled
	case widget.HighImportance:
		return theme.ColorNamePrimary
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.WarningImportance:
		return theme.ColorNameWarning
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameForeground
}

// part is a piece of a line of rich text.
type part struct {
	text   string
	imp    widget.Importance
	strong bool
}

func plain(s string) part                              { return part{text: s, imp: widget.MediumImportance} }
func strong(s string) part                             { return part{text: s, imp: widget.MediumImportance, strong: true} }
func low(s string) part                                { return part{text: s, imp: widget.LowImportance} }
func colored(s string, i widget.Importance) part       { return part{text: s, imp: i} }
func strongColored(s string, i widget.Importance) part { return part{text: s, imp: i, strong: true} }

// oneLine makes text from the data safe for one line of a list row: line
// breaks and tabs become spaces, other control characters are shown as
// escapes (human.Escape), never obeyed.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\t':
			return ' '
		}
		return r
	}, s)
	return human.Escape(s)
}

// richSegments turns lines of parts into RichText segments: each line one
// paragraph.
func richSegments(lines ...[]part) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	for _, ln := range lines {
		if len(ln) == 0 {
			ln = []part{plain(" ")}
		}
		for i, p := range ln {
			st := widget.RichTextStyle{
				ColorName: importanceColor(p.imp),
				Inline:    i < len(ln)-1,
				SizeName:  theme.SizeNameText,
				TextStyle: fyne.TextStyle{Bold: p.strong},
			}
			segs = append(segs, &widget.TextSegment{Text: oneLine(p.text), Style: st})
		}
	}
	return segs
}

// newRows is a RichText of a fixed number of lines, cut with "…" when a
// line does not fit: the row template of a list.
func newRows(n int) *widget.RichText {
	lines := make([][]part, n)
	for i := range lines {
		lines[i] = []part{plain("Row text")}
	}
	rt := widget.NewRichText(richSegments(lines...)...)
	rt.Truncation = fyne.TextTruncateEllipsis
	return rt
}

// setRows replaces the text of rt with lines.
func setRows(rt *widget.RichText, lines ...[]part) {
	rt.Segments = richSegments(lines...)
	rt.Refresh()
}

// snippetParts reads a search snippet: the match is between an unescaped
// "[" and "]" (shown strong); "\[", "\]" and "\\" are a bracket or a
// backslash of the data itself (PLAN11 Contract changes, h2's rule), shown
// as they are. A "[" without its "]" and a "]" without its "[" are text,
// never a highlight; of "[a [b] c]" only b is (a match is never nested).
func snippetParts(s string, rest widget.Importance) []part {
	var out []part
	var cur strings.Builder
	inMatch := false
	flush := func(match bool) {
		if cur.Len() == 0 {
			return
		}
		if match {
			out = append(out, strong(cur.String()))
		} else {
			out = append(out, colored(cur.String(), rest))
		}
		cur.Reset()
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs) && (rs[i+1] == '[' || rs[i+1] == ']' || rs[i+1] == '\\'):
			cur.WriteRune(rs[i+1])
			i++
		case r == '[' && !inMatch && closes(rs[i+1:]):
			flush(false)
			inMatch = true
		case r == ']' && inMatch:
			flush(true)
			inMatch = false
		default:
			cur.WriteRune(r)
		}
	}
	flush(inMatch)
	return out
}

// closes reports whether rs holds an unescaped "]" (before any unescaped
// "[": a match is never nested).
func closes(rs []rune) bool {
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			if i+1 < len(rs) && (rs[i+1] == '[' || rs[i+1] == ']' || rs[i+1] == '\\') {
				i++
			}
		case ']':
			return true
		case '[':
			return false
		}
	}
	return false
}
