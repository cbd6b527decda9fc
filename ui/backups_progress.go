package ui

// Long operations on a backup (backup, restore, drill, check) run in the
// background with a progress bar, the time left and a Stop button:
// progressView shows the progress, runWithProgress runs the work,
// progressDialog is the plain dialog and formRun the form dialog (a
// credential, then progress) they share.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

// runWithProgress runs work in the background, showing its progress in pv,
// and returns the function that stops it (ctx is cancelled). done gets the
// result on the UI goroutine (an error wrapping context.Canceled when
// stopped), unless the vault was locked meanwhile. No interval backup
// starts meanwhile (app.BackupJobs.Hold).
func runWithProgress[T any](u *UI, pv *progressView, work func(ctx context.Context, progress app.ProgressFunc) (T, error), done func(T, error)) context.CancelFunc {
	ctx, cancel := context.WithCancel(context.Background())
	epoch := u.epoch
	progress := u.progressFunc(func(p app.BackupProgress) {
		if u.epoch == epoch {
			pv.set(p)
		}
	})
	release := u.jobs.Hold()
	run(u, func(context.Context) (T, error) {
		defer release()
		defer cancel()
		return work(ctx, progress)
	}, done)
	return cancel
}

// progressDialog shows a dialog with what (a hint), a progress view
// starting at phase and a Stop button that calls stop.
func (u *UI) progressDialog(title, what, phase string, stop func()) (*dialog.CustomDialog, *progressView) {
	pv := newProgressView(phase)
	d := dialog.NewCustomWithoutButtons(title, textBox(460, hint(what), pv.obj), u.w)
	d.SetButtons([]fyne.CanvasObject{u.button("Stop", theme.CancelIcon(), stop)})
	d.Show()
	return d, pv
}

// formRun is a dialog that asks first (a credential, a snapshot) and then
// runs with its progress below the form: while running its buttons are
// only Stop, and closing it stops the work.
type formRun struct {
	d      *dialog.CustomDialog
	pv     *progressView
	idle   []fyne.CanvasObject // the buttons before and after a run
	stopB  *widget.Button
	cancel context.CancelFunc
	busy   bool
}

func (u *UI) newFormRun(phase string) *formRun {
	f := &formRun{pv: newProgressView(phase)}
	f.stopB = u.button("Stop", theme.CancelIcon(), f.stop)
	f.pv.obj.Hide()
	return f
}

// show opens the dialog with content (which holds f.pv.obj) and buttons.
func (f *formRun) show(u *UI, title string, content fyne.CanvasObject, buttons ...fyne.CanvasObject) {
	f.idle = buttons
	f.d = dialog.NewCustomWithoutButtons(title, content, u.w)
	f.d.SetButtons(buttons)
	f.d.SetOnClosed(f.stop)
	f.d.Show()
}

func (f *formRun) stop() {
	if f.cancel != nil {
		f.cancel()
	}
}

// running switches between the form's buttons and progress with Stop.
func (f *formRun) running(on bool) {
	f.busy = on
	if on {
		f.pv.obj.Show()
		f.d.SetButtons([]fyne.CanvasObject{f.stopB})
	} else {
		f.pv.obj.Hide()
		f.d.SetButtons(f.idle)
	}
}

// runForm runs work with its progress in f (see runWithProgress); done gets
// the result with f no longer busy, still showing the progress: it hides
// the dialog or calls f.running(false).
func runForm[T any](u *UI, f *formRun, work func(ctx context.Context, progress app.ProgressFunc) (T, error), done func(T, error)) {
	f.running(true)
	f.cancel = runWithProgress(u, f.pv, work, func(v T, err error) {
		f.busy, f.cancel = false, nil
		done(v, err)
	})
}

// progressFunc returns a ProgressFunc for a background goroutine: it hands
// the latest report to show on the UI goroutine, with at most one update
// waiting there at a time, so a fast backup does not flood the UI.
func (u *UI) progressFunc(show func(app.BackupProgress)) app.ProgressFunc {
	var mu sync.Mutex
	var latest app.BackupProgress
	waiting := false
	return func(p app.BackupProgress) {
		mu.Lock()
		latest = p
		if waiting {
			mu.Unlock()
			return
		}
		waiting = true
		mu.Unlock()
		u.post(func() {
			mu.Lock()
			p := latest
			waiting = false
			mu.Unlock()
			show(p)
		})
	}
}

// post runs f on the UI goroutine without waiting for it (progress). Under
// test it waits in the queue like every other result.
func (u *UI) post(f func()) {
	if u.queue != nil {
		u.do(f)
		return
	}
	fyne.Do(f)
}

// progressView is a progress bar with what is being done, the bytes and
// objects so far and an estimate of the time left.
type progressView struct {
	phase  *widget.Label
	bar    *widget.ProgressBar
	detail *widget.Label
	obj    fyne.CanvasObject
	cur    string
	since  time.Time
}

func newProgressView(phase string) *progressView {
	v := &progressView{phase: widget.NewLabel(phase + "…"), bar: widget.NewProgressBar(), detail: quiet(""), since: time.Now()}
	v.obj = container.NewVBox(v.phase, v.bar, v.detail)
	return v
}

func (v *progressView) set(p app.BackupProgress) {
	if p.Phase != "" && p.Phase != v.cur {
		v.cur, v.since = p.Phase, time.Now()
		if p.Phase != "Done" {
			v.phase.SetText(p.Phase + "…")
		}
	}
	f := fraction(p)
	v.bar.SetValue(f)
	var parts []string
	if p.TotalBytes > 0 {
		parts = append(parts, human.Size(p.Bytes)+" of "+human.Size(p.TotalBytes))
	}
	if p.TotalObjects > 0 {
		parts = append(parts, human.Of(p.Objects, p.TotalObjects, "object", "objects"))
	}
	if left := timeLeft(f, time.Since(v.since)); left != "" {
		parts = append(parts, left)
	}
	v.detail.SetText(strings.Join(parts, " · "))
}

// fraction is how much of p is done, 0..1.
func fraction(p app.BackupProgress) float64 {
	var f float64
	switch {
	case p.TotalBytes > 0:
		f = float64(p.Bytes) / float64(p.TotalBytes)
	case p.TotalObjects > 0:
		f = float64(p.Objects) / float64(p.TotalObjects)
	}
	return min(max(f, 0), 1)
}

// timeLeft estimates the rest from the rate so far; "" while too early to tell.
func timeLeft(f float64, elapsed time.Duration) string {
	if f < 0.02 || f >= 1 || elapsed < 2*time.Second {
		return ""
	}
	left := time.Duration(float64(elapsed) * (1 - f) / f)
	switch {
	case left < 10*time.Second:
		return "a few seconds left"
	case left < time.Minute:
		return fmt.Sprintf("about %d seconds left", int(left.Round(5*time.Second)/time.Second))
	case left < 90*time.Minute:
		n := int(left.Round(time.Minute) / time.Minute)
		if n == 1 {
			return "about 1 minute left"
		}
		return fmt.Sprintf("about %d minutes left", n)
	}
	return "about " + human.Duration(left.Round(5*time.Minute)) + " left"
}
