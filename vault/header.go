package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Header layout (docs/FORMAT.md, "Header"). All integers little-endian.
//
// Version 1 holds slots of types 1 and 2 (99 bytes each), each wrapping the
// data key directly. Version 2 (user slots) holds slots of types 3 and 4
// (228 bytes each), each wrapping an X25519 identity to which the data key
// is sealed with HPKE, and at most one legacy type-2 slot (99 bytes) kept
// from a converted version 1 header.
const (
	headerMagic     = "CVAULT01"
	headerVersion   = 1
	headerVersion2  = 2
	headerFixedLen  = 8 + 2 + 16 + 8 + 1 // magic, version, vault id, created, slot count
	slotLen         = 1 + 1 + 4 + 4 + 1 + 16 + 24 + 48
	slotADLen       = 1 + 1 + 4 + 4 + 1 + 16 // the slot fields bound as associated data
	headerTrailer   = 32 + 32                // HMAC-SHA256, SHA-256
	maxSlots        = 16                     // version 1
	headerMaxLength = headerFixedLen + maxSlots*slotLen + headerTrailer

	// version 2 slots (types 3 and 4)
	slotV2Len       = 11 + 16 + 16 + 1 + 24 + 48 + 32 + 80 // 228
	slotV2FieldsLen = 11 + 16 + 16 + 1                     // type..flags: bound in AD and HPKE info
	maxSlotsV2      = 64
	headerV2MaxLen  = headerFixedLen + maxSlotsV2*slotV2Len + headerTrailer
)

// SlotType says what kind of secret opens a key slot.
type SlotType uint8

// Slot types.
const (
	SlotPassphrase SlotType = 1 // version 1: the owner's passphrase wraps the data key
	SlotRecovery   SlotType = 2 // version 1: the recovery key wraps the data key (legacy in version 2)
	SlotUser       SlotType = 3 // version 2: a user's passphrase (and key file) wraps an identity
	SlotRecoveryV2 SlotType = 4 // version 2: the recovery key wraps an identity
)

func (t SlotType) String() string {
	switch t {
	case SlotPassphrase:
		return "passphrase"
	case SlotRecovery:
		return "recovery key"
	case SlotUser:
		return "user passphrase"
	case SlotRecoveryV2:
		return "recovery key (v2)"
	}
	return fmt.Sprintf("slot type %d", uint8(t))
}

// IsRecovery reports whether the slot type is opened by the recovery key.
func (t SlotType) IsRecovery() bool { return t == SlotRecovery || t == SlotRecoveryV2 }

// KDF algorithms of a slot.
const (
	kdfArgon2id   = 1 // passphrases
	kdfHKDFSHA256 = 2 // recovery keys: 160 random bits need no stretching
)

// Flags of a version 2 slot.
const (
	flagKeyFile = 1 << 0 // the KEK mixes in the SHA-256 of a key file
	flagOwner   = 1 << 1 // the owner's slot (exactly one type-3 slot)
	flagsKnown  = flagKeyFile | flagOwner
)

type slot struct {
	Type   SlotType
	KDF    uint8
	Params KDFParams
	Salt   [16]byte
	Nonce  [24]byte
	// Wrapped is, in types 1 and 2, the 32-byte data key sealed with
	// XChaCha20-Poly1305 (16-byte tag); in types 3 and 4 the 32-byte X25519
	// private key (the slot's identity), sealed the same way.
	Wrapped [48]byte

	// Version 2 slots (types 3 and 4) only.
	Tag    [16]byte // UserTag of the user's name; zero for the recovery slot and a converted owner
	Flags  uint8
	Pub    [32]byte // the identity's X25519 public key
	Sealed [80]byte // HPKE enc (32) || the data key sealed (32 + 16)
}

type header struct {
	Version uint16 // 0 is read as 1
	VaultID [16]byte
	Created int64 // unix seconds
	Slots   []slot
	MAC     [32]byte // HMAC-SHA256 under the header key, over everything before it
}

