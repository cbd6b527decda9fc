package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// docLimitChoices are the size limits Settings offers for documents (the
// app's default, 4 GiB, among them; a limit set otherwise, from the
// command line, is offered too).
var docLimitChoices = []int64{10_000_000, 100_000_000, 500_000_000, 1_000_000_000, 2_000_000_000, app.DefaultDocumentLimit, 10_000_000_000, 50_000_000_000}

// documentsPart is the Documents part of Settings: ask before saving a
// new version of an opened document (this window's preference), and the
// largest file a document may be (the vault's, for who may change it).
func (s *settingsScreen) documentsPart() fyne.CanvasObject {
	u, sess := s.u, s.u.sess
	s.askDoc = widget.NewCheck("Ask before saving a new version of an opened document", func(on bool) {
		s.save(func(st *app.Settings) { st.AskDocVersion = on })
	})
	s.askDoc.SetChecked(u.set.AskDocVersion)
	cur := sess.DocumentLimit()
	s.limits = slices.Clone(docLimitChoices)
	if !slices.Contains(s.limits, cur) {
		s.limits = append(s.limits, cur)
		slices.Sort(s.limits)
	}
	var opts []string
	for _, n := range s.limits {
		o := human.Size(n)
		if n == app.DefaultDocumentLimit {
			o += " (the default)"
		}
		opts = append(opts, o)
	}
	s.limitMsg = wrapped("")
	s.limitMsg.Hide()
	s.limitSel = widget.NewSelect(opts, nil)
	s.limitSel.SetSelectedIndex(slices.Index(s.limits, cur))
	s.limitSel.OnChanged = func(string) {
		i := s.limitSel.SelectedIndex()
		if i < 0 || s.limits[i] == sess.DocumentLimit() {
			return
		}
		u.touch()
		n := s.limits[i]
		run(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, sess.SetDocumentLimit(ctx, n)
		}, func(_ struct{}, err error) {
			if err != nil {
				s.limitMsg.Importance = widget.DangerImportance
				s.limitMsg.SetText("The limit was not changed: " + app.Message(err))
			} else {
				s.limitMsg.Importance = widget.SuccessImportance
				s.limitMsg.SetText("Saved. Files larger than " + human.Size(n) + " are refused from now on; documents already in the vault stay.")
			}
			s.limitMsg.Show()
			s.limitMsg.Refresh()
		})
	}
	why := hint("")
	why.Hide()
	if !sess.CanDo(access.SetDocLimit) {
		s.limitSel.Disable()
		why.SetText(u.deniedHint(access.SetDocLimit.Words))
		why.Show()
	}
	return container.NewVBox(
		bold("Documents"),
		s.askDoc,
		hint("Off: each change you save in a document opened from the vault becomes a new version at once. On: the window asks first. "+
			"Either way, nothing is ever overwritten."),
		container.New(layout.NewFormLayout(), bold("Largest document"), s.limitSel),
		why,
		hint("Larger files are refused when they are added. The limit is the vault's, for every user; documents already in it stay whatever their size."),
		s.limitMsg,
	)
}
