package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

var retNow = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func retStore(t *testing.T) *Store {
	t.Helper()
	return openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
}

func update(t *testing.T, s *Store, fn func(tx *Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func view(t *testing.T, s *Store, fn func(tx *Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// TestRetentionRules: the default rule is there (7 years); a rule per
// practice area is matched trimmed and without case, else the default;
// rules are listed default first then by area; bad lengths are refused
// in words and change nothing; the default cannot be deleted.
func TestRetentionRules(t *testing.T) {
	s := retStore(t)
	update(t, s, func(tx *Tx) error {
		r, err := tx.RuleFor("Anything")
		if err != nil || r.PracticeArea != "" || r.Years != 7 || r.Months != 0 || r.Never {
			t.Errorf("default rule = %+v, %v", r, err)
		}
		for _, r := range []RetentionRule{
			{PracticeArea: " Family law ", Years: 10, Note: "bar rule 1.15", UpdatedBy: "Ann"},
			{PracticeArea: "Wills", Never: true, Years: 3},
			{PracticeArea: "Immigration", Years: 1, Months: 6},
		} {
			if err := tx.SetRetentionRule(r, retNow); err != nil {
				return err
			}
		}
		for area, want := range map[string]RetentionRule{
			"family LAW":   {PracticeArea: "Family law", Years: 10, Note: "bar rule 1.15"},
			"  wills":      {PracticeArea: "Wills", Never: true},
			"immigration":  {PracticeArea: "Immigration", Years: 1, Months: 6},
			"Family":       {Years: 7},
			"":             {Years: 7},
			"Family law x": {Years: 7},
		} {
			r, err := tx.RuleFor(area)
			if err != nil {
				return err
			}
			if r.PracticeArea != want.PracticeArea || r.Years != want.Years || r.Months != want.Months || r.Never != want.Never || r.Note != want.Note {
				t.Errorf("RuleFor(%q) = %+v, want %+v", area, r, want)
			}
		}
		rules, err := tx.RetentionRules()
		if err != nil {
			return err
		}
		var areas []string
		for _, r := range rules {
			areas = append(areas, r.PracticeArea)
		}
		if strings.Join(areas, "|") != "|Family law|Immigration|Wills" {
			t.Errorf("rules in order %q", areas)
		}
		if rules[1].UpdatedBy != "Ann" || !rules[1].UpdatedAt.Equal(retNow) {
			t.Errorf("family rule %+v", rules[1])
		}
		// Replacing keeps one row per area, with the new spelling.
		if err := tx.SetRetentionRule(RetentionRule{PracticeArea: "FAMILY LAW", Years: 12}, retNow); err != nil {
			return err
		}
		if r, _ := tx.RuleFor("family law"); r.PracticeArea != "FAMILY LAW" || r.Years != 12 {
			t.Errorf("replaced rule = %+v", r)
		}
		for _, bad := range []struct {
			r    RetentionRule
			want string
		}{
			{RetentionRule{PracticeArea: "x", Years: 101}, "from 0 to 100"},
			{RetentionRule{PracticeArea: "x", Years: -1}, "from 0 to 100"},
			{RetentionRule{PracticeArea: "x", Years: 1, Months: 12}, "from 0 to 11"},
			{RetentionRule{PracticeArea: "x"}, "0 years and 0 months"},
			{RetentionRule{PracticeArea: "a\nb", Years: 1}, "one line"},
		} {
			err := tx.SetRetentionRule(bad.r, retNow)
			if !errors.Is(err, ErrBadRetention) || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("SetRetentionRule(%+v) = %v, want %q", bad.r, err, bad.want)
			}
		}
		if err := tx.DeleteRetentionRule(" "); !errors.Is(err, ErrBadRetention) {
			t.Errorf("deleting the default: %v", err)
		}
		if err := tx.DeleteRetentionRule("Tax"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleting a missing rule: %v", err)
		}
		if err := tx.DeleteRetentionRule("immigration"); err != nil {
			return err
		}
		if r, _ := tx.RuleFor("Immigration"); r.PracticeArea != "" || r.Years != 7 {
			t.Errorf("after delete: %+v", r)
		}
		if rules, _ := tx.RetentionRules(); len(rules) != 3 {
			t.Errorf("%d rules after the bad ones and a delete, want 3", len(rules))
		}
		return nil
	})
}

// TestDestroyAfterDate: years and months as the calendar counts them, in
// UTC; never gives no date.
func TestDestroyAfterDate(t *testing.T) {
	closed := time.Date(2020, 2, 29, 23, 30, 0, 5e6, time.FixedZone("x", -3*3600)) // 1 March 02:30 UTC
	for _, c := range []struct {
		r    RetentionRule
		want time.Time
		ok   bool
	}{
		{RetentionRule{Years: 7}, time.Date(2027, 3, 1, 2, 30, 0, 5e6, time.UTC), true},
		{RetentionRule{Years: 1, Months: 11}, time.Date(2022, 2, 1, 2, 30, 0, 5e6, time.UTC), true},
		{RetentionRule{Never: true, Years: 3}, time.Time{}, false},
	} {
		got, ok := DestroyAfterDate(closed, c.r)
		if ok != c.ok || !got.Equal(c.want) || (ok && got.Location() != time.UTC) {
			t.Errorf("DestroyAfterDate(%+v) = %v, %v; want %v, %v", c.r, got, ok, c.want, c.ok)
		}
	}
	// The leap day as SQLite's '+7 years' (migration 7) counts it.
	got, _ := DestroyAfterDate(time.Date(2020, 2, 29, 15, 4, 5, 678e6, time.UTC), RetentionRule{Years: 7})
	if !got.Equal(time.Date(2027, 3, 1, 15, 4, 5, 678e6, time.UTC)) {
		t.Errorf("leap day + 7 years = %v", got)
	}
}

// TestCloseReopenRetention: closing sets the date from the area's rule
// (default, per area, never), reopening clears it, UpdateMatter's status
// changes do the same, and a closed matter's new area does not move it.
func TestCloseReopenRetention(t *testing.T) {
	s := retStore(t)
	var client, fam, will, other int64
	update(t, s, func(tx *Tx) (err error) {
		if err := tx.SetRetentionRule(RetentionRule{PracticeArea: "Family law", Years: 10, Months: 2}, retNow); err != nil {
			return err
		}
		if err := tx.SetRetentionRule(RetentionRule{PracticeArea: "Wills", Never: true}, retNow); err != nil {
			return err
		}
		if client, err = tx.InsertClient(&Client{Name: "Ann Lee"}, retNow); err != nil {
			return err
		}
		if fam, err = tx.InsertMatter(&Matter{ClientID: client, Title: "Divorce", PracticeArea: "family LAW"}, retNow); err != nil {
			return err
		}
		if will, err = tx.InsertMatter(&Matter{ClientID: client, Title: "Will", PracticeArea: "Wills"}, retNow); err != nil {
			return err
		}
		other, err = tx.InsertMatter(&Matter{ClientID: client, Title: "Lease"}, retNow)
		return err
	})
	closedAt := retNow.Add(time.Hour)
	update(t, s, func(tx *Tx) error {
		for _, id := range []int64{fam, will, other} {
			if err := tx.SetMatterStatus(id, "closed", closedAt); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(id int64, want *time.Time, rule string) {
		t.Helper()
		view(t, s, func(tx *Tx) error {
			m, err := tx.GetMatter(id)
			if err != nil {
				return err
			}
			if (m.DestroyAfter == nil) != (want == nil) || (want != nil && !m.DestroyAfter.Equal(*want)) || m.DestroyRule != rule {
				t.Errorf("matter %d: destroy after %v, rule %q; want %v, %q", id, m.DestroyAfter, m.DestroyRule, want, rule)
			}
			ms, err := tx.ListMatters(0, "")
			for _, l := range ms {
				if l.ID == id && l.DestroyRule != rule {
					t.Errorf("ListMatters: matter %d rule %q", id, l.DestroyRule)
				}
			}
			return err
		})
	}
	famDate := time.Date(2037, 2, 3, 10, 0, 0, 0, time.UTC)
	otherDate := time.Date(2033, 12, 3, 10, 0, 0, 0, time.UTC)
	check(fam, &famDate, "rule:Family law")
	check(will, nil, "never:Wills")
	check(other, &otherDate, "rule:")
	update(t, s, func(tx *Tx) error {
		m, err := tx.GetMatter(fam)
		if err != nil {
			return err
		}
		m.PracticeArea = "Tax"
		return tx.UpdateMatter(m, retNow)
	})
	check(fam, &famDate, "rule:Family law")
	update(t, s, func(tx *Tx) error { return tx.SetMatterStatus(fam, "open", retNow) })
	check(fam, nil, "")
	// UpdateMatter closing (with its own closing date) and reopening.
	update(t, s, func(tx *Tx) error {
		m, err := tx.GetMatter(fam)
		if err != nil {
			return err
		}
		at := time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)
		m.Status, m.ClosedAt = "closed", &at
		return tx.UpdateMatter(m, retNow)
	})
	taxDate := time.Date(2032, 1, 31, 0, 0, 0, 0, time.UTC)
	check(fam, &taxDate, "rule:")
	update(t, s, func(tx *Tx) error {
		m, err := tx.GetMatter(fam)
		if err != nil {
			return err
		}
		m.Status, m.ClosedAt = "open", nil
		return tx.UpdateMatter(m, retNow)
	})
	check(fam, nil, "")
}

// TestSetDestroyAfter: only on a closed matter, only with a reason; the
// change is kept with the old and new dates; nil keeps it for ever; a
// refused change changes nothing.
func TestSetDestroyAfter(t *testing.T) {
	s := retStore(t)
	client, matter := docClientMatter(t, s)
	_ = client
	newDate := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	update(t, s, func(tx *Tx) error {
		if err := tx.SetDestroyAfter(matter, &newDate, "client asked", "Ann", retNow); !errors.Is(err, ErrNotClosed) {
			t.Errorf("open matter: %v", err)
		}
		if err := tx.SetDestroyAfter(999, &newDate, "x", "Ann", retNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("no matter: %v", err)
		}
		return tx.SetMatterStatus(matter, "closed", retNow)
	})
	update(t, s, func(tx *Tx) error {
		if err := tx.SetDestroyAfter(matter, &newDate, "  ", "Ann", retNow); !errors.Is(err, ErrBadRetention) || !strings.Contains(err.Error(), "why") {
			t.Errorf("no reason: %v", err)
		}
		if m, _ := tx.GetMatter(matter); m.DestroyRule != "rule:" {
			t.Errorf("a refused change changed the rule: %q", m.DestroyRule)
		}
		if err := tx.SetDestroyAfter(matter, &newDate, " insurer's request ", "Ann", retNow.Add(time.Minute)); err != nil {
			return err
		}
		return tx.SetDestroyAfter(matter, nil, "litigation likely", "Bob", retNow.Add(2*time.Minute))
	})
	view(t, s, func(tx *Tx) error {
		m, err := tx.GetMatter(matter)
		if err != nil {
			return err
		}
		if m.DestroyAfter != nil || m.DestroyRule != "changed" {
			t.Errorf("after: %v %q", m.DestroyAfter, m.DestroyRule)
		}
		cs, err := tx.RetentionChanges(matter)
		if err != nil {
			return err
		}
		first := retNow.AddDate(7, 0, 0)
		if len(cs) != 2 || !cs[0].Old.Equal(first) || !cs[0].New.Equal(newDate) || cs[0].Reason != "insurer's request" || cs[0].By != "Ann" ||
			!cs[1].Old.Equal(newDate) || cs[1].New != nil || cs[1].By != "Bob" || !cs[1].At.Equal(retNow.Add(2*time.Minute)) {
			t.Errorf("changes = %+v", cs)
		}
		return nil
	})
}

// holdFixture: client A with matters A1 and A2, client B (joint on A2)
// with matter B1; all closed long ago (due).
type holdFixture struct {
	s                *Store
	a, b, a1, a2, b1 int64
}

func newHoldFixture(t *testing.T) *holdFixture {
	f := &holdFixture{s: retStore(t)}
	old := retNow.AddDate(-10, 0, 0)
	update(t, f.s, func(tx *Tx) (err error) {
		if f.a, err = tx.InsertClient(&Client{Name: "Ann Able"}, old); err != nil {
			return err
		}
		if f.b, err = tx.InsertClient(&Client{Name: "Bob Baker"}, old); err != nil {
			return err
		}
		if f.a1, err = tx.InsertMatter(&Matter{ClientID: f.a, Title: "A one"}, old); err != nil {
			return err
		}
		if f.a2, err = tx.InsertMatter(&Matter{ClientID: f.a, Title: "A two", Clients: []MatterClient{{ID: f.b}}}, old); err != nil {
			return err
		}
		if f.b1, err = tx.InsertMatter(&Matter{ClientID: f.b, Title: "B one"}, old); err != nil {
			return err
		}
		for i, id := range []int64{f.a1, f.a2, f.b1} {
			if err := tx.SetMatterStatus(id, "closed", old.Add(time.Duration(3-i)*time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

func dueIDs(t *testing.T, s *Store, v Viewer, asOf time.Time, offset, limit int) ([]int64, int) {
	t.Helper()
	var ids []int64
	var total int
	err := s.ViewAs(context.Background(), v, func(tx *Tx) error {
		ds, n, err := tx.DueMatters(asOf, offset, limit)
		for _, d := range ds {
			ids = append(ids, d.Matter.ID)
		}
		total = n
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, total
}

// TestHolds: a hold on a client blocks its matters (lead and joint) and
// a hold on a matter blocks its clients; released holds do not; reasons
// are required; HoldsOn says which; the due list leaves held matters out.
func TestHolds(t *testing.T) {
	f := newHoldFixture(t)
	ids, total := dueIDs(t, f.s, Everyone, retNow, 0, 0)
	// By date: b1 closed first (old+1h), then a2 (+2h), a1 (+3h).
	if total != 3 || len(ids) != 3 || ids[0] != f.b1 || ids[1] != f.a2 || ids[2] != f.a1 {
		t.Fatalf("due = %v (%d)", ids, total)
	}
	var hb, ha1 int64
	update(t, f.s, func(tx *Tx) (err error) {
		if _, err := tx.PlaceHold("client", f.b, " ", "Ann", retNow); !errors.Is(err, ErrBadRetention) {
			t.Errorf("no reason: %v", err)
		}
		if _, err := tx.PlaceHold("note", f.b, "x", "Ann", retNow); !errors.Is(err, ErrBadRetention) {
			t.Errorf("bad kind: %v", err)
		}
		if _, err := tx.PlaceHold("client", 999, "x", "Ann", retNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("no client: %v", err)
		}
		if hb, err = tx.PlaceHold("client", f.b, "Subpoena 24-11", "Ann", retNow); err != nil {
			return err
		}
		ha1, err = tx.PlaceHold("matter", f.a1, "Malpractice claim", "Ann", retNow.Add(time.Minute))
		return err
	})
	// Client B held: b1 and the joint a2 are blocked; a1 is held itself.
	if ids, total := dueIDs(t, f.s, Everyone, retNow, 0, 0); total != 0 || len(ids) != 0 {
		t.Errorf("due with holds = %v (%d)", ids, total)
	}
	view(t, f.s, func(tx *Tx) error {
		for _, c := range []struct {
			kind string
			id   int64
			want []int64
		}{
			{"matter", f.a2, []int64{hb}},  // through its joint client
			{"matter", f.b1, []int64{hb}},  // its client
			{"matter", f.a1, []int64{ha1}}, // itself
			{"client", f.a, []int64{ha1}},  // through its matter
			{"client", f.b, []int64{hb}},   // itself (a2's hold is none)
			{"client", f.a, []int64{ha1}},  // again
		} {
			hs, err := tx.HoldsOn(c.kind, c.id)
			if err != nil {
				return err
			}
			var got []int64
			for _, h := range hs {
				got = append(got, h.ID)
			}
			if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
				t.Errorf("HoldsOn(%s %d) = %v, want %v", c.kind, c.id, got, c.want)
			}
		}
		if _, err := tx.HoldsOn("matter", 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("HoldsOn missing: %v", err)
		}
		return nil
	})
	update(t, f.s, func(tx *Tx) error {
		if err := tx.ReleaseHold(hb, "", "Ann", retNow); !errors.Is(err, ErrBadRetention) {
			t.Errorf("release without reason: %v", err)
		}
		if err := tx.ReleaseHold(999, "done", "Ann", retNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("release missing: %v", err)
		}
		if err := tx.ReleaseHold(hb, "Subpoena answered", "Bob", retNow.Add(time.Hour)); err != nil {
			return err
		}
		if err := tx.ReleaseHold(hb, "again", "Bob", retNow); !errors.Is(err, ErrBadRetention) || !strings.Contains(err.Error(), "already") {
			t.Errorf("release twice: %v", err)
		}
		return nil
	})
	if ids, _ := dueIDs(t, f.s, Everyone, retNow, 0, 0); len(ids) != 2 || ids[0] != f.b1 || ids[1] != f.a2 {
		t.Errorf("due after release = %v", ids)
	}
	view(t, f.s, func(tx *Tx) error {
		all, err := tx.Holds(false)
		if err != nil {
			return err
		}
		active, err := tx.Holds(true)
		if err != nil {
			return err
		}
		if len(all) != 2 || all[0].ID != ha1 || all[1].ID != hb || len(active) != 1 || active[0].ID != ha1 {
			t.Errorf("holds = %+v, active %+v", all, active)
		}
		h := all[1]
		if h.Active() || h.Kind != "client" || h.RecordID != f.b || h.Reason != "Subpoena 24-11" || h.PlacedBy != "Ann" ||
			h.ReleasedBy != "Bob" || h.ReleaseReason != "Subpoena answered" || !h.ReleasedAt.Equal(retNow.Add(time.Hour)) {
			t.Errorf("released hold = %+v", h)
		}
		return nil
	})
}

// TestDueMatters: dates (on the day counts), open and never-kept matters
// left out, paging with the total, and what each holds.
func TestDueMatters(t *testing.T) {
	f := newHoldFixture(t)
	var open int64
	update(t, f.s, func(tx *Tx) (err error) {
		if open, err = tx.InsertMatter(&Matter{ClientID: f.a, Title: "Still open"}, retNow.AddDate(-20, 0, 0)); err != nil {
			return err
		}
		if err := tx.SetDestroyAfter(f.a1, nil, "keep", "Ann", retNow); err != nil {
			return err
		}
		if _, err := tx.InsertNote(&Note{MatterID: f.a2, Text: "n1", Author: "x"}, retNow); err != nil {
			return err
		}
		if _, err := tx.InsertNote(&Note{MatterID: f.a2, Text: "n2", Author: "x"}, retNow); err != nil {
			return err
		}
		_, err = tx.insertParty(f.a2, &Party{Role: RoleAdverse, Name: "Zed"}, retNow)
		return err
	})
	_ = open
	var b1Date time.Time
	view(t, f.s, func(tx *Tx) error {
		m, err := tx.GetMatter(f.b1)
		b1Date = *m.DestroyAfter
		return err
	})
	if ids, n := dueIDs(t, f.s, Everyone, b1Date.Add(-time.Millisecond), 0, 0); n != 0 || len(ids) != 0 {
		t.Errorf("before the date: %v", ids)
	}
	if ids, n := dueIDs(t, f.s, Everyone, b1Date, 0, 0); n != 1 || len(ids) != 1 || ids[0] != f.b1 {
		t.Errorf("on the date: %v", ids)
	}
	if ids, n := dueIDs(t, f.s, Everyone, retNow, 1, 1); n != 2 || len(ids) != 1 || ids[0] != f.a2 {
		t.Errorf("page 2: %v of %d", ids, n)
	}
	view(t, f.s, func(tx *Tx) error {
		ds, _, err := tx.DueMatters(retNow, 1, 1)
		if err != nil {
			return err
		}
		d := ds[0]
		if d.Notes != 2 || d.Parties != 1 || d.Documents != 0 || d.Matter.ClientName != "Ann Able" || len(d.Matter.Clients) != 2 ||
			d.Matter.DestroyAfter == nil || d.Matter.DestroyRule != "rule:" {
			t.Errorf("due a2 = %+v, %+v", d, d.Matter)
		}
		return nil
	})
}

// TestRetentionWalls: holds and the due list follow the viewer: what a
// user cannot see is not listed, not holdable, not releasable, and a
// blocking hold on a hidden record is given without its reason.
func TestRetentionWalls(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	old := retNow.AddDate(-10, 0, 0)
	var hR int64
	err := f.s.UpdateAs(ctx, Everyone, func(tx *Tx) (err error) {
		for _, id := range []int64{f.matterMG, f.matterW, f.matMR} {
			if err := tx.SetMatterStatus(id, "closed", old); err != nil {
				return err
			}
		}
		// Client R is a joint client of MG: its hold blocks MG too.
		if err := tx.AddMatterClient(f.matterMG, f.clientR, old); err != nil {
			return err
		}
		hR, err = tx.PlaceHold("client", f.clientR, "Rex "+canary+" subpoena", "owner", retNow)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	para := Viewer{UserID: f.para} // behind W's wall, outside R's list
	if ids, n := dueIDs(t, f.s, Everyone, retNow, 0, 0); n != 1 || ids[0] != f.matterW {
		t.Errorf("owner's due = %v", ids)
	}
	if ids, n := dueIDs(t, f.s, para, retNow, 0, 0); n != 0 || len(ids) != 0 {
		t.Errorf("paralegal's due = %v (%d)", ids, n)
	}
	err = f.s.UpdateAs(ctx, para, func(tx *Tx) error {
		if _, err := tx.PlaceHold("matter", f.matterW, "x", "Pat", retNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("hold behind the wall: %v", err)
		}
		if _, err := tx.PlaceHold("client", f.clientR, "x", "Pat", retNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("hold on a restricted client: %v", err)
		}
		if err := tx.ReleaseHold(hR, "x", "Pat", retNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("release of a hidden hold: %v", err)
		}
		if hs, err := tx.Holds(false); err != nil || len(hs) != 0 {
			t.Errorf("paralegal's holds = %+v, %v", hs, err)
		}
		hs, err := tx.HoldsOn("matter", f.matterMG)
		if err != nil {
			return err
		}
		if len(hs) != 1 || hs[0].ID != hR || hs[0].RecordID != 0 || strings.Contains(hs[0].Reason, canary) {
			t.Errorf("blocking hidden hold = %+v", hs)
		}
		if _, err := tx.RetentionChanges(f.matterW); !errors.Is(err, ErrNotFound) {
			t.Errorf("changes behind the wall: %v", err)
		}
		if err := tx.SetDestroyAfter(f.matterW, nil, "x", "Pat", retNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("date behind the wall: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
