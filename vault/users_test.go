package vault

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Users and key files (header version 2): unlock by tag, key files, slot
// changes, removal, conversion of a version 1 vault.

var (
	bobPass   = []byte("bob's own passphrase")
	carolPass = []byte("carol keeps a key file")
	carolFile = []byte("the content of carol's key file, on a USB stick")
)

// newUsersVault is a vault whose owner is Ann, with users Bob and Carol
// (Carol's slot needs carolFile).
func newUsersVault(t testing.TB) (*Vault, string, RecoveryKey) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	o := testOpts()
	o.Owner = "Ann"
	v, rk, err := Create(dir, testPass, o)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	recoveryOf.Store(dir, rk)
	t.Cleanup(func() { v.Close() })
	if err := v.AddUserSlot("Bob", bobPass, nil, testKDF); err != nil {
		t.Fatalf("AddUserSlot(Bob): %v", err)
	}
	if err := v.AddUserSlot("Carol", carolPass, carolFile, testKDF); err != nil {
		t.Fatalf("AddUserSlot(Carol): %v", err)
	}
	return v, dir, rk
}

func openErr(t testing.TB, dir string, cred Credential) error {
	t.Helper()
	v, err := Open(dir, cred)
	if err == nil {
		v.Close()
	}
	return err
}

