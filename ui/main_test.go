package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"casevault/app"
)

const canary = "Zorblatt Quinceworth"

func (h *harness) form() *clientForm {
	h.t.Helper()
	f := h.u.main.clients.form
	if f == nil {
		h.t.Fatal("no client form shown")
	}
	return f
}

// addClient creates a client through the form.
func (h *harness) addClient(name string) {
	h.t.Helper()
	test.Tap(button(h.t, h.u.w.Canvas(), "New client"))
	f := h.form()
	test.Type(f.fields["name"], name)
	test.Type(f.fields["email"], "zq@example.com")
	test.Tap(f.saveB)
	h.u.wait()
	// The conflict check offered on the new name is passed by.
	test.Tap(button(h.t, h.u.w.Canvas(), "Open the client"))
	h.u.wait()
}

func TestClientCreateEditDelete(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	c := h.u.main.clients
	if !strings.Contains(c.count.Text, "No clients") {
		t.Errorf("empty vault count = %q", c.count.Text)
	}

	// A bad e-mail shows its error next to the e-mail field, as it is typed.
	test.Tap(button(t, h.u.w.Canvas(), "New client"))
	f := h.form()
	test.Type(f.fields["name"], canary)
	test.Type(f.fields["email"], "not-an-address")
	if e := f.errs["email"]; !e.Visible() || !strings.Contains(e.Text, "not an e-mail address") {
		t.Fatalf("e-mail error = %q visible %v", e.Text, e.Visible())
	}
	if f.errs["name"].Visible() {
		t.Error("the name field shows an error for a good name")
	}
	test.Type(f.fields["dob"], "31/12/1980")
	if e := f.errs["dob"]; !e.Visible() || !strings.Contains(e.Text, "YYYY-MM-DD") {
		t.Errorf("date error = %q", e.Text)
	}
	test.Tap(f.saveB) // refused: nothing saved
	h.u.wait()
	if len(c.all) != 0 || !f.formErr.Visible() {
		t.Fatalf("saved with errors: %d clients, form error %q", len(c.all), f.formErr.Text)
	}
	f.fields["email"].SetText("zq@example.com")
	f.fields["dob"].SetText("1980-12-31")
	f.fields["alias"].SetText("Z. Quince\nZQ")
	if f.errs["email"].Visible() || f.errs["dob"].Visible() {
		t.Fatal("errors stay after correcting the fields")
	}
	test.Tap(f.saveB)
	h.u.wait()
	if len(c.all) != 1 || c.all[0].Name != canary {
		t.Fatalf("clients after save = %v", c.all)
	}
	test.Tap(button(t, h.u.w.Canvas(), "Open the client")) // past the conflict check offered (TestConflictOnSave)
	h.u.wait()
	if c.cur == nil || c.cur.Name != canary || !contains(h.u.w.Canvas(), "Z. Quince") {
		t.Fatalf("detail not shown after save; texts %q", texts(h.u.w.Canvas()))
	}

	// Edit: clearing the name is an error next to the name field.
	test.Tap(button(t, h.u.w.Canvas(), "Edit"))
	f = h.form()
	if f.fields["name"].Text != canary {
		t.Fatalf("edit form name = %q", f.fields["name"].Text)
	}
	f.fields["name"].SetText("")
	if e := f.errs["name"]; !e.Visible() || !strings.Contains(e.Text, "needs a name") {
		t.Fatalf("name error = %q", e.Text)
	}
	f.fields["name"].SetText(canary + " Jr")
	f.fields["phone"].SetText("+1 555 0100")
	test.Tap(f.saveB)
	h.u.wait()
	if c.cur == nil || c.cur.Name != canary+" Jr" || c.cur.Phone != "+1 555 0100" || c.all[0].Name != canary+" Jr" {
		t.Fatalf("after edit: cur %+v, list %v", c.cur, c.all)
	}

	// Delete asks first; Cancel keeps the client, Delete removes it.
	test.Tap(button(t, h.u.w.Canvas(), "Delete"))
	if !contains(h.u.w.Canvas(), "cannot be undone") {
		t.Fatal("no confirmation before delete")
	}
	test.Tap(button(t, h.u.w.Canvas(), "Cancel"))
	h.u.wait()
	if len(c.all) != 1 {
		t.Fatal("cancel deleted the client")
	}
	test.Tap(button(t, h.u.w.Canvas(), "Delete"))
	// The confirmation's own Delete button is in the overlay, found first.
	test.Tap(button(t, h.u.w.Canvas(), "Delete"))
	h.u.wait()
	if len(c.all) != 0 || c.cur != nil {
		t.Fatalf("after delete: %d clients", len(c.all))
	}
	if contains(h.u.w.Canvas(), canary) {
		t.Error("the deleted client is still shown")
	}
}

