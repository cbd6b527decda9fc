package ui

import (
	"context"
	"errors"
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

// clientsScreen: the client list (virtualised, sortable) and a detail pane
// that also holds the new/edit form.
type clientsScreen struct {
	u        *UI
	obj      fyne.CanvasObject
	order    app.ClientOrder
	all      []*app.Client
	list     *widget.List
	sortSel  *widget.Select
	count    *widget.Label
	right    *fyne.Container
	cur      *app.ClientDetail
	form     *clientForm
	mform    *matterForm // the new-matter form, while shown
	msg      *widget.Label
	security *securityBox // of the client shown
	// docs, docsTab, selectDoc: as mattersScreen's (documents.go).
	docs      *docsPane
	docsTab   bool
	selectDoc int64
	loading   bool
	// offerFor is the client (or the new matter's client) whose conflict
	// check is offered in the pane after a save; offer is that check.
	offerFor int64
	offer    *conflictOffer
}

func newClientsScreen(u *UI) *clientsScreen {
	c := &clientsScreen{u: u, count: quiet("Loading clients…"), right: container.NewStack(), msg: errLabel()}
	c.list = widget.NewList(func() int { return len(c.all) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, nil, quiet("2006-01-02 15:04"), line("Client name", false))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(c.all) {
				return
			}
			b := o.(*fyne.Container)
			b.Objects[0].(*widget.Label).SetText(c.all[id].Name)
			b.Objects[1].(*widget.Label).SetText(human.Time(c.all[id].UpdatedAt))
		})
	c.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		if id >= len(c.all) || c.all[id].ID == c.offerFor {
			return // the client just added, with its conflict check offered, stays
		}
		if c.cur == nil || c.cur.ID != c.all[id].ID || c.form != nil {
			c.open(c.all[id].ID)
		}
	}
	c.sortSel = widget.NewSelect([]string{"Name", "Last change"}, func(s string) {
		u.touch()
		order := app.ByName
		if s == "Last change" {
			order = app.ByUpdated
		}
		if order != c.order {
			c.order = order
			c.reload(0)
		}
	})
	c.sortSel.SetSelectedIndex(0)
	newB := u.button("New client", theme.ContentAddIcon(), func() { c.edit(nil) })
	newB.Importance = widget.HighImportance
	if !u.sess.CanDo(access.AddClient) {
		newB.Disable() // the count line below says why
	}
	head := container.NewVBox(
		container.NewBorder(nil, nil, heading("Clients"), newB),
		container.NewBorder(nil, nil, widget.NewLabel("Sort by"), nil, c.sortSel),
		c.count,
	)
	left := container.NewBorder(head, nil, nil, nil, c.list)
	c.showEmpty()
	split := container.NewHSplit(left, container.NewBorder(c.msg, nil, nil, nil, c.right))
	split.Offset = 0.36
	c.obj = split
	c.reload(0)
	return c
}

func (c *clientsScreen) showEmpty() {
	c.cur, c.form, c.offerFor, c.offer = nil, nil, 0, nil
	c.setRight(container.NewCenter(quiet("Choose a client on the left, or click “New client”.")))
}

func (c *clientsScreen) setRight(o fyne.CanvasObject) {
	c.right.Objects = []fyne.CanvasObject{o}
	c.right.Refresh()
}

// reload fetches the list; then selects selectID when not 0.
func (c *clientsScreen) reload(selectID int64) {
	u, s := c.u, c.u.sess
	order := c.order
	c.loading = true
	run(u, func(ctx context.Context) ([]*app.Client, error) {
		return s.ListClientSummaries(ctx, order) // names and times only
	}, func(all []*app.Client, err error) {
		c.loading = false
		if err != nil {
			c.count.SetText("The clients could not be loaded: " + app.Message(err))
			return
		}
		c.all = all
		switch len(all) {
		case 0:
			c.count.SetText("No clients yet. Click “New client” to add the first.")
		case 1:
			c.count.SetText("1 client")
		default:
			c.count.SetText(human.Count(len(all), "client", "clients"))
		}
		c.list.UnselectAll()
		c.list.Refresh()
		if selectID != 0 {
			c.selectInList(selectID)
		}
	})
}

