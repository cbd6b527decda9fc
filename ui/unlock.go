package ui

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// unlockScreen asks for the passphrase (or the recovery key).
type unlockScreen struct {
	u        *UI
	user     *entry // "" = the owner (a vault made before users, or the owner who leaves it empty)
	keyFile  *keyFileRow
	useKeyB  *widget.Button // I use a key file, while the key file row is hidden
	pass     *entry
	recovery bool
	unlockB  *widget.Button
	checkB   *widget.Button // Unlock and check…, after a lock that failed on damage (closeFailed)
	switchB  *widget.Button
	spinner  *widget.Activity
	status   *widget.Label
	errMsg   *widget.Label
	info     *widget.Label
	salvage  *fyne.Container // Open read-only / Repair… for a damaged vault (salvage.go)
	busy     bool
	waitTill time.Time
}

func (u *UI) showUnlock(reason string) {
	s := &unlockScreen{u: u, spinner: widget.NewActivity(), status: quiet(""), errMsg: errLabel(), info: hint(reason)}
	u.unlock, u.setup, u.restore = s, nil, nil
	s.pass = u.newPassword("Passphrase")
	s.pass.OnSubmitted = func(string) { s.submit() }
	s.user = u.newEntry("Your user name (leave empty if you created this vault)")
	s.user.SetText(app.LastUser(u.opts.Dir))
	s.user.OnSubmitted = func(string) { u.w.Canvas().Focus(s.pass) }
	s.user.OnChanged = func(string) { s.userChanged() }
	s.keyFile = u.newKeyFileRow()
	s.useKeyB = u.button("I use a key file", theme.FileIcon(), func() { s.keyFile.show("") })
	s.useKeyB.Importance = widget.LowImportance
	s.keyFile.onShow = func(shown bool) { s.useKeyB.Hidden = shown; s.useKeyB.Refresh() }
	s.unlockB = u.button("Unlock", theme.LoginIcon(), s.submit)
	s.unlockB.Importance = widget.HighImportance
	s.checkB = u.button("Unlock and check…", theme.SearchIcon(), func() { s.open(true) })
	if !u.lockDamaged {
		s.checkB.Hide()
	}
	s.switchB = u.button("Use the recovery key instead", nil, s.toggle)
	s.switchB.Importance = widget.LowImportance
	s.spinner.Hide()
	s.salvage = container.NewVBox()
	s.salvage.Hide()
	if u.closeProblem != "" { // closeFailed while the window showed something else
		s.info.SetText(strings.TrimSpace(reason + "\n" + u.closeProblem))
		reason, u.closeProblem = s.info.Text, ""
	}
	if reason == "" {
		s.info.Hide()
	}
	form := container.NewVBox(
		heading("Unlock your vault"),
		hint("Vault folder: "+u.opts.Dir),
		s.info,
		container.New(layout.NewFormLayout(), bold("User"), s.user, bold("Passphrase"), s.pass),
		s.keyFile.obj,
		container.NewHBox(s.unlockB, s.checkB, s.spinner, s.status),
		s.errMsg,
		s.salvage,
		container.NewHBox(s.switchB, s.useKeyB),
		widget.NewSeparator(),
		container.NewHBox(u.restoreButton(func() { u.showUnlock("") })),
	)
	// Client intake keeps running while the vault is locked: its banner
	// stays on top, with Stop (intake_start.go).
	u.w.SetContent(container.NewBorder(u.newIntakeBanner(), nil, nil, nil, centered(500, form)))
	u.checkOtherIntake(true)
	s.tick(u.now())
	s.userChanged()
	u.w.Canvas().Focus(s.pass)
}

// userName is the typed user name, trimmed; "" = the owner.
func (s *unlockScreen) userName() string { return strings.TrimSpace(s.user.Text) }

// userChanged shows the typed user's wait after wrong attempts (each
// user has their own) and asks the vault, in the background (it reads the
// header and derives nothing), whether that user needs a key file: the
// key file row shows then. A wrong guess here costs nothing: the unlock
// says app.ErrKeyFileNeeded, before any key derivation, and shows it too.
func (s *unlockScreen) userChanged() {
	u := s.u
	name, dir := s.userName(), u.opts.Dir
	s.tick(u.now())
	if s.recovery {
		return
	}
	run(u, func(context.Context) (bool, error) { return app.UserNeedsKeyFile(dir, name) },
		func(need bool, err error) {
			if u.unlock != s || s.userName() != name || s.recovery {
				return
			}
			switch {
			case err == nil && need:
				who := "You unlock"
				if name != "" {
					who = name + " unlocks"
				}
				s.keyFile.show(who + " with a key file as well as the passphrase: choose it (usually on your USB stick).")
			case err == nil && s.keyFile.needed && s.keyFile.content == nil:
				s.keyFile.hide() // another name, who needs none
			}
		})
}