func TestSortAndSearch(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	for _, n := range []string{"Bravo Tessel", "Alpha Morrow", canary} {
		h.addClient(n)
	}
	c := h.u.main.clients
	names := func() string {
		var s []string
		for _, x := range c.all {
			s = append(s, x.Name)
		}
		return strings.Join(s, ",")
	}
	if got := names(); got != "Alpha Morrow,Bravo Tessel,"+canary {
		t.Errorf("by name: %s", got)
	}
	c.sortSel.SetSelected("Last change")
	h.u.wait()
	if got := names(); got != canary+",Alpha Morrow,Bravo Tessel" {
		t.Errorf("by last change: %s", got)
	}
	m := h.u.main
	test.Type(m.search, "quince")
	h.u.wait()
	if len(m.results.hits) != 1 || m.results.hits[0].Title != canary {
		t.Fatalf("search hits = %+v", m.results.hits)
	}
	m.results.list.Select(0)
	h.u.wait()
	if c.cur == nil || c.cur.Name != canary || m.search.Text != "" {
		t.Fatalf("opening a search hit: cur %v", c.cur)
	}
}

func TestConflictCheckAndDecision(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.AddClient(ctx, app.ClientInput{Name: ptr("Anna Keller")})
	if err == nil {
		_, err = s.AddMatter(ctx, app.MatterInput{ClientID: id, Title: "Lease dispute", Adverse: []string{"Brightwater Holdings"}})
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)

	h.unlocked()
	h.u.main.show(navConflicts)
	cs := h.u.main.conflicts
	if !cs.dec.recordB.Disabled() {
		t.Error("decision possible before a check")
	}
	test.Type(cs.names, "Brightwater Holding")
	test.Tap(cs.checkB)
	h.u.wait()
	if cs.result == nil || len(cs.hits.hits) == 0 {
		t.Fatalf("no hits; summary %q", cs.summary.Text)
	}
	top := cs.hits.hits[0]
	if top.Name != "Brightwater Holdings" || top.MatterTitle != "Lease dispute" || top.Role != app.RoleAdverse || top.Why == "" {
		t.Fatalf("top hit = %+v", top)
	}
	if !contains(h.u.w.Canvas(), "Adverse party of client Anna Keller") {
		t.Errorf("hit row does not say role and matter; texts %q", texts(h.u.w.Canvas()))
	}
	cs.dec.choice.SetSelected("Conflict")
	test.Type(cs.dec.note, "acted for the landlord")
	test.Tap(cs.dec.recordB)
	h.u.wait()
	if !strings.Contains(cs.dec.result.Text, "recorded") {
		t.Fatalf("decision message = %q", cs.dec.result.Text)
	}
	// The check and the decision are in the audit trail.
	h.u.main.show(navAudit)
	h.u.wait()
	var actions []string
	for _, e := range h.u.main.audit.entries {
		actions = append(actions, e.Action+" "+e.Detail)
	}
	all := strings.Join(actions, "\n")
	if !strings.Contains(all, "conflict.check") || !strings.Contains(all, "conflict.decide conflict") {
		t.Fatalf("audit lacks the check or decision:\n%s", all)
	}
	test.Tap(button(t, h.u.w.Canvas(), "Verify chain"))
	h.u.wait()
	if !strings.HasPrefix(h.u.main.audit.verified.Text, "PASS") {
		t.Errorf("verify = %q", h.u.main.audit.verified.Text)
	}
}

func ptr(s string) *string { return &s }

