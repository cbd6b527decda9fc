package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"syscall"

	"casevault/vault"
	"casevault/vault/atomicfile"
)

// Backend stores a repository's files. Names are slash-separated paths
// relative to the repository folder ("data/ab/ab12...", "snapshots/..."). The
// local folder is the only real backend; tests wrap it to inject faults
// (a full drive, a vanished drive, a kill in the middle of a write).
type Backend interface {
	// Save writes name durably and atomically: a crash leaves the old file
	// (or none) or the whole new one, never part of it.
	Save(ctx context.Context, name string, data []byte) error
	// Load reads a whole file.
	Load(ctx context.Context, name string) ([]byte, error)
	// ReadAt reads n bytes of name at off.
	ReadAt(ctx context.Context, name string, off int64, n int) ([]byte, error)
	// List returns the files under dir (recursively), sorted by name.
	List(ctx context.Context, dir string) ([]FileInfo, error)
	// Remove deletes a file; a missing file is not an error.
	Remove(ctx context.Context, name string) error
	// RemoveTemps deletes the temporary files that interrupted Saves left
	// behind (".tmp-*" anywhere in the repository). Best effort: a file it
	// cannot delete stays, and List skips it. Called under the lock.
	RemoveTemps(ctx context.Context)
	// Rename moves a file to a new name atomically, replacing none: it
	// needs no free space, so it works on a full drive.
	Rename(ctx context.Context, from, to string) error
	// Lock takes the repository's lock for one process at a time.
	Lock() (unlock func() error, err error)
	// Root is the folder, for messages.
	Root() string
}

// FileInfo names a stored file and its size.
type FileInfo struct {
	Name string
	Size int64
}

// Local is the Backend of a folder on a local or removable drive. It never
// changes permissions and never makes links, so FAT32 and exFAT sticks work.
type Local struct {
	root string
}

var _ Backend = (*Local)(nil)

// NewLocal returns the backend of the folder root.
func NewLocal(root string) *Local { return &Local{root: filepath.Clean(root)} }

// Root is the repository folder.
func (l *Local) Root() string { return l.root }

func (l *Local) path(name string) string {
	return filepath.Join(l.root, filepath.FromSlash(name))
}

// Save implements Backend: temp file, fsync, rename, fsync the folder
// (atomicfile).
func (l *Local) Save(ctx context.Context, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := l.path(name)
	dir := filepath.Dir(p)
	if err := l.mkdirs(dir); err != nil {
		return l.classify(name, err)
	}
	if err := atomicfile.Replace(p, data); err != nil {
		return l.classify(name, err)
	}
	if err := syncDir(dir); err != nil {
		return l.classify(name, err)
	}
	return nil
}

// mkdirs makes the folders from the repository folder down to dir, but
// never the repository folder itself: when it is gone (the drive was
// unplugged), MkdirAll would make it again on the disk under the empty
// mount point and the backup would go there.
func (l *Local) mkdirs(dir string) error {
	if dir == l.root {
		return nil
	}
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrNotExist) {
		if err := l.mkdirs(filepath.Dir(dir)); err != nil {
			return err
		}
		err = os.Mkdir(dir, 0o700)
	}
	if err != nil && errors.Is(err, fs.ErrExist) {
		return nil
	}
	return err
}

func syncDir(dir string) error {
	if err := atomicfile.SyncDir(dir); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err // EINVAL: the file system cannot sync folders (some FUSE/exFAT)
	}
	return nil
}

// Load implements Backend.
func (l *Local) Load(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(l.path(name))
	if err != nil {
		return nil, l.classify(name, err)
	}
	return b, nil
}

// ReadAt implements Backend.
func (l *Local) ReadAt(ctx context.Context, name string, off int64, n int) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(l.path(name))
	if err != nil {
		return nil, l.classify(name, err)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		return nil, &DamagedError{File: name, Reason: fmt.Sprintf("cannot read %d bytes at offset %d: %v", n, off, err)}
	}
	return b, nil
}

// List implements Backend. Temp files are skipped.
func (l *Local) List(ctx context.Context, dir string) ([]FileInfo, error) {
	var out []FileInfo
	root := l.path(dir)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root && errors.Is(err, fs.ErrNotExist) {
				if _, serr := os.Stat(l.root); serr != nil {
					return err // the repository folder itself is gone: classify says so
				}
				return fs.SkipDir
			}
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if d.IsDir() || atomicfile.IsTemp(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(l.root, p)
		if err != nil {
			return err
		}
		out = append(out, FileInfo{Name: filepath.ToSlash(rel), Size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, l.classify(dir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove implements Backend.
func (l *Local) Remove(ctx context.Context, name string) error {
	if err := os.Remove(l.path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return l.classify(name, err)
	}
	return nil
}

// Rename implements Backend.
func (l *Local) Rename(ctx context.Context, from, to string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := l.path(to)
	if err := l.mkdirs(filepath.Dir(p)); err != nil {
		return l.classify(to, err)
	}
	if _, err := os.Lstat(p); err == nil {
		return fmt.Errorf("%s: %w", path.Join(l.root, to), fs.ErrExist)
	}
	if err := os.Rename(l.path(from), p); err != nil {
		return l.classify(from, err)
	}
	if err := syncDir(filepath.Dir(p)); err != nil {
		return l.classify(to, err)
	}
	if err := syncDir(filepath.Dir(l.path(from))); err != nil {
		return l.classify(from, err)
	}
	return nil
}

// RemoveTemps implements Backend: deletes temp files a killed Save left behind.
func (l *Local) RemoveTemps(ctx context.Context) {
	filepath.WalkDir(l.root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && !d.IsDir() && atomicfile.IsTemp(d.Name()) {
			os.Remove(p)
		}
		return nil
	})
}

// Lock implements Backend with the vault's lock (flock on DIR/lock).
func (l *Local) Lock() (func() error, error) {
	unlock, err := vault.LockPath(filepath.Join(l.root, "lock"))
	if err != nil {
		var le *vault.LockedError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("%w (process %d on %s); wait for it to finish", ErrRepoBusy, le.PID, le.Host)
		}
		return nil, l.classify("lock", err)
	}
	return unlock, nil
}

// classify turns an I/O error into one the user can act on: a full drive, a
// drive that went away or cannot be written, or a missing file.
func (l *Local) classify(name string, err error) error {
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &errno) && (errno == syscall.ENOSPC || errno == syscall.EDQUOT):
		return fmt.Errorf("%w: writing %s: %v", ErrTargetFull, path.Join(l.root, name), err)
	case errors.As(err, &errno) && (errno == syscall.EROFS || errno == syscall.EACCES || errno == syscall.EPERM):
		if _, serr := os.Stat(l.root); serr != nil {
			return fmt.Errorf("%w: %s: %v", ErrTargetGone, l.root, err)
		}
		return fmt.Errorf("%w: %s: %v", ErrTargetReadOnly, path.Join(l.root, name), err)
	case errors.As(err, &errno) && (errno == syscall.EIO || errno == syscall.ENODEV || errno == syscall.ENXIO || errno == syscall.ESTALE):
		return fmt.Errorf("%w: %s: %v", ErrTargetGone, l.root, err)
	}
	if _, serr := os.Stat(l.root); serr != nil {
		return fmt.Errorf("%w: %s: %v", ErrTargetGone, l.root, err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s is missing", ErrMissingFile, path.Join(l.root, name))
	}
	return fmt.Errorf("%s: %w", path.Join(l.root, name), err)
}
