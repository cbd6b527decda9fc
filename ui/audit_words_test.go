package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// visibleTexts is texts without what is hidden (a closed accordion's
// content, a hidden label).
func visibleTexts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.RichText:
			out = append(out, v.String())
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// TestAuditTrailInWords: the window's trail says what happened with names
// ("Viewed client …"), no action codes or record ids in the table; an
// entry chosen shows in full in the pane, its codes only under Technical
// details, folded.
func TestAuditTrailInWords(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.addClient("Anna Keller")
	h.u.main.show(navAudit)
	h.u.wait()
	a := h.u.main.audit
	row := -1
	for i, e := range a.entries {
		if e.Action == "client.add" {
			row = i
		}
		for col := range auditCols {
			c := auditCell(&a.entries[i], col)
			if strings.Contains(c, "client:") || strings.Contains(c, "client.") {
				t.Errorf("a code in the table: row %d col %d %q", i, col, c)
			}
		}
	}
	if row < 0 {
		t.Fatalf("no client.add among %d entries", len(a.entries))
	}
	if got := auditCell(&a.entries[row], 2); got != "Added a client" {
		t.Errorf("what = %q", got)
	}
	if got := auditCell(&a.entries[row], 3); !strings.Contains(got, "Client Anna Keller") {
		t.Errorf("details = %q", got)
	}
	if a.detail.body.Visible() {
		t.Error("the pane shows an entry before one is chosen")
	}
	a.table.Select(widget.TableCellID{Row: row, Col: 2})
	shown := strings.Join(visibleTexts(a.detail.obj), "\n")
	if !strings.Contains(shown, "Added a client") || !strings.Contains(shown, "Client Anna Keller") {
		t.Errorf("pane = %q", shown)
	}
	if strings.Contains(shown, "client:") || strings.Contains(shown, "client.add") {
		t.Errorf("codes shown outside Technical details: %q", shown)
	}
	a.detail.techA.OpenAll()
	shown = strings.Join(visibleTexts(a.detail.obj), "\n")
	if !strings.Contains(shown, "client.add") || !strings.Contains(shown, "client:1") {
		t.Errorf("technical details = %q", shown)
	}
	// The action filter offers words and filters by the code behind them.
	a.action.SetSelected("Added a client")
	a.reload()
	h.u.wait()
	if len(a.entries) != 1 || a.entries[0].Action != "client.add" {
		t.Fatalf("filtered by 'Added a client': %+v", a.entries)
	}
	// Columns fit their widest cell: the What column is as wide as its text.
	w := fyne.MeasureText("Added a client", theme.TextSize(), fyne.TextStyle{}).Width
	if got := a.widths[2]; got < w {
		t.Errorf("What column %v narrower than its text %v", got, w)
	}
}
