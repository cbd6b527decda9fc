package ui

// The reminder banner above every screen: no backup for too long, the last
// backup failed, a restore drill is due.

import (
	"context"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// backupBanner is the card at the foot of the sidebar saying what is due.
// It sits there, not above the screens, so that it appearing or going
// away (after a backup, Remind me tomorrow) moves nothing the person is
// about to click: the sidebar keeps its width (sideWidth) and its entries
// their places, and the screens do not move at all (TestBannerMovesNothing).
type backupBanner struct {
	u       *UI
	text    *widget.Label
	backupB *widget.Button
	drillB  *widget.Button
	laterB  *widget.Button
	title   *widget.Label
	// checkB opens the Security check; checkDue is the yearly reminder's
	// words as last read (app.Session.CheckupDue), "" when none is due.
	checkB   *widget.Button
	checkDue string
	checkSeq int
	obj      fyne.CanvasObject
}

// sideWidth is the sidebar's width, with or without the banner.
const sideWidth = 216

func newBackupBanner(u *UI) *backupBanner {
	b := &backupBanner{u: u, text: wrapped("")}
	b.backupB = u.button("Back up now", theme.UploadIcon(), u.backupNow)
	b.backupB.Importance = widget.HighImportance
	b.drillB = u.button("Run drill", theme.MediaReplayIcon(), func() {
		if m := u.main; m != nil {
			m.show(navBackups)
			m.backups.runDrill()
		}
	})
	b.checkB = u.button("Run security check", theme.ConfirmIcon(), func() {
		if m := u.main; m != nil && m.offers(navSecurity) {
			m.show(navSecurity)
		}
	})
	b.checkB.Hide()
	b.title = bold("Backups")
	b.laterB = u.button("Remind me tomorrow", nil, b.dismiss)
	b.laterB.Importance = widget.LowImportance
	bg := canvas.NewRectangle(tint(theme.Color(theme.ColorNameWarning), bannerTint))
	bg.CornerRadius = theme.InputRadiusSize()
	icon := widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))
	card := container.NewVBox(
		container.NewHBox(icon, b.title),
		container.New(minWidthLayout{sideWidth - 4*theme.Padding()}, b.text),
		b.backupB, b.drillB, b.checkB, b.laterB,
	)
	b.obj = container.NewPadded(container.NewStack(bg, container.NewPadded(card)))
	b.obj.Hide()
	return b
}

// minWidthLayout lays its objects out at least w wide. A wrapped label
// laid out narrower, as in a passing layout before the window has its size,
// asks for one word per line, and the window grows to that height for good.
// Its minimum width is w: the sidebar keeps its width.
type minWidthLayout struct{ w float32 }

func (l minWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(max(size.Width, l.w), size.Height))
	}
}

func (l minWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		if o.Visible() {
			m = m.Max(o.MinSize())
		}
	}
	m.Width = l.w
	return m
}

// bannerTint is the alpha of the warning colour under the banner's text
// (theme_test.go checks the text on it).
const bannerTint = 0x30

func tint(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}

// refresh re-reads the backup settings and shows what is due, if anything;
// then re-reads whether the yearly security check is due (shown at once
// with what was read last, and again when the answer differs).
func (b *backupBanner) refresh() {
	b.render()
	b.readCheckupDue()
}

// readCheckupDue asks the app whether the yearly security check is due,
// for a role that may run it.
func (b *backupBanner) readCheckupDue() {
	u := b.u
	s := u.sess
	if s == nil || !s.CanDo(access.RunCheckup) {
		return
	}
	b.checkSeq++
	seq := b.checkSeq
	now := u.now()
	run(u, func(ctx context.Context) (string, error) {
		words, err := s.CheckupDue(ctx)
		if err != nil || words == "" {
			return words, err
		}
		// A vault never checked is reminded once it has been in use for a
		// while (firstCheckupAfter), not on the day it was made: the
		// backup reminders come first.
		last, err := s.LastCheckup(ctx)
		if err != nil || last != nil || !s.CanDo(access.ViewStatus) {
			return words, err
		}
		st, err := s.Status(ctx)
		if err != nil {
			return "", err
		}
		if now.Sub(st.Created) < firstCheckupAfter {
			return "", nil
		}
		return words, nil
	}, func(words string, err error) {
		if seq != b.checkSeq || u.sess != s || err != nil {
			return // a failed read keeps what was shown
		}
		if words != b.checkDue {
			b.checkDue = words
			b.render()
		}
	})
}

// firstCheckupAfter is how long a new vault is in use before the banner
// reminds of its first security check.
const firstCheckupAfter = 14 * 24 * time.Hour

// render shows what is due, from the backup settings and the last answer
// about the security check.
func (b *backupBanner) render() {
	u := b.u
	if u.sess == nil {
		return
	}
	now := u.now()
	set := app.LoadBackupSettings(u.sess.Dir())
	var parts []string
	backupDue, drillDue := false, false
	if u.sess.ReadOnly() {
		// A damaged vault opened read-only: say so on every screen.
		parts = append(parts, "Read-only: this vault is damaged, so nothing can be changed. Back it up now, "+
			"then lock it and choose Repair… on the unlock screen to work again.")
		backupDue = true
	}
	// Reminders are for who can act on them: a role that may not back up
	// (access.Backup) is not nagged about backups it cannot make.
	if !now.Before(set.DismissedUntil) && !u.sess.ReadOnly() && u.sess.CanDo(access.Backup) {
		if lastFailure(set) != "" { // the reason is on the Backups screen
			parts = append(parts, "The last backup, "+human.Time(set.LastErrorAt)+", failed. Open Backups to see why.")
			backupDue = true
		}
		if r := set.Reminder(now); r != nil {
			parts = append(parts, r.Text)
			backupDue = backupDue || r.BackupDue
			drillDue = r.DrillDue
		}
	}
	backupParts := len(parts)
	checkDue := b.checkDue != "" && !now.Before(set.DismissedUntil) && !u.sess.ReadOnly() && u.sess.CanDo(access.RunCheckup)
	if checkDue {
		parts = append(parts, b.checkDue)
	}
	if len(parts) == 0 {
		b.obj.Hide()
		return
	}
	switch {
	case backupParts == 0:
		b.title.SetText("Security check")
	case checkDue:
		b.title.SetText("Reminders")
	default:
		b.title.SetText("Backups")
	}
	show(b.checkB, checkDue)
	b.text.SetText(strings.Join(parts, " "))
	if set.Target == "" {
		b.backupB.SetText("Choose backup drive…")
	} else {
		b.backupB.SetText("Back up now")
	}
	show(b.backupB, backupDue)
	show(b.drillB, drillDue)
	show(b.laterB, !u.sess.ReadOnly())
	b.obj.Show()
}

func show(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
}

func (b *backupBanner) dismiss() {
	u := b.u
	if u.sess == nil {
		return
	}
	if err := app.DismissReminder(u.sess.Dir(), u.now()); err != nil {
		u.showText("The reminder could not be hidden", app.Message(err))
	}
	u.backupsChanged()
}
