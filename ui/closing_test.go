package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"casevault/app"
	"casevault/vault"
)

// blockedClose is a session close that waits until released: a checkpoint
// that takes as long as the test wants.
type blockedClose struct {
	started chan *app.Session
	release chan struct{}
	err     error // returned after the real close (a failure to show)
}

func newBlockedClose() *blockedClose {
	return &blockedClose{started: make(chan *app.Session, 4), release: make(chan struct{})}
}

func (b *blockedClose) option(o *Options) {
	o.closeSession = func(s *app.Session) error {
		b.started <- s
		<-b.release
		if err := s.Close(context.Background()); err != nil {
			return err
		}
		return b.err
	}
}

// auditActions opens the vault (locked) and lists its audit trail's actions.
func auditActions(t *testing.T, dir string) []string {
	t.Helper()
	s, err := app.Open(context.Background(), dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	es, err := s.AuditList(context.Background(), app.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

// TestLockDoesNotWaitForTheClose: the lock screen shows at once while the
// session's close (lock entry, checkpoint, keys wiped) is still running;
// the close still happens, in full.
func TestLockDoesNotWaitForTheClose(t *testing.T) {
	b := newBlockedClose()
	h := newHarness(t, true, b.option)
	h.unlocked()
	sess := h.u.sess
	h.u.lockNow("")
	if h.u.sess != nil || h.u.unlock == nil || h.u.main != nil {
		t.Fatal("lockNow did not show the unlock screen at once")
	}
	select {
	case s := <-b.started:
		if s != sess {
			t.Fatal("another session closed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the session's close never started")
	}
	if h.u.closingN.Load() != 1 {
		t.Fatalf("closing sessions: %d, want 1 (the blocked close)", h.u.closingN.Load())
	}
	// The window answers while the close is blocked.
	test.Type(h.u.unlock.pass, "abc")
	if h.u.unlock.pass.Text != "abc" {
		t.Fatal("the unlock screen does not take typing while the close runs")
	}
	close(b.release)
	h.u.wait()
	if h.u.closingN.Load() != 0 {
		t.Fatal("the close did not finish")
	}
	if _, err := sess.ListClients(context.Background(), 0); err == nil {
		t.Fatal("the closed session still reads: its keys were not wiped")
	}
	acts := auditActions(t, h.dir)
	if len(acts) < 2 || acts[len(acts)-2] != "lock" {
		t.Fatalf("the background close did not record the lock: %v", acts)
	}
}

// TestUnlockWaitsForThePendingClose: unlocking while the last lock is still
// saving says "Finishing saving…", waits for it (the closing session holds
// the vault's lock) and then unlocks; no error.
func TestUnlockWaitsForThePendingClose(t *testing.T) {
	b := newBlockedClose()
	h := newHarness(t, true, b.option)
	h.unlocked()
	h.u.lockNow("")
	<-b.started
	us := h.u.unlock
	test.Type(us.pass, testPass)
	us.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !strings.HasPrefix(us.status.Text, "Finishing saving") || !us.busy {
		t.Fatalf("unlock during a pending close: status %q", us.status.Text)
	}
	if us.errMsg.Text != "" {
		t.Fatalf("unlock during a pending close shows an error: %q", us.errMsg.Text)
	}
	close(b.release)
	h.u.wait()
	if h.u.sess == nil || h.u.main == nil {
		t.Fatalf("not unlocked after the close finished: %q %q", us.status.Text, us.errMsg.Text)
	}
}

// TestQuitWaitsForTheClose: closing the window locks at once but keeps the
// window, saying that it saves, until the session's close has finished;
// only then does the window close.
func TestQuitWaitsForTheClose(t *testing.T) {
	b := newBlockedClose()
	h := newHarness(t, true, b.option, func(o *Options) { o.closeProgressAfter = -1 })
	closed := false
	h.u.w.SetOnClosed(func() { closed = true })
	h.unlocked()
	h.u.closeRequested()
	<-b.started
	if h.u.sess != nil || closed {
		t.Fatalf("close request: session %v, window closed %v; want locked, window open", h.u.sess != nil, closed)
	}
	if !contains(h.u.w.Canvas(), "saving the last changes") {
		t.Fatalf("no progress while the close runs; texts %q", texts(h.u.w.Canvas()))
	}
	h.u.closeRequested() // a second request while waiting changes nothing
	close(b.release)
	h.u.wait()
	if !closed {
		t.Fatal("the window did not close once the session had closed")
	}
	if acts := auditActions(t, h.dir); acts[len(acts)-2] != "lock" {
		t.Fatalf("the close before quitting was not finished: %v", acts)
	}
}

// TestQuitWithoutPendingClose: nothing to wait for, no dialog.
func TestQuitWithoutPendingClose(t *testing.T) {
	h := newHarness(t, true)
	closed := false
	h.u.w.SetOnClosed(func() { closed = true })
	h.u.closeRequested()
	if !closed {
		t.Fatal("closing the locked window waited for nothing")
	}
}

// TestCloseFailureShown: a checkpoint that fails behind the lock screen is
// told on it, plainly: nothing is lost, the log keeps every change.
func TestCloseFailureShown(t *testing.T) {
	b := newBlockedClose()
	b.err = &app.CheckpointError{Err: errors.New("write objects/db/ab: no space left on device")}
	close(b.release)
	h := newHarness(t, true, b.option)
	h.unlocked()
	h.u.lockNow("")
	h.u.wait()
	info := h.u.unlock.info
	if !info.Visible() || !strings.Contains(info.Text, "While locking") || !strings.Contains(info.Text, "every change is saved") {
		t.Fatalf("close failure on the unlock screen: visible %v, %q", info.Visible(), info.Text)
	}
	// The window was elsewhere when it failed: the next unlock screen says it.
	h.unlocked()
	h.u.lockNow("")
	h.u.unlock = nil // as if a restore screen showed
	h.u.wait()
	h.u.showUnlock("")
	if info := h.u.unlock.info; !info.Visible() || !strings.Contains(info.Text, "every change is saved") {
		t.Fatalf("a failure while another screen showed was lost: %q", info.Text)
	}
}

// TestCloseDamageShownAfterUnlock: a lock that failed on damage while
// another screen showed (a restore) is told after the next unlock, in the
// window's words, and that notice offers Check this vault….
func TestCloseDamageShownAfterUnlock(t *testing.T) {
	b := newBlockedClose()
	b.err = &app.CheckpointError{Err: fmt.Errorf("checkpoint: %w: objects/audit/ab/abcd: missing", vault.ErrDamaged)}
	close(b.release)
	h := newHarness(t, true, b.option)
	h.unlocked()
	h.u.lockNow("")
	h.u.unlock = nil // as if a restore screen showed
	h.u.wait()
	s, err := app.Open(context.Background(), h.dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.u.opened(s)
	h.u.wait()
	cv := h.u.w.Canvas()
	if !contains(cv, "part of the vault is damaged") || contains(cv, "casevault repair") {
		t.Fatalf("texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Check this vault…"))
	h.u.wait()
	if h.u.main.showing != navSettings || h.u.main.settings.report == nil {
		t.Fatalf("Check this vault… led to %d; texts %q", h.u.main.showing, texts(cv))
	}
	if h.u.lockDamaged {
		t.Error("the offer outlived the unlock")
	}
}
