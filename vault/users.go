package vault

import (
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/awnumar/memguard"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/text/unicode/norm"
)

// Users and their key slots (header version 2, docs/FORMAT.md section 4):
// each user's passphrase (and, if the slot says so, a key file) opens that
// user's X25519 identity; the identity opens the data key, sealed to it with
// HPKE. Adding a user, changing or resetting a passphrase and removing a
// user rewrite only the header.

// Sentinel errors of users and key files.
var (
	// ErrUnknownUser: the vault has no key slot for the user name given.
	ErrUnknownUser = errors.New("there is no such user in this vault")
	// ErrKeyFileNeeded: the user's slot needs a key file and none was given.
	ErrKeyFileNeeded = errors.New("this user's passphrase needs the key file")
	// ErrUserExists: AddUserSlot was given a name that already has a slot.
	ErrUserExists = errors.New("there is already a user of that name in this vault")
	// ErrOwnerPassphraseNeeded: a version 1 vault opened with the recovery
	// key cannot be converted to users (its owner slot needs the passphrase).
	ErrOwnerPassphraseNeeded = errors.New("the owner's passphrase is needed")
)

// UnknownUserError names the user that has no slot.
type UnknownUserError struct{ Name string }

func (e *UnknownUserError) Error() string {
	return fmt.Sprintf("there is no user %q in this vault; check the spelling, or ask the owner", e.Name)
}

// Is reports whether target is ErrUnknownUser.
func (e *UnknownUserError) Is(target error) bool { return target == ErrUnknownUser }

// MaxUserName is the longest user name, in characters (code points, NFC).
const MaxUserName = 64

// NormalizeUserName checks a user name and returns it in NFC. A name is 1 to
// 64 characters of valid UTF-8, without control or format characters
// (escape codes, bidirectional overrides, zero-width characters) and without
// a space at either end. Names are compared without regard to case: see
// UserTag.
func NormalizeUserName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", errors.New("the user name is not valid text (UTF-8)")
	}
	n := norm.NFC.String(name)
	count := utf8.RuneCountInString(n)
	switch {
	case count == 0:
		return "", errors.New("the user name is empty")
	case count > MaxUserName:
		return "", fmt.Errorf("the user name has %d characters; at most %d are allowed", count, MaxUserName)
	case strings.TrimSpace(n) != n:
		return "", errors.New("the user name starts or ends with a space")
	}
	for _, r := range n {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return "", fmt.Errorf("the user name holds the character %U, which names may not hold", r)
		}
	}
	return n, nil
}

// UserTag is the tag of a user name in the vault's header:
// HMAC-SHA256(key = vault id, "casevault user v1" || NFC(lower-case(NFC(name))))
// cut to 16 bytes. It is not secret: anyone with the header and a list of
// candidate names can tell which of them are users (docs/THREAT-MODEL.md).
func UserTag(vaultID [16]byte, name string) [16]byte {
	n := norm.NFC.String(strings.ToLower(norm.NFC.String(name)))
	var tag [16]byte
	copy(tag[:], hmacSum(vaultID[:], []byte("casevault user v1"), []byte(n)))
	return tag
}

// ForUser returns the credential for the slot of the user name (case does
// not matter). Without it, a passphrase credential is the owner's. A
// recovery key ignores it: it always opens as the owner.
func (c Credential) ForUser(name string) Credential {
	c.user = name
	return c
}

// WithKeyFile returns the credential with a key file: content is the whole
// file, read as it is. Only its SHA-256 is kept (the caller should wipe
// content). A key file that a slot does not need is ignored.
func (c Credential) WithKeyFile(content []byte) Credential {
	sum := sha256.Sum256(content)
	c.keyFile = &sum
	return c
}

// User is the user name given with ForUser ("" for the owner).
func (c Credential) User() string { return c.user }

// HasKeyFile reports whether WithKeyFile gave the credential a key file.
func (c Credential) HasKeyFile() bool { return c.keyFile != nil }

