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
	"hash/maphash"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/chacha20poly1305"

	"casevault/vault/atomicfile"
)

// The database image's chunks are read and decrypted by a few workers at
// once (the CPU count, at most maxChunkWorkers), each with one reused read
// buffer, straight into their places in the image: loading a checkpoint
// makes no garbage per chunk, and the image is the only large allocation.

const maxChunkWorkers = 4

func chunkWorkers(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), maxChunkWorkers, n))
}

// forChunks runs fn(worker, i) for i in [0, n) on workers goroutines. It
// returns the error of the lowest i that failed, as a loop in order would:
// once chunk i has failed, chunks after i are skipped, and every chunk
// before i (all handed out before it) still runs.
func forChunks(ctx context.Context, n, workers int, fn func(w, i int) error) error {
	var next atomic.Int64
	var stop atomic.Int64 // lowest failed index; n when none
	stop.Store(int64(n))
	errs := make([]error, workers)
	errAt := make([]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		errAt[w] = n
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || int64(i) > stop.Load() {
					return
				}
				err := ctx.Err()
				if err == nil {
					err = fn(w, i)
				}
				if err != nil {
					if i < errAt[w] {
						errs[w], errAt[w] = err, i
					}
					for {
						s := stop.Load()
						if int64(i) >= s || stop.CompareAndSwap(s, int64(i)) {
							break
						}
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	first := n
	var err error
	for w := range workers {
		if errAt[w] < first {
			first, err = errAt[w], errs[w]
		}
	}
	return err
}

// loadChunksLocked reads the chunks of cp into image (cp.ImageSize bytes)
// and returns their fingerprints. Each chunk is authenticated by its AEAD,
// whose associated data binds the vault, the kind and the id that the
// manifest names, so only the holder of the data key can have made it, for
// this place: a changed, swapped, truncated or foreign chunk fails. The id is
// not recomputed from the plaintext here (FORMAT.md, section 5): that checks
// the writer's own correctness, not the bytes at rest, and costs twice the
// decryption; backups, restores and drills recompute every id
// (Keys.CheckObject). The caller holds the keys (keyring.hold).
func (v *Vault) loadChunksLocked(ctx context.Context, cp *Checkpoint, image []byte) ([]uint64, error) {
	n := len(cp.Chunks)
	fps := make([]uint64, n)
	if n == 0 {
		return fps, nil
	}
	workers := chunkWorkers(n)
	err := v.keys.with(v.keys.aead, func(key []byte) error {
		return v.loadChunksWith(ctx, key, workers, cp, image, fps)
	})
	if err != nil {
		return nil, err
	}
	return fps, nil
}

func (v *Vault) loadChunksWith(ctx context.Context, key []byte, workers int, cp *Checkpoint, image []byte, fps []uint64) error {
	n := len(cp.Chunks)
	type worker struct {
		buf []byte
		ad  []byte
	}
	ws := make([]worker, workers)
	aeads := make([]interface {
		Open(dst, nonce, ciphertext, ad []byte) ([]byte, error)
	}, workers)
	for w := range ws {
		a, err := chacha20poly1305.NewX(key)
		if err != nil {
			return err
		}
		aeads[w] = a
		// One byte more than the largest valid file, to see a longer one.
		ws[w].buf = make([]byte, objectHeader+chacha20poly1305.NonceSizeX+cp.ChunkSize+chacha20poly1305.Overhead+1)
		ws[w].ad = objectAD(v.hdr.VaultID, KindDBChunk, ID{})
	}
	return forChunks(ctx, n, workers, func(w, i int) error {
		id := cp.Chunks[i]
		path := v.objectPath(KindDBChunk, id)
		off := int64(i) * int64(cp.ChunkSize)
		want := min(int64(cp.ChunkSize), cp.ImageSize-off)
		b, err := readInto(path, ws[w].buf)
		if err != nil {
			return err
		}
		if err := checkObjectHeader(b, KindDBChunk); err != nil {
			return damaged(path, "%v", err)
		}
		if got := int64(len(b) - objectHeader - chacha20poly1305.NonceSizeX - chacha20poly1305.Overhead); got != want {
			return damaged(path, "chunk has %d bytes, manifest expects %d", got, want)
		}
		ad := ws[w].ad
		copy(ad[len(ad)-len(id):], id[:])
		dst := image[off : off : off+want]
		sealed := b[objectHeader:]
		nz := chacha20poly1305.NonceSizeX
		if _, err := aeads[w].Open(dst, sealed[:nz], sealed[nz:], ad); err != nil {
			return damaged(path, "object authentication failed")
		}
		fps[i] = maphash.Bytes(v.seed, image[off:off+want])
		return nil
	})
}

// checkObjectHeader checks an object file's length, magic and kind (what
// openObject checks before it decrypts).
func checkObjectHeader(b []byte, k Kind) error {
	if len(b) < objectHeader+chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
		return fmt.Errorf("object is truncated (%d bytes)", len(b))
	}
	if string(b[:8]) != objectMagic {
		return fmt.Errorf("object does not start with %q", objectMagic)
	}
	if Kind(b[8]) != k {
		return fmt.Errorf("object is of kind %d, expected %d", b[8], k)
	}
	return nil
}

// chunkWriters is how many changed chunks a checkpoint writes at once. Most
// of them wait in fsync: the file system's journal commits concurrent
// fsyncs together, where one after the other each pays a commit (233
// chunks: about 40 ms against 600 ms on ext4 here).
const chunkWriters = 32

// writeChunksLocked fills cp.Chunks and fps for image: chunks whose
// fingerprint matches the previous checkpoint's (old, v.chunkFP) keep their
// object; the others get their id and, unless that object exists, are
// encrypted and written, each durably (temp file, fsync, rename) before it
// gets its name. It returns the folders to fsync before a manifest may name
// them, and makes no other change on failure than leftover objects that no
// manifest names (swept later). The caller holds the keys (keyring.hold).
func (v *Vault) writeChunksLocked(ctx context.Context, image []byte, old, cp *Checkpoint, fps []uint64) (map[string]bool, error) {
	n := len(cp.Chunks)
	aeadKey, idKey := v.keys.held[v.keys.aead], v.keys.held[v.keys.objID]
	if aeadKey == nil || idKey == nil {
		return nil, errors.New("writing chunks: the keys are not held")
	}
	var mu sync.Mutex
	dirs := map[string]bool{}
	claimed := map[ID]bool{}
	type worker struct {
		aead cipher.AEAD
		mac  hash.Hash
		buf  []byte
		ad   []byte
	}
	workers := max(1, min(chunkWriters, n))
	ws := make([]*worker, workers)
	err := forChunks(ctx, n, workers, func(w, i int) error {
		chunk := image[i*ChunkSize : min((i+1)*ChunkSize, len(image))]
		fps[i] = maphash.Bytes(v.seed, chunk)
		if old != nil && i < len(old.Chunks) && i < len(v.chunkFP) && v.chunkFP[i] == fps[i] &&
			(i < len(old.Chunks)-1 || int64(len(image)) == old.ImageSize) {
			cp.Chunks[i] = old.Chunks[i]
			return nil
		}
		wk := ws[w]
		if wk == nil {
			a, err := chacha20poly1305.NewX(aeadKey)
			if err != nil {
				return err
			}
			wk = &worker{aead: a, mac: hmac.New(sha256.New, idKey), ad: objectAD(v.hdr.VaultID, KindDBChunk, ID{})}
			ws[w] = wk
		}
		var id ID
		wk.mac.Reset()
		wk.mac.Write([]byte{byte(KindDBChunk)})
		wk.mac.Write(chunk)
		wk.mac.Sum(id[:0])
		cp.Chunks[i] = id
		path := v.objectPath(KindDBChunk, id)
		dir := filepath.Dir(path)
		mu.Lock()
		// As putLocked: the folders are synced even when the object
		// exists (an earlier failed write of this session may have left
		// it without its folder fsync).
		dirs[dir], dirs[filepath.Dir(dir)], dirs[filepath.Dir(filepath.Dir(dir))] = true, true, true
		dup := claimed[id]
		claimed[id] = true
		mu.Unlock()
		if dup {
			return nil // equal content elsewhere in this image: written once
		}
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating object folder: %w", err)
		}
		b, err := sealObjectInto(wk.buf[:0], wk.aead, wk.ad, id, chunk)
		if err != nil {
			return err
		}
		wk.buf = b
		return writeDurable(v.fs, path, b)
	})
	if err != nil {
		return nil, err
	}
	return dirs, nil
}

// sealObjectInto is sealObject for a database chunk into buf's memory (when
// it is large enough), with ad a reusable object AD whose id it fills in.
func sealObjectInto(buf []byte, a cipher.AEAD, ad []byte, id ID, plaintext []byte) ([]byte, error) {
	copy(ad[len(ad)-len(id):], id[:])
	out := append(buf[:0], objectMagic...)
	out = append(out, byte(KindDBChunk))
	ns := a.NonceSize()
	out = append(out, make([]byte, ns)...)
	nonce := out[len(out)-ns:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("reading random nonce: %w", err)
	}
	return a.Seal(out, nonce, plaintext, ad), nil
}

// writeDurable writes data to path as atomicfile.Replace does (temp file in
// the same folder, fsync, rename; no folder fsync), through fsys, so that
// tests can fail the fsync.
func writeDurable(fsys FS, path string, data []byte) error {
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), atomicfile.TempPrefix+hex.EncodeToString(rnd[:]))
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, err = f.WriteAt(data, 0)
	if err == nil {
		err = f.Sync()
	}
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
	return nil
}

// syncDirsParallel is syncDirs with up to chunkWriters folders at once (as
// for the chunks' fsyncs, the journal commits them together).
func syncDirsParallel(ctx context.Context, fsys FS, dirs map[string]bool) error {
	list := make([]string, 0, len(dirs))
	for d := range dirs {
		list = append(list, d)
	}
	sort.Strings(list)
	return forChunks(ctx, len(list), max(1, min(chunkWriters, len(list))), func(_, i int) error {
		return syncDir(fsys, list[i])
	})
}
