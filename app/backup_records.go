package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/backup"
	"casevault/store"
	"casevault/vault"
)

// The vault's own record of the backups it made (backup_records): which
// drive holds which snapshot, the audit entry each snapshot ends at and
// which key slots could open the drive. From it the vault says which
// snapshots still hold a destroyed client file (SnapshotsHolding), forgets
// exactly those (Backups.ForgetDestroyed), and which clients were on a
// drive that was lost (ClientsOnRepository). docs/THREAT-MODEL.md,
// "Destroyed data in backups".

// BackupRecord is one snapshot the vault recorded after making it.
type BackupRecord = store.BackupRecord

// ErrBackUpFirst: forgetting the snapshots that hold a destruction would
// leave the drive with no backup made after it (*backUpFirstError says
// what to do).
var ErrBackUpFirst = errors.New("back up now first")

// ErrLeftOnDrive: the snapshots were forgotten, but the drive had no room
// to rewrite what they shared with the snapshots that stay, so parts of
// them are still on it (*leftOnDriveError says what to do).
var ErrLeftOnDrive = errors.New("parts of the forgotten snapshots are still on the drive")

// ErrNoDestruction: no destruction in the register has that number.
var ErrNoDestruction = errors.New("no such destruction")

// ErrUnknownDrive: the vault has no record of a backup on that drive.
var ErrUnknownDrive = errors.New("no backups recorded on that drive")

type backUpFirstError struct{ number, dir string }

func (e *backUpFirstError) Error() string {
	return fmt.Sprintf("Back up now first: forgetting these would leave the backup in %s with no backup made after %s was destroyed. "+
		"Back up to that drive now, then run this again. Nothing was removed.", e.dir, e.number)
}

func (e *backUpFirstError) Is(target error) bool { return target == ErrBackUpFirst }

type leftOnDriveError struct {
	removed int
	dir     string
	left    backup.Unneeded
	cause   error
}

func (e *leftOnDriveError) Error() string {
	s := fmt.Sprintf("%s removed from the backup in %s, but %s of their data is still on the drive",
		human.Count(e.removed, "snapshot was", "snapshots were"), e.dir, human.Size(e.left.Bytes))
	if e.cause != nil && errors.Is(e.cause, backup.ErrTargetFull) {
		s += ": the drive is full, so what they shared with the other snapshots could not be rewritten"
	} else if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s + ". Free some space on the drive (delete other files on it), then run this again: it finishes the removal."
}

func (e *leftOnDriveError) Is(target error) bool { return target == ErrLeftOnDrive }

// HeldSnapshot is a snapshot that still holds destroyed data.
type HeldSnapshot struct {
	RepoID, Target, Volume string
	SnapshotID, Short      string
	At                     time.Time
	// Present: the drive is plugged in now (its folder holds the same
	// backup), so the snapshot can be forgotten now.
	Present bool
	// Numbers are the destructions it holds ("D-2026-0001").
	Numbers []string
}

// snapRef is a snapshot as far as the holding and exposure rules need it.
type snapRef struct {
	repoID, target, volume string
	id                     string
	at                     time.Time
	auditID                int64
	recorded               bool
}

