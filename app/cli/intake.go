package cli

// The "intake" commands (issue 12): start and stop the intake form, and
// review what it received. The form itself (app/intake) is never imported
// here: app starts it and hands back the running server.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"casevault/app"
	"casevault/app/human"
	"casevault/app/intake/form"
)

// intakeStatuses are what intake list --status takes.
var intakeStatuses = []string{"new", "accepted", "declined", "spam", "all"}

// areaLabels are the practice areas' names by key, from the form as it
// is now ("" when it cannot be read: the keys are shown).
func areaLabels(ctx context.Context, s *app.Session) map[string]string {
	m := map[string]string{}
	c, err := s.IntakeForm(ctx)
	if err != nil {
		return m
	}
	for _, a := range c.Areas {
		m[a.Key] = a.Label
	}
	return m
}

// areaName is a practice area in words: its label, else its key; "-" for none.
func areaName(labels map[string]string, key string) string {
	if key == "" {
		return "-"
	}
	if l := labels[key]; l != "" {
		return l
	}
	return key
}

func (r *runner) intakeList(args []string) error {
	fs := r.flags("intake list")
	status := fs.String("status", "new", "new, accepted, declined, spam or all")
	limit := fs.Int("limit", 100, fmt.Sprintf("most submissions to show (at most %s)", human.Number(app.MaxIntakePage)))
	name := fs.String("name", "", "only the submissions with a name (the person's or any name they gave) holding this text, in any case")
	ff := newFileFlags(fs)
	ff.add("name", "the name", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("intake list takes no arguments, not %q", pos[0])
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	if t, ok := files["name"]; ok {
		*name = t
	}
	if !slices.Contains(intakeStatuses, *status) {
		return usagef("--status is new, accepted, declined, spam or all, not %q", *status)
	}
	if *limit < 1 || *limit > app.MaxIntakePage {
		return usagef("--limit is a number from 1 to %s, not %d", human.Number(app.MaxIntakePage), *limit)
	}
	return r.open(func(s *app.Session) error {
		newCount, err := s.IntakeNewCount(r.ctx)
		if err != nil {
			return err
		}
		list, total, err := s.ListIntake(r.ctx, app.IntakeFilter{Status: *status, Query: *name, Limit: *limit})
		if err != nil {
			return err
		}
		labels := areaLabels(r.ctx, s)
		type row struct {
			ID           int64     `json:"id"`
			ReceivedAt   time.Time `json:"received_at"`
			Name         string    `json:"name"`
			PracticeArea string    `json:"practice_area"`
			Status       string    `json:"status"`
			Files        int       `json:"files"`
			Hits         int       `json:"conflict_hits"`
			Restricted   bool      `json:"restricted,omitempty"`
		}
		rows := make([]row, 0, len(list))
		for _, x := range list {
			rows = append(rows, row{x.ID, x.ReceivedAt, x.FullName, x.PracticeArea, x.Status, x.Files, x.Hits, x.Restricted})
		}
		js := struct {
			New         int   `json:"new"`
			Total       int   `json:"total"`
			Submissions []row `json:"submissions"`
		}{newCount, total, rows}
		return r.out(js, func(w io.Writer) {
			switch newCount {
			case 0:
				fmt.Fprintln(w, "No new submissions are waiting for review.")
			default:
				fmt.Fprintf(w, "%s waiting for review.\n", human.Count(newCount, "new submission is", "new submissions are"))
			}
			if len(list) == 0 {
				if *name != "" {
					fmt.Fprintf(w, "No submissions with a name holding “%s”.\n", cell(*name))
				} else if *status != "new" {
					fmt.Fprintf(w, "No submissions with the status %s.\n", *status)
				} else if total == 0 {
					fmt.Fprintf(w, "Start the intake form with: casevault intake start%s\n", r.vaultFlag())
				}
				return
			}
			fmt.Fprintln(w)
			head := "ID\tRECEIVED\tNAME\tPRACTICE AREA\tFILES\tCONFLICT HITS"
			if *status == "all" {
				head += "\tSTATUS"
			}
			fmt.Fprintln(w, head)
			for _, x := range list {
				name := cell(x.FullName)
				if x.FullName == "" && x.Restricted {
					name = "(a client you may not see: ask the owner)"
				} else if x.FullName == "" {
					name = "-"
				}
				hits := human.Number(int64(x.Hits))
				switch {
				case x.Hits < 0:
					hits = "-"
				case x.Restricted:
					hits += " (some you may not see: ask the owner)"
				}
				line := fmt.Sprintf("%d\t%s\t%s\t%s\t%d\t%s", x.ID, human.Time(x.ReceivedAt), name, cell(areaName(labels, x.PracticeArea)), x.Files, hits)
				if *status == "all" {
					line += "\t" + intakeStatusWord(x.Status)
				}
				fmt.Fprintln(w, line)
			}
			if total > len(list) {
				fmt.Fprintf(w, "\n%s not shown (--limit %d).\n", human.Count(total-len(list), "more submission", "more submissions"), *limit)
			}
			fmt.Fprintf(w, "\nSee one, with a conflict check on every name in it: casevault intake show ID%s\n", r.vaultFlag())
		})
	})
}

// intakeStatusWord is a submission's status in words ("waiting for review").
func intakeStatusWord(status string) string {
	return cell(strings.ToLower(app.IntakeStatusWords(status)))
}

// notThere refuses, before the passphrase is asked, a new file's name
// that is taken (writeNew refuses it again when the file is made).
func notThere(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists; give a new file name (nothing was written)", path)
	}
	return nil
}

