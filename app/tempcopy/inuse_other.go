//go:build !linux

package tempcopy

// InUse: unknown (false, false) beside LibreOffice's lock file, which
// says it is in use.
func InUse(path string) (inUse, known bool) {
	if hasOfficeLock(path) {
		return true, true
	}
	return false, false
}

// Holders names the programs known to have path open.
func Holders(path string) []string {
	if hasOfficeLock(path) {
		return []string{"LibreOffice"}
	}
	return nil
}

// InUseAll: LibreOffice's lock files only (known is false).
func InUseAll(paths []string) (inUse map[string]bool, known bool) {
	inUse = map[string]bool{}
	for _, p := range paths {
		if hasOfficeLock(p) {
			inUse[p] = true
		}
	}
	return inUse, false
}
