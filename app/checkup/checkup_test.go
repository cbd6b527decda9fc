package checkup

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// good is a state in which every item is OK.
func good() Facts {
	return Facts{
		Now:       now,
		PassScore: 4, PassScoredAt: now.AddDate(0, -2, 0),
		KDFTime: 3, KDFMemoryKiB: 256 << 10, UnlockTook: 900 * time.Millisecond, WantMemoryKiB: 256 << 10, WantUnlock: time.Second,
		RecoveryKey: true,
		KeyFile:     true,
		AutoLock:    5 * time.Minute, ClipboardClear: 30 * time.Second,
		BackupTarget: true, LastBackup: now.Add(-26 * time.Hour), RemindAfterDays: 7,
		DrivesKnown: 2, OffSystemDrives: 2, DrivesRecent: 2,
		LastDrill: now.AddDate(0, 0, -3), LastDrillOK: true, DrillEveryDays: 30,
		AuditOK: true, AuditChecked: 120, LastFullVerify: now.AddDate(0, 0, -10), FullVerifyOK: true, FullVerifyFound: true,
		UsersVisible: true, OtherUsers: 2,
		DiskProbe:   Probe{Known: true, On: true, How: "The vault's folder is on a LUKS-encrypted disk"},
		ScreenProbe: Probe{Known: true, On: true, How: "The screen locks (GNOME)"},
	}
}

func item(t *testing.T, f Facts, key string) Item {
	t.Helper()
	for _, it := range Evaluate(f) {
		if it.Key == key {
			return it
		}
	}
	t.Fatalf("no item %q", key)
	return Item{}
}

func TestAllGood(t *testing.T) {
	items := Evaluate(good())
	if len(items) != len(Keys()) {
		t.Fatalf("%d items, want %d", len(items), len(Keys()))
	}
	for i, it := range items {
		if it.Key != Keys()[i] || it.Title == "" || it.Title == it.Key {
			t.Errorf("item %d: key %q title %q", i, it.Key, it.Title)
		}
		if it.Status != OK {
			t.Errorf("%s: %s (%s) want ok", it.Key, it.Status, it.Found)
		}
		if it.Found == "" || !strings.HasSuffix(it.Found, ".") {
			t.Errorf("%s: found %q: want a sentence", it.Key, it.Found)
		}
	}
	if s := Summary(items); s != "14 OK" {
		t.Errorf("summary %q", s)
	}
}

