package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/checkup"
	"casevault/app/human"
	"casevault/app/policy"
	"casevault/store"
	"casevault/vault"
)

// The security check (issue 14): it gathers facts from the live state
// (the vault's header and settings, this laptop's settings, the backup
// settings and records, the recent audit trail, the users, the laptop's
// disk encryption and screen lock), lets app/checkup judge them, saves
// the result and says what changed since the last check. It runs no
// drill, no calibration and no restore: well under a second.

// CheckupReport is one security check.
type CheckupReport struct {
	At       time.Time        `json:"at"`
	By       string           `json:"by"`
	Vault    string           `json:"vault"`
	Items    []checkup.Item   `json:"items"`
	Changes  []checkup.Change `json:"changes,omitempty"`
	Previous time.Time        `json:"previous,omitempty"` // the check Changes compares with; zero for the first
}

// Summary is the check in one sentence ("12 OK, 2 need attention").
func (r *CheckupReport) Summary() string { return checkup.Summary(r.Items) }

// Item returns the item of key, or nil.
func (r *CheckupReport) Item(key string) *checkup.Item {
	for i := range r.Items {
		if r.Items[i].Key == key {
			return &r.Items[i]
		}
	}
	return nil
}

// Errors of the security check.
var (
	// ErrCheckupKey: FixCheckup or AnswerCheckup was given an item that
	// has no such fix or question; the message lists those that do.
	ErrCheckupKey = errors.New("no such item of the security check")
)

// Settings keys (the settings table) of what the check remembers: the
// answers to its questions, the strength of each user's passphrase when
// it was set (a score 0..4 and the date, never the passphrase), and the
// last full verification of the audit trail it ran.
const (
	checkupAnswerSetting   = "checkup.answer."
	checkupStrengthSetting = "checkup.strength."
	checkupVerifySetting   = "checkup.full-verify"
)

// CheckupYearly is how often the security check should run: after it,
// CheckupDue reminds.
const CheckupYearly = 365 * 24 * time.Hour

func init() {
	actionWords["checkup.run"] = struct{ what, kind string }{"Ran the security check", "read"}
	actionWords["checkup.fix"] = struct{ what, kind string }{"Fixed an item of the security check", "change"}
	actionWords["checkup.answer"] = struct{ what, kind string }{"Answered a question of the security check", "change"}
}

// unlockTiming is how long this session's unlock took on this laptop,
// with the key derivation settings it used: the security check compares it
// with the one second casevault aims for, without running a calibration.
type unlockTiming struct {
	took   time.Duration
	params vault.KDFParams
}

// noteUnlock records the unlock's time (app.Open times vault.Open, which
// is almost all Argon2id). The recovery key derives no Argon2id: nothing
// is recorded for it.
func (s *Session) noteUnlock(cred vault.Credential, took time.Duration) {
	if cred.Type().IsRecovery() || took <= 0 {
		return
	}
	s.mu.Lock()
	s.unlock = unlockTiming{took: took, params: s.v.Info().KDF}
	s.mu.Unlock()
}

// unlockTook is the unlock's time scaled to the slot's settings now (a
// passphrase change may have given it other ones): Argon2id's time grows
// with its passes times its memory.
func (s *Session) unlockTook() time.Duration {
	s.mu.Lock()
	u := s.unlock
	s.mu.Unlock()
	if u.took <= 0 || u.params.Cost() == 0 {
		return 0
	}
	now := s.KDF()
	if now == u.params {
		return u.took
	}
	return time.Duration(float64(u.took) * float64(now.Cost()) / float64(u.params.Cost()))
}

type strengthRecord struct {
	Score int       `json:"score"`
	At    time.Time `json:"at"`
}

// recordStrength keeps the strength score of a passphrase being set for
// userID (0..4, app/policy), never the passphrase: the security check
// judges it later.
func recordStrength(tx *store.Tx, userID int64, pass []byte, names []string, now time.Time) error {
	score, _ := policy.Strength(pass, names...)
	b, _ := json.Marshal(strengthRecord{Score: score, At: now.UTC()})
	return tx.As(store.Everyone).SetSetting(checkupStrengthSetting+strconv.FormatInt(userID, 10), string(b))
}

