package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/policy"
	"casevault/store"
	"casevault/vault"
)

// ErrUsersUnavailable: the users part of this build is not wired to the
// vault yet (issue 10 in progress); only the owner exists.
var ErrUsersUnavailable = errors.New("users and roles are not available in this build yet")

// UserSummary is one user in ListUsers.
type UserSummary struct {
	Name          string        `json:"name"`
	Role          string        `json:"role"`
	Owner         bool          `json:"owner"`
	Status        string        `json:"status"` // "active" or "removed"
	Removed       bool          `json:"removed"`
	MustChange    bool          `json:"must_change"` // has not chosen their own passphrase yet
	Expired       bool          `json:"expired"`     // their passphrase is older than the policy's expiry
	KeyFile       bool          `json:"key_file"`
	PassChangedAt time.Time     `json:"pass_changed"`
	Created       time.Time     `json:"created"`
	Failures      int           `json:"failures"`     // wrong unlocks in a row (on this vault folder)
	LockedFor     time.Duration `json:"locked_for"`   // how long until their next unlock attempt is allowed
	LockedUntil   time.Time     `json:"locked_until"` // zero = not locked
}

// AddUserOptions for AddUser.
type AddUserOptions struct {
	// KeyFile, when set, must be present with the passphrase to unlock
	// (the user's second factor). Required when the policy says so.
	KeyFile []byte
	// KDF for the user's slot; nil = the same parameters as the session's.
	KDF *KDFParams
}

// RotationReport is what changing the vault key did.
type RotationReport struct {
	Took           time.Duration `json:"took"`
	Clients        int           `json:"clients"`
	Users          []string      `json:"users"` // who can still unlock (besides the recovery key)
	Removed        string        `json:"removed,omitempty"`
	NewRecoveryKey RecoveryKey   `json:"-"` // a NEW recovery key, to be shown once; "" if the old one still works
	// BackupNote says what happens to backups made before the change
	// (their repositories are keyed from the old key).
	BackupNote string `json:"backup_note"`
}

// Security classes of clients and matters.
const (
	ClassGeneral    = "general"    // everyone whose role reads the kind sees it
	ClassRestricted = "restricted" // only the named users (and the owner)
	ClassWalled     = "walled"     // everyone except the named users (an ethical wall); the owner always sees it
)

// SecurityInfo is a client's or matter's class and its named users.
type SecurityInfo struct {
	Class string   `json:"class"`
	Users []string `json:"users"`
}

// PassPolicy is the owner's passphrase policy, kept in the vault.
type PassPolicy struct {
	MinLength      int  `json:"min_length"`       // at least policy.MinLengthFloor; default 12
	MinClasses     int  `json:"min_classes"`      // 0 = no rule; else 2..4 of lower, upper, digits, other
	ExpiryDays     int  `json:"expiry_days"`      // 0 = never (the default, as NIST SP 800-63B advises)
	NoReuse        int  `json:"no_reuse"`         // a new passphrase may not be one of the user's last N; 0 = no rule
	RequireKeyFile bool `json:"require_key_file"` // every user (the owner included, at their next change) needs a key file
	LockoutAfter   int  `json:"lockout_after"`    // wrong unlocks before the growing wait; default 5
}

// DefaultPassPolicy: 12 characters, the common-password list, no classes,
// no expiry, no reuse rule, no key file, a wait after 5 wrong unlocks.
func DefaultPassPolicy() PassPolicy {
	return PassPolicy{MinLength: policy.MinLength, LockoutAfter: DefaultLockoutAfter}
}

// Limits of a PassPolicy.
const (
	MaxNoReuse      = 24
	MaxExpiryDays   = 3650
	MaxLockoutAfter = 100
)

// Validate checks p; the error is a *FieldError naming the setting.
func (p PassPolicy) Validate() error {
	switch {
	case p.MinLength < policy.MinLengthFloor || p.MinLength > 128:
		return &FieldError{"min_length", fmt.Sprintf("The minimum length must be between %d and 128 characters", policy.MinLengthFloor)}
	case p.MinClasses < 0 || p.MinClasses > 4:
		return &FieldError{"min_classes", "The character classes must be between 0 (no rule) and 4"}
	case p.ExpiryDays < 0 || p.ExpiryDays > MaxExpiryDays:
		return &FieldError{"expiry_days", fmt.Sprintf("The expiry must be between 0 (never) and %d days", MaxExpiryDays)}
	case p.NoReuse < 0 || p.NoReuse > MaxNoReuse:
		return &FieldError{"no_reuse", fmt.Sprintf("The number of earlier passphrases that may not be reused must be between 0 and %d", MaxNoReuse)}
	case p.LockoutAfter < 1 || p.LockoutAfter > MaxLockoutAfter:
		return &FieldError{"lockout_after", fmt.Sprintf("The wrong unlocks allowed before a wait must be between 1 and %d", MaxLockoutAfter)}
	}
	return nil
}

