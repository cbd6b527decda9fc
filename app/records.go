package app

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// ClientInput is what a person enters for a client. For EditClient, nil
// fields keep their value.
type ClientInput struct {
	Name    *string
	Aliases *[]string
	Email   *string
	Phone   *string
	DOB     *string
	Address *string
	Notes   *string
}

var phoneRE = regexp.MustCompile(`^\+?[0-9 ()./-]{5,30}$`)

// Limits, in characters (runes), not bytes: 3,000 emoji are 3,000
// characters.
const (
	maxField = 10000
	maxNotes = 1000000
)

// fieldLabel names a field in a sentence, e.g. "the e-mail address".
var fieldLabel = map[string]string{
	"name": "the name", "alias": "an alias", "email": "the e-mail address", "phone": "the phone number",
	"dob": "the date of birth", "address": "the address", "notes": "the notes", "title": "the title",
	"practice-area": "the practice area", "adverse": "an adverse party's name", "related": "a related party's name",
	"opposing-counsel": "an opposing counsel's name", "text": "the note", "names": "a name to check", "note": "the note",
	"organisation": "the organisation", "former-name": "a former name", "party-note": "the note on the party",
	"number": "the matter number", "opened": "the opening date", "closed": "the closing date", "display-name": "the display name",
	"co-counsel": "a co-counsel's name", "witness": "a witness's name",
	"document": "the type of identity document", "checked-by": "the name of who checked it", "verified-on": "the day it was checked",
	"reason": "the reason", "decision": "the decision", "check": "the conflict check",
}

func label(field string) string {
	if l, ok := fieldLabel[field]; ok {
		return l
	}
	return "the " + field
}

// says is "The notes are", "The name is": the field's label, capitalised,
// and the verb that agrees with it (one of is, has, contains).
func says(field, verb string) string {
	l := label(field)
	if strings.HasSuffix(l, "notes") {
		verb = map[string]string{"is": "are", "has": "have", "contains": "contain"}[verb]
	}
	return human.Capitalize(l) + " " + verb
}

// cleanLine normalises a one-line field in place (spaces and invisible
// characters trimmed from its ends) and checks it: no control characters,
// line breaks, tabs, text-direction controls or bytes that are not text;
// not only invisible characters unless empty (required says whether empty
// is refused too, with emptyMsg); at most maxField characters.
func cleanLine(field string, v *string, required bool, emptyMsg string) error {
	*v = human.TrimInvisible(*v)
	if *v == "" || !human.HasVisible(*v) {
		if *v != "" {
			return &FieldError{field, says(field, "has") + " only invisible characters (such as a zero-width space): type it again"}
		}
		if required {
			return &FieldError{field, emptyMsg}
		}
		return nil
	}
	if what := human.Unsafe(*v, false); what != "" {
		return &FieldError{field, fmt.Sprintf("%s %s: type it again without it", says(field, "contains"), what)}
	}
	return tooLong(field, *v, maxField)
}

// cleanText is cleanLine for text of several lines (notes): line ends are
// normalised to line breaks, and line breaks, tabs and text-direction
// controls are kept.
func cleanText(field string, v *string, max int, required bool, emptyMsg string) error {
	*v = human.TrimInvisible(human.NormalizeLines(*v))
	if *v == "" || !human.HasVisible(*v) {
		if required {
			return &FieldError{field, emptyMsg}
		}
		if *v != "" {
			return &FieldError{field, says(field, "has") + " only invisible characters (such as a zero-width space): type it again"}
		}
		return nil
	}
	if what := human.Unsafe(*v, true); what != "" {
		return &FieldError{field, fmt.Sprintf("%s %s: type it again without it", says(field, "contains"), what)}
	}
	return tooLong(field, *v, max)
}

func tooLong(field, v string, max int) error {
	if n := utf8.RuneCountInString(v); n > max {
		return &FieldError{field, fmt.Sprintf("%s too long (%s characters; at most %s)", says(field, "is"), human.Number(int64(n)), human.Number(int64(max)))}
	}
	return nil
}

