package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
)

// A recovery key is 20 random bytes (160 bits), printed as 32 Crockford
// base32 characters followed by 4 checksum characters, in 9 groups of 4:
// "7K3M-Q0ZD-...". The checksum catches typos before any key slot is tried.

const (
	recoveryKeyBytes = 20
	crockford        = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// RecoveryKey is the printable emergency key. Keep it off the laptop.
type RecoveryKey string

func newRecoveryKey() (raw []byte, printable RecoveryKey, err error) {
	raw = make([]byte, recoveryKeyBytes)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", fmt.Errorf("reading random bytes: %w", err)
	}
	return raw, RecoveryKey(formatRecovery(raw)), nil
}

func recoveryChecksum(raw []byte) string {
	sum := sha256.Sum256(append([]byte("casevault recovery key v1"), raw...))
	v := uint32(sum[0])<<12 | uint32(sum[1])<<4 | uint32(sum[2])>>4 // 20 bits
	var b [4]byte
	for i := 3; i >= 0; i-- {
		b[i] = crockford[v&31]
		v >>= 5
	}
	return string(b[:])
}

func base32Encode(raw []byte) string {
	var sb strings.Builder
	var acc uint64
	bits := 0
	for _, c := range raw {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			sb.WriteByte(crockford[(acc>>uint(bits))&31])
		}
	}
	if bits > 0 {
		sb.WriteByte(crockford[(acc<<uint(5-bits))&31])
	}
	return sb.String()
}

func formatRecovery(raw []byte) string {
	s := base32Encode(raw) + recoveryChecksum(raw)
	var groups []string
	for i := 0; i < len(s); i += 4 {
		groups = append(groups, s[i:i+4])
	}
	return strings.Join(groups, "-")
}

// ParseRecoveryKey reads a typed recovery key. It ignores case, spaces and
// dashes, and reads I and L as 1 and O as 0, as Crockford base32 does.
func ParseRecoveryKey(s string) ([]byte, error) {
	var clean []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r':
			continue
		case r == 'I' || r == 'L':
			clean = append(clean, '1')
		case r == 'O':
			clean = append(clean, '0')
		case r < 128 && strings.IndexByte(crockford, byte(r)) >= 0:
			clean = append(clean, byte(r))
		default:
			return nil, fmt.Errorf("%w: %q is not a character a recovery key uses", ErrBadRecoveryKey, r)
		}
	}
	if len(clean) != 36 {
		return nil, fmt.Errorf("%w: it has %d characters, a recovery key has 36 (9 groups of 4)", ErrBadRecoveryKey, len(clean))
	}
	raw := make([]byte, 0, recoveryKeyBytes)
	var acc uint64
	bits := 0
	for _, c := range clean[:32] {
		acc = acc<<5 | uint64(strings.IndexByte(crockford, c))
		bits += 5
		if bits >= 8 {
			bits -= 8
			raw = append(raw, byte(acc>>uint(bits)))
		}
	}
	if recoveryChecksum(raw) != string(clean[32:]) {
		return nil, fmt.Errorf("%w: the last group does not match the others; check each group against the paper copy", ErrBadRecoveryKey)
	}
	return raw, nil
}
