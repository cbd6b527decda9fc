package vault

import (
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/restic/chunker"
	"golang.org/x/crypto/chacha20poly1305"

	"casevault/vault/atomicfile"
)

// Documents (docs/FORMAT.md section 5, "Document chunks"): a document's
// bytes are cut by content-defined chunking (restic's chunker: a Rabin
// fingerprint over a 64-byte window, with a random irreducible polynomial
// made once per vault and kept by the store) into chunks of 512 KiB to
// 8 MiB, 1 MiB on average; each chunk is an object of kind KindDocument, so
// equal content, in one document or across documents and versions, is
// stored once. The store keeps each version's ordered list of chunks.
//
// The objects of an operation that commits later (an add: the chunks are
// written before the database row that names them) are written through an
// ObjectBatch, which holds them: no checkpoint deletes a held object and no
// sweep removes it, until the batch is released.

// Document chunk sizes (restic's chunker defaults; FORMAT.md section 5).
const (
	DocChunkMin = chunker.MinSize // 512 KiB: no cut before (but the last chunk)
	DocChunkAvg = 1 << 20         // 1 MiB on average (a cut where 20 bits of the fingerprint are zero)
	DocChunkMax = chunker.MaxSize // 8 MiB: a cut at the latest here
)

// maxDocWorkers bounds the chunks encrypted and written (or read and
// decrypted) at once by WriteDocument and ReadDocument.
const maxDocWorkers = 4

// docPrefix is the object file's bytes before the ciphertext: magic, kind,
// nonce. A chunk's plaintext is read into its buffer after this much room,
// so that it is sealed in place.
const docPrefix = objectHeader + chacha20poly1305.NonceSizeX

// docFileSize is the length of the object file of n bytes of plaintext.
func docFileSize(n int) int64 {
	return int64(docPrefix + n + chacha20poly1305.Overhead)
}

// Sentinel errors of documents.
var (
	// ErrDocumentsBusy: documents are being added or read, and a change of
	// the vault key would leave them under the old key.
	ErrDocumentsBusy = errors.New("documents are being added or read; change the vault key when that has finished")
	// ErrKeyChanging: the vault key is being changed; documents cannot be
	// added or read meanwhile.
	ErrKeyChanging = errors.New("the vault key is being changed; try again when that has finished")
	// ErrBatchReleased: the batch was released; it writes nothing more.
	ErrBatchReleased = errors.New("the batch of objects was released")
)

// Chunk is one chunk of a document: its object (KindDocument) and plaintext length.
type Chunk struct {
	ID   ID
	Size uint32
}

// DocumentDamagedError says which chunk of a document could not be read
// back intact. Index is -1 when every chunk was intact but the whole did not
// match the SHA-256 recorded for it.
type DocumentDamagedError struct {
	Index  int    // the chunk's place in the document, from 0; -1: the whole
	Offset int64  // the chunk's first byte in the document
	Path   string // the chunk's object file ("" for the whole)
	Err    error  // a *DamagedError
}

func (e *DocumentDamagedError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("the document's content does not match the fingerprint recorded when it was saved: %v", e.Err)
	}
	return fmt.Sprintf("the document is damaged from byte %d on (part %d of its content, %s): %v", e.Offset, e.Index+1, e.Path, e.Err)
}

// Unwrap returns the *DamagedError.
func (e *DocumentDamagedError) Unwrap() error { return e.Err }

// ObjectBatch writes the objects of one operation that commits later (a
// document's chunks before the database row that names them). From Put (or
// Hold) until Release, no checkpoint deletes them and no sweep removes them.
// Objects are durable only after Sync. Safe for concurrent use.
type ObjectBatch struct {
	v *Vault

	// under v.mu
	held     map[ObjectRef]bool // what this batch holds (counted in v.held)
	wrote    map[ObjectRef]bool // what it wrote: deleted after Release unless a checkpoint names it
	toSync   map[string]bool    // files Put wrote or found since the last Sync
	released bool

	objects atomic.Int64
	bytes   atomic.Int64
}

// NewBatch starts a batch of objects.
func (v *Vault) NewBatch() *ObjectBatch {
	return &ObjectBatch{v: v, held: map[ObjectRef]bool{}, wrote: map[ObjectRef]bool{}, toSync: map[string]bool{}}
}

