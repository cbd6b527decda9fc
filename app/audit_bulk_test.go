package app

import (
	"fmt"
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

// The chain is checked in pieces in parallel: a break in any piece, and the
// first of two breaks, is reported as a check from first to last would.
func TestAuditVerifyPieces(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	if err := BulkAudit(ctx, s.v, s.st, 10000, 3000, bulkGen(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	r := verify(t, s)
	if !r.OK || r.Entries < 10000 {
		t.Fatalf("bulk trail: %+v", r)
	}
	tamper(t, s, func(tx *store.Tx) error {
		_, err := tx.Exec("UPDATE audit SET detail = 'forged' WHERE id IN (9001, 5002)")
		return err
	})
	r = verify(t, s)
	if r.OK || r.BadID != 5002 || !strings.Contains(r.Problem, "changed") {
		t.Fatalf("two edits: %+v, want entry 5002 reported", r)
	}
	tamper(t, s, func(tx *store.Tx) error {
		_, err := tx.Exec("DELETE FROM audit WHERE id = 4097")
		return err
	})
	r = verify(t, s)
	if r.OK || r.BadID != 4098 {
		t.Fatalf("deleted entry at a piece boundary: %+v, want 4098 reported", r)
	}
}
