package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// conflictScreen: names in, ranked hits out, and the decision. The names
// and the decision are on the left; the hits take the whole height on the
// right (at least six show at once in a 1280×800 screen).
type conflictScreen struct {
	u       *UI
	obj     fyne.CanvasObject
	names   *entry
	checkB  *widget.Button
	spinner *widget.Activity
	summary *widget.Label
	hits    *hitList
	result  *app.ConflictResult
	dec     *decisionForm
}

func newConflictScreen(u *UI) *conflictScreen {
	c := &conflictScreen{u: u, spinner: widget.NewActivity(), summary: wrapped("Type one or more names above, then click “Check for conflicts”.")}
	c.checkB = u.button("Check for conflicts", theme.SearchIcon(), c.check)
	c.checkB.Importance = widget.HighImportance
	c.spinner.Hide()
	c.hits = u.newHitList(nil)
	c.dec = u.newDecisionForm(nil)
	left := container.NewVBox()
	c.names = u.newNamesBox("One name a line", left)
	left.Objects = []fyne.CanvasObject{
		heading("Conflict check"),
		hint("Type the names to check, one a line: the prospective client, the other side, related people and companies. " +
			"Each is compared with every client, alias and party in open and closed matters. The check is recorded; " +
			"“Conflict checks” on the left lists every check made."),
		c.names,
		container.NewHBox(c.checkB, c.spinner),
		c.summary,
		widget.NewSeparator(),
		c.dec.obj,
	}
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), c.hits.obj)
	split.Offset = 0.4
	c.obj = split
	return c
}

// newNamesBox is a box for names, one a line, that grows with its lines
// (from 4 up to 12 rows, then it scrolls): every name typed stays in view.
// Its container is laid out again (*relayout, when set) as it grows.
func (u *UI) newNamesBox(placeholder string, relayout *fyne.Container) *entry {
	e := u.newMultiLine(placeholder)
	e.Wrapping = fyne.TextWrapOff
	e.SetMinRowsVisible(namesMinRows)
	rows := namesMinRows
	e.OnChanged = func(string) {
		if had := rows; fitRows(e, &rows) != had && relayout != nil {
			relayout.Refresh()
		}
	}
	return e
}

const namesMinRows, namesMaxRows = 4, 12

// fitRows makes a names box of *rows rows as tall as its lines, plus one
// for the next; it returns (and keeps in *rows) the rows it has now.
func fitRows(e *entry, rows *int) int {
	n := min(max(strings.Count(e.Text, "\n")+2, namesMinRows), namesMaxRows)
	if n != *rows {
		*rows = n
		e.SetMinRowsVisible(n)
	}
	return n
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
		if err != nil {
			c.result = nil
			c.hits.set(nil)
			c.dec.reset(0)
			c.summary.SetText(app.Message(err))
			return
		}
		c.result = r
		c.hits.set(r.Hits)
		c.dec.reset(r.CheckID)
		c.summary.SetText(resultSummary(r))
	})
}

// resultSummary says what a check found, in a sentence.
func resultSummary(r *app.ConflictResult) string {
	names := quoteNames(r.Names)
	if len(r.Hits) == 0 {
		return fmt.Sprintf("No matches for %s (check %d). Record the decision below.", names, r.CheckID)
	}
	return fmt.Sprintf("%s for %s (check %d), best match first. Click one to open it; record the decision below.",
		human.Count(len(r.Hits), "possible conflict", "possible conflicts"), names, r.CheckID)
}

// quoteNames writes names as “A”, “B” and “C” (at most 10, then how many more).
func quoteNames(names []string) string {
	const most = 10
	var q []string
	for i, n := range names {
		if i == most {
			break
		}
		q = append(q, "“"+oneLine(n)+"”")
	}
	s := strings.Join(q, ", ")
	if len(names) > most {
		s += fmt.Sprintf(" and %s", human.Count(len(names)-most, "more", "more"))
	} else if len(q) > 1 {
		s = strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
	}
	return s
}

// hitList shows conflict hits, best first, three lines each in one text
// (compact: a row of three Labels would let only four fit). Clicking a hit
// opens its record (after onOpen, e.g. closing the dialog it is in).
type hitList struct {
	u      *UI
	hits   []app.ConflictHit
	list   *widget.List
	empty  *widget.Label
	onOpen func()
	obj    fyne.CanvasObject
}

