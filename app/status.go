package app

import (
	"context"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"time"

	"casevault/app/access"
	"casevault/store"
	"casevault/vault"
)

// Status describes the vault for `casevault status` and the settings screen.
type Status struct {
	Dir            string          `json:"dir"`
	SizeOnDisk     int64           `json:"size_on_disk"`
	Counts         store.Counts    `json:"counts"`
	KDF            vault.KDFParams `json:"kdf"`
	Created        time.Time       `json:"created"`
	LastWrite      time.Time       `json:"last_write"`
	LastCheckpoint time.Time       `json:"last_checkpoint"`
	LogBytes       int64           `json:"log_bytes"`
}

// Status returns facts about the vault. It is recorded in the audit trail.
func (s *Session) Status(ctx context.Context) (*Status, error) {
	if err := s.allow(ctx, access.ViewStatus); err != nil {
		return nil, err
	}
	st := &Status{Dir: s.v.Dir()}
	info := s.v.Info()
	st.KDF, st.Created = info.KDF, info.Created
	if cp := s.v.Current(); cp != nil {
		st.LastCheckpoint = cp.Created
	}
	st.LogBytes = s.v.LogSize()
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		if st.Counts, err = tx.Counts(); err != nil {
			return err
		}
		var last int64
		err = tx.QueryRow(`SELECT max(v) FROM (SELECT max(updated_at) AS v FROM clients UNION ALL SELECT max(updated_at) FROM matters
			UNION ALL SELECT max(created_at) FROM notes UNION ALL SELECT 0)`).Scan(&last)
		if last > 0 {
			st.LastWrite = time.UnixMilli(last).UTC()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.hidesCounts(ctx) {
		st.LastWrite = time.Time{} // it could be a hidden record's change
	}
	filepath.WalkDir(s.v.Dir(), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				st.SizeOnDisk += fi.Size()
			}
		}
		return nil
	})
	if err := s.audit(ctx, "status", "", ""); err != nil {
		return nil, err
	}
	return st, nil
}

// MarshalJSON keeps KDF readable in --json output.
func (st *Status) MarshalJSON() ([]byte, error) {
	type alias Status
	return json.Marshal(&struct {
		*alias
		KDF map[string]uint32 `json:"kdf"`
	}{(*alias)(st), map[string]uint32{"time": st.KDF.Time, "memory_kib": st.KDF.MemoryKiB, "threads": uint32(st.KDF.Threads)}})
}

// ChangePassphrase rewraps the key slot that opened the vault (the owner's
// after the recovery key), with new KDF parameters if params is set. The
// caller checks the new passphrase against the policy (app/policy, or
// CheckNewPassphrase) and has already proven the old one by unlocking; the
// vault's reuse rule still applies. A slot that needs a key file is changed
// with ChangeOwnPassphrase, which takes the key file.
func (s *Session) ChangePassphrase(ctx context.Context, newPass []byte, params *vault.KDFParams) error {
	if s.currentUser().keyFile {
		return &FieldError{"key_file", "Your passphrase works with a key file: change it where the key file can be given too (casevault user passwd --new-key-file, or the window's Change passphrase)"}
	}
	return s.changeOwn(ctx, newPass, nil, params, false)
}

// KDF returns the passphrase slot's parameters.
func (s *Session) KDF() vault.KDFParams { return s.v.Info().KDF }
