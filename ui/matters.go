package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// mattersScreen: matters with an open/closed filter, and a detail pane.
type mattersScreen struct {
	u        *UI
	obj      fyne.CanvasObject
	status   string // "open", "closed" or "" for both
	all      []*app.Matter
	list     *widget.List
	filter   *widget.RadioGroup
	count    *widget.Label
	right    *fyne.Container
	cur      *app.MatterDetail
	msg      *widget.Label
	security *securityBox // of the matter shown

	// docs is the Documents tab of the matter shown (nil: the role sees
	// no documents); docsTab: that tab was chosen last; selectDoc: the
	// document to choose there when the matter opens (documents.go).
	docs      *docsPane
	docsTab   bool
	selectDoc int64

	// The dialogs open over the screen, and the conflict check offered
	// after a party was saved (tests read them).
	partyForm  *partyForm
	editForm   *matterEditForm
	clientPick *clientPick
	offer      *conflictOffer
}

func newMattersScreen(u *UI) *mattersScreen {
	m := &mattersScreen{u: u, status: "open", count: quiet("Loading matters…"), right: container.NewStack(), msg: errLabel()}
	m.list = widget.NewList(func() int { return len(m.all) },
		func() fyne.CanvasObject {
			return container.NewVBox(line("Matter title", false), line("Client name · area", true))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(m.all) {
				return
			}
			c := o.(*fyne.Container)
			x := m.all[id]
			c.Objects[0].(*widget.Label).SetText(x.Title)
			c.Objects[1].(*widget.Label).SetText(matterLine(x))
		})
	m.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		if id < len(m.all) && (m.cur == nil || m.cur.ID != m.all[id].ID) {
			m.open(m.all[id].ID)
		}
	}
	m.filter = widget.NewRadioGroup([]string{"Open", "Closed", "All"}, func(s string) {
		u.touch()
		st := map[string]string{"Open": "open", "Closed": "closed", "All": ""}[s]
		if s == "" {
			return
		}
		if st != m.status {
			m.status = st
			m.reload(0)
		}
	})
	m.filter.Horizontal = true
	m.filter.Required = true
	m.filter.SetSelected("Open")
	head := container.NewVBox(heading("Matters"), m.filter, m.count)
	m.showEmpty()
	split := container.NewHSplit(container.NewBorder(head, nil, nil, nil, m.list), container.NewBorder(m.msg, nil, nil, nil, m.right))
	split.Offset = 0.36
	m.obj = split
	m.reload(0)
	return m
}

// matterLine is a matter's second line in the list: number, client(s),
// practice area, status.
func matterLine(x *app.Matter) string {
	parts := []string{}
	if x.Number != "" {
		parts = append(parts, x.Number)
	}
	client := x.ClientName
	if n := len(x.Clients); n > 1 {
		client += fmt.Sprintf(" and %s", human.Count(n-1, "other client", "other clients"))
	}
	parts = append(parts, client)
	if x.PracticeArea != "" {
		parts = append(parts, x.PracticeArea)
	}
	return strings.Join(append(parts, x.Status), " · ")
}

func (m *mattersScreen) showEmpty() {
	m.cur, m.docs = nil, nil
	m.setRight(container.NewCenter(quiet("Choose a matter on the left. New matters are opened from a client’s page.")))
}

func (m *mattersScreen) setRight(o fyne.CanvasObject) {
	m.right.Objects = []fyne.CanvasObject{o}
	m.right.Refresh()
}

func (m *mattersScreen) reload(selectID int64) {
	u, s, st := m.u, m.u.sess, m.status
	run(u, func(ctx context.Context) ([]*app.Matter, error) {
		return s.ListMatters(ctx, 0, st)
	}, func(all []*app.Matter, err error) {
		if err != nil {
			m.count.SetText("The matters could not be loaded: " + app.Message(err))
			return
		}
		m.all = all
		what := map[string]string{"open": "open matters", "closed": "closed matters", "": "matters"}[st]
		m.count.SetText(fmt.Sprintf("%d %s", len(all), what))
		m.list.UnselectAll()
		m.list.Refresh()
		for i, x := range all {
			if x.ID == selectID {
				m.list.Select(i)
				m.list.ScrollTo(i)
			}
		}
	})
}

func (m *mattersScreen) open(id int64) {
	u, s := m.u, m.u.sess
	setMsg(m.msg, "")
	run(u, func(ctx context.Context) (*app.MatterDetail, error) {
		return s.GetMatter(ctx, id)
	}, func(d *app.MatterDetail, err error) {
		if err != nil {
			setMsg(m.msg, app.Message(err))
			return
		}
		m.showDetail(d)
	})
}

