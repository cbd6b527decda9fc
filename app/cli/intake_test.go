package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"casevault/app/access"
	"casevault/app/intake/form"
	"casevault/store"
)

// The intake commands (issue 12). Submissions are sealed to the vault's
// intake key straight into its inbox, as the form does, and brought in by
// the next command's unlock.

// sealed is one submission to put in a vault's inbox.
type sealed struct {
	area    string
	answers []form.Answer
	files   []form.File
}

func short(key, label, text string) form.Answer {
	return form.Answer{Key: key, Label: label, Kind: form.Short, Text: text}
}

func names(key, label string, list ...string) form.Answer {
	return form.Answer{Key: key, Label: label, Kind: form.Names, List: list}
}

// addSubmissions stores the submissions in v as an import does (straight
// into the store: nothing recorded), in order, a second apart (the list
// shows the newest first).
func addSubmissions(t *testing.T, v *tv, subs ...sealed) {
	t.Helper()
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	withStore(t, v.dir, testPass, func(st *store.Store) error {
		return st.Update(context.Background(), func(tx *store.Tx) error {
			for i, x := range subs {
				sub := &form.Submission{Format: form.FormatName, Version: form.FormatVersion, ID: form.NewID(), ReceivedAt: at.Add(time.Duration(i) * time.Second),
					Session: form.NewSessionID(), PracticeArea: x.area, FormVersion: 1, Notice: form.Notice{Version: 1, Text: "We keep your answers private."},
					Consent: true, Answers: x.answers}
				var files []store.IntakeFile
				for j, f := range x.files {
					sum := sha256.Sum256(f.Data)
					m := form.FileMeta{N: j + 1, Question: f.Meta.Question, Name: f.Meta.Name, MediaType: f.Meta.MediaType, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])}
					sub.Files = append(sub.Files, m)
					files = append(files, store.IntakeFile{N: m.N, Question: m.Question, Name: m.Name, MediaType: m.MediaType, Size: m.Size, SHA256: m.SHA256, Content: f.Data})
				}
				payload, err := json.Marshal(sub)
				if err != nil {
					return err
				}
				row := &store.IntakeSubmission{SealedID: sub.ID, ReceivedAt: sub.ReceivedAt, ImportedAt: sub.ReceivedAt.Add(time.Minute),
					PracticeArea: sub.PracticeArea, FullName: sub.FullName(), Payload: string(payload)}
				for _, n := range sub.ConflictNames() {
					row.ConflictNames = append(row.ConflictNames, store.IntakeName{Name: n.Name, Role: n.Role})
				}
				if _, err := tx.InsertIntakeSubmission(row, files); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// addRoleUser adds a user with a role of the owner's making and has them
// choose their passphrase (addCLIUser is for the built-in roles).
func addRoleUser(t *testing.T, v *tv, name, role string) cliUser {
	t.Helper()
	one := oneTimeRE.FindString(v.ok("user", "add", name, "--role", role))
	u := cliUser{name: name, pass: "copper kettle winter orchard 4711"}
	if _, errs, code := v.with(one+"\n"+u.pass+"\n"+u.pass+"\n", "--user", name, "passwd"); code != 0 {
		t.Fatalf("%s passwd: exit %d %s", name, code, errs)
	}
	return u
}

// withEnv runs a command on v with env changed by set (as with).
func (v *tv) withEnv(set func(*Env), stdin string, args ...string) (string, string, int) {
	v.t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, StdinFD: -1, Sleep: noSleep, StateDir: v.t.TempDir()}
	set(&env)
	code := Run(context.Background(), append(args, "--vault", v.dir, "--passphrase-stdin"), env)
	return out.String(), errb.String(), code
}

// want fails the test unless the command exited with code and its output
// (standard output and error) holds every one of wants.
func (v *tv) want(code int, wants []string, args ...string) string {
	v.t.Helper()
	out, errs, got := v.do(args...)
	if got != code {
		v.t.Errorf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, got, code, out, errs)
	}
	for _, w := range wants {
		if !strings.Contains(out+errs, w) {
			v.t.Errorf("%v: the output lacks %q\nstdout: %s\nstderr: %s", args, w, out, errs)
		}
	}
	return out + errs
}

// noRawControl fails when text holds a control character other than a
// line break or a tab: hostile text must reach the terminal escaped.
func noRawControl(t *testing.T, what, text string) {
	t.Helper()
	for _, c := range text {
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c == 0x9b || unicode.Is(unicode.Cf, c) && c != '\u200c' && c != '\u200d' {
			t.Errorf("%s prints a raw control character %U:\n%q", what, c, text)
			return
		}
	}
}

// TestIntakeReview: the review queue from the command line, on one vault:
// list (the count of new ones, hostile names escaped), show (the answers
// by label and a conflict check kept), verify, accept (the client, matter
// and parties), decline, delete as spam (asked first), the summary and a
// file saved, and every refusal on the way: a bad or unknown id, a
// submission decided twice, a Paralegal who may not accept or export.
func TestIntakeReview(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Acme Ltd")
	pat := addCLIUser(t, v, "pat", access.ParalegalRole)
	photo := []byte("\xff\xd8\xff\xe0 not really a photo")
	hostile := "Mary\u200b Major [x] \"y\""
	addSubmissions(t, v,
		sealed{area: "family", answers: []form.Answer{short("full_name", "Full legal name", "Jane Roe"),
			names("adverse_parties", "Adverse parties", "Acme Ltd"),
			{Key: "description", Label: "What happened", Kind: form.Long, Text: "He left.\nI want a divorce."},
			{Key: "safe_to_leave_messages", Label: "Safe to leave messages?", Kind: form.YesNo, Text: "no"},
			{Key: "key_dates", Label: "Important dates", Kind: form.Dates, Dates: []form.KeyDate{{What: "Separation", Date: "2026-03-04"}}}}},
		sealed{area: "estate", answers: []form.Answer{short("full_name", "Full legal name", hostile),
			names("other_names", "Other or former names", "Mary Red\u2060"),
			names("other_people", "Other people involved", "Tom Major"),
			names("opposing_counsel", "Opposing counsel", "Sam Counsel")},
			files: []form.File{{Meta: form.FileMeta{Question: "id_document", Name: "pass\u200bport.jpg", MediaType: "image/jpeg"}, Data: photo}}},
		sealed{area: "general", answers: []form.Answer{short("full_name", "Full legal name", "Cheap pills")}},
	)

	// The list: imported at this unlock, newest first.
	out := v.want(0, []string{"3 new submissions are waiting for review.", "Jane Roe", `Mary\u200b Major [x] "y"`, "Cheap pills"}, "intake", "list")
	noRawControl(t, "intake list", out)
	if i, j := strings.Index(out, "Cheap pills"), strings.Index(out, "Jane Roe"); i < 0 || j < 0 || i > j {
		t.Errorf("intake list is not newest first:\n%s", out)
	}
	list := okJSON[struct {
		New         int `json:"new"`
		Submissions []struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			Files int    `json:"files"`
		} `json:"submissions"`
	}](v, "intake", "list")
	if list.New != 3 || len(list.Submissions) != 3 {
		t.Fatalf("intake list --json: %+v", list)
	}
	ids := map[string]string{}
	for _, s := range list.Submissions {
		ids[s.Name] = itoa(s.ID)
	}
	jane, mary, spam := ids["Jane Roe"], ids[hostile], ids["Cheap pills"]
	if jane == "" || mary == "" || spam == "" {
		t.Fatalf("intake list --json names: %+v", list)
	}

	// Refusals of the id.
	v.want(ExitUsage, []string{`"x" is not a submission id`}, "intake", "show", "x")
	v.want(ExitUsage, []string{"give exactly one submission id"}, "intake", "show")
	v.want(ExitError, []string{"not found", "casevault intake list"}, "intake", "show", "999")

	// Accepting before the names were checked is refused: the lawyer must
	// have seen the hits.
	v.want(ExitError, []string{"has not been checked for conflicts yet", "casevault intake show " + mary}, "intake", "accept", mary, "--decision", "clear")

	// Show: the answers by label, escaped; a conflict check on every name.
	out = v.want(0, []string{"Submission " + jane + " (waiting for review)", "Full legal name", "Jane Roe", "What happened", "He left.", "I want a divorce.",
		"Safe to leave messages?", "No", "Separation: 2026-03-04", "Conflict check", "Acme Ltd", "Identity", "not verified",
		"casevault intake accept " + jane}, "intake", "show", jane)
	noRawControl(t, "intake show", out)
	out = v.want(0, []string{`Mary\u200b Major [x] "y"`, `Mary Red\u2060`, `pass\u200bport.jpg`, "Tom Major", "Sam Counsel"}, "intake", "show", mary)
	noRawControl(t, "intake show (hostile)", out)

	// A role that may read intake but not check conflicts or handle
	// submissions: show says why there is no check; start and verify are
	// refused.
	v.ok("role", "add", "Intake reader", "--intake", "read")
	dee := addRoleUser(t, v, "dee", "Intake reader")
	if out, errs, code := v.as(dee, "intake", "show", mary); code != 0 || !strings.Contains(out, "No conflict check: Your role (Intake reader) cannot") {
		t.Errorf("intake show without the right to check conflicts: exit %d\n%s\n%s", code, out, errs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out2, errs2 bytes.Buffer
	env := Env{Stdin: strings.NewReader(dee.pass + "\n"), Stdout: &out2, Stderr: &errs2, StdinFD: -1, Sleep: noSleep, StateDir: t.TempDir(),
		OpenURL: func(string) error { return nil }}
	if code := Run(ctx, []string{"--user", "dee", "intake", "start", "--no-browser", "--vault", v.dir, "--passphrase-stdin"}, env); code != ExitDenied {
		t.Errorf("intake start by a role that may only read intake: exit %d\n%s\n%s", code, &out2, &errs2)
	}
	if _, errs, code := v.as(dee, "intake", "verify", jane, "--document", "passport", "--checked-by", "J", "--on", "2026-12-01"); code != ExitDenied {
		t.Errorf("intake verify by a role that may only read intake: exit %d %s", code, errs)
	}

	// Verify.
	v.want(ExitUsage, []string{"needs --document"}, "intake", "verify", jane, "--checked-by", "Jane Roe", "--on", "2026-12-02")
	v.want(ExitUsage, []string{"--on 2999-01-01 is in the future"}, "intake", "verify", jane, "--document", "passport", "--checked-by", "J", "--on", "2999-01-01")
	v.want(ExitUsage, []string{"not a real date"}, "intake", "verify", jane, "--document", "passport", "--checked-by", "J", "--on", "2026-02-30")
	ch := okJSON[changed](v, "intake", "verify", jane, "--document", "passport", "--checked-by", "Jane Roe", "--on", "2026-12-01")
	if ch.Kind != "intake_submission" || itoa(ch.ID) != jane || ch.Change != "verified" {
		t.Errorf("intake verify --json: %+v", ch)
	}

	// Accept: refusals first, then the client, matter and parties.
	v.want(ExitUsage, []string{"decline the submission instead"}, "intake", "accept", mary, "--decision", "conflict")
	v.want(ExitUsage, []string{"a waived conflict needs --note"}, "intake", "accept", mary, "--decision", "waived")
	v.want(ExitUsage, []string{"needs your decision"}, "intake", "accept", mary)
	if _, errs, code := v.as(pat, "intake", "accept", mary, "--decision", "clear"); code != ExitDenied {
		t.Errorf("a Paralegal accepted a submission: exit %d %s", code, errs)
	}
	out = v.want(0, []string{"Submission " + mary + " accepted.", "Client ", `added: Mary\u200b Major [x] "y"`, "Matter ", "Major estate",
		"2 parties added", "Tom Major", "Sam Counsel", "recorded: clear"}, "intake", "accept", mary, "--title", "Major estate", "--decision", "clear")
	noRawControl(t, "intake accept", out)

	// Files: needs the export right, never overwrites, a file that is not there.
	dst := filepath.Join(t.TempDir(), "passport.jpg")
	if _, errs, code := v.as(pat, "intake", "file", mary, "1", "--out", dst); code != ExitDenied {
		t.Errorf("a Paralegal saved an uploaded file: exit %d %s", code, errs)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Error("the refused save left a file")
	}
	v.want(0, []string{"File 1 of submission " + mary, "saved to"}, "intake", "file", mary, "1", "--out", dst)
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, photo) {
		t.Errorf("the saved file holds %q", got)
	}
	v.want(ExitError, []string{"already exists"}, "intake", "file", mary, "1", "--out", dst)
	v.want(ExitError, []string{"has no file 7", "numbered 1 to 1"}, "intake", "file", mary, "7", "--out", dst+"2")
	v.want(ExitError, []string{"came with no files"}, "intake", "file", jane, "1", "--out", dst+"3")
	v.want(ExitUsage, []string{"needs --out FILE"}, "intake", "file", mary, "1")

	// Decline, twice.
	v.want(ExitUsage, []string{"needs --reason"}, "intake", "decline", jane)
	ch = okJSON[changed](v, "intake", "decline", jane, "--reason", "Conflict with a client")
	if ch.Change != "declined" || itoa(ch.ID) != jane {
		t.Errorf("intake decline --json: %+v", ch)
	}
	v.want(ExitError, []string{"already"}, "intake", "decline", jane, "--reason", "again")
	// A declined prospect stays in conflict checks, said as such.
	out = v.want(0, []string{"prospective client", "intake submission " + jane + ": Jane Roe (declined)"}, "conflicts", "check", "Jane Roe")
	if strings.Contains(out, "0 Jane Roe") {
		t.Errorf("a prospect's hit names client 0:\n%s", out)
	}
	v.want(0, []string{"Declined", "Conflict with a client", "verified: passport, checked by Jane Roe on 2026-12-01", "as kept when the submission was reviewed", "Acme Ltd"}, "intake", "show", jane)

	// Delete as spam: --yes without a terminal; asked at one.
	v.want(ExitUsage, []string{"confirm with --yes"}, "intake", "delete", spam)
	terminal := func(e *Env) { e.terminal = true }
	if _, errs, code := v.withEnv(terminal, testPass+"\nno\n", "intake", "delete", spam); code != ExitError || !strings.Contains(errs, "Nothing was deleted") {
		t.Errorf("delete answered no: exit %d %s", code, errs)
	}
	if out, errs, code := v.withEnv(terminal, testPass+"\nyes\n", "intake", "delete", spam); code != 0 || !strings.Contains(out, "deleted as spam") {
		t.Errorf("delete answered yes: exit %d %s %s", code, out, errs)
	}
	out = v.want(0, []string{"deleted as spam", "erased"}, "intake", "show", spam)
	if strings.Contains(out, "Cheap pills") {
		t.Errorf("a submission deleted as spam still shows its answers:\n%s", out)
	}
	v.want(ExitError, []string{"already"}, "intake", "delete", spam, "--yes")

	// The list now: nothing new; every one with --status all.
	v.want(0, []string{"No new submissions are waiting for review.", "accepted", "declined", "deleted as spam"}, "intake", "list", "--status", "all")
	v.want(ExitUsage, []string{"--status is new, accepted, declined, spam or all"}, "intake", "list", "--status", "old")
	v.want(ExitUsage, []string{"--limit is a number from 1 to 500"}, "intake", "list", "--limit", "501")
	if out := v.want(0, []string{"Jane Roe"}, "intake", "list", "--status", "all", "--name", "JANE"); strings.Contains(out, "Cheap pills") {
		t.Errorf("intake list --name jane lists others:\n%s", out)
	}
	v.want(0, []string{"No submissions with a name holding “Zebedee”."}, "intake", "list", "--status", "all", "--name", "Zebedee")

	// The summary: printed, written once, refused to a Paralegal.
	v.want(0, []string{"Jane Roe"}, "intake", "summary", jane)
	page := filepath.Join(t.TempDir(), "intake.html")
	if _, errs, code := v.as(pat, "intake", "summary", jane, "--out", page); code != ExitDenied {
		t.Errorf("a Paralegal wrote the summary to a file: exit %d %s", code, errs)
	}
	v.want(0, []string{"written to"}, "intake", "summary", jane, "--out", page)
	if b, _ := os.ReadFile(page); !bytes.Contains(b, []byte("Jane Roe")) {
		t.Errorf("the summary page lacks the name:\n%s", b)
	}
	v.want(ExitError, []string{"already exists"}, "intake", "summary", jane, "--out", page)
	v.want(ExitUsage, []string{"not both"}, "intake", "summary", jane, "--out", page, "--open")
	var opened []byte
	openPage := func(e *Env) {
		e.OpenBrowser = func(p string) error { opened, _ = os.ReadFile(p); return nil }
	}
	if _, errs, code := v.withEnv(openPage, testPass+"\n", "intake", "summary", jane, "--open"); code != 0 || !bytes.Contains(opened, []byte("Jane Roe")) {
		t.Errorf("intake summary --open: exit %d %s\n%s", code, errs, opened)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
