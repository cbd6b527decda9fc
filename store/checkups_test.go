package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

func TestCheckups(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		if c, err := tx.LastCheckup(); err != nil || c != nil {
			t.Errorf("none yet: %v, %v", c, err)
		}
		if _, err := tx.SaveCheckup(at, "ann", json.RawMessage(`not json`)); err == nil {
			t.Error("bad JSON saved")
		}
		if _, err := tx.SaveCheckup(at, "ann", json.RawMessage(`[{"key":"a"}]`)); err != nil {
			return err
		}
		id, err := tx.SaveCheckup(at.Add(time.Hour), "bob", json.RawMessage(`[{"key":"b"}]`))
		if err != nil {
			return err
		}
		c, err := tx.LastCheckup()
		if err != nil || c == nil || c.ID != id || c.By != "bob" || !c.At.Equal(at.Add(time.Hour)) || string(c.Results) != `[{"key":"b"}]` {
			t.Errorf("last: %+v, %v", c, err)
		}
		if n, err := tx.CheckupCount(); n != 2 || err != nil {
			t.Errorf("count %d, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBackupDrivesAndLastAudit(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		if ds, err := tx.BackupDrives(); err != nil || len(ds) != 0 {
			t.Errorf("none: %v %v", ds, err)
		}
		for i, r := range []struct {
			repo string
			at   time.Time
			sys  int
		}{{"r1", t0, 1}, {"r1", t0.AddDate(0, 0, 5), 0}, {"r2", t0.AddDate(0, 0, 2), 1}} {
			if _, err := tx.Exec(`INSERT INTO backup_records(at, repo_id, target, snapshot_id, audit_id) VALUES (?, ?, '/media/x', ?, 1)`,
				r.at.UnixMilli(), r.repo, string(rune('a'+i))); err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE backup_records SET system_disk = ? WHERE snapshot_id = ?`, r.sys, string(rune('a'+i))); err != nil {
				return err
			}
		}
		ds, err := tx.BackupDrives()
		if err != nil {
			return err
		}
		if len(ds) != 2 || ds[0].RepoID != "r1" || !ds[0].Last.Equal(t0.AddDate(0, 0, 5)) || ds[0].SystemDisk || ds[1].RepoID != "r2" || !ds[1].SystemDisk {
			t.Errorf("drives %+v", ds)
		}
		if _, _, found, err := tx.LastAuditAction("audit.verify"); found || err != nil {
			t.Errorf("no verify yet: %v %v", found, err)
		}
		for i, d := range []string{"intact", "BROKEN: x"} {
			if err := tx.InsertAudit(&AuditEntry{ID: int64(i + 1), At: t0.Add(time.Duration(i) * time.Hour), Actor: "a", Action: "audit.verify", Detail: d, PrevHash: []byte{0}, Hash: []byte{1}}); err != nil {
				return err
			}
		}
		at, detail, found, err := tx.LastAuditAction("audit.verify")
		if !found || err != nil || detail != "BROKEN: x" || !at.Equal(t0.Add(time.Hour)) {
			t.Errorf("last verify %v %q %v %v", at, detail, found, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
