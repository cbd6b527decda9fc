//go:build !linux

package vault

import (
	"io/fs"
	"os"
	"path/filepath"
)

func datasync(f *os.File) error { return f.Sync() }

// syncTree makes everything written under dir durable: an fsync of every
// file and folder.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return syncDir(osFS{}, path)
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}
