package app

// Names the window (ui/) needs from store/ and vault/ without importing them:
// ui talks only to app (see layers_test.go).

import (
	"context"
	"errors"
	"strings"
	"time"

	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// Record types, as app returns them.
type (
	Client = store.Client
	Matter = store.Matter
	Party  = store.Party
	// MatterClient is one of a matter's clients (joint representation).
	MatterClient = store.MatterClient
	Note         = store.Note
	SearchHit    = store.SearchHit
	AuditEntry   = store.AuditEntry
	AuditFilter  = store.AuditFilter
	ClientOrder  = store.ClientOrder
	Counts       = store.Counts
)

// Client list orders.
const (
	ByName    = store.ByName
	ByUpdated = store.ByUpdated
)

// Party roles.
const (
	RoleAdverse         = store.RoleAdverse
	RoleRelated         = store.RoleRelated
	RoleOpposingCounsel = store.RoleOpposingCounsel
)

// Keys and their parameters.
type (
	Credential  = vault.Credential
	KDFParams   = vault.KDFParams
	RecoveryKey = vault.RecoveryKey
)

// Errors callers tell apart with errors.Is.
var (
	ErrWrongCredential = vault.ErrWrongCredential
	ErrBadRecoveryKey  = vault.ErrBadRecoveryKey
	ErrDamaged         = vault.ErrDamaged
	ErrLocked          = vault.ErrLocked
	ErrNoVault         = vault.ErrNoVault
	ErrExists          = vault.ErrExists
	ErrNotFound        = store.ErrNotFound
	ErrHasMatters      = store.ErrHasMatters
	ErrHasDocuments    = store.ErrHasDocuments
	// ErrUnknownUser: no user of that name in this vault (a *vault.UnknownUserError).
	ErrUnknownUser = vault.ErrUnknownUser
	// ErrKeyFileNeeded: the user's slot needs a key file and none was given.
	ErrKeyFileNeeded = vault.ErrKeyFileNeeded
)

// Passphrase is a credential for the passphrase slot.
func Passphrase(b []byte) Credential { return vault.Passphrase(b) }

// Recovery parses a typed recovery key into a credential.
func Recovery(text string) (Credential, error) { return vault.Recovery(text) }

// VaultExists reports whether dir holds a vault.
func VaultExists(dir string) bool { return vault.Exists(dir) }

// VaultHalfMade reports whether dir holds a vault whose creation was
// interrupted before its recovery key was confirmed (see ConfirmInit): it
// cannot be opened, and Init starts over there.
func VaultHalfMade(dir string) bool { return vault.HalfMade(dir) }

// Calibrate picks Argon2id parameters taking about one second here, with
// the default memory (256 MiB). It takes about two seconds.
func Calibrate(ctx context.Context) (KDFParams, error) {
	return vault.Calibrate(ctx, vault.DefaultCalibrateFor, vault.DefaultMemoryKiB)
}

// CheapKDF is for tests and demo vaults only: fast, and cheap to guess.
func CheapKDF() KDFParams {
	return KDFParams{Time: 1, MemoryKiB: vault.MinMemoryKiB, Threads: 1}
}

// ValidateField checks one client field on its own, for a form that
// validates as the person types. field is one of name, email, phone, dob,
// address, notes, alias; it returns "" when the value is fine.
func ValidateField(field, value string, now time.Time) string {
	c := &store.Client{Name: "x"}
	switch field {
	case "name":
		c.Name = value
	case "email":
		c.Email = value
	case "phone":
		c.Phone = value
	case "dob":
		c.DOB = value
	case "address":
		c.Address = value
	case "notes":
		c.Notes = value
	case "alias":
		c.Aliases = SplitLines(value)
	}
	var fe *FieldError
	if err := ValidateClient(c, now); errors.As(err, &fe) && fe.Field == field {
		return fe.Message
	}
	return ""
}

// SplitLines splits text into its non-empty trimmed lines (and commas are
// not separators: names may contain them).
func SplitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Message turns an error into words for a person: what went wrong and what
// to do.
func Message(err error) string {
	var fe *FieldError
	var kn *KeyNotChangedError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &fe):
		return fe.Message + ". Nothing was changed."
	case errors.Is(err, ErrDenied), errors.Is(err, ErrMustChangePassphrase):
		return strings.TrimSuffix(err.Error(), ".") + "."
	case errors.Is(err, ErrKeyChanged):
		// Its own words only: the wrapped "(backup file config is damaged:
		// authentication failed)" is what failed, not damage (oldKeyRepo).
		var kc *KeyChangedError
		if errors.As(err, &kc) {
			return human.Capitalize(kc.Error()) + "."
		}
		return human.Capitalize(err.Error()) + "."
	case errors.Is(err, vault.ErrOwnerPassphraseNeeded):
		return "This vault was unlocked with the recovery key, and adding its first user needs the owner's passphrase: " +
			"choose a new passphrase first (Change passphrase, or casevault passwd), then add the user. Nothing was changed."
	case errors.As(err, &kn):
		// The removal stands: say so, then why the key was not changed.
		why := strings.TrimSuffix(Message(kn.Err), " Nothing was changed.")
		return kn.Removed + " was removed, but the vault key was not changed: " + strings.ToLower(why[:1]) + why[1:]
	case errors.Is(err, vault.ErrDocumentsBusy):
		return "The vault key cannot be changed while a document is being added or opened. Wait until that has finished, " +
			"then change the vault key (lock the vault, then in a terminal: casevault key change)."
	case errors.Is(err, vault.ErrKeyChanging):
		return "The vault's key is being changed, so this was not done. Try again in a moment, when the change has finished."
	case errors.Is(err, vault.ErrRotationBusy):
		return "A backup is running: change the vault key when it has finished. Nothing was changed."
	case errors.Is(err, vault.ErrKeyFileNeeded):
		return "This user's passphrase works only together with their key file: choose the key file, then try again."
	case errors.Is(err, vault.ErrUnknownUser):
		return human.Capitalize(err.Error()) + "."
	case errors.Is(err, vault.ErrBadRecoveryKey):
		return "That recovery key is mistyped: " + strings.TrimPrefix(err.Error(), vault.ErrBadRecoveryKey.Error()+": ") +
			". Check each group of four against your paper copy."
	case errors.Is(err, vault.ErrWrongCredential) && strings.Contains(err.Error(), "key file"):
		return "That passphrase and key file do not open this vault. Check Caps Lock and the keyboard layout, and that it is the right key file, unchanged; then try again."
	case errors.Is(err, vault.ErrWrongCredential):
		return "That passphrase does not open this vault. Check Caps Lock and the keyboard layout, then try again."
	case errors.Is(err, vault.ErrLocked):
		return "This vault is already open in another casevault window or command. Close that one first."
	case errors.Is(err, vault.ErrMixedVersions):
		return "This vault folder holds files of two versions of the vault: an older copy of the folder was probably copied over it (" +
			err.Error() + "). Choose Repair… to bring back the newest version; " +
			"the other version's files are moved to the vault's quarantine folder, not deleted."
	case errors.Is(err, vault.ErrReadOnly):
		return "The vault is open read-only because it is damaged, so nothing was changed. Back it up and export what you need, " +
			"then lock it and choose Repair… on the unlock screen to go on."
	case CanOpenReadOnly(err):
		return "Part of the vault's log of recent changes is damaged (" + err.Error() + "). Nothing was changed. " +
			"Choose Open read-only to see, back up and export everything saved before the damage, or Repair… to keep it and go on."
	case CanRepair(err):
		return "A vault file is damaged (" + err.Error() + "). Nothing was changed. " +
			"casevault keeps a copy of this file: choose Repair… to put it back."
	case errors.Is(err, vault.ErrDamaged):
		return "A vault file failed its integrity check (" + err.Error() + "). Nothing was changed; restore from a backup."
	case errors.Is(err, vault.ErrClosed):
		return "The vault was locked. Unlock it and try again."
	case errors.Is(err, ErrTargetMissing):
		detail := err.Error()
		if i := strings.Index(detail, ErrTargetMissing.Error()+": "); i >= 0 {
			detail = detail[i+len(ErrTargetMissing.Error())+2:]
		}
		return "The backup drive is not connected: " + detail + ". Plug it in and try again; nothing was written."
	case errors.Is(err, ErrConfigMissing):
		return "The backup is damaged: " + err.Error() + ". Restore and Check backup still work. If this is the right backup drive, choose Back up now and confirm the drive: a new config file is written."
	case errors.Is(err, ErrWrongVolume):
		return "Backup refused: " + err.Error() + ". Nothing was written."
	case errors.Is(err, ErrTargetFull):
		return "The backup drive is full, so this backup was not finished (" + err.Error() + "). Earlier backups are intact. Free space on the drive, or remove old snapshots (in a terminal: casevault forget --repo BACKUP-FOLDER --keep-last N --prune, which works on a full drive), or use a bigger drive."
	case errors.Is(err, ErrTargetGone):
		return "The backup drive was disconnected during the backup (" + err.Error() + "). Earlier backups are intact; plug it back in and back up again."
	case errors.Is(err, ErrTargetReadOnly):
		return "The backup drive cannot be written to (" + err.Error() + "). Check that it is not write-protected."
	case errors.Is(err, ErrRepoBusy):
		return "Another casevault is using this backup right now (" + err.Error() + ")."
	case errors.Is(err, ErrWrongVault):
		return "That folder holds the backup of another vault, so nothing was written to it. Choose another folder."
	case errors.Is(err, ErrNotEmpty):
		return human.Capitalize(err.Error()) + "."
	case errors.Is(err, ErrBackupDamaged):
		return "Part of the backup is damaged: " + err.Error() + ". Run Check backup to see which snapshots are affected."
	case errors.Is(err, ErrNoSnapshot):
		return err.Error() + "."
	case errors.Is(err, ErrNoTarget):
		return "Choose a backup folder first (a USB drive is best)."
	case errors.Is(err, store.ErrHasMatters):
		return "This client has matters, so it is kept for conflict checks and retention and cannot be deleted."
	case errors.Is(err, store.ErrHasDocuments):
		return "This client has documents, so it cannot be deleted. Delete or export its documents first."
	case errors.Is(err, store.ErrNotFound):
		return "That record no longer exists (" + err.Error() + ")."
	case errors.Is(err, ErrDiskFull):
		return human.Capitalize(err.Error()) + "."
	case errors.Is(err, ErrIntakeRunning):
		return "Client intake is already running for this vault. Stop it first (Stop intake, or casevault intake stop), then start it again."
	case errors.Is(err, ErrIntakeNotRunning):
		return "Client intake is not running."
	case errors.Is(err, ErrNoOfficeNetwork):
		return "This computer is not connected to an office network, so a tablet cannot reach the form. Connect to the office network, or start intake on this computer only."
	}
	return err.Error()
}

// RoleLabel is how a party role reads in the window.
func RoleLabel(role string) string {
	switch role {
	case "client":
		return "Client"
	case "alias":
		return "Client (alias)"
	case store.RoleAdverse:
		return "Adverse party"
	case store.RoleRelated:
		return "Related party"
	case store.RoleOpposingCounsel:
		return "Opposing counsel"
	}
	return role
}
