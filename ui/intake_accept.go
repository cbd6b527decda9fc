package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// This file: the Accept dialog of an intake submission. It is pre-filled
// from the answers (app.IntakeDraft) and every field is editable: the
// client (name, other names, contact details), the matter (title,
// practice area), the parties (role and name; removed, changed, added),
// and the decision on the conflict check made on review: clear, or waived
// with a note. "Conflict" is not a choice here: a conflict is declined.
// Saving makes the client, the matter and its parties at once (one change:
// all or nothing).

// acceptForm is the Accept dialog's form.
type acceptForm struct {
	r        *intakeReview
	fd       *formDialog
	draft    *app.IntakeAcceptance
	fields   map[string]*entry // the client's (clientFields' keys), "title", "practice-area"
	errs     map[string]*widget.Label
	parties  []*partyRow
	partyBox *fyne.Container
	partyErr *widget.Label
	decision *widget.RadioGroup // Clear / Waived
	note     *entry
	noteErr  *widget.Label
}

// partyRow is one party of the matter to be: its role and name; what the
// draft had besides (kind, organisation, other names, note) is kept.
type partyRow struct {
	in   app.PartyInput
	role *widget.Select
	name *entry
	obj  fyne.CanvasObject
}

// acceptDecisions are the decisions offered on accepting.
var acceptDecisions = []string{"Clear", "Waived"}

// startAccept reads the draft, then opens the dialog.
func (r *intakeReview) startAccept() {
	u, s, id := r.u, r.u.sess, r.id
	if r.result == nil {
		return // the check is not in yet (the button is disabled)
	}
	r.acceptB.Disable()
	run(u, func(ctx context.Context) (*app.IntakeAcceptance, error) {
		return s.IntakeDraft(ctx, id)
	}, func(a *app.IntakeAcceptance, err error) {
		r.acceptB.Enable()
		if r.q.review != r {
			return
		}
		if err != nil {
			setMsg(r.msg, "The submission could not be prepared for accepting: "+app.Message(err))
			return
		}
		r.acceptDialog(a)
	})
}

