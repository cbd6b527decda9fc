package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"casevault/app/access"
	"casevault/app/doctext"
	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// Documents (issue 13): files kept in the vault with their versions. Their
// bytes are content-defined chunks, each an encrypted vault object
// (vault.ObjectBatch.WriteDocument), so equal content is stored once; the
// database keeps the documents, versions, chunk lists and extracted text
// (store/documents.go). Nothing is ever overwritten: a new version, an
// edited copy and a restored old version are each one more version.

// Errors callers tell apart with errors.Is. Each is returned wrapped in an
// error whose message is whole: what happened, to which file, what to do.
var (
	ErrDocTooLarge   = errors.New("the file is larger than the limit for documents")
	ErrDocChanged    = errors.New("the file changed while it was being added")
	ErrDocUnreadable = errors.New("the file could not be read")
	ErrSameName      = errors.New("a document with this name is already there")
	ErrDocDamaged    = errors.New("a stored document is damaged")
	ErrDocNotFound   = errors.New("no such document")
)

// DocTarget is where documents are: a client's own documents (ClientID) or
// a matter's (MatterID); exactly one is set.
type DocTarget struct{ ClientID, MatterID int64 }

func (t DocTarget) valid() error {
	if (t.ClientID != 0) == (t.MatterID != 0) || t.ClientID < 0 || t.MatterID < 0 {
		return &FieldError{"target", "A document belongs to one client or one matter: choose one of them"}
	}
	return nil
}

// record is the target's audit reference.
func (t DocTarget) record() string {
	switch {
	case t.MatterID != 0:
		return ref("matter", t.MatterID)
	case t.ClientID != 0:
		return ref("client", t.ClientID)
	}
	return ""
}

// SameName says what an add does when the target already has a document of
// the same name (in the same folder).
type SameName int

// The answers to a file whose name is already there.
const (
	SameNameAsk        SameName = iota // return a *SameNameError (errors.Is ErrSameName): the caller asks
	SameNameNewVersion                 // the file becomes the existing document's new version
	SameNameKeepBoth                   // the file is added beside it as "name (2).ext"
)

// AddDocOptions are the choices of an add.
type AddDocOptions struct {
	Name     string // the name shown; "" = the file's own name
	Folder   string // where it was inside an added folder: "a/b"
	SameName SameName
	// Progress, when set, is called as the file is read: bytes done and
	// the file's size (-1 when unknown: AddDocumentReader).
	Progress func(done, total int64)
}

// SameNameError: the target has a document of that name already and the
// add was asked to ask (SameNameAsk). Nothing was added.
type SameNameError struct{ Existing DocumentInfo }

func (e *SameNameError) Error() string {
	return fmt.Sprintf("%s already has a document named %s (%s): add the file as its new version, or keep both (the new one then gets a name of its own); nothing was added",
		lowerFirst(e.Existing.Where), quoteName(e.Existing.Name), human.Count(e.Existing.Versions, "version", "versions"))
}

// Is reports whether target is ErrSameName.
func (e *SameNameError) Is(target error) bool { return target == ErrSameName }

// DocumentInfo is a document as the window and the command line show it.
type DocumentInfo struct {
	ID, ClientID, MatterID int64
	Name, Folder           string
	Type, MediaType        string // Type: in words (doctext.Label), e.g. "PDF document"
	Size                   int64  // of the current version
	Versions, Current      int
	CreatedAt, UpdatedAt   time.Time
	CreatedBy              string // display name
	Where                  string // "Client: Ann Lee" or "Matter 2026-014 — Lee v. Smith"
}

// Path is the document's folder and name, "a/b/name.pdf".
func (d DocumentInfo) Path() string {
	if d.Folder == "" {
		return d.Name
	}
	return d.Folder + "/" + d.Name
}

// VersionInfo is one version of a document.
type VersionInfo struct {
	DocumentID      int64
	N               int
	Size            int64
	SHA256          string // hex
	MediaType, Type string
	At              time.Time
	By, How, Note   string // How: added, new-version, edited, restored, intake
	Current         bool
}

// DocFilter narrows ListDocuments: Name (any part of the name, any case),
// and a page (Limit 0: all).
type DocFilter struct {
	Name          string
	Offset, Limit int
}

// Preview is what the window shows of a document without opening it:
// an image's bytes (Kind "image"), the start of a text (Kind "text"), or
// nothing (Kind "": no preview for this kind of file). Truncated: the
// text was cut at the size asked for, or the image was larger than that
// (then Data is empty).
type Preview struct {
	Kind      string
	Data      []byte
	Text      string
	Truncated bool
}

// AddFolderResult is what AddFolder added and what it left out, and why.
type AddFolderResult struct {
	Added   []DocumentInfo
	Skipped []SkippedFile
}

// SkippedFile is a file AddFolder did not add, with the reason in words.
type SkippedFile struct{ Path, Reason string }

// textLimit caps the text kept of each version for search.
const textLimit = 1 << 20

// readerTextMax: AddDocumentReader keeps up to this much of what it reads
// in memory to find its text; a longer stream gets no text.
const readerTextMax = 8 << 20

// docTooLargeError: the file is over the limit.
type docTooLargeError struct {
	Name        string
	Size, Limit int64
	Over        bool // Size is only how much was read before the limit was passed
}

