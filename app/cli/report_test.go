package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/app"
	"casevault/store"
)

// reportTV: client 1 "Jane Roe" with matter 1 and a note, client 2 "Other
// Person" viewed.
func reportTV(t *testing.T) *tv {
	t.Helper()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	v.id("client", "add", "--name", "Other Person")
	v.id("matter", "add", "--client", "1", "--title", "Roe v. Acme", "--adverse", "Acme Ltd")
	v.id("note", "add", "--matter", "1", "--text", "Called the client.")
	v.ok("client", "show", "2")
	v.ok("client", "show", "1")
	return v
}

func TestReportAccess(t *testing.T) {
	t.Parallel()
	v := reportTV(t)
	out := v.ok("report", "access", "1")
	for _, want := range []string{"WHEN", "Added a client", "Opened a new matter", "Added a note", "Viewed client", "Client 1 (Jane Roe)", "Roe v. Acme"} {
		if !strings.Contains(out, want) {
			t.Errorf("report access lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Other Person") {
		t.Errorf("client 2 in client 1's report:\n%s", out)
	}
	js := okJSON[struct {
		Subject  string `json:"subject"`
		ClientID int64  `json:"client_id"`
		Rows     []struct {
			What, Action, Records string
		} `json:"rows"`
	}](v, "report", "access", "1")
	if js.Subject != "Jane Roe" || js.ClientID != 1 || len(js.Rows) < 4 {
		t.Errorf("report access --json: %+v", js)
	}
	// A period with nothing in it.
	if out := v.ok("report", "access", "1", "--to", "2001-01-01"); !strings.Contains(out, "No entries in this period") {
		t.Errorf("empty period: %q", out)
	}
	// Mistakes are usage errors (exit 2) and open nothing.
	for _, args := range [][]string{
		{"report", "access"}, {"report", "access", "x"}, {"report", "access", "1", "--from", "2026-13-01"},
		{"report", "access", "1", "--from", "2026-02-01", "--to", "2026-01-01"},
		{"report", "access", "1", "--html", "a", "--csv", "b"}, {"report", "nope", "1"}, {"report"},
		{"report", "activity"}, {"report", "access", "1", "--html", "-"},
	} {
		if _, errs, code := v.do(args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, ExitUsage, errs)
		}
	}
	// A missing client.
	if _, errs, code := v.do("report", "access", "99"); code != ExitError || !strings.Contains(errs, "not found") {
		t.Errorf("report of client 99: exit %d %q", code, errs)
	}
	if out, _, code := v.do("report", "--help"); code != 0 || !strings.Contains(out, "Examples:") {
		t.Errorf("report --help: exit %d %q", code, out)
	}
}

func TestReportActivity(t *testing.T) {
	t.Parallel()
	v := reportTV(t)
	actor := app.OwnerActor() // the tests' sessions act as the owner
	out := v.ok("report", "activity", "owner")
	for _, want := range []string{"Created the vault", "Added a client", "Viewed client", "Added a note"} {
		if !strings.Contains(out, want) {
			t.Errorf("activity report of %s lacks %q:\n%s", actor, want, out)
		}
	}
	if out := v.ok("report", "activity", "nobody-else"); !strings.Contains(out, "No entries") {
		t.Errorf("activity of a user who did nothing:\n%s", out)
	}
}

// TestReportFiles: --html and --csv write private files, never over an
// existing one, and the export is recorded.
func TestReportFiles(t *testing.T) {
	t.Parallel()
	v := reportTV(t)
	dir := t.TempDir()
	html := filepath.Join(dir, "r.html")
	_, errs, code := v.do("report", "access", "1", "--html", html)
	if code != 0 || !strings.Contains(errs, "Report written to") {
		t.Fatalf("--html: exit %d %q", code, errs)
	}
	fi, err := os.Stat(html)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("report file: %v %v", fi, err)
	}
	page, _ := os.ReadFile(html)
	if !bytes.Contains(page, []byte("<!DOCTYPE html>")) || !bytes.Contains(page, []byte("Jane Roe")) || !bytes.Contains(page, []byte("Added a note")) {
		t.Errorf("page:\n%s", page)
	}
	// Not overwritten.
	if _, errs, code := v.do("report", "access", "1", "--html", html); code != ExitError || !strings.Contains(errs, "already exists") {
		t.Errorf("second --html to the same file: exit %d %q", code, errs)
	}
	if after, _ := os.ReadFile(html); !bytes.Equal(after, page) {
		t.Error("existing report file changed")
	}
	// CSV to standard output.
	out := v.ok("report", "access", "1", "--csv", "-")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 5 || rows[0][0] != "time" || rows[0][5] != "action" {
		t.Fatalf("CSV: %v\n%s", err, out)
	}
	exports := okJSON[[]map[string]any](v, "audit", "list", "--action", "report.export")
	if len(exports) != 2 || !strings.Contains(exports[0]["detail"].(string), "as HTML") || exports[0]["records"] != "client:1" {
		t.Errorf("report exports in the audit trail: %v", exports)
	}
}

