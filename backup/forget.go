package backup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"casevault/backup/retention"
)

// ForgetResult says what forget (and prune) did.
type ForgetResult struct {
	Decisions []retention.Decision
	Removed   []string // snapshot ids removed
	Prune     *PruneResult
}

// Forget removes the snapshots the policy does not keep, then prunes when
// asked. Times are bucketed in loc (the user's time zone).
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
	if len(bad) > 0 {
		return nil, fmt.Errorf("some snapshot files are damaged, so nothing was removed (run \"casevault verify\"): %w", bad[0])
	}
	items := make([]retention.Item, len(snaps))
	for i, s := range snaps {
		items[i] = retention.Item{ID: s.ID, Time: s.Time.In(loc)}
	}
	dec, err := retention.Apply(items, p)
	if err != nil {
		return nil, err
	}
	res := &ForgetResult{Decisions: dec}
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
		res.Prune, err = r.pruneLocked(ctx)
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
}

// Prune deletes what no snapshot needs: packs that hold only unneeded
// blobs, packs left by interrupted backups, and old key files. Packs that
// are mostly unneeded are rewritten with only what is still needed. New
// files are written before old ones are deleted, so an interrupted prune
// leaves the repository valid.
func (r *Repo) Prune(ctx context.Context) (*PruneResult, error) {
	unlock, err := r.be.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return r.pruneLocked(ctx)
}

func (r *Repo) pruneLocked(ctx context.Context) (*PruneResult, error) {
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
	res := &PruneResult{}
	var keep []packEntry // packs kept as they are
	var drop []string    // packs to delete
	var rewrite []*packEntry
	for _, name := range ix.order {
		pe := ix.packs[name]
		var used, usedBytes int64
		for _, bl := range pe.Blobs {
			if loc := ix.blobs[BlobKey{bl.Type, bl.ID}]; loc.Pack == name && u.need[BlobKey{bl.Type, bl.ID}] != nil {
				used++
				usedBytes += bl.Length
			}
		}
		switch {
		case used == 0:
			drop = append(drop, name)
		case usedBytes*4 < pe.Size*3 || used < int64(len(pe.Blobs)) && pe.Size < PackSize/4:
			// More than a quarter unneeded, or a small pack with unneeded blobs: rewrite.
			rewrite = append(rewrite, pe)
		default:
			keep = append(keep, *pe)
		}
	}
	w := &packWriter{r: r, ctx: ctx}
	written := map[BlobKey]bool{}
	for _, pe := range rewrite {
		name := packPath(pe.Name)
		b, err := r.be.Load(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, bl := range pe.Blobs {
			k := BlobKey{bl.Type, bl.ID}
			if u.need[k] == nil || written[k] || ix.blobs[k].Pack != pe.Name {
				continue
			}
			if bl.Offset+bl.Length > int64(len(b)) {
				return nil, damaged(name, "the pack is truncated; prune stopped before deleting anything")
			}
			raw := b[bl.Offset : bl.Offset+bl.Length]
			if err := checkBlob(r.keys, name, bl, raw); err != nil {
				return nil, fmt.Errorf("prune stopped before deleting anything: %w", err)
			}
			if err := w.add(k, append([]byte(nil), raw...)); err != nil {
				return nil, err
			}
			written[k] = true
		}
		drop = append(drop, pe.Name)
		res.PacksRewritten++
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	keep = append(keep, w.packs...)
	// One new index of everything kept, then the old index files go.
	if len(ix.files) > 1 || len(drop) > 0 || len(w.packs) > 0 {
		sort.Slice(keep, func(i, j int) bool { return keep[i].Name < keep[j].Name })
		b, err := sealFile(r.keys, indexMagic, purposeIndex, indexFile{Packs: keep})
		if err != nil {
			return nil, err
		}
		newName := indexDir + "/" + fileName(b)
		if err := r.be.Save(ctx, newName, b); err != nil {
			return nil, err
		}
		for _, f := range ix.files {
			if f != newName {
				if err := r.be.Remove(ctx, f); err != nil {
					return res, err
				}
			}
		}
	}
	for _, name := range drop {
		res.BytesFreed += ix.packs[name].Size
		if err := r.be.Remove(ctx, packPath(name)); err != nil {
			return res, err
		}
		res.PacksRemoved++
	}
	// Packs no index names: left by interrupted backups (the lock rules out
	// one running now).
	files, err := r.be.List(ctx, dataDir)
	if err != nil {
		return res, err
	}
	live := map[string]bool{}
	for _, pe := range keep {
		live[pe.Name] = true
	}
	for _, f := range files {
		name := f.Name[strings.LastIndex(f.Name, "/")+1:]
		if !live[name] {
			if err := r.be.Remove(ctx, f.Name); err != nil {
				return res, err
			}
			res.PacksRemoved++
			res.BytesFreed += f.Size
		}
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
	return res, nil
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
