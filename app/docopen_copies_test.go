package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"casevault/app/tempcopy"
)

// fakeDoc stands for a document behind a copy: its saves are versions.
type fakeDoc struct {
	mu       sync.Mutex
	versions []string // 1: what was opened
	problems []error
	asked    int
	answer   bool // what Ask says (when ask is on)
	ask      bool
	saveErr  error
}

func (d *fakeDoc) hooks() copyHooks {
	h := copyHooks{
		save: func(ctx context.Context, path string) (any, int, [32]byte, error) {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.saveErr != nil {
				return nil, 0, [32]byte{}, d.saveErr
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, 0, [32]byte{}, err
			}
			d.versions = append(d.versions, string(b))
			return string(b), len(d.versions), sha256.Sum256(b), nil
		},
		problem: func(err error) { d.mu.Lock(); d.problems = append(d.problems, err); d.mu.Unlock() },
	}
	if d.ask {
		h.ask = func() bool { d.mu.Lock(); defer d.mu.Unlock(); d.asked++; return d.answer }
	}
	return h
}

func (d *fakeDoc) saved() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.versions[1:]...)
}

// testCopies are copies under a test folder whose watcher never ticks
// unless the test sends on tick.
func testCopies(t *testing.T) (*docCopies, chan time.Time) {
	t.Helper()
	tick := make(chan time.Time)
	c := &docCopies{root: &tempcopy.Root{Dir: filepath.Join(t.TempDir(), tempcopy.DirName)},
		ticker: func() (<-chan time.Time, func()) { return tick, func() {} }}
	t.Cleanup(func() { c.shutdown(context.Background()) })
	return c, tick
}

// openFake makes a copy of content named name behind d.
func openFake(t *testing.T, c *docCopies, d *fakeDoc, name, content string) *openCopy {
	t.Helper()
	d.versions = []string{content}
	path, _, _, err := c.create(name, func(f *os.File) error { _, err := f.WriteString(content); return err })
	if err != nil {
		t.Fatal(err)
	}
	w, err := tempcopy.NewWatchAs(path, sha256.Sum256([]byte(content)))
	if err != nil {
		t.Fatal(err)
	}
	oc := &openCopy{path: path, docID: 1, name: name, version: 1, w: w, hooks: d.hooks()}
	if err := c.add(oc); err != nil {
		t.Fatal(err)
	}
	return oc
}

func checkN(t *testing.T, c *docCopies, n int) (results []any, err error) {
	t.Helper()
	for range n {
		r, e := c.check(context.Background())
		results = append(results, r...)
		err = errors.Join(err, e)
	}
	return results, err
}

func TestCopyEditsBecomeVersions(t *testing.T) {
	t.Parallel()
	c, _ := testCopies(t)
	d := &fakeDoc{}
	oc := openFake(t, c, d, "Lee v Smith.txt", "first draft")
	if r, err := checkN(t, c, 3); r != nil || err != nil {
		t.Fatalf("untouched copy: %v %v", r, err)
	}
	// Saved in place: one version, once the file stayed put for a look.
	os.WriteFile(oc.path, []byte("second draft"), 0o600)
	if r, _ := c.check(ctx); r != nil {
		t.Fatal("a change was saved before it settled")
	}
	if r, err := checkN(t, c, 3); len(r) != 1 || r[0] != "second draft" || err != nil {
		t.Fatalf("in-place save: %v %v", r, err)
	}
	// Written beside it and renamed over it.
	tmp := filepath.Join(filepath.Dir(oc.path), ".~tmp")
	os.WriteFile(tmp, []byte("third draft"), 0o600)
	os.Rename(tmp, oc.path)
	if r, err := checkN(t, c, 3); len(r) != 1 || r[0] != "third draft" || err != nil {
		t.Fatalf("rename-over save: %v %v", r, err)
	}
	var at int
	c.each(func(_ *openCopy, v int) { at = v })
	if got := d.saved(); len(got) != 2 || at != 3 {
		t.Fatalf("versions %q, copy at %d", got, at)
	}
}