// ValidateClient normalises and checks one client's fields; it returns the
// first problem as a *FieldError naming the field.
func ValidateClient(c *store.Client, now time.Time) error {
	if err := cleanLine("name", &c.Name, true, "A client needs a name"); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"email", &c.Email}, {"phone", &c.Phone}, {"dob", &c.DOB}} {
		if err := cleanLine(f.name, f.v, false, ""); err != nil {
			return err
		}
	}
	// The address is typed on several lines in the window.
	if err := cleanText("address", &c.Address, maxField, false, ""); err != nil {
		return err
	}
	if err := cleanText("notes", &c.Notes, maxNotes, false, ""); err != nil {
		return err
	}
	for i := range c.Aliases {
		if err := cleanLine("alias", &c.Aliases[i], true, "An alias cannot be empty"); err != nil {
			return err
		}
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || !strings.Contains(c.Email[strings.LastIndex(c.Email, "@"):], ".") {
			return &FieldError{"email", fmt.Sprintf("%q is not an e-mail address like name@example.com", c.Email)}
		}
	}
	if c.Phone != "" && !phoneRE.MatchString(c.Phone) {
		return &FieldError{"phone", fmt.Sprintf("%q is not a phone number: use digits, spaces, + ( ) - . /", c.Phone)}
	}
	if c.DOB != "" {
		d, err := human.ParseDate(c.DOB)
		if err != nil {
			return &FieldError{"dob", human.Capitalize(err.Error())} // "1980-02-30 is not a real date: February 1980 has 29 days"
		}
		if d.After(now) {
			return &FieldError{"dob", "The date of birth is in the future"}
		}
		if d.Year() < 1880 {
			return &FieldError{"dob", "The date of birth is before 1880"}
		}
	}
	return nil
}

func apply(c *store.Client, in ClientInput) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.Name, in.Name)
	set(&c.Email, in.Email)
	set(&c.Phone, in.Phone)
	set(&c.DOB, in.DOB)
	set(&c.Address, in.Address)
	set(&c.Notes, in.Notes)
	if in.Aliases != nil {
		c.Aliases = append([]string(nil), (*in.Aliases)...)
	}
}

func ref(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }

// AddClient validates and adds a client; it returns the new id.
func (s *Session) AddClient(ctx context.Context, in ClientInput) (int64, error) {
	if err := s.allow(ctx, access.AddClient); err != nil {
		return 0, err
	}
	c := &store.Client{}
	apply(c, in)
	if err := ValidateClient(c, s.now()); err != nil {
		return 0, err
	}
	var id int64
	err := s.update(ctx, "client.add", func(tx *store.Tx) (string, string, error) {
		var err error
		id, err = tx.InsertClient(c, s.now())
		return ref("client", id), "", err
	})
	return id, err
}

// EditClient changes the given fields of a client.
func (s *Session) EditClient(ctx context.Context, id int64, in ClientInput) error {
	if err := s.allow(ctx, access.EditClient, ref("client", id)); err != nil {
		return err
	}
	return s.update(ctx, "client.edit", func(tx *store.Tx) (string, string, error) {
		c, err := tx.GetClient(id)
		if err != nil {
			return "", "", err
		}
		apply(c, in)
		if err := ValidateClient(c, s.now()); err != nil {
			return "", "", err
		}
		return ref("client", id), changedFields(in), tx.UpdateClient(c, s.now())
	})
}

func changedFields(in ClientInput) string {
	var f []string
	for _, x := range []struct {
		n   string
		set bool
	}{{"name", in.Name != nil}, {"aliases", in.Aliases != nil}, {"email", in.Email != nil}, {"phone", in.Phone != nil},
		{"dob", in.DOB != nil}, {"address", in.Address != nil}, {"notes", in.Notes != nil}} {
		if x.set {
			f = append(f, x.n)
		}
	}
	return "fields: " + strings.Join(f, ", ")
}

