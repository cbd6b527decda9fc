package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"casevault/app/access"
	"casevault/app/policy"
)

// ErrUsersUnavailable: the users part of this build is not wired to the
// vault yet (issue 10 in progress); only the owner exists.
var ErrUsersUnavailable = errors.New("users and roles are not available in this build yet")

// UserSummary is one user in ListUsers.
type UserSummary struct {
	Name        string        `json:"name"`
	Role        string        `json:"role"`
	Owner       bool          `json:"owner"`
	Removed     bool          `json:"removed"`
	MustChange  bool          `json:"must_change"` // has not chosen their own passphrase yet
	Expired     bool          `json:"expired"`     // their passphrase is older than the policy's expiry
	KeyFile     bool          `json:"key_file"`
	PassChanged time.Time     `json:"pass_changed"`
	Created     time.Time     `json:"created"`
	Failures    int           `json:"failures"`   // wrong unlocks in a row (on this vault folder)
	LockedFor   time.Duration `json:"locked_for"` // how long until their next unlock attempt is allowed
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
	Took     time.Duration `json:"took"`
	Clients  int           `json:"clients"`
	Users    []string      `json:"users"` // who can still unlock (besides the recovery key)
	Removed  string        `json:"removed,omitempty"`
	Recovery RecoveryKey   `json:"-"` // a NEW recovery key, to be shown once; "" if the old one still works
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
	return name, nil
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

// ListUsers returns the vault's users, the owner first.
func (s *Session) ListUsers(ctx context.Context) ([]UserSummary, error) {
	if err := s.allow(ctx, access.ListUsers); err != nil {
		return nil, err
	}
	u := s.currentUser()
	return []UserSummary{{Name: u.name, Role: u.role.Name, Owner: true}}, nil
}

// AddUser adds a user with a role and returns their one-time passphrase,
// to be given to them; they must choose their own at their first unlock.
func (s *Session) AddUser(ctx context.Context, name, role string, opts AddUserOptions) (string, error) {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return "", err
	}
	return "", ErrUsersUnavailable
}

// SetUserRole gives a user another role. The owner's role cannot change.
func (s *Session) SetUserRole(ctx context.Context, name, role string) error {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return err
	}
	return ErrUsersUnavailable
}

// RemoveUser removes a user's key slot and marks them removed (their name
// stays in the audit trail). With rotate, it also changes the vault key
// (RotateDataKey), so that a copy of the vault folder they may have taken
// no longer opens with their passphrase once the vault changes again.
func (s *Session) RemoveUser(ctx context.Context, name string, rotate bool) (*RotationReport, error) {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return nil, err
	}
	return nil, ErrUsersUnavailable
}

// ResetUserPassphrase gives a user a new one-time passphrase (they must
// choose their own at their next unlock) and clears their lockout.
func (s *Session) ResetUserPassphrase(ctx context.Context, name string) (string, error) {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return "", err
	}
	return "", ErrUsersUnavailable
}

// ClearLockout removes a user's wrong-unlock count and wait on this vault.
func (s *Session) ClearLockout(ctx context.Context, name string) error {
	if err := s.allow(ctx, access.ManageUsers); err != nil {
		return err
	}
	return ErrUsersUnavailable
}

// RotateDataKey changes the vault key: a new data key, everything sealed
// again under it, every user's slot resealed.
func (s *Session) RotateDataKey(ctx context.Context) (*RotationReport, error) {
	if err := s.allow(ctx, access.RotateKey); err != nil {
		return nil, err
	}
	return nil, ErrUsersUnavailable
}

// ListRoles returns the built-in roles and the vault's custom roles.
func (s *Session) ListRoles(ctx context.Context) ([]access.Role, error) {
	if err := s.allow(ctx, access.ListRoles); err != nil {
		return nil, err
	}
	return access.BuiltinRoles(), nil
}

// SaveRole adds or changes a custom role (access.ValidateCustom).
func (s *Session) SaveRole(ctx context.Context, r access.Role) error {
	if err := s.allow(ctx, access.ManageRoles); err != nil {
		return err
	}
	return ErrUsersUnavailable
}

// DeleteRole deletes a custom role no user has.
func (s *Session) DeleteRole(ctx context.Context, name string) error {
	if err := s.allow(ctx, access.ManageRoles); err != nil {
		return err
	}
	return ErrUsersUnavailable
}

// PassPolicy returns the vault's passphrase policy.
func (s *Session) PassPolicy(ctx context.Context) (PassPolicy, error) {
	return DefaultPassPolicy(), nil
}

// SetPassPolicy changes the vault's passphrase policy.
func (s *Session) SetPassPolicy(ctx context.Context, p PassPolicy) error {
	if err := s.allow(ctx, access.SetPolicy); err != nil {
		return err
	}
	return ErrUsersUnavailable
}

// SetSecurityClass puts a client or matter (kind "client" or "matter") in a
// class (ClassGeneral, ClassRestricted, ClassWalled) with its named users.
func (s *Session) SetSecurityClass(ctx context.Context, kind string, id int64, class string, users []string) error {
	if err := s.allow(ctx, access.SetClassOf, ref(kind, id)); err != nil {
		return err
	}
	return ErrUsersUnavailable
}

// SecurityClass returns a client's or matter's class and named users.
func (s *Session) SecurityClass(ctx context.Context, kind string, id int64) (*SecurityInfo, error) {
	return &SecurityInfo{Class: ClassGeneral}, nil
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
	u := s.currentUser()
	return policy.CheckWith(pass, p.Rules(), append(UserNames(), u.name)...)
}

// ChangeOwnPassphrase sets the session's user's passphrase (and key file:
// nil = none) after checking it against the policy. It is the one
// operation a user who must change their passphrase can do.
func (s *Session) ChangeOwnPassphrase(ctx context.Context, newPass, keyFile []byte) error {
	if ps := s.CheckNewPassphrase(ctx, newPass); len(ps) > 0 {
		return &PolicyError{Problems: ps}
	}
	if keyFile != nil {
		return ErrUsersUnavailable
	}
	if err := s.v.ChangePassphrase(newPass, nil); err != nil {
		return err
	}
	s.userMu.Lock()
	s.user.mustChange, s.user.expired = false, false
	s.userMu.Unlock()
	if err := s.audit(ctx, "passphrase.change", "", ""); err != nil {
		return fmt.Errorf("the passphrase WAS changed (use the new one from now on), but recording the change in the audit trail failed: %w", err)
	}
	return nil
}
