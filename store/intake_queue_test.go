package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The queue's changes: one decision per submission, nothing of a spam
// submission left to change, the name query, and a submission accepted as
// a client the viewer cannot see.
func TestIntakeQueueChanges(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	defer closeStore(s)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	add := func(tx *Tx, sealed, name string, names ...IntakeName) int64 {
		t.Helper()
		id, err := tx.InsertIntakeSubmission(&IntakeSubmission{SealedID: sealed, ReceivedAt: now, ImportedAt: now, FullName: name,
			ConflictNames: append([]IntakeName{{Name: name, Role: "client"}}, names...), Payload: `{"x":1}`},
			[]IntakeFile{{N: 1, Name: "a.txt", MediaType: "text/plain", Size: 1, Content: []byte("a")}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	err := s.Update(ctx, func(tx *Tx) error {
		a := add(tx, "a", "Jane Roe", IntakeName{Name: "Walter 100% Smith_", Role: "adverse"})
		b := add(tx, "b", "John Doe")
		c := add(tx, "c", "Ann Other")
		for _, err := range []error{
			tx.DecideIntake(a, IntakeDecision{Status: IntakeSpam, At: now}),
			tx.DecideIntake(a, IntakeDecision{Status: "maybe", At: now}),
		} {
			if err == nil {
				t.Errorf("DecideIntake with a status that is no decision: nil")
			}
		}
		if err := tx.DecideIntake(99, IntakeDecision{Status: IntakeDeclined, At: now}); !errors.Is(err, ErrNotFound) {
			t.Errorf("no such submission: %v", err)
		}
		if err := tx.DecideIntake(b, IntakeDecision{Status: IntakeDeclined, At: now, By: "me", Reason: "no"}); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{tx.DecideIntake(b, IntakeDecision{Status: IntakeAccepted, At: now}), tx.WipeIntake(b, now, "me")} {
			if !errors.Is(err, ErrIntakeDecided) {
				t.Errorf("a second decision: %v", err)
			}
		}
		if err := tx.WipeIntake(c, now, "me"); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{tx.SetIntakeCheck(c, 5), tx.SetIntakeVerification(c, IntakeVerification{DocType: "x", At: now})} {
			if !errors.Is(err, ErrIntakeDeleted) {
				t.Errorf("a change to spam: %v", err)
			}
		}
		for _, err := range []error{tx.SetIntakeCheck(99, 5), tx.SetIntakeVerification(99, IntakeVerification{At: now}), tx.WipeIntake(99, now, "")} {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("no such submission: %v", err)
			}
		}
		got, err := tx.GetIntakeSubmission(c)
		if err != nil || got.Status != IntakeSpam || got.Payload != "" || got.FullName != "" || len(got.ConflictNames) != 0 || got.Files != 0 || got.DecidedBy != "me" {
			t.Errorf("spam row: %+v %v", got, err)
		}
		// The name query: any case, other names, wildcards as written.
		for q, want := range map[string]int{"jane": 1, "SMITH": 1, "100%": 1, "h_": 1, "W%r": 0, "J_ne": 0, "doe": 1, "other": 0} {
			rows, n, err := tx.ListIntakeSubmissions(IntakeListFilter{Query: q})
			if err != nil || n != want || len(rows) != want {
				t.Errorf("query %q: %d (%d rows), %v; want %d", q, n, len(rows), err, want)
			}
		}
		// Accepted as a client the viewer cannot see.
		cl, err := tx.InsertClient(&Client{Name: "Jane Roe", SecurityClass: ClassRestricted}, now)
		if err != nil {
			return err
		}
		if err := tx.DecideIntake(a, IntakeDecision{Status: IntakeAccepted, At: now, ClientID: cl}); err != nil {
			return err
		}
		got, err = tx.GetIntakeSubmission(a)
		if err != nil || got.ClientID != cl {
			t.Fatalf("accepted: %+v %v", got, err)
		}
		if hidden, err := tx.IntakeHidden(got); err != nil || hidden {
			t.Errorf("the owner: hidden %v %v", hidden, err)
		}
		if hidden, err := tx.As(Viewer{UserID: 42}).IntakeHidden(got); err != nil || !hidden {
			t.Errorf("another user: hidden %v %v", hidden, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
