//go:build linux

package volume

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Where Linux tells about mounts and devices.
const (
	mountInfoFile = "/proc/self/mountinfo"
	byUUIDDir     = "/dev/disk/by-uuid"
	byLabelDir    = "/dev/disk/by-label"
	sysDevBlock   = "/sys/dev/block"
)

// mountAreas returns the folders under which drives are usually mounted.
func mountAreas() []string { return []string{"/media", "/run/media", "/mnt"} }

// of returns the volume of the clean absolute path p, which has no symbolic
// links.
func of(p string) (Volume, error) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return Volume{}, &fs.PathError{Op: "stat", Path: p, Err: err}
	}
	dev := uint64(st.Dev)
	// Without a mount table (no /proc), fall back to walking up the folders.
	entries, _ := readMountInfo()
	e, ok := findMount(entries, p, unix.Major(dev), unix.Minor(dev))
	if !ok {
		e = mountEntry{
			major:      unix.Major(dev),
			minor:      unix.Minor(dev),
			root:       "/",
			mountPoint: walkUpMountPoint(p, statDev),
		}
	}
	v := volumeOf(e, dev)
	v.System = onSystem(entries, dev, v.ID)
	if v.FSType == "" {
		v.FSType = statfsType(p)
	}
	return v, nil
}

// Removable returns the mounted volumes whose block device is removable (USB
// sticks and disks, SD cards), sorted by mount point. A volume mounted in
// several places is listed once. It reads /proc/self/mountinfo and /sys; on
// other platforms than Linux and Windows it returns nil.
func Removable() ([]Volume, error) {
	entries, err := readMountInfo()
	if err != nil {
		return nil, err
	}
	var vols []Volume
	index := map[string]int{}     // ID -> position in vols
	rootOf := map[string]string{} // ID -> mountinfo root of the chosen entry
	for i, e := range entries {
		if hidden(entries, i) {
			continue
		}
		dev := unix.Mkdev(e.major, e.minor)
		blk := blockDevice(e, dev)
		if unix.Major(blk) == 0 || !sysfsRemovable(blk) {
			continue
		}
		v := volumeOf(e, dev)
		v.System = onSystem(entries, dev, v.ID)
		j, seen := index[v.ID]
		if !seen {
			index[v.ID] = len(vols)
			rootOf[v.ID] = e.root
			vols = append(vols, v)
			continue
		}
		// Prefer the mount of the whole file system, then the shorter path.
		old := vols[j]
		if (e.root == "/") != (rootOf[v.ID] == "/") {
			if e.root == "/" {
				vols[j], rootOf[v.ID] = v, e.root
			}
		} else if len(v.MountPoint) < len(old.MountPoint) {
			vols[j], rootOf[v.ID] = v, e.root
		}
	}
	sort.Slice(vols, func(a, b int) bool { return vols[a].MountPoint < vols[b].MountPoint })
	return vols, nil
}

// hidden reports whether a later mount in entries sits on the same folder as
// entries[i], hiding it.
func hidden(entries []mountEntry, i int) bool {
	for _, e := range entries[i+1:] {
		if e.mountPoint == entries[i].mountPoint {
			return true
		}
	}
	return false
}

// onSystem reports whether a path on device dev whose volume has the given
// ID is on the file system of "/": on the same device or, for file systems
// such as btrfs that give each subvolume (say /home) its own device number,
// with the same UUID.
func onSystem(entries []mountEntry, dev uint64, id string) bool {
	root, ok := statDev("/")
	if !ok {
		return false
	}
	if root == dev {
		return true
	}
	if !strings.HasPrefix(id, "uuid:") {
		return false
	}
	e, ok := findMount(entries, "/", unix.Major(root), unix.Minor(root))
	return ok && volumeOf(e, root).ID == id
}

