package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"time"

	"casevault/vault"
)

// Backoff applies the persisted growing wait between unlock attempts
// (unlockdelay.go: none for the first FreeUnlockAttempts wrong ones, then
// 5 s doubling up to MaxUnlockDelay) to a front end that waits instead of
// refusing, such as the command line: Wait before an attempt, Done after
// it. The window refuses with a message instead (ui/unlock.go), over the
// same file, so the two share one count.
type Backoff struct {
	Now func() time.Time // nil: time.Now
	// Sleep waits d or until ctx ends; nil: a real sleep. Tests inject one
	// that records and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Notify, if set, is told before a wait (failures is the count so far).
	Notify func(wait time.Duration, failures int)
	// User is whose failures count ("" = the owner, or a credential
	// without a user name): each user of a vault has their own count.
	User string
}

func (b Backoff) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Wait waits until dir's failures allow the next attempt. A cancelled ctx
// ends the wait with its error.
func (b Backoff) Wait(ctx context.Context, dir string) error {
	f := LoadUserUnlockFailures(dir, b.User)
	w := f.Wait(b.now())
	if w <= 0 {
		return nil
	}
	if b.Notify != nil {
		b.Notify(w, f.Count)
	}
	if b.Sleep != nil {
		return b.Sleep(ctx, w)
	}
	t := time.NewTimer(w)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done records the outcome of an attempt in dir: a wrong passphrase or
// recovery key adds a failure, success clears them, anything else (a
// damaged file, a busy vault) leaves the count as it is. dir is created
// when missing (a repository's state folder, see RepoUnlockStateDir).
func (b Backoff) Done(dir string, err error) {
	switch {
	case err == nil:
		ResetUserUnlockFailures(dir, b.User)
	case errors.Is(err, vault.ErrWrongCredential):
		if os.MkdirAll(dir, 0o700) == nil {
			RecordUserUnlockFailure(dir, b.User, b.now())
		}
	}
}

// RepoUnlockStateDir is the folder whose UnlockDelayFile counts wrong
// passphrases given to open the backup repository in repo: under base (the
// user's configuration folder, see UnlockStateBase), one folder per
// repository path. Not on the backup drive: reading a backup writes nothing
// to it, and the count protects this computer's keyboard.
func RepoUnlockStateDir(base, repo string) string {
	if abs, err := filepath.Abs(repo); err == nil {
		repo = abs
	}
	sum := sha256.Sum256([]byte(filepath.Clean(repo)))
	return filepath.Join(base, "unlock-delay", hex.EncodeToString(sum[:8]))
}

// UnlockStateBase is the user's casevault configuration folder
// (os.UserConfigDir()/casevault), or "" when there is none.
func UnlockStateBase() string {
	d, err := os.UserConfigDir()
	if err != nil || d == "" {
		return ""
	}
	return filepath.Join(d, "casevault")
}
