package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
)

// This file: what the open session's user may do, as the window shows it.
// The app checks every operation itself (a denied call is refused and
// audited); the window only hides or disables what the role may not use,
// so that nobody meets a refusal they could have been spared.

// can reports whether the signed-in user's role grants level on kind.
func (u *UI) can(k access.Kind, l access.Level) bool {
	return u.sess != nil && u.sess.Can(k, l)
}

// whoLabel is the top bar's "Signed in as Maria (Paralegal)".
func whoLabel(i app.UserInfo) string {
	if i.Name == "" {
		return ""
	}
	return fmt.Sprintf("%s (%s)", i.Name, i.Role)
}

// deniedHint is what a disabled control says: the message a denied call
// would give ("Your role (Paralegal) cannot delete clients; ask the owner").
func (u *UI) deniedHint(verb string) string {
	role := "your role"
	if u.sess != nil {
		role = u.sess.User().Role
	}
	return (&access.DeniedError{Role: role, Verb: verb}).Error() + "."
}

// allow enables b when the role may do v; else disables it and adds why
// to note (shown then; it stays hidden otherwise). The app refuses the
// call all the same.
func (u *UI) allow(b *widget.Button, v access.Verb, note *widget.Label) {
	if u.sess != nil && u.sess.CanDo(v) {
		b.Enable()
		return
	}
	b.Disable()
	if note != nil {
		h := u.deniedHint(v.Words)
		if !strings.Contains(note.Text, h) {
			note.SetText(strings.TrimSpace(note.Text + " " + h))
		}
		note.Show()
	}
}
