package app

// The temporary copies of opened documents, below the documents' own
// words (docopen.go): where they are made, how they are watched, saved as
// new versions and deleted. See app/tempcopy and docs/THREAT-MODEL.md,
// "Temporary copies".

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"casevault/app/human"
	"casevault/app/tempcopy"
)

// ErrCopyGone: an opened document's temporary copy vanished (deleted or
// moved away by a program or a person) before casevault was done with it.
var ErrCopyGone = errors.New("the opened copy is gone")

// CopyGoneError names the copy that vanished. Changes saved in it before
// it vanished and seen by casevault are versions already; later ones are
// lost with the copy.
type CopyGoneError struct{ Name, Path string }

func (e *CopyGoneError) Error() string {
	return fmt.Sprintf("the temporary copy of %s was deleted or moved away (%s), so casevault no longer watches it for changes: "+
		"open the document again to go on editing it", docName(e.Name), human.Escape(e.Path))
}

// Is reports whether target is ErrCopyGone.
func (e *CopyGoneError) Is(target error) bool { return target == ErrCopyGone }

// CopySaveError: a saved change of an opened copy could not be made a new
// version. The copy stays open; a later change is tried again.
type CopySaveError struct {
	Name string
	Err  error
}

func (e *CopySaveError) Error() string {
	return fmt.Sprintf("the changes saved in %s could not be kept as a new version: %v", docName(e.Name), e.Err)
}

func (e *CopySaveError) Unwrap() error { return e.Err }

// docName is a document's name as a sentence shows it.
func docName(name string) string { return "“" + human.Escape(name) + "”" }

// copiesPoll is how often the watcher looks at the open copies.
const copiesPoll = time.Second

// idlePolls is how many polls in a row a copy that a program was seen
// holding must be free before the program counts as done with it.
const idlePolls = 3

// errCopyRetry from a save hook: try again at the next poll (the file was
// still being written).
var errCopyRetry = errors.New("try again")

// errNoCopy: a path that is not an open copy of this session.
var errNoCopy = errors.New("that file is not a temporary copy of a document opened in this session")

// errCopiesClosed: the session is locking; no new copy.
var errCopiesClosed = errors.New("the vault is being locked: open the document again once it is unlocked")

// docCopies are a session's open copies. The zero value is ready.
type docCopies struct {
	// root (tests) is where copies go; nil: tempcopy.Choose. ticker
	// (tests) gives the watcher's ticks; nil: every copiesPoll.
	root   *tempcopy.Root
	ticker func() (<-chan time.Time, func())

	checkMu sync.Mutex // one look at the copies at a time; guards each Watch

	mu         sync.Mutex
	tc         *tempcopy.Session
	list       []*openCopy
	toldOnDisk bool
	stop       context.CancelFunc
	done       chan struct{}
	shut       bool
	notices    []string
}

// openCopy is one opened document's copy.
type openCopy struct {
	path  string
	docID int64
	name  string // the document's name
	w     *tempcopy.Watch
	hooks copyHooks
	meta  any // what docopen.go keeps of it (an OpenCopy)

	version int // made from, then the last saved from it; under docCopies.mu

	held    bool // a program was seen holding it
	idle    int  // polls in a row it was free since
	lastErr string
}

// copyHooks are what a copy does when it changes (docopen.go fills them).
type copyHooks struct {
	ask     func() bool // nil: save every change
	save    func(ctx context.Context, path string) (result any, n int, stored [32]byte, err error)
	saved   func(result any)
	problem func(err error)
}

func (h copyHooks) report(err error) {
	if h.problem != nil && err != nil {
		h.problem(err)
	}
}

