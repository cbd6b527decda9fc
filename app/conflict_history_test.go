package app

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"casevault/store"
)

// TestConflictHistoryDecisions: a waiver needs a note; re-deciding keeps
// the earlier decision; the history lists, filters and opens the checks,
// each read recorded in the audit trail.
func TestConflictHistoryDecisions(t *testing.T) {
	s, _, _ := testSession(t)
	id, err := s.AddClient(ctx, ClientInput{Name: ptr("Quillon Marsh")})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.CheckConflicts(ctx, []string{"Quillon Marsh", "Nobody Atall"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.CheckConflicts(ctx, []string{"Prospero Vane"})
	if err != nil {
		t.Fatal(err)
	}
	// A waiver without a note is refused, naming the note.
	for _, note := range []string{"", "   ", "\u200b"} {
		err := s.DecideConflict(ctx, first.CheckID, "waived", note)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "note" {
			t.Errorf("waived with note %q: %v", note, err)
		}
	}
	if err := s.DecideConflict(ctx, first.CheckID, "maybe", "x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("decision maybe: %v", err)
	}
	if err := s.DecideConflict(ctx, first.CheckID, "conflict", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideConflict(ctx, first.CheckID, "waived", "Consent signed 2 Dec, in the Marsh file"); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideConflict(ctx, 999, "clear", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("deciding check 999: %v", err)
	}

	d, err := s.GetConflictCheck(ctx, first.CheckID)
	if err != nil {
		t.Fatal(err)
	}
	if a := lastAudit(t, s); a.Action != "conflict.view" || !strings.Contains(a.Records, ref("conflict_check", first.CheckID)) || !strings.Contains(a.Records, ref("client", id)) {
		t.Errorf("the view's audit entry: %+v", a)
	}
	if d.Decision != "waived" || d.Note != "Consent signed 2 Dec, in the Marsh file" || d.DecidedAt.IsZero() ||
		!slices.Equal(d.Names, []string{"Quillon Marsh", "Nobody Atall"}) || d.Actor != "tester" || d.HitCount != len(d.Hits) || len(d.Hits) == 0 {
		t.Errorf("detail %+v", d)
	}
	if len(d.History) != 2 || d.History[0].Decision != "conflict" || d.History[1].Decision != "waived" || d.History[1].Actor != "tester" ||
		d.History[1].Note != d.Note || d.History[0].At.After(d.History[1].At) {
		t.Errorf("history %+v", d.History)
	}
	if d.Hits[0].ClientID != id || d.Hits[0].Name != "Quillon Marsh" {
		t.Errorf("hits %+v", d.Hits)
	}

	list := func(f ConflictFilter) ([]int64, int) {
		t.Helper()
		sums, n, err := s.ListConflictChecks(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var ids []int64
		for _, c := range sums {
			ids = append(ids, c.ID)
		}
		return ids, n
	}
	if ids, n := list(ConflictFilter{}); !slices.Equal(ids, []int64{second.CheckID, first.CheckID}) || n != 2 {
		t.Errorf("list %v of %d", ids, n)
	}
	if a := lastAudit(t, s); a.Action != "conflict.list" || a.Records != "" || !strings.Contains(a.Detail, "2 checks of 2 shown") {
		t.Errorf("the list's audit entry: %+v", a)
	}
	if ids, n := list(ConflictFilter{Query: "marsh"}); !slices.Equal(ids, []int64{first.CheckID}) || n != 1 {
		t.Errorf("list marsh %v of %d", ids, n)
	}
	if ids, n := list(ConflictFilter{Decision: "undecided"}); !slices.Equal(ids, []int64{second.CheckID}) || n != 1 {
		t.Errorf("list undecided %v of %d", ids, n)
	}
	if ids, n := list(ConflictFilter{Limit: 1, Offset: 1}); !slices.Equal(ids, []int64{first.CheckID}) || n != 2 {
		t.Errorf("list page 2 %v of %d", ids, n)
	}
	for _, f := range []ConflictFilter{{Decision: "maybe"}, {Limit: -1}, {Limit: MaxConflictPage + 1}, {Offset: -1}, {Query: "a\x1b[31m"}} {
		if _, _, err := s.ListConflictChecks(ctx, f); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", f, err)
		}
	}
	if _, err := s.GetConflictCheck(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetConflictCheck(999): %v", err)
	}
}

// TestConflictHistoryUnreadable: a check whose record this casevault
// cannot read is listed with no names, and opening it says so.
func TestConflictHistoryUnreadable(t *testing.T) {
	s, _, _ := testSession(t)
	var id int64
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertConflictCheck(&store.ConflictCheck{At: time.Now(), Actor: "someone", Names: `["A"]`, Hits: `{"not":"a list"}`})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sums, n, err := s.ListConflictChecks(ctx, ConflictFilter{})
	if err != nil || n != 1 || len(sums) != 1 || sums[0].ID != id {
		t.Fatalf("list: %+v %d %v", sums, n, err)
	}
	if _, err := s.GetConflictCheck(ctx, id); !errors.Is(err, ErrUnreadableCheck) {
		t.Errorf("GetConflictCheck: %v", err)
	}
}

// TestConflictReport: the printable page holds the names, every hit, the
// decision and its history, is self-contained and escapes what it shows;
// the text holds the same, escaped for a terminal.
func TestConflictReport(t *testing.T) {
	s, _, _ := testSession(t)
	evil := `Eve <script>alert(1)</script> "Q" & Sons` + "\x1b[31m"
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Eve Script & Sons")}); err != nil {
		t.Fatal(err)
	}
	res, err := s.CheckConflicts(ctx, []string{"Eve Script and Sons"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 {
		t.Fatal("no hit")
	}
	// A hostile name in the recorded check (as an older casevault, or a
	// name typed in, could hold).
	err = s.st.Update(ctx, func(tx *store.Tx) error {
		names, _ := json.Marshal([]string{evil, "[draft] name"})
		_, err := tx.Exec("UPDATE conflict_checks SET names = ? WHERE id = ?", string(names), res.CheckID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DecideConflict(ctx, res.CheckID, "conflict", "first look <b>bold</b>"); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideConflict(ctx, res.CheckID, "waived", "Consent in the red file, drawer 2"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisplayName(ctx, "Jane Roe, Esq."); err != nil {
		t.Fatal(err)
	}
	rep, err := s.ConflictReport(ctx, res.CheckID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Owner != "Jane Roe, Esq." || rep.MadeBy != "Jane Roe, Esq." {
		t.Errorf("report owner %q, made by %q", rep.Owner, rep.MadeBy)
	}
	if a := lastAudit(t, s); a.Action != "conflict.report" || !strings.HasPrefix(a.Records, ref("conflict_check", res.CheckID)) {
		t.Errorf("the report's audit entry: %+v", a)
	}
	var html strings.Builder
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	for _, want := range []string{
		"Conflict check ", "Eve &lt;script&gt;alert(1)&lt;/script&gt; &#34;Q&#34; &amp; Sons\\x1b[31m", "[draft] name",
		"Eve Script &amp; Sons", "Client", "Waived (written consent)", "Consent in the red file, drawer 2",
		"first look &lt;b&gt;bold&lt;/b&gt;", "Conflict</td>", "tester", "@media print", "1 hit",
		"Jane Roe, Esq.'s conflict check record", "by Jane Roe, Esq. from the vault",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>", "\x1b", "<b>", "http:", "https:", "src=", "<link", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{"(Jane Roe, Esq.'s conflict check record)", "Names checked: Eve <script>alert(1)</script> \"Q\" & Sons\\x1b[31m; [draft] name", "Decision:      Waived (written consent)",
		"Note:          Consent in the red file, drawer 2", "1 hit", "Eve Script & Sons", "Conflict, by tester", "Note: first look <b>bold</b>"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("the text holds an escape code")
	}
	// The page opens as the access report's does: a private file.
	path, remove, _, err := ReportTempFile(rep.WriteHTML)
	if err != nil {
		t.Fatal(err)
	}
	defer remove()
	if !strings.HasSuffix(path, "report.html") {
		t.Errorf("path %s", path)
	}
}

// TestDecisionWords: every decision, and a decision made before the
// history kept who made it, in words.
func TestDecisionWords(t *testing.T) {
	for d, want := range map[string]string{"": "Not decided", "clear": "Clear: no conflict", "conflict": "Conflict", "waived": "Waived (written consent)", "odd": "Unknown decision (odd)"} {
		if got := DecisionLabel(d); got != want {
			t.Errorf("DecisionLabel(%q) = %q, want %q", d, got, want)
		}
	}
	if got := DecisionActor(""); !strings.Contains(got, "not recorded") {
		t.Errorf("DecisionActor(\"\") = %q", got)
	}
	for role, want := range map[string]string{"client": "Client", "alias": "Client's other name", "adverse": "Adverse party", "opposing_counsel": "Opposing counsel", "co_counsel": "Co-counsel", "witness": "Witness", "new_kind": "New kind"} {
		if got := HitRoleLabel(role); got != want {
			t.Errorf("HitRoleLabel(%q) = %q, want %q", role, got, want)
		}
	}
	for h, want := range map[*ConflictHit]string{
		{Role: "adverse", NameKind: "former", PartyName: "Walter Smith"}: "Adverse party, former name of Walter Smith",
		{Role: "witness", NameKind: "alias", PartyName: "Wally"}:         "Witness, other name of Wally",
		{Role: "joint_client"}: "Joint client",
		{Role: "client"}:       "Client",
	} {
		if got := hitAs(*h); got != want {
			t.Errorf("hitAs(%+v) = %q, want %q", *h, got, want)
		}
	}
	for c, want := range map[string]string{"": "Run by hand", "client:12": "On saving new client 12", "party:17 matter:4": "On saving new party 17 in matter 4"} {
		if got := contextWords(c); got != want {
			t.Errorf("contextWords(%q) = %q, want %q", c, got, want)
		}
	}
}

// FuzzParseCheckRecord: whatever a vault holds as a check's names and
// hits, reading them back never panics, and what reads is what a check
// would have written.
func FuzzParseCheckRecord(f *testing.F) {
	for _, s := range []string{`[]`, `["a","b"]`, `[{"query":"a","client_id":1,"hidden":true}]`, `null`, `{}`, `[1]`, `"x"`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b string) {
		if names, err := parseCheckNames(b); err == nil {
			if names == nil {
				t.Fatalf("%q: nil names without an error", b)
			}
		} else if !errors.Is(err, ErrUnreadableCheck) {
			t.Fatalf("%q: %v", b, err)
		}
		hits, err := parseCheckHits(b)
		if err != nil {
			if !errors.Is(err, ErrUnreadableCheck) {
				t.Fatalf("%q: %v", b, err)
			}
			return
		}
		shown := shownHits(hits, true)
		seen := map[string]bool{}
		for _, h := range shown {
			if h.Hidden {
				if seen[h.Query] || h.Name != "" || h.ClientID != 0 || h.MatterID != 0 || h.Why != RestrictedConflict {
					t.Fatalf("%q: restricted row %+v", b, h)
				}
				seen[h.Query] = true
			}
		}
		if _, err := json.Marshal(shown); err != nil {
			t.Fatalf("%q: %v", b, err)
		}
	})
}
