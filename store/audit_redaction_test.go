package store

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"casevault/vault"
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

// TestAuditReseal: a segment marked for a reseal is written again at the
// next checkpoint without its redacted details (the old object file is
// gone, the row names the new one, ids and hashes unchanged); the others
// stay as they were.
func TestAuditReseal(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, AuditSegment: 10})
	defer closeStore(s)
	fillAudit(t, s, 45)
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	want := allAudit(t, s)
	var segs []*AuditSegment
	s.View(ctx, func(tx *Tx) (err error) { segs, err = tx.AuditSegments(); return })
	if len(segs) < 3 {
		t.Fatalf("%d segments", len(segs))
	}
	oldFiles := segmentFiles(t, dir)
	at := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	mac := bytes.Repeat([]byte{7}, 32)
	err := s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
		if err := tx.RedactAuditEntries([]AuditRedaction{{EntryID: 3, MAC: mac, Destruction: "D-2026-0001", At: at},
			{EntryID: 12, MAC: mac, Destruction: "D-2026-0001", At: at}}); err != nil {
			return err
		}
		for _, seq := range []int64{segs[0].Seq, segs[1].Seq} {
			if err := tx.MarkAuditReseal(seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	var after []*AuditSegment
	var pending int
	s.View(ctx, func(tx *Tx) error {
		after, _ = tx.AuditSegments()
		return tx.QueryRow("SELECT count(*) FROM audit_reseal").Scan(&pending)
	})
	if pending != 0 {
		t.Errorf("%d segments still wait for a reseal", pending)
	}
	if after[0].Object == segs[0].Object || after[1].Object == segs[1].Object || after[2].Object != segs[2].Object {
		t.Errorf("objects after the reseal: %v %v (were %v %v)", after[0].Object, after[1].Object, segs[0].Object, segs[1].Object)
	}
	for _, f := range oldFiles {
		if strings.Contains(f, segs[0].Object.String()) {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("the old object of segment 1 is still in the vault: %s", f)
			}
		}
	}
	err = s.ViewAs(ctx, Everyone, func(tx *Tx) error {
		es, err := tx.ReadAuditSegment(after[0])
		if err != nil {
			return err
		}
		b, err := s.db.Vault().GetObject(vault.KindAuditSegment, after[0].Object)
		if err != nil {
			return err
		}
		_, raw, err := DecodeAuditSegment(b)
		if err != nil {
			return err
		}
		for i, e := range raw {
			w := want[i]
			if e.ID != w.ID || !bytes.Equal(e.Hash, w.Hash) || !bytes.Equal(e.PrevHash, w.PrevHash) || e.Records != w.Records {
				t.Errorf("entry %d changed beyond its detail", e.ID)
			}
			if (e.ID == 3) != (e.Detail == "") || (e.ID == 3) != (es[i].Redaction == "D-2026-0001") {
				t.Errorf("entry %d: detail %q, redaction %q", e.ID, e.Detail, es[i].Redaction)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
