package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagValueMistakesInWords: a flag whose value the command checks itself
// (checkup --answer) said the flag package's `invalid value "x=maybe" for
// flag -answer: ...`, and a page written into a folder that does not exist
// said Go's "open /x/y: no such file or directory".
func TestFlagValueMistakesInWords(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	_, errs, code := v.do("checkup", "--answer", "screen-lock=maybe")
	if code != ExitUsage || !strings.Contains(errs, `--answer: the answer to screen-lock is yes or no, not "maybe"`) ||
		strings.Contains(errs, "invalid value") || strings.Contains(errs, "flag -answer") {
		t.Errorf("--answer screen-lock=maybe: exit %d\n%s", code, errs)
	}
	page := filepath.Join(t.TempDir(), "no-such-folder", "check.html")
	_, errs, code = v.do("checkup", "--out", page)
	if code == 0 || !strings.Contains(errs, "there is no folder") || strings.Contains(errs, "no such file or directory") || strings.Contains(errs, "open ") {
		t.Errorf("--out into a missing folder: exit %d\n%s", code, errs)
	}
}

// TestIncidentCloseSaysWhatIsLeft: closing an incident with steps not done
// and clients not told closed it without a word about them.
func TestIncidentCloseSaysWhatIsLeft(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	ann := v.id("client", "add", "--name", "Ann Lee")
	v.ok("incident", "new", "other")
	v.ok("incident", "clients", "1", "--set", ann)
	v.ok("incident", "done", "1", "record")
	out := v.ok("incident", "close", "1")
	if !strings.Contains(out, "Incident 1 closed.") || !strings.Contains(out, "8 of its 9 steps are not ticked as done") ||
		!strings.Contains(out, "1 client it affects was not marked as told") {
		t.Errorf("incident close with work left:\n%s", out)
	}
	v.ok("incident", "new", "other")
	if out := v.ok("incident", "close", "2"); !strings.Contains(out, "none of its 9 steps is ticked as done") || strings.Contains(out, "client") {
		t.Errorf("incident close, nothing done, no clients:\n%s", out)
	}
}

// TestDueColumnNotHolds: the due list's last column, what a matter holds
// ("1 note, 2 parties"), was headed HOLDS, on the screen whose other
// meaning of hold is a legal hold: a lawyer reads "HOLDS 1 note" as one
// legal hold.
func TestDueColumnNotHolds(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	ann := v.id("client", "add", "--name", "Ann Lee")
	m1 := v.id("matter", "add", "--client", ann, "--title", "Lee v. Smith")
	v.ok("note", "add", "--matter", m1, "--text", "called")
	v.ok("matter", "close", m1)
	pastDue(t, v, "2026-01-05")
	out := v.ok("retention", "due")
	if !strings.Contains(out, "Lee v. Smith") || strings.Contains(out, "HOLDS") || !strings.Contains(out, "CONTENTS") {
		t.Errorf("due:\n%s", out)
	}
}

// TestIncidentOpensWithOneBracket: the lost drive's "Opens with" line put
// "(nothing else: every backup is encrypted)" after the key slots' words,
// which end in brackets of their own once a passphrase was changed ("...
// (the drive keeps 1 older copy of the keys) (nothing else: ...)").
func TestIncidentOpensWithOneBracket(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Ann Lee")
	repo := filepath.Join(t.TempDir(), "usb", "casevault-backup")
	v.ok("backup", "--repo", repo)
	v.ok("incident", "new", "lost-backup", "--repo", repo)
	out := v.ok("incident", "show", "1")
	if !strings.Contains(out, ". Nothing else opens it: every backup is encrypted.") || strings.Contains(out, "(nothing else") {
		t.Errorf("incident show:\n%s", out)
	}
}
