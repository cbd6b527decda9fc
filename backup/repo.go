// Package backup keeps encrypted, incremental backups of a vault in a
// repository on a folder or USB drive, and restores them.
//
// A repository stores the vault's files as they are on disk: the chunk
// objects (already encrypted and authenticated by the vault), and sealed
// copies of the manifest and redo log, packed into files of a few MiB. Its
// index and snapshots are encrypted under keys derived from the vault's data
// key; copies of the vault header are its key slots, so the passphrase or the
// recovery key alone opens it on a new laptop. The snapshot file is written
// last: an interrupted backup leaves only unreferenced data. The format is in
// docs/FORMAT.md, "Backup repository".
package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"casevault/backup/volume"
	"casevault/vault"
	"casevault/vault/atomicfile"
)

// Options are the explicit settings of a repository handle.
type Options struct {
	// Backend stores the files; nil: the local folder. Tests inject faults here.
	Backend Backend
	// Volume identifies the drive a folder is on; nil: volume.Of.
	Volume func(path string) (volume.Volume, error)
	// MissingDrive tells a folder in a place where drives appear (/media,
	// /mnt, ...) that is on the system disk; nil: volume.LooksLikeMissingDrive.
	MissingDrive func(path string) (bool, error)
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Host and AppVersion are recorded in snapshots and drill records.
	Host       string
	AppVersion string
}

func (o *Options) fill(dir string) {
	if o.Backend == nil {
		o.Backend = NewLocal(dir)
	}
	if o.Volume == nil {
		o.Volume = volume.Of
	}
	if o.MissingDrive == nil {
		o.MissingDrive = volume.LooksLikeMissingDrive
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Host == "" {
		o.Host, _ = os.Hostname()
	}
}

// Repo is an opened backup repository.
type Repo struct {
	dir     string
	be      Backend
	opts    Options
	keys    *vault.Keys
	ownKeys bool         // keys were unlocked from the repository; Close wipes them
	unlock  []byte       // the header copy that unlocked the repository (own keys)
	refused []RefusedKey // key files refused before any derivation (see RefusedKeyFiles)
	cfg     repoConfig
	// noConfig: the config file is missing, but the key files are this
	// vault's. cfg holds only what the key files tell (format, vault id):
	// listing, restore, verify and forget work; a backup needs
	// RebuildConfig first.
	noConfig bool
}

// ConfigMissing reports whether the repository's config file is missing (it
// was opened through its key files).
func (r *Repo) ConfigMissing() bool { return r.noConfig }

// RebuildConfig writes a new config file for a repository whose config file
// is missing, after the user confirmed that this is the right backup drive.
// It records the drive the folder is on now; repoID is the id the app
// remembers for this folder ("": a new random one).
func (r *Repo) RebuildConfig(ctx context.Context, repoID string) error {
	if !r.noConfig {
		return nil
	}
	if !isHexName(repoID, 32) {
		var rid [16]byte
		if _, err := rand.Read(rid[:]); err != nil {
			return err
		}
		repoID = hex.EncodeToString(rid[:])
	}
	cur, err := r.opts.Volume(r.dir)
	if err != nil {
		return fmt.Errorf("identifying the drive of %s: %w", r.dir, err)
	}
	unlock, err := r.be.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := r.be.Load(ctx, configFile); !errors.Is(err, ErrMissingFile) {
		return fmt.Errorf("%s has a config file again; open the backup again", r.dir)
	}
	vid := r.keys.VaultID()
	r.cfg = repoConfig{Format: formatVersion, RepoID: repoID, VaultID: hex.EncodeToString(vid[:]),
		Created: r.opts.Now().UTC().Truncate(time.Second), Volume: volInfo(cur)}
	if err := r.saveConfig(ctx); err != nil {
		return err
	}
	r.noConfig = false
	return nil
}

// Dir is the repository folder.
func (r *Repo) Dir() string { return r.dir }

// Keys are the vault keys the repository is open with.
func (r *Repo) Keys() *vault.Keys { return r.keys }

// Close wipes keys that were unlocked from the repository.
func (r *Repo) Close() {
	if r.ownKeys {
		r.keys.Close()
	}
}

// IsRepo reports whether dir holds a backup repository: its config file, or
// (a repository whose config file is missing) a key file.
func IsRepo(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, configFile)); err == nil {
		return true
	}
	return hasKeyFile(dir)
}

