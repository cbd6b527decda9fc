package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"

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
			c.Objects[1].(*widget.Label).SetText(fmt.Sprintf("%s · %s · %s", x.ClientName, x.PracticeArea, x.Status))
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

func (m *mattersScreen) showEmpty() {
	m.cur = nil
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

var partyRoles = []string{app.RoleAdverse, app.RoleRelated, app.RoleOpposingCounsel}

func (m *mattersScreen) showDetail(d *app.MatterDetail) {
	u := m.u
	m.cur = d
	status := "Open since " + human.Time(d.OpenedAt)
	var toggle *widget.Button
	if d.Status == "closed" {
		if d.ClosedAt != nil {
			status = "Closed on " + human.Time(*d.ClosedAt)
		} else {
			status = "Closed"
		}
		toggle = u.button("Reopen matter", theme.FolderOpenIcon(), func() { m.setStatus(d.ID, true) })
	} else {
		toggle = u.button("Close matter", theme.FolderIcon(), func() { m.setStatus(d.ID, false) })
	}
	clientB := u.button(d.ClientName, theme.AccountIcon(), func() { u.main.showClient(d.ClientID) })
	clientB.Importance = widget.LowImportance
	parties := container.New(layout.NewFormLayout(), bold(app.RoleLabel("client")), container.NewHBox(clientB))
	for _, role := range partyRoles {
		for _, p := range d.Parties {
			if p.Role == role {
				parties.Add(bold(app.RoleLabel(role)))
				parties.Add(widget.NewLabel(p.Name))
			}
		}
	}
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
	noteIn := u.newMultiLine("Write a note; it is dated and signed with your name")
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
	why := hint("")
	why.Hide()
	u.allow(toggle, access.CloseMatter, why)
	u.allow(addB, access.AddNote, why)
	if addB.Disabled() {
		noteIn.Hide()
		addB.Hide()
	}
	m.security = u.newSecurityBox("matter", d.ID)
	auditB := u.button("Audit trail", theme.ListIcon(), func() { u.main.showAuditOf("matter", d.ID, d.Title) })
	if !u.sess.CanDo(access.ListAudit) {
		auditB.Hide()
	}
	body := container.NewVBox(
		heading(d.Title),
		quiet(d.PracticeArea+" · "+status),
		container.NewHBox(toggle, layout.NewSpacer(), auditB),
		why,
		widget.NewSeparator(),
		bold("Parties"),
		parties,
		widget.NewSeparator(),
		bold("Notes"),
		noteBox,
		noteIn, noteErr,
		container.NewHBox(addB),
		widget.NewSeparator(),
		m.security.obj,
	)
	m.setRight(container.NewVScroll(container.NewPadded(body)))
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
	title, area := u.newEntry("e.g. Lease dispute"), u.newEntry("e.g. Real estate")
	adverse, related, counsel := u.newMultiLine("One name per line"), u.newMultiLine("One name per line"), u.newMultiLine("One name per line")
	errs := map[string]*widget.Label{"title": errLabel(), "adverse": errLabel(), "related": errLabel(), "opposing-counsel": errLabel()}
	c.mform = &matterForm{title: title, area: area, adverse: adverse, related: related, counsel: counsel, errs: errs}
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
		bold("Practice area"), area,
		bold("Adverse parties"), container.NewVBox(adverse, errs["adverse"]),
		bold("Related parties"), container.NewVBox(related, errs["related"]),
		bold("Opposing counsel"), container.NewVBox(counsel, errs["opposing-counsel"]),
	)
	var saveB *widget.Button
	saveB = u.button("Save matter", theme.DocumentSaveIcon(), func() {
		in := app.MatterInput{ClientID: d.ID, Title: title.Text, PracticeArea: area.Text,
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
				u.main.showMatter(id)
				u.main.matters.reload(id)
			}
		})
	})
	saveB.Importance = widget.HighImportance
	cancel := u.button("Cancel", theme.CancelIcon(), func() { c.open(d.ID) })
	c.cur, c.form = nil, nil
	body := container.NewVBox(heading("New matter for "+d.Name),
		hint("Name every other party: the conflict check compares new names against them."),
		grid, formErr, container.NewHBox(saveB, cancel))
	c.setRight(container.NewVScroll(container.NewPadded(body)))
	u.w.Canvas().Focus(title)
}

// matterForm holds the new-matter form's fields.
type matterForm struct {
	title, area, adverse, related, counsel *entry
	errs                                   map[string]*widget.Label
}
