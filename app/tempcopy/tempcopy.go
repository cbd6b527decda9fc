// Package tempcopy keeps the temporary plain copies of documents that a
// person opens in their usual program: the one place where a document's
// plaintext touches the disk. Each running program (a session) has its own
// private folder, locked while it lives:
//
//	<base>/casevault-copies/<session>/<n>/<document's name>
//
// folders 0700, files 0600, where base is, on Linux, $XDG_RUNTIME_DIR (the
// user's own folder, in memory), else /dev/shm (in memory), else the
// system's temporary folder (on disk: Root.InMemory is false). In a folder
// other users can write to, the copies folder's name ends with the user's
// id ("casevault-copies-1000").
//
// A session's folder goes at Wipe (lock, exit), and at the next start after
// a crash (WipeStale: a session folder whose lock nobody holds). Snapshot
// and Watch tell when a program saved a copy; InUse whether a program still
// has it open. The package uses the standard library only.
package tempcopy

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"
)

// DirName is the copies folder's name in its base folder.
const DirName = "casevault-copies"

// lockName is the session's lock file, in its folder.
const lockName = "session.lock"

// ErrNotMine: a path given to Remove is not a copy of this session.
var ErrNotMine = errors.New("not a temporary copy of this session")

// ErrWiped: the session's folder is gone (Wipe was called).
var ErrWiped = errors.New("the temporary copies were already deleted")

type base struct {
	dir      string
	inMemory bool
	shared   bool // other users may write in dir
}

func (b base) root() Root {
	name := DirName
	if b.shared {
		name += userSuffix()
	}
	return Root{Dir: filepath.Join(b.dir, name), InMemory: b.inMemory}
}

// Root is a copies folder.
type Root struct {
	Dir      string // <base>/casevault-copies
	InMemory bool   // on tmpfs: the copies never reach a disk (but for swap)
}

// Choose returns the copies folder to use, made (0700) if need be: the
// first of the candidate places where this user has, or can make, a
// private folder. A place where the name is taken by a symbolic link,
// a file or another user's folder is passed over.
func Choose() (Root, error) {
	var errs []error
	for _, b := range candidates() {
		r := b.root()
		if err := ensurePrivate(r.Dir); err != nil {
			errs = append(errs, err)
			continue
		}
		return r, nil
	}
	return Root{}, fmt.Errorf("no private folder for temporary copies: %w", errors.Join(errs...))
}

// Roots are the copies folders of every candidate place (existing or not):
// WipeStale looks in each, since the place chosen depends on the
// environment the program was started in.
func Roots() []Root {
	var out []Root
	for _, b := range candidates() {
		out = append(out, b.root())
	}
	return out
}

// ensurePrivate makes dir (0700) or checks that the one there is a real
// folder of this user, and makes it 0700.
func ensurePrivate(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("making the copies folder %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("checking the copies folder %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder (%v)", dir, fi.Mode().Type())
	}
	if !ownedByMe(fi) {
		return fmt.Errorf("%s belongs to another user", dir)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("making the copies folder %s private: %w", dir, err)
		}
	}
	return nil
}

// Session is one running program's copies folder, locked while it lives.
// Safe for concurrent use.
type Session struct {
	Root Root
	dir  string

	mu    sync.Mutex
	lock  *os.File
	n     int
	wiped bool
}

// Start makes a new session folder in r (r.Dir is made if need be) and
// locks it.
func Start(r Root) (*Session, error) {
	if err := ensurePrivate(r.Dir); err != nil {
		return nil, err
	}
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("naming the copies folder: %w", err)
	}
	dir := filepath.Join(r.Dir, hex.EncodeToString(id[:]))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("making the copies folder: %w", err)
	}
	lock, _, err := takeLock(filepath.Join(dir, lockName), true)
	if err != nil || lock == nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("locking the copies folder: %w", err)
	}
	return &Session{Root: r, dir: dir, lock: lock}, nil
}

// Dir is the session's folder.
func (s *Session) Dir() string { return s.dir }

