package backup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"casevault/backup/retention"
	"casevault/vault"
)

// ForgetResult says what forget (and prune) did.
type ForgetResult struct {
	Decisions []retention.Decision
	Removed   []string // snapshot ids removed
	// SetAside are the damaged snapshot files forget renamed so that they
	// are no longer read as snapshots (kept on the drive, not deleted).
	SetAside []SetAsideFile
	Prune    *PruneResult
}

// SetAsideFile is a damaged snapshot file that forget set aside.
type SetAsideFile struct {
	File   string // where it was, e.g. snapshots/<id>
	To     string // where it is now, e.g. snapshots/<id>.damaged
	Reason string // what is wrong with it
}

// damagedSuffix marks a snapshot file set aside because it is damaged: a
// name that is not 32 hex digits is not read as a snapshot.
const damagedSuffix = ".damaged"

// setAsideDamaged renames the damaged snapshot files (bad, from Snapshots)
// to <name>.damaged. A file that could not be read (the drive, not the
// file) stops it: that is no proof of damage.
func (r *Repo) setAsideDamaged(ctx context.Context, bad []error) ([]SetAsideFile, error) {
	var files []SetAsideFile
	for _, e := range bad {
		var de *DamagedError
		if !errors.As(e, &de) || !strings.HasPrefix(de.File, snapDir+"/") {
			return nil, fmt.Errorf("a snapshot file could not be read, so nothing was removed: %w", e)
		}
		files = append(files, SetAsideFile{File: de.File, Reason: de.Reason})
	}
	return r.setAside(ctx, files)
}

// setAsideUnrestorable sets aside the snapshots whose manifest blob is
// damaged or gone (they cannot be restored). A read error that is not
// damage stops it; with a damaged index file it does nothing (prune
// refuses then, and the snapshots may be fine).
func (r *Repo) setAsideUnrestorable(ctx context.Context) ([]SetAsideFile, error) {
	ix, err := r.loadIndex(ctx)
	if err != nil || len(ix.bad) > 0 {
		return nil, err
	}
	u, err := r.usage(ctx, ix)
	if err != nil {
		return nil, err
	}
	var files []SetAsideFile
	for _, s := range u.snaps {
		e := u.broken[s.Short()]
		if e == nil {
			continue
		}
		var de *DamagedError
		if !errors.As(e, &de) {
			return nil, fmt.Errorf("the contents of snapshot %s could not be read, so nothing was removed: %w", s.Short(), e)
		}
		files = append(files, SetAsideFile{File: snapDir + "/" + s.ID,
			Reason: fmt.Sprintf("it cannot be restored: its list of contents is damaged (%s: %s)", de.File, de.Reason)})
	}
	return r.setAside(ctx, files)
}

