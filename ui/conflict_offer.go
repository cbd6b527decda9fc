package ui

import (
	"context"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
)

// conflictOffer is the conflict check offered on the names just saved (a
// new client, matter or party), in the same pane or dialog: the names,
// Check for conflicts, then the hits and the decision right there. The
// check leaves out the records just created (app.CheckFor): a new party
// never matches itself.
type conflictOffer struct {
	u       *UI
	names   []string
	f       app.CheckFor
	checkB  *widget.Button
	spinner *widget.Activity
	summary *widget.Label
	hits    *hitList
	hitsBox *fyne.Container
	dec     *decisionForm
	result  *app.ConflictResult
	obj     fyne.CanvasObject
}

// offerHitsHeight is the height the hits get in an offer: three of them.
const offerHitsHeight = 250

// newConflictOffer offers a check of names (blank ones left out); onOpen
// runs before a hit's record is opened (to close a dialog). Nil when
// there is no name to check or the role may not run checks.
func (u *UI) newConflictOffer(names []string, f app.CheckFor, onOpen func()) *conflictOffer {
	var clean []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			clean = append(clean, n)
		}
	}
	if len(clean) == 0 || !u.sess.CanDo(access.CheckConflict) {
		return nil
	}
	o := &conflictOffer{u: u, names: clean, f: f, spinner: widget.NewActivity()}
	o.summary = wrapped("Check " + quoteNames(clean) + " for conflicts now? Each is compared with every client, alias and party; " +
		"the check is kept in Conflict checks.")
	o.checkB = u.button("Check for conflicts", theme.SearchIcon(), o.check)
	o.checkB.Importance = widget.HighImportance
	o.spinner.Hide()
	o.hits = u.newHitList(onOpen)
	o.hits.empty.SetText("No possible conflict.")
	space := canvas.NewRectangle(color.Transparent)
	space.SetMinSize(fyne.NewSize(0, offerHitsHeight))
	o.hitsBox = container.NewStack(space, o.hits.obj)
	o.hitsBox.Hide()
	o.dec = u.newDecisionForm(nil)
	o.dec.obj.Hide()
	o.obj = container.NewVBox(bold("Conflict check"), o.summary, container.NewHBox(o.checkB, o.spinner), o.hitsBox, o.dec.obj)
	return o
}

// focus puts the keyboard on Check for conflicts (Space runs it).
func (o *conflictOffer) focus() { o.u.w.Canvas().Focus(o.checkB) }

func (o *conflictOffer) check() {
	u, s := o.u, o.u.sess
	names, f := o.names, o.f
	o.checkB.Disable()
	o.spinner.Show()
	o.spinner.Start()
	run(u, func(ctx context.Context) (*app.ConflictResult, error) {
		return s.CheckConflictsFor(ctx, names, f)
	}, func(r *app.ConflictResult, err error) {
		o.spinner.Stop()
		o.spinner.Hide()
		if err != nil {
			o.checkB.Enable()
			o.summary.SetText("The check could not be run: " + app.Message(err))
			return
		}
		o.result = r
		o.u.w.Canvas().Focus(nil)
		o.checkB.Hide()
		o.summary.SetText(resultSummary(r))
		o.hits.set(r.Hits)
		o.hitsBox.Show()
		o.dec.reset(r.CheckID)
		o.dec.obj.Show()
	})
}