// hasKeyFile reports whether dir/keys holds a key file.
func hasKeyFile(dir string) bool {
	entries, err := os.ReadDir(filepath.Join(dir, keysDir))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && !atomicfile.IsTemp(e.Name()) {
			return true
		}
	}
	return false
}

// missing explains a folder that holds no repository.
func missing(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: the folder %s does not exist; plug in the backup drive, or check the folder", ErrTargetMissing, dir)
	}
	return fmt.Errorf("%w: %s (set one up with \"casevault backup --repo %s\")", ErrNotRepo, dir, dir)
}

// Init sets up a new repository in dir (missing or empty) for the vault whose
// keys and header are given, and records the drive it is on.
func Init(ctx context.Context, dir string, keys *vault.Keys, header []byte, opts Options) (*Repo, error) {
	dir = filepath.Clean(dir)
	if IsRepo(dir) {
		return nil, fmt.Errorf("%s already holds a backup: back up to it instead", dir)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s; choose an empty folder, or a new folder inside it (for example %s)",
			ErrNotEmpty, dir, filepath.Join(dir, "casevault-backup"))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	opts.fill(dir)
	if miss, err := opts.MissingDrive(existingAncestor(dir)); err == nil && miss {
		return nil, fmt.Errorf("%w: %w: %s is in a folder where drives appear, but it is on the laptop's own disk; plug in the drive, check that it shows up there, and try again", ErrTargetMissing, ErrNotMounted, dir)
	}
	if id, err := vault.HeaderVaultID("vault header", header); err != nil {
		return nil, err
	} else if id != keys.VaultID() {
		return nil, errors.New("the header does not belong to this vault")
	}
	_, statErr := os.Stat(dir)
	made := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, classifyLocal(dir, err)
	}
	// A failed set-up takes back what it wrote, so that trying again does
	// not find a "non-empty" folder.
	ok := false
	defer func() {
		if ok {
			return
		}
		for _, name := range []string{configFile, keysDir, "lock"} {
			os.RemoveAll(filepath.Join(dir, name))
		}
		if made {
			os.Remove(dir)
		}
	}()
	vol, err := opts.Volume(dir)
	if err != nil {
		return nil, fmt.Errorf("identifying the drive of %s: %w", dir, err)
	}
	var rid [16]byte
	if _, err := rand.Read(rid[:]); err != nil {
		return nil, err
	}
	vid := keys.VaultID()
	r := &Repo{dir: dir, be: opts.Backend, opts: opts, keys: keys, cfg: repoConfig{
		Format: formatVersion, RepoID: hex.EncodeToString(rid[:]), VaultID: hex.EncodeToString(vid[:]),
		Created: opts.Now().UTC().Truncate(time.Second), Volume: volInfo(vol),
	}}
	unlock, err := r.be.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := r.saveHeader(ctx, header); err != nil {
		return nil, err
	}
	// The config is the repository's mark: written last.
	if err := r.saveConfig(ctx); err != nil {
		return nil, err
	}
	ok = true
	return r, nil
}

func existingAncestor(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			return d
		}
	}
}

func classifyLocal(dir string, err error) error { return NewLocal(dir).classify("", err) }

func volInfo(v volume.Volume) volumeInfo {
	// The config MAC is computed over the JSON encoding, which must read
	// back to the same strings: invalid UTF-8 (a FAT label in a DOS code
	// page) would not.
	u := func(s string) string { return strings.ToValidUTF8(s, "?") }
	return volumeInfo{ID: u(v.ID), Label: u(v.Label), FSType: u(v.FSType), MountPoint: u(v.MountPoint), System: v.System}
}

