// Package app holds casevault's use-cases: opening and locking a session,
// clients, matters, notes, search, conflict checks, the passphrase and the
// audit trail. It is the one API that the window (ui/) and the command line
// call; it reaches the database only through store/ and the keys only
// through vault/.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"casevault/app/conflict"
	"casevault/store"
	"casevault/vault"
)

// Errors callers tell apart with errors.Is (besides vault's and store's).
var (
	// ErrInvalid: a field failed validation; the message says which and why.
	ErrInvalid = errors.New("invalid input")
)

// FieldError is a validation failure of one named field. Message is a
// whole sentence without its full stop that names the field in words
// itself ("The name is too long (...)"), so the window can show it under
// the field and the command line on its own; Field is the field's key
// (name, email, text, ...) for the form.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Is reports whether target is ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// DefaultDir is the platform's place for the vault: $XDG_DATA_HOME/casevault
// (or ~/.local/share/casevault) on Linux, ~/Library/Application
// Support/casevault on macOS, %LOCALAPPDATA%\casevault on Windows. It is
// "" when there is no such place (no home folder: HOME is not set), never
// a folder relative to wherever the program happens to run; the caller
// then asks for the folder (ErrNoDefaultDir says how).
func DefaultDir() string {
	home, err := os.UserHomeDir()
	if err != nil || !filepath.IsAbs(home) {
		home = ""
	}
	in := func(base string, elem ...string) string {
		if base == "" {
			return ""
		}
		return filepath.Join(append([]string{base}, elem...)...)
	}
	switch runtime.GOOS {
	case "darwin":
		return in(home, "Library", "Application Support", "casevault")
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); filepath.IsAbs(d) {
			return filepath.Join(d, "casevault")
		}
		return in(home, "AppData", "Local", "casevault")
	}
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) { // a relative one is to be ignored
		return filepath.Join(d, "casevault")
	}
	return in(home, ".local", "share", "casevault")
}

// ErrNoDefaultDir: DefaultDir found no place for the vault; the message
// says to name the folder.
var ErrNoDefaultDir = errors.New("there is no home folder (HOME is not set), so casevault has no default place for the vault: " +
	"give the vault's folder with --vault DIR")

// OwnerActor names in the audit trail a vault owner who has no user name
// of their own: "owner". The owner acts under their user name, never the
// operating system's login; entries written before said "owner (login)",
// and still count as the owner's (IsActor, ActivityReport).
func OwnerActor() string { return store.OwnerRole }

// UserNames are the login and full name of the person at the keyboard, for
// the passphrase policy.
func UserNames() []string {
	u, err := user.Current()
	if err != nil {
		return nil
	}
	return []string{u.Username, u.Name}
}

// Options for Open. The zero value is the production setting.
type Options struct {
	Actor string           // who acts, for the audit trail; "" = the user's name
	Now   func() time.Time // nil = time.Now
	Store store.Options
	// CommandLine: the session runs one command of the command line. The
	// audit trail then gets what the command did, not an "unlock" and a
	// "lock" around it: every entry the session writes says in its detail
	// where it came from and which credential unlocked ("command line,
	// with the passphrase; ..."), and a command that recorded nothing
	// (a failed one) still leaves one "unlock" entry of the same words at
	// Close, so every opening of the vault is in the trail.
	//
	// Its Close checkpoints only when the redo log holds more than
	// CommandLineCheckpointBytes (unless Store.CloseCheckpointBytes says
	// otherwise): a command's few records are durable in the log and cost
	// the next open a few milliseconds to replay, far less than a
	// checkpoint of the whole vault costs this command.
	CommandLine bool
}

// CommandLineCheckpointBytes is how much redo log a command-line session
// leaves for the next open to replay instead of checkpointing at Close.
// Measured at 10,000 clients (app TestHeavyReplayCost, on a 2-core machine
// at load 8): replaying what commands write (views, edits, searches with
// their audit entries) cost the next open 0.4–0.7 ms per KiB from 256 KiB
// up (256 KiB +93 ms, 1 MiB +0.71 s, 4 MiB +1.67 s; 64 KiB +80 ms, noisy),
// against 0.3–1 s for a checkpoint at 10,000 clients then. A command writes
// about 0.4 KiB (its one audit entry), so a threshold T costs each command
// on average checkpoint×0.4/T plus replay×T/2, least near 32–64 KiB; at 64
// KiB a checkpoint comes every ~150 commands instead of after every one.
// Automatic checkpoints at store's DefaultCheckpointBytes (4 MiB) bound the
// log whatever the front end.
const CommandLineCheckpointBytes = 64 << 10

