package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// ErrMixedVersions: the vault folder mixes files of two versions of the
// vault (an older copy was copied over it); Repair brings the newest back.
var ErrMixedVersions = vault.ErrMixedVersions

// RepairReport says what Repair did, in words for a person (Lines).
type RepairReport struct {
	Dir      string
	Versions *vault.VersionRepair
	Log      *vault.LogDamage // the damaged redo log that was salvaged, if any
	LogKept  string           // where the damaged log was kept (in the quarantine folder)
}

// Changed reports whether the repair changed anything.
func (r *RepairReport) Changed() bool {
	return (r.Versions != nil && (len(r.Versions.SetAside) > 0 || r.Versions.ManifestRestored)) || r.Log != nil
}

// rel names path relative to the vault folder, or in full when it cannot
// (never as an empty string).
func (r *RepairReport) rel(path string) string {
	if rel, err := filepath.Rel(r.Dir, path); err == nil {
		return rel
	}
	return path
}

// Lines describes the repair in plain sentences.
func (r *RepairReport) Lines() []string {
	var out []string
	if v := r.Versions; v != nil && v.ManifestRestored {
		line := fmt.Sprintf("The vault's manifest (the file that lists what the vault holds) was damaged or missing; "+
			"the copy casevault keeps of it (saved %s) was put back.", human.Time(v.ToTime))
		if v.Quarantine != "" {
			line += fmt.Sprintf(" The damaged one was moved to %s, not deleted.", r.rel(v.Quarantine))
		}
		out = append(out, line)
	}
	if v := r.Versions; v != nil && len(v.SetAside) > 0 {
		when := human.Time(v.ToTime)
		if v.Recovered {
			out = append(out, fmt.Sprintf("The folder mixed two versions of the vault. The newest version (saved %s) is back in use.", when))
		} else {
			out = append(out, fmt.Sprintf("The folder mixed two versions of the vault. The newest one could not be brought back "+
				"(the file that lists its contents is missing or damaged), so the version saved %s is in use. "+
				"Changes made after that are not in this vault: restore them from a backup if you have a newer one.", when))
		}
		rel := r.rel(v.Quarantine)
		// Chunk objects are counted, not listed: a large vault has many.
		var names []string
		objects := 0
		for _, n := range v.SetAside {
			if strings.HasPrefix(n, vault.ObjectsDir+"/") {
				objects++
				continue
			}
			names = append(names, n)
		}
		if objects > 0 {
			names = append(names, human.Count(objects, "data file", "data files"))
		}
		out = append(out, fmt.Sprintf("The other version's files (%s) were moved to %s, not deleted.", strings.Join(names, ", "), rel))
	}
	if d := r.Log; d != nil {
		out = append(out, "The vault's log of recent changes was damaged ("+d.Reason+"). "+salvageCounts(d)+
			" They are now saved in a new checkpoint, and the vault goes on from there.")
		out = append(out, fmt.Sprintf("The damaged log was kept in %s, not deleted.", r.rel(r.LogKept)))
		if lost := lostChanges(d); lost != "" {
			out = append(out, lost)
		}
	}
	if len(out) == 0 {
		out = append(out, "Nothing needed repair: the vault opens as it is.")
	}
	return out
}

// salvageCounts says what a salvage kept, in a sentence.
func salvageCounts(d *vault.LogDamage) string {
	return fmt.Sprintf("The last checkpoint and the %s saved after it, up to the damage, are kept.", human.Count(d.Kept, "change", "changes"))
}

// lostChanges says what a salvage could not read, or "".
func lostChanges(d *vault.LogDamage) string {
	when := human.Time(d.Written)
	if d.Acked > uint64(d.Kept) {
		return fmt.Sprintf("At least %s confirmed as saved could not be read (the log was last written %s): "+
			"if a backup was made after them, restore it into a new folder to get them back.", human.Count(int(d.Acked)-d.Kept, "more change", "more changes"), when)
	}
	return fmt.Sprintf("Whatever was saved after the damage could not be read (the log was last written %s): "+
		"if a backup was made after that, restore it into a new folder and compare.", when)
}

// Repair brings a vault folder that does not open back into a state that
// does, without deleting anything: files that cannot be used are moved into
// the vault's quarantine folder. It records what it did in the audit trail
// and leaves the vault locked.
func Repair(ctx context.Context, dir string, cred vault.Credential, opts Options) (*RepairReport, error) {
	v, err := vault.Open(dir, cred)
	if err != nil {
		return nil, err
	}
	rep := &RepairReport{Dir: dir}
	if rep.Versions, err = v.RepairVersions(ctx); err != nil {
		v.Close()
		return nil, err
	}
	if err := checkSealedSegments(v); err != nil {
		v.Close()
		if !rep.Changed() {
			rep = nil
		}
		return rep, err
	}
	v.Salvage()
	sopts := opts.Store
	sopts.Salvage = true
	st, err := store.Open(ctx, v, sopts)
	if err != nil {
		v.Close()
		return rep, repairFailed(err)
	}
	if d := v.LogDamage(); d != nil {
		// Keep the damaged log, then make what was read the new
		// checkpoint: the damaged log is then an older generation.
		kept, err := v.QuarantineLog()
		if err == nil {
			err = st.Checkpoint(ctx)
		}
		if err != nil {
			st.Close(ctx)
			v.Close()
			return rep, err
		}
		rep.Log, rep.LogKept = d, kept
	}
	s := newSession(v, st, opts)
	if err := s.loadUser(ctx, cred, opts.Actor); err != nil && !v.OpenedBy().Owner {
		s.close(ctx, false)
		return rep, err
	}
	if rep.Changed() {
		err = s.audit(ctx, "vault.repair", "", strings.Join(rep.Lines(), " "))
	}
	if cerr := s.close(ctx, false); err == nil {
		err = cerr
	}
	return rep, err
}

