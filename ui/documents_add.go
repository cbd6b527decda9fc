package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// This file: adding documents. Add files… and Add folder… on a Documents
// tab, and files or folders dropped on the window (to the matter or client
// shown; else a dialog asks which). One add runs at a time, one file
// after the other, in a dialog with its progress and a Stop button; a file
// whose name is already there asks (new version, keep both, cancel). At
// the end one message says what was added and what was not, and why.

// pickFile asks for a file (folder false) or a folder to add, through
// Fyne's dialogs, or Options.pickPath in tests.
func (u *UI) pickFile(folder bool, chosen func(path string)) {
	if u.opts.pickPath != nil {
		if p := u.opts.pickPath(folder); p != "" {
			chosen(p)
		}
		return
	}
	if folder {
		fd := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			u.touch()
			if err == nil && l != nil {
				chosen(l.Path())
			}
		}, u.w)
		fd.Resize(fyne.NewSize(900, 600))
		fd.Show()
		return
	}
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		u.touch()
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close() // the app reads the file itself, checking it does not change meanwhile
		chosen(path)
	}, u.w)
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

func (p *docsPane) addFiles() {
	p.u.pickFile(false, func(path string) { p.u.addPaths(p.t, p.title, []string{path}) })
}

func (p *docsPane) addFolder() {
	p.u.pickFile(true, func(path string) { p.u.addPaths(p.t, p.title, []string{path}) })
}

// dropped takes the files and folders dropped on the window: to the
// matter or the client shown, else a dialog asks where they go.
func (u *UI) dropped(_ fyne.Position, uris []fyne.URI) {
	u.touch()
	if u.sess == nil || u.main == nil {
		return // the unlock screen: nothing is added to a locked vault
	}
	var paths []string
	for _, x := range uris {
		if x != nil && x.Scheme() == "file" && x.Path() != "" {
			paths = append(paths, x.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	if !u.sess.CanDo(access.AddDocuments) {
		u.showText("Nothing was added", u.deniedHint(access.AddDocuments.Words))
		return
	}
	if u.docJob != nil {
		u.showText("Nothing was added", "Documents are being added already: drop these once that has finished.")
		return
	}
	if t, title, ok := u.main.shownTarget(); ok {
		u.addPaths(t, title, paths)
		return
	}
	u.askTarget(paths)
}

// shownTarget is the matter or client whose page the window shows, and
// its title.
func (m *mainScreen) shownTarget() (app.DocTarget, string, bool) {
	switch {
	case m.showing == navMatters && m.matters != nil && m.matters.cur != nil:
		return app.DocTarget{MatterID: m.matters.cur.ID}, m.matters.cur.Title, true
	case m.showing == navClients && m.clients != nil && m.clients.cur != nil && m.clients.form == nil:
		return app.DocTarget{ClientID: m.clients.cur.ID}, m.clients.cur.Name, true
	}
	return app.DocTarget{}, "", false
}

// docChoice is one place dropped files can go, in the dialog that asks.
type docChoice struct {
	label string
	t     app.DocTarget
}

// askTarget asks which matter or client files dropped elsewhere (the
// conflict check, the audit trail…) go to: a name filter over the open
// matters and the clients.
func (u *UI) askTarget(paths []string) {
	s := u.sess
	what := fmt.Sprintf("the %s dropped", human.Noun(len(paths), "file", "files"))
	if len(paths) == 1 {
		what = "“" + oneLine(human.Truncate(filepath.Base(paths[0]), 60)) + "”"
	}
	run(u, func(ctx context.Context) ([]docChoice, error) {
		var out []docChoice
		matters, err := s.ListMatters(ctx, 0, "open")
		if err != nil {
			return nil, err
		}
		for _, m := range matters {
			label := "Matter: " + m.Title
			if m.Number != "" {
				label = "Matter " + m.Number + ": " + m.Title
			}
			out = append(out, docChoice{label + " · " + m.ClientName, app.DocTarget{MatterID: m.ID}})
		}
		clients, err := s.ListClientSummaries(ctx, app.ByName)
		if err != nil {
			return nil, err
		}
		for _, c := range clients {
			out = append(out, docChoice{"Client: " + c.Name, app.DocTarget{ClientID: c.ID}})
		}
		return out, nil
	}, func(all []docChoice, err error) {
		if err != nil {
			u.showText("Nothing was added", "The matters and clients could not be listed: "+app.Message(err))
			return
		}
		if len(all) == 0 {
			u.showText("Nothing was added", "Documents belong to a client or a matter, and this vault has none yet: add a client first, then drop the files on its page.")
			return
		}
		u.pickTarget(what, all, paths)
	})
}

// pickTarget is the dialog of askTarget: a filter, the list of matters
// and clients it finds (at most 200 shown), Add and Cancel.
func (u *UI) pickTarget(what string, all []docChoice, paths []string) {
	shown := all
	var chosen *docChoice
	find := u.newEntry("Type part of a matter's title or number, or a client's name")
	list := widget.NewList(func() int { return len(shown) },
		func() fyne.CanvasObject { return line("Matter 2026-001: title · client", false) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(shown) {
				o.(*widget.Label).SetText(oneLine(shown[id].label))
			}
		})
	var addB *widget.Button
	var d *dialog.CustomDialog
	list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		if id < len(shown) {
			c := shown[id]
			chosen = &c
			addB.Enable()
		}
	}
	filter := func(q string) {
		q = strings.ToLower(strings.TrimSpace(q))
		shown = nil
		for _, c := range all {
			if q == "" || strings.Contains(strings.ToLower(c.label), q) {
				shown = append(shown, c)
				if len(shown) == 200 {
					break
				}
			}
		}
		chosen = nil
		addB.Disable()
		list.UnselectAll()
		list.Refresh()
	}
	addB = u.button("Add here", theme.ContentAddIcon(), func() {
		if chosen == nil {
			return
		}
		d.Hide()
		c := *chosen
		title := strings.TrimPrefix(c.label, "Client: ")
		if i := strings.LastIndex(title, " · "); c.t.MatterID != 0 && i > 0 {
			title = title[:i]
		}
		u.addPaths(c.t, title, paths)
	})
	addB.Importance = widget.HighImportance
	addB.Disable()
	find.OnChanged = filter
	cancel := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { d.Hide() }))
	body := container.NewBorder(container.NewVBox(
		wrapped("Documents belong to a matter or a client: choose where "+what+" should go. "+
			"(Dropped on a matter's or a client's page, files go there at once.)"),
		find), nil, nil, nil, list)
	d = dialog.NewCustomWithoutButtons("Add documents to…", container.NewStack(&widthBox{width: 560}, body), u.w)
	d.SetButtons([]fyne.CanvasObject{cancel, addB})
	d.Resize(fyne.NewSize(620, 480))
	d.Show()
	u.w.Canvas().Focus(find)
	u.main.docPick = &docPickDialog{find: find, list: list, addB: addB, shown: func() []docChoice { return shown }}
}

