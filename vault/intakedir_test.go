package vault

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// writeIntake puts an intake folder with a sealed file, a temp file and an
// unreadable file into dir, as the intake server and importer leave it.
func writeIntake(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{
		"inbox/0123456789abcdef0123456789abcdef.age": "sealed",
		"inbox/.tmp-123":   "half written",
		"unreadable/x.age": "kept",
	}
	for name, body := range files {
		p := filepath.Join(dir, IntakeDir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, []byte(body))
	}
	return files
}

func checkIntake(t *testing.T, dir string, files map[string]string, when string) {
	t.Helper()
	for name, body := range files {
		b, err := os.ReadFile(filepath.Join(dir, IntakeDir, name))
		if err != nil || string(b) != body {
			t.Errorf("%s: intake/%s = %q, %v; want it kept", when, name, b, err)
		}
	}
}

// TestIntakeDirTolerated: the intake folder beside a vault's files is not
// the vault's, and no vault code minds it or deletes it: a folder holding
// only it is empty enough for Create; a half-made vault beside it is still
// half made, and starting over leaves it; a refused Create leaves it; a
// vault with it opens, repairs (nothing to do), checks clean, opens
// read-only and closes without touching it. A
// foreign file named "intake" is not the intake folder.
func TestIntakeDirTolerated(t *testing.T) {
	ctx := context.Background()

	// Only the intake folder: Create works and keeps it.
	dir := filepath.Join(t.TempDir(), "vault")
	files := writeIntake(t, dir)
	v, _, err := Create(dir, testPass, testOpts())
	if err != nil {
		t.Fatalf("Create in a folder holding only intake/: %v", err)
	}
	load(t, v)
	rep, err := v.Check(ctx, nil)
	if err != nil || !rep.OK() {
		t.Errorf("Check with intake/ beside the vault: %+v, %v", rep, err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	checkIntake(t, dir, files, "after Create and Check")

	// Half made beside an intake folder: still half made; starting over keeps it.
	dir2 := filepath.Join(t.TempDir(), "vault")
	opts := testOpts()
	opts.Pending = true
	v2, _, err := Create(dir2, testPass, opts)
	if err != nil {
		t.Fatal(err)
	}
	v2.Close()
	files2 := writeIntake(t, dir2)
	if !HalfMade(dir2) {
		t.Fatal("a half-made vault with intake/ beside it is not half made")
	}
	v2, _, err = Create(dir2, testPass, opts)
	if err != nil {
		t.Fatalf("Create over a half-made vault with intake/: %v", err)
	}
	v2.Close()
	checkIntake(t, dir2, files2, "after starting over")

	// A Create refused (a foreign file beside it) leaves it.
	dir3 := filepath.Join(t.TempDir(), "vault")
	files3 := writeIntake(t, dir3)
	writeFile(t, filepath.Join(dir3, LogDir), []byte("a file where the log folder goes"))
	if _, _, err := Create(dir3, testPass, testOpts()); !errors.Is(err, ErrExists) {
		t.Errorf("Create beside a foreign file: %v, want ErrExists", err)
	}
	checkIntake(t, dir3, files3, "after a refused Create")

	// A file (not a folder) named intake is someone else's.
	dir4 := t.TempDir()
	writeFile(t, filepath.Join(dir4, IntakeDir), []byte("mine"))
	if _, _, err := Create(dir4, testPass, testOpts()); !errors.Is(err, ErrExists) {
		t.Errorf("Create beside a file named intake: %v, want ErrExists", err)
	}

	// An open vault with intake/: close, reopen, repair, check; salvage.
	v5, dir5, _ := newVault(t)
	files5 := writeIntake(t, dir5)
	v5 = reopen(t, v5)
	rep5, err := v5.RepairVersions(ctx)
	if err != nil || len(rep5.SetAside) != 0 || rep5.Quarantine != "" {
		t.Errorf("RepairVersions beside intake/ = %+v, %v; want nothing set aside", rep5, err)
	}
	load(t, v5)
	if _, err := v5.Check(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := v5.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(dir5, fastCred(t, dir5))
	if err != nil {
		t.Fatalf("OpenReadOnly beside intake/: %v", err)
	}
	load(t, ro)
	ro.Close()
	checkIntake(t, dir5, files5, "after reopening, repair, check and salvage")
}
