package cli

import (
	"crypto/sha256"
	le "encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestForgedKeyFileCLI: a key file on the backup drive asking for Argon2id
// t=1000 and 4 GiB (anyone can make one: its name check and checksum need
// no key) is refused without deriving, and named; snapshots still work with
// the real key file, and without it the message says what happened.
func TestForgedKeyFileCLI(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.ok("backup", "--repo", repo)
	keys, err := os.ReadDir(filepath.Join(repo, "keys"))
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	realPath := filepath.Join(repo, "keys", keys[0].Name())
	b, err := os.ReadFile(realPath)
	if err != nil {
		t.Fatal(err)
	}
	const slot0 = 35 // docs/FORMAT.md section 4
	le.LittleEndian.PutUint32(b[slot0+2:], 1000)
	le.LittleEndian.PutUint32(b[slot0+6:], 4<<20)
	sum := sha256.Sum256(b[:len(b)-32])
	copy(b[len(b)-32:], sum[:])
	all := sha256.Sum256(b)
	forged := fmt.Sprintf("9999-%s", hex.EncodeToString(all[:6]))
	if err := os.WriteFile(filepath.Join(repo, "keys", forged), b, 0o600); err != nil {
		t.Fatal(err)
	}

	out, errs, code := v.do("snapshots", "--repo", repo)
	t.Logf("snapshots:\n%s", errs)
	if code != 0 {
		t.Fatalf("snapshots beside a forged key file: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(errs, forged) || !strings.Contains(errs, "refused") || !strings.Contains(errs, "4096 MiB") {
		t.Errorf("no warning naming the forged key file:\n%s", errs)
	}

	os.Remove(realPath)
	_, errs, code = v.do("snapshots", "--repo", repo)
	t.Logf("snapshots without the real key file:\n%s", errs)
	if code != ExitDamaged || !strings.Contains(errs, forged) || !strings.Contains(errs, "tampered") {
		t.Fatalf("only a forged key file: exit %d\n%s", code, errs)
	}
}