// Open opens the repository in dir with an open vault's keys (to back up).
func Open(ctx context.Context, dir string, keys *vault.Keys, opts Options) (*Repo, error) {
	dir = filepath.Clean(dir)
	opts.fill(dir)
	r := &Repo{dir: dir, be: opts.Backend, opts: opts, keys: keys}
	if err := r.loadConfig(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// OpenedBy says which key slot of the vault's header opened the backup
// (vault.Keys.OpenedBy).
func (r *Repo) OpenedBy() vault.SlotInfo { return r.keys.OpenedBy() }

// OpenWithCredential opens the repository in dir with the passphrase or
// recovery key alone, through its copies of the vault header (to restore on
// a new laptop). The key files are tried cheapest first (loadKeyFiles).
func OpenWithCredential(ctx context.Context, dir string, cred vault.Credential, opts Options) (*Repo, error) {
	dir = filepath.Clean(dir)
	opts.fill(dir)
	if !IsRepo(dir) {
		return nil, missing(dir)
	}
	files, err := opts.Backend.List(ctx, keysDir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, damaged(keysDir, "the backup has no key files")
	}
	cands, refused, firstErr := loadKeyFiles(ctx, opts.Backend, files)
	for _, c := range cands {
		f, b := FileInfo{Name: c.name}, c.b
		keys, err := vault.UnlockHeader(f.Name, b, cred)
		if err != nil {
			if errors.Is(err, vault.ErrDamaged) {
				err = damaged(f.Name, "%v", err)
			}
			if firstErr == nil || errors.Is(firstErr, vault.ErrDamaged) && errors.Is(err, vault.ErrWrongCredential) {
				firstErr = err
			}
			continue
		}
		r := &Repo{dir: dir, be: opts.Backend, opts: opts, keys: keys, ownKeys: true, unlock: b, refused: refused}
		if err := r.loadConfig(ctx); err != nil {
			keys.Close()
			return nil, err
		}
		return r, nil
	}
	if len(refused) > 0 {
		if firstErr == nil {
			return nil, &RefusedKeysError{Files: refused}
		}
		return nil, fmt.Errorf("%w; %s", firstErr, (&RefusedKeysError{Files: refused}).Error())
	}
	return nil, firstErr
}

// keyCandidate is a key file that passed every check that needs no key.
type keyCandidate struct {
	name string
	b    []byte
	cost uint64 // of its passphrase slot's derivation (vault.KDFParams.Cost)
}

// loadKeyFiles reads the key files and returns those worth trying, in the
// order to try them. Every key file is checked (name, checksum, KDF bounds)
// before any derivation, each distinct content is kept once, and the
// cheapest come first (the newest first among equals): a key file that
// someone else put on the drive can neither make the real ones wait behind
// an expensive derivation nor be tried twice under two names
// (docs/THREAT-MODEL.md, "Attacker 2"). refused names the key files left
// out and why; firstErr is the first read or checksum error.
func loadKeyFiles(ctx context.Context, be Backend, files []FileInfo) (cands []keyCandidate, refused []RefusedKey, firstErr error) {
	sort.Slice(files, func(i, j int) bool { return files[i].Name > files[j].Name })
	seen := map[[sha256.Size]byte]bool{}
	for _, f := range files {
		b, err := be.Load(ctx, f.Name)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if err := checkKeyFile(f.Name, b); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		sum := sha256.Sum256(b)
		if seen[sum] {
			continue
		}
		seen[sum] = true
		p, err := vault.HeaderKDF(f.Name, b)
		if err != nil {
			refused = append(refused, RefusedKey{f.Name, keyFileProblem(err)})
			continue
		}
		cands = append(cands, keyCandidate{f.Name, b, p.Cost()})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].cost < cands[j].cost })
	if len(cands) > MaxKeyFiles {
		for _, c := range cands[MaxKeyFiles:] {
			refused = append(refused, RefusedKey{c.name, fmt.Sprintf("more than %d key files; the costliest are not tried", MaxKeyFiles)})
		}
		cands = cands[:MaxKeyFiles]
	}
	return cands, refused, firstErr
}

// MaxKeyFiles is how many key files OpenWithCredential tries at most (one is
// written per passphrase change).
const MaxKeyFiles = 64

