package app

// Deciding an intake submission: accepting it (a client, a matter and its
// parties made from the answers, and the conflict decision, in one
// transaction), declining it (the prospective client stays in the
// conflict index: ABA Model Rule 1.18), or deleting it as spam.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/intake/form"
	"casevault/store"
)

// IntakeAcceptance is what accepting a submission makes, as the person
// reviewing it leaves it (IntakeDraft fills it from the answers): the
// client, the matter's title and practice area, its parties, a first note
// on the matter, and the decision on the submission's conflict check.
type IntakeAcceptance struct {
	Client       ClientInput
	MatterTitle  string
	PracticeArea string
	// Parties: from the other side (adverse), other people involved
	// (related) and the other side's lawyer (opposing counsel); editable.
	Parties []PartyInput
	// MatterNote: the first note on the matter ("" for none): what the
	// person asked help with, the important dates and the answers that
	// have no field of their own.
	MatterNote string
	// CheckID: the conflict check run on reviewing this submission (its
	// latest: CheckIntakeConflicts); Decision "clear" or "waived" (with
	// DecisionNote: where the written consent is filed). "conflict" is
	// refused: a submission with a conflict is declined.
	CheckID      int64
	Decision     string
	DecisionNote string
}

// areaLabel is a practice area's label in the current form ("" when the
// form has no such area any more: then its key in words).
func areaLabel(tx *store.Tx, key string) string {
	if key == "" {
		return ""
	}
	cfg := form.Default()
	if f, err := tx.LatestIntakeForm(); err == nil {
		var saved form.Config
		if json.Unmarshal([]byte(f.Config), &saved) == nil {
			cfg = &saved
		}
	}
	if a, ok := cfg.Area(key); ok && strings.TrimSpace(a.Label) != "" {
		return a.Label
	}
	if a, ok := form.Default().Area(key); ok {
		return a.Label
	}
	return human.Capitalize(strings.ReplaceAll(key, "_", " "))
}

// answerText is an answer in words for a note: a list one per line, dates
// "What: YYYY-MM-DD", yes/no as Yes/No.
func answerText(a *form.Answer) string {
	switch {
	case len(a.List) > 0:
		return strings.Join(a.List, "\n")
	case len(a.Dates) > 0:
		var lines []string
		for _, d := range a.Dates {
			if d.What != "" {
				lines = append(lines, d.What+": "+d.Date)
			} else {
				lines = append(lines, d.Date)
			}
		}
		return strings.Join(lines, "\n")
	case a.Kind == form.YesNo:
		return human.Capitalize(a.Text)
	}
	return a.Text
}

