package app

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"

	"casevault/app/checkup"
)

// diskEncryption asks manage-bde (a local program; no network) whether
// BitLocker protects the vault's drive. It needs an administrator: for
// anyone else it fails, and the person answers.
func diskEncryption(ctx context.Context, dir string) checkup.Probe {
	drive := filepath.VolumeName(dir)
	if drive == "" {
		drive = "C:"
	}
	out, err := exec.CommandContext(ctx, "manage-bde", "-status", drive).Output()
	if err != nil {
		return checkup.Probe{}
	}
	return bitLocker(string(out), drive)
}

// bitLocker reads manage-bde -status's answer (English Windows; another
// language leaves the question to the person).
func bitLocker(out, drive string) checkup.Probe {
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) != "Protection Status" {
			continue
		}
		switch v = strings.TrimSpace(v); {
		case strings.HasPrefix(v, "Protection On"):
			return checkup.Probe{Known: true, On: true, How: "BitLocker protects drive " + drive}
		case strings.HasPrefix(v, "Protection Off"):
			return checkup.Probe{Known: true, How: "BitLocker does not protect drive " + drive}
		}
	}
	return checkup.Probe{}
}

// screenLock: Windows does not tell a program simply; the person answers.
func screenLock(context.Context) checkup.Probe { return checkup.Probe{} }