func (u *UI) newHitList(onOpen func()) *hitList {
	l := &hitList{u: u, onOpen: onOpen, empty: quiet("The possible conflicts will be listed here.")}
	l.list = widget.NewList(func() int { return len(l.hits) },
		func() fyne.CanvasObject { return newRows(3) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(l.hits) {
				setRows(o.(*widget.RichText), hitLines(l.hits[id])...)
			}
		})
	l.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		l.list.UnselectAll()
		if id < len(l.hits) {
			l.open(l.hits[id])
		}
	}
	l.obj = container.NewStack(l.list, container.NewCenter(l.empty))
	return l
}

// set shows hits, best match first.
func (l *hitList) set(hits []app.ConflictHit) {
	had := len(l.hits) > 0
	l.hits = append([]app.ConflictHit(nil), hits...)
	sort.SliceStable(l.hits, func(i, j int) bool { return l.hits[i].Score > l.hits[j].Score })
	if len(l.hits) == 0 {
		l.empty.Show()
	} else {
		l.empty.Hide()
	}
	l.list.UnselectAll()
	if had {
		// Back to the best match. (Only a list that showed hits: Fyne's
		// ScrollToTop fails on a list never drawn yet, and a new one is
		// at the top.)
		l.list.ScrollToTop()
	}
	l.list.Refresh()
}

// hitLines is a hit in three lines: the name and how well it matched;
// where it is (role, client, matter); why it matched.
func hitLines(h app.ConflictHit) [][]part {
	score := fmt.Sprintf(" — %d%% %s match for “%s”", int(h.Score*100+0.5), h.Match, h.Query)
	if h.Hidden {
		// A match in a record this user may not see: that it exists,
		// never what it is (a wall must not hide a conflict).
		return [][]part{
			{strongColored(human.Capitalize(app.RestrictedConflict), widget.WarningImportance)},
			{plain(fmt.Sprintf("For “%s” · %d%% %s match", h.Query, int(h.Score*100+0.5), h.Match))},
			{low("Only the owner can see the record; record no decision before asking them.")},
		}
	}
	where := hitWhere(h)
	return [][]part{
		{strong(h.Name), plain(score)},
		{plain(where)},
		{low("Why: " + h.Why)},
	}
}

// hitWhere says where a hit's name is: a client, a client's other name, a
// joint client of a matter, or a party (or a party's other or former name)
// of a client's matter, with the matter open or closed.
func hitWhere(h app.ConflictHit) string {
	if h.IntakeID != 0 || app.IsProspectRole(h.Role) {
		return prospectWhere(h)
	}
	matter := ""
	if h.MatterID != 0 {
		state := "closed"
		if h.MatterOpen {
			state = "open"
		}
		matter = fmt.Sprintf(" · matter “%s” (%s)", h.MatterTitle, state)
	}
	switch h.Role {
	case "client":
		return "Client"
	case "alias":
		return "Other name of the client " + h.ClientName
	case "joint_client":
		return "Joint client" + matter
	}
	who := app.PartyRoleLabel(h.Role)
	switch h.NameKind {
	case "alias":
		who = fmt.Sprintf("Other name of %s, %s", h.PartyName, strings.ToLower(who))
	case "former":
		who = fmt.Sprintf("Former name of %s, %s", h.PartyName, strings.ToLower(who))
	}
	return who + " of client " + h.ClientName + matter
}

// prospectWhere says where a prospect's hit is: a person who sent the
// intake form (a prospective client, new or declined) or a name they gave,
// and the submission: "Prospective client (intake submission 12,
// declined)", "Adverse party named by a prospective client, Jane Roe
// (intake submission 12, new)".
func prospectWhere(h app.ConflictHit) string {
	who := app.PartyRoleLabel(h.Role)
	if h.Role != "prospect" && strings.TrimSpace(h.ClientName) != "" {
		who += ", " + h.ClientName
	}
	var sub []string
	if h.IntakeID != 0 {
		sub = append(sub, fmt.Sprintf("intake submission %d", h.IntakeID))
	}
	if h.IntakeStatus != "" {
		sub = append(sub, strings.ToLower(app.IntakeStatusWords(h.IntakeStatus)))
	}
	if len(sub) > 0 {
		who += " (" + strings.Join(sub, ", ") + ")"
	}
	return who
}

func (l *hitList) open(h app.ConflictHit) {
	u := l.u
	if h.Hidden {
		dialog.ShowInformation("A possible conflict you cannot see",
			human.Capitalize(app.RestrictedConflict)+". The match is in a client or matter restricted from you, "+
				"so only the owner can tell whether it is a conflict.", u.w)
		return
	}
	if l.onOpen != nil {
		l.onOpen()
	}
	if u.main == nil {
		return
	}
	switch {
	case h.IntakeID != 0:
		u.main.showIntake(h.IntakeID)
	case h.MatterID != 0:
		u.main.showMatter(h.MatterID)
	default:
		u.main.showClient(h.ClientID)
	}
}

