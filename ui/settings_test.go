package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestChangePassphraseAsksCurrent: Settings changes the passphrase only
// after the current one: not typed, Change stays off; a wrong one is
// refused and nothing changes (the old passphrase still unlocks); the
// current one again as the new one is refused; the error goes when the
// field is typed again; Enter in a field changes it.
func TestChangePassphraseAsksCurrent(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.main.show(navSettings)
	h.u.wait()
	st := h.u.main.settings
	const newPass = "quartz meadow plover ember"
	st.np.p1.SetText(newPass)
	st.np.p2.SetText(newPass)
	if !st.changeB.Disabled() {
		t.Fatal("Change is on without the current passphrase")
	}
	st.current.SetText("not my passphrase at all")
	if st.changeB.Disabled() {
		t.Fatal("Change is off with every field filled")
	}
	test.Tap(st.changeB)
	h.u.wait()
	if !strings.Contains(st.passMsg.Text, "not your current passphrase") || st.current.Text != "" {
		t.Fatalf("wrong current: message %q, field %q", st.passMsg.Text, st.current.Text)
	}
	if st.np.p1.Text != newPass {
		t.Error("the new passphrase was wiped after a wrong current one: type it again")
	}
	test.Type(st.current, "x")
	if st.passMsg.Text != "" {
		t.Errorf("the refusal stays while the field is typed again: %q", st.passMsg.Text)
	}
	// The same passphrase as the new one.
	st.current.SetText(testPass)
	st.np.p1.SetText(testPass)
	st.np.p2.SetText(testPass)
	test.Tap(st.changeB)
	h.u.wait()
	if !strings.Contains(st.passMsg.Text, "the one you have now") {
		t.Fatalf("same passphrase: %q", st.passMsg.Text)
	}
	// Right, with Enter in the repeat field.
	st.np.p1.SetText(newPass)
	st.np.p2.SetText(newPass)
	st.np.p2.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.u.wait()
	if !strings.Contains(st.passMsg.Text, "Passphrase changed") || st.current.Text != "" || st.np.p1.Text != "" {
		t.Fatalf("change: %q, fields %q %q", st.passMsg.Text, st.current.Text, st.np.p1.Text)
	}
	h.u.lockNow("")
	h.u.wait()
	h.unlock(testPass)
	if h.u.sess != nil {
		t.Fatal("the old passphrase still opens the vault")
	}
	h.unlock(newPass)
	if h.u.sess == nil {
		t.Fatal("the new passphrase does not open the vault")
	}
}

// TestSettingsDisplayName: Settings shows the name that signs notes,
// refuses a bad one as it is typed (Save off), saves a good one with Enter,
// and the session signs with it.
func TestSettingsDisplayName(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.main.show(navSettings)
	h.u.wait()
	st := h.u.main.settings
	if !st.nameB.Disabled() {
		t.Error("Save name on before any change")
	}
	st.name.SetText(strings.Repeat("x", 101))
	if !st.nameB.Disabled() || st.nameMsg.Text == "" {
		t.Fatalf("a 101-character name: save on %v, message %q", !st.nameB.Disabled(), st.nameMsg.Text)
	}
	st.name.SetText("Jane Roe, Esq.")
	if st.nameB.Disabled() || st.nameMsg.Text != "" {
		t.Fatalf("a good name: save off %v, message %q", st.nameB.Disabled(), st.nameMsg.Text)
	}
	st.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.u.wait()
	if got := h.u.sess.DisplayName(); got != "Jane Roe, Esq." || !strings.Contains(st.nameMsg.Text, "signed Jane Roe, Esq.") {
		t.Fatalf("after saving: display name %q, message %q", got, st.nameMsg.Text)
	}
}
