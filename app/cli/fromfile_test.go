package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFieldsFromFiles: confidential text can be given in files, so it is
// not in /proc/PID/cmdline or the shell history.
func TestFieldsFromFiles(t *testing.T) {
	v := newTV(t)
	dir := scratchDir(t)
	notes := "Met on 3 March.\nSettlement offer: 40,000.\n"
	id := v.id("client", "add", "--name-file", writeFile(t, dir, "name", "Jane Roe\n"), "--notes-file", writeFile(t, dir, "notes", notes),
		"--alias-file", writeFile(t, dir, "aliases", "J. Roe\r\n\nJane R.\n"), "--email-file", writeFile(t, dir, "email", "jane@example.com"))
	c := okJSON[clientJSON](v, "client", "show", id)
	if c.Name != "Jane Roe" || c.Notes != strings.TrimSuffix(notes, "\n") || strings.Join(c.Aliases, "|") != "J. Roe|Jane R." || c.Email != "jane@example.com" {
		t.Errorf("client from files: %+v", c)
	}
	v.ok("client", "edit", id, "--address-file", writeFile(t, dir, "addr", "1 High St\nSpringfield\n"))
	if c := okJSON[clientJSON](v, "client", "show", id); c.Address != "1 High St\nSpringfield" {
		t.Errorf("address from a file: %q", c.Address)
	}
	mid := v.id("matter", "add", "--client", id, "--title-file", writeFile(t, dir, "title", "Roe v Acme\n"),
		"--adverse-file", writeFile(t, dir, "adverse", "Acme Ltd\nJohn Doe\n"))
	v.id("note", "add", "--matter", mid, "--text-file", writeFile(t, dir, "note", "Called the client.\nShe agrees.\n"))
	m := okJSON[matterJSON](v, "matter", "show", mid)
	if m.Title != "Roe v Acme" || len(m.Parties) != 2 || len(m.Notes) != 1 || m.Notes[0].Text != "Called the client.\nShe agrees." {
		t.Errorf("matter from files: %+v", m)
	}
	if out := v.ok("conflicts", "--names-file", writeFile(t, dir, "names", "Acme Ltd\nNobody Known\n")); !strings.Contains(out, "Acme Ltd") || !strings.Contains(out, "Nobody Known") {
		t.Errorf("conflicts --names-file:\n%s", out)
	}
	if out := v.ok("search", "--query-file", writeFile(t, dir, "q", "Settlement\n")); !strings.Contains(out, "Jane Roe") {
		t.Errorf("search --query-file:\n%s", out)
	}
	// None of the confidential text was on the command line: the audit
	// trail shows the search as a query, nothing else to check here; the
	// help says why the flags exist.
	help, _, _ := run(t, "", "client", "add", "--help")
	for _, want := range []string{"--notes-file", "--name-file", "process list", "shell history"} {
		if !strings.Contains(help, want) {
			t.Errorf("client add --help does not mention %q:\n%s", want, help)
		}
	}
	if out, _, _ := run(t, "", "--help"); !strings.Contains(out, "--notes-file") || !strings.Contains(out, "shell history") {
		t.Errorf("--help does not mention the file flags:\n%s", out)
	}
}

// TestFieldFileUsageErrors: standard input cannot carry both a field and
// the passphrase; a value given twice, a missing file or a folder are
// refused before anything is asked or changed.
func TestFieldFileUsageErrors(t *testing.T) {
	v := newTV(t)
	dir := scratchDir(t)
	notes := writeFile(t, dir, "notes", "x")
	before := v.audit()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"client", "add", "--name", "A B", "--notes-file", "-"}, "--notes-file - and --passphrase-stdin both want standard input"},
		{[]string{"client", "add", "--name-file", "-", "--notes-file", "-"}, "both want standard input"},
		{[]string{"client", "add", "--name", "A B", "--name-file", notes}, "give --name or --name-file, not both"},
		{[]string{"client", "add", "--name-file", filepath.Join(dir, "nope")}, "there is no file"},
		{[]string{"client", "add", "--name-file", dir}, "is a folder"},
		{[]string{"note", "add", "--matter", "1", "--text-file", "-"}, "--text-file - and --passphrase-stdin"},
	} {
		_, errs, code := v.with(testPass+"\n", tc.args...)
		if code != ExitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d %q, want %q", tc.args, code, errs, tc.want)
		}
	}
	if after := v.audit(); after != before {
		t.Errorf("refused commands wrote %d audit entries", after-before)
	}
	// Standard input read for a field, no terminal for the passphrase: a
	// message that leads to what works.
	_, errs, code := run(t, "Jane Roe\n", "client", "add", "--name-file", "-", "--vault", v.dir)
	if code != ExitUsage || !strings.Contains(errs, "--name-file FILE") || !strings.Contains(errs, "--passphrase-stdin") {
		t.Errorf("--name-file - without a terminal: exit %d %q", code, errs)
	}
}
