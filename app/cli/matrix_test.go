package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"casevault/app/access"
)

// The permission matrix through the command line: every built-in role ×
// every command that reads or changes the vault, as a real user (--user,
// their own passphrase). What each command should do comes from
// access.Check alone: allowed = exit 0; refused = exit 6 with the
// "Your role (X) cannot ...; ask the owner" message, and a 'denied' entry
// in the audit trail naming the user and what they tried.

var oneTimeRE = regexp.MustCompile(`\b[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){4}\b`)

// cliUser is a user of a test vault driven through the command line.
type cliUser struct {
	name, pass string
	role       access.Role
}

// addCLIUser adds a user as the owner and has them choose their passphrase.
func addCLIUser(t *testing.T, v *tv, name, role string) cliUser {
	t.Helper()
	out := v.ok("user", "add", name, "--role", role)
	one := oneTimeRE.FindString(out)
	if one == "" {
		t.Fatalf("user add printed no one-time passphrase:\n%s", out)
	}
	u := cliUser{name: name, pass: fmt.Sprintf("copper kettle winter orchard %d", len(name)*7919%1000)}
	var ok bool
	if u.role, ok = access.BuiltinRole(role); !ok {
		t.Fatalf("no role %s", role)
	}
	// Before choosing their own: exit 7 for anything else.
	if _, errs, code := v.with(one+"\n", "--user", name, "client", "list"); code != ExitMustChange {
		t.Errorf("%s lists clients with the one-time passphrase: exit %d %s", name, code, errs)
	}
	if _, errs, code := v.with(one+"\n"+u.pass+"\n"+u.pass+"\n", "--user", name, "passwd"); code != 0 {
		t.Fatalf("%s passwd: exit %d %s", name, code, errs)
	}
	return u
}

// as runs a command as u.
func (v *tv) as(u cliUser, args ...string) (string, string, int) {
	v.t.Helper()
	return v.with(u.pass+"\n", append([]string{"--user", u.name}, args...)...)
}

// cliOp is one command of the matrix; args may hold {client}, {matter},
// {new-client}, {new-matter}, {closed-matter}, {check}, {doc}, {new-doc}, {repo}, {tmp},
// {user}, filled in before each run.
type cliOp struct {
	args  []string
	verbs []access.Verb
}

func cliOps() []cliOp {
	a := func(s string) []string { return strings.Fields(s) }
	v := func(v ...access.Verb) []access.Verb { return v }
	return []cliOp{
		{a("client list"), v(access.ListClients)},
		{a("client show {client}"), v(access.ViewClient)},
		{a("client add --name Added_Client"), v(access.AddClient)},
		{a("client edit {client} --phone +1_555_0100"), v(access.EditClient)},
		{a("client delete {new-client}"), v(access.DeleteClient)},
		{a("matter list"), v(access.ListMatters)},
		{a("matter show {matter}"), v(access.ViewMatter)},
		{a("matter add --client {client} --title Added_matter"), v(access.AddMatter)},
		{a("matter add --client {client} --title Added_matter --adverse Orla_Vantage"), v(access.AddMatter, access.AddParties)},
		{a("matter close {new-matter}"), v(access.CloseMatter)},
		{a("matter reopen {closed-matter}"), v(access.CloseMatter)},
		{a("note add --matter {matter} --text a_note"), v(access.AddNote)},
		{a("search quillon"), v(access.Search)},
		{a("conflicts Quillon_Marsh"), v(access.CheckConflict)},
		{a("conflicts decide {check} --decision clear"), v(access.DecideConfl)},
		{a("status"), v(access.ViewStatus)},
		{a("check"), v(access.CheckVault)},
		{a("audit list"), v(access.ListAudit)},
		{a("audit verify"), v(access.VerifyAudit)},
		{a("report access {client}"), v(access.Reports)},
		{a("report access {client} --csv {tmp}/access.csv"), v(access.Reports, access.ExportReport)}, // builds the report, then saves it
		{a("report activity {user}"), v(access.Reports)},
		{a("report activity {user} --html {tmp}/activity.html"), v(access.Reports, access.ExportReport)},
		{a("backup --repo {tmp}/repo"), v(access.Backup)},
		{a("user list"), v(access.ListUsers)},
		{a("user add {user}2 --role Assistant"), v(access.ManageUsers)},
		{a("user role {user}2 Read-only"), v(access.ManageUsers)},
		{a("user reset {user}2"), v(access.ManageUsers)},
		{a("user unlock {user}2"), v(access.ManageUsers)},
		{a("user remove {user}2"), v(access.ManageUsers)},
		{a("role list"), v(access.ListRoles)},
		{a("role show Paralegal"), v(access.ListRoles)},
		{a("role add Clerk{user} --clients read"), v(access.ListRoles, access.ManageRoles)}, // reads the roles first
		{a("policy show"), v()},                                                             // every user reads the policy their passphrase must meet
		{a("policy set --min-length 14"), v(access.SetPolicy)},
		{a("matter wall {new-matter} --users {user}"), v(access.SetClassOf)},
		{a("client restrict {new-client} --users {user}"), v(access.SetClassOf)},
		{a("client open {client}"), v(access.SetClassOf)},
		{a("doc limit"), v()}, // every user may know the largest file they may add
		{a("doc limit 2GB"), v(access.SetDocLimit)},
		// One command per document verb (the app's matrix runs every one).
		{a("doc list --matter {matter}"), v(access.ListDocuments)},
		{a("doc add --matter {matter} --keep-both {tmp}/added.txt"), v(access.AddDocuments)},
		{a("doc export {doc} --to {tmp}"), v(access.ExportDocuments)},
		{a("doc delete {new-doc} --yes"), v(access.DeleteDocuments)},
		{a("key change"), v(access.RotateKey)}, // last: the vault key changes
	}
}

