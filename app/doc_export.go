package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// ExportSelection is what ExportDocuments writes out: some documents
// (DocumentIDs), a matter's documents (MatterID), or a whole client file
// (ClientID: the client's own documents and one folder per matter of
// theirs the user may see). Exactly one is set.
type ExportSelection struct {
	DocumentIDs []int64
	MatterID    int64
	ClientID    int64
}

// ExportResult is where an export went and how much it wrote.
type ExportResult struct {
	Folder string
	Files  int
	Bytes  int64
}

// exportFile is one document to write: its path inside the export folder
// and its current version.
type exportFile struct {
	id    int64
	path  string // with '/'
	name  string
	n     int
	size  int64
	sum   [32]byte
	parts []vault.Chunk
}

// docPageSize is how many documents one store read lists.
const docPageSize = 500

// ExportDocuments writes the current version of the selected documents as
// plain files into a NEW folder inside dir, named after what is exported
// and the date ("Lee v. Smith documents 2026-12-03"), keeping the folders
// they were added from. It never overwrites anything: the folder is new
// (" (2)" when that name is taken), each file is written as a .partial
// file and renamed when whole. A failure (a full disk, a damaged document,
// a cancel) removes the new folder again: an export is whole or not there.
// dir must not be inside the vault's folder. The export is recorded in the
// audit trail, with the count and the bytes, before the first file is
// written.
func (s *Session) ExportDocuments(ctx context.Context, sel ExportSelection, dir string) (*ExportResult, error) {
	records := ""
	switch {
	case sel.MatterID != 0:
		records = ref("matter", sel.MatterID)
	case sel.ClientID != 0:
		records = ref("client", sel.ClientID)
	}
	if err := s.allow(ctx, access.ExportDocuments, records); err != nil {
		return nil, err
	}
	set := 0
	for _, b := range []bool{len(sel.DocumentIDs) > 0, sel.MatterID != 0, sel.ClientID != 0} {
		if b {
			set++
		}
	}
	if set != 1 {
		return nil, &FieldError{"selection", "Choose what to export: some documents, a matter's documents or a client's whole file"}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil || !fi.IsDir() {
		return nil, &FieldError{"folder", fmt.Sprintf("There is no folder %s to export to: choose an existing folder", human.Escape(abs))}
	}
	real, vaultDir := abs, s.Dir()
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		real = r
	}
	if r, err := filepath.EvalSymlinks(vaultDir); err == nil {
		vaultDir = r
	}
	if inside(real, vaultDir) {
		return nil, &FieldError{"folder", fmt.Sprintf("The folder %s is inside the vault's folder: choose a folder outside it (the exported files are not encrypted)", human.Escape(abs))}
	}

	var files []exportFile
	var title, folder string
	var total int64
	err = s.view(ctx, "document.export", func(tx *store.Tx) (string, string, error) {
		var recs []string
		var err error
		files, title, recs, err = s.exportList(tx, sel)
		if err != nil {
			return "", "", err
		}
		// The folder is made before the audit entry is written, so that
		// the entry names the folder written ("... (2)" when the name was
		// taken), not the one first thought of.
		if folder, err = newFolder(abs, title+" documents "+dateOn(s.now())); err != nil {
			return "", "", savedExport(err, abs)
		}
		for _, f := range files {
			total += f.size
		}
		seen := map[string]bool{}
		var out []string
		for _, r := range recs {
			for _, x := range strings.Fields(r) {
				if !seen[x] {
					seen[x] = true
					out = append(out, x)
				}
			}
		}
		sortRefs(out)
		return strings.Join(out, " "), fmt.Sprintf("%s, %s, to a new folder %q in %s", human.Count(len(files), "document", "documents"),
			human.Size(total), filepath.Base(folder), abs), nil
	})
	if err != nil {
		if folder != "" {
			os.Remove(folder) // made, still empty: the export did not happen
		}
		return nil, err
	}
	res := &ExportResult{Folder: folder}
	if err := s.writeExport(ctx, folder, files, res); err != nil {
		os.RemoveAll(folder)
		return nil, err
	}
	return res, nil
}

// savedExport words a failed write of an export.
func savedExport(err error, dir string) error {
	if isDiskFull(err) {
		return fmt.Errorf("the disk holding %s is full, so nothing was exported: free some space there or choose another drive (technical details: %w)", human.Escape(dir), err)
	}
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("this account may not write in %s, so nothing was exported: choose another folder (technical details: %w)", human.Escape(dir), err)
	}
	return err
}

// newFolder makes a new folder name (or "name (2)", ...) in dir.
func newFolder(dir, name string) (string, error) {
	name = strings.ReplaceAll(name, "/", "-")
	if c, err := CleanDocName(name); err == nil {
		name = c
	}
	for i := 1; ; i++ {
		p := filepath.Join(dir, name)
		if i > 1 {
			p = filepath.Join(dir, fmt.Sprintf("%s (%d)", name, i))
		}
		err := os.Mkdir(p, 0o700)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, os.ErrExist) || i > 1000 {
			return "", err
		}
	}
}

