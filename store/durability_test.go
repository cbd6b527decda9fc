package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"casevault/vault"
)

// TestUpdateHoldsKeys: Update keeps the vault's write keys open for the whole
// transaction (fn, the log record, an automatic checkpoint), so that callers
// (app's audit MAC) need not reach past the store to the vault for it.
func TestUpdateHoldsKeys(t *testing.T) {
	ctx := context.Background()
	d := openRawDB(t, newFastVault(t), Options{CheckpointBytes: 1})
	var inFn, inMeta bool
	d.opts.Meta = func(tx *Tx) (json.RawMessage, error) { inMeta = d.Vault().Held(); return nil, nil }
	mustUpdate(t, d, func(tx *Tx) error {
		inFn = d.Vault().Held()
		_, err := tx.Exec("CREATE TABLE k(id INTEGER PRIMARY KEY, x TEXT)")
		return err
	})
	if !inFn || !inMeta {
		t.Fatalf("keys held in fn: %v, in the schema change's checkpoint: %v; want both", inFn, inMeta)
	}
	inFn, inMeta = false, false
	mustUpdate(t, d, func(tx *Tx) error {
		inFn = d.Vault().Held()
		_, err := tx.Exec("INSERT INTO k(x) VALUES ('a')")
		return err
	})
	if !inFn || !inMeta {
		t.Fatalf("keys held in fn: %v, in the automatic checkpoint: %v; want both", inFn, inMeta)
	}
	if d.Vault().Held() {
		t.Fatal("keys still held after Update")
	}
	d.View(ctx, func(tx *Tx) error { inFn = d.Vault().Held(); return nil })
	if inFn {
		t.Error("View holds the keys; only writes need them")
	}
	// A closed vault: Update fails, fn does not run.
	d.Vault().Close()
	ran := false
	if err := d.Update(ctx, func(tx *Tx) error { ran = true; return nil }); !errors.Is(err, vault.ErrClosed) || ran {
		t.Fatalf("Update over a closed vault: %v (fn ran: %v)", err, ran)
	}
}