// Rules is the policy's part that app/policy checks.
func (p PassPolicy) Rules() policy.Rules {
	return policy.Rules{MinLength: p.MinLength, MinClasses: p.MinClasses}
}

// PolicyError is a new passphrase the policy refuses; Problems say why.
type PolicyError struct{ Problems []policy.Problem }

func (e *PolicyError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, " ")
}

// Is reports whether target is ErrInvalid.
func (e *PolicyError) Is(target error) bool { return target == ErrInvalid }

// MaxUserName is the longest user name, in characters.
const MaxUserName = 64

// ValidateUserName normalises and checks a new user's name: one line of
// printable text, 1 to MaxUserName characters.
func ValidateUserName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", &FieldError{"name", "A user needs a name"}
	case !utf8.ValidString(name) || strings.IndexFunc(name, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0:
		return "", &FieldError{"name", "A user's name must be plain text on one line"}
	case utf8.RuneCountInString(name) > MaxUserName:
		return "", &FieldError{"name", fmt.Sprintf("A user's name is at most %d characters", MaxUserName)}
	}
	n, err := vault.NormalizeUserName(name) // the vault's rules, so that its tags and the users table agree
	if err != nil {
		return "", &FieldError{"name", human.Capitalize(err.Error())}
	}
	return n, nil
}

// oneTimeAlphabet has no letters or digits that look alike (0/o, 1/l/i).
const oneTimeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newOneTimePassphrase is a passphrase the owner reads to a new user: five
// groups of five characters from 31 (about 124 bits), e.g.
// "k7fq2-mz9xp-4hwta-c3nve-r8yub". It meets every policy a vault can set
// except four character classes, which a one-time passphrase need not: the
// user replaces it at once.
func newOneTimePassphrase() []byte {
	const groups, per = 5, 5
	out := make([]byte, 0, groups*(per+1)-1)
	var b [1]byte
	for g := 0; g < groups; g++ {
		if g > 0 {
			out = append(out, '-')
		}
		for i := 0; i < per; {
			rand.Read(b[:])
			if int(b[0]) >= 256/len(oneTimeAlphabet)*len(oneTimeAlphabet) {
				continue // no modulo bias
			}
			out = append(out, oneTimeAlphabet[int(b[0])%len(oneTimeAlphabet)])
			i++
		}
	}
	return out
}

// storeRoles are the built-in roles as store keeps them (store.Options.Roles).
func storeRoles() []store.Role {
	var out []store.Role
	for _, r := range access.BuiltinRoles() {
		out = append(out, store.Role{Name: r.Name, Builtin: true, Perms: r.Perms.JSON()})
	}
	return out
}

// roleFromStore turns a roles row into an access.Role. A row whose
// permissions this casevault cannot read grants nothing (and says so in
// the refusals: "Your role (X) cannot ...").
func roleFromStore(r *store.Role) access.Role {
	if b, ok := access.BuiltinRole(r.Name); ok {
		return b
	}
	p, err := access.ParsePerms(r.Perms)
	if err != nil {
		p = access.Perms{}
	}
	return access.Role{Name: r.Name, Builtin: r.Builtin, Perms: p}
}

// resolveRole finds a user's role by name: a built-in one, else the
// vault's custom role (a missing one grants nothing).
func resolveRole(tx *store.Tx, name string) (access.Role, error) {
	if b, ok := access.BuiltinRole(name); ok {
		return b, nil
	}
	r, err := tx.GetRole(name)
	if errors.Is(err, store.ErrNotFound) {
		return access.Role{Name: name, Perms: access.Perms{}}, nil
	}
	if err != nil {
		return access.Role{}, err
	}
	return roleFromStore(r), nil
}

// passPolicySetting is the settings key of the passphrase policy (JSON).
const passPolicySetting = "pass_policy"

func loadPassPolicy(tx *store.Tx) (PassPolicy, error) {
	p := DefaultPassPolicy()
	v, err := tx.Setting(passPolicySetting)
	if errors.Is(err, store.ErrNotFound) || (err == nil && v == "") {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return DefaultPassPolicy(), fmt.Errorf("the passphrase policy in the vault cannot be read: %w", err)
	}
	return p, nil
}

// expired reports whether a passphrase changed at changed has expired at now.
func (p PassPolicy) expired(changed, now time.Time) bool {
	return p.ExpiryDays > 0 && !changed.IsZero() && now.Sub(changed) > time.Duration(p.ExpiryDays)*24*time.Hour
}