// checkSealedSegments reads and authenticates every sealed audit segment
// the vault's manifest names. A repair cannot make one again (its entries
// exist nowhere else in the vault), and opening does not read them, so
// without this check a repair would find nothing to do while every later
// checkpoint fails on a missing one.
func checkSealedSegments(v *vault.Vault) error {
	err := v.CheckObjects()
	var de *vault.DamagedError
	if errors.As(err, &de) {
		return &segmentDamageError{err: de, rel: relToVault(v.Dir(), de.File)}
	}
	return err
}

// segmentDamageError: a sealed audit segment is missing or damaged.
type segmentDamageError struct {
	err *vault.DamagedError
	rel string // the object's path inside the vault folder
}

func (e *segmentDamageError) Error() string {
	return fmt.Sprintf("vault damaged: a sealed part of the audit trail (older entries, kept in the file %s) %s. "+
		"A repair cannot make it again: those entries exist only in that file and in backups. Nothing was changed. "+
		"To put it back, restore your latest backup into a new folder (casevault restore --repo FOLDER-ON-YOUR-BACKUP-DRIVE --to NEW-FOLDER) "+
		"and copy the file %s from that folder to the same place in this vault's folder; or use the restored vault instead",
		e.rel, segmentProblem(e.err.Reason), e.rel)
}

func (e *segmentDamageError) Unwrap() error { return e.err }

func segmentProblem(reason string) string {
	if reason == "object is missing" {
		return "is missing"
	}
	return "is damaged (" + reason + ")"
}

// relToVault is path inside the vault folder dir, with forward slashes, or
// path itself when it is not inside.
func relToVault(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}

// Notices are what opening the vault found and the person must be told, in
// plain sentences (for example an incomplete last change that was dropped).
// The command line prints them; the window shows them after unlocking.
func (s *Session) Notices() []string { return append([]string(nil), s.notices...) }

func tornTailNotice(tt *vault.TornTail) string {
	return fmt.Sprintf("casevault was stopped while it was saving a change (the vault's log was last written %s). "+
		"That change had not been completely written (%s of it were on disk), so it was dropped; every change before it is kept. "+
		"casevault confirms a change only once it is completely saved, so this change was never confirmed, "+
		"but check that the last thing you did around that time is there. This is recorded in the audit trail.",
		human.Stamp(tt.Written), human.Count(int(tt.Bytes), "byte", "bytes"))
}

func tornTailAudit(tt *vault.TornTail) string {
	return fmt.Sprintf("an incomplete change (record %d after the last checkpoint, %s on disk, log last written %s) was dropped at unlock",
		tt.Record, human.Count(int(tt.Bytes), "byte", "bytes"), tt.Written.UTC().Format(time.RFC3339))
}

// repairFailed explains damage that a repair cannot work around: the
// header, the manifest or a chunk of the checkpoint itself.
func repairFailed(err error) error {
	var de *vault.DamagedError
	if errors.As(err, &de) && !de.Salvageable {
		return fmt.Errorf("%w (a repair can set aside damaged recent changes, but this is the vault's key file or its last checkpoint, which it cannot do without)", err)
	}
	return err
}

// ErrReadOnly: the vault was opened read-only (OpenReadOnly): nothing can
// be changed.
var ErrReadOnly = vault.ErrReadOnly

// CanOpenReadOnly reports whether err (from Open) is damage that
// OpenReadOnly works around: a damaged redo log after an intact checkpoint.
func CanOpenReadOnly(err error) bool {
	var de *vault.DamagedError
	return errors.As(err, &de) && de.Salvageable
}

// CanRepair reports whether err (from Open) is something Repair fixes: a
// damaged redo log, or a folder that mixes two versions of the vault.
func CanRepair(err error) bool {
	var de *vault.DamagedError
	return CanOpenReadOnly(err) || errors.Is(err, vault.ErrMixedVersions) || (errors.As(err, &de) && de.Repairable)
}

// OpenReadOnly unlocks a damaged vault for salvage: the last checkpoint and
// every change saved after it up to the first damaged one, read-only.
// Nothing on disk changes; writes fail with ErrReadOnly, and nothing is
// recorded in the audit trail (it cannot be written). Backups and exports
// work. Notices explains what was left out.
func OpenReadOnly(ctx context.Context, dir string, cred vault.Credential, opts Options) (*Session, error) {
	v, err := vault.OpenReadOnly(dir, cred)
	if err != nil {
		return nil, err
	}
	sopts := opts.Store
	sopts.Salvage = true
	st, err := store.Open(ctx, v, sopts)
	if err != nil {
		v.Close()
		return nil, err
	}
	s := newSession(v, st, opts)
	s.readOnly = true
	// The user and their role hold in a salvage as anywhere: a read-only
	// session that forgot them would be the owner's.
	if err := s.loadUser(ctx, cred, opts.Actor); err != nil && !v.OpenedBy().Owner {
		s.close(ctx, false)
		return nil, err
	}
	note := "This vault is open read-only: nothing can be changed, and what you do now is not recorded in the audit trail. "
	if d := v.LogDamage(); d != nil {
		note += "Its log of recent changes is damaged (" + d.Reason + "). " + salvageCounts(d) + " " + lostChanges(d) + " "
	}
	note += "Back it up now and export what you need; then repair it (Repair… on the unlock screen, or casevault repair), " +
		"which keeps what is shown here and lets the vault go on, with the damaged part kept aside."
	s.notices = append(s.notices, note)
	return s, nil
}

// ReadOnly reports whether the session was opened with OpenReadOnly.
func (s *Session) ReadOnly() bool { return s.readOnly }
