package app

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"casevault/app/access"
	"casevault/app/intake/form"
	"casevault/store"
)

func TestIntakeDraft(t *testing.T) {
	s, _, _ := testSession(t)
	sub := intakeSubFull("Jane Roe", intakeT0, "Richard Roe", "Acme Ltd", " Richard Roe ")
	others, _ := sub.Answer(form.KeyOtherNames)
	others.List = append(others.List, "Jane Roe", "Jane Roe-Former") // her own name, and one twice
	id := addIntake(t, s, sub)
	d, err := s.IntakeDraft(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c := d.Client
	if *c.Name != "Jane Roe" || strings.Join(*c.Aliases, "|") != "Jane Roe-Former" || *c.DOB != "1984-05-06" || *c.Phone != "+1 555 0100" ||
		*c.Email != "jane@example.com" || *c.Address != "1 Elm Street\nSpringfield" {
		t.Errorf("client %+v", c)
	}
	if c.Notes == nil || !strings.Contains(*c.Notes, "\nIs it safe to leave you a message? No") || !strings.Contains(*c.Notes, "\nHow should we contact you? E-mail") || strings.Contains(*c.Notes, "?:") {
		t.Errorf("client notes %v", c.Notes)
	}
	if d.MatterTitle != "Jane Roe — family" || d.PracticeArea != "Family" {
		t.Errorf("matter %q in %q", d.MatterTitle, d.PracticeArea)
	}
	var parties []string
	for _, p := range d.Parties {
		parties = append(parties, p.Role+":"+p.Name)
	}
	if strings.Join(parties, "|") != "adverse:Richard Roe|adverse:Acme Ltd|related:Olive Witherspoon|opposing_counsel:Barnaby Quill" {
		t.Errorf("parties %q", parties)
	}
	if !strings.Contains(d.MatterNote, "\n\nWhat would you like help with?\nA divorce.") || !strings.Contains(d.MatterNote, "Important dates:\nHearing: 2027-01-15") || !strings.Contains(d.MatterNote, "Hearing: 2027-01-15") {
		t.Errorf("matter note %q", d.MatterNote)
	}
	if d.CheckID != 0 || d.Decision != "" {
		t.Errorf("the draft decides nothing: check %d, decision %q", d.CheckID, d.Decision)
	}
	if e := lastAudit(t, s); e.Action != "intake.view" || e.Records != intakeRef(id) {
		t.Errorf("audit %+v", e)
	}
	res, err := s.CheckIntakeConflicts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = s.IntakeDraft(ctx, id); err != nil || d.CheckID != res.CheckID {
		t.Errorf("the draft after the check: %d, want %d (%v)", d.CheckID, res.CheckID, err)
	}
}

// acceptable is a submission checked, and the draft to accept it, decided
// clear.
func acceptable(t *testing.T, s *Session, name string, adverse ...string) (int64, IntakeAcceptance) {
	t.Helper()
	id := addIntake(t, s, intakeSubFull(name, intakeT0, adverse...))
	if _, err := s.CheckIntakeConflicts(ctx, id); err != nil {
		t.Fatal(err)
	}
	d, err := s.IntakeDraft(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	d.Decision = "clear"
	return id, *d
}

func TestAcceptIntake(t *testing.T) {
	s, _, _ := testSession(t)
	id, a := acceptable(t, s, "Jane Roe", "Richard Roe")
	a.MatterTitle = "Roe divorce" // edited before saving
	clientID, matterID, err := s.AcceptIntake(ctx, id, a)
	if err != nil {
		t.Fatal(err)
	}
	e := lastAudit(t, s)
	wantRecs := fmt.Sprintf("intake:%d client:%d matter:%d conflict_check:%d", id, clientID, matterID, a.CheckID)
	if e.Action != "intake.accept" || e.Records != wantRecs || e.Detail != fmt.Sprintf(`client "Jane Roe", matter "Roe divorce", 3 parties, conflict check %d clear`, a.CheckID) {
		t.Errorf("audit %+v, want records %s", e, wantRecs)
	}
	c, err := s.GetClient(ctx, clientID)
	if err != nil || c.Name != "Jane Roe" || c.Email != "jane@example.com" || c.DOB != "1984-05-06" || len(c.Aliases) != 1 || len(c.Matters) != 1 {
		t.Fatalf("client %+v %v", c, err)
	}
	m, err := s.GetMatter(ctx, matterID)
	if err != nil || m.Title != "Roe divorce" || m.PracticeArea != "Family" || len(m.Parties) != 3 || len(m.Notes) != 1 || m.ClientID != clientID {
		t.Fatalf("matter %+v %v", m, err)
	}
	chk, err := s.GetConflictCheck(ctx, a.CheckID)
	if err != nil || chk.Decision != "clear" || len(chk.History) != 1 || chk.History[0].Actor != s.actor {
		t.Errorf("the check's decision: %+v %v", chk, err)
	}
	d, err := s.GetIntake(ctx, id)
	if err != nil || d.Status != IntakeAccepted || d.ClientID != clientID || d.MatterID != matterID || d.DecidedBy != s.actor || d.DecidedAt.IsZero() {
		t.Errorf("the submission after: %+v %v", d, err)
	}
	// The prospect is a client now: a check finds the client, not the
	// submission.
	res, err := s.CheckConflicts(ctx, []string{"Jane Roe"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.IntakeID != 0 {
			t.Errorf("the accepted submission is still a prospect: %+v", h)
		}
	}
	if len(res.Hits) == 0 || res.Hits[0].ClientID != clientID {
		t.Errorf("the new client is not found: %+v", res.Hits)
	}
	// One decision only.
	if _, _, err := s.AcceptIntake(ctx, id, a); !errors.Is(err, ErrIntakeDecided) {
		t.Errorf("accepted twice: %v", err)
	}
	if err := s.DeclineIntake(ctx, id, "changed our mind"); !errors.Is(err, ErrIntakeDecided) {
		t.Errorf("declined after accepting: %v", err)
	}
	if err := s.DeleteIntakeAsSpam(ctx, id); !errors.Is(err, ErrIntakeDecided) {
		t.Errorf("spam after accepting: %v", err)
	}
	if _, err := s.IntakeDraft(ctx, id); !errors.Is(err, ErrIntakeDecided) {
		t.Errorf("a draft after accepting: %v", err)
	}
}

// Every refusal of AcceptIntake changes nothing.
func TestAcceptIntakeRefusals(t *testing.T) {
	s, _, _ := testSession(t)
	id, good := acceptable(t, s, "Jane Roe", "Richard Roe")
	other, otherDraft := acceptable(t, s, "John Doe")
	_ = other
	stale := good.CheckID
	if _, err := s.CheckIntakeConflicts(ctx, id); err != nil { // a newer check
		t.Fatal(err)
	}
	if good, _ = func() (IntakeAcceptance, error) { d, err := s.IntakeDraft(ctx, id); return *d, err }(); good.CheckID == stale {
		t.Fatal("no newer check")
	}
	good.Decision = "clear"
	edit := func(f func(a *IntakeAcceptance)) IntakeAcceptance {
		a := good
		a.Parties = append([]PartyInput(nil), good.Parties...)
		f(&a)
		return a
	}
	cases := []struct {
		name  string
		a     IntakeAcceptance
		field string
		words string
	}{
		{"no check", edit(func(a *IntakeAcceptance) { a.CheckID = 0 }), "check", "Run the conflict check"},
		{"another submission's check", edit(func(a *IntakeAcceptance) { a.CheckID = otherDraft.CheckID }), "check", "was not run on intake submission"},
		{"an older check", edit(func(a *IntakeAcceptance) { a.CheckID = stale }), "check", "is not the latest"},
		{"a conflict", edit(func(a *IntakeAcceptance) { a.Decision = "conflict" }), "decision", "decline the submission instead"},
		{"no decision", edit(func(a *IntakeAcceptance) { a.Decision = "" }), "decision", "Record the decision"},
		{"an unknown decision", edit(func(a *IntakeAcceptance) { a.Decision = "maybe" }), "decision", "not one of clear, waived"},
		{"a waiver without a note", edit(func(a *IntakeAcceptance) { a.Decision = "waived" }), "note", "written consent"},
		{"a bad e-mail", edit(func(a *IntakeAcceptance) { a.Client.Email = ptr("jane(at)example") }), "email", "not an e-mail address"},
		{"no name", edit(func(a *IntakeAcceptance) { a.Client.Name = ptr("  ") }), "name", "needs a name"},
		{"escape codes in the name", edit(func(a *IntakeAcceptance) { a.Client.Name = ptr("Jane \x1b[2J Roe") }), "name", "type it again"},
		{"no title", edit(func(a *IntakeAcceptance) { a.MatterTitle = "" }), "title", "needs a title"},
		{"a party without a name", edit(func(a *IntakeAcceptance) { a.Parties[0].Name = "" }), "name", "party needs a name"},
		{"a party role", edit(func(a *IntakeAcceptance) { a.Parties[0].Role = "enemy" }), "role", "not a party's role"},
		{"a future birth", edit(func(a *IntakeAcceptance) { a.Client.DOB = ptr("2999-01-01") }), "dob", "in the future"},
	}
	before := snap(t, s)
	for _, c := range cases {
		_, _, err := s.AcceptIntake(ctx, id, c.a)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(fe.Message, c.words) {
			t.Errorf("%s: %v, want %s: …%s…", c.name, err, c.field, c.words)
		}
	}
	after := snap(t, s)
	after.audit, after.counts.Audit = before.audit, before.counts.Audit
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("a refused accept changed the vault: %+v → %+v", before.counts, after.counts)
	}
	if d, err := s.GetIntake(ctx, id); err != nil || d.Status != IntakeNew {
		t.Errorf("the submission after the refusals: %+v %v", d, err)
	}
	if _, _, err := s.AcceptIntake(ctx, 9999, good); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such submission: %v", err)
	}
	// A waiver with its note is accepted.
	w := edit(func(a *IntakeAcceptance) { a.Decision, a.DecisionNote = "waived", "Consent letter in the paper file" })
	if _, _, err := s.AcceptIntake(ctx, id, w); err != nil {
		t.Errorf("waived with a note: %v", err)
	}
	if chk, err := s.GetConflictCheck(ctx, w.CheckID); err != nil || chk.Decision != "waived" || chk.Note != "Consent letter in the paper file" {
		t.Errorf("the waiver: %+v %v", chk, err)
	}
}

// Accepting is one transaction: a failure after the client is added
// leaves no client, matter, party, note or decision behind.
func TestAcceptIntakeAtomic(t *testing.T) {
	s, _, _ := testSession(t)
	id, a := acceptable(t, s, "Jane Roe", "Richard Roe")
	if err := s.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`CREATE TRIGGER test_no_accept BEFORE UPDATE OF status ON intake_submissions WHEN NEW.status = 'accepted'
			BEGIN SELECT RAISE(ABORT, 'test: refused'); END`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := snap(t, s)
	if _, _, err := s.AcceptIntake(ctx, id, a); err == nil || !strings.Contains(err.Error(), "test: refused") {
		t.Fatalf("accept with the last step failing: %v", err)
	}
	after := snap(t, s)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("a failed accept left something: %+v → %+v", before.counts, after.counts)
	}
	if chk, err := s.GetConflictCheck(ctx, a.CheckID); err != nil || chk.Decision != "" {
		t.Errorf("the check after a failed accept: %+v %v", chk, err)
	}
}

