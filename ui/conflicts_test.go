package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// TestConflictPaneShowsSixHits: in the window's size (inside a 1280×800
// screen), with the reminder banner showing, the hit list is tall enough
// for at least six hits at once, and the names box shows every line typed
// (up to its largest size) instead of scrolling the first ones away.
func TestConflictPaneShowsSixHits(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.main.show(navConflicts)
	h.u.wait()
	cs := h.u.main.conflicts
	if !h.u.main.banner.obj.Visible() {
		t.Fatal("the reminder banner should show (no backup yet): the test measures the worst case")
	}
	var hits []app.ConflictHit
	for i := range 8 {
		hits = append(hits, app.ConflictHit{Query: "Smith", Name: fmt.Sprintf("Jo Smith %d", i), Role: "client", Match: "exact", Score: 1, Why: "same name"})
	}
	cs.hits.set(hits)
	h.u.w.Content().Refresh()
	row := newRows(3).MinSize().Height
	list := cs.hits.list.Size().Height
	t.Logf("list %v row %v", list, row)
	if list/row < 6 {
		t.Fatalf("the hit list is %.0f px high and a hit %.0f px: %.1f hits show, want at least 6", list, row, list/row)
	}

	// Six names: the box grows to show them all, with a row for the next.
	names := "Anna Keller\nBrightwater Holdings\nCarl Dorn\nDora Evans\nEmil Frank\nFrida Gans"
	test.Type(cs.names, names)
	want := h.u.newMultiLine("")
	want.SetMinRowsVisible(7)
	if got := cs.names.MinSize().Height; got < want.MinSize().Height {
		t.Fatalf("names box is %.0f px high for 6 names, want at least %.0f (7 rows)", got, want.MinSize().Height)
	}
	if cs.names.Size().Height < cs.names.MinSize().Height {
		t.Fatalf("names box laid out at %.0f px, below its %.0f px", cs.names.Size().Height, cs.names.MinSize().Height)
	}
	// Deleted lines: it shrinks back, never under four rows.
	cs.names.SetText("Anna Keller")
	four := h.u.newMultiLine("")
	four.SetMinRowsVisible(namesMinRows)
	if got := cs.names.MinSize().Height; got != four.MinSize().Height {
		t.Fatalf("names box after clearing: %.0f px, want %.0f (four rows)", got, four.MinSize().Height)
	}
	// A hundred lines: at most twelve rows, then it scrolls.
	cs.names.SetText(strings.Repeat("Name\n", 100))
	most := h.u.newMultiLine("")
	most.SetMinRowsVisible(namesMaxRows)
	if got := cs.names.MinSize().Height; got != most.MinSize().Height {
		t.Fatalf("names box of 100 lines: %.0f px, want %.0f (twelve rows)", got, most.MinSize().Height)
	}
}

// TestHitLines: each kind of hit says what matched, where, and why; a
// hidden hit says only that a match exists.
func TestHitLines(t *testing.T) {
	line := func(ps []part) string {
		var b strings.Builder
		for _, p := range ps {
			b.WriteString(p.text)
		}
		return b.String()
	}
	h := app.ConflictHit{Query: "Smith", Name: "Jo Smith", Role: app.RoleAdverse, Match: "fuzzy", Score: 0.8, Why: "similar", ClientName: "Anna Keller",
		MatterID: 3, MatterTitle: "Lease dispute", MatterOpen: true}
	ls := hitLines(h)
	if got := line(ls[0]); got != "Jo Smith — 80% fuzzy match for “Smith”" {
		t.Errorf("line 1 = %q", got)
	}
	if got := line(ls[1]); got != "Adverse party of client Anna Keller · matter “Lease dispute” (open)" {
		t.Errorf("line 2 = %q", got)
	}
	if got := line(ls[2]); got != "Why: similar" {
		t.Errorf("line 3 = %q", got)
	}
	for _, c := range []struct {
		h    app.ConflictHit
		want string
	}{
		{app.ConflictHit{Role: "client", ClientName: "Anna Keller"}, "Client"},
		{app.ConflictHit{Role: "alias", ClientName: "Anna Keller"}, "Other name of the client Anna Keller"},
		{app.ConflictHit{Role: "joint_client", ClientName: "Boris Lang", MatterID: 2, MatterTitle: "Sale"}, "Joint client · matter “Sale” (closed)"},
		{app.ConflictHit{Role: "witness", ClientName: "Anna Keller", MatterID: 2, MatterTitle: "Sale", MatterOpen: true, PartyName: "Jo Smith", NameKind: "former"},
			"Former name of Jo Smith, witness of client Anna Keller · matter “Sale” (open)"},
		{app.ConflictHit{Role: "co_counsel", ClientName: "Anna Keller", PartyName: "Jo Smith", NameKind: "alias"},
			"Other name of Jo Smith, co-counsel of client Anna Keller"},
	} {
		if got := hitWhere(c.h); got != c.want {
			t.Errorf("hitWhere(%+v) = %q, want %q", c.h, got, c.want)
		}
	}
	hidden := hitLines(app.ConflictHit{Query: "Smith", Match: "exact", Score: 1, Why: app.RestrictedConflict, Hidden: true, ClientName: "secret"})
	for _, l := range hidden {
		if strings.Contains(line(l), "secret") {
			t.Fatalf("a hidden hit shows its client: %q", line(l))
		}
	}
	if !strings.Contains(line(hidden[0]), "restricted matter") {
		t.Errorf("hidden line 1 = %q", line(hidden[0]))
	}
}

