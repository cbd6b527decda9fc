package backup

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors that callers tell apart with errors.Is. The vault's
// vault.ErrWrongCredential is returned as it is for a wrong passphrase.
var (
	// ErrNotRepo: the folder holds no backup repository.
	ErrNotRepo = errors.New("no backup in this folder")
	// ErrNotEmpty: a new repository was asked for in a folder with other files.
	ErrNotEmpty = errors.New("the folder has other files in it")
	// ErrWrongVault: the repository holds backups of another vault.
	ErrWrongVault = errors.New("this backup belongs to another vault")
	// ErrWrongVolume: the folder is not on the drive the repository was set up on.
	ErrWrongVolume = errors.New("the backup folder is not on the drive it was set up on")
	// ErrTargetMissing: the backup drive is not there (unplugged or not mounted).
	ErrTargetMissing = errors.New("the backup drive is not connected")
	// ErrNotMounted (with ErrTargetMissing): a new backup was asked for in
	// a folder where drives appear (/media, /mnt, ...) that is on the
	// system disk: the drive is not plugged in or not mounted.
	ErrNotMounted = errors.New("no drive is mounted there")
	// ErrTargetFull: the drive ran out of space; nothing was committed.
	ErrTargetFull = errors.New("the backup drive is full")
	// ErrTargetGone: the drive went away (unplugged, unmounted) during the work.
	ErrTargetGone = errors.New("the backup drive was disconnected")
	// ErrTargetReadOnly: the drive or folder cannot be written.
	ErrTargetReadOnly = errors.New("the backup drive cannot be written to")
	// ErrRepoBusy: another process is writing to the repository.
	ErrRepoBusy = errors.New("another casevault is using this backup")
	// ErrMissingFile: a file of the repository is missing.
	ErrMissingFile = errors.New("a backup file is missing")
	// ErrDamaged: a repository file failed its check (see *DamagedError).
	ErrDamaged = errors.New("backup damaged")
	// ErrNoSnapshot: no snapshot matches, or there are none yet.
	ErrNoSnapshot = errors.New("no such snapshot")
	// ErrConfigMissing: the repository's config file is missing (its key
	// files, data and snapshots may be intact); a backup needs the user to
	// confirm the drive so that a new one is written (Repo.RebuildConfig).
	ErrConfigMissing = errors.New("the backup's config file is missing")
	// ErrNewerFormat: the repository was written by a newer casevault.
	ErrNewerFormat = errors.New("this backup was made by a newer casevault")
)

// DamagedError names a damaged repository file and the snapshots that need it.
type DamagedError struct {
	File      string   // path inside the repository
	Reason    string   // what is wrong with it
	Snapshots []string // snapshots that cannot be restored because of it (may be empty)
	// blobs are the damaged blobs, when the damage is in blobs of a pack:
	// they, not the whole pack, say which snapshots are affected.
	blobs []BlobKey
}

func (e *DamagedError) Error() string {
	s := fmt.Sprintf("backup file %s is damaged: %s", e.File, e.Reason)
	if len(e.Snapshots) > 0 {
		s += "; affects " + snapshotWord(len(e.Snapshots)) + " " + strings.Join(e.Snapshots, ", ")
	}
	return s
}

// Blobs are the damaged blobs, when the damage is in blobs of a pack (a
// document chunk's id lets the caller say which document it belongs to).
func (e *DamagedError) Blobs() []BlobKey { return append([]BlobKey(nil), e.blobs...) }

// Is reports whether target is ErrDamaged.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

func damaged(file, format string, args ...any) error {
	return &DamagedError{File: file, Reason: fmt.Sprintf(format, args...)}
}

// inBlob notes on a *DamagedError that the damage is in blob k.
func inBlob(err error, k BlobKey) error {
	var de *DamagedError
	if errors.As(err, &de) {
		de.blobs = append(de.blobs, k)
	}
	return err
}
