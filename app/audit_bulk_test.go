package app

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"casevault/store"
)

func bulkGen(base time.Time) func(i int) BulkAuditEntry {
	return func(i int) BulkAuditEntry {
		return BulkAuditEntry{At: base.Add(time.Duration(i) * time.Minute), Actor: "bulk", Action: "client.view",
			Records: fmt.Sprintf("client:%d", i%50+1), Detail: ""}
	}
}

func init() {
	// Pieces of 256 entries: TestAuditVerifyPieces crosses the same piece
	// boundaries with 2,640 entries instead of 10,240 (set before any test
	// runs). A heavy run checks with the real piece size.
	if os.Getenv("CASEVAULT_HEAVY") != "1" {
		auditPiece = 256
	}
}

// The chain is checked in pieces in parallel: a break in any piece, and the
// first of two breaks, is reported as a check from first to last would.
// The ids below are for pieces of p entries (p = 4096: 10,240 entries,
// edits at 9217 and 5122, entry 4097 deleted).
func TestAuditVerifyPieces(t *testing.T) {
	t.Parallel()
	p := int64(auditPiece)
	n := 2*p + p/2
	s, _, _ := testSession(t)
	if err := BulkAudit(ctx, s.v, s.st, int(n), 3000, bulkGen(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	r := verify(t, s)
	if !r.OK || int64(r.Entries) < n {
		t.Fatalf("bulk trail: %+v", r)
	}
	late, early := 2*p+p/4+1, p+p/4+2 // in the third piece and in the second
	tamper(t, s, func(tx *store.Tx) error {
		_, err := tx.Exec("UPDATE audit SET detail = 'forged' WHERE id IN (?, ?)", late, early)
		return err
	})
	r = verify(t, s)
	if r.OK || r.BadID != early || !strings.Contains(r.Problem, "changed") {
		t.Fatalf("two edits: %+v, want entry %d reported", r, early)
	}
	tamper(t, s, func(tx *store.Tx) error {
		_, err := tx.Exec("DELETE FROM audit WHERE id = ?", p+1)
		return err
	})
	r = verify(t, s)
	if r.OK || r.BadID != p+2 {
		t.Fatalf("deleted entry at a piece boundary: %+v, want %d reported", r, p+2)
	}
}
