package vault

import (
	"context"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/awnumar/memguard"
)

// Data key rotation (docs/FORMAT.md section 6.4): a new data key, every
// object of the current state sealed again under keys derived from it (the
// database image as a full checkpoint, the objects it refers to re-put), and
// a header whose slots hold the new key, sealed to each remaining slot's
// public key (no passphrase needed). The switch is crash-safe:
//
//  1. the new objects (chunks, re-put objects), fsynced with their folders;
//  2. header.next, written atomically;
//  3. the manifest of the new checkpoint, under the new key (the commit point);
//  4. header.next renamed over header, folder fsynced;
//  5. cleanup: the old log, the old manifest copy, every object of the old key.
//
// Open finishes or undoes a rotation that a crash interrupted: with
// header.next present, the key that opens the manifest decides.

// ErrRotationBusy: a backup (or a restore drill) holds the current
// checkpoint's objects; rotation waits until it ends.
var ErrRotationBusy = errors.New("a backup is running; change the vault key after it ends")

// Rotation is a data key rotation being prepared (BeginRotation). Nothing on
// disk changes until Commit; Abort forgets it. The caller (store/engine)
// holds back every write between BeginRotation and Commit or Abort.
type Rotation struct {
	v        *Vault
	keys     *keyring // under the new data key
	hdr      *header  // the new header, MAC'd with the new key
	recovery RecoveryKey
	done     bool
	// dirs: the folders of the objects Reput wrote, fsynced by Commit
	// before anything names them (once each, however many objects)
	dirs map[string]bool
}

// BeginRotation makes a new data key and the header that holds it: every
// user slot and a version 2 recovery slot keep their identity and get the
// new key sealed to it; a legacy (version 1) recovery slot cannot be
// resealed and is replaced by a new version 2 recovery slot with a new
// recovery key, which Commit returns. A version 1 header is converted (see
// AddUserSlot). Refused while a backup pins a checkpoint.
func (v *Vault) BeginRotation() (*Rotation, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.writableLocked(); err != nil {
		return nil, err
	}
	if v.cp == nil {
		return nil, errors.New("the vault has not been loaded yet")
	}
	if len(v.pins) > 0 {
		return nil, ErrRotationBusy
	}
	if len(v.held) > 0 || v.docReaders > 0 {
		// Their objects are under the old key, and their names would
		// be written after the switch.
		return nil, ErrDocumentsBusy
	}
	if v.logDamage != nil {
		return nil, errors.New("the redo log is damaged: repair the vault before changing its key")
	}
	h, err := v.v2HeaderLocked()
	if err != nil {
		return nil, err
	}
	dk := memguard.NewBufferRandom(32)
	defer dk.Destroy()
	r := &Rotation{v: v}
	for i := range h.Slots {
		s := &h.Slots[i]
		switch s.Type {
		case SlotUser, SlotRecoveryV2:
			if err := sealDataKey(h.VaultID, s, dk.Bytes()); err != nil {
				return nil, err
			}
		case SlotRecovery:
			raw, text, err := newRecoveryKey()
			if err != nil {
				return nil, err
			}
			ns, err := makeSlotV2(h.VaultID, SlotRecoveryV2, raw, nil, KDFParams{}, [16]byte{}, 0, dk.Bytes())
			clear(raw)
			if err != nil {
				return nil, err
			}
			*s = ns
			r.recovery = text
		default:
			return nil, fmt.Errorf("key slot %d of type %d cannot be resealed", i, s.Type)
		}
	}
	key := make([]byte, 32)
	copy(key, dk.Bytes())
	r.keys = newKeyring(key, h.VaultID) // wipes key
	if err := r.keys.with(r.keys.header, func(k []byte) error { h.MAC = h.computeMAC(k); return nil }); err != nil {
		r.keys.destroy()
		return nil, err
	}
	r.hdr = h
	v.rotating = true
	return r, nil
}

