package app

// The vault's intake key pair (docs/FORMAT.md, "Intake submissions"): the
// intake server seals each submission to its public half (the recipient,
// "age1…"); the private half (the identity) lives only inside the vault,
// so only an unlocked vault reads what clients sent.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"casevault/app/access"
	"casevault/app/intake"
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

// intakeTLSRenew: a stored LAN certificate this close to its end is
// replaced rather than used (an intake run must not outlive it).
const intakeTLSRenew = 30 * 24 * time.Hour

// IntakeTLS returns the vault's certificate for LAN mode, valid for
// exactly the addresses ips. The one stored is used while it names the
// same addresses and is valid for more than a month; otherwise a new one
// is made (intake.NewCertificate) and stored inside the vault (audited
// intake.tls): its fingerprint changes, which the window and the command
// line show. Needs intake edit.
func (s *Session) IntakeTLS(ctx context.Context, ips []net.IP) (*tls.Certificate, error) {
	if err := s.allow(ctx, access.EditIntake); err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, errors.New("the office network address is missing")
	}
	now := s.now()
	var stored *store.IntakeTLS
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		stored, err = tx.LatestIntakeTLS()
		if errors.Is(err, store.ErrNotFound) {
			stored, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the intake certificate: %w", err)
	}
	if stored != nil {
		if c, err := intakeCert(stored.CertDER, stored.KeyDER); err == nil && certFits(c.Leaf, ips, now) {
			return c, nil
		}
	}
	certDER, keyDER, err := intake.NewCertificate(ips, now)
	if err != nil {
		return nil, err
	}
	c, err := intakeCert(certDER, keyDER)
	if err != nil {
		return nil, err
	}
	addrs := make([]string, len(ips))
	for i, ip := range ips {
		addrs[i] = ip.String()
	}
	err = s.update(ctx, "intake.tls", func(tx *store.Tx) (string, string, error) {
		_, err := tx.InsertIntakeTLS(&store.IntakeTLS{CertDER: certDER, KeyDER: keyDER, CreatedAt: now})
		return "", "for " + strings.Join(addrs, ", ") + "; fingerprint " + intake.Fingerprint(certDER), err
	})
	if err != nil {
		return nil, fmt.Errorf("storing the intake certificate: %w", err)
	}
	return c, nil
}

// intakeCert is a stored certificate and key as crypto/tls takes them.
func intakeCert(certDER, keyDER []byte) (*tls.Certificate, error) {
	leaf, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("reading the intake certificate: %w", err)
	}
	key, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return nil, fmt.Errorf("reading the intake certificate's key: %w", err)
	}
	return &tls.Certificate{Certificate: [][]byte{certDER}, PrivateKey: key, Leaf: leaf}, nil
}

// certFits: c names exactly the addresses ips (in any order) and is
// valid now and for more than intakeTLSRenew.
func certFits(c *x509.Certificate, ips []net.IP, now time.Time) bool {
	if now.Before(c.NotBefore) || now.Add(intakeTLSRenew).After(c.NotAfter) || len(c.DNSNames) > 0 {
		return false
	}
	norm := func(list []net.IP) []string {
		out := make([]string, 0, len(list))
		for _, ip := range list {
			out = append(out, ip.String())
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(c.IPAddresses), norm(ips))
}
