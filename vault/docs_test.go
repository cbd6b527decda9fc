package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// raceEnabled: the test binary was built with -race, which makes the
// chunker and the (pure Go on amd64) ChaCha20 many times slower: the large
// documents shrink then (the full sizes run without -race, in make check).
var raceEnabled = func() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}()

// bigDoc is the size of the "large" documents of the normal tests.
func bigDoc() int {
	if raceEnabled {
		return 6 << 20
	}
	return 20 << 20
}

// testPol is a fixed chunking polynomial (restic's chunker tests use it),
// so that the cuts are the same on every run.
const testPol = 0x3DA3358B4DC173

// writeDoc stores data through a new batch, syncs and releases it.
func writeDoc(t testing.TB, v *Vault, data []byte) (*DocumentWrite, *ObjectBatch) {
	t.Helper()
	b := v.NewBatch()
	dw, err := b.WriteDocument(context.Background(), bytes.NewReader(data), testPol)
	if err != nil {
		t.Fatalf("WriteDocument: %v", err)
	}
	if err := b.Sync(context.Background()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	b.Release()
	return dw, b
}

func readDoc(t testing.TB, v *Vault, dw *DocumentWrite) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := v.ReadDocument(context.Background(), dw.Chunks, dw.SHA256, &out); err != nil {
		t.Fatalf("ReadDocument: %v", err)
	}
	return out.Bytes()
}

func docRefs(dw *DocumentWrite) []ObjectRef {
	var out []ObjectRef
	seen := map[ID]bool{}
	for _, c := range dw.Chunks {
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, ObjectRef{KindDocument, c.ID})
		}
	}
	return out
}

func TestDocumentRoundTrip(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	random := detRand(13, bigDoc())
	zeros := make([]byte, 3*DocChunkMin+1)         // cut at every DocChunkMin
	ones := bytes.Repeat([]byte{1}, DocChunkMax+1) // never cut: DocChunkMax
	cases := []struct {
		name  string
		data  []byte
		sizes []int // the chunk sizes expected, when they are known
	}{
		{"empty", nil, []int{}},
		{"one byte", []byte{7}, []int{1}},
		{"min-1", zeros[:DocChunkMin-1], []int{DocChunkMin - 1}},
		{"min", zeros[:DocChunkMin], []int{DocChunkMin}},
		{"min+1", zeros[:DocChunkMin+1], []int{DocChunkMin, 1}},
		{"3min+1", zeros, []int{DocChunkMin, DocChunkMin, DocChunkMin, 1}},
		{"avg-1", random[:DocChunkAvg-1], nil},
		{"avg+1", random[:DocChunkAvg+1], nil},
		{"max-1", ones[:DocChunkMax-1], []int{DocChunkMax - 1}},
		{"max", ones[:DocChunkMax], []int{DocChunkMax}},
		{"max+1", ones, []int{DocChunkMax, 1}},
		{"random", random, nil},
	}
	for _, c := range cases {
		if raceEnabled && (c.name == "max-1" || c.name == "max") {
			continue // 8 MiB each: slow under -race; max+1 cuts at the maximum
		}
		dw, _ := writeDoc(t, v, c.data)
		if dw.Size != int64(len(c.data)) || dw.SHA256 != sha256.Sum256(c.data) {
			t.Fatalf("%s: size %d, sha %x", c.name, dw.Size, dw.SHA256)
		}
		var sizes []int
		var total int64
		for _, ch := range dw.Chunks {
			sizes = append(sizes, int(ch.Size))
			total += int64(ch.Size)
			if ch.Size > DocChunkMax {
				t.Fatalf("%s: a chunk of %d bytes", c.name, ch.Size)
			}
		}
		if total != dw.Size {
			t.Fatalf("%s: chunks add up to %d of %d", c.name, total, dw.Size)
		}
		if c.sizes != nil && fmt.Sprint(sizes) != fmt.Sprint(c.sizes) {
			t.Fatalf("%s: chunk sizes %v, want %v", c.name, sizes, c.sizes)
		}
		if c.name == "random" && (len(sizes) < len(c.data)/(4<<20) || len(sizes) > len(c.data)/DocChunkMin) {
			t.Fatalf("%d bytes in %d chunks (1.5 MiB each expected): %v", len(c.data), len(sizes), sizes)
		}
		if got := readDoc(t, v, dw); !bytes.Equal(got, c.data) {
			t.Fatalf("%s: read back %d bytes, not what was written", c.name, len(got))
		}
	}
}

