//go:build unix

package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// readInto reads the file at path into buf and returns the bytes read. A
// file that fills buf is reported as damage (too long): buf is one byte
// larger than the longest valid file. It uses the system calls directly:
// os.Open would add four or five more per file (registering it with the
// poller, which a regular file refuses), and a checkpoint at 50,000
// clients has 4,500 of them.
func readInto(path string, buf []byte) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, damaged(path, "object is missing")
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer syscall.Close(fd)
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if m == 0 {
			return buf[:n], nil
		}
		n += m
	}
	return nil, damaged(path, "object is longer than its manifest allows")
}
