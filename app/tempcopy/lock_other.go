//go:build !unix

package tempcopy

import (
	"errors"
	"os"
)

// takeLock without flock: the session keeps its lock file open, and Windows
// refuses to delete a file another program has open, so a lock file that
// can be removed belongs to no live session. create makes it.
func takeLock(path string, create bool) (f *os.File, held bool, err error) {
	if create {
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		return f, false, err
	}
	if err := os.Remove(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, false, err
		}
		return nil, true, nil
	}
	return nil, false, nil // removed: nobody held it
}

func dropLock(f *os.File) {
	if f != nil {
		f.Close()
	}
}
