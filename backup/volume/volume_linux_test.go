//go:build linux

package volume

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestOfRoot(t *testing.T) {
	v, err := Of("/")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Of(/) = %+v (%s)", v, v.Describe())
	if !v.System || v.MountPoint != "/" || v.ID == "" {
		t.Errorf("Of(/) = %+v, want the system disk mounted at /", v)
	}
	if got := v.Describe(); got != "the system disk (/)" {
		t.Errorf("Describe() = %q", got)
	}
}

func TestDevShmIsAnotherVolume(t *testing.T) {
	tmp := t.TempDir()
	shm, ok1 := statDev("/dev/shm")
	tmpDev, ok2 := statDev(tmp)
	if !ok1 || !ok2 || shm == tmpDev {
		t.Skip("no /dev/shm on its own device here")
	}
	vs, err := Of("/dev/shm")
	if err != nil {
		t.Fatal(err)
	}
	vt, err := Of(tmp)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Of(/dev/shm) = %+v (%s)", vs, vs.Describe())
	if vs.ID == "" || vs.ID == vt.ID || vs.Same(vt) {
		t.Errorf("/dev/shm %+v and the temp dir %+v look like one volume", vs, vt)
	}
	if vs.MountPoint != "/dev/shm" || vs.System || vs.Removable {
		t.Errorf("Of(/dev/shm) = %+v, want a non-system, non-removable mount at /dev/shm", vs)
	}
	if vs.FSType != "tmpfs" {
		t.Logf("note: /dev/shm is %q, not tmpfs", vs.FSType)
	}
	// A symbolic link into /dev/shm reports /dev/shm's volume.
	link := filepath.Join(tmp, "shm")
	if err := os.Symlink("/dev/shm", link); err != nil {
		t.Fatal(err)
	}
	if vl, err := Of(link); err != nil || vl != vs {
		t.Errorf("Of(link to /dev/shm) = %+v, %v; want %+v", vl, err, vs)
	}
}

func TestUdevName(t *testing.T) {
	// Any block device will do as the target of fake udev links.
	var blk string
	var st unix.Stat_t
	for _, c := range []string{"/dev/loop0", "/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/ram0", "/dev/zram0"} {
		if unix.Stat(c, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFBLK {
			blk = c
			break
		}
	}
	if blk == "" {
		t.Skip("no block device in /dev")
	}
	dir := t.TempDir()
	for name, target := range map[string]string{
		`MY\x20STICK`: blk,
		`dangling`:    filepath.Join(dir, "nowhere"),
		`regular`:     "/proc/self/mountinfo",
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if got := udevName(dir, uint64(st.Rdev)); got != "MY STICK" {
		t.Errorf("udevName(%s) = %q, want %q", blk, got, "MY STICK")
	}
	if got := udevName(dir, unix.Mkdev(4095, 4095)); got != "" {
		t.Errorf("udevName(unknown device) = %q, want \"\"", got)
	}
	if got := udevName(filepath.Join(dir, "missing"), uint64(st.Rdev)); got != "" {
		t.Errorf("udevName(missing folder) = %q, want \"\"", got)
	}
}

func TestBlockDevice(t *testing.T) {
	// A real device number is kept; an anonymous one (btrfs, FUSE) is
	// replaced by the mount source only when that is a block device.
	if got := blockDevice(mountEntry{source: "/dev/vda"}, unix.Mkdev(8, 17)); got != unix.Mkdev(8, 17) {
		t.Errorf("blockDevice kept no real device: %d", got)
	}
	anon := unix.Mkdev(0, 40)
	for _, src := range []string{"tmpfs", "/dev/null", "/dev/does-not-exist", ""} {
		if got := blockDevice(mountEntry{source: src}, anon); got != anon {
			t.Errorf("blockDevice(source %q) = %d, want the anonymous device", src, got)
		}
	}
}

func TestStatfsType(t *testing.T) {
	// Where the mount table names a type statfs knows, both agree.
	known := map[string]bool{"ext4": true, "vfat": true, "exfat": true, "btrfs": true, "xfs": true, "tmpfs": true, "overlay": true}
	for _, p := range []string{"/", "/dev/shm", t.TempDir()} {
		v, err := Of(p)
		if err != nil || !known[v.FSType] {
			continue
		}
		if got := statfsType(p); got != v.FSType {
			t.Errorf("statfsType(%s) = %q, mount table says %q", p, got, v.FSType)
		}
	}
	if got := statfsType("/does/not/exist"); got != "" {
		t.Errorf("statfsType(missing) = %q", got)
	}
}
