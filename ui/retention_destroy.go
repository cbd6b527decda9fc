package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// This file: destroying what is chosen on the Due for destruction tab. The
// dialog says what will go (app.PlanDestruction, which changes nothing),
// asks whether to keep the names for conflict checks, the reason when
// something is not due yet, and the typed confirmation; Destroy stays off
// until all of it is there. Then the progress, and the result: the
// destruction's number, Print certificate, and the backups that still
// hold the files (remove them from a drive that is plugged in).

// The choice about names, in the dialog's words.
const (
	keepNamesChoice    = "Keep names for conflict checks (recommended: ABA Model Rule 1.9)"
	destroyNamesChoice = "Destroy the names too"
)

// destroyDialog is the destroy dialog while open (tests read it).
type destroyDialog struct {
	u        *UI
	p        *duePane
	d        *dialog.CustomDialog
	req      app.DestroyRequest
	plan     *app.DestructionPlan
	names    *widget.RadioGroup
	reason   *entry
	confirm  *entry
	msg      *widget.Label
	destroyB *widget.Button
	cancelB  *widget.Button
	body     *fyne.Container
	prog     *progressView
	result   *app.DestroyResult
	running  bool
}

// destroy plans what is chosen and opens the dialog.
func (p *duePane) destroy() {
	u, s := p.u, p.u.sess
	if !u.canDestroy() {
		return
	}
	req := p.request()
	if len(req.MatterIDs) == 0 {
		return
	}
	p.destroyB.Disable()
	run(u, func(ctx context.Context) (*app.DestructionPlan, error) {
		return s.PlanDestruction(ctx, req)
	}, func(plan *app.DestructionPlan, err error) {
		p.update()
		if err != nil {
			setMsg(p.msg, "Nothing was destroyed: "+app.Message(err))
			return
		}
		setMsg(p.msg, "")
		p.dlg = p.newDestroyDialog(req, plan)
	})
}

// planLines names what a plan destroys, a line a client: "Anna Keller:
// 2016-0001 Lease dispute, 2016-0002 Divorce, and the client file". At
// most max clients; then how many more.
func planLines(plan *app.DestructionPlan, clients []int64, max int) []string {
	whole := map[int64]bool{}
	for _, id := range clients {
		whole[id] = true
	}
	var out []string
	for i, it := range plan.Items {
		if i == max {
			out = append(out, "and "+human.Count(len(plan.Items)-max, "more client", "more clients"))
			break
		}
		var ms []string
		for j, dm := range it.Matters {
			if j == 4 {
				ms = append(ms, human.Count(len(it.Matters)-4, "more matter", "more matters"))
				break
			}
			ms = append(ms, strings.TrimSpace(oneLine(human.Truncate(dm.Matter.Number, 30))+" "+oneLine(human.Truncate(dm.Matter.Title, 60))))
		}
		if whole[it.ClientID] {
			ms = append(ms, "the client file")
		}
		name := oneLine(human.Truncate(it.ClientName, 60))
		if name == "" {
			name = fmt.Sprintf("Client %d", it.ClientID)
		}
		out = append(out, name+": "+joinAnd(ms))
	}
	return out
}

