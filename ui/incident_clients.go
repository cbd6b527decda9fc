package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// This file: Choose clients… on an incident's page: every client, found
// by a few letters of the name, each with a tick; Save sets the clients
// affected (app.Session.SetAffectedClients).

// clientPicker is the Choose clients dialog.
type clientPicker struct {
	all    []*app.Client
	shown  []*app.Client // those matching the filter
	chosen map[int64]bool
	filter *entry
	list   *widget.List
	count  *widget.Label
	saveB  *widget.Button
	d      dialog.Dialog
}

// chooseClients opens the dialog, the clients affected ticked.
func (p *incidentPage) chooseClients() {
	u := p.is.u
	s := u.sess
	u.touch()
	cp := &clientPicker{chosen: map[int64]bool{}, count: quiet("Loading the clients…")}
	for _, c := range p.in.Affected {
		if c.ClientID != 0 {
			cp.chosen[c.ClientID] = true
		}
	}
	cp.filter = u.newEntry("Type a few letters of the name")
	cp.filter.OnChanged = func(string) { cp.apply() }
	cp.list = widget.NewList(func() int { return len(cp.shown) },
		func() fyne.CanvasObject { return widget.NewCheck("A client's name that is long enough", nil) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			ck := o.(*widget.Check)
			if id >= len(cp.shown) {
				return
			}
			c := cp.shown[id]
			ck.OnChanged = nil
			ck.Text = oneLine(human.Truncate(c.Name, 80))
			ck.Checked = cp.chosen[c.ID]
			ck.Refresh()
			ck.OnChanged = func(on bool) {
				u.touch()
				if on {
					cp.chosen[c.ID] = true
				} else {
					delete(cp.chosen, c.ID)
				}
				cp.say()
			}
		})
	cp.saveB = u.button("Save", theme.ConfirmIcon(), func() {
		var ids []int64
		for _, c := range cp.all {
			if cp.chosen[c.ID] {
				ids = append(ids, c.ID)
			}
		}
		cp.d.Hide()
		p.picker = nil
		run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.SetAffectedClients(ctx, p.id, ids) },
			func(_ struct{}, err error) {
				if err != nil {
					setMsg(p.msg, "The clients were not saved: "+app.Message(err))
				}
				p.load()
			})
	})
	cp.saveB.Importance = widget.HighImportance
	cancel := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { cp.d.Hide(); p.picker = nil }))
	body := container.NewBorder(
		container.NewVBox(wrapped("Tick every client whose data may have been seen or lost."), cp.filter, cp.count),
		container.NewHBox(cancel, layout.NewSpacer(), cp.saveB), nil, nil, cp.list)
	cp.d = dialog.NewCustomWithoutButtons("Clients affected", container.NewStack(&minBox{w: 520, h: 440}, body), u.w)
	cp.d.Show()
	p.picker = cp
	run(u, func(ctx context.Context) ([]*app.Client, error) { return s.ListClientSummaries(ctx, app.ByName) },
		func(all []*app.Client, err error) {
			if err != nil {
				cp.count.SetText("The clients could not be read: " + app.Message(err))
				return
			}
			cp.all = all
			cp.apply()
		})
}

// apply shows the clients whose name holds what is typed.
func (cp *clientPicker) apply() {
	q := strings.ToLower(strings.TrimSpace(cp.filter.Text))
	cp.shown = cp.shown[:0]
	for _, c := range cp.all {
		if q == "" || strings.Contains(strings.ToLower(c.Name), q) {
			cp.shown = append(cp.shown, c)
		}
	}
	cp.list.Refresh()
	cp.say()
}

// say counts the clients shown and chosen.
func (cp *clientPicker) say() {
	cp.count.SetText(human.Count(len(cp.shown), "client", "clients") + " shown · " + human.Count(len(cp.chosen), "chosen", "chosen"))
}
