package app

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"casevault/app/access"
	"casevault/store"
	"casevault/vault"
)

// The audit trail is hash-chained (docs/FORMAT.md, "Audit trail"). Chain
// v1, the entries before meta audit_v2_from:
//   hash_i = HMAC-SHA256(K_chain, prev_hash || id || at || actor || action || records || detail)
// Chain v2, from audit_v2_from on (migration 7 sets it to the next entry):
//   hash_i = HMAC-SHA256(K_chain, prev_hash || id || at || actor || action || records || detail_mac)
//   detail_mac = HMAC-SHA256(K_detail, detail), or empty when detail is empty
// with prev_hash the hash of entry i-1 (32 zero bytes for the first),
// K_chain the data key's K_audit (vault.MAC, purpose "audit") or the stored
// chain key once the data key has been changed (keys.go), and K_detail =
// HMAC-SHA256(K_chain, "casevault audit detail v2"). Each string is
// length-prefixed. The last entry's id and hash are also kept in the meta
// table, so a deleted last entry is noticed.
//
// A destruction removes the detail of the entries about what it destroyed
// (redactAudit, audit_redact.go) and records in audit_redactions what still
// verifies each: for a v2 entry its detail_mac; for a v1 entry (its MAC
// needs the detail) a seal made after its MAC was checked:
//   seal = HMAC-SHA256(K_seal, prev_hash || id || at || actor || action || records || "" || hash)
// with K_seal = HMAC-SHA256(K_chain, "casevault audit redaction v1").

var genesis = make([]byte, 32)

const (
	detailKeyLabel = "casevault audit detail v2"
	sealKeyLabel   = "casevault audit redaction v1"
)

func appendCanonicalAudit(b []byte, e *store.AuditEntry) []byte {
	return appendCanonicalFields(b, e, e.Detail)
}

// appendCanonicalFields is the canonical entry with last as its last field
// (the detail in v1 and in a seal, the detail_mac in v2).
func appendCanonicalFields[T string | []byte](b []byte, e *store.AuditEntry, last T) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(e.ID))
	b = binary.BigEndian.AppendUint64(b, uint64(e.At.UnixMilli()))
	for _, s := range []string{e.Actor, e.Action, e.Records} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(last)))
	return append(b, last...)
}

// chainKeys is what writing and checking the chain needs: the chain key's
// HMAC, the keys derived from it, and where v2 starts.
type chainKeys struct {
	newMAC             func() hash.Hash
	detailKey, sealKey []byte
	v2From             int64
}

// chainMACs are one goroutine's HMACs under the chain's keys.
type chainMACs struct {
	k          *chainKeys
	m, d, seal hash.Hash
	buf        []byte
}

func (k *chainKeys) macs() *chainMACs {
	return &chainMACs{k: k, m: k.newMAC(), d: hmac.New(sha256.New, k.detailKey), seal: hmac.New(sha256.New, k.sealKey)}
}

// withChain runs fn with the chain's keys (see auditMACKey) for the trail
// of tx.
func withChain(v *vault.Vault, tx *store.Tx, fn func(k *chainKeys) error) error {
	v2From, key, err := chainParams(tx)
	if err != nil {
		return err
	}
	return runChain(v, v2From, key, fn)
}

// chainParams reads where v2 starts and the stored chain key (nil: the data
// key's K_audit).
func chainParams(tx *store.Tx) (int64, []byte, error) {
	v2From, err := tx.AuditV2From()
	if err != nil {
		return 0, nil, err
	}
	k, err := auditMACKey(tx)
	return v2From, k, err
}

// runChain derives the chain's keys once and runs fn with them.
func runChain(v *vault.Vault, v2From int64, key []byte, fn func(k *chainKeys) error) error {
	run := func(newMAC func() hash.Hash) error {
		m := newMAC()
		m.Write([]byte(detailKeyLabel))
		kd := m.Sum(nil)
		m.Reset()
		m.Write([]byte(sealKeyLabel))
		ks := m.Sum(nil)
		defer clear(kd)
		defer clear(ks)
		return fn(&chainKeys{newMAC: newMAC, detailKey: kd, sealKey: ks, v2From: v2From})
	}
	if key != nil {
		return run(func() hash.Hash { return hmac.New(sha256.New, key) })
	}
	return v.WithMAC("audit", run)
}

func (s *Session) withChain(tx *store.Tx, fn func(k *chainKeys) error) error {
	return withChain(s.v, tx, fn)
}

