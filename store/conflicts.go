package store

// Conflict checks: the names a check compares against (ConflictNames),
// and the checks recorded, with their decisions (docs/FORMAT.md).

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Name is one name a conflict check compares against.
type Name struct {
	Name string
	// Role: client, alias (a client's), joint_client (a client of a
	// matter it shares with the lead client, ClientID), or the party's
	// role: adverse, related, opposing_counsel, co_counsel, witness.
	Role        string
	ClientID    int64 // the client, or the matter's lead client
	ClientName  string
	MatterID    int64
	MatterTitle string
	MatterOpen  bool
	PartyID     int64  // a party's names: the party
	PartyName   string // a party's alias or former name: the party's name
	NameKind    string // a party's names: "" (its name), "alias" or "former"
	// IntakeID, IntakeStatus: a prospective client's names (schema 5),
	// from an intake submission not yet accepted ("new") or declined
	// ("declined"; kept for good: ABA Model Rule 1.18). Role is then
	// prospect (the person), prospect_alias, prospect_adverse,
	// prospect_related or prospect_opposing_counsel; ClientName is the
	// prospect's full name and ClientID 0. The store hides none of them:
	// app marks them Hidden for a viewer without intake read.
	IntakeID     int64
	IntakeStatus string
	// Register (schema 7): a name kept for conflict checks when its file
	// was destroyed (destroyed_names): the register row's ref
	// ("D-2026-0001/2"). Role is then former_client, former_alias or
	// former_<the party's role> (former_adverse, ...); ClientName is the
	// kept client name (the lead client's, for a party), MatterNumber the
	// destroyed matter's number; the ids are 0. Never Hidden: the record
	// is gone, and only the names the lawyer chose to keep are there.
	Register     string
	MatterNumber string
	// Hidden: the name belongs to a client or matter the viewer cannot
	// see. Only Name and Role are then set (the rest is zero), so that a
	// conflict check can say "a possible conflict in a restricted matter:
	// ask the owner" and nothing more.
	Hidden bool
}

