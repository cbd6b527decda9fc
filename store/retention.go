package store

// Retention (schema 7; docs/FORMAT.md 6.3.6): the rules that give a
// closed matter its destroy-after date, the changes made to a date by
// hand, legal holds, and the list of matters due for destruction.

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadRetention: a retention rule, date change or hold that cannot be
// recorded as given; the error says in plain words what was wrong.
var ErrBadRetention = errors.New("retention")

// DefaultRetentionYears is the default rule's length when a vault has
// none (its row is written by migration 7 and cannot be deleted).
const DefaultRetentionYears = 7

// Limits of a rule's length.
const (
	MaxRetentionYears  = 100
	MaxRetentionMonths = 11
)

// RetentionRule is how long a closed matter of one practice area is kept.
type RetentionRule struct {
	PracticeArea  string // "" = the default rule (cannot be deleted)
	Years, Months int    // 0..100, 0..11
	Never         bool   // keep for ever: no date
	Note          string // e.g. the bar rule it follows
	UpdatedAt     time.Time
	UpdatedBy     string
}

// Values of matters.destroy_rule.
const (
	ruleFrom    = "rule:"  // + the rule's practice area ('' the default)
	ruleNever   = "never:" // + the rule's practice area
	ruleChanged = "changed"
)

// hasRetention reports whether the schema has the retention tables
// (schema 7), cached for the transaction.
func (tx *Tx) hasRetention() (bool, error) {
	switch tx.vis.retention {
	case 1:
		return false, nil
	case 2:
		return true, nil
	}
	ok, err := hasTable(tx.Tx, "retention_rules")
	if err != nil {
		return false, fmt.Errorf("reading the schema: %w", err)
	}
	tx.vis.retention = 1
	if ok {
		tx.vis.retention = 2
	}
	return ok, nil
}

const ruleCols = "practice_area, years, months, never, note, updated_at, updated_by FROM retention_rules"

func scanRule(sc interface{ Scan(...any) error }) (RetentionRule, error) {
	var r RetentionRule
	var at int64
	err := sc.Scan(&r.PracticeArea, &r.Years, &r.Months, &r.Never, &r.Note, &at, &r.UpdatedBy)
	r.UpdatedAt = fromMS(at)
	return r, err
}