// The same content twice is stored once; a 4 KiB change in 20 MB stores
// about one chunk.
func TestDocumentDedup(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	data := detRand(21, bigDoc())
	first, b1 := writeDoc(t, v, data)
	if n, bytes := b1.Written(); n != len(docRefs(first)) || bytes < int64(len(data)) {
		t.Fatalf("first write: %d objects, %d bytes", n, bytes)
	}
	again, b2 := writeDoc(t, v, data)
	if n, bytes := b2.Written(); n != 0 || bytes != 0 {
		t.Fatalf("same content again wrote %d objects, %d bytes", n, bytes)
	}
	if fmt.Sprint(again.Chunks) != fmt.Sprint(first.Chunks) {
		t.Fatal("same content, other chunks")
	}
	// One page changed: the chunk that holds it is stored again, and at
	// most its neighbour (a cut inside the change can fall less than
	// DocChunkMin before the next old cut, which the chunker then skips).
	for _, at := range []int{5 << 20, len(data) / 2} {
		changed := bytes.Clone(data)
		copy(changed[at:], detRand(uint64(at), 4096))
		dw, b3 := writeDoc(t, v, changed)
		n, written := b3.Written()
		var start, bound int64
		for i, c := range first.Chunks {
			if end := start + int64(c.Size); int64(at) < end && int64(at)+4096 > start {
				bound += docFileSize(int(c.Size))
				if i+1 < len(first.Chunks) {
					bound += docFileSize(int(first.Chunks[i+1].Size))
				}
			}
			start += int64(c.Size)
		}
		if n < 1 || n > 3 || written > bound+2*docFileSize(0) {
			t.Fatalf("a 4 KiB change at %d wrote %d objects, %d bytes (bound %d)", at, n, written, bound)
		}
		if at == 5<<20 && !raceEnabled && written > int64(len(data))/10 {
			t.Fatalf("a 4 KiB change at %d wrote %d bytes of %d", at, written, len(data))
		}
		if got := readDoc(t, v, dw); !bytes.Equal(got, changed) {
			t.Fatal("changed document read back wrong")
		}
	}
}

// A checkpoint while a batch holds objects deletes none of them, even
// objects the previous checkpoint named and the new one does not; once the
// batch is released, a checkpoint deletes those no checkpoint names.
func TestCheckpointKeepsHeld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, _, _ := newVault(t)
	load(t, v)
	old, _ := writeDoc(t, v, detRand(31, 3<<20))
	if err := v.WriteCheckpoint(ctx, []byte("one"), nil, docRefs(old)...); err != nil {
		t.Fatal(err)
	}
	b := v.NewBatch()
	// A new version reuses the old chunks (Put finds them) and a restore
	// holds them (Hold); new content is written.
	if _, err := b.WriteDocument(ctx, bytes.NewReader(detRand(31, 3<<20)), testPol); err != nil {
		t.Fatal(err)
	}
	fresh, err := b.WriteDocument(ctx, bytes.NewReader(detRand(32, 2<<20)), testPol)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Hold(docRefs(old)...); err != nil {
		t.Fatal(err)
	}
	if err := b.Hold(ObjectRef{KindDocument, ID{9}}); !errors.Is(err, ErrDamaged) {
		t.Fatalf("Hold of a missing object: %v", err)
	}
	// The old document is deleted (the checkpoint no longer names it) and
	// a backup's checkpoint... every checkpoint runs its sweep too.
	for i := range 2 {
		if i == 1 {
			v.mu.Lock()
			v.swept = false // the first checkpoint of a process sweeps everything
			v.mu.Unlock()
		}
		if err := v.WriteCheckpoint(ctx, []byte("two"), nil); err != nil {
			t.Fatal(err)
		}
		for _, r := range append(docRefs(old), docRefs(fresh)...) {
			if _, err := os.Stat(v.objectPath(r.Kind, r.ID)); err != nil {
				t.Fatalf("checkpoint %d deleted a held object: %v", i, err)
			}
		}
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	b.Release()
	b.Release() // idempotent
	if _, err := b.Put(KindDocument, []byte("late")); !errors.Is(err, ErrBatchReleased) {
		t.Fatalf("Put after Release: %v", err)
	}
	// The fresh document committed (named by the checkpoint); the old one
	// did not come back: it goes now.
	if err := v.WriteCheckpoint(ctx, []byte("three"), nil, docRefs(fresh)...); err != nil {
		t.Fatal(err)
	}
	for _, r := range docRefs(old) {
		if _, err := os.Stat(v.objectPath(r.Kind, r.ID)); err == nil {
			t.Fatal("an object no checkpoint names stayed after its batch was released")
		}
	}
	if got := readDoc(t, v, fresh); !bytes.Equal(got, detRand(32, 2<<20)) {
		t.Fatal("committed document lost")
	}
	// A released batch whose operation never committed: its objects go at
	// the next checkpoint.
	lost, _ := writeDoc(t, v, detRand(33, 1<<20))
	if err := v.WriteCheckpoint(ctx, []byte("four"), nil, docRefs(fresh)...); err != nil {
		t.Fatal(err)
	}
	for _, r := range docRefs(lost) {
		if _, err := os.Stat(v.objectPath(r.Kind, r.ID)); err == nil {
			t.Fatal("an uncommitted batch's object stayed")
		}
	}
}

