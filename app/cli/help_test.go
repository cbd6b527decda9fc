package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
)

// helpRun runs a command line in-process with no vault and returns its
// standard output, standard error and exit code.
func helpRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return run(t, "", args...)
}

// shellWords splits an example's command line as a shell would (double
// and single quotes; no variables, no pipes).
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var out []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, c := range line {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(c)
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unbalanced quote in example %q", line)
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// TestHelpTable walks the table of commands: every row has its words and
// an example; every command's page comes from its own flag set and
// describes each flag it accepts; "help X", "X --help" and "X help" print
// the same page; every example is a command line the dispatcher accepts.
func TestHelpTable(t *testing.T) {
	t.Parallel()
	top, _, code := helpRun(t, "help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	if top2, _, _ := helpRun(t, "--help"); top2 != top {
		t.Error("casevault --help and casevault help differ")
	}
	for _, c := range commandTable {
		c := c
		words := strings.Fields(c.name)
		if c.summary == "" || c.desc == "" || len(c.examples) == 0 {
			t.Errorf("%s: no summary, description or example", c.name)
		}
		if strings.HasSuffix(c.summary, ".") {
			t.Errorf("%s: the summary ends with a full stop", c.name)
		}
		if !strings.Contains(c.name, " ") {
			if c.section == "" || !strings.Contains(top, "\n  "+c.name) {
				t.Errorf("casevault help does not list %s", c.name)
			}
		} else if c.section != "" {
			t.Errorf("%s: a subcommand has a section", c.name)
		}
		page, errs, code := helpRun(t, append(append([]string{}, words...), "--help")...)
		if code != 0 || errs != "" {
			t.Errorf("%s --help: exit %d, stderr %q", c.name, code, errs)
			continue
		}
		if !strings.HasPrefix(page, "casevault "+c.name+": "+c.summary+"\n") || !strings.Contains(page, "Examples:") {
			t.Errorf("%s --help does not start with its summary or has no examples:\n%s", c.name, page)
		}
		viaHelp, _, code := helpRun(t, append([]string{"help"}, words...)...)
		if code != 0 || viaHelp != page {
			t.Errorf("help %s (exit %d) differs from %s --help:\n%s\n---\n%s", c.name, code, c.name, viaHelp, page)
		}
		for _, e := range c.examples {
			if !strings.Contains(page, e.line) {
				t.Errorf("%s --help lacks its example %q", c.name, e.line)
			}
		}
		if c.group() {
			if alt, _, code := helpRun(t, append(append([]string{}, words...), "help")...); code != 0 || alt != page {
				t.Errorf("%s help: exit %d, differs from --help", c.name, code)
			}
			for _, s := range children(c.name) {
				if !strings.Contains(strings.Join(strings.Fields(page), " "), s.summary) {
					t.Errorf("%s --help does not list %s (%q)", c.name, s.name, s.summary)
				}
			}
			if len(children(c.name)) == 0 {
				t.Errorf("%s: a group without subcommands", c.name)
			}
			continue
		}
		if len(c.usage) == 0 {
			t.Errorf("%s: no usage line", c.name)
		}
		// The page's flags are the ones the command parses.
		r := &runner{env: Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, StdinFD: -1}, ctx: context.Background()}
		if err := c.run(r, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s --help: the command returned %v, not flag.ErrHelp: it did something before parsing its flags", c.name, err)
			continue
		}
		if r.fs == nil || r.fs.Name() != c.name {
			t.Errorf("%s builds its flag set under another name (%v): its --help would show another page", c.name, r.fs)
			continue
		}
		r.fs.VisitAll(func(f *flag.Flag) {
			if strings.TrimSpace(f.Usage) == "" {
				t.Errorf("%s: --%s has no words", c.name, f.Name)
			}
			if !strings.Contains(page, "--"+f.Name+" ") && !strings.Contains(page, "--"+f.Name+",") && !strings.Contains(page, "--"+f.Name+"\n") {
				t.Errorf("%s --help does not describe --%s:\n%s", c.name, f.Name, page)
			}
		})
		for _, u := range c.usage {
			if !strings.HasPrefix(u, c.name) && !strings.HasPrefix(u, "--") {
				t.Errorf("%s: usage %q names another command", c.name, u)
			}
		}
	}
	// Every example parses: run through the dispatcher with a dry runner,
	// it reaches the point where it would ask for a passphrase or open
	// the vault (or, for help and version, prints).
	vault := filepath.Join(t.TempDir(), "vault")
	for _, c := range commandTable {
		for _, e := range c.examples {
			w := shellWords(t, e.line)
			if len(w) < 2 || w[0] != "casevault" {
				t.Errorf("%s: example %q is not a casevault command line", c.name, e.line)
				continue
			}
			g, rest, err := splitGlobals(w[1:])
			if err != nil {
				t.Errorf("%s: example %q: %v", c.name, e.line, err)
				continue
			}
			if !g.vaultSet {
				g.vault, g.vaultSet = vault, true
			}
			r := &runner{env: Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, StdinFD: -1}, ctx: context.Background(), global: g, dry: true}
			if err := r.dispatch(rest); err != nil && !errors.Is(err, errDryRun) {
				t.Errorf("%s: example %q does not parse: %v", c.name, e.line, err)
			}
		}
	}
}

