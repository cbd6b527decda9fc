package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

// seedMatter makes, as the owner, a client Anna Keller with a matter
// "Lease dispute" (adverse: Brightwater Holdings) and a second client
// Boris Lang; it returns the matter's and Boris's ids.
func seedMatter(t *testing.T, dir string) (matterID, borisID int64) {
	t.Helper()
	ctx := context.Background()
	s, err := app.Open(ctx, dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	anna, err := s.AddClient(ctx, app.ClientInput{Name: ptr("Anna Keller")})
	if err == nil {
		borisID, err = s.AddClient(ctx, app.ClientInput{Name: ptr("Boris Lang")})
	}
	if err == nil {
		matterID, err = s.AddMatter(ctx, app.MatterInput{ClientID: anna, Title: "Lease dispute", Adverse: []string{"Brightwater Holdings"}})
	}
	if err != nil {
		t.Fatal(err)
	}
	return matterID, borisID
}

// TestMatterEditAndParties: Edit matter changes the title, number, status
// and dates, with each wrong field's error under it (cleared once fixed);
// Add party saves a party with an organisation and other names, then
// offers the conflict check on them in the same dialog, where the new
// party does not match itself; Edit and Remove change and remove it.
func TestMatterEditAndParties(t *testing.T) {
	h := newHarness(t, true)
	mid, _ := seedMatter(t, h.dir)
	h.unlocked()
	h.u.main.showMatter(mid)
	h.u.wait()
	ms := h.u.main.matters
	cv := h.u.w.Canvas()
	if ms.cur == nil || ms.cur.ID != mid {
		t.Fatal("matter not shown")
	}
	if !contains(cv, "Adverse party: Brightwater Holdings") || !contains(cv, "Clients of this matter") {
		t.Fatalf("detail lacks parties or clients; texts %q", texts(cv))
	}
	if !contains(cv, "signed “"+h.u.sess.DisplayName()+"”") {
		t.Errorf("the note box does not say who signs; texts %q", texts(cv))
	}

	// Edit matter: a date that is not real is refused under its field.
	test.Tap(button(t, cv, "Edit matter"))
	ef := ms.editForm
	if ef.title.Text != "Lease dispute" || ef.number.Text == "" || !ef.closed.Disabled() {
		t.Fatalf("edit form: title %q number %q closed enabled %v", ef.title.Text, ef.number.Text, !ef.closed.Disabled())
	}
	ef.title.SetText("Lease dispute (appeal)")
	ef.number.SetText("LD-7")
	ef.status.SetSelected("Closed")
	ef.opened.SetText("2026-02-30")
	ef.opened.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter saves
	h.u.wait()
	if e := ef.errs["opened"]; !e.Visible() || !strings.Contains(e.Text, "not a real date") {
		t.Fatalf("opened error = %q (visible %v); form error %q", e.Text, e.Visible(), ef.fd.formErr.Text)
	}
	ef.opened.SetText("2026-02-01")
	if ef.errs["opened"].Visible() {
		t.Fatal("the date error stays after the date was fixed")
	}
	ef.closed.SetText("2026-01-15")
	test.Tap(ef.fd.saveB)
	h.u.wait()
	if e := ef.errs["closed"]; !e.Visible() || !strings.Contains(e.Text, "before the opening") {
		t.Fatalf("closed before opened: error %q", e.Text)
	}
	ef.closed.SetText("2026-02-20")
	test.Tap(ef.fd.saveB)
	h.u.wait()
	if ms.cur.Title != "Lease dispute (appeal)" || ms.cur.Number != "LD-7" || ms.cur.Status != "closed" ||
		ms.cur.ClosedAt == nil || ms.cur.ClosedAt.Format("2006-01-02") != "2026-02-20" {
		t.Fatalf("after the edit: %+v", ms.cur.Matter)
	}
	if !contains(cv, "No. LD-7") || len(cv.Overlays().List()) != 0 {
		t.Fatalf("number not shown, or the dialog stayed; texts %q", texts(cv))
	}

	// Add party: an empty name is refused in the dialog.
	test.Tap(button(t, cv, "Add party"))
	pf := ms.partyForm
	test.Tap(button(t, cv, "Save party"))
	if e := pf.errs["name"]; !e.Visible() {
		t.Fatal("no error for a party without a name")
	}
	pf.role.SetSelected("Opposing counsel")
	test.Type(pf.name, "Anna Keller")
	if pf.errs["name"].Visible() {
		t.Fatal("the name error stays once a name is typed")
	}
	pf.org.SetText("Keller & Partners LLP")
	pf.aliases.SetText("A. Keller\nAnnie K")
	pf.former.SetText("Anna Rossi")
	test.Tap(button(t, cv, "Save party"))
	h.u.wait()
	d, err := h.u.sess.GetMatter(context.Background(), mid)
	if err != nil {
		t.Fatal(err)
	}
	var party *app.Party
	for i, p := range d.Parties {
		if p.Name == "Anna Keller" {
			party = &d.Parties[i]
		}
	}
	if party == nil || party.Role != app.RoleOpposingCounsel || party.Organisation != "Keller & Partners LLP" ||
		strings.Join(party.Aliases, "|") != "A. Keller|Annie K" || strings.Join(party.FormerNames, "|") != "Anna Rossi" {
		t.Fatalf("party saved = %+v", party)
	}
	// The same dialog now offers the check on its names.
	o := ms.offer
	if o == nil || !contains(cv, "Opposing counsel added: Anna Keller") {
		t.Fatalf("no conflict check offered after the save; texts %q", texts(cv))
	}
	if got := strings.Join(o.names, "|"); got != "Anna Keller|Keller & Partners LLP|A. Keller|Annie K|Anna Rossi" {
		t.Errorf("names offered = %q", got)
	}
	test.Tap(o.checkB)
	h.u.wait()
	if o.result == nil {
		t.Fatalf("no result; summary %q", o.summary.Text)
	}
	client := false
	for _, x := range o.hits.hits {
		if x.Role == app.RoleOpposingCounsel && x.MatterID == mid && x.Name == "Anna Keller" {
			t.Fatalf("the new party matches itself: %+v", x)
		}
		client = client || (x.Role == "client" && x.Name == "Anna Keller")
	}
	if !client {
		t.Fatalf("the client Anna Keller is not found: %+v", o.hits.hits)
	}
	if !o.hitsBox.Visible() || !o.dec.obj.Visible() || !contains(cv, "Record decision") {
		t.Fatal("the hits and the decision are not shown in the dialog")
	}
	o.dec.choice.SetSelected("Conflict")
	test.Type(o.dec.note, "Keller is our client: refuse")
	test.Tap(o.dec.recordB)
	h.u.wait()
	if !strings.Contains(o.dec.result.Text, "recorded") {
		t.Fatalf("decision: %q", o.dec.result.Text)
	}
	test.Tap(button(t, cv, "Done"))
	if len(cv.Overlays().List()) != 0 {
		t.Fatal("Done does not close the dialog")
	}
	h.u.wait()
	if !contains(cv, "Opposing counsel: Anna Keller") || !contains(cv, "Keller & Partners LLP") || !contains(cv, "Also known as A. Keller, Annie K; formerly Anna Rossi") {
		t.Fatalf("party not listed with its names; texts %q", texts(cv))
	}

	// Edit the party: a new name is offered for a check again.
	ms.partyDialog(ms.cur, party)
	ms.partyForm.name.SetText("Anna Keller-Rossi")
	test.Tap(button(t, cv, "Save party"))
	h.u.wait()
	if ms.offer == o || !contains(cv, "Opposing counsel changed: Anna Keller-Rossi") {
		t.Fatalf("no check offered after a rename; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Done"))
	h.u.wait()
	// Escape closes a party dialog without saving.
	test.Tap(button(t, cv, "Add party"))
	test.Type(ms.partyForm.name, "Never Saved")
	ms.partyForm.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.u.wait()
	if len(cv.Overlays().List()) != 0 || contains(cv, "Never Saved") {
		t.Fatal("Escape did not close the party dialog, or it saved")
	}

	// Remove asks first.
	n := len(ms.cur.Parties)
	test.Tap(buttons(cv, "Remove")[len(buttons(cv, "Remove"))-1]) // the last party's (Opposing counsel comes after Adverse)
	test.Tap(button(t, cv, "Remove"))                             // the confirmation's
	h.u.wait()
	if len(ms.cur.Parties) != n-1 || contains(cv, "Anna Keller-Rossi") {
		t.Fatalf("after remove: %d parties (had %d)", len(ms.cur.Parties), n)
	}
	h.u.lockNow("")
	h.u.wait()
	acts := strings.Join(auditActions(t, h.dir), " ")
	for _, a := range []string{"matter.edit", "party.add", "party.edit", "party.remove", "conflict.check", "conflict.decide"} {
		if !strings.Contains(acts, a) {
			t.Errorf("audit trail lacks %s: %s", a, acts)
		}
	}
}

// TestJointClients: Add client… finds a client by part of the name and
// adds them to the matter; Remove takes them off again (after a confirm).
func TestJointClients(t *testing.T) {
	h := newHarness(t, true)
	mid, boris := seedMatter(t, h.dir)
	h.unlocked()
	h.u.main.showMatter(mid)
	h.u.wait()
	ms := h.u.main.matters
	cv := h.u.w.Canvas()
	if len(buttons(cv, "Remove")) != 1 { // only the party's: the only client has none
		t.Fatalf("the only client can be removed: %d Remove buttons", len(buttons(cv, "Remove")))
	}
	test.Tap(button(t, cv, "Add client…"))
	h.u.wait()
	cp := ms.clientPick
	if !cp.fd.saveB.Disabled() {
		t.Error("Add client enabled before a client is chosen")
	}
	test.Type(cp.find, "bor")
	shown := cp.shown()
	if len(shown) != 1 || shown[0].ID != boris {
		t.Fatalf("“bor” finds %v", shown)
	}
	cp.list.Select(0)
	cp.find.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter adds
	h.u.wait()
	if len(ms.cur.Clients) != 2 || ms.cur.Clients[1].Name != "Boris Lang" || !contains(cv, "lead client") {
		t.Fatalf("clients after add: %+v", ms.cur.Clients)
	}
	// The matter is on Boris's page too.
	h.u.main.showClient(boris)
	h.u.wait()
	if !contains(cv, "Lease dispute") {
		t.Fatal("Boris's page does not list the joint matter")
	}
	h.u.main.showMatter(mid)
	h.u.wait()
	rm := buttons(cv, "Remove")
	test.Tap(rm[1]) // Boris's row (the lead's is first)
	test.Tap(button(t, cv, "Remove"))
	h.u.wait()
	if len(ms.cur.Clients) != 1 || ms.cur.Clients[0].Name != "Anna Keller" {
		t.Fatalf("clients after remove: %+v", ms.cur.Clients)
	}
}

// TestMatterPermissions: a Read-only user sees no button that changes a
// matter; a Paralegal adds parties but sees no decision to record, with
// the reason.
func TestMatterPermissions(t *testing.T) {
	for _, c := range []struct {
		role             string
		edit, addParty   bool
		decide           bool
		deniedDecideText string
	}{
		{"Read-only", false, false, false, "cannot decide conflict checks"},
		{"Paralegal", true, true, false, "cannot decide conflict checks"},
		{"Attorney", true, true, true, ""},
	} {
		t.Run(c.role, func(t *testing.T) {
			h := newHarness(t, true)
			mid, _ := seedMatter(t, h.dir)
			h.unlockRole("Pat Jones", c.role)
			h.u.main.showMatter(mid)
			h.u.wait()
			cv := h.u.w.Canvas()
			has := func(b string) bool { return len(buttons(cv, b)) > 0 }
			if has("Edit matter") != c.edit || has("Close matter") != c.edit || has("Add party") != c.addParty ||
				has("Edit") != c.addParty || has("Remove") != c.addParty || has("Add client…") != c.edit {
				t.Fatalf("%s: Edit matter %v Close %v Add party %v Edit %v Remove %v Add client %v", c.role,
					has("Edit matter"), has("Close matter"), has("Add party"), has("Edit"), has("Remove"), has("Add client…"))
			}
			if !c.edit && !contains(cv, "cannot change matters") {
				t.Errorf("%s: no reason given; texts %q", c.role, texts(cv))
			}
			if c.addParty {
				ms := h.u.main.matters
				test.Tap(button(t, cv, "Add party"))
				test.Type(ms.partyForm.name, "Carla Dune")
				test.Tap(button(t, cv, "Save party"))
				h.u.wait()
				if ms.offer == nil {
					t.Fatalf("%s: no check offered; texts %q", c.role, texts(cv))
				}
				test.Tap(ms.offer.checkB)
				h.u.wait()
				d := ms.offer.dec
				if d.recordB.Visible() != c.decide || d.choice.Visible() != c.decide {
					t.Fatalf("%s: record %v choice %v", c.role, d.recordB.Visible(), d.choice.Visible())
				}
				if !c.decide && (!d.why.Visible() || !strings.Contains(d.why.Text, c.deniedDecideText)) {
					t.Fatalf("%s: why = %q", c.role, d.why.Text)
				}
			}
		})
	}
}

// buttons are the visible buttons with text in the window, overlays first.
func buttons(c fyne.Canvas, text string) []*widget.Button {
	var out []*widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			out = append(out, b)
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	for _, o := range c.Overlays().List() {
		walk(o)
	}
	walk(c.Content())
	return out
}
