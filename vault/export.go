package vault

import (
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/awnumar/memguard"
	"golang.org/x/crypto/chacha20poly1305"
)

// This file is the vault's side of backups (docs/FORMAT.md, "Backup
// repository"): a consistent capture of the bytes at rest, keys that work
// without a vault folder (from a header copy), and installing a vault folder
// from backed-up parts. The vault's files are copied as they are: already
// encrypted and authenticated, so a backup never holds plaintext.

// Capture is a consistent copy of the vault's state at one moment: the
// header, the manifest of the current checkpoint and the redo log up to its
// last acknowledged record. With the chunk objects the checkpoint names, it
// is everything needed to recreate the vault as it was.
type Capture struct {
	Header     []byte      // the header file's bytes
	Manifest   []byte      // the manifest file's bytes (encrypted)
	Checkpoint *Checkpoint // the decrypted manifest
	LogGen     uint64      // the redo log generation that follows the checkpoint
	Log        []byte      // the redo log's bytes up to its last acknowledged record; nil when it is empty
}

// Capture copies the header, the manifest and the redo log, and pins the
// checkpoint's chunk objects so that a checkpoint meanwhile does not delete
// them before release is called. The caller must hold back writes, so that
// the log and the database agree: store.DB.Capture calls it under the
// store's lock.
func (v *Vault) Capture() (c *Capture, release func(), err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return nil, nil, ErrClosed
	}
	if v.cp == nil {
		return nil, nil, errors.New("the vault has not been loaded yet")
	}
	mpath := filepath.Join(v.dir, ManifestFile)
	manifest, err := os.ReadFile(mpath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, damaged(mpath, "the manifest is missing")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading manifest: %w", err)
	}
	c = &Capture{Header: v.hdr.marshal(), Manifest: manifest, Checkpoint: v.cp, LogGen: v.currentGen()}
	if v.logSize > 0 {
		path := v.logPath(c.LogGen)
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("reading redo log: %w", err)
		}
		c.Log = make([]byte, v.logSize)
		_, err = f.ReadAt(c.Log, 0)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("reading redo log: %w", err)
		}
		if c.Log, err = v.salvagedLogCopyLocked(c.Log); err != nil {
			return nil, nil, err
		}
	}
	cp := v.cp
	v.pins[cp]++
	var once sync.Once
	return c, func() {
		once.Do(func() {
			v.mu.Lock()
			defer v.mu.Unlock()
			if v.pins[cp]--; v.pins[cp] <= 0 {
				delete(v.pins, cp)
			}
		})
	}, nil
}

// ReadObjectFile returns an object's file as stored (encrypted), for copying
// into a backup. A missing object is a *DamagedError naming its path.
func (v *Vault) ReadObjectFile(k Kind, id ID) ([]byte, error) {
	path := v.objectPath(k, id)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, damaged(path, "object is missing")
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}

// ObjectPath is where the object lives in the vault folder, for messages.
func (v *Vault) ObjectPath(k Kind, id ID) string { return v.objectPath(k, id) }

// Keys are a vault's keys without its folder: the vault's own (Vault.Keys) or
// unlocked from a copy of its header (UnlockHeader), as a backup repository
// keeps one. They authenticate the vault's files and seal a backup's own
// metadata under keys derived for a purpose. Safe for concurrent use.
type Keys struct {
	mu      *sync.Mutex
	get     func() *keyring // nil once closed
	vaultID [16]byte
	own     *keyring // set for keys from UnlockHeader
	header  []byte   // the header they were unlocked from (own keys)
	opened  SlotInfo // the slot that opened them (UnlockHeader) or the vault's
}

// OpenedBy says which slot of the header the keys were unlocked with (for
// an open vault's keys, the slot that opened the vault when Keys was called).
func (k *Keys) OpenedBy() SlotInfo { return k.opened }

// Keys returns the open vault's keys. They stop working (ErrClosed) when the
// vault is closed; Close on them does nothing.
func (v *Vault) Keys() *Keys {
	v.mu.Lock()
	id, opened := v.hdr.VaultID, v.opened
	v.mu.Unlock()
	return &Keys{mu: &v.mu, get: func() *keyring { return v.keys }, vaultID: id, opened: opened}
}

// UnlockHeader opens a copy of a vault header with a credential. name says
// where the bytes came from, for messages. The caller must Close the keys.
func UnlockHeader(name string, header []byte, cred Credential) (*Keys, error) {
	u, err := unlockFull(name, header, cred, nil, false)
	if err != nil {
		return nil, err
	}
	h, kr := u.h, u.keys
	k := &Keys{mu: &sync.Mutex{}, vaultID: h.VaultID, own: kr, header: append([]byte(nil), header...), opened: h.Slots[u.slot].info()}
	k.get = func() *keyring { return k.own }
	return k, nil
}

