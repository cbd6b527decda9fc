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
	"time"
)

// Redo log layout (docs/FORMAT.md, "Redo log"). Format 2: a 64-byte file
// header — magic, vault id, generation, then the acknowledgement mark (the
// count and end offset of the records acknowledged before the last append,
// with a MAC) — then records of [u32 length][u32 CRC-32C of the
// length][nonce|ciphertext|tag]. Format 1 (read, and continued until the next
// checkpoint) has the 32-byte header without the mark.
const (
	logMagicV1    = "CVLOG001"
	logMagic      = "CVLOG002"
	logPrefixLen  = 8 + 16 + 8
	logHeaderLen  = logPrefixLen + logMarkLen // format 2
	logMarkLen    = 8 + 8 + 16
	recordHdrLen  = 8
	maxRecordSize = 1 << 30
	markPurpose   = "log mark"
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

// logPrefix is the first 32 bytes of a log file of the given format.
func logPrefix(format int, vaultID [16]byte, gen uint64) []byte {
	b := make([]byte, 0, logHeaderLen)
	if format == 1 {
		b = append(b, logMagicV1...)
	} else {
		b = append(b, logMagic...)
	}
	b = append(b, vaultID[:]...)
	return binary.LittleEndian.AppendUint64(b, gen)
}

func recordAD(format int, vaultID [16]byte, gen, seq uint64) []byte {
	return binary.LittleEndian.AppendUint64(logPrefix(format, vaultID, gen), seq)
}

// logMark encodes the acknowledgement mark: acked records end at offset end.
func logMark(markKey, prefix []byte, acked uint64, end int64) []byte {
	m := binary.LittleEndian.AppendUint64(nil, acked)
	m = binary.LittleEndian.AppendUint64(m, uint64(end))
	return append(m, hmacSum(markKey, prefix, m)[:16]...)
}

// logHeader is the header of a new format-2 log: no record acknowledged.
func logHeader(markKey []byte, vaultID [16]byte, gen uint64) []byte {
	p := logPrefix(2, vaultID, gen)
	return append(p, logMark(markKey, p, 0, logHeaderLen)...)
}

// withLogKeys runs fn with the AEAD and the key of the acknowledgement mark.
func (k *keyring) withLogKeys(fn func(a cipher.AEAD, markKey []byte) error) error {
	return k.withAEAD(func(a cipher.AEAD) error {
		return k.with(k.mark, func(mk []byte) error { return fn(a, mk) })
	})
}

// TornTail describes the incomplete last record that opening a redo log
// dropped: the append in progress when casevault or the computer stopped.
type TornTail struct {
	Record  int       // its number since the checkpoint (0-based): the records before it were kept
	Bytes   int64     // how many bytes of it were on disk
	Written time.Time // when the log file was last written (the torn append)
}

// logScan is what parseLog found in a log file.
type logScan struct {
	recs   [][]byte
	starts []int64 // offset of each record in recs
	good   int64   // end of the last intact record: the part to keep
	format int     // 1 or 2; 0 for a file whose header was torn
	acked  uint64  // format 2: records acknowledged before the last append
	// On damage: the first damaged record (len(recs)) starts at badOff; -1
	// when the records are intact but fewer than acknowledged (a cut).
	badOff int64
}

// ReadLog returns the plaintext records of the redo log that follows the
// current checkpoint, in order. Call it after LoadCheckpoint. A torn last
// record (the file ends inside it: a crash during an append, which was never
// acknowledged) is dropped and cut off, and reported by TornTail. Any other
// damage is an error, and so is a log with fewer intact records than its
// acknowledgement mark says were acknowledged.
func (v *Vault) ReadLog() ([][]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		return nil, ErrClosed
	}
	if v.loadErr != nil {
		return nil, v.loadErr // the log of a checkpoint that did not load means nothing
	}
	v.torn, v.logDamage = nil, nil
	if !v.readOnly {
		v.removeOldLogsLocked()
	}
	gen := v.currentGen()
	path := v.logPath(gen)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		v.logSeq, v.logSize, v.logFormat = 0, 0, 2
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading redo log: %w", err)
	}
	fi, _ := os.Stat(path)
	var sc *logScan
	err = v.keys.withLogKeys(func(a cipher.AEAD, mk []byte) error {
		var err error
		sc, err = parseLog(a, mk, v.hdr.VaultID, gen, path, b)
		return err
	})
	var de *DamagedError
	if err != nil && v.salvage && sc != nil && errors.As(err, &de) {
		// Salvage: the records before the damage, nothing changed on disk.
		v.logDamage = &LogDamage{File: path, Reason: de.Reason, Kept: len(sc.recs), FileSize: int64(len(b)), Acked: sc.acked}
		if fi != nil {
			v.logDamage.Written = fi.ModTime()
		}
		v.logSeq, v.logSize, v.logFormat, v.logStarts = uint64(len(sc.recs)), sc.good, sc.format, sc.starts
		if sc.format == 0 || len(sc.recs) == 0 {
			v.logSize = 0 // no record to keep: the log copy a backup takes is empty
		}
		return sc.recs, nil
	}
	if err != nil {
		if errors.As(err, &de) {
			de.Salvageable = true
		}
		return nil, err
	}
	if v.salvage {
		v.logStarts = sc.starts // for LimitLog and a salvaged capture
	}
	if sc.good < int64(len(b)) {
		if sc.format != 0 && fi != nil {
			v.torn = &TornTail{Record: len(sc.recs), Bytes: int64(len(b)) - sc.good, Written: fi.ModTime()}
		}
		if !v.readOnly {
			if err := truncateDurable(v.fs, path, sc.good); err != nil {
				return nil, fmt.Errorf("cutting off a torn redo log record: %w", err)
			}
		}
	}
	v.logSeq, v.logSize, v.logFormat = uint64(len(sc.recs)), sc.good, sc.format
	if sc.format == 0 {
		v.logFormat = 2
	}
	return sc.recs, nil
}

