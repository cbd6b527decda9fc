// Package vault keeps casevault's bytes at rest: the header with its Argon2id
// key slots, the data key (held in a memguard Enclave), XChaCha20-Poly1305
// encryption, the encrypted object store, checkpoint manifests, the encrypted
// redo log, atomic file writes and the single-process lock.
//
// It knows nothing of SQL: the store package hands it database images and log
// records as opaque bytes. The on-disk format is specified in docs/FORMAT.md.
package vault

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers tell apart with errors.Is.
var (
	// ErrWrongCredential: the passphrase or recovery key does not open any key slot.
	ErrWrongCredential = errors.New("wrong passphrase or recovery key")
	// ErrDamaged: a vault file failed its integrity check (tampered, truncated or corrupt).
	ErrDamaged = errors.New("vault damaged")
	// ErrLocked: another live process has the vault open.
	ErrLocked = errors.New("vault is open in another process")
	// ErrNoVault: the folder holds no vault.
	ErrNoVault = errors.New("no vault in this folder")
	// ErrExists: Create was asked to write over an existing vault or a non-empty folder.
	ErrExists = errors.New("folder is not empty")
	// ErrBadRecoveryKey: the recovery key text is malformed or mistyped (its checksum fails).
	ErrBadRecoveryKey = errors.New("recovery key is mistyped")
	// ErrClosed: the vault was locked or closed.
	ErrClosed = errors.New("vault is locked")
	// ErrReadOnly: the vault was opened read-only (to salvage a damaged one);
	// nothing can be changed.
	ErrReadOnly = errors.New("the vault is open read-only")
)

// DamagedError names the file that failed its integrity check.
type DamagedError struct {
	File   string // path of the damaged file
	Reason string // what was wrong, for the log and the message
	// Salvageable: the damage is in the redo log, after an intact
	// checkpoint: OpenReadOnly reads everything before it, and a repair
	// keeps it (the damaged part set aside).
	Salvageable bool
	// Repairable: the damaged file is the manifest, and a copy of it is
	// kept under manifests/ that a repair (RepairVersions) puts back.
	Repairable bool
}

func (e *DamagedError) Error() string {
	if e.Salvageable {
		return fmt.Sprintf("vault damaged: %s (%s). The last checkpoint and every change saved before the damage are intact: "+
			"open the vault read-only to back them up and export them, or repair it (the damaged part is kept aside, not deleted)", e.File, e.Reason)
	}
	if e.Repairable {
		return fmt.Sprintf("vault damaged: %s (%s). casevault keeps a copy of this file: repair the vault to put the copy back "+
			"(the damaged file is kept aside, not deleted), or restore the vault from a backup", e.File, e.Reason)
	}
	return fmt.Sprintf("vault damaged: %s (%s); restore this vault from a backup, and keep the damaged folder for inspection", e.File, e.Reason)
}

// Is reports whether target is ErrDamaged.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

func damaged(file, format string, args ...any) error {
	return &DamagedError{File: file, Reason: fmt.Sprintf(format, args...)}
}

// LockedError says which process holds the vault.
type LockedError struct {
	PID  int
	Host string
	Path string
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = fmt.Sprintf("process %d on host %q", e.PID, e.Host)
	}
	return fmt.Sprintf("vault is open in another process (%s); close casevault there first (lock file %s)", who, e.Path)
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// ErrNewerVersion: the vault was written by a newer version of casevault,
// in a format this one does not read.
var ErrNewerVersion = errors.New("the vault was written by a newer version of casevault")

// NewerVersionError says which file is of a newer format.
type NewerVersionError struct {
	File string
	What string // the format found, and the ones this casevault reads
}

func (e *NewerVersionError) Error() string {
	return fmt.Sprintf("%s was written by a newer version of casevault (%s): open the vault with that version, "+
		"or update casevault; the vault is not damaged, so do not repair or restore it", e.File, e.What)
}

// Is reports whether target is ErrNewerVersion.
func (e *NewerVersionError) Is(target error) bool { return target == ErrNewerVersion }