// TestReportEscapingCLI: a client name and an actor holding HTML, a
// terminal escape and a formula reach the page as text, the CSV defused,
// and the terminal escaped.
func TestReportEscapingCLI(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	const evil = "<script>alert(1)</script>\x1b[31m=SUM(A1)"
	// The name is put in past validation, as another tool might have.
	withStore(t, v.dir, testPass, func(st *store.Store) error {
		return st.Update(context.Background(), func(tx *store.Tx) error {
			_, err := tx.InsertClient(&store.Client{Name: evil}, time.Now())
			return err
		})
	})
	v.ok("client", "show", "1")
	dir := t.TempDir()
	v.ok("report", "access", "1", "--html", filepath.Join(dir, "r.html"))
	page, _ := os.ReadFile(filepath.Join(dir, "r.html"))
	if bytes.Contains(page, []byte("<script>")) || bytes.Contains(page, []byte("\x1b")) || !bytes.Contains(page, []byte("&lt;script&gt;")) {
		t.Errorf("page not escaped:\n%s", page)
	}
	out := v.ok("report", "access", "1")
	if strings.Contains(out, "\x1b") || !strings.Contains(out, `\x1b[31m`) {
		t.Errorf("terminal output not escaped: %q", out)
	}
	out = v.ok("report", "access", "1", "--csv", "-")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) || strings.Contains(c, "\x1b") {
				t.Errorf("unsafe CSV cell %q", c)
			}
		}
	}
	if !strings.Contains(out, `Client 1 (<script>alert(1)</script>\x1b[31m=SUM(A1))`) {
		t.Errorf("CSV does not name the client as text:\n%s", out)
	}
}

// TestReportOpen: --open writes a private page, hands its path to the
// browser, and deletes it afterwards.
func TestReportOpen(t *testing.T) {
	t.Parallel()
	v := reportTV(t)
	var opened string
	var page []byte
	var mode os.FileMode
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(testPass + "\n"), Stdout: &out, Stderr: &errb, StdinFD: -1,
		Sleep: noSleep, StateDir: t.TempDir(),
		OpenBrowser: func(p string) error {
			opened = p
			page, _ = os.ReadFile(p)
			if fi, err := os.Stat(p); err == nil {
				mode = fi.Mode().Perm()
			}
			if fi, err := os.Stat(filepath.Dir(p)); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("report folder: %v %v", fi, err)
			}
			return nil
		}}
	code := Run(context.Background(), []string{"report", "access", "1", "--open", "--vault", v.dir, "--passphrase-stdin"}, env)
	if code != 0 {
		t.Fatalf("--open: exit %d %s", code, errb.String())
	}
	if opened == "" || mode != 0o600 || !bytes.Contains(page, []byte("Jane Roe")) {
		t.Fatalf("opened %q mode %v page %d bytes", opened, mode, len(page))
	}
	if _, err := os.Stat(filepath.Dir(opened)); !os.IsNotExist(err) {
		t.Errorf("the page's folder is still there: %v", err)
	}
	if !strings.Contains(errb.String(), "deleted") {
		t.Errorf("stderr does not say the file is deleted: %q", errb.String())
	}
}

func TestAuditListFilters(t *testing.T) {
	t.Parallel()
	v := reportTV(t)
	type entry struct{ Actor, Action, Records string }
	all := okJSON[[]entry](v, "audit", "list")
	byClient := okJSON[[]entry](v, "audit", "list", "--client", "2")
	if len(byClient) != 2 { // added, viewed
		t.Errorf("--client 2: %+v", byClient)
	}
	for _, e := range byClient {
		if !strings.Contains(e.Records, "client:2") {
			t.Errorf("--client 2 gave %+v", e)
		}
	}
	byMatter := okJSON[[]entry](v, "audit", "list", "--matter", "1")
	if len(byMatter) != 2 { // added, note
		t.Errorf("--matter 1: %+v", byMatter)
	}
	// A client's entries include its matters' and their notes'.
	var note bool
	for _, e := range okJSON[[]entry](v, "audit", "list", "--client", "1") {
		note = note || e.Action == "note.add"
		if strings.Contains(e.Records, "client:2") {
			t.Errorf("--client 1 gave %+v", e)
		}
	}
	if !note {
		t.Error("--client 1 leaves out the note added to its matter")
	}
	mine := okJSON[[]entry](v, "audit", "list", "--user", "OWNER")
	if len(mine) < len(all) { // every entry so far is the owner's (the list itself came after)
		t.Errorf("--user owner: %d of %d", len(mine), len(all))
	}
	if l := okJSON[[]entry](v, "audit", "list", "--user", "owner", "--limit", "2"); len(l) != 2 {
		t.Errorf("--user --limit 2: %d entries", len(l))
	}
	if l := okJSON[[]entry](v, "audit", "list", "--user", "pat"); len(l) != 0 {
		t.Errorf("--user pat: %+v", l)
	}
	for _, args := range [][]string{{"--client", "1", "--matter", "1"}, {"--client", "x"}, {"--client", "-3"}, {"--from", "2026-02-02", "--to", "2026-02-01"}} {
		if _, errs, code := v.do(append([]string{"audit", "list"}, args...)...); code != ExitUsage {
			t.Errorf("audit list %v: exit %d %s", args, code, errs)
		}
	}
}
