package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A document chunk damaged in the backup repository: verify (the owner's
// backup, opened with the passphrase alone) names the document whose content
// it holds, as restore and the drill do, not only "document chunk <id>".
func TestVerifyNamesDamagedDocument(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t)
	v := f.v
	p := f.file(t, "Letter to Smith.txt", strings.Repeat("Dear Mr Smith, about the lease. ", 300))
	v.ok("doc", "add", "--matter", f.matter, p)
	repo := repoDir(t)
	v.ok("backup", "--repo", repo)

	// The document's one chunk is a vault object file; a pack holds it as it is.
	var chunks []string
	filepath.WalkDir(filepath.Join(v.dir, "objects", "doc"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			chunks = append(chunks, p)
		}
		return nil
	})
	if len(chunks) != 1 {
		t.Fatalf("document chunk files: %v", chunks)
	}
	raw, err := os.ReadFile(chunks[0])
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, pk := range packFiles(t, repo) {
		b, _ := os.ReadFile(pk)
		if i := bytes.Index(b, raw); i >= 0 {
			flipByte(t, pk, i+len(raw)/2)
			found = true
		}
	}
	if !found {
		t.Fatal("no pack holds the document's chunk")
	}
	out, errs, code := v.do("verify", "--repo", repo, "--read-data")
	if code != ExitDamaged || !strings.Contains(out, "document chunk") ||
		!strings.Contains(out, "it holds content of version 1 of “Letter to Smith.txt”") {
		t.Errorf("verify of a damaged document chunk: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}
