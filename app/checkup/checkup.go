// Package checkup is the security check's judgement: from the facts that
// app gathers about the vault, this laptop and its backups (Facts), it says
// for each item whether it is OK, needs attention or needs the person's
// answer, what was found and what to do (Evaluate), and what changed since
// the last check (Diff). It is pure: no database, no keys, no clock of its
// own (Facts.Now), so each item is tested with the facts that make it fail
// and those that make it pass.
package checkup

import (
	"fmt"
	"strings"
	"time"

	"casevault/app/human"
)

// Status is an item's verdict.
type Status string

// The statuses.
const (
	OK        Status = "ok"        // nothing to do
	Attention Status = "attention" // needs attention: Advice says what to do
	Ask       Status = "ask"       // the program cannot tell: the person answers (Answerable)
	NA        Status = "n/a"       // does not apply here (or cannot be checked by this user)
)

// Label is the status in words, for a report.
func (s Status) Label() string {
	switch s {
	case OK:
		return "OK"
	case Attention:
		return "Needs attention"
	case Ask:
		return "Please answer"
	case NA:
		return "Does not apply"
	}
	return string(s)
}

// Fix is what the window and the command line offer to put an item right:
// "" none; a one-click fix (FixAutoLock, FixClipboard, FixVerifyAudit);
// or the screen where the person does it.
type Fix string

// The fixes.
const (
	FixNone        Fix = ""
	FixAutoLock    Fix = "auto-lock"    // one click: lock after 5 minutes idle
	FixClipboard   Fix = "clipboard"    // one click: clear copied client data after 30 seconds
	FixVerifyAudit Fix = "verify-audit" // one click: verify the whole audit trail
	FixPassphrase  Fix = "passphrase"   // Settings: change the passphrase
	FixKDF         Fix = "kdf"          // change the passphrase with settings measured on this laptop today
	FixRecovery    Fix = "recovery"     // Users: change the vault key, which makes a new recovery key
	FixKeyFile     Fix = "key-file"     // Settings: change the passphrase with a key file
	FixBackup      Fix = "backup"       // Backups: choose a drive, back up now
	FixSecondDrive Fix = "second-drive" // Backups: a second drive
	FixDrill       Fix = "drill"        // Backups: run a restore drill
	FixUsers       Fix = "users"        // Users
	FixAnswer      Fix = "answer"       // answer the question (AnswerCheckup)
)

// OneClick reports whether the fix is done by the program at once
// (FixCheckup), not on another screen.
func (f Fix) OneClick() bool { return f == FixAutoLock || f == FixClipboard || f == FixVerifyAudit }

// The item keys, in the order of the report.
const (
	KeyPassphrase = "passphrase"
	KeyKDF        = "kdf"
	KeyRecovery   = "recovery"
	KeyKeyFile    = "key-file"
	KeyAutoLock   = "auto-lock"
	KeyClipboard  = "clipboard"
	KeyBackup     = "backup"
	KeyBackupDisk = "backup-drive"
	KeySecond     = "second-drive"
	KeyDrill      = "drill"
	KeyAudit      = "audit"
	KeyUsers      = "users"
	KeyDiskCrypt  = "disk-encryption"
	KeyScreenLock = "screen-lock"
)

// Keys lists the item keys in report order.
func Keys() []string {
	return []string{KeyPassphrase, KeyKDF, KeyRecovery, KeyKeyFile, KeyAutoLock, KeyClipboard, KeyBackup, KeyBackupDisk,
		KeySecond, KeyDrill, KeyAudit, KeyUsers, KeyDiskCrypt, KeyScreenLock}
}

// Answerable reports whether the person can answer the item's question
// (AnswerCheckup): what the program cannot see for itself.
func Answerable(key string) bool {
	return key == KeyDiskCrypt || key == KeyScreenLock || key == KeyPassphrase
}

