package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/backup"
	"casevault/backup/retention"
	"casevault/backup/volume"
	"casevault/store"
	"casevault/vault"
)

// Names of the backup package the window and the CLI need.
type (
	Snapshot        = backup.Snapshot
	BackupProgress  = backup.Progress
	ProgressFunc    = backup.ProgressFunc
	VerifyOptions   = backup.VerifyOptions
	VerifyReport    = backup.VerifyReport
	Problem         = backup.Problem
	RetentionPolicy = retention.Policy
	DrillRecord     = backup.DrillRecord
	Drive           = volume.Volume
)

// Backup errors callers tell apart with errors.Is.
var (
	ErrNotRepo        = backup.ErrNotRepo
	ErrNotEmpty       = backup.ErrNotEmpty
	ErrWrongVault     = backup.ErrWrongVault
	ErrWrongVolume    = backup.ErrWrongVolume
	ErrTargetMissing  = backup.ErrTargetMissing
	ErrTargetFull     = backup.ErrTargetFull
	ErrTargetGone     = backup.ErrTargetGone
	ErrTargetReadOnly = backup.ErrTargetReadOnly
	ErrRepoBusy       = backup.ErrRepoBusy
	ErrBackupDamaged  = backup.ErrDamaged
	ErrNoSnapshot     = backup.ErrNoSnapshot
	// ErrConfigMissing: the backup's config file is missing; a backup to
	// it needs BackupOptions.RebuildConfig (the user confirmed the drive).
	ErrConfigMissing = backup.ErrConfigMissing
	// ErrNotMounted (with ErrTargetMissing): a new backup was asked for in
	// a folder where drives appear that is on the laptop's own disk.
	ErrNotMounted = backup.ErrNotMounted
	// ErrDrillFailed: a restore drill ran and found the backup does not
	// restore as recorded (see DrillReport.Checks).
	ErrDrillFailed = errors.New("the restore drill failed")
	// ErrNoTarget: no backup folder has been chosen yet.
	ErrNoTarget = errors.New("no backup folder has been chosen")
)

// RemovableDrives lists the plugged-in removable drives (USB sticks, SD
// cards) where the platform tells; nil elsewhere.
func RemovableDrives() []Drive {
	d, err := volume.Removable()
	if err != nil {
		return nil
	}
	return d
}

// contentPurpose keys the content digest recorded in snapshots.
const contentPurpose = "backup content"

// BackupOptions for Session.Backup.
type BackupOptions struct {
	// New sets up a new repository even where the settings remember one
	// that is not there now (the drive was replaced or wiped).
	New bool
	// Moved confirms that the repository was moved to another drive on
	// purpose, so the drive check records the new one.
	Moved bool
	// RebuildConfig confirms that a backup whose config file is missing
	// is the right one, so a new config file is written before the backup.
	RebuildConfig bool
	// Progress receives reports; nil for none.
	Progress ProgressFunc
	// Backend replaces the folder backend (tests inject faults).
	Backend backup.Backend
	// Volume replaces drive identification (tests).
	Volume func(string) (volume.Volume, error)
	// MissingDrive replaces the check for a folder where drives appear
	// that is on the system disk (tests).
	MissingDrive func(string) (bool, error)
}

// BackupReport says what a backup did.
type BackupReport struct {
	Snapshot *Snapshot
	Target   string
	Created  bool // this run set the repository up
	// SystemDisk: the backup is on the laptop's own disk, so it is lost
	// with the laptop (theft, loss, a failed disk); say so plainly.
	SystemDisk bool
	Duration   time.Duration
	Warnings   []string
}

func (s *Session) repoOptions(o BackupOptions) backup.Options {
	return backup.Options{Backend: o.Backend, Volume: o.Volume, MissingDrive: o.MissingDrive, Now: s.now, AppVersion: Version}
}

// Version is recorded in snapshots; main sets it.
var Version = "dev"