// Written says how many new object files the batch wrote, and their bytes
// on disk (objects that existed already are not counted): what an operation
// added to the vault's size.
func (b *ObjectBatch) Written() (objects int, bytes int64) {
	return int(b.objects.Load()), b.bytes.Load()
}

// usableLocked says why the batch cannot write now, if it cannot.
func (b *ObjectBatch) usableLocked() error {
	v := b.v
	switch {
	case b.released:
		return ErrBatchReleased
	case v.rotating:
		return ErrKeyChanging
	}
	return v.writableLocked()
}

// holdLocked adds ref to the batch's (and the vault's) held objects.
func (b *ObjectBatch) holdLocked(ref ObjectRef) {
	if b.held[ref] {
		return
	}
	b.held[ref] = true
	v := b.v
	if v.held == nil {
		v.held = map[ObjectRef]int{}
	}
	v.held[ref]++
}

// claimLocked holds ref (before anything is written under its name, so that
// no checkpoint or sweep deletes what this batch is about to write) and
// reports whether its file exists already with the length that size bytes
// of plaintext make. A file of another length (a crash can leave a short
// one under the final name) is written again.
func (b *ObjectBatch) claimLocked(ref ObjectRef, size int) (path string, found bool) {
	path = b.v.objectPath(ref.Kind, ref.ID)
	b.holdLocked(ref)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() && st.Size() == docFileSize(size) {
		b.toSync[path] = true // it may be another batch's, not yet synced
		return path, true
	}
	return path, false
}

// claim is claimLocked under v.mu, after checking the batch may write.
func (b *ObjectBatch) claim(ref ObjectRef, size int, gen uint64) (string, bool, error) {
	v := b.v
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := b.usableLocked(); err != nil {
		return "", false, err
	}
	if gen != v.keyGen {
		return "", false, ErrKeyChanging
	}
	path, found := b.claimLocked(ref, size)
	return path, found, nil
}

// Put stores plaintext as an object of kind k (KindDocument or
// KindAuditSegment) and holds it. It writes a temporary file and renames it
// into place, without fsync (Sync makes the batch durable). An object whose
// file exists with the expected length is not written again; one with a
// wrong length is.
func (b *ObjectBatch) Put(k Kind, plaintext []byte) (ID, error) {
	if !k.listable() {
		return ID{}, fmt.Errorf("objects of kind %d are not written in batches", k)
	}
	if len(plaintext) > maxBatchObject {
		return ID{}, fmt.Errorf("an object of %d bytes is larger than %d", len(plaintext), maxBatchObject)
	}
	v := b.v
	v.mu.Lock()
	if err := b.usableLocked(); err != nil {
		v.mu.Unlock()
		return ID{}, err
	}
	id, err := v.objectID(k, plaintext)
	if err != nil {
		v.mu.Unlock()
		return ID{}, err
	}
	ref := ObjectRef{k, id}
	path, found := b.claimLocked(ref, len(plaintext))
	var sealed []byte
	if !found {
		err = v.keys.withAEAD(func(a cipher.AEAD) error {
			var err error
			sealed, err = sealObject(a, v.hdr.VaultID, k, id, plaintext)
			return err
		})
	}
	v.mu.Unlock()
	if err != nil || found {
		return id, err
	}
	return id, b.write(ref, path, sealed)
}

// maxBatchObject bounds what Put takes: a document chunk is at most
// DocChunkMax; an audit segment far less.
const maxBatchObject = 64 << 20

// write puts data under path (temporary file, rename; no fsync) and counts
// it. A failure (a full disk) leaves nothing under path's name but what was
// there before.
func (b *ObjectBatch) write(ref ObjectRef, path string, data []byte) error {
	v := b.v
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating object folder: %w", err)
		}
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	tmp := filepath.Join(dir, atomicfile.TempPrefix+hex.EncodeToString(rnd[:]))
	f, err := v.fs.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, err = f.WriteAt(data, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if b.released {
		// Released while this was written (the caller gave up): not
		// held, so a later checkpoint deletes it.
		if v.unnamed == nil {
			v.unnamed = map[ObjectRef]bool{}
		}
		v.unnamed[ref] = true
		return ErrBatchReleased
	}
	b.objects.Add(1)
	b.bytes.Add(int64(len(data)))
	b.wrote[ref] = true
	b.toSync[path] = true
	return nil
}