// Two people accepting the same submission at once: one client, one
// ErrIntakeDecided.
func TestAcceptIntakeTwiceAtOnce(t *testing.T) {
	s, _, _ := testSession(t)
	id, a := acceptable(t, s, "Jane Roe")
	before := snap(t, s).counts.Clients
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = s.AcceptIntake(ctx, id, a)
		}()
	}
	wg.Wait()
	ok, decided := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrIntakeDecided):
			decided++
		default:
			t.Errorf("accept: %v", err)
		}
	}
	if ok != 1 || decided != 1 || snap(t, s).counts.Clients != before+1 {
		t.Errorf("%d accepted, %d refused, clients %d → %d", ok, decided, before, snap(t, s).counts.Clients)
	}
}

func TestDeclineIntake(t *testing.T) {
	s, _, _ := testSession(t)
	id := addIntake(t, s, intakeSub("Jane Roe", intakeT0))
	if _, err := s.CheckIntakeConflicts(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, reason := range []string{"", "  ", "\u200b"} {
		if err := s.DeclineIntake(ctx, id, reason); !errors.Is(err, ErrInvalid) {
			t.Errorf("reason %q: %v", reason, err)
		}
	}
	if err := s.DeclineIntake(ctx, id, "Conflict with an existing client\nsee check"); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "intake.decline" || e.Records != intakeRef(id) || strings.Contains(e.Detail, "Conflict with") {
		t.Errorf("audit %+v (the reason stays out of the trail)", e)
	}
	d, err := s.GetIntake(ctx, id)
	if err != nil || d.Status != IntakeDeclined || d.Reason != "Conflict with an existing client\nsee check" || d.CheckID == 0 {
		t.Errorf("declined: %+v %v", d, err)
	}
	// The declined prospect stays in the conflict index (ABA Model Rule 1.18).
	res, err := s.CheckConflicts(ctx, []string{"Jane Roe"})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].IntakeID != id || res.Hits[0].IntakeStatus != IntakeDeclined {
		t.Errorf("a check after declining: %+v %v", res, err)
	}
	if err := s.DeclineIntake(ctx, id, "again"); !errors.Is(err, ErrIntakeDecided) {
		t.Errorf("declined twice: %v", err)
	}
	if err := s.DeleteIntakeAsSpam(ctx, id); !errors.Is(err, ErrIntakeDecided) {
		t.Errorf("a declined prospect deleted as spam: %v", err)
	}
	if err := s.DeclineIntake(ctx, 9999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such submission: %v", err)
	}
}

