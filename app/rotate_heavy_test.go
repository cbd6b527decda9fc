//go:build heavy

package app

// TestHeavyRotation measures "remove and change the vault key" at 10,000
// clients (app.Demo's vault, with a user added and removed):
//
//	CASEVAULT_HEAVY=1 go test -tags migrated_fynedo,heavy -run TestHeavyRotation -v ./app
//
// CASEVAULT_ROTATE_CLIENTS sets the size (default 10000), CASEVAULT_ROTATE_AUDIT
// the audit entries added first (default 200000: sealed segments to re-put).

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"casevault/app/access"
	"casevault/store"
	"casevault/vault"
)

func TestHeavyRotation(t *testing.T) {
	if os.Getenv("CASEVAULT_HEAVY") != "1" {
		t.Skip("heavy: set CASEVAULT_HEAVY=1")
	}
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("CASEVAULT_ROTATE_CLIENTS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "vault")
	kdf := KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}
	if err := Demo(ctx, dir, n, kdf, nil); err != nil {
		t.Fatal(err)
	}
	audit := 200000
	if v, err := strconv.Atoi(os.Getenv("CASEVAULT_ROTATE_AUDIT")); err == nil && v >= 0 {
		audit = v
	}
	s, err := Open(ctx, dir, vault.Passphrase([]byte(DemoPassphrase)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rotationReady(t, s)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := BulkAudit(ctx, s.v, s.st, audit, 0, func(i int) BulkAuditEntry {
		return BulkAuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Actor: "owner", Action: "client.view", Records: "client:1"}
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil { // seals the old entries into segments
		t.Fatal(err)
	}
	if s, err = Open(ctx, dir, vault.Passphrase([]byte(DemoPassphrase)), Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	var segs int
	s.st.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT count(*) FROM audit_segments").Scan(&segs)
	})
	if _, err := s.AddUser(ctx, "pat", access.ParalegalRole, AddUserOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := s.RemoveUser(ctx, "pat", true)
	if err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)
	ar, err := s.AuditVerify(ctx)
	if err != nil || !ar.OK {
		t.Fatalf("chain after the change: %+v %v", ar, err)
	}
	var size int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	t.Logf("remove + change the vault key at %d clients (%d audit entries, %d sealed segments, %.1f MiB on disk): rotation %v, whole RemoveUser %v",
		rep.Clients, ar.Entries, segs, float64(size)/(1<<20), rep.Took.Round(time.Millisecond), total.Round(time.Millisecond))
}
