package vault

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// The tamper tests change vault files the way damage or an attacker would and
// check that every change is reported as ErrDamaged naming the changed file:
// never a success, never a wrong-credential message, never a panic, and that
// the failed call changes nothing on disk.

// tamperFixture is a closed vault with a checkpoint of two chunks (one full,
// one short) and a redo log of three records.
type tamperFixture struct {
	dir      string
	image    []byte
	recs     [][]byte
	cp       *Checkpoint
	header   string
	manifest string
	chunks   []string // object paths, in manifest order
	log      string
	n        int // mutations so far
}

func newTamperFixture(t *testing.T) *tamperFixture {
	t.Helper()
	v, dir, _ := newVault(t)
	f := &tamperFixture{
		dir:      dir,
		image:    detRand(42, ChunkSize+100),
		recs:     [][]byte{[]byte("one"), []byte("two"), []byte("three")},
		header:   filepath.Join(dir, HeaderFile),
		manifest: filepath.Join(dir, ManifestFile),
	}
	if err := v.WriteCheckpoint(context.Background(), f.image, []byte(`{"clients":3}`)); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.recs {
		if err := v.AppendLog(r); err != nil {
			t.Fatal(err)
		}
	}
	f.cp = v.Current()
	for _, id := range f.cp.Chunks {
		f.chunks = append(f.chunks, v.objectPath(KindDBChunk, id))
	}
	f.log = v.logPath(f.cp.LogGen)
	v.Close()
	return f
}

// open opens the fixture's vault with its recovery key.
func (f *tamperFixture) open(t *testing.T) *Vault {
	t.Helper()
	return mustOpen(t, f.dir, fastCred(t, f.dir))
}

// mutate runs fn against the file at path replaced by b, then restores the
// file and checks that fn's call changed nothing else.
func (f *tamperFixture) mutate(t *testing.T, path string, b []byte, fn func()) {
	t.Helper()
	orig := readFile(t, path)
	writeFile(t, path, b)
	// Listing the folder is the slow part: check all of it every 4th time
	// (the failing paths are the same each time), the changed file always.
	f.n++
	var before map[string]string
	if f.n%4 == 1 {
		before = statDir(t, f.dir)
	}
	fn()
	if before != nil {
		if d := diffHashes(before, statDir(t, f.dir), func(n string) bool { return n == LockFile }); d != "" {
			t.Fatalf("a failed call changed the vault: %s", d)
		}
	}
	if !bytes.Equal(readFile(t, path), b) {
		t.Fatalf("a failed call rewrote %s", path)
	}
	writeFile(t, path, orig)
}

func TestTamperHeaderEveryByte(t *testing.T) {
	t.Parallel()
	f := newTamperFixture(t)
	orig := readFile(t, f.header)
	if want := headerFixedLen + 2*slotV2Len + headerTrailer; len(orig) != want {
		t.Fatalf("header is %d bytes, want %d", len(orig), want)
	}
	creds := []Credential{fastCred(t, f.dir), Passphrase(testPass)}
	for i := range orig {
		f.mutate(t, f.header, flipped(orig, i, 0x01), func() {
			creds := creds[:1]
			if i%4 == 0 {
				creds = creds[:2] // the passphrase too (the failure comes before any KDF)
			}
			for _, cred := range creds {
				v, err := Open(f.dir, cred)
				if err == nil {
					v.Close()
					t.Fatalf("byte %d: Open succeeded", i)
				}
				wantDamaged(t, err, f.header)
			}
		})
	}
	// Truncated to every shorter length, and extended.
	for n := 0; n < len(orig); n++ {
		f.mutate(t, f.header, orig[:n], func() {
			_, err := Open(f.dir, creds[0])
			wantDamaged(t, err, f.header)
		})
	}
	f.mutate(t, f.header, append(bytes.Clone(orig), 0), func() {
		_, err := Open(f.dir, creds[1])
		wantDamaged(t, err, f.header)
	})
	// Untouched, it still opens.
	v := f.open(t)
	v.Close()
}