// Check returns the problems p finds with pass (nil = acceptable); names
// are words it must not contain (the user's name, the login).
func (p PassPolicy) Check(pass []byte, names ...string) []policy.Problem {
	return policy.CheckWith(pass, p.Rules(), names...)
}

// loadUser sets the session's user from the slot that unlocked the vault
// (cred names the user; the owner's slot and the recovery key are the
// owner) and the users table, and makes the store read as that user.
func (s *Session) loadUser(ctx context.Context, cred vault.Credential, actor string) error {
	slot := s.v.OpenedBy()
	var su sessionUser
	var pol PassPolicy
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var u *store.User
		var err error
		if slot.Owner {
			u, err = tx.OwnerUser()
		} else {
			u, err = tx.UserByName(cred.User())
			if errors.Is(err, store.ErrNotFound) || (err == nil && u.Status != store.UserActive) {
				return &vault.UnknownUserError{Name: cred.User()}
			}
		}
		if err != nil {
			return fmt.Errorf("finding the user who unlocked: %w", err)
		}
		su = sessionUser{id: u.ID, name: u.Name, displayName: u.DisplayName, owner: slot.Owner, keyFile: slot.KeyFile,
			mustChange: u.MustChange && !slot.Owner}
		if typed := strings.TrimSpace(cred.User()); slot.Owner && typed != "" && store.FoldName(typed) != store.FoldName(u.Name) {
			// A vault whose owner slot has no name opens for any name
			// that is no user's: say whose session this is.
			s.notices = append(s.notices, fmt.Sprintf("There is no user %q in this vault: it opened as its owner (%s).", typed, u.Name))
		}
		if slot.Owner {
			su.role, _ = access.BuiltinRole(access.OwnerRole)
		} else if su.role, err = resolveRole(tx, u.Role); err != nil {
			return err
		}
		if pol, err = loadPassPolicy(tx); err != nil {
			return err
		}
		if slot.Owner {
			if n, err := s.straySlots(tx); err != nil {
				return err
			} else if n > 0 {
				// Someone who held the data key (a user, or a copy of the
				// folder) added slots of their own to the header.
				s.notices = append(s.notices, fmt.Sprintf("This vault's header has %s that no user of the vault owns: "+
					"someone who could unlock it may have added a way in of their own. Change the vault key (casevault key change, "+
					"or Users → Change the vault key) to remove %s.", human.Count(n, "key slot", "key slots"), map[bool]string{true: "it", false: "them"}[n == 1]))
			}
		}
		su.expired = !cred.Type().IsRecovery() && pol.expired(u.PassChangedAt, s.now())
		su.needKey = !cred.Type().IsRecovery() && pol.RequireKeyFile && !slot.KeyFile
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case actor != "":
	case su.name == "":
		actor = OwnerActor()
	default:
		actor = su.name
	}
	s.actor = actor
	s.userMu.Lock()
	s.user = su
	s.userMu.Unlock()
	if !su.owner {
		s.st.SetViewer(store.Viewer{UserID: su.id})
	}
	if !s.readOnly && su.owner {
		writeLockoutAfter(s.Dir(), pol.LockoutAfter)
	}
	return nil
}

// nameOwner gives a new vault's owner row its name.
func (s *Session) nameOwner(ctx context.Context, name string) error {
	return s.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
		u, err := tx.OwnerUser()
		if err != nil || u.Name == name {
			return err
		}
		u.Name = name
		return tx.UpdateUser(u)
	})
}

// straySlots counts the header's user slots that are neither the owner's
// nor an active user's (vault.RemoveSlotsExcept removes them at the next
// change of the vault key).
func (s *Session) straySlots(tx *store.Tx) (int, error) {
	us, err := tx.ListUsers()
	if err != nil {
		return 0, err
	}
	vid := s.v.Info().VaultID
	known := map[[16]byte]bool{}
	for _, u := range us {
		if u.Status == store.UserActive {
			known[vault.UserTag(vid, u.Name)] = true
		}
	}
	n := 0
	for _, si := range s.v.Slots() {
		if !si.Owner && !known[si.Tag] {
			n++
		}
	}
	return n, nil
}

// UserNeedsKeyFile reports, before any unlock attempt, whether the slot of
// the user name ("" = the owner) in dir needs a key file (no derivation;
// ErrUnknownUser when there is no such user).
func UserNeedsKeyFile(dir, name string) (bool, error) {
	si, err := vault.UserSlot(dir, name)
	if err != nil {
		return false, err
	}
	return si.KeyFile, nil
}

