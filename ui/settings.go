package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

type settingsScreen struct {
	u       *UI
	obj     fyne.CanvasObject
	lockSel *widget.Select
	clipSel *widget.Select
	saved   *widget.Label
	name    *entry // the display name that signs notes
	nameB   *widget.Button
	nameMsg *widget.Label
	current *entry // the current passphrase, asked before a change
	np      *newPassPair
	keyFile *keyFileRow // the user's key file, when their slot needs one
	changeB *widget.Button
	passMsg *widget.Label
	kdf     *widget.Label
	counts  *widget.Label

	askDoc   *widget.Check  // Ask before saving a new version of an opened document
	limitSel *widget.Select // the size limit of documents
	limitMsg *widget.Label
	limits   []int64 // limitSel's choices, in bytes

	checkB   *widget.Button // Check this vault… (check.go)
	checkMsg *widget.Label
	checking bool
	report   *app.CheckReport // the last check's (tests)
}

var lockChoices = []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute}
var clipChoices = []time.Duration{15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute}

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{u: u, saved: quiet(""), passMsg: wrapped(""), counts: widget.NewLabel(""), checkMsg: wrapped("")}
	s.checkB = u.button("Check this vault…", theme.SearchIcon(), s.checkVault)
	s.checkMsg.Hide()
	var lockOpts, clipOpts []string
	for _, d := range lockChoices {
		lockOpts = append(lockOpts, "after "+human.Duration(d)+" without activity")
	}
	lockOpts = append(lockOpts, "never (not recommended)")
	for _, d := range clipChoices {
		clipOpts = append(clipOpts, "after "+human.Duration(d))
	}
	s.lockSel = widget.NewSelect(lockOpts, func(string) {
		i := s.lockSel.SelectedIndex()
		if i < 0 {
			return
		}
		var d time.Duration
		if i < len(lockChoices) {
			d = lockChoices[i]
		}
		s.save(func(st *app.Settings) { st.AutoLock = d })
	})
	s.clipSel = widget.NewSelect(clipOpts, func(string) {
		if i := s.clipSel.SelectedIndex(); i >= 0 {
			s.save(func(st *app.Settings) { st.ClipboardClear = clipChoices[i] })
		}
	})
	for i, d := range lockChoices {
		if d == u.set.AutoLock {
			s.lockSel.SetSelectedIndex(i)
		}
	}
	if u.set.AutoLock == 0 {
		s.lockSel.SetSelectedIndex(len(lockChoices))
	}
	for i, d := range clipChoices {
		if d == u.set.ClipboardClear {
			s.clipSel.SetSelectedIndex(i)
		}
	}
	s.saved.SetText("")
	s.saved.Hide()
	s.changeB = u.button("Change passphrase", theme.ConfirmIcon(), s.change)
	s.changeB.Disable()
	s.current = u.newPassword("Current passphrase")
	s.np = u.newPassPair(func(bool) { s.enableChange() })
	s.current.OnChanged = func(string) {
		if s.passMsg.Importance == widget.DangerImportance {
			s.passMsg.SetText("") // the refusal was about the current passphrase: retyped now
		}
		s.enableChange()
	}
	submitOn(s.changeB, s.current, s.np.p1, s.np.p2)
	sess := u.sess
	s.np.sess = sess
	s.keyFile = u.newKeyFileRow()
	if sess.User().KeyFile {
		s.keyFile.show("You unlock with a key file too: choose it again (or a new one) to keep it with the new passphrase.")
	}
	s.name, s.nameMsg = u.newEntry("Your name as it signs your notes, e.g. Jane Roe, Esq."), wrapped("")
	s.name.SetText(sess.User().DisplayName)
	s.nameB = u.button("Save name", theme.DocumentSaveIcon(), s.saveName)
	s.nameB.Disable()
	s.name.OnChanged = func(t string) {
		_, err := app.ValidateDisplayName(t)
		switch {
		case err != nil:
			s.nameMsg.Importance = widget.DangerImportance
			s.nameMsg.SetText(app.Message(err))
			s.nameB.Disable()
		default:
			s.nameMsg.SetText("")
			s.nameB.Enable()
		}
		s.nameMsg.Refresh()
	}
	submitOn(s.nameB, s.name)
	docs := s.documentsPart()
	s.kdf = widget.NewLabel(sess.KDF().String())
	prefs := container.New(layout.NewFormLayout(),
		bold("Lock the vault"), s.lockSel,
		bold("Clear copied client details"), s.clipSel,
	)
	body := container.NewVBox(
		heading("Settings"),
		prefs, s.saved,
		hint("The vault also locks when this window is closed, and at once with Ctrl+L or the Lock button."),
		widget.NewSeparator(),
		docs,
		widget.NewSeparator(),
		bold("Your name"),
		hint("Your notes are signed with it, and the vault's reports name you with it. Empty: your user name ("+sess.User().Name+")."),
		s.name, container.NewHBox(s.nameB), s.nameMsg,
		widget.NewSeparator(),
		bold("Change the passphrase"),
		hint(passChangeHint(sess.User())),
		s.current, s.np.obj, s.keyFile.obj, container.NewHBox(s.changeB), s.np.problems, s.passMsg,
		widget.NewSeparator(),
		bold("This vault"),
		container.New(layout.NewFormLayout(),
			bold("Folder"), widget.NewLabel(sess.Dir()),
			bold("Key derivation"), s.kdf,
			bold("Contents"), s.counts),
		hint("Opening the vault checks that no file was altered. A full check also reads every file back, "+
			"checks the database's consistency and the audit trail; it takes a few seconds."),
		container.NewHBox(s.checkB), s.checkMsg,
	)
	s.obj = container.NewVScroll(container.NewPadded(body))
	run(u, func(ctx context.Context) (*app.Status, error) { return sess.Status(ctx) }, func(st *app.Status, err error) {
		if err != nil {
			s.counts.SetText(app.Message(err))
			return
		}
		docs := ""
		if st.Counts.Documents > 0 {
			docs = fmt.Sprintf(", %s (%s)", human.Count(st.Counts.Documents, "document", "documents"), human.Size(st.Counts.DocumentBytes))
		}
		s.counts.SetText(fmt.Sprintf("%s, %s, %s%s; %s on disk; created %s",
			human.Count(st.Counts.Clients, "client", "clients"), human.Count(st.Counts.Matters, "matter", "matters"),
			human.Count(st.Counts.Notes, "note", "notes"), docs, human.Size(st.SizeOnDisk), human.Time(st.Created)))
	})
	return s
}

