package ui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/incident"
)

// This file: the "Something happened" screen (issue 14): a lost laptop or
// backup drive, a break-in, ransomware, a letter sent to the wrong person.
// On the left the incidents recorded, open ones first, and **Record what
// happened…**; on the right the form that starts one (big plain choices,
// when, a few words, for a lost backup drive which drive and the clients
// whose data was on it) or an incident's page: its checklist with the time
// each step was done, the clients affected, the notification pack, closing
// it (incident_page.go).

// incidentsScreen is the Something happened screen.
type incidentsScreen struct {
	u     *UI
	obj   fyne.CanvasObject
	list  *widget.List
	all   []*app.Incident // open ones first, then the newest
	count *widget.Label
	newB  *widget.Button
	right *fyne.Container
	start *incidentStart // the form, while it shows
	page  *incidentPage  // an incident's page, while it shows
	seq   int
}

func newIncidentsScreen(u *UI) *incidentsScreen {
	is := &incidentsScreen{u: u, count: quiet(""), right: container.NewStack()}
	is.list = widget.NewList(func() int { return len(is.all) },
		func() fyne.CanvasObject { return newRows(2) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(is.all) {
				setRows(o.(*widget.RichText), incidentLines(is.all[id])...)
			}
		})
	is.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		if id < len(is.all) && (is.page == nil || is.page.id != is.all[id].ID) {
			is.open(is.all[id].ID)
		}
	}
	is.newB = u.button("Record what happened…", theme.ContentAddIcon(), is.showStart)
	is.newB.Importance = widget.HighImportance
	left := container.NewBorder(container.NewVBox(is.newB, is.count), nil, nil, nil, is.list)
	split := container.NewHSplit(left, is.right)
	split.Offset = 0.3
	is.obj = split
	return is
}

// incidentLines is an incident in the list: what happened and whether it
// is open; when it was recorded and how far its checklist is.
func incidentLines(in *app.Incident) [][]part {
	state := low(" · open")
	if !in.ClosedAt.IsZero() {
		state = low(" · closed " + human.Date(in.ClosedAt))
	}
	done := 0
	for _, st := range in.Steps {
		if !st.DoneAt.IsZero() {
			done++
		}
	}
	return [][]part{
		{strong(incidentLabel(in)), state},
		{low(fmt.Sprintf("Recorded %s by %s · %d of %s done", human.Time(in.OpenedAt), oneLine(human.Truncate(in.OpenedBy, 60)),
			done, human.Count(len(in.Steps), "step", "steps")))},
	}
}

// incidentLabel is the kind of an incident in words.
func incidentLabel(in *app.Incident) string {
	if in.Label != "" {
		return in.Label
	}
	return in.Kind.Label()
}

// reload reads the incidents again; then shows the form (none recorded
// yet) or keeps what the right side shows.
func (is *incidentsScreen) reload() {
	u := is.u
	s := u.sess
	is.seq++
	seq := is.seq
	run(u, func(ctx context.Context) ([]*app.Incident, error) { return s.Incidents(ctx) },
		func(all []*app.Incident, err error) {
			if seq != is.seq {
				return
			}
			if err != nil {
				is.count.SetText("The incidents could not be read: " + app.Message(err))
				return
			}
			sortIncidents(all)
			is.all = all
			open := 0
			for _, in := range all {
				if in.ClosedAt.IsZero() {
					open++
				}
			}
			switch {
			case len(all) == 0:
				is.count.SetText("Nothing recorded yet.")
			default:
				is.count.SetText(fmt.Sprintf("%s, %d open", human.Count(len(all), "incident", "incidents"), open))
			}
			is.list.Refresh()
			is.reselect()
			if is.page == nil && is.start == nil {
				if open > 0 {
					is.open(is.firstOpen())
				} else {
					is.showStart()
				}
			}
		})
}

