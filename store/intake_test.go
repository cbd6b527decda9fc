package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMigrateFrom4: a schema-4 vault upgrades to 5 with its records and
// conflict names intact; the intake tables start empty, take keys, a
// form, submissions with files, and keep them through a crash (the redo
// log replays them: rowid tables) and a checkpoint.
func TestMigrateFrom4(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, upTo: 4, Roles: testRoles})
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		c, err := tx.InsertClient(&Client{Name: "Jane Roe", Aliases: []string{"Jane Doe-Roe"}}, now)
		if err != nil {
			return err
		}
		_, err = tx.InsertMatter(&Matter{ClientID: c, Title: "Roe divorce", PracticeArea: "family",
			Parties: []Party{{Role: RoleAdverse, Name: "John Roe", Kind: PartyPerson}}}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var before []Name
	if err := s.View(ctx, func(tx *Tx) error { before, err = tx.ConflictNames(); return err }); err != nil {
		t.Fatal(err)
	}
	if v, err := s.version(ctx); err != nil || v != 4 {
		t.Fatalf("fixture schema = %d, %v; want 4", v, err)
	}
	closeStore(s)

	s = openStore(t, dir, Options{CheckpointBytes: -1, upTo: 5, Roles: testRoles})
	if v, err := s.version(ctx); err != nil || v != 5 {
		t.Fatalf("schema after = %d, %v; want 5", v, err)
	}
	var after []Name
	err = s.View(ctx, func(tx *Tx) error {
		if after, err = tx.ConflictNames(); err != nil {
			return err
		}
		for _, table := range []string{"intake_keys", "intake_tls", "intake_forms", "intake_submissions", "intake_files"} {
			var n int
			if err := tx.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s after the upgrade: %d rows, %v; want an empty table", table, n, err)
			}
			var withoutRowid int
			if err := tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = ? AND sql LIKE '%WITHOUT ROWID%'", table).Scan(&withoutRowid); err != nil || withoutRowid != 0 {
				t.Errorf("%s is not a rowid table (%v): the engine would not replay it", table, err)
			}
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
	if len(after) != len(before) || len(after) != 3 {
		t.Errorf("conflict names: %d before, %d after; want 3 both", len(before), len(after))
	}

	// Write every intake table, crash, replay.
	var sub int64
	err = s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.InsertIntakeKey(&IntakeKey{Recipient: "age1a", Identity: "AGE-SECRET-KEY-1A", CreatedAt: now}); err != nil {
			return err
		}
		if _, err := tx.InsertIntakeTLS(&IntakeTLS{CertDER: []byte{1}, KeyDER: []byte{2}, CreatedAt: now}); err != nil {
			return err
		}
		if _, err := tx.InsertIntakeForm(`{"version":0}`, now, "owner"); err != nil {
			return err
		}
		sub, err = tx.InsertIntakeSubmission(&IntakeSubmission{SealedID: strings.Repeat("a", 32), ReceivedAt: now, ImportedAt: now,
			FullName: "Paula Prospect", ConflictNames: []IntakeName{{Name: "Paula Prospect", Role: "client"}}, Payload: "{}"},
			[]IntakeFile{{N: 1, Question: "id_document", Name: "id.jpg", MediaType: "image/jpeg", Size: 3, SHA256: "x", Content: []byte("abc")}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	crash(s)
	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	err = s.View(ctx, func(tx *Tx) error {
		if k, err := tx.CurrentIntakeKey(); err != nil || k.Recipient != "age1a" {
			t.Errorf("key after replay = %+v, %v", k, err)
		}
		if c, err := tx.LatestIntakeTLS(); err != nil || len(c.CertDER) != 1 {
			t.Errorf("certificate after replay = %+v, %v", c, err)
		}
		if f, err := tx.LatestIntakeForm(); err != nil || f.Version != 1 {
			t.Errorf("form after replay = %+v, %v", f, err)
		}
		files, err := tx.IntakeFiles(sub)
		if err != nil || len(files) != 1 {
			t.Fatalf("files after replay = %+v, %v", files, err)
		}
		f, err := tx.IntakeFile(sub, files[0].ID)
		if err != nil || string(f.Content) != "abc" {
			t.Errorf("file after replay = %+v, %v", f, err)
		}
		names, err := tx.ConflictNames()
		if err != nil || len(names) != 4 {
			t.Errorf("conflict names after replay = %+v, %v; want the 3 and the prospect", names, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestIntakeRows: keys newest first with the current one the newest not
// retired; form versions count up; a submission is stored once (the same
// sealed id again is ErrIntakeDuplicate, and nothing of it is written);
// lists page newest first without payloads, by status.
func TestIntakeRows(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1})
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	err := s.View(ctx, func(tx *Tx) error {
		if _, err := tx.CurrentIntakeKey(); !errors.Is(err, ErrNotFound) {
			t.Errorf("no key yet: %v, want ErrNotFound", err)
		}
		if _, err := tx.LatestIntakeForm(); !errors.Is(err, ErrNotFound) {
			t.Errorf("no form yet: %v, want ErrNotFound", err)
		}
		if _, err := tx.LatestIntakeTLS(); !errors.Is(err, ErrNotFound) {
			t.Errorf("no certificate yet: %v, want ErrNotFound", err)
		}
		if _, err := tx.GetIntakeSubmission(1); !errors.Is(err, ErrNotFound) {
			t.Errorf("no submission yet: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err = s.Update(ctx, func(tx *Tx) error {
		for _, k := range []IntakeKey{{Recipient: "age1old", Identity: "S1", CreatedAt: t0},
			{Recipient: "age1new", Identity: "S2", CreatedAt: t0.Add(2 * time.Hour), RetiredAt: t0.Add(3 * time.Hour)},
			{Recipient: "age1mid", Identity: "S3", CreatedAt: t0.Add(time.Hour)}} {
			if _, err := tx.InsertIntakeKey(&k); err != nil {
				return err
			}
		}
		for i := range 2 {
			v, err := tx.InsertIntakeForm(`{"n":`+itoa(int64(i))+`}`, t0, "ann")
			if err != nil || v != i+1 {
				t.Errorf("form version %d = %d, %v", i+1, v, err)
			}
		}
		for i, st := range []string{IntakeNew, IntakeNew, IntakeDeclined} {
			id, err := tx.InsertIntakeSubmission(&IntakeSubmission{SealedID: strings.Repeat(string(rune('a'+i)), 32),
				ReceivedAt: t0.Add(time.Duration(i) * time.Minute), ImportedAt: t0.Add(time.Hour), PracticeArea: "family",
				FullName: "Person " + itoa(int64(i)), Payload: `{"i":` + itoa(int64(i)) + `}`},
				[]IntakeFile{{N: 1, Name: "a.txt", MediaType: "text/plain"}, {N: 2, Name: "b.txt", MediaType: "text/plain", Size: 1, Content: []byte("b")}})
			if err != nil {
				return err
			}
			if _, err := tx.Exec("UPDATE intake_submissions SET status = ? WHERE id = ?", st, id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		_, err := tx.InsertIntakeSubmission(&IntakeSubmission{SealedID: strings.Repeat("a", 32), FullName: "Again", Payload: "{}"},
			[]IntakeFile{{N: 1, Name: "c", MediaType: "text/plain"}})
		return err
	})
	if !errors.Is(err, ErrIntakeDuplicate) {
		t.Errorf("the same sealed id again: %v, want ErrIntakeDuplicate", err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		_, err := tx.InsertIntakeKey(&IntakeKey{Recipient: "age1old", Identity: "S9", CreatedAt: t0})
		return err
	})
	if err == nil {
		t.Error("the same recipient twice was stored")
	}
	err = s.View(ctx, func(tx *Tx) error {
		keys, err := tx.IntakeKeys()
		if err != nil {
			return err
		}
		var order []string
		for _, k := range keys {
			order = append(order, k.Recipient)
		}
		if !slices.Equal(order, []string{"age1new", "age1mid", "age1old"}) {
			t.Errorf("keys = %v, want newest first", order)
		}
		if k, err := tx.CurrentIntakeKey(); err != nil || k.Recipient != "age1mid" {
			t.Errorf("current key = %+v, %v; want the newest not retired", k, err)
		}
		if f, err := tx.LatestIntakeForm(); err != nil || f.Version != 2 || f.Config != `{"n":1}` || f.CreatedBy != "ann" {
			t.Errorf("latest form = %+v, %v", f, err)
		}
		if f, err := tx.GetIntakeForm(1); err != nil || f.Config != `{"n":0}` {
			t.Errorf("form 1 = %+v, %v", f, err)
		}
		list, total, err := tx.ListIntakeSubmissions(IntakeListFilter{Status: IntakeNew})
		if err != nil {
			return err
		}
		if total != 2 || len(list) != 2 || list[0].ID != ids[1] || list[0].Payload != "" || list[0].Files != 2 || list[0].ConflictNames == nil {
			t.Errorf("new ones = %d, %+v", total, list)
		}
		list, total, err = tx.ListIntakeSubmissions(IntakeListFilter{Limit: 1, Offset: 1})
		if err != nil || total != 3 || len(list) != 1 || list[0].ID != ids[1] {
			t.Errorf("page 2 of 1 = %d, %+v, %v", total, list, err)
		}
		if _, _, err := tx.ListIntakeSubmissions(IntakeListFilter{Status: "bogus"}); err == nil {
			t.Error("a status that does not exist listed")
		}
		if n, err := tx.CountIntake(IntakeNew); err != nil || n != 2 {
			t.Errorf("CountIntake(new) = %d, %v", n, err)
		}
		if n, err := tx.CountIntake(""); err != nil || n != 3 {
			t.Errorf("CountIntake() = %d, %v", n, err)
		}
		got, err := tx.GetIntakeSubmission(ids[0])
		if err != nil || got.Payload != `{"i":0}` || got.FullName != "Person 0" || !got.ReceivedAt.Equal(t0) || got.Status != IntakeNew ||
			got.DecidedAt != (time.Time{}) || got.ClientID != 0 {
			t.Errorf("submission = %+v, %v", got, err)
		}
		files, err := tx.IntakeFiles(ids[0])
		if err != nil || len(files) != 2 || files[0].Content != nil || files[1].Name != "b.txt" {
			t.Errorf("files = %+v, %v", files, err)
		}
		if _, err := tx.IntakeFile(ids[1], files[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("a file of another submission: %v, want ErrNotFound", err)
		}
		if f, err := tx.IntakeFile(ids[0], files[0].ID); err != nil || len(f.Content) != 0 || f.Name != "a.txt" {
			t.Errorf("an empty upload = %+v, %v", f, err)
		}
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM intake_files f JOIN intake_submissions s ON s.id = f.submission_id WHERE s.full_name = 'Again'").Scan(&n); err != nil || n != 0 {
			t.Errorf("the duplicate's files: %d, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConflictNamesProspects: a new or declined submission's names are
// in the conflict index as a prospective client's (with its id and
// status), a declined one for good; spam never; an accepted one no
// longer (it is the client it became). Hostile stored names are skipped.
func TestConflictNamesProspects(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, newVault(t), Options{CheckpointBytes: -1})
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	names := []IntakeName{{Name: "Paula Prospect", Role: "client"}, {Name: "P. Prospect", Role: "alias"},
		{Name: "Adam Adverse", Role: "adverse"}, {Name: "Rita Related", Role: "related"}, {Name: "Oscar Counsel", Role: "opposing_counsel"},
		{Name: "  ", Role: "adverse"}, {Name: "Bad Role", Role: "judge"}}
	sub := map[string]int64{}
	err := s.Update(ctx, func(tx *Tx) error {
		for i, st := range []string{IntakeNew, IntakeDeclined, IntakeSpam, IntakeAccepted} {
			id, err := tx.InsertIntakeSubmission(&IntakeSubmission{SealedID: strings.Repeat(string(rune('a'+i)), 32), ReceivedAt: t0, ImportedAt: t0,
				FullName: st + " person", ConflictNames: names, Payload: "{}"}, nil)
			if err != nil {
				return err
			}
			sub[st] = id
			if _, err := tx.Exec("UPDATE intake_submissions SET status = ? WHERE id = ?", st, id); err != nil {
				return err
			}
		}
		// Not JSON at all: no names, no failure.
		_, err := tx.Exec(`INSERT INTO intake_submissions(sealed_id, received_at, imported_at, full_name, conflict_names, payload)
			VALUES ('broken', 0, 0, 'x', 'not json', '')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64][]string{}
	err = s.View(ctx, func(tx *Tx) error {
		all, err := tx.ConflictNames()
		for _, n := range all {
			if n.Hidden || n.ClientID != 0 || n.MatterID != 0 {
				t.Errorf("prospect name %+v: hidden or tied to a record", n)
			}
			if n.IntakeID == sub[IntakeNew] && (n.IntakeStatus != IntakeNew || n.ClientName != "new person") ||
				n.IntakeID == sub[IntakeDeclined] && (n.IntakeStatus != IntakeDeclined || n.ClientName != "declined person") {
				t.Errorf("prospect name %+v: wrong status or full name", n)
			}
			got[n.IntakeID] = append(got[n.IntakeID], n.Role+":"+n.Name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"prospect:Paula Prospect", "prospect_alias:P. Prospect", "prospect_adverse:Adam Adverse",
		"prospect_related:Rita Related", "prospect_opposing_counsel:Oscar Counsel"}
	for _, st := range []string{IntakeNew, IntakeDeclined} {
		if !slices.Equal(got[sub[st]], want) {
			t.Errorf("%s submission's names = %v, want %v", st, got[sub[st]], want)
		}
	}
	for _, st := range []string{IntakeSpam, IntakeAccepted} {
		if len(got[sub[st]]) != 0 {
			t.Errorf("%s submission's names are in the index: %v", st, got[sub[st]])
		}
	}
	if len(got) != 2 {
		t.Errorf("names from %d submissions, want 2: %v", len(got), got)
	}
}