func (c *clientsScreen) selectInList(id int64) {
	for i, cl := range c.all {
		if cl.ID == id {
			c.list.Select(i)
			c.list.ScrollTo(i)
			return
		}
	}
}

// open loads a client and shows its detail.
func (c *clientsScreen) open(id int64) {
	u, s := c.u, c.u.sess
	setMsg(c.msg, "")
	c.offerFor, c.offer = 0, nil
	run(u, func(ctx context.Context) (*app.ClientDetail, error) {
		return s.GetClient(ctx, id)
	}, func(d *app.ClientDetail, err error) {
		if err != nil {
			setMsg(c.msg, app.Message(err))
			return
		}
		c.showDetail(d)
	})
}

func (c *clientsScreen) showDetail(d *app.ClientDetail) {
	u := c.u
	c.cur, c.form = d, nil
	field := func(value string) fyne.CanvasObject {
		if value == "" {
			return quiet("—")
		}
		l := widget.NewLabel(value)
		l.Wrapping = fyne.TextWrapWord
		cp := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() { u.copySecret(value) })
		cp.Importance = widget.LowImportance
		return container.NewBorder(nil, nil, nil, cp, l)
	}
	aliases := strings.Join(d.Aliases, "\n")
	grid := container.New(layout.NewFormLayout(),
		bold("E-mail"), field(d.Email),
		bold("Phone"), field(d.Phone),
		bold("Date of birth"), field(d.DOB),
		bold("Address"), field(d.Address),
		bold("Also known as"), field(aliases),
		bold("Notes"), field(d.Notes),
		bold("Last change"), widget.NewLabel(human.Time(d.UpdatedAt)),
	)
	editB := u.button("Edit", theme.DocumentCreateIcon(), func() { c.edit(d) })
	editB.Importance = widget.HighImportance
	matterB := u.button("New matter", theme.FolderNewIcon(), func() { c.newMatter(d) })
	delB := u.button("Delete", theme.DeleteIcon(), func() { c.confirmDelete(d) })
	delB.Importance = widget.DangerImportance
	reportB := u.button("Access report…", theme.DocumentIcon(), func() { u.accessReport(d.ID, d.Name) })
	// What the role may not do is disabled, and the line under the
	// buttons says why (the app refuses it all the same).
	why := hint("")
	why.Hide()
	u.allow(editB, access.EditClient, why)
	u.allow(matterB, access.AddMatter, why)
	u.allow(delB, access.DeleteClient, why)
	auditB := u.button("Audit trail", theme.ListIcon(), func() { u.main.showAuditOf("client", d.ID, d.Name) })
	if !u.sess.CanDo(access.Reports) {
		reportB.Hide()
		auditB.Hide()
	}
	c.security = u.newSecurityBox("client", d.ID)
	matters := container.NewVBox()
	if len(d.Matters) == 0 {
		matters.Add(quiet("No matters yet."))
	}
	for _, m := range d.Matters {
		id := m.ID
		b := u.button(fmt.Sprintf("%s (%s, %s)", m.Title, m.PracticeArea, m.Status), theme.FolderOpenIcon(), func() {
			u.main.showMatter(id)
		})
		b.Alignment = widget.ButtonAlignLeading
		matters.Add(b)
	}
	body := container.NewVBox(
		heading(d.Name),
		container.NewHBox(editB, matterB, delB, layout.NewSpacer(), auditB, reportB),
		why,
		widget.NewSeparator(),
		grid,
		widget.NewSeparator(),
		bold("Matters"),
		matters,
		u.newClientHoldBox(d.ID, d.Name).obj, // retention_holds.go
		widget.NewSeparator(),
		c.security.obj,
	)
	c.docs = nil
	if u.canSeeDocuments() {
		c.docs = u.newDocsPane(app.DocTarget{ClientID: d.ID}, d.Name)
		c.docs.selectID, c.selectDoc = c.selectDoc, 0
	}
	c.setRight(u.docsTab(container.NewVScroll(container.NewPadded(body)), c.docs, c.docsTab, func(on bool) { c.docsTab = on }))
}

