package ui

import (
	"crypto/sha256"
	le "encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestRestoreForgedKeyFile: a key file asking for Argon2id t=1000 and 4 GiB
// (anyone with the drive can add one) is refused without deriving, the
// backup opens with the real one, and the restore screen says so (issue 8,
// item 12).
func TestRestoreForgedKeyFile(t *testing.T) {
	target := backupOf(t)
	keys, err := os.ReadDir(filepath.Join(target, "keys"))
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	b, err := os.ReadFile(filepath.Join(target, "keys", keys[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	const slot0 = 35 // docs/FORMAT.md section 4
	le.LittleEndian.PutUint32(b[slot0+2:], 1000)
	le.LittleEndian.PutUint32(b[slot0+6:], 4<<20)
	sum := sha256.Sum256(b[:len(b)-32])
	copy(b[len(b)-32:], sum[:])
	all := sha256.Sum256(b)
	if err := os.WriteFile(filepath.Join(target, "keys", fmt.Sprintf("9999-%s", hex.EncodeToString(all[:6]))), b, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, false)
	r := restoreScreenOf(t, h)
	r.repo.SetText(target)
	test.Type(r.cred.pass, testPass)
	test.Tap(r.openB)
	h.u.wait()
	if r.bk == nil || !strings.Contains(r.status.Text, "1 key file in the backup was refused") {
		t.Fatalf("restore beside a forged key file: error %q, status %q", r.errMsg.Text, r.status.Text)
	}
}
