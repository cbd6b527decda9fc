package app

import (
	"context"
	"encoding/json"
	"fmt"
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

// ChangePassphrase rewraps the passphrase key slot. The caller checks the
// new passphrase against the policy (app/policy) and has already proven the
// old one by unlocking.
func (s *Session) ChangePassphrase(ctx context.Context, newPass []byte, params *vault.KDFParams) error {
	if err := s.v.ChangePassphrase(newPass, params); err != nil {
		return err
	}
	if err := s.audit(ctx, "passphrase.change", "", ""); err != nil {
		return fmt.Errorf("the passphrase WAS changed (use the new one from now on), but recording the change in the audit trail failed: %w", err)
	}
	return nil
}

// KDF returns the passphrase slot's parameters.
func (s *Session) KDF() vault.KDFParams { return s.v.Info().KDF }
