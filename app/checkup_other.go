//go:build !linux && !darwin && !windows

package app

import (
	"context"

	"casevault/app/checkup"
)

// diskEncryption: this platform does not tell; the person answers.
func diskEncryption(context.Context, string) checkup.Probe { return checkup.Probe{} }

// screenLock: this platform does not tell; the person answers.
func screenLock(context.Context) checkup.Probe { return checkup.Probe{} }
