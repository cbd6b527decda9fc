package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/vault"
)

// The wait after wrong passphrases guards a key slot, not a typed name:
// in a vault whose owner slot has the zero tag (a vault made without an
// owner's name, or a converted v1 vault) every name that is no user's
// opens the owner's slot, so guessing the owner's passphrase under a new
// made-up name each time must still count against the owner and wait.
// (h7: before the fix each made-up name had its own count, and its own
// file in the vault folder: unlimited guesses with no wait.)
func TestLockoutCountsTheSlotNotTheTypedName(t *testing.T) {
	owner, dir, _ := testSession(t)
	owner.Close(ctx)
	guesses := DefaultLockoutAfter + 2
	for i := 0; i < guesses; i++ {
		name := fmt.Sprintf("guess%d", i)
		b := Backoff{User: name}
		_, err := Open(ctx, dir, vault.Passphrase([]byte("not the owner's passphrase")).ForUser(name), Options{})
		if !errors.Is(err, ErrWrongCredential) {
			t.Fatalf("made-up name %q with a wrong passphrase: %v", name, err)
		}
		b.Done(dir, err)
	}
	if f := LoadUnlockFailures(dir); f.Count != guesses {
		t.Errorf("the owner's count after %d guesses under made-up names: %d", guesses, f.Count)
	}
	if w := LoadUserUnlockFailures(dir, "yet another name").Wait(time.Now()); w <= 0 {
		t.Errorf("a new made-up name need not wait after %d wrong guesses at the owner's slot", guesses)
	}
	files, _ := filepath.Glob(filepath.Join(dir, UnlockDelayFile+"-*"))
	if len(files) != 0 {
		t.Errorf("made-up names left their own count files: %v", files)
	}
	// The owner's successful unlock (with any of the spellings that reach
	// the owner's slot) clears the one count.
	b := Backoff{User: "whoever"}
	s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)).ForUser("whoever"), Options{})
	b.Done(dir, err)
	if err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	if f := LoadUnlockFailures(dir); f.Count != 0 {
		t.Errorf("after the owner's unlock: %+v", f)
	}
}

// A vault whose owner has a name: the owner's name in any case and no name
// at all reach the same slot, so they share one count.
func TestLockoutOwnerNameAndNoNameShareCount(t *testing.T) {
	dir := filepath.Join(scratchDir(t), "vault")
	if _, err := Init(ctx, dir, []byte(testPass), InitOptions{KDF: testKDF, Owner: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if err := ConfirmInit(dir); err != nil {
		t.Fatal(err)
	}
	names := []string{"Ann", "", "ANN", "ann", ""}
	for i := 0; i < DefaultLockoutAfter+1; i++ {
		name := names[i%len(names)]
		cred := vault.Passphrase([]byte("not the owner's passphrase"))
		if name != "" {
			cred = cred.ForUser(name)
		}
		_, err := Open(ctx, dir, cred, Options{})
		if !errors.Is(err, ErrWrongCredential) {
			t.Fatalf("%q: %v", name, err)
		}
		Backoff{User: name}.Done(dir, err)
	}
	for _, name := range []string{"", "Ann", "aNN"} {
		if f := LoadUserUnlockFailures(dir, name); f.Count != DefaultLockoutAfter+1 {
			t.Errorf("count seen by %q: %+v", name, f)
		}
	}
	// A name that is no user's in this vault opens nothing and counts nothing.
	_, err := Open(ctx, dir, vault.Passphrase([]byte("x")).ForUser("Mallory"), Options{})
	if !errors.Is(err, vault.ErrUnknownUser) {
		t.Fatalf("unknown user: %v", err)
	}
	Backoff{User: "Mallory"}.Done(dir, err)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), UnlockDelayFile+"-") {
			t.Errorf("count file %s for a name that reaches the owner's slot or no slot", e.Name())
		}
	}
}
