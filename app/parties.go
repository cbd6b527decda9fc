package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// PartyRoles are the roles of a matter's parties, in display order.
var PartyRoles = []string{store.RoleAdverse, store.RoleRelated, store.RoleOpposingCounsel, store.RoleCoCounsel, store.RoleWitness}

// PartyRoleLabel is a role in words: "Adverse party", "Related party",
// "Opposing counsel", "Co-counsel", "Witness" (the role itself when it is
// none of them).
func PartyRoleLabel(role string) string {
	switch role {
	case store.RoleAdverse:
		return "Adverse party"
	case store.RoleRelated:
		return "Related party"
	case store.RoleOpposingCounsel:
		return "Opposing counsel"
	case store.RoleCoCounsel:
		return "Co-counsel"
	case store.RoleWitness:
		return "Witness"
	}
	if w, ok := prospectRoles[role]; ok {
		return w
	}
	return role
}

// prospectRoles are the roles of the names an intake submission puts in
// the conflict index (a prospective client, ABA Model Rule 1.18), in
// words.
var prospectRoles = map[string]string{
	"prospect":                  "Prospective client",
	"prospect_alias":            "Other name of a prospective client",
	"prospect_adverse":          "Adverse party named by a prospective client",
	"prospect_related":          "Other person named by a prospective client",
	"prospect_opposing_counsel": "Opposing counsel named by a prospective client",
}

// IsProspectRole says whether a conflict hit's role is a name from an
// intake submission (a prospective client's, or one they named).
func IsProspectRole(role string) bool {
	_, ok := prospectRoles[role]
	return ok
}

// maxOtherNames bounds a party's aliases and former names together.
const maxOtherNames = 50

// PartyInput is a party as a person enters it. Role may be written with a
// hyphen ("opposing-counsel", "co-counsel"); Kind "" is a person.
type PartyInput struct {
	Role, Name, Kind, Organisation, Note string
	Aliases, FormerNames                 []string
}

// partyRole is the stored role of what was typed ("" when none).
func partyRole(role string) string {
	r := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(role)), "-", "_")
	if store.ValidRole(r) {
		return r
	}
	return ""
}

// validateParty normalises and checks a party's fields; the first problem
// is a *FieldError naming the field.
func validateParty(in PartyInput) (*store.Party, error) {
	p := &store.Party{Role: partyRole(in.Role), Name: in.Name, Kind: strings.ToLower(strings.TrimSpace(in.Kind)),
		Organisation: in.Organisation, Note: in.Note}
	if p.Role == "" {
		return nil, &FieldError{"role", fmt.Sprintf("%q is not a party's role: use adverse, related, opposing-counsel, co-counsel or witness", in.Role)}
	}
	if !store.ValidPartyKind(p.Kind) {
		return nil, &FieldError{"kind", fmt.Sprintf("%q is not a kind of party: use person or organisation", in.Kind)}
	}
	if p.Kind == "" {
		p.Kind = store.PartyPerson
	}
	if err := cleanLine("name", &p.Name, true, "A party needs a name"); err != nil {
		return nil, err
	}
	if err := cleanLine("organisation", &p.Organisation, false, ""); err != nil {
		return nil, err
	}
	if err := cleanText("party-note", &p.Note, maxField, false, ""); err != nil {
		return nil, err
	}
	if n := len(in.Aliases) + len(in.FormerNames); n > maxOtherNames {
		return nil, &FieldError{"alias", fmt.Sprintf("A party can have at most %s aliases and former names (%s given)", human.Number(int64(maxOtherNames)), human.Number(int64(n)))}
	}
	var err error
	if p.Aliases, err = cleanNames("alias", in.Aliases, "An alias cannot be empty"); err != nil {
		return nil, err
	}
	if p.FormerNames, err = cleanNames("former-name", in.FormerNames, "A former name cannot be empty"); err != nil {
		return nil, err
	}
	return p, nil
}

