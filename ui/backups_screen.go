package ui

// The Backups screen: the backup folder and drive, the last backup and
// drill, the buttons, the schedule and the list of snapshots.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/human"
)

type backupsScreen struct {
	u        *UI
	obj      fyne.CanvasObject
	target   *widget.Label
	drive    *widget.Label
	last     *widget.Label
	lastErr  *widget.Label
	lastHint *widget.Label
	drill    *widget.Label
	status   *widget.Label
	checked  *widget.Label

	chooseB, backupB, drillB, restoreB, checkB *widget.Button

	onLock    *widget.Check
	interval  *widget.Select
	intervals []time.Duration
	remind    *entry
	drillDays *entry
	schedMsg  *widget.Label

	snaps   []*app.Snapshot // newest first
	widths  []float32       // the snapshot table's column widths (fitColumns)
	table   *widget.Table
	snapMsg *widget.Label
	seq     int
	present bool // the backup folder holds its backup now

	drillD   *drillDialog   // the open drill dialog (tests)
	restoreD *restoreDialog // the open restore dialog (tests)
}

// snapCols are the snapshot table's columns; fitColumns sizes them to
// their widest cell.
// The snapshot's short id is not a column: the lawyer picks a snapshot by
// its time (the id is in "Last backup" and in the restore dialog), and the
// four columns fit the pane at the window's size.
var snapCols = []string{"Time", "Added", "Clients", "Matters"}

func newBackupsScreen(u *UI) *backupsScreen {
	b := &backupsScreen{u: u, target: wrapped(""), drive: wrapped(""), last: wrapped(""), lastErr: errLabel(),
		lastHint: hint(""), drill: wrapped(""), status: quiet(""), checked: wrapped(""), schedMsg: quiet(""), snapMsg: wrapped("")}
	b.target.Wrapping = fyne.TextWrapBreak
	b.lastHint.Hide()
	b.status.Hide()
	b.checked.Hide()
	b.schedMsg.Hide()
	b.chooseB = u.button("Choose backup drive or folder…", theme.FolderOpenIcon(), u.chooseTarget)
	b.backupB = u.button("Back up now", theme.UploadIcon(), u.backupNow)
	b.backupB.Importance = widget.HighImportance
	b.drillB = u.button("Run restore drill…", theme.MediaReplayIcon(), b.runDrill)
	b.restoreB = u.button("Restore…", theme.DownloadIcon(), b.restore)
	b.checkB = u.button("Check backup", theme.SearchIcon(), b.check)

	// The schedule: the widgets get their values first, then their handlers,
	// so that showing the screen saves nothing.
	set := app.LoadBackupSettings(u.sess.Dir())
	b.onLock = widget.NewCheck("Back up when the vault locks or casevault closes", nil)
	b.onLock.SetChecked(set.OnLock)
	b.onLock.OnChanged = func(on bool) { b.saveSchedule(func(st *app.BackupSettings) { st.OnLock = on }) }
	b.intervals = append([]time.Duration(nil), intervalChoices...)
	found := false
	for _, d := range b.intervals {
		found = found || d == set.Interval
	}
	if !found { // set elsewhere (the command line): keep it as a choice
		b.intervals = append([]time.Duration{set.Interval}, b.intervals...)
	}
	var labels []string
	for _, d := range b.intervals {
		labels = append(labels, intervalLabel(d))
	}
	b.interval = widget.NewSelect(labels, nil)
	for i, d := range b.intervals {
		if d == set.Interval {
			b.interval.SetSelectedIndex(i)
		}
	}
	b.interval.OnChanged = func(string) {
		if i := b.interval.SelectedIndex(); i >= 0 {
			d := b.intervals[i]
			b.saveSchedule(func(st *app.BackupSettings) { st.Interval = d })
		}
	}
	b.remind = b.daysEntry(set.RemindAfterDays, func(st *app.BackupSettings, n int) { st.RemindAfterDays = n })
	b.drillDays = b.daysEntry(set.DrillEveryDays, func(st *app.BackupSettings, n int) { st.DrillEveryDays = n })

	b.table = widget.NewTable(func() (int, int) { return len(b.snaps), len(snapCols) },
		func() fyne.CanvasObject { return line("", false) },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(b.snaps) {
				o.(*widget.Label).SetText(snapCell(b.snaps[id.Row], id.Col))
			}
		})
	b.table.ShowHeaderRow = true
	b.table.CreateHeader = func() fyne.CanvasObject { return bold("") }
	b.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(snapCols) {
			o.(*widget.Label).SetText(snapCols[id.Col])
		}
	}
	b.fitColumns()

	state := container.New(layout.NewFormLayout(),
		bold("Backup folder"), b.target,
		bold("Drive"), b.drive,
		bold("Last backup"), container.NewVBox(b.last, b.lastErr, b.lastHint),
		bold("Last restore drill"), b.drill,
	)
	left := container.NewVBox(
		container.NewBorder(nil, nil, heading("Backups"), b.status),
		container.NewHBox(b.chooseB, b.backupB),
		container.NewHBox(b.drillB, b.restoreB, b.checkB),
		b.checked,
		state,
		widget.NewSeparator(),
		bold("Schedule"),
		b.onLock,
		container.NewHBox(widget.NewLabel("Also back up while open:"), b.interval),
		container.NewHBox(widget.NewLabel("Remind me when there is no backup for"), fixedWidth(64, b.remind), widget.NewLabel("days")),
		container.NewHBox(widget.NewLabel("Remind me to run a restore drill every"), fixedWidth(64, b.drillDays), widget.NewLabel("days")),
		b.schedMsg,
	)
	right := container.NewBorder(container.NewVBox(bold("Snapshots"), b.snapMsg), nil, nil, nil, b.table)
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), container.NewPadded(right))
	split.SetOffset(0.45) // the left side keeps its buttons' width; the snapshots get the rest
	b.obj = split
	b.reload()
	return b
}

