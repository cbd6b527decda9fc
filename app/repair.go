package app

import (
	"context"
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
}

// Changed reports whether the repair changed anything.
func (r *RepairReport) Changed() bool {
	return r.Versions != nil && len(r.Versions.SetAside) > 0
}

// Lines describes the repair in plain sentences.
func (r *RepairReport) Lines() []string {
	var out []string
	if v := r.Versions; v != nil && len(v.SetAside) > 0 {
		when := human.Time(v.ToTime)
		if v.Recovered {
			out = append(out, fmt.Sprintf("The folder mixed two versions of the vault. The newest version (saved %s) is back in use.", when))
		} else {
			out = append(out, fmt.Sprintf("The folder mixed two versions of the vault. The newest one could not be brought back "+
				"(the file that lists its contents is missing or damaged), so the version saved %s is in use. "+
				"Changes made after that are not in this vault: restore them from a backup if you have a newer one.", when))
		}
		rel, _ := filepath.Rel(r.Dir, v.Quarantine)
		out = append(out, fmt.Sprintf("The other version's files (%s) were moved to %s, not deleted.", strings.Join(v.SetAside, ", "), rel))
	}
	if len(out) == 0 {
		out = append(out, "Nothing needed repair: the vault opens as it is.")
	}
	return out
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
	st, err := store.Open(ctx, v, opts.Store)
	if err != nil {
		v.Close()
		return rep, err
	}
	s := newSession(v, st, opts)
	if rep.Changed() {
		err = s.audit(ctx, "vault.repair", "", strings.Join(rep.Lines(), " "))
	}
	if cerr := s.close(ctx, false); err == nil {
		err = cerr
	}
	return rep, err
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
		tt.Written.Local().Format("2006-01-02 15:04:05"), nOf(int(tt.Bytes), "byte", "bytes"))
}

func tornTailAudit(tt *vault.TornTail) string {
	return fmt.Sprintf("an incomplete change (record %d after the last checkpoint, %d bytes on disk, log last written %s) was dropped at unlock",
		tt.Record, tt.Bytes, tt.Written.UTC().Format(time.RFC3339))
}