// ConflictNames lists every client, alias, joint client of a matter and
// matter party with its aliases and former names, in open and closed
// matters, whoever may see them: a wall never hides a conflict. Those the
// viewer cannot see are Hidden, with only their name and role. Then the
// names of every prospective client (intake submissions new or declined:
// an accepted one is a client now, spam never counts), none Hidden. Then
// the names kept when files were destroyed (Register set), none Hidden.
func (tx *Tx) ConflictNames() ([]Name, error) {
	hc, hm := "0", "0"
	cc, err := tx.clientCond("c")
	if err != nil {
		return nil, err
	}
	if cc != "" {
		hc = "NOT (" + cc + ")"
	}
	mc, err := tx.matterCond("m", "c")
	if err != nil {
		return nil, err
	}
	if mc != "" {
		hm = "NOT (" + mc + ")"
	}
	jc := "0" // a joint client's own visibility
	if cc != "" {
		if jc, err = tx.clientCond("j"); err != nil {
			return nil, err
		}
		jc = "NOT (" + jc + ")"
	}
	prospects := "" // the names of prospective clients (schema 5)
	if ok, err := hasTable(tx.Tx, "intake_submissions"); err != nil {
		return nil, fmt.Errorf("reading the names for a conflict check: %w", err)
	} else if ok {
		prospects = prospectNames
	}
	former := "" // the names kept from destroyed files (schema 7)
	if ok, err := tx.hasRetention(); err != nil {
		return nil, fmt.Errorf("reading the names for a conflict check: %w", err)
	} else if ok {
		former = formerNames
	}
	rows, err := tx.Query(`
		SELECT c.name, 'client', c.id, c.name, 0, '', 0, 0, '', '', ` + hc + `, 0, '', '', '' FROM clients c
		UNION ALL
		SELECT a.alias, 'alias', c.id, c.name, 0, '', 0, 0, '', '', ` + hc + `, 0, '', '', '' FROM client_aliases a JOIN clients c ON c.id = a.client_id
		UNION ALL
		SELECT j.name, 'joint_client', j.id, j.name, m.id, m.title, m.status = 'open', 0, '', '', (` + hm + `) OR (` + jc + `), 0, '', '', ''
		FROM matter_clients mc JOIN matters m ON m.id = mc.matter_id JOIN clients c ON c.id = m.client_id
		JOIN clients j ON j.id = mc.client_id WHERE mc.client_id <> m.client_id
		UNION ALL
		SELECT p.name, p.role, c.id, c.name, m.id, m.title, m.status = 'open', p.id, '', '', ` + hm + `, 0, '', '', ''
		FROM parties p JOIN matters m ON m.id = p.matter_id JOIN clients c ON c.id = m.client_id
		UNION ALL
		SELECT pa.alias, p.role, c.id, c.name, m.id, m.title, m.status = 'open', p.id, p.name, pa.kind, ` + hm + `, 0, '', '', ''
		FROM party_aliases pa JOIN parties p ON p.id = pa.party_id JOIN matters m ON m.id = p.matter_id JOIN clients c ON c.id = m.client_id` + prospects + former)
	if err != nil {
		return nil, fmt.Errorf("reading the names for a conflict check: %w", err)
	}
	defer rows.Close()
	var out []Name
	for rows.Next() {
		var n Name
		if err := rows.Scan(&n.Name, &n.Role, &n.ClientID, &n.ClientName, &n.MatterID, &n.MatterTitle, &n.MatterOpen,
			&n.PartyID, &n.PartyName, &n.NameKind, &n.Hidden, &n.IntakeID, &n.IntakeStatus, &n.Register, &n.MatterNumber); err != nil {
			return nil, err
		}
		if n.Hidden {
			n = Name{Name: n.Name, Role: n.Role, Hidden: true}
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// prospectNames is ConflictNames' part for prospective clients: the
// names of intake submissions new or declined (intake_submissions.
// conflict_names), each role prefixed "prospect_" (the person's own name:
// "prospect"). A stored list that is not what the importer writes gives
// no names rather than a failed check.
const prospectNames = `
		UNION ALL
		SELECT n.value ->> '$.name', CASE n.value ->> '$.role' WHEN 'client' THEN 'prospect' ELSE 'prospect_' || (n.value ->> '$.role') END,
			0, s.full_name, 0, '', 0, 0, '', '', 0, s.id, s.status, '', ''
		FROM intake_submissions s, json_each(CASE WHEN json_valid(s.conflict_names) AND json_type(s.conflict_names) = 'array'
			THEN s.conflict_names ELSE '[]' END) n
		WHERE s.status IN ('new', 'declined') AND n.type = 'object' AND json_type(n.value, '$.name') = 'text'
			AND length(trim(n.value ->> '$.name')) > 0
			AND n.value ->> '$.role' IN ('client', 'alias', 'adverse', 'related', 'opposing_counsel')`

// formerNames is ConflictNames' part for the names kept when files were
// destroyed (destroyed_names; store/destroy.go).
const formerNames = `
		UNION ALL
		SELECT n.name, n.role, 0, n.client_name, 0, '', 0, 0, '', '', 0, 0, '', r.ref, n.matter_number
		FROM destroyed_names n JOIN destruction_register r ON r.id = n.register_id`

// ConflictCheck is a recorded conflict check.
type ConflictCheck struct {
	ID           int64
	At           time.Time
	Actor        string
	Names        string // JSON array
	Hits         string // JSON array
	Decision     string // "", clear, conflict, waived: the latest decision
	DecisionNote string
	DecidedAt    time.Time // zero while undecided
	Context      string    // what it was for: "" (by hand), "client:12", "matter:4", "party:17 matter:4"
	HitCount     int       // the number of recorded hits (of Hits' array)
}

// ConflictDecision is one decision on a check, as made: re-deciding adds
// one, and none ever changes.
type ConflictDecision struct {
	At       time.Time
	Actor    string // "" for decisions made before schema 4 (not recorded)
	Decision string // clear, conflict, waived
	Note     string
}

// InsertConflictCheck records a check (HitCount is counted from Hits).
func (tx *Tx) InsertConflictCheck(c *ConflictCheck) (int64, error) {
	res, err := tx.Exec(`INSERT INTO conflict_checks(at, actor, names, hits, decision, decision_note, context, hit_count)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN json_valid(?4) AND json_type(?4) = 'array' THEN json_array_length(?4) ELSE 0 END)`,
		ms(c.At), c.Actor, c.Names, c.Hits, c.Decision, c.DecisionNote, c.Context)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// DecideConflictCheck records a decision on a check: it is added to the
// check's decisions (which keep every earlier one) and becomes the
// check's latest. A check whose recorded hits name a client or matter
// the viewer cannot see is ErrNotFound to them, as the records are.
func (tx *Tx) DecideConflictCheck(id int64, d ConflictDecision) error {
	if err := tx.mustSeeConflictCheck(id); err != nil {
		return err
	}
	res, err := tx.Exec("UPDATE conflict_checks SET decision = ?, decision_note = ?, decided_at = ? WHERE id = ?", d.Decision, d.Note, ms(d.At), id)
	if err != nil {
		return fmt.Errorf("recording the decision on conflict check %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// The same words as a check hidden from the viewer (mustSeeConflictCheck).
		return fmt.Errorf("conflict check %d: %w", id, ErrNotFound)
	}
	if _, err = tx.Exec("INSERT INTO conflict_decisions(check_id, at, actor, decision, note) VALUES (?, ?, ?, ?, ?)", id, ms(d.At), d.Actor, d.Decision, d.Note); err != nil {
		return fmt.Errorf("recording the decision on conflict check %d: %w", id, err)
	}
	return nil
}

// ConflictFilter chooses recorded checks: Query, a part of a name
// searched (any case of ASCII letters); Decision, "" for any, "undecided",
// or a decision. Limit 0 is 50.
type ConflictFilter struct {
	Query    string
	Decision string
	Limit    int
	Offset   int
}

// ListConflictChecks returns a page of the recorded checks that f
// chooses, newest first, and how many it chooses in all. A check whose
// hits or context name a client or matter the viewer cannot see (or a
// party of such a matter: conflictCheckHidden) is not theirs to
// list, as it is not theirs to decide (mustSeeConflictCheck): its names,
// decision and note would tell them what is behind the wall. A check the
// viewer ran finds such records as hits recorded as hidden, without ids,
// and stays theirs. Hits naming a hidden record keep only what a check
// shows of such a match (restrictHits: the same rule read in Go, should
// the two readings of a hit ever differ).
func (tx *Tx) ListConflictChecks(f ConflictFilter) ([]ConflictCheck, int, error) {
	var conds []string
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(c.names) AND json_type(c.names) = 'array' THEN c.names ELSE '[]' END) n
			WHERE n.type = 'text' AND n.value LIKE ? ESCAPE '\')`)
		args = append(args, "%"+likeEscape(q)+"%")
	}
	switch f.Decision {
	case "":
	case "undecided":
		conds = append(conds, "c.decision = ''")
	default:
		conds = append(conds, "c.decision = ?")
		args = append(args, f.Decision)
	}
	h, err := tx.hidden()
	if err != nil {
		return nil, 0, err
	}
	if h.any() {
		cond, cargs := conflictCheckHidden(h)
		conds = append(conds, "NOT "+cond)
		args = append(args, cargs...)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := tx.QueryRow("SELECT count(*) FROM conflict_checks c"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting the conflict checks: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := tx.Query(`SELECT `+conflictCheckColumns+` FROM conflict_checks c`+where+
		` ORDER BY c.at DESC, c.id DESC LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the conflict checks: %w", err)
	}
	defer rows.Close()
	var out []ConflictCheck
	for rows.Next() {
		c, err := scanConflictCheck(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("reading the conflict checks: %w", err)
		}
		c.Hits = restrictHits(c.Hits, h)
		out = append(out, *c)
	}
	return out, total, rows.Err()
}

// likeEscape escapes LIKE's wildcards (with a backslash).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

const conflictCheckColumns = `c.id, c.at, c.actor, c.names, c.hits, c.decision, c.decision_note, c.decided_at, c.context, c.hit_count`

func scanConflictCheck(row interface{ Scan(...any) error }) (*ConflictCheck, error) {
	var c ConflictCheck
	var at int64
	var decided sql.NullInt64
	if err := row.Scan(&c.ID, &at, &c.Actor, &c.Names, &c.Hits, &c.Decision, &c.DecisionNote, &decided, &c.Context, &c.HitCount); err != nil {
		return nil, err
	}
	c.At = fromMS(at)
	if decided.Valid && c.Decision != "" {
		c.DecidedAt = fromMS(decided.Int64)
	}
	return &c, nil
}

// GetConflictCheck returns a recorded check and its decisions, oldest
// first: ErrNotFound when there is no such check, or when its hits name a
// client or matter the viewer cannot see (as ListConflictChecks).
func (tx *Tx) GetConflictCheck(id int64) (*ConflictCheck, []ConflictDecision, error) {
	if err := tx.mustSeeConflictCheck(id); err != nil {
		return nil, nil, err
	}
	c, err := scanConflictCheck(tx.QueryRow(`SELECT `+conflictCheckColumns+` FROM conflict_checks c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("conflict check %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading conflict check %d: %w", id, err)
	}
	h, err := tx.hidden()
	if err != nil {
		return nil, nil, err
	}
	c.Hits = restrictHits(c.Hits, h)
	rows, err := tx.Query("SELECT at, actor, decision, note FROM conflict_decisions WHERE check_id = ? ORDER BY id", id)
	if err != nil {
		return nil, nil, fmt.Errorf("reading conflict check %d's decisions: %w", id, err)
	}
	defer rows.Close()
	var ds []ConflictDecision
	for rows.Next() {
		var d ConflictDecision
		var at int64
		if err := rows.Scan(&at, &d.Actor, &d.Decision, &d.Note); err != nil {
			return nil, nil, fmt.Errorf("reading conflict check %d's decisions: %w", id, err)
		}
		d.At = fromMS(at)
		ds = append(ds, d)
	}
	return c, ds, rows.Err()
}

// restrictHits is a check's recorded hits (app's JSON array of objects
// with "client_id" and "matter_id") as the viewer with hidden sets h may
// read them: a hit naming a hidden client or matter keeps only what a
// check shows of such a match ("query", "match", "score") and is marked
// "hidden": true. Hits that are not a JSON array of objects read as null
// (the caller says the record cannot be read), since what they hold
// cannot be told apart.
func restrictHits(hits string, h *hiddenSets) string {
	if !h.any() {
		return hits
	}
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(hits), &raw); err != nil || raw == nil {
		return "null"
	}
	changed := false
	for i, r := range raw {
		var hit struct {
			Query    string  `json:"query"`
			Match    string  `json:"match"`
			Score    float64 `json:"score"`
			ClientID int64   `json:"client_id"`
			MatterID int64   `json:"matter_id"`
			Hidden   bool    `json:"hidden"`
		}
		if len(r) == 0 || r[0] != '{' || json.Unmarshal(r, &hit) != nil {
			return "null"
		}
		if hit.Hidden || h.clients[hit.ClientID] || h.matters[hit.MatterID] {
			b, err := json.Marshal(struct {
				Query  string  `json:"query"`
				Match  string  `json:"match"`
				Score  float64 `json:"score"`
				Hidden bool    `json:"hidden"`
			}{hit.Query, hit.Match, hit.Score, true})
			if err != nil {
				return "null"
			}
			raw[i], changed = b, true
		}
	}
	if !changed {
		return hits
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return "null"
	}
	return string(b)
}

// ConflictChecksNaming returns the ids (ascending) of the recorded conflict
// checks whose hits name the client (hits: app's JSON array of objects with
// "client_id"), for the access report. None when the viewer cannot see the
// client. A check whose hits are not a JSON array of objects names no one.
func (tx *Tx) ConflictChecksNaming(clientID int64) ([]int64, error) {
	if err := tx.mustSeeClient(clientID); errors.Is(err, ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	ids, err := tx.queryIDs(`SELECT DISTINCT c.id FROM conflict_checks c,
		json_each(CASE WHEN json_valid(c.hits) AND json_type(c.hits) = 'array' THEN c.hits ELSE '[]' END) h
		WHERE h.type = 'object' AND json_extract(h.value, '$.client_id') = ? ORDER BY c.id`, clientID)
	if err != nil {
		return nil, fmt.Errorf("reading the conflict checks naming client %d: %w", clientID, err)
	}
	return ids, nil
}

// conflictCheckHidden is the SQL condition "check c names a client or
// matter hidden from the viewer with hidden sets h", and its arguments:
// its hits (app's JSON array of objects with "client_id" and "matter_id")
// name one, or its context ("client:12", "matter:4", "party:17 matter:4")
// does, or names a party of a hidden matter. A check made on saving a
// walled matter's new party has no hit there, but its names and context
// are that matter's.
func conflictCheckHidden(h *hiddenSets) (string, []any) {
	clients, matters := idsJSON(h.clients), idsJSON(h.matters)
	return `(EXISTS (SELECT 1 FROM
		json_each(CASE WHEN json_valid(c.hits) AND json_type(c.hits) = 'array' THEN c.hits ELSE '[]' END) h
		WHERE h.type = 'object' AND (
			json_extract(h.value, '$.client_id') IN (SELECT value FROM json_each(?)) OR
			json_extract(h.value, '$.matter_id') IN (SELECT value FROM json_each(?))))
		OR (c.context <> '' AND (
			EXISTS (SELECT 1 FROM json_each(?) k WHERE instr(' ' || c.context || ' ', ' client:' || k.value || ' ') > 0) OR
			EXISTS (SELECT 1 FROM json_each(?) m WHERE instr(' ' || c.context || ' ', ' matter:' || m.value || ' ') > 0) OR
			EXISTS (SELECT 1 FROM parties p WHERE p.matter_id IN (SELECT value FROM json_each(?))
				AND instr(' ' || c.context || ' ', ' party:' || p.id || ' ') > 0))))`,
		[]any{clients, matters, clients, matters, matters}
}

// mustSeeConflictCheck is ErrNotFound when the check's hits or context
// name a client or matter hidden from the viewer (conflictCheckHidden). A check run by such a viewer recorded its
// hidden hits without ids, so it stays theirs to decide.
func (tx *Tx) mustSeeConflictCheck(id int64) error {
	h, err := tx.hidden()
	if err != nil || !h.any() {
		return err
	}
	var n int
	cond, args := conflictCheckHidden(h)
	err = tx.QueryRow(`SELECT count(*) FROM conflict_checks c WHERE c.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&n)
	if err != nil {
		return fmt.Errorf("reading conflict check %d: %w", id, err)
	}
	if n > 0 {
		return fmt.Errorf("conflict check %d: %w", id, ErrNotFound)
	}
	return nil
}