func TestUsersUnlockByName(t *testing.T) {
	t.Parallel()
	v, dir, rk := newUsersVault(t)
	vid := v.Info().VaultID
	if v.HeaderVersion() != 2 {
		t.Fatalf("HeaderVersion = %d", v.HeaderVersion())
	}
	slots := v.Slots()
	if len(slots) != 4 || !slots[0].Owner || slots[0].Tag != UserTag(vid, "ann") || slots[1].Type != SlotRecoveryV2 ||
		slots[2].Tag != UserTag(vid, "BOB") || slots[2].Owner || slots[2].KeyFile || !slots[3].KeyFile {
		t.Fatalf("Slots = %+v", slots)
	}
	v.Close()
	for _, c := range []struct {
		cred  Credential
		tag   [16]byte
		owner bool
	}{
		{Passphrase(testPass), UserTag(vid, "Ann"), true},
		{Passphrase(testPass).ForUser("ann"), UserTag(vid, "Ann"), true},
		{Passphrase(bobPass).ForUser("Bob"), UserTag(vid, "Bob"), false},
		{Passphrase(bobPass).ForUser("BOB"), UserTag(vid, "Bob"), false},
		{Passphrase(carolPass).ForUser("carol").WithKeyFile(carolFile), UserTag(vid, "Carol"), false},
		{Passphrase(bobPass).ForUser("Bob").WithKeyFile([]byte("not needed: ignored")), UserTag(vid, "Bob"), false},
	} {
		w := mustOpen(t, dir, c.cred)
		if got := w.OpenedBy(); got.Tag != c.tag || got.Owner != c.owner || got.Type != SlotUser {
			t.Fatalf("%q: OpenedBy = %+v", c.cred.User(), got)
		}
		w.Close()
	}
	w := mustOpen(t, dir, mustRecovery(t, rk))
	if got := w.OpenedBy(); got.Type != SlotRecoveryV2 || !got.Owner {
		t.Fatalf("recovery: OpenedBy = %+v", got)
	}
	w.Close()

	// A name with no slot, a wrong passphrase, another user's passphrase.
	err := openErr(t, dir, Passphrase(bobPass).ForUser("Dave"))
	if !errors.Is(err, ErrUnknownUser) || !strings.Contains(err.Error(), `"Dave"`) {
		t.Fatalf("unknown user: %v", err)
	}
	if err := openErr(t, dir, Passphrase(bobPass).ForUser("Ann")); !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("Bob's passphrase as Ann: %v", err)
	}
	if err := openErr(t, dir, Passphrase(testPass).ForUser("Bob")); !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("Ann's passphrase as Bob: %v", err)
	}
	if err := openErr(t, dir, Passphrase(bobPass).ForUser("\x1b[31mBob")); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("escape codes: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	t.Parallel()
	v, dir, rk := newUsersVault(t)
	v.Close()
	if si, err := UserSlot(dir, "CAROL"); err != nil || !si.KeyFile || si.Owner {
		t.Fatalf("UserSlot(CAROL) = %+v, %v", si, err)
	}
	if si, err := UserSlot(dir, ""); err != nil || si.KeyFile || !si.Owner {
		t.Fatalf("UserSlot(owner) = %+v, %v", si, err)
	}
	if _, err := UserSlot(dir, "Dave"); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("UserSlot(Dave): %v", err)
	}
	before := hashDir(t, dir)
	carol := func() Credential { return Passphrase(carolPass).ForUser("Carol") }
	// Missing: refused before any derivation, with its own error.
	if err := openErr(t, dir, carol()); !errors.Is(err, ErrKeyFileNeeded) {
		t.Fatalf("no key file: %v", err)
	}
	changed := bytes.Clone(carolFile)
	changed[len(changed)-1] ^= 1
	for name, kf := range map[string][]byte{
		"wrong":     []byte("another file"),
		"empty":     {},
		"changed":   changed,
		"truncated": carolFile[:len(carolFile)-1],
		"extended":  append(bytes.Clone(carolFile), '\n'),
	} {
		err := openErr(t, dir, carol().WithKeyFile(kf))
		if !errors.Is(err, ErrWrongCredential) || !strings.Contains(err.Error(), "key file") {
			t.Fatalf("%s key file: %v", name, err)
		}
	}
	// The right file with a wrong passphrase: the same message.
	err := openErr(t, dir, Passphrase(bobPass).ForUser("Carol").WithKeyFile(carolFile))
	if !errors.Is(err, ErrWrongCredential) || !strings.Contains(err.Error(), "passphrase or the key file") {
		t.Fatalf("wrong passphrase with the key file: %v", err)
	}
	assertUnchanged(t, dir, before)
	// The owner's recovery key needs no key file, even when the owner's own
	// slot needs one.
	dir2 := filepath.Join(t.TempDir(), "v2")
	o := testOpts()
	o.KeyFile = carolFile
	v2, rk2, err := Create(dir2, testPass, o)
	if err != nil {
		t.Fatal(err)
	}
	v2.Close()
	if err := openErr(t, dir2, Passphrase(testPass)); !errors.Is(err, ErrKeyFileNeeded) {
		t.Fatalf("owner without the key file: %v", err)
	}
	mustOpen(t, dir2, Passphrase(testPass).WithKeyFile(carolFile)).Close()
	w := mustOpen(t, dir2, mustRecovery(t, rk2))
	if !w.OpenedBy().Owner {
		t.Fatal("the recovery key does not open as the owner")
	}
	w.Close()
	mustOpen(t, dir, mustRecovery(t, rk)).Close()
	// An empty key file cannot be set.
	w = mustOpen(t, dir, mustRecovery(t, rk))
	if err := w.AddUserSlot("Dave", bobPass, []byte{}, testKDF); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty key file accepted: %v", err)
	}
	if err := w.ChangeUserSlot("Carol", carolPass, []byte{}, nil); err == nil {
		t.Fatal("empty key file accepted by ChangeUserSlot")
	}
}

