//go:build !unix

package vault

import (
	"errors"
	"fmt"
	"os"
)

// fileLock on platforms without flock: exclusive creation of DIR/lock. A
// crash leaves the file behind; the message says to remove it by hand.
type fileLock struct {
	path string
	f    *os.File
}

func acquireLock(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, &LockedError{Path: path}
		}
		return nil, fmt.Errorf("creating lock file: %w", err)
	}
	host, _ := os.Hostname()
	fmt.Fprintf(f, "%d %s\n", os.Getpid(), host)
	return &fileLock{path: path, f: f}, nil
}

func (l *fileLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Close()
	l.f = nil
	return os.Remove(l.path)
}
