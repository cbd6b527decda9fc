package app

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exported lists the files under dir (relative, with '/') and their text.
func exported(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExportDocuments: a document, a matter's documents with their
// folders, a client's whole file (their own documents and one folder per
// matter); each into a new folder named after it and the date, never over
// anything; audited with the count and the bytes; a folder inside the
// vault refused.
func TestExportDocuments(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	s.now = func() time.Time { return time.Date(2026, 12, 3, 10, 0, 0, 0, time.Local) }
	add := func(tg DocTarget, folder, name, text string) *DocumentInfo {
		t.Helper()
		d, err := s.AddDocumentReader(ctx, tg, name, strings.NewReader(text), AddDocOptions{Folder: folder})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	letter := add(fx.m(), "", "letter.txt", "dear ann")
	add(fx.m(), "court/exhibits", "a.txt", "exhibit a")
	v2 := filepath.Join(fx.files, "letter v2.txt")
	os.WriteFile(v2, []byte("dear ann, again"), 0o600)
	if _, err := s.AddVersion(ctx, letter.ID, v2, "edited"); err != nil {
		t.Fatal(err)
	}
	add(fx.c(), "", "id.txt", "passport")
	out := t.TempDir()

	res, err := s.ExportDocuments(ctx, ExportSelection{MatterID: fx.matter}, out)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"letter.txt": "dear ann, again", "court/exhibits/a.txt": "exhibit a"}
	if res.Folder != filepath.Join(out, "Lee v. Smith documents 2026-12-03") || res.Files != 2 || res.Bytes != 24 {
		t.Errorf("matter export: %+v", res)
	}
	if got := exported(t, res.Folder); !maps.Equal(got, want) {
		t.Errorf("matter export holds %v", got)
	}
	e := lastAudit(t, s)
	if e.Action != "document.export" || !strings.Contains(e.Detail, "2 documents, 24 bytes") || !strings.Contains(e.Records, "matter:") {
		t.Errorf("audit of the export: %+v", e)
	}
	// Again: a new folder beside, nothing overwritten.
	res2, err := s.ExportDocuments(ctx, ExportSelection{MatterID: fx.matter}, out)
	if err != nil || res2.Folder != filepath.Join(out, "Lee v. Smith documents 2026-12-03 (2)") {
		t.Errorf("the second export: %+v %v", res2, err)
	}
	if e := lastAudit(t, s); !strings.Contains(e.Detail, `"Lee v. Smith documents 2026-12-03 (2)"`) {
		t.Errorf("the audit of the second export names another folder than the one written: %+v", e)
	}

	res, err = s.ExportDocuments(ctx, ExportSelection{ClientID: fx.client}, out)
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"id.txt": "passport", "2026-014 Lee v. Smith/letter.txt": "dear ann, again", "2026-014 Lee v. Smith/court/exhibits/a.txt": "exhibit a"}
	if got := exported(t, res.Folder); !maps.Equal(got, want) || filepath.Base(res.Folder) != "Ann Lee documents 2026-12-03" {
		t.Errorf("client export in %s holds %v", res.Folder, got)
	}

	res, err = s.ExportDocuments(ctx, ExportSelection{DocumentIDs: []int64{letter.ID}}, out)
	if err != nil || filepath.Base(res.Folder) != "letter documents 2026-12-03" || res.Files != 1 {
		t.Errorf("one document: %+v %v", res, err)
	}
	entries, _ := os.ReadDir(out)
	for _, en := range entries {
		if strings.HasSuffix(en.Name(), ".partial") {
			t.Errorf("a partial file is left: %s", en.Name())
		}
	}

	for _, bad := range []struct {
		sel ExportSelection
		dir string
	}{{ExportSelection{MatterID: fx.matter}, filepath.Join(fx.dir, "objects")}, {ExportSelection{MatterID: fx.matter}, fx.dir},
		{ExportSelection{}, out}, {ExportSelection{MatterID: fx.matter, ClientID: fx.client}, out},
		{ExportSelection{MatterID: fx.matter}, filepath.Join(out, "no such folder")}} {
		n := len(exported(t, out))
		if _, err := s.ExportDocuments(ctx, bad.sel, bad.dir); !errors.Is(err, ErrInvalid) {
			t.Errorf("export of %+v to %s: %v", bad.sel, bad.dir, err)
		}
		if len(exported(t, out)) != n {
			t.Error("a refused export wrote files")
		}
	}
}

// A document named as a folder of other documents ("Letters" beside
// "Letters/a.txt"): the export writes both, the document as
// "Letters (2)", instead of failing on the folder it cannot make.
func TestExportDocumentNamedAsFolder(t *testing.T) {
	fx := newDocFix(t)
	s := fx.s
	for _, d := range []struct{ folder, name, text string }{{"", "Letters", "a file"}, {"Letters", "a.txt", "in the folder"}} {
		if _, err := s.AddDocumentReader(ctx, fx.m(), d.name, strings.NewReader(d.text), AddDocOptions{Folder: d.folder}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.ExportDocuments(ctx, ExportSelection{MatterID: fx.matter}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Letters (2)": "a file", "Letters/a.txt": "in the folder"}
	if got := exported(t, res.Folder); !maps.Equal(got, want) || res.Files != 2 {
		t.Errorf("export holds %v (%d files)", got, res.Files)
	}
}
