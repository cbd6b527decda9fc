package app

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// testClock is a settable clock for Options.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(years, months, days int) {
	c.mu.Lock()
	c.t = c.t.AddDate(years, months, days)
	c.mu.Unlock()
}

// retentionSession is a fresh vault unlocked with a clock the test moves,
// starting at 2026-03-02 10:00 local time.
func retentionSession(t *testing.T) (*Session, *testClock, string) {
	t.Helper()
	dir, _ := newTestVault(t)
	clk := &testClock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.Local)}
	s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "tester", Now: clk.now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	return s, clk, dir
}

func mustClient(t *testing.T, s *Session, name string) int64 {
	t.Helper()
	id, err := s.AddClient(ctx, ClientInput{Name: ptr(name)})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustMatter(t *testing.T, s *Session, in MatterInput, closed bool) int64 {
	t.Helper()
	id, err := s.AddMatter(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if closed {
		if err := s.CloseMatter(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func wantField(t *testing.T, what string, err error, words string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, words) {
		t.Errorf("%s: got %v, want a field error saying %q", what, err, words)
	}
}

func TestRetentionRulesAndClosing(t *testing.T) {
	s, clk, _ := retentionSession(t)
	rules, err := s.RetentionRules(ctx)
	if err != nil || len(rules) != 1 || rules[0].PracticeArea != "" || rules[0].Years != 7 {
		t.Fatalf("rules of a new vault: %+v %v; want the default, 7 years", rules, err)
	}
	if err := s.SetRetentionRule(ctx, RetentionRule{PracticeArea: " Family law ", Years: 10, Months: 6, Note: "state bar rule 1.15"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRetentionRule(ctx, RetentionRule{PracticeArea: "Wills", Never: true, Years: 3}); err != nil {
		t.Fatal(err)
	}
	before := auditCount(t, s)
	for _, bad := range []struct {
		r     RetentionRule
		words string
	}{
		{RetentionRule{PracticeArea: "Tax", Years: 101}, "from 0 to 100 years, not 101"},
		{RetentionRule{PracticeArea: "Tax", Years: 1, Months: 12}, "from 0 to 11"},
		{RetentionRule{PracticeArea: "Tax"}, "at least one month"},
		{RetentionRule{PracticeArea: "\u200b", Years: 1}, "only invisible characters"},
		{RetentionRule{PracticeArea: "Tax\x1b[31m", Years: 1}, "type it again without it"},
	} {
		wantField(t, "SetRetentionRule "+bad.r.PracticeArea, s.SetRetentionRule(ctx, bad.r), bad.words)
	}
	wantField(t, "deleting the default", s.DeleteRetentionRule(ctx, " "), "cannot be deleted")
	wantField(t, "deleting a rule that is not there", s.DeleteRetentionRule(ctx, "Tax"), `no rule for the practice area "Tax"`)
	if n := auditCount(t, s); n != before {
		t.Errorf("refused rule changes wrote %d audit entries", n-before)
	}
	rules, _ = s.RetentionRules(ctx)
	if len(rules) != 3 || rules[1].PracticeArea != "Family law" || rules[1].Note != "state bar rule 1.15" || rules[1].UpdatedBy == "" {
		t.Fatalf("rules: %+v", rules)
	}
	if e := lastAudit(t, s); e.Action != "retention.rule" || e.Detail != "command line, with the passphrase; Wills rule: kept for ever" && e.Detail != "Wills rule: kept for ever" {
		t.Errorf("last audit entry %+v", e)
	}

	c := mustClient(t, s, "Ada Byron")
	closedAt := clk.now()
	fam := mustMatter(t, s, MatterInput{ClientID: c, Title: "Byron custody", PracticeArea: "family LAW"}, true)
	if e := lastAudit(t, s); e.Action != "matter.close" || e.Detail != "destroy after 2036-09-02 (the Family law rule)" {
		t.Errorf("close entry: %+v", e)
	}
	will := mustMatter(t, s, MatterInput{ClientID: c, Title: "Byron will", PracticeArea: "Wills"}, true)
	other := mustMatter(t, s, MatterInput{ClientID: c, Title: "Byron lease"}, true)
	open := mustMatter(t, s, MatterInput{ClientID: c, Title: "Byron open"}, false)

	r, err := s.MatterRetention(ctx, fam)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Closed || !r.ClosedAt.Equal(closedAt) || human.Date(r.DestroyAfter) != "2036-09-02" || r.KeepForever || r.Due ||
		r.Rule != "The Family law rule: 10 years and 6 months after closing" {
		t.Errorf("family matter: %+v", r)
	}
	if r, _ := s.MatterRetention(ctx, will); !r.KeepForever || !r.DestroyAfter.IsZero() || r.Rule != "The Wills rule: kept for ever" {
		t.Errorf("wills matter: %+v", r)
	}
	if r, _ := s.MatterRetention(ctx, other); human.Date(r.DestroyAfter) != "2033-03-02" || r.Rule != "The default rule: 7 years after closing" {
		t.Errorf("default matter: %+v", r)
	}
	if r, _ := s.MatterRetention(ctx, open); r.Closed || !r.DestroyAfter.IsZero() || r.Rule != "Open: the date is set when it closes" {
		t.Errorf("open matter: %+v", r)
	}
	if _, err := s.MatterRetention(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MatterRetention of no matter: %v", err)
	}

	// Reopening clears the date, and says so.
	if err := s.ReopenMatter(ctx, other); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "matter.reopen" || e.Detail != "destroy-after date 2033-03-02 cleared" {
		t.Errorf("reopen entry: %+v", e)
	}
	// A deleted rule: matters closed under it keep their date.
	if err := s.DeleteRetentionRule(ctx, "family law"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.MatterRetention(ctx, fam); human.Date(r.DestroyAfter) != "2036-09-02" || r.Rule != "The Family law rule (since deleted)" {
		t.Errorf("after the rule was deleted: %+v", r)
	}
	if areas, err := s.PracticeAreas(ctx); err != nil || strings.Join(areas, "|") != "family LAW|Wills" {
		t.Errorf("PracticeAreas: %q %v", areas, err)
	}
}

func TestSetDestroyAfter(t *testing.T) {
	s, clk, _ := retentionSession(t)
	c := mustClient(t, s, "Grace Hopper")
	m := mustMatter(t, s, MatterInput{ClientID: c, Title: "Hopper patent"}, true)
	open := mustMatter(t, s, MatterInput{ClientID: c, Title: "Hopper open"}, false)
	day := func(s string) time.Time { d, _ := human.ParseDate(s); return d }

	before := auditCount(t, s)
	wantField(t, "no reason", s.SetDestroyAfter(ctx, m, day("2040-01-01"), false, "  "), "Say why the date changes")
	wantField(t, "no date", s.SetDestroyAfter(ctx, m, time.Time{}, false, "client asked"), "Give the new date")
	wantField(t, "open matter", s.SetDestroyAfter(ctx, open, day("2040-01-01"), false, "client asked"), "is open")
	wantField(t, "before closing", s.SetDestroyAfter(ctx, m, day("2026-03-01"), false, "client asked"), "2026-03-01 is before the matter closed (2026-03-02)")
	if n := auditCount(t, s); n != before {
		t.Errorf("refused changes wrote %d audit entries", n-before)
	}

	clk.add(0, 0, 1)
	if err := s.SetDestroyAfter(ctx, m, day("2040-01-01"), false, "the client may sue the landlord"); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "retention.set" || !strings.HasSuffix(e.Detail, "destroy after 2040-01-01 (was 2033-03-02)") || strings.Contains(e.Detail, "landlord") {
		t.Errorf("set entry: %+v", e)
	}
	r, err := s.MatterRetention(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if human.Date(r.DestroyAfter) != "2040-01-01" || len(r.Changes) != 1 || r.Changes[0].Reason != "the client may sue the landlord" ||
		r.Rule != "Changed on 2026-03-03 by tester: the client may sue the landlord" {
		t.Errorf("after the change: %+v", r)
	}
	if err := s.SetDestroyAfter(ctx, m, time.Time{}, true, "historic case"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.MatterRetention(ctx, m); !r.KeepForever || !r.DestroyAfter.IsZero() || len(r.Changes) != 2 || r.Changes[1].Old == nil || r.Changes[1].New != nil {
		t.Errorf("kept for ever: %+v", r)
	}
}

func TestHoldsAndDueList(t *testing.T) {
	s, clk, _ := retentionSession(t)
	ann := mustClient(t, s, "Ann Lee")
	bob := mustClient(t, s, "Bob Kahn")
	m1 := mustMatter(t, s, MatterInput{ClientID: ann, Title: "Lee v. Smith"}, true)
	m2 := mustMatter(t, s, MatterInput{ClientID: ann, Title: "Lee estate"}, true)
	b1 := mustMatter(t, s, MatterInput{ClientID: bob, Title: "Kahn lease"}, true)
	mustMatter(t, s, MatterInput{ClientID: bob, Title: "Kahn open"}, false)
	if _, err := s.AddNote(ctx, m1, "called"); err != nil {
		t.Fatal(err)
	}
	if due, err := s.DueForDestruction(ctx); err != nil || len(due) != 0 {
		t.Fatalf("due before the date: %+v %v", due, err)
	}
	clk.add(7, 0, 1)
	due, err := s.DueForDestruction(ctx)
	if err != nil || len(due) != 2 {
		t.Fatalf("due after 7 years: %+v %v", due, err)
	}
	for _, it := range due {
		switch it.ClientID {
		case ann:
			if !it.WholeClient || len(it.Matters) != 2 || it.ClientName != "Ann Lee" || it.Matters[0].Matter.ID != m1 || it.Matters[0].Notes != 1 {
				t.Errorf("Ann's item: %+v", it)
			}
		case bob:
			if it.WholeClient || len(it.Matters) != 1 || it.Matters[0].Matter.ID != b1 {
				t.Errorf("Bob's item (an open matter: not the whole client): %+v", it)
			}
		}
	}

	before := auditCount(t, s)
	_, err = s.PlaceHold(ctx, "client", ann, "")
	wantField(t, "hold without a reason", err, "Say why the hold is placed")
	_, err = s.PlaceHold(ctx, "note", ann, "x")
	wantField(t, "hold on a note", err, `not "note"`)
	if _, err := s.PlaceHold(ctx, "matter", 999, "appeal"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("hold on no matter: %v", err)
	}
	if n := auditCount(t, s); n != before {
		t.Errorf("refused holds wrote %d audit entries", n-before)
	}
	hid, err := s.PlaceHold(ctx, "Client", ann, "pending appeal")
	if err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "hold.place" || !strings.Contains(e.Records, "client:") || strings.Contains(e.Detail, "appeal") {
		t.Errorf("hold entry: %+v", e)
	}
	hs, err := s.HoldsOn(ctx, "matter", m2)
	if err != nil || len(hs) != 1 || hs[0].ID != hid || hs[0].Label != "Client 1 (Ann Lee)" && !strings.HasSuffix(hs[0].Label, "(Ann Lee)") {
		t.Fatalf("holds on Ann's matter: %+v %v", hs, err)
	}
	if w := hs[0].Words(); w != hs[0].Label+" is on legal hold since 2033-03-03 (placed by tester: pending appeal)" {
		t.Errorf("hold in words: %q", w)
	}
	if r, _ := s.MatterRetention(ctx, m1); r.Due || len(r.Holds) != 1 {
		t.Errorf("a held matter: %+v", r)
	}
	due, _ = s.DueForDestruction(ctx)
	if len(due) != 1 || due[0].ClientID != bob {
		t.Errorf("due with Ann on hold: %+v", due)
	}
	wantField(t, "release without a reason", s.ReleaseHold(ctx, hid, ""), "Say why the hold is released")
	if err := s.ReleaseHold(ctx, 999, "done"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("release of no hold: %v", err)
	}
	if err := s.ReleaseHold(ctx, hid, "appeal dismissed"); err != nil {
		t.Fatal(err)
	}
	wantField(t, "release twice", s.ReleaseHold(ctx, hid, "again"), "was released already, on 2033-03-03 by tester")
	if hs, _ := s.Holds(ctx, true); len(hs) != 0 {
		t.Errorf("active holds after the release: %+v", hs)
	}
	if hs, _ := s.Holds(ctx, false); len(hs) != 1 || hs[0].ReleaseReason != "appeal dismissed" {
		t.Errorf("all holds: %+v", hs)
	}
	if due, _ := s.DueForDestruction(ctx); len(due) != 2 {
		t.Errorf("due after the release: %+v", due)
	}
	// A hold on a matter keeps the client's file too.
	if _, err := s.PlaceHold(ctx, "matter", m2, "records request"); err != nil {
		t.Fatal(err)
	}
	due, _ = s.DueForDestruction(ctx)
	for _, it := range due {
		if it.ClientID == ann && (it.WholeClient || len(it.Matters) != 1) {
			t.Errorf("Ann with one matter held: %+v", it)
		}
	}
}