// who is the user the typed credential is for: none for the recovery key
// (it is the owner's).
func (s *unlockScreen) who() string {
	if s.recovery {
		return ""
	}
	return s.userName()
}

// toggle switches between passphrase and recovery key.
func (s *unlockScreen) toggle() {
	s.recovery = !s.recovery
	s.pass.SetText("")
	setMsg(s.errMsg, "")
	if s.recovery {
		s.pass.Password = false
		s.pass.SetPlaceHolder("Recovery key: 9 groups of 4, like 7K3M-Q0ZD-…")
		s.switchB.SetText("Use the passphrase instead")
		s.user.Disable()
		s.keyFile.hide()
		s.useKeyB.Hide()
	} else {
		s.user.Enable()
		s.useKeyB.Show()
		s.userChanged()
		s.pass.Password = true
		s.pass.SetPlaceHolder("Passphrase")
		s.switchB.SetText("Use the recovery key instead")
	}
	s.pass.Refresh()
	s.u.w.Canvas().Focus(s.pass)
}

// tick shows the remaining wait after repeated failures.
func (s *unlockScreen) tick(now time.Time) {
	if s.busy {
		return
	}
	f := unlockFailures(s.u.opts.Dir, s.who())
	if w := f.Wait(now); w > 0 {
		s.waitTill = now.Add(w)
		s.unlockB.Disable()
		s.checkB.Disable()
		who := ""
		if n := s.who(); n != "" {
			who = " for " + n
		}
		s.status.SetText(fmt.Sprintf("%d wrong attempts%s: wait %s before the next try.", f.Count, who, human.Duration(w)))
		return
	}
	s.waitTill = time.Time{}
	s.unlockB.Enable()
	s.checkB.Enable()
	s.status.SetText("")
}

func (s *unlockScreen) submit() { s.open(false) }

// open unlocks with what was typed; check: then check the vault
// (Settings → Check this vault…).
func (s *unlockScreen) open(check bool) {
	u := s.u
	if s.busy || u.unlock != s {
		return
	}
	if now := u.now(); now.Before(s.waitTill) {
		s.tick(now)
		return
	}
	text := s.pass.Text
	if text == "" {
		setMsg(s.errMsg, "Type your passphrase first.")
		if s.recovery {
			setMsg(s.errMsg, "Type your recovery key first.")
		}
		return
	}
	var cred app.Credential
	name := s.who()
	if s.recovery {
		c, err := app.Recovery(text)
		if err != nil {
			setMsg(s.errMsg, app.Message(err))
			return
		}
		cred = c
	} else {
		if s.keyFile.needed && s.keyFile.content == nil {
			setMsg(s.errMsg, "Choose the key file first (Key file…).")
			return
		}
		cred = userCredential([]byte(text), name, s.keyFile.content)
	}
	keyFile := slices.Clone(s.keyFile.content) // for the change screen (ChangeOwnPassphrase keeps the key file)
	s.pass.SetText("")
	s.hideSalvage()
	s.busy = true
	s.user.Disable()
	s.pass.Disable()
	s.unlockB.Disable()
	s.checkB.Disable()
	s.switchB.Disable()
	s.spinner.Show()
	s.spinner.Start()
	const unlocking = "Unlocking… (deriving the key takes a second)"
	s.status.SetText(unlocking)
	// The session locked a moment ago may still be being saved, and holds
	// the vault until then: say so, rather than fail or seem stuck.
	saved := s.waitForSaving(unlocking)
	setMsg(s.errMsg, "")
	dir := u.opts.Dir
	run(u, func(ctx context.Context) (*app.Session, error) {
		saved()
		return app.Open(ctx, dir, cred, app.Options{})
	}, func(sess *app.Session, err error) {
		if u.unlock != s { // the window moved on (closed)
			if sess != nil {
				u.closeLater(sess, nil)
			}
			return
		}
		s.busy = false
		s.spinner.Stop()
		s.spinner.Hide()
		s.pass.Enable()
		if !s.recovery {
			s.user.Enable()
		}
		s.switchB.Enable()
		s.checkB.Enable()
		if err == nil {
			resetUnlockFailures(dir, name)
			if !s.recovery {
				app.RememberUser(dir, name)
			}
			recovered := s.recovery
			if info := sess.User(); info.MustChange || info.Expired || info.NeedKeyFile {
				u.showMustChange(sess, keyFile)
				return
			}
			u.opened(sess)
			if check {
				u.checkNow()
			}
			if recovered {
				dialog.ShowInformation("Opened with the recovery key",
					"If you have forgotten the passphrase, choose a new one now in Settings → Change the passphrase.\n"+
						"Your recovery key keeps working; put it back in its safe place.", u.w)
			}
			return
		}
		msg := unlockMessage(err, name, s.keyFile.content != nil)
		if errors.Is(err, app.ErrKeyFileNeeded) {
			s.keyFile.show("")
		}
		if isWrongKey(err) {
			f, _ := recordUnlockFailure(dir, name, u.now())
			if w := f.Wait(u.now()); w > 0 {
				msg += fmt.Sprintf(" After %d wrong attempts, each new try waits a little longer.", f.Count)
			}
		}
		setMsg(s.errMsg, msg)
		if app.CanRepair(err) {
			s.offerSalvage(cred, err)
		}
		s.tick(u.now())
		u.w.Canvas().Focus(s.pass)
	})
}