// decisionForm records the decision on one conflict check: clear,
// conflict, or waived (which needs a note: where the written consent is
// filed). A role that may not decide sees why instead of the controls.
type decisionForm struct {
	u       *UI
	checkID int64
	title   *widget.Label
	choice  *widget.RadioGroup
	noteLbl *widget.Label
	note    *entry
	noteErr *widget.Label
	recordB *widget.Button
	result  *widget.Label
	why     *widget.Label
	onDone  func(decision, note string)
	obj     fyne.CanvasObject
}

// decisionWords are the choices as the form shows them, in app.Decisions' order.
var decisionWords = map[string]string{"clear": "Clear", "conflict": "Conflict", "waived": "Waived"}

const (
	noteHint       = "Why, who agreed (optional)"
	waivedNoteHint = "Required for a waiver: where the client’s written consent is filed"
	// WaiverNeedsNote is what the form says when "Waived" has no note.
	WaiverNeedsNote = "A waiver needs a note: say where the client’s written consent is filed."
)

func (u *UI) newDecisionForm(onDone func(decision, note string)) *decisionForm {
	d := &decisionForm{u: u, onDone: onDone, title: bold("Decision"), noteLbl: bold("Note"), noteErr: errLabel(), result: wrapped(""), why: hint("")}
	var opts []string
	for _, x := range app.Decisions {
		opts = append(opts, decisionWords[x])
	}
	d.choice = widget.NewRadioGroup(opts, func(string) { u.touch(); d.update() })
	d.choice.Horizontal = true
	d.note = u.newEntry(noteHint)
	d.note.OnChanged = func(string) {
		if strings.TrimSpace(d.note.Text) != "" {
			setMsg(d.noteErr, "")
		}
	}
	d.note.OnSubmitted = func(string) { d.record() }
	d.recordB = u.button("Record decision", theme.ConfirmIcon(), d.record)
	d.recordB.Importance = widget.HighImportance
	d.why.Hide()
	d.obj = container.NewVBox(d.title, d.choice, d.noteLbl, d.note, d.noteErr,
		container.NewHBox(d.recordB), d.result, d.why)
	d.reset(0)
	return d
}

// decision is the chosen decision as app.DecideConflict takes it.
func (d *decisionForm) decision() string { return strings.ToLower(d.choice.Selected) }

// reset shows the form for a new check (0: none yet).
func (d *decisionForm) reset(checkID int64) {
	d.checkID = checkID
	d.choice.SetSelected("")
	d.note.SetText("")
	setMsg(d.noteErr, "")
	d.result.SetText("")
	d.update()
}

// update enables what can be used now and says when a note is required.
func (d *decisionForm) update() {
	if d.decision() == "waived" {
		d.noteLbl.SetText("Note * (required for a waiver)")
		d.note.SetPlaceHolder(waivedNoteHint)
	} else {
		d.noteLbl.SetText("Note")
		d.note.SetPlaceHolder(noteHint)
		setMsg(d.noteErr, "")
	}
	if !d.u.sess.CanDo(access.DecideConfl) {
		// Nothing to fill in that would be refused: the reason instead.
		d.choice.Hide()
		d.noteLbl.Hide()
		d.note.Hide()
		d.recordB.Hide()
		d.why.SetText(d.u.deniedHint(access.DecideConfl.Words))
		d.why.Show()
		return
	}
	if d.checkID != 0 && d.choice.Selected != "" {
		d.recordB.Enable()
	} else {
		d.recordB.Disable()
	}
}

func (d *decisionForm) record() {
	u, s := d.u, d.u.sess
	if d.checkID == 0 || d.choice.Selected == "" || d.recordB.Disabled() {
		return
	}
	id, decision, note := d.checkID, d.decision(), d.note.Text
	if decision == "waived" && strings.TrimSpace(note) == "" {
		setMsg(d.noteErr, WaiverNeedsNote)
		u.w.Canvas().Focus(d.note)
		return
	}
	d.recordB.Disable()
	run(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.DecideConflict(ctx, id, decision, note)
	}, func(_ struct{}, err error) {
		d.update()
		var fe *app.FieldError
		switch {
		case errors.As(err, &fe) && fe.Field == "note":
			setMsg(d.noteErr, fe.Message)
		case err != nil:
			d.result.Importance = widget.DangerImportance
			d.result.SetText("The decision was not recorded: " + app.Message(err))
		default:
			d.result.Importance = widget.SuccessImportance
			d.result.SetText(fmt.Sprintf("Decision “%s” recorded for check %d.", decision, id))
			if d.onDone != nil {
				d.onDone(decision, note)
			}
		}
	})
}