// intakeID is the one submission id of a command.
func intakeID(pos []string) (int64, error) {
	return oneID("submission", pos)
}

// answerText is an answer's value as one text: names joined by "; ",
// dates as "what: YYYY-MM-DD", yes/no as Yes or No.
func answerText(a form.Answer) string {
	switch {
	case len(a.List) > 0:
		return strings.Join(a.List, "; ")
	case len(a.Dates) > 0:
		var parts []string
		for _, d := range a.Dates {
			if d.What != "" {
				parts = append(parts, d.What+": "+d.Date)
			} else {
				parts = append(parts, d.Date)
			}
		}
		return strings.Join(parts, "; ")
	case a.Kind == form.YesNo && a.Text == "yes":
		return "Yes"
	case a.Kind == form.YesNo && a.Text == "no":
		return "No"
	}
	return a.Text
}

func (r *runner) intakeShow(args []string) error {
	fs := r.flags("intake show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := intakeID(pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		d, err := s.GetIntake(r.ctx, id)
		if err != nil {
			return err
		}
		// The conflict check: run now on a new submission (and kept), the
		// one kept at the decision otherwise; none for spam (its names are
		// erased).
		var res *app.ConflictResult
		var checkErr error
		switch {
		case d.Status == "new":
			res, checkErr = s.CheckIntakeConflicts(r.ctx, id)
		case d.Status != "spam" && d.CheckID != 0:
			var c *app.ConflictCheckDetail
			if c, checkErr = s.GetConflictCheck(r.ctx, d.CheckID); checkErr == nil {
				res = &app.ConflictResult{CheckID: c.ID, Names: c.Names, Hits: c.Hits}
			}
		}
		if checkErr != nil && !errors.Is(checkErr, app.ErrDenied) {
			return checkErr
		}
		labels := areaLabels(r.ctx, s)
		js := struct {
			*app.IntakeDetail
			Conflicts *app.ConflictResult `json:"conflicts,omitempty"`
		}{d, res}
		return r.out(js, func(w io.Writer) {
			r.intakeDetail(w, d, labels)
			switch {
			case checkErr != nil:
				fmt.Fprintf(w, "\nNo conflict check: %s.\n", cell(message(checkErr, r.repo, r.vault)))
			case res != nil:
				fmt.Fprintln(w)
				if d.Status == "new" {
					fmt.Fprintf(w, "Conflict check %d, on every name in the submission:\n", res.CheckID)
				} else {
					fmt.Fprintf(w, "Conflict check %d, as kept when the submission was reviewed:\n", res.CheckID)
				}
				r.hitLines(w, res)
			}
			if d.Status == "new" {
				v := r.vaultFlag()
				fmt.Fprintf(w, "\nTo take the person on:  casevault intake accept %d%s --decision clear|waived\n", id, v)
				fmt.Fprintf(w, "To decline:             casevault intake decline %d%s --reason \"...\"\n", id, v)
				fmt.Fprintf(w, "If it is spam:          casevault intake delete %d%s\n", id, v)
			}
		})
	})
}

