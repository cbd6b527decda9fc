package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"casevault/store"
)

// fieldErr fails unless err is a *FieldError on field whose message
// contains want.
func fieldErr(t *testing.T, what string, err error, field, want string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != field || !strings.Contains(fe.Message, want) {
		t.Errorf("%s: %v, want a %s field error saying %q", what, err, field, want)
	}
}

func testVault(t *testing.T) string {
	dir, _ := newTestVault(t)
	return dir
}

// mustID fails the test on an error, else gives the id.
func mustID(t *testing.T) func(int64, error) int64 {
	return func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
}

func TestPartiesCRUD(t *testing.T) {
	s := openTest(t, testVault(t))
	c := mustID(t)(s.AddClient(ctx, ClientInput{Name: ptr("Jane Roe")}))
	m := mustID(t)(s.AddMatter(ctx, MatterInput{ClientID: c, Title: "Roe v Smith", Adverse: []string{"John Smith"},
		Parties: []PartyInput{{Role: "opposing-counsel", Name: "Lex Partners", Kind: "organisation"}}}))
	p := mustID(t)(s.AddParty(ctx, m, PartyInput{Role: "co-counsel", Name: "  Ada Counsel ", Organisation: "Counsel & Co",
		Note: "joins for the trial", Aliases: []string{"A. Counsel"}, FormerNames: []string{"Ada Maiden"}}))
	if e := lastAudit(t, s); e.Action != "party.add" || e.Records != ref("party", p)+" "+ref("matter", m) || !strings.Contains(e.Detail, `co-counsel "Ada Counsel"`) {
		t.Errorf("party.add entry = %+v", e)
	}
	d, err := s.GetMatter(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	var got *store.Party
	for i := range d.Parties {
		if d.Parties[i].ID == p {
			got = &d.Parties[i]
		}
	}
	if len(d.Parties) != 3 || got == nil || got.Name != "Ada Counsel" || got.Role != store.RoleCoCounsel || got.Kind != store.PartyPerson ||
		got.Organisation != "Counsel & Co" || !slices.Equal(got.Aliases, []string{"A. Counsel"}) || !slices.Equal(got.FormerNames, []string{"Ada Maiden"}) {
		t.Fatalf("parties = %+v", d.Parties)
	}
	if err := s.EditParty(ctx, p, PartyInput{Role: "witness", Name: "Ada Counsel", Kind: "person", FormerNames: []string{"Ada Maiden", "Ada First"}}); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "party.edit" || !strings.Contains(e.Detail, "fields: role, organisation, note, aliases, former names") {
		t.Errorf("party.edit entry = %+v", e)
	}
	d, _ = s.GetMatter(ctx, m)
	for _, q := range d.Parties {
		if q.ID == p && (q.Role != store.RoleWitness || len(q.Aliases) != 0 || len(q.FormerNames) != 2 || q.Organisation != "") {
			t.Errorf("after edit: %+v", q)
		}
	}
	// EditPartyWith changes only what it is told; GetParty reads it back, recorded.
	if err := s.EditPartyWith(ctx, p, func(in *PartyInput) { in.Note = "seen at the hearing" }); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "party.edit" || !strings.HasSuffix(e.Detail, "fields: note") {
		t.Errorf("EditPartyWith entry = %+v", e)
	}
	gp, err := s.GetParty(ctx, p)
	if err != nil || gp.Note != "seen at the hearing" || gp.Role != store.RoleWitness || len(gp.FormerNames) != 2 {
		t.Errorf("GetParty = %+v, %v", gp, err)
	}
	if e := lastAudit(t, s); e.Action != "party.view" || e.Records != ref("party", p)+" "+ref("matter", m) {
		t.Errorf("party.view entry = %+v", e)
	}
	if err := s.EditPartyWith(ctx, p, func(in *PartyInput) { in.Name = "" }); err == nil {
		t.Error("EditPartyWith took an empty name")
	}
	if n, err := s.MatterNumber(ctx, m); err != nil || !strings.HasSuffix(n, "-0001") {
		t.Errorf("MatterNumber = %q, %v", n, err)
	}
	if _, err := s.MatterNumber(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("MatterNumber of a missing matter: %v", err)
	}
	if err := s.RemoveParty(ctx, p); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "party.remove" || !strings.Contains(e.Detail, `witness "Ada Counsel"`) {
		t.Errorf("party.remove entry = %+v", e)
	}
	if err := s.RemoveParty(ctx, p); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing a removed party: %v", err)
	}
	if err := s.EditParty(ctx, 9999, PartyInput{Role: "adverse", Name: "X"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("editing a missing party: %v", err)
	}
	if _, err := s.AddParty(ctx, 9999, PartyInput{Role: "adverse", Name: "X"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a party for a missing matter: %v", err)
	}
	if hits, err := s.Search(ctx, "maiden", 10); err != nil || len(hits) != 0 {
		t.Errorf("a removed party's former name is still found: %+v, %v", hits, err)
	}
}

func TestPartyBadInput(t *testing.T) {
	s := openTest(t, testVault(t))
	c := mustID(t)(s.AddClient(ctx, ClientInput{Name: ptr("Jane Roe")}))
	m := mustID(t)(s.AddMatter(ctx, MatterInput{ClientID: c, Title: "Roe v Smith"}))
	long := strings.Repeat("x", maxField+1)
	many := make([]string, maxOtherNames+1)
	for i := range many {
		many[i] = "Name"
	}
	for _, c := range []struct {
		in           PartyInput
		field, words string
	}{
		{PartyInput{Role: "adverse", Name: "  "}, "name", "A party needs a name"},
		{PartyInput{Role: "adverse", Name: "Evil\x1b[31mRed"}, "name", "contains"},
		{PartyInput{Role: "adverse", Name: long}, "name", "too long"},
		{PartyInput{Role: "judge", Name: "X"}, "role", `"judge" is not a party's role`},
		{PartyInput{Role: "adverse", Name: "X", Kind: "robot"}, "kind", "person or organisation"},
		{PartyInput{Role: "adverse", Name: "X", Organisation: "Acme\nLtd"}, "organisation", "contains"},
		{PartyInput{Role: "adverse", Name: "X", Aliases: []string{""}}, "alias", "An alias cannot be empty"},
		{PartyInput{Role: "adverse", Name: "X", FormerNames: []string{"\u200b"}}, "former-name", "A former name cannot be empty"},
		{PartyInput{Role: "adverse", Name: "X", Aliases: many}, "alias", "at most 50"},
		{PartyInput{Role: "adverse", Name: "X", Note: strings.Repeat("n", maxField+1)}, "party-note", "too long"},
	} {
		_, err := s.AddParty(ctx, m, c.in)
		fieldErr(t, "AddParty "+c.field, err, c.field, c.words)
	}
	d, _ := s.GetMatter(ctx, m)
	if len(d.Parties) != 0 {
		t.Errorf("refused parties were added: %+v", d.Parties)
	}
}

func TestEditMatter(t *testing.T) {
	s := openTest(t, testVault(t))
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.Local)
	s.now = func() time.Time { return now }
	c := mustID(t)(s.AddClient(ctx, ClientInput{Name: ptr("Jane Roe")}))
	m1 := mustID(t)(s.AddMatter(ctx, MatterInput{ClientID: c, Title: "Roe divorce"}))
	m2 := mustID(t)(s.AddMatter(ctx, MatterInput{ClientID: c, Title: "Roe will", Number: "JR/7"}))
	d, err := s.GetMatter(ctx, m1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Number != "2026-0001" {
		t.Errorf("first matter's number %q, want 2026-0001", d.Number)
	}
	e := EditOf(d.Matter)
	if e.OpenedOn != "2026-12-02" || e.Status != "open" || e.ClosedOn != "" {
		t.Errorf("EditOf = %+v", e)
	}
	e.Title, e.PracticeArea, e.Number, e.OpenedOn = "Roe divorce and custody", "family", "2026-0004", "2026-03-01"
	if err := s.EditMatter(ctx, m1, e); err != nil {
		t.Fatal(err)
	}
	if a := lastAudit(t, s); a.Action != "matter.edit" || a.Detail != "fields: title, practice area, number, opened" {
		t.Errorf("matter.edit entry = %+v", a)
	}
	d, _ = s.GetMatter(ctx, m1)
	if d.Title != "Roe divorce and custody" || d.Number != "2026-0004" || !d.OpenedAt.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.Local)) {
		t.Errorf("after edit: %+v", d.Matter)
	}
	// The next default number follows the highest of the year.
	m3 := mustID(t)(s.AddMatter(ctx, MatterInput{ClientID: c, Title: "Roe lease"}))
	if d3, _ := s.GetMatter(ctx, m3); d3.Number != "2026-0005" {
		t.Errorf("next number %q, want 2026-0005", d3.Number)
	}
	// Closing: a date, then the checks.
	e = EditOf(d.Matter)
	e.Status, e.ClosedOn = "closed", "2026-11-30"
	if err := s.EditMatter(ctx, m1, e); err != nil {
		t.Fatal(err)
	}
	d, _ = s.GetMatter(ctx, m1)
	if d.Status != "closed" || d.ClosedAt == nil || dateOn(*d.ClosedAt) != "2026-11-30" {
		t.Errorf("closed: %+v", d.Matter)
	}
	base := EditOf(d.Matter)
	for _, c := range []struct {
		change       func(e *MatterEdit)
		field, words string
	}{
		{func(e *MatterEdit) { e.OpenedOn = "1980-02-30" }, "opened", "1980-02-30 is not a real date"},
		{func(e *MatterEdit) { e.OpenedOn = "3/1/2026" }, "opened", "YYYY-MM-DD"},
		{func(e *MatterEdit) { e.OpenedOn = "2026-12-03" }, "opened", "The opening date 2026-12-03 is in the future"},
		{func(e *MatterEdit) { e.ClosedOn = "2026-02-28" }, "closed", "The closing date 2026-02-28 is before the opening date 2026-03-01"},
		{func(e *MatterEdit) { e.ClosedOn = "2027-01-01" }, "closed", "in the future"},
		{func(e *MatterEdit) { e.Status = "open" }, "closed", "An open matter has no closing date"},
		{func(e *MatterEdit) { e.Status = "pending" }, "status", "use open or closed"},
		{func(e *MatterEdit) { e.Title = " " }, "title", "A matter needs a title"},
		{func(e *MatterEdit) { e.Title = "a\x07b" }, "title", "contains"},
		{func(e *MatterEdit) { e.Number = strings.Repeat("9", maxNumber+1) }, "number", "too long"},
		{func(e *MatterEdit) { e.Number = "jr/7" }, "number", "Matter number jr/7 is already used by Roe will"},
		{func(e *MatterEdit) { e.OpenedOn = "1899-12-31"; e.ClosedOn = "" }, "opened", "before 1900"},
	} {
		e := base
		c.change(&e)
		fieldErr(t, "EditMatter "+c.words, s.EditMatter(ctx, m1, e), c.field, c.words)
	}
	if d2, _ := s.GetMatter(ctx, m1); d2.Title != d.Title || !d2.OpenedAt.Equal(d.OpenedAt) || d2.Status != "closed" {
		t.Errorf("a refused edit changed the matter: %+v", d2.Matter)
	}
	// Reopening clears the closing date; the same day keeps its time.
	e = base
	e.Status, e.ClosedOn = "open", ""
	if err := s.EditMatter(ctx, m1, e); err != nil {
		t.Fatal(err)
	}
	d, _ = s.GetMatter(ctx, m1)
	if d.Status != "open" || d.ClosedAt != nil {
		t.Errorf("reopened: %+v", d.Matter)
	}
	if err := s.EditMatter(ctx, 9999, base); !errors.Is(err, ErrNotFound) {
		t.Errorf("editing a missing matter: %v", err)
	}
	_, err = s.AddMatter(ctx, MatterInput{ClientID: c, Title: "Dup", Number: "2026-0004"})
	fieldErr(t, "AddMatter with a used number", err, "number", "Matter number 2026-0004 is already used by Roe divorce and custody")
	_ = m2
}