// recordInitStrength records the owner's first passphrase (Init).
func (s *Session) recordInitStrength(ctx context.Context, pass []byte, names ...string) error {
	return s.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
		u, err := tx.OwnerUser()
		if err != nil {
			return err
		}
		return recordStrength(tx, u.ID, pass, append(names, u.Name), s.now())
	})
}

func loadStrength(tx *store.Tx, userID int64) (strengthRecord, bool) {
	v, err := tx.As(store.Everyone).Setting(checkupStrengthSetting + strconv.FormatInt(userID, 10))
	if err != nil {
		return strengthRecord{}, false
	}
	var r strengthRecord
	if json.Unmarshal([]byte(v), &r) != nil || r.Score < 0 || r.Score > 4 {
		return strengthRecord{}, false
	}
	return r, true
}

func loadAnswer(tx *store.Tx, key string) *checkup.Answer {
	v, err := tx.As(store.Everyone).Setting(checkupAnswerSetting + key)
	if err != nil {
		return nil
	}
	var a checkup.Answer
	if json.Unmarshal([]byte(v), &a) != nil || a.At.IsZero() {
		return nil
	}
	return &a
}

type verifyRecord struct {
	At time.Time `json:"at"`
	OK bool      `json:"ok"`
}

// Probes of this laptop, per platform (checkup_<os>.go); variables so
// that tests give their own.
var (
	probeDisk   = diskEncryption
	probeScreen = screenLock
)

// probeTimeout bounds the programs a probe runs (fdesetup, manage-bde,
// gsettings): the check stays under a second.
const probeTimeout = 600 * time.Millisecond

// Checkup runs the security check, saves it and returns it with what
// changed since the last one. It needs RunCheckup; the items about other
// users need ListUsers too (without it they say to ask the owner).
func (s *Session) Checkup(ctx context.Context) (*CheckupReport, error) {
	if err := s.allow(ctx, access.RunCheckup); err != nil {
		return nil, err
	}
	// The laptop's probes run beside the vault's reads.
	type probes struct{ disk, screen checkup.Probe }
	pc := make(chan probes, 1)
	go func() {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		pc <- probes{probeDisk(pctx, s.Dir()), probeScreen(pctx)}
	}()
	f, prev, err := s.checkupFacts(ctx)
	p := <-pc
	if err != nil {
		return nil, err
	}
	f.DiskProbe, f.ScreenProbe = p.disk, p.screen
	rep := &CheckupReport{At: s.now().UTC(), By: s.actor, Vault: s.Dir(), Items: checkup.Evaluate(f)}
	if prev != nil {
		rep.Previous = prev.At
		rep.Changes = checkup.Diff(prev.Items, rep.Items)
	}
	if s.readOnly {
		return rep, nil // a salvage changes nothing
	}
	results, err := json.Marshal(rep.Items)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, "checkup.run", func(tx *store.Tx) (string, string, error) {
		_, err := tx.SaveCheckup(rep.At, rep.By, results)
		return "", rep.Summary(), err
	})
	if err != nil {
		return nil, fmt.Errorf("saving the security check: %w", err)
	}
	return rep, nil
}

// LastCheckup returns the last saved check (without Changes), or nil when
// none was run.
func (s *Session) LastCheckup(ctx context.Context) (*CheckupReport, error) {
	if err := s.allow(ctx, access.RunCheckup); err != nil {
		return nil, err
	}
	var rep *CheckupReport
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		rep, err = lastCheckup(tx, s.Dir())
		return err
	})
	return rep, err
}

func lastCheckup(tx *store.Tx, dir string) (*CheckupReport, error) {
	c, err := tx.LastCheckup()
	if err != nil || c == nil {
		return nil, err
	}
	rep := &CheckupReport{At: c.At, By: c.By, Vault: dir}
	if err := json.Unmarshal(c.Results, &rep.Items); err != nil {
		return nil, fmt.Errorf("reading the last security check: %w", err)
	}
	return rep, nil
}