func (m *mattersScreen) showDetail(d *app.MatterDetail) {
	u := m.u
	m.cur = d
	status := "Open since " + human.Date(d.OpenedAt)
	var toggle *widget.Button
	if d.Status == "closed" {
		if d.ClosedAt != nil {
			status = fmt.Sprintf("Opened %s, closed %s", human.Date(d.OpenedAt), human.Date(*d.ClosedAt))
		} else {
			status = "Closed"
		}
		toggle = u.button("Reopen matter", theme.FolderOpenIcon(), func() { m.setStatus(d.ID, true) })
	} else {
		toggle = u.button("Close matter", theme.FolderIcon(), func() { m.setStatus(d.ID, false) })
	}
	u.may(toggle, access.CloseMatter)
	editB := u.may(u.button("Edit matter", theme.DocumentCreateIcon(), func() { m.editMatterDialog(d) }), access.EditMatter)
	editB.Importance = widget.HighImportance
	notes := append([]*app.Note(nil), d.Notes...)
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].CreatedAt.Before(notes[j].CreatedAt) })
	noteBox := container.NewVBox()
	if len(notes) == 0 {
		noteBox.Add(quiet("No notes yet."))
	}
	for _, n := range notes {
		noteBox.Add(quiet(human.Time(n.CreatedAt) + " · " + n.Author))
		noteBox.Add(wrapped(n.Text))
	}
	noteIn := u.newMultiLine("Write a note; it is dated and signed “" + u.sess.DisplayName() + "”")
	noteIn.SetMinRowsVisible(3)
	noteErr := errLabel()
	addB := u.button("Add note", theme.ContentAddIcon(), func() {
		text := noteIn.Text
		s, id := u.sess, d.ID
		run(u, func(ctx context.Context) (int64, error) { return s.AddNote(ctx, id, text) },
			func(_ int64, err error) {
				if err != nil {
					setMsg(noteErr, app.Message(err))
					return
				}
				m.open(id)
			})
	})
	if !u.sess.CanDo(access.AddNote) {
		noteIn.Hide()
		addB.Hide()
	}
	// A role that may change nothing of a matter sees why, once.
	why := hint("")
	why.Hide()
	if !u.sess.CanDo(access.EditMatter) && !u.sess.CanDo(access.AddParties) {
		why.SetText(u.deniedHint(access.EditMatter.Words))
		why.Show()
	}
	m.security = u.newSecurityBox("matter", d.ID)
	auditB := u.button("Audit trail", theme.ListIcon(), func() { u.main.showAuditOf("matter", d.ID, d.Title) })
	if !u.sess.CanDo(access.ListAudit) {
		auditB.Hide()
	}
	sub := status
	if d.PracticeArea != "" {
		sub = d.PracticeArea + " · " + status
	}
	if d.Number != "" {
		sub = "No. " + d.Number + " · " + sub
	}
	body := container.NewVBox(
		heading(d.Title),
		quiet(sub),
		container.NewHBox(editB, toggle, layout.NewSpacer(), auditB),
		why,
		widget.NewSeparator(),
		m.clientsPart(d),
		widget.NewSeparator(),
		m.partiesPart(d),
		widget.NewSeparator(),
		bold("Notes"),
		noteBox,
		noteIn, noteErr,
		container.NewHBox(addB),
		u.newRetentionBox(d.ID, d.Title, d.PracticeArea).obj, // retention_matter.go
		widget.NewSeparator(),
		m.security.obj,
	)
	m.docs = nil
	if u.canSeeDocuments() {
		m.docs = u.newDocsPane(app.DocTarget{MatterID: d.ID}, d.Title)
		m.docs.selectID, m.selectDoc = m.selectDoc, 0
	}
	m.setRight(u.docsTab(container.NewVScroll(container.NewPadded(body)), m.docs, m.docsTab, func(on bool) { m.docsTab = on }))
}

