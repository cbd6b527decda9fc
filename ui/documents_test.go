package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// docFixture is a vault with a client Anna Keller, her matter "Lease
// dispute", and files on disk to add.
type docFixture struct {
	matter, client, other int64
	files                 string // a folder of files to add
	picked                []string
}

// writeFile writes a file of the fixture's folder and returns its path.
func (f *docFixture) writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(f.files, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// newDocHarness makes the fixture and a window whose file dialogs answer
// the next path of f.picked.
func newDocHarness(t *testing.T) (*harness, *docFixture) {
	t.Helper()
	f := &docFixture{files: t.TempDir()}
	h := newHarness(t, true, func(o *Options) {
		o.pickPath = func(bool) string {
			if len(f.picked) == 0 {
				return ""
			}
			p := f.picked[0]
			f.picked = f.picked[1:]
			return p
		}
		o.openBrowser = func(string) error { return nil }
	})
	f.matter, f.other = seedMatter(t, h.dir)
	h.unlocked()
	m, err := h.u.sess.GetMatter(context.Background(), f.matter)
	if err != nil {
		t.Fatal(err)
	}
	f.client = m.ClientID
	return h, f
}

// seedDocs adds files to t through the app, as another window would.
func seedDocs(tt *testing.T, h *harness, t app.DocTarget, paths ...string) []int64 {
	tt.Helper()
	ctx := context.Background()
	var ids []int64
	for _, p := range paths {
		d, err := h.u.sess.AddDocument(ctx, t, p, app.AddDocOptions{})
		if err != nil {
			tt.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	return ids
}

// matterDocs shows the matter's Documents tab.
func (h *harness) matterDocs(id int64) *docsPane {
	h.t.Helper()
	h.u.main.showDocument(app.DocumentInfo{MatterID: id})
	h.u.wait()
	p := h.u.main.matters.docs
	if p == nil || !p.loaded {
		h.t.Fatalf("no Documents tab; texts %q", texts(h.u.w.Canvas()))
	}
	return p
}

// docNames are the names the list holds.
func docNames(p *docsPane) []string {
	var out []string
	for _, d := range p.items {
		out = append(out, d.Name)
	}
	return out
}

// choose picks the document named name in the list.
func (h *harness) choose(p *docsPane, name string) {
	h.t.Helper()
	for i, d := range p.items {
		if d.Name == name {
			p.list.Select(i)
			h.u.wait()
			return
		}
	}
	h.t.Fatalf("no %q in %q", name, docNames(p))
}

// TestDocumentsTab: the matter's Documents tab lists what was added
// (name, type, size, who, versions), shows a text's beginning and a
// picture, says there is no preview otherwise; escape codes in a name are
// shown as escapes and a very long name is cut; Open is off until a
// document is chosen. Then a search hit (checkSearchHit).
func TestDocumentsTab(t *testing.T) {
	h, f := newDocHarness(t)
	long := strings.Repeat("Very long name ", 16) + ".txt" // 244 bytes: the app keeps it whole
	seedDocs(t, h, app.DocTarget{MatterID: f.matter},
		f.writeFile(t, "notes.txt", []byte("Meeting with the landlord on Tuesday.\nHe agreed to wait.")),
		f.writeFile(t, "scan.png", tinyPNG(t, 40, 30)),
		f.writeFile(t, "evil\x1b[31mred.txt", []byte("x")),
		f.writeFile(t, long, []byte("y")),
		f.writeFile(t, "data.bin", []byte{0, 1, 2, 3, 0xff, 0xfe}))
	defer func(n int) { docPage = n }(docPage)
	docPage = 2 // the list reads its pages as the rows show
	p := h.matterDocs(f.matter)
	cv := h.u.w.Canvas()
	h.waitFor("every page", func() bool { return len(p.items) == 5 })
	if len(p.items) != 5 || !strings.HasPrefix(p.count.Text, "5 documents") {
		t.Fatalf("listed %q, count %q", docNames(p), p.count.Text)
	}
	if !p.openB.Disabled() || !p.deleteB.Disabled() || !p.selHint.Visible() {
		t.Error("Open or Delete is on with nothing chosen, or nothing says why")
	}
	all := strings.Join(texts(cv), "\n")
	// The app replaces the escape (U+FFFD); the window would show one as \x1b.
	if strings.Contains(all, "\x1b") || !(strings.Contains(all, "evil\uFFFD[31mred.txt") || strings.Contains(all, `evil\x1b[31mred.txt`)) {
		t.Errorf("the escape code is not shown as an escape:\n%s", all)
	}
	if strings.Contains(all, long) || !strings.Contains(all, "Very long name Very long") || !strings.Contains(all, "…") {
		t.Error("the long name is not cut, or not shown")
	}
	if !strings.Contains(all, "added by") || !strings.Contains(all, "1 version") {
		t.Errorf("a row lacks who added it or its versions:\n%s", all)
	}
	h.choose(p, "notes.txt")
	if (canOpenDocuments && p.openB.Disabled()) || !contains(cv, "He agreed to wait.") {
		t.Fatalf("text preview not shown; texts %q", texts(cv))
	}
	h.choose(p, "scan.png")
	if img := findImage(p.preview); img == nil || img.Image == nil || img.Image.Bounds().Dx() != 40 {
		t.Fatalf("no picture in the preview; texts %q", texts(cv))
	}
	h.choose(p, "data.bin")
	if !contains(cv, "No preview for this kind of file") {
		t.Errorf("no word for a file without preview; texts %q", texts(cv))
	}
	checkSearchHit(t, h, f)
}

// TestDocumentsAddSameName: Add files… adds the file chosen; the same
// name again asks: Add as a new version makes version 2, Keep both adds
// a second document, Cancel adds nothing; Add folder… keeps the folder as
// a prefix; a file gone is said; then dropping files (checkDrop).
func TestDocumentsAddSameName(t *testing.T) {
	h, f := newDocHarness(t)
	p := h.matterDocs(f.matter)
	cv := h.u.w.Canvas()
	letter := f.writeFile(t, "Engagement letter.txt", []byte("first draft"))
	f.picked = []string{letter}
	test.Tap(p.addFilesB)
	h.u.wait()
	if docNames(p) == nil || docNames(p)[0] != "Engagement letter.txt" || h.u.docJob != nil {
		t.Fatalf("not added: %q; texts %q", docNames(p), texts(cv))
	}
	if !strings.Contains(p.notice.Text, "1 document added to Lease dispute") {
		t.Errorf("notice = %q", p.notice.Text)
	}
	// The same name: a new version.
	os.WriteFile(letter, []byte("second draft, signed"), 0o600)
	f.picked = []string{letter}
	test.Tap(p.addFilesB)
	h.u.wait()
	if h.u.docJob == nil || !contains(cv, "A document named “Engagement letter.txt” is already in this matter") {
		t.Fatalf("no same-name question; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Add as a new version"))
	h.u.wait()
	if len(p.items) != 1 || p.items[0].Versions != 2 || !strings.Contains(p.notice.Text, "1 new version saved") {
		t.Fatalf("after new version: %+v, notice %q", p.items, p.notice.Text)
	}
	// Keep both.
	f.picked = []string{letter}
	test.Tap(p.addFilesB)
	h.u.wait()
	test.Tap(button(t, cv, "Keep both"))
	h.u.wait()
	if len(p.items) != 2 {
		t.Fatalf("after keep both: %q", docNames(p))
	}
	// Cancel.
	f.picked = []string{letter}
	test.Tap(p.addFilesB)
	h.u.wait()
	test.Tap(button(t, cv, "Cancel"))
	h.u.wait()
	if len(p.items) != 2 || h.u.docJob != nil || !contains(cv, "not added") {
		t.Fatalf("after cancel: %q, job %v; texts %q", docNames(p), h.u.docJob, texts(cv))
	}
	dismissAll(h)
	// A folder: its files, the folder's name as their prefix.
	f.writeFile(t, "Court/filing.txt", []byte("filed"))
	f.writeFile(t, "Court/orders/order 1.txt", []byte("ordered"))
	f.picked = []string{filepath.Join(f.files, "Court")}
	test.Tap(p.addFolderB)
	h.u.wait()
	folders := map[string]string{}
	for _, d := range p.items {
		folders[d.Name] = d.Folder
	}
	if folders["filing.txt"] != "Court" || folders["order 1.txt"] != "Court/orders" {
		t.Fatalf("folder add: %v; texts %q", folders, texts(cv))
	}
	if !contains(cv, "Court/") {
		t.Errorf("the folder is not shown as a prefix; texts %q", texts(cv))
	}
	// A file that is gone by the time it is added: said, nothing added.
	f.picked = []string{filepath.Join(f.files, "gone.txt")}
	test.Tap(p.addFilesB)
	h.u.wait()
	if !contains(cv, "Nothing was added") {
		t.Errorf("a missing file is not reported; texts %q", texts(cv))
	}
	dismissAll(h)
	checkDrop(t, h, f)
}

// dismissAll closes the dialogs over the window.
func dismissAll(h *harness) {
	for h.u.w.Canvas().Overlays().Top() != nil {
		if !h.u.closeTopDialog() {
			h.u.w.Canvas().Overlays().Remove(h.u.w.Canvas().Overlays().Top())
		}
	}
}

// checkDrop: files dropped on a matter's page go to it; dropped on
// another screen, a dialog asks where; dropped on a locked window, nothing
// happens.
func checkDrop(t *testing.T, h *harness, f *docFixture) {
	p := h.matterDocs(f.matter)
	n0 := len(p.items)
	a := f.writeFile(t, "a.txt", []byte("alpha"))
	b := f.writeFile(t, "b.txt", []byte("bravo"))
	h.u.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(a), storage.NewFileURI(b)})
	h.u.wait()
	if len(p.items) != n0+2 {
		t.Errorf("%d documents after dropping two on %d", len(p.items), n0)
	}
	if got := strings.Join(docNames(p), ","); !strings.Contains(got, "a.txt") || !strings.Contains(got, "b.txt") {
		t.Fatalf("dropped on the matter: %q; texts %q", got, texts(h.u.w.Canvas()))
	}
	// Elsewhere: asked; the client Boris Lang chosen.
	h.u.main.show(navConflicts)
	h.u.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(a)})
	h.u.wait()
	pick := h.u.main.docPick
	if pick == nil || !pick.addB.Disabled() {
		t.Fatal("no dialog asks where, or Add is on with nothing chosen")
	}
	test.Type(pick.find, "boris")
	if len(pick.shown()) != 1 {
		t.Fatalf("the filter shows %v", pick.shown())
	}
	pick.list.Select(0)
	test.Tap(pick.addB)
	h.u.wait()
	ds, n, err := h.u.sess.ListDocuments(context.Background(), app.DocTarget{ClientID: f.other}, app.DocFilter{})
	if err != nil || n != 1 || ds[0].Name != "a.txt" {
		t.Fatalf("Boris's documents: %v %d %v", ds, n, err)
	}
	// The client's page has its Documents tab too.
	h.u.main.showDocument(app.DocumentInfo{ClientID: f.other, ID: ds[0].ID})
	h.u.wait()
	if cp := h.u.main.clients.docs; cp == nil || cp.sel == nil || cp.sel.Name != "a.txt" {
		t.Fatalf("Boris's Documents tab: %+v; texts %q", cp, texts(h.u.w.Canvas()))
	}
	h.u.lockNow("")
	h.u.wait()
	h.u.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(b)}) // locked: ignored
	h.u.wait()
}