func (c *clientsScreen) confirmDelete(d *app.ClientDetail) {
	u := c.u
	msg := fmt.Sprintf("Delete the client %s? This cannot be undone; the deletion is recorded in the audit trail.", d.Name)
	if len(d.Matters) > 0 {
		dialog.ShowInformation("This client cannot be deleted",
			"A client with matters is kept for conflict checks and retention. Close the matters instead.", u.w)
		return
	}
	cd := dialog.NewConfirm("Delete client", msg, func(ok bool) {
		u.touch()
		if !ok {
			return
		}
		s, id := u.sess, d.ID
		run(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.DeleteClient(ctx, id)
		}, func(_ struct{}, err error) {
			if err != nil {
				setMsg(c.msg, "The client was not deleted: "+app.Message(err))
				return
			}
			c.showEmpty()
			c.reload(0)
		})
	}, u.w)
	cd.SetConfirmText("Delete")
	cd.SetDismissText("Cancel")
	cd.SetConfirmImportance(widget.DangerImportance)
	cd.Show()
}

// clientForm is the new/edit form; it validates each field as it is typed
// and shows the error next to the field.
type clientForm struct {
	c       *clientsScreen
	id      int64
	fields  map[string]*entry
	errs    map[string]*widget.Label
	touched map[string]bool
	saveB   *widget.Button
	formErr *widget.Label
}

var clientFields = []struct{ key, label, hint string }{
	{"name", "Name *", "Full name or organisation"},
	{"alias", "Also known as", "Other names, one per line"},
	{"email", "E-mail", "name@example.com"},
	{"phone", "Phone", "+1 555 0100"},
	{"dob", "Date of birth", "YYYY-MM-DD"},
	{"address", "Address", ""},
	{"notes", "Notes", ""},
}

func (c *clientsScreen) edit(d *app.ClientDetail) {
	u := c.u
	setMsg(c.msg, "")
	f := &clientForm{c: c, fields: map[string]*entry{}, errs: map[string]*widget.Label{}, touched: map[string]bool{}, formErr: errLabel()}
	title := "New client"
	if d != nil {
		f.id = d.ID
		title = "Edit " + d.Name
	}
	grid := container.New(layout.NewFormLayout())
	for _, fd := range clientFields {
		var e *entry
		if fd.key == "alias" || fd.key == "address" || fd.key == "notes" {
			e = u.newMultiLine(fd.hint)
			e.SetMinRowsVisible(2)
		} else {
			e = u.newEntry(fd.hint)
		}
		if d != nil {
			switch fd.key {
			case "name":
				e.SetText(d.Name)
			case "alias":
				e.SetText(strings.Join(d.Aliases, "\n"))
			case "email":
				e.SetText(d.Email)
			case "phone":
				e.SetText(d.Phone)
			case "dob":
				e.SetText(d.DOB)
			case "address":
				e.SetText(d.Address)
			case "notes":
				e.SetText(d.Notes)
			}
		}
		key := fd.key
		e.OnChanged = func(string) { f.touched[key] = true; f.validate(key) }
		f.fields[key], f.errs[key] = e, errLabel()
		grid.Add(bold(fd.label))
		grid.Add(container.NewVBox(e, f.errs[key]))
	}
	f.saveB = u.button("Save", theme.DocumentSaveIcon(), f.save)
	f.saveB.Importance = widget.HighImportance
	submitOn(f.saveB, f.fields["name"], f.fields["email"], f.fields["phone"], f.fields["dob"])
	cancel := u.button("Cancel", theme.CancelIcon(), func() {
		if d != nil {
			c.open(d.ID)
		} else {
			c.showEmpty()
		}
	})
	c.form, c.cur, c.offerFor, c.offer = f, nil, 0, nil
	body := container.NewVBox(heading(title), hint("Fields marked * are required."), grid)
	// Save and Cancel stay at the foot of the pane, under the scrolling
	// fields: an error appearing under a field never moves them.
	foot := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, container.NewHBox(f.saveB, cancel), nil, f.formErr))
	c.setRight(container.NewBorder(nil, container.NewPadded(foot), nil, nil, container.NewVScroll(container.NewPadded(body))))
	u.w.Canvas().Focus(f.fields["name"])
}

