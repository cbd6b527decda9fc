package ui

import (
	"context"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/checkup"
	"casevault/app/human"
)

// This file: the Security check screen (issue 14). It runs the check as
// soon as it is opened (app.Session.Checkup reads the live state in well
// under a second) and shows each item with its status in an icon and in
// words, what was found, what to do, and a button for the fix: a one-click
// fix acts and checks again; the others open the screen where it is done;
// a question the program cannot answer by itself gets Yes and No. Below:
// what changed since the last check, and Print report.

// checkupScreen is the Security check screen.
type checkupScreen struct {
	u       *UI
	obj     fyne.CanvasObject
	when    *widget.Label // "Checked 2026-12-03 14:05 by Ann Lee"
	summary *widget.Label // "2 things need attention."
	msg     *widget.Label // a failure, in red
	items   *fyne.Container
	changes *fyne.Container
	againB  *widget.Button
	printB  *widget.Button
	report  *app.CheckupReport // the result shown
	busy    bool
	seq     int
	// fixes are the buttons of the items shown, by item key (tests).
	fixes map[string][]*widget.Button
	// passFix is the passphrase fix's dialog while open (tests).
	passFix *passFix
}

func newCheckupScreen(u *UI) *checkupScreen {
	c := &checkupScreen{u: u, when: quiet(""), summary: wrapped(""), msg: errLabel(),
		items: container.NewVBox(), changes: container.NewVBox(), fixes: map[string][]*widget.Button{}}
	c.againB = u.button("Check again", theme.ViewRefreshIcon(), c.run)
	c.printB = u.button("Print report", theme.DocumentPrintIcon(), c.print)
	c.printB.Disable()
	intro := hint("casevault looks at how this vault and this laptop are set up and says, for each point, whether it is fine " +
		"or what to do. It changes nothing by itself. Keep the printed report in your compliance file.")
	head := container.NewVBox(
		container.NewBorder(nil, nil, heading("Security check"), container.NewHBox(c.againB, c.printB)),
		intro, c.when, c.summary, c.msg)
	body := container.NewVBox(c.items, c.changes)
	c.obj = container.NewBorder(container.NewPadded(head), nil, nil, nil, container.NewVScroll(container.NewPadded(body)))
	return c
}

// run checks now and shows the result.
func (c *checkupScreen) run() {
	u := c.u
	s := u.sess
	if s == nil || c.busy {
		return
	}
	u.touch()
	c.busy = true
	c.seq++
	seq := c.seq
	c.againB.Disable()
	c.when.SetText("Checking…")
	run(u, func(ctx context.Context) (*app.CheckupReport, error) { return s.Checkup(ctx) },
		func(r *app.CheckupReport, err error) {
			if seq != c.seq {
				return
			}
			c.busy = false
			c.againB.Enable()
			if err != nil {
				c.when.SetText("")
				setMsg(c.msg, "The check could not run: "+app.Message(err))
				return
			}
			setMsg(c.msg, "")
			c.show(r)
			if m := u.main; m != nil && m.banner != nil {
				m.banner.refresh() // the yearly reminder goes once a check ran
			}
		})
}

// show fills the screen with a report.
func (c *checkupScreen) show(r *app.CheckupReport) {
	u := c.u
	c.report = r
	c.fixes = map[string][]*widget.Button{}
	c.when.SetText("Checked " + human.Time(r.At) + " by " + oneLine(r.By))
	c.summary.SetText(checkupSummary(r.Items))
	c.printB.Enable()
	if !u.sess.CanDo(access.RunCheckup) {
		c.printB.Disable()
	}
	var objs []fyne.CanvasObject
	for _, it := range attentionFirst(r.Items) {
		objs = append(objs, c.itemCard(it), widget.NewSeparator())
	}
	c.items.Objects = objs
	c.items.Refresh()
	c.changes.Objects = changesPart(r)
	c.changes.Refresh()
}

// attentionFirst orders the items as the person deals with them: what
// needs attention, then the questions, then the rest, each in the check's
// own order.
func attentionFirst(items []checkup.Item) []checkup.Item {
	out := make([]checkup.Item, 0, len(items))
	for _, st := range []checkup.Status{checkup.Attention, checkup.Ask} {
		for _, it := range items {
			if it.Status == st {
				out = append(out, it)
			}
		}
	}
	for _, it := range items {
		if it.Status != checkup.Attention && it.Status != checkup.Ask {
			out = append(out, it)
		}
	}
	return out
}