// volumeOf builds the Volume for a path on device dev mounted as e, all but
// the System flag.
func volumeOf(e mountEntry, dev uint64) Volume {
	v := Volume{
		ID:         fmt.Sprintf("dev:%d:%d", unix.Major(dev), unix.Minor(dev)),
		MountPoint: e.mountPoint,
		FSType:     e.fsType,
	}
	blk := blockDevice(e, dev)
	if unix.Major(blk) == 0 {
		return v // tmpfs, overlay, proc and the like: no block device
	}
	if uuid := udevName(byUUIDDir, blk); uuid != "" {
		v.ID = "uuid:" + uuid
	}
	v.Label = udevName(byLabelDir, blk)
	v.Removable = sysfsRemovable(blk)
	return v
}

// blockDevice returns the block device behind a mount on device dev. File
// systems such as btrfs and FUSE (ntfs-3g, exfat-fuse) give their files an
// anonymous device (major 0); then the mount source, if it is a block
// device, is the one to ask udev and sysfs about.
func blockDevice(e mountEntry, dev uint64) uint64 {
	if unix.Major(dev) != 0 || !strings.HasPrefix(e.source, "/dev/") {
		return dev
	}
	var st unix.Stat_t
	if err := unix.Stat(e.source, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return dev
	}
	return uint64(st.Rdev)
}

// udevName returns the unescaped name of the symbolic link in dir (such as
// /dev/disk/by-uuid) that points to block device blk, or "" if there is none
// or dir does not exist (as in most containers).
func udevName(dir string, blk uint64) string {
	links, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, l := range links {
		var st unix.Stat_t
		if unix.Stat(filepath.Join(dir, l.Name()), &st) != nil {
			continue
		}
		if st.Mode&unix.S_IFMT == unix.S_IFBLK && uint64(st.Rdev) == blk {
			return unescapeUdev(l.Name())
		}
	}
	return ""
}

// sysfsRemovable reports whether block device blk is removable according to
// /sys/dev/block/<major>:<minor>.
func sysfsRemovable(blk uint64) bool {
	dir, err := filepath.EvalSymlinks(fmt.Sprintf("%s/%d:%d", sysDevBlock, unix.Major(blk), unix.Minor(blk)))
	if err != nil {
		return false
	}
	return removableAt(dir)
}

// readMountInfo reads and parses /proc/self/mountinfo.
func readMountInfo() ([]mountEntry, error) {
	f, err := os.Open(mountInfoFile)
	if err != nil {
		return nil, fmt.Errorf("volume: %w", err)
	}
	defer f.Close()
	return parseMountInfo(f)
}

// statDev returns the device of path p (following symbolic links).
func statDev(p string) (uint64, bool) {
	var st unix.Stat_t
	if unix.Stat(p, &st) != nil {
		return 0, false
	}
	return uint64(st.Dev), true
}

// statfsType names the file-system type of p from statfs(2), for when the
// mount table is unavailable; "" if unknown.
func statfsType(p string) string {
	var sf unix.Statfs_t
	if unix.Statfs(p, &sf) != nil {
		return ""
	}
	switch uint32(sf.Type) {
	case unix.EXT4_SUPER_MAGIC:
		return "ext4" // also ext2 and ext3, which share the magic number
	case unix.MSDOS_SUPER_MAGIC:
		return "vfat"
	case unix.EXFAT_SUPER_MAGIC:
		return "exfat"
	case 0x5346544e: // NTFS_SB_MAGIC
		return "ntfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.F2FS_SUPER_MAGIC:
		return "f2fs"
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.RAMFS_MAGIC:
		return "ramfs"
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlay"
	case unix.FUSE_SUPER_MAGIC:
		return "fuse"
	case unix.NFS_SUPER_MAGIC:
		return "nfs"
	case unix.ISOFS_SUPER_MAGIC:
		return "iso9660"
	case unix.UDF_SUPER_MAGIC:
		return "udf"
	case unix.SQUASHFS_MAGIC:
		return "squashfs"
	}
	return ""
}
