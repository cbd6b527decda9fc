package ui

import (
	"context"
	"fmt"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// This file: the Documents tab of a matter's and of a client's page (issue
// 13). The list of the documents (read a page at a time, like the intake
// queue), the chosen document's preview (a picture, or the beginning of its
// text) and what can be done with it: open it in its usual program, see and
// restore its versions, export, delete. Adding (files, a folder, files
// dropped on the window) is in documents_add.go; the dialogs in
// documents_actions.go.

// docPage is how many documents one read brings (a var for tests).
var docPage = 100

// previewMax is the most of a document the preview reads (a picture
// larger than this is not shown: open it instead); previewChars the most
// of its text the preview shows.
const (
	previewMax   = 16 << 20
	previewChars = 20000
)

// docsPane is the Documents tab of one matter or one client.
type docsPane struct {
	u     *UI
	t     app.DocTarget
	title string // the matter's title or the client's name
	obj   fyne.CanvasObject

	list    *widget.List
	items   []app.DocumentInfo // the pages read so far
	total   int
	seq     int  // bumped by each reload: late pages are dropped
	reading bool // a page is being read
	read    bool // the first page is in
	loaded  bool // load was called once (the tab was shown)
	failed  string

	count  *widget.Label
	notice *widget.Label // what the last add, version, restore, export or deletion did
	why    *widget.Label // what the role may not do

	sel      *app.DocumentInfo // the document chosen in the list
	selectID int64             // chosen once the page that holds it is in
	selName  *widget.Label
	selHint  *widget.Label
	preview  *fyne.Container
	prevSeq  int

	versionsDlg *docVersions       // the versions dialog, while open (tests)
	exportDlg   *widget.RadioGroup // the export dialog's choice (tests)

	addFilesB, addFolderB, exportB *widget.Button
	openB, versionsB, deleteB      *widget.Button
}

// where is "this matter" or "this client", for the pane's sentences.
func (p *docsPane) where() string {
	if p.t.MatterID != 0 {
		return "this matter"
	}
	return "this client"
}

// newDocsPane makes the Documents tab of a matter (t.MatterID) or a
// client (t.ClientID). Nothing is read until load (the tab is shown):
// each list read is an entry in the audit trail.
func (u *UI) newDocsPane(t app.DocTarget, title string) *docsPane {
	p := &docsPane{u: u, t: t, title: title, count: wrapped(""), notice: wrapped(""), why: hint(""),
		selName: bold(""), selHint: hint(""), preview: container.NewStack()}
	p.notice.Hide()
	p.why.Hide()
	p.list = widget.NewList(func() int { return p.total },
		func() fyne.CanvasObject { return newRows(2) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			rt := o.(*widget.RichText)
			if id >= len(p.items) {
				setRows(rt, []part{low("Loading…")}, nil)
				p.more()
				return
			}
			setRows(rt, docLines(p.items[id])...)
		})
	p.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		if id < len(p.items) && (p.sel == nil || p.sel.ID != p.items[id].ID) {
			d := p.items[id]
			p.choose(&d)
		}
	}
	p.list.OnUnselected = func(widget.ListItemID) {}
	p.addFilesB = u.button("Add files…", theme.FileIcon(), p.addFiles)
	p.addFolderB = u.button("Add folder…", theme.FolderNewIcon(), p.addFolder)
	p.exportB = u.button("Export…", theme.DownloadIcon(), p.export)
	p.openB = u.button("Open", theme.FolderOpenIcon(), func() { p.open(0) })
	p.openB.Importance = widget.HighImportance
	p.versionsB = u.button("Versions…", theme.HistoryIcon(), p.versions)
	p.deleteB = u.button("Delete", theme.DeleteIcon(), p.confirmDelete)
	p.deleteB.Importance = widget.DangerImportance
	u.allow(p.addFilesB, access.AddDocuments, p.why)
	u.allow(p.addFolderB, access.AddDocuments, p.why)
	u.allow(p.exportB, access.ExportDocuments, p.why)
	head := container.NewVBox(
		bold(oneLine(human.Truncate(title, 100))),
		container.NewHBox(p.addFilesB, p.addFolderB, layout.NewSpacer(), p.exportB),
		p.why, p.notice, p.count)
	selBar := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(p.openB, p.versionsB, p.deleteB), p.selName),
		p.selHint)
	p.selName.Truncation = fyne.TextTruncateEllipsis
	bottom := container.NewBorder(selBar, nil, nil, nil, p.preview)
	split := container.NewVSplit(p.list, bottom)
	split.Offset = 0.55
	p.obj = container.NewBorder(head, nil, nil, nil, split)
	p.choose(nil)
	return p
}