// RetentionRules returns every rule: the default first, then by practice
// area (without case).
func (tx *Tx) RetentionRules() ([]RetentionRule, error) {
	rows, err := tx.Query("SELECT " + ruleCols + " ORDER BY practice_area <> '', practice_area COLLATE NOCASE")
	if err != nil {
		return nil, fmt.Errorf("reading the retention rules: %w", err)
	}
	defer rows.Close()
	var out []RetentionRule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("reading the retention rules: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RuleFor is the rule of a practice area (trimmed, matched without case),
// else the default rule.
func (tx *Tx) RuleFor(practiceArea string) (RetentionRule, error) {
	area := strings.TrimSpace(practiceArea)
	r, err := scanRule(tx.QueryRow("SELECT "+ruleCols+" WHERE practice_area = ?1 OR practice_area = '' ORDER BY practice_area = '' LIMIT 1", area))
	if errors.Is(err, sql.ErrNoRows) {
		return RetentionRule{Years: DefaultRetentionYears}, nil
	}
	if err != nil {
		return RetentionRule{}, fmt.Errorf("reading the retention rule of %q: %w", area, err)
	}
	return r, nil
}

// checkRule is nil when r can be recorded, else ErrBadRetention in words.
func checkRule(r *RetentionRule) error {
	switch {
	case r.Years < 0 || r.Years > MaxRetentionYears:
		return fmt.Errorf("%w: the years must be from 0 to %d, not %d", ErrBadRetention, MaxRetentionYears, r.Years)
	case r.Months < 0 || r.Months > MaxRetentionMonths:
		return fmt.Errorf("%w: the months must be from 0 to %d, not %d (write 18 months as 1 year and 6 months)",
			ErrBadRetention, MaxRetentionMonths, r.Months)
	case !r.Never && r.Years == 0 && r.Months == 0:
		return fmt.Errorf("%w: a rule of 0 years and 0 months would make files due for destruction the day they close; give a length, or keep them for ever", ErrBadRetention)
	case strings.ContainsAny(r.PracticeArea, "\x00\n\r"):
		return fmt.Errorf("%w: a practice area is one line of text", ErrBadRetention)
	}
	return nil
}

// SetRetentionRule adds or replaces the rule of r.PracticeArea (trimmed;
// matched without case, the spelling given is kept). Matters already
// closed keep their dates.
func (tx *Tx) SetRetentionRule(r RetentionRule, now time.Time) error {
	r.PracticeArea, r.Note = strings.TrimSpace(r.PracticeArea), strings.TrimSpace(r.Note)
	if err := checkRule(&r); err != nil {
		return err
	}
	if r.Never {
		r.Years, r.Months = 0, 0
	}
	_, err := tx.Exec(`INSERT INTO retention_rules(practice_area, years, months, never, note, updated_at, updated_by)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
		ON CONFLICT(practice_area) DO UPDATE SET practice_area = ?1, years = ?2, months = ?3, never = ?4, note = ?5,
			updated_at = ?6, updated_by = ?7`,
		r.PracticeArea, r.Years, r.Months, r.Never, r.Note, ms(now), r.UpdatedBy)
	if err != nil {
		return fmt.Errorf("saving the retention rule: %w", err)
	}
	return nil
}

// DeleteRetentionRule deletes the rule of a practice area (matched
// without case): its matters closed later follow the default rule. The
// default rule cannot be deleted (ErrBadRetention); an area without a
// rule is ErrNotFound.
func (tx *Tx) DeleteRetentionRule(area string) error {
	area = strings.TrimSpace(area)
	if area == "" {
		return fmt.Errorf("%w: the default rule cannot be deleted; change it instead", ErrBadRetention)
	}
	res, err := tx.Exec("DELETE FROM retention_rules WHERE practice_area = ?", area)
	if err != nil {
		return fmt.Errorf("deleting the retention rule of %q: %w", area, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no retention rule for %q: %w", area, ErrNotFound)
	}
	return nil
}

// DestroyAfterDate is the destroy-after date of a matter closed at closed
// under rule r: closed (in UTC) plus the rule's years and months, as the
// calendar counts them (AddDate: 29 February plus a year is 1 March).
// false when the rule keeps files for ever.
func DestroyAfterDate(closed time.Time, r RetentionRule) (time.Time, bool) {
	if r.Never {
		return time.Time{}, false
	}
	return closed.UTC().AddDate(r.Years, r.Months, 0), true
}

// ruleDate is a matter's destroy_after and destroy_rule when it closes at
// closed in practice area area.
func (tx *Tx) ruleDate(area string, closed time.Time) (any, string, error) {
	r, err := tx.RuleFor(area)
	if err != nil {
		return nil, "", err
	}
	if d, ok := DestroyAfterDate(closed, r); ok {
		return ms(d), ruleFrom + r.PracticeArea, nil
	}
	return nil, ruleNever + r.PracticeArea, nil
}

// setRetentionOnStatus gives a matter whose status changed its
// destroy-after date (closed: from its area's rule) or takes it away
// (open). Nothing before schema 7.
func (tx *Tx) setRetentionOnStatus(id int64, status string, closed time.Time) error {
	if ok, err := tx.hasRetention(); err != nil || !ok {
		return err
	}
	var after any
	rule := ""
	if status == "closed" {
		var area string
		if err := tx.QueryRow("SELECT practice_area FROM matters WHERE id = ?", id).Scan(&area); err != nil {
			return fmt.Errorf("reading matter %d: %w", id, err)
		}
		var err error
		if after, rule, err = tx.ruleDate(area, closed); err != nil {
			return err
		}
	}
	if _, err := tx.Exec("UPDATE matters SET destroy_after = ?, destroy_rule = ? WHERE id = ?", after, rule, id); err != nil {
		return fmt.Errorf("setting the destroy-after date of matter %d: %w", id, err)
	}
	return nil
}

// RetentionChange is a destroy-after date changed by hand.
type RetentionChange struct {
	At       time.Time
	By       string
	Old, New *time.Time // nil: none (kept for ever)
	Reason   string
}

// SetDestroyAfter changes a closed matter's destroy-after date (at nil:
// keep it for ever) for a reason, which is recorded with the old and new
// dates; the matter's rule becomes "changed". ErrNotFound when the viewer
// cannot see the matter, ErrNotClosed when it is open, ErrBadRetention
// without a reason.
func (tx *Tx) SetDestroyAfter(matterID int64, at *time.Time, reason, by string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if err := tx.needMatter(matterID); err != nil {
		return err
	}
	var status string
	var old sql.NullInt64
	if err := tx.QueryRow("SELECT status, destroy_after FROM matters WHERE id = ?", matterID).Scan(&status, &old); err != nil {
		return fmt.Errorf("reading matter %d: %w", matterID, err)
	}
	if status != "closed" {
		return fmt.Errorf("matter %d: %w: it gets a destroy-after date when it is closed", matterID, ErrNotClosed)
	}
	if reason == "" {
		return fmt.Errorf("%w: say why the destroy-after date changes (it is kept with the change)", ErrBadRetention)
	}
	newv := msOrNil(at)
	var oldv any
	if old.Valid {
		oldv = old.Int64
	}
	if _, err := tx.Exec("UPDATE matters SET destroy_after = ?, destroy_rule = ? WHERE id = ?", newv, ruleChanged, matterID); err != nil {
		return fmt.Errorf("changing the destroy-after date of matter %d: %w", matterID, err)
	}
	_, err := tx.Exec("INSERT INTO retention_changes(matter_id, at, by, old_date, new_date, reason) VALUES (?, ?, ?, ?, ?, ?)",
		matterID, ms(now), by, oldv, newv, reason)
	if err != nil {
		return fmt.Errorf("recording the change of matter %d's destroy-after date: %w", matterID, err)
	}
	return nil
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// RetentionChanges returns a visible matter's date changes, oldest first
// (ErrNotFound when the viewer cannot see it).
func (tx *Tx) RetentionChanges(matterID int64) ([]RetentionChange, error) {
	if err := tx.needMatter(matterID); err != nil {
		return nil, err
	}
	rows, err := tx.Query("SELECT at, by, old_date, new_date, reason FROM retention_changes WHERE matter_id = ? ORDER BY at, id", matterID)
	if err != nil {
		return nil, fmt.Errorf("reading matter %d's retention changes: %w", matterID, err)
	}
	defer rows.Close()
	var out []RetentionChange
	for rows.Next() {
		var c RetentionChange
		var at int64
		var o, n sql.NullInt64
		if err := rows.Scan(&at, &c.By, &o, &n, &c.Reason); err != nil {
			return nil, err
		}
		c.At, c.Old, c.New = fromMS(at), timePtr(o), timePtr(n)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Hold is a legal hold on a client or a matter: while active (not
// released) nothing of it can be destroyed.
type Hold struct {
	ID            int64
	Kind          string // client or matter
	RecordID      int64
	Reason        string
	PlacedAt      time.Time
	PlacedBy      string
	ReleasedAt    *time.Time // nil while active
	ReleasedBy    string
	ReleaseReason string
}

// Active reports whether the hold has not been released.
func (h *Hold) Active() bool { return h.ReleasedAt == nil }

// needRecord is ErrNotFound when the client or matter does not exist or
// the viewer cannot see it; ErrBadRetention for another kind.
func (tx *Tx) needRecord(kind string, id int64) error {
	switch kind {
	case KindClient:
		return tx.needClient(id)
	case KindMatter:
		return tx.needMatter(id)
	}
	return fmt.Errorf("%w: a hold is on a client or a matter, not %q", ErrBadRetention, kind)
}

// PlaceHold puts a legal hold on a client or matter the viewer sees
// (ErrNotFound otherwise) for a reason (ErrBadRetention without one).
// A record may carry several holds (one per case that needs it kept).
func (tx *Tx) PlaceHold(kind string, id int64, reason, by string, now time.Time) (int64, error) {
	reason = strings.TrimSpace(reason)
	if err := tx.needRecord(kind, id); err != nil {
		return 0, err
	}
	if reason == "" {
		return 0, fmt.Errorf("%w: say why the %s is held (the case or request it is kept for)", ErrBadRetention, kind)
	}
	res, err := tx.Exec("INSERT INTO legal_holds(kind, record_id, reason, placed_at, placed_by) VALUES (?, ?, ?, ?, ?)",
		kind, id, reason, ms(now), by)
	if err != nil {
		return 0, fmt.Errorf("placing the hold on %s %d: %w", kind, id, err)
	}
	return res.LastInsertId()
}

const holdCols = "h.id, h.kind, h.record_id, h.reason, h.placed_at, h.placed_by, h.released_at, h.released_by, h.release_reason FROM legal_holds h"

func scanHold(sc interface{ Scan(...any) error }) (Hold, error) {
	var h Hold
	var placed int64
	var released sql.NullInt64
	err := sc.Scan(&h.ID, &h.Kind, &h.RecordID, &h.Reason, &placed, &h.PlacedBy, &released, &h.ReleasedBy, &h.ReleaseReason)
	h.PlacedAt, h.ReleasedAt = fromMS(placed), timePtr(released)
	return h, err
}

// holdCond is the condition on a legal_holds row aliased h: its record is
// not hidden from the viewer ("" when nothing is).
func (tx *Tx) holdCond(h string) (string, error) {
	hs, err := tx.hidden()
	if err != nil || hs == nil {
		return "", err
	}
	var conds []string
	if len(hs.clients) > 0 {
		conds = append(conds, "NOT ("+h+".kind = 'client' AND "+h+".record_id IN "+hs.clientList+")")
	}
	if len(hs.matters) > 0 {
		conds = append(conds, "NOT ("+h+".kind = 'matter' AND "+h+".record_id IN "+hs.matterList+")")
	}
	return strings.Join(conds, " AND "), nil
}

func (tx *Tx) queryHolds(q string, args ...any) ([]Hold, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the legal holds: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, fmt.Errorf("reading the legal holds: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// ReleaseHold releases an active hold for a reason. ErrNotFound when there
// is no such hold or its record is hidden from the viewer;
// ErrBadRetention without a reason or when it was released already.
func (tx *Tx) ReleaseHold(id int64, reason, by string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	cond, err := tx.holdCond("h")
	if err != nil {
		return err
	}
	hs, err := tx.queryHolds("SELECT "+holdCols+" WHERE h.id = ?"+and(cond), id)
	if err != nil {
		return err
	}
	if len(hs) == 0 {
		return fmt.Errorf("hold %d: %w", id, ErrNotFound)
	}
	if !hs[0].Active() {
		return fmt.Errorf("%w: hold %d was released already", ErrBadRetention, id)
	}
	if reason == "" {
		return fmt.Errorf("%w: say why the hold is released (it is kept with the hold)", ErrBadRetention)
	}
	_, err = tx.Exec("UPDATE legal_holds SET released_at = ?, released_by = ?, release_reason = ? WHERE id = ?", ms(now), by, reason, id)
	if err != nil {
		return fmt.Errorf("releasing hold %d: %w", id, err)
	}
	return nil
}

// Holds returns the holds on records the viewer sees (activeOnly: those
// not released), newest first.
func (tx *Tx) Holds(activeOnly bool) ([]Hold, error) {
	cond, err := tx.holdCond("h")
	if err != nil {
		return nil, err
	}
	if activeOnly {
		cond = strings.TrimPrefix(and(cond)+" AND h.released_at IS NULL", " AND ")
	}
	return tx.queryHolds("SELECT " + holdCols + where(cond) + " ORDER BY h.placed_at DESC, h.id DESC")
}

// holdsBlocking is the SQL condition on a legal_holds row h "active, and on
// matter ?1 or one of its clients" (kind matter) or "on client ?1 or one
// of its matters" (kind client).
const (
	holdsBlockingMatter = `h.released_at IS NULL AND ((h.kind = 'matter' AND h.record_id = ?1) OR
		(h.kind = 'client' AND h.record_id IN (SELECT client_id FROM matter_clients WHERE matter_id = ?1)))`
	holdsBlockingClient = `h.released_at IS NULL AND ((h.kind = 'client' AND h.record_id = ?1) OR
		(h.kind = 'matter' AND h.record_id IN (SELECT matter_id FROM matter_clients WHERE client_id = ?1)))`
)

// HoldsOn returns the active holds that block destroying a client or
// matter the viewer sees (ErrNotFound otherwise): a matter's own and its
// clients' (lead or joint); a client's own and its matters'. A blocking
// hold on a record the viewer cannot see is given without its record and
// reasons (RecordID 0): it blocks, but whose it is stays behind the wall.
func (tx *Tx) HoldsOn(kind string, id int64) ([]Hold, error) {
	if err := tx.needRecord(kind, id); err != nil {
		return nil, err
	}
	q := holdsBlockingClient
	if kind == KindMatter {
		q = holdsBlockingMatter
	}
	hs, err := tx.queryHolds("SELECT "+holdCols+" WHERE "+q+" ORDER BY h.placed_at, h.id", id)
	if err != nil {
		return nil, err
	}
	return tx.maskHolds(hs)
}

// maskHolds blanks the record and reasons of the holds on records hidden
// from the viewer.
func (tx *Tx) maskHolds(hs []Hold) ([]Hold, error) {
	h, err := tx.hidden()
	if err != nil || h == nil {
		return hs, err
	}
	for i := range hs {
		if (hs[i].Kind == KindClient && h.clients[hs[i].RecordID]) || (hs[i].Kind == KindMatter && h.matters[hs[i].RecordID]) {
			hs[i] = Hold{ID: hs[i].ID, Kind: hs[i].Kind, PlacedAt: hs[i].PlacedAt, ReleasedAt: hs[i].ReleasedAt}
		}
	}
	return hs, nil
}

// DueMatter is a matter due for destruction and what it holds.
type DueMatter struct {
	Matter                                      *Matter // with ClientName, Clients, DestroyAfter, DestroyRule
	Notes, Parties, Documents, Versions, Intake int
	Bytes                                       int64 // the sizes of its documents' versions
}

// DueMatters returns a page of the closed matters whose destroy-after
// date is on or before asOf and that no active hold blocks (on the
// matter or any of its clients), of those the viewer sees: by date, then
// id; and how many there are in all. limit <= 0: all.
func (tx *Tx) DueMatters(asOf time.Time, offset, limit int) ([]DueMatter, int, error) {
	cond, err := tx.matterCond("m", "c")
	if err != nil {
		return nil, 0, err
	}
	w := ` FROM matters m JOIN clients c ON c.id = m.client_id
		WHERE m.status = 'closed' AND m.destroy_after IS NOT NULL AND m.destroy_after <= ?1
		AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE ` + strings.ReplaceAll(holdsBlockingMatter, "?1", "m.id") + `)` + and(cond)
	var total int
	if err := tx.QueryRow("SELECT count(*)"+w, ms(asOf)).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting the matters due for destruction: %w", err)
	}
	if limit <= 0 {
		limit = -1
	}
	rows, err := tx.Query("SELECT "+tx.matterCols()+w+" ORDER BY m.destroy_after, m.id LIMIT ?2 OFFSET ?3", ms(asOf), limit, max(offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("listing the matters due for destruction: %w", err)
	}
	var out []DueMatter
	for rows.Next() {
		m, err := scanMatter(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, DueMatter{Matter: m})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if err := tx.fillDue(&out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// fillDue reads what a due matter holds.
func (tx *Tx) fillDue(d *DueMatter) error {
	id := d.Matter.ID
	var err error
	if d.Matter.Clients, err = tx.matterClients(id); err != nil {
		return err
	}
	err = tx.QueryRow(`SELECT (SELECT count(*) FROM notes WHERE matter_id = ?1), (SELECT count(*) FROM parties WHERE matter_id = ?1),
		(SELECT count(*) FROM documents WHERE matter_id = ?1),
		(SELECT count(*) FROM document_versions WHERE document_id IN (SELECT id FROM documents WHERE matter_id = ?1)),
		(SELECT coalesce(sum(size), 0) FROM document_versions WHERE document_id IN (SELECT id FROM documents WHERE matter_id = ?1)),
		(SELECT count(*) FROM intake_submissions WHERE matter_id = ?1)`, id).
		Scan(&d.Notes, &d.Parties, &d.Documents, &d.Versions, &d.Bytes, &d.Intake)
	if err != nil {
		return fmt.Errorf("counting what matter %d holds: %w", id, err)
	}
	return nil
}