// validate checks one field and shows or clears its error; "" = fine.
func (f *clientForm) validate(key string) string {
	msg := app.ValidateField(key, f.fields[key].Text, f.c.u.now())
	if key == "name" && !f.touched[key] {
		msg = ""
	}
	setMsg(f.errs[key], msg)
	if msg == "" && f.formErr.Visible() && f.fieldsOK() {
		setMsg(f.formErr, "") // the last field marked in red is right now
	}
	return msg
}

// fieldsOK: no field shows an error.
func (f *clientForm) fieldsOK() bool {
	for _, e := range f.errs {
		if e.Visible() {
			return false
		}
	}
	return true
}

func (f *clientForm) save() {
	u, c := f.c.u, f.c
	bad := ""
	for _, fd := range clientFields {
		f.touched[fd.key] = true
		if f.validate(fd.key) != "" && bad == "" {
			bad = fd.key
		}
	}
	if bad != "" {
		setMsg(f.formErr, "Please correct the fields marked in red; nothing was saved yet.")
		u.w.Canvas().Focus(f.fields[bad])
		return
	}
	setMsg(f.formErr, "")
	text := func(k string) *string { t := f.fields[k].Text; return &t }
	aliases := app.SplitLines(f.fields["alias"].Text)
	in := app.ClientInput{Name: text("name"), Aliases: &aliases, Email: text("email"), Phone: text("phone"),
		DOB: text("dob"), Address: text("address"), Notes: text("notes")}
	s, id := u.sess, f.id
	f.saveB.Disable()
	run(u, func(ctx context.Context) (int64, error) {
		if id == 0 {
			return s.AddClient(ctx, in)
		}
		return id, s.EditClient(ctx, id, in)
	}, func(newID int64, err error) {
		f.saveB.Enable()
		if err != nil {
			var fe *app.FieldError
			if errors.As(err, &fe) && f.errs[fe.Field] != nil {
				setMsg(f.errs[fe.Field], fe.Message)
				return
			}
			setMsg(f.formErr, "Not saved: "+app.Message(err))
			return
		}
		c.form = nil
		if id != 0 {
			c.reload(newID)
			c.open(newID)
			return
		}
		c.added(newID, *in.Name, aliases)
	})
}

// added shows, in the pane where the new client was typed, that it was
// saved and the conflict check offered on its names (the client itself
// left out), then the way to its page.
func (c *clientsScreen) added(id int64, name string, aliases []string) {
	u := c.u
	c.cur, c.form, c.offerFor = nil, nil, id
	c.reload(id)
	openB := u.button("Open the client", theme.NavigateNextIcon(), func() { c.open(id) })
	openB.Importance = widget.HighImportance
	// Open the client is at the top, beside what was saved: always in view.
	body := container.NewVBox(container.NewBorder(nil, nil, nil, openB, heading(fmt.Sprintf("Client %d added: %s", id, strings.TrimSpace(name)))))
	c.offer = u.newConflictOffer(append([]string{name}, aliases...), app.CheckFor{Context: fmt.Sprintf("client:%d", id), ExcludeClient: id}, nil)
	if c.offer != nil {
		body.Add(c.offer.obj)
	}
	c.setRight(container.NewVScroll(container.NewPadded(body)))
	if c.offer != nil {
		c.offer.focus()
	}
}