// A crashed add leaves chunks no manifest names: the next process's first
// checkpoint sweeps them, but not those a live batch holds.
func TestDocumentOrphanSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, dir, _ := newVault(t)
	load(t, v)
	kept, _ := writeDoc(t, v, detRand(41, 1<<20))
	if err := v.WriteCheckpoint(ctx, []byte("img"), nil, docRefs(kept)...); err != nil {
		t.Fatal(err)
	}
	b := v.NewBatch()
	orphan, err := b.WriteDocument(ctx, bytes.NewReader(detRand(42, 1<<20)), testPol)
	if err != nil {
		t.Fatal(err)
	}
	// The crash: the batch never commits nor releases; a temp file too.
	v = reopen(t, v)
	tmp := filepath.Join(filepath.Dir(v.objectPath(KindDocument, orphan.Chunks[0].ID)), ".tmp-0123456789ab")
	writeFile(t, tmp, []byte("partial"))
	load(t, v)
	held := v.NewBatch()
	live, err := held.WriteDocument(ctx, bytes.NewReader(detRand(43, 1<<20)), testPol)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.WriteCheckpoint(ctx, []byte("img"), nil, docRefs(kept)...); err != nil {
		t.Fatal(err)
	}
	for _, r := range docRefs(orphan) {
		if _, err := os.Stat(v.objectPath(r.Kind, r.ID)); err == nil {
			t.Fatal("orphan document chunk not swept")
		}
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Fatal("the sweep removed a temporary file while a batch was writing")
	}
	if got := readDoc(t, v, kept); !bytes.Equal(got, detRand(41, 1<<20)) {
		t.Fatal("named document lost")
	}
	if got := readDoc(t, v, live); !bytes.Equal(got, detRand(43, 1<<20)) {
		t.Fatal("held document swept")
	}
	held.Release()
	_ = dir
}

