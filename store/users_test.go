package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

var testRoles = []Role{
	{Name: "Owner", Perms: `{"clients":"edit","users":"edit"}`},
	{Name: "Paralegal", Perms: `{"clients":"edit","users":"deny"}`},
}

// TestMigrateFrom2: a schema-2 database (with a client of a class no
// build ever wrote) upgrades to 3 in one transaction: the tables, the
// owner row, the built-in roles, the unknown class made restricted; a
// second open with the same roles writes nothing.
func TestMigrateFrom2(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, upTo: 2})
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var odd, plain int64
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		if plain, err = tx.InsertClient(&Client{Name: "Plain Client"}, now); err != nil {
			return err
		}
		if odd, err = tx.InsertClient(&Client{Name: "Odd Client"}, now); err != nil {
			return err
		}
		_, err = tx.Exec("UPDATE clients SET security_class = 'secret' WHERE id = ?", odd)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.version(ctx); err != nil || v != 2 {
		t.Fatalf("schema before = %d, %v; want 2", v, err)
	}
	closeStore(s)

	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	if v, err := s.version(ctx); err != nil || v != SchemaVersion {
		t.Fatalf("schema after = %d, %v; want %d", v, err, SchemaVersion)
	}
	err = s.View(ctx, func(tx *Tx) error {
		o, err := tx.OwnerUser()
		if err != nil {
			return err
		}
		if o.ID != 1 || o.Name != "owner" || o.Role != OwnerRole || o.Status != UserActive || o.MustChange || o.PassChangedAt.IsZero() {
			t.Errorf("owner = %+v", o)
		}
		roles, err := tx.ListRoles()
		if err != nil {
			return err
		}
		if len(roles) != 2 || !roles[0].Builtin || roles[0].Name != "Owner" || roles[1].Perms != testRoles[1].Perms {
			t.Errorf("roles = %+v", roles)
		}
		for id, want := range map[int64]string{plain: ClassGeneral, odd: ClassRestricted} {
			c, err := tx.GetClient(id)
			if err != nil {
				return err
			}
			if c.SecurityClass != want {
				t.Errorf("client %d class %q, want %q", id, c.SecurityClass, want)
			}
		}
		for _, tbl := range []string{"users", "roles", "access_list", "pass_history", "settings"} {
			if ok, err := hasTable(tx.Tx, tbl); err != nil || !ok {
				t.Errorf("table %s: %v %v", tbl, ok, err)
			}
		}
		probs, err := tx.IntegrityCheck()
		if len(probs) > 0 {
			t.Errorf("integrity: %v", probs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	closeStore(s)

	// Same roles: nothing written. Changed roles: the row follows.
	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	if n := s.Vault().LogSize(); n != 0 {
		t.Errorf("reopening with the same roles wrote %d log bytes", n)
	}
	closeStore(s)
	changed := slices.Clone(testRoles)
	changed[1].Perms = `{"clients":"read"}`
	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: changed})
	err = s.View(ctx, func(tx *Tx) error {
		r, err := tx.GetRole("paralegal")
		if err == nil && r.Perms != `{"clients":"read"}` {
			t.Errorf("paralegal after a role change = %+v", r)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrationAtomic: a migration to 3 that fails part way (a users table
// already there) leaves schema 2 and nothing of 3.
func TestMigrationAtomic(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, upTo: 2})
	if err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Exec("CREATE TABLE pass_history (x INTEGER PRIMARY KEY)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.migrate(ctx, testRoles, 0); err == nil {
		t.Fatal("migration over a clashing table succeeded")
	}
	if v, err := s.version(ctx); err != nil || v != 2 {
		t.Fatalf("schema after a failed migration = %d, %v; want 2", v, err)
	}
	err := s.View(ctx, func(tx *Tx) error {
		for _, tbl := range []string{"users", "roles", "access_list"} {
			if ok, err := hasTable(tx.Tx, tbl); err != nil || ok {
				t.Errorf("table %s after a failed migration: %v %v", tbl, ok, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		id, err := tx.InsertUser(&User{Name: "Élodie Martin", Role: "Paralegal", MustChange: true}, now)
		if err != nil {
			return err
		}
		for _, dup := range []string{"élodie martin", "ÉLODIE MARTIN", "E\u0301lodie Martin", "owner", "OWNER"} {
			if _, err := tx.InsertUser(&User{Name: dup, Role: "Paralegal"}, now); !errors.Is(err, ErrUserExists) {
				t.Errorf("InsertUser(%q) = %v, want ErrUserExists", dup, err)
			}
		}
		u, err := tx.UserByName("e\u0301lodie MARTIN")
		if err != nil {
			return err
		}
		if u.ID != id || u.Name != "Élodie Martin" || !u.MustChange || !u.PassChangedAt.Equal(now) || u.Status != UserActive || u.RemovedAt != nil {
			t.Errorf("user = %+v", u)
		}
		// Removing keeps the row (and the name).
		at := now.Add(time.Hour)
		u.Status, u.RemovedAt = UserRemoved, &at
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		if _, err := tx.InsertUser(&User{Name: "ELODIE MARTIN", Role: "Paralegal"}, now); err != nil {
			t.Errorf("a different name refused: %v", err)
		}
		if _, err := tx.InsertUser(&User{Name: "élodie martin", Role: "Paralegal"}, now); !errors.Is(err, ErrUserExists) {
			t.Errorf("a removed user's name = %v, want ErrUserExists", err)
		}
		got, err := tx.GetUser(id)
		if err != nil {
			return err
		}
		if got.Status != UserRemoved || got.RemovedAt == nil || !got.RemovedAt.Equal(at) {
			t.Errorf("removed user = %+v", got)
		}
		o, err := tx.OwnerUser()
		if err != nil {
			return err
		}
		o.Name = "ÉLODIE MARTIN"
		if err := tx.UpdateUser(o); !errors.Is(err, ErrUserExists) {
			t.Errorf("renaming the owner onto a user = %v", err)
		}
		o.Name = "Ada Lovelace"
		if err := tx.UpdateUser(o); err != nil {
			return err
		}
		if _, err := tx.GetUser(99); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetUser(99) = %v", err)
		}
		if err := tx.UpdateUser(&User{ID: 99, Name: "nobody", Role: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("UpdateUser(99) = %v", err)
		}
		us, err := tx.ListUsers()
		if err != nil {
			return err
		}
		var names []string
		for _, u := range us {
			names = append(names, u.Name)
		}
		if !slices.Equal(names, []string{"Ada Lovelace", "Élodie Martin", "ELODIE MARTIN"}) {
			t.Errorf("users = %q", names)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRolesSettingsHistory(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.InsertRole(&Role{Name: "Intern", Perms: `{"clients":"read"}`}); err != nil {
			return err
		}
		if err := tx.InsertRole(&Role{Name: "intern", Perms: `{}`}); !errors.Is(err, ErrRoleExists) {
			t.Errorf("duplicate role = %v", err)
		}
		if err := tx.InsertRole(&Role{Name: "Bad", Perms: `{"clients":`}); err == nil {
			t.Error("role with invalid JSON accepted")
		}
		if err := tx.UpdateRole(&Role{Name: "paralegal", Perms: `{}`}); !errors.Is(err, ErrBuiltinRole) {
			t.Errorf("changing a built-in role = %v", err)
		}
		if err := tx.DeleteRole("Owner"); !errors.Is(err, ErrBuiltinRole) {
			t.Errorf("deleting a built-in role = %v", err)
		}
		if err := tx.UpdateRole(&Role{Name: "INTERN", Perms: `{"clients":"edit"}`}); err != nil {
			return err
		}
		if r, err := tx.GetRole("intern"); err != nil || r.Perms != `{"clients":"edit"}` || r.Builtin || r.Name != "Intern" {
			t.Errorf("intern = %+v, %v", r, err)
		}
		uid, err := tx.InsertUser(&User{Name: "Ivo", Role: "Intern"}, now)
		if err != nil {
			return err
		}
		if err := tx.DeleteRole("intern"); !errors.Is(err, ErrRoleInUse) {
			t.Errorf("deleting a role in use = %v", err)
		}
		u, _ := tx.GetUser(uid)
		u.Status = UserRemoved
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		if err := tx.DeleteRole("intern"); err != nil {
			t.Errorf("deleting a role only a removed user had = %v", err)
		}
		if _, err := tx.GetRole("intern"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted role = %v", err)
		}

		// Passphrase history: newest first, trimmed.
		for i := range 5 {
			if err := tx.AddPassHistory(uid, now.Add(time.Duration(i)*time.Hour), []byte{byte(i)}); err != nil {
				return err
			}
		}
		h, err := tx.PassHistory(uid, 3)
		if err != nil {
			return err
		}
		if len(h) != 3 || h[0][0] != 4 || h[2][0] != 2 {
			t.Errorf("history = %v", h)
		}
		if err := tx.TrimPassHistory(uid, 2); err != nil {
			return err
		}
		if h, _ = tx.PassHistory(uid, 0); len(h) != 2 || h[0][0] != 4 || h[1][0] != 3 {
			t.Errorf("history after trim = %v", h)
		}

		// Settings.
		if _, err := tx.Setting("lockout"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unset setting = %v", err)
		}
		if err := tx.SetSetting("lockout", "5"); err != nil {
			return err
		}
		if err := tx.SetSetting("lockout", "7"); err != nil {
			return err
		}
		if v, err := tx.Setting("lockout"); err != nil || v != "7" {
			t.Errorf("setting = %q, %v", v, err)
		}
		all, err := tx.Settings()
		if err != nil || len(all) != 1 || all["lockout"] != "7" {
			t.Errorf("settings = %v, %v", all, err)
		}
		return tx.DeleteSetting("lockout")
	})
	if err != nil {
		t.Fatal(err)
	}
}