// create writes a new copy named name. notice is set the first time in
// the session that a copy is made on disk rather than in memory.
func (c *docCopies) create(name string, write func(f *os.File) error) (path string, root tempcopy.Root, notice string, err error) {
	c.mu.Lock()
	if c.shut {
		c.mu.Unlock()
		return "", root, "", errCopiesClosed
	}
	if c.tc == nil {
		r := c.root
		if r == nil {
			chosen, err := tempcopy.Choose()
			if err != nil {
				c.mu.Unlock()
				return "", root, "", err
			}
			r = &chosen
		}
		tc, err := tempcopy.Start(*r)
		if err != nil {
			c.mu.Unlock()
			return "", root, "", err
		}
		c.tc = tc
		liveCopies.add(tc)
	}
	tc := c.tc
	if !tc.Root.InMemory && !c.toldOnDisk {
		c.toldOnDisk = true
		notice = fmt.Sprintf("This computer has no folder in memory for the copies of opened documents, so they are written to %s "+
			"on its disk. They are deleted when you close them, when the vault locks and when casevault quits, "+
			"but the disk may keep traces of them; an encrypted disk keeps these safe.", human.Escape(tc.Root.Dir))
	}
	c.mu.Unlock()
	path, err = tc.Create(name, write)
	return path, tc.Root, notice, err
}

// add starts watching oc (its Watch set), and the watcher with the first
// copy.
func (c *docCopies) add(oc *openCopy) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shut {
		c.tc.Remove(oc.path)
		return errCopiesClosed
	}
	c.list = append(c.list, oc)
	if c.done == nil {
		ctx, cancel := context.WithCancel(context.Background())
		tick, stopTick := c.tick()
		c.stop, c.done = cancel, make(chan struct{})
		go func(done chan struct{}) {
			defer close(done)
			defer stopTick()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick:
					c.check(ctx)
				}
			}
		}(c.done)
	}
	return nil
}

func (c *docCopies) tick() (<-chan time.Time, func()) {
	if c.ticker != nil {
		return c.ticker()
	}
	t := time.NewTicker(copiesPoll)
	return t.C, t.Stop
}

// copies is the list of open copies.
func (c *docCopies) copies() []*openCopy {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.list)
}

// each calls fn for every open copy with its version, under c.mu (fn
// must not call back into c).
func (c *docCopies) each(fn func(oc *openCopy, version int)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, oc := range c.list {
		fn(oc, oc.version)
	}
}

// where is the copies folder ("" before the first copy).
func (c *docCopies) where() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tc == nil {
		return ""
	}
	return c.tc.Root.Dir
}

// discard deletes a copy that never was watched.
func (c *docCopies) discard(path string) {
	c.mu.Lock()
	tc := c.tc
	c.mu.Unlock()
	if tc != nil {
		tc.Remove(path)
	}
}

// drop stops watching oc and deletes its copy and folder.
func (c *docCopies) drop(oc *openCopy) error {
	c.mu.Lock()
	c.list = slices.DeleteFunc(c.list, func(o *openCopy) bool { return o == oc })
	tc := c.tc
	c.mu.Unlock()
	if tc == nil {
		return nil
	}
	_, err := tc.Remove(oc.path)
	return err
}

