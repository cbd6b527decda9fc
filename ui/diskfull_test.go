package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"casevault/app"
	"casevault/vault/testkit"
)

// TestDiskFullWindow (root only: a real 4 MiB tmpfs): with the disk 100%
// full, the window still unlocks and lists the clients; on locking, the
// unlock screen says that the reads could not be recorded in the audit
// trail, instead of saying nothing (issue 8, item 4).
func TestDiskFullWindow(t *testing.T) {
	disk := testkit.MountTmpfs(t, 4<<20)
	dir := filepath.Join(disk, "vault")
	if _, err := app.Init(context.Background(), dir, []byte(testPass), app.InitOptions{KDF: cheapKDF}); err != nil {
		t.Fatal(err)
	}
	if err := app.ConfirmInit(dir); err != nil {
		t.Fatal(err)
	}
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
	h := harnessIn(t, dir)
	h.unlocked()
	h.u.wait()
	h.u.lock("", false, nil)
	h.u.closing.Wait()
	h.u.wait()
	if us := h.u.unlock; us == nil || !strings.Contains(us.info.Text, "disk holding the vault is full") || !strings.Contains(us.info.Text, "audit") {
		t.Fatalf("unlock screen after locking on a full disk: %q", texts(h.u.w.Canvas()))
	}
}
