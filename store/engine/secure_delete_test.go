package engine

import (
	"bytes"
	"context"
	"testing"
)

// TestSecureDelete: every connection runs with secure_delete on, after
// a fresh start and after loading a checkpoint, so a deleted row leaves
// no byte of itself in the next checkpoint's image (free pages included).
func TestSecureDelete(t *testing.T) {
	ctx := context.Background()
	dir := newFastVault(t)
	canary := []byte("Plimsecuredeletecanary")
	d := openRawDB(t, dir, Options{CheckpointBytes: -1})
	mustUpdate(t, d, func(tx *Tx) error {
		if _, err := tx.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
			return err
		}
		_, err := tx.Exec("INSERT INTO t(v) VALUES (?), (?)", string(canary)+" one", "kept row")
		return err
	})
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	d.Vault().Close()
	d = openRawDB(t, dir, Options{CheckpointBytes: -1})
	var on int
	if err := d.View(ctx, func(tx *Tx) error { return tx.QueryRow("PRAGMA secure_delete").Scan(&on) }); err != nil || on != 1 {
		t.Fatalf("secure_delete after loading the image = %d, %v", on, err)
	}
	image, _, err := d.Vault().LoadCheckpoint(ctx)
	if err != nil || !bytes.Contains(image, canary) {
		t.Fatalf("the checkpoint lacks the canary before the delete (%v): the test proves nothing", err)
	}
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("DELETE FROM t WHERE v <> 'kept row'")
		return err
	})
	if err := d.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	image, _, err = d.Vault().LoadCheckpoint(ctx)
	if err != nil || bytes.Contains(image, canary) || !bytes.Contains(image, []byte("kept row")) {
		t.Errorf("after the delete: canary in the image %v (%v)", bytes.Contains(image, canary), err)
	}
}
