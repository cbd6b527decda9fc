package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// ErrNumberUsed: another matter already has that number.
var ErrNumberUsed = errors.New("matter number already used")

// ErrOnlyClient: a matter's only client cannot be removed from it.
var ErrOnlyClient = errors.New("a matter needs at least one client")

// ErrAlreadyClient: the client is already one of the matter's clients.
var ErrAlreadyClient = errors.New("already a client of the matter")

// NumberUsedError is ErrNumberUsed with the matter that has the number
// (Title empty when the viewer cannot see it).
type NumberUsedError struct {
	Number   string
	MatterID int64
	Title    string
}

func (e *NumberUsedError) Error() string {
	if e.Title == "" {
		return fmt.Sprintf("matter number %s is already used by another matter", e.Number)
	}
	return fmt.Sprintf("matter number %s is already used by %s", e.Number, e.Title)
}

// Unwrap makes errors.Is(err, ErrNumberUsed) true.
func (e *NumberUsedError) Unwrap() error { return ErrNumberUsed }

// NextMatterNumber is the next default number of the year of now (UTC):
// "YYYY-NNNN", one more than the highest such number of that year.
func (tx *Tx) NextMatterNumber(now time.Time) (string, error) {
	year := strconv.Itoa(now.UTC().Year())
	var max int64
	err := tx.QueryRow(`SELECT coalesce(max(CAST(substr(number, 6) AS INTEGER)), 0) FROM matters
		WHERE substr(number, 1, 5) = ? AND length(number) > 5 AND substr(number, 6) NOT GLOB '*[^0-9]*'`, year+"-").Scan(&max)
	if err != nil {
		return "", fmt.Errorf("choosing the next matter number: %w", err)
	}
	return fmt.Sprintf("%s-%04d", year, max+1), nil
}

// MatterNumber is a matter's number (ErrNotFound when the viewer cannot
// see the matter).
func (tx *Tx) MatterNumber(id int64) (string, error) {
	if err := tx.needMatter(id); err != nil {
		return "", err
	}
	var n string
	if err := tx.QueryRow("SELECT number FROM matters WHERE id = ?", id).Scan(&n); err != nil {
		return "", fmt.Errorf("reading the number of matter %d: %w", id, err)
	}
	return n, nil
}

// numberFree is nil when no matter other than self has number (compared
// without case), else a *NumberUsedError.
func (tx *Tx) numberFree(number string, self int64) error {
	var id int64
	var title string
	err := tx.QueryRow("SELECT id, title FROM matters WHERE number = ? COLLATE NOCASE AND id <> ?", number, self).Scan(&id, &title)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking matter number %s: %w", number, err)
	}
	if ok, err := tx.matterVisible(id); err != nil {
		return err
	} else if !ok {
		title = ""
	}
	return &NumberUsedError{Number: number, MatterID: id, Title: title}
}

// UpdateMatter replaces a matter's number, title, practice area, status
// and dates (ClosedAt nil when open); its clients, parties and class stay.
// A change of status sets or clears the destroy-after date as
// SetMatterStatus does (from ClosedAt, else now).
// A matter the viewer cannot see is ErrNotFound; a number another matter
// has is a *NumberUsedError.
func (tx *Tx) UpdateMatter(m *Matter, now time.Time) error {
	if err := tx.needMatter(m.ID); err != nil {
		return err
	}
	if m.Number != "" {
		if err := tx.numberFree(m.Number, m.ID); err != nil {
			return err
		}
	}
	var oldStatus string
	if err := tx.QueryRow("SELECT status FROM matters WHERE id = ?", m.ID).Scan(&oldStatus); err != nil {
		return fmt.Errorf("reading matter %d: %w", m.ID, err)
	}
	_, err := tx.Exec(`UPDATE matters SET number = ?, title = ?, practice_area = ?, status = ?, opened_at = ?, closed_at = ?,
		updated_at = ? WHERE id = ?`, m.Number, m.Title, m.PracticeArea, m.Status, ms(m.OpenedAt), msOrNil(m.ClosedAt), ms(now), m.ID)
	if err != nil {
		return fmt.Errorf("updating matter %d: %w", m.ID, err)
	}
	if m.Status == oldStatus {
		return nil // a closed matter keeps its date, whatever its area becomes
	}
	closed := now
	if m.ClosedAt != nil {
		closed = *m.ClosedAt
	}
	return tx.setRetentionOnStatus(m.ID, m.Status, closed)
}

// needClient is ErrNotFound when the client does not exist or the viewer
// cannot see it.
func (tx *Tx) needClient(id int64) error {
	if ok, err := tx.clientVisible(id); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	return nil
}

