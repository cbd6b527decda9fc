package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the documents test run this test binary as the section's
// child processes, as benchreport re-runs itself.
func TestMain(m *testing.M) {
	if os.Getenv("BENCHREPORT_TEST_CHILD") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestGenDocs: the same seed makes the same files, of the asked total,
// with the large one; changeInPlace changes 4 KiB and keeps the size.
func TestGenDocs(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	n, err := genDocs(a, 3<<20, 1<<20, 7)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := genDocs(b, 3<<20, 1<<20, 7); err != nil || m != n {
		t.Fatalf("second run: %d files, %v; want %d", m, err, n)
	}
	if n < 3 || dirSize(a) != 3<<20 {
		t.Fatalf("%d files, %d bytes; want several files of %d bytes", n, dirSize(a), 3<<20)
	}
	big := filepath.Join(a, "big.bin")
	before, _ := os.ReadFile(big)
	other, _ := os.ReadFile(filepath.Join(b, "big.bin"))
	if string(before) != string(other) || len(before) != 1<<20 {
		t.Fatal("the same seed made different files")
	}
	if err := changeInPlace(big, 1); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(big)
	diff := 0
	for i := range after {
		if after[i] != before[i] {
			diff++
		}
	}
	if len(after) != len(before) || diff == 0 || diff > 4096 {
		t.Fatalf("changed %d bytes, size %d -> %d", diff, len(before), len(after))
	}
	if _, err := parseSize("1GiB"); err != nil {
		t.Fatal(err)
	}
	if _, err := parseSize("lots"); err == nil {
		t.Fatal("parseSize accepted lots")
	}
}

// TestDocsSection runs the documents section at a tiny size, beside
// restic when it is installed (casevault alone otherwise). Heavy tests only.
func TestDocsSection(t *testing.T) {
	if !heavyTests {
		t.Skip("about 30 s of child processes under -race: make check (-tags heavy) runs it")
	}
	t.Setenv("BENCHREPORT_TEST_CHILD", "1")
	size, runs, restic := *docsSizeF, *docsRunsF, *resticFlag
	defer func() { *docsSizeF, *docsRunsF, *resticFlag = size, runs, restic }()
	*docsSizeF, *docsRunsF = "3MiB", 1
	if _, err := exec.LookPath("restic"); err != nil {
		*resticFlag = "" // casevault alone: make test and check need no restic
	}
	r := docsSection(config{seed: 1}, t.TempDir())
	if len(r.errs) > 0 {
		t.Fatalf("errors: %v", r.errs)
	}
	if len(r.rows) < 8 || len(r.checks) != 5 {
		t.Fatalf("%d rows, %d checks; want at least 8 and 5", len(r.rows), len(r.checks))
	}
	md := renderDocsMarkdown(r)
	if !strings.Contains(md, "| add 3.0 MiB in ") || !strings.Contains(md, "≤ restic") {
		t.Fatalf("markdown:\n%s", md)
	}
}