// RefusedKeysError: key files in keys/ were not tried, because their key
// derivation settings are beyond what casevault writes (someone else put
// them there, or they are damaged), or there were too many.
type RefusedKeysError struct{ Files []RefusedKey }

// RefusedKey is a key file refused without being tried, and why.
type RefusedKey struct {
	Name   string // keys/NNNN-<tag>
	Reason string // technical: which limit it exceeds
}

func (k RefusedKey) String() string { return k.Name + " (" + k.Reason + ")" }

func (e *RefusedKeysError) Error() string {
	var s []string
	for _, f := range e.Files {
		s = append(s, f.String())
	}
	return "refused key files in the backup, not tried: " + strings.Join(s, "; ")
}

// Is makes a refusal count as damage (ErrDamaged).
func (e *RefusedKeysError) Is(target error) bool { return target == ErrDamaged }

// keyFileProblem words why a key file was refused.
func keyFileProblem(err error) string {
	var de *vault.DamagedError
	if errors.As(err, &de) {
		return de.Reason
	}
	return err.Error()
}

// RefusedKeyFiles names the key files that OpenWithCredential refused
// without trying them, with the reason: a sign that someone tampered with
// the backup. The repository opened with another key file.
func (r *Repo) RefusedKeyFiles() []RefusedKey { return r.refused }

func (r *Repo) loadConfig(ctx context.Context) error {
	if !IsRepo(r.dir) {
		return missing(r.dir)
	}
	b, err := r.be.Load(ctx, configFile)
	if errors.Is(err, ErrMissingFile) {
		// Deleted, or lost by a file-system repair. The config holds no
		// key: the key files say whose backup this is, and restore needs
		// nothing else.
		vid := r.keys.VaultID()
		if !r.ownKeys && !r.keyFilesOf(ctx, vid) {
			if hasKeyFile(r.dir) {
				return fmt.Errorf("%w: %s", ErrWrongVault, r.dir)
			}
			return missing(r.dir)
		}
		r.cfg = repoConfig{Format: formatVersion, VaultID: hex.EncodeToString(vid[:])}
		r.noConfig = true
		return nil
	}
	if err != nil {
		return err
	}
	if len(b) < len(configMagic) || string(b[:len(configMagic)]) != configMagic {
		return damaged(configFile, "file does not start with %q", configMagic)
	}
	var cfg repoConfig
	if err := json.Unmarshal(b[len(configMagic):], &cfg); err != nil {
		return damaged(configFile, "content is not valid: %v", err)
	}
	if cfg.Format > formatVersion {
		return fmt.Errorf("%w (format %d); update casevault", ErrNewerFormat, cfg.Format)
	}
	vid := r.keys.VaultID()
	if cfg.VaultID != hex.EncodeToString(vid[:]) {
		if r.keyFilesOf(ctx, vid) {
			// A changed vault id, not another vault's backup.
			return damaged(configFile, "it names another vault, but the backup's key files are this vault's")
		}
		return fmt.Errorf("%w: %s", ErrWrongVault, r.dir)
	}
	want, err := r.configMAC(cfg)
	if err != nil {
		return err
	}
	if cfg.MAC != want {
		return damaged(configFile, "authentication failed (the file was changed)")
	}
	r.cfg = cfg
	return nil
}

// keyFilesOf reports whether an intact key file of the repository is a
// header of the vault vid.
func (r *Repo) keyFilesOf(ctx context.Context, vid [16]byte) bool {
	files, err := r.be.List(ctx, keysDir)
	if err != nil {
		return false
	}
	for _, f := range files {
		b, err := r.be.Load(ctx, f.Name)
		if err != nil || checkKeyFile(f.Name, b) != nil {
			continue
		}
		if id, err := vault.HeaderVaultID(f.Name, b); err == nil && id == vid {
			return true
		}
	}
	return false
}

func (r *Repo) configMAC(cfg repoConfig) (string, error) {
	cfg.MAC = ""
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	m, err := r.keys.MAC(purposeConfig, b)
	return hex.EncodeToString(m), err
}