// checkupSummary is the line over the items: how many need attention and
// how many questions are open, or that all is well.
func checkupSummary(items []checkup.Item) string {
	att, ask := 0, 0
	for _, it := range items {
		switch it.Status {
		case checkup.Attention:
			att++
		case checkup.Ask:
			ask++
		}
	}
	var parts []string
	if att > 0 {
		parts = append(parts, human.Count(att, "thing needs", "things need")+" attention")
	}
	if ask > 0 {
		parts = append(parts, human.Count(ask, "question", "questions")+" for you to answer")
	}
	if len(parts) == 0 {
		return "Everything checked is in order."
	}
	return human.Capitalize(strings.Join(parts, ", and ")) + "."
}

// statusWords is an item's status in words.
func statusWords(s checkup.Status) string { return s.Label() }

// statusIcon is an item's status as an icon in its colour.
func statusIcon(s checkup.Status) fyne.Resource {
	switch s {
	case checkup.OK:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case checkup.Attention:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	case checkup.Ask:
		return theme.NewPrimaryThemedResource(theme.QuestionIcon())
	}
	return theme.NewDisabledResource(theme.InfoIcon())
}

func statusImportance(s checkup.Status) widget.Importance {
	switch s {
	case checkup.OK:
		return widget.SuccessImportance
	case checkup.Attention:
		return widget.WarningImportance
	case checkup.Ask:
		return widget.HighImportance
	}
	return widget.LowImportance
}

// itemCard is one item: its status icon, title and status in words, what
// was found, what to do, and the buttons of its fix.
func (c *checkupScreen) itemCard(it checkup.Item) fyne.CanvasObject {
	title := bold(oneLine(human.Truncate(it.Title, 120)))
	st := widget.NewLabel(statusWords(it.Status))
	st.Importance = statusImportance(it.Status)
	st.TextStyle = fyne.TextStyle{Bold: true}
	lines := []fyne.CanvasObject{container.NewHBox(title, st)}
	if it.Found != "" {
		lines = append(lines, wrapped(oneLine(it.Found)))
	}
	if it.Advice != "" && it.Status != checkup.OK {
		lines = append(lines, hint("What to do: "+oneLine(it.Advice)))
	}
	if bs := c.fixButtons(it); len(bs) > 0 {
		c.fixes[it.Key] = bs
		row := container.NewHBox()
		for _, b := range bs {
			row.Add(b)
		}
		lines = append(lines, row)
	}
	icon := widget.NewIcon(statusIcon(it.Status))
	return container.NewBorder(nil, nil, container.NewVBox(icon), nil, container.NewVBox(lines...))
}

// fixButtons are the buttons an item offers: none when all is well or the
// role may not act on it (the advice says what to do, or whom to ask).
func (c *checkupScreen) fixButtons(it checkup.Item) []*widget.Button {
	u := c.u
	if it.Status == checkup.OK || it.Status == checkup.NA || it.Fix == checkup.FixNone {
		return nil
	}
	m := u.main
	one := func(label string, icon fyne.Resource) []*widget.Button {
		b := u.button(label, icon, func() { c.fix(it) })
		b.Importance = widget.HighImportance
		return []*widget.Button{b}
	}
	goTo := func(label string, icon fyne.Resource, f func()) []*widget.Button {
		return []*widget.Button{u.button(label, icon, f)}
	}
	switch it.Fix {
	case checkup.FixAutoLock:
		return one("Turn on auto-lock", theme.ConfirmIcon())
	case checkup.FixClipboard:
		return one("Turn on clipboard clearing", theme.ConfirmIcon())
	case checkup.FixVerifyAudit:
		if !u.sess.CanDo(access.VerifyAudit) {
			return nil
		}
		return one("Verify the audit trail", theme.ConfirmIcon())
	case checkup.FixAnswer:
		yes := u.button("Yes", theme.ConfirmIcon(), func() { c.answer(it.Key, true) })
		no := u.button("No", theme.CancelIcon(), func() { c.answer(it.Key, false) })
		return []*widget.Button{yes, no}
	case checkup.FixPassphrase:
		return goTo("Change passphrase…", theme.SettingsIcon(), func() { m.showPassphraseChange() })
	case checkup.FixKDF:
		return goTo("Strengthen the passphrase…", theme.SettingsIcon(), func() { c.passDialog(false) })
	case checkup.FixKeyFile:
		return goTo("Add a key file…", theme.FileIcon(), func() { c.passDialog(true) })
	case checkup.FixBackup:
		if !u.sess.CanDo(access.Backup) {
			return nil
		}
		return goTo("Back up now", theme.UploadIcon(), func() {
			m.show(navBackups)
			u.backupNow()
		})
	case checkup.FixSecondDrive:
		if !u.sess.CanDo(access.Backup) || !m.offers(navBackups) {
			return nil
		}
		return goTo("Open Backups", theme.StorageIcon(), func() { m.show(navBackups) })
	case checkup.FixDrill:
		if !u.sess.CanDo(access.Drill) || !m.offers(navBackups) {
			return nil
		}
		return goTo("Run restore drill…", theme.MediaReplayIcon(), func() {
			m.show(navBackups)
			m.backups.runDrill()
		})
	case checkup.FixUsers:
		if !m.offers(navUsers) {
			return nil
		}
		return goTo("Open Users", theme.AccountIcon(), func() { m.show(navUsers) })
	}
	return nil
}

