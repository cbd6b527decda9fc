package ui

// The Intake screen's Form questions tab: which questions the intake form
// asks for each practice area and which must be answered, the lawyer's own
// questions, and the privacy notice the person agrees to. Save keeps a new
// version of the form (app.Session.SaveIntakeForm); forms already received
// keep their answers whatever changes (each answer carries its question).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/intake/form"
)

// formEditor is the Form questions tab.
type formEditor struct {
	u          *UI
	cfg        *form.Config // being edited: a copy of the saved form
	savedText  string       // the saved notice's text
	area       string       // the practice area shown
	areaKeys   map[string]string
	areaSel    *widget.Select
	rows       *fyne.Container
	rowErr     map[string]*widget.Label // beside each question
	addB       *widget.Button
	notice     *entry
	noticeHint *widget.Label
	noticeErr  *widget.Label
	saveB      *widget.Button
	status     *widget.Label
	formErr    *widget.Label
	canEdit    bool
	obj        fyne.CanvasObject
	body       *fyne.Container
}

func newFormEditor(u *UI) *formEditor {
	e := &formEditor{u: u, body: container.NewStack(quiet("Loading the form…")), canEdit: u.can(access.Intake, access.Edit)}
	e.obj = e.body
	e.load("")
	return e
}

// load reads the current form and shows it; msg (when not "") is the
// status line (after a save).
func (e *formEditor) load(msg string) {
	u := e.u
	s := u.sess
	if s == nil {
		return
	}
	run(u, func(ctx context.Context) (*form.Config, error) {
		return s.IntakeForm(ctx)
	}, func(c *form.Config, err error) {
		if err != nil {
			l := errLabel()
			setMsg(l, "The intake form could not be read: "+app.Message(err))
			e.body.Objects = []fyne.CanvasObject{l}
			e.body.Refresh()
			return
		}
		e.build(c)
		if msg != "" {
			e.status.SetText(msg)
		}
	})
}

// build lays the editor out for c.
func (e *formEditor) build(c *form.Config) {
	u := e.u
	e.cfg, e.savedText = c, c.Notice.Text
	e.areaKeys = map[string]string{}
	var labels []string
	for _, a := range c.Areas {
		l := areaLabel(a)
		if _, dup := e.areaKeys[l]; dup {
			l = human.Escape(a.Label + " (" + a.Key + ")")
		}
		labels = append(labels, l)
		e.areaKeys[l] = a.Key
	}
	if _, ok := c.Area(e.area); !ok && len(c.Areas) > 0 {
		e.area = c.Areas[0].Key
	}
	e.areaSel = widget.NewSelect(labels, func(l string) {
		u.touch()
		if k := e.areaKeys[l]; k != e.area {
			e.area = k
			e.fillRows()
		}
	})
	for l, k := range e.areaKeys {
		if k == e.area {
			e.areaSel.Selected = l
		}
	}
	e.rows = container.NewVBox()
	e.addB = u.button("Add your own question…", theme.ContentAddIcon(), e.addDialog)
	e.notice = u.newMultiLine("The privacy notice the person must agree to before sending the form")
	e.notice.SetMinRowsVisible(5)
	e.notice.SetText(c.Notice.Text)
	e.noticeHint = hint("")
	e.noticeErr = errLabel()
	e.notice.OnChanged = func(string) { setMsg(e.noticeErr, ""); e.changed() }
	e.saveB = u.button("Save the form", theme.DocumentSaveIcon(), e.save)
	e.saveB.Importance = widget.HighImportance
	e.status = quiet("")
	e.formErr = errLabel()
	denied := quiet("")
	denied.Hide()
	if !e.canEdit {
		e.saveB.Disable()
		e.addB.Disable()
		e.notice.Disable()
		setMsg(denied, u.deniedHint("change the intake form"))
	}
	e.fillRows()
	e.noticeWords()
	top := container.NewVBox(
		wrapped("Choose a practice area, then tick the questions its form asks and those that must be answered. "+
			"Your own questions can be asked in any area. Forms already received keep their answers whatever you change."),
		container.NewBorder(nil, nil, bold("Practice area"), nil, e.areaSel))
	middle := container.NewVScroll(container.NewVBox(
		e.rows, container.NewHBox(e.addB), widget.NewSeparator(),
		bold("Privacy notice"), e.noticeHint, e.notice, e.noticeErr))
	bottom := container.NewVBox(widget.NewSeparator(), container.NewHBox(e.saveB, e.status, denied), e.formErr)
	e.body.Objects = []fyne.CanvasObject{container.NewBorder(top, bottom, nil, nil, middle)}
	e.body.Refresh()
}

