package store

import (
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
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
	// Redaction is the number of the destruction that removed the
	// entry's detail ("D-2026-0001"), "" when none; RedactionMAC is what
	// still verifies the entry (docs/FORMAT.md, "Audit trail"): the keyed
	// hash of the removed detail (chain v2) or the redaction's seal (v1).
	Redaction    string
	RedactionMAC []byte
}

// AuditRedaction is one row of audit_redactions: an entry whose detail a
// destruction removed.
type AuditRedaction struct {
	EntryID     int64
	MAC         []byte // 32 bytes
	Destruction string // its number
	At          time.Time
}

// AuditV2From is the id of the first entry of chain v2 (meta
// audit_v2_from, set by migration 7): entries before it are chain v1.
// 1 when the vault has no such record (a trail written with it removed
// does not verify).
func (tx *Tx) AuditV2From() (int64, error) {
	var v string
	err := tx.QueryRow("SELECT value FROM meta WHERE key = 'audit_v2_from'").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 1, nil
	}
	return n, nil
}

// RedactAuditEntries records each redaction and empties the detail of its
// entry when the entry is in the live table (an entry in a sealed segment
// keeps its row only: its segment is marked for a reseal, MarkAuditReseal).
func (tx *Tx) RedactAuditEntries(rs []AuditRedaction) error {
	// Rows in statements of up to 200 (4 parameters each), then the
	// details of the live entries in one statement per destruction.
	const batch = 200
	numbers := map[string]bool{}
	var q strings.Builder
	args := make([]any, 0, 4*batch)
	for i := 0; i < len(rs); i += batch {
		part := rs[i:min(i+batch, len(rs))]
		q.Reset()
		q.WriteString("INSERT INTO audit_redactions(entry_id, mac, destruction, at) VALUES ")
		args = args[:0]
		for j, r := range part {
			if len(r.MAC) != 32 {
				return fmt.Errorf("the redaction of audit entry %d has a MAC of %d bytes, not 32", r.EntryID, len(r.MAC))
			}
			if j > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?)")
			args = append(args, r.EntryID, r.MAC, r.Destruction, r.At.UnixMilli())
			numbers[r.Destruction] = true
		}
		if _, err := tx.Exec(q.String(), args...); err != nil {
			return fmt.Errorf("recording the redaction of audit entries %d to %d: %w", part[0].EntryID, part[len(part)-1].EntryID, err)
		}
	}
	for n := range numbers {
		if _, err := tx.Exec(`UPDATE audit SET detail = '' WHERE detail <> ''
			AND id IN (SELECT entry_id FROM audit_redactions WHERE destruction = ?)`, n); err != nil {
			return fmt.Errorf("removing the details of the audit entries of destruction %s: %w", n, err)
		}
	}
	return nil
}

// MarkAuditReseal marks sealed segment seq to be written again, without
// its removed details, at the next checkpoint.
func (tx *Tx) MarkAuditReseal(seq int64) error {
	_, err := tx.Exec("INSERT INTO audit_reseal(seq) VALUES (?) ON CONFLICT(seq) DO NOTHING", seq)
	return err
}

