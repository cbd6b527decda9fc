package ui

// The Backups screen, the reminder banner above every screen, and the
// backups the window runs by itself: every so often while the vault is open
// (Interval) and before it locks or the window closes (OnLock).
//
// The state machine is app.BackupJobs (UI.jobs): at most one backup at a
// time, the interval backup, the backup on lock; a drill, restore or check
// holds the interval backup back (Hold). UI.job is the one the window shows,
// set and cleared on the UI goroutine.

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// DrillExplanation is what the restore drill dialog says first.
const DrillExplanation = "A drill proves the backup restores: it restores the latest snapshot into a temporary folder, " +
	"checks every record and deletes the copy. Type your passphrase — a drill also proves you remember it."

// backupSubfolder is used inside a chosen folder that has other files in it.
const backupSubfolder = "casevault-backup"

// How often the window re-reads the settings for the reminder banner (the
// interval backup looks every app.AutoBackupCheck).
const bannerRefresh = 5 * time.Minute

// backupJob is how the window shows one backup of u.jobs (the state
// machine is app.BackupJobs: one at a time, on lock, at intervals). Its
// fields are used on the UI goroutine only.
type backupJob struct {
	*app.BackupJob
	views  []*progressView                  // dialogs showing this backup
	onDone []func(*app.BackupReport, error) // on the UI goroutine, when it ended
}

// jobStart starts a backup with app.BackupJobs (start returns nil when it
// started none) and shows it; its progress and end reach the UI goroutine.
func (u *UI) jobStart(o app.BackupOptions, start func(app.BackupOptions, app.JobHooks) *app.BackupJob) *backupJob {
	bj := &backupJob{}
	if u.opts.backupVolume != nil {
		o.Volume = u.opts.backupVolume
	}
	progress := u.progressFunc(func(app.BackupProgress) {
		if u.job == bj {
			u.showJob(bj)
		}
	})
	u.pending.Add(1) // the end, delivered below
	j := start(o, app.JobHooks{
		Progress: func(_ *app.BackupJob, p app.BackupProgress) { progress(p) },
		Done: func(_ *app.BackupJob, rep *app.BackupReport, err error) {
			u.deliver(func() { u.jobDone(bj, rep, err) })
		},
	})
	if j == nil {
		u.pending.Add(-1)
		return nil
	}
	bj.BackupJob = j
	u.job = bj
	u.showJob(bj)
	return bj
}

// startBackup starts a backup of s to target in the background, unless one
// is running already (then nil).
func (u *UI) startBackup(s *app.Session, target string, kind app.JobKind, o app.BackupOptions) *backupJob {
	return u.jobStart(o, func(o app.BackupOptions, h app.JobHooks) *app.BackupJob {
		j, _ := u.jobs.Start(s, target, kind, o, h)
		return j
	})
}

func (u *UI) jobDone(j *backupJob, rep *app.BackupReport, err error) {
	if u.job == j {
		u.job = nil
	}
	for _, f := range j.onDone {
		f(rep, err)
	}
	u.showBackupStatus()
	u.backupsChanged()
}

func (u *UI) showJob(j *backupJob) {
	p := j.Progress()
	for _, v := range j.views {
		v.set(p)
	}
	u.showBackupStatus()
}

// showBackupStatus shows "Backing up… 45%" in the top bar and on the
// Backups screen while a backup of the open vault runs.
func (u *UI) showBackupStatus() {
	m := u.main
	if m == nil {
		return
	}
	text := ""
	if j := u.job; j != nil && j.Session() == u.sess {
		text = fmt.Sprintf("Backing up… %d%%", int(fraction(j.Progress())*100))
	}
	setMsg(m.bstatus, text)
	if m.backups != nil {
		setMsg(m.backups.status, text)
	}
}

// backupsChanged refreshes the banner and the Backups screen after a
// backup, a drill or a change of the backup settings.
func (u *UI) backupsChanged() {
	m := u.main
	if m == nil || u.sess == nil {
		return
	}
	m.banner.refresh()
	if m.backups != nil && m.showing == navBackups {
		m.backups.reload()
	}
}

// backupTick runs from u.tick: the interval backup and the banner refresh.
func (u *UI) backupTick(now time.Time) {
	if u.sess == nil || u.main == nil {
		return
	}
	if now.Sub(u.bannerAt) >= bannerRefresh || now.Before(u.bannerAt) {
		u.bannerAt = now
		u.main.banner.refresh()
	}
	s := u.sess
	u.jobStart(app.BackupOptions{}, func(o app.BackupOptions, h app.JobHooks) *app.BackupJob {
		return u.jobs.Tick(s, now, o, h)
	})
}

// lockBackup returns the backup that must end before s closes (see
// app.BackupJobs.ForLock): the one running for s, or (when want) a new one
// if the settings ask for a backup on lock and the backup drive is there.
func (u *UI) lockBackup(s *app.Session, want bool) *backupJob {
	if j := u.job; j != nil {
		if j.Session() != s {
			return nil
		}
		u.jobs.ForLock(s, false, app.BackupOptions{}, app.JobHooks{}) // marks it JobLock if it still runs
		return j
	}
	return u.jobStart(app.BackupOptions{}, func(o app.BackupOptions, h app.JobHooks) *app.BackupJob {
		return u.jobs.ForLock(s, want, o, h)
	})
}

// lockWait is the small modal over the unlock screen while the backup
// before locking (or closing) runs.
type lockWait struct {
	d     *dialog.CustomDialog
	title *widget.Label
	skipB *widget.Button
	after []func() // run once the backup ended or was skipped (closing the window)
	done  bool
}

// showLockBackup shows the modal for j; after (may be nil) runs when the
// backup ended or the person skipped it.
func (u *UI) showLockBackup(j *backupJob, after func()) {
	w := &lockWait{title: bold("Backing up before locking…")}
	u.lockWait = w
	pv := newProgressView("Backing up")
	w.skipB = u.button("Lock without backing up", theme.CancelIcon(), func() {
		j.Cancel()
		u.finishLockWait(w)
	})
	content := textBox(440, w.title,
		hint("The vault is already locked: nothing of it is shown. It closes when the backup has finished."),
		pv.obj)
	w.d = dialog.NewCustomWithoutButtons("Backup", content, u.w)
	w.d.SetButtons([]fyne.CanvasObject{w.skipB})
	j.views = append(j.views, pv)
	pv.set(j.Progress())
	j.onDone = append(j.onDone, func(_ *app.BackupReport, err error) {
		if err != nil && !errors.Is(err, context.Canceled) && !w.done && u.unlock != nil {
			info := u.unlock.info
			msg := "The backup before locking failed: " + app.Message(err) + " Backups shows it again after you unlock."
			if info.Visible() && info.Text != "" {
				msg = info.Text + " " + msg
			}
			info.SetText(msg)
			info.Show()
		}
		u.finishLockWait(w)
	})
	if after != nil {
		u.closeAfterLockWait(w, after)
	}
	w.d.Show()
}

