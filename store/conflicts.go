package store

// Conflict checks: the names a check compares against (ConflictNames),
// and the checks recorded, with their decisions (docs/FORMAT.md).

import (
	"errors"
	"fmt"
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
	// Hidden: the name belongs to a client or matter the viewer cannot
	// see. Only Name and Role are then set (the rest is zero), so that a
	// conflict check can say "a possible conflict in a restricted matter:
	// ask the owner" and nothing more.
	Hidden bool
}

// ConflictNames lists every client, alias, joint client of a matter and
// matter party with its aliases and former names, in open and closed
// matters, whoever may see them: a wall never hides a conflict. Those the
// viewer cannot see are Hidden, with only their name and role.
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
	rows, err := tx.Query(`
		SELECT c.name, 'client', c.id, c.name, 0, '', 0, 0, '', '', ` + hc + ` FROM clients c
		UNION ALL
		SELECT a.alias, 'alias', c.id, c.name, 0, '', 0, 0, '', '', ` + hc + ` FROM client_aliases a JOIN clients c ON c.id = a.client_id
		UNION ALL
		SELECT j.name, 'joint_client', j.id, j.name, m.id, m.title, m.status = 'open', 0, '', '', (` + hm + `) OR (` + jc + `)
		FROM matter_clients mc JOIN matters m ON m.id = mc.matter_id JOIN clients c ON c.id = m.client_id
		JOIN clients j ON j.id = mc.client_id WHERE mc.client_id <> m.client_id
		UNION ALL
		SELECT p.name, p.role, c.id, c.name, m.id, m.title, m.status = 'open', p.id, '', '', ` + hm + `
		FROM parties p JOIN matters m ON m.id = p.matter_id JOIN clients c ON c.id = m.client_id
		UNION ALL
		SELECT pa.alias, p.role, c.id, c.name, m.id, m.title, m.status = 'open', p.id, p.name, pa.kind, ` + hm + `
		FROM party_aliases pa JOIN parties p ON p.id = pa.party_id JOIN matters m ON m.id = p.matter_id JOIN clients c ON c.id = m.client_id`)
	if err != nil {
		return nil, fmt.Errorf("reading the names for a conflict check: %w", err)
	}
	defer rows.Close()
	var out []Name
	for rows.Next() {
		var n Name
		if err := rows.Scan(&n.Name, &n.Role, &n.ClientID, &n.ClientName, &n.MatterID, &n.MatterTitle, &n.MatterOpen,
			&n.PartyID, &n.PartyName, &n.NameKind, &n.Hidden); err != nil {
			return nil, err
		}
		if n.Hidden {
			n = Name{Name: n.Name, Role: n.Role, Hidden: true}
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ConflictCheck is a recorded conflict check.
type ConflictCheck struct {
	ID           int64
	At           time.Time
	Actor        string
	Names        string // JSON array
	Hits         string // JSON array
	Decision     string // "", clear, conflict, waived
	DecisionNote string
	Context      string // what the check was for: "" (by hand), "client:12", "matter:4", "party:17 matter:4"
	HitCount     int
}

// InsertConflictCheck records a check.
func (tx *Tx) InsertConflictCheck(c *ConflictCheck) (int64, error) {
	res, err := tx.Exec(`INSERT INTO conflict_checks(at, actor, names, hits, decision, decision_note, context, hit_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ms(c.At), c.Actor, c.Names, c.Hits, c.Decision, c.DecisionNote, c.Context, c.HitCount)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// DecideConflictCheck records the decision on a check. A check whose
// recorded hits name a client or matter the viewer cannot see is
// ErrNotFound to them, as the records are.
func (tx *Tx) DecideConflictCheck(id int64, decision, note string, now time.Time) error {
	if err := tx.mustSeeConflictCheck(id); err != nil {
		return err
	}
	res, err := tx.Exec("UPDATE conflict_checks SET decision = ?, decision_note = ?, decided_at = ? WHERE id = ?", decision, note, ms(now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
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
	rows, err := tx.Query(`SELECT DISTINCT c.id FROM conflict_checks c,
		json_each(CASE WHEN json_valid(c.hits) AND json_type(c.hits) = 'array' THEN c.hits ELSE '[]' END) h
		WHERE h.type = 'object' AND json_extract(h.value, '$.client_id') = ? ORDER BY c.id`, clientID)
	if err != nil {
		return nil, fmt.Errorf("reading the conflict checks naming client %d: %w", clientID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// mustSeeConflictCheck is ErrNotFound when the check's hits (app's JSON
// array of objects with "client_id" and "matter_id") name a client or
// matter hidden from the viewer. A check run by such a viewer recorded its
// hidden hits without ids, so it stays theirs to decide.
func (tx *Tx) mustSeeConflictCheck(id int64) error {
	h, err := tx.hidden()
	if err != nil || !h.any() {
		return err
	}
	var n int
	err = tx.QueryRow(`SELECT count(*) FROM conflict_checks c,
		json_each(CASE WHEN json_valid(c.hits) AND json_type(c.hits) = 'array' THEN c.hits ELSE '[]' END) h
		WHERE c.id = ? AND h.type = 'object' AND (
			json_extract(h.value, '$.client_id') IN (SELECT value FROM json_each(?)) OR
			json_extract(h.value, '$.matter_id') IN (SELECT value FROM json_each(?)))`,
		id, idsJSON(h.clients), idsJSON(h.matters)).Scan(&n)
	if err != nil {
		return fmt.Errorf("reading conflict check %d: %w", id, err)
	}
	if n > 0 {
		return fmt.Errorf("conflict check %d: %w", id, ErrNotFound)
	}
	return nil
}