func (p *duePane) newDestroyDialog(req app.DestroyRequest, plan *app.DestructionPlan) *destroyDialog {
	u := p.u
	dd := &destroyDialog{u: u, p: p, req: req, plan: plan, msg: errLabel()}
	dd.names = widget.NewRadioGroup([]string{keepNamesChoice, destroyNamesChoice}, func(string) { u.touch(); dd.check() })
	dd.reason = u.newMultiLine("Why these files go before their date (required)")
	dd.reason.SetMinRowsVisible(2)
	dd.reason.OnChanged = func(string) { dd.check() }
	dd.confirm = u.newEntry("Type " + app.DestroyConfirmWord + " here")
	dd.confirm.OnChanged = func(string) { dd.check() }
	dd.destroyB = u.button("Destroy", theme.DeleteIcon(), dd.run)
	dd.destroyB.Importance = widget.DangerImportance
	submitOn(dd.destroyB, dd.confirm)
	dd.cancelB = u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { dd.d.Hide() }))

	what := destroyCounts(plan.Matters, plan.Clients, plan.Notes, plan.Documents, plan.Versions, plan.Intake, plan.Bytes)
	form := container.NewVBox(
		wrapped("This removes from the vault, for good: " + what + "."),
	)
	if lines := planLines(plan, req.ClientIDs, 8); len(lines) > 0 {
		form.Add(quietWrapped(strings.Join(lines, "\n")))
	}
	form.Add(hint("What stays: an entry in the destruction register (what kind of record, its number, dates and rule: no client data), " +
		"and the audit trail's entries about these files, without their details. Backups made before now still hold the files: " +
		"after the destruction, casevault says which, and offers to remove them."))
	if len(plan.Problems) > 0 {
		probs := errLabel()
		setMsg(probs, "These cannot be destroyed now:\n"+strings.Join(escapeAll(plan.Problems), "\n"))
		form.Add(probs)
	}
	form.Add(widget.NewSeparator())
	form.Add(bold("Names *"))
	form.Add(dd.names)
	form.Add(quietWrapped("Your duties to a former client outlive the file: kept names still show in conflict checks, as a former client whose file was destroyed."))
	if len(plan.NotDue) > 0 {
		form.Add(bold("Not due yet"))
		form.Add(quietWrapped(strings.Join(escapeAll(plan.NotDue), "\n")))
		form.Add(bold("Reason *"))
		form.Add(dd.reason)
	}
	dd.prog = newProgressView("Destroying")
	dd.prog.obj.Hide()
	// The confirmation and the buttons stay in view, under what scrolls.
	foot := container.NewVBox(widget.NewSeparator(), bold("Type "+app.DestroyConfirmWord+" to confirm *"), dd.confirm,
		dd.msg, dd.prog.obj, container.NewHBox(dd.cancelB, layout.NewSpacer(), dd.destroyB))
	dd.body = container.NewStack(container.NewBorder(nil, foot, nil, nil, container.NewVScroll(form)))
	dd.d = dialog.NewCustomWithoutButtons("Destroy client files", container.NewStack(&widthBox{width: 620}, &heightBox{height: 560}, dd.body), u.w)
	dd.d.SetOnClosed(func() {
		if p.dlg == dd {
			p.dlg = nil
		}
	})
	dd.check()
	dd.d.Show()
	u.w.Canvas().Focus(dd.confirm)
	return dd
}

// ready says what is missing before Destroy ("" when nothing is).
func (dd *destroyDialog) ready() string {
	switch {
	case len(dd.plan.Problems) > 0:
		return "Take the files above out of the choice first."
	case dd.names.Selected == "":
		return "Choose whether to keep the names for conflict checks."
	case len(dd.plan.NotDue) > 0 && strings.TrimSpace(dd.reason.Text) == "":
		return "Say why these files go before their date."
	case !strings.EqualFold(strings.TrimSpace(dd.confirm.Text), app.DestroyConfirmWord):
		return "Type " + app.DestroyConfirmWord + " to confirm."
	}
	return ""
}

// check enables Destroy when everything is there.
func (dd *destroyDialog) check() {
	if dd.running || dd.result != nil {
		return
	}
	if dd.ready() == "" {
		dd.destroyB.Enable()
	} else {
		dd.destroyB.Disable()
	}
}

