package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// newBackupHarness is an unlocked window whose clock is the real one: the
// session records backups at the real time, and the reminder and the
// interval backup compare with the window's clock.
func newBackupHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, true)
	h.clock.mu.Lock()
	h.clock.t = time.Now()
	h.clock.mu.Unlock()
	h.unlocked()
	h.u.wait()
	return h
}

// backups shows the Backups screen.
func (h *harness) backups() *backupsScreen {
	h.t.Helper()
	h.u.main.show(navBackups)
	h.u.wait()
	return h.u.main.backups
}

// firstBackup chooses target (as the folder dialog would) and accepts the
// offer to back up at once; it dismisses the result.
func (h *harness) firstBackup(target string) {
	h.t.Helper()
	h.backups()
	h.u.targetChosen(target)
	test.Tap(button(h.t, h.u.w.Canvas(), "Back up now")) // the offer's button, in the overlay
	h.u.wait()
	if !contains(h.u.w.Canvas(), "Backup finished") {
		h.t.Fatalf("no backup result; texts %q", texts(h.u.w.Canvas()))
	}
	test.Tap(button(h.t, h.u.w.Canvas(), "OK"))
}

func (h *harness) settings() app.BackupSettings { return app.LoadBackupSettings(h.dir) }

// snapshots counts the snapshots in target, opened like on a new laptop.
func snapshots(t *testing.T, target string) int {
	t.Helper()
	bk, err := app.OpenBackups(context.Background(), target, app.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatalf("opening the backup in %s: %v", target, err)
	}
	defer bk.Close()
	snaps, _, err := bk.Snapshots(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(snaps)
}

func bannerText(h *harness) string {
	b := h.u.main.banner
	if !b.obj.Visible() {
		return ""
	}
	return b.text.Text
}

func TestBackupsScreenFirstBackupAndBanner(t *testing.T) {
	h := newBackupHarness(t)
	cv := h.u.w.Canvas()
	if !contains(cv, "Backups") {
		t.Fatal("no Backups in the sidebar")
	}
	if got := bannerText(h); !strings.Contains(got, "No backup has been made yet") {
		t.Fatalf("banner with no backup = %q", got)
	}
	b := h.backups()
	if b.target.Text != "No backup folder chosen yet" || !b.drillB.Disabled() {
		t.Fatalf("no target: %q, drill enabled %v", b.target.Text, !b.drillB.Disabled())
	}

	// A folder with other files in it: the backup goes into a subfolder.
	drive := filepath.Join(t.TempDir(), "KINGSTON")
	if err := os.MkdirAll(drive, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(drive, "holiday.jpg"), []byte("x"), 0o600)
	h.u.targetChosen(drive)
	if got := h.settings().Target; got != drive {
		t.Fatalf("target saved = %q", got)
	}
	test.Tap(button(t, cv, "Back up now"))
	h.u.wait()
	sub := filepath.Join(drive, backupSubfolder)
	if !contains(cv, "Backup finished") || !contains(cv, "already has other files") {
		t.Fatalf("result; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "OK"))
	set := h.settings()
	if set.Target != sub || set.LastSnapshot == "" || set.LastBackup.IsZero() {
		t.Fatalf("settings after the backup: %+v", set)
	}
	if len(b.snaps) != 1 || b.snaps[0].ID != set.LastSnapshot || !contains(cv, set.LastSnapshot[:8]) {
		t.Fatalf("snapshot list = %v; texts %q", b.snaps, texts(cv))
	}
	if b.target.Text != sub || b.drillB.Disabled() {
		t.Errorf("after the backup: target %q, drill disabled %v", b.target.Text, b.drillB.Disabled())
	}
	if got := bannerText(h); strings.Contains(got, "No backup") || !strings.Contains(got, "restore drill") {
		t.Errorf("banner after a backup = %q (want only the drill reminder)", got)
	}

	// Back up now from the screen: a second snapshot, listed first.
	h.u.main.show(navClients)
	h.addClient(canary)
	h.u.main.show(navBackups)
	h.u.wait()
	b = h.u.main.backups
	test.Tap(b.backupB)
	h.u.wait()
	test.Tap(button(t, cv, "OK"))
	if len(b.snaps) != 2 || b.snaps[0].Counts["clients"] != 1 {
		t.Fatalf("after the second backup: %d snapshots", len(b.snaps))
	}
	if snapshots(t, sub) != 2 {
		t.Error("the backup does not hold 2 snapshots")
	}

	// "Remind me tomorrow" hides the banner until tomorrow.
	test.Tap(button(t, cv, "Remind me tomorrow"))
	if got := bannerText(h); got != "" {
		t.Fatalf("banner after Remind me tomorrow = %q", got)
	}
	h.clock.Add(24 * time.Hour)
	h.u.touch() // no auto-lock
	h.u.tick()
	if got := bannerText(h); !strings.Contains(got, "restore drill") {
		t.Errorf("banner the next day = %q", got)
	}
}

func TestBackupsSchedule(t *testing.T) {
	h := newBackupHarness(t)
	b := h.backups()
	if !b.onLock.Checked || b.interval.Selected != "every hour" || b.remind.Text != "7" || b.drillDays.Text != "30" {
		t.Fatalf("defaults: on lock %v, interval %q, remind %q, drill %q", b.onLock.Checked, b.interval.Selected, b.remind.Text, b.drillDays.Text)
	}
	b.onLock.SetChecked(false)
	b.interval.SetSelected("every 15 min")
	b.remind.SetText("3")
	b.drillDays.SetText("abc")
	if !b.schedMsg.Visible() || !strings.Contains(b.schedMsg.Text, "1 to 365") {
		t.Errorf("bad number message = %q", b.schedMsg.Text)
	}
	b.drillDays.SetText("60")
	set := h.settings()
	if set.OnLock || set.Interval != 15*time.Minute || set.RemindAfterDays != 3 || set.DrillEveryDays != 60 {
		t.Fatalf("saved: %+v", set)
	}

	// The interval backup runs in the background, with a status line only.
	target := filepath.Join(t.TempDir(), "backup")
	h.firstBackup(target)
	h.u.tick()
	h.u.wait()
	if snapshots(t, target) != 1 {
		t.Fatal("an interval backup ran before the interval passed")
	}
	h.clock.Add(16 * time.Minute)
	h.u.touch() // no auto-lock
	h.u.tick()
	if h.u.job == nil || !h.u.main.bstatus.Visible() || !strings.HasPrefix(h.u.main.bstatus.Text, "Backing up") {
		t.Fatalf("interval backup not started: job %v, status %q", h.u.job, h.u.main.bstatus.Text)
	}
	h.u.tick() // never two at once
	if len(h.u.w.Canvas().Overlays().List()) != 0 {
		t.Error("the interval backup shows a dialog")
	}
	h.u.wait()
	if n := snapshots(t, target); n != 2 {
		t.Fatalf("after the interval: %d snapshots", n)
	}
	if h.u.main.bstatus.Visible() {
		t.Error("status line stays after the backup")
	}
}

func TestBackupOnLock(t *testing.T) {
	h := newBackupHarness(t)
	target := filepath.Join(t.TempDir(), "backup")
	h.firstBackup(target)
	h.u.main.show(navClients)
	h.addClient(canary)
	test.Tap(button(t, h.u.w.Canvas(), "Lock"))
	if h.u.lockWait == nil || !contains(h.u.w.Canvas(), "Backing up before locking") {
		t.Fatalf("no backup modal on lock; texts %q", texts(h.u.w.Canvas()))
	}
	if contains(h.u.w.Canvas(), canary) {
		t.Fatal("client data shown while backing up before locking")
	}
	h.u.wait()
	if n := snapshots(t, target); n != 2 {
		t.Fatalf("snapshots after lock = %d, want 2", n)
	}
	if h.u.lockWait != nil || len(h.u.w.Canvas().Overlays().List()) != 0 || h.u.unlock == nil {
		t.Fatal("the modal stays after the backup")
	}

	// Skipping: the vault locks without waiting.
	h.unlocked()
	h.u.wait()
	test.Tap(button(t, h.u.w.Canvas(), "Lock"))
	test.Tap(button(t, h.u.w.Canvas(), "Lock without backing up"))
	if h.u.lockWait != nil || len(h.u.w.Canvas().Overlays().List()) != 0 {
		t.Fatal("the modal stays after skipping")
	}
	h.u.wait()

	// A missing drive never holds the lock up.
	if err := os.RemoveAll(target); err != nil {
		t.Fatal(err)
	}
	h.unlocked()
	h.u.wait()
	test.Tap(button(t, h.u.w.Canvas(), "Lock"))
	if h.u.lockWait != nil || h.u.job != nil {
		t.Fatal("a backup started on lock without the drive")
	}
	h.u.wait()
}

func TestBackupOnClose(t *testing.T) {
	h := newBackupHarness(t)
	target := filepath.Join(t.TempDir(), "backup")
	h.firstBackup(target)
	h.u.closeRequested()
	if !contains(h.u.w.Canvas(), "Backing up before closing") || !contains(h.u.w.Canvas(), "Close without backing up") {
		t.Fatalf("no modal on close; texts %q", texts(h.u.w.Canvas()))
	}
	h.u.wait()
	if n := snapshots(t, target); n != 2 {
		t.Fatalf("snapshots after close = %d, want 2", n)
	}
}

func TestBackupDrill(t *testing.T) {
	h := newBackupHarness(t)
	cv := h.u.w.Canvas()
	target := filepath.Join(t.TempDir(), "backup")
	h.firstBackup(target)
	b := h.u.main.backups
	test.Tap(b.drillB)
	dd := b.drillD
	if dd == nil || !contains(cv, DrillExplanation) {
		t.Fatalf("no drill dialog; texts %q", texts(cv))
	}
	test.Type(dd.cred.pass, "not my passphrase")
	test.Tap(dd.runB)
	h.u.wait()
	if !dd.errMsg.Visible() || !strings.Contains(dd.errMsg.Text, "does not open") || dd.report != nil || contains(cv, "Restore drill passed") {
		t.Fatalf("wrong passphrase: message %q, report %v", dd.errMsg.Text, dd.report)
	}
	if !h.settings().LastDrill.IsZero() {
		t.Fatal("a drill with a wrong passphrase was recorded")
	}
	test.Type(dd.cred.pass, testPass)
	test.Tap(dd.runB)
	h.u.wait()
	if dd.report == nil || !dd.report.OK || !contains(cv, "Restore drill passed") || !contains(cv, "Audit chain") {
		t.Fatalf("drill report %+v; texts %q", dd.report, texts(cv))
	}
	// In plain words; the technical names only under Technical details
	// (folded); Escape closes the report.
	shown := strings.Join(visibleTexts(cv.Overlays().Top()), "\n")
	if !strings.Contains(shown, "Audit trail intact") || !strings.Contains(shown, "Records unchanged") {
		t.Errorf("report words: %q", shown)
	}
	for _, tech := range []string{"integrity", "hash", "chain", "redo log", "PRAGMA", "checkpoint"} {
		if strings.Contains(strings.ToLower(shown), strings.ToLower(tech)) {
			t.Errorf("the report says %q outside Technical details: %q", tech, shown)
		}
	}
	escape(h.u)
	if contains(cv, "Restore drill passed") {
		t.Error("Escape did not close the drill report")
	}
	set := h.settings()
	if set.LastDrill.IsZero() || !set.LastDrillOK {
		t.Fatalf("drill not recorded: %+v", set)
	}
	if !strings.Contains(b.drill.Text, "passed") {
		t.Errorf("last drill = %q", b.drill.Text)
	}
	if got := bannerText(h); got != "" {
		t.Errorf("banner after a backup and a drill = %q", got)
	}

	// The drill is in the audit trail.
	h.u.main.show(navAudit)
	h.u.wait()
	found := false
	for _, e := range h.u.main.audit.entries {
		found = found || e.Action == "backup.drill"
	}
	if !found {
		t.Error("no backup.drill entry in the audit trail")
	}
}

func TestBackupWrongVolume(t *testing.T) {
	h := newBackupHarness(t)
	cv := h.u.w.Canvas()
	target := filepath.Join(t.TempDir(), "backup")
	h.firstBackup(target)
	// The folder now seems to be on another drive.
	h.u.opts.backupVolume = func(string) (app.Drive, error) {
		return app.Drive{ID: "uuid:0000-other", MountPoint: "/media/anna/OTHER", Label: "OTHER", Removable: true}, nil
	}
	test.Tap(h.u.main.backups.backupB)
	h.u.wait()
	if !contains(cv, "another drive than the one the backup was set up on") {
		t.Fatalf("no confirm for another drive; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Use this drive from now on"))
	h.u.wait()
	if !contains(cv, "Backup finished") {
		t.Fatalf("no result after confirming the move; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "OK"))
	if n := snapshots(t, target); n != 2 {
		t.Fatalf("snapshots = %d", n)
	}
}

func TestBackupTargetMissing(t *testing.T) {
	h := newBackupHarness(t)
	cv := h.u.w.Canvas()
	target := filepath.Join(t.TempDir(), "backup")
	h.firstBackup(target)
	if err := os.RemoveAll(target); err != nil {
		t.Fatal(err)
	}
	b := h.backups()
	if !strings.Contains(b.snapMsg.Text, "not connected") || !b.restoreB.Disabled() {
		t.Errorf("drive missing: %q, restore enabled %v", b.snapMsg.Text, !b.restoreB.Disabled())
	}
	test.Tap(b.backupB)
	h.u.wait()
	if !contains(cv, "Plug in the backup drive") {
		t.Fatalf("no plug-in message; texts %q", texts(cv))
	}
	if !b.lastErr.Visible() {
		t.Error("the failure is not shown on the screen")
	}
	if got := bannerText(h); !strings.Contains(got, "failed. Open Backups") {
		t.Errorf("banner after a failure = %q", got)
	}
	test.Tap(button(t, cv, "Start a new backup there…"))
	test.Tap(button(t, cv, "Start a new backup"))
	h.u.wait()
	if !contains(cv, "A new backup was set up") {
		t.Fatalf("no new backup; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "OK"))
	if n := snapshots(t, target); n != 1 {
		t.Fatalf("snapshots in the new backup = %d", n)
	}
	if got := bannerText(h); strings.Contains(got, "failed") {
		t.Errorf("banner after the new backup = %q", got)
	}
}

func TestBackupRestoreAndCheck(t *testing.T) {
	h := newBackupHarness(t)
	cv := h.u.w.Canvas()
	h.addClient(canary)
	target := filepath.Join(t.TempDir(), "backup")
	h.u.main.show(navBackups)
	h.firstBackup(target)
	b := h.u.main.backups

	test.Tap(b.checkB)
	h.u.wait()
	if !strings.HasPrefix(b.checked.Text, "Check passed") {
		t.Fatalf("check = %q", b.checked.Text)
	}

	test.Tap(b.restoreB)
	rd := b.restoreD
	if rd == nil || !strings.Contains(rd.snapSel.Selected, "(latest)") || !strings.HasPrefix(rd.name.Text, "casevault-restored-") {
		t.Fatalf("restore dialog; texts %q", texts(cv))
	}
	// Never into the open vault's folder.
	rd.parent, rd.name.Text = filepath.Dir(h.dir), filepath.Base(h.dir)
	test.Type(rd.cred.pass, testPass)
	test.Tap(rd.runB)
	h.u.wait()
	if !strings.Contains(rd.errMsg.Text, "vault's own folder") || rd.result != nil {
		t.Fatalf("restore into the vault: %q", rd.errMsg.Text)
	}
	rd.parent = t.TempDir()
	rd.name.SetText("restored")
	test.Tap(rd.runB)
	h.u.wait()
	dest := filepath.Join(rd.parent, "restored")
	if rd.result == nil || !contains(cv, "casevault --vault "+dest) {
		t.Fatalf("restore result %v, message %q; texts %q", rd.result, rd.errMsg.Text, texts(cv))
	}
	// The restored vault opens with the passphrase and holds the client.
	s, err := app.Open(context.Background(), dest, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	cs, err := s.ListClients(context.Background(), app.ByName)
	if err != nil || len(cs) != 1 || cs[0].Name != canary {
		t.Fatalf("restored clients = %v, %v", cs, err)
	}
}

func TestProgressText(t *testing.T) {
	if got := fraction(app.BackupProgress{Bytes: 50, TotalBytes: 200, Objects: 9, TotalObjects: 10}); got != 0.25 {
		t.Errorf("fraction = %v", got)
	}
	if got := timeLeft(0.25, 30*time.Second); got != "about 1 minute left" && got != "about 2 minutes left" {
		t.Errorf("timeLeft = %q", got)
	}
	if got := timeLeft(0.5, 20*time.Second); got != "about 20 seconds left" {
		t.Errorf("timeLeft = %q", got)
	}
	if timeLeft(0.01, time.Minute) != "" || timeLeft(0.5, time.Second) != "" {
		t.Error("an estimate too early")
	}
	v := newProgressView("Copying")
	v.since = time.Now().Add(-10 * time.Second)
	v.cur = "Copying to the backup"
	v.set(app.BackupProgress{Phase: "Copying to the backup", Bytes: 5e6, TotalBytes: 10e6, Objects: 3, TotalObjects: 6})
	if !strings.Contains(v.detail.Text, "5.0 MB of 10 MB · 3 of 6 objects · about 10 seconds left") {
		t.Errorf("detail = %q", v.detail.Text)
	}
}

// TestBackupSystemDiskWarning: a backup on the laptop's own disk said
// nothing about it (issue 8 item 10); the result now warns plainly.
func TestBackupSystemDiskWarning(t *testing.T) {
	h := newBackupHarness(t)
	cv := h.u.w.Canvas()
	h.u.opts.backupVolume = func(string) (app.Drive, error) {
		return app.Drive{ID: "dev:8:1", MountPoint: "/", System: true}, nil
	}
	h.backups()
	h.u.targetChosen(filepath.Join(t.TempDir(), "backup"))
	test.Tap(button(t, cv, "Back up now"))
	h.u.wait()
	if !contains(cv, "Backup finished") || !contains(cv, "laptop's own disk") || !contains(cv, "does not protect against that") {
		t.Fatalf("no system-disk warning; texts %q", texts(cv))
	}
}

// TestBackupConfigMissingConfirm: with the config file of the backup gone,
// Back up now asks whether this is the right drive, and then writes a new
// config file and backs up (issue 8 item 9).
func TestBackupConfigMissingConfirm(t *testing.T) {
	h := newBackupHarness(t)
	cv := h.u.w.Canvas()
	target := filepath.Join(t.TempDir(), "backup")
	h.firstBackup(target)
	if err := os.Remove(filepath.Join(target, "config")); err != nil {
		t.Fatal(err)
	}
	test.Tap(h.backups().backupB)
	h.u.wait()
	if !contains(cv, "config file is missing") {
		t.Fatalf("no confirm for a missing config; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "This is the right drive: back up"))
	h.u.wait()
	if !contains(cv, "Backup finished") {
		t.Fatalf("no result after confirming; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "OK"))
	if n := snapshots(t, target); n != 2 {
		t.Fatalf("snapshots = %d", n)
	}
	if _, err := os.Stat(filepath.Join(target, "config")); err != nil {
		t.Fatalf("no new config: %v", err)
	}
}
