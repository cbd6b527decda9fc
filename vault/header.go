package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Header layout (docs/FORMAT.md, "Header"). All integers little-endian.
const (
	headerMagic     = "CVAULT01"
	headerVersion   = 1
	headerFixedLen  = 8 + 2 + 16 + 8 + 1 // magic, version, vault id, created, slot count
	slotLen         = 1 + 1 + 4 + 4 + 1 + 16 + 24 + 48
	slotADLen       = 1 + 1 + 4 + 4 + 1 + 16 // the slot fields bound as associated data
	headerTrailer   = 32 + 32                // HMAC-SHA256, SHA-256
	maxSlots        = 16
	headerMaxLength = headerFixedLen + maxSlots*slotLen + headerTrailer
)

// SlotType says what kind of secret opens a key slot.
type SlotType uint8

// Slot types.
const (
	SlotPassphrase SlotType = 1
	SlotRecovery   SlotType = 2
)

func (t SlotType) String() string {
	switch t {
	case SlotPassphrase:
		return "passphrase"
	case SlotRecovery:
		return "recovery key"
	}
	return fmt.Sprintf("slot type %d", uint8(t))
}

// KDF algorithms of a slot.
const (
	kdfArgon2id   = 1 // passphrases
	kdfHKDFSHA256 = 2 // recovery keys: 160 random bits need no stretching
)

type slot struct {
	Type    SlotType
	KDF     uint8
	Params  KDFParams
	Salt    [16]byte
	Nonce   [24]byte
	Wrapped [48]byte // the 32-byte data key sealed with XChaCha20-Poly1305 (16-byte tag)
}

type header struct {
	VaultID [16]byte
	Created int64 // unix seconds
	Slots   []slot
	MAC     [32]byte // HMAC-SHA256 under the header key, over everything before it
}

func (s *slot) adFields() []byte {
	b := make([]byte, 0, slotADLen)
	b = append(b, byte(s.Type), s.KDF)
	b = binary.LittleEndian.AppendUint32(b, s.Params.Time)
	b = binary.LittleEndian.AppendUint32(b, s.Params.MemoryKiB)
	b = append(b, s.Params.Threads)
	b = append(b, s.Salt[:]...)
	return b
}

// slotAD binds a wrapped data key to its vault and to its own KDF settings.
func slotAD(vaultID [16]byte, s *slot) []byte {
	ad := []byte("casevault slot v1")
	ad = append(ad, vaultID[:]...)
	return append(ad, s.adFields()...)
}

// body returns the header bytes covered by the MAC.
func (h *header) body() []byte {
	b := make([]byte, 0, headerMaxLength)
	b = append(b, headerMagic...)
	b = binary.LittleEndian.AppendUint16(b, headerVersion)
	b = append(b, h.VaultID[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(h.Created))
	b = append(b, byte(len(h.Slots)))
	for i := range h.Slots {
		s := &h.Slots[i]
		b = append(b, s.adFields()...)
		b = append(b, s.Nonce[:]...)
		b = append(b, s.Wrapped[:]...)
	}
	return b
}

func (h *header) marshal() []byte {
	b := h.body()
	b = append(b, h.MAC[:]...)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

func (h *header) computeMAC(headerKey []byte) [32]byte {
	m := hmac.New(sha256.New, headerKey)
	m.Write(h.body())
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// parseHeader checks the header's structure and checksum. It does not check
// the MAC: that needs the data key.
func parseHeader(file string, b []byte) (*header, error) {
	if len(b) < headerFixedLen+headerTrailer {
		if len(b) >= 8 && string(b[:8]) != headerMagic {
			return nil, fmt.Errorf("%w: %s is not a casevault header", ErrNoVault, file)
		}
		return nil, damaged(file, "header is truncated: %d bytes", len(b))
	}
	if string(b[:8]) != headerMagic {
		return nil, damaged(file, "header does not start with %q", headerMagic)
	}
	sum := sha256.Sum256(b[:len(b)-32])
	if !bytes.Equal(sum[:], b[len(b)-32:]) {
		return nil, damaged(file, "header checksum does not match")
	}
	if v := binary.LittleEndian.Uint16(b[8:10]); v != headerVersion {
		return nil, damaged(file, "header version %d is not supported by this casevault", v)
	}
	h := &header{}
	copy(h.VaultID[:], b[10:26])
	h.Created = int64(binary.LittleEndian.Uint64(b[26:34]))
	n := int(b[34])
	if n < 1 || n > maxSlots {
		return nil, damaged(file, "header has %d key slots", n)
	}
	if len(b) != headerFixedLen+n*slotLen+headerTrailer {
		return nil, damaged(file, "header length %d does not fit %d key slots", len(b), n)
	}
	off := headerFixedLen
	for i := 0; i < n; i++ {
		p := b[off : off+slotLen]
		s := slot{
			Type: SlotType(p[0]),
			KDF:  p[1],
			Params: KDFParams{
				Time:      binary.LittleEndian.Uint32(p[2:6]),
				MemoryKiB: binary.LittleEndian.Uint32(p[6:10]),
				Threads:   p[10],
			},
		}
		copy(s.Salt[:], p[11:27])
		copy(s.Nonce[:], p[27:51])
		copy(s.Wrapped[:], p[51:99])
		switch {
		case s.Type == SlotPassphrase && s.KDF == kdfArgon2id:
			if err := s.Params.Validate(); err != nil {
				return nil, damaged(file, "key slot %d: %v", i, err)
			}
		case s.Type == SlotRecovery && s.KDF == kdfHKDFSHA256:
		default:
			return nil, damaged(file, "key slot %d has unknown type %d / KDF %d", i, p[0], p[1])
		}
		h.Slots = append(h.Slots, s)
		off += slotLen
	}
	copy(h.MAC[:], b[off:off+32])
	return h, nil
}
