//go:build linux

package desktop

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"casevault/vault/testkit"
)

// fakeLogind answers the logind calls Watch makes, on a private bus.
type fakeLogind struct {
	session dbus.ObjectPath

	mu       sync.Mutex
	inhibitR *os.File // read end of the pipe whose write end went to the watcher
	inhibitW int      // our copy of the write end, closed by dropOwnCopy
}

func (f *fakeLogind) GetSessionByPID(pid uint32) (dbus.ObjectPath, *dbus.Error) {
	return f.session, nil
}

func (f *fakeLogind) Inhibit(what, who, why, mode string) (dbus.UnixFD, *dbus.Error) {
	if what != "sleep" || mode != "delay" {
		return 0, dbus.MakeFailedError(os.ErrInvalid)
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		return 0, dbus.MakeFailedError(err)
	}
	f.mu.Lock()
	f.inhibitR = os.NewFile(uintptr(p[0]), "inhibitor") // non-blocking: read deadlines work
	f.inhibitW = p[1]
	f.mu.Unlock()
	return dbus.UnixFD(p[1]), nil
}

// dropOwnCopy closes our copy of the write end (the reply has gone: the
// watcher holds its own).
func (f *fakeLogind) dropOwnCopy() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inhibitW > 0 {
		syscall.Close(f.inhibitW)
		f.inhibitW = 0
	}
}

func (f *fakeLogind) inhibitor() *os.File {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inhibitR
}

// privateBus starts a dbus-daemon of its own and returns its address.
func privateBus(t *testing.T) string {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		testkit.SkipUnlessCI(t, "dbus-daemon is not installed: the D-Bus watcher is tested only through translate")
	}
	addr := "unix:path=" + filepath.Join(t.TempDir(), "bus")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, daemon, "--session", "--nofork", "--nopidfile", "--address="+addr, "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		testkit.SkipUnlessCI(t, fmt.Sprintf("cannot start dbus-daemon: %v", err))
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(line)
}

func next(t *testing.T, w Watcher) (Event, bool) {
	t.Helper()
	select {
	case e, ok := <-w.Events():
		return e, ok
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return Event{}, false
}

func quietFor(t *testing.T, w Watcher, d time.Duration) {
	t.Helper()
	select {
	case e := <-w.Events():
		t.Fatalf("unexpected event %v", e.Kind)
	case <-time.After(d):
	}
}

// TestWatchOnABus runs Watch against a private bus with a fake logind: our
// session's Lock, the screen saver and PrepareForSleep are reported, other
// sessions' Lock is not, and the sleep inhibitor is released on Done.
func TestWatchOnABus(t *testing.T) {
	addr := privateBus(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	srv, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	fl := &fakeLogind{session: "/org/freedesktop/login1/session/_31"}
	if err := srv.ExportMethodTable(map[string]any{
		"GetSessionByPID": fl.GetSessionByPID,
		"Inhibit":         fl.Inhibit,
	}, login1Path, managerIface); err != nil {
		t.Fatal(err)
	}
	if reply, err := srv.RequestName(login1, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v, %v", login1, reply, err)
	}

	w, err := Watch()
	if err != nil {
		t.Fatalf("Watch on a bus with logind: %v", err)
	}
	defer w.Close()
	dw := w.(*dbusWatcher)
	fl.dropOwnCopy()
	if dw.session != fl.session || fl.inhibitor() == nil {
		t.Fatalf("session %q, inhibitor taken %v", dw.session, fl.inhibitor() != nil)
	}

	srv.Emit("/org/freedesktop/login1/session/c9", sessionIface+".Lock")
	quietFor(t, w, 200*time.Millisecond)
	srv.Emit(fl.session, sessionIface+".Lock")
	if e, ok := next(t, w); !ok || e.Kind != ScreenLocked {
		t.Fatalf("our session's Lock: %v, %v", e.Kind, ok)
	}
	srv.Emit("/org/gnome/ScreenSaver", gnomeSS+".ActiveChanged", true)
	if e, ok := next(t, w); !ok || e.Kind != ScreenLocked {
		t.Fatalf("screen saver: %v, %v", e.Kind, ok)
	}

	inhibit := fl.inhibitor()
	srv.Emit(login1Path, managerIface+".PrepareForSleep", true)
	e, ok := next(t, w)
	if !ok || e.Kind != Sleeping {
		t.Fatalf("PrepareForSleep(true): %v, %v", e.Kind, ok)
	}
	inhibit.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := inhibit.Read(make([]byte, 1)); !os.IsTimeout(err) {
		t.Fatalf("the inhibitor was let go before Done: %v", err)
	}
	e.Done()
	inhibit.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := inhibit.Read(make([]byte, 1)); err == nil || os.IsTimeout(err) {
		t.Fatalf("the inhibitor is still held after Done: %v", err)
	}

	// Awake again: a new inhibitor for the next sleep.
	srv.Emit(login1Path, managerIface+".PrepareForSleep", false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		dw.mu.Lock()
		held := dw.inhibit >= 0
		dw.mu.Unlock()
		if held && fl.inhibitor() != inhibit {
			fl.dropOwnCopy()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no new inhibitor after waking up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	quietFor(t, w, 100*time.Millisecond)

	w.Close()
	if _, ok := <-w.Events(); ok {
		t.Fatal("Events not closed by Close")
	}
}
