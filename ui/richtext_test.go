package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

// marked writes parts back with the strong ones in «»: what a person sees
// highlighted.
func marked(ps []part) string {
	var b strings.Builder
	for _, p := range ps {
		if p.strong {
			b.WriteString("«" + p.text + "»")
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// TestSnippetParts: the match in [brackets] is highlighted; a bracket of
// the data itself (escaped) never is, nor an unbalanced one.
func TestSnippetParts(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Anna [Keller]", "Anna «Keller»"},
		{"[Smith] and [Smithers]", "«Smith» and «Smithers»"},
		{`the \[draft\] of the [lease]`, "the [draft] of the «lease»"},
		{`[\[draft\]] note`, "«[draft]» note"},
		{`a back\\slash [x]`, `a back\slash «x»`},
		{`only \[escaped\]`, "only [escaped]"},
		{"unclosed [bracket here", "unclosed [bracket here"},
		{"stray ] closing", "stray ] closing"},
		{"[a [b] c]", "[a «b» c]"}, // never nested: the inner pair
		{`trailing \`, `trailing \`},
		{`\x unknown escape`, `\x unknown escape`},
		{"", ""},
		{"[]", ""},
	} {
		if got := marked(snippetParts(c.in, widget.LowImportance)); got != c.want {
			t.Errorf("snippetParts(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// On what the search writes, it reads as app.SnippetParts does (the
	// one rule; the window's reading is also safe on malformed ones).
	for _, in := range []string{"Anna [Keller]", `the \[draft\] of the [lease]`, `[\[draft\]] note`, `a back\\slash [x]`, "no match"} {
		var want strings.Builder
		for _, p := range app.SnippetParts(in) {
			if p.Match {
				want.WriteString("«" + p.Text + "»")
			} else {
				want.WriteString(p.Text)
			}
		}
		if got := marked(snippetParts(in, widget.LowImportance)); got != want.String() {
			t.Errorf("%q: the window reads %q, app.SnippetParts %q", in, got, want.String())
		}
	}
}

// TestSearchHitRows: a hit says its kind and title, and the snippet with
// the match highlighted; control characters in the data are shown as
// escapes, never obeyed, and line breaks do not break the row.
func TestSearchHitRows(t *testing.T) {
	rows := hitRows(app.SearchHit{Kind: "party", Role: "adverse", Name: "Brightwater Holdings", Title: "Lease dispute", Snippet: "[Brightwater] Holdings", MatterID: 4})
	if got := marked(rows[0]); got != "«Adverse party: »Brightwater Holdings · matter “Lease dispute”" {
		t.Errorf("line 1 = %q", got)
	}
	if got := marked(rows[1]); got != "«Brightwater» Holdings" {
		t.Errorf("line 2 = %q", got)
	}
	rows = hitRows(app.SearchHit{Kind: "party_alias", Role: "witness", Field: "former name", Name: "Jo Smith", Title: "Sale", Snippet: "[Jo] Smyth", Fuzzy: true})
	if got := marked(rows[0]); got != "«Witness (former name): »Jo Smith · matter “Sale” · close spelling" {
		t.Errorf("party alias line 1 = %q", got)
	}
	rows = hitRows(app.SearchHit{Kind: "matter", Field: "number", Title: "Sale", Snippet: "[2026-0004]"})
	if got := marked(rows[0]); got != "«Matter (number): »Sale" {
		t.Errorf("matter number line 1 = %q", got)
	}
	segs := richSegments(hitRows(app.SearchHit{Kind: "note", Title: "Lease", Snippet: "first\nsecond \x1b[31m[red]"})...)
	var all string
	for _, s := range segs {
		all += s.(*widget.TextSegment).Text
	}
	if strings.ContainsAny(all, "\n\x1b") || !strings.Contains(all, `\x1b`) {
		t.Errorf("segments = %q", all)
	}
	if !opensMatter(app.SearchHit{Kind: "party", MatterID: 4}) || opensMatter(app.SearchHit{Kind: "client", ClientID: 1}) ||
		!opensMatter(app.SearchHit{Kind: "party_alias", MatterID: 4}) {
		t.Error("opensMatter: a party opens its matter, a client its client")
	}
}