// docPickDialog is the open askTarget dialog (tests).
type docPickDialog struct {
	find  *entry
	list  *widget.List
	addB  *widget.Button
	shown func() []docChoice
}

// docJob adds files and folders to one matter or client, one after the
// other, on the window's goroutine between the adds (a file whose name is
// there already waits for the person's answer without holding anything).
type docJob struct {
	u     *UI
	s     *app.Session
	t     app.DocTarget
	title string
	paths []string
	i     int

	ctx    context.Context
	cancel context.CancelFunc
	d      *dialog.CustomDialog
	what   *widget.Label
	bar    *widget.ProgressBar

	added    []app.DocumentInfo
	versions int               // of added: new versions of documents already there
	problems []string          // "name: why", for the message at the end
	skipped  []app.SkippedFile // from folders
	stopped  bool
	lastID   int64
	same     *dialog.CustomDialog // the same-name question, while open (tests)
	lastMsg  string               // what finish said (tests)
}

// addPaths adds paths (files and folders) to t, titled title, with a
// progress dialog; a same name asks (askSameName). One at a time.
func (u *UI) addPaths(t app.DocTarget, title string, paths []string) {
	if u.sess == nil || len(paths) == 0 {
		return
	}
	if u.docJob != nil {
		u.showText("Nothing was added", "Documents are being added already: add these once that has finished.")
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &docJob{u: u, s: u.sess, t: t, title: title, paths: paths, ctx: ctx, cancel: cancel,
		what: wrapped(""), bar: widget.NewProgressBar()}
	u.docJob = j
	stop := u.button("Stop", theme.CancelIcon(), func() { j.stopped = true; cancel() })
	j.d = dialog.NewCustomWithoutButtons("Adding documents to "+oneLine(human.Truncate(title, 60)),
		textBox(460, j.what, j.bar, hint("A file is added whole or not at all: stopping keeps what was added before it.")), u.w)
	j.d.SetButtons([]fyne.CanvasObject{stop})
	j.d.Show()
	j.next()
}

// next adds the next path, or ends.
func (j *docJob) next() {
	if j.u.docJob != j || j.u.sess != j.s {
		return // locked meanwhile
	}
	if j.i >= len(j.paths) || j.ctx.Err() != nil {
		j.finish()
		return
	}
	path := j.paths[j.i]
	name := oneLine(human.Truncate(filepath.Base(path), 80))
	if len(j.paths) == 1 {
		j.what.SetText("Adding “" + name + "”…")
	} else {
		j.what.SetText(fmt.Sprintf("Adding %s: “%s”…", human.Of(j.i+1, len(j.paths), "file or folder", "files and folders"), name))
	}
	j.bar.SetValue(0)
	j.add(path, app.SameNameAsk)
}

// addResult is what one add brought.
type addResult struct {
	added   []app.DocumentInfo
	skipped []app.SkippedFile
	version bool
}

// add adds one path (a file, or a folder with what is inside it).
func (j *docJob) add(path string, same app.SameName) {
	u, s, t, ctx := j.u, j.s, j.t, j.ctx
	progress := j.progress()
	run(u, func(context.Context) (addResult, error) {
		fi, err := os.Stat(path)
		if err != nil {
			return addResult{}, err
		}
		o := app.AddDocOptions{SameName: same, Progress: progress}
		if fi.IsDir() {
			r, err := s.AddFolder(ctx, t, path, o)
			if r == nil {
				return addResult{}, err
			}
			return addResult{added: r.Added, skipped: r.Skipped}, err
		}
		d, err := s.AddDocument(ctx, t, path, o)
		if err != nil || d == nil {
			return addResult{}, err
		}
		return addResult{added: []app.DocumentInfo{*d}, version: same == app.SameNameNewVersion}, nil
	}, func(r addResult, err error) {
		if j.u.docJob != j {
			return
		}
		var sn *app.SameNameError
		if errors.As(err, &sn) && same == app.SameNameAsk {
			j.askSameName(path, sn.Existing)
			return
		}
		name := oneLine(human.Truncate(filepath.Base(path), 80))
		j.added = append(j.added, r.added...)
		if r.version {
			j.versions++
		}
		for _, a := range r.added {
			j.lastID = a.ID
		}
		j.skipped = append(j.skipped, r.skipped...)
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			j.problems = append(j.problems, name+": not added (stopped)")
		default:
			j.problems = append(j.problems, name+": "+addFailure(err))
		}
		j.i++
		j.next()
	})
}