func TestJointClients(t *testing.T) {
	s := openTest(t, testVault(t))
	a := mustID(t)(s.AddClient(ctx, ClientInput{Name: ptr("Ann Lead")}))
	b := mustID(t)(s.AddClient(ctx, ClientInput{Name: ptr("Bob Joint")}))
	c := mustID(t)(s.AddClient(ctx, ClientInput{Name: ptr("Cy Third")}))
	m := mustID(t)(s.AddMatter(ctx, MatterInput{ClientID: a, ClientIDs: []int64{b}, Title: "Joint purchase"}))
	ids := func() []int64 {
		d, err := s.GetMatter(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, mc := range d.Clients {
			out = append(out, mc.ID)
		}
		if out[0] != d.ClientID {
			t.Errorf("the lead %d is not first in %v", d.ClientID, out)
		}
		return out
	}
	if got := ids(); !slices.Equal(got, []int64{a, b}) {
		t.Errorf("clients = %v", got)
	}
	if e := lastAudit(t, s); e.Action != "matter.view" || e.Records != fmt.Sprintf("matter:%d client:%d client:%d", m, a, b) {
		t.Errorf("a joint matter's view names %q, want both clients", e.Records)
	}
	for _, id := range []int64{a, b} {
		ms, err := s.ListMatters(ctx, id, "")
		if err != nil || len(ms) != 1 || ms[0].ID != m {
			t.Errorf("ListMatters(%d) = %v, %v", id, ms, err)
		}
	}
	if err := s.AddMatterClient(ctx, m, c); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "matter.client.add" || e.Records != ref("matter", m)+" "+ref("client", c) {
		t.Errorf("matter.client.add entry = %+v", e)
	}
	fieldErr(t, "adding a client twice", s.AddMatterClient(ctx, m, c), "client", "Cy Third is already a client of this matter")
	if err := s.AddMatterClient(ctx, m, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("adding a missing client: %v", err)
	}
	if err := s.DeleteClient(ctx, b); !errors.Is(err, store.ErrHasMatters) {
		t.Errorf("deleting a joint client: %v", err)
	}
	// Removing the lead makes the next the lead.
	if err := s.RemoveMatterClient(ctx, m, a); err != nil {
		t.Fatal(err)
	}
	if got := ids(); !slices.Equal(got, []int64{b, c}) {
		t.Errorf("after removing the lead: %v", got)
	}
	if ms, _ := s.ListMatters(ctx, a, ""); len(ms) != 0 {
		t.Errorf("the removed client still lists the matter: %v", ms)
	}
	if err := s.RemoveMatterClient(ctx, m, a); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing a client who is not one: %v", err)
	}
	if err := s.RemoveMatterClient(ctx, m, c); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, "removing the only client", s.RemoveMatterClient(ctx, m, b), "client", "Bob Joint is the matter's only client")
	if got := ids(); !slices.Equal(got, []int64{b}) {
		t.Errorf("after refusing: %v", got)
	}
	if err := s.DeleteClient(ctx, a); err != nil {
		t.Errorf("deleting a client no longer on any matter: %v", err)
	}
}

