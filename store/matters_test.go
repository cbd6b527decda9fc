package store

import (
	"context"
	"errors"
	"fmt"
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

// TestHiddenJointClient: a restricted client who is a joint client of a
// general matter stays hidden from a user outside its list: the matter's
// clients leave it out, the conflict names give it bare, and the user can
// neither add nor remove it.
func TestHiddenJointClient(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	if err := f.s.UpdateAs(ctx, Everyone, func(tx *Tx) error { return tx.AddMatterClient(f.matterMG, f.clientR, now) }); err != nil {
		t.Fatal(err)
	}
	para := Viewer{UserID: f.para}
	err := f.s.ViewAs(ctx, para, func(tx *Tx) error {
		m, err := tx.GetMatter(f.matterMG)
		if err != nil {
			return err
		}
		if len(m.Clients) != 1 || m.Clients[0].ID != f.clientG || strings.Contains(fmt.Sprintf("%+v", m), canary) {
			t.Errorf("the paralegal's matter shows %+v", m.Clients)
		}
		names, err := tx.ConflictNames()
		if err != nil {
			return err
		}
		found := false
		for _, n := range names {
			if n.Role == "joint_client" {
				found = true
				if n != (Name{Name: "Rex " + canary, Role: "joint_client", Hidden: true}) {
					t.Errorf("the hidden joint client's name = %+v", n)
				}
			}
		}
		if !found {
			t.Error("no joint client in the conflict names")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for what, fn := range map[string]func(tx *Tx) error{
		"remove": func(tx *Tx) error { return tx.RemoveMatterClient(f.matterMG, f.clientR, now) },
		"add":    func(tx *Tx) error { return tx.AddMatterClient(f.matterMG, f.clientR, now) },
	} {
		if err := f.s.UpdateAs(ctx, para, fn); !errors.Is(err, ErrNotFound) {
			t.Errorf("the paralegal's %s of the hidden joint client: %v", what, err)
		}
	}
	err = f.s.ViewAs(ctx, Everyone, func(tx *Tx) error {
		m, err := tx.GetMatter(f.matterMG)
		if err == nil && len(m.Clients) != 2 {
			t.Errorf("the owner sees clients %+v, want both", m.Clients)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
