package vault

import (
	"crypto/cipher"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Salvage (docs/FORMAT.md section 7.1): a vault whose redo log is damaged
// near its end still holds its last checkpoint and every intact record
// before the damage. OpenReadOnly reads exactly that, changing nothing, so
// the person can back up and export; Salvage plus QuarantineLog let a repair
// keep it and go on, with the damaged log kept aside.

// LogDamage describes a damaged redo log that a salvaging open read up to
// the damage.
type LogDamage struct {
	File     string    // the log file
	Reason   string    // what is wrong, from the integrity check
	Kept     int       // intact records before the damage, the ones used
	FileSize int64     // the log file's size
	Acked    uint64    // records the log's mark says were acknowledged before the last append (format 2; 0 if unknown)
	Written  time.Time // when the log file was last written
}

// OpenReadOnly unlocks the vault in dir for salvage: nothing on disk is
// changed (no temp file, log or chunk is deleted, no log is cut), writes and
// checkpoints fail with ErrReadOnly, and a damaged redo log is read up to
// its first damaged record (LogDamage says what was left out). It takes the
// vault's lock like Open.
func OpenReadOnly(dir string, cred Credential) (*Vault, error) {
	hpath := filepath.Join(dir, HeaderFile)
	if _, err := os.Stat(hpath); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoVault, dir)
	}
	lk, err := acquireLock(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, err
	}
	v, err := openLocked(dir, hpath, cred, true)
	if err != nil {
		lk.release()
		return nil, err
	}
	v.lock, v.readOnly, v.salvage = lk, true, true
	return v, nil
}

// Salvage makes the next ReadLog return the records before a damaged one
// instead of failing (see LogDamage), without cutting anything, for a
// repair. Call it before LoadCheckpoint.
func (v *Vault) Salvage() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.salvage = true
}

// ReadOnly reports whether the vault was opened with OpenReadOnly.
func (v *Vault) ReadOnly() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.readOnly
}

// LogDamage reports the damage a salvaging ReadLog stopped at, or nil.
func (v *Vault) LogDamage() *LogDamage {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.logDamage == nil {
		return nil
	}
	d := *v.logDamage
	return &d
}

// LimitLog keeps only the first n records of the log that ReadLog returned
// (a salvage whose record n does not apply to the database): from then on
// the vault behaves as if the log ended there, and LogDamage says so.
func (v *Vault) LimitLog(n int, reason string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.salvage {
		return errors.New("LimitLog outside a salvage")
	}
	if n < 0 || n > len(v.logStarts) {
		return fmt.Errorf("LimitLog(%d) of a log of %d records", n, len(v.logStarts))
	}
	if v.logDamage == nil {
		path := v.logPath(v.currentGen())
		v.logDamage = &LogDamage{File: path}
		if fi, err := os.Stat(path); err == nil {
			v.logDamage.FileSize, v.logDamage.Written = fi.Size(), fi.ModTime()
		}
	}
	v.logDamage.Reason, v.logDamage.Kept = reason, n
	v.logSeq = uint64(n)
	if n < len(v.logStarts) {
		v.logSize = v.logStarts[n]
	}
	v.logStarts = v.logStarts[:n]
	if n == 0 {
		v.logSize = 0
	}
	return nil
}

// QuarantineLog copies the damaged log file into a new folder of the
// vault's quarantine (never deleted) and returns the copy's path. A repair
// calls it before its checkpoint, which then leaves the damaged log behind.
func (v *Vault) QuarantineLog() (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.readOnly {
		return "", ErrReadOnly
	}
	if v.logDamage == nil {
		return "", nil
	}
	b, err := os.ReadFile(v.logDamage.File)
	if err != nil {
		return "", fmt.Errorf("keeping the damaged redo log: %w", err)
	}
	name := LogDir + "/" + filepath.Base(v.logDamage.File)
	q, err := v.quarantineLocked(nil, map[string][]byte{name: b})
	if err != nil {
		return "", err
	}
	v.logKeptAside = true
	return filepath.Join(q, filepath.FromSlash(name)), nil
}

// salvagedLogCopy is the log a capture of a salvaged vault holds: its first
// size bytes, with the mark (format 2) rewritten to say that the records
// kept are the acknowledged ones, so that the copy is a valid log of them.
func (v *Vault) salvagedLogCopyLocked(raw []byte) ([]byte, error) {
	if v.logDamage == nil || v.logFormat != 2 || len(raw) < logHeaderLen {
		return raw, nil
	}
	n := len(v.logStarts)
	acked, end := uint64(0), int64(logHeaderLen)
	if n > 0 {
		acked, end = uint64(n-1), v.logStarts[n-1]
	}
	err := v.keys.withLogKeys(func(_ cipher.AEAD, mk []byte) error {
		copy(raw[logPrefixLen:], logMark(mk, raw[:logPrefixLen], acked, end))
		return nil
	})
	return raw, err
}
