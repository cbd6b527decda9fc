package app

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/app/access"
	"casevault/app/checkup"
	"casevault/store"
	"casevault/vault"
)

// fakeProbes makes the laptop's probes say what the test wants (the
// machine running the tests must not decide them).
func fakeProbes(t *testing.T, disk, screen checkup.Probe) {
	t.Helper()
	d, sc := probeDisk, probeScreen
	probeDisk = func(context.Context, string) checkup.Probe { return disk }
	probeScreen = func(context.Context) checkup.Probe { return screen }
	t.Cleanup(func() { probeDisk, probeScreen = d, sc })
}

func runCheckup(t *testing.T, s *Session) *CheckupReport {
	t.Helper()
	r, err := s.Checkup(ctx)
	if err != nil {
		t.Fatalf("Checkup: %v", err)
	}
	return r
}

func wantItem(t *testing.T, r *CheckupReport, key string, st checkup.Status, words string) *checkup.Item {
	t.Helper()
	it := r.Item(key)
	if it == nil {
		t.Fatalf("no item %s", key)
	}
	if it.Status != st || !strings.Contains(it.Found, words) {
		t.Errorf("%s: %s %q; want %s with %q", key, it.Status, it.Found, st, words)
	}
	return it
}

// TestCheckupFreshVault: a new vault with the test's cheap key
// derivation, no backup, no answers: what passes and what does not, the
// check saved and recorded.
func TestCheckupFreshVault(t *testing.T) {
	fakeProbes(t, checkup.Probe{}, checkup.Probe{})
	s, _, _ := testSession(t)
	if due, err := s.CheckupDue(ctx); err != nil || !strings.Contains(due, "No security check has been run yet") {
		t.Errorf("due before: %q %v", due, err)
	}
	if r, err := s.LastCheckup(ctx); r != nil || err != nil {
		t.Errorf("last before: %v %v", r, err)
	}
	r := runCheckup(t, s)                                      // its time: BenchmarkCheckup, at 10,000 clients
	wantItem(t, r, checkup.KeyPassphrase, checkup.OK, "rated") // Init rated it
	wantItem(t, r, checkup.KeyKDF, checkup.Attention, "8 MiB")
	wantItem(t, r, checkup.KeyRecovery, checkup.OK, "recovery key can open")
	wantItem(t, r, checkup.KeyKeyFile, checkup.Attention, "no key file")
	wantItem(t, r, checkup.KeyAutoLock, checkup.OK, "5 minutes")
	wantItem(t, r, checkup.KeyClipboard, checkup.OK, "30 seconds")
	wantItem(t, r, checkup.KeyBackup, checkup.Attention, "No backup drive is chosen")
	wantItem(t, r, checkup.KeyBackupDisk, checkup.Attention, "No backup drive")
	wantItem(t, r, checkup.KeySecond, checkup.Attention, "no second")
	wantItem(t, r, checkup.KeyDrill, checkup.Attention, "No restore drill")
	wantItem(t, r, checkup.KeyAudit, checkup.OK, "verifies")
	wantItem(t, r, checkup.KeyUsers, checkup.NA, "only user")
	wantItem(t, r, checkup.KeyDiskCrypt, checkup.Ask, "does not tell")
	wantItem(t, r, checkup.KeyScreenLock, checkup.Ask, "does not tell")
	if r.By != "tester" || r.At.IsZero() || len(r.Changes) != 0 || !r.Previous.IsZero() {
		t.Errorf("report %+v", r)
	}
	if e := lastAudit(t, s); e.Action != "checkup.run" || e.Detail != r.Summary() {
		t.Errorf("audit %s %q", e.Action, e.Detail)
	}
	last, err := s.LastCheckup(ctx)
	if err != nil || last == nil || len(last.Items) != len(r.Items) || last.Items[3] != r.Items[3] || !last.At.Equal(r.At.Truncate(time.Millisecond)) {
		t.Fatalf("last: %+v %v", last, err)
	}
	if due, err := s.CheckupDue(ctx); err != nil || due != "" {
		t.Errorf("due after: %q %v", due, err)
	}
	s.now = func() time.Time { return time.Now().Add(CheckupYearly + time.Hour) }
	if due, _ := s.CheckupDue(ctx); !strings.Contains(due, "over a year ago") {
		t.Errorf("due a year on: %q", due)
	}
}