// auditIDOf is the id of the audit chain head "id:mac" a snapshot recorded
// (0 when there is none: an empty trail, or unreadable).
func auditIDOf(head string) int64 {
	idText, _, _ := strings.Cut(head, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// holds reports whether a snapshot (its time and audit id) holds what
// destruction d destroyed: it was taken before the destruction's audit
// entry, and not before the oldest destroyed record existed.
func holds(d store.DestructionSpan, at time.Time, auditID int64) bool {
	if !d.Earliest.IsZero() && at.Before(d.Earliest) {
		return false
	}
	if d.AuditID > 0 {
		return auditID < d.AuditID
	}
	return at.Before(d.At) // no audit entry recorded: by time
}

// after reports whether a snapshot was made after destruction d.
func after(d store.DestructionSpan, at time.Time, auditID int64) bool {
	if d.AuditID > 0 {
		return auditID >= d.AuditID
	}
	return !at.Before(d.At)
}

// recordBackups records snap (just made in r) in backup_records, and every
// other snapshot of r not recorded yet (a recording that failed before, or
// snapshots made before the vault kept these records); records of r's
// snapshots that are no longer on the drive are marked forgotten. It
// returns warnings: a failure does not fail the backup, and the next
// backup catches up.
func (s *Session) recordBackups(ctx context.Context, r *backup.Repo, snap *backup.Snapshot) []string {
	if s.readOnly || r.RepoID() == "" {
		return nil
	}
	slots := s.repoSlotWords(ctx, r)
	snaps, _, err := r.Snapshots(ctx)
	if err != nil {
		snaps = nil // the new one alone; the others next time
	}
	found := false
	for _, sn := range snaps {
		found = found || sn.ID == snap.ID
	}
	if !found {
		snaps = append(snaps, snap)
	}
	target, volume, sys := r.Dir(), r.Volume(), r.OnSystemDisk()
	err = s.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
		have := map[string]bool{}
		recs, err := tx.BackupRecords(r.RepoID())
		if err != nil {
			return err
		}
		for _, rec := range recs {
			have[rec.SnapshotID] = true
		}
		on := map[string]bool{}
		for _, sn := range snaps {
			on[sn.ID] = true
			if have[sn.ID] {
				continue
			}
			if _, err := tx.AddBackupRecord(store.BackupRecord{At: sn.Time.UTC(), RepoID: r.RepoID(), Target: target, Volume: volume,
				SystemDisk: sys, SnapshotID: sn.ID, AuditID: auditIDOf(sn.AuditHead), Slots: slots}); err != nil {
				return err
			}
		}
		if snaps == nil || len(snaps) == 1 && !found {
			return nil // the list could not be read: mark nothing forgotten
		}
		var gone []string
		for _, rec := range recs {
			if rec.Forgotten.IsZero() && !on[rec.SnapshotID] {
				gone = append(gone, rec.SnapshotID)
			}
		}
		_, err = tx.MarkBackupsForgotten(r.RepoID(), gone, s.now())
		return err
	})
	if err != nil {
		return []string{"the vault could not note this backup in its list of backups (it will at the next backup): " + err.Error()}
	}
	return nil
}

// repoSlotWords says in plain words which secrets could open the
// repository: its key files' slots ("the passphrase", "the recovery key",
// "Ann Lee's passphrase with her key file"), and earlier ones while older
// key copies stay on the drive. No secret is involved.
func (s *Session) repoSlotWords(ctx context.Context, r *backup.Repo) []string {
	slots, files, err := r.KeySlots(ctx)
	if err != nil || len(slots) == 0 {
		slots, files = s.v.Slots(), 1
	}
	names := map[[16]byte]string{}
	vid := s.v.Info().VaultID
	s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		us, err := tx.ListUsers()
		if err != nil {
			return err
		}
		for _, u := range us {
			names[vault.UserTag(vid, u.Name)] = u.Name
		}
		return nil
	})
	var out []string
	for _, si := range slots {
		out = append(out, slotWords(si, names))
	}
	if files > 1 {
		out = append(out, fmt.Sprintf("an earlier passphrase or recovery key, if one was changed (the drive keeps %s of the keys)",
			human.Count(files-1, "older copy", "older copies")))
	}
	return dedupe(out)
}

// slotWords names one key slot: whose secret opens it.
func slotWords(si vault.SlotInfo, names map[[16]byte]string) string {
	var w string
	switch {
	case si.Type == vault.SlotPassphrase:
		w = "the passphrase"
	case si.Type.IsRecovery():
		return "the recovery key"
	case si.Tag == [16]byte{} && si.Owner:
		w = "the owner's passphrase"
	case names[si.Tag] != "" && si.Owner:
		w = names[si.Tag] + "'s passphrase (the owner)"
	case names[si.Tag] != "":
		w = names[si.Tag] + "'s passphrase"
	case si.Owner:
		w = "the owner's passphrase"
	default:
		w = "a former user's passphrase"
	}
	if si.KeyFile {
		w += " with a key file"
	}
	return w
}