// TestHelpWords: the help pages and the failures a person meets on the
// way (a missing or unknown subcommand, help on a command that does not
// exist) exit as documented and say what to do.
func TestHelpWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"client"}, ExitUsage, `client needs a subcommand: add, list, show, edit, delete, restrict, wall, open ("casevault help client"`},
		{[]string{"client", "frobnicate"}, ExitUsage, `unknown client subcommand "frobnicate" (add, list`},
		{[]string{"client", "--name", "x"}, ExitUsage, "client needs a subcommand"},
		{[]string{"frobnicate"}, ExitUsage, `unknown command "frobnicate" ("casevault help" lists them)`},
		{[]string{"help", "frobnicate"}, ExitUsage, `there is no command "casevault frobnicate"`},
		{[]string{"help", "client", "frobnicate"}, ExitUsage, `there is no command "casevault client frobnicate"; the client subcommands are: add, list`},
		{[]string{"--version", "extra"}, ExitUsage, "--version takes nothing after it"},
		{[]string{"version", "extra"}, ExitUsage, "version takes no arguments"},
		{[]string{"key"}, ExitUsage, "key needs a subcommand: change"},
		{[]string{"role", "list", "extra"}, ExitUsage, "role list takes no arguments"},
		{[]string{"demo"}, ExitUsage, "demo needs the folder for the new demo vault"},
	} {
		out, errs, code := helpRun(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\nstdout %q\nstderr %q", c.args, code, c.code, c.want, out, errs)
		}
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		if out, _, code := helpRun(t, args...); code != 0 || !strings.HasPrefix(out, "casevault ") {
			t.Errorf("%v: exit %d %q", args, code, out)
		}
	}
	// A command group without a subcommand, asked for help: its page.
	out, errs, code := helpRun(t, "client", "--help")
	if code != 0 || errs != "" || !strings.Contains(out, "casevault client add --name NAME") || !strings.Contains(out, "Subcommands:") {
		t.Errorf("client --help: exit %d %q %q", code, out, errs)
	}
	// Three words: help on a subcommand of a subcommand's group.
	if out, _, code := helpRun(t, "help", "audit", "list"); code != 0 || !strings.Contains(out, "--action ACTION") || !strings.Contains(out, "only what this user did") {
		t.Errorf("help audit list: exit %d %q", code, out)
	}
	// The top page lists --version, and the flags every command takes.
	top, _, _ := helpRun(t, "help")
	for _, want := range []string{"--version", "--vault DIR", "--passphrase-stdin", "Exit codes:", "casevault help COMMAND"} {
		if !strings.Contains(top, want) {
			t.Errorf("casevault help lacks %q", want)
		}
	}
	// No line of a page is wider than a terminal, but for command lines.
	for _, c := range commandTable {
		page, _, _ := helpRun(t, append(strings.Fields(c.name), "--help")...)
		for _, l := range strings.Split(page, "\n") {
			if len(l) > 80 && !strings.Contains(l, "casevault ") && !strings.HasPrefix(l, "  --") {
				t.Errorf("%s --help: a line of %d characters: %q", c.name, len(l), l)
			}
		}
	}
}
