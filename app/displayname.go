package app

import (
	"context"
	"fmt"

	"casevault/store"
)

// MaxDisplayName is the longest display name, in characters.
const MaxDisplayName = 100

// ValidateDisplayName cleans a display name (one line of text, at most
// MaxDisplayName characters; "" = the user name).
func ValidateDisplayName(name string) (string, error) {
	if err := cleanLine("display-name", &name, false, ""); err != nil {
		return "", err
	}
	if err := tooLong("display-name", name, MaxDisplayName); err != nil {
		return "", err
	}
	return name, nil
}

// DisplayName is the name that signs the user's notes and reports: the
// display name they chose, or the name the audit trail gives them (their
// user name).
func (s *Session) DisplayName() string {
	if u := s.currentUser(); u.displayName != "" {
		return u.displayName
	}
	return s.actor
}

// SetDisplayName sets the signed-in user's own display name ("" = their
// user name). It needs no permission: it is the user's own name.
func (s *Session) SetDisplayName(ctx context.Context, name string) error {
	name, err := ValidateDisplayName(name)
	if err != nil {
		return err
	}
	if u := s.currentUser(); u.blocked() {
		return &MustChangeError{Expired: u.expired && !u.mustChange, KeyFile: u.needKey && !u.mustChange && !u.expired}
	}
	id := s.currentUser().id
	err = s.update(ctx, "user.display_name", func(tx *store.Tx) (string, string, error) {
		if id == 0 {
			o, err := tx.OwnerUser()
			if err != nil {
				return "", "", err
			}
			id = o.ID
		}
		return ref("user", id), fmt.Sprintf("display name %q", name), tx.SetDisplayName(id, name)
	})
	if err != nil {
		return err
	}
	s.userMu.Lock()
	s.user.displayName = name
	s.userMu.Unlock()
	return nil
}
