package ui

import (
	"strings"
	"testing"
)

// TestIntakeQueueFrame: the Submissions tab is built once per unlock (h7's
// frame may ask for it on every show), says how to start intake while
// nothing came, and is nothing while the vault is locked.
func TestIntakeQueueFrame(t *testing.T) {
	h := newHarness(t, true)
	if o := h.u.intakeQueue(); o == nil || h.u.main != nil {
		t.Fatalf("locked: %v, main %v", o, h.u.main)
	}
	h.u.refreshIntake() // locked: nothing to do, no panic
	h.unlocked()
	first := h.u.intakeQueue()
	if again := h.u.intakeQueue(); again != first {
		t.Error("intakeQueue built a second tab")
	}
	h.u.refreshIntake()
	h.u.wait()
	if q := h.u.main.intake; q == nil || !strings.Contains(q.empty.Text, "Start intake") {
		t.Fatalf("empty state = %+v", q)
	}
	h.u.lockNow("")
	h.u.wait()
	if h.u.main != nil {
		t.Fatal("still unlocked")
	}
}
