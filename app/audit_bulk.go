package app

import (
	"context"
	"fmt"
	"time"

	"casevault/store"
	"casevault/vault"
)

// BulkAuditEntry is one entry for BulkAudit.
type BulkAuditEntry struct {
	At                     time.Time
	Actor, Action, Records string
	Detail                 string
}

// BulkAudit appends n audit entries, made by gen, to the trail of an open
// store, chained exactly as the app chains them, in transactions of
// batch entries (0: 10,000) with the audit key derived once. It is for
// benchmarks and tests that need years of audit trail quickly (the
// app/internal/benchreport builder, heavy tests); the app itself appends
// entries one by one.
func BulkAudit(ctx context.Context, v *vault.Vault, st *store.Store, n, batch int, gen func(i int) BulkAuditEntry) error {
	if batch <= 0 {
		batch = 10000
	}
	// The chain's keys: under the stored chain key once the data key has
	// been changed (keys.go), else the data key's K_audit; derived once.
	var v2From int64
	var key []byte
	if err := st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		v2From, key, err = chainParams(tx)
		return err
	}); err != nil {
		return err
	}
	return runChain(v, v2From, key, func(k *chainKeys) error {
		m := k.macs()
		for i := 0; i < n; i += batch {
			err := st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
				lastID, lastHash, err := tx.AuditHead()
				if err != nil {
					return err
				}
				if lastHash == nil {
					lastHash = genesis
				}
				for j := i; j < min(i+batch, n); j++ {
					g := gen(j)
					e := &store.AuditEntry{ID: lastID + 1, At: g.At.UTC().Truncate(time.Millisecond), Actor: g.Actor,
						Action: g.Action, Records: g.Records, Detail: g.Detail, PrevHash: lastHash}
					e.Hash = m.sum(e)
					if err := tx.InsertAudit(e); err != nil {
						return err
					}
					lastID, lastHash = e.ID, e.Hash
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("appending audit entries %d to %d: %w", i+1, min(i+batch, n), err)
			}
		}
		return nil
	})
}
