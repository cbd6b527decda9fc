package store

import (
	"context"
	"fmt"

	"casevault/store/engine"
	"casevault/vault"
)

// RotateKey replaces the vault's data key (engine.DB.RotateKey): the
// sealed audit segments and the documents' chunks are stored again under
// the new key and their rows point to the new objects, the whole database is checkpointed under the
// new key, and the vault switches header and manifest crash-safely. It
// returns the new recovery key when the old one could not be kept (to be
// shown once), else "". Remove the departing user's slot first.
func (s *Store) RotateKey(ctx context.Context) (vault.RecoveryKey, error) {
	// A new generation before and after: the rotation's transaction writes
	// (audit segments' rows only, but no cache outlives a write).
	s.gen.Add(1)
	defer s.gen.Add(1)
	return s.db.RotateKey(ctx, engine.RotateHooks{Rekey: func(etx *engine.Tx, reput func(vault.Kind, vault.ID) (vault.ID, error)) error {
		s.gen.Add(1)
		if err := rekeyAudit(etx, reput); err != nil {
			return err
		}
		return rekeyDocuments(etx, reput)
	}})
}

// rekeyAudit is the rotation's Rekey hook: every audit_segments row gets
// the id of its object stored again under the new key. Rows of
// audit_segments never change otherwise, so the trigger that refuses an
// UPDATE is dropped for this unlogged transaction and made again, word
// for word, before it commits (the checkpoint that follows carries the
// schema).
func rekeyAudit(etx *engine.Tx, reput func(vault.Kind, vault.ID) (vault.ID, error)) error {
	tx := sysTx(etx)
	segs, err := tx.AuditSegments()
	if err != nil || len(segs) == 0 {
		return err
	}
	var trigger string
	if err := tx.QueryRow("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'audit_segments_no_update'").Scan(&trigger); err != nil {
		return fmt.Errorf("reading the audit segments' trigger: %w", err)
	}
	if _, err := tx.Exec("DROP TRIGGER audit_segments_no_update"); err != nil {
		return err
	}
	for _, sg := range segs {
		id, err := reput(vault.KindAuditSegment, sg.Object)
		if err != nil {
			return fmt.Errorf("storing audit segment %d under the new key: %w", sg.Seq, err)
		}
		if _, err := tx.Exec("UPDATE audit_segments SET object = ? WHERE seq = ?", id[:], sg.Seq); err != nil {
			return fmt.Errorf("recording audit segment %d's new object: %w", sg.Seq, err)
		}
	}
	if _, err := tx.Exec(trigger); err != nil {
		return fmt.Errorf("restoring the audit segments' trigger: %w", err)
	}
	return nil
}
