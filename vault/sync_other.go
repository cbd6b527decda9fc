//go:build !linux

package vault

import "os"

func datasync(f *os.File) error { return f.Sync() }
