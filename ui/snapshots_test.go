package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"casevault/app"
)

// TestSnapshotsNewestFirst: the list is newest first whichever order the
// backup gives (oldest first today, newest first if it changes), and each
// column is at least as wide as its widest cell and its title.
func TestSnapshotsNewestFirst(t *testing.T) {
	newHarness(t, false) // a Fyne app for text measuring
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a := &app.Snapshot{ID: "aaaaaaaa11", Time: t0}
	b := &app.Snapshot{ID: "bbbbbbbb22", Time: t0.Add(time.Hour), AddedBytes: 123456789, Counts: map[string]int{"clients": 10000}}
	c := &app.Snapshot{ID: "cccccccc33", Time: t0.Add(48 * time.Hour)}
	for _, in := range [][]*app.Snapshot{{a, b, c}, {c, b, a}, {b, c, a}} {
		got := newestFirst(in)
		if got[0] != c || got[1] != b || got[2] != a {
			t.Errorf("newestFirst(%s %s %s) = %s %s %s", in[0].ID, in[1].ID, in[2].ID, got[0].ID, got[1].ID, got[2].ID)
		}
	}
	snaps := []*app.Snapshot{c, b, a}
	ws := fitWidths(snapCols, len(snaps), func(r, col int) string { return snapCell(snaps[r], col) })
	for col, w := range ws {
		need := fyne.MeasureText(snapCols[col], theme.TextSize(), fyne.TextStyle{Bold: true}).Width
		for _, s := range snaps {
			need = max(need, fyne.MeasureText(snapCell(s, col), theme.TextSize(), fyne.TextStyle{}).Width)
		}
		if w < need+2*theme.InnerPadding() {
			t.Errorf("column %s is %v wide, its widest text needs %v", snapCols[col], w, need+2*theme.InnerPadding())
		}
	}
}
