package testkit

import (
	"path/filepath"
	"strings"
	"testing"
)

// recorder stands in for a *testing.T to see whether SkipUnlessCI skips or fails.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Skip(args ...any)             { r.skipped = true; panicStop() }
func (r *recorder) Fatalf(f string, args ...any) { r.failed = true; r.msg = f; panicStop() }
func panicStop()                                 { panic(stop{}) }

type stop struct{}

func run(r *recorder) {
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(stop); !ok {
				panic(v)
			}
		}
	}()
	SkipUnlessCI(r, "go is not on PATH")
}

func TestSkipUnlessCI(t *testing.T) {
	t.Setenv("CI", "")
	r := &recorder{}
	run(r)
	if !r.skipped || r.failed {
		t.Errorf("outside CI: skipped=%v failed=%v, want a skip", r.skipped, r.failed)
	}
	t.Setenv("CI", "true")
	r = &recorder{}
	run(r)
	if r.skipped || !r.failed || !strings.Contains(r.msg, "CI") {
		t.Errorf("under CI: skipped=%v failed=%v msg=%q, want a failure", r.skipped, r.failed, r.msg)
	}
}

func TestTreeRoundTrip(t *testing.T) {
	root := t.TempDir()
	files := map[string][]byte{"a/x": []byte("1"), "a/b/y": []byte("22"), "c/z": nil}
	WriteTree(t, root, map[string][]byte{"a/old": []byte("gone")}, "a")
	WriteTree(t, root, files, "a", "c")
	got, err := ReadTree(root, "a", "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(files) {
		t.Fatalf("read %d files, wrote %d: %v", len(got), len(files), got)
	}
	for rel, b := range files {
		if string(got[rel]) != string(b) {
			t.Errorf("%s: read %q, wrote %q", rel, got[rel], b)
		}
	}
	if tb := TreeBytes(t, root); len(tb) != len(files) || tb[filepath.Join("a", "b", "y")] != "22" {
		t.Errorf("TreeBytes: %v", tb)
	}
	// CopyTree adds and replaces, and leaves other files alone.
	dst := t.TempDir()
	WriteTree(t, dst, map[string][]byte{"a/x": []byte("old"), "a/keep": []byte("k")}, "a")
	CopyTree(t, filepath.Join(root, "a"), filepath.Join(dst, "a"))
	if got := TreeBytes(t, dst); len(got) != 3 || got[filepath.Join("a", "x")] != "1" ||
		got[filepath.Join("a", "keep")] != "k" || got[filepath.Join("a", "b", "y")] != "22" {
		t.Errorf("after CopyTree: %v", got)
	}
	if _, err := ReadTree(root, "missing"); err == nil {
		t.Error("reading a missing folder gave no error")
	}
}
