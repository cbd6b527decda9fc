package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Users, roles, access lists, passphrase history and settings (schema 3;
// docs/FORMAT.md §6.3). The store keeps what app/ decides: a role's
// permissions are opaque JSON text here (app/access defines them), and
// passphrase-history verifiers are bytes app computes.

// User statuses.
const (
	UserActive  = "active"
	UserRemoved = "removed"
)

// OwnerRole is the role name of the vault's owner. The migration to schema
// 3 makes the first users row the owner, named "owner".
const OwnerRole = "owner"

// ErrUserExists: a user of that name (compared by FoldName, removed users
// included: a removed user's row keeps its id, and with it the access
// lists and walls that name it) is already in the vault.
var ErrUserExists = errors.New("there is already a user of that name")

// ErrRoleExists: a role of that name (case-insensitive) already exists.
var ErrRoleExists = errors.New("there is already a role of that name")

// ErrBuiltinRole: built-in roles cannot be changed or deleted.
var ErrBuiltinRole = errors.New("built-in roles cannot be changed or deleted")

// ErrRoleInUse: a role that an active user has cannot be deleted.
var ErrRoleInUse = errors.New("the role is given to a user")

// User is one row of users.
type User struct {
	ID            int64
	Name          string
	Role          string
	Status        string // UserActive or UserRemoved
	MustChange    bool   // must choose a new passphrase at the next unlock
	KeyFile       bool   // the user's slot needs a key file
	PassChangedAt time.Time
	CreatedAt     time.Time
	RemovedAt     *time.Time
	DisplayName   string // signs notes and reports; "" = the user name (schema 4)
}

// FoldName is the form of a user name that uniqueness compares:
// NFC(lower-case(name)), as the vault's user tags (vault.UserTag) fold it.
func FoldName(name string) string { return norm.NFC.String(strings.ToLower(norm.NFC.String(name))) }

const userCols = "id, name, role, status, must_change, key_file, pass_changed_at, created_at, removed_at, display_name"

func scanUser(sc interface{ Scan(...any) error }) (*User, error) {
	var u User
	var changed, created int64
	var removed sql.NullInt64
	if err := sc.Scan(&u.ID, &u.Name, &u.Role, &u.Status, &u.MustChange, &u.KeyFile, &changed, &created, &removed, &u.DisplayName); err != nil {
		return nil, err
	}
	u.PassChangedAt, u.CreatedAt = fromMS(changed), fromMS(created)
	if removed.Valid {
		t := fromMS(removed.Int64)
		u.RemovedAt = &t
	}
	return &u, nil
}

func msOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ms(*t)
}

func orActive(s string) string {
	if s == "" {
		return UserActive
	}
	return s
}

// nameTaken reports whether another user (id != except) has name's fold.
func (tx *Tx) nameTaken(name string, except int64) (bool, error) {
	var n int
	err := tx.QueryRow("SELECT count(*) FROM users WHERE name_key = ? AND id <> ?", FoldName(name), except).Scan(&n)
	return n > 0, err
}

