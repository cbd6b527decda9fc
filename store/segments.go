package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"casevault/store/engine"
	"casevault/vault"
)

// Sealed audit segments (docs/FORMAT.md, "Sealed audit segments"). The audit
// trail grows forever, and the database is loaded whole at every unlock. So
// each checkpoint moves the oldest entries out of the database once the live
// table holds more than twice SegmentSize of them: SegmentSize entries at a
// time, oldest first, into an encrypted vault object of kind
// KindAuditSegment, recorded by a row of audit_segments. The live table
// always keeps at least SegmentSize entries, the newest. Nothing in the
// chain changes: a sealed entry keeps its id, time, text, prev_hash and
// hash, and the first entry after a segment chains to its last. The one
// exception is a destruction's (docs/FORMAT.md 6.2.1): a segment holding
// entries whose detail it removed is written again without those details
// (resealAudit), everything else as it was.

// DefaultAuditSegment is the number of entries per sealed audit segment.
const DefaultAuditSegment = 8192

// auditSegmentMagic starts a segment object's plaintext.
const auditSegmentMagic = "CVASEG01"

// AuditSegment is one row of audit_segments: where a run of sealed entries
// is and what it must hold.
type AuditSegment struct {
	Seq       int64     // 1, 2, ... in id order
	FirstID   int64     // id of its first entry
	LastID    int64     // id of its last entry
	MinAt     time.Time // earliest and latest time of its entries (times need not be in id order)
	MaxAt     time.Time
	Count     int      // number of entries
	Object    vault.ID // the vault object (kind audit segment) holding them
	FirstPrev []byte   // prev_hash of its first entry
	LastHash  []byte   // hash of its last entry
}