// Question is the yes/no question of an answerable item.
func Question(key string) string {
	switch key {
	case KeyDiskCrypt:
		return "Is this laptop's own disk encrypted (FileVault on a Mac, BitLocker or Device Encryption on Windows, LUKS on Linux)?"
	case KeyScreenLock:
		return "Does this laptop lock its screen after a few minutes without use, and ask for your password to unlock?"
	case KeyPassphrase:
		return "Is your passphrase at least four random words or 12 characters, and used for nothing else?"
	}
	return ""
}

// Title is the item's name in the report.
func Title(key string) string {
	switch key {
	case KeyPassphrase:
		return "Passphrase strength"
	case KeyKDF:
		return "Unlock cost for a guesser"
	case KeyRecovery:
		return "Recovery key"
	case KeyKeyFile:
		return "Key file (second factor)"
	case KeyAutoLock:
		return "Automatic lock"
	case KeyClipboard:
		return "Clipboard clearing"
	case KeyBackup:
		return "Last backup"
	case KeyBackupDisk:
		return "Backup drive separate from this laptop"
	case KeySecond:
		return "Second backup drive"
	case KeyDrill:
		return "Restore drill"
	case KeyAudit:
		return "Audit trail intact"
	case KeyUsers:
		return "Users' passphrases and lockouts"
	case KeyDiskCrypt:
		return "This laptop's disk encryption"
	case KeyScreenLock:
		return "This laptop's screen lock"
	}
	return key
}