func TestConflictIndexParties(t *testing.T) {
	s := openTest(t, testVault(t))
	a := mustID(t)(s.AddClient(ctx, ClientInput{Name: ptr("Ann Lead")}))
	b := mustID(t)(s.AddClient(ctx, ClientInput{Name: ptr("Bartholomew Jointly")}))
	m := mustID(t)(s.AddMatter(ctx, MatterInput{ClientID: a, ClientIDs: []int64{b}, Title: "Joint purchase", Parties: []PartyInput{
		{Role: "witness", Name: "Wendeline Oakhurst", FormerNames: []string{"Wendeline Brackwater"}},
		{Role: "co-counsel", Name: "Corwin Ashdown", Aliases: []string{"Corky Ashdown"}},
	}}))
	for q, want := range map[string]struct{ role, kind, party string }{
		"Wendeline Brackwater": {"witness", "former", "Wendeline Oakhurst"},
		"Corky Ashdown":        {"co_counsel", "alias", "Corwin Ashdown"},
		"Corwin Ashdown":       {"co_counsel", "", ""},
	} {
		res, err := s.CheckConflicts(ctx, []string{q})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Role != want.role || res.Hits[0].NameKind != want.kind || res.Hits[0].PartyName != want.party ||
			res.Hits[0].MatterID != m || res.Hits[0].PartyID == 0 {
			t.Errorf("CheckConflicts(%q) = %+v, want role %s, kind %q", q, res.Hits, want.role, want.kind)
		}
	}
	res, err := s.CheckConflicts(ctx, []string{"Bartholomew Jointly"})
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, h := range res.Hits {
		roles = append(roles, h.Role)
		if h.Role == "joint_client" && (h.MatterID != m || h.ClientID != b) {
			t.Errorf("joint client hit = %+v", h)
		}
	}
	if slices.Sort(roles); !slices.Equal(roles, []string{"client", "joint_client"}) {
		t.Errorf("joint client's hits: %v", roles)
	}
	// A new party and a new client do not match themselves.
	p := mustID(t)(s.AddParty(ctx, m, PartyInput{Role: "adverse", Name: "Zebedee Quarrington", Aliases: []string{"Zeb Quarrington"}}))
	res, err = s.CheckConflictsFor(ctx, []string{"Zebedee Quarrington", "Zeb Quarrington"}, CheckFor{Context: ref("party", p) + " " + ref("matter", m), ExcludeParties: []int64{p}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 0 {
		t.Errorf("a new party matches itself: %+v", res.Hits)
	}
	var context string
	var count int
	s.st.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT context, hit_count FROM conflict_checks WHERE id = ?", res.CheckID).Scan(&context, &count)
	})
	if context != ref("party", p)+" "+ref("matter", m) || count != 0 {
		t.Errorf("recorded context %q, %d hits", context, count)
	}
	res, err = s.CheckConflictsFor(ctx, []string{"Bartholomew Jointly"}, CheckFor{Context: ref("client", b), ExcludeClient: b})
	if err != nil || len(res.Hits) != 0 {
		t.Errorf("a new client matches itself: %+v, %v", res, err)
	}
	// The same names without the exclusion match (else the test proves nothing).
	if res, err := s.CheckConflicts(ctx, []string{"Zeb Quarrington"}); err != nil || len(res.Hits) == 0 {
		t.Errorf("the new party is not in the index: %+v, %v", res, err)
	}
	// Edits and removals reach the index at once.
	if err := s.EditParty(ctx, p, PartyInput{Role: "witness", Name: "Zebedee Quarrington", FormerNames: []string{"Zeb Quarrington"}}); err != nil {
		t.Fatal(err)
	}
	if res, err := s.CheckConflicts(ctx, []string{"Zeb Quarrington"}); err != nil || len(res.Hits) != 1 || res.Hits[0].Role != "witness" || res.Hits[0].NameKind != "former" {
		t.Errorf("after the edit: %+v, %v", res, err)
	}
	e := MatterEdit{Title: "Joint purchase of Blackacre", Status: "open", OpenedOn: dateOn(time.Now())}
	if err := s.EditMatter(ctx, m, e); err != nil {
		t.Fatal(err)
	}
	if res, err := s.CheckConflicts(ctx, []string{"Zeb Quarrington"}); err != nil || len(res.Hits) != 1 || res.Hits[0].MatterTitle != e.Title {
		t.Errorf("after the matter's edit: %+v, %v", res, err)
	}
	if err := s.RemoveMatterClient(ctx, m, b); err != nil {
		t.Fatal(err)
	}
	if res, err := s.CheckConflicts(ctx, []string{"Bartholomew Jointly"}); err != nil || len(res.Hits) != 1 {
		t.Errorf("after the joint client left: %+v, %v", res, err)
	}
	// Excluding a party of another matter would hide a real conflict.
	other := mustID(t)(s.AddMatter(ctx, MatterInput{ClientID: a, Title: "Other"}))
	_, err = s.CheckConflictsFor(ctx, []string{"Zeb"}, CheckFor{Context: ref("party", p) + " " + ref("matter", other), ExcludeParties: []int64{p}})
	fieldErr(t, "excluding a party of another matter", err, "context", "is not a party of matter")
	_, err = s.CheckConflictsFor(ctx, []string{"Zeb"}, CheckFor{ExcludeParties: []int64{9999}})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("excluding a missing party: %v", err)
	}
	_, err = s.CheckConflictsFor(ctx, []string{"Zeb"}, CheckFor{Context: "matter:1; DROP"})
	fieldErr(t, "a bad context", err, "context", "does not name records")
}

