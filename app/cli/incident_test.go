package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"casevault/app/incident"
)

// TestIncidentCommands: an incident from start to close through the
// command line, with --json on list and show, and the pack.
func TestIncidentCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	ann := v.id("client", "add", "--name", "Ann <b>Lee</b>")
	bo := v.id("client", "add", "--name", "Bo Chan")

	out := v.ok("incident", "new", "lost-laptop", "--when", "2026-11-20", "--summary", "taken from the car")
	for _, w := range []string{"Incident 1 recorded: Laptop lost or stolen.", "casevault incident done 1 STEP", " 1. Write down when and where", "[last-seen]", "Why: "} {
		if !strings.Contains(out, w) {
			t.Errorf("incident new does not say %q:\n%s", w, out)
		}
	}
	if out := v.ok("incident", "list"); !strings.Contains(out, "Laptop lost or stolen") || !strings.Contains(out, "2026-11-20") || !strings.Contains(out, "0 of 14") || !strings.Contains(out, "open") {
		t.Errorf("incident list:\n%s", out)
	}
	list := okJSON[[]map[string]any](v, "incident", "list")
	if len(list) != 1 || list[0]["kind"] != "lost_laptop" || list[0]["steps_done"] != 0.0 || list[0]["summary"] != "taken from the car" {
		t.Errorf("incident list --json: %v", list)
	}

	if out := v.ok("incident", "done", "1", "police", "--note", "report 2026-4471"); !strings.Contains(out, "Step police of incident 1 done (1 of 14).") || !strings.Contains(out, "Next: 1. Write down") {
		t.Errorf("incident done:\n%s", out)
	}
	v.ok("incident", "done", "1", "last-seen")
	if out := v.ok("incident", "undo", "1", "last-seen"); !strings.Contains(out, "marked as not done (1 of 14 done)") {
		t.Errorf("incident undo:\n%s", out)
	}
	if out := v.ok("incident", "clients", "1", "--set", ann+","+bo); !strings.Contains(out, "2 clients affected by incident 1:") || !strings.Contains(out, "Ann <b>Lee</b>") || !strings.Contains(out, "not told yet") {
		t.Errorf("incident clients --set:\n%s", out)
	}
	if out := v.ok("incident", "notified", "1", bo); !strings.Contains(out, "Client "+bo+" marked as told of incident 1.") {
		t.Errorf("incident notified:\n%s", out)
	}
	show := okJSON[map[string]any](v, "incident", "show", "1")
	steps, _ := show["steps"].([]any)
	affected, _ := show["affected"].([]any)
	if show["label"] != "Laptop lost or stolen" || len(steps) != 14 || len(affected) != 2 || show["steps_done"] != 1.0 {
		t.Fatalf("incident show --json: %v", show)
	}
	police := steps[1].(map[string]any)
	if police["key"] != "police" || police["note"] != "report 2026-4471" || police["done_at"] == "" || police["done_by"] == "" {
		t.Errorf("police step: %v", police)
	}
	if a := affected[1].(map[string]any); a["notified_at"] == nil || a["label"] != "Client "+bo+" (Bo Chan)" {
		t.Errorf("told client: %v", a)
	}
	out = v.ok("incident", "show", "1")
	for _, w := range []string{"Incident 1", "Happened", "2026-11-20", "[x]  2. If it may have been stolen, report it to the police", "note: report 2026-4471", "[ ]  1. Write down", "Clients affected (2):", "told "} {
		if !strings.Contains(out, w) {
			t.Errorf("incident show does not say %q:\n%s", w, out)
		}
	}

	page := filepath.Join(t.TempDir(), "incident-1.html")
	_, errs, code := v.do("incident", "pack", "1", "--out", page)
	if code != 0 || !strings.Contains(errs, "2 letters to adapt") || !strings.Contains(errs, "keep it safe") {
		t.Fatalf("incident pack: exit %d %s", code, errs)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if strings.Count(html, `<div class="letter">`) != 2 || !strings.Contains(html, "Dear Ann &lt;b&gt;Lee&lt;/b&gt;,") || strings.Contains(html, "<b>Lee") || !strings.Contains(html, "Dear Bo Chan,") {
		t.Errorf("the pack's letters are not there or not escaped")
	}
	if _, errs, code := v.do("incident", "pack", "1", "--out", page); code != ExitError || !strings.Contains(errs, "already exists") {
		t.Errorf("pack over a file: exit %d %s", code, errs)
	}

	if out := v.ok("incident", "close", "1"); !strings.Contains(out, "Incident 1 closed.") {
		t.Errorf("incident close:\n%s", out)
	}
	if _, errs, code := v.do("incident", "close", "1"); code != ExitError || !strings.Contains(errs, "incident 1 was closed already, on ") {
		t.Errorf("closed twice: exit %d %s", code, errs)
	}
	if out := v.ok("incident", "list"); !strings.Contains(out, "closed ") {
		t.Errorf("closed incident in list:\n%s", out)
	}
}