func (e *docTooLargeError) Error() string {
	size := human.Size(e.Size)
	if e.Over {
		size = "more than " + human.Size(e.Limit)
	}
	return fmt.Sprintf("%s is %s, larger than the limit for documents (%s), so it was not added; the owner can raise the limit in Settings (Documents: size limit)",
		quoteName(e.Name), size, human.Size(e.Limit))
}
func (e *docTooLargeError) Is(target error) bool { return target == ErrDocTooLarge }

// docUnreadableError: the file could not be opened or read.
type docUnreadableError struct {
	Path, Why string
	Err       error
}

func (e *docUnreadableError) Error() string {
	s := fmt.Sprintf("%s could not be read (%s), so it was not added", quoteName(e.Path), e.Why)
	if e.Err != nil {
		s += " (technical details: " + e.Err.Error() + ")"
	}
	return s
}
func (e *docUnreadableError) Is(target error) bool { return target == ErrDocUnreadable }
func (e *docUnreadableError) Unwrap() error        { return e.Err }

// unreadable words an error of opening or reading a file.
func unreadable(path string, err error) error {
	why := "check that it is there and that you may open it, then try again"
	switch {
	case errors.Is(err, os.ErrNotExist):
		why = "there is no such file"
	case errors.Is(err, os.ErrPermission):
		why = "this account may not read it"
	}
	return &docUnreadableError{Path: path, Why: why, Err: err}
}

// docChangedError: the file changed while it was read.
type docChangedError struct{ Name string }

func (e *docChangedError) Error() string {
	return fmt.Sprintf("%s changed while it was being added (a program was still writing it), so it was not added: "+
		"let that program finish with the file (save and close it), then add it again", quoteName(e.Name))
}
func (e *docChangedError) Is(target error) bool { return target == ErrDocChanged }

// docDamagedError: a stored version cannot be read back as it was added.
type docDamagedError struct {
	Name string
	N    int
	Err  error
}

func (e *docDamagedError) Error() string {
	return fmt.Sprintf("version %d of the document %s is damaged in the vault and cannot be read; the other documents are not affected. "+
		"A backup made before the damage holds it: run casevault repair, which says how to put the vault back from a backup (technical details: %v)",
		e.N, quoteName(e.Name), e.Err)
}
func (e *docDamagedError) Is(target error) bool { return target == ErrDocDamaged }
func (e *docDamagedError) Unwrap() error        { return e.Err }

// docNotFoundError: no such document, or one the user may not see.
type docNotFoundError struct{ ID int64 }

func (e *docNotFoundError) Error() string {
	return fmt.Sprintf("there is no document %d (it was deleted, or it is not one you may see)", e.ID)
}
func (e *docNotFoundError) Is(target error) bool { return target == ErrDocNotFound }

// docNotFound turns the store's ErrNotFound of document id into ErrDocNotFound.
func docNotFound(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &docNotFoundError{ID: id}
	}
	return err
}

func quoteName(s string) string { return "“" + human.Escape(s) + "”" }

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// maxDocName is the longest name kept, in bytes (a file name on most
// disks): an export writes the document under its name.
const maxDocName = 255

// CleanDocName is the name a document is stored and shown under: control
// characters (escape codes that would rewrite a terminal), text-direction
// controls, line separators, bytes that are not UTF-8 and '/' or '\'
// become U+FFFD, invisible characters at either end go, and a name too
// long for a disk is cut before its extension. An empty name, "." and ".."
// are refused.
func CleanDocName(name string) (string, error) {
	name = safeText(human.TrimInvisible(name), true)
	if !human.HasVisible(name) || name == "." || name == ".." {
		return "", &FieldError{"name", "A document needs a name with at least one letter or digit in it"}
	}
	if len(name) > maxDocName {
		ext := filepath.Ext(name)
		if len(ext) > 20 || !utf8.ValidString(ext) {
			ext = ""
		}
		base := strings.TrimSuffix(name, ext)
		for len(base)+len(ext) > maxDocName {
			_, n := utf8.DecodeLastRuneInString(base)
			base = base[:len(base)-n]
		}
		name = base + ext
	}
	return name, nil
}