// closeAfterLockWait: the window is being closed while w shows.
func (u *UI) closeAfterLockWait(w *lockWait, after func()) {
	w.after = append(w.after, after)
	w.title.SetText("Backing up before closing…")
	w.skipB.SetText("Close without backing up")
}

func (u *UI) finishLockWait(w *lockWait) {
	if w.done {
		return
	}
	w.done = true
	if u.lockWait == w {
		u.lockWait = nil
	}
	w.d.Hide()
	for _, f := range w.after {
		f()
	}
}

// afterLock runs after once no backup before locking is showing.
func (u *UI) afterLock(after func()) {
	if after == nil {
		return
	}
	if w := u.lockWait; w != nil && !w.done {
		u.closeAfterLockWait(w, after)
		return
	}
	after()
}

// textBox is a column of text at a readable width, for dialogs.
func textBox(width float32, objs ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(&widthBox{width: width}, container.NewVBox(objs...))
}

// showText shows a message in a dialog with an OK button.
func (u *UI) showText(title string, paras ...string) {
	var objs []fyne.CanvasObject
	for _, p := range paras {
		objs = append(objs, wrapped(p))
	}
	dialog.NewCustom(title, "OK", textBox(480, objs...), u.w).Show()
}

// stopped reports whether a recorded backup error is only the person
// stopping it (Stop, or "Lock without backing up").
func stopped(msg string) bool {
	return strings.Contains(msg, context.Canceled.Error())
}

// lastFailure is the last backup's failure when it failed after the last
// success, "" otherwise.
func lastFailure(set app.BackupSettings) string {
	if set.LastError == "" || !set.LastErrorAt.After(set.LastBackup) || stopped(set.LastError) {
		return ""
	}
	return set.LastError
}

// ---- The reminder banner ----

// backupBanner is the strip above every screen saying what is due.
type backupBanner struct {
	u       *UI
	text    *widget.Label
	backupB *widget.Button
	drillB  *widget.Button
	laterB  *widget.Button
	obj     fyne.CanvasObject
}

func newBackupBanner(u *UI) *backupBanner {
	b := &backupBanner{u: u, text: wrapped("")}
	b.backupB = u.button("Back up now", theme.UploadIcon(), u.backupNow)
	b.backupB.Importance = widget.HighImportance
	b.drillB = u.button("Run drill", theme.MediaReplayIcon(), func() {
		if m := u.main; m != nil {
			m.show(navBackups)
			m.backups.runDrill()
		}
	})
	b.laterB = u.button("Remind me tomorrow", nil, b.dismiss)
	b.laterB.Importance = widget.LowImportance
	bg := canvas.NewRectangle(tint(theme.Color(theme.ColorNameWarning), 0x38))
	bg.CornerRadius = theme.InputRadiusSize()
	icon := widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))
	row := container.NewBorder(nil, nil, container.NewCenter(icon),
		container.NewCenter(container.NewHBox(b.backupB, b.drillB, b.laterB)),
		container.New(minWidthLayout{240}, b.text))
	b.obj = container.NewPadded(container.NewStack(bg, row))
	b.obj.Hide()
	return b
}

// minWidthLayout lays its objects out at least w wide. A wrapped label
// laid out narrower, as in a passing layout before the window has its size,
// asks for one word per line, and the window grows to that height for good.
type minWidthLayout struct{ w float32 }

func (l minWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(max(size.Width, l.w), size.Height))
	}
}

func (l minWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		if o.Visible() {
			m = m.Max(o.MinSize())
		}
	}
	return m
}

func tint(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}

// refresh re-reads the backup settings and shows what is due, if anything.
func (b *backupBanner) refresh() {
	u := b.u
	if u.sess == nil {
		return
	}
	now := u.now()
	set := app.LoadBackupSettings(u.sess.Dir())
	var parts []string
	backupDue, drillDue := false, false
	if u.sess.ReadOnly() {
		// A damaged vault opened read-only: say so on every screen.
		parts = append(parts, "Read-only: this vault is damaged, so nothing can be changed. Back it up now, "+
			"then lock it and choose Repair… on the unlock screen to work again.")
		backupDue = true
	}
	if !now.Before(set.DismissedUntil) && !u.sess.ReadOnly() {
		if lastFailure(set) != "" { // the reason is on the Backups screen
			parts = append(parts, "The last backup, "+human.Time(set.LastErrorAt)+", failed. Open Backups to see why.")
			backupDue = true
		}
		if r := set.Reminder(now); r != nil {
			parts = append(parts, r.Text)
			backupDue = backupDue || r.BackupDue
			drillDue = r.DrillDue
		}
	}
	if len(parts) == 0 {
		b.obj.Hide()
		return
	}
	b.text.SetText(strings.Join(parts, " "))
	if set.Target == "" {
		b.backupB.SetText("Choose backup drive…")
	} else {
		b.backupB.SetText("Back up now")
	}
	show(b.backupB, backupDue)
	show(b.drillB, drillDue)
	show(b.laterB, !u.sess.ReadOnly())
	b.obj.Show()
}

func show(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
}

func (b *backupBanner) dismiss() {
	u := b.u
	if u.sess == nil {
		return
	}
	if err := app.DismissReminder(u.sess.Dir(), u.now()); err != nil {
		u.showText("The reminder could not be hidden", app.Message(err))
	}
	u.backupsChanged()
}

// ---- Backing up on request ----

// backupNow backs up to the chosen folder with a progress dialog, or asks
// for a folder first.
func (u *UI) backupNow() {
	s := u.sess
	if s == nil {
		return
	}
	if j := u.job; j != nil {
		if j.Session() == s { // the interval backup is running: show it
			u.watchJob(j, func(rep *app.BackupReport, err error) {
				u.backupResult(s, j.Target(), app.BackupOptions{}, "", rep, err)
			})
		}
		return
	}
	set := app.LoadBackupSettings(s.Dir())
	if set.Target == "" {
		u.chooseTarget()
		return
	}
	u.backupWithDialog(s, set.Target, app.BackupOptions{}, "")
}

