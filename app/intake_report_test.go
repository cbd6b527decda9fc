package app

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"strings"
	"testing"

	"casevault/app/access"
	"casevault/app/intake/form"
)

// The printable summary holds the answers, the files, the verification,
// the check with its hits and decision; every value a stranger typed is
// escaped (HTML, and escape codes shown, never run).
func TestIntakeSummaryReport(t *testing.T) {
	s, _, _ := testSession(t)
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Walter Harrowgate")}); err != nil {
		t.Fatal(err)
	}
	hostile := "Jane <script>alert(1)</script> Roe"
	sub := intakeSubFull(hostile, intakeT0, "Walter Harrowgate")
	sub.Answers = append(sub.Answers, form.Answer{Key: "q1", Label: "Your <b>pet's</b> name", Kind: form.Short, Text: "Rex & \"Co\" ]]> \x1b[2J"})
	id := addIntake(t, s, sub, form.File{Meta: form.FileMeta{N: 1, Name: "<img src=x>.jpg", MediaType: "image/jpeg", SHA256: "00ff"}, Data: []byte("JPEG")})

	// Before any check: it says so.
	r, err := s.IntakeSummaryReport(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "No conflict check was run on this submission.") {
		t.Errorf("no check: the page does not say so")
	}
	if e := lastAudit(t, s); e.Action != "intake.summary" || e.Records != intakeRef(id) {
		t.Errorf("audit %+v", e)
	}

	res, err := s.CheckIntakeConflicts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyIntake(ctx, id, IntakeVerification{DocType: "Passport", CheckedBy: "Pat <Clerk>", On: "2026-12-01"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeclineIntake(ctx, id, "Conflict: acts against <our> client"); err != nil {
		t.Fatal(err)
	}
	if r, err = s.IntakeSummaryReport(ctx, id); err != nil {
		t.Fatal(err)
	}
	if r.Check == nil || r.Check.ID != res.CheckID || len(r.Check.Hits) == 0 {
		t.Fatalf("the report's check: %+v", r.Check)
	}
	if e := lastAudit(t, s); !strings.Contains(e.Records, ref("conflict_check", res.CheckID)) {
		t.Errorf("the summary's audit entry does not name its check: %+v", e)
	}
	page.Reset()
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	p := page.String()
	for _, bad := range []string{"<script>", "\x1b", "<b>pet", "<img src=x>", "<Clerk>", "<our>"} {
		if strings.Contains(p, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	text := html.UnescapeString(p)
	for _, want := range []string{`Jane <script>alert(1)</script> Roe`, "Your <b>pet's</b> name", `Rex & "Co" ]]> \x1b[2J`, "<img src=x>.jpg", "4 bytes",
		"Passport, checked by Pat <Clerk> on 2026-12-01", "Declined", "Conflict: acts against <our> client", "Walter Harrowgate",
		"Hearing: 2027-01-15", "Agreed to the privacy notice (version 2)", "SHA-256 00ff", fmt.Sprintf("Conflict check %d", res.CheckID)} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	// Plain text: escape codes shown, not run.
	var tb bytes.Buffer
	if err := r.WriteText(&tb); err != nil {
		t.Fatal(err)
	}
	tx := tb.String()
	if strings.Contains(tx, "\x1b") || !strings.Contains(tx, `\x1b[2J`) || !strings.Contains(tx, "Walter Harrowgate") || !strings.Contains(tx, "1 file sent") {
		t.Errorf("text summary:\n%s", tx)
	}

	// Saving it needs the export right and is recorded first.
	var saved bytes.Buffer
	if err := s.SaveIntakeSummary(ctx, r, &saved); err != nil || saved.Len() == 0 {
		t.Errorf("save: %v", err)
	}
	if e := lastAudit(t, s); e.Action != "report.export" || e.Records != intakeRef(id) {
		t.Errorf("audit %+v", e)
	}
	actAs(s, "pat", builtin(t, access.ParalegalRole))
	if err := s.SaveIntakeSummary(ctx, r, &saved); !errors.Is(err, ErrDenied) {
		t.Errorf("a paralegal saves the summary: %v", err)
	}
}

// A summary of a submission deleted as spam says what was done and holds
// nothing of it.
func TestIntakeSummarySpam(t *testing.T) {
	s, _, _ := testSession(t)
	id := addIntake(t, s, intakeSub("Qzvspam Person", intakeT0))
	if err := s.DeleteIntakeAsSpam(ctx, id); err != nil {
		t.Fatal(err)
	}
	r, err := s.IntakeSummaryReport(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var page, text bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{page.String(), text.String()} {
		if strings.Contains(out, "Qzvspam") || !strings.Contains(out, "Deleted as spam") || !strings.Contains(out, "No answers are kept.") ||
			!strings.Contains(out, fmt.Sprintf("Intake summary: submission %d", id)) {
			t.Errorf("spam summary:\n%s", out)
		}
	}
}