// auditRedactions returns the redaction rows of entries first..last.
func (tx *Tx) auditRedactions(first, last int64) (map[int64]AuditRedaction, error) {
	if ok, err := hasTable(tx.Tx, "audit_redactions"); err != nil || !ok {
		return nil, err
	}
	rows, err := tx.Query("SELECT entry_id, mac, destruction, at FROM audit_redactions WHERE entry_id BETWEEN ? AND ?", first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out map[int64]AuditRedaction
	for rows.Next() {
		var r AuditRedaction
		var at int64
		if err := rows.Scan(&r.EntryID, &r.MAC, &r.Destruction, &at); err != nil {
			return nil, err
		}
		r.At = time.UnixMilli(at).UTC()
		if out == nil {
			out = map[int64]AuditRedaction{}
		}
		out[r.EntryID] = r
	}
	return out, rows.Err()
}

// overlayRedactions applies the redaction rows to sealed entries: a
// redacted entry reads with no detail even before its segment is sealed
// again.
func (tx *Tx) overlayRedactions(sg *AuditSegment, es []*AuditEntry) error {
	rs, err := tx.auditRedactions(sg.FirstID, sg.LastID)
	if err != nil || len(rs) == 0 {
		return err
	}
	for _, e := range es {
		if r, ok := rs[e.ID]; ok {
			e.Detail, e.Redaction, e.RedactionMAC = "", r.Destruction, r.MAC
		}
	}
	return nil
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
	Record   string    // one of Records' words (e.g. "client:12"), "" any
	Actor    string    // the user named in the entry (case-insensitive), "" any
	ClientID int64     // entries naming the client or one of its matters (or their notes), 0 any
	MatterID int64     // entries naming the matter (or one of its notes), 0 any
	Limit    int       // 0: all
}

// auditScope is what ListAudit checks in Go, beyond its SQL conditions:
// the viewer's hidden records and the ClientID / MatterID filters, over
// the records "kind:id" an entry names.
type auditScope struct {
	hidden  *hiddenSets
	want    bool                      // a ClientID or MatterID filter is set
	matches map[string]map[int64]bool // kind -> ids an entry must name one of
}

func (sc *auditScope) set(kind string) map[int64]bool {
	if sc.matches[kind] == nil {
		sc.matches[kind] = map[int64]bool{}
	}
	return sc.matches[kind]
}

// active reports whether entries need the scope's check at all.
func (sc *auditScope) active() bool { return sc != nil && (sc.want || sc.hidden.any()) }

func (tx *Tx) auditScope(f AuditFilter) (*auditScope, error) {
	h, err := tx.hidden()
	if err != nil {
		return nil, err
	}
	sc := &auditScope{hidden: h, matches: map[string]map[int64]bool{}}
	add := func(kind string, id int64) { sc.set(kind)[id] = true }
	switch {
	case f.MatterID != 0:
		sc.want = true
		var n int
		err := tx.QueryRow("SELECT count(*) FROM matters WHERE id = ?1 AND (?2 = 0 OR client_id = ?2)", f.MatterID, f.ClientID).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n == 0 && f.ClientID != 0 {
			break // the matter is not the client's: nothing matches both
		}
		add(KindMatter, f.MatterID)
		if err := tx.collectIDs("SELECT id FROM notes WHERE matter_id = ?", sc.set("note"), f.MatterID); err != nil {
			return nil, err
		}
	case f.ClientID != 0:
		sc.want = true
		add(KindClient, f.ClientID)
		if err := tx.collectIDs("SELECT id FROM matters WHERE client_id = ?", sc.set(KindMatter), f.ClientID); err != nil {
			return nil, err
		}
		if err := tx.collectIDs("SELECT n.id FROM notes n JOIN matters m ON m.id = n.matter_id WHERE m.client_id = ?", sc.set("note"), f.ClientID); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// admits reports whether the entry's records pass the scope: it names no
// record hidden from the viewer, and (with a ClientID or MatterID filter)
// at least one of the records the filter asks for.
func (sc *auditScope) admits(records string) bool {
	found := !sc.want
	for _, r := range strings.Fields(records) {
		kind, idText, ok := strings.Cut(r, ":")
		if !ok {
			continue
		}
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			continue
		}
		if h := sc.hidden; h != nil {
			switch kind {
			case KindClient:
				if h.clients[id] {
					return false
				}
			case KindMatter:
				if h.matters[id] {
					return false
				}
			case "note":
				if h.notes[id] {
					return false
				}
			case "document":
				if h.documents[id] {
					return false
				}
			}
		}
		if !found && sc.matches[kind][id] {
			found = true
		}
	}
	return found
}

// ListAudit returns the entries matching f in id order: first those in
// sealed segments (read on demand: only segments whose time span meets
// From/To are decrypted), then those of the live table. An entry whose
// records name a client, matter or note the viewer cannot see is left out.
func (tx *Tx) ListAudit(f AuditFilter) ([]*AuditEntry, error) {
	sc, err := tx.auditScope(f)
	if err != nil {
		return nil, err
	}
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
		es, err := tx.readAuditSegment(sg)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if f.matches(e, from, to) && (!sc.active() || sc.admits(e.Records)) {
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
	live, err := tx.listAuditLive(f, sc)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return live, nil
	}
	return append(out, live...), nil
}

// ListAuditLive is ListAudit over the live table only (not the sealed
// segments), for the viewer as ListAudit.
func (tx *Tx) ListAuditLive(f AuditFilter) ([]*AuditEntry, error) {
	sc, err := tx.auditScope(f)
	if err != nil {
		return nil, err
	}
	return tx.listAuditLive(f, sc)
}

// listAuditLive applies f's time, action, actor and record conditions in
// SQL, and sc (nil: none) in Go, with the limit after it.
func (tx *Tx) listAuditLive(f AuditFilter, sc *auditScope) ([]*AuditEntry, error) {
	red, err := hasTable(tx.Tx, "audit_redactions")
	if err != nil {
		return nil, err
	}
	q := `SELECT id, at, actor, action, records, detail, prev_hash, hash, '', NULL FROM audit
		WHERE (?1 = 0 OR at >= ?1) AND (?2 = 0 OR at < ?2) AND (?3 = '' OR action = ?3)
		AND (?4 = '' OR instr(' ' || records || ' ', ' ' || ?4 || ' ') > 0)`
	if red {
		q = `SELECT a.id, a.at, a.actor, a.action, a.records, a.detail, a.prev_hash, a.hash, coalesce(r.destruction, ''), r.mac
		FROM audit a LEFT JOIN audit_redactions r ON r.entry_id = a.id
		WHERE (?1 = 0 OR a.at >= ?1) AND (?2 = 0 OR a.at < ?2) AND (?3 = '' OR a.action = ?3)
		AND (?4 = '' OR instr(' ' || a.records || ' ', ' ' || ?4 || ' ') > 0)`
	}
	var from, to int64
	if !f.From.IsZero() {
		from = f.From.UnixMilli()
	}
	if !f.To.IsZero() {
		to = f.To.UnixMilli()
	}
	args := []any{from, to, f.Action, f.Record}
	if f.Actor != "" {
		if red {
			q += " AND a.actor = ?5 COLLATE NOCASE"
		} else {
			q += " AND actor = ?5 COLLATE NOCASE"
		}
		args = append(args, f.Actor)
	}
	if red {
		q += " ORDER BY a.id"
	} else {
		q += " ORDER BY id"
	}
	scoped := sc.active()
	if f.Limit > 0 && !scoped {
		q += " LIMIT " + strconv.Itoa(f.Limit)
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
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Records, &e.Detail, &e.PrevHash, &e.Hash, &e.Redaction, &e.RedactionMAC); err != nil {
			return nil, err
		}
		if scoped && !sc.admits(e.Records) {
			continue
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, &e)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, rows.Err()
}

// EachAuditDetail calls fn for every live entry that still has a detail
// (none removed), in id order, for the vault's own work (redactAudit): it
// needs a transaction for Everyone. fn must not keep e.
func (tx *Tx) EachAuditDetail(fn func(e *AuditEntry) error) error {
	if !tx.viewer.All {
		return ErrNotEveryone
	}
	rows, err := tx.Query("SELECT id, at, actor, action, records, detail, prev_hash, hash FROM audit WHERE detail <> '' ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	var e AuditEntry
	for rows.Next() {
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Records, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return err
		}
		e.At = time.UnixMilli(at).UTC()
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}