// run destroys, with progress; a refusal is said in the dialog (nothing
// was destroyed), a success replaces the dialog's content by the result.
func (dd *destroyDialog) run() {
	u, s := dd.u, dd.u.sess
	if why := dd.ready(); why != "" {
		setMsg(dd.msg, why)
		return
	}
	req := dd.req
	req.KeepNames = dd.names.Selected == keepNamesChoice
	if len(dd.plan.NotDue) > 0 {
		req.Reason = strings.TrimSpace(dd.reason.Text)
	}
	req.Confirm = strings.TrimSpace(dd.confirm.Text)
	dd.running = true
	setMsg(dd.msg, "")
	for _, b := range []*widget.Button{dd.destroyB, dd.cancelB} {
		b.Disable()
	}
	dd.names.Disable()
	dd.reason.Disable()
	dd.confirm.Disable()
	dd.prog.obj.Show()
	progress := func(pr app.BackupProgress) {
		u.post(func() { dd.prog.set(pr) })
	}
	run(u, func(ctx context.Context) (*app.DestroyResult, error) {
		return s.Destroy(ctx, req, progress)
	}, func(res *app.DestroyResult, err error) {
		dd.running = false
		dd.prog.obj.Hide()
		if err != nil {
			dd.cancelB.Enable()
			dd.names.Enable()
			dd.reason.Enable()
			dd.confirm.Enable()
			setMsg(dd.msg, "Nothing was destroyed: "+app.Message(err))
			dd.check()
			dd.p.reload()
			return
		}
		dd.result = res
		dd.showResult(res)
		dd.p.mats, dd.p.cls = map[int64]bool{}, map[int64]bool{}
		dd.p.reload()
	})
}

// showResult replaces the dialog's content by what was done: the number,
// Print certificate, the backups that still hold the files, Close.
func (dd *destroyDialog) showResult(res *app.DestroyResult) {
	u := dd.u
	plan := dd.plan
	what := destroyCounts(plan.Matters, plan.Clients, plan.Notes, plan.Documents, plan.Versions, plan.Intake, plan.Bytes)
	printB := u.button("Print certificate", theme.DocumentPrintIcon(), func() { u.printCertificate(res.Number) })
	printB.Importance = widget.HighImportance
	closeB := u.escCloses(u.button("Close", theme.ConfirmIcon(), func() { dd.d.Hide() }))
	names := "The names were destroyed too."
	if dd.names.Selected == keepNamesChoice {
		names = "The names were kept for conflict checks."
	}
	body := container.NewVBox(
		heading("Destroyed: "+res.Number),
		wrapped(human.Capitalize(what)+" were removed from the vault. "+names+" The destruction register keeps them as "+res.Number+"."),
		container.NewHBox(printB),
		widget.NewSeparator(),
		bold("Backups"),
		u.newHoldingPart(res.Number, res.Holding).obj,
	)
	dd.body.Objects = []fyne.CanvasObject{container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), closeB), nil, nil, container.NewVScroll(body))}
	dd.body.Refresh()
}

// printCertificate opens the destruction certificate in the browser to
// print (a private temporary page, removed when the vault locks).
func (u *UI) printCertificate(number string) {
	s := u.sess
	u.printPage(func(ctx context.Context) (func(io.Writer) error, error) {
		c, err := s.DestructionCertificate(ctx, number)
		if err != nil {
			return nil, err
		}
		return c.WriteHTML, nil
	})
}

// holdingPart says which backups still hold a destruction's files, a drive
// at a time, with Remove them from that drive… for a drive plugged in.
type holdingPart struct {
	u      *UI
	number string
	obj    *fyne.Container
	msg    *widget.Label
	backB  *widget.Button // "Back up now first", after a refusal
}

// heldDrive is the holding snapshots of one backup repository.
type heldDrive struct {
	repo, target, volume string
	present              bool
	n                    int
}

// heldDrives groups snapshots by repository, in the order first seen.
func heldDrives(held []app.HeldSnapshot) []heldDrive {
	var out []heldDrive
	at := map[string]int{}
	for _, h := range held {
		key := h.RepoID
		if key == "" {
			key = h.Target
		}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, heldDrive{repo: h.RepoID, target: h.Target, volume: h.Volume})
		}
		out[i].n++
		out[i].present = out[i].present || h.Present
	}
	return out
}

