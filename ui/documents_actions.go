package ui

import (
	"context"
	"fmt"
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

// This file: what can be done with a document of a Documents tab (open,
// versions, restore, export, delete) and the notices of an opened copy
// (a version saved from it, a copy gone).

// docsFor is the Documents tab on show for t, if any (a reload after a
// change shows it at once).
func (m *mainScreen) docsFor(t app.DocTarget) *docsPane {
	switch {
	case t.MatterID != 0 && m.matters != nil && m.matters.docs != nil && m.matters.docs.t == t:
		return m.matters.docs
	case t.ClientID != 0 && m.clients != nil && m.clients.docs != nil && m.clients.docs.t == t:
		return m.clients.docs
	}
	return nil
}

// open opens the chosen document (version n; 0: the current one).
func (p *docsPane) open(n int) {
	if p.sel != nil {
		p.u.openDocument(*p.sel, n)
	}
}

// onDocVersion is OpenOptions.OnVersion: a version saved from an opened
// copy is said in the window (the top bar, and the Documents tab showing
// it, which reads its list again).
func (u *UI) onDocVersion(s *app.Session) func(app.VersionInfo) {
	return func(v app.VersionInfo) {
		u.post(func() {
			if u.sess != s || u.main == nil {
				return
			}
			d := u.docOpened[v.DocumentID]
			name := oneLine(human.Truncate(d.Name, 60))
			if name == "" {
				name = "the document"
			}
			msg := fmt.Sprintf("Saved version %d of %s", v.N, name)
			u.main.docNotice(msg, d)
			if p := u.main.docsFor(app.DocTarget{ClientID: d.ClientID, MatterID: d.MatterID}); p != nil {
				p.say(msg+".", false)
				p.reload()
			}
		})
	}
}

// onDocProblem is OpenOptions.OnProblem: an opened copy that vanished or
// cannot be read, said in plain words.
func (u *UI) onDocProblem(s *app.Session) func(error) {
	return func(err error) {
		u.post(func() {
			if u.sess == s && u.main != nil {
				u.showText("A document opened from the vault", app.Message(err))
			}
		})
	}
}

// askDocVersion is OpenOptions.Ask (the setting "Ask before saving a new
// version of an opened document"): the app's watcher waits for the
// answer; locking answers No (the copy is removed, the vault unchanged).
func (u *UI) askDocVersion(s *app.Session) func(app.DocumentInfo) bool {
	if u.docAskStop == nil {
		u.docAskStop = make(chan struct{})
	}
	stop := u.docAskStop
	return func(d app.DocumentInfo) bool {
		answer := make(chan bool, 1)
		u.post(func() {
			if u.sess != s || u.main == nil {
				answer <- false
				return
			}
			name := docName(d)
			cd := dialog.NewConfirm("Save a new version?",
				fmt.Sprintf("“%s” was changed in its program. Save the change in the vault as version %d? "+
					"No leaves the vault as it is; the next change saved there asks again.", name, d.Current+1),
				func(ok bool) { answer <- ok }, u.w)
			cd.SetConfirmText("Save version")
			cd.SetDismissText("Not now")
			cd.Show()
		})
		select {
		case ok := <-answer:
			return ok
		case <-stop:
			return false
		}
	}
}

// stopDocAsks answers No to every question of askDocVersion still open
// and stops an add that runs: the vault is locking.
func (u *UI) stopDocAsks() {
	if u.docJob != nil {
		u.docJob.cancel() // an add running stops: the vault is closing
		u.docJob = nil
	}
	if u.docAskStop != nil {
		close(u.docAskStop)
		u.docAskStop = nil
	}
	u.docOpened = nil
}

// docNotice shows msg in the top bar until the next one; a click shows
// the document in its matter or client.
func (m *mainScreen) docNotice(msg string, d app.DocumentInfo) {
	m.docNote.SetText(msg)
	m.docNote.OnTapped = func() {
		m.u.touch()
		m.docNote.Hide()
		if d.ID != 0 {
			m.showDocument(d)
		}
	}
	m.docNote.Show()
}

// showDocument opens d's matter or client on its Documents tab with d
// chosen.
func (m *mainScreen) showDocument(d app.DocumentInfo) {
	if d.MatterID != 0 {
		m.show(navMatters)
		m.matters.docsTab, m.matters.selectDoc = true, d.ID
		m.matters.open(d.MatterID)
		return
	}
	m.show(navClients)
	m.clients.docsTab, m.clients.selectDoc = true, d.ID
	m.clients.open(d.ClientID)
}

// howWords is how a version came to be, in words.
func howWords(v app.VersionInfo) string {
	w := map[string]string{"added": "added", "new-version": "added as a new version", "edited": "saved from the opened copy",
		"restored": "restored", "intake": "from client intake"}[v.How]
	if w == "" {
		w = v.How
	}
	if v.Note != "" {
		w += " (" + v.Note + ")"
	}
	return w
}

// versionLines is a version in the versions dialog.
func versionLines(v app.VersionInfo) [][]part {
	first := []part{strong(fmt.Sprintf("Version %d", v.N))}
	if v.Current {
		first = append(first, colored(" · current", widget.SuccessImportance))
	}
	first = append(first, plain(" · "+human.Time(v.At)+" · "+v.By))
	return [][]part{first, {low(human.Capitalize(howWords(v)) + " · " + human.Size(v.Size))}}
}

// docVersions is the versions dialog while open (tests).
type docVersions struct {
	d        *dialog.CustomDialog
	list     *widget.List
	vs       []app.VersionInfo
	sel      int // index in vs, -1: none
	openB    *widget.Button
	restoreB *widget.Button
	msg      *widget.Label
}

// versions shows the chosen document's versions: open any of them,
// restore an older one as the newest.
func (p *docsPane) versions() {
	if p.sel == nil {
		return
	}
	u, s, d := p.u, p.u.sess, *p.sel
	dv := &docVersions{sel: -1, msg: wrapped("")}
	dv.list = widget.NewList(func() int { return len(dv.vs) },
		func() fyne.CanvasObject { return newRows(2) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(dv.vs) {
				setRows(o.(*widget.RichText), versionLines(dv.vs[id])...)
			}
		})
	dv.openB = u.button("Open this version", theme.FolderOpenIcon(), func() {
		if dv.sel >= 0 {
			u.openDocument(d, dv.vs[dv.sel].N)
		}
	})
	dv.restoreB = u.button("Restore this version…", theme.HistoryIcon(), func() {
		if dv.sel >= 0 {
			p.confirmRestore(dv, d, dv.vs[dv.sel])
		}
	})
	dv.openB.Disable()
	dv.restoreB.Disable()
	if !canOpenDocuments {
		dv.openB.Hide()
	}
	dv.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		dv.sel = id
		dv.openB.Enable()
		if id < len(dv.vs) && !dv.vs[id].Current && u.sess.CanDo(access.AddDocuments) {
			dv.restoreB.Enable()
		} else {
			dv.restoreB.Disable()
		}
	}
	closeB := u.escCloses(u.button("Close", theme.CancelIcon(), func() { dv.d.Hide(); p.versionsDlg = nil }))
	body := container.NewBorder(
		hint("Nothing is ever overwritten: restoring an older version saves a copy of it as the newest version, and every version stays."),
		container.NewVBox(dv.msg, container.NewHBox(dv.openB, dv.restoreB)), nil, nil, dv.list)
	dv.d = dialog.NewCustomWithoutButtons("Versions of "+docName(d), container.NewStack(&widthBox{width: 560}, body), u.w)
	dv.d.SetButtons([]fyne.CanvasObject{closeB})
	dv.d.Resize(fyne.NewSize(640, 460))
	dv.msg.Hide()
	p.versionsDlg = dv
	dv.d.Show()
	p.loadVersions(dv, d.ID, s)
}