func (r *intakeReview) acceptDialog(a *app.IntakeAcceptance) {
	u := r.u
	af := &acceptForm{r: r, draft: a, fields: map[string]*entry{}, errs: map[string]*widget.Label{},
		partyBox: container.NewVBox(), partyErr: errLabel(), noteErr: errLabel()}
	af.fd = u.newFormDialog("Accept: make the client and the matter", "Accept and save", fyne.NewSize(820, 720), af.save)
	af.fd.saveB.SetIcon(theme.ConfirmIcon())

	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	aliases := ""
	if a.Client.Aliases != nil {
		aliases = strings.Join(*a.Client.Aliases, "\n")
	}
	values := map[string]string{"name": val(a.Client.Name), "alias": aliases, "email": val(a.Client.Email),
		"phone": val(a.Client.Phone), "dob": val(a.Client.DOB), "address": val(a.Client.Address), "notes": val(a.Client.Notes)}
	client := container.New(layout.NewFormLayout())
	for _, f := range clientFields {
		var e *entry
		switch f.key {
		case "alias", "address", "notes":
			e = u.newMultiLine(f.hint)
			e.SetMinRowsVisible(2)
		default:
			e = u.newEntry(f.hint)
		}
		e.SetText(values[f.key])
		key := f.key
		af.fields[key], af.errs[key] = e, errLabel()
		e.OnChanged = func(t string) { setMsg(af.errs[key], app.ValidateField(key, t, u.now())) }
		client.Add(bold(f.label))
		client.Add(container.NewVBox(e, af.errs[key]))
	}
	title := u.newEntry("e.g. Divorce of Jane Roe")
	title.SetText(a.MatterTitle)
	area := u.newEntry("e.g. Family")
	area.SetText(a.PracticeArea)
	note := u.newMultiLine("What the person asked help with, for the matter's first note (optional)")
	note.SetMinRowsVisible(3)
	note.SetText(a.MatterNote)
	af.fields["title"], af.fields["practice-area"], af.fields["text"] = title, area, note
	af.errs["title"], af.errs["practice-area"], af.errs["text"] = errLabel(), errLabel(), errLabel()
	title.OnChanged = func(t string) {
		if strings.TrimSpace(t) != "" {
			setMsg(af.errs["title"], "")
		}
	}
	matter := container.New(layout.NewFormLayout(),
		bold("Title *"), container.NewVBox(title, af.errs["title"]),
		bold("Practice area"), container.NewVBox(area, af.errs["practice-area"]),
		bold("First note"), container.NewVBox(note, af.errs["text"]))

	for _, p := range a.Parties {
		af.addParty(p)
	}
	addB := u.button("Add party", theme.ContentAddIcon(), func() {
		row := af.addParty(app.PartyInput{Role: app.PartyRoles[0], Kind: "person"})
		u.w.Canvas().Focus(row.name)
	})

	af.decision = widget.NewRadioGroup(acceptDecisions, func(string) { u.touch(); af.decisionChanged() })
	af.decision.Horizontal = true
	af.note = u.newEntry(noteHint)
	af.note.OnChanged = func(t string) {
		if strings.TrimSpace(t) != "" {
			setMsg(af.noteErr, "")
		}
	}
	res := r.result
	checkText := fmt.Sprintf("The conflict check made on review (check %d) found no possible conflict.", res.CheckID)
	if len(res.Hits) > 0 {
		checkText = fmt.Sprintf("The conflict check made on review (check %d) found %s, listed below. "+
			"If one of them is a conflict, do not accept: cancel, and decline the submission.",
			res.CheckID, human.Count(len(res.Hits), "possible conflict", "possible conflicts"))
	}
	conflict := container.NewVBox(wrapped(checkText))
	if len(res.Hits) > 0 {
		hits := u.newHitList(func() { af.fd.d.Hide() })
		hits.set(res.Hits)
		space := canvas.NewRectangle(color.Transparent)
		space.SetMinSize(fyne.NewSize(0, offerHitsHeight))
		conflict.Add(container.NewStack(space, hits.obj))
	}
	conflict.Add(bold("Decision *"))
	conflict.Add(af.decision)
	conflict.Add(bold("Note"))
	conflict.Add(af.note)
	conflict.Add(af.noteErr)
	if len(res.Hits) == 0 {
		af.decision.SetSelected("Clear")
	}

	b := af.fd.body
	b.Add(hint("Filled in from the answers: check each field and change what needs changing. Saving makes the client, " +
		"the matter and its parties at once, and records the decision on the conflict check."))
	b.Add(heading("Client"))
	b.Add(client)
	b.Add(heading("Matter"))
	b.Add(matter)
	b.Add(container.NewHBox(heading("Parties"), layout.NewSpacer(), addB))
	b.Add(hint("The other side, other people involved and opposing counsel, as the person named them. " +
		"Every name here is compared in later conflict checks."))
	b.Add(af.partyBox)
	b.Add(af.partyErr)
	b.Add(heading("Conflict check"))
	b.Add(conflict)
	submitOn(af.fd.saveB, af.fields["name"], af.fields["email"], af.fields["phone"], af.fields["dob"], title, area, af.note)
	r.accept = af
	af.fd.d.Show()
	u.w.Canvas().Focus(af.fields["name"])
}

// addParty adds a row for one party.
func (af *acceptForm) addParty(p app.PartyInput) *partyRow {
	u := af.r.u
	row := &partyRow{in: p}
	var roles []string
	for _, x := range app.PartyRoles {
		roles = append(roles, app.PartyRoleLabel(x))
	}
	row.role = widget.NewSelect(roles, func(string) { u.touch() })
	row.role.SetSelected(app.PartyRoleLabel(p.Role))
	if row.role.Selected == "" || row.role.SelectedIndex() < 0 {
		row.role.SetSelectedIndex(0)
	}
	row.name = u.newEntry("Name of the person or organisation")
	row.name.SetText(p.Name)
	row.name.OnChanged = func(string) { setMsg(af.partyErr, "") }
	removeB := u.button("Remove", theme.ContentRemoveIcon(), func() { af.removeParty(row) })
	roleBox := container.NewStack(&widthBox{width: 200}, row.role)
	row.obj = container.NewBorder(nil, nil, roleBox, removeB, row.name)
	af.parties = append(af.parties, row)
	af.partyBox.Add(row.obj)
	return row
}