// cleanFolder cleans each part of a folder path like a name; empty parts,
// "." and ".." are dropped, so a folder never leads out of an export.
func cleanFolder(folder string) string {
	var parts []string
	for _, p := range strings.FieldsFunc(folder, func(r rune) bool { return r == '/' || r == '\\' }) {
		if c, err := CleanDocName(p); err == nil {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, "/")
}

// safeText replaces what a terminal would act on with U+FFFD: control
// characters (all of them for a name; all but line breaks and tabs for a
// text), text-direction controls in a name, line separators and bytes
// that are not UTF-8; in a name also '/' and '\'.
func safeText(s string, name bool) string {
	ok := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if bad(r, n, name) {
			ok = false
			break
		}
		i += n
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if bad(r, n, name) {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func bad(r rune, n int, name bool) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return true
	case !name && (r == '\n' || r == '\t'):
		return false
	case unicode.Is(unicode.Cc, r), r == '\u2028', r == '\u2029':
		return true
	case name && (r == '/' || r == '\\' || unicode.Is(unicode.Bidi_Control, r)):
		return true
	}
	return false
}

// where is a target in words, and its audit references (a matter's with
// its clients, so each client's access report finds the entry). Hidden or
// missing: ErrNotFound.
type whereCache map[DocTarget][2]string

func (c whereCache) of(tx *store.Tx, t DocTarget) (where, records string, err error) {
	if w, ok := c[t]; ok {
		return w[0], w[1], nil
	}
	if t.MatterID != 0 {
		m, err := tx.GetMatter(t.MatterID)
		if err != nil {
			return "", "", err
		}
		where, records = "Matter "+m.Number+" — "+m.Title, matterRecords(m)
	} else {
		cl, err := tx.GetClient(t.ClientID)
		if err != nil {
			return "", "", err
		}
		where, records = "Client: "+cl.Name, ref("client", t.ClientID)
	}
	c[t] = [2]string{where, records}
	return where, records, nil
}

func infoOf(d *store.Document, where string) DocumentInfo {
	return DocumentInfo{ID: d.ID, ClientID: d.ClientID, MatterID: d.MatterID, Name: d.Name, Folder: d.Folder,
		Type: doctext.Label(d.MediaType), MediaType: d.MediaType, Size: d.Size, Versions: d.Versions, Current: d.Current,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, CreatedBy: d.CreatedBy, Where: where}
}

func versionOf(v *store.DocumentVersion, current int) VersionInfo {
	return VersionInfo{DocumentID: v.DocumentID, N: v.N, Size: v.Size, SHA256: fmt.Sprintf("%x", v.SHA256), MediaType: v.MediaType,
		Type: doctext.Label(v.MediaType), At: v.AddedAt, By: v.AddedBy, How: v.How, Note: v.Note, Current: v.N == current}
}

// docRecords are a document's audit references: the document and where it is.
func docRecords(id int64, where string) string { return ref("document", id) + " " + where }

// document reads one document the user may see, with where it is.
func (s *Session) document(tx *store.Tx, id int64) (*store.Document, string, string, error) {
	d, err := tx.Document(id)
	if err != nil {
		return nil, "", "", docNotFound(id, err)
	}
	where, recs, err := whereCache{}.of(tx, DocTarget{ClientID: d.ClientID, MatterID: d.MatterID})
	if err != nil {
		return nil, "", "", docNotFound(id, err)
	}
	if d.MatterID != 0 {
		d.ClientID = 0 // a matter's document: the target is the matter
	}
	return d, where, docRecords(id, recs), nil
}

// errNoPolynomial: the vault has no chunker polynomial yet.
var errNoPolynomial = errors.New("no polynomial yet")

// docPolynomial is the vault's chunker polynomial, made on first use.
func (s *Session) docPolynomial(ctx context.Context) (uint64, error) {
	var pol uint64
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		pol, err = tx.DocPolynomial(func() (uint64, error) { return 0, errNoPolynomial })
		return err
	})
	if errors.Is(err, errNoPolynomial) {
		err = s.st.Update(ctx, func(tx *store.Tx) error {
			var err error
			pol, err = tx.DocPolynomial(vault.NewPolynomial)
			return err
		})
	}
	return pol, s.diskFailure(err)
}

// source is what an add reads: a file (ra set, size known) or a stream.
type source struct {
	name     string
	r        io.Reader
	ra       io.ReaderAt // the file, for the text; nil for a stream
	size     int64       // -1 for a stream
	limit    int64
	progress func(done, total int64)
}

// content is what storing a source wrote.
type content struct {
	w     *vault.DocumentWrite
	media string
	text  string
}

// counter counts what passes through it, reports progress and stops a
// stream that passes the limit or a file that grows.
type counter struct {
	r        io.Reader
	n        int64
	size     int64 // the file's size at the start; -1: a stream
	limit    int64
	progress func(done, total int64)
	tee      *bytes.Buffer // a stream's first readerTextMax bytes, for its text
	name     string
}

var errGrew = errors.New("the file grew while it was read")

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		if c.tee != nil {
			if room := readerTextMax + 1 - c.tee.Len(); room > 0 {
				c.tee.Write(p[:min(n, room)])
			}
		}
		c.n += int64(n)
		if c.size >= 0 && c.n > c.size {
			return n, errGrew
		}
		if c.n > c.limit {
			return n, &docTooLargeError{Name: c.name, Size: c.n, Limit: c.limit, Over: true}
		}
		if c.progress != nil {
			c.progress(c.n, c.size)
		}
	}
	if err != nil && err != io.EOF {
		return n, &docUnreadableError{Path: c.name, Why: "reading it failed part way", Err: err}
	}
	return n, err
}

