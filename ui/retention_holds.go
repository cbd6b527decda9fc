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

// This file: legal holds. The Legal holds tab of the Retention screen
// (active holds, and released ones on request), and the dialogs that place
// and release a hold (from a matter's or a client's page, or the tab).

// holdLines is a hold in two lines: what it is on; who placed it, when and
// why (and who released it, when and why).
func holdLines(h app.Hold) [][]part {
	label := oneLine(human.Truncate(h.Label, 120))
	if label == "" {
		label = fmt.Sprintf("%s %d", human.Capitalize(h.Kind), h.RecordID)
	}
	first := []part{strong(label)}
	if h.ReleasedAt != nil {
		first = append(first, low(" · released"))
	} else {
		first = append(first, colored(" · on legal hold", widget.WarningImportance))
	}
	second := []part{low("Placed " + human.Time(h.PlacedAt) + " by " + oneLine(h.PlacedBy) + ": " + oneLine(human.Truncate(h.Reason, 200)))}
	lines := [][]part{first, second}
	if h.ReleasedAt != nil {
		lines = append(lines, []part{low("Released " + human.Time(*h.ReleasedAt) + " by " + oneLine(h.ReleasedBy) + ": " + oneLine(human.Truncate(h.ReleaseReason, 200)))})
	} else {
		lines = append(lines, []part{low(" ")})
	}
	return lines
}

// holdsPane is the Legal holds tab.
type holdsPane struct {
	u        *UI
	obj      fyne.CanvasObject
	holds    []app.Hold
	list     *widget.List
	released *widget.Check
	count    *widget.Label
	msg      *widget.Label
	seq      int
}

func newHoldsPane(u *UI) *holdsPane {
	p := &holdsPane{u: u, count: wrapped(""), msg: errLabel()}
	p.list = widget.NewList(func() int { return len(p.holds) },
		func() fyne.CanvasObject {
			openB := widget.NewButtonWithIcon("Open", theme.NavigateNextIcon(), nil)
			relB := widget.NewButtonWithIcon("Release hold…", theme.ContentRemoveIcon(), nil)
			return container.NewBorder(nil, nil, nil, container.NewHBox(openB, relB), newRows(3))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.holds) {
				return
			}
			h := p.holds[id]
			c := o.(*fyne.Container)
			setRows(c.Objects[0].(*widget.RichText), holdLines(h)...)
			btns := c.Objects[1].(*fyne.Container)
			openB, relB := btns.Objects[0].(*widget.Button), btns.Objects[1].(*widget.Button)
			openB.OnTapped = func() { u.touch(); u.openHeld(h) }
			relB.OnTapped = func() { u.touch(); u.releaseHoldDialog(h, p.reload) }
			if h.ReleasedAt != nil || !u.sess.CanDo(access.PlaceHolds) {
				relB.Hide()
			} else {
				relB.Show()
			}
		})
	p.list.OnSelected = func(widget.ListItemID) { p.list.UnselectAll() }
	p.released = widget.NewCheck("Show released holds too", func(bool) { u.touch(); p.reload() })
	head := container.NewVBox(
		hint("While a matter or a client is on legal hold, nothing of it can be destroyed. Place a hold from a matter's or a client's page (Place legal hold…)."),
		p.released, p.msg, p.count)
	p.obj = container.NewBorder(head, nil, nil, nil, p.list)
	return p
}

func (p *holdsPane) reload() {
	u, s, all := p.u, p.u.sess, p.released.Checked
	p.seq++
	seq := p.seq
	run(u, func(ctx context.Context) ([]app.Hold, error) {
		return s.Holds(ctx, !all)
	}, func(hs []app.Hold, err error) {
		if seq != p.seq {
			return
		}
		if err != nil {
			setMsg(p.msg, "The legal holds could not be read: "+app.Message(err))
			hs = nil
		} else {
			setMsg(p.msg, "")
		}
		p.holds = hs
		active := 0
		for _, h := range hs {
			if h.ReleasedAt == nil {
				active++
			}
		}
		switch {
		case len(hs) == 0 && all:
			p.count.SetText("No legal hold was ever placed. Place one from a matter's or a client's page.")
		case len(hs) == 0:
			p.count.SetText("No legal hold is in place. Place one from a matter's or a client's page.")
		case all:
			p.count.SetText(fmt.Sprintf("%s in place, %s", human.Count(active, "legal hold", "legal holds"), fmt.Sprintf("%d released", len(hs)-active)))
		default:
			p.count.SetText(human.Count(active, "legal hold", "legal holds") + " in place")
		}
		p.list.Refresh()
	})
}

// openHeld opens the matter or client a hold is on.
func (u *UI) openHeld(h app.Hold) {
	if h.Kind == "matter" {
		u.main.showMatter(h.RecordID)
	} else {
		u.main.showClient(h.RecordID)
	}
}