// backupWithDialog runs a backup with a progress dialog and then shows its
// result; note is said with a success.
func (u *UI) backupWithDialog(s *app.Session, target string, o app.BackupOptions, note string) {
	j := u.startBackup(s, target, app.JobManual, o)
	if j == nil {
		return
	}
	u.watchJob(j, func(rep *app.BackupReport, err error) { u.backupResult(s, target, o, note, rep, err) })
}

// watchJob shows j in a progress dialog with a Stop button; result runs
// when it ended, if the vault is still open.
func (u *UI) watchJob(j *backupJob, result func(*app.BackupReport, error)) {
	d, pv := u.progressDialog("Backing up", "Backing up to "+j.Target(), "Preparing the backup", j.Cancel)
	j.views = append(j.views, pv)
	pv.set(j.Progress())
	s := j.Session()
	j.onDone = append(j.onDone, func(rep *app.BackupReport, err error) {
		d.Hide()
		if u.sess == s && j.Kind() != app.JobLock {
			result(rep, err)
		}
	})
}

// backupResult says how a backup went and offers the way on for the errors
// the person can do something about.
func (u *UI) backupResult(s *app.Session, target string, o app.BackupOptions, note string, rep *app.BackupReport, err error) {
	set := app.LoadBackupSettings(s.Dir())
	switch {
	case err == nil:
		snap := rep.Snapshot
		var paras []string
		if note != "" {
			paras = append(paras, note)
		}
		if rep.Created {
			paras = append(paras, "A new backup was set up in "+rep.Target+".")
		}
		what := "only what changed since the last backup"
		if rep.Created {
			what = "the whole vault, the first time"
		}
		paras = append(paras, fmt.Sprintf("Snapshot %s was saved in %s.", snap.Short(), rep.Target),
			fmt.Sprintf("%s added (%s) in %s. The snapshot holds %s and %s.",
				human.Size(snap.AddedBytes), what, human.Duration(rep.Duration), human.Count(snap.Counts["clients"], "client", "clients"),
				human.Count(snap.Counts["matters"], "matter", "matters")))
		for _, w := range rep.Warnings {
			paras = append(paras, "Note: "+w)
		}
		if rep.SystemDisk {
			paras = append(paras, "Warning: "+app.SystemDiskWarning+" Choose one in Backups → Choose backup drive.")
		}
		u.showText("Backup finished", paras...)
	case errors.Is(err, context.Canceled):
		u.showText("Backup stopped", "The backup was stopped before it finished. Nothing of it was kept; earlier backups are intact.")
	case errors.Is(err, app.ErrNotEmpty) && note == "" && filepath.Base(target) != backupSubfolder:
		// The folder has other files: back up into a new folder inside it.
		sub := filepath.Join(target, backupSubfolder)
		if filepath.Clean(set.Target) == filepath.Clean(target) {
			set.Target, set.RepoID = sub, ""
			if serr := app.SaveBackupSettings(s.Dir(), set); serr != nil {
				u.showText("Backup not made", "The backup settings could not be saved: "+app.Message(serr))
				return
			}
			u.backupsChanged()
		}
		u.backupWithDialog(s, sub, o, fmt.Sprintf("%s already has other files in it, so the backups go into a new folder inside it: %s", target, sub))
	case errors.Is(err, app.ErrWrongVolume) && !o.Moved:
		msg := textBox(500,
			wrapped("This folder is on another drive than the one the backup was set up on."),
			wrapped(app.Message(err)),
			wrapped("If you copied the backup to this drive on purpose, use this drive from now on. "+
				"If not, choose Cancel and plug in the original backup drive."))
		cd := dialog.NewCustomConfirm("Another drive?", "Use this drive from now on", "Cancel", msg, func(ok bool) {
			u.touch()
			if ok && u.sess == s {
				o.Moved = true
				u.backupWithDialog(s, target, o, note)
			}
		}, u.w)
		cd.Show()
	case errors.Is(err, app.ErrConfigMissing) && !o.RebuildConfig:
		msg := textBox(500,
			wrapped("The backup in "+target+" is damaged: its config file is missing (the file that records the drive it was set up on). Its snapshots are there and can still be restored; nothing was written."),
			wrapped("If this is the right backup drive, write a new config file and back up. If not, choose Cancel and plug in the right drive."))
		cd := dialog.NewCustomConfirm("Config file missing", "This is the right drive: back up", "Cancel", msg, func(ok bool) {
			u.touch()
			if ok && u.sess == s {
				o.RebuildConfig = true
				u.backupWithDialog(s, target, o, note)
			}
		}, u.w)
		cd.Show()
	case errors.Is(err, app.ErrTargetMissing) && !o.New && set.RepoID != "" && filepath.Clean(set.Target) == filepath.Clean(target):
		var d *dialog.CustomDialog
		newB := u.button("Start a new backup there…", nil, func() {
			d.Hide()
			cd := dialog.NewConfirm("Start a new backup?",
				"Start a new backup in "+target+"?\n\nOnly do this if the old backup drive is lost or was replaced.\n"+
					"The old backup's snapshots are not copied into the new one.",
				func(ok bool) {
					u.touch()
					if ok && u.sess == s {
						o.New = true
						u.backupWithDialog(s, target, o, note)
					}
				}, u.w)
			cd.SetConfirmText("Start a new backup")
			cd.Show()
		})
		okB := u.button("OK", nil, func() { d.Hide() })
		okB.Importance = widget.HighImportance
		d = dialog.NewCustomWithoutButtons("Plug in the backup drive", textBox(500,
			wrapped("There is no backup in "+target+" any more, although one was made there before: the backup drive is probably not plugged in. Nothing was written."),
			wrapped("Plug in the backup drive and choose Back up now again. If the drive was lost or replaced, start a new backup in this folder instead.")), u.w)
		d.SetButtons([]fyne.CanvasObject{newB, okB})
		d.Show()
	default:
		u.showText("Backup failed", app.Message(err), "Earlier backups are intact.")
	}
}

// ---- Choosing where the backups go ----