func dedupe(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range list {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// presence opens backup folders to tell whether a drive is plugged in now:
// its folder holds a backup with the same repository id. Each folder is
// opened once.
type presence struct {
	s    *Session
	ctx  context.Context
	seen map[string]string // folder -> repository id there ("" none)
}

func (s *Session) newPresence(ctx context.Context) *presence {
	return &presence{s: s, ctx: ctx, seen: map[string]string{}}
}

func (p *presence) repoAt(dir string) string {
	dir = filepath.Clean(dir)
	if id, ok := p.seen[dir]; ok {
		return id
	}
	id := ""
	if backup.IsRepo(dir) {
		if r, err := backup.Open(p.ctx, dir, p.s.v.Keys(), backup.Options{Now: p.s.now, AppVersion: Version}); err == nil {
			id = r.RepoID()
			r.Close()
		}
	}
	p.seen[dir] = id
	return id
}

func (p *presence) present(dir, repoID string) bool { return repoID != "" && p.repoAt(dir) == repoID }

// knownSnapshots are the snapshots the vault knows of: its records (not
// forgotten) and, when the backup folder of the settings is plugged in, the
// snapshots there it has no record of (made before it kept records). A
// recorded snapshot of that drive that is no longer on it is left out.
func (s *Session) knownSnapshots(ctx context.Context, p *presence) ([]snapRef, error) {
	var recs []store.BackupRecord
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		recs, err = tx.BackupRecords("")
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []snapRef
	cur := s.currentRepo(ctx)
	on := map[string]bool{}
	if cur != nil {
		for _, sn := range cur.snaps {
			on[sn.ID] = true
		}
		p.seen[filepath.Clean(cur.dir)] = cur.repoID
	}
	recorded := map[string]bool{}
	for _, r := range recs {
		if !r.Forgotten.IsZero() {
			continue
		}
		recorded[r.RepoID+"/"+r.SnapshotID] = true
		if cur != nil && r.RepoID == cur.repoID && !on[r.SnapshotID] {
			continue // no longer on the drive
		}
		out = append(out, snapRef{repoID: r.RepoID, target: r.Target, volume: r.Volume, id: r.SnapshotID, at: r.At, auditID: r.AuditID, recorded: true})
	}
	if cur != nil {
		for _, sn := range cur.snaps {
			if !recorded[cur.repoID+"/"+sn.ID] {
				out = append(out, snapRef{repoID: cur.repoID, target: cur.dir, volume: cur.volume, id: sn.ID, at: sn.Time.UTC(), auditID: auditIDOf(sn.AuditHead)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out, nil
}

// openRepo is the backup of the settings' folder, read when plugged in.
type openRepo struct {
	dir, repoID, volume string
	systemDisk          bool
	snaps               []*backup.Snapshot
	slots               []string
}

func (s *Session) currentRepo(ctx context.Context) *openRepo {
	set := LoadBackupSettings(s.Dir())
	if set.Target == "" || !backup.IsRepo(set.Target) {
		return nil
	}
	r, err := backup.Open(ctx, set.Target, s.v.Keys(), backup.Options{Now: s.now, AppVersion: Version})
	if err != nil {
		return nil
	}
	defer r.Close()
	snaps, _, err := r.Snapshots(ctx)
	if err != nil || r.RepoID() == "" {
		return nil
	}
	return &openRepo{dir: r.Dir(), repoID: r.RepoID(), volume: r.Volume(), systemDisk: r.OnSystemDisk(), snaps: snaps,
		slots: s.repoSlotWords(ctx, r)}
}

// destructionSpans reads the destructions (number "" = all); a number that
// is not in the register is ErrNoDestruction.
func (s *Session) destructionSpans(ctx context.Context, number string) ([]store.DestructionSpan, error) {
	var spans []store.DestructionSpan
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		spans, err = tx.DestructionSpans(number)
		return err
	})
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(number) != "" && len(spans) == 0 {
		return nil, fmt.Errorf("%w: there is no destruction %q in the register (numbers look like D-2026-0001; see casevault retention register)",
			ErrNoDestruction, strings.TrimSpace(number))
	}
	return spans, nil
}

// SnapshotsHolding lists the snapshots, on every drive the vault knows of,
// that still hold what destruction number destroyed ("" = any destruction),
// oldest first: recorded snapshots not forgotten, plus those of the backup
// folder of the settings when it is plugged in (including snapshots made
// before the vault kept records).
func (s *Session) SnapshotsHolding(ctx context.Context, number string) ([]HeldSnapshot, error) {
	if err := s.allow(ctx, access.ViewRetention); err != nil {
		return nil, err
	}
	return s.snapshotsHolding(ctx, number)
}

func (s *Session) snapshotsHolding(ctx context.Context, number string) ([]HeldSnapshot, error) {
	spans, err := s.destructionSpans(ctx, number)
	if err != nil || len(spans) == 0 {
		return nil, err
	}
	p := s.newPresence(ctx)
	snaps, err := s.knownSnapshots(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []HeldSnapshot
	for _, sn := range snaps {
		var numbers []string
		for _, d := range spans {
			if holds(d, sn.at, sn.auditID) {
				numbers = append(numbers, d.Number)
			}
		}
		if len(numbers) == 0 {
			continue
		}
		out = append(out, HeldSnapshot{RepoID: sn.repoID, Target: sn.target, Volume: sn.volume, SnapshotID: sn.id, Short: short(sn.id),
			At: sn.at, Present: p.present(sn.target, sn.repoID), Numbers: numbers})
	}
	return out, nil
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// ForgetDestroyedResult says what ForgetDestroyed did.
type ForgetDestroyedResult struct {
	Number  string
	Removed []string // the snapshot ids removed from this drive
	Prune   *PruneResult
	// Left is what the drive still holds that no remaining snapshot needs
	// (zero: nothing of the forgotten snapshots is left on it).
	Left backup.Unneeded
	// ElsewhereHolding are the snapshots on other drives that still hold
	// it: plug each drive in and run this again there.
	ElsewhereHolding []HeldSnapshot
}

// PruneResult says what a prune freed.
type PruneResult = backup.PruneResult

// ForgetDestroyed removes from this backup exactly the snapshots that still
// hold what destruction number destroyed, prunes so that their data leaves
// the drive, and notes them forgotten in the vault's records. It refuses
// (ErrBackUpFirst) unless the backup has a snapshot made after the
// destruction, so the drive is never left without a backup of the vault as
// it is now. Run again after a full drive (ErrLeftOnDrive), it finishes the
// removal. Needs the vault: the backup must have been opened through the
// session.
func (b *Backups) ForgetDestroyed(ctx context.Context, number string) (*ForgetDestroyedResult, error) {
	if err := b.allow(ctx, access.ForgetDestroyed); err != nil {
		return nil, err
	}
	s := b.s
	if s == nil {
		return nil, errors.New("the vault must be open to know what was destroyed: unlock the vault, then open the backup from it")
	}
	if strings.TrimSpace(number) == "" {
		return nil, &FieldError{"number", "Say which destruction (its number, like D-2026-0001)"}
	}
	spans, err := s.destructionSpans(ctx, number)
	if err != nil {
		return nil, err
	}
	d := spans[0]
	snaps, _, err := b.r.Snapshots(ctx) // damaged snapshot files: the thorough prune sets them aside
	if err != nil {
		return nil, err
	}
	var hold []string
	made := false
	for _, sn := range snaps {
		id := auditIDOf(sn.AuditHead)
		if holds(d, sn.Time, id) {
			hold = append(hold, sn.ID)
		}
		made = made || after(d, sn.Time, id)
	}
	if !made {
		return nil, &backUpFirstError{number: d.Number, dir: b.r.Dir()}
	}
	fr, err := b.r.ForgetSnapshots(ctx, hold, true)
	res := &ForgetDestroyedResult{Number: d.Number}
	if fr != nil {
		res.Removed, res.Prune, res.Left = fr.Removed, fr.Prune, fr.Left
		gone := append(append([]string(nil), fr.Removed...), fr.Missing...)
		if len(gone) > 0 {
			if merr := s.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
				_, err := tx.MarkBackupsForgotten(b.r.RepoID(), gone, s.now())
				return err
			}); merr != nil && err == nil {
				err = fmt.Errorf("the snapshots were removed, but noting that in the vault failed: %w", merr)
			}
		}
	}
	ids := make([]string, len(res.Removed))
	for i, id := range res.Removed {
		ids[i] = short(id)
	}
	detail := fmt.Sprintf("%s: %s removed", d.Number, human.Count(len(res.Removed), "snapshot", "snapshots"))
	if len(ids) > 0 {
		detail += " (" + strings.Join(ids, ", ") + ")"
	}
	if res.Prune != nil {
		detail += "; " + human.Size(res.Prune.BytesFreed) + " freed"
	}
	if !res.Left.Zero() {
		detail += "; " + human.Size(res.Left.Bytes) + " left on the drive"
	}
	if err != nil && fr == nil {
		return nil, err
	}
	s.audit(ctx, "backup.forget-destroyed", "", detail)
	if others, herr := s.snapshotsHolding(ctx, d.Number); herr == nil {
		for _, h := range others {
			if h.RepoID != b.r.RepoID() {
				res.ElsewhereHolding = append(res.ElsewhereHolding, h)
			}
		}
	}
	if !res.Left.Zero() {
		return res, &leftOnDriveError{removed: len(res.Removed), dir: b.r.Dir(), left: res.Left, cause: err}
	}
	return res, err
}

// Repository is a backup drive the vault knows of.
type Repository struct {
	RepoID, Target, Volume string
	SystemDisk             bool
	First, Last            time.Time // its oldest and newest snapshot the vault knows of
	Snapshots              int       // not forgotten
	Forgotten              int       // removed since (by forget)
	// Slots say which secrets could open it at its last recorded backup.
	Slots   []string
	Present bool // plugged in now
}

// KnownRepositories lists the backup drives the vault knows of, newest
// backup first: from its records, and the backup folder of the settings
// when it is plugged in.
func (s *Session) KnownRepositories(ctx context.Context) ([]Repository, error) {
	if err := s.allow(ctx, access.ListBackups); err != nil {
		return nil, err
	}
	var recs []store.BackupRecord
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		recs, err = tx.BackupRecords("")
		return err
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]*Repository{}
	var order []string
	for _, r := range recs {
		rp := byID[r.RepoID]
		if rp == nil {
			rp = &Repository{RepoID: r.RepoID, First: r.At}
			byID[r.RepoID] = rp
			order = append(order, r.RepoID)
		}
		if !r.At.Before(rp.Last) {
			rp.Target, rp.Volume, rp.SystemDisk, rp.Slots, rp.Last = r.Target, r.Volume, r.SystemDisk, r.Slots, r.At
		}
		if r.At.Before(rp.First) {
			rp.First = r.At
		}
		if r.Forgotten.IsZero() {
			rp.Snapshots++
		} else {
			rp.Forgotten++
		}
	}
	p := s.newPresence(ctx)
	if cur := s.currentRepo(ctx); cur != nil {
		p.seen[filepath.Clean(cur.dir)] = cur.repoID
		rp := byID[cur.repoID]
		if rp == nil {
			rp = &Repository{RepoID: cur.repoID, Target: cur.dir, Volume: cur.volume, SystemDisk: cur.systemDisk, Slots: cur.slots}
			byID[cur.repoID] = rp
			order = append(order, cur.repoID)
		}
		// What is on the drive now is what counts.
		rp.Snapshots = len(cur.snaps)
		if len(cur.snaps) > 0 {
			if f := cur.snaps[0].Time.UTC(); rp.First.IsZero() || f.Before(rp.First) {
				rp.First = f
			}
			if l := cur.snaps[len(cur.snaps)-1].Time.UTC(); l.After(rp.Last) {
				rp.Last = l
			}
		}
	}
	out := make([]Repository, 0, len(order))
	for _, id := range order {
		rp := byID[id]
		rp.Present = p.present(rp.Target, rp.RepoID)
		out = append(out, *rp)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Last.After(out[j].Last) })
	return out, nil
}

// ExposedClient is a client whose data was in at least one snapshot on a
// drive.
type ExposedClient struct {
	ClientID  int64
	Label     string // the client's name; for a destroyed or deleted one, what the vault still knows
	Register  string // a destroyed client's register row ("D-2026-0001/2")
	Destroyed bool
	Deleted   bool // deleted (not destroyed) since: only its number is known
	// First and Last are the oldest and newest snapshot on the drive that
	// held it; Snapshots how many did.
	First, Last time.Time
	Snapshots   int
}

// ClientsOnRepository lists the clients whose data was on the drive repoID
// (an id from KnownRepositories; a unique prefix of at least 8 digits
// will do): those in any of its snapshots not forgotten. It errs on the
// side of listing: a client is counted in a snapshot when it was created
// no later than the snapshot; a destroyed client (from the register) when
// it existed then and was destroyed after; a deleted client when it was
// deleted after the snapshot. Live clients are those the user may see.
func (s *Session) ClientsOnRepository(ctx context.Context, repoID string) ([]ExposedClient, error) {
	if err := s.allow(ctx, access.ViewIncidents); err != nil {
		return nil, err
	}
	repoID = strings.ToLower(strings.TrimSpace(repoID))
	p := s.newPresence(ctx)
	all, err := s.knownSnapshots(ctx, p)
	if err != nil {
		return nil, err
	}
	var snaps []snapRef
	match := ""
	for _, sn := range all {
		if sn.repoID == repoID || len(repoID) >= 8 && strings.HasPrefix(sn.repoID, repoID) {
			if match != "" && match != sn.repoID {
				return nil, &FieldError{"drive", fmt.Sprintf("%q names more than one backup drive; give more of its id", repoID)}
			}
			match = sn.repoID
			snaps = append(snaps, sn)
		}
	}
	if len(snaps) == 0 {
		return nil, fmt.Errorf("%w: the vault knows of no snapshot on the backup drive %q that is still there (see casevault backup drives)", ErrUnknownDrive, repoID)
	}
	var live []*store.Client
	var destroyed []store.DestroyedClient
	var adds, deletes []*store.AuditEntry
	err = s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		if live, err = tx.ListClientSummaries(store.ByName); err != nil {
			return err
		}
		if destroyed, err = tx.As(store.Everyone).DestroyedClients(); err != nil {
			return err
		}
		if deletes, err = tx.ListAudit(store.AuditFilter{Action: "client.delete"}); err != nil || len(deletes) == 0 {
			return err
		}
		adds, err = tx.ListAudit(store.AuditFilter{Action: "client.add"})
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []ExposedClient
	count := func(c *ExposedClient, in func(sn snapRef) bool) {
		for _, sn := range snaps {
			if !in(sn) {
				continue
			}
			if c.Snapshots == 0 || sn.at.Before(c.First) {
				c.First = sn.at
			}
			if sn.at.After(c.Last) {
				c.Last = sn.at
			}
			c.Snapshots++
		}
		if c.Snapshots > 0 {
			out = append(out, *c)
		}
	}
	for _, c := range live {
		created := c.CreatedAt
		count(&ExposedClient{ClientID: c.ID, Label: c.Name}, func(sn snapRef) bool { return !created.After(sn.at) })
	}
	for _, dc := range destroyed {
		label := "A destroyed client file (" + dc.Ref + ")"
		if dc.Name != "" {
			label = dc.Name + " (file destroyed, " + dc.Ref + ")"
		}
		span := store.DestructionSpan{Number: dc.Number, At: dc.At, AuditID: dc.AuditID, Earliest: dc.CreatedAt}
		count(&ExposedClient{ClientID: dc.ClientID, Label: label, Register: dc.Ref, Destroyed: true},
			func(sn snapRef) bool { return holds(span, sn.at, sn.auditID) })
	}
	added := map[string]int64{}
	for _, e := range adds {
		for _, rec := range strings.Fields(e.Records) {
			if strings.HasPrefix(rec, "client:") {
				added[rec] = e.ID
			}
		}
	}
	for _, e := range deletes {
		for _, rec := range strings.Fields(e.Records) {
			id, err := strconv.ParseInt(strings.TrimPrefix(rec, "client:"), 10, 64)
			if !strings.HasPrefix(rec, "client:") || err != nil {
				continue
			}
			addID, delID, delAt := added[rec], e.ID, e.At
			count(&ExposedClient{ClientID: id, Deleted: true,
				Label: fmt.Sprintf("Client %d (deleted %s; its name is no longer in the vault)", id, human.Date(delAt))},
				func(sn snapRef) bool {
					if sn.auditID == 0 {
						return sn.at.Before(delAt) // unknown: by time
					}
					return sn.auditID < delID && (addID == 0 || addID <= sn.auditID)
				})
		}
	}
	return out, nil
}