// Backup backs the vault up to the repository in target, setting it up on
// the first run. It captures a consistent state (writes wait for the moment
// of the capture, not for the copy), copies what the repository lacks and
// writes a snapshot. The backup and its outcome are recorded in the audit
// trail and in the backup settings.
func (s *Session) Backup(ctx context.Context, target string, o BackupOptions) (*BackupReport, error) {
	if err := s.allow(ctx, access.Backup); err != nil {
		return nil, err
	}
	rep, err := s.backup(ctx, target, o)
	set := LoadBackupSettings(s.Dir())
	now := s.now()
	if err != nil {
		switch {
		case errors.Is(err, context.Canceled):
			// Stopped by the user: not a failure to remind about.
			s.audit(context.WithoutCancel(ctx), "backup.stopped", "", "to "+target)
		case errors.Is(err, vault.ErrClosed):
		default:
			set.LastError, set.LastErrorAt = Message(err), now
			SaveBackupSettings(s.Dir(), set)
			s.audit(ctx, "backup.failed", "", fmt.Sprintf("to %s: %v", target, err))
		}
		return nil, err
	}
	set.Target, set.RepoID = rep.Target, rep.repoID
	if !s.readOnly { // a salvage writes nothing beside the vault
		if kerr := noteRepo(s.Dir(), rep.repoID); kerr != nil {
			rep.Warnings = append(rep.Warnings, "noting this backup folder for a later change of the vault key failed: "+kerr.Error())
		}
	}
	set.LastBackup, set.LastSnapshot, set.LastError = now, rep.Snapshot.ID, ""
	if serr := SaveBackupSettings(s.Dir(), set); serr != nil {
		rep.Warnings = append(rep.Warnings, "the backup settings could not be saved: "+serr.Error())
	}
	detail := fmt.Sprintf("snapshot %s to %s: %s added, %s", rep.Snapshot.Short(), rep.Target,
		human.Size(rep.Snapshot.AddedBytes), human.Count(rep.Snapshot.Counts["clients"], "client", "clients"))
	if s.hidesCounts(ctx) {
		detail = fmt.Sprintf("snapshot %s to %s: %s added", rep.Snapshot.Short(), rep.Target, human.Size(rep.Snapshot.AddedBytes))
		rep.Snapshot = withoutCounts(rep.Snapshot)
	}
	if err := s.audit(ctx, "backup", "", detail); err != nil {
		return &rep.BackupReport, fmt.Errorf("the backup succeeded but recording it in the audit trail failed: %w", err)
	}
	return &rep.BackupReport, nil
}

type backupRun struct {
	BackupReport
	repoID string
}