// EncodeAuditSegment is the plaintext of the segment object holding es
// (in id order) as segment seq: every column of every entry, length-
// prefixed, so that decoding gives back exactly the rows that were sealed.
func EncodeAuditSegment(seq int64, es []*AuditEntry) []byte {
	n := 8 + 8 + 4
	for _, e := range es {
		n += 16 + 6*4 + len(e.Actor) + len(e.Action) + len(e.Records) + len(e.Detail) + len(e.PrevHash) + len(e.Hash)
	}
	b := make([]byte, 0, n)
	b = append(b, auditSegmentMagic...)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	b = binary.BigEndian.AppendUint32(b, uint32(len(es)))
	for _, e := range es {
		b = binary.BigEndian.AppendUint64(b, uint64(e.ID))
		b = binary.BigEndian.AppendUint64(b, uint64(e.At.UnixMilli()))
		for _, s := range [][]byte{[]byte(e.Actor), []byte(e.Action), []byte(e.Records), []byte(e.Detail), e.PrevHash, e.Hash} {
			b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

// ErrBadSegment: a segment object's plaintext does not decode.
var ErrBadSegment = errors.New("sealed audit segment is malformed")

// DecodeAuditSegment parses a segment object's plaintext.
func DecodeAuditSegment(b []byte) (seq int64, es []*AuditEntry, err error) {
	bad := func(format string, a ...any) (int64, []*AuditEntry, error) {
		return 0, nil, fmt.Errorf("%w: %s", ErrBadSegment, fmt.Sprintf(format, a...))
	}
	if len(b) < 20 || string(b[:8]) != auditSegmentMagic {
		return bad("it does not start with %q", auditSegmentMagic)
	}
	seq = int64(binary.BigEndian.Uint64(b[8:]))
	count := int(binary.BigEndian.Uint32(b[16:]))
	b = b[20:]
	const minEntry = 16 + 6*4
	if seq <= 0 || count == 0 || count > len(b)/minEntry {
		return bad("segment %d claims %d entries in %d bytes", seq, count, len(b))
	}
	es = make([]*AuditEntry, count)
	field := func() ([]byte, bool) {
		if len(b) < 4 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			return nil, false
		}
		f := b[4 : 4+n]
		b = b[4+n:]
		return f, true
	}
	for i := range es {
		if len(b) < 16 {
			return bad("entry %d of %d is truncated", i+1, count)
		}
		e := &AuditEntry{ID: int64(binary.BigEndian.Uint64(b)), At: time.UnixMilli(int64(binary.BigEndian.Uint64(b[8:]))).UTC()}
		b = b[16:]
		var fs [6][]byte
		for j := range fs {
			f, ok := field()
			if !ok {
				return bad("entry %d of %d is truncated", i+1, count)
			}
			fs[j] = f
		}
		e.Actor, e.Action, e.Records, e.Detail = string(fs[0]), string(fs[1]), string(fs[2]), string(fs[3])
		e.PrevHash, e.Hash = bytes.Clone(fs[4]), bytes.Clone(fs[5])
		es[i] = e
	}
	if len(b) != 0 {
		return bad("%d bytes follow the last entry", len(b))
	}
	return seq, es, nil
}

func hasTable(tx *engine.Tx, name string) (bool, error) {
	var n int
	err := tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", name).Scan(&n)
	return n > 0, err
}

// AuditSegments returns the recorded segments in seq order (none before
// the schema has them).
func (tx *Tx) AuditSegments() ([]*AuditSegment, error) {
	if ok, err := hasTable(tx.Tx, "audit_segments"); err != nil || !ok {
		return nil, err
	}
	rows, err := tx.Query("SELECT seq, first_id, last_id, min_at, max_at, count, object, first_prev, last_hash FROM audit_segments ORDER BY seq")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AuditSegment
	for rows.Next() {
		var sg AuditSegment
		var minAt, maxAt int64
		var obj []byte
		if err := rows.Scan(&sg.Seq, &sg.FirstID, &sg.LastID, &minAt, &maxAt, &sg.Count, &obj, &sg.FirstPrev, &sg.LastHash); err != nil {
			return nil, err
		}
		sg.MinAt, sg.MaxAt = time.UnixMilli(minAt).UTC(), time.UnixMilli(maxAt).UTC()
		copy(sg.Object[:], obj)
		if len(obj) != len(sg.Object) {
			return nil, fmt.Errorf("audit segment %d names an object id of %d bytes", sg.Seq, len(obj))
		}
		out = append(out, &sg)
	}
	return out, rows.Err()
}

// SegmentMismatchError: a segment object decodes but does not hold what its
// row records (another segment's entries, a different count, ...).
type SegmentMismatchError struct {
	Seq    int64
	Reason string
}

func (e *SegmentMismatchError) Error() string {
	return fmt.Sprintf("sealed audit segment %d does not hold what the vault recorded: %s", e.Seq, e.Reason)
}

// ReadAuditSegment reads, authenticates and decodes the object of sg, and
// checks it against sg: seq, count, first and last id, times, first
// prev_hash and last hash. A missing or damaged object is a
// *vault.DamagedError; a mismatch a *SegmentMismatchError or ErrBadSegment.
//
// It returns every entry, whatever they name: it is for the vault's own
// checks (the chain's verification, the restore drill), so it refuses a
// viewer other than Everyone (ErrNotEveryone; use tx.As(Everyone)).
// ListAudit is the reading for a person.
func (tx *Tx) ReadAuditSegment(sg *AuditSegment) ([]*AuditEntry, error) {
	if !tx.viewer.All {
		return nil, ErrNotEveryone
	}
	return tx.readAuditSegment(sg)
}

// ErrNotEveryone: a method for the vault's own work was called in a
// transaction for a viewer that does not see everything.
var ErrNotEveryone = errors.New("this reads every record; it needs a transaction for store.Everyone")

func (tx *Tx) readAuditSegment(sg *AuditSegment) ([]*AuditEntry, error) {
	if tx.v == nil {
		return nil, errors.New("reading a sealed audit segment needs the vault")
	}
	b, err := tx.v.GetObject(vault.KindAuditSegment, sg.Object)
	if err != nil {
		return nil, err
	}
	es, err := CheckAuditSegment(sg, b)
	if err != nil {
		return nil, err
	}
	if err := tx.overlayRedactions(sg, es); err != nil {
		return nil, err
	}
	return es, nil
}

// CheckAuditSegment decodes a segment object's plaintext and checks it
// against its row (see ReadAuditSegment).
func CheckAuditSegment(sg *AuditSegment, b []byte) ([]*AuditEntry, error) {
	seq, es, err := DecodeAuditSegment(b)
	if err != nil {
		return nil, fmt.Errorf("audit segment %d: %w", sg.Seq, err)
	}
	mismatch := func(format string, a ...any) ([]*AuditEntry, error) {
		return nil, &SegmentMismatchError{Seq: sg.Seq, Reason: fmt.Sprintf(format, a...)}
	}
	first, last := es[0], es[len(es)-1]
	minAt, maxAt := first.At, first.At
	for _, e := range es {
		minAt, maxAt = minTime(minAt, e.At), maxTime(maxAt, e.At)
	}
	switch {
	case seq != sg.Seq:
		return mismatch("it is segment %d", seq)
	case len(es) != sg.Count:
		return mismatch("it holds %d entries, not %d", len(es), sg.Count)
	case first.ID != sg.FirstID || last.ID != sg.LastID:
		return mismatch("it holds entries %d to %d, not %d to %d", first.ID, last.ID, sg.FirstID, sg.LastID)
	case !bytes.Equal(first.PrevHash, sg.FirstPrev) || !bytes.Equal(last.Hash, sg.LastHash):
		return mismatch("its first or last hash differs")
	case !minAt.Equal(sg.MinAt) || !maxAt.Equal(sg.MaxAt):
		return mismatch("its times differ")
	}
	return es, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// auditSealDue is the engine's SealDue hook: the live table holds more than
// 2*size entries, or a sealed segment awaits its reseal (audit_reseal).
func auditSealDue(size int) func(etx *engine.Tx) (bool, error) {
	return func(etx *engine.Tx) (bool, error) {
		if ok, err := hasTable(etx, "audit_reseal"); err != nil {
			return false, err
		} else if ok {
			var n int
			if err := etx.QueryRow("SELECT count(*) FROM (SELECT 1 FROM audit_reseal LIMIT 1)").Scan(&n); err != nil || n > 0 {
				return n > 0, err
			}
		}
		if size <= 0 {
			return false, nil
		}
		if ok, err := hasTable(etx, "audit_segments"); err != nil || !ok {
			return false, err
		}
		// Whether the table holds an entry past the first 2*size: without
		// counting them all.
		var n int
		err := etx.QueryRow("SELECT count(*) FROM (SELECT 1 FROM audit LIMIT 1 OFFSET ?)", 2*size).Scan(&n)
		return n > 0, err
	}
}

// sealAudit is the engine's Seal hook (engine.Options.Seal): while the live
// audit table holds more than 2*size entries, its oldest size entries
// become one segment object and a row of audit_segments, and leave the
// table (the append-only trigger lets only entries covered by a segment
// go).
//
// First, each segment awaiting a reseal (audit_reseal: a destruction
// removed the detail of some of its entries) is written again as a new
// object with those details empty, and its row points to it; the old
// object is no longer named by the checkpoint, so the vault deletes it
// once the checkpoint is written. Ids, times, hashes and counts stay.
func sealAudit(size int, v *vault.Vault) func(etx *engine.Tx, put func(vault.Kind, []byte) (vault.ID, error)) error {
	return func(etx *engine.Tx, put func(vault.Kind, []byte) (vault.ID, error)) error {
		if err := resealAudit(sysTx(etx), v, put); err != nil {
			return err
		}
		if size <= 0 {
			return nil
		}
		if ok, err := hasTable(etx, "audit_segments"); err != nil || !ok {
			return err
		}
		tx := sysTx(etx)
		for {
			var live int
			if err := tx.QueryRow("SELECT count(*) FROM audit").Scan(&live); err != nil {
				return err
			}
			if live <= 2*size {
				return nil
			}
			es, err := tx.listAuditLive(AuditFilter{Limit: size}, nil)
			if err != nil {
				return err
			}
			var seq int64
			if err := tx.QueryRow("SELECT coalesce(max(seq), 0) + 1 FROM audit_segments").Scan(&seq); err != nil {
				return err
			}
			id, err := put(vault.KindAuditSegment, EncodeAuditSegment(seq, es))
			if err != nil {
				return fmt.Errorf("sealing audit segment %d: %w", seq, err)
			}
			first, last := es[0], es[len(es)-1]
			minAt, maxAt := first.At, first.At
			for _, e := range es {
				minAt, maxAt = minTime(minAt, e.At), maxTime(maxAt, e.At)
			}
			if _, err := tx.Exec(`INSERT INTO audit_segments(seq, first_id, last_id, min_at, max_at, count, object, first_prev, last_hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, seq, first.ID, last.ID, minAt.UnixMilli(), maxAt.UnixMilli(), len(es), id[:], first.PrevHash, last.Hash); err != nil {
				return err
			}
			res, err := tx.Exec("DELETE FROM audit WHERE id BETWEEN ? AND ?", first.ID, last.ID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != int64(len(es)) {
				return fmt.Errorf("sealing audit segment %d: %d rows left the table, not %d (%v)", seq, n, len(es), err)
			}
		}
	}
}

// resealAudit writes again every segment in audit_reseal, without the
// details its redaction rows removed (see sealAudit). A segment whose
// object cannot be read or does not match its row (the chain's check
// reports it) is left as it is and leaves the list, so that it does not
// make every later checkpoint read it again. (A missing object already
// fails any checkpoint, which lists it: docs/FORMAT.md 6.2.)
func resealAudit(tx *Tx, v *vault.Vault, put func(vault.Kind, []byte) (vault.ID, error)) error {
	if ok, err := hasTable(tx.Tx, "audit_reseal"); err != nil || !ok {
		return err
	}
	set := map[int64]bool{}
	if err := tx.collectIDs("SELECT seq FROM audit_reseal", set); err != nil {
		return err
	}
	seqs := slices.Sorted(maps.Keys(set))
	if len(seqs) == 0 {
		return nil
	}
	segs, err := tx.AuditSegments()
	if err != nil {
		return err
	}
	bySeq := map[int64]*AuditSegment{}
	for _, sg := range segs {
		bySeq[sg.Seq] = sg
	}
	for _, seq := range seqs {
		if sg := bySeq[seq]; sg != nil && v != nil {
			if err := resealSegment(tx, v, put, sg); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("DELETE FROM audit_reseal WHERE seq = ?", seq); err != nil {
			return err
		}
	}
	return nil
}

func resealSegment(tx *Tx, v *vault.Vault, put func(vault.Kind, []byte) (vault.ID, error), sg *AuditSegment) error {
	b, err := v.GetObject(vault.KindAuditSegment, sg.Object)
	if err != nil {
		return nil // unreadable: nothing of it can be read either (see resealAudit)
	}
	es, err := CheckAuditSegment(sg, b)
	clear(b)
	if err != nil {
		return nil
	}
	rs, err := tx.auditRedactions(sg.FirstID, sg.LastID)
	if err != nil {
		return err
	}
	changed := false
	for _, e := range es {
		if _, ok := rs[e.ID]; ok && e.Detail != "" {
			e.Detail, changed = "", true
		}
	}
	if !changed {
		return nil
	}
	plain := EncodeAuditSegment(sg.Seq, es)
	id, err := put(vault.KindAuditSegment, plain)
	clear(plain)
	if err != nil {
		return fmt.Errorf("sealing audit segment %d again without its removed details: %w", sg.Seq, err)
	}
	if _, err := tx.Exec("UPDATE audit_segments SET object = ? WHERE seq = ?", id[:], sg.Seq); err != nil {
		return fmt.Errorf("recording audit segment %d's new object: %w", sg.Seq, err)
	}
	return nil
}

// auditObjects is the engine's Objects hook: the segment objects, in seq order.
func auditObjects(etx *engine.Tx) ([]vault.ObjectRef, error) {
	segs, err := sysTx(etx).AuditSegments()
	if err != nil {
		return nil, err
	}
	out := make([]vault.ObjectRef, len(segs))
	for i, sg := range segs {
		out[i] = vault.ObjectRef{Kind: vault.KindAuditSegment, ID: sg.Object}
	}
	return out, nil
}

// matches is ListAudit's filter in Go, for sealed entries: the same
// conditions as its SQL.
func (f AuditFilter) matches(e *AuditEntry, from, to int64) bool {
	at := e.At.UnixMilli()
	return (from == 0 || at >= from) && (to == 0 || at < to) && (f.Action == "" || e.Action == f.Action) &&
		(f.Record == "" || strings.Contains(" "+e.Records+" ", " "+f.Record+" ")) &&
		(f.Actor == "" || asciiEqualFold(e.Actor, f.Actor))
}

// asciiEqualFold compares as SQLite's NOCASE does: ASCII letters folded,
// every other byte as it is.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
