package ui

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// This file: "Conflict checks" (left bar): every conflict check made,
// newest first, filtered by a name searched and by the decision; a check's
// detail with every hit, the decision, its note and the earlier decisions;
// deciding again; the printable report. The list reads pages as it is
// scrolled (historyPage at a time), so 5,000 checks cost one page.

// historyPage is how many checks one read brings (a var for tests).
var historyPage = 200

// historyDecisions are the decision filter's choices and what they ask.
var historyDecisions = []struct{ label, value string }{
	{"Any decision", ""},
	{"Undecided", "undecided"},
	{"Clear", "clear"},
	{"Conflict", "conflict"},
	{"Waived", "waived"},
}

type historyScreen struct {
	u       *UI
	obj     fyne.CanvasObject
	find    *entry
	decSel  *widget.Select
	count   *widget.Label
	list    *widget.List
	checks  []app.ConflictCheckSummary // the pages read so far, newest first
	total   int                        // how many checks the filter finds
	seq     int                        // bumped by each new filter: late pages are dropped
	reading bool                       // a page is being read
	read    bool                       // the first page is in
	failed  string                     // why the last read failed
	right   *fyne.Container
	cur     *app.ConflictCheckDetail
	findSeq int // bumped by each key typed in find (findLater)
	hits    *hitList
	dec     *decisionForm
	msg     *widget.Label
}

func newHistoryScreen(u *UI) *historyScreen {
	h := &historyScreen{u: u, count: quiet("Loading conflict checks…"), right: container.NewStack(), msg: errLabel()}
	h.find = u.newEntry("A name searched")
	h.find.OnChanged = func(string) { h.findLater() }
	var labels []string
	for _, d := range historyDecisions {
		labels = append(labels, d.label)
	}
	h.decSel = widget.NewSelect(labels, func(string) { u.touch(); h.reload() })
	h.list = widget.NewList(func() int { return h.total },
		func() fyne.CanvasObject { return newRows(2) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			rt := o.(*widget.RichText)
			if id >= len(h.checks) {
				setRows(rt, []part{low("Loading…")}, nil)
				h.more()
				return
			}
			setRows(rt, historyLines(h.checks[id])...)
		})
	h.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		if id < len(h.checks) && (h.cur == nil || h.cur.ID != h.checks[id].ID) {
			h.open(h.checks[id].ID)
		}
	}
	head := container.NewVBox(heading("Conflict checks"),
		container.NewBorder(nil, nil, nil, h.decSel, h.find),
		h.count)
	h.showEmpty()
	split := container.NewHSplit(container.NewBorder(head, nil, nil, nil, h.list), container.NewBorder(h.msg, nil, nil, nil, h.right))
	split.Offset = 0.45
	h.obj = split
	h.decSel.SetSelectedIndex(0) // reads the first page
	return h
}

func (h *historyScreen) showEmpty() {
	h.cur, h.hits, h.dec = nil, nil, nil
	h.setRight(container.NewCenter(quiet("Choose a check on the left to see what it found and what was decided.")))
}

func (h *historyScreen) setRight(o fyne.CanvasObject) {
	h.right.Objects = []fyne.CanvasObject{o}
	h.right.Refresh()
}

// filter is what the list shows now.
func (h *historyScreen) filter() app.ConflictFilter {
	f := app.ConflictFilter{Query: strings.TrimSpace(h.find.Text)}
	for _, d := range historyDecisions {
		if d.label == h.decSel.Selected {
			f.Decision = d.value
		}
	}
	return f
}

// findPause is how long the name filter waits for the typing to pause
// before it reads the list (each read is an entry in the audit trail).
const findPause = 250 * time.Millisecond

// findLater reloads the list once the name typed has not changed for
// findPause.
func (h *historyScreen) findLater() {
	h.u.afterTyping(&h.findSeq, func() bool { return h.u.main != nil && h.u.main.history == h }, h.reload)
}

// afterTyping runs fn on the UI goroutine once *seq has not changed for
// findPause (a name filter: each list read is an entry in the audit
// trail), while the vault is unlocked and shown() still holds (the screen
// is the one on show). Each call bumps *seq.
func (u *UI) afterTyping(seq *int, shown func() bool, fn func()) {
	*seq++
	mine := *seq
	u.pending.Add(1) // tests' wait() waits for it
	time.AfterFunc(findPause, func() {
		u.deliver(func() {
			if mine == *seq && u.sess != nil && shown() {
				fn()
			}
		})
	})
}