// chooseTarget lists the plugged-in USB drives and offers a folder dialog.
func (u *UI) chooseTarget() {
	if u.sess == nil {
		return
	}
	var d *dialog.CustomDialog
	list := container.NewVBox()
	fill := func() {
		u.touch()
		list.RemoveAll()
		drives := app.RemovableDrives()
		if len(drives) == 0 {
			list.Add(hint("No USB drive found. Plug one in and choose Look again, or choose a folder."))
		}
		for _, dr := range drives {
			list.Add(u.button(dr.Describe(), theme.StorageIcon(), func() {
				d.Hide()
				u.targetChosen(dr.MountPoint)
			}))
		}
		list.Refresh()
	}
	fill()
	other := u.button("Choose another folder…", theme.FolderOpenIcon(), func() {
		d.Hide()
		u.chooseFolder()
	})
	again := u.button("Look again", theme.ViewRefreshIcon(), fill)
	again.Importance = widget.LowImportance
	content := textBox(500,
		wrapped("Keep the backups on a USB drive that you store away from the laptop: a lost, stolen or broken laptop then costs you nothing. "+
			"The backups are encrypted; without your passphrase or recovery key nobody can read them."),
		bold("USB drives plugged in"), list,
		widget.NewSeparator(),
		container.NewHBox(other, again))
	d = dialog.NewCustom("Where should the backups go?", "Cancel", content, u.w)
	d.Show()
}

func (u *UI) chooseFolder() {
	fd := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		u.touch()
		if err != nil || l == nil {
			return
		}
		u.targetChosen(l.Path())
	}, u.w)
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// targetChosen is what the drive buttons and the folder dialog call: the
// backups go to path from now on. It offers to back up at once.
func (u *UI) targetChosen(path string) {
	s := u.sess
	if s == nil || path == "" {
		return
	}
	path = filepath.Clean(path)
	set := app.LoadBackupSettings(s.Dir())
	if filepath.Clean(set.Target) != path {
		set.Target, set.RepoID = path, "" // a new place: a new backup there
	}
	if err := app.SaveBackupSettings(s.Dir(), set); err != nil {
		u.showText("The backup folder was not saved", app.Message(err))
		return
	}
	u.backupsChanged()
	where := path
	if d, err := app.DriveOf(path); err == nil {
		where += "\non " + d.Describe()
	}
	loc := widget.NewLabel(where)
	loc.TextStyle = fyne.TextStyle{Monospace: true}
	loc.Wrapping = fyne.TextWrapBreak
	cd := dialog.NewCustomConfirm("Backup folder chosen", "Back up now", "Later", textBox(480,
		wrapped("The backups go to:"), loc,
		wrapped("Make the first backup now? It copies the whole vault; later backups copy only what changed.")),
		func(ok bool) {
			u.touch()
			if ok && u.sess == s {
				u.backupWithDialog(s, path, app.BackupOptions{}, "")
			}
		}, u.w)
	cd.Show()
}

// ---- The Backups screen ----

type backupsScreen struct {
	u        *UI
	obj      fyne.CanvasObject
	target   *widget.Label
	drive    *widget.Label
	last     *widget.Label
	lastErr  *widget.Label
	lastHint *widget.Label
	drill    *widget.Label
	status   *widget.Label
	checked  *widget.Label

	chooseB, backupB, drillB, restoreB, checkB *widget.Button

	onLock    *widget.Check
	interval  *widget.Select
	intervals []time.Duration
	remind    *entry
	drillDays *entry
	schedMsg  *widget.Label

	snaps   []*app.Snapshot // newest first
	table   *widget.Table
	snapMsg *widget.Label
	seq     int
	present bool // the backup folder holds its backup now

	drillD   *drillDialog   // the open drill dialog (tests)
	restoreD *restoreDialog // the open restore dialog (tests)
}

var intervalChoices = []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 4 * time.Hour, 0}

func intervalLabel(d time.Duration) string {
	switch {
	case d <= 0:
		return "off"
	case d == time.Hour:
		return "every hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("every %d hours", d/time.Hour)
	}
	return fmt.Sprintf("every %d min", d/time.Minute)
}

var snapCols = []struct {
	title string
	width float32
}{{"Time", 136}, {"Added", 70}, {"Clients", 62}, {"Matters", 64}, {"Snapshot", 78}}

func newBackupsScreen(u *UI) *backupsScreen {
	b := &backupsScreen{u: u, target: wrapped(""), drive: wrapped(""), last: wrapped(""), lastErr: errLabel(),
		lastHint: hint(""), drill: wrapped(""), status: quiet(""), checked: wrapped(""), schedMsg: quiet(""), snapMsg: wrapped("")}
	b.target.Wrapping = fyne.TextWrapBreak
	b.lastHint.Hide()
	b.status.Hide()
	b.checked.Hide()
	b.schedMsg.Hide()
	b.chooseB = u.button("Choose backup drive or folder…", theme.FolderOpenIcon(), u.chooseTarget)
	b.backupB = u.button("Back up now", theme.UploadIcon(), u.backupNow)
	b.backupB.Importance = widget.HighImportance
	b.drillB = u.button("Run restore drill…", theme.MediaReplayIcon(), b.runDrill)
	b.restoreB = u.button("Restore…", theme.DownloadIcon(), b.restore)
	b.checkB = u.button("Check backup", theme.SearchIcon(), b.check)

	// The schedule: the widgets get their values first, then their handlers,
	// so that showing the screen saves nothing.
	set := app.LoadBackupSettings(u.sess.Dir())
	b.onLock = widget.NewCheck("Back up when the vault locks or casevault closes", nil)
	b.onLock.SetChecked(set.OnLock)
	b.onLock.OnChanged = func(on bool) { b.saveSchedule(func(st *app.BackupSettings) { st.OnLock = on }) }
	b.intervals = append([]time.Duration(nil), intervalChoices...)
	found := false
	for _, d := range b.intervals {
		found = found || d == set.Interval
	}
	if !found { // set elsewhere (the command line): keep it as a choice
		b.intervals = append([]time.Duration{set.Interval}, b.intervals...)
	}
	var labels []string
	for _, d := range b.intervals {
		labels = append(labels, intervalLabel(d))
	}
	b.interval = widget.NewSelect(labels, nil)
	for i, d := range b.intervals {
		if d == set.Interval {
			b.interval.SetSelectedIndex(i)
		}
	}
	b.interval.OnChanged = func(string) {
		if i := b.interval.SelectedIndex(); i >= 0 {
			d := b.intervals[i]
			b.saveSchedule(func(st *app.BackupSettings) { st.Interval = d })
		}
	}
	b.remind = b.daysEntry(set.RemindAfterDays, func(st *app.BackupSettings, n int) { st.RemindAfterDays = n })
	b.drillDays = b.daysEntry(set.DrillEveryDays, func(st *app.BackupSettings, n int) { st.DrillEveryDays = n })

	b.table = widget.NewTable(func() (int, int) { return len(b.snaps), len(snapCols) },
		func() fyne.CanvasObject { return line("", false) },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(b.snaps) {
				o.(*widget.Label).SetText(snapCell(b.snaps[id.Row], id.Col))
			}
		})
	b.table.ShowHeaderRow = true
	b.table.CreateHeader = func() fyne.CanvasObject { return bold("") }
	b.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(snapCols) {
			o.(*widget.Label).SetText(snapCols[id.Col].title)
		}
	}
	for i, c := range snapCols {
		b.table.SetColumnWidth(i, c.width)
	}

	state := container.New(layout.NewFormLayout(),
		bold("Backup folder"), b.target,
		bold("Drive"), b.drive,
		bold("Last backup"), container.NewVBox(b.last, b.lastErr, b.lastHint),
		bold("Last restore drill"), b.drill,
	)
	left := container.NewVBox(
		container.NewBorder(nil, nil, heading("Backups"), b.status),
		container.NewHBox(b.chooseB, b.backupB),
		container.NewHBox(b.drillB, b.restoreB, b.checkB),
		b.checked,
		state,
		widget.NewSeparator(),
		bold("Schedule"),
		b.onLock,
		container.NewHBox(widget.NewLabel("Also back up while open:"), b.interval),
		container.NewHBox(widget.NewLabel("Remind me when there is no backup for"), fixedWidth(64, b.remind), widget.NewLabel("days")),
		container.NewHBox(widget.NewLabel("Remind me to run a restore drill every"), fixedWidth(64, b.drillDays), widget.NewLabel("days")),
		b.schedMsg,
	)
	right := container.NewBorder(container.NewVBox(bold("Snapshots"), b.snapMsg), nil, nil, nil, b.table)
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), container.NewPadded(right))
	split.SetOffset(0.54)
	b.obj = split
	b.reload()
	return b
}

