package app

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"casevault/app/access"
)

// TestHiddenCheckSaysNotFoundLikeMissing: an attorney walled off from a
// matter who opens or decides a conflict check naming it gets the very
// words a check that does not exist gets (the decide error named a hidden
// check twice, "conflict check 6: conflict check 6: not found", and a
// missing one once: an oracle for what is behind the wall).
func TestHiddenCheckSaysNotFoundLikeMissing(t *testing.T) {
	w := newWallVault(t)
	one := w.addUser(t, "olga", access.AttorneyRole)
	if err := w.owner.SetSecurityClass(ctx, "matter", w.walled, ClassWalled, []string{"olga"}); err != nil {
		t.Fatal(err)
	}
	if err := w.owner.Close(ctx); err != nil {
		t.Fatal(err)
	}
	w.firstUnlock(t, "olga", access.AttorneyRole, one)
	const missing = 9999
	w.as(t, "olga", func(s *Session) {
		words := func(err error, id int64) string {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("check %d: %v, want ErrNotFound", id, err)
				return ""
			}
			return strings.ReplaceAll(err.Error(), strconv.FormatInt(id, 10), "N")
		}
		hidden := words(s.DecideConflict(ctx, w.ownerCheck, "clear", ""), w.ownerCheck)
		gone := words(s.DecideConflict(ctx, missing, "clear", ""), missing)
		if hidden != gone {
			t.Errorf("DecideConflict: hidden check says %q, missing one %q", hidden, gone)
		}
		_, err := s.GetConflictCheck(ctx, w.ownerCheck)
		hidden = words(err, w.ownerCheck)
		_, err = s.GetConflictCheck(ctx, missing)
		if gone := words(err, missing); hidden != gone {
			t.Errorf("GetConflictCheck: hidden check says %q, missing one %q", hidden, gone)
		}
	})
}
