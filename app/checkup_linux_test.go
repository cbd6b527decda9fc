package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSys builds a /proc and /sys tree: mountinfo lines and block devices
// (name -> dm uuid, dm name, slaves).
type fakeDev struct {
	uuid, dmName string
	slaves       []string
}

func fakeSys(t *testing.T, mountinfo string, devs map[string]fakeDev, links map[string]string) (proc, sys string) {
	t.Helper()
	root := t.TempDir()
	proc, sys = filepath.Join(root, "proc"), filepath.Join(root, "sys")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(proc, "self"), 0o755))
	must(os.WriteFile(filepath.Join(proc, "self", "mountinfo"), []byte(mountinfo), 0o644))
	for name, d := range devs {
		dir := filepath.Join(sys, "class", "block", name)
		must(os.MkdirAll(filepath.Join(dir, "slaves"), 0o755))
		if d.uuid != "" || d.dmName != "" {
			must(os.MkdirAll(filepath.Join(dir, "dm"), 0o755))
			must(os.WriteFile(filepath.Join(dir, "dm", "uuid"), []byte(d.uuid+"\n"), 0o644))
			must(os.WriteFile(filepath.Join(dir, "dm", "name"), []byte(d.dmName+"\n"), 0o644))
		}
		for _, s := range d.slaves {
			must(os.MkdirAll(filepath.Join(dir, "slaves", s), 0o755))
		}
	}
	must(os.MkdirAll(filepath.Join(sys, "dev", "block"), 0o755))
	for devno, name := range links {
		must(os.Symlink(filepath.Join("..", "..", "class", "block", name), filepath.Join(sys, "dev", "block", devno)))
	}
	return proc, sys
}

func dev(maj, mnr uint32) func(string) (uint32, uint32, bool) {
	return func(string) (uint32, uint32, bool) { return maj, mnr, true }
}

func TestLinuxDiskCrypt(t *testing.T) {
	const home = "/home/ann/.local/share/casevault"
	disks := map[string]fakeDev{
		"nvme0n1":   {},
		"nvme0n1p3": {},
		"sda":       {},
		"sda1":      {},
		"dm-0":      {uuid: "CRYPT-LUKS2-0123456789abcdef-luks-0123", dmName: "luks-0123", slaves: []string{"nvme0n1p3"}},
		"dm-1":      {uuid: "LVM-abcdefABCDEF", dmName: "vgubuntu-root", slaves: []string{"dm-0"}},
		"dm-2":      {uuid: "LVM-plainplain", dmName: "vgdata-home", slaves: []string{"sda1"}},
	}
	cases := []struct {
		name      string
		mountinfo string
		links     map[string]string
		devno     [2]uint32
		known, on bool
		words     string
	}{
		{"LVM on LUKS, found by device number", "29 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/vgubuntu-root rw\n",
			map[string]string{"253:1": "dm-1"}, [2]uint32{253, 1}, true, true, "LUKS2 on nvme0n1p3"},
		{"LUKS directly", "29 1 253:0 / / rw - ext4 /dev/mapper/luks-0123 rw\n",
			map[string]string{"253:0": "dm-0"}, [2]uint32{253, 0}, true, true, "LUKS2"},
		{"btrfs: anonymous device, the mount's source", "29 1 0:31 / / rw - btrfs /dev/mapper/vgubuntu-root rw\n40 29 0:31 /@home /home rw - btrfs /dev/mapper/vgubuntu-root rw\n",
			nil, [2]uint32{0, 31}, true, true, "LUKS2"},
		{"plain LVM on a partition", "29 1 253:2 / / rw - ext4 /dev/mapper/vgdata-home rw\n",
			map[string]string{"253:2": "dm-2"}, [2]uint32{253, 2}, false, false, "No LUKS encryption was found under the vault's disk (dm-2)"},
		{"a partition", "29 1 8:1 / / rw - ext4 /dev/sda1 rw\n", nil, [2]uint32{8, 1}, false, false, "(sda1)"},
		{"longest mount point above the folder", "29 1 8:1 / / rw - ext4 /dev/sda1 rw\n30 29 0:50 / /home/ann rw - ecryptfs /home/.ecryptfs/ann rw\n",
			nil, [2]uint32{9, 9}, true, true, "encrypted folder (ecryptfs)"},
		{"a container's overlay", "500 400 0:77 / / rw - overlay overlay rw\n", nil, [2]uint32{0, 77}, false, false, ""},
		{"no mountinfo line", "", nil, [2]uint32{0, 5}, false, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			proc, sys := fakeSys(t, c.mountinfo, disks, c.links)
			p := linuxDiskCrypt(proc, sys, home, dev(c.devno[0], c.devno[1]))
			if p.Known != c.known || p.On != c.on || !strings.Contains(p.How, c.words) || (c.words == "" && p.How != "") {
				t.Errorf("%+v; want known %v on %v %q", p, c.known, c.on, c.words)
			}
		})
	}
	// A stat that fails: nothing known.
	proc, sys := fakeSys(t, "", disks, nil)
	if p := linuxDiskCrypt(proc, sys, home, func(string) (uint32, uint32, bool) { return 0, 0, false }); p.Known || p.How != "" {
		t.Errorf("no stat: %+v", p)
	}
	// A loop of slaves ends.
	loop := map[string]fakeDev{"dm-5": {uuid: "LVM-x", slaves: []string{"dm-6"}}, "dm-6": {uuid: "LVM-y", slaves: []string{"dm-5"}}}
	proc, sys = fakeSys(t, "1 1 253:5 / / rw - ext4 /dev/dm-5 rw\n", loop, map[string]string{"253:5": "dm-5"})
	if p := linuxDiskCrypt(proc, sys, home, dev(253, 5)); p.Known {
		t.Errorf("loop: %+v", p)
	}
}

