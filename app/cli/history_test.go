package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"casevault/app/access"
)

// TestConflictHistoryCommands: conflicts list no longer runs a check on
// the word "list"; list, show and report give back every check, its hits
// and every decision, newest first; the report is written as a page, never
// over a file; the old form and "check list" still check names.
func TestConflictHistoryCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	v.id("matter", "add", "--client", "1", "--title", "Roe v. Acme", "--adverse", "Acme Ltd")
	if out := v.ok("conflicts", "list"); !strings.Contains(out, "No conflict checks match.") {
		t.Fatalf("conflicts list on a vault without checks:\n%s", out)
	}
	if out := v.ok("conflicts", "list", "--json"); !strings.Contains(out, `"total": 0`) {
		t.Errorf("conflicts list --json ran a check or said something else:\n%s", out)
	}
	v.ok("conflicts", "check", "Acme Ltd") // 1
	v.ok("conflicts", "Nobody Known")      // 2: the old form
	v.ok("conflicts", "check", "list")     // 3: a name that is a subcommand word
	v.ok("conflicts", "decide", "1", "--decision", "clear", "--note", "a different Acme")
	v.ok("conflicts", "decide", "1", "--decision", "waived", "--note", "Written consent, file 2026-0001/3")

	type listOut struct {
		Total  int `json:"total"`
		Checks []struct {
			ID       int64    `json:"id"`
			Names    []string `json:"names"`
			HitCount int      `json:"hit_count"`
			Decision string   `json:"decision"`
		} `json:"checks"`
	}
	l := okJSON[listOut](v, "conflicts", "list")
	if l.Total != 3 || len(l.Checks) != 3 || l.Checks[0].ID != 3 || l.Checks[2].ID != 1 || l.Checks[2].Decision != "waived" || l.Checks[2].HitCount != 1 ||
		l.Checks[0].Names[0] != "list" {
		t.Errorf("conflicts list --json, newest first: %+v", l)
	}
	out := v.ok("conflicts", "list")
	if !strings.Contains(out, "3 conflict checks, newest first") || strings.Index(out, "Nobody Known") > strings.Index(out, "Acme Ltd") {
		t.Errorf("conflicts list:\n%s", out)
	}
	if l := okJSON[listOut](v, "conflicts", "list", "--decision", "undecided"); l.Total != 2 {
		t.Errorf("--decision undecided: %+v", l)
	}
	if l := okJSON[listOut](v, "conflicts", "list", "--name", "acme"); l.Total != 1 || l.Checks[0].ID != 1 {
		t.Errorf("--name acme: %+v", l)
	}
	if out := v.ok("conflicts", "list", "--limit", "1"); !strings.Contains(out, "1 of 3 conflict checks") || !strings.Contains(out, "--limit 3") {
		t.Errorf("--limit 1:\n%s", out)
	}

	out = v.ok("conflicts", "show", "1")
	for _, want := range []string{"Conflict check 1", "Earlier decision", "Clear: no conflict", "Note: a different Acme", "Waived (written consent)",
		"Written consent, file 2026-0001/3", `“Acme Ltd”: 1 possible match`, "To decide again"} {
		if !strings.Contains(out, want) {
			t.Errorf("conflicts show lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "a different Acme") > strings.Index(out, "Written consent") {
		t.Errorf("decisions not oldest first:\n%s", out)
	}
	if out := v.ok("conflicts", "report", "1"); !strings.Contains(out, "Names checked: Acme Ltd") || !strings.Contains(out, "Decisions") {
		t.Errorf("conflicts report as text:\n%s", out)
	}
	page := filepath.Join(scratchDir(t), "check-1.html")
	if out := v.ok("conflicts", "report", "1", "--html", page); !strings.Contains(out, "written to") {
		t.Errorf("conflicts report --html said %q", out)
	}
	if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), "Acme Ltd") || !strings.Contains(string(b), "<html") {
		t.Errorf("the page (%v):\n%.300s", err, b)
	}
	if _, errs, code := v.do("conflicts", "report", "1", "--html", page); code == 0 || !strings.Contains(errs, "already exists") {
		t.Errorf("a report over an existing file: exit %d %s", code, errs)
	}
	var opened string
	var errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(testPass + "\n"), Stdout: &bytes.Buffer{}, Stderr: &errb, StdinFD: -1, Sleep: noSleep, StateDir: t.TempDir(),
		OpenBrowser: func(p string) error {
			b, _ := os.ReadFile(p)
			opened = string(b)
			return nil
		}}
	if code := Run(context.Background(), []string{"conflicts", "report", "1", "--open", "--vault", v.dir, "--passphrase-stdin"}, env); code != 0 || !strings.Contains(opened, "Acme Ltd") {
		t.Errorf("conflicts report --open: exit %d %s (page %d bytes)", code, errb.String(), len(opened))
	}
	var d struct {
		ID      int64 `json:"ID"`
		History []struct {
			Decision string
			Note     string
		}
	}
	if err := json.Unmarshal([]byte(v.ok("conflicts", "show", "1", "--json")), &d); err != nil || len(d.History) != 2 {
		t.Errorf("conflicts show --json (%v): %+v", err, d)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"conflicts", "show"}, ExitUsage, `casevault conflicts check show`},
		{[]string{"conflicts", "report"}, ExitUsage, `casevault conflicts check report`},
		{[]string{"conflicts", "decide"}, ExitUsage, `casevault conflicts check decide`},
		{[]string{"conflicts", "show", "99"}, ExitError, "not found"},
		{[]string{"conflicts", "list", "Acme"}, ExitUsage, "conflicts list takes only flags"},
		{[]string{"conflicts", "list", "--decision", "maybe"}, ExitUsage, `--decision is undecided, clear, conflict or waived, not "maybe"`},
		{[]string{"conflicts", "list", "--limit", "0"}, ExitUsage, "--limit needs a whole number above 0"},
		{[]string{"conflicts", "report", "1", "--html", "x.html", "--open"}, ExitUsage, "not both"},
	} {
		_, errs, code := v.do(c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, errs)
		}
	}
	if l := okJSON[listOut](v, "conflicts", "list"); l.Total != 3 {
		t.Errorf("a refused command made a check: %d checks", l.Total)
	}
}

