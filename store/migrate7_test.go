package store

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// TestMigrateFrom6: schema 7 gives every matter closed before it a
// destroy-after date from the default rule (7 years after closing, to the
// millisecond, a leap day kept as the calendar says), leaves open matters
// without one, and starts with the one default rule.
func TestMigrateFrom6(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, upTo: 6, Roles: testRoles})
	_, open := docClientMatter(t, s)
	closedAt := time.Date(2020, 2, 29, 15, 4, 5, 678e6, time.UTC)
	var closed int64
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		if closed, err = tx.InsertMatter(&Matter{ClientID: 1, Title: "Closed one"}, docNow); err != nil {
			return err
		}
		return tx.SetMatterStatus(closed, "closed", closedAt)
	})
	if err != nil {
		t.Fatal(err)
	}
	closeStore(s)

	s = openStore(t, dir, Options{CheckpointBytes: -1, Roles: testRoles})
	defer closeStore(s)
	if v, err := s.version(ctx); err != nil || v != SchemaVersion {
		t.Fatalf("schema after = %d, %v; want %d", v, err, SchemaVersion)
	}
	err = s.View(ctx, func(tx *Tx) error {
		var after sql.NullInt64
		var rule string
		if err := tx.QueryRow("SELECT destroy_after, destroy_rule FROM matters WHERE id = ?", closed).Scan(&after, &rule); err != nil {
			return err
		}
		want := time.Date(2027, 3, 1, 15, 4, 5, 678e6, time.UTC) // SQLite's +7 years from 29 February
		if !after.Valid || after.Int64 != want.UnixMilli() || rule != "rule:" {
			t.Errorf("closed matter: destroy_after %v (%v), rule %q; want %v, %q", after, time.UnixMilli(after.Int64).UTC(), rule, want, "rule:")
		}
		if err := tx.QueryRow("SELECT destroy_after FROM matters WHERE id = ?", open).Scan(&after); err != nil {
			return err
		}
		if after.Valid {
			t.Errorf("open matter has destroy_after %v", after)
		}
		var n, years int
		if err := tx.QueryRow("SELECT count(*), max(years) FROM retention_rules WHERE practice_area = ''").Scan(&n, &years); err != nil {
			return err
		}
		if n != 1 || years != 7 {
			t.Errorf("default rule: %d rows, %d years", n, years)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
