package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

const testPass = "orbit lantern velvet cactus"

var cheapKDF = app.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

// clock is an injectable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type harness struct {
	t     *testing.T
	u     *UI
	clock *clock
	dir   string
}

// newHarness makes a vault (when create) and a window on it.
func newHarness(t *testing.T, create bool, mods ...func(*Options)) *harness {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	if create {
		if _, err := app.Init(context.Background(), dir, []byte(testPass), app.InitOptions{KDF: cheapKDF}); err != nil {
			t.Fatal(err)
		}
		if err := app.ConfirmInit(dir); err != nil {
			t.Fatal(err)
		}
	}
	a := test.NewApp()
	t.Cleanup(a.Quit)
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	set := app.DefaultSettings()
	kdf := cheapKDF
	opts := Options{Dir: dir, Now: c.Now, KDF: &kdf, Settings: &set, StateDir: t.TempDir(), queued: true}
	for _, m := range mods {
		m(&opts)
	}
	u := New(a, opts)
	u.w.Resize(fyne.NewSize(1100, 720))
	u.w.Show()
	h := &harness{t: t, u: u, clock: c, dir: dir}
	t.Cleanup(func() { u.shutdown() })
	return h
}

func (h *harness) unlock(pass string) {
	h.t.Helper()
	s := h.u.unlock
	if s == nil {
		h.t.Fatal("not on the unlock screen")
	}
	s.pass.SetText("")
	test.Type(s.pass, pass)
	s.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter unlocks
	h.u.wait()
}

func (h *harness) unlocked() {
	h.t.Helper()
	h.unlock(testPass)
	if h.u.sess == nil || h.u.main == nil {
		h.t.Fatalf("not unlocked; texts: %q", texts(h.u.w.Canvas()))
	}
}

// texts collects every text shown anywhere in the window: labels, entries,
// buttons, rich text, canvas text, in the content and the overlays.
func texts(c fyne.Canvas) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil {
			return
		}
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *entry:
			out = append(out, v.Text, v.PlaceHolder)
		case *widget.Entry:
			out = append(out, v.Text, v.PlaceHolder)
		case *widget.Button:
			out = append(out, v.Text)
		case *widget.RichText:
			out = append(out, v.String())
		case *canvas.Text:
			out = append(out, v.Text)
		case *widget.Select:
			out = append(out, v.Selected)
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
	walk(c.Content())
	for _, o := range c.Overlays().List() {
		walk(o)
	}
	return out
}

