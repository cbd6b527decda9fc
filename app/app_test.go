package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

func TestInitRecordsCreation(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(scratchDir(t), "vault")
	rk, err := Init(ctx, dir, []byte(testPass), InitOptions{KDF: testKDF, Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	if vault.Exists(dir) {
		t.Fatal("a vault before its recovery key was confirmed")
	}
	if err := ConfirmInit(dir); err != nil {
		t.Fatal(err)
	}
	if !vault.Exists(dir) {
		t.Fatal("no vault after Init and ConfirmInit")
	}
	if len(strings.Split(string(rk), "-")) != 9 {
		t.Errorf("recovery key %q is not 9 groups", rk)
	}
	s := openTest(t, dir)
	var all []*store.AuditEntry
	s.st.View(ctx, func(tx *store.Tx) error { all, _ = tx.ListAudit(store.AuditFilter{}); return nil })
	if len(all) < 2 || all[0].Action != "vault.init" || all[1].Action != "unlock" || all[0].Actor != "tester" {
		t.Fatalf("audit trail after init+open: %+v", all)
	}
	if !strings.Contains(all[1].Detail, "passphrase") {
		t.Errorf("unlock detail %q does not say how", all[1].Detail)
	}
	if s.Dir() != dir || s.Actor() != "tester" || s.KDF() != testKDF {
		t.Errorf("Dir/Actor/KDF = %q %q %v", s.Dir(), s.Actor(), s.KDF())
	}
	// Init over an existing vault is refused.
	if _, err := Init(ctx, dir, []byte(testPass), InitOptions{KDF: testKDF}); !errors.Is(err, vault.ErrExists) {
		t.Fatalf("Init over a vault: %v, want ErrExists", err)
	}
}

func TestClientHappyPath(t *testing.T) {
	t.Parallel()
	s, dir, _ := testSession(t)
	in := ClientInput{
		Name: ptr("  Maria Gonzalez "), Aliases: &[]string{"Maria G.", "Mia"}, Email: ptr("maria@example.com"),
		Phone: ptr("+1 (555) 010-2020"), DOB: ptr("1980-04-23"), Address: ptr("1 Main St"), Notes: ptr("prefers e-mail"),
	}
	before := auditCount(t, s)
	id, err := s.AddClient(ctx, in)
	if err != nil || id <= 0 {
		t.Fatalf("AddClient: %d %v", id, err)
	}
	if got := auditCount(t, s); got != before+1 {
		t.Errorf("AddClient appended %d audit entries, want 1", got-before)
	}
	if e := lastAudit(t, s); e.Action != "client.add" || e.Records != ref("client", id) {
		t.Errorf("audit entry %+v", e)
	}
	d, err := s.GetClient(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Client{ID: id, Name: "Maria Gonzalez", Aliases: []string{"Maria G.", "Mia"}, Email: "maria@example.com",
		Phone: "+1 (555) 010-2020", DOB: "1980-04-23", Address: "1 Main St", Notes: "prefers e-mail", SecurityClass: "general"}
	got := *d.Client
	got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetClient:\n got %+v\nwant %+v", got, want)
	}
	if len(d.Matters) != 0 {
		t.Errorf("new client has matters: %v", d.Matters)
	}
	if e := lastAudit(t, s); e.Action != "client.view" || e.Records != ref("client", id) {
		t.Errorf("GetClient audit entry %+v", e)
	}

	id2, err := s.AddClient(ctx, ClientInput{Name: ptr("Aaron Abel")})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListClients(ctx, store.ByName)
	if err != nil || len(list) != 2 || list[0].ID != id2 || list[1].ID != id {
		t.Fatalf("ListClients by name: %v %v", list, err)
	}
	if e := lastAudit(t, s); e.Action != "client.list" {
		t.Errorf("ListClients audit entry %+v", e)
	}
	list, err = s.ListClients(ctx, store.ByUpdated)
	if err != nil || len(list) != 2 || list[0].ID != id2 {
		t.Fatalf("ListClients by updated: %v %v", list, err)
	}
	// Summaries: the same clients, fields and order, without the notes.
	for _, order := range []store.ClientOrder{store.ByName, store.ByUpdated} {
		full, _ := s.ListClients(ctx, order)
		sum, err := s.ListClientSummaries(ctx, order)
		if err != nil || len(sum) != len(full) {
			t.Fatalf("ListClientSummaries: %v %v", sum, err)
		}
		if e := lastAudit(t, s); e.Action != "client.list" {
			t.Errorf("ListClientSummaries audit entry %+v", e)
		}
		for i := range full {
			want := *full[i]
			want.Notes = ""
			if !reflect.DeepEqual(*sum[i], want) {
				t.Errorf("summary %d:\n got %+v\nwant %+v", i, *sum[i], want)
			}
		}
		if full[len(full)-1].Notes != "prefers e-mail" && full[0].Notes != "prefers e-mail" {
			t.Errorf("ListClients lost the notes")
		}
	}

	if err := s.DeleteClient(ctx, id2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetClient(ctx, id2); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetClient after delete: %v", err)
	}
	if err := s.DeleteClient(ctx, id2); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}

	// Everything survives a lock and unlock.
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s2 := openTest(t, dir)
	d2, err := s2.GetClient(ctx, id)
	if err != nil || d2.Name != "Maria Gonzalez" || len(d2.Aliases) != 2 {
		t.Fatalf("after reopen: %+v %v", d2, err)
	}
}

func TestEditClientOneField(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	id, err := s.AddClient(ctx, ClientInput{Name: ptr("Li Wei"), Aliases: &[]string{"Wei Li"}, Email: ptr("li@example.com"),
		Phone: ptr("555 0100"), DOB: ptr("1975-01-02"), Address: ptr("2 Side St"), Notes: ptr("n")})
	if err != nil {
		t.Fatal(err)
	}
	before := snap(t, s).clients[0]
	if err := s.EditClient(ctx, id, ClientInput{Email: ptr("wei@example.org")}); err != nil {
		t.Fatal(err)
	}
	after := snap(t, s).clients[0]
	want := before
	want.Email = "wei@example.org"
	want.UpdatedAt = after.UpdatedAt
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("edit of e-mail only:\n got %+v\nwant %+v", after, want)
	}
	if e := lastAudit(t, s); e.Action != "client.edit" || e.Detail != "fields: email" || e.Records != ref("client", id) {
		t.Errorf("edit audit entry %+v", e)
	}
	// Aliases replaced, clearing a field.
	if err := s.EditClient(ctx, id, ClientInput{Aliases: &[]string{"W. Li", "Lee"}, Notes: ptr("")}); err != nil {
		t.Fatal(err)
	}
	after2 := snap(t, s).clients[0]
	if !reflect.DeepEqual(after2.Aliases, []string{"W. Li", "Lee"}) || after2.Notes != "" || after2.Email != "wei@example.org" || after2.Name != "Li Wei" {
		t.Fatalf("after alias edit: %+v", after2)
	}
	if err := s.EditClient(ctx, 999, ClientInput{Email: ptr("x@example.com")}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("edit of a missing client: %v", err)
	}
}

