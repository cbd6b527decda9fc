package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// TestSettingsDocuments: "Ask before saving a new version of an opened
// document" is saved with the window's preferences (and read back); the
// size limit of documents is the vault's, changed and audited through the
// app; a role that may not change it sees the choice off and why.
func TestSettingsDocuments(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	st := h.settingsScreen()
	if st.askDoc.Checked || h.u.set.AskDocVersion {
		t.Fatal("asking is on by default")
	}
	test.Tap(st.askDoc)
	if !h.u.set.AskDocVersion || !app.LoadSettings(h.dir).AskDocVersion {
		t.Fatalf("ask not saved: window %v, file %v", h.u.set.AskDocVersion, app.LoadSettings(h.dir).AskDocVersion)
	}
	if st.limitSel.Selected != "4.3 GB (the default)" {
		t.Errorf("limit shown = %q", st.limitSel.Selected)
	}
	st.limitSel.SetSelected("100 MB")
	h.u.wait()
	if got := h.u.sess.DocumentLimit(); got != 100_000_000 {
		t.Fatalf("limit = %d after choosing 100 MB; message %q", got, st.limitMsg.Text)
	}
	if !strings.Contains(st.limitMsg.Text, "larger than 100 MB are refused") {
		t.Errorf("limit message = %q", st.limitMsg.Text)
	}
	// Shown again, the screen reads the limit back.
	st = h.settingsScreen()
	if st.limitSel.Selected != "100 MB" || !st.askDoc.Checked {
		t.Errorf("shown again: limit %q, ask %v", st.limitSel.Selected, st.askDoc.Checked)
	}
	h.u.lockNow("")
	h.u.wait()

	// A read-only user: the limit is shown but cannot be changed.
	h.unlockRole("Rita", "read-only")
	st = h.settingsScreen()
	if !st.limitSel.Disabled() || !contains(h.u.w.Canvas(), "cannot change the size limit for documents") {
		t.Errorf("read-only: limit off %v; texts %q", st.limitSel.Disabled(), texts(h.u.w.Canvas()))
	}
}