// reload reads the list again from its first page (a new filter, or a
// check decided or made since).
func (h *historyScreen) reload() {
	h.seq++
	h.checks, h.total, h.reading, h.read, h.failed = nil, 0, false, false, ""
	h.list.UnselectAll()
	h.list.Refresh()
	h.count.SetText("Loading conflict checks…")
	h.more()
}

// more reads the next page, unless one is being read or all are in.
func (h *historyScreen) more() {
	if h.reading || h.failed != "" || (h.read && len(h.checks) >= h.total) {
		return
	}
	u, s := h.u, h.u.sess
	f := h.filter()
	f.Offset, f.Limit = len(h.checks), historyPage
	seq := h.seq
	h.reading = true
	type page struct {
		checks []app.ConflictCheckSummary
		total  int
	}
	run(u, func(ctx context.Context) (page, error) {
		cs, total, err := s.ListConflictChecks(ctx, f)
		return page{cs, total}, err
	}, func(p page, err error) {
		if seq != h.seq {
			return // an older filter's page
		}
		h.reading, h.read = false, true
		if err != nil {
			h.failed = app.Message(err)
			h.count.SetText("The conflict checks could not be loaded: " + h.failed)
			return
		}
		h.checks = append(h.checks, p.checks...)
		h.total = p.total
		if len(p.checks) == 0 {
			h.total = len(h.checks) // the list shrank meanwhile: stop asking
		}
		h.count.SetText(h.countText(f))
		h.list.Refresh()
	})
}

func (h *historyScreen) countText(f app.ConflictFilter) string {
	if h.total == 0 {
		if f.Query == "" && f.Decision == "" {
			return "No conflict checks yet. Run one from “Conflict check”."
		}
		return "No conflict check matches."
	}
	s := human.Count(h.total, "conflict check", "conflict checks") + ", newest first"
	if f.Query != "" || f.Decision != "" {
		s = human.Count(h.total, "conflict check matches", "conflict checks match") + ", newest first"
	}
	return s
}

// historyLines is a check in the list: the names; the decision, how many
// hits, when and who.
func historyLines(c app.ConflictCheckSummary) [][]part {
	word, imp := decisionWord(c.Decision)
	return [][]part{
		{strong(strings.Join(c.Names, ", "))},
		// The decision first: a narrow list cuts the end of the line.
		// Then when, which a list of checks is read by; who comes last.
		{strongColored(word, imp), low(fmt.Sprintf(" · %s · %s · %s", human.Time(c.At),
			human.Count(c.HitCount, "possible conflict", "possible conflicts"), actorName(c.Actor)))},
	}
}

// decisionWord is a decision in words and its importance colour.
func decisionWord(d string) (string, widget.Importance) {
	switch d {
	case "clear":
		return "Clear", widget.SuccessImportance
	case "conflict":
		return "Conflict", widget.DangerImportance
	case "waived":
		return "Waived", widget.HighImportance
	}
	return "Undecided", widget.WarningImportance
}

// actorName is who ran or decided a check; "" for decisions recorded
// before casevault kept who made them.
func actorName(a string) string {
	if a == "" {
		return "someone (not recorded then)"
	}
	return a
}

// contextWords says what a check was run for (app.CheckFor's Context), and
// the record to open: "on saving a new client" and client 12.
func contextWords(ctx string) (words, kind string, id int64) {
	var party, matter, client, intake int64
	for _, f := range strings.Fields(ctx) {
		k, v, ok := strings.Cut(f, ":")
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || n <= 0 {
			continue
		}
		switch k {
		case "party":
			party = n
		case "matter":
			matter = n
		case "client":
			client = n
		case "intake":
			intake = n
		}
	}
	switch {
	case intake != 0:
		return fmt.Sprintf("when intake submission %d was reviewed", intake), "intake submission", intake
	case party != 0 && matter != 0:
		return "when a party was saved on a matter", "matter", matter
	case party != 0:
		return "when a party was saved", "", 0
	case matter != 0:
		return "when a new matter was saved", "matter", matter
	case client != 0:
		return "when a new client was saved", "client", client
	}
	return "by hand, on the Conflict check screen", "", 0
}