// clientsPart is "Clients of this matter": the lead client first, each
// opening its page; Add client… and Remove for who may change them.
func (m *mattersScreen) clientsPart(d *app.MatterDetail) fyne.CanvasObject {
	u := m.u
	clients := d.Clients
	if len(clients) == 0 { // a store that does not list them: the lead client
		clients = []app.MatterClient{{ID: d.ClientID, Name: d.ClientName}}
	}
	addB := u.may(u.button("Add client…", theme.ContentAddIcon(), func() { m.addClientDialog(d) }), access.MatterClients)
	box := container.NewVBox(container.NewHBox(bold("Clients of this matter"), layout.NewSpacer(), addB))
	for i, c := range clients {
		c := c
		open := u.button(c.Name, theme.AccountIcon(), func() { u.main.showClient(c.ID) })
		open.Importance = widget.LowImportance
		open.Alignment = widget.ButtonAlignLeading
		row := container.NewHBox(open)
		if i == 0 && len(clients) > 1 {
			row.Add(quiet("lead client"))
		}
		row.Add(layout.NewSpacer())
		if len(clients) > 1 {
			row.Add(u.may(u.button("Remove", theme.ContentRemoveIcon(), func() { m.confirmRemoveClient(d, c) }), access.MatterClients))
		}
		box.Add(row)
	}
	return box
}

// partiesPart is "Parties": by role, each with its organisation, other
// and former names and note; Add party, Edit and Remove for who may.
func (m *mattersScreen) partiesPart(d *app.MatterDetail) fyne.CanvasObject {
	u := m.u
	addB := u.may(u.button("Add party", theme.ContentAddIcon(), func() { m.partyDialog(d, nil) }), access.AddParties)
	box := container.NewVBox(container.NewHBox(bold("Parties"), layout.NewSpacer(), addB))
	if !u.can(access.Parties, access.Read) {
		box.Add(quiet("Your role does not show parties."))
		return box
	}
	if len(d.Parties) == 0 {
		box.Add(quiet("No parties yet. Add every other side, related person and counsel: the conflict check compares new names with them."))
	}
	for _, role := range app.PartyRoles {
		for _, p := range d.Parties {
			if p.Role != role {
				continue
			}
			p := p
			rt := widget.NewRichText()
			rt.Wrapping = fyne.TextWrapWord
			setRows(rt, partyLines(p)...)
			btns := container.NewHBox(
				u.may(u.button("Edit", theme.DocumentCreateIcon(), func() { m.partyDialog(d, &p) }), access.EditParties),
				u.may(u.button("Remove", theme.DeleteIcon(), func() { m.confirmRemoveParty(d, p) }), access.EditParties))
			box.Add(container.NewBorder(nil, nil, nil, btns, rt))
		}
	}
	return box
}

// partyLines is a party on a matter's page: its role, name, kind and
// organisation; its other names, former names and note when it has them.
func partyLines(p app.Party) [][]part {
	first := []part{low(app.PartyRoleLabel(p.Role) + ": "), strong(p.Name)}
	if p.Kind == "organisation" {
		first = append(first, plain(" (organisation)"))
	}
	if p.Organisation != "" {
		first = append(first, plain(" · "+p.Organisation))
	}
	lines := [][]part{first}
	var more []string
	if len(p.Aliases) > 0 {
		more = append(more, "also known as "+strings.Join(p.Aliases, ", "))
	}
	if len(p.FormerNames) > 0 {
		more = append(more, "formerly "+strings.Join(p.FormerNames, ", "))
	}
	if len(more) > 0 {
		lines = append(lines, []part{low(human.Capitalize(strings.Join(more, "; ")))})
	}
	if p.Note != "" {
		lines = append(lines, []part{low("Note: " + p.Note)})
	}
	return lines
}

func (m *mattersScreen) setStatus(id int64, reopen bool) {
	u, s := m.u, m.u.sess
	run(u, func(ctx context.Context) (struct{}, error) {
		if reopen {
			return struct{}{}, s.ReopenMatter(ctx, id)
		}
		return struct{}{}, s.CloseMatter(ctx, id)
	}, func(_ struct{}, err error) {
		if err != nil {
			setMsg(m.msg, app.Message(err))
			return
		}
		m.reload(id)
		m.open(id)
	})
}

