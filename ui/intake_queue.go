package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// This file: the "Submissions" tab of the Intake screen (ui/intake.go, h7,
// builds the frame, the Start intake bar and the badge). For now the tab's
// frame and what it says while nothing came; the list and the review come
// with the app's review queue (PLAN12, h2).

// intakeQueue is the Submissions tab.
type intakeQueue struct {
	u     *UI
	obj   fyne.CanvasObject
	empty *widget.Label
}

// intakeQueue is the Submissions tab of the Intake screen: built once per
// unlock (the same object on each call).
func (u *UI) intakeQueue() fyne.CanvasObject {
	if u.main == nil || u.sess == nil {
		return container.NewStack()
	}
	if u.main.intake == nil {
		u.main.intake = newIntakeQueue(u)
	}
	return u.main.intake.obj
}

// refreshIntake reads the list again (a submission arrived, or one was
// decided); the submission open, if any, stays open.
func (u *UI) refreshIntake() {
	if u.sess == nil || u.main == nil || u.main.intake == nil {
		return
	}
}

func newIntakeQueue(u *UI) *intakeQueue {
	q := &intakeQueue{u: u, empty: hint(intakeEmptyNew)}
	q.obj = container.NewPadded(container.NewVBox(q.empty))
	return q
}

// intakeEmptyNew is what the list says when no new submission waits.
const intakeEmptyNew = "No new submissions. To take in a new client, click “Start intake” above: the intake form opens in the browser, " +
	"and what the person sends waits here, sealed, until you review it — even while the vault is locked."
