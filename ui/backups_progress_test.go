package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"casevault/app"
)

// The form dialog of a drill or restore: while the work runs its only
// button is Stop, which stops the work and gives the form back; closing the
// dialog stops the work too.
func TestFormRunStopAndClose(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	u, cv := h.u, h.u.w.Canvas()
	f := u.newFormRun("Working")
	cancelB := u.button("Cancel", theme.CancelIcon(), func() { f.d.Hide() })
	f.show(u, "A long job", textBox(300, f.pv.obj), cancelB)

	var got []error
	start := func() {
		started := make(chan struct{})
		runForm(u, f, func(ctx context.Context, progress app.ProgressFunc) (int, error) {
			progress(app.BackupProgress{Phase: "Copying", Bytes: 1, TotalBytes: 4})
			close(started)
			<-ctx.Done()
			return 0, ctx.Err()
		}, func(_ int, err error) {
			got = append(got, err)
			f.running(false)
		})
		<-started
	}
	start()
	if !f.busy || !f.pv.obj.Visible() || contains(cv, "Cancel") {
		t.Fatalf("while running: busy %v, progress shown %v; texts %q", f.busy, f.pv.obj.Visible(), texts(cv))
	}
	test.Tap(button(t, cv, "Stop"))
	u.wait()
	if len(got) != 1 || !errors.Is(got[0], context.Canceled) {
		t.Fatalf("after Stop: %v", got)
	}
	if f.busy || f.cancel != nil || f.pv.obj.Visible() || !contains(cv, "Cancel") {
		t.Fatalf("after Stop: busy %v, progress shown %v; texts %q", f.busy, f.pv.obj.Visible(), texts(cv))
	}
	if f.pv.bar.Value != 0.25 {
		t.Errorf("progress bar = %v, want 0.25", f.pv.bar.Value)
	}

	start()
	f.d.Hide() // closing the dialog (Escape, or the window locking)
	u.wait()
	if len(got) != 2 || !errors.Is(got[1], context.Canceled) {
		t.Fatalf("after closing: %v", got)
	}
}
