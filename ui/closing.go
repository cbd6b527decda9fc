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
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

// lockFailure is what the window says about a lock that failed, and
// whether it failed on damage to the vault (a sealed audit segment missing
// or damaged, so every checkpoint fails until it is put back). The app's
// wording of that case names a command (casevault repair); the window's
// way is the check, which names the damaged file and offers Restore a
// backup…, and which the unlock screen offers (Unlock and check…).
func lockFailure(err error) (msg string, damaged bool) {
	var ce *app.CheckpointError
	if errors.As(err, &ce) && errors.Is(err, app.ErrDamaged) {
		return "While locking: part of the vault is damaged, so it could not be compacted. Nothing is lost: every change is saved " +
			"(in the vault's log), but the vault cannot be compacted until the damaged part is put back. Check the vault " +
			"(Unlock and check…, or Check this vault… in Settings) to see which part is damaged and how to put it back from a backup " +
			"(technical details: " + ce.Err.Error() + ").", true
	}
	return "While locking: " + app.Message(err), false
}

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
// damaged: the vault is damaged (a lock's checkpoint failed on it), so the
// unlock screen offers Unlock and check… (lockFailure).
func (u *UI) closeFailed(msg string, damaged bool) {
	u.lockDamaged = u.lockDamaged || damaged
	if us := u.unlock; us != nil {
		us.info.SetText(strings.TrimSpace(us.info.Text + "\n" + msg))
		us.info.Show()
		if damaged {
			us.checkB.Show()
		}
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
