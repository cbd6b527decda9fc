package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/vault"
)

// copyOver copies every file below src into dst, overwriting files of the
// same name and leaving dst's other files alone: `cp -a src/. dst/`.
func copyOver(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Issue 8, item 1: an older vault folder copied over the live one. Before,
// the next command loaded the old manifest, exited 0 without a word and
// deleted the newer log and chunks. Now it refuses (exit 4), changes
// nothing, and says how to get the newest state out; `repair` does.
func TestCopyBackOlderFolderCLI(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	for _, n := range []string{"Ada Old", "Bea Old"} {
		v.id("client", "add", "--name", n)
	}
	old := copyTV(t, v)
	for _, n := range []string{"Cy New", "Di New", "Ed New"} {
		v.id("client", "add", "--name", n)
	}
	copyOver(t, old.dir, v.dir)

	skipLock := func(m map[string]string) map[string]string {
		delete(m, vault.LockFile)
		return m
	}
	before := skipLock(folderBytes(t, v.dir))
	out, errs, code := v.do("client", "list")
	if code != ExitDamaged || !strings.Contains(errs, "mixes two versions") || !strings.Contains(errs, "casevault repair --vault") ||
		!strings.Contains(errs, "Nothing was changed") || strings.Contains(out, "Old") {
		t.Fatalf("client list on a mixed folder: exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	if after := skipLock(folderBytes(t, v.dir)); !equalMaps(before, after) {
		t.Fatal("a refused open changed the vault folder")
	}

	out = v.ok("repair")
	if !strings.Contains(out, "newest version") || !strings.Contains(out, "quarantine") {
		t.Fatalf("repair said:\n%s", out)
	}
	list := v.ok("client", "list")
	for _, n := range []string{"Ada Old", "Bea Old", "Cy New", "Di New", "Ed New"} {
		if !strings.Contains(list, n) {
			t.Fatalf("after repair, %s is missing:\n%s", n, list)
		}
	}
	if out := v.ok("audit", "list"); !strings.Contains(out, "vault.repair") {
		t.Fatalf("repair not in the audit trail:\n%s", out)
	}
	if out := v.ok("audit", "verify"); !strings.Contains(strings.ToLower(out), "intact") {
		t.Fatalf("audit verify after repair:\n%s", out)
	}
	// Nothing to repair: says so, changes nothing.
	if out := v.ok("repair"); !strings.Contains(out, "Nothing needed repair") {
		t.Fatalf("second repair said:\n%s", out)
	}
}
