package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
	"casevault/app/intake/form"
)

// This file: the "Submissions" tab of the Intake screen (ui/intake.go,
// h7, builds the frame, the Start intake bar and the badge): what people
// sent through the intake form, newest first, filtered by status and by a
// name, each with when it came, the practice area, how many files and
// whether its names match anyone (the queue's conflict hits). Opening one
// shows its review (intake_review.go) in the place of the list, with a way
// back: the answers and the conflict check need the whole width side by
// side. The list reads pages as it is scrolled (intakePage at a time), so
// 1,000 waiting submissions cost one page: each new one on a page has its
// conflict hits counted on its first listing (about 4.5 ms each with
// 10,000 clients, PLAN12 h2), so a page is small.

// intakePage is how many submissions one read brings (a var for tests).
var intakePage = 25

// intakeStatuses are the status filter's choices and what they ask
// (app.IntakeFilter.Status).
var intakeStatuses = []struct{ label, value string }{
	{"New", "new"},
	{"Accepted", "accepted"},
	{"Declined", "declined"},
	{"Deleted as spam", "spam"},
	{"All", "all"},
}

// intakeQueue is the Submissions tab: the list, or one submission's review.
type intakeQueue struct {
	u         *UI
	obj       fyne.CanvasObject
	stack     *fyne.Container // listView, or the review open
	listView  fyne.CanvasObject
	find      *entry
	statusSel *widget.Select
	count     *widget.Label
	empty     *widget.Label // over the list when it is empty
	list      *widget.List
	items     []app.IntakeSummary // the pages read so far, newest first
	total     int                 // how many the filter finds
	seq       int                 // bumped by each new filter: late pages are dropped
	findSeq   int                 // bumped by each key typed in find (findLater)
	reading   bool                // a page is being read
	read      bool                // the first page is in
	failed    string              // why the last read failed
	notice    *widget.Label       // what the last import could not bring in
	areas     map[string]string   // practice area key → its label (the current form)
	review    *intakeReview       // the submission open, nil while the list shows
}

// intakeQueue is the Submissions tab of the Intake screen: built once per
// unlock (the same object on each call), its list read again on each call.
func (u *UI) intakeQueue() fyne.CanvasObject {
	if u.main == nil || u.sess == nil {
		return container.NewStack()
	}
	if u.main.intake == nil {
		u.main.intake = newIntakeQueue(u)
	} else {
		u.main.intake.reload()
	}
	return u.main.intake.obj
}

// refreshIntake reads the list again (a submission arrived, or one was
// decided); the submission open, if any, stays open.
//
// It first brings into the vault what the intake server sealed beside it
// since the unlock (app.Session.ImportIntake: Open imports only what came
// while the vault was locked), says above the list when a file could not
// be read, then reads the list and the badge again. h7's banner calls it
// when a submission arrives; "Look for new submissions" too (a server
// started from the command line).
func (u *UI) refreshIntake() {
	if u.sess == nil || u.main == nil {
		return
	}
	s, m := u.sess, u.main
	run(u, func(ctx context.Context) (string, error) {
		res, err := s.ImportIntake(ctx)
		return app.IntakeImportNotice(s.Dir(), res, err), nil
	}, func(notice string, _ error) {
		if u.main != m {
			return
		}
		if q := m.intake; q != nil {
			setMsg(q.notice, notice)
			q.reload()
		}
		u.refreshIntakeBadge()
	})
}