func TestCopyAskNo(t *testing.T) {
	t.Parallel()
	c, _ := testCopies(t)
	d := &fakeDoc{ask: true}
	oc := openFake(t, c, d, "memo.txt", "one")
	os.WriteFile(oc.path, []byte("two"), 0o600)
	if r, _ := checkN(t, c, 4); r != nil || d.asked != 1 {
		t.Fatalf("said no: saved %v, asked %d times", r, d.asked)
	}
	// Closing does not ask again about the same bytes, and saves nothing.
	if r, err := c.closeOne(ctx, oc.path); r != nil || err != nil || d.asked != 1 {
		t.Fatalf("close after no: %v %v, asked %d", r, err, d.asked)
	}
	if got := d.saved(); len(got) != 0 {
		t.Fatalf("saved %q", got)
	}
	// A yes saves.
	d.answer = true
	oc = openFake(t, c, d, "memo.txt", "one")
	os.WriteFile(oc.path, []byte("three"), 0o600)
	if r, _ := checkN(t, c, 2); len(r) != 1 || d.asked != 2 {
		t.Fatalf("said yes: %v, asked %d", r, d.asked)
	}
}

func TestCopyGoneOnce(t *testing.T) {
	t.Parallel()
	c, _ := testCopies(t)
	d := &fakeDoc{}
	oc := openFake(t, c, d, "scan.pdf", "%PDF")
	os.Remove(oc.path)
	_, err := checkN(t, c, 5)
	var ge *CopyGoneError
	if !errors.Is(err, ErrCopyGone) || !errors.As(err, &ge) || ge.Name != "scan.pdf" || len(d.problems) != 1 {
		t.Fatalf("gone: %v; problems %v", err, d.problems)
	}
	if !strings.Contains(err.Error(), "open the document again") {
		t.Fatalf("message: %v", err)
	}
	if len(c.copies()) != 0 {
		t.Fatal("a gone copy is still watched")
	}
	if _, err := os.Stat(filepath.Dir(oc.path)); !os.IsNotExist(err) {
		t.Fatalf("the gone copy's folder stayed: %v", err)
	}
	if _, err := c.closeOne(ctx, oc.path); !errors.Is(err, errNoCopy) {
		t.Fatalf("closing a gone copy: %v", err)
	}
}

func TestCopySaveFailures(t *testing.T) {
	t.Parallel()
	c, _ := testCopies(t)
	d := &fakeDoc{saveErr: errors.New("your role cannot add versions")}
	oc := openFake(t, c, d, "a.txt", "a")
	os.WriteFile(oc.path, []byte("b"), 0o600)
	_, err := checkN(t, c, 5)
	var se *CopySaveError
	if !errors.As(err, &se) || len(d.problems) != 1 || !strings.Contains(se.Error(), "“a.txt” could not be kept as a new version: your role") {
		t.Fatalf("failed save: %v, problems %v", err, d.problems)
	}
	// Still changing when the save looked: tried again at the next look.
	d.saveErr = errCopyRetry
	os.WriteFile(oc.path, []byte("c"), 0o600)
	checkN(t, c, 3)
	d.saveErr = nil
	if r, err := checkN(t, c, 1); len(r) != 1 || r[0] != "c" || err != nil || len(d.problems) != 1 {
		t.Fatalf("retried: %v %v %v", r, err, d.problems)
	}
}

func TestCloseCopySavesLastChange(t *testing.T) {
	t.Parallel()
	c, _ := testCopies(t)
	d := &fakeDoc{}
	oc := openFake(t, c, d, "will.txt", "draft")
	other := openFake(t, c, &fakeDoc{}, "other.txt", "x")
	os.WriteFile(oc.path, []byte("signed"), 0o600) // no look in between
	os.WriteFile(filepath.Join(filepath.Dir(oc.path), ".~lock.will.txt#"), []byte("lo"), 0o600)
	r, err := c.closeOne(ctx, oc.path)
	if r != "signed" || err != nil {
		t.Fatalf("close: %v %v", r, err)
	}
	if _, err := os.Stat(filepath.Dir(oc.path)); !os.IsNotExist(err) {
		t.Fatal("the closed copy's folder stayed")
	}
	if cs := c.copies(); len(cs) != 1 || cs[0] != other {
		t.Fatalf("open copies %v", cs)
	}
}

func TestCopyProgramDone(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("whether a program holds a file is known on Linux")
	}
	c, _ := testCopies(t)
	d := &fakeDoc{}
	oc := openFake(t, c, d, "held.txt", "one")
	never := openFake(t, c, &fakeDoc{}, "never.txt", "x") // never seen held: stays
	f, err := os.OpenFile(oc.path, os.O_RDWR, 0)          // the "program"
	if err != nil {
		t.Fatal(err)
	}
	checkN(t, c, 2)
	if !oc.held {
		t.Fatal("the open file was not seen held")
	}
	f.WriteString("two")
	f.Close()
	checkN(t, c, idlePolls)
	if got := d.saved(); len(got) != 1 || got[0] != "two" {
		t.Fatalf("saved %q", got)
	}
	if cs := c.copies(); len(cs) != 1 || cs[0] != never {
		t.Fatalf("open copies after the program let go: %v", cs)
	}
	if _, err := os.Stat(oc.path); !os.IsNotExist(err) {
		t.Fatal("the copy the program was done with stayed")
	}
}

