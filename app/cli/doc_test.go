package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"casevault/app"
	"casevault/app/access"
	"casevault/vault"
)

// docFixture is one vault with a client, a matter and files to add,
// shared by the subtests of TestDocCommands (each command unlocks it).
type docFixture struct {
	v              *tv
	client, matter string
	number         string // the matter's number, "2026-0001"
	files          string // a folder of files to add
}

func newDocFixture(t *testing.T) *docFixture {
	t.Helper()
	v := newTV(t)
	f := &docFixture{v: v, files: t.TempDir()}
	f.client = v.id("client", "add", "--name", "Ann Lee")
	f.matter = v.id("matter", "add", "--client", f.client, "--title", "Lee v. Smith")
	f.number = okJSON[matterJSON](v, "matter", "show", f.matter).Number
	return f
}

// file writes a file to add and returns its path.
func (f *docFixture) file(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(f.files, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// docAddedRE is what doc add says of each new document.
var docAddedRE = regexp.MustCompile(`(?m)^Document ([0-9]+) added: `)

// docAddedID is the id of the (first) document doc add added.
func docAddedID(t *testing.T, out string) string {
	t.Helper()
	m := docAddedRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("doc add printed %q, want \"Document N added: ...\"", out)
	}
	return m[1]
}

type docList struct {
	Total     int       `json:"total"`
	Documents []docJSON `json:"documents"`
}

// docs lists a matter's documents by name.
func (f *docFixture) docs(t *testing.T, args ...string) map[string]docJSON {
	t.Helper()
	l := okJSON[docList](f.v, append([]string{"doc", "list"}, args...)...)
	m := map[string]docJSON{}
	for _, d := range l.Documents {
		m[d.Name] = d
	}
	return m
}

// TestDocCommands drives every doc command and its refusals through one
// vault.
func TestDocCommands(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t)
	v := f.v
	letter := f.file(t, "letter.txt", "Dear Ann, about the lease.\n")
	notes := f.file(t, "notes.txt", "Meeting notes: Smith admits the debt.\n")
	id := func(name string) string {
		t.Helper()
		d, ok := f.docs(t, "--matter", f.matter)[name]
		if !ok {
			t.Fatalf("no document %q in matter %s", name, f.matter)
		}
		return itoa(d.ID)
	}

	t.Run("add", func(t *testing.T) {
		out := v.want(0, []string{"Document 1 added: letter.txt", "Document 2 added: notes.txt",
			"Added 2 documents (" + fmt.Sprint(fileSize(t, letter)+fileSize(t, notes)) + " bytes) to matter " + f.number + "."},
			"doc", "add", "--matter", f.matter, letter, notes)
		if strings.Count(out, "\r") != 0 {
			t.Errorf("progress was shown without a terminal:\n%q", out)
		}
		// Same name without a flag: refused, saying both flags; nothing added.
		_, errs, code := v.do("doc", "add", "--matter", f.matter, letter)
		if code != ExitError || !strings.Contains(errs, "--new-version") || !strings.Contains(errs, "--keep-both") ||
			!strings.Contains(errs, "“letter.txt” is already there (document 1, 1 version)") || !strings.Contains(errs, "Nothing was added") {
			t.Errorf("same name: exit %d %s", code, errs)
		}
		if l := f.docs(t, "--matter", f.matter); len(l) != 2 || l["letter.txt"].Versions != 1 {
			t.Errorf("after a refused add: %+v", l)
		}
		// --new-version: version 2 of document 1.
		os.WriteFile(letter, []byte("Dear Ann, about the lease (corrected).\n"), 0o600)
		v.want(0, []string{"Document 1: letter.txt, version 2 added", "Added 1 new version"}, "doc", "add", "--matter", f.matter, "--new-version", letter)
		// --keep-both: another document of the same name.
		v.want(0, []string{"Document 3 added: letter (2).txt", "Added 1 document"}, "doc", "add", "--matter", f.matter, "--keep-both", letter)
		// To a client, under a folder.
		v.want(0, []string{"Document 4 added: Correspondence/2026/notes.txt", "to client Ann Lee."},
			"doc", "add", "--client", f.client, "--folder-as", "Correspondence/2026", notes)
		if d := f.docs(t, "--client", f.client)["notes.txt"]; d.Folder != "Correspondence/2026" || d.ClientID == 0 {
			t.Errorf("doc add --folder-as: %+v", d)
		}
	})

	t.Run("add refusals", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{letter}, "doc add needs --client CLIENT-ID or --matter MATTER-ID"},
			{[]string{"--client", f.client, "--matter", f.matter, letter}, "takes one of --client"},
			{[]string{"--matter", f.matter, "--new-version", "--keep-both", letter}, "give --new-version or --keep-both, not both"},
			{[]string{"--matter", f.matter}, "doc add needs the files or folders to add"},
			{[]string{"--matter", "-3", letter}, "--matter needs a matter id"},
		} {
			if _, errs, code := v.do(append([]string{"doc", "add"}, c.args...)...); code != ExitUsage || !strings.Contains(errs, c.want) {
				t.Errorf("doc add %v: exit %d, want %d %q:\n%s", c.args, code, ExitUsage, c.want, errs)
			}
		}
		// A missing file: nothing is added, not even the file that is there.
		fresh := f.file(t, "fresh.txt", "fresh")
		_, errs, code := v.do("doc", "add", "--matter", f.matter, fresh, filepath.Join(f.files, "nope.pdf"))
		if code != ExitError || !strings.Contains(errs, "nope.pdf: there is no such file or folder") || !strings.Contains(errs, "nothing was added") {
			t.Errorf("a missing file: exit %d %s", code, errs)
		}
		if _, ok := f.docs(t, "--matter", f.matter)["fresh.txt"]; ok {
			t.Error("fresh.txt was added beside a missing file")
		}
		// An unknown matter: the app's words, exit 1, nothing added.
		if _, errs, code := v.do("doc", "add", "--matter", "99", fresh); code == 0 || !strings.Contains(errs, "99") {
			t.Errorf("an unknown matter: exit %d %s", code, errs)
		}
	})

	t.Run("partial failure", func(t *testing.T) {
		other := f.file(t, "other.txt", "another file")
		_, errs, code := v.do("doc", "add", "--matter", f.matter, letter, other)
		if code != ExitError || !strings.Contains(errs, "1 file or folder was not added") || !strings.Contains(errs, "letter.txt: a document named") ||
			!strings.Contains(errs, "The others were added") {
			t.Errorf("one of two refused: exit %d %s", code, errs)
		}
		if _, ok := f.docs(t, "--matter", f.matter)["other.txt"]; !ok {
			t.Error("other.txt was not added beside a refused file")
		}
		// --json: what was added and what failed, and still exit 1.
		again := f.file(t, "again.txt", "again")
		out, _, code := v.do("doc", "add", "--matter", f.matter, other, again, "--json")
		if code != ExitError || !strings.Contains(out, `"failed"`) || !strings.Contains(out, `"again.txt"`) {
			t.Errorf("--json with a failure: exit %d\n%s", code, out)
		}
	})

	t.Run("folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "Scans")
		for name, content := range map[string]string{"a.txt": "first", "sub/b.txt": "second"} {
			p := filepath.Join(dir, name)
			os.MkdirAll(filepath.Dir(p), 0o700)
			os.WriteFile(p, []byte(content), 0o600)
		}
		out := v.want(0, []string{"Added 2 documents (11 bytes) to client Ann Lee."}, "doc", "add", "--client", f.client, dir)
		if !strings.Contains(out, "b.txt") {
			t.Errorf("the folder's files are not listed:\n%s", out)
		}
	})

	t.Run("escape codes", func(t *testing.T) {
		evil := f.file(t, "evil\x1b[31mred.txt", "colours")
		out, errs, code := v.do("doc", "add", "--matter", f.matter, evil)
		noRawControl(t, "doc add", out+errs)
		if code != 0 {
			t.Fatalf("doc add of a name with an escape code: exit %d %s", code, errs)
		}
		out, errs, _ = v.do("doc", "list", "--all")
		noRawControl(t, "doc list --all", out+errs)
		// Refused the second time: the refusal names it escaped too.
		_, errs, code = v.do("doc", "add", "--matter", f.matter, evil)
		noRawControl(t, "refused doc add", errs)
		if code == 0 {
			t.Error("the same name twice was added")
		}
	})

	t.Run("progress", func(t *testing.T) {
		big := f.file(t, "big.bin", strings.Repeat("x", 64<<10))
		_, errs, code := v.withEnv(func(e *Env) { e.progress = true }, testPass+"\n", "doc", "add", "--matter", f.matter, big)
		if code != 0 || !strings.Contains(errs, "\rAdding big.bin: ") || !strings.Contains(errs, "(100%)") {
			t.Errorf("progress at a terminal: exit %d %q", code, errs)
		}
	})

	t.Run("list", func(t *testing.T) {
		out := v.want(0, []string{"ID", "NAME", "TYPE", "SIZE", "VERSIONS", "UPDATED", "ADDED BY", "letter.txt", "notes.txt"}, "doc", "list", "--matter", f.matter)
		if strings.Contains(out, "WHERE") {
			t.Errorf("one matter's list has a WHERE column:\n%s", out)
		}
		l := okJSON[docList](v, "doc", "list", "--matter", f.matter)
		if l.Total < 4 || len(l.Documents) != l.Total {
			t.Errorf("doc list --json: %+v", l)
		}
		v.want(0, []string{"WHERE", "Ann Lee"}, "doc", "list", "--all")
		// Paging.
		p1 := okJSON[docList](v, "doc", "list", "--matter", f.matter, "--limit", "1")
		p2 := okJSON[docList](v, "doc", "list", "--matter", f.matter, "--limit", "1", "--page", "2")
		if len(p1.Documents) != 1 || len(p2.Documents) != 1 || p1.Documents[0].ID == p2.Documents[0].ID || p1.Total != l.Total {
			t.Errorf("pages of 1: %+v %+v", p1, p2)
		}
		v.want(0, []string{fmt.Sprintf("%d more documents not shown: see them with --page 2.", l.Total-1)}, "doc", "list", "--matter", f.matter, "--limit", "1")
		v.want(0, []string{"page 99 is empty"}, "doc", "list", "--matter", f.matter, "--page", "99")
		// --name, in any case.
		if n := okJSON[docList](v, "doc", "list", "--matter", f.matter, "--name", "NOTES"); n.Total != 1 || n.Documents[0].Name != "notes.txt" {
			t.Errorf("--name NOTES: %+v", n)
		}
		v.want(0, []string{"No documents with a name holding “zebra”."}, "doc", "list", "--all", "--name", "zebra")
		for _, c := range []struct {
			args []string
			want string
		}{
			{nil, "doc list needs --client CLIENT-ID, --matter MATTER-ID or --all"},
			{[]string{"--all", "--matter", f.matter}, "takes one of"},
			{[]string{"--all", "--limit", "0"}, "--limit is a number from 1 to 500"},
			{[]string{"--all", "--page", "0"}, "--page is a number from 1 up"},
			{[]string{"--all", "extra"}, "doc list takes no arguments"},
		} {
			if _, errs, code := v.do(append([]string{"doc", "list"}, c.args...)...); code != ExitUsage || !strings.Contains(errs, c.want) {
				t.Errorf("doc list %v: exit %d %s", c.args, code, errs)
			}
		}
	})

	t.Run("show and versions", func(t *testing.T) {
		v.want(0, []string{"Document 1", "letter.txt", "Kept with", "Lee v. Smith", "Versions", "2 (the current one is version 2)",
			"VERSION", "2 (current)", "added as a new version"}, "doc", "show", "1")
		vs := okJSON[[]versionJSON](v, "doc", "versions", "1")
		if len(vs) != 2 || vs[0].N != 1 || vs[1].N != 2 || !vs[1].Current || vs[0].Current || vs[1].How != "new-version" || vs[0].SHA256 == vs[1].SHA256 {
			t.Errorf("doc versions --json: %+v", vs)
		}
		v.want(0, []string{"1 ", "2 (current)", "casevault doc open 1 --version N"}, "doc", "versions", "1")
		for _, args := range [][]string{{"doc", "show", "999"}, {"doc", "versions", "999"}} {
			if _, errs, code := v.do(args...); code != ExitError || !strings.Contains(errs, "casevault doc list --matter MATTER-ID") {
				t.Errorf("%v: exit %d %s", args, code, errs)
			}
		}
		if _, errs, code := v.do("doc", "show", "x"); code != ExitUsage || !strings.Contains(errs, `"x" is not a document id`) {
			t.Errorf("doc show x: exit %d %s", code, errs)
		}
	})

	t.Run("restore", func(t *testing.T) {
		v.want(0, []string{"Document 1: version 1 restored as version 3, the current one"}, "doc", "restore-version", "1", "1")
		vs := okJSON[[]versionJSON](v, "doc", "versions", "1")
		if len(vs) != 3 || vs[2].SHA256 != vs[0].SHA256 || vs[2].How != "restored" || !vs[2].Current {
			t.Errorf("after restoring version 1: %+v", vs)
		}
		v.want(0, []string{"restored from version 1"}, "doc", "versions", "1")
		if _, errs, code := v.do("doc", "restore-version", "1", "9"); code == 0 || len(okJSON[[]versionJSON](v, "doc", "versions", "1")) != 3 {
			t.Errorf("restoring version 9: exit %d %s", code, errs)
		}
		for _, args := range [][]string{{"1"}, {"1", "0"}, {"1", "two"}} {
			if _, errs, code := v.do(append([]string{"doc", "restore-version"}, args...)...); code != ExitUsage {
				t.Errorf("restore-version %v: exit %d %s", args, code, errs)
			}
		}
	})

	t.Run("export", func(t *testing.T) {
		to := t.TempDir()
		out := v.want(0, []string{"Exported ", "not encrypted there"}, "doc", "export", "--matter", f.matter, "--to", to)
		var found []string
		filepath.WalkDir(to, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				found = append(found, filepath.Base(p))
			}
			return nil
		})
		if !strings.Contains(strings.Join(found, " "), "notes.txt") {
			t.Errorf("exported %v:\n%s", found, out)
		}
		to2 := t.TempDir()
		r := okJSON[struct {
			Folder string `json:"folder"`
			Files  int    `json:"files"`
		}](v, "doc", "export", "1", "2", "--to", to2)
		if r.Files != 2 {
			t.Errorf("doc export 1 2 --json: %+v", r)
		}
		for _, args := range [][]string{{"--to", to}, {"1", "--matter", f.matter, "--to", to}, {"1"}, {"x", "--to", to},
			{"1", "--to", filepath.Join(to, "missing")}} {
			if _, errs, code := v.do(append([]string{"doc", "export"}, args...)...); code != ExitUsage {
				t.Errorf("doc export %v: exit %d %s", args, code, errs)
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		doomed := id("other.txt")
		v.want(ExitUsage, []string{"confirm with --yes"}, "doc", "delete", doomed)
		terminal := func(e *Env) { e.terminal = true }
		if _, errs, code := v.withEnv(terminal, testPass+"\nno\n", "doc", "delete", doomed); code != ExitError || !strings.Contains(errs, "Nothing was deleted") ||
			!strings.Contains(errs, "Delete document "+doomed+", other.txt (1 version)?") {
			t.Errorf("delete answered no: exit %d %s", code, errs)
		}
		if out, errs, code := v.withEnv(terminal, testPass+"\nyes\n", "doc", "delete", doomed); code != 0 || !strings.Contains(out, "Document "+doomed+" deleted") {
			t.Errorf("delete answered yes: exit %d %s %s", code, out, errs)
		}
		if _, errs, code := v.do("doc", "show", doomed); code != ExitError || !strings.Contains(errs, "doc list") {
			t.Errorf("a deleted document shows: exit %d %s", code, errs)
		}
		ch := okJSON[changed](v, "doc", "delete", id("again.txt"), "--yes")
		if ch.Kind != "document" || ch.Change != "deleted" {
			t.Errorf("doc delete --json: %+v", ch)
		}
		v.want(ExitError, []string{"doc list"}, "doc", "delete", doomed, "--yes")
	})
}

