package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// A user who cannot see a client or matter cannot decide a conflict check
// whose recorded hits name it (the owner's check on a walled matter): the
// check is as missing to them as the records (h7: before, a walled
// attorney could mark such a check clear or waived).
func TestDecideHiddenConflictCheck(t *testing.T) {
	ctx := context.Background()
	f := newWallFixture(t)
	now := time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)
	var namesR, namesW, namesG int64
	err := f.s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
		var err error
		ins := func(hits string) int64 {
			if err != nil {
				return 0
			}
			var id int64
			id, err = tx.InsertConflictCheck(&ConflictCheck{At: now, Actor: "owner", Names: `["x"]`, Hits: hits})
			return id
		}
		namesR = ins(fmt.Sprintf(`[{"name":"Gina","client_id":%d},{"name":"Rex","client_id":%d}]`, f.clientG, f.clientR))
		namesW = ins(fmt.Sprintf(`[{"name":"Adam","client_id":%d,"matter_id":%d}]`, f.clientG, f.matterW))
		namesG = ins(fmt.Sprintf(`[{"name":"Lenny","client_id":%d,"matter_id":%d}]`, f.clientG, f.matterMG))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	decide := func(v Viewer, id int64) error {
		return f.s.UpdateAs(ctx, v, func(tx *Tx) error {
			return tx.DecideConflictCheck(id, ConflictDecision{At: now, Decision: "waived", Note: "by " + fmt.Sprint(v.UserID)})
		})
	}
	para := Viewer{UserID: f.para}
	for _, id := range []int64{namesR, namesW} {
		if err := decide(para, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("paralegal decides check %d naming a hidden record: %v, want ErrNotFound", id, err)
		}
	}
	if err := decide(para, namesG); err != nil {
		t.Errorf("paralegal decides a check naming only what they see: %v", err)
	}
	if err := decide(para, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing check: %v", err)
	}
	err = f.s.ViewAs(ctx, Everyone, func(tx *Tx) error {
		for _, id := range []int64{namesR, namesW} {
			var d string
			if err := tx.QueryRow("SELECT decision FROM conflict_checks WHERE id = ?", id).Scan(&d); err != nil {
				return err
			}
			if d != "" {
				t.Errorf("check %d decided %q after the refusal", id, d)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The attorney sees the restricted client and the walled matter.
	for _, id := range []int64{namesR, namesW} {
		if err := decide(Viewer{UserID: f.atty}, id); err != nil {
			t.Errorf("attorney decides check %d: %v", id, err)
		}
	}
}
