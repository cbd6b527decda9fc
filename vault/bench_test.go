package vault

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAppendLog: one redo log record of 300 bytes (about one client
// edit) encrypted, written with its mark and fdatasync'ed, through the
// operating system's FS.
func BenchmarkAppendLog(b *testing.B) {
	v, _, _ := newVault(b)
	rec := make([]byte, 300)
	if err := v.AppendLog(rec); err != nil { // creates the log file
		b.Fatal(err)
	}
	for b.Loop() {
		if err := v.AppendLog(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnlockUser: Open by a user's name and passphrase, with 1 and 20
// user slots (test KDF: 8 MiB, t=1), so that what grows with the number of
// users shows: the slot is found by tag, one Argon2id per unlock.
func BenchmarkUnlockUser(b *testing.B) {
	for _, users := range []int{1, 20} {
		b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) {
			v, dir, _ := newVault(b)
			for i := range users - 1 {
				if err := v.AddUserSlot(userName(i), userPass(i), nil, testKDF); err != nil {
					b.Fatal(err)
				}
			}
			cred := Passphrase(testPass)
			if users > 1 {
				cred = Passphrase(userPass(users - 2)).ForUser(userName(users - 2)) // the last slot
			}
			v.Close()
			for b.Loop() {
				w, err := Open(dir, cred)
				if err != nil {
					b.Fatal(err)
				}
				w.Close()
			}
		})
	}
}

// BenchmarkRotateDataKey: a data key rotation of a 58 MiB image (the
// database of about 10,000 clients) with one re-put object: every chunk
// written under the new key, header.next, manifest, rename, the old chunks
// swept. On the operating system's file system of the test's temp folder.
func BenchmarkRotateDataKey(b *testing.B) {
	v, _, _ := newVault(b)
	load(b, v)
	image := detRand(58, 58<<20)
	seg, err := v.PutObject(KindAuditSegment, []byte("segment"))
	if err != nil {
		b.Fatal(err)
	}
	if err := v.WriteCheckpoint(context.Background(), image, nil, ObjectRef{KindAuditSegment, seg}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(image)))
	for b.Loop() {
		r, err := v.BeginRotation()
		if err != nil {
			b.Fatal(err)
		}
		if seg, err = r.Reput(KindAuditSegment, seg); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Commit(context.Background(), image, nil, ObjectRef{KindAuditSegment, seg}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindUserSlot: what an unlock does besides its one key
// derivation and unwrap: parse and check the header, then find the user's
// slot by tag, with 1, 20 and 64 slots.
func BenchmarkFindUserSlot(b *testing.B) {
	for _, users := range []int{0, 18, 62} {
		hb := sampleHeaderV2(users, false)
		name := ""
		if users > 0 {
			name = userName(users - 1)
		}
		cred := Passphrase(testPass).ForUser(name).WithKeyFile([]byte("k")) // every third slot needs one
		b.Run(fmt.Sprintf("slots=%d", users+2), func(b *testing.B) {
			for b.Loop() {
				h, err := parseHeader("header", hb)
				if err != nil {
					b.Fatal(err)
				}
				c, err := h.candidates(cred)
				if err != nil || len(c) != 1 {
					b.Fatal(c, err)
				}
			}
		})
	}
}

// benchDocSize is the document of the document benchmarks: 64 MiB of
// random bytes (about 40 chunks), the same on every run.
const benchDocSize = 64 << 20

// BenchmarkWriteDocument: a new document of 64 MiB chunked, encrypted and
// written (temporary file and rename, no fsync) through a batch, then the
// batch synced (one fsync per chunk and per folder): what adding a file
// costs the vault. "new": each round's content is new (made outside the
// timer), nothing dedups; "same": the same content each round, every chunk
// found (what a second add of one file costs). b.SetBytes: MB/s of document.
func BenchmarkWriteDocument(b *testing.B) {
	for _, mode := range []string{"new", "same"} {
		b.Run(mode, func(b *testing.B) {
			v, _, _ := newVault(b)
			base := detRand(1, benchDocSize)
			b.SetBytes(benchDocSize)
			round := uint64(0)
			for b.Loop() {
				data := base
				if mode == "new" {
					b.StopTimer()
					round++
					data = detRand(round+100, benchDocSize)
					b.StartTimer()
				}
				batch := v.NewBatch()
				if _, err := batch.WriteDocument(context.Background(), bytes.NewReader(data), benchPol); err != nil {
					b.Fatal(err)
				}
				if err := batch.Sync(context.Background()); err != nil {
					b.Fatal(err)
				}
				batch.Release()
			}
		})
	}
}

// BenchmarkPlainFileWrite is the yardstick of BenchmarkWriteDocument: the
// same 64 MiB written as one plain file and fsynced, with its folder, in
// the same temporary folder. Compare the ratio of the two, not their times
// (the disk and the machine's load decide those).
func BenchmarkPlainFileWrite(b *testing.B) {
	dir := b.TempDir()
	data := detRand(1, benchDocSize)
	b.SetBytes(benchDocSize)
	for b.Loop() {
		path := filepath.Join(dir, "plain")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		if err := syncDir(osFS{}, dir); err != nil {
			b.Fatal(err)
		}
		os.Remove(path)
	}
}

// benchPol: the chunking polynomial of the benchmarks (any valid one).
const benchPol = 0x3DA3358B4DC173

// BenchmarkReadDocument: a 64 MiB document read back (each chunk read,
// authenticated, its id recomputed, the SHA-256 of the whole checked) into
// io.Discard. b.SetBytes: MB/s of document.
func BenchmarkReadDocument(b *testing.B) {
	v, _, _ := newVault(b)
	batch := v.NewBatch()
	dw, err := batch.WriteDocument(context.Background(), bytes.NewReader(detRand(2, benchDocSize)), benchPol)
	if err != nil {
		b.Fatal(err)
	}
	if err := batch.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer batch.Release()
	b.SetBytes(benchDocSize)
	for b.Loop() {
		if err := v.ReadDocument(context.Background(), dw.Chunks, dw.SHA256, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
