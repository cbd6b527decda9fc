package vault

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Fault injection: an FS that wraps the operating system's and lets a test
// fail a folder fsync or a file flush where the disk would, given to the
// vault through CreateOptions.FS (no package-global hooks: tests that inject
// faults can run in parallel with the others).

// faultFS decorates an FS with faults. What it does not override goes to the
// real file system unchanged; a fault returns its error in place of the
// real call (which then does not run).
type faultFS struct {
	FS

	mu sync.Mutex
	// syncDir runs before each SyncDir; an error it returns is the
	// SyncDir's. nil: no fault.
	syncDir func(dir string) error
	// datasync runs before each File.Datasync of a file opened through
	// this FS; an error it returns is the Datasync's. nil: no fault.
	datasync func(name string) error
	// fsync runs before each File.Sync of a file opened through this FS
	// (the chunk files a checkpoint writes); an error it returns is the
	// Sync's. nil: no fault. Set it with setFsync.
	fsync func(name string) error
	// write runs before each File.WriteAt of a file opened through this
	// FS (a batch's object files); an error it returns is the WriteAt's
	// (nothing written). nil: no fault. Set it with setWrite.
	write func(name string) error
}

// setWrite replaces the File.WriteAt fault (nil: none) under the lock.
func (f *faultFS) setWrite(write func(name string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.write = write
}

// WriteAt implements File.
func (f *faultFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	hook := f.fs.write
	f.fs.mu.Unlock()
	if hook != nil {
		if err := hook(f.name); err != nil {
			return 0, err
		}
	}
	return f.File.WriteAt(p, off)
}

var (
	_ FS   = (*faultFS)(nil)
	_ File = (*faultFile)(nil)
)

func newFaultFS() *faultFS { return &faultFS{FS: osFS{}} }

// faultyOpts is testOpts with f as the vault's file system.
func faultyOpts(f *faultFS) CreateOptions {
	o := testOpts()
	o.FS = f
	return o
}

// set replaces the faults (nil: none) under the lock.
func (f *faultFS) set(syncDir func(dir string) error, datasync func(name string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncDir, f.datasync = syncDir, datasync
}

// setFsync replaces the File.Sync fault (nil: none) under the lock.
func (f *faultFS) setFsync(fsync func(name string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fsync = fsync
}

// SyncDir implements FS.
func (f *faultFS) SyncDir(dir string) error {
	f.mu.Lock()
	hook := f.syncDir
	f.mu.Unlock()
	if hook != nil {
		if err := hook(dir); err != nil {
			return err
		}
	}
	return f.FS.SyncDir(dir)
}

// OpenFile implements FS.
func (f *faultFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	file, err := f.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f, name: name}, nil
}

// faultFile is a File of a faultFS.
type faultFile struct {
	File
	fs   *faultFS
	name string
}

// Datasync implements File.
func (f *faultFile) Datasync() error {
	f.fs.mu.Lock()
	hook := f.fs.datasync
	f.fs.mu.Unlock()
	if hook != nil {
		if err := hook(f.name); err != nil {
			return err
		}
	}
	return f.File.Datasync()
}

// newFaultyVault is newVault with a faultFS (no faults yet) as the vault's
// file system.
func newFaultyVault(t testing.TB) (*Vault, *faultFS) {
	t.Helper()
	f := newFaultFS()
	dir := filepath.Join(t.TempDir(), "vault")
	v, rk, err := Create(dir, testPass, faultyOpts(f))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	recoveryOf.Store(dir, rk)
	t.Cleanup(func() { v.Close() })
	return v, f
}

// Sync implements File.
func (f *faultFile) Sync() error {
	f.fs.mu.Lock()
	hook := f.fs.fsync
	f.fs.mu.Unlock()
	if hook != nil {
		if err := hook(f.name); err != nil {
			return err
		}
	}
	return f.File.Sync()
}
