package testkit

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// ScratchBase is where ScratchDir makes its folders: tmpfs (/dev/shm) when
// there is one, else "" (the default temp folder). A vault fsyncs every
// write, file and folder; on a busy disk that costs tens of milliseconds
// each, which makes tests slow without testing anything more (durability on
// a real disk is the vault package's own tests' business, and a killed
// process keeps its page cache either way).
func ScratchBase() string {
	if runtime.GOOS == "linux" {
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			return "/dev/shm"
		}
	}
	return ""
}

// ScratchDir is a fresh folder under ScratchBase, removed at the end of the
// test; t.TempDir() when there is no tmpfs.
func ScratchDir(t testing.TB) string {
	t.Helper()
	if base := ScratchBase(); base != "" {
		if d, err := os.MkdirTemp(base, "casevault-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

// TreeBytes reads every file under dir: path relative to dir -> content.
// Comparing two results shows whether anything in a folder changed.
func TreeBytes(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
