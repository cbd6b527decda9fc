package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// auditScreen: the trail in a lawyer's words (app.AuditView) in a table
// with filters, a pane with the selected entry in full, verify and CSV
// export.
type auditScreen struct {
	u        *UI
	obj      fyne.CanvasObject
	from, to *entry
	action   *widget.Select      // what happened, in words (app.AuditActions)
	who      *widget.SelectEntry // a user's name (the list of users when the role may see them)
	client   *entry              // a client's name
	matter   *entry              // a matter's title
	// clientID / matterID: the record chosen from its page (filterClient),
	// while the field still shows its name.
	clientID, matterID     int64
	clientName, matterName string
	entries                []app.AuditLine // newest first
	table                  *widget.Table
	status                 *widget.Label
	filtErr                *widget.Label
	verified               *widget.Label
	detail                 *auditDetail
	widths                 []float32 // the columns' widths (fitColumns)
}

// auditCols are the table's columns; their widths follow what they hold
// (fitColumns), between a floor and a ceiling.
var auditCols = []struct {
	title    string
	min, max float32
}{{"When", 120, 200}, {"Who", 80, 220}, {"What happened", 160, 460}, {"Details", 200, 600}}

// anyAction is the action filter's first choice.
const anyAction = "Anything"

func newAuditScreen(u *UI) *auditScreen {
	a := &auditScreen{u: u, status: quiet(""), filtErr: errLabel(), detail: newAuditDetail(),
		verified: wrapped("Verify chain checks every entry: none changed, added in between or taken away.")}
	a.from, a.to = u.newEntry("From YYYY-MM-DD"), u.newEntry("To YYYY-MM-DD")
	a.client, a.matter = u.newEntry("Client's name"), u.newEntry("Matter's title")
	for _, e := range []*entry{a.from, a.to, a.client, a.matter} {
		e.OnSubmitted = func(string) { a.reload() }
	}
	opts := []string{anyAction}
	for _, x := range app.AuditActions() {
		opts = append(opts, x.Words)
	}
	a.action = widget.NewSelect(opts, func(string) {})
	a.action.PlaceHolder = "What happened"
	a.who = widget.NewSelectEntry(nil)
	a.who.SetPlaceHolder("Who: a user's name")
	a.who.OnSubmitted = func(string) { a.reload() }
	if u.sess.CanDo(access.ListUsers) {
		s := u.sess
		run(u, func(ctx context.Context) ([]string, error) {
			us, err := s.ListUsers(ctx)
			var names []string
			for _, x := range us {
				names = append(names, x.Name)
			}
			return names, err
		}, func(names []string, err error) {
			if err == nil {
				a.who.SetOptions(names)
			}
		})
	}
	a.table = widget.NewTable(func() (int, int) { return len(a.entries), len(auditCols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(a.entries) {
				return
			}
			o.(*widget.Label).SetText(auditCell(&a.entries[id.Row], id.Col))
		})
	a.table.ShowHeaderRow = true
	a.table.CreateHeader = func() fyne.CanvasObject { return bold("") }
	a.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(auditCols) {
			o.(*widget.Label).SetText(auditCols[id.Col].title)
		}
	}
	a.table.OnSelected = func(id widget.TableCellID) {
		u.touch()
		if id.Row >= 0 && id.Row < len(a.entries) {
			a.detail.show(&a.entries[id.Row])
		}
	}
	a.fitColumns()
	apply := u.button("Apply filters", theme.SearchIcon(), a.reload)
	verify := u.button("Verify chain", theme.ConfirmIcon(), a.verify)
	export := u.button("Export CSV…", theme.DocumentSaveIcon(), a.export)
	filters := container.NewGridWithColumns(3, a.from, a.to, a.who, a.action, a.client, a.matter)
	top := container.NewVBox(
		container.NewBorder(nil, nil, heading("Audit trail"), container.NewHBox(verify, export)),
		a.verified,
		container.NewBorder(nil, nil, nil, apply, filters),
		a.filtErr,
		a.status,
	)
	split := container.NewVSplit(a.table, a.detail.obj)
	split.SetOffset(0.68)
	a.obj = container.NewPadded(container.NewBorder(top, nil, nil, nil, split))
	return a
}

func auditCell(e *app.AuditLine, col int) string {
	switch col {
	case 0:
		return human.Stamp(e.At)
	case 1:
		return e.Who
	case 2:
		return e.What
	}
	d := e.Detail
	if e.About != "" && !strings.HasSuffix(e.What, strings.TrimPrefix(strings.TrimPrefix(e.About, "Client "), "Matter ")) {
		d = strings.TrimSpace(e.About + ". " + d)
	}
	return firstLine(d)
}