func TestChangeResetRemoveUser(t *testing.T) {
	t.Parallel()
	v, dir, rk := newUsersVault(t)
	v.Close()
	// Bob changes his own passphrase.
	w := mustOpen(t, dir, Passphrase(bobPass).ForUser("bob"))
	newBob := []byte("bob's second passphrase")
	if err := w.ChangeUserSlot("", newBob, nil, nil); err != nil {
		t.Fatal(err)
	}
	if w.OpenedBy().Tag != UserTag(w.Info().VaultID, "bob") {
		t.Fatalf("OpenedBy after the change: %+v", w.OpenedBy())
	}
	oldHeader := readFile(t, filepath.Join(dir, HeaderFile))
	w.Close()
	if err := openErr(t, dir, Passphrase(bobPass).ForUser("bob")); !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("Bob's old passphrase: %v", err)
	}
	// The owner resets Carol's passphrase (a fresh identity, sealed to the
	// data key the owner holds), without a key file now.
	w = mustOpen(t, dir, mustRecovery(t, rk))
	newCarol := []byte("a one-time passphrase")
	if err := w.ChangeUserSlot("CAROL", newCarol, nil, nil); err != nil {
		t.Fatal(err)
	}
	// The owner removes Bob; the owner's slot cannot be removed.
	if err := w.RemoveUserSlot("Bob"); err != nil {
		t.Fatal(err)
	}
	if err := w.RemoveUserSlot("Bob"); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("removing Bob twice: %v", err)
	}
	if err := w.RemoveUserSlot("Ann"); err == nil {
		t.Fatal("the owner's slot was removed")
	}
	if err := w.AddUserSlot("carol", bobPass, nil, testKDF); !errors.Is(err, ErrUserExists) {
		t.Fatalf("adding Carol twice: %v", err)
	}
	if n := len(w.Slots()); n != 3 {
		t.Fatalf("%d slots", n)
	}
	w.Close()
	mustOpen(t, dir, Passphrase(newCarol).ForUser("Carol")).Close()
	if err := openErr(t, dir, Passphrase(carolPass).ForUser("Carol").WithKeyFile(carolFile)); !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("Carol's old passphrase and key file: %v", err)
	}
	if err := openErr(t, dir, Passphrase(newBob).ForUser("Bob")); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("removed Bob: %v", err)
	}
	// A copy of the header from before the removal still opens with Bob's
	// passphrase (docs/THREAT-MODEL.md): only RotateDataKey makes its data
	// key useless for the current state.
	k, err := UnlockHeader("old header", oldHeader, Passphrase(newBob).ForUser("Bob"))
	if err != nil {
		t.Fatalf("the old header copy: %v", err)
	}
	k.Close()
}

func TestUserNameRules(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", " ann", "ann ", strings.Repeat("x", 65), "a\x1b[2Jb", "a\tb", "a\u202eb", "a\u200bb", "a\x00b", "\xff"} {
		if _, err := NormalizeUserName(bad); err == nil {
			t.Errorf("NormalizeUserName(%q) accepted", bad)
		}
	}
	for in, want := range map[string]string{"Ann": "Ann", "Zoe\u0308": "Zoë", strings.Repeat("é", 64): strings.Repeat("é", 64), "Mary Ann": "Mary Ann"} {
		if got, err := NormalizeUserName(in); err != nil || got != want {
			t.Errorf("NormalizeUserName(%q) = %q, %v", in, got, err)
		}
	}
	var vid [16]byte
	if UserTag(vid, "ZOË") != UserTag(vid, "zoe\u0308") || UserTag(vid, "ann") == UserTag(vid, "anne") {
		t.Error("tags do not ignore case and normalisation, or collide")
	}
	if UserTag(vid, "ann") == UserTag([16]byte{1}, "ann") {
		t.Error("the tag does not depend on the vault")
	}
}

