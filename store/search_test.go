package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// searchFixture is a vault with a record of every kind the search covers.
type searchFixture struct {
	s                         *Store
	jane, acme, john, bracket int64
	lease, estate             int64
	smith, counsel            int64
}

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	ctx := context.Background()
	f := &searchFixture{s: openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})}
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	err := f.s.Update(ctx, func(tx *Tx) error {
		var err error
		if f.jane, err = tx.InsertClient(&Client{Name: "Jane Roe", Aliases: []string{"Janie Quillfeather"}, Notes: "met at the Smithfield market"}, now); err != nil {
			return err
		}
		if f.acme, err = tx.InsertClient(&Client{Name: "Acme Ltd.", Notes: "a widget maker"}, now); err != nil {
			return err
		}
		if f.john, err = tx.InsertClient(&Client{Name: "John Smithson", Notes: "plain"}, now); err != nil {
			return err
		}
		if f.bracket, err = tx.InsertClient(&Client{Name: "Brack Et", Notes: "[draft] wording for Harrowgate [see file]"}, now); err != nil {
			return err
		}
		if f.lease, err = tx.InsertMatter(&Matter{ClientID: f.jane, Title: "Roe lease dispute", PracticeArea: "housing", Number: "2026-0042",
			Parties: []Party{
				{Role: RoleAdverse, Name: "Walter Smith", Organisation: "Landlords Plc", Note: "owns the Pemberley block", Aliases: []string{"Wally Smith"}, FormerNames: []string{"Walter Brown"}},
				{Role: RoleOpposingCounsel, Name: "Olga Counsel", Organisation: "Sharp & Keen"},
			}}, now); err != nil {
			return err
		}
		if f.estate, err = tx.InsertMatter(&Matter{ClientID: f.acme, Title: "Acme estate planning", PracticeArea: "probate"}, now); err != nil {
			return err
		}
		if _, err := tx.InsertNote(&Note{MatterID: f.estate, Text: "called Ms Jones about the Trevelyan trust", Author: "owner"}, now); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT id FROM parties WHERE name = 'Walter Smith'").Scan(&f.smith); err != nil {
			return err
		}
		return tx.QueryRow("SELECT id FROM parties WHERE name = 'Olga Counsel'").Scan(&f.counsel)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *searchFixture) search(t *testing.T, v Viewer, q string, limit int) []SearchHit {
	t.Helper()
	var hits []SearchHit
	err := f.s.ViewAs(context.Background(), v, func(tx *Tx) error {
		var err error
		hits, err = tx.Search(q, limit)
		return err
	})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return hits
}

func hitLine(h SearchHit) string {
	s := fmt.Sprintf("%s/%s c%d m%d p%d %q %q", h.Kind, h.Field, h.ClientID, h.MatterID, h.PartyID, h.Title, h.Snippet)
	if h.Role != "" {
		s += " " + h.Role + " " + h.Name
	}
	if h.Fuzzy {
		s += " fuzzy"
	}
	return s
}

func hitLines(hits []SearchHit) string {
	var b strings.Builder
	for _, h := range hits {
		b.WriteString(hitLine(h) + "\n")
	}
	return b.String()
}

