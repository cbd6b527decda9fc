package ui

import (
	"bytes"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
)

// A folder chooser on a computer whose user folders are not set up (here:
// an empty home and an xdg-user-dir that answers the home for every
// folder, as the real one does when a folder is not defined) makes Fyne
// log "this computer does not define a VIDEOS folder". The first half
// shows that the noise is real (if a later Fyne stops making it, this
// fails and quietFyneLog can go); the second that the window's logger
// drops it and nothing else.
func TestFolderChooserLogsNoFavouriteFolderNoise(t *testing.T) {
	home := t.TempDir()
	bin := filepath.Join(home, "bin")
	if err := os.Mkdir(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "xdg-user-dir"), []byte("#!/bin/sh\necho \"$HOME\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	defer log.SetOutput(os.Stderr)

	a := test.NewApp()
	defer a.Quit()

	choose := func() {
		w := a.NewWindow("chooser")
		w.Resize(fyne.NewSize(900, 700))
		d := dialog.NewFolderOpen(func(fyne.ListableURI, error) {}, w)
		d.Show()
		d.Hide()
		w.Close()
	}

	var raw bytes.Buffer
	log.SetOutput(&raw)
	choose()
	if !strings.Contains(raw.String(), "Getting favorite locations") {
		t.Errorf("Fyne no longer logs the favourite folders (quietFyneLog may go); it logged %q", raw.String())
	}

	var quiet bytes.Buffer
	quietenFyne(&quiet)
	choose()
	log.Println("Fyne error:  Something else")
	log.Println("  Cause: a real problem")
	if got, want := quiet.String(), "Fyne error:  Something else"; !strings.Contains(got, want) || !strings.Contains(got, "a real problem") ||
		strings.Contains(got, "favorite") || strings.Contains(got, "VIDEOS") || strings.Count(got, "\n") != 2 {
		t.Errorf("the window's log: %q, want only the other Fyne error", got)
	}
}

// Opening the window on a new folder (the setup screen) and on a vault
// (the unlock screen, then the main window) logs nothing: no toolkit
// warning and no leftover debugging line reaches the terminal.
// (.ci/window-quiet.sh checks the real program under Xvfb.)
func TestWindowStartLogsNothing(t *testing.T) {
	var out bytes.Buffer
	log.SetOutput(&out)
	defer log.SetOutput(os.Stderr)
	newHarness(t, false) // setup
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	if out.Len() > 0 {
		t.Errorf("the window logged:\n%s", out.String())
	}
}
