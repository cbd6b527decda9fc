package app

// The intake review queue (issue 12): the submissions imported from the
// sealed files the intake form wrote beside the vault, as the window and
// the command line list and open them; the conflict check run on
// reviewing one; the record of how the person's identity was checked.
// Deciding a submission (accept, decline, delete as spam) is
// intake_accept.go; its printable summary intake_report.go.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"casevault/app/access"
	"casevault/app/conflict"
	"casevault/app/human"
	"casevault/app/intake/form"
	"casevault/store"
)

// Errors of the review queue callers tell apart with errors.Is.
var (
	// ErrIntakeDecided: the submission was accepted, declined or deleted
	// as spam already: it takes one decision only.
	ErrIntakeDecided = store.ErrIntakeDecided
	// ErrIntakeDeleted: the submission was deleted as spam: nothing of it
	// is left to read, check or verify.
	ErrIntakeDeleted = store.ErrIntakeDeleted
	// ErrUnreadableIntake: a stored submission's answers cannot be read
	// back (the vault holds something this casevault did not write).
	ErrUnreadableIntake = errors.New("its answers cannot be read")
)

// Intake statuses, as IntakeFilter and IntakeSummary name them.
const (
	IntakeNew      = store.IntakeNew
	IntakeAccepted = store.IntakeAccepted
	IntakeDeclined = store.IntakeDeclined
	IntakeSpam     = store.IntakeSpam
	IntakeAll      = "all" // IntakeFilter only
)

// IntakeStatusWords is a submission's status in words.
func IntakeStatusWords(status string) string {
	switch status {
	case IntakeNew:
		return "Waiting for review"
	case IntakeAccepted:
		return "Accepted as a client"
	case IntakeDeclined:
		return "Declined"
	case IntakeSpam:
		return "Deleted as spam"
	}
	return "Unknown status (" + status + ")"
}

// IntakeFilter chooses submissions for the queue: Status "" is "new",
// "all" every status; Query, a part of a name (the person's or any name
// they gave), in any case. Limit 0 is 50.
type IntakeFilter struct {
	Status string
	Query  string
	Limit  int
	Offset int
}

// MaxIntakePage is the most submissions one ListIntake returns.
const MaxIntakePage = 500

// IntakeSummary is a submission as the queue lists it.
type IntakeSummary struct {
	ID           int64     `json:"id"`
	ReceivedAt   time.Time `json:"received_at"`
	FullName     string    `json:"full_name"` // "" once deleted as spam
	PracticeArea string    `json:"practice_area"`
	Status       string    `json:"status"` // new, accepted, declined, spam
	Files        int       `json:"files"`
	// Hits: how many hits a conflict check of its names would show now
	// (not recorded; a match the user may not see counts once per name);
	// -1 when not computed (a decided submission: accepted, declined or
	// spam; or GetIntake, whose caller runs CheckIntakeConflicts).
	Hits int `json:"hits"`
	// Restricted: at least one of the hits is in a client or matter the
	// user may not see; or the submission was accepted as such a client
	// (then FullName, PracticeArea and Files are empty, and GetIntake says
	// not found: its answers are that client's data). A submission waiting
	// for review is never hidden: whoever may read intake sees its name.
	Restricted bool `json:"restricted,omitempty"`
}

// IntakeFileInfo is one file sent with a submission.
type IntakeFileInfo struct {
	ID        int64  `json:"id"`
	N         int    `json:"n"` // 1, 2, … in the order sent
	Question  string `json:"question"`
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"` // technical details only
}