func TestAutoLockAndNothingLeft(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.addClient(canary)
	c := h.u.main.clients
	if len(c.all) != 1 {
		t.Fatal("client not added")
	}
	// Copy the e-mail from the record: cleared after 30 s.
	h.u.copySecret(c.cur.Email)
	if !contains(h.u.w.Canvas(), canary) {
		t.Fatalf("canary not found before lock: the walk is broken; texts %q", texts(h.u.w.Canvas()))
	}
	h.clock.Add(31 * time.Second)
	h.u.tick()
	if got := h.u.a.Clipboard().Content(); got != "" {
		t.Errorf("clipboard not cleared after 30 s: %q", got)
	}
	if h.u.sess == nil {
		t.Fatal("locked too early")
	}
	// Activity resets the idle timer.
	h.clock.Add(4 * time.Minute)
	test.Type(h.u.main.search, "z")
	h.u.wait()
	h.clock.Add(4 * time.Minute)
	h.u.tick()
	if h.u.sess == nil {
		t.Fatal("locked although the user typed 4 minutes ago")
	}
	h.clock.Add(61 * time.Second)
	h.u.tick()
	h.u.wait()
	if h.u.sess != nil || h.u.unlock == nil {
		t.Fatal("not locked after 5 minutes idle")
	}
	if !strings.Contains(h.u.unlock.info.Text, "without activity") {
		t.Errorf("lock reason = %q", h.u.unlock.info.Text)
	}
	for _, s := range texts(h.u.w.Canvas()) {
		if strings.Contains(s, "Zorblatt") || strings.Contains(s, "zq@example.com") {
			t.Fatalf("client data left in the window after lock: %q", s)
		}
	}
	if h.u.main != nil {
		t.Error("main screen still referenced")
	}
	h.unlocked()
	h.u.wait()
	if len(h.u.main.clients.all) != 1 {
		t.Error("client lost over lock/unlock")
	}
}

func TestLockButtonClosesDialogs(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.addClient(canary)
	test.Tap(button(t, h.u.w.Canvas(), "Delete")) // confirmation dialog naming the client
	if !contains(h.u.w.Canvas(), canary) {
		t.Fatal("no dialog")
	}
	test.Tap(button(t, h.u.w.Canvas(), "Lock"))
	h.u.wait()
	if h.u.sess != nil || len(h.u.w.Canvas().Overlays().List()) != 0 {
		t.Fatal("not locked, or a dialog stayed open")
	}
	if contains(h.u.w.Canvas(), "Zorblatt") {
		t.Fatal("client data left after lock")
	}
}

func TestShortcutsFromAFocusedField(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	m := h.u.main
	h.u.main.show(navConflicts)
	h.u.w.Canvas().Focus(m.conflicts.names)
	// Ctrl+F moves to the search field even while another field has the focus.
	m.conflicts.names.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	if h.u.w.Canvas().Focused() != m.search {
		t.Fatal("Ctrl+F did not focus the search field")
	}
	// Ctrl+L locks from inside the search field.
	m.search.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	h.u.wait()
	if h.u.sess != nil || h.u.unlock == nil {
		t.Fatal("Ctrl+L did not lock")
	}
	// Ordinary shortcuts still reach the field.
	h.unlocked()
	h.u.wait()
	h.u.main.search.SetText("abc")
	h.u.wait()
	h.u.main.search.TypedShortcut(&fyne.ShortcutSelectAll{})
	if h.u.main.search.SelectedText() != "abc" {
		t.Error("select-all did not reach the field")
	}
}

func TestCopiedFieldTextIsCleared(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	m := h.u.main
	m.search.SetText("secret name")
	h.u.wait()
	m.search.TypedShortcut(&fyne.ShortcutSelectAll{})
	m.search.TypedShortcut(&fyne.ShortcutCopy{Clipboard: h.u.a.Clipboard()})
	if got := h.u.a.Clipboard().Content(); got != "secret name" {
		t.Fatalf("clipboard = %q", got)
	}
	h.clock.Add(29 * time.Second)
	h.u.tick()
	if h.u.a.Clipboard().Content() == "" {
		t.Fatal("cleared too early")
	}
	h.clock.Add(2 * time.Second)
	h.u.tick()
	if got := h.u.a.Clipboard().Content(); got != "" {
		t.Fatalf("not cleared after 30 s: %q", got)
	}
}
