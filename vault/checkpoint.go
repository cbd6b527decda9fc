package vault

import (
	"context"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ChunkSize is the size of a database image chunk: 16 SQLite pages of 4 KiB.
// It is recorded in each manifest, so it can change without a format change.
const ChunkSize = 64 * 1024

const (
	manifestMagic = "CVMAN001"
	// manifestFormat is written when the manifest lists no objects beside
	// its chunks (what every casevault reads); manifestFormatObjects when it
	// does (Checkpoint.Objects). Both are read.
	manifestFormat        = 1
	manifestFormatObjects = 2
	maxManifest           = 64 << 20
)

// ObjectRef names one object of the object store with its kind.
type ObjectRef struct {
	Kind Kind `json:"kind"`
	ID   ID   `json:"id"`
}

// Checkpoint is the decrypted content of a manifest: which chunks, in order,
// make up the database image, and which redo log follows it.
type Checkpoint struct {
	Format    int             `json:"format"`
	Seq       uint64          `json:"seq"`     // 1 for the first checkpoint, +1 each time
	LogGen    uint64          `json:"log_gen"` // the redo log that continues this image (= Seq)
	Created   time.Time       `json:"created"`
	ImageSize int64           `json:"image_size"`
	ChunkSize int             `json:"chunk_size"`
	Chunks    []ID            `json:"chunks"`
	Meta      json.RawMessage `json:"meta,omitempty"` // the store's own summary (counts), opaque here
	// Objects are the objects other than chunks that the database image
	// refers to (sealed audit segments), each once, in the store's order.
	// Format 2 only. Whatever keeps a checkpoint (backups, restores, the
	// sweep of unreferenced objects, pins) keeps these too: see AllObjects.
	Objects []ObjectRef `json:"objects,omitempty"`
}

// AllObjects lists every object the checkpoint needs, each once: its
// chunks (kind KindDBChunk), in image order, then Objects.
func (cp *Checkpoint) AllObjects() []ObjectRef {
	out := make([]ObjectRef, 0, len(cp.Chunks)+len(cp.Objects))
	seen := make(map[ID]bool, len(cp.Chunks))
	for _, id := range cp.Chunks {
		if !seen[id] {
			seen[id] = true
			out = append(out, ObjectRef{KindDBChunk, id})
		}
	}
	return append(out, cp.Objects...)
}

func manifestAD(vaultID [16]byte) []byte {
	return append([]byte(manifestMagic), vaultID[:]...)
}

// Current returns the latest checkpoint, or nil before the first one.
func (v *Vault) Current() *Checkpoint {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.cp
}

func (cp *Checkpoint) validate() error {
	switch {
	case cp.Format != manifestFormat && cp.Format != manifestFormatObjects:
		return fmt.Errorf("manifest format %d is not supported", cp.Format)
	case cp.Format == manifestFormat && len(cp.Objects) > 0:
		return fmt.Errorf("a format %d manifest lists objects", cp.Format)
	case cp.Format == manifestFormatObjects && len(cp.Objects) == 0:
		return fmt.Errorf("a format %d manifest lists no objects", cp.Format)
	case cp.ChunkSize <= 0 || cp.ChunkSize > 64<<20:
		return fmt.Errorf("chunk size %d is invalid", cp.ChunkSize)
	case cp.ImageSize < 0:
		return fmt.Errorf("image size %d is invalid", cp.ImageSize)
	}
	want := (cp.ImageSize + int64(cp.ChunkSize) - 1) / int64(cp.ChunkSize)
	if int64(len(cp.Chunks)) != want {
		return fmt.Errorf("manifest lists %d chunks for an image of %d bytes", len(cp.Chunks), cp.ImageSize)
	}
	return cp.validateObjects()
}

func (cp *Checkpoint) validateObjects() error {
	seen := make(map[ObjectRef]bool, len(cp.Objects))
	for _, o := range cp.Objects {
		if !o.Kind.listable() {
			return fmt.Errorf("manifest lists an object of kind %d", o.Kind)
		}
		if seen[o] {
			return fmt.Errorf("manifest lists object %s twice", o.ID.String()[:12])
		}
		seen[o] = true
	}
	return nil
}

// readManifest decrypts DIR/manifest. It returns nil, nil when there is none.
func (v *Vault) readManifest(a cipher.AEAD) (*Checkpoint, error) {
	path := filepath.Join(v.dir, ManifestFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	return decodeManifest(a, v.hdr.VaultID, path, b)
}

func decodeManifest(a cipher.AEAD, vaultID [16]byte, path string, b []byte) (*Checkpoint, error) {
	if len(b) < 8+a.NonceSize()+a.Overhead() {
		return nil, damaged(path, "manifest is truncated (%d bytes)", len(b))
	}
	if string(b[:8]) != manifestMagic {
		return nil, damaged(path, "manifest does not start with %q", manifestMagic)
	}
	pt, err := open(a, b[8:], manifestAD(vaultID))
	if err != nil {
		return nil, damaged(path, "manifest authentication failed")
	}
	var cp Checkpoint
	if err := json.Unmarshal(pt, &cp); err != nil {
		return nil, damaged(path, "manifest content is not valid: %v", err)
	}
	if cp.Format > manifestFormatObjects {
		// Authenticated: written with this vault's key by a casevault
		// that knows a newer format, not damage to repair or restore.
		return nil, &NewerVersionError{File: path, What: fmt.Sprintf("manifest format %d; this one reads formats %d and %d", cp.Format, manifestFormat, manifestFormatObjects)}
	}
	if err := cp.validate(); err != nil {
		return nil, damaged(path, "%v", err)
	}
	return &cp, nil
}

func encodeManifest(a cipher.AEAD, vaultID [16]byte, cp *Checkpoint) ([]byte, error) {
	pt, err := json.Marshal(cp)
	if err != nil {
		return nil, err
	}
	sealed, err := seal(a, pt, manifestAD(vaultID))
	if err != nil {
		return nil, err
	}
	return append([]byte(manifestMagic), sealed...), nil
}

// LoadCheckpoint reads the latest manifest and assembles the database image
// from its chunks, authenticating each. It returns a nil image and nil
// checkpoint for a vault that has never been checkpointed. It also removes
// chunk objects left by an interrupted checkpoint.
func (v *Vault) LoadCheckpoint(ctx context.Context) ([]byte, *Checkpoint, error) {
	return v.LoadCheckpointInto(ctx, func(n int64) ([]byte, error) { return make([]byte, n), nil })
}

// LoadCheckpointInto is LoadCheckpoint decrypting the image into memory that
// alloc returns: at least n bytes (the image's size, > 0), of which the
// image takes the first n. alloc is called at most once; when it was and
// LoadCheckpointInto fails, the memory is the caller's to free (nothing of
// it is kept). The chunks are decrypted in parallel, straight into place.
func (v *Vault) LoadCheckpointInto(ctx context.Context, alloc func(n int64) ([]byte, error)) ([]byte, *Checkpoint, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return nil, nil, ErrClosed
	}
	// One opening of the keys for all the chunks, not two per chunk.
	if err := v.keys.hold(); err != nil {
		return nil, nil, err
	}
	defer v.keys.unhold()
	var image []byte
	var cp *Checkpoint
	err := v.keys.withAEAD(func(a cipher.AEAD) error {
		var err error
		cp, err = v.readManifest(a)
		if err != nil {
			return err
		}
		if cp == nil {
			// Create writes an empty manifest before the header, so every
			// vault has one: without it, the checkpoint is lost.
			return damaged(filepath.Join(v.dir, ManifestFile), "the manifest is missing")
		}
		if mixed := v.newerVersionsLocked(a, cp); mixed != nil {
			return mixed
		}
		image = []byte{} // empty but present: a checkpoint of an empty database
		if cp.ImageSize > 0 {
			buf, err := alloc(cp.ImageSize)
			if err != nil {
				return fmt.Errorf("allocating %d bytes for the database: %w", cp.ImageSize, err)
			}
			if int64(len(buf)) < cp.ImageSize {
				return fmt.Errorf("allocating %d bytes for the database: got %d", cp.ImageSize, len(buf))
			}
			image = buf[:cp.ImageSize]
		}
		fps, err := v.loadChunksLocked(ctx, cp, image)
		if err != nil {
			image = nil
			return err
		}
		v.chunkFP = fps
		return nil
	})
	v.loadErr = err
	var de *DamagedError
	if errors.As(err, &de) && de.File == filepath.Join(v.dir, ManifestFile) && len(listGens(filepath.Join(v.dir, ManifestsDir), "")) > 0 {
		de.Repairable = true
	}
	if err != nil {
		return nil, nil, err
	}
	v.cp = cp
	// Nothing is deleted here: a chunk that this manifest does not name may
	// belong to a newer version of the folder (see versions.go). Leftovers
	// of a crashed checkpoint are swept by this process's first checkpoint.
	v.ensureManifestCopyLocked(cp)
	return image, cp, nil
}

// sweepLocked removes chunk and audit segment objects that no manifest
// references: leftovers of a checkpoint that crashed (or failed) before its
// manifest was written. Only
// WriteCheckpoint calls it, after its own manifest is durable.
func (v *Vault) sweepLocked() {
	cands := map[ObjectRef]bool{}
	for _, k := range []Kind{KindDBChunk, KindAuditSegment, KindDocument} {
		// A live batch writes its temporary files outside v.mu: they
		// stay until a sweep with no batch holding anything.
		ids, err := v.listObjects(k, len(v.held) == 0)
		if err != nil {
			continue
		}
		for _, id := range ids {
			cands[ObjectRef{k, id}] = true
		}
	}
	clear(v.unnamed)
	v.removeObjectsLocked(v.unusedLocked(cands))
}

// unusedLocked returns the objects among cands that the current checkpoint
// does not name and nothing holds: to delete. Those that only a pin (a
// backup) or a batch holds are remembered in v.unnamed, for a later
// checkpoint to delete once they are free. At a checkpoint, every object
// that a committed state names is in the new manifest (the caller lists
// them all), so what is not named, pinned or held is garbage.
func (v *Vault) unusedLocked(cands map[ObjectRef]bool) []ObjectRef {
	cur := map[ObjectRef]bool{}
	if v.cp != nil {
		for _, o := range v.cp.AllObjects() {
			cur[o] = true
		}
	}
	busy := map[ObjectRef]bool{}
	for cp := range v.pins {
		for _, o := range cp.AllObjects() {
			busy[o] = true
		}
	}
	for o := range v.held {
		busy[o] = true
	}
	var drop []ObjectRef
	for o := range cands {
		switch {
		case cur[o]:
			delete(v.unnamed, o)
		case busy[o]:
			if v.unnamed == nil {
				v.unnamed = map[ObjectRef]bool{}
			}
			v.unnamed[o] = true
		default:
			delete(v.unnamed, o)
			drop = append(drop, o)
		}
	}
	return drop
}

// removeObjectsLocked deletes the objects refs, several at once: one after
// the other, the deletions of a checkpoint's replaced chunks took longer
// than writing their replacements.
func (v *Vault) removeObjectsLocked(refs []ObjectRef) {
	forChunks(context.Background(), len(refs), max(1, min(chunkWriters, len(refs))), func(_, i int) error { //nolint:errcheck // nothing fails
		os.Remove(v.objectPath(refs[i].Kind, refs[i].ID))
		return nil
	})
}

// WriteCheckpoint stores image as the new checkpoint: the chunks that changed
// are encrypted and written, then the manifest, atomically, then a fresh redo
// log begins and the old one is deleted. The caller must hold back writes
// while it runs, so that image includes every record of the current log.
// objects are the other objects the image refers to (PutObject made them
// durable); the manifest lists them, so they live as long as a checkpoint or
// a backup needs them. A listed object that is missing fails the checkpoint.
func (v *Vault) WriteCheckpoint(ctx context.Context, image []byte, meta json.RawMessage, objects ...ObjectRef) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return ErrClosed
	}
	if v.failed != nil {
		return v.failed
	}
	if v.readOnly {
		return ErrReadOnly
	}
	if v.logDamage != nil && !v.logKeptAside {
		// The checkpoint would leave the damaged log behind for deletion.
		return errors.New("the damaged redo log must be kept aside (QuarantineLog) before a checkpoint")
	}
	old := v.cp
	cp := &Checkpoint{
		Format:    manifestFormat,
		Seq:       1,
		Created:   time.Now().UTC(),
		ImageSize: int64(len(image)),
		ChunkSize: ChunkSize,
		Meta:      meta,
	}
	if old != nil {
		cp.Seq = old.Seq + 1
	}
	cp.LogGen = cp.Seq
	if len(objects) > 0 {
		cp.Format, cp.Objects = manifestFormatObjects, objects
		if err := cp.validateObjects(); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		for _, o := range objects {
			path := v.objectPath(o.Kind, o.ID)
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("checkpoint: %w", damaged(path, "object is missing"))
			} else if err != nil {
				return fmt.Errorf("checkpoint: the %s object %s it refers to: %w", o.Kind.dir(), o.ID.String()[:12], err)
			}
		}
	}
	n := (len(image) + ChunkSize - 1) / ChunkSize
	cp.Chunks = make([]ID, n)
	fps := make([]uint64, n)
	var manifestBytes []byte
	// One opening of the keys for all the chunks (see LoadCheckpointInto).
	if err := v.keys.hold(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer v.keys.unhold()
	err := v.keys.withAEAD(func(a cipher.AEAD) error {
		// The changed chunks, in parallel, each durable under its name;
		// then their folders; only then may the manifest name them.
		dirs, err := v.writeChunksLocked(ctx, image, old, cp, fps)
		if err != nil {
			return err
		}
		if err := syncDirsParallel(ctx, v.fs, dirs); err != nil {
			return err
		}
		manifestBytes, err = encodeManifest(a, v.hdr.VaultID, cp)
		if err != nil {
			return err
		}
		return writeFileDurable(filepath.Join(v.dir, ManifestFile), manifestBytes)
	})
	if err != nil {
		v.swept = false // chunks of this failed checkpoint may be left
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := syncDir(v.fs, v.dir); err != nil {
		// The new manifest is in place but may not survive a crash: after
		// one, either manifest may be the one on disk. Keep both logs and
		// refuse further writes, so that whichever survives is complete.
		v.failed = fmt.Errorf("the disk reported an error while saving (%v); close casevault and open it again", err)
		return fmt.Errorf("checkpoint: %w", v.failed)
	}
	// The manifest is durable: the new state is committed. What follows is
	// cleanup that a crash merely postpones to the next open.
	v.cp, v.chunkFP = cp, fps
	if v.logFile != nil {
		v.logFile.Close()
		v.logFile = nil
	}
	v.logSeq, v.logSize, v.logStarts = 0, 0, nil
	// A salvaged log is now in the checkpoint (its damaged part was kept
	// aside by QuarantineLog): the new log starts clean.
	v.salvage, v.logDamage, v.logKeptAside = false, nil, false
	v.removeOldLogsLocked()
	// The copy under manifests/ marks this checkpoint as the newest version
	// of the folder (versions.go); best effort, like the cleanup below.
	v.writeManifestCopyLocked(cp.Seq, manifestBytes) //nolint:errcheck
	if !v.swept {
		// The first checkpoint this process wrote: anything unreferenced
		// now is a leftover (the open found no newer version).
		v.sweepLocked()
		v.swept = true
	} else {
		// The previous checkpoint's objects, and those a pin or a batch
		// kept from an earlier one or a released batch wrote, that this
		// checkpoint does not name.
		cands := map[ObjectRef]bool{}
		if old != nil {
			for _, o := range old.AllObjects() {
				cands[o] = true
			}
		}
		for o := range v.unnamed {
			cands[o] = true
		}
		v.removeObjectsLocked(v.unusedLocked(cands))
	}
	return nil
}

// Pin keeps the objects of the current checkpoint on disk until release is
// called, even when later checkpoints no longer use them (for backups).
func (v *Vault) Pin() (*Checkpoint, func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	cp := v.cp
	if cp == nil {
		return nil, func() {}
	}
	v.pins[cp]++
	return cp, func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		if v.pins[cp]--; v.pins[cp] <= 0 {
			delete(v.pins, cp)
		}
	}
}