// SlotInfo describes one key slot without secrets.
type SlotInfo struct {
	Type    SlotType
	Tag     [16]byte // UserTag of the user's name; zero for the recovery key and a converted vault's owner
	KeyFile bool     // the slot needs a key file
	// Owner: the owner's slot (in a converted vault, the one with the zero
	// tag; in a new one, the first). The recovery key's slot is the owner's
	// too: it opens as the owner.
	Owner bool
}

func (s *slot) info() SlotInfo {
	return SlotInfo{
		Type:    s.Type,
		Tag:     s.Tag,
		KeyFile: s.Flags&flagKeyFile != 0,
		Owner:   s.Type == SlotPassphrase || s.Type.IsRecovery() || s.Flags&flagOwner != 0,
	}
}

// Slots lists the header's key slots, in header order.
func (v *Vault) Slots() []SlotInfo {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]SlotInfo, len(v.hdr.Slots))
	for i := range v.hdr.Slots {
		out[i] = v.hdr.Slots[i].info()
	}
	return out
}

// OpenedBy says which slot unlocked the vault (after a passphrase change of
// that slot, the new one).
func (v *Vault) OpenedBy() SlotInfo {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.opened
}

// HeaderVersion is the header's format version: 1 (one passphrase and a
// recovery key) or 2 (user slots).
func (v *Vault) HeaderVersion() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return int(v.hdr.version())
}

// kekV2 derives the key that wraps a version 2 slot's identity. A user slot
// (type 3): Argon2id of the passphrase, then, with the key file flag,
// HKDF-SHA256(IKM = Argon2id output || SHA-256(key file), salt = VID,
// info = "casevault key file slot v1" || slot salt). The recovery slot
// (type 4): as a version 1 recovery slot.
func kekV2(vaultID [16]byte, s *slot, secret []byte, keyFile *[32]byte) ([]byte, error) {
	if s.KDF != kdfArgon2id {
		return kek(vaultID, s, secret), nil
	}
	k := s.Params.derive(secret, s.Salt[:])
	if s.Flags&flagKeyFile == 0 {
		return k, nil
	}
	if keyFile == nil {
		clear(k)
		return nil, ErrKeyFileNeeded
	}
	ikm := append(k, keyFile[:]...)
	out := derive(ikm, vaultID, "casevault key file slot v1"+string(s.Salt[:]))
	clear(ikm)
	return out, nil
}

var (
	hpkeKEM  = hpke.DHKEM(ecdh.X25519())
	hpkeKDF  = hpke.HKDFSHA256()
	hpkeAEAD = hpke.ChaCha20Poly1305()
)

// sealDataKey seals dk to the slot's public key (HPKE base mode,
// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305; info =
// slotBinding) into s.Sealed.
func sealDataKey(vaultID [16]byte, s *slot, dk []byte) error {
	pub, err := hpkeKEM.NewPublicKey(s.Pub[:])
	if err != nil {
		return fmt.Errorf("sealing the data key: %w", err)
	}
	ct, err := hpke.Seal(pub, hpkeKDF, hpkeAEAD, slotBinding(vaultID, s), dk)
	if err != nil {
		return fmt.Errorf("sealing the data key: %w", err)
	}
	if len(ct) != len(s.Sealed) {
		return fmt.Errorf("sealing the data key: %d bytes, expected %d", len(ct), len(s.Sealed))
	}
	copy(s.Sealed[:], ct)
	return nil
}

// makeSlotV2 makes a type-3 or type-4 slot: a fresh identity wrapped under
// kek (derived here from secret) and dk sealed to it.
func makeSlotV2(vaultID [16]byte, t SlotType, secret []byte, keyFile *[32]byte, p KDFParams, tag [16]byte, flags uint8, dk []byte) (slot, error) {
	s := slot{Type: t, Tag: tag, Flags: flags}
	if t == SlotUser {
		s.KDF, s.Params = kdfArgon2id, p
	} else {
		s.KDF = kdfHKDFSHA256
	}
	if keyFile != nil {
		s.Flags |= flagKeyFile
	}
	if _, err := rand.Read(s.Salt[:]); err != nil {
		return s, err
	}
	k, err := kekV2(vaultID, &s, secret, keyFile)
	if err != nil {
		return s, err
	}
	defer clear(k)
	return s, wrapIdentity(vaultID, &s, k, dk)
}

