package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"casevault/vault"
)

// ErrNotCurrentPassphrase: CheckOwnPassphrase was given a passphrase (or
// key file) that does not open the signed-in user's key slot.
var ErrNotCurrentPassphrase = errors.New("this is not your current passphrase")

// CheckOwnPassphrase reports whether pass (with keyFile, when the user's
// slot needs one) is the signed-in user's current passphrase: it unlocks a
// copy of the vault's header with it, as an unlock would (one key
// derivation, about a second), and changes nothing. The window asks for it
// before a change of passphrase, so that a vault left unlocked cannot have
// its passphrase changed by someone passing by. A wrong one is
// ErrNotCurrentPassphrase.
func (s *Session) CheckOwnPassphrase(ctx context.Context, pass, keyFile []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(s.Dir(), vault.HeaderFile))
	if err != nil {
		return fmt.Errorf("reading the vault's key slots: %w", err)
	}
	defer clear(b)
	u := s.currentUser()
	cred := vault.Passphrase(pass)
	if !u.owner {
		cred = cred.ForUser(u.name)
	}
	if keyFile != nil {
		cred = cred.WithKeyFile(keyFile)
	}
	k, err := vault.UnlockHeader(vault.HeaderFile, b, cred)
	switch {
	case errors.Is(err, vault.ErrWrongCredential), errors.Is(err, vault.ErrKeyFileNeeded), errors.Is(err, vault.ErrUnknownUser):
		return ErrNotCurrentPassphrase
	case err != nil:
		return fmt.Errorf("checking the current passphrase: %w", err)
	}
	k.Close()
	return nil
}
