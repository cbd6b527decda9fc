package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"casevault/app"
	"casevault/app/checkup"
)

// showCheckupScreen opens Security check (which runs the check).
func (h *harness) showCheckupScreen() *checkupScreen {
	h.t.Helper()
	if !h.u.main.offers(navSecurity) {
		h.t.Fatalf("no Security check in the sidebar of %s", h.u.sess.User().Role)
	}
	h.u.main.show(navSecurity)
	h.u.wait()
	c := h.u.main.checkup
	if c.report == nil {
		h.t.Fatalf("the check did not run: %q", c.msg.Text)
	}
	return c
}

// itemByFix is the item of the report whose fix is fix.
func itemByFix(c *checkupScreen, fix checkup.Fix) (checkup.Item, bool) {
	for _, it := range c.report.Items {
		if it.Fix == fix {
			return it, true
		}
	}
	return checkup.Item{}, false
}

func itemByKey(c *checkupScreen, key string) checkup.Item {
	for _, it := range c.report.Items {
		if it.Key == key {
			return it
		}
	}
	return checkup.Item{}
}

// TestCheckupAutoLock: with auto-lock off the item needs attention, in
// an icon and in words, with Turn on auto-lock; the click turns it on (the
// window locks by itself again) and the check runs again: OK, no button,
// and What changed says so. Print report writes the page.
func TestCheckupAutoLock(t *testing.T) {
	var opened []string
	h := newHarness(t, true, func(o *Options) {
		o.openBrowser = func(p string) error { opened = append(opened, p); return nil }
	})
	off := app.DefaultSettings()
	off.AutoLock = 0
	if err := app.SaveSettings(h.dir, off); err != nil {
		t.Fatal(err)
	}
	h.u.set.AutoLock = 0
	h.unlocked()
	c := h.showCheckupScreen()
	cv := h.u.w.Canvas()
	it, ok := itemByFix(c, "auto-lock")
	if !ok || it.Status != checkup.Attention {
		t.Fatalf("auto-lock off: item %+v", it)
	}
	if !contains(cv, "Needs attention") || !strings.Contains(c.summary.Text, "attention") {
		t.Errorf("no words for attention; summary %q", c.summary.Text)
	}
	bs := c.fixes[it.Key]
	if len(bs) != 1 || bs[0].Text != "Turn on auto-lock" {
		t.Fatalf("fix buttons = %v", bs)
	}
	test.Tap(bs[0])
	h.u.wait()
	if h.u.set.AutoLock <= 0 || app.LoadSettings(h.dir).AutoLock <= 0 {
		t.Fatalf("auto-lock still off: window %v, file %v", h.u.set.AutoLock, app.LoadSettings(h.dir).AutoLock)
	}
	if got := itemByKey(c, it.Key); got.Status != checkup.OK || c.fixes[it.Key] != nil {
		t.Fatalf("after the fix: %+v, buttons %v", got, c.fixes[it.Key])
	}
	if !contains(cv, "What changed since the last check on") || !contains(cv, "now ok") {
		t.Errorf("what changed not shown; texts %q", texts(cv))
	}
	test.Tap(c.printB)
	h.u.wait()
	if len(opened) != 1 {
		t.Fatalf("report pages opened: %q", opened)
	}
	if b, err := os.ReadFile(opened[0]); err != nil || len(b) == 0 {
		t.Fatalf("report page: %v", err)
	}
}

// TestCheckupAnswer: a question the program cannot answer has Yes and
// No; the answer is kept and the item is no longer a question.
func TestCheckupAnswer(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	c := h.showCheckupScreen()
	var it checkup.Item
	for _, x := range c.report.Items {
		if x.Status == checkup.Ask {
			it = x
		}
	}
	if it.Key == "" {
		t.Skip("this platform answers every question itself")
	}
	bs := c.fixes[it.Key]
	if len(bs) != 2 || bs[0].Text != "Yes" || bs[1].Text != "No" || !contains(h.u.w.Canvas(), "Please answer") {
		t.Fatalf("question %q: buttons %v", it.Key, bs)
	}
	test.Tap(bs[0])
	h.u.wait()
	if got := itemByKey(c, it.Key); got.Status == checkup.Ask {
		t.Fatalf("still asked after Yes: %+v", got)
	}
}

