//go:build linux

package vault

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync flushes file data and the metadata needed to read it back
// (fdatasync(2)): enough for appends, cheaper than fsync.
func datasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }

// syncTree makes everything written under dir durable: one syncfs(2) of its
// file system instead of an fsync per file.
func syncTree(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