// HeaderKDF checks header bytes (structure, checksum and KDF bounds) without
// unlocking them and returns the Argon2id parameters of their owner's
// passphrase slot (version 1: the passphrase slot; version 2: the owner's
// user slot; zero when there is none), so that a caller holding several
// headers can try the cheapest first. A header whose parameters are beyond
// what casevault writes is refused here, before any derivation.
func HeaderKDF(name string, header []byte) (KDFParams, error) {
	h, err := parseHeader(name, header)
	if err != nil {
		return KDFParams{}, err
	}
	if i := h.ownerIndex(); i >= 0 {
		return h.Slots[i].Params, nil
	}
	return KDFParams{}, nil
}

// HeaderVaultID reads the vault id from header bytes without unlocking them.
func HeaderVaultID(name string, header []byte) ([16]byte, error) {
	h, err := parseHeader(name, header)
	if err != nil {
		return [16]byte{}, err
	}
	return h.VaultID, nil
}

// VaultID is the id of the vault the keys belong to.
func (k *Keys) VaultID() [16]byte { return k.vaultID }

// Close wipes keys from UnlockHeader; it does nothing for a vault's own keys.
func (k *Keys) Close() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.own == nil {
		return
	}
	k.own.destroy()
	k.own = nil
	vaultClosed()
}

// Hold keeps the keys a backup, restore or verify uses for every object
// decrypted in locked memory while fn runs, instead of opening their
// enclaves once per object. They are wiped when the outermost Hold returns
// (or when the keys or their vault are closed).
func (k *Keys) Hold(fn func() error) error {
	k.mu.Lock()
	kr := k.get()
	if kr == nil {
		k.mu.Unlock()
		return ErrClosed
	}
	if err := kr.hold(); err != nil {
		k.mu.Unlock()
		return err
	}
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.get() == kr { // else closed meanwhile: destroy already wiped them
			kr.unhold()
		}
	}()
	return fn()
}

// use runs fn with the keyring under the lock that Close takes.
func (k *Keys) use(fn func(kr *keyring) error) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	kr := k.get()
	if kr == nil {
		return ErrClosed
	}
	return fn(kr)
}

// CheckObject authenticates an object file's bytes: it decrypts them and
// checks that the content matches id. Damage is a *DamagedError naming name.
func (k *Keys) CheckObject(name string, kind Kind, id ID, raw []byte) error {
	return k.use(func(kr *keyring) error {
		return kr.withAEAD(func(a cipher.AEAD) error {
			pt, err := openObject(a, k.vaultID, kind, id, raw)
			if err != nil {
				return damaged(name, "%v", err)
			}
			var got ID
			err = kr.with(kr.objID, func(key []byte) error {
				copy(got[:], hmacSum(key, []byte{byte(kind)}, pt))
				return nil
			})
			clear(pt)
			if err != nil {
				return err
			}
			if got != id {
				return damaged(name, "object content does not match its id")
			}
			return nil
		})
	})
}

// OpenManifest decrypts and checks a manifest file's bytes.
func (k *Keys) OpenManifest(name string, raw []byte) (*Checkpoint, error) {
	var cp *Checkpoint
	err := k.use(func(kr *keyring) error {
		return kr.withAEAD(func(a cipher.AEAD) error {
			var err error
			cp, err = decodeManifest(a, k.vaultID, name, raw)
			return err
		})
	})
	return cp, err
}

// CheckLog authenticates the bytes of redo log generation gen, which must
// end on a record boundary (as Capture returns them). It returns the number
// of records.
func (k *Keys) CheckLog(name string, gen uint64, raw []byte) (int, error) {
	if len(raw) == 0 {
		return 0, nil
	}
	var n int
	err := k.use(func(kr *keyring) error {
		return kr.withLogKeys(func(a cipher.AEAD, mk []byte) error {
			sc, err := parseLog(a, mk, k.vaultID, gen, name, raw)
			if err != nil {
				return err
			}
			if sc.format == 0 || sc.good != int64(len(raw)) {
				return damaged(name, "redo log copy is truncated inside a record")
			}
			for _, r := range sc.recs {
				clear(r)
			}
			n = len(sc.recs)
			return nil
		})
	})
	return n, err
}

// purposeKey derives the key for purpose from the MAC root. prefix keeps
// the MAC keys ("purpose:") and sealing keys ("aead:") apart.
func purposeKey(kr *keyring, prefix, purpose string, fn func(key []byte) error) error {
	return kr.with(kr.macs, func(root []byte) error {
		key := hmacSum(root, []byte(prefix+purpose))
		defer clear(key)
		return fn(key)
	})
}