// detailMAC is a v2 entry's detail_mac: its stored one when its detail was
// removed, none for an empty detail.
func (c *chainMACs) detailMAC(e *store.AuditEntry) []byte {
	if e.Redaction != "" {
		return e.RedactionMAC
	}
	if e.Detail == "" {
		return nil
	}
	c.d.Reset()
	c.d.Write([]byte(e.Detail))
	return c.d.Sum(nil)
}

// sum is e's MAC, by its chain version.
func (c *chainMACs) sum(e *store.AuditEntry) []byte {
	c.m.Reset()
	c.m.Write(e.PrevHash)
	if e.ID < c.k.v2From {
		c.buf = appendCanonicalAudit(c.buf[:0], e)
	} else {
		c.buf = appendCanonicalFields(c.buf[:0], e, c.detailMAC(e))
	}
	c.m.Write(c.buf)
	return c.m.Sum(nil)
}

// sealOf is the seal of a v1 entry whose detail is removed.
func (c *chainMACs) sealOf(e *store.AuditEntry) []byte {
	c.seal.Reset()
	c.seal.Write(e.PrevHash)
	c.buf = appendCanonicalFields(c.buf[:0], e, "")
	c.seal.Write(c.buf)
	c.seal.Write(e.Hash)
	return c.seal.Sum(nil)
}

// check says what is wrong with e's own MACs ("" when nothing).
func (c *chainMACs) check(e *store.AuditEntry) string {
	switch {
	case e.Redaction != "" && e.Detail != "":
		return fmt.Sprintf("entry %d had its detail removed (destruction %s), but a detail is back in it", e.ID, e.Redaction)
	case e.Redaction != "" && e.ID < c.k.v2From:
		if !hmac.Equal(c.sealOf(e), e.RedactionMAC) {
			return fmt.Sprintf("entry %d was changed after it was written (its detail was removed by destruction %s)", e.ID, e.Redaction)
		}
	case !hmac.Equal(c.sum(e), e.Hash):
		return fmt.Sprintf("entry %d was changed after it was written", e.ID)
	}
	return ""
}

// auditHash computes e's MAC under the chain's keys.
func (s *Session) auditHash(tx *store.Tx, e *store.AuditEntry) ([]byte, error) {
	var h []byte
	err := s.withChain(tx, func(k *chainKeys) error {
		h = k.macs().sum(e)
		return nil
	})
	return h, err
}

func (s *Session) appendAudit(tx *store.Tx, action, records, detail string) error {
	return s.appendAuditAt(tx, s.now(), action, records, detail)
}

func (s *Session) appendAuditAt(tx *store.Tx, at time.Time, action, records, detail string) error {
	tx = tx.As(store.Everyone) // the chain is the whole trail, whoever writes to it
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
	if e.Hash, err = s.auditHash(tx, e); err != nil {
		return err
	}
	return tx.InsertAudit(e)
}

