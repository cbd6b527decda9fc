package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"casevault/vault/atomicfile"
)

// SettingsFile, in the vault folder, keeps the window's preferences in
// plain JSON: only durations, never client data.
const SettingsFile = "ui-settings.json"

// Settings are the window's preferences.
type Settings struct {
	AutoLock       time.Duration `json:"auto_lock"`       // lock after this long idle; 0 = never
	ClipboardClear time.Duration `json:"clipboard_clear"` // clear copied client data after this long
}

// DefaultSettings: lock after 5 minutes idle, clear the clipboard after 30 s.
func DefaultSettings() Settings {
	return Settings{AutoLock: 5 * time.Minute, ClipboardClear: 30 * time.Second}
}

// LoadSettings reads dir's settings; missing or bad values are defaults.
func LoadSettings(dir string) Settings {
	s := DefaultSettings()
	b, err := os.ReadFile(filepath.Join(dir, SettingsFile))
	if err != nil {
		return s
	}
	var f Settings
	if json.Unmarshal(b, &f) != nil {
		return s
	}
	if f.AutoLock >= 0 && f.AutoLock <= 24*time.Hour {
		s.AutoLock = f.AutoLock
	}
	if f.ClipboardClear >= 5*time.Second && f.ClipboardClear <= 10*time.Minute {
		s.ClipboardClear = f.ClipboardClear
	}
	return s
}

// SaveSettings writes dir's settings.
func SaveSettings(dir string, s Settings) error {
	b, _ := json.MarshalIndent(s, "", "  ")
	return replaceFile(dir, SettingsFile, b)
}

// replaceFile writes one of the small plain files beside the vault (0600)
// atomically and durably (atomicfile: temp file, fsync, rename, fsync the
// folder), so a reader or a crash sees the old or the new one.
func replaceFile(dir, name string, b []byte) error {
	return atomicfile.WriteFile(filepath.Join(dir, name), b)
}
