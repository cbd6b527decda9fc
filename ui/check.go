package ui

// Check this vault… (Settings, "This vault"): every file of the open vault
// read back and checked, with the database's own integrity check and the
// audit chain (app.Session.Check, `casevault check`), and what to do when
// something is damaged.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// CheckExplanation is what the check's progress dialog says.
const CheckExplanation = "Every file of this vault is read back from the disk and checked, and so are the database and the audit trail. " +
	"Nothing is changed. You can go on working when it is done."

// checkNow shows Settings and checks the open vault there.
func (u *UI) checkNow() {
	if u.main == nil {
		return
	}
	u.main.show(navSettings)
	u.main.settings.checkVault()
}

// checkVault runs the check with progress, then shows its result.
func (s *settingsScreen) checkVault() {
	u, sess := s.u, s.u.sess
	if sess == nil || s.checking {
		return
	}
	s.checking = true
	s.checkB.Disable()
	var stop context.CancelFunc
	d, pv := u.progressDialog("Checking this vault", CheckExplanation, "Reading the vault's files", func() { stop() })
	stop = runWithProgress(u, pv, func(ctx context.Context, progress app.ProgressFunc) (*app.CheckReport, error) {
		return sess.Check(ctx, progress)
	}, func(rep *app.CheckReport, err error) {
		d.Hide()
		s.checking = false
		s.checkB.Enable()
		s.report = rep
		switch {
		case rep != nil:
			s.checkMsg.Importance = widget.SuccessImportance
			s.checkMsg.SetText(fmt.Sprintf("Last check: %s, no damage found.", human.Time(u.now())))
			if !rep.OK {
				s.checkMsg.Importance = widget.DangerImportance
				s.checkMsg.SetText(fmt.Sprintf("Last check: %s, DAMAGE FOUND.", human.Time(u.now())))
			}
			u.showCheckReport(rep)
		case errors.Is(err, context.Canceled):
			s.checkMsg.Importance = widget.MediumImportance
			s.checkMsg.SetText("The check was stopped; nothing was changed.")
		default:
			s.checkMsg.Importance = widget.DangerImportance
			s.checkMsg.SetText("The vault could not be checked: " + app.Message(err))
		}
		s.checkMsg.Show()
		s.checkMsg.Refresh()
	})
}

// showCheckReport lists each check with a tick, a note or a cross, the
// technical detail folded away, and on damage the way on: restoring a
// backup, or (a damaged log, a read-only vault) locking to repair.
func (u *UI) showCheckReport(rep *app.CheckReport) {
	rows := container.NewVBox()
	lineHeight := widget.NewLabel("X").MinSize().Height
	var details []string
	for _, it := range rep.Items {
		var icon fyne.Resource = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		switch it.Status {
		case app.CheckDamaged:
			icon = theme.NewErrorThemedResource(theme.ErrorIcon())
		case app.CheckWarning:
			icon = theme.NewWarningThemedResource(theme.WarningIcon())
		}
		rt := widget.NewRichText(
			&widget.TextSegment{Text: it.Name + "  ", Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}},
			&widget.TextSegment{Text: it.Said, Style: widget.RichTextStyleInline},
		)
		rt.Wrapping = fyne.TextWrapWord
		cell := container.NewGridWrap(fyne.NewSize(theme.IconInlineSize(), lineHeight), container.NewCenter(widget.NewIcon(icon)))
		rows.Add(container.NewBorder(nil, nil, container.NewVBox(cell), nil, rt))
		details = append(details, it.Name+": "+it.Detail)
	}
	tech := widget.NewLabel(strings.Join(details, "\n"))
	tech.Wrapping = fyne.TextWrapBreak
	tech.TextStyle = fyne.TextStyle{Monospace: true}
	techA := widget.NewAccordion(widget.NewAccordionItem("Technical details", tech))

	title, summary := "Vault check passed", wrapped("No damage found: every file of this vault read back intact, and the database and the audit trail are consistent.")
	summary.Importance = widget.SuccessImportance
	if !rep.OK {
		title = "Vault check found DAMAGE"
		var said []string
		for _, p := range rep.Problems() {
			said = append(said, p.Said)
		}
		summary = wrapped(strings.Join(said, " "))
		summary.Importance = widget.DangerImportance
	}
	objs := []fyne.CanvasObject{summary, rows}
	if rep.Advice != "" {
		objs = append(objs, wrapped(rep.Advice))
	}
	took := "The check took " + human.Duration(rep.Duration) + "."
	if rep.Recorded {
		took += " It is recorded in the audit trail."
	}
	objs = append(objs, quiet(took), techA)

	var d *dialog.CustomDialog
	closeB := u.escCloses(u.button("Close", theme.CancelIcon(), func() { d.Hide() }))
	buttons := []fyne.CanvasObject{closeB}
	if !rep.OK {
		if rep.ReadOnly || onlyLogDamaged(rep) {
			b := u.button("Lock, to repair…", theme.LogoutIcon(), func() { d.Hide(); u.lockNow("") })
			b.Importance = widget.HighImportance
			buttons = append(buttons, b)
		} else {
			b := u.button("Restore a backup…", theme.DownloadIcon(), func() {
				d.Hide()
				if u.main == nil {
					return
				}
				u.main.show(navBackups)
				u.main.backups.restore()
			})
			b.Importance = widget.HighImportance
			buttons = append(buttons, b)
		}
	}
	d = dialog.NewCustomWithoutButtons(title, container.NewVScroll(textBox(620, objs...)), u.w)
	d.SetButtons(buttons)
	d.Resize(fyne.NewSize(680, 560))
	d.Show()
}

// onlyLogDamaged: the redo log is the only damage, which Repair fixes.
func onlyLogDamaged(rep *app.CheckReport) bool {
	ps := rep.Problems()
	return len(ps) == 1 && ps[0].Name == "Recent changes"
}
