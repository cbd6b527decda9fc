package ui

// Restoring a snapshot from the Backups screen into a new folder, and what
// it shares with the restore screen of restore.go (the destination check,
// the snapshot choices, the folder button).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

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
	cancelB := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { rd.d.Hide() }))
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