func TestValidationChangesNothing(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	id, err := s.AddClient(ctx, ClientInput{Name: ptr("Ok Client"), Email: ptr("ok@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	mid, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: "Lease"})
	if err != nil {
		t.Fatal(err)
	}
	future := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	cases := []struct {
		name  string
		field string
		do    func() error
	}{
		{"empty name", "name", func() error { _, err := s.AddClient(ctx, ClientInput{Name: ptr("")}); return err }},
		{"blank name", "name", func() error { _, err := s.AddClient(ctx, ClientInput{Name: ptr("   ")}); return err }},
		{"no name", "name", func() error { _, err := s.AddClient(ctx, ClientInput{Email: ptr("a@example.com")}); return err }},
		{"empty alias", "alias", func() error {
			_, err := s.AddClient(ctx, ClientInput{Name: ptr("A B"), Aliases: &[]string{"ok", " "}})
			return err
		}},
		{"bad email", "email", func() error {
			_, err := s.AddClient(ctx, ClientInput{Name: ptr("A B"), Email: ptr("not-an-email")})
			return err
		}},
		{"email without domain dot", "email", func() error {
			_, err := s.AddClient(ctx, ClientInput{Name: ptr("A B"), Email: ptr("a@localhost")})
			return err
		}},
		{"email with display name", "email", func() error {
			_, err := s.AddClient(ctx, ClientInput{Name: ptr("A B"), Email: ptr("Bob <bob@example.com>")})
			return err
		}},
		{"bad phone", "phone", func() error {
			_, err := s.AddClient(ctx, ClientInput{Name: ptr("A B"), Phone: ptr("call me")})
			return err
		}},
		{"dob format", "dob", func() error {
			_, err := s.AddClient(ctx, ClientInput{Name: ptr("A B"), DOB: ptr("23/04/1980")})
			return err
		}},
		{"dob future", "dob", func() error { _, err := s.AddClient(ctx, ClientInput{Name: ptr("A B"), DOB: ptr(future)}); return err }},
		{"dob too old", "dob", func() error {
			_, err := s.AddClient(ctx, ClientInput{Name: ptr("A B"), DOB: ptr("1066-10-14")})
			return err
		}},
		{"edit: bad email", "email", func() error { return s.EditClient(ctx, id, ClientInput{Email: ptr("nope")}) }},
		{"edit: empty name", "name", func() error { return s.EditClient(ctx, id, ClientInput{Name: ptr(" ")}) }},
		{"edit: dob future", "dob", func() error { return s.EditClient(ctx, id, ClientInput{DOB: ptr(future)}) }},
		{"edit: empty alias", "alias", func() error { return s.EditClient(ctx, id, ClientInput{Aliases: &[]string{""}}) }},
		{"matter without title", "title", func() error { _, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: "  "}); return err }},
		{"matter without client", "client", func() error { _, err := s.AddMatter(ctx, MatterInput{Title: "T"}); return err }},
		{"empty adverse party", "adverse", func() error {
			_, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: "T", Adverse: []string{""}})
			return err
		}},
		{"empty opposing counsel", "opposing-counsel", func() error {
			_, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: "T", OpposingCounsel: []string{" "}})
			return err
		}},
		{"empty note", "text", func() error { _, err := s.AddNote(ctx, mid, " \n "); return err }},
		{"no conflict names", "names", func() error { _, err := s.CheckConflicts(ctx, []string{" ", ""}); return err }},
		{"unknown decision", "decision", func() error { return s.DecideConflict(ctx, 1, "maybe", "") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := snap(t, s)
			err := c.do()
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v (%T), want a *FieldError", err, err)
			}
			if fe.Field != c.field {
				t.Errorf("field %q, want %q (%v)", fe.Field, c.field, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) is false for %v", err)
			}
			if fe.Message == "" || !strings.HasPrefix(err.Error(), c.field+": ") {
				t.Errorf("message %q", err.Error())
			}
			if after := snap(t, s); !reflect.DeepEqual(before, after) {
				t.Errorf("a refused input changed the vault:\nbefore %+v\n after %+v", before, after)
			}
		})
	}
}

