package ui

// Choosing where the backups go: a plugged-in USB drive or any folder.

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

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
