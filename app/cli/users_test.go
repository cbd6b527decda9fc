package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"casevault/app"
	"casevault/app/access"
)

// TestExitCodes: a refusal by the role and a must-change session have
// their own exit codes, whatever wraps them.
func TestExitCodes(t *testing.T) {
	denied := &access.DeniedError{Role: "Paralegal", Verb: "delete clients"}
	for _, c := range []struct {
		err  error
		want int
	}{
		{denied, ExitDenied},
		{fmt.Errorf("client 3: %w", denied), ExitDenied},
		{errors.Join(denied, errors.New("audit failed")), ExitDenied},
		{&app.MustChangeError{}, ExitMustChange},
		{&app.MustChangeError{Expired: true}, ExitMustChange},
		{usagef("x"), ExitUsage},
		{app.ErrWrongCredential, ExitWrongKey},
		{errors.New("other"), ExitError},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	if ExitDenied == ExitMustChange || ExitDenied <= ExitLocked {
		t.Error("exit codes not distinct")
	}
	// The usage documents them.
	out, _, _ := run(t, "", "--help")
	for _, want := range []string{"6 refused by your role", "7 you must choose your own passphrase first", "--user NAME", "--key-file PATH",
		"user add|list|role|reset|unlock|remove|display-name|passwd", "role list|show|add|set|delete", "policy show|set",
		"client add|list|show|edit|delete|restrict|wall|open", "report access|activity", "--version"} {
		if !strings.Contains(out, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

func TestRoleCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	out := v.ok("role", "list")
	for _, want := range []string{"ROLE", "CLIENTS", "Owner (built-in)", "Paralegal (built-in)", "Read-only (built-in)"} {
		if !strings.Contains(out, want) {
			t.Errorf("role list lacks %q:\n%s", want, out)
		}
	}
	roles := okJSON[[]map[string]any](v, "role", "show", "paralegal")
	if len(roles) != 1 || roles[0]["Name"] == nil && roles[0]["name"] == nil {
		t.Fatalf("role show paralegal --json: %v", roles)
	}
	// A wrong role name lists the right ones and changes nothing.
	_, errs, code := v.do("role", "show", "Paralegul")
	if code != ExitError || !strings.Contains(errs, `there is no role "Paralegul"`) || !strings.Contains(errs, "Paralegal") {
		t.Errorf("role show of a wrong name: exit %d %q", code, errs)
	}
	_, errs, code = v.do("role", "add", "Clerk", "--from", "Nobody")
	if code != ExitError || !strings.Contains(errs, `there is no role "Nobody"`) {
		t.Errorf("role add --from a wrong name: exit %d %q", code, errs)
	}
	// A custom role: from a built-in one, changed, given, deleted.
	v.ok("role", "add", "Clerk", "--from", "Paralegal", "--notes", "read")
	clerk := okJSON[[]access.Role](v, "role", "show", "clerk")
	if len(clerk) != 1 || clerk[0].Name != "Clerk" || clerk[0].Perms.Level(access.Notes) != access.Read || clerk[0].Perms.Level(access.Clients) != access.Edit {
		t.Errorf("role show clerk: %+v", clerk)
	}
	v.ok("role", "set", "Clerk", "--audit", "read")
	if c := okJSON[[]access.Role](v, "role", "show", "Clerk"); c[0].Perms.Level(access.Audit) != access.Read {
		t.Errorf("after role set --audit read: %+v", c)
	}
	if _, errs, code := v.do("role", "add", "clerk"); code != ExitError || !strings.Contains(errs, "already a role") {
		t.Errorf("role add of an existing name: exit %d %q", code, errs)
	}
	if _, errs, code := v.do("role", "set", "Paralegal", "--notes", "read"); code == 0 {
		t.Errorf("a built-in role changed: %q", errs)
	}
	v.ok("role", "delete", "Clerk")
	if _, errs, code := v.do("role", "show", "Clerk"); code != ExitError {
		t.Errorf("role show after delete: exit %d %q", code, errs)
	}
	for _, args := range [][]string{
		{"role", "set", "Clerk"},                      // no level
		{"role", "add", "Clerk", "--notes", "maybe"},  // not a level
		{"role", "add"},                               // no name
		{"role", "frob"},                              // no such subcommand
		{"role", "add", "Clerk", "--secrets", "edit"}, // no such kind
	} {
		if _, errs, code := v.do(args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, ExitUsage, errs)
		}
	}
	if out, _, code := v.do("role", "--help"); code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "clients, matters") {
		t.Errorf("role --help: %d %q", code, out)
	}
}

func TestPolicyCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	out := v.ok("policy", "show")
	for _, want := range []string{"Shortest passphrase", "12 characters", "Expiry", "never", "5 wrong passphrases"} {
		if !strings.Contains(out, want) {
			t.Errorf("policy show lacks %q:\n%s", want, out)
		}
	}
	p := okJSON[app.PassPolicy](v, "policy", "show")
	if p.MinLength != 12 || p.LockoutAfter != 5 {
		t.Errorf("policy show --json: %+v", p)
	}
	out = v.ok("policy", "set", "--min-length", "14", "--expiry-days", "365")
	if !strings.Contains(out, "14 characters") || !strings.Contains(out, "after 365 days") || strings.Contains(out, "\t") {
		t.Errorf("policy set:\n%s", out)
	}
	if p := okJSON[app.PassPolicy](v, "policy", "show"); p.MinLength != 14 || p.ExpiryDays != 365 || p.LockoutAfter != 5 {
		t.Errorf("policy after set: %+v", p)
	}
	if _, errs, code := v.do("policy", "set", "--min-length", "3"); code != ExitError || !strings.Contains(errs, "minimum length") {
		t.Errorf("policy set --min-length 3: exit %d %q", code, errs)
	}
	for _, args := range [][]string{
		{"policy", "set"}, {"policy", "set", "--min-length", "x"}, {"policy", "set", "--require-key-file", "maybe"}, {"policy", "nope"},
	} {
		if _, errs, code := v.do(args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, ExitUsage, errs)
		}
	}
}

