//go:build heavy

package app

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

// TestHeavyAuditYears measures a vault with years of audit trail
// (CASEVAULT_AUDIT_N entries, default 500,000, and 2,000 clients): the
// time to open it, to verify the chain, to checkpoint after one edit, and
// its size. Run: CASEVAULT_HEAVY=1 go test -tags migrated_fynedo,heavy ./app -run TestHeavyAuditYears -v
func TestHeavyAuditYears(t *testing.T) {
	if os.Getenv("CASEVAULT_HEAVY") == "" {
		t.Skip("set CASEVAULT_HEAVY=1")
	}
	n := 500000
	if s := os.Getenv("CASEVAULT_AUDIT_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir, _ := newTestVault(t)
	v, err := vault.Open(dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	now := time.Now()
	err = st.Update(ctx, func(tx *store.Tx) error {
		for i := 0; i < 2000; i++ {
			if _, err := tx.InsertClient(&store.Client{Name: fmt.Sprintf("Client %d", i), Notes: "notes"}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := BulkAudit(ctx, v, st, n, 0, bulkGen(time.Now().Add(-5*365*24*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(ctx); err != nil {
		t.Fatal(err)
	}
	v.Close()
	t.Logf("build: %d entries in %v, vault %.1f MiB", n, time.Since(start).Round(time.Millisecond), float64(dirBytes(dir))/(1<<20))

	runtime.GC()
	start = time.Now()
	s := openTest(t, dir)
	t.Logf("open: %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	r, err := s.AuditVerify(ctx)
	if err != nil || !r.OK {
		t.Fatalf("verify: %+v %v", r, err)
	}
	t.Logf("audit verify: %d entries in %v", r.Entries, time.Since(start).Round(time.Millisecond))
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("One Edit")}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("checkpoint after one edit: %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("close: %v, vault %.1f MiB", time.Since(start).Round(time.Millisecond), float64(dirBytes(dir))/(1<<20))
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