// Item is one line of the check.
type Item struct {
	Key    string `json:"key"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	Found  string `json:"found"`            // what the check found, in a sentence or two
	Advice string `json:"advice,omitempty"` // what to do ("" when nothing)
	Fix    Fix    `json:"fix,omitempty"`
}

// Change is an item whose status differs from the last check's.
type Change struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Was   Status `json:"was"` // "" when the last check did not have the item
	Now   Status `json:"now"`
}

// Diff returns the items of now whose status differs from prev's, in now's
// order. An item the last check did not have is a change from "".
func Diff(prev, now []Item) []Change {
	was := make(map[string]Status, len(prev))
	for _, it := range prev {
		was[it.Key] = it.Status
	}
	var out []Change
	for _, it := range now {
		if w := was[it.Key]; w != it.Status {
			out = append(out, Change{Key: it.Key, Title: it.Title, Was: w, Now: it.Status})
		}
	}
	return out
}

// Counts is how many items have each status.
func Counts(items []Item) map[Status]int {
	m := map[Status]int{}
	for _, it := range items {
		m[it.Status]++
	}
	return m
}

// Summary is the check in one sentence: "12 OK, 2 need attention, 1 to
// answer".
func Summary(items []Item) string {
	c := Counts(items)
	parts := []string{fmt.Sprintf("%d OK", c[OK])}
	if n := c[Attention]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s attention", n, map[bool]string{true: "needs", false: "need"}[n == 1]))
	}
	if n := c[Ask]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d to answer", n))
	}
	if n := c[NA]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d not applying", n))
	}
	return strings.Join(parts, ", ")
}

// Answer is what the person said to an answerable item.
type Answer struct {
	Yes bool      `json:"yes"`
	At  time.Time `json:"at"`
	By  string    `json:"by"`
}

// AnswerValidFor is how long an answer stands: after a year, the check
// asks again.
const AnswerValidFor = 365 * 24 * time.Hour

// Probe is what the program could find out for itself about the laptop.
type Probe struct {
	Known bool   // the platform told
	On    bool   // encrypted / locks
	How   string // what told it, in words ("LUKS encryption under the vault's folder", "FileVault is on")
}

// Facts is everything the check judges, gathered by app from the live
// state without running a drill, a calibration or a restore.
type Facts struct {
	Now time.Time

	// The session user's passphrase: its strength score (0..4, as
	// app/policy.Strength) when the vault recorded one (at the vault's
	// creation or the last change), else PassScore < 0.
	PassScore    int
	PassScoredAt time.Time
	PassAnswer   *Answer

	// The key derivation of the slot that unlocked, and how long this
	// session's unlock took on this laptop (0: not measured, e.g. the
	// recovery key opened it).
	KDFTime       uint32
	KDFMemoryKiB  uint32
	UnlockTook    time.Duration
	WantMemoryKiB uint32        // what casevault uses today (256 MiB)
	WantUnlock    time.Duration // what calibration aims for (1 s)

	RecoveryKey bool      // a recovery key slot is in the header
	KeyChanged  time.Time // when the vault key was last changed (zero: never)

	KeyFile bool // the session user's slot needs a key file

	AutoLock       time.Duration // 0 = never
	ClipboardClear time.Duration // 0 = never

	BackupTarget    bool // a backup drive was chosen
	LastBackup      time.Time
	RemindAfterDays int
	// Drives: the backup drives the vault knows (its backup records and
	// the chosen one).
	DrivesKnown     int
	OffSystemDrives int // of them, those not on this laptop's own disk
	TargetOnSystem  bool
	DrivesRecent    int // drives with a backup in the last 30 days
	LastDrill       time.Time
	LastDrillOK     bool
	DrillEveryDays  int

	AuditOK         bool   // the recent part of the trail verifies
	AuditProblem    string // what is wrong, when not AuditOK
	AuditChecked    int    // entries checked now
	LastFullVerify  time.Time
	FullVerifyOK    bool
	FullVerifyFound bool // a full verification is recorded

	// Users besides the owner (only when UsersVisible).
	UsersVisible   bool
	OtherUsers     int
	Expired        []string
	Weak           []string
	Locked         []string
	NoKeyFile      []string // when RequireKeyFile
	RequireKeyFile bool

	DiskProbe    Probe
	DiskAnswer   *Answer
	ScreenProbe  Probe
	ScreenAnswer *Answer
}

// Evaluate judges every item, in Keys order.
func Evaluate(f Facts) []Item {
	out := make([]Item, 0, len(Keys()))
	for _, k := range Keys() {
		it := Item{Key: k, Title: Title(k)}
		switch k {
		case KeyPassphrase:
			passphrase(f, &it)
		case KeyKDF:
			kdf(f, &it)
		case KeyRecovery:
			recovery(f, &it)
		case KeyKeyFile:
			keyFile(f, &it)
		case KeyAutoLock:
			autoLock(f, &it)
		case KeyClipboard:
			clipboard(f, &it)
		case KeyBackup:
			lastBackup(f, &it)
		case KeyBackupDisk:
			backupDisk(f, &it)
		case KeySecond:
			secondDrive(f, &it)
		case KeyDrill:
			drill(f, &it)
		case KeyAudit:
			audit(f, &it)
		case KeyUsers:
			users(f, &it)
		case KeyDiskCrypt:
			probed(f, &it, f.DiskProbe, f.DiskAnswer,
				"Turn on the disk encryption of this laptop: FileVault (Mac: System Settings → Privacy & Security), BitLocker or Device Encryption (Windows: Settings → Privacy & security), or install Linux with an encrypted disk (LUKS). The vault is encrypted either way, but copies of opened documents, printouts and other files on the disk are not.")
		case KeyScreenLock:
			probed(f, &it, f.ScreenProbe, f.ScreenAnswer,
				"Make the laptop lock its screen after a few minutes without use and ask for your password (Mac: Lock Screen settings; Windows: Sign-in options → Dynamic lock and screen saver; Linux: Privacy → Screen lock).")
		}
		out = append(out, it)
	}
	return out
}

func set(it *Item, st Status, found, advice string, fix Fix) {
	it.Status, it.Found, it.Advice, it.Fix = st, found, advice, fix
}

// current reports whether an answer stands at now (given less than a year
// ago).
func current(a *Answer, now time.Time) bool { return a != nil && now.Sub(a.At) < AnswerValidFor }

func saidOn(a *Answer) string {
	who := ""
	if a.By != "" {
		who = " (" + a.By + ")"
	}
	return "on " + human.Date(a.At) + who
}

func passphrase(f Facts, it *Item) {
	const change = "Choose a longer passphrase (Settings → Change passphrase, or casevault passwd): four or more random words are strong and easy to type."
	switch {
	case f.PassScore >= 3:
		set(it, OK, fmt.Sprintf("Your passphrase was rated %s when it was set (%s).", scoreLabel(f.PassScore), human.Date(f.PassScoredAt)), "", FixNone)
	case f.PassScore >= 0:
		set(it, Attention, fmt.Sprintf("Your passphrase was rated %s when it was set (%s): a guesser with a copy of the vault could find it.", scoreLabel(f.PassScore), human.Date(f.PassScoredAt)),
			change, FixPassphrase)
	case current(f.PassAnswer, f.Now) && f.PassAnswer.Yes:
		set(it, OK, "You said "+saidOn(f.PassAnswer)+" that your passphrase is long and used nowhere else. The check cannot see the passphrase itself; it rates one when you next change it.", "", FixNone)
	case current(f.PassAnswer, f.Now):
		set(it, Attention, "You said "+saidOn(f.PassAnswer)+" that your passphrase is short or used elsewhere.", change, FixPassphrase)
	default:
		found := "The check cannot see your passphrase, and this vault has not rated it (it rates a passphrase when it is set)."
		if f.PassAnswer != nil {
			found = "You answered " + saidOn(f.PassAnswer) + ", over a year ago: is it still so? " + found
		}
		set(it, Ask, found, "Answer the question, or change your passphrase once (Settings → Change passphrase, or casevault passwd) so that the check knows how strong it is.", FixAnswer)
	}
}

func scoreLabel(score int) string {
	labels := []string{"very weak", "weak", "fair", "strong", "very strong"}
	if score < 0 || score >= len(labels) {
		return "unknown"
	}
	return labels[score]
}

// tenths writes a time under a few seconds as people say it.
func tenths(d time.Duration) string {
	if d >= 2*time.Second {
		return human.Duration(d)
	}
	n := int((d + 50*time.Millisecond) / (100 * time.Millisecond))
	switch n {
	case 0:
		return "less than a tenth of a second"
	case 10:
		return "about a second"
	}
	if n > 10 {
		return "about " + human.Duration(d.Round(time.Second))
	}
	return "about " + human.Count(n, "tenth of a second", "tenths of a second")
}

func kdf(f Facts, it *Item) {
	const fix = "Change your passphrase with settings measured on this laptop today: casevault checkup --fix kdf, or Fix on the Security check screen (it takes a few seconds to measure)."
	want := f.WantUnlock
	if want <= 0 {
		want = time.Second
	}
	var lowMem bool
	memFound := ""
	if f.WantMemoryKiB > 0 && f.KDFMemoryKiB < f.WantMemoryKiB {
		lowMem = true
		memFound = fmt.Sprintf("Each guess at your passphrase needs %s of memory; casevault now uses at least %s, which makes guessing on many computers at once dearer.",
			mib(f.KDFMemoryKiB), mib(f.WantMemoryKiB))
	}
	switch {
	case f.UnlockTook <= 0 && lowMem:
		set(it, Attention, memFound, fix, FixKDF)
	case f.UnlockTook <= 0:
		set(it, NA, "This session did not unlock with a passphrase (the recovery key, or an unlock the check could not time), so the check cannot tell how long a guess takes on this laptop.",
			"Lock, unlock with your passphrase and run the check again.", FixNone)
	case f.UnlockTook < want/2:
		found := fmt.Sprintf("Unlocking took %s on this laptop; casevault aims for about %s, so a guesser can try your passphrase about %d times as fast as it allows.",
			tenths(f.UnlockTook), tenths(want), max(2, int(want/f.UnlockTook)))
		if lowMem {
			found += " " + memFound
		}
		set(it, Attention, found, fix, FixKDF)
	case lowMem:
		set(it, Attention, fmt.Sprintf("Unlocking took %s on this laptop. ", tenths(f.UnlockTook))+memFound, fix, FixKDF)
	default:
		set(it, OK, fmt.Sprintf("Unlocking took %s on this laptop with %s of memory per guess: as slow for a guesser as casevault aims for.",
			tenths(f.UnlockTook), mib(f.KDFMemoryKiB)), "", FixNone)
	}
}

// mib writes a key derivation's memory as the settings show it ("256
// MiB"), in whole MiB when it is whole.
func mib(kib uint32) string {
	if kib%1024 == 0 {
		return fmt.Sprintf("%d MiB", kib/1024)
	}
	return fmt.Sprintf("%d KiB", kib)
}

func recovery(f Facts, it *Item) {
	if !f.RecoveryKey {
		set(it, Attention, "This vault has no recovery key: if you forget your passphrase, nobody can open it.",
			"Make a new recovery key by changing the vault key (Users → Change the vault key, or casevault key change), then write it down and keep it away from the laptop.", FixRecovery)
		return
	}
	found := "A recovery key can open this vault; you confirmed it when the vault was made."
	if !f.KeyChanged.IsZero() {
		found = fmt.Sprintf("A recovery key can open this vault. The vault key was changed on %s: if that made a new recovery key, keep the new one, not the old.", human.Date(f.KeyChanged))
	}
	set(it, OK, found, "", FixNone)
}

func keyFile(f Facts, it *Item) {
	if f.KeyFile {
		set(it, OK, "Your passphrase works only with your key file: a stolen passphrase alone does not open the vault.", "", FixNone)
		return
	}
	set(it, Attention, "Your passphrase alone opens the vault (no key file). This is a choice, not a fault.",
		"For a second factor, keep a key file on a USB stick: Settings → Change passphrase with a key file, or casevault passwd --new-key-file PATH. Keep a copy of the key file with the recovery key.", FixKeyFile)
}

func autoLock(f Facts, it *Item) {
	const fix = "Turn it on with one click (locks after 5 minutes without activity), or choose the time in Settings."
	switch {
	case f.AutoLock <= 0:
		set(it, Attention, "The vault never locks by itself: left open, anyone at the laptop can read it.", fix, FixAutoLock)
	case f.AutoLock > 15*time.Minute:
		set(it, Attention, "The vault locks only after "+human.Duration(f.AutoLock)+" without activity.", fix, FixAutoLock)
	default:
		set(it, OK, "The vault locks after "+human.Duration(f.AutoLock)+" without activity.", "", FixNone)
	}
}

func clipboard(f Facts, it *Item) {
	const fix = "Turn it on with one click (clears after 30 seconds), or choose the time in Settings."
	switch {
	case f.ClipboardClear <= 0:
		set(it, Attention, "Client data you copy stays on the clipboard, where other programs can read it.", fix, FixClipboard)
	case f.ClipboardClear > 2*time.Minute:
		set(it, Attention, "Client data you copy stays on the clipboard for "+human.Duration(f.ClipboardClear)+".", fix, FixClipboard)
	default:
		set(it, OK, "Client data you copy is cleared from the clipboard after "+human.Duration(f.ClipboardClear)+".", "", FixNone)
	}
}

func days(n int) string { return human.Count(n, "day", "days") }

func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 24*time.Hour:
		return "today"
	case d < 48*time.Hour:
		return "yesterday"
	}
	return days(int(d/(24*time.Hour))) + " ago"
}

func lastBackup(f Facts, it *Item) {
	remind := f.RemindAfterDays
	if remind <= 0 {
		remind = 7
	}
	switch {
	case !f.BackupTarget && f.LastBackup.IsZero():
		set(it, Attention, "No backup drive is chosen and no backup has been made: a lost or broken laptop loses every file.",
			"Choose a backup drive in Backups (or casevault backup --repo FOLDER) and back up now.", FixBackup)
	case f.LastBackup.IsZero():
		set(it, Attention, "No backup has been made yet.", "Plug in the backup drive and choose Back up now in Backups (or casevault backup).", FixBackup)
	case f.Now.Sub(f.LastBackup) >= time.Duration(remind)*24*time.Hour:
		set(it, Attention, fmt.Sprintf("The last successful backup was on %s (%s); you asked to be reminded after %s.", human.Date(f.LastBackup), ago(f.Now, f.LastBackup), days(remind)),
			"Plug in the backup drive and choose Back up now in Backups (or casevault backup).", FixBackup)
	default:
		set(it, OK, fmt.Sprintf("The last successful backup was on %s (%s).", human.Date(f.LastBackup), ago(f.Now, f.LastBackup)), "", FixNone)
	}
}

func backupDisk(f Facts, it *Item) {
	switch {
	case f.DrivesKnown == 0:
		set(it, Attention, "No backup drive is known yet.", "Back up to an external drive (Backups), not to a folder on this laptop.", FixBackup)
	case f.OffSystemDrives == 0:
		set(it, Attention, "Every backup is on this laptop's own disk: a lost, stolen or broken laptop takes the backups with it.",
			"Back up to an external drive instead (Backups → choose the drive).", FixBackup)
	case f.TargetOnSystem:
		set(it, Attention, "The chosen backup folder is on this laptop's own disk (older backups went to another drive).",
			"Choose the external drive again in Backups.", FixBackup)
	default:
		set(it, OK, fmt.Sprintf("%s not on this laptop's own disk.", human.Count(f.OffSystemDrives, "backup drive is", "backup drives are")), "", FixNone)
	}
}

func secondDrive(f Facts, it *Item) {
	const advice = "Keep two backup drives and swap them: one with you or at the office, one elsewhere (fire, theft, ransomware). Back up to the second one at least once a month."
	switch {
	case f.DrivesRecent >= 2:
		set(it, OK, fmt.Sprintf("%s had a backup in the last 30 days.", human.Count(f.DrivesRecent, "drive", "drives")), "", FixNone)
	case f.DrivesKnown >= 2:
		set(it, Attention, fmt.Sprintf("The vault knows %s, but only %s had a backup in the last 30 days.", human.Count(f.DrivesKnown, "backup drive", "backup drives"),
			human.Count(f.DrivesRecent, "drive", "drives")), advice, FixSecondDrive)
	default:
		set(it, Attention, "There is no second backup drive: one drive lost or broken with the laptop leaves no copy.", advice, FixSecondDrive)
	}
}

func drill(f Facts, it *Item) {
	every := f.DrillEveryDays
	if every <= 0 {
		every = 30
	}
	const run = "Run a restore drill in Backups (or casevault backup drill): it proves the backup can be opened and read."
	switch {
	case f.LastDrill.IsZero() && f.LastBackup.IsZero():
		set(it, Attention, "No restore drill has been run (there is no backup to drill yet).", "Make a backup first, then run a restore drill in Backups.", FixDrill)
	case f.LastDrill.IsZero():
		set(it, Attention, "No restore drill has proved that the backups can be restored.", run, FixDrill)
	case !f.LastDrillOK:
		set(it, Attention, fmt.Sprintf("The last restore drill, on %s, failed.", human.Date(f.LastDrill)), "Open Backups to see why, and run one again.", FixDrill)
	case f.Now.Sub(f.LastDrill) >= time.Duration(every)*24*time.Hour:
		set(it, Attention, fmt.Sprintf("The last restore drill passed on %s (%s); you asked for one every %s.", human.Date(f.LastDrill), ago(f.Now, f.LastDrill), days(every)), run, FixDrill)
	default:
		set(it, OK, fmt.Sprintf("The last restore drill passed on %s (%s).", human.Date(f.LastDrill), ago(f.Now, f.LastDrill)), "", FixNone)
	}
}

// FullVerifyEvery: a full verification of the audit trail older than this
// is suggested again.
const FullVerifyEvery = 90 * 24 * time.Hour

func audit(f Facts, it *Item) {
	const verify = "Verify the whole trail with one click (or casevault audit verify)."
	switch {
	case !f.AuditOK:
		set(it, Attention, "The audit trail does not verify: "+f.AuditProblem+".",
			"Verify the whole trail to see where (one click, or casevault audit verify); if it stays broken, restore the vault from a backup made before that point and keep this copy for an expert.", FixVerifyAudit)
	case f.FullVerifyFound && !f.FullVerifyOK:
		set(it, Attention, fmt.Sprintf("The recent part of the audit trail (%s) verifies, but the last full check, on %s, found it broken.",
			human.Count(f.AuditChecked, "entry", "entries"), human.Date(f.LastFullVerify)), verify, FixVerifyAudit)
	case !f.FullVerifyFound:
		set(it, OK, fmt.Sprintf("The recent part of the audit trail (%s) verifies. No full check of the whole trail is on record.", human.Count(f.AuditChecked, "entry", "entries")),
			verify, FixVerifyAudit)
	case f.Now.Sub(f.LastFullVerify) >= FullVerifyEvery:
		set(it, OK, fmt.Sprintf("The recent part of the audit trail (%s) verifies; the whole trail last verified on %s.", human.Count(f.AuditChecked, "entry", "entries"), human.Date(f.LastFullVerify)),
			verify, FixVerifyAudit)
	default:
		set(it, OK, fmt.Sprintf("The recent part of the audit trail (%s) verifies; the whole trail last verified on %s.", human.Count(f.AuditChecked, "entry", "entries"), human.Date(f.LastFullVerify)),
			"", FixNone)
	}
}

func names(ns []string) string {
	switch len(ns) {
	case 0:
		return ""
	case 1:
		return ns[0]
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}

func users(f Facts, it *Item) {
	switch {
	case !f.UsersVisible:
		set(it, NA, "Only someone who can see the users (the owner) can check their passphrases and lockouts.", "Ask the owner to run the check.", FixNone)
		return
	case f.OtherUsers == 0:
		set(it, NA, "You are this vault's only user.", "", FixNone)
		return
	}
	var probs []string
	if len(f.Expired) > 0 {
		probs = append(probs, fmt.Sprintf("expired passphrase: %s", names(f.Expired)))
	}
	if len(f.Weak) > 0 {
		probs = append(probs, fmt.Sprintf("weak passphrase when set: %s", names(f.Weak)))
	}
	if len(f.Locked) > 0 {
		probs = append(probs, fmt.Sprintf("locked out after wrong passphrases: %s", names(f.Locked)))
	}
	if f.RequireKeyFile && len(f.NoKeyFile) > 0 {
		probs = append(probs, fmt.Sprintf("no key file although the policy asks for one: %s", names(f.NoKeyFile)))
	}
	if len(probs) == 0 {
		set(it, OK, fmt.Sprintf("%s besides you: no expired or weak passphrase is on record, and nobody is locked out.", human.Count(f.OtherUsers, "user", "users")), "", FixNone)
		return
	}
	set(it, Attention, human.Capitalize(strings.Join(probs, "; "))+".",
		"In Users (or casevault user list): ask them to change their passphrase, reset it for someone who forgot it, clear a lockout you know the reason for, and remove users who left.", FixUsers)
}

func probed(f Facts, it *Item, p Probe, a *Answer, advice string) {
	what := map[string]string{KeyDiskCrypt: "the disk is encrypted", KeyScreenLock: "the screen locks"}[it.Key]
	switch {
	case p.Known && p.On:
		set(it, OK, p.How+".", "", FixNone)
	case p.Known:
		set(it, Attention, p.How+".", advice, FixNone)
	case current(a, f.Now) && a.Yes:
		set(it, OK, "You said "+saidOn(a)+" that "+what+" (this laptop does not tell the program). The check asks again after a year.", "", FixNone)
	case current(a, f.Now):
		set(it, Attention, "You said "+saidOn(a)+" that it is not so (this laptop does not tell the program).", advice, FixNone)
	default:
		found := "This laptop does not tell the program whether " + what + "."
		if p.How != "" {
			// "... encrypted (no LUKS encryption was found under the vault's disk, vda)."
			how := strings.ToLower(p.How[:1]) + p.How[1:]
			if i := strings.LastIndex(how, " ("); i > 0 && strings.HasSuffix(how, ")") {
				how = how[:i] + ", " + how[i+2:len(how)-1]
			}
			found = strings.TrimSuffix(found, ".") + " (" + how + ")."
		}
		if a != nil {
			found = "You answered " + saidOn(a) + ", over a year ago: is it still so? " + found
		}
		set(it, Ask, found, "Answer the question: "+Question(it.Key), FixAnswer)
	}
}