func (s *Session) backup(ctx context.Context, target string, o BackupOptions) (*backupRun, error) {
	if target == "" {
		return nil, ErrNoTarget
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return nil, err
	}
	target = abs
	if inside(target, s.Dir()) || inside(s.Dir(), target) {
		return nil, fmt.Errorf("the backup folder %s must not be inside the vault folder or contain it; choose a folder on another drive", target)
	}
	set := LoadBackupSettings(s.Dir())
	exists := backup.IsRepo(target)
	if !exists && !o.New && set.RepoID != "" && filepath.Clean(set.Target) == target {
		return nil, fmt.Errorf("%w: there is no backup in %s any more, although one was made there before; plug in the backup drive (if you replaced it, choose the folder again to start a new backup there)", backup.ErrTargetMissing, target)
	}

	// The store captures the vault's bytes under its own lock, with the
	// counts and hashes of exactly the state they replay to.
	var src backup.Source
	capt, release, err := s.st.Capture(ctx, func(tx *store.Tx) error {
		tx = tx.As(store.Everyone) // the snapshot records the whole vault, whoever backs it up
		c, err := tx.Counts()
		if err != nil {
			return err
		}
		head, _, err := tx.RecordedAuditHead()
		if err != nil {
			return err
		}
		dig, err := tx.ContentDigest()
		if err != nil {
			return err
		}
		mac, err := s.v.MAC(contentPurpose, dig)
		if err != nil {
			return err
		}
		src = backup.Source{Counts: countsMap(c), AuditHead: head, ContentHash: hex.EncodeToString(mac)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	src.Capture, src.ReadObject, src.ObjectName = capt, s.v.ReadObjectFile, s.v.ObjectPath
	defer release()

	run := &backupRun{BackupReport: BackupReport{Target: target}}
	var r *backup.Repo
	if exists {
		r, err = backup.Open(ctx, target, s.v.Keys(), s.repoOptions(o))
		if err == nil {
			if kerr := s.checkRepoKey(ctx, target, r.RepoID()); kerr != nil {
				r.Close()
				return nil, kerr
			}
		} else if kerr := s.oldKeyRepo(ctx, target, err); kerr != nil {
			return nil, kerr
		}
	} else {
		r, err = backup.Init(ctx, target, s.v.Keys(), src.Capture.Header, s.repoOptions(o))
		run.Created = true
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if r.ConfigMissing() && o.RebuildConfig {
		id := ""
		if filepath.Clean(set.Target) == target {
			id = set.RepoID
		}
		if err := r.RebuildConfig(ctx, id); err != nil {
			return nil, err
		}
		run.Warnings = append(run.Warnings, "the backup's config file was missing; a new one was written, recording the drive it is on now")
	}
	if o.Moved {
		if err := r.AdoptVolume(ctx); err != nil {
			return nil, err
		}
	}
	// The newest snapshot this vault made there should still be there:
	// forget always keeps the newest, so its absence means snapshots were
	// deleted or the backup was replaced with an older copy.
	if exists && set.RepoID == r.RepoID() && len(set.LastSnapshot) >= 8 {
		if _, err := r.FindSnapshot(ctx, set.LastSnapshot); errors.Is(err, backup.ErrNoSnapshot) {
			run.Warnings = append(run.Warnings, fmt.Sprintf("the snapshot made %s (%s) is no longer in the backup: someone deleted snapshots or put back an older copy of the backup",
				human.Time(set.LastBackup), set.LastSnapshot[:8]))
		}
	}
	res, err := r.Backup(ctx, src, o.Progress)
	if err != nil {
		// A repository this vault never recorded (made by a copy of it,
		// say) fails only here when its keys come from the earlier key.
		if kerr := s.oldKeyRepo(ctx, target, err); exists && kerr != nil {
			return nil, kerr
		}
		return nil, err
	}

	run.Snapshot, run.Duration, run.repoID = res.Snapshot, res.Duration, r.RepoID()
	run.SystemDisk = r.OnSystemDisk()
	run.Warnings = append(run.Warnings, res.Warnings...)
	run.Warnings = append(run.Warnings, s.recordBackups(ctx, r, res.Snapshot)...) // backup_records.go
	return run, nil
}

// inside reports whether path is dir or below it.
func pathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func inside(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (rel == "." || len(rel) < 3 || rel[:3] != "../")
}

func countsMap(c store.Counts) backup.Counts {
	m := backup.Counts{"clients": c.Clients, "matters": c.Matters, "parties": c.Parties, "notes": c.Notes, "audit": c.Audit}
	if c.Documents > 0 { // left out at 0, so snapshots of vaults without documents compare as before
		m["documents"] = c.Documents
	}
	if c.DocumentBytes > 0 { // the sum of the current versions' sizes: a drill compares it too
		m["document_bytes"] = int(c.DocumentBytes)
	}
	return m
}

// Backups is an opened backup repository.
type Backups struct {
	r *backup.Repo
	s *Session // set when opened through a session: actions are audited
	// user: opened without a session by a user's passphrase (not the
	// owner's, not the recovery key): no role is known, so what changes
	// the backup or recreates the vault is refused (allow).
	user bool
}

// OpenBackups opens the repository in dir with the passphrase or recovery
// key alone (no vault needed: on a new laptop).
func OpenBackups(ctx context.Context, dir string, cred Credential) (*Backups, error) {
	r, err := backup.OpenWithCredential(ctx, dir, cred, backup.Options{AppVersion: Version})
	if err != nil {
		return nil, err
	}
	return &Backups{r: r, user: !r.OpenedBy().Owner}, nil
}

// OpenBackups opens the repository in dir with the open vault's keys.
func (s *Session) OpenBackups(ctx context.Context, dir string) (*Backups, error) {
	if err := s.allow(ctx, access.ListBackups); err != nil {
		return nil, err
	}
	r, err := backup.Open(ctx, dir, s.v.Keys(), backup.Options{Now: s.now, AppVersion: Version})
	if err != nil {
		return nil, err
	}
	return &Backups{r: r, s: s}, nil
}

// allow checks the session's permission when the repository was opened
// through one (Session.OpenBackups); a repository opened with its own
// passphrase or recovery key (OpenBackups, no vault) has no user.
//
// Opened without a session by a user who is not the owner, forgetting,
// pruning and restoring are refused: the user's role is in the vault, not
// in the backup, and every user's passphrase opens the backup's copy of
// the header. (Listing and verifying stay: they change nothing.) What
// needs backups:edit is refused: forgetting, pruning, restoring.
func (b *Backups) allow(ctx context.Context, v access.Verb) error {
	if b.s == nil {
		if b.user && slices.Contains(v.Needs, access.Need{Kind: access.Backups, Level: access.Edit}) {
			return fmt.Errorf("%w: without the vault, only the owner's passphrase or the recovery key can %s; ask the owner", ErrDenied, v.Words)
		}
		return nil
	}
	return b.s.allow(ctx, v)
}

// ByUser reports whether the repository was opened without the vault by a
// user who is not the owner (its edits are refused: see allow).
func (b *Backups) ByUser() bool { return b.s == nil && b.user }

// Close wipes the keys the repository was opened with (when not the vault's).
func (b *Backups) Close() { b.r.Close() }

// RefusedKeyFiles names the backup's key files that were refused without
// being tried (key derivation settings beyond what casevault writes: a sign
// of tampering), with the reason. The backup opened with another one.
func (b *Backups) RefusedKeyFiles() []RefusedKey { return b.r.RefusedKeyFiles() }

// RefusedKey is a refused key file and why (technical).
type RefusedKey = backup.RefusedKey

// RefusedKeysError: every key file that could open the backup was refused
// (see Backups.RefusedKeyFiles); it counts as ErrBackupDamaged.
type RefusedKeysError = backup.RefusedKeysError

// BackupDamagedError is one damaged file of a backup (File is its path
// inside the backup folder, e.g. "config").
type BackupDamagedError = backup.DamagedError

// Dir is the repository folder.
func (b *Backups) Dir() string { return b.r.Dir() }

// Volume describes the drive the repository was set up on.
func (b *Backups) Volume() string { return b.r.Volume() }

// OnSystemDisk reports whether the backup is on the laptop's own disk (see
// SystemDiskWarning).
func (b *Backups) OnSystemDisk() bool { return b.r.OnSystemDisk() }

// ConfigMissing reports whether the backup's config file is missing (it was
// opened through its key files; restore works, a backup needs
// BackupOptions.RebuildConfig).
func (b *Backups) ConfigMissing() bool { return b.r.ConfigMissing() }

// Snapshots lists the snapshots, oldest first, and damaged snapshot files.
func (b *Backups) Snapshots(ctx context.Context) ([]*Snapshot, []error, error) {
	snaps, bad, err := b.r.Snapshots(ctx)
	// A user's passphrase without the vault: nothing says which records
	// they may see, so no whole-vault counts either.
	if b.user || (b.s != nil && b.s.hidesCounts(ctx)) {
		for i, sn := range snaps {
			snaps[i] = withoutCounts(sn)
		}
	}
	return snaps, bad, err
}

// Drills lists the recorded restore drills, oldest first.
func (b *Backups) Drills(ctx context.Context) ([]*DrillRecord, error) { return b.r.Drills(ctx) }

// Verify checks the repository (see backup.Repo.Verify).
func (b *Backups) Verify(ctx context.Context, o VerifyOptions, progress ProgressFunc) (*VerifyReport, error) {
	rep, err := b.r.Verify(ctx, o, progress)
	if b.s != nil && rep != nil {
		result := "ok"
		if err != nil {
			result = err.Error()
		}
		b.s.audit(ctx, "backup.verify", "", fmt.Sprintf("%s (read data: %v): %s", b.r.Dir(), o.ReadData || o.SubsetPercent > 0, result))
	}
	if b.s != nil {
		err = b.s.NameDamagedDocuments(ctx, rep, err)
	}
	return rep, err
}

// NameDamagedDocuments adds to each problem of a verify report whose
// damaged blobs are document chunks the documents of the open vault (as far
// as the user sees them) that hold their content, as a restore and the drill
// name them, and to err (verify's error) the same; err is returned as it was
// when no document is named. Backups.Verify does it for a backup opened
// through a session; the CLI, which opens an owner's backup with the
// passphrase alone, calls it with the vault opened after the damage was found.
func (s *Session) NameDamagedDocuments(ctx context.Context, rep *VerifyReport, err error) error {
	if rep == nil {
		return err
	}
	b := &Backups{s: s}
	var all []backup.BlobKey
	for i := range rep.Problems {
		p := &rep.Problems[i]
		if list := b.documentsIn(ctx, p.Blobs); list != "" {
			p.Reason += "; it holds content of " + list
			all = append(all, p.Blobs...)
		}
	}
	if list := b.documentsIn(ctx, all); list != "" && err != nil {
		err = fmt.Errorf("%w; the damaged parts hold content of %s", err, list)
	}
	return err
}

// DamagedDocumentChunks reports whether a verify report found damaged
// document chunks (which NameDamagedDocuments can name).
func DamagedDocumentChunks(rep *VerifyReport) bool {
	if rep == nil {
		return false
	}
	for _, p := range rep.Problems {
		for _, k := range p.Blobs {
			if k.Type == backup.BlobDocument {
				return true
			}
		}
	}
	return false
}

// InSession reports whether the backup was opened through a session
// (Session.OpenBackups): its verify names damaged documents itself.
func (b *Backups) InSession() bool { return b.s != nil }

// ForgetResult says what Forget did.
type ForgetResult = backup.ForgetResult

// Forget applies the retention policy and, with prune, frees the space.
func (b *Backups) Forget(ctx context.Context, p RetentionPolicy, prune bool) (*ForgetResult, error) {
	if err := b.allow(ctx, access.ForgetBackups); err != nil {
		return nil, err
	}
	res, err := b.r.Forget(ctx, p, time.Local, prune)
	if b.s != nil && res != nil {
		detail := fmt.Sprintf("%s: keep %s; %s removed", b.r.Dir(), p, human.Count(len(res.Removed), "snapshot", "snapshots"))
		if len(res.SetAside) > 0 {
			detail += "; " + human.Count(len(res.SetAside), "damaged snapshot file", "damaged snapshot files") + " set aside"
		}
		b.s.audit(ctx, "backup.forget", "", detail)
	}
	return res, err
}

// RestoreOptions for Restore.
type RestoreOptions struct {
	Snapshot string // id prefix, "" or "latest"
	Progress ProgressFunc
}

// RestoreReport says what a restore did.
type RestoreReport struct {
	Snapshot *Snapshot
	Dir      string
	Objects  int
	Bytes    int64
	Duration time.Duration
}

// Restore recreates the vault of a snapshot in the new folder to (missing or
// empty), authenticating every object on the way. The restore is recorded
// in the restored vault's audit trail, which continues the chain of the
// backed-up vault, when it is first unlocked. It never writes into an
// existing vault.
func (b *Backups) Restore(ctx context.Context, to string, o RestoreOptions) (*RestoreReport, error) {
	if err := b.allow(ctx, access.Restore); err != nil {
		return nil, err
	}
	snap, err := b.r.FindSnapshot(ctx, o.Snapshot)
	if err != nil {
		return nil, err
	}
	to, err = filepath.Abs(to)
	if err != nil {
		return nil, err
	}
	if vault.Exists(to) {
		return nil, fmt.Errorf("%w: %s already holds a vault; restore into a new folder", vault.ErrExists, to)
	}
	if fi, err := os.Stat(to); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is a file; restore into a new or empty folder", vault.ErrExists, to)
	}
	res, err := b.r.Restore(ctx, snap, to, o.Progress)
	if err != nil {
		return nil, b.namingDocuments(ctx, err)
	}
	// The restore is recorded in the restored vault's own audit trail when
	// it is first unlocked (see Open), continuing its chain. Opening it here
	// would double the time a restore takes; the drill is the full check.
	note := restoredNote{Snapshot: snap.ID, SnapshotTime: snap.Time, Repo: b.r.Dir(), At: time.Now().UTC()}
	if err := writeRestoredNote(to, note); err != nil {
		return nil, fmt.Errorf("the vault was restored to %s, but noting the restore for its audit trail failed: %w", to, err)
	}
	if b.s != nil {
		b.s.audit(ctx, "backup.restore", "", fmt.Sprintf("snapshot %s restored to %s", snap.Short(), to))
	}
	return &RestoreReport{Snapshot: snap, Dir: to, Objects: res.Objects, Bytes: res.Bytes, Duration: res.Duration}, nil
}

// DrillCheck is one check of a restore drill.
type DrillCheck struct {
	Name   string `json:"name"` // the check, technically ("Database integrity check")
	OK     bool   `json:"ok"`
	Detail string `json:"detail"` // what it found, technically (for "Technical details")
	Title  string `json:"title"`  // the check in plain words ("The records are consistent")
	Said   string `json:"said"`   // what it found in plain words
}

// drillWords are each drill check's title and what it says when it
// passes and when it fails, in a lawyer's words; the technical name and
// detail stay in Name and Detail.
var drillWords = map[string]struct{ title, ok, fail string }{
	"Restore": {"Files restored", "Every file of the snapshot came back from the backup intact.",
		"The snapshot's files could not all be read back from the backup."},
	"Restored vault opens": {"The copy opens", "The restored copy opens with your keys, with every change up to the backup.",
		"The restored copy does not open."},
	"Database readable": {"Records readable", "The restored records can be read.", "The restored records cannot be read."},
	"Database integrity check": {"Records consistent", "The restored records are whole and consistent.",
		"The restored records are damaged."},
	"Record counts": {"Nothing missing", "Every client, matter, party and note that was backed up is there.",
		"Some records are missing from the restored copy, or it has records the backup did not."},
	"Content hash": {"Records unchanged", "Every record is exactly as it was backed up.",
		"Some records differ from what was backed up."},
	"Audit chain head": {"Audit trail complete", "The audit trail ends where it ended when the backup was made.",
		"The audit trail does not end where it ended when the backup was made."},
	"Audit chain": {"Audit trail intact", "Every audit entry is intact and in order.",
		"The audit trail was altered or damaged."},
	"Documents": {"Documents intact", "Every version of every document reads back exactly as it was saved.",
		"Some documents cannot be read back as they were saved."},
	"Scratch copy deleted": {"Copy deleted", "The temporary copy was deleted.",
		"The temporary copy could not be deleted; it is in the folder named under Technical details."},
}

// DrillReport is the outcome of a restore drill.
type DrillReport struct {
	Snapshot    *Snapshot     `json:"-"`
	SnapshotID  string        `json:"snapshot"`
	OK          bool          `json:"ok"`
	Checks      []DrillCheck  `json:"checks"`
	RestoreTime time.Duration `json:"restore_ns"`
	TotalTime   time.Duration `json:"total_ns"`
	Objects     int           `json:"objects"`
	Bytes       int64         `json:"bytes"`
	// Where the result was recorded.
	InBackup   bool   `json:"recorded_in_backup"`
	InVault    bool   `json:"recorded_in_vault"`
	RecordNote string `json:"record_note,omitempty"`
}

// DrillOptions for Drill.
type DrillOptions struct {
	Snapshot   string // id prefix, "" or "latest"
	ScratchDir string // where the scratch copy goes; "" = the system's temp folder
	Progress   ProgressFunc
	// Session is the open vault, if any: the drill is recorded in its audit
	// trail and backup settings when it is the vault the backup belongs to.
	Session *Session
	// afterRestore, in tests, runs on the restored folder before it is
	// opened and checked.
	afterRestore func(dir string)
}

// Drill runs a restore drill: it restores a snapshot into a scratch folder,
// authenticating every object; opens the restored vault; runs the
// database's integrity check; compares the counts, content digest and audit
// chain head with what the snapshot recorded and verifies the audit chain;
// then deletes the scratch copy and records the result in the repository
// (and the vault's audit trail when o.Session is set). A drill that ran and
// found a problem returns its report and an error wrapping ErrDrillFailed.
func (b *Backups) Drill(ctx context.Context, o DrillOptions) (*DrillReport, error) {
	if err := b.allow(ctx, access.Drill); err != nil {
		return nil, err
	}
	if o.Session != nil && o.Session != b.s {
		if err := o.Session.allow(ctx, access.Drill); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	snap, err := b.r.FindSnapshot(ctx, o.Snapshot)
	if err != nil {
		return nil, err
	}
	rep := &DrillReport{Snapshot: snap, SnapshotID: snap.ID, OK: true}
	check := func(name string, ok bool, format string, args ...any) {
		c := DrillCheck{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...), Title: name}
		if w, known := drillWords[name]; known {
			c.Title, c.Said = w.title, w.ok
			if !ok {
				c.Said = w.fail
			}
		}
		rep.Checks = append(rep.Checks, c)
		if !ok {
			rep.OK = false
		}
	}
	scratch, err := os.MkdirTemp(o.ScratchDir, "casevault-drill-")
	if err != nil {
		return nil, fmt.Errorf("making a scratch folder for the drill: %w", err)
	}
	defer os.RemoveAll(scratch)
	b.drill(ctx, snap, filepath.Join(scratch, "vault"), o, rep, check)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(scratch); err != nil {
		check("Scratch copy deleted", false, "%v", err)
	} else {
		check("Scratch copy deleted", true, "%s", scratch)
	}
	rep.TotalTime = time.Since(start)

	rec := &backup.DrillRecord{Time: time.Now().UTC(), Snapshot: snap.ID, OK: rep.OK, RestoreTime: rep.RestoreTime,
		TotalTime: rep.TotalTime, Objects: rep.Objects, Bytes: rep.Bytes}
	for _, c := range rep.Checks {
		line := c.Name + ": " + c.Detail
		if c.OK {
			rec.Checks = append(rec.Checks, line)
		} else {
			rec.Failures = append(rec.Failures, line)
		}
	}
	if err := b.r.RecordDrill(ctx, rec); err != nil {
		rep.RecordNote = "the result could not be written to the backup: " + err.Error()
	} else {
		rep.InBackup = true
	}
	if s := o.Session; s != nil {
		vid := s.v.Info().VaultID
		if hex.EncodeToString(vid[:]) == b.r.VaultID() {
			result := "passed"
			if !rep.OK {
				result = "FAILED: " + rec.Failures[0]
			}
			detail := fmt.Sprintf("snapshot %s in %s: %s (restore %s)", snap.Short(), b.r.Dir(), result, rep.RestoreTime.Round(time.Millisecond))
			if err := s.audit(ctx, "backup.drill", "", detail); err == nil {
				rep.InVault = true
			}
			set := LoadBackupSettings(s.Dir())
			set.LastDrill, set.LastDrillOK = s.now(), rep.OK
			SaveBackupSettings(s.Dir(), set)
		}
	}
	if !rep.OK {
		for _, c := range rep.Checks {
			if !c.OK {
				return rep, fmt.Errorf("%w: %s: %s", ErrDrillFailed, c.Name, c.Detail)
			}
		}
	}
	return rep, nil
}

func (b *Backups) drill(ctx context.Context, snap *Snapshot, dir string, o DrillOptions, rep *DrillReport, check func(string, bool, string, ...any)) {
	res, err := b.r.Restore(ctx, snap, dir, o.Progress)
	if err != nil {
		check("Restore", false, "%v", b.namingDocuments(ctx, err))
		return
	}
	rep.RestoreTime, rep.Objects, rep.Bytes = res.Duration, res.Objects, res.Bytes
	if o.afterRestore != nil {
		o.afterRestore(dir)
	}
	check("Restore", true, "%s (%s) decrypted and authenticated in %s", human.Count(res.Objects, "object", "objects"), human.Size(res.Bytes), human.Duration(res.Duration))
	v, err := vault.OpenWithKeys(dir, b.r.Keys())
	if err != nil {
		check("Restored vault opens", false, "%v", err)
		return
	}
	st, err := store.Open(ctx, v, store.Options{NoCloseCheckpoint: true})
	if err != nil {
		v.Close()
		check("Restored vault opens", false, "%v", err)
		return
	}
	rs := newSession(v, st, Options{})
	defer rs.close(ctx, false)
	check("Restored vault opens", true, "the checkpoint and %s of redo log replayed", human.Size(snap.LogSize))

	var problems []string
	var counts store.Counts
	var head, digest string
	err = st.View(ctx, func(tx *store.Tx) error {
		var err error
		if problems, err = tx.IntegrityCheck(); err != nil {
			return err
		}
		if counts, err = tx.Counts(); err != nil {
			return err
		}
		if head, _, err = tx.RecordedAuditHead(); err != nil {
			return err
		}
		dig, err := tx.ContentDigest()
		if err != nil {
			return err
		}
		mac, err := v.MAC(contentPurpose, dig)
		digest = hex.EncodeToString(mac)
		return err
	})
	if err != nil {
		check("Database readable", false, "%v", err)
		return
	}
	if len(problems) > 0 {
		check("Database integrity check", false, "%s, the first: %s", human.Count(len(problems), "problem", "problems"), problems[0])
	} else {
		check("Database integrity check", true, "PRAGMA integrity_check and foreign_key_check: ok")
	}
	got := countsMap(counts)
	same := len(got) == len(snap.Counts)
	for k, n := range got {
		if snap.Counts[k] != n {
			same = false
		}
	}
	want := recordCounts(snap.Counts)
	switch {
	case b.s != nil && b.s.hidesCounts(ctx):
		// The user may not see every record: the counts would tell how
		// many are hidden from them.
		if same {
			check("Record counts", true, "as recorded")
		} else {
			check("Record counts", false, "the restored vault's counts differ from what the snapshot recorded")
		}
	case same:
		check("Record counts", true, "%s, as recorded", want)
	default:
		check("Record counts", false, "the restored vault has %s; the snapshot recorded %s",
			recordCounts(got), want)
	}
	if digest == snap.ContentHash {
		check("Content hash", true, "every record matches the snapshot's keyed hash")
	} else {
		check("Content hash", false, "the restored records differ from what was backed up")
	}
	if head == snap.AuditHead {
		check("Audit chain head", true, "%s, as recorded", shortHead(head))
	} else {
		check("Audit chain head", false, "the restored trail ends at %s, the snapshot recorded %s", shortHead(head), shortHead(snap.AuditHead))
	}
	ar, err := rs.verifyChain(ctx)
	switch {
	case err != nil:
		check("Audit chain", false, "%v", err)
	case !ar.OK:
		check("Audit chain", false, "%s", ar.Problem)
	default:
		check("Audit chain", true, "%s verified", human.Count(ar.Entries, "entry", "entries"))
	}
	hideNames := b.s != nil && b.s.hidesCounts(ctx)
	b.drillDocuments(ctx, v, st, o.Progress, hideNames, rep, check)
}

// drillDocuments reads every version of every document of the restored
// vault (v, st), streaming: each part authenticated and its id recomputed,
// and each version's SHA-256 compared with the one recorded when it was
// saved. A vault without documents gets no check. A failure names the
// document and the version (by number only when hideNames: the user may
// not see every record).
func (b *Backups) drillDocuments(ctx context.Context, v *vault.Vault, st *store.Store, progress ProgressFunc, hideNames bool,
	rep *DrillReport, check func(string, bool, string, ...any)) {
	type version struct {
		doc    store.Document
		n      int
		size   int64
		sum    [32]byte
		chunks []vault.Chunk
	}
	var all []version
	var total int64
	docs := 0
	err := st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		list, _, err := tx.Documents(store.DocumentFilter{})
		if err != nil {
			return err
		}
		docs = len(list)
		for _, d := range list {
			vs, err := tx.DocumentVersions(d.ID)
			if err != nil {
				return err
			}
			for _, dv := range vs {
				chunks, err := tx.VersionChunks(d.ID, dv.N)
				if err != nil {
					return err
				}
				all = append(all, version{doc: d, n: dv.N, size: dv.Size, sum: dv.SHA256, chunks: chunks})
				total += dv.Size
			}
		}
		return nil
	})
	if err != nil {
		check("Documents", false, "listing the restored documents: %v", err)
		return
	}
	if len(all) == 0 {
		return
	}
	if progress == nil {
		progress = func(BackupProgress) {}
	}
	p := BackupProgress{Phase: "Checking documents", TotalBytes: total, TotalObjects: len(all)}
	progress(p)
	type failure struct {
		v   version
		err error
	}
	var bad []failure
	for _, x := range all {
		cw := &progressWriter{p: &p, progress: progress}
		if err := v.ReadDocument(ctx, x.chunks, x.sum, cw); err != nil {
			if ctx.Err() != nil {
				return
			}
			bad = append(bad, failure{x, err})
		}
		p.Bytes = min(p.Bytes-cw.n+x.size, p.TotalBytes)
		p.Objects++
		progress(p)
	}
	docWord := human.Count(docs, "document", "documents")
	verWord := human.Count(len(all), "version", "versions")
	if len(bad) == 0 {
		check("Documents", true, "%s, %s (%s) read back: every part authenticated, every version's SHA-256 as recorded", docWord, verWord, human.Size(total))
		return
	}
	name := func(x version) string {
		if hideNames {
			return fmt.Sprintf("version %d of document %d", x.n, x.doc.ID)
		}
		return fmt.Sprintf("version %d of %s", x.n, docLabel(x.doc))
	}
	var details []string
	for _, f := range bad {
		details = append(details, fmt.Sprintf("document %d version %d: %v", f.v.doc.ID, f.v.n, f.err))
	}
	check("Documents", false, "%s of %s damaged: %s", human.Count(len(bad), "version", "versions"), verWord, strings.Join(details, "; "))
	said := fmt.Sprintf("%s cannot be read back as it was saved", name(bad[0].v))
	if len(bad) > 1 {
		said += fmt.Sprintf(", and %s more", human.Count(len(bad)-1, "version", "versions"))
	}
	last := &rep.Checks[len(rep.Checks)-1]
	last.Said = strings.ToUpper(said[:1]) + said[1:] + "."
}

// namingDocuments adds to a damaged-backup error the documents of the open
// vault (as far as the user sees them) whose content the damaged blobs
// hold: "a backup file is damaged" alone does not tell the lawyer what is
// at stake.
func (b *Backups) namingDocuments(ctx context.Context, err error) error {
	var de *backup.DamagedError
	if !errors.As(err, &de) {
		return err
	}
	if list := b.documentsIn(ctx, de.Blobs()); list != "" {
		return fmt.Errorf("%w; the damaged part holds content of %s", err, list)
	}
	return err
}

// documentsIn names the versions of the open vault's documents that the
// user may see ("version 2 of “lease.pdf”, …", at most five and how many
// more) whose content the document chunks among blobs hold; "" when none,
// when the backup was opened without a session, or when the user's role
// does not see documents.
func (b *Backups) documentsIn(ctx context.Context, blobs []backup.BlobKey) string {
	if b.s == nil || !b.s.CanDo(access.ListDocuments) {
		return ""
	}
	bad := map[vault.ID]bool{}
	for _, k := range blobs {
		if k.Type == backup.BlobDocument {
			bad[k.ID] = true
		}
	}
	if len(bad) == 0 {
		return ""
	}
	var names []string
	b.s.st.View(ctx, func(tx *store.Tx) error {
		docs, _, err := tx.Documents(store.DocumentFilter{})
		if err != nil {
			return err
		}
		for _, d := range docs {
			vs, err := tx.DocumentVersions(d.ID)
			if err != nil {
				return err
			}
			for _, dv := range vs {
				chunks, err := tx.VersionChunks(d.ID, dv.N)
				if err != nil {
					return err
				}
				for _, c := range chunks {
					if bad[c.ID] {
						names = append(names, fmt.Sprintf("version %d of %s", dv.N, docLabel(d)))
						break
					}
				}
			}
		}
		return nil
	})
	if len(names) == 0 {
		return ""
	}
	const most = 5
	list := strings.Join(names[:min(len(names), most)], ", ")
	if len(names) > most {
		list += fmt.Sprintf(" and %d more", len(names)-most)
	}
	return list
}

// docLabel names a document for a message: “name” (in folder a/b).
func docLabel(d store.Document) string {
	s := "“" + human.Truncate(d.Name, 80) + "”"
	if d.Folder != "" {
		s += " in folder " + human.Truncate(d.Folder, 80)
	}
	return s
}

// progressWriter counts what a document read wrote and reports it.
type progressWriter struct {
	p        *BackupProgress
	progress ProgressFunc
	n        int64
}

func (w *progressWriter) Write(b []byte) (int, error) {
	w.n += int64(len(b))
	w.p.Bytes = min(w.p.Bytes+int64(len(b)), w.p.TotalBytes)
	w.progress(*w.p)
	return len(b), nil
}

func shortHead(h string) string {
	if h == "" {
		return "(empty)"
	}
	return human.Truncate(h, 21)
}

// recordCounts: "3 clients, 1 matter, 2 parties, 0 notes, 41 audit entries",
// and ", 2 documents (1.2 MB)" when there are documents.
func recordCounts(c backup.Counts) string {
	s := strings.Join([]string{human.Count(c["clients"], "client", "clients"), human.Count(c["matters"], "matter", "matters"),
		human.Count(c["parties"], "party", "parties"), human.Count(c["notes"], "note", "notes"), human.Count(c["audit"], "audit entry", "audit entries")}, ", ")
	if c["documents"] > 0 || c["document_bytes"] > 0 {
		s += ", " + human.Count(c["documents"], "document", "documents") + " (" + human.Size(int64(c["document_bytes"])) + ")"
	}
	return s
}

// RestoredFile, in a restored vault folder, says which snapshot it came
// from until the first unlock records that in the audit trail and removes
// it. Plain JSON: a snapshot id, times and a folder path.
const RestoredFile = "restored.json"

type restoredNote struct {
	Snapshot     string    `json:"snapshot"`
	SnapshotTime time.Time `json:"snapshot_time"`
	Repo         string    `json:"repo"`
	At           time.Time `json:"restored_at"`
}

func writeRestoredNote(dir string, n restoredNote) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return replaceFile(dir, RestoredFile, b)
}

