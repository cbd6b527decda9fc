package store

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// TestRotateKeySegments: a data key rotation stores every sealed audit
// segment again under the new key and points its row to the new object;
// the trail reads the same before, after, and after reopening; the
// segments' rows stay unchangeable.
func TestRotateKeySegments(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	opts := Options{CheckpointBytes: -1, AuditSegment: 4}
	s := openStore(t, dir, opts)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		prev := make([]byte, 32)
		for id := int64(1); id <= 30; id++ {
			h := []byte(fmt.Sprintf("%032d", id))
			if err := tx.InsertAudit(&AuditEntry{ID: id, At: now.Add(time.Duration(id) * time.Minute), Actor: "owner",
				Action: "test", Records: fmt.Sprintf("client:%d", id), Detail: "d", PrevHash: prev, Hash: h}); err != nil {
				return err
			}
			prev = h
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	trail := func(s *Store) (string, []*AuditSegment) {
		t.Helper()
		var out string
		var segs []*AuditSegment
		err := s.ViewAs(ctx, Everyone, func(tx *Tx) error {
			es, err := tx.ListAudit(AuditFilter{})
			if err != nil {
				return err
			}
			for _, e := range es {
				out += fmt.Sprintf("%+v\n", *e)
			}
			if segs, err = tx.AuditSegments(); err != nil {
				return err
			}
			for _, sg := range segs {
				if _, err := tx.ReadAuditSegment(sg); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out, segs
	}
	before, oldSegs := trail(s)
	if len(oldSegs) < 2 {
		t.Fatalf("%d segments sealed; want several", len(oldSegs))
	}
	if _, err := s.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	after, newSegs := trail(s)
	if after != before {
		t.Errorf("the trail after the rotation differs:\n%s\nbefore:\n%s", after, before)
	}
	for i := range newSegs {
		if bytes.Equal(newSegs[i].Object[:], oldSegs[i].Object[:]) {
			t.Errorf("segment %d kept its object id %x", newSegs[i].Seq, newSegs[i].Object)
		}
	}
	err = s.ViewAs(ctx, Everyone, func(tx *Tx) error {
		var n int
		err := tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'audit_segments_no_update'").Scan(&n)
		if n != 1 {
			t.Errorf("the segments' no-update trigger: %d", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE audit_segments SET count = count WHERE seq = 1")
		return err
	})
	if err == nil {
		t.Error("a segment row changed after the rotation")
	}
	closeStore(s)
	s = openStore(t, dir, opts)
	if reopened, _ := trail(s); reopened != before {
		t.Errorf("the trail after reopening differs:\n%s", reopened)
	}
}
