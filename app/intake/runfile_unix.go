//go:build unix

package intake

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runLock is an advisory flock(2) on DIR/intake/server.lock: the kernel drops
// it when the process dies, so a crashed server never blocks the next one.
type runLock struct{ f *os.File }

func acquireRunLock(path string) (*runLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the intake lock: %w", err)
	}
	// Running takes the lock for a moment to see whether anyone holds it
	// (a window's banner asks every few seconds): try a few times before
	// saying another server runs.
	for try := 0; ; try++ {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &runLock{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("taking the intake lock: %w", err)
		}
		if try == 4 {
			f.Close()
			return nil, ErrRunning
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (l *runLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// lockHeld reports whether a server holds the lock (taking it for a moment
// when nobody does).
func lockHeld(path string) bool {
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

var stopSignal sync.Once

// listenForStop makes this process stop its intake servers on SIGUSR1 (and
// only them: a window keeps running). Kept for the life of the process, so
// a late signal never falls back to the default action (exit).
func listenForStop() {
	stopSignal.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGUSR1)
		go func() {
			for range ch {
				stopAsked()
			}
		}()
	})
}

// askToStop writes the stop request and signals pid, after checking that pid
// is this program (a stale pid could be anything).
func askToStop(idir string, pid int) error {
	if !isThisProgram(pid) {
		return fmt.Errorf("stopping client intake: process %d: %w", pid, errNotOurs)
	}
	f, err := os.OpenFile(filepath.Join(idir, stopName), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("stopping client intake: %w", err)
	}
	f.Close()
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		os.Remove(filepath.Join(idir, stopName))
		return fmt.Errorf("stopping client intake (process %d): %w", pid, err)
	}
	return nil
}

// isThisProgram: on Linux, /proc/PID/exe is our executable, or the name in
// its command line is ours (after an upgrade the old file reads "(deleted)").
// Elsewhere the lock tells: only a running server holds it and wrote the pid.
func isThisProgram(pid int) bool {
	if runtime.GOOS != "linux" {
		return true
	}
	self, err := os.Executable()
	if err != nil {
		return false
	}
	proc := "/proc/" + strconv.Itoa(pid)
	if exe, err := os.Readlink(proc + "/exe"); err == nil {
		if exe == self || strings.TrimSuffix(exe, " (deleted)") == self {
			return true
		}
	}
	cmd, err := os.ReadFile(proc + "/cmdline")
	if err != nil {
		return false
	}
	argv0, _, _ := strings.Cut(string(cmd), "\x00")
	return argv0 != "" && filepath.Base(argv0) == filepath.Base(self)
}
