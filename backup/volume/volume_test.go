package volume

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestOfTempDir(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	va, err := Of(a)
	if err != nil {
		t.Fatalf("Of(%s): %v", a, err)
	}
	vb, err := Of(b)
	if err != nil {
		t.Fatalf("Of(%s): %v", b, err)
	}
	t.Logf("Of(t.TempDir()) = %+v (%s)", va, va.Describe())
	if va.ID == "" {
		t.Fatalf("empty ID: %+v", va)
	}
	if va.ID != vb.ID || !va.Same(vb) || !vb.Same(va) {
		t.Errorf("folders in one temp dir on different volumes: %+v vs %+v", va, vb)
	}
	if va.MountPoint == "" {
		t.Errorf("no mount point: %+v", va)
	}
	resolved, err := filepath.EvalSymlinks(a)
	if err != nil {
		t.Fatal(err)
	}
	if !inside(resolved, va.MountPoint) {
		t.Errorf("mount point %q does not contain %q", va.MountPoint, resolved)
	}
	// A file is on the volume of its folder.
	file := filepath.Join(a, "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if vf, err := Of(file); err != nil || !vf.Same(va) {
		t.Errorf("Of(file) = %+v, %v; want the volume of its folder %+v", vf, err, va)
	}
	// A relative path works too.
	t.Chdir(a)
	if vr, err := Of("."); err != nil || !vr.Same(va) {
		t.Errorf("Of(\".\") = %+v, %v; want %+v", vr, err, va)
	}
}

func TestOfFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	vt, err := Of(target)
	if err != nil {
		t.Fatal(err)
	}
	vl, err := Of(link)
	if err != nil {
		t.Fatal(err)
	}
	if vl != vt {
		t.Errorf("Of(link) = %+v, want %+v", vl, vt)
	}
	// A dangling link is an error like a missing path.
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	if _, err := Of(dangling); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Of(dangling link) error = %v, want fs.ErrNotExist", err)
	}
}

func TestOfMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "folder")
	v, err := Of(missing)
	if err == nil {
		t.Fatalf("Of(%s) = %+v, want an error", missing, v)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), missing) {
		t.Errorf("error %q does not name the path", err)
	}
	if v != (Volume{}) {
		t.Errorf("Of returned %+v along with the error", v)
	}
	if _, err := Of(""); err == nil {
		t.Error("Of(\"\") did not fail")
	}
}