func (h *header) version() uint16 {
	if h.Version == 0 {
		return headerVersion
	}
	return h.Version
}

func (s *slot) v2() bool { return s.Type == SlotUser || s.Type == SlotRecoveryV2 }

func (s *slot) adFields() []byte {
	b := make([]byte, 0, slotV2FieldsLen)
	b = append(b, byte(s.Type), s.KDF)
	b = binary.LittleEndian.AppendUint32(b, s.Params.Time)
	b = binary.LittleEndian.AppendUint32(b, s.Params.MemoryKiB)
	b = append(b, s.Params.Threads)
	b = append(b, s.Salt[:]...)
	if s.v2() {
		b = append(b, s.Tag[:]...)
		b = append(b, s.Flags)
	}
	return b
}

// slotAD binds a wrapped data key to its vault and to its own KDF settings
// (types 1 and 2), or a wrapped identity to its vault, its slot fields and
// its public key (types 3 and 4).
func slotAD(vaultID [16]byte, s *slot) []byte {
	if s.v2() {
		return slotBinding(vaultID, s)
	}
	ad := []byte("casevault slot v1")
	ad = append(ad, vaultID[:]...)
	return append(ad, s.adFields()...)
}

// slotBinding is the AD of a version 2 slot's wrapped identity and the info
// of its HPKE seal: "casevault slot v2" || VID || slot bytes [0, 44) || public key.
func slotBinding(vaultID [16]byte, s *slot) []byte {
	b := make([]byte, 0, 17+16+slotV2FieldsLen+32)
	b = append(b, "casevault slot v2"...)
	b = append(b, vaultID[:]...)
	b = append(b, s.adFields()...)
	return append(b, s.Pub[:]...)
}

func (s *slot) marshal(b []byte) []byte {
	b = append(b, s.adFields()...)
	b = append(b, s.Nonce[:]...)
	b = append(b, s.Wrapped[:]...)
	if s.v2() {
		b = append(b, s.Pub[:]...)
		b = append(b, s.Sealed[:]...)
	}
	return b
}

