package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The vault's record of the backups it made (schema 7, table
// backup_records; docs/FORMAT.md §6.3.6): which drive (repository id,
// folder, volume label, system disk) holds which snapshot, the audit entry
// the snapshot ends at, and which key slots could open that drive, in
// plain words. No client data: it is what lets the vault say which
// snapshots still hold a destroyed file and which clients were on a lost
// drive.

// BackupRecord is one snapshot the vault recorded.
type BackupRecord struct {
	ID         int64
	At         time.Time // the snapshot's time
	RepoID     string
	Target     string // the repository folder
	Volume     string // the drive as the repository knows it
	SystemDisk bool
	SnapshotID string // 32 hex digits
	AuditID    int64  // the id of the last audit entry in the snapshot
	Slots      []string
	Forgotten  time.Time // zero: still on the drive, as far as the vault knows
}

// AddBackupRecord records a snapshot; a snapshot already recorded (same
// repository and snapshot id) is left as it is and added is false.
func (tx *Tx) AddBackupRecord(r BackupRecord) (added bool, err error) {
	if r.RepoID == "" || r.SnapshotID == "" {
		return false, errors.New("recording a backup: the repository and the snapshot must be named")
	}
	slots := r.Slots
	if slots == nil {
		slots = []string{}
	}
	js, err := json.Marshal(slots)
	if err != nil {
		return false, err
	}
	sys := 0
	if r.SystemDisk {
		sys = 1
	}
	res, err := tx.Exec(`INSERT INTO backup_records(at, repo_id, target, volume, system_disk, snapshot_id, audit_id, slots)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repo_id, snapshot_id) DO NOTHING`,
		ms(r.At), r.RepoID, r.Target, r.Volume, sys, r.SnapshotID, r.AuditID, string(js))
	if err != nil {
		return false, fmt.Errorf("recording a backup: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// BackupRecords lists the recorded snapshots of the repository repoID ("":
// of every repository), oldest first.
func (tx *Tx) BackupRecords(repoID string) ([]BackupRecord, error) {
	rows, err := tx.Query(`SELECT id, at, repo_id, target, volume, system_disk, snapshot_id, audit_id, slots, forgotten_at
		FROM backup_records WHERE ?1 = '' OR repo_id = ?1 ORDER BY at, id`, repoID)
	if err != nil {
		return nil, fmt.Errorf("reading the backup records: %w", err)
	}
	defer rows.Close()
	var out []BackupRecord
	for rows.Next() {
		var r BackupRecord
		var at int64
		var sys int
		var slots string
		var forgotten sql.NullInt64
		if err := rows.Scan(&r.ID, &at, &r.RepoID, &r.Target, &r.Volume, &sys, &r.SnapshotID, &r.AuditID, &slots, &forgotten); err != nil {
			return nil, err
		}
		r.At, r.SystemDisk = fromMS(at), sys != 0
		if forgotten.Valid {
			r.Forgotten = fromMS(forgotten.Int64)
		}
		if err := json.Unmarshal([]byte(slots), &r.Slots); err != nil {
			return nil, fmt.Errorf("reading the backup records: the key slots of record %d: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MarkBackupsForgotten notes that the snapshots ids of repository repoID
// were removed from their drive at at. It returns how many records it
// marked (records already marked keep their first date).
func (tx *Tx) MarkBackupsForgotten(repoID string, ids []string, at time.Time) (int, error) {
	n := 0
	for _, id := range ids {
		res, err := tx.Exec(`UPDATE backup_records SET forgotten_at = ? WHERE repo_id = ? AND snapshot_id = ? AND forgotten_at IS NULL`,
			ms(at), repoID, id)
		if err != nil {
			return n, fmt.Errorf("noting forgotten backups: %w", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, err
		}
		n += int(k)
	}
	return n, nil
}

// DestructionSpan is what decides which snapshots hold a destruction: a
// snapshot holds it when it was taken before the destruction's audit entry
// (its audit id is lower) and not before the oldest destroyed record
// existed.
type DestructionSpan struct {
	ID      int64
	Number  string    // "D-2026-0001"
	At      time.Time // when it was destroyed
	AuditID int64     // its "destroy" audit entry; 0 when not recorded
	// Earliest is the oldest created_at of its register rows (zero when it
	// has none).
	Earliest time.Time
}

// DestructionSpans lists every destruction with the oldest creation time
// of what it destroyed, oldest first; number "" for all, else the one.
func (tx *Tx) DestructionSpans(number string) ([]DestructionSpan, error) {
	rows, err := tx.Query(`SELECT d.id, d.number, d.at, d.audit_id, min(r.created_at)
		FROM destructions d LEFT JOIN destruction_register r ON r.destruction_id = d.id
		WHERE ?1 = '' OR d.number = ?1 COLLATE NOCASE
		GROUP BY d.id ORDER BY d.at, d.id`, strings.TrimSpace(number))
	if err != nil {
		return nil, fmt.Errorf("reading the destructions: %w", err)
	}
	defer rows.Close()
	var out []DestructionSpan
	for rows.Next() {
		var d DestructionSpan
		var at int64
		var earliest sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Number, &at, &d.AuditID, &earliest); err != nil {
			return nil, err
		}
		d.At = fromMS(at)
		if earliest.Valid {
			d.Earliest = fromMS(earliest.Int64)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DestroyedClient is a client file in the destruction register, for the
// list of clients on a lost drive.
type DestroyedClient struct {
	Ref       string // the register row's reference ("D-2026-0001/2")
	Number    string // the destruction's number
	ClientID  int64  // the client's former id
	CreatedAt time.Time
	At        time.Time // when it was destroyed
	AuditID   int64     // the destruction's audit entry; 0 when not recorded
	// Name is the client's name when the lawyer kept the names for
	// conflict checks, else "".
	Name string
}

// DestroyedClients lists the client files in the destruction register,
// oldest destruction first.
func (tx *Tx) DestroyedClients() ([]DestroyedClient, error) {
	rows, err := tx.Query(`SELECT r.ref, d.number, r.record_id, r.created_at, d.at, d.audit_id,
			coalesce((SELECT n.name FROM destroyed_names n WHERE n.register_id = r.id AND n.role IN ('client', 'former_client') ORDER BY n.id LIMIT 1),
				(SELECT n.client_name FROM destroyed_names n WHERE n.register_id = r.id AND n.client_name <> '' ORDER BY n.id LIMIT 1), '')
		FROM destruction_register r JOIN destructions d ON d.id = r.destruction_id
		WHERE r.kind = 'client' ORDER BY d.at, d.id, r.id`)
	if err != nil {
		return nil, fmt.Errorf("reading the destruction register: %w", err)
	}
	defer rows.Close()
	var out []DestroyedClient
	for rows.Next() {
		var c DestroyedClient
		var created, at int64
		if err := rows.Scan(&c.Ref, &c.Number, &c.ClientID, &created, &at, &c.AuditID, &c.Name); err != nil {
			return nil, err
		}
		c.CreatedAt, c.At = fromMS(created), fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