// TestCheckupFixesLeadSomewhere: every kind of fix offers a button that
// does something the role may do: a one-click fix, or a screen of the
// sidebar; none is offered when the item is OK.
func TestCheckupFixesLeadSomewhere(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	c := h.showCheckupScreen()
	m := h.u.main
	for _, c2 := range []struct {
		fix  checkup.Fix
		want int // the screen it opens; -1: acts here; -2: opens a dialog
	}{
		{"auto-lock", -1}, {"clipboard", -1}, {"verify-audit", -1}, {"answer", -1},
		{"passphrase", navSettings}, {"kdf", -2}, {"key-file", -2},
		{"second-drive", navBackups}, {"drill", navBackups}, {"users", navUsers}, {"backup", navBackups},
	} {
		bs := c.fixButtons(checkup.Item{Key: "k", Title: "T", Status: checkup.Attention, Fix: c2.fix})
		if len(bs) == 0 {
			t.Errorf("%s: no button for the owner", c2.fix)
			continue
		}
		if c2.want == -1 {
			continue
		}
		m.show(navClients)
		dismissDialogs(h)
		test.Tap(bs[0])
		h.u.wait()
		switch {
		case c2.want == -2:
			if len(h.u.w.Canvas().Overlays().List()) == 0 || m.showing != navClients {
				t.Errorf("%s (%q): no dialog", c2.fix, bs[0].Text)
			}
		case m.showing != c2.want:
			t.Errorf("%s (%q): showing %s, want %s", c2.fix, bs[0].Text, navNames[m.showing], navNames[c2.want])
		}
		dismissDialogs(h)
	}
	if bs := c.fixButtons(checkup.Item{Key: "k", Status: checkup.OK, Fix: "auto-lock"}); len(bs) != 0 {
		t.Error("a button on an item that is OK")
	}
	// The passphrase fix puts the cursor in the current passphrase.
	m.show(navClients)
	test.Tap(c.fixButtons(checkup.Item{Key: "k", Status: checkup.Attention, Fix: "passphrase"})[0])
	if h.u.w.Canvas().Focused() != m.settings.current {
		t.Error("Change passphrase… does not put the cursor in the current passphrase")
	}
}

// dismissDialogs closes whatever dialog a button opened.
func dismissDialogs(h *harness) {
	for _, o := range h.u.w.Canvas().Overlays().List() {
		h.u.w.Canvas().Overlays().Remove(o)
	}
}

// TestCheckupReminder: the yearly reminder is in the banner with Run
// security check, which opens the screen and runs it; the reminder goes.
// A role that may not run the check (Paralegal) is not reminded.
func TestCheckupReminder(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.main.banner.refresh()
	h.u.wait()
	b := h.u.main.banner
	if b.checkDue != "" {
		t.Fatalf("a vault made today is reminded of its first check: %q", bannerText(h))
	}
	// Three weeks later (the window's clock; the vault was made now).
	h.clock.mu.Lock()
	h.clock.t = time.Now().Add(21 * 24 * time.Hour)
	h.clock.mu.Unlock()
	h.u.touch()
	h.u.main.banner.refresh()
	h.u.wait()
	if b.checkDue == "" || !b.checkB.Visible() || !strings.Contains(bannerText(h), b.checkDue) {
		t.Fatalf("no reminder on a vault never checked: %q", bannerText(h))
	}
	test.Tap(b.checkB)
	h.u.wait()
	h.u.wait()
	if h.u.main.showing != navSecurity || h.u.main.checkup.report == nil {
		t.Fatalf("the reminder did not open the check: showing %d", h.u.main.showing)
	}
	if b.checkDue != "" || b.checkB.Visible() {
		t.Errorf("the reminder stays after the check: %q", bannerText(h))
	}

	h2 := newHarness(t, true)
	h2.clock.t = time.Now().Add(21 * 24 * time.Hour)
	h2.unlockRole("Pat Jones", "Paralegal")
	h2.u.main.banner.refresh()
	h2.u.wait()
	if b2 := h2.u.main.banner; b2.obj.Visible() && b2.checkB.Visible() {
		t.Error("a Paralegal is reminded of a check they may not run")
	}
}

// TestCheckupAddKeyFile: Add a key file… asks the current passphrase and
// to save the key file first; a wrong passphrase changes nothing; then
// the vault opens only with the passphrase and the key file.
func TestCheckupAddKeyFile(t *testing.T) {
	kfPath := filepath.Join(t.TempDir(), "casevault.key")
	h := newHarness(t, true, func(o *Options) { o.pickPath = func(bool) string { return kfPath } })
	h.unlocked()
	c := h.showCheckupScreen()
	it, ok := itemByFix(c, "key-file")
	if !ok {
		t.Skip("no key-file item")
	}
	test.Tap(c.fixes[it.Key][0])
	f := c.passFix
	if f == nil {
		t.Fatal("no dialog")
	}
	test.Tap(f.okB)
	if !strings.Contains(f.msg.Text, "current passphrase") {
		t.Errorf("no passphrase: %q", f.msg.Text)
	}
	test.Type(f.current, testPass)
	test.Tap(f.okB)
	if !strings.Contains(f.msg.Text, "Save the key file first") {
		t.Errorf("no key file: %q", f.msg.Text)
	}
	test.Tap(f.saveKF)
	if _, err := os.Stat(kfPath); err != nil {
		t.Fatal(err)
	}
	f.current.SetText("not my passphrase at all")
	test.Tap(f.okB)
	h.u.wait()
	if !strings.Contains(f.msg.Text, "not your current passphrase") || h.u.sess.User().KeyFile {
		t.Fatalf("wrong passphrase: %q, key file %v", f.msg.Text, h.u.sess.User().KeyFile)
	}
	f.current.SetText(testPass)
	test.Tap(f.okB)
	h.u.wait()
	if c.passFix != nil || !h.u.sess.User().KeyFile {
		t.Fatalf("key file not added: %q", f.msg.Text)
	}
	if got := itemByKey(c, it.Key); got.Status != checkup.OK {
		t.Errorf("after adding the key file: %+v", got)
	}
}
