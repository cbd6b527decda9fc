package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"casevault/vault"
)

// sealOpts moves the rows of table t with id <= limit into one object per
// checkpoint, recorded in table objs; broken makes Objects name an object
// that does not exist, so the checkpoint fails after the seal.
func sealOpts(limit *int64, broken *bool) Options {
	return Options{
		CheckpointBytes: -1,
		SealDue: func(tx *Tx) (bool, error) {
			var n int
			err := tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 't'").Scan(&n)
			if err != nil || n == 0 {
				return false, err
			}
			err = tx.QueryRow("SELECT count(*) FROM t WHERE id <= ?", *limit).Scan(&n)
			return n > 0, err
		},
		Seal: func(tx *Tx, put func(vault.Kind, []byte) (vault.ID, error)) error {
			rows, err := tx.Query("SELECT id FROM t WHERE id <= ? ORDER BY id", *limit)
			if err != nil {
				return err
			}
			var b []byte
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				b = binary.BigEndian.AppendUint64(b, uint64(id))
			}
			rows.Close()
			if len(b) == 0 {
				return nil
			}
			id, err := put(vault.KindAuditSegment, b)
			if err != nil {
				return err
			}
			if _, err := tx.Exec("INSERT INTO objs(oid) VALUES (?)", id[:]); err != nil {
				return err
			}
			_, err = tx.Exec("DELETE FROM t WHERE id <= ?", *limit)
			return err
		},
		Objects: func(tx *Tx) ([]vault.ObjectRef, error) {
			rows, err := tx.Query("SELECT oid FROM objs ORDER BY id")
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []vault.ObjectRef
			for rows.Next() {
				var o vault.ObjectRef
				var b []byte
				rows.Scan(&b)
				copy(o.ID[:], b)
				o.Kind = vault.KindAuditSegment
				out = append(out, o)
			}
			if *broken {
				out = append(out, vault.ObjectRef{Kind: vault.KindAuditSegment, ID: vault.ID{1}})
			}
			return out, rows.Err()
		},
	}
}

func count(t *testing.T, d *DB, q string) int {
	t.Helper()
	var n int
	if err := d.View(context.Background(), func(tx *Tx) error { return tx.QueryRow(q).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSealInCheckpoint(t *testing.T) {
	ctx := context.Background()
	dir := newFastVault(t)
	broken := false
	limit := int64(0) // nothing to seal until the database is loaded from an image
	d := openRawDB(t, dir, sealOpts(&limit, &broken))
	mustUpdate(t, d, func(tx *Tx) error {
		if _, err := tx.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE objs(id INTEGER PRIMARY KEY, oid BLOB)"); err != nil {
			return err
		}
		return nil
	}) // DDL: checkpoint, nothing to seal yet
	mustUpdate(t, d, func(tx *Tx) error {
		for i := 0; i < 8; i++ {
			if _, err := tx.Exec("INSERT INTO t(v) VALUES (printf('%.3000c', 'x'))"); err != nil {
				return err
			}
		}
		return nil
	})
	// From here on the database is a loaded image (SQLite's memdb), as in
	// every session but a new vault's first.
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	d.Vault().Close()
	d = openRawDB(t, dir, sealOpts(&limit, &broken))
	limit = 5
	before := dumpDB(t, d)

	// A checkpoint that fails after the seal leaves the database as it was.
	broken = true
	if err := d.Checkpoint(ctx); err == nil {
		t.Fatal("checkpoint naming a missing object succeeded")
	}
	requireSameDump(t, "after a failed seal", before, dumpDB(t, d))
	if n := count(t, d, "SELECT count(*) FROM t"); n != 8 {
		t.Fatalf("%d rows after a failed seal, want 8", n)
	}
	orphans, _ := filepath.Glob(filepath.Join(dir, vault.ObjectsDir, "audit", "*", "*"))
	if len(orphans) != 1 {
		t.Fatalf("%d sealed objects after the failed checkpoint, want the 1 orphan", len(orphans))
	}

	sizeBefore := d.Vault().Current().ImageSize
	broken = false
	if err := d.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// Most of the rows left: the image was compacted (VACUUM).
	if after := d.Vault().Current().ImageSize; after >= sizeBefore {
		t.Errorf("image of %d bytes after the seal, %d before", after, sizeBefore)
	}
	if n := count(t, d, "SELECT count(*) FROM t"); n != 3 {
		t.Fatalf("%d rows after the seal, want 3", n)
	}
	cp := d.Vault().Current()
	if cp.Format != 2 || len(cp.Objects) != 1 || cp.Objects[0].Kind != vault.KindAuditSegment {
		t.Fatalf("manifest after the seal: format %d, objects %v", cp.Format, cp.Objects)
	}
	if _, err := d.Vault().GetObject(vault.KindAuditSegment, cp.Objects[0].ID); err != nil {
		t.Fatal(err)
	}
	after := dumpDB(t, d)
	d.Close(ctx)
	d.Vault().Close()

	d = openRawDB(t, dir, sealOpts(&limit, &broken))
	requireSameDump(t, "reopened after the seal", after, dumpDB(t, d))
	// The orphan of the failed checkpoint is swept by the next checkpoint
	// of a process; the listed object stays.
	mustUpdate(t, d, func(tx *Tx) error { _, err := tx.Exec("INSERT INTO t(v) VALUES ('more')"); return err })
	if err := d.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, vault.ObjectsDir, "audit", "*", "*"))
	if len(left) != 1 || filepath.Base(left[0]) != cp.Objects[0].ID.String() {
		t.Fatalf("sealed objects after the sweep: %v, want only %s", left, cp.Objects[0].ID)
	}
	if _, err := os.Stat(left[0]); errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
}

// TestSealCheckpointCancelled: a checkpoint that seals and is then
// cancelled (its context ends while it writes) puts the database back as it
// was and leaves it usable: putting it back does not depend on the
// cancelled context (before, the database was poisoned: "lock and unlock
// the vault").
func TestSealCheckpointCancelled(t *testing.T) {
	dir := newFastVault(t)
	broken := false
	limit := int64(0)
	d := openRawDB(t, dir, sealOpts(&limit, &broken))
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE objs(id INTEGER PRIMARY KEY, oid BLOB)")
		return err
	})
	mustUpdate(t, d, func(tx *Tx) error {
		for i := 0; i < 8; i++ {
			if _, err := tx.Exec("INSERT INTO t(v) VALUES (printf('%.3000c', 'x'))"); err != nil {
				return err
			}
		}
		return nil
	})
	limit = 5
	before := dumpDB(t, d)
	cctx, cancel := context.WithCancel(context.Background())
	objects := d.opts.Objects
	d.opts.Objects = func(tx *Tx) ([]vault.ObjectRef, error) {
		cancel() // the seal has run; the checkpoint's writing is under way
		return objects(tx)
	}
	err := d.Checkpoint(cctx)
	d.opts.Objects = objects
	if err == nil {
		t.Fatal("a cancelled checkpoint succeeded")
	}
	if errors.Is(err, ErrPoisoned) {
		t.Fatalf("a cancelled seal poisoned the database: %v", err)
	}
	requireSameDump(t, "after a cancelled seal", before, dumpDB(t, d))
	mustUpdate(t, d, func(tx *Tx) error { _, err := tx.Exec("INSERT INTO t(v) VALUES ('after')"); return err })
	if err := d.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, "SELECT count(*) FROM t"); n != 4 {
		t.Fatalf("%d rows after the seal, want 4", n)
	}
}
