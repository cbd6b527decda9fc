//go:build !unix

package intake

import (
	"errors"
	"fmt"
	"os"
)

// runLock without flock: exclusive creation of DIR/intake/server.lock. A
// crash leaves it; the next Start says intake is running until it is removed.
type runLock struct {
	path string
	f    *os.File
}

func acquireRunLock(path string) (*runLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("taking the intake lock: %w", err)
	}
	return &runLock{path: path, f: f}, nil
}

func (l *runLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Close()
	l.f = nil
	return os.Remove(l.path)
}

func lockHeld(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func listenForStop() {}

var errNoSignal = errors.New("stop it in the program that started it")

func askToStop(idir string, pid int) error {
	return fmt.Errorf("stopping client intake (process %d): %w", pid, errNoSignal)
}