func (s *settingsScreen) save(change func(*app.Settings)) {
	u := s.u
	u.touch()
	next := u.set
	change(&next)
	if next == u.set {
		return
	}
	u.set = next
	if err := app.SaveSettings(u.opts.Dir, next); err != nil {
		s.saved.SetText("Applied, but not saved for next time: " + err.Error())
	} else {
		s.saved.SetText("Saved.")
	}
	s.saved.Show()
}

// enableChange: Change passphrase is offered once the current passphrase
// is typed and the new one passes the rules, twice the same.
func (s *settingsScreen) enableChange() {
	if s.current.Text != "" && s.np.p1.Text != "" && s.np.problems.Text == "" && s.np.p1.Text == s.np.p2.Text {
		s.changeB.Enable()
	} else {
		s.changeB.Disable()
	}
}

// change checks the current passphrase (app.CheckOwnPassphrase: someone
// at a vault left unlocked cannot change it), refuses the same one again,
// then changes it.
func (s *settingsScreen) change() {
	u, sess := s.u, s.u.sess
	if !s.np.check() {
		return
	}
	if s.current.Text == "" {
		s.refuse("Type your current passphrase first.")
		u.w.Canvas().Focus(s.current)
		return
	}
	if s.current.Text == s.np.p1.Text {
		s.refuse("The new passphrase is the one you have now: choose a different one.")
		u.w.Canvas().Focus(s.np.p1)
		return
	}
	if s.keyFile.needed && s.keyFile.content == nil {
		s.passMsg.Importance = widget.DangerImportance
		s.passMsg.SetText("Choose your key file first (Key file…): the new passphrase works only together with it.")
		s.passMsg.Refresh()
		return
	}
	pass, cur := []byte(s.np.p1.Text), []byte(s.current.Text)
	kf := slices.Clone(s.keyFile.content)
	s.changeB.Disable()
	s.passMsg.Importance = widget.MediumImportance
	s.passMsg.SetText("Checking your current passphrase…")
	s.passMsg.Refresh()
	run(u, func(ctx context.Context) (struct{}, error) {
		defer clear(pass)
		defer clear(cur)
		if err := sess.CheckOwnPassphrase(ctx, cur, kf); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, sess.ChangeOwnPassphrase(ctx, pass, kf)
	}, func(_ struct{}, err error) {
		if errors.Is(err, app.ErrNotCurrentPassphrase) {
			msg := "This is not your current passphrase: nothing was changed. Type the one you unlocked with."
			if s.keyFile.needed {
				msg = "This is not your current passphrase, or not with this key file: nothing was changed. " +
					"Type the passphrase you unlocked with and choose the key file you unlock with."
			}
			s.refuse(msg)
			s.current.SetText("")
			s.passMsg.SetText(msg) // SetText("") above cleared it
			u.w.Canvas().Focus(s.current)
			s.enableChange()
			return
		}
		s.np.clear()
		s.current.SetText("")
		if err != nil {
			s.passMsg.Importance = widget.DangerImportance
			s.passMsg.SetText("The passphrase was not changed: " + app.Message(err))
		} else {
			s.passMsg.Importance = widget.SuccessImportance
			s.passMsg.SetText("Passphrase changed. Use the new one from now on; your recovery key still works.")
		}
		s.passMsg.Refresh()
	})
}

// saveName saves the display name (app.SetDisplayName).
func (s *settingsScreen) saveName() {
	u, sess := s.u, s.u.sess
	name := s.name.Text
	s.nameB.Disable()
	run(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, sess.SetDisplayName(ctx, name)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.nameB.Enable()
			s.nameMsg.Importance = widget.DangerImportance
			s.nameMsg.SetText("Your name was not saved: " + app.Message(err))
		} else {
			s.nameMsg.Importance = widget.SuccessImportance
			s.nameMsg.SetText("Saved. Your next notes are signed " + sess.DisplayName() + ".")
		}
		s.nameMsg.Refresh()
	})
}

// refuse says why the passphrase was not changed, in red.
func (s *settingsScreen) refuse(msg string) {
	s.passMsg.Importance = widget.DangerImportance
	s.passMsg.SetText(msg)
	s.passMsg.Refresh()
}

// passChangeHint says what changing one's passphrase changes.
func passChangeHint(i app.UserInfo) string {
	if i.Owner {
		return "Your recovery key keeps working. The data is not re-encrypted, so this takes a second."
	}
	return "Only your own passphrase changes; nobody else's, and the data is not re-encrypted, so this takes a second."
}