// NewKeyFile returns the content of a new key file: 64 random bytes. Any
// file can be a key file; this one is made for the purpose.
func NewKeyFile() ([]byte, error) {
	b := make([]byte, 64)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, nil
}

// findUser reads an active user by name (a *FieldError when there is none).
func findUser(tx *store.Tx, name string) (*store.User, error) {
	u, err := tx.UserByName(strings.TrimSpace(name))
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Status != store.UserActive) {
		return nil, &FieldError{"user", fmt.Sprintf("There is no user %q in this vault", strings.TrimSpace(name))}
	}
	return u, err
}

func userRef(id int64) string { return ref("user", id) }

// isOwnerRow reports whether u is the vault's owner.
func isOwnerRow(u *store.User) bool { return strings.EqualFold(u.Role, store.OwnerRole) }

// grantable checks a role name for a user: a built-in role other than
// Owner, or a custom role of the vault. It returns the role's name as the
// vault spells it.
func grantable(tx *store.Tx, role string) (string, error) {
	role = strings.TrimSpace(role)
	if access.IsOwnerRole(role) {
		return "", &FieldError{"role", "A vault has one owner, the person who created it; give another role (a custom role can have users: edit)"}
	}
	if b, ok := access.BuiltinRole(role); ok {
		return b.Name, nil
	}
	r, err := tx.GetRole(role)
	if errors.Is(err, store.ErrNotFound) {
		return "", &FieldError{"role", fmt.Sprintf("There is no role %q: use Attorney, Paralegal, Assistant, Read-only or a custom role", role)}
	}
	if err != nil {
		return "", err
	}
	return r.Name, nil
}

// ListUsers returns the vault's users, the owner first; removed users are
// listed too (Status "removed"): their names stay in the audit trail.
func (s *Session) ListUsers(ctx context.Context) ([]UserSummary, error) {
	if err := s.allow(ctx, access.ListUsers); err != nil {
		return nil, err
	}
	var out []UserSummary
	err := s.view(ctx, "user.list", func(tx *store.Tx) (string, string, error) {
		us, err := tx.ListUsers()
		if err != nil {
			return "", "", err
		}
		pol, err := loadPassPolicy(tx)
		if err != nil {
			return "", "", err
		}
		now := s.now()
		for _, u := range us {
			owner := isOwnerRow(u)
			role := u.Role
			if owner {
				role = access.OwnerRole
			}
			f := LoadUserUnlockFailures(s.Dir(), u.Name)
			if g := LoadUserUnlockFailures(s.Dir(), ""); owner && g.Count > f.Count {
				f = g // the owner types their name, or none
			}
			sum := UserSummary{Name: u.Name, Role: role, Owner: owner, Status: u.Status, Removed: u.Status == store.UserRemoved,
				MustChange: u.MustChange, KeyFile: u.KeyFile, PassChangedAt: u.PassChangedAt, Created: u.CreatedAt,
				Expired: pol.expired(u.PassChangedAt, now), Failures: f.Count}
			if w := f.Wait(now); w > 0 {
				sum.LockedFor, sum.LockedUntil = w, now.Add(w)
			}
			out = append(out, sum)
		}
		return "", human.Count(len(out), "user", "users"), nil
	})
	return out, err
}