// fixedWidth gives o the width w (entries in a line of text).
func fixedWidth(w float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

// daysEntry is a number of days, 1 to 365, saved as it is typed.
func (b *backupsScreen) daysEntry(n int, save func(*app.BackupSettings, int)) *entry {
	e := b.u.newEntry("")
	e.SetText(strconv.Itoa(n))
	e.OnChanged = func(t string) {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || n < 1 || n > 365 {
			b.schedMsg.Importance = widget.DangerImportance
			setMsg(b.schedMsg, "Type a number of days from 1 to 365.")
			return
		}
		b.saveSchedule(func(st *app.BackupSettings) { save(st, n) })
	}
	return e
}

func snapCell(s *app.Snapshot, col int) string {
	switch col {
	case 0:
		return human.Time(s.Time)
	case 1:
		return human.Size(s.AddedBytes)
	case 2:
		return strconv.Itoa(s.Counts["clients"])
	case 3:
		return strconv.Itoa(s.Counts["matters"])
	}
	return s.Short()
}

// saveSchedule changes the backup settings at once.
func (b *backupsScreen) saveSchedule(change func(*app.BackupSettings)) {
	u := b.u
	u.touch()
	if u.sess == nil {
		return
	}
	set := app.LoadBackupSettings(u.sess.Dir())
	change(&set)
	if err := app.SaveBackupSettings(u.sess.Dir(), set); err != nil {
		b.schedMsg.Importance = widget.DangerImportance
		setMsg(b.schedMsg, "Not saved: "+app.Message(err))
		return
	}
	b.schedMsg.Importance = widget.LowImportance
	setMsg(b.schedMsg, "Saved.")
	u.main.banner.refresh()
}

// reload shows the backup settings and lists the snapshots.
func (b *backupsScreen) reload() {
	u, s := b.u, b.u.sess
	if s == nil {
		return
	}
	now := u.now()
	set := app.LoadBackupSettings(s.Dir())
	b.present = set.TargetPresent()
	switch {
	case set.Target == "":
		b.target.SetText("No backup folder chosen yet")
		b.drive.SetText("—")
	default:
		b.target.SetText(set.Target)
		d, err := app.DriveOf(set.Target)
		switch {
		case err != nil:
			b.drive.SetText("Not connected: plug in the backup drive.")
		case d.System:
			b.drive.SetText(human.Capitalize(d.Describe()) + ". A backup on the laptop's own disk is lost with the laptop: a USB drive is safer.")
		default:
			b.drive.SetText(human.Capitalize(d.Describe()))
		}
	}
	if set.LastBackup.IsZero() {
		b.last.SetText("Never")
	} else {
		b.last.SetText(fmt.Sprintf("%s (%s), snapshot %s", human.Time(set.LastBackup), ago(now, set.LastBackup), short(set.LastSnapshot)))
	}
	switch f := lastFailure(set); {
	case f != "":
		setMsg(b.lastErr, "Failed on "+human.Time(set.LastErrorAt)+": "+f)
		b.lastHint.SetText("What to do: plug in the backup drive and choose Back up now. If it keeps failing, choose the drive or folder again.")
		b.lastHint.Show()
	case set.LastError != "" && set.LastErrorAt.After(set.LastBackup):
		setMsg(b.lastErr, "")
		b.lastHint.SetText("The backup of " + human.Time(set.LastErrorAt) + " was stopped before it finished.")
		b.lastHint.Show()
	default:
		setMsg(b.lastErr, "")
		b.lastHint.Hide()
	}
	switch {
	case set.LastDrill.IsZero():
		b.drill.Importance = widget.MediumImportance
		b.drill.SetText("Never. Run one to prove that the backup restores.")
	case set.LastDrillOK:
		b.drill.Importance = widget.SuccessImportance
		b.drill.SetText(fmt.Sprintf("%s (%s): passed", human.Time(set.LastDrill), ago(now, set.LastDrill)))
	default:
		b.drill.Importance = widget.DangerImportance
		b.drill.SetText(fmt.Sprintf("%s (%s): FAILED. Back up now, then run a drill again.", human.Time(set.LastDrill), ago(now, set.LastDrill)))
	}
	b.drill.Refresh()
	for _, bt := range []*widget.Button{b.drillB, b.restoreB, b.checkB} {
		if b.present {
			bt.Enable()
		} else {
			bt.Disable()
		}
	}

	b.seq++
	seq := b.seq
	if !b.present {
		b.snaps = nil
		b.table.Hide()
		switch {
		case set.Target == "":
			b.snapMsg.SetText("No backup folder chosen yet. Choose a backup drive or folder, then Back up now.")
		case set.RepoID == "":
			b.snapMsg.SetText("No backup in this folder yet. Choose Back up now.")
		default:
			b.snapMsg.SetText("The backup drive is not connected. Plug it in to see the snapshots.")
		}
		return
	}
	b.snapMsg.SetText("Reading the backup…")
	target := set.Target
	type listing struct {
		snaps []*app.Snapshot
		bad   int
	}
	run(u, func(ctx context.Context) (listing, error) {
		bk, err := s.OpenBackups(ctx, target)
		if err != nil {
			return listing{}, err
		}
		defer bk.Close()
		snaps, bad, err := bk.Snapshots(ctx)
		return listing{snaps, len(bad)}, err
	}, func(l listing, err error) {
		if seq != b.seq {
			return
		}
		b.snaps = nil
		for i := len(l.snaps) - 1; i >= 0; i-- { // newest first
			b.snaps = append(b.snaps, l.snaps[i])
		}
		show(b.table, len(b.snaps) > 0)
		b.table.Refresh()
		switch {
		case err != nil:
			b.snapMsg.SetText("The snapshots could not be read: " + app.Message(err))
		case len(b.snaps) == 0:
			b.snapMsg.SetText("No snapshots yet. Choose Back up now.")
		case len(b.snaps) == 1:
			b.snapMsg.SetText("1 snapshot. Each one restores the vault as it was then.")
		default:
			b.snapMsg.SetText(human.Count(len(b.snaps), "snapshot", "snapshots") + ", newest first. Each one restores the vault as it was then.")
		}
		if l.bad > 0 {
			b.snapMsg.SetText(b.snapMsg.Text + fmt.Sprintf(" %d damaged snapshot file(s): choose Check backup.", l.bad))
		}
	})
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// ago says how long ago t was, roughly.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return human.Count(int(d/time.Minute), "minute", "minutes") + " ago"
	case d < 48*time.Hour:
		return human.Count(int(d/time.Hour), "hour", "hours") + " ago"
	}
	return human.Count(int(d/(24*time.Hour)), "day", "days") + " ago"
}

