package ui

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/intake/form"
)

// links records the intake links the window opened in the browser.
type links struct {
	mu   sync.Mutex
	list []string
	err  error
}

func (l *links) open(link string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, link)
	return l.err
}

func (l *links) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.list)
}

// newIntakeHarness is a window on a new vault whose intake links go to l,
// and whose office-network address is 127.0.0.2 (this workplace's rule:
// loopback only).
func newIntakeHarness(t *testing.T, l *links) *harness {
	t.Helper()
	h := newHarness(t, true, func(o *Options) {
		o.openLink = l.open
		o.intakeLANAddr = "127.0.0.2:0"
	})
	t.Cleanup(func() {
		if srv := h.u.intake.run; srv != nil {
			_ = srv.Stop(context.Background())
		}
	})
	return h
}

// openIntake shows the Intake screen.
func (h *harness) openIntake() *intakeScreen {
	h.t.Helper()
	if !h.u.main.offers(navIntake) {
		h.t.Fatalf("no Intake in the sidebar: %v", h.u.main.items)
	}
	h.u.main.show(navIntake)
	h.u.wait()
	if h.u.main.intakeS == nil {
		h.t.Fatal("no Intake screen")
	}
	return h.u.main.intakeS
}

// startIntake starts intake through the window's dialog (lan: the
// office-network box ticked) and returns the server.
func (h *harness) startIntake(lan bool) *app.IntakeRun {
	h.t.Helper()
	return h.startIntakeIn("", lan)
}

// startIntakeIn is startIntake for the practice area of that label ("":
// the person chooses).
func (h *harness) startIntakeIn(area string, lan bool) *app.IntakeRun {
	h.t.Helper()
	h.openIntake()
	test.Tap(button(h.t, h.u.w.Canvas(), "Start intake"))
	h.u.wait()
	if sel := findSelect(h.u.w.Canvas().Overlays().Top()); sel == nil || sel.Selected != "Let the person choose" {
		h.t.Fatalf("the practice area choice: %v", sel)
	} else if area != "" {
		sel.SetSelected(area)
		if sel.Selected != area {
			h.t.Fatalf("no practice area %q in %q", area, sel.Options)
		}
	}
	box := findCheck(h.u.w.Canvas(), intakeLANOption)
	if box == nil {
		h.t.Fatalf("no %q box; texts %q", intakeLANOption, texts(h.u.w.Canvas()))
	}
	if box.Checked {
		h.t.Fatal("the office-network option is on by default")
	}
	if contains(h.u.w.Canvas(), "any device on this network") && visibleText(h.u.w.Canvas(), intakeLANWarning) {
		h.t.Error("the office-network warning shows before the option is chosen")
	}
	if lan {
		test.Tap(box)
		if !visibleText(h.u.w.Canvas(), intakeLANWarning) {
			h.t.Error("no warning once the office-network option is chosen")
		}
	}
	test.Tap(button(h.t, h.u.w.Canvas(), "Start intake")) // the dialog's (overlays first)
	h.u.wait()
	srv := h.u.intake.run
	if srv == nil {
		h.t.Fatalf("intake did not start; texts %q", texts(h.u.w.Canvas()))
	}
	return srv
}

