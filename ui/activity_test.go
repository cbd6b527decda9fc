package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"casevault/app"
	dsk "casevault/app/desktop"
)

// newDesktopHarness is an unlocked window whose desktop events come from
// the returned fake.
func newDesktopHarness(t *testing.T) (*harness, *dsk.Fake) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	if _, err := app.Init(context.Background(), dir, []byte(testPass), app.InitOptions{KDF: cheapKDF}); err != nil {
		t.Fatal(err)
	}
	if err := app.ConfirmInit(dir); err != nil {
		t.Fatal(err)
	}
	a := test.NewApp()
	t.Cleanup(a.Quit)
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	set := app.DefaultSettings()
	kdf := cheapKDF
	fake := dsk.NewFake()
	u := New(a, Options{Dir: dir, Now: c.Now, KDF: &kdf, Settings: &set, queued: true, Desktop: fake})
	u.w.Resize(fyne.NewSize(1100, 720))
	u.w.Show()
	h := &harness{t: t, u: u, clock: c, dir: dir}
	t.Cleanup(func() { fake.Close(); u.shutdown() })
	h.unlocked()
	h.u.wait()
	return h, fake
}

// deliverDesktop sends e and runs its handling on the test goroutine.
func (h *harness) deliverDesktop(fake *dsk.Fake, e dsk.Event) {
	h.t.Helper()
	fake.Send(e)
	select {
	case f := <-h.u.queue:
		f()
		h.u.pending.Add(-1)
	case <-time.After(10 * time.Second):
		h.t.Fatal("the desktop event never reached the window")
	}
	h.u.wait()
}

// TestDesktopLockLocksVault: the desktop session locking and the computer
// going to sleep lock the vault (issue 8, item 17).
func TestDesktopLockLocksVault(t *testing.T) {
	h, fake := newDesktopHarness(t)
	h.addClient(canary)

	h.deliverDesktop(fake, dsk.NewEvent(dsk.ScreenLocked, nil))
	if h.u.sess != nil || h.u.unlock == nil || !strings.Contains(h.u.unlock.info.Text, "screen was locked") {
		t.Fatalf("after the screen locked: session %v, texts %q", h.u.sess != nil, texts(h.u.w.Canvas()))
	}
	if contains(h.u.w.Canvas(), canary) {
		t.Fatal("client data left in the window")
	}
	// Locked already: harmless.
	h.deliverDesktop(fake, dsk.NewEvent(dsk.ScreenLocked, nil))

	h.unlocked()
	h.u.wait()
	done := make(chan struct{})
	h.deliverDesktop(fake, dsk.NewEvent(dsk.Sleeping, func() { close(done) }))
	if h.u.sess != nil || h.u.unlock == nil || !strings.Contains(h.u.unlock.info.Text, "went to sleep") {
		t.Fatalf("after sleep: session %v, texts %q", h.u.sess != nil, texts(h.u.w.Canvas()))
	}
	select {
	case <-done: // the keys are wiped: the computer may sleep
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher was never told that the vault is locked")
	}
}

// TestMouseMoveCountsAsActivity: moving the mouse over the window keeps the
// vault open like typing does (issue 8, item 17).
func TestMouseMoveCountsAsActivity(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	cv := h.u.w.Canvas()
	h.clock.Add(4 * time.Minute)
	test.MoveMouse(cv, fyne.NewPos(700, 400))
	test.MoveMouse(cv, fyne.NewPos(705, 410))
	h.clock.Add(4 * time.Minute)
	h.u.tick()
	h.u.wait()
	if h.u.sess == nil {
		t.Fatal("locked although the mouse moved 4 minutes ago")
	}
	h.clock.Add(61 * time.Second)
	h.u.tick()
	h.u.wait()
	if h.u.sess != nil {
		t.Fatal("not locked 5 minutes after the mouse last moved")
	}
}
