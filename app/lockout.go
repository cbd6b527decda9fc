package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"casevault/vault"
)

// UnlockPolicyFile, in the vault folder, holds in plain the one part of the
// passphrase policy that must apply before the vault is open: how many
// wrong unlocks cost no wait ("lockout-after 5"). The policy itself is in
// the vault; the owner's sessions write this copy. Like UnlockDelayFile it
// is a speed bump, not a defence: someone who can edit the folder can
// remove it (the wait is then the default's).
const UnlockPolicyFile = "unlock-policy"

// lockoutAfter reads dir's UnlockPolicyFile: DefaultLockoutAfter when
// missing or unreadable in a vault folder, FreeUnlockAttempts in a folder
// that is no vault (a backup repository's state folder).
func lockoutAfter(dir string) int {
	def := FreeUnlockAttempts
	if vault.Exists(dir) {
		def = DefaultLockoutAfter
	}
	b, err := os.ReadFile(filepath.Join(dir, UnlockPolicyFile))
	if err != nil {
		return def
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		if k == "lockout-after" {
			if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= MaxLockoutAfter {
				return n
			}
		}
	}
	return def
}

// writeLockoutAfter keeps dir's UnlockPolicyFile in step with the policy.
func writeLockoutAfter(dir string, n int) error {
	if lockoutAfter(dir) == n {
		return nil
	}
	return replaceFile(dir, UnlockPolicyFile, []byte(fmt.Sprintf("lockout-after %d\n", n)))
}

// unlockDelayFile names user's failure count in dir: UnlockDelayFile for
// the owner (or no user name), else "unlock-delay-" and 16 hex digits of
// HMAC-SHA256(vault id, "casevault lockout v1" || the name in lower case,
// NFC). The name is not in the file name; like the header's user tags, the
// file name can be matched against a list of guessed names by someone who
// has the folder.
//
// The count guards a key slot, not what was typed: a name that reaches the
// owner's slot (the owner's own name in any case, or, while the owner's
// slot has the zero tag, any name that is no user's) counts in the owner's
// file. Otherwise each made-up name would have its own count and guesses
// at the owner's passphrase would never wait.
func unlockDelayFile(dir, user string) string {
	user = strings.TrimSpace(user)
	if user == "" {
		return UnlockDelayFile
	}
	if si, err := vault.UserSlot(dir, user); err == nil && si.Owner {
		return UnlockDelayFile
	}
	var id [16]byte
	if b, err := os.ReadFile(filepath.Join(dir, vault.HeaderFile)); err == nil {
		id, _ = vault.HeaderVaultID(vault.HeaderFile, b)
	}
	m := hmac.New(sha256.New, id[:])
	m.Write([]byte("casevault lockout v1"))
	m.Write(norm.NFC.Bytes([]byte(strings.ToLower(user))))
	return UnlockDelayFile + "-" + hex.EncodeToString(m.Sum(nil)[:8])
}

// lastUserFile is where LastUser keeps dir's last user: under the user's
// configuration folder (UnlockStateBase), one small file per vault path.
func lastUserFile(dir string) string {
	base := UnlockStateBase()
	if base == "" {
		return ""
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	sum := sha256.Sum256([]byte(filepath.Clean(dir)))
	return filepath.Join(base, "last-user", hex.EncodeToString(sum[:8]))
}

// LastUser is the user name last unlocked with on this computer (this
// computer account) for the vault in dir; "" when none or the owner without
// a name. It is kept outside the vault, in plain: a name, no client data.
func LastUser(dir string) string {
	p := lastUserFile(dir)
	if p == "" {
		return ""
	}
	b, err := os.ReadFile(p)
	if err != nil || len(b) > 4*MaxUserName+1 {
		return ""
	}
	name, err := ValidateUserName(string(b))
	if err != nil {
		return ""
	}
	return name
}

// RememberUser records name as dir's last user on this computer ("" forgets).
func RememberUser(dir, name string) error {
	p := lastUserFile(dir)
	if p == "" {
		return nil
	}
	if name == "" {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return replaceFile(filepath.Dir(p), filepath.Base(p), []byte(name))
}