func TestUserCommandUsage(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	for _, args := range [][]string{
		{"user", "add", "Pat"},                               // no role
		{"user", "add", "--role", "Paralegal"},               // no name
		{"user", "add", "Pat", "Sam", "--role", "Paralegal"}, // two names
		{"user", "role", "Pat"},                              // no role
		{"user", "frob"},                                     // no such subcommand
		{"user"},                                             // none
		{"matter", "wall", "1"},                              // no --users
		{"matter", "open", "1", "--users", "Pat"},            // open takes none
		{"client", "restrict", "x", "--users", "Pat"},        // not an id
		{"passwd", "--new-key-file", "k", "--no-key-file"},   // both
		{"--user"},                       // no name
		{"client", "list", "--user", ""}, // no name
		{"--key-file", "--vault", v.dir, "client", "list"}, // no path
	} {
		if _, errs, code := v.do(args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, ExitUsage, errs)
		}
	}
	if out, _, code := v.do("user", "--help"); code != 0 || !strings.Contains(out, "one-time passphrase") || !strings.Contains(out, "Examples:") {
		t.Errorf("user --help: %d %q", code, out)
	}
	if out, _, code := v.do("matter", "wall", "--help"); code != 0 || !strings.Contains(out, "ethical wall") || !strings.Contains(out, "Examples:") {
		t.Errorf("matter wall --help: %d %q", code, out)
	}
}

// TestPeopleHelp: every people-and-permissions command explains itself in
// words, with an example, and exits 0.
func TestPeopleHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"user", "add"}, {"user", "list"}, {"user", "role"}, {"user", "reset"}, {"user", "unlock"}, {"user", "remove"},
		{"role", "list"}, {"role", "show"}, {"role", "add"}, {"role", "set"}, {"role", "delete"},
		{"policy", "show"}, {"policy", "set"}, {"key", "change"}, {"passwd"},
		{"client", "restrict"}, {"client", "wall"}, {"matter", "open"}, {"report", "access"}, {"report", "activity"}, {"audit", "list"},
	} {
		out, errs, code := run(t, "", append(args, "--help")...)
		if code != 0 || !strings.Contains(out+errs, "Example") {
			t.Errorf("%v --help: exit %d, no example:\n%s%s", args, code, out, errs)
		}
	}
}

// TestRemoveWithKeyChange: removing a user with --change-key changes the
// vault key, says what that does, and the vault opens as before for the
// others with everything in it.
func TestRemoveWithKeyChange(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	v.ok("user", "add", "Pat", "--role", "Paralegal")
	out := v.ok("user", "remove", "Pat", "--change-key")
	for _, want := range []string{"User Pat removed", "The vault key was changed", "Old copies of the vault folder"} {
		if !strings.Contains(out, want) {
			t.Errorf("user remove --change-key lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "Your recovery key still works") && !strings.Contains(out, "NEW RECOVERY KEY") {
		t.Errorf("user remove --change-key says nothing of the recovery key:\n%s", out)
	}
	if out := v.ok("client", "list"); !strings.Contains(out, "Jane Roe") {
		t.Errorf("after the key change:\n%s", out)
	}
	if out := v.ok("key", "change"); !strings.Contains(out, "The vault key was changed") {
		t.Errorf("key change:\n%s", out)
	}
	if _, errs, code := v.do("user", "remove", "Nobody"); code == 0 || !strings.Contains(errs, "Nobody") {
		t.Errorf("remove of an unknown user: exit %d %q", code, errs)
	}
}