// addFailure says why a file was not added, in the app's words.
func addFailure(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) && errors.Is(err, os.ErrNotExist) {
		return "it is not there any more (moved or deleted?); nothing was added"
	}
	return app.Message(err)
}

// progress is the add's progress function: it runs on the add's goroutine
// and hands the latest figures to the bar, one update waiting at a time.
func (j *docJob) progress() func(done, total int64) {
	var mu sync.Mutex
	var d, t int64
	waiting := false
	return func(done, total int64) {
		mu.Lock()
		d, t = done, total
		if waiting {
			mu.Unlock()
			return
		}
		waiting = true
		mu.Unlock()
		j.u.post(func() {
			mu.Lock()
			dd, tt := d, t
			waiting = false
			mu.Unlock()
			if j.u.docJob == j && tt > 0 {
				j.bar.SetValue(float64(dd) / float64(tt))
			}
		})
	}
}

// askSameName asks what to do with a file whose name is already in the
// matter or client: add it as a new version of that document, keep both,
// or not add it.
func (j *docJob) askSameName(path string, existing app.DocumentInfo) {
	u := j.u
	name := docName(existing)
	if existing.Name == "" {
		name = oneLine(human.Truncate(filepath.Base(path), 80))
	}
	where := "this matter"
	if j.t.ClientID != 0 {
		where = "this client's documents"
	}
	about := ""
	if existing.Versions > 0 {
		about = fmt.Sprintf(" It has %s; the last was saved %s.", human.Count(existing.Versions, "version", "versions"), human.Time(existing.UpdatedAt))
	}
	var d *dialog.CustomDialog
	answer := func(same app.SameName) func() {
		return func() {
			d.Hide()
			if same == app.SameNameAsk { // Cancel: this file is not added
				j.problems = append(j.problems, name+": not added (a document of that name is there already)")
				j.i++
				j.next()
				return
			}
			j.add(path, same)
		}
	}
	verB := u.button("Add as a new version", theme.HistoryIcon(), answer(app.SameNameNewVersion))
	verB.Importance = widget.HighImportance
	bothB := u.button("Keep both", theme.ContentCopyIcon(), answer(app.SameNameKeepBoth))
	cancelB := u.escCloses(u.button("Cancel", theme.CancelIcon(), answer(app.SameNameAsk)))
	d = dialog.NewCustomWithoutButtons("Same name", textBox(500,
		wrapped(fmt.Sprintf("A document named “%s” is already in %s.%s", name, where, about)),
		hint("Add as a new version: this file becomes its newest version; the earlier versions stay as they are. "+
			"Keep both: this file is added as another document of the same name. Cancel: this file is not added.")), u.w)
	d.SetButtons([]fyne.CanvasObject{cancelB, bothB, verB})
	d.Show()
	j.same = d
}

