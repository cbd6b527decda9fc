package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestReplayAfterCrash(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var id int64
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.InsertClient(&Client{Name: "Zebulon Quartermaine", Aliases: []string{"Zeb Q"}, Notes: "prefers mornings"}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		c, err := tx.GetClient(id)
		if err != nil {
			return err
		}
		c.Email = "zq@example.test"
		c.Aliases = []string{"Zeb Q", "ZQ"}
		return tx.UpdateClient(c, now.Add(time.Minute))
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Vault().LogSize() == 0 {
		t.Fatal("no redo log written")
	}
	crash(s)
	s2 := openStore(t, dir, Options{CheckpointBytes: -1})
	err = s2.View(ctx, func(tx *Tx) error {
		c, err := tx.GetClient(id)
		if err != nil {
			return err
		}
		if c.Email != "zq@example.test" || len(c.Aliases) != 2 || c.Aliases[1] != "ZQ" {
			t.Errorf("replayed client = %+v", c)
		}
		hits, err := tx.Search("quarterm", 10)
		if err != nil {
			return err
		}
		if len(hits) != 1 || hits[0].ClientID != id {
			t.Errorf("search after replay = %+v", hits)
		}
		hits, err = tx.Search("ZQ", 10)
		if err != nil {
			return err
		}
		if len(hits) != 1 || hits[0].Kind != "alias" {
			t.Errorf("alias search after replay = %+v", hits)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFailedStatementChangesNothing(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1})
	before := s.Vault().LogSize()
	err := s.Update(ctx, func(tx *Tx) error {
		tx.InsertClient(&Client{Name: "Ok Name"}, time.Now())
		tx.Exec("INSERT INTO clients(name, created_at, updated_at) VALUES ('', 0, 0)") // violates CHECK; error ignored
		return nil
	})
	if err == nil {
		t.Fatal("expected the transaction to fail")
	}
	if s.Vault().LogSize() != before {
		t.Fatal("a failed transaction reached the log")
	}
	s.View(ctx, func(tx *Tx) error {
		c, _ := tx.Counts()
		if c.Clients != 0 {
			t.Errorf("clients = %d, want 0", c.Clients)
		}
		return nil
	})
}

func TestDeleteClientWithMatters(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{})
	now := time.Now()
	err := s.Update(ctx, func(tx *Tx) error {
		id, err := tx.InsertClient(&Client{Name: "A B"}, now)
		if err != nil {
			return err
		}
		if _, err := tx.InsertMatter(&Matter{ClientID: id, Title: "T", Parties: []Party{{Role: RoleAdverse, Name: "X Y"}}}, now); err != nil {
			return err
		}
		return tx.DeleteClient(id)
	})
	if !errors.Is(err, ErrHasMatters) {
		t.Fatalf("err = %v, want ErrHasMatters", err)
	}
}
