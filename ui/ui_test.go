package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// labels returns the text of every label under o.
func labels(o fyne.CanvasObject) []string {
	var out []string
	switch v := o.(type) {
	case *widget.Label:
		out = append(out, v.Text)
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, labels(c)...)
		}
	}
	return out
}

func TestNewWindow(t *testing.T) {
	a := test.NewApp()
	defer a.Quit()

	w := NewWindow(a)
	defer w.Close()

	if got := w.Title(); got != "casevault" {
		t.Errorf("title = %q, want %q", got, "casevault")
	}

	texts := labels(w.Content())
	found := false
	for _, s := range texts {
		if s == ComingSoon {
			found = true
		}
	}
	if !found {
		t.Fatalf("window has no label with the coming-soon text; labels: %q", texts)
	}
	if !strings.Contains(ComingSoon, "next release") || !strings.Contains(ComingSoon, "casevault --help") {
		t.Errorf("message should mention the next release and casevault --help: %q", ComingSoon)
	}
	if n := strings.Count(ComingSoon, ". "); n != 1 || !strings.HasSuffix(ComingSoon, ".") {
		t.Errorf("message should be two sentences: %q", ComingSoon)
	}
}

func TestNewWindowShowsVersion(t *testing.T) {
	a := test.NewApp()
	defer a.Quit()

	w := newWindow(a, "1.2.3")
	defer w.Close()

	texts := labels(w.Content())
	if !strings.Contains(strings.Join(texts, "\n"), "1.2.3") {
		t.Fatalf("version not shown; labels: %q", texts)
	}
	w.Show() // renders without a display via the test driver
}

func TestRunWithoutDisplay(t *testing.T) {
	if !usesDisplayEnv() {
		t.Skip("no display check on this platform")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if err := Run("test"); !errors.Is(err, ErrNoDisplay) {
		t.Fatalf("Run without a display = %v, want ErrNoDisplay", err)
	}
}
