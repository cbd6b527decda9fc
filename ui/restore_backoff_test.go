package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestRestoreBackoff: wrong passphrases on the restore screen cost the same
// growing wait as on the unlock screen (issue 8, item 11): after three, the
// next try is refused until 5 s have passed on the (injected) clock.
func TestRestoreBackoff(t *testing.T) {
	target := backupOf(t)
	h := newHarness(t, false)
	r := restoreScreenOf(t, h)
	r.repo.SetText(target)
	for i := 0; i < 4; i++ {
		r.cred.pass.SetText("")
		test.Type(r.cred.pass, "not the passphrase")
		test.Tap(r.openB)
		h.u.wait()
		if !strings.Contains(r.errMsg.Text, "does not open this backup") {
			t.Fatalf("wrong passphrase %d: %q", i+1, r.errMsg.Text)
		}
	}
	r.cred.pass.SetText("")
	test.Type(r.cred.pass, testPass)
	test.Tap(r.openB)
	h.u.wait()
	if !strings.Contains(r.errMsg.Text, "4 wrong attempts: wait 5 s") || r.bk != nil {
		t.Fatalf("after 4 wrong passphrases: %q (opened: %v)", r.errMsg.Text, r.bk != nil)
	}
	h.clock.Add(5 * time.Second)
	test.Tap(r.openB)
	h.u.wait()
	if r.bk == nil {
		t.Fatalf("after the wait, the right passphrase: %q", r.errMsg.Text)
	}
}