// checkupFacts reads what the check judges, and the last check.
func (s *Session) checkupFacts(ctx context.Context) (checkup.Facts, *CheckupReport, error) {
	now := s.now()
	u := s.currentUser()
	kdf := s.KDF()
	f := checkup.Facts{
		Now: now, PassScore: -1,
		KDFTime: kdf.Time, KDFMemoryKiB: kdf.MemoryKiB, UnlockTook: s.unlockTook(),
		WantMemoryKiB: vault.DefaultMemoryKiB, WantUnlock: vault.DefaultCalibrateFor,
		KeyFile: u.keyFile,
	}
	for _, t := range s.v.Info().Slots {
		f.RecoveryKey = f.RecoveryKey || t.IsRecovery()
	}
	set := LoadSettings(s.Dir())
	f.AutoLock, f.ClipboardClear = set.AutoLock, set.ClipboardClear
	bs := LoadBackupSettings(s.Dir())
	f.BackupTarget, f.LastBackup, f.RemindAfterDays = bs.Target != "", bs.LastBackup, bs.RemindAfterDays
	f.LastDrill, f.LastDrillOK, f.DrillEveryDays = bs.LastDrill, bs.LastDrillOK, bs.DrillEveryDays
	usersVisible := s.CanDo(access.ListUsers)

	var prev *CheckupReport
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		if prev, err = lastCheckup(tx, s.Dir()); err != nil {
			return err
		}
		if r, ok := loadStrength(tx, u.id); ok {
			f.PassScore, f.PassScoredAt = r.Score, r.At
		}
		f.PassAnswer = loadAnswer(tx, checkup.KeyPassphrase)
		f.DiskAnswer = loadAnswer(tx, checkup.KeyDiskCrypt)
		f.ScreenAnswer = loadAnswer(tx, checkup.KeyScreenLock)
		if v, err := tx.Setting(keyChangedSetting); err == nil {
			f.KeyChanged, _ = time.Parse(time.RFC3339, v)
		}
		if err := s.backupFacts(tx, bs, &f); err != nil {
			return err
		}
		if err := s.auditFacts(ctx, tx, &f); err != nil {
			return err
		}
		if usersVisible {
			return s.userFacts(tx, u, &f)
		}
		return nil
	})
	return f, prev, err
}

// backupFacts: the drives the backup records know (helper C's table,
// filled after each backup) and the chosen one.
func (s *Session) backupFacts(tx *store.Tx, bs BackupSettings, f *checkup.Facts) error {
	drives, err := tx.BackupDrives()
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, d := range drives {
		known[d.RepoID] = true
		f.DrivesKnown++
		if !d.SystemDisk {
			f.OffSystemDrives++
		}
		if f.Now.Sub(d.Last) < 30*24*time.Hour {
			f.DrivesRecent++
		}
	}
	if bs.Target == "" {
		return nil
	}
	// The chosen drive, when it is plugged in: is it this laptop's disk?
	vol, verr := DriveOf(bs.Target)
	onSystem := verr == nil && vol.System
	f.TargetOnSystem = onSystem
	if bs.RepoID == "" || !known[bs.RepoID] {
		// Backups made before the vault kept records (or by a build
		// without them): the settings know the last one.
		if bs.RepoID != "" || !bs.LastBackup.IsZero() {
			f.DrivesKnown++
			if !onSystem && verr == nil {
				f.OffSystemDrives++
			}
			if !bs.LastBackup.IsZero() && f.Now.Sub(bs.LastBackup) < 30*24*time.Hour {
				f.DrivesRecent++
			}
		}
	}
	return nil
}

