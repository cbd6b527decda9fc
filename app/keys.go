package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"casevault/app/human"
	"casevault/store"
)

// Two keys live in the database (inside the encrypted vault) rather than
// being derived from the data key, because they must outlive a change of
// the data key (RotateDataKey):
//
//   - audit_mac_key: the audit chain's MAC key. Until the first rotation the
//     chain uses K_audit derived from the data key (vault.MAC, purpose
//     "audit"); the first rotation stores that same key here (hex) before
//     the data key changes, and from then on the chain is computed and
//     verified with it, so entries written before and after verify as one
//     chain.
//   - pass_history_key: 32 random bytes (hex) keying the verifiers of
//     earlier passphrases (PassPolicy.NoReuse): verifier = salt(16) ||
//     Argon2id(HMAC-SHA256(key, "casevault pass history v1" || user id (8,
//     big-endian) || NFC(passphrase)), salt, t=2, m=8 MiB, p=1, 32 bytes).
//     Without the key (that is, without the vault open) a verifier is
//     worthless; with it, Argon2id still makes each guess at an old
//     passphrase cost something.
const (
	auditKeySetting       = "audit_mac_key"
	passHistoryKeySetting = "pass_history_key"
)

// auditMACKey is the stored audit chain key, or nil while the chain still
// uses the data key's K_audit.
func auditMACKey(tx *store.Tx) ([]byte, error) {
	v, err := tx.Setting(auditKeySetting)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("the audit trail's key in the vault is damaged (%s instead of 32 bytes)", human.Size(int64(len(k))))
	}
	return k, nil
}

// keepAuditKey stores the data key's K_audit as the chain's key, if not
// stored yet, so that the chain survives a change of the data key.
func (s *Session) keepAuditKey(tx *store.Tx) error {
	if k, err := auditMACKey(tx); err != nil || k != nil {
		return err
	}
	k, err := s.v.PurposeKey("audit")
	if err != nil {
		return err
	}
	defer clear(k)
	return tx.SetSetting(auditKeySetting, hex.EncodeToString(k))
}

// passHistoryKey returns the vault's pass history key, making it on first use.
func (s *Session) passHistoryKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
		v, err := tx.Setting(passHistoryKeySetting)
		if err == nil {
			key, err = hex.DecodeString(v)
			if err == nil && len(key) != 32 {
				err = errors.New("wrong length")
			}
			if err != nil {
				return fmt.Errorf("the passphrase history key in the vault is damaged: %w", err)
			}
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		key = make([]byte, 32)
		rand.Read(key)
		return tx.SetSetting(passHistoryKeySetting, hex.EncodeToString(key))
	})
	return key, err
}

func verifierInput(key []byte, userID int64, pass []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("casevault pass history v1"))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(userID)))
	p := norm.NFC.Append(nil, pass...) // a copy: Bytes may return pass itself, which must not be wiped
	m.Write(p)
	clear(p)
	return m.Sum(nil)
}

func verifierHash(in, salt []byte) []byte { return argon2.IDKey(in, salt, 2, 8*1024, 1, 32) }

// newVerifier is a verifier of pass for the user's history.
func newVerifier(key []byte, userID int64, pass []byte) []byte {
	salt := make([]byte, 16)
	rand.Read(salt)
	in := verifierInput(key, userID, pass)
	defer clear(in)
	return append(salt, verifierHash(in, salt)...)
}

// verifierMatches reports whether v is a verifier of pass.
func verifierMatches(key []byte, userID int64, pass, v []byte) bool {
	if len(v) != 48 {
		return false
	}
	in := verifierInput(key, userID, pass)
	defer clear(in)
	return hmac.Equal(verifierHash(in, v[:16]), v[16:])
}