// MAC returns HMAC-SHA256 of parts under the key for purpose; the same value
// as Vault.MAC.
func (k *Keys) MAC(purpose string, parts ...[]byte) ([]byte, error) {
	var out []byte
	err := k.use(func(kr *keyring) error {
		return purposeKey(kr, "purpose:", purpose, func(key []byte) error {
			out = hmacSum(key, parts...)
			return nil
		})
	})
	return out, err
}

// WithMAC derives the key for purpose once and runs fn with newMAC, which
// returns a fresh HMAC-SHA256 under that key: newMAC().Write(parts...).Sum
// equals MAC(purpose, parts...). For checking many MACs at once (the audit
// chain), instead of opening the key enclave once per MAC. The derived key
// stays in a locked buffer for the span of fn and is wiped when fn returns;
// each HMAC keeps its own copy of the key's pads on the Go heap while it is
// in use (docs/THREAT-MODEL.md). newMAC is safe for concurrent use. fn must
// not use the MACs after it returns; if the keys were closed while fn ran,
// WithMAC returns ErrClosed.
func (k *Keys) WithMAC(purpose string, fn func(newMAC func() hash.Hash) error) error {
	var buf *memguard.LockedBuffer
	err := k.use(func(kr *keyring) error {
		return purposeKey(kr, "purpose:", purpose, func(key []byte) error {
			buf = memguard.NewBufferFromBytes(append([]byte(nil), key...)) // wipes the copy
			return nil
		})
	})
	if err != nil {
		return err
	}
	defer buf.Destroy()
	key := buf.Bytes()
	ferr := fn(func() hash.Hash { return hmac.New(sha256.New, key) })
	if !buf.IsAlive() {
		return ErrClosed // memguard was purged (the vault closed): MACs computed meanwhile are void
	}
	return ferr
}

// Seal encrypts plaintext with XChaCha20-Poly1305 under the key for purpose,
// binding ad. The result is nonce|ciphertext|tag.
func (k *Keys) Seal(purpose string, plaintext, ad []byte) ([]byte, error) {
	var out []byte
	err := k.use(func(kr *keyring) error {
		return purposeKey(kr, "aead:", purpose, func(key []byte) error {
			a, err := chacha20poly1305.NewX(key)
			if err != nil {
				return err
			}
			out, err = seal(a, plaintext, ad)
			return err
		})
	})
	return out, err
}

// ErrAuth is returned by Keys.Open for bytes that fail authentication.
var ErrAuth = errors.New("authentication failed")

// Open reverses Seal. Tampered or truncated bytes, or the wrong purpose or
// ad, give ErrAuth.
func (k *Keys) Open(purpose string, sealed, ad []byte) ([]byte, error) {
	var out []byte
	err := k.use(func(kr *keyring) error {
		return purposeKey(kr, "aead:", purpose, func(key []byte) error {
			a, err := chacha20poly1305.NewX(key)
			if err != nil {
				return err
			}
			out, err = open(a, sealed, ad)
			if err != nil {
				return ErrAuth
			}
			return nil
		})
	})
	return out, err
}

// OpenWithKeys opens the vault in dir with keys already unlocked (from the
// same vault's header copy), so that a restore does not run the KDF twice. The
// header in dir must belong to the same vault and authenticate.
func OpenWithKeys(dir string, keys *Keys) (*Vault, error) {
	hpath := filepath.Join(dir, HeaderFile)
	if _, err := os.Stat(hpath); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoVault, dir)
	}
	lk, err := acquireLock(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Vault, error) {
		lk.release()
		return nil, err
	}
	b, err := os.ReadFile(hpath)
	if err != nil {
		return fail(fmt.Errorf("reading vault header: %w", err))
	}
	h, err := parseHeader(hpath, b)
	if err != nil {
		return fail(err)
	}
	if h.VaultID != keys.vaultID {
		return fail(fmt.Errorf("%w: the keys belong to another vault", ErrWrongCredential))
	}
	var dk []byte
	err = keys.use(func(kr *keyring) error {
		return kr.with(kr.data, func(key []byte) error {
			dk = append([]byte(nil), key...)
			return nil
		})
	})
	if err != nil {
		return fail(err)
	}
	vaultOpened()
	kr := newKeyring(dk, h.VaultID)
	if err := checkHeaderMAC(hpath, h, kr); err != nil {
		kr.destroy()
		vaultClosed()
		return fail(err)
	}
	removeTemps(dir)
	return &Vault{dir: dir, lock: lk, fs: osFS{}, hdr: h, keys: kr, seed: maphash.MakeSeed(), pins: map[*Checkpoint]int{}}, nil
}