// finish closes the progress dialog and says what was added and what was
// not; the Documents tab shows the last document added.
func (j *docJob) finish() {
	u := j.u
	u.docJob = nil
	j.cancel()
	j.d.Hide()
	if rest := len(j.paths) - j.i; rest > 0 {
		j.problems = append(j.problems, fmt.Sprintf("%s after it: not added (stopped)", human.Count(rest, "other file or folder", "other files or folders")))
	}
	if p := u.main.docsFor(j.t); p != nil {
		if j.lastID != 0 {
			p.selectID = j.lastID
		}
		p.reload()
		if len(j.added) > 0 || len(j.problems) > 0 || len(j.skipped) > 0 {
			msg, bad := j.summary()
			p.say(msg, bad)
		}
	}
	msg, _ := j.summary()
	var lines []string
	for _, s := range j.skipped {
		lines = append(lines, oneLine(human.Truncate(s.Path, 100))+": "+s.Reason)
	}
	lines = append(lines, j.problems...)
	sort.Strings(lines)
	if len(lines) > 30 {
		lines = append(lines[:30], fmt.Sprintf("and %s more", human.Count(len(lines)-30, "file", "files")))
	}
	title := "Documents added"
	if len(j.added) == 0 {
		title = "Nothing was added"
	}
	paras := []string{msg}
	if len(lines) > 0 {
		paras = append(paras, strings.Join(lines, "\n"))
	}
	j.lastMsg = strings.Join(paras, "\n\n")
	if len(lines) == 0 && u.main.docsFor(j.t) != nil {
		return // the tab shows it: no dialog to close
	}
	u.showText(title, paras...)
}

// summary is the add's result in one sentence.
func (j *docJob) summary() (string, bool) {
	where := oneLine(human.Truncate(j.title, 60))
	n := len(j.added) - j.versions
	var parts []string
	if n > 0 {
		parts = append(parts, human.Count(n, "document", "documents")+" added")
	}
	if j.versions > 0 {
		parts = append(parts, human.Count(j.versions, "new version", "new versions")+" saved")
	}
	notAdded := len(j.problems) + len(j.skipped)
	msg := strings.Join(parts, " and ")
	switch {
	case msg == "" && notAdded > 0:
		return fmt.Sprintf("Nothing was added to %s: %s not added (see why below).", where, human.Count(notAdded, "file was", "files were")), true
	case msg == "":
		return "Nothing was added to " + where + ".", false
	case notAdded > 0:
		return fmt.Sprintf("%s to %s; %s not added.", human.Capitalize(msg), where, human.Count(notAdded, "file was", "files were")), true
	}
	return human.Capitalize(msg) + " to " + where + ".", false
}
