//go:build linux

package desktop

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

func TestTranslate(t *testing.T) {
	const mine = dbus.ObjectPath("/org/freedesktop/login1/session/_32")
	for _, tc := range []struct {
		name    string
		sig     dbus.Signal
		session dbus.ObjectPath
		kind    Kind
		ok      bool
	}{
		{"our session locked", dbus.Signal{Path: mine, Name: sessionIface + ".Lock"}, mine, ScreenLocked, true},
		{"another session locked", dbus.Signal{Path: "/org/freedesktop/login1/session/c1", Name: sessionIface + ".Lock"}, mine, ScreenLocked, false},
		{"session unknown", dbus.Signal{Path: mine, Name: sessionIface + ".Lock"}, "", ScreenLocked, false},
		{"going to sleep", dbus.Signal{Path: login1Path, Name: managerIface + ".PrepareForSleep", Body: []any{true}}, mine, Sleeping, true},
		{"woke up", dbus.Signal{Path: login1Path, Name: managerIface + ".PrepareForSleep", Body: []any{false}}, mine, Sleeping, false},
		{"sleep from elsewhere", dbus.Signal{Path: "/x", Name: managerIface + ".PrepareForSleep", Body: []any{true}}, mine, Sleeping, false},
		{"screen saver on", dbus.Signal{Path: "/org/freedesktop/ScreenSaver", Name: freedesktopSS + ".ActiveChanged", Body: []any{true}}, "", ScreenLocked, true},
		{"gnome screen saver on", dbus.Signal{Path: "/org/gnome/ScreenSaver", Name: gnomeSS + ".ActiveChanged", Body: []any{true}}, "", ScreenLocked, true},
		{"screen saver off", dbus.Signal{Path: "/org/gnome/ScreenSaver", Name: gnomeSS + ".ActiveChanged", Body: []any{false}}, "", ScreenLocked, false},
		{"bad body", dbus.Signal{Path: login1Path, Name: managerIface + ".PrepareForSleep", Body: []any{"yes"}}, mine, Sleeping, false},
		{"something else", dbus.Signal{Path: login1Path, Name: managerIface + ".SessionNew"}, mine, 0, false},
	} {
		k, ok := translate(&tc.sig, tc.session)
		if ok != tc.ok || (ok && k != tc.kind) {
			t.Errorf("%s: translate = %v, %v; want %v, %v", tc.name, k, ok, tc.kind, tc.ok)
		}
	}
	if !isSleepEnd(&dbus.Signal{Path: login1Path, Name: managerIface + ".PrepareForSleep", Body: []any{false}}) {
		t.Error("PrepareForSleep(false) is not the end of sleep")
	}
}

// TestWatchWithoutDBus: no bus (as in CI) is silent and harmless: Watch
// returns quickly, a watcher that never reports, and an error for a log.
func TestWatchWithoutDBus(t *testing.T) {
	none := "unix:path=" + filepath.Join(t.TempDir(), "no-bus")
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", none)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", none)
	start := time.Now()
	w, err := Watch()
	if err == nil || w == nil {
		t.Fatalf("Watch without a bus = %v, %v; want a quiet watcher and an error", w, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Watch without a bus took %v", d)
	}
	select {
	case e, ok := <-w.Events():
		t.Fatalf("a watcher without a bus reported %v, %v", e, ok)
	case <-time.After(50 * time.Millisecond):
	}
	w.Close()
	w.Close()
}

// TestReleaseWithoutInhibitor: a watcher that never got a delay lock closes
// no file descriptor (fd 0 is standard input).
func TestReleaseWithoutInhibitor(t *testing.T) {
	w := &dbusWatcher{ch: make(chan Event, 1), inhibit: -1}
	w.release()
	if w.inhibit != -1 {
		t.Fatal("inhibit changed")
	}
	w.Close()
}
