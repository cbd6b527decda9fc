package store

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"
)

// schema3Fixture writes, with the SQL of schema 3 (InsertMatter writes
// schema 4's columns), clients with aliases, matters of two years with
// parties and notes, and conflict checks, one decided.
func schema3Fixture(t *testing.T, s *Store) {
	t.Helper()
	jan25 := time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC).UnixMilli()
	mar26 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixMilli()
	err := s.Update(context.Background(), func(tx *Tx) error {
		for _, q := range []string{
			`INSERT INTO clients(id, name, notes, created_at, updated_at) VALUES (1, 'Jane Roe', 'prefers email', 1, 1), (2, 'Acme Ltd', '', 1, 1)`,
			`INSERT INTO client_aliases(client_id, alias) VALUES (1, 'Jane Doe-Roe'), (2, 'Acme Limited')`,
			`INSERT INTO matters(id, client_id, title, practice_area, opened_at, created_at, updated_at) VALUES
				(1, 1, 'Roe divorce', 'family', ` + itoa(jan25) + `, 1, 1),
				(2, 2, 'Acme lease', 'property', ` + itoa(mar26) + `, 1, 1),
				(3, 1, 'Roe will', 'probate', ` + itoa(mar26) + `, 1, 1)`,
			`INSERT INTO parties(id, matter_id, role, name) VALUES (1, 1, 'adverse', 'John Smith'), (2, 2, 'opposing_counsel', 'Lex Partners'),
				(3, 2, 'related', 'Beta Holdings')`,
			`INSERT INTO notes(matter_id, text, author, created_at) VALUES (1, 'met the mediator', 'owner', 1)`,
			`INSERT INTO conflict_checks(at, actor, names, hits, decision, decision_note, decided_at) VALUES
				(100, 'owner', '["Smith"]', '[{"client_id":1,"matter_id":1},{"client_id":1}]', 'waived', 'consent in file 7', 200),
				(300, 'owner', '["Nobody"]', '[]', '', '', NULL),
				(400, 'owner', '["Odd"]', 'not json', '', '', NULL)`,
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestMigrateFrom3: a schema-3 vault upgrades to 4 with its clients,
// aliases, matters (numbered by opening year, each client its matter's
// first client), parties, notes, search and conflict decisions intact; the
// new kinds of record can be written, survive a checkpoint and replay, and
// are searched.
func TestMigrateFrom3(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, upTo: 3, Roles: testRoles})
	schema3Fixture(t, s)
	closeStore(s)

	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	if v, err := s.version(ctx); err != nil || v != SchemaVersion {
		t.Fatalf("schema after = %d, %v; want %d", v, err, SchemaVersion)
	}
	checkMigrated3(t, s)
	// Write the new kinds, then replay them from the log after a crash.
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	var matter int64
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		matter, err = tx.InsertMatter(&Matter{ClientID: 2, Title: "Acme supply", Clients: []MatterClient{{ID: 1}},
			Parties: []Party{{Role: RoleWitness, Name: "Wanda Witness", Kind: PartyPerson, Organisation: "Beta Holdings",
				Aliases: []string{"W. Witness"}, FormerNames: []string{"Wanda Maiden"}}}}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	crash(s)
	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	checkMigrated3(t, s)
	err = s.View(ctx, func(tx *Tx) error {
		m, err := tx.GetMatter(matter)
		if err != nil {
			return err
		}
		if m.Number != "2026-0003" || len(m.Clients) != 2 || m.Clients[0].ID != 2 || m.Clients[1].ID != 1 {
			t.Errorf("new matter = %+v", m)
		}
		if len(m.Parties) != 1 || !slices.Equal(m.Parties[0].Aliases, []string{"W. Witness"}) ||
			!slices.Equal(m.Parties[0].FormerNames, []string{"Wanda Maiden"}) || m.Parties[0].Organisation != "Beta Holdings" {
			t.Errorf("new matter's parties = %+v", m.Parties)
		}
		for q, kind := range map[string]string{"maiden": "party_alias", "wanda beta": "party", "2026-0003": "matter"} {
			hits, err := tx.Search(q, 10)
			if err != nil {
				return err
			}
			if len(hits) == 0 || hits[0].Kind != kind || hits[0].MatterID != matter {
				t.Errorf("Search(%q) = %+v, want a %s hit in matter %d", q, hits, kind, matter)
			}
		}
		mine, err := tx.ListMatters(1, "")
		if err != nil {
			return err
		}
		if len(mine) != 3 || mine[0].ID != matter {
			t.Errorf("client 1's matters (a joint one among them) = %d, first %+v", len(mine), mine[0])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkMigrated3 checks what schema3Fixture wrote, as schema 4 reads it.
func checkMigrated3(t *testing.T, s *Store) {
	t.Helper()
	err := s.View(context.Background(), func(tx *Tx) error {
		c, err := tx.GetClient(1)
		if err != nil {
			return err
		}
		if c.Name != "Jane Roe" || !slices.Equal(c.Aliases, []string{"Jane Doe-Roe"}) {
			t.Errorf("client 1 = %+v", c)
		}
		for id, want := range map[int64]string{1: "2025-0001", 2: "2026-0001", 3: "2026-0002"} {
			m, err := tx.GetMatter(id)
			if err != nil {
				return err
			}
			if m.Number != want || len(m.Clients) != 1 || m.Clients[0].ID != m.ClientID || m.Clients[0].Name != m.ClientName {
				t.Errorf("matter %d: number %q, clients %+v; want %s and its client", id, m.Number, m.Clients, want)
			}
		}
		m, err := tx.GetMatter(2)
		if err != nil {
			return err
		}
		if len(m.Parties) != 2 || m.Parties[0].Name != "Lex Partners" || m.Parties[0].Kind != PartyPerson || m.Parties[1].Role != RoleRelated {
			t.Errorf("matter 2's parties = %+v", m.Parties)
		}
		notes, err := tx.ListNotes(1)
		if err != nil || len(notes) != 1 || notes[0].Text != "met the mediator" {
			t.Errorf("matter 1's notes = %+v, %v", notes, err)
		}
		for q, kind := range map[string]string{"smith": "party", "lex": "party", "2025-0001": "matter", "mediator": "note",
			"acme limited": "alias", "prefers": "client", "divorce": "matter"} {
			hits, err := tx.Search(q, 10)
			if err != nil {
				return err
			}
			if len(hits) == 0 || hits[0].Kind != kind {
				t.Errorf("Search(%q) = %+v, want a %s hit first", q, hits, kind)
			}
		}
		var decisions, counted, undecided int
		err = tx.QueryRow(`SELECT (SELECT count(*) FROM conflict_decisions WHERE check_id = 1 AND decision = 'waived'
				AND note = 'consent in file 7' AND at = 200 AND actor = ''),
			(SELECT hit_count FROM conflict_checks WHERE id = 1),
			(SELECT count(*) FROM conflict_checks WHERE decision = '' AND hit_count = 0)`).Scan(&decisions, &counted, &undecided)
		if err != nil {
			return err
		}
		if decisions != 1 || counted != 2 || undecided != 2 {
			t.Errorf("conflict history: %d decisions, %d hits counted, %d undecided; want 1, 2, 2", decisions, counted, undecided)
		}
		names, err := tx.ConflictNames()
		if err != nil {
			return err
		}
		if len(names) < 7 {
			t.Errorf("conflict names = %+v", names)
		}
		probs, err := tx.IntegrityCheck()
		if len(probs) > 0 {
			t.Errorf("integrity: %v", probs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConflictDecisionsKept: a recorded decision can be neither changed
// nor deleted.
func TestConflictDecisionsKept(t *testing.T) {
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, upTo: 3, Roles: testRoles})
	schema3Fixture(t, s)
	closeStore(s)
	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	for _, q := range []string{"UPDATE conflict_decisions SET note = 'x'", "DELETE FROM conflict_decisions"} {
		err := s.Update(context.Background(), func(tx *Tx) error { _, err := tx.Exec(q); return err })
		if err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
}
