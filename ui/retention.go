package ui

import (
	"context"
	"fmt"
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

// This file: the Retention screen (issue 14), in four tabs: Due for
// destruction (closed matters past their destroy-after date with no legal
// hold, grouped by client, chosen and destroyed by the owner), Legal holds
// (retention_holds.go), Rules (retention_rules.go) and Destruction register
// (retention_register.go). The destroy dialog and what follows it are in
// retention_destroy.go; a matter's and a client's retention part in
// retention_matter.go.

// retentionScreen is the Retention screen.
type retentionScreen struct {
	u     *UI
	obj   fyne.CanvasObject
	tabs  *container.AppTabs
	due   *duePane
	holds *holdsPane
	rules *rulesPane
	reg   *registerPane
}

func newRetentionScreen(u *UI) *retentionScreen {
	r := &retentionScreen{u: u}
	r.due = newDuePane(u, r)
	r.holds = newHoldsPane(u)
	r.rules = newRulesPane(u)
	r.reg = newRegisterPane(u)
	dueT := container.NewTabItemWithIcon("Due for destruction", theme.DeleteIcon(), container.NewPadded(r.due.obj))
	holdT := container.NewTabItemWithIcon("Legal holds", theme.WarningIcon(), container.NewPadded(r.holds.obj))
	ruleT := container.NewTabItemWithIcon("Rules", theme.SettingsIcon(), container.NewPadded(r.rules.obj))
	regT := container.NewTabItemWithIcon("Destruction register", theme.ListIcon(), container.NewPadded(r.reg.obj))
	r.tabs = container.NewAppTabs(dueT, holdT, ruleT, regT)
	r.tabs.OnSelected = func(ti *container.TabItem) {
		u.touch()
		switch ti {
		case dueT:
			r.due.reload()
		case holdT:
			r.holds.reload()
		case ruleT:
			r.rules.reload()
		case regT:
			r.reg.reload()
		}
	}
	r.obj = container.NewBorder(heading("Retention"), nil, nil, nil, r.tabs)
	r.due.reload()
	return r
}

// dueRow is a row of the due list: a client (matter -1) or one of its
// matters.
type dueRow struct {
	item, matter int
}

// duePane is the Due for destruction tab.
type duePane struct {
	u      *UI
	r      *retentionScreen
	obj    fyne.CanvasObject
	items  []app.DueItem
	rows   []dueRow
	mats   map[int64]bool // the matters chosen
	cls    map[int64]bool // the client files chosen (WholeClient only)
	list   *widget.List
	count  *widget.Label
	why    *widget.Label // why this person cannot destroy
	msg    *widget.Label // a failure to read the list
	seq    int
	loaded bool

	allB, noneB, destroyB *widget.Button
	dlg                   *destroyDialog // the destroy dialog while open (tests)
}

// canDestroy reports whether this person may destroy client files: the
// owner, whose role allows it (the app checks again).
func (u *UI) canDestroy() bool {
	return u.sess != nil && u.sess.User().Owner && u.sess.CanDo(access.Destroy)
}

// ownerOnly is what a person who is not the owner reads by the destroy
// button (the app's own refusal says the same).
const ownerOnly = "Only the vault's owner can destroy client files."

func newDuePane(u *UI, r *retentionScreen) *duePane {
	p := &duePane{u: u, r: r, count: wrapped("Loading…"), why: hint(""), msg: errLabel(), mats: map[int64]bool{}, cls: map[int64]bool{}}
	p.why.Hide()
	p.list = widget.NewList(func() int { return len(p.rows) },
		func() fyne.CanvasObject {
			indent := &widthBox{width: 28}
			check := widget.NewCheck("", nil)
			return container.NewBorder(nil, nil, container.NewHBox(indent, check), nil, newRows(2))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(p.rows) {
				p.fillRow(p.rows[id], o.(*fyne.Container))
			}
		})
	p.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		p.list.UnselectAll()
		if id < len(p.rows) {
			p.toggle(p.rows[id], !p.rowChecked(p.rows[id]))
		}
	}
	p.allB = u.button("Select all", theme.CheckButtonCheckedIcon(), func() { p.selectAll(true) })
	p.noneB = u.button("Select none", theme.CheckButtonIcon(), func() { p.selectAll(false) })
	p.destroyB = u.button("Destroy selected…", theme.DeleteIcon(), p.destroy)
	p.destroyB.Importance = widget.DangerImportance
	if !u.canDestroy() {
		p.why.SetText(ownerOnly)
		p.why.Show()
	}
	head := container.NewVBox(
		hint("Closed matters past their destroy-after date, with no legal hold on them or their clients. "+
			"Destroying removes them from this vault for good; the destruction register keeps an entry without client data."),
		container.NewHBox(p.allB, p.noneB, layout.NewSpacer(), p.destroyB),
		p.why, p.msg, p.count)
	p.obj = container.NewBorder(head, nil, nil, nil, p.list)
	p.update()
	return p
}

