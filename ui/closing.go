package ui

// Locking never waits for the vault to be saved: the window shows the
// unlock screen at once, and the session closes behind it (its lock
// entry, the checkpoint, the keys wiped) on a goroutine of its own
// (closeLater). What must wait for that close waits here: a new unlock of
// the vault (the closing session holds the vault's lock until its
// checkpoint is written: "Finishing saving…"), and closing the window,
// which shows a small progress dialog when the close takes more than a
// moment and never ends the program before the checkpoint is written.

import (
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

// closeProgressDelay: closing the window waits this long for a session
// still being saved before it shows that it waits.
const closeProgressDelay = 500 * time.Millisecond

// finishingSaving is the unlock screen's status while the vault locked a
// moment ago is still being saved.
const finishingSaving = "Finishing saving… (the vault is still being saved after locking; it unlocks right after)"

// closeLater closes s in the background once j (nil: none) has ended, and
// counts it as closing until then.
func (u *UI) closeLater(s *app.Session, j *app.BackupJob) {
	u.closing.Add(1)
	u.closingN.Add(1)
	u.jobs.CloseAfter(s, j, func() {
		u.closingN.Add(-1)
		u.closing.Done()
	})
}

// waitForSaving is for the unlock screen's work that opens the vault
// (unlock, open read-only, repair), called on the UI goroutine once the
// screen shows status: while a session locked a moment ago is still being
// saved, the screen says "Finishing saving…" instead. The returned wait
// runs at the start of the work, off the UI goroutine: it waits for those
// closes (they hold the vault's lock) and puts status back.
func (s *unlockScreen) waitForSaving(status string) (wait func()) {
	u := s.u
	if u.closingN.Load() == 0 {
		return func() {}
	}
	s.status.SetText(finishingSaving)
	return func() {
		u.closing.Wait()
		u.do(func() {
			if u.unlock == s && s.busy {
				s.status.SetText(status)
			}
		})
	}
}

// closeFailed tells the person what went wrong while a session closed:
// on the unlock screen, or, when the window shows something else (a
// restore), on the next unlock screen or after the next unlock.
func (u *UI) closeFailed(msg string) {
	if us := u.unlock; us != nil {
		us.info.SetText(strings.TrimSpace(us.info.Text + "\n" + msg))
		us.info.Show()
		return
	}
	u.closeProblem = strings.TrimSpace(u.closeProblem + "\n" + msg)
}

// whenClosed runs f on the UI goroutine once no session is closing any
// more: at once when none is. Meanwhile the window stays and, after
// closeProgressDelay, says that it is saving the vault.
func (u *UI) whenClosed(f func()) {
	if u.closingN.Load() == 0 {
		f()
		return
	}
	u.quitting = true
	delay := u.opts.closeProgressAfter
	if delay == 0 {
		delay = closeProgressDelay
	}
	var d *dialog.CustomDialog
	show := func() {
		if d != nil || !u.quitting {
			return
		}
		bar := widget.NewProgressBarInfinite()
		d = dialog.NewCustomWithoutButtons("Saving the vault",
			textBox(400, wrapped("The vault is locked. casevault is saving the last changes into the vault before it closes; this takes a moment."), bar), u.w)
		d.Show()
	}
	if delay < 0 {
		show()
	}
	done := make(chan struct{})
	u.pending.Add(1) // delivered below: a test's wait sees it before it is queued
	go func() {
		u.closing.Wait()
		close(done)
		u.deliver(func() {
			u.quitting = false
			if d != nil {
				d.Hide()
			}
			f()
		})
	}()
	if delay > 0 {
		go func() {
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-t.C:
				u.post(show)
			case <-done:
			}
		}()
	}
}