func TestMountinfoEscapes(t *testing.T) {
	ms := readMounts(strings.NewReader("36 35 98:0 / /media/ann/MY\\040DRIVE rw - vfat /dev/sdb1 rw\nbad line\n"))
	if len(ms) != 1 || ms[0].point != "/media/ann/MY DRIVE" || ms[0].devno != "98:0" || ms[0].source != "/dev/sdb1" {
		t.Errorf("%+v", ms)
	}
	if got := unescapeMount(`a\04`); got != `a\04` {
		t.Errorf("short escape: %q", got)
	}
}

// TestStatDevice: the real stat of a folder gives the device number the
// kernel lists in mountinfo.
func TestStatDevice(t *testing.T) {
	maj, mnr, ok := statDevice(t.TempDir())
	if !ok || (maj == 0 && mnr == 0) {
		t.Errorf("%d:%d %v", maj, mnr, ok)
	}
	if _, _, ok := statDevice(filepath.Join(t.TempDir(), "gone")); ok {
		t.Error("stat of nothing")
	}
}

func TestGnomeScreenLock(t *testing.T) {
	get := func(lock, idle string, fail bool) func(args ...string) (string, error) {
		return func(args ...string) (string, error) {
			if fail {
				return "", errors.New("no gsettings")
			}
			if args[2] == "lock-enabled" {
				return lock, nil
			}
			return idle, nil
		}
	}
	for _, c := range []struct {
		lock, idle string
		fail       bool
		known, on  bool
		words      string
	}{
		{"true", "uint32 300", false, true, true, "locks when it blanks"},
		{"false", "uint32 300", false, true, false, "lock is off"},
		{"true", "uint32 0", false, true, false, "never blanks"},
		{"", "", true, false, false, ""},
		{"No such schema", "", false, false, false, ""},
	} {
		p := gnomeScreenLock(get(c.lock, c.idle, c.fail))
		if p.Known != c.known || p.On != c.on || !strings.Contains(p.How, c.words) {
			t.Errorf("%+v: %+v", c, p)
		}
	}
	t.Setenv("XDG_CURRENT_DESKTOP", "KDE")
	if p := screenLock(ctx); p.Known {
		t.Errorf("KDE: %+v", p)
	}
}
