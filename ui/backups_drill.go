package ui

// Proving the backup: the restore drill and its report, and Check backup
// (every stored piece read back).

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

// DrillExplanation is what the restore drill dialog says first.
const DrillExplanation = "A drill proves the backup restores: it restores the latest snapshot into a temporary folder, " +
	"checks every record and deletes the copy. Type your passphrase — a drill also proves you remember it."

type drillDialog struct {
	*formRun
	cred   *credForm
	errMsg *widget.Label
	runB   *widget.Button
	report *app.DrillReport // the last report shown (tests)
}

func (b *backupsScreen) runDrill() {
	u := b.u
	target, ok := b.ready()
	if !ok {
		return
	}
	dd := &drillDialog{formRun: u.newFormRun("Restoring"), errMsg: errLabel()}
	b.drillD = dd
	dd.cred = u.newCredForm(func() { b.startDrill(dd, target) })
	dd.runB = u.button("Run drill", theme.MediaReplayIcon(), func() { b.startDrill(dd, target) })
	dd.runB.Importance = widget.HighImportance
	cancelB := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { dd.d.Hide() }))
	content := textBox(520, wrapped(DrillExplanation), hint("Backup: "+target),
		dd.cred.pass, container.NewHBox(dd.cred.switchB), dd.errMsg, dd.pv.obj)
	dd.show(u, "Run a restore drill", content, cancelB, dd.runB)
	u.w.Canvas().Focus(dd.cred.pass)
}

func (b *backupsScreen) startDrill(dd *drillDialog, target string) {
	u, s := b.u, b.u.sess
	if dd.busy || s == nil {
		return
	}
	cred, msg := dd.cred.cred()
	if msg != "" {
		setMsg(dd.errMsg, msg)
		return
	}
	setMsg(dd.errMsg, "")
	dd.cred.enable(false)
	runForm(u, dd.formRun, func(ctx context.Context, progress app.ProgressFunc) (*app.DrillReport, error) {
		bk, err := app.OpenBackups(ctx, target, cred)
		if err != nil {
			return nil, err
		}
		defer bk.Close()
		return bk.Drill(ctx, app.DrillOptions{Session: s, Progress: progress})
	}, func(rep *app.DrillReport, err error) {
		if rep != nil { // the drill ran: passed or failed
			dd.report = rep
			dd.d.Hide()
			u.showDrillReport(rep)
			u.backupsChanged()
			return
		}
		dd.cred.enable(true)
		dd.running(false)
		if errors.Is(err, context.Canceled) {
			setMsg(dd.errMsg, "The drill was stopped.")
		} else {
			setMsg(dd.errMsg, credMessage(err))
		}
		u.w.Canvas().Focus(dd.cred.pass)
	})
}