// unlockRole adds a user of role (the owner adds them) and unlocks the
// window as them, their own passphrase chosen.
func (h *harness) unlockRole(name, role string) {
	h.t.Helper()
	one := addUsers(h.t, h.dir, [2]string{name, role})[name]
	h.unlockAs(name, one)
	c := h.u.change
	if c == nil {
		h.t.Fatalf("no change screen for %s; texts %q", name, texts(h.u.w.Canvas()))
	}
	c.np.p1.SetText(patPass)
	c.np.p2.SetText(patPass)
	test.Tap(c.saveB)
	h.u.wait()
	if h.u.main == nil {
		h.t.Fatalf("%s (%s) not in the main window; texts %q", name, role, texts(h.u.w.Canvas()))
	}
}

// TestDecisionWaivedNeedsNote: choosing Waived says the note is required;
// recording it without one is refused next to the note (nothing
// recorded), and the error goes once a note is typed. A Paralegal, who
// may run checks but not decide them, sees why instead of the controls.
func TestDecisionWaivedNeedsNote(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.main.show(navConflicts)
	cs := h.u.main.conflicts
	test.Type(cs.names, "Nobody Known")
	test.Tap(cs.checkB)
	h.u.wait()
	d := cs.dec
	if d.checkID == 0 || d.checkID != cs.result.CheckID {
		t.Fatalf("decision form on check %d, result %+v", d.checkID, cs.result)
	}
	d.choice.SetSelected("Waived")
	if !strings.Contains(d.noteLbl.Text, "required") || d.note.PlaceHolder != waivedNoteHint {
		t.Fatalf("waived: note label %q placeholder %q", d.noteLbl.Text, d.note.PlaceHolder)
	}
	test.Tap(d.recordB)
	h.u.wait()
	if !d.noteErr.Visible() || d.noteErr.Text != WaiverNeedsNote || strings.Contains(d.result.Text, "recorded") {
		t.Fatalf("waived without a note: error %q (visible %v), result %q", d.noteErr.Text, d.noteErr.Visible(), d.result.Text)
	}
	test.Type(d.note, "Consent filed in the client folder, 2026-03-01")
	if d.noteErr.Visible() {
		t.Fatal("the note error stays once a note is typed")
	}
	d.note.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter records
	h.u.wait()
	if !strings.Contains(d.result.Text, "recorded") {
		t.Fatalf("result = %q", d.result.Text)
	}
	// Choosing another decision drops the requirement and its error.
	d.choice.SetSelected("Clear")
	if d.noteLbl.Text != "Note" || d.noteErr.Visible() {
		t.Fatalf("clear: label %q", d.noteLbl.Text)
	}
	h.u.lockNow("")
	h.u.wait()
	n := 0
	for _, a := range auditActions(t, h.dir) {
		if a == "conflict.decide" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d decisions recorded, want 1 (the refused one is not)", n)
	}
}

func TestParalegalCannotDecide(t *testing.T) {
	h := newHarness(t, true)
	h.unlockRole("Pat Jones", "Paralegal")
	h.u.main.show(navConflicts)
	cs := h.u.main.conflicts
	test.Type(cs.names, "Nobody Known")
	test.Tap(cs.checkB)
	h.u.wait()
	if cs.result == nil {
		t.Fatalf("a Paralegal could not run a check: %q", cs.summary.Text)
	}
	d := cs.dec
	if d.recordB.Visible() || d.choice.Visible() || d.note.Visible() {
		t.Fatal("a Paralegal sees the decision controls")
	}
	if !d.why.Visible() || !strings.Contains(d.why.Text, "Your role (Paralegal) cannot decide conflict checks") {
		t.Fatalf("why = %q", d.why.Text)
	}
}
