package backup

import (
	"context"
	"fmt"
	"strings"
	"time"

	"casevault/vault"
)

// Progress reports a long operation. Totals may be estimates; Bytes and
// Objects never exceed them.
type Progress struct {
	Phase        string // what is being done, for the user
	Bytes        int64
	TotalBytes   int64
	Objects      int
	TotalObjects int
}

// ProgressFunc receives progress reports; it must return quickly.
type ProgressFunc func(Progress)

// Source is what a backup copies: a capture of the vault and a way to read its
// objects, and what the caller recorded about the content at that moment.
type Source struct {
	Capture    *vault.Capture
	ReadObject func(k vault.Kind, id vault.ID) ([]byte, error)
	// ObjectName names an object's file, for messages about a damaged vault.
	ObjectName  func(k vault.Kind, id vault.ID) string
	Counts      Counts
	AuditHead   string
	ContentHash string
}

// Result says what a backup did.
type Result struct {
	Snapshot *Snapshot
	Duration time.Duration
	Warnings []string // damage found in the repository and worked around
}

// Backup copies what the repository lacks from src and then writes a
// snapshot. It checks the drive first. Each new object is authenticated
// before it is copied, so a damaged vault file fails the backup instead of
// spreading into it. An interrupted backup leaves the repository valid.
func (r *Repo) Backup(ctx context.Context, src Source, progress ProgressFunc) (*Result, error) {
	var res *Result
	err := r.keys.Hold(func() error {
		var err error
		res, err = r.backupHeld(ctx, src, progress)
		return err
	})
	return res, err
}