// InitOptions for Init. KDF must be set explicitly (see vault.Calibrate).
type InitOptions struct {
	KDF vault.KDFParams
	// Owner is the owner's user name ("" = "owner"): the name the owner
	// gives with --user or on the unlock screen (a credential without a
	// name is the owner's too).
	Owner string
	// DisplayName is the owner's display name, the name that signs their
	// notes ("" = their user name; SetDisplayName changes it later).
	DisplayName string
	Actor       string
	Now         func() time.Time
	Store       store.Options
}

// Init creates a vault in dir, opens its database once to create the schema,
// records the creation in the audit trail and closes it. It returns the
// recovery key, to be shown once. The vault is pending: the folder becomes
// a vault only when ConfirmInit is called, once the recovery key has been
// shown (and, in the window, retyped). Until then it cannot be opened, and
// an interrupted creation is started over by the next Init, so a killed
// init never leaves a vault whose recovery key nobody saw.
func Init(ctx context.Context, dir string, pass []byte, opts InitOptions) (vault.RecoveryKey, error) {
	owner := store.OwnerRole
	if opts.Owner != "" {
		var err error
		if owner, err = ValidateUserName(opts.Owner); err != nil {
			return "", err
		}
	}
	display, err := ValidateDisplayName(opts.DisplayName)
	if err != nil {
		return "", err
	}
	v, rk, err := vault.Create(dir, pass, vault.CreateOptions{KDF: opts.KDF, Now: opts.Now, Pending: true, Owner: opts.Owner})
	if err != nil {
		return "", err
	}
	if opts.Store.Roles == nil {
		opts.Store.Roles = storeRoles()
	}
	st, err := store.Open(ctx, v, opts.Store)
	if err != nil {
		v.Close()
		removeNewVault(dir)
		return "", err
	}
	s := newSession(v, st, Options{Actor: opts.Actor, Now: opts.Now, Store: opts.Store})
	err = s.nameOwner(ctx, owner)
	if err == nil {
		err = s.recordInitStrength(ctx, pass, display) // the security check's passphrase item (checkup.go)
	}
	if err == nil {
		err = s.audit(ctx, "vault.init", "", fmt.Sprintf("created with %s", opts.KDF))
	}
	if err == nil && display != "" {
		err = s.SetDisplayName(ctx, display)
	}
	if cerr := s.close(ctx, false); err == nil {
		err = cerr
	}
	if err != nil {
		removeNewVault(dir)
		return "", err
	}
	return rk, nil
}

// ConfirmInit makes the vault that Init created in dir the vault, once its
// recovery key has been shown and confirmed. Before it, the folder cannot
// be opened and the next Init starts over.
func ConfirmInit(dir string) error { return vault.Confirm(dir) }

