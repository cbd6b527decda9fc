package ui

// What counts as activity for auto-lock, besides keys and buttons (see
// UI.touch): the mouse moving over the window, and the desktop session
// locking or the computer going to sleep, which lock at once.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	dsk "casevault/app/desktop"
)

// activityArea shows content over a background that counts mouse movement
// as activity. Fyne gives a hover to the top-most desktop.Hoverable under
// the pointer, so the background gets every movement except over the
// widgets that take hovers themselves (buttons, list rows, menus) and over
// dialogs; the pointer crosses the background on its way almost anywhere.
type activityArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	moved   func()
}

var _ desktop.Hoverable = (*activityArea)(nil)

func newActivityArea(content fyne.CanvasObject, moved func()) *activityArea {
	a := &activityArea{content: content, moved: moved}
	a.ExtendBaseWidget(a)
	return a
}

func (a *activityArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(a.content)
}

func (a *activityArea) MouseIn(*desktop.MouseEvent)    { a.moved() }
func (a *activityArea) MouseMoved(*desktop.MouseEvent) { a.moved() }
func (a *activityArea) MouseOut()                      {}

// watchDesktop locks the vault on w's events until w is closed. It runs on
// its own goroutine.
func (u *UI) watchDesktop(w dsk.Watcher) {
	for e := range w.Events() {
		u.do(func() { u.desktopEvent(e) })
	}
}

// desktopEvent locks the vault: the screen was locked, or the computer is
// about to sleep. Before sleep it skips the backup on lock (the computer
// would cut it off) and tells the watcher once the keys are wiped, so that
// the computer waits for that.
func (u *UI) desktopEvent(e dsk.Event) {
	if u.sess == nil {
		e.Done()
		return
	}
	switch e.Kind {
	case dsk.Sleeping:
		u.lock("Locked because the computer went to sleep.", false, nil)
		go func() {
			u.closing.Wait()
			e.Done()
		}()
	default:
		u.lockNow("Locked because the screen was locked.")
		e.Done()
	}
}
