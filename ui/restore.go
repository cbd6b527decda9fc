package ui

// "Restore from a backup…" on the first-run and unlock screens: a new
// laptop gets its vault back in the window, with no vault open (the
// Backups screen restores only while a vault is open). It shares with the
// Backups screen's restore dialog the credential form, the snapshot
// choices, the destination check, the progress view and runWithProgress.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// RestoreButtonLabel is the button on the first-run and unlock screens.
const RestoreButtonLabel = "Restore from a backup…"

// restoreScreen: 1. the backup folder and the passphrase or recovery key
// (Open the backup lists its snapshots), 2. the snapshot (the newest by
// default) and the destination, Restore with progress; then the unlock
// screen of the restored vault.
type restoreScreen struct {
	u    *UI
	back func() // the screen it was opened from

	repo   *entry // the backup folder
	drives *fyne.Container
	cred   *credForm
	openB  *widget.Button
	status *widget.Label

	bk      *app.Backups    // the opened backup (its keys) until the restore or leaving
	snaps   []*app.Snapshot // newest first
	snapSel *widget.Select
	parent  string
	parentL *widget.Label
	name    *entry
	destH   *widget.Label
	step2   *fyne.Container

	runB, stopB, backB *widget.Button
	errMsg             *widget.Label
	pv                 *progressView
	cancel             context.CancelFunc
	busy               bool
	result             *app.RestoreReport // the restore done (tests)
}

// restoreButton opens the restore screen; back returns to the screen it is on.
func (u *UI) restoreButton(back func()) *widget.Button {
	b := u.button(RestoreButtonLabel, theme.DownloadIcon(), func() { u.showRestore(back) })
	return b
}

func (u *UI) showRestore(back func()) {
	r := &restoreScreen{u: u, back: back, status: wrapped(""), errMsg: errLabel(), pv: newProgressView("Restoring"),
		parentL: widget.NewLabel(""), destH: hint("")}
	u.restore, u.unlock, u.setup = r, nil, nil
	r.repo = u.newEntry("Folder of the backup, e.g. on the USB drive")
	r.repo.OnSubmitted = func(string) { u.w.Canvas().Focus(r.cred.pass) }
	if app.VaultExists(u.opts.Dir) {
		if set := app.LoadBackupSettings(u.opts.Dir); set.Target != "" {
			r.repo.SetText(set.Target)
		}
	}
	pick := u.folderButton("Choose folder…", func(path string) {
		r.repo.SetText(path)
		u.w.Canvas().Focus(r.cred.pass)
	})
	r.drives = container.NewVBox()
	r.fillDrives()
	r.cred = u.newCredForm(r.open)
	r.cred.pass.SetPlaceHolder("Passphrase of the vault at its last backup")
	r.openB = u.button("Open the backup", theme.NavigateNextIcon(), r.open)
	r.openB.Importance = widget.HighImportance

	r.parentL.Wrapping = fyne.TextWrapBreak
	r.name = u.newEntry("Name of the new folder")
	r.snapSel = widget.NewSelect(nil, nil)
	r.runB = u.button("Restore", theme.DownloadIcon(), r.start)
	r.runB.Importance = widget.HighImportance
	r.stopB = u.button("Stop", theme.CancelIcon(), func() {
		if r.cancel != nil {
			r.cancel()
		}
	})
	r.stopB.Hide()
	r.pv.obj.Hide()
	dest := u.folderButton("Choose folder…", func(path string) {
		r.parent = path
		r.parentL.SetText(path)
	})
	r.step2 = container.NewVBox(
		widget.NewSeparator(),
		bold("2. Choose the snapshot and where the vault goes"),
		container.New(layout.NewFormLayout(),
			bold("Snapshot"), r.snapSel,
			bold("Into the folder"), container.NewBorder(nil, nil, nil, dest, r.parentL),
			bold("New folder"), r.name,
		),
		r.destH,
		container.NewHBox(r.runB, r.stopB),
		r.pv.obj,
	)
	r.step2.Hide()
	r.backB = u.button("Back", theme.NavigateBackIcon(), r.leave)
	r.backB.Importance = widget.LowImportance

	form := container.NewVBox(
		heading("Restore from a backup"),
		wrapped("On a new laptop, or when the vault was lost: casevault recreates the vault from a snapshot in your backup folder "+
			"(usually on the USB drive). It opens with the passphrase, or the recovery key, that the vault had at that backup."),
		bold("1. The backup folder and its passphrase"),
		container.NewBorder(nil, nil, nil, pick, r.repo),
		r.drives,
		r.cred.pass,
		container.NewHBox(r.openB, r.cred.switchB),
		r.status,
		r.step2,
		r.errMsg,
		container.NewHBox(r.backB),
	)
	u.w.SetContent(centered(620, form))
	if r.repo.Text == "" {
		u.w.Canvas().Focus(r.repo)
	} else {
		u.w.Canvas().Focus(r.cred.pass)
	}
}