func isWrongKey(err error) bool {
	return errors.Is(err, app.ErrWrongCredential)
}

// setupScreen is the first-run flow: explanation and passphrase, then
// progress, then the recovery key.
type setupScreen struct {
	u       *UI
	name    *entry        // the owner's display name: signs their notes
	nameErr *widget.Label // under the button: it never moves it
	np      *newPassPair
	create  *widget.Button
	errMsg  *widget.Label
	key     string
	group   int // 1-based group the person must retype
	retype  *entry
	cont    *widget.Button
	keyText *widget.Label
}

// SetupExplanation is the two sentences at the top of the first-run screen.
const SetupExplanation = "casevault keeps your clients' files in an encrypted vault on this computer, " +
	"and only your passphrase (or the recovery key you will get next) can open it. " +
	"Nobody, including us, can recover the files without one of them, so choose a passphrase you will remember."

func (u *UI) showSetup() {
	s := &setupScreen{u: u, errMsg: errLabel(), nameErr: errLabel()}
	u.setup, u.unlock, u.restore = s, nil, nil
	s.create = u.button("Create the vault", theme.ConfirmIcon(), s.submit)
	s.create.Importance = widget.HighImportance
	s.create.Disable()
	s.name = u.newEntry("Your name as it signs your notes, e.g. Jane Roe, Esq.")
	s.np = u.newPassPair(func(bool) { s.ready() })
	s.name.OnChanged = func(string) { s.ready() }
	submitOn(s.create, s.name, s.np.p1, s.np.p2)
	where := hint("The vault will be created in " + u.opts.Dir)
	if app.VaultHalfMade(u.opts.Dir) {
		where.SetText("The vault will be created in " + u.opts.Dir + ". A vault was started there before but never finished " +
			"(its recovery key was not confirmed), so nobody can open it; it is replaced.")
	}
	form := container.NewVBox(
		heading("Welcome to casevault"),
		wrapped(SetupExplanation),
		where,
		bold("Your name"),
		s.name,
		bold("Choose a passphrase"),
		hint("A few unrelated words make a good one, e.g. \"lantern orbit velvet cactus\" (not this one)."),
		s.np.obj,
		container.NewHBox(s.create),
		s.nameErr,
		s.np.problems,
		s.errMsg,
		widget.NewSeparator(),
		bold("Moving to a new laptop, or lost the vault?"),
		hint("If you have a casevault backup (usually on a USB drive), get the vault back from it instead of creating a new one."),
		container.NewHBox(u.restoreButton(u.showSetup)),
	)
	u.w.SetContent(centered(560, form))
	u.w.Canvas().Focus(s.name)
}

// ready offers Create once the name is a good one and the passphrase
// passes, and says what is wrong with the name (under the button).
func (s *setupScreen) ready() bool {
	_, err := app.ValidateDisplayName(s.name.Text)
	msg := ""
	switch {
	case err != nil:
		msg = app.Message(err)
	case strings.TrimSpace(s.name.Text) == "" && s.np.p1.Text != "":
		msg = "Type your name first: it signs your notes (you can change it later in Settings)."
	}
	setMsg(s.nameErr, msg)
	ok := msg == "" && strings.TrimSpace(s.name.Text) != "" && s.np.problems.Text == "" && s.np.p1.Text != "" && s.np.p1.Text == s.np.p2.Text
	if ok {
		s.create.Enable()
	} else {
		s.create.Disable()
	}
	return ok
}

