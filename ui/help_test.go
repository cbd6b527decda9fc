package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestHelpScreen: Help is the last entry of the left bar; every topic
// opens; a word finds the topics that mention it; the button under a topic
// opens the screen the task starts on.
func TestHelpScreen(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	m := h.u.main
	if m.items[len(m.items)-1] != navHelp {
		t.Fatalf("Help is not last in the left bar: %v", m.items)
	}
	m.show(navHelp)
	hs := m.help
	cv := h.u.w.Canvas()
	if len(hs.shown) != len(helpTopics) || hs.cur != 0 {
		t.Fatalf("Help shows %d of %d topics, the first chosen: %d", len(hs.shown), len(helpTopics), hs.cur)
	}
	for i := range helpTopics {
		hs.list.Select(i)
		if hs.cur != i || hs.title.Text != helpTopics[i].title || len(hs.body.Segments) == 0 {
			t.Fatalf("topic %d: cur %d title %q, %d segments", i, hs.cur, hs.title.Text, len(hs.body.Segments))
		}
	}

	// A word finds the topics that mention it, in any case.
	test.Type(hs.find, "WAIVER")
	var got []string
	for _, i := range hs.shown {
		got = append(got, helpTopics[i].title)
	}
	if len(got) == 0 || !strings.Contains(strings.Join(got, "|"), "Run a conflict check") {
		t.Fatalf("“waiver” finds %q", got)
	}
	hs.find.SetText("backup usb")
	if len(hs.shown) == 0 || helpTopics[hs.cur].title != "Back up" {
		t.Fatalf("“backup usb”: %d topics, chosen %q", len(hs.shown), hs.title.Text)
	}
	// The topic's button opens its screen.
	test.Tap(button(t, cv, "Open Backups"))
	h.u.wait()
	if m.showing != navBackups {
		t.Fatalf("Open Backups shows %d", m.showing)
	}
	m.show(navHelp)
	hs.find.SetText("zebra quokka")
	if len(hs.shown) != 0 || !contains(cv, "No task mentions") || hs.goB.Visible() {
		t.Fatalf("a word in no topic: %d shown, texts %q", len(hs.shown), texts(cv))
	}
	hs.find.SetText("")
	if len(hs.shown) != len(helpTopics) {
		t.Fatalf("cleared: %d topics", len(hs.shown))
	}
}

// TestHelpNamesRealControls: every word Help shows in bold (a button, a
// screen, a choice) is a text the window's code really shows, so Help
// never sends someone looking for a button that is not there. A few
// words are keys or commands, listed here.
func TestHelpNamesRealControls(t *testing.T) {
	notInWindow := map[string]bool{
		"left bar": true, "search field": true, "Tab": true, "Shift+Tab": true, "Space": true, "Enter": true, "Escape": true,
		"Ctrl+F": true, "casevault help": true, "casevault help conflicts": true, "bold": true,
	}
	var src strings.Builder
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "help.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	code := src.String()
	boldRe := regexp.MustCompile(`\*\*([^*]+)\*\*`)
	for _, tp := range helpTopics {
		for _, mm := range boldRe.FindAllStringSubmatch(tp.text, -1) {
			w := mm[1]
			if notInWindow[w] {
				continue
			}
			if !strings.Contains(code, `"`+w+`"`) && !strings.Contains(code, `"`+w) && !strings.Contains(code, w+`"`) {
				t.Errorf("Help topic %q names **%s**, which no window code shows", tp.title, w)
			}
		}
	}
}

// TestHelpForReadOnly: a role that does not open a topic's screen gets the
// reason, not a button.
func TestHelpForReadOnly(t *testing.T) {
	h := newHarness(t, true)
	h.unlockRole("Rita Reader", "Read-only")
	m := h.u.main
	m.show(navHelp)
	hs := m.help
	hs.find.SetText("users roles")
	if helpTopics[hs.cur].nav != navUsers {
		t.Fatalf("chosen %q", hs.title.Text)
	}
	if hs.goB.Visible() || !hs.notFor.Visible() || !strings.Contains(hs.notFor.Text, "does not open Users") {
		t.Fatalf("a Read-only user's Users topic: button %v, note %q", hs.goB.Visible(), hs.notFor.Text)
	}
}
