package ui

// The schedule on the Backups screen (back up on lock, the interval, the
// reminders), saved as it is changed.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
)

var intervalChoices = []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 4 * time.Hour, 0}

func intervalLabel(d time.Duration) string {
	switch {
	case d <= 0:
		return "off"
	case d == time.Hour:
		return "every hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("every %d hours", d/time.Hour)
	}
	return fmt.Sprintf("every %d min", d/time.Minute)
}

// fixedWidth gives o the width w (entries in a line of text).
func fixedWidth(w float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

// daysEntry is a number of days, 1 to 365, saved as it is typed.
func (b *backupsScreen) daysEntry(n int, save func(*app.BackupSettings, int)) *entry {
	e := b.u.newEntry("")
	e.SetText(strconv.Itoa(n))
	e.OnChanged = func(t string) {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || n < 1 || n > 365 {
			b.schedMsg.Importance = widget.DangerImportance
			setMsg(b.schedMsg, "Type a number of days from 1 to 365.")
			return
		}
		b.saveSchedule(func(st *app.BackupSettings) { save(st, n) })
	}
	return e
}

// saveSchedule changes the backup settings at once.
func (b *backupsScreen) saveSchedule(change func(*app.BackupSettings)) {
	u := b.u
	u.touch()
	if u.sess == nil {
		return
	}
	set := app.LoadBackupSettings(u.sess.Dir())
	change(&set)
	if err := app.SaveBackupSettings(u.sess.Dir(), set); err != nil {
		b.schedMsg.Importance = widget.DangerImportance
		setMsg(b.schedMsg, "Not saved: "+app.Message(err))
		return
	}
	b.schedMsg.Importance = widget.LowImportance
	setMsg(b.schedMsg, "Saved.")
	u.main.banner.refresh()
}