// Parts are the files of a vault as a backup keeps them (see Capture).
type Parts struct {
	Header   []byte
	Manifest []byte
	LogGen   uint64
	Log      []byte
}

// ObjectSource hands Install the vault's objects: it calls put once per
// object with the object file's bytes.
type ObjectSource func(ctx context.Context, put func(k Kind, id ID, raw []byte) error) error

// Install recreates a vault folder at dir (missing or empty) from backed-up
// parts and objects. It authenticates every part with keys before writing it
// and checks that every chunk the manifest names was given. It builds the
// vault in a temporary folder beside dir and renames it into place once all
// of it is on disk, so an interrupted install leaves no half vault at dir.
func Install(ctx context.Context, dir string, keys *Keys, p Parts, objects ObjectSource) (err error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		if Exists(dir) {
			return fmt.Errorf("%w: %s already holds a vault; restore into a new folder", ErrExists, dir)
		}
		return fmt.Errorf("%w: %s has files in it; restore into a new or empty folder", ErrExists, dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	h, err := parseHeader("header in the backup", p.Header)
	if err != nil {
		return err
	}
	if h.VaultID != keys.vaultID {
		return fmt.Errorf("%w: the header in the backup belongs to another vault", ErrDamaged)
	}
	err = keys.use(func(kr *keyring) error { return checkHeaderMAC("header in the backup", h, kr) })
	if err != nil {
		return err
	}
	cp, err := keys.OpenManifest("manifest in the backup", p.Manifest)
	if err != nil {
		return err
	}
	if cp.LogGen != p.LogGen && len(p.Log) > 0 {
		return damaged("redo log in the backup", "log generation %d does not follow checkpoint %d", p.LogGen, cp.LogGen)
	}
	if _, err := keys.CheckLog("redo log in the backup", p.LogGen, p.Log); err != nil {
		return err
	}

	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	tmp := filepath.Join(parent, "."+filepath.Base(dir)+".restoring-"+hex.EncodeToString(rnd[:]))
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("creating a folder beside %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for _, sub := range []string{LogDir, filepath.Join(ObjectsDir, KindDBChunk.dir())} {
		if err := os.MkdirAll(filepath.Join(tmp, sub), 0o700); err != nil {
			return fmt.Errorf("creating vault folder: %w", err)
		}
	}
	need := make(map[ObjectRef]bool, len(cp.Chunks)+len(cp.Objects))
	for _, o := range cp.AllObjects() {
		need[o] = true
	}
	made := map[string]bool{}
	type key struct {
		k  Kind
		id ID
	}
	written := map[key]bool{}
	put := func(k Kind, id ID, raw []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if written[key{k, id}] {
			return nil // the same content appears twice in the image
		}
		s := id.String()
		path := filepath.Join(tmp, ObjectsDir, k.dir(), s[:2], s)
		if err := keys.CheckObject(fmt.Sprintf("object %s in the backup", s[:12]), k, id, raw); err != nil {
			return err
		}
		if d := filepath.Dir(path); !made[d] {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return fmt.Errorf("creating vault folder: %w", err)
			}
			made[d] = true
		}
		if err := writeFileNoSync(path, raw); err != nil {
			return err
		}
		written[key{k, id}] = true
		delete(need, ObjectRef{k, id})
		return nil
	}
	if err := objects(ctx, put); err != nil {
		return err
	}
	if len(need) > 0 {
		for o := range need {
			return damaged("backup", "%d object(s) of the vault (database chunks, sealed audit segments) are missing, for example %s", len(need), o.ID.String()[:12])
		}
	}
	if len(p.Log) > 0 {
		if err := writeFileNoSync(filepath.Join(tmp, LogDir, logName(p.LogGen)), p.Log); err != nil {
			return err
		}
	}
	if err := writeFileNoSync(filepath.Join(tmp, ManifestFile), p.Manifest); err != nil {
		return err
	}
	if err := writeFileNoSync(filepath.Join(tmp, HeaderFile), p.Header); err != nil {
		return err
	}
	if err := syncTree(tmp); err != nil {
		return fmt.Errorf("flushing the restored vault to disk: %w", err)
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s: %v", ErrExists, dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("moving the restored vault into %s: %w", dir, err)
	}
	return syncDir(osFS{}, parent)
}

func writeFileNoSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// LockPath takes the lock a vault folder uses (flock on unix) on another
// file, for backup repositories. A lock held by another process gives a
// *LockedError.
func LockPath(path string) (release func() error, err error) {
	lk, err := acquireLock(path)
	if err != nil {
		return nil, err
	}
	return lk.release, nil
}
