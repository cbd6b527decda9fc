// Package volume identifies the storage volume (file system) a folder lives
// on.
//
// A backup repository records the [Volume.ID] of its target folder when it is
// set up, and every later backup checks with [Of] and [Volume.Same] that the
// folder is still on that volume. An unplugged USB stick leaves its mount
// folder behind on the system disk; writing the backup there would fill the
// system disk and give a false sense of safety. [LooksLikeMissingDrive] spots
// that case even without a recorded identity, and [Removable] lists the
// plugged-in removable drives for choosing a target.
package volume

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Volume describes the file system a path lives on.
type Volume struct {
	ID         string // stable identity: "uuid:<fs uuid>" when the platform tells, else "dev:<major>:<minor>" (Linux) / "dev:<n>"
	MountPoint string // the mount point containing the path ("/" for the system disk)
	FSType     string // e.g. "vfat", "exfat", "ext4", "tmpfs" ("" when unknown)
	Label      string // file-system label when known (e.g. "KINGSTON"), else ""
	Removable  bool   // the underlying block device says it is removable (USB stick, SD card)
	System     bool   // the path is on the same file system as "/" (the system disk)
}

// Of returns the volume that path lives on. The path must exist; symbolic
// links are followed, so a link to a USB stick reports the stick. Missing
// details (no UUID or label known, as inside containers or on tmpfs) are left
// empty rather than reported as errors; the error wraps the underlying
// *fs.PathError when path cannot be resolved, so errors.Is(err,
// fs.ErrNotExist) works.
func Of(path string) (Volume, error) {
	resolved, err := resolve(path)
	if err != nil {
		return Volume{}, err
	}
	v, err := of(resolved)
	if err != nil {
		return Volume{}, fmt.Errorf("volume of %q: %w", path, err)
	}
	return v, nil
}