// body returns the header bytes covered by the MAC.
func (h *header) body() []byte {
	b := make([]byte, 0, headerV2MaxLen)
	b = append(b, headerMagic...)
	b = binary.LittleEndian.AppendUint16(b, h.version())
	b = append(b, h.VaultID[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(h.Created))
	b = append(b, byte(len(h.Slots)))
	for i := range h.Slots {
		b = h.Slots[i].marshal(b)
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

// clone copies h deeply enough to change its slots.
func (h *header) clone() *header {
	c := *h
	c.Slots = append([]slot(nil), h.Slots...)
	return &c
}

// ownerIndex is the index of the owner's slot: the type-3 slot with the
// owner flag (version 2) or the passphrase slot (version 1); -1 if none.
func (h *header) ownerIndex() int {
	for i := range h.Slots {
		s := &h.Slots[i]
		if (s.Type == SlotUser && s.Flags&flagOwner != 0) || s.Type == SlotPassphrase {
			return i
		}
	}
	return -1
}

// recoveryIndex is the index of the recovery slot (type 2 or 4), or -1.
func (h *header) recoveryIndex() int {
	for i := range h.Slots {
		if h.Slots[i].Type.IsRecovery() {
			return i
		}
	}
	return -1
}

// tagIndex is the index of the type-3 slot with tag, or -1.
func (h *header) tagIndex(tag [16]byte) int {
	for i := range h.Slots {
		if h.Slots[i].Type == SlotUser && h.Slots[i].Tag == tag {
			return i
		}
	}
	return -1
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
	v := binary.LittleEndian.Uint16(b[8:10])
	if v != headerVersion && v != headerVersion2 {
		return nil, damaged(file, "header version %d is not supported by this casevault", v)
	}
	h := &header{Version: v}
	copy(h.VaultID[:], b[10:26])
	h.Created = int64(binary.LittleEndian.Uint64(b[26:34]))
	n := int(b[34])
	if v == headerVersion {
		if n < 1 || n > maxSlots {
			return nil, damaged(file, "header has %d key slots", n)
		}
		if len(b) != headerFixedLen+n*slotLen+headerTrailer {
			return nil, damaged(file, "header length %d does not fit %d key slots", len(b), n)
		}
	} else if n < 1 || n > maxSlotsV2 {
		return nil, damaged(file, "header has %d key slots", n)
	}
	end := len(b) - headerTrailer
	off := headerFixedLen
	for i := 0; i < n; i++ {
		if off >= end {
			return nil, damaged(file, "header length %d does not fit %d key slots", len(b), n)
		}
		t := SlotType(b[off])
		size := slotLen
		wide := v == headerVersion2 && (t == SlotUser || t == SlotRecoveryV2)
		if wide {
			size = slotV2Len
		}
		if off+size > end {
			return nil, damaged(file, "header length %d does not fit %d key slots", len(b), n)
		}
		s := parseSlot(b[off:off+size], wide)
		h.Slots = append(h.Slots, s)
		off += size
	}
	if off != end {
		return nil, damaged(file, "header length %d does not fit %d key slots", len(b), n)
	}
	if err := h.checkSlots(); err != nil {
		return nil, damaged(file, "%v", err)
	}
	copy(h.MAC[:], b[off:off+32])
	return h, nil
}

// parseSlot reads one slot of the 99-byte layout or, wide, the 228-byte one.
func parseSlot(p []byte, wide bool) slot {
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
	if !wide {
		copy(s.Nonce[:], p[27:51])
		copy(s.Wrapped[:], p[51:99])
		return s
	}
	copy(s.Tag[:], p[27:43])
	s.Flags = p[43]
	copy(s.Nonce[:], p[44:68])
	copy(s.Wrapped[:], p[68:116])
	copy(s.Pub[:], p[116:148])
	copy(s.Sealed[:], p[148:228])
	return s
}

// checkSlots applies the rules of docs/FORMAT.md section 4 to the slots of
// a parsed header: types and KDFs per version, KDF bounds, flags, tags.
func (h *header) checkSlots() error {
	owners, recoveries := 0, 0
	tags := map[[16]byte]bool{}
	for i := range h.Slots {
		s := &h.Slots[i]
		switch {
		case s.Type == SlotPassphrase && s.KDF == kdfArgon2id && h.Version == headerVersion:
			if err := s.Params.Validate(); err != nil {
				return fmt.Errorf("key slot %d: %v", i, err)
			}
		case s.Type == SlotRecovery && s.KDF == kdfHKDFSHA256:
			recoveries++
		case s.Type == SlotUser && s.KDF == kdfArgon2id && h.Version == headerVersion2:
			if err := s.Params.Validate(); err != nil {
				return fmt.Errorf("key slot %d: %v", i, err)
			}
			if s.Flags&^flagsKnown != 0 {
				return fmt.Errorf("key slot %d has unknown flags %#02x", i, s.Flags)
			}
			if s.Flags&flagOwner != 0 {
				owners++
			} else if s.Tag == ([16]byte{}) {
				return fmt.Errorf("key slot %d has no user tag and is not the owner's", i)
			}
			if tags[s.Tag] {
				return fmt.Errorf("key slot %d has the user tag of an earlier slot", i)
			}
			tags[s.Tag] = true
		case s.Type == SlotRecoveryV2 && s.KDF == kdfHKDFSHA256 && h.Version == headerVersion2:
			if s.Params != (KDFParams{}) || s.Tag != ([16]byte{}) || s.Flags != 0 {
				return fmt.Errorf("key slot %d: a recovery slot has KDF parameters, a user tag or flags", i)
			}
			recoveries++
		default:
			return fmt.Errorf("key slot %d has unknown type %d / KDF %d", i, uint8(s.Type), s.KDF)
		}
	}
	if h.Version == headerVersion2 {
		if owners != 1 {
			return fmt.Errorf("header has %d owner slots", owners)
		}
		if recoveries > 1 {
			return fmt.Errorf("header has %d recovery slots", recoveries)
		}
	}
	return nil
}
