package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// Closing the window on the recovery key screen, after copying the key and
// before the retype check, must not leave the key on the clipboard.
func TestCloseWindowClearsCopiedRecoveryKey(t *testing.T) {
	h := newHarness(t, false)
	s := h.u.setup
	if s == nil {
		t.Fatal("not on the setup screen")
	}
	s.name.SetText("Jane Roe")
	s.np.p1.SetText(testPass)
	s.np.p2.SetText(testPass)
	test.Tap(s.create)
	h.u.wait()
	if s.key == "" {
		t.Fatal("recovery key not shown")
	}
	test.Tap(button(t, h.u.w.Canvas(), "Copy"))
	if got := h.u.a.Clipboard().Content(); got != s.key {
		t.Fatalf("clipboard = %q before closing", got)
	}
	h.u.closeRequested()
	if got := h.u.a.Clipboard().Content(); got != "" {
		t.Errorf("recovery key left on the clipboard after the window closed: %q", got)
	}
}
