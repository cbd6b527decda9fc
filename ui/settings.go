package ui

import (
	"context"
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
	np      *newPassPair
	keyFile *keyFileRow // the user's key file, when their slot needs one
	changeB *widget.Button
	passMsg *widget.Label
	kdf     *widget.Label
	counts  *widget.Label

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
	s.np = u.newPassPair(func(ok bool) {
		if ok {
			s.changeB.Enable()
		} else {
			s.changeB.Disable()
		}
	})
	sess := u.sess
	s.np.sess = sess
	s.keyFile = u.newKeyFileRow()
	if sess.User().KeyFile {
		s.keyFile.show("You unlock with a key file too: choose it again (or a new one) to keep it with the new passphrase.")
	}
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
		bold("Change the passphrase"),
		hint(passChangeHint(sess.User())),
		s.np.obj, s.keyFile.obj, container.NewHBox(s.changeB), s.passMsg,
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
		s.counts.SetText(fmt.Sprintf("%s, %s, %s; %s on disk; created %s",
			human.Count(st.Counts.Clients, "client", "clients"), human.Count(st.Counts.Matters, "matter", "matters"),
			human.Count(st.Counts.Notes, "note", "notes"), human.Size(st.SizeOnDisk), human.Time(st.Created)))
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

func (s *settingsScreen) change() {
	u, sess := s.u, s.u.sess
	if !s.np.check() {
		return
	}
	if s.keyFile.needed && s.keyFile.content == nil {
		s.passMsg.Importance = widget.DangerImportance
		s.passMsg.SetText("Choose your key file first (Key file…): the new passphrase works only together with it.")
		s.passMsg.Refresh()
		return
	}
	pass := []byte(s.np.p1.Text)
	kf := slices.Clone(s.keyFile.content)
	s.np.clear()
	s.changeB.Disable()
	s.passMsg.Importance = widget.MediumImportance
	s.passMsg.SetText("Changing the passphrase…")
	run(u, func(ctx context.Context) (struct{}, error) {
		defer clear(pass)
		return struct{}{}, sess.ChangeOwnPassphrase(ctx, pass, kf)
	}, func(_ struct{}, err error) {
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

// passChangeHint says what changing one's passphrase changes.
func passChangeHint(i app.UserInfo) string {
	if i.Owner {
		return "Your recovery key keeps working. The data is not re-encrypted, so this takes a second."
	}
	return "Only your own passphrase changes; nobody else's, and the data is not re-encrypted, so this takes a second."
}