// cleanNames cleans each name of a list (cleanLine), none empty.
func cleanNames(field string, names []string, emptyMsg string) ([]string, error) {
	var out []string
	for _, n := range names {
		if err := cleanLine(field, &n, true, emptyMsg); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// partyDetail is an audit entry's detail for a party: its role and name.
func partyDetail(p *store.Party) string {
	return fmt.Sprintf("%s %q", strings.ToLower(PartyRoleLabel(p.Role)), p.Name)
}

// partyRecords are the records a party's audit entry names.
func partyRecords(partyID, matterID int64) string {
	return ref("party", partyID) + " " + ref("matter", matterID)
}

// AddParty validates and adds a party to a matter; it returns the party's
// id. A matter the user cannot see is ErrNotFound.
func (s *Session) AddParty(ctx context.Context, matterID int64, in PartyInput) (int64, error) {
	if err := s.allow(ctx, access.AddParties, ref("matter", matterID)); err != nil {
		return 0, err
	}
	p, err := validateParty(in)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.update(ctx, "party.add", func(tx *store.Tx) (string, string, error) {
		var err error
		id, err = tx.InsertParty(matterID, p, s.now())
		return partyRecords(id, matterID), partyDetail(p), err
	})
	return id, err
}

// EditParty replaces a party's role, name, kind, organisation, note,
// aliases and former names (its matter stays). A party of a matter the
// user cannot see is ErrNotFound.
func (s *Session) EditParty(ctx context.Context, partyID int64, in PartyInput) error {
	return s.EditPartyWith(ctx, partyID, func(p *PartyInput) { *p = in })
}

// EditPartyWith changes a party as change says, in one transaction: change
// gets the party as it is (PartyInputOf) and changes what the person
// changed (a command line's flags), then it is checked and saved as
// EditParty does.
func (s *Session) EditPartyWith(ctx context.Context, partyID int64, change func(in *PartyInput)) error {
	if err := s.allow(ctx, access.EditParties, ref("party", partyID)); err != nil {
		return err
	}
	return s.update(ctx, "party.edit", func(tx *store.Tx) (string, string, error) {
		old, err := tx.GetParty(partyID)
		if err != nil {
			return "", "", err
		}
		in := PartyInputOf(old)
		change(&in)
		p, err := validateParty(in)
		if err != nil {
			return "", "", err
		}
		p.ID = partyID
		return partyRecords(partyID, old.MatterID), partyDetail(p) + ", " + partyChanges(old, p), tx.UpdateParty(p, s.now())
	})
}

// PartyInputOf is a party's fields as PartyInput.
func PartyInputOf(p *store.Party) PartyInput {
	return PartyInput{Role: p.Role, Name: p.Name, Kind: p.Kind, Organisation: p.Organisation, Note: p.Note,
		Aliases: slices.Clone(p.Aliases), FormerNames: slices.Clone(p.FormerNames)}
}

// GetParty returns one party with its other names, recorded as
// party.view. A party of a matter the user cannot see is ErrNotFound.
func (s *Session) GetParty(ctx context.Context, partyID int64) (*store.Party, error) {
	if err := s.allow(ctx, access.ViewParty, ref("party", partyID)); err != nil {
		return nil, err
	}
	var p *store.Party
	err := s.view(ctx, "party.view", func(tx *store.Tx) (string, string, error) {
		var err error
		if p, err = tx.GetParty(partyID); err != nil {
			return "", "", err
		}
		return partyRecords(partyID, p.MatterID), "", nil
	})
	return p, err
}

// MatterNumber is a matter's number, for a message about the matter just
// added ("Matter 4 added: Roe v. Acme (2026-0004)"). It reads nothing but
// the number of a matter the user may see, and records nothing.
func (s *Session) MatterNumber(ctx context.Context, matterID int64) (string, error) {
	if err := s.allow(ctx, access.ViewMatter, ref("matter", matterID)); err != nil {
		return "", err
	}
	var n string
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.MatterNumber(matterID)
		return err
	})
	return n, err
}

// partyChanges names the fields that differ: "fields: name, aliases".
func partyChanges(old, p *store.Party) string {
	var f []string
	for _, x := range []struct {
		n    string
		same bool
	}{{"role", old.Role == p.Role}, {"name", old.Name == p.Name}, {"kind", old.Kind == p.Kind},
		{"organisation", old.Organisation == p.Organisation}, {"note", old.Note == p.Note},
		{"aliases", strings.Join(old.Aliases, "\n") == strings.Join(p.Aliases, "\n")},
		{"former names", strings.Join(old.FormerNames, "\n") == strings.Join(p.FormerNames, "\n")}} {
		if !x.same {
			f = append(f, x.n)
		}
	}
	if len(f) == 0 {
		return "nothing changed"
	}
	return "fields: " + strings.Join(f, ", ")
}

// RemoveParty removes a party from its matter. A party of a matter the
// user cannot see is ErrNotFound.
func (s *Session) RemoveParty(ctx context.Context, partyID int64) error {
	if err := s.allow(ctx, access.EditParties, ref("party", partyID)); err != nil {
		return err
	}
	return s.update(ctx, "party.remove", func(tx *store.Tx) (string, string, error) {
		p, err := tx.DeleteParty(partyID, s.now())
		if err != nil {
			return "", "", err
		}
		return partyRecords(partyID, p.MatterID), partyDetail(p), nil
	})
}

// AddMatterClient makes a client one more client of a matter (joint
// representation). Either one hidden from the user is ErrNotFound.
func (s *Session) AddMatterClient(ctx context.Context, matterID, clientID int64) error {
	if err := s.allow(ctx, access.MatterClients, ref("matter", matterID), ref("client", clientID)); err != nil {
		return err
	}
	return s.update(ctx, "matter.client.add", func(tx *store.Tx) (string, string, error) {
		err := tx.AddMatterClient(matterID, clientID, s.now())
		if errors.Is(err, store.ErrAlreadyClient) {
			err = &FieldError{"client", clientName(tx, clientID) + " is already a client of this matter"}
		}
		return ref("matter", matterID) + " " + ref("client", clientID), "", err
	})
}

// RemoveMatterClient takes a client off a matter. Removing the lead client
// makes the next one (in the order added) the lead; the only client cannot
// be removed (a *FieldError).
func (s *Session) RemoveMatterClient(ctx context.Context, matterID, clientID int64) error {
	if err := s.allow(ctx, access.MatterClients, ref("matter", matterID), ref("client", clientID)); err != nil {
		return err
	}
	return s.update(ctx, "matter.client.remove", func(tx *store.Tx) (string, string, error) {
		err := tx.RemoveMatterClient(matterID, clientID, s.now())
		if errors.Is(err, store.ErrOnlyClient) {
			err = &FieldError{"client", clientName(tx, clientID) + " is the matter's only client: add the other client first, then remove this one"}
		}
		return ref("matter", matterID) + " " + ref("client", clientID), "", err
	})
}

// clientName is a client's name for a message ("client 12" when it cannot
// be read).
func clientName(tx *store.Tx, id int64) string {
	if c, err := tx.GetClient(id); err == nil {
		return c.Name
	}
	return fmt.Sprintf("client %d", id)
}
