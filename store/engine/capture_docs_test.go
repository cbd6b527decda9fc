package engine

import (
	"context"
	"testing"

	"casevault/vault"
)

// docOpts lists the document objects recorded in table docs as the
// database's objects (the store's Objects hook, in miniature).
func docOpts() Options {
	return Options{
		CheckpointBytes: -1,
		Objects: func(tx *Tx) ([]vault.ObjectRef, error) {
			var n int
			if err := tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'docs'").Scan(&n); err != nil || n == 0 {
				return nil, err
			}
			rows, err := tx.Query("SELECT oid FROM docs ORDER BY id")
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []vault.ObjectRef
			for rows.Next() {
				o := vault.ObjectRef{Kind: vault.KindDocument}
				var b []byte
				if err := rows.Scan(&b); err != nil {
					return nil, err
				}
				copy(o.ID[:], b)
				out = append(out, o)
			}
			return out, rows.Err()
		},
	}
}

// An object that only the redo log names (a document added after the last
// checkpoint) is in the capture's checkpoint: Capture checkpoints first.
// When the checkpoint lists every object already, Capture writes none.
func TestCaptureCheckpointsForObjects(t *testing.T) {
	ctx := context.Background()
	dir := newFastVault(t)
	d := openRawDB(t, dir, docOpts())
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("CREATE TABLE docs(id INTEGER PRIMARY KEY, oid BLOB)")
		return err
	})
	if err := d.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	seq := d.Vault().Current().Seq
	c, release, err := d.Capture(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if c.Checkpoint.Seq != seq {
		t.Fatalf("a capture with nothing new checkpointed (seq %d -> %d)", seq, c.Checkpoint.Seq)
	}

	b := d.Vault().NewBatch()
	id, err := b.Put(vault.KindDocument, []byte("a document's chunk"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("INSERT INTO docs(oid) VALUES (?)", id[:])
		return err
	})
	b.Release()
	ref := vault.ObjectRef{Kind: vault.KindDocument, ID: id}
	for _, o := range d.Vault().Current().AllObjects() {
		if o == ref {
			t.Fatal("the checkpoint lists the object before the capture")
		}
	}
	var n int
	c, release, err = d.Capture(ctx, func(tx *Tx) error { return tx.QueryRow("SELECT count(*) FROM docs").Scan(&n) })
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	found := false
	for _, o := range c.Checkpoint.AllObjects() {
		found = found || o == ref
	}
	if !found || n != 1 || c.Checkpoint.Seq != seq+1 || len(c.Log) != 0 {
		t.Fatalf("capture: object listed %v, %d rows, seq %d (was %d), %d log bytes", found, n, c.Checkpoint.Seq, seq, len(c.Log))
	}
	if _, err := d.Vault().GetObject(vault.KindDocument, id); err != nil {
		t.Fatal(err)
	}
}