// AddUser adds a user with a role and returns their one-time passphrase,
// to be given to them; they must choose their own at their first unlock.
// Their key slot is added first, then their row (the slot is removed again
// if the row cannot be written).
func (s *Session) AddUser(ctx context.Context, name, role string, opts AddUserOptions) (string, error) {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return "", err
	}
	name, err := ValidateUserName(name)
	if err != nil {
		return "", err
	}
	var pol PassPolicy
	var existing *store.User
	err = s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		if role, err = grantable(tx, role); err != nil {
			return err
		}
		if pol, err = loadPassPolicy(tx); err != nil {
			return err
		}
		u, err := tx.UserByName(name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil
		case err != nil:
			return err
		case u.Status == store.UserActive:
			return &FieldError{"name", fmt.Sprintf("There is already a user %q in this vault", u.Name)}
		}
		existing = u // a removed user comes back under their old row (their access lists and audit entries)
		return nil
	})
	if err != nil {
		return "", err
	}
	if pol.RequireKeyFile && opts.KeyFile == nil {
		return "", &FieldError{"key_file", "This vault's policy asks for a key file for every user: make or choose one for " + name}
	}
	kdf := s.v.Info().KDF
	if opts.KDF != nil {
		kdf = *opts.KDF
	}
	pass := newOneTimePassphrase()
	defer clear(pass)
	if err := s.v.AddUserSlot(name, pass, opts.KeyFile, kdf); err != nil {
		if errors.Is(err, vault.ErrUserExists) {
			return "", &FieldError{"name", fmt.Sprintf("There is already a user %q in this vault", name)}
		}
		return "", fmt.Errorf("adding %s's key slot: %w", name, err)
	}
	err = s.update(ctx, "user.add", func(tx *store.Tx) (string, string, error) {
		now := s.now()
		id := int64(0)
		var err error
		if existing != nil {
			u := *existing
			u.Role, u.Status, u.MustChange, u.KeyFile, u.PassChangedAt, u.RemovedAt = role, store.UserActive, true, opts.KeyFile != nil, now, nil
			id, err = u.ID, tx.UpdateUser(&u)
		} else {
			id, err = tx.InsertUser(&store.User{Name: name, Role: role, Status: store.UserActive, MustChange: true, KeyFile: opts.KeyFile != nil}, now)
		}
		detail := fmt.Sprintf("%s as %s", name, role)
		if opts.KeyFile != nil {
			detail += ", with a key file"
		}
		return userRef(id), detail, err
	})
	if err != nil {
		if rerr := s.v.RemoveUserSlot(name); rerr != nil {
			return "", fmt.Errorf("%w (and removing the key slot again failed: %v; remove the user %s)", err, rerr, name)
		}
		return "", err
	}
	ResetUserUnlockFailures(s.Dir(), name)
	return string(pass), nil
}

// SetUserRole gives a user another role. The owner's role cannot change.
func (s *Session) SetUserRole(ctx context.Context, name, role string) error {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return err
	}
	return s.update(ctx, "user.role", func(tx *store.Tx) (string, string, error) {
		tx = tx.As(store.Everyone)
		u, err := findUser(tx, name)
		if err != nil {
			return "", "", err
		}
		if isOwnerRow(u) {
			return "", "", &FieldError{"user", "The owner's role cannot change"}
		}
		r, err := grantable(tx, role)
		if err != nil {
			return "", "", err
		}
		old := u.Role
		u.Role = r
		return userRef(u.ID), fmt.Sprintf("%s: %s → %s", u.Name, old, r), tx.UpdateUser(u)
	})
}

// RemoveUser removes a user's key slot and marks them removed (their name
// stays in the audit trail and the access lists). With rotate, it then
// changes the vault key (RotateDataKey): a copy of the vault folder they
// may have taken while their passphrase worked holds the old key, which
// then opens none of what the vault writes from now on.
func (s *Session) RemoveUser(ctx context.Context, name string, rotate bool) (*RotationReport, error) {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return nil, err
	}
	var removed string
	err := s.update(ctx, "user.remove", func(tx *store.Tx) (string, string, error) {
		tx = tx.As(store.Everyone)
		u, err := findUser(tx, name)
		if err != nil {
			return "", "", err
		}
		if isOwnerRow(u) {
			return "", "", &FieldError{"user", "The owner cannot be removed"}
		}
		if u.ID == s.currentUser().id {
			return "", "", &FieldError{"user", "You cannot remove yourself; ask the owner"}
		}
		// The slot goes first, inside the transaction: if the row cannot
		// be written the transaction fails and the user, slot gone, can no
		// longer unlock, which is what was asked; the reverse order could
		// leave a removed user whose passphrase still opens the vault.
		if err := s.v.RemoveUserSlot(u.Name); err != nil && !errors.Is(err, vault.ErrUnknownUser) {
			return "", "", fmt.Errorf("removing %s's key slot: %w", u.Name, err)
		}
		now := s.now()
		u.Status, u.RemovedAt, u.MustChange = store.UserRemoved, &now, false
		removed = u.Name
		detail := u.Name
		if rotate {
			detail += "; the vault key is changed next"
		}
		return userRef(u.ID), detail, tx.UpdateUser(u)
	})
	if err != nil {
		return nil, err
	}
	ResetUserUnlockFailures(s.Dir(), removed)
	if !rotate {
		return nil, nil
	}
	rep, err := s.rotate(ctx, removed)
	if err != nil {
		return nil, &KeyNotChangedError{Removed: removed, Err: err}
	}
	return rep, nil
}

// KeyNotChangedError is RemoveUser's error when the user was removed but
// the change of the vault key that was to follow failed (Err: why, e.g.
// vault.ErrRotationBusy or vault.ErrDocumentsBusy): the removal stands.
type KeyNotChangedError struct {
	Removed string // the removed user's name
	Err     error
}

func (e *KeyNotChangedError) Error() string {
	return fmt.Sprintf("%s was removed, but changing the vault key failed (change it again from Users): %v", e.Removed, e.Err)
}

