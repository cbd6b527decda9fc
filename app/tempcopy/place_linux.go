package tempcopy

import (
	"os"
	"path/filepath"
	"syscall"
)

// candidates are the folders copies may go in, best first: the user's
// runtime folder ($XDG_RUNTIME_DIR: private, and in memory on systemd
// systems), /dev/shm (in memory, shared), then the system's temporary
// folder (usually on disk).
func candidates() []base {
	var out []base
	if d := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && ownedByMe(fi) && fi.Mode().Perm()&0o077 == 0 {
			out = append(out, base{dir: d, inMemory: inMemory(d)})
		}
	}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() && inMemory("/dev/shm") {
		out = append(out, base{dir: "/dev/shm", inMemory: true, shared: true})
	}
	t := os.TempDir()
	return append(out, base{dir: t, inMemory: inMemory(t), shared: true})
}

// inMemory: dir is on tmpfs or ramfs, whose files never reach a disk
// (unless the system swaps them out).
func inMemory(dir string) bool {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return false
	}
	const tmpfs, ramfs = 0x01021994, 0x858458f6
	return st.Type == tmpfs || st.Type == ramfs
}