func (h *historyScreen) open(id int64) {
	u, s := h.u, h.u.sess
	setMsg(h.msg, "")
	run(u, func(ctx context.Context) (*app.ConflictCheckDetail, error) {
		return s.GetConflictCheck(ctx, id)
	}, func(d *app.ConflictCheckDetail, err error) {
		if err != nil {
			setMsg(h.msg, "The conflict check could not be opened: "+app.Message(err))
			return
		}
		h.showDetail(d)
	})
}

func (h *historyScreen) showDetail(d *app.ConflictCheckDetail) {
	u := h.u
	h.cur = d
	why, kind, recID := contextWords(d.Context)
	meta := fmt.Sprintf("Run on %s by %s, %s. It found %s.", human.Time(d.At), actorName(d.Actor), why,
		human.Count(len(d.Hits), "possible conflict", "possible conflicts"))
	word, imp := decisionWord(d.Decision)
	decided := widget.NewRichText()
	decided.Wrapping = fyne.TextWrapWord
	if d.Decision == "" {
		setRows(decided, []part{strongColored("No decision recorded yet.", imp)})
	} else {
		last := d.History[len(d.History)-1:]
		by := ""
		if len(last) == 1 {
			by = fmt.Sprintf(" on %s by %s", human.Time(last[0].At), app.DecisionActor(last[0].Actor))
		}
		setRows(decided, []part{plain("Decision: "), strongColored(word, imp), plain(by)})
	}
	decided.Wrapping = fyne.TextWrapWord
	printB := u.button("Print report", theme.DocumentPrintIcon(), func() { h.print(d.ID) })
	top := container.NewVBox(
		heading(fmt.Sprintf("Conflict check %d", d.ID)),
		wrapped("Names: "+quoteNames(d.Names)),
		wrapped(meta),
		decided,
	)
	if d.Decision != "" && len(d.History) > 0 && d.History[len(d.History)-1].Note != "" {
		top.Add(wrapped("Note: " + d.History[len(d.History)-1].Note))
	}
	buttons := container.NewHBox(printB)
	if kind == "intake submission" && !u.can(access.Intake, access.Read) {
		kind = "" // the role does not see the Intake screen
	}
	if kind != "" {
		buttons.Add(u.button("Open the "+kind, theme.NavigateNextIcon(), func() {
			switch kind {
			case "client":
				u.main.showClient(recID)
			case "intake submission":
				u.main.showIntake(recID)
			default:
				u.main.showMatter(recID)
			}
		}))
	}
	top.Add(buttons)

	h.hits = u.newHitList(nil)
	h.hits.set(d.Hits)
	h.hits.empty.SetText("This check found no possible conflict.")

	history := container.NewVBox()
	if len(d.History) == 0 {
		history.Add(quiet("No decision recorded yet."))
	}
	for i, x := range d.History {
		w, imp := decisionWord(x.Decision)
		rt := widget.NewRichText()
		rt.Wrapping = fyne.TextWrapWord
		ln := []part{plain(fmt.Sprintf("%d. %s, %s: ", i+1, human.Time(x.At), app.DecisionActor(x.Actor))), strongColored(w, imp)}
		if x.Note != "" {
			ln = append(ln, plain(" — "+x.Note))
		}
		setRows(rt, ln)
		history.Add(rt)
	}
	h.dec = u.newDecisionForm(func(string, string) {
		h.reload()
		h.open(d.ID)
	})
	h.dec.reset(d.ID)
	if d.Decision != "" {
		h.dec.title.SetText("Decide again (the earlier decisions are kept)")
	}
	decisionTab := container.NewVScroll(container.NewPadded(container.NewVBox(
		bold("Decisions, oldest first"), history, widget.NewSeparator(), h.dec.obj)))
	tabs := container.NewAppTabs(
		container.NewTabItem(fmt.Sprintf("Possible conflicts (%d)", len(d.Hits)), h.hits.obj),
		container.NewTabItem(fmt.Sprintf("Decisions (%d)", len(d.History)), decisionTab),
	)
	h.setRight(container.NewBorder(container.NewPadded(top), nil, nil, nil, tabs))
}

// print opens the check's printable report in the browser.
func (h *historyScreen) print(id int64) {
	s := h.u.sess
	h.u.printPage(func(ctx context.Context) (func(io.Writer) error, error) {
		r, err := s.ConflictReport(ctx, id)
		if err != nil {
			return nil, err
		}
		return r.WriteHTML, nil
	})
}
