package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

// This file: the parts of unlocking that are about who unlocks (the user
// name, the key file, each user's wait after wrong attempts) and the
// screen of a user who must choose a new passphrase before anything else.

// userCredential is the passphrase of user name ("" = the owner), with
// the key file's content when one was chosen.
func userCredential(pass []byte, name string, keyFile []byte) app.Credential {
	c := app.Passphrase(pass)
	if name != "" {
		c = c.ForUser(name)
	}
	if keyFile != nil {
		c = c.WithKeyFile(keyFile)
	}
	return c
}

// unlockFailures is the wrong attempts of user name ("" = the owner) on
// this laptop, which the growing wait counts.
func unlockFailures(dir, name string) app.UnlockFailures {
	return app.LoadUserUnlockFailures(dir, name)
}

func recordUnlockFailure(dir, name string, now time.Time) (app.UnlockFailures, error) {
	return app.RecordUserUnlockFailure(dir, name, now)
}

func resetUnlockFailures(dir, name string) { app.ResetUserUnlockFailures(dir, name) }

// unlockMessage says why an unlock failed, in the words of who tried.
func unlockMessage(err error, name string, withKeyFile bool) string {
	switch {
	case errors.Is(err, app.ErrUnknownUser):
		return fmt.Sprintf("There is no user %q in this vault. Check the spelling of your name as the owner added you, "+
			"or leave the name empty if you created this vault.", name)
	case errors.Is(err, app.ErrKeyFileNeeded):
		return "This user unlocks with a key file as well as the passphrase. Choose it with Key file… and unlock again."
	case errors.Is(err, app.ErrWrongCredential) && name != "" && !withKeyFile:
		// The vault cannot tell an unknown name from a wrong passphrase
		// when its owner has no name (a vault made before users).
		return fmt.Sprintf("That passphrase does not open this vault for %s. Check the passphrase (Caps Lock, keyboard layout) "+
			"and your name as the owner added you; leave the name empty if you created this vault.", name)
	case errors.Is(err, app.ErrWrongCredential) && withKeyFile:
		return "That passphrase and key file do not open this vault. Check the passphrase (Caps Lock, keyboard layout) " +
			"and that you chose the right key file, unchanged since the owner gave it to you."
	}
	return app.Message(err)
}

// maxKeyFile is the largest key file read: any file can be a key file,
// but a film would only make each unlock slow.
const maxKeyFile = 64 << 20

// keyFileRow is the optional key file of the unlock screen: hidden until
// the user needs one or says they use one.
type keyFileRow struct {
	u       *UI
	obj     *fyne.Container
	why     *widget.Label
	name    *widget.Label
	chooseB *widget.Button
	clearB  *widget.Button
	content []byte // the chosen file's bytes; nil = none
	needed  bool   // the vault says this user needs one
	onShow  func(shown bool)
}

func (u *UI) newKeyFileRow() *keyFileRow {
	r := &keyFileRow{u: u, why: hint(""), name: quiet("No key file chosen")}
	r.chooseB = u.button("Key file…", theme.FileIcon(), r.choose)
	r.clearB = u.button("", theme.CancelIcon(), func() { r.set("", nil) })
	r.clearB.Importance = widget.LowImportance
	r.clearB.Hide()
	r.why.Hide()
	r.obj = container.NewVBox(r.why, container.NewBorder(nil, nil, r.chooseB, r.clearB, r.name))
	r.obj.Hide()
	return r
}

// show shows the row, with why when the vault asked for a key file.
func (r *keyFileRow) show(why string) {
	if why != "" {
		r.needed = true
		setMsg(r.why, why)
	}
	r.obj.Show()
	if r.onShow != nil {
		r.onShow(true)
	}
}

func (r *keyFileRow) hide() {
	r.set("", nil)
	r.needed = false
	r.obj.Hide()
	if r.onShow != nil {
		r.onShow(false)
	}
}

// set records the chosen file (name "" = none).
func (r *keyFileRow) set(name string, content []byte) {
	clear(r.content)
	r.content = content
	if name == "" {
		r.name.SetText("No key file chosen")
		r.clearB.Hide()
		return
	}
	r.name.SetText("Key file: " + name)
	r.clearB.Show()
}

func (r *keyFileRow) choose() {
	u := r.u
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		u.touch()
		if err != nil || rc == nil {
			return
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxKeyFile+1))
		switch {
		case err != nil:
			dialog.ShowError(fmt.Errorf("the key file could not be read: %w", err), u.w)
		case len(b) > maxKeyFile:
			dialog.ShowError(fmt.Errorf("%s is too big to be a key file (more than 64 MB): choose the file the owner gave you", rc.URI().Name()), u.w)
		case len(b) == 0:
			dialog.ShowError(fmt.Errorf("%s is empty, so it cannot be a key file: choose the file the owner gave you", rc.URI().Name()), u.w)
		default:
			r.set(rc.URI().Name(), b)
		}
	}, u.w)
	d.Show()
}

