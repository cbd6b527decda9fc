package app

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

// openAs unlocks dir acting as actor.
func openAs(t *testing.T, dir, actor string) *Session {
	t.Helper()
	s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: actor})
	if err != nil {
		t.Fatalf("Open as %s: %v", actor, err)
	}
	return s
}

// reportFixture: client A (with a matter and a note) handled by Pat, client
// B only by the tester; returns the ids.
func reportFixture(t *testing.T, dir string) (a, b, matterA int64) {
	t.Helper()
	s := openAs(t, dir, "tester")
	var err error
	if a, err = s.AddClient(ctx, ClientInput{Name: ptr("Jane Roe")}); err != nil {
		t.Fatal(err)
	}
	if b, err = s.AddClient(ctx, ClientInput{Name: ptr("Other Person")}); err != nil {
		t.Fatal(err)
	}
	if matterA, err = s.AddMatter(ctx, MatterInput{ClientID: a, Title: "Roe v. Acme", Adverse: []string{"Acme Ltd"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetClient(ctx, b); err != nil {
		t.Fatal(err)
	}
	// A conflict check that finds client A, and one that finds only B.
	if _, err := s.CheckConflicts(ctx, []string{"Acme Limited"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckConflicts(ctx, []string{"Other Persson"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	p := openAs(t, dir, "Pat")
	if _, err := p.GetClient(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddNote(ctx, matterA, "Called the client."); err != nil {
		t.Fatal(err)
	}
	if err := p.CloseMatter(ctx, matterA); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return a, b, matterA
}

func whats(rows []ReportRow) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		m[r.Who+": "+r.What]++
	}
	return m
}

func TestAccessReport(t *testing.T) {
	dir, _ := newTestVault(t)
	a, b, _ := reportFixture(t, dir)
	s := openTest(t, dir)
	rep, err := s.AccessReport(ctx, a, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := whats(rep.Rows)
	for _, want := range []string{"tester: Added a client", "tester: Opened a new matter", "Pat: Viewed client", "Pat: Added a note", "Pat: Closed a matter",
		"tester: Ran a conflict check"} {
		if got[want] != 1 {
			t.Errorf("%q: %d rows, want 1 (rows: %v)", want, got[want], got)
		}
	}
	// Client B's entries are not in A's report.
	for _, r := range rep.Rows {
		if strings.Contains(r.Records, "client:"+strconv.FormatInt(b, 10)) && !strings.Contains(r.Records, "client:"+strconv.FormatInt(a, 10)) {
			t.Errorf("entry about client %d in client %d's report: %+v", b, a, r)
		}
	}
	if len(rep.Notes) != 0 {
		t.Errorf("notes: %q", rep.Notes)
	}
	for _, r := range rep.Rows {
		if r.Action == "conflict.check" && !strings.Contains(r.Detail, "Acme Limited") {
			t.Errorf("the conflict check that did not find client A is in its report: %+v", r)
		}
	}
	if rep.Subject != "Jane Roe" {
		t.Errorf("subject %q", rep.Subject)
	}
	// The note's row names the matter by its title.
	for _, r := range rep.Rows {
		if r.Action == "note.add" && !strings.Contains(r.Record, "Roe v. Acme") {
			t.Errorf("note row record %q does not name the matter", r.Record)
		}
	}
	// The report is recorded.
	if e := lastAudit(t, s); e.Action != "report.access" || e.Records != "client:"+strconv.FormatInt(a, 10) {
		t.Errorf("last entry %s %q, want report.access client:%d", e.Action, e.Records, a)
	}
	// People: Pat has one read and two changes.
	var pat ReportCount
	for _, p := range rep.People {
		if p.Name == "Pat" {
			pat = p
		}
	}
	if pat.Reads != 1 || pat.Changes != 2 {
		t.Errorf("Pat's counts %+v, want 1 read, 2 changes", pat)
	}
	// Dates: a period that ends before everything holds nothing.
	rep, err = s.AccessReport(ctx, a, time.Time{}, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(rep.Rows) != 0 {
		t.Errorf("report before 2000: %v, %d rows", err, len(rep.Rows))
	}
	if _, err := s.AccessReport(ctx, 999, time.Time{}, time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("report of a missing client: %v, want not found", err)
	}
}

func TestActivityReport(t *testing.T) {
	dir, _ := newTestVault(t)
	reportFixture(t, dir)
	s := openTest(t, dir)
	rep, err := s.ActivityReport(ctx, "pat", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := whats(rep.Rows)
	for _, want := range []string{"Pat: Unlocked the vault", "Pat: Viewed client", "Pat: Added a note", "Pat: Closed a matter"} {
		if got[want] != 1 {
			t.Errorf("%q: %d rows, want 1 (rows: %v)", want, got[want], got)
		}
	}
	for _, r := range rep.Rows {
		if r.Who != "Pat" {
			t.Errorf("row of %q in Pat's report", r.Who)
		}
	}
	if e := lastAudit(t, s); e.Action != "report.activity" {
		t.Errorf("last entry %s, want report.activity", e.Action)
	}
	if _, err := s.ActivityReport(ctx, " ", time.Time{}, time.Time{}); err == nil {
		t.Error("a report of no user was made")
	}
}

func TestIsActor(t *testing.T) {
	for _, c := range []struct {
		actor, user string
		want        bool
	}{{"Pat", "pat", true}, {"owner (alice)", "owner", true}, {"owner", "owner", true}, {"ownerX", "owner", false},
		{"Patricia", "Pat", false}, {"Pat (x)", "Pat", true}, {"", "Pat", false}} {
		if got := IsActor(c.actor, c.user); got != c.want {
			t.Errorf("IsActor(%q, %q) = %v", c.actor, c.user, got)
		}
	}
}

// TestReportHidesUnseenMatters: an entry naming a matter the viewer cannot
// see (not in its list of matters) is left out whole, detail included.
func TestReportHidesUnseenMatters(t *testing.T) {
	n := &reportNames{clients: map[int64]string{1: "A", 2: ""}, matters: map[int64]*store.Matter{3: {ID: 3, ClientID: 1, Title: "Seen"}, 4: nil}}
	if n.hidden(parseRefs("client:1 matter:3")) {
		t.Error("a visible matter hidden")
	}
	if !n.hidden(parseRefs("client:1 matter:3 matter:4")) {
		t.Error("an entry naming an unseen matter kept")
	}
	if got := n.describe(parseRefs("client:1 matter:3 note:9 client:2")); got != "Client 1 (A), client 2 (deleted), matter 3 (Seen), note 9" {
		t.Errorf("describe: %q", got)
	}
}

// TestReportEscaping: names holding HTML and terminal escape codes are
// shown as text in the page, and CSV cells that a spreadsheet would run
// as formulas are defused.
func TestReportEscaping(t *testing.T) {
	dir, _ := newTestVault(t)
	const evil = "<script>alert(1)</script>\x1b[31mRED"
	s := openAs(t, dir, "=HYPERLINK(\"http://x\")")
	var id int64
	// The name is stored past validation (as an older version or another
	// tool might have): the report must still show it safely.
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertClient(&store.Client{Name: evil}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetClient(ctx, id); err != nil {
		t.Fatal(err)
	}
	rep, err := s.AccessReport(ctx, id, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	var h bytes.Buffer
	if err := rep.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	page := h.String()
	if os.Getenv("H4PEEK") != "" {
		t.Log(page)
	}
	for _, bad := range []string{"<script>", "\x1b", "http-equiv=\"refresh\"", "src=", "href="} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[31mRED", "Content-Security-Policy", "@media print", "Viewed client"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	var c bytes.Buffer
	if err := rep.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 {
		t.Fatalf("CSV has %d rows", len(rows))
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("CSV cell %q starts a formula", cell)
			}
			if strings.Contains(cell, "\x1b") {
				t.Errorf("CSV cell %q holds ESC", cell)
			}
		}
		if row[1] != `'=HYPERLINK("http://x")` {
			t.Errorf("who cell %q, want the defused formula", row[1])
		}
	}
}

func TestReportTempFile(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	path, remove, mem, err := ReportTempFile(func(w io.Writer) error { _, err := w.Write([]byte("<p>x</p>")); return err })
	if err != nil {
		t.Fatal(err)
	}
	if !mem {
		t.Error("not in XDG_RUNTIME_DIR")
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file %v %v, want mode 0600", fi.Mode(), err)
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("folder %v %v, want mode 0700", di.Mode(), err)
	}
	remove()
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("folder still there after remove: %v", err)
	}
}

// TestPrivateTempFile: a file of another kind keeps the fixed name it is
// given (its extension tells the browser what it is), private like a
// report; a name that is not a plain file name is refused before anything
// is written.
func TestPrivateTempFile(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	path, remove, _, err := PrivateTempFile("upload.pdf", func(w io.Writer) error { _, err := w.Write([]byte("%PDF-1.4")); return err })
	if err != nil {
		t.Fatal(err)
	}
	defer remove()
	if filepath.Base(path) != "upload.pdf" {
		t.Errorf("path %q, want upload.pdf", path)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "%PDF-1.4" {
		t.Errorf("content %q %v", b, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file %v %v, want mode 0600", fi.Mode(), err)
	}
	for _, bad := range []string{"", ".", "..", "../x.pdf", "a/b.pdf", "/tmp/x.pdf"} {
		wrote := false
		_, _, _, err := PrivateTempFile(bad, func(io.Writer) error { wrote = true; return nil })
		if !errors.Is(err, ErrTempName) || wrote {
			t.Errorf("name %q: err %v, wrote %v; want ErrTempName before writing", bad, err, wrote)
		}
	}
}

// TestOpenInBrowser: the page goes to the desktop's opener as a file://
// URL (a fake xdg-open records what it was given).
func TestOpenInBrowser(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake opener is a shell script named xdg-open")
	}
	bin := t.TempDir()
	got := filepath.Join(bin, "got")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + got + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	if err := OpenInBrowser("/some/where/report.html"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(got)
	if err != nil || string(b) != "file:///some/where/report.html" {
		t.Errorf("the opener got %q (%v)", b, err)
	}
	t.Setenv("PATH", t.TempDir()) // no opener at all
	if err := OpenInBrowser("/x.html"); !errors.Is(err, ErrNoBrowser) || !strings.Contains(err.Error(), "/x.html") {
		t.Errorf("without an opener: %v", err)
	}
}

// TestEveryActionHasWords: every audit action this package writes reads in
// a lawyer's words in the reports (a new action without words fails here).
func TestEveryActionHasWords(t *testing.T) {
	// Every way an action is written: s.update(ctx, "x"), s.audit(context.WithoutCancel(ctx), "x"),
	// s.appendAudit(tx, "x"), s.appendAuditAt(tx, at, "x"), and action := "x" (records.go). The first
	// version matched only the first form with ctx and missed demo.fill.
	re := regexp.MustCompile(`(?:s\.(?:update|view|audit|updateAs|viewAs)\((?:ctx|context\.\w+\(ctx\))|appendAudit\(tx|appendAuditAt\(tx, [^,]+), "([a-z_.-]+)"|action :?= "([a-z_.-]+)"`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen++
			action := m[1] + m[2]
			if _, ok := actionWords[action]; !ok {
				t.Errorf("%s: action %q has no words for the reports (actionWords)", f, action)
			}
		}
	}
	if seen < 30 {
		t.Errorf("found only %d actions: the pattern no longer matches how actions are written", seen)
	}
}
