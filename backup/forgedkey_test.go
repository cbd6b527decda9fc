package backup

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/vault"
)

// forgeKeyFile writes into the repository's keys/ folder a copy of header
// whose passphrase slot asks for Argon2id t, m KiB, p lanes. Its name check
// and checksum need no key, so anyone with the drive can make one
// (docs/FORMAT.md 4 and 13.5: slots start at byte 35, t at +2, m at +6, p at
// +10; the last 32 bytes are SHA-256 of the rest).
func forgeKeyFile(t *testing.T, dir string, seq int, header []byte, tm, m uint32, p uint8) string {
	t.Helper()
	b := append([]byte(nil), header...)
	const slot0 = 8 + 2 + 16 + 8 + 1
	if st := vault.SlotType(b[slot0]); st != vault.SlotPassphrase && st != vault.SlotUser {
		t.Fatal("slot 0 is not the (owner's) passphrase slot")
	}
	binary.LittleEndian.PutUint32(b[slot0+2:], tm)
	binary.LittleEndian.PutUint32(b[slot0+6:], m)
	b[slot0+10] = p
	sum := sha256.Sum256(b[:len(b)-32])
	copy(b[len(b)-32:], sum[:])
	all := sha256.Sum256(b)
	name := fmt.Sprintf("%s/%04d-%s", keysDir, seq, hex.EncodeToString(all[:6]))
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestForgedKeyFiles: key files beyond the KDF bounds are refused before
// any derivation and named; the rest are tried cheapest first, each content
// once, whatever their names; the backup still opens with the real one.
func TestForgedKeyFiles(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 1)
	fv := &fakeVolume{id: "uuid:AAAA"}
	r, dir := initRepo(t, tv, fv)
	runBackup(t, r, tv)
	real, err := os.ReadDir(filepath.Join(dir, keysDir))
	if err != nil || len(real) != 1 {
		t.Fatalf("key files: %v %v", real, err)
	}
	realName := keysDir + "/" + real[0].Name()
	header, err := os.ReadFile(filepath.Join(dir, realName))
	if err != nil {
		t.Fatal(err)
	}

	// The forgery: t=1000, m=4 GiB. Named to sort first.
	huge := forgeKeyFile(t, dir, 9999, header, 1000, 4<<20, 4)
	// Within the bounds but far dearer than the real one, also named first.
	dear := forgeKeyFile(t, dir, 9998, header, 1000, vault.MinMemoryKiB, 1)
	// The same content as the real key file under another name.
	dup := filepath.Join(dir, keysDir, "9997-"+strings.SplitN(real[0].Name(), "-", 2)[1])
	if err := os.WriteFile(dup, header, 0o600); err != nil {
		t.Fatal(err)
	}

	be := Options{}
	be.fill(dir)
	files, err := be.Backend.List(ctx, keysDir)
	if err != nil {
		t.Fatal(err)
	}
	cands, refused, ferr := loadKeyFiles(ctx, be.Backend, files)
	if ferr != nil {
		t.Fatal(ferr)
	}
	var order []string
	for _, c := range cands {
		order = append(order, c.name)
	}
	// The real content once (under the first name seen), then the dear one.
	if len(order) != 2 || order[1] != dear || !strings.HasSuffix(order[0], strings.SplitN(real[0].Name(), "-", 2)[1]) {
		t.Errorf("key files tried in the order %v; want the real one, then %s", order, dear)
	}
	if len(refused) != 1 || refused[0].Name != huge || !strings.Contains(refused[0].Reason, "above the limit") {
		t.Errorf("refused %q; want %s named, with why", refused, huge)
	}

	rr, err := OpenWithCredential(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Volume: fv.of})
	if err != nil {
		t.Fatalf("open with the passphrase beside forged key files: %v", err)
	}
	if got := rr.RefusedKeyFiles(); len(got) != 1 || got[0].Name != huge {
		t.Errorf("RefusedKeyFiles = %q", got)
	}
	rr.Close()

	// With only the forged one left, the error names it, and says damaged.
	for _, e := range real {
		os.Remove(filepath.Join(dir, keysDir, e.Name()))
	}
	os.Remove(dup)
	os.Remove(filepath.Join(dir, dear))
	_, err = OpenWithCredential(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Volume: fv.of})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), huge) {
		t.Fatalf("only a forged key file: %v", err)
	}
}