func (p *docsPane) loadVersions(dv *docVersions, id int64, s *app.Session) {
	run(p.u, func(ctx context.Context) ([]app.VersionInfo, error) {
		return s.DocumentVersions(ctx, id)
	}, func(vs []app.VersionInfo, err error) {
		if err != nil {
			setMsg(dv.msg, "The versions could not be read: "+app.Message(err))
			return
		}
		// Newest first.
		for i, j := 0, len(vs)-1; i < j; i, j = i+1, j-1 {
			vs[i], vs[j] = vs[j], vs[i]
		}
		dv.vs, dv.sel = vs, -1
		dv.openB.Disable()
		dv.restoreB.Disable()
		dv.list.UnselectAll()
		dv.list.Refresh()
	})
}

// confirmRestore asks before restoring v of d as its newest version.
func (p *docsPane) confirmRestore(dv *docVersions, d app.DocumentInfo, v app.VersionInfo) {
	u, s := p.u, p.u.sess
	newest := 0
	for _, x := range dv.vs {
		newest = max(newest, x.N)
	}
	cd := dialog.NewConfirm("Restore version", fmt.Sprintf("Restore version %d of “%s”? A copy of it becomes version %d, the newest. "+
		"Versions 1 to %d stay as they are: nothing is overwritten.", v.N, docName(d), newest+1, newest),
		func(ok bool) {
			u.touch()
			if !ok {
				return
			}
			run(u, func(ctx context.Context) (*app.VersionInfo, error) {
				return s.RestoreVersion(ctx, d.ID, v.N)
			}, func(nv *app.VersionInfo, err error) {
				if err != nil {
					setMsg(dv.msg, fmt.Sprintf("Version %d was not restored: %s", v.N, app.Message(err)))
					return
				}
				n := newest + 1
				if nv != nil {
					n = nv.N
				}
				setMsg(dv.msg, fmt.Sprintf("Version %d restored: it is version %d now.", v.N, n))
				p.loadVersions(dv, d.ID, s)
				p.say(fmt.Sprintf("Version %d of “%s” restored as version %d.", v.N, docName(d), n), false)
				p.reload()
			})
		}, u.w)
	cd.SetConfirmText("Restore")
	cd.SetDismissText("Cancel")
	cd.Show()
}