// auditFacts verifies the live part of the audit trail (the entries not
// yet sealed into segments, from the last segment's end to the recorded
// head): the sealed part was verified when it was sealed and by the last
// full check, whose date and result are reported. A full verification of
// years of trail can take longer than the whole check may (FixCheckup
// "verify-audit" runs it).
func (s *Session) auditFacts(ctx context.Context, tx *store.Tx, f *checkup.Facts) error {
	segs, err := tx.AuditSegments()
	if err != nil {
		return err
	}
	live, err := tx.ListAuditLive(store.AuditFilter{})
	if err != nil {
		return err
	}
	lastID, lastHash := int64(0), genesis
	if n := len(segs); n > 0 {
		lastID, lastHash = segs[n-1].LastID, segs[n-1].LastHash
	}
	f.AuditChecked = len(live)
	var problem string
	err = s.withChain(tx, func(k *chainKeys) error {
		problem, _ = checkChain(ctx, k, live, lastID+1, lastHash)
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	if problem == "" {
		recorded, _, err := tx.RecordedAuditHead()
		if err != nil {
			return err
		}
		head := ""
		if len(live) > 0 {
			lastID, lastHash = live[len(live)-1].ID, live[len(live)-1].Hash
		}
		if lastID > 0 {
			head = store.FormatAuditHead(lastID, lastHash)
		}
		if recorded != head {
			problem = "entries at the end of the trail were deleted"
		}
	}
	f.AuditOK, f.AuditProblem = problem == "", problem
	// The last full verification: the check's own (FixCheckup), or the
	// newest "audit.verify" entry still in the live trail.
	if v, err := tx.Setting(checkupVerifySetting); err == nil {
		var r verifyRecord
		if json.Unmarshal([]byte(v), &r) == nil && !r.At.IsZero() {
			f.LastFullVerify, f.FullVerifyOK, f.FullVerifyFound = r.At, r.OK, true
		}
	}
	at, detail, found, err := tx.LastAuditAction("audit.verify")
	if err != nil {
		return err
	}
	if found && at.After(f.LastFullVerify) {
		f.LastFullVerify, f.FullVerifyOK, f.FullVerifyFound = at, !strings.Contains(detail, "BROKEN"), true
	}
	return nil
}

// userFacts: the other users' expired, weak (as recorded when set) and
// locked passphrases, and key files the policy wants.
func (s *Session) userFacts(tx *store.Tx, me sessionUser, f *checkup.Facts) error {
	f.UsersVisible = true
	us, err := tx.ListUsers()
	if err != nil {
		return err
	}
	pol, err := loadPassPolicy(tx)
	if err != nil {
		return err
	}
	f.RequireKeyFile = pol.RequireKeyFile
	for _, u := range us {
		if u.Status != store.UserActive || u.ID == me.id {
			continue
		}
		f.OtherUsers++
		name := human.Escape(u.Name)
		if pol.expired(u.PassChangedAt, f.Now) {
			f.Expired = append(f.Expired, name)
		}
		if r, ok := loadStrength(tx, u.ID); ok && r.Score < 3 && !u.MustChange {
			f.Weak = append(f.Weak, name)
		}
		fails := LoadUserUnlockFailures(s.Dir(), u.Name)
		if isOwnerRow(u) {
			if g := LoadUserUnlockFailures(s.Dir(), ""); g.Count > fails.Count {
				fails = g
			}
		}
		if fails.Wait(f.Now) > 0 {
			f.Locked = append(f.Locked, name)
		}
		if pol.RequireKeyFile && !u.KeyFile {
			f.NoKeyFile = append(f.NoKeyFile, name)
		}
	}
	return nil
}

// FixCheckup puts one item right with one click: "auto-lock" (lock after 5
// minutes idle), "clipboard" (clear copied data after 30 seconds), both
// settings of this laptop, which any user of it may change (RunCheckup);
// "verify-audit" verifies the whole audit trail (VerifyAudit) and
// remembers the result for the next checks. Other keys are
// ErrCheckupKey: their fix is on another screen.
func (s *Session) FixCheckup(ctx context.Context, key string) error {
	switch checkup.Fix(key) {
	case checkup.FixAutoLock, checkup.FixClipboard:
		if err := s.allow(ctx, access.RunCheckup); err != nil {
			return err
		}
		set := LoadSettings(s.Dir())
		def := DefaultSettings()
		detail := ""
		if checkup.Fix(key) == checkup.FixAutoLock {
			set.AutoLock = def.AutoLock
			detail = "the vault locks after " + human.Duration(def.AutoLock) + " without activity"
		} else {
			set.ClipboardClear = def.ClipboardClear
			detail = "copied data is cleared after " + human.Duration(def.ClipboardClear)
		}
		if err := SaveSettings(s.Dir(), set); err != nil {
			return fmt.Errorf("saving the settings: %w", err)
		}
		return s.audit(ctx, "checkup.fix", "", detail)
	case checkup.FixVerifyAudit:
		r, err := s.AuditVerify(ctx)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(verifyRecord{At: s.now().UTC(), OK: r.OK})
		return s.update(ctx, "checkup.fix", func(tx *store.Tx) (string, string, error) {
			detail := "the whole audit trail verified: intact"
			if !r.OK {
				detail = "the whole audit trail verified: broken"
			}
			return "", detail, tx.As(store.Everyone).SetSetting(checkupVerifySetting, string(b))
		})
	}
	return fmt.Errorf("%w: %q has no one-click fix; those that have: %s, %s, %s", ErrCheckupKey, key,
		checkup.FixAutoLock, checkup.FixClipboard, checkup.FixVerifyAudit)
}

// AnswerCheckup records the person's yes or no to an item the program
// cannot see for itself ("disk-encryption", "screen-lock", "passphrase"),
// with the date and who answered; the check asks again after a year.
func (s *Session) AnswerCheckup(ctx context.Context, key string, yes bool) error {
	if err := s.allow(ctx, access.RunCheckup); err != nil {
		return err
	}
	if !checkup.Answerable(key) {
		return fmt.Errorf("%w: %q is not a question of the security check; these are: %s, %s, %s", ErrCheckupKey, key,
			checkup.KeyDiskCrypt, checkup.KeyScreenLock, checkup.KeyPassphrase)
	}
	b, _ := json.Marshal(checkup.Answer{Yes: yes, At: s.now().UTC(), By: s.actor})
	return s.update(ctx, "checkup.answer", func(tx *store.Tx) (string, string, error) {
		return "", fmt.Sprintf("%s: %s", strings.ToLower(checkup.Title(key)), map[bool]string{true: "yes", false: "no"}[yes]),
			tx.As(store.Everyone).SetSetting(checkupAnswerSetting+key, string(b))
	})
}

// CheckupDue is the yearly reminder to run the security check, like the
// drill reminder: "" when a check ran in the last 365 days, or when the
// user cannot run it.
func (s *Session) CheckupDue(ctx context.Context) (string, error) {
	if !s.CanDo(access.RunCheckup) {
		return "", nil
	}
	var last *store.Checkup
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		last, err = tx.LastCheckup()
		return err
	})
	if err != nil {
		return "", err
	}
	return checkupReminder(last, s.now()), nil
}