// fix runs a one-click fix, then checks again.
func (c *checkupScreen) fix(it checkup.Item) {
	u := c.u
	s := u.sess
	if s == nil || c.busy {
		return
	}
	u.touch()
	c.busy = true
	run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.FixCheckup(ctx, string(it.Fix)) },
		func(_ struct{}, err error) {
			c.busy = false
			if err != nil {
				setMsg(c.msg, fmt.Sprintf("%s was not fixed: %s", oneLine(it.Title), app.Message(err)))
				return
			}
			if it.Fix == checkup.FixAutoLock || it.Fix == checkup.FixClipboard {
				// The fix changed the settings file beside the vault: the
				// window follows it at once.
				u.set = app.LoadSettings(u.opts.Dir)
			}
			c.run()
		})
}

// answer records the person's answer to a question, then checks again.
func (c *checkupScreen) answer(key string, yes bool) {
	u := c.u
	s := u.sess
	if s == nil || c.busy {
		return
	}
	u.touch()
	c.busy = true
	run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.AnswerCheckup(ctx, key, yes) },
		func(_ struct{}, err error) {
			c.busy = false
			if err != nil {
				setMsg(c.msg, "Your answer was not saved: "+app.Message(err))
				return
			}
			c.run()
		})
}

// changesPart says what changed since the check before this one.
func changesPart(r *app.CheckupReport) []fyne.CanvasObject {
	if r.Previous.IsZero() {
		return []fyne.CanvasObject{bold("What changed"), quiet("This is the first security check of this vault: the next one will say what changed.")}
	}
	out := []fyne.CanvasObject{bold("What changed since the last check on " + human.Time(r.Previous))}
	if len(r.Changes) == 0 {
		return append(out, quiet("Nothing: every point is as it was then."))
	}
	for _, ch := range r.Changes {
		l := widget.NewLabel(fmt.Sprintf("%s: was %s, now %s", oneLine(human.Truncate(ch.Title, 120)),
			strings.ToLower(statusWords(ch.Was)), strings.ToLower(statusWords(ch.Now))))
		l.Wrapping = fyne.TextWrapWord
		icon := widget.NewIcon(statusIcon(ch.Now))
		out = append(out, container.NewBorder(nil, nil, icon, nil, l))
	}
	return out
}

// print opens the check's printable report in the browser.
func (c *checkupScreen) print() {
	r := c.report
	if r == nil {
		return
	}
	c.u.touch()
	c.u.printPage(func(context.Context) (func(io.Writer) error, error) { return r.WriteHTML, nil })
}

// showCheckup opens the Security check screen and runs the check.
func (m *mainScreen) showCheckup() fyne.CanvasObject {
	if m.checkup == nil {
		m.checkup = newCheckupScreen(m.u)
	}
	m.checkup.run()
	return m.checkup.obj
}

// showPassphraseChange opens Settings at its Change the passphrase part,
// the cursor in the current passphrase.
func (m *mainScreen) showPassphraseChange() {
	m.show(navSettings)
	s := m.settings
	if s == nil {
		return
	}
	m.u.w.Canvas().Focus(s.current)
	if sc, ok := s.obj.(*container.Scroll); ok {
		// Scroll so that the part is in view: its place inside the
		// scrolled content.
		var y float32
		if findPos(sc.Content, s.current, 0, &y) {
			sc.ScrollToOffset(fyne.NewPos(0, max(0, y-120)))
		}
	}
}

// findPos finds target under o and sets *y to its top relative to o.
func findPos(o, target fyne.CanvasObject, top float32, y *float32) bool {
	if o == target {
		*y = top
		return true
	}
	if c, ok := o.(*fyne.Container); ok {
		for _, ch := range c.Objects {
			if findPos(ch, target, top+ch.Position().Y, y) {
				return true
			}
		}
	}
	return false
}