// An attacker who also recomputes the unkeyed SHA-256 trailer gets past the
// checksum. The header MAC (keyed by the data key) and the slot's associated
// data still catch every change. Changes that stop the recovery slot from
// unwrapping cannot be told from a wrong key: those read as
// ErrWrongCredential. Nothing ever opens.
func TestTamperHeaderRecomputedChecksum(t *testing.T) {
	t.Parallel()
	f := newTamperFixture(t)
	orig := readFile(t, f.header)
	cred := fastCred(t, f.dir)            // the recovery slot: fast to try
	recSlot := headerFixedLen + slotV2Len // the owner's user slot, then the recovery slot
	for i := 0; i < len(orig)-32; i++ {
		b := flipped(orig, i, 0x01)
		sum := sha256.Sum256(b[:len(b)-32])
		copy(b[len(b)-32:], sum[:])
		var want error = ErrDamaged
		switch {
		case i >= 10 && i < 26: // vault id: in every slot's AD and the recovery KEK salt
			want = ErrWrongCredential
		case i >= recSlot+11 && i < recSlot+27: // recovery slot salt: another KEK
			want = ErrWrongCredential
		case i >= recSlot+44 && i < recSlot+148: // nonce, wrapped identity, public key (in the AD)
			want = ErrWrongCredential
		}
		f.mutate(t, f.header, b, func() {
			v, err := Open(f.dir, cred)
			if err == nil {
				v.Close()
				t.Fatalf("byte %d: Open succeeded", i)
			}
			if !errors.Is(err, want) {
				t.Fatalf("byte %d: got %v, want %v", i, err, want)
			}
			if want == ErrDamaged {
				wantDamaged(t, err, f.header)
			}
		})
	}
}

// A valid header of another vault (same passphrase) unwraps its own data
// key, which opens nothing of this vault: every object is bound to its
// vault id.
func TestTamperForeignHeader(t *testing.T) {
	t.Parallel()
	f := newTamperFixture(t)
	_, other, _ := newVault(t)
	foreign := readFile(t, filepath.Join(other, HeaderFile))
	f.mutate(t, f.header, foreign, func() {
		v, err := Open(f.dir, fastCred(t, other))
		if err != nil {
			t.Fatalf("a valid foreign header does not open: %v", err)
		}
		defer v.Close()
		_, _, err = v.LoadCheckpoint(context.Background())
		wantDamaged(t, err, f.manifest)
	})
}

