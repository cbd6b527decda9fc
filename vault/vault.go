package vault

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/awnumar/memguard"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/text/unicode/norm"

	"casevault/vault/atomicfile"
)

// Names inside a vault folder (docs/FORMAT.md, "Folder layout").
const (
	HeaderFile   = "header"
	ManifestFile = "manifest"
	LockFile     = "lock"
	LogDir       = "log"
	ObjectsDir   = "objects"
)

// NextHeaderFile is the header of a data key rotation in progress
// (rotate.go): written before the rotation's manifest, renamed over
// HeaderFile after it.
const NextHeaderFile = "header.next"

// PendingHeaderFile is the header of a vault whose recovery key has not been
// confirmed yet (Create with Pending; Confirm renames it to HeaderFile).
const PendingHeaderFile = "header.pending"

// IntakeDir is the intake folder beside the vault's own files (app/intake;
// docs/FORMAT.md, "Intake submissions"): sealed submissions waiting for
// the next unlock, and those that could not be read. It is not the vault's:
// vault code tolerates it in the folder and never deletes or moves it.
const IntakeDir = "intake"

// Credential is what the user gives to unlock: a passphrase or a recovery key.
type Credential struct {
	typ     SlotType
	secret  []byte
	user    string    // ForUser; "" is the owner
	keyFile *[32]byte // WithKeyFile: SHA-256 of the key file
}

// Passphrase returns a credential for the passphrase slot. The caller should
// wipe p after the call that uses it.
func Passphrase(p []byte) Credential {
	return Credential{typ: SlotPassphrase, secret: normalisePassphrase(p)}
}

// normalisePassphrase puts a UTF-8 passphrase in Unicode NFC, so that the
// same typed text opens the vault on every operating system (macOS input
// methods may produce decomposed accents). Other bytes are used as given.
func normalisePassphrase(p []byte) []byte {
	if !utf8.Valid(p) || norm.NFC.IsNormal(p) {
		return p
	}
	return norm.NFC.Bytes(p)
}

// Recovery parses a typed recovery key into a credential.
func Recovery(text string) (Credential, error) {
	raw, err := ParseRecoveryKey(text)
	if err != nil {
		return Credential{}, err
	}
	return Credential{typ: SlotRecovery, secret: raw}, nil
}

// Type says which kind of slot the credential opens.
func (c Credential) Type() SlotType { return c.typ }

// CreateOptions are the explicit settings of a new vault. There are no
// hidden defaults: callers pass the KDF parameters (see Calibrate).
type CreateOptions struct {
	KDF KDFParams
	Now func() time.Time // nil: time.Now
	// Pending writes the header as PendingHeaderFile: the folder is not a
	// vault (Exists and Open say so) until Confirm, which the caller runs
	// once the recovery key has been shown and confirmed. A pending vault
	// left by an interrupted creation is recognised by Create, which
	// starts over (see HalfMade).
	Pending bool
	// FS is the file system the vault's redo log and folder fsyncs go
	// through (see FS); nil: the operating system's. Tests give one that
	// injects faults.
	FS FS
	// Owner is the owner's user name, whose tag the owner's key slot gets
	// (see UserTag); "" leaves the tag zero: the owner then unlocks with no
	// name or any name that is no other user's.
	Owner string
	// KeyFile, if not nil, is a key file (the whole file) that the owner's
	// slot needs besides the passphrase.
	KeyFile []byte
}

