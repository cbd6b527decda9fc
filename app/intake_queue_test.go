package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"casevault/app/access"
	"casevault/app/intake/form"
	"casevault/store"
)

// intakeSub is a submission as the intake form would send it: the person
// and the other side, and a few more answers.
func intakeSub(name string, at time.Time, adverse ...string) *form.Submission {
	sub := intakeSubFull(name, at, adverse...)
	var answers []form.Answer
	for _, a := range sub.Answers {
		switch a.Key {
		case form.KeyOtherNames, form.KeyOtherPeople, form.KeyOpposingCounsel:
		default:
			answers = append(answers, a)
		}
	}
	sub.Answers = answers
	return sub
}

// intakeSubFull is intakeSub with the person's other name, other people
// and the other side's lawyer.
func intakeSubFull(name string, at time.Time, adverse ...string) *form.Submission {
	sub := &form.Submission{
		Format: form.FormatName, Version: form.FormatVersion, ID: form.NewID(), ReceivedAt: at.UTC(), Session: form.NewSessionID(),
		PracticeArea: "family", FormVersion: 1, Notice: form.Notice{Version: 2, Text: "We keep what you tell us private."}, Consent: true,
		Answers: []form.Answer{
			{Key: form.KeyFullName, Label: "Full legal name", Kind: form.Short, Text: name},
			{Key: form.KeyOtherNames, Label: "Other or former names", Kind: form.Names, List: []string{name + "-Former"}},
			{Key: form.KeyDateOfBirth, Label: "Date of birth", Kind: form.Date, Text: "1984-05-06"},
			{Key: form.KeyAddress, Label: "Home address", Kind: form.Long, Text: "1 Elm Street\nSpringfield"},
			{Key: form.KeyPhone, Label: "Phone number", Kind: form.Phone, Text: "+1 555 0100"},
			{Key: form.KeyEmail, Label: "E-mail address", Kind: form.Email, Text: "jane@example.com"},
			{Key: form.KeyContactMethod, Label: "How should we contact you?", Kind: form.Choice, Text: "E-mail"},
			{Key: form.KeySafeToLeaveMsgs, Label: "Is it safe to leave you a message?", Kind: form.YesNo, Text: "no"},
			{Key: form.KeyDescription, Label: "What would you like help with?", Kind: form.Long, Text: "A divorce."},
			{Key: form.KeyKeyDates, Label: "Important dates", Kind: form.Dates, Dates: []form.KeyDate{{What: "Hearing", Date: "2027-01-15"}}},
			{Key: form.KeyAdverseParties, Label: "People or organisations on the other side", Kind: form.Names, List: adverse},
			{Key: form.KeyOtherPeople, Label: "Other people involved", Kind: form.Names, List: []string{"Olive Witherspoon"}},
			{Key: form.KeyOpposingCounsel, Label: "The other side's lawyer, if you know", Kind: form.Names, List: []string{"Barnaby Quill"}},
		},
	}
	return sub
}

