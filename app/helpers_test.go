package app

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
	"casevault/vault/testkit"
)

// testKDF is the cheapest setting vault accepts; always passed explicitly.
var testKDF = vault.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

const testPass = "lantern orbit velvet cactus"

var ctx = context.Background()

var template struct {
	once sync.Once
	dir  string
	rk   vault.RecoveryKey
	err  error
}

func TestMain(m *testing.M) {
	// Tests never touch the real ~/.config (the last user of a vault, wrong-
	// passphrase counts): every test binary gets its own config folder.
	cfg, err := os.MkdirTemp("", "casevault-test-config")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", cfg)
	code := m.Run()
	os.RemoveAll(cfg)
	for _, d := range []string{template.dir, docsTemplate.dir} {
		if d != "" {
			os.RemoveAll(filepath.Dir(d))
		}
	}
	os.Exit(code)
}

// newTestVault returns a fresh vault folder (a copy of one made by Init
// once per test binary, to spare the KDF and the schema) and its recovery
// key.
func newTestVault(t *testing.T) (string, vault.RecoveryKey) {
	t.Helper()
	template.once.Do(func() {
		parent, err := os.MkdirTemp(scratchBase(), "casevault-app-test")
		if err != nil {
			template.err = err
			return
		}
		template.dir = filepath.Join(parent, "vault")
		template.rk, template.err = Init(ctx, template.dir, []byte(testPass), InitOptions{KDF: testKDF, Actor: "tester"})
		if template.err == nil {
			template.err = ConfirmInit(template.dir)
		}
	})
	if template.err != nil {
		t.Fatalf("Init: %v", template.err)
	}
	dir := filepath.Join(scratchDir(t), "vault")
	if err := os.CopyFS(dir, os.DirFS(template.dir)); err != nil {
		t.Fatal(err)
	}
	return dir, template.rk
}

// openTest unlocks dir with the test passphrase; the session is closed at the
// end of the test unless the test closed it.
func openTest(t *testing.T, dir string) *Session {
	t.Helper()
	s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "tester"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	return s
}

// testSession is a fresh vault, unlocked.
func testSession(t *testing.T) (*Session, string, vault.RecoveryKey) {
	t.Helper()
	dir, rk := newTestVault(t)
	return openTest(t, dir), dir, rk
}

func ptr[T any](v T) *T { return &v }

// snapshot is the whole logical content that matters to the tests, read
// straight from the store (so reading it records nothing).
type snapshot struct {
	counts  store.Counts
	clients []store.Client
	checks  int
	audit   int
}

func snap(t *testing.T, s *Session) snapshot {
	t.Helper()
	var sn snapshot
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		if sn.counts, err = tx.Counts(); err != nil {
			return err
		}
		list, err := tx.ListClients(store.ByName)
		if err != nil {
			return err
		}
		for _, c := range list {
			full, err := tx.GetClient(c.ID)
			if err != nil {
				return err
			}
			sn.clients = append(sn.clients, *full)
		}
		if err := tx.QueryRow("SELECT count(*) FROM conflict_checks").Scan(&sn.checks); err != nil {
			return err
		}
		sn.audit = sn.counts.Audit // sealed and live entries
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return sn
}

// auditCount is snap(t, s).audit without reading every client.
func auditCount(t *testing.T, s *Session) int {
	t.Helper()
	var c store.Counts
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.Counts()
		return err
	}); err != nil {
		t.Fatalf("counts: %v", err)
	}
	return c.Audit
}

// lastAudit returns the newest audit entry: the last of the live entries
// at the newest time when there are live entries (the sealed segments hold
// only older ones), else the last of all.
func lastAudit(t *testing.T, s *Session) *store.AuditEntry {
	t.Helper()
	var all []*store.AuditEntry
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var newest int64
		err := tx.QueryRow("SELECT at FROM audit ORDER BY id DESC LIMIT 1").Scan(&newest)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err == nil {
			if all, err = tx.ListAuditLive(store.AuditFilter{From: time.UnixMilli(newest)}); err != nil || len(all) > 0 {
				return err
			}
		}
		all, err = tx.ListAudit(store.AuditFilter{})
		return err
	})
	if err != nil || len(all) == 0 {
		t.Fatalf("audit: %v (%d entries)", err, len(all))
	}
	return all[len(all)-1]
}

// folderBytes reads every file under dir.
var folderBytes = testkit.TreeBytes

// scratchBase and scratchDir: test vaults live on tmpfs when there is one.
var (
	scratchBase = testkit.ScratchBase
	scratchDir  = testkit.ScratchDir
)
