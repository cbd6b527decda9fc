package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestIncidents(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1, Roles: testRoles})
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	if err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.InsertIncident(&Incident{Kind: "flood", OpenedAt: t0, OpenedBy: "ann"})
		return err
	}); err == nil {
		t.Error("an unknown kind was stored")
	}
	err := s.Update(ctx, func(tx *Tx) error {
		first, err := tx.InsertIncident(&Incident{Kind: "lost_laptop", OpenedAt: t0, OpenedBy: "ann", HappenedAt: t0.Add(-26 * time.Hour), Summary: "left on the train"})
		if err != nil {
			return err
		}
		second, err := tx.InsertIncident(&Incident{Kind: "lost_backup", OpenedAt: t0.Add(time.Hour), OpenedBy: "bob", RepoID: "abc123"})
		if err != nil {
			return err
		}
		in, err := tx.GetIncident(first)
		if err != nil || in.Kind != "lost_laptop" || !in.OpenedAt.Equal(t0) || !in.HappenedAt.Equal(t0.Add(-26*time.Hour)) || in.Summary != "left on the train" || !in.ClosedAt.IsZero() {
			t.Errorf("GetIncident: %+v, %v", in, err)
		}
		if in, _ := tx.GetIncident(second); !in.HappenedAt.IsZero() || in.RepoID != "abc123" {
			t.Errorf("second: %+v", in)
		}
		if _, err := tx.GetIncident(99); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetIncident(99): %v", err)
		}
		// Open first, newest first; closed ones after.
		if err := tx.CloseIncident(second, "bob", t0.Add(2*time.Hour)); err != nil {
			return err
		}
		if err := tx.CloseIncident(second, "bob", t0.Add(3*time.Hour)); !errors.Is(err, ErrIncidentClosed) {
			t.Errorf("closed twice: %v", err)
		}
		third, err := tx.InsertIncident(&Incident{Kind: "other", OpenedAt: t0.Add(-time.Hour), OpenedBy: "ann"})
		if err != nil {
			return err
		}
		list, err := tx.ListIncidents()
		if err != nil || len(list) != 3 || list[0].ID != first || list[1].ID != third || list[2].ID != second || list[2].ClosedBy != "bob" {
			t.Errorf("ListIncidents: %v, %v", list, err)
		}
		if all, open, err := tx.IncidentCounts(); all != 3 || open != 2 || err != nil {
			t.Errorf("counts %d %d %v", all, open, err)
		}

		// Steps: tick with a note, untick keeps the note, tick again.
		if err := tx.SetIncidentStep(first, "police", true, "report 2026-4471", "ann", t0.Add(time.Minute)); err != nil {
			return err
		}
		if err := tx.SetIncidentStep(first, "last_seen", true, "", "ann", t0.Add(2*time.Minute)); err != nil {
			return err
		}
		if err := tx.SetIncidentStep(first, "police", false, "", "bob", t0.Add(3*time.Minute)); err != nil {
			return err
		}
		steps, err := tx.IncidentSteps(first)
		if err != nil || len(steps) != 2 {
			t.Fatalf("steps %v %v", steps, err)
		}
		if p := steps["police"]; !p.DoneAt.IsZero() || p.DoneBy != "" || p.Note != "report 2026-4471" {
			t.Errorf("unticked police: %+v", p)
		}
		if l := steps["last_seen"]; !l.DoneAt.Equal(t0.Add(2*time.Minute)) || l.DoneBy != "ann" {
			t.Errorf("last_seen: %+v", l)
		}
		if err := tx.SetIncidentStep(first, "police", true, "report 2026-4472", "bob", t0.Add(4*time.Minute)); err != nil {
			return err
		}
		if steps, _ := tx.IncidentSteps(first); steps["police"].DoneBy != "bob" || steps["police"].Note != "report 2026-4472" {
			t.Errorf("ticked again: %+v", steps["police"])
		}
		if err := tx.SetIncidentStep(99, "police", true, "", "ann", t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("step of no incident: %v", err)
		}

		// Clients: two live, then one replaced; the one that stays keeps
		// when it was told.
		var ids []int64
		for _, n := range []string{"Ann Lee", "Bo Chan", "Cy Diaz"} {
			id, err := tx.InsertClient(&Client{Name: n}, t0)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		live := func(id int64) IncidentClient { return IncidentClient{ClientID: id, RecordID: id} }
		if err := tx.SetIncidentClients(first, []IncidentClient{live(ids[0]), live(ids[1]), live(ids[1])}); err != nil {
			return err
		}
		if err := tx.SetIncidentNotified(first, ids[1], t0.Add(time.Hour), "ann"); err != nil {
			return err
		}
		if err := tx.SetIncidentNotified(first, ids[2], t0, "ann"); !errors.Is(err, ErrNotFound) {
			t.Errorf("notified a client the incident does not affect: %v", err)
		}
		if err := tx.SetIncidentClients(first, []IncidentClient{live(ids[1]), live(ids[2])}); err != nil {
			return err
		}
		cs, err := tx.IncidentClients(first)
		if err != nil || len(cs) != 2 || cs[0].ClientID != ids[1] || cs[0].Name != "Bo Chan" || !cs[0].NotifiedAt.Equal(t0.Add(time.Hour)) || cs[0].NotifiedBy != "ann" ||
			cs[1].ClientID != ids[2] || !cs[1].NotifiedAt.IsZero() {
			t.Errorf("clients: %+v, %v", cs, err)
		}
		if err := tx.SetIncidentNotified(first, ids[1], time.Time{}, "ann"); err != nil {
			return err
		}
		if cs, _ := tx.IncidentClients(first); !cs[0].NotifiedAt.IsZero() || cs[0].NotifiedBy != "" {
			t.Errorf("not told after all: %+v", cs[0])
		}

		// Bo Chan is destroyed (the register row and the kept name as
		// store.Destroy writes them), Cy Diaz deleted: the rows stay, by
		// the id they had, with no name of their own.
		if _, err := tx.Exec(`INSERT INTO destructions(id, number, at, by, names_kept) VALUES (1, 'D-2026-0001', ?, 'ann', 1)`, t0.UnixMilli()); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO destruction_register(id, destruction_id, ref, kind, record_id, rule, created_at) VALUES (5, 1, 'D-2026-0001/2', 'client', ?, 'rule:', ?)`, ids[1], t0.UnixMilli()); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO destroyed_names(register_id, name, role) VALUES (5, 'Bo Chan', 'former_client')`); err != nil {
			return err
		}
		for _, id := range ids[1:] {
			if _, err := tx.Exec(`DELETE FROM clients WHERE id = ?`, id); err != nil {
				return err
			}
		}
		cs, err = tx.IncidentClients(first)
		if err != nil || len(cs) != 2 {
			t.Fatalf("after the destruction: %+v, %v", cs, err)
		}
		if c := cs[0]; c.ClientID != 0 || c.RecordID != ids[1] || c.Register != "D-2026-0001/2" || c.KeptName != "Bo Chan" || c.Name != "" {
			t.Errorf("destroyed client: %+v", c)
		}
		if c := cs[1]; c.ClientID != 0 || c.RecordID != ids[2] || c.Register != "" || c.KeptName != "" || c.Name != "" {
			t.Errorf("deleted client: %+v", c)
		}
		// No name in incident_clients itself.
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM incident_clients WHERE label LIKE '%Chan%' OR label LIKE '%Diaz%' OR register LIKE '%Chan%'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d incident_clients rows hold a name (%v)", n, err)
		}
		// A client gone before it was recorded (from the backup records).
		if err := tx.SetIncidentClients(second, []IncidentClient{{RecordID: 41, Register: "D-2025-0003/1", Label: "former client"}}); err != nil {
			return err
		}
		if cs, _ := tx.IncidentClients(second); len(cs) != 1 || cs[0].ClientID != 0 || cs[0].Register != "D-2025-0003/1" || cs[0].Label != "former client" {
			t.Errorf("gone before: %+v", cs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