// ready reports whether the backup folder can be used now, and says why
// not otherwise.
func (b *backupsScreen) ready() (string, bool) {
	u := b.u
	if u.sess == nil {
		return "", false
	}
	set := app.LoadBackupSettings(u.sess.Dir())
	switch {
	case set.Target == "":
		u.showText("No backup yet", "Choose a backup drive or folder and back up first.")
	case !set.TargetPresent():
		u.showText("The backup is not there", "There is no backup in "+set.Target+" now. Plug in the backup drive and try again.")
	case u.job != nil:
		u.showText("A backup is running", "Wait until the backup has finished, then try again.")
	default:
		return set.Target, true
	}
	return "", false
}

// credForm is a passphrase field that can switch to the recovery key.
type credForm struct {
	pass     *entry
	recovery bool
	switchB  *widget.Button
}

func (u *UI) newCredForm(submit func()) *credForm {
	c := &credForm{pass: u.newPassword("Passphrase")}
	c.pass.OnSubmitted = func(string) { submit() }
	c.switchB = u.button("Use the recovery key instead", nil, func() {
		c.recovery = !c.recovery
		c.pass.SetText("")
		if c.recovery {
			c.pass.Password = false
			c.pass.SetPlaceHolder("Recovery key: 9 groups of 4, like 7K3M-Q0ZD-…")
			c.switchB.SetText("Use the passphrase instead")
		} else {
			c.pass.Password = true
			c.pass.SetPlaceHolder("Passphrase")
			c.switchB.SetText("Use the recovery key instead")
		}
		c.pass.Refresh()
		u.w.Canvas().Focus(c.pass)
	})
	c.switchB.Importance = widget.LowImportance
	return c
}

// cred reads the typed credential and clears the field.
func (c *credForm) cred() (app.Credential, string) {
	text := c.pass.Text
	if text == "" {
		if c.recovery {
			return app.Credential{}, "Type your recovery key first."
		}
		return app.Credential{}, "Type your passphrase first."
	}
	if c.recovery {
		cr, err := app.Recovery(text)
		if err != nil {
			return app.Credential{}, app.Message(err)
		}
		c.pass.SetText("")
		return cr, ""
	}
	c.pass.SetText("")
	return app.Passphrase([]byte(text)), ""
}

