package store

import (
	"context"
	"testing"
	"time"
)

func TestBackupRecords(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	recs := []BackupRecord{
		{At: t0, RepoID: "r1", Target: "/media/STICK/b", Volume: `"STICK" at /media/STICK`, SnapshotID: "aa", AuditID: 10, Slots: []string{"the passphrase", "the recovery key"}},
		{At: t0.Add(time.Hour), RepoID: "r1", Target: "/media/STICK/b", SnapshotID: "bb", AuditID: 20},
		{At: t0.Add(30 * time.Minute), RepoID: "r2", Target: "/home/ann/b", SystemDisk: true, SnapshotID: "aa", AuditID: 15},
	}
	err := s.Update(ctx, func(tx *Tx) error {
		for _, r := range recs {
			if added, err := tx.AddBackupRecord(r); err != nil || !added {
				t.Fatalf("AddBackupRecord %+v: %v %v", r, added, err)
			}
		}
		again := recs[0]
		again.AuditID = 99
		if added, err := tx.AddBackupRecord(again); err != nil || added {
			t.Fatalf("recording the same snapshot again: %v %v", added, err)
		}
		if _, err := tx.AddBackupRecord(BackupRecord{RepoID: "r1"}); err == nil {
			t.Fatal("a record without a snapshot was accepted")
		}
		n, err := tx.MarkBackupsForgotten("r1", []string{"aa", "zz"}, t0.Add(2*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("MarkBackupsForgotten: %d %v", n, err)
		}
		if n, _ := tx.MarkBackupsForgotten("r1", []string{"aa"}, t0.Add(5*time.Hour)); n != 0 {
			t.Fatalf("marked again: %d", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		all, err := tx.BackupRecords("")
		if err != nil {
			return err
		}
		if len(all) != 3 || all[0].SnapshotID != "aa" || all[0].RepoID != "r1" || all[1].RepoID != "r2" || all[2].SnapshotID != "bb" {
			t.Fatalf("all records, oldest first: %+v", all)
		}
		a := all[0]
		if a.AuditID != 10 || !a.At.Equal(t0) || len(a.Slots) != 2 || a.Slots[1] != "the recovery key" || a.Volume == "" ||
			!a.Forgotten.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("first record: %+v", a)
		}
		if !all[1].SystemDisk || !all[1].Forgotten.IsZero() || all[2].Slots == nil {
			t.Fatalf("records: %+v", all)
		}
		r1, err := tx.BackupRecords("r1")
		if err != nil || len(r1) != 2 {
			t.Fatalf("r1: %+v %v", r1, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDestructionSpans reads the destructions and register rows as helper
// A's Destroy writes them (written here directly).
func TestDestructionSpans(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	day := func(d int) int64 { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC).UnixMilli() }
	err := s.Update(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`INSERT INTO destructions(id, number, at, by, audit_id, names_kept) VALUES (1, 'D-2026-0001', ` + itoa(day(20)) + `, 'Ann', 40, 1)`,
			`INSERT INTO destructions(id, number, at, by, audit_id, names_kept) VALUES (2, 'D-2026-0002', ` + itoa(day(25)) + `, 'Ann', 0, 0)`,
			`INSERT INTO destruction_register(id, destruction_id, ref, kind, record_id, rule, created_at) VALUES (1, 1, 'D-2026-0001/1', 'matter', 7, 'rule:', ` + itoa(day(5)) + `)`,
			`INSERT INTO destruction_register(id, destruction_id, ref, kind, record_id, rule, created_at) VALUES (2, 1, 'D-2026-0001/2', 'client', 3, 'rule:', ` + itoa(day(2)) + `)`,
			`INSERT INTO destruction_register(id, destruction_id, ref, kind, record_id, rule, created_at) VALUES (3, 2, 'D-2026-0002/1', 'client', 4, 'rule:', ` + itoa(day(9)) + `)`,
			`INSERT INTO destroyed_names(register_id, name, role, client_name) VALUES (2, 'Zed Alias', 'former_alias', 'Ann Kept')`,
			`INSERT INTO destroyed_names(register_id, name, role, client_name) VALUES (2, 'Ann Kept', 'former_client', 'Ann Kept')`,
		} {
			if _, err := tx.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		spans, err := tx.DestructionSpans("")
		if err != nil {
			return err
		}
		if len(spans) != 2 || spans[0].Number != "D-2026-0001" || spans[0].AuditID != 40 || spans[0].Earliest.UnixMilli() != day(2) ||
			spans[1].AuditID != 0 || spans[1].Earliest.UnixMilli() != day(9) || spans[1].At.UnixMilli() != day(25) {
			t.Fatalf("spans: %+v", spans)
		}
		one, err := tx.DestructionSpans(" d-2026-0002 ")
		if err != nil || len(one) != 1 || one[0].ID != 2 {
			t.Fatalf("one span: %+v %v", one, err)
		}
		if none, err := tx.DestructionSpans("D-2026-0009"); err != nil || len(none) != 0 {
			t.Fatalf("no such destruction: %+v %v", none, err)
		}
		cs, err := tx.DestroyedClients()
		if err != nil {
			return err
		}
		if len(cs) != 2 || cs[0].Ref != "D-2026-0001/2" || cs[0].ClientID != 3 || cs[0].Name != "Ann Kept" || cs[0].AuditID != 40 ||
			cs[0].CreatedAt.UnixMilli() != day(2) || cs[1].Name != "" || cs[1].Number != "D-2026-0002" {
			t.Fatalf("destroyed clients: %+v", cs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
