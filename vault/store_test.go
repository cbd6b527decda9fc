package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// detRand returns n pseudo-random bytes that are the same on every run.
func detRand(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestObjects(t *testing.T) {
	t.Parallel()
	v, dir, _ := newVault(t)
	for _, size := range []int{0, 1, 100, 64 * 1024, 300_000} {
		pt := detRand(uint64(size), size)
		for _, k := range []Kind{KindDBChunk, KindDocument} {
			id, err := v.PutObject(k, pt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.GetObject(k, id)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("size %d kind %d: got %d bytes, %v", size, k, len(got), err)
			}
			// Stored where the layout says, encrypted.
			path := filepath.Join(dir, ObjectsDir, k.dir(), id.String()[:2], id.String())
			b := readFile(t, path)
			if len(b) != 8+1+24+size+16 || string(b[:8]) != objectMagic || b[8] != byte(k) {
				t.Fatalf("object file %s: %d bytes, header %q", path, len(b), b[:9])
			}
			if size >= 16 && bytes.Contains(b, pt[:16]) {
				t.Fatal("object file contains plaintext")
			}
			// The id asked for under the other kind names no object.
			other := KindDocument
			if k == KindDocument {
				other = KindDBChunk
			}
			if _, err := v.GetObject(other, id); !errors.Is(err, ErrDamaged) {
				t.Fatalf("GetObject under the other kind: %v", err)
			}
		}
	}
	// Kind is part of the id.
	a, _ := v.PutObject(KindDBChunk, []byte("same"))
	b, _ := v.PutObject(KindDocument, []byte("same"))
	if a == b {
		t.Fatal("the same content has the same id under two kinds")
	}
}

func TestObjectDedup(t *testing.T) {
	t.Parallel()
	v, dir, _ := newVault(t)
	pt := []byte("client intake answers")
	id1, err := v.PutObject(KindDocument, pt)
	if err != nil {
		t.Fatal(err)
	}
	path := v.objectPath(KindDocument, id1)
	first := readFile(t, path)
	id2, err := v.PutObject(KindDocument, bytes.Clone(pt))
	if err != nil {
		t.Fatal(err)
	}
	if id1 != id2 {
		t.Fatal("same content, different ids")
	}
	// Not written again: same bytes (a rewrite would have a new nonce).
	if !bytes.Equal(first, readFile(t, path)) {
		t.Fatal("an existing object was rewritten")
	}
	n := 0
	for name := range hashDir(t, filepath.Join(dir, ObjectsDir)) {
		if strings.Count(name, "/") == 2 {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d object files, want 1", n)
	}
	id3, _ := v.PutObject(KindDocument, []byte("client intake answerz"))
	if id3 == id1 {
		t.Fatal("different content, same id")
	}

	// Ids are keyed: another vault names the same content differently, and
	// cannot read this vault's object even when it is copied across.
	w, wdir, _ := newVault(t)
	idw, err := w.PutObject(KindDocument, pt)
	if err != nil {
		t.Fatal(err)
	}
	if idw == id1 {
		t.Fatal("two vaults give the same id to the same content")
	}
	foreign := w.objectPath(KindDocument, id1)
	os.MkdirAll(filepath.Dir(foreign), 0o700)
	writeFile(t, foreign, first)
	_, err = w.GetObject(KindDocument, id1)
	wantDamaged(t, err, filepath.Join(wdir, ObjectsDir, "doc", id1.String()[:2], id1.String()))
}

func TestIDText(t *testing.T) {
	t.Parallel()
	var id ID
	for i := range id {
		id[i] = byte(i * 7)
	}
	b, _ := id.MarshalText()
	var back ID
	if err := back.UnmarshalText(b); err != nil || back != id {
		t.Fatalf("round trip: %v %v", back, err)
	}
	for _, bad := range []string{"", "00", strings.Repeat("g", 64), strings.Repeat("0", 63), strings.Repeat("0", 65)} {
		if err := back.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("UnmarshalText(%q) accepted", bad)
		}
	}
}

func TestCheckpointSizes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sizes := []int{0, 1, 4096, ChunkSize - 1, ChunkSize, ChunkSize + 1, 1 << 20, 1<<20 + 12345}
	v, dir, _ := newVault(t)
	for _, size := range sizes {
		image := detRand(uint64(size)+1, size)
		meta := json.RawMessage(fmt.Sprintf(`{"size":%d}`, size))
		if err := v.WriteCheckpoint(ctx, image, meta); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		want := (size + ChunkSize - 1) / ChunkSize
		if got := len(chunkFiles(t, dir)); got != want {
			t.Fatalf("size %d: %d chunk files, want %d", size, got, want)
		}
		v = reopen(t, v)
		img, cp := load(t, v)
		if cp == nil {
			t.Fatalf("size %d: no checkpoint after reopen", size)
		}
		// An empty image loads as empty but present: cp != nil tells it
		// from a vault that was never checkpointed.
		if !bytes.Equal(img, image) || img == nil {
			t.Fatalf("size %d: loaded %d bytes (nil=%v)", size, len(img), img == nil)
		}
		if cp.ImageSize != int64(size) || len(cp.Chunks) != want || cp.ChunkSize != ChunkSize ||
			string(cp.Meta) != string(meta) || cp.Format != manifestFormat || cp.LogGen != cp.Seq {
			t.Fatalf("size %d: checkpoint %+v", size, cp)
		}
		if cur := v.Current(); cur == nil || cur.Seq != cp.Seq {
			t.Fatalf("Current() = %+v", cur)
		}
	}
}

