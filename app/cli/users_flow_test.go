package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var oneTimeLineRE = regexp.MustCompile(`\n    ([a-z0-9]{5}(-[a-z0-9]{5}){4})\n`)

// as runs a command as user with the passphrase pass (and more lines of
// standard input after it).
func (v *tv) asUser(user, pass string, args ...string) (string, string, int) {
	v.t.Helper()
	return v.with(pass+"\n", append([]string{"--user", user}, args...)...)
}

// addUser adds a user as the owner and returns the one-time passphrase.
func (v *tv) addUser(name, role string, extra ...string) string {
	v.t.Helper()
	out := v.ok(append([]string{"user", "add", name, "--role", role}, extra...)...)
	m := oneTimeLineRE.FindStringSubmatch(out)
	if m == nil {
		v.t.Fatalf("user add printed no one-time passphrase:\n%s", out)
	}
	if !strings.Contains(out, "casevault passwd --user "+name) || !strings.Contains(out, "shown only this once") {
		v.t.Errorf("user add does not say how to choose a passphrase:\n%s", out)
	}
	return m[1]
}

const patPass = "harbor quilt meadow sparrow"

// TestUserFlow: the owner adds a paralegal, who must choose a passphrase
// first, then works within the role; what the role refuses exits 6 and is
// recorded.
func TestUserFlow(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	one := v.addUser("Pat", "Paralegal")

	users := okJSON[[]map[string]any](v, "user", "list")
	var found bool
	for _, u := range users {
		if u["name"] == "Pat" {
			found = true
			if u["role"] != "Paralegal" || u["must_change"] != true {
				t.Errorf("Pat in user list: %v", u)
			}
		}
	}
	if !found {
		t.Fatalf("Pat not in user list: %v", users)
	}
	// The one-time passphrase is in the output once and nowhere else.
	if out := v.ok("user", "list"); strings.Contains(out, one) {
		t.Error("user list shows the one-time passphrase")
	}

	// First unlock: anything but passwd is refused with exit 7 and the way out.
	_, errs, code := v.asUser("Pat", one, "client", "list")
	if code != ExitMustChange || !strings.Contains(errs, "casevault passwd --user Pat") {
		t.Fatalf("Pat's first client list: exit %d %q", code, errs)
	}
	// A new passphrase the policy refuses changes nothing.
	if _, errs, code := v.asUser("Pat", one+"\nshort", "passwd"); code == 0 || !strings.Contains(errs, "not changed") {
		t.Errorf("passwd with a short passphrase: exit %d %q", code, errs)
	}
	if out, errs, code := v.asUser("Pat", one+"\n"+patPass, "passwd"); code != 0 || !strings.Contains(out, "Passphrase changed") || strings.Contains(out+errs, patPass) {
		t.Fatalf("Pat's passwd: exit %d %q %q", code, out, errs)
	}
	if _, _, code := v.asUser("Pat", one, "client", "list"); code != ExitWrongKey {
		t.Errorf("the one-time passphrase still works after passwd: exit %d", code)
	}
	out, errs, code := v.asUser("Pat", patPass, "client", "list")
	if code != 0 || !strings.Contains(out, "Jane Roe") {
		t.Fatalf("Pat's client list: exit %d %q %q", code, out, errs)
	}
	// What a paralegal may not do.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"client", "delete", "1"}, "Your role (Paralegal) cannot delete clients; ask the owner"},
		{[]string{"report", "access", "1"}, "Your role (Paralegal) cannot"},
		{[]string{"audit", "list"}, "Your role (Paralegal) cannot"},
		{[]string{"user", "add", "Sam", "--role", "Owner"}, "Your role (Paralegal) cannot"},
	} {
		_, errs, code := v.asUser("Pat", patPass, c.args...)
		if code != ExitDenied || !strings.Contains(errs, c.want) {
			t.Errorf("Pat %v: exit %d %q, want %d and %q", c.args, code, errs, ExitDenied, c.want)
		}
	}
	denied := okJSON[[]map[string]any](v, "audit", "list", "--action", "denied")
	if len(denied) < 4 {
		t.Errorf("refusals in the audit trail: %v", denied)
	}
	// The owner sees Pat's work in Pat's activity report.
	if out := v.ok("report", "activity", "Pat"); !strings.Contains(out, "Listed the clients") || !strings.Contains(out, "Was refused") {
		t.Errorf("Pat's activity report:\n%s", out)
	}

	// Unknown user, wrong role name.
	if _, errs, code := v.asUser("Nobody", patPass, "client", "list"); code == 0 || !strings.Contains(errs, "Nobody") {
		t.Errorf("unknown user: exit %d %q", code, errs)
	}
	if _, errs, code := v.do("user", "role", "Pat", "Paralegul"); code == 0 || !strings.Contains(errs, "Paralegal") {
		t.Errorf("user role with a wrong role: exit %d %q", code, errs)
	}
	v.ok("user", "role", "Pat", "Read-only")
	if _, errs, code := v.asUser("Pat", patPass, "note", "add", "--matter", "1", "--text", "x"); code != ExitDenied || !strings.Contains(errs, "Read-only") {
		t.Errorf("after the role change: exit %d %q", code, errs)
	}

	// Reset: a new one-time passphrase, the old passphrase gone.
	out = v.ok("user", "reset", "Pat")
	m := oneTimeLineRE.FindStringSubmatch(out)
	if m == nil || m[1] == one {
		t.Fatalf("user reset:\n%s", out)
	}
	if _, _, code := v.asUser("Pat", patPass, "client", "list"); code != ExitWrongKey {
		t.Errorf("Pat's passphrase still works after a reset: exit %d", code)
	}
	if _, _, code := v.asUser("Pat", m[1], "client", "list"); code != ExitMustChange {
		t.Errorf("after a reset: exit %d, want %d", code, ExitMustChange)
	}

	// Remove.
	out = v.ok("user", "remove", "Pat")
	if !strings.Contains(out, "--change-key") {
		t.Errorf("user remove does not explain changing the key:\n%s", out)
	}
	if _, _, code := v.asUser("Pat", m[1], "client", "list"); code == 0 {
		t.Error("a removed user unlocks")
	}
}

