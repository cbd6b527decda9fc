package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// Nothing in a demo vault lies in the future: dates of birth, clients,
// matters opened and closed, notes. The vault is made at a fixed "now" so
// that the test means the same on any day it runs.
func TestDemoNeverLiesInTheFuture(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	dir := filepath.Join(t.TempDir(), "demo")
	if err := Demo(ctx, dir, 40, uiTestKDF, func() time.Time { return now }); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir, Passphrase([]byte(DemoPassphrase)), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	cs, err := s.ListClients(ctx, ByName)
	if err != nil || len(cs) != 40 {
		t.Fatalf("%d clients, %v", len(cs), err)
	}
	oldest := now.AddDate(-3, 0, -1)
	for _, c := range cs {
		dob, err := time.Parse(time.DateOnly, c.DOB)
		if err != nil || !dob.Before(now.AddDate(-18, 0, 0)) || dob.Before(now.AddDate(-90, 0, 0)) {
			t.Errorf("client %q born %q (%v): not an adult born before %v", c.Name, c.DOB, err, now)
		}
		if c.CreatedAt.After(now) || c.CreatedAt.Before(oldest) {
			t.Errorf("client %q created %v, not in the three years before %v", c.Name, c.CreatedAt, now)
		}
	}
	ms, err := s.ListMatters(ctx, 0, "")
	if err != nil || len(ms) == 0 {
		t.Fatalf("%d matters, %v", len(ms), err)
	}
	closed, notes := 0, 0
	for _, m := range ms {
		d, err := s.GetMatter(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.OpenedAt.After(now) || d.OpenedAt.Before(oldest) {
			t.Errorf("matter %d opened %v", m.ID, d.OpenedAt)
		}
		if d.ClosedAt != nil {
			closed++
			if d.ClosedAt.After(now) || d.ClosedAt.Before(d.OpenedAt) {
				t.Errorf("matter %d opened %v, closed %v (now %v)", m.ID, d.OpenedAt, *d.ClosedAt, now)
			}
		}
		for _, n := range d.Notes {
			notes++
			if n.CreatedAt.After(now) || n.CreatedAt.Before(d.OpenedAt) || (d.ClosedAt != nil && n.CreatedAt.After(*d.ClosedAt)) {
				t.Errorf("matter %d (opened %v, closed %v) has a note of %v (now %v)", m.ID, d.OpenedAt, d.ClosedAt, n.CreatedAt, now)
			}
		}
	}
	if closed == 0 || notes == 0 {
		t.Errorf("%d closed matters, %d notes: the test checks nothing", closed, notes)
	}
}
