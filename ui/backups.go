package ui

// The backups the window runs, by request, every so often while the vault
// is open (Interval) and before it locks or the window closes (OnLock),
// and how they are shown: a progress dialog, the status line, the small
// modal over the unlock screen while the backup before locking runs.
//
// The state machine is app.BackupJobs (UI.jobs): at most one backup at a
// time, the interval backup, the backup on lock; a drill, restore or check
// holds the interval backup back (Hold). UI.job is the one the window shows,
// set and cleared on the UI goroutine.
//
// The rest of the backups in the window: the Backups screen
// (backups_screen.go) and its schedule (backups_schedule.go), the reminder
// banner (backups_banner.go), choosing the backup drive (backups_target.go),
// restore (backups_restore.go), drill and check (backups_drill.go), the
// credential form (backups_cred.go) and the progress helpers
// (backups_progress.go).

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

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
	if !u.sess.CanDo(access.Backup) {
		return // the role may not back up: no interval backup in its name
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
	if !s.CanDo(access.Backup) {
		// A role that may not back up (or a user who must first choose a
		// passphrase) makes no backup on lock: it would only be refused.
		return nil
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