// docLines is a document in the list: its folder (when it came in a
// folder) and name; then what it is, its size, when it was last changed,
// who added it and how many versions it has.
func docLines(d app.DocumentInfo) [][]part {
	first := []part{}
	if d.Folder != "" {
		first = append(first, low(human.Truncate(d.Folder, 80)+"/"))
	}
	first = append(first, strong(human.Truncate(d.Name, 200)))
	second := []part{low(strings.Join([]string{docType(d), human.Size(d.Size), human.Time(d.UpdatedAt),
		"added by " + d.CreatedBy, human.Count(d.Versions, "version", "versions")}, " · "))}
	return [][]part{first, second}
}

// docType is what a document is in words ("PDF document"; "File" when the
// app does not say).
func docType(d app.DocumentInfo) string {
	if d.Type == "" {
		return "File"
	}
	return d.Type
}

// docName is a document's name, safe and short enough for a sentence or a
// dialog's title: control characters shown as escapes, cut at 80
// characters.
func docName(d app.DocumentInfo) string {
	return oneLine(human.Truncate(d.Name, 80))
}

// load reads the list the first time the tab is shown.
func (p *docsPane) load() {
	if !p.loaded {
		p.loaded = true
		p.reload()
	}
}

// reload reads the list again from its first page; the document chosen
// stays chosen when it is still there.
func (p *docsPane) reload() {
	if p.sel != nil && p.selectID == 0 {
		p.selectID = p.sel.ID
	}
	p.loaded = true
	p.seq++
	p.items, p.total, p.reading, p.read, p.failed = nil, 0, false, false, ""
	p.list.UnselectAll()
	p.list.Refresh()
	p.count.SetText("Loading documents…")
	p.more()
}

// more reads the next page, unless one is being read or all are in.
func (p *docsPane) more() {
	if p.reading || p.failed != "" || (p.read && len(p.items) >= p.total) {
		return
	}
	u, s, t := p.u, p.u.sess, p.t
	f := app.DocFilter{Offset: len(p.items), Limit: docPage}
	seq := p.seq
	p.reading = true
	type page struct {
		items []app.DocumentInfo
		total int
	}
	run(u, func(ctx context.Context) (page, error) {
		items, total, err := s.ListDocuments(ctx, t, f)
		return page{items, total}, err
	}, func(pg page, err error) {
		if seq != p.seq {
			return // an older reload's page
		}
		p.reading, p.read = false, true
		if err != nil {
			p.failed = app.Message(err)
			p.count.SetText("The documents could not be loaded: " + p.failed)
			return
		}
		p.items = append(p.items, pg.items...)
		p.total = pg.total
		if len(pg.items) == 0 {
			p.total = len(p.items) // the list shrank meanwhile: stop asking
		}
		p.count.SetText(p.countText())
		p.list.Refresh()
		p.reselect()
	})
}

// countText says how many documents there are, and how to add more (for
// a role that may).
func (p *docsPane) countText() string {
	may := p.u.sess != nil && p.u.sess.CanDo(access.AddDocuments)
	switch {
	case p.total == 0 && may:
		return "No documents in " + p.where() + " yet. Add files…, Add folder…, or drop files and folders on this window."
	case p.total == 0:
		return "No documents in " + p.where() + " yet."
	case may:
		return human.Count(p.total, "document", "documents") + " · drop files or folders on this window to add them here"
	}
	return human.Count(p.total, "document", "documents")
}

// reselect chooses selectID in the list once its page is in; the document
// chosen before a reload that is gone now leaves nothing chosen.
func (p *docsPane) reselect() {
	id := p.selectID
	if id == 0 {
		return
	}
	for i, d := range p.items {
		if d.ID == id {
			p.selectID = 0
			if p.sel != nil && p.sel.ID == d.ID {
				if p.sel.Current == d.Current {
					d := d
					p.sel = &d // the same content: its preview stays
				} else {
					p.sel = nil // a new version: shown again (OnSelected)
				}
			}
			p.list.Select(i)
			p.list.ScrollTo(i)
			return
		}
	}
	if len(p.items) >= p.total && !p.reading {
		p.selectID = 0
		if p.sel != nil && p.sel.ID == id {
			p.choose(nil)
		}
		return
	}
	p.more() // it may be on a later page
}

// choose shows d (nil: none) under the list: its name, what can be done
// with it, and its preview.
func (p *docsPane) choose(d *app.DocumentInfo) {
	u := p.u
	p.sel = d
	p.prevSeq++
	for _, b := range []*widget.Button{p.openB, p.versionsB, p.deleteB} {
		b.Disable()
	}
	if d == nil {
		p.selName.SetText("")
		setMsg(p.selHint, "Choose a document in the list to see it here, open it, or see its versions.")
		p.setPreview(nil)
		return
	}
	p.selName.SetText(docName(*d))
	var why []string
	if !canOpenDocuments {
		p.openB.Hide()
	}
	if u.sess.CanDo(access.ReadDocuments) {
		p.openB.Enable()
		p.versionsB.Enable()
	} else {
		why = append(why, u.deniedHint(access.ReadDocuments.Words))
	}
	if u.sess.CanDo(access.DeleteDocuments) {
		p.deleteB.Enable()
	} else {
		why = append(why, u.deniedHint(access.DeleteDocuments.Words))
	}
	setMsg(p.selHint, strings.Join(why, " "))
	p.setPreview(quiet("Loading the preview…"))
	if !u.sess.CanDo(access.ReadDocuments) {
		p.setPreview(nil)
		return
	}
	p.loadPreview(*d)
}

