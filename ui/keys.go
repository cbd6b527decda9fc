package ui

// The keyboard: Escape closes the dialog on top, Enter in a form's field
// presses the form's main button. Tab moves between fields in the order
// they are laid out (Fyne's focus order; entry.AcceptsTab keeps Tab out of
// multi-line fields).

import (
	"fmt"
	"reflect"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// escCloses marks b as the button that closes its dialog: Escape presses
// it. Fyne's dialogs with a dismiss button (Cancel, Close, OK: ShowConfirm,
// ShowInformation, NewCustom, NewCustomConfirm, NewForm…) need no mark;
// a dialog made with NewCustomWithoutButtons marks its closing button,
// and only when closing it loses nothing (never the one-time passphrase's
// "Done", never a running job's "Stop").
func (u *UI) escCloses(b *widget.Button) *widget.Button {
	if u.escButtons == nil {
		u.escButtons = map[*widget.Button]bool{}
	}
	u.escButtons[b] = true
	return b
}

// submitOn makes Enter in each single-line field press b (when it is
// enabled): the form's main button.
func submitOn(b *widget.Button, fields ...*entry) {
	for _, e := range fields {
		e.OnSubmitted = func(string) {
			if !b.Disabled() && b.OnTapped != nil {
				b.OnTapped()
			}
		}
	}
}

// closeTopDialog closes the dialog on top of the window as its closing
// button would (Escape); false when there is none, or it has no button
// that closes it without losing anything.
func (u *UI) closeTopDialog() bool {
	top := u.w.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	if b := findButton(top, func(b *widget.Button) bool { return u.escButtons[b] }); b != nil {
		return press(b)
	}
	p, ok := top.(*widget.PopUp)
	if !ok {
		return false
	}
	// A Fyne dialog: its content is laid out by dialog.dialogLayout, the
	// fourth object holds the buttons and the first of them dismisses
	// (dialog/base.go create; TestEscapeClosesDialogs checks it on each
	// kind of dialog the window uses, so a Fyne upgrade that changes it
	// fails there).
	if c, ok := p.Content.(*fyne.Container); ok && fmt.Sprintf("%T", c.Layout) == "*dialog.dialogLayout" && len(c.Objects) > 3 {
		// Fyne's own buttons are a grid by columns (NewGridWithColumns:
		// dismiss first); buttons a screen set with SetButtons (a dialog
		// made without buttons) are a grid by rows, and none of them is
		// pressed unless marked (escCloses, above).
		if bs, ok := c.Objects[3].(*fyne.Container); ok && !gridByRows(bs.Layout) {
			if b := findButton(bs, func(*widget.Button) bool { return true }); b != nil {
				return press(b)
			}
		}
	}
	return false
}

// gridByRows reports whether l is Fyne's grid laid out by rows
// (layout.NewGridLayoutWithRows), read from its unexported field.
func gridByRows(l fyne.Layout) bool {
	v := reflect.ValueOf(l)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return true // not a grid: never guess
	}
	f := v.Elem().FieldByName("vertical")
	return !f.IsValid() || f.Kind() != reflect.Bool || f.Bool()
}

func press(b *widget.Button) bool {
	if b.Disabled() || !b.Visible() || b.OnTapped == nil {
		return false
	}
	b.OnTapped()
	return true
}

// findButton is the first visible button under o that ok accepts.
func findButton(o fyne.CanvasObject, ok func(*widget.Button) bool) *widget.Button {
	if o == nil || !o.Visible() {
		return nil
	}
	switch v := o.(type) {
	case *widget.Button:
		if ok(v) {
			return v
		}
		return nil
	case *fyne.Container:
		for _, c := range v.Objects {
			if b := findButton(c, ok); b != nil {
				return b
			}
		}
		return nil
	case *widget.PopUp:
		return findButton(v.Content, ok)
	case *container.Scroll:
		return findButton(v.Content, ok)
	}
	return nil
}

// typedKey is every key typed outside a field: activity, and Escape.
func (u *UI) typedKey(k *fyne.KeyEvent) {
	u.touch()
	if k.Name == fyne.KeyEscape {
		u.closeTopDialog()
	}
}
