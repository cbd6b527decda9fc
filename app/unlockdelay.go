package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// UnlockDelayFile, in the vault folder, counts failed unlock attempts so the
// growing wait between them survives a restart of the program. It is plain
// text and holds only two lines, the count and the time of the last failure:
//
//	failures 4
//	last 2026-11-23T13:00:00Z
//
// No client data and nothing secret. It is removed on a successful unlock.
// Deleting it by hand only removes the wait, which is a speed bump against
// someone guessing at the keyboard; the Argon2id cost is the real defence.
const UnlockDelayFile = "unlock-delay"

// FreeUnlockAttempts is how many wrong attempts cost no wait at a backup
// repository's passphrase (RepoUnlockStateDir).
const FreeUnlockAttempts = 3

// DefaultLockoutAfter is how many wrong unlocks of a vault cost no wait,
// unless the vault's passphrase policy says otherwise
// (PassPolicy.LockoutAfter, kept in plain beside the vault in
// UnlockPolicyFile so that it applies before the vault is open).
const DefaultLockoutAfter = 5

// MaxUnlockDelay caps the wait.
const MaxUnlockDelay = 15 * time.Minute

// UnlockFailures is the persisted count of failed attempts.
type UnlockFailures struct {
	Count int
	Last  time.Time
	// Free is how many failures cost no wait: for a vault its
	// UnlockPolicyFile or DefaultLockoutAfter, for a backup repository's
	// state folder FreeUnlockAttempts; 0 means FreeUnlockAttempts.
	Free int
}

// LoadUnlockFailures reads dir's unlock-delay file (the owner's, or a
// vault without users); a missing or unreadable file is no failures.
func LoadUnlockFailures(dir string) UnlockFailures { return LoadUserUnlockFailures(dir, "") }

// LoadUserUnlockFailures reads the failures of user (""= the owner, or a
// credential without a user name) on the vault in dir.
func LoadUserUnlockFailures(dir, user string) UnlockFailures {
	f := UnlockFailures{Free: lockoutAfter(dir)}
	b, err := os.ReadFile(filepath.Join(dir, unlockDelayFile(dir, user)))
	if err != nil {
		return f
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "failures":
			if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 1<<20 {
				f.Count = n
			}
		case "last":
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				f.Last = t
			}
		}
	}
	return f
}

// RecordUnlockFailure adds one failure at now and returns the new state.
// The vault folder must exist; an error writing the file is returned but
// the count is still given back.
func RecordUnlockFailure(dir string, now time.Time) (UnlockFailures, error) {
	return RecordUserUnlockFailure(dir, "", now)
}

// RecordUserUnlockFailure is RecordUnlockFailure for one user of the vault.
func RecordUserUnlockFailure(dir, user string, now time.Time) (UnlockFailures, error) {
	f := LoadUserUnlockFailures(dir, user)
	f.Count++
	f.Last = now.UTC()
	data := fmt.Sprintf("failures %d\nlast %s\n", f.Count, f.Last.Format(time.RFC3339))
	return f, replaceFile(dir, unlockDelayFile(dir, user), []byte(data))
}

// ResetUnlockFailures removes the file after a successful unlock.
func ResetUnlockFailures(dir string) error { return ResetUserUnlockFailures(dir, "") }

// ResetUserUnlockFailures removes user's file: after their successful
// unlock, or when the owner clears their lockout.
func ResetUserUnlockFailures(dir, user string) error {
	err := os.Remove(filepath.Join(dir, unlockDelayFile(dir, user)))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

// Delay is the wait after Count failures: none for the first Free, then 5 s, 10 s, 20 s ... doubling up to MaxUnlockDelay.
func (f UnlockFailures) Delay() time.Duration {
	free := f.Free
	if free <= 0 {
		free = FreeUnlockAttempts
	}
	n := f.Count - free
	if n <= 0 {
		return 0
	}
	d := 5 * time.Second
	for i := 1; i < n && d < MaxUnlockDelay; i++ {
		d *= 2
	}
	return min(d, MaxUnlockDelay)
}

// Wait is how long from now until the next attempt is allowed (0 = now).
// A last failure in the future (a clock set back) counts from now.
func (f UnlockFailures) Wait(now time.Time) time.Duration {
	d := f.Delay()
	if d == 0 {
		return 0
	}
	last := f.Last
	if last.After(now) {
		last = now
	}
	if w := last.Add(d).Sub(now); w > 0 {
		return w
	}
	return 0
}
