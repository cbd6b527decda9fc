package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Incidents (schema 7, tables incidents, incident_steps, incident_clients;
// docs/FORMAT.md §6.3.6): what happened, when, the steps of its checklist
// with when and by whom each was done, and the clients it affects with
// when each was told. The checklist's words live in app/incident; a step
// row exists once a step was ticked (or ticked and unticked).
//
// incident_clients holds no client data: a live client is named from
// clients when it is read; record_id keeps the client's id when client_id
// goes NULL (the client was destroyed or deleted), so the destruction's
// register row names it; label is filled only for a client that was gone
// already when it was recorded (the backup records' words for it, which
// hold a name only where the lawyer kept names for conflict checks).

// Incident is one incident as stored.
type Incident struct {
	ID         int64
	Kind       string
	OpenedAt   time.Time
	OpenedBy   string
	HappenedAt time.Time // zero: not known
	Summary    string
	RepoID     string // lost_backup: the backup repository's id
	ClosedAt   time.Time
	ClosedBy   string
}

// IncidentStep is a step of an incident's checklist that was ticked at
// least once: DoneAt is zero when it was unticked again.
type IncidentStep struct {
	Key    string
	DoneAt time.Time
	DoneBy string
	Note   string
}

// IncidentClient is a client an incident affects.
type IncidentClient struct {
	ClientID   int64  // 0: the client is gone (destroyed or deleted)
	RecordID   int64  // the client's id when it was recorded
	Register   string // the destruction register's ref ("D-2026-0001/2"), when destroyed
	Label      string // stored words for a client already gone when recorded
	Name       string // the live client's name, when the viewer sees it
	KeptName   string // a destroyed client's name kept for conflict checks, if any
	Hidden     bool   // a live client the viewer cannot see
	NotifiedAt time.Time
	NotifiedBy string
}

// ErrIncidentClosed: the incident is closed already.
var ErrIncidentClosed = errors.New("the incident is closed")

const incidentCols = "id, kind, opened_at, opened_by, happened_at, summary, repo_id, closed_at, closed_by"

func scanIncident(sc interface{ Scan(...any) error }) (*Incident, error) {
	var in Incident
	var opened int64
	var happened, closed sql.NullInt64
	if err := sc.Scan(&in.ID, &in.Kind, &opened, &in.OpenedBy, &happened, &in.Summary, &in.RepoID, &closed, &in.ClosedBy); err != nil {
		return nil, err
	}
	in.OpenedAt = fromMS(opened)
	if happened.Valid {
		in.HappenedAt = fromMS(happened.Int64)
	}
	if closed.Valid {
		in.ClosedAt = fromMS(closed.Int64)
	}
	return &in, nil
}

func msOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// InsertIncident records a new incident (ID, ClosedAt and ClosedBy are
// ignored) and returns its id.
func (tx *Tx) InsertIncident(in *Incident) (int64, error) {
	res, err := tx.Exec("INSERT INTO incidents(kind, opened_at, opened_by, happened_at, summary, repo_id) VALUES (?, ?, ?, ?, ?, ?)",
		in.Kind, in.OpenedAt.UnixMilli(), in.OpenedBy, msOrNull(in.HappenedAt), in.Summary, in.RepoID)
	if err != nil {
		return 0, fmt.Errorf("recording the incident: %w", err)
	}
	return res.LastInsertId()
}

// GetIncident returns one incident (ErrNotFound when there is none).
func (tx *Tx) GetIncident(id int64) (*Incident, error) {
	in, err := scanIncident(tx.QueryRow("SELECT "+incidentCols+" FROM incidents WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("incident %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading incident %d: %w", id, err)
	}
	return in, nil
}

// ListIncidents returns every incident, open ones first, then newest
// first.
func (tx *Tx) ListIncidents() ([]*Incident, error) {
	rows, err := tx.Query("SELECT " + incidentCols + " FROM incidents ORDER BY closed_at IS NOT NULL, opened_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("listing the incidents: %w", err)
	}
	defer rows.Close()
	var out []*Incident
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// CloseIncident closes an open incident (ErrIncidentClosed when it is
// closed already, ErrNotFound when there is none).
func (tx *Tx) CloseIncident(id int64, by string, now time.Time) error {
	in, err := tx.GetIncident(id)
	if err != nil {
		return err
	}
	if !in.ClosedAt.IsZero() {
		return fmt.Errorf("incident %d: %w", id, ErrIncidentClosed)
	}
	_, err = tx.Exec("UPDATE incidents SET closed_at = ?, closed_by = ? WHERE id = ?", now.UnixMilli(), by, id)
	return err
}

// IncidentSteps returns the steps of an incident that were ever ticked, by
// key.
func (tx *Tx) IncidentSteps(id int64) (map[string]IncidentStep, error) {
	rows, err := tx.Query("SELECT key, done_at, done_by, note FROM incident_steps WHERE incident_id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("reading the steps of incident %d: %w", id, err)
	}
	defer rows.Close()
	out := map[string]IncidentStep{}
	for rows.Next() {
		var s IncidentStep
		var done sql.NullInt64
		if err := rows.Scan(&s.Key, &done, &s.DoneBy, &s.Note); err != nil {
			return nil, err
		}
		if done.Valid {
			s.DoneAt = fromMS(done.Int64)
		}
		out[s.Key] = s
	}
	return out, rows.Err()
}

// SetIncidentStep ticks (done) or unticks a step: ticking records now and
// by; unticking clears them. A note that is not empty replaces the step's
// note; an empty one keeps it. The incident must exist (ErrNotFound);
// which keys a kind has is app/incident's to say.
func (tx *Tx) SetIncidentStep(id int64, key string, done bool, note, by string, now time.Time) error {
	if _, err := tx.GetIncident(id); err != nil {
		return err
	}
	var at any
	if done {
		at = now.UnixMilli()
	} else {
		by = ""
	}
	_, err := tx.Exec(`INSERT INTO incident_steps(incident_id, key, done_at, done_by, note) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (incident_id, key) DO UPDATE SET done_at = excluded.done_at, done_by = excluded.done_by,
			note = CASE WHEN excluded.note = '' THEN note ELSE excluded.note END`,
		id, key, at, by, note)
	if err != nil {
		return fmt.Errorf("recording step %s of incident %d: %w", key, id, err)
	}
	return nil
}

// SetIncidentClients makes the affected clients of an incident exactly
// these (by RecordID; ClientID 0 for a client already gone, with its
// Register and Label). A client that stays keeps when it was told.
func (tx *Tx) SetIncidentClients(id int64, clients []IncidentClient) error {
	if _, err := tx.GetIncident(id); err != nil {
		return err
	}
	keep := map[int64]bool{}
	for _, c := range clients {
		keep[c.RecordID] = true
	}
	old, err := tx.Query("SELECT id, record_id FROM incident_clients WHERE incident_id = ?", id)
	if err != nil {
		return err
	}
	have := map[int64]bool{}
	var drop []int64
	for old.Next() {
		var rowID, rec int64
		if err := old.Scan(&rowID, &rec); err != nil {
			old.Close()
			return err
		}
		if keep[rec] && !have[rec] {
			have[rec] = true
		} else {
			drop = append(drop, rowID)
		}
	}
	old.Close()
	if err := old.Err(); err != nil {
		return err
	}
	for _, rowID := range drop {
		if _, err := tx.Exec("DELETE FROM incident_clients WHERE id = ?", rowID); err != nil {
			return err
		}
	}
	for _, c := range clients {
		if have[c.RecordID] {
			continue
		}
		have[c.RecordID] = true
		var client any
		if c.ClientID != 0 {
			client = c.ClientID
		}
		if _, err := tx.Exec("INSERT INTO incident_clients(incident_id, client_id, record_id, register, label) VALUES (?, ?, ?, ?, ?)",
			id, client, c.RecordID, c.Register, c.Label); err != nil {
			return fmt.Errorf("recording the clients of incident %d: %w", id, err)
		}
	}
	return nil
}

// IncidentClients returns the clients an incident affects, by the id they
// had, named as the viewer may see them: a live client by its name (Hidden
// when the viewer cannot see it), a destroyed one by its register row (and
// the name kept for conflict checks, role 'former_client', if the lawyer
// kept names).
func (tx *Tx) IncidentClients(id int64) ([]IncidentClient, error) {
	cond, err := tx.clientCond("c")
	if err != nil {
		return nil, err
	}
	seen := "0"
	if cond != "" {
		seen = "EXISTS (SELECT 1 FROM clients c WHERE c.id = i.client_id AND " + cond + ")"
	}
	rows, err := tx.Query(`SELECT coalesce(i.client_id, 0), i.record_id, i.register, i.label, i.notified_at, i.notified_by,
			coalesce((SELECT name FROM clients WHERE id = i.client_id), ''), `+seen+`
		FROM incident_clients i WHERE i.incident_id = ? ORDER BY i.record_id, i.id`, id)
	if err != nil {
		return nil, fmt.Errorf("reading the clients of incident %d: %w", id, err)
	}
	var out []IncidentClient
	for rows.Next() {
		var c IncidentClient
		var notified sql.NullInt64
		var visible bool
		if err := rows.Scan(&c.ClientID, &c.RecordID, &c.Register, &c.Label, &notified, &c.NotifiedBy, &c.Name, &visible); err != nil {
			rows.Close()
			return nil, err
		}
		if notified.Valid {
			c.NotifiedAt = fromMS(notified.Int64)
		}
		if c.ClientID != 0 && cond != "" && !visible {
			c.Hidden, c.Name = true, ""
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A client gone since it was recorded: its destruction's register row
	// (the newest of that id) and the name kept for conflict checks.
	for i := range out {
		c := &out[i]
		if c.ClientID != 0 || c.RecordID == 0 {
			continue
		}
		var regID int64
		var ref string
		err := tx.QueryRow(`SELECT id, ref FROM destruction_register WHERE kind = 'client' AND record_id = ? ORDER BY id DESC LIMIT 1`, c.RecordID).Scan(&regID, &ref)
		if errors.Is(err, sql.ErrNoRows) {
			continue // deleted, not destroyed
		}
		if err != nil {
			return nil, err
		}
		if c.Register == "" {
			c.Register = ref
		}
		var kept sql.NullString
		if err := tx.QueryRow(`SELECT name FROM destroyed_names WHERE register_id = ? AND role = 'former_client' ORDER BY id LIMIT 1`, regID).Scan(&kept); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		c.KeptName = kept.String
	}
	return out, nil
}

// SetIncidentNotified records (at not zero) or clears when a client of an
// incident was told. ErrNotFound when the client is not one the incident
// affects.
func (tx *Tx) SetIncidentNotified(id, recordID int64, at time.Time, by string) error {
	if _, err := tx.GetIncident(id); err != nil {
		return err
	}
	if at.IsZero() {
		by = ""
	}
	res, err := tx.Exec("UPDATE incident_clients SET notified_at = ?, notified_by = ? WHERE incident_id = ? AND record_id = ?",
		msOrNull(at), by, id, recordID)
	if err != nil {
		return fmt.Errorf("recording that client %d was told of incident %d: %w", recordID, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("client %d is not among the clients incident %d affects: %w", recordID, id, ErrNotFound)
	}
	return nil
}

// IncidentCounts is how many incidents there are, and how many are open.
func (tx *Tx) IncidentCounts() (all, open int, err error) {
	err = tx.QueryRow("SELECT count(*), count(*) - count(closed_at) FROM incidents").Scan(&all, &open)
	return all, open, err
}
