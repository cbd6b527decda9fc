package backup

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"casevault/vault"
)

// usage says which blobs and packs each snapshot needs.
type usage struct {
	snaps  []*Snapshot
	need   map[BlobKey][]string       // blob -> short ids of the snapshots that need it
	byPack map[string]map[string]bool // pack name -> short ids
	broken map[string]error           // short id -> why its content list could not be read
	// unindexed: short ids of the snapshots that need a blob no readable
	// index file lists (the ones a damaged index file affects)
	unindexed map[string]bool
}

func (r *Repo) usage(ctx context.Context, ix *index) (*usage, error) {
	snaps, _, err := r.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	u := &usage{snaps: snaps, need: map[BlobKey][]string{}, byPack: map[string]map[string]bool{}, broken: map[string]error{},
		unindexed: map[string]bool{}}
	add := func(k BlobKey, s *Snapshot) {
		u.need[k] = append(u.need[k], s.Short())
		if loc, ok := ix.blobs[k]; ok {
			if u.byPack[loc.Pack] == nil {
				u.byPack[loc.Pack] = map[string]bool{}
			}
			u.byPack[loc.Pack][s.Short()] = true
		} else {
			u.unindexed[s.Short()] = true
		}
	}
	for _, s := range snaps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		add(BlobKey{BlobManifest, s.Manifest}, s)
		for _, id := range s.Log {
			add(BlobKey{BlobLog, id}, s)
		}
		raw, name, err := r.readBlob(ctx, ix, BlobKey{BlobManifest, s.Manifest})
		if err != nil {
			u.broken[s.Short()] = err
			continue
		}
		man, err := openBlob(r.keys, name, BlobManifest, s.Manifest, raw)
		if err != nil {
			u.broken[s.Short()] = err
			continue
		}
		cp, err := r.keys.OpenManifest(name, man)
		if err != nil {
			u.broken[s.Short()] = damaged(name, "%v", err)
			continue
		}
		for _, o := range cp.AllObjects() {
			t, ok := blobOfKind(o.Kind)
			if !ok {
				u.broken[s.Short()] = damaged(name, "the manifest lists an object of kind %d", o.Kind)
				break
			}
			add(BlobKey{t, o.ID}, s)
		}
	}
	return u, nil
}

// snapshotsOfFile lists the snapshots that need a repository file.
func (u *usage) snapshotsOfFile(file string) []string {
	var out []string
	switch {
	case strings.HasPrefix(file, dataDir+"/"):
		name := file[strings.LastIndex(file, "/")+1:]
		for s := range u.byPack[name] {
			out = append(out, s)
		}
	case strings.HasPrefix(file, snapDir+"/"):
		id := strings.TrimPrefix(file, snapDir+"/")
		if len(id) >= 8 {
			out = append(out, id[:8])
		}
	case file == indexDir || strings.HasPrefix(file, indexDir+"/"):
		for s := range u.unindexed {
			out = append(out, s)
		}
	case strings.HasPrefix(file, keysDir+"/"):
		for _, s := range u.snaps {
			if s.Header == file {
				out = append(out, s.Short())
			}
		}
	}
	sort.Strings(out)
	return out
}

// VerifyOptions choose how much verify reads.
type VerifyOptions struct {
	// ReadData decrypts and authenticates every blob of every pack.
	ReadData bool
	// SubsetPercent, when above 0, reads that share of the packs (chosen at
	// random) instead of all of them.
	SubsetPercent float64
}

// Problem is one thing verify found wrong.
type Problem struct {
	File      string   `json:"file"`
	Reason    string   `json:"reason"`
	Snapshots []string `json:"snapshots,omitempty"` // snapshots that cannot be restored because of it
	// Blobs are the damaged blobs, when the damage is in blobs of a pack
	// (a document chunk's id lets the caller say which document it
	// belongs to, as DamagedError.Blobs does).
	Blobs []BlobKey `json:"-"`
}