// TestPartyEditCommand: party edit changes only what is given, in one
// change, and checks new names; matter add says the matter's number.
func TestPartyEditCommand(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	if out := v.ok("matter", "add", "--client", "1", "--title", "Roe v. Acme", "--adverse", "Acme Ltd"); !strings.HasPrefix(out, "Matter 1 added: Roe v. Acme (") ||
		!strings.Contains(out, "-0001)") {
		t.Errorf("matter add said %q", out)
	}
	v.ok("party", "add", "--matter", "1", "--role", "opposing-counsel", "--name", "Sam Counsel", "--organisation", "Counsel LLP", "--note", "met once", "--no-check")
	out := v.ok("party", "edit", "2", "--organisation", "Other & Partners")
	if out != "Party 2 changed: Sam Counsel (opposing counsel)\n" {
		t.Errorf("party edit said %q", out)
	}
	list := okJSON[[]partyListJSON](v, "party", "list", "--matter", "1")
	if len(list) != 2 || list[1].Organisation != "Other & Partners" || list[1].Note != "met once" || list[1].Name != "Sam Counsel" {
		t.Errorf("after party edit: %+v", list)
	}
	out = v.ok("party", "edit", "2", "--former-name", "Acme Ltd")
	if !strings.Contains(out, "Conflict check") || !strings.Contains(out, `“Acme Ltd”: 1 possible match`) {
		t.Errorf("party edit with a new name ran no check:\n%s", out)
	}
	if out := v.ok("party", "edit", "2", "--alias", "Sammy", "--no-check"); strings.Contains(out, "Conflict check") {
		t.Errorf("party edit --no-check ran a check:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"party", "edit", "2"}, ExitUsage, "party edit needs at least one thing to change"},
		{[]string{"party", "edit", "2", "--name", ""}, ExitUsage, "--name cannot be empty"},
		{[]string{"party", "edit", "2", "--role", "judge"}, ExitUsage, `not "judge"`},
		{[]string{"party", "edit", "99", "--note", "x"}, ExitError, "not found"},
		{[]string{"party", "edit", "--note", "x"}, ExitUsage, "give exactly one party id"},
	} {
		_, errs, code := v.do(c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, errs)
		}
	}
}

// TestSearchCommandWords: search finds a party and says what it is, with
// the match in brackets and a literal bracket of the text as it is.
func TestSearchCommandWords(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	v.id("matter", "add", "--client", "1", "--title", "Roe v. Acme")
	v.ok("party", "add", "--matter", "1", "--role", "adverse", "--name", "Harold Smith", "--no-check")
	v.id("note", "add", "--matter", "1", "--text", "[draft] letter to Smithers")
	out := v.ok("search", "smith")
	if !strings.Contains(out, "adverse party") || !strings.Contains(out, "Harold [Smith]") {
		t.Errorf("search smith:\n%s", out)
	}
	out = v.ok("search", "letter")
	if !strings.Contains(out, "[draft] [letter]") || strings.Contains(out, `\[`) {
		t.Errorf("a literal bracket in a note:\n%s", out)
	}
}

// TestConflictReportFileNeedsExport: writing a conflict check report to a
// file takes client data out of the vault, so it needs the right to export
// (as "report access --html" does): a Paralegal, who may read the report,
// is refused (exit 6) and no file is made; the owner's file is recorded.
func TestConflictReportFileNeedsExport(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.ok("client", "add", "--name", "Hollis Pemberton")
	out := v.ok("conflicts", "check", "Hollis Pemberton", "--json")
	var res struct {
		CheckID int64 `json:"check_id"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.CheckID == 0 {
		t.Fatalf("conflicts check --json: %v\n%s", err, out)
	}
	id := strconv.FormatInt(res.CheckID, 10)
	para := addCLIUser(t, v, "pia", access.ParalegalRole)
	if text, errs, code := v.as(para, "conflicts", "report", id); code != 0 || !strings.Contains(text, "Hollis Pemberton") {
		t.Fatalf("a Paralegal cannot read the report: exit %d %s\n%s", code, errs, text)
	}
	file := filepath.Join(t.TempDir(), "report.html")
	_, errs, code := v.as(para, "conflicts", "report", id, "--html", file)
	if code != ExitDenied {
		t.Fatalf("a Paralegal wrote the report to a file: exit %d, want %d; %s", code, ExitDenied, errs)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("a refused report left a file behind (%v)", err)
	}
	v.ok("conflicts", "report", id, "--html", file)
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), "Hollis Pemberton") {
		t.Fatalf("the owner's report file: %v\n%.200s", err, b)
	}
	if trail := v.ok("audit", "list", "--json"); !strings.Contains(trail, "report.export") {
		t.Errorf("the saved report is not in the audit trail:\n%s", trail)
	}
}