func TestDisplayName(t *testing.T) {
	dir := scratchDir(t) + "/v"
	if _, err := Init(ctx, dir, []byte(testPass), InitOptions{KDF: testKDF, Owner: "jroe", DisplayName: "Jane Roe, Esq."}); err != nil {
		t.Fatal(err)
	}
	if err := ConfirmInit(dir); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir, Passphrase([]byte(testPass)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if s.Actor() != "jroe" || s.DisplayName() != "Jane Roe, Esq." || s.User().DisplayName != "Jane Roe, Esq." {
		t.Errorf("actor %q, display name %q", s.Actor(), s.DisplayName())
	}
	c := mustID(t)(s.AddClient(ctx, ClientInput{Name: ptr("Client")}))
	m := mustID(t)(s.AddMatter(ctx, MatterInput{ClientID: c, Title: "Matter"}))
	mustID(t)(s.AddNote(ctx, m, "signed"))
	if e := lastAudit(t, s); e.Actor != "jroe" {
		t.Errorf("the owner's audit actor is %q, want their user name", e.Actor)
	}
	if err := s.SetDisplayName(ctx, "J. Roe"); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "user.display_name" || !strings.Contains(e.Detail, `"J. Roe"`) {
		t.Errorf("user.display_name entry = %+v", e)
	}
	mustID(t)(s.AddNote(ctx, m, "signed again"))
	d, _ := s.GetMatter(ctx, m)
	if len(d.Notes) != 2 || d.Notes[0].Author != "Jane Roe, Esq." || d.Notes[1].Author != "J. Roe" {
		t.Errorf("notes signed %+v", d.Notes)
	}
	fieldErr(t, "an escape code", s.SetDisplayName(ctx, "J\x1b]0;x\x07"), "display-name", "contains")
	fieldErr(t, "too long", s.SetDisplayName(ctx, strings.Repeat("J", MaxDisplayName+1)), "display-name", "too long")
	if err := s.SetDisplayName(ctx, ""); err != nil || s.DisplayName() != "jroe" {
		t.Errorf("cleared display name: %q, %v", s.DisplayName(), err)
	}
	if _, err := Init(ctx, scratchDir(t)+"/w", []byte(testPass), InitOptions{KDF: testKDF, DisplayName: "bad\x00"}); err == nil {
		t.Error("Init took a display name with a NUL")
	}
}

// TestOwnerOldActorCounts: entries the owner wrote as "owner (login)"
// before count in the owner's activity report, under their user name.
func TestOwnerOldActorCounts(t *testing.T) {
	s := openTest(t, testVault(t))
	s.actor = "owner (jdoe)" // as sessions named the owner before
	if _, err := s.ListClients(ctx, ByName); err != nil {
		t.Fatal(err)
	}
	s.actor = "tester"
	owner := ""
	s.st.View(ctx, func(tx *store.Tx) error {
		o, err := tx.OwnerUser()
		if err == nil {
			owner = o.Name
		}
		return err
	})
	rep, err := s.ActivityReport(ctx, owner, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rep.Rows {
		found = found || r.Action == "client.list"
	}
	if !found {
		t.Errorf("the owner's report (%s) lacks the old 'owner (jdoe)' entry: %+v", owner, rep.Rows)
	}
}
