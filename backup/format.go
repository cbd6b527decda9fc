package backup

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"casevault/vault"
)

// The repository format is specified in docs/FORMAT.md, "Backup repository".

const (
	formatVersion = 1

	configFile = "config"
	keysDir    = "keys"
	dataDir    = "data"
	indexDir   = "index"
	snapDir    = "snapshots"
	drillDir   = "drills"

	configMagic = "CVREPO01"
	packMagic   = "CVPACK01"
	indexMagic  = "CVIDX001"
	snapMagic   = "CVSNP001"
	drillMagic  = "CVDRL001"
	blobMagic   = "CVBLOB01"

	// Purposes of the keys derived from the vault's MAC root (vault.Keys).
	purposeConfig   = "backup config"
	purposeBlobID   = "backup blob id"
	purposeBlob     = "backup blob"
	purposeTrailer  = "backup pack trailer"
	purposeIndex    = "backup index"
	purposeSnapshot = "backup snapshot"
	purposeDrill    = "backup drill"

	// PackSize is the size a pack is closed at; packs stay below 2*PackSize.
	PackSize = 4 << 20
	// SegmentSize is the size of the pieces the redo log is stored in: an
	// appended log shares all its full pieces with the previous snapshot.
	SegmentSize = 64 << 10
	// LogHeadSize: the first LogHeadSize bytes of the redo log are a piece
	// of their own, and the SegmentSize pieces follow. They hold the log's
	// file header, whose acknowledgement mark (log format 2) is rewritten at
	// every append; in one piece with the records after it, every backup
	// would store those 64 KiB again.
	LogHeadSize = 64

	maxMetaFile = 256 << 20 // index, snapshot, trailer: far above real sizes
)

// BlobType says what a blob in a pack holds.
type BlobType uint8

// Blob types.
const (
	BlobDBChunk  BlobType = 1 // a vault object file (kind db chunk), as stored in the vault
	BlobDocument BlobType = 2 // a vault object file (kind document); reserved
	BlobManifest BlobType = 3 // a vault manifest file, sealed again
	BlobLog      BlobType = 4 // a piece of the redo log, sealed again
	// BlobAuditSegment: a vault object file of kind audit segment, as stored
	// in the vault (manifest format 2 lists them).
	BlobAuditSegment BlobType = 5
)

// blobOfKind is the blob type that carries vault objects of kind k.
func blobOfKind(k vault.Kind) (BlobType, bool) {
	switch k {
	case vault.KindDBChunk:
		return BlobDBChunk, true
	case vault.KindDocument:
		return BlobDocument, true
	case vault.KindAuditSegment:
		return BlobAuditSegment, true
	}
	return 0, false
}

func (t BlobType) String() string {
	switch t {
	case BlobDBChunk:
		return "database chunk"
	case BlobDocument:
		return "document chunk"
	case BlobManifest:
		return "manifest"
	case BlobLog:
		return "redo log piece"
	case BlobAuditSegment:
		return "sealed audit segment"
	}
	return fmt.Sprintf("blob type %d", uint8(t))
}

func (t BlobType) vaultKind() (vault.Kind, bool) {
	switch t {
	case BlobDBChunk:
		return vault.KindDBChunk, true
	case BlobDocument:
		return vault.KindDocument, true
	case BlobAuditSegment:
		return vault.KindAuditSegment, true
	}
	return 0, false
}

// BlobKey names a blob: its type and its 32-byte id.
type BlobKey struct {
	Type BlobType
	ID   vault.ID
}

// location is where a blob is stored.
type location struct {
	Pack   string // pack name (32 hex digits)
	Offset int64
	Length int64
}

// blobEntry is one blob of a pack, in the trailer and in index files.
type blobEntry struct {
	Type   BlobType `json:"t"`
	ID     vault.ID `json:"id"`
	Offset int64    `json:"off"`
	Length int64    `json:"len"`
}

// packEntry is one pack in an index file.
type packEntry struct {
	Name  string      `json:"name"`
	Size  int64       `json:"size"`
	Blobs []blobEntry `json:"blobs"`
}

// indexFile is the decrypted content of an index file.
type indexFile struct {
	Packs []packEntry `json:"packs"`
}

// Counts are the vault's row counts at snapshot time, as the store reports
// them (clients, matters, parties, notes, audit).
type Counts map[string]int

