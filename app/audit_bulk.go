package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
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
	// The chain's key: the stored one once the data key has been changed
	// (keys.go), else the data key's K_audit.
	var key []byte
	if err := st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		var err error
		key, err = auditMACKey(tx)
		return err
	}); err != nil {
		return err
	}
	withMAC := func(fn func(newMAC func() hash.Hash) error) error { return v.WithMAC("audit", fn) }
	if key != nil {
		withMAC = func(fn func(newMAC func() hash.Hash) error) error {
			return fn(func() hash.Hash { return hmac.New(sha256.New, key) })
		}
	}
	return withMAC(func(newMAC func() hash.Hash) error {
		m := newMAC()
		var buf []byte
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
					m.Reset()
					m.Write(e.PrevHash)
					buf = appendCanonicalAudit(buf[:0], e)
					m.Write(buf)
					e.Hash = m.Sum(nil)
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
