package vault

import (
	"crypto/cipher"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file keeps two versions of a vault folder from mixing silently
// (docs/FORMAT.md, "Versions of a vault folder"). An older copy of the folder
// copied over the live one (cp -a, rsync without --delete, a file-history
// restore, a sync tool) overwrites the files whose names both versions share
// (header, manifest, the log of the same generation) and leaves the newer
// version's other files in place: later log generations, later manifest
// copies, newer chunk objects. A crash can never leave a log or a manifest
// copy of a generation above the manifest's, so finding one means two
// versions are mixed: Open refuses, and deletes nothing.

// ManifestsDir holds a copy of the current manifest under its generation
// number, written after each checkpoint commits. It survives a copy-back of
// an older folder (its name is newer), so the newest state can be found and
// brought back by Repair.
const ManifestsDir = "manifests"

// ErrMixedVersions: the folder holds files of two versions of the vault.
var ErrMixedVersions = errors.New("this folder mixes two versions of the vault")

// MixedVersionsError says which versions a vault folder mixes.
type MixedVersionsError struct {
	Dir         string
	Current     uint64    // the checkpoint the manifest names
	CurrentTime time.Time // when it was written
	Newer       uint64    // the newest checkpoint generation found in the folder
	NewerTime   time.Time // when it was written; zero if its manifest copy is missing or unreadable
	Files       []string  // the newer version's files that prove it (relative to Dir)
}

func (e *MixedVersionsError) Error() string {
	newer := fmt.Sprintf("checkpoint %d", e.Newer)
	if !e.NewerTime.IsZero() {
		newer += " of " + e.NewerTime.UTC().Format("2006-01-02 15:04 UTC")
	}
	return fmt.Sprintf("%s: %s: its manifest is checkpoint %d of %s, but the folder also holds %s (%s), "+
		"which a crash cannot leave behind; an older copy of the folder was probably copied over it. Nothing was changed or deleted",
		ErrMixedVersions.Error(), e.Dir, e.Current, e.CurrentTime.UTC().Format("2006-01-02 15:04 UTC"), newer, strings.Join(e.Files, ", "))
}

// Is reports whether target is ErrMixedVersions.
func (e *MixedVersionsError) Is(target error) bool { return target == ErrMixedVersions }

func manifestCopyName(seq uint64) string { return fmt.Sprintf("%016x", seq) }

func (v *Vault) manifestCopyPath(seq uint64) string {
	return filepath.Join(v.dir, ManifestsDir, manifestCopyName(seq))
}

// listGens returns the generations of the files in dir named
// <16 hex digits><suffix>, mapped to their names.
func listGens(dir, suffix string) map[uint64]string {
	out := map[uint64]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		base, ok := strings.CutSuffix(name, suffix)
		if !ok || len(base) != 16 {
			continue
		}
		if g, err := strconv.ParseUint(base, 16, 64); err == nil {
			out[g] = name
		}
	}
	return out
}

// newerVersionsLocked reports files of a later checkpoint than cp: log
// generations above cp.LogGen and manifest copies above cp.Seq.
func (v *Vault) newerVersionsLocked(a cipher.AEAD, cp *Checkpoint) *MixedVersionsError {
	e := &MixedVersionsError{Dir: v.dir, Current: cp.Seq, CurrentTime: cp.Created}
	var newestCopy uint64
	for g, name := range listGens(filepath.Join(v.dir, LogDir), ".log") {
		if g > cp.LogGen {
			e.Files = append(e.Files, LogDir+"/"+name)
			e.Newer = max(e.Newer, g)
		}
	}
	for g, name := range listGens(filepath.Join(v.dir, ManifestsDir), "") {
		if g > cp.Seq {
			e.Files = append(e.Files, ManifestsDir+"/"+name)
			e.Newer = max(e.Newer, g)
			newestCopy = max(newestCopy, g)
		}
	}
	if len(e.Files) == 0 {
		return nil
	}
	sort.Strings(e.Files)
	if newestCopy == e.Newer {
		if ncp, err := v.readManifestCopy(a, newestCopy); err == nil {
			e.NewerTime = ncp.Created
		}
	}
	return e
}

func (v *Vault) readManifestCopy(a cipher.AEAD, seq uint64) (*Checkpoint, error) {
	path := v.manifestCopyPath(seq)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cp, err := decodeManifest(a, v.hdr.VaultID, path, b)
	if err != nil {
		return nil, err
	}
	if cp.Seq != seq {
		return nil, damaged(path, "manifest copy names checkpoint %d", cp.Seq)
	}
	return cp, nil
}

// writeManifestCopyLocked keeps the manifest bytes of checkpoint seq under
// manifests/<seq> and deletes the copies of earlier checkpoints. It runs only
// after the manifest itself is durable: a copy newer than the manifest must
// never come from a crash. A failure leaves the vault correct, only less able
// to notice a later copy-back, so callers may ignore it.
func (v *Vault) writeManifestCopyLocked(seq uint64, b []byte) error {
	dir := filepath.Join(v.dir, ManifestsDir)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		if err := syncDir(v.fs, v.dir); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(v.fs, v.manifestCopyPath(seq), b); err != nil {
		return err
	}
	v.removeOldManifestCopiesLocked(seq)
	return nil
}

// removeOldManifestCopiesLocked deletes manifest copies of checkpoints before
// seq (provably older than the manifest) and temp files.
func (v *Vault) removeOldManifestCopiesLocked(seq uint64) {
	dir := filepath.Join(v.dir, ManifestsDir)
	for g, name := range listGens(dir, "") {
		if g < seq {
			os.Remove(filepath.Join(dir, name))
		}
	}
	removeTemps(dir)
}

// ensureManifestCopyLocked writes the copy of the current manifest if it is
// missing (a vault from before copies existed, a restored vault, or a crash
// between a checkpoint's commit and its copy).
func (v *Vault) ensureManifestCopyLocked(cp *Checkpoint) {
	if v.readOnly {
		return
	}
	if _, err := os.Stat(v.manifestCopyPath(cp.Seq)); err == nil {
		v.removeOldManifestCopiesLocked(cp.Seq)
		return
	}
	b, err := os.ReadFile(filepath.Join(v.dir, ManifestFile))
	if err != nil {
		return
	}
	v.writeManifestCopyLocked(cp.Seq, b) //nolint:errcheck // best effort, see writeManifestCopyLocked
}