func TestSame(t *testing.T) {
	for _, tc := range []struct {
		a, b Volume
		want bool
	}{
		{Volume{ID: "uuid:1234-ABCD"}, Volume{ID: "uuid:1234-ABCD", MountPoint: "/elsewhere"}, true},
		{Volume{ID: "dev:8:17"}, Volume{ID: "dev:8:18"}, false},
		{Volume{ID: "uuid:1234-ABCD"}, Volume{ID: ""}, false},
		{Volume{}, Volume{}, false},
		{Volume{MountPoint: "/"}, Volume{MountPoint: "/"}, false},
	} {
		if got := tc.a.Same(tc.b); got != tc.want {
			t.Errorf("%+v.Same(%+v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		v    Volume
		want string
	}{
		{Volume{ID: "uuid:1234-ABCD", MountPoint: "/media/anna/KINGSTON", FSType: "vfat", Label: "KINGSTON", Removable: true},
			`USB drive "KINGSTON" (/media/anna/KINGSTON)`},
		{Volume{ID: "dev:8:17", MountPoint: "/media/anna/disk", Removable: true}, `USB drive (/media/anna/disk)`},
		{Volume{ID: "dev:8:17", Label: `say "hi"`, Removable: true}, `USB drive "say \"hi\""`},
		{Volume{ID: "dev:254:0", MountPoint: "/", FSType: "ext4", System: true}, `the system disk (/)`},
		{Volume{ID: "dev:254:0", System: true}, `the system disk`},
		// A live system booted from a stick: the system disk matters most.
		{Volume{ID: "dev:8:1", MountPoint: "/", Removable: true, System: true}, `the system disk (/)`},
		{Volume{ID: "dev:8:33", MountPoint: "/mnt/x", FSType: "ext4"}, `drive at /mnt/x`},
		{Volume{ID: "dev:8:33", MountPoint: "/mnt/x", Label: "DATA"}, `drive "DATA" at /mnt/x`},
		{Volume{ID: "dev:0:26", MountPoint: "/dev/shm", FSType: "tmpfs"}, `drive at /dev/shm`},
		{Volume{ID: "dev:42"}, `drive dev:42`},
		{Volume{}, `drive`},
	} {
		if got := tc.v.Describe(); got != tc.want {
			t.Errorf("%+v.Describe() = %q, want %q", tc.v, got, tc.want)
		}
	}
}

const mountInfoFixture = `21 26 0:20 / /proc rw,relatime - proc proc rw
23 26 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334448k,mode=755
24 23 0:22 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k
26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
29 24 0:26 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k
60 26 8:17 / /media/anna/MY\040STICK rw,nosuid,nodev shared:300 master:7 - vfat /dev/sdb1 rw,fmask=0022
61 26 8:33 / /media/anna/MY\040STICKER rw - exfat /dev/sdc1 rw
62 26 254:0 /srv/data /mnt/bind rw - ext4 /dev/vda rw
63 26 0:40 / /mnt/back\134slash\011tab rw - fuseblk /dev/sdd1 rw,user_id=0

garbage line
70 26 8:1 / /mnt/nosep rw ext4 /dev/sda1 rw
71 26 8x1 / /mnt/badmajor rw - ext4 /dev/sda1 rw
72 26 8:1 / relative rw - ext4 /dev/sda1 rw
73 26 8:1 / /mnt/nofstype rw -
74 26 8:49 / /mnt/nosource rw - ext4
`

func TestParseMountInfo(t *testing.T) {
	entries, err := parseMountInfo(strings.NewReader(mountInfoFixture))
	if err != nil {
		t.Fatal(err)
	}
	want := []mountEntry{
		{0, 20, "/", "/proc", "proc", "proc"},
		{0, 6, "/", "/dev", "devtmpfs", "devtmpfs"},
		{0, 22, "/", "/dev/shm", "tmpfs", "tmpfs"},
		{254, 0, "/", "/", "ext4", "/dev/vda"},
		{0, 26, "/", "/dev/shm", "tmpfs", "tmpfs"},
		{8, 17, "/", "/media/anna/MY STICK", "vfat", "/dev/sdb1"},
		{8, 33, "/", "/media/anna/MY STICKER", "exfat", "/dev/sdc1"},
		{254, 0, "/srv/data", "/mnt/bind", "ext4", "/dev/vda"},
		{0, 40, "/", "/mnt/back\\slash\ttab", "fuseblk", "/dev/sdd1"},
		{8, 49, "/", "/mnt/nosource", "ext4", ""},
	}
	if !reflect.DeepEqual(entries, want) {
		t.Errorf("parseMountInfo:\n got %+v\nwant %+v", entries, want)
	}

	// A line longer than the scanner allows is a read error, not a panic.
	long := "1 2 3:4 / /" + strings.Repeat("x", 2<<20) + " rw - ext4 /dev/x rw\n"
	if _, err := parseMountInfo(strings.NewReader(long)); err == nil {
		t.Error("no error for an over-long line")
	}
}

func TestFindMount(t *testing.T) {
	entries, err := parseMountInfo(strings.NewReader(mountInfoFixture))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path         string
		major, minor uint32
		want         string // "" for not found
	}{
		{"/home/anna", 254, 0, "/"},
		{"/", 254, 0, "/"},
		{"/media/anna/MY STICK", 8, 17, "/media/anna/MY STICK"},
		{"/media/anna/MY STICK/backups/2024", 8, 17, "/media/anna/MY STICK"},
		{"/media/anna/MY STICKER/x", 8, 33, "/media/anna/MY STICKER"},
		// "/media/anna/MY STICK" is a string prefix but not a folder prefix.
		{"/media/anna/MY STICKER/x", 8, 17, ""},
		// An unplugged stick's left-over folder is on the system disk.
		{"/media/anna/MY STICK", 254, 0, "/"},
		// Of two mounts stacked on /dev/shm, the device picks the right one.
		{"/dev/shm/x", 0, 26, "/dev/shm"},
		{"/dev/shm", 0, 22, "/dev/shm"},
		{"/dev/null", 0, 6, "/dev"},
		// A bind mount of the system disk is the longest matching prefix.
		{"/mnt/bind/x", 254, 0, "/mnt/bind"},
		{"/mnt/back\\slash\ttab/y", 0, 40, "/mnt/back\\slash\ttab"},
		{"/nowhere", 9, 9, ""},
	} {
		e, ok := findMount(entries, tc.path, tc.major, tc.minor)
		if got := map[bool]string{true: e.mountPoint}[ok]; got != tc.want || ok != (tc.want != "") {
			t.Errorf("findMount(%q, %d:%d) = %q, %v; want %q", tc.path, tc.major, tc.minor, e.mountPoint, ok, tc.want)
		}
	}
	// Stacked mounts on the same device: the later, visible one wins.
	stacked := []mountEntry{
		{major: 0, minor: 5, root: "/", mountPoint: "/x", source: "first"},
		{major: 0, minor: 5, root: "/", mountPoint: "/x", source: "second"},
	}
	if e, ok := findMount(stacked, "/x/y", 0, 5); !ok || e.source != "second" {
		t.Errorf("stacked mounts: got %+v, %v; want the second", e, ok)
	}
}

func TestUnescapeOctal(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:             `plain`,
		`/media/MY\040DISK`: `/media/MY DISK`,
		`a\134b`:            `a\b`,
		`tab\011nl\012`:     "tab\tnl\n",
		`\040\040`:          `  `,
		`\400`:              `\400`, // over 0377: not an escape
		`\08`:               `\08`,
		`end\04`:            `end\04`,
		`\`:                 `\`,
		``:                  ``,
	} {
		if got := unescapeOctal(in); got != want {
			t.Errorf("unescapeOctal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnescapeUdev(t *testing.T) {
	for in, want := range map[string]string{
		`KINGSTON`:        `KINGSTON`,
		`MY\x20STICK`:     `MY STICK`,
		`A\x2fB`:          `A/B`,
		`\x20\x20x`:       `  x`,
		`caf\xc3\xa9`:     "café",
		`bad\xZZ`:         `bad\xZZ`,
		`short\x2`:        `short\x2`,
		`back\\x20slash`:  `back\ slash`,
		`1234-ABCD`:       `1234-ABCD`,
		`trailing\`:       `trailing\`,
		`trailing\x`:      `trailing\x`,
		`upper\X20`:       `upper\X20`,
		`E4F2-1A0B\x0a`:   "E4F2-1A0B\n",
		`two\x41\x42end`:  `twoABend`,
		`mixed\x4g\x41ok`: `mixed\x4gAok`,
	} {
		if got := unescapeUdev(in); got != want {
			t.Errorf("unescapeUdev(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMissingDrive(t *testing.T) {
	linux := []string{"/media", "/run/media", "/mnt"}
	mac := []string{"/Volumes"}
	for _, tc := range []struct {
		path, mountPoint string
		onSystem         bool
		areas            []string
		want             bool
	}{
		// Left-over mount folders of unplugged sticks.
		{"/media/anna/KINGSTON", "/", true, linux, true},
		{"/media/anna/KINGSTON/backups", "/", true, linux, true},
		{"/mnt/usb", "/", true, linux, true},
		{"/run/media/anna/KINGSTON", "/run", false, linux, true}, // /run is tmpfs
		{"/Volumes/KINGSTON", "/System/Volumes/Data", true, mac, true},
		{"/Volumes/KINGSTON", "/", false, mac, true},
		// Plugged-in sticks.
		{"/media/anna/KINGSTON", "/media/anna/KINGSTON", false, linux, false},
		{"/media/anna/KINGSTON/backups", "/media/anna/KINGSTON", false, linux, false},
		{"/run/media/anna/KINGSTON", "/run/media/anna/KINGSTON", false, linux, false},
		{"/mnt/disk/sub", "/mnt/disk", false, linux, false},
		{"/Volumes/KINGSTON", "/Volumes/KINGSTON", false, mac, false},
		// Outside the mount areas, the system disk is a fine choice.
		{"/home/anna/backup", "/", true, linux, false},
		{"/mediaextra/x", "/", true, linux, false},
		{"/srv/backup", "/srv", false, linux, false},
		// The mount area itself is not a drive's folder.
		{"/media", "/", true, linux, false},
		{"/mnt", "/", true, linux, false},
		// Unknown mount point: only the system flag counts.
		{"/mnt/x", "", false, linux, false},
		{"/mnt/x", "", true, linux, true},
		// No mount areas (Windows).
		{`E:\backup`, `C:\`, true, nil, false},
	} {
		if got := missingDrive(tc.path, tc.mountPoint, tc.onSystem, tc.areas); got != tc.want {
			t.Errorf("missingDrive(%q, %q, %v, %q) = %v, want %v", tc.path, tc.mountPoint, tc.onSystem, tc.areas, got, tc.want)
		}
	}
}

func TestLooksLikeMissingDrive(t *testing.T) {
	dir := t.TempDir()
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, area := range mountAreas() {
		if inside(resolved, area) {
			t.Skipf("the temp dir %s is in the mount area %s", resolved, area)
		}
	}
	for _, p := range []string{dir, filepath.Join(dir, "not", "yet", "made")} {
		got, err := LooksLikeMissingDrive(p)
		if err != nil || got {
			t.Errorf("LooksLikeMissingDrive(%s) = %v, %v; want false, nil", p, got, err)
		}
	}
	if _, err := LooksLikeMissingDrive(""); err == nil {
		t.Error("LooksLikeMissingDrive(\"\") did not fail")
	}
}

func TestWalkUpMountPoint(t *testing.T) {
	devs := map[string]uint64{"/": 1, "/media": 1, "/media/stick": 2, "/media/stick/a": 2, "/media/stick/a/b": 2}
	devOf := func(p string) (uint64, bool) {
		d, ok := devs[p]
		return d, ok
	}
	for in, want := range map[string]string{
		"/media/stick/a/b": "/media/stick",
		"/media/stick":     "/media/stick",
		"/media":           "/",
		"/":                "/",
		"/missing":         "",
	} {
		if got := walkUpMountPoint(in, devOf); got != want {
			t.Errorf("walkUpMountPoint(%q) = %q, want %q", in, got, want)
		}
	}
}

// sysfsTree builds a fake /sys/devices tree under root from path -> content
// (a content of "" makes a folder).
func sysfsTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if content == "" {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRemovableAt(t *testing.T) {
	root := filepath.ToSlash(t.TempDir())
	sysfsTree(t, root, map[string]string{
		// A card reader stick with removable media, seen through SCSI.
		"pci/ata/block/sdb/removable":                     "1\n",
		"pci/ata/block/sdb/sdb1/partition":                "1\n",
		"pci/ata/block/sda/removable":                     "0\n",
		"pci/ata/block/sda/sda2/partition":                "2\n",
		"pci/usb2/2-1/block/sdc/removable":                "0\n", // a USB SSD says 0
		"pci/usb2/2-1/block/sdc/sdc1/x":                   "",
		"mmc_host/mmc0/block/mmcblk0/removable":           "0\n",
		"mmc_host/mmc0/block/mmcblk0/device/type":         "SD\n",
		"mmc_host/mmc0/block/mmcblk0/mmcblk0p1/partition": "1\n",
		"mmc_host/mmc1/block/mmcblk1/removable":           "0\n",
		"mmc_host/mmc1/block/mmcblk1/device/type":         "MMC\n", // soldered eMMC
		"virtual/block/dm-0/removable":                    "0\n",
		"virtual/block/dm-0/slaves":                       "",
		"virtual/block/dm-1/removable":                    "0\n",
		"virtual/block/dm-1/slaves":                       "",
		"virtual/block/loop0/removable":                   "0\n",
	})
	// An encrypted stick: dm-0 sits on the stick's partition, dm-1 on the
	// fixed disk.
	if err := os.Symlink(root+"/pci/ata/block/sdb/sdb1", root+"/virtual/block/dm-0/slaves/sdb1"); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := os.Symlink(root+"/pci/ata/block/sda/sda2", root+"/virtual/block/dm-1/slaves/sda2"); err != nil {
		t.Fatal(err)
	}
	for dev, want := range map[string]bool{
		"pci/ata/block/sdb":                     true,
		"pci/ata/block/sdb/sdb1":                true,
		"pci/ata/block/sda":                     false,
		"pci/ata/block/sda/sda2":                false,
		"pci/usb2/2-1/block/sdc/sdc1":           true,
		"mmc_host/mmc0/block/mmcblk0/mmcblk0p1": true,
		"mmc_host/mmc1/block/mmcblk1":           false,
		"virtual/block/dm-0":                    true,
		"virtual/block/dm-1":                    false,
		"virtual/block/loop0":                   false,
		"does/not/exist":                        false,
	} {
		if got := removableAt(root + "/" + dev); got != want {
			t.Errorf("removableAt(%s) = %v, want %v", dev, got, want)
		}
	}
}

func TestRemovable(t *testing.T) {
	vols, err := Removable()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Removable() = %+v", vols)
	if !sort.SliceIsSorted(vols, func(a, b int) bool { return vols[a].MountPoint < vols[b].MountPoint }) {
		t.Errorf("not sorted by mount point: %+v", vols)
	}
	seen := map[string]bool{}
	for _, v := range vols {
		if !v.Removable || v.ID == "" || v.MountPoint == "" {
			t.Errorf("odd removable volume %+v", v)
		}
		if seen[v.ID] {
			t.Errorf("volume %s listed twice", v.ID)
		}
		seen[v.ID] = true
	}
}

func FuzzParseMountInfo(f *testing.F) {
	f.Add(mountInfoFixture)
	f.Add("")
	f.Add("1 2 3:4 / / rw - ext4 /dev/x rw")
	f.Add("1 2 3:4 / \\040 rw - - - -")
	f.Add("1 2 3:4 / /a\\1 rw a b c - x")
	f.Fuzz(func(t *testing.T, s string) {
		entries, err := parseMountInfo(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.mountPoint == "" || !strings.HasPrefix(e.mountPoint, "/") {
				t.Fatalf("entry with bad mount point %q from %q", e.mountPoint, s)
			}
		}
	})
}
