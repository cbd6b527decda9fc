// Package access is casevault's permission model: the kinds of records and
// actions a role governs, the three levels (deny, read, edit), the built-in
// roles, custom roles, and the error a refused operation returns. It is
// pure: no database, no keys. app/ checks a Verb against the session's role
// before every operation; store/ hides the records a user may not see at
// all (security classes), which this package does not decide.
//
// # Kinds
//
// clients, matters, parties, notes, conflicts (conflict checks), audit (the
// audit trail and the reports built on it), exports (CSV files and reports
// written out), backups (backups, restore, drills), users (users, roles,
// passphrase policy, security classes, lockouts), and the kinds to come:
// intake, documents, retention (retention and destruction).
//
// # Levels
//
// Deny < Read < Edit. Read lets a user see (list, show, search, run a
// conflict check, list snapshots); Edit also lets them change (add, edit,
// close, decide a conflict check, back up, restore). Some operations need
// two grants:
//
//   - Deleting a record is destruction: it needs edit on the record's kind
//     and edit on retention. ("Your role (Paralegal) cannot delete clients;
//     ask the owner.")
//   - Writing an export (the audit trail as CSV, a report to a file) needs
//     edit on exports and read on what is exported. Read on exports alone
//     allows nothing: taking client data out of the vault is an action the
//     owner grants on purpose.
//   - Running a conflict check needs read on conflicts (it reads every name,
//     and a match in a matter the user cannot see is reported without
//     details); deciding it (clear, conflict, waived) needs edit.
//
// # Built-in roles
//
//	kind        Owner  Attorney  Paralegal  Assistant  Read-only
//	clients     edit   edit      edit       read       read
//	matters     edit   edit      edit       read       read
//	parties     edit   edit      edit       read       read
//	notes       edit   edit      edit       edit       read
//	conflicts   edit   edit      read       read       read
//	audit       edit   read      deny       deny       read
//	exports     edit   edit      deny       deny       deny
//	backups     edit   edit      deny       deny       deny
//	users       edit   deny      deny       deny       deny
//	intake      edit   edit      edit       edit       read
//	documents   edit   edit      edit       read       read
//	retention   edit   edit      deny       deny       read
//
// Why: the attorney does the legal work and takes the backups but does not
// manage people or keys; a paralegal keeps the files (clients, matters,
// parties, notes, intake) and runs conflict checks but does not decide them,
// destroy records, read the trail or take data out; an assistant reads the
// files, takes notes and handles intake; read-only is for an auditor or a
// covering lawyer (everything readable, the trail included, nothing
// changed, nothing taken out). Audit edit means nothing more than read
// today: the trail is append-only. Only the owner has users: edit unless
// the owner gives it to a custom role.
//
// Custom roles are any name that is not a built-in one, with a level for
// each kind; a kind left out is denied.
package access

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a kind of record or action a role grants a level on.
type Kind string

// The kinds.
const (
	Clients   Kind = "clients"
	Matters   Kind = "matters"
	Parties   Kind = "parties"
	Notes     Kind = "notes"
	Conflicts Kind = "conflicts"
	Audit     Kind = "audit"
	Exports   Kind = "exports"
	Backups   Kind = "backups"
	Users     Kind = "users"
	Intake    Kind = "intake"
	Documents Kind = "documents"
	Retention Kind = "retention"
)

// Kinds lists every kind in the order a screen or a table shows them
// (do not change it: it is the table's order).
var Kinds = []Kind{Clients, Matters, Parties, Notes, Conflicts, Audit, Exports, Backups, Users, Intake, Documents, Retention}

// kinds is Kinds as this package reads it, safe from a caller's change.
var kinds = slices.Clone(Kinds)

// Label is the kind in words for a table heading ("conflict checks").
func (k Kind) Label() string {
	switch k {
	case Conflicts:
		return "conflict checks"
	case Audit:
		return "audit trail"
	case Backups:
		return "backups and restore"
	case Users:
		return "users and security settings"
	case Intake:
		return "intake submissions"
	case Retention:
		return "retention and destruction"
	}
	return string(k)
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(kinds, k) }

// Level is what a role may do with a kind.
type Level int8

// The levels, in order: a higher level includes the lower ones.
const (
	Deny Level = iota
	Read
	Edit
)

