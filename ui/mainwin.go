package ui

import (
	"context"
	"fmt"
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

// Sidebar entries.
const (
	navClients = iota
	navMatters
	navConflicts
	navAudit
	navBackups
	navSettings
	navUsers
	navHistory
	navHelp
	navIntake
	navSecurity  // ui/checkup.go
	navRetention // ui/retention.go
	navIncidents // ui/incident.go
)

var navNames = []string{"Clients", "Matters", "Conflict check", "Audit trail", "Backups", "Settings", "Users", "Conflict checks", "Help", "Intake", "Security check", "Retention", "Something happened"}

// navIcon is called only once the Fyne app runs (theme icons need it).
func navIcon(id int) fyne.Resource {
	return []fyne.Resource{theme.AccountIcon(), theme.FolderIcon(), theme.WarningIcon(), theme.ListIcon(), theme.StorageIcon(),
		theme.SettingsIcon(), theme.GridIcon(), theme.HistoryIcon(), theme.HelpIcon(), theme.DocumentCreateIcon(),
		theme.ConfirmIcon(), theme.CalendarIcon(), theme.ErrorIcon()}[id]
}

// navFor is the sidebar of a user: Users only for who may manage users
// (the owner, or a role the owner gave users: edit); the others never see
// it. Intake, Audit trail and Backups only for roles that may see them.
func navFor(u *UI) []int {
	items := []int{navClients, navMatters, navConflicts}
	if u.can(access.Conflicts, access.Read) {
		items = append(items, navHistory)
	}
	if u.can(access.Intake, access.Read) {
		items = append(items, navIntake)
	}
	// What the role may not open at all is not offered (the app refuses
	// it all the same).
	if u.sess.CanDo(access.ListAudit) {
		items = append(items, navAudit)
	}
	if u.sess.CanDo(access.ListBackups) {
		items = append(items, navBackups)
	}
	if u.sess.CanDo(access.ViewRetention) {
		items = append(items, navRetention)
	}
	if u.sess.CanDo(access.RunCheckup) {
		items = append(items, navSecurity)
	}
	if u.sess.CanDo(access.RecordIncident) {
		items = append(items, navIncidents)
	}
	if u.can(access.Users, access.Edit) {
		items = append(items, navUsers)
	}
	return append(items, navSettings, navHelp)
}

// offers reports whether the sidebar has the entry id.
func (m *mainScreen) offers(id int) bool {
	for _, x := range m.items {
		if x == id {
			return true
		}
	}
	return false
}

// mainScreen is the unlocked window: sidebar, search, lock, the backup
// reminder banner, content.
type mainScreen struct {
	u       *UI
	obj     fyne.CanvasObject
	nav     *widget.List
	items   []int // the sidebar's entries (navFor)
	navSel  int   // last sidebar entry shown
	showing int   // what the content shows now: a sidebar entry, or -1 for search results
	search  *entry
	lockB   *widget.Button
	content *fyne.Container
	banner  *backupBanner  // backups.go
	bstatus *widget.Label  // "Backing up… 45%" while a backup runs
	docNote *widget.Button // "Saved version 3 of …" (documents_actions.go)
	docPick *docPickDialog // where dropped files go, while asked (tests)

	clients   *clientsScreen
	matters   *mattersScreen
	conflicts *conflictScreen
	audit     *auditScreen
	backups   *backupsScreen
	settings  *settingsScreen
	users     *usersScreen
	history   *historyScreen
	help      *helpScreen
	intake    *intakeQueue // the Intake screen's Submissions tab (intake_queue.go)
	results   *searchScreen
	intakeS   *intakeScreen    // ui/intake.go
	checkup   *checkupScreen   // ui/checkup.go
	retention *retentionScreen // ui/retention.go
	incidents *incidentsScreen // ui/incident.go
	intakeNew int              // new submissions: the Intake entry's badge
	searchSeq int
	// searchAt is the last change of the search field; searchOpen: its
	// searches since the last settle are not recorded yet
	// (app.Session.SearchAsYouType, settleSearch).
	searchAt   time.Time
	searchOpen bool
}

// DefaultSearchSettle is how long the search field stays untouched before
// the search is recorded in the audit trail (Options.SearchSettle).
const DefaultSearchSettle = 2 * time.Second

// settleSearch records the searches typed since the last settle as one
// audit entry (app.Session.SettleSearch): the typing paused, the field was
// cleared, the results were left or one was opened. Locking records it
// too (app.Session.Close).
func (m *mainScreen) settleSearch() { m.settleSearchThen(nil) }

// settleSearchThen settles the search, then runs next (when not nil) on
// the UI goroutine: at once when there is nothing to settle, else once the
// search is recorded, so that what next records (opening a result) comes
// after it in the audit trail.
func (m *mainScreen) settleSearchThen(next func()) {
	u := m.u
	if !m.searchOpen || u.sess == nil {
		if next != nil {
			next()
		}
		return
	}
	m.searchOpen = false
	s := u.sess
	run(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.SettleSearch(ctx)
	}, func(_ struct{}, err error) {
		if err != nil && u.main == m {
			dialog.ShowError(fmt.Errorf("the search could not be recorded in the audit trail: %s", app.Message(err)), u.w)
		}
		if next != nil && u.main == m {
			next()
		}
	})
}

