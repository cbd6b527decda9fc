package ui

import (
	"context"
	"strings"
	"time"

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

// This file: the Retention part of a matter's page: when the matter may
// be destroyed and under which rule, whether it is due, its legal holds,
// Change date… and Place legal hold… / Release hold…, and the history of
// its date.

// retentionBox is a matter page's Retention part.
type retentionBox struct {
	u     *UI
	id    int64
	title string
	area  string // the matter's practice area: the rule closing applies
	obj   *fyne.Container
	body  *fyne.Container
	cur   *app.MatterRetention
}

// newRetentionBox is the Retention part of the matter id (hidden for a
// role that may not see retention); read at once.
func (u *UI) newRetentionBox(id int64, title, area string) *retentionBox {
	b := &retentionBox{u: u, id: id, title: title, area: area, obj: container.NewVBox(), body: container.NewVBox(quiet("Loading…"))}
	if u.sess == nil || !u.sess.CanDo(access.ViewRetention) {
		b.obj.Hide()
		return b
	}
	b.obj.Add(widget.NewSeparator())
	b.obj.Add(bold("Retention"))
	b.obj.Add(b.body)
	b.load()
	return b
}

func (b *retentionBox) load() {
	u, s, id, area := b.u, b.u.sess, b.id, b.area
	run(u, func(ctx context.Context) (*app.MatterRetention, error) {
		r, err := s.MatterRetention(ctx, id)
		if err == nil && !r.Closed {
			// An open matter: the rule closing it will apply, in words.
			var rules []app.RetentionRule
			if rules, err = s.RetentionRules(ctx); err == nil {
				r.Rule = ruleForWords(rules, area)
			}
		}
		return r, err
	}, func(r *app.MatterRetention, err error) {
		if err != nil {
			l := errLabel()
			setMsg(l, "The retention of this matter could not be read: "+app.Message(err))
			b.body.Objects = []fyne.CanvasObject{l}
			b.body.Refresh()
			return
		}
		b.show(r)
	})
}

// retentionLines is what the part says of r: the date and rule; due or
// not; for an open matter, what closing it will do.
func retentionLines(r *app.MatterRetention) [][]part {
	rule := oneLine(human.Truncate(r.Rule, 200))
	if !r.Closed {
		text := "Gets a destroy-after date when closed"
		if rule != "" {
			text += " (" + rule + ")"
		}
		return [][]part{{plain(text + ".")}}
	}
	var first []part
	switch {
	case r.KeepForever:
		first = []part{strong("Kept for ever"), plain(": no destroy-after date")}
	case r.DestroyAfter.IsZero():
		first = []part{plain("No destroy-after date")}
	default:
		first = []part{plain("Destroy after "), strong(human.Date(r.DestroyAfter))}
	}
	if !r.ClosedAt.IsZero() {
		first = append(first, low(" · closed "+human.Date(r.ClosedAt)))
	}
	lines := [][]part{first}
	if rule != "" {
		lines = append(lines, []part{low(rule)})
	}
	switch {
	case len(r.Holds) > 0:
		lines = append(lines, []part{colored("On legal hold: it cannot be destroyed while held.", widget.WarningImportance)})
	case r.Due:
		lines = append(lines, []part{colored("Due for destruction: it is on the Retention screen's list.", widget.DangerImportance)})
	case r.KeepForever || r.DestroyAfter.IsZero():
	default:
		lines = append(lines, []part{low("Not due yet.")})
	}
	return lines
}

// ruleForWords is the rule of a practice area in words (the area's own,
// matched without regard to case or spaces, else the default): "Family
// law rule: 10 years after closing", "the default rule: 7 years after closing".
func ruleForWords(rules []app.RetentionRule, area string) string {
	area = strings.TrimSpace(area)
	var found *app.RetentionRule
	for i := range rules {
		r := &rules[i]
		if area != "" && strings.EqualFold(strings.TrimSpace(r.PracticeArea), area) {
			found = r
			break
		}
		if r.PracticeArea == "" && found == nil {
			found = r
		}
	}
	if found == nil {
		return ""
	}
	name := "the default rule"
	if found.PracticeArea != "" {
		name = found.PracticeArea + " rule"
	}
	if found.Never {
		return name + ": kept for ever"
	}
	return name + ": " + keepForWords(found.Years, found.Months, false) + " after closing"
}

// changeLine is one change of the date: when, who, from and to, why.
func changeLine(c app.RetentionChange) string {
	date := func(t *time.Time) string {
		if t == nil {
			return "kept for ever"
		}
		return human.Date(*t)
	}
	return human.Time(c.At) + " · " + oneLine(c.By) + ": " + date(c.Old) + " → " + date(c.New) + " · " + oneLine(human.Truncate(c.Reason, 200))
}

func (b *retentionBox) show(r *app.MatterRetention) {
	u := b.u
	b.cur = r
	rt := widget.NewRichText()
	rt.Wrapping = fyne.TextWrapWord
	setRows(rt, retentionLines(r)...)
	objs := []fyne.CanvasObject{rt}
	for _, h := range r.Holds {
		objs = append(objs, u.holdRow(h, b.load))
	}
	changeB := u.may(u.button("Change date…", theme.CalendarIcon(), func() { b.changeDialog(r) }), access.EditRetention)
	if !r.Closed {
		changeB.Hide()
	}
	holdB := u.may(u.button("Place legal hold…", theme.WarningIcon(), func() {
		u.placeHoldDialog("matter", b.id, b.title, b.load)
	}), access.PlaceHolds)
	objs = append(objs, container.NewHBox(changeB, holdB, layout.NewSpacer()))
	if len(r.Changes) > 0 {
		objs = append(objs, quiet("Changes of the date"))
		for _, c := range r.Changes {
			objs = append(objs, quietWrapped(changeLine(c)))
		}
	}
	b.body.Objects = objs
	b.body.Refresh()
}

// changeDialog changes the matter's destroy-after date, or keeps it for
// ever, with a reason (required).
func (b *retentionBox) changeDialog(r *app.MatterRetention) {
	u, s, id := b.u, b.u.sess, b.id
	date := u.newEntry("YYYY-MM-DD")
	if !r.DestroyAfter.IsZero() {
		date.SetText(human.Date(r.DestroyAfter))
	}
	forever := widget.NewCheck("Keep for ever (no destroy-after date)", nil)
	forever.SetChecked(r.KeepForever)
	reason := u.newMultiLine("Why the date changes (required), e.g. Client asked us to keep the file")
	reason.SetMinRowsVisible(3)
	dateErr, msg := errLabel(), errLabel()
	var d dialog.Dialog
	var saveB *widget.Button
	valid := func() (time.Time, bool) {
		var t time.Time
		if !forever.Checked {
			var err error
			if strings.TrimSpace(date.Text) == "" {
				setMsg(dateErr, "Type the date (YYYY-MM-DD), or tick Keep for ever.")
				return t, false
			}
			if t, err = human.ParseDate(strings.TrimSpace(date.Text)); err != nil {
				setMsg(dateErr, "“Destroy after”: "+err.Error())
				return t, false
			}
		}
		setMsg(dateErr, "")
		return t, strings.TrimSpace(reason.Text) != ""
	}
	check := func() {
		if forever.Checked {
			date.Disable()
		} else {
			date.Enable()
		}
		if _, ok := valid(); ok {
			saveB.Enable()
		} else {
			saveB.Disable()
		}
	}
	saveB = u.button("Save date", theme.DocumentSaveIcon(), func() {
		t, ok := valid()
		if !ok {
			setMsg(msg, "Give a reason: it is kept with the change.")
			return
		}
		keep, text := forever.Checked, strings.TrimSpace(reason.Text)
		saveB.Disable()
		run(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.SetDestroyAfter(ctx, id, t, keep, text)
		}, func(_ struct{}, err error) {
			if err != nil {
				setMsg(msg, app.Message(err))
				check()
				return
			}
			d.Hide()
			b.load()
		})
	})
	saveB.Importance = widget.HighImportance
	date.OnChanged = func(string) { check() }
	reason.OnChanged = func(string) { check() }
	forever.OnChanged = func(bool) { u.touch(); check() }
	cancel := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { d.Hide() }))
	what := "The date after which this matter may be destroyed. The rule of its practice area set it when it was closed; a change is kept with its reason."
	body := container.NewVBox(wrapped(what),
		container.New(layout.NewFormLayout(), bold("Destroy after"), container.NewVBox(date, dateErr), widget.NewLabel(""), forever,
			bold("Reason *"), reason),
		msg, container.NewHBox(cancel, layout.NewSpacer(), saveB))
	d = dialog.NewCustomWithoutButtons("Change the destroy-after date", container.NewStack(&widthBox{width: 520}, body), u.w)
	check()
	setMsg(dateErr, "")
	d.Show()
	u.w.Canvas().Focus(date)
}