// intakeDetail prints a submission: what came, its answers, its files,
// the verification and the decision.
func (r *runner) intakeDetail(w io.Writer, d *app.IntakeDetail, labels map[string]string) {
	fmt.Fprintf(w, "Submission %d (%s)\n", d.ID, intakeStatusWord(d.Status))
	fmt.Fprintf(w, "Received\t%s\n", human.Time(d.ReceivedAt))
	fmt.Fprintf(w, "Practice area\t%s\n", cell(areaName(labels, d.PracticeArea)))
	sub := d.Submission
	if sub != nil {
		consent := "not agreed"
		if sub.Consent {
			consent = fmt.Sprintf("agreed to (version %d)", sub.Notice.Version)
		}
		fmt.Fprintf(w, "Privacy notice\t%s\n", consent)
	}
	if d.Status != "new" {
		word := map[string]string{"accepted": "Accepted", "declined": "Declined", "spam": "Deleted as spam"}[d.Status]
		if word == "" {
			word = "Decided"
		}
		fmt.Fprintf(w, "%s\t%s by %s\n", word, human.Time(d.DecidedAt), cell(d.DecidedBy))
		if d.Reason != "" {
			fmt.Fprintf(w, "Reason\t%s\n", lines(d.Reason))
		}
		if d.ClientID != 0 {
			fmt.Fprintf(w, "Client\t%d\n", d.ClientID)
		}
		if d.MatterID != 0 {
			fmt.Fprintf(w, "Matter\t%d\n", d.MatterID)
		}
	}
	v := d.Verification
	if v.DocType != "" {
		fmt.Fprintf(w, "Identity\tverified: %s, checked by %s on %s\n", cell(v.DocType), cell(v.CheckedBy), cell(v.On))
		if v.Note != "" {
			fmt.Fprintf(w, "\t  Note: %s\n", lines(v.Note))
		}
	} else if d.Status == "new" {
		fmt.Fprintf(w, "Identity\tnot verified (record it with: casevault intake verify %d%s --document TYPE --checked-by NAME --on YYYY-MM-DD)\n", d.ID, r.vaultFlag())
	}
	if sub != nil && len(sub.Answers) > 0 {
		fmt.Fprintln(w, "\nAnswers:")
		for _, a := range sub.Answers {
			if t := answerText(a); t != "" {
				fmt.Fprintf(w, "%s\t%s\n", cell(a.Label), lines(t))
			}
		}
	} else if d.Status == "spam" {
		fmt.Fprintln(w, "\nIts answers and files were erased.")
	}
	if len(d.FileList) > 0 {
		fmt.Fprintln(w, "\nFiles:")
		fmt.Fprintln(w, "N\tNAME\tTYPE\tSIZE")
		for _, f := range d.FileList {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", f.N, cell(f.Name), cell(f.MediaType), human.Size(f.Size))
		}
		fmt.Fprintf(w, "Save one with: casevault intake file %d N%s --out FILE\n", d.ID, r.vaultFlag())
	}
}

