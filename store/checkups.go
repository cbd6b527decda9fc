package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Security checks (schema 7, table checkups; docs/FORMAT.md §6.3.6): each
// check's date, who ran it and its results as JSON (app/checkup's items:
// key, title, status, what was found and the advice). No client data: the
// items speak of the vault, its backups and this laptop.

// Checkup is one saved security check.
type Checkup struct {
	ID      int64
	At      time.Time
	By      string
	Results json.RawMessage
}

// SaveCheckup stores a check's results (valid JSON) and returns its id.
func (tx *Tx) SaveCheckup(at time.Time, by string, results json.RawMessage) (int64, error) {
	if !json.Valid(results) {
		return 0, errors.New("saving the security check: its results are not valid JSON")
	}
	res, err := tx.Exec("INSERT INTO checkups(at, by, results) VALUES (?, ?, ?)", at.UnixMilli(), by, string(results))
	if err != nil {
		return 0, fmt.Errorf("saving the security check: %w", err)
	}
	return res.LastInsertId()
}

// LastCheckup returns the newest saved check, or nil when there is none.
func (tx *Tx) LastCheckup() (*Checkup, error) {
	var c Checkup
	var at int64
	var results string
	err := tx.QueryRow("SELECT id, at, by, results FROM checkups ORDER BY at DESC, id DESC LIMIT 1").Scan(&c.ID, &at, &c.By, &results)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the last security check: %w", err)
	}
	c.At, c.Results = time.UnixMilli(at).UTC(), json.RawMessage(results)
	return &c, nil
}

// CheckupCount is how many checks are saved.
func (tx *Tx) CheckupCount() (int, error) {
	var n int
	err := tx.QueryRow("SELECT count(*) FROM checkups").Scan(&n)
	return n, err
}

// BackupDrive is one backup repository as the backup records know it, for
// the security check: its last recorded backup and whether that backup
// was on the laptop's own disk.
type BackupDrive struct {
	RepoID     string
	Last       time.Time
	SystemDisk bool // of the newest record
}

// BackupDrives lists the repositories of backup_records (helper C fills
// the table after each backup), newest backup first. A small read of its
// own so that the check does not wait on the backup records' API.
func (tx *Tx) BackupDrives() ([]BackupDrive, error) {
	// SQLite's bare columns with max(): system_disk is the newest row's.
	rows, err := tx.Query(`SELECT repo_id, max(at), system_disk FROM backup_records GROUP BY repo_id ORDER BY max(at) DESC, repo_id`)
	if err != nil {
		return nil, fmt.Errorf("reading the backup records: %w", err)
	}
	defer rows.Close()
	var out []BackupDrive
	for rows.Next() {
		var d BackupDrive
		var at int64
		var sys int
		if err := rows.Scan(&d.RepoID, &at, &sys); err != nil {
			return nil, err
		}
		d.Last, d.SystemDisk = time.UnixMilli(at).UTC(), sys != 0
		out = append(out, d)
	}
	return out, rows.Err()
}

// LastAuditAction returns the time and detail of the newest entry of the
// live audit trail with action (found false when there is none; entries
// already sealed into segments are not looked at).
func (tx *Tx) LastAuditAction(action string) (at time.Time, detail string, found bool, err error) {
	var ms int64
	err = tx.QueryRow("SELECT at, detail FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1", action).Scan(&ms, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, "", false, nil
	}
	if err != nil {
		return time.Time{}, "", false, fmt.Errorf("reading the audit trail: %w", err)
	}
	return time.UnixMilli(ms).UTC(), detail, true, nil
}