func TestDeleteClientWithMattersRefused(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	id, _ := s.AddClient(ctx, ClientInput{Name: ptr("Has Matters")})
	if _, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: "Divorce"}); err != nil {
		t.Fatal(err)
	}
	before := snap(t, s)
	err := s.DeleteClient(ctx, id)
	if !errors.Is(err, store.ErrHasMatters) {
		t.Fatalf("DeleteClient of a client with matters: %v, want ErrHasMatters", err)
	}
	if after := snap(t, s); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused delete changed the vault")
	}
}

func TestMattersAndNotes(t *testing.T) {
	t.Parallel()
	s, dir, _ := testSession(t)
	c1, _ := s.AddClient(ctx, ClientInput{Name: ptr("First Client")})
	c2, _ := s.AddClient(ctx, ClientInput{Name: ptr("Second Client")})
	m1, err := s.AddMatter(ctx, MatterInput{ClientID: c1, Title: " Custody ", PracticeArea: "family",
		Adverse: []string{"Ex Spouse"}, Related: []string{"Child One", "Child Two"}, OpposingCounsel: []string{"Sharp & Co"}})
	if err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "matter.add" || e.Records != ref("matter", m1)+" "+ref("client", c1) {
		t.Errorf("matter.add audit %+v", e)
	}
	m2, err := s.AddMatter(ctx, MatterInput{ClientID: c2, Title: "Wrongful dismissal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMatter(ctx, MatterInput{ClientID: 999, Title: "Ghost"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("matter for a missing client: %v", err)
	}
	d, err := s.GetMatter(ctx, m1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Custody" || d.PracticeArea != "family" || d.Status != "open" || d.ClientName != "First Client" || d.SecurityClass != "general" || d.ClosedAt != nil {
		t.Errorf("GetMatter: %+v", d.Matter)
	}
	roles := map[string][]string{}
	for _, p := range d.Parties {
		roles[p.Role] = append(roles[p.Role], p.Name)
	}
	if !reflect.DeepEqual(roles, map[string][]string{store.RoleAdverse: {"Ex Spouse"}, store.RoleRelated: {"Child One", "Child Two"}, store.RoleOpposingCounsel: {"Sharp & Co"}}) {
		t.Errorf("parties %v", roles)
	}

	nid, err := s.AddNote(ctx, m1, "  first call with client  ")
	if err != nil || nid <= 0 {
		t.Fatalf("AddNote: %v", err)
	}
	if e := lastAudit(t, s); e.Action != "note.add" || e.Records != ref("note", nid)+" "+ref("matter", m1) {
		t.Errorf("note.add audit %+v", e)
	}
	if _, err := s.AddNote(ctx, 999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("note on a missing matter: %v", err)
	}
	d, _ = s.GetMatter(ctx, m1)
	if len(d.Notes) != 1 || d.Notes[0].Text != "first call with client" || d.Notes[0].Author != "tester" {
		t.Errorf("notes %+v", d.Notes)
	}

	all, err := s.ListMatters(ctx, 0, "")
	if err != nil || len(all) != 2 {
		t.Fatalf("ListMatters all: %v %v", all, err)
	}
	mine, _ := s.ListMatters(ctx, c2, "")
	if len(mine) != 1 || mine[0].ID != m2 {
		t.Fatalf("ListMatters client %d: %v", c2, mine)
	}
	if e := lastAudit(t, s); e.Action != "matter.list" || e.Records != ref("client", c2) {
		t.Errorf("matter.list audit %+v", e)
	}

	if err := s.CloseMatter(ctx, m1); err != nil {
		t.Fatal(err)
	}
	closed, _ := s.ListMatters(ctx, 0, "closed")
	open, _ := s.ListMatters(ctx, 0, "open")
	if len(closed) != 1 || closed[0].ID != m1 || closed[0].ClosedAt == nil || len(open) != 1 || open[0].ID != m2 {
		t.Fatalf("after close: closed %v open %v", closed, open)
	}
	if e := lastAudit(t, s); e.Action != "matter.list" {
		t.Errorf("audit %+v", e)
	}
	if err := s.ReopenMatter(ctx, m1); err != nil {
		t.Fatal(err)
	}
	d, _ = s.GetMatter(ctx, m1)
	if d.Status != "open" || d.ClosedAt != nil {
		t.Fatalf("after reopen: %+v", d.Matter)
	}
	if err := s.CloseMatter(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("close of a missing matter: %v", err)
	}
	if _, err := s.GetMatter(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetMatter of a missing matter: %v", err)
	}

	cd, _ := s.GetClient(ctx, c1)
	if len(cd.Matters) != 1 || cd.Matters[0].ID != m1 {
		t.Errorf("client's matters %v", cd.Matters)
	}

	s.Close(ctx)
	s2 := openTest(t, dir)
	d, err = s2.GetMatter(ctx, m1)
	if err != nil || len(d.Parties) != 4 || len(d.Notes) != 1 {
		t.Fatalf("after reopen: %+v %v", d, err)
	}
}

func TestSearchRanked(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	named, _ := s.AddClient(ctx, ClientInput{Name: ptr("Quentin Gorblesby")})
	other, _ := s.AddClient(ctx, ClientInput{Name: ptr("Other Person")})
	m, _ := s.AddMatter(ctx, MatterInput{ClientID: other, Title: "Estate"})
	if _, err := s.AddNote(ctx, m, "Called about the Gorblesby inheritance and the will of her aunt, at length."); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, "gorblesby", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 {
		t.Fatalf("hits %+v", hits)
	}
	if hits[0].Kind != "client" || hits[0].ClientID != named || hits[1].Kind != "note" || hits[1].MatterID != m || hits[1].ClientID != other {
		t.Fatalf("ranking: a name match must come before a note-only match: %+v", hits)
	}
	if e := lastAudit(t, s); e.Action != "search" || !strings.Contains(e.Detail, "gorblesby") || !strings.Contains(e.Detail, "2 hits") ||
		e.Records != fmt.Sprintf("client:%d client:%d matter:%d", named, other, m) {
		t.Errorf("search audit %+v: want the records the hits showed", e)
	}
	// Operators and quotes are harmless; nothing matches.
	hits, err = s.Search(ctx, `"NEAR( OR * -`, 10)
	if err != nil || len(hits) != 0 {
		t.Fatalf("operator soup: %v %v", hits, err)
	}
	// Accents are ignored; the last word is a prefix.
	s.AddClient(ctx, ClientInput{Name: ptr("José Álvarez")})
	hits, _ = s.Search(ctx, "jose alv", 10)
	if len(hits) != 1 || hits[0].Title != "José Álvarez" {
		t.Fatalf("accent/prefix search: %+v", hits)
	}
}

func TestWrongPassphraseChangesNothing(t *testing.T) {
	t.Parallel()
	dir, _ := newTestVault(t)
	s := openTest(t, dir)
	s.AddClient(ctx, ClientInput{Name: ptr("Someone")})
	s.Close(ctx)
	before := folderBytes(t, dir)
	_, err := Open(ctx, dir, vault.Passphrase([]byte("lantern orbit velvet cactuS")), Options{})
	if !errors.Is(err, vault.ErrWrongCredential) {
		t.Fatalf("wrong passphrase: %v, want ErrWrongCredential", err)
	}
	if after := folderBytes(t, dir); !reflect.DeepEqual(before, after) {
		t.Fatalf("a wrong passphrase changed the vault folder")
	}
	// A recovery key of another vault is wrong too.
	other := filepath.Join(scratchDir(t), "other")
	otherRK, err := Init(ctx, other, []byte(testPass), InitOptions{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	if err := ConfirmInit(other); err != nil {
		t.Fatal(err)
	}
	cred, err := vault.Recovery(string(otherRK))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dir, cred, Options{}); !errors.Is(err, vault.ErrWrongCredential) {
		t.Fatalf("foreign recovery key: %v", err)
	}
	if after := folderBytes(t, dir); !reflect.DeepEqual(before, after) {
		t.Fatalf("a wrong recovery key changed the vault folder")
	}
	// The vault still opens afterwards, unchanged.
	s = openTest(t, dir)
	if n := snap(t, s).counts.Clients; n != 1 {
		t.Fatalf("clients after failed unlocks: %d", n)
	}
}

func TestOpenWithRecoveryKey(t *testing.T) {
	t.Parallel()
	dir, rk := newTestVault(t)
	cred, err := vault.Recovery(strings.ToLower(string(rk)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir, cred, Options{Actor: "tester"})
	if err != nil {
		t.Fatalf("Open with the recovery key: %v", err)
	}
	defer s.Close(ctx)
	if e := lastAudit(t, s); e.Action != "unlock" || e.Detail != "with the recovery key" {
		t.Errorf("unlock audit %+v", e)
	}
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Works")}); err != nil {
		t.Fatal(err)
	}
}

func TestChangePassphrase(t *testing.T) {
	t.Parallel()
	dir, rk := newTestVault(t)
	s := openTest(t, dir)
	s.AddClient(ctx, ClientInput{Name: ptr("Kept Client")})
	const newPass = "quiet harbour amber violin"
	if err := s.ChangePassphrase(ctx, []byte(newPass), nil); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "passphrase.change" {
		t.Errorf("audit %+v", e)
	}
	if err := s.ChangePassphrase(ctx, nil, nil); err == nil {
		t.Error("an empty new passphrase was accepted")
	}
	s.Close(ctx)
	if _, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{}); !errors.Is(err, vault.ErrWrongCredential) {
		t.Fatalf("old passphrase after change: %v", err)
	}
	s2, err := Open(ctx, dir, vault.Passphrase([]byte(newPass)), Options{})
	if err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
	if n := snap(t, s2).counts.Clients; n != 1 {
		t.Errorf("clients %d", n)
	}
	if s2.KDF() != testKDF {
		t.Errorf("KDF changed to %v", s2.KDF())
	}
	s2.Close(ctx)
	cred, _ := vault.Recovery(string(rk))
	s3, err := Open(ctx, dir, cred, Options{})
	if err != nil {
		t.Fatalf("recovery key after passphrase change: %v", err)
	}
	s3.Close(ctx)
}

func TestConflictCheckRecordedAndDecided(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	john, _ := s.AddClient(ctx, ClientInput{Name: ptr("John Smith")})
	acme, _ := s.AddClient(ctx, ClientInput{Name: ptr("Widget Buyer")})
	m, _ := s.AddMatter(ctx, MatterInput{ClientID: acme, Title: "Supply dispute", Adverse: []string{"ACME Corporation, Inc."}})
	s.CloseMatter(ctx, m)

	before := snap(t, s)
	res, err := s.CheckConflicts(ctx, []string{" Jon Smtih ", "Acme Corp", "Nobody Atall"})
	if err != nil {
		t.Fatal(err)
	}
	if res.CheckID <= 0 || !reflect.DeepEqual(res.Names, []string{"Jon Smtih", "Acme Corp", "Nobody Atall"}) {
		t.Fatalf("result %+v", res)
	}
	var gotJohn, gotAcme bool
	for _, h := range res.Hits {
		switch {
		case h.Query == "Jon Smtih" && h.Name == "John Smith":
			gotJohn = h.Role == "client" && h.ClientID == john && h.Match == "fuzzy" && h.MatterID == 0
		case h.Query == "Acme Corp" && h.Name == "ACME Corporation, Inc.":
			gotAcme = h.Role == store.RoleAdverse && h.MatterID == m && h.MatterTitle == "Supply dispute" && !h.MatterOpen &&
				h.ClientID == acme && h.ClientName == "Widget Buyer" && h.Match != "fuzzy"
		case h.Query == "Nobody Atall":
			t.Errorf("unexpected hit %+v", h)
		}
	}
	if !gotJohn || !gotAcme {
		t.Fatalf("hits %+v", res.Hits)
	}
	after := snap(t, s)
	if after.checks != before.checks+1 || after.audit != before.audit+1 {
		t.Fatalf("check recorded %d rows and %d audit entries, want 1 and 1", after.checks-before.checks, after.audit-before.audit)
	}
	e := lastAudit(t, s)
	// The entry names the check and the records its hits showed.
	if e.Action != "conflict.check" || !strings.HasPrefix(e.Records, ref("conflict_check", res.CheckID)+" client:") || !strings.Contains(e.Detail, "Jon Smtih") {
		t.Errorf("audit %+v", e)
	}
	var names, hits, actor, decision string
	s.st.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT names, hits, actor, decision FROM conflict_checks WHERE id = ?", res.CheckID).Scan(&names, &hits, &actor, &decision)
	})
	if !strings.Contains(names, "Acme Corp") || !strings.Contains(hits, "ACME Corporation, Inc.") || actor != "tester" || decision != "" {
		t.Errorf("recorded check: %s %s %s %q", names, hits, actor, decision)
	}

	if err := s.DecideConflict(ctx, res.CheckID, "waived", " client consented in writing "); err != nil {
		t.Fatal(err)
	}
	var note string
	s.st.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT decision, decision_note FROM conflict_checks WHERE id = ?", res.CheckID).Scan(&decision, &note)
	})
	if decision != "waived" || note != "client consented in writing" {
		t.Errorf("decision %q %q", decision, note)
	}
	if e := lastAudit(t, s); e.Action != "conflict.decide" || e.Detail != "waived" {
		t.Errorf("audit %+v", e)
	}
	if err := s.DecideConflict(ctx, 999, "clear", ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("decision on a missing check: %v", err)
	}
}

