//go:build unix

package tempcopy

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// takeLock opens (creating) the lock file at path and takes an exclusive
// flock(2) on it without waiting. The kernel drops the lock when the
// process dies, however it dies, so a held lock means a live session.
// held reports that another open file (this process's or another's) holds
// it.
func takeLock(path string, create bool) (f *os.File, held bool, err error) {
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE | os.O_EXCL
	}
	f, err = os.OpenFile(path, flag|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, true, nil
		}
		return nil, false, fmt.Errorf("locking %s: %w", path, err)
	}
	return f, false, nil
}

// dropLock releases and closes a lock takeLock returned.
func dropLock(f *os.File) {
	if f == nil {
		return
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	f.Close()
}