// searchTick settles the search once the field has stayed untouched for
// the settle time.
func (m *mainScreen) searchTick(now time.Time) {
	settle := m.u.opts.SearchSettle
	if settle <= 0 {
		settle = DefaultSearchSettle
	}
	if m.searchOpen && (now.Sub(m.searchAt) >= settle || now.Before(m.searchAt)) {
		m.settleSearch()
	}
}

func newMainScreen(u *UI) *mainScreen {
	m := &mainScreen{u: u, content: container.NewStack(), navSel: -1, showing: -1}
	m.items = navFor(u)
	m.nav = widget.NewList(func() int { return len(m.items) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.AccountIcon()), widget.NewLabel("Conflict check"), newBadge())
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Icon).SetResource(navIcon(m.items[id]))
			c.Objects[1].(*widget.Label).SetText(navNames[m.items[id]])
			n := 0
			if m.items[id] == navIntake {
				n = m.intakeNew
			}
			c.Objects[2].(*badge).set(n)
		})
	m.nav.OnSelected = func(i widget.ListItemID) {
		u.touch()
		if id := m.items[i]; id != m.showing {
			m.show(id)
		}
	}
	m.search = u.newEntry(searchPlaceholder(u))
	m.search.OnChanged = func(string) { m.searchChanged() }
	m.lockB = u.button("Lock", theme.LogoutIcon(), func() { u.lockNow("") })
	m.lockB.Importance = widget.WarningImportance
	m.bstatus = quiet("")
	m.bstatus.Hide()
	m.docNote = widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), nil)
	m.docNote.Importance = widget.LowImportance
	m.docNote.Hide()
	top := container.NewBorder(nil, nil, bold("casevault"), container.NewHBox(m.bstatus, m.docNote, quiet(whoLabel(u.sess.User())), quiet("Ctrl+L"), m.lockB), m.search)
	m.banner = newBackupBanner(u)
	// The banner at the foot of the sidebar, whose width is fixed: it
	// coming and going moves nothing (backups_banner.go).
	side := container.NewBorder(nil, nil, nil, widget.NewSeparator(),
		container.NewStack(&widthBox{width: sideWidth}, container.NewBorder(nil, m.banner.obj, nil, nil, m.nav)))
	// Client intake's banner above everything while it runs (intake_start.go).
	m.obj = container.NewBorder(container.NewVBox(u.newIntakeBanner(), top, widget.NewSeparator()), nil, side, nil, m.content)
	u.bannerAt = u.now()
	u.jobs.DeferTick(u.now())
	m.banner.refresh()
	return m
}

