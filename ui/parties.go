package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
)

// This file: a matter's parties (Add party, Edit, Remove), its clients
// (Add client…, Remove) and Edit matter, each in a dialog over the
// Matters screen. Saving a new party offers a conflict check on its names
// in the same dialog (conflictOffer).

// formDialog is a dialog holding a form: Escape and Cancel close it, Enter
// in a one-line field presses its main button.
type formDialog struct {
	u       *UI
	d       dialog.Dialog
	body    *fyne.Container // the form, then what follows the save
	saveB   *widget.Button
	cancelB *widget.Button
	formErr *widget.Label
}

func (u *UI) newFormDialog(title, save string, size fyne.Size, onSave func()) *formDialog {
	f := &formDialog{u: u, body: container.NewVBox(), formErr: errLabel()}
	f.saveB = u.button(save, theme.DocumentSaveIcon(), onSave)
	f.saveB.Importance = widget.HighImportance
	f.cancelB = u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { f.d.Hide() }))
	// The buttons stay at the foot, the form's error beside them: an error
	// appearing never moves them.
	foot := container.NewBorder(nil, nil, nil, container.NewHBox(f.cancelB, f.saveB), f.formErr)
	content := container.NewBorder(nil, foot, nil, nil, container.NewVScroll(f.body))
	f.d = dialog.NewCustomWithoutButtons(title, content, u.w)
	f.d.Resize(size)
	return f
}

// fieldErrors shows an error next to its field: a *app.FieldError whose
// field has a label in errs, else in the form's line.
func (f *formDialog) fieldErrors(errs map[string]*widget.Label, err error, prefix string) {
	for _, l := range errs {
		setMsg(l, "")
	}
	var fe *app.FieldError
	if errors.As(err, &fe) && errs[fe.Field] != nil {
		setMsg(errs[fe.Field], fe.Message)
		setMsg(f.formErr, "")
		return
	}
	setMsg(f.formErr, prefix+app.Message(err))
}

// partyForm is the Add party / Edit party dialog's form.
type partyForm struct {
	role         *widget.Select
	kind         *widget.RadioGroup
	name, org    *entry
	aliases      *entry
	former, note *entry
	errs         map[string]*widget.Label
}

var partyKinds = []string{"Person", "Organisation"}

// partyDialog adds a party to matter m (p nil) or edits p. After a save,
// a new party's names (or an edited party's, when they changed) are
// offered for a conflict check in the same dialog.
func (ms *mattersScreen) partyDialog(m *app.MatterDetail, p *app.Party) {
	u := ms.u
	pf := &partyForm{errs: map[string]*widget.Label{}}
	var roles []string
	for _, r := range app.PartyRoles {
		roles = append(roles, app.PartyRoleLabel(r))
	}
	pf.role = widget.NewSelect(roles, func(string) { u.touch() })
	pf.kind = widget.NewRadioGroup(partyKinds, func(string) { u.touch() })
	pf.kind.Horizontal = true
	pf.kind.Required = true
	pf.name = u.newEntry("Full name, or the organisation's name")
	pf.org = u.newEntry("The firm or company they are with (optional)")
	pf.aliases = u.newMultiLine("Other names they use, one per line")
	pf.former = u.newMultiLine("Names they had before, one per line")
	pf.note = u.newMultiLine("Anything to remember about them (optional)")
	for _, e := range []*entry{pf.aliases, pf.former, pf.note} {
		e.SetMinRowsVisible(2)
	}
	for _, k := range []string{"role", "kind", "name", "organisation", "alias", "former-name", "party-note"} {
		pf.errs[k] = errLabel()
	}
	pf.name.OnChanged = func(t string) {
		if strings.TrimSpace(t) != "" {
			setMsg(pf.errs["name"], "")
		}
	}
	title, save := "Add party to “"+m.Title+"”", "Save party"
	pf.role.SetSelectedIndex(0)
	pf.kind.SetSelected(partyKinds[0])
	if p != nil {
		title = "Edit party " + p.Name
		pf.role.SetSelected(app.PartyRoleLabel(p.Role))
		if p.Kind == "organisation" {
			pf.kind.SetSelected(partyKinds[1])
		}
		pf.name.SetText(p.Name)
		pf.org.SetText(p.Organisation)
		pf.aliases.SetText(strings.Join(p.Aliases, "\n"))
		pf.former.SetText(strings.Join(p.FormerNames, "\n"))
		pf.note.SetText(p.Note)
	}
	var fd *formDialog
	fd = u.newFormDialog(title, save, fyne.NewSize(720, 640), func() {
		in := pf.input()
		if strings.TrimSpace(in.Name) == "" {
			setMsg(pf.errs["name"], "A party needs a name")
			u.w.Canvas().Focus(pf.name)
			return
		}
		s, mid := u.sess, m.ID
		fd.saveB.Disable()
		run(u, func(ctx context.Context) (int64, error) {
			if p == nil {
				return s.AddParty(ctx, mid, in)
			}
			return p.ID, s.EditParty(ctx, p.ID, in)
		}, func(id int64, err error) {
			fd.saveB.Enable()
			if err != nil {
				fd.fieldErrors(pf.errs, err, "Not saved: ")
				return
			}
			ms.reload(mid)
			ms.open(mid)
			if p != nil && slices.Equal(partyNames(p.Name, p.Organisation, p.Aliases, p.FormerNames), partyNames(in.Name, in.Organisation, in.Aliases, in.FormerNames)) {
				fd.d.Hide() // no new name to check
				return
			}
			ms.partySaved(fd, mid, id, in, p == nil)
		})
	})
	grid := container.New(layout.NewFormLayout(),
		bold("Role *"), container.NewVBox(pf.role, pf.errs["role"]),
		bold("Person or organisation"), container.NewVBox(pf.kind, pf.errs["kind"]),
		bold("Name *"), container.NewVBox(pf.name, pf.errs["name"]),
		bold("Organisation"), container.NewVBox(pf.org, pf.errs["organisation"]),
		bold("Also known as"), container.NewVBox(pf.aliases, pf.errs["alias"]),
		bold("Former names"), container.NewVBox(pf.former, pf.errs["former-name"]),
		bold("Note"), container.NewVBox(pf.note, pf.errs["party-note"]),
	)
	fd.body.Add(hint("Every name here (also the other and former names) is compared in later conflict checks."))
	fd.body.Add(grid)
	submitOn(fd.saveB, pf.name, pf.org)
	ms.partyForm = pf
	fd.d.Show()
	u.w.Canvas().Focus(pf.name)
}