// Vault is an unlocked vault folder. Its methods are safe for concurrent use.
type Vault struct {
	dir  string
	lock *fileLock
	fs   FS // never nil

	mu     sync.Mutex
	hdr    *header
	keys   *keyring
	opened SlotInfo // the slot that unlocked it

	// checkpoint state
	cp      *Checkpoint
	chunkFP []uint64 // fingerprints of the chunks of cp, to skip unchanged ones
	seed    maphash.Seed

	// redo log state
	logFile File
	logSeq  uint64 // next record number in the current log file
	logSize int64
	// logFormat of the current log file: 2, or 1 for a log written by an
	// older casevault, continued in its format until the next checkpoint
	logFormat int
	// torn: the incomplete last record the last ReadLog dropped
	torn *TornTail
	// logStarts: in a salvage (which appends nothing), the offset of each
	// record of the current log, as read
	logStarts []int64
	// salvage: ReadLog returns the records before a damaged one (LogDamage)
	// instead of failing; set by OpenReadOnly and Salvage
	salvage      bool
	logDamage    *LogDamage
	logKeptAside bool // QuarantineLog kept the damaged log: a checkpoint may leave it behind
	// pins: manifests whose objects must not be deleted (backups in progress)
	pins map[*Checkpoint]int
	// failed: a write whose durability is unknown; no more writes until reopened
	failed error
	// swept: unreferenced chunks were removed by a checkpoint of this process
	swept bool
	// held: objects of live batches (ObjectBatch), with how many hold
	// each: no checkpoint deletes them, no sweep removes them
	held map[ObjectRef]int
	// unnamed: objects no checkpoint names any more, or that released
	// batches wrote, that may be unused: a checkpoint deletes those it
	// does not name and nothing holds (unusedLocked)
	unnamed map[ObjectRef]bool
	// rotating: a data key rotation is between BeginRotation and its
	// end; keyGen counts the rotations committed (ciphers made before
	// one must not write); docReaders counts ReadDocuments running
	rotating   bool
	keyGen     uint64
	docReaders int
	// readOnly: opened to salvage what is readable; nothing on disk is changed
	readOnly bool
	// loadErr: why the last LoadCheckpoint failed; ReadLog refuses then
	loadErr error
}

var openVaults struct {
	sync.Mutex
	n int
}

func vaultOpened() {
	openVaults.Lock()
	openVaults.n++
	openVaults.Unlock()
}

// vaultClosed purges memguard's session key when no vault is open, so that
// no enclave from this process can be decrypted any more.
func vaultClosed() {
	openVaults.Lock()
	defer openVaults.Unlock()
	openVaults.n--
	if openVaults.n == 0 {
		memguard.Purge()
	}
}

// Exists reports whether dir holds a vault header.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, HeaderFile))
	return err == nil
}

// halfMadeNames are what Create (and app.Init's first session) puts in a
// folder: keep it in step with them. A folder that holds
// PendingHeaderFile, no HeaderFile and nothing else but these is a creation
// that was interrupted before its recovery key was confirmed.
var halfMadeNames = map[string]bool{
	PendingHeaderFile: true, ManifestFile: true, ManifestsDir: true, LockFile: true, LogDir: true, ObjectsDir: true,
}

// HalfMade reports whether dir holds an interrupted creation: a pending
// header whose recovery key was never confirmed, and nothing that is not
// Create's (but the intake folder, which removing it leaves). Nobody holds its recovery key and it cannot be opened, so
// Create may remove it and start over. A folder with a real header is never
// half made.
func HalfMade(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil || Exists(dir) {
		return false
	}
	pending := false
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == PendingHeaderFile:
			pending = true
		case halfMadeNames[name], atomicfile.IsTemp(name), name == IntakeDir:
		default:
			return false
		}
	}
	return pending
}

// onlyIntake reports whether a folder's entries are none, or only the
// intake folder: a folder where a vault may be made (the intake folder is
// kept as it is; what is in it was sealed to another vault's key).
func onlyIntake(entries []os.DirEntry) bool {
	for _, e := range entries {
		if e.Name() != IntakeDir || !e.IsDir() {
			return false
		}
	}
	return true
}

// removeHalfMade deletes what an interrupted Create left (not the lock file,
// which the caller holds). The pending header goes first.
func removeHalfMade(dir string) error {
	if err := os.Remove(filepath.Join(dir, PendingHeaderFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing an unfinished vault: %w", err)
	}
	for name := range halfMadeNames {
		if name == LockFile || name == PendingHeaderFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("removing an unfinished vault: %w", err)
		}
	}
	removeTemps(dir)
	return nil
}

// Confirm makes the pending vault in dir the vault: it renames
// PendingHeaderFile to HeaderFile (durably). Call it once the recovery key
// has been shown and confirmed. A vault that is already confirmed is left
// as it is.
func Confirm(dir string) error {
	lk, err := acquireLock(filepath.Join(dir, LockFile))
	if err != nil {
		return err
	}
	defer lk.release()
	pending := filepath.Join(dir, PendingHeaderFile)
	if _, err := os.Stat(pending); errors.Is(err, fs.ErrNotExist) {
		if Exists(dir) {
			return nil
		}
		return fmt.Errorf("%w: %s (the unfinished vault is gone; run init again)", ErrNoVault, dir)
	}
	if Exists(dir) {
		return fmt.Errorf("%w: %s already holds a vault", ErrExists, dir)
	}
	if err := os.Rename(pending, filepath.Join(dir, HeaderFile)); err != nil {
		return fmt.Errorf("finishing the vault: %w", err)
	}
	return syncDir(osFS{}, dir)
}

