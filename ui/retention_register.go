package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// This file: the Destruction register tab of the Retention screen: every
// destruction, newest first, with its records (what kind, its number,
// dates, rule and counts: no client data) and the names kept for conflict
// checks; Certificate opens the printable certificate, Backups… the
// backups that still hold it. Read a page at a time as the list scrolls.

// registerPage is how many register rows one read brings (a var for tests).
var registerPage = 200

// regRow is a row of the register list: a destruction's heading (entry
// -1) or one of its records.
type regRow struct {
	number string
	entry  int // index in p.entries; -1 = the destruction's heading
}

// registerPane is the Destruction register tab.
type registerPane struct {
	u       *UI
	obj     fyne.CanvasObject
	entries []app.RegisterEntry
	rows    []regRow
	total   int
	list    *widget.List
	count   *widget.Label
	seq     int
	reading bool
	failed  string
}

func newRegisterPane(u *UI) *registerPane {
	p := &registerPane{u: u, count: wrapped("")}
	p.list = widget.NewList(func() int {
		n := len(p.rows)
		if len(p.entries) < p.total && p.failed == "" {
			n++ // "Loading…": the next page
		}
		return n
	},
		func() fyne.CanvasObject {
			certB := widget.NewButtonWithIcon("Certificate", theme.DocumentPrintIcon(), nil)
			backB := widget.NewButtonWithIcon("Backups…", theme.StorageIcon(), nil)
			return container.NewBorder(nil, nil, &widthBox{width: 28}, container.NewHBox(certB, backB), newRows(2))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			rt := c.Objects[0].(*widget.RichText)
			indent := c.Objects[1]
			btns := c.Objects[2].(*fyne.Container)
			if id >= len(p.rows) {
				setRows(rt, []part{low("Loading…")}, nil)
				btns.Hide()
				p.more()
				return
			}
			row := p.rows[id]
			if row.entry >= 0 {
				indent.Show()
				btns.Hide()
				setRows(rt, registerLines(p.entries[row.entry])...)
				return
			}
			indent.Hide()
			btns.Show()
			setRows(rt, p.headLines(row.number)...)
			number := row.number
			btns.Objects[0].(*widget.Button).OnTapped = func() { u.touch(); u.printCertificate(number) }
			btns.Objects[1].(*widget.Button).OnTapped = func() { u.touch(); u.showHolding(number) }
		})
	p.list.OnSelected = func(widget.ListItemID) { p.list.UnselectAll() }
	head := container.NewVBox(
		hint("Every destruction, newest first: what kind of record went, its number, dates and rule, and the names kept for conflict checks. "+
			"It holds no other client data. Certificate opens a page to print for your files."),
		p.count)
	p.obj = container.NewBorder(head, nil, nil, nil, p.list)
	return p
}

// headLines is a destruction's heading: its number, when and by whom,
// how many records, whether the names were kept.
func (p *registerPane) headLines(number string) [][]part {
	var first *app.RegisterEntry
	n := 0
	var kept []string
	for i := range p.entries {
		e := &p.entries[i]
		if e.Number != number {
			continue
		}
		if first == nil {
			first = e
		}
		n++
		kept = append(kept, e.KeptNames...)
	}
	if first == nil {
		return [][]part{{strong(number)}, nil}
	}
	names := "names destroyed"
	if first.NamesKept {
		names = "names kept for conflict checks"
		if len(kept) > 0 {
			sort.Strings(kept)
			names = "names kept: " + oneLine(human.Truncate(strings.Join(kept, ", "), 200))
		}
	}
	return [][]part{
		{strong(number), plain(" · " + human.Time(first.At) + " · by " + oneLine(first.By))},
		{low(human.Count(n, "record", "records") + " · " + names)},
	}
}