func newIntakeQueue(u *UI) *intakeQueue {
	q := &intakeQueue{u: u, count: quiet("Loading submissions…"), empty: hint(""), stack: container.NewStack(), notice: errLabel()}
	q.notice.Importance = widget.WarningImportance
	q.find = u.newEntry("A name")
	q.find.OnChanged = func(string) { q.findLater() }
	var labels []string
	for _, s := range intakeStatuses {
		labels = append(labels, s.label)
	}
	q.statusSel = widget.NewSelect(labels, func(string) { u.touch(); q.reload() })
	q.list = widget.NewList(func() int { return q.total },
		func() fyne.CanvasObject { return newRows(2) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			rt := o.(*widget.RichText)
			if id >= len(q.items) {
				setRows(rt, []part{low("Loading…")}, nil)
				q.more()
				return
			}
			setRows(rt, intakeLines(q.items[id], q.areaLabel(q.items[id].PracticeArea))...)
		})
	q.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		q.list.UnselectAll()
		if id < len(q.items) {
			q.open(q.items[id].ID)
		}
	}
	q.empty.Hide()
	lookB := u.button("Look for new submissions", theme.ViewRefreshIcon(), u.refreshIntake)
	head := container.NewVBox(
		q.notice,
		container.NewBorder(nil, nil, bold("Show"), lookB, container.NewBorder(nil, nil, q.statusSel, nil, q.find)),
		q.count)
	q.listView = container.NewBorder(head, nil, nil, nil, container.NewStack(q.list, container.NewPadded(container.NewVBox(q.empty))))
	q.stack.Objects = []fyne.CanvasObject{q.listView}
	q.obj = q.stack
	q.loadAreas()
	q.statusSel.SetSelectedIndex(0) // reads the first page
	return q
}

// loadAreas reads the practice areas' labels of the current form (the
// list shows "Personal injury", not its key).
func (q *intakeQueue) loadAreas() {
	u, s := q.u, q.u.sess
	run(u, func(ctx context.Context) (*form.Config, error) {
		return s.IntakeForm(ctx)
	}, func(c *form.Config, err error) {
		if err != nil || c == nil {
			return // the keys in words instead (areaLabel)
		}
		q.areas = map[string]string{}
		for _, a := range c.Areas {
			q.areas[a.Key] = a.Label
		}
		q.list.Refresh()
	})
}

// areaLabel is a practice area in words: its label in the current form,
// else its key made readable ("personal_injury": "Personal injury").
func (q *intakeQueue) areaLabel(key string) string {
	if l, ok := q.areas[key]; ok && strings.TrimSpace(l) != "" {
		return l
	}
	return areaWords(key)
}

// areaWords is a practice area's key in words ("" when none was chosen).
func areaWords(key string) string {
	return human.Capitalize(strings.TrimSpace(strings.ReplaceAll(key, "_", " ")))
}

// filter is what the list shows now.
func (q *intakeQueue) filter() app.IntakeFilter {
	f := app.IntakeFilter{Query: strings.TrimSpace(q.find.Text), Status: "new"}
	for _, s := range intakeStatuses {
		if s.label == q.statusSel.Selected {
			f.Status = s.value
		}
	}
	return f
}

// findLater reloads the list once the name typed has not changed for
// findPause (each read is an entry in the audit trail).
func (q *intakeQueue) findLater() {
	q.u.afterTyping(&q.findSeq, func() bool { return q.u.main != nil && q.u.main.intake == q }, q.reload)
}

// reload reads the list again from its first page.
func (q *intakeQueue) reload() {
	q.seq++
	q.items, q.total, q.reading, q.read, q.failed = nil, 0, false, false, ""
	q.list.UnselectAll()
	q.list.Refresh()
	q.count.SetText("Loading submissions…")
	q.more()
}

// more reads the next page, unless one is being read or all are in.
func (q *intakeQueue) more() {
	if q.reading || q.failed != "" || (q.read && len(q.items) >= q.total) {
		return
	}
	u, s := q.u, q.u.sess
	f := q.filter()
	f.Offset, f.Limit = len(q.items), intakePage
	seq := q.seq
	q.reading = true
	type page struct {
		items []app.IntakeSummary
		total int
	}
	run(u, func(ctx context.Context) (page, error) {
		items, total, err := s.ListIntake(ctx, f)
		return page{items, total}, err
	}, func(p page, err error) {
		if seq != q.seq {
			return // an older filter's page
		}
		q.reading, q.read = false, true
		if err != nil {
			q.failed = app.Message(err)
			q.count.SetText("The submissions could not be loaded: " + q.failed)
			q.empty.Hide()
			return
		}
		q.items = append(q.items, p.items...)
		q.total = p.total
		if len(p.items) == 0 {
			q.total = len(q.items) // the list shrank meanwhile: stop asking
		}
		q.count.SetText(q.countText(f))
		if msg := q.emptyText(f); msg != "" {
			q.empty.SetText(msg)
			q.empty.Show()
		} else {
			q.empty.Hide()
		}
		q.list.Refresh()
	})
}