// removeNewVault deletes a vault that Init has just created but could not
// finish: its recovery key was never shown, so nobody holds it, and a vault
// left behind would also refuse the next init. vault.Create works only in an
// empty or new folder, so what is there is Create's. The header goes first:
// a partial removal then leaves "no vault", never a vault without its key.
func removeNewVault(dir string) {
	if err := os.Remove(filepath.Join(dir, vault.PendingHeaderFile)); err != nil {
		return
	}
	for _, name := range []string{vault.ManifestFile, vault.ManifestsDir, vault.LogDir, vault.ObjectsDir, vault.LockFile} {
		os.RemoveAll(filepath.Join(dir, name))
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	for _, t := range tmps {
		os.Remove(t)
	}
}

// Session is an unlocked vault with its database.
type Session struct {
	v     *vault.Vault
	st    *store.Store
	actor string
	now   func() time.Time

	// auditMu serialises audit appends; pending holds the entries a full
	// disk refused (diskfull.go), dropped counts those beyond the cap.
	auditMu  sync.Mutex
	pending  []pendingAudit
	dropped  int
	diskFull bool

	notices  []string // what opening found and the person must be told (Notices)
	readOnly bool     // OpenReadOnly: a damaged vault being salvaged

	// origin ("command line, with the passphrase") starts the detail of
	// every entry of a command-line session (Options.CommandLine); ""
	// for the window. recorded: an entry was written (or queued for a
	// full disk) in this session. Both under auditMu.
	origin   string
	recorded bool

	// burst is the search-as-you-type not yet recorded (SearchAsYouType).
	burstMu sync.Mutex
	burst   *searchBurst
	// settleMu is held by SettleSearch from taking the burst to writing it,
	// so that Close's settle waits for one in flight (the store closes
	// after it).
	settleMu sync.Mutex

	// userState: who the session acts as (permissions.go).
	userState

	mu    sync.Mutex
	gen   uint64 // bumped by every write, to invalidate caches
	ix    *conflict.Index
	ixGen uint64
	// intakeHits: the review queue's hit counts by submission, for the
	// names and the role they were counted with (ListIntake).
	intakeHits    map[int64]intakeCount
	intakeHitsGen uint64
	intakeHitsFor intakeViewer
	closed        bool

	copies docCopies // temporary copies of opened documents (docopen_copies.go)

	unlock unlockTiming // how long the unlock took here, for the security check (checkup.go); under mu
}

func newSession(v *vault.Vault, st *store.Store, opts Options) *Session {
	s := &Session{v: v, st: st, actor: opts.Actor, now: opts.Now}
	if s.actor == "" {
		s.actor = OwnerActor()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.user = ownerUser(s.actor)
	return s
}

// Open unlocks the vault in dir and records the unlock.
func Open(ctx context.Context, dir string, cred vault.Credential, opts Options) (*Session, error) {
	start := time.Now()
	v, err := vault.Open(dir, cred)
	took := time.Since(start) // almost all key derivation: the security check judges it (checkup.go)
	if err != nil {
		return nil, err
	}
	if opts.CommandLine && opts.Store.CloseCheckpointBytes == 0 {
		opts.Store.CloseCheckpointBytes = CommandLineCheckpointBytes
	}
	if opts.Store.Roles == nil {
		opts.Store.Roles = storeRoles()
	}
	st, err := store.Open(ctx, v, opts.Store)
	if err != nil {
		v.Close()
		return nil, err
	}
	s := newSession(v, st, opts)
	s.noteUnlock(cred, took)
	if err := s.loadUser(ctx, cred, opts.Actor); err != nil {
		s.close(ctx, false)
		return nil, err
	}
	if opts.CommandLine {
		s.origin = "command line, with the " + cred.Type().String()
	}
	if err := s.recordRestore(ctx); err != nil {
		s.close(ctx, false)
		return nil, err
	}
	if tt := v.TornTail(); tt != nil {
		s.notices = append(s.notices, tornTailNotice(tt))
		if err := s.audit(ctx, "log.torn", "", tornTailAudit(tt)); err != nil {
			s.close(ctx, false)
			return nil, err
		}
	}
	if s.origin == "" {
		if err := s.audit(ctx, "unlock", "", "with the "+cred.Type().String()); err != nil {
			s.close(ctx, false)
			return nil, err
		}
	}
	// What clients sent through the intake form while the vault was
	// locked comes in now, whoever unlocks (intake_import.go): a failure
	// is told, never a failed unlock.
	if res, err := s.ImportIntake(ctx); err != nil || res.Unreadable > 0 {
		s.notices = append(s.notices, IntakeImportNotice(dir, res, err))
	}
	return s, nil
}

// Close records the search still being typed (SearchAsYouType) and the
// lock, checkpoints and wipes the keys. A command-line session records no
// lock; it records its unlock here when the command recorded nothing.
func (s *Session) Close(ctx context.Context) error { return s.close(ctx, true) }

func (s *Session) close(ctx context.Context, record bool) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.ix, s.intakeHits = nil, nil
	s.mu.Unlock()
	// A last look at the opened documents' copies (a change saved just
	// before locking becomes a version), then they are deleted.
	s.copies.shutdown(ctx)
	var err error
	if record {
		err = s.SettleSearch(ctx)
		s.auditMu.Lock()
		origin, recorded := s.origin, s.recorded
		s.auditMu.Unlock()
		var aerr error
		switch {
		case origin == "":
			aerr = s.audit(ctx, "lock", "", "")
		case !recorded:
			aerr = s.audit(ctx, "unlock", "", "")
		}
		if err == nil {
			err = aerr
		}
	}
	if cerr := s.st.Close(ctx); err == nil && cerr != nil {
		err = &CheckpointError{Err: cerr}
	}
	if verr := s.v.Close(); err == nil {
		err = verr
	}
	if n := s.UnrecordedAudit(); n > 0 && err == nil {
		err = &UnrecordedError{N: n}
	}
	return err
}

// Dir is the vault folder.
func (s *Session) Dir() string { return s.v.Dir() }

// Actor is who the session acts as.
func (s *Session) Actor() string { return s.actor }

// update runs fn and appends one audit entry in the same transaction, so a
// change and its audit line are durable together or not at all.
//
// Audit entries that a full disk refused earlier are written first, in the
// same transaction; a full disk fails the change with ErrDiskFull. The
// store keeps the vault's keys open for the whole transaction, so the audit
// line's MAC and the redo log record open them once.
func (s *Session) update(ctx context.Context, action string, fn func(tx *store.Tx) (records, detail string, err error)) error {
	s.auditMu.Lock()
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		records, detail, err := fn(tx)
		if err != nil {
			return err
		}
		if err := s.auditQueuedLocked(tx); err != nil {
			return err
		}
		return s.appendAudit(tx, action, records, s.withOrigin(detail))
	})
	if err == nil {
		s.recorded = true
		s.pending, s.dropped, s.diskFull = nil, 0, false
	} else if isDiskFull(err) {
		s.diskFull = true
		err = savedFailure(err)
	}
	s.auditMu.Unlock()
	if err == nil && namesChange[action] {
		s.mu.Lock()
		s.gen++
		s.mu.Unlock()
	}
	return err
}