func contains(c fyne.Canvas, s string) bool {
	for _, t := range texts(c) {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// button finds a visible button by its text in the window (overlays first).
func button(t *testing.T, c fyne.Canvas, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || found != nil || !o.Visible() {
			return
		}
		if b, ok := o.(*widget.Button); ok && b.Text == text {
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
	if found == nil {
		t.Fatalf("no button %q; texts: %q", text, texts(c))
	}
	return found
}

func TestRunWithoutDisplay(t *testing.T) {
	if !usesDisplayEnv() {
		t.Skip("no display check on this platform")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if err := Run("test", t.TempDir()); !errors.Is(err, ErrNoDisplay) {
		t.Fatalf("Run without a display = %v, want ErrNoDisplay", err)
	}
}

func TestUnlockWrongThenRight(t *testing.T) {
	h := newHarness(t, true)
	h.unlock("not the passphrase")
	if h.u.sess != nil {
		t.Fatal("a wrong passphrase unlocked the vault")
	}
	if msg := h.u.unlock.errMsg; !msg.Visible() || !strings.Contains(msg.Text, "does not open this vault") {
		t.Fatalf("wrong passphrase message = %q (visible %v)", msg.Text, msg.Visible())
	}
	if h.u.unlock.pass.Text != "" {
		t.Error("the typed passphrase stays in the field")
	}
	if f := app.LoadUnlockFailures(h.dir); f.Count != 1 {
		t.Errorf("failures recorded = %d, want 1", f.Count)
	}
	h.unlocked()
	if f := app.LoadUnlockFailures(h.dir); f.Count != 0 {
		t.Errorf("failures after a good unlock = %d, want 0", f.Count)
	}
	if !contains(h.u.w.Canvas(), "Clients") {
		t.Error("main window has no Clients")
	}
}

func TestUnlockDelayGrowsAndSurvivesRestart(t *testing.T) {
	h := newHarness(t, true)
	for i := 0; i < app.DefaultLockoutAfter+1; i++ {
		h.unlock("wrong wrong wrong")
	}
	s := h.u.unlock
	if !s.unlockB.Disabled() || !strings.Contains(s.status.Text, "wait") {
		t.Fatalf("after %d failures: button disabled %v, status %q", app.DefaultLockoutAfter+1, s.unlockB.Disabled(), s.status.Text)
	}
	// Enter during the wait does nothing, even with the right passphrase.
	h.unlock(testPass)
	if h.u.sess != nil {
		t.Fatal("unlocked during the wait")
	}
	// A new window (a restart) still waits.
	h2 := &harness{t: t, clock: h.clock, dir: h.dir}
	set := app.DefaultSettings()
	h2.u = New(test.NewApp(), Options{Dir: h.dir, Now: h.clock.Now, Settings: &set, queued: true})
	t.Cleanup(h2.u.shutdown)
	if !h2.u.unlock.unlockB.Disabled() {
		t.Fatal("the wait did not survive a restart")
	}
	h.clock.Add(time.Minute)
	h2.u.tick()
	if h2.u.unlock.unlockB.Disabled() {
		t.Fatal("still waiting after the delay")
	}
	h2.unlocked()
}

func TestUnlockWithRecoveryKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	rk, err := app.Init(context.Background(), dir, []byte(testPass), app.InitOptions{KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.ConfirmInit(dir); err != nil {
		t.Fatal(err)
	}
	set := app.DefaultSettings()
	u := New(test.NewApp(), Options{Dir: dir, Settings: &set, queued: true})
	t.Cleanup(u.shutdown)
	h := &harness{t: t, u: u, dir: dir}
	test.Tap(button(t, u.w.Canvas(), "Use the recovery key instead"))
	h.unlock("AAAA-BBBB")
	if !strings.Contains(u.unlock.errMsg.Text, "mistyped") {
		t.Fatalf("mistyped recovery key message = %q", u.unlock.errMsg.Text)
	}
	h.unlock(strings.ToLower(string(rk)))
	if u.sess == nil {
		t.Fatalf("the recovery key did not unlock: %q", u.unlock.errMsg.Text)
	}
	if !contains(u.w.Canvas(), "Change the passphrase") {
		t.Error("no hint to set a new passphrase after a recovery-key unlock")
	}
}

func TestSetupFlow(t *testing.T) {
	h := newHarness(t, false)
	s := h.u.setup
	if s == nil {
		t.Fatal("no setup screen for a new folder")
	}
	if !contains(h.u.w.Canvas(), SetupExplanation) {
		t.Error("no explanation")
	}
	test.Type(s.np.p1, "short")
	if !s.np.problems.Visible() || !strings.Contains(s.np.problems.Text, "too short") {
		t.Errorf("policy reason not shown: %q", s.np.problems.Text)
	}
	if !s.create.Disabled() {
		t.Error("create enabled with a refused passphrase")
	}
	s.np.p1.SetText(testPass)
	if s.np.meter.Value < 3 {
		t.Errorf("strength meter = %v for a four-word passphrase", s.np.meter.Value)
	}
	test.Type(s.np.p2, testPass+"x")
	if !s.create.Disabled() || !strings.Contains(s.np.problems.Text, "differ") {
		t.Errorf("mismatch: create disabled %v, problems %q", s.create.Disabled(), s.np.problems.Text)
	}
	s.np.p2.SetText(testPass)
	// The owner's name signs their notes: needed, and checked as typed.
	if !s.create.Disabled() || !s.nameErr.Visible() {
		t.Fatalf("create without a name: disabled %v, message %q", s.create.Disabled(), s.nameErr.Text)
	}
	test.Type(s.name, "Jane Roe, Esq.")
	if s.create.Disabled() || s.nameErr.Visible() {
		t.Fatalf("create disabled for a good name and passphrase: %q %q", s.np.problems.Text, s.nameErr.Text)
	}
	test.Tap(s.create)
	h.u.wait()
	if s.key == "" || !contains(h.u.w.Canvas(), s.key) {
		t.Fatalf("recovery key not shown; texts %q", texts(h.u.w.Canvas()))
	}
	test.Tap(button(t, h.u.w.Canvas(), "Copy"))
	if got := h.u.a.Clipboard().Content(); got != s.key {
		t.Errorf("clipboard = %q", got)
	}
	group := strings.Split(s.key, "-")[s.group-1]
	test.Type(s.retype, "XXXX")
	if !s.cont.Disabled() {
		t.Error("continue enabled with the wrong group")
	}
	s.retype.SetText(strings.ToLower(group))
	if s.cont.Disabled() {
		t.Fatal("continue disabled with the right group")
	}
	test.Tap(s.cont)
	if h.u.a.Clipboard().Content() != "" {
		t.Error("recovery key left on the clipboard")
	}
	h.unlocked()
	if got := h.u.sess.DisplayName(); got != "Jane Roe, Esq." {
		t.Errorf("display name after setup = %q", got)
	}
}