// check looks at every open copy once: a change that stayed put since the
// last look becomes a new version, a vanished copy is reported once, and
// a copy a program held and has let go of for idlePolls looks is saved a
// last time and deleted. It returns the saves' results and every problem.
func (c *docCopies) check(ctx context.Context) ([]any, error) {
	c.checkMu.Lock()
	defer c.checkMu.Unlock()
	list := c.copies()
	if len(list) == 0 {
		return nil, nil
	}
	paths := make([]string, len(list))
	for i, oc := range list {
		paths[i] = oc.path
	}
	held, known := tempcopy.InUseAll(paths)
	var results []any
	var errs []error
	for _, oc := range list {
		if ctx.Err() != nil {
			break
		}
		ev, st, err := oc.w.Poll()
		if err != nil {
			if err.Error() != oc.lastErr { // told once
				oc.lastErr = err.Error()
				e := fmt.Errorf("the temporary copy of %s cannot be read: %w", docName(oc.name), err)
				oc.hooks.report(e)
				errs = append(errs, e)
			}
			continue
		}
		oc.lastErr = ""
		switch ev {
		case tempcopy.Gone:
			e := &CopyGoneError{Name: oc.name, Path: oc.path}
			oc.hooks.report(e)
			errs = append(errs, e)
			c.drop(oc) // what a program left beside it
			continue
		case tempcopy.Changed:
			r, err := c.save(ctx, oc, st, true)
			if r != nil {
				results = append(results, r)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
		if !known {
			continue
		}
		if held[oc.path] {
			oc.held, oc.idle = true, 0
			continue
		}
		if oc.held {
			if oc.idle++; oc.idle >= idlePolls {
				r, err := c.finish(ctx, oc, true)
				if r != nil {
					results = append(results, r)
				}
				if err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return results, errors.Join(errs...)
}

// save makes the copy's state st a new version (after asking, if ask and
// the copy asks). A failure is reported and not tried again for the same
// bytes, unless the file was still changing.
func (c *docCopies) save(ctx context.Context, oc *openCopy, st tempcopy.State, ask bool) (any, error) {
	if ask && oc.hooks.ask != nil {
		yes, answered := askUnless(ctx, oc.hooks.ask)
		if !answered {
			return nil, nil // locking: its last look keeps the change
		}
		if !yes {
			oc.w.Accept(st)
			return nil, nil
		}
	}
	r, n, stored, err := oc.hooks.save(ctx, oc.path)
	switch {
	case err == nil:
	case errors.Is(err, errCopyRetry), errors.Is(err, context.Canceled):
		return nil, nil // the next look, or the last one at locking
	default:
		oc.w.Accept(st)
		e := &CopySaveError{Name: oc.name, Err: err}
		oc.hooks.report(e)
		return nil, e
	}
	if stored == st.SHA256 {
		oc.w.Accept(st)
	} else { // it changed again in between: what was stored is the state
		oc.w.Accept(tempcopy.State{SHA256: stored, Hashed: true})
	}
	c.mu.Lock()
	oc.version = n
	c.mu.Unlock()
	if oc.hooks.saved != nil {
		oc.hooks.saved(r)
	}
	return r, nil
}

// askUnless asks, unless ctx ends first (the vault locks while a dialog
// waits): then the answer, when it comes, is not waited for.
func askUnless(ctx context.Context, ask func() bool) (yes, answered bool) {
	ch := make(chan bool, 1)
	go func() { ch <- ask() }()
	select {
	case yes := <-ch:
		return yes, true
	case <-ctx.Done():
		return false, false
	}
}

// finish saves a last change of oc and deletes it.
func (c *docCopies) finish(ctx context.Context, oc *openCopy, ask bool) (any, error) {
	var r any
	var errs []error
	ev, st, err := oc.w.Final()
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("the temporary copy of %s could not be read a last time: %w", docName(oc.name), err))
	case ev == tempcopy.Changed:
		r, err = c.save(ctx, oc, st, ask)
		errs = append(errs, err)
	}
	if err := c.drop(oc); err != nil {
		errs = append(errs, fmt.Errorf("the temporary copy of %s could not be deleted (it will be the next time casevault starts): %w", docName(oc.name), err))
	}
	return r, errors.Join(errs...)
}

// closeOne saves a last change of the copy at path and deletes it.
func (c *docCopies) closeOne(ctx context.Context, path string) (any, error) {
	c.checkMu.Lock()
	defer c.checkMu.Unlock()
	for _, oc := range c.copies() {
		if oc.path == path {
			return c.finish(ctx, oc, true)
		}
	}
	return nil, fmt.Errorf("%s: %w", human.Escape(path), errNoCopy)
}

// shutdown stops the watcher, saves what was saved in the copies since the
// last look (without asking: the vault is locking, and a version loses
// nothing), and deletes every copy. It returns what the person must be
// told: versions saved now, programs that still had a copy open, copies
// that could not be deleted. Idempotent.
func (c *docCopies) shutdown(ctx context.Context) []string {
	c.mu.Lock()
	if c.shut {
		c.mu.Unlock()
		return nil
	}
	c.shut = true
	stop, done := c.stop, c.done
	c.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	c.checkMu.Lock()
	defer c.checkMu.Unlock()
	var notes []string
	var open []string
	for _, oc := range c.copies() {
		ev, st, err := oc.w.Final()
		switch {
		case err != nil:
			notes = append(notes, human.Capitalize(fmt.Sprintf("the temporary copy of %s could not be read a last time: %v", docName(oc.name), err))+".")
		case ev == tempcopy.Changed:
			if _, err := c.save(ctx, oc, st, false); err != nil {
				notes = append(notes, human.Capitalize(err.Error())+".")
			} else {
				c.mu.Lock()
				n := oc.version
				c.mu.Unlock()
				notes = append(notes, fmt.Sprintf("The changes saved in %s were kept as version %d when the vault locked.", docName(oc.name), n))
			}
		}
		if progs := tempcopy.Holders(oc.path); len(progs) > 0 {
			open = append(open, fmt.Sprintf("%s (in %s)", docName(oc.name), strings.Join(progs, ", ")))
		}
	}
	if len(open) > 0 {
		notes = append(notes, fmt.Sprintf("%s still open when the vault locked: %s. The temporary %s deleted, so what you save there now does not come back into the vault; close %s there.",
			human.Count(len(open), "document was", "documents were"), strings.Join(open, "; "),
			human.Noun(len(open), "copy was", "copies were"), human.Noun(len(open), "it", "them")))
	}
	c.mu.Lock()
	tc := c.tc
	c.list = nil
	c.mu.Unlock()
	if tc != nil {
		left, err := tc.Wipe()
		liveCopies.remove(tc)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s of opened documents could not be deleted (a program still holds %s): %s. "+
				"casevault deletes %s the next time it starts.",
				human.Count(len(left), "temporary copy", "temporary copies"), human.Noun(len(left), "it", "them"),
				human.Escape(strings.Join(left, ", ")), human.Noun(len(left), "it", "them")))
		}
	}
	c.mu.Lock()
	c.notices = append(c.notices, notes...)
	c.mu.Unlock()
	return notes
}