// sortIncidents puts the open incidents first, then the newest first.
func sortIncidents(all []*app.Incident) {
	slices.SortStableFunc(all, func(a, b *app.Incident) int {
		ao, bo := a.ClosedAt.IsZero(), b.ClosedAt.IsZero()
		if ao != bo {
			if ao {
				return -1
			}
			return 1
		}
		if c := b.OpenedAt.Compare(a.OpenedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

func (is *incidentsScreen) firstOpen() int64 {
	for _, in := range is.all {
		if in.ClosedAt.IsZero() {
			return in.ID
		}
	}
	return 0
}

// reselect marks the incident shown in the list.
func (is *incidentsScreen) reselect() {
	if is.page == nil {
		is.list.UnselectAll()
		return
	}
	for i, in := range is.all {
		if in.ID == is.page.id {
			is.list.Select(i)
			return
		}
	}
}

func (is *incidentsScreen) setRight(o fyne.CanvasObject) {
	is.right.Objects = []fyne.CanvasObject{o}
	is.right.Refresh()
}

// showStart shows the form that records a new incident.
func (is *incidentsScreen) showStart() {
	is.u.touch()
	is.page = nil
	is.list.UnselectAll()
	is.start = newIncidentStart(is)
	is.setRight(is.start.obj)
}

// open shows an incident's page.
func (is *incidentsScreen) open(id int64) {
	is.start = nil
	is.page = newIncidentPage(is, id)
	is.setRight(is.page.obj)
	is.reselect()
	is.page.load()
}

// incidentStart is the form that records what happened.
type incidentStart struct {
	is      *incidentsScreen
	obj     fyne.CanvasObject
	kind    incident.Kind
	kinds   map[incident.Kind]*widget.Button
	details *fyne.Container // shown once a kind is chosen
	date    *entry
	clock   *entry
	summary *entry
	drives  *fyne.Container // lost backup drive: the drives to choose from
	exposed *fyne.Container // the clients on the drive chosen
	repos   []app.Repository
	repoID  string
	driveGp *widget.RadioGroup
	errMsg  *widget.Label
	startB  *widget.Button
	seq     int
}

// newIncidentStart makes the form: the kinds as big buttons, then when,
// what, and for a lost backup drive which one.
func newIncidentStart(is *incidentsScreen) *incidentStart {
	u := is.u
	f := &incidentStart{is: is, kinds: map[incident.Kind]*widget.Button{}, errMsg: errLabel(),
		drives: container.NewVBox(), exposed: container.NewVBox()}
	grid := container.NewGridWithColumns(2)
	for _, k := range incident.Kinds() {
		k := k
		b := u.button(k.Label(), kindIcon(k), func() { f.choose(k) })
		b.Alignment = widget.ButtonAlignLeading
		f.kinds[k] = b
		grid.Add(container.NewStack(&minBox{h: 52}, b))
	}
	f.date = u.newEntry("YYYY-MM-DD")
	f.date.SetText(human.Date(u.now()))
	f.clock = u.newEntry("HH:MM (if you know)")
	f.summary = u.newMultiLine("What happened, in a few words: where, what was on it, who noticed")
	f.summary.SetMinRowsVisible(3)
	f.startB = u.button("Start the checklist", theme.ConfirmIcon(), f.submit)
	f.startB.Importance = widget.HighImportance
	cancel := u.button("Cancel", theme.CancelIcon(), func() {
		is.start = nil
		if id := is.firstOpen(); id != 0 {
			is.open(id)
		} else {
			is.setRight(container.NewPadded(wrapped("Nothing is being recorded. Choose Record what happened… when something happens.")))
		}
	})
	when := container.New(layout.NewFormLayout(),
		bold("Day"), f.date,
		bold("Time"), container.NewGridWrap(fyne.NewSize(180, f.clock.MinSize().Height), f.clock))
	f.details = container.NewVBox(
		widget.NewSeparator(),
		bold("When did it happen, or when did you notice?"), when,
		bold("In a few words"), f.summary,
		hint("Leave clients' names out of it: the clients affected are chosen on the next page."),
		f.drives, f.exposed,
		f.errMsg,
		container.NewHBox(cancel, layout.NewSpacer(), f.startB),
	)
	f.details.Hide()
	body := container.NewVBox(
		heading("What happened?"),
		wrapped("Choose what is closest. casevault then shows what to do now, step by step, and keeps a record "+
			"with the time each step was done. Take a breath: most of this can be put right."),
		grid,
		f.details,
	)
	if !u.sess.CanDo(access.RecordIncident) {
		for _, b := range f.kinds {
			b.Disable()
		}
		body.Add(hint(u.deniedHint(access.RecordIncident.Words)))
	}
	f.obj = container.NewVScroll(container.NewPadded(body))
	return f
}

// kindIcon is the icon of a kind of incident.
func kindIcon(k incident.Kind) fyne.Resource {
	switch k {
	case incident.LostLaptop:
		return theme.ComputerIcon()
	case incident.LostBackup:
		return theme.StorageIcon()
	case incident.BreakIn:
		return theme.VisibilityIcon()
	case incident.Ransomware:
		return theme.ErrorIcon()
	case incident.Disclosure:
		return theme.MailSendIcon()
	}
	return theme.QuestionIcon()
}

// choose marks a kind chosen and shows the rest of the form.
func (f *incidentStart) choose(k incident.Kind) {
	f.is.u.touch()
	f.kind = k
	for kk, b := range f.kinds {
		if kk == k {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
	setMsg(f.errMsg, "")
	f.drives.Objects, f.exposed.Objects = nil, nil
	f.repoID = ""
	if k == incident.LostBackup {
		f.loadDrives()
	}
	f.drives.Refresh()
	f.exposed.Refresh()
	f.details.Show()
}

// loadDrives lists the backup drives the vault knows, to choose the one
// lost.
func (f *incidentStart) loadDrives() {
	u := f.is.u
	s := u.sess
	if !s.CanDo(access.ListBackups) {
		f.drives.Objects = []fyne.CanvasObject{bold("Which backup drive?"), hint(u.deniedHint(access.ListBackups.Words) +
			" The owner can say which clients were on it.")}
		return
	}
	f.drives.Objects = []fyne.CanvasObject{bold("Which backup drive?"), quiet("Reading the backups this vault made…")}
	f.seq++
	seq := f.seq
	run(u, func(ctx context.Context) ([]app.Repository, error) { return s.KnownRepositories(ctx) },
		func(repos []app.Repository, err error) {
			if seq != f.seq || f.kind != incident.LostBackup {
				return
			}
			f.repos = repos
			objs := []fyne.CanvasObject{bold("Which backup drive?")}
			switch {
			case err != nil:
				objs = append(objs, wrapped("The backups could not be read: "+app.Message(err)))
			case len(repos) == 0:
				objs = append(objs, wrapped("This vault has no record of a backup made to a drive, so no client's data "+
					"can be on a lost one from here. Say in a few words what the drive held."))
			default:
				var opts []string
				for _, r := range repos {
					opts = append(opts, driveName(r))
				}
				f.driveGp = widget.NewRadioGroup(opts, func(string) {
					i := slices.Index(opts, f.driveGp.Selected)
					if i >= 0 {
						f.pickDrive(repos[i])
					}
				})
				objs = append(objs, hint("The drives this vault has backed up to. Choose the one that is lost."), f.driveGp)
			}
			f.drives.Objects = objs
			f.drives.Refresh()
		})
}

// driveName is a backup drive in a few words: its name (the volume's
// label), or where the backups went.
func driveName(r app.Repository) string {
	name := oneLine(human.Truncate(nameOf(r), 80))
	if r.SystemDisk {
		name += " (this laptop's own disk)"
	}
	last := "never backed up"
	if !r.Last.IsZero() {
		last = "last backup " + human.Time(r.Last)
	}
	return name + " — " + last
}

// protectionWords says whether a backup drive's data was protected and
// what could open it, in plain words.
func protectionWords(r app.Repository) string {
	opens := "Which passphrases could open it was not recorded."
	if len(r.Slots) > 0 {
		var ss []string
		for _, s := range r.Slots {
			ss = append(ss, oneLine(human.Truncate(s, 80)))
		}
		opens = "It could be opened only with " + joinAnd(ss) + "."
	}
	return "Was it protected: yes, encrypted. Without a passphrase or the recovery key it is unreadable. " + opens
}

// driveDetails is what the window says about a drive: where it was, how
// many backups it held, how it was protected; the folder and id under
// Technical details.
func driveDetails(r app.Repository) []fyne.CanvasObject {
	held := fmt.Sprintf("It held %s, from %s to %s.", human.Count(r.Snapshots, "backup", "backups"), human.Date(r.First), human.Date(r.Last))
	if r.Snapshots == 0 {
		held = "The vault has no record of a backup on it."
	}
	objs := []fyne.CanvasObject{wrapped(held), wrapped(protectionWords(r))}
	if r.SystemDisk {
		objs = append(objs, wrapped("These backups were on the laptop's own disk: they went wherever the laptop went."))
	}
	if r.Present {
		objs = append(objs, hint("This drive is plugged in now: check it is really the one that is lost."))
	}
	tech := wrapped(fmt.Sprintf("Folder: %s\nRepository: %s", oneLine(r.Target), oneLine(r.RepoID)))
	objs = append(objs, widget.NewAccordion(widget.NewAccordionItem("Technical details", tech)))
	return objs
}

// pickDrive shows the drive chosen and the clients whose data was on it.
func (f *incidentStart) pickDrive(r app.Repository) {
	u := f.is.u
	s := u.sess
	u.touch()
	f.repoID = r.RepoID
	f.exposed.Objects = append(driveDetails(r), quiet("Finding the clients whose data was on it…"))
	f.exposed.Refresh()
	if !s.CanDo(access.ViewIncidents) {
		f.exposed.Objects = append(driveDetails(r), hint(u.deniedHint(access.ViewIncidents.Words)))
		f.exposed.Refresh()
		return
	}
	f.seq++
	seq := f.seq
	run(u, func(ctx context.Context) ([]app.ExposedClient, error) { return s.ClientsOnRepository(ctx, r.RepoID) },
		func(cs []app.ExposedClient, err error) {
			if seq != f.seq || f.repoID != r.RepoID {
				return
			}
			objs := driveDetails(r)
			if err != nil {
				objs = append(objs, wrapped("The clients on it could not be found: "+app.Message(err)))
			} else {
				objs = append(objs, exposedPart(cs)...)
			}
			f.exposed.Objects = objs
			f.exposed.Refresh()
		})
}

// exposedPart lists the clients whose data was on a drive.
func exposedPart(cs []app.ExposedClient) []fyne.CanvasObject {
	if len(cs) == 0 {
		return []fyne.CanvasObject{bold("Clients whose data was on it"), wrapped("None: no backup on it held a client's data.")}
	}
	rows := container.NewVBox()
	for _, c := range cs {
		rows.Add(line(exposedLine(c), false))
	}
	var list fyne.CanvasObject = rows
	if len(cs) > 8 {
		sc := container.NewVScroll(rows)
		sc.SetMinSize(fyne.NewSize(0, 240))
		list = sc
	}
	return []fyne.CanvasObject{
		bold(fmt.Sprintf("Clients whose data was on it (%d)", len(cs))),
		hint("Every client in a backup on this drive. The checklist that follows helps you tell them."),
		list,
	}
}

// exposedLine is one client on a lost drive, with the backups it was in.
func exposedLine(c app.ExposedClient) string {
	s := oneLine(human.Truncate(c.Label, 80))
	if c.Destroyed && c.Register != "" && !strings.Contains(c.Label, c.Register) {
		s += " (file destroyed, " + oneLine(c.Register) + ")"
	}
	if c.Snapshots > 0 {
		s += fmt.Sprintf(" · in %s, %s to %s", human.Count(c.Snapshots, "backup", "backups"), human.Date(c.First), human.Date(c.Last))
	}
	return s
}

// shownError is a message the window shows as it is, beginning with the
// field it is about ("Day: ...").
type shownError string

func (e shownError) Error() string { return string(e) }

// when reads the day and time typed.
func (f *incidentStart) when() (time.Time, error) {
	day, err := human.ParseDate(f.date.Text)
	if err != nil {
		return time.Time{}, shownError(fmt.Sprintf("Day: %s", app.Message(err)))
	}
	if c := strings.TrimSpace(f.clock.Text); c != "" {
		t, err := time.Parse("15:04", c)
		if err != nil {
			return time.Time{}, shownError(fmt.Sprintf("Time: %q is not a time of day: write it as HH:MM, for example 14:30, or leave it empty", c))
		}
		day = day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
	}
	if day.After(f.is.u.now()) {
		return time.Time{}, fmt.Errorf("%s is in the future: give the day it happened, or today's", human.Time(day))
	}
	return day, nil
}

// submit records the incident and opens its checklist.
func (f *incidentStart) submit() {
	u := f.is.u
	s := u.sess
	u.touch()
	if f.kind == "" {
		setMsg(f.errMsg, "Choose what happened first.")
		return
	}
	at, err := f.when()
	if err != nil {
		setMsg(f.errMsg, err.Error())
		return
	}
	if f.kind == incident.LostBackup && f.repoID == "" && len(f.repos) > 0 {
		setMsg(f.errMsg, "Choose which backup drive is lost.")
		return
	}
	setMsg(f.errMsg, "")
	in := app.IncidentInput{Kind: f.kind, HappenedAt: at, Summary: strings.TrimSpace(f.summary.Text), RepoID: f.repoID}
	f.startB.Disable()
	run(u, func(ctx context.Context) (int64, error) { return s.StartIncident(ctx, in) },
		func(id int64, err error) {
			f.startB.Enable()
			if err != nil {
				setMsg(f.errMsg, "Nothing was recorded: "+app.Message(err))
				return
			}
			f.is.open(id)
			f.is.reload()
		})
}

// minBox is an invisible object with a minimum size (a taller button).
type minBox struct {
	widget.BaseWidget
	w, h float32
}

func (b *minBox) MinSize() fyne.Size { return fyne.NewSize(b.w, b.h) }
func (b *minBox) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	return widget.NewSimpleRenderer(layout.NewSpacer())
}

// showIncidents opens the Something happened screen.
func (m *mainScreen) showIncidents() fyne.CanvasObject {
	if m.incidents == nil {
		m.incidents = newIncidentsScreen(m.u)
	}
	m.incidents.reload()
	return m.incidents.obj
}
