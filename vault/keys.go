package vault

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/awnumar/memguard"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// keyring holds the data key and the keys derived from it, each in its own
// memguard Enclave (encrypted in memory). A key is decrypted into a locked
// buffer only for the moment it is used.
type keyring struct {
	data   *memguard.Enclave // the 256-bit data key, to rewrap slots
	aead   *memguard.Enclave // XChaCha20-Poly1305 key for objects, manifests, log records
	objID  *memguard.Enclave // HMAC-SHA256 key for object ids
	header *memguard.Enclave // HMAC-SHA256 key for the header MAC
	macs   *memguard.Enclave // root for MAC keys handed out by purpose (audit chain, ...)
	mark   *memguard.Enclave // the redo log mark's key: the MAC purpose "log mark"
	// ownerKEK: a version 1 header opened with the passphrase keeps its
	// KEK, to convert the header to version 2 at the first user change
	// without asking for the passphrase again (users.go). nil otherwise.
	ownerKEK *memguard.Enclave

	// hot holds the AEAD key, the MAC root, the object-id key and the log
	// mark key side by side (128 bytes), so that Vault.Hold opens them with one decryption for
	// the span of one commit (the log record and the audit MAC of one
	// write), and Keys.Hold for a whole backup or restore.
	hot     *memguard.Enclave
	held    map[*memguard.Enclave][]byte // views into heldBuf while held
	heldBuf *memguard.LockedBuffer
	holds   int
}

// hkdfInfo strings; see docs/FORMAT.md "Key derivation".
const (
	infoAEAD   = "casevault aead v1"
	infoObjID  = "casevault object id v1"
	infoHeader = "casevault header mac v1"
	infoMAC    = "casevault mac root v1"
)

func derive(dataKey []byte, vaultID [16]byte, info string) []byte {
	out := make([]byte, 32)
	r := hkdf.New(sha256.New, dataKey, vaultID[:], []byte(info))
	if _, err := io.ReadFull(r, out); err != nil {
		panic("hkdf: " + err.Error()) // cannot happen for 32 bytes
	}
	return out
}

// newKeyring takes ownership of dataKey and wipes it.
func newKeyring(dataKey []byte, vaultID [16]byte) *keyring {
	macRoot := derive(dataKey, vaultID, infoMAC)
	markKey := hmacSum(macRoot, []byte("purpose:"+markPurpose)) // = purposeKey(k, "purpose:", markPurpose)
	clear(macRoot)
	hot := append(derive(dataKey, vaultID, infoAEAD), derive(dataKey, vaultID, infoMAC)...)
	hot = append(hot, derive(dataKey, vaultID, infoObjID)...)
	hot = append(hot, markKey...)
	k := &keyring{
		hot:    memguard.NewEnclave(hot), // wipes hot
		aead:   memguard.NewEnclave(derive(dataKey, vaultID, infoAEAD)),
		objID:  memguard.NewEnclave(derive(dataKey, vaultID, infoObjID)),
		header: memguard.NewEnclave(derive(dataKey, vaultID, infoHeader)),
		macs:   memguard.NewEnclave(derive(dataKey, vaultID, infoMAC)),
		mark:   memguard.NewEnclave(markKey), // wipes markKey
	}
	k.data = memguard.NewEnclave(dataKey) // wipes dataKey
	return k
}

// with opens e for the duration of fn, or uses it as already opened by Hold.
func (k *keyring) with(e *memguard.Enclave, fn func(key []byte) error) error {
	if e == nil {
		return ErrClosed
	}
	if b := k.held[e]; b != nil {
		return fn(b)
	}
	b, err := e.Open()
	if err != nil {
		return fmt.Errorf("opening key enclave: %w", err)
	}
	defer b.Destroy()
	return fn(b.Bytes())
}

// withAEAD runs fn with a cipher under the AEAD key. The cipher copies the key
// onto the Go heap for the duration (docs/THREAT-MODEL.md).
func (k *keyring) withAEAD(fn func(a cipher.AEAD) error) error {
	return k.with(k.aead, func(key []byte) error {
		a, err := chacha20poly1305.NewX(key)
		if err != nil {
			return err
		}
		return fn(a)
	})
}

func seal(a cipher.AEAD, plaintext, ad []byte) ([]byte, error) {
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("reading random nonce: %w", err)
	}
	return a.Seal(nonce, nonce, plaintext, ad), nil
}

func open(a cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < a.NonceSize()+a.Overhead() {
		return nil, fmt.Errorf("ciphertext too short")
	}
	n := a.NonceSize()
	return a.Open(nil, sealed[:n], sealed[n:], ad)
}

func hmacSum(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

func (k *keyring) destroy() {
	k.release()
	for _, e := range []**memguard.Enclave{&k.data, &k.aead, &k.objID, &k.header, &k.macs, &k.mark, &k.hot, &k.ownerKEK} {
		*e = nil // the enclaves' sealed bytes become unreachable; memguard.Purge rekeys them away
	}
}

// hold opens the hot enclave (once for nested holds).
func (k *keyring) hold() error {
	if k.holds == 0 {
		b, err := k.hot.Open()
		if err != nil {
			return fmt.Errorf("opening key enclave: %w", err)
		}
		k.heldBuf = b
		k.held = map[*memguard.Enclave][]byte{k.aead: b.Bytes()[:32], k.macs: b.Bytes()[32:64], k.objID: b.Bytes()[64:96], k.mark: b.Bytes()[96:128]}
	}
	k.holds++
	return nil
}

// unhold wipes the held keys when the outermost hold ends.
func (k *keyring) unhold() {
	if k.holds == 0 {
		return
	}
	if k.holds--; k.holds == 0 {
		k.release()
	}
}

func (k *keyring) release() {
	k.held = nil
	if k.heldBuf != nil {
		k.heldBuf.Destroy()
		k.heldBuf = nil
	}
	k.holds = 0
}

func hmacEqual(a, b []byte) bool { return hmac.Equal(a, b) }