// Hold holds objects that exist already (a restored version reuses its
// chunks), so that no checkpoint deletes them before the operation commits.
// A missing one is a *DamagedError; then nothing more is held.
func (b *ObjectBatch) Hold(refs ...ObjectRef) error {
	v := b.v
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := b.usableLocked(); err != nil {
		return err
	}
	for _, r := range refs {
		path := v.objectPath(r.Kind, r.ID)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return damaged(path, "object is missing")
		} else if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		b.holdLocked(r)
	}
	return nil
}

// Sync makes durable every object file the batch wrote or found since the
// last Sync, and their folders (objects/doc/xx, objects/doc, objects): up to
// 32 fsyncs at once, as a checkpoint's step 2.
func (b *ObjectBatch) Sync(ctx context.Context) error {
	v := b.v
	v.mu.Lock()
	if b.released {
		v.mu.Unlock()
		return ErrBatchReleased
	}
	paths := make([]string, 0, len(b.toSync))
	for p := range b.toSync {
		paths = append(paths, p)
	}
	clear(b.toSync)
	v.mu.Unlock()
	sort.Strings(paths)
	dirs := map[string]bool{}
	for _, p := range paths {
		d := filepath.Dir(p)
		dirs[d], dirs[filepath.Dir(d)], dirs[filepath.Dir(filepath.Dir(d))] = true, true, true
	}
	err := forChunks(ctx, len(paths), max(1, min(chunkWriters, len(paths))), func(_, i int) error {
		f, err := v.fs.OpenFile(paths[i], os.O_RDONLY, 0)
		if err != nil {
			return fmt.Errorf("saving %s: %w", paths[i], err)
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("saving %s: %w", paths[i], err)
		}
		return nil
	})
	if err == nil {
		err = syncDirsParallel(ctx, v.fs, dirs)
	}
	if err != nil {
		v.mu.Lock()
		for _, p := range paths {
			b.toSync[p] = true // a later Sync tries them again
		}
		v.mu.Unlock()
	}
	return err
}

// Release ends the batch: its objects are no longer held. Those it wrote
// that the next checkpoint does not name (the operation did not commit) are
// deleted then. Idempotent.
func (b *ObjectBatch) Release() {
	v := b.v
	v.mu.Lock()
	defer v.mu.Unlock()
	if b.released {
		return
	}
	b.released = true
	for r := range b.held {
		if v.held[r]--; v.held[r] <= 0 {
			delete(v.held, r)
		}
	}
	if len(b.wrote) > 0 {
		if v.unnamed == nil {
			v.unnamed = map[ObjectRef]bool{}
		}
		for r := range b.wrote {
			v.unnamed[r] = true
		}
	}
	b.held, b.wrote, b.toSync = nil, nil, nil
}

// DocumentWrite is what WriteDocument stored.
type DocumentWrite struct {
	Chunks []Chunk
	Size   int64
	SHA256 [32]byte
}

// NewPolynomial returns a random irreducible polynomial for the chunker (restic's chunker.RandomPolynomial).
func NewPolynomial() (uint64, error) {
	p, err := chunker.RandomPolynomial()
	if err != nil {
		return 0, fmt.Errorf("making the document chunking polynomial: %w", err)
	}
	return uint64(p), nil
}

// checkedPols remembers polynomials found valid (one per vault, in practice).
var checkedPols sync.Map

func checkPolynomial(pol uint64) error {
	if _, ok := checkedPols.Load(pol); ok {
		return nil
	}
	p := chunker.Pol(pol)
	if p.Deg() != 53 || !p.Irreducible() {
		return fmt.Errorf("the document chunking polynomial %#x is not valid (an irreducible polynomial of degree 53)", pol)
	}
	checkedPols.Store(pol, true)
	return nil
}

// docCrypto is one worker's ciphers: made under v.mu from the keys (the
// cipher and the HMAC copy them onto the Go heap for their lifetime, as
// withAEAD does), so that workers encrypt without the vault's lock.
type docCrypto struct {
	aead cipher.AEAD
	mac  hash.Hash
	ad   []byte
}

// docCryptoLocked makes n workers' ciphers for objects of kind k.
func (v *Vault) docCryptoLocked(n int, k Kind) ([]docCrypto, error) {
	out := make([]docCrypto, n)
	err := v.keys.with(v.keys.aead, func(ak []byte) error {
		return v.keys.with(v.keys.objID, func(ik []byte) error {
			for i := range out {
				a, err := chacha20poly1305.NewX(ak)
				if err != nil {
					return err
				}
				out[i] = docCrypto{aead: a, mac: hmac.New(sha256.New, ik), ad: objectAD(v.hdr.VaultID, k, ID{})}
			}
			return nil
		})
	})
	return out, err
}

