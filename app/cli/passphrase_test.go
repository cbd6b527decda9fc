package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runTries is run with new passphrases asked for up to tries times from
// standard input, as at a terminal.
func runTries(t *testing.T, tries int, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, StdinFD: -1, Sleep: noSleep, StateDir: t.TempDir(), passTries: tries}
	code := Run(context.Background(), args, env)
	return out.String(), errb.String(), code
}

// TestInitReasksOnlyTheWeakPassphrase: a weak passphrase at init is
// refused with the reason and asked for again, and the vault is made with
// the next one; nothing else is asked again. Three weak ones end init with
// nothing made; from a script (one try) the first is final.
func TestInitReasksOnlyTheWeakPassphrase(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(scratchDir(t), "vault")
	out, errs, code := runTries(t, 3, "password123\n"+testPass+"\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
	if code != 0 {
		t.Fatalf("init with a weak, then a good passphrase: exit %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "This passphrase cannot protect client files") || !strings.Contains(errs, "Choose another one (try 2 of 3)") {
		t.Errorf("the weak passphrase was not refused in words:\n%s", errs)
	}
	v := &tv{t: t, dir: dir, rk: recoveryRE.FindString(out)}
	v.ok("status")

	dir2 := filepath.Join(scratchDir(t), "vault")
	_, errs, code = runTries(t, 3, "password123\nqwerty\nabc\n"+testPass+"\n", "init", "--vault", dir2, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
	if code == 0 || !strings.Contains(errs, "Nothing was created") || strings.Count(errs, "cannot protect client files") != 3 {
		t.Errorf("three weak passphrases: exit %d\n%s", code, errs)
	}
	if _, _, code := (&tv{t: t, dir: dir2}).do("status"); code == 0 {
		t.Error("a vault was made after three weak passphrases")
	}
	_, errs, code = run(t, "password123\n"+testPass+"\n", "init", "--vault", dir2, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
	if code == 0 || strings.Contains(errs, "Choose another one") {
		t.Errorf("a script's weak passphrase: exit %d\n%s", code, errs)
	}
}

// TestInitRecoveryHintWorks: the command init names for a forgotten
// passphrase runs, with the recovery key, and sets a new passphrase.
func TestInitRecoveryHintWorks(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(scratchDir(t), "my vault")
	out, errs, code := run(t, testPass+"\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
	if code != 0 {
		t.Fatalf("init: exit %d %s", code, errs)
	}
	rk := recoveryRE.FindString(out)
	m := regexp.MustCompile(`\n +casevault (passwd --recovery[^\n]*)\n`).FindStringSubmatch(out)
	if m == nil || rk == "" {
		t.Fatalf("init names no command for a forgotten passphrase:\n%s", out)
	}
	hint := shellWords(t, m[1])
	if !strings.Contains(m[1], "--vault '"+dir+"'") && !strings.Contains(m[1], "--vault \""+dir+"\"") {
		t.Errorf("the hint does not name this vault: %q", m[1])
	}
	const newPass = "copper lantern tidal orchard"
	if out, errs, code := run(t, rk+"\n"+newPass+"\n", append(hint, "--passphrase-stdin")...); code != 0 || !strings.Contains(out, "Passphrase changed") {
		t.Fatalf("%v: exit %d\n%s%s", hint, code, out, errs)
	}
	v := &tv{t: t, dir: dir}
	if _, errs, code := v.with(newPass+"\n", "status"); code != 0 {
		t.Errorf("the new passphrase: exit %d %s", code, errs)
	}
}

// TestPasswdRefusesCurrentPassphrase: passwd refuses the passphrase the
// user has now in words, changes nothing, and at a terminal asks again.
func TestPasswdRefusesCurrentPassphrase(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	_, errs, code := v.with(testPass+"\n"+testPass+"\n", "passwd")
	if code == 0 || !strings.Contains(errs, "This is the passphrase you have now: choose a new one. The passphrase was not changed.") {
		t.Fatalf("passwd to the same passphrase: exit %d\n%s", code, errs)
	}
	const newPass = "copper lantern tidal orchard"
	out, errs, code := runTries(t, 3, testPass+"\n"+testPass+"\n"+newPass+"\n", "passwd", "--vault", v.dir, "--passphrase-stdin")
	if code != 0 || !strings.Contains(errs, "This is the passphrase you have now: choose a new one.\nChoose another one (try 2 of 3)") ||
		!strings.Contains(out, "Passphrase changed") {
		t.Fatalf("passwd, the same one then another: exit %d\n%s%s", code, out, errs)
	}
	if _, _, code := v.do("status"); code == 0 {
		t.Error("the old passphrase still opens the vault")
	}
	if _, errs, code := v.with(newPass+"\n", "status"); code != 0 {
		t.Errorf("the new passphrase: exit %d %s", code, errs)
	}
	// A weak one is refused before it is asked for twice.
	_, errs, code = runTries(t, 3, newPass+"\nshort\n"+testPass+"\n", "passwd", "--vault", v.dir, "--passphrase-stdin")
	if code != 0 || !strings.Contains(errs, "cannot protect client files") {
		t.Errorf("passwd, a weak one then a good one: exit %d\n%s", code, errs)
	}
}