func (l Level) String() string {
	switch l {
	case Deny:
		return "deny"
	case Read:
		return "read"
	case Edit:
		return "edit"
	}
	return fmt.Sprintf("level(%d)", int8(l))
}

// ParseLevel reads "deny", "read" or "edit" (any case, "none" for deny).
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "deny", "none", "no":
		return Deny, nil
	case "read":
		return Read, nil
	case "edit", "write":
		return Edit, nil
	}
	return Deny, fmt.Errorf("%q is not a level: use deny, read or edit", s)
}

// MarshalText writes the level's word.
func (l Level) MarshalText() ([]byte, error) {
	if l < Deny || l > Edit {
		return nil, fmt.Errorf("invalid level %d", int8(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText reads a level's word.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Perms are a role's levels; a kind that is missing is denied.
type Perms map[Kind]Level

// Level is p's level for k (Deny when missing).
func (p Perms) Level(k Kind) Level { return p[k] }

// Clone copies p.
func (p Perms) Clone() Perms {
	out := make(Perms, len(p))
	for k, l := range p {
		out[k] = l
	}
	return out
}

// JSON is p as the database keeps it: {"clients":"edit",...}, every kind
// present, in a stable order.
func (p Perms) JSON() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range kinds {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%q", string(k), p[k].String())
	}
	b.WriteByte('}')
	return b.String()
}

// ParsePerms reads what JSON wrote. Unknown kinds are refused (a newer
// casevault's role would otherwise lose a grant silently); a missing kind is
// deny.
func ParsePerms(s string) (Perms, error) {
	var raw map[string]Level
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("role permissions: %w", err)
	}
	p := Perms{}
	for k, l := range raw {
		if !Kind(k).Valid() {
			return nil, fmt.Errorf("role permissions: %q is not a kind of record this casevault knows", k)
		}
		p[Kind(k)] = l
	}
	return p, nil
}

// Role is a named set of levels.
type Role struct {
	Name    string
	Builtin bool
	Perms   Perms
}

// Allows reports whether the role grants at least l on k.
func (r Role) Allows(k Kind, l Level) bool { return r.Perms.Level(k) >= l }

// Names of the built-in roles.
const (
	OwnerRole     = "Owner"
	AttorneyRole  = "Attorney"
	ParalegalRole = "Paralegal"
	AssistantRole = "Assistant"
	ReadOnlyRole  = "Read-only"
)

// builtin is the table in the package documentation, row by row in the
// order of Kinds (clients ... retention).
var builtin = []struct {
	name   string
	levels string // one letter per kind of Kinds: d, r, e
}{
	{OwnerRole, "eeeeeeeeeeee"},
	{AttorneyRole, "eeeeereedeee"},
	{ParalegalRole, "eeeerdddd" + "eed"},
	{AssistantRole, "rrrerdddd" + "erd"},
	{ReadOnlyRole, "rrrrrrdddrrr"},
}

// BuiltinRoles are the five built-in roles, Owner first.
func BuiltinRoles() []Role {
	out := make([]Role, len(builtin))
	for i, b := range builtin {
		p := Perms{}
		for j, c := range b.levels {
			p[kinds[j]] = map[rune]Level{'d': Deny, 'r': Read, 'e': Edit}[c]
		}
		out[i] = Role{Name: b.name, Builtin: true, Perms: p}
	}
	return out
}

// BuiltinRole returns the built-in role of that name (any case).
func BuiltinRole(name string) (Role, bool) {
	for _, r := range BuiltinRoles() {
		if strings.EqualFold(r.Name, strings.TrimSpace(name)) {
			return r, true
		}
	}
	return Role{}, false
}

// IsOwnerRole reports whether name is the owner's role.
func IsOwnerRole(name string) bool { return strings.EqualFold(strings.TrimSpace(name), OwnerRole) }

// MaxRoleName is the longest role name, in characters.
const MaxRoleName = 40

// ErrBadRole: a custom role's name or levels are not acceptable.
var ErrBadRole = errors.New("invalid role")

// ValidateCustom checks a custom role before it is saved: a name of 1 to
// MaxRoleName printable characters that is not a built-in role's, and only
// known kinds. It returns the role with its name trimmed and Builtin false.
func ValidateCustom(r Role) (Role, error) {
	r.Name = strings.TrimSpace(r.Name)
	r.Builtin = false
	switch {
	case r.Name == "":
		return r, fmt.Errorf("%w: a role needs a name", ErrBadRole)
	case !utf8.ValidString(r.Name) || strings.IndexFunc(r.Name, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0:
		return r, fmt.Errorf("%w: a role's name must be plain text on one line", ErrBadRole)
	case utf8.RuneCountInString(r.Name) > MaxRoleName:
		return r, fmt.Errorf("%w: a role's name is at most %d characters", ErrBadRole, MaxRoleName)
	}
	if _, ok := BuiltinRole(r.Name); ok {
		return r, fmt.Errorf("%w: %s is a built-in role and cannot be changed; give the new role another name", ErrBadRole, r.Name)
	}
	p := Perms{}
	for k, l := range r.Perms {
		if !k.Valid() {
			return r, fmt.Errorf("%w: %q is not a kind of record (use one of %s)", ErrBadRole, k, kindList())
		}
		if l < Deny || l > Edit {
			return r, fmt.Errorf("%w: invalid level for %s", ErrBadRole, k)
		}
		p[k] = l
	}
	r.Perms = p
	return r, nil
}

func kindList() string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Need is one grant an operation needs.
type Need struct {
	Kind  Kind
	Level Level
}

// Verb is an operation as a permission check sees it: what it needs, and
// its words for the refusal ("delete clients").
type Verb struct {
	Words string
	Needs []Need
}

func verb(words string, needs ...Need) Verb { return Verb{Words: words, Needs: needs} }

// AllowsVerb reports whether r may do v.
func (r Role) AllowsVerb(v Verb) bool {
	for _, n := range v.Needs {
		if !r.Allows(n.Kind, n.Level) {
			return false
		}
	}
	return true
}

// Check returns nil when r may do v, else a *DeniedError.
func Check(r Role, v Verb) error {
	if r.AllowsVerb(v) {
		return nil
	}
	return &DeniedError{Role: r.Name, Verb: v.Words}
}

// The operations of app.Session, one Verb each.
var (
	ListClients   = verb("list clients", Need{Clients, Read})
	ViewClient    = verb("open clients", Need{Clients, Read})
	AddClient     = verb("add clients", Need{Clients, Edit})
	EditClient    = verb("change clients", Need{Clients, Edit})
	DeleteClient  = verb("delete clients", Need{Clients, Edit}, Need{Retention, Edit})
	SetClassOf    = verb("restrict or wall clients and matters", Need{Users, Edit})
	ListMatters   = verb("list matters", Need{Matters, Read})
	ViewMatter    = verb("open matters", Need{Matters, Read})
	AddMatter     = verb("add matters", Need{Matters, Edit})
	AddParties    = verb("add parties", Need{Parties, Edit})
	CloseMatter   = verb("close or reopen matters", Need{Matters, Edit})
	EditMatter    = verb("change matters", Need{Matters, Edit})
	MatterClients = verb("change a matter's clients", Need{Matters, Edit})
	EditParties   = verb("change or remove parties", Need{Parties, Edit})
	ViewParty     = verb("open parties", Need{Matters, Read}, Need{Parties, Read})
	ViewNotes     = verb("read notes", Need{Notes, Read})
	AddNote       = verb("add notes", Need{Notes, Edit})
	Search        = verb("search", Need{Clients, Read})
	CheckConflict = verb("run conflict checks", Need{Conflicts, Read})
	DecideConfl   = verb("decide conflict checks", Need{Conflicts, Edit})
	ViewConflicts = verb("see past conflict checks", Need{Conflicts, Read})
	ListAudit     = verb("read the audit trail", Need{Audit, Read})
	VerifyAudit   = verb("verify the audit trail", Need{Audit, Read})
	ExportAudit   = verb("export the audit trail", Need{Audit, Read}, Need{Exports, Edit})
	Reports       = verb("see access and activity reports", Need{Audit, Read})
	ExportReport  = verb("save reports to a file", Need{Audit, Read}, Need{Exports, Edit})
	ExportRecords = verb("export client data", Need{Clients, Read}, Need{Exports, Edit})
	ViewStatus    = verb("see the vault's status", Need{Clients, Read})
	CheckVault    = verb("check the vault", Need{Backups, Read})
	ListBackups   = verb("see backups", Need{Backups, Read})
	Backup        = verb("back up the vault", Need{Backups, Edit})
	Restore       = verb("restore backups", Need{Backups, Edit})
	Drill         = verb("run restore drills", Need{Backups, Edit})
	ForgetBackups = verb("remove old backups", Need{Backups, Edit})
	ManageUsers   = verb("manage users", Need{Users, Edit})
	ListUsers     = verb("see the users", Need{Users, Read})
	ManageRoles   = verb("manage roles", Need{Users, Edit})
	ListRoles     = verb("see the roles", Need{Users, Read})
	SetPolicy     = verb("change the passphrase policy", Need{Users, Edit})
	ViewPolicy    = verb("see the passphrase policy", Need{Users, Read})
	RotateKey     = verb("change the vault key", Need{Users, Edit})
	// The intake review queue (issue 12): reading a submission and its
	// files; verifying, declining or deleting one as spam; accepting one,
	// which adds a client, a matter and its parties and decides the
	// conflict check.
	ViewIntake   = verb("see intake submissions", Need{Intake, Read})
	EditIntake   = verb("handle intake submissions", Need{Intake, Edit})
	AcceptIntake = verb("accept intake submissions as clients", Need{Intake, Edit}, Need{Clients, Edit}, Need{Matters, Edit},
		Need{Parties, Edit}, Need{Conflicts, Edit})
	// Documents (issue 13): listing them and their versions; reading one
	// (preview, open, read out); adding files, new versions and restoring
	// an old version as the newest (nothing is ever overwritten); deleting
	// one, which is destruction; exporting documents to a folder, which
	// takes client data out of the vault; the size limit for new ones.
	ListDocuments   = verb("see documents", Need{Documents, Read})
	ReadDocuments   = verb("open documents", Need{Documents, Read})
	AddDocuments    = verb("add documents or new versions", Need{Documents, Edit})
	DeleteDocuments = verb("delete documents", Need{Documents, Edit}, Need{Retention, Edit})
	ExportDocuments = verb("export documents", Need{Documents, Read}, Need{Exports, Edit})
	SetDocLimit     = verb("change the size limit for documents", Need{Documents, Edit})
	// Retention and destruction (issue 14): seeing destroy-after dates,
	// legal holds, the due list and the destruction register; changing the
	// rules and a matter's date (with a reason); placing and releasing legal
	// holds; destroying client files (also owner-only: app checks the role
	// is the owner, "the owner's confirmation"); removing the backups that
	// still hold destroyed files.
	ViewRetention   = verb("see retention dates, legal holds and the destruction register", Need{Retention, Read})
	EditRetention   = verb("change retention rules and destroy-after dates", Need{Retention, Edit})
	PlaceHolds      = verb("place or release legal holds", Need{Retention, Edit})
	Destroy         = verb("destroy client files", Need{Retention, Edit}, Need{Clients, Edit}, Need{Matters, Edit}, Need{Documents, Edit})
	ForgetDestroyed = verb("remove backups that still hold destroyed files", Need{Backups, Edit}, Need{Retention, Edit})
	// Incidents (issue 14): anyone who works on the files can record that
	// something happened and tick its checklist; seeing the affected
	// clients needs the audit trail (they come from it and from the backup
	// records); printing the notification pack (letters, access reports)
	// takes client data out.
	RecordIncident  = verb("record incidents", Need{Clients, Read})
	ViewIncidents   = verb("see incidents and the clients they affect", Need{Audit, Read})
	IncidentLetters = verb("print incident reports and client letters", Need{Audit, Read}, Need{Exports, Edit})
	// The security check (issue 14): reading it needs backups read (it
	// reports on backups and drills); its items about people need users
	// read and say "ask the owner" otherwise. Each one-click fix checks the
	// verb of what it changes.
	RunCheckup = verb("run the security check", Need{Backups, Read})
)

// ErrDenied: the user's role does not allow the operation. The error is a
// *DeniedError whose message says which role and what was refused.
var ErrDenied = errors.New("not allowed by your role")

// DeniedError is a refused operation.
type DeniedError struct {
	Role string // the user's role
	Verb string // what was refused, e.g. "delete clients"
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("Your role (%s) cannot %s; ask the owner", e.Role, e.Verb)
}

// Is reports whether target is ErrDenied.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }
