//go:build heavy

package app

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
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
	years := time.Now().Add(-5 * 365 * 24 * time.Hour)
	step := 5 * 365 * 24 * time.Hour / time.Duration(n)
	if err := BulkAudit(ctx, v, st, n, 0, func(i int) BulkAuditEntry {
		return BulkAuditEntry{At: years.Add(time.Duration(i) * step), Actor: "owner", Action: "client.view",
			Records: fmt.Sprintf("client:%d", i%2000+1)}
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("build: %d entries in %v", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := st.Close(ctx); err != nil { // the first checkpoint: seals (an upgraded vault's too)
		t.Fatal(err)
	}
	v.Close()
	t.Logf("first checkpoint (seals the trail): %v, vault %.1f MiB", time.Since(start).Round(time.Millisecond), float64(dirBytes(dir))/(1<<20))

	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM (Linux)
	start = time.Now()
	s := openTest(t, dir)
	t.Logf("open: %v, peak RSS since %d MiB", time.Since(start).Round(time.Millisecond), procStatus("VmHWM")>>10)
	segs := 0
	s.st.View(ctx, func(tx *store.Tx) error {
		sg, err := tx.AuditSegments()
		segs = len(sg)
		return err
	})
	t.Logf("sealed segments: %d", segs)
	start = time.Now()
	r, err := s.AuditVerify(ctx)
	if err != nil || !r.OK {
		t.Fatalf("verify: %+v %v", r, err)
	}
	t.Logf("audit verify: %d entries in %v", r.Entries, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	list, err := s.AuditList(ctx, store.AuditFilter{Record: "client:17", From: time.Now().Add(-400 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("access report (one client, last 400 days): %d entries in %v", len(list), time.Since(start).Round(time.Millisecond))
	repo := filepath.Join(scratchDir(t), "backup")
	start = time.Now()
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("first backup: %v", time.Since(start).Round(time.Millisecond))
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("One Edit")}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("checkpoint after one edit: %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	rep, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("incremental backup after one edit: %v, %d blobs added", time.Since(start).Round(time.Millisecond), rep.Snapshot.AddedBlobs)
	t.Logf("peak RSS since the open: %d MiB", procStatus("VmHWM")>>10)
	start = time.Now()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("close: %v, vault %.1f MiB", time.Since(start).Round(time.Millisecond), float64(dirBytes(dir))/(1<<20))
}

func procStatus(key string) int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
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
