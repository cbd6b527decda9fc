package ui

import (
	"context"
	"fmt"
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

// This file: the Rules tab of the Retention screen: how long a closed
// matter is kept, by practice area, with the default rule for every other
// area (it cannot be deleted). A rule is chosen in the list and changed in
// the form under it; New rule empties the form.

// rulesPane is the Rules tab.
type rulesPane struct {
	u     *UI
	obj   fyne.CanvasObject
	rules []app.RetentionRule
	list  *widget.List
	count *widget.Label
	seq   int
	sel   int // index in rules; -1: a new rule

	area                 *widget.SelectEntry
	years, months        *entry
	never                *widget.Check
	note                 *entry
	formErr, notice, why *widget.Label
	newB, saveB, deleteB *widget.Button
	formTitle            *widget.Label
}

// ruleLines is a rule in the list: its area and how long it keeps a
// matter; its note, and who changed it last.
func ruleLines(r app.RetentionRule) [][]part {
	keep := "keep " + keepForWords(r.Years, r.Months, r.Never) + " after closing"
	if r.Never {
		keep = "keep for ever: no destroy-after date"
	}
	second := []string{}
	if r.Note != "" {
		second = append(second, oneLine(human.Truncate(r.Note, 120)))
	}
	if !r.UpdatedAt.IsZero() {
		who := ""
		if r.UpdatedBy != "" {
			who = " by " + oneLine(r.UpdatedBy)
		}
		second = append(second, "changed "+human.Date(r.UpdatedAt)+who)
	}
	return [][]part{{strong(ruleAreaWords(r.PracticeArea)), plain(" · " + keep)}, {low(strings.Join(second, " · "))}}
}

func newRulesPane(u *UI) *rulesPane {
	p := &rulesPane{u: u, count: wrapped(""), sel: -1, formErr: errLabel(), notice: quiet(""), why: hint(""), formTitle: bold("New rule")}
	p.notice.Importance = widget.SuccessImportance
	p.notice.Hide()
	p.why.Hide()
	p.list = widget.NewList(func() int { return len(p.rules) },
		func() fyne.CanvasObject { return newRows(2) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(p.rules) {
				setRows(o.(*widget.RichText), ruleLines(p.rules[id])...)
			}
		})
	p.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		if id < len(p.rules) {
			p.choose(id)
		}
	}
	p.area = widget.NewSelectEntry(nil)
	p.area.PlaceHolder = "Practice area, e.g. Family law"
	p.years, p.months = u.newEntry("0 to 100"), u.newEntry("0 to 11")
	p.never = widget.NewCheck("Keep for ever (no destroy-after date)", func(on bool) {
		u.touch()
		if on {
			p.years.Disable()
			p.months.Disable()
		} else {
			p.years.Enable()
			p.months.Enable()
		}
	})
	p.note = u.newEntry("e.g. State bar rule 1.15: five years after the end of the representation")
	p.newB = u.button("New rule", theme.ContentAddIcon(), func() { p.list.UnselectAll(); p.choose(-1) })
	p.saveB = u.button("Save rule", theme.DocumentSaveIcon(), p.save)
	p.saveB.Importance = widget.HighImportance
	p.deleteB = u.button("Delete rule", theme.DeleteIcon(), p.confirmDelete)
	submitOn(p.saveB, p.years, p.months, p.note)
	u.allow(p.newB, access.EditRetention, p.why)
	u.allow(p.saveB, access.EditRetention, p.why)
	form := container.NewVBox(
		p.formTitle,
		container.New(layout.NewFormLayout(),
			bold("Practice area"), p.area,
			bold("Keep"), container.NewHBox(fixedWidth(80, p.years), widget.NewLabel("years"), fixedWidth(80, p.months), widget.NewLabel("months after closing")),
			widget.NewLabel(""), p.never,
			bold("Note"), p.note),
		p.formErr,
		container.NewHBox(p.saveB, p.deleteB, layout.NewSpacer(), p.notice),
		p.why)
	head := container.NewVBox(
		container.NewBorder(nil, nil, nil, p.newB, hint("Closing a matter gives it a destroy-after date from the rule of its practice area; "+
			"a matter whose area has no rule of its own follows the default rule. Changing a rule changes the dates of matters closed after the change only.")),
		p.count)
	p.obj = container.NewBorder(head, container.NewVBox(widget.NewSeparator(), form), nil, nil, p.list)
	p.choose(-1)
	return p
}