func (p *docsPane) setPreview(o fyne.CanvasObject) {
	if o == nil {
		p.preview.Objects = nil
	} else {
		p.preview.Objects = []fyne.CanvasObject{o}
	}
	p.preview.Refresh()
}

// shownPreview is what the preview holds, made off the window's goroutine:
// a picture decoded, or the text made safe to show.
type shownPreview struct {
	kind string // "image", "text" or ""
	img  image.Image
	bad  error
	text string
	cut  bool
}

// loadPreview reads the beginning of d (app.PreviewDocument) and shows a
// picture in the window, text in a read-only box, or says there is no
// preview for this kind of file.
func (p *docsPane) loadPreview(d app.DocumentInfo) {
	u, s, seq := p.u, p.u.sess, p.prevSeq
	run(u, func(ctx context.Context) (shownPreview, error) {
		pv, err := s.PreviewDocument(ctx, d.ID, 0, previewMax)
		if err != nil || pv == nil {
			return shownPreview{}, err
		}
		out := shownPreview{kind: pv.Kind, cut: pv.Truncated}
		switch pv.Kind {
		case "image":
			if pv.Truncated {
				out.bad = errHugePicture
			} else {
				out.img, out.bad = decodePreview(pv.Data)
			}
		case "text":
			t := human.Truncate(pv.Text, previewChars)
			out.cut = out.cut || t != pv.Text
			out.text = human.EscapeText(t)
		}
		return out, nil
	}, func(sp shownPreview, err error) {
		if seq != p.prevSeq {
			return // another document was chosen meanwhile
		}
		switch {
		case err != nil:
			msg := errLabel()
			setMsg(msg, "No preview: "+app.Message(err))
			p.setPreview(container.NewVBox(msg))
		case sp.kind == "image" && sp.bad != nil:
			p.setPreview(container.NewVBox(wrapped(fmt.Sprintf("This picture cannot be shown here: %s. Open shows it in its usual program.", sp.bad))))
		case sp.kind == "image":
			pic := canvas.NewImageFromImage(sp.img)
			pic.FillMode = canvas.ImageFillContain
			pic.ScaleMode = canvas.ImageScaleSmooth
			pic.SetMinSize(fyne.NewSize(160, 120))
			p.setPreview(pic)
		case sp.kind == "text":
			l := widget.NewLabel(sp.text)
			l.Wrapping = fyne.TextWrapWord
			l.Selectable = true
			body := container.NewVBox(l)
			if sp.cut {
				body.Add(quietWrapped("Only the beginning is shown here; Open shows the whole document."))
			}
			p.setPreview(container.NewVScroll(body))
		default:
			p.setPreview(container.NewVBox(quietWrapped(fmt.Sprintf("No preview for this kind of file (%s). Open shows it in its usual program.", docType(d)))))
		}
	})
}

// quietWrapped is secondary text that wraps to the width it is given
// (never widening the pane it is in).
func quietWrapped(text string) *widget.Label {
	l := wrapped(text)
	l.Importance = widget.LowImportance
	return l
}

// say shows what the last action did above the list (good news in the
// success colour, a failure in red).
func (p *docsPane) say(msg string, failed bool) {
	p.notice.Importance = widget.SuccessImportance
	if failed {
		p.notice.Importance = widget.DangerImportance
	}
	setMsg(p.notice, msg)
	p.notice.Refresh()
}

// docsTab puts a matter's or a client's details and its Documents tab
// together: the details alone for a role that may not see documents.
// onTab records which tab the person chose (the next page opened shows
// the same one).
func (u *UI) docsTab(details fyne.CanvasObject, p *docsPane, docsFirst bool, onTab func(docs bool)) fyne.CanvasObject {
	if p == nil {
		return details
	}
	docs := container.NewTabItemWithIcon("Documents", theme.FileIcon(), container.NewPadded(p.obj))
	tabs := container.NewAppTabs(container.NewTabItemWithIcon("Details", theme.InfoIcon(), details), docs)
	if docsFirst {
		tabs.Select(docs)
		p.load()
	}
	tabs.OnSelected = func(ti *container.TabItem) {
		u.touch()
		onTab(ti == docs)
		if ti == docs {
			p.load()
		}
	}
	return tabs
}

// canSeeDocuments reports whether the role may list documents (the tab is
// offered only then).
func (u *UI) canSeeDocuments() bool {
	return u.sess != nil && u.sess.CanDo(access.ListDocuments)
}
