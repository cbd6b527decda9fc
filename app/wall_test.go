package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"casevault/app/access"
	"casevault/store"
)

// The wall test: a walled matter and a restricted client hold a canary in
// every field a person can type; users outside try every path the app has
// to read them and find the canary nowhere, while the conflict check still
// says that a match exists where they cannot look. The owner and a user
// inside see it. Moving a matter into and out of a class is audited.

const canary = "Qzvkanary"

// wallVault is the vault of the wall test. A vault has one session at a
// time: each person's session is opened for what they do, then closed.
type wallVault struct {
	dir                  string
	owner                *Session // open while the owner sets up
	plain, general       int64    // a general client with nothing secret; the client of the walled matter
	walled, walledPlain  int64    // the walled matter; a general matter of the same client
	restricted, restrMat int64    // the restricted client and its matter
	walledParty          int64    // a witness of the walled matter, with other names
	passes               map[string][]byte
	ownerCheck           int64 // the owner's conflict check naming the walled and restricted records
}

// addUser adds a user with a role (as the owner, whose session must be
// open) and returns their one-time passphrase.
func (w *wallVault) addUser(t *testing.T, name, role string) string {
	t.Helper()
	one, err := w.owner.AddUser(ctx, name, role, AddUserOptions{KDF: &testKDF})
	if err != nil {
		t.Fatalf("AddUser %s: %v", name, err)
	}
	return one
}

// firstUnlock has a user unlock with their one-time passphrase and choose
// their own.
func (w *wallVault) firstUnlock(t *testing.T, name, role, one string) {
	t.Helper()
	s, err := Open(ctx, w.dir, Passphrase([]byte(one)).ForUser(name), Options{})
	if err != nil {
		t.Fatalf("Open as %s: %v", name, err)
	}
	defer s.Close(ctx)
	if _, err := s.ListClients(ctx, ByName); !errors.Is(err, ErrMustChangePassphrase) {
		t.Errorf("%s with the one-time passphrase lists clients: %v", name, err)
	}
	pass := []byte(fmt.Sprintf("copper kettle winter orchard %d", len(w.passes)+1))
	if err := s.ChangeOwnPassphrase(ctx, pass, nil); err != nil {
		t.Fatalf("%s chooses a passphrase: %v", name, err)
	}
	w.passes[name] = pass
	if u := s.User(); u.Name != name || u.Owner || u.Role != role {
		t.Fatalf("%s's session is %+v", name, u)
	}
}

// as runs fn in a session of name ("" = the owner), closed after.
func (w *wallVault) as(t *testing.T, name string, fn func(s *Session)) {
	t.Helper()
	cred, opts := Passphrase([]byte(testPass)), Options{Actor: "tester"}
	if name != "" {
		cred, opts = Passphrase(w.passes[name]).ForUser(name), Options{}
	}
	s, err := Open(ctx, w.dir, cred, opts)
	if err != nil {
		t.Fatalf("Open as %q: %v", name, err)
	}
	defer func() {
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close as %q: %v", name, err)
		}
	}()
	fn(s)
}

