package engine

import (
	"bytes"
	"context"
	"fmt"

	"casevault/vault"
)

// RotateHooks are the store's part of a data key rotation (RotateKey).
type RotateHooks struct {
	// Rekey runs in a write transaction that the redo log does not record
	// (as Options.Seal), under the database's lock, before the image is
	// taken. It must call reput for every object the database refers to
	// (sealed audit segments) and write the id reput returns in place of
	// the old one: reput reads the object under the old key and stores it
	// under the new one. The objects the checkpoint lists are then read
	// through Options.Objects, as in any checkpoint. nil: the database
	// refers to no objects.
	Rekey func(tx *Tx, reput func(kind vault.Kind, old vault.ID) (vault.ID, error)) error
}

// RotateKey replaces the vault's data key (vault.Vault.BeginRotation):
// under the database's lock, the store re-puts its objects (hooks.Rekey),
// the whole image is written as a checkpoint under the new key, and the
// vault switches to the new key and header, crash-safely. It returns the
// new recovery key when the old one could not be kept (a version 1
// recovery slot), to be shown once; else "". If it fails before the
// switch, nothing changed: the database is put back as it was and the old
// key stays in use.
func (d *DB) RotateKey(ctx context.Context, hooks RotateHooks) (vault.RecoveryKey, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return "", err
	}
	if d.v.ReadOnly() {
		return "", vault.ErrReadOnly
	}
	rot, err := d.v.BeginRotation()
	if err != nil {
		return "", fmt.Errorf("changing the vault key: %w", err)
	}
	var pre []byte // the image before Rekey, to go back to on failure
	if hooks.Rekey != nil {
		err := d.conn.Raw(func(dc any) error {
			return withImage(dc, func(image []byte) error { pre = bytes.Clone(image); return nil })
		})
		if err != nil {
			rot.Abort()
			return "", err
		}
		if err := d.rekeyLocked(ctx, hooks, rot); err != nil {
			rot.Abort()
			return "", d.undoSealLocked(ctx, pre, fmt.Errorf("changing the vault key: %w", err))
		}
	}
	meta, objects, err := d.checkpointInputsLocked(ctx)
	if err != nil {
		rot.Abort()
		if pre != nil {
			return "", d.undoSealLocked(ctx, pre, err)
		}
		return "", err
	}
	var rk vault.RecoveryKey
	err = d.conn.Raw(func(dc any) error {
		return withImage(dc, func(image []byte) error {
			var err error
			rk, err = rot.Commit(ctx, image, meta, objects...)
			return err
		})
	})
	if err != nil && pre != nil && !d.v.Failed() {
		// Not committed: the old manifest and log are the state, and
		// they hold the old object ids.
		return "", d.undoSealLocked(ctx, pre, err)
	}
	return rk, err
}

func (d *DB) rekeyLocked(ctx context.Context, hooks RotateHooks, rot *vault.Rotation) error {
	stx, err := d.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	t := &Tx{ctx: ctx, tx: stx, write: true}
	if err := hooks.Rekey(t, rot.Reput); err != nil {
		return err
	}
	if t.err != nil {
		return t.err
	}
	if err := stx.Commit(); err != nil {
		return err
	}
	// The rekey may have changed the schema (a trigger dropped and made
	// again): the replay statements follow it.
	return d.loadTables(ctx)
}