// TestDocRefusals: a role without documents, a wall, a file over the
// limit and a damaged document each give the app's words and a non-zero
// exit, and change nothing.
func TestDocRefusals(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t)
	v := f.v
	secret := f.file(t, "secret.txt", "Qzvkanary plan")
	v.want(0, nil, "doc", "add", "--matter", f.matter, secret)
	walled := v.id("matter", "add", "--client", f.client, "--title", "Walled")
	v.want(0, nil, "doc", "add", "--matter", walled, f.file(t, "Qzvkanary.txt", "walled"))

	// One Read-only user, walled off the second matter.
	ro := addCLIUser(t, v, "reader", access.ReadOnlyRole)
	v.ok("matter", "wall", walled, "--users", "reader")

	// The Read-only role may not add, restore or delete.
	for _, args := range [][]string{
		{"doc", "add", "--matter", f.matter, f.file(t, "ro.txt", "x")},
		{"doc", "restore-version", "1", "1"},
		{"doc", "delete", "1", "--yes"},
	} {
		if _, errs, code := v.as(ro, args...); code != ExitDenied || !strings.Contains(errs, "Your role (Read-only) cannot") {
			t.Errorf("reader %v: exit %d %s", args, code, errs)
		}
	}
	// Outside the wall: the walled matter's documents are not there.
	for _, args := range [][]string{{"doc", "list", "--all"}, {"doc", "show", "2"}, {"doc", "export", "2", "--to", t.TempDir()}} {
		out, errs, code := v.as(ro, args...)
		if strings.Contains(out+errs, "Qzvkanary") || (args[1] != "list" && code == 0) || (args[1] == "list" && !strings.Contains(out, "secret.txt")) {
			t.Errorf("reader %v shows the walled document: exit %d\n%s%s", args, code, out, errs)
		}
	}

	// Over the size limit.
	ctx := context.Background()
	s, err := app.Open(ctx, v.dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetDocumentLimit(ctx, app.MinDocumentLimit); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	big := f.file(t, "big.bin", strings.Repeat("y", int(app.MinDocumentLimit)+1))
	if _, errs, code := v.do("doc", "add", "--matter", f.matter, big); code != ExitError || !strings.Contains(errs, "larger than the limit") || !strings.Contains(errs, "casevault doc limit SIZE") || !strings.Contains(errs, "Nothing was added") {
		t.Errorf("a file over the limit: exit %d %s", code, errs)
	}

	// A damaged document: exit 4, said; the vault's other documents still export.
	var chunks []string
	filepath.WalkDir(filepath.Join(v.dir, vault.ObjectsDir, "doc"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			chunks = append(chunks, p)
		}
		return nil
	})
	if len(chunks) == 0 {
		t.Fatal("no document objects under objects/doc")
	}
	for _, c := range chunks {
		b, _ := os.ReadFile(c)
		b[len(b)/2] ^= 0xff
		os.WriteFile(c, b, 0o600)
	}
	to := t.TempDir()
	if _, errs, code := v.do("doc", "export", "1", "--to", to); code != ExitDamaged || !strings.Contains(errs, "damaged") {
		t.Errorf("exporting a damaged document: exit %d %s", code, errs)
	}
}

// A search hit in a document's text says which document (its number and
// name, also in the JSON), and the text's line breaks read as spaces, not
// as "\n".
func TestDocSearchHit(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t)
	v := f.v
	v.ok("doc", "add", "--matter", f.matter, f.file(t, "lease.txt", "The first line.\nThe tenant pays\nthe rent.\n"))
	out := v.ok("search", "tenant")
	if !strings.Contains(out, "document 1 “lease.txt”") || strings.Contains(out, `\n`) || !strings.Contains(out, "The first line. The [tenant] pays the rent.") {
		t.Errorf("search output:\n%s", out)
	}
	type hit struct {
		Kind  string `json:"kind"`
		DocID int64  `json:"document_id"`
		Name  string `json:"name"`
	}
	if h := okJSON[[]hit](v, "search", "tenant"); len(h) != 1 || h[0].Kind != "document" || h[0].DocID != 1 || h[0].Name != "lease.txt" {
		t.Errorf("search --json: %+v", h)
	}
}