// exportList reads what sel exports, the title of the folder, and the
// audit references of each document.
func (s *Session) exportList(tx *store.Tx, sel ExportSelection) ([]exportFile, string, []string, error) {
	var files []exportFile
	var recs []string
	add := func(d *store.Document, prefix string) error {
		chunks, err := tx.VersionChunks(d.ID, d.Current)
		if err != nil {
			return err
		}
		vs, err := tx.DocumentVersions(d.ID)
		if err != nil {
			return err
		}
		f := exportFile{id: d.ID, name: d.Name, n: d.Current, parts: chunks, path: docPath(cleanFolder(prefix+"/"+d.Folder), d.Name)}
		for _, v := range vs {
			if v.N == d.Current {
				f.size, f.sum = v.Size, v.SHA256
			}
		}
		files = append(files, f)
		return nil
	}
	all := func(t DocTarget, prefix string) error {
		for off := 0; ; off += docPageSize {
			ds, _, err := tx.Documents(store.DocumentFilter{ClientID: t.ClientID, MatterID: t.MatterID, Offset: off, Limit: docPageSize})
			if err != nil {
				return err
			}
			for i := range ds {
				recs = append(recs, ref("document", ds[i].ID))
				if err := add(&ds[i], prefix); err != nil {
					return err
				}
			}
			if len(ds) < docPageSize {
				return nil
			}
		}
	}
	switch {
	case sel.MatterID != 0:
		m, err := tx.GetMatter(sel.MatterID)
		if err != nil {
			return nil, "", nil, err
		}
		recs = append(recs, matterRecords(m))
		if err := all(DocTarget{MatterID: m.ID}, ""); err != nil {
			return nil, "", nil, err
		}
		return files, m.Title, recs, nil
	case sel.ClientID != 0:
		c, err := tx.GetClient(sel.ClientID)
		if err != nil {
			return nil, "", nil, err
		}
		recs = append(recs, ref("client", c.ID))
		if err := all(DocTarget{ClientID: c.ID}, ""); err != nil {
			return nil, "", nil, err
		}
		if s.Can(access.Matters, access.Read) {
			ms, err := tx.ListMatters(c.ID, "")
			if err != nil {
				return nil, "", nil, err
			}
			for _, m := range ms {
				recs = append(recs, ref("matter", m.ID))
				if err := all(DocTarget{MatterID: m.ID}, strings.TrimSpace(m.Number+" "+m.Title)); err != nil {
					return nil, "", nil, err
				}
			}
		}
		return files, c.Name, recs, nil
	}
	title := ""
	for _, id := range sel.DocumentIDs {
		d, where, r, err := s.document(tx, id)
		if err != nil {
			return nil, "", nil, err
		}
		recs = append(recs, r)
		if err := add(d, ""); err != nil {
			return nil, "", nil, err
		}
		t := strings.TrimPrefix(where, "Client: ")
		if d.MatterID != 0 {
			if m, err := tx.GetMatter(d.MatterID); err == nil {
				t = m.Title
			}
		}
		switch {
		case title == "":
			title = t
		case title != t:
			title = "casevault"
		}
	}
	if len(sel.DocumentIDs) == 1 && len(files) == 1 {
		title = strings.TrimSuffix(files[0].name, filepath.Ext(files[0].name))
	}
	return files, title, recs, nil
}

// writeExport writes files under folder, each through a .partial file.
func (s *Session) writeExport(ctx context.Context, folder string, files []exportFile, res *ExportResult) error {
	// The deepest first: a document named as a folder of others
	// ("Letters" beside "Letters/a.pdf") is then written beside that
	// folder as "Letters (2)", instead of standing where the folder must
	// be made and failing the whole export.
	files = slices.Clone(files)
	slices.SortStableFunc(files, func(a, b exportFile) int {
		return strings.Count(b.path, "/") - strings.Count(a.path, "/")
	})
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := filepath.FromSlash(f.path)
		dst := filepath.Join(folder, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return savedExport(err, folder)
		}
		dst = freeName(dst)
		tmp := dst + ".partial"
		out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return savedExport(err, folder)
		}
		bw := bufio.NewWriterSize(out, 1<<20)
		err = s.v.ReadDocument(ctx, f.parts, f.sum, bw)
		if err != nil {
			out.Close()
			os.Remove(tmp)
			if isDiskFull(err) || errors.Is(err, os.ErrPermission) {
				return savedExport(err, folder)
			}
			return damaged(f.name, f.n, err)
		}
		if err = bw.Flush(); err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp, dst)
		}
		if err != nil {
			os.Remove(tmp)
			return savedExport(err, folder)
		}
		res.Files++
		res.Bytes += f.size
	}
	return nil
}

// freeName is p, or "name (2).ext", ... when p exists already.
func freeName(p string) string {
	if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Lstat(p + ".partial"); errors.Is(err, os.ErrNotExist) {
			return p
		}
	}
	ext := filepath.Ext(p)
	base := strings.TrimSuffix(p, ext)
	for i := 2; ; i++ {
		q := fmt.Sprintf("%s (%d)%s", base, i, ext)
		if _, err := os.Lstat(q); errors.Is(err, os.ErrNotExist) {
			return q
		}
	}
}