// input is the form as app.PartyInput.
func (pf *partyForm) input() app.PartyInput {
	in := app.PartyInput{Name: pf.name.Text, Organisation: pf.org.Text, Note: pf.note.Text,
		Aliases: app.SplitLines(pf.aliases.Text), FormerNames: app.SplitLines(pf.former.Text), Kind: "person"}
	for _, r := range app.PartyRoles {
		if app.PartyRoleLabel(r) == pf.role.Selected {
			in.Role = r
		}
	}
	if pf.kind.Selected == partyKinds[1] {
		in.Kind = "organisation"
	}
	return in
}

// partyNames are the names of a party a conflict check compares: its
// name, its organisation, its other and former names.
func partyNames(name, org string, aliases, former []string) []string {
	out := []string{name}
	if strings.TrimSpace(org) != "" {
		out = append(out, org)
	}
	out = append(out, aliases...)
	return append(out, former...)
}

// partySaved turns the party dialog into what follows the save: that it
// was saved, and the conflict check on its names.
func (ms *mattersScreen) partySaved(fd *formDialog, matterID, partyID int64, in app.PartyInput, added bool) {
	u := ms.u
	what := "changed"
	if added {
		what = "added"
	}
	doneB := u.escCloses(u.button("Done", theme.ConfirmIcon(), func() { fd.d.Hide() }))
	doneB.Importance = widget.HighImportance
	fd.saveB.Hide()
	fd.cancelB.Hide()
	setMsg(fd.formErr, "")
	ctxt := "party:" + strconv.FormatInt(partyID, 10) + " matter:" + strconv.FormatInt(matterID, 10)
	offer := u.newConflictOffer(partyNames(in.Name, in.Organisation, in.Aliases, in.FormerNames),
		app.CheckFor{Context: ctxt, ExcludeParties: []int64{partyID}}, func() { fd.d.Hide() })
	fd.body.Objects = []fyne.CanvasObject{
		wrapped(fmt.Sprintf("%s %s: %s.", app.PartyRoleLabel(in.Role), what, strings.TrimSpace(in.Name))),
	}
	if offer != nil {
		fd.body.Add(offer.obj)
		ms.offer = offer
	}
	fd.body.Add(container.NewHBox(layout.NewSpacer(), doneB))
	fd.body.Refresh()
	if offer != nil {
		offer.focus()
	} else {
		u.w.Canvas().Focus(doneB)
	}
}