// show switches the content to a sidebar entry.
func (m *mainScreen) show(id int) {
	u := m.u
	m.settleSearch() // the results are left (or were not showing)
	m.navSel, m.showing = id, id
	for i, x := range m.items {
		if x == id {
			m.nav.Select(i)
		}
	}
	var o fyne.CanvasObject
	switch id {
	case navClients:
		if m.clients == nil {
			m.clients = newClientsScreen(u)
		}
		o = m.clients.obj
	case navMatters:
		if m.matters == nil {
			m.matters = newMattersScreen(u)
		}
		o = m.matters.obj
	case navConflicts:
		if m.conflicts == nil {
			m.conflicts = newConflictScreen(u)
		}
		o = m.conflicts.obj
	case navAudit:
		if m.audit == nil {
			m.audit = newAuditScreen(u)
		}
		m.audit.reload()
		o = m.audit.obj
	case navBackups:
		m.backups = newBackupsScreen(u)
		u.showBackupStatus()
		o = m.backups.obj
	case navSettings:
		m.settings = newSettingsScreen(u)
		o = m.settings.obj
	case navUsers:
		if !u.can(access.Users, access.Edit) {
			return
		}
		m.users = newUsersScreen(u)
		o = m.users.obj
	case navHistory:
		if m.history == nil {
			m.history = newHistoryScreen(u)
		} else {
			m.history.reload()
		}
		o = m.history.obj
	case navHelp:
		if m.help == nil {
			m.help = newHelpScreen(u)
		}
		o = m.help.obj
	case navIntake:
		o = m.showIntakeScreen()
	case navSecurity:
		o = m.showCheckup()
	case navRetention:
		m.retention = newRetentionScreen(u)
		o = m.retention.obj
	case navIncidents:
		o = m.showIncidents()
	}
	m.content.Objects = []fyne.CanvasObject{o}
	m.content.Refresh()
}

// showClient opens a client's detail in the Clients screen.
func (m *mainScreen) showClient(id int64) {
	m.show(navClients)
	m.clients.open(id)
}

// showAuditOf shows the audit trail of one client or matter (kind
// "client" or "matter").
func (m *mainScreen) showAuditOf(kind string, id int64, name string) {
	if m.audit == nil {
		m.audit = newAuditScreen(m.u)
	}
	m.audit.filterRecord(kind, id, name)
	m.show(navAudit)
}

// showMatter opens a matter's detail in the Matters screen.
func (m *mainScreen) showMatter(id int64) {
	m.show(navMatters)
	m.matters.open(id)
}

// searchScreen lists search hits as the person types.
type searchScreen struct {
	hits  []app.SearchHit
	list  *widget.List
	title *widget.Label
	obj   fyne.CanvasObject
}