// draftOf fills an acceptance from a submission (received on the day
// given, as words) and its practice area's label.
func draftOf(id int64, sub *form.Submission, received, area string) *IntakeAcceptance {
	text := func(key string) string {
		if a, ok := sub.Answer(key); ok {
			return strings.TrimSpace(a.Text)
		}
		return ""
	}
	name := strings.TrimSpace(sub.FullName())
	// list is a names answer, each name once (and an other name that is
	// the person's own name left out).
	list := func(key string) []string {
		a, ok := sub.Answer(key)
		if !ok {
			return nil
		}
		var out []string
		seen := map[string]bool{}
		if key == form.KeyOtherNames {
			seen[name] = true
		}
		for _, n := range a.List {
			if n = strings.TrimSpace(n); n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
		return out
	}
	d := &IntakeAcceptance{
		Client: ClientInput{Name: ptrTo(name), Aliases: ptrTo(list(form.KeyOtherNames)), DOB: ptrTo(text(form.KeyDateOfBirth)),
			Phone: ptrTo(text(form.KeyPhone)), Email: ptrTo(text(form.KeyEmail)), Address: ptrTo(text(form.KeyAddress))},
		MatterTitle:  name,
		PracticeArea: area,
	}
	if area != "" {
		d.MatterTitle = name + " — " + strings.ToLower(area)
	}
	// Contact preferences belong with the client: whether a message may
	// be left can be a matter of safety.
	var notes []string
	for _, key := range []string{form.KeyContactMethod, form.KeySafeToLeaveMsgs, form.KeyHeardAbout} {
		if a, ok := sub.Answer(key); ok && !a.Empty() {
			notes = append(notes, asked(a.Label, " ")+answerText(a))
		}
	}
	if len(notes) > 0 {
		d.Client.Notes = ptrTo(fmt.Sprintf("From intake submission %d (received %s).\n%s", id, received, strings.Join(notes, "\n")))
	}
	for _, p := range []struct{ key, role string }{
		{form.KeyAdverseParties, store.RoleAdverse}, {form.KeyOtherPeople, store.RoleRelated}, {form.KeyOpposingCounsel, store.RoleOpposingCounsel},
	} {
		for _, n := range list(p.key) {
			d.Parties = append(d.Parties, PartyInput{Role: p.role, Name: n, Kind: store.PartyPerson})
		}
	}
	// The matter's first note: the rest of the answers, in the order
	// asked, so nothing said at intake is only in the queue.
	mapped := map[string]bool{form.KeyFullName: true, form.KeyOtherNames: true, form.KeyDateOfBirth: true, form.KeyPhone: true,
		form.KeyEmail: true, form.KeyAddress: true, form.KeyContactMethod: true, form.KeySafeToLeaveMsgs: true, form.KeyHeardAbout: true,
		form.KeyAdverseParties: true, form.KeyOtherPeople: true, form.KeyOpposingCounsel: true}
	var parts []string
	for i := range sub.Answers {
		a := &sub.Answers[i]
		if mapped[a.Key] || a.Empty() || a.Kind == form.Upload {
			continue
		}
		parts = append(parts, asked(a.Label, "\n")+answerText(a))
	}
	if len(parts) > 0 {
		d.MatterNote = fmt.Sprintf("From intake submission %d (received %s).\n\n%s", id, received, strings.Join(parts, "\n\n"))
	}
	return d
}

func ptrTo[T any](v T) *T { return &v }

// asked is a question's label before its answer in a note: "Phone number:"
// or "Is it safe to leave you a message?" (no colon after a question
// mark), then sep.
func asked(label, sep string) string {
	label = strings.TrimSpace(label)
	if strings.HasSuffix(label, "?") || strings.HasSuffix(label, ":") {
		return label + sep
	}
	return label + ":" + sep
}

// IntakeDraft is what accepting a submission would make, filled from its
// answers: the client (name, other names as aliases, date of birth,
// phone, e-mail, address; contact preferences in the client's notes),
// the matter ("Jane Roe — family" in the submission's practice area), its
// parties, a first note with the other answers, and the submission's
// latest conflict check (undecided: the decision is the reviewer's).
// Recorded as a read (intake.view).
func (s *Session) IntakeDraft(ctx context.Context, id int64) (*IntakeAcceptance, error) {
	if err := s.allow(ctx, access.ViewIntake, intakeRef(id)); err != nil {
		return nil, err
	}
	var d *IntakeAcceptance
	err := s.view(ctx, "intake.view", func(tx *store.Tx) (string, string, error) {
		r, err := tx.GetIntakeSubmission(id)
		if err != nil {
			return "", "", err
		}
		if err := undecided(r); err != nil {
			return "", "", err
		}
		det, err := detailOf(r, nil)
		if err != nil {
			return "", "", err
		}
		if det.Submission == nil {
			return "", "", fmt.Errorf("intake submission %d: %w", id, ErrUnreadableIntake)
		}
		d = draftOf(id, det.Submission, human.Date(r.ReceivedAt), areaLabel(tx, r.PracticeArea))
		d.CheckID = r.CheckID
		return intakeRef(id), "draft for accepting it", nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// undecided is ErrIntakeDecided (or ErrIntakeDeleted) unless the
// submission waits for review.
func undecided(r *store.IntakeSubmission) error {
	switch r.Status {
	case IntakeNew:
		return nil
	case IntakeSpam:
		return fmt.Errorf("intake submission %d: %w", r.ID, ErrIntakeDeleted)
	}
	return fmt.Errorf("intake submission %d (%s): %w", r.ID, strings.ToLower(IntakeStatusWords(r.Status)), ErrIntakeDecided)
}

// validAcceptance checks what accepting makes before anything is written,
// with the same rules as adding a client, a matter and parties by hand;
// it returns the client and the matter (its ClientID 0 until the client
// is added).
func (s *Session) validAcceptance(a *IntakeAcceptance) (*store.Client, *store.Matter, error) {
	switch a.Decision {
	case "clear", "waived":
	case "conflict":
		return nil, nil, &FieldError{"decision", "The conflict check found a conflict, so this person cannot be taken on as a client: decline the submission instead"}
	case "":
		return nil, nil, &FieldError{"decision", "Record the decision on the conflict check (clear, or waived with the client's written consent) before accepting"}
	default:
		return nil, nil, &FieldError{"decision", fmt.Sprintf("The decision %q is not one of clear, waived", a.Decision)}
	}
	if err := cleanText("note", &a.DecisionNote, maxField, a.Decision == "waived", "A waiver needs a note: say where the client's written consent is filed"); err != nil {
		return nil, nil, err
	}
	if a.CheckID <= 0 {
		return nil, nil, &FieldError{"check", "Run the conflict check on this submission before accepting it"}
	}
	c := &store.Client{}
	apply(c, a.Client)
	if err := ValidateClient(c, s.now()); err != nil {
		return nil, nil, err
	}
	// matterOf wants a client: the one about to be added (replaced below).
	m, err := matterOf(MatterInput{ClientID: 1, Title: a.MatterTitle, PracticeArea: a.PracticeArea, Parties: a.Parties})
	if err != nil {
		return nil, nil, err
	}
	m.ClientID = 0
	if err := cleanText("text", &a.MatterNote, maxNotes, false, ""); err != nil {
		return nil, nil, err
	}
	return c, m, nil
}

// AcceptIntake accepts a submission waiting for review, in one
// transaction: it adds the client and the matter with its parties (and
// its first note), records the decision on the submission's conflict
// check (clear, or waived with a note; a conflict is refused), and marks
// the submission accepted with the client and matter it became. The
// check must be the latest one run on this submission
// (CheckIntakeConflicts): accepting never runs one silently. Every field
// is checked as when a client, a matter and a party are added by hand
// (*FieldError). Recorded as intake.accept naming the submission, the
// client, the matter and the check. A submission decided already is
// ErrIntakeDecided. Then, for a user who may add documents, each file sent
// with the submission becomes a document of the new client (one
// document.add entry each); a file that cannot be added is named in an
// error returned with the ids of the accepted client and matter.
func (s *Session) AcceptIntake(ctx context.Context, id int64, a IntakeAcceptance) (clientID, matterID int64, err error) {
	if err := s.allow(ctx, access.AcceptIntake, intakeRef(id)); err != nil {
		return 0, 0, err
	}
	c, m, err := s.validAcceptance(&a)
	if err != nil {
		return 0, 0, err
	}
	err = s.update(ctx, "intake.accept", func(tx *store.Tx) (string, string, error) {
		r, err := tx.GetIntakeSubmission(id)
		if err != nil {
			return "", "", err
		}
		if err := undecided(r); err != nil {
			return "", "", err
		}
		if err := s.mustBeIntakeCheck(tx, r, a.CheckID); err != nil {
			return "", "", err
		}
		now := s.now()
		if clientID, err = tx.InsertClient(c, now); err != nil {
			return "", "", fmt.Errorf("adding the client: %w", err)
		}
		m.ClientID = clientID
		if matterID, err = tx.InsertMatter(m, now); err != nil {
			return "", "", numberError(err)
		}
		if a.MatterNote != "" {
			if _, err := tx.InsertNote(&store.Note{MatterID: matterID, Text: a.MatterNote, Author: s.DisplayName()}, now); err != nil {
				return "", "", fmt.Errorf("adding the matter's first note: %w", err)
			}
		}
		if err := tx.DecideConflictCheck(a.CheckID, store.ConflictDecision{At: now, Actor: s.actor, Decision: a.Decision, Note: a.DecisionNote}); err != nil {
			return "", "", err
		}
		if err := tx.DecideIntake(id, store.IntakeDecision{Status: IntakeAccepted, At: now, By: s.actor, ClientID: clientID, MatterID: matterID}); err != nil {
			return "", "", err
		}
		recs := intakeRecords(id, clientID, matterID) + " " + ref("conflict_check", a.CheckID)
		return recs, fmt.Sprintf("client %q, matter %q, %s, conflict check %d %s", c.Name, m.Title,
			human.Count(len(m.Parties), "party", "parties"), a.CheckID, a.Decision), nil
	})
	if err != nil {
		return 0, 0, err
	}
	// The files sent with it become the new client's documents
	// (documents_intake.go); the submission is accepted whatever happens
	// to them, and the error then says which stayed with the submission.
	return clientID, matterID, s.intakeDocuments(ctx, id, clientID)
}

// mustBeIntakeCheck is a *FieldError (field "check") unless checkID is
// the latest check run on reviewing r (its context names r); ErrNotFound
// when the user may not see it.
func (s *Session) mustBeIntakeCheck(tx *store.Tx, r *store.IntakeSubmission, checkID int64) error {
	c, _, err := tx.GetConflictCheck(checkID)
	if err != nil {
		return err
	}
	if c.Context != intakeRef(r.ID) {
		return &FieldError{"check", fmt.Sprintf("Conflict check %d was not run on intake submission %d: run the check on the submission and decide that one", checkID, r.ID)}
	}
	if c.ID != r.CheckID {
		return &FieldError{"check", fmt.Sprintf("Conflict check %d is not the latest one run on intake submission %d (that is %d): decide the latest", checkID, r.ID, r.CheckID)}
	}
	return nil
}

// DeclineIntake declines a submission waiting for review, with the reason
// (required; kept with the submission). The prospective client stays in
// the conflict index for good, as a declined prospective client (ABA
// Model Rule 1.18), with the conflict check run on reviewing it.
// Recorded (intake.decline); the reason is not copied into the audit
// trail. A submission decided already is ErrIntakeDecided.
func (s *Session) DeclineIntake(ctx context.Context, id int64, reason string) error {
	if err := s.allow(ctx, access.EditIntake, intakeRef(id)); err != nil {
		return err
	}
	if err := cleanText("reason", &reason, maxField, true, "Say why the submission is declined (the reason is kept with it)"); err != nil {
		return err
	}
	return s.update(ctx, "intake.decline", func(tx *store.Tx) (string, string, error) {
		err := tx.DecideIntake(id, store.IntakeDecision{Status: IntakeDeclined, At: s.now(), By: s.actor, Reason: reason})
		return intakeRef(id), "declined; kept in the conflict index as a declined prospective client", err
	})
}

// DeleteIntakeAsSpam deletes a submission waiting for review as spam: its
// answers, files and names are removed (it no longer counts in conflict
// checks); the row stays, with who deleted it and when, so the audit
// trail's entries about it still name something and the same sealed file
// is never imported again. Recorded (intake.spam). A submission decided
// already is ErrIntakeDecided: a declined prospect stays in the conflict
// index for good.
func (s *Session) DeleteIntakeAsSpam(ctx context.Context, id int64) error {
	if err := s.allow(ctx, access.EditIntake, intakeRef(id)); err != nil {
		return err
	}
	return s.update(ctx, "intake.spam", func(tx *store.Tx) (string, string, error) {
		r, err := tx.GetIntakeSubmission(id)
		if err != nil {
			return "", "", err
		}
		files := r.Files
		if err := tx.WipeIntake(id, s.now(), s.actor); err != nil {
			return "", "", err
		}
		return intakeRef(id), "answers and " + human.Count(files, "file", "files") + " deleted", nil
	})
}
