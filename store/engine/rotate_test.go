package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/vault"
)

// rekeyHook re-puts every object of table objs and writes its new id.
func rekeyHook(calls *int) RotateHooks {
	return RotateHooks{Rekey: func(tx *Tx, reput func(vault.Kind, vault.ID) (vault.ID, error)) error {
		rows, err := tx.Query("SELECT id, oid FROM objs ORDER BY id")
		if err != nil {
			return err
		}
		type row struct {
			id  int64
			oid vault.ID
		}
		var list []row
		for rows.Next() {
			var r row
			var b []byte
			if err := rows.Scan(&r.id, &b); err != nil {
				rows.Close()
				return err
			}
			copy(r.oid[:], b)
			list = append(list, r)
		}
		rows.Close()
		for _, r := range list {
			nid, err := reput(vault.KindAuditSegment, r.oid)
			if err != nil {
				return err
			}
			*calls++
			if _, err := tx.Exec("UPDATE objs SET oid = ? WHERE id = ?", nid[:], r.id); err != nil {
				return err
			}
		}
		return nil
	}}
}

func TestRotateKey(t *testing.T) {
	ctx := context.Background()
	dir := newFastVault(t)
	// Two users besides the owner; Bob is removed before the rotation.
	v, err := unlock(dir)
	if err != nil {
		t.Fatal(err)
	}
	bob, carol := []byte("bob's passphrase"), []byte("carol's passphrase")
	kdf := vault.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}
	for name, p := range map[string][]byte{"Bob": bob, "Carol": carol} {
		if err := v.AddUserSlot(name, p, nil, kdf); err != nil {
			t.Fatal(err)
		}
	}
	bobHeader, err := os.ReadFile(filepath.Join(dir, vault.HeaderFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.RemoveUserSlot("Bob"); err != nil {
		t.Fatal(err)
	}
	v.Close()

	limit := int64(0)
	broken := false
	opts := sealOpts(&limit, &broken)
	d := openRawDB(t, dir, opts)
	mustUpdate(t, d, func(tx *Tx) error {
		if _, err := tx.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
			return err
		}
		_, err := tx.Exec("CREATE TABLE objs(id INTEGER PRIMARY KEY, oid BLOB)")
		return err
	})
	for i := 0; i < 50; i++ {
		mustUpdate(t, d, func(tx *Tx) error { _, err := tx.Exec("INSERT INTO t(v) VALUES ('row')"); return err })
	}
	limit = 20
	if err := d.Checkpoint(ctx); err != nil { // seals rows 1..20 into an object
		t.Fatal(err)
	}
	limit = 0
	for i := 0; i < 5; i++ { // acknowledged, in the log
		mustUpdate(t, d, func(tx *Tx) error { _, err := tx.Exec("INSERT INTO t(v) VALUES ('late')"); return err })
	}
	before := dumpDB(t, d)
	calls := 0
	rk, err := d.RotateKey(ctx, rekeyHook(&calls))
	if err != nil || rk != "" || calls != 1 {
		t.Fatalf("RotateKey: %q, %v, %d re-puts", rk, err, calls)
	}
	// Everything but the object ids is as it was.
	requireSameDump(t, "after the rotation", withoutObjs(before), withoutObjs(dumpDB(t, d)))
	mustUpdate(t, d, func(tx *Tx) error { _, err := tx.Exec("INSERT INTO t(v) VALUES ('after')"); return err })
	after := dumpDB(t, d)
	cp := d.Vault().Current()
	if len(cp.Objects) != 1 {
		t.Fatalf("objects %v", cp.Objects)
	}
	if _, err := d.Vault().GetObject(vault.KindAuditSegment, cp.Objects[0].ID); err != nil {
		t.Fatal(err)
	}
	crashDB(d)

	// Every remaining credential opens the rotated state with the write
	// made after it; Bob's old header copy opens none of it.
	for _, cred := range []vault.Credential{vault.Passphrase(carol).ForUser("carol"), vault.Passphrase([]byte("test passphrase for the store"))} {
		v, err := vault.Open(dir, cred)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := Open(ctx, v, opts)
		if err != nil {
			t.Fatal(err)
		}
		requireSameDump(t, "reopened", after, dumpDB(t, d2))
		d2.Close(ctx)
		v.Close()
	}
	k, err := vault.UnlockHeader("bob", bobHeader, vault.Passphrase(bob).ForUser("Bob"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	m, _ := os.ReadFile(filepath.Join(dir, vault.ManifestFile))
	if _, err := k.OpenManifest("manifest", m); err == nil {
		t.Fatal("the old data key opens the rotated manifest")
	}
}

func withoutObjs(dump []string) []string {
	var out []string
	for _, l := range dump {
		if !strings.HasPrefix(l, "objs: ") {
			out = append(out, l)
		}
	}
	return out
}

// A rekey that fails puts the database back as it was: the old key and
// the old object ids stay, and the vault goes on working.
func TestRotateKeyRekeyFails(t *testing.T) {
	ctx := context.Background()
	dir := newFastVault(t)
	limit, broken := int64(0), false
	opts := sealOpts(&limit, &broken)
	d := openRawDB(t, dir, opts)
	mustUpdate(t, d, func(tx *Tx) error {
		if _, err := tx.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
			return err
		}
		_, err := tx.Exec("CREATE TABLE objs(id INTEGER PRIMARY KEY, oid BLOB)")
		return err
	})
	mustUpdate(t, d, func(tx *Tx) error { _, err := tx.Exec("INSERT INTO t(v) VALUES ('a'), ('b')"); return err })
	limit = 1
	if err := d.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	limit = 0
	before := dumpDB(t, d)
	boom := errors.New("boom")
	hooks := rekeyHook(new(int))
	inner := hooks.Rekey
	hooks.Rekey = func(tx *Tx, reput func(vault.Kind, vault.ID) (vault.ID, error)) error {
		if err := inner(tx, reput); err != nil {
			return err
		}
		return boom
	}
	if _, err := d.RotateKey(ctx, hooks); !errors.Is(err, boom) {
		t.Fatalf("RotateKey: %v", err)
	}
	requireSameDump(t, "after the rotation", before, dumpDB(t, d))
	mustUpdate(t, d, func(tx *Tx) error { _, err := tx.Exec("INSERT INTO t(v) VALUES ('c')"); return err })
	after := dumpDB(t, d)
	crashDB(d)
	d2 := openRawDB(t, dir, opts)
	requireSameDump(t, "reopened", after, dumpDB(t, d2))
}
