package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/backup/retention"
	"casevault/vault"
)

// Canary scan: known client data in the vault's database image and redo log
// must not appear in any repository file, in any common encoding.

var canaries = []string{"CANARY-Marguerite-Okonkwo-7731", "canary-matter-2026-CV-00417-custody"}

// canaryPatterns are byte strings one of which is in any file that holds c
// raw, as UTF-16 (either byte order), as base64 (standard or URL alphabet,
// at any alignment) or as hex (either case).
func canaryPatterns(c string) map[string][]byte {
	out := map[string][]byte{"raw": []byte(c)}
	var le, be []byte
	for _, r := range c { // the canaries are ASCII
		le = append(le, byte(r), 0)
		be = append(be, 0, byte(r))
	}
	out["utf-16le"], out["utf-16be"] = le, be
	out["hex"] = []byte(hex.EncodeToString([]byte(c)))
	out["HEX"] = []byte(strings.ToUpper(hex.EncodeToString([]byte(c))))
	for _, enc := range []struct {
		name string
		e    *base64.Encoding
	}{{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding}} {
		for shift := 0; shift < 3; shift++ {
			// The 4-character groups wholly inside c do not depend on what
			// surrounds it.
			s := enc.e.EncodeToString(append(make([]byte, shift), c...))
			start := 0
			if shift > 0 {
				start = 4
			}
			out[fmt.Sprintf("%s+%d", enc.name, shift)] = []byte(s[start : len(s)-4])
		}
	}
	return out
}

// scanForCanaries returns a description of each canary found in b.
func scanForCanaries(b []byte) []string {
	var found []string
	for _, c := range canaries {
		for name, p := range canaryPatterns(c) {
			if i := bytes.Index(b, p); i >= 0 {
				found = append(found, fmt.Sprintf("%q as %s at %d", c, name, i))
			}
		}
	}
	return found
}

func TestCanaryScanFindsEncodings(t *testing.T) {
	// The scanner itself: each encoding, at each alignment, inside noise.
	for _, c := range canaries {
		plain := func(pre int) []byte {
			b := make([]byte, pre)
			rand.Read(b)
			b = append(b, c...)
			tail := make([]byte, 7)
			rand.Read(tail)
			return append(b, tail...)
		}
		for pre := 0; pre < 3; pre++ {
			for name, enc := range map[string][]byte{
				"raw":       plain(pre),
				"base64":    []byte(base64.StdEncoding.EncodeToString(plain(pre))),
				"base64url": []byte(base64.RawURLEncoding.EncodeToString(plain(pre))),
				"hex":       []byte(hex.EncodeToString(plain(pre))),
				"HEX":       []byte(strings.ToUpper(hex.EncodeToString(plain(pre)))),
			} {
				if len(scanForCanaries(enc)) == 0 {
					t.Fatalf("the scan misses %q as %s after %d bytes", c, name, pre)
				}
			}
		}
		var u16 []byte
		for _, r := range "x" + c + "y" {
			u16 = append(u16, byte(r), 0)
		}
		if len(scanForCanaries(u16)) == 0 {
			t.Fatalf("the scan misses %q as UTF-16", c)
		}
	}
}

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