// Create writes a new copy named name (through SanitizeName) in a new
// numbered folder of the session: write gets the file (0600); on its error
// the copy and its folder are removed. It returns the copy's path.
func (s *Session) Create(name string, write func(f *os.File) error) (string, error) {
	s.mu.Lock()
	if s.wiped {
		s.mu.Unlock()
		return "", ErrWiped
	}
	s.n++
	d := filepath.Join(s.dir, strconv.Itoa(s.n))
	err := os.Mkdir(d, 0o700)
	s.mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("making a folder for the copy: %w", err)
	}
	path := filepath.Join(d, SanitizeName(name))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		os.RemoveAll(d)
		return "", fmt.Errorf("making the copy: %w", err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing the copy: %w", cerr)
	}
	if err != nil {
		os.RemoveAll(d)
		return "", err
	}
	return path, nil
}

// Remove deletes the copy at path with its numbered folder (and whatever a
// program put beside it, such as a lock file). Where a program holding the
// file stops the deletion (Windows), left names what stayed; it goes at
// Wipe or at the next start.
func (s *Session) Remove(path string) (left []string, err error) {
	d := filepath.Dir(path)
	if filepath.Dir(d) != s.dir || d == s.dir {
		return nil, fmt.Errorf("%s: %w", path, ErrNotMine)
	}
	return removeAll(d)
}

// Wipe deletes the session's folder with every copy in it and releases its
// lock; left names the files that could not be deleted (a program on
// Windows still holding one), which the next start's WipeStale removes.
// Idempotent.
func (s *Session) Wipe() (left []string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wiped {
		return nil, nil
	}
	s.wiped = true
	if s.lock != nil {
		dropLock(s.lock) // first: Windows cannot delete an open file
		s.lock = nil
	}
	return removeAll(s.dir)
}

// removeAll deletes dir; on failure it lists the files that stayed.
func removeAll(dir string) (left []string, err error) {
	err = os.RemoveAll(dir)
	if err == nil {
		return nil, nil
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, werr error) error {
		if werr == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	sort.Strings(left)
	return left, fmt.Errorf("deleting the temporary copies in %s: %w", dir, err)
}

// lockless is how long a session folder without a lock file is left alone:
// Start makes the folder, then its lock file, a moment later.
const lockless = time.Minute

// WipeStale deletes every session folder in r whose lock nobody holds:
// what a crashed or killed program left, including the files programs put
// beside the copies. removed counts the folders deleted; left names files
// that could not be (a program still holding one, on Windows).
func WipeStale(r Root) (removed int, left []string, err error) {
	entries, err := os.ReadDir(r.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("reading the copies folder: %w", err)
	}
	fi, err := os.Lstat(r.Dir)
	if err != nil || !fi.IsDir() || !ownedByMe(fi) {
		return 0, nil, nil // not ours: leave it alone (Choose passes it over)
	}
	var errs []error
	for _, e := range entries {
		p := filepath.Join(r.Dir, e.Name())
		if !e.IsDir() {
			os.Remove(p) // a stray file or link: never a live session's
			continue
		}
		lock, held, lerr := takeLock(filepath.Join(p, lockName), false)
		switch {
		case held:
			continue
		case errors.Is(lerr, fs.ErrNotExist):
			if fi, err := os.Lstat(p); err != nil || time.Since(fi.ModTime()) < lockless {
				continue // being started right now
			}
		case lerr != nil:
			errs = append(errs, lerr)
			continue
		}
		l, rerr := removeAll(p)
		dropLock(lock)
		if rerr != nil {
			left = append(left, l...)
			errs = append(errs, rerr)
			continue
		}
		removed++
	}
	return removed, left, errors.Join(errs...)
}

// WipeStaleAll runs WipeStale in every candidate place.
func WipeStaleAll() (removed int, left []string, err error) {
	var errs []error
	for _, r := range Roots() {
		n, l, err := WipeStale(r)
		removed += n
		left = append(left, l...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return removed, left, errors.Join(errs...)
}
