package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"casevault/store"
	"casevault/vault/testkit"
)

// TestDiskFullAuditQueued: on a real full tmpfs (root only), reads work and
// their audit entries wait in memory; a change is refused with ErrDiskFull;
// once space is freed in the same session, the waiting entries are written
// first, in order, and the chain verifies.
func TestDiskFullAuditQueued(t *testing.T) {
	disk := testkit.MountTmpfs(t, 4<<20)
	src, _ := newTestVault(t)
	dir := filepath.Join(disk, "vault")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, dir)

	fill := filepath.Join(disk, "filler")
	os.Mkdir(fill, 0o700)
	for i := 0; ; i++ {
		if err := os.WriteFile(filepath.Join(fill, fmt.Sprint(i)), make([]byte, 4096), 0o600); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	name := "Grace Hopper"
	// The log's last page may still have room for a few entries.
	for i := 0; !s.DiskFull(); i++ {
		if _, err := s.Status(ctx); err != nil {
			t.Fatalf("Status on a full disk: %v", err)
		}
		if i == 1000 {
			t.Fatal("the disk never filled")
		}
	}
	if _, err := s.ListClients(ctx, store.ByName); err != nil {
		t.Fatalf("ListClients on a full disk: %v", err)
	}
	if !s.DiskFull() || s.UnrecordedAudit() != 2 {
		t.Fatalf("DiskFull %v, UnrecordedAudit %d; want true, 2", s.DiskFull(), s.UnrecordedAudit())
	}
	if _, err := s.AddClient(ctx, ClientInput{Name: &name}); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("AddClient on a full disk: %v, want ErrDiskFull", err)
	}

	os.RemoveAll(fill)
	if _, err := s.AddClient(ctx, ClientInput{Name: &name}); err != nil {
		t.Fatalf("AddClient after freeing space: %v", err)
	}
	if s.DiskFull() || s.UnrecordedAudit() != 0 {
		t.Fatalf("after freeing space: DiskFull %v, UnrecordedAudit %d", s.DiskFull(), s.UnrecordedAudit())
	}
	es, err := s.AuditList(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var tail []string
	for _, e := range es[len(es)-3:] {
		tail = append(tail, e.Action)
	}
	if fmt.Sprint(tail) != "[status client.list client.add]" {
		t.Errorf("last audit entries %v, want the waiting reads first, in order", tail)
	}
	rep, err := s.AuditVerify(ctx)
	if err != nil || !rep.OK {
		t.Fatalf("audit verify: %+v %v", rep, err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