// confirmRemoveParty asks, then removes a party from its matter.
func (ms *mattersScreen) confirmRemoveParty(m *app.MatterDetail, p app.Party) {
	u := ms.u
	cd := dialog.NewConfirm("Remove party",
		fmt.Sprintf("Remove %s (%s) from “%s”? Later conflict checks will no longer find them in this matter. "+
			"The removal is recorded in the audit trail.", p.Name, strings.ToLower(app.PartyRoleLabel(p.Role)), m.Title),
		func(ok bool) {
			u.touch()
			if !ok {
				return
			}
			s, mid, pid := u.sess, m.ID, p.ID
			run(u, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, s.RemoveParty(ctx, pid)
			}, func(_ struct{}, err error) {
				if err != nil {
					setMsg(ms.msg, "The party was not removed: "+app.Message(err))
					return
				}
				ms.open(mid)
			})
		}, u.w)
	cd.SetConfirmText("Remove")
	cd.SetDismissText("Cancel")
	cd.SetConfirmImportance(widget.DangerImportance)
	cd.Show()
}

// editMatterDialog changes a matter's title, practice area, number,
// status and dates.
func (ms *mattersScreen) editMatterDialog(m *app.MatterDetail) {
	u := ms.u
	cur := app.EditOf(m.Matter)
	title, area, number := u.newEntry("e.g. Lease dispute"), u.newEntry("e.g. Real estate"), u.newEntry("e.g. 2026-0004")
	opened, closed := u.newEntry("YYYY-MM-DD"), u.newEntry("YYYY-MM-DD (today when left empty)")
	title.SetText(cur.Title)
	area.SetText(cur.PracticeArea)
	number.SetText(cur.Number)
	opened.SetText(cur.OpenedOn)
	closed.SetText(cur.ClosedOn)
	errs := map[string]*widget.Label{}
	for _, k := range []string{"title", "practice-area", "number", "status", "opened", "closed"} {
		errs[k] = errLabel()
	}
	status := widget.NewRadioGroup([]string{"Open", "Closed"}, nil)
	status.Horizontal = true
	status.Required = true
	status.OnChanged = func(s string) {
		u.touch()
		if s == "Closed" {
			closed.Enable()
		} else {
			closed.SetText("")
			closed.Disable()
			setMsg(errs["closed"], "")
		}
	}
	if cur.Status == "closed" {
		status.SetSelected("Closed")
	} else {
		status.SetSelected("Open")
	}
	title.OnChanged = func(t string) {
		if strings.TrimSpace(t) == "" {
			setMsg(errs["title"], "A matter needs a title")
		} else {
			setMsg(errs["title"], "")
		}
	}
	for k, e := range map[string]*entry{"number": number, "opened": opened, "closed": closed, "practice-area": area} {
		l := errs[k]
		e.OnChanged = func(string) { setMsg(l, "") } // a fixed field loses its error at once
	}
	var fd *formDialog
	fd = u.newFormDialog("Edit matter", "Save", fyne.NewSize(620, 480), func() {
		in := app.MatterEdit{Title: title.Text, PracticeArea: area.Text, Number: number.Text,
			Status: strings.ToLower(status.Selected), OpenedOn: opened.Text, ClosedOn: closed.Text}
		s, id := u.sess, m.ID
		fd.saveB.Disable()
		run(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.EditMatter(ctx, id, in)
		}, func(_ struct{}, err error) {
			fd.saveB.Enable()
			if err != nil {
				fd.fieldErrors(errs, err, "Not saved: ")
				return
			}
			fd.d.Hide()
			ms.reload(id)
			ms.open(id)
		})
	})
	fd.body.Add(container.New(layout.NewFormLayout(),
		bold("Title *"), container.NewVBox(title, errs["title"]),
		bold("Practice area"), container.NewVBox(area, errs["practice-area"]),
		bold("Matter number"), container.NewVBox(number, errs["number"]),
		bold("Status"), container.NewVBox(status, errs["status"]),
		bold("Opened on"), container.NewVBox(opened, errs["opened"]),
		bold("Closed on"), container.NewVBox(closed, errs["closed"]),
	))
	submitOn(fd.saveB, title, area, number, opened, closed)
	ms.editForm = &matterEditForm{title: title, area: area, number: number, opened: opened, closed: closed, status: status, errs: errs, fd: fd}
	fd.d.Show()
	u.w.Canvas().Focus(title)
}

// matterEditForm holds the Edit matter dialog's fields (tests).
type matterEditForm struct {
	title, area, number, opened, closed *entry
	status                              *widget.RadioGroup
	errs                                map[string]*widget.Label
	fd                                  *formDialog
}

