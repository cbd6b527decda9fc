package backup

import (
	"context"
	"errors"
	"sort"
	"time"

	"casevault/vault"
)

// RestoreResult says what a restore did.
type RestoreResult struct {
	Snapshot *Snapshot
	Objects  int
	Bytes    int64
	Duration time.Duration
}

// Restore recreates the vault as it was at snapshot s in dir, which must be
// missing or empty. Every object is authenticated before it is written, and
// the vault appears at dir only when all of it is on disk. The restored
// vault opens with the passphrase or recovery key that opened the repository.
func (r *Repo) Restore(ctx context.Context, s *Snapshot, dir string, progress ProgressFunc) (*RestoreResult, error) {
	var res *RestoreResult
	err := r.keys.Hold(func() error {
		var err error
		res, err = r.restoreHeld(ctx, s, dir, progress)
		return err
	})
	return res, err
}

func (r *Repo) restoreHeld(ctx context.Context, s *Snapshot, dir string, progress ProgressFunc) (*RestoreResult, error) {
	start := time.Now()
	if progress == nil {
		progress = func(Progress) {}
	}
	ix, err := r.loadIndex(ctx)
	if err != nil {
		return nil, err
	}
	parts, cp, err := r.snapshotParts(ctx, ix, s)
	if err != nil {
		return nil, r.withSnapshots(ctx, ix, err)
	}
	if parts.Header, err = r.header(ctx, s); err != nil {
		return nil, r.withSnapshots(ctx, ix, err)
	}

	// Read each pack once, in pack order.
	byPack := map[string][]blobEntry{}
	var packs []string
	p := Progress{Phase: "Restoring"}
	for _, o := range cp.AllObjects() {
		t, ok := blobOfKind(o.Kind)
		if !ok {
			return nil, r.withSnapshots(ctx, ix, damaged(ix.damagedIndexFile(), "the snapshot's manifest lists an object of kind %d", o.Kind))
		}
		loc, ok := ix.blobs[BlobKey{t, o.ID}]
		if !ok {
			return nil, r.withSnapshots(ctx, ix, damaged(ix.damagedIndexFile(), "no pack holds %s %s", t, o.ID.String()[:12]))
		}
		if _, ok := byPack[loc.Pack]; !ok {
			packs = append(packs, loc.Pack)
		}
		byPack[loc.Pack] = append(byPack[loc.Pack], blobEntry{Type: t, ID: o.ID, Offset: loc.Offset, Length: loc.Length})
		p.TotalObjects++
		p.TotalBytes += loc.Length
	}
	sort.Strings(packs)
	progress(p)
	res := &RestoreResult{Snapshot: s}
	objects := func(ctx context.Context, put func(k vault.Kind, id vault.ID, raw []byte) error) error {
		for _, pk := range packs {
			name := packPath(pk)
			b, err := r.be.Load(ctx, name)
			if errors.Is(err, ErrMissingFile) {
				return damaged(name, "the pack file is missing")
			}
			if err != nil {
				return err
			}
			for _, bl := range byPack[pk] {
				k := BlobKey{bl.Type, bl.ID}
				kind, _ := bl.Type.vaultKind()
				if bl.Offset+bl.Length > int64(len(b)) {
					return inBlob(damaged(name, "the pack is truncated (%d bytes)", len(b)), k)
				}
				raw := b[bl.Offset : bl.Offset+bl.Length]
				if err := put(kind, bl.ID, raw); err != nil {
					if errors.Is(err, vault.ErrDamaged) {
						return inBlob(damaged(name, "%v", err), k)
					}
					return err
				}
				p.Objects++
				p.Bytes += bl.Length
				progress(p)
			}
		}
		return nil
	}
	if err := vault.Install(ctx, dir, r.keys, parts, objects); err != nil {
		return nil, r.withSnapshots(ctx, ix, err)
	}
	res.Objects, res.Bytes = p.Objects, p.Bytes
	res.Duration = time.Since(start)
	p.Phase = "Done"
	progress(p)
	return res, nil
}

// withSnapshots adds to a *DamagedError the snapshots that need the file.
func (r *Repo) withSnapshots(ctx context.Context, ix *index, err error) error {
	var de *DamagedError
	if !errors.As(err, &de) {
		return err
	}
	// Reads that failed because the drive went away are not damage.
	if _, gerr := r.be.Load(ctx, configFile); errors.Is(gerr, ErrTargetGone) {
		return gerr
	}
	if len(de.Snapshots) > 0 {
		return err
	}
	u, uerr := r.usage(ctx, ix)
	if uerr != nil {
		return err
	}
	if len(de.blobs) > 0 {
		de.Snapshots = u.snapshotsOfBlobs(de.blobs)
	} else {
		de.Snapshots = u.snapshotsOfFile(de.File)
	}
	return err
}
