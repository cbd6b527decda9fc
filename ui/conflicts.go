package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// conflictScreen: names in, ranked hits out, and the decision.
type conflictScreen struct {
	u        *UI
	obj      fyne.CanvasObject
	names    *entry
	checkB   *widget.Button
	spinner  *widget.Activity
	summary  *widget.Label
	hits     []app.ConflictHit
	list     *widget.List
	result   *app.ConflictResult
	decision *widget.RadioGroup
	note     *entry
	decideB  *widget.Button
	decided  *widget.Label
}

func newConflictScreen(u *UI) *conflictScreen {
	c := &conflictScreen{u: u, spinner: widget.NewActivity(), summary: wrapped("Type one or more names above, then click “Check for conflicts”."), decided: wrapped("")}
	c.names = u.newMultiLine("One name per line: the prospective client, the other side, related people…")
	c.names.SetMinRowsVisible(3)
	c.checkB = u.button("Check for conflicts", theme.SearchIcon(), c.check)
	c.checkB.Importance = widget.HighImportance
	c.spinner.Hide()
	c.list = widget.NewList(func() int { return len(c.hits) },
		func() fyne.CanvasObject {
			return container.NewVBox(line("name", false), line("role and matter", true), line("why", true))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(c.hits) {
				return
			}
			h := c.hits[id]
			b := o.(*fyne.Container)
			if h.Hidden {
				// A match in a record this user may not see: that it
				// exists, never what it is (a wall must not hide a conflict).
				b.Objects[0].(*widget.Label).SetText(human.Capitalize(app.RestrictedConflict))
				b.Objects[1].(*widget.Label).SetText(fmt.Sprintf("For “%s” · %d%% %s match", h.Query, int(h.Score*100+0.5), h.Match))
				b.Objects[2].(*widget.Label).SetText("Only the owner can see the record; record no decision before asking them.")
				return
			}
			b.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%s — %d%% %s match for “%s”", h.Name, int(h.Score*100+0.5), h.Match, h.Query))
			where := app.RoleLabel(h.Role) + " of client " + h.ClientName
			if h.Role == "client" || h.Role == "alias" {
				where = app.RoleLabel(h.Role)
			}
			if h.MatterID != 0 {
				state := "closed"
				if h.MatterOpen {
					state = "open"
				}
				where += fmt.Sprintf(" · matter “%s” (%s)", h.MatterTitle, state)
			}
			b.Objects[1].(*widget.Label).SetText(where)
			b.Objects[2].(*widget.Label).SetText("Why: " + h.Why)
		})
	c.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		c.list.UnselectAll()
		if h := c.hits[id]; h.Hidden {
			dialog.ShowInformation("A possible conflict you cannot see",
				human.Capitalize(app.RestrictedConflict)+". The match is in a client or matter restricted from you, "+
					"so only the owner can tell whether it is a conflict.", u.w)
		} else if h.MatterID != 0 {
			u.main.showMatter(h.MatterID)
		} else {
			u.main.showClient(h.ClientID)
		}
	}
	c.decision = widget.NewRadioGroup([]string{"clear", "conflict", "waived"}, func(string) { u.touch(); c.updateDecide() })
	c.decision.Horizontal = true
	c.note = u.newEntry("Note on the decision (why, who agreed, where the waiver is filed)")
	c.decideB = u.button("Record decision", theme.ConfirmIcon(), c.decide)
	c.decideB.Disable()
	top := container.NewVBox(
		heading("Conflict check"),
		hint("Every name is compared with every client, alias and party in open and closed matters. The check is recorded."),
		c.names,
		container.NewHBox(c.checkB, c.spinner),
		c.summary,
	)
	bottom := container.NewVBox(widget.NewSeparator(), bold("Decision"),
		container.NewBorder(nil, nil, c.decision, c.decideB, c.note), c.decided)
	c.obj = container.NewPadded(container.NewBorder(top, bottom, nil, nil, c.list))
	return c
}

func (c *conflictScreen) updateDecide() {
	if c.result != nil && c.decision.Selected != "" {
		c.decideB.Enable()
	} else {
		c.decideB.Disable()
	}
}

func (c *conflictScreen) check() {
	u, s := c.u, c.u.sess
	names := strings.Split(c.names.Text, "\n")
	c.checkB.Disable()
	c.spinner.Show()
	c.spinner.Start()
	c.summary.SetText("Checking…")
	run(u, func(ctx context.Context) (*app.ConflictResult, error) {
		return s.CheckConflicts(ctx, names)
	}, func(r *app.ConflictResult, err error) {
		c.checkB.Enable()
		c.spinner.Stop()
		c.spinner.Hide()
		c.decision.SetSelected("")
		c.note.SetText("")
		c.decided.SetText("")
		if err != nil {
			c.result, c.hits = nil, nil
			c.summary.SetText(app.Message(err))
			c.list.Refresh()
			c.updateDecide()
			return
		}
		c.result = r
		c.hits = append([]app.ConflictHit(nil), r.Hits...)
		sort.SliceStable(c.hits, func(i, j int) bool { return c.hits[i].Score > c.hits[j].Score })
		if len(c.hits) == 0 {
			c.summary.SetText(fmt.Sprintf("No matches for %s (check %d). Record the decision below.", strings.Join(r.Names, ", "), r.CheckID))
		} else {
			c.summary.SetText(fmt.Sprintf("%s for %s (check %d), best match first. Click one to open it; record the decision below.",
				human.Count(len(c.hits), "possible conflict", "possible conflicts"), strings.Join(r.Names, ", "), r.CheckID))
		}
		c.list.Refresh()
		c.updateDecide()
	})
}

func (c *conflictScreen) decide() {
	u, s := c.u, c.u.sess
	if c.result == nil || c.decision.Selected == "" {
		return
	}
	id, decision, note := c.result.CheckID, c.decision.Selected, c.note.Text
	c.decideB.Disable()
	run(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.DecideConflict(ctx, id, decision, note)
	}, func(_ struct{}, err error) {
		c.decideB.Enable()
		if err != nil {
			c.decided.SetText("The decision was not recorded: " + app.Message(err))
			return
		}
		c.decided.SetText(fmt.Sprintf("Decision “%s” recorded for check %d.", decision, id))
	})
}