// withKeysLocked runs fn with kr as the vault's keyring (under v.mu, so no
// other caller sees it), then puts the current one back.
func (v *Vault) withKeysLocked(kr *keyring, fn func() error) error {
	cur := v.keys
	v.keys = kr
	defer func() { v.keys = cur }()
	return fn()
}

// Reput reads object id of kind k under the current keys (authenticated, id
// recomputed) and stores its plaintext under the new keys; it returns the
// new id. The new object's file is durable when Reput returns, its name
// once Commit has fsynced the folders (before anything names it). One
// object at a time: a rotation's memory does not grow with the documents.
func (r *Rotation) Reput(k Kind, id ID) (ID, error) {
	v := r.v
	v.mu.Lock()
	defer v.mu.Unlock()
	if r.done {
		return ID{}, errors.New("the rotation is over")
	}
	if v.keys == nil {
		return ID{}, ErrClosed
	}
	var pt []byte
	err := v.keys.withAEAD(func(a cipher.AEAD) error {
		var err error
		pt, err = v.getLocked(a, k, id)
		return err
	})
	if err != nil {
		return ID{}, err
	}
	defer clear(pt)
	var nid ID
	if r.dirs == nil {
		r.dirs = map[string]bool{}
	}
	dirs := r.dirs
	err = v.withKeysLocked(r.keys, func() error {
		var err error
		if nid, err = v.objectID(k, pt); err != nil {
			return err
		}
		return v.keys.withAEAD(func(a cipher.AEAD) error { return v.putLocked(a, k, nid, pt, dirs) })
	})
	if err != nil {
		return ID{}, err
	}
	return nid, nil
}

// Abort forgets a rotation that was not committed. Objects it wrote are
// swept by a later checkpoint.
func (r *Rotation) Abort() {
	v := r.v
	v.mu.Lock()
	defer v.mu.Unlock()
	if r.done {
		return
	}
	r.done = true
	v.rotating = false
	r.keys.destroy()
}

// rotationFault, when not nil, is called by Commit before each of its
// steps ("objects", "header.next", "manifest", "rename", "cleanup"); an
// error it returns is that step's failure. For the crash tests only.
var rotationFault func(step string) error

func rotationStep(step string) error {
	if rotationFault != nil {
		return rotationFault(step)
	}
	return nil
}