// TestEachItemFails: for every item, the state that makes it fail (and
// only it: the rest stays good), with the status, words and fix expected.
func TestEachItemFails(t *testing.T) {
	cases := []struct {
		name   string
		key    string
		change func(f *Facts)
		want   Status
		fix    Fix
		words  string // in Found
	}{
		{"weak passphrase", KeyPassphrase, func(f *Facts) { f.PassScore = 1 }, Attention, FixPassphrase, "rated weak"},
		{"fair passphrase", KeyPassphrase, func(f *Facts) { f.PassScore = 2 }, Attention, FixPassphrase, "rated fair"},
		{"passphrase never rated", KeyPassphrase, func(f *Facts) { f.PassScore = -1 }, Ask, FixAnswer, "cannot see your passphrase"},
		{"passphrase answered no", KeyPassphrase, func(f *Facts) { f.PassScore = -1; f.PassAnswer = &Answer{Yes: false, At: now.AddDate(0, -1, 0)} }, Attention, FixPassphrase, "short or used elsewhere"},
		{"passphrase answer a year old", KeyPassphrase, func(f *Facts) { f.PassScore = -1; f.PassAnswer = &Answer{Yes: true, At: now.AddDate(-1, 0, -1)} }, Ask, FixAnswer, "over a year ago"},
		{"fast unlock", KeyKDF, func(f *Facts) { f.UnlockTook = 100 * time.Millisecond }, Attention, FixKDF, "about 1 tenth of a second"},
		{"little memory", KeyKDF, func(f *Facts) { f.KDFMemoryKiB = 64 << 10 }, Attention, FixKDF, "needs 64 MiB"},
		{"cheap settings, not timed", KeyKDF, func(f *Facts) { f.KDFMemoryKiB = 8 << 10; f.UnlockTook = 0 }, Attention, FixKDF, "needs 8 MiB of memory; casevault now uses at least 256 MiB"},
		{"not timed", KeyKDF, func(f *Facts) { f.UnlockTook = 0 }, NA, FixNone, "cannot tell"},
		{"no recovery key", KeyRecovery, func(f *Facts) { f.RecoveryKey = false }, Attention, FixRecovery, "no recovery key"},
		{"no key file", KeyKeyFile, func(f *Facts) { f.KeyFile = false }, Attention, FixKeyFile, "not a fault"},
		{"never locks", KeyAutoLock, func(f *Facts) { f.AutoLock = 0 }, Attention, FixAutoLock, "never locks"},
		{"locks late", KeyAutoLock, func(f *Facts) { f.AutoLock = 30 * time.Minute }, Attention, FixAutoLock, "30 minutes"},
		{"clipboard kept", KeyClipboard, func(f *Facts) { f.ClipboardClear = 0 }, Attention, FixClipboard, "stays on the clipboard"},
		{"clipboard long", KeyClipboard, func(f *Facts) { f.ClipboardClear = 10 * time.Minute }, Attention, FixClipboard, "10 minutes"},
		{"no backup drive", KeyBackup, func(f *Facts) { f.BackupTarget = false; f.LastBackup = time.Time{} }, Attention, FixBackup, "No backup drive"},
		{"no backup yet", KeyBackup, func(f *Facts) { f.LastBackup = time.Time{} }, Attention, FixBackup, "No backup has been made"},
		{"old backup", KeyBackup, func(f *Facts) { f.LastBackup = now.AddDate(0, 0, -8) }, Attention, FixBackup, "8 days ago"},
		{"no drive known", KeyBackupDisk, func(f *Facts) { f.DrivesKnown, f.OffSystemDrives = 0, 0 }, Attention, FixBackup, "No backup drive"},
		{"backups on the laptop", KeyBackupDisk, func(f *Facts) { f.OffSystemDrives = 0 }, Attention, FixBackup, "own disk"},
		{"target on the laptop", KeyBackupDisk, func(f *Facts) { f.TargetOnSystem = true }, Attention, FixBackup, "chosen backup folder"},
		{"one drive", KeySecond, func(f *Facts) { f.DrivesKnown, f.DrivesRecent = 1, 1 }, Attention, FixSecondDrive, "no second backup drive"},
		{"second drive not rotated", KeySecond, func(f *Facts) { f.DrivesRecent = 1 }, Attention, FixSecondDrive, "only 1 drive had a backup"},
		{"no drill", KeyDrill, func(f *Facts) { f.LastDrill = time.Time{} }, Attention, FixDrill, "No restore drill"},
		{"failed drill", KeyDrill, func(f *Facts) { f.LastDrillOK = false }, Attention, FixDrill, "failed"},
		{"old drill", KeyDrill, func(f *Facts) { f.LastDrill = now.AddDate(0, 0, -31) }, Attention, FixDrill, "every 30 days"},
		{"broken trail", KeyAudit, func(f *Facts) { f.AuditOK, f.AuditProblem = false, "entry 7 was changed after it was written" }, Attention, FixVerifyAudit, "entry 7 was changed"},
		{"full check failed", KeyAudit, func(f *Facts) { f.FullVerifyOK = false }, Attention, FixVerifyAudit, "found it broken"},
		{"expired user", KeyUsers, func(f *Facts) { f.Expired = []string{"ann"} }, Attention, FixUsers, "Expired passphrase: ann"},
		{"weak users", KeyUsers, func(f *Facts) { f.Weak = []string{"ann", "bob", "cy"} }, Attention, FixUsers, "ann, bob and cy"},
		{"locked user", KeyUsers, func(f *Facts) { f.Locked = []string{"bob"} }, Attention, FixUsers, "Locked out"},
		{"user without key file", KeyUsers, func(f *Facts) { f.RequireKeyFile, f.NoKeyFile = true, []string{"cy"} }, Attention, FixUsers, "No key file"},
		{"users hidden", KeyUsers, func(f *Facts) { f.UsersVisible = false }, NA, FixNone, "owner"},
		{"only user", KeyUsers, func(f *Facts) { f.OtherUsers = 0 }, NA, FixNone, "only user"},
		{"disk not encrypted", KeyDiskCrypt, func(f *Facts) { f.DiskProbe = Probe{Known: true, How: "FileVault is off"} }, Attention, FixNone, "FileVault is off"},
		{"disk unknown", KeyDiskCrypt, func(f *Facts) { f.DiskProbe = Probe{} }, Ask, FixAnswer, "does not tell"},
		{"disk answered no", KeyDiskCrypt, func(f *Facts) { f.DiskProbe = Probe{}; f.DiskAnswer = &Answer{At: now.AddDate(0, -3, 0), By: "ann"} }, Attention, FixNone, "(ann)"},
		{"disk answer too old", KeyDiskCrypt, func(f *Facts) { f.DiskProbe = Probe{}; f.DiskAnswer = &Answer{Yes: true, At: now.AddDate(-1, 0, -1)} }, Ask, FixAnswer, "over a year ago"},
		{"screen never locks", KeyScreenLock, func(f *Facts) { f.ScreenProbe = Probe{Known: true, How: "The screen lock is off (GNOME)"} }, Attention, FixNone, "lock is off"},
		{"screen unknown", KeyScreenLock, func(f *Facts) { f.ScreenProbe = Probe{} }, Ask, FixAnswer, "whether the screen locks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := good()
			c.change(&f)
			items := Evaluate(f)
			for _, it := range items {
				if it.Key != c.key {
					if it.Status != OK {
						t.Errorf("%s changed too: %s (%s)", it.Key, it.Status, it.Found)
					}
					continue
				}
				if it.Status != c.want || it.Fix != c.fix || !strings.Contains(it.Found, c.words) {
					t.Errorf("got %s fix %q %q; want %s fix %q with %q", it.Status, it.Fix, it.Found, c.want, c.fix, c.words)
				}
				if it.Status != OK && it.Advice == "" && it.Status != NA {
					t.Errorf("no advice for %s", it.Status)
				}
				if it.Fix == FixAnswer && !Answerable(it.Key) {
					t.Errorf("asks, but %s cannot be answered", it.Key)
				}
			}
		})
	}
}