// TestDocumentsVersionsDeleteExport: the versions dialog lists each
// version and restores an older one as the newest (after asking);
// Export… writes the matter's documents to the folder chosen and says
// where and how many; Delete asks, then removes the document.
func TestDocumentsVersionsDeleteExport(t *testing.T) {
	h, f := newDocHarness(t)
	path := f.writeFile(t, "contract.txt", []byte("version one"))
	id := seedDocs(t, h, app.DocTarget{MatterID: f.matter}, path)[0]
	os.WriteFile(path, []byte("version two, longer"), 0o600)
	if _, err := h.u.sess.AddVersion(context.Background(), id, path, "new-version"); err != nil {
		t.Fatal(err)
	}
	p := h.matterDocs(f.matter)
	cv := h.u.w.Canvas()
	h.choose(p, "contract.txt")
	test.Tap(p.versionsB)
	h.u.wait()
	dv := p.versionsDlg
	if dv == nil || len(dv.vs) != 2 || dv.vs[0].N != 2 || !dv.vs[0].Current {
		t.Fatalf("versions: %+v", dv)
	}
	dv.list.Select(0)
	if !dv.restoreB.Disabled() {
		t.Error("the current version can be restored")
	}
	dv.list.Select(1)
	test.Tap(dv.restoreB)
	if !contains(cv, "nothing is overwritten") {
		t.Fatalf("no question before restoring; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Restore"))
	h.u.wait()
	if len(dv.vs) != 3 || dv.vs[0].N != 3 || !strings.Contains(dv.msg.Text, "Version 1 restored: it is version 3 now") {
		t.Fatalf("after restore: %+v, %q", dv.vs, dv.msg.Text)
	}
	var buf strings.Builder
	if _, err := h.u.sess.ReadDocument(context.Background(), id, 0, &buf); err != nil || buf.String() != "version one" {
		t.Fatalf("current content %q, %v", buf.String(), err)
	}
	test.Tap(button(t, cv, "Close"))

	// Export the matter's documents.
	out := t.TempDir()
	test.Tap(p.exportB)
	p.exportDlg.SetSelected("All documents of this matter")
	f.picked = []string{out}
	test.Tap(button(t, cv, "Choose a folder…"))
	h.u.wait()
	if !contains(cv, "1 document (11 bytes) exported to") {
		t.Fatalf("export message; texts %q", texts(cv))
	}
	n := 0
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	if n != 1 {
		t.Errorf("%d files exported", n)
	}
	dismissAll(h)

	// Delete: Cancel keeps it, Delete removes it.
	test.Tap(p.deleteB)
	if !contains(cv, "Delete “contract.txt” and its 3 versions?") {
		t.Fatalf("no question before deleting; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Cancel"))
	h.u.wait()
	if len(p.items) != 1 {
		t.Fatal("Cancel deleted it")
	}
	test.Tap(p.deleteB)
	test.Tap(button(t, cv, "Delete"))
	h.u.wait()
	if len(p.items) != 0 || p.sel != nil || !strings.Contains(p.notice.Text, "“contract.txt” was deleted") {
		t.Fatalf("after delete: %q, notice %q", docNames(p), p.notice.Text)
	}
	checkOpenNotices(t, h, f)
}