func newWallVault(t *testing.T) *wallVault {
	t.Helper()
	dir, _ := newTestVault(t)
	o, err := Open(ctx, dir, Passphrase([]byte(testPass)), Options{Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	w := &wallVault{dir: dir, owner: o, passes: map[string][]byte{}}
	must := func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.plain = must(o.AddClient(ctx, ClientInput{Name: ptr("Plain Pebblestone"), Notes: ptr("nothing secret")}))
	w.general = must(o.AddClient(ctx, ClientInput{Name: ptr("Garnet Holloway"), Email: ptr("garnet@example.com")}))
	w.walledPlain = must(o.AddMatter(ctx, MatterInput{ClientID: w.general, Title: "Holloway lease renewal", Adverse: []string{"Landlord Brisket"}}))
	w.walled = must(o.AddMatter(ctx, MatterInput{ClientID: w.general, Title: canary + " acquisition of Vornholt Mills",
		PracticeArea: "business", Adverse: []string{"Thaddeus Vornholt", canary + " Holdings"}, Related: []string{canary + " Junior"},
		OpposingCounsel: []string{"Esq. " + canary}}))
	must(o.AddNote(ctx, w.walled, "privileged "+canary+" strategy: offer 4.2M"))
	w.walledParty = must(o.AddParty(ctx, w.walled, PartyInput{Role: "witness", Name: "Wilhelmina " + canary, Kind: "person",
		Organisation: canary + " Mills Ltd", Note: canary + " saw the signing", Aliases: []string{canary + " W."},
		FormerNames: []string{"Wilhelmina Brackwater"}}))
	w.restricted = must(o.AddClient(ctx, ClientInput{Name: ptr(canary + " Estate"), Aliases: &[]string{"The " + canary + " Trust"},
		Email: ptr(strings.ToLower(canary) + "@example.com"), Phone: ptr("+1 555 0199"), Address: ptr("1 " + canary + " Lane"),
		Notes: ptr("restricted " + canary + " notes")}))
	w.restrMat = must(o.AddMatter(ctx, MatterInput{ClientID: w.restricted, Title: canary + " probate", Adverse: []string{"Mirabel Quoddy"}}))
	must(o.AddNote(ctx, w.restrMat, canary+" will is contested"))
	// The owner's conflict check names the walled matter, the restricted
	// client's matter and a general client: its history must show those
	// hits to outsiders as restricted rows only.
	res, err := o.CheckConflicts(ctx, []string{"Thaddeus Vornholt", "Mirabel Quoddy", "Garnet Holloway"})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.DecideConflict(ctx, res.CheckID, "waived", "consent in the "+canary+" file"); err != nil {
		t.Fatal(err)
	}
	w.ownerCheck = res.CheckID
	return w
}

// noCanary fails when the canary is in what (any case).
func noCanary(t *testing.T, who, path string, what any) {
	t.Helper()
	var s string
	switch v := what.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s %s: %v", who, path, err)
		}
		s = string(b)
	}
	if strings.Contains(strings.ToLower(s), strings.ToLower(canary)) {
		i := strings.Index(strings.ToLower(s), strings.ToLower(canary))
		t.Errorf("%s sees the canary through %s: …%s…", who, path, s[max(0, i-80):min(len(s), i+80)])
	}
}

func hasCanary(s any) bool {
	b, _ := json.Marshal(s)
	return strings.Contains(strings.ToLower(string(b)), strings.ToLower(canary))
}