// resolve turns path into a clean absolute path without symbolic links.
func resolve(path string) (string, error) {
	if path == "" {
		return "", errors.New("volume: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("volume of %q: %w", path, err)
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("volume of %q: %w", path, err)
	}
	return resolved, nil
}

// Same reports whether v and o are the same volume: both have the same,
// non-empty ID.
func (v Volume) Same(o Volume) bool {
	return v.ID != "" && v.ID == o.ID
}

// Describe returns a short human description of the volume for messages,
// such as `USB drive "KINGSTON" (/media/anna/KINGSTON)`, `the system disk (/)`
// or `drive at /mnt/x`.
func (v Volume) Describe() string {
	switch {
	case v.System:
		if v.MountPoint == "" {
			return "the system disk"
		}
		return "the system disk (" + v.MountPoint + ")"
	case v.Removable:
		s := "USB drive"
		if v.Label != "" {
			s += " " + strconv.Quote(v.Label)
		}
		if v.MountPoint != "" {
			s += " (" + v.MountPoint + ")"
		}
		return s
	default:
		s := "drive"
		if v.Label != "" {
			s += " " + strconv.Quote(v.Label)
		}
		if v.MountPoint != "" {
			s += " at " + v.MountPoint
		} else if v.Label == "" && v.ID != "" {
			s += " " + v.ID
		}
		return s
	}
}

// LooksLikeMissingDrive reports whether path sits in a usual mount area for
// drives (/media, /run/media, /mnt on Linux; /Volumes on macOS) while being on
// the system disk: the sign of an unplugged USB stick's left-over mount folder.
//
// More precisely, it reports true when path lies strictly inside a mount area
// and the file system holding it is the system disk or is mounted at or above
// that area (for example /run on tmpfs for a left-over
// /run/media/anna/KINGSTON). A path that does not exist is judged by its
// nearest existing parent, so a vanished mount folder counts as well. On
// Windows there are no mount areas and the result is always false.
func LooksLikeMissingDrive(path string) (bool, error) {
	if path == "" {
		return false, errors.New("volume: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false, fmt.Errorf("volume: %w", err)
	}
	existing, rest := abs, ""
	for {
		_, err := os.Stat(existing)
		if err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if !errors.Is(err, fs.ErrNotExist) || parent == existing {
			return false, fmt.Errorf("volume of %q: %w", path, err)
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
	resolved, err := resolve(existing)
	if err != nil {
		return false, err
	}
	v, err := of(resolved)
	if err != nil {
		return false, fmt.Errorf("volume of %q: %w", path, err)
	}
	return missingDrive(filepath.Join(resolved, rest), v.MountPoint, v.System, mountAreas()), nil
}

// missingDrive is the decision behind LooksLikeMissingDrive for a clean
// absolute path whose file system is mounted at mountPoint ("" when unknown)
// and is (onSystem) or is not the system disk.
func missingDrive(path, mountPoint string, onSystem bool, areas []string) bool {
	for _, area := range areas {
		if !strictlyInside(path, area) {
			continue
		}
		if onSystem || (mountPoint != "" && !strictlyInside(mountPoint, area)) {
			return true
		}
	}
	return false
}

// inside reports whether the clean absolute path p is dir or lies below it.
func inside(p, dir string) bool {
	if p == dir {
		return true
	}
	if strings.HasSuffix(dir, string(filepath.Separator)) || strings.HasSuffix(dir, "/") {
		return strings.HasPrefix(p, dir)
	}
	return strings.HasPrefix(p, dir+"/") || strings.HasPrefix(p, dir+string(filepath.Separator))
}

// strictlyInside reports whether the clean absolute path p lies below dir.
func strictlyInside(p, dir string) bool {
	return p != dir && inside(p, dir)
}

// walkUpMountPoint returns the topmost folder on the way from the clean
// absolute path p to the root that is on the same device as p: the mount
// point, unless bind mounts or firmlinks blur it. devOf returns a path's
// device; the walk stops where it fails. It returns "" if p itself fails.
func walkUpMountPoint(p string, devOf func(string) (uint64, bool)) string {
	dev, ok := devOf(p)
	if !ok {
		return ""
	}
	for {
		parent := filepath.Dir(p)
		if parent == p {
			return p
		}
		d, ok := devOf(parent)
		if !ok || d != dev {
			return p
		}
		p = parent
	}
}

// mountEntry is one line of /proc/self/mountinfo (see proc(5)).
type mountEntry struct {
	major, minor uint32 // st_dev of files on this mount
	root         string // the folder of the file system mounted here ("/" unless a bind mount)
	mountPoint   string // absolute, unescaped
	fsType       string // e.g. "ext4", "vfat", "fuseblk"
	source       string // e.g. "/dev/sdb1", "tmpfs"
}

// parseMountInfo parses the format of /proc/self/mountinfo:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//
// Octal escapes (\040 for a space) in paths are decoded. Malformed lines and
// lines without an absolute mount point are skipped; only a read error is
// returned.
func parseMountInfo(r io.Reader) ([]mountEntry, error) {
	var entries []mountEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if e, ok := parseMountLine(sc.Text()); ok {
			entries = append(entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		return entries, fmt.Errorf("volume: reading mount table: %w", err)
	}
	return entries, nil
}

// parseMountLine parses one mountinfo line; ok is false if it is malformed.
func parseMountLine(line string) (mountEntry, bool) {
	f := strings.Fields(line)
	sep := -1
	for i := 6; i < len(f); i++ {
		if f[i] == "-" {
			sep = i
			break
		}
	}
	if sep < 0 || sep+1 >= len(f) {
		return mountEntry{}, false
	}
	maj, min, ok := strings.Cut(f[2], ":")
	if !ok {
		return mountEntry{}, false
	}
	major, err1 := strconv.ParseUint(maj, 10, 32)
	minor, err2 := strconv.ParseUint(min, 10, 32)
	if err1 != nil || err2 != nil {
		return mountEntry{}, false
	}
	e := mountEntry{
		major:      uint32(major),
		minor:      uint32(minor),
		root:       unescapeOctal(f[3]),
		mountPoint: unescapeOctal(f[4]),
		fsType:     unescapeOctal(f[sep+1]),
	}
	if sep+2 < len(f) {
		e.source = unescapeOctal(f[sep+2])
	}
	if !strings.HasPrefix(e.mountPoint, "/") {
		return mountEntry{}, false
	}
	return e, true
}

// unescapeOctal decodes the \ooo escapes the kernel uses in mount tables for
// space, tab, newline and backslash. Anything else is kept as it is.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) && s[i+1] <= '3' {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }

// findMount returns the entry for the clean absolute path p on device
// major:minor: the longest mount point containing p with that device. Of
// mounts stacked on the same folder, the last (the visible one) wins.
func findMount(entries []mountEntry, p string, major, minor uint32) (mountEntry, bool) {
	best, found := mountEntry{}, false
	for _, e := range entries {
		if e.major != major || e.minor != minor || !inside(p, e.mountPoint) {
			continue
		}
		if !found || len(e.mountPoint) >= len(best.mountPoint) {
			best, found = e, true
		}
	}
	return best, found
}

// unescapeUdev decodes the \xHH escapes udev uses in /dev/disk/by-label and
// /dev/disk/by-uuid names ("MY\x20STICK" is "MY STICK"). Anything else is
// kept as it is.
func unescapeUdev(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// removableAt reports whether the block device whose sysfs folder (with
// symbolic links resolved, e.g. /sys/devices/.../block/sdb/sdb1) is dir is
// removable: it hangs off USB, its disk has removable == 1, it is an SD card,
// or it is a device-mapper or RAID device (e.g. an encrypted stick) built on
// such a device.
func removableAt(dir string) bool {
	return removableDepth(dir, 0)
}

func removableDepth(dir string, depth int) bool {
	if strings.Contains(dir, "/usb") {
		return true
	}
	disk := dir
	if _, err := os.Stat(filepath.Join(dir, "partition")); err == nil {
		disk = filepath.Dir(dir)
	}
	if readTrimmed(filepath.Join(disk, "removable")) == "1" {
		return true
	}
	if readTrimmed(filepath.Join(disk, "device", "type")) == "SD" {
		return true
	}
	if depth >= 4 {
		return false
	}
	slaves, _ := os.ReadDir(filepath.Join(disk, "slaves"))
	for _, s := range slaves {
		under, err := filepath.EvalSymlinks(filepath.Join(disk, "slaves", s.Name()))
		if err == nil && removableDepth(under, depth+1) {
			return true
		}
	}
	return false
}

// readTrimmed returns the content of a small file without surrounding
// white space, or "" if it cannot be read.
func readTrimmed(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