func (e *KeyNotChangedError) Unwrap() error { return e.Err }

// ResetUserPassphrase gives a user a new one-time passphrase (they must
// choose their own at their next unlock) and clears their lockout. The
// user's key file, if any, is no longer needed: the owner does not hold it;
// the user sets one again when they choose their passphrase (the policy
// can require it).
func (s *Session) ResetUserPassphrase(ctx context.Context, name string) (string, error) {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return "", err
	}
	pass := newOneTimePassphrase()
	defer clear(pass)
	var who string
	err := s.update(ctx, "user.reset", func(tx *store.Tx) (string, string, error) {
		tx = tx.As(store.Everyone)
		u, err := findUser(tx, name)
		if err != nil {
			return "", "", err
		}
		if isOwnerRow(u) {
			return "", "", &FieldError{"user", "The owner's passphrase is changed with Change passphrase (or the recovery key), not reset"}
		}
		if err := s.v.ChangeUserSlot(u.Name, pass, nil, nil); err != nil {
			return "", "", fmt.Errorf("resetting %s's key slot: %w", u.Name, err)
		}
		u.MustChange, u.KeyFile, u.PassChangedAt = true, false, s.now()
		who = u.Name
		return userRef(u.ID), u.Name, tx.UpdateUser(u)
	})
	if err != nil {
		return "", err
	}
	ResetUserUnlockFailures(s.Dir(), who)
	return string(pass), nil
}

// ClearLockout removes a user's wrong-unlock count and wait on this vault
// folder.
func (s *Session) ClearLockout(ctx context.Context, name string) error {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return err
	}
	return s.update(ctx, "user.unlock-clear", func(tx *store.Tx) (string, string, error) {
		u, err := findUser(tx.As(store.Everyone), name)
		if err != nil {
			return "", "", err
		}
		if isOwnerRow(u) { // the owner types their name, or none
			if err := ResetUserUnlockFailures(s.Dir(), ""); err != nil {
				return "", "", err
			}
		}
		return userRef(u.ID), u.Name, ResetUserUnlockFailures(s.Dir(), u.Name)
	})
}

// ListRoles returns the built-in roles and the vault's custom roles.
func (s *Session) ListRoles(ctx context.Context) ([]access.Role, error) {
	if err := s.allow(ctx, access.ListRoles); err != nil {
		return nil, err
	}
	var out []access.Role
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		rs, err := tx.ListRoles()
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, r := range access.BuiltinRoles() {
			out = append(out, r)
			seen[strings.ToLower(r.Name)] = true
		}
		for _, r := range rs {
			if !seen[strings.ToLower(r.Name)] {
				out = append(out, roleFromStore(r))
			}
		}
		return nil
	})
	return out, err
}

// SaveRole adds or changes a custom role (access.ValidateCustom).
func (s *Session) SaveRole(ctx context.Context, r access.Role) error {
	if err := s.allow(ctx, access.ManageRoles); err != nil {
		return err
	}
	r, err := access.ValidateCustom(r)
	if err != nil {
		return &FieldError{"role", strings.TrimPrefix(err.Error(), access.ErrBadRole.Error()+": ")}
	}
	return s.update(ctx, "role.save", func(tx *store.Tx) (string, string, error) {
		row := &store.Role{Name: r.Name, Perms: r.Perms.JSON()}
		_, err := tx.GetRole(r.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = tx.InsertRole(row)
		case err == nil:
			err = tx.UpdateRole(row)
		}
		return "", r.Name + " " + row.Perms, err
	})
}

// DeleteRole deletes a custom role no active user has.
func (s *Session) DeleteRole(ctx context.Context, name string) error {
	if err := s.allow(ctx, access.ManageRoles); err != nil {
		return err
	}
	err := s.update(ctx, "role.delete", func(tx *store.Tx) (string, string, error) {
		return "", strings.TrimSpace(name), tx.DeleteRole(strings.TrimSpace(name))
	})
	switch {
	case errors.Is(err, store.ErrBuiltinRole):
		return &FieldError{"role", fmt.Sprintf("%s is a built-in role and cannot be deleted", name)}
	case errors.Is(err, store.ErrRoleInUse):
		return &FieldError{"role", fmt.Sprintf("Some users have the role %s: give them another role first", name)}
	}
	return err
}

// PassPolicy returns the vault's passphrase policy.
func (s *Session) PassPolicy(ctx context.Context) (PassPolicy, error) {
	var p PassPolicy
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		p, err = loadPassPolicy(tx)
		return err
	})
	return p, err
}