// recordRestore appends the "restore" audit entry a restore left a note
// for, then removes the note.
func (s *Session) recordRestore(ctx context.Context) error {
	path := filepath.Join(s.Dir(), RestoredFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil // no note: not restored, or already recorded
	}
	var n restoredNote
	detail := "from a backup (the note about it was unreadable)"
	if json.Unmarshal(b, &n) == nil && len(n.Snapshot) >= 8 {
		detail = fmt.Sprintf("from snapshot %s of %s in %s, restored %s", n.Snapshot[:8],
			human.Time(n.SnapshotTime), n.Repo, human.Time(n.At))
	}
	if err := s.audit(ctx, "restore", "", detail); err != nil {
		return err
	}
	if s.UnrecordedAudit() > 0 {
		return nil // the disk is full: keep the note for the next unlock
	}
	return os.Remove(path)
}

// SystemDiskWarning is said after every backup to the laptop's own disk.
const SystemDiskWarning = "This backup is on the laptop's own disk, not on a separate drive. " +
	"It is lost with the laptop (theft, loss, fire, a failed disk) and does not protect against that: " +
	"back up to a USB drive as well, and keep it away from the laptop."

// withoutCounts is a copy of sn without its record counts, for a user who
// may not see every record (Session.hidesCounts).
func withoutCounts(sn *Snapshot) *Snapshot {
	if sn == nil {
		return nil
	}
	c := *sn
	c.Counts = nil
	return &c
}