// TestCheckupFixes: auto-lock and clipboard clearing off, then fixed with
// one click; the next check shows what changed.
func TestCheckupFixes(t *testing.T) {
	fakeProbes(t, checkup.Probe{}, checkup.Probe{})
	s, dir, _ := testSession(t)
	set := LoadSettings(dir)
	set.AutoLock, set.ClipboardClear = 0, 10*time.Minute
	if err := SaveSettings(dir, set); err != nil {
		t.Fatal(err)
	}
	r1 := runCheckup(t, s)
	wantItem(t, r1, checkup.KeyAutoLock, checkup.Attention, "never locks")
	if it := wantItem(t, r1, checkup.KeyClipboard, checkup.Attention, "10 minutes"); it.Fix != checkup.FixClipboard {
		t.Errorf("fix %q", it.Fix)
	}
	for _, k := range []string{"auto-lock", "clipboard"} {
		if err := s.FixCheckup(ctx, k); err != nil {
			t.Fatalf("fix %s: %v", k, err)
		}
		if e := lastAudit(t, s); e.Action != "checkup.fix" {
			t.Errorf("audit %s", e.Action)
		}
	}
	if got := LoadSettings(dir); got.AutoLock != 5*time.Minute || got.ClipboardClear != 30*time.Second {
		t.Errorf("settings after the fixes: %+v", got)
	}
	before := auditCount(t, s)
	for _, k := range []string{"passphrase", "drill", "nonsense", ""} {
		if err := s.FixCheckup(ctx, k); !errors.Is(err, ErrCheckupKey) || !strings.Contains(err.Error(), "verify-audit") {
			t.Errorf("fix %q: %v", k, err)
		}
	}
	if auditCount(t, s) != before {
		t.Error("a refused fix was recorded")
	}
	r2 := runCheckup(t, s)
	wantItem(t, r2, checkup.KeyAutoLock, checkup.OK, "5 minutes")
	if !r2.Previous.Equal(r1.At.Truncate(time.Millisecond)) || len(r2.Changes) != 2 ||
		r2.Changes[0] != (checkup.Change{Key: "auto-lock", Title: "Automatic lock", Was: checkup.Attention, Now: checkup.OK}) {
		t.Errorf("changes %+v (previous %v)", r2.Changes, r2.Previous)
	}
	var txt, html bytes.Buffer
	if err := r2.WriteText(&txt); err != nil || !strings.Contains(txt.String(), "Automatic lock: Needs attention, now OK") {
		t.Errorf("text: %v\n%s", err, txt.String())
	}
	if err := r2.WriteHTML(&html); err != nil || !strings.Contains(html.String(), "<td>Automatic lock</td><td>Needs attention</td><td>OK</td>") ||
		!strings.Contains(html.String(), "default-src 'none'") || strings.Contains(html.String(), "<script") {
		t.Errorf("html: %v\n%s", err, html.String())
	}
}

