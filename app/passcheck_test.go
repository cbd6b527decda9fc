package app

import (
	"errors"
	"testing"

	"casevault/app/access"
)

// TestCheckOwnPassphrase: the owner's and a user's current passphrase
// pass; another user's, a wrong one and an empty one are
// ErrNotCurrentPassphrase; after a change the old one no longer passes.
func TestCheckOwnPassphrase(t *testing.T) {
	w := newWallVault(t)
	o := w.owner
	if err := o.CheckOwnPassphrase(ctx, []byte(testPass), nil); err != nil {
		t.Fatalf("owner's own passphrase: %v", err)
	}
	for _, p := range []string{"", "wrong passphrase", testPass + " "} {
		if err := o.CheckOwnPassphrase(ctx, []byte(p), nil); !errors.Is(err, ErrNotCurrentPassphrase) {
			t.Errorf("owner with %q: %v", p, err)
		}
	}
	one := w.addUser(t, "olga", access.AttorneyRole)
	if err := o.Close(ctx); err != nil {
		t.Fatal(err)
	}
	w.firstUnlock(t, "olga", access.AttorneyRole, one)
	w.as(t, "olga", func(s *Session) {
		if err := s.CheckOwnPassphrase(ctx, w.passes["olga"], nil); err != nil {
			t.Fatalf("olga's own passphrase: %v", err)
		}
		if err := s.CheckOwnPassphrase(ctx, []byte(testPass), nil); !errors.Is(err, ErrNotCurrentPassphrase) {
			t.Errorf("olga with the owner's passphrase: %v", err)
		}
		if err := s.CheckOwnPassphrase(ctx, []byte(one), nil); !errors.Is(err, ErrNotCurrentPassphrase) {
			t.Errorf("olga with her old one-time passphrase: %v", err)
		}
	})
}