// showDrillReport lists each check of a drill with a tick or a cross, in
// plain words; the technical names and findings are folded under
// "Technical details".
func (u *UI) showDrillReport(rep *app.DrillReport) {
	rows := container.NewVBox()
	lineHeight := widget.NewLabel("X").MinSize().Height
	var firstFail string
	var tech []string
	for _, c := range rep.Checks {
		var icon fyne.Resource = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		if !c.OK {
			icon = theme.NewErrorThemedResource(theme.ErrorIcon())
			if firstFail == "" {
				firstFail = c.Said
			}
		}
		rt := widget.NewRichText(
			&widget.TextSegment{Text: c.Title + "  ", Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}},
			&widget.TextSegment{Text: c.Said, Style: widget.RichTextStyleInline},
		)
		rt.Wrapping = fyne.TextWrapWord
		// The icon centred on the first line of text.
		cell := container.NewGridWrap(fyne.NewSize(theme.IconInlineSize(), lineHeight), container.NewCenter(widget.NewIcon(icon)))
		rows.Add(container.NewBorder(nil, nil, container.NewVBox(cell), nil, rt))
		tech = append(tech, c.Name+": "+c.Detail)
	}
	snap := "the snapshot"
	if rep.Snapshot != nil {
		snap = "the snapshot of " + human.Time(rep.Snapshot.Time)
		tech = append([]string{"Snapshot " + rep.Snapshot.Short()}, tech...)
	}
	title, summary := "Restore drill passed", wrapped("The backup restores: "+snap+" was restored into a temporary folder, every record was checked, and the copy was deleted.")
	summary.Importance = widget.SuccessImportance
	if !rep.OK {
		title = "Restore drill FAILED"
		summary = wrapped("The backup did NOT restore as it was made: " + strings.TrimSuffix(firstFail, ".") + ". " +
			"Make a new backup now with Back up now, then run the drill again. If it fails again, keep this drive as it is and back up to another drive.")
		summary.Importance = widget.DangerImportance
	}
	times := quiet(fmt.Sprintf("Restore: %s. The whole drill: %s.", human.Duration(rep.RestoreTime), human.Duration(rep.TotalTime)))
	recorded := "The result is recorded in the backup"
	if rep.InVault {
		recorded += " and in the audit trail"
	}
	recorded += "."
	if rep.RecordNote != "" {
		recorded = human.Capitalize(rep.RecordNote) + "."
	}
	techL := widget.NewLabel(strings.Join(tech, "\n"))
	techL.Wrapping = fyne.TextWrapBreak
	techL.TextStyle = fyne.TextStyle{Monospace: true}
	techA := widget.NewAccordion(widget.NewAccordionItem("Technical details", techL))
	d := dialog.NewCustom(title, "Close", container.NewVScroll(textBox(600, summary, rows, times, hint(recorded), techA)), u.w)
	d.Resize(fyne.NewSize(680, 660))
	d.Show()
}

// check reads every stored piece of every snapshot back from the backup
// and says under the buttons what it found.
func (b *backupsScreen) check() {
	u, s := b.u, b.u.sess
	target, ok := b.ready()
	if !ok {
		return
	}
	var stop context.CancelFunc
	d, pv := u.progressDialog("Checking the backup", "Every stored piece of every snapshot is read back from "+target+" and checked.",
		"Reading the backup", func() { stop() })
	b.checked.Importance = widget.MediumImportance
	setMsg(b.checked, "Checking the backup…")
	stop = runWithProgress(u, pv, func(ctx context.Context, progress app.ProgressFunc) (*app.VerifyReport, error) {
		bk, err := s.OpenBackups(ctx, target)
		if err != nil {
			return nil, err
		}
		defer bk.Close()
		return bk.Verify(ctx, app.VerifyOptions{ReadData: true}, progress)
	}, func(rep *app.VerifyReport, err error) {
		d.Hide()
		var text string
		switch {
		case errors.Is(err, context.Canceled):
			b.checked.Importance = widget.MediumImportance
			text = "The check was stopped."
		case rep != nil && len(rep.Problems) > 0:
			b.checked.Importance = widget.DangerImportance
			var ps []string
			for _, p := range rep.Problems {
				ps = append(ps, "• "+p.String())
			}
			text = fmt.Sprintf("Check FAILED: %s found.\n%s\nSnapshots without problems: %d of %d. Back up now to make a good new snapshot; if the problems stay, back up to another drive.",
				human.Count(len(rep.Problems), "problem", "problems"), strings.Join(ps, "\n"), len(rep.Healthy), rep.Snapshots)
		case err != nil:
			b.checked.Importance = widget.DangerImportance
			text = "The backup could not be checked: " + app.Message(err)
		default:
			b.checked.Importance = widget.SuccessImportance
			text = fmt.Sprintf("Check passed: %s; all %s (%s) read back intact in %s.",
				human.Count(rep.Snapshots, "snapshot", "snapshots"), human.Count(rep.Blobs, "stored piece", "stored pieces"), human.Size(rep.BytesRead), human.Duration(rep.Duration))
		}
		setMsg(b.checked, text)
		b.checked.Refresh()
	})
}