// AuditList returns audit entries matching f. Reading the trail is itself
// recorded.
func (s *Session) AuditList(ctx context.Context, f store.AuditFilter) ([]*store.AuditEntry, error) {
	if err := s.allow(ctx, access.ListAudit); err != nil {
		return nil, err
	}
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
	if err := s.allow(ctx, access.VerifyAudit); err != nil {
		return nil, err
	}
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

// verifyChain is AuditVerify without recording it. It checks the sealed
// segments (each object authenticated and matching its row, in parallel)
// and then the live table, as one chain from entry 1 to the recorded head.
func (s *Session) verifyChain(ctx context.Context) (*AuditReport, error) {
	r := &AuditReport{}
	err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		segs, err := tx.AuditSegments()
		if err != nil {
			return err
		}
		live, err := tx.ListAuditLive(store.AuditFilter{})
		if err != nil {
			return err
		}
		r.Entries = len(live)
		for _, sg := range segs {
			r.Entries += sg.Count
		}
		lastID, lastHash := int64(0), genesis
		if n := len(segs); n > 0 {
			lastID, lastHash = segs[n-1].LastID, segs[n-1].LastHash
		}
		err = s.withChain(tx, func(k *chainKeys) error {
			var err error
			r.Problem, r.BadID, err = checkSegments(ctx, tx, k, segs)
			if err != nil || r.Problem != "" {
				return err
			}
			r.Problem, r.BadID = checkChain(ctx, k, live, lastID+1, lastHash)
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
		if len(live) > 0 {
			last := live[len(live)-1]
			lastID, lastHash = last.ID, last.Hash
		}
		if lastID > 0 {
			head = store.FormatAuditHead(lastID, lastHash)
		}
		r.Head = head
		if recorded != head {
			r.Problem = fmt.Sprintf("the trail ends at %q but the vault recorded %q: entries at the end were deleted", head, recorded)
			r.BadID = lastID + 1 // the first missing entry
			if recordedID > 0 && recordedID <= lastID {
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

// checkSegments checks the sealed segments in parallel: each object is
// read, authenticated and compared with its row, and its entries are
// checked as a run that starts right after the previous segment's row
// (entry 1 and the zero hash for the first). It returns the first problem
// in id order. An error is returned only when the check could not run.
func checkSegments(ctx context.Context, tx *store.Tx, k *chainKeys, segs []*store.AuditSegment) (string, int64, error) {
	type result struct {
		problem string
		bad     int64
		err     error
	}
	res := make([]result, len(segs))
	inParallel(ctx, len(segs), k, func(m *chainMACs, i int) bool {
		sg := segs[i]
		firstID, prev := int64(1), genesis
		if i > 0 {
			firstID, prev = segs[i-1].LastID+1, segs[i-1].LastHash
		}
		if sg.Seq != int64(i+1) {
			res[i] = result{problem: fmt.Sprintf("sealed segment %d of the trail is missing (found segment %d in its place)", i+1, sg.Seq), bad: firstID}
			return true
		}
		es, err := tx.ReadAuditSegment(sg)
		var mm *store.SegmentMismatchError
		switch {
		case errors.Is(err, vault.ErrDamaged) || errors.Is(err, store.ErrBadSegment) || errors.As(err, &mm):
			res[i] = result{problem: fmt.Sprintf("the sealed part of the trail holding entries %d to %d cannot be trusted: %v", sg.FirstID, sg.LastID, err), bad: max(sg.FirstID, firstID)}
			return true
		case err != nil:
			res[i] = result{err: err}
			return false
		}
		res[i].problem, res[i].bad = checkRun(m, es, firstID, prev)
		return true
	})
	if err := ctx.Err(); err != nil {
		return "", 0, err
	}
	for _, r := range res {
		if r.err != nil {
			return "", 0, r.err
		}
		if r.problem != "" {
			return r.problem, r.bad, nil
		}
	}
	return "", 0, nil
}

// checkChain checks a run of entries that must start at id firstID and
// follow prev: each entry's id, its link to the entry before and its MAC.
// It returns the first problem in id order ("" when none) and the entry
// that has it. The run is checked in pieces in parallel; each piece's link
// to the one before is checked against the stored hash before it, so the
// result is the one a check from first to last would give.
// auditPiece is how many entries checkChain checks in one piece. A variable
// only so that the tests can cross piece boundaries with fewer entries.
var auditPiece = 4096

func checkChain(ctx context.Context, k *chainKeys, es []*store.AuditEntry, firstID int64, prev []byte) (string, int64) {
	piece := auditPiece
	n := (len(es) + piece - 1) / piece
	type result struct {
		problem string
		bad     int64
	}
	res := make([]result, n)
	inParallel(ctx, n, k, func(m *chainMACs, p int) bool {
		lo, hi := p*piece, min((p+1)*piece, len(es))
		want := prev
		if lo > 0 {
			want = es[lo-1].Hash
		}
		res[p].problem, res[p].bad = checkRun(m, es[lo:hi], firstID+int64(lo), want)
		return true
	})
	for _, r := range res {
		if r.problem != "" {
			return r.problem, r.bad
		}
	}
	return "", 0
}

// inParallel runs do(m, i) for every i in [0, n), in any order, on up to
// chainWorkers goroutines, each with its own HMACs under k. A worker
// stops when do returns false or ctx is done; inParallel returns when all
// have stopped.
func inParallel(ctx context.Context, n int, k *chainKeys, do func(m *chainMACs, i int) bool) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(chainWorkers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := k.macs()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil || !do(m, i) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// checkRun checks es in order with the HMACs m: the first must have id
// firstID and follow prev.
func checkRun(m *chainMACs, es []*store.AuditEntry, firstID int64, prev []byte) (string, int64) {
	for i, e := range es {
		id := firstID + int64(i)
		switch {
		case e.ID != id:
			return fmt.Sprintf("entry %d is missing or out of place (found id %d at position %d)", id, e.ID, id), e.ID
		case !bytes.Equal(e.PrevHash, prev):
			return fmt.Sprintf("entry %d does not follow entry %d: an entry was inserted, deleted or changed", e.ID, e.ID-1), e.ID
		}
		if p := m.check(e); p != "" {
			return p, e.ID
		}
		prev = e.Hash
	}
	return "", 0
}
