package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCreatePendingStartsOver: a vault created Pending is not a vault until
// Confirm: it does not open (saying why), and an interrupted creation (its
// recovery key never confirmed) is started over by the next Create, which
// then works. A folder with a real header, or with a file Create did not
// make, is never removed.
func TestCreatePendingStartsOver(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	opts := testOpts()
	opts.Pending = true
	v, rk1, err := Create(dir, testPass, opts)
	if err != nil {
		t.Fatal(err)
	}
	id1 := v.Info().VaultID
	v.Close() // killed before the recovery key was confirmed
	if Exists(dir) || !HalfMade(dir) {
		t.Fatalf("after an unconfirmed Create: Exists %v, HalfMade %v", Exists(dir), HalfMade(dir))
	}
	cred := mustRecovery(t, rk1)
	if _, err := Open(dir, cred); !errors.Is(err, ErrNoVault) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Open of a half-made vault: %v", err)
	}

	// A second Create starts over.
	other := []byte("another passphrase entirely")
	v2, rk2, err := Create(dir, other, opts)
	if err != nil {
		t.Fatalf("Create over a half-made vault: %v", err)
	}
	if v2.Info().VaultID == id1 || rk2 == rk1 {
		t.Fatal("the second Create kept the first vault")
	}
	v2.Close()
	if err := Confirm(dir); err != nil {
		t.Fatal(err)
	}
	if err := Confirm(dir); err != nil {
		t.Fatalf("Confirm twice: %v", err)
	}
	if !Exists(dir) || HalfMade(dir) {
		t.Fatalf("after Confirm: Exists %v, HalfMade %v", Exists(dir), HalfMade(dir))
	}
	mustOpen(t, dir, Passphrase(other)).Close()

	// A real vault is never started over, even with a stray pending header.
	if err := os.WriteFile(filepath.Join(dir, PendingHeaderFile), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Create(dir, testPass, opts); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over a real vault: %v", err)
	}
	mustOpen(t, dir, Passphrase(other)).Close()

	// A half-made vault beside a file Create did not make is not touched.
	dir2 := filepath.Join(t.TempDir(), "vault")
	v3, _, err := Create(dir2, testPass, opts)
	if err != nil {
		t.Fatal(err)
	}
	v3.Close()
	if err := os.WriteFile(filepath.Join(dir2, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if HalfMade(dir2) {
		t.Fatal("a folder with a foreign file counts as half made")
	}
	if _, _, err := Create(dir2, testPass, opts); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over a half-made vault with a foreign file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir2, PendingHeaderFile)); err != nil {
		t.Fatalf("the refused Create removed the pending header: %v", err)
	}
}
