package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// TestSearchPartiesAndBrackets: "smith" finds an adverse party named
// Smith, shown as the party with its matter, and opening it opens the
// matter; a note holding a literal "[draft]" shows the bracket as text,
// with only the word searched highlighted.
func TestSearchPartiesAndBrackets(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	anna, err := s.AddClient(ctx, app.ClientInput{Name: ptr("Anna Keller")})
	var mid int64
	if err == nil {
		mid, err = s.AddMatter(ctx, app.MatterInput{ClientID: anna, Title: "Lease dispute", Adverse: []string{"Jo Smith"}})
	}
	if err == nil {
		_, err = s.AddNote(ctx, mid, "Sent the [draft] lease to Smith's lawyer")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	h.unlocked()
	m := h.u.main
	test.Type(m.search, "smith")
	h.u.wait()
	var party, note *app.SearchHit
	for i, x := range m.results.hits {
		switch x.Kind {
		case "party":
			party = &m.results.hits[i]
		case "note":
			note = &m.results.hits[i]
		}
	}
	if party == nil || note == nil {
		t.Fatalf("“smith” finds %+v", m.results.hits)
	}
	if got := marked(hitRows(*party)[0]); got != "«Adverse party: »Jo Smith · matter “Lease dispute”" {
		t.Errorf("party row = %q", got)
	}
	got := marked(hitRows(*note)[1])
	if !strings.Contains(got, "[draft]") || !strings.Contains(got, "«Smith»") || strings.Contains(got, "«draft»") {
		t.Errorf("note snippet %q shows as %q", note.Snippet, got)
	}
	if !contains(h.u.w.Canvas(), "Adverse party: Jo Smith · matter “Lease dispute”") {
		t.Errorf("the party row is not shown; texts %q", texts(h.u.w.Canvas()))
	}
	for i, x := range m.results.hits {
		if x.Kind == "party" {
			m.results.list.Select(i)
		}
	}
	h.u.wait()
	if m.matters == nil || m.matters.cur == nil || m.matters.cur.ID != mid || m.showing != navMatters {
		t.Fatal("opening the party's hit does not open its matter")
	}
}