// firstLine is s up to its first line break (the pane shows the rest).
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// fitColumns sizes each column to its widest cell (header included),
// between the column's floor and ceiling: nothing is cut off that fits.
func (a *auditScreen) fitColumns() {
	pad := 2*theme.Padding() + 2*theme.InnerPadding()
	a.widths = make([]float32, len(auditCols))
	for i, c := range auditCols {
		w := fyne.MeasureText(c.title, theme.TextSize(), fyne.TextStyle{Bold: true}).Width
		for j := range a.entries {
			w = max(w, fyne.MeasureText(auditCell(&a.entries[j], i), theme.TextSize(), fyne.TextStyle{}).Width)
		}
		a.widths[i] = min(max(w+pad, c.min), c.max)
	}
	// The last column (Details, whose full text is in the pane) ends at
	// the table's right edge: no cell is cut by the edge of the view.
	last := len(a.widths) - 1
	if avail := a.table.Size().Width - theme.ScrollBarSize() - theme.Padding(); avail > 0 {
		var used float32
		for _, w := range a.widths[:last] {
			used += w
		}
		a.widths[last] = max(auditCols[last].min, avail-used)
	}
	for i, w := range a.widths {
		a.table.SetColumnWidth(i, w)
	}
}

// auditDetail is the pane under the table: the selected entry in full, in
// words, with its technical form folded away.
type auditDetail struct {
	what, when, about, detail *widget.Label
	tech                      *widget.Label
	techA                     *widget.Accordion
	body                      fyne.CanvasObject
	empty                     *widget.Label
	obj                       fyne.CanvasObject
}

func newAuditDetail() *auditDetail {
	d := &auditDetail{what: bold(""), when: quiet(""), about: wrapped(""), detail: wrapped(""), tech: widget.NewLabel(""),
		empty: hint("Choose an entry to read it in full.")}
	d.what.Wrapping = fyne.TextWrapWord
	d.detail.Wrapping = fyne.TextWrapBreak
	d.tech.TextStyle = fyne.TextStyle{Monospace: true}
	d.tech.Wrapping = fyne.TextWrapBreak
	d.techA = widget.NewAccordion(widget.NewAccordionItem("Technical details", d.tech))
	d.body = container.NewVBox(d.what, d.when, d.about, d.detail, d.techA)
	d.body.Hide()
	d.obj = container.NewVScroll(container.NewPadded(container.NewStack(d.empty, d.body)))
	return d
}

func (d *auditDetail) show(e *app.AuditLine) {
	d.what.SetText(e.What)
	d.when.SetText(human.Stamp(e.At) + " by " + e.Who)
	setMsg(d.about, e.About)
	setMsg(d.detail, e.Detail)
	tech := fmt.Sprintf("Entry no. %d\nAction: %s", e.ID, e.Action)
	if e.Records != "" {
		tech += "\nRecords: " + e.Records
	}
	if e.RawDetail != "" {
		tech += "\nRecorded as: " + e.RawDetail
	}
	d.tech.SetText(tech)
	d.techA.CloseAll()
	d.empty.Hide()
	d.body.Show()
}

func (d *auditDetail) clear() {
	d.body.Hide()
	d.empty.Show()
}

// filter reads the filter fields; an error names the bad one.
func (a *auditScreen) filter() (app.AuditFilter, error) {
	var f app.AuditFilter
	var err error
	if f.From, err = parseDay("from", a.from.Text); err != nil { // as the report dialog's dates (reports.go)
		return f, err
	}
	if f.To, err = parseDay("to", a.to.Text); err != nil {
		return f, err
	}
	if !f.To.IsZero() {
		f.To = f.To.Add(24*time.Hour - time.Millisecond) // the whole day
	}
	if sel := a.action.Selected; sel != "" && sel != anyAction {
		for _, x := range app.AuditActions() {
			if x.Words == sel {
				f.Action = x.Code
			}
		}
	}
	f.Actor = strings.TrimSpace(a.who.Text)
	return f, nil
}

// resolveRecords finds the client and matter the fields name (by name or
// title, any case, among those this user can see): the store filters by
// id. pinnedClient/pinnedMatter: the record chosen from its page, whose
// name the field still shows.
func resolveRecords(ctx context.Context, s *app.Session, f *app.AuditFilter, client, matter string, pinnedClient, pinnedMatter int64) error {
	if client != "" {
		if pinnedClient != 0 {
			f.ClientID = pinnedClient
		} else {
			cs, err := s.ListClientSummaries(ctx, app.ByName)
			if err != nil {
				return err
			}
			id, err := onlyOne(cs, client, func(c *app.Client) (int64, string) { return c.ID, c.Name },
				"there is no client named %q: type the name as the client list shows it",
				"%d clients are named %q: open the one you mean and choose Audit trail on its page")
			if err != nil {
				return err
			}
			f.ClientID = id
		}
	}
	if matter != "" {
		if pinnedMatter != 0 {
			f.MatterID = pinnedMatter
			return nil
		}
		ms, err := s.ListMatters(ctx, f.ClientID, "")
		if err != nil {
			return err
		}
		id, err := onlyOne(ms, matter, func(m *app.Matter) (int64, string) { return m.ID, m.Title },
			"there is no matter titled %q: type the title as the matter list shows it",
			"%d matters are titled %q: open the one you mean and choose Audit trail on its page")
		if err != nil {
			return err
		}
		f.MatterID = id
	}
	return nil
}

