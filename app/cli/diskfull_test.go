package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"casevault/vault/testkit"
)

// mountSmallTmpfs mounts a tmpfs of size bytes (root only; the test is
// skipped otherwise) and returns its folder.
func mountSmallTmpfs(t *testing.T, size int) string { return testkit.MountTmpfs(t, size) }

// fillDisk fills the file system of dir with 4 KiB files until it is full,
// then frees keep bytes again (in whole files). It returns a function that
// frees everything.
func fillDisk(t *testing.T, dir string, keep int) func() {
	t.Helper()
	fill := filepath.Join(dir, "filler")
	if err := os.MkdirAll(fill, 0o700); err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 4096)
	var names []string
	for i := 0; ; i++ {
		name := filepath.Join(fill, fmt.Sprint(i))
		err := os.WriteFile(name, block, 0o600)
		if err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			os.Remove(name)
			break
		}
		names = append(names, name)
	}
	for i := 0; i < keep/4096 && len(names) > 0; i++ {
		os.Remove(names[len(names)-1])
		names = names[:len(names)-1]
	}
	return func() { os.RemoveAll(fill) }
}

// TestDiskFullReadOnly: with the disk holding the vault 100% full (a real
// tmpfs), reading commands and a backup to another drive still work; a
// write is refused with a plain "disk is full" message and changes nothing;
// once space is freed, everything works again.
func TestDiskFullReadOnly(t *testing.T) {
	disk := mountSmallTmpfs(t, 4<<20)
	src := newTV(t)
	v := &tv{t: t, dir: filepath.Join(disk, "vault"), rk: src.rk}
	if err := os.CopyFS(v.dir, os.DirFS(src.dir)); err != nil {
		t.Fatal(err)
	}
	id := v.id("client", "add", "--name", "Ada Lovelace")
	v.ok("matter", "add", "--client", id, "--title", "Estate of Byron")
	repo := filepath.Join(scratchDir(t), "backup")
	v.ok("backup", "--repo", repo)
	auditBefore := v.audit()

	free := fillDisk(t, disk, 0)
	for _, args := range [][]string{
		{"client", "list"},
		{"client", "show", id},
		{"status"},
		{"audit", "verify"},
		{"search", "Lovelace"},
		{"backup", "--repo", repo},
	} {
		out, errs, code := v.do(args...)
		t.Logf("%v:\n%s", args, errs)
		if code != 0 {
			t.Fatalf("%v on a full disk: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
		}
		if !strings.Contains(errs, "disk") || !strings.Contains(errs, "full") {
			t.Errorf("%v on a full disk: no disk-full warning on stderr:\n%s", args, errs)
		}
		if args[0] == "client" && args[1] == "list" && !strings.Contains(out, "Ada Lovelace") {
			t.Errorf("client list on a full disk misses the client:\n%s", out)
		}
	}
	before := folderBytes(t, v.dir)
	out, errs, code := v.do("client", "add", "--name", "Grace Hopper")
	t.Logf("client add:\n%s", errs)
	if code == 0 || out != "" {
		t.Fatalf("client add on a full disk: exit %d, stdout %q", code, out)
	}
	if !strings.Contains(errs, "full") || !strings.Contains(errs, "not") {
		t.Errorf("client add on a full disk: unclear message:\n%s", errs)
	}
	if after := folderBytes(t, v.dir); !equalMaps(before, after) {
		t.Errorf("a refused write on a full disk changed the vault folder")
	}

	free()
	out = v.ok("client", "list")
	if !strings.Contains(out, "Ada Lovelace") || strings.Contains(out, "Grace Hopper") {
		t.Errorf("after freeing space: client list:\n%s", out)
	}
	if got := v.audit(); got <= auditBefore {
		t.Errorf("audit entries: %d before the full disk, %d after freeing space", auditBefore, got)
	}
	v.ok("audit", "verify")
	v.id("client", "add", "--name", "Grace Hopper")
}

// TestDiskFullAfterAcknowledgement: the closing checkpoint fails for lack
// of space after "client add" printed the new id. The command exits 0 with
// a warning (the redo log holds the client), and the client is there. (A
// command checkpoints at its close only past app.CommandLineCheckpointBytes
// of log; the test makes it checkpoint every time.)
func TestDiskFullAfterAcknowledgement(t *testing.T) {
	disk := mountSmallTmpfs(t, 4<<20)
	src := newTV(t)
	v := (&tv{t: t, dir: filepath.Join(disk, "vault"), rk: src.rk}).checkpointing()
	if err := os.CopyFS(v.dir, os.DirFS(src.dir)); err != nil {
		t.Fatal(err)
	}
	v.id("client", "add", "--name", "Ada Lovelace")
	// Room for a few redo log records, not for a checkpoint's chunks.
	free := fillDisk(t, v.dir, 16<<10)
	defer free()
	out, errs, code := v.do("client", "add", "--name", "Grace Hopper")
	if code != 0 {
		t.Fatalf("client add with room for the log only: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if !addedRE.MatchString(out) {
		t.Errorf("client add printed %q, want the new id", out)
	}
	if !strings.Contains(errs, "Warning") {
		t.Errorf("no warning about the failed checkpoint:\n%s", errs)
	}
	free()
	if list := v.ok("client", "list"); !strings.Contains(list, "Grace Hopper") {
		t.Errorf("the acknowledged client is missing:\n%s", list)
	}
}
