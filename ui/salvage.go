package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

// What the unlock screen offers when the vault did not open because it is
// damaged in a way app can work around (docs/FORMAT.md 6.1 and 7.1): "Open
// read-only" for a damaged log of recent changes, "Repair…" for that and for
// a folder that mixes two versions of the vault.

// SalvageExplanation and MixedExplanation are shown above the buttons.
const (
	SalvageExplanation = "Open read-only shows everything saved before the damage, so that you can back it up " +
		"(Back up now) and export it; nothing can be changed. Repair… keeps the same, makes it the vault's new " +
		"starting point and lets you work again; the damaged part is moved to the vault's quarantine folder, never deleted."
	MixedExplanation = "Repair… brings back the newest version of the vault and lets you work again; the other " +
		"version's files are moved to the vault's quarantine folder, never deleted."
	CopyExplanation = "Repair… puts back the copy casevault keeps of the damaged file and lets you work again; " +
		"the damaged file is moved to the vault's quarantine folder, never deleted."
)

// offerSalvage shows the buttons for err under the unlock error, with the
// credential that unlocked the key (the person need not type it again).
func (s *unlockScreen) offerSalvage(cred app.Credential, err error) {
	u := s.u
	text := CopyExplanation
	if errors.Is(err, app.ErrMixedVersions) {
		text = MixedExplanation
	}
	var buttons []fyne.CanvasObject
	if app.CanOpenReadOnly(err) {
		text = SalvageExplanation
		ro := u.button("Open read-only", theme.VisibilityIcon(), func() { s.openReadOnly(cred) })
		ro.Importance = widget.HighImportance
		buttons = append(buttons, ro)
	}
	buttons = append(buttons, u.button("Repair…", theme.SettingsIcon(), func() { s.confirmRepair(cred, err) }))
	s.salvage.Objects = []fyne.CanvasObject{wrapped(text), container.NewHBox(buttons...)}
	s.salvage.Show()
	s.salvage.Refresh()
}

func (s *unlockScreen) hideSalvage() {
	s.salvage.Objects = nil
	s.salvage.Hide()
}

// openReadOnly opens the damaged vault read-only; its notice explains what
// is shown and what is missing.
func (s *unlockScreen) openReadOnly(cred app.Credential) {
	u := s.u
	if s.busy || u.unlock != s {
		return
	}
	s.setBusy(true, "Opening read-only…")
	saved := s.waitForSaving("Opening read-only…")
	dir := u.opts.Dir
	run(u, func(ctx context.Context) (*app.Session, error) {
		saved()
		return app.OpenReadOnly(ctx, dir, cred, app.Options{})
	}, func(sess *app.Session, err error) {
		if u.unlock != s {
			if sess != nil {
				u.closeLater(sess, nil)
			}
			return
		}
		s.setBusy(false, "")
		if err != nil {
			setMsg(s.errMsg, app.Message(err))
			return
		}
		u.opened(sess)
	})
}

// confirmRepair explains the repair, runs it on yes, and shows what it did.
func (s *unlockScreen) confirmRepair(cred app.Credential, cause error) {
	u := s.u
	what := "Repair keeps everything saved before the damage and lets you work again. The damaged part is moved to the " +
		"quarantine folder inside the vault folder, never deleted. Back up first if you can (Open read-only, then Back up now)."
	switch {
	case errors.Is(cause, app.ErrMixedVersions):
		what = "Repair brings back the newest version of the vault. The other version's files are moved to the " +
			"quarantine folder inside the vault folder, never deleted."
	case !app.CanOpenReadOnly(cause):
		what = "Repair puts back the copy casevault keeps of the damaged file. The damaged file is moved to the " +
			"quarantine folder inside the vault folder, never deleted."
	}
	dialog.ShowConfirm("Repair the vault?", what, func(ok bool) {
		if !ok || s.busy || u.unlock != s {
			return
		}
		s.setBusy(true, "Repairing…")
		saved := s.waitForSaving("Repairing…")
		dir := u.opts.Dir
		run(u, func(ctx context.Context) (*app.RepairReport, error) {
			saved()
			return app.Repair(ctx, dir, cred, app.Options{})
		}, func(rep *app.RepairReport, err error) {
			if u.unlock != s {
				return
			}
			s.setBusy(false, "")
			if err != nil {
				setMsg(s.errMsg, "The repair did not finish: "+app.Message(err))
				return
			}
			s.hideSalvage()
			setMsg(s.errMsg, "")
			u.showText("The vault was repaired", append(rep.Lines(), "Unlock it now, and back it up.")...)
			s.info.SetText("Repaired: " + strings.Join(rep.Lines()[:1], " "))
			s.info.Show()
			u.w.Canvas().Focus(s.pass)
		})
	}, u.w)
}

// setBusy disables the unlock screen while a salvage or repair runs.
func (s *unlockScreen) setBusy(busy bool, status string) {
	s.busy = busy
	s.status.SetText(status)
	for _, w := range []fyne.Disableable{s.pass, s.unlockB, s.checkB, s.switchB} {
		if busy {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	for _, o := range s.salvage.Objects {
		if box, ok := o.(*fyne.Container); ok {
			for _, b := range box.Objects {
				if d, ok := b.(fyne.Disableable); ok {
					if busy {
						d.Disable()
					} else {
						d.Enable()
					}
				}
			}
		}
	}
	if busy {
		s.spinner.Show()
		s.spinner.Start()
	} else {
		s.spinner.Stop()
		s.spinner.Hide()
		s.tick(s.u.now())
	}
}
