package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrNotFound: no record with that id.
var ErrNotFound = errors.New("not found")

// ErrHasMatters: a client with matters cannot be deleted.
var ErrHasMatters = errors.New("client has matters")

// Client is one client record.
type Client struct {
	ID            int64
	Name          string
	Aliases       []string
	Email         string
	Phone         string
	DOB           string // YYYY-MM-DD or ""
	Address       string
	Notes         string
	SecurityClass string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Matter is one matter with its clients and parties.
type Matter struct {
	ID            int64
	ClientID      int64  // the lead client
	ClientName    string // the lead client's name
	Number        string // "2026-0004" by default; the lawyer's own scheme allowed; unique
	Title         string
	PracticeArea  string
	Status        string // "open" or "closed"
	OpenedAt      time.Time
	ClosedAt      *time.Time
	SecurityClass string
	Clients       []MatterClient // every client, the lead first (GetMatter; InsertMatter adds those after the lead)
	Parties       []Party        // GetMatter fills them
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// DestroyAfter (schema 7): when a closed matter is due for
	// destruction; nil while open, or kept for ever.
	DestroyAfter *time.Time
	// DestroyRule is where DestroyAfter came from (matters.destroy_rule):
	// "rule:<practice area of the rule>" ("rule:" the default rule),
	// "never:<area>" (the rule keeps it for ever), "changed" (by hand:
	// RetentionChanges), "" while open.
	DestroyRule string
}

// MatterClient is one of a matter's clients (joint representation).
type MatterClient struct {
	ID   int64
	Name string
}

// Note is a dated note on a matter.
type Note struct {
	ID        int64
	MatterID  int64
	Text      string
	Author    string
	CreatedAt time.Time
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func orGeneral(s string) string {
	if strings.TrimSpace(s) == "" {
		return "general"
	}
	return s
}

// InsertClient adds a client with its aliases and returns its id.
func (tx *Tx) InsertClient(c *Client, now time.Time) (int64, error) {
	if !ValidClass(orGeneral(c.SecurityClass)) {
		return 0, fmt.Errorf("client %q: %w", c.Name, ErrBadClass)
	}
	if orGeneral(c.SecurityClass) != ClassGeneral {
		tx.forgetClasses()
	}
	res, err := tx.Exec(`INSERT INTO clients(name, email, phone, dob, address, notes, security_class, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Name, c.Email, c.Phone, c.DOB, c.Address, c.Notes, orGeneral(c.SecurityClass), ms(now), ms(now))
	if err != nil {
		return 0, fmt.Errorf("adding client: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := tx.setAliases(id, c.Aliases); err != nil {
		return 0, err
	}
	return id, nil
}

func (tx *Tx) setAliases(id int64, aliases []string) error {
	if _, err := tx.Exec("DELETE FROM client_aliases WHERE client_id = ?", id); err != nil {
		return err
	}
	for _, a := range aliases {
		if _, err := tx.Exec("INSERT INTO client_aliases(client_id, alias) VALUES (?, ?)", id, a); err != nil {
			return fmt.Errorf("adding alias: %w", err)
		}
	}
	return nil
}

// UpdateClient replaces a client's fields and aliases. The security class
// is SetSecurityClass's (c.SecurityClass is ignored). A client the viewer
// cannot see is ErrNotFound.
func (tx *Tx) UpdateClient(c *Client, now time.Time) error {
	if err := tx.mustSeeClient(c.ID); err != nil {
		return err
	}
	res, err := tx.Exec(`UPDATE clients SET name = ?, email = ?, phone = ?, dob = ?, address = ?, notes = ?,
		updated_at = ? WHERE id = ?`,
		c.Name, c.Email, c.Phone, c.DOB, c.Address, c.Notes, ms(now), c.ID)
	if err != nil {
		return fmt.Errorf("updating client: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("client %d: %w", c.ID, ErrNotFound)
	}
	old, err := tx.aliases(c.ID)
	if err != nil {
		return err
	}
	if !slices.Equal(old, c.Aliases) {
		return tx.setAliases(c.ID, c.Aliases)
	}
	return nil
}

// DeleteClient deletes a client without matters or documents
// (ErrHasMatters, ErrHasDocuments), and its access list. A
// client the viewer cannot see is ErrNotFound.
func (tx *Tx) DeleteClient(id int64) error {
	if err := tx.mustSeeClient(id); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM matter_clients WHERE client_id = ?", id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("client %d has %d matter(s): %w", id, n, ErrHasMatters)
	}
	if ok, err := hasTable(tx.Tx, "documents"); err != nil {
		return err
	} else if ok {
		if err := tx.QueryRow("SELECT count(*) FROM documents WHERE client_id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("client %d: %w", id, ErrHasDocuments)
		}
	}
	res, err := tx.Exec("DELETE FROM clients WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("deleting client: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	if _, err := tx.Exec("DELETE FROM access_list WHERE kind = 'client' AND record_id = ?", id); err != nil {
		return fmt.Errorf("deleting the client's access list: %w", err)
	}
	return nil
}

func (tx *Tx) aliases(id int64) ([]string, error) {
	rows, err := tx.Query("SELECT alias FROM client_aliases WHERE client_id = ? ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

const clientCols = "id, name, email, phone, dob, address, notes, security_class, created_at, updated_at"

func scanClient(sc interface{ Scan(...any) error }) (*Client, error) {
	var c Client
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.DOB, &c.Address, &c.Notes, &c.SecurityClass, &created, &updated); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

// GetClient returns one client with its aliases (ErrNotFound when the
// viewer cannot see it).
func (tx *Tx) GetClient(id int64) (*Client, error) {
	cond, err := tx.clientCond("c")
	if err != nil {
		return nil, err
	}
	c, err := scanClient(tx.QueryRow("SELECT "+clientCols+" FROM clients c WHERE id = ?"+and(cond), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	c.Aliases, err = tx.aliases(id)
	return c, err
}

// ClientOrder sorts ListClients.
type ClientOrder int

// Orders.
const (
	ByName ClientOrder = iota
	ByUpdated
)

// ListClients returns the clients the viewer sees, without aliases, sorted.
func (tx *Tx) ListClients(order ClientOrder) ([]*Client, error) {
	return tx.listClients(clientCols, order)
}

// clientSummaryCols are clientCols without the notes, the one long field
// (kilobytes a client; copying them out is most of a list's cost).
const clientSummaryCols = "id, name, email, phone, dob, address, '', security_class, created_at, updated_at"

// ListClientSummaries is ListClients without the notes (Notes is empty):
// for lists that show names and contact details.
func (tx *Tx) ListClientSummaries(order ClientOrder) ([]*Client, error) {
	return tx.listClients(clientSummaryCols, order)
}

func (tx *Tx) listClients(cols string, order ClientOrder) ([]*Client, error) {
	cond, err := tx.clientCond("c")
	if err != nil {
		return nil, err
	}
	q := "SELECT " + cols + " FROM clients c" + where(cond) + " ORDER BY name COLLATE NOCASE, id"
	if order == ByUpdated {
		q = "SELECT " + cols + " FROM clients c" + where(cond) + " ORDER BY updated_at DESC, id DESC"
	}
	rows, err := tx.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsertMatter adds a matter with its parties to a client the viewer sees
// (ErrNotFound otherwise), with the joint clients of m.Clients (each one the
// viewer sees; the lead, m.ClientID, is left out there if listed). An empty
// m.Number gets the next number of the year opened ("2026-0004").
func (tx *Tx) InsertMatter(m *Matter, now time.Time) (int64, error) {
	if !ValidClass(orGeneral(m.SecurityClass)) {
		return 0, fmt.Errorf("matter %q: %w", m.Title, ErrBadClass)
	}
	if err := tx.needClient(m.ClientID); err != nil {
		return 0, err
	}
	if orGeneral(m.SecurityClass) != ClassGeneral {
		tx.forgetClasses()
	}
	number := m.Number
	if number == "" {
		var err error
		if number, err = tx.NextMatterNumber(now); err != nil {
			return 0, err
		}
	} else if err := tx.numberFree(number, 0); err != nil {
		return 0, err
	}
	res, err := tx.Exec(`INSERT INTO matters(client_id, number, title, practice_area, status, opened_at, security_class, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)`, m.ClientID, number, m.Title, m.PracticeArea, ms(now), orGeneral(m.SecurityClass), ms(now), ms(now))
	if err != nil {
		return 0, fmt.Errorf("adding matter: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := tx.insertMatterClient(id, m.ClientID); err != nil {
		return 0, err
	}
	for _, c := range m.Clients {
		if c.ID == m.ClientID {
			continue
		}
		if err := tx.needClient(c.ID); err != nil {
			return 0, err
		}
		if err := tx.insertMatterClient(id, c.ID); err != nil {
			return 0, err
		}
	}
	for i := range m.Parties {
		if _, err := tx.insertParty(id, &m.Parties[i], now); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// SetMatterStatus closes or reopens a matter (ErrNotFound when the viewer
// cannot see it).
func (tx *Tx) SetMatterStatus(id int64, status string, now time.Time) error {
	if err := tx.mustSeeMatter(id); err != nil {
		return err
	}
	var closed any
	if status == "closed" {
		closed = ms(now)
	}
	res, err := tx.Exec("UPDATE matters SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?", status, closed, ms(now), id)
	if err != nil {
		return fmt.Errorf("changing matter status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("matter %d: %w", id, ErrNotFound)
	}
	// Closing sets the destroy-after date from the practice area's
	// retention rule; reopening takes it away (retention.go).
	return tx.setRetentionOnStatus(id, status, now)
}

// matterCols are the columns scanMatter reads, of matters m joined with
// the lead client c; the destroy-after date and rule from schema 7 on
// (NULL and ” before).
func (tx *Tx) matterCols() string {
	const cols = `m.id, m.client_id, c.name, m.number, m.title, m.practice_area, m.status, m.opened_at, m.closed_at,
	m.security_class, m.created_at, m.updated_at, `
	if ok, err := tx.hasRetention(); err == nil && !ok {
		return cols + "NULL, ''"
	}
	return cols + "m.destroy_after, m.destroy_rule"
}

func scanMatter(sc interface{ Scan(...any) error }) (*Matter, error) {
	var m Matter
	var opened, created, updated int64
	var closed, after sql.NullInt64
	if err := sc.Scan(&m.ID, &m.ClientID, &m.ClientName, &m.Number, &m.Title, &m.PracticeArea, &m.Status, &opened, &closed,
		&m.SecurityClass, &created, &updated, &after, &m.DestroyRule); err != nil {
		return nil, err
	}
	m.OpenedAt, m.CreatedAt, m.UpdatedAt = fromMS(opened), fromMS(created), fromMS(updated)
	if closed.Valid {
		t := fromMS(closed.Int64)
		m.ClosedAt = &t
	}
	m.DestroyAfter = timePtr(after)
	return &m, nil
}

// GetMatter returns one matter with its parties (ErrNotFound when the
// viewer cannot see it).
func (tx *Tx) GetMatter(id int64) (*Matter, error) {
	cond, err := tx.matterCond("m", "c")
	if err != nil {
		return nil, err
	}
	m, err := scanMatter(tx.QueryRow("SELECT "+tx.matterCols()+" FROM matters m JOIN clients c ON c.id = m.client_id WHERE m.id = ?"+and(cond), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("matter %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if m.Clients, err = tx.matterClients(id); err != nil {
		return nil, err
	}
	m.Parties, err = tx.matterParties(id)
	return m, err
}

// ListMatters returns the matters the viewer sees (without clients and
// parties), newest first; clientID 0 lists all, else those where the client
// is one of the clients (lead or joint: matter_clients holds the lead too);
// status "" lists open and closed.
func (tx *Tx) ListMatters(clientID int64, status string) ([]*Matter, error) {
	cond, err := tx.matterCond("m", "c")
	if err != nil {
		return nil, err
	}
	of := "1"
	if clientID != 0 { // through matter_clients_by_client, not a scan of every matter
		of = "m.id IN (SELECT matter_id FROM matter_clients WHERE client_id = ?1)"
	}
	rows, err := tx.Query("SELECT "+tx.matterCols()+` FROM matters m JOIN clients c ON c.id = m.client_id
		WHERE `+of+` AND (?2 = '' OR m.status = ?2)`+and(cond)+` ORDER BY m.opened_at DESC, m.id DESC`, clientID, status)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Matter
	for rows.Next() {
		m, err := scanMatter(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// InsertNote adds a note to a matter the viewer sees (ErrNotFound
// otherwise).
func (tx *Tx) InsertNote(n *Note, now time.Time) (int64, error) {
	if ok, err := tx.matterVisible(n.MatterID); err != nil {
		return 0, err
	} else if !ok {
		return 0, fmt.Errorf("matter %d: %w", n.MatterID, ErrNotFound)
	}
	res, err := tx.Exec("INSERT INTO notes(matter_id, text, author, created_at) VALUES (?, ?, ?, ?)", n.MatterID, n.Text, n.Author, ms(now))
	if err != nil {
		return 0, fmt.Errorf("adding note: %w", err)
	}
	return res.LastInsertId()
}

// ListNotes returns a matter's notes, oldest first (none when the viewer
// cannot see the matter, as for a matter that does not exist).
func (tx *Tx) ListNotes(matterID int64) ([]*Note, error) {
	if err := tx.mustSeeMatter(matterID); errors.Is(err, ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	rows, err := tx.Query("SELECT id, matter_id, text, author, created_at FROM notes WHERE matter_id = ? ORDER BY created_at, id", matterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Note
	for rows.Next() {
		var n Note
		var at int64
		if err := rows.Scan(&n.ID, &n.MatterID, &n.Text, &n.Author, &at); err != nil {
			return nil, err
		}
		n.CreatedAt = fromMS(at)
		out = append(out, &n)
	}
	return out, rows.Err()
}
