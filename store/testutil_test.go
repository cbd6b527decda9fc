package store

import (
	"context"
	"testing"

	"casevault/store/internal/dbtest"
	"casevault/vault"
)

var testKDF = dbtest.KDF

var testPass = dbtest.Pass

func newVault(t testing.TB) string {
	t.Helper()
	dir := t.TempDir() + "/v"
	v, _, err := vault.Create(dir, testPass, vault.CreateOptions{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	return dir
}

// openStore opens the store; cleanup closes it (checkpointing) unless the
// test "crashes" it first with crash.
func openStore(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	v, err := unlock(dir) // the recovery key when known: no Argon2id
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), v, opts)
	if err != nil {
		v.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { closeStore(s) })
	return s
}

func closeStore(s *Store) {
	s.Close(context.Background())
	s.Vault().Close()
}

// crash drops the store without a checkpoint, as a killed process would.
func crash(s *Store) {
	s.db.Abandon()
	s.Vault().Close()
}
