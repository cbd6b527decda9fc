package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	for _, content := range []string{"first", "second, longer", ""} {
		if err := WriteFile(p, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != content {
			t.Fatalf("after writing %q: read %q, %v", content, got, err)
		}
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
		}
	}
	assertNoTemps(t, dir)
}

// A write that cannot finish leaves the old file and no temporary file.
func TestReplaceFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteFile(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	// The rename fails: the target is a non-empty folder.
	q := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(q, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Replace(q, []byte("new")); err == nil {
		t.Fatal("renaming over a non-empty folder succeeded")
	}
	assertNoTemps(t, dir)
	// The folder does not exist: the error is the operating system's.
	err := WriteFile(filepath.Join(dir, "missing", "f"), []byte("x"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("writing into a missing folder: %v, want ErrNotExist", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Fatalf("old file now %q", got)
	}
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{".tmp-0123456789ab": true, ".tmp-": true, "tmp-1": false, "manifest": false, "x.tmp-1": false} {
		if IsTemp(name) != want {
			t.Errorf("IsTemp(%q) = %v", name, !want)
		}
	}
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if IsTemp(e.Name()) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