func (r *Repo) saveConfig(ctx context.Context) error {
	mac, err := r.configMAC(r.cfg)
	if err != nil {
		return err
	}
	cfg := r.cfg
	cfg.MAC = mac
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	return r.be.Save(ctx, configFile, append(append([]byte(configMagic), b...), '\n'))
}

// CheckVolume refuses a folder that is no longer on the drive the repository
// was set up on.
func (r *Repo) CheckVolume() error {
	cur, err := r.opts.Volume(r.dir)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrTargetMissing, r.dir, err)
	}
	if cur.ID != "" && cur.ID == r.cfg.Volume.ID {
		return nil
	}
	// Without udev there is no file-system UUID, and a device number
	// ("dev:8:17") can change when a stick is plugged in again. The
	// repository's own config is in the folder, so it is the same
	// repository; refuse only when it now sits on the system disk but was
	// set up elsewhere (a copy of the stick on the laptop).
	if strings.HasPrefix(r.cfg.Volume.ID, "dev:") && strings.HasPrefix(cur.ID, "dev:") && !cur.System && !r.cfg.Volume.System {
		return nil
	}
	was := r.cfg.Volume.MountPoint
	if r.cfg.Volume.Label != "" {
		was = fmt.Sprintf("%q (%s)", r.cfg.Volume.Label, was)
	}
	return fmt.Errorf("%w: %s is now on %s, but the backup was set up on the drive %s; if you copied the backup to this drive on purpose, confirm the move (--moved)",
		ErrWrongVolume, r.dir, cur.Describe(), was)
}

// AdoptVolume records the drive the repository is on now, after the user
// confirmed that they moved it.
func (r *Repo) AdoptVolume(ctx context.Context) error {
	if r.noConfig {
		return fmt.Errorf("%w in %s", ErrConfigMissing, r.dir)
	}
	cur, err := r.opts.Volume(r.dir)
	if err != nil {
		return err
	}
	unlock, err := r.be.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	r.cfg.Volume = volInfo(cur)
	return r.saveConfig(ctx)
}

// OnSystemDisk reports whether the repository is on the laptop's own disk
// (the file system of "/"), now or when it was set up: such a backup is
// lost with the laptop.
func (r *Repo) OnSystemDisk() bool {
	if r.cfg.Volume.System {
		return true
	}
	cur, err := r.opts.Volume(r.dir)
	return err == nil && cur.System
}

// Volume describes the drive recorded when the repository was set up.
func (r *Repo) Volume() string {
	if r.cfg.Volume.Label != "" {
		return fmt.Sprintf("%q at %s", r.cfg.Volume.Label, r.cfg.Volume.MountPoint)
	}
	return r.cfg.Volume.MountPoint
}

// saveHeader stores a header copy as a key file unless an equal one exists,
// and returns its name: keys/<4-digit sequence>-<12 hex digits of SHA-256>.
func (r *Repo) saveHeader(ctx context.Context, header []byte) (string, error) {
	sum := sha256.Sum256(header)
	tag := hex.EncodeToString(sum[:6])
	files, err := r.be.List(ctx, keysDir)
	if err != nil {
		return "", err
	}
	seq := 0
	for _, f := range files {
		base := strings.TrimPrefix(f.Name, keysDir+"/")
		var n int
		var t string
		if len(base) == 4+1+12 {
			fmt.Sscanf(base[:4], "%d", &n)
			t = base[5:]
		}
		if t == tag {
			if b, err := r.be.Load(ctx, f.Name); err == nil && bytes.Equal(b, header) {
				return f.Name, nil
			}
		}
		seq = max(seq, n)
	}
	name := fmt.Sprintf("%s/%04d-%s", keysDir, seq+1, tag)
	return name, r.be.Save(ctx, name, header)
}