// wrapIdentity gives s a fresh identity: its private key wrapped under kek
// (fresh nonce), its public key, and dk sealed to it. The slot's other
// fields must be final: they are bound to both.
func wrapIdentity(vaultID [16]byte, s *slot, kek, dk []byte) error {
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("making a key pair: %w", err)
	}
	copy(s.Pub[:], priv.PublicKey().Bytes())
	if _, err := rand.Read(s.Nonce[:]); err != nil {
		return err
	}
	a, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return err
	}
	pb := priv.Bytes()
	copy(s.Wrapped[:], a.Seal(nil, s.Nonce[:], pb, slotAD(vaultID, s)))
	clear(pb)
	return sealDataKey(vaultID, s, dk)
}

// errSlotKey: the KEK does not unwrap the slot (wrong secret).
var errSlotKey = errors.New("the key does not open the slot")

// openSlot returns the data key of slot s with its KEK. A KEK that does not
// unwrap is errSlotKey; a version 2 slot whose identity unwraps but whose
// sealed data key does not open is damage (the caller names the file).
func openSlot(vaultID [16]byte, s *slot, kek []byte) ([]byte, error) {
	a, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	pt, err := a.Open(nil, s.Nonce[:], s.Wrapped[:], slotAD(vaultID, s))
	if err != nil {
		return nil, errSlotKey
	}
	if !s.v2() {
		return pt, nil
	}
	defer clear(pt)
	ek, err := ecdh.X25519().NewPrivateKey(pt)
	if err != nil {
		return nil, fmt.Errorf("the slot's identity is not an X25519 key: %v", err)
	}
	if !bytesEqual(ek.PublicKey().Bytes(), s.Pub[:]) {
		return nil, errors.New("the slot's identity does not match its public key")
	}
	priv, err := hpke.NewDHKEMPrivateKey(ek)
	if err != nil {
		return nil, err
	}
	dk, err := hpke.Open(priv, hpkeKDF, hpkeAEAD, slotBinding(vaultID, s), s.Sealed[:])
	if err != nil {
		return nil, errors.New("the sealed data key does not open with the slot's identity")
	}
	return dk, nil
}

func bytesEqual(a, b []byte) bool { return hmacEqual(a, b) }

// kekMemo keeps the last KEK derived, keyed by the slot fields that
// determine it, so that opening two headers whose slots share them (a
// header and its header.next in a rotation) derives once.
type kekMemo struct {
	key string
	kek []byte
}

func (m *kekMemo) get(vaultID [16]byte, s *slot, cred Credential) ([]byte, error) {
	var key string
	if m != nil {
		key = string(s.adFields()[1:27]) + string([]byte{s.Flags & flagKeyFile})
		if m.kek != nil && m.key == key {
			return m.kek, nil
		}
	}
	var k []byte
	var err error
	if s.v2() {
		k, err = kekV2(vaultID, s, cred.secret, cred.keyFile)
	} else {
		k = kek(vaultID, s, cred.secret)
	}
	if err != nil {
		return nil, err
	}
	if m != nil {
		m.wipe()
		m.key, m.kek = key, k
	}
	return k, nil
}

func (m *kekMemo) wipe() {
	if m != nil && m.kek != nil {
		clear(m.kek)
		m.kek = nil
	}
}