// newMatter shows the new-matter form in the client pane.
func (c *clientsScreen) newMatter(d *app.ClientDetail) {
	u := c.u
	title, area, number := u.newEntry("e.g. Lease dispute"), u.newEntry("e.g. Real estate"), u.newEntry("Left empty: the next number of the year")
	adverse, related, counsel := u.newMultiLine("One name per line"), u.newMultiLine("One name per line"), u.newMultiLine("One name per line")
	errs := map[string]*widget.Label{"title": errLabel(), "practice-area": errLabel(), "number": errLabel(),
		"adverse": errLabel(), "related": errLabel(), "opposing-counsel": errLabel()}
	c.mform = &matterForm{title: title, area: area, number: number, adverse: adverse, related: related, counsel: counsel, errs: errs}
	formErr := errLabel()
	title.OnChanged = func(t string) {
		if t == "" {
			setMsg(errs["title"], "A matter needs a title")
		} else {
			setMsg(errs["title"], "")
		}
	}
	grid := container.New(layout.NewFormLayout(),
		bold("Title *"), container.NewVBox(title, errs["title"]),
		bold("Practice area"), container.NewVBox(area, errs["practice-area"]),
		bold("Matter number"), container.NewVBox(number, errs["number"]),
		bold("Adverse parties"), container.NewVBox(adverse, errs["adverse"]),
		bold("Related parties"), container.NewVBox(related, errs["related"]),
		bold("Opposing counsel"), container.NewVBox(counsel, errs["opposing-counsel"]),
	)
	var saveB *widget.Button
	saveB = u.button("Save matter", theme.DocumentSaveIcon(), func() {
		in := app.MatterInput{ClientID: d.ID, Title: title.Text, PracticeArea: area.Text, Number: number.Text,
			Adverse: app.SplitLines(adverse.Text), Related: app.SplitLines(related.Text), OpposingCounsel: app.SplitLines(counsel.Text)}
		s := u.sess
		saveB.Disable()
		run(u, func(ctx context.Context) (int64, error) { return s.AddMatter(ctx, in) }, func(id int64, err error) {
			saveB.Enable()
			var fe *app.FieldError
			switch {
			case errors.As(err, &fe) && errs[fe.Field] != nil:
				setMsg(errs[fe.Field], fe.Message)
			case err != nil:
				setMsg(formErr, "Not saved: "+app.Message(err))
			default:
				c.matterAdded(d, id, in)
			}
		})
	})
	saveB.Importance = widget.HighImportance
	submitOn(saveB, title, area, number)
	cancel := u.button("Cancel", theme.CancelIcon(), func() { c.open(d.ID) })
	c.cur, c.form = nil, nil
	body := container.NewVBox(heading("New matter for "+d.Name),
		hint("Name every other party: the conflict check compares new names against them."), grid)
	// Save and Cancel stay at the foot, the form's error beside them: an
	// error appearing never moves them (as the client form).
	foot := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, container.NewHBox(saveB, cancel), nil, formErr))
	c.setRight(container.NewBorder(nil, container.NewPadded(foot), nil, nil, container.NewVScroll(container.NewPadded(body))))
	u.w.Canvas().Focus(title)
}

// matterForm holds the new-matter form's fields.
type matterForm struct {
	title, area, number, adverse, related, counsel *entry
	errs                                           map[string]*widget.Label
}

// matterAdded follows the save of a new matter in the client's pane: it
// was saved, and the conflict check on the parties' names just entered
// (the matter's own parties left out); without parties, the matter opens.
func (c *clientsScreen) matterAdded(d *app.ClientDetail, id int64, in app.MatterInput) {
	u, s := c.u, c.u.sess
	if u.main.matters != nil {
		u.main.matters.reload(id)
	}
	names := append(append(append([]string(nil), in.Adverse...), in.Related...), in.OpposingCounsel...)
	if len(app.SplitLines(strings.Join(names, "\n"))) == 0 {
		u.main.showMatter(id)
		return
	}
	run(u, func(ctx context.Context) (*app.MatterDetail, error) {
		return s.GetMatter(ctx, id)
	}, func(m *app.MatterDetail, err error) {
		if err != nil {
			u.main.showMatter(id) // it was saved: show it, and what went wrong there
			return
		}
		var ids []int64
		for _, p := range m.Parties {
			ids = append(ids, p.ID)
		}
		c.cur, c.form, c.mform, c.offerFor = nil, nil, nil, d.ID
		openB := u.button("Open the matter", theme.NavigateNextIcon(), func() { u.main.showMatter(id) })
		openB.Importance = widget.HighImportance
		body := container.NewVBox(container.NewBorder(nil, nil, nil, openB, heading(fmt.Sprintf("Matter %s added for %s: %s", m.Number, d.Name, m.Title))))
		c.offer = u.newConflictOffer(names, app.CheckFor{Context: fmt.Sprintf("matter:%d", id), ExcludeParties: ids}, nil)
		if c.offer != nil {
			body.Add(c.offer.obj)
		}
		c.setRight(container.NewVScroll(container.NewPadded(body)))
		if c.offer != nil {
			c.offer.focus()
		}
	})
}