// areaLabel is a practice area as the lawyer reads it.
func areaLabel(a form.Area) string {
	if strings.TrimSpace(a.Label) == "" {
		return human.Escape(a.Key)
	}
	return human.Escape(a.Label)
}

// kindWords says what kind of answer a question takes; a choice names
// its choices.
func kindWords(q form.Question) string {
	if q.Kind == form.Choice {
		return human.Truncate("Choice: "+human.Escape(strings.Join(q.Choices, ", ")), 60)
	}
	return q.Kind.Words()
}

// fillRows lists every question with the area's ticks.
func (e *formEditor) fillRows() {
	u := e.u
	a, ok := e.cfg.Area(e.area)
	e.rowErr = map[string]*widget.Label{}
	var objs []fyne.CanvasObject
	if !ok {
		e.rows.Objects = []fyne.CanvasObject{hint("This form has no practice area.")}
		e.rows.Refresh()
		return
	}
	for _, q := range e.cfg.Questions {
		key := q.Key
		asked := slices.Contains(a.Questions, key)
		req := widget.NewCheck("Must be answered", nil)
		req.SetChecked(slices.Contains(a.Required, key))
		ask := widget.NewCheck(human.Escape(q.Label), nil)
		ask.SetChecked(asked)
		ask.OnChanged = func(on bool) {
			u.touch()
			e.setAsked(key, on)
			if on {
				req.Enable()
			} else {
				req.SetChecked(false)
				req.Disable()
			}
			e.changed()
		}
		req.OnChanged = func(on bool) {
			u.touch()
			e.setRequired(key, on)
			e.changed()
		}
		if !asked {
			req.Disable()
		}
		right := []fyne.CanvasObject{quiet(kindWords(q)), req}
		if key == "full_name" {
			// Always asked first and always required: the queue and the
			// conflict check need a name.
			ask.Disable()
			req.Disable()
		}
		if !q.Builtin {
			rm := u.button("Remove", theme.DeleteIcon(), func() { e.removeDialog(key) })
			rm.Importance = widget.LowImportance
			if !e.canEdit {
				rm.Disable()
			}
			right = append(right, rm)
		}
		if !e.canEdit {
			ask.Disable()
			req.Disable()
		}
		errL := errLabel()
		e.rowErr[key] = errL
		objs = append(objs, container.NewBorder(nil, errL, nil, container.NewHBox(right...), ask))
	}
	e.rows.Objects = objs
	e.rows.Refresh()
}

// setAsked adds the question to the shown area's form (at its end) or
// takes it out (and out of the required ones).
func (e *formEditor) setAsked(key string, on bool) {
	a, ok := e.cfg.Area(e.area)
	if !ok {
		return
	}
	if on {
		if !slices.Contains(a.Questions, key) {
			a.Questions = append(a.Questions, key)
		}
		return
	}
	a.Questions = slices.DeleteFunc(a.Questions, func(k string) bool { return k == key })
	a.Required = slices.DeleteFunc(a.Required, func(k string) bool { return k == key })
}

func (e *formEditor) setRequired(key string, on bool) {
	a, ok := e.cfg.Area(e.area)
	if !ok {
		return
	}
	if on {
		if !slices.Contains(a.Required, key) {
			a.Required = append(a.Required, key)
		}
		return
	}
	a.Required = slices.DeleteFunc(a.Required, func(k string) bool { return k == key })
}

// changed: something was changed and is not saved yet.
func (e *formEditor) changed() {
	e.status.SetText("Changes not saved yet.")
	setMsg(e.formErr, "")
	e.noticeWords()
}

// noticeWords explains the notice's versions: a changed text makes a new one.
func (e *formEditor) noticeWords() {
	v := e.cfg.Notice.Version
	msg := fmt.Sprintf("The person must agree to this text before sending the form. This is version %d; "+
		"each form received records the version its sender agreed to.", v)
	if e.notice.Text != e.savedText {
		msg += fmt.Sprintf(" You changed it: saving makes it version %d, and earlier forms keep version %d.", v+1, v)
	}
	e.noticeHint.SetText(msg)
}