// candidates are the slots cred may open, in the order to try them: by tag
// for a named user, never a scan that derives a key per slot.
func (h *header) candidates(cred Credential) ([]int, error) {
	var out []int
	switch {
	case cred.typ.IsRecovery():
		for i := range h.Slots {
			if h.Slots[i].Type.IsRecovery() {
				out = append(out, i)
			}
		}
	case h.version() == headerVersion:
		for i := range h.Slots {
			if h.Slots[i].Type == SlotPassphrase {
				out = append(out, i)
			}
		}
	default:
		i, err := h.userIndex(cred.user)
		if err != nil {
			return nil, err
		}
		if h.Slots[i].Flags&flagKeyFile != 0 && cred.keyFile == nil {
			return nil, fmt.Errorf("%w: give the key file together with the passphrase", ErrKeyFileNeeded)
		}
		out = append(out, i)
	}
	return out, nil
}

// userIndex finds the type-3 slot of a user name: "" is the owner; a name
// whose tag no slot has is the owner when the owner's slot has the zero tag
// (a converted vault, whose owner's name is not in the header), else
// ErrUnknownUser.
func (h *header) userIndex(name string) (int, error) {
	owner := h.ownerIndex()
	if name == "" {
		if owner < 0 {
			return -1, errors.New("this vault has no owner slot")
		}
		return owner, nil
	}
	n, err := NormalizeUserName(name)
	if err != nil {
		return -1, &UnknownUserError{Name: name}
	}
	if i := h.tagIndex(UserTag(h.VaultID, n)); i >= 0 {
		return i, nil
	}
	if owner >= 0 && h.Slots[owner].Tag == ([16]byte{}) {
		return owner, nil
	}
	return -1, &UnknownUserError{Name: n}
}

// wrongCredential is the message of a credential that opens no slot.
func wrongCredential(cred Credential, s *slot) error {
	switch {
	case cred.typ.IsRecovery():
		return fmt.Errorf("%w: the recovery key does not open this vault; check it against the paper copy", ErrWrongCredential)
	case s != nil && s.Flags&flagKeyFile != 0:
		return fmt.Errorf("%w: the passphrase or the key file is wrong; check Caps Lock and the keyboard layout, and give the very same key file, unchanged "+
			"(a copy with any byte changed does not work), or ask the owner", ErrWrongCredential)
	case cred.user != "":
		return fmt.Errorf("%w: the passphrase does not open this vault for %s; check Caps Lock and the keyboard layout, or ask the owner", ErrWrongCredential, cred.user)
	}
	return fmt.Errorf("%w: the passphrase does not open this vault; check Caps Lock and the keyboard layout, or unlock with the recovery key", ErrWrongCredential)
}

// unlocked is what opening a header with a credential gives.
type unlocked struct {
	h    *header
	keys *keyring
	slot int // the slot that opened
}

// openHeader parses header bytes and opens a slot with cred; it does not
// check the MAC nor make a keyring. On success the data key is returned.
func openHeader(file string, b []byte, cred Credential, memo *kekMemo) (*header, int, []byte, error) {
	h, err := parseHeader(file, b)
	if err != nil {
		return nil, -1, nil, err
	}
	cands, err := h.candidates(cred)
	if err != nil {
		return nil, -1, nil, err
	}
	var last *slot
	for _, i := range cands {
		s := &h.Slots[i]
		last = s
		k, err := memo.get(h.VaultID, s, cred)
		if err != nil {
			return nil, -1, nil, err
		}
		dk, err := openSlot(h.VaultID, s, k)
		if memo == nil {
			clear(k)
		}
		if errors.Is(err, errSlotKey) {
			continue
		}
		if err != nil {
			return nil, -1, nil, damaged(file, "key slot %d: %v", i, err)
		}
		return h, i, dk, nil
	}
	return nil, -1, nil, wrongCredential(cred, last)
}