// choose fills the form with rule i (-1: a new rule, empty).
func (p *rulesPane) choose(i int) {
	p.sel = i
	setMsg(p.formErr, "")
	r := app.RetentionRule{Years: 7}
	if i >= 0 && i < len(p.rules) {
		r = p.rules[i]
		p.formTitle.SetText("Rule: " + ruleAreaWords(r.PracticeArea))
	} else {
		p.formTitle.SetText("New rule")
	}
	p.area.SetText(r.PracticeArea)
	p.years.SetText(fmt.Sprint(r.Years))
	p.months.SetText(fmt.Sprint(r.Months))
	p.never.SetChecked(r.Never)
	p.note.SetText(r.Note)
	p.area.Enable()
	if i >= 0 {
		p.area.Disable() // a rule's area is its name: a new area is a new rule
	}
	if i >= 0 && p.rules[i].PracticeArea != "" {
		p.u.allow(p.deleteB, access.EditRetention, nil)
	} else {
		p.deleteB.Disable() // nothing chosen, or the default rule
	}
	if !p.u.sess.CanDo(access.EditRetention) {
		p.saveB.Disable()
	}
}

func (p *rulesPane) reload() {
	u, s := p.u, p.u.sess
	p.seq++
	seq := p.seq
	type got struct {
		rules []app.RetentionRule
		areas []string
	}
	run(u, func(ctx context.Context) (got, error) {
		rules, err := s.RetentionRules(ctx)
		if err != nil {
			return got{}, err
		}
		areas, err := s.PracticeAreas(ctx)
		return got{rules, areas}, err
	}, func(g got, err error) {
		if seq != p.seq {
			return
		}
		if err != nil {
			p.count.SetText("The rules could not be read: " + app.Message(err))
			return
		}
		chosen := ""
		if p.sel >= 0 && p.sel < len(p.rules) {
			chosen = p.rules[p.sel].PracticeArea
		}
		p.rules = g.rules
		var opts []string
		has := map[string]bool{}
		for _, r := range g.rules {
			has[strings.ToLower(r.PracticeArea)] = true
		}
		for _, a := range g.areas {
			if !has[strings.ToLower(a)] && a != "" {
				opts = append(opts, a)
			}
		}
		p.area.SetOptions(opts)
		text := human.Count(len(g.rules), "rule", "rules")
		if len(opts) > 0 {
			text += " · " + human.Count(len(opts), "practice area follows", "practice areas follow") + " the default rule: " + strings.Join(escapeAll(opts), ", ")
		}
		p.count.SetText(text)
		p.list.UnselectAll()
		p.list.Refresh()
		p.sel = -1
		for i, r := range g.rules {
			if chosen != "" && r.PracticeArea == chosen {
				p.list.Select(i)
			}
		}
		if p.sel < 0 {
			p.choose(-1)
		}
	})
}

// save saves the form as a rule (a new one, or the chosen one changed).
func (p *rulesPane) save() {
	u, s := p.u, p.u.sess
	setMsg(p.formErr, "")
	y, m, err := parseKeepFor(p.years.Text, p.months.Text)
	if p.never.Checked {
		y, m, err = 0, 0, nil
	}
	if err != nil {
		setMsg(p.formErr, err.Error())
		return
	}
	area := strings.TrimSpace(p.area.Text)
	if p.sel < 0 && area == "" {
		setMsg(p.formErr, "Type the practice area the rule is for: the default rule is already there, choose it in the list to change it.")
		return
	}
	if p.sel >= 0 {
		area = p.rules[p.sel].PracticeArea
	}
	r := app.RetentionRule{PracticeArea: area, Years: y, Months: m, Never: p.never.Checked, Note: strings.TrimSpace(p.note.Text)}
	p.saveB.Disable()
	run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.SetRetentionRule(ctx, r) },
		func(_ struct{}, err error) {
			p.saveB.Enable()
			if err != nil {
				setMsg(p.formErr, "Not saved: "+app.Message(err))
				return
			}
			p.say("Saved: " + ruleAreaWords(area) + ", keep " + keepForWords(y, m, r.Never) + ".")
			p.rules = append(p.rules, r) // chosen again after the reload
			p.sel = len(p.rules) - 1
			p.reload()
		})
}

func (p *rulesPane) say(msg string) {
	p.notice.SetText(msg)
	p.notice.Show()
}

// confirmDelete deletes the chosen rule after asking (never the default).
func (p *rulesPane) confirmDelete() {
	u, s := p.u, p.u.sess
	if p.sel < 0 || p.rules[p.sel].PracticeArea == "" {
		return
	}
	area := p.rules[p.sel].PracticeArea
	cd := dialog.NewConfirm("Delete this rule?", "Matters of "+ruleAreaWords(area)+" closed from now on follow the default rule. "+
		"Matters already closed keep their dates.", func(ok bool) {
		u.touch()
		if !ok {
			return
		}
		run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.DeleteRetentionRule(ctx, area) },
			func(_ struct{}, err error) {
				if err != nil {
					setMsg(p.formErr, "Not deleted: "+app.Message(err))
					return
				}
				p.say("Deleted the rule for " + ruleAreaWords(area) + ".")
				p.sel = -1
				p.reload()
			})
	}, u.w)
	cd.SetConfirmText("Delete rule")
	cd.SetDismissText("Cancel")
	cd.Show()
}