// questionProblems checks a question of the lawyer's own as typed: the
// messages for the question's wording and its choices ("" when fine).
func questionProblems(label string, kind form.Kind, choices []string) (labelMsg, choicesMsg string) {
	switch l := strings.TrimSpace(label); {
	case l == "":
		labelMsg = "Write the question."
	case utf8.RuneCountInString(l) > form.MaxLabelChars:
		labelMsg = fmt.Sprintf("Keep the question under %d characters (it has %d).", form.MaxLabelChars, utf8.RuneCountInString(l))
	case human.Unsafe(l, false) != "":
		labelMsg = "The question contains " + human.Unsafe(l, false) + ": take it out."
	}
	if kind != form.Choice {
		return labelMsg, ""
	}
	seen := map[string]bool{}
	for _, c := range choices {
		switch {
		case utf8.RuneCountInString(c) > form.MaxChoiceChars:
			return labelMsg, fmt.Sprintf("Keep each choice under %d characters.", form.MaxChoiceChars)
		case human.Unsafe(c, false) != "":
			return labelMsg, "A choice contains " + human.Unsafe(c, false) + ": take it out."
		case seen[strings.ToLower(c)]:
			return labelMsg, fmt.Sprintf("%q is there twice.", human.Escape(c))
		}
		seen[strings.ToLower(c)] = true
	}
	switch {
	case len(choices) < 2:
		choicesMsg = "Give at least two choices, one per line."
	case len(choices) > form.MaxChoices:
		choicesMsg = fmt.Sprintf("Give at most %d choices.", form.MaxChoices)
	}
	return labelMsg, choicesMsg
}

// choiceLines are the non-empty lines of the choices field, trimmed.
func choiceLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// addDialog asks for a question of the lawyer's own: its wording, a help
// line, the kind of answer and, for a choice, the choices. It is asked in
// the area shown (and can be ticked in the others).
func (e *formEditor) addDialog() {
	u := e.u
	if !e.canEdit || e.cfg == nil {
		return
	}
	label := u.newEntry("e.g. Were the police called?")
	help := u.newEntry("Optional: a line under the question")
	var words []string
	for _, k := range form.CustomKinds {
		words = append(words, k.Words())
	}
	kind := widget.NewSelect(words, nil)
	kind.SetSelected(words[0])
	choices := u.newMultiLine("One choice per line")
	choices.SetMinRowsVisible(4)
	choicesBox := container.NewVBox(bold("Choices"), choices)
	choicesBox.Hide()
	labelErr, choicesErr := errLabel(), errLabel()
	kindOf := func() form.Kind {
		for _, k := range form.CustomKinds {
			if k.Words() == kind.Selected {
				return k
			}
		}
		return form.Short
	}
	kind.OnChanged = func(string) {
		u.touch()
		if kindOf() == form.Choice {
			choicesBox.Show()
		} else {
			choicesBox.Hide()
			setMsg(choicesErr, "")
		}
	}
	label.OnChanged = func(string) { setMsg(labelErr, "") }
	choices.OnChanged = func(string) { setMsg(choicesErr, "") }
	var d *dialog.CustomDialog
	addB := u.button("Add the question", theme.ContentAddIcon(), func() {
		k := kindOf()
		var cs []string
		if k == form.Choice {
			cs = choiceLines(choices.Text)
		}
		lm, cm := questionProblems(label.Text, k, cs)
		hm := ""
		if h := strings.TrimSpace(help.Text); utf8.RuneCountInString(h) > form.MaxHelpChars {
			hm = fmt.Sprintf("Keep the help line under %d characters.", form.MaxHelpChars)
		} else if human.Unsafe(h, false) != "" {
			hm = "The help line contains " + human.Unsafe(h, false) + ": take it out."
		}
		setMsg(labelErr, strings.TrimSpace(lm+" "+hm))
		setMsg(choicesErr, cm)
		if lm != "" || cm != "" || hm != "" {
			return
		}
		e.addQuestion(form.Question{Key: e.cfg.NextCustomKey(), Label: strings.TrimSpace(label.Text),
			Help: strings.TrimSpace(help.Text), Kind: k, Choices: cs})
		d.Hide()
	})
	addB.Importance = widget.HighImportance
	submitOn(addB, label, help)
	cancelB := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { d.Hide() }))
	a, _ := e.cfg.Area(e.area)
	where := "It is asked in the " + areaLabel(*a) + " form; tick it in the other areas to ask it there too."
	d = dialog.NewCustomWithoutButtons("Add your own question", textBox(480,
		bold("Question"), label, labelErr,
		bold("Help (optional)"), help,
		bold("Kind of answer"), kind,
		choicesBox, choicesErr,
		hint(where)), u.w)
	d.SetButtons([]fyne.CanvasObject{cancelB, addB})
	d.Show()
	u.w.Canvas().Focus(label)
}

