package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
	"casevault/vault/atomicfile"
)

// SettingsFile, in the vault folder, keeps the window's preferences in
// plain JSON: only durations, never client data.
const SettingsFile = "ui-settings.json"

// Settings are the window's preferences.
type Settings struct {
	AutoLock       time.Duration `json:"auto_lock"`       // lock after this long idle; 0 = never
	ClipboardClear time.Duration `json:"clipboard_clear"` // clear copied client data after this long
	// AskDocVersion: a change saved in an opened document becomes a new
	// version only once the person says yes (the window's Settings).
	AskDocVersion bool `json:"ask_doc_version,omitempty"`
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
	s.AskDocVersion = f.AskDocVersion
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

// DefaultDocumentLimit is the largest file a document may be until the
// owner sets another limit (SetDocumentLimit): 4 GiB.
const DefaultDocumentLimit int64 = 4 << 30

// The limits SetDocumentLimit accepts: from 1 MB to 1 TB.
const (
	MinDocumentLimit int64 = 1_000_000
	MaxDocumentLimit int64 = 1_000_000_000_000
)

// docLimitSetting is the settings key of the document size limit (bytes,
// decimal).
const docLimitSetting = "doc_limit"

// DocumentLimit is the largest file AddDocument and the other adds take,
// in bytes (DefaultDocumentLimit unless SetDocumentLimit changed it). It
// reads no record: every user adding a file needs it.
func (s *Session) DocumentLimit() int64 {
	n := DefaultDocumentLimit
	s.st.ViewAs(context.Background(), store.Everyone, func(tx *store.Tx) error {
		v, err := tx.Setting(docLimitSetting)
		if err != nil {
			return err
		}
		if x, err := strconv.ParseInt(v, 10, 64); err == nil && x >= MinDocumentLimit && x <= MaxDocumentLimit {
			n = x
		}
		return nil
	})
	return n
}

// SetDocumentLimit sets the largest file a document may be, from
// MinDocumentLimit to MaxDocumentLimit. Documents already stored are kept
// whatever their size. The change is in the audit trail (from and to).
func (s *Session) SetDocumentLimit(ctx context.Context, n int64) error {
	if err := s.allow(ctx, access.SetDocLimit); err != nil {
		return err
	}
	if n < MinDocumentLimit || n > MaxDocumentLimit {
		return &FieldError{"limit", fmt.Sprintf("The size limit for documents must be from %s to %s (%s was given)",
			human.Size(MinDocumentLimit), human.Size(MaxDocumentLimit), human.Size(n))}
	}
	old := s.DocumentLimit()
	return s.update(ctx, "document.limit", func(tx *store.Tx) (string, string, error) {
		return "", fmt.Sprintf("the size limit for documents from %s to %s", human.Size(old), human.Size(n)),
			tx.SetSetting(docLimitSetting, strconv.FormatInt(n, 10))
	})
}