func (c *credForm) enable(on bool) {
	for _, w := range []fyne.Disableable{c.pass, c.switchB} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

// credMessage is what a failed open of the backup with a typed credential says.
func credMessage(err error) string {
	if errors.Is(err, app.ErrWrongCredential) {
		return "That passphrase or recovery key does not open this backup. Check Caps Lock and the keyboard layout, then try again. " +
			"(A backup opens with the passphrase the vault had at the time of the last backup.)"
	}
	return app.Message(err)
}

// ---- Restore drill ----

type drillDialog struct {
	*formRun
	cred   *credForm
	errMsg *widget.Label
	runB   *widget.Button
	report *app.DrillReport // the last report shown (tests)
}

func (b *backupsScreen) runDrill() {
	u := b.u
	target, ok := b.ready()
	if !ok {
		return
	}
	dd := &drillDialog{formRun: u.newFormRun("Restoring"), errMsg: errLabel()}
	b.drillD = dd
	dd.cred = u.newCredForm(func() { b.startDrill(dd, target) })
	dd.runB = u.button("Run drill", theme.MediaReplayIcon(), func() { b.startDrill(dd, target) })
	dd.runB.Importance = widget.HighImportance
	cancelB := u.button("Cancel", theme.CancelIcon(), func() { dd.d.Hide() })
	content := textBox(520, wrapped(DrillExplanation), hint("Backup: "+target),
		dd.cred.pass, container.NewHBox(dd.cred.switchB), dd.errMsg, dd.pv.obj)
	dd.show(u, "Run a restore drill", content, cancelB, dd.runB)
	u.w.Canvas().Focus(dd.cred.pass)
}

func (b *backupsScreen) startDrill(dd *drillDialog, target string) {
	u, s := b.u, b.u.sess
	if dd.busy || s == nil {
		return
	}
	cred, msg := dd.cred.cred()
	if msg != "" {
		setMsg(dd.errMsg, msg)
		return
	}
	setMsg(dd.errMsg, "")
	dd.cred.enable(false)
	runForm(u, dd.formRun, func(ctx context.Context, progress app.ProgressFunc) (*app.DrillReport, error) {
		bk, err := app.OpenBackups(ctx, target, cred)
		if err != nil {
			return nil, err
		}
		defer bk.Close()
		return bk.Drill(ctx, app.DrillOptions{Session: s, Progress: progress})
	}, func(rep *app.DrillReport, err error) {
		if rep != nil { // the drill ran: passed or failed
			dd.report = rep
			dd.d.Hide()
			u.showDrillReport(rep)
			u.backupsChanged()
			return
		}
		dd.cred.enable(true)
		dd.running(false)
		if errors.Is(err, context.Canceled) {
			setMsg(dd.errMsg, "The drill was stopped.")
		} else {
			setMsg(dd.errMsg, credMessage(err))
		}
		u.w.Canvas().Focus(dd.cred.pass)
	})
}

// showDrillReport lists each check of a drill with a tick or a cross.
func (u *UI) showDrillReport(rep *app.DrillReport) {
	rows := container.NewVBox()
	lineHeight := widget.NewLabel("X").MinSize().Height
	var firstFail string
	for _, c := range rep.Checks {
		var icon fyne.Resource = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		if !c.OK {
			icon = theme.NewErrorThemedResource(theme.ErrorIcon())
			if firstFail == "" {
				firstFail = c.Name + ": " + c.Detail
			}
		}
		rt := widget.NewRichText(
			&widget.TextSegment{Text: c.Name + "  ", Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}},
			&widget.TextSegment{Text: c.Detail, Style: widget.RichTextStyleInline},
		)
		rt.Wrapping = fyne.TextWrapWord
		// The icon centred on the first line of text.
		cell := container.NewGridWrap(fyne.NewSize(theme.IconInlineSize(), lineHeight), container.NewCenter(widget.NewIcon(icon)))
		rows.Add(container.NewBorder(nil, nil, container.NewVBox(cell), nil, rt))
	}
	snap := "the snapshot"
	if rep.Snapshot != nil {
		snap = fmt.Sprintf("snapshot %s of %s", rep.Snapshot.Short(), human.Time(rep.Snapshot.Time))
	}
	title, summary := "Restore drill passed", wrapped("The backup restores: "+snap+" was restored into a temporary folder, every record was checked, and the copy was deleted.")
	summary.Importance = widget.SuccessImportance
	if !rep.OK {
		title = "Restore drill FAILED"
		summary = wrapped("The backup did NOT restore as it was recorded (" + firstFail + "). " +
			"Make a new backup now with Back up now, then run the drill again. If it fails again, keep this drive as it is and back up to another drive.")
		summary.Importance = widget.DangerImportance
	}
	times := quiet(fmt.Sprintf("Restore: %s. The whole drill: %s.", human.Duration(rep.RestoreTime), human.Duration(rep.TotalTime)))
	recorded := "The result is recorded in the backup"
	if rep.InVault {
		recorded += " and in the audit trail"
	}
	recorded += "."
	if rep.RecordNote != "" {
		recorded = rep.RecordNote
	}
	dialog.NewCustom(title, "Close", textBox(600, summary, rows, times, hint(recorded)), u.w).Show()
}

// ---- Restore ----

type restoreDialog struct {
	*formRun
	snapSel *widget.Select
	parent  string
	parentL *widget.Label
	name    *entry
	cred    *credForm
	errMsg  *widget.Label
	runB    *widget.Button
	result  *app.RestoreReport // the last restore done (tests)
}

func (b *backupsScreen) restore() {
	u := b.u
	target, ok := b.ready()
	if !ok {
		return
	}
	if len(b.snaps) == 0 {
		u.showText("Nothing to restore", "This backup has no snapshots yet.")
		return
	}
	snaps := b.snaps
	rd := &restoreDialog{formRun: u.newFormRun("Restoring"), errMsg: errLabel(), parentL: widget.NewLabel("")}
	b.restoreD = rd
	rd.parentL.Wrapping = fyne.TextWrapBreak
	rd.snapSel = widget.NewSelect(snapOptions(snaps), nil)
	rd.snapSel.SetSelectedIndex(0)
	rd.parent, _ = os.UserHomeDir()
	if rd.parent == "" {
		rd.parent = filepath.Dir(u.sess.Dir())
	}
	rd.parentL.SetText(rd.parent)
	rd.name = u.newEntry("Name of the new folder")
	rd.name.SetText("casevault-restored-" + u.now().Format("2006-01-02"))
	pick := u.folderButton("Choose folder…", func(path string) {
		rd.parent = path
		rd.parentL.SetText(rd.parent)
	})
	start := func() { b.startRestore(rd, target, snaps) }
	rd.cred = u.newCredForm(start)
	rd.runB = u.button("Restore", theme.DownloadIcon(), start)
	rd.runB.Importance = widget.HighImportance
	cancelB := u.button("Cancel", theme.CancelIcon(), func() { rd.d.Hide() })
	form := container.New(layout.NewFormLayout(),
		bold("Snapshot"), rd.snapSel,
		bold("Into the folder"), container.NewBorder(nil, nil, nil, pick, rd.parentL),
		bold("New folder"), rd.name,
	)
	content := textBox(560,
		wrapped("The backup is restored into a new folder, as a separate vault; the open vault is not changed. "+
			"Like on a new laptop, it needs the passphrase or the recovery key."),
		form, rd.cred.pass, container.NewHBox(rd.cred.switchB), rd.errMsg, rd.pv.obj)
	rd.show(u, "Restore a backup", content, cancelB, rd.runB)
	u.w.Canvas().Focus(rd.cred.pass)
}

// snapOptions are the choices of a snapshot list, newest first: snaps is
// newest first.
func snapOptions(snaps []*app.Snapshot) []string {
	var opts []string
	for i, s := range snaps {
		o := fmt.Sprintf("%s · %s · %s", human.Time(s.Time), s.Short(), human.Count(s.Counts["clients"], "client", "clients"))
		if i == 0 {
			o += " (latest)"
		}
		opts = append(opts, o)
	}
	return opts
}

// folderButton is a button that lets the person choose a folder and hands
// its path to chosen.
func (u *UI) folderButton(label string, chosen func(path string)) *widget.Button {
	return u.button(label, theme.FolderOpenIcon(), func() {
		fd := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			u.touch()
			if err == nil && l != nil {
				chosen(l.Path())
			}
		}, u.w)
		fd.Resize(fyne.NewSize(900, 600))
		fd.Show()
	})
}