// TestSearchEveryKind: a word held by one record of each kind finds it,
// saying which record, what matched and where.
func TestSearchEveryKind(t *testing.T) {
	f := newSearchFixture(t)
	for _, c := range []struct{ q, want string }{
		{"jane", fmt.Sprintf(`client/name c%d m0 p0 "Jane Roe" "[Jane] Roe"`, f.jane)},
		{"quillfeather", fmt.Sprintf(`alias/alias c%d m0 p0 "Jane Roe" "Janie [Quillfeather]"`, f.jane)},
		{"widget", fmt.Sprintf(`client/notes c%d m0 p0 "Acme Ltd." "a [widget] maker"`, f.acme)},
		{"dispute", fmt.Sprintf(`matter/title c%d m%d p0 "Roe lease dispute" "Roe lease [dispute] 2026-0042"`, f.jane, f.lease)},
		{"2026-0042", fmt.Sprintf(`matter/number c%d m%d p0 "Roe lease dispute" "Roe lease dispute [2026]-[0042]"`, f.jane, f.lease)},
		{"housing", fmt.Sprintf(`matter/practice area c%d m%d p0 "Roe lease dispute" "[housing]"`, f.jane, f.lease)},
		{"trevelyan", fmt.Sprintf(`note/note c%d m%d p0 "Acme estate planning" "called Ms Jones about the [Trevelyan] trust"`, f.acme, f.estate)},
		{"walter", fmt.Sprintf(`party/name c%d m%d p%d "Roe lease dispute" "[Walter] Smith Landlords Plc" adverse Walter Smith`, f.jane, f.lease, f.smith)},
		{"landlords", fmt.Sprintf(`party/organisation c%d m%d p%d "Roe lease dispute" "Walter Smith [Landlords] Plc" adverse Walter Smith`, f.jane, f.lease, f.smith)},
		{"pemberley", fmt.Sprintf(`party/notes c%d m%d p%d "Roe lease dispute" "owns the [Pemberley] block" adverse Walter Smith`, f.jane, f.lease, f.smith)},
		{"wally", fmt.Sprintf(`party_alias/alias c%d m%d p%d "Roe lease dispute" "[Wally] Smith" adverse Walter Smith`, f.jane, f.lease, f.smith)},
		{"brown", fmt.Sprintf(`party_alias/former name c%d m%d p%d "Roe lease dispute" "Walter [Brown]" adverse Walter Smith`, f.jane, f.lease, f.smith)},
		{"olga", fmt.Sprintf(`party/name c%d m%d p%d "Roe lease dispute" "[Olga] Counsel Sharp & Keen" opposing_counsel Olga Counsel`, f.jane, f.lease, f.counsel)},
	} {
		// The hit first among the exact ones (an alias or a former name
		// may rank with it: shorter names rank higher); corrected words'
		// hits after.
		hits := f.search(t, Everyone, c.q, 10)
		found := false
		for _, h := range hits {
			found = found || hitLine(h) == c.want
			if h.Fuzzy && !found {
				break
			}
		}
		if !found {
			t.Errorf("Search(%q) =\n%s want\n%s", c.q, hitLines(hits), c.want)
		}
	}
}

