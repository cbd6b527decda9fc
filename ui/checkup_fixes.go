package ui

import (
	"context"
	"errors"
	"os"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// This file: the Security check's fixes that need more than one click but
// have no screen of their own: a passphrase whose key derivation is too
// light for this laptop (a new passphrase with settings measured today,
// app.Session.StrengthenUnlock), and adding a key file as a second factor
// (made here, saved on a USB stick).

// passFix is the dialog of a passphrase fix (tests reach its fields).
type passFix struct {
	current *entry
	np      *newPassPair
	kf      *keyFileRow // the user's key file, chosen again (strengthen)
	saveKF  *widget.Button
	keyFile []byte // the key file made (add a key file)
	okB     *widget.Button
	msg     *widget.Label
	d       dialog.Dialog
}

// passDialog strengthens the passphrase (addKeyFile false) or adds a key
// file to it (true). The current passphrase is asked first: someone at a
// laptop left unlocked cannot do it.
func (c *checkupScreen) passDialog(addKeyFile bool) {
	u := c.u
	s := u.sess
	u.touch()
	f := &passFix{current: u.newPassword("Current passphrase"), msg: errLabel()}
	c.passFix = f
	title := "Strengthen the passphrase"
	var body []fyne.CanvasObject
	if addKeyFile {
		title = "Add a key file"
		body = append(body,
			wrapped("A key file is a small file, kept on a USB stick, that must be there with your passphrase to unlock the vault: "+
				"someone who learns your passphrase still cannot open it. casevault makes the file now. Keep a copy with your recovery key: "+
				"without the key file, only the recovery key opens the vault."),
			bold("1. Your current passphrase (you keep it)"), f.current,
			bold("2. Save the key file on a USB stick"))
		f.saveKF = u.button("Save the key file…", theme.DocumentSaveIcon(), func() { c.saveKeyFile(f) })
		body = append(body, container.NewHBox(f.saveKF))
	} else {
		body = append(body,
			wrapped("Each try of a passphrase should take about a second on this laptop, so that someone who copies the vault "+
				"cannot try millions of them. casevault measures this laptop (a few seconds) and sets a new passphrase with those "+
				"settings."),
			bold("Your current passphrase"), f.current,
			bold("Your new passphrase"))
		f.np = u.newPassPair(func(bool) {})
		f.np.sess = s
		body = append(body, f.np.obj, f.np.problems)
		f.kf = u.newKeyFileRow()
		if s.User().KeyFile {
			f.kf.show("You unlock with a key file too: choose it again to keep it.")
			body = append(body, f.kf.obj)
		}
	}
	label := "Strengthen"
	if addKeyFile {
		label = "Add the key file"
	}
	f.okB = u.button(label, theme.ConfirmIcon(), func() { c.passSubmit(f, addKeyFile) })
	f.okB.Importance = widget.HighImportance
	cancel := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() {
		clear(f.keyFile)
		f.d.Hide()
		c.passFix = nil
	}))
	body = append(body, f.msg, container.NewHBox(cancel, layout.NewSpacer(), f.okB))
	f.d = dialog.NewCustomWithoutButtons(title, container.NewStack(&widthBox{width: 560}, container.NewVBox(body...)), u.w)
	f.d.Show()
	u.w.Canvas().Focus(f.current)
}

// saveKeyFile makes a key file and saves it where the person chooses.
func (c *checkupScreen) saveKeyFile(f *passFix) {
	u := c.u
	u.touch()
	kf, err := app.NewKeyFile()
	if err != nil {
		setMsg(f.msg, "No key file could be made: "+app.Message(err))
		return
	}
	saved := func(where string) {
		clear(f.keyFile)
		f.keyFile = kf
		f.saveKF.SetText("Saved: " + human.Truncate(where, 60))
		setMsg(f.msg, "")
	}
	if pick := u.opts.pickPath; pick != nil { // tests
		p := pick(false)
		if p == "" {
			return
		}
		if err := os.WriteFile(p, kf, 0o600); err != nil {
			setMsg(f.msg, "The key file was not saved: "+err.Error())
			return
		}
		saved(p)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		u.touch()
		if err != nil || w == nil {
			return
		}
		_, err = w.Write(kf)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			setMsg(f.msg, "The key file was not saved: "+err.Error())
			return
		}
		saved(w.URI().Name())
	}, u.w)
	d.SetFileName("casevault.key")
	d.Show()
}

// passSubmit checks the current passphrase, then makes the change.
func (c *checkupScreen) passSubmit(f *passFix, addKeyFile bool) {
	u := c.u
	s := u.sess
	u.touch()
	if f.current.Text == "" {
		setMsg(f.msg, "Type your current passphrase first.")
		return
	}
	cur := []byte(f.current.Text)
	var newPass, kf []byte
	if addKeyFile {
		if f.keyFile == nil {
			setMsg(f.msg, "Save the key file first (Save the key file…): the passphrase will work only together with it.")
			return
		}
		newPass, kf = slices.Clone(cur), slices.Clone(f.keyFile)
	} else {
		if !f.np.check() {
			setMsg(f.msg, "Choose a new passphrase that meets the rules, typed the same twice.")
			return
		}
		if f.kf.needed && f.kf.content == nil {
			setMsg(f.msg, "Choose your key file first (Key file…).")
			return
		}
		newPass, kf = []byte(f.np.p1.Text), slices.Clone(f.kf.content)
	}
	f.okB.Disable()
	if addKeyFile {
		setMsg(f.msg, "Checking your current passphrase…")
	} else {
		setMsg(f.msg, "Measuring this laptop: a few seconds…")
	}
	f.msg.Importance = widget.MediumImportance
	f.msg.Refresh()
	var oldKF []byte
	if !addKeyFile {
		oldKF = kf // the key file stays as it is
	}
	run(u, func(ctx context.Context) (struct{}, error) {
		defer clear(cur)
		defer clear(newPass)
		if err := s.CheckOwnPassphrase(ctx, cur, oldKF); err != nil {
			return struct{}{}, err
		}
		if addKeyFile {
			return struct{}{}, s.ChangeOwnPassphrase(ctx, newPass, kf)
		}
		return struct{}{}, s.StrengthenUnlock(ctx, newPass, kf)
	}, func(_ struct{}, err error) {
		f.okB.Enable()
		f.msg.Importance = widget.DangerImportance
		switch {
		case errors.Is(err, app.ErrNotCurrentPassphrase):
			setMsg(f.msg, "This is not your current passphrase: nothing was changed. Type the one you unlocked with.")
			f.current.SetText("")
			u.w.Canvas().Focus(f.current)
			return
		case err != nil:
			setMsg(f.msg, "Nothing was changed: "+app.Message(err))
			return
		}
		clear(f.keyFile)
		f.d.Hide()
		c.passFix = nil
		done := "Your passphrase is set with settings measured on this laptop today. Use the new one from now on."
		if addKeyFile {
			done = "From now on the vault opens with your passphrase and the key file together. Keep the USB stick apart from the laptop, and a copy with the recovery key."
		}
		dialog.ShowInformation("Done", done, u.w)
		c.run()
	})
}