// SetPassPolicy changes the vault's passphrase policy. It applies to the
// next passphrase each user chooses (and expiry at their next unlock).
func (s *Session) SetPassPolicy(ctx context.Context, p PassPolicy) error {
	if err := s.allow(ctx, access.SetPolicy); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(p)
	err := s.update(ctx, "policy.set", func(tx *store.Tx) (string, string, error) {
		return "", string(b), tx.SetSetting(passPolicySetting, string(b))
	})
	if err != nil {
		return err
	}
	return writeLockoutAfter(s.Dir(), p.LockoutAfter)
}

// SetSecurityClass puts a client or matter (kind "client" or "matter") in a
// class (ClassGeneral, ClassRestricted, ClassWalled) with its named users:
// restricted, only they (and the owner) see it; walled, everyone but them.
// The change is in the audit trail (from which class to which, and the names).
func (s *Session) SetSecurityClass(ctx context.Context, kind string, id int64, class string, users []string) error {
	if kind != store.KindClient && kind != store.KindMatter {
		return &FieldError{"kind", fmt.Sprintf("%q is not client or matter", kind)}
	}
	if err := s.allow(ctx, access.SetClassOf, ref(kind, id)); err != nil {
		return err
	}
	if !store.ValidClass(class) {
		return &FieldError{"class", fmt.Sprintf("%q is not a security class: use general, restricted or walled", class)}
	}
	err := s.update(ctx, "class.set", func(tx *store.Tx) (string, string, error) {
		var ids []int64
		var names []string
		for _, n := range users {
			if strings.TrimSpace(n) == "" {
				continue
			}
			u, err := findUser(tx.As(store.Everyone), n)
			if err != nil {
				return "", "", err
			}
			ids = append(ids, u.ID)
			names = append(names, u.Name)
		}
		old, _, err := tx.Access(kind, id)
		if err != nil {
			return "", "", err
		}
		detail := fmt.Sprintf("%s → %s", old, class)
		if len(names) > 0 && class != ClassGeneral {
			detail += "; users: " + strings.Join(names, ", ")
		}
		return ref(kind, id), detail, tx.SetSecurityClass(kind, id, class, ids)
	})
	if err == nil {
		s.mu.Lock()
		s.gen++ // the conflict index's hidden names changed
		s.mu.Unlock()
	}
	return err
}

