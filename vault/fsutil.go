package vault

import (
	"fmt"
	"os"
	"path/filepath"

	"casevault/vault/atomicfile"
)

// writeFileAtomic writes data to path so that a crash leaves either the old
// file or the new one: temp file in the same folder, fsync, rename, fsync the
// folder (atomicfile). Files are created 0600: nobody else on the machine needs them.
// The folder fsync goes through fsys.
func writeFileAtomic(fsys FS, path string, data []byte) error {
	if err := writeFileDurable(path, data); err != nil {
		return err
	}
	return syncDir(fsys, filepath.Dir(path))
}

// writeFileDurable is writeFileAtomic without the folder fsync, for callers
// that fsync the folder once after many files.
func writeFileDurable(path string, data []byte) error {
	if err := atomicfile.Replace(path, data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// syncDir flushes the folder dir through fsys (FS.SyncDir), with context.
func syncDir(fsys FS, dir string) error {
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("syncing folder %s: %w", dir, err)
	}
	return nil
}

// removeTemps deletes temp files left by a crash in the middle of a write.
func removeTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, atomicfile.TempPrefix+"*"))
	for _, m := range matches {
		os.Remove(m)
	}
}