// fillRow shows one row: a client with its check (the whole client file
// when every matter is due) or a matter, indented, with its check.
func (p *duePane) fillRow(row dueRow, c *fyne.Container) {
	rt := c.Objects[0].(*widget.RichText)
	left := c.Objects[1].(*fyne.Container)
	indent, check := left.Objects[0], left.Objects[1].(*widget.Check)
	it := p.items[row.item]
	check.OnChanged = nil
	check.SetChecked(p.rowChecked(row))
	check.OnChanged = func(on bool) { p.u.touch(); p.toggle(row, on) }
	if !p.u.canDestroy() {
		check.Disable()
	} else {
		check.Enable()
	}
	if row.matter < 0 {
		indent.Hide()
		setRows(rt, clientDueLines(it)...)
		return
	}
	indent.Show()
	setRows(rt, matterDueLines(it, row.matter)...)
}

// clientDueLines is a client's row: the name and how many matters are due;
// whether the client file can go with them.
func clientDueLines(it app.DueItem) [][]part {
	name := oneLine(human.Truncate(it.ClientName, 80))
	if name == "" {
		name = fmt.Sprintf("Client %d", it.ClientID)
	}
	first := []part{strong(name), low(" · " + human.Count(len(it.Matters), "matter", "matters") + " due")}
	var second string
	if it.WholeClient {
		second = "Every matter of this client is due: ticking the name destroys the client file too"
		if c := clientFileWords(it); c != "" {
			second += " (" + c + ")"
		}
	} else {
		second = "Other matters of this client are not due: the client file stays"
	}
	return [][]part{first, {low(second)}}
}

// clientFileWords is what a client file holds beyond its matters: "2
// documents and 5 intake answers"; "" for nothing.
func clientFileWords(it app.DueItem) string {
	var parts []string
	if it.ClientDocuments > 0 {
		parts = append(parts, human.Count(it.ClientDocuments, "document", "documents"))
	}
	if it.ClientIntake > 0 {
		parts = append(parts, human.Count(it.ClientIntake, "intake answer", "intake answers"))
	}
	return joinAnd(parts)
}

// matterDueLines is the row of matter j of it: its number and title;
// when it closed, its destroy-after date, the rule, and what it holds.
func matterDueLines(it app.DueItem, j int) [][]part {
	dm := it.Matters[j]
	m := dm.Matter
	first := []part{}
	if m.Number != "" {
		first = append(first, strong(oneLine(human.Truncate(m.Number, 30))+" "))
	}
	first = append(first, plain(oneLine(human.Truncate(m.Title, 120))))
	var second []string
	if m.ClosedAt != nil {
		second = append(second, "closed "+human.Date(*m.ClosedAt))
	}
	if m.DestroyAfter != nil {
		second = append(second, "destroy after "+human.Date(*m.DestroyAfter))
	}
	if r := ruleShort(m.DestroyRule); r != "" {
		second = append(second, r)
	}
	second = append(second, contentsWords(dm.Notes, dm.Documents, dm.Versions, dm.Intake, dm.Bytes))
	return [][]part{first, {low(strings.Join(second, " · "))}}
}

// rowChecked reports whether a row is ticked: a matter chosen; a client
// whose every matter is chosen, and its file too when it can go.
func (p *duePane) rowChecked(row dueRow) bool {
	it := p.items[row.item]
	if row.matter >= 0 {
		return p.mats[it.Matters[row.matter].Matter.ID]
	}
	for _, dm := range it.Matters {
		if !p.mats[dm.Matter.ID] {
			return false
		}
	}
	return !it.WholeClient || p.cls[it.ClientID]
}