// needMatter is needClient for a matter.
func (tx *Tx) needMatter(id int64) error {
	if ok, err := tx.matterVisible(id); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("matter %d: %w", id, ErrNotFound)
	}
	return nil
}

func (tx *Tx) insertMatterClient(matterID, clientID int64) error {
	if _, err := tx.Exec("INSERT INTO matter_clients(matter_id, client_id) VALUES (?, ?)", matterID, clientID); err != nil {
		return fmt.Errorf("adding client %d to matter %d: %w", clientID, matterID, err)
	}
	return nil
}

// matterClients returns a matter's clients that the viewer sees, the lead
// first, then in the order added. A joint client hidden from the viewer is
// left out (its name is not theirs to read).
func (tx *Tx) matterClients(matterID int64) ([]MatterClient, error) {
	cond, err := tx.clientCond("c")
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(`SELECT c.id, c.name FROM matter_clients mc JOIN clients c ON c.id = mc.client_id
		JOIN matters m ON m.id = mc.matter_id WHERE mc.matter_id = ?`+and(cond)+`
		ORDER BY c.id <> m.client_id, mc.id`, matterID)
	if err != nil {
		return nil, fmt.Errorf("reading the clients of matter %d: %w", matterID, err)
	}
	defer rows.Close()
	var out []MatterClient
	for rows.Next() {
		var c MatterClient
		if err := rows.Scan(&c.ID, &c.Name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddMatterClient makes a client the viewer sees one more client of a
// matter the viewer sees (ErrNotFound otherwise; ErrAlreadyClient when it
// is one).
func (tx *Tx) AddMatterClient(matterID, clientID int64, now time.Time) error {
	if err := tx.needMatter(matterID); err != nil {
		return err
	}
	if err := tx.needClient(clientID); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM matter_clients WHERE matter_id = ? AND client_id = ?", matterID, clientID).Scan(&n); err != nil {
		return fmt.Errorf("reading the clients of matter %d: %w", matterID, err)
	}
	if n > 0 {
		return fmt.Errorf("client %d, matter %d: %w", clientID, matterID, ErrAlreadyClient)
	}
	if err := tx.insertMatterClient(matterID, clientID); err != nil {
		return err
	}
	return tx.touchMatter(matterID, now)
}

// RemoveMatterClient takes a client off a matter. Removing the lead makes
// the next client (in the order added) the lead; the only client cannot be
// removed (ErrOnlyClient). ErrNotFound when the viewer cannot see the
// matter or the client, or the client is not one of the matter's.
func (tx *Tx) RemoveMatterClient(matterID, clientID int64, now time.Time) error {
	if err := tx.needMatter(matterID); err != nil {
		return err
	}
	if err := tx.needClient(clientID); err != nil {
		return err
	}
	var lead int64
	if err := tx.QueryRow("SELECT client_id FROM matters WHERE id = ?", matterID).Scan(&lead); err != nil {
		return fmt.Errorf("reading matter %d: %w", matterID, err)
	}
	ids, err := tx.allMatterClientIDs(matterID)
	if err != nil {
		return err
	}
	if !slices.Contains(ids, clientID) {
		return fmt.Errorf("client %d is not a client of matter %d: %w", clientID, matterID, ErrNotFound)
	}
	if len(ids) == 1 {
		return fmt.Errorf("matter %d: %w", matterID, ErrOnlyClient)
	}
	if clientID == lead {
		next := ids[0]
		if next == clientID {
			next = ids[1]
		}
		if _, err := tx.Exec("UPDATE matters SET client_id = ? WHERE id = ?", next, matterID); err != nil {
			return fmt.Errorf("making client %d the lead of matter %d: %w", next, matterID, err)
		}
	}
	if _, err := tx.Exec("DELETE FROM matter_clients WHERE matter_id = ? AND client_id = ?", matterID, clientID); err != nil {
		return fmt.Errorf("removing client %d from matter %d: %w", clientID, matterID, err)
	}
	return tx.touchMatter(matterID, now)
}

// allMatterClientIDs are every client of a matter, whoever sees them, in
// the order added.
func (tx *Tx) allMatterClientIDs(matterID int64) ([]int64, error) {
	ids, err := tx.queryIDs("SELECT client_id FROM matter_clients WHERE matter_id = ? ORDER BY id", matterID)
	if err != nil {
		return nil, fmt.Errorf("reading the clients of matter %d: %w", matterID, err)
	}
	return ids, nil
}

// queryIDs runs a query whose one column is an id and returns the ids in
// the query's order.
func (tx *Tx) queryIDs(query string, args ...any) ([]int64, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
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