func (u *UI) newHoldingPart(number string, held []app.HeldSnapshot) *holdingPart {
	hp := &holdingPart{u: u, number: number, obj: container.NewVBox(), msg: errLabel()}
	hp.backB = u.button("Back up now first", theme.UploadIcon(), func() { u.backupNow() })
	hp.backB.Hide()
	hp.fill(held)
	return hp
}

func (hp *holdingPart) fill(held []app.HeldSnapshot) {
	u := hp.u
	hp.obj.Objects = nil
	drives := heldDrives(held)
	if len(drives) == 0 {
		hp.obj.Add(wrapped("No backup this vault knows of still holds these files."))
	}
	for _, d := range drives {
		d := d
		hp.obj.Add(wrapped(holdingWords(d.n, d.volume, d.target) + "."))
		if !d.present {
			hp.obj.Add(quietWrapped("Plug that drive in, then open Retention → Destruction register, choose " + hp.number + " and Backups… to remove them."))
			continue
		}
		rm := u.button("Remove them from that drive…", theme.DeleteIcon(), func() { hp.confirmForget(d) })
		if !u.sess.CanDo(access.ForgetDestroyed) {
			rm.Disable()
			hp.obj.Add(container.NewHBox(rm))
			hp.obj.Add(hint(u.deniedHint(access.ForgetDestroyed.Words)))
			continue
		}
		hp.obj.Add(container.NewHBox(rm))
	}
	hp.obj.Add(hp.msg)
	hp.obj.Add(container.NewHBox(hp.backB))
	hp.obj.Refresh()
}

// confirmForget asks, then forgets the drive's backups that hold the
// destruction and frees their space (app.Backups.ForgetDestroyed).
func (hp *holdingPart) confirmForget(d heldDrive) {
	u := hp.u
	where := holdingWords(d.n, d.volume, d.target)
	cd := dialog.NewConfirm("Remove these backups?",
		human.Capitalize(where)+". Removing them frees their space; the backups made after the destruction stay, and so do drills and checks. "+
			"This cannot be undone.", func(ok bool) {
			u.touch()
			if ok {
				hp.forget(d)
			}
		}, u.w)
	cd.SetConfirmText("Remove")
	cd.SetDismissText("Cancel")
	cd.Show()
}

func (hp *holdingPart) forget(d heldDrive) {
	u, s, number := hp.u, hp.u.sess, hp.number
	setMsg(hp.msg, "")
	hp.backB.Hide()
	run(u, func(ctx context.Context) (*app.ForgetDestroyedResult, error) {
		b, err := s.OpenBackups(ctx, d.target)
		if err != nil {
			return nil, err
		}
		defer b.Close()
		return b.ForgetDestroyed(ctx, number)
	}, func(res *app.ForgetDestroyedResult, err error) {
		if err != nil {
			setMsg(hp.msg, app.Message(err))
			if errors.Is(err, app.ErrBackUpFirst) {
				hp.backB.Show()
			}
			return
		}
		u.backupsChanged()
		hp.fill(res.ElsewhereHolding)
		done := quietWrapped(human.Count(len(res.Removed), "backup", "backups") + " removed from " + driveWords(d) + ".")
		done.Importance = widget.SuccessImportance
		hp.obj.Objects = append([]fyne.CanvasObject{done}, hp.obj.Objects...)
		hp.obj.Refresh()
	})
}

// driveWords names a backup drive: “KINGSTON”, or its folder.
func driveWords(d heldDrive) string {
	if d.volume != "" {
		return "drive “" + oneLine(human.Truncate(d.volume, 40)) + "”"
	}
	return oneLine(human.Truncate(d.target, 80))
}

// heightBox is an invisible object with a minimum height.
type heightBox struct {
	widget.BaseWidget
	height float32
}

func (h *heightBox) MinSize() fyne.Size { return fyne.NewSize(0, h.height) }
func (h *heightBox) CreateRenderer() fyne.WidgetRenderer {
	h.ExtendBaseWidget(h)
	return widget.NewSimpleRenderer(layout.NewSpacer())
}