func (s *setupScreen) submit() {
	u := s.u
	if !s.np.check() || !s.ready() || u.setup != s {
		return
	}
	name, _ := app.ValidateDisplayName(s.name.Text)
	pass := []byte(s.np.p1.Text)
	s.np.clear()
	bar := widget.NewProgressBarInfinite()
	step := wrapped("Tuning the key derivation to take about one second on this computer…")
	u.w.SetContent(centered(560, container.NewVBox(heading("Creating your vault"), step, bar)))
	dir, kdf := u.opts.Dir, u.opts.KDF
	run(u, func(ctx context.Context) (app.RecoveryKey, error) {
		defer clear(pass)
		var p app.KDFParams
		if kdf != nil {
			p = *kdf
		} else {
			var err error
			if p, err = app.Calibrate(ctx); err != nil {
				return "", err
			}
		}
		u.do(func() { step.SetText("Creating the vault (" + p.String() + ")…") })
		return app.Init(ctx, dir, pass, app.InitOptions{KDF: p, DisplayName: name})
	}, func(rk app.RecoveryKey, err error) {
		bar.Stop()
		if err != nil {
			u.showSetup()
			u.setup.name.SetText(name)
			setMsg(u.setup.errMsg, "The vault was not created: "+app.Message(err))
			return
		}
		s.showKey(string(rk))
	})
}

func (s *setupScreen) showKey(key string) {
	u := s.u
	s.key = key
	groups := strings.Split(key, "-")
	n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(groups)-1)))
	s.group = int(n.Int64()) + 2 // never the first group: it is the one people glance at
	s.keyText = widget.NewLabel(key)
	s.keyText.TextStyle = fyne.TextStyle{Monospace: true}
	s.keyText.SizeName = theme.SizeNameSubHeadingText
	// Not selectable: a copy must go through the Copy button, whose
	// clipboard content is cleared after the delay and when the window closes.
	copyB := u.button("Copy", theme.ContentCopyIcon(), func() { u.copySecret(key) })
	saveB := u.button("Save as text file…", theme.DocumentSaveIcon(), s.save)
	s.retype = u.newEntry(fmt.Sprintf("Group %d of the key", s.group))
	s.cont = u.button("I have written it down: continue", theme.NavigateNextIcon(), s.finish)
	s.cont.Importance = widget.HighImportance
	s.cont.Disable()
	s.retype.OnChanged = func(t string) {
		if strings.EqualFold(strings.TrimSpace(t), groups[s.group-1]) {
			s.cont.Enable()
		} else {
			s.cont.Disable()
		}
	}
	s.retype.OnSubmitted = func(string) {
		if !s.cont.Disabled() {
			s.finish()
		}
	}
	u.w.SetContent(centered(620, container.NewVBox(
		heading("Your recovery key"),
		wrapped("If you ever forget your passphrase, this key is the only other way into the vault. "+
			"Write it on paper now and keep it away from this laptop, in a safe or a sealed envelope: "+
			"anyone with both the laptop and this key can read every client file. It is shown only this once."),
		s.keyText,
		container.NewHBox(copyB, saveB),
		bold(fmt.Sprintf("To check that you have it, type group %d (the %s group of four characters):", s.group, ordinal(s.group))),
		s.retype,
		container.NewHBox(s.cont),
	)))
	u.w.Canvas().Focus(s.retype)
}

func (s *setupScreen) save() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		_, err = fmt.Fprintf(w, "casevault recovery key\n\n    %s\n\nVault folder: %s\n\n"+
			"This key opens the vault if the passphrase is forgotten. Print it, then delete this file:\n"+
			"anyone with the laptop and this key can read every client file.\n", s.key, s.u.opts.Dir)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			dialog.ShowError(fmt.Errorf("the recovery key was not saved: %w", err), s.u.w)
		}
	}, s.u.w)
	d.SetFileName("casevault-recovery-key.txt")
	d.Show()
}

func (s *setupScreen) finish() {
	u := s.u
	// Only now, with the recovery key shown and a group of it retyped, does
	// the folder become the vault (app.ConfirmInit); a window closed before
	// this leaves an unfinished vault that the next setup starts over.
	if err := app.ConfirmInit(u.opts.Dir); err != nil {
		dialog.ShowError(fmt.Errorf("the vault could not be finished: %s", app.Message(err)), u.w)
		return
	}
	u.clearClipboard()
	s.key = ""
	u.showUnlock("Your vault is ready. Unlock it with the passphrase you just chose.")
}

func ordinal(n int) string {
	words := []string{"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"}
	if n > 0 && n < len(words) {
		return words[n]
	}
	return fmt.Sprintf("%dth", n)
}