// namesChange lists the actions that change what a conflict check sees
// (names, aliases, parties, a matter's open/closed state): only they throw
// away the cached conflict index.
var namesChange = map[string]bool{
	"client.add": true, "client.edit": true, "client.delete": true,
	"matter.add": true, "matter.close": true, "matter.reopen": true, "matter.edit": true,
	"party.add": true, "party.edit": true, "party.remove": true, "matter.client.add": true, "matter.client.remove": true,
	// a prospective client's names come in with an import, change status
	// (new, declined) or leave (accepted: a client now; spam)
	"intake.import": true, "intake.accept": true, "intake.decline": true, "intake.spam": true,
}

// view runs a read and records it in the audit trail.
func (s *Session) view(ctx context.Context, action string, fn func(tx *store.Tx) (records, detail string, err error)) error {
	var records, detail string
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		records, detail, err = fn(tx)
		return err
	})
	if err != nil {
		return err
	}
	return s.audit(ctx, action, records, detail)
}

// audit appends one audit entry of an event that changes no record (a read,
// an unlock, a backup). When the disk is full, the entry waits in memory and
// audit returns nil: reading must not need free space (docs/THREAT-MODEL.md,
// "Disk full"). The waiting entries are written, in order and with their own
// times, before the next entry that fits; Close reports those that never did.
func (s *Session) audit(ctx context.Context, action, records, detail string) error {
	if s.readOnly {
		return nil // a salvage changes nothing, the audit trail included (OpenReadOnly)
	}
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	p := pendingAudit{at: s.now(), action: action, records: records, detail: s.withOrigin(detail)}
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		if err := s.auditQueuedLocked(tx); err != nil {
			return err
		}
		return s.appendAuditAt(tx, p.at, p.action, p.records, p.detail)
	})
	switch {
	case err == nil:
		s.recorded = true
		s.pending, s.dropped, s.diskFull = nil, 0, false
	case isDiskFull(err):
		s.recorded = true // waits in memory; Close reports it if it never fits
		s.queueAuditLocked(p)
		return nil
	}
	return err
}

// withOrigin puts the session's origin (Options.CommandLine) before an
// entry's detail. Called with auditMu held.
func (s *Session) withOrigin(detail string) string {
	switch {
	case s.origin == "":
		return detail
	case detail == "":
		return s.origin
	}
	return s.origin + "; " + detail
}