// Commit writes image (the whole database, every write held back) as the
// first checkpoint under the new key, with meta and objects (re-put with
// Reput) as WriteCheckpoint does, and switches the vault to the new key and
// header. It returns the new recovery key when the old one could not be
// kept (shown once by the caller), else "". On an error before the commit
// point nothing changed (the old key and state stay); after it, the vault
// refuses writes until reopened, and the next Open finishes the switch.
func (r *Rotation) Commit(ctx context.Context, image []byte, meta json.RawMessage, objects ...ObjectRef) (RecoveryKey, error) {
	v := r.v
	v.mu.Lock()
	defer v.mu.Unlock()
	if r.done {
		return "", errors.New("the rotation is over")
	}
	r.done = true
	v.rotating = false
	if err := v.writableLocked(); err != nil {
		r.keys.destroy()
		return "", err
	}
	if len(v.pins) > 0 {
		r.keys.destroy()
		return "", ErrRotationBusy
	}
	old := v.cp
	cp := &Checkpoint{
		Format:    manifestFormat,
		Seq:       old.Seq + 1,
		Created:   time.Now().UTC(),
		ImageSize: int64(len(image)),
		ChunkSize: ChunkSize,
		Meta:      meta,
	}
	cp.LogGen = cp.Seq
	if len(objects) > 0 {
		cp.Format, cp.Objects = manifestFormatObjects, objects
		if err := cp.validateObjects(); err != nil {
			r.keys.destroy()
			return "", fmt.Errorf("changing the vault key: %w", err)
		}
	}
	n := (len(image) + ChunkSize - 1) / ChunkSize
	cp.Chunks = make([]ID, n)
	fps := make([]uint64, n)
	hpath, npath, mpath := filepath.Join(v.dir, HeaderFile), filepath.Join(v.dir, NextHeaderFile), filepath.Join(v.dir, ManifestFile)
	var manifestBytes []byte
	abort := func(err error) (RecoveryKey, error) {
		os.Remove(npath)
		syncDir(v.fs, v.dir) //nolint:errcheck // best effort: Open undoes a header.next whose key does not open the manifest
		r.keys.destroy()
		return "", fmt.Errorf("changing the vault key: %w (nothing was changed; the old key is still in use)", err)
	}
	err := v.withKeysLocked(r.keys, func() error {
		if err := rotationStep("objects"); err != nil {
			return err
		}
		for _, o := range objects {
			path := v.objectPath(o.Kind, o.ID)
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return damaged(path, "object is missing")
			} else if err != nil {
				return err
			}
		}
		if err := v.keys.hold(); err != nil {
			return err
		}
		defer v.keys.unhold()
		return v.keys.withAEAD(func(a cipher.AEAD) error {
			dirs, err := v.writeChunksLocked(ctx, image, nil, cp, fps)
			if err != nil {
				return err
			}
			for d := range r.dirs {
				dirs[d] = true // the re-put objects' folders
			}
			if err := syncDirsParallel(ctx, v.fs, dirs); err != nil {
				return err
			}
			manifestBytes, err = encodeManifest(a, v.hdr.VaultID, cp)
			return err
		})
	})
	if err != nil {
		return abort(err)
	}
	if err := rotationStep("header.next"); err != nil {
		return abort(err)
	}
	if err := writeFileAtomic(v.fs, npath, r.hdr.marshal()); err != nil {
		return abort(err)
	}
	if err := rotationStep("manifest"); err != nil {
		return abort(err)
	}
	if err := writeFileDurable(mpath, manifestBytes); err != nil {
		return abort(err)
	}
	// The commit point: the manifest under the new key is in place.
	var failed error
	if err := syncDir(v.fs, v.dir); err != nil {
		failed = err
	}
	if failed == nil {
		failed = rotationStep("rename")
	}
	if failed == nil {
		if err := os.Rename(npath, hpath); err != nil {
			failed = err
		} else if err := syncDir(v.fs, v.dir); err != nil {
			failed = err
		}
	}
	// In memory the new key is the vault's from here on, whatever the
	// disk said: the manifest on disk may be the new one.
	oldKeys := v.keys
	v.keys, v.hdr, v.cp, v.chunkFP = r.keys, r.hdr, cp, fps
	v.keyGen++
	oldKeys.destroy()
	if v.opened.Type.IsRecovery() {
		v.opened = v.hdr.Slots[v.hdr.recoveryIndex()].info()
	} else if v.opened.Type == SlotPassphrase {
		v.opened = v.hdr.Slots[v.hdr.ownerIndex()].info()
	}
	if v.logFile != nil {
		v.logFile.Close()
		v.logFile = nil
	}
	v.logSeq, v.logSize, v.logStarts = 0, 0, nil
	if failed != nil {
		v.failed = fmt.Errorf("the disk reported an error while changing the vault key (%v); close casevault and open it again", failed)
		return r.recovery, fmt.Errorf("changing the vault key: %w", v.failed)
	}
	if err := rotationStep("cleanup"); err != nil {
		return r.recovery, nil // a crash here leaves only leftovers: the next open and checkpoint clear them
	}
	v.removeOldLogsLocked()
	v.writeManifestCopyLocked(cp.Seq, manifestBytes) //nolint:errcheck // best effort, as in WriteCheckpoint
	v.sweepLocked()
	v.swept = true
	return r.recovery, nil
}

