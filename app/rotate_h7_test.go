package app

import (
	"testing"

	"casevault/app/access"
	"casevault/vault"
)

// A user holds the data key: with the vault package (or a few lines of
// code) they can add a slot of their own to the live header while they may
// still write the folder. Removing them and changing the vault key must
// not reseal the new key to that slot: a rotation keeps only the slots of
// the owner, the recovery key and the vault's active users.
func TestRotationDropsSlotsNoUserOwns(t *testing.T) {
	owner, dir, _ := testSession(t)
	patPass := addUser(t, owner, dir, "Pat", access.ParalegalRole)
	v, err := vault.Open(dir, vault.Passphrase([]byte(patPass)).ForUser("Pat"))
	if err != nil {
		t.Fatal(err)
	}
	shadow := []byte("a slot nobody was given")
	if err := v.AddUserSlot("shadow", shadow, nil, testKDF); err != nil {
		t.Fatal(err)
	}
	v.Close()
	owner = openTest(t, dir)
	if _, err := owner.RemoveUser(ctx, "Pat", true); err != nil {
		t.Fatal(err)
	}
	owner.Close(ctx)
	if v, err := vault.Open(dir, vault.Passphrase(shadow).ForUser("shadow")); err == nil {
		v.Close()
		t.Fatal("after Pat's removal with a change of the vault key, the slot Pat planted still opens the vault")
	}
	openTest(t, dir).Close(ctx)
}
