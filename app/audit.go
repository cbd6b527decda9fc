package app

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"hash"
	"runtime"
	"sync"
	"sync/atomic"
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

func canonicalAudit(e *store.AuditEntry) []byte { return appendCanonicalAudit(nil, e) }

func appendCanonicalAudit(b []byte, e *store.AuditEntry) []byte {
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
		err = s.v.WithMAC("audit", func(newMAC func() hash.Hash) error {
			r.Problem, r.BadID = checkChain(ctx, newMAC, entries, 1, genesis)
			return ctx.Err()
		})
		if err != nil || r.Problem != "" {
			return err
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

// chainWorkers is how many goroutines check a chain's MACs: the laptops
// casevault is made for have two cores or more.
var chainWorkers = max(1, min(runtime.GOMAXPROCS(0), 4))

// checkChain checks a run of entries that must start at id firstID and
// follow prev: each entry's id, its link to the entry before and its MAC.
// It returns the first problem in id order ("" when none) and the entry
// that has it. The run is checked in pieces in parallel; each piece's link
// to the one before is checked against the stored hash before it, so the
// result is the one a check from first to last would give.
func checkChain(ctx context.Context, newMAC func() hash.Hash, es []*store.AuditEntry, firstID int64, prev []byte) (string, int64) {
	const piece = 4096
	n := (len(es) + piece - 1) / piece
	type result struct {
		problem string
		bad     int64
	}
	res := make([]result, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(chainWorkers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := newMAC()
			var buf []byte
			for {
				p := int(next.Add(1) - 1)
				if p >= n || ctx.Err() != nil {
					return
				}
				lo, hi := p*piece, min((p+1)*piece, len(es))
				want := prev
				if lo > 0 {
					want = es[lo-1].Hash
				}
				for i := lo; i < hi; i++ {
					e := es[i]
					id := firstID + int64(i)
					switch {
					case e.ID != id:
						res[p] = result{fmt.Sprintf("entry %d is missing or out of place (found id %d at position %d)", id, e.ID, id), e.ID}
					case !bytes.Equal(e.PrevHash, want):
						res[p] = result{fmt.Sprintf("entry %d does not follow entry %d: an entry was inserted, deleted or changed", e.ID, e.ID-1), e.ID}
					default:
						m.Reset()
						m.Write(e.PrevHash)
						buf = appendCanonicalAudit(buf[:0], e)
						m.Write(buf)
						if !hmac.Equal(m.Sum(nil), e.Hash) {
							res[p] = result{fmt.Sprintf("entry %d was changed after it was written", e.ID), e.ID}
						}
					}
					if res[p].problem != "" {
						break
					}
					want = e.Hash
				}
			}
		}()
	}
	wg.Wait()
	for _, r := range res {
		if r.problem != "" {
			return r.problem, r.bad
		}
	}
	return "", 0
}
