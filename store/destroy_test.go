package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"casevault/vault"
)

// TestDecisionNoteTrigger: schema 7 lets a conflict decision's note be
// replaced by a destruction's words, and nothing else change.
func TestDecisionNoteTrigger(t *testing.T) {
	s := retStore(t)
	var check int64
	update(t, s, func(tx *Tx) (err error) {
		if check, err = tx.InsertConflictCheck(&ConflictCheck{At: retNow, Actor: "owner", Names: `["Ann"]`, Hits: `[]`}); err != nil {
			return err
		}
		return tx.DecideConflictCheck(check, ConflictDecision{At: retNow, Actor: "owner", Decision: "clear", Note: "Ann's cousin"})
	})
	for _, q := range []string{
		"UPDATE conflict_decisions SET decision = 'waived'",
		"UPDATE conflict_decisions SET note = 'anything else'",
		"UPDATE conflict_decisions SET note = 'removed when file D-2026-0001 was destroyed', actor = 'x'",
		"UPDATE conflict_decisions SET note = 'removed when file D-26-1 was destroyed'",
		"DELETE FROM conflict_decisions",
	} {
		err := s.Update(t.Context(), func(tx *Tx) error { _, err := tx.Exec(q); return err })
		if err == nil || !strings.Contains(err.Error(), "kept as made") {
			t.Errorf("%s: %v", q, err)
		}
	}
	update(t, s, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE conflict_decisions SET note = 'removed when file D-2026-0001 was destroyed'")
		return err
	})
	view(t, s, func(tx *Tx) error {
		_, ds, err := tx.GetConflictCheck(check)
		if err == nil && (len(ds) != 1 || ds[0].Note != "removed when file D-2026-0001 was destroyed" || ds[0].Decision != "clear") {
			t.Errorf("decisions = %+v", ds)
		}
		return err
	})
}

// Canaries of the destruction tests: nameCanary in the names a lawyer
// may keep for conflict checks (client, alias, party names), dataCanary
// in everything else of the client's (notes, titles, contact details,
// documents, intake answers).
const (
	nameCanary = "Quoxnamecanary"
	dataCanary = "Vexdatacanary"
)

// destroyFixture: client A (every field holds a canary) with matter A1
// (closed long ago, due: a note, two parties with an alias, a document,
// a date change, an access list) and a document of its own, intake
// answers accepted into it, a conflict check made for it (decided, with
// a note) and one by hand whose hits name A1's party; client B (kept)
// with matter B1 (open) and matter J (closed, due), of which A is a
// joint client; a released hold on A.
type destroyFixture struct {
	s                          *Store
	a, b, a1, j, b1            int64
	partyA1                    int64
	docA1, docA                int64
	intakeA                    int64
	checkA, checkHand, checkB1 int64
	objA1, objShared           int64 // doc_objects: only A1's document's, and one shared with B1's document
}

