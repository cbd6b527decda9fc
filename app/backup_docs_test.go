package app

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

// Backups, restores and drills with documents (issue 13): the documents'
// chunks are vault objects, so a backup copies them and a restore brings
// them back; the drill reads every version of every document.

// docBytes is n deterministic random-looking bytes.
func docBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// storeDoc stores data as a new document on client (docID 0) or as the
// next version of docID, through the vault and store APIs the app's
// documents use, and returns the document's id.
func storeDoc(t *testing.T, s *Session, client, docID int64, name string, data []byte) int64 {
	t.Helper()
	var pol uint64
	if err := s.st.Update(ctx, func(tx *store.Tx) error {
		var err error
		pol, err = tx.DocPolynomial(vault.NewPolynomial)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b := s.v.NewBatch()
	defer b.Release()
	w, err := b.WriteDocument(ctx, bytes.NewReader(data), pol)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ver := &store.DocumentVersion{Size: w.Size, SHA256: w.SHA256, MediaType: "application/pdf", AddedAt: now, AddedBy: "tester", How: store.HowAdded}
	if err := s.st.Update(ctx, func(tx *store.Tx) error {
		if docID != 0 {
			ver.How = store.HowNewVersion
			_, err := tx.AddDocumentVersion(docID, ver, w.Chunks, "")
			return err
		}
		var err error
		docID, err = tx.AddDocument(&store.Document{ClientID: client, Name: name, CreatedAt: now, CreatedBy: "tester"}, ver, w.Chunks, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return docID
}

func versionChunks(t *testing.T, s *Session, docID int64, n int) []vault.Chunk {
	t.Helper()
	var cs []vault.Chunk
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		cs, err = tx.VersionChunks(docID, n)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return cs
}

// docsVault: a vault with two documents on a client: "lease.pdf" in two
// versions (the second changed in one place) and "scan.pdf", the same
// bytes as lease.pdf's first version (stored once). It returns the
// session, the client, lease.pdf's id and the content of each version.
// The vault is made once per test binary and copied (chunking and sealing
// 9 MiB under -race is seconds).
func docsVault(t *testing.T) (*Session, int64, int64, map[string][]byte) {
	t.Helper()
	docsTemplate.once.Do(func() {
		dir, _ := newTestVault(t)
		s := openTest(t, dir)
		client, err := s.AddClient(ctx, ClientInput{Name: ptr("Odile Brannagh")})
		if err != nil {
			t.Fatal(err)
		}
		v1 := docBytes(1, 3<<20+12345)
		v2 := slices.Clone(v1)
		copy(v2[1<<20:], "a changed clause")
		lease := storeDoc(t, s, client, 0, "lease.pdf", v1)
		storeDoc(t, s, client, lease, "", v2)
		storeDoc(t, s, client, 0, "scan.pdf", v1)
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		parent, err := os.MkdirTemp(scratchBase(), "casevault-docs-template")
		if err != nil {
			t.Fatal(err)
		}
		docsTemplate.dir = filepath.Join(parent, "vault")
		if err := os.CopyFS(docsTemplate.dir, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		docsTemplate.client, docsTemplate.lease = client, lease
		docsTemplate.content = map[string][]byte{"lease.pdf/1": v1, "lease.pdf/2": v2, "scan.pdf/1": v1}
	})
	if docsTemplate.dir == "" {
		t.Fatal("the documents vault could not be made (see the first test that asked for it)")
	}
	dir := filepath.Join(scratchDir(t), "vault")
	if err := os.CopyFS(dir, os.DirFS(docsTemplate.dir)); err != nil {
		t.Fatal(err)
	}
	return openTest(t, dir), docsTemplate.client, docsTemplate.lease, maps.Clone(docsTemplate.content)
}

var docsTemplate struct {
	once          sync.Once
	dir           string
	client, lease int64
	content       map[string][]byte
}

// docObjectFiles lists the document objects in a vault folder.
func docObjectFiles(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	filepath.WalkDir(filepath.Join(dir, vault.ObjectsDir, "doc"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out[d.Name()] = true
		}
		return nil
	})
	return out
}

func TestBackupRestoreDrillDocuments(t *testing.T) {
	t.Parallel()
	s, client, lease, content := docsVault(t)
	v1c, v2c := versionChunks(t, s, lease, 1), versionChunks(t, s, lease, 2)
	var fresh []vault.Chunk // the chunks of version 2 that version 1 lacks
	for _, c := range v2c {
		if !slices.Contains(v1c, c) {
			fresh = append(fresh, c)
		}
	}
	// (Chunk boundaries depend on the vault's random polynomial: version 1
	// may be one chunk or several; one change makes one or two new ones.)
	if len(fresh) == 0 || len(fresh) > 2 {
		t.Fatalf("version 1 has %d chunks, version 2 %d new ones: want one or two new", len(v1c), len(fresh))
	}
	if n := len(docObjectFiles(t, s.Dir())); n != len(v1c)+len(fresh) {
		t.Fatalf("%d document objects in the vault, want %d (equal content stored once)", n, len(v1c)+len(fresh))
	}
	repo := filepath.Join(scratchDir(t), "backup")
	rep1, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep1.Snapshot.Counts["documents"]; got != 2 {
		t.Errorf("the snapshot counts %d documents, want 2", got)
	}
	var live store.Counts
	if err := s.st.View(ctx, func(tx *store.Tx) (err error) { live, err = tx.Counts(); return err }); err != nil {
		t.Fatal(err)
	}
	if got := rep1.Snapshot.Counts["document_bytes"]; live.DocumentBytes == 0 || int64(got) != live.DocumentBytes {
		t.Errorf("the snapshot records %d bytes of documents, the vault has %d", got, live.DocumentBytes)
	}

	// An incremental backup after one more document writes about its size.
	extra := docBytes(7, 700<<10)
	storeDoc(t, s, client, 0, "letter.pdf", extra)
	content["letter.pdf/1"] = extra
	rep2, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// (Every backup also writes the database chunks that changed, the
	// manifest, the redo log and an index: about 300 KiB here, and since
	// schema 7 the chunk holding the vault's record of the first backup
	// (backup_records), written just after it: about 400 KiB in all.)
	if got := rep2.Snapshot.AddedBytes; got < int64(len(extra)) || got > int64(len(extra))+448<<10 {
		t.Errorf("the backup after adding a %d-byte document wrote %d bytes", len(extra), got)
	}

	b, err := s.OpenBackups(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var phases []BackupProgress
	drep, err := b.Drill(ctx, DrillOptions{Session: s, ScratchDir: scratchDir(t), Progress: func(p BackupProgress) {
		if p.Phase == "Checking documents" {
			phases = append(phases, p)
		}
	}})
	if err != nil || !drep.OK {
		t.Fatalf("drill: %v %+v", err, drep)
	}
	if c := drillCheck(t, drep, "Record counts"); !c.OK || !strings.Contains(c.Detail, ", 3 documents (") {
		t.Errorf("the drill's record counts leave the documents out: %+v", c)
	}
	c := drillCheck(t, drep, "Documents")
	if !c.OK || !strings.Contains(c.Detail, "3 documents, 4 versions") || c.Title != "Documents intact" {
		t.Errorf("the drill's document check: %+v", c)
	}
	if len(phases) < 2 || phases[len(phases)-1].Objects != 4 || phases[len(phases)-1].Bytes != phases[len(phases)-1].TotalBytes {
		t.Errorf("the drill's progress while checking documents: %+v", phases)
	}

	// The restored vault holds every version, byte for byte.
	to := filepath.Join(scratchDir(t), "restored")
	if _, err := b.Restore(ctx, to, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	rs := openTest(t, to)
	if err := rs.st.View(ctx, func(tx *store.Tx) error {
		docs, _, err := tx.Documents(store.DocumentFilter{})
		if err != nil {
			return err
		}
		seen := 0
		for _, d := range docs {
			vs, err := tx.DocumentVersions(d.ID)
			if err != nil {
				return err
			}
			for _, v := range vs {
				cs, err := tx.VersionChunks(d.ID, v.N)
				if err != nil {
					return err
				}
				var buf bytes.Buffer
				if err := rs.v.ReadDocument(ctx, cs, v.SHA256, &buf); err != nil {
					return err
				}
				key := d.Name + "/" + string(rune('0'+v.N))
				if !bytes.Equal(buf.Bytes(), content[key]) {
					t.Errorf("restored %s differs", key)
				}
				seen++
			}
		}
		if seen != len(content) {
			t.Errorf("restored %d versions, want %d", seen, len(content))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// A damaged part of a restored document fails the drill, naming the
	// document and the version in plain words.
	obj := s.v.ObjectPath(vault.KindDocument, fresh[0].ID)
	rel, _ := filepath.Rel(s.Dir(), obj)
	drep, err = b.Drill(ctx, DrillOptions{Session: s, ScratchDir: scratchDir(t), afterRestore: func(dir string) {
		p := filepath.Join(dir, rel)
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
			return
		}
		raw[len(raw)/2] ^= 1
		os.WriteFile(p, raw, 0o600)
	}})
	if !errors.Is(err, ErrDrillFailed) || drep == nil || drep.OK {
		t.Fatalf("drill of a damaged document: %v %+v", err, drep)
	}
	c = drillCheck(t, drep, "Documents")
	if c.OK || c.Said != "Version 2 of “lease.pdf” cannot be read back as it was saved." || !strings.Contains(c.Detail, "1 version of 4 versions damaged") {
		t.Errorf("the drill's document check of a damaged part: %+v", c)
	}
}

func drillCheck(t *testing.T, r *DrillReport, name string) DrillCheck {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("the drill has no check %q: %+v", name, r.Checks)
	return DrillCheck{}
}

// A document chunk damaged on the backup drive fails verify, the restore
// and the drill, which say which document it belongs to.
func TestBackupDamagedDocumentChunkNamed(t *testing.T) {
	t.Parallel()
	s, _, lease, _ := docsVault(t)
	repo := filepath.Join(scratchDir(t), "backup")
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	v1c, v2c := versionChunks(t, s, lease, 1), versionChunks(t, s, lease, 2)
	var only2 vault.ID
	for _, c := range v2c {
		if !slices.Contains(v1c, c) {
			only2 = c.ID
		}
	}
	// A blob in a pack is the vault's object file as it is: find it, flip a byte.
	raw, err := os.ReadFile(s.v.ObjectPath(vault.KindDocument, only2))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	filepath.WalkDir(filepath.Join(repo, "data"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		if i := bytes.Index(b, raw); i >= 0 {
			b[i+len(raw)/2] ^= 1
			os.WriteFile(p, b, 0o600)
			found = true
		}
		return nil
	})
	if !found {
		t.Fatal("no pack holds the chunk")
	}
	b, err := s.OpenBackups(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	vr, err := b.Verify(ctx, VerifyOptions{ReadData: true}, nil)
	if !errors.Is(err, ErrBackupDamaged) || vr == nil || len(vr.Problems) != 1 || !strings.Contains(fmt.Sprint(vr.Problems[0]), "document chunk") {
		t.Errorf("verify of a damaged document chunk: %v %+v", err, vr)
	}
	// Verify names the document too (the problem the CLI and the window
	// list, and the error), only the version that holds the chunk.
	if vr != nil && len(vr.Problems) == 1 {
		if r := vr.Problems[0].Reason; !strings.Contains(r, "it holds content of version 2 of “lease.pdf”") || strings.Contains(r, "version 1 of") {
			t.Errorf("verify's problem does not name the document: %q", r)
		}
	}
	if err == nil || !strings.Contains(err.Error(), "hold content of version 2 of “lease.pdf”") {
		t.Errorf("verify's error does not name the document: %v", err)
	}
	_, err = b.Restore(ctx, filepath.Join(scratchDir(t), "restored"), RestoreOptions{})
	if !errors.Is(err, ErrBackupDamaged) || !strings.Contains(err.Error(), "holds content of version 2 of “lease.pdf”") {
		t.Errorf("restore of a damaged document chunk: %v", err)
	}
	drep, err := b.Drill(ctx, DrillOptions{Session: s, ScratchDir: scratchDir(t)})
	if !errors.Is(err, ErrDrillFailed) || drep == nil || !strings.Contains(drillCheck(t, drep, "Restore").Detail, "version 2 of “lease.pdf”") {
		t.Errorf("drill of a damaged document chunk: %v %+v", err, drep)
	}
}

// A deleted document's chunks leave the live vault at the next checkpoint;
// the snapshot taken before still restores them.
func TestDeletedDocumentInOlderSnapshot(t *testing.T) {
	t.Parallel()
	s, _, lease, content := docsVault(t)
	repo := filepath.Join(scratchDir(t), "backup")
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	v2c := versionChunks(t, s, lease, 2)
	before := docObjectFiles(t, s.Dir())
	if err := s.st.Update(ctx, func(tx *store.Tx) error { return tx.DeleteDocument(lease) }); err != nil {
		t.Fatal(err)
	}
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	after := docObjectFiles(t, s.Dir())
	var gone []string
	for name := range before {
		if !after[name] {
			gone = append(gone, name)
		}
	}
	// scan.pdf keeps version 1's chunks; version 2's own chunk goes.
	if len(gone) == 0 || len(after) == 0 {
		t.Fatalf("after deleting lease.pdf and a checkpoint: %d of %d document objects gone, %d left", len(gone), len(before), len(after))
	}
	for _, c := range v2c {
		name := filepath.Base(s.v.ObjectPath(vault.KindDocument, c.ID))
		if !after[name] == slices.Contains(gone, name) && !slices.Contains(gone, name) && !after[name] {
			t.Errorf("chunk %s neither kept nor deleted", name)
		}
	}
	b, err := s.OpenBackups(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	to := filepath.Join(scratchDir(t), "restored")
	if _, err := b.Restore(ctx, to, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	rs := openTest(t, to)
	var buf bytes.Buffer
	if err := rs.st.View(ctx, func(tx *store.Tx) error {
		v, err := tx.DocumentVersion(lease, 2)
		if err != nil {
			return err
		}
		cs, err := tx.VersionChunks(lease, 2)
		if err != nil {
			return err
		}
		return rs.v.ReadDocument(ctx, cs, v.SHA256, &buf)
	}); err != nil {
		t.Fatalf("the deleted document from the older snapshot: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), content["lease.pdf/2"]) {
		t.Error("the deleted document restored from the older snapshot differs")
	}
}

// The documents' count and size reach the snapshot's counts, so a drill
// whose restored vault has the same number of documents but other sizes
// fails its record counts, and says so with the documents.
func TestCountsMapDocuments(t *testing.T) {
	m := countsMap(store.Counts{Clients: 1, Documents: 2, DocumentBytes: 1500})
	if m["documents"] != 2 || m["document_bytes"] != 1500 {
		t.Errorf("countsMap: %v", m)
	}
	if m := countsMap(store.Counts{Clients: 1}); len(m) != 5 {
		t.Errorf("countsMap of a vault without documents has %v (snapshots made before documents compare as before)", m)
	}
	other := countsMap(store.Counts{Clients: 1, Documents: 2, DocumentBytes: 1400})
	if recordCounts(m) == recordCounts(other) || !strings.HasSuffix(recordCounts(m), ", 2 documents (1.5 KB)") {
		t.Errorf("recordCounts: %q and %q", recordCounts(m), recordCounts(other))
	}
}
