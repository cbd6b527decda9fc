package vault

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/chacha20poly1305"
)

// Check reads back, at rest, everything the current checkpoint stands on,
// for `casevault check` (docs/THREAT-MODEL.md): the manifest and its copy
// under manifests/, every object the checkpoint names (its database chunks
// and its sealed audit segments), each authenticated AND its id recomputed
// from its plaintext (what opening no longer does, FORMAT.md section 5), and
// the redo log. It changes nothing on disk. Damage is reported in the
// CheckReport; an error means the check could not run (closed vault,
// cancelled, a vault never loaded).

// ObjectProblem is one object a check found damaged.
type ObjectProblem struct {
	Kind   Kind   `json:"kind"`
	ID     ID     `json:"id"`
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// CheckReport is what Vault.Check found.
type CheckReport struct {
	Seq      uint64 `json:"checkpoint"` // the checkpoint checked
	Chunks   int    `json:"chunks"`     // distinct chunk objects read
	Segments int    `json:"segments"`   // sealed audit segments read
	// Documents: document chunks (kind 2) read, each authenticated and its
	// id recomputed (a document's whole SHA-256 is the store's to check).
	Documents int   `json:"documents,omitempty"`
	Bytes     int64 `json:"bytes"` // bytes of object files read
	// Damaged lists every object that failed, in the checkpoint's order.
	Damaged []ObjectProblem `json:"damaged,omitempty"`
	// Manifest is what is wrong with the manifest file ("" when it
	// authenticates and names the checkpoint in use).
	Manifest string `json:"manifest_problem,omitempty"`
	// CopyMissing: manifests/<seq> is not there (a read-only vault, or a
	// write of it that failed; the next checkpoint writes one). Copy is
	// what is wrong with it when it is there but not the manifest's bytes.
	CopyMissing bool   `json:"manifest_copy_missing,omitempty"`
	Copy        string `json:"manifest_copy_problem,omitempty"`
	// LogRecords and LogBytes describe the redo log read; Log is what is
	// wrong with it ("" when every record authenticates).
	LogRecords int    `json:"log_records"`
	LogBytes   int64  `json:"log_bytes"`
	Log        string `json:"log_problem,omitempty"`
}

// OK reports whether the check found nothing wrong (a missing manifest
// copy aside: it is not damage).
func (r *CheckReport) OK() bool {
	return len(r.Damaged) == 0 && r.Manifest == "" && r.Copy == "" && r.Log == ""
}

// checkWorker is one reader of the object check: its own cipher, MAC and
// buffers, made under the held keys, so that the workers run without the
// vault's lock (writes and checkpoints go on meanwhile; the checkpoint
// checked is pinned).
type checkWorker struct {
	aead cipher.AEAD
	mac  hash.Hash
	buf  []byte
	pt   []byte
	ad   []byte
	sum  []byte
}

// Check reads back the current checkpoint's files (see above). progress,
// if not nil, is called after each object with the objects done and their
// total, by one goroutine at a time; it must return quickly.
func (v *Vault) Check(ctx context.Context, progress func(done, total int)) (*CheckReport, error) {
	v.mu.Lock()
	if v.keys == nil {
		v.mu.Unlock()
		return nil, ErrClosed
	}
	cp := v.cp
	if cp == nil {
		v.mu.Unlock()
		return nil, errors.New("the vault has not been loaded yet")
	}
	v.pins[cp]++
	defer func() {
		v.mu.Lock()
		if v.pins[cp]--; v.pins[cp] <= 0 {
			delete(v.pins, cp)
		}
		v.mu.Unlock()
	}()
	rep := &CheckReport{Seq: cp.Seq}
	refs := cp.AllObjects()
	workers := make([]*checkWorker, chunkWorkers(len(refs)))
	err := v.keys.hold()
	if err == nil {
		err = v.checkFilesLocked(cp, rep)
		if err == nil {
			err = v.keys.with(v.keys.aead, func(ak []byte) error {
				return v.keys.with(v.keys.objID, func(ik []byte) error {
					for w := range workers {
						a, err := chacha20poly1305.NewX(ak)
						if err != nil {
							return err
						}
						workers[w] = &checkWorker{aead: a, mac: hmac.New(sha256.New, ik),
							buf: make([]byte, objectHeader+chacha20poly1305.NonceSizeX+cp.ChunkSize+chacha20poly1305.Overhead+1),
							ad:  objectAD(v.hdr.VaultID, KindDBChunk, ID{})}
					}
					return nil
				})
			})
		}
		v.keys.unhold()
	}
	v.mu.Unlock()
	if err != nil {
		return nil, err
	}

	// The size each chunk must have: its place in the image says.
	size := make(map[ID]int64, len(cp.Chunks))
	for i, id := range cp.Chunks {
		off := int64(i) * int64(cp.ChunkSize)
		want := min(int64(cp.ChunkSize), cp.ImageSize-off)
		if s, ok := size[id]; ok && s != want {
			size[id] = -1 // one id in two places of different sizes: cannot be right
		} else {
			size[id] = want
		}
	}
	problems := make([]string, len(refs))
	var read atomic.Int64
	var done atomic.Int64
	var pmu sync.Mutex // progress is called from one worker at a time
	// A damaged object is a finding, not an error: fn fails only when ctx
	// is done, and then so does the check.
	err = forChunks(ctx, len(refs), len(workers), func(w, i int) error {
		n, p := v.checkObject(workers[w], refs[i], size)
		read.Add(n)
		problems[i] = p
		if progress != nil {
			pmu.Lock()
			progress(int(done.Add(1)), len(refs))
			pmu.Unlock()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Bytes = read.Load()
	for i, r := range refs {
		switch r.Kind {
		case KindDBChunk:
			rep.Chunks++
		case KindDocument:
			rep.Documents++
		default:
			rep.Segments++
		}
		if problems[i] != "" {
			rep.Damaged = append(rep.Damaged, ObjectProblem{Kind: r.Kind, ID: r.ID, File: v.objectPath(r.Kind, r.ID), Reason: problems[i]})
		}
	}
	return rep, nil
}

// checkObject reads one object and returns the bytes read and what is
// wrong with it ("" when nothing).
func (v *Vault) checkObject(w *checkWorker, r ObjectRef, size map[ID]int64) (int64, string) {
	path := v.objectPath(r.Kind, r.ID)
	var b []byte
	var err error
	if r.Kind == KindDBChunk {
		b, err = readInto(path, w.buf)
	} else {
		b, err = os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			err = damaged(path, "object is missing")
		}
	}
	var de *DamagedError
	if errors.As(err, &de) {
		return 0, de.Reason
	}
	if err != nil {
		return 0, fmt.Sprintf("cannot be read: %v", err)
	}
	n := int64(len(b))
	if err := checkObjectHeader(b, r.Kind); err != nil {
		return n, err.Error()
	}
	plain := len(b) - objectHeader - chacha20poly1305.NonceSizeX - chacha20poly1305.Overhead
	if r.Kind == KindDBChunk {
		switch want := size[r.ID]; {
		case want < 0:
			return n, "the manifest places this chunk in two places of different sizes"
		case int64(plain) != want:
			return n, fmt.Sprintf("chunk has %d bytes, manifest expects %d", plain, want)
		}
	}
	ad := append(w.ad[:len(w.ad)-len(r.ID)-1], byte(r.Kind))
	ad = append(ad, r.ID[:]...)
	w.ad = ad
	sealed := b[objectHeader:]
	nz := chacha20poly1305.NonceSizeX
	pt, err := w.aead.Open(w.pt[:0], sealed[:nz], sealed[nz:], ad)
	if err != nil {
		return n, "object authentication failed"
	}
	w.pt = pt
	w.mac.Reset()
	w.mac.Write([]byte{byte(r.Kind)})
	w.mac.Write(pt)
	w.sum = w.mac.Sum(w.sum[:0])
	clear(pt)
	if !hmac.Equal(w.sum, r.ID[:]) {
		return n, "object content does not match its id"
	}
	return n, ""
}

// checkFilesLocked checks the manifest, its copy and the redo log for
// Check. Called with v.mu and the keys held: nothing is appended meanwhile.
func (v *Vault) checkFilesLocked(cp *Checkpoint, rep *CheckReport) error {
	return v.keys.withLogKeys(func(a cipher.AEAD, mk []byte) error {
		mpath := filepath.Join(v.dir, ManifestFile)
		mb, err := os.ReadFile(mpath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rep.Manifest = "the manifest is missing"
		case err != nil:
			rep.Manifest = fmt.Sprintf("cannot be read: %v", err)
		default:
			if rep.Manifest, err = v.manifestProblem(a, mpath, mb, cp, "the manifest names checkpoint %d, not checkpoint %d that the vault opened"); err != nil {
				return err
			}
		}
		cpath := v.manifestCopyPath(cp.Seq)
		cb, err := os.ReadFile(cpath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rep.CopyMissing = true
		case err != nil:
			rep.Copy = fmt.Sprintf("cannot be read: %v", err)
		case rep.Manifest == "" && bytes.Equal(cb, mb):
		default:
			if rep.Copy, err = v.manifestProblem(a, cpath, cb, cp, "the copy names checkpoint %d, not checkpoint %d"); err != nil {
				return err
			}
		}

		if d := v.logDamage; d != nil {
			rep.Log, rep.LogRecords, rep.LogBytes = d.Reason, d.Kept, d.FileSize
			return nil
		}
		lpath := v.logPath(v.currentGen())
		lb, err := os.ReadFile(lpath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil // no change since the checkpoint
		case err != nil:
			rep.Log = fmt.Sprintf("cannot be read: %v", err)
			return nil
		}
		rep.LogBytes = int64(len(lb))
		sc, err := parseLog(a, mk, v.hdr.VaultID, v.currentGen(), lpath, lb)
		var de *DamagedError
		switch {
		case errors.As(err, &de):
			rep.Log = de.Reason
		case err != nil:
			return err
		}
		if sc != nil {
			rep.LogRecords = len(sc.recs)
			for _, r := range sc.recs {
				clear(r)
			}
		}
		return nil
	})
}

// sameCheckpoint: a and b are the same checkpoint (its number, image and
// objects).
// manifestProblem decodes a manifest file's bytes (the manifest or its
// copy) for Check: what is wrong with it, "" when it authenticates and names
// cp. mismatch is the wording for another checkpoint (its number, then
// cp's). An error means the check itself could not run.
func (v *Vault) manifestProblem(a cipher.AEAD, path string, b []byte, cp *Checkpoint, mismatch string) (string, error) {
	got, err := decodeManifest(a, v.hdr.VaultID, path, b)
	var de *DamagedError
	switch {
	case errors.As(err, &de):
		return de.Reason, nil
	case err != nil:
		return "", err
	case !sameCheckpoint(got, cp):
		return fmt.Sprintf(mismatch, got.Seq, cp.Seq), nil
	}
	return "", nil
}

func sameCheckpoint(a, b *Checkpoint) bool {
	return a.Seq == b.Seq && a.LogGen == b.LogGen && a.ImageSize == b.ImageSize && a.ChunkSize == b.ChunkSize &&
		slices.Equal(a.Chunks, b.Chunks) && slices.Equal(a.Objects, b.Objects)
}