func (p Problem) String() string {
	s := p.File + ": " + p.Reason
	if len(p.Snapshots) > 0 {
		s += " (affects " + snapshotWord(len(p.Snapshots)) + " " + strings.Join(p.Snapshots, ", ") + ")"
	}
	return s
}

// VerifyReport is what verify checked and found.
type VerifyReport struct {
	Snapshots    int           `json:"snapshots"`
	Packs        int           `json:"packs"`
	Blobs        int           `json:"blobs"`
	PacksRead    int           `json:"packs_read"`
	BytesRead    int64         `json:"bytes_read"`
	Problems     []Problem     `json:"problems"`
	Unreferenced []string      `json:"unreferenced,omitempty"` // packs no index names: left by an interrupted backup
	Gone         []string      `json:"gone,omitempty"`         // packs an index names that are gone, which no snapshot needs: left by an interrupted prune
	Healthy      []string      `json:"healthy_snapshots"`      // snapshots with no problem found
	Duration     time.Duration `json:"duration_ns"`
}

// Verify checks the repository's structure: every snapshot, index and key
// file authenticates, and every blob a snapshot needs is listed in a pack
// that exists with its recorded size. With ReadData it also reads packs and
// authenticates every blob. It returns an error wrapping ErrDamaged when it
// finds problems; the report names each damaged file and the snapshots it
// affects.
func (r *Repo) Verify(ctx context.Context, opts VerifyOptions, progress ProgressFunc) (*VerifyReport, error) {
	var res *VerifyReport
	err := r.keys.Hold(func() error {
		var err error
		res, err = r.verifyHeld(ctx, opts, progress)
		return err
	})
	return res, err
}

