package vault

import (
	"context"
	"fmt"
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/chacha20poly1305"
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