func TestConflictIndexInvalidatedByWrites(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	s.AddClient(ctx, ClientInput{Name: ptr("Existing Person")})
	check := func(name string) []ConflictHit {
		t.Helper()
		res, err := s.CheckConflicts(ctx, []string{name})
		if err != nil {
			t.Fatal(err)
		}
		return res.Hits
	}
	if h := check("Zebulon Quixote"); len(h) != 0 {
		t.Fatalf("hits before the client exists: %+v", h)
	}
	id, _ := s.AddClient(ctx, ClientInput{Name: ptr("Zebulon Quixote")})
	if h := check("Zebulon Quixote"); len(h) == 0 || h[0].ClientID != id || h[0].Match != "exact" {
		t.Fatalf("a client added in this session is not found: %+v", h)
	}
	// A renamed client, a new alias and a new party are found too.
	s.EditClient(ctx, id, ClientInput{Aliases: &[]string{"Zeb the Builder"}})
	if h := check("Zeb the Builder"); len(h) == 0 || h[0].Role != "alias" {
		t.Fatalf("new alias not found: %+v", h)
	}
	s.AddMatter(ctx, MatterInput{ClientID: id, Title: "Build", OpposingCounsel: []string{"Ophelia Counselworth"}})
	if h := check("Ophelia Counselworth"); len(h) == 0 || h[0].Role != store.RoleOpposingCounsel {
		t.Fatalf("new party not found: %+v", h)
	}
	s.DeleteClient(ctx, 1)
	if h := check("Existing Person"); len(h) != 0 {
		t.Fatalf("a deleted client is still found: %+v", h)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	s, dir, _ := testSession(t)
	c, _ := s.AddClient(ctx, ClientInput{Name: ptr("A Client"), Aliases: &[]string{"Alias"}})
	m, _ := s.AddMatter(ctx, MatterInput{ClientID: c, Title: "M", Adverse: []string{"X"}, Related: []string{"Y"}})
	s.AddNote(ctx, m, "n1")
	s.AddNote(ctx, m, "n2")
	before := auditCount(t, s)
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Counts{Clients: 1, Matters: 1, Parties: 2, Notes: 2, Audit: before}
	if st.Counts != want {
		t.Errorf("counts %+v, want %+v", st.Counts, want)
	}
	if st.Dir != dir || st.KDF != testKDF || st.SizeOnDisk <= 0 || st.LastWrite.IsZero() || st.Created.IsZero() || st.LastCheckpoint.IsZero() || st.LogBytes <= 0 {
		t.Errorf("status %+v", st)
	}
	if e := lastAudit(t, s); e.Action != "status" {
		t.Errorf("audit %+v", e)
	}
	if time.Since(st.LastWrite) > time.Minute || st.LastWrite.After(time.Now().Add(time.Second)) {
		t.Errorf("last write %v", st.LastWrite)
	}
	b, err := st.MarshalJSON()
	if err != nil || !strings.Contains(string(b), `"memory_kib":8192`) || !strings.Contains(string(b), `"clients":1`) {
		t.Errorf("status JSON %s %v", b, err)
	}
}

func TestClosedSessionRefusesWork(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Late")}); !errors.Is(err, vault.ErrClosed) {
		t.Fatalf("AddClient after Close: %v", err)
	}
	if _, err := s.CheckConflicts(ctx, []string{"x"}); err == nil {
		t.Fatal("CheckConflicts after Close succeeded")
	}
}

// The check's own write (its record and audit entry) must not throw away
// the cached index: only changes to names do.
func TestConflictIndexCachedAcrossChecks(t *testing.T) {
	dir, _ := newTestVault(t)
	s := openTest(t, dir)
	ctx := t.Context()
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Orla Vantreeve")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckConflicts(ctx, []string{"Orla Vantreve"}); err != nil {
		t.Fatal(err)
	}
	first := s.ix
	if _, err := s.CheckConflicts(ctx, []string{"Someone Else"}); err != nil {
		t.Fatal(err)
	}
	if first == nil || s.ix != first {
		t.Fatal("the conflict index was rebuilt although no name changed")
	}
	if err := s.DecideConflict(ctx, 1, "clear", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckConflicts(ctx, []string{"Orla"}); err != nil {
		t.Fatal(err)
	}
	if s.ix != first {
		t.Fatal("a decision threw away the conflict index")
	}
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Pell Ardouin")}); err != nil {
		t.Fatal(err)
	}
	res, err := s.CheckConflicts(ctx, []string{"Pell Ardouin"})
	if err != nil {
		t.Fatal(err)
	}
	if s.ix == first || len(res.Hits) == 0 {
		t.Fatal("a new client did not refresh the conflict index")
	}
}
