package store

import (
	"context"
	"testing"

	"casevault/vault"
)

var testKDF = vault.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

var testPass = []byte("test passphrase for the store")

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
	s.mu.Lock()
	s.closed = true
	s.conn.Close()
	s.sqldb.Close()
	s.mu.Unlock()
	s.Vault().Close()
}