// IntakeVerification is how the person's identity was checked: the type
// of document, who checked it and on which day (YYYY-MM-DD), a note; At,
// when it was recorded (set by VerifyIntake).
type IntakeVerification struct {
	DocType   string    `json:"doc_type"`
	CheckedBy string    `json:"checked_by"`
	On        string    `json:"on"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

// Recorded says whether a verification was recorded.
func (v IntakeVerification) Recorded() bool { return !v.At.IsZero() }

// IntakeDetail is one submission with its answers, files, verification
// and decision.
type IntakeDetail struct {
	IntakeSummary
	// Submission is the answers as sent (labels and kinds included, so
	// an old submission reads the same whatever the form is now); nil
	// once deleted as spam.
	Submission   *form.Submission   `json:"submission"`
	FileList     []IntakeFileInfo   `json:"file_list"`
	Verification IntakeVerification `json:"verification"`
	ImportedAt   time.Time          `json:"imported_at"`
	DecidedAt    time.Time          `json:"decided_at"`
	DecidedBy    string             `json:"decided_by,omitempty"`
	Reason       string             `json:"reason,omitempty"`
	ClientID     int64              `json:"client_id,omitempty"` // accepted: the client and matter made from it
	MatterID     int64              `json:"matter_id,omitempty"`
	CheckID      int64              `json:"check_id,omitempty"` // the latest conflict check run on reviewing it
}

func intakeRef(id int64) string { return ref("intake", id) }

// validIntakeFilter checks a filter and returns the store's status (""
// for all).
func validIntakeFilter(f *IntakeFilter) (string, error) {
	status := f.Status
	switch f.Status {
	case "":
		status = IntakeNew
	case IntakeAll:
		status = ""
	case IntakeNew, IntakeAccepted, IntakeDeclined, IntakeSpam:
	default:
		return "", &FieldError{"status", fmt.Sprintf("%q is not a status of a submission: use new, accepted, declined, spam or all", f.Status)}
	}
	if f.Limit < 0 || f.Limit > MaxIntakePage {
		return "", &FieldError{"limit", fmt.Sprintf("Show between 1 and %s submissions at a time", human.Number(MaxIntakePage))}
	}
	if f.Offset < 0 {
		return "", &FieldError{"offset", "The first submission to show cannot be before the first"}
	}
	if err := cleanLine("name", &f.Query, false, ""); err != nil {
		return "", err
	}
	return status, nil
}

// summaryOf is a stored submission as the queue lists it (Hits -1).
func summaryOf(r *store.IntakeSubmission) IntakeSummary {
	return IntakeSummary{ID: r.ID, ReceivedAt: r.ReceivedAt, FullName: r.FullName, PracticeArea: r.PracticeArea, Status: r.Status,
		Files: r.Files, Hits: -1}
}

// intakeNames are the names of a submission a conflict check compares,
// each once (the same name in two roles is checked once), cleaned as a
// check's names are. A name that is not clean text fails: a check that
// left it out could miss a conflict.
func intakeNames(r *store.IntakeSubmission) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	for _, n := range r.ConflictNames {
		name := n.Name
		if err := cleanLine("names", &name, false, ""); err != nil {
			return nil, fmt.Errorf("intake submission %d: a name it gives cannot be checked: %w", r.ID, err)
		}
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		names = append(names, name)
	}
	return names, nil
}

// ListIntake lists the submissions f chooses, newest received first, a
// page at a time, and how many it chooses in all. The submissions waiting
// for review ("new") on the page come with how many hits a conflict check
// of their names would show now (Hits, not recorded: the check is
// recorded when one is opened, CheckIntakeConflicts). Recorded as a read
// (intake.list).
func (s *Session) ListIntake(ctx context.Context, f IntakeFilter) ([]IntakeSummary, int, error) {
	status, err := validIntakeFilter(&f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.allow(ctx, access.ViewIntake); err != nil {
		return nil, 0, err
	}
	var rows []store.IntakeSubmission
	var hidden []bool
	var total int
	err = s.view(ctx, "intake.list", func(tx *store.Tx) (string, string, error) {
		var err error
		rows, total, err = tx.ListIntakeSubmissions(store.IntakeListFilter{Status: status, Query: f.Query, Limit: f.Limit, Offset: f.Offset})
		if err != nil {
			return "", "", err
		}
		// One accepted as a client the user may not see is listed without
		// its name (as a restricted conflict is: it exists, nothing more).
		hidden = make([]bool, len(rows))
		for i := range rows {
			if hidden[i], err = tx.IntakeHidden(&rows[i]); err != nil {
				return "", "", err
			}
			if hidden[i] {
				rows[i] = store.IntakeSubmission{ID: rows[i].ID, ReceivedAt: rows[i].ReceivedAt, Status: rows[i].Status}
			}
		}
		detail := human.Count(len(rows), "submission", "submissions") + " of " + human.Number(int64(total)) + " shown"
		if f.Status != "" {
			detail += ", status " + f.Status
		} else {
			detail += ", status new"
		}
		if f.Query != "" {
			detail += ", name " + auditQuery(f.Query)
		}
		return "", detail, nil
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]IntakeSummary, len(rows))
	var pending []int
	for i := range rows {
		out[i] = summaryOf(&rows[i])
		out[i].Restricted = hidden[i]
		if rows[i].Status == IntakeNew {
			pending = append(pending, i)
		}
	}
	if len(pending) > 0 && s.Can(access.Conflicts, access.Read) {
		ix, gen, err := s.conflictIndexGen(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("the conflict checks of the submissions: %w", err)
		}
		s.countHits(ix, gen, rows, out, pending)
	}
	return out, total, nil
}

// intakeCount is a submission's counted hits (ListIntake).
type intakeCount struct {
	hits       int
	restricted bool
}

// intakeViewer is what the counted hits depend on besides the names: who
// sees them (the store's viewer, and whether the role reads intake).
type intakeViewer struct {
	viewer store.Viewer
	intake bool
}

// cachedHits are the counts kept for the names as they are now (the
// session's generation: every change of a name throws them away) and for
// this viewer, and the function that keeps more of them.
func (s *Session) cachedHits(gen uint64) (map[int64]intakeCount, func(map[int64]intakeCount)) {
	who := intakeViewer{viewer: s.st.Viewer(), intake: s.Can(access.Intake, access.Read)}
	s.mu.Lock()
	defer s.mu.Unlock()
	var have map[int64]intakeCount
	if s.intakeHitsGen == gen && s.intakeHitsFor == who {
		have = s.intakeHits
	}
	return have, func(more map[int64]intakeCount) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.gen != gen || s.closed {
			return // the names changed meanwhile: these counts are stale
		}
		if s.intakeHitsGen != gen || s.intakeHitsFor != who || s.intakeHits == nil {
			s.intakeHits, s.intakeHitsGen, s.intakeHitsFor = map[int64]intakeCount{}, gen, who
		}
		for id, c := range more {
			s.intakeHits[id] = c
		}
	}
}

// countHits sets the Hits (and Restricted) of out[i] for each i of
// pending: a conflict check of rows[i]'s names, not recorded, on as many
// cores as there are (one name's check is a few milliseconds in a vault of
// 10,000 clients; a page holds dozens of submissions of several names).
// The counts are kept until a name in the vault changes, so opening the
// queue again (the window refreshes it as submissions arrive) counts only
// the submissions it has not counted yet. A submission whose names cannot
// be checked keeps -1.
func (s *Session) countHits(ix *conflict.Index, gen uint64, rows []store.IntakeSubmission, out []IntakeSummary, pending []int) {
	have, keep := s.cachedHits(gen)
	var todo []int
	for _, i := range pending {
		if c, ok := have[rows[i].ID]; ok {
			out[i].Hits, out[i].Restricted = c.hits, out[i].Restricted || c.restricted
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(pending)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				names, err := intakeNames(&rows[i])
				if err != nil || len(names) == 0 {
					continue
				}
				hits := s.hitsFor(ix, names, CheckFor{ExcludeIntake: rows[i].ID})
				out[i].Hits = len(hits)
				for _, h := range hits {
					out[i].Restricted = out[i].Restricted || h.Hidden
				}
			}
		}()
	}
	for _, i := range todo {
		work <- i
	}
	close(work)
	wg.Wait()
	counted := make(map[int64]intakeCount, len(todo))
	for _, i := range todo {
		if out[i].Hits >= 0 {
			counted[rows[i].ID] = intakeCount{out[i].Hits, out[i].Restricted}
		}
	}
	keep(counted)
}

// IntakeNewCount is how many submissions wait for review: the badge of
// the window's Intake screen. It reads a count and records nothing; for a
// user who may not read intake submissions it is 0 (the badge is then not
// shown; nothing is refused, so polling it leaves no refusals in the
// audit trail).
func (s *Session) IntakeNewCount(ctx context.Context) (int, error) {
	if !s.CanDo(access.ViewIntake) {
		return 0, nil
	}
	var n int
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountIntake(IntakeNew)
		return err
	})
	return n, err
}

// detailOf is a stored submission with its files, answers read back.
func detailOf(r *store.IntakeSubmission, files []store.IntakeFile) (*IntakeDetail, error) {
	d := &IntakeDetail{IntakeSummary: summaryOf(r), ImportedAt: r.ImportedAt, DecidedAt: r.DecidedAt, DecidedBy: r.DecidedBy,
		Reason: r.Reason, ClientID: r.ClientID, MatterID: r.MatterID, CheckID: r.CheckID, FileList: []IntakeFileInfo{},
		Verification: IntakeVerification{DocType: r.VerifiedDoc, CheckedBy: r.VerifiedBy, On: r.VerifiedOn, Note: r.VerifiedNote, At: r.VerifiedAt}}
	for _, f := range files {
		d.FileList = append(d.FileList, fileInfo(&f))
	}
	if r.Payload != "" {
		var sub form.Submission
		if err := json.Unmarshal([]byte(r.Payload), &sub); err != nil {
			return nil, fmt.Errorf("intake submission %d: %w (%v)", r.ID, ErrUnreadableIntake, err)
		}
		d.Submission = &sub
	}
	return d, nil
}

func fileInfo(f *store.IntakeFile) IntakeFileInfo {
	return IntakeFileInfo{ID: f.ID, N: f.N, Question: f.Question, Name: f.Name, MediaType: f.MediaType, Size: f.Size, SHA256: f.SHA256}
}

// intakeRecords are the records an audit entry about a submission names:
// the submission, and once accepted the client and matter made from it
// (so the client's access report finds it).
func intakeRecords(id, clientID, matterID int64) string {
	recs := intakeRef(id)
	if clientID != 0 {
		recs += " " + ref("client", clientID)
	}
	if matterID != 0 {
		recs += " " + ref("matter", matterID)
	}
	return recs
}

// visibleIntake reads one submission for the viewer of tx: ErrNotFound
// when there is none, or when it was accepted as a client or matter the
// viewer may not see (its answers are that client's data).
func visibleIntake(tx *store.Tx, id int64) (*store.IntakeSubmission, error) {
	r, err := tx.GetIntakeSubmission(id)
	if err != nil {
		return nil, err
	}
	if hidden, err := tx.IntakeHidden(r); err != nil {
		return nil, err
	} else if hidden {
		return nil, fmt.Errorf("intake submission %d: %w", id, store.ErrNotFound)
	}
	return r, nil
}

// readIntake reads one submission with its files for the viewer of tx.
func readIntake(tx *store.Tx, id int64) (*IntakeDetail, error) {
	r, err := visibleIntake(tx, id)
	if err != nil {
		return nil, err
	}
	files, err := tx.IntakeFiles(id)
	if err != nil {
		return nil, err
	}
	return detailOf(r, files)
}

// GetIntake returns one submission: its answers, files (without their
// bytes: IntakeFileData), verification and decision. Hits is -1: the
// caller runs CheckIntakeConflicts on a new one to see them (recorded).
// Recorded as a read (intake.view).
func (s *Session) GetIntake(ctx context.Context, id int64) (*IntakeDetail, error) {
	if err := s.allow(ctx, access.ViewIntake, intakeRef(id)); err != nil {
		return nil, err
	}
	var d *IntakeDetail
	err := s.view(ctx, "intake.view", func(tx *store.Tx) (string, string, error) {
		var err error
		if d, err = readIntake(tx, id); err != nil {
			return "", "", err
		}
		answers := 0
		if d.Submission != nil {
			answers = len(d.Submission.Answers)
		}
		return intakeRecords(id, d.ClientID, d.MatterID), fmt.Sprintf("%s, %s, %s", d.Status, human.Count(answers, "answer", "answers"),
			human.Count(len(d.FileList), "file", "files")), nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// IntakeFileData returns one file sent with a submission, with its bytes
// (to show it, or to open it from a private temporary file). Recorded as
// a read (intake.file). Saving it to a file of the user's choosing is
// SaveIntakeFile.
func (s *Session) IntakeFileData(ctx context.Context, id, fileID int64) (*IntakeFileInfo, []byte, error) {
	if err := s.allow(ctx, access.ViewIntake, intakeRef(id)); err != nil {
		return nil, nil, err
	}
	var f *store.IntakeFile
	err := s.view(ctx, "intake.file", func(tx *store.Tx) (string, string, error) {
		if _, err := visibleIntake(tx, id); err != nil {
			return "", "", err
		}
		var err error
		if f, err = tx.IntakeFile(id, fileID); err != nil {
			return "", "", err
		}
		return intakeRef(id), fileDetail(f), nil
	})
	if err != nil {
		return nil, nil, err
	}
	info := fileInfo(f)
	return &info, f.Content, nil
}

// fileDetail is an audit entry's detail for a file: its number, name and
// size.
func fileDetail(f *store.IntakeFile) string {
	return fmt.Sprintf("file %d %q, %s", f.N, f.Name, human.Size(f.Size))
}

// SaveIntakeFile writes one file sent with a submission to w, to be kept
// in a file outside the vault: it takes client data out of the vault, so
// it needs the right to export client data, and it is recorded
// (report.export) before anything is written, as SaveConflictReport is.
func (s *Session) SaveIntakeFile(ctx context.Context, id, fileID int64, w io.Writer) error {
	if err := s.allow(ctx, access.ViewIntake, intakeRef(id)); err != nil {
		return err
	}
	if err := s.allow(ctx, access.ExportRecords, intakeRef(id)); err != nil {
		return err
	}
	var f *store.IntakeFile
	err := s.st.View(ctx, func(tx *store.Tx) error {
		if _, err := visibleIntake(tx, id); err != nil {
			return err
		}
		var err error
		f, err = tx.IntakeFile(id, fileID)
		return err
	})
	if err != nil {
		return err
	}
	if err := s.audit(ctx, "report.export", intakeRef(id), "intake submission's "+fileDetail(f)); err != nil {
		return err
	}
	if _, err := w.Write(f.Content); err != nil {
		return fmt.Errorf("writing file %d of intake submission %d: %w", f.N, id, err)
	}
	return nil
}

// CheckIntakeConflicts runs the conflict check of a submission waiting for
// review: every name in it (the person, their other names, the other
// side, other people, the other side's lawyer), against every client,
// party and other prospective client, leaving out the submission's own
// names. It is recorded as any check is (its context "intake:ID"), and the
// submission keeps it as its latest check (the one AcceptIntake decides).
// A decided submission is ErrIntakeDecided: its check is the one recorded
// when it was reviewed (IntakeDetail.CheckID).
func (s *Session) CheckIntakeConflicts(ctx context.Context, id int64) (*ConflictResult, error) {
	if err := s.allow(ctx, access.ViewIntake, intakeRef(id)); err != nil {
		return nil, err
	}
	var r *store.IntakeSubmission
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.GetIntakeSubmission(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	switch r.Status {
	case IntakeNew:
	case IntakeSpam:
		return nil, fmt.Errorf("intake submission %d: %w", id, ErrIntakeDeleted)
	default:
		return nil, fmt.Errorf("intake submission %d (%s): %w", id, r.Status, ErrIntakeDecided)
	}
	names, err := intakeNames(r)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("intake submission %d: %w (it names no one)", id, ErrUnreadableIntake)
	}
	return s.checkConflicts(ctx, names, CheckFor{Context: intakeRef(id), ExcludeIntake: id}, &alsoOnCheck{
		records: []string{intakeRef(id)},
		fn:      func(tx *store.Tx, checkID int64) error { return tx.SetIntakeCheck(id, checkID) },
	})
}

// VerifyIntake records how the person's identity was checked (replacing
// an earlier record): the type of document is required; who checked it
// is the user when left empty; the day is today when left empty, and is
// a real day, not in the future. Recorded (intake.verify).
func (s *Session) VerifyIntake(ctx context.Context, id int64, v IntakeVerification) error {
	if err := s.allow(ctx, access.EditIntake, intakeRef(id)); err != nil {
		return err
	}
	if err := cleanLine("document", &v.DocType, true, "Say which document the identity was checked with (for example a passport)"); err != nil {
		return err
	}
	if err := cleanLine("checked-by", &v.CheckedBy, false, ""); err != nil {
		return err
	}
	if v.CheckedBy == "" {
		v.CheckedBy = s.DisplayName()
	}
	if err := cleanText("note", &v.Note, maxField, false, ""); err != nil {
		return err
	}
	now := s.now()
	v.On = strings.TrimSpace(v.On)
	if v.On == "" {
		v.On = dateOn(now)
	}
	d, err := human.ParseDate(v.On)
	if err != nil {
		return &FieldError{"verified-on", human.Capitalize(err.Error())}
	}
	v.On = d.Format(human.DateLayout)
	if v.On > dateOn(now) {
		return &FieldError{"verified-on", fmt.Sprintf("The day the identity was checked, %s, is in the future", v.On)}
	}
	if d.Year() < 1900 {
		return &FieldError{"verified-on", fmt.Sprintf("The day the identity was checked, %s, is before 1900", v.On)}
	}
	return s.update(ctx, "intake.verify", func(tx *store.Tx) (string, string, error) {
		if _, err := visibleIntake(tx, id); err != nil {
			return "", "", err
		}
		err := tx.SetIntakeVerification(id, store.IntakeVerification{DocType: v.DocType, CheckedBy: v.CheckedBy, On: v.On, Note: v.Note, At: now})
		return intakeRef(id), fmt.Sprintf("document %q, checked by %q on %s", v.DocType, v.CheckedBy, v.On), err
	})
}
