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

// ReadTree reads every file under root/sub for each sub: slash-separated
// path relative to root -> content. Test vectors are compared this way.
func ReadTree(root string, subs ...string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, sub := range subs {
		err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			out[filepath.ToSlash(rel)] = b
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WriteTree replaces root/sub for each sub with the files given as ReadTree
// returns them (paths relative to root), for regenerating test vectors.
func WriteTree(t testing.TB, root string, files map[string][]byte, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if err := os.RemoveAll(filepath.Join(root, sub)); err != nil {
			t.Fatal(err)
		}
	}
	for rel, b := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// CopyTree copies every file below src into dst (made as needed), replacing
// files of the same name and leaving dst's other files alone: what
// `cp -a src/. dst/`, rsync without --delete or a sync tool does. Files are
// written 0600 and folders made 0700.
func CopyTree(t testing.TB, src, dst string) {
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
