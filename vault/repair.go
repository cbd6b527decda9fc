package vault

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// QuarantineDir holds what a repair set aside, one folder per repair. Nothing
// in it is ever read by casevault again, and nothing in it is deleted.
const QuarantineDir = "quarantine"

// VersionRepair says what RepairVersions did.
type VersionRepair struct {
	From, To   uint64    // the checkpoint the manifest named before, and after
	ToTime     time.Time // when the checkpoint now in use was written
	Newest     uint64    // the newest checkpoint generation found in the folder
	Recovered  bool      // the newest version found is the one now in use
	SetAside   []string  // files moved into Quarantine (relative to the vault folder)
	Quarantine string    // the folder they were moved to ("" if none)
	// ManifestRestored: the manifest was damaged or missing and its copy
	// (manifests/<To>) was put back; the damaged one is in Quarantine.
	ManifestRestored bool
}

// RepairVersions brings a folder that mixes two versions of the vault (see
// MixedVersionsError) back to one: the newest checkpoint whose manifest copy
// and chunks are all intact becomes the manifest. The files of the other
// version (the older manifest and logs, and newer files that cannot be used)
// are moved into a quarantine folder, never deleted. Call it on a vault that
// Open returned and that has not been loaded. A folder that does not mix
// versions is left as it is (From == To, nothing set aside).
func (v *Vault) RepairVersions(ctx context.Context) (*VersionRepair, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return nil, ErrClosed
	}
	if v.readOnly {
		return nil, ErrReadOnly
	}
	if err := v.keys.hold(); err != nil {
		return nil, err
	}
	defer v.keys.unhold()
	var rep *VersionRepair
	err := v.keys.withAEAD(func(a cipher.AEAD) error {
		cur, err := v.readManifest(a)
		var de *DamagedError
		if (err != nil && errors.As(err, &de)) || (err == nil && cur == nil) {
			// The manifest is damaged or missing: put back its copy.
			put, q, perr := v.restoreManifestCopyLocked(a)
			if perr != nil {
				return perr
			}
			if put == nil {
				if err == nil {
					err = damaged(filepath.Join(v.dir, ManifestFile), "the manifest is missing")
				}
				return err
			}
			cur, err = put, nil
			rep = &VersionRepair{ManifestRestored: true, Quarantine: q}
		}
		if err != nil {
			return err
		}
		if rep == nil {
			rep = &VersionRepair{}
		}
		rep.From, rep.To, rep.ToTime, rep.Newest = cur.Seq, cur.Seq, cur.Created, cur.Seq
		mixed := v.newerVersionsLocked(a, cur)
		if mixed == nil {
			return nil
		}
		rep.Newest = mixed.Newer
		// The newest manifest copy that is intact, with all its chunks.
		copies := listGens(filepath.Join(v.dir, ManifestsDir), "")
		var gens []uint64
		for g := range copies {
			if g > cur.Seq {
				gens = append(gens, g)
			}
		}
		sort.Slice(gens, func(i, j int) bool { return gens[i] > gens[j] })
		var use *Checkpoint
		var useBytes []byte
		for _, g := range gens {
			if err := ctx.Err(); err != nil {
				return err
			}
			cp, err := v.readManifestCopy(a, g)
			if err != nil || v.checkChunksLocked(a, cp) != nil {
				continue
			}
			b, err := os.ReadFile(v.manifestCopyPath(g))
			if err != nil {
				continue
			}
			use, useBytes = cp, b
			break
		}
		var moves []string
		keep := cur
		if use != nil {
			keep = use
		}
		// Every log and manifest copy that is not the chosen checkpoint's.
		for g, name := range listGens(filepath.Join(v.dir, LogDir), ".log") {
			if g != keep.LogGen {
				moves = append(moves, LogDir+"/"+name)
			}
		}
		for g, name := range copies {
			if g != keep.Seq {
				moves = append(moves, ManifestsDir+"/"+name)
			}
		}
		if use != nil {
			// The chunks only the set-aside manifest names go with it: the
			// next checkpoint's sweep would delete them, and the other
			// version may hold changes the kept one lacks (two copies that
			// went different ways).
			kept := map[ObjectRef]bool{}
			for _, o := range keep.AllObjects() {
				kept[o] = true
			}
			for _, o := range cur.AllObjects() {
				if kept[o] {
					continue
				}
				kept[o] = true
				if _, err := os.Stat(v.objectPath(o.Kind, o.ID)); err == nil {
					rel, err := filepath.Rel(v.dir, v.objectPath(o.Kind, o.ID))
					if err == nil {
						moves = append(moves, filepath.ToSlash(rel))
					}
				}
			}
		}
		sort.Strings(moves)
		var manifestCopy []byte
		if use != nil {
			// The manifest is replaced last, atomically, so that a crash
			// part way leaves a folder this repair can run on again; the
			// older one is kept as a copy.
			if manifestCopy, err = os.ReadFile(filepath.Join(v.dir, ManifestFile)); err != nil {
				return fmt.Errorf("reading manifest: %w", err)
			}
		}
		q, err := v.quarantineLocked(moves, map[string][]byte{ManifestFile: manifestCopy})
		if err != nil {
			return err
		}
		rep.SetAside = moves
		if q != "" {
			rep.Quarantine = q
		}
		if use != nil {
			rep.SetAside = append([]string{ManifestFile}, moves...)
			if err := writeFileAtomic(v.fs, filepath.Join(v.dir, ManifestFile), useBytes); err != nil {
				return fmt.Errorf("bringing back checkpoint %d: %w", use.Seq, err)
			}
			rep.To, rep.ToTime = use.Seq, use.Created
		}
		rep.Recovered = keep.Seq == rep.Newest
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// restoreManifestCopyLocked replaces a damaged or missing manifest with the
// newest intact copy under manifests/ whose chunks are all intact, keeping
// the damaged manifest (if any) in a new quarantine folder. It returns the
// checkpoint put back, or nil when no copy is usable.
func (v *Vault) restoreManifestCopyLocked(a cipher.AEAD) (*Checkpoint, string, error) {
	var gens []uint64
	for g := range listGens(filepath.Join(v.dir, ManifestsDir), "") {
		gens = append(gens, g)
	}
	sort.Slice(gens, func(i, j int) bool { return gens[i] > gens[j] })
	for _, g := range gens {
		cp, err := v.readManifestCopy(a, g)
		if err != nil || v.checkChunksLocked(a, cp) != nil {
			continue
		}
		b, err := os.ReadFile(v.manifestCopyPath(g))
		if err != nil {
			continue
		}
		var q string
		if old, err := os.ReadFile(filepath.Join(v.dir, ManifestFile)); err == nil {
			if q, err = v.quarantineLocked(nil, map[string][]byte{ManifestFile: old}); err != nil {
				return nil, "", err
			}
		}
		if err := writeFileAtomic(v.fs, filepath.Join(v.dir, ManifestFile), b); err != nil {
			return nil, "", fmt.Errorf("putting back the manifest's copy: %w", err)
		}
		return cp, q, nil
	}
	return nil, "", nil
}

// checkChunksLocked reads and authenticates every chunk and object cp names.
func (v *Vault) checkChunksLocked(a cipher.AEAD, cp *Checkpoint) error {
	var size int64
	for _, id := range cp.Chunks {
		chunk, err := v.getLocked(a, KindDBChunk, id)
		if err != nil {
			return err
		}
		size += int64(len(chunk))
	}
	if size != cp.ImageSize {
		return damaged(filepath.Join(v.dir, ManifestsDir, manifestCopyName(cp.Seq)), "its chunks hold %d bytes, not %d", size, cp.ImageSize)
	}
	for _, o := range cp.Objects {
		if _, err := v.getLocked(a, o.Kind, o.ID); err != nil {
			return err
		}
	}
	return nil
}

// quarantineLocked moves the files named (relative to the vault folder) into
// a new folder quarantine/<UTC time>/ under the same relative names, writes
// the non-nil contents given under their names there, and makes all of it
// durable. It returns the folder ("" when there is nothing to keep).
func (v *Vault) quarantineLocked(names []string, contents map[string][]byte) (string, error) {
	n := len(names)
	for _, b := range contents {
		if b != nil {
			n++
		}
	}
	if n == 0 {
		return "", nil
	}
	root := filepath.Join(v.dir, QuarantineDir)
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("creating the quarantine folder: %w", err)
	}
	stamp := time.Now().UTC().Format("20060102-150405")
	q := filepath.Join(root, stamp)
	for i := 2; ; i++ {
		err := os.Mkdir(q, 0o700)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("creating the quarantine folder: %w", err)
		}
		q = filepath.Join(root, fmt.Sprintf("%s-%d", stamp, i))
	}
	dirs := map[string]bool{v.dir: true, root: true}
	for name, b := range contents {
		if b == nil {
			continue
		}
		dst := filepath.Join(q, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return q, fmt.Errorf("keeping a copy of %s: %w", name, err)
		}
		if err := writeFileDurable(dst, b); err != nil {
			return q, fmt.Errorf("keeping a copy of %s: %w", name, err)
		}
		dirs[filepath.Dir(dst)] = true
	}
	for _, name := range names {
		src := filepath.Join(v.dir, filepath.FromSlash(name))
		dst := filepath.Join(q, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return q, fmt.Errorf("setting %s aside: %w", name, err)
		}
		if err := os.Rename(src, dst); err != nil {
			return q, fmt.Errorf("setting %s aside: %w", name, err)
		}
		dirs[filepath.Dir(src)] = true
		dirs[filepath.Dir(dst)] = true
	}
	dirs[q] = true
	if err := syncDirs(v.fs, dirs); err != nil {
		return q, err
	}
	return q, nil
}

// CheckObjects reads and authenticates every object other than the
// database's chunks that the manifest names (sealed audit segments), which
// opening the vault does not read. It returns the first damaged or missing
// one's *DamagedError, and nil when the manifest itself cannot be read (the
// open reports that).
func (v *Vault) CheckObjects() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return ErrClosed
	}
	return v.keys.withAEAD(func(a cipher.AEAD) error {
		cp, err := v.readManifest(a)
		if err != nil || cp == nil {
			return nil
		}
		for _, o := range cp.Objects {
			if _, err := v.getLocked(a, o.Kind, o.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