// TestTwentyUsers: every user opens with one derivation, found by tag.
// Not parallel: it counts derivations through a package hook.
func TestTwentyUsers(t *testing.T) {
	v, dir, _ := newVault(t)
	for i := range 19 {
		if err := v.AddUserSlot(userName(i), userPass(i), nil, testKDF); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	for i := range 19 {
		w := mustOpen(t, dir, Passphrase(userPass(i)).ForUser(userName(i)))
		if w.OpenedBy().Tag != UserTag(w.Info().VaultID, userName(i)) {
			t.Fatalf("user %d: %+v", i, w.OpenedBy())
		}
		w.Close()
	}
	derived := 0
	kdfHook = func() { derived++ }
	defer func() { kdfHook = nil }()
	mustOpen(t, dir, Passphrase(userPass(18)).ForUser(userName(18))).Close()
	if err := openErr(t, dir, Passphrase(userPass(3)).ForUser(userName(18))); !errors.Is(err, ErrWrongCredential) {
		t.Fatal(err)
	}
	if derived != 2 {
		t.Fatalf("%d Argon2id derivations for two unlocks", derived)
	}
}

func userName(i int) string { return fmt.Sprintf("user %02d", i) }
func userPass(i int) []byte { return []byte(fmt.Sprintf("passphrase of user %02d", i)) }

// downgradeToV1 rewrites v's header as a version 1 header (passphrase
// testPass, recovery key rk) over the same data key: a vault made by a
// casevault before users.
func downgradeToV1(t testing.TB, v *Vault, rk RecoveryKey) {
	t.Helper()
	raw, err := ParseRecoveryKey(string(rk))
	if err != nil {
		t.Fatal(err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	h := &header{Version: headerVersion, VaultID: v.hdr.VaultID, Created: v.hdr.Created}
	err = v.keys.with(v.keys.data, func(dk []byte) error {
		ps, err := makeSlot(h.VaultID, SlotPassphrase, testPass, testKDF, dk)
		if err != nil {
			return err
		}
		rs, err := makeSlot(h.VaultID, SlotRecovery, raw, KDFParams{}, dk)
		h.Slots = []slot{ps, rs}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.saveHeaderLocked(h, "test"); err != nil {
		t.Fatal(err)
	}
}

func TestVersion1OpensAndConverts(t *testing.T) {
	t.Parallel()
	v, dir, rk := newVault(t)
	downgradeToV1(t, v, rk)
	v.Close()
	hpath := filepath.Join(dir, HeaderFile)
	if n := len(readFile(t, hpath)); n != 297 {
		t.Fatalf("version 1 header of %d bytes", n)
	}
	// Opened with the recovery key, it cannot be converted by adding a user.
	w := mustOpen(t, dir, mustRecovery(t, rk))
	if w.HeaderVersion() != 1 || w.OpenedBy().Type != SlotRecovery || !w.OpenedBy().Owner {
		t.Fatalf("version %d, opened by %+v", w.HeaderVersion(), w.OpenedBy())
	}
	if err := w.AddUserSlot("Bob", bobPass, nil, testKDF); !errors.Is(err, ErrOwnerPassphraseNeeded) {
		t.Fatalf("converting with the recovery key: %v", err)
	}
	w.Close()
	// Any name opens the owner's slot of a version 1 vault.
	mustOpen(t, dir, Passphrase(testPass).ForUser("Whoever")).Close()
	w = mustOpen(t, dir, Passphrase(testPass))
	if w.OpenedBy().Type != SlotPassphrase {
		t.Fatalf("opened by %+v", w.OpenedBy())
	}
	if err := w.AddUserSlot("Bob", bobPass, nil, testKDF); err != nil {
		t.Fatal(err)
	}
	if w.HeaderVersion() != 2 || w.OpenedBy().Type != SlotUser || !w.OpenedBy().Owner || w.OpenedBy().Tag != ([16]byte{}) {
		t.Fatalf("after the first user: version %d, opened by %+v", w.HeaderVersion(), w.OpenedBy())
	}
	slots := w.Slots()
	if len(slots) != 3 || slots[0].Type != SlotUser || slots[1].Type != SlotRecovery || slots[2].Type != SlotUser {
		t.Fatalf("converted slots %+v", slots)
	}
	w.Close()
	if n := len(readFile(t, hpath)); n != headerFixedLen+2*slotV2Len+slotLen+headerTrailer {
		t.Fatalf("converted header of %d bytes", n)
	}
	// The owner (zero tag: any name that is no user's), the old recovery
	// key (the legacy slot kept) and Bob open it.
	mustOpen(t, dir, Passphrase(testPass)).Close()
	mustOpen(t, dir, Passphrase(testPass).ForUser("Ann")).Close()
	mustOpen(t, dir, mustRecovery(t, rk)).Close()
	mustOpen(t, dir, Passphrase(bobPass).ForUser("Bob")).Close()
	if err := openErr(t, dir, Passphrase(bobPass).ForUser("Ann")); !errors.Is(err, ErrWrongCredential) {
		t.Fatal(err)
	}
	// The owner names their slot with a passphrase change.
	w = mustOpen(t, dir, Passphrase(testPass).ForUser("Ann"))
	newAnn := []byte("ann's new passphrase")
	if err := w.ChangeUserSlot("Ann", newAnn, nil, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	mustOpen(t, dir, Passphrase(newAnn).ForUser("ann")).Close()
	if err := openErr(t, dir, Passphrase(newAnn).ForUser("Zed")); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("after naming the owner: %v", err)
	}

	// A version 1 vault whose owner changes the passphrase is converted too.
	v2, dir2, rk2 := newVault(t)
	downgradeToV1(t, v2, rk2)
	v2.Close()
	w = mustOpen(t, dir2, mustRecovery(t, rk2))
	if err := w.ChangePassphrase(newAnn, nil); err != nil {
		t.Fatal(err)
	}
	if w.HeaderVersion() != 2 {
		t.Fatal("not converted")
	}
	w.Close()
	mustOpen(t, dir2, Passphrase(newAnn)).Close()
	mustOpen(t, dir2, mustRecovery(t, rk2)).Close()
	if err := openErr(t, dir2, Passphrase(testPass)); !errors.Is(err, ErrWrongCredential) {
		t.Fatal(err)
	}
}

// TestTamperUserSlot: every byte of a user's slot changed (checksum
// recomputed, as an attacker would): never opens; each field fails the way
// it must.
func TestTamperUserSlot(t *testing.T) {
	t.Parallel()
	v, dir, _ := newUsersVault(t)
	v.Close()
	hpath := filepath.Join(dir, HeaderFile)
	orig := readFile(t, hpath)
	bob := headerFixedLen + 2*slotV2Len // owner, recovery, Bob
	for i := 0; i < slotV2Len; i++ {
		b := flipped(orig, bob+i, 0x01)
		sum := sha256.Sum256(b[:len(b)-32])
		copy(b[len(b)-32:], sum[:])
		writeFile(t, hpath, b)
		err := openErr(t, dir, Passphrase(bobPass).ForUser("Bob"))
		var want error
		switch {
		case i < 2: // type, KDF
			want = ErrDamaged
		case i >= 11 && i < 27: // salt
			want = ErrWrongCredential
		case i >= 27 && i < 43: // tag: Bob's slot is gone
			want = ErrUnknownUser
		case i == 43: // flags: a key file
			want = ErrKeyFileNeeded
		case i >= 44 && i < 148: // nonce, wrapped identity, public key
			want = ErrWrongCredential
		case i >= 148: // the sealed data key: the identity opens, the seal does not
			want = ErrDamaged
		}
		if err == nil {
			t.Fatalf("byte %d: opened", i)
		}
		if want != nil && !errors.Is(err, want) {
			t.Fatalf("byte %d: %v, want %v", i, err, want)
		}
		if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrWrongCredential) && !errors.Is(err, ErrUnknownUser) && !errors.Is(err, ErrKeyFileNeeded) {
			t.Fatalf("byte %d: %v", i, err)
		}
	}
	// Bob's slot swapped into another vault's header position, the owner
	// flag set on Bob's slot, two owners: damage or refusal, never an open.
	two := bytes.Clone(orig)
	two[bob+43] |= flagOwner
	sum := sha256.Sum256(two[:len(two)-32])
	copy(two[len(two)-32:], sum[:])
	writeFile(t, hpath, two)
	if err := openErr(t, dir, Passphrase(bobPass).ForUser("Bob")); !errors.Is(err, ErrDamaged) {
		t.Fatalf("two owners: %v", err)
	}
	writeFile(t, hpath, orig)
	mustOpen(t, dir, Passphrase(bobPass).ForUser("Bob")).Close()
	if err := os.Remove(hpath); err != nil {
		t.Fatal(err)
	}
}
