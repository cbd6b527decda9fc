package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func escape(u *UI) {
	u.w.Canvas().(test.WindowlessCanvas).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

// TestEscapeClosesDialogs: Escape closes each kind of dialog the window
// shows as its Cancel/Close/OK button would (the callback says "not
// confirmed"), from no focus and from a field inside the dialog; a dialog
// without a closing button marked stays; nothing on top: nothing happens.
func TestEscapeClosesDialogs(t *testing.T) {
	h := newHarness(t, false)
	u := h.u
	ov := u.w.Canvas().Overlays()
	escape(u) // no dialog: no panic, nothing
	kinds := map[string]func(done func(bool)){
		"confirm": func(done func(bool)) { dialog.ShowConfirm("Delete?", "Sure?", done, u.w) },
		"information": func(done func(bool)) {
			d := dialog.NewInformation("Done", "It worked.", u.w)
			d.SetOnClosed(func() { done(false) })
			d.Show()
		},
		"custom confirm": func(done func(bool)) {
			dialog.ShowCustomConfirm("Check", "Run", "Close", widget.NewLabel("x"), done, u.w)
		},
		"form": func(done func(bool)) {
			dialog.ShowForm("Name", "Save", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", u.newEntry(""))}, done, u.w)
		},
		"custom": func(done func(bool)) {
			d := dialog.NewCustom("Report", "Close", widget.NewLabel("x"), u.w)
			d.SetOnClosed(func() { done(false) })
			d.Show()
		},
	}
	for name, show := range kinds {
		got := -1
		show(func(ok bool) {
			if ok {
				got = 1
			} else {
				got = 0
			}
		})
		if ov.Top() == nil {
			t.Fatalf("%s: no dialog shown", name)
		}
		escape(u)
		if ov.Top() != nil || got != 0 {
			t.Errorf("%s: after Escape top = %v, callback %d (want closed, 0)", name, ov.Top(), got)
		}
	}

	// From a field inside the dialog: the field has the focus.
	e := u.newEntry("")
	closed := false
	dialog.ShowCustomConfirm("Type", "OK", "Cancel", e, func(bool) { closed = true }, u.w)
	u.w.Canvas().Focus(e)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !closed || ov.Top() != nil {
		t.Errorf("Escape in a dialog's field: closed %v, top %v", closed, ov.Top())
	}

	// Without buttons: only a marked button is pressed.
	stop := 0
	stopB := widget.NewButton("Stop", func() { stop++ })
	d := dialog.NewCustomWithoutButtons("Working", widget.NewLabel("…"), u.w)
	d.SetButtons([]fyne.CanvasObject{stopB})
	d.Show()
	escape(u)
	if stop != 0 || ov.Top() == nil {
		t.Fatalf("Escape pressed an unmarked button (%d) or closed the dialog", stop)
	}
	d.Hide()
	var d2 dialog.Dialog
	closeB := u.escCloses(widget.NewButton("Close", func() { d2.Hide() }))
	d2 = dialog.NewCustomWithoutButtons("Report", container.NewVScroll(container.NewVBox(widget.NewLabel("x"), closeB)), u.w)
	d2.Show()
	escape(u)
	if ov.Top() != nil {
		t.Error("Escape did not press the marked Close button")
	}
}

// TestEnterSubmits: submitOn makes Enter in a field press the button,
// unless it is disabled.
func TestEnterSubmits(t *testing.T) {
	h := newHarness(t, false)
	n := 0
	b := widget.NewButton("Save", func() { n++ })
	e1, e2 := h.u.newEntry(""), h.u.newEntry("")
	submitOn(b, e1, e2)
	h.u.w.SetContent(container.NewVBox(e1, e2, b))
	e2.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	b.Disable()
	e1.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if n != 1 {
		t.Fatalf("button pressed %d times, want 1 (enabled once, then disabled)", n)
	}
}

// TestTabOrder: the setup screen starts in its first field and Tab goes
// down the form in the order it reads: name, passphrase, the same again,
// then Create once it may be pressed.
func TestTabOrder(t *testing.T) {
	h := newHarness(t, false)
	s := h.u.setup
	c := h.u.w.Canvas()
	if c.Focused() != s.name {
		t.Fatalf("focus at start: %T", c.Focused())
	}
	s.name.SetText("Jane Roe")
	s.np.p1.SetText(testPass)
	s.np.p2.SetText(testPass)
	want := []fyne.Focusable{s.np.p1, s.np.p2, s.create}
	for i, w := range want {
		c.FocusNext()
		if c.Focused() != w {
			t.Fatalf("Tab %d: focus on %T %p, want %T %p", i+1, c.Focused(), c.Focused(), w, w)
		}
	}
}

// TestEscapeClosesScreenDialogs: Escape closes the window's own dialogs
// whose Cancel is marked (here Who can see this…), changing nothing.
func TestEscapeClosesScreenDialogs(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.addClient(canary)
	cv := h.u.w.Canvas()
	sb := h.u.main.clients.security
	test.Tap(button(t, cv, "Who can see this…"))
	h.u.wait()
	if cv.Overlays().Top() == nil {
		t.Fatal("no dialog")
	}
	sb.class.SetSelected(seeOnly)
	escape(h.u)
	h.u.wait()
	if cv.Overlays().Top() != nil {
		t.Fatal("Escape left Who can see this… open")
	}
	if !strings.Contains(sb.line.Text, "Everyone") {
		t.Errorf("Escape applied the change: %q", sb.line.Text)
	}
}