func newDestroyFixture(t testing.TB) *destroyFixture {
	f := &destroyFixture{s: openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})}
	old := retNow.AddDate(-10, 0, 0)
	n, d := nameCanary, dataCanary
	put := func(content string) vault.Chunk {
		id, err := f.s.Vault().PutObject(vault.KindDocument, []byte(content))
		if err != nil {
			t.Fatal(err)
		}
		return vault.Chunk{ID: id, Size: uint32(len(content))}
	}
	own, shared, other := put("A1 letter "+d), put("a shared chunk"), put("B1 letter")
	ver := func(size int) *DocumentVersion {
		return &DocumentVersion{Size: int64(size), MediaType: "text/plain", AddedAt: old, AddedBy: "owner", How: HowAdded}
	}
	err := f.s.Update(context.Background(), func(tx *Tx) (err error) {
		if err := tx.SetRetentionRule(RetentionRule{PracticeArea: "Family law", Years: 10}, old); err != nil {
			return err
		}
		if f.a, err = tx.InsertClient(&Client{Name: "Ann " + n, Aliases: []string{"Annie " + n}, Email: d + "@example.test", Phone: d,
			Address: d + " street", Notes: "notes " + d}, old); err != nil {
			return err
		}
		if f.b, err = tx.InsertClient(&Client{Name: "Bob Baker"}, old); err != nil {
			return err
		}
		if f.a1, err = tx.InsertMatter(&Matter{ClientID: f.a, Title: "Divorce " + d, PracticeArea: "Family law",
			Parties: []Party{{Role: RoleAdverse, Name: "Adam " + n, Aliases: []string{"Addy " + n}, Note: "note " + d},
				{Role: RoleOpposingCounsel, Name: "Otto " + n, Organisation: "Firm " + d}}}, old); err != nil {
			return err
		}
		if f.j, err = tx.InsertMatter(&Matter{ClientID: f.b, Title: "Joint " + d, Clients: []MatterClient{{ID: f.a}},
			Parties: []Party{{Role: RoleWitness, Name: "Wendy " + n}}}, old); err != nil {
			return err
		}
		if f.b1, err = tx.InsertMatter(&Matter{ClientID: f.b, Title: "Bob's lease", Parties: []Party{{Role: RoleAdverse, Name: "Lenny"}}}, old); err != nil {
			return err
		}
		if _, err := tx.InsertNote(&Note{MatterID: f.a1, Text: "met " + d, Author: "owner"}, old); err != nil {
			return err
		}
		if _, err := tx.InsertNote(&Note{MatterID: f.j, Text: "joint " + d, Author: "owner"}, old); err != nil {
			return err
		}
		if _, err := tx.InsertNote(&Note{MatterID: f.b1, Text: "lease note", Author: "owner"}, old); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT id FROM parties WHERE matter_id = ? AND role = 'adverse'", f.a1).Scan(&f.partyA1); err != nil {
			return err
		}
		if f.docA1, err = tx.AddDocument(&Document{MatterID: f.a1, Name: "letter " + d + ".txt", CreatedAt: old, CreatedBy: "owner"},
			ver(int(own.Size+shared.Size)), []vault.Chunk{own, shared}, "letter text "+d); err != nil {
			return err
		}
		if f.docA, err = tx.AddDocument(&Document{ClientID: f.a, Name: "passport " + d + ".jpg", CreatedAt: old, CreatedBy: "owner"},
			ver(int(own.Size)), []vault.Chunk{own}, ""); err != nil {
			return err
		}
		if _, err := tx.AddDocument(&Document{MatterID: f.b1, Name: "lease.txt", CreatedAt: old, CreatedBy: "owner"},
			ver(int(shared.Size+other.Size)), []vault.Chunk{shared, other}, "lease"); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT id FROM doc_objects WHERE oid = ?", own.ID[:]).Scan(&f.objA1); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT id FROM doc_objects WHERE oid = ?", shared.ID[:]).Scan(&f.objShared); err != nil {
			return err
		}
		if f.intakeA, err = tx.InsertIntakeSubmission(&IntakeSubmission{SealedID: "0123456789abcdef0123456789abcdef", ReceivedAt: old, ImportedAt: old,
			FullName: "Ann " + n, Payload: `{"story":"` + d + `"}`, ConflictNames: []IntakeName{{Name: "Adam " + n, Role: "adverse"}}},
			[]IntakeFile{{N: 1, Name: "scan " + d + ".pdf", MediaType: "application/pdf", Size: 3, SHA256: "x", Content: []byte(d)}}); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE intake_submissions SET status = 'accepted', client_id = ?, matter_id = ? WHERE id = ?", f.a, f.a1, f.intakeA); err != nil {
			return err
		}
		hitA1 := fmt.Sprintf(`{"query":"Adam","name":"Adam %[1]s","role":"adverse","match":"exact","score":1,"why":"same as Adam %[1]s","client_id":%[2]d,"client_name":"Ann %[1]s","matter_id":%[3]d,"matter_title":"Divorce %[4]s","party_id":%[5]d}`,
			n, f.a, f.a1, d, f.partyA1)
		hitB1 := fmt.Sprintf(`{"query":"Lenny","name":"Lenny","role":"adverse","match":"exact","score":1,"client_id":%d,"client_name":"Bob Baker","matter_id":%d,"matter_title":"Bob's lease"}`, f.b, f.b1)
		if f.checkA, err = tx.InsertConflictCheck(&ConflictCheck{At: old, Actor: "owner", Names: `["Ann ` + n + `","Annie ` + n + `"]`,
			Hits: `[` + hitB1 + `]`, Context: fmt.Sprintf("client:%d", f.a)}); err != nil {
			return err
		}
		if err := tx.DecideConflictCheck(f.checkA, ConflictDecision{At: old, Actor: "owner", Decision: "clear", Note: "her cousin " + d}); err != nil {
			return err
		}
		if f.checkHand, err = tx.InsertConflictCheck(&ConflictCheck{At: old, Actor: "owner", Names: `["Adam","Lenny"]`,
			Hits: `[` + hitA1 + `,` + hitB1 + `]`}); err != nil {
			return err
		}
		if err := tx.DecideConflictCheck(f.checkHand, ConflictDecision{At: old, Actor: "owner", Decision: "waived", Note: "consent on file"}); err != nil {
			return err
		}
		if f.checkB1, err = tx.InsertConflictCheck(&ConflictCheck{At: old, Actor: "owner", Names: `["Lenny"]`, Hits: `[]`,
			Context: fmt.Sprintf("party:99 matter:%d", f.b1)}); err != nil {
			return err
		}
		for _, id := range []int64{f.a1, f.j} {
			if err := tx.SetMatterStatus(id, "closed", old); err != nil {
				return err
			}
		}
		due := retNow.AddDate(-1, 0, 0)
		if err := tx.SetDestroyAfter(f.a1, &due, "file review "+d, "owner", old); err != nil {
			return err
		}
		if err := tx.SetSecurityClass(KindMatter, f.a1, ClassRestricted, []int64{1}); err != nil {
			return err
		}
		h, err := tx.PlaceHold(KindClient, f.a, "audit "+d, "owner", old)
		if err != nil {
			return err
		}
		return tx.ReleaseHold(h, "audit over "+d, "owner", old)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// tableCounts counts the rows of every table a destruction touches.
