package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// TestSetupClosedBeforeKeyConfirmed: the window is closed (or killed) while
// the recovery key is on screen, before a group of it was typed back. The
// folder must not be a vault that opens with the passphrase; the next start
// shows the setup screen again, and setting up there works.
func TestSetupClosedBeforeKeyConfirmed(t *testing.T) {
	h := newHarness(t, false)
	create := func(h *harness) *setupScreen {
		s := h.u.setup
		if s == nil {
			t.Fatal("no setup screen")
		}
		s.name.SetText("Jane Roe")
		s.np.p1.SetText(testPass)
		s.np.p2.SetText(testPass)
		test.Tap(s.create)
		h.u.wait()
		if s.key == "" {
			t.Fatalf("recovery key not shown; texts %q", texts(h.u.w.Canvas()))
		}
		return s
	}
	first := create(h).key
	h.u.shutdown()
	if app.VaultExists(h.dir) {
		t.Fatal("the folder became a vault before its recovery key was confirmed")
	}

	h2 := harnessIn(t, h.dir)
	if !contains(h2.u.w.Canvas(), "never finished") {
		t.Errorf("the setup screen does not say the unfinished vault is replaced; texts %q", texts(h2.u.w.Canvas()))
	}
	s := create(h2)
	if s.key == first {
		t.Fatal("the second setup showed the first key")
	}
	s.retype.SetText(strings.Split(s.key, "-")[s.group-1])
	test.Tap(s.cont)
	if !app.VaultExists(h.dir) {
		t.Fatal("no vault after the recovery key was confirmed")
	}
	h2.unlocked()
}

// harnessIn is newHarness on an existing folder (a restart of the window).
func harnessIn(t *testing.T, dir string) *harness {
	t.Helper()
	a := test.NewApp()
	t.Cleanup(a.Quit)
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	set := app.DefaultSettings()
	kdf := cheapKDF
	u := New(a, Options{Dir: dir, Now: c.Now, KDF: &kdf, Settings: &set, StateDir: t.TempDir(), queued: true})
	u.w.Resize(fyne.NewSize(1100, 720))
	u.w.Show()
	h := &harness{t: t, u: u, clock: c, dir: dir}
	t.Cleanup(func() { u.shutdown() })
	return h
}
