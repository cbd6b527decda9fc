package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Party roles.
const (
	RoleAdverse         = "adverse"
	RoleRelated         = "related"
	RoleOpposingCounsel = "opposing_counsel"
	RoleCoCounsel       = "co_counsel"
	RoleWitness         = "witness"
)

// Party kinds.
const (
	PartyPerson       = "person"
	PartyOrganisation = "organisation"
)

// ValidRole reports whether role is one of the party roles.
func ValidRole(role string) bool {
	switch role {
	case RoleAdverse, RoleRelated, RoleOpposingCounsel, RoleCoCounsel, RoleWitness:
		return true
	}
	return false
}

// ValidPartyKind reports whether kind is a party kind ("" counts as
// person).
func ValidPartyKind(kind string) bool {
	return kind == "" || kind == PartyPerson || kind == PartyOrganisation
}

// Party is a person or organisation in a matter other than its clients.
type Party struct {
	ID           int64
	MatterID     int64
	Role         string
	Name         string
	Kind         string // PartyPerson ("" is read as a person) or PartyOrganisation
	Organisation string // the firm or company the person is with
	Note         string
	Aliases      []string
	FormerNames  []string
}

func orPerson(kind string) string {
	if kind == "" {
		return PartyPerson
	}
	return kind
}

// insertParty adds a party to matter matterID (already checked visible).
func (tx *Tx) insertParty(matterID int64, p *Party, now time.Time) (int64, error) {
	res, err := tx.Exec(`INSERT INTO parties(matter_id, role, name, kind, organisation, note, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, matterID, p.Role, p.Name, orPerson(p.Kind), p.Organisation, p.Note, ms(now), ms(now))
	if err != nil {
		return 0, fmt.Errorf("adding party %q: %w", p.Name, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	return id, tx.setPartyAliases(id, p.Aliases, p.FormerNames)
}

// setPartyAliases replaces a party's aliases and former names.
func (tx *Tx) setPartyAliases(partyID int64, aliases, former []string) error {
	if _, err := tx.Exec("DELETE FROM party_aliases WHERE party_id = ?", partyID); err != nil {
		return fmt.Errorf("replacing the party's other names: %w", err)
	}
	for _, set := range []struct {
		kind  string
		names []string
	}{{"alias", aliases}, {"former", former}} {
		for _, a := range set.names {
			if _, err := tx.Exec("INSERT INTO party_aliases(party_id, alias, kind) VALUES (?, ?, ?)", partyID, a, set.kind); err != nil {
				return fmt.Errorf("adding the party's other name %q: %w", a, err)
			}
		}
	}
	return nil
}

// partyOtherNames returns a party's aliases and former names, in the order
// added.
func (tx *Tx) partyOtherNames(partyID int64) (aliases, former []string, err error) {
	rows, err := tx.Query("SELECT alias, kind FROM party_aliases WHERE party_id = ? ORDER BY id", partyID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, kind string
		if err := rows.Scan(&a, &kind); err != nil {
			return nil, nil, err
		}
		if kind == "former" {
			former = append(former, a)
		} else {
			aliases = append(aliases, a)
		}
	}
	return aliases, former, rows.Err()
}

const partyCols = "id, matter_id, role, name, kind, organisation, note"

func (tx *Tx) scanParty(sc interface{ Scan(...any) error }) (*Party, error) {
	var p Party
	if err := sc.Scan(&p.ID, &p.MatterID, &p.Role, &p.Name, &p.Kind, &p.Organisation, &p.Note); err != nil {
		return nil, err
	}
	return &p, nil
}

// matterParties returns a matter's parties with their other names, by
// role then in the order added.
func (tx *Tx) matterParties(matterID int64) ([]Party, error) {
	rows, err := tx.Query("SELECT "+partyCols+" FROM parties WHERE matter_id = ? ORDER BY role, id", matterID)
	if err != nil {
		return nil, err
	}
	var out []Party
	for rows.Next() {
		p, err := tx.scanParty(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, *p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Aliases, out[i].FormerNames, err = tx.partyOtherNames(out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetParty returns one party with its other names (ErrNotFound when it does
// not exist or the viewer cannot see its matter).
func (tx *Tx) GetParty(id int64) (*Party, error) {
	p, err := tx.scanParty(tx.QueryRow("SELECT "+partyCols+" FROM parties WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("party %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading party %d: %w", id, err)
	}
	if ok, err := tx.matterVisible(p.MatterID); err != nil {
		return nil, err
	} else if !ok {
		return nil, fmt.Errorf("party %d: %w", id, ErrNotFound)
	}
	p.Aliases, p.FormerNames, err = tx.partyOtherNames(id)
	return p, err
}

// InsertParty adds a party to a matter the viewer sees (ErrNotFound
// otherwise) and returns its id.
func (tx *Tx) InsertParty(matterID int64, p *Party, now time.Time) (int64, error) {
	if err := tx.needMatter(matterID); err != nil {
		return 0, err
	}
	id, err := tx.insertParty(matterID, p, now)
	if err != nil {
		return 0, err
	}
	return id, tx.touchMatter(matterID, now)
}

// UpdateParty replaces a party's role, name, kind, organisation, note and
// other names; its matter stays (p.MatterID is ignored). A party the
// viewer cannot see is ErrNotFound.
func (tx *Tx) UpdateParty(p *Party, now time.Time) error {
	old, err := tx.GetParty(p.ID)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE parties SET role = ?, name = ?, kind = ?, organisation = ?, note = ?, updated_at = ? WHERE id = ?`,
		p.Role, p.Name, orPerson(p.Kind), p.Organisation, p.Note, ms(now), p.ID)
	if err != nil {
		return fmt.Errorf("updating party %d: %w", p.ID, err)
	}
	if !slices.Equal(old.Aliases, p.Aliases) || !slices.Equal(old.FormerNames, p.FormerNames) {
		if err := tx.setPartyAliases(p.ID, p.Aliases, p.FormerNames); err != nil {
			return err
		}
	}
	return tx.touchMatter(old.MatterID, now)
}

// DeleteParty removes a party and its other names (ErrNotFound when the
// viewer cannot see it) and returns what it was.
func (tx *Tx) DeleteParty(id int64, now time.Time) (*Party, error) {
	p, err := tx.GetParty(id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec("DELETE FROM parties WHERE id = ?", id); err != nil {
		return nil, fmt.Errorf("removing party %d: %w", id, err)
	}
	return p, tx.touchMatter(p.MatterID, now)
}

// touchMatter records that a matter changed.
func (tx *Tx) touchMatter(id int64, now time.Time) error {
	if _, err := tx.Exec("UPDATE matters SET updated_at = ? WHERE id = ?", ms(now), id); err != nil {
		return fmt.Errorf("updating matter %d: %w", id, err)
	}
	return nil
}
