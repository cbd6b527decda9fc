package vault

import (
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Kind says what an object holds. It is part of each object's associated
// data and of its id, so an object cannot be passed off as another kind.
type Kind uint8

// Object kinds.
const (
	KindDBChunk  Kind = 1 // a page-aligned chunk of the database image
	KindDocument Kind = 2 // a content-defined chunk of a document (reserved)
	// KindAuditSegment: a sealed segment of the audit trail (the store's
	// encoding, docs/FORMAT.md "Sealed audit segments"). A checkpoint's
	// manifest lists the segments its database refers to (Checkpoint.Objects).
	KindAuditSegment Kind = 3
)

// listable: the kinds a manifest may list beside its chunks.
func (k Kind) listable() bool { return k == KindDocument || k == KindAuditSegment }

func (k Kind) dir() string {
	switch k {
	case KindDBChunk:
		return "db"
	case KindDocument:
		return "doc"
	case KindAuditSegment:
		return "audit"
	}
	return fmt.Sprintf("k%d", uint8(k))
}

// ID names an object: HMAC-SHA256 of kind||plaintext under the object-id key.
// Equal content gets the same id; the id reveals nothing without the key.
type ID [32]byte

func (id ID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText encodes the id as lower-case hex.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses 64 hex digits.
func (id *ID) UnmarshalText(b []byte) error {
	if len(b) != 64 {
		return fmt.Errorf("object id %q is not 64 hex digits", b)
	}
	_, err := hex.Decode(id[:], b)
	return err
}

const (
	objectMagic  = "CVOBJ001"
	objectHeader = 8 + 1 // magic, kind
)

func (v *Vault) objectPath(k Kind, id ID) string {
	s := id.String()
	return filepath.Join(v.dir, ObjectsDir, k.dir(), s[:2], s)
}

func objectAD(vaultID [16]byte, k Kind, id ID) []byte {
	ad := make([]byte, 0, 8+16+1+32)
	ad = append(ad, objectMagic...)
	ad = append(ad, vaultID[:]...)
	ad = append(ad, byte(k))
	return append(ad, id[:]...)
}

func (v *Vault) objectID(k Kind, plaintext []byte) (ID, error) {
	var id ID
	err := v.keys.with(v.keys.objID, func(key []byte) error {
		copy(id[:], hmacSum(key, []byte{byte(k)}, plaintext))
		return nil
	})
	return id, err
}

func sealObject(a cipher.AEAD, vaultID [16]byte, k Kind, id ID, plaintext []byte) ([]byte, error) {
	sealed, err := seal(a, plaintext, objectAD(vaultID, k, id))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, objectHeader+len(sealed))
	out = append(out, objectMagic...)
	out = append(out, byte(k))
	return append(out, sealed...), nil
}

// PutObject stores plaintext encrypted and returns its id. Content already
// present is not written again. The object is durable when PutObject returns.
func (v *Vault) PutObject(k Kind, plaintext []byte) (ID, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return ID{}, ErrClosed
	}
	id, err := v.objectID(k, plaintext)
	if err != nil {
		return id, err
	}
	dirs := map[string]bool{}
	err = v.keys.withAEAD(func(a cipher.AEAD) error {
		return v.putLocked(a, k, id, plaintext, dirs)
	})
	if err != nil {
		return id, err
	}
	return id, syncDirs(v.fs, dirs)
}

// putLocked writes one object unless it exists; it records folders to fsync.
func (v *Vault) putLocked(a cipher.AEAD, k Kind, id ID, plaintext []byte, dirs map[string]bool) error {
	path := v.objectPath(k, id)
	dir := filepath.Dir(path)
	// The caller names this object (in a manifest) once these folders are
	// fsynced, so sync them even when the file or its folder already exists:
	// it may be left by an earlier write of this session that failed before
	// its folder fsyncs (only the next open sweeps such leftovers).
	dirs[dir] = true
	dirs[filepath.Dir(dir)] = true
	dirs[filepath.Dir(filepath.Dir(dir))] = true
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating object folder: %w", err)
		}
	}
	b, err := sealObject(a, v.hdr.VaultID, k, id, plaintext)
	if err != nil {
		return err
	}
	return writeFileDurable(path, b)
}

func syncDirs(fsys FS, dirs map[string]bool) error {
	for d := range dirs {
		if err := syncDir(fsys, d); err != nil {
			return err
		}
	}
	return nil
}

// GetObject reads, decrypts and authenticates one object.
func (v *Vault) GetObject(k Kind, id ID) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return nil, ErrClosed
	}
	var out []byte
	err := v.keys.withAEAD(func(a cipher.AEAD) error {
		var err error
		out, err = v.getLocked(a, k, id)
		return err
	})
	return out, err
}

func (v *Vault) getLocked(a cipher.AEAD, k Kind, id ID) ([]byte, error) {
	path := v.objectPath(k, id)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, damaged(path, "object is missing")
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	pt, err := openObject(a, v.hdr.VaultID, k, id, b)
	if err != nil {
		return nil, damaged(path, "%v", err)
	}
	want, err := v.objectID(k, pt)
	if err != nil {
		return nil, err
	}
	if want != id {
		return nil, damaged(path, "object content does not match its id")
	}
	return pt, nil
}

func openObject(a cipher.AEAD, vaultID [16]byte, k Kind, id ID, b []byte) ([]byte, error) {
	if len(b) < objectHeader+a.NonceSize()+a.Overhead() {
		return nil, fmt.Errorf("object is truncated (%d bytes)", len(b))
	}
	if string(b[:8]) != objectMagic {
		return nil, fmt.Errorf("object does not start with %q", objectMagic)
	}
	if Kind(b[8]) != k {
		return nil, fmt.Errorf("object is of kind %d, expected %d", b[8], k)
	}
	pt, err := open(a, b[objectHeader:], objectAD(vaultID, k, id))
	if err != nil {
		return nil, errors.New("object authentication failed")
	}
	return pt, nil
}

// listObjects returns the ids of all stored objects of kind k, and removes
// the temporary files of interrupted writes if temps.
func (v *Vault) listObjects(k Kind, temps bool) ([]ID, error) {
	root := filepath.Join(v.dir, ObjectsDir, k.dir())
	var ids []ID
	subs, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, s := range subs {
		if !s.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, s.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			var id ID
			if id.UnmarshalText([]byte(f.Name())) == nil {
				ids = append(ids, id)
			} else if temps && len(f.Name()) > 5 && f.Name()[:5] == ".tmp-" {
				os.Remove(filepath.Join(root, s.Name(), f.Name()))
			}
		}
	}
	return ids, nil
}
