package app

import (
	"context"
	"os/exec"
	"strings"

	"casevault/app/checkup"
)

// diskEncryption asks fdesetup (a local program; no network) whether
// FileVault is on.
func diskEncryption(ctx context.Context, _ string) checkup.Probe {
	out, err := exec.CommandContext(ctx, "/usr/bin/fdesetup", "status").Output()
	if err != nil {
		return checkup.Probe{}
	}
	return fileVault(string(out))
}

// fileVault reads fdesetup status's answer.
func fileVault(out string) checkup.Probe {
	switch {
	case strings.Contains(out, "FileVault is On"):
		return checkup.Probe{Known: true, On: true, How: "FileVault is on"}
	case strings.Contains(out, "FileVault is Off"):
		return checkup.Probe{Known: true, How: "FileVault is off (System Settings → Privacy & Security → FileVault)"}
	}
	return checkup.Probe{}
}

// screenLock: macOS does not tell a program without asking for
// permissions; the person answers.
func screenLock(context.Context) checkup.Probe { return checkup.Probe{} }