// Snapshot is one backup: the vault as it was at Time.
type Snapshot struct {
	ID string `json:"-"` // the file name (32 hex digits)

	Format     int        `json:"format"`
	Time       time.Time  `json:"time"`
	Host       string     `json:"host"`
	AppVersion string     `json:"app_version"`
	VaultID    string     `json:"vault_id"`
	Header     string     `json:"header"`   // name of the keys/ file holding the vault header at that time
	Manifest   vault.ID   `json:"manifest"` // blob id of the manifest
	Checkpoint uint64     `json:"checkpoint"`
	Chunks     int        `json:"chunks"`
	ImageSize  int64      `json:"image_size"`
	LogGen     uint64     `json:"log_gen"`
	LogSize    int64      `json:"log_size"`
	Log        []vault.ID `json:"log"` // blob ids of the redo log pieces, in order

	Counts      Counts `json:"counts"`
	AuditHead   string `json:"audit_head"`   // the audit chain head (id:mac) at that moment
	ContentHash string `json:"content_hash"` // keyed hash of the database's logical content

	AddedBytes int64 `json:"added_bytes"` // bytes this backup wrote to the repository
	AddedBlobs int   `json:"added_blobs"`
	TotalBytes int64 `json:"total_bytes"` // bytes of all the blobs the snapshot needs
}

// Short is the first 8 hex digits of the id, as lists show it.
func (s *Snapshot) Short() string {
	if len(s.ID) < 8 {
		return s.ID
	}
	return s.ID[:8]
}

// DrillRecord is the result of a restore drill, kept in the repository.
type DrillRecord struct {
	ID          string        `json:"-"`
	Time        time.Time     `json:"time"`
	Host        string        `json:"host"`
	Snapshot    string        `json:"snapshot"`
	OK          bool          `json:"ok"`
	Failures    []string      `json:"failures,omitempty"`
	Checks      []string      `json:"checks,omitempty"`
	RestoreTime time.Duration `json:"restore_ns"`
	TotalTime   time.Duration `json:"total_ns"`
	Objects     int           `json:"objects"`
	Bytes       int64         `json:"bytes"`
}

// repoConfig is the config file: plain JSON with a MAC, so that the volume
// check can run before any passphrase is typed.
type repoConfig struct {
	Format  int        `json:"format"`
	RepoID  string     `json:"repo_id"`
	VaultID string     `json:"vault_id"`
	Created time.Time  `json:"created"`
	Volume  volumeInfo `json:"volume"`
	MAC     string     `json:"mac,omitempty"` // HMAC under purpose "backup config" of the JSON with mac empty
}

type volumeInfo struct {
	ID         string `json:"id"`
	Label      string `json:"label,omitempty"`
	FSType     string `json:"fs_type,omitempty"`
	MountPoint string `json:"mount_point,omitempty"`
	System     bool   `json:"system,omitempty"` // on the same file system as "/"
}