func TestDeleteIntakeAsSpam(t *testing.T) {
	s, _, _ := testSession(t)
	doc := form.File{Meta: form.FileMeta{N: 1, Question: form.KeyOtherFiles, Name: "offer.pdf", MediaType: "application/pdf"}, Data: []byte("%PDF spam")}
	id := addIntake(t, s, intakeSub("Cheap Pills", intakeT0, "Qzvspamcanary"), doc)
	if err := s.VerifyIntake(ctx, id, IntakeVerification{DocType: "Passport", Note: "Qzvspamcanary"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteIntakeAsSpam(ctx, id); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "intake.spam" || e.Records != intakeRef(id) || e.Detail != "answers and 1 file deleted" {
		t.Errorf("audit %+v", e)
	}
	d, err := s.GetIntake(ctx, id)
	if err != nil || d.Status != IntakeSpam || d.Submission != nil || len(d.FileList) != 0 || d.FullName != "" || d.Verification.Recorded() || d.DecidedBy != s.actor {
		t.Errorf("after spam: %+v %v", d, err)
	}
	// Nothing of it is left in the row or the files, and it is no longer
	// a prospect.
	var leftover int
	s.st.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT (SELECT count(*) FROM intake_files WHERE submission_id = ?1) +
			(SELECT count(*) FROM intake_submissions WHERE id = ?1 AND (payload || full_name || conflict_names || verified_note || practice_area) LIKE '%Qzv%' OR payload <> '')`, id).Scan(&leftover)
	})
	if leftover != 0 {
		t.Errorf("%d traces left", leftover)
	}
	if res, err := s.CheckConflicts(ctx, []string{"Qzvspamcanary"}); err != nil || len(res.Hits) != 0 {
		t.Errorf("spam still in the conflict index: %+v %v", res, err)
	}
	if err := s.DeleteIntakeAsSpam(ctx, id); !errors.Is(err, ErrIntakeDecided) {
		t.Errorf("spam twice: %v", err)
	}
	if err := s.DeleteIntakeAsSpam(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such submission: %v", err)
	}
}

// The review queue's operations in the permission matrix.
func init() {
	for _, v := range []string{"ViewIntake", "EditIntake", "AcceptIntake"} {
		delete(matrixUnusedVerbs, v)
	}
	newIntake := func(t *testing.T, s *Session, fx *matrixFix) any {
		return addIntake(t, s, intakeSub(fmt.Sprintf("Matrix Prospect %d", fx.next()), intakeT0))
	}
	checked := func(t *testing.T, s *Session, fx *matrixFix) any {
		id := newIntake(t, s, fx).(int64)
		d, err := s.IntakeDraft(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.CheckIntakeConflicts(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		d.CheckID, d.Decision = res.CheckID, "clear"
		return [2]any{id, *d}
	}
	withFile := func(t *testing.T, s *Session, fx *matrixFix) any {
		id := addIntake(t, s, intakeSub(fmt.Sprintf("Matrix Prospect %d", fx.next()), intakeT0),
			form.File{Meta: form.FileMeta{N: 1, Name: "a.txt", MediaType: "text/plain"}, Data: []byte("a")})
		var fileID int64
		s.st.View(ctx, func(tx *store.Tx) error {
			fs, err := tx.IntakeFiles(id)
			if len(fs) == 1 {
				fileID = fs[0].ID
			}
			return err
		})
		return [2]int64{id, fileID}
	}
	matrixMore = append(matrixMore, func() []matrixOp {
		return []matrixOp{
			{name: "Session.ListIntake", verbs: vs(access.ViewIntake), setup: newIntake, run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, _, err := s.ListIntake(ctx, IntakeFilter{})
				return err
			}},
			{name: "Session.GetIntake", verbs: vs(access.ViewIntake), setup: newIntake, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.GetIntake(ctx, id.(int64))
				return err
			}},
			{name: "Session.IntakeFileData", verbs: vs(access.ViewIntake), setup: withFile, run: func(t *testing.T, s *Session, fx *matrixFix, ids any, _ access.Role) error {
				_, _, err := s.IntakeFileData(ctx, ids.([2]int64)[0], ids.([2]int64)[1])
				return err
			}},
			{name: "Session.SaveIntakeFile", verbs: vs(access.ViewIntake, access.ExportRecords), setup: withFile, run: func(t *testing.T, s *Session, fx *matrixFix, ids any, _ access.Role) error {
				return s.SaveIntakeFile(ctx, ids.([2]int64)[0], ids.([2]int64)[1], &strings.Builder{})
			}},
			{name: "Session.CheckIntakeConflicts", verbs: vs(access.ViewIntake, access.CheckConflict), setup: newIntake, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.CheckIntakeConflicts(ctx, id.(int64))
				return err
			}},
			{name: "Session.VerifyIntake", verbs: vs(access.EditIntake), setup: newIntake, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.VerifyIntake(ctx, id.(int64), IntakeVerification{DocType: "Passport"})
			}},
			{name: "Session.IntakeDraft", verbs: vs(access.ViewIntake), setup: newIntake, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.IntakeDraft(ctx, id.(int64))
				return err
			}},
			{name: "Session.AcceptIntake", verbs: vs(access.AcceptIntake), setup: checked, run: func(t *testing.T, s *Session, fx *matrixFix, arg any, _ access.Role) error {
				x := arg.([2]any)
				_, _, err := s.AcceptIntake(ctx, x[0].(int64), x[1].(IntakeAcceptance))
				return err
			}},
			{name: "Session.DeclineIntake", verbs: vs(access.EditIntake), setup: newIntake, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.DeclineIntake(ctx, id.(int64), "not for us")
			}},
			{name: "Session.DeleteIntakeAsSpam", verbs: vs(access.EditIntake), setup: newIntake, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				return s.DeleteIntakeAsSpam(ctx, id.(int64))
			}},
			{name: "Session.IntakeSummaryReport", verbs: vs(access.ViewIntake), setup: newIntake, run: func(t *testing.T, s *Session, fx *matrixFix, id any, _ access.Role) error {
				_, err := s.IntakeSummaryReport(ctx, id.(int64))
				return err
			}},
			{name: "Session.SaveIntakeSummary", verbs: vs(access.ExportRecords), setup: func(t *testing.T, s *Session, fx *matrixFix) any {
				r, err := s.IntakeSummaryReport(ctx, newIntake(t, s, fx).(int64))
				if err != nil {
					t.Fatal(err)
				}
				return r
			}, run: func(t *testing.T, s *Session, fx *matrixFix, r any, _ access.Role) error {
				return s.SaveIntakeSummary(ctx, r.(*IntakeReport), &strings.Builder{})
			}},
		}
	})
	matrixNoCheck["Session.IntakeNewCount"] = "the badge's count: 0 for a role without intake read (Can), no record, so polling it records no refusal"
	matrixDeniedMore[access.ParalegalRole] = append(matrixDeniedMore[access.ParalegalRole], "Session.AcceptIntake", "Session.SaveIntakeFile", "Session.SaveIntakeSummary")
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole], "Session.AcceptIntake", "Session.SaveIntakeFile",
		"Session.SaveIntakeSummary", "Session.VerifyIntake", "Session.DeclineIntake", "Session.DeleteIntakeAsSpam")
}

var _ = time.Second

// A submission accepted as a client the user may not see is that client's
// data: listed without its name, not found when opened, its files too.
func TestAcceptedIntakeBehindClass(t *testing.T) {
	s, _, _ := testSession(t)
	doc := form.File{Meta: form.FileMeta{N: 1, Name: "id.jpg", MediaType: "image/jpeg"}, Data: []byte("JPEG")}
	id := addIntake(t, s, intakeSubFull("Jane Roe", intakeT0), doc)
	if _, err := s.CheckIntakeConflicts(ctx, id); err != nil {
		t.Fatal(err)
	}
	a, err := s.IntakeDraft(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	a.Decision = "clear"
	clientID, _, err := s.AcceptIntake(ctx, id, *a)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.GetIntake(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSecurityClass(ctx, "client", clientID, ClassRestricted, nil); err != nil {
		t.Fatal(err)
	}
	s.st.SetViewer(store.Viewer{UserID: 99}) // not named by the class
	list, _, err := s.ListIntake(ctx, IntakeFilter{Status: IntakeAll})
	if err != nil || len(list) != 1 || list[0].FullName != "" || !list[0].Restricted || list[0].Files != 0 || list[0].Status != IntakeAccepted {
		t.Errorf("list: %+v %v", list, err)
	}
	if _, err := s.GetIntake(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetIntake: %v", err)
	}
	if _, _, err := s.IntakeFileData(ctx, id, d.FileList[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("IntakeFileData: %v", err)
	}
	if err := s.SaveIntakeFile(ctx, id, d.FileList[0].ID, &strings.Builder{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SaveIntakeFile: %v", err)
	}
	if _, err := s.IntakeSummaryReport(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("IntakeSummaryReport: %v", err)
	}
	if err := s.VerifyIntake(ctx, id, IntakeVerification{DocType: "Passport"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("VerifyIntake: %v", err)
	}
	s.st.SetViewer(store.Everyone)
	if _, err := s.GetIntake(ctx, id); err != nil {
		t.Errorf("the owner: %v", err)
	}
}
