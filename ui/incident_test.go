package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"casevault/app"
	"casevault/app/human"
	"casevault/app/incident"
)

// newIncidentHarness is a window on a vault with Anna Keller (a matter)
// and Boris Lang, whose report pages are written but opened nowhere
// (opened records the path).
func newIncidentHarness(t *testing.T, opened *[]string) *harness {
	t.Helper()
	h := newHarness(t, true, func(o *Options) {
		o.openBrowser = func(p string) error { *opened = append(*opened, p); return nil }
	})
	seedMatter(t, h.dir)
	h.unlocked()
	return h
}

// showIncidents opens Something happened.
func (h *harness) showIncidents() *incidentsScreen {
	h.t.Helper()
	if !h.u.main.offers(navIncidents) {
		h.t.Fatalf("no Something happened in the sidebar of %s", h.u.sess.User().Role)
	}
	h.u.main.show(navIncidents)
	h.u.wait()
	return h.u.main.incidents
}

// startIncident fills the form for kind and starts it.
func (h *harness) startIncident(is *incidentsScreen, k incident.Kind, summary string) *incidentPage {
	h.t.Helper()
	if is.start == nil {
		test.Tap(is.newB)
	}
	f := is.start
	test.Tap(f.kinds[k])
	h.u.wait()
	f.summary.SetText(summary)
	test.Tap(f.startB)
	h.u.wait()
	if is.page == nil || is.page.in == nil {
		h.t.Fatalf("%s: no incident page; error %q; texts %q", k, f.errMsg.Text, texts(h.u.w.Canvas()))
	}
	return is.page
}

// TestIncidentEachKind: the form offers the six kinds in words; each
// starts an incident whose page shows its checklist (every step with its
// why) and the summary; escape codes and long words in the summary stay
// on their line; the list has them all, open first.
func TestIncidentEachKind(t *testing.T) {
	var opened []string
	h := newIncidentHarness(t, &opened)
	is := h.showIncidents()
	if is.start == nil {
		t.Fatalf("no form on a vault with no incidents; texts %q", texts(h.u.w.Canvas()))
	}
	cv := h.u.w.Canvas()
	for _, k := range incident.Kinds() {
		if !contains(cv, k.Label()) {
			t.Errorf("the form does not offer %q", k.Label())
		}
	}
	if is.start.details.Visible() {
		t.Error("the details show before a kind is chosen")
	}
	n := 0
	for _, k := range incident.Kinds() {
		if k == incident.LostBackup {
			continue // a drive to choose: TestIncidentLostDrive
		}
		n++
		h.clock.Add(time.Minute)
		test.Tap(is.newB)
		p := h.startIncident(is, k, "evil\x1b[2Jsummary "+strings.Repeat("x", 300))
		if p.in.Kind != k || len(p.in.Steps) != len(incident.Checklist(k)) || len(p.steps) != len(p.in.Steps) {
			t.Fatalf("%s: kind %s, %d steps shown of %d", k, p.in.Kind, len(p.steps), len(incident.Checklist(k)))
		}
		all := strings.Join(texts(cv), "\n")
		if strings.Contains(all, "\x1b") || !strings.Contains(all, `evil\x1b[2Jsummary`) {
			t.Errorf("%s: the summary's escape code is not shown as an escape", k)
		}
		for _, st := range incident.Checklist(k) {
			if !strings.Contains(all, st.Text) || (st.Why != "" && !strings.Contains(all, st.Why)) {
				t.Errorf("%s: step %q or its why not shown", k, st.Key)
			}
		}
		if len(is.all) != n {
			t.Fatalf("the list has %d incidents after %d", len(is.all), n)
		}
	}
	if is.all[0].Kind != incident.Kinds()[len(incident.Kinds())-1] {
		t.Errorf("the newest is not first: %s", is.all[0].Kind)
	}
}