func (af *acceptForm) removeParty(row *partyRow) {
	for i, x := range af.parties {
		if x == row {
			af.parties = append(af.parties[:i], af.parties[i+1:]...)
			break
		}
	}
	af.partyBox.Remove(row.obj)
	setMsg(af.partyErr, "")
}

// decisionChanged says when a note is required.
func (af *acceptForm) decisionChanged() {
	if af.decision.Selected == "Waived" {
		af.note.SetPlaceHolder(waivedNoteHint)
	} else {
		af.note.SetPlaceHolder(noteHint)
		setMsg(af.noteErr, "")
	}
}

// input is the form as app.IntakeAcceptance, and whether it is complete
// (each problem is shown beside its field).
func (af *acceptForm) input() (app.IntakeAcceptance, bool) {
	u := af.r.u
	ok := true
	for _, f := range clientFields {
		if msg := app.ValidateField(f.key, af.fields[f.key].Text, u.now()); msg != "" {
			setMsg(af.errs[f.key], msg)
			ok = false
		}
	}
	if strings.TrimSpace(af.fields["title"].Text) == "" {
		setMsg(af.errs["title"], "A matter needs a title")
		ok = false
	}
	var parties []app.PartyInput
	for _, row := range af.parties {
		in := row.in
		in.Name = strings.TrimSpace(row.name.Text)
		if in.Name == "" {
			setMsg(af.partyErr, "A party has no name: type it, or remove that row.")
			ok = false
			continue
		}
		for _, x := range app.PartyRoles {
			if app.PartyRoleLabel(x) == row.role.Selected {
				in.Role = x
			}
		}
		if in.Kind == "" {
			in.Kind = "person"
		}
		parties = append(parties, in)
	}
	decision := strings.ToLower(af.decision.Selected)
	switch {
	case decision == "":
		setMsg(af.noteErr, "Choose the decision on the conflict check: clear, or waived.")
		ok = false
	case decision == "waived" && strings.TrimSpace(af.note.Text) == "":
		setMsg(af.noteErr, WaiverNeedsNote)
		ok = false
	}
	text := func(k string) *string { t := af.fields[k].Text; return &t }
	aliases := app.SplitLines(af.fields["alias"].Text)
	// The check decided is the one whose hits the review shows (the app
	// refuses it when a later one was run meanwhile).
	checkID := af.r.result.CheckID
	return app.IntakeAcceptance{
		Client: app.ClientInput{Name: text("name"), Aliases: &aliases, Email: text("email"), Phone: text("phone"),
			DOB: text("dob"), Address: text("address"), Notes: text("notes")},
		MatterTitle: strings.TrimSpace(af.fields["title"].Text), PracticeArea: strings.TrimSpace(af.fields["practice-area"].Text),
		Parties: parties, MatterNote: af.fields["text"].Text, CheckID: checkID, Decision: decision, DecisionNote: strings.TrimSpace(af.note.Text),
	}, ok
}

func (af *acceptForm) save() {
	r := af.r
	u, s, id := r.u, r.u.sess, r.id
	for _, l := range af.errs {
		setMsg(l, "")
	}
	setMsg(af.partyErr, "")
	setMsg(af.noteErr, "")
	in, ok := af.input()
	if !ok {
		setMsg(af.fd.formErr, "Please correct the fields marked in red; nothing was saved yet.")
		return
	}
	setMsg(af.fd.formErr, "")
	af.fd.saveB.Disable()
	run(u, func(ctx context.Context) ([2]int64, error) {
		c, m, err := s.AcceptIntake(ctx, id, in)
		return [2]int64{c, m}, err
	}, func(ids [2]int64, err error) {
		af.fd.saveB.Enable()
		if err != nil {
			errs := map[string]*widget.Label{"note": af.noteErr, "decision": af.noteErr, "party": af.partyErr}
			for k, l := range af.errs {
				errs[k] = l
			}
			if errors.Is(err, app.ErrIntakeDecided) || errors.Is(err, app.ErrIntakeDeleted) {
				af.fd.d.Hide()
				r.accept = nil
				setMsg(r.msg, "This submission was decided meanwhile (in another window or from the command line); nothing was saved.")
				r.decided()
				return
			}
			af.fd.fieldErrors(errs, err, "Not accepted: ")
			return
		}
		af.fd.d.Hide()
		r.accept = nil
		r.decided()
	})
}