// addClientDialog adds another client to a matter (joint representation):
// a client found by name among those the user may see.
func (ms *mattersScreen) addClientDialog(m *app.MatterDetail) {
	u := ms.u
	find := u.newEntry("Type part of the client’s name")
	var all, shown []*app.Client
	chosen := int64(0)
	status := quiet("Loading clients…")
	list := widget.NewList(func() int { return len(shown) },
		func() fyne.CanvasObject { return line("Client name", false) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(shown) {
				o.(*widget.Label).SetText(shown[id].Name)
			}
		})
	errs := map[string]*widget.Label{"client": errLabel()}
	var fd *formDialog
	filter := func() {
		q := strings.ToLower(strings.TrimSpace(find.Text))
		shown = shown[:0]
		for _, c := range all {
			if q == "" || strings.Contains(strings.ToLower(c.Name), q) {
				shown = append(shown, c)
			}
			if len(shown) == 200 {
				break
			}
		}
		chosen = 0
		fd.saveB.Disable()
		list.UnselectAll()
		list.Refresh()
		switch {
		case len(all) == 0:
			status.SetText("No other client to add.")
		case len(shown) == 0:
			status.SetText("No client’s name holds “" + oneLine(find.Text) + "”.")
		default:
			status.SetText("Choose the client below.")
		}
	}
	fd = u.newFormDialog("Add a client to “"+m.Title+"”", "Add client", fyne.NewSize(560, 520), func() {
		if chosen == 0 {
			return
		}
		s, mid, cid := u.sess, m.ID, chosen
		fd.saveB.Disable()
		run(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.AddMatterClient(ctx, mid, cid)
		}, func(_ struct{}, err error) {
			fd.saveB.Enable()
			if err != nil {
				fd.fieldErrors(errs, err, "Not added: ")
				return
			}
			fd.d.Hide()
			ms.reload(mid)
			ms.open(mid)
		})
	})
	list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		if id < len(shown) {
			chosen = shown[id].ID
			fd.saveB.Enable()
			setMsg(errs["client"], "")
		}
	}
	find.OnChanged = func(string) { filter() }
	submitOn(fd.saveB, find)
	fd.saveB.Disable()
	top := container.NewVBox(hint("A matter can have several clients (joint representation). The first one is the lead client."), find, status, errs["client"])
	space := canvas.NewRectangle(color.Transparent) // the list's height inside the dialog's scroll
	space.SetMinSize(fyne.NewSize(0, 300))
	fd.body.Add(container.NewBorder(top, nil, nil, nil, container.NewStack(space, list)))
	fd.d.Show()
	ms.clientPick = &clientPick{find: find, list: list, fd: fd, shown: func() []*app.Client { return shown }}
	u.w.Canvas().Focus(find)
	s := u.sess
	have := map[int64]bool{}
	for _, c := range m.Clients {
		have[c.ID] = true
	}
	have[m.ClientID] = true
	run(u, func(ctx context.Context) ([]*app.Client, error) {
		return s.ListClientSummaries(ctx, app.ByName)
	}, func(cs []*app.Client, err error) {
		if err != nil {
			status.SetText("The clients could not be loaded: " + app.Message(err))
			return
		}
		all = all[:0]
		for _, c := range cs {
			if !have[c.ID] {
				all = append(all, c)
			}
		}
		filter()
	})
}

// clientPick is the Add client… dialog (tests).
type clientPick struct {
	find  *entry
	list  *widget.List
	fd    *formDialog
	shown func() []*app.Client
}

// confirmRemoveClient asks, then takes a client off a matter.
func (ms *mattersScreen) confirmRemoveClient(m *app.MatterDetail, c app.MatterClient) {
	u := ms.u
	msg := fmt.Sprintf("Take %s off “%s”? The matter stays with its other clients.", c.Name, m.Title)
	if c.ID == m.ClientID {
		msg += " The next client becomes the lead client."
	}
	cd := dialog.NewConfirm("Remove client from matter", msg, func(ok bool) {
		u.touch()
		if !ok {
			return
		}
		s, mid, cid := u.sess, m.ID, c.ID
		run(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.RemoveMatterClient(ctx, mid, cid)
		}, func(_ struct{}, err error) {
			if err != nil {
				setMsg(ms.msg, "The client was not removed: "+app.Message(err))
				return
			}
			ms.reload(mid)
			ms.open(mid)
		})
	}, u.w)
	cd.SetConfirmText("Remove")
	cd.SetDismissText("Cancel")
	cd.Show()
}

// may shows b only when the role may do v: a role that may not change
// something sees no button for it (the app refuses it all the same).
func (u *UI) may(b *widget.Button, v access.Verb) *widget.Button {
	if u.sess == nil || !u.sess.CanDo(v) {
		b.Hide()
	}
	return b
}
