package app

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"casevault/app/access"
	"casevault/app/tempcopy"
	"casevault/vault/testkit"
)

// openFix is a vault with a matter holding one document, whose copies go
// to a test folder and whose watcher never ticks by itself.
type openFix struct {
	s      *Session
	dir    string
	root   string
	doc    int64
	opened []string
	mu     sync.Mutex
	vers   []VersionInfo
	probs  []error
}

const openCanary = "Qzvopencanary Okonkwo settlement 7731"

func newOpenFix(t *testing.T, content string) *openFix {
	t.Helper()
	s, dir, _ := testSession(t)
	fx := &openFix{s: s, dir: dir, root: filepath.Join(t.TempDir(), tempcopy.DirName)}
	s.copies.root = &tempcopy.Root{Dir: fx.root}
	s.copies.ticker = func() (<-chan time.Time, func()) { return nil, func() {} }
	client, err := s.AddClient(ctx, ClientInput{Name: ptr("Ann Lee")})
	if err != nil {
		t.Fatal(err)
	}
	matter, err := s.AddMatter(ctx, MatterInput{ClientID: client, Title: "Lee v. Smith"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.AddDocumentReader(ctx, DocTarget{MatterID: matter}, "Lee letter.txt", strings.NewReader(content), AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fx.doc = d.ID
	return fx
}

func (fx *openFix) options() OpenOptions {
	return OpenOptions{
		Open:      func(p string) error { fx.opened = append(fx.opened, p); return nil },
		OnVersion: func(v VersionInfo) { fx.mu.Lock(); fx.vers = append(fx.vers, v); fx.mu.Unlock() },
		OnProblem: func(err error) { fx.mu.Lock(); fx.probs = append(fx.probs, err); fx.mu.Unlock() },
	}
}

func (fx *openFix) open(t *testing.T, o OpenOptions) *OpenCopy {
	t.Helper()
	c, err := fx.s.OpenDocument(ctx, fx.doc, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// looks runs n looks at the copies.
func (fx *openFix) looks(t *testing.T, n int) (vs []VersionInfo, err error) {
	t.Helper()
	for range n {
		v, e := fx.s.CheckCopies(ctx)
		vs, err = append(vs, v...), errors.Join(err, e)
	}
	return vs, err
}

func (fx *openFix) versions(t *testing.T) []VersionInfo {
	t.Helper()
	vs, err := fx.s.DocumentVersions(ctx, fx.doc)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func (fx *openFix) content(t *testing.T, n int) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := fx.s.ReadDocument(ctx, fx.doc, n, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestOpenDocumentWritesPrivateCopy(t *testing.T) {
	t.Parallel()
	fx := newOpenFix(t, "Dear Ms Lee,")
	before := auditCount(t, fx.s)
	c := fx.open(t, fx.options())
	if a := lastAudit(t, fx.s); a.Action != "document.open" || auditCount(t, fx.s) != before+1 || !strings.Contains(a.Records, "document:") {
		t.Fatalf("audit: %+v (%d entries more)", a, auditCount(t, fx.s)-before)
	}
	if len(fx.opened) != 1 || fx.opened[0] != c.Path || filepath.Base(c.Path) != "Lee letter.txt" || !strings.HasPrefix(c.Path, fx.root) {
		t.Fatalf("opened %v, copy %s", fx.opened, c.Path)
	}
	if b, _ := os.ReadFile(c.Path); string(b) != "Dear Ms Lee," {
		t.Fatalf("copy holds %q", b)
	}
	for p, want := range map[string]os.FileMode{c.Path: 0o600, filepath.Dir(c.Path): 0o700, filepath.Dir(filepath.Dir(c.Path)): 0o700, fx.root: 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", p, fi.Mode().Perm(), err, want)
		}
	}
	// The test folder is not in memory: told once.
	if c.InMemory || !strings.Contains(c.Notice, "on its disk") || c.Version != 1 || c.Document.ID != fx.doc {
		t.Fatalf("copy %+v", c)
	}
	if c2 := fx.open(t, fx.options()); c2.Notice != "" || c2.Path == c.Path {
		t.Fatalf("second copy %+v", c2)
	}
	if cs := fx.s.OpenCopies(); len(cs) != 2 || cs[0].Path != c.Path {
		t.Fatalf("open copies %+v", cs)
	}
	// A program that cannot be started: the copy stays, the error says where.
	o := fx.options()
	o.Open = func(p string) error { return fmt.Errorf("%w: open %s yourself", ErrNoBrowser, p) }
	c3, err := fx.s.OpenDocument(ctx, fx.doc, o)
	if err == nil || c3 == nil || !strings.Contains(err.Error(), c3.Path) {
		t.Fatalf("failed open: %+v %v", c3, err)
	}
	// No such document, no such version: nothing written.
	if _, err := fx.s.OpenDocument(ctx, 9999, fx.options()); !errors.Is(err, ErrDocNotFound) {
		t.Fatalf("missing document: %v", err)
	}
	o = fx.options()
	o.Version = 7
	if _, err := fx.s.OpenDocument(ctx, fx.doc, o); err == nil {
		t.Fatal("a missing version was opened")
	}
	if len(fx.s.OpenCopies()) != 3 {
		t.Fatalf("open copies %+v", fx.s.OpenCopies())
	}
}

func TestOpenedEditsBecomeVersions(t *testing.T) {
	t.Parallel()
	fx := newOpenFix(t, "draft one")
	c := fx.open(t, fx.options())
	if vs, err := fx.looks(t, 3); vs != nil || err != nil {
		t.Fatalf("untouched: %v %v", vs, err)
	}
	// Saved in place.
	os.WriteFile(c.Path, []byte("draft two, longer"), 0o600)
	vs, err := fx.looks(t, 3)
	if err != nil || len(vs) != 1 || vs[0].N != 2 || vs[0].How != "edited" {
		t.Fatalf("in-place save: %+v %v", vs, err)
	}
	// Written beside and renamed over (LibreOffice, most editors).
	tmp := filepath.Join(filepath.Dir(c.Path), "lu123.tmp")
	os.WriteFile(tmp, []byte("draft three"), 0o600)
	os.Rename(tmp, c.Path)
	if vs, err = fx.looks(t, 3); err != nil || len(vs) != 1 || vs[0].N != 3 {
		t.Fatalf("rename-over save: %+v %v", vs, err)
	}
	all := fx.versions(t)
	if len(all) != 3 || fx.content(t, 2) != "draft two, longer" || fx.content(t, 3) != "draft three" || len(fx.vers) != 2 {
		t.Fatalf("versions %+v; told %+v", all, fx.vers)
	}
	for _, v := range all[1:] {
		if v.How != "edited" {
			t.Errorf("version %d: %s", v.N, v.How)
		}
	}
	if cs := fx.s.OpenCopies(); len(cs) != 1 || cs[0].Version != 3 {
		t.Fatalf("open copies %+v", cs)
	}
}

func TestOpenedAskNo(t *testing.T) {
	t.Parallel()
	fx := newOpenFix(t, "one")
	o := fx.options()
	var asked []string
	o.Ask = func(d DocumentInfo) bool { asked = append(asked, d.Name); return false }
	c := fx.open(t, o)
	os.WriteFile(c.Path, []byte("two"), 0o600)
	if vs, err := fx.looks(t, 4); vs != nil || err != nil || len(asked) != 1 || asked[0] != "Lee letter.txt" {
		t.Fatalf("said no: %v %v, asked %v", vs, err, asked)
	}
	if v, err := fx.s.CloseCopy(ctx, c.Path); v != nil || err != nil {
		t.Fatalf("close after no: %v %v", v, err)
	}
	if vs := fx.versions(t); len(vs) != 1 {
		t.Fatalf("versions %+v", vs)
	}
}

func TestOpenedCopyGone(t *testing.T) {
	t.Parallel()
	fx := newOpenFix(t, "one")
	c := fx.open(t, fx.options())
	os.Remove(c.Path)
	_, err := fx.looks(t, 4)
	if !errors.Is(err, ErrCopyGone) || len(fx.probs) != 1 || !errors.Is(fx.probs[0], ErrCopyGone) {
		t.Fatalf("gone: %v; told %v", err, fx.probs)
	}
	if len(fx.s.OpenCopies()) != 0 {
		t.Fatal("still watched")
	}
}

func TestCloseCopy(t *testing.T) {
	t.Parallel()
	fx := newOpenFix(t, "one")
	c := fx.open(t, fx.options())
	os.WriteFile(c.Path, []byte("last words"), 0o600) // no look in between
	v, err := fx.s.CloseCopy(ctx, c.Path)
	if err != nil || v == nil || v.N != 2 || fx.content(t, 2) != "last words" {
		t.Fatalf("close: %+v %v", v, err)
	}
	ents, _ := os.ReadDir(filepath.Dir(filepath.Dir(c.Path)))
	if len(ents) != 1 { // the session's lock file alone
		t.Fatalf("session folder holds %v", ents)
	}
	if _, err := fx.s.CloseCopy(ctx, c.Path); err == nil {
		t.Fatal("closed twice")
	}
}

// TestOpenedCanary: a document's plaintext is written nowhere but its copy
// (the copies folder is the one place left out of the scan), an edit saved
// just before locking is kept, and locking leaves the copies folder empty.
func TestOpenedCanary(t *testing.T) {
	t.Parallel()
	fx := newOpenFix(t, "Settlement for "+openCanary)
	c := fx.open(t, fx.options())
	edit := "Edited: " + strings.ToUpper(openCanary) + " signed"
	os.WriteFile(c.Path, []byte(edit), 0o600)
	scan := func(step string) {
		for _, root := range []string{fx.dir, filepath.Dir(fx.root)} {
			for name, b := range folderBytes(t, root) {
				if strings.HasPrefix(filepath.Join(root, name), fx.root+string(filepath.Separator)) {
					continue // the copies folder
				}
				for _, f := range testkit.FindLeaks([]byte(b), openCanary, strings.ToUpper(openCanary)) {
					t.Errorf("after %s: %s holds %s", step, name, f)
				}
			}
		}
	}
	scan("open")
	if err := fx.s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if ents, err := os.ReadDir(fx.root); err != nil || len(ents) != 0 {
		t.Fatalf("copies folder after lock: %v %v", ents, err)
	}
	if n := fx.s.CopyNotices(); len(n) != 1 || !strings.Contains(n[0], "kept as version 2") {
		t.Fatalf("notices %q", n)
	}
	scan("lock")
	s := openTest(t, fx.dir)
	fx.s = s
	if vs := fx.versions(t); len(vs) != 2 || vs[1].How != "edited" || fx.content(t, 2) != edit {
		t.Fatalf("after lock: %+v", vs)
	}
}

// TestOpenedByReader: a role that may open documents but not add versions
// is told, once, that its saved change was not kept; nothing is added.
func TestOpenedByReader(t *testing.T) {
	t.Parallel()
	fx := newOpenFix(t, "one")
	actAs(fx.s, "reader", builtin(t, access.ReadOnlyRole))
	c := fx.open(t, fx.options())
	os.WriteFile(c.Path, []byte("two"), 0o600)
	_, err := fx.looks(t, 4)
	var se *CopySaveError
	if !errors.As(err, &se) || !errors.Is(err, ErrDenied) || len(fx.probs) != 1 {
		t.Fatalf("reader's edit: %v; told %v", err, fx.probs)
	}
	if !strings.Contains(Message(err), "could not be kept as a new version") {
		t.Fatalf("message: %s", Message(err))
	}
	if vs := fx.versions(t); len(vs) != 1 {
		t.Fatalf("versions %+v", vs)
	}
}

// TestOpenNoRoom: a copies folder too small for the document: a plain
// error, nothing left of the copy.
func TestOpenNoRoom(t *testing.T) {
	t.Parallel()
	disk := testkit.MountTmpfs(t, 64<<10)
	fx := newOpenFix(t, strings.Repeat("a long pleading ", 20000))
	fx.s.copies.root = &tempcopy.Root{Dir: filepath.Join(disk, tempcopy.DirName), InMemory: true}
	_, err := fx.s.OpenDocument(ctx, fx.doc, fx.options())
	if !isDiskFull(err) || !strings.Contains(Message(err), "not enough room for the temporary copy of “Lee letter.txt” (320 KB") {
		t.Fatalf("no room: %v", err)
	}
	if len(fx.opened) != 0 || len(fx.s.OpenCopies()) != 0 {
		t.Fatalf("opened %v", fx.opened)
	}
	left := 0
	filepath.WalkDir(disk, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(p) != "session.lock" {
			left++
		}
		return nil
	})
	if left != 0 {
		t.Fatalf("%d files left on the small disk", left)
	}
}
