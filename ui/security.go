package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
)

// This file: "Who can see this" on a client's and a matter's page: its
// security class (everyone, only named people, or everyone except named
// people: an ethical wall) and the people picker.

// Words of the three classes, as the radio buttons say them.
const (
	seeEveryone = "Everyone"
	seeOnly     = "Only these people"
	seeExcept   = "Everyone except these people"
)

var classWords = map[string]string{app.ClassGeneral: seeEveryone, app.ClassRestricted: seeOnly, app.ClassWalled: seeExcept}

// classLine says a class and its people in a sentence.
func classLine(what string, si *app.SecurityInfo) string {
	people := strings.Join(si.Users, ", ")
	if people == "" {
		people = "nobody named yet"
	}
	switch si.Class {
	case app.ClassRestricted:
		return fmt.Sprintf("Only %s and the owner can see this %s.", people, what)
	case app.ClassWalled:
		return fmt.Sprintf("Ethical wall: everyone except %s can see this %s.", people, what)
	}
	return fmt.Sprintf("Everyone whose role allows it can see this %s.", what)
}

// securityBox is the "Who can see this" part of a record's page (kind
// "client" or "matter"); it loads the class in the background.
type securityBox struct {
	u       *UI
	kind    string
	id      int64
	obj     *fyne.Container
	line    *widget.Label
	changeB *widget.Button
	info    *app.SecurityInfo
	// the dialog's controls while it shows (tests)
	class *widget.RadioGroup
	pick  *widget.CheckGroup
}

func (u *UI) newSecurityBox(kind string, id int64) *securityBox {
	b := &securityBox{u: u, kind: kind, id: id, line: wrapped("…")}
	b.changeB = u.button("Who can see this…", theme.VisibilityIcon(), b.edit)
	b.changeB.Disable()
	if !u.sess.CanDo(access.SetClassOf) {
		b.changeB.Hide() // only who manages users sets classes; the line still says who sees it
	}
	b.obj = container.NewVBox(bold("Who can see this"), container.NewBorder(nil, nil, nil, b.changeB, b.line))
	b.load()
	return b
}

func (b *securityBox) load() {
	u, s := b.u, b.u.sess
	run(u, func(ctx context.Context) (*app.SecurityInfo, error) { return s.SecurityClass(ctx, b.kind, b.id) },
		func(si *app.SecurityInfo, err error) {
			if err != nil {
				b.line.SetText("Not known: " + app.Message(err))
				return
			}
			b.info = si
			b.line.SetText(classLine(b.kind, si))
			b.changeB.Enable()
		})
}

// edit is the dialog: the three choices and the people picker.
func (b *securityBox) edit() {
	u, s := b.u, b.u.sess
	if b.info == nil {
		return
	}
	type people struct{ names []string }
	run(u, func(ctx context.Context) (people, error) {
		us, err := s.ListUsers(ctx)
		var p people
		for _, x := range us {
			if !x.Owner && !x.Removed {
				p.names = append(p.names, x.Name)
			}
		}
		return p, err
	}, func(p people, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("the people could not be read: %s", app.Message(err)), u.w)
			return
		}
		b.showDialog(p.names)
	})
}

func (b *securityBox) showDialog(names []string) {
	u := b.u
	pick := widget.NewCheckGroup(names, func([]string) { u.touch() })
	pick.SetSelected(b.info.Users)
	class := widget.NewRadioGroup([]string{seeEveryone, seeOnly, seeExcept}, nil)
	class.Required = true
	explain := hint("")
	class.OnChanged = func(c string) {
		u.touch()
		switch c {
		case seeOnly:
			explain.SetText("Only the people ticked (and the owner) find it: nobody else sees it in lists, search, counts, reports or exports.")
			pick.Enable()
		case seeExcept:
			explain.SetText("An ethical wall: the people ticked do not see it anywhere; everyone else whose role allows it does. " +
				"The owner always sees it.")
			pick.Enable()
		default:
			explain.SetText("Everyone whose role allows it sees it.")
			pick.Disable()
		}
	}
	class.SetSelected(classWords[b.info.Class])
	b.class, b.pick = class, pick
	if len(names) == 0 {
		pick.Hide()
	}
	errMsg := errLabel()
	var d dialog.Dialog
	saveB := u.button("Apply", theme.ConfirmIcon(), func() {
		c := app.ClassGeneral
		switch class.Selected {
		case seeOnly:
			c = app.ClassRestricted
		case seeExcept:
			c = app.ClassWalled
		}
		var users []string
		if c != app.ClassGeneral {
			users = pick.Selected
			if len(users) == 0 && c == app.ClassWalled {
				setMsg(errMsg, "Tick the people who must not see it.")
				return
			}
		}
		s, kind, id := u.sess, b.kind, b.id
		run(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.SetSecurityClass(ctx, kind, id, c, users)
		}, func(_ struct{}, err error) {
			if err != nil {
				setMsg(errMsg, "Not changed: "+app.Message(err))
				return
			}
			d.Hide()
			b.load()
		})
	})
	saveB.Importance = widget.HighImportance
	cancel := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { d.Hide() }))
	people := fyne.CanvasObject(container.NewVScroll(pick))
	if len(names) == 0 {
		people = quiet("There are no other people yet: add them on the Users screen.")
	}
	body := container.NewBorder(
		container.NewVBox(class, explain, bold("People")),
		container.NewVBox(
			hint("A conflict check still tells anyone that a possible conflict exists in a record they cannot see, "+
				"without names or details, so that a wall never hides a conflict. The change is recorded in the audit trail."),
			errMsg, container.NewHBox(layout.NewSpacer(), cancel, saveB)),
		nil, nil, people)
	d = dialog.NewCustomWithoutButtons("Who can see this "+b.kind, container.NewStack(&widthBox{width: 520}, body), u.w)
	d.Resize(fyne.NewSize(560, 520))
	d.Show()
}
