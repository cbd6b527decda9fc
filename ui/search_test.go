package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// searchEntries is the "search" entries of the open session's audit trail.
func searchEntries(t *testing.T, h *harness) []*app.AuditEntry {
	t.Helper()
	es, err := h.u.sess.AuditList(context.Background(), app.AuditFilter{Action: "search"})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestSearchRecordedWhenSettled: typing in the search field writes no
// audit entry per keystroke; one entry, with the last query and every
// record the results showed, is written when the typing pauses for the
// settle time, when the field is cleared, when a result is opened (before
// the record's own entry) and when the window locks.
func TestSearchRecordedWhenSettled(t *testing.T) {
	h := newHarness(t, true, func(o *Options) { o.SearchSettle = 2 * time.Second })
	h.unlocked()
	ctx := context.Background()
	s := h.u.sess
	var ids []int64
	for _, n := range []string{"Quincy Harlow", "Quinn Harper", "Marta Quist"} {
		id, err := s.AddClient(ctx, app.ClientInput{Name: ptr(n)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	m := h.u.main
	test.Type(m.search, "quin")
	h.u.wait()
	if n := len(searchEntries(t, h)); n != 0 {
		t.Fatalf("typing wrote %d search entries, want none until it settles", n)
	}
	h.clock.Add(1900 * time.Millisecond)
	h.u.tick()
	h.u.wait()
	if n := len(searchEntries(t, h)); n != 0 {
		t.Fatalf("settled before the settle time: %d entries", n)
	}
	h.clock.Add(200 * time.Millisecond)
	h.u.tick()
	h.u.wait()
	es := searchEntries(t, h)
	// "q" and "qu" showed Marta Quist too, before "quin" left her out.
	want := fmt.Sprintf("client:%d client:%d client:%d", ids[0], ids[1], ids[2])
	if len(es) != 1 || es[0].Records != want || !contains(h.u.w.Canvas(), `for "quin"`) {
		t.Fatalf("settled search: %d entries, last %q %q, want one entry with records %q", len(es), es[len(es)-1].Records, es[len(es)-1].Detail, want)
	}
	h.clock.Add(time.Minute)
	h.u.tick()
	h.u.wait()
	if n := len(searchEntries(t, h)); n != 1 {
		t.Fatalf("a settled search was recorded again: %d entries", n)
	}

	// Cleared: recorded at once, with every record shown on the way.
	m.search.SetText("quixzz") // nothing, not even one typing slip away ("quinx" would find Quinn)
	h.u.wait()
	m.search.SetText("harl")
	h.u.wait()
	m.search.SetText("")
	h.u.wait()
	es = searchEntries(t, h)
	if len(es) != 2 || es[1].Records != fmt.Sprintf("client:%d", ids[0]) {
		t.Fatalf("clearing the field: %d entries, last %q %q", len(es), es[len(es)-1].Records, es[len(es)-1].Detail)
	}

	// A result opened: the search first, then the record's view.
	test.Type(m.search, "marta")
	h.u.wait()
	m.results.list.Select(0)
	h.u.wait()
	all, err := h.u.sess.AuditList(ctx, app.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := len(all)
	// ..., search, client.view (the listing records itself after it read)
	if all[n-1].Action != "client.view" || all[n-2].Action != "search" || all[n-2].Records != fmt.Sprintf("client:%d", ids[2]) {
		t.Fatalf("opening a result: %s %q, %s", all[n-2].Action, all[n-2].Records, all[n-1].Action)
	}

	// Locked mid-search: recorded before the lock.
	test.Type(m.search, "harp")
	h.u.wait()
	h.u.lockNow("")
	h.u.wait()
	acts := auditActions(t, h.dir)
	if len(acts) < 3 || acts[len(acts)-3] != "search" || acts[len(acts)-2] != "lock" {
		t.Fatalf("locked mid-search: %v", acts[max(0, len(acts)-5):])
	}
}
