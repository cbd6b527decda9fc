//go:build windows

package volume

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"golang.org/x/sys/windows"
)

// mountAreas returns the folders under which drives are usually mounted:
// none on Windows, where drives get letters.
func mountAreas() []string { return nil }

// of returns the volume of the clean absolute path p. The ID is the volume
// serial number ("uuid:ABCD-1234", as Linux shows FAT and exFAT UUIDs) and
// MountPoint the volume root, such as `E:\`.
func of(p string) (Volume, error) {
	root, err := volumeRoot(p)
	if err != nil {
		return Volume{}, err
	}
	v := Volume{ID: "dev:" + strings.ToUpper(root), MountPoint: root}
	if label, fsName, serial, err := volumeInfo(root); err == nil {
		v.Label, v.FSType = label, fsName
		if serial != 0 {
			v.ID = fmt.Sprintf("uuid:%04X-%04X", serial>>16, serial&0xffff)
		}
	}
	v.Removable = driveType(root) == windows.DRIVE_REMOVABLE
	if dir, err := windows.GetSystemWindowsDirectory(); err == nil {
		if sysRoot, err := volumeRoot(dir); err == nil && strings.EqualFold(sysRoot, root) {
			v.System = true
		}
	}
	return v, nil
}

// Removable returns the drives Windows reports as removable (USB sticks, SD
// cards; USB hard disks count as fixed) that hold a medium, in drive-letter
// order.
func Removable() ([]Volume, error) {
	mask, err := windows.GetLogicalDrives()
	if err != nil {
		return nil, fmt.Errorf("volume: listing drives: %w", err)
	}
	var vols []Volume
	for i := 0; i < 26; i++ {
		if mask&(1<<i) == 0 {
			continue
		}
		root := string(rune('A'+i)) + `:\`
		if driveType(root) != windows.DRIVE_REMOVABLE {
			continue
		}
		if _, _, _, err := volumeInfo(root); err != nil {
			continue // e.g. a card reader without a card
		}
		if v, err := of(root); err == nil {
			vols = append(vols, v)
		}
	}
	return vols, nil
}

// volumeRoot returns the root of the volume holding p, such as `E:\` or a
// mounted folder like `C:\mnt\stick\`.
func volumeRoot(p string) (string, error) {
	path, err := windows.UTF16PtrFromString(p)
	if err != nil {
		return "", err
	}
	buf := make([]uint16, len(utf16.Encode([]rune(p)))+windows.MAX_PATH+1)
	if err := windows.GetVolumePathName(path, &buf[0], uint32(len(buf))); err != nil {
		return "", fmt.Errorf("GetVolumePathName %s: %w", p, err)
	}
	return windows.UTF16ToString(buf), nil
}

// volumeInfo returns the label, file-system type and serial number of the
// volume with root folder root.
func volumeInfo(root string) (label, fsType string, serial uint32, err error) {
	r, err := windows.UTF16PtrFromString(root)
	if err != nil {
		return "", "", 0, err
	}
	var name, fsName [windows.MAX_PATH + 1]uint16
	err = windows.GetVolumeInformation(r, &name[0], uint32(len(name)), &serial, nil, nil, &fsName[0], uint32(len(fsName)))
	if err != nil {
		return "", "", 0, err
	}
	fsType = strings.ToLower(windows.UTF16ToString(fsName[:]))
	if fsType == "fat" || fsType == "fat32" {
		fsType = "vfat"
	}
	return windows.UTF16ToString(name[:]), fsType, serial, nil
}

// driveType returns GetDriveType for the volume root root.
func driveType(root string) uint32 {
	r, err := windows.UTF16PtrFromString(root)
	if err != nil {
		return windows.DRIVE_UNKNOWN
	}
	return windows.GetDriveType(r)
}