// restoreDest is the folder a restore into a new folder name inside parent
// goes to, or why it cannot (problem); see restoreDestProblem.
func restoreDest(parent, name, vaultDir string) (dest, problem string) {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", "Type a name for the new folder (without / or \\)."
	}
	dest = filepath.Join(parent, name)
	return dest, restoreDestProblem(dest, vaultDir)
}

// restoreDestProblem says why dest cannot take a restore, or "". vaultDir
// is the vault folder a restore must stay out of ("" = none).
func restoreDestProblem(dest, vaultDir string) string {
	d, err1 := filepath.Abs(dest)
	if err1 != nil {
		return "That folder name cannot be used."
	}
	if rd, err := filepath.EvalSymlinks(filepath.Dir(d)); err == nil {
		d = filepath.Join(rd, filepath.Base(d))
	}
	if vaultDir != "" {
		v, err := filepath.Abs(vaultDir)
		if err != nil {
			return "That folder name cannot be used."
		}
		if rv, err := filepath.EvalSymlinks(v); err == nil {
			v = rv
		}
		if d == v || within(d, v) || within(v, d) {
			return "That is the vault's own folder, or a folder around or inside it. A restore never replaces a vault: choose another folder."
		}
	}
	es, err := os.ReadDir(d)
	switch {
	case err == nil && len(es) > 0:
		return d + " already has files in it. Type the name of a new folder."
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return "That folder cannot be used: " + err.Error()
	}
	return ""
}

// within reports whether path is strictly inside dir.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func (b *backupsScreen) startRestore(rd *restoreDialog, target string, snaps []*app.Snapshot) {
	u, s := b.u, b.u.sess
	if rd.busy || s == nil {
		return
	}
	dest, p := restoreDest(rd.parent, rd.name.Text, s.Dir())
	if p != "" {
		setMsg(rd.errMsg, p)
		return
	}
	i := rd.snapSel.SelectedIndex()
	if i < 0 || i >= len(snaps) {
		setMsg(rd.errMsg, "Choose a snapshot.")
		return
	}
	snapID := snaps[i].ID
	cred, msg := rd.cred.cred()
	if msg != "" {
		setMsg(rd.errMsg, msg)
		return
	}
	setMsg(rd.errMsg, "")
	rd.cred.enable(false)
	rd.name.Disable()
	rd.snapSel.Disable()
	runForm(u, rd.formRun, func(ctx context.Context, progress app.ProgressFunc) (*app.RestoreReport, error) {
		bk, err := app.OpenBackups(ctx, target, cred)
		if err != nil {
			return nil, err
		}
		defer bk.Close()
		return bk.Restore(ctx, dest, app.RestoreOptions{Snapshot: snapID, Progress: progress})
	}, func(rep *app.RestoreReport, err error) {
		if err == nil {
			rd.result = rep
			rd.d.Hide()
			u.showRestored(rep)
			return
		}
		rd.cred.enable(true)
		rd.name.Enable()
		rd.snapSel.Enable()
		rd.running(false)
		if errors.Is(err, context.Canceled) {
			setMsg(rd.errMsg, "The restore was stopped. Nothing was left in "+dest+".")
		} else {
			setMsg(rd.errMsg, credMessage(err))
		}
		u.w.Canvas().Focus(rd.cred.pass)
	})
}

func (u *UI) showRestored(rep *app.RestoreReport) {
	cmd := openCommand(rep.Dir)
	cmdL := widget.NewLabel(cmd)
	cmdL.TextStyle = fyne.TextStyle{Monospace: true}
	cmdL.Wrapping = fyne.TextWrapBreak
	copyB := u.button("Copy the command", theme.ContentCopyIcon(), func() { u.a.Clipboard().SetContent(cmd) })
	copyB.Importance = widget.LowImportance
	dialog.NewCustom("Restored", "OK", textBox(540,
		wrapped(fmt.Sprintf("Snapshot %s of %s was restored to %s: %s (%s) in %s, each one checked.",
			rep.Snapshot.Short(), human.Time(rep.Snapshot.Time), rep.Dir, human.Count(rep.Objects, "object", "objects"), human.Size(rep.Bytes), human.Duration(rep.Duration))),
		wrapped("It is a separate vault: it opens with the passphrase or recovery key the vault had then. Open it with:"),
		cmdL, container.NewHBox(copyB)), u.w).Show()
}

// ---- Check backup ----

func (b *backupsScreen) check() {
	u, s := b.u, b.u.sess
	target, ok := b.ready()
	if !ok {
		return
	}
	var stop context.CancelFunc
	d, pv := u.progressDialog("Checking the backup", "Every stored piece of every snapshot is read back from "+target+" and checked.",
		"Reading the backup", func() { stop() })
	b.checked.Importance = widget.MediumImportance
	setMsg(b.checked, "Checking the backup…")
	stop = runWithProgress(u, pv, func(ctx context.Context, progress app.ProgressFunc) (*app.VerifyReport, error) {
		bk, err := s.OpenBackups(ctx, target)
		if err != nil {
			return nil, err
		}
		defer bk.Close()
		return bk.Verify(ctx, app.VerifyOptions{ReadData: true}, progress)
	}, func(rep *app.VerifyReport, err error) {
		d.Hide()
		var text string
		switch {
		case errors.Is(err, context.Canceled):
			b.checked.Importance = widget.MediumImportance
			text = "The check was stopped."
		case rep != nil && len(rep.Problems) > 0:
			b.checked.Importance = widget.DangerImportance
			var ps []string
			for _, p := range rep.Problems {
				ps = append(ps, "• "+p.String())
			}
			text = fmt.Sprintf("Check FAILED: %d problem(s) found.\n%s\nSnapshots without problems: %d of %d. Back up now to make a good new snapshot; if the problems stay, back up to another drive.",
				len(rep.Problems), strings.Join(ps, "\n"), len(rep.Healthy), rep.Snapshots)
		case err != nil:
			b.checked.Importance = widget.DangerImportance
			text = "The backup could not be checked: " + app.Message(err)
		default:
			b.checked.Importance = widget.SuccessImportance
			text = fmt.Sprintf("Check passed: %d snapshot(s); all %d stored pieces (%s) read back and authenticated in %s.",
				rep.Snapshots, rep.Blobs, human.Size(rep.BytesRead), human.Duration(rep.Duration))
		}
		setMsg(b.checked, text)
		b.checked.Refresh()
	})
}