func TestTamperManifest(t *testing.T) {
	t.Parallel()
	f := newTamperFixture(t)
	v := f.open(t)
	ctx := context.Background()
	orig := readFile(t, f.manifest)
	loadFails := func(what string) {
		t.Helper()
		img, cp, err := v.LoadCheckpoint(ctx)
		if err == nil {
			t.Fatalf("%s: LoadCheckpoint succeeded (%d bytes, %+v)", what, len(img), cp)
		}
		wantDamaged(t, err, f.manifest)
		if v.Current() != nil {
			t.Fatalf("%s: a failed load set the current checkpoint", what)
		}
	}
	for _, i := range samplePositions(len(orig), 24) {
		f.mutate(t, f.manifest, flipped(orig, i, 0x01), func() { loadFails("flip") })
	}
	for _, n := range samplePositions(len(orig), 24) {
		f.mutate(t, f.manifest, orig[:n], func() { loadFails("truncation") })
	}
	f.mutate(t, f.manifest, append(bytes.Clone(orig), 0), func() { loadFails("extension") })

	// Authentic manifests whose content is wrong (only a key holder, or a
	// bug, can make these).
	bad := func(mod func(cp *Checkpoint)) []byte {
		cp := *f.cp
		cp.Chunks = append([]ID(nil), f.cp.Chunks...)
		mod(&cp)
		var b []byte
		err := v.keys.withAEAD(func(a cipher.AEAD) error {
			var err error
			b, err = encodeManifest(a, v.hdr.VaultID, &cp)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for name, mod := range map[string]func(*Checkpoint){
		"format":                   func(cp *Checkpoint) { cp.Format = 0 }, // a newer one: TestNewerManifestFormat
		"format 2 without objects": func(cp *Checkpoint) { cp.Format = 2 },
		"format 1 with objects": func(cp *Checkpoint) {
			cp.Objects = []ObjectRef{{Kind: KindAuditSegment, ID: cp.Chunks[0]}}
		},
		"chunk listed as object": func(cp *Checkpoint) {
			cp.Format, cp.Objects = 2, []ObjectRef{{Kind: KindDBChunk, ID: cp.Chunks[0]}}
		},
		"object listed twice": func(cp *Checkpoint) {
			o := ObjectRef{Kind: KindAuditSegment, ID: cp.Chunks[0]}
			cp.Format, cp.Objects = 2, []ObjectRef{o, o}
		},
		"chunk size":  func(cp *Checkpoint) { cp.ChunkSize = 0 },
		"huge chunk":  func(cp *Checkpoint) { cp.ChunkSize = 1 << 30 },
		"negative":    func(cp *Checkpoint) { cp.ImageSize = -1 },
		"too few":     func(cp *Checkpoint) { cp.Chunks = cp.Chunks[:1] },
		"too many":    func(cp *Checkpoint) { cp.Chunks = append(cp.Chunks, cp.Chunks[0]) },
		"size":        func(cp *Checkpoint) { cp.ImageSize += int64(ChunkSize) },
		"overflowing": func(cp *Checkpoint) { cp.ImageSize = 1<<63 - 1 },
	} {
		f.mutate(t, f.manifest, bad(mod), func() { loadFails(name) })
	}
	// A manifest whose last chunk is longer than it says: the chunk is named.
	f.mutate(t, f.manifest, bad(func(cp *Checkpoint) { cp.ImageSize -= 10 }), func() {
		_, _, err := v.LoadCheckpoint(ctx)
		wantDamaged(t, err, f.chunks[1])
	})
	// Chunks in the wrong order: the image is wrong in a way no MAC sees...
	// except that the short chunk is now first.
	f.mutate(t, f.manifest, bad(func(cp *Checkpoint) { cp.Chunks[0], cp.Chunks[1] = cp.Chunks[1], cp.Chunks[0] }), func() {
		_, _, err := v.LoadCheckpoint(ctx)
		wantDamaged(t, err, f.chunks[1])
	})

	// A manifest of another vault.
	w, wdir, _ := newVault(t)
	if err := w.WriteCheckpoint(ctx, []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	f.mutate(t, f.manifest, readFile(t, filepath.Join(wdir, ManifestFile)), func() { loadFails("foreign") })

	// Untouched, it loads.
	img, _ := load(t, v)
	if !bytes.Equal(img, f.image) {
		t.Fatal("image differs")
	}
}

func TestTamperChunk(t *testing.T) {
	t.Parallel()
	f := newTamperFixture(t)
	v := f.open(t)
	ctx := context.Background()
	for ci, path := range f.chunks {
		orig := readFile(t, path)
		loadFails := func(what string) {
			t.Helper()
			_, _, err := v.LoadCheckpoint(ctx)
			if err == nil {
				t.Fatalf("chunk %d %s: LoadCheckpoint succeeded", ci, what)
			}
			wantDamaged(t, err, path)
		}
		for _, i := range samplePositions(len(orig), 24) {
			f.mutate(t, path, flipped(orig, i, 0x01), func() { loadFails("flip") })
		}
		// Truncations: inside the magic, kind, nonce and tag, and a few more.
		for _, n := range []int{0, 1, 7, 8, 9, 10, 32, 33, 48, 49, 50, len(orig) / 2, len(orig) - 17, len(orig) - 16, len(orig) - 1} {
			f.mutate(t, path, orig[:n], func() { loadFails("truncation") })
		}
		f.mutate(t, path, append(bytes.Clone(orig), 0), func() { loadFails("extension") })
		// Missing.
		os.Remove(path)
		before := hashDir(t, f.dir)
		_, _, err := v.LoadCheckpoint(ctx)
		wantDamaged(t, err, path)
		if d := diffHashes(before, hashDir(t, f.dir), nil); d != "" {
			t.Fatalf("load with a missing chunk changed the vault: %s", d)
		}
		writeFile(t, path, orig)
	}

	// Swapped: chunk 1's file at chunk 0's path and the other way round.
	a, b := readFile(t, f.chunks[0]), readFile(t, f.chunks[1])
	writeFile(t, f.chunks[0], b)
	writeFile(t, f.chunks[1], a)
	_, _, err := v.LoadCheckpoint(ctx)
	wantDamaged(t, err, f.chunks[0])
	writeFile(t, f.chunks[1], b)
	_, _, err = v.LoadCheckpoint(ctx)
	wantDamaged(t, err, f.chunks[0]) // a copy of another object under this name
	writeFile(t, f.chunks[0], a)

	// A document object passed off as a chunk.
	docID, err := v.PutObject(KindDocument, []byte("doc"))
	if err != nil {
		t.Fatal(err)
	}
	doc := readFile(t, v.objectPath(KindDocument, docID))
	f.mutate(t, f.chunks[1], doc, func() {
		_, _, err := v.LoadCheckpoint(ctx)
		wantDamaged(t, err, f.chunks[1])
	})

	// An authentic object whose content does not match its id (a bug or a
	// key holder). Of another length, the open catches it by its size. Of
	// the same length, the open accepts it: its AEAD, which binds the id,
	// says the key holder wrote it there, and the open does not recompute
	// ids (FORMAT.md, section 5); every backup, restore and drill does
	// (Keys.CheckObject), and catches it.
	err = v.keys.withAEAD(func(a cipher.AEAD) error {
		id := f.cp.Chunks[1]
		sealed, err := sealObject(a, v.hdr.VaultID, KindDBChunk, id, []byte("not the content"))
		if err != nil {
			return err
		}
		f.mutate(t, f.chunks[1], sealed, func() {
			_, _, err := v.LoadCheckpoint(ctx)
			wantDamaged(t, err, f.chunks[1])
		})
		same := bytes.Clone(f.image[ChunkSize:])
		same[0] ^= 1
		sealed, err = sealObject(a, v.hdr.VaultID, KindDBChunk, id, same)
		if err != nil {
			return err
		}
		f.mutate(t, f.chunks[1], sealed, func() {
			if _, _, err := v.LoadCheckpoint(ctx); err != nil {
				t.Fatalf("LoadCheckpoint of an authentic chunk of the right size: %v", err)
			}
			err := v.Keys().CheckObject(f.chunks[1], KindDBChunk, id, sealed)
			wantDamaged(t, err, f.chunks[1])
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	img, _ := load(t, v)
	if !bytes.Equal(img, f.image) {
		t.Fatal("image differs")
	}
}

// Rolling the manifest back to an earlier checkpoint: the later checkpoint's
// manifest copy shows two versions are mixed; without it, the chunks that
// the later checkpoint replaced are gone, so it is damage, not an old state.
func TestTamperManifestRollback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, dir, _ := newVault(t)
	image := detRand(5, 2*ChunkSize)
	if err := v.WriteCheckpoint(ctx, image, nil); err != nil {
		t.Fatal(err)
	}
	old := readFile(t, filepath.Join(dir, ManifestFile))
	gone := v.objectPath(KindDBChunk, v.Current().Chunks[1])
	image[ChunkSize+1] ^= 1
	if err := v.WriteCheckpoint(ctx, image, nil); err != nil {
		t.Fatal(err)
	}
	v.Close()
	writeFile(t, filepath.Join(dir, ManifestFile), old)
	v = mustOpen(t, dir, fastCred(t, dir))
	if _, _, err := v.LoadCheckpoint(ctx); !errors.Is(err, ErrMixedVersions) {
		t.Fatalf("got %v, want ErrMixedVersions", err)
	}
	v.Close()
	os.RemoveAll(filepath.Join(dir, ManifestsDir))
	v = mustOpen(t, dir, fastCred(t, dir))
	_, _, err := v.LoadCheckpoint(ctx)
	wantDamaged(t, err, gone)
}

func TestTamperLogEveryByte(t *testing.T) {
	t.Parallel()
	f := newTamperFixture(t)
	v := f.open(t)
	load(t, v)
	orig := readFile(t, f.log)
	if want := logHeaderLen + 3*(recordHdrLen+24+16) + 3 + 3 + 5; len(orig) != want {
		t.Fatalf("log is %d bytes, want %d", len(orig), want)
	}
	// Every single-byte change anywhere in a complete log — file header,
	// record length, CRC, nonce, ciphertext, tag — is damage, never a torn
	// tail: the CRC-32C over the length catches every change to it.
	frames := splitFrames(t, orig)
	inRecordHeader := map[int]bool{}
	for off, i := logHeaderLen, 0; i < len(frames); off, i = off+len(frames[i]), i+1 {
		for j := 0; j < recordHdrLen; j++ {
			inRecordHeader[off+j] = true
		}
	}
	for i := range orig {
		masks := []byte{0x01}
		if inRecordHeader[i] {
			masks = []byte{0x01, 0x80, 0xff} // length and CRC: lowest, highest, all bits
		}
		for _, mask := range masks {
			f.mutate(t, f.log, flipped(orig, i, mask), func() {
				recs, err := v.ReadLog()
				if err == nil {
					t.Fatalf("byte %d ^ %#x: ReadLog succeeded with %d records", i, mask, len(recs))
				}
				wantDamaged(t, err, f.log)
			})
		}
	}

	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	hdr := orig[:logHeaderLen]
	for name, b := range map[string][]byte{
		"swapped records":    join(hdr, frames[1], frames[0], frames[2]),
		"middle dropped":     join(hdr, frames[0], frames[2]),
		"first dropped":      join(hdr, frames[1], frames[2]),
		"record repeated":    join(hdr, frames[0], frames[0], frames[1], frames[2]),
		"garbage appended":   join(orig, []byte("garbage!garbage!garbage!garbage!garbage!garbage!garbage!")),
		"zero length":        join(orig, lengthFrame(0)),
		"short length":       join(orig, lengthFrame(39), make([]byte, 39)),
		"huge length":        join(orig, lengthFrame(maxRecordSize+1)),
		"max uint32":         join(orig, lengthFrame(0xffffffff)),
		"other generation":   join(logHeader(markKeyOf(t, v), v.hdr.VaultID, f.cp.LogGen+1), frames[0]),
		"other vault header": join(logHeader(markKeyOf(t, v), [16]byte{1}, f.cp.LogGen), frames[0]),
	} {
		f.mutate(t, f.log, b, func() {
			recs, err := v.ReadLog()
			if err == nil {
				t.Fatalf("%s: ReadLog succeeded with %d records", name, len(recs))
			}
			wantDamaged(t, err, f.log)
		})
	}

	// The log of another generation, renamed to the current one.
	f.mutate(t, f.log, join(logHeader(markKeyOf(t, v), v.hdr.VaultID, 0), frames[0]), func() {
		_, err := v.ReadLog()
		wantDamaged(t, err, f.log)
	})

	recs, err := v.ReadLog()
	if err != nil || len(recs) != 3 {
		t.Fatalf("untouched log: %q %v", recs, err)
	}
}

// Torn tails that look like a crash, not damage: a record whose length is
// intact but whose bytes run past the end, and a tail of zeros (a file
// system that extended the file before writing the data).
func TestLogTornTailShapes(t *testing.T) {
	t.Parallel()
	f := newTamperFixture(t)
	v := f.open(t)
	load(t, v)
	orig := readFile(t, f.log)
	frames := splitFrames(t, orig)
	boundary := len(orig) - len(frames[2])
	for name, tail := range map[string][]byte{
		"zeros, short":           make([]byte, 5),
		"zeros, header size":     make([]byte, recordHdrLen),
		"zeros, a record's size": make([]byte, len(frames[2])),
		"zeros, a page":          make([]byte, 4096),
		"length only":            frames[2][:4],
		"header only":            frames[2][:recordHdrLen],
		"header and zeros":       append(bytes.Clone(frames[2][:recordHdrLen]), make([]byte, len(frames[2])-recordHdrLen-1)...),
		"long length, short":     append(lengthFrame(1000), make([]byte, 500)...),
	} {
		b := append(bytes.Clone(orig[:boundary]), tail...)
		writeFile(t, f.log, b)
		recs, err := v.ReadLog()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%s: %d records, %v", name, len(recs), err)
		}
		if fi, _ := os.Stat(f.log); fi.Size() != int64(boundary) {
			t.Fatalf("%s: file not cut back to %d (is %d)", name, boundary, fi.Size())
		}
	}
}

// splitFrames cuts a log file into its record frames.
func splitFrames(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for off := logHeaderLen; off < len(b); {
		n := int(binary.LittleEndian.Uint32(b[off:]))
		out = append(out, b[off:off+recordHdrLen+n])
		off += recordHdrLen + n
	}
	return out
}

// lengthFrame is a record header with a valid CRC for length n.
func lengthFrame(n uint32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, n)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}
