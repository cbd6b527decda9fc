package ui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// seedChecks makes, as the owner, n conflict checks "Name 0" … "Name n-1"
// (one a minute) and a check on "Brightwater Holdings" (which finds the
// matter's adverse party) decided clear, then waived; it returns the last
// check's id.
func seedChecks(t *testing.T, h *harness, n int) int64 {
	t.Helper()
	ctx := context.Background()
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	anna, err := s.AddClient(ctx, app.ClientInput{Name: ptr("Anna Keller")})
	if err == nil {
		_, err = s.AddMatter(ctx, app.MatterInput{ClientID: anna, Title: "Lease dispute", Adverse: []string{"Brightwater Holdings"}})
	}
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		h.clock.Add(time.Minute)
		if _, err := s.CheckConflicts(ctx, []string{fmt.Sprintf("Name %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Add(time.Minute)
	r, err := s.CheckConflicts(ctx, []string{"Brightwater Holdings", "Carla Dune"})
	if err == nil {
		err = s.DecideConflict(ctx, r.CheckID, "clear", "")
	}
	if err == nil {
		h.clock.Add(time.Minute)
		err = s.DecideConflict(ctx, r.CheckID, "waived", "Consent in the client file")
	}
	if err != nil {
		t.Fatal(err)
	}
	return r.CheckID
}

// TestConflictHistory: the list is newest first, with names, when, who,
// the number of hits and the decision; it filters by a name and by the
// decision; a check's detail shows every hit and every decision; deciding
// again adds to the history (waived without a note refused); Print report
// opens the page.
func TestConflictHistory(t *testing.T) {
	var opened []string
	h := newHarness(t, true, func(o *Options) {
		o.openBrowser = func(p string) error { opened = append(opened, p); return nil }
	})
	last := seedChecks(t, h, 3)
	h.unlocked()
	m := h.u.main
	if !m.offers(navHistory) {
		t.Fatal("no Conflict checks in the owner's left bar")
	}
	m.show(navHistory)
	h.u.wait()
	hs := m.history
	cv := h.u.w.Canvas()
	if hs.total != 4 || len(hs.checks) != 4 || hs.checks[0].ID != last {
		t.Fatalf("list: total %d, %d read, first %+v", hs.total, len(hs.checks), hs.checks)
	}
	if !strings.Contains(hs.count.Text, "4 conflict checks") {
		t.Errorf("count = %q", hs.count.Text)
	}
	first := marked(historyLines(hs.checks[0])[0]) + " " + marked(historyLines(hs.checks[0])[1])
	for _, want := range []string{"Brightwater Holdings, Carla Dune", "owner", "possible conflict", "«Waived»"} {
		if !strings.Contains(first, want) {
			t.Errorf("first row %q lacks %q", first, want)
		}
	}
	if !strings.Contains(marked(historyLines(hs.checks[1])[1]), "«Undecided»") {
		t.Errorf("an undecided row says %q", marked(historyLines(hs.checks[1])[1]))
	}

	// Filters: a name searched, a decision.
	test.Type(hs.find, "name 1")
	h.u.wait()
	if hs.total != 1 || hs.checks[0].Names[0] != "Name 1" {
		t.Fatalf("“name 1”: %d, %+v", hs.total, hs.checks)
	}
	hs.find.SetText("")
	hs.decSel.SetSelected("Waived")
	h.u.wait()
	if hs.total != 1 || hs.checks[0].ID != last {
		t.Fatalf("waived: %d, %+v", hs.total, hs.checks)
	}
	hs.decSel.SetSelected("Undecided")
	h.u.wait()
	if hs.total != 3 {
		t.Fatalf("undecided: %d", hs.total)
	}
	hs.decSel.SetSelected("Clear")
	h.u.wait()
	if hs.total != 0 || !strings.Contains(hs.count.Text, "No conflict check matches") {
		t.Fatalf("clear (re-decided since): %d, %q", hs.total, hs.count.Text)
	}
	hs.decSel.SetSelected("Any decision")
	h.u.wait()

	// The detail: every hit, the decision and its history.
	hs.list.Select(0)
	h.u.wait()
	d := hs.cur
	if d == nil || d.ID != last || len(d.History) != 2 || len(hs.hits.hits) == 0 {
		t.Fatalf("detail = %+v", d)
	}
	for _, want := range []string{fmt.Sprintf("Conflict check %d", last), "“Brightwater Holdings” and “Carla Dune”", "Waived", "Note: Consent in the client file",
		"Brightwater Holdings — 100% exact match", "Decisions (2)"} {
		if !contains(cv, want) {
			t.Errorf("detail lacks %q; texts %q", want, texts(cv))
		}
	}
	if !strings.HasPrefix(hs.dec.title.Text, "Decide again") {
		t.Errorf("decision form title = %q", hs.dec.title.Text)
	}
	// Decide again: waived needs a note; then the history grows.
	hs.dec.choice.SetSelected("Waived")
	test.Tap(hs.dec.recordB)
	h.u.wait()
	if !hs.dec.noteErr.Visible() {
		t.Fatal("waived without a note was not refused")
	}
	hs.dec.choice.SetSelected("Conflict")
	test.Type(hs.dec.note, "The consent was withdrawn")
	test.Tap(hs.dec.recordB)
	h.u.wait()
	if hs.cur == nil || len(hs.cur.History) != 3 || hs.cur.Decision != "conflict" || hs.cur.History[0].Decision != "clear" {
		t.Fatalf("after deciding again: %+v", hs.cur)
	}
	if hs.checks[0].Decision != "conflict" {
		t.Errorf("the list row still says %q", hs.checks[0].Decision)
	}

	// Print report: the page is made and opened; it names the check's names.
	test.Tap(button(t, cv, "Print report"))
	h.u.wait()
	if len(opened) != 1 {
		t.Fatalf("pages opened: %v", opened)
	}
	page, err := os.ReadFile(opened[0])
	if err != nil || !strings.Contains(string(page), "Brightwater Holdings") || !strings.Contains(string(page), "The consent was withdrawn") {
		t.Fatalf("report page: %v %.300s", err, page)
	}
	h.u.lockNow("")
	h.u.wait()
	if _, err := os.Stat(opened[0]); !os.IsNotExist(err) {
		t.Errorf("the report page outlives the lock: %v", err)
	}
}

// TestConflictHistoryPages: the list reads a page at a time, only as it is
// scrolled to rows not read yet.
func TestConflictHistoryPages(t *testing.T) {
	defer func(n int) { historyPage = n }(historyPage)
	historyPage = 4
	h := newHarness(t, true)
	seedChecks(t, h, 17) // 18 checks
	h.unlocked()
	h.u.main.show(navHistory)
	h.u.wait()
	hs := h.u.main.history
	// Only the pages the list's height shows are read (about ten rows).
	if hs.total != 18 || len(hs.checks) >= 18 || len(hs.checks)%historyPage != 0 {
		t.Fatalf("opened: total %d, %d read (pages of %d)", hs.total, len(hs.checks), historyPage)
	}
	for range 10 {
		hs.list.ScrollToBottom()
		h.u.wait()
	}
	if len(hs.checks) != 18 {
		t.Fatalf("scrolled to the end: %d of 18 read", len(hs.checks))
	}
	seen := map[int64]bool{}
	for i, c := range hs.checks {
		if seen[c.ID] {
			t.Fatalf("check %d read twice", c.ID)
		}
		seen[c.ID] = true
		if i > 0 && c.At.After(hs.checks[i-1].At) {
			t.Fatalf("not newest first at %d", i)
		}
	}
}

// TestConflictHistoryPermissions: a Read-only user reads the history and
// the detail, with no decision to record and the reason.
func TestConflictHistoryPermissions(t *testing.T) {
	h := newHarness(t, true)
	last := seedChecks(t, h, 1)
	h.unlockRole("Rita Reader", "Read-only")
	m := h.u.main
	m.show(navHistory)
	h.u.wait()
	hs := m.history
	if hs.total != 2 {
		t.Fatalf("Read-only sees %d checks", hs.total)
	}
	hs.list.Select(0)
	h.u.wait()
	if hs.cur == nil || hs.cur.ID != last {
		t.Fatalf("detail = %+v", hs.cur)
	}
	if hs.dec.recordB.Visible() || hs.dec.choice.Visible() || !strings.Contains(hs.dec.why.Text, "cannot decide conflict checks") {
		t.Fatalf("Read-only: record %v, why %q", hs.dec.recordB.Visible(), hs.dec.why.Text)
	}
}

func TestContextWords(t *testing.T) {
	for _, c := range []struct {
		in, kind string
		id       int64
	}{
		{"", "", 0}, {"client:12", "client", 12}, {"matter:4", "matter", 4}, {"party:17 matter:4", "matter", 4},
		{"client:x", "", 0}, {"party:17", "", 0}, {"matter:-3", "", 0}, {"intake:7", "intake submission", 7},
	} {
		w, k, id := contextWords(c.in)
		if k != c.kind || id != c.id || w == "" {
			t.Errorf("contextWords(%q) = %q %q %d, want %q %d", c.in, w, k, id, c.kind, c.id)
		}
	}
	if w, _, _ := contextWords("intake:7"); w != "when intake submission 7 was reviewed" {
		t.Errorf("contextWords(intake:7) = %q", w)
	}
}