func (r *Repo) backupHeld(ctx context.Context, src Source, progress ProgressFunc) (*Result, error) {
	start := time.Now()
	if progress == nil {
		progress = func(Progress) {}
	}
	if r.noConfig {
		return nil, fmt.Errorf("%w in %s, so nothing was written (its key files, data and snapshots are there; confirm that this is the right backup drive to write a new one)", ErrConfigMissing, r.dir)
	}
	if err := r.CheckVolume(); err != nil {
		return nil, err
	}
	unlock, err := r.be.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	r.be.RemoveTemps(ctx)
	c := src.Capture
	ix, err := r.loadIndex(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, e := range ix.bad {
		res.Warnings = append(res.Warnings, e.Error())
	}
	// A pack the index names but the drive lacks, or with another size, is
	// not relied on: what the new snapshot needs from it is written again.
	files, err := r.be.List(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	onDisk := make(map[string]int64, len(files))
	for _, f := range files {
		onDisk[f.Name[strings.LastIndex(f.Name, "/")+1:]] = f.Size
	}
	for name, pe := range ix.packs {
		if size, ok := onDisk[name]; !ok || size != pe.Size {
			res.Warnings = append(res.Warnings, fmt.Sprintf("pack %s is missing or damaged; what it held is written again (run verify)", packPath(name)))
			for _, bl := range pe.Blobs {
				k := BlobKey{bl.Type, bl.ID}
				if ix.blobs[k].Pack == name {
					delete(ix.blobs, k)
				}
			}
		}
	}

	header, err := r.saveHeader(ctx, c.Header)
	if err != nil {
		return nil, err
	}

	// What the snapshot needs, and which of it is new.
	type item struct {
		key  BlobKey
		data []byte // sealed blobs are ready; vault objects are read when packed
	}
	var todo []item
	seen := map[BlobKey]bool{}
	var total int64
	need := func(k BlobKey, data []byte, size int64) {
		if seen[k] {
			return
		}
		seen[k] = true
		if _, ok := ix.blobs[k]; !ok {
			todo = append(todo, item{k, data})
			total += size
		}
	}
	snap := &Snapshot{
		Format: formatVersion, Time: r.opts.Now().UTC(), Host: r.opts.Host, AppVersion: r.opts.AppVersion,
		VaultID: r.cfg.VaultID, Header: header, Checkpoint: c.Checkpoint.Seq, Chunks: len(c.Checkpoint.Chunks),
		ImageSize: c.Checkpoint.ImageSize, LogGen: c.LogGen, LogSize: int64(len(c.Log)),
		Counts: src.Counts, AuditHead: src.AuditHead, ContentHash: src.ContentHash, Log: []vault.ID{},
	}
	// The manifest and the log are copied as they are on disk: check them
	// first, so that a vault file damaged since the unlock fails the backup
	// instead of making a snapshot that cannot be restored.
	if _, err := r.keys.OpenManifest("vault manifest", c.Manifest); err != nil {
		return nil, fmt.Errorf("the vault itself is damaged, so it was not backed up: %w", err)
	}
	if _, err := r.keys.CheckLog("vault redo log", c.LogGen, c.Log); err != nil {
		return nil, fmt.Errorf("the vault itself is damaged, so it was not backed up: %w", err)
	}
	id, sealed, err := sealBlob(r.keys, BlobManifest, c.Manifest)
	if err != nil {
		return nil, err
	}
	snap.Manifest = id
	need(BlobKey{BlobManifest, id}, sealed, int64(len(sealed)))
	for off, end := 0, 0; off < len(c.Log); off = end {
		end = min(off+SegmentSize, len(c.Log))
		if off == 0 {
			end = min(LogHeadSize, len(c.Log))
		}
		seg := c.Log[off:end]
		id, sealed, err := sealBlob(r.keys, BlobLog, seg)
		if err != nil {
			return nil, err
		}
		snap.Log = append(snap.Log, id)
		need(BlobKey{BlobLog, id}, sealed, int64(len(sealed)))
	}
	const objOverhead = 9 + 24 + 16
	for _, o := range c.Checkpoint.AllObjects() {
		t, ok := blobOfKind(o.Kind)
		if !ok {
			return nil, fmt.Errorf("the vault's manifest lists an object of kind %d, which this version cannot back up", o.Kind)
		}
		size := int64(c.Checkpoint.ChunkSize + objOverhead) // an estimate for progress; segments are larger
		need(BlobKey{t, o.ID}, nil, size)
	}
	for k := range seen {
		if loc, ok := ix.blobs[k]; ok {
			snap.TotalBytes += loc.Length
		}
	}

	// Pack the new blobs.
	p := Progress{Phase: "Copying to the backup", TotalBytes: total, TotalObjects: len(todo)}
	progress(p)
	w := &packWriter{r: r, ctx: ctx}
	for _, it := range todo {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data := it.data
		if kind, ok := it.key.Type.vaultKind(); ok {
			raw, err := src.ReadObject(kind, it.key.ID)
			if err != nil {
				return nil, fmt.Errorf("reading the vault: %w", err)
			}
			name := it.key.ID.String()
			if src.ObjectName != nil {
				name = src.ObjectName(kind, it.key.ID)
			}
			if err := r.keys.CheckObject(name, kind, it.key.ID, raw); err != nil {
				return nil, fmt.Errorf("the vault itself is damaged, so it was not backed up: %w", err)
			}
			data = raw
		}
		if err := w.add(it.key, data); err != nil {
			return nil, err
		}
		snap.TotalBytes += int64(len(data))
		snap.AddedBlobs++
		p.Objects++
		p.Bytes = min(p.Bytes+int64(len(data)), p.TotalBytes)
		progress(p)
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	added := w.written
	// Each backup adds an index file of its new packs; once there are many,
	// one file of all the packs replaces them (after the snapshot is safe).
	var oldIndex []string
	newPacks := w.packs
	if len(ix.files) >= maxIndexFiles && len(ix.bad) == 0 {
		oldIndex = ix.files
		newPacks = nil
		for _, name := range ix.order {
			if _, ok := onDisk[name]; ok {
				newPacks = append(newPacks, *ix.packs[name])
			}
		}
		newPacks = append(newPacks, w.packs...)
	}
	var newIndex string
	if len(newPacks) > 0 {
		b, err := sealFile(r.keys, indexMagic, purposeIndex, indexFile{Packs: newPacks})
		if err != nil {
			return nil, err
		}
		newIndex = indexDir + "/" + fileName(b)
		if err := r.be.Save(ctx, newIndex, b); err != nil {
			return nil, err
		}
		added += int64(len(b))
	}
	// The folder must still be the repository: a drive unmounted during the
	// backup leaves its empty mount folder, and the commit must not land there.
	if _, err := r.be.Load(ctx, configFile); err != nil {
		return nil, fmt.Errorf("%w: %s no longer holds the backup (%v)", ErrTargetGone, r.dir, err)
	}
	// The commit point. Its own size is counted as an estimate first: the
	// snapshot cannot contain its own exact size.
	snap.AddedBytes = added
	b, err := sealFile(r.keys, snapMagic, purposeSnapshot, snap)
	if err != nil {
		return nil, err
	}
	snap.AddedBytes = added + int64(len(b))
	if b, err = sealFile(r.keys, snapMagic, purposeSnapshot, snap); err != nil {
		return nil, err
	}
	snap.ID = fileName(b)
	if err := r.be.Save(ctx, snapDir+"/"+snap.ID, b); err != nil {
		return nil, err
	}
	for _, f := range oldIndex {
		if f != newIndex {
			r.be.Remove(ctx, f) // a leftover only duplicates entries: harmless
		}
	}
	p.Phase, p.Bytes, p.Objects = "Done", p.TotalBytes, p.TotalObjects
	progress(p)
	res.Snapshot = snap
	res.Duration = time.Since(start)
	return res, nil
}

// maxIndexFiles is how many index files a backup lets pile up before it
// writes one of all the packs.
const maxIndexFiles = 32

// packWriter collects blobs into packs of about PackSize and saves each.
type packWriter struct {
	r       *Repo
	ctx     context.Context
	blobs   []blobEntry
	data    [][]byte
	size    int
	packs   []packEntry
	written int64
}

func (w *packWriter) add(k BlobKey, data []byte) error {
	w.blobs = append(w.blobs, blobEntry{Type: k.Type, ID: k.ID})
	w.data = append(w.data, data)
	w.size += len(data)
	if w.size >= PackSize {
		return w.flush()
	}
	return nil
}

func (w *packWriter) flush() error {
	if len(w.blobs) == 0 {
		return nil
	}
	b, err := encodePack(w.r.keys, w.blobs, w.data)
	if err != nil {
		return err
	}
	name := fileName(b)
	if err := w.r.be.Save(w.ctx, packPath(name), b); err != nil {
		return err
	}
	w.packs = append(w.packs, packEntry{Name: name, Size: int64(len(b)), Blobs: w.blobs})
	w.written += int64(len(b))
	w.blobs, w.data, w.size = nil, nil, 0
	return nil
}

// RepoID is the repository's random id, as hex.
func (r *Repo) RepoID() string { return r.cfg.RepoID }

// VaultID is the id of the vault the repository belongs to, as hex.
func (r *Repo) VaultID() string { return r.cfg.VaultID }