var destroyTables = []string{"clients", "client_aliases", "matters", "matter_clients", "notes", "parties", "party_aliases",
	"documents", "document_versions", "document_chunks", "doc_objects", "intake_submissions", "intake_files", "retention_changes",
	"legal_holds", "access_list", "conflict_checks", "conflict_decisions", "destructions", "destruction_register", "destroyed_names", "search"}

func tableCounts(t testing.TB, s *Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := s.ViewAs(context.Background(), Everyone, func(tx *Tx) error {
		for _, tb := range destroyTables {
			var n int
			if err := tx.QueryRow("SELECT count(*) FROM " + tb).Scan(&n); err != nil {
				return err
			}
			out[tb] = n
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dump is every row of the tables a destruction touches, as text.
func dump(t testing.TB, s *Store) string {
	t.Helper()
	var b strings.Builder
	err := s.ViewAs(context.Background(), Everyone, func(tx *Tx) error {
		for _, tb := range append(destroyTables, "retention_rules") {
			rows, err := tx.Query("SELECT * FROM " + tb + " ORDER BY rowid")
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				fmt.Fprintf(&b, "%s %q\n", tb, vals)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDestroyRefusals: each refusal says why in its sentinel and
// changes nothing, even when the caller commits after it.
func TestDestroyRefusals(t *testing.T) {
	ctx := context.Background()
	f := newDestroyFixture(t)
	var holdB int64
	update(t, f.s, func(tx *Tx) (err error) {
		holdB, err = tx.PlaceHold(KindClient, f.b, "subpoena", "owner", retNow)
		return err
	})
	before := dump(t, f.s)
	at := retNow
	for _, c := range []struct {
		name string
		v    Viewer
		spec DestroySpec
		want error
		in   string
	}{
		{"nothing", Everyone, DestroySpec{At: at}, ErrBadRetention, "at least one"},
		{"no time", Everyone, DestroySpec{MatterIDs: []int64{f.a1}}, ErrBadRetention, "time"},
		{"open", Everyone, DestroySpec{MatterIDs: []int64{f.b1}, At: at, Reason: "x"}, ErrNotClosed, "close it first"},
		{"missing matter", Everyone, DestroySpec{MatterIDs: []int64{f.a1, 999}, At: at}, ErrNotFound, "999"},
		{"missing client", Everyone, DestroySpec{ClientIDs: []int64{999}, At: at}, ErrNotFound, "999"},
		{"held joint client", Everyone, DestroySpec{MatterIDs: []int64{f.a1, f.j}, At: at}, ErrOnHold, "hold"},
		{"client kept", Everyone, DestroySpec{MatterIDs: []int64{f.a1}, ClientIDs: []int64{f.a}, At: at}, ErrClientKept, "1 other matter"},
		{"client kept, none given", Everyone, DestroySpec{ClientIDs: []int64{f.a}, At: at}, ErrClientKept, "2 other matters"},
		{"not due", Everyone, DestroySpec{MatterIDs: []int64{f.a1}, At: retNow.AddDate(-2, 0, 0)}, ErrBadRetention, "needs a reason"},
		{"hidden", Viewer{UserID: 42}, DestroySpec{MatterIDs: []int64{f.a1}, At: at}, ErrNotFound, "matter"},
	} {
		err := f.s.UpdateAs(ctx, c.v, func(tx *Tx) error {
			out, err := tx.Destroy(c.spec)
			if err == nil {
				t.Errorf("%s: destroyed %+v", c.name, out)
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.in) {
				t.Errorf("%s: %v, want %v with %q", c.name, err, c.want, c.in)
			}
			return nil // commit: a refusal must have written nothing
		})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	// The hold's error names the hold.
	update(t, f.s, func(tx *Tx) error {
		_, err := tx.Destroy(DestroySpec{MatterIDs: []int64{f.j}, At: at})
		var oh *OnHoldError
		if !errors.As(err, &oh) || oh.Hold.ID != holdB || oh.Hold.Kind != KindClient || oh.Hold.RecordID != f.b || oh.Kind != KindMatter || oh.RecordID != f.j {
			t.Errorf("hold error = %#v", err)
		}
		return nil
	})
	if after := dump(t, f.s); after != before {
		t.Errorf("a refused destruction changed the database")
	}
	// A hold on a matter blocks its clients' whole files (J's hold, client
	// A's file), before anything else is said of them.
	var holdJ int64
	update(t, f.s, func(tx *Tx) (err error) {
		holdJ, err = tx.PlaceHold(KindMatter, f.j, "appeal", "owner", retNow)
		return err
	})
	before = dump(t, f.s)
	update(t, f.s, func(tx *Tx) error {
		_, err := tx.Destroy(DestroySpec{MatterIDs: []int64{f.a1}, ClientIDs: []int64{f.a}, At: at})
		var oh *OnHoldError
		if !errors.As(err, &oh) || oh.Hold.ID != holdJ || oh.Hold.Kind != KindMatter || oh.Kind != KindClient || oh.RecordID != f.a ||
			!strings.Contains(err.Error(), "nothing was destroyed") {
			t.Errorf("matter hold on a client's file: %v", err)
		}
		return nil
	})
	if after := dump(t, f.s); after != before {
		t.Errorf("a refused destruction changed the database")
	}
}

// TestDestroyMatterOnly: a due matter alone goes with its notes,
// parties, documents (the objects only it named forgotten, a shared one
// counted down), intake answers, date changes and access list; its
// client stays; no names are kept; the register holds no client data;
// the conflict checks no longer hold its names or title; the counts are
// the counts before less what went.
func TestDestroyMatterOnly(t *testing.T) {
	f := newDestroyFixture(t)
	before := tableCounts(t, f.s)
	var out *DestroyOutcome
	update(t, f.s, func(tx *Tx) (err error) {
		out, err = tx.Destroy(DestroySpec{MatterIDs: []int64{f.a1}, At: retNow, By: "owner"})
		return err
	})
	if out.Number != "D-2026-0001" || len(out.Register) != 1 {
		t.Fatalf("outcome %+v", out)
	}
	r := out.Register[0]
	if r.Ref != "D-2026-0001/1" || r.Kind != KindMatter || r.RecordID != f.a1 || r.PracticeArea != "Family law" || r.NamesKept ||
		len(r.KeptNames) != 0 || r.Rule != "a date set by hand" || r.ClosedAt == nil || r.OpenedAt == nil || r.DestroyAfter == nil ||
		r.Number != "D-2026-0001" || r.By != "owner" || !r.At.Equal(retNow) {
		t.Errorf("register row %+v", r)
	}
	wantItems := map[string]int64{"notes": 1, "parties": 2, "documents": 1, "versions": 1, "intake": 1,
		"bytes": int64(len("A1 letter "+dataCanary) + len("a shared chunk"))}
	if fmt.Sprint(r.Items) != fmt.Sprint(wantItems) {
		t.Errorf("items %v, want %v", r.Items, wantItems)
	}
	for _, rf := range []string{fmt.Sprintf("matter:%d", f.a1), fmt.Sprintf("document:%d", f.docA1), fmt.Sprintf("party:%d", f.partyA1),
		fmt.Sprintf("intake:%d", f.intakeA)} {
		if !slices.Contains(out.Refs, rf) {
			t.Errorf("refs %v lack %s", out.Refs, rf)
		}
	}
	if len(out.Refs) != 6 { // matter, note, 2 parties, document, intake; no check was made for A1
		t.Errorf("refs = %v", out.Refs)
	}
	for _, nm := range []string{"Divorce " + dataCanary, "Adam " + nameCanary, "Addy " + nameCanary, "Otto " + nameCanary, "Firm " + dataCanary,
		"letter " + dataCanary + ".txt", "Ann " + nameCanary} {
		if !slices.Contains(out.Names, nm) {
			t.Errorf("names %q lack %q", out.Names, nm)
		}
	}
	after := tableCounts(t, f.s)
	for tb, d := range map[string]int{"matters": -1, "matter_clients": -1, "notes": -1, "parties": -2, "party_aliases": -1,
		"documents": -1, "document_versions": -1, "document_chunks": -2, "doc_objects": 0, "intake_submissions": -1, "intake_files": -1,
		"retention_changes": -1, "access_list": -1, "destructions": 1, "destruction_register": 1,
		"search": -1 - 1 - 2 - 1 - 1} {
		if after[tb] != before[tb]+d {
			t.Errorf("%s: %d rows after, %d before, want %+d", tb, after[tb], before[tb], d)
		}
	}
	for _, tb := range []string{"clients", "client_aliases", "legal_holds", "conflict_checks", "conflict_decisions", "destroyed_names"} {
		if after[tb] != before[tb] {
			t.Errorf("%s: %d rows after, %d before", tb, after[tb], before[tb])
		}
	}
	view(t, f.s, func(tx *Tx) error {
		var ownRefs, sharedRefs int
		err := tx.QueryRow("SELECT (SELECT refs FROM doc_objects WHERE id = ?), (SELECT refs FROM doc_objects WHERE id = ?)", f.objA1, f.objShared).
			Scan(&ownRefs, &sharedRefs)
		if err != nil || ownRefs != 1 || sharedRefs != 1 { // own: still the client's document; shared: B1's
			t.Errorf("object refs %d, %d, %v", ownRefs, sharedRefs, err)
		}
		if _, err := tx.GetClient(f.a); err != nil {
			t.Errorf("client A: %v", err)
		}
		c, _, err := tx.GetConflictCheck(f.checkHand)
		if err != nil {
			return err
		}
		if strings.Contains(c.Hits, dataCanary) || strings.Contains(c.Hits, nameCanary) || !strings.Contains(c.Hits, `"destroyed":"D-2026-0001/1"`) ||
			!strings.Contains(c.Hits, "a destroyed file (D-2026-0001/1)") || !strings.Contains(c.Hits, "Bob's lease") || c.Names != `["Adam","Lenny"]` {
			t.Errorf("hand check after: %s %s", c.Names, c.Hits)
		}
		return nil
	})
	reg := rawRegister(t, f.s)
	if strings.Contains(reg, dataCanary) || strings.Contains(reg, nameCanary) || !strings.Contains(reg, "D-2026-0001/1") {
		t.Errorf("register rows: %s", reg)
	}
}

// rawRegister is every row of the destruction tables but the kept names.
func rawRegister(t testing.TB, s *Store) string {
	var b strings.Builder
	for _, line := range strings.Split(dump(t, s), "\n") {
		if strings.HasPrefix(line, "destructions ") || strings.HasPrefix(line, "destruction_register ") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// TestDestroyWholeClient: client A's whole file (its matter, the joint
// matter it shares with B, its own document and intake answers, its
// released hold) goes, with and without the names kept; B stays with
// its other matter; numbers count up per year.
func TestDestroyWholeClient(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep=%v", keep), func(t *testing.T) {
			f := newDestroyFixture(t)
			before := tableCounts(t, f.s)
			var out *DestroyOutcome
			update(t, f.s, func(tx *Tx) (err error) {
				out, err = tx.Destroy(DestroySpec{MatterIDs: []int64{f.j, f.a1}, ClientIDs: []int64{f.a}, KeepNames: keep,
					At: retNow, By: "owner"})
				return err
			})
			if len(out.Register) != 3 || out.Register[0].RecordID != f.a1 || out.Register[1].RecordID != f.j || out.Register[2].Kind != KindClient ||
				out.Register[2].Ref != "D-2026-0001/3" || out.Register[1].Rule != "Default rule: 7 years after closing" {
				t.Fatalf("register %+v", out.Register)
			}
			if it := out.Register[2].Items; it["documents"] != 1 || it["aliases"] != 1 || it["intake"] != 0 {
				t.Errorf("client items %v", it)
			}
			for _, rf := range []string{fmt.Sprintf("client:%d", f.a), fmt.Sprintf("matter:%d", f.j), fmt.Sprintf("document:%d", f.docA),
				fmt.Sprintf("conflict_check:%d", f.checkA)} {
				if !slices.Contains(out.Refs, rf) {
					t.Errorf("refs %v lack %s", out.Refs, rf)
				}
			}
			after := tableCounts(t, f.s)
			for tb, d := range map[string]int{"clients": -1, "client_aliases": -1, "matters": -2, "matter_clients": -3, "notes": -2,
				"parties": -3, "documents": -2, "legal_holds": -1, "doc_objects": -1, "destruction_register": 3} {
				if after[tb] != before[tb]+d {
					t.Errorf("%s: %d rows after, %d before, want %+d", tb, after[tb], before[tb], d)
				}
			}
			wantKept := 0
			if keep {
				wantKept = 2 + 4 // client and alias; Adam, Addy, Otto, Wendy
			}
			if after["destroyed_names"] != wantKept {
				t.Errorf("%d names kept, want %d", after["destroyed_names"], wantKept)
			}
			view(t, f.s, func(tx *Tx) error {
				ms, err := tx.ListMatters(f.b, "")
				if err != nil || len(ms) != 1 || ms[0].ID != f.b1 {
					t.Errorf("B's matters %v, %v", ms, err)
				}
				names, err := tx.ConflictNames()
				if err != nil {
					return err
				}
				var former []string
				for _, n := range names {
					if n.Register != "" {
						former = append(former, n.Role+"="+n.Name+"@"+n.Register+"/"+n.ClientName)
						if n.Hidden {
							t.Errorf("kept name hidden: %+v", n)
						}
					}
					if n.Register == "" && (strings.Contains(n.Name, nameCanary) || strings.Contains(n.ClientName, nameCanary)) {
						t.Errorf("a live name of the destroyed client: %+v", n)
					}
				}
				slices.Sort(former)
				want := ""
				if keep {
					want = "[former_adverse=Adam " + nameCanary + "@D-2026-0001/1/Ann " + nameCanary +
						" former_adverse=Addy " + nameCanary + "@D-2026-0001/1/Ann " + nameCanary +
						" former_alias=Annie " + nameCanary + "@D-2026-0001/3/Ann " + nameCanary +
						" former_client=Ann " + nameCanary + "@D-2026-0001/3/Ann " + nameCanary +
						" former_opposing_counsel=Otto " + nameCanary + "@D-2026-0001/1/Ann " + nameCanary +
						" former_witness=Wendy " + nameCanary + "@D-2026-0001/2/Bob Baker]"
				}
				if fmt.Sprint(former) != want && !(want == "" && len(former) == 0) {
					t.Errorf("former names\n%v\nwant\n%v", former, want)
				}
				c, ds, err := tx.GetConflictCheck(f.checkA)
				if err != nil {
					return err
				}
				if strings.Contains(c.DecisionNote+c.Hits+fmt.Sprint(ds), dataCanary) || c.DecisionNote != "removed when file D-2026-0001 was destroyed" ||
					ds[0].Note != c.DecisionNote || ds[0].Decision != "clear" || c.Decision != "clear" {
					t.Errorf("check for A: %+v %+v", c, ds)
				}
				if keep != strings.Contains(c.Names+c.Hits, nameCanary) {
					t.Errorf("check for A (keep %v): %s %s", keep, c.Names, c.Hits)
				}
				h, _, err := tx.GetConflictCheck(f.checkHand)
				if err != nil {
					return err
				}
				if strings.Contains(h.Hits, dataCanary) || keep != strings.Contains(h.Hits, nameCanary) {
					t.Errorf("hand check (keep %v): %s", keep, h.Hits)
				}
				return nil
			})
			reg := rawRegister(t, f.s)
			if strings.Contains(reg, dataCanary) || strings.Contains(reg, nameCanary) {
				t.Errorf("register rows hold client data: %s", reg)
			}
			// The next destruction of the year, and the first of the next.
			update(t, f.s, func(tx *Tx) error {
				o, err := tx.Destroy(DestroySpec{MatterIDs: []int64{f.b1}, At: retNow, Reason: "x"})
				if !errors.Is(err, ErrNotClosed) {
					t.Errorf("open b1: %v %+v", err, o)
				}
				if err := tx.SetMatterStatus(f.b1, "closed", retNow); err != nil {
					return err
				}
				if o, err = tx.Destroy(DestroySpec{MatterIDs: []int64{f.b1}, At: retNow, Reason: "client asked"}); err != nil {
					return err
				}
				if o.Number != "D-2026-0002" || o.Register[0].Rule != "by hand before the date: client asked" {
					t.Errorf("second: %+v", o.Register)
				}
				o, err = tx.Destroy(DestroySpec{ClientIDs: []int64{f.b}, At: retNow.AddDate(1, 0, 0)})
				if err != nil {
					return err
				}
				if o.Number != "D-2027-0001" || o.Register[0].Ref != "D-2027-0001/1" || o.Register[0].Rule != "client file: no matters left" {
					t.Errorf("third: %+v", o)
				}
				if err := tx.SetDestructionAudit(o.ID, 77); err != nil {
					return err
				}
				ds, err := tx.Destructions()
				if err != nil || len(ds) != 3 || ds[0].Number != "D-2027-0001" || ds[0].AuditID != 77 || ds[2].NamesKept != keep {
					t.Errorf("destructions %+v, %v", ds, err)
				}
				rows, n, err := tx.DestructionRegister("d-2026-0001", 1, 1)
				if err != nil || n != 3 || len(rows) != 1 || rows[0].Ref != "D-2026-0001/2" {
					t.Errorf("register page %+v of %d, %v", rows, n, err)
				}
				if rows, n, err = tx.DestructionRegister("", 0, 0); err != nil || n != 5 || rows[0].Number != "D-2027-0001" {
					t.Errorf("whole register %d rows, %v", n, err)
				}
				if _, _, err := tx.DestructionRegister("D-2020-0001", 0, 0); !errors.Is(err, ErrNotFound) {
					t.Errorf("missing destruction: %v", err)
				}
				return nil
			})
		})
	}
}

// scanFor reports whether the checkpoint's database image (every page,
// free ones too) and the redo log's records hold s, in any case of
// ASCII letters (the search index keeps words in lower case).
func scanFor(t testing.TB, s *Store, needle string) (inImage, inLog bool) {
	t.Helper()
	image, _, err := s.Vault().LoadCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := []byte(strings.ToLower(needle))
	inImage = bytes.Contains(bytes.ToLower(image), n)
	recs, err := s.Vault().ReadLog()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		inLog = inLog || bytes.Contains(bytes.ToLower(r), n)
	}
	return inImage, inLog
}

// TestDestroyCanaryImage: after a destruction, PurgeDeleted and a
// checkpoint, no byte of the destroyed client's data is in the database
// image or the redo log; with the names kept, only those are (in
// destroyed_names and the rewritten conflict checks).
func TestDestroyCanaryImage(t *testing.T) {
	ctx := context.Background()
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep=%v", keep), func(t *testing.T) {
			f := newDestroyFixture(t)
			if _, inLog := scanFor(t, f.s, dataCanary); !inLog {
				t.Fatal("the fixture's redo log lacks the canary: the scan proves nothing")
			}
			if err := f.s.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			for _, c := range []string{dataCanary, nameCanary} {
				if inImage, _ := scanFor(t, f.s, c); !inImage {
					t.Fatalf("the image lacks %s before: the scan proves nothing", c)
				}
			}
			update(t, f.s, func(tx *Tx) error {
				_, err := tx.Destroy(DestroySpec{MatterIDs: []int64{f.a1, f.j}, ClientIDs: []int64{f.a}, KeepNames: keep, At: retNow, By: "owner"})
				return err
			})
			if _, inLog := scanFor(t, f.s, dataCanary); inLog {
				t.Error("the destruction's redo log record holds the data canary")
			}
			if _, inLog := scanFor(t, f.s, nameCanary); inLog != keep {
				t.Errorf("the destruction's redo log record holds the kept names: %v, want %v", inLog, keep)
			}
			update(t, f.s, func(tx *Tx) error { return tx.PurgeDeleted() })
			if err := f.s.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			inImage, inLog := scanFor(t, f.s, dataCanary)
			if inImage || inLog {
				t.Errorf("after: the data canary in the image %v, in the log %v", inImage, inLog)
			}
			inImage, _ = scanFor(t, f.s, nameCanary)
			if inImage != keep {
				t.Errorf("after: the name canary in the image %v, want %v", inImage, keep)
			}
			view(t, f.s, func(tx *Tx) error {
				var words, kept int
				err := tx.QueryRow("SELECT (SELECT count(*) FROM search_vocab WHERE term IN (lower(?1), lower(?2))), (SELECT count(*) FROM destroyed_names WHERE instr(name, ?2) > 0)",
					dataCanary, nameCanary).Scan(&words, &kept)
				if err != nil || words != 0 || (kept > 0) != keep {
					t.Errorf("search words %d, kept names %d, %v", words, kept, err)
				}
				return err
			})
		})
	}
}