// TestSearchWhatALawyerTypes: the examples, and the ranking:
// names before bodies, exact before prefix before corrected.
func TestSearchWhatALawyerTypes(t *testing.T) {
	f := newSearchFixture(t)
	// "smith" finds the adverse party named Smith (and its alias) first,
	// exactly; Smithson and Smithfield (a prefix match, a name before a
	// note) after.
	hits := f.search(t, Everyone, "smith", 10)
	want := []string{"party_alias/alias", "party/name", "client/name", "client/notes"} // Wally Smith is the shorter name
	if len(hits) != len(want) {
		t.Fatalf("smith:\n%s", hitLines(hits))
	}
	for i, h := range hits {
		if h.Kind+"/"+h.Field != want[i] || h.Fuzzy {
			t.Errorf("smith hit %d = %s, want %s", i, hitLine(h), want[i])
		}
	}
	if hits[1].PartyID != f.smith || hits[1].Role != RoleAdverse || hits[2].ClientID != f.john || hits[3].ClientID != f.jane {
		t.Errorf("smith:\n%s", hitLines(hits))
	}
	// "acme ltd" finds Acme Ltd. (both words, the second a whole word).
	hits = f.search(t, Everyone, "acme ltd", 10)
	if len(hits) != 1 || hits[0].ClientID != f.acme || hits[0].Snippet != "[Acme] [Ltd]." {
		t.Errorf("acme ltd:\n%s", hitLines(hits))
	}
	// "jonh" finds John by correction, marked Fuzzy; "jon" (3 letters) is a
	// prefix of Jones and John.
	hits = f.search(t, Everyone, "jonh", 10)
	if len(hits) != 1 || hits[0].ClientID != f.john || !hits[0].Fuzzy || hits[0].Snippet != "[John] Smithson" {
		t.Errorf("jonh:\n%s", hitLines(hits))
	}
	// A word both exact somewhere and one slip from another word: the
	// exact hit first, the corrected after.
	hits = f.search(t, Everyone, "jones", 10)
	if len(hits) != 1 || hits[0].Kind != "note" || hits[0].Fuzzy {
		t.Errorf("jones:\n%s", hitLines(hits))
	}
	hits = f.search(t, Everyone, "johns", 10) // one slip from "john"; two from "jones"
	if len(hits) != 1 || hits[0].ClientID != f.john || !hits[0].Fuzzy {
		t.Errorf("johns:\n%s", hitLines(hits))
	}
	// Two slips for 8 letters and more; none under 4.
	if hits := f.search(t, Everyone, "quilfeathr", 10); len(hits) != 1 || hits[0].Kind != "alias" || !hits[0].Fuzzy {
		t.Errorf("quilfeathr:\n%s", hitLines(hits))
	}
	if hits := f.search(t, Everyone, "rowe", 10); len(hits) != 0 {
		// "rowe" is 4 letters, one slip from "roe" (3 letters): found.
		for _, h := range hits {
			if !h.Fuzzy {
				t.Errorf("rowe: %s", hitLine(h))
			}
		}
	} else {
		t.Errorf("rowe finds nothing")
	}
	if hits := f.search(t, Everyone, "jxn", 10); len(hits) != 0 {
		t.Errorf("jxn (3 letters: no correction):\n%s", hitLines(hits))
	}
	// Digits are never corrected: a matter number is typed as it is.
	if hits := f.search(t, Everyone, "2026-0099", 10); len(hits) != 0 {
		t.Errorf("2026-0099:\n%s", hitLines(hits))
	}
	// Operators are words.
	if hits := f.search(t, Everyone, `"jane" OR NOT roe*`, 10); len(hits) != 0 {
		t.Errorf("operators:\n%s", hitLines(hits))
	}
}

// TestSearchSnippetBrackets: a bracket of the text has a backslash
// before it, so the match alone reads as a match.
func TestSearchSnippetBrackets(t *testing.T) {
	f := newSearchFixture(t)
	hits := f.search(t, Everyone, "harrowgate", 10)
	if len(hits) != 1 {
		t.Fatalf("harrowgate:\n%s", hitLines(hits))
	}
	if want := `\[draft\] wording for [Harrowgate] \[see file\]`; hits[0].Snippet != want {
		t.Errorf("snippet %q, want %q", hits[0].Snippet, want)
	}
	var matches []string
	for _, p := range SnippetParts(hits[0].Snippet) {
		if p.Match {
			matches = append(matches, p.Text)
		}
	}
	if strings.Join(matches, "|") != "Harrowgate" || SnippetPlain(hits[0].Snippet) != "[draft] wording for Harrowgate [see file]" {
		t.Errorf("parts of %q: %+v", hits[0].Snippet, SnippetParts(hits[0].Snippet))
	}
	hits = f.search(t, Everyone, "draft", 10)
	if len(hits) != 1 || hits[0].Snippet != `\[[draft]\] wording for Harrowgate \[see file\]` {
		t.Errorf("draft:\n%s", hitLines(hits))
	}
}