// findSelect is the first select under o.
func findSelect(o fyne.CanvasObject) *widget.Select {
	switch v := o.(type) {
	case *widget.Select:
		return v
	case *fyne.Container:
		for _, c := range v.Objects {
			if s := findSelect(c); s != nil {
				return s
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if s := findSelect(c); s != nil {
				return s
			}
		}
	}
	return nil
}

// findCheck finds a visible check box by its text (overlays first).
func findCheck(c fyne.Canvas, text string) *widget.Check {
	var found *widget.Check
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || found != nil || !o.Visible() {
			return
		}
		if b, ok := o.(*widget.Check); ok && b.Text == text {
			found = b
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
	return found
}

// visibleText reports whether a visible label anywhere in the window
// (overlays too) says s.
func visibleText(c fyne.Canvas, s string) bool {
	found := false
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || found || !o.Visible() {
			return
		}
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, s) {
			found = true
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
	return found
}

// images counts the visible images in the window (the code to scan).
func images(c fyne.Canvas) int {
	n := 0
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if img, ok := o.(*canvas.Image); ok && img.Image != nil && img.Resource == nil { // icons are resources
			n++
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
	return n
}

// intakeStopped waits (bounded) for the server to end.
func intakeStopped(t *testing.T, srv *app.IntakeRun) {
	t.Helper()
	select {
	case <-srv.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the intake server still runs")
	}
}

// TestIntakeScreenFrame: the sidebar's Intake entry opens the screen on
// its Submissions tab, with Start intake above and the Form questions tab.
func TestIntakeScreenFrame(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	s := h.openIntake()
	if s.tabs.Selected() != s.subs || s.subs.Text != "Submissions" || s.questions.Text != "Form questions" {
		t.Fatalf("tabs: %q selected, %q / %q", s.tabs.Selected().Text, s.subs.Text, s.questions.Text)
	}
	if b := button(t, h.u.w.Canvas(), "Start intake"); b.Disabled() {
		t.Error("the owner cannot start intake")
	}
	if h.u.intake.banner == nil || h.u.intake.banner.Visible() {
		t.Error("the intake banner shows while no intake runs")
	}
	// The Form questions tab, then the sidebar's Intake again: back on Submissions.
	s.tabs.Select(s.questions)
	h.u.wait()
	h.u.main.show(navClients)
	h.u.main.show(navIntake)
	if s.tabs.Selected() != s.subs {
		t.Error("the Intake entry does not open on Submissions")
	}
}

// TestIntakeReadOnlyRole: a role that may see submissions but not change
// anything sees the screen, with Start intake disabled and why.
func TestIntakeReadOnlyRole(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlockRole("Rita Reader", "Read-only")
	h.openIntake()
	if b := button(t, h.u.w.Canvas(), "Start intake"); !b.Disabled() {
		t.Error("Start intake is offered to a read-only role")
	}
	if !visibleText(h.u.w.Canvas(), "cannot start client intake") {
		t.Errorf("no reason shown; texts %q", texts(h.u.w.Canvas()))
	}
	s := h.u.main.intakeS
	s.tabs.Select(s.questions)
	h.u.wait()
	if e := s.editor; e == nil || e.saveB == nil || !e.saveB.Disabled() || !e.addB.Disabled() {
		t.Error("the form editor lets a read-only role change the form")
	}
}

// TestIntakeStartLockStop: intake starts on loopback and opens the form;
// the banner shows on the main window and, after Lock now and hand over
// the laptop, on the lock screen, where the server keeps running; Stop
// there stops it.
func TestIntakeStartLockStop(t *testing.T) {
	l := &links{}
	h := newIntakeHarness(t, l)
	h.unlocked()
	srv := h.startIntake(false)
	if srv.LAN() {
		t.Fatal("office-network mode without the option")
	}
	if got := l.all(); len(got) != 1 || got[0] != srv.Link() {
		t.Fatalf("links opened = %q, want the one-time link", got)
	}
	if !strings.HasPrefix(srv.Addr(), "127.0.0.1:") {
		t.Fatalf("listens on %s, want loopback", srv.Addr())
	}
	if !visibleText(h.u.w.Canvas(), intakeOpenLine) {
		t.Errorf("no running banner in the main window; texts %q", texts(h.u.w.Canvas()))
	}
	if !visibleText(h.u.w.Canvas(), "No forms received yet") {
		t.Error("the count is not shown")
	}
	// Another screen: the banner stays.
	h.u.main.show(navClients)
	if !visibleText(h.u.w.Canvas(), intakeOpenLine) {
		t.Error("the banner is gone on another screen")
	}
	// The started dialog's offer to lock.
	test.Tap(button(t, h.u.w.Canvas(), intakeHandOver))
	h.u.wait()
	if h.u.sess != nil || h.u.unlock == nil {
		t.Fatal("not locked")
	}
	select {
	case <-srv.Done():
		t.Fatal("locking stopped intake")
	default:
	}
	if _, ok := app.IntakeRunning(h.dir); !ok {
		t.Fatal("no intake runs after the lock")
	}
	if !visibleText(h.u.w.Canvas(), intakeLockedLine) {
		t.Fatalf("no banner on the lock screen; texts %q", texts(h.u.w.Canvas()))
	}
	// Open the form again, from the lock screen: a new one-time link.
	test.Tap(button(t, h.u.w.Canvas(), "Open the form again"))
	h.u.wait()
	if got := l.all(); len(got) != 2 || got[1] == got[0] {
		t.Errorf("links opened = %q, want a second, new one", got)
	}
	test.Tap(button(t, h.u.w.Canvas(), "Stop intake"))
	h.u.wait()
	intakeStopped(t, srv)
	h.u.wait()
	if h.u.intake.run != nil || h.u.intake.banner.Visible() {
		t.Error("the banner stays after Stop")
	}
	if _, ok := app.IntakeRunning(h.dir); ok {
		t.Error("intake still runs after Stop")
	}
	// Unlocked again: the bar says it stopped and offers Start intake.
	h.unlocked()
	h.openIntake()
	if !visibleText(h.u.w.Canvas(), "Client intake stopped at") {
		t.Errorf("the bar does not say intake stopped; texts %q", texts(h.u.w.Canvas()))
	}
	button(t, h.u.w.Canvas(), "Start intake")
}

// TestIntakeStopsWhenWindowCloses: closing the program stops the server
// this window started (and its run file goes).
func TestIntakeStopsWhenWindowCloses(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	srv := h.startIntake(false)
	h.u.closeRequested()
	h.u.wait()
	h.u.shutdown()
	intakeStopped(t, srv)
	if _, ok := app.IntakeRunning(h.dir); ok {
		t.Error("intake still runs after the window closed")
	}
	if h.u.intake.run != nil {
		t.Error("the window still holds the server")
	}
}

// TestIntakeBrowserFails: when no browser opens, the window shows the
// address to type instead.
func TestIntakeBrowserFails(t *testing.T) {
	l := &links{err: app.ErrNoBrowser}
	h := newIntakeHarness(t, l)
	h.unlocked()
	srv := h.startIntake(false)
	if !visibleText(h.u.w.Canvas(), "The browser could not be opened") || !visibleText(h.u.w.Canvas(), srv.Link()) {
		t.Errorf("no address shown; texts %q", texts(h.u.w.Canvas()))
	}
}

// TestIntakeLAN: the office-network option starts HTTPS on the office
// address too (127.0.0.2 here), opens nothing in this laptop's browser
// (the first link is the tablet's), and shows the code to scan, the
// address, the certificate's fingerprint and the warning, also on the
// Intake screen's bar while it runs.
func TestIntakeLAN(t *testing.T) {
	l := &links{}
	h := newIntakeHarness(t, l)
	h.unlocked()
	srv := h.startIntake(true)
	if !srv.LAN() || srv.Fingerprint() == "" {
		t.Fatalf("LAN %v, fingerprint %q", srv.LAN(), srv.Fingerprint())
	}
	if got := l.all(); len(got) != 0 {
		t.Errorf("the tablet's link was opened on the laptop: %q", got)
	}
	c := h.u.w.Canvas()
	for _, want := range []string{srv.Fingerprint(), srv.Link(), intakeLANWarning} {
		if !visibleText(c, want) {
			t.Errorf("the started dialog does not show %q; texts %q", want, texts(c))
		}
	}
	if n := images(c); n < 2 { // the dialog's code and the bar's
		t.Errorf("%d codes to scan shown, want the dialog's and the bar's", n)
	}
	test.Tap(button(t, c, "Keep working"))
	if images(c) != 1 || !visibleText(c, srv.Fingerprint()) || !visibleText(c, intakeLANWarning) {
		t.Error("the Intake bar does not show the code, fingerprint and warning while it runs")
	}
	if !visibleText(c, "Tablets on this office network") {
		t.Error("the banner does not say tablets can open the form")
	}
	// A link for another tablet: a new one, with its own code.
	test.Tap(button(t, c, "New link for another tablet"))
	if images(c) != 2 {
		t.Errorf("the new link's code is missing; %d images", images(c))
	}
}

// TestIntakeStartedElsewhere: a server this window did not start (the
// command line's) shows in the banner with Stop, and the window refuses to
// start a second one.
func TestIntakeStartedElsewhere(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	srv, err := h.u.sess.StartIntake(context.Background(), app.IntakeStart{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	c := h.u.w.Canvas()
	// Found by the window's next look (every intakeCheckEvery).
	h.u.tick()
	if visibleText(c, "started from the command line") {
		t.Fatal("looked again before intakeCheckEvery")
	}
	h.clock.Add(intakeCheckEvery)
	h.u.tick()
	if !visibleText(c, "started from the command line") {
		t.Fatalf("the banner does not show the other server; texts %q", texts(c))
	}
	h.openIntake()
	if findButtonText(c, "Start intake") {
		t.Error("Start intake offered while another runs")
	}
	// Started all the same (the command line started it since the last
	// look): refused in words, and the banner shows it again.
	h.u.intake.other = false
	h.u.startIntake("", "", false)
	h.u.wait()
	if !visibleText(c, "already running") || h.u.intake.run != nil || !h.u.intake.other {
		t.Errorf("a second start: texts %q", texts(c))
	}
	test.Tap(button(t, c, "OK"))
	// Locked: still shown, and Stop stops it.
	h.u.lockNow("")
	h.u.wait()
	if !visibleText(c, "started from the command line") {
		t.Errorf("lock screen: texts %q", texts(c))
	}
	test.Tap(button(t, c, "Stop intake"))
	h.u.wait()
	intakeStopped(t, srv)
	if h.u.intake.other || h.u.intake.banner.Visible() {
		t.Error("the banner stays after Stop")
	}
}

// findButtonText reports whether a visible button says text.
func findButtonText(c fyne.Canvas, text string) bool {
	for _, o := range append(c.Overlays().List(), c.Content()) {
		if findDeep(o, text) {
			return true
		}
	}
	return false
}

func findDeep(o fyne.CanvasObject, text string) bool {
	if o == nil || !o.Visible() {
		return false
	}
	if b, ok := o.(*widget.Button); ok {
		return b.Text == text
	}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			if findDeep(c, text) {
				return true
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if findDeep(c, text) {
				return true
			}
		}
	}
	return false
}

// TestBadge: the count on the sidebar entry, hidden at zero, 99+ above 99.
func TestBadge(t *testing.T) {
	test.NewApp()
	b := newBadge()
	if b.Visible() {
		t.Error("a badge of 0 shows")
	}
	for n, want := range map[int]string{1: "1", 42: "42", 99: "99", 100: "99+", 12345: "99+"} {
		b.set(n)
		if !b.Visible() || b.Text() != want {
			t.Errorf("set(%d): visible %v, text %q, want %q", n, b.Visible(), b.Text(), want)
		}
	}
	b.set(0)
	if b.Visible() {
		t.Error("the badge stays at 0")
	}
}

// TestFormEditorAddsOwnQuestion: a choice question of the lawyer's own,
// refused beside its fields while it has no wording or one choice, then
// added to the area shown, required, and saved as a new form version.
func TestFormEditorAddsOwnQuestion(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	s := h.openIntake()
	s.tabs.Select(s.questions)
	h.u.wait()
	e := s.editor
	if e == nil || e.cfg == nil {
		t.Fatal("no form editor")
	}
	area := e.area
	before, err := h.u.sess.IntakeForm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	test.Tap(e.addB)
	c := h.u.w.Canvas()
	test.Tap(button(t, c, "Add the question"))
	if !visibleText(c, "Write the question.") {
		t.Errorf("an empty question is not refused beside it; texts %q", texts(c))
	}
	label := "Were the police called? \x1b[31m"
	dlg := c.Overlays().Top()
	var entries []*entry
	var sel *widget.Select
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *entry:
			entries = append(entries, v)
		case *widget.Select:
			sel = v
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
	walk(dlg)
	if len(entries) != 3 || sel == nil {
		t.Fatalf("dialog fields: %d entries, select %v", len(entries), sel)
	}
	entries[0].SetText(label)
	sel.SetSelected(form.Choice.Words())
	entries[2].SetText("Yes\n")
	test.Tap(button(t, c, "Add the question"))
	if !visibleText(c, "control code") || !visibleText(c, "at least two choices") {
		t.Errorf("escape code and one choice not refused; texts %q", texts(c))
	}
	entries[0].SetText("Were the police called?")
	entries[2].SetText("Yes\n\n No \nI do not know")
	test.Tap(button(t, c, "Add the question"))
	if c.Overlays().Top() != nil {
		t.Fatalf("the dialog stays; texts %q", texts(c))
	}
	q, ok := e.cfg.Question(before.NextCustomKey() /* the key it was given */)
	if !ok || q.Kind != form.Choice || !slices.Equal(q.Choices, []string{"Yes", "No", "I do not know"}) {
		t.Fatalf("question added = %+v", q)
	}
	key := q.Key
	a, _ := e.cfg.Area(area)
	if !slices.Contains(a.Questions, key) {
		t.Fatal("the question is not asked in the area shown")
	}
	// Required, then saved.
	var req *widget.Check
	for _, o := range e.rows.Objects {
		b := o.(*fyne.Container)
		for _, x := range b.Objects {
			if ask, ok := x.(*widget.Check); ok && ask.Text == "Were the police called?" {
				req = findReq(b)
			}
		}
	}
	if req == nil || req.Disabled() {
		t.Fatal("no enabled Must be answered box for the new question")
	}
	test.Tap(req)
	if !strings.Contains(e.status.Text, "not saved") {
		t.Errorf("status = %q", e.status.Text)
	}
	test.Tap(e.saveB)
	h.u.wait()
	after, err := h.u.sess.IntakeForm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after.Version <= before.Version {
		t.Errorf("form version %d after save, was %d", after.Version, before.Version)
	}
	if !strings.Contains(s.editor.status.Text, "Saved") {
		t.Errorf("status after save = %q", s.editor.status.Text)
	}
	sq, ok := after.Question(key)
	sa, _ := after.Area(area)
	if !ok || sq.Label != "Were the police called?" || !slices.Contains(sa.Questions, key) || !slices.Contains(sa.Required, key) {
		t.Fatalf("saved form: question %+v, area %+v", sq, sa)
	}
	if after.Notice.Version != before.Notice.Version {
		t.Errorf("notice version %d, was %d: the text did not change", after.Notice.Version, before.Notice.Version)
	}
}

// findReq is the Must be answered box of a question row.
func findReq(row *fyne.Container) *widget.Check {
	for _, x := range row.Objects {
		if c, ok := x.(*fyne.Container); ok {
			for _, y := range c.Objects {
				if b, ok := y.(*widget.Check); ok && b.Text == "Must be answered" {
					return b
				}
			}
		}
	}
	return nil
}

// TestFormEditorNotice: a changed notice says it makes a new version, and
// saving it does; an empty one is refused beside it.
func TestFormEditorNotice(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	s := h.openIntake()
	s.tabs.Select(s.questions)
	h.u.wait()
	e := s.editor
	v := e.cfg.Notice.Version
	e.notice.SetText("")
	test.Tap(e.saveB)
	h.u.wait()
	if !e.noticeErr.Visible() {
		t.Error("an empty notice is not refused beside it")
	}
	// Over the limit: the form's own refusal goes beside the notice (the
	// error Validate gives; typed into the field it would be slow to lay out).
	huge := e.cfg.Clone()
	huge.Notice.Text = strings.Repeat("x", form.MaxNoticeChars+1)
	e.showError(huge.Validate())
	if !e.noticeErr.Visible() || !strings.Contains(e.noticeErr.Text, "privacy notice") || e.formErr.Visible() {
		t.Errorf("a huge notice: beside it %q, under Save %q", e.noticeErr.Text, e.formErr.Text)
	}
	e.notice.SetText("We keep what you tell us confidential. [Firm] <b>")
	if !strings.Contains(e.noticeHint.Text, "saving makes it version") {
		t.Errorf("notice hint = %q", e.noticeHint.Text)
	}
	test.Tap(e.saveB)
	h.u.wait()
	after, err := h.u.sess.IntakeForm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after.Notice.Version != v+1 || after.Notice.Text != "We keep what you tell us confidential. [Firm] <b>" {
		t.Errorf("notice after save = %+v, want version %d", after.Notice, v+1)
	}
	if !strings.Contains(s.editor.status.Text, "privacy notice is a new version") {
		t.Errorf("status = %q", s.editor.status.Text)
	}
}

// TestFormEditorRemoveOwnQuestion: a question of the lawyer's own is taken
// out of every area; a built-in one has no Remove.
func TestFormEditorRemoveOwnQuestion(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	s := h.openIntake()
	s.tabs.Select(s.questions)
	h.u.wait()
	e := s.editor
	key := e.cfg.NextCustomKey()
	e.addQuestion(form.Question{Key: key, Label: "Anything else?", Kind: form.Long})
	removes := 0
	for _, o := range e.rows.Objects {
		if findButton(o, func(b *widget.Button) bool { return b.Text == "Remove" }) != nil {
			removes++
		}
	}
	if removes != 1 {
		t.Fatalf("%d Remove buttons, want the own question's only", removes)
	}
	e.removeDialog(key)
	test.Tap(button(t, h.u.w.Canvas(), "Yes"))
	if _, ok := e.cfg.Question(key); ok {
		t.Fatal("the question stays")
	}
	for _, a := range e.cfg.Areas {
		if slices.Contains(a.Questions, key) || slices.Contains(a.Required, key) {
			t.Fatalf("area %s still asks it", a.Key)
		}
	}
}

// sendForm fills in and sends the intake form as a browser would: the
// one-time link (its cookie), the form page (its token), the answers.
func sendForm(t *testing.T, link, name string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	origin := u.Scheme + "://" + u.Host
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Jar: jar, Transport: tr, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(target string) (int, string) {
		r, err := hc.Get(target)
		if err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		return r.StatusCode, string(b)
	}
	if code, _ := get(link); code != http.StatusSeeOther {
		t.Fatalf("the one-time link answered %d", code)
	}
	code, page := get(origin + "/form")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		t.Fatalf("the form page: %d, token %v", code, m)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range [][2]string{{"csrf", m[1]}, {"full_name", name}, {"phone", "555-0100"}, {"description", "A dispute with a landlord."}, {"consent", "yes"}} {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, origin+"/form", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", origin)
	r, err := hc.Do(req)
	if err != nil {
		t.Fatalf("POST /form: %v", err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/thanks" {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		t.Fatalf("POST /form = %d to %q, want 303 to /thanks; page %s", r.StatusCode, r.Header.Get("Location"), b)
	}
}

// waitFor runs the window's queued work until ok, bounded: a form's
// arrival is reported from a server goroutine.
func (h *harness) waitFor(what string, ok func() bool) {
	h.t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		h.u.wait()
		if ok() {
			return
		}
	}
	h.t.Fatalf("waited in vain for %s; texts %q", what, texts(h.u.w.Canvas()))
}

// TestIntakeCountsAndImports: a form sent while the vault is locked is
// counted on the lock screen's banner, and is in the queue (the badge)
// after the unlock; one sent while unlocked is added at once.
func TestIntakeCountsAndImports(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	srv := h.startIntakeIn("Something else", false)
	if srv.Area() != "general" {
		t.Errorf("started for %q, want general", srv.Area())
	}
	test.Tap(button(t, h.u.w.Canvas(), intakeHandOver))
	h.u.wait()
	if h.u.sess != nil {
		t.Fatal("not locked")
	}
	sendForm(t, srv.Link(), "Jane [Roe] <b>")
	h.waitFor("1 form received on the lock screen", func() bool { return visibleText(h.u.w.Canvas(), "1 form received") })
	h.unlocked()
	h.waitFor("the badge to say 1", func() bool { return h.u.main.intakeNew == 1 })
	link, err := srv.LocalLink()
	if err != nil {
		t.Fatal(err)
	}
	sendForm(t, link, "John Doe")
	h.waitFor("the badge to say 2", func() bool { return h.u.main.intakeNew == 2 })
	if !visibleText(h.u.w.Canvas(), "2 forms received") {
		t.Errorf("the banner does not count 2; texts %q", texts(h.u.w.Canvas()))
	}
}

// TestFormEditorShowsRefusalBesideQuestion: what the app refuses on save
// (here a question whose wording has a terminal control code, which the
// dialog would have refused) shows beside that question, and nothing is
// saved.
func TestFormEditorShowsRefusalBesideQuestion(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	s := h.openIntake()
	s.tabs.Select(s.questions)
	h.u.wait()
	e := s.editor
	before, err := h.u.sess.IntakeForm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	key := e.cfg.NextCustomKey()
	e.addQuestion(form.Question{Key: key, Label: "Bad \x1b[2J question", Kind: form.Short})
	test.Tap(e.saveB)
	h.u.wait()
	if l := e.rowErr[key]; l == nil || !l.Visible() || l.Text == "" {
		t.Fatalf("no refusal beside the question; form error %q", e.formErr.Text)
	}
	if e.formErr.Visible() {
		t.Errorf("the refusal shows under Save too: %q", e.formErr.Text)
	}
	after, err := h.u.sess.IntakeForm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != before.Version {
		t.Errorf("saved anyway: version %d, was %d", after.Version, before.Version)
	}
}

// TestIntakeBannerKeepsItsHeight: the banner (lock screen, and main
// window after the hand-over) asks for a few lines of height even after a
// layout pass narrower than the window: its wrapped text laid out narrow
// would ask one word a line, and the real window grew to that height for
// good (seen in the real window after unlocking).
func TestIntakeBannerKeepsItsHeight(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	h.startIntake(false)
	h.u.lockNow("")
	h.u.wait()
	c := newHarnessBanner(h)
	h.unlocked()
	for i, b := range []*fyne.Container{c, h.u.intake.banner} {
		b.Resize(fyne.NewSize(700, 60)) // a passing layout, narrower than the window
		if hgt := b.MinSize().Height; hgt > 120 {
			t.Errorf("banner %d asks for %.0f px of height", i, hgt)
		}
	}
}

// newHarnessBanner is a banner as a screen builds it, before any layout.
func newHarnessBanner(h *harness) *fyne.Container {
	keep := h.u.intake.banner
	defer func() { h.u.intake.banner = keep }()
	return h.u.newIntakeBanner()
}

// TestIntakeImportFailureSaid: when a form is reported but cannot be
// brought into the queue (here the inbox is not a folder), the Intake bar
// says so in words and that it is safe; the next good import clears it.
func TestIntakeImportFailureSaid(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	h.unlocked()
	h.openIntake()
	idir := filepath.Join(h.dir, "intake")
	if err := os.MkdirAll(idir, 0o700); err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(idir, "inbox")
	if err := os.WriteFile(inbox, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.u.intakeReceived() // as the server reports a form
	h.waitFor("the import's failure on the bar", func() bool {
		return visibleText(h.u.w.Canvas(), "could not be added to Submissions yet")
	})
	if !visibleText(h.u.w.Canvas(), "safe beside the vault") {
		t.Error("the bar does not say the forms are safe")
	}
	if err := os.Remove(inbox); err != nil {
		t.Fatal(err)
	}
	h.u.intakeReceived()
	h.waitFor("the failure to go", func() bool {
		return !visibleText(h.u.w.Canvas(), "could not be added to Submissions yet")
	})
}

// TestQuestionProblems: the add-question dialog's checks, each refusal in
// words beside its field.
func TestQuestionProblems(t *testing.T) {
	long := strings.Repeat("é", form.MaxLabelChars+1)
	many := make([]string, form.MaxChoices+1)
	for i := range many {
		many[i] = "choice " + strconv.Itoa(i)
	}
	for _, c := range []struct {
		label   string
		kind    form.Kind
		choices []string
		lab, ch string // parts of the messages; "" = none
	}{
		{"Were the police called?", form.YesNo, nil, "", ""},
		{"  ", form.Short, nil, "Write the question", ""},
		{long, form.Short, nil, "under 200 characters (it has 201)", ""},
		{"Bad \x1b[31m", form.Short, nil, "control code", ""},
		{"Which \u202e court?", form.Short, nil, "text-direction", ""},
		{"Which court? [county] <b>", form.Choice, []string{"County", "District"}, "", ""},
		{"Which court?", form.Choice, []string{"County"}, "", "at least two choices"},
		{"Which court?", form.Choice, []string{"County", "county"}, "", "is there twice"},
		{"Which court?", form.Choice, many, "", "at most 30 choices"},
		{"Which court?", form.Choice, []string{"County", strings.Repeat("x", form.MaxChoiceChars+1)}, "", "under 100 characters"},
		{"Which court?", form.Choice, []string{"County", "Dis\ttrict"}, "", "a tab"},
		{"", form.Choice, nil, "Write the question", "at least two choices"},
	} {
		lab, ch := questionProblems(c.label, c.kind, c.choices)
		if (c.lab == "") != (lab == "") || !strings.Contains(lab, c.lab) {
			t.Errorf("%q: wording message %q, want %q", c.label, lab, c.lab)
		}
		if (c.ch == "") != (ch == "") || !strings.Contains(ch, c.ch) {
			t.Errorf("%q %q: choices message %q, want %q", c.label, c.choices, ch, c.ch)
		}
	}
	if got := choiceLines(" A \n\n\tB\r\n  \nC"); !slices.Equal(got, []string{"A", "B", "C"}) {
		t.Errorf("choiceLines = %q", got)
	}
}

// TestIntakeHiddenWithoutIntakeRead: a role that may not see intake
// submissions has no Intake entry, and the badge is never asked for.
func TestIntakeHiddenWithoutIntakeRead(t *testing.T) {
	h := newIntakeHarness(t, &links{})
	ctx := context.Background()
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRole(ctx, access.Role{Name: "Clerk", Perms: access.Perms{access.Clients: access.Read}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	h.unlockRole("Carl Clerk", "Clerk")
	if h.u.main.offers(navIntake) {
		t.Fatalf("a role without intake read has Intake: %v", h.u.main.items)
	}
	h.u.main.intakeNew = -7 // refreshIntakeBadge must leave it alone
	h.u.refreshIntakeBadge()
	h.u.wait()
	if h.u.main.intakeNew != -7 {
		t.Error("the badge was read for a role without intake read")
	}
}