// mustChangeScreen: a user unlocked with a one-time passphrase the owner
// gave them, or with one that has expired. The session is open (it can
// do nothing else: app.ErrMustChangePassphrase) and the window shows only
// this until the new passphrase is saved, or the vault locked.
type mustChangeScreen struct {
	np      *newPassPair
	kf      *keyFileRow // when the owner's rules ask for a key file this user has not got yet
	saveB   *widget.Button
	errMsg  *widget.Label
	keyFile []byte
}

func (u *UI) showMustChange(sess *app.Session, keyFile []byte) {
	u.sess = sess
	u.unlock, u.setup, u.restore = nil, nil, nil
	u.touch()
	info := sess.User()
	s := &mustChangeScreen{errMsg: errLabel(), keyFile: keyFile}
	u.change = s
	s.saveB = u.button("Save my passphrase and open the vault", theme.ConfirmIcon(), func() { s.save(u, sess) })
	s.saveB.Importance = widget.HighImportance
	s.saveB.Disable()
	s.np = u.newPassPair(func(ok bool) {
		if ok {
			s.saveB.Enable()
		} else {
			s.saveB.Disable()
		}
	})
	s.np.policy, _ = sess.PassPolicy(context.Background())
	s.np.sess = sess
	s.np.p2.OnSubmitted = func(string) {
		if !s.saveB.Disabled() {
			s.save(u, sess)
		}
	}
	why := "You unlocked with the one-time passphrase the owner gave you. Choose your own now: " +
		"nobody else, not even the owner, will know it. The one-time passphrase stops working."
	switch {
	case info.MustChange:
	case info.Expired:
		why = "Your passphrase has expired: the vault's owner asks everyone to choose a new one every " +
			policyExpiry(s.np.policy) + ". Choose a new one to go on; it may not be one you used before."
	case info.NeedKeyFile:
		why = "The vault's owner now asks everyone to unlock with a key file as well as the passphrase. " +
			"Choose your key file (any file on a USB stick that you keep with you; the owner may have given you one) and a new passphrase."
	}
	s.kf = u.newKeyFileRow()
	if info.NeedKeyFile {
		s.kf.show("Your key file: from now on you choose it at every unlock, with your passphrase. Keep it off this laptop.")
		s.keyFile = nil
	}
	lockB := u.button("Lock", theme.LogoutIcon(), func() { u.lockNow("") })
	u.w.SetContent(newActivityArea(centered(560, container.NewVBox(
		heading("Choose your own passphrase, "+info.Name),
		wrapped(why),
		bold("What makes a good passphrase"),
		hint(policyHints(s.np.policy)),
		s.np.obj,
		s.kf.obj,
		container.NewHBox(s.saveB, lockB),
		s.np.problems,
		s.errMsg,
	)), u.touch))
	u.w.Canvas().Focus(s.np.p1)
}

func (s *mustChangeScreen) save(u *UI, sess *app.Session) {
	if !s.np.check() || u.change != s || u.sess != sess {
		return
	}
	kf := s.keyFile
	if s.kf.needed {
		if s.kf.content == nil {
			setMsg(s.errMsg, "Choose your key file first (Key file…).")
			return
		}
		kf = slices.Clone(s.kf.content)
	}
	pass := []byte(s.np.p1.Text)
	s.np.clear()
	s.saveB.Disable()
	setMsg(s.errMsg, "")
	run(u, func(ctx context.Context) (struct{}, error) {
		defer clear(pass)
		return struct{}{}, sess.ChangeOwnPassphrase(ctx, pass, kf)
	}, func(_ struct{}, err error) {
		if u.change != s {
			return
		}
		if err != nil {
			setMsg(s.errMsg, "Your passphrase was not changed: "+app.Message(err))
			return
		}
		u.change = nil
		u.opened(sess)
		dialog.ShowInformation("Passphrase saved", "From now on, unlock with your name and the passphrase you just chose.", u.w)
	})
}

// policyExpiry is the policy's expiry in words ("90 days").
func policyExpiry(p app.PassPolicy) string {
	if p.ExpiryDays == 1 {
		return "day"
	}
	return fmt.Sprintf("%d days", p.ExpiryDays)
}

// policyHints is the vault's passphrase policy in plain words.
func policyHints(p app.PassPolicy) string {
	min := p.MinLength
	if min <= 0 {
		min = 12
	}
	parts := []string{fmt.Sprintf("At least %d characters; a few unrelated words are best (e.g. \"lantern orbit velvet cactus\", not this one).", min),
		"Not a common password, and not your name."}
	if p.MinClasses > 1 {
		parts = append(parts, fmt.Sprintf("It must mix at least %d kinds of characters: small letters, capitals, digits, symbols.", p.MinClasses))
	}
	switch {
	case p.NoReuse == 1:
		parts = append(parts, "Not your last passphrase.")
	case p.NoReuse > 1:
		parts = append(parts, fmt.Sprintf("Not one of your last %d passphrases.", p.NoReuse))
	}
	return strings.Join(parts, " ")
}