// liveCopies are this process's copies folders, for WipeOpenCopies.
var liveCopies copyRegistry

type copyRegistry struct {
	mu sync.Mutex
	m  map[*tempcopy.Session]bool
}

func (r *copyRegistry) add(tc *tempcopy.Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[*tempcopy.Session]bool{}
	}
	r.m[tc] = true
}

func (r *copyRegistry) remove(tc *tempcopy.Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, tc)
}

// WipeOpenCopies deletes every temporary copy this process made, at once,
// without saving anything: for an exit that cannot wait (an interrupt).
// What a program saved in a copy since the last look (about a second) is
// lost; everything before is a version already.
func WipeOpenCopies() {
	liveCopies.mu.Lock()
	defer liveCopies.mu.Unlock()
	for tc := range liveCopies.m {
		tc.Wipe()
	}
	liveCopies.m = nil
}

// WipeStaleCopies deletes the temporary copies that a casevault which
// crashed or was killed left behind (the ones no running casevault holds),
// wherever they are. main calls it once at start, before a vault is
// opened; what it could not delete (a program still holding a file, on
// Windows) it tries again at the next start.
func WipeStaleCopies() (removed int, err error) {
	removed, _, err = tempcopy.WipeStaleAll()
	return removed, err
}

// CopyNotices is what locking said about the opened documents' copies:
// versions kept from changes saved just before, programs that still had a
// copy open, copies that could not be deleted. The window and the command
// line show it after Close.
func (s *Session) CopyNotices() []string {
	s.copies.mu.Lock()
	defer s.copies.mu.Unlock()
	return slices.Clone(s.copies.notices)
}
