package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"casevault/app"
)

func TestMatterFlow(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.addClient("Anna Keller")
	cv := h.u.w.Canvas()

	// New matter from the client's page; an empty title is refused next to its field.
	test.Tap(button(t, cv, "New matter"))
	test.Tap(button(t, cv, "Save matter"))
	h.u.wait()
	if !contains(cv, "A matter needs a title") {
		t.Fatalf("no title error; texts %q", texts(cv))
	}
	mf := h.u.main.clients.mform
	test.Type(mf.title, "Lease dispute")
	test.Type(mf.adverse, "Brightwater Holdings")
	test.Tap(button(t, cv, "Save matter"))
	h.u.wait()
	test.Tap(button(t, cv, "Open the matter")) // past the conflict check offered (TestConflictOnSave)
	h.u.wait()
	ms := h.u.main.matters
	if ms == nil || ms.cur == nil || ms.cur.Title != "Lease dispute" {
		t.Fatalf("matter not shown after save; texts %q", texts(cv))
	}
	if !contains(cv, "Adverse party") || !contains(cv, "Brightwater Holdings") {
		t.Errorf("parties by role not shown; texts %q", texts(cv))
	}
	if len(ms.all) != 1 {
		t.Errorf("open matters = %d", len(ms.all))
	}

	// Notes in time order.
	for _, n := range []string{"first note", "second note"} {
		var in *entry
		for _, o := range test.LaidOutObjects(cv.Content()) {
			if e, ok := o.(*entry); ok && e.MultiLine {
				in = e
			}
		}
		test.Type(in, n)
		h.clock.Add(1)
		test.Tap(button(t, cv, "Add note"))
		h.u.wait()
	}
	all := strings.Join(texts(cv), "\n")
	if i, j := strings.Index(all, "first note"), strings.Index(all, "second note"); i < 0 || j < i {
		t.Fatalf("notes missing or out of order:\n%s", all)
	}

	// Close: gone from the open list, in the closed list; reopen.
	test.Tap(button(t, cv, "Close matter"))
	h.u.wait()
	if ms.cur.Status != "closed" || len(ms.all) != 0 {
		t.Fatalf("after close: status %q, %d open", ms.cur.Status, len(ms.all))
	}
	ms.filter.SetSelected("Closed")
	h.u.wait()
	if len(ms.all) != 1 {
		t.Fatalf("closed matters = %d", len(ms.all))
	}
	test.Tap(button(t, cv, "Reopen matter"))
	h.u.wait()
	if ms.cur.Status != "open" {
		t.Fatalf("after reopen: %q", ms.cur.Status)
	}
	// The client's page lists the matter.
	h.u.main.showClient(ms.cur.ClientID)
	h.u.wait()
	if !contains(cv, "Lease dispute") {
		t.Error("client page does not list the matter")
	}
}

func TestSettings(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.main.show(navSettings)
	h.u.wait()
	st := h.u.main.settings
	if st.lockSel.Selected != "after 5 minutes without activity" {
		t.Errorf("default auto-lock = %q", st.lockSel.Selected)
	}
	if !strings.Contains(st.kdf.Text, "Argon2id t=1 m=8 MiB") || !strings.Contains(st.counts.Text, "0 clients") {
		t.Errorf("kdf %q counts %q", st.kdf.Text, st.counts.Text)
	}
	st.lockSel.SetSelectedIndex(0) // 1 minute
	if h.u.set.AutoLock.Minutes() != 1 {
		t.Fatalf("auto-lock = %v", h.u.set.AutoLock)
	}
	if got := app.LoadSettings(h.dir); got.AutoLock.Minutes() != 1 {
		t.Errorf("setting not saved: %v", got.AutoLock)
	}

	// Change the passphrase; the old one no longer opens the vault.
	const newPass = "quartz meadow plover ember"
	st.current.SetText(testPass)
	st.np.p1.SetText(newPass)
	if !st.changeB.Disabled() {
		t.Error("change enabled before the repeat")
	}
	st.np.p2.SetText(newPass)
	test.Tap(st.changeB)
	h.u.wait()
	if !strings.Contains(st.passMsg.Text, "Passphrase changed") {
		t.Fatalf("change message = %q", st.passMsg.Text)
	}
	h.clock.Add(61 * 1e9)
	h.u.tick() // auto-lock after 1 minute
	h.u.wait()
	if h.u.sess != nil {
		t.Fatal("not locked after the new 1 minute delay")
	}
	h.unlock(testPass)
	if h.u.sess != nil {
		t.Fatal("the old passphrase still opens the vault")
	}
	h.unlock(newPass)
	if h.u.sess == nil {
		t.Fatalf("the new passphrase does not open the vault: %q", h.u.unlock.errMsg.Text)
	}
}