// TestKeyFileFlow: a user added with a key file needs it every time.
func TestKeyFileFlow(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	kf := filepath.Join(t.TempDir(), "kim.key")
	one := v.addUser("Kim", "Assistant", "--new-key-file", kf)
	fi, err := os.Stat(kf)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() < 32 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if _, errs, code := v.asUser("Kim", one, "client", "list"); code == 0 || !strings.Contains(errs, "key file") {
		t.Errorf("without the key file: exit %d %q", code, errs)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	os.WriteFile(other, bytes.Repeat([]byte("x"), 64), 0o600)
	if _, errs, code := v.asUser("Kim", one, "--key-file", other, "client", "list"); code != ExitWrongKey {
		t.Errorf("with the wrong key file: exit %d %q", code, errs)
	}
	if _, errs, code := v.asUser("Kim", one+"\n"+patPass, "--key-file", kf, "passwd"); code != 0 {
		t.Fatalf("Kim's passwd with the key file: exit %d %q", code, errs)
	}
	if _, errs, code := v.asUser("Kim", patPass, "--key-file", kf, "client", "list"); code != 0 {
		t.Errorf("Kim with the key file: exit %d %q", code, errs)
	}
	// A key file path that exists is never overwritten.
	if _, errs, code := v.do("user", "add", "Lee", "--role", "Assistant", "--new-key-file", kf); code == 0 || !strings.Contains(errs, "already exists") {
		t.Errorf("--new-key-file over a file: exit %d %q", code, errs)
	}
}

// TestWallCanaryInReports: a walled matter's text never reaches the
// reports or the audit list of a user behind the wall, whatever the
// owner did with it.
func TestWallCanaryInReports(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	const canary = "CANARY-WALL-7731"
	v.id("client", "add", "--name", "Jane Roe")
	v.id("matter", "add", "--client", "1", "--title", "Open matter")
	v.id("matter", "add", "--client", "1", "--title", canary+" takeover", "--adverse", canary+" Holdings")
	v.id("note", "add", "--matter", "2", "--text", "about "+canary)
	v.ok("matter", "show", "2")
	v.ok("search", canary)
	one := v.addUser("Sam", "Attorney") // reads the audit trail
	v.ok("matter", "wall", "2", "--users", "Sam")
	v.asUser("Sam", one+"\n"+patPass, "passwd")

	dir := t.TempDir()
	for i, args := range [][]string{
		{"report", "access", "1"},
		{"report", "access", "1", "--json"},
		{"report", "activity", "owner"},
		{"report", "activity", "owner", "--json"},
		{"report", "access", "1", "--csv", "-"},
		{"report", "access", "1", "--html", filepath.Join(dir, "a.html")},
		{"audit", "list"},
		{"audit", "list", "--json"},
		{"matter", "list"},
		{"search", "CANARY"},
	} {
		out, errs, code := v.asUser("Sam", patPass, args...)
		if code != 0 {
			t.Errorf("Sam %v: exit %d %q", args, code, errs)
			continue
		}
		if strings.Contains(out+errs, canary) {
			t.Errorf("Sam %v shows the walled matter's text:\n%s", args, out)
		}
		if strings.HasSuffix(args[len(args)-1], ".html") {
			page, _ := os.ReadFile(args[len(args)-1])
			if bytes.Contains(page, []byte(canary)) {
				t.Errorf("report page %d holds the walled matter's text", i)
			}
		}
		if args[len(args)-1] == "-" {
			if _, err := csv.NewReader(strings.NewReader(out)).ReadAll(); err != nil {
				t.Errorf("CSV: %v", err)
			}
		}
	}
	// The owner's report has it (the canary is real, not absent everywhere).
	if out := v.ok("report", "access", "1"); !strings.Contains(out, canary) {
		t.Errorf("the owner's access report lacks the walled matter:\n%s", out)
	}
}

// TestLastUserRemembered: without --user, a command unlocks as the last
// user of the vault on this computer, says so, and an owner's unlock
// forgets it again. Not parallel: it points the configuration folder at a
// temporary one.
func TestLastUserRemembered(t *testing.T) {
	v := newTV(t)
	one := v.addUser("Pat", "Paralegal")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	real := func(stdin string, args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, StdinFD: -1, Sleep: noSleep}
		code := Run(context.Background(), append(args, "--vault", v.dir, "--passphrase-stdin"), env)
		return out.String(), errb.String(), code
	}
	if _, errs, code := real(one+"\n"+patPass+"\n", "passwd", "--user", "Pat"); code != 0 {
		t.Fatalf("Pat's passwd: exit %d %q", code, errs)
	}
	_, errs, code := real(patPass+"\n", "client", "list")
	if code != 0 || !strings.Contains(errs, "Unlocking as Pat, the last user") {
		t.Errorf("client list without --user after Pat: exit %d %q", code, errs)
	}
	_, errs, code = real(testPass+"\n", "client", "list")
	if code != ExitWrongKey || !strings.Contains(errs, "This was tried as Pat") || !strings.Contains(errs, "--user NAME (the owner too)") {
		t.Errorf("the owner's passphrase as the remembered Pat: exit %d %q", code, errs)
	}
	if _, errs, code := real(testPass+"\n", "client", "list", "--user", "owner"); code != 0 {
		t.Fatalf("--user owner: exit %d %q", code, errs)
	}
	if _, errs, code := real(testPass+"\n", "client", "list"); code != 0 || strings.Contains(errs, "Unlocking as") {
		t.Errorf("after the owner's unlock: exit %d %q", code, errs)
	}
}