// newestFirst is a copy of snaps, the newest first (whatever order the
// backup lists them in).
func newestFirst(snaps []*app.Snapshot) []*app.Snapshot {
	out := slices.Clone(snaps)
	slices.SortStableFunc(out, func(a, b *app.Snapshot) int { return b.Time.Compare(a.Time) })
	return out
}

// fitColumns sizes each column of the snapshot table to its widest cell,
// its title included: nothing is cut off.
func (b *backupsScreen) fitColumns() {
	b.widths = fitWidths(snapCols, len(b.snaps), func(row, col int) string { return snapCell(b.snaps[row], col) })
	for i, w := range b.widths {
		b.table.SetColumnWidth(i, w)
	}
}

// fitWidths is the width of each column of a table of rows: its widest
// cell or title (in bold), with the cell's padding.
func fitWidths(titles []string, rows int, cell func(row, col int) string) []float32 {
	pad := 2*theme.InnerPadding() + theme.Padding() // a label's insets, and a little air
	out := make([]float32, len(titles))
	for c, t := range titles {
		w := fyne.MeasureText(t, theme.TextSize(), fyne.TextStyle{Bold: true}).Width
		for r := 0; r < rows; r++ {
			w = max(w, fyne.MeasureText(cell(r, c), theme.TextSize(), fyne.TextStyle{}).Width)
		}
		out[c] = w + pad
	}
	return out
}

func snapCell(s *app.Snapshot, col int) string {
	switch col {
	case 0:
		return human.Time(s.Time)
	case 1:
		return human.Size(s.AddedBytes)
	case 2:
		return strconv.Itoa(s.Counts["clients"])
	}
	return strconv.Itoa(s.Counts["matters"])
}

