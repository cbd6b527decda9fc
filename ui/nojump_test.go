package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// place is where o is drawn in the window, and its size.
func place(o fyne.CanvasObject) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
}

type spot struct {
	pos  fyne.Position
	size fyne.Size
}

// spots lays the window out again (as the real driver does before it
// draws) and reads where each object is.
func spots(objs map[string]fyne.CanvasObject) map[string]spot {
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if c := w.Content(); c != nil {
			c.Refresh()
		}
	}
	out := map[string]spot{}
	for k, o := range objs {
		out[k] = spot{place(o), o.Size()}
	}
	return out
}

func sameSpots(t *testing.T, when string, before, after map[string]spot) {
	t.Helper()
	for k, b := range before {
		a := after[k]
		if k == "sidebar" { // its entries stay; the list's foot may change
			a.size.Height, b.size.Height = 0, 0
		}
		if a != b {
			t.Errorf("%s: %s moved from %v %v to %v %v", when, k, b.pos, b.size, a.pos, a.size)
		}
	}
}

// TestBannerMovesNothing: the backup reminder going away (Remind me
// tomorrow) and coming back the next day moves no button, field or list
// of the window: the sidebar entries, the search field, Lock, the screen
// and its New client button stay where they were.
func TestBannerMovesNothing(t *testing.T) {
	h := newBackupHarness(t)
	m := h.u.main
	cv := h.u.w.Canvas()
	if bannerText(h) == "" {
		t.Fatal("no banner to start with")
	}
	objs := map[string]fyne.CanvasObject{"sidebar": m.nav, "search": m.search, "Lock": m.lockB, "screen": m.content,
		"New client": button(t, cv, "New client")}
	before := spots(objs)
	if before["New client"].pos.Y <= 0 || before["sidebar"].size.Height <= 0 {
		t.Fatalf("not laid out: %+v", before)
	}
	test.Tap(button(t, cv, "Remind me tomorrow"))
	if bannerText(h) != "" {
		t.Fatal("banner still shown")
	}
	sameSpots(t, "banner gone", before, spots(objs))
	h.clock.Add(24 * time.Hour)
	h.u.touch()
	h.u.tick()
	if bannerText(h) == "" {
		t.Fatal("no banner the next day")
	}
	sameSpots(t, "banner back", before, spots(objs))
}

// TestFieldErrorsMoveNoButton: on the client form an error appearing under
// a field, and the form's own error, do not move Save; they go as soon as
// the field is right, the form's error too.
func TestFieldErrorsMoveNoButton(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	cv := h.u.w.Canvas()
	test.Tap(button(t, cv, "New client"))
	f := h.form()
	objs := map[string]fyne.CanvasObject{"Save": f.saveB, "Cancel": button(t, cv, "Cancel")}
	before := spots(objs)
	test.Type(f.fields["email"], "not-an-address")
	test.Type(f.fields["dob"], "31/12/1980")
	if !f.errs["email"].Visible() || !f.errs["dob"].Visible() {
		t.Fatal("no field errors")
	}
	sameSpots(t, "field errors", before, spots(objs))
	test.Tap(f.saveB) // refused: the form's error
	h.u.wait()
	if !f.formErr.Visible() {
		t.Fatal("no form error")
	}
	sameSpots(t, "form error", before, spots(objs))
	f.fields["name"].SetText("Anna Keller")
	f.fields["email"].SetText("anna@example.com")
	if !f.formErr.Visible() {
		t.Error("the form's error went while the date is still wrong")
	}
	f.fields["dob"].SetText("1980-12-31")
	if f.formErr.Visible() || f.errs["dob"].Visible() || f.errs["email"].Visible() {
		t.Errorf("errors stay after every field is right: form %q", f.formErr.Text)
	}
	sameSpots(t, "errors gone", before, spots(objs))
}