// TestPassWhenAnswered: the answers that make the ask items pass.
func TestPassWhenAnswered(t *testing.T) {
	f := good()
	f.PassScore = -1
	f.PassAnswer = &Answer{Yes: true, At: now.AddDate(0, -11, 0)}
	f.DiskProbe = Probe{How: "No encryption was found under the vault's folder"}
	f.DiskAnswer = &Answer{Yes: true, At: now.AddDate(0, -1, 0), By: "owner"}
	f.ScreenProbe = Probe{}
	f.ScreenAnswer = &Answer{Yes: true, At: now}
	for _, k := range []string{KeyPassphrase, KeyDiskCrypt, KeyScreenLock} {
		it := item(t, f, k)
		if it.Status != OK || !strings.Contains(it.Found, "You said on ") {
			t.Errorf("%s: %s %q", k, it.Status, it.Found)
		}
	}
	// The probe, when it knows, wins over an answer.
	f.DiskProbe = Probe{Known: true, How: "FileVault is off"}
	if it := item(t, f, KeyDiskCrypt); it.Status != Attention {
		t.Errorf("probe off, answered yes: %s", it.Status)
	}
}

func TestAuditNeverFullyVerified(t *testing.T) {
	f := good()
	f.FullVerifyFound = false
	it := item(t, f, KeyAudit)
	if it.Status != OK || it.Fix != FixVerifyAudit || !strings.Contains(it.Found, "No full check") {
		t.Errorf("%+v", it)
	}
	f = good()
	f.LastFullVerify = now.AddDate(0, -4, 0)
	if it := item(t, f, KeyAudit); it.Status != OK || it.Fix != FixVerifyAudit {
		t.Errorf("old full check: %+v", it)
	}
	if it := item(t, good(), KeyAudit); it.Fix != FixNone {
		t.Errorf("recent full check offers %q", it.Fix)
	}
}

func TestDiff(t *testing.T) {
	prev := Evaluate(good())
	f := good()
	f.AutoLock = 0
	f.KeyFile = false
	cur := Evaluate(f)
	ch := Diff(prev, cur)
	if len(ch) != 2 || ch[0].Key != KeyKeyFile || ch[1].Key != KeyAutoLock || ch[1].Was != OK || ch[1].Now != Attention || ch[1].Title != "Automatic lock" {
		t.Fatalf("%+v", ch)
	}
	if ch := Diff(cur, cur); len(ch) != 0 {
		t.Errorf("no change: %+v", ch)
	}
	if ch := Diff(nil, cur[:1]); len(ch) != 1 || ch[0].Was != "" {
		t.Errorf("first check: %+v", ch)
	}
	if s := Summary(cur); s != "12 OK, 2 need attention" {
		t.Errorf("summary %q", s)
	}
	f.DiskProbe = Probe{}
	f.OtherUsers = 0
	if s := Summary(Evaluate(f)); s != "10 OK, 2 need attention, 1 to answer, 1 not applying" {
		t.Errorf("summary %q", s)
	}
}

func TestTenths(t *testing.T) {
	for d, want := range map[time.Duration]string{
		20 * time.Millisecond:   "less than a tenth of a second",
		140 * time.Millisecond:  "about 1 tenth of a second",
		460 * time.Millisecond:  "about 5 tenths of a second",
		1000 * time.Millisecond: "about a second",
		1400 * time.Millisecond: "about 1 second",
		3 * time.Second:         "3 seconds",
	} {
		if got := tenths(d); got != want {
			t.Errorf("%v: %q want %q", d, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	if !FixAutoLock.OneClick() || !FixVerifyAudit.OneClick() || FixKDF.OneClick() {
		t.Error("OneClick")
	}
	for _, k := range Keys() {
		if Answerable(k) != (Question(k) != "") {
			t.Errorf("%s: answerable %v question %q", k, Answerable(k), Question(k))
		}
	}
	for _, s := range []Status{OK, Attention, Ask, NA} {
		if s.Label() == string(s) {
			t.Errorf("%s has no label", s)
		}
	}
}
