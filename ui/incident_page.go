package ui

import (
	"context"
	"fmt"
	"io"
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
	"casevault/app/incident"
)

// This file: one incident's page on the Something happened screen: what
// happened and when, the lost drive (for a lost backup drive), the
// checklist (each step with why, a tick that records when and by whom, a
// note), the clients affected (chosen, or found on the lost drive) with
// a tick for each one told, Print notification pack, Close incident.

// incidentPage shows one incident.
type incidentPage struct {
	is    *incidentsScreen
	id    int64
	in    *app.Incident
	drive *app.Repository // a lost backup drive, as the vault knows it
	obj   fyne.CanvasObject
	box   *fyne.Container
	msg   *widget.Label
	seq   int

	steps    map[string]*stepRow // by step key (tests)
	notified map[int64]*widget.Check
	chooseB  *widget.Button
	packB    *widget.Button
	closeB   *widget.Button
	picker   *clientPicker // the Choose clients dialog, while open (tests)
}

// stepRow is one step of the checklist on the page.
type stepRow struct {
	check *widget.Check
	done  *widget.Label // "Done 2026-12-03 14:05 by Ann Lee"
	note  *entry
	saveB *widget.Button
}

func newIncidentPage(is *incidentsScreen, id int64) *incidentPage {
	p := &incidentPage{is: is, id: id, box: container.NewVBox(quiet("Loading…")), msg: errLabel()}
	p.obj = container.NewVScroll(container.NewPadded(container.NewVBox(p.msg, p.box)))
	return p
}

// load reads the incident and shows it.
func (p *incidentPage) load() {
	u := p.is.u
	s := u.sess
	p.seq++
	seq := p.seq
	type loaded struct {
		in    *app.Incident
		drive *app.Repository
	}
	run(u, func(ctx context.Context) (loaded, error) {
		in, err := s.Incident(ctx, p.id)
		if err != nil || in.RepoID == "" || !s.CanDo(access.ListBackups) {
			return loaded{in: in}, err
		}
		// The lost drive as the vault's backup records know it; a failure
		// to read them leaves the drive out, not the incident.
		repos, rerr := s.KnownRepositories(ctx)
		if rerr == nil {
			for i := range repos {
				if repos[i].RepoID == in.RepoID {
					return loaded{in, &repos[i]}, nil
				}
			}
		}
		return loaded{in: in}, nil
	}, func(l loaded, err error) {
		if seq != p.seq || p.is.page != p {
			return
		}
		if err != nil {
			setMsg(p.msg, "This incident could not be read: "+app.Message(err))
			return
		}
		p.in, p.drive = l.in, l.drive
		p.fill()
	})
}

// closed reports whether the incident is closed (nothing changes then).
func (p *incidentPage) closed() bool { return p.in != nil && !p.in.ClosedAt.IsZero() }

// fill lays the page out from p.in.
func (p *incidentPage) fill() {
	in := p.in
	// Notes typed but not saved yet stay as typed.
	typed := map[string]string{}
	for k, r := range p.steps {
		typed[k] = r.note.Text
	}
	p.steps = map[string]*stepRow{}
	p.closeB, p.packB, p.chooseB = nil, nil, nil
	p.notified = map[int64]*widget.Check{}
	state := "Open"
	if p.closed() {
		state = "Closed " + human.Time(in.ClosedAt) + " by " + oneLine(in.ClosedBy)
	}
	st := bold(state)
	if !p.closed() {
		st.Importance = widget.WarningImportance
	}
	objs := []fyne.CanvasObject{
		container.NewBorder(nil, nil, nil, st, heading(incidentLabel(in))),
		quiet("Happened " + happenedWords(in) + " · recorded " + human.Time(in.OpenedAt) + " by " + oneLine(in.OpenedBy)),
	}
	if strings.TrimSpace(in.Summary) != "" {
		sum := wrapped(human.Escape(human.Truncate(in.Summary, 4000)))
		objs = append(objs, sum)
	}
	if p.drive != nil {
		objs = append(objs, widget.NewSeparator(), bold("The lost drive: "+oneLine(human.Truncate(nameOf(*p.drive), 80))))
		objs = append(objs, driveDetails(*p.drive)...)
	}
	objs = append(objs, widget.NewSeparator(), heading("What to do now"))
	done := 0
	for _, s := range in.Steps {
		if !s.DoneAt.IsZero() {
			done++
		}
	}
	objs = append(objs, quiet(fmt.Sprintf("%d of %s done. Tick each step as you do it: the time is kept.", done, human.Count(len(in.Steps), "step", "steps"))))
	for i, s := range in.Steps {
		objs = append(objs, p.stepCard(i+1, s))
		if t, ok := typed[s.Key]; ok && t != s.Note && !p.closed() {
			p.steps[s.Key].note.SetText(t)
		}
	}
	objs = append(objs, widget.NewSeparator())
	objs = append(objs, p.clientsPart()...)
	objs = append(objs, widget.NewSeparator(), p.buttons())
	p.box.Objects = objs
	p.box.Refresh()
}