// resolveRotation opens a folder that holds header.next: a rotation that a
// crash interrupted. The key that opens the manifest decides: the new one
// (from header.next) finishes it (header.next renamed over header), the old
// one undoes it (header.next deleted). One derivation serves both headers
// (their slots share salt, parameters and identity). A credential that
// opens only the header whose key does not open the manifest is wrong (a
// removed user's passphrase after the commit). Read-only: nothing changes.
func resolveRotation(dir, hpath string, b []byte, npath string, nb []byte, cred Credential, readOnly bool) (*unlocked, error) {
	memo := &kekMemo{}
	defer memo.wipe()
	uo, errO := unlockFull(hpath, b, cred, memo, true)
	un, errN := unlockFull(npath, nb, cred, memo, false)
	release := func(u *unlocked) {
		if u != nil {
			u.keys.destroy()
			vaultClosed()
		}
	}
	mpath := filepath.Join(dir, ManifestFile)
	mb, err := os.ReadFile(mpath)
	if err != nil {
		release(uo)
		release(un)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, damaged(mpath, "the manifest is missing")
		}
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	opens := func(u *unlocked) bool {
		if u == nil || len(mb) < 8 || string(mb[:8]) != manifestMagic {
			return false
		}
		ok := false
		u.keys.withAEAD(func(a cipher.AEAD) error { //nolint:errcheck // ok stays false
			_, err := open(a, mb[8:], manifestAD(u.h.VaultID))
			ok = err == nil
			return nil
		})
		return ok
	}
	switch {
	case opens(un):
		release(uo)
		if !readOnly {
			if err := os.Rename(npath, hpath); err != nil {
				release(un)
				return nil, fmt.Errorf("finishing the change of the vault key: %w", err)
			}
			if err := syncDir(osFS{}, dir); err != nil {
				release(un)
				return nil, fmt.Errorf("finishing the change of the vault key: %w", err)
			}
		}
		return un, nil
	case opens(uo):
		release(un)
		if !readOnly {
			if err := os.Remove(npath); err != nil {
				release(uo)
				return nil, fmt.Errorf("undoing an unfinished change of the vault key: %w", err)
			}
			if err := syncDir(osFS{}, dir); err != nil {
				release(uo)
				return nil, fmt.Errorf("undoing an unfinished change of the vault key: %w", err)
			}
		}
		return uo, nil
	}
	release(uo)
	release(un)
	switch {
	case errO != nil:
		return nil, errO
	case errN != nil:
		return nil, errN
	}
	return nil, damaged(mpath, "manifest authentication failed")
}

// ReplaceRecoveryKey replaces the recovery slot (of either version) with a
// version 2 slot for a new recovery key, which the caller shows once; the
// old recovery key stops opening this header. For a lost paper copy, and
// after a rotation whose new recovery key was never shown. Converts a
// version 1 header (see AddUserSlot).
func (v *Vault) ReplaceRecoveryKey() (RecoveryKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.writableLocked(); err != nil {
		return "", err
	}
	h, err := v.v2HeaderLocked()
	if err != nil {
		return "", err
	}
	raw, text, err := newRecoveryKey()
	if err != nil {
		return "", err
	}
	defer clear(raw)
	var ns slot
	err = v.keys.with(v.keys.data, func(dk []byte) error {
		ns, err = makeSlotV2(h.VaultID, SlotRecoveryV2, raw, nil, KDFParams{}, [16]byte{}, 0, dk)
		return err
	})
	if err != nil {
		return "", err
	}
	if i := h.recoveryIndex(); i >= 0 {
		h.Slots[i] = ns
	} else {
		h.Slots = append(h.Slots, ns)
	}
	if err := v.saveHeaderLocked(h, "saving the new recovery key"); err != nil {
		return "", err
	}
	v.afterConvertLocked()
	if v.opened.Type.IsRecovery() {
		v.opened = ns.info()
	}
	return text, nil
}

// Failed reports whether a write's durability became unknown (the disk
// reported an error at a point of no return): the vault refuses writes
// until it is reopened.
func (v *Vault) Failed() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.failed != nil
}