// fileName is the name of a content-addressed repository file: the first
// 16 bytes of its SHA-256, in hex. Verify checks it without any key.
func fileName(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func packPath(name string) string { return dataDir + "/" + name[:2] + "/" + name }

func isHexName(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func adFor(magic string, vaultID [16]byte, extra ...[]byte) []byte {
	ad := append([]byte(magic), vaultID[:]...)
	for _, e := range extra {
		ad = append(ad, e...)
	}
	return ad
}

// sealFile encrypts a JSON value as magic|nonce|ciphertext|tag.
func sealFile(k *vault.Keys, magic, purpose string, v any) ([]byte, error) {
	pt, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	sealed, err := k.Seal(purpose, pt, adFor(magic, k.VaultID()))
	if err != nil {
		return nil, err
	}
	return append([]byte(magic), sealed...), nil
}

// openFile decrypts a file sealed by sealFile into v.
func openFile(k *vault.Keys, name, magic, purpose string, b []byte, v any) error {
	if len(b) > maxMetaFile {
		return damaged(name, "file is too large (%d bytes)", len(b))
	}
	if len(b) < len(magic) || string(b[:len(magic)]) != magic {
		return damaged(name, "file does not start with %q", magic)
	}
	pt, err := k.Open(purpose, b[len(magic):], adFor(magic, k.VaultID()))
	if err != nil {
		return damaged(name, "authentication failed (the file was changed, truncated or belongs to another vault)")
	}
	if err := json.Unmarshal(pt, v); err != nil {
		return damaged(name, "content is not valid: %v", err)
	}
	return nil
}

// sealBlob encrypts a manifest or log piece for a pack. Its id is a keyed
// hash of the type and plaintext, so equal content is stored once.
func sealBlob(k *vault.Keys, t BlobType, plaintext []byte) (vault.ID, []byte, error) {
	var id vault.ID
	mac, err := k.MAC(purposeBlobID, []byte{byte(t)}, plaintext)
	if err != nil {
		return id, nil, err
	}
	copy(id[:], mac)
	sealed, err := k.Seal(purposeBlob, plaintext, adFor(blobMagic, k.VaultID(), []byte{byte(t)}, id[:]))
	return id, sealed, err
}

// openBlob authenticates and decrypts a sealed blob; name is for messages.
func openBlob(k *vault.Keys, name string, t BlobType, id vault.ID, sealed []byte) ([]byte, error) {
	pt, err := k.Open(purposeBlob, sealed, adFor(blobMagic, k.VaultID(), []byte{byte(t)}, id[:]))
	if err != nil {
		return nil, damaged(name, "%s %s failed authentication", t, id.String()[:12])
	}
	mac, err := k.MAC(purposeBlobID, []byte{byte(t)}, pt)
	if err != nil {
		return nil, err
	}
	if string(mac) != string(id[:]) {
		return nil, damaged(name, "%s %s does not match its id", t, id.String()[:12])
	}
	return pt, nil
}

// checkBlob authenticates one blob's stored bytes, whatever its type.
func checkBlob(k *vault.Keys, name string, b blobEntry, raw []byte) error {
	if kind, ok := b.Type.vaultKind(); ok {
		return k.CheckObject(name, kind, b.ID, raw)
	}
	_, err := openBlob(k, name, b.Type, b.ID, raw)
	return err
}

// encodePack builds a pack: magic, the blobs, the sealed trailer listing
// them, and the trailer's length (4 bytes, little-endian).
func encodePack(k *vault.Keys, blobs []blobEntry, data [][]byte) ([]byte, error) {
	size := len(packMagic)
	for _, d := range data {
		size += len(d)
	}
	out := make([]byte, 0, size+64*len(blobs)+128)
	out = append(out, packMagic...)
	for i, d := range data {
		blobs[i].Offset = int64(len(out))
		blobs[i].Length = int64(len(d))
		out = append(out, d...)
	}
	tr, err := json.Marshal(blobs)
	if err != nil {
		return nil, err
	}
	sealed, err := k.Seal(purposeTrailer, tr, adFor(packMagic, k.VaultID()))
	if err != nil {
		return nil, err
	}
	out = append(out, sealed...)
	return binary.LittleEndian.AppendUint32(out, uint32(len(sealed))), nil
}

// decodePackTrailer reads the list of blobs from a whole pack file.
func decodePackTrailer(k *vault.Keys, name string, b []byte) ([]blobEntry, error) {
	if len(b) < len(packMagic)+4 || string(b[:len(packMagic)]) != packMagic {
		return nil, damaged(name, "pack does not start with %q or is truncated", packMagic)
	}
	n := int64(binary.LittleEndian.Uint32(b[len(b)-4:]))
	end := int64(len(b)) - 4
	if n > end-int64(len(packMagic)) {
		return nil, damaged(name, "pack trailer length %d is impossible (truncated pack?)", n)
	}
	tr, err := k.Open(purposeTrailer, b[end-n:end], adFor(packMagic, k.VaultID()))
	if err != nil {
		return nil, damaged(name, "pack trailer failed authentication (truncated or changed)")
	}
	var blobs []blobEntry
	if err := json.Unmarshal(tr, &blobs); err != nil {
		return nil, damaged(name, "pack trailer is not valid: %v", err)
	}
	for _, bl := range blobs {
		if !blobInside(bl, end-n) {
			return nil, damaged(name, "pack trailer lists a blob outside the pack")
		}
	}
	return blobs, nil
}

// blobInside reports whether a blob lies between a pack's magic and limit.
// Offset+Length is not computed: it can overflow.
func blobInside(bl blobEntry, limit int64) bool {
	return bl.Offset >= int64(len(packMagic)) && bl.Length >= 0 && bl.Offset <= limit && bl.Length <= limit-bl.Offset
}