// writeContent writes src's chunks through b and finds its media type and text.
// Nothing is committed: the caller syncs b and adds the rows.
func (s *Session) writeContent(ctx context.Context, b *vault.ObjectBatch, src source) (*content, error) {
	pol, err := s.docPolynomial(ctx)
	if err != nil {
		return nil, err
	}
	var head []byte
	r := src.r
	if src.ra != nil {
		head = make([]byte, doctext.HeadSize)
		n, err := src.ra.ReadAt(head, 0)
		if err != nil && err != io.EOF {
			return nil, unreadable(src.name, err)
		}
		head = head[:n]
	} else {
		br := bufio.NewReaderSize(src.r, 64<<10)
		head, _ = br.Peek(doctext.HeadSize)
		head = bytes.Clone(head)
		r = br
	}
	c := &counter{r: r, size: src.size, limit: src.limit, progress: src.progress, name: src.name}
	if src.ra == nil {
		c.tee = &bytes.Buffer{}
	}
	w, err := b.WriteDocument(ctx, c, pol)
	if err != nil {
		if errors.Is(err, errGrew) {
			return nil, &docChangedError{Name: src.name}
		}
		return nil, s.diskFailure(err)
	}
	out := &content{w: w, media: doctext.Detect(src.name, head)}
	ra, size := src.ra, w.Size
	if ra == nil {
		if c.tee.Len() > readerTextMax {
			return out, nil
		}
		ra = bytes.NewReader(c.tee.Bytes())
	}
	if text, err := doctext.Extract(ctx, out.media, ra, size, textLimit); err == nil {
		out.text = safeText(text, false)
	} else if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return out, nil
}

// openFile opens path for an add: a regular file at most limit bytes. A
// folder, a device, a pipe or a socket is refused before it is read.
func openFile(path string, limit int64) (*os.File, os.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, unreadable(path, err)
	}
	if err := regular(path, fi); err != nil {
		return nil, nil, err
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, nil, unreadable(path, err)
	}
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return nil, nil, unreadable(path, err)
	}
	if err := regular(path, fi); err != nil {
		f.Close()
		return nil, nil, err
	}
	if fi.Size() > limit {
		f.Close()
		return nil, nil, &docTooLargeError{Name: filepath.Base(path), Size: fi.Size(), Limit: limit}
	}
	return f, fi, nil
}

func regular(path string, fi os.FileInfo) error {
	switch m := fi.Mode(); {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return &docUnreadableError{Path: path, Why: "it is a folder: add it as a folder"}
	default:
		return &docUnreadableError{Path: path, Why: "it is not an ordinary file but a device, a pipe or a socket"}
	}
}

// unchanged checks that the open file is as it was when the add started.
func unchanged(f *os.File, before os.FileInfo, name string, n int64) error {
	after, err := f.Stat()
	if err != nil {
		return unreadable(name, err)
	}
	if n != before.Size() || !sameFile(before, after) {
		return &docChangedError{Name: name}
	}
	return nil
}

// sameFile compares size, modification time and, where the system has
// them, the change time and the inode.
func sameFile(a, b os.FileInfo) bool {
	return a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) && fileStamp(a) == fileStamp(b)
}

// AddDocument adds the file at path to a client or a matter as a new
// document (or, by o.SameName, as a new version of the one of the same
// name). The file is read once as a stream, its chunks written to the
// vault and made durable, and then its rows are added in one change with
// its audit entry: a failure at any point (too large, unreadable, changed
// while read, a full disk, a cancel) adds nothing.
func (s *Session) AddDocument(ctx context.Context, t DocTarget, path string, o AddDocOptions) (*DocumentInfo, error) {
	if err := s.allow(ctx, access.AddDocuments, t.record()); err != nil {
		return nil, err
	}
	if err := t.valid(); err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = filepath.Base(path)
	}
	name, err := CleanDocName(o.Name)
	if err != nil {
		return nil, err
	}
	folder := cleanFolder(o.Folder)
	f, fi, err := openFile(path, s.DocumentLimit())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	existing, err := s.sameName(ctx, t, folder, name, o.SameName)
	if err != nil {
		return nil, err
	}
	b := s.v.NewBatch()
	defer b.Release()
	c, err := s.writeContent(ctx, b, source{name: name, r: f, ra: f, size: fi.Size(), limit: s.DocumentLimit(), progress: o.Progress})
	if err != nil {
		return nil, err
	}
	if err := unchanged(f, fi, name, c.w.Size); err != nil {
		return nil, err
	}
	return s.commitAdd(ctx, b, t, folder, name, existing, o.SameName, c, "added")
}

// AddDocumentReader is AddDocument for a stream (a file sent with an
// intake form, a drop from another program): no check for changes while
// read; its text is found only when the stream is at most 8 MiB.
func (s *Session) AddDocumentReader(ctx context.Context, t DocTarget, name string, r io.Reader, o AddDocOptions) (*DocumentInfo, error) {
	return s.addReader(ctx, t, name, r, o, "added")
}

func (s *Session) addReader(ctx context.Context, t DocTarget, name string, r io.Reader, o AddDocOptions, how string) (*DocumentInfo, error) {
	if err := s.allow(ctx, access.AddDocuments, t.record()); err != nil {
		return nil, err
	}
	if err := t.valid(); err != nil {
		return nil, err
	}
	if o.Name != "" {
		name = o.Name
	}
	name, err := CleanDocName(name)
	if err != nil {
		return nil, err
	}
	folder := cleanFolder(o.Folder)
	existing, err := s.sameName(ctx, t, folder, name, o.SameName)
	if err != nil {
		return nil, err
	}
	b := s.v.NewBatch()
	defer b.Release()
	c, err := s.writeContent(ctx, b, source{name: name, r: r, size: -1, limit: s.DocumentLimit(), progress: o.Progress})
	if err != nil {
		return nil, err
	}
	return s.commitAdd(ctx, b, t, folder, name, existing, o.SameName, c, how)
}