// reasonDialog asks for a reason (required) and runs do with it; what the
// app refuses shows under the field and the dialog stays open.
func (u *UI) reasonDialog(title, what, placeholder, action string, do func(ctx context.Context, reason string) error, done func()) {
	reason := u.newMultiLine(placeholder)
	reason.SetMinRowsVisible(3)
	msg := errLabel()
	var d dialog.Dialog
	var okB *widget.Button
	okB = u.button(action, theme.ConfirmIcon(), func() {
		text := strings.TrimSpace(reason.Text)
		if text == "" {
			setMsg(msg, "Give a reason: it is kept with the hold.")
			return
		}
		okB.Disable()
		run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, do(ctx, text) },
			func(_ struct{}, err error) {
				okB.Enable()
				if err != nil {
					setMsg(msg, app.Message(err))
					return
				}
				d.Hide()
				if done != nil {
					done()
				}
			})
	})
	okB.Importance = widget.HighImportance
	okB.Disable()
	reason.OnChanged = func(t string) {
		if strings.TrimSpace(t) == "" {
			okB.Disable()
		} else {
			okB.Enable()
		}
	}
	cancel := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { d.Hide() }))
	body := container.NewVBox(wrapped(what), bold("Reason *"), reason, msg, container.NewHBox(cancel, layout.NewSpacer(), okB))
	d = dialog.NewCustomWithoutButtons(title, container.NewStack(&widthBox{width: 480}, body), u.w)
	d.Show()
	u.w.Canvas().Focus(reason)
}

// placeHoldDialog places a legal hold on a matter or a client (kind) after
// asking why.
func (u *UI) placeHoldDialog(kind string, id int64, name string, done func()) {
	s := u.sess
	what := "While this " + kind + " is on legal hold, nothing of it can be destroyed"
	if kind == "client" {
		what += ", nor any of the client's matters"
	}
	what += ". Say why (the matter, the request or the order): the reason is kept with the hold and in the audit trail."
	u.reasonDialog("Place a legal hold on "+oneLine(human.Truncate(name, 60)), what, "e.g. Litigation expected: letter from Acme's counsel of 3 March",
		"Place legal hold", func(ctx context.Context, reason string) error {
			_, err := s.PlaceHold(ctx, kind, id, reason)
			return err
		}, done)
}

// releaseHoldDialog releases a hold after asking why.
func (u *UI) releaseHoldDialog(h app.Hold, done func()) {
	s := u.sess
	label := oneLine(human.Truncate(h.Label, 80))
	u.reasonDialog("Release the legal hold", "The hold on "+label+" was placed "+human.Date(h.PlacedAt)+" by "+oneLine(h.PlacedBy)+
		": "+oneLine(human.Truncate(h.Reason, 200))+". Once released, what is due can be destroyed again. Say why the hold ends.",
		"e.g. The case settled on 1 June", "Release hold", func(ctx context.Context, reason string) error {
			return s.ReleaseHold(ctx, h.ID, reason)
		}, done)
}

// holdBox is the legal holds part of a client's page: the active holds
// on the client or its matters, Place legal hold… and Release hold….
type holdBox struct {
	u    *UI
	id   int64
	name string
	obj  *fyne.Container
	list *fyne.Container
}

// newClientHoldBox is the client page's legal holds part (hidden for a
// role that may not see retention).
func (u *UI) newClientHoldBox(id int64, name string) *holdBox {
	b := &holdBox{u: u, id: id, name: name, obj: container.NewVBox(), list: container.NewVBox()}
	if u.sess == nil || !u.sess.CanDo(access.ViewRetention) {
		b.obj.Hide()
		return b
	}
	// Read when asked: reading the holds is an entry in the audit trail,
	// and opening a client records only that it was viewed.
	showB := u.button("Show legal holds", theme.VisibilityIcon(), nil)
	showB.OnTapped = func() { u.touch(); showB.Hide(); b.load() }
	placeB := u.may(u.button("Place legal hold…", theme.WarningIcon(), func() {
		u.placeHoldDialog("client", id, name, func() { showB.Hide(); b.load() })
	}), access.PlaceHolds)
	b.obj.Add(widget.NewSeparator())
	b.obj.Add(container.NewHBox(bold("Legal hold"), layout.NewSpacer(), showB, placeB))
	b.obj.Add(b.list)
	return b
}

func (b *holdBox) load() {
	u, s, id := b.u, b.u.sess, b.id
	run(u, func(ctx context.Context) ([]app.Hold, error) {
		return s.HoldsOn(ctx, "client", id)
	}, func(hs []app.Hold, err error) {
		b.list.Objects = nil
		switch {
		case err != nil:
			l := errLabel()
			setMsg(l, "The legal holds could not be read: "+app.Message(err))
			b.list.Add(l)
		case len(hs) == 0:
			b.list.Add(quietWrapped("No legal hold. While a client is on hold, nothing of it or its matters can be destroyed."))
		}
		for _, h := range hs {
			b.list.Add(u.holdRow(h, b.load))
		}
		b.list.Refresh()
	})
}

// holdRow is an active hold with Release hold… (for who may).
func (u *UI) holdRow(h app.Hold, done func()) fyne.CanvasObject {
	rt := widget.NewRichText()
	rt.Wrapping = fyne.TextWrapWord
	setRows(rt, holdLines(h)[:2]...)
	rel := u.may(u.button("Release hold…", theme.ContentRemoveIcon(), func() { u.releaseHoldDialog(h, done) }), access.PlaceHolds)
	return container.NewBorder(nil, nil, nil, container.NewVBox(rel), rt)
}
