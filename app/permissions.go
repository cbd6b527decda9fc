package app

import (
	"context"
	"errors"
	"strings"
	"sync"

	"casevault/app/access"
)

// Permission errors callers tell apart with errors.Is.
var (
	// ErrDenied: the user's role does not allow the operation. The error
	// is an *access.DeniedError whose message is whole: "Your role
	// (Paralegal) cannot delete clients; ask the owner". The refusal is
	// itself in the audit trail (action "denied").
	ErrDenied = access.ErrDenied
	// ErrMustChangePassphrase: the user unlocked with a one-time
	// passphrase the owner gave them, or one that has expired; until they
	// choose their own (ChangeOwnPassphrase) every other operation returns
	// this error (a *MustChangeError).
	ErrMustChangePassphrase = errors.New("choose your own passphrase first")
)

// MustChangeError says why the user must choose a passphrase now.
type MustChangeError struct {
	Expired bool // the passphrase is older than the policy allows
	// KeyFile: the policy now requires a key file and the user's slot has
	// none. Neither: it was a one-time passphrase.
	KeyFile bool
}

func (e *MustChangeError) Error() string {
	if e.KeyFile {
		return "This vault's passphrase policy now asks for a key file with every passphrase: choose your passphrase again, with a key file, before anything else"
	}
	if e.Expired {
		return "Your passphrase has expired under this vault's passphrase policy: choose a new one before anything else"
	}
	return "You unlocked with the one-time passphrase the owner gave you: choose your own passphrase before anything else"
}

// Is reports whether target is ErrMustChangePassphrase.
func (e *MustChangeError) Is(target error) bool { return target == ErrMustChangePassphrase }

// UserInfo is who a session acts as, for the window and the command line.
type UserInfo struct {
	Name        string       `json:"name"`
	DisplayName string       `json:"display_name,omitempty"` // signs notes; "" = Name (Session.DisplayName gives the one to use)
	Role        string       `json:"role"`
	Owner       bool         `json:"owner"`
	Perms       access.Perms `json:"perms"`
	MustChange  bool         `json:"must_change"`   // a one-time passphrase: only ChangeOwnPassphrase, Close and User work
	Expired     bool         `json:"expired"`       // the passphrase expired: the same
	NeedKeyFile bool         `json:"need_key_file"` // the policy requires a key file the slot lacks: the same
	KeyFile     bool         `json:"key_file"`      // the user's slot needs a key file
}

// sessionUser is the session's user and role; guarded by Session.userMu.
type sessionUser struct {
	id          int64 // users.id; 0 before the vault has a users table (the owner)
	name        string
	displayName string // signs notes; "" = name
	role        access.Role
	owner       bool
	mustChange  bool
	expired     bool
	needKey     bool // the policy requires a key file and the slot has none
	keyFile     bool
}

// ownerUser is the user of a vault without users: its owner, who may do
// everything.
func ownerUser(name string) sessionUser {
	r, _ := access.BuiltinRole(access.OwnerRole)
	return sessionUser{name: name, role: r, owner: true}
}

// blocked: the user must choose a passphrase before anything else.
func (u sessionUser) blocked() bool { return u.mustChange || u.expired || u.needKey }

// userState holds the session's user; a separate mutex from Session.mu
// because permission checks run inside methods that take that one.
type userState struct {
	userMu sync.RWMutex
	user   sessionUser
}

func (s *Session) currentUser() sessionUser {
	s.userMu.RLock()
	defer s.userMu.RUnlock()
	return s.user
}

// User says who the session acts as.
func (s *Session) User() UserInfo {
	u := s.currentUser()
	return UserInfo{Name: u.name, DisplayName: u.displayName, Role: u.role.Name, Owner: u.owner, Perms: u.role.Perms.Clone(),
		MustChange: u.mustChange, Expired: u.expired, NeedKeyFile: u.needKey, KeyFile: u.keyFile}
}

// Can reports whether the session's user may do at least level on kind, for
// a front end that hides or disables what the role does not allow. The
// operations check again (and record a refusal) whatever the front end
// shows. A user who must change their passphrase can do nothing else.
func (s *Session) Can(kind access.Kind, level access.Level) bool {
	u := s.currentUser()
	return !u.blocked() && u.role.Allows(kind, level)
}

// CanDo is Can for one operation (which may need two grants).
func (s *Session) CanDo(v access.Verb) bool {
	u := s.currentUser()
	return !u.blocked() && u.role.AllowsVerb(v)
}

// allow checks that the session's user may do v before an operation. A
// refusal is recorded in the audit trail (action "denied", the records the
// operation would have touched, and in the detail what was tried) and
// returned as an *access.DeniedError; a user who must choose a passphrase
// gets a *MustChangeError (not recorded: it is not an attempt at data).
func (s *Session) allow(ctx context.Context, v access.Verb, records ...string) error {
	u := s.currentUser()
	if u.blocked() {
		return &MustChangeError{Expired: u.expired && !u.mustChange, KeyFile: u.needKey && !u.mustChange && !u.expired}
	}
	err := access.Check(u.role, v)
	if err == nil {
		return nil
	}
	if aerr := s.audit(ctx, "denied", strings.Join(nonEmpty(records), " "), "tried to "+v.Words); aerr != nil {
		return errors.Join(err, aerr)
	}
	return err
}

func nonEmpty(ss []string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
