package backup

import (
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"casevault/backup/retention"
	"casevault/vault"
	"casevault/vault/testkit"
)

// Canary scan: known client data in the vault's database image and redo log
// must not appear in any repository file, in any common encoding.

var canaries = []string{"CANARY-Marguerite-Okonkwo-7731", "canary-matter-2026-CV-00417-custody"}

// scanForCanaries returns a description of each canary found in b, in any
// common encoding (testkit.LeakForms).
func scanForCanaries(b []byte) []string { return testkit.FindLeaks(b, canaries...) }

func TestCanaryNotInRepository(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 2)
	// An image of more than one pack, with the canaries throughout, and
	// log records that hold them.
	tv.img = make([]byte, (PackSize/vault.ChunkSize+3)*vault.ChunkSize)
	rand.Read(tv.img)
	for off, i := 100, 0; off+64 < len(tv.img); off, i = off+4093, i+1 {
		copy(tv.img[off:], canaries[i%len(canaries)])
	}
	tv.checkpoint()
	for i := 0; i < 40; i++ {
		rec := fmt.Sprintf(`{"op":"update","client":%q,"matter":%q,"note":"call %d"}`, canaries[0], canaries[1], i)
		if err := tv.v.AppendLog([]byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	if found := scanForCanaries(tv.img); len(found) == 0 {
		t.Fatal("the image holds no canary")
	}
	fv := &fakeVolume{id: "uuid:CANARY"}
	r, dir := initRepo(t, tv, fv)
	runBackup(t, r, tv)
	tv.edit(7)
	tv.checkpoint()
	runBackup(t, r, tv)
	if _, err := r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, true); err != nil {
		t.Fatal(err)
	}
	if err := r.RecordDrill(ctx, &DrillRecord{Snapshot: "x", OK: true, Checks: []string{"restored"}}); err != nil {
		t.Fatal(err)
	}

	var files, bytesScanned int
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			t.Errorf("%s is a symlink", rel)
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s can be read by others: %v", rel, info.Mode().Perm())
		}
		if len(rel) >= 80 {
			t.Errorf("path of %d characters: %s", len(rel), rel)
		}
		if d.IsDir() {
			return nil
		}
		if !info.Mode().IsRegular() {
			t.Errorf("%s is not a regular file: %v", rel, info.Mode())
			return nil
		}
		if info.Size() > 2*PackSize+1<<20 {
			t.Errorf("%s has %d bytes", rel, info.Size())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		bytesScanned += len(b)
		for _, f := range scanForCanaries(b) {
			t.Errorf("%s holds %s", rel, f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 8 || bytesScanned < PackSize {
		t.Fatalf("scanned only %d files, %d bytes", files, bytesScanned)
	}
	t.Logf("scanned %d files, %d bytes", files, bytesScanned)
}