func (c *docCrypto) id(k Kind, pt []byte) ID {
	var id ID
	c.mac.Reset()
	c.mac.Write([]byte{byte(k)})
	c.mac.Write(pt)
	c.mac.Sum(id[:0])
	return id
}

func docWorkers() int { return max(1, min(runtime.GOMAXPROCS(0), maxDocWorkers)) }

// docBuf is a chunk's buffer: docPrefix bytes of room, the plaintext, room
// for the tag. Buffers grow to the largest chunk they held and are reused
// across calls.
type docBuf struct{ b []byte }

var docBufs = sync.Pool{New: func() any { return &docBuf{b: make([]byte, docPrefix+DocChunkAvg+chacha20poly1305.Overhead)} }}

// fit makes room for n bytes of plaintext, keeping none of the content. A
// buffer too small grows at once to the largest chunk's size: a chunk
// longer than the buffer's room is first grown by the chunker's appends
// (a chain of copies, each 1.25 times larger), which should happen at most
// once in a buffer's life.
func (d *docBuf) fit(n int) {
	if need := docPrefix + n + chacha20poly1305.Overhead + 1; len(d.b) < need {
		d.b = make([]byte, max(need, docPrefix+DocChunkMax+chacha20poly1305.Overhead+1))
	}
}

// chunkers keeps chunkers (each with its 512 KiB read buffer) for reuse.
var chunkers sync.Pool

// WriteDocument reads r to EOF, chunks it with polynomial pol, Puts each chunk
// (KindDocument) through b, several chunks encrypted/written at once (bounded
// workers), and returns the ordered chunk list and the SHA-256 of all the bytes.
// Memory is bounded, whatever the size. ctx cancels. It does not Sync.
//
// One goroutine reads and cuts the chunks, another hashes the stream; up
// to four workers each compute a chunk's id, hold it, and unless it exists
// seal it in place and write it. At most workers+2 chunk buffers exist, so
// memory stays below (workers+2) × DocChunkMax. The first failure (a full
// disk: errors.Is finds syscall.ENOSPC) stops the rest and is returned;
// what was written stays held until Release.
func (b *ObjectBatch) WriteDocument(ctx context.Context, r io.Reader, pol uint64) (*DocumentWrite, error) {
	if err := checkPolynomial(pol); err != nil {
		return nil, err
	}
	v := b.v
	nw := docWorkers()
	v.mu.Lock()
	err := b.usableLocked()
	var cs []docCrypto
	gen := v.keyGen
	if err == nil {
		cs, err = v.docCryptoLocked(nw, KindDocument)
	}
	v.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		i   int
		buf *docBuf
		n   int
	}
	type result struct {
		i   int
		c   Chunk
		err error
	}
	// reader -> hashq -> hasher -> jobs -> workers -> results -> here.
	// The chunker and the SHA-256 of the stream, both in order, run in
	// goroutines of their own, so that they overlap.
	hashq := make(chan job, 1)
	jobs := make(chan job)
	results := make(chan result, nw)
	const spare = 2 // buffers beyond one per worker: one being cut, one being hashed
	free := make(chan *docBuf, nw+spare)
	for range nw + spare {
		free <- docBufs.Get().(*docBuf)
	}
	defer func() {
		close(free)
		for d := range free {
			docBufs.Put(d)
		}
	}()

	var (
		readErr error
		size    int64
		sum     [32]byte
	)
	go func() {
		defer close(hashq)
		ch, _ := chunkers.Get().(*chunker.Chunker)
		if ch == nil {
			ch = chunker.New(r, chunker.Pol(pol))
		} else {
			ch.Reset(r, chunker.Pol(pol))
		}
		defer func() { ch.Reset(nil, chunker.Pol(pol)); chunkers.Put(ch) }()
		for i := 0; ; i++ {
			var buf *docBuf
			select {
			case buf = <-free:
			case <-ctx.Done():
				readErr = ctx.Err()
				return
			}
			if err := ctx.Err(); err != nil {
				free <- buf
				readErr = err
				return
			}
			// Read straight after the room for the header and nonce;
			// a longer chunk than the buffer holds is copied once into
			// a grown one (which is then kept).
			c, err := ch.Next(buf.b[docPrefix:docPrefix])
			if err == io.EOF {
				free <- buf
				return
			}
			if err != nil {
				free <- buf
				readErr = err
				return
			}
			n := len(c.Data)
			if &c.Data[0] != &buf.b[docPrefix] || len(buf.b) < docPrefix+n+chacha20poly1305.Overhead {
				buf.fit(n)
				copy(buf.b[docPrefix:], c.Data)
			}
			size += int64(n)
			select {
			case hashq <- job{i, buf, n}:
			case <-ctx.Done():
				free <- buf
				readErr = ctx.Err()
				return
			}
		}
	}()
	go func() {
		defer close(jobs)
		h := sha256.New()
		for j := range hashq {
			if ctx.Err() != nil {
				free <- j.buf // stopping: drain what the reader sent
				continue
			}
			h.Write(j.buf.b[docPrefix : docPrefix+j.n])
			select {
			case jobs <- j:
			case <-ctx.Done():
				free <- j.buf
			}
		}
		h.Sum(sum[:0])
	}()

	var wg sync.WaitGroup
	for w := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &cs[w]
			for j := range jobs {
				ch, err := b.putChunk(ctx, c, gen, j.buf, j.n)
				free <- j.buf
				results <- result{j.i, ch, err}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	var chunks []Chunk
	var firstErr error
	firstAt := -1
	for res := range results {
		if res.err != nil {
			// The first chunk's error, but never our own cancellation
			// over the error that caused it: once one chunk fails, the
			// chunks still in flight before it end with context.Canceled.
			was, is := errors.Is(firstErr, context.Canceled), errors.Is(res.err, context.Canceled)
			if firstAt < 0 || (was && !is) || (was == is && res.i < firstAt) {
				firstErr, firstAt = res.err, res.i
			}
			cancel()
			continue
		}
		for len(chunks) <= res.i {
			chunks = append(chunks, Chunk{})
		}
		chunks[res.i] = res.c
	}
	// results is closed: every worker ended after the hasher closed jobs,
	// which it did after the reader closed hashq, so readErr, size and sum
	// are set.
	switch {
	case firstErr != nil:
		return nil, fmt.Errorf("storing the document: %w", firstErr)
	case readErr != nil:
		return nil, fmt.Errorf("reading the document: %w", readErr)
	}
	return &DocumentWrite{Chunks: chunks, Size: size, SHA256: sum}, nil
}