// Snapshots returns every readable snapshot, oldest first, and the damaged
// snapshot files as errors (the caller may show them and go on).
func (r *Repo) Snapshots(ctx context.Context) ([]*Snapshot, []error, error) {
	files, err := r.be.List(ctx, snapDir)
	if err != nil {
		return nil, nil, err
	}
	var out []*Snapshot
	var bad []error
	for _, f := range files {
		id := strings.TrimPrefix(f.Name, snapDir+"/")
		if !isHexName(id, 32) {
			continue
		}
		b, err := r.be.Load(ctx, f.Name)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		if fileName(b) != id {
			bad = append(bad, damaged(f.Name, "content does not match its name (changed or truncated)"))
			continue
		}
		var s Snapshot
		if err := openFile(r.keys, f.Name, snapMagic, purposeSnapshot, b, &s); err != nil {
			bad = append(bad, err)
			continue
		}
		s.ID = id
		out = append(out, &s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].ID < out[j].ID
	})
	return out, bad, nil
}

// FindSnapshot returns the snapshot named by ref: "" or "latest" for the
// newest, else a unique prefix of its id (at least 4 hex digits).
func (r *Repo) FindSnapshot(ctx context.Context, ref string) (*Snapshot, error) {
	snaps, bad, err := r.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	if len(snaps) == 0 {
		if len(bad) > 0 {
			return nil, bad[0] // its only snapshots are damaged
		}
		return nil, fmt.Errorf("%w: the backup has no snapshots yet", ErrNoSnapshot)
	}
	ref = strings.ToLower(strings.TrimSpace(ref))
	if ref == "" || ref == "latest" {
		return snaps[len(snaps)-1], nil
	}
	if len(ref) < 4 {
		return nil, fmt.Errorf("%w: give at least 4 digits of the snapshot id", ErrNoSnapshot)
	}
	var found *Snapshot
	for _, s := range snaps {
		if strings.HasPrefix(s.ID, ref) {
			if found != nil {
				return nil, fmt.Errorf("%w: %q matches more than one snapshot; give more digits", ErrNoSnapshot, ref)
			}
			found = s
		}
	}
	if found == nil {
		// A damaged snapshot file is not "no such snapshot".
		for _, e := range bad {
			var de *DamagedError
			if errors.As(e, &de) && strings.HasPrefix(de.File, snapDir+"/"+ref) {
				return nil, e
			}
		}
		return nil, fmt.Errorf("%w: %q", ErrNoSnapshot, ref)
	}
	return found, nil
}

// index is the merged content of the index files.
type index struct {
	blobs map[BlobKey]location
	packs map[string]*packEntry
	files []string // index file names
	bad   []error  // damaged index files (their packs look unindexed)
	order []string // pack names in load order
}

