package ui

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// TestConflictOnSave: saving a new client, then a new matter with a party,
// offers the check on the names just entered in the same pane; the check
// leaves the new client (and the new matter's parties) out, is recorded
// with what it was for, and the decision is recorded there too.
func TestConflictOnSave(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	cv := h.u.w.Canvas()
	c := h.u.main.clients
	test.Tap(button(t, cv, "New client"))
	f := h.form()
	test.Type(f.fields["name"], "Anna Keller")
	f.fields["alias"].SetText("Anna K")
	test.Tap(f.saveB)
	h.u.wait()
	o := c.offer
	if o == nil || !contains(cv, "added: Anna Keller") {
		t.Fatalf("no check offered after a new client; texts %q", texts(cv))
	}
	id := c.offerFor
	if fmt.Sprint(o.names) != "[Anna Keller Anna K]" || o.f.ExcludeClient != id || o.f.Context != fmt.Sprintf("client:%d", id) {
		t.Fatalf("offer = %v %+v (client %d)", o.names, o.f, id)
	}
	if c.cur != nil {
		t.Fatal("the client's page replaced the offer")
	}
	test.Tap(o.checkB)
	h.u.wait()
	if o.result == nil || len(o.result.Hits) != 0 {
		t.Fatalf("the new client matches itself: %+v", o.result)
	}
	o.dec.choice.SetSelected("Clear")
	test.Tap(o.dec.recordB)
	h.u.wait()
	test.Tap(button(t, cv, "Open the client"))
	h.u.wait()
	if c.cur == nil || c.cur.ID != id {
		t.Fatal("Open the client does not open it")
	}

	// A new matter with a party: its own party is left out, the client found.
	test.Tap(button(t, cv, "New matter"))
	mf := c.mform
	test.Type(mf.title, "Lease dispute")
	test.Type(mf.adverse, "Brightwater Holdings\nAnna Keller")
	test.Tap(button(t, cv, "Save matter"))
	h.u.wait()
	o = c.offer
	if o == nil || len(o.f.ExcludeParties) != 2 {
		t.Fatalf("matter offer = %+v; texts %q", o, texts(cv))
	}
	test.Tap(o.checkB)
	h.u.wait()
	client := false
	for _, x := range o.result.Hits {
		if x.PartyID != 0 {
			t.Fatalf("a party of the new matter matches itself: %+v", x)
		}
		client = client || (x.Role == "client" && x.ClientID == id)
	}
	if !client {
		t.Fatalf("the client named as a party is not found: %+v", o.result.Hits)
	}
	checks, _, err := h.u.sess.ListConflictChecks(context.Background(), app.ConflictFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 2 || checks[0].Context == "" || checks[1].Context != fmt.Sprintf("client:%d", id) || checks[1].Decision != "clear" {
		t.Fatalf("checks recorded: %+v", checks)
	}
}
