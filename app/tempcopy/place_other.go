//go:build !linux

package tempcopy

import "os"

// candidates: the system's temporary folder (per user on macOS and
// Windows), taken to be on disk.
func candidates() []base { return []base{{dir: os.TempDir(), shared: true}} }