// sameName looks for a document of that name before the work: with
// SameNameAsk, one found is the answer. It also checks that the target is
// there for the user.
func (s *Session) sameName(ctx context.Context, t DocTarget, folder, name string, how SameName) (*store.Document, error) {
	var d *store.Document
	var info DocumentInfo
	err := s.st.View(ctx, func(tx *store.Tx) error {
		where, _, err := whereCache{}.of(tx, t)
		if err != nil {
			return err
		}
		d, err = tx.DocumentByName(t.ClientID, t.MatterID, folder, name)
		if errors.Is(err, store.ErrNotFound) {
			d, err = nil, nil
		}
		if d != nil {
			info = infoOf(d, where)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if d != nil && how == SameNameAsk {
		return nil, &SameNameError{Existing: info}
	}
	return d, nil
}

// keepBothName is the first of "name (2).ext", "name (3).ext", ... that
// the target does not have.
func keepBothName(tx *store.Tx, t DocTarget, folder, name string) (string, error) {
	ext := filepath.Ext(name)
	if ext == name {
		ext = ""
	}
	base := strings.TrimSuffix(name, ext)
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s (%d)%s", base, i, ext)
		_, err := tx.DocumentByName(t.ClientID, t.MatterID, folder, n)
		if errors.Is(err, store.ErrNotFound) {
			return n, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// commitAdd makes c durable and adds its rows: a new document, or a new
// version of the one of the same name (SameNameNewVersion).
func (s *Session) commitAdd(ctx context.Context, b *vault.ObjectBatch, t DocTarget, folder, name string, existing *store.Document, same SameName, c *content, how string) (*DocumentInfo, error) {
	if err := b.Sync(ctx); err != nil {
		return nil, s.diskFailure(err)
	}
	now := s.now()
	by := s.DisplayName()
	var info DocumentInfo
	action := "document.add"
	if existing != nil && same == SameNameNewVersion {
		action = "document.version"
	}
	err := s.update(ctx, action, func(tx *store.Tx) (string, string, error) {
		where, recs, err := whereCache{}.of(tx, t)
		if err != nil {
			return "", "", err
		}
		d, err := tx.DocumentByName(t.ClientID, t.MatterID, folder, name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			d = nil
		case err != nil:
			return "", "", err
		}
		v := &store.DocumentVersion{Size: c.w.Size, SHA256: c.w.SHA256, MediaType: c.media, AddedAt: now, AddedBy: by, How: how}
		if d != nil {
			switch same {
			case SameNameAsk: // added meanwhile
				return "", "", &SameNameError{Existing: infoOf(d, where)}
			case SameNameNewVersion:
				if action != "document.version" {
					return "", "", &SameNameError{Existing: infoOf(d, where)} // the words say what happened; try again
				}
				if how == "added" {
					v.How = "new-version"
				}
				n, err := tx.AddDocumentVersion(d.ID, v, c.w.Chunks, c.text)
				if err != nil {
					return "", "", err
				}
				if d, err = tx.Document(d.ID); err != nil {
					return "", "", err
				}
				info = infoOf(d, where)
				return docRecords(d.ID, recs), fmt.Sprintf("%s, version %d, %s%s", quoteName(d.Name), n, human.Size(c.w.Size), stored(b)), nil
			case SameNameKeepBoth:
				if name, err = keepBothName(tx, t, folder, name); err != nil {
					return "", "", err
				}
			}
		} else if action == "document.version" {
			return "", "", &docNotFoundError{ID: existing.ID} // deleted meanwhile
		}
		nd := &store.Document{ClientID: t.ClientID, MatterID: t.MatterID, Name: name, Folder: folder, CreatedAt: now, CreatedBy: by, UpdatedAt: now}
		id, err := tx.AddDocument(nd, v, c.w.Chunks, c.text)
		if err != nil {
			return "", "", err
		}
		if d, err = tx.Document(id); err != nil {
			return "", "", err
		}
		info = infoOf(d, where)
		return docRecords(id, recs), fmt.Sprintf("%s, %s, %s%s", quoteName(docPath(folder, name)), doctext.Label(c.media), human.Size(c.w.Size), stored(b)), nil
	})
	if err != nil {
		return nil, err
	}
	if info.MatterID != 0 {
		info.ClientID = 0
	}
	return &info, nil
}

// stored says how much of an add was new to the vault.
func stored(b *vault.ObjectBatch) string {
	_, n := b.Written()
	return ", " + human.Size(n) + " newly stored"
}

func docPath(folder, name string) string {
	if folder == "" {
		return name
	}
	return folder + "/" + name
}

// AddFolder adds every ordinary file under dir, keeping where each was
// (Folder: the added folder's name, then the path inside it, with '/').
// Links, devices, pipes and sockets are left out and listed in Skipped
// with the reason, and so are hidden files and folders (".DS_Store",
// ".git") and files an add refused (too large, unreadable, changed while
// read, a name already there with SameNameAsk). A full disk, a cancel or
// a refusal by the role stops the add: what was added before stays, and
// the error says why the rest was not.
func (s *Session) AddFolder(ctx context.Context, t DocTarget, dir string, o AddDocOptions) (*AddFolderResult, error) {
	if err := s.allow(ctx, access.AddDocuments, t.record()); err != nil {
		return nil, err
	}
	if err := t.valid(); err != nil {
		return nil, err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, unreadable(dir, err)
	}
	if !fi.IsDir() {
		return nil, &docUnreadableError{Path: dir, Why: "it is not a folder"}
	}
	top := filepath.Base(filepath.Clean(dir))
	if abs, err := filepath.Abs(dir); err == nil {
		top = filepath.Base(abs)
	}
	prefix := cleanFolder(o.Folder + "/" + top)
	res := &AddFolderResult{}
	skip := func(path, why string) { res.Skipped = append(res.Skipped, SkippedFile{Path: path, Reason: why}) }
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			skip(path, "it could not be read ("+err.Error()+")")
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if path == dir {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			skip(path, "it is hidden (its name starts with a dot)")
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch m := d.Type(); {
		case m.IsDir():
			return nil
		case m&os.ModeSymlink != 0:
			skip(path, "it is a link to another place, not a file")
			return nil
		case !m.IsRegular():
			skip(path, "it is not an ordinary file but a device, a pipe or a socket")
			return nil
		}
		rel, err := filepath.Rel(dir, filepath.Dir(path))
		if err != nil {
			return err
		}
		folder := prefix
		if rel != "." {
			folder = cleanFolder(prefix + "/" + filepath.ToSlash(rel))
		}
		info, err := s.AddDocument(ctx, t, path, AddDocOptions{Folder: folder, SameName: o.SameName, Progress: o.Progress})
		var one *docTooLargeError
		switch {
		case err == nil:
			res.Added = append(res.Added, *info)
		case errors.As(err, &one), errors.Is(err, ErrDocUnreadable), errors.Is(err, ErrDocChanged), errors.Is(err, ErrSameName), errors.Is(err, ErrInvalid):
			skip(path, err.Error())
		default:
			return err
		}
		return nil
	})
	return res, err
}

// AddVersion adds the file at path as the next version of a document; how
// is "new-version" (a file added as a new version) or "edited" (a saved
// change of an opened copy). It checks and commits like AddDocument.
func (s *Session) AddVersion(ctx context.Context, docID int64, path, how string) (*VersionInfo, error) {
	if err := s.allow(ctx, access.AddDocuments, ref("document", docID)); err != nil {
		return nil, err
	}
	if how != "new-version" && how != "edited" {
		return nil, &FieldError{"how", fmt.Sprintf("%q is not a way to add a version: use new-version or edited", how)}
	}
	var d *store.Document
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		d, _, _, err = s.document(tx, docID)
		return err
	})
	if err != nil {
		return nil, err
	}
	f, fi, err := openFile(path, s.DocumentLimit())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := s.v.NewBatch()
	defer b.Release()
	c, err := s.writeContent(ctx, b, source{name: d.Name, r: f, ra: f, size: fi.Size(), limit: s.DocumentLimit()})
	if err != nil {
		return nil, err
	}
	if err := unchanged(f, fi, d.Name, c.w.Size); err != nil {
		return nil, err
	}
	return s.commitVersion(ctx, b, docID, &store.DocumentVersion{Size: c.w.Size, SHA256: c.w.SHA256, MediaType: c.media, How: how}, c.w.Chunks, c.text, "document.version")
}

// commitVersion syncs b and adds v as the document's next version.
func (s *Session) commitVersion(ctx context.Context, b *vault.ObjectBatch, docID int64, v *store.DocumentVersion, chunks []vault.Chunk, text, action string) (*VersionInfo, error) {
	if err := b.Sync(ctx); err != nil {
		return nil, s.diskFailure(err)
	}
	v.AddedAt, v.AddedBy = s.now(), s.DisplayName()
	var out VersionInfo
	err := s.update(ctx, action, func(tx *store.Tx) (string, string, error) {
		d, _, recs, err := s.document(tx, docID)
		if err != nil {
			return "", "", err
		}
		n, err := tx.AddDocumentVersion(docID, v, chunks, text)
		if err != nil {
			return "", "", err
		}
		v.DocumentID, v.N = docID, n
		out = versionOf(v, n)
		detail := fmt.Sprintf("%s, version %d, %s%s", quoteName(d.Name), n, human.Size(v.Size), stored(b))
		if v.Note != "" {
			detail += ", " + v.Note
		}
		return recs, detail, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListDocuments lists the documents of a client (its own, not its
// matters') or a matter, or with a zero target every document the user
// may see, by name (f.Name: any part of it), a page at a time. It returns
// the page and how many match in all.
func (s *Session) ListDocuments(ctx context.Context, t DocTarget, f DocFilter) ([]DocumentInfo, int, error) {
	if err := s.allow(ctx, access.ListDocuments, t.record()); err != nil {
		return nil, 0, err
	}
	if t != (DocTarget{}) {
		if err := t.valid(); err != nil {
			return nil, 0, err
		}
	}
	var out []DocumentInfo
	var total int
	err := s.view(ctx, "document.list", func(tx *store.Tx) (string, string, error) {
		recs := ""
		wc := whereCache{}
		if t != (DocTarget{}) {
			var err error
			if _, recs, err = wc.of(tx, t); err != nil {
				return "", "", err
			}
		}
		ds, n, err := tx.Documents(store.DocumentFilter{ClientID: t.ClientID, MatterID: t.MatterID, NameLike: f.Name, Offset: f.Offset, Limit: f.Limit})
		if err != nil {
			return "", "", err
		}
		total = n
		seen := map[string]bool{}
		for _, r := range strings.Fields(recs) {
			seen[r] = true
		}
		for i := range ds {
			d := &ds[i]
			dt := DocTarget{MatterID: d.MatterID}
			if d.MatterID == 0 {
				dt.ClientID = d.ClientID
			}
			where, r, err := wc.of(tx, dt)
			if err != nil {
				return "", "", err
			}
			for _, x := range strings.Fields(r) {
				seen[x] = true
			}
			info := infoOf(d, where)
			if info.MatterID != 0 {
				info.ClientID = 0
			}
			out = append(out, info)
		}
		records := make([]string, 0, len(seen))
		for r := range seen {
			records = append(records, r)
		}
		sortRefs(records)
		detail := human.Count(len(out), "document", "documents")
		if f.Name != "" {
			detail += fmt.Sprintf(", name containing %q", f.Name)
		}
		return strings.Join(records, " "), detail, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func sortRefs(r []string) {
	for i := 1; i < len(r); i++ { // few: insertion sort by compareRefs
		for j := i; j > 0 && compareRefs(r[j-1], r[j]) > 0; j-- {
			r[j-1], r[j] = r[j], r[j-1]
		}
	}
}

// GetDocument returns one document.
func (s *Session) GetDocument(ctx context.Context, id int64) (*DocumentInfo, error) {
	if err := s.allow(ctx, access.ListDocuments, ref("document", id)); err != nil {
		return nil, err
	}
	var info DocumentInfo
	err := s.view(ctx, "document.view", func(tx *store.Tx) (string, string, error) {
		d, where, recs, err := s.document(tx, id)
		if err != nil {
			return "", "", err
		}
		info = infoOf(d, where)
		return recs, quoteName(d.Name), nil
	})
	if err != nil {
		return nil, err
	}
	return &info, nil
}

// DocumentVersions lists a document's versions, the first first.
func (s *Session) DocumentVersions(ctx context.Context, id int64) ([]VersionInfo, error) {
	if err := s.allow(ctx, access.ListDocuments, ref("document", id)); err != nil {
		return nil, err
	}
	var out []VersionInfo
	err := s.view(ctx, "document.view", func(tx *store.Tx) (string, string, error) {
		d, _, recs, err := s.document(tx, id)
		if err != nil {
			return "", "", err
		}
		vs, err := tx.DocumentVersions(id)
		if err != nil {
			return "", "", err
		}
		for i := range vs {
			out = append(out, versionOf(&vs[i], d.Current))
		}
		return recs, fmt.Sprintf("the versions of %s", quoteName(d.Name)), nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// version reads version n (0: the current one) of a document the user may
// see, with its chunks.
func (s *Session) version(tx *store.Tx, id int64, n int) (*store.Document, *store.DocumentVersion, string, error) {
	d, _, recs, err := s.document(tx, id)
	if err != nil {
		return nil, nil, "", err
	}
	if n == 0 {
		n = d.Current
	}
	vs, err := tx.DocumentVersions(id)
	if err != nil {
		return nil, nil, "", err
	}
	for i := range vs {
		if vs[i].N == n {
			v := &vs[i]
			if v.Chunks, err = tx.VersionChunks(id, n); err != nil {
				return nil, nil, "", err
			}
			return d, v, recs, nil
		}
	}
	return nil, nil, "", &FieldError{"version", fmt.Sprintf("%s has no version %d (it has %s)", quoteName(d.Name), n, human.Count(len(vs), "version", "versions"))}
}

// ReadDocument writes version n (0: the current one) of a document to w,
// each chunk authenticated and the whole compared with its SHA-256. The
// read is recorded before the first byte is written. A damaged version is
// ErrDocDamaged, naming the document and version; what was written to w
// before it is to be thrown away.
func (s *Session) ReadDocument(ctx context.Context, id int64, n int, w io.Writer) (*VersionInfo, error) {
	if err := s.allow(ctx, access.ReadDocuments, ref("document", id)); err != nil {
		return nil, err
	}
	var d *store.Document
	var v *store.DocumentVersion
	err := s.view(ctx, "document.read", func(tx *store.Tx) (string, string, error) {
		var recs string
		var err error
		if d, v, recs, err = s.version(tx, id, n); err != nil {
			return "", "", err
		}
		return recs, fmt.Sprintf("%s, version %d, %s", quoteName(d.Name), v.N, human.Size(v.Size)), nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.v.ReadDocument(ctx, v.Chunks, v.SHA256, w); err != nil {
		return nil, damaged(d.Name, v.N, err)
	}
	out := versionOf(v, d.Current)
	return &out, nil
}

// damaged words a failed read of a stored version.
func damaged(name string, n int, err error) error {
	var de *vault.DocumentDamagedError
	if errors.As(err, &de) || errors.Is(err, vault.ErrDamaged) {
		return &docDamagedError{Name: name, N: n, Err: err}
	}
	return err
}

// PreviewDocument returns what the window shows of version n (0: current)
// without opening it: an image of at most max bytes, or the first max
// bytes of a text, decoded and with control characters replaced. Other
// kinds give an empty Preview. The read is recorded.
func (s *Session) PreviewDocument(ctx context.Context, id int64, n int, max int64) (*Preview, error) {
	if err := s.allow(ctx, access.ReadDocuments, ref("document", id)); err != nil {
		return nil, err
	}
	if max <= 0 {
		max = 1 << 20
	}
	var d *store.Document
	var v *store.DocumentVersion
	var kind string
	err := s.view(ctx, "document.read", func(tx *store.Tx) (string, string, error) {
		var recs string
		var err error
		if d, v, recs, err = s.version(tx, id, n); err != nil {
			return "", "", err
		}
		kind = doctext.Previewable(v.MediaType)
		return recs, fmt.Sprintf("a preview of %s, version %d", quoteName(d.Name), v.N), nil
	})
	if err != nil {
		return nil, err
	}
	p := &Preview{Kind: kind}
	switch {
	case kind == "":
		return p, nil
	case kind == "image" && v.Size > max:
		p.Truncated = true
		return p, nil
	}
	// Only the chunks that hold the first max bytes are read.
	chunks, size := v.Chunks, int64(0)
	for i, c := range v.Chunks {
		if size >= max {
			chunks = v.Chunks[:i]
			break
		}
		size += int64(c.Size)
	}
	var want [32]byte
	if len(chunks) == len(v.Chunks) {
		want = v.SHA256
	}
	var buf bytes.Buffer
	if err := s.v.ReadDocument(ctx, chunks, want, &buf); err != nil {
		return nil, damaged(d.Name, v.N, err)
	}
	data := buf.Bytes()
	if int64(len(data)) > max {
		data, p.Truncated = data[:max], true
	}
	if kind == "image" {
		p.Data = data
		return p, nil
	}
	text, err := doctext.Extract(ctx, v.MediaType, bytes.NewReader(data), int64(len(data)), int(max))
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		text = string(data)
	}
	p.Text = previewText(text)
	return p, nil
}

// previewText replaces what a terminal or a label would act on: control
// characters but line breaks and tabs, and bytes that are not UTF-8, with
// U+FFFD (a form feed is a line break); line ends become "\n".
func previewText(s string) string {
	s = human.NormalizeLines(strings.ReplaceAll(strings.ReplaceAll(s, "\f", "\n"), "\v", "\n"))
	return safeText(s, false)
}

// RestoreVersion makes version n of a document its current content again
// by adding it as a new version ("restored from version n"): the chunks
// are the same, so nothing new is stored, and every version stays.
func (s *Session) RestoreVersion(ctx context.Context, id int64, n int) (*VersionInfo, error) {
	if err := s.allow(ctx, access.AddDocuments, ref("document", id)); err != nil {
		return nil, err
	}
	var d *store.Document
	var v *store.DocumentVersion
	var text string
	err := s.st.View(ctx, func(tx *store.Tx) error {
		if n <= 0 {
			return &FieldError{"version", "Choose which version to restore (1 is the first)"}
		}
		var err error
		if d, v, _, err = s.version(tx, id, n); err != nil {
			return err
		}
		text, err = tx.VersionText(id, n)
		return err
	})
	if err != nil {
		return nil, err
	}
	if v.N == d.Current {
		return nil, &FieldError{"version", fmt.Sprintf("Version %d is already the current version of %s", v.N, quoteName(d.Name))}
	}
	b := s.v.NewBatch()
	defer b.Release()
	refs := make([]vault.ObjectRef, len(v.Chunks))
	for i, c := range v.Chunks {
		refs[i] = vault.ObjectRef{Kind: vault.KindDocument, ID: c.ID}
	}
	if err := b.Hold(refs...); err != nil {
		return nil, damaged(d.Name, v.N, err)
	}
	nv := &store.DocumentVersion{Size: v.Size, SHA256: v.SHA256, MediaType: v.MediaType, How: "restored", Note: fmt.Sprintf("restored from version %d", v.N)}
	return s.commitVersion(ctx, b, id, nv, v.Chunks, text, "document.restore")
}

// DeleteDocument deletes a document and all its versions from the vault's
// current state. Chunks no other version uses are removed from the disk at
// the next checkpoint; backups made before keep them
// (docs/THREAT-MODEL.md, "Documents").
func (s *Session) DeleteDocument(ctx context.Context, id int64) error {
	if err := s.allow(ctx, access.DeleteDocuments, ref("document", id)); err != nil {
		return err
	}
	return s.update(ctx, "document.delete", func(tx *store.Tx) (string, string, error) {
		d, _, recs, err := s.document(tx, id)
		if err != nil {
			return "", "", err
		}
		return recs, fmt.Sprintf("%s, %s", quoteName(docPath(d.Folder, d.Name)), human.Count(d.Versions, "version", "versions")), tx.DeleteDocument(id)
	})
}

// diskFailure is savedFailure for the chunks of an add: a full disk also
// marks the session read-only (DiskFull), as a refused change does.
func (s *Session) diskFailure(err error) error {
	if err != nil && isDiskFull(err) {
		s.auditMu.Lock()
		s.diskFull = true
		s.auditMu.Unlock()
	}
	return savedFailure(err)
}