func TestDocumentDamage(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	data := detRand(51, 8<<20)
	dw, _ := writeDoc(t, v, data)
	if len(dw.Chunks) < 3 {
		t.Fatalf("%d chunks", len(dw.Chunks))
	}
	i := 1
	path := v.objectPath(KindDocument, dw.Chunks[i].ID)
	orig := readFile(t, path)
	off := int64(dw.Chunks[0].Size)
	check := func(what string, wantReason string) {
		t.Helper()
		err := v.ReadDocument(context.Background(), dw.Chunks, dw.SHA256, io.Discard)
		var de *DocumentDamagedError
		if !errors.As(err, &de) || de.Index != i || de.Offset != off || de.Path != path || !errors.Is(err, ErrDamaged) {
			t.Fatalf("%s: %v (%+v)", what, err, de)
		}
		if !strings.Contains(err.Error(), wantReason) || !strings.Contains(err.Error(), fmt.Sprint(off)) {
			t.Fatalf("%s: message %q", what, err)
		}
	}
	writeFile(t, path, flipped(orig, len(orig)/2, 1))
	check("tampered", "authentication failed")
	writeFile(t, path, orig[:len(orig)-100])
	check("truncated", "the document expects")
	os.Remove(path)
	check("missing", "missing")
	// Another chunk's object under this name (swapped files).
	writeFile(t, path, readFile(t, v.objectPath(KindDocument, dw.Chunks[2].ID)))
	check("swapped", "")
	writeFile(t, path, orig)
	// A wrong recorded hash: every chunk intact, the whole not.
	bad := dw.SHA256
	bad[0] ^= 1
	err := v.ReadDocument(context.Background(), dw.Chunks, bad, io.Discard)
	var de *DocumentDamagedError
	if !errors.As(err, &de) || de.Index != -1 || !errors.Is(err, ErrDamaged) {
		t.Fatalf("hash mismatch: %v", err)
	}
	// A chunk list with a wrong length for an intact object.
	chunks := append([]Chunk(nil), dw.Chunks...)
	chunks[1].Size--
	if err := v.ReadDocument(context.Background(), chunks, [32]byte{}, io.Discard); !errors.As(err, &de) || de.Index != 1 {
		t.Fatalf("wrong length: %v", err)
	}
	if got := readDoc(t, v, dw); !bytes.Equal(got, data) {
		t.Fatal("restored object does not read")
	}
}

