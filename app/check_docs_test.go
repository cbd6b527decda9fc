package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

// casevault check reads the document chunks the checkpoint lists: counted
// under "Documents" (not as parts of the audit trail), and a damaged one
// named there.
func TestCheckDamagedDocument(t *testing.T) {
	t.Parallel()
	dir, _ := newTestVault(t)
	s := openTest(t, dir)
	client, err := s.AddClient(ctx, ClientInput{Name: ptr("Ann")})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := vault.NewPolynomial()
	if err != nil {
		t.Fatal(err)
	}
	b := s.st.Vault().NewBatch()
	defer b.Release()
	dw, err := b.WriteDocument(ctx, bytes.NewReader(bytes.Repeat([]byte("a page of the file "), 100000)), pol)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	err = s.st.Update(ctx, func(tx *store.Tx) error {
		now := time.Now()
		_, err := tx.AddDocument(&store.Document{ClientID: client, Name: "file.txt", CreatedAt: now, CreatedBy: "tester"},
			&store.DocumentVersion{Size: dw.Size, SHA256: dw.SHA256, MediaType: "text/plain", AddedAt: now, AddedBy: "tester", How: store.HowAdded},
			dw.Chunks, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Check(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if it := item(t, rep, "Documents"); it.Status != CheckOK || !strings.Contains(it.Said, "of the documents read back intact") {
		t.Fatalf("documents: %+v", it)
	}
	if it := item(t, rep, "Sealed audit trail"); strings.Contains(it.Said, "intact") && !strings.Contains(it.Said, "No part") {
		t.Fatalf("document chunks counted as the audit trail's: %+v", it)
	}
	id := dw.Chunks[0].ID.String()
	p := filepath.Join(dir, vault.ObjectsDir, "doc", id[:2], id)
	raw, _ := os.ReadFile(p)
	raw[len(raw)/2] ^= 0x40
	os.WriteFile(p, raw, 0o600)
	checkFails(t, s, "Documents", p+": object authentication failed")
}

// A document added since the last checkpoint is not yet in the
// checkpoint's list of objects (it is in the redo log), and a command
// line session often ends without a checkpoint: check still reads its
// chunks, and names a damaged one.
func TestCheckDocumentSinceCheckpoint(t *testing.T) {
	t.Parallel()
	fx := newDocFix(t)
	s := fx.s
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.AddDocumentReader(ctx, fx.m(), "new.txt", strings.NewReader("added after the checkpoint"), AddDocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var chunks []vault.Chunk
	err = s.st.View(ctx, func(tx *store.Tx) error {
		chunks, err = tx.VersionChunks(d.ID, 1)
		return err
	})
	if err != nil || len(chunks) != 1 {
		t.Fatalf("chunks %v: %v", chunks, err)
	}
	for _, r := range s.v.Current().AllObjects() {
		if r.ID == chunks[0].ID {
			t.Fatal("the new document's chunk is already listed: the test shows nothing")
		}
	}
	rep, err := s.Check(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if it := item(t, rep, "Documents"); it.Status != CheckOK || !strings.Contains(it.Said, "read back intact") {
		t.Fatalf("documents: %+v", it)
	}
	id := chunks[0].ID.String()
	p := filepath.Join(fx.dir, vault.ObjectsDir, "doc", id[:2], id)
	if err := os.Truncate(p, 40); err != nil {
		t.Fatal(err)
	}
	checkFails(t, s, "Documents", p+": ")
}
