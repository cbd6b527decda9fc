// Package atomicfile replaces a file so that a crash leaves either the old
// content or the new one, never a mix: the data goes to a new temporary file
// in the same folder (created exclusively, mode 0600), is flushed to disk, and
// the temporary file is renamed over the target; then the folder is flushed so
// that the rename itself survives a crash.
//
// It is the one implementation of that sequence for the vault's files, the
// backup repository's files and the plain files the app keeps beside the vault
// (docs/FORMAT.md sections 8 and 13.12). It sits under vault/ so that every
// layer may import it; it imports nothing of casevault.
//
// Errors are returned as the operating system gives them (*fs.PathError and
// the like, so errors.Is(err, syscall.ENOSPC) works); callers add context.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
)

// TempPrefix starts the name of every temporary file: ".tmp-" and 12
// random hex digits. A crash in the middle of a write leaves such a file;
// IsTemp recognises it so that it can be skipped and deleted.
const TempPrefix = ".tmp-"

// IsTemp reports whether the base name is a temporary file of this package.
func IsTemp(name string) bool { return strings.HasPrefix(name, TempPrefix) }

// WriteFile replaces path with data durably: Replace, then SyncDir of its folder.
func WriteFile(path string, data []byte) error {
	if err := Replace(path, data); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// Replace writes data to a temporary file in path's folder, flushes it,
// and renames it over path. It does not flush the folder: for callers that
// flush it once after many files, or that treat a failed folder flush their
// own way. On failure the temporary file is removed and path is unchanged.
func Replace(path string, data []byte) error {
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), TempPrefix+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// SyncDir flushes the folder dir, so that files created, renamed or
// removed in it stay so after a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
