package ui

import (
	"bytes"
	"io"
	"log"
	"sync"
)

// Fyne reports its problems through the standard logger (fyne.LogError
// writes three lines: "Fyne error:  REASON", "  Cause: ERR", "  At:
// FILE:LINE"). One of them is noise for casevault's users: every time a
// file or folder chooser opens, Fyne 2.7's dialog looks up the usual user
// folders (Desktop, Documents, Downloads, Music, Pictures, Videos) through
// xdg-user-dir and logs "Getting favorite locations … this computer does
// not define a VIDEOS folder" when one of them is not set up or does not
// exist, which is normal (dialog/file.go getFavoriteLocations; it also
// checks the wrong error variable, so the last lookup's error is the one
// reported). The chooser works all the same: it just lists fewer
// shortcuts. Nothing in casevault can make those folders exist, so the
// window's logger drops exactly that report and passes every other line
// through.

// fyneNoise is the reason of the one Fyne report that is dropped.
var fyneNoise = []byte("Fyne error:  Getting favorite locations")

// quietFyneLog is an io.Writer for log.SetOutput: it writes every log line
// to w except Fyne's favourite-folder report and its Cause and At lines.
type quietFyneLog struct {
	mu       sync.Mutex
	w        io.Writer
	dropping bool // inside the dropped report: its Cause and At lines go too
}

// The log package hands over one whole entry (ending in a newline) per
// Write call.
func (q *quietFyneLog) Write(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case bytes.Contains(p, fyneNoise):
		q.dropping = true
		return len(p), nil
	case q.dropping && (bytes.Contains(p, []byte("  Cause: ")) || bytes.Contains(p, []byte("  At: "))):
		return len(p), nil
	}
	q.dropping = false
	if _, err := q.w.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// quietenFyne makes the standard logger, which Fyne writes to, drop the
// favourite-folder noise (see quietFyneLog) and write the rest to w.
func quietenFyne(w io.Writer) {
	log.SetOutput(&quietFyneLog{w: w})
}
