package tempcopy

import (
	"os"
	"path/filepath"
)

// officeLock is the lock file LibreOffice (and OpenOffice) keeps beside a
// document while it has it open: ".~lock.NAME#".
func officeLock(path string) string {
	return filepath.Join(filepath.Dir(path), ".~lock."+filepath.Base(path)+"#")
}

// hasOfficeLock: LibreOffice has path open.
func hasOfficeLock(path string) bool {
	_, err := os.Lstat(officeLock(path))
	return err == nil
}