func TestCLIPermissionMatrix(t *testing.T) {
	t.Parallel()
	v := newTV(t).checkpointing() // some 150 commands: replaying a growing redo log at each open was a quarter of the time
	client := v.id("client", "add", "--name", "Quillon Marsh")
	matter := v.id("matter", "add", "--client", client, "--title", "Quillon v. Harrow", "--adverse", "Harrow Quillon")
	v.ok("note", "add", "--matter", matter, "--text", "quillon called")
	docFile := filepath.Join(t.TempDir(), "matrix.txt")
	if err := os.WriteFile(docFile, []byte("quillon letter"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := docAddedID(t, v.ok("doc", "add", "--matter", matter, docFile))
	owner := cliUser{name: "", pass: testPass, role: mustRole(t, access.OwnerRole)}
	users := []cliUser{owner}
	// make test runs the owner (everything allowed), the Paralegal and the
	// Read-only role (between them every command is refused by someone);
	// make check (CASEVAULT_HEAVY=1) every built-in role. Every role x every
	// operation also runs through the app API in TestPermissionMatrixBuiltinRoles.
	roles := []string{access.ParalegalRole, access.ReadOnlyRole}
	if os.Getenv("CASEVAULT_HEAVY") == "1" {
		roles = []string{access.AttorneyRole, access.ParalegalRole, access.AssistantRole, access.ReadOnlyRole}
	}
	for _, r := range roles {
		users = append(users, addCLIUser(t, v, strings.ToLower(strings.ReplaceAll(r, "-", "")), r))
	}
	deniedWant := map[string][]string{} // user -> "tried to ..." in order
	for _, u := range users {
		tmp := t.TempDir()
		who := u.name
		if who == "" {
			who = "owner"
		}
		for _, op := range cliOps() {
			repl := map[string]string{"{client}": client, "{matter}": matter, "{tmp}": tmp, "{user}": who, "{doc}": doc}
			args := strings.Join(op.args, " ")
			if strings.Contains(args, "{new-client}") {
				repl["{new-client}"] = v.id("client", "add", "--name", "Doomed client")
			}
			if strings.Contains(args, "{new-matter}") {
				repl["{new-matter}"] = v.id("matter", "add", "--client", client, "--title", "Doomed matter")
			}
			if strings.Contains(args, "{closed-matter}") {
				m := v.id("matter", "add", "--client", client, "--title", "Closed matter")
				v.ok("matter", "close", m)
				repl["{closed-matter}"] = m
			}
			if strings.Contains(args, "{new-doc}") {
				repl["{new-doc}"] = docAddedID(t, v.ok("doc", "add", "--matter", matter, "--keep-both", docFile))
			}
			if strings.Contains(args, "{tmp}/added.txt") {
				if err := os.WriteFile(filepath.Join(tmp, "added.txt"), []byte("added"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if strings.Contains(args, "{check}") {
				res := okJSON[map[string]any](v, "conflicts", "Someone Else")
				repl["{check}"] = fmt.Sprint(res["check_id"])
			}
			var final []string
			for _, f := range strings.Fields(args) {
				for k, r := range repl {
					f = strings.ReplaceAll(f, k, r)
				}
				final = append(final, strings.ReplaceAll(f, "_", " "))
			}
			var want error
			for _, vb := range op.verbs {
				if want = access.Check(u.role, vb); want != nil {
					break
				}
			}
			var out, errs string
			var code int
			if u.name == "" {
				out, errs, code = v.do(final...)
			} else {
				out, errs, code = v.as(u, final...)
			}
			switch {
			case want == nil && code != 0:
				t.Errorf("%s (%s): %v: exit %d\n%s%s", who, u.role.Name, final, code, out, errs)
			case want != nil && (code != ExitDenied || !strings.Contains(errs, want.Error())):
				t.Errorf("%s (%s): %v: exit %d %q, want exit %d %q", who, u.role.Name, final, code, errs, ExitDenied, want)
			case want != nil:
				deniedWant[who] = append(deniedWant[who], "tried to "+want.(*access.DeniedError).Verb)
			}
		}
	}
	// The refusals are in the audit trail, under each user's name.
	entries := okJSON[[]map[string]any](v, "audit", "list")
	got := map[string][]string{}
	for _, e := range entries {
		if field(e, "action") == "denied" {
			d := field(e, "detail") // "command line, with the passphrase; tried to ..."
			if i := strings.Index(d, "tried to "); i >= 0 {
				d = d[i:]
			}
			got[field(e, "actor")] = append(got[field(e, "actor")], d)
		}
	}
	for who, want := range deniedWant {
		if !slices.Equal(got[who], want) {
			t.Errorf("%s's denied entries:\n got %q\nwant %q", who, got[who], want)
		}
	}
	if len(got) != len(deniedWant) {
		t.Errorf("denied entries by %d users, want %d: %v", len(got), len(deniedWant), got)
	}
}

func mustRole(t *testing.T, name string) access.Role {
	t.Helper()
	r, ok := access.BuiltinRole(name)
	if !ok {
		t.Fatalf("no role %s", name)
	}
	return r
}

// field reads a JSON object's field by name, any case.
func field(m map[string]any, name string) string {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}