// countText says how many submissions the list holds.
func (q *intakeQueue) countText(f app.IntakeFilter) string {
	if q.total == 0 {
		return ""
	}
	what := map[string][2]string{
		"new":      {"new submission", "new submissions"},
		"accepted": {"accepted submission", "accepted submissions"},
		"declined": {"declined submission", "declined submissions"},
		"spam":     {"submission deleted as spam", "submissions deleted as spam"},
	}[f.Status]
	if what[0] == "" {
		what = [2]string{"submission", "submissions"}
	}
	s := human.Count(q.total, what[0], what[1])
	if f.Query != "" {
		s += " with “" + oneLine(human.Truncate(f.Query, 60)) + "” in the name"
	}
	return s + ", newest first"
}

// emptyText is what an empty list says: how to start intake when nothing
// came yet, else that nothing matches.
func (q *intakeQueue) emptyText(f app.IntakeFilter) string {
	switch {
	case q.total > 0:
		return ""
	case f.Query != "":
		return "No submission with “" + oneLine(human.Truncate(f.Query, 60)) + "” in the name. Check the spelling, or show All above."
	case f.Status == "new" && q.u.intakeRunning():
		return "No new submissions yet. Intake is running (see above): what a person sends appears here once it arrives."
	case f.Status == "new":
		return "No new submissions. To take in a new client, click “Start intake” above: the intake form opens in the browser, " +
			"and what the person sends waits here, sealed, until you review it — even while the vault is locked."
	case f.Status == "all":
		return "No submissions yet. Click “Start intake” above to open the intake form in the browser."
	}
	return "None."
}

// intakeLines is a submission in the list: the name and the practice
// area; whether its names match anyone (first: a narrow list cuts the end
// of the line), when it came, how many files, and its status when decided.
func intakeLines(s app.IntakeSummary, area string) [][]part {
	first := []part{strong(human.Truncate(s.FullName, 120))}
	if strings.TrimSpace(s.FullName) == "" {
		first = []part{strong("(no name given)")}
	}
	if area != "" {
		first = append(first, low(" · "+area))
	}
	var second []part
	switch {
	case s.Status == "spam":
	case s.Hits > 0:
		second = append(second, strongColored(human.Count(s.Hits, "possible conflict", "possible conflicts"), widget.DangerImportance))
		if s.Restricted {
			// A match in a record this user may not see: that it
			// exists, never whose (as a hit of a conflict check).
			second = append(second, colored(" (restricted: ask the owner)", widget.WarningImportance))
		}
	case s.Hits == 0:
		second = append(second, colored("No conflict found", widget.SuccessImportance))
	case s.Status == "new":
		second = append(second, low("Conflicts not checked yet"))
	}
	rest := "Received " + human.Time(s.ReceivedAt)
	if s.Files > 0 {
		rest += " · " + human.Count(s.Files, "file", "files")
	}
	if s.Status != "new" {
		rest += " · " + app.IntakeStatusWords(s.Status)
	}
	if len(second) > 0 {
		rest = " · " + rest
	}
	return [][]part{first, append(second, low(rest))}
}

// open shows one submission's review in the place of the list.
func (q *intakeQueue) open(id int64) {
	q.review = newIntakeReview(q, id)
	q.stack.Objects = []fyne.CanvasObject{q.review.obj}
	q.stack.Refresh()
}

// back shows the list again, read anew.
func (q *intakeQueue) back() {
	q.review = nil
	q.stack.Objects = []fyne.CanvasObject{q.listView}
	q.stack.Refresh()
	q.reload()
}

// changed: a submission was accepted, declined or deleted: the list (read
// again when it shows) and the badge.
func (q *intakeQueue) changed() {
	q.reload()
	q.u.refreshIntakeBadge()
}

// showIntake opens submission id on the Intake screen (a conflict hit on a
// prospective client opens the submission it came from).
func (m *mainScreen) showIntake(id int64) {
	m.show(navIntake) // builds the screen and its Submissions tab, or reads the list again
	if m.intake != nil {
		m.intake.open(id)
	}
}
