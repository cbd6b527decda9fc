package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"casevault/store/engine"
	"casevault/vault"
)

var docNow = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// putChunks stores each part as a document object of s's vault and
// returns the chunk list and the version naming them.
func putChunks(t testing.TB, s *Store, how string, parts ...string) (*DocumentVersion, []vault.Chunk) {
	t.Helper()
	var chunks []vault.Chunk
	h := sha256.New()
	var size int64
	for _, p := range parts {
		id, err := s.Vault().PutObject(vault.KindDocument, []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, vault.Chunk{ID: id, Size: uint32(len(p))})
		h.Write([]byte(p))
		size += int64(len(p))
	}
	v := &DocumentVersion{Size: size, MediaType: "text/plain", AddedAt: docNow, AddedBy: "owner", How: how}
	copy(v.SHA256[:], h.Sum(nil))
	return v, chunks
}

// addDoc adds a document of the matter (or, with matter 0, the client).
func addDoc(t testing.TB, s *Store, client, matter int64, folder, name, text string, parts ...string) int64 {
	t.Helper()
	v, chunks := putChunks(t, s, HowAdded, parts...)
	var id int64
	err := s.UpdateAs(context.Background(), Everyone, func(tx *Tx) error {
		var err error
		id, err = tx.AddDocument(&Document{ClientID: client, MatterID: matter, Name: name, Folder: folder, CreatedAt: docNow, CreatedBy: "owner"}, v, chunks, text)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// checkRefs: doc_objects holds exactly the objects document_chunks names,
// each with refs = the rows naming it, and DocumentObjects lists them.
func checkRefs(t testing.TB, tx *Tx, want map[vault.ID]int) {
	t.Helper()
	rows, err := tx.Query(`SELECT o.oid, o.refs, (SELECT count(*) FROM document_chunks c WHERE c.object = o.id) FROM doc_objects o`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[vault.ID]int{}
	for rows.Next() {
		var oid []byte
		var refs, named int
		if err := rows.Scan(&oid, &refs, &named); err != nil {
			t.Fatal(err)
		}
		if refs != named || refs <= 0 {
			t.Errorf("object %x: refs %d, named by %d chunk rows", oid[:4], refs, named)
		}
		got[vault.ID(oid)] = refs
	}
	rows.Close()
	var orphans int
	if err := tx.QueryRow("SELECT count(*) FROM document_chunks WHERE object NOT IN (SELECT id FROM doc_objects)").Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("chunk rows naming no object: %d, %v", orphans, err)
	}
	if want != nil {
		for id, n := range want {
			if got[id] != n {
				t.Errorf("object %x: refs %d, want %d", id[:4], got[id], n)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d objects recorded, want %d", len(got), len(want))
		}
	}
	refs, err := tx.DocumentObjects()
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != len(got) {
		t.Errorf("DocumentObjects: %d, want %d", len(refs), len(got))
	}
	for i, r := range refs {
		if r.Kind != vault.KindDocument || got[r.ID] == 0 {
			t.Errorf("DocumentObjects lists %v", r)
		}
		if i > 0 && bytes.Compare(refs[i-1].ID[:], r.ID[:]) >= 0 {
			t.Errorf("DocumentObjects out of order at %d", i)
		}
	}
}

func docClientMatter(t testing.TB, s *Store) (client, matter int64) {
	t.Helper()
	err := s.Update(context.Background(), func(tx *Tx) error {
		var err error
		if client, err = tx.InsertClient(&Client{Name: "Ann Lee"}, docNow); err != nil {
			return err
		}
		matter, err = tx.InsertMatter(&Matter{ClientID: client, Title: "Lee v. Smith"}, docNow)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return client, matter
}

// TestDocumentRefsProperty: random adds, versions and deletes (chunks
// shared within a version, across versions and across documents, some
// transactions rolled back) keep doc_objects exactly the distinct objects
// the chunk lists name, with their counts, and every version's chunks as
// written.
func TestDocumentRefsProperty(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	client, matter := docClientMatter(t, s)
	pool := make([]vault.Chunk, 10)
	for i := range pool {
		p := strings.Repeat(string(rune('a'+i)), 1+i*7)
		id, err := s.Vault().PutObject(vault.KindDocument, []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		pool[i] = vault.Chunk{ID: id, Size: uint32(len(p))}
	}
	type doc struct {
		versions [][]vault.Chunk
	}
	model := map[int64]*doc{}
	rng := rand.New(rand.NewPCG(13, 6))
	pick := func() ([]vault.Chunk, *DocumentVersion) {
		cs := make([]vault.Chunk, rng.IntN(5))
		var size int64
		for i := range cs {
			cs[i] = pool[rng.IntN(len(pool))]
			size += int64(cs[i].Size)
		}
		return cs, &DocumentVersion{Size: size, MediaType: "application/pdf", AddedAt: docNow, AddedBy: "owner", How: HowNewVersion}
	}
	for round := range 24 {
		rollback := round%7 == 3
		next := map[int64]*doc{}
		for id, d := range model {
			next[id] = &doc{versions: slices.Clone(d.versions)}
		}
		err := s.Update(ctx, func(tx *Tx) error {
			for range 1 + rng.IntN(4) {
				ids := make([]int64, 0, len(next))
				for id := range next {
					ids = append(ids, id)
				}
				slices.Sort(ids)
				switch op := rng.IntN(10); {
				case op < 4 || len(ids) == 0:
					cs, v := pick()
					v.How = HowAdded
					d := &Document{Name: fmt.Sprintf("doc %d.pdf", round), CreatedAt: docNow, CreatedBy: "owner"}
					if op%2 == 0 {
						d.MatterID = matter
					} else {
						d.ClientID = client
					}
					id, err := tx.AddDocument(d, v, cs, "text")
					if err != nil {
						return err
					}
					next[id] = &doc{versions: [][]vault.Chunk{cs}}
				case op < 8:
					id := ids[rng.IntN(len(ids))]
					cs, v := pick()
					n, err := tx.AddDocumentVersion(id, v, cs, "")
					if err != nil {
						return err
					}
					next[id].versions = append(next[id].versions, cs)
					if n != len(next[id].versions) {
						return fmt.Errorf("version %d, want %d", n, len(next[id].versions))
					}
				default:
					id := ids[rng.IntN(len(ids))]
					if err := tx.DeleteDocument(id); err != nil {
						return err
					}
					delete(next, id)
				}
			}
			if rollback {
				return errors.New("rolled back")
			}
			return nil
		})
		if rollback != (err != nil) {
			t.Fatalf("round %d: %v", round, err)
		}
		if !rollback {
			model = next
		}
		want := map[vault.ID]int{}
		for _, d := range model {
			for _, v := range d.versions {
				for _, c := range v {
					want[c.ID]++
				}
			}
		}
		err = s.View(ctx, func(tx *Tx) error {
			checkRefs(t, tx, want)
			for id, d := range model {
				for i, v := range d.versions {
					got, err := tx.VersionChunks(id, i+1)
					if err != nil {
						return err
					}
					if !slices.Equal(got, v) && len(got)+len(v) > 0 {
						t.Errorf("round %d: document %d version %d: chunks %v, want %v", round, id, i+1, got, v)
					}
				}
			}
			_, total, err := tx.Documents(DocumentFilter{})
			if total != len(model) {
				t.Errorf("round %d: %d documents, want %d", round, total, len(model))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			t.FailNow()
		}
	}
}

// TestDocumentRows: what AddDocument and AddDocumentVersion write reads
// back; bad input is refused and changes nothing; the chunker's
// polynomial is made once.
func TestDocumentRows(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	client, matter := docClientMatter(t, s)
	id := addDoc(t, s, 0, matter, "letters/2026", "Engagement.pdf", "engagement text", "hello ", "world")
	v2, c2 := putChunks(t, s, HowEdited, "hello ", "there")
	v2.AddedAt = docNow.Add(time.Hour)
	v2.Note = "edited in Word"
	err := s.Update(ctx, func(tx *Tx) error {
		n, err := tx.AddDocumentVersion(id, v2, c2, "there")
		if n != 2 {
			t.Errorf("new version %d, want 2", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		d, err := tx.Document(id)
		if err != nil {
			return err
		}
		if d.MatterID != matter || d.ClientID != 0 || d.Name != "Engagement.pdf" || d.Folder != "letters/2026" || d.Current != 2 ||
			d.Versions != 2 || d.Size != 11 || d.MediaType != "text/plain" || !d.CreatedAt.Equal(docNow) || !d.UpdatedAt.Equal(v2.AddedAt) {
			t.Errorf("document %+v", d)
		}
		vs, err := tx.DocumentVersions(id)
		if err != nil {
			return err
		}
		if len(vs) != 2 || vs[0].N != 1 || vs[1].N != 2 || vs[1].How != HowEdited || vs[1].Note != "edited in Word" ||
			vs[1].SHA256 != sha256.Sum256([]byte("hello there")) || !vs[1].AddedAt.Equal(v2.AddedAt) {
			t.Errorf("versions %+v", vs)
		}
		if cur, err := tx.DocumentVersion(id, 0); err != nil || cur.N != 2 {
			t.Errorf("current version %+v, %v", cur, err)
		}
		if text, err := tx.VersionText(id, 1); err != nil || text != "engagement text" {
			t.Errorf("VersionText(1) = %q, %v", text, err)
		}
		if _, err := tx.VersionChunks(id, 3); !errors.Is(err, ErrNotFound) {
			t.Errorf("VersionChunks of version 3: %v", err)
		}
		if d, err := tx.DocumentByName(0, matter, "LETTERS/2026", "engagement.PDF"); err != nil || d.ID != id {
			t.Errorf("DocumentByName: %+v, %v", d, err)
		}
		if _, err := tx.DocumentByName(client, 0, "letters/2026", "Engagement.pdf"); !errors.Is(err, ErrNotFound) {
			t.Errorf("DocumentByName of the client: %v", err)
		}
		c, err := tx.Counts()
		if c.Documents != 1 || c.DocumentBytes != 11 {
			t.Errorf("counts %+v", c)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	good, goodChunks := putChunks(t, s, HowAdded, "x")
	for _, tc := range []struct {
		name   string
		d      Document
		v      DocumentVersion
		chunks []vault.Chunk
		want   error
	}{
		{"no target", Document{Name: "a"}, *good, goodChunks, ErrBadDocument},
		{"both targets", Document{Name: "a", ClientID: client, MatterID: matter}, *good, goodChunks, ErrBadDocument},
		{"empty name", Document{MatterID: matter}, *good, goodChunks, ErrBadDocument},
		{"slash", Document{MatterID: matter, Name: "a/b"}, *good, goodChunks, ErrBadDocument},
		{"dot dot folder", Document{MatterID: matter, Name: "a", Folder: "x/../y"}, *good, goodChunks, ErrBadDocument},
		{"sizes differ", Document{MatterID: matter, Name: "a"}, DocumentVersion{Size: 5, How: HowAdded}, goodChunks, ErrBadDocument},
		{"bad how", Document{MatterID: matter, Name: "a"}, DocumentVersion{Size: 1, How: "copied"}, goodChunks, ErrBadDocument},
		{"missing matter", Document{MatterID: 999, Name: "a"}, *good, goodChunks, ErrNotFound},
	} {
		err := s.Update(ctx, func(tx *Tx) error {
			_, err := tx.AddDocument(&tc.d, &tc.v, tc.chunks, "")
			return err
		})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	err = s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.AddDocumentVersion(999, good, goodChunks, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("a version of a missing document: %v", err)
		}
		if err := tx.DeleteDocument(999); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleting a missing document: %v", err)
		}
		if err := tx.DeleteClient(client); err == nil {
			t.Error("a client with a matter was deleted")
		}
		_, total, err := tx.Documents(DocumentFilter{})
		if total != 1 {
			t.Errorf("%d documents after refusals", total)
		}
		checkRefs(t, tx, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A client's own document keeps the client from being deleted.
	var lone int64
	err = s.Update(ctx, func(tx *Tx) error {
		var err error
		lone, err = tx.InsertClient(&Client{Name: "Lone"}, docNow)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	addDoc(t, s, lone, 0, "", "id.jpg", "", "jpeg")
	err = s.Update(ctx, func(tx *Tx) error { return tx.DeleteClient(lone) })
	if !errors.Is(err, ErrHasDocuments) {
		t.Errorf("deleting a client with a document: %v", err)
	}
	checkPolynomial(t, s)
}

// checkPolynomial: made once, then read back; newPol's error is wrapped
// and nothing is saved (part of TestDocumentRows: one store less).
func checkPolynomial(t *testing.T, s *Store) {
	ctx := context.Background()
	boom := errors.New("no randomness")
	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.DocPolynomial(func() (uint64, error) { return 0, boom })
		return err
	})
	if !errors.Is(err, boom) {
		t.Fatalf("DocPolynomial with a failing maker: %v", err)
	}
	calls := 0
	mk := func() (uint64, error) { calls++; return 0x3DA3358B4DC173, nil }
	for range 2 {
		err := s.Update(ctx, func(tx *Tx) error {
			p, err := tx.DocPolynomial(mk)
			if p != 0x3DA3358B4DC173 {
				t.Errorf("polynomial %x", p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Errorf("the polynomial was made %d times", calls)
	}
}

// TestDocumentsWalled: a document of a walled matter or a restricted
// client is hidden from the viewer behind the wall in lists, counts,
// search and by id, as for a document that does not exist; the owner
// sees them all.
func TestDocumentsWalled(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	s := f.s
	seen, walled, restricted, onMR := f.docMG, f.docW, f.docR, f.docMR
	para := Viewer{UserID: f.para}
	err := s.ViewAs(ctx, para, func(tx *Tx) error {
		ds, total, err := tx.Documents(DocumentFilter{})
		if err != nil {
			return err
		}
		if total != 1 || len(ds) != 1 || ds[0].ID != seen {
			t.Errorf("the paralegal lists %d: %+v", total, ds)
		}
		if _, total, _ := tx.Documents(DocumentFilter{ClientID: f.clientG, WithMatters: true}); total != 1 {
			t.Errorf("the paralegal lists %d of client G's", total)
		}
		for _, id := range []int64{walled, restricted, onMR} {
			if _, err := tx.Document(id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Document(%d): %v", id, err)
			}
			if _, err := tx.DocumentVersions(id); !errors.Is(err, ErrNotFound) {
				t.Errorf("DocumentVersions(%d): %v", id, err)
			}
			if _, err := tx.VersionChunks(id, 1); !errors.Is(err, ErrNotFound) {
				t.Errorf("VersionChunks(%d): %v", id, err)
			}
		}
		if _, err := tx.DocumentByName(0, f.matterW, "", "merger "+canary+".pdf"); !errors.Is(err, ErrNotFound) {
			t.Errorf("DocumentByName behind the wall: %v", err)
		}
		c, err := tx.Counts()
		if c.Documents != 1 || c.DocumentBytes != int64(len("lease.pdf")) {
			t.Errorf("the paralegal counts %+v", c)
		}
		for _, q := range []string{"terms", canary, "passport", "will", "merger"} {
			hits, err := tx.Search(q, 20)
			if err != nil {
				return err
			}
			for _, h := range hits {
				if h.Kind == "document" && h.DocumentID != seen {
					t.Errorf("the paralegal's search for %q finds document %d", q, h.DocumentID)
				}
				if strings.Contains(h.Snippet+h.Name+h.Title, canary) {
					t.Errorf("the paralegal's search shows %+v", h)
				}
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.UpdateAs(ctx, para, func(tx *Tx) error {
		if err := tx.DeleteDocument(walled); !errors.Is(err, ErrNotFound) {
			t.Errorf("the paralegal deletes a walled document: %v", err)
		}
		v, cs := putChunks(t, s, HowNewVersion, "x")
		if _, err := tx.AddDocumentVersion(walled, v, cs, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("the paralegal versions a walled document: %v", err)
		}
		v.How = HowAdded
		if _, err := tx.AddDocument(&Document{MatterID: f.matterW, Name: "x"}, v, cs, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("the paralegal adds to a walled matter: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.ViewAs(ctx, Everyone, func(tx *Tx) error {
		_, total, err := tx.Documents(DocumentFilter{})
		if total != 4 {
			t.Errorf("the owner lists %d", total)
		}
		hits, err2 := tx.Search("terms", 20)
		if n := countKind(hits, "document"); n != 2 {
			t.Errorf("the owner's search finds %d documents", n)
		}
		return errors.Join(err, err2)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func countKind(hits []SearchHit, kind string) int {
	n := 0
	for _, h := range hits {
		if h.Kind == kind {
			n++
		}
	}
	return n
}

// TestDocumentSearch: a document is found by its name (with a typing
// slip too), its folder and its current version's text; a new version's
// text replaces the old; a deleted document is found no more.
func TestDocumentSearch(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	client, matter := docClientMatter(t, s)
	id := addDoc(t, s, 0, matter, "pleadings", "Statement of claim.docx", "the zebra crossed the road", "claim")
	onClient := addDoc(t, s, client, 0, "", "passport scan.jpg", "", "scan")
	find := func(q string) []SearchHit {
		t.Helper()
		var hits []SearchHit
		err := s.View(ctx, func(tx *Tx) error {
			var err error
			hits, err = tx.Search(q, 20)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var out []SearchHit
		for _, h := range hits {
			if h.Kind == "document" {
				out = append(out, h)
			}
		}
		return out
	}
	for _, tc := range []struct{ q, field string }{{"statement claim", "name"}, {"pleadings", "folder"}, {"zebra", "text"}, {"zeb", "text"}} {
		hits := find(tc.q)
		if len(hits) != 1 || hits[0].DocumentID != id || hits[0].Field != tc.field || hits[0].MatterID != matter ||
			hits[0].ClientID != client || hits[0].Title != "Lee v. Smith" || hits[0].Name != "Statement of claim.docx" {
			t.Errorf("search %q: %+v", tc.q, hits)
		}
	}
	if hits := find("zebra"); len(hits) == 1 && hits[0].Snippet != "the [zebra] crossed the road" {
		t.Errorf("snippet %q", hits[0].Snippet)
	}
	if hits := find("passport"); len(hits) != 1 || hits[0].DocumentID != onClient || hits[0].ClientID != client ||
		hits[0].MatterID != 0 || hits[0].Title != "Ann Lee" {
		t.Errorf("the client's document: %+v", hits)
	}
	// A slip in a name's word finds it (the word list read whole, then
	// refreshed with a document added since).
	if hits := find("statment"); len(hits) != 1 || hits[0].DocumentID != id || !hits[0].Fuzzy {
		t.Errorf("search with a slip: %+v", hits)
	}
	later := addDoc(t, s, 0, matter, "", "Affidavit of service.pdf", "", "affidavit")
	if hits := find("afidavit"); len(hits) != 1 || hits[0].DocumentID != later || !hits[0].Fuzzy {
		t.Errorf("search with a slip in a document added since: %+v", hits)
	}
	v, cs := putChunks(t, s, HowNewVersion, "claim v2")
	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.AddDocumentVersion(id, v, cs, "the giraffe waited")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if hits := find("zebra"); len(hits) != 0 {
		t.Errorf("the old version's text is still found: %+v", hits)
	}
	if hits := find("giraffe"); len(hits) != 1 || hits[0].DocumentID != id {
		t.Errorf("the new version's text: %+v", hits)
	}
	err = s.Update(ctx, func(tx *Tx) error { return tx.DeleteDocument(id) })
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"giraffe", "statement", "pleadings"} {
		if hits := find(q); len(hits) != 0 {
			t.Errorf("search %q after the delete: %+v", q, hits)
		}
	}
	err = s.View(ctx, func(tx *Tx) error {
		checkRefs(t, tx, nil)
		var n int
		err := tx.QueryRow("SELECT count(*) FROM search WHERE kind = 'document'").Scan(&n)
		if n != 2 {
			t.Errorf("%d document rows in the index, want 2", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrateFrom5: a schema-5 vault upgrades to 6, keeps what it held,
// and takes documents that survive a crash (replayed from the log) and a
// checkpoint, whose manifest lists their objects after the audit
// segments'; counts in the meta leave documents out while there are none.
func TestMigrateFrom5(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, upTo: 5, Roles: testRoles})
	_, matter := docClientMatter(t, s)
	var before []byte
	err := s.View(ctx, func(tx *Tx) error {
		meta, err := countsMeta(tx)
		before = meta
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	closeStore(s)

	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	if v, err := s.version(ctx); err != nil || v != SchemaVersion {
		t.Fatalf("schema after = %d, %v; want %d", v, err, SchemaVersion)
	}
	err = s.View(ctx, func(tx *Tx) error {
		meta, err := countsMeta(tx)
		if string(meta) != string(before) {
			t.Errorf("meta without documents %s, before %s", meta, before)
		}
		if m, err := tx.GetMatter(matter); err != nil || m.Title != "Lee v. Smith" {
			t.Errorf("the matter after migrating: %+v, %v", m, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	id := addDoc(t, s, 0, matter, "", "bill.pdf", "invoice", "bill")
	crash(s)
	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	err = s.View(ctx, func(tx *Tx) error {
		d, err := tx.Document(id)
		if err != nil {
			return err
		}
		if d.Name != "bill.pdf" || d.Size != 4 {
			t.Errorf("replayed document %+v", d)
		}
		hits, err := tx.Search("invoice", 5)
		if countKind(hits, "document") != 1 {
			t.Errorf("replayed search: %+v", hits)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	var objs []vault.ObjectRef
	err = s.db.View(ctx, func(etx *engine.Tx) error {
		var err error
		objs, err = docObjects(etx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Kind != vault.KindDocument {
		t.Errorf("the checkpoint's objects: %v", objs)
	}
}

// TestRotateKeyDocuments: a rotation stores every document chunk again
// under the new key; the chunk lists name the new objects, which read
// back the same content. Then a deleted document's chunk leaves the
// vault at the next checkpoint, and a chunk shared with another stays.
func TestRotateKeyDocuments(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	_, matter := docClientMatter(t, s)
	a := addDoc(t, s, 0, matter, "", "a.txt", "", "one", "two")
	b := addDoc(t, s, 0, matter, "", "b.txt", "", "two", "three")
	chunksOf := func() map[int64][]vault.Chunk {
		out := map[int64][]vault.Chunk{}
		err := s.View(ctx, func(tx *Tx) error {
			for _, id := range []int64{a, b} {
				cs, err := tx.VersionChunks(id, 1)
				if err != nil {
					return err
				}
				out[id] = cs
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	old := chunksOf()
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	now := chunksOf()
	want := map[int64][]string{a: {"one", "two"}, b: {"two", "three"}}
	for id, cs := range now {
		for i, c := range cs {
			if c.ID == old[id][i].ID {
				t.Errorf("document %d chunk %d kept its object id", id, i)
			}
			got, err := s.Vault().GetObject(vault.KindDocument, c.ID)
			if err != nil || string(got) != want[id][i] {
				t.Errorf("document %d chunk %d reads %q, %v", id, i, got, err)
			}
		}
	}
	if now[a][1] != now[b][0] {
		t.Error("the shared chunk is two objects after the rotation")
	}
	err := s.View(ctx, func(tx *Tx) error { checkRefs(t, tx, nil); return nil })
	if err != nil {
		t.Fatal(err)
	}
	// Deleting a: the next checkpoint no longer lists its own chunk,
	// which goes; the chunk b shares stays.
	if err := s.Update(ctx, func(tx *Tx) error { return tx.DeleteDocument(a) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Vault().GetObject(vault.KindDocument, now[a][0].ID); err == nil {
		t.Error("the deleted document's own chunk is still stored after a checkpoint")
	}
	for i, c := range now[b] {
		if got, err := s.Vault().GetObject(vault.KindDocument, c.ID); err != nil || string(got) != want[b][i] {
			t.Errorf("document %d chunk %d after deleting a: %q, %v", b, i, got, err)
		}
	}
}