// TestIncidentFormRefusals: no kind chosen, a day that is no date, a day
// in the future: said under the form, nothing recorded.
func TestIncidentFormRefusals(t *testing.T) {
	var opened []string
	h := newIncidentHarness(t, &opened)
	is := h.showIncidents()
	f := is.start
	test.Tap(f.startB) // hidden, but a press must not record anything
	h.u.wait()
	test.Tap(f.kinds[incident.BreakIn])
	for _, c := range []struct{ day, clock, want string }{
		{"31/12/2025", "", "not a date"},
		{"2099-01-01", "", "in the future"},
		{human.Date(h.clock.Now()), "25:99", "not a time of day"},
	} {
		f.date.SetText(c.day)
		f.clock.SetText(c.clock)
		test.Tap(f.startB)
		h.u.wait()
		if !f.errMsg.Visible() || !strings.Contains(f.errMsg.Text, c.want) {
			t.Errorf("%q %q: message %q, want %q", c.day, c.clock, f.errMsg.Text, c.want)
		}
	}
	all, err := h.u.sess.Incidents(context.Background())
	if err != nil || len(all) != 0 {
		t.Fatalf("recorded after refusals: %d, %v", len(all), err)
	}
	f.date.SetText(human.Date(h.clock.Now()))
	f.clock.SetText("08:30")
	test.Tap(f.startB)
	h.u.wait()
	if is.page == nil || is.page.in == nil || is.page.in.HappenedAt.Local().Hour() != 8 {
		t.Fatalf("not started with the time given: %+v; %q", is.page, f.errMsg.Text)
	}
}

// TestIncidentChecklist: a tick records when and by whom (shown), an
// untick takes it back, a note is saved with its step; clients are
// chosen and marked as told; the notification pack is written and opened;
// closing asks, then nothing can be ticked; a closed incident goes after
// the open ones.
func TestIncidentChecklist(t *testing.T) {
	var opened []string
	h := newIncidentHarness(t, &opened)
	ctx := context.Background()
	is := h.showIncidents()
	p := h.startIncident(is, incident.Disclosure, "Letter for Anna sent to Boris")
	cv := h.u.w.Canvas()
	key := p.in.Steps[0].Key
	h.clock.Add(5 * time.Minute)
	test.Tap(p.steps[key].check)
	h.u.wait()
	p = is.page
	// The app's own clock (the window's is a test's).
	if st := p.in.Steps[0]; st.DoneAt.IsZero() || st.DoneBy == "" || p.steps[key].done.Text != "Done "+human.Time(st.DoneAt)+" by "+st.DoneBy {
		t.Fatalf("after the tick: %+v, shown %q", st, p.steps[key].done.Text)
	}
	test.Tap(p.steps[key].check)
	h.u.wait()
	p = is.page
	if !p.in.Steps[0].DoneAt.IsZero() || p.steps[key].done.Text != "Not done yet." {
		t.Fatalf("after the untick: %+v, shown %q", p.in.Steps[0], p.steps[key].done.Text)
	}
	row := p.steps[key]
	if !row.saveB.Disabled() {
		t.Error("Save note is on with nothing typed")
	}
	test.Type(row.note, "Called Boris, he deleted it")
	test.Tap(row.saveB)
	h.u.wait()
	p = is.page
	if got := p.in.Steps[0].Note; got != "Called Boris, he deleted it" {
		t.Fatalf("note = %q", got)
	}

	// Clients: chosen, then told.
	test.Tap(p.chooseB)
	h.u.wait()
	cp := p.picker
	if cp == nil || len(cp.all) != 2 {
		t.Fatalf("picker: %+v", cp)
	}
	test.Type(cp.filter, "anna")
	if len(cp.shown) != 1 || cp.shown[0].Name != "Anna Keller" {
		t.Fatalf("filter: %d shown", len(cp.shown))
	}
	cp.chosen[cp.shown[0].ID] = true
	test.Tap(cp.saveB)
	h.u.wait()
	p = is.page
	if len(p.in.Affected) != 1 || !strings.Contains(p.in.Affected[0].Label, "Anna Keller") {
		t.Fatalf("affected = %+v", p.in.Affected)
	}
	anna := p.in.Affected[0].ClientID
	test.Tap(p.notified[anna])
	h.u.wait()
	p = is.page
	if at := p.in.Affected[0].NotifiedAt; at.IsZero() || !contains(cv, "told "+human.Time(at)) {
		t.Fatalf("not marked told: %+v", p.in.Affected[0])
	}

	// The notification pack: a page written and opened.
	test.Tap(p.packB)
	h.u.wait()
	if len(opened) != 1 {
		t.Fatalf("pages opened: %q", opened)
	}
	b, err := os.ReadFile(opened[0])
	if err != nil || !strings.Contains(string(b), "Anna Keller") {
		t.Fatalf("the pack: %v, %d bytes", err, len(b))
	}

	// A second incident, open, then close the first.
	h.clock.Add(time.Minute)
	test.Tap(is.newB)
	h.startIncident(is, incident.Other, "")
	is.open(p.id)
	h.u.wait()
	p = is.page
	test.Tap(p.closeB)
	if !contains(cv, "not done") {
		t.Errorf("closing does not say steps are left; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Yes"))
	h.u.wait()
	p = is.page
	if !p.closed() || !p.steps[key].check.Disabled() || p.closeB != nil || !contains(cv, "Closed "+human.Time(p.in.ClosedAt)) {
		t.Fatalf("after closing: closed %v; texts %q", p.closed(), texts(cv))
	}
	if is.all[0].ID == p.id || is.all[1].ID != p.id {
		t.Errorf("the closed incident is not after the open one: %d, %d", is.all[0].ID, is.all[1].ID)
	}
	if in, err := h.u.sess.Incident(ctx, p.id); err != nil || in.ClosedAt.IsZero() {
		t.Fatalf("not closed in the vault: %v", err)
	}
}

