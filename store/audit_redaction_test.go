package store

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAuditRedactionTriggers: the audit table takes exactly one update, a
// detail set to ” with its redaction row present; redaction rows never
// change; a segment row takes a new object only while it awaits a reseal;
// migration 7 records where chain v2 starts (after the last entry written).
func TestAuditRedactionTriggers(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, upTo: 6, Roles: testRoles})
	h := bytes.Repeat([]byte{1}, 32)
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	err := s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
		for i := int64(1); i <= 3; i++ {
			if err := tx.InsertAudit(&AuditEntry{ID: i, At: at, Actor: "ann", Action: "document.add", Records: "document:" + strconv.FormatInt(i, 10), Detail: "Canary letter", PrevHash: h, Hash: h}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	closeStore(s)
	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	defer closeStore(s)
	err = s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
		from, err := tx.AuditV2From()
		if err != nil || from != 4 {
			t.Errorf("audit_v2_from after migrating a trail of 3 entries = %d, %v; want 4", from, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	refused := func(what, q string, args ...any) {
		t.Helper()
		err := s.UpdateAs(ctx, Everyone, func(tx *Tx) error { _, err := tx.Exec(q, args...); return err })
		if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "cannot change") {
			t.Errorf("%s: %v, want refused by the trigger", what, err)
		}
	}
	refused("a redaction without its row", "UPDATE audit SET detail = '' WHERE id = 1")
	err = s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
		return tx.RedactAuditEntries([]AuditRedaction{{EntryID: 1, MAC: h, Destruction: "D-2026-0001", At: at}})
	})
	if err != nil {
		t.Fatalf("a redaction with its row: %v", err)
	}
	refused("another column changed with the detail", "UPDATE audit SET detail = '', records = 'x' WHERE id = 2")
	refused("a redacted detail put back", "UPDATE audit SET detail = 'Canary letter' WHERE id = 1")
	refused("a redaction row changed", "UPDATE audit_redactions SET mac = zeroblob(32) WHERE entry_id = 1")
	refused("a redaction row deleted", "DELETE FROM audit_redactions WHERE entry_id = 1")
	refused("another entry's detail emptied with entry 1's row", "UPDATE audit SET detail = '' WHERE id = 3")
	err = s.ViewAs(ctx, Everyone, func(tx *Tx) error {
		es, err := tx.ListAuditLive(AuditFilter{})
		if err != nil {
			return err
		}
		if es[0].Detail != "" || es[0].Redaction != "D-2026-0001" || !bytes.Equal(es[0].RedactionMAC, h) || es[1].Redaction != "" || es[1].Detail != "Canary letter" {
			t.Errorf("after the redaction: %+v / %+v", es[0], es[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