// outsiderPaths tries every read path as s (a user who must not see the
// walled matter nor the restricted client) and fails on the canary.
func (w *wallVault) outsiderPaths(t *testing.T, s *Session) {
	t.Helper()
	who := s.User().Name + " (" + s.User().Role + ")"
	can := func(v access.Verb) bool { return s.CanDo(v) }
	check := func(path string, v any, err error) {
		t.Helper()
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrDenied) {
			t.Errorf("%s %s: %v", who, path, err)
		}
		noCanary(t, who, path, v)
		if err != nil {
			noCanary(t, who, path+" (error)", err.Error())
		}
	}
	// Lists, shows.
	l, err := s.ListClients(ctx, ByName)
	check("ListClients", l, err)
	if err == nil && len(l) != 2 {
		t.Errorf("%s lists %d clients, want the 2 general ones", who, len(l))
	}
	l, err = s.ListClientSummaries(ctx, ByName)
	check("ListClientSummaries", l, err)
	for _, id := range []int64{w.plain, w.general, w.restricted} {
		d, err := s.GetClient(ctx, id)
		check(fmt.Sprintf("GetClient(%d)", id), d, err)
		if id == w.restricted && !errors.Is(err, ErrNotFound) {
			t.Errorf("%s opens the restricted client: %v", who, err)
		}
	}
	ms, err := s.ListMatters(ctx, 0, "")
	check("ListMatters(all)", ms, err)
	ms, err = s.ListMatters(ctx, w.general, "")
	check("ListMatters(general client)", ms, err)
	if can(access.ListMatters) && len(ms) != 1 {
		t.Errorf("%s sees %d matters of the general client, want 1 (the walled one hidden)", who, len(ms))
	}
	ms, err = s.ListMatters(ctx, w.restricted, "")
	check("ListMatters(restricted client)", ms, err)
	for _, id := range []int64{w.walledPlain, w.walled, w.restrMat} {
		d, err := s.GetMatter(ctx, id)
		check(fmt.Sprintf("GetMatter(%d)", id), d, err)
		if id != w.walledPlain && !errors.Is(err, ErrNotFound) {
			t.Errorf("%s opens hidden matter %d: %v", who, id, err)
		}
		si, err := s.SecurityClass(ctx, "matter", id)
		check(fmt.Sprintf("SecurityClass(matter %d)", id), si, err)
		if id != w.walledPlain && !errors.Is(err, ErrNotFound) {
			t.Errorf("%s reads the class of hidden matter %d: %+v, %v", who, id, si, err)
		}
	}
	si, err := s.SecurityClass(ctx, "client", w.restricted)
	check("SecurityClass(restricted client)", si, err)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("%s reads the class of the restricted client: %+v, %v", who, si, err)
	}
	// Writes by id do not reach a hidden record either (and their errors
	// say nothing of it).
	_, err = s.AddNote(ctx, w.walled, "a note into the wall")
	check("AddNote(walled)", nil, err)
	if can(access.AddNote) && !errors.Is(err, ErrNotFound) {
		t.Errorf("%s adds a note to the walled matter: %v", who, err)
	}
	err = s.EditClient(ctx, w.restricted, ClientInput{Phone: ptr("+1 555 0111")})
	check("EditClient(restricted)", nil, err)
	if can(access.EditClient) && !errors.Is(err, ErrNotFound) {
		t.Errorf("%s edits the restricted client: %v", who, err)
	}
	// Parties and matter edits by id: the walled matter's are not found.
	for what, err := range map[string]error{
		"AddParty":                   func() error { _, err := s.AddParty(ctx, w.walled, PartyInput{Role: "adverse", Name: "x"}); return err }(),
		"EditParty":                  s.EditParty(ctx, w.walledParty, PartyInput{Role: "adverse", Name: "x"}),
		"RemoveParty":                s.RemoveParty(ctx, w.walledParty),
		"EditMatter":                 s.EditMatter(ctx, w.walled, MatterEdit{Title: "x", Status: "open", OpenedOn: "2026-01-01"}),
		"AddMatterClient":            s.AddMatterClient(ctx, w.walled, w.plain),
		"AddMatterClient restricted": s.AddMatterClient(ctx, w.walledPlain, w.restricted),
		"CheckConflictsFor walled party": func() error {
			_, err := s.CheckConflictsFor(ctx, []string{"x"}, CheckFor{ExcludeParties: []int64{w.walledParty}})
			return err
		}(),
	} {
		check(what+"(walled)", nil, err)
		if err == nil || !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrDenied) {
			t.Errorf("%s %s on a hidden record: %v", who, what, err)
		}
	}
	// Search, as a whole query and as it is typed; none of the queries is
	// the canary itself (a person's own query is no leak).
	for _, q := range []string{"Qzvk", "Vornholt", "Holdings", "acquisition", "probate", "Estate", "Trust", "Lane", "contested", "strategy", "Quoddy",
		"Wilhelmina", "Brackwater", "Mills", "signing"} {
		hits, err := s.Search(ctx, q, 50)
		check("Search "+q, hits, err)
		for i := 1; i <= len(q); i++ {
			hits, err := s.SearchAsYouType(ctx, q[:i], 50)
			check("SearchAsYouType "+q[:i], hits, err)
		}
		if err := s.SettleSearch(ctx); err != nil {
			t.Errorf("%s SettleSearch: %v", who, err)
		}
	}
	// Conflict check: a party of the walled matter, and a name of the
	// restricted client's matter: a match exists, without names.
	var ownCheck int64
	if can(access.CheckConflict) {
		for _, q := range []string{"Thaddeus Vornholt", "Mirabel Quoddy", "Wilhelmina Brackwater"} {
			res, err := s.CheckConflicts(ctx, []string{q})
			check("CheckConflicts "+q, res, err)
			ownCheck = res.CheckID
			hidden := 0
			for _, h := range res.Hits {
				if h.Hidden {
					hidden++
					if h.Name != "" || h.ClientName != "" || h.MatterTitle != "" || h.ClientID != 0 || h.MatterID != 0 {
						t.Errorf("%s: a hidden conflict hit tells %+v", who, h)
					}
				}
			}
			if hidden == 0 {
				t.Errorf("%s: the conflict check for %q does not say a restricted match exists: %+v", who, q, res.Hits)
			}
		}
	}
	// The conflict check history: the owner's check, whose hits name the
	// hidden records, is not the outsider's to list, open or print (its
	// names and note would tell what is behind the wall); their own check
	// lists, opens and prints with its hidden hits as one restricted row
	// per name.
	if can(access.ViewConflicts) {
		sums, _, err := s.ListConflictChecks(ctx, ConflictFilter{})
		check("ListConflictChecks", sums, err)
		for _, c := range sums {
			if c.ID == w.ownerCheck {
				t.Errorf("%s lists the owner's conflict check naming hidden records", who)
			}
		}
		_, err = s.GetConflictCheck(ctx, w.ownerCheck)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s opens the owner's conflict check naming hidden records: %v", who, err)
		}
		check("GetConflictCheck(owner's)", nil, err)
		_, err = s.ConflictReport(ctx, w.ownerCheck)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s prints the owner's conflict check naming hidden records: %v", who, err)
		}
		if ownCheck == 0 {
			t.Fatalf("%s ran no conflict check", who)
		}
		d, err := s.GetConflictCheck(ctx, ownCheck)
		if err != nil {
			t.Fatalf("%s GetConflictCheck(own): %v", who, err)
		}
		check("GetConflictCheck(own)", d, nil)
		if d.HitCount != len(d.Hits) || len(d.Hits) == 0 || !d.Hits[0].Hidden || d.Hits[0].Why != RestrictedConflict {
			t.Errorf("%s's own check shows %+v", who, d.Hits)
		}
		rep, err := s.ConflictReport(ctx, ownCheck)
		if err != nil {
			t.Fatalf("%s ConflictReport: %v", who, err)
		}
		var html, text strings.Builder
		if err := rep.WriteHTML(&html); err != nil {
			t.Error(err)
		}
		if err := rep.WriteText(&text); err != nil {
			t.Error(err)
		}
		noCanary(t, who, "ConflictReport HTML", html.String())
		noCanary(t, who, "ConflictReport text", text.String())
		if !strings.Contains(html.String(), RestrictedConflict) || !strings.Contains(text.String(), RestrictedConflict) {
			t.Errorf("%s's report does not say a restricted match exists:\n%s", who, text.String())
		}
	}
	// Status counts only what the user sees.
	st, err := s.Status(ctx)
	check("Status", st, err)
	if err == nil && (st.Counts.Clients != 2 || st.Counts.Matters != 1 || st.Counts.Notes != 0) {
		t.Errorf("%s's status counts %+v, want 2 clients, 1 matter, 0 notes", who, st.Counts)
	}
	// The audit trail, its CSV, the reports.
	as, err := s.AuditList(ctx, store.AuditFilter{})
	check("AuditList", as, err)
	for _, f := range []store.AuditFilter{{ClientID: w.restricted}, {MatterID: w.walled}, {ClientID: w.general}, {Actor: "ida"}} {
		as, err := s.AuditList(ctx, f)
		check(fmt.Sprintf("AuditList(%+v)", f), as, err)
		if err == nil && f.MatterID == w.walled && len(as) > 0 {
			t.Errorf("%s lists %d entries of the walled matter", who, len(as))
		}
	}
	var csv strings.Builder
	_, err = s.ExportAuditCSV(ctx, store.AuditFilter{}, &csv)
	check("ExportAuditCSV", csv.String(), err)
	for _, id := range []int64{w.general, w.restricted} {
		rep, err := s.AccessReport(ctx, id, zeroTime, zeroTime)
		check(fmt.Sprintf("AccessReport(%d)", id), rep, err)
		if err == nil {
			w.writeReport(t, s, who, fmt.Sprintf("AccessReport(%d)", id), rep)
		}
	}
	for _, u := range []string{"ida", OwnerActor(), s.User().Name} {
		rep, err := s.ActivityReport(ctx, u, zeroTime, zeroTime)
		check("ActivityReport "+u, rep, err)
		if err == nil {
			w.writeReport(t, s, who, "ActivityReport "+u, rep)
		}
	}
	// The vault's check, a backup and its drill.
	if can(access.CheckVault) {
		rep, err := s.Check(ctx, nil)
		check("Check", rep, err)
	}
	if can(access.Backup) {
		repo := filepath.Join(t.TempDir(), "repo")
		rep, err := s.Backup(ctx, repo, BackupOptions{})
		check("Backup", rep, err)
		b, err := s.OpenBackups(ctx, repo)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		snaps, _, err := b.Snapshots(ctx)
		check("Snapshots", snaps, err)
		dr, err := b.Drill(ctx, DrillOptions{Session: s, ScratchDir: scratchDir(t)})
		check("Drill", dr, err)
		drills, err := b.Drills(ctx)
		check("Drills", drills, err)
	}
	if can(access.ListUsers) {
		us, err := s.ListUsers(ctx)
		check("ListUsers", us, err)
	}
	noCanary(t, who, "Notices", s.Notices())
}

