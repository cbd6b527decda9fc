package ui

// The passphrase or recovery key typed to open a backup (drill, restore).

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

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