func (r *Repo) loadIndex(ctx context.Context) (*index, error) {
	files, err := r.be.List(ctx, indexDir)
	if err != nil {
		return nil, err
	}
	ix := &index{blobs: map[BlobKey]location{}, packs: map[string]*packEntry{}}
	// When two index files place a blob in different packs (a pack was
	// lost and its blobs written again), the pack that is there wins.
	packFiles, err := r.be.List(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	present := make(map[string]bool, len(packFiles))
	for _, f := range packFiles {
		present[f.Name[strings.LastIndex(f.Name, "/")+1:]] = true
	}
	for _, f := range files {
		name := strings.TrimPrefix(f.Name, indexDir+"/")
		if !isHexName(name, 32) {
			continue
		}
		b, err := r.be.Load(ctx, f.Name)
		if err != nil {
			ix.bad = append(ix.bad, err)
			continue
		}
		if fileName(b) != name {
			ix.bad = append(ix.bad, damaged(f.Name, "content does not match its name (changed or truncated)"))
			continue
		}
		var idx indexFile
		if err := openFile(r.keys, f.Name, indexMagic, purposeIndex, b, &idx); err != nil {
			ix.bad = append(ix.bad, err)
			continue
		}
		ix.files = append(ix.files, f.Name)
		for i := range idx.Packs {
			p := &idx.Packs[i]
			if !isHexName(p.Name, 32) {
				ix.bad = append(ix.bad, damaged(f.Name, "lists a pack with an invalid name"))
				continue
			}
			inside := true
			for _, bl := range p.Blobs {
				inside = inside && blobInside(bl, p.Size)
			}
			if !inside {
				// Offsets that would make a read of the pack panic.
				ix.bad = append(ix.bad, damaged(f.Name, "lists a blob outside its pack %s", p.Name))
				continue
			}
			if _, dup := ix.packs[p.Name]; !dup {
				ix.order = append(ix.order, p.Name)
			}
			ix.packs[p.Name] = p
			for _, bl := range p.Blobs {
				k := BlobKey{bl.Type, bl.ID}
				if old, dup := ix.blobs[k]; dup && present[old.Pack] && !present[p.Name] {
					continue
				}
				ix.blobs[k] = location{Pack: p.Name, Offset: bl.Offset, Length: bl.Length}
			}
		}
	}
	return ix, nil
}

// damagedIndexFile names the first damaged index file, else the index
// folder: a blob that no index lists was most likely listed there.
func (ix *index) damagedIndexFile() string {
	for _, e := range ix.bad {
		var de *DamagedError
		if errors.As(e, &de) && strings.HasPrefix(de.File, indexDir+"/") {
			return de.File
		}
	}
	return indexDir
}

// readBlob reads one blob's stored bytes.
func (r *Repo) readBlob(ctx context.Context, ix *index, k BlobKey) ([]byte, string, error) {
	loc, ok := ix.blobs[k]
	if !ok {
		return nil, "", damaged(ix.damagedIndexFile(), "no pack holds %s %s", k.Type, k.ID.String()[:12])
	}
	name := packPath(loc.Pack)
	b, err := r.be.ReadAt(ctx, name, loc.Offset, int(loc.Length))
	if errors.Is(err, ErrMissingFile) {
		return nil, name, damaged(name, "the pack file is missing")
	}
	return b, name, err
}

// snapshotParts reads a snapshot's manifest and redo log.
func (r *Repo) snapshotParts(ctx context.Context, ix *index, s *Snapshot) (vault.Parts, *vault.Checkpoint, error) {
	var p vault.Parts
	mk := BlobKey{BlobManifest, s.Manifest}
	raw, name, err := r.readBlob(ctx, ix, mk)
	if err != nil {
		return p, nil, inBlob(err, mk)
	}
	man, err := openBlob(r.keys, name, BlobManifest, s.Manifest, raw)
	if err != nil {
		return p, nil, inBlob(err, mk)
	}
	cp, err := r.keys.OpenManifest(name, man)
	if err != nil {
		return p, nil, inBlob(damaged(name, "%v", err), mk)
	}
	p.Manifest, p.LogGen = man, s.LogGen
	for _, id := range s.Log {
		lk := BlobKey{BlobLog, id}
		raw, name, err := r.readBlob(ctx, ix, lk)
		if err != nil {
			return p, nil, inBlob(err, lk)
		}
		seg, err := openBlob(r.keys, name, BlobLog, id, raw)
		if err != nil {
			return p, nil, inBlob(err, lk)
		}
		p.Log = append(p.Log, seg...)
	}
	if int64(len(p.Log)) != s.LogSize {
		return p, nil, damaged(snapDir+"/"+s.ID, "redo log pieces add up to %d bytes, the snapshot says %d", len(p.Log), s.LogSize)
	}
	return p, cp, nil
}

// header returns the vault header to restore with: the copy that unlocked
// the repository (so the restored vault opens with what the user just
// typed), else the copy the snapshot was taken with.
func (r *Repo) header(ctx context.Context, s *Snapshot) ([]byte, error) {
	if r.unlock != nil {
		return r.unlock, nil
	}
	b, err := r.be.Load(ctx, s.Header)
	if errors.Is(err, ErrMissingFile) {
		return nil, damaged(s.Header, "the key file is missing")
	}
	if err != nil {
		return nil, err
	}
	if err := checkKeyFile(s.Header, b); err != nil {
		return nil, err
	}
	return b, nil
}

// checkKeyFile checks a key file's bytes against the SHA-256 prefix in its
// name (keys/NNNN-<12 hex digits>, see saveHeader); it needs no key.
func checkKeyFile(name string, b []byte) error {
	sum := sha256.Sum256(b)
	if !strings.HasSuffix(name, "-"+hex.EncodeToString(sum[:6])) {
		return damaged(name, "content does not match its name (changed or truncated)")
	}
	return nil
}