func (w *wallVault) writeReport(t *testing.T, s *Session, who, what string, rep Report) {
	t.Helper()
	for _, f := range []func(*strings.Builder) error{
		func(b *strings.Builder) error { return rep.WriteHTML(b) },
		func(b *strings.Builder) error { return rep.WriteCSV(b) },
	} {
		var b strings.Builder
		if err := f(&b); err != nil {
			t.Errorf("%s %s: %v", who, what, err)
		}
		noCanary(t, who, what+" written", b.String())
	}
	if s.CanDo(access.ExportReport) {
		var b strings.Builder
		if err := s.SaveReport(ctx, rep, "HTML", &b); err != nil {
			t.Errorf("%s SaveReport %s: %v", who, what, err)
		}
		noCanary(t, who, what+" saved", b.String())
	}
}

func TestWall(t *testing.T) {
	w := newWallVault(t)
	o := w.owner
	ones := map[string]string{}
	roles := map[string]string{
		"olga": access.AttorneyRole,  // walled off, and outside the restricted client
		"pat":  access.ParalegalRole, // the same, fewer rights
		"ida":  access.AttorneyRole,  // inside both
	}
	for _, name := range []string{"olga", "pat", "ida"} {
		ones[name] = w.addUser(t, name, roles[name])
	}
	// Into the wall and the restricted class: audited.
	before := lastAudit(t, o).ID
	if err := o.SetSecurityClass(ctx, "matter", w.walled, ClassWalled, []string{"olga", "pat"}); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, o); e.ID != before+1 || e.Records != ref("matter", w.walled) || !strings.Contains(e.Detail, "walled") {
		t.Errorf("the wall's audit entry: %+v", e)
	}
	if err := o.SetSecurityClass(ctx, "client", w.restricted, ClassRestricted, []string{"ida"}); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, o); e.Records != ref("client", w.restricted) || !strings.Contains(e.Detail, "restricted") {
		t.Errorf("the restriction's audit entry: %+v", e)
	}
	if si, err := o.SecurityClass(ctx, "matter", w.walled); err != nil || si.Class != ClassWalled || strings.Join(si.Users, ",") != "olga,pat" {
		t.Errorf("the owner reads the wall as %+v, %v", si, err)
	}
	if err := o.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"olga", "pat", "ida"} {
		w.firstUnlock(t, name, roles[name], ones[name])
	}
	// The owner and ida read and write a little, so the trail holds the
	// canary's records under several names.
	for _, name := range []string{"", "ida"} {
		w.as(t, name, func(s *Session) {
			if _, err := s.GetMatter(ctx, w.walled); err != nil {
				t.Fatalf("%s opens the walled matter: %v", s.User().Name, err)
			}
			if _, err := s.GetClient(ctx, w.restricted); err != nil {
				t.Fatalf("%s opens the restricted client: %v", s.User().Name, err)
			}
			if _, err := s.AddNote(ctx, w.walled, canary+" note by "+s.User().Name); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Search(ctx, canary, 20); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CheckConflicts(ctx, []string{canary + " Holdings"}); err != nil {
				t.Fatal(err)
			}
		})
	}

	w.as(t, "olga", func(s *Session) { w.outsiderPaths(t, s) })
	w.as(t, "pat", func(s *Session) { w.outsiderPaths(t, s) })

	// Inside: the owner and ida see the canary where it is.
	for _, name := range []string{"", "ida"} {
		w.as(t, name, func(s *Session) {
			who := s.User().Name
			d, err := s.GetMatter(ctx, w.walled)
			if err != nil || !hasCanary(d) || len(d.Notes) == 0 {
				t.Errorf("%s: the walled matter %v (%v)", who, d, err)
			}
			c, err := s.GetClient(ctx, w.restricted)
			if err != nil || !hasCanary(c) {
				t.Errorf("%s: the restricted client: %v", who, err)
			}
			hits, err := s.Search(ctx, "Qzvk", 50)
			if err != nil || !hasCanary(hits) {
				t.Errorf("%s: search finds %d hits (%v)", who, len(hits), err)
			}
			res, err := s.CheckConflicts(ctx, []string{"Thaddeus Vornholt"})
			if err != nil || !hasCanary(res) {
				t.Errorf("%s: the conflict check names no matter: %+v (%v)", who, res, err)
			}
			st, err := s.Status(ctx)
			if err != nil || st.Counts.Clients != 3 || st.Counts.Matters != 3 {
				t.Errorf("%s: status %+v (%v)", who, st, err)
			}
			as, err := s.AuditList(ctx, store.AuditFilter{MatterID: w.walled})
			if err != nil || len(as) == 0 {
				t.Errorf("%s: %d audit entries of the walled matter (%v)", who, len(as), err)
			}
			// A user cannot move a record out of a class: users:edit is the owner's.
			if name == "ida" {
				if err := s.SetSecurityClass(ctx, "client", w.restricted, ClassGeneral, nil); !errors.Is(err, ErrDenied) {
					t.Errorf("ida opens the restricted client to all: %v", err)
				}
			}
		})
	}

	// Out of the wall again: audited; olga sees it now.
	w.as(t, "", func(o *Session) {
		before = lastAudit(t, o).ID
		if err := o.SetSecurityClass(ctx, "matter", w.walled, ClassGeneral, nil); err != nil {
			t.Fatal(err)
		}
		if e := lastAudit(t, o); e.ID != before+1 || e.Records != ref("matter", w.walled) || !strings.Contains(e.Detail, "general") {
			t.Errorf("the wall's removal's audit entry: %+v", e)
		}
	})
	w.as(t, "olga", func(s *Session) {
		if d, err := s.GetMatter(ctx, w.walled); err != nil || !hasCanary(d) {
			t.Errorf("olga after the wall came down: %v", err)
		}
		if _, err := s.GetClient(ctx, w.restricted); !errors.Is(err, ErrNotFound) {
			t.Errorf("olga opens the still restricted client: %v", err)
		}
	})
}