// TestSearchWordsAfterWrite: a word added by a write is found, and by a
// correction too (the words' cache is per generation).
func TestSearchWordsAfterWrite(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	if hits := f.search(t, Everyone, "zephyrine", 10); len(hits) != 0 {
		t.Fatalf("zephyrine before:\n%s", hitLines(hits))
	}
	err := f.s.Update(ctx, func(tx *Tx) error {
		_, err := tx.InsertClient(&Client{Name: "Zephyrine Kowalczyk"}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if hits := f.search(t, Everyone, "zephyrin", 10); len(hits) != 1 || hits[0].Fuzzy {
		t.Errorf("zephyrin (a prefix):\n%s", hitLines(hits))
	}
	if hits := f.search(t, Everyone, "kowalcyzk", 10); len(hits) != 1 || !hits[0].Fuzzy {
		t.Errorf("kowalcyzk (a slip):\n%s", hitLines(hits))
	}
	// A party renamed: its old name no longer found, its new name is.
	err = f.s.Update(ctx, func(tx *Tx) error {
		p, err := tx.GetParty(f.smith)
		if err != nil {
			return err
		}
		p.Name = "Walter Pemberton"
		return tx.UpdateParty(p, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	if hits := f.search(t, Everyone, "pemberton", 10); len(hits) != 1 || hits[0].PartyID != f.smith {
		t.Errorf("pemberton:\n%s", hitLines(hits))
	}
	for _, h := range f.search(t, Everyone, "smith", 10) {
		if h.Kind == "party" {
			t.Errorf("smith after the rename: %s", hitLine(h))
		}
	}
	// Words added to the list since: a party's former name, a client's
	// alias (their rows carry no time: found through their party's or
	// client's), and a client written with a time before the list's.
	err = f.s.Update(ctx, func(tx *Tx) error {
		p, err := tx.GetParty(f.smith)
		if err != nil {
			return err
		}
		p.FormerNames = append(p.FormerNames, "Quattlebaum")
		if err := tx.UpdateParty(p, time.Now()); err != nil {
			return err
		}
		c, err := tx.GetClient(f.acme)
		if err != nil {
			return err
		}
		c.Aliases = append(c.Aliases, "Zarathustra Holdings")
		if err := tx.UpdateClient(c, time.Now()); err != nil {
			return err
		}
		_, err = tx.InsertClient(&Client{Name: "Ottoline Vexworthy"}, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for q, kind := range map[string]string{"quattlebaun": "party_alias", "zarathustre": "alias", "vexworthi": "client"} {
		if hits := f.search(t, Everyone, q, 10); len(hits) != 1 || hits[0].Kind != kind || !hits[0].Fuzzy {
			t.Errorf("%s (a slip of a word added since):\n%s", q, hitLines(hits))
		}
	}
}

// TestSearchHidesWalledParties: the parties (and their other names) of a
// matter behind a wall are no hits for a user behind it, with no gap: a
// limit of one still gives one hit the user may see.
func TestSearchHidesWalledParties(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	var para int64
	err := f.s.Update(ctx, func(tx *Tx) error {
		var err error
		if para, err = tx.InsertUser(&User{Name: "Pat Paralegal", Role: "Paralegal"}, time.Now()); err != nil {
			return err
		}
		// A second Smith the paralegal sees, ranked after the walled one.
		if _, err := tx.InsertMatter(&Matter{ClientID: f.acme, Title: "Acme supply", Parties: []Party{{Role: RoleRelated, Name: "Smith Supplies of the North Wessex Trading Estate"}}}, time.Now()); err != nil {
			return err
		}
		return tx.SetSecurityClass(KindMatter, f.lease, ClassWalled, []int64{para})
	})
	if err != nil {
		t.Fatal(err)
	}
	all := f.search(t, Everyone, "smith", 1)
	if len(all) != 1 || all[0].MatterID != f.lease {
		t.Fatalf("everyone's first smith:\n%s", hitLines(all))
	}
	for _, q := range []string{"smith", "wally", "brown", "pemberley", "olga", "smiht", "landlords"} {
		for _, limit := range []int{1, 10} {
			hits := f.search(t, Viewer{UserID: para}, q, limit)
			for _, h := range hits {
				if h.MatterID == f.lease {
					t.Errorf("the paralegal's %q shows the walled matter: %s", q, hitLine(h))
				}
			}
			if q == "smith" && (len(hits) == 0 || hits[0].Role != RoleRelated) {
				t.Errorf("the paralegal's smith (limit %d):\n%s", limit, hitLines(hits))
			}
		}
	}
}