// registerLines is one record of a destruction: its kind and number, area
// and rule, dates, and what it held.
func registerLines(e app.RegisterEntry) [][]part {
	kind := "Client file"
	if e.Kind == "matter" {
		kind = "Matter"
	}
	first := []part{plain(kind)}
	if e.MatterNumber != "" {
		first = append(first, strong(" "+oneLine(human.Truncate(e.MatterNumber, 30))))
	} else if e.Kind != "matter" && e.Ref != "" {
		first = append(first, low(" "+oneLine(e.Ref)))
	} else if e.Kind != "matter" {
		first = append(first, low(fmt.Sprintf(" (former record %d)", e.RecordID)))
	}
	if e.PracticeArea != "" {
		first = append(first, low(" · "+oneLine(human.Truncate(e.PracticeArea, 40))))
	}
	var second []string
	if e.OpenedAt != nil {
		second = append(second, "opened "+human.Date(*e.OpenedAt))
	}
	if e.ClosedAt != nil {
		second = append(second, "closed "+human.Date(*e.ClosedAt))
	}
	if e.DestroyAfter != nil {
		second = append(second, "destroy after "+human.Date(*e.DestroyAfter))
	}
	if e.Rule != "" { // in words already ("Family law: 10 years after closing")
		second = append(second, oneLine(human.Truncate(e.Rule, 120)))
	}
	it := func(k string) int { return int(e.Items[k]) }
	second = append(second, contentsWords(it("notes"), it("documents"), it("versions"), it("intake"), e.Items["bytes"]))
	return [][]part{first, {low(strings.Join(second, " · "))}}
}

// reload reads the register again from its newest entry.
func (p *registerPane) reload() {
	p.seq++
	p.entries, p.rows, p.total, p.reading, p.failed = nil, nil, 0, false, ""
	p.count.SetText("Loading…")
	p.list.Refresh()
	p.read(true)
}

// more reads the next page when one is not already being read.
func (p *registerPane) more() {
	if p.reading || p.failed != "" || len(p.entries) >= p.total {
		return
	}
	p.read(false)
}

func (p *registerPane) read(first bool) {
	u, s, seq, off := p.u, p.u.sess, p.seq, len(p.entries)
	p.reading = true
	type page struct {
		rows  []app.RegisterEntry
		total int
	}
	run(u, func(ctx context.Context) (page, error) {
		rows, total, err := s.DestructionRegister(ctx, "", off, registerPage)
		return page{rows, total}, err
	}, func(pg page, err error) {
		if seq != p.seq {
			return
		}
		p.reading = false
		if err != nil {
			p.failed = app.Message(err)
			p.count.SetText("The register could not be read: " + p.failed)
			p.list.Refresh()
			return
		}
		for _, e := range pg.rows {
			if len(p.rows) == 0 || p.rows[len(p.rows)-1].number != e.Number && !p.hasHead(e.Number) {
				p.rows = append(p.rows, regRow{number: e.Number, entry: -1})
			}
			p.entries = append(p.entries, e)
			p.rows = append(p.rows, regRow{number: e.Number, entry: len(p.entries) - 1})
		}
		p.total = pg.total
		if len(pg.rows) == 0 {
			p.total = len(p.entries)
		}
		p.count.SetText(p.countText())
		p.list.Refresh()
	})
}

// hasHead reports whether the list has a heading for number already (a
// destruction split over two pages keeps one heading).
func (p *registerPane) hasHead(number string) bool {
	for i := len(p.rows) - 1; i >= 0; i-- {
		if p.rows[i].entry < 0 && p.rows[i].number == number {
			return true
		}
	}
	return false
}

func (p *registerPane) countText() string {
	if p.total == 0 {
		return "Nothing has been destroyed yet. Closed matters past their date are on the Due for destruction tab."
	}
	n := 0
	for _, r := range p.rows {
		if r.entry < 0 {
			n++
		}
	}
	text := human.Count(p.total, "record", "records") + " destroyed"
	if len(p.entries) >= p.total {
		text += " in " + human.Count(n, "destruction", "destructions")
	}
	return text
}

// showHolding shows which backups still hold a destruction's files, with
// Remove them from that drive… (app.SnapshotsHolding).
func (u *UI) showHolding(number string) {
	s := u.sess
	run(u, func(ctx context.Context) ([]app.HeldSnapshot, error) {
		return s.SnapshotsHolding(ctx, number)
	}, func(held []app.HeldSnapshot, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("the backups could not be read: %s", app.Message(err)), u.w)
			return
		}
		hp := u.newHoldingPart(number, held)
		dialog.NewCustom("Backups that still hold "+number, "Close", textBox(520, hp.obj), u.w).Show()
	})
}

// regHeads lists the destruction numbers shown (tests).
func (p *registerPane) regHeads() []string {
	var out []string
	for _, r := range p.rows {
		if r.entry < 0 {
			out = append(out, r.number)
		}
	}
	return out
}