// addIntake stores a submission as the importer does (the store's insert,
// the names a check compares) with files, and makes the session's
// conflict index see it. It returns the submission's id.
func addIntake(t *testing.T, s *Session, sub *form.Submission, files ...form.File) int64 {
	t.Helper()
	payload, err := json.Marshal(sub)
	if err != nil {
		t.Fatal(err)
	}
	row := &store.IntakeSubmission{SealedID: sub.ID, ReceivedAt: sub.ReceivedAt, ImportedAt: sub.ReceivedAt.Add(time.Minute),
		PracticeArea: sub.PracticeArea, FullName: sub.FullName(), Payload: string(payload)}
	for _, n := range sub.ConflictNames() {
		row.ConflictNames = append(row.ConflictNames, store.IntakeName{Name: n.Name, Role: n.Role})
	}
	var sf []store.IntakeFile
	for _, f := range files {
		sf = append(sf, store.IntakeFile{N: f.Meta.N, Question: f.Meta.Question, Name: f.Meta.Name, MediaType: f.Meta.MediaType,
			Size: int64(len(f.Data)), SHA256: f.Meta.SHA256, Content: f.Data})
	}
	var id int64
	err = s.st.Update(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertIntakeSubmission(row, sf)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.gen++ // as an import does (namesChange)
	s.mu.Unlock()
	return id
}

var intakeT0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func TestListIntake(t *testing.T) {
	s, _, _ := testSession(t)
	client, err := s.AddClient(ctx, ClientInput{Name: ptr("Walter Harrowgate")})
	if err != nil {
		t.Fatal(err)
	}
	a := addIntake(t, s, intakeSub("Jane Roe", intakeT0, "Walter Harrowgate"))
	b := addIntake(t, s, intakeSub("Quentin Zebulon", intakeT0.Add(time.Hour)))
	c := addIntake(t, s, intakeSub("Jane Roe", intakeT0.Add(2*time.Hour), "Someone Else Entirely"))
	d := addIntake(t, s, intakeSub("Declan Mbeki", intakeT0.Add(3*time.Hour)))
	if err := s.DeclineIntake(ctx, d, "Outside our practice areas"); err != nil {
		t.Fatal(err)
	}

	before := auditCount(t, s)
	list, total, err := s.ListIntake(ctx, IntakeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(list) != 3 || list[0].ID != c || list[1].ID != b || list[2].ID != a {
		t.Fatalf("new submissions, newest first: %+v (total %d)", list, total)
	}
	// Hits: a's adverse party is a client; a and c name the same person
	// (each finds the other, never itself); b finds no one.
	hits := map[int64]int{}
	for _, x := range list {
		hits[x.ID] = x.Hits
		if x.Restricted || x.Status != IntakeNew || x.PracticeArea != "family" {
			t.Errorf("summary %+v", x)
		}
	}
	if hits[b] != 0 || hits[a] < 2 || hits[c] < 1 {
		t.Errorf("hits a=%d b=%d c=%d, want a ≥ 2 (the client and the other Jane Roe), b = 0, c ≥ 1", hits[a], hits[b], hits[c])
	}
	e := lastAudit(t, s)
	if auditCount(t, s) != before+1 || e.Action != "intake.list" || e.Detail != "3 submissions of 3 shown, status new" {
		t.Errorf("audit after the list: %d → %d, %+v", before, auditCount(t, s), e)
	}
	// The list recorded no conflict check.
	if checks, n, err := s.ListConflictChecks(ctx, ConflictFilter{}); err != nil || n != 0 {
		t.Errorf("conflict checks after listing: %d %v %v", n, checks, err)
	}

	// A name query, any case, also finds other names; all statuses.
	e2 := addIntake(t, s, intakeSubFull("Emma Stone-Wall", intakeT0.Add(-time.Hour)))
	list, total, err = s.ListIntake(ctx, IntakeFilter{Query: "stone-wall-FORMER"})
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != e2 {
		t.Errorf("by another name: %+v %d %v", list, total, err)
	}
	list, total, err = s.ListIntake(ctx, IntakeFilter{Status: IntakeAll, Limit: 2})
	if err != nil || total != 5 || len(list) != 2 || list[0].ID != d || list[0].Hits != -1 || list[0].Status != IntakeDeclined {
		t.Errorf("all, 2 at a time: %+v %d %v", list, total, err)
	}
	list, total, err = s.ListIntake(ctx, IntakeFilter{Status: IntakeAll, Limit: 2, Offset: 2})
	if err != nil || total != 5 || len(list) != 2 || list[0].ID != b {
		t.Errorf("all, the second page: %+v %d %v", list, total, err)
	}
	list, _, err = s.ListIntake(ctx, IntakeFilter{Status: IntakeDeclined})
	if err != nil || len(list) != 1 || list[0].ID != d {
		t.Errorf("declined: %+v %v", list, err)
	}
	// A query with LIKE's wildcards matches them as written.
	if list, total, err = s.ListIntake(ctx, IntakeFilter{Query: "%"}); err != nil || total != 0 || len(list) != 0 {
		t.Errorf("query %%: %+v %d %v", list, total, err)
	}
	_ = client

	for _, f := range []IntakeFilter{{Status: "pending"}, {Limit: -1}, {Limit: MaxIntakePage + 1}, {Offset: -1}, {Query: "a\x1b[2Jb"}} {
		if _, _, err := s.ListIntake(ctx, f); !errors.Is(err, ErrInvalid) {
			t.Errorf("ListIntake(%+v): %v, want a field error", f, err)
		}
	}
}

// A submission's hits in a client the user may not see count once per
// name, marked Restricted; the submission itself is listed with its name.
func TestListIntakeRestricted(t *testing.T) {
	s, _, _ := testSession(t)
	hidden, err := s.AddClient(ctx, ClientInput{Name: ptr("Walter Harrowgate")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Walter Harrowgate-Smythe"), Aliases: &[]string{"W. Harrowgate"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSecurityClass(ctx, "client", hidden, ClassRestricted, nil); err != nil {
		t.Fatal(err)
	}
	id := addIntake(t, s, intakeSub("Jane Roe", intakeT0, "Walter Harrowgate"))
	s.st.SetViewer(store.Viewer{UserID: 99}) // a user not named by the class
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
	list, _, err := s.ListIntake(ctx, IntakeFilter{})
	if err != nil || len(list) != 1 || list[0].ID != id || list[0].FullName != "Jane Roe" || !list[0].Restricted || list[0].Hits < 1 {
		t.Fatalf("restricted: %+v %v", list, err)
	}
}

func TestIntakeNewCount(t *testing.T) {
	s, _, _ := testSession(t)
	if n, err := s.IntakeNewCount(ctx); err != nil || n != 0 {
		t.Fatalf("empty: %d %v", n, err)
	}
	addIntake(t, s, intakeSub("Jane Roe", intakeT0))
	id := addIntake(t, s, intakeSub("John Doe", intakeT0))
	if err := s.DeleteIntakeAsSpam(ctx, id); err != nil {
		t.Fatal(err)
	}
	before := auditCount(t, s)
	if n, err := s.IntakeNewCount(ctx); err != nil || n != 1 {
		t.Errorf("one new: %d %v", n, err)
	}
	// A role without intake read: 0, and no refusal recorded.
	p := builtin(t, access.OwnerRole).Perms.Clone()
	p[access.Intake] = access.Deny
	actAs(s, "nointake", access.Role{Name: "No intake", Perms: p})
	if n, err := s.IntakeNewCount(ctx); err != nil || n != 0 {
		t.Errorf("without intake read: %d %v", n, err)
	}
	if auditCount(t, s) != before {
		t.Errorf("the count recorded something: %d → %d", before, auditCount(t, s))
	}
}

func TestGetIntakeAndFiles(t *testing.T) {
	s, _, _ := testSession(t)
	doc := form.File{Meta: form.FileMeta{N: 1, Question: form.KeyIDDocument, Name: "passport.jpg", MediaType: "image/jpeg", SHA256: "ab"}, Data: []byte("JPEG bytes")}
	id := addIntake(t, s, intakeSub("Jane Roe", intakeT0), doc)
	other := addIntake(t, s, intakeSub("John Doe", intakeT0))

	d, err := s.GetIntake(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.FullName != "Jane Roe" || d.Submission == nil || d.Submission.FullName() != "Jane Roe" || len(d.FileList) != 1 ||
		d.FileList[0].Name != "passport.jpg" || d.FileList[0].Size != 10 || d.Hits != -1 || d.Files != 1 || d.Verification.Recorded() {
		t.Errorf("detail %+v", d)
	}
	e := lastAudit(t, s)
	if e.Action != "intake.view" || e.Records != intakeRef(id) || e.Detail != "new, 10 answers, 1 file" {
		t.Errorf("audit %+v", e)
	}

	info, data, err := s.IntakeFileData(ctx, id, d.FileList[0].ID)
	if err != nil || string(data) != "JPEG bytes" || info.Name != "passport.jpg" {
		t.Errorf("file: %+v %q %v", info, data, err)
	}
	if e := lastAudit(t, s); e.Action != "intake.file" || e.Records != intakeRef(id) || e.Detail != `file 1 "passport.jpg", 10 bytes` {
		t.Errorf("audit %+v", e)
	}
	// Another submission's file, and no such submission: not found.
	if _, _, err := s.IntakeFileData(ctx, other, d.FileList[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a file through another submission: %v", err)
	}
	if _, err := s.GetIntake(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such submission: %v", err)
	}

	// Saving the file: the export right, recorded before it is written.
	var out bytes.Buffer
	if err := s.SaveIntakeFile(ctx, id, d.FileList[0].ID, &out); err != nil || out.String() != "JPEG bytes" {
		t.Errorf("save: %q %v", out.String(), err)
	}
	if e := lastAudit(t, s); e.Action != "report.export" || e.Records != intakeRef(id) {
		t.Errorf("audit %+v", e)
	}
	before := auditCount(t, s)
	if err := s.SaveIntakeFile(ctx, id, d.FileList[0].ID, failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("a failing writer: %v", err)
	}
	if auditCount(t, s) != before+1 {
		t.Errorf("the export was not recorded before writing")
	}
	actAs(s, "pat", builtin(t, access.ParalegalRole))
	if err := s.SaveIntakeFile(ctx, id, d.FileList[0].ID, &out); !errors.Is(err, ErrDenied) {
		t.Errorf("a paralegal saves an upload: %v", err)
	}
	if _, _, err := s.IntakeFileData(ctx, id, d.FileList[0].ID); err != nil {
		t.Errorf("a paralegal opens an upload: %v", err)
	}
}

// A stored submission whose answers cannot be read says so.
func TestGetIntakeUnreadable(t *testing.T) {
	s, _, _ := testSession(t)
	id := addIntake(t, s, intakeSub("Jane Roe", intakeT0))
	if err := s.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec("UPDATE intake_submissions SET payload = '{not json' WHERE id = ?", id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetIntake(ctx, id); !errors.Is(err, ErrUnreadableIntake) {
		t.Errorf("GetIntake: %v", err)
	}
	if _, err := s.IntakeDraft(ctx, id); !errors.Is(err, ErrUnreadableIntake) {
		t.Errorf("IntakeDraft: %v", err)
	}
}

func TestCheckIntakeConflicts(t *testing.T) {
	s, _, _ := testSession(t)
	client, err := s.AddClient(ctx, ClientInput{Name: ptr("Walter Harrowgate")})
	if err != nil {
		t.Fatal(err)
	}
	id := addIntake(t, s, intakeSubFull("Jane Roe", intakeT0, "Walter Harrowgate"))
	earlier := addIntake(t, s, intakeSub("Barnaby Quill", intakeT0.Add(-time.Hour)))
	if err := s.DeclineIntake(ctx, earlier, "A conflict"); err != nil {
		t.Fatal(err)
	}
	res, err := s.CheckIntakeConflicts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Jane Roe", "Jane Roe-Former", "Walter Harrowgate", "Olive Witherspoon", "Barnaby Quill"}
	if strings.Join(res.Names, "|") != strings.Join(want, "|") {
		t.Errorf("names checked %q, want %q", res.Names, want)
	}
	var sawClient, sawProspect bool
	for _, h := range res.Hits {
		if h.IntakeID == id {
			t.Errorf("the submission matched itself: %+v", h)
		}
		if h.ClientID == client && h.Role == "client" {
			sawClient = true
		}
		if h.IntakeID == earlier && h.Role == "prospect" && h.IntakeStatus == IntakeDeclined && h.ClientName == "Barnaby Quill" && h.ClientID == 0 {
			sawProspect = true
			if w := hitWhere(h); w != "Intake submission "+fmt.Sprint(earlier)+" (declined), from Barnaby Quill" {
				t.Errorf("hitWhere of a prospect: %q", w)
			}
			if HitRoleLabel(h.Role) != "Prospective client" {
				t.Errorf("role words %q", HitRoleLabel(h.Role))
			}
		}
	}
	if !sawClient || !sawProspect {
		t.Errorf("hits %+v: the client %v, the declined prospect (opposing counsel's name) %v", res.Hits, sawClient, sawProspect)
	}
	d, err := s.GetIntake(ctx, id)
	if err != nil || d.CheckID != res.CheckID {
		t.Errorf("the submission keeps its check: %d, want %d (%v)", d.CheckID, res.CheckID, err)
	}
	chk, err := s.GetConflictCheck(ctx, res.CheckID)
	if err != nil || chk.Context != intakeRef(id) || contextWords(chk.Context) != fmt.Sprintf("On reviewing intake submission %d", id) {
		t.Errorf("the recorded check: %+v %v", chk, err)
	}
	// The check's audit entry names the submission (and the client hit).
	var entry *store.AuditEntry
	s.st.View(ctx, func(tx *store.Tx) error {
		all, err := tx.ListAudit(store.AuditFilter{})
		for _, e := range all {
			if e.Action == "conflict.check" {
				entry = e
			}
		}
		return err
	})
	if entry == nil || !strings.Contains(" "+entry.Records+" ", " "+intakeRef(id)+" ") || !strings.Contains(entry.Records, ref("client", client)) {
		t.Errorf("the check's audit entry: %+v", entry)
	}

	// A decided submission has its check already; spam has no names.
	if _, err := s.CheckIntakeConflicts(ctx, earlier); !errors.Is(err, ErrIntakeDecided) {
		t.Errorf("a declined submission: %v", err)
	}
	spam := addIntake(t, s, intakeSub("Buy Pills", intakeT0))
	if err := s.DeleteIntakeAsSpam(ctx, spam); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckIntakeConflicts(ctx, spam); !errors.Is(err, ErrIntakeDeleted) {
		t.Errorf("spam: %v", err)
	}
	if _, err := s.CheckIntakeConflicts(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such submission: %v", err)
	}
}

// CheckFor.ExcludeIntake leaves out only the submission its context names.
func TestCheckForExcludeIntake(t *testing.T) {
	s, _, _ := testSession(t)
	id := addIntake(t, s, intakeSub("Jane Roe", intakeT0))
	for _, f := range []CheckFor{{ExcludeIntake: id}, {Context: intakeRef(id + 1), ExcludeIntake: id}, {Context: "intake:0"}, {Context: "intake:x"},
		{Context: intakeRef(id) + " " + intakeRef(id+1), ExcludeIntake: id}} {
		if _, err := s.CheckConflictsFor(ctx, []string{"Jane Roe"}, f); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want a field error", f, err)
		}
	}
	res, err := s.CheckConflictsFor(ctx, []string{"Jane Roe"}, CheckFor{Context: intakeRef(id)})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].IntakeID != id || res.Hits[0].Role != "prospect" {
		t.Errorf("not excluded: %+v %v", res, err)
	}
	res, err = s.CheckConflictsFor(ctx, []string{"Jane Roe"}, CheckFor{Context: intakeRef(id), ExcludeIntake: id})
	if err != nil || len(res.Hits) != 0 {
		t.Errorf("excluded: %+v %v", res, err)
	}
}

// A user whose role may not read intake submissions sees a prospect's
// name as a restricted match, in a check and in the history.
func TestProspectHiddenWithoutIntakeRead(t *testing.T) {
	s, _, _ := testSession(t)
	addIntake(t, s, intakeSub("Jane Roe", intakeT0))
	owner, err := s.CheckConflicts(ctx, []string{"Jane Roe"})
	if err != nil || len(owner.Hits) != 1 || owner.Hits[0].Hidden {
		t.Fatalf("the owner's check: %+v %v", owner, err)
	}
	p := builtin(t, access.OwnerRole).Perms.Clone()
	p[access.Intake] = access.Deny
	actAs(s, "nointake", access.Role{Name: "No intake", Perms: p})
	res, err := s.CheckConflicts(ctx, []string{"Jane Roe"})
	if err != nil || len(res.Hits) != 1 || !res.Hits[0].Hidden || res.Hits[0].Name != "" || res.Hits[0].IntakeID != 0 || res.Hits[0].Why != RestrictedConflict {
		t.Errorf("without intake read: %+v %v", res, err)
	}
	d, err := s.GetConflictCheck(ctx, owner.CheckID)
	if err != nil || len(d.Hits) != 1 || !d.Hits[0].Hidden || d.Hits[0].ClientName != "" {
		t.Errorf("the owner's check seen without intake read: %+v %v", d, err)
	}
}

func TestVerifyIntake(t *testing.T) {
	s, _, _ := testSession(t)
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.Local)
	s.now = func() time.Time { return now }
	id := addIntake(t, s, intakeSub("Jane Roe", intakeT0))
	if err := s.VerifyIntake(ctx, id, IntakeVerification{DocType: " Passport ", CheckedBy: "", On: "", Note: "Seen in person"}); err != nil {
		t.Fatal(err)
	}
	d, err := s.GetIntake(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	v := d.Verification
	if v.DocType != "Passport" || v.CheckedBy != s.DisplayName() || v.On != "2026-12-02" || v.Note != "Seen in person" || !v.At.Equal(now) {
		t.Errorf("verification %+v", v)
	}
	if err := s.VerifyIntake(ctx, id, IntakeVerification{DocType: "Driving licence", CheckedBy: "Pat Clerk", On: "2026-12-01"}); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "intake.verify" || e.Records != intakeRef(id) || e.Detail != `document "Driving licence", checked by "Pat Clerk" on 2026-12-01` {
		t.Errorf("audit %+v", e)
	}
	for _, c := range []struct {
		v     IntakeVerification
		field string
		words string
	}{
		{IntakeVerification{}, "document", "Say which document"},
		{IntakeVerification{DocType: "Passport", On: "2026-12-03"}, "verified-on", "is in the future"},
		{IntakeVerification{DocType: "Passport", On: "2026-02-30"}, "verified-on", "not a real date"},
		{IntakeVerification{DocType: "Passport", On: "02/12/2026"}, "verified-on", "YYYY-MM-DD"},
		{IntakeVerification{DocType: "Passport", On: "1899-12-31"}, "verified-on", "before 1900"},
		{IntakeVerification{DocType: "Pass\x1b[31mport"}, "document", "type it again"},
		{IntakeVerification{DocType: "Passport", CheckedBy: "a\nb"}, "checked-by", "type it again"},
		{IntakeVerification{DocType: strings.Repeat("x", maxField+1)}, "document", "too long"},
	} {
		err := s.VerifyIntake(ctx, id, c.v)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(fe.Message, c.words) {
			t.Errorf("%+v: %v, want %s: …%s…", c.v, err, c.field, c.words)
		}
	}
	if err := s.VerifyIntake(ctx, 9999, IntakeVerification{DocType: "Passport"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such submission: %v", err)
	}
	if err := s.DeleteIntakeAsSpam(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyIntake(ctx, id, IntakeVerification{DocType: "Passport"}); !errors.Is(err, ErrIntakeDeleted) {
		t.Errorf("spam: %v", err)
	}
	ro := builtin(t, access.ReadOnlyRole)
	actAs(s, "reader", ro)
	if err := s.VerifyIntake(ctx, id, IntakeVerification{DocType: "Passport"}); !errors.Is(err, ErrDenied) {
		t.Errorf("read-only: %v", err)
	}
}

// A stored name that is not clean text (form.Open refuses control codes,
// so only a vault altered by hand holds one) fails the check loudly rather
// than be left out of it, and the queue lists the submission without hits.
func TestIntakeNameNotCheckable(t *testing.T) {
	s, _, _ := testSession(t)
	id := addIntake(t, s, intakeSub("Jane \x1b[2J Roe", intakeT0))
	if _, err := s.CheckIntakeConflicts(ctx, id); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "cannot be checked") {
		t.Errorf("check: %v", err)
	}
	list, _, err := s.ListIntake(ctx, IntakeFilter{})
	if err != nil || len(list) != 1 || list[0].Hits != -1 {
		t.Errorf("list: %+v %v", list, err)
	}
}

// The queue keeps the hits it counted until a name in the vault changes:
// a client added on the other side shows in the next listing.
func TestListIntakeHitsKeptUntilNamesChange(t *testing.T) {
	s, _, _ := testSession(t)
	id := addIntake(t, s, intakeSub("Jane Roe", intakeT0, "Walter Harrowgate"))
	hitsOf := func() int {
		t.Helper()
		list, _, err := s.ListIntake(ctx, IntakeFilter{})
		if err != nil || len(list) != 1 || list[0].ID != id {
			t.Fatalf("list: %+v %v", list, err)
		}
		return list[0].Hits
	}
	if h := hitsOf(); h != 0 {
		t.Fatalf("before: %d hits", h)
	}
	s.mu.Lock()
	kept := len(s.intakeHits)
	s.mu.Unlock()
	if h := hitsOf(); h != 0 || kept != 1 {
		t.Fatalf("again: %d hits, %d counts kept", h, kept)
	}
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Walter Harrowgate")}); err != nil {
		t.Fatal(err)
	}
	if h := hitsOf(); h != 1 {
		t.Errorf("after the client was added: %d hits, want 1", h)
	}
	other := addIntake(t, s, intakeSub("Jane Roe", intakeT0.Add(time.Hour)))
	list, _, err := s.ListIntake(ctx, IntakeFilter{})
	if err != nil || len(list) != 2 || list[0].ID != other || list[0].Hits != 1 || list[1].Hits != 2 {
		t.Errorf("after another Jane Roe: %+v %v", list, err)
	}
}
