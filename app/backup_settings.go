package app

import (
	"casevault/app/human"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"casevault/backup"
)

// BackupSettingsFile, in the vault folder, keeps the backup target, the
// schedule and the last outcomes in plain JSON: a folder path and times,
// never client data (docs/THREAT-MODEL.md).
const BackupSettingsFile = "backup.json"

// BackupSettings are the backup schedule and what happened last.
type BackupSettings struct {
	Target string `json:"target,omitempty"`  // the repository folder
	RepoID string `json:"repo_id,omitempty"` // the repository last written there

	OnLock          bool          `json:"on_lock"`           // back up when the vault locks or the program closes
	Interval        time.Duration `json:"interval"`          // back up this often while unlocked; 0 = off
	RemindAfterDays int           `json:"remind_after_days"` // remind when no backup succeeded for this long
	DrillEveryDays  int           `json:"drill_every_days"`  // remind when no drill for this long

	LastBackup     time.Time `json:"last_backup,omitempty"`
	LastSnapshot   string    `json:"last_snapshot,omitempty"`
	LastError      string    `json:"last_error,omitempty"`
	LastErrorAt    time.Time `json:"last_error_at,omitempty"`
	LastDrill      time.Time `json:"last_drill,omitempty"`
	LastDrillOK    bool      `json:"last_drill_ok,omitempty"`
	DismissedUntil time.Time `json:"dismissed_until,omitempty"` // the reminder is hidden until then
}

// DefaultBackupSettings: back up on lock and every hour while unlocked,
// remind after 7 days without a backup and 30 days without a drill.
func DefaultBackupSettings() BackupSettings {
	return BackupSettings{OnLock: true, Interval: time.Hour, RemindAfterDays: 7, DrillEveryDays: 30}
}

// LoadBackupSettings reads dir's backup settings; a missing or unreadable
// file gives the defaults, and out-of-range values are reset.
func LoadBackupSettings(dir string) BackupSettings {
	s := DefaultBackupSettings()
	b, err := os.ReadFile(filepath.Join(dir, BackupSettingsFile))
	if err != nil {
		return s
	}
	if json.Unmarshal(b, &s) != nil {
		return DefaultBackupSettings()
	}
	d := DefaultBackupSettings()
	if s.Interval < 0 || s.Interval > 7*24*time.Hour || (s.Interval > 0 && s.Interval < 5*time.Minute) {
		s.Interval = d.Interval
	}
	if s.RemindAfterDays < 1 || s.RemindAfterDays > 365 {
		s.RemindAfterDays = d.RemindAfterDays
	}
	if s.DrillEveryDays < 1 || s.DrillEveryDays > 365 {
		s.DrillEveryDays = d.DrillEveryDays
	}
	return s
}

// SaveBackupSettings writes dir's backup settings atomically.
func SaveBackupSettings(dir string, s BackupSettings) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return replaceFile(dir, BackupSettingsFile, b)
}

// Reminder is what the main screen shows when backups need attention.
type Reminder struct {
	BackupDue bool
	DrillDue  bool
	Text      string
}

// Reminder returns what is due at now, or nil when nothing is or the user
// dismissed it for today.
func (s BackupSettings) Reminder(now time.Time) *Reminder {
	if now.Before(s.DismissedUntil) {
		return nil
	}
	r := &Reminder{}
	var parts []string
	switch {
	case s.Target == "":
		r.BackupDue = true
		parts = append(parts, "No backup has been made yet. Choose a backup drive in Backups.")
	case s.LastBackup.IsZero():
		r.BackupDue = true
		parts = append(parts, "No backup has been made yet. Plug in the backup drive and choose Back up now.")
	case now.Sub(s.LastBackup) >= time.Duration(s.RemindAfterDays)*24*time.Hour:
		r.BackupDue = true
		parts = append(parts, fmt.Sprintf("No backup for %s. Plug in the backup drive and choose Back up now in Backups.", days(now.Sub(s.LastBackup))))
	}
	switch {
	case s.LastBackup.IsZero():
		// A drill needs a backup first; the backup reminder says so.
	case s.LastDrill.IsZero():
		r.DrillDue = true
		parts = append(parts, "No restore drill has proved the backup yet. Run one in Backups.")
	case !s.LastDrillOK:
		r.DrillDue = true
		parts = append(parts, "The last restore drill failed. Open Backups to see why and run one again.")
	case now.Sub(s.LastDrill) >= time.Duration(s.DrillEveryDays)*24*time.Hour:
		r.DrillDue = true
		parts = append(parts, fmt.Sprintf("The last restore drill was %s ago. Run one in Backups.", days(now.Sub(s.LastDrill))))
	}
	if len(parts) == 0 {
		return nil
	}
	for i, p := range parts {
		if i > 0 {
			r.Text += " "
		}
		r.Text += p
	}
	return r
}

func days(d time.Duration) string {
	return human.Count(int(d/(24*time.Hour)), "day", "days")
}

// DismissReminder hides the reminder until the start of the next day
// (local time): it comes back tomorrow if still due, never goes for good.
func DismissReminder(dir string, now time.Time) error {
	s := LoadBackupSettings(dir)
	y, m, d := now.Date()
	s.DismissedUntil = time.Date(y, m, d+1, 0, 0, 0, 0, now.Location())
	return SaveBackupSettings(dir, s)
}

// AutoBackupDue reports whether the interval backup should run at now: a
// target is set and reachable (its repository is there), the interval is on
// and it has passed since the last success (and, after a failure, since it).
func (s BackupSettings) AutoBackupDue(now time.Time) bool {
	if s.Target == "" || s.Interval <= 0 || !backup.IsRepo(s.Target) {
		return false
	}
	last := s.LastBackup
	if s.LastErrorAt.After(last) {
		last = s.LastErrorAt
	}
	return now.Sub(last) >= s.Interval
}

// TargetPresent reports whether the chosen backup folder holds its
// repository now (the drive is plugged in).
func (s BackupSettings) TargetPresent() bool {
	return s.Target != "" && backup.IsRepo(s.Target)
}