func (m *mainScreen) searchChanged() {
	u := m.u
	q := m.search.Text
	m.searchSeq++
	seq := m.searchSeq
	if q == "" {
		m.settleSearch()
		if m.navSel >= 0 {
			m.show(m.navSel)
		}
		return
	}
	m.searchAt, m.searchOpen = u.now(), true
	if m.results == nil {
		r := &searchScreen{title: bold("")}
		r.list = widget.NewList(func() int { return len(r.hits) },
			func() fyne.CanvasObject { return newRows(2) },
			func(id widget.ListItemID, o fyne.CanvasObject) {
				if id < len(r.hits) {
					setRows(o.(*widget.RichText), hitRows(r.hits[id])...)
				}
			})
		r.list.OnSelected = func(id widget.ListItemID) {
			u.touch()
			h := r.hits[id]
			r.list.UnselectAll()
			// The search is recorded before the record's own entry.
			m.settleSearchThen(func() {
				m.search.SetText("")
				if h.Kind == "document" {
					m.showDocument(app.DocumentInfo{ID: h.DocumentID, ClientID: h.ClientID, MatterID: h.MatterID})
				} else if opensMatter(h) {
					m.showMatter(h.MatterID)
				} else {
					m.showClient(h.ClientID)
				}
			})
		}
		r.obj = container.NewBorder(r.title, nil, nil, nil, r.list)
		m.results = r
	}
	m.showing = -1
	m.content.Objects = []fyne.CanvasObject{m.results.obj}
	m.content.Refresh()
	m.nav.UnselectAll()
	s := u.sess
	run(u, func(ctx context.Context) ([]app.SearchHit, error) {
		return s.SearchAsYouType(ctx, q, 100)
	}, func(hits []app.SearchHit, err error) {
		if err == nil && u.main == m {
			// A search that ended after a settle starts the next burst:
			// the next tick records it (or the lock does).
			m.searchOpen = true
		}
		if seq != m.searchSeq || u.main != m {
			return
		}
		r := m.results
		switch {
		case err != nil:
			r.title.SetText("Search failed: " + app.Message(err))
			hits = nil
		case len(hits) == 0:
			r.title.SetText(fmt.Sprintf("Nothing matches %q.", q))
		case len(hits) == 1:
			r.title.SetText(fmt.Sprintf("1 result for %q — click it to open it", q))
		default:
			r.title.SetText(fmt.Sprintf("%s for %q — click one to open it", human.Count(len(hits), "result", "results"), q))
		}
		r.hits = hits
		r.list.Refresh()
	})
}

// searchPlaceholder is what the search field says it finds: documents
// too for a role that may see them.
func searchPlaceholder(u *UI) string {
	if u.canSeeDocuments() {
		return "Search clients, matters, parties, notes and documents (Ctrl+F)"
	}
	return "Search clients, matters, parties and notes (Ctrl+F)"
}

// opensMatter reports whether a search hit opens its matter (a matter, a
// note, a party) rather than its client.
func opensMatter(h app.SearchHit) bool {
	switch h.Kind {
	case "matter", "note", "party", "party_alias":
		return h.MatterID != 0
	}
	return false
}

// hitRows is a search hit in two lines: what it is and its name; the text
// that matched, the match in bold (snippetParts).
// A party's hit names the party and its matter; a hit found through a
// corrected word says so ("close spelling").
func hitRows(h app.SearchHit) [][]part {
	first := []part{strong(kindLabel(h.Kind) + ": "), plain(h.Title)}
	switch h.Kind {
	case "party", "party_alias":
		label := app.PartyRoleLabel(h.Role)
		if label == "" {
			label = kindLabel(h.Kind)
		}
		if h.Kind == "party_alias" && h.Field != "" {
			label += " (" + h.Field + ")"
		}
		first = []part{strong(label + ": "), plain(h.Name), low(" · matter “" + h.Title + "”")}
	case "matter":
		if h.Field == "number" {
			first[0] = strong("Matter (number): ")
		}
	case "document":
		// The file's name, then the matter or client it is in; a hit in
		// the text says so.
		label := "Document: "
		if h.Field == "text" {
			label = "Document (text): "
		}
		where := "client"
		if h.MatterID != 0 {
			where = "matter"
		}
		first = []part{strong(label), plain(human.Truncate(h.Name, 120)), low(" · " + where + " “" + human.Truncate(h.Title, 80) + "”")}
	}
	if h.Fuzzy {
		first = append(first, low(" · close spelling"))
	}
	return [][]part{first, snippetParts(h.Snippet, widget.LowImportance)}
}

func kindLabel(k string) string {
	switch k {
	case "client":
		return "Client"
	case "alias":
		return "Client (other name)"
	case "matter":
		return "Matter"
	case "note":
		return "Note"
	case "party":
		return "Party"
	case "party_alias":
		return "Party (other name)"
	case "document":
		return "Document"
	}
	return k
}
