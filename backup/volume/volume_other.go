//go:build !linux && !windows

package volume

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// dataVolume is where macOS (10.15 and later) mounts the writable half of
// the system disk; "/" itself is the sealed, read-only system volume.
const dataVolume = "/System/Volumes/Data"

// mountAreas returns the folders under which drives are usually mounted.
func mountAreas() []string {
	switch runtime.GOOS {
	case "darwin", "ios":
		return []string{"/Volumes"}
	case "freebsd", "openbsd", "netbsd", "dragonfly", "solaris", "illumos", "aix":
		return []string{"/media", "/mnt"}
	}
	return nil
}

// of returns the volume of the clean absolute path p, which has no symbolic
// links. Only the device number is reliable here: the mount point is found
// by walking up the folders, and FSType, Label and Removable stay empty.
func of(p string) (Volume, error) {
	dev, ok := statDev(p)
	if !ok {
		if _, err := os.Stat(p); err != nil {
			return Volume{}, err
		}
		return Volume{}, fmt.Errorf("no device number for %s on %s", p, runtime.GOOS)
	}
	v := Volume{
		ID:         fmt.Sprintf("dev:%d", dev),
		MountPoint: walkUpMountPoint(p, statDev),
	}
	if root, ok := statDev("/"); ok && root == dev {
		v.System = true
	} else if data, ok := statDev(dataVolume); ok && data == dev && (runtime.GOOS == "darwin" || runtime.GOOS == "ios") {
		v.System = true
	}
	if v.System {
		v.MountPoint = "/" // on macOS the walk may stop at a firmlink such as /Users
	}
	return v, nil
}

// Removable returns the mounted removable volumes. This platform offers no
// portable way to tell, so it returns nil.
func Removable() ([]Volume, error) {
	return nil, nil
}

// statDev returns the device of path p (following symbolic links).
func statDev(p string) (uint64, bool) {
	fi, err := os.Stat(p)
	if err != nil {
		return 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Dev), true
}