func TestNeverCheckpointed(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	// Create writes an empty seq-0 checkpoint, so a fresh vault has one.
	img, cp, err := v.LoadCheckpoint(context.Background())
	if err != nil || len(img) != 0 || cp == nil || cp.Seq != 0 || cp.LogGen != 0 || len(cp.Chunks) != 0 || v.Current() != cp {
		t.Fatalf("fresh vault: %v %+v %v", img, cp, err)
	}
	recs, err := v.ReadLog()
	if err != nil || recs != nil {
		t.Fatalf("fresh vault log: %q %v", recs, err)
	}
	// Records before the first checkpoint go to generation 0.
	if err := v.AppendLog([]byte("early")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(v.logPath(0)); err != nil {
		t.Fatal(err)
	}
	v = reopen(t, v)
	load(t, v)
	if recs, err := v.ReadLog(); err != nil || len(recs) != 1 || string(recs[0]) != "early" {
		t.Fatalf("gen 0 log after reopen: %q %v", recs, err)
	}
}

func TestCheckpointIncremental(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, dir, _ := newVault(t)
	image := detRand(7, 1<<20) // 16 chunks
	if err := v.WriteCheckpoint(ctx, image, nil); err != nil {
		t.Fatal(err)
	}
	before := hashDir(t, dir)
	chunksBefore := chunkFiles(t, dir)
	if len(chunksBefore) != 16 {
		t.Fatalf("%d chunks", len(chunksBefore))
	}

	// Same process: one byte changed in chunk 5.
	image[5*ChunkSize+100] ^= 0xff
	if err := v.WriteCheckpoint(ctx, image, nil); err != nil {
		t.Fatal(err)
	}
	after := hashDir(t, dir)
	d := diffHashes(before, after, func(n string) bool { return n == ManifestFile || !strings.HasPrefix(n, ObjectsDir+"/") })
	parts := strings.Split(d, ", ")
	var added, removed int
	for _, p := range parts {
		switch {
		case strings.HasPrefix(p, "added ") && strings.Count(p, "/") == 3:
			added++
		case strings.HasPrefix(p, "removed ") && strings.Count(p, "/") == 3:
			removed++
		case strings.HasPrefix(p, "changed "):
			t.Fatalf("an object file was rewritten: %s", p)
		}
	}
	if added != 1 || removed != 1 {
		t.Fatalf("one changed byte: %d objects added, %d removed (%s)", added, removed, d)
	}
	if len(chunkFiles(t, dir)) != 16 {
		t.Fatal("chunk count changed")
	}

	// After a reopen the fingerprints come from LoadCheckpoint.
	v = reopen(t, v)
	img, _ := load(t, v)
	if !bytes.Equal(img, image) {
		t.Fatal("image differs after reopen")
	}
	before = hashDir(t, dir)
	image[15*ChunkSize+1] ^= 0x01
	if err := v.WriteCheckpoint(ctx, image, nil); err != nil {
		t.Fatal(err)
	}
	d = diffHashes(before, hashDir(t, dir), func(n string) bool { return !strings.HasPrefix(n, ObjectsDir+"/db/") })
	if strings.Count(d, "added ") > 2 || strings.Count(d, "removed ") > 2 || strings.Contains(d, "changed") {
		// at most one object plus its two-hex folder each way
		t.Fatalf("after reopen, one changed byte: %s", d)
	}

	// Growing and shrinking the image.
	image = append(image, detRand(8, ChunkSize+10)...)
	if err := v.WriteCheckpoint(ctx, image, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(chunkFiles(t, dir)); n != 18 {
		t.Fatalf("grown image: %d chunks, want 18", n)
	}
	image = image[:3*ChunkSize+5]
	if err := v.WriteCheckpoint(ctx, image, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(chunkFiles(t, dir)); n != 4 {
		t.Fatalf("shrunk image: %d chunks, want 4", n)
	}
	// Shrinking to exactly the old chunk boundary reuses full chunks.
	image = image[:3*ChunkSize]
	if err := v.WriteCheckpoint(ctx, image, nil); err != nil {
		t.Fatal(err)
	}
	v = reopen(t, v)
	if img, _ := load(t, v); !bytes.Equal(img, image) {
		t.Fatal("image differs after shrink")
	}
	if n := len(chunkFiles(t, dir)); n != 3 {
		t.Fatalf("after shrink to a boundary: %d chunks, want 3", n)
	}

	// Identical content in two chunks is stored once.
	same := bytes.Repeat(detRand(9, ChunkSize), 3)
	if err := v.WriteCheckpoint(ctx, same, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(chunkFiles(t, dir)); n != 1 {
		t.Fatalf("three equal chunks: %d files, want 1", n)
	}
	v = reopen(t, v)
	if img, _ := load(t, v); !bytes.Equal(img, same) {
		t.Fatal("image of equal chunks differs")
	}
}

func TestCheckpointSeqAndLogRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, dir, _ := newVault(t)
	for i := 0; i < 3; i++ {
		if err := v.AppendLog([]byte(fmt.Sprintf("r%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if v.LogSize() != int64(logHeaderLen+3*(recordHdrLen+24+2+16)) {
		t.Fatalf("LogSize = %d", v.LogSize())
	}
	for seq := uint64(1); seq <= 3; seq++ {
		if err := v.WriteCheckpoint(ctx, []byte{byte(seq)}, nil); err != nil {
			t.Fatal(err)
		}
		if cp := v.Current(); cp.Seq != seq || cp.LogGen != seq {
			t.Fatalf("checkpoint %d: %+v", seq, cp)
		}
		if v.LogSize() != 0 {
			t.Fatalf("LogSize after checkpoint = %d", v.LogSize())
		}
		entries, _ := os.ReadDir(filepath.Join(dir, LogDir))
		if len(entries) != 0 {
			t.Fatalf("log files after checkpoint %d: %v", seq, entries)
		}
		if recs, err := v.ReadLog(); err != nil || len(recs) != 0 {
			t.Fatalf("ReadLog after checkpoint: %q %v", recs, err)
		}
		if err := v.AppendLog([]byte("after")); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, LogDir, fmt.Sprintf("%016x.log", seq))); err != nil {
			t.Fatalf("log of generation %d: %v", seq, err)
		}
	}
	v = reopen(t, v)
	_, cp := load(t, v)
	recs, err := v.ReadLog()
	if err != nil || cp.Seq != 3 || len(recs) != 1 || string(recs[0]) != "after" {
		t.Fatalf("after reopen: seq %d, %q, %v", cp.Seq, recs, err)
	}
}

func TestLogRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, _, _ := newVault(t)
	if err := v.WriteCheckpoint(ctx, []byte("base"), nil); err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for i := 0; i < 50; i++ {
		rec := detRand(uint64(i), i*37)
		want = append(want, rec)
		if err := v.AppendLog(rec); err != nil {
			t.Fatal(err)
		}
	}
	check := func(v *Vault, want [][]byte) {
		t.Helper()
		load(t, v)
		got, err := v.ReadLog()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d records, want %d", len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("record %d differs", i)
			}
		}
	}
	v = reopen(t, v)
	check(v, want)
	// Appending continues the sequence after a reopen.
	want = append(want, []byte("one more"))
	if err := v.AppendLog(want[len(want)-1]); err != nil {
		t.Fatal(err)
	}
	v = reopen(t, v)
	check(v, want)
	// ReadLog twice in one session gives the same records and keeps the
	// append position.
	got2, _ := v.ReadLog()
	if len(got2) != len(want) {
		t.Fatal("second ReadLog differs")
	}
	want = append(want, []byte("and another"))
	if err := v.AppendLog(want[len(want)-1]); err != nil {
		t.Fatal(err)
	}
	v = reopen(t, v)
	check(v, want)
}

// logWithRecords makes a vault with a checkpoint and the given records in
// its log, closes it, and returns its folder and the log file's path.
func logWithRecords(t *testing.T, recs ...[]byte) (string, string) {
	t.Helper()
	v, dir, _ := newVault(t)
	if err := v.WriteCheckpoint(context.Background(), []byte("base"), nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := v.AppendLog(r); err != nil {
			t.Fatal(err)
		}
	}
	path := v.logPath(v.Current().LogGen)
	v.Close()
	return dir, path
}

func TestLogTornTail(t *testing.T) {
	t.Parallel()
	recs := [][]byte{[]byte("first"), []byte("second"), bytes.Repeat([]byte("third "), 20)}
	dir, path := logWithRecords(t, recs...)
	full := readFile(t, path)
	lastLen := recordHdrLen + 24 + len(recs[2]) + 16
	boundary := len(full) - lastLen

	v := mustOpen(t, dir, fastCred(t, dir))
	load(t, v)
	// Cut 1..lastLen-1 bytes: the file ends inside the last record. Cut
	// lastLen: it ends at a record boundary, indistinguishable from two
	// records (the known limit of a torn-tail rule).
	for cut := 1; cut <= lastLen; cut++ {
		writeFile(t, path, full[:len(full)-cut])
		got, err := v.ReadLog()
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if len(got) != 2 || string(got[0]) != "first" || string(got[1]) != "second" {
			t.Fatalf("cut %d: records %q", cut, got)
		}
		if fi, _ := os.Stat(path); fi.Size() != int64(boundary) {
			t.Fatalf("cut %d: file is %d bytes, want it cut back to %d", cut, fi.Size(), boundary)
		}
		if v.LogSize() != int64(boundary) {
			t.Fatalf("cut %d: LogSize %d", cut, v.LogSize())
		}
	}
	// Appending after a cut continues cleanly.
	writeFile(t, path, full[:len(full)-7])
	if _, err := v.ReadLog(); err != nil {
		t.Fatal(err)
	}
	if err := v.AppendLog([]byte("fourth")); err != nil {
		t.Fatal(err)
	}
	v.Close()
	v = mustOpen(t, dir, fastCred(t, dir))
	load(t, v)
	got, err := v.ReadLog()
	if err != nil || len(got) != 3 || string(got[2]) != "fourth" {
		t.Fatalf("after append past a torn tail: %q %v", got, err)
	}
}

func TestLogTornHeader(t *testing.T) {
	t.Parallel()
	dir, path := logWithRecords(t, []byte("x"))
	full := readFile(t, path)
	v := mustOpen(t, dir, fastCred(t, dir))
	load(t, v)
	for n := 0; n < logHeaderLen; n++ {
		writeFile(t, path, full[:n])
		got, err := v.ReadLog()
		if err != nil || len(got) != 0 {
			t.Fatalf("log of %d bytes: %q %v", n, got, err)
		}
		if fi, _ := os.Stat(path); fi.Size() != 0 {
			t.Fatalf("log of %d bytes was not cut to 0 (%d)", n, fi.Size())
		}
	}
	// A header alone is an empty log, left as it is.
	writeFile(t, path, full[:logHeaderLen])
	if got, err := v.ReadLog(); err != nil || len(got) != 0 || v.LogSize() != logHeaderLen {
		t.Fatalf("header-only log: %q %v size %d", got, err, v.LogSize())
	}
	// A torn header is rewritten by the next append.
	writeFile(t, path, full[:10])
	v.ReadLog()
	if err := v.AppendLog([]byte("y")); err != nil {
		t.Fatal(err)
	}
	v.Close()
	v = mustOpen(t, dir, fastCred(t, dir))
	load(t, v)
	if got, err := v.ReadLog(); err != nil || len(got) != 1 || string(got[0]) != "y" {
		t.Fatalf("after rewriting a torn header: %q %v", got, err)
	}
}

// Crash leftovers: chunks of a checkpoint whose manifest was never written,
// an old generation's log, temp files. Open and load clean up the temp files
// and the older log and keep the committed state; the first checkpoint
// sweeps the chunks.
func TestCrashLeftovers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, dir, _ := newVault(t)
	if err := v.WriteCheckpoint(ctx, []byte("committed"), nil); err != nil {
		t.Fatal(err)
	}
	if err := v.AppendLog([]byte("acked")); err != nil {
		t.Fatal(err)
	}
	// A checkpoint that crashed before its manifest: its chunks are there.
	orphan, err := v.PutObject(KindDBChunk, []byte("never committed"))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := v.PutObject(KindDocument, []byte("a document")) // a crashed add's chunk: swept too
	v.Close()
	// A log of an older generation (the crash came after a manifest rename
	// but before the old log was deleted) and temp files of atomic writes.
	writeFile(t, filepath.Join(dir, LogDir, logName(0)), []byte("stale"))
	writeFile(t, filepath.Join(dir, ".tmp-0123456789ab"), []byte("partial header"))
	writeFile(t, filepath.Join(dir, LogDir, ".tmp-0123456789ab"), []byte("x"))
	objDir := filepath.Dir(chunkFiles(t, dir)[0])
	writeFile(t, filepath.Join(objDir, ".tmp-0123456789ab"), []byte("partial chunk"))

	v = mustOpen(t, dir, fastCred(t, dir))
	if _, err := os.Stat(filepath.Join(dir, ".tmp-0123456789ab")); err == nil {
		t.Fatal("Open left a temp file")
	}
	img, _ := load(t, v)
	recs, err := v.ReadLog()
	if err != nil || string(img) != "committed" || len(recs) != 1 || string(recs[0]) != "acked" {
		t.Fatalf("after crash: %q %q %v", img, recs, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, LogDir)); len(entries) != 1 || entries[0].Name() != logName(1) {
		t.Fatalf("log folder after open: %v", entries)
	}
	// Chunks are swept by this process's first checkpoint, not at open.
	if _, err := os.Stat(v.objectPath(KindDBChunk, orphan)); err != nil {
		t.Fatal("open deleted a chunk")
	}
	if err := v.WriteCheckpoint(ctx, []byte("committed"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(v.objectPath(KindDBChunk, orphan)); err == nil {
		t.Fatal("orphan chunk not swept")
	}
	if _, err := os.Stat(filepath.Join(objDir, ".tmp-0123456789ab")); err == nil {
		t.Fatal("temp object not swept")
	}
	if _, err := os.Stat(v.objectPath(KindDocument, doc)); err == nil {
		t.Fatal("orphan document chunk not swept")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, LogDir))
	if len(entries) != 0 {
		t.Fatalf("log folder after cleanup and a checkpoint: %v", entries)
	}
}

// A first checkpoint that crashed before its manifest: the seq-0 manifest,
// some chunks, the generation-0 log. The log is replayed; the orphan chunk,
// referenced by no manifest, is swept.
func TestCrashDuringFirstCheckpoint(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	if err := v.AppendLog([]byte("acked")); err != nil {
		t.Fatal(err)
	}
	orphan, _ := v.PutObject(KindDBChunk, []byte("chunk of a checkpoint that never finished"))
	v = reopen(t, v)
	img, cp := load(t, v)
	recs, err := v.ReadLog()
	if err != nil || len(img) != 0 || cp == nil || cp.Seq != 0 || len(recs) != 1 || string(recs[0]) != "acked" {
		t.Fatalf("got %q %v %q %v", img, cp, recs, err)
	}
	// Open deletes no chunk (it could belong to a newer version of the
	// folder); the next successful checkpoint cleans it up.
	if _, err := os.Stat(v.objectPath(KindDBChunk, orphan)); err != nil {
		t.Fatal("open deleted an unreferenced chunk")
	}
	if err := v.WriteCheckpoint(context.Background(), []byte("now"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(v.objectPath(KindDBChunk, orphan)); err == nil {
		t.Fatal("orphan chunk survived this process's first checkpoint")
	}
}

// A lost manifest is damage, not an empty vault: the redo log of a later
// generation proves one existed. Nothing is deleted.
func TestMissingManifest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, dir, _ := newVault(t)
	if err := v.WriteCheckpoint(ctx, detRand(1, 100_000), nil); err != nil {
		t.Fatal(err)
	}
	if err := v.AppendLog([]byte("acked")); err != nil {
		t.Fatal(err)
	}
	v.Close()
	os.Remove(filepath.Join(dir, ManifestFile))
	before := hashDir(t, dir)
	v = mustOpen(t, dir, fastCred(t, dir))
	_, _, err := v.LoadCheckpoint(ctx)
	wantDamaged(t, err, filepath.Join(dir, ManifestFile))
	v.Close()
	if d := diffHashes(before, hashDir(t, dir), func(n string) bool { return n == LockFile }); d != "" {
		t.Fatalf("loading a vault without its manifest changed it: %s", d)
	}
}

func TestPin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, _, _ := newVault(t)
	if cp, release := v.Pin(); cp != nil {
		t.Fatal("Pin before any checkpoint returned a checkpoint")
	} else {
		release()
	}
	img1 := detRand(1, 2*ChunkSize)
	if err := v.WriteCheckpoint(ctx, img1, nil); err != nil {
		t.Fatal(err)
	}
	cp1, release := v.Pin()
	if err := v.WriteCheckpoint(ctx, detRand(2, 2*ChunkSize), nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range cp1.Chunks {
		if _, err := v.GetObject(KindDBChunk, id); err != nil {
			t.Fatalf("pinned chunk gone: %v", err)
		}
	}
	release()
	v = reopen(t, v)
	load(t, v)
	// The first checkpoint of a process sweeps what no manifest or pin needs.
	if err := v.WriteCheckpoint(ctx, detRand(2, 2*ChunkSize), nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range cp1.Chunks {
		if _, err := os.Stat(v.objectPath(KindDBChunk, id)); err == nil {
			t.Fatal("released chunk survived the sweep")
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, _, _ := newVault(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			// Held by a batch: a checkpoint's sweep removes document
			// objects that nothing names or holds.
			b := v.NewBatch()
			defer b.Release()
			for i := 0; i < 10; i++ {
				id, err := b.Put(KindDocument, []byte(fmt.Sprint(g, i)))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := v.GetObject(KindDocument, id); err != nil {
					t.Error(err)
				}
				if err := v.AppendLog([]byte(fmt.Sprint(g, i))); err != nil {
					t.Error(err)
				}
				if _, err := v.MAC("audit", []byte{byte(i)}); err != nil {
					t.Error(err)
				}
				if i%5 == 0 {
					if err := v.WriteCheckpoint(ctx, []byte(fmt.Sprint(g, i)), nil); err != nil {
						t.Error(err)
					}
				}
				v.Info()
				v.LogSize()
			}
		}(g)
	}
	wg.Wait()
}

// Regression: vaults opened and closed concurrently. memguard.Purge (run
// when the last open vault closes) used to unmap the key buffers of a
// Create or Open still in progress, which crashed with SIGSEGV.
func TestConcurrentCreateClose(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2; i++ {
				dir := filepath.Join(base, fmt.Sprintf("v%d-%d", g, i))
				v, rk, err := Create(dir, testPass, testOpts())
				if err != nil {
					t.Error(err)
					return
				}
				recoveryOf.Store(dir, rk)
				if _, err := v.MAC("x", []byte("y")); err != nil {
					t.Errorf("MAC right after Create: %v", err)
				}
				v.Close()
				v, err = Open(dir, fastCred(t, dir))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := v.PutObject(KindDocument, []byte("z")); err != nil {
					t.Errorf("PutObject right after Open: %v", err)
				}
				v.Close()
			}
		}(g)
	}
	wg.Wait()
}

// Regression: MAC used the key enclave after dropping the mutex, racing
// with Close (a data race, and a use of a buffer Purge may unmap).
func TestMACRacesClose(t *testing.T) {
	t.Parallel()
	for i := 0; i < 5; i++ {
		v, _, _ := newVault(t)
		started := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for j := 0; ; j++ {
				_, err := v.MAC("audit", []byte("entry"))
				if j == 0 {
					close(started)
				}
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
		<-started
		v.Close()
		<-done
	}
}

func TestWithMACEqualsMAC(t *testing.T) {
	v, _, _ := newVault(t)
	want, err := v.MAC("audit", []byte("prev"), []byte("entry"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := v.MAC("other", []byte("prev"), []byte("entry"))
	err = v.WithMAC("audit", func(newMAC func() hash.Hash) error {
		m := newMAC()
		m.Write([]byte("prev"))
		m.Write([]byte("entry"))
		if got := m.Sum(nil); !bytes.Equal(got, want) || bytes.Equal(got, other) {
			t.Errorf("WithMAC gives %x, MAC gives %x", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if err := v.WithMAC("audit", func(func() hash.Hash) error { return nil }); err != ErrClosed {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}