// Each mistake: a plain message, the right exit code, nothing changed.
func TestIncidentCommandErrors(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.ok("incident", "new", "disclosure")
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"incident", "new", "flood"}, ExitUsage, `Unknown kind of incident "flood": choose one of lost-laptop (laptop lost or stolen)`},
		{[]string{"incident", "new"}, ExitUsage, "give one kind of incident"},
		{[]string{"incident", "new", "other", "--when", "2026-02-30"}, ExitUsage, "--when: 2026-02-30 is not a real date"},
		{[]string{"incident", "new", "other", "--when", "yesterday"}, ExitUsage, "--when: "},
		{[]string{"incident", "new", "lost-laptop", "--repo", "/media/usb"}, ExitUsage, "--repo names a lost backup drive"},
		{[]string{"incident", "show", "x"}, ExitUsage, `"x" is not a incident id`},
		{[]string{"incident", "pack", "1"}, ExitUsage, "give one of --out FILE.html and --open"},
		{[]string{"incident", "done", "1"}, ExitUsage, "give the incident and the step"},
		{[]string{"incident", "clients", "1", "--set", "1,x"}, ExitUsage, `"x" is not a client id`},
	} {
		_, errs, code := v.do(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.says) {
			t.Errorf("%v: exit %d %q; want %d %q", tc.args, code, errs, tc.code, tc.says)
		}
	}
	// These open the vault and are refused by it (an audit entry each for
	// the open, nothing else).
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"incident", "done", "1", "pray"}, `Unknown step "pray" for "sent to the wrong person": the steps are what-sent, recall, ask-delete`},
		{[]string{"incident", "show", "9"}, `incident 9: not found (check the id with "casevault incident list`},
		{[]string{"incident", "clients", "1", "--set", "99"}, "There is no client 99 that you may see"},
		{[]string{"incident", "notified", "1", "99"}, "Client 99 is not among the clients incident 1 affects"},
	} {
		_, errs, code := v.do(tc.args...)
		if code != ExitError || !strings.Contains(errs, tc.says) {
			t.Errorf("%v: exit %d %q; want %q", tc.args, code, errs, tc.says)
		}
	}
	if out := v.ok("incident", "show", "1"); !strings.Contains(out, "0 of 9 done") || !strings.Contains(out, "No clients marked") {
		t.Errorf("a refused command changed the incident:\n%s", out)
	}

	// A role that may not read the audit trail: records and ticks, but
	// does not see or choose the clients, and prints no pack (exit 6).
	one := v.addUser("Pat", "Paralegal")
	if _, _, code := v.asUser("Pat", one+"\n"+patPass, "passwd"); code != 0 {
		t.Fatal("Pat's passwd failed")
	}
	if _, errs, code := v.asUser("Pat", patPass, "incident", "done", "1", "recall"); code != 0 {
		t.Errorf("Pat ticks a step: exit %d %s", code, errs)
	}
	if out, _, code := v.asUser("Pat", patPass, "incident", "show", "1"); code != 0 || !strings.Contains(out, "your role may not see them") {
		t.Errorf("Pat's incident show: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"incident", "clients", "1"}, {"incident", "pack", "1", "--out", filepath.Join(t.TempDir(), "p.html")}, {"incident", "notified", "1", "1"}} {
		if _, errs, code := v.asUser("Pat", patPass, args...); code != ExitDenied || !strings.Contains(errs, "Your role (Paralegal) cannot") {
			t.Errorf("Pat: %v: exit %d %q", args, code, errs)
		}
	}
}

// Every "casevault ..." a checklist step names is a command that exists,
// so a lawyer on a bad day is never sent to a command that is not there.
func TestStepsNameRealPlaces(t *testing.T) {
	re := regexp.MustCompile(`"casevault ([a-z][a-z-]*(?: [a-z][a-z-]*)?)`)
	seen := 0
	for _, k := range incident.Kinds() {
		for _, st := range incident.Checklist(k) {
			for _, m := range re.FindAllStringSubmatch(st.Text+" "+st.Why, -1) {
				seen++
				c, _ := resolve(strings.Fields(m[1]))
				if c == nil || c.group() {
					t.Errorf("%s/%s names %q, which is no command", k, st.Key, "casevault "+m[1])
				}
			}
		}
	}
	if seen < 10 {
		t.Errorf("found only %d commands in the checklists", seen)
	}
}

// A lost backup drive named by its folder: the clients on it are marked,
// and show says how it was protected.
func TestIncidentLostBackupCommand(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Ann Lee")
	v.id("client", "add", "--name", "Bo Chan")
	repo := filepath.Join(t.TempDir(), "usb", "casevault-backup")
	v.ok("backup", "--repo", repo)
	out := v.ok("incident", "new", "lost-backup", "--repo", repo)
	if !strings.Contains(out, "2 clients had files on that drive (see them with: casevault incident clients 1).") {
		t.Errorf("incident new lost-backup:\n%s", out)
	}
	out = v.ok("incident", "show", "1")
	for _, w := range []string{"Lost drive", repo, "Opens with", "Clients affected (2):", "(Ann Lee)", "(Bo Chan)"} {
		if !strings.Contains(out, w) {
			t.Errorf("incident show does not say %q:\n%s", w, out)
		}
	}
	if _, errs, code := v.do("incident", "new", "lost-backup", "--repo", filepath.Join(t.TempDir(), "nothing")); code == 0 || !strings.Contains(errs, "backup") {
		t.Errorf("an unknown drive: exit %d %s", code, errs)
	}
}
