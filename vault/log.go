package vault

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
)

// Redo log layout (docs/FORMAT.md, "Redo log"): a 32-byte file header, then
// records of [u32 length][u32 CRC-32C of the length][nonce|ciphertext|tag].
const (
	logMagic      = "CVLOG001"
	logHeaderLen  = 8 + 16 + 8
	recordHdrLen  = 8
	maxRecordSize = 1 << 30
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func logName(gen uint64) string { return fmt.Sprintf("%016x.log", gen) }

func (v *Vault) logPath(gen uint64) string {
	return filepath.Join(v.dir, LogDir, logName(gen))
}

func (v *Vault) currentGen() uint64 {
	if v.cp == nil {
		return 0
	}
	return v.cp.LogGen
}

func logHeader(vaultID [16]byte, gen uint64) []byte {
	b := make([]byte, 0, logHeaderLen)
	b = append(b, logMagic...)
	b = append(b, vaultID[:]...)
	return binary.LittleEndian.AppendUint64(b, gen)
}

func recordAD(vaultID [16]byte, gen, seq uint64) []byte {
	ad := logHeader(vaultID, gen)
	return binary.LittleEndian.AppendUint64(ad, seq)
}

// ReadLog returns the plaintext records of the redo log that follows the
// current checkpoint, in order. Call it after LoadCheckpoint. A torn last
// record (the file ends inside it: a crash during an append, which was never
// acknowledged) is dropped and cut off. Any other damage is an error.
func (v *Vault) ReadLog() ([][]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return nil, ErrClosed
	}
	if v.loadErr != nil {
		return nil, v.loadErr // the log of a checkpoint that did not load means nothing
	}
	v.removeOldLogsLocked()
	gen := v.currentGen()
	path := v.logPath(gen)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		v.logSeq, v.logSize = 0, 0
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading redo log: %w", err)
	}
	var recs [][]byte
	var good int64
	err = v.keys.withAEAD(func(a cipher.AEAD) error {
		var err error
		recs, good, err = parseLog(a, v.hdr.VaultID, gen, path, b)
		return err
	})
	if err != nil {
		return nil, err
	}
	if good < int64(len(b)) {
		if err := truncateDurable(path, good); err != nil {
			return nil, fmt.Errorf("cutting off a torn redo log record: %w", err)
		}
	}
	v.logSeq, v.logSize = uint64(len(recs)), good
	return recs, nil
}

// parseLog decodes a whole log file. good is the length of its valid prefix.
func parseLog(a cipher.AEAD, vaultID [16]byte, gen uint64, path string, b []byte) (recs [][]byte, good int64, err error) {
	if len(b) < logHeaderLen {
		// A crash while the header of a new log was being written: nothing
		// was ever acknowledged in it.
		return nil, 0, nil
	}
	if string(b[:logHeaderLen]) != string(logHeader(vaultID, gen)) {
		return nil, 0, damaged(path, "redo log header does not match this vault and checkpoint")
	}
	off := logHeaderLen
	for seq := uint64(0); off < len(b); seq++ {
		rest := b[off:]
		if len(rest) < recordHdrLen {
			break // torn
		}
		if allZero(rest) {
			// A crash after the file grew but before the record's bytes
			// reached the disk leaves zeros (file systems that do not order
			// data before metadata). Never acknowledged: torn, like a short tail.
			break
		}
		n := binary.LittleEndian.Uint32(rest[:4])
		if crc32.Checksum(rest[:4], crcTable) != binary.LittleEndian.Uint32(rest[4:8]) {
			return nil, 0, damaged(path, "redo log record %d has a damaged length", seq)
		}
		if n > maxRecordSize || n < uint32(a.NonceSize()+a.Overhead()) {
			return nil, 0, damaged(path, "redo log record %d has an impossible length %d", seq, n)
		}
		if len(rest) < recordHdrLen+int(n) {
			break // torn: the file ends inside this record
		}
		pt, err := open(a, rest[recordHdrLen:recordHdrLen+int(n)], recordAD(vaultID, gen, seq))
		if err != nil {
			return nil, 0, damaged(path, "redo log record %d failed authentication", seq)
		}
		recs = append(recs, pt)
		off += recordHdrLen + int(n)
	}
	return recs, int64(off), nil
}