func (r *Repo) verifyHeld(ctx context.Context, opts VerifyOptions, progress ProgressFunc) (*VerifyReport, error) {
	start := time.Now()
	if progress == nil {
		progress = func(Progress) {}
	}
	rep := &VerifyReport{Problems: []Problem{}}
	ix, err := r.loadIndex(ctx)
	if err != nil {
		return nil, err
	}
	u, err := r.usage(ctx, ix)
	if err != nil {
		return nil, err
	}
	problem := func(e error) {
		var de *DamagedError
		if errors.As(e, &de) {
			snaps := de.Snapshots
			if len(snaps) == 0 {
				snaps = u.snapshotsOfFile(de.File)
			}
			rep.Problems = append(rep.Problems, Problem{File: de.File, Reason: de.Reason, Snapshots: snaps, Blobs: de.Blobs()})
			return
		}
		rep.Problems = append(rep.Problems, Problem{File: r.dir, Reason: e.Error()})
	}
	if r.noConfig {
		rep.Problems = append(rep.Problems, Problem{File: configFile,
			Reason: "the file is missing; the key files still open the backup and every snapshot can be restored, but a backup to it needs a new config file"})
	}
	for _, e := range ix.bad {
		problem(e)
	}
	_, bad, err := r.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range bad {
		problem(e)
	}
	rep.Snapshots = len(u.snaps)
	rep.Packs = len(ix.packs)
	rep.Blobs = len(ix.blobs)

	// Each snapshot's key file, content list and blobs.
	bad1 := map[string]bool{}
	keyChecked := map[string]bool{}
	for _, s := range u.snaps {
		if !keyChecked[s.Header] {
			keyChecked[s.Header] = true
			if b, err := r.be.Load(ctx, s.Header); err != nil {
				problem(damaged(s.Header, "the key file is missing or unreadable: %v", err))
			} else if err := checkKeyFile(s.Header, b); err != nil {
				problem(err)
			}
		}
		if e := u.broken[s.Short()]; e != nil {
			var de *DamagedError
			if errors.As(e, &de) {
				de.Snapshots = []string{s.Short()}
			}
			problem(e)
			bad1[s.Short()] = true
		}
	}
	var missingBlobs []string
	for k, snaps := range u.need {
		if _, ok := ix.blobs[k]; !ok {
			missingBlobs = append(missingBlobs, fmt.Sprintf("%s %s", k.Type, k.ID.String()[:12]))
			for _, s := range snaps {
				bad1[s] = true
			}
		}
	}
	if len(missingBlobs) > 0 {
		sort.Strings(missingBlobs)
		var snaps []string
		for s := range bad1 {
			snaps = append(snaps, s)
		}
		sort.Strings(snaps)
		rep.Problems = append(rep.Problems, Problem{File: ix.damagedIndexFile(), Reason: fmt.Sprintf("%s in no pack, for example %s", count(len(missingBlobs), "object that snapshots need is", "objects that snapshots need are"), missingBlobs[0]), Snapshots: snaps})
	}

	// Packs on disk against the index.
	files, err := r.be.List(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	onDisk := map[string]int64{}
	for _, f := range files {
		name := f.Name[strings.LastIndex(f.Name, "/")+1:]
		onDisk[name] = f.Size
		if _, ok := ix.packs[name]; !ok {
			rep.Unreferenced = append(rep.Unreferenced, f.Name)
		}
	}
	for _, name := range ix.order {
		pe := ix.packs[name]
		size, ok := onDisk[name]
		switch {
		case !ok && len(u.byPack[name]) == 0 && len(u.broken) == 0 && len(bad) == 0 && len(ix.bad) == 0:
			// No snapshot needs anything from it: deleted by a prune that
			// was interrupted before it wrote the index without it.
			rep.Gone = append(rep.Gone, packPath(name))
		case !ok:
			problem(damaged(packPath(name), "the pack file is missing"))
		case size != pe.Size:
			problem(damaged(packPath(name), "the pack has %d bytes, the index says %d (truncated or changed)", size, pe.Size))
		}
	}

	if opts.ReadData || opts.SubsetPercent > 0 {
		r.readData(ctx, ix, u, opts, rep, problem, progress)
	}
	if opts.ReadData {
		// Each snapshot's redo log, put together from its pieces, must
		// authenticate record by record, as a restore will check it.
		for _, s := range u.snaps {
			if bad1[s.Short()] {
				continue
			}
			parts, _, err := r.snapshotParts(ctx, ix, s)
			if err == nil {
				_, err = r.keys.CheckLog(snapDir+"/"+s.ID, s.LogGen, parts.Log)
			}
			if err != nil {
				var de *DamagedError
				if !errors.As(err, &de) {
					err = damaged(snapDir+"/"+s.ID, "its redo log does not authenticate: %v", err)
				} else if len(de.blobs) > 0 {
					// A blob of this snapshot: the snapshots that need that
					// blob, not every snapshot that uses its pack.
					de.Snapshots = u.snapshotsOfBlobs(de.blobs)
				}
				problem(err)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	affected := map[string]bool{}
	for _, p := range rep.Problems {
		for _, s := range p.Snapshots {
			affected[s] = true
		}
	}
	for _, s := range u.snaps {
		if !affected[s.Short()] {
			rep.Healthy = append(rep.Healthy, s.Short())
		}
	}
	rep.Duration = time.Since(start)
	if len(rep.Problems) > 0 {
		// Reads that failed because the drive went away are not damage.
		if _, err := r.be.Load(ctx, configFile); errors.Is(err, ErrTargetGone) {
			return nil, err
		}
		return rep, fmt.Errorf("%w: %d problem(s) found; the first: %s", ErrDamaged, len(rep.Problems), rep.Problems[0])
	}
	return rep, nil
}

func (r *Repo) readData(ctx context.Context, ix *index, u *usage, opts VerifyOptions, rep *VerifyReport, problem func(error), progress ProgressFunc) {
	packs := append([]string(nil), ix.order...)
	if !opts.ReadData && opts.SubsetPercent < 100 {
		rand.Shuffle(len(packs), func(i, j int) { packs[i], packs[j] = packs[j], packs[i] })
		n := int(float64(len(packs))*opts.SubsetPercent/100 + 0.999)
		packs = packs[:min(n, len(packs))]
		sort.Strings(packs)
	}
	p := Progress{Phase: "Reading the backup", TotalObjects: len(packs)}
	for _, name := range packs {
		p.TotalBytes += ix.packs[name].Size
	}
	progress(p)
	for _, name := range packs {
		if ctx.Err() != nil {
			return
		}
		pe := ix.packs[name]
		file := packPath(name)
		b, err := r.be.Load(ctx, file)
		p.Objects++
		p.Bytes = min(p.Bytes+pe.Size, p.TotalBytes)
		progress(p)
		if err != nil {
			if errors.Is(err, ErrMissingFile) {
				continue // reported by the structure check
			}
			problem(damaged(file, "cannot be read: %v", err))
			continue
		}
		rep.PacksRead++
		rep.BytesRead += int64(len(b))
		// Each blob on its own: a damaged blob affects exactly the
		// snapshots that need it (and only when the index points to this
		// copy of it), not every snapshot that uses the pack.
		var badBlobs []BlobKey
		var example string
		truncated := false
		for _, bl := range pe.Blobs {
			k := BlobKey{bl.Type, bl.ID}
			var berr error
			if bl.Offset+bl.Length > int64(len(b)) {
				berr = damaged(file, "the pack is truncated (%d bytes)", len(b))
				truncated = true
			} else {
				berr = checkBlob(r.keys, file, bl, b[bl.Offset:bl.Offset+bl.Length])
			}
			if berr == nil {
				continue
			}
			if !errors.Is(berr, vault.ErrDamaged) && !errors.Is(berr, ErrDamaged) {
				problem(berr)
				continue
			}
			if example == "" {
				example = fmt.Sprintf("%s %s", bl.Type, bl.ID.String()[:12])
			}
			badBlobs = append(badBlobs, k)
		}
		// Damage outside the blobs (the pack's name, its trailer) does
		// not stop a restore, which reads the blobs the index lists and
		// authenticates each one.
		var whole []string
		if fileName(b) != name {
			whole = append(whole, "its content does not match its name")
		}
		if tr, err := decodePackTrailer(r.keys, file, b); err != nil {
			var de *DamagedError
			if errors.As(err, &de) {
				whole = append(whole, de.Reason)
			} else {
				whole = append(whole, err.Error())
			}
		} else if len(tr) != len(pe.Blobs) {
			whole = append(whole, fmt.Sprintf("the pack lists %d blobs, the index %d", len(tr), len(pe.Blobs)))
		}
		switch {
		case len(badBlobs) > 0:
			var used []BlobKey
			for _, k := range badBlobs {
				if ix.blobs[k].Pack == name {
					used = append(used, k)
				}
			}
			reason := count(len(badBlobs), "object in it is damaged (it does", "objects in it are damaged (they do") +
				" not authenticate: changed or cut short), for example " + example
			if truncated {
				reason = fmt.Sprintf("the pack is cut short (%d bytes): %s, for example %s", len(b),
					count(len(badBlobs), "object in it cannot be read or does not authenticate", "objects in it cannot be read or do not authenticate"), example)
			}
			rep.Problems = append(rep.Problems, Problem{File: file, Reason: reason, Snapshots: u.snapshotsOfBlobs(used), Blobs: badBlobs})
		case len(whole) > 0:
			rep.Problems = append(rep.Problems, Problem{File: file,
				Reason: strings.Join(whole, "; ") + "; every blob in it still authenticates, so no snapshot is affected"})
		}
	}
}

// snapshotsOfBlobs lists, sorted, the snapshots that need any of blobs.
func (u *usage) snapshotsOfBlobs(blobs []BlobKey) []string {
	set := map[string]bool{}
	for _, k := range blobs {
		for _, s := range u.need[k] {
			set[s] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// count is "1 object" or "2 objects".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// snapshotWord is "snapshot" or "snapshots" for n of them.
func snapshotWord(n int) string {
	if n == 1 {
		return "snapshot"
	}
	return "snapshots"
}