// reload shows the backup settings and lists the snapshots.
func (b *backupsScreen) reload() {
	u, s := b.u, b.u.sess
	if s == nil {
		return
	}
	now := u.now()
	set := app.LoadBackupSettings(s.Dir())
	b.present = set.TargetPresent()
	switch {
	case set.Target == "":
		b.target.SetText("No backup folder chosen yet")
		b.drive.SetText("—")
	default:
		b.target.SetText(set.Target)
		d, err := app.DriveOf(set.Target)
		switch {
		case err != nil:
			b.drive.SetText("Not connected: plug in the backup drive.")
		case d.System:
			b.drive.SetText(human.Capitalize(d.Describe()) + ". A backup on the laptop's own disk is lost with the laptop: a USB drive is safer.")
		default:
			b.drive.SetText(human.Capitalize(d.Describe()))
		}
	}
	if set.LastBackup.IsZero() {
		b.last.SetText("Never")
	} else {
		b.last.SetText(fmt.Sprintf("%s (%s), snapshot %s", human.Time(set.LastBackup), ago(now, set.LastBackup), short(set.LastSnapshot)))
	}
	switch f := lastFailure(set); {
	case f != "":
		setMsg(b.lastErr, "Failed on "+human.Time(set.LastErrorAt)+": "+f)
		b.lastHint.SetText("What to do: plug in the backup drive and choose Back up now. If it keeps failing, choose the drive or folder again.")
		b.lastHint.Show()
	case set.LastError != "" && set.LastErrorAt.After(set.LastBackup):
		setMsg(b.lastErr, "")
		b.lastHint.SetText("The backup of " + human.Time(set.LastErrorAt) + " was stopped before it finished.")
		b.lastHint.Show()
	default:
		setMsg(b.lastErr, "")
		b.lastHint.Hide()
	}
	switch {
	case set.LastDrill.IsZero():
		b.drill.Importance = widget.MediumImportance
		b.drill.SetText("Never. Run one to prove that the backup restores.")
	case set.LastDrillOK:
		b.drill.Importance = widget.SuccessImportance
		b.drill.SetText(fmt.Sprintf("%s (%s): passed", human.Time(set.LastDrill), ago(now, set.LastDrill)))
	default:
		b.drill.Importance = widget.DangerImportance
		b.drill.SetText(fmt.Sprintf("%s (%s): FAILED. Back up now, then run a drill again.", human.Time(set.LastDrill), ago(now, set.LastDrill)))
	}
	b.drill.Refresh()
	for _, bt := range []*widget.Button{b.drillB, b.restoreB, b.checkB} {
		if b.present {
			bt.Enable()
		} else {
			bt.Disable()
		}
	}

	b.seq++
	seq := b.seq
	if !b.present {
		b.snaps = nil
		b.table.Hide()
		switch {
		case set.Target == "":
			b.snapMsg.SetText("No backup folder chosen yet. Choose a backup drive or folder, then Back up now.")
		case set.RepoID == "":
			b.snapMsg.SetText("No backup in this folder yet. Choose Back up now.")
		default:
			b.snapMsg.SetText("The backup drive is not connected. Plug it in to see the snapshots.")
		}
		return
	}
	b.snapMsg.SetText("Reading the backup…")
	target := set.Target
	type listing struct {
		snaps []*app.Snapshot
		bad   int
	}
	run(u, func(ctx context.Context) (listing, error) {
		bk, err := s.OpenBackups(ctx, target)
		if err != nil {
			return listing{}, err
		}
		defer bk.Close()
		snaps, bad, err := bk.Snapshots(ctx)
		return listing{snaps, len(bad)}, err
	}, func(l listing, err error) {
		if seq != b.seq {
			return
		}
		b.snaps = newestFirst(l.snaps)
		b.fitColumns()
		show(b.table, len(b.snaps) > 0)
		b.table.Refresh()
		switch {
		case err != nil:
			b.snapMsg.SetText("The snapshots could not be read: " + app.Message(err))
		case len(b.snaps) == 0:
			b.snapMsg.SetText("No snapshots yet. Choose Back up now.")
		case len(b.snaps) == 1:
			b.snapMsg.SetText("1 snapshot. Each one restores the vault as it was then.")
		default:
			b.snapMsg.SetText(human.Count(len(b.snaps), "snapshot", "snapshots") + ", newest first. Each one restores the vault as it was then.")
		}
		if l.bad > 0 {
			b.snapMsg.SetText(b.snapMsg.Text + " " + human.Count(l.bad, "damaged snapshot file", "damaged snapshot files") + ": choose Check backup.")
		}
	})
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// ago says how long ago t was, roughly.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return human.Count(int(d/time.Minute), "minute", "minutes") + " ago"
	case d < 48*time.Hour:
		return human.Count(int(d/time.Hour), "hour", "hours") + " ago"
	}
	return human.Count(int(d/(24*time.Hour)), "day", "days") + " ago"
}

// ready reports whether the backup folder can be used now, and says why
// not otherwise.
func (b *backupsScreen) ready() (string, bool) {
	u := b.u
	if u.sess == nil {
		return "", false
	}
	set := app.LoadBackupSettings(u.sess.Dir())
	switch {
	case set.Target == "":
		u.showText("No backup yet", "Choose a backup drive or folder and back up first.")
	case !set.TargetPresent():
		u.showText("The backup is not there", "There is no backup in "+set.Target+" now. Plug in the backup drive and try again.")
	case u.job != nil:
		u.showText("A backup is running", "Wait until the backup has finished, then try again.")
	default:
		return set.Target, true
	}
	return "", false
}
