package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/app"
)

func TestCheckupCommand(t *testing.T) {
	v := newTV(t)
	out := v.ok("checkup")
	for _, want := range []string{"Security check of ", "NEEDS ATTENTION: Unlock cost for a guesser", "Fix it now: casevault checkup --fix kdf",
		"NEEDS ATTENTION: Last backup", "What to do: Choose a backup drive", "OK: Recovery key", "casevault checkup --out FILE.html"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
	// Answers and a one-click fix first; the next check says what changed;
	// the printable page.
	set := app.LoadSettings(v.dir)
	set.AutoLock = 0
	if err := app.SaveSettings(v.dir, set); err != nil {
		t.Fatal(err)
	}
	out = v.ok("checkup")
	if !strings.Contains(out, "NEEDS ATTENTION: Automatic lock") || !strings.Contains(out, "Fix it now: casevault checkup --fix auto-lock") {
		t.Errorf("auto-lock off:\n%s", out)
	}
	page := filepath.Join(t.TempDir(), "check.html")
	out, errs, code := v.do("checkup", "--fix", "auto-lock", "--answer", "disk-encryption=yes", "--answer", "Screen-Lock=no", "--out", page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Changed since the check of ", "Automatic lock: was needs attention, now OK", "OK: This laptop's disk encryption", "You said on "} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
	if app.LoadSettings(v.dir).AutoLock == 0 {
		t.Error("--fix auto-lock did not turn it on")
	}
	b, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(b), "<h1>Security check of ") || !strings.Contains(errs, "written to "+page) {
		t.Errorf("page: %v %q", err, errs)
	}
	// An existing file is not overwritten.
	if _, errs, code := v.do("checkup", "--out", page); code != ExitError || !strings.Contains(errs, "already exists") {
		t.Errorf("existing page: %d %s", code, errs)
	}
	var rep struct {
		Items   []struct{ Key, Status string }
		Changes []struct{ Key string }
	}
	if err := json.Unmarshal([]byte(v.ok("checkup", "--json")), &rep); err != nil || len(rep.Items) != 14 || rep.Items[0].Key != "passphrase" {
		t.Errorf("json: %v %+v", err, rep)
	}
}

// TestCheckupCommandMistakes: each mistake is a usage error in words, and
// nothing is changed (no check saved).
func TestCheckupCommandMistakes(t *testing.T) {
	v := newTV(t)
	before := v.audit()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"checkup", "--answer", "disk-encryption"}, "give KEY=yes or KEY=no"},
		{[]string{"checkup", "--answer", "auto-lock=yes"}, "where KEY is disk-encryption, screen-lock, passphrase"},
		{[]string{"checkup", "--answer", "screen-lock=maybe"}, "yes or no, not \"maybe\""},
		{[]string{"checkup", "--fix", "drill"}, "--fix drill: there is no such fix"},
		{[]string{"checkup", "--out", "-"}, "--out needs a file name"},
		{[]string{"checkup", "now"}, "takes no arguments"},
	} {
		_, errs, code := v.do(c.args...)
		if code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d %q; want usage with %q", c.args, code, errs, c.want)
		}
	}
	if v.audit() != before {
		t.Error("a refused command changed the vault")
	}
}