// InsertUser adds a user and returns its id. Status "" means active; a
// zero PassChangedAt or CreatedAt means now.
func (tx *Tx) InsertUser(u *User, now time.Time) (int64, error) {
	if taken, err := tx.nameTaken(u.Name, 0); err != nil {
		return 0, err
	} else if taken {
		return 0, fmt.Errorf("user %q: %w", u.Name, ErrUserExists)
	}
	changed, created := u.PassChangedAt, u.CreatedAt
	if changed.IsZero() {
		changed = now
	}
	if created.IsZero() {
		created = now
	}
	res, err := tx.Exec(`INSERT INTO users(name, name_key, role, status, must_change, key_file, pass_changed_at, created_at, removed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.Name, FoldName(u.Name), u.Role, orActive(u.Status), u.MustChange, u.KeyFile,
		ms(changed), ms(created), msOrNil(u.RemovedAt))
	if err != nil {
		return 0, fmt.Errorf("adding user %q: %w", u.Name, err)
	}
	return res.LastInsertId()
}

// UpdateUser replaces every field of the user u.ID (CreatedAt included).
// Renaming to another user's name is ErrUserExists.
func (tx *Tx) UpdateUser(u *User) error {
	if taken, err := tx.nameTaken(u.Name, u.ID); err != nil {
		return err
	} else if taken {
		return fmt.Errorf("user %q: %w", u.Name, ErrUserExists)
	}
	res, err := tx.Exec(`UPDATE users SET name = ?, name_key = ?, role = ?, status = ?, must_change = ?, key_file = ?,
		pass_changed_at = ?, created_at = ?, removed_at = ? WHERE id = ?`, u.Name, FoldName(u.Name), u.Role, orActive(u.Status),
		u.MustChange, u.KeyFile, ms(u.PassChangedAt), ms(u.CreatedAt), msOrNil(u.RemovedAt), u.ID)
	if err != nil {
		return fmt.Errorf("updating user %q: %w", u.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %d: %w", u.ID, ErrNotFound)
	}
	return nil
}

// GetUser returns the user with that id.
func (tx *Tx) GetUser(id int64) (*User, error) {
	u, err := scanUser(tx.QueryRow("SELECT "+userCols+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return u, err
}

// UserByName returns the user whose name folds (FoldName) to name's,
// removed or not.
func (tx *Tx) UserByName(name string) (*User, error) {
	u, err := scanUser(tx.QueryRow("SELECT "+userCols+" FROM users WHERE name_key = ?", FoldName(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	return u, err
}

// OwnerUser returns the owner: the active user of lowest id whose role is
// OwnerRole.
func (tx *Tx) OwnerUser() (*User, error) {
	u, err := scanUser(tx.QueryRow("SELECT "+userCols+" FROM users WHERE role = ? AND status = 'active' ORDER BY id LIMIT 1", OwnerRole))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("the owner: %w", ErrNotFound)
	}
	return u, err
}

// ListUsers returns every user, removed ones too, in id order.
func (tx *Tx) ListUsers() ([]*User, error) {
	rows, err := tx.Query("SELECT " + userCols + " FROM users ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Role is one row of roles. Perms is JSON text that app/access defines
// (e.g. {"clients":"edit","audit":"read"}); the store only checks that it
// is valid JSON.
type Role struct {
	Name    string
	Builtin bool
	Perms   string
}

func validPerms(r *Role) error {
	if !json.Valid([]byte(r.Perms)) {
		return fmt.Errorf("role %q: the permissions are not valid JSON", r.Name)
	}
	return nil
}

// InsertRole adds a role (ErrRoleExists when the name is taken, case-
// insensitively).
func (tx *Tx) InsertRole(r *Role) error {
	if err := validPerms(r); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM roles WHERE name = ?", r.Name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("role %q: %w", r.Name, ErrRoleExists)
	}
	if _, err := tx.Exec("INSERT INTO roles(name, builtin, perms) VALUES (?, ?, ?)", r.Name, r.Builtin, r.Perms); err != nil {
		return fmt.Errorf("adding role %q: %w", r.Name, err)
	}
	return nil
}

// UpdateRole replaces a custom role's permissions (ErrBuiltinRole for a
// built-in one, ErrNotFound when there is none of that name).
func (tx *Tx) UpdateRole(r *Role) error {
	if err := validPerms(r); err != nil {
		return err
	}
	old, err := tx.GetRole(r.Name)
	if err != nil {
		return err
	}
	if old.Builtin {
		return fmt.Errorf("role %q: %w", old.Name, ErrBuiltinRole)
	}
	_, err = tx.Exec("UPDATE roles SET perms = ? WHERE name = ?", r.Perms, r.Name)
	return err
}

// DeleteRole deletes a custom role that no active user has.
func (tx *Tx) DeleteRole(name string) error {
	old, err := tx.GetRole(name)
	if err != nil {
		return err
	}
	if old.Builtin {
		return fmt.Errorf("role %q: %w", old.Name, ErrBuiltinRole)
	}
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM users WHERE role = ? COLLATE NOCASE AND status = 'active'", old.Name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("role %q (%d user(s)): %w", old.Name, n, ErrRoleInUse)
	}
	_, err = tx.Exec("DELETE FROM roles WHERE name = ?", old.Name)
	return err
}

// GetRole returns the role of that name (case-insensitive).
func (tx *Tx) GetRole(name string) (*Role, error) {
	var r Role
	err := tx.QueryRow("SELECT name, builtin, perms FROM roles WHERE name = ?", name).Scan(&r.Name, &r.Builtin, &r.Perms)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("role %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// ListRoles returns every role: built-in ones first, then by name.
func (tx *Tx) ListRoles() ([]*Role, error) {
	rows, err := tx.Query("SELECT name, builtin, perms FROM roles ORDER BY builtin DESC, name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Role
	for rows.Next() {
		var r Role
		if err := rows.Scan(&r.Name, &r.Builtin, &r.Perms); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// syncBuiltinRoles makes the built-in rows equal roles (Options.Roles):
// missing ones inserted, changed permissions replaced, writing nothing
// when they already match. A custom role of a built-in name becomes the
// built-in one. Built-in rows no longer in roles are left (a user may
// still have them).
func (tx *Tx) syncBuiltinRoles(roles []Role) error {
	for _, r := range roles {
		r.Builtin = true
		if err := validPerms(&r); err != nil {
			return err
		}
		old, err := tx.GetRole(r.Name)
		switch {
		case errors.Is(err, ErrNotFound):
			if _, err := tx.Exec("INSERT INTO roles(name, builtin, perms) VALUES (?, 1, ?)", r.Name, r.Perms); err != nil {
				return fmt.Errorf("adding built-in role %q: %w", r.Name, err)
			}
		case err != nil:
			return err
		case !old.Builtin || old.Perms != r.Perms || old.Name != r.Name:
			if _, err := tx.Exec("UPDATE roles SET name = ?, builtin = 1, perms = ? WHERE name = ?", r.Name, r.Perms, old.Name); err != nil {
				return fmt.Errorf("updating built-in role %q: %w", r.Name, err)
			}
		}
	}
	return nil
}

// builtinRolesMatch reports whether syncBuiltinRoles would write nothing.
func (tx *Tx) builtinRolesMatch(roles []Role) (bool, error) {
	for _, r := range roles {
		old, err := tx.GetRole(r.Name)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !old.Builtin || old.Perms != r.Perms || old.Name != r.Name {
			return false, nil
		}
	}
	return true, nil
}

// AddPassHistory records a passphrase verifier of a user (app computes
// it; the store never sees a passphrase).
func (tx *Tx) AddPassHistory(userID int64, at time.Time, verifier []byte) error {
	if _, err := tx.Exec("INSERT INTO pass_history(user_id, at, verifier) VALUES (?, ?, ?)", userID, ms(at), verifier); err != nil {
		return fmt.Errorf("recording passphrase history of user %d: %w", userID, err)
	}
	return nil
}

// PassHistory returns a user's last n verifiers, newest first (n <= 0: all).
func (tx *Tx) PassHistory(userID int64, n int) ([][]byte, error) {
	q := "SELECT verifier FROM pass_history WHERE user_id = ? ORDER BY at DESC, id DESC"
	args := []any{userID}
	if n > 0 {
		q += " LIMIT ?"
		args = append(args, n)
	}
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var v []byte
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// TrimPassHistory keeps only a user's newest keep verifiers (keep <= 0:
// none).
func (tx *Tx) TrimPassHistory(userID int64, keep int) error {
	_, err := tx.Exec(`DELETE FROM pass_history WHERE user_id = ?1 AND id NOT IN
		(SELECT id FROM pass_history WHERE user_id = ?1 ORDER BY at DESC, id DESC LIMIT max(?2, 0))`, userID, keep)
	return err
}

// Setting returns a setting's value (ErrNotFound when unset).
func (tx *Tx) Setting(key string) (string, error) {
	var v string
	err := tx.QueryRow("SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("setting %q: %w", key, ErrNotFound)
	}
	return v, err
}

// SetSetting sets a setting's value.
func (tx *Tx) SetSetting(key, value string) error {
	_, err := tx.Exec(`INSERT INTO settings(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("saving setting %q: %w", key, err)
	}
	return nil
}

// DeleteSetting removes a setting (nothing when unset).
func (tx *Tx) DeleteSetting(key string) error {
	_, err := tx.Exec("DELETE FROM settings WHERE key = ?", key)
	return err
}

// Settings returns every setting.
func (tx *Tx) Settings() (map[string]string, error) {
	rows, err := tx.Query("SELECT key, value FROM settings ORDER BY key")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SetDisplayName sets a user's display name (the name that signs notes;
// "" = the user name).
func (tx *Tx) SetDisplayName(userID int64, name string) error {
	res, err := tx.Exec("UPDATE users SET display_name = ? WHERE id = ?", name, userID)
	if err != nil {
		return fmt.Errorf("setting the display name of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	return nil
}