// DeleteClient deletes a client that has no matters.
func (s *Session) DeleteClient(ctx context.Context, id int64) error {
	if err := s.allow(ctx, access.DeleteClient, ref("client", id)); err != nil {
		return err
	}
	return s.update(ctx, "client.delete", func(tx *store.Tx) (string, string, error) {
		return ref("client", id), "", tx.DeleteClient(id)
	})
}

// ClientDetail is a client with its matters.
type ClientDetail struct {
	*store.Client
	Matters []*store.Matter
	// AccessUsers are the users named by the client's security class
	// (Client.SecurityClass): empty for general, or for a role that does
	// not read users.
	AccessUsers []string
}

// GetClient returns a client with aliases and matters.
func (s *Session) GetClient(ctx context.Context, id int64) (*ClientDetail, error) {
	if err := s.allow(ctx, access.ViewClient, ref("client", id)); err != nil {
		return nil, err
	}
	matters := s.Can(access.Matters, access.Read)
	var d ClientDetail
	err := s.view(ctx, "client.view", func(tx *store.Tx) (string, string, error) {
		c, err := tx.GetClient(id)
		if err != nil {
			return "", "", err
		}
		d.Client = c
		if matters {
			if d.Matters, err = tx.ListMatters(id, ""); err != nil {
				return "", "", err
			}
		}
		d.AccessUsers, err = s.accessUsers(tx, store.KindClient, id)
		return ref("client", id), "", err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// ListClients returns every client (without aliases).
func (s *Session) ListClients(ctx context.Context, order store.ClientOrder) ([]*store.Client, error) {
	return s.listClients(ctx, order, (*store.Tx).ListClients)
}

// ListClientSummaries is ListClients without the clients' notes (Notes is
// empty): for a list of names and contact details, at half the cost of a
// big vault's ListClients. Recorded the same way.
func (s *Session) ListClientSummaries(ctx context.Context, order store.ClientOrder) ([]*store.Client, error) {
	return s.listClients(ctx, order, (*store.Tx).ListClientSummaries)
}

func (s *Session) listClients(ctx context.Context, order store.ClientOrder, list func(*store.Tx, store.ClientOrder) ([]*store.Client, error)) ([]*store.Client, error) {
	if err := s.allow(ctx, access.ListClients); err != nil {
		return nil, err
	}
	var out []*store.Client
	err := s.view(ctx, "client.list", func(tx *store.Tx) (string, string, error) {
		var err error
		out, err = list(tx, order)
		return "", human.Count(len(out), "client", "clients"), err
	})
	return out, err
}

// MatterInput is a new matter: its lead client (ClientID), any joint
// clients, and its parties (Adverse, Related and OpposingCounsel are names
// of those roles, kept for callers that have only names).
type MatterInput struct {
	ClientID        int64
	ClientIDs       []int64 // joint clients beyond ClientID
	Title           string
	PracticeArea    string
	Number          string // "" = the next number of the year ("2026-0004")
	Adverse         []string
	Related         []string
	OpposingCounsel []string
	Parties         []PartyInput
}

// maxNumber is the longest matter number, in characters.
const maxNumber = 40

// AddMatter validates and adds a matter with its clients and parties.
func (s *Session) AddMatter(ctx context.Context, in MatterInput) (int64, error) {
	if err := s.allow(ctx, access.AddMatter, ref("client", in.ClientID)); err != nil {
		return 0, err
	}
	if len(in.Adverse)+len(in.Related)+len(in.OpposingCounsel)+len(in.Parties) > 0 {
		if err := s.allow(ctx, access.AddParties, ref("client", in.ClientID)); err != nil {
			return 0, err
		}
	}
	m, err := matterOf(in)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.update(ctx, "matter.add", func(tx *store.Tx) (string, string, error) {
		var err error
		id, err = tx.InsertMatter(m, s.now())
		recs := ref("matter", id)
		for _, c := range append([]int64{m.ClientID}, in.ClientIDs...) {
			recs += " " + ref("client", c)
		}
		return recs, "", numberError(err)
	})
	return id, err
}

// matterOf validates a new matter's fields.
func matterOf(in MatterInput) (*store.Matter, error) {
	m := &store.Matter{ClientID: in.ClientID, Title: in.Title, PracticeArea: in.PracticeArea, Number: in.Number}
	if err := validateMatterLines(m); err != nil {
		return nil, err
	}
	if m.ClientID <= 0 {
		return nil, &FieldError{"client", "A matter needs the id of its client"}
	}
	for _, c := range in.ClientIDs {
		if c <= 0 {
			return nil, &FieldError{"client", fmt.Sprintf("%d is not a client's id", c)}
		}
		m.Clients = append(m.Clients, store.MatterClient{ID: c})
	}
	for _, g := range []struct {
		role  string
		names []string
	}{{store.RoleAdverse, in.Adverse}, {store.RoleRelated, in.Related}, {store.RoleOpposingCounsel, in.OpposingCounsel}} {
		for _, n := range g.names {
			if err := cleanLine(strings.ReplaceAll(g.role, "_", "-"), &n, true, "A party's name cannot be empty"); err != nil {
				return nil, err
			}
			m.Parties = append(m.Parties, store.Party{Role: g.role, Name: n, Kind: store.PartyPerson})
		}
	}
	for _, pin := range in.Parties {
		p, err := validateParty(pin)
		if err != nil {
			return nil, err
		}
		m.Parties = append(m.Parties, *p)
	}
	return m, nil
}

// validateMatterLines cleans a matter's title, practice area and number.
func validateMatterLines(m *store.Matter) error {
	if err := cleanLine("title", &m.Title, true, "A matter needs a title"); err != nil {
		return err
	}
	if err := cleanLine("practice-area", &m.PracticeArea, false, ""); err != nil {
		return err
	}
	if err := cleanLine("number", &m.Number, false, ""); err != nil {
		return err
	}
	return tooLong("number", m.Number, maxNumber)
}

// numberError turns the store's "number already used" into a *FieldError.
func numberError(err error) error {
	var nu *store.NumberUsedError
	if errors.As(err, &nu) {
		return &FieldError{"number", human.Capitalize(nu.Error())}
	}
	return err
}

// MatterEdit is a matter's editable fields, all of them (EditOf gives a
// matter's current ones): dates are YYYY-MM-DD; ClosedOn is "" while the
// matter is open, and "" when closing it means today.
type MatterEdit struct {
	Title, PracticeArea, Number, Status, OpenedOn, ClosedOn string
}

// EditOf is a matter's current fields, to change some and pass to
// EditMatter.
func EditOf(m *store.Matter) MatterEdit {
	e := MatterEdit{Title: m.Title, PracticeArea: m.PracticeArea, Number: m.Number, Status: m.Status, OpenedOn: dateOn(m.OpenedAt)}
	if m.ClosedAt != nil {
		e.ClosedOn = dateOn(*m.ClosedAt)
	}
	return e
}

func dateOn(t time.Time) string { return t.Local().Format("2006-01-02") }

// EditMatter replaces a matter's title, practice area, number, status and
// dates. A matter the user cannot see is ErrNotFound; a number another
// matter has, a date that is not real, in the future, or a closing before
// the opening is a *FieldError.
func (s *Session) EditMatter(ctx context.Context, id int64, in MatterEdit) error {
	if err := s.allow(ctx, access.EditMatter, ref("matter", id)); err != nil {
		return err
	}
	m := &store.Matter{ID: id, Title: in.Title, PracticeArea: in.PracticeArea, Number: in.Number}
	if err := validateMatterLines(m); err != nil {
		return err
	}
	return s.update(ctx, "matter.edit", func(tx *store.Tx) (string, string, error) {
		old, err := tx.GetMatter(id)
		if err != nil {
			return "", "", err
		}
		if err := matterDates(m, old, in, s.now()); err != nil {
			return "", "", err
		}
		return matterRecords(old), matterChanges(old, m), numberError(tx.UpdateMatter(m, s.now()))
	})
}

// matterDates sets m's status and dates from in, checked: real days, not
// after today, the closing not before the opening; a day unchanged keeps
// old's exact time.
func matterDates(m, old *store.Matter, in MatterEdit, now time.Time) error {
	m.Status = strings.ToLower(strings.TrimSpace(in.Status))
	if m.Status != "open" && m.Status != "closed" {
		return &FieldError{"status", fmt.Sprintf("%q is not a matter's status: use open or closed", in.Status)}
	}
	opened, err := dayOf("opened", in.OpenedOn, old.OpenedAt, now)
	if err != nil {
		return err
	}
	m.OpenedAt = opened
	closedOn := strings.TrimSpace(in.ClosedOn)
	if m.Status == "open" {
		if closedOn != "" {
			return &FieldError{"closed", "An open matter has no closing date: clear the closing date, or set the status to closed"}
		}
		return nil
	}
	prev := now
	if old.ClosedAt != nil {
		prev = *old.ClosedAt
	}
	if closedOn == "" {
		closedOn = dateOn(prev)
	}
	closed, err := dayOf("closed", closedOn, prev, now)
	if err != nil {
		return err
	}
	if dateOn(closed) < dateOn(opened) {
		return &FieldError{"closed", fmt.Sprintf("The closing date %s is before the opening date %s", dateOn(closed), dateOn(opened))}
	}
	if closed.Before(opened) { // the same day: keep the order
		closed = opened
	}
	m.ClosedAt = &closed
	return nil
}

// dayOf reads a date field: a real day, not after today. The day of keep
// gives keep itself (its time of day kept); another day, its midnight.
func dayOf(field, v string, keep, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == dateOn(keep) {
		return keep, nil
	}
	d, err := human.ParseDate(v)
	if err != nil {
		return time.Time{}, &FieldError{field, human.Capitalize(err.Error())}
	}
	if d.After(now) {
		return time.Time{}, &FieldError{field, fmt.Sprintf("%s %s is in the future", human.Capitalize(label(field)), v)}
	}
	if d.Year() < 1900 {
		return time.Time{}, &FieldError{field, fmt.Sprintf("%s %s is before 1900", human.Capitalize(label(field)), v)}
	}
	return d, nil
}

// matterChanges names the fields that differ: "fields: title, number".
func matterChanges(old, m *store.Matter) string {
	var f []string
	for _, x := range []struct {
		n    string
		same bool
	}{{"title", old.Title == m.Title}, {"practice area", old.PracticeArea == m.PracticeArea}, {"number", old.Number == m.Number},
		{"status", old.Status == m.Status}, {"opened", old.OpenedAt.Equal(m.OpenedAt)},
		{"closed", (old.ClosedAt == nil) == (m.ClosedAt == nil) && (old.ClosedAt == nil || old.ClosedAt.Equal(*m.ClosedAt))}} {
		if !x.same {
			f = append(f, x.n)
		}
	}
	if len(f) == 0 {
		return "nothing changed"
	}
	return "fields: " + strings.Join(f, ", ")
}

// ListMatters lists matters; clientID 0 = all; status "" = open and closed.
func (s *Session) ListMatters(ctx context.Context, clientID int64, status string) ([]*store.Matter, error) {
	records := ""
	if clientID != 0 {
		records = ref("client", clientID)
	}
	if err := s.allow(ctx, access.ListMatters, records); err != nil {
		return nil, err
	}
	parties := s.Can(access.Parties, access.Read)
	var out []*store.Matter
	err := s.view(ctx, "matter.list", func(tx *store.Tx) (string, string, error) {
		var err error
		out, err = tx.ListMatters(clientID, status)
		if !parties {
			for _, m := range out {
				m.Parties = nil
			}
		}
		return records, human.Count(len(out), "matter", "matters"), err
	})
	return out, err
}

// MatterDetail is a matter with parties and notes.
type MatterDetail struct {
	*store.Matter
	Notes []*store.Note
	// AccessUsers: as ClientDetail's, for the matter's class.
	AccessUsers []string
}

// GetMatter returns a matter with its parties and notes.
func (s *Session) GetMatter(ctx context.Context, id int64) (*MatterDetail, error) {
	if err := s.allow(ctx, access.ViewMatter, ref("matter", id)); err != nil {
		return nil, err
	}
	notes, parties := s.Can(access.Notes, access.Read), s.Can(access.Parties, access.Read)
	var d MatterDetail
	err := s.view(ctx, "matter.view", func(tx *store.Tx) (string, string, error) {
		m, err := tx.GetMatter(id)
		if err != nil {
			return "", "", err
		}
		d.Matter = m
		if !parties {
			m.Parties = nil
		}
		if notes {
			if d.Notes, err = tx.ListNotes(id); err != nil {
				return "", "", err
			}
		}
		d.AccessUsers, err = s.accessUsers(tx, store.KindMatter, id)
		return matterRecords(m), "", err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// matterRecords names a matter and its clients (the lead first) for the
// audit trail, so that a joint client's access report finds the entry.
func matterRecords(m *store.Matter) string {
	recs := ref("matter", m.ID) + " " + ref("client", m.ClientID)
	for _, c := range m.Clients {
		if c.ID != m.ClientID {
			recs += " " + ref("client", c.ID)
		}
	}
	return recs
}

// CloseMatter closes a matter.
func (s *Session) CloseMatter(ctx context.Context, id int64) error {
	return s.setStatus(ctx, id, "closed")
}

// ReopenMatter reopens a closed matter.
func (s *Session) ReopenMatter(ctx context.Context, id int64) error {
	return s.setStatus(ctx, id, "open")
}

func (s *Session) setStatus(ctx context.Context, id int64, status string) error {
	action := "matter.close"
	if status == "open" {
		action = "matter.reopen"
	}
	if err := s.allow(ctx, access.CloseMatter, ref("matter", id)); err != nil {
		return err
	}
	return s.update(ctx, action, func(tx *store.Tx) (string, string, error) {
		old, err := tx.GetMatter(id)
		if err != nil {
			return "", "", err
		}
		if err := tx.SetMatterStatus(id, status, s.now()); err != nil {
			return "", "", err
		}
		m, err := tx.GetMatter(id)
		if err != nil {
			return "", "", err
		}
		return ref("matter", id), retentionDetail(old, m), nil
	})
}

// retentionDetail says in a close or reopen's audit entry what became of
// the matter's destroy-after date: "destroy after 2033-12-03 (the default
// rule)", "kept for ever (the Family law rule)", "destroy-after date
// 2033-12-03 cleared". No client data: dates and practice areas.
func retentionDetail(old, m *store.Matter) string {
	if m.Status == "open" {
		if old.DestroyAfter == nil {
			return ""
		}
		return "destroy-after date " + human.Date(*old.DestroyAfter) + " cleared"
	}
	_, area, _ := strings.Cut(m.DestroyRule, ":")
	rule := strings.ToLower(RuleName(area)[:1]) + RuleName(area)[1:]
	if m.DestroyAfter == nil {
		return "kept for ever (" + rule + ")"
	}
	return "destroy after " + human.Date(*m.DestroyAfter) + " (" + rule + ")"
}

// AddNote adds a note to a matter.
func (s *Session) AddNote(ctx context.Context, matterID int64, text string) (int64, error) {
	if err := s.allow(ctx, access.AddNote, ref("matter", matterID)); err != nil {
		return 0, err
	}
	if err := cleanText("text", &text, maxNotes, true, "A note cannot be empty"); err != nil {
		return 0, err
	}
	var id int64
	err := s.update(ctx, "note.add", func(tx *store.Tx) (string, string, error) {
		var err error
		id, err = tx.InsertNote(&store.Note{MatterID: matterID, Text: text, Author: s.DisplayName()}, s.now())
		return ref("note", id) + " " + ref("matter", matterID), "", err
	})
	return id, err
}