// fillDrives offers the USB drives that hold a casevault backup.
func (r *restoreScreen) fillDrives() {
	r.drives.RemoveAll()
	for _, d := range app.RemovableDrives() {
		dir := backupIn(d.MountPoint)
		if dir == "" {
			continue
		}
		r.drives.Add(r.u.button("Backup on "+d.Describe(), theme.StorageIcon(), func() {
			r.repo.SetText(dir)
			r.u.w.Canvas().Focus(r.cred.pass)
		}))
	}
}

// backupIn is the backup folder in dir: dir itself, or the subfolder a
// backup to a folder with other files in it uses; "" when neither.
func backupIn(dir string) string {
	for _, d := range []string{dir, filepath.Join(dir, backupSubfolder)} {
		if app.IsBackupRepo(d) {
			return d
		}
	}
	return ""
}

// open opens the backup with the typed credential and lists its snapshots.
func (r *restoreScreen) open() {
	u := r.u
	if r.busy || u.restore != r {
		return
	}
	dir := strings.TrimSpace(r.repo.Text)
	if dir == "" {
		setMsg(r.errMsg, "Choose the backup folder first: the folder the backups were made to, usually on the USB drive.")
		return
	}
	dir = filepath.Clean(dir)
	if d := backupIn(dir); d != "" {
		dir = d
	}
	// The same growing wait after wrong passphrases as the unlock screen,
	// counted per backup folder (the passphrase is usually the vault's).
	base := u.opts.StateDir
	if base == "" {
		base = app.UnlockStateBase()
	}
	state := ""
	if base != "" {
		state = app.RepoUnlockStateDir(base, dir)
		f := app.LoadUnlockFailures(state)
		if w := f.Wait(u.now()); w > 0 {
			setMsg(r.errMsg, fmt.Sprintf("%d wrong attempts: wait %s before the next try.", f.Count, human.Duration(w)))
			return
		}
	}
	cred, msg := r.cred.cred()
	if msg != "" {
		setMsg(r.errMsg, msg)
		return
	}
	r.closeBackup()
	r.step2.Hide()
	r.relayout()
	setMsg(r.errMsg, "")
	r.setBusy(true)
	r.status.SetText("Opening the backup… (deriving the key takes a second)")
	run(u, func(ctx context.Context) (opened, error) {
		bk, err := app.OpenBackups(ctx, dir, cred)
		if state != "" {
			app.Backoff{Now: u.now}.Done(state, err)
		}
		if err != nil {
			return opened{}, err
		}
		snaps, bad, err := bk.Snapshots(ctx)
		if err != nil {
			bk.Close()
			return opened{}, err
		}
		return opened{bk: bk, snaps: snaps, bad: len(bad)}, nil
	}, func(o opened, err error) {
		r.setBusy(false)
		r.status.SetText("")
		if u.restore != r { // left meanwhile
			if o.bk != nil {
				o.bk.Close()
			}
			return
		}
		if err != nil {
			setMsg(r.errMsg, r.openMessage(dir, err))
			u.w.Canvas().Focus(r.cred.pass)
			return
		}
		if len(o.snaps) == 0 {
			o.bk.Close()
			setMsg(r.errMsg, "This backup has no snapshots yet, so there is nothing to restore from it.")
			return
		}
		r.bk = o.bk
		r.snaps = newestFirst(o.snaps)
		r.showStep2(dir, o.bad)
	})
}

type opened struct {
	bk    *app.Backups
	snaps []*app.Snapshot
	bad   int
}

func (r *restoreScreen) openMessage(dir string, err error) string {
	if errors.Is(err, app.ErrNotRepo) {
		return "There is no casevault backup in " + dir + ". Choose the folder the backups were made to " +
			"(it holds the folders data, keys and snapshots); on a USB drive it is often the drive itself."
	}
	return credMessage(err)
}

// showStep2 shows the snapshots of the opened backup and the destination.
func (r *restoreScreen) showStep2(dir string, bad int) {
	u := r.u
	n := len(r.snaps)
	status := fmt.Sprintf("The backup in %s holds %s; the newest is chosen.", dir, human.Count(n, "snapshot", "snapshots"))
	if n == 1 {
		status = fmt.Sprintf("The backup in %s holds 1 snapshot.", dir)
	}
	switch {
	case bad == 1:
		status += " 1 snapshot file is damaged and not listed."
	case bad > 1:
		status += fmt.Sprintf(" %d snapshot files are damaged and not listed.", bad)
	}
	switch ref := r.bk.RefusedKeyFiles(); {
	case len(ref) == 1:
		status += " Warning: 1 key file in the backup was refused and not tried, because casevault never writes one like it: someone may have tampered with the backup drive."
	case len(ref) > 1:
		status += fmt.Sprintf(" Warning: %d key files in the backup were refused and not tried, because casevault never writes ones like them: someone may have tampered with the backup drive.", len(ref))
	}
	r.status.SetText(status)
	r.snapSel.Options = snapOptions(r.snaps)
	r.snapSel.SetSelectedIndex(0)
	r.parent = filepath.Dir(u.opts.Dir)
	if app.VaultExists(u.opts.Dir) {
		r.name.SetText("casevault-restored-" + u.now().Format("2006-01-02"))
		r.destH.SetText("A vault is already in " + u.opts.Dir + ": the backup goes into a new folder beside it, and that one is not changed.")
	} else {
		r.name.SetText(filepath.Base(u.opts.Dir))
		r.destH.SetText("This is where casevault looks for the vault when it starts.")
	}
	r.parentL.SetText(r.parent)
	r.step2.Show()
	r.relayout()
	u.w.Canvas().Focus(nil)
}

