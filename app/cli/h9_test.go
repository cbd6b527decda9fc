package cli

import (
	"regexp"
	"strings"
	"testing"

	"casevault/app/access"
)

// TestH9Wording: what h7 read in the CLI's words after issue 10. A hidden
// conflict hit shows no client (not "0"); "client N" is said once; the
// passphrase rule's sentence ends with one full stop; a role that may not
// change the key is refused before "this can take a while"; init's --user
// names the owner.
func TestH9Wording(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	c := v.id("client", "add", "--name", "Garnet Holloway")
	m := v.id("matter", "add", "--client", c, "--title", "Holloway lease", "--adverse", "Thaddeus Vornholt")
	hidden := v.id("client", "add", "--name", "Quill Estate")
	olga := addCLIUser(t, v, "olga", access.AttorneyRole)
	pat := addCLIUser(t, v, "pat", access.ParalegalRole)
	v.ok("matter", "wall", m, "--users", "olga") // olga is walled off
	v.ok("client", "restrict", hidden, "--users", "pat")

	out, errs, code := v.as(olga, "conflicts", "Thaddeus Vornholt")
	if code != 0 || !strings.Contains(out, "restricted") {
		t.Fatalf("olga's conflict check: exit %d\n%s%s", code, out, errs)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "restricted") && regexp.MustCompile(`(^|\s)0(\s|$)`).MatchString(line) {
			t.Errorf("a hidden hit shows client 0: %q", line)
		}
	}

	_, errs, code = v.as(olga, "report", "access", hidden)
	if code == 0 || strings.Contains(errs, "client "+hidden+": client "+hidden) {
		t.Errorf("report access on a hidden client: exit %d: %s", code, errs)
	}

	_, errs, code = v.as(pat, "key", "change")
	if code != ExitDenied || strings.Contains(errs, "take a while") {
		t.Errorf("key change by a paralegal: exit %d: %s", code, errs)
	}
	_, errs, code = v.as(pat, "user", "remove", "olga", "--change-key")
	if code != ExitDenied || strings.Contains(errs, "take a while") {
		t.Errorf("user remove --change-key by a paralegal: exit %d: %s", code, errs)
	}

	_, errs, code = v.with(olga.pass+"\nolga winter lantern orbit velvet\nolga winter lantern orbit velvet\n", "--user", "olga", "passwd")
	if code == 0 || !strings.Contains(errs, "name out") || strings.Contains(errs, "..") {
		t.Errorf("passwd with the user's name in it: exit %d: %s", code, errs)
	}

	out, errs, _ = run(t, "", "init", "--help")
	if strings.Contains(out+errs, "unlock as this user") || !strings.Contains(out+errs, "owner's user name") {
		t.Errorf("init --help on --user:\n%s%s", out, errs)
	}
}

// TestH9BackupAfterKeyChangeNotDamaged: a backup to a repository made
// before a key change is refused (exit 1, not 4) without saying its config
// is damaged: it is keyed by the old key.
func TestH9BackupAfterKeyChangeNotDamaged(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Garnet Holloway")
	repo := t.TempDir() + "/b"
	v.ok("backup", "--repo", repo)
	v.ok("key", "change")
	_, errs, code := v.do("backup", "--repo", repo)
	if code != ExitError || !strings.Contains(errs, "before the vault key was changed") || strings.Contains(errs, "damaged") {
		t.Errorf("backup to the old repository: exit %d: %s", code, errs)
	}
}

// TestH9UserBackupThroughVault: with the vault there, a user's backup
// commands go through the vault, so the role decides: an Attorney
// (backups:edit) forgets, a Paralegal is refused (exit 6).
func TestH9UserBackupThroughVault(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Garnet Holloway")
	olga := addCLIUser(t, v, "olga", access.AttorneyRole)
	pat := addCLIUser(t, v, "pat", access.ParalegalRole)
	repo := t.TempDir() + "/b"
	v.ok("backup", "--repo", repo)
	v.ok("backup", "--repo", repo)
	before := v.audit()
	if _, errs, code := v.as(pat, "forget", "--repo", repo, "--keep-last", "1"); code != ExitDenied {
		t.Errorf("a paralegal's forget: exit %d: %s", code, errs)
	}
	if n := v.audit(); n <= before {
		t.Errorf("the paralegal's refusal is not in the audit trail (%d entries, %d before)", n, before)
	}
	before = v.audit()
	if out, errs, code := v.as(olga, "forget", "--repo", repo, "--keep-last", "1"); code != 0 {
		t.Errorf("an attorney's forget: exit %d: %s%s", code, out, errs)
	}
	if n := v.audit(); n <= before {
		t.Errorf("the attorney's forget is not in the audit trail (%d entries, %d before)", n, before)
	}
}
