package ui

import (
	"context"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

// walk calls f on every visible object of the window, overlays first,
// until f returns true.
func walk(c fyne.Canvas, f func(o fyne.CanvasObject) bool) {
	done := false
	var rec func(o fyne.CanvasObject)
	rec = func(o fyne.CanvasObject) {
		if o == nil || done || !o.Visible() {
			return
		}
		if f(o) {
			done = true
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				rec(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				rec(c)
			}
		}
	}
	for _, o := range c.Overlays().List() {
		rec(o)
	}
	rec(c.Content())
}

// fieldByHint finds a visible field by its placeholder.
func fieldByHint(t *testing.T, c fyne.Canvas, placeholder string) *entry {
	t.Helper()
	var found *entry
	walk(c, func(o fyne.CanvasObject) bool {
		if e, ok := o.(*entry); ok && strings.HasPrefix(e.PlaceHolder, placeholder) {
			found = e
		}
		return found != nil
	})
	if found == nil {
		t.Fatalf("no field %q; texts %q", placeholder, texts(c))
	}
	return found
}

// checkBox finds a visible check box by its text.
func checkBox(t *testing.T, c fyne.Canvas, text string) *widget.Check {
	t.Helper()
	var found *widget.Check
	walk(c, func(o fyne.CanvasObject) bool {
		if k, ok := o.(*widget.Check); ok && k.Text == text {
			found = k
		}
		return found != nil
	})
	if found == nil {
		t.Fatalf("no check box %q; texts %q", text, texts(c))
	}
	return found
}

// retFixture: Anna Keller with two closed matters past their date (one
// with a very long title and an escape code in it) and an open one;
// Boris Lang with one closed matter past its date.
type retFixture struct {
	anna, boris          int64
	lease, divorce, open int64
	boundary             int64
}

// longTitle is cut in the list's rows (the app refuses control characters
// in a title: oneLine's escapes are tested in retention_words_test.go).
var longTitle = "Divorce" + strings.Repeat(" and a title that goes on", 8)

func seedRetention(t *testing.T, dir string) retFixture {
	t.Helper()
	ctx := context.Background()
	s, err := app.Open(ctx, dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	var f retFixture
	must := func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.anna = must(s.AddClient(ctx, app.ClientInput{Name: ptr("Anna Keller")}))
	f.boris = must(s.AddClient(ctx, app.ClientInput{Name: ptr("Boris Lang")}))
	f.lease = must(s.AddMatter(ctx, app.MatterInput{ClientID: f.anna, Title: "Lease dispute", PracticeArea: "Real estate"}))
	f.divorce = must(s.AddMatter(ctx, app.MatterInput{ClientID: f.anna, Title: longTitle, PracticeArea: "Family law"}))
	f.open = must(s.AddMatter(ctx, app.MatterInput{ClientID: f.boris, Title: "Still going"}))
	f.boundary = must(s.AddMatter(ctx, app.MatterInput{ClientID: f.boris, Title: "Boundary dispute"}))
	must(s.AddNote(ctx, f.lease, "Zorblatt canary note"))
	// Closed in 2015: the default rule (7 years) made them due in 2022.
	for _, id := range []int64{f.lease, f.divorce, f.boundary} {
		m, err := s.GetMatter(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		e := app.EditOf(m.Matter)
		e.Status, e.OpenedOn, e.ClosedOn = "closed", "2012-01-10", "2015-06-30"
		if err := s.EditMatter(ctx, id, e); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// retention opens the Retention screen.
func (h *harness) retention() *retentionScreen {
	h.t.Helper()
	h.u.main.show(navRetention)
	h.u.wait()
	r := h.u.main.retention
	if r == nil {
		h.t.Fatalf("no Retention screen; texts %q", texts(h.u.w.Canvas()))
	}
	return r
}

// dueIDs are the matters the due list shows.
func dueIDs(p *duePane) []int64 {
	var out []int64
	for _, it := range p.items {
		for _, dm := range it.Matters {
			out = append(out, dm.Matter.ID)
		}
	}
	return out
}

// TestRetentionMatterPart: an open matter says it gets a date when closed;
// closing gives it one; Change date… needs a reason (and a good date),
// then shows the new date and the change; Keep for ever; a legal hold is
// placed (reason required) and released.
func TestRetentionMatterPart(t *testing.T) {
	h := newHarness(t, true)
	f := seedRetention(t, h.dir)
	h.unlocked()
	cv := h.u.w.Canvas()
	h.u.main.showMatter(f.open)
	h.u.wait()
	if !contains(cv, "Gets a destroy-after date when closed") {
		t.Fatalf("open matter: texts %q", texts(cv))
	}
	if !contains(cv, "Place legal hold…") {
		t.Error("no Place legal hold… on an open matter")
	}
	test.Tap(button(t, cv, "Close matter"))
	h.u.wait()
	if !contains(cv, "Destroy after ") || !contains(cv, "Not due yet.") || !contains(cv, "7 years") {
		t.Fatalf("closed matter: texts %q", texts(cv))
	}

	// Change date…: Save is off until a reason; a bad date says why.
	test.Tap(button(t, cv, "Change date…"))
	date := fieldByHint(t, cv, "YYYY-MM-DD")
	reason := fieldByHint(t, cv, "Why the date changes")
	save := button(t, cv, "Save date")
	date.SetText("2040-02-30")
	test.Type(reason, "Client asked")
	if !save.Disabled() || !contains(cv, "“Destroy after”") {
		t.Fatalf("a bad date: save disabled %v; texts %q", save.Disabled(), texts(cv))
	}
	date.SetText("2040-02-28")
	reason.SetText("")
	if !save.Disabled() {
		t.Fatal("Save date on without a reason")
	}
	test.Type(reason, "Client asked us to keep it longer")
	if save.Disabled() {
		t.Fatal("Save date off with a date and a reason")
	}
	test.Tap(save)
	h.u.wait()
	if !contains(cv, "2040-02-28") || !contains(cv, "Client asked us to keep it longer") || !contains(cv, "Changes of the date") {
		t.Fatalf("after the change: texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Change date…"))
	test.Tap(checkBox(t, cv, "Keep for ever (no destroy-after date)"))
	test.Type(fieldByHint(t, cv, "Why the date changes"), "Precedent file")
	test.Tap(button(t, cv, "Save date"))
	h.u.wait()
	if !contains(cv, "Kept for ever") || !contains(cv, "→ kept for ever") {
		t.Fatalf("keep for ever: texts %q", texts(cv))
	}

	// A legal hold: the reason is required; then it shows, and is released.
	test.Tap(button(t, cv, "Place legal hold…"))
	place := button(t, cv, "Place legal hold")
	if !place.Disabled() {
		t.Fatal("Place legal hold on without a reason")
	}
	test.Type(fieldByHint(t, cv, "e.g. Litigation expected"), "Subpoena from the county court")
	test.Tap(place)
	h.u.wait()
	if !contains(cv, "On legal hold") || !contains(cv, "Subpoena from the county court") {
		t.Fatalf("after the hold: texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Release hold…"))
	test.Type(fieldByHint(t, cv, "e.g. The case settled"), "Case settled")
	test.Tap(button(t, cv, "Release hold"))
	h.u.wait()
	if contains(cv, "On legal hold") {
		t.Fatalf("still held after the release; texts %q", texts(cv))
	}
	// The client's page shows its holds too.
	h.u.main.showClient(f.boris)
	h.u.wait()
	test.Tap(button(t, cv, "Show legal holds"))
	h.u.wait()
	if !contains(cv, "No legal hold.") {
		t.Fatalf("client page: texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Place legal hold…"))
	test.Type(fieldByHint(t, cv, "e.g. Litigation expected"), "Dispute with the neighbour")
	test.Tap(button(t, cv, "Place legal hold"))
	h.u.wait()
	if !contains(cv, "Dispute with the neighbour") {
		t.Fatalf("client hold not shown; texts %q", texts(cv))
	}
}

// TestRetentionDestroy: the due list groups by client and cuts a long
// title; a hold placed meanwhile refuses (checkHeldRefused); the dialog's Destroy stays off until the
// names are chosen and DESTROY typed; then the result with the number,
// Print certificate opens the page, the register shows it, the list is
// empty of it.
func TestRetentionDestroy(t *testing.T) {
	var opened []string
	h := newHarness(t, true, func(o *Options) { o.openBrowser = func(p string) error { opened = append(opened, p); return nil } })
	f := seedRetention(t, h.dir)
	h.unlocked()
	cv := h.u.w.Canvas()
	r := h.retention()
	p := r.due
	if got := dueIDs(p); len(got) != 3 || len(p.items) != 2 {
		t.Fatalf("due %v in %d clients; texts %q", got, len(p.items), texts(cv))
	}
	all := strings.Join(texts(cv), "\n")
	if strings.Contains(all, longTitle) || !strings.Contains(all, "Divorce and a title") || !strings.Contains(all, "…") {
		t.Errorf("the long title is not cut:\n%s", all)
	}
	if !p.destroyB.Disabled() {
		t.Error("Destroy selected… on with nothing chosen")
	}
	checkHeldRefused(t, h, f, p)
	if got := dueIDs(p); len(got) != 3 {
		t.Fatalf("due after the hold's release: %v", got)
	}
	// Anna's row: both her matters (and her file: Boris has an open matter).
	for i, row := range p.rows {
		if row.matter < 0 && p.items[row.item].ClientID == f.anna {
			p.list.Select(i)
		}
	}
	req := p.request()
	if len(req.MatterIDs) != 2 || len(req.ClientIDs) != 1 || req.ClientIDs[0] != f.anna || p.destroyB.Disabled() {
		t.Fatalf("Anna chosen: %+v, destroy disabled %v", req, p.destroyB.Disabled())
	}
	test.Tap(p.destroyB)
	h.u.wait()
	dd := p.dlg
	if dd == nil {
		t.Fatalf("no destroy dialog; texts %q", texts(cv))
	}
	if !contains(cv, "2 matters, 1 client file") || !contains(cv, "Anna Keller: ") {
		t.Errorf("the dialog does not say what goes; texts %q", texts(cv))
	}
	test.Type(dd.confirm, "DESTORY")
	if !dd.destroyB.Disabled() {
		t.Fatal("Destroy on without the names chosen and with a wrong word")
	}
	dd.names.SetSelected(keepNamesChoice)
	if !dd.destroyB.Disabled() {
		t.Fatal("Destroy on with a wrong word")
	}
	dd.confirm.SetText("destroy")
	if dd.destroyB.Disabled() {
		t.Fatalf("Destroy off with everything there: %q", dd.ready())
	}
	test.Tap(dd.destroyB)
	h.u.wait()
	if dd.result == nil || !strings.HasPrefix(dd.result.Number, "D-") {
		t.Fatalf("not destroyed; message %q; texts %q", dd.msg.Text, texts(cv))
	}
	if !contains(cv, "Destroyed: "+dd.result.Number) || !contains(cv, "No backup this vault knows of still holds these files.") {
		t.Errorf("result: texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Print certificate"))
	h.u.wait()
	if len(opened) != 1 {
		t.Fatalf("certificate not opened: %v", opened)
	}
	page, err := os.ReadFile(opened[0])
	if err != nil || !strings.Contains(string(page), dd.result.Number) {
		t.Errorf("certificate page: %v %.200q", err, page)
	}
	test.Tap(button(t, cv, "Close"))
	h.u.wait()
	if got := dueIDs(p); len(got) != 1 || got[0] != f.boundary {
		t.Errorf("due after: %v", got)
	}
	r.tabs.SelectIndex(3)
	h.u.wait()
	if heads := r.reg.regHeads(); len(heads) != 1 || heads[0] != dd.result.Number || len(r.reg.entries) != 3 {
		t.Fatalf("register: %v, %d entries; texts %q", heads, len(r.reg.entries), texts(cv))
	}
	if !contains(cv, "names kept: Anna Keller") {
		t.Errorf("the kept name is not in the register; texts %q", texts(cv))
	}
}

func TestRuleForWords(t *testing.T) {
	rules := []app.RetentionRule{{Years: 7}, {PracticeArea: "Family law", Years: 10}, {PracticeArea: "Probate", Never: true}}
	for area, want := range map[string]string{
		"":             "the default rule: 7 years after closing",
		" family LAW ": "Family law rule: 10 years after closing",
		"Probate":      "Probate rule: kept for ever",
		"Real estate":  "the default rule: 7 years after closing",
	} {
		if got := ruleForWords(rules, area); got != want {
			t.Errorf("ruleForWords(%q) = %q, want %q", area, got, want)
		}
	}
}

// TestRetentionEmptyAndRules: a vault with nothing closed says what to do
// on each tab; the default rule is listed and cannot be deleted; then the
// rules are edited (checkRules).
func TestRetentionEmptyAndRules(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	r := h.retention()
	cv := h.u.w.Canvas()
	if !strings.Contains(r.due.count.Text, "Nothing is due for destruction. Matters get a date when they are closed.") {
		t.Errorf("due: %q", r.due.count.Text)
	}
	if !r.due.destroyB.Disabled() || !r.due.allB.Disabled() {
		t.Error("Destroy selected… or Select all is on with nothing due")
	}
	r.tabs.SelectIndex(1)
	h.u.wait()
	if !strings.Contains(r.holds.count.Text, "No legal hold is in place") {
		t.Errorf("holds: %q", r.holds.count.Text)
	}
	r.tabs.SelectIndex(3)
	h.u.wait()
	if !strings.Contains(r.reg.count.Text, "Nothing has been destroyed yet") {
		t.Errorf("register: %q", r.reg.count.Text)
	}
	r.tabs.SelectIndex(2)
	h.u.wait()
	if len(r.rules.rules) == 0 || r.rules.rules[0].PracticeArea != "" {
		t.Fatalf("rules: %+v", r.rules.rules)
	}
	r.rules.list.Select(0)
	h.u.wait()
	if !r.rules.deleteB.Disabled() || !contains(cv, "Every other matter (the default rule)") {
		t.Errorf("the default rule can be deleted, or is not named; texts %q", texts(cv))
	}
	checkRules(t, h, r)
}

// checkRules: a rule is added for an area, refused with a wrong number
// of years (nothing saved), changed, and deleted after asking.
func checkRules(t *testing.T, h *harness, r *retentionScreen) {
	cv := h.u.w.Canvas()
	r.tabs.SelectIndex(2)
	h.u.wait()
	rp := r.rules
	n := len(rp.rules)
	test.Tap(rp.newB)
	rp.area.SetText("Family law")
	rp.years.SetText("ten")
	test.Tap(rp.saveB)
	h.u.wait()
	if !rp.formErr.Visible() || !strings.Contains(rp.formErr.Text, "Years") || len(rp.rules) != n {
		t.Fatalf("bad years: %q, %d rules", rp.formErr.Text, len(rp.rules))
	}
	rp.years.SetText("10")
	rp.note.SetText("State bar: ten years for family files")
	test.Tap(rp.saveB)
	h.u.wait()
	if len(rp.rules) != n+1 || !contains(cv, "Family law") || !contains(cv, "keep 10 years after closing") {
		t.Fatalf("after save: %+v; texts %q", rp.rules, texts(cv))
	}
	var fam int = -1
	for i, x := range rp.rules {
		if x.PracticeArea == "Family law" {
			fam = i
		}
	}
	rp.list.Select(fam)
	h.u.wait()
	if rp.deleteB.Disabled() || rp.area.Text != "Family law" || rp.years.Text != "10" {
		t.Fatalf("chosen: delete off %v, area %q, years %q", rp.deleteB.Disabled(), rp.area.Text, rp.years.Text)
	}
	rp.months.SetText("6")
	test.Tap(rp.saveB)
	h.u.wait()
	if !contains(cv, "keep 10 years and 6 months after closing") {
		t.Fatalf("after change: texts %q", texts(cv))
	}
	test.Tap(rp.deleteB)
	test.Tap(button(t, cv, "Delete rule")) // the confirmation's, in the overlay
	h.u.wait()
	if len(rp.rules) != n || contains(cv, "keep 10 years and 6 months") {
		t.Fatalf("after delete: %+v", rp.rules)
	}
}

// checkHeldRefused: a hold placed after the list was read (as from
// another window) refuses the destruction with the app's words; nothing
// is destroyed. The hold is released afterwards.
func checkHeldRefused(t *testing.T, h *harness, f retFixture, p *duePane) {
	p.selectAll(true)
	hid, err := h.u.sess.PlaceHold(context.Background(), "client", f.boris, "Expected litigation")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := h.u.sess.ReleaseHold(context.Background(), hid, "Settled"); err != nil {
			t.Fatal(err)
		}
		dd := p.dlg
		if dd != nil {
			dd.d.Hide()
		}
		p.selectAll(false)
		p.reload()
		h.u.wait()
	}()
	test.Tap(p.destroyB)
	h.u.wait()
	dd := p.dlg
	if dd == nil { // the plan refused: said above the list
		if !p.msg.Visible() || !strings.Contains(p.msg.Text, "Nothing was destroyed") || !strings.Contains(strings.ToLower(p.msg.Text), "hold") {
			t.Fatalf("no dialog, and the message %q", p.msg.Text)
		}
		return
	}
	dd.names.SetSelected(destroyNamesChoice)
	dd.confirm.SetText("DESTROY")
	if len(dd.plan.Problems) > 0 { // the plan names the hold: Destroy stays off
		if !dd.destroyB.Disabled() || !contains(h.u.w.Canvas(), "These cannot be destroyed now") {
			t.Fatalf("problems %q, but Destroy on %v", dd.plan.Problems, !dd.destroyB.Disabled())
		}
		return
	}
	test.Tap(dd.destroyB)
	h.u.wait()
	if dd.result != nil || !dd.msg.Visible() || !strings.Contains(dd.msg.Text, "Nothing was destroyed") || !strings.Contains(strings.ToLower(dd.msg.Text), "hold") {
		t.Fatalf("held: result %v, message %q", dd.result, dd.msg.Text)
	}
	if got := dueIDs(p); len(got) != 2 { // Boris's matter is held now
		t.Errorf("the list after the refusal: %v", got)
	}
}

// TestRetentionRoles: an Attorney (retention: see and change) sees the
// list but may not destroy (the checks off, the owner-only words); a
// Paralegal (no retention) has no Retention entry and no Retention part
// on a matter.
func TestRetentionRoles(t *testing.T) {
	h := newHarness(t, true)
	f := seedRetention(t, h.dir)
	h.unlockRole("Alex Attorney", "Attorney")
	r := h.retention()
	p := r.due
	if len(dueIDs(p)) != 3 || !p.why.Visible() || p.why.Text != ownerOnly || !p.allB.Disabled() || !p.destroyB.Disabled() {
		t.Fatalf("attorney: %d due, why %q (%v), select all off %v", len(dueIDs(p)), p.why.Text, p.why.Visible(), p.allB.Disabled())
	}
	p.selectAll(true)
	if len(p.request().MatterIDs) != 0 {
		t.Error("a non-owner chose matters")
	}
	h.u.lockNow("")
	h.u.wait()
	h.unlockRole("Pat Paralegal", "Paralegal")
	if h.u.main.offers(navRetention) {
		t.Error("a Paralegal is offered Retention")
	}
	h.u.main.showMatter(f.lease)
	h.u.wait()
	if contains(h.u.w.Canvas(), "Change date…") || contains(h.u.w.Canvas(), "Destroy after") {
		t.Error("a Paralegal sees the Retention part")
	}
}
