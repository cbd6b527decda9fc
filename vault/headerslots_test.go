package vault

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestHeaderSlots: the slots of a header copy, read without a secret, are
// the vault's own (Slots) before and after a user is added; damaged bytes
// are refused.
func TestHeaderSlots(t *testing.T) {
	v, dir, _ := newVault(t)
	defer v.Close()
	read := func() []SlotInfo {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, HeaderFile))
		if err != nil {
			t.Fatal(err)
		}
		got, err := HeaderSlots("keys/0001-x", b)
		if err != nil {
			t.Fatal(err)
		}
		want := v.Slots()
		if len(got) != len(want) {
			t.Fatalf("HeaderSlots %+v, the vault's %+v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("slot %d: %+v, the vault's %+v", i, got[i], want[i])
			}
		}
		return got
	}
	first := read()
	if err := v.AddUserSlot("Ann Lee", []byte("a user passphrase of hers"), nil, testKDF); err != nil {
		t.Fatal(err)
	}
	after := read()
	if len(after) <= len(first) {
		t.Fatalf("slots before %+v, after adding a user %+v", first, after)
	}
	found := false
	for _, s := range after {
		if s.Type == SlotUser && s.Tag == UserTag(v.Info().VaultID, "Ann Lee") && !s.Owner {
			found = true
		}
	}
	if !found {
		t.Fatalf("no slot of the added user in %+v", after)
	}
	if _, err := HeaderSlots("keys/0002-x", []byte("CVHEADER but far too short")); !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNoVault) {
		t.Fatalf("HeaderSlots of damaged bytes: %v", err)
	}
}
