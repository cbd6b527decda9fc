package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"casevault/store"
)

// The audit trail is hash-chained: entry i carries
//   hash_i = HMAC-SHA256(K_audit, prev_hash || id || at || actor || action || records || detail)
// with prev_hash the hash of entry i-1 (32 zero bytes for the first) and
// K_audit derived from the data key (vault.MAC, purpose "audit"). Each
// string is length-prefixed. The last entry's id and hash are also kept in
// the meta table, so a deleted last entry is noticed.

var genesis = make([]byte, 32)

func canonicalAudit(e *store.AuditEntry) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint64(b, uint64(e.ID))
	b = binary.BigEndian.AppendUint64(b, uint64(e.At.UnixMilli()))
	for _, s := range []string{e.Actor, e.Action, e.Records, e.Detail} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

func (s *Session) auditHash(e *store.AuditEntry) ([]byte, error) {
	return s.v.MAC("audit", e.PrevHash, canonicalAudit(e))
}

func (s *Session) appendAudit(tx *store.Tx, action, records, detail string) error {
	return s.appendAuditAt(tx, s.now(), action, records, detail)
}

func (s *Session) appendAuditAt(tx *store.Tx, at time.Time, action, records, detail string) error {
	lastID, lastHash, err := tx.AuditHead()
	if err != nil {
		return err
	}
	if lastHash == nil {
		lastHash = genesis
	}
	// Number from the recorded head when it is ahead of the table: a deleted
	// last entry then stays a visible gap, instead of being silently
	// replaced by the next entry (every command appends "unlock" first).
	_, recordedID, err := tx.RecordedAuditHead()
	if err != nil {
		return err
	}
	lastID = max(lastID, recordedID)
	e := &store.AuditEntry{
		ID: lastID + 1, At: at.UTC().Truncate(time.Millisecond), Actor: s.actor,
		Action: action, Records: records, Detail: detail, PrevHash: lastHash,
	}
	if e.Hash, err = s.auditHash(e); err != nil {
		return err
	}
	return tx.InsertAudit(e)
}

// AuditList returns audit entries matching f. Reading the trail is itself
// recorded.
func (s *Session) AuditList(ctx context.Context, f store.AuditFilter) ([]*store.AuditEntry, error) {
	var out []*store.AuditEntry
	err := s.view(ctx, "audit.list", func(tx *store.Tx) (string, string, error) {
		var err error
		out, err = tx.ListAudit(f)
		return "", "", err
	})
	return out, err
}

// AuditReport is the result of verifying the chain.
type AuditReport struct {
	OK      bool   `json:"ok"`
	Entries int    `json:"entries"`
	Head    string `json:"head"`              // id:hash of the last entry
	Problem string `json:"problem,omitempty"` // what is wrong, for the person
	BadID   int64  `json:"bad_id,omitempty"`  // first entry that fails, 0 if none
}

// AuditVerify recomputes the whole chain. It detects an edited entry (its
// hash fails), an inserted or deleted entry (the chain or the ids break) and
// a deleted last entry (the recorded head does not match).
func (s *Session) AuditVerify(ctx context.Context) (*AuditReport, error) {
	r, err := s.verifyChain(ctx)
	if err != nil {
		return nil, err
	}
	result := "intact"
	if !r.OK {
		result = "BROKEN: " + r.Problem
	}
	if err := s.audit(ctx, "audit.verify", "", result); err != nil {
		return r, err
	}
	return r, nil
}

// verifyChain is AuditVerify without recording it.
func (s *Session) verifyChain(ctx context.Context) (*AuditReport, error) {
	r := &AuditReport{}
	err := s.st.View(ctx, func(tx *store.Tx) error {
		entries, err := tx.ListAudit(store.AuditFilter{})
		if err != nil {
			return err
		}
		r.Entries = len(entries)
		prev := genesis
		for i, e := range entries {
			switch {
			case e.ID != int64(i+1):
				r.Problem, r.BadID = fmt.Sprintf("entry %d is missing or out of place (found id %d at position %d)", i+1, e.ID, i+1), e.ID
			case !bytes.Equal(e.PrevHash, prev):
				r.Problem, r.BadID = fmt.Sprintf("entry %d does not follow entry %d: an entry was inserted, deleted or changed", e.ID, e.ID-1), e.ID
			default:
				want, err := s.auditHash(e)
				if err != nil {
					return err
				}
				if !bytes.Equal(want, e.Hash) {
					r.Problem, r.BadID = fmt.Sprintf("entry %d was changed after it was written", e.ID), e.ID
				}
			}
			if r.Problem != "" {
				return nil
			}
			prev = e.Hash
		}
		recorded, recordedID, err := tx.RecordedAuditHead()
		if err != nil {
			return err
		}
		var head string
		if len(entries) > 0 {
			last := entries[len(entries)-1]
			head = store.FormatAuditHead(last.ID, last.Hash)
		}
		r.Head = head
		if recorded != head {
			r.Problem = fmt.Sprintf("the trail ends at %q but the vault recorded %q: entries at the end were deleted", head, recorded)
			r.BadID = int64(len(entries)) + 1 // the first missing entry
			if recordedID > 0 && recordedID <= int64(len(entries)) {
				r.BadID = recordedID
			}
			return nil
		}
		r.OK = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