// confirmDelete asks before deleting the chosen document.
func (p *docsPane) confirmDelete() {
	if p.sel == nil {
		return
	}
	u, s, d := p.u, p.u.sess, *p.sel
	cd := dialog.NewConfirm("Delete document", fmt.Sprintf("Delete “%s” and its %s? It is removed from the vault; "+
		"backups made before keep it until they are pruned. The deletion is recorded in the audit trail.",
		docName(d), human.Count(d.Versions, "version", "versions")),
		func(ok bool) {
			u.touch()
			if !ok {
				return
			}
			run(u, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, s.DeleteDocument(ctx, d.ID)
			}, func(_ struct{}, err error) {
				if err != nil {
					p.say("“"+docName(d)+"” was not deleted: "+app.Message(err), true)
					return
				}
				p.say("“"+docName(d)+"” was deleted.", false)
				p.choose(nil)
				p.reload()
			})
		}, u.w)
	cd.SetConfirmText("Delete")
	cd.SetDismissText("Cancel")
	cd.SetConfirmImportance(widget.DangerImportance)
	cd.Show()
}

// export asks what to export (the chosen document, this matter's
// documents, or the whole client file), then where, then exports.
func (p *docsPane) export() {
	u := p.u
	type choice struct {
		label string
		sel   app.ExportSelection
	}
	var choices []choice
	if p.sel != nil {
		choices = append(choices, choice{"The chosen document: " + docName(*p.sel), app.ExportSelection{DocumentIDs: []int64{p.sel.ID}}})
	}
	if p.t.MatterID != 0 {
		choices = append(choices, choice{"All documents of this matter", app.ExportSelection{MatterID: p.t.MatterID}})
	} else {
		choices = append(choices, choice{"The whole client file: this client's documents and those of their matters", app.ExportSelection{ClientID: p.t.ClientID}})
	}
	var labels []string
	for _, c := range choices {
		labels = append(labels, c.label)
	}
	radio := widget.NewRadioGroup(labels, nil)
	radio.Required = true
	radio.SetSelected(labels[0])
	cd := dialog.NewCustomConfirm("Export documents", "Choose a folder…", "Cancel", textBox(520,
		radio,
		hint("The documents are written to a new folder inside the one you choose, as plain files that anyone with the folder can read. "+
			"The export is recorded in the audit trail.")),
		func(ok bool) {
			u.touch()
			if !ok {
				return
			}
			var sel app.ExportSelection
			for _, c := range choices {
				if c.label == radio.Selected {
					sel = c.sel
				}
			}
			u.pickFile(true, func(dir string) { p.exportTo(sel, dir) })
		}, u.w)
	cd.Show()
	p.exportDlg = radio
}

// exportTo exports sel into dir with a dialog that can stop it, then says
// where and how many.
func (p *docsPane) exportTo(sel app.ExportSelection, dir string) {
	u, s := p.u, p.u.sess
	ctx, cancel := context.WithCancel(context.Background())
	bar := widget.NewProgressBarInfinite()
	d := dialog.NewCustomWithoutButtons("Exporting documents", textBox(420, wrapped("Writing the documents to "+oneLine(dir)+"…"), bar), u.w)
	d.SetButtons([]fyne.CanvasObject{u.button("Stop", theme.CancelIcon(), cancel)})
	d.Show()
	run(u, func(context.Context) (*app.ExportResult, error) {
		defer cancel()
		return s.ExportDocuments(ctx, sel, dir)
	}, func(r *app.ExportResult, err error) {
		bar.Stop()
		d.Hide()
		if err != nil {
			u.showText("The documents were not exported", app.Message(err))
			return
		}
		where := widget.NewLabel(r.Folder)
		where.TextStyle = fyne.TextStyle{Monospace: true}
		where.Wrapping = fyne.TextWrapBreak
		msg := fmt.Sprintf("%s (%s) exported to:", human.Count(r.Files, "document", "documents"), human.Size(r.Bytes))
		p.say(strings.TrimSuffix(msg, ":")+" "+oneLine(r.Folder)+".", false)
		dialog.NewCustom("Documents exported", "OK", textBox(480, wrapped(msg), where,
			hint("They are plain files outside the vault: hand them over, then delete them from this computer if they should not stay.")), u.w).Show()
	})
}

// copiesClosed shows what locking did with the opened documents' copies
// (app.Session.CopyNotices) on the screen that follows the lock.
func (u *UI) copiesClosed(notes []string) {
	u.showText("Documents that were open", notes...)
}