func checkupReminder(last *store.Checkup, now time.Time) string {
	switch {
	case last == nil:
		return "No security check has been run yet. Run one in Security check (or casevault checkup): it takes a second."
	case now.Sub(last.At) >= CheckupYearly:
		return fmt.Sprintf("The last security check was on %s, over a year ago. Run one in Security check (or casevault checkup).", human.Date(last.At))
	}
	return ""
}

// StrengthenUnlock changes the session user's passphrase with key
// derivation settings measured on this laptop now (about a second, at
// least 256 MiB): the fix of the check's "kdf" item. It takes a few
// seconds (the measurement). keyFile as for ChangeOwnPassphrase.
func (s *Session) StrengthenUnlock(ctx context.Context, newPass, keyFile []byte) error {
	p, err := Calibrate(ctx)
	if err != nil {
		return fmt.Errorf("measuring this laptop: %w", err)
	}
	if err := s.changeOwn(ctx, newPass, keyFile, &p, true); err != nil {
		return err
	}
	// The measurement aimed at DefaultCalibrateFor with these settings.
	s.mu.Lock()
	s.unlock = unlockTiming{took: vault.DefaultCalibrateFor, params: p}
	s.mu.Unlock()
	return nil
}

// checkupStatusOrder sorts statuses for a summary: attention first.
var checkupStatusOrder = []checkup.Status{checkup.Attention, checkup.Ask, checkup.OK, checkup.NA}

// Attention lists the items that need attention or an answer, attention
// first.
func (r *CheckupReport) Attention() []checkup.Item {
	var out []checkup.Item
	for _, st := range checkupStatusOrder[:2] {
		for _, it := range r.Items {
			if it.Status == st {
				out = append(out, it)
			}
		}
	}
	return out
}