func truncateDurable(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

// AppendLog encrypts rec as the next redo log record and makes it durable
// (fdatasync) before returning. On error nothing is appended.
func (v *Vault) AppendLog(rec []byte) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return ErrClosed
	}
	if v.failed != nil {
		return v.failed
	}
	gen := v.currentGen()
	if v.logFile == nil {
		path := v.logPath(gen)
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("opening redo log: %w", err)
		}
		if v.logSize == 0 {
			if err := f.Truncate(0); err != nil {
				f.Close()
				return fmt.Errorf("starting redo log: %w", err)
			}
			if _, err := f.WriteAt(logHeader(v.hdr.VaultID, gen), 0); err != nil {
				f.Close()
				return fmt.Errorf("starting redo log: %w", err)
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return fmt.Errorf("starting redo log: %w", err)
			}
			if err := syncDir(filepath.Dir(path)); err != nil {
				f.Close()
				return err
			}
			v.logSize = logHeaderLen
		}
		v.logFile = f
	}
	var frame []byte
	err := v.keys.withAEAD(func(a cipher.AEAD) error {
		sealed, err := seal(a, rec, recordAD(v.hdr.VaultID, gen, v.logSeq))
		if err != nil {
			return err
		}
		frame = make([]byte, recordHdrLen, recordHdrLen+len(sealed))
		binary.LittleEndian.PutUint32(frame[:4], uint32(len(sealed)))
		binary.LittleEndian.PutUint32(frame[4:8], crc32.Checksum(frame[:4], crcTable))
		frame = append(frame, sealed...)
		return nil
	})
	if err != nil {
		return err
	}
	if len(frame)-recordHdrLen > maxRecordSize {
		return fmt.Errorf("transaction too large for one redo log record (%d bytes)", len(frame))
	}
	if _, err := v.logFile.WriteAt(frame, v.logSize); err != nil {
		v.cutBackLocked(err)
		return fmt.Errorf("writing redo log: %w", err)
	}
	if err := logSync(v.logFile); err != nil {
		// The record's durability is unknown: cut it off so that it is
		// certainly not replayed, and report the failure.
		v.cutBackLocked(err)
		return fmt.Errorf("flushing redo log to disk: %w", err)
	}
	v.logSeq++
	v.logSize += int64(len(frame))
	return nil
}

// cutBackLocked cuts the log back to its last acknowledged record after a
// failed append. If that cannot be made durable, the failed record may still
// be replayed at the next open, and the next append (written at the same
// offset) could leave its tail behind, which reads as damage: so no more
// writes until the vault is reopened.
func (v *Vault) cutBackLocked(cause error) {
	err := v.logFile.Truncate(v.logSize)
	if err == nil {
		err = logSync(v.logFile)
	}
	if err != nil {
		v.failed = fmt.Errorf("the disk reported an error while saving (%v), so the last change may or may not have been saved; close casevault and open it again", cause)
	}
}

// logSyncHook, set only by tests, runs before each redo log record's
// fdatasync and can fail it.
var logSyncHook func() error

func logSync(f *os.File) error {
	if logSyncHook != nil {
		if err := logSyncHook(); err != nil {
			return err
		}
	}
	return datasync(f)
}

// LogSize is the current redo log's length in bytes, for checkpoint policy.
func (v *Vault) LogSize() int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.logSize
}

// removeOldLogsLocked deletes log files of generations before the current
// one (left behind by a crash right after a checkpoint): the checkpoint holds
// all of their records. A later generation is never deleted: it can only
// belong to a newer version of the folder (versions.go).
func (v *Vault) removeOldLogsLocked() {
	gen := v.currentGen()
	dir := filepath.Join(v.dir, LogDir)
	for g, name := range listGens(dir, ".log") {
		if g < gen {
			os.Remove(filepath.Join(dir, name))
		}
	}
	removeTemps(dir)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
