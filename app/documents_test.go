package app

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"casevault/app/access"
	"casevault/app/intake/form"
	"casevault/store"
	"casevault/vault"
	"casevault/vault/testkit"
)

// docFix is a vault with a client and a matter of theirs.
type docFix struct {
	s              *Session
	dir            string
	client, matter int64
	files          string // a folder for the files to add
}

func newDocFix(t *testing.T) *docFix {
	t.Helper()
	s, dir, _ := testSession(t)
	fx := &docFix{s: s, dir: dir, files: t.TempDir()}
	fixedPolynomial(t, s)
	var err error
	if fx.client, err = s.AddClient(ctx, ClientInput{Name: ptr("Ann Lee")}); err != nil {
		t.Fatal(err)
	}
	if fx.matter, err = s.AddMatter(ctx, MatterInput{ClientID: fx.client, Title: "Lee v. Smith", Number: "2026-014"}); err != nil {
		t.Fatal(err)
	}
	return fx
}

func (fx *docFix) m() DocTarget { return DocTarget{MatterID: fx.matter} }
func (fx *docFix) c() DocTarget { return DocTarget{ClientID: fx.client} }

// file writes a file of data under fx.files and returns its path.
func (fx *docFix) file(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(fx.files, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func randBytes(seed uint64, n int) []byte {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	b := make([]byte, n)
	rand.NewChaCha8(key).Read(b)
	return b
}

// docSizes are the round trip's sizes (documents_heavy_test.go adds the
// big ones): chunking under -race costs about a second per 2 MB.
var docSizes = []int{0, 1, 4096, 1<<20 + 7}

// testPolynomial is the restic chunker's own test polynomial (an
// irreducible one): with it every test vault cuts the same file into the
// same chunks, where each real vault has its own random one.
const testPolynomial = "3da3358b4dc173"

func fixedPolynomial(t *testing.T, s *Session) {
	t.Helper()
	if err := s.st.Update(ctx, func(tx *store.Tx) error { return tx.SetSetting("doc_polynomial", testPolynomial) }); err != nil {
		t.Fatal(err)
	}
}

// read reads version n of a document back.
func (fx *docFix) read(t *testing.T, id int64, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := fx.s.ReadDocument(ctx, id, n, &buf); err != nil {
		t.Fatalf("ReadDocument %d v%d: %v", id, n, err)
	}
	return buf.Bytes()
}

// docObjects counts the files under objects/doc and their bytes.
func docObjects(t *testing.T, dir string) (n int, size int64) {
	t.Helper()
	filepath.WalkDir(filepath.Join(dir, vault.ObjectsDir, "doc"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			fi, _ := d.Info()
			n++
			size += fi.Size()
		}
		return nil
	})
	return n, size
}

// docCount is how many documents the vault holds (read as everyone).
func docCount(t *testing.T, s *Session) int {
	t.Helper()
	var n int
	if err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT count(*) FROM documents").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDocumentRoundTrip: files of several sizes (0 and 1 byte, a page,
// over the smallest chunk; 20 MB and 100 MB with the heavy tag) come back
// byte for byte; the document says what it is,
// where, who added it; each add and read has its audit entry.
func TestDocumentRoundTrip(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	for i, n := range docSizes {
		data := randBytes(uint64(i+1), n)
		name := fmt.Sprintf("file %d.bin", n)
		d, err := s.AddDocument(ctx, fx.m(), fx.file(t, name, data), AddDocOptions{})
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if d.Name != name || d.Size != int64(n) || d.Versions != 1 || d.Current != 1 || d.MatterID != fx.matter || d.ClientID != 0 ||
			d.Where != "Matter 2026-014 — Lee v. Smith" || d.CreatedBy != s.DisplayName() || d.CreatedAt.IsZero() {
			t.Errorf("%d bytes: %+v", n, d)
		}
		e := lastAudit(t, s)
		if e.Action != "document.add" || e.Records != fmt.Sprintf("document:%d matter:%d client:%d", d.ID, fx.matter, fx.client) || !strings.Contains(e.Detail, name) {
			t.Errorf("audit of the add: %+v", e)
		}
		if got := fx.read(t, d.ID, 0); !bytes.Equal(got, data) {
			t.Errorf("%d bytes came back as %d, different", n, len(got))
		}
		if e := lastAudit(t, s); e.Action != "document.read" || !strings.HasPrefix(e.Records, fmt.Sprintf("document:%d ", d.ID)) {
			t.Errorf("audit of the read: %+v", e)
		}
		vs, err := s.DocumentVersions(ctx, d.ID)
		if err != nil || len(vs) != 1 || vs[0].SHA256 != fmt.Sprintf("%x", sha256.Sum256(data)) || !vs[0].Current || vs[0].How != "added" {
			t.Errorf("versions %+v %v", vs, err)
		}
	}
	// A client's own document, from a reader.
	d, err := s.AddDocumentReader(ctx, fx.c(), "engagement.txt", strings.NewReader("we act for Ann Lee"), AddDocOptions{})
	if err != nil || d.Where != "Client: Ann Lee" || d.ClientID != fx.client || d.MatterID != 0 {
		t.Fatalf("reader add: %+v %v", d, err)
	}
	list, total, err := s.ListDocuments(ctx, fx.m(), DocFilter{})
	if err != nil || total != len(docSizes) || len(list) != len(docSizes) {
		t.Fatalf("matter list: %d of %d, %v", len(list), total, err)
	}
	if e := lastAudit(t, s); e.Action != "document.list" || e.Detail != fmt.Sprintf("%d documents", len(docSizes)) {
		t.Errorf("audit of the list: %+v", e)
	}
	if _, total, _ := s.ListDocuments(ctx, DocTarget{}, DocFilter{Name: "ENGAGE"}); total != 1 {
		t.Errorf("all documents named like ENGAGE: %d", total)
	}
	if g, err := s.GetDocument(ctx, d.ID); err != nil || g.Name != "engagement.txt" {
		t.Errorf("GetDocument: %+v %v", g, err)
	}
	if _, err := s.GetDocument(ctx, 9999); !errors.Is(err, ErrDocNotFound) || !strings.Contains(err.Error(), "9999") {
		t.Errorf("a missing document: %v", err)
	}
	if _, err := s.ReadDocument(ctx, d.ID, 7, io.Discard); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "no version 7") {
		t.Errorf("a missing version: %v", err)
	}
}

// TestDocumentVersionsRestore: a new version that changed in one place
// stores about one chunk; restoring version 1 is a third version with version 1's bytes,
// stored again as nothing; every version stays readable.
func TestDocumentVersionsRestore(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	v1 := randBytes(7, 3<<20)
	path := fx.file(t, "contract.docx", v1)
	d, err := s.AddDocument(ctx, fx.m(), path, AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, before := docObjects(t, fx.dir)
	v2 := bytes.Clone(v1)
	copy(v2[2<<20:], []byte("a changed clause in the middle of the contract"))
	fx.file(t, "contract.docx", v2)
	v, err := s.AddVersion(ctx, d.ID, path, "new-version")
	if err != nil || v.N != 2 || !v.Current || v.How != "new-version" {
		t.Fatalf("AddVersion: %+v %v", v, err)
	}
	if e := lastAudit(t, s); e.Action != "document.version" || !strings.Contains(e.Detail, "version 2") {
		t.Errorf("audit of the version: %+v", e)
	}
	_, after := docObjects(t, fx.dir)
	// The chunk that holds the change is stored again (the test's fixed
	// polynomial makes the chunks the same at every run), not the file.
	if grew := after - before; grew >= int64(len(v1))*3/4 {
		t.Errorf("a one-place change of a 3 MiB file stored %d bytes more", grew)
	} else {
		t.Logf("a one-place change of a 3 MiB file stored %d bytes more", grew)
	}
	if _, err := s.AddVersion(ctx, d.ID, path, "overwrite"); !errors.Is(err, ErrInvalid) {
		t.Errorf("a version added as 'overwrite': %v", err)
	}
	n, _ := docObjects(t, fx.dir)
	r, err := s.RestoreVersion(ctx, d.ID, 1)
	if err != nil || r.N != 3 || r.How != "restored" || r.Note != "restored from version 1" || r.SHA256 != fmt.Sprintf("%x", sha256.Sum256(v1)) {
		t.Fatalf("RestoreVersion: %+v %v", r, err)
	}
	if e := lastAudit(t, s); e.Action != "document.restore" || !strings.Contains(e.Detail, "restored from version 1") {
		t.Errorf("audit of the restore: %+v", e)
	}
	if m, _ := docObjects(t, fx.dir); m != n {
		t.Errorf("restoring stored new objects: %d → %d", n, m)
	}
	for n, want := range map[int][]byte{1: v1, 2: v2, 3: v1, 0: v1} {
		if !bytes.Equal(fx.read(t, d.ID, n), want) {
			t.Errorf("version %d reads wrong", n)
		}
	}
	if _, err := s.RestoreVersion(ctx, d.ID, 3); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "already the current version") {
		t.Errorf("restoring the current version: %v", err)
	}
	vs, _ := s.DocumentVersions(ctx, d.ID)
	if len(vs) != 3 || vs[0].N != 1 || !vs[2].Current || vs[1].Current {
		t.Errorf("versions: %+v", vs)
	}
}

// TestDocumentDedupAcrossMatters: the same scan added to two matters (and
// to a client) stores no new object.
func TestDocumentDedupAcrossMatters(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	other, err := s.AddMatter(ctx, MatterInput{ClientID: fx.client, Title: "Lee estate"})
	if err != nil {
		t.Fatal(err)
	}
	path := fx.file(t, "passport scan.jpg", randBytes(3, 2<<20+5))
	if _, err := s.AddDocument(ctx, fx.m(), path, AddDocOptions{}); err != nil {
		t.Fatal(err)
	}
	n, size := docObjects(t, fx.dir)
	if n == 0 {
		t.Fatal("no document objects")
	}
	for _, tg := range []DocTarget{{MatterID: other}, fx.c()} {
		if _, err := s.AddDocument(ctx, tg, path, AddDocOptions{}); err != nil {
			t.Fatal(err)
		}
		if e := lastAudit(t, s); !strings.HasSuffix(e.Detail, ", 0 bytes newly stored") {
			t.Errorf("the second add says %q", e.Detail)
		}
	}
	if n2, size2 := docObjects(t, fx.dir); n2 != n || size2 != size {
		t.Errorf("the same file again stored objects: %d (%d B) → %d (%d B)", n, size, n2, size2)
	}
}

// TestDocumentSameName: a name already there is asked about (nothing
// added), becomes a new version, or is kept beside as "name (2).ext".
func TestDocumentSameName(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	path := fx.file(t, "letter.pdf", []byte("%PDF-1.4 first"))
	first, err := s.AddDocument(ctx, fx.m(), path, AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fx.file(t, "letter.pdf", []byte("%PDF-1.4 second"))
	before := docCount(t, s)
	_, err = s.AddDocument(ctx, fx.m(), path, AddDocOptions{})
	var se *SameNameError
	if !errors.As(err, &se) || !errors.Is(err, ErrSameName) || se.Existing.ID != first.ID ||
		!strings.Contains(err.Error(), "matter 2026-014 — Lee v. Smith already has a document named “letter.pdf” (1 version)") {
		t.Fatalf("same name, ask: %v", err)
	}
	if docCount(t, s) != before {
		t.Error("asking added something")
	}
	d, err := s.AddDocument(ctx, fx.m(), path, AddDocOptions{SameName: SameNameNewVersion})
	if err != nil || d.ID != first.ID || d.Versions != 2 || d.Current != 2 {
		t.Fatalf("same name, new version: %+v %v", d, err)
	}
	if vs, _ := s.DocumentVersions(ctx, d.ID); len(vs) != 2 || vs[1].How != "new-version" {
		t.Errorf("versions %+v", vs)
	}
	for _, want := range []string{"letter (2).pdf", "letter (3).pdf"} {
		d, err := s.AddDocument(ctx, fx.m(), path, AddDocOptions{SameName: SameNameKeepBoth})
		if err != nil || d.Name != want || d.ID == first.ID {
			t.Errorf("keep both: %+v %v, want %q", d, err, want)
		}
	}
	// The same name in another folder or target is no clash.
	if _, err := s.AddDocument(ctx, fx.m(), path, AddDocOptions{Folder: "drafts"}); err != nil {
		t.Errorf("the same name in a folder: %v", err)
	}
	if _, err := s.AddDocument(ctx, fx.c(), path, AddDocOptions{}); err != nil {
		t.Errorf("the same name for the client: %v", err)
	}
}

// TestDocumentNames: escape codes and other controls in a name are stored
// replaced; an empty or dot name is refused; a too-long name is cut
// keeping its extension.
func TestDocumentNames(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	d, err := s.AddDocumentReader(ctx, fx.m(), "\x1b[31mred\u202e.txt\r\n", strings.NewReader("x"), AddDocOptions{Folder: "../up/\x1b]0;x\x07/./"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "\uFFFD[31mred\uFFFD.txt" || d.Folder != "up/\uFFFD]0;x\uFFFD" {
		t.Errorf("name %q, folder %q", d.Name, d.Folder)
	}
	for _, bad := range []string{"", "   ", "\u200b", ".", ".."} {
		if _, err := s.AddDocumentReader(ctx, fx.m(), bad, strings.NewReader("x"), AddDocOptions{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	long := strings.Repeat("é", 200) + ".pdf"
	if n, err := CleanDocName(long); err != nil || len(n) > 255 || !strings.HasSuffix(n, "é.pdf") {
		t.Errorf("a long name became %q (%d bytes), %v", n, len(n), err)
	}
}

// TestDocumentRefusals: too large, not a file, no such file, a pipe, a
// stream that fails part way, no target: each refused in words, nothing
// added and no half-written rows.
func TestDocumentRefusals(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	if err := s.SetDocumentLimit(ctx, 1_000_000); err != nil {
		t.Fatal(err)
	}
	before := docCount(t, s)
	big := fx.file(t, "big.bin", randBytes(1, 1_500_000))
	_, err := s.AddDocument(ctx, fx.m(), big, AddDocOptions{})
	if !errors.Is(err, ErrDocTooLarge) || !strings.Contains(err.Error(), "1.5 MB") || !strings.Contains(err.Error(), "(1.0 MB)") || !strings.Contains(err.Error(), "Settings") {
		t.Errorf("too large: %v", err)
	}
	_, err = s.AddDocumentReader(ctx, fx.m(), "big.bin", bytes.NewReader(randBytes(1, 1_500_000)), AddDocOptions{})
	if !errors.Is(err, ErrDocTooLarge) || !strings.Contains(err.Error(), "more than 1.0 MB") {
		t.Errorf("too large, a stream: %v", err)
	}
	fifo := filepath.Join(fx.files, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, why := range map[string]string{fx.files: "it is a folder", fifo: "not an ordinary file", filepath.Join(fx.files, "gone.pdf"): "there is no such file"} {
		if _, err := s.AddDocument(ctx, fx.m(), path, AddDocOptions{}); !errors.Is(err, ErrDocUnreadable) || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: %v, want %q", path, err, why)
		}
	}
	broken := io.MultiReader(bytes.NewReader(randBytes(2, 100_000)), iotestErr{})
	if _, err := s.AddDocumentReader(ctx, fx.m(), "broken.bin", broken, AddDocOptions{}); !errors.Is(err, ErrDocUnreadable) || !strings.Contains(err.Error(), "part way") {
		t.Errorf("a stream that fails: %v", err)
	}
	for _, tg := range []DocTarget{{}, {ClientID: fx.client, MatterID: fx.matter}} {
		if _, err := s.AddDocumentReader(ctx, tg, "x.txt", strings.NewReader("x"), AddDocOptions{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("target %+v: %v", tg, err)
		}
	}
	if _, err := s.AddDocumentReader(ctx, DocTarget{MatterID: 999}, "x.txt", strings.NewReader("x"), AddDocOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a missing matter: %v", err)
	}
	if docCount(t, s) != before {
		t.Errorf("refused adds added %d documents", docCount(t, s)-before)
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("input/output error") }

// TestDocumentChangedWhileAdding: a file written to while it is read is
// refused as changed and nothing is added; the same for a new version.
func TestDocumentChangedWhileAdding(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	path := fx.file(t, "draft.txt", randBytes(4, 1<<20+100))
	touched := false
	change := func(done, total int64) {
		if !touched && done > 0 {
			touched = true
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Error(err)
				return
			}
			f.WriteAt([]byte("typed while saving"), 100) // same size, later mtime and ctime
			f.Close()
		}
	}
	before, audits := docCount(t, s), auditCount(t, s)
	_, err := s.AddDocument(ctx, fx.m(), path, AddDocOptions{Progress: change})
	if !touched || !errors.Is(err, ErrDocChanged) || !strings.Contains(err.Error(), "“draft.txt” changed while it was being added") {
		t.Fatalf("changed while adding: %v (touched %v)", err, touched)
	}
	if docCount(t, s) != before || auditCount(t, s) != audits {
		t.Error("a changed file left rows or audit entries")
	}
	// A file that grows while read.
	grow := func(done, total int64) {
		f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		f.Write(make([]byte, 4096))
		f.Close()
	}
	if _, err := s.AddDocument(ctx, fx.m(), path, AddDocOptions{Progress: grow}); !errors.Is(err, ErrDocChanged) {
		t.Errorf("a growing file: %v", err)
	}
	if docCount(t, s) != before {
		t.Error("a growing file was added")
	}
}

// TestAddFolder: the folder's files with their paths; a link, a pipe and
// hidden files skipped with the reason; a file too large skipped, the rest
// added.
func TestAddFolder(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	root := filepath.Join(fx.files, "Lee file")
	fx.file(t, "Lee file/engagement.txt", []byte("engagement"))
	fx.file(t, "Lee file/court/pleading.txt", []byte("pleading"))
	fx.file(t, "Lee file/court/exhibits/photo.jpg", []byte("\xff\xd8\xff\xe0 jpeg"))
	fx.file(t, "Lee file/.DS_Store", []byte("finder"))
	fx.file(t, "Lee file/.git/config", []byte("git"))
	fx.file(t, "outside.txt", []byte("not in the folder"))
	if err := os.Symlink(filepath.Join(fx.files, "outside.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "court", "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := s.AddFolder(ctx, fx.m(), root, AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var added []string
	for _, d := range res.Added {
		added = append(added, d.Path())
	}
	if strings.Join(added, ",") != "Lee file/engagement.txt,Lee file/court/pleading.txt,Lee file/court/exhibits/photo.jpg" &&
		strings.Join(added, ",") != "Lee file/court/exhibits/photo.jpg,Lee file/court/pleading.txt,Lee file/engagement.txt" {
		t.Errorf("added %q", added)
	}
	skipped := map[string]string{}
	for _, sk := range res.Skipped {
		rel, _ := filepath.Rel(root, sk.Path)
		skipped[rel] = sk.Reason
	}
	for rel, why := range map[string]string{".DS_Store": "hidden", ".git": "hidden", "link.txt": "link", "court/fifo": "not an ordinary file"} {
		if !strings.Contains(skipped[rel], why) {
			t.Errorf("%s skipped for %q, want %q", rel, skipped[rel], why)
		}
	}
	if len(skipped) != 4 {
		t.Errorf("skipped %v", skipped)
	}
	// Again: every name is there; asked, each is skipped as such.
	res, err = s.AddFolder(ctx, fx.m(), root, AddDocOptions{})
	if err != nil || len(res.Added) != 0 || len(res.Skipped) != 7 {
		t.Errorf("the folder again: %d added, %d skipped, %v", len(res.Added), len(res.Skipped), err)
	}
	if _, err := s.AddFolder(ctx, fx.m(), filepath.Join(root, "engagement.txt"), AddDocOptions{}); !errors.Is(err, ErrDocUnreadable) {
		t.Errorf("a file as a folder: %v", err)
	}
}

// TestDocumentDiskFull: on a full disk an add fails with the app's
// disk-full words and leaves no document; after space is freed it works.
func TestDocumentDiskFull(t *testing.T) {
	disk := mountSmall(t, 6<<20)
	src, _ := newTestVault(t)
	dir := filepath.Join(disk, "vault")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, dir)
	c, err := s.AddClient(ctx, ClientInput{Name: ptr("Ann Lee")})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scan.pdf")
	os.WriteFile(path, randBytes(9, 8<<20), 0o600)
	_, err = s.AddDocument(ctx, DocTarget{ClientID: c}, path, AddDocOptions{})
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("add on a full disk: %v", err)
	}
	if docCount(t, s) != 0 || !s.DiskFull() {
		t.Errorf("after a full disk: %d documents, DiskFull %v", docCount(t, s), s.DiskFull())
	}
	if _, err := s.ListClients(ctx, store.ByName); err != nil {
		t.Errorf("reading after the full disk: %v", err)
	}
}

// TestDocumentDeleteFreesChunks: deleting a document frees the chunks no
// other document uses at the next checkpoint; the shared ones stay.
func TestDocumentDeleteFreesChunks(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	shared := fx.file(t, "shared.bin", randBytes(5, 1<<20))
	a, err := s.AddDocument(ctx, fx.m(), fx.file(t, "own.bin", randBytes(6, 2<<20)), AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDocument(ctx, fx.m(), shared, AddDocOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := s.AddDocument(ctx, fx.c(), shared, AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	n0, size0 := docObjects(t, fx.dir)
	if err := s.DeleteDocument(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "document.delete" || !strings.Contains(e.Detail, "own.bin") || !strings.HasPrefix(e.Records, fmt.Sprintf("document:%d ", a.ID)) {
		t.Errorf("audit of the delete: %+v", e)
	}
	if err := s.DeleteDocument(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	n1, size1 := docObjects(t, fx.dir)
	if n1 >= n0 || size0-size1 < 2<<20 || size1 < 1<<20 {
		t.Errorf("after deleting: %d objects (%d B) → %d (%d B)", n0, size0, n1, size1)
	}
	if _, err := s.GetDocument(ctx, a.ID); !errors.Is(err, ErrDocNotFound) {
		t.Errorf("a deleted document: %v", err)
	}
	if err := s.DeleteDocument(ctx, a.ID); !errors.Is(err, ErrDocNotFound) {
		t.Errorf("deleting it again: %v", err)
	}
	list, _, _ := s.ListDocuments(ctx, fx.m(), DocFilter{})
	if len(list) != 1 || list[0].Name != "shared.bin" {
		t.Fatalf("left: %+v", list)
	}
	if got := fx.read(t, list[0].ID, 0); len(got) != 1<<20 {
		t.Errorf("the shared document reads %d bytes", len(got))
	}
}

// TestDocumentDamaged: a chunk changed on disk makes the read fail with
// ErrDocDamaged naming the document and the version.
func TestDocumentDamaged(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	d, err := s.AddDocument(ctx, fx.m(), fx.file(t, "will.pdf", randBytes(8, 100_000)), AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var obj string
	filepath.WalkDir(filepath.Join(fx.dir, vault.ObjectsDir, "doc"), func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			obj = p
		}
		return nil
	})
	b, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(obj, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = s.ReadDocument(ctx, d.ID, 0, io.Discard)
	if !errors.Is(err, ErrDocDamaged) || !strings.Contains(err.Error(), "version 1 of the document “will.pdf” is damaged") || !strings.Contains(err.Error(), "backup") {
		t.Errorf("a damaged chunk: %v", err)
	}
	var de *vault.DocumentDamagedError
	if !errors.As(err, &de) {
		t.Errorf("the vault's error is not wrapped: %v", err)
	}
	if _, err := s.ExportDocuments(ctx, ExportSelection{DocumentIDs: []int64{d.ID}}, t.TempDir()); !errors.Is(err, ErrDocDamaged) {
		t.Errorf("exporting it: %v", err)
	}
}

// TestDocumentPreview: a text's start decoded and cleaned of control
// characters; an image's bytes, or nothing when it is larger than asked;
// another kind, no preview.
func TestDocumentPreview(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	text := "Dear Ann,\r\nthe hearing is \x1b[2Jon Monday.\n" + strings.Repeat("more text ", 1000)
	d, err := s.AddDocumentReader(ctx, fx.m(), "letter.txt", strings.NewReader(text), AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.PreviewDocument(ctx, d.ID, 0, 100)
	if err != nil || p.Kind != "text" || !p.Truncated || !strings.HasPrefix(p.Text, "Dear Ann,\nthe hearing is [2Jon Monday.") || strings.ContainsAny(p.Text, "\x1b\r") {
		t.Errorf("text preview: %+v %v", p, err)
	}
	if e := lastAudit(t, s); e.Action != "document.read" || !strings.Contains(e.Detail, "preview") {
		t.Errorf("audit of the preview: %+v", e)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), randBytes(2, 5000)...)
	img, err := s.AddDocumentReader(ctx, fx.m(), "photo.png", bytes.NewReader(png), AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.PreviewDocument(ctx, img.ID, 0, 1<<20); err != nil || p.Kind != "image" || !bytes.Equal(p.Data, png) || p.Truncated {
		t.Errorf("image preview: kind %q, %d bytes, %v", p.Kind, len(p.Data), err)
	}
	if p, err := s.PreviewDocument(ctx, img.ID, 0, 1000); err != nil || p.Kind != "image" || len(p.Data) != 0 || !p.Truncated {
		t.Errorf("a large image's preview: %+v %v", p, err)
	}
	bin, _ := s.AddDocumentReader(ctx, fx.m(), "data.bin", bytes.NewReader(randBytes(3, 100)), AddDocOptions{})
	if p, err := s.PreviewDocument(ctx, bin.ID, 0, 1000); err != nil || p.Kind != "" {
		t.Errorf("a binary's preview: %+v %v", p, err)
	}
}

// TestDocumentReopen: after a checkpoint, a close and an open, every
// document and version reads as it was.
func TestDocumentReopen(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	data := randBytes(11, 1<<20+3)
	d, err := s.AddDocument(ctx, fx.m(), fx.file(t, "a.bin", data), AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddVersion(ctx, d.ID, fx.file(t, "b.bin", data[:1000]), "edited"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	fx.s = openTest(t, fx.dir)
	if !bytes.Equal(fx.read(t, d.ID, 1), data) || !bytes.Equal(fx.read(t, d.ID, 2), data[:1000]) {
		t.Error("after reopening the versions read wrong")
	}
	if err := fx.s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// Without a checkpoint at close: the redo log holds the rows.
	s2, err := Open(ctx, fx.dir, vault.Passphrase([]byte(testPass)), Options{Actor: "tester", CommandLine: true})
	if err != nil {
		t.Fatal(err)
	}
	d3, err := s2.AddDocumentReader(ctx, fx.c(), "late.txt", strings.NewReader("added by a command"), AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close(ctx)
	fx.s = openTest(t, fx.dir)
	if got := fx.read(t, d3.ID, 0); string(got) != "added by a command" {
		t.Errorf("after a command's add: %q", got)
	}
}

// TestDocumentWalls: a user walled off a matter sees none of its
// documents anywhere (list, show, read, search, export) and cannot add to
// it; the owner does.
func TestDocumentWalls(t *testing.T) {
	dir, _ := newTestVault(t)
	o, err := Open(ctx, dir, Passphrase([]byte(testPass)), Options{Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	w := &wallVault{dir: dir, owner: o, passes: map[string][]byte{}}
	c, _ := o.AddClient(ctx, ClientInput{Name: ptr("Garnet Holloway")})
	walled, _ := o.AddMatter(ctx, MatterInput{ClientID: c, Title: "Vornholt acquisition"})
	open, _ := o.AddMatter(ctx, MatterInput{ClientID: c, Title: "Holloway lease"})
	hid, err := o.AddDocumentReader(ctx, DocTarget{MatterID: walled}, canary+" term sheet.txt", strings.NewReader("the "+canary+" price"), AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.AddDocumentReader(ctx, DocTarget{MatterID: open}, "lease.txt", strings.NewReader("the lease"), AddDocOptions{}); err != nil {
		t.Fatal(err)
	}
	one := w.addUser(t, "olga", access.AttorneyRole)
	if err := o.SetSecurityClass(ctx, "matter", walled, ClassWalled, []string{"olga"}); err != nil {
		t.Fatal(err)
	}
	o.Close(ctx)
	w.firstUnlock(t, "olga", access.AttorneyRole, one)
	w.as(t, "olga", func(s *Session) {
		list, total, err := s.ListDocuments(ctx, DocTarget{}, DocFilter{})
		if err != nil || total != 1 || len(list) != 1 || list[0].Name != "lease.txt" {
			t.Errorf("olga lists %+v (%d) %v", list, total, err)
		}
		if _, _, err := s.ListDocuments(ctx, DocTarget{MatterID: walled}, DocFilter{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("olga lists the walled matter's documents: %v", err)
		}
		if _, err := s.GetDocument(ctx, hid.ID); !errors.Is(err, ErrDocNotFound) {
			t.Errorf("olga shows the walled document: %v", err)
		}
		if _, err := s.ReadDocument(ctx, hid.ID, 0, io.Discard); !errors.Is(err, ErrDocNotFound) {
			t.Errorf("olga reads the walled document: %v", err)
		}
		if _, err := s.ExportDocuments(ctx, ExportSelection{DocumentIDs: []int64{hid.ID}}, t.TempDir()); !errors.Is(err, ErrDocNotFound) {
			t.Errorf("olga exports the walled document: %v", err)
		}
		if _, err := s.AddDocumentReader(ctx, DocTarget{MatterID: walled}, "x.txt", strings.NewReader("x"), AddDocOptions{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("olga adds to the walled matter: %v", err)
		}
		hits, err := s.Search(ctx, canary, 20)
		if err != nil {
			t.Fatal(err)
		}
		noCanary(t, "olga", "search", hits)
	})
	w.as(t, "", func(s *Session) {
		hits, err := s.Search(ctx, canary, 20)
		found := false
		for _, h := range hits {
			found = found || h.Kind == "document"
		}
		if err != nil || !found {
			t.Errorf("the owner's search finds no document: %+v %v", hits, err)
		}
	})
}

// mountSmall is a small tmpfs (root only; elsewhere the test is skipped).
func mountSmall(t *testing.T, size int) string { return testkit.MountTmpfs(t, size) }

// TestAcceptIntakeFilesBecomeDocuments: the files sent with an accepted
// submission are the new client's documents (made by "intake"), byte for
// byte, each add audited after the accept; the submission keeps its own.
func TestAcceptIntakeFilesBecomeDocuments(t *testing.T) {
	s, _, _ := testSession(t)
	files := []form.File{
		{Meta: form.FileMeta{N: 1, Name: "passport.jpg", MediaType: "image/jpeg"}, Data: []byte("\xff\xd8\xff\xe0 passport")},
		{Meta: form.FileMeta{N: 2, Name: "lease.txt", MediaType: "text/plain"}, Data: []byte("the lease of Jane Roe")},
	}
	id := addIntake(t, s, intakeSubFull("Jane Roe", intakeT0), files...)
	if _, err := s.CheckIntakeConflicts(ctx, id); err != nil {
		t.Fatal(err)
	}
	a, err := s.IntakeDraft(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	a.Decision = "clear"
	clientID, _, err := s.AcceptIntake(ctx, id, *a)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := s.ListDocuments(ctx, DocTarget{ClientID: clientID}, DocFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("the client's documents: %+v %v", list, err)
	}
	for _, d := range list {
		var want []byte
		for _, f := range files {
			if f.Meta.Name == d.Name {
				want = f.Data
			}
		}
		var buf bytes.Buffer
		v, err := s.ReadDocument(ctx, d.ID, 0, &buf)
		if err != nil || !bytes.Equal(buf.Bytes(), want) || v.How != "intake" {
			t.Errorf("%s: %q (%+v) %v", d.Name, buf.Bytes(), v, err)
		}
	}
	es, err := s.AuditList(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, e := range es {
		if strings.HasPrefix(e.Action, "intake.accept") || e.Action == "document.add" {
			acts = append(acts, e.Action)
		}
	}
	if strings.Join(acts, " ") != "intake.accept document.add document.add" {
		t.Errorf("audit: %v", acts)
	}
	if d, err := s.GetIntake(ctx, id); err != nil || len(d.FileList) != 2 {
		t.Errorf("the submission's files: %+v %v", d, err)
	}
	if hits, _ := s.Search(ctx, "lease", 10); len(hits) == 0 || hits[0].Kind != "document" {
		t.Errorf("search for the file's text: %+v", hits)
	}
}