// TornTail reports the incomplete record the last ReadLog dropped, or nil.
func (v *Vault) TornTail() *TornTail {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.torn
}

// parseLog decodes a whole log file. On damage it returns the error and the
// scan so far (the intact records before the damage, for salvage).
func parseLog(a cipher.AEAD, markKey []byte, vaultID [16]byte, gen uint64, path string, b []byte) (*logScan, error) {
	sc := &logScan{badOff: -1}
	switch {
	case len(b) >= logPrefixLen && string(b[:logPrefixLen]) == string(logPrefix(2, vaultID, gen)):
		sc.format = 2
	case len(b) >= logPrefixLen && string(b[:logPrefixLen]) == string(logPrefix(1, vaultID, gen)):
		sc.format = 1
	case len(b) < logHeaderLen && (len(b) < logPrefixLen || string(b[:logPrefixLen]) == string(logPrefix(2, vaultID, gen))),
		len(b) == logHeaderLen && allZero(b):
		// A crash while the header of a new log was being written: nothing
		// was ever acknowledged in it.
		return sc, nil
	default:
		sc.badOff = 0
		return sc, damaged(path, "redo log header does not match this vault and checkpoint")
	}
	off := logPrefixLen
	var markEnd int64
	var markErr error
	if sc.format == 2 {
		if len(b) < logHeaderLen {
			sc.format = 0
			return sc, nil // torn header of a new log, as above
		}
		m := b[logPrefixLen:logHeaderLen]
		if !hmacEqual(hmacSum(markKey, b[:logPrefixLen], m[:16])[:16], m[16:]) {
			markErr = damaged(path, "the redo log's record of how many changes were saved is damaged")
		} else {
			sc.acked = binary.LittleEndian.Uint64(m[:8])
			markEnd = int64(binary.LittleEndian.Uint64(m[8:16]))
		}
		off = logHeaderLen
	}
	sc.good = int64(off)
	var ackedEnd int64 = -1 // where record sc.acked starts, once seen
	for seq := uint64(0); off < len(b); seq++ {
		if seq == sc.acked {
			ackedEnd = int64(off)
		}
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
			sc.badOff = int64(off)
			return sc, damaged(path, "redo log record %d has a damaged length", seq)
		}
		if n > maxRecordSize || n < uint32(a.NonceSize()+a.Overhead()) {
			sc.badOff = int64(off)
			return sc, damaged(path, "redo log record %d has an impossible length %d", seq, n)
		}
		if len(rest) < recordHdrLen+int(n) {
			break // torn: the file ends inside this record
		}
		pt, err := open(a, rest[recordHdrLen:recordHdrLen+int(n)], recordAD(sc.format, vaultID, gen, seq))
		if err != nil {
			sc.badOff = int64(off)
			return sc, damaged(path, "redo log record %d failed authentication", seq)
		}
		sc.recs = append(sc.recs, pt)
		sc.starts = append(sc.starts, int64(off))
		off += recordHdrLen + int(n)
		sc.good = int64(off)
	}
	if uint64(len(sc.recs)) == sc.acked && ackedEnd < 0 {
		ackedEnd = sc.good
	}
	if markErr != nil {
		return sc, markErr
	}
	if sc.format == 2 {
		if uint64(len(sc.recs)) < sc.acked {
			return sc, damaged(path, "the redo log holds %d intact %s, but %d were confirmed saved: it was cut short or damaged, and the missing changes are lost from this file",
				len(sc.recs), plural(len(sc.recs), "change", "changes"), sc.acked+1)
		}
		if ackedEnd != markEnd {
			return sc, damaged(path, "the redo log's record of how many changes were saved does not match its records")
		}
	}
	return sc, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func truncateDurable(fsys FS, path string, size int64) error {
	f, err := fsys.OpenFile(path, os.O_WRONLY, 0)
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
	if v.readOnly {
		return ErrReadOnly
	}
	if v.logDamage != nil {
		// Appending would write over the damaged part: a repair keeps it
		// aside and checkpoints first.
		return errors.New("the redo log is damaged: it must be kept aside and the vault checkpointed before anything is written")
	}
	gen := v.currentGen()
	if v.logFile == nil {
		path := v.logPath(gen)
		f, err := v.fs.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("opening redo log: %w", err)
		}
		if v.logSize == 0 {
			v.logFormat = 2
			var hdr []byte
			err := v.keys.withLogKeys(func(_ cipher.AEAD, mk []byte) error {
				hdr = logHeader(mk, v.hdr.VaultID, gen)
				return nil
			})
			if err == nil {
				err = f.Truncate(0)
			}
			if err == nil {
				_, err = f.WriteAt(hdr, 0)
			}
			if err == nil {
				err = f.Sync()
			}
			if err != nil {
				f.Close()
				return fmt.Errorf("starting redo log: %w", err)
			}
			if err := syncDir(v.fs, filepath.Dir(path)); err != nil {
				f.Close()
				return err
			}
			v.logSize = logHeaderLen
		}
		v.logFile = f
	}
	var frame, mark []byte
	err := v.keys.withLogKeys(func(a cipher.AEAD, mk []byte) error {
		sealed, err := seal(a, rec, recordAD(v.logFormat, v.hdr.VaultID, gen, v.logSeq))
		if err != nil {
			return err
		}
		frame = make([]byte, recordHdrLen, recordHdrLen+len(sealed))
		binary.LittleEndian.PutUint32(frame[:4], uint32(len(sealed)))
		binary.LittleEndian.PutUint32(frame[4:8], crc32.Checksum(frame[:4], crcTable))
		frame = append(frame, sealed...)
		if v.logFormat == 2 {
			// Every record before this one is acknowledged: the mark says
			// so, made durable by the same fdatasync as this record.
			mark = logMark(mk, logPrefix(2, v.hdr.VaultID, gen), v.logSeq, v.logSize)
		}
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
	if mark != nil {
		if _, err := v.logFile.WriteAt(mark, logPrefixLen); err != nil {
			v.cutBackLocked(err)
			return fmt.Errorf("writing redo log: %w", err)
		}
	}
	if err := v.logFile.Datasync(); err != nil {
		// The record's durability is unknown: cut it off so that it is
		// certainly not replayed, and report the failure. The mark stays
		// right: it names only records before this one.
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
		err = v.logFile.Datasync()
	}
	if err != nil {
		v.failed = fmt.Errorf("the disk reported an error while saving (%v), so the last change may or may not have been saved; close casevault and open it again", cause)
	}
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