// TestCheckupAnswers: what the laptop does not tell is asked, answered,
// remembered with its date and asked again after a year.
func TestCheckupAnswers(t *testing.T) {
	fakeProbes(t, checkup.Probe{How: "No LUKS encryption was found under the vault's disk (sda2)"}, checkup.Probe{})
	s, _, _ := testSession(t)
	r := runCheckup(t, s)
	if it := wantItem(t, r, checkup.KeyDiskCrypt, checkup.Ask, "sda2"); it.Fix != checkup.FixAnswer {
		t.Errorf("fix %q", it.Fix)
	}
	if err := s.AnswerCheckup(ctx, "disk-encryption", true); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "checkup.answer" || !strings.Contains(e.Detail, "disk encryption: yes") {
		t.Errorf("audit %s %q", e.Action, e.Detail)
	}
	if err := s.AnswerCheckup(ctx, "screen-lock", false); err != nil {
		t.Fatal(err)
	}
	before := auditCount(t, s)
	for _, k := range []string{"auto-lock", "kdf", "Disk-Encryption", ""} {
		if err := s.AnswerCheckup(ctx, k, true); !errors.Is(err, ErrCheckupKey) || !strings.Contains(err.Error(), "screen-lock") {
			t.Errorf("answer %q: %v", k, err)
		}
	}
	if auditCount(t, s) != before {
		t.Error("a refused answer was recorded")
	}
	r = runCheckup(t, s)
	wantItem(t, r, checkup.KeyDiskCrypt, checkup.OK, "You said on ")
	wantItem(t, r, checkup.KeyScreenLock, checkup.Attention, "not so")
	if len(r.Changes) != 2 {
		t.Errorf("changes %+v", r.Changes)
	}
	s.now = func() time.Time { return time.Now().Add(checkup.AnswerValidFor + time.Hour) }
	r = runCheckup(t, s)
	wantItem(t, r, checkup.KeyDiskCrypt, checkup.Ask, "over a year ago")
	// What the laptop tells wins over an answer.
	fakeProbes(t, checkup.Probe{Known: true, On: true, How: "The vault's folder is on an encrypted disk (LUKS2 on sda3)"}, checkup.Probe{Known: true, How: "The screen lock is off"})
	r = runCheckup(t, s)
	wantItem(t, r, checkup.KeyDiskCrypt, checkup.OK, "LUKS2")
	wantItem(t, r, checkup.KeyScreenLock, checkup.Attention, "lock is off")
}

// TestCheckupPassphraseAndUnlock: the passphrase's recorded score (weak,
// unknown, strong) and the unlock's measured time.
func TestCheckupPassphraseAndUnlock(t *testing.T) {
	fakeProbes(t, checkup.Probe{}, checkup.Probe{})
	s, dir, rk := testSession(t)
	if s.unlockTook() <= 0 || s.unlock.params != testKDF {
		t.Errorf("unlock not timed: %+v", s.unlock)
	}
	s.unlock.took = 50 * time.Millisecond // as measured on an idle machine (a loaded one takes longer)
	wantItem(t, runCheckup(t, s), checkup.KeyKDF, checkup.Attention, "a guesser can try your passphrase about 20 times as fast")
	u := s.currentUser()
	err := s.st.Update(ctx, func(tx *store.Tx) error { return recordStrength(tx, u.id, []byte("password1234"), nil, s.now()) })
	if err != nil {
		t.Fatal(err)
	}
	if it := wantItem(t, runCheckup(t, s), checkup.KeyPassphrase, checkup.Attention, "rated"); it.Fix != checkup.FixPassphrase {
		t.Errorf("fix %q", it.Fix)
	}
	err = s.st.Update(ctx, func(tx *store.Tx) error { return tx.DeleteSetting(checkupStrengthSetting + "1") })
	if err != nil {
		t.Fatal(err)
	}
	wantItem(t, runCheckup(t, s), checkup.KeyPassphrase, checkup.Ask, "cannot see your passphrase")
	if err := s.AnswerCheckup(ctx, "passphrase", true); err != nil {
		t.Fatal(err)
	}
	wantItem(t, runCheckup(t, s), checkup.KeyPassphrase, checkup.OK, "You said")
	// A change of passphrase rates the new one.
	if err := s.ChangeOwnPassphrase(ctx, []byte("meadow quartz lantern fiddle"), nil); err != nil {
		t.Fatal(err)
	}
	wantItem(t, runCheckup(t, s), checkup.KeyPassphrase, checkup.OK, "rated very strong")
	s.Close(ctx)
	// The recovery key derives no Argon2id: no time to judge.
	cred, err := vault.Recovery(string(rk))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, dir, cred, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	if r.unlockTook() != 0 {
		t.Errorf("recovery unlock timed: %v", r.unlockTook())
	}
	wantItem(t, runCheckup(t, r), checkup.KeyKDF, checkup.Attention, "needs 8 MiB")
	// Scaled to the slot's settings after a change of them.
	r.unlock = unlockTiming{took: 100 * time.Millisecond, params: vault.KDFParams{Time: 1, MemoryKiB: 4 * 1024, Threads: 1}}
	if got := r.unlockTook(); got != 200*time.Millisecond {
		t.Errorf("scaled %v", got)
	}
}

