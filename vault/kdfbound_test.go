package vault

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHeaderKDFBound: the vault's own header with Argon2id parameters
// beyond what casevault writes (t=1000, m=4 GiB: minutes and gigabytes per
// attempt) is refused as damaged before any derivation, saying why; so is
// the same header handed to HeaderKDF and UnlockHeader (backup key files).
func TestHeaderKDFBound(t *testing.T) {
	v, dir, _ := newVault(t)
	v.Close()
	path := filepath.Join(dir, HeaderFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(b[headerFixedLen+2:], 1000)
	binary.LittleEndian.PutUint32(b[headerFixedLen+6:], 4<<20)
	sum := sha256.Sum256(b[:len(b)-32])
	copy(b[len(b)-32:], sum[:])
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, Passphrase(testPass))
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "4096 MiB is above the limit of 1024 MiB") {
		t.Fatalf("Open with a 4 GiB header: %v", err)
	}
	if _, err := HeaderKDF("keys/0001-x", b); !errors.Is(err, ErrDamaged) {
		t.Fatalf("HeaderKDF: %v", err)
	}
	if _, err := UnlockHeader("keys/0001-x", b, Passphrase(testPass)); !errors.Is(err, ErrDamaged) {
		t.Fatalf("UnlockHeader: %v", err)
	}
}