// setAside renames each snapshot file to <name>.damaged (the first free
// name of .damaged, .damaged-2, ...).
func (r *Repo) setAside(ctx context.Context, files []SetAsideFile) ([]SetAsideFile, error) {
	var out []SetAsideFile
	for _, f := range files {
		f.To = f.File + damagedSuffix
		for i := 2; ; i++ {
			_, err := r.be.Load(ctx, f.To)
			if errors.Is(err, ErrMissingFile) {
				break
			}
			if err != nil {
				return out, fmt.Errorf("setting the damaged snapshot file %s aside: %w", f.File, err)
			}
			f.To = fmt.Sprintf("%s%s-%d", f.File, damagedSuffix, i)
		}
		if err := r.be.Rename(ctx, f.File, f.To); err != nil {
			return out, fmt.Errorf("setting the damaged snapshot file %s aside: %w", f.File, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Forget removes the snapshots the policy does not keep, then prunes when
// asked. Times are bucketed in loc (the user's time zone). Damaged snapshot
// files (they cannot be restored and would block forget and prune) are set
// aside first: renamed to <name>.damaged, kept on the drive.
func (r *Repo) Forget(ctx context.Context, p retention.Policy, loc *time.Location, prune bool) (*ForgetResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
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
	aside, err := r.setAsideDamaged(ctx, bad)
	if err != nil {
		return nil, err
	}
	if prune {
		// A snapshot whose list of contents (its manifest) is damaged
		// cannot be restored, and prune cannot tell what it needs: it
		// would stop every prune. Set aside as well.
		more, err := r.setAsideUnrestorable(ctx)
		if err != nil {
			return nil, err
		}
		if len(more) > 0 {
			aside = append(aside, more...)
			if snaps, _, err = r.Snapshots(ctx); err != nil {
				return nil, err
			}
		}
	}
	items := make([]retention.Item, len(snaps))
	for i, s := range snaps {
		items[i] = retention.Item{ID: s.ID, Time: s.Time.In(loc)}
	}
	dec, err := retention.Apply(items, p)
	if err != nil {
		return nil, err
	}
	res := &ForgetResult{Decisions: dec, SetAside: aside}
	for _, d := range dec {
		if d.Keep {
			continue
		}
		if err := r.be.Remove(ctx, snapDir+"/"+d.Item.ID); err != nil {
			return res, err
		}
		res.Removed = append(res.Removed, d.Item.ID)
	}
	if prune {
		res.Prune, err = r.pruneLocked(ctx, false)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// PruneResult says what prune freed.
type PruneResult struct {
	PacksRemoved   int
	PacksRewritten int
	BytesFreed     int64
	KeysRemoved    int
	// NotRewritten counts the packs that should have been rewritten (most
	// of what they hold is no longer needed) but were kept as they are
	// because the drive had no room for the rewritten copies.
	NotRewritten int
	// KeptDamaged counts the packs that were not rewritten because a blob
	// a snapshot needs is damaged in them: kept as they are (verify names
	// them and the snapshots they spoil).
	KeptDamaged int
}

// Prune deletes what no snapshot needs: packs left by interrupted backups,
// packs that hold only unneeded blobs, and old key files. Packs that are
// mostly unneeded are rewritten with only what is still needed, when the
// drive has room for that. It works on a full drive: the deletions that
// need no new file come first, and every step leaves the repository valid
// if it is interrupted.
func (r *Repo) Prune(ctx context.Context) (*PruneResult, error) {
	unlock, err := r.be.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return r.pruneLocked(ctx, false)
}

// pruneLocked prunes under the lock. thorough rewrites every pack that
// holds anything no snapshot needs (not only the mostly unneeded ones): what
// a forgotten snapshot alone held leaves the drive, as forgetting destroyed
// client files requires (ForgetSnapshots).
func (r *Repo) pruneLocked(ctx context.Context, thorough bool) (*PruneResult, error) {
	ix, err := r.loadIndex(ctx)
	if err != nil {
		return nil, err
	}
	if len(ix.bad) > 0 {
		return nil, fmt.Errorf("an index file is damaged, so prune could delete needed data and did nothing (run \"casevault verify\"): %w", ix.bad[0])
	}
	u, err := r.usage(ctx, ix)
	if err != nil {
		return nil, err
	}
	for s, e := range u.broken {
		return nil, fmt.Errorf("snapshot %s cannot be read, so prune did nothing (run \"casevault verify\"): %w", s, e)
	}
	_, bad, err := r.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("a snapshot file is damaged, so prune did nothing (run \"casevault verify\"): %w", bad[0])
	}
	for k := range u.need {
		if _, ok := ix.blobs[k]; !ok {
			return nil, fmt.Errorf("%w: a snapshot needs %s %s, which is in no pack; prune did nothing (run \"casevault verify\")", ErrDamaged, k.Type, k.ID.String()[:12])
		}
	}
	files, err := r.be.List(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	onDisk := map[string]int64{}
	for _, f := range files {
		onDisk[f.Name[strings.LastIndex(f.Name, "/")+1:]] = f.Size
	}
	res := &PruneResult{}
	var keep []packEntry // packs kept as they are
	var drop []string    // packs no snapshot needs anything from
	var rewrite []*packEntry
	changed := false // the index changes
	for _, name := range ix.order {
		pe := ix.packs[name]
		var used, usedBytes int64
		for _, bl := range pe.Blobs {
			if loc := ix.blobs[BlobKey{bl.Type, bl.ID}]; loc.Pack == name && u.need[BlobKey{bl.Type, bl.ID}] != nil {
				used++
				usedBytes += bl.Length
			}
		}
		_, there := onDisk[name]
		switch {
		case !there && used == 0:
			// Deleted by an interrupted prune: the new index leaves it out.
			changed = true
		case !there:
			keep = append(keep, *pe) // damage verify reports: not hidden
		case used == 0:
			drop = append(drop, name)
		case usedBytes*4 < pe.Size*3 || used < int64(len(pe.Blobs)) && (pe.Size < PackSize/4 || thorough):
			// More than a quarter unneeded, or a small pack with unneeded blobs: rewrite.
			rewrite = append(rewrite, pe)
		default:
			keep = append(keep, *pe)
		}
	}
	remove := func(name string, size int64) error {
		if err := r.be.Remove(ctx, name); err != nil {
			return err
		}
		res.PacksRemoved++
		res.BytesFreed += size
		return nil
	}
	// 1. Packs no index names: left by interrupted backups (the lock rules
	// out one running now). Deleting them needs no room.
	for _, f := range files {
		if _, ok := ix.packs[f.Name[strings.LastIndex(f.Name, "/")+1:]]; !ok {
			if err := remove(f.Name, f.Size); err != nil {
				return res, err
			}
		}
	}
	// 2. Packs no snapshot needs anything from, before any new file is
	// written: on a full drive this is what makes room. The index still
	// names them until step 4; an index entry for a pack that is gone is
	// harmless when no snapshot needs a blob of it (restore never reads
	// it, verify and the next backup know it is gone).
	for _, name := range drop {
		if err := remove(packPath(name), ix.packs[name].Size); err != nil {
			return res, err
		}
	}
	// 3. The mostly unneeded packs are rewritten when there is room. With
	// no room they are kept as they are (nothing is lost, less is freed).
	full := false
	newPacks, damagedPacks, err := r.rewritePacks(ctx, ix, u, rewrite)
	if err != nil && !errors.Is(err, ErrTargetFull) {
		return res, err
	}
	if len(damagedPacks) > 0 {
		skip := map[string]bool{}
		for _, pe := range damagedPacks {
			skip[pe.Name] = true
			keep = append(keep, *pe)
		}
		var rest []*packEntry
		for _, pe := range rewrite {
			if !skip[pe.Name] {
				rest = append(rest, pe)
			}
		}
		rewrite, res.KeptDamaged = rest, len(damagedPacks)
	}
	notRewritten := func() {
		for _, pe := range newPacks {
			r.be.Remove(ctx, packPath(pe.Name)) // no index names them
		}
		for _, pe := range rewrite {
			keep = append(keep, *pe)
		}
		res.NotRewritten, rewrite, newPacks, full = len(rewrite), nil, nil, true
	}
	if err != nil {
		// No room to copy them all at once: one pack at a time, the one
		// with the least to copy first. Each rewritten pack is deleted
		// (after a new index that no longer names it) before the next is
		// copied, so a little free room is enough to go on.
		for _, pe := range newPacks {
			r.be.Remove(ctx, packPath(pe.Name)) // no index names them
		}
		newPacks = nil
		need := func(pe *packEntry) (n int64) {
			for _, bl := range pe.Blobs {
				if k := (BlobKey{bl.Type, bl.ID}); ix.blobs[k].Pack == pe.Name && u.need[k] != nil {
					n += bl.Length
				}
			}
			return n
		}
		sort.SliceStable(rewrite, func(i, j int) bool { return need(rewrite[i]) < need(rewrite[j]) })
		todo := rewrite
		rewrite = nil
		var done []packEntry
		for i, pe := range todo {
			np, dmg, err := r.rewritePacks(ctx, ix, u, []*packEntry{pe})
			if len(dmg) > 0 {
				keep = append(keep, *pe)
				res.KeptDamaged++
				continue
			}
			if err == nil {
				all := append(append(append([]packEntry(nil), keep...), done...), np...)
				for _, rest := range todo[i+1:] {
					all = append(all, *rest)
				}
				err = r.replaceIndex(ctx, ix, all)
			}
			if err != nil {
				for _, p := range np {
					r.be.Remove(ctx, packPath(p.Name)) // no index names them
				}
				if !errors.Is(err, ErrTargetFull) {
					return res, err
				}
				rewrite = todo[i:] // kept as they are
				break
			}
			done = append(done, np...)
			changed, drop = false, nil // the new index has left them out
			if err := remove(packPath(pe.Name), pe.Size); err != nil {
				return res, err
			}
			res.PacksRewritten++
		}
		keep = append(keep, done...)
		if len(rewrite) > 0 {
			notRewritten()
		}
	}
	// 4. One new index of everything kept, then the old index files go.
	// With no room even for that, the old index stays: it is still valid
	// (it names the packs deleted above, which no snapshot needs).
	if len(ix.files) > 1 || changed || len(drop) > 0 || len(rewrite) > 0 {
		all := append(append([]packEntry(nil), keep...), newPacks...)
		switch err := r.replaceIndex(ctx, ix, all); {
		case errors.Is(err, ErrTargetFull):
			notRewritten()
		case err != nil:
			return res, err
		}
	}
	// 5. The packs that were rewritten: no index names them now.
	for _, pe := range rewrite {
		if err := remove(packPath(pe.Name), pe.Size); err != nil {
			return res, err
		}
		res.PacksRewritten++
	}
	// Key files no snapshot names, except the newest: an old passphrase
	// stops opening the repository once no snapshot needs its header.
	keys, err := r.be.List(ctx, keysDir)
	if err != nil {
		return res, err
	}
	used := map[string]bool{}
	for _, s := range u.snaps {
		used[s.Header] = true
	}
	for i, f := range keys {
		if i == len(keys)-1 || used[f.Name] {
			continue
		}
		if err := r.be.Remove(ctx, f.Name); err != nil && !errors.Is(err, ErrMissingFile) {
			return res, err
		}
		res.KeysRemoved++
	}
	r.be.RemoveTemps(ctx)
	if full && res.BytesFreed == 0 {
		return res, fmt.Errorf("%w, and prune could free nothing: everything on it is needed by the snapshots that are kept, and there is no room to rewrite the packs that are partly needed", ErrTargetFull)
	}
	return res, nil
}

// replaceIndex writes one new index file of the packs in all, then deletes
// the index files ix.files names (all but the new one) and makes ix.files
// the new one. When the new file cannot be written, the old ones stay.
func (r *Repo) replaceIndex(ctx context.Context, ix *index, all []packEntry) error {
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	b, err := sealFile(r.keys, indexMagic, purposeIndex, indexFile{Packs: all})
	if err != nil {
		return err
	}
	newName := indexDir + "/" + fileName(b)
	if err := r.be.Save(ctx, newName, b); err != nil {
		return err
	}
	for _, f := range ix.files {
		if f != newName {
			if err := r.be.Remove(ctx, f); err != nil {
				return err
			}
		}
	}
	ix.files = []string{newName}
	return nil
}

// rewritePacks copies what snapshots still need from the packs in rewrite
// into new packs, and returns the new packs (also those written before an
// error). A pack with a needed blob that is damaged (or a truncated pack) is
// not rewritten: it is returned in damaged and kept as it is, so that the
// damage stays where verify reports it and does not stop the prune.
func (r *Repo) rewritePacks(ctx context.Context, ix *index, u *usage, rewrite []*packEntry) (packs []packEntry, damagedPacks []*packEntry, err error) {
	w := &packWriter{r: r, ctx: ctx}
	written := map[BlobKey]bool{}
	type blob struct {
		k   BlobKey
		raw []byte
	}
	for _, pe := range rewrite {
		name := packPath(pe.Name)
		b, err := r.be.Load(ctx, name)
		if err != nil {
			return w.packs, damagedPacks, err
		}
		var copies []blob
		ok := true
		for _, bl := range pe.Blobs {
			k := BlobKey{bl.Type, bl.ID}
			if u.need[k] == nil || written[k] || ix.blobs[k].Pack != pe.Name {
				continue
			}
			if bl.Offset+bl.Length > int64(len(b)) {
				ok = false
				break
			}
			raw := b[bl.Offset : bl.Offset+bl.Length]
			if err := checkBlob(r.keys, name, bl, raw); err != nil {
				if !errors.Is(err, vault.ErrDamaged) && !errors.Is(err, ErrDamaged) {
					return w.packs, damagedPacks, err
				}
				ok = false
				break
			}
			copies = append(copies, blob{k, append([]byte(nil), raw...)})
		}
		if !ok {
			damagedPacks = append(damagedPacks, pe)
			continue
		}
		for _, c := range copies {
			if err := w.add(c.k, c.raw); err != nil {
				return w.packs, damagedPacks, err
			}
			written[c.k] = true
		}
	}
	err = w.flush()
	return w.packs, damagedPacks, err
}

// RecordDrill stores the result of a restore drill in the repository.
func (r *Repo) RecordDrill(ctx context.Context, d *DrillRecord) error {
	unlock, err := r.be.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	if d.Host == "" {
		d.Host = r.opts.Host
	}
	b, err := sealFile(r.keys, drillMagic, purposeDrill, d)
	if err != nil {
		return err
	}
	d.ID = fileName(b)
	return r.be.Save(ctx, drillDir+"/"+d.ID, b)
}

// Drills returns the recorded restore drills, oldest first. Files that are
// not drill records (a ".DS_Store" on a stick) are skipped, and so are
// damaged ones: a drill record is a report, not backup data.
func (r *Repo) Drills(ctx context.Context) ([]*DrillRecord, error) {
	files, err := r.be.List(ctx, drillDir)
	if err != nil {
		return nil, err
	}
	var out []*DrillRecord
	for _, f := range files {
		if !isHexName(strings.TrimPrefix(f.Name, drillDir+"/"), 32) {
			continue
		}
		b, err := r.be.Load(ctx, f.Name)
		if err != nil {
			return nil, err
		}
		var d DrillRecord
		if err := openFile(r.keys, f.Name, drillMagic, purposeDrill, b, &d); err != nil {
			continue
		}
		d.ID = strings.TrimPrefix(f.Name, drillDir+"/")
		out = append(out, &d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}
