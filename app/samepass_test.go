package app

import (
	"errors"
	"testing"

	"casevault/app/access"
)

// TestChangeOwnRefusesCurrentPassphrase: a change of passphrase to the one
// the user has now is refused in words (for the owner of a new vault, whose
// passphrase is in no history, and for a user's one-time passphrase);
// another passphrase, a passphrase the user had before (no reuse rule), and
// the same passphrase with a key file added are changes, and go through.
func TestChangeOwnRefusesCurrentPassphrase(t *testing.T) {
	t.Parallel()
	owner, dir, _ := testSession(t)
	err := owner.ChangeOwnPassphrase(ctx, []byte(testPass), nil)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "passphrase" || !IsSamePassphrase(err) || Message(err) == "" {
		t.Fatalf("the passphrase the owner has now: %v", err)
	}
	if err := owner.ChangePassphrase(ctx, []byte(testPass), nil); !IsSamePassphrase(err) {
		t.Errorf("the same through ChangePassphrase: %v", err)
	}
	second := []byte("quiet harbour amber violin")
	if err := owner.ChangeOwnPassphrase(ctx, second, nil); err != nil {
		t.Fatal(err)
	}
	if err := owner.ChangeOwnPassphrase(ctx, second, nil); !IsSamePassphrase(err) {
		t.Errorf("the new one, right after: %v", err)
	}
	if err := owner.ChangeOwnPassphrase(ctx, []byte(testPass), nil); err != nil {
		t.Errorf("the one before (no reuse rule): %v", err)
	}
	kf, err := NewKeyFile()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.ChangeOwnPassphrase(ctx, []byte(testPass), kf); err != nil {
		t.Errorf("the same passphrase with a key file added: %v", err)
	}
	if err := owner.ChangeOwnPassphrase(ctx, []byte(testPass), kf); !IsSamePassphrase(err) {
		t.Errorf("the same passphrase and key file again: %v", err)
	}

	otp, err := owner.AddUser(ctx, "sam", access.AssistantRole, AddUserOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := openUser(t, dir, "sam", otp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeOwnPassphrase(ctx, []byte(otp), nil); !IsSamePassphrase(err) {
		t.Errorf("the one-time passphrase as sam's own: %v", err)
	}
	if !s.User().MustChange {
		t.Error("a refused change ended the must-change state")
	}
	if err := s.ChangeOwnPassphrase(ctx, []byte("marble finch tundra oboe"), nil); err != nil {
		t.Errorf("sam's own: %v", err)
	}
}
