package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCopyTree: the copy has every file with its content, in its folders,
// and a copy onto an existing file fails instead of overwriting it.
func TestCopyTree(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "copy")
	files := map[string]string{"header": "h", "objects/ab/cd": "chunk", "log/000001.log": "redo"}
	for name, content := range files {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		got, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || string(got) != content {
			t.Fatalf("%s: %q, %v; want %q", name, got, err, content)
		}
	}
	if len(listFiles(dst)) != len(files) {
		t.Fatalf("copy has %d files, want %d", len(listFiles(dst)), len(files))
	}
	if err := copyTree(src, dst); err == nil {
		t.Fatal("copying onto existing files succeeded")
	}
}

func TestFmtSigned(t *testing.T) {
	for sec, want := range map[float64]string{0.172: "172.0 ms", -0.0005: "−500 µs (noise: below zero)"} {
		if got := fmtSigned(sec); got != want {
			t.Errorf("fmtSigned(%v) = %q, want %q", sec, got, want)
		}
	}
}

// TestPeerPerStatement drives a real SQLCipher shell through the script and
// then one statement at a time (skipped without the sqlcipher shell).
func TestPeerPerStatement(t *testing.T) {
	bin, err := exec.LookPath("sqlcipher")
	if err != nil {
		t.Skip("sqlcipher not installed")
	}
	const n, edits = 30, 20
	p, err := runPeer(bin, t.TempDir(), n, edits, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.WALStmt) != edits || len(p.DeleteStmt) != edits || len(p.RoundTrip) != 2*edits || p.StmtEdits != edits {
		t.Fatalf("per-statement samples: %d WAL, %d DELETE, %d round trips, %d edits; want %d, %d, %d, %d",
			len(p.WALStmt), len(p.DeleteStmt), len(p.RoundTrip), p.StmtEdits, edits, edits, 2*edits, edits)
	}
	if len(p.WAL) != edits/editBatch || p.Version == "" {
		t.Fatalf("script part: %d WAL lines, version %q", len(p.WAL), p.Version)
	}
	for _, d := range p.RoundTrip {
		if d <= 0 {
			t.Fatalf("round trip %v", d)
		}
	}
}