// nameOf is a drive's name: its label, or where the backups went.
func nameOf(r app.Repository) string {
	// A volume's label; a mount point ("/", "/media/usb") says less than
	// the folder itself.
	if v := strings.TrimSpace(r.Volume); v != "" && !strings.ContainsAny(v[:1], `/\`) && !strings.Contains(v, ":\\") {
		return v
	}
	return r.Target
}

// happenedWords says when an incident happened: a day, or a day and time.
func happenedWords(in *app.Incident) string {
	t := in.HappenedAt
	if t.IsZero() {
		return "at a time not given"
	}
	l := t.Local()
	if l.Hour() == 0 && l.Minute() == 0 {
		return "on " + human.Date(t)
	}
	return human.Time(t)
}

// stepCard is one step: its tick and text, why it matters, when it was
// done and by whom, and a note.
func (p *incidentPage) stepCard(n int, s app.IncidentStep) fyne.CanvasObject {
	u := p.is.u
	row := &stepRow{done: quiet(doneWords(s)), note: u.newEntry("Note (optional): what you did, whom you called")}
	row.note.SetText(s.Note)
	row.check = widget.NewCheck("", nil)
	row.check.Checked = !s.DoneAt.IsZero()
	row.check.OnChanged = func(on bool) { p.mark(s.Step, on, row) }
	row.saveB = u.button("Save note", theme.DocumentSaveIcon(), func() { p.mark(s.Step, row.check.Checked, row) })
	row.saveB.Disable()
	row.note.OnChanged = func(t string) {
		if t != p.stepNote(s.Key) {
			row.saveB.Enable()
		} else {
			row.saveB.Disable()
		}
	}
	submitOn(row.saveB, row.note)
	if p.closed() || !u.sess.CanDo(access.RecordIncident) {
		row.check.Disable()
		row.note.Disable()
	}
	p.steps[s.Key] = row
	text := wrapped(fmt.Sprintf("%d. %s", n, oneLine(s.Text)))
	text.TextStyle = fyne.TextStyle{Bold: true}
	lines := []fyne.CanvasObject{text}
	if s.Why != "" {
		lines = append(lines, hint("Why: "+oneLine(s.Why)))
	}
	// When it was done, and the note, on one line.
	if !p.closed() || s.Note != "" {
		lines = append(lines, container.NewBorder(nil, nil, row.done, row.saveB, row.note))
	} else {
		lines = append(lines, row.done)
	}
	return container.NewBorder(nil, nil, container.NewVBox(row.check), nil, container.NewVBox(lines...))
}

// stepNote is the note saved with a step.
func (p *incidentPage) stepNote(key string) string {
	for _, s := range p.in.Steps {
		if s.Key == key {
			return s.Note
		}
	}
	return ""
}

// doneWords says whether a step is done: "Done 2026-12-03 14:05 by Ann Lee".
func doneWords(s app.IncidentStep) string {
	if s.DoneAt.IsZero() {
		return "Not done yet."
	}
	return "Done " + human.Time(s.DoneAt) + " by " + oneLine(human.Truncate(s.DoneBy, 60))
}

// mark ticks or unticks a step (with its note), then shows the incident
// again as the vault has it.
func (p *incidentPage) mark(st incident.Step, done bool, row *stepRow) {
	u := p.is.u
	s := u.sess
	u.touch()
	note := row.note.Text
	row.check.Disable()
	row.saveB.Disable()
	run(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.MarkIncidentStep(ctx, p.id, st.Key, done, note)
	}, func(_ struct{}, err error) {
		if err != nil {
			setMsg(p.msg, fmt.Sprintf("“%s” was not recorded: %s", oneLine(st.Text), app.Message(err)))
		} else {
			setMsg(p.msg, "")
		}
		p.load()
		p.is.reload()
	})
}

// clientsPart lists the clients affected with a tick for each one told,
// and Choose clients… (not for a lost drive: those are the clients that
// were on it).
func (p *incidentPage) clientsPart() []fyne.CanvasObject {
	u := p.is.u
	in := p.in
	objs := []fyne.CanvasObject{heading("Clients affected")}
	if !u.sess.CanDo(access.ViewIncidents) {
		return append(objs, hint(u.deniedHint(access.ViewIncidents.Words)))
	}
	switch {
	case in.Kind == incident.LostBackup:
		objs = append(objs, hint("Every client whose data was in a backup on the lost drive."))
	default:
		objs = append(objs, hint("Choose the clients whose data may have been seen or lost, then tick each one as you tell them."))
	}
	if in.Kind != incident.LostBackup && !p.closed() {
		p.chooseB = u.button("Choose clients…", theme.AccountIcon(), p.chooseClients)
		objs = append(objs, container.NewHBox(p.chooseB))
	}
	if len(in.Affected) == 0 {
		return append(objs, quiet("None chosen."))
	}
	told := 0
	for _, c := range in.Affected {
		if !c.NotifiedAt.IsZero() {
			told++
		}
	}
	objs = append(objs, quiet(fmt.Sprintf("%s, %d told", human.Count(len(in.Affected), "client", "clients"), told)))
	for _, c := range in.Affected {
		c := c
		label := oneLine(human.Truncate(c.Label, 100))
		when := quiet("")
		if !c.NotifiedAt.IsZero() {
			when.SetText("told " + human.Time(c.NotifiedAt))
		}
		ck := widget.NewCheck("Told", nil)
		ck.Checked = !c.NotifiedAt.IsZero()
		ck.OnChanged = func(on bool) { p.notify(c, on) }
		if p.closed() || c.ClientID == 0 {
			ck.Disable()
		}
		p.notified[c.ClientID] = ck
		name := line(label, false)
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewHBox(when, ck), name))
	}
	return objs
}

// notify records that a client was told (or takes it back).
func (p *incidentPage) notify(c app.AffectedClient, on bool) {
	u := p.is.u
	s := u.sess
	u.touch()
	run(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.MarkNotified(ctx, p.id, c.ClientID, on)
	}, func(_ struct{}, err error) {
		if err != nil {
			setMsg(p.msg, "Not recorded: "+app.Message(err))
		}
		p.load()
	})
}

// buttons: Print notification pack and Close incident.
func (p *incidentPage) buttons() fyne.CanvasObject {
	u := p.is.u
	row := container.NewHBox()
	if u.sess.CanDo(access.IncidentLetters) {
		p.packB = u.button("Print notification pack", theme.DocumentPrintIcon(), p.printPack)
		row.Add(p.packB)
	}
	row.Add(layout.NewSpacer())
	if !p.closed() && u.sess.CanDo(access.RecordIncident) {
		p.closeB = u.button("Close incident…", theme.ConfirmIcon(), p.confirmClose)
		row.Add(p.closeB)
	}
	help := hint("The notification pack is a page to print: this record with the time of each step, the clients affected, " +
		"a letter to each one to adapt (ABA Formal Opinion 483 asks lawyers to tell clients of a breach), " +
		"and who opened each client's data.")
	if p.packB == nil {
		help = hint(u.deniedHint(access.IncidentLetters.Words))
	}
	return container.NewVBox(help, row)
}

// printPack opens the notification pack in the browser, to read or print.
func (p *incidentPage) printPack() {
	u := p.is.u
	s := u.sess
	u.touch()
	id := p.id
	u.printPage(func(ctx context.Context) (func(io.Writer) error, error) {
		pack, err := s.IncidentPack(ctx, id)
		if err != nil {
			return nil, err
		}
		return pack.WriteHTML, nil
	})
}

// confirmClose asks, then closes the incident.
func (p *incidentPage) confirmClose() {
	u := p.is.u
	s := u.sess
	left := 0
	for _, st := range p.in.Steps {
		if st.DoneAt.IsZero() {
			left++
		}
	}
	msg := "Close this incident? Its record stays, with every step and note; nothing can be ticked after."
	if left > 0 {
		msg = fmt.Sprintf("%s of the checklist %s not done. %s", human.Count(left, "step", "steps"), map[bool]string{true: "is", false: "are"}[left == 1], msg)
	}
	dialog.ShowConfirm("Close incident", msg, func(ok bool) {
		u.touch()
		if !ok {
			return
		}
		run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.CloseIncident(ctx, p.id) },
			func(_ struct{}, err error) {
				if err != nil {
					setMsg(p.msg, "The incident was not closed: "+app.Message(err))
					return
				}
				p.load()
				p.is.reload()
			})
	}, u.w)
}