// checkSearchHit: a document is found by its name in the search field;
// its hit opens its matter's Documents tab with it chosen.
func checkSearchHit(t *testing.T, h *harness, f *docFixture) {
	seedDocs(t, h, app.DocTarget{MatterID: f.matter}, f.writeFile(t, "Quillfeather memo.txt", []byte("nothing to see")))
	m := h.u.main
	m.show(navConflicts)
	test.Type(m.search, "quillfeather")
	h.u.wait()
	var hit int = -1
	for i, x := range m.results.hits {
		if x.Kind == "document" {
			hit = i
		}
	}
	if hit < 0 || !contains(h.u.w.Canvas(), "Document: ") {
		t.Fatalf("no document hit: %+v", m.results.hits)
	}
	m.results.list.Select(hit)
	h.u.wait()
	p := m.matters.docs
	if m.showing != navMatters || p == nil || p.sel == nil || p.sel.Name != "Quillfeather memo.txt" {
		t.Fatalf("the hit did not open the document: showing %d, pane %v", m.showing, p)
	}
}

// checkOpenNotices: a version saved from an opened copy is said
// in the top bar ("Saved version 2 of …"; a click shows the document);
// with "Ask before saving" on, the question's answer goes back to the
// app, and locking answers No to a question still open.
func checkOpenNotices(t *testing.T, h *harness, f *docFixture) {
	id := seedDocs(t, h, app.DocTarget{MatterID: f.matter}, f.writeFile(t, "Engagement letter.txt", []byte("v1")))[0]
	p := h.matterDocs(f.matter)
	h.choose(p, "Engagement letter.txt")
	if canOpenDocuments {
		test.Tap(p.openB)
		h.u.wait()
		if !strings.Contains(p.notice.Text, "is open in its usual program") {
			t.Errorf("open notice = %q; texts %q", p.notice.Text, texts(h.u.w.Canvas()))
		}
	} else {
		h.u.docOpened = map[int64]app.DocumentInfo{id: *p.sel} // what openDocument records
	}
	s := h.u.sess
	go h.u.onDocVersion(s)(app.VersionInfo{DocumentID: id, N: 2})
	h.waitFor("the notice", func() bool { h.u.wait(); return h.u.main.docNote.Visible() })
	if got := h.u.main.docNote.Text; got != "Saved version 2 of Engagement letter.txt" {
		t.Errorf("notice = %q", got)
	}
	h.u.main.show(navConflicts)
	test.Tap(h.u.main.docNote)
	h.u.wait()
	if h.u.main.showing != navMatters || h.u.main.matters.docs.sel == nil {
		t.Error("the notice does not lead to the document")
	}
	// A copy gone: said in plain words.
	go h.u.onDocProblem(s)(app.ErrCopyGone)
	h.waitFor("the problem", func() bool { return contains(h.u.w.Canvas(), "A document opened from the vault") })
	dismissAll(h)
	// Ask: Save version answers yes.
	answer := make(chan bool, 1)
	ask := h.u.askDocVersion(s)
	go func() { answer <- ask(app.DocumentInfo{ID: id, Name: "Engagement letter.txt", Current: 2}) }()
	h.waitFor("the question", func() bool { h.u.wait(); return contains(h.u.w.Canvas(), "Save the change in the vault as version 3?") })
	test.Tap(button(t, h.u.w.Canvas(), "Save version"))
	if !<-answer {
		t.Error("Save version answered no")
	}
	// Locking answers no.
	go func() { answer <- ask(app.DocumentInfo{ID: id, Name: "Engagement letter.txt", Current: 2}) }()
	h.waitFor("the question", func() bool { h.u.wait(); return contains(h.u.w.Canvas(), "Save the change in the vault as version 3?") })
	h.u.lockNow("")
	h.u.wait()
	if <-answer {
		t.Error("locking answered yes")
	}
}
