package app

// Names the command line (app/cli) needs from store/, vault/ and backup/
// without importing them: app/cli, like ui, talks only to app (see
// layers_test.go). The record types, sentinel errors and credentials it
// shares with the window are in ui_support.go.

import (
	"context"
	"time"

	"casevault/backup"
	"casevault/store"
	"casevault/vault"
)

// IsBackupRepo reports whether dir holds a backup repository, so that a
// command can say "the drive is not there" before asking for a passphrase.
func IsBackupRepo(dir string) bool { return backup.IsRepo(dir) }

// StoreOptions tunes the durability engine (tests shrink the checkpoint size).
type StoreOptions = store.Options

// Key derivation bounds and defaults.
const (
	MinMemoryKiB        = vault.MinMemoryKiB     // hard floor
	WarnMemoryKiB       = vault.WarnMemoryKiB    // below this, warn
	DefaultMemoryKiB    = vault.DefaultMemoryKiB // calibration uses at least this much
	MaxTime             = vault.MaxTime          // most Argon2id passes accepted
	MaxMemoryKiB        = vault.MaxMemoryKiB     // most Argon2id memory accepted
	MaxCost             = vault.MaxCost          // most passes times memory (KiB) accepted
	DefaultCalibrateFor = vault.DefaultCalibrateFor
)

// DefaultThreads is the Argon2id parallelism used for new keys.
func DefaultThreads() uint8 { return vault.DefaultThreads() }

// CalibrateFor picks Argon2id parameters taking about target here with
// memoryKiB of memory (at least MinMemoryKiB).
func CalibrateFor(ctx context.Context, target time.Duration, memoryKiB uint32) (KDFParams, error) {
	return vault.Calibrate(ctx, target, memoryKiB)
}
