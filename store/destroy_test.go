package store

import (
	"strings"
	"testing"
)

// TestDecisionNoteTrigger: schema 7 lets a conflict decision's note be
// replaced by a destruction's words, and nothing else change.
func TestDecisionNoteTrigger(t *testing.T) {
	s := retStore(t)
	var check int64
	update(t, s, func(tx *Tx) (err error) {
		if check, err = tx.InsertConflictCheck(&ConflictCheck{At: retNow, Actor: "owner", Names: `["Ann"]`, Hits: `[]`}); err != nil {
			return err
		}
		return tx.DecideConflictCheck(check, ConflictDecision{At: retNow, Actor: "owner", Decision: "clear", Note: "Ann's cousin"})
	})
	for _, q := range []string{
		"UPDATE conflict_decisions SET decision = 'waived'",
		"UPDATE conflict_decisions SET note = 'anything else'",
		"UPDATE conflict_decisions SET note = 'removed when file D-2026-0001 was destroyed', actor = 'x'",
		"UPDATE conflict_decisions SET note = 'removed when file D-26-1 was destroyed'",
		"DELETE FROM conflict_decisions",
	} {
		err := s.Update(t.Context(), func(tx *Tx) error { _, err := tx.Exec(q); return err })
		if err == nil || !strings.Contains(err.Error(), "kept as made") {
			t.Errorf("%s: %v", q, err)
		}
	}
	update(t, s, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE conflict_decisions SET note = 'removed when file D-2026-0001 was destroyed'")
		return err
	})
	view(t, s, func(tx *Tx) error {
		_, ds, err := tx.GetConflictCheck(check)
		if err == nil && (len(ds) != 1 || ds[0].Note != "removed when file D-2026-0001 was destroyed" || ds[0].Decision != "clear") {
			t.Errorf("decisions = %+v", ds)
		}
		return err
	})
}
