package app

// The vault's intake key pair (docs/FORMAT.md, "Intake submissions"): the
// intake server seals each submission to its public half (the recipient,
// "age1…"); the private half (the identity) lives only inside the vault,
// so only an unlocked vault reads what clients sent.

import (
	"context"
	"errors"
	"fmt"

	"filippo.io/age"

	"casevault/app/access"
	"casevault/store"
)

// errIntakeKeyMade: another call made the key pair first (IntakeRecipient
// then uses that one).
var errIntakeKeyMade = errors.New("the intake key was made meanwhile")

// IntakeRecipient returns the public key that intake submissions are
// sealed to, making the vault's key pair on first need (audited
// intake.key). It needs intake edit: it is what starting intake uses.
func (s *Session) IntakeRecipient(ctx context.Context) (string, error) {
	if err := s.allow(ctx, access.EditIntake); err != nil {
		return "", err
	}
	if s.readOnly {
		return "", fmt.Errorf("starting intake: %w", ErrReadOnly)
	}
	rec, err := s.currentIntakeRecipient(ctx)
	if err != nil || rec != "" {
		return rec, err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", fmt.Errorf("making the vault's intake key: %w", err)
	}
	rec = id.Recipient().String()
	err = s.update(ctx, "intake.key", func(tx *store.Tx) (string, string, error) {
		if _, err := tx.CurrentIntakeKey(); err == nil {
			return "", "", errIntakeKeyMade
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", "", err
		}
		if _, err := tx.InsertIntakeKey(&store.IntakeKey{Recipient: rec, Identity: id.String(), CreatedAt: s.now()}); err != nil {
			return "", "", err
		}
		return "", "the key that seals what clients send through the intake form", nil
	})
	if errors.Is(err, errIntakeKeyMade) {
		return s.currentIntakeRecipient(ctx)
	}
	if err != nil {
		return "", fmt.Errorf("making the vault's intake key: %w", err)
	}
	return rec, nil
}

// currentIntakeRecipient is the newest key pair's public key, "" when the
// vault has none yet.
func (s *Session) currentIntakeRecipient(ctx context.Context) (string, error) {
	var rec string
	err := s.st.View(ctx, func(tx *store.Tx) error {
		k, err := tx.CurrentIntakeKey()
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		rec = k.Recipient
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("reading the vault's intake key: %w", err)
	}
	return rec, nil
}

// intakeIdentities returns the private half of every intake key pair,
// newest first: a submission sealed to an older key still opens.
func (s *Session) intakeIdentities(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.st.View(ctx, func(tx *store.Tx) error {
		keys, err := tx.IntakeKeys()
		for _, k := range keys {
			ids = append(ids, k.Identity)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the vault's intake keys: %w", err)
	}
	return ids, nil
}