// TestIncidentLostDrive: a lost backup drive offers the drives the vault
// backed up to; choosing one shows at once the clients whose data was on
// it and how it was protected, in words (the folder only under Technical
// details); the incident starts with those clients affected.
func TestIncidentLostDrive(t *testing.T) {
	var opened []string
	h := newIncidentHarness(t, &opened)
	ctx := context.Background()
	target := filepath.Join(t.TempDir(), "usb", "casevault-backup")
	if _, err := h.u.sess.Backup(ctx, target, app.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	is := h.showIncidents()
	f := is.start
	test.Tap(f.kinds[incident.LostBackup])
	h.u.wait()
	if f.driveGp == nil || len(f.driveGp.Options) != 1 {
		t.Fatalf("drives offered: %+v; texts %q", f.driveGp, texts(h.u.w.Canvas()))
	}
	test.Tap(f.startB)
	h.u.wait()
	if !strings.Contains(f.errMsg.Text, "Choose which backup drive") {
		t.Fatalf("started with no drive chosen: %q", f.errMsg.Text)
	}
	f.driveGp.SetSelected(f.driveGp.Options[0])
	h.u.wait()
	cv := h.u.w.Canvas()
	all := strings.Join(texts(cv), "\n")
	for _, want := range []string{"Anna Keller", "Boris Lang", "Was it protected: yes, encrypted", "Clients whose data was on it (2)"} {
		if !strings.Contains(all, want) {
			t.Errorf("%q not shown; texts:\n%s", want, all)
		}
	}
	test.Tap(f.startB)
	h.u.wait()
	p := is.page
	if p == nil || p.in == nil || p.drive == nil || len(p.in.Affected) != 2 || p.chooseB != nil {
		t.Fatalf("lost-drive incident: %+v; %q", p, f.errMsg.Text)
	}
	var names []string
	for _, c := range p.in.Affected {
		names = append(names, c.Label)
	}
	if !slices.ContainsFunc(names, func(s string) bool { return strings.Contains(s, "Anna Keller") }) {
		t.Errorf("affected = %q", names)
	}
}

// TestIncidentRoles: a Paralegal records incidents but sees neither the
// clients affected nor the notification pack, and has no Security check.
func TestIncidentRoles(t *testing.T) {
	h := newHarness(t, true)
	h.unlockRole("Pat Jones", "Paralegal")
	if h.u.main.offers(navSecurity) {
		t.Error("a Paralegal has Security check")
	}
	is := h.showIncidents()
	p := h.startIncident(is, incident.LostLaptop, "")
	if p.packB != nil || p.chooseB != nil || !contains(h.u.w.Canvas(), "cannot see incidents and the clients they affect") {
		t.Errorf("a Paralegal sees the pack or the clients; texts %q", texts(h.u.w.Canvas()))
	}
	if p.closeB == nil || len(p.steps) == 0 || p.steps[p.in.Steps[0].Key].check.Disabled() {
		t.Error("a Paralegal cannot tick or close")
	}
}
