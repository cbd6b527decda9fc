package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestNumberUsedHidesTitle: a number a hidden matter has is refused
// without its title; the owner is told which matter has it.
func TestNumberUsedHidesTitle(t *testing.T) {
	f := newWallFixture(t)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	var walledNumber string
	for _, c := range []struct {
		v    Viewer
		want string
	}{{Everyone, "is already used by Gina " + canary + " merger"}, {Viewer{UserID: f.para}, "is already used by another matter"}} {
		err := f.s.UpdateAs(context.Background(), c.v, func(tx *Tx) error {
			if walledNumber == "" {
				m, err := tx.As(Everyone).GetMatter(f.matterW)
				if err != nil {
					return err
				}
				walledNumber = m.Number
			}
			m, err := tx.GetMatter(f.matterMG)
			if err != nil {
				return err
			}
			m.Number = strings.ToLower(walledNumber)
			return tx.UpdateMatter(m, now)
		})
		var nu *NumberUsedError
		if !errors.As(err, &nu) || !errors.Is(err, ErrNumberUsed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("viewer %d: %v, want %q", c.v.UserID, err, c.want)
		}
	}
}
