package tempcopy

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// State is what a copy looks like on disk: its metadata and, from
// Snapshot, the SHA-256 of its bytes.
type State struct {
	Size    int64
	ModTime time.Time
	CTime   time.Time // zero where the system does not give it
	Inode   uint64    // zero where the system does not give it
	SHA256  [32]byte  // zero from stat
	Hashed  bool
}

// sameMeta: nothing a save changes differs.
func (a State) sameMeta(b State) bool {
	return a.Size == b.Size && a.ModTime.Equal(b.ModTime) && a.CTime.Equal(b.CTime) && a.Inode == b.Inode
}

// stat reads path's metadata (the path, not an inode: a program that saves
// by writing a new file and renaming it over the old one is seen).
func stat(path string) (State, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return State{}, err
	}
	if !fi.Mode().IsRegular() {
		return State{}, fmt.Errorf("%s is not a plain file (%v)", path, fi.Mode().Type())
	}
	ct, ino := statExtra(fi)
	return State{Size: fi.Size(), ModTime: fi.ModTime(), CTime: ct, Inode: ino}, nil
}

// Snapshot reads path's metadata and hashes its bytes; a file changed
// while it was hashed is hashed again (up to three times).
func Snapshot(path string) (State, error) {
	for try := 0; ; try++ {
		before, err := stat(path)
		if err != nil {
			return State{}, err
		}
		sum, err := hashFile(path)
		if err != nil {
			return State{}, err
		}
		after, err := stat(path)
		if err != nil {
			return State{}, err
		}
		if before.sameMeta(after) || try == 2 {
			after.SHA256, after.Hashed = sum, true
			return after, nil
		}
	}
}

func hashFile(path string) ([32]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [32]byte{}, fmt.Errorf("reading %s: %w", path, err)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum, nil
}

// Event is what a poll of a Watch found.
type Event int

const (
	Unchanged Event = iota // nothing new (or a change still being written)
	Changed                // the bytes differ from the accepted state and stayed put for a poll
	Gone                   // the copy vanished (reported once; the Watch stops)
)

// Watch follows one copy: it tells a change once the program has finished
// saving it (its size and times stayed the same from one poll to the
// next) and the bytes differ from the last accepted state. Not safe for
// concurrent use.
type Watch struct {
	path     string
	accepted State // the content the vault holds (hashed)
	last     State // the metadata of the previous poll
	seen     bool  // last is set
	missing  int   // polls in a row that found no file
	gone     bool
}

// NewWatch starts watching path, whose current bytes are the vault's.
func NewWatch(path string) (*Watch, error) {
	s, err := Snapshot(path)
	if err != nil {
		return nil, err
	}
	return &Watch{path: path, accepted: s, last: s, seen: true}, nil
}

// NewWatchAs starts watching path whose bytes are known to hash to sum
// (the copy was just written from a version whose hash was checked), so
// that they need not be read again.
func NewWatchAs(path string, sum [32]byte) (*Watch, error) {
	s, err := stat(path)
	if err != nil {
		return nil, err
	}
	s.SHA256, s.Hashed = sum, true
	return &Watch{path: path, accepted: s, last: s, seen: true}, nil
}

// Path is the watched path.
func (w *Watch) Path() string { return w.path }

// Poll looks at the copy once. Changed comes with the new state (hashed):
// the caller saves it and calls Accept, or Accept anyway to be asked
// nothing more about those bytes. Gone comes once, after the path was
// missing at two polls in a row (a program may remove the file for a
// moment while it saves); then Poll returns Unchanged for good. An error
// other than a missing file (a file no longer readable) is returned as is.
func (w *Watch) Poll() (Event, State, error) {
	if w.gone {
		return Unchanged, State{}, nil
	}
	cur, err := stat(w.path)
	if errors.Is(err, fs.ErrNotExist) {
		w.missing++
		w.seen = false
		if w.missing >= 2 {
			w.gone = true
			return Gone, State{}, nil
		}
		return Unchanged, State{}, nil
	}
	w.missing = 0
	if err != nil {
		return Unchanged, State{}, err
	}
	if !w.seen || !cur.sameMeta(w.last) {
		w.last, w.seen = cur, true // still being written, perhaps: wait a poll
		return Unchanged, State{}, nil
	}
	if cur.sameMeta(w.accepted) {
		return Unchanged, State{}, nil
	}
	snap, err := Snapshot(w.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Unchanged, State{}, nil // the next poll says
		}
		return Unchanged, State{}, err
	}
	if !snap.sameMeta(cur) {
		w.last = snap // changed while hashed: wait for it to settle
		return Unchanged, State{}, nil
	}
	if snap.SHA256 == w.accepted.SHA256 {
		w.accepted = snap // touched, same bytes
		return Unchanged, State{}, nil
	}
	return Changed, snap, nil
}

// Final looks at the copy one last time, without waiting for it to settle
// (the program is done, or the vault is locking): Changed with the state
// when its bytes differ from the accepted ones, Gone when it is missing.
func (w *Watch) Final() (Event, State, error) {
	if w.gone {
		return Unchanged, State{}, nil
	}
	snap, err := Snapshot(w.path)
	if errors.Is(err, fs.ErrNotExist) {
		w.gone = true
		return Gone, State{}, nil
	}
	if err != nil {
		return Unchanged, State{}, err
	}
	if snap.SHA256 == w.accepted.SHA256 {
		return Unchanged, State{}, nil
	}
	return Changed, snap, nil
}

// Accept makes s the accepted state (it was saved, or the person said
// not to).
func (w *Watch) Accept(s State) { w.accepted = s }

// Accepted is the state the vault holds.
func (w *Watch) Accepted() State { return w.accepted }