// onlyOne is the id of the one record whose name (ignoring case and the
// spaces around it) is name; none (with %q for name) when there is no such
// record, many (with %d and %q) when there are several.
func onlyOne[T any](records []T, name string, idName func(T) (int64, string), none, many string) (int64, error) {
	var ids []int64
	for _, r := range records {
		if id, n := idName(r); strings.EqualFold(strings.TrimSpace(n), name) {
			ids = append(ids, id)
		}
	}
	switch len(ids) {
	case 0:
		return 0, fmt.Errorf(none, name)
	case 1:
		return ids[0], nil
	}
	return 0, fmt.Errorf(many, len(ids), name)
}

// filterRecord shows the audit trail of one client or matter (kind
// "client" or "matter"), from its page.
func (a *auditScreen) filterRecord(kind string, id int64, name string) {
	a.client.SetText("")
	a.matter.SetText("")
	a.clientID, a.matterID = 0, 0
	if kind == "client" {
		a.client.SetText(name)
		a.clientID, a.clientName = id, name
	} else {
		a.matter.SetText(name)
		a.matterID, a.matterName = id, name
	}
}

func (a *auditScreen) reload() {
	u, s := a.u, a.u.sess
	f, err := a.filter()
	if err != nil {
		setMsg(a.filtErr, err.Error())
		return
	}
	setMsg(a.filtErr, "")
	a.status.SetText("Loading…")
	client, matter := strings.TrimSpace(a.client.Text), strings.TrimSpace(a.matter.Text)
	type filtered struct {
		es  []app.AuditLine
		bad error // a filter naming no record
	}
	var pc, pm int64
	if a.clientID != 0 && strings.EqualFold(client, a.clientName) {
		pc = a.clientID
	}
	if a.matterID != 0 && strings.EqualFold(matter, a.matterName) {
		pm = a.matterID
	}
	run(u, func(ctx context.Context) (filtered, error) {
		if err := resolveRecords(ctx, s, &f, client, matter, pc, pm); err != nil {
			return filtered{bad: err}, nil
		}
		es, err := s.AuditView(ctx, f)
		return filtered{es: es}, err
	}, func(r filtered, err error) {
		if r.bad != nil {
			a.status.SetText("")
			setMsg(a.filtErr, human.Capitalize(r.bad.Error())+".")
			return
		}
		es := r.es
		if err != nil {
			a.status.SetText("The trail could not be read: " + app.Message(err))
			return
		}
		for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 { // newest first
			es[i], es[j] = es[j], es[i]
		}
		a.entries = es
		a.status.SetText(human.Count(len(es), "entry", "entries") + ", newest first. Choose one to read it in full.")
		a.table.UnselectAll()
		a.detail.clear()
		a.fitColumns()
		a.table.Refresh()
	})
}

func (a *auditScreen) verify() {
	u, s := a.u, a.u.sess
	a.verified.Importance = widget.MediumImportance
	a.verified.SetText("Verifying every entry…")
	run(u, func(ctx context.Context) (*app.AuditReport, error) {
		return s.AuditVerify(ctx)
	}, func(r *app.AuditReport, err error) {
		switch {
		case err != nil:
			a.verified.Importance = widget.DangerImportance
			a.verified.SetText("The chain could not be verified: " + app.Message(err))
		case r.OK:
			a.verified.Importance = widget.SuccessImportance
			what := "all " + human.Count(r.Entries, "entry", "entries") + " are"
			if r.Entries == 1 {
				what = "the one entry is"
			}
			a.verified.SetText(fmt.Sprintf("PASS: %s intact; nothing was changed, inserted or deleted.", what))
		default:
			a.verified.Importance = widget.DangerImportance
			a.verified.SetText(fmt.Sprintf("FAIL: %s. Keep this computer as it is and restore the trail from a backup to compare.", r.Problem))
		}
		a.verified.Refresh()
	})
}

func (a *auditScreen) export() {
	u := a.u
	f, err := a.filter()
	if err != nil {
		setMsg(a.filtErr, err.Error())
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		u.touch()
		if err != nil || w == nil {
			return
		}
		s := u.sess
		if s == nil {
			w.Close()
			return
		}
		run(u, func(ctx context.Context) (int, error) {
			n, err := s.ExportAuditCSV(ctx, f, w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			return n, err
		}, func(n int, err error) {
			if err != nil {
				dialog.ShowError(fmt.Errorf("the CSV was not written: %s", app.Message(err)), u.w)
				return
			}
			a.status.SetText(fmt.Sprintf("%s exported to %s", human.Count(n, "entry", "entries"), w.URI().Path()))
		})
	}, u.w)
	d.SetFileName("casevault-audit.csv")
	d.Show()
}
