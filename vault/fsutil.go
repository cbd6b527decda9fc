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
func writeFileAtomic(path string, data []byte) error {
	if err := writeFileDurable(path, data); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// writeFileDurable is writeFileAtomic without the folder fsync, for callers
// that fsync the folder once after many files.
func writeFileDurable(path string, data []byte) error {
	if err := atomicfile.Replace(path, data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// syncDirHook, set only by tests, sees each folder fsync first and can fail it.
var syncDirHook func(dir string) error

func syncDir(dir string) error {
	if syncDirHook != nil {
		if err := syncDirHook(dir); err != nil {
			return fmt.Errorf("syncing folder %s: %w", dir, err)
		}
	}
	if err := atomicfile.SyncDir(dir); err != nil {
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