// A file of the wrong length under an object's name (a crash before its
// data reached the disk) is written again, not reused.
func TestPutRewritesWrongLength(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	dw, _ := writeDoc(t, v, detRand(61, 1<<20))
	path := v.objectPath(KindDocument, dw.Chunks[0].ID)
	orig := readFile(t, path)
	writeFile(t, path, orig[:4096])
	again, b := writeDoc(t, v, detRand(61, 1<<20))
	if n, _ := b.Written(); n != 1 {
		t.Fatalf("rewrote %d objects, want 1", n)
	}
	if got := readDoc(t, v, again); !bytes.Equal(got, detRand(61, 1<<20)) {
		t.Fatal("rewritten document does not read back")
	}
	// Put alike, for a small object.
	b2 := v.NewBatch()
	defer b2.Release()
	id, err := b2.Put(KindDocument, []byte("small"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, v.objectPath(KindDocument, id), []byte("CVOBJ001"))
	if _, err := b2.Put(KindDocument, []byte("small")); err != nil {
		t.Fatal(err)
	}
	if pt, err := v.GetObject(KindDocument, id); err != nil || string(pt) != "small" {
		t.Fatalf("after rewrite: %q %v", pt, err)
	}
	if _, err := b2.Put(KindDBChunk, []byte("x")); err == nil {
		t.Fatal("Put of a database chunk accepted")
	}
}

// A full disk: the write fails, nothing is left under the object's name
// (nor a temporary file), and errors.Is finds ENOSPC.
func TestPutDiskFull(t *testing.T) {
	t.Parallel()
	v, f := newFaultyVault(t)
	f.setWrite(func(string) error { return syscall.ENOSPC })
	b := v.NewBatch()
	defer b.Release()
	_, err := b.WriteDocument(context.Background(), bytes.NewReader(detRand(71, 3<<20)), testPol)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("WriteDocument on a full disk: %v", err)
	}
	_, err = b.Put(KindDocument, []byte("x"))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Put on a full disk: %v", err)
	}
	err = filepath.WalkDir(filepath.Join(v.Dir(), ObjectsDir, "doc"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			return fmt.Errorf("left %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := b.Written(); n != 0 {
		t.Fatalf("counted %d objects written", n)
	}
	// An fsync that fails fails Sync, which can be tried again.
	f.setWrite(nil)
	if _, err := b.Put(KindDocument, []byte("x")); err != nil {
		t.Fatal(err)
	}
	f.setFsync(func(string) error { return syscall.EIO })
	if err := b.Sync(context.Background()); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Sync with a failing fsync: %v", err)
	}
	f.setFsync(nil)
	if err := b.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWriteDocumentCancel(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := v.NewBatch()
	defer b.Release()
	if _, err := b.WriteDocument(ctx, bytes.NewReader(detRand(81, 2<<20)), testPol); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := b.WriteDocument(context.Background(), bytes.NewReader(nil), 12345); err == nil {
		t.Fatal("an invalid polynomial was accepted")
	}
	boom := errors.New("boom")
	if _, err := b.WriteDocument(context.Background(), io.MultiReader(bytes.NewReader(detRand(82, 3<<20)), errReader{boom}), testPol); !errors.Is(err, boom) {
		t.Fatalf("read error: %v", err)
	}
	// Released while it writes (a caller that gave up): the rest fails.
	b2 := v.NewBatch()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := b2.WriteDocument(context.Background(), pr, testPol)
		done <- err
	}()
	pw.Write(detRand(83, 2<<20))
	b2.Release()
	go func() { pw.Write(detRand(84, 4<<20)); pw.Close() }()
	if err := <-done; !errors.Is(err, ErrBatchReleased) {
		t.Fatalf("WriteDocument released meanwhile: %v", err)
	}
	pr.Close() // the writer above may still wait for a reader
	p, err := NewPolynomial()
	if err != nil || checkPolynomial(p) != nil {
		t.Fatalf("NewPolynomial: %#x %v", p, err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Puts of many batches racing checkpoints that name none of their objects:
// nothing held is deleted.
func TestBatchesRaceCheckpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, _, _ := newVault(t)
	load(t, v)
	var ckpt, wg sync.WaitGroup
	stop := make(chan struct{})
	ckpt.Add(1)
	go func() {
		defer ckpt.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%3 == 0 {
				v.mu.Lock()
				v.swept = false
				v.mu.Unlock()
			}
			if err := v.WriteCheckpoint(ctx, []byte("img"), nil); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 3 {
				b := v.NewBatch()
				var ids []ID
				for i := range 10 {
					// Shared content across goroutines: found and written.
					id, err := b.Put(KindDocument, fmt.Appendf(nil, "object %d %d", i, (g+round)%3))
					if err != nil {
						errs <- err
						return
					}
					ids = append(ids, id)
				}
				for _, id := range ids {
					if _, err := v.GetObject(KindDocument, id); err != nil {
						errs <- fmt.Errorf("a held object went: %w", err)
						return
					}
				}
				b.Release()
			}
		}()
	}
	wg.Wait()
	close(stop)
	ckpt.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A data key rotation re-puts document chunks one at a time (Reput of kind
// 2): the document reads back under its new ids after the switch, the old
// objects are gone, and the old key's ids no longer read. A batch holding
// objects, or a read running, holds the rotation off; a rotation in progress
// holds off batches and reads.
func TestRotateDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newRotFixture(t, testOpts())
	v := f.v
	data := detRand(91, 3<<20)
	dw, _ := writeDoc(t, v, data)
	refs := append([]ObjectRef{{KindAuditSegment, f.seg}}, docRefs(dw)...)
	if err := v.WriteCheckpoint(ctx, f.image, nil, refs...); err != nil {
		t.Fatal(err)
	}

	b := v.NewBatch()
	if _, err := b.Put(KindDocument, []byte("in flight")); err != nil {
		t.Fatal(err)
	}
	if _, err := v.BeginRotation(); !errors.Is(err, ErrDocumentsBusy) {
		t.Fatalf("BeginRotation while a batch holds objects: %v", err)
	}
	b.Release()

	r, err := v.BeginRotation()
	if err != nil {
		t.Fatal(err)
	}
	b = v.NewBatch()
	if _, err := b.Put(KindDocument, []byte("during")); !errors.Is(err, ErrKeyChanging) {
		t.Fatalf("Put during a rotation: %v", err)
	}
	if _, err := b.WriteDocument(ctx, bytes.NewReader(data), testPol); !errors.Is(err, ErrKeyChanging) {
		t.Fatalf("WriteDocument during a rotation: %v", err)
	}
	if err := b.Hold(docRefs(dw)...); !errors.Is(err, ErrKeyChanging) {
		t.Fatalf("Hold during a rotation: %v", err)
	}
	if err := v.ReadDocument(ctx, dw.Chunks, dw.SHA256, io.Discard); !errors.Is(err, ErrKeyChanging) {
		t.Fatalf("ReadDocument during a rotation: %v", err)
	}
	b.Release()
	newSeg, err := r.Reput(KindAuditSegment, f.seg)
	if err != nil {
		t.Fatal(err)
	}
	newRefs := []ObjectRef{{KindAuditSegment, newSeg}}
	chunks := make([]Chunk, len(dw.Chunks))
	for i, c := range dw.Chunks {
		nid, err := r.Reput(KindDocument, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if nid == c.ID {
			t.Fatal("a re-put chunk kept its id under the new key")
		}
		chunks[i] = Chunk{nid, c.Size}
	}
	newDoc := &DocumentWrite{Chunks: chunks, Size: dw.Size, SHA256: dw.SHA256}
	newRefs = append(newRefs, docRefs(newDoc)...)
	if _, err := r.Commit(ctx, f.newImage(), nil, newRefs...); err != nil {
		t.Fatal(err)
	}
	if got := readDoc(t, v, newDoc); !bytes.Equal(got, data) {
		t.Fatal("document after the rotation reads back wrong")
	}
	for _, c := range dw.Chunks {
		if _, err := os.Stat(v.objectPath(KindDocument, c.ID)); err == nil {
			t.Fatal("an old key's chunk stayed after the rotation")
		}
	}
	// The same content written again now dedups against the new objects.
	again, b2 := writeDoc(t, v, data)
	if n, _ := b2.Written(); n != 0 || fmt.Sprint(again.Chunks) != fmt.Sprint(chunks) {
		t.Fatalf("after the rotation, the same content wrote %d objects", n)
	}
	v = reopen(t, v)
	load(t, v)
	if got := readDoc(t, v, newDoc); !bytes.Equal(got, data) {
		t.Fatal("document after reopening reads back wrong")
	}
}

// ReadDocument running holds a rotation off (its chunk list names the old
// key's objects).
func TestRotateWaitsForReads(t *testing.T) {
	t.Parallel()
	f := newRotFixture(t, testOpts())
	dw, _ := writeDoc(t, f.v, detRand(92, 1<<20))
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- f.v.ReadDocument(context.Background(), dw.Chunks, dw.SHA256, pw) }()
	buf := make([]byte, 1)
	if _, err := pr.Read(buf); err != nil { // the read is running
		t.Fatal(err)
	}
	if _, err := f.v.BeginRotation(); !errors.Is(err, ErrDocumentsBusy) {
		t.Fatalf("BeginRotation during a read: %v", err)
	}
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r, err := f.v.BeginRotation()
	if err != nil {
		t.Fatal(err)
	}
	r.Abort()
}

// casevault check reads the document chunks a checkpoint lists, counts them
// apart from audit segments, and names a damaged one.
func TestCheckDocuments(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	load(t, v)
	dw, _ := writeDoc(t, v, detRand(95, 2<<20))
	if err := v.WriteCheckpoint(context.Background(), []byte("img"), nil, docRefs(dw)...); err != nil {
		t.Fatal(err)
	}
	rep := mustCheck(t, v)
	if !rep.OK() || rep.Documents != len(docRefs(dw)) || rep.Segments != 0 {
		t.Fatalf("report %+v", rep)
	}
	path := v.objectPath(KindDocument, dw.Chunks[0].ID)
	writeFile(t, path, flipped(readFile(t, path), 100, 1))
	rep = mustCheck(t, v)
	if rep.OK() || len(rep.Damaged) != 1 || rep.Damaged[0].File != path || rep.Damaged[0].Kind != KindDocument {
		t.Fatalf("tampered chunk: %+v", rep)
	}
}