// accessUsers names the users on a record's access list, for a role that
// reads users.
func (s *Session) accessUsers(tx *store.Tx, kind string, id int64) ([]string, error) {
	if !s.Can(access.Users, access.Read) {
		return nil, nil
	}
	_, ids, err := tx.Access(kind, id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, uid := range ids {
		u, err := tx.As(store.Everyone).GetUser(uid)
		if err != nil {
			return nil, err
		}
		out = append(out, u.Name)
	}
	return out, nil
}

// SecurityClass returns a client's or matter's class and named users (the
// names only to a role that reads users).
func (s *Session) SecurityClass(ctx context.Context, kind string, id int64) (*SecurityInfo, error) {
	v := access.ViewClient
	if kind == store.KindMatter {
		v = access.ViewMatter
	}
	if err := s.allow(ctx, v, ref(kind, id)); err != nil {
		return nil, err
	}
	names := s.Can(access.Users, access.Read)
	info := &SecurityInfo{}
	err := s.st.View(ctx, func(tx *store.Tx) error {
		class, ids, err := tx.Access(kind, id)
		if err != nil {
			return err
		}
		info.Class = class
		if !names {
			return nil
		}
		for _, uid := range ids {
			u, err := tx.GetUser(uid)
			if err != nil {
				return err
			}
			info.Users = append(info.Users, u.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

// CheckNewPassphrase returns the problems the vault's policy finds with a
// passphrase the session's user would choose (nil = acceptable), for a
// form that checks as the person types. ChangeOwnPassphrase checks again,
// and also refuses a passphrase the user had before (PassPolicy.NoReuse).
func (s *Session) CheckNewPassphrase(ctx context.Context, pass []byte) []policy.Problem {
	p, err := s.PassPolicy(ctx)
	if err != nil {
		p = DefaultPassPolicy()
	}
	return p.Check(pass, s.passNames()...)
}

func (s *Session) passNames() []string {
	return append(UserNames(), s.currentUser().name)
}

// sameMessage refuses a new passphrase that is the one the user has now
// (a *FieldError for the field "passphrase"; IsSamePassphrase tells it
// apart).
const sameMessage = "This is the passphrase you have now: choose a new one"

// IsSamePassphrase reports whether err refused a new passphrase because it
// is the one the user has now.
func IsSamePassphrase(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Field == "passphrase" && fe.Message == sameMessage
}

// ChangeOwnPassphrase sets the session's user's passphrase and key file
// (nil = none; a slot that had one then no longer needs it) after checking
// them against the policy: its rules, a key file if it requires one, and
// none of the user's last NoReuse passphrases. It is the one operation a
// user who must change their passphrase can do, and ends that state.
func (s *Session) ChangeOwnPassphrase(ctx context.Context, newPass, keyFile []byte) error {
	return s.changeOwn(ctx, newPass, keyFile, nil, true)
}

func (s *Session) changeOwn(ctx context.Context, newPass, keyFile []byte, params *vault.KDFParams, checkPolicy bool) error {
	if s.readOnly {
		return vault.ErrReadOnly
	}
	u := s.currentUser()
	pol, err := s.PassPolicy(ctx)
	if err != nil {
		return err
	}
	if checkPolicy {
		if ps := pol.Check(newPass, s.passNames()...); len(ps) > 0 {
			return &PolicyError{Problems: ps}
		}
	}
	if pol.RequireKeyFile && keyFile == nil {
		return &FieldError{"key_file", "This vault's policy asks for a key file with every passphrase: choose or make one"}
	}
	hkey, err := s.passHistoryKey(ctx)
	if err != nil {
		return err
	}
	if pol.NoReuse > 0 {
		var old [][]byte
		if err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
			var err error
			old, err = tx.PassHistory(u.id, pol.NoReuse)
			return err
		}); err != nil {
			return err
		}
		for _, v := range old {
			if verifierMatches(hkey, u.id, newPass, v) {
				return &FieldError{"passphrase", fmt.Sprintf("You have used this passphrase before; this vault's policy asks for one that is not among your last %s",
					human.Count(pol.NoReuse, "passphrase", "passphrases"))}
			}
		}
	}
	// Not the passphrase the user has now (with the same key file, or
	// none as now: adding, dropping or replacing a key file is a change):
	// tried on a copy of the header as an unlock would (CheckOwnPassphrase:
	// one derivation of the slot's key whatever the answer, nothing
	// written, no wrong attempt counted). The passphrase history cannot
	// say it: a passphrase set at init or by a reset is not in it.
	if u.keyFile == (keyFile != nil) {
		switch err := s.CheckOwnPassphrase(ctx, newPass, keyFile); {
		case err == nil:
			return &FieldError{"passphrase", sameMessage}
		case !errors.Is(err, ErrNotCurrentPassphrase):
			return fmt.Errorf("comparing the new passphrase with the one you have now: %w", err)
		}
	}
	verifier := newVerifier(hkey, u.id, newPass)
	if s.v.HeaderVersion() < 2 && keyFile == nil {
		err = s.v.ChangePassphrase(newPass, params)
	} else {
		err = s.v.ChangeUserSlot("", newPass, keyFile, params)
	}
	if err != nil {
		return err
	}
	s.userMu.Lock()
	s.user.mustChange, s.user.expired, s.user.needKey, s.user.keyFile = false, false, false, keyFile != nil
	s.userMu.Unlock()
	err = s.update(ctx, "passphrase.change", func(tx *store.Tx) (string, string, error) {
		tx = tx.As(store.Everyone)
		row, err := tx.GetUser(u.id)
		if err != nil {
			return "", "", err
		}
		row.MustChange, row.KeyFile, row.PassChangedAt = false, keyFile != nil, s.now()
		if err := tx.UpdateUser(row); err != nil {
			return "", "", err
		}
		if err := tx.AddPassHistory(u.id, s.now(), verifier); err != nil {
			return "", "", err
		}
		if err := recordStrength(tx, u.id, newPass, s.passNames(), s.now()); err != nil { // for the security check (checkup.go)
			return "", "", err
		}
		detail := ""
		if keyFile != nil {
			detail = "with a key file"
		}
		return userRef(u.id), detail, tx.TrimPassHistory(u.id, MaxNoReuse)
	})
	if err != nil {
		return fmt.Errorf("the passphrase WAS changed (use the new one from now on), but recording the change in the vault failed: %w", err)
	}
	return nil
}

// hidesCounts reports whether the session's user sees fewer clients,
// matters, parties or notes than the vault holds: whole-vault counts
// (a snapshot's, a drill's, the vault's last change) would then tell them
// how many records are hidden from them, so those reports leave them out.
func (s *Session) hidesCounts(ctx context.Context) bool {
	if s.currentUser().owner {
		return false
	}
	var mine, all store.Counts
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		if mine, err = tx.Counts(); err != nil {
			return err
		}
		all, err = tx.As(store.Everyone).Counts()
		return err
	})
	return err != nil || mine != all
}
