package vault

import (
	"os"

	"casevault/vault/atomicfile"
)

// FS is the part of the file system whose failures decide what a vault has
// promised: the redo log file (written, cut back and flushed in place) and
// the folder fsyncs that make new, renamed and removed files durable. A Vault
// does these through the FS it was given (CreateOptions.FS); the operating
// system's file system is the only real one, and tests wrap it to make a
// flush fail where the disk would (fault_test.go). It is kept as small as
// that: reads, whole-file replacement (atomicfile) and deletions go to the
// operating system directly.
//
// A Vault may call SyncDir, and the methods of different Files, from
// several goroutines at once (a checkpoint flushes its chunk files and
// their folders in parallel).
//
// Durability contract: nothing written or cut through FS or File survives a
// power cut until the matching flush (File.Datasync or File.Sync for a
// file's contents and size, SyncDir for a folder's list of names) has
// returned nil. A flush that fails leaves it unknown what is on the disk.
type FS interface {
	// OpenFile opens or creates the file name as os.OpenFile does (flag
	// and perm mean the same). A created file's name is not durable until
	// SyncDir of its folder.
	OpenFile(name string, flag int, perm os.FileMode) (File, error)
	// SyncDir flushes the folder dir (fsync of the folder): once it
	// returns nil, the files created, renamed or removed in dir before the
	// call survive a power cut under their names.
	SyncDir(dir string) error
}

// File is an open file of an FS: only what the redo log needs.
type File interface {
	// WriteAt writes p at offset off, as os.File.WriteAt. Not durable
	// until Datasync or Sync.
	WriteAt(p []byte, off int64) (n int, err error)
	// Truncate changes the file's size, as os.File.Truncate. Not durable
	// until Datasync or Sync.
	Truncate(size int64) error
	// Datasync flushes the file's data and the metadata needed to read it
	// back, its size included (fdatasync(2) on Linux, fsync elsewhere):
	// once it returns nil, everything written and cut before the call
	// survives a power cut. The redo log's one flush per record.
	Datasync() error
	// Sync is Datasync plus the rest of the file's metadata (fsync(2)).
	Sync() error
	// Close closes the file. It flushes nothing.
	Close() error
}

// osFS is the operating system's file system: the FS of every vault that
// was not given another.
type osFS struct{}

var (
	_ FS   = osFS{}
	_ File = osFile{}
)

// OpenFile implements FS.
func (osFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// SyncDir implements FS.
func (osFS) SyncDir(dir string) error { return atomicfile.SyncDir(dir) }

// osFile is an *os.File with Datasync.
type osFile struct{ *os.File }

// Datasync implements File.
func (f osFile) Datasync() error { return datasync(f.File) }

// orOS returns fsys, or the operating system's file system if it is nil.
func orOS(fsys FS) FS {
	if fsys == nil {
		return osFS{}
	}
	return fsys
}
