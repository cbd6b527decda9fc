//go:build linux

package desktop

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	login1        = "org.freedesktop.login1"
	login1Path    = dbus.ObjectPath("/org/freedesktop/login1")
	managerIface  = "org.freedesktop.login1.Manager"
	sessionIface  = "org.freedesktop.login1.Session"
	freedesktopSS = "org.freedesktop.ScreenSaver"
	gnomeSS       = "org.gnome.ScreenSaver"
)

// Watch connects to logind on the system bus and to the screen saver on the
// session bus. Without either bus (no D-Bus, as in CI or a container) it
// returns a watcher that never reports and an error saying why, for a log:
// not a reason to stop.
func Watch() (Watcher, error) {
	w := &dbusWatcher{ch: make(chan Event, 4), sleepDelay: MaxSleepDelay, inhibit: -1}
	var errs []error
	if err := w.watchLogind(); err != nil {
		errs = append(errs, fmt.Errorf("logind: %w", err))
	}
	if err := w.watchScreenSaver(); err != nil {
		errs = append(errs, fmt.Errorf("screen saver: %w", err))
	}
	if w.sys == nil && w.sess == nil {
		return None(), errors.Join(errs...)
	}
	return w, errors.Join(errs...)
}

type dbusWatcher struct {
	ch         chan Event
	sys, sess  *dbus.Conn
	session    dbus.ObjectPath // our logind session, "" = unknown
	sleepDelay time.Duration

	mu      sync.Mutex
	inhibit int // the delay inhibitor's file descriptor, -1 = none
	closed  bool
	wg      sync.WaitGroup
}

func (w *dbusWatcher) Events() <-chan Event { return w.ch }

// Close disconnects; the signal loops end and Events is closed.
func (w *dbusWatcher) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	w.releaseLocked()
	w.mu.Unlock()
	for _, c := range []*dbus.Conn{w.sys, w.sess} {
		if c != nil {
			c.Close()
		}
	}
	w.wg.Wait()
	close(w.ch)
}

func (w *dbusWatcher) watchLogind() error {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return err
	}
	w.session = ourSession(conn)
	if w.session != "" {
		if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(w.session), dbus.WithMatchInterface(sessionIface), dbus.WithMatchMember("Lock")); err != nil {
			conn.Close()
			return err
		}
	}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(login1Path), dbus.WithMatchInterface(managerIface), dbus.WithMatchMember("PrepareForSleep")); err != nil {
		conn.Close()
		return err
	}
	w.sys = conn
	w.takeInhibitor()
	w.listen(conn)
	if w.session == "" {
		return errors.New("this process is in no logind session: only sleep is watched")
	}
	return nil
}

// ourSession finds the logind session of this process: by its PID, by
// $XDG_SESSION_ID, or the user's graphical session; "" when none.
func ourSession(conn *dbus.Conn) dbus.ObjectPath {
	mgr := conn.Object(login1, login1Path)
	var p dbus.ObjectPath
	if mgr.Call(managerIface+".GetSessionByPID", 0, uint32(os.Getpid())).Store(&p) == nil && p.IsValid() {
		return p
	}
	if id := os.Getenv("XDG_SESSION_ID"); id != "" {
		if mgr.Call(managerIface+".GetSession", 0, id).Store(&p) == nil && p.IsValid() {
			return p
		}
	}
	var user dbus.ObjectPath
	if mgr.Call(managerIface+".GetUser", 0, uint32(os.Getuid())).Store(&user) != nil {
		return ""
	}
	v, err := conn.Object(login1, user).GetProperty("org.freedesktop.login1.User.Display")
	if err != nil {
		return ""
	}
	if s, ok := v.Value().([]any); ok && len(s) == 2 {
		if p, ok := s[1].(dbus.ObjectPath); ok && p.IsValid() && p != "/" {
			return p
		}
	}
	return ""
}

// watchScreenSaver listens for the screen saver on the session bus. It
// connects only to a bus that exists: never starts one (dbus-launch).
func (w *dbusWatcher) watchScreenSaver() error {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		p := fmt.Sprintf("/run/user/%d/bus", os.Getuid())
		if _, err := os.Stat(p); err != nil {
			return errors.New("there is no session bus")
		}
		addr = "unix:path=" + p
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return err
	}
	for _, iface := range []string{freedesktopSS, gnomeSS} {
		if err := conn.AddMatchSignal(dbus.WithMatchInterface(iface), dbus.WithMatchMember("ActiveChanged")); err != nil {
			conn.Close()
			return err
		}
	}
	w.sess = conn
	w.listen(conn)
	return nil
}

func (w *dbusWatcher) listen(conn *dbus.Conn) {
	sigs := make(chan *dbus.Signal, 16)
	conn.Signal(sigs)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for sig := range sigs {
			k, ok := translate(sig, w.session)
			switch {
			case !ok:
				if isSleepEnd(sig) {
					w.takeInhibitor()
				}
				continue
			case k == Sleeping:
				w.send(NewEvent(k, w.release))
				go func() { // never hold the computer up for long
					time.Sleep(w.sleepDelay)
					w.release()
				}()
			default:
				w.send(NewEvent(k, nil))
			}
		}
	}()
}

// send reports e without blocking the D-Bus connection: when the reader is
// behind, it already has a lock to do.
func (w *dbusWatcher) send(e Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	select {
	case w.ch <- e:
	default:
	}
}

// translate turns a D-Bus signal into an event; session is our logind
// session ("" = unknown: no session Lock is taken).
func translate(sig *dbus.Signal, session dbus.ObjectPath) (Kind, bool) {
	switch sig.Name {
	case sessionIface + ".Lock":
		return ScreenLocked, session != "" && sig.Path == session
	case managerIface + ".PrepareForSleep":
		return Sleeping, sig.Path == login1Path && firstBool(sig)
	case freedesktopSS + ".ActiveChanged", gnomeSS + ".ActiveChanged":
		return ScreenLocked, firstBool(sig)
	}
	return 0, false
}

// isSleepEnd: PrepareForSleep(false), the computer woke up.
func isSleepEnd(sig *dbus.Signal) bool {
	return sig.Name == managerIface+".PrepareForSleep" && sig.Path == login1Path && len(sig.Body) > 0 && !firstBool(sig)
}

func firstBool(sig *dbus.Signal) bool {
	if len(sig.Body) == 0 {
		return false
	}
	b, ok := sig.Body[0].(bool)
	return ok && b
}

// takeInhibitor asks logind to wait for us before sleep (a "delay" lock).
func (w *dbusWatcher) takeInhibitor() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.sys == nil || w.inhibit >= 0 {
		return
	}
	var fd dbus.UnixFD
	err := w.sys.Object(login1, login1Path).Call(managerIface+".Inhibit", 0,
		"sleep", "casevault", "Lock the vault and wipe its keys before the computer sleeps", "delay").Store(&fd)
	if err == nil {
		w.inhibit = int(fd)
	}
}

// release lets the computer sleep.
func (w *dbusWatcher) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.releaseLocked()
}

func (w *dbusWatcher) releaseLocked() {
	if w.inhibit >= 0 {
		syscall.Close(w.inhibit)
		w.inhibit = -1
	}
}
