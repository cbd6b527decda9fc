// Package ui holds the Fyne desktop screens of casevault.
//
// For now it is a stub: a single calm window that says the desktop window is
// coming and points at the command line, which does everything today. Like
// the real screens to come, it talks only to casevault/app (never to store or
// vault directly); the layering test at the module root enforces that.
package ui

import (
	"errors"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Title is the title of the main window.
const Title = "casevault"

// ComingSoon is what the stub window says.
const ComingSoon = "The casevault desktop window is coming in the next release. " +
	"Until then, the command line does everything: run casevault --help to see how."

// ErrNoDisplay is returned by Run when there is no graphical display to open a window on.
var ErrNoDisplay = errors.New("there is no graphical display to open the casevault window on; " +
	"use the command line instead (run casevault --help)")

// Run opens the casevault window and blocks until the user closes it.
// version is shown under the message when it is not empty.
func Run(version string) error {
	if !hasDisplay() {
		return ErrNoDisplay
	}
	// app.New (no unique ID) keeps Fyne from creating a preferences or
	// storage folder on disk: the stub has nothing to store.
	a := fyneapp.New()
	w := newWindow(a, version)
	w.SetMaster()
	w.ShowAndRun()
	return nil
}

// NewWindow builds (but does not show) the main window on a.
func NewWindow(a fyne.App) fyne.Window {
	return newWindow(a, "")
}

func newWindow(a fyne.App, version string) fyne.Window {
	w := a.NewWindow(Title)

	msg := widget.NewLabel(ComingSoon)
	msg.Wrapping = fyne.TextWrapWord

	content := container.NewVBox(msg)
	if version != "" {
		v := widget.NewLabel("Version " + version)
		v.Importance = widget.LowImportance
		content.Add(v)
	}

	w.SetContent(container.NewPadded(content))
	w.Resize(fyne.NewSize(520, 180))
	w.CenterOnScreen()
	return w
}

// hasDisplay reports whether a window can be opened. On X11/Wayland systems
// that means DISPLAY or WAYLAND_DISPLAY is set; elsewhere (macOS, Windows)
// there is always a display when a user runs the program.
func hasDisplay() bool {
	if !usesDisplayEnv() {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// usesDisplayEnv reports whether this platform finds its display through
// the DISPLAY / WAYLAND_DISPLAY environment variables.
func usesDisplayEnv() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return true
	}
	return false
}