// start restores the chosen snapshot.
func (r *restoreScreen) start() {
	u := r.u
	if r.busy || r.bk == nil || u.restore != r {
		return
	}
	vaultDir := ""
	if app.VaultExists(u.opts.Dir) {
		vaultDir = u.opts.Dir
	}
	dest, p := restoreDest(r.parent, r.name.Text, vaultDir)
	if p != "" {
		setMsg(r.errMsg, p)
		return
	}
	i := r.snapSel.SelectedIndex()
	if i < 0 || i >= len(r.snaps) {
		setMsg(r.errMsg, "Choose a snapshot.")
		return
	}
	snapID := r.snaps[i].ID
	setMsg(r.errMsg, "")
	r.setBusy(true)
	r.runB.Hide()
	r.stopB.Show()
	r.pv.obj.Show()
	r.relayout()
	bk := r.bk
	r.cancel = runWithProgress(u, r.pv, func(ctx context.Context, progress app.ProgressFunc) (*app.RestoreReport, error) {
		return bk.Restore(ctx, dest, app.RestoreOptions{Snapshot: snapID, Progress: progress})
	}, func(rep *app.RestoreReport, err error) {
		r.cancel = nil
		r.setBusy(false)
		r.stopB.Hide()
		r.runB.Show()
		r.pv.obj.Hide()
		r.relayout()
		if u.restore != r {
			return
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				setMsg(r.errMsg, "The restore was stopped. Nothing was left in "+dest+".")
			} else {
				setMsg(r.errMsg, "Nothing was restored: "+app.Message(err))
			}
			return
		}
		r.result = rep
		r.done(rep)
	})
}

// done opens the unlock screen of the restored vault.
func (r *restoreScreen) done(rep *app.RestoreReport) {
	u := r.u
	r.closeBackup()
	u.restore = nil
	msg := fmt.Sprintf("Restored the backup of %s (snapshot %s, %s, each one checked). "+
		"Unlock it with the passphrase or recovery key the vault had then.",
		human.Time(rep.Snapshot.Time), rep.Snapshot.Short(), human.Count(rep.Objects, "object", "objects"))
	if filepath.Clean(rep.Dir) != filepath.Clean(u.opts.Dir) {
		u.opts.Dir = rep.Dir
		if u.opts.Settings == nil {
			u.set = app.LoadSettings(rep.Dir)
		}
		msg += " It is in a new folder: to open it next time, start casevault with: " + openCommand(rep.Dir)
	}
	u.showUnlock(msg)
}

// tick closes an opened backup left idle as long as the vault's auto-lock
// time: its keys are the vault's keys.
func (r *restoreScreen) tick(now time.Time) {
	u := r.u
	if r.bk == nil || r.busy || u.set.AutoLock <= 0 || now.Sub(u.lastActivity) < u.set.AutoLock {
		return
	}
	r.closeBackup()
	r.step2.Hide()
	r.relayout()
	r.status.SetText("")
	setMsg(r.errMsg, "The backup was closed after "+human.Duration(u.set.AutoLock)+" without activity. Type the passphrase or recovery key and open it again.")
}

// leave goes back to the screen the restore was opened from.
func (r *restoreScreen) leave() {
	if r.busy {
		return
	}
	r.closeBackup()
	r.u.restore = nil
	r.back()
}

// stop ends a running restore and wipes the keys of the opened backup (the
// window is closing).
func (r *restoreScreen) stop() {
	if r.cancel != nil {
		r.cancel()
	}
	if !r.busy {
		r.closeBackup()
	}
}

// relayout lays the screen out again after a part was shown or hidden.
func (r *restoreScreen) relayout() {
	if r.u.restore == r {
		r.u.w.Content().Refresh()
	}
}

func (r *restoreScreen) closeBackup() {
	if r.bk != nil {
		r.bk.Close()
		r.bk = nil
	}
}

func (r *restoreScreen) setBusy(on bool) {
	r.busy = on
	r.cred.enable(!on)
	for _, w := range []fyne.Disableable{r.repo, r.openB, r.backB, r.name, r.snapSel} {
		if on {
			w.Disable()
		} else {
			w.Enable()
		}
	}
}

// openCommand is the command that opens the window on the vault in dir.
func openCommand(dir string) string {
	if strings.ContainsAny(dir, " '\"") {
		dir = strconv.Quote(dir)
	}
	return "casevault --vault " + dir
}
