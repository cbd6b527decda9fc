package store

import (
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one line of the append-only audit trail.
type AuditEntry struct {
	ID       int64
	At       time.Time
	Actor    string
	Action   string
	Records  string // e.g. "client:12 matter:3"
	Detail   string
	PrevHash []byte
	Hash     []byte
}

// AuditHead returns the last entry's id and hash (0, nil when empty). When
// the live table is empty and segments were sealed, it is the last sealed
// entry (the live table keeps entries after every seal, so this is only
// the case for a trail whose live entries were deleted).
func (tx *Tx) AuditHead() (int64, []byte, error) {
	var id int64
	var h []byte
	err := tx.QueryRow("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").Scan(&id, &h)
	if errors.Is(err, sql.ErrNoRows) {
		var ok bool
		if ok, err = hasTable(tx.Tx, "audit_segments"); err != nil || !ok {
			return 0, nil, err
		}
		err = tx.QueryRow("SELECT last_id, last_hash FROM audit_segments ORDER BY seq DESC LIMIT 1").Scan(&id, &h)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil, nil
		}
	}
	if err != nil {
		return 0, nil, err
	}
	return id, h, nil
}

// InsertAudit appends an entry whose ID, PrevHash and Hash the caller set.
// It also moves the recorded head, so that a deleted last entry is noticed.
func (tx *Tx) InsertAudit(e *AuditEntry) error {
	if _, err := tx.Exec("INSERT INTO audit(id, at, actor, action, records, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		e.ID, e.At.UnixMilli(), e.Actor, e.Action, e.Records, e.Detail, e.PrevHash, e.Hash); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT INTO meta(key, value) VALUES ('audit_head', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, formatHead(e.ID, e.Hash))
	return err
}

func formatHead(id int64, h []byte) string {
	return strconv.FormatInt(id, 10) + ":" + hex.EncodeToString(h)
}

// RecordedAuditHead is the head written with the last entry, as "id:hexhash"
// ("" when none), and its id (0 when none or unreadable).
func (tx *Tx) RecordedAuditHead() (head string, id int64, err error) {
	err = tx.QueryRow("SELECT value FROM meta WHERE key = 'audit_head'").Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	idStr, _, _ := strings.Cut(head, ":")
	if id, err = strconv.ParseInt(idStr, 10, 64); err != nil || id < 0 {
		id = 0
	}
	return head, id, nil
}

// FormatAuditHead renders id and hash as RecordedAuditHead does.
func FormatAuditHead(id int64, h []byte) string { return formatHead(id, h) }

// AuditFilter narrows ListAudit.
type AuditFilter struct {
	From, To time.Time // zero: unbounded
	Action   string    // "" any
	Record   string    // substring of Records, "" any
	Limit    int       // 0: all
}

// ListAudit returns the entries matching f in id order: first those in
// sealed segments (read on demand: only segments whose time span meets
// From/To are decrypted), then those of the live table.
func (tx *Tx) ListAudit(f AuditFilter) ([]*AuditEntry, error) {
	segs, err := tx.AuditSegments()
	if err != nil {
		return nil, err
	}
	var from, to int64
	if !f.From.IsZero() {
		from = f.From.UnixMilli()
	}
	if !f.To.IsZero() {
		to = f.To.UnixMilli()
	}
	var out []*AuditEntry
	for _, sg := range segs {
		if (from != 0 && sg.MaxAt.UnixMilli() < from) || (to != 0 && sg.MinAt.UnixMilli() >= to) {
			continue
		}
		es, err := tx.ReadAuditSegment(sg)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if f.matches(e, from, to) {
				out = append(out, e)
				if f.Limit > 0 && len(out) == f.Limit {
					return out, nil
				}
			}
		}
	}
	if f.Limit > 0 {
		f.Limit -= len(out)
	}
	live, err := tx.ListAuditLive(f)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return live, nil
	}
	return append(out, live...), nil
}

// ListAuditLive is ListAudit over the live table only (not the sealed
// segments).
func (tx *Tx) ListAuditLive(f AuditFilter) ([]*AuditEntry, error) {
	q := `SELECT id, at, actor, action, records, detail, prev_hash, hash FROM audit
		WHERE (?1 = 0 OR at >= ?1) AND (?2 = 0 OR at < ?2) AND (?3 = '' OR action = ?3)
		AND (?4 = '' OR instr(' ' || records || ' ', ' ' || ?4 || ' ') > 0) ORDER BY id`
	var from, to int64
	if !f.From.IsZero() {
		from = f.From.UnixMilli()
	}
	if !f.To.IsZero() {
		to = f.To.UnixMilli()
	}
	args := []any{from, to, f.Action, f.Record}
	if f.Limit > 0 {
		q += " LIMIT ?5"
		args = append(args, f.Limit)
	}
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Records, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, &e)
	}
	return out, rows.Err()
}
