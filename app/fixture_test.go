package app

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

// The fixture in testdata/vault-2026-12-02 was made by the casevault of
// 2026-12-02 (before audit segments, manifest format 1, schema 1), with the
// test passphrase and key derivation (testdata/vault-2026-12-02.README). It
// holds a checkpoint and, after it, redo log records that were never
// checkpointed. TestFixtureUpgrade opens it with today's code: the upgrade
// path of every vault made before.
//
// Regenerate only with the code of that date (it is a record of an old
// format, not of the current one):
//
//	go test -tags migrated_fynedo ./app -run TestFixtureUpgrade -update-fixture
var updateFixture = flag.Bool("update-fixture", false, "rewrite testdata/vault-2026-12-02 with the current code")

const (
	fixtureName = "vault-2026-12-02"
	// fixture content, checked after the upgrade
	fixtureClients        = 12
	fixtureLoggedClient   = "Logged Only Client"
	fixtureCheckpointedAt = 400 // audit entries at least, before the log part
)

func fixtureClock() func() time.Time {
	t := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(1500 * time.Millisecond); return t }
}

func writeFixture(t *testing.T, dir string) {
	now := fixtureClock()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := Init(ctx, dir, []byte(testPass), InitOptions{KDF: testKDF, Actor: "fixture", Now: now}); err != nil {
		t.Fatal(err)
	}
	if err := ConfirmInit(dir); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "fixture", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 0; i < fixtureClients; i++ {
		id, err := s.AddClient(ctx, ClientInput{Name: ptr(fmt.Sprintf("Fixture Client %02d", i)), Email: ptr(fmt.Sprintf("c%02d@example.com", i)),
			Aliases: &[]string{fmt.Sprintf("Alias %02d", i)}, Notes: ptr("notes of client " + fmt.Sprint(i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		mid, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: fmt.Sprintf("Matter %02d", i), PracticeArea: "family",
			Adverse: []string{fmt.Sprintf("Adverse Party %02d", i)}, Related: []string{"Related Person"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddNote(ctx, mid, fmt.Sprintf("first note on matter %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for n := 0; n < fixtureCheckpointedAt; n++ {
		if _, err := s.GetClient(ctx, ids[n%len(ids)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// The log part: changes after the checkpoint, left in the redo log.
	s, err = Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "fixture", Now: now,
		Store: store.Options{CheckpointBytes: -1, NoCloseCheckpoint: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr(fixtureLoggedClient)}); err != nil {
		t.Fatal(err)
	}
	for n := 0; n < 30; n++ {
		if _, err := s.GetClient(ctx, ids[n%len(ids)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, vault.LockFile))
}

// copyFixture copies the fixture into a fresh folder (git does not keep
// empty folders or modes: the copy is what a checkout holds).
func copyFixture(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(scratchDir(t), "vault")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", fixtureName))); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFixtureUpgrade(t *testing.T) {
	if *updateFixture {
		writeFixture(t, filepath.Join("testdata", fixtureName))
	}
	dir := copyFixture(t)
	if len(logFiles(t, dir)) == 0 {
		t.Fatal("the fixture has no redo log records: it no longer tests replay")
	}
	check := func(s *Session, wantClients int) int {
		t.Helper()
		cl, err := s.ListClients(ctx, store.ClientOrder(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(cl) != wantClients {
			t.Fatalf("%d clients, want %d", len(cl), wantClients)
		}
		found := false
		for _, c := range cl {
			found = found || c.Name == fixtureLoggedClient
		}
		if !found {
			t.Fatalf("the client written only to the redo log is missing")
		}
		r, err := s.AuditVerify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK {
			t.Fatalf("audit chain: %+v", r)
		}
		if r.Entries < fixtureCheckpointedAt {
			t.Fatalf("%d audit entries, want at least %d", r.Entries, fixtureCheckpointedAt)
		}
		ms, err := s.ListMatters(ctx, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != fixtureClients {
			t.Fatalf("%d matters, want %d", len(ms), fixtureClients)
		}
		m, err := s.GetMatter(ctx, ms[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Notes) != 1 || len(m.Parties) != 2 {
			t.Fatalf("matter %d: %d notes, %d parties", m.ID, len(m.Notes), len(m.Parties))
		}
		hits, err := s.Search(ctx, "Alias 03", 10)
		if err != nil || len(hits) == 0 {
			t.Fatalf("search after upgrade: %v %v", hits, err)
		}
		return r.Entries
	}
	s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "tester"})
	if err != nil {
		t.Fatalf("opening the %s fixture: %v", fixtureName, err)
	}
	check(s, fixtureClients+1)
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Added After Upgrade")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "tester"})
	if err != nil {
		t.Fatalf("reopening the upgraded fixture: %v", err)
	}
	defer s.Close(ctx)
	check(s, fixtureClients+2)
}

func logFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	es, _ := os.ReadDir(filepath.Join(dir, vault.LogDir))
	for _, e := range es {
		if fi, err := e.Info(); err == nil && fi.Size() > 0 {
			out = append(out, e.Name())
		}
	}
	return out
}