// putChunk stores the n bytes of plaintext in buf (after docPrefix) as a
// KindDocument object, sealing them in place.
func (b *ObjectBatch) putChunk(ctx context.Context, c *docCrypto, gen uint64, buf *docBuf, n int) (Chunk, error) {
	if err := ctx.Err(); err != nil {
		return Chunk{}, err
	}
	pt := buf.b[docPrefix : docPrefix+n]
	id := c.id(KindDocument, pt)
	ref := ObjectRef{KindDocument, id}
	path, found, err := b.claim(ref, n, gen)
	if err != nil || found {
		return Chunk{ID: id, Size: uint32(n)}, err
	}
	copy(buf.b, objectMagic)
	buf.b[8] = byte(KindDocument)
	nonce := buf.b[objectHeader:docPrefix]
	if _, err := rand.Read(nonce); err != nil {
		return Chunk{}, fmt.Errorf("reading random nonce: %w", err)
	}
	copy(c.ad[len(c.ad)-len(id):], id[:])
	sealed := c.aead.Seal(buf.b[:docPrefix], nonce, pt, c.ad)
	if err := b.write(ref, path, sealed); err != nil {
		return Chunk{}, err
	}
	return Chunk{ID: id, Size: uint32(n)}, nil
}

// ReadDocument writes the plaintext of chunks, in order, to w: each chunk read,
// authenticated and its id recomputed (like backups do), its length checked, a
// few chunks read ahead; then the SHA-256 of everything written is compared with
// want (zero want: not compared). A damaged or missing chunk returns a
// *DocumentDamagedError (errors.As) naming the chunk index, its offset and the
// object's path, and wrapping the *DamagedError; a hash mismatch returns one too
// (Index -1). Whatever was written to w before the error is the caller's to discard.
func (v *Vault) ReadDocument(ctx context.Context, chunks []Chunk, want [32]byte, w io.Writer) error {
	nw := min(docWorkers(), max(1, len(chunks)))
	v.mu.Lock()
	var err error
	var cs []docCrypto
	switch {
	case v.keys == nil:
		err = ErrClosed
	case v.rotating:
		err = ErrKeyChanging
	default:
		cs, err = v.docCryptoLocked(nw, KindDocument)
	}
	if err == nil {
		v.docReaders++
	}
	v.mu.Unlock()
	if err != nil {
		return err
	}
	defer func() {
		v.mu.Lock()
		v.docReaders--
		v.mu.Unlock()
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	offsets := make([]int64, len(chunks)+1)
	for i, c := range chunks {
		offsets[i+1] = offsets[i] + int64(c.Size)
	}
	type result struct {
		buf *docBuf
		pt  []byte
		err error
	}
	type job struct {
		i   int
		buf *docBuf
		out chan result
	}
	jobs := make(chan job)
	pending := make(chan chan result, nw)
	free := make(chan *docBuf, nw+2)
	for range nw + 2 {
		free <- docBufs.Get().(*docBuf)
	}
	defer func() {
		close(free)
		for d := range free {
			docBufs.Put(d)
		}
	}()
	go func() {
		defer close(pending)
		defer close(jobs)
		for i := range chunks {
			var buf *docBuf
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			out := make(chan result, 1)
			pending <- out // bounded: the read-ahead
			jobs <- job{i, buf, out}
		}
	}()
	for w := range nw {
		go func() {
			c := &cs[w]
			for j := range jobs {
				pt, err := v.readChunk(ctx, c, j.buf, j.i, chunks[j.i], offsets[j.i])
				j.out <- result{j.buf, pt, err}
			}
		}()
	}
	h := sha256.New()
	var firstErr error
	for out := range pending {
		res := <-out
		if firstErr == nil && res.err != nil {
			firstErr = res.err
			cancel()
		}
		if firstErr == nil {
			h.Write(res.pt)
			if _, err := w.Write(res.pt); err != nil {
				firstErr = fmt.Errorf("writing the document: %w", err)
				cancel()
			}
		}
		clear(res.pt)
		free <- res.buf
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return firstErr
	}
	if want != ([32]byte{}) {
		var got [32]byte
		h.Sum(got[:0])
		if got != want {
			return &DocumentDamagedError{Index: -1, Offset: offsets[len(chunks)],
				Err: &DamagedError{Reason: fmt.Sprintf("SHA-256 %x, recorded %x", got, want)}}
		}
	}
	return nil
}

// readChunk reads chunk c (the i-th, at off) into buf, authenticates it,
// checks its length and recomputes its id. It returns the plaintext, in buf.
func (v *Vault) readChunk(ctx context.Context, cr *docCrypto, buf *docBuf, i int, c Chunk, off int64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := v.objectPath(KindDocument, c.ID)
	fail := func(err error) ([]byte, error) {
		var de *DamagedError
		if errors.As(err, &de) {
			return nil, &DocumentDamagedError{Index: i, Offset: off, Path: path, Err: de}
		}
		return nil, fmt.Errorf("reading part %d of the document (%s): %w", i+1, path, err)
	}
	if c.Size > DocChunkMax {
		return fail(damaged(path, "the document lists a chunk of %d bytes, more than %d", c.Size, DocChunkMax))
	}
	buf.fit(int(c.Size))
	b, err := readInto(path, buf.b[:docFileSize(int(c.Size))+1])
	if err != nil {
		return fail(err)
	}
	if err := checkObjectHeader(b, KindDocument); err != nil {
		return fail(damaged(path, "%v", err))
	}
	if got := int64(len(b)); got != docFileSize(int(c.Size)) {
		return fail(damaged(path, "chunk has %d bytes, the document expects %d", got-docFileSize(0), c.Size))
	}
	copy(cr.ad[len(cr.ad)-len(c.ID):], c.ID[:])
	pt, err := cr.aead.Open(b[docPrefix:docPrefix], b[objectHeader:docPrefix], b[docPrefix:], cr.ad)
	if err != nil {
		return fail(damaged(path, "object authentication failed"))
	}
	if cr.id(KindDocument, pt) != c.ID {
		clear(pt)
		return fail(damaged(path, "object content does not match its id"))
	}
	return pt, nil
}