func TestCopiesShutdown(t *testing.T) {
	t.Parallel()
	c, _ := testCopies(t)
	d := &fakeDoc{ask: true} // locking does not ask
	oc := openFake(t, c, d, "brief.txt", "one")
	openFake(t, c, &fakeDoc{}, "clean.txt", "x")
	os.WriteFile(oc.path, []byte("saved just before locking"), 0o600)
	var held *os.File
	if runtime.GOOS == "linux" {
		held, _ = os.Open(oc.path)
		defer held.Close()
	}
	notes := c.shutdown(ctx)
	if got := d.saved(); len(got) != 1 || d.asked != 0 {
		t.Fatalf("saved %q, asked %d", got, d.asked)
	}
	all := strings.Join(notes, "\n")
	if !strings.Contains(all, "The changes saved in “brief.txt” were kept as version 2 when the vault locked.") {
		t.Fatalf("notices: %q", notes)
	}
	if held != nil && !strings.Contains(all, "1 document was still open when the vault locked: “brief.txt” (in ") {
		t.Fatalf("notices: %q", notes)
	}
	if ents, err := os.ReadDir(c.root.Dir); err != nil || len(ents) != 0 {
		t.Fatalf("copies folder after locking: %v %v", ents, err)
	}
	if n := c.shutdown(ctx); n != nil {
		t.Fatal("second shutdown said", n)
	}
	if _, _, _, err := c.create("x.txt", func(*os.File) error { return nil }); !errors.Is(err, errCopiesClosed) {
		t.Fatalf("create after shutdown: %v", err)
	}
}

func TestCopiesWatcherTicks(t *testing.T) {
	t.Parallel()
	c, tick := testCopies(t)
	d := &fakeDoc{}
	savedc := make(chan any, 1)
	oc := openFake(t, c, d, "t.txt", "one")
	oc.hooks.saved = func(r any) { savedc <- r }
	os.WriteFile(oc.path, []byte("two"), 0o600)
	tick <- time.Now() // sees the change
	tick <- time.Now() // it stayed put: saved
	select {
	case r := <-savedc:
		if r != "two" {
			t.Fatalf("saved %v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher saved nothing")
	}
	c.shutdown(ctx) // stops the watcher: a tick now would block forever
	select {
	case tick <- time.Now():
		t.Fatal("the watcher still runs")
	default:
	}
}

func TestWipeOpenCopies(t *testing.T) {
	c, _ := testCopies(t)
	oc := openFake(t, c, &fakeDoc{}, "x.txt", "x")
	WipeOpenCopies()
	if _, err := os.Stat(filepath.Dir(filepath.Dir(oc.path))); !os.IsNotExist(err) {
		t.Fatalf("copies stayed: %v", err)
	}
}

func TestSessionCloseWipesCopies(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	root := filepath.Join(t.TempDir(), tempcopy.DirName)
	s.copies.root = &tempcopy.Root{Dir: root}
	openFake(t, &s.copies, &fakeDoc{}, "y.txt", "y")
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if ents, err := os.ReadDir(root); err != nil || len(ents) != 0 {
		t.Fatalf("copies folder after Close: %v %v", ents, err)
	}
}

// TestLockWhileAsking: the vault locks while Ask waits for an answer (a
// dialog): locking does not wait for it, and keeps the change.
func TestLockWhileAsking(t *testing.T) {
	t.Parallel()
	c, tick := testCopies(t)
	d := &fakeDoc{}
	oc := openFake(t, c, d, "q.txt", "one")
	asking, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	oc.hooks.ask = func() bool { close(asking); <-release; return false }
	os.WriteFile(oc.path, []byte("two"), 0o600)
	tick <- time.Now()
	tick <- time.Now()
	select {
	case <-asking:
	case <-time.After(10 * time.Second):
		t.Fatal("not asked")
	}
	notes := c.shutdown(ctx)
	if got := d.saved(); len(got) != 1 || got[0] != "two" || len(notes) != 1 {
		t.Fatalf("saved %q, notices %q", got, notes)
	}
}
