package backup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"casevault/vault"
)

// ErrKeepNewest: ForgetSnapshots was asked to remove the newest snapshot.
// The newest always stays (the app checks that the last snapshot it made is
// still there; a backup with no snapshot restores nothing).
var ErrKeepNewest = errors.New("the newest snapshot is always kept")

// ForgetSnapshotsResult says what ForgetSnapshots did.
type ForgetSnapshotsResult struct {
	Removed []string // snapshot ids removed, in the order asked
	// Missing are the ids asked for that the repository does not hold (a
	// forget earlier, or an older copy of the drive): nothing to do for them.
	Missing []string
	// SetAside are the damaged snapshot files set aside before the prune
	// (as Forget does: they would stop it).
	SetAside []SetAsideFile
	Prune    *PruneResult
	// Left is what the drive still holds after the prune that no remaining
	// snapshot needs: zero when the forgotten snapshots' own data is gone.
	// Not zero when the prune could not rewrite everything (a full drive:
	// Prune.NotRewritten; damaged packs: Prune.KeptDamaged) or did not run.
	Left Unneeded
}

// Unneeded counts what the drive holds that no snapshot needs: blobs inside
// packs that also hold needed ones, and whole packs no index names.
type Unneeded struct {
	Blobs int   // blobs no snapshot needs, inside indexed packs
	Packs int   // pack files no index names (interrupted backups)
	Bytes int64 // their size
}

// Zero reports whether nothing unneeded is left.
func (u Unneeded) Zero() bool { return u.Blobs == 0 && u.Packs == 0 }

// ForgetSnapshots removes exactly the snapshots named by ids (full ids, 32
// hex digits) and, with prune, prunes thoroughly: every pack holding a blob
// that no remaining snapshot needs is rewritten without it, so that what
// only the forgotten snapshots held leaves the drive (used after a client
// file was destroyed: its data must not stay in old snapshots). It works
// under the repository's lock, like Forget; damaged snapshot files are set
// aside first. The newest snapshot is never removed (ErrKeepNewest), and
// nothing is removed when any id is not a snapshot id. An id the repository
// does not hold is reported in Missing.
func (r *Repo) ForgetSnapshots(ctx context.Context, ids []string, prune bool) (*ForgetSnapshotsResult, error) {
	want := map[string]bool{}
	for _, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		if !isHexName(id, 32) {
			return nil, fmt.Errorf("%w: %q is not a whole snapshot id (32 hex digits)", ErrNoSnapshot, id)
		}
		want[id] = true
	}
	unlock, err := r.be.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	snaps, bad, err := r.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	res := &ForgetSnapshotsResult{}
	if len(snaps) > 0 && want[snaps[len(snaps)-1].ID] {
		return nil, fmt.Errorf("%w: snapshot %s is the newest in %s; make a new backup first", ErrKeepNewest, snaps[len(snaps)-1].Short(), r.dir)
	}
	if prune {
		if res.SetAside, err = r.setAsideDamaged(ctx, bad); err != nil {
			return nil, err
		}
	}
	have := map[string]bool{}
	for _, s := range snaps {
		have[s.ID] = true
	}
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		if seen[id] {
			continue
		}
		seen[id] = true
		if !have[id] {
			res.Missing = append(res.Missing, id)
			continue
		}
		if err := r.be.Remove(ctx, snapDir+"/"+id); err != nil {
			return res, err
		}
		res.Removed = append(res.Removed, id)
	}
	if !prune {
		res.Left, err = r.unneeded(ctx)
		return res, err
	}
	more, err := r.setAsideUnrestorable(ctx)
	if err != nil {
		return res, err
	}
	res.SetAside = append(res.SetAside, more...)
	res.Prune, err = r.pruneLocked(ctx, true)
	if err != nil && !errors.Is(err, ErrTargetFull) {
		return res, err
	}
	// A full drive that let prune free nothing still says what is left.
	left, lerr := r.unneeded(ctx)
	if lerr != nil {
		return res, errors.Join(err, lerr)
	}
	res.Left = left
	return res, err
}

// Unneeded counts what the drive holds that no snapshot needs (see
// ForgetSnapshotsResult.Left). An index file that cannot be read is an
// error: it could name what is left.
func (r *Repo) Unneeded(ctx context.Context) (Unneeded, error) { return r.unneeded(ctx) }

func (r *Repo) unneeded(ctx context.Context) (Unneeded, error) {
	var out Unneeded
	ix, err := r.loadIndex(ctx)
	if err != nil {
		return out, err
	}
	if len(ix.bad) > 0 {
		return out, ix.bad[0]
	}
	u, err := r.usage(ctx, ix)
	if err != nil {
		return out, err
	}
	for s, e := range u.broken {
		return out, fmt.Errorf("snapshot %s cannot be read: %w", s, e)
	}
	files, err := r.be.List(ctx, dataDir)
	if err != nil {
		return out, err
	}
	for _, f := range files {
		name := f.Name[strings.LastIndex(f.Name, "/")+1:]
		pe, ok := ix.packs[name]
		if !ok {
			out.Packs++
			out.Bytes += f.Size
			continue
		}
		for _, bl := range pe.Blobs {
			k := BlobKey{bl.Type, bl.ID}
			if ix.blobs[k].Pack != name || u.need[k] == nil {
				out.Blobs++
				out.Bytes += bl.Length
			}
		}
	}
	return out, nil
}

// KeySlots says who could open the repository without the vault: the key
// slots of its key files (copies of the vault header, one per change of the
// vault's keys since the oldest snapshot that remains), each distinct slot
// once, without secrets, and how many key files there are. More than one
// key file means an earlier passphrase or recovery key may open it too. A
// key file that cannot be read is skipped (it opens nothing).
func (r *Repo) KeySlots(ctx context.Context) (slots []vault.SlotInfo, keyFiles int, err error) {
	files, err := r.be.List(ctx, keysDir)
	if err != nil {
		return nil, 0, err
	}
	for _, f := range files {
		b, err := r.be.Load(ctx, f.Name)
		if err != nil {
			if errors.Is(err, ErrMissingFile) {
				continue
			}
			return nil, 0, err
		}
		if checkKeyFile(f.Name, b) != nil {
			continue
		}
		ss, err := vault.HeaderSlots(f.Name, b)
		if err != nil {
			continue
		}
		keyFiles++
		for _, s := range ss {
			if !slices.Contains(slots, s) {
				slots = append(slots, s)
			}
		}
	}
	return slots, keyFiles, nil
}
