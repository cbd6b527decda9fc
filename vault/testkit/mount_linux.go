package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// MountTmpfs mounts a tmpfs of size bytes on a new folder under t.TempDir and
// returns the folder; it is unmounted when the test ends. A real small file
// system gives the kernel's own "no space left on device". Mounting needs
// root: elsewhere the test is skipped, and under CI it fails (SkipUnlessCI).
func MountTmpfs(t testing.TB, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		SkipUnlessCI(t, "needs root to mount a small tmpfs")
	}
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		SkipUnlessCI(t, fmt.Sprintf("cannot mount a tmpfs here: %v", err))
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}