// unlockFull opens the header and checks its MAC. keepKEK: a vault being
// opened (not a header copy) keeps a version 1 owner slot's KEK.
func unlockFull(file string, b []byte, cred Credential, memo *kekMemo, keepKEK bool) (*unlocked, error) {
	if memo == nil {
		memo = &kekMemo{}
		defer memo.wipe()
	}
	h, i, dk, err := openHeader(file, b, cred, memo)
	if err != nil {
		return nil, err
	}
	vaultOpened() // before any enclave exists; see Create
	keys := newKeyring(dk, h.VaultID)
	if err := checkHeaderMAC(file, h, keys); err != nil {
		keys.destroy()
		vaultClosed()
		return nil, err
	}
	if s := &h.Slots[i]; keepKEK && s.Type == SlotPassphrase {
		// A version 1 owner slot: keep its KEK (Argon2id of the
		// passphrase with the slot's salt), so that the first user
		// change can convert the header without asking again.
		if k, err := memo.get(h.VaultID, s, cred); err == nil {
			keys.ownerKEK = memguard.NewEnclave(append([]byte(nil), k...))
		}
	}
	return &unlocked{h: h, keys: keys, slot: i}, nil
}

// v2HeaderLocked returns the header as version 2: the current one (a
// clone), or a version 1 header converted: the owner's passphrase slot
// becomes a type-3 owner slot with the zero tag, the same salt and KDF
// parameters (so the same KEK, kept from the unlock) and a fresh identity;
// the legacy recovery slot is kept as it is.
func (v *Vault) v2HeaderLocked() (*header, error) {
	h := v.hdr.clone()
	if h.version() == headerVersion2 {
		return h, nil
	}
	if v.keys.ownerKEK == nil {
		return nil, fmt.Errorf("%w: this vault was made by an older casevault and was unlocked with the recovery key; "+
			"unlock it with the owner's passphrase once to add users (or change the owner's passphrase first)", ErrOwnerPassphraseNeeded)
	}
	var out []slot
	for _, s := range h.Slots {
		if s.Type != SlotPassphrase {
			out = append(out, s)
			continue
		}
		ns := slot{Type: SlotUser, KDF: kdfArgon2id, Params: s.Params, Salt: s.Salt, Flags: flagOwner}
		err := v.keys.with(v.keys.ownerKEK, func(k []byte) error {
			return v.keys.with(v.keys.data, func(dk []byte) error { return wrapIdentity(h.VaultID, &ns, k, dk) })
		})
		if err != nil {
			return nil, err
		}
		// The owner's slot first, as in a new vault.
		out = append([]slot{ns}, out...)
	}
	h.Version, h.Slots = headerVersion2, out
	return h, nil
}

// saveHeaderLocked MACs h, writes it atomically over the header and makes
// it the vault's.
func (v *Vault) saveHeaderLocked(h *header, what string) error {
	if err := v.keys.with(v.keys.header, func(k []byte) error { h.MAC = h.computeMAC(k); return nil }); err != nil {
		return err
	}
	if err := writeFileAtomic(v.fs, filepath.Join(v.dir, HeaderFile), h.marshal()); err != nil {
		return fmt.Errorf("%s: %w (nothing was changed)", what, err)
	}
	v.hdr = h
	return nil
}

func (v *Vault) writableLocked() error {
	switch {
	case v.keys == nil:
		return ErrClosed
	case v.readOnly:
		return ErrReadOnly
	case v.failed != nil:
		return v.failed
	}
	return nil
}

func keyFileHash(keyFile []byte) (*[32]byte, error) {
	if keyFile == nil {
		return nil, nil
	}
	if len(keyFile) == 0 {
		return nil, errors.New("the key file is empty; choose a file with content (any file that does not change)")
	}
	sum := sha256.Sum256(keyFile)
	return &sum, nil
}