// TestCheckupBackups: the backup items from the backup settings and the
// backup records.
func TestCheckupBackups(t *testing.T) {
	fakeProbes(t, checkup.Probe{}, checkup.Probe{})
	s, dir, _ := testSession(t)
	now := time.Now()
	bs := LoadBackupSettings(dir)
	bs.Target = filepath.Join(t.TempDir(), "gone") // not plugged in
	bs.RepoID = "r1"
	bs.LastBackup = now.Add(-2 * time.Hour)
	bs.LastDrill, bs.LastDrillOK = now.Add(-3*24*time.Hour), true
	if err := SaveBackupSettings(dir, bs); err != nil {
		t.Fatal(err)
	}
	record := func(repo string, at time.Time, system bool) {
		t.Helper()
		sys := 0
		if system {
			sys = 1
		}
		err := s.st.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`INSERT INTO backup_records(at, repo_id, target, system_disk, snapshot_id, audit_id) VALUES (?, ?, '/media/x', ?, ?, 1)`,
				at.UnixMilli(), repo, sys, repo+at.String())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	record("r1", now.Add(-2*time.Hour), true)
	r := runCheckup(t, s)
	wantItem(t, r, checkup.KeyBackup, checkup.OK, "today")
	wantItem(t, r, checkup.KeyBackupDisk, checkup.Attention, "own disk")
	wantItem(t, r, checkup.KeySecond, checkup.Attention, "no second")
	wantItem(t, r, checkup.KeyDrill, checkup.OK, "3 days ago")
	record("r1", now.Add(-time.Hour), false)
	record("r2", now.Add(-40*24*time.Hour), false)
	r = runCheckup(t, s)
	wantItem(t, r, checkup.KeyBackupDisk, checkup.OK, "2 backup drives are not")
	wantItem(t, r, checkup.KeySecond, checkup.Attention, "only 1 drive had a backup")
	record("r2", now.Add(-10*24*time.Hour), false)
	wantItem(t, runCheckup(t, s), checkup.KeySecond, checkup.OK, "2 drives had a backup")
	bs.LastBackup = now.Add(-9 * 24 * time.Hour)
	bs.LastDrillOK = false
	SaveBackupSettings(dir, bs)
	r = runCheckup(t, s)
	wantItem(t, r, checkup.KeyBackup, checkup.Attention, "9 days ago")
	wantItem(t, r, checkup.KeyDrill, checkup.Attention, "failed")
}

// TestCheckupAudit: a changed entry in the live trail needs attention;
// the one-click fix verifies the whole trail and the next check reports
// it.
func TestCheckupAudit(t *testing.T) {
	fakeProbes(t, checkup.Probe{}, checkup.Probe{})
	s, _, _ := testSession(t)
	if it := wantItem(t, runCheckup(t, s), checkup.KeyAudit, checkup.OK, "No full check"); it.Fix != checkup.FixVerifyAudit {
		t.Errorf("fix %q", it.Fix)
	}
	if err := s.FixCheckup(ctx, "verify-audit"); err != nil {
		t.Fatal(err)
	}
	if it := wantItem(t, runCheckup(t, s), checkup.KeyAudit, checkup.OK, "whole trail last verified on"); it.Fix != "" {
		t.Errorf("fix after a full check %q", it.Fix)
	}
	tamper(t, s, func(tx *store.Tx) error {
		_, err := tx.Exec("UPDATE audit SET detail = 'nothing happened' WHERE id = 2")
		return err
	})
	wantItem(t, runCheckup(t, s), checkup.KeyAudit, checkup.Attention, "entry 2 was changed")
	if err := s.FixCheckup(ctx, "verify-audit"); err != nil {
		t.Fatal(err)
	}
	r := runCheckup(t, s)
	wantItem(t, r, checkup.KeyAudit, checkup.Attention, "entry 2")
}