// addQuestion adds q to the form and asks it in the area shown.
func (e *formEditor) addQuestion(q form.Question) {
	e.cfg.Questions = append(e.cfg.Questions, q)
	e.setAsked(q.Key, true)
	e.fillRows()
	e.changed()
}

// removeDialog takes a question of the lawyer's own out of the form, after
// asking.
func (e *formEditor) removeDialog(key string) {
	q, ok := e.cfg.Question(key)
	if !ok || q.Builtin {
		return
	}
	dialog.ShowConfirm("Remove this question?",
		fmt.Sprintf("Remove %q from the form of every practice area? Forms already received keep their answers to it.",
			human.Escape(q.Label)),
		func(yes bool) {
			if !yes {
				return
			}
			e.cfg.Questions = slices.DeleteFunc(e.cfg.Questions, func(q form.Question) bool { return q.Key == key })
			for i := range e.cfg.Areas {
				a := &e.cfg.Areas[i]
				a.Questions = slices.DeleteFunc(a.Questions, func(k string) bool { return k == key })
				a.Required = slices.DeleteFunc(a.Required, func(k string) bool { return k == key })
			}
			e.fillRows()
			e.changed()
		}, e.u.w)
}

// save keeps the form as a new version; what the app refuses shows beside
// its field.
func (e *formEditor) save() {
	u := e.u
	s := u.sess
	if s == nil || !e.canEdit || e.cfg == nil {
		return
	}
	for _, l := range e.rowErr {
		setMsg(l, "")
	}
	setMsg(e.noticeErr, "")
	setMsg(e.formErr, "")
	if strings.TrimSpace(e.notice.Text) == "" {
		setMsg(e.noticeErr, "Write the privacy notice: the person must agree to it before sending the form.")
		return
	}
	c := e.cfg.Clone()
	c.Notice.Text = e.notice.Text
	noticeChanged := c.Notice.Text != e.savedText
	e.saveB.Disable()
	e.status.SetText("Saving…")
	run(u, func(ctx context.Context) (int, error) {
		return s.SaveIntakeForm(ctx, c)
	}, func(v int, err error) {
		e.saveB.Enable()
		if err != nil {
			e.status.SetText("Not saved.")
			e.showError(err)
			return
		}
		msg := fmt.Sprintf("Saved: this is version %d of the form.", v)
		if noticeChanged {
			msg += " The privacy notice is a new version: forms sent from now on record it."
		}
		if u.intake.run != nil {
			msg += " Intake running now keeps the form it started with: stop it and start it again to use this one."
		}
		e.load(msg)
	})
}

// showError puts the app's refusal beside the field it is about: a
// question ("questions[3].label": the fourth question), the notice
// ("notice.text"), or under Save.
func (e *formEditor) showError(err error) {
	var fe *form.FieldError
	if errors.As(err, &fe) {
		if rest, ok := strings.CutPrefix(fe.Field, "questions["); ok {
			if i, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, ']'), 0)]); err == nil && i >= 0 && i < len(e.cfg.Questions) {
				if l, ok := e.rowErr[e.cfg.Questions[i].Key]; ok {
					setMsg(l, fe.Message)
					return
				}
			}
		}
		if strings.HasPrefix(fe.Field, "notice") {
			setMsg(e.noticeErr, fe.Message)
			return
		}
	}
	setMsg(e.formErr, "The form was not saved: "+app.Message(err))
}
