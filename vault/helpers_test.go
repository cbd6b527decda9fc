package vault

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKDF is the cheapest KDF setting Validate accepts. It is always passed
// explicitly through CreateOptions: there is no global test switch.
var testKDF = KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

var testPass = []byte("correct horse battery staple")

func testOpts() CreateOptions {
	return CreateOptions{KDF: testKDF, Now: func() time.Time { return time.Unix(1700000000, 0) }}
}

// newVault creates a vault in a fresh temp folder. The vault is closed at the
// end of the test unless the test closed it itself.
func newVault(t testing.TB) (*Vault, string, RecoveryKey) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, rk, err := Create(dir, testPass, testOpts())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	recoveryOf.Store(dir, rk)
	t.Cleanup(func() { v.Close() })
	return v, dir, rk
}

// recoveryOf maps a test vault's folder to its recovery key: reopening with
// it costs an HKDF instead of an Argon2id run, which keeps the tests fast
// under -race.
var recoveryOf sync.Map

func mustOpen(t testing.TB, dir string, cred Credential) *Vault {
	t.Helper()
	v, err := Open(dir, cred)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func mustRecovery(t testing.TB, rk RecoveryKey) Credential {
	t.Helper()
	c, err := Recovery(string(rk))
	if err != nil {
		t.Fatalf("Recovery(%q): %v", rk, err)
	}
	return c
}

// reopen closes v and opens its folder again (with the recovery key: fast).
func reopen(t testing.TB, v *Vault) *Vault {
	t.Helper()
	if err := v.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return mustOpen(t, v.Dir(), fastCred(t, v.Dir()))
}

// fastCred is the recovery key of a vault made by newVault.
func fastCred(t testing.TB, dir string) Credential {
	t.Helper()
	rk, ok := recoveryOf.Load(dir)
	if !ok {
		t.Fatalf("no recovery key recorded for %s", dir)
	}
	return mustRecovery(t, rk.(RecoveryKey))
}

// hashDir maps every file and folder below dir (relative, slash-separated)
// to the SHA-256 of its content ("dir" for folders).
func hashDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			out[rel] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := sha256.Sum256(b)
		out[rel] = hex.EncodeToString(s[:])
		return nil
	})
	if err != nil {
		t.Fatalf("hashing %s: %v", dir, err)
	}
	return out
}

// statDir is a cheaper hashDir for loops: it maps every file to its size
// and modification time, which any write, truncation or removal changes.
func statDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[filepath.ToSlash(rel)] = "dir"
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = fmt.Sprint(fi.Size(), " ", fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatalf("listing %s: %v", dir, err)
	}
	return out
}

// diffHashes describes how two hashDir results differ, ignoring names for
// which skip returns true; "" when equal.
func diffHashes(before, after map[string]string, skip func(string) bool) string {
	var diffs []string
	for k, v := range before {
		if skip != nil && skip(k) {
			continue
		}
		switch w, ok := after[k]; {
		case !ok:
			diffs = append(diffs, "removed "+k)
		case w != v:
			diffs = append(diffs, "changed "+k)
		}
	}
	for k := range after {
		if skip != nil && skip(k) {
			continue
		}
		if _, ok := before[k]; !ok {
			diffs = append(diffs, "added "+k)
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, ", ")
}

func assertUnchanged(t testing.TB, dir string, before map[string]string) {
	t.Helper()
	if d := diffHashes(before, hashDir(t, dir), nil); d != "" {
		t.Fatalf("folder changed: %s", d)
	}
}

// wantDamaged checks that err is ErrDamaged naming file (and nothing else).
func wantDamaged(t testing.TB, err error, file string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want ErrDamaged naming %s", file)
	}
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("got %v, want ErrDamaged naming %s", err, file)
	}
	if errors.Is(err, ErrWrongCredential) || errors.Is(err, ErrNoVault) {
		t.Fatalf("error %v is both ErrDamaged and another kind", err)
	}
	var de *DamagedError
	if !errors.As(err, &de) {
		t.Fatalf("error %v is not a *DamagedError", err)
	}
	if filepath.Clean(de.File) != filepath.Clean(file) {
		t.Fatalf("DamagedError names %s, want %s (%v)", de.File, file, err)
	}
	if de.Reason == "" {
		t.Fatalf("DamagedError has no reason: %v", err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func flipped(b []byte, i int, mask byte) []byte {
	c := bytes.Clone(b)
	c[i] ^= mask
	return c
}

// samplePositions returns positions in a file of length size: every one of
// the first and last 40, and middle more spread evenly between them.
func samplePositions(size, middle int) []int {
	seen := map[int]bool{}
	var out []int
	add := func(i int) {
		if i >= 0 && i < size && !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	for i := 0; i < 40; i++ {
		add(i)
		add(size - 1 - i)
	}
	for k := 1; k <= middle; k++ {
		add(40 + (size-80)*k/(middle+1))
	}
	sort.Ints(out)
	return out
}

// chunkFiles lists the database chunk object files of the vault in dir.
func chunkFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(dir, ObjectsDir, KindDBChunk.dir())
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// load runs LoadCheckpoint with a background context.
func load(t testing.TB, v *Vault) ([]byte, *Checkpoint) {
	t.Helper()
	img, cp, err := v.LoadCheckpoint(context.Background())
	if err != nil {
		t.Fatalf("LoadCheckpoint: %v", err)
	}
	return img, cp
}

// buildLog makes a complete redo log file of the given format, as AppendLog
// writes it: the mark of format 2 names every record but the last as
// acknowledged. seal encrypts one record with its associated data.
func buildLog(format int, a cipher.AEAD, markKey []byte, vaultID [16]byte, gen uint64, seal func(pt, ad []byte) []byte, recs ...[]byte) []byte {
	b := logPrefix(format, vaultID, gen)
	if format == 2 {
		b = append(b, make([]byte, logMarkLen)...)
	}
	var lastStart int64 = int64(len(b))
	for i, r := range recs {
		lastStart = int64(len(b))
		sealed := seal(r, recordAD(format, vaultID, gen, uint64(i)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(sealed)))
		b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[len(b)-4:], crcTable))
		b = append(b, sealed...)
	}
	if format == 2 {
		acked := uint64(0)
		if len(recs) > 0 {
			acked = uint64(len(recs) - 1)
		}
		copy(b[logPrefixLen:], logMark(markKey, b[:logPrefixLen], acked, lastStart))
	}
	return b
}

// markKeyOf is the key of the vault's redo log acknowledgement mark.
func markKeyOf(t testing.TB, v *Vault) []byte {
	t.Helper()
	var out []byte
	err := purposeKey(v.keys, "purpose:", markPurpose, func(k []byte) error {
		out = bytes.Clone(k)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
