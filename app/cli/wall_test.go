package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/app/access"
)

// The wall test through the command line: a walled matter and a restricted
// client hold a canary; a user outside runs every read command, as text and
// as --json, and the canary is in none of their output or files, while the
// conflict check on a walled party's name still says a match exists that
// they cannot see.

const canary = "Qzvkanary"

func TestCLIWall(t *testing.T) {
	t.Parallel()
	v := newTV(t).checkpointing() // some 80 commands: replaying a growing redo log at each open was a third of the time
	general := v.id("client", "add", "--name", "Garnet Holloway")
	open := v.id("matter", "add", "--client", general, "--title", "Holloway lease renewal")
	walled := v.id("matter", "add", "--client", general, "--title", canary+" acquisition of Vornholt Mills",
		"--adverse", "Thaddeus Vornholt", "--adverse", canary+" Holdings")
	v.ok("note", "add", "--matter", walled, "--text", "privileged "+canary+" strategy")
	restricted := v.id("client", "add", "--name", canary+" Estate", "--email", "qzvkanary@example.com", "--notes", canary+" notes")
	rmatter := v.id("matter", "add", "--client", restricted, "--title", canary+" probate", "--adverse", "Mirabel Quoddy")
	v.ok("note", "add", "--matter", rmatter, "--text", canary+" will")

	olga := addCLIUser(t, v, "olga", access.AttorneyRole)
	ida := addCLIUser(t, v, "ida", access.AttorneyRole)
	v.ok("matter", "wall", walled, "--users", "olga")
	v.ok("client", "restrict", restricted, "--users", "ida")
	// Inside, a little reading and writing, so the trail names the records.
	for _, args := range [][]string{{"matter", "show", walled}, {"client", "show", restricted}, {"search", canary}} {
		if _, errs, code := v.as(ida, args...); code != 0 {
			t.Fatalf("ida %v: exit %d %s", args, code, errs)
		}
	}

	tmp := t.TempDir()
	type cmd struct {
		args     []string
		mayFail  bool // a hidden record: "not found" is the answer
		repo     bool // a repository command: opens (exit 0) or is refused as the owner's (exit 6), never "wrong passphrase"
		noJSON   bool
		produces string // a file the command writes
	}
	cmds := []cmd{
		{args: []string{"client", "list"}},
		{args: []string{"client", "show", general}},
		{args: []string{"client", "show", restricted}, mayFail: true},
		{args: []string{"matter", "list"}},
		{args: []string{"matter", "list", "--client", general}},
		{args: []string{"matter", "show", open}},
		{args: []string{"matter", "show", walled}, mayFail: true},
		{args: []string{"matter", "show", rmatter}, mayFail: true},
		{args: []string{"search", "Vornholt"}},
		{args: []string{"search", "Qzvk"}},
		{args: []string{"search", "probate"}},
		{args: []string{"search", "strategy"}},
		{args: []string{"conflicts", "Mirabel Quoddy"}},
		{args: []string{"status"}},
		{args: []string{"audit", "list"}},
		{args: []string{"audit", "list", "--client", general}},
		{args: []string{"audit", "list", "--matter", walled}},
		{args: []string{"audit", "list", "--user", "ida"}},
		{args: []string{"report", "access", general}},
		{args: []string{"report", "access", general, "--csv", filepath.Join(tmp, "a.csv")}, noJSON: true, produces: "a.csv"},
		{args: []string{"report", "access", general, "--html", filepath.Join(tmp, "a.html")}, noJSON: true, produces: "a.html"},
		{args: []string{"report", "access", restricted}, mayFail: true},
		{args: []string{"report", "activity", "ida"}},
		{args: []string{"report", "activity", "ida", "--csv", filepath.Join(tmp, "b.csv")}, noJSON: true, produces: "b.csv"},
		{args: []string{"report", "activity", "ida", "--html", filepath.Join(tmp, "b.html")}, noJSON: true, produces: "b.html"},
		{args: []string{"backup", "--repo", filepath.Join(tmp, "repo")}},
		{args: []string{"drill", "--repo", filepath.Join(tmp, "repo")}, repo: true},
		{args: []string{"snapshots", "--repo", filepath.Join(tmp, "repo")}, repo: true},
	}
	for _, c := range cmds {
		variants := [][]string{c.args}
		if !c.noJSON {
			variants = append(variants, append(append([]string(nil), c.args...), "--json"))
		}
		for _, args := range variants {
			out, errs, code := v.as(olga, args...)
			if code != 0 && !c.mayFail && !(c.repo && code == ExitDenied) {
				t.Errorf("olga %v: exit %d %s", args, code, errs)
			}
			if c.mayFail && code == 0 {
				t.Errorf("olga %v: shows a hidden record:\n%s", args, out)
			}
			for what, s := range map[string]string{"output": out, "errors": errs} {
				if i := strings.Index(strings.ToLower(s), strings.ToLower(canary)); i >= 0 {
					t.Errorf("olga %v: the canary in its %s: …%s…", args, what, s[max(0, i-60):min(len(s), i+60)])
				}
			}
			if c.produces != "" {
				b, err := os.ReadFile(filepath.Join(tmp, c.produces))
				if err != nil {
					t.Errorf("olga %v: %v", args, err)
				} else if strings.Contains(strings.ToLower(string(b)), strings.ToLower(canary)) {
					t.Errorf("olga %v: the canary in %s", args, c.produces)
				}
			}
		}
	}
	// A wall never hides a conflict: the walled party's name is a match
	// olga is told about, without its matter.
	out, errs, code := v.as(olga, "conflicts", "Thaddeus Vornholt")
	if code != 0 || !strings.Contains(strings.ToLower(out), "restricted") || strings.Contains(strings.ToLower(out), strings.ToLower(canary)) {
		t.Errorf("olga's conflict check on a walled party: exit %d\n%s%s", code, out, errs)
	}
	// Inside the wall and the owner see it.
	if out, _, code := v.as(ida, "matter", "show", walled); code != 0 || !strings.Contains(out, canary) {
		t.Errorf("ida does not see the walled matter: %d\n%s", code, out)
	}
	if out := v.ok("client", "show", restricted); !strings.Contains(out, canary) {
		t.Errorf("the owner does not see the restricted client:\n%s", out)
	}
	// Out of the wall: olga sees it, and the change is in the trail.
	v.ok("matter", "open", walled)
	if out, _, code := v.as(olga, "matter", "show", walled); code != 0 || !strings.Contains(out, canary) {
		t.Errorf("olga after the wall came down: %d\n%s", code, out)
	}
	entries := okJSON[[]map[string]any](v, "audit", "list", "--matter", walled)
	classes := 0
	for _, e := range entries {
		if strings.HasPrefix(field(e, "action"), "class") {
			classes++
		}
	}
	if classes != 2 {
		t.Errorf("%d class changes of the walled matter in the trail, want 2 (into the wall, out)", classes)
	}
}