func (r *runner) intakeVerify(args []string) error {
	fs := r.flags("intake verify")
	doc := fs.String("document", "", "the identity document seen, e.g. passport, driving licence (required)")
	by := fs.String("checked-by", "", "who checked it (required)")
	on := fs.String("on", "", "the day it was checked, `YYYY-MM-DD` (required)")
	note := fs.String("note", "", "anything to add, e.g. the document's number or its expiry")
	ff := newFileFlags(fs)
	ff.add("note", "the note", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := intakeID(pos)
	if err != nil {
		return err
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	if t, ok := files["note"]; ok {
		*note = t
	}
	switch {
	case strings.TrimSpace(*doc) == "":
		return usagef("intake verify needs --document, the document seen (e.g. --document passport)")
	case strings.TrimSpace(*by) == "":
		return usagef("intake verify needs --checked-by, who checked it (e.g. --checked-by \"Jane Roe\")")
	case *on == "":
		return usagef("intake verify needs --on, the day it was checked (YYYY-MM-DD)")
	}
	day, err := dateFlag("on", *on)
	if err != nil {
		return err
	}
	if day.After(time.Now()) {
		return usagef("--on %s is in the future", *on)
	}
	return r.open(func(s *app.Session) error {
		v := app.IntakeVerification{DocType: *doc, CheckedBy: *by, On: *on, Note: *note}
		if err := s.VerifyIntake(r.ctx, id, v); err != nil {
			return err
		}
		return r.done(changed{Kind: "intake_submission", ID: id, Change: "verified"},
			fmt.Sprintf("Identity verification recorded for submission %d: %s, checked by %s on %s.", id, cell(*doc), cell(*by), *on))
	})
}

func (r *runner) intakeAccept(args []string) error {
	fs := r.flags("intake accept")
	title := fs.String("title", "", "the new matter's title (default: from the answers)")
	area := fs.String("practice-area", "", "the matter's practice area (default: the one chosen on the form)")
	decision := fs.String("decision", "", "your decision on the submission's conflict check: clear or waived")
	note := fs.String("note", "", "why; for waived, where the written consent is filed (required then)")
	noParties := fs.Bool("no-parties", false, "create no parties from the answers")
	ff := newFileFlags(fs)
	ff.add("title", "the title", false)
	ff.add("note", "the note", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := intakeID(pos)
	if err != nil {
		return err
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	set := given(fs)
	if t, ok := files["title"]; ok {
		*title, set["title"] = t, true
	}
	if t, ok := files["note"]; ok {
		*note, set["note"] = t, true
	}
	switch {
	case *decision == "":
		return usagef("intake accept needs your decision on the submission's conflict check: --decision clear (no conflict), or --decision waived --note \"where the written consent is filed\"")
	case *decision == "conflict":
		return usagef("a conflict means the person cannot be taken on: decline the submission instead (casevault intake decline %d --reason \"...\")", id)
	case *decision != "" && *decision != "clear" && *decision != "waived":
		return usagef("--decision is clear or waived, not %q", *decision)
	case *decision == "waived" && strings.TrimSpace(*note) == "":
		return usagef("a waived conflict needs --note saying where the written consent is filed, e.g. --note \"Consent of both clients, file 2026-0004/7\"")
	case set["title"] && strings.TrimSpace(*title) == "":
		return usagef("--title needs the matter's title (leave it out to take it from the answers)")
	}
	return r.open(func(s *app.Session) error {
		a, err := s.IntakeDraft(r.ctx, id)
		if err != nil {
			return err
		}
		if a.CheckID == 0 {
			return &saidError{fmt.Sprintf("submission %d has not been checked for conflicts yet: look at it first with \"casevault intake show %d%s\" (which checks every name in it), then accept it", id, id, r.vaultFlag()), nil}
		}
		if set["title"] {
			a.MatterTitle = *title
		}
		if set["practice-area"] {
			a.PracticeArea = *area
		}
		if *noParties {
			a.Parties = nil
		}
		a.Decision, a.DecisionNote = *decision, *note
		clientID, matterID, err := s.AcceptIntake(r.ctx, id, *a)
		if err != nil {
			return err
		}
		name := ""
		if a.Client.Name != nil {
			name = strings.TrimSpace(*a.Client.Name)
		}
		type partyJSON struct {
			Name string `json:"name"`
			Role string `json:"role"`
		}
		parties := make([]partyJSON, 0, len(a.Parties))
		for _, p := range a.Parties {
			parties = append(parties, partyJSON{p.Name, p.Role})
		}
		js := struct {
			ID       int64       `json:"id"`
			Change   string      `json:"change"`
			ClientID int64       `json:"client_id"`
			MatterID int64       `json:"matter_id"`
			Parties  []partyJSON `json:"parties"`
			CheckID  int64       `json:"check_id"`
			Decision string      `json:"decision,omitempty"`
		}{id, "accepted", clientID, matterID, parties, a.CheckID, a.Decision}
		return r.out(js, func(w io.Writer) {
			fmt.Fprintf(w, "Submission %d accepted.\n", id)
			fmt.Fprintf(w, "Client %d added: %s\n", clientID, cell(name))
			fmt.Fprintf(w, "Matter %d added: %s\n", matterID, cell(strings.TrimSpace(a.MatterTitle)))
			if len(a.Parties) == 0 {
				fmt.Fprintln(w, "No parties were added.")
			} else {
				fmt.Fprintf(w, "%s added to matter %d:\n", human.Count(len(a.Parties), "party", "parties"), matterID)
				for _, p := range a.Parties {
					fmt.Fprintf(w, "  %s (%s)\n", cell(p.Name), cell(strings.ToLower(app.PartyRoleLabel(p.Role))))
				}
			}
			if a.MatterNote != "" {
				fmt.Fprintln(w, "The matter's first note holds the other answers.")
			}
			fmt.Fprintf(w, "Decision on conflict check %d recorded: %s.\n", a.CheckID, a.Decision)
		})
	})
}

func (r *runner) intakeDecline(args []string) error {
	fs := r.flags("intake decline")
	reason := fs.String("reason", "", "why the submission is declined (required; kept with it)")
	ff := newFileFlags(fs)
	ff.add("reason", "the reason", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := intakeID(pos)
	if err != nil {
		return err
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	if t, ok := files["reason"]; ok {
		*reason = t
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("intake decline needs --reason, e.g. --reason \"Conflict with an existing client\"")
	}
	return r.open(func(s *app.Session) error {
		if err := s.DeclineIntake(r.ctx, id, *reason); err != nil {
			return err
		}
		return r.done(changed{Kind: "intake_submission", ID: id, Change: "declined"},
			fmt.Sprintf("Submission %d declined. The person stays in conflict checks as a declined prospective client.", id))
	})
}

// isTerminal says whether standard input is a terminal a person answers at.
func (r *runner) isTerminal() bool {
	if r.env.terminal {
		return true
	}
	return r.env.StdinFD >= 0 && term.IsTerminal(r.env.StdinFD)
}

func (r *runner) intakeDelete(args []string) error {
	fs := r.flags("intake delete")
	yes := fs.Bool("yes", false, "delete without asking first")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := intakeID(pos)
	if err != nil {
		return err
	}
	ask := !*yes
	if ask && !r.isTerminal() {
		return usagef("intake delete erases the submission's answers and files; there is no terminal to ask at, so confirm with --yes")
	}
	return r.open(func(s *app.Session) error {
		if ask {
			if err := r.confirmDelete(fmt.Sprintf("Delete submission %d as spam? Its answers and files are erased for good.", id)); err != nil {
				return err
			}
		}
		if err := s.DeleteIntakeAsSpam(r.ctx, id); err != nil {
			return err
		}
		return r.done(changed{Kind: "intake_submission", ID: id, Change: "deleted as spam"},
			fmt.Sprintf("Submission %d deleted as spam: its answers and files are erased.", id))
	})
}

func (r *runner) intakeSummary(args []string) error {
	fs := r.flags("intake summary")
	outFile := fs.String("out", "", "write the printable page to `FILE` (a file that exists is not overwritten)")
	open := fs.Bool("open", false, "open the printable page in the browser (from a private temporary file, deleted afterwards)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := intakeID(pos)
	if err != nil {
		return err
	}
	if *outFile != "" && *open {
		return usagef("give --out FILE or --open, not both")
	}
	if err := notThere(*outFile); err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		rep, err := s.IntakeSummaryReport(r.ctx, id)
		if err != nil {
			return err
		}
		switch {
		case *open:
			return r.openPage(rep.WriteHTML)
		case *outFile == "":
			return r.out(rep, func(w io.Writer) { rep.WriteText(w) })
		}
		if err := writeNew(*outFile, "the intake summary", func(w io.Writer) error {
			return s.SaveIntakeSummary(r.ctx, rep, w)
		}); err != nil {
			return err
		}
		return r.out(struct {
			ID   int64  `json:"id"`
			File string `json:"file"`
		}{id, *outFile}, func(w io.Writer) {
			fmt.Fprintf(w, "Summary of submission %d written to %s. It holds the person's answers: keep it with the file, and delete other copies.\n", id, cell(*outFile))
		})
	})
}

func (r *runner) intakeFile(args []string) error {
	fs := r.flags("intake file")
	outFile := fs.String("out", "", "the new file to save it to (required; a file that exists is not overwritten)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("give the submission and the file's number: casevault intake file SUBMISSION-ID N --out FILE")
	}
	id, err := parseID("submission", pos[0])
	if err != nil {
		return err
	}
	n, err := parseID("file", pos[1])
	if err != nil {
		return err
	}
	if strings.TrimSpace(*outFile) == "" {
		return usagef("intake file needs --out FILE, the new file to save it to")
	}
	if err := notThere(*outFile); err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		d, err := s.GetIntake(r.ctx, id)
		if err != nil {
			return err
		}
		var f *app.IntakeFileInfo
		for i := range d.FileList {
			if int64(d.FileList[i].N) == n {
				f = &d.FileList[i]
			}
		}
		if f == nil {
			switch len(d.FileList) {
			case 0:
				return fmt.Errorf("submission %d came with no files", id)
			default:
				return fmt.Errorf("submission %d has no file %d: its files are numbered 1 to %d (casevault intake show %d%s lists them)", id, n, len(d.FileList), id, r.vaultFlag())
			}
		}
		if err := writeNew(*outFile, "the file", func(w io.Writer) error { return s.SaveIntakeFile(r.ctx, id, f.ID, w) }); err != nil {
			return err
		}
		return r.out(struct {
			ID   int64  `json:"id"`
			N    int    `json:"n"`
			Name string `json:"name"`
			Size int64  `json:"size"`
			File string `json:"file"`
		}{id, f.N, f.Name, f.Size, *outFile}, func(w io.Writer) {
			fmt.Fprintf(w, "File %d of submission %d (%s, %s) saved to %s. It holds client data: keep it safe and delete it when done.\n",
				f.N, id, cell(f.Name), human.Size(f.Size), cell(*outFile))
		})
	})
}

// confirmDelete asks question on standard error and reads the answer: yes
// (or y) goes on; anything else prints "Nothing was deleted." and fails
// quietly. With --passphrase-stdin the answer is the line after the
// passphrase, from the same reader.
func (r *runner) confirmDelete(question string) error {
	fmt.Fprint(r.env.Stderr, question+" Type yes to delete: ")
	in := r.lines
	if in == nil {
		in = bufio.NewReader(r.env.Stdin)
	}
	line, _ := in.ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "yes" && a != "y" {
		fmt.Fprintln(r.env.Stderr, "Nothing was deleted.")
		return &quietError{ExitError}
	}
	return nil
}
