package vault

import (
	"errors"
	"testing"
)

// RemoveSlotsExcept keeps the owner's slot, the recovery slot and the user
// slots whose tags are given; every other user slot goes, and the header
// on disk says so.
func TestRemoveSlotsExcept(t *testing.T) {
	t.Parallel()
	v, dir, rk := newUsersVault(t) // Ann (owner), recovery, Bob, Carol (key file)
	vid := v.Info().VaultID
	n, err := v.RemoveSlotsExcept([][16]byte{UserTag(vid, "carol")})
	if err != nil || n != 1 {
		t.Fatalf("RemoveSlotsExcept(Carol) = %d, %v; want 1 (Bob)", n, err)
	}
	if n, err := v.RemoveSlotsExcept([][16]byte{UserTag(vid, "Carol")}); err != nil || n != 0 {
		t.Fatalf("again = %d, %v", n, err)
	}
	v.Close()
	if err := openErr(t, dir, Passphrase(bobPass).ForUser("Bob")); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("Bob after: %v", err)
	}
	mustOpen(t, dir, Passphrase(carolPass).ForUser("Carol").WithKeyFile(carolFile)).Close()
	mustOpen(t, dir, Passphrase(testPass).ForUser("Ann")).Close()
	mustOpen(t, dir, Passphrase(testPass)).Close()
	rc, err := Recovery(string(rk))
	if err != nil {
		t.Fatal(err)
	}
	mustOpen(t, dir, rc).Close()
	v = mustOpen(t, dir, Passphrase(testPass))
	defer v.Close()
	if n, err := v.RemoveSlotsExcept(nil); err != nil || n != 1 || len(v.Slots()) != 2 {
		t.Errorf("keeping no user: %d, %v, %d slots left (want the owner's and the recovery key's)", n, err, len(v.Slots()))
	}
}