// AddUserSlot adds a key slot for a new user: name (see NormalizeUserName;
// a name that already has a slot is ErrUserExists), their passphrase, and
// keyFile (nil: none; else the whole file, which must not be empty) with
// KDF parameters p. A version 1 vault is converted to version 2 first (the
// owner must have unlocked it with the passphrase). Only the header is
// rewritten, atomically.
func (v *Vault) AddUserSlot(name string, pass []byte, keyFile []byte, p KDFParams) error {
	n, err := NormalizeUserName(name)
	if err != nil {
		return err
	}
	if len(pass) == 0 {
		return errors.New("the passphrase is empty")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	kf, err := keyFileHash(keyFile)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.writableLocked(); err != nil {
		return err
	}
	h, err := v.v2HeaderLocked()
	if err != nil {
		return err
	}
	tag := UserTag(h.VaultID, n)
	if h.tagIndex(tag) >= 0 {
		return fmt.Errorf("%w: %s", ErrUserExists, n)
	}
	if len(h.Slots) >= maxSlotsV2 {
		return fmt.Errorf("the vault has %d key slots, the most it can hold; remove a user first", maxSlotsV2)
	}
	err = v.keys.with(v.keys.data, func(dk []byte) error {
		s, err := makeSlotV2(h.VaultID, SlotUser, normalisePassphrase(pass), kf, p, tag, 0, dk)
		if err != nil {
			return err
		}
		h.Slots = append(h.Slots, s)
		return nil
	})
	if err != nil {
		return err
	}
	if err := v.saveHeaderLocked(h, "adding the user"); err != nil {
		return err
	}
	v.afterConvertLocked()
	return nil
}

// afterConvertLocked updates what depends on the header version after a
// header was saved: the slot that opened, and the version 1 KEK, no
// longer needed once the owner's slot is version 2.
func (v *Vault) afterConvertLocked() {
	if v.hdr.version() != headerVersion2 {
		return
	}
	v.keys.ownerKEK = nil
	switch v.opened.Type {
	case SlotPassphrase:
		v.opened = v.hdr.Slots[v.hdr.ownerIndex()].info()
	}
}

// ChangeUserSlot gives a user's slot a new passphrase (and keyFile: nil for
// none, else the whole file; the slot then needs exactly that file) and, if
// p is not nil, new KDF parameters. name "" is the slot that opened the
// vault (the owner's when that was the recovery key). The slot gets a fresh
// identity with the data key sealed to it, so this serves both a user's own
// change and the owner's reset of another user's passphrase; the old
// passphrase stops opening this header at once. A converted vault's owner
// slot, found under a name that is no user's, is given that name's tag. A
// version 1 vault is converted to version 2 (its owner's slot with the new
// passphrase). Only the header is rewritten, atomically.
func (v *Vault) ChangeUserSlot(name string, newPass []byte, keyFile []byte, p *KDFParams) error {
	if len(newPass) == 0 {
		return errors.New("the new passphrase is empty")
	}
	if p != nil {
		if err := p.Validate(); err != nil {
			return err
		}
	}
	kf, err := keyFileHash(keyFile)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.writableLocked(); err != nil {
		return err
	}
	h := v.hdr.clone()
	if h.version() == headerVersion {
		return v.convertWithPassLocked(name, newPass, kf, p)
	}
	var idx int
	if name == "" && v.opened.Type == SlotUser {
		idx = h.tagIndex(v.opened.Tag)
	} else {
		idx, err = h.userIndex(name)
		if err != nil {
			return err
		}
	}
	if idx < 0 {
		return errors.New("the slot that opened this vault is gone")
	}
	old := h.Slots[idx]
	params := old.Params
	if p != nil {
		params = *p
	}
	tag := old.Tag
	if tag == ([16]byte{}) && name != "" {
		n, _ := NormalizeUserName(name) // userIndex accepted it
		tag = UserTag(h.VaultID, n)
	}
	err = v.keys.with(v.keys.data, func(dk []byte) error {
		s, err := makeSlotV2(h.VaultID, SlotUser, normalisePassphrase(newPass), kf, params, tag, old.Flags&flagOwner, dk)
		if err != nil {
			return err
		}
		h.Slots[idx] = s
		return nil
	})
	if err != nil {
		return err
	}
	if err := v.saveHeaderLocked(h, "saving the new passphrase"); err != nil {
		return err
	}
	if v.opened.Type == SlotUser && v.opened.Tag == old.Tag {
		v.opened = h.Slots[idx].info()
	}
	return nil
}

// convertWithPassLocked converts a version 1 header with the owner's new
// passphrase: the owner's slot becomes a type-3 slot (tag of name, or zero).
func (v *Vault) convertWithPassLocked(name string, newPass []byte, kf *[32]byte, p *KDFParams) error {
	h := v.hdr.clone()
	oi := h.ownerIndex()
	if oi < 0 {
		return errors.New("this vault has no passphrase slot")
	}
	params := h.Slots[oi].Params
	if p != nil {
		params = *p
	}
	var tag [16]byte
	if name != "" {
		n, err := NormalizeUserName(name)
		if err != nil {
			return err
		}
		tag = UserTag(h.VaultID, n)
	}
	var out []slot
	err := v.keys.with(v.keys.data, func(dk []byte) error {
		s, err := makeSlotV2(h.VaultID, SlotUser, normalisePassphrase(newPass), kf, params, tag, flagOwner, dk)
		if err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return err
	}
	for i, s := range h.Slots {
		if i != oi {
			out = append(out, s)
		}
	}
	h.Version, h.Slots = headerVersion2, out
	if err := v.saveHeaderLocked(h, "saving the new passphrase"); err != nil {
		return err
	}
	v.afterConvertLocked()
	return nil
}

// RemoveUserSlot removes the slot of the user name (found by its tag only).
// The owner's slot cannot be removed. Only the header is rewritten: whoever
// copied the vault folder while the passphrase worked still opens that copy
// (and the data key it holds opens this folder's objects as they are now)
// until RotateDataKey.
func (v *Vault) RemoveUserSlot(name string) error {
	n, err := NormalizeUserName(name)
	if err != nil {
		return &UnknownUserError{Name: name}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.writableLocked(); err != nil {
		return err
	}
	if v.hdr.version() != headerVersion2 {
		return &UnknownUserError{Name: n}
	}
	h := v.hdr.clone()
	idx := h.tagIndex(UserTag(h.VaultID, n))
	if idx < 0 {
		return &UnknownUserError{Name: n}
	}
	if h.Slots[idx].Flags&flagOwner != 0 {
		return errors.New("the owner's key slot cannot be removed")
	}
	h.Slots = append(h.Slots[:idx], h.Slots[idx+1:]...)
	return v.saveHeaderLocked(h, "removing the user")
}

// HasUser reports whether name has a slot of its own (by tag).
func (v *Vault) HasUser(name string) bool {
	n, err := NormalizeUserName(name)
	if err != nil {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.hdr.tagIndex(UserTag(v.hdr.VaultID, n)) >= 0
}

// PurposeKey returns the MAC key of a purpose (docs/FORMAT.md, "MAC
// purposes"): HMAC-SHA256(K_mac, "purpose:" || purpose), as Vault.MAC uses
// it. It is for a caller that must keep checking MACs made under the
// current data key after RotateDataKey has replaced it (the audit chain):
// the caller keeps the key inside the encrypted database and wipes its
// copy. The caller owns the returned bytes.
func (v *Vault) PurposeKey(purpose string) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return nil, ErrClosed
	}
	var out []byte
	err := purposeKey(v.keys, "purpose:", purpose, func(k []byte) error {
		out = append([]byte(nil), k...)
		return nil
	})
	return out, err
}

// UserSlot reads the header in dir (no derivation, no lock) and returns the
// slot that name ("" = the owner) would unlock: to ask for a key file
// before the first try (SlotInfo.KeyFile). ErrUnknownUser when there is none.
func UserSlot(dir, name string) (SlotInfo, error) {
	path := filepath.Join(dir, HeaderFile)
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return SlotInfo{}, fmt.Errorf("%w: %s", ErrNoVault, dir)
		}
		return SlotInfo{}, fmt.Errorf("reading vault header: %w", err)
	}
	h, err := parseHeader(path, b)
	if err != nil {
		return SlotInfo{}, err
	}
	if h.version() == headerVersion {
		return h.Slots[max(h.ownerIndex(), 0)].info(), nil
	}
	i, err := h.userIndex(name)
	if err != nil {
		return SlotInfo{}, err
	}
	return h.Slots[i].info(), nil
}