// toggle ticks or unticks a row: a client's row all its matters (and the
// client file when it can go); a matter alone (unticking one unticks its
// client's file, which needs all of them).
func (p *duePane) toggle(row dueRow, on bool) {
	if !p.u.canDestroy() {
		return
	}
	it := p.items[row.item]
	if row.matter >= 0 {
		p.mats[it.Matters[row.matter].Matter.ID] = on
		if !on {
			delete(p.cls, it.ClientID)
		}
	} else {
		for _, dm := range it.Matters {
			p.mats[dm.Matter.ID] = on
		}
		if it.WholeClient {
			p.cls[it.ClientID] = on
		}
	}
	p.update()
	p.list.Refresh()
}

// selectAll ticks (or unticks) every row.
func (p *duePane) selectAll(on bool) {
	if !p.u.canDestroy() {
		return
	}
	p.mats, p.cls = map[int64]bool{}, map[int64]bool{}
	if on {
		for _, it := range p.items {
			for _, dm := range it.Matters {
				p.mats[dm.Matter.ID] = true
			}
			if it.WholeClient {
				p.cls[it.ClientID] = true
			}
		}
	}
	p.update()
	p.list.Refresh()
}

// request is what is chosen, as a destroy request (in the list's order).
func (p *duePane) request() app.DestroyRequest {
	var req app.DestroyRequest
	for _, it := range p.items {
		all := true
		for _, dm := range it.Matters {
			if p.mats[dm.Matter.ID] {
				req.MatterIDs = append(req.MatterIDs, dm.Matter.ID)
			} else {
				all = false
			}
		}
		if all && it.WholeClient && p.cls[it.ClientID] {
			req.ClientIDs = append(req.ClientIDs, it.ClientID)
		}
	}
	return req
}

// update says how many are due and chosen, and enables the buttons.
func (p *duePane) update() {
	n := 0
	for _, it := range p.items {
		n += len(it.Matters)
	}
	req := p.request()
	switch {
	case !p.loaded:
		p.count.SetText("Loading…")
	case n == 0:
		p.count.SetText("Nothing is due for destruction. Matters get a date when they are closed.")
	default:
		text := fmt.Sprintf("%s of %s due for destruction", human.Count(n, "matter", "matters"), human.Count(len(p.items), "client", "clients"))
		if len(req.MatterIDs) > 0 {
			text += " · " + human.Count(len(req.MatterIDs), "matter", "matters") + " chosen"
			if len(req.ClientIDs) > 0 {
				text += " and " + human.Count(len(req.ClientIDs), "client file", "client files")
			}
		}
		p.count.SetText(text)
	}
	may := p.u.canDestroy()
	for _, b := range []*widget.Button{p.allB, p.noneB} {
		if may && n > 0 {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if may && len(req.MatterIDs) > 0 {
		p.destroyB.Enable()
	} else {
		p.destroyB.Disable()
	}
}

// reload reads the due list again; what was chosen and is still due
// stays chosen.
func (p *duePane) reload() {
	u, s := p.u, p.u.sess
	p.seq++
	seq := p.seq
	run(u, func(ctx context.Context) ([]app.DueItem, error) {
		return s.DueForDestruction(ctx)
	}, func(items []app.DueItem, err error) {
		if seq != p.seq {
			return
		}
		p.loaded = true
		if err != nil {
			setMsg(p.msg, "The list could not be read: "+app.Message(err))
			items = nil
		} else {
			setMsg(p.msg, "")
		}
		p.items, p.rows = items, nil
		mats, cls := map[int64]bool{}, map[int64]bool{}
		for i, it := range items {
			p.rows = append(p.rows, dueRow{item: i, matter: -1})
			for j, dm := range it.Matters {
				p.rows = append(p.rows, dueRow{item: i, matter: j})
				if p.mats[dm.Matter.ID] {
					mats[dm.Matter.ID] = true
				}
			}
			if p.cls[it.ClientID] && it.WholeClient {
				cls[it.ClientID] = true
			}
		}
		p.mats, p.cls = mats, cls
		p.update()
		p.list.Refresh()
	})
}
