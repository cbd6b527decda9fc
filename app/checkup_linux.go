package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"casevault/app/checkup"
)

// diskEncryption finds the block device under the vault's folder and
// whether it sits on dm-crypt (LUKS), directly or under LVM. Only a found
// encryption is an answer: anything else (no device found, a container's
// overlay, a partition with no dm-crypt under it, which may still be
// encrypted in a way this does not see) leaves the question to the person.
func diskEncryption(_ context.Context, dir string) checkup.Probe {
	return linuxDiskCrypt("/proc", "/sys", dir, statDevice)
}

func statDevice(path string) (major, minor uint32, ok bool) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, 0, false
	}
	dev := uint64(st.Dev) // uint32 on some platforms
	// Linux's encoding of dev_t (the glibc gnu_dev_major/minor).
	major = uint32((dev>>8)&0xfff) | uint32((dev>>32)&^0xfff)
	minor = uint32(dev&0xff) | uint32((dev>>12)&^0xff)
	return major, minor, true
}

// mount is one line of /proc/self/mountinfo.
type mount struct {
	devno  string // "major:minor"
	point  string
	fstype string
	source string
}

func readMounts(r io.Reader) []mount {
	var out []mount
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		a, b := strings.Fields(pre), strings.Fields(post)
		if len(a) < 5 || len(b) < 2 {
			continue
		}
		out = append(out, mount{devno: a[2], point: unescapeMount(a[4]), fstype: b[0], source: unescapeMount(b[1])})
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// linuxDiskCrypt is diskEncryption with the roots of /proc and /sys and
// the stat of a folder given (tests build a fake tree).
func linuxDiskCrypt(procRoot, sysRoot, dir string, devOf func(string) (uint32, uint32, bool)) checkup.Probe {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return checkup.Probe{}
	}
	maj, mnr, ok := devOf(abs)
	if !ok {
		return checkup.Probe{}
	}
	devno := fmt.Sprintf("%d:%d", maj, mnr)
	f, err := os.Open(filepath.Join(procRoot, "self", "mountinfo"))
	var mounts []mount
	if err == nil {
		mounts = readMounts(f)
		f.Close()
	}
	// The mount of the folder: the one with its device number, else the
	// longest mount point above it.
	var m *mount
	for i := range mounts {
		if mounts[i].devno == devno {
			m = &mounts[i]
		}
	}
	if m == nil {
		for i := range mounts {
			p := mounts[i].point
			if (abs == p || strings.HasPrefix(abs, strings.TrimSuffix(p, "/")+"/")) && (m == nil || len(p) > len(m.point)) {
				m = &mounts[i]
			}
		}
	}
	if m != nil && (m.fstype == "ecryptfs" || m.fstype == "gocryptfs" || m.fstype == "fuse.gocryptfs") {
		return checkup.Probe{Known: true, On: true, How: fmt.Sprintf("The vault's folder is in an encrypted folder (%s)", m.fstype)}
	}
	// The block device: /sys/dev/block/MAJ:MIN, else the mount's source.
	name := ""
	if t, err := os.Readlink(filepath.Join(sysRoot, "dev", "block", devno)); err == nil {
		name = filepath.Base(t)
	} else if m != nil && strings.HasPrefix(m.source, "/dev/") {
		name = blockName(sysRoot, m.source)
	}
	if name == "" {
		return checkup.Probe{}
	}
	if how := cryptUnder(sysRoot, name, 0); how != "" {
		return checkup.Probe{Known: true, On: true, How: "The vault's folder is on an encrypted disk (" + how + ")"}
	}
	return checkup.Probe{How: "No LUKS encryption was found under the vault's disk (" + name + ")"}
}

// blockName turns a device path into its name under /sys/class/block:
// /dev/sda2 is sda2; /dev/mapper/NAME is the dm-N whose dm/name is NAME.
func blockName(sysRoot, source string) string {
	if mapped, ok := strings.CutPrefix(source, "/dev/mapper/"); ok {
		ents, _ := os.ReadDir(filepath.Join(sysRoot, "class", "block"))
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(sysRoot, "class", "block", e.Name(), "dm", "name"))
			if err == nil && strings.TrimSpace(string(b)) == mapped {
				return e.Name()
			}
		}
		return ""
	}
	name := filepath.Base(source)
	if _, err := os.Stat(filepath.Join(sysRoot, "class", "block", name)); err != nil {
		return ""
	}
	return name
}

// cryptUnder reports how the device name or one of the devices it is
// made of (slaves/: LVM on LUKS) is dm-crypt: "LUKS2 on nvme0n1p3"; "" when
// none is.
func cryptUnder(sysRoot, name string, depth int) string {
	if depth > 8 || name == "" || strings.ContainsAny(name, `/\`) {
		return ""
	}
	dev := filepath.Join(sysRoot, "class", "block", name)
	if b, err := os.ReadFile(filepath.Join(dev, "dm", "uuid")); err == nil {
		uuid := strings.TrimSpace(string(b))
		if rest, ok := strings.CutPrefix(uuid, "CRYPT-"); ok {
			kind, _, _ := strings.Cut(rest, "-")
			if kind == "" {
				kind = "dm-crypt"
			}
			under := ""
			if ents, _ := os.ReadDir(filepath.Join(dev, "slaves")); len(ents) > 0 {
				under = " on " + ents[0].Name()
			}
			return kind + under
		}
	}
	ents, _ := os.ReadDir(filepath.Join(dev, "slaves"))
	for _, e := range ents {
		if how := cryptUnder(sysRoot, e.Name(), depth+1); how != "" {
			return how
		}
	}
	return ""
}

// screenLock asks GNOME (gsettings) whether the screen locks, when the
// session is GNOME's; other desktops: the person answers.
func screenLock(ctx context.Context) checkup.Probe {
	desk := strings.ToUpper(os.Getenv("XDG_CURRENT_DESKTOP"))
	if !strings.Contains(desk, "GNOME") && !strings.Contains(desk, "UNITY") {
		return checkup.Probe{}
	}
	return gnomeScreenLock(func(args ...string) (string, error) {
		out, err := exec.CommandContext(ctx, "gsettings", args...).Output()
		return strings.TrimSpace(string(out)), err
	})
}

// gnomeScreenLock reads lock-enabled and the idle delay through get
// (gsettings get SCHEMA KEY).
func gnomeScreenLock(get func(args ...string) (string, error)) checkup.Probe {
	lock, err := get("get", "org.gnome.desktop.screensaver", "lock-enabled")
	if err != nil || (lock != "true" && lock != "false") {
		return checkup.Probe{}
	}
	if lock == "false" {
		return checkup.Probe{Known: true, How: "The screen lock is off (GNOME: Settings → Privacy → Screen Lock)"}
	}
	idle, err := get("get", "org.gnome.desktop.session", "idle-delay")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(idle, "uint32"))); err == nil && n == 0 {
			return checkup.Probe{Known: true, How: "The screen never blanks, so it never locks by itself (GNOME: Settings → Power → Screen Blank is Never)"}
		}
	}
	return checkup.Probe{Known: true, On: true, How: "The screen locks when it blanks (GNOME)"}
}