// Create makes a new vault in dir, which must be missing or empty (or hold a
// half-made vault, see HalfMade, which is removed first; an intake folder
// is left where it is). It returns the
// unlocked vault and the recovery key, which the caller shows once.
func Create(dir string, pass []byte, opts CreateOptions) (*Vault, RecoveryKey, error) {
	if err := opts.KDF.Validate(); err != nil {
		return nil, "", err
	}
	if len(pass) == 0 {
		return nil, "", errors.New("the passphrase is empty")
	}
	fsys := orOS(opts.FS)
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	halfMade := HalfMade(dir)
	if entries, err := os.ReadDir(dir); err == nil && !onlyIntake(entries) && !halfMade {
		if Exists(dir) {
			return nil, "", fmt.Errorf("%w: %s already holds a vault", ErrExists, dir)
		}
		return nil, "", fmt.Errorf("%w: %s has other files in it; choose an empty or new folder", ErrExists, dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("reading %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("creating vault folder: %w", err)
	}
	lk, err := acquireLock(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, "", err
	}
	// Count the vault as open before any memguard buffer or enclave exists:
	// a concurrent Close of another vault must not Purge (and unmap) them.
	vaultOpened()
	fail := func(err error) (*Vault, RecoveryKey, error) {
		lk.release()
		vaultClosed()
		return nil, "", err
	}
	// Another process may have created a vault here between the emptiness
	// check above and the lock: never write over its header.
	if Exists(dir) {
		return fail(fmt.Errorf("%w: %s already holds a vault", ErrExists, dir))
	}
	if halfMade {
		// Under the lock, so not a creation still running in another
		// process; checked again, as the folder may have changed.
		if !HalfMade(dir) {
			return fail(fmt.Errorf("%w: %s changed while casevault looked at it; run init again", ErrExists, dir))
		}
		if err := removeHalfMade(dir); err != nil {
			return fail(err)
		}
	}
	// From here on, what is in the folder is Create's (it was empty or
	// missing): a failure takes it back, header first, so that the folder
	// is not left half a vault that refuses every later init.
	release := fail
	fail = func(err error) (*Vault, RecoveryKey, error) {
		for _, name := range []string{HeaderFile, PendingHeaderFile, ManifestFile, ManifestsDir, LogDir, ObjectsDir} {
			os.RemoveAll(filepath.Join(dir, name))
		}
		removeTemps(dir)
		release(err)
		os.Remove(filepath.Join(dir, LockFile))
		return nil, "", err
	}
	for _, sub := range []string{LogDir, ObjectsDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return fail(fmt.Errorf("creating vault folder: %w", err))
		}
	}
	h := &header{Version: headerVersion2, Created: now().Unix()}
	if _, err := rand.Read(h.VaultID[:]); err != nil {
		return fail(err)
	}
	dataKey := memguard.NewBufferRandom(32)
	defer dataKey.Destroy()
	recRaw, recText, err := newRecoveryKey()
	if err != nil {
		return fail(err)
	}
	var ownerTag [16]byte
	if opts.Owner != "" {
		n, err := NormalizeUserName(opts.Owner)
		if err != nil {
			return fail(err)
		}
		ownerTag = UserTag(h.VaultID, n)
	}
	kf, err := keyFileHash(opts.KeyFile)
	if err != nil {
		return fail(err)
	}
	ps, err := makeSlotV2(h.VaultID, SlotUser, normalisePassphrase(pass), kf, opts.KDF, ownerTag, flagOwner, dataKey.Bytes())
	if err != nil {
		return fail(err)
	}
	rs, err := makeSlotV2(h.VaultID, SlotRecoveryV2, recRaw, nil, KDFParams{}, [16]byte{}, 0, dataKey.Bytes())
	clear(recRaw)
	if err != nil {
		return fail(err)
	}
	h.Slots = []slot{ps, rs}
	dk := make([]byte, 32)
	copy(dk, dataKey.Bytes())
	keys := newKeyring(dk, h.VaultID)
	if err := keys.with(keys.header, func(k []byte) error { h.MAC = h.computeMAC(k); return nil }); err != nil {
		return fail(err)
	}
	// An empty checkpoint (seq 0) is written before the header, so that in
	// any vault a missing manifest is damage, never "not yet checkpointed".
	empty := &Checkpoint{Format: manifestFormat, Created: now().UTC(), ChunkSize: ChunkSize, Chunks: []ID{}}
	err = keys.withAEAD(func(a cipher.AEAD) error {
		b, err := encodeManifest(a, h.VaultID, empty)
		if err != nil {
			return err
		}
		return writeFileAtomic(fsys, filepath.Join(dir, ManifestFile), b)
	})
	if err != nil {
		return fail(err)
	}
	hname := HeaderFile
	if opts.Pending {
		hname = PendingHeaderFile
	}
	if err := writeFileAtomic(fsys, filepath.Join(dir, hname), h.marshal()); err != nil {
		return fail(err)
	}
	v := &Vault{dir: dir, lock: lk, fs: fsys, hdr: h, keys: keys, opened: ps.info(), seed: maphash.MakeSeed(), pins: map[*Checkpoint]int{}}
	return v, recText, nil
}

func kek(vaultID [16]byte, s *slot, secret []byte) []byte {
	switch s.KDF {
	case kdfArgon2id:
		return s.Params.derive(secret, s.Salt[:])
	default:
		return derive(secret, vaultID, "casevault recovery slot v1"+string(s.Salt[:]))
	}
}

func makeSlot(vaultID [16]byte, t SlotType, secret []byte, p KDFParams, dataKey []byte) (slot, error) {
	s := slot{Type: t}
	if t == SlotPassphrase {
		s.KDF, s.Params = kdfArgon2id, p
	} else {
		s.KDF = kdfHKDFSHA256
	}
	if _, err := rand.Read(s.Salt[:]); err != nil {
		return s, err
	}
	if _, err := rand.Read(s.Nonce[:]); err != nil {
		return s, err
	}
	k := kek(vaultID, &s, secret)
	defer clear(k)
	a, err := chacha20poly1305.NewX(k)
	if err != nil {
		return s, err
	}
	copy(s.Wrapped[:], a.Seal(nil, s.Nonce[:], dataKey, slotAD(vaultID, &s)))
	return s, nil
}

// Open unlocks the vault in dir. A wrong credential returns ErrWrongCredential
// and changes nothing; a damaged header returns a *DamagedError.
func Open(dir string, cred Credential) (*Vault, error) {
	hpath := filepath.Join(dir, HeaderFile)
	if _, err := os.Stat(hpath); errors.Is(err, fs.ErrNotExist) {
		if HalfMade(dir) {
			return nil, fmt.Errorf("%w: %s: creating a vault there was interrupted before its recovery key was confirmed (run \"casevault init\" again to start over)", ErrNoVault, dir)
		}
		return nil, fmt.Errorf("%w: %s (create one with \"casevault init\")", ErrNoVault, dir)
	}
	lk, err := acquireLock(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, err
	}
	v, err := openLocked(dir, hpath, cred, false)
	if err != nil {
		lk.release()
		return nil, err
	}
	v.lock = lk
	removeTemps(dir)
	return v, nil
}

func openLocked(dir, hpath string, cred Credential, readOnly bool) (*Vault, error) {
	b, err := os.ReadFile(hpath)
	if err != nil {
		return nil, fmt.Errorf("reading vault header: %w", err)
	}
	npath := filepath.Join(dir, NextHeaderFile)
	nb, err := os.ReadFile(npath)
	if errors.Is(err, fs.ErrNotExist) {
		u, err := unlockFull(hpath, b, cred, nil, true)
		if err != nil {
			return nil, err
		}
		return newOpened(dir, u), nil
	} else if err != nil {
		return nil, fmt.Errorf("reading %s: %w", npath, err)
	}
	u, err := resolveRotation(dir, hpath, b, npath, nb, cred, readOnly)
	if err != nil {
		return nil, err
	}
	return newOpened(dir, u), nil
}

func newOpened(dir string, u *unlocked) *Vault {
	return &Vault{dir: dir, fs: osFS{}, hdr: u.h, keys: u.keys, opened: u.h.Slots[u.slot].info(), seed: maphash.MakeSeed(), pins: map[*Checkpoint]int{}}
}

func checkHeaderMAC(file string, h *header, keys *keyring) error {
	var macOK bool
	if err := keys.with(keys.header, func(k []byte) error {
		want := h.computeMAC(k)
		macOK = hmacEqual(want[:], h.MAC[:])
		return nil
	}); err != nil {
		return err
	}
	if !macOK {
		return damaged(file, "header authentication failed")
	}
	return nil
}

// Dir is the vault folder.
func (v *Vault) Dir() string { return v.dir }

// Info describes the vault without secrets.
type Info struct {
	VaultID [16]byte
	Created time.Time
	KDF     KDFParams // of the passphrase slot
	Slots   []SlotType
}

// Info returns the header's public facts.
func (v *Vault) Info() Info {
	v.mu.Lock()
	defer v.mu.Unlock()
	in := Info{VaultID: v.hdr.VaultID, Created: time.Unix(v.hdr.Created, 0)}
	for _, s := range v.hdr.Slots {
		in.Slots = append(in.Slots, s.Type)
	}
	// The KDF of the slot that opened the vault, or else the owner's.
	idx := -1
	if v.opened.Type == SlotUser {
		idx = v.hdr.tagIndex(v.opened.Tag)
	}
	if idx < 0 {
		idx = v.hdr.ownerIndex()
	}
	if idx >= 0 {
		in.KDF = v.hdr.Slots[idx].Params
	}
	return in
}

// ChangePassphrase gives the slot that opened the vault (the owner's, when
// that was the recovery key) a new passphrase: ChangeUserSlot("", newPass,
// nil, params). It rewrites only the header; no data is re-encrypted. A
// version 1 vault is converted to version 2. A slot that needs a key file
// is changed with ChangeUserSlot, which takes it.
func (v *Vault) ChangePassphrase(newPass []byte, params *KDFParams) error {
	v.mu.Lock()
	needs := false
	if v.hdr != nil && v.opened.Type == SlotUser {
		if i := v.hdr.tagIndex(v.opened.Tag); i >= 0 {
			needs = v.hdr.Slots[i].Flags&flagKeyFile != 0
		}
	}
	v.mu.Unlock()
	if needs {
		return errors.New("this passphrase goes with a key file: change it together with the key file")
	}
	return v.ChangeUserSlot("", newPass, nil, params)
}

// MAC returns HMAC-SHA256 of parts under a key derived from the data key for
// purpose (for example "audit"). Callers never see the key.
func (v *Vault) MAC(purpose string, parts ...[]byte) ([]byte, error) {
	// Keys.MAC holds the mutex while the key is in use: Close clears the
	// enclave pointers and may Purge memguard, which unmaps open key buffers.
	k := Keys{mu: &v.mu, get: func() *keyring { return v.keys }}
	return k.MAC(purpose, parts...)
}

// WithMAC runs fn with a constructor of HMAC-SHA256 under the key for
// purpose, derived once for the span of fn (see Keys.WithMAC).
func (v *Vault) WithMAC(purpose string, fn func(newMAC func() hash.Hash) error) error {
	k := Keys{mu: &v.mu, get: func() *keyring { return v.keys }}
	return k.WithMAC(purpose, fn)
}

// Hold keeps the keys that every write uses (the AEAD key of the redo log and
// the MAC root) decrypted in locked memory while fn runs, so that one commit
// opens them once instead of once per use. They are wiped when the outermost
// Hold returns, and on Close.
func (v *Vault) Hold(fn func() error) error {
	k := Keys{mu: &v.mu, get: func() *keyring { return v.keys }}
	return k.Hold(fn)
}

// Held reports whether a Hold is in progress: the write keys are open in
// locked memory. For tests of the callers that must hold them.
func (v *Vault) Held() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.keys != nil && v.keys.holds > 0
}

// Close forgets the keys, closes the log and releases the lock. It does not
// checkpoint: the store does that before calling Close.
func (v *Vault) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return nil
	}
	v.keys.destroy()
	v.keys = nil
	var err error
	if v.logFile != nil {
		err = v.logFile.Close()
		v.logFile = nil
	}
	if lerr := v.lock.release(); err == nil {
		err = lerr
	}
	vaultClosed()
	return err
}