// TestCheckupUsers: other users' expired, weak and locked passphrases and
// missing key files; hidden from a user who cannot see the users (an
// attorney runs the check: backups read, but no users read).
func TestCheckupUsers(t *testing.T) {
	fakeProbes(t, checkup.Probe{}, checkup.Probe{})
	dir, _ := newTestVault(t)
	owner := openTest(t, dir)
	pass := addUser(t, owner, dir, "ann", access.AttorneyRole)
	owner = openTest(t, dir)
	wantItem(t, runCheckup(t, owner), checkup.KeyUsers, checkup.OK, "1 user besides you")
	if err := owner.SetPassPolicy(ctx, PassPolicy{MinLength: 12, LockoutAfter: 1, ExpiryDays: 30, RequireKeyFile: true}); err != nil {
		t.Fatal(err)
	}
	owner.now = func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
	for range 2 {
		if _, err := RecordUserUnlockFailure(dir, "ann", owner.now()); err != nil {
			t.Fatal(err)
		}
	}
	err := owner.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
		u, err := tx.UserByName("ann")
		if err != nil {
			return err
		}
		return recordStrength(tx, u.ID, []byte("abcdefgh1234"), nil, owner.now())
	})
	if err != nil {
		t.Fatal(err)
	}
	it := wantItem(t, runCheckup(t, owner), checkup.KeyUsers, checkup.Attention, "Expired passphrase: ann; weak passphrase when set: ann; locked out after wrong passphrases: ann; no key file")
	if it.Fix != checkup.FixUsers {
		t.Errorf("fix %q", it.Fix)
	}
	if err := owner.SetPassPolicy(ctx, DefaultPassPolicy()); err != nil {
		t.Fatal(err)
	}
	// No expiry now, and 2 wrong unlocks are free again.
	wantItem(t, runCheckup(t, owner), checkup.KeyUsers, checkup.Attention, "Weak passphrase when set: ann.")
	owner.Close(ctx)
	ResetUserUnlockFailures(dir, "ann")
	a, err := openUser(t, dir, "ann", pass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	r := runCheckup(t, a)
	wantItem(t, r, checkup.KeyUsers, checkup.NA, "owner")
	wantItem(t, r, checkup.KeyPassphrase, checkup.Attention, "rated weak") // Ann's own, as recorded above
	if r.By != "ann" {
		t.Errorf("by %q", r.By)
	}
}

func TestCheckupReportEscapes(t *testing.T) {
	r := &CheckupReport{At: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), By: "<script>x\x1b[31m", Vault: "/v",
		Items: []checkup.Item{{Key: "a", Title: "T", Status: checkup.Attention, Found: "<b>bad</b>", Advice: "do"}}}
	var h, txt bytes.Buffer
	if err := r.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.String(), "<script>") || strings.Contains(h.String(), "<b>") || strings.Contains(h.String(), "\x1b") {
		t.Errorf("not escaped:\n%s", h.String())
	}
	if err := r.WriteText(&txt); err != nil || strings.Contains(txt.String(), "\x1b") || !strings.Contains(txt.String(), "What to do: do") ||
		!strings.Contains(txt.String(), "Security check of 2026-12-03") {
		t.Errorf("text: %v\n%s", err, txt.String())
	}
}

func TestCheckupSavesEach(t *testing.T) {
	fakeProbes(t, checkup.Probe{}, checkup.Probe{})
	s, _, _ := testSession(t)
	runCheckup(t, s)
	runCheckup(t, s)
	var n int
	s.st.View(ctx, func(tx *store.Tx) error { var err error; n, err = tx.CheckupCount(); return err })
	if n != 2 {
		t.Errorf("%d checks saved", n)
	}
}
