package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"casevault/store/internal/dbtest"
)

// ---- helpers (store/internal/dbtest has the shared ones) ----

var (
	newFastVault    = func(t testing.TB) string { return dbtest.NewVault(t, true) }
	unlock          = dbtest.Unlock
	raceEnabled     = dbtest.RaceEnabled
	requireSameDump = dbtest.RequireSameDump
)

// openRawDB opens the engine over the vault in dir, with no schema; cleanup
// closes it.
func openRawDB(t testing.TB, dir string, opts Options) *DB {
	t.Helper()
	v, err := unlock(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(context.Background(), v, opts)
	if err != nil {
		v.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close(context.Background())
		v.Close()
	})
	return d
}

// crashDB drops d without a checkpoint, as a killed process would.
func crashDB(d *DB) {
	d.Abandon()
	d.Vault().Close()
}

func mustUpdate(t testing.TB, d *DB, fn func(tx *Tx) error) {
	t.Helper()
	if err := d.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// dumpDB is a full logical dump of d (dbtest.Dump).
func dumpDB(t testing.TB, d *DB) []string {
	t.Helper()
	return dbtest.Dump(t, func(fn func(tx dbtest.Querier) error) error {
		return d.View(context.Background(), func(tx *Tx) error { return fn(tx) })
	}, true)
}

// ---- the engine's rules, on schemas of their own ----

// TestWithoutRowidRefused: the redo log cannot record WITHOUT ROWID tables,
// so creating one fails the Update (and poisons the handle rather than go on
// without durability), and an image that holds one does not open.
func TestWithoutRowidRefused(t *testing.T) {
	ctx := context.Background()
	dir := newFastVault(t)
	d := openRawDB(t, dir, Options{})
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("CREATE TABLE ok(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO ok(v) VALUES ('kept')")
		return err
	})
	err := d.Update(ctx, func(tx *Tx) error {
		_, err := tx.Exec("CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID; INSERT INTO kv VALUES ('a', 'b')")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "WITHOUT ROWID") {
		t.Fatalf("creating a WITHOUT ROWID table: err = %v", err)
	}
	if err := d.Update(ctx, func(tx *Tx) error { return nil }); !errors.Is(err, ErrPoisoned) {
		t.Fatalf("after the refused schema change: err = %v, want ErrPoisoned", err)
	}
	crashDB(d)
	d = openRawDB(t, dir, Options{})
	var n int
	d.View(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'kv'").Scan(&n)
	})
	if n != 0 {
		t.Fatal("the refused table was saved")
	}
	dump := strings.Join(dumpDB(t, d), "\n")
	if !strings.Contains(dump, `t:"kept"`) {
		t.Fatalf("earlier data lost:\n%s", dump)
	}
	crashDB(d)

	// A vault whose checkpoint image holds such a table does not open.
	dir2 := newFastVault(t)
	d2 := openRawDB(t, dir2, Options{})
	image := func() []byte {
		// Build the image in the engine's own connection, bypassing
		// Update's checks, then write it as the checkpoint.
		if _, err := d2.conn.ExecContext(ctx, "CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID"); err != nil {
			t.Fatal(err)
		}
		b, err := d2.serialize()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}()
	if err := d2.v.WriteCheckpoint(ctx, image, nil); err != nil {
		t.Fatal(err)
	}
	crashDB(d2)
	v, err := unlock(dir2)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if d3, err := Open(ctx, v, Options{}); err == nil || !strings.Contains(err.Error(), "WITHOUT ROWID") {
		if d3 != nil {
			d3.Close(ctx)
		}
		t.Fatalf("Open of an image with a WITHOUT ROWID table: err = %v", err)
	}
}

// TestDDLDurable: a schema change and rows written in the same Update
// survive a crash, and so do rows written after it through the redo log.
func TestDDLDurable(t *testing.T) {
	dir := newFastVault(t)
	d := openRawDB(t, dir, Options{CheckpointBytes: -1})
	mustUpdate(t, d, func(tx *Tx) error {
		if _, err := tx.Exec(`CREATE TABLE things(id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER)`); err != nil {
			return err
		}
		for i := range 50 {
			if _, err := tx.Exec("INSERT INTO things(name, n) VALUES (?, ?)", fmt.Sprintf("thing %d", i), i*i); err != nil {
				return err
			}
		}
		return nil
	})
	want := dumpDB(t, d)
	crashDB(d)
	d = openRawDB(t, dir, Options{CheckpointBytes: -1})
	requireSameDump(t, "after DDL and crash", want, dumpDB(t, d))

	// Then more DDL mixed with row changes on the new tables, and plain
	// row changes after it (redo log only).
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec(`ALTER TABLE things ADD COLUMN tag TEXT DEFAULT 'none';
			UPDATE things SET tag = 'even' WHERE n % 2 = 0;
			CREATE INDEX things_by_tag ON things(tag);
			CREATE TABLE other(id INTEGER PRIMARY KEY, thing INTEGER REFERENCES things(id) ON DELETE CASCADE);
			INSERT INTO other(thing) SELECT id FROM things WHERE id % 5 = 0;`)
		return err
	})
	logBefore := d.Vault().LogSize()
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("DELETE FROM things WHERE id % 10 = 0; UPDATE things SET tag = 'odd' WHERE tag = 'none'")
		return err
	})
	if d.Vault().LogSize() == logBefore {
		t.Fatal("row changes after the schema change were not logged")
	}
	want = dumpDB(t, d)
	crashDB(d)
	d = openRawDB(t, dir, Options{CheckpointBytes: -1})
	requireSameDump(t, "after DDL, rows, crash", want, dumpDB(t, d))
	// Dropping a table is durable too.
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("DROP TABLE other")
		return err
	})
	want = dumpDB(t, d)
	crashDB(d)
	d = openRawDB(t, dir, Options{CheckpointBytes: -1})
	requireSameDump(t, "after DROP TABLE and crash", want, dumpDB(t, d))
}

// TestReplayEdgeCases: statements whose replay, one row at a time, once
// differed from what SQLite committed.
func TestReplayEdgeCases(t *testing.T) {
	ctx := context.Background()
	dir := newFastVault(t)
	d := openRawDB(t, dir, Options{CheckpointBytes: -1})
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec(`
			CREATE TABLE desc_pk(id INTEGER PRIMARY KEY DESC, a TEXT); -- not a rowid alias
			CREATE TABLE int_pk(id INT PRIMARY KEY, a TEXT);            -- not a rowid alias either
			CREATE TABLE no_pk(a TEXT, b INTEGER);
			CREATE TABLE u(id INTEGER PRIMARY KEY, k TEXT UNIQUE, v INTEGER);
			CREATE TABLE u_log(id INTEGER PRIMARY KEY, msg TEXT);
			CREATE TRIGGER u_ad AFTER DELETE ON u BEGIN INSERT INTO u_log(msg) VALUES ('deleted ' || old.k); END;
			CREATE TABLE tree(id INTEGER PRIMARY KEY, parent INTEGER REFERENCES tree(id), name TEXT);
			CREATE TABLE seq(id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT);
		`)
		return err
	})
	steps := []string{
		"INSERT INTO desc_pk(id, a) VALUES (5, 'five'), (7, 'seven')",
		"UPDATE desc_pk SET id = 6 WHERE id = 5",
		"INSERT INTO int_pk(id, a) VALUES (1, 'one'), (2, 'two')",
		"INSERT INTO no_pk VALUES ('x', 1), ('y', 2), ('z', 3)",
		"DELETE FROM no_pk WHERE b = 2",
		"INSERT INTO no_pk VALUES ('w', 4)",
		"INSERT INTO u(k, v) VALUES ('a', 1), ('b', 2), ('c', 3)",
		// REPLACE deletes the conflicting row: delete triggers fire
		// (recursive_triggers), in the original as in the replay.
		"INSERT OR REPLACE INTO u(k, v) VALUES ('a', 10)",
		"REPLACE INTO u(id, k, v) VALUES (2, 'bb', 20)",
		"INSERT INTO u(k, v) VALUES ('c', 30) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
		"UPDATE u SET id = id + 100",
		"UPDATE OR REPLACE u SET k = 'bb' WHERE k = 'c'",
		// One statement that is consistent only as a whole.
		"INSERT INTO tree(id, parent, name) VALUES (1, NULL, 'root'), (2, 1, 'kid'), (3, 2, 'grandkid')",
		"DELETE FROM tree WHERE id IN (1, 2, 3)",
		"INSERT INTO tree(id, parent, name) VALUES (10, NULL, 'r2'), (11, 10, 'k2')",
		"UPDATE tree SET id = id + 100, parent = parent + 100",
		"INSERT INTO seq(a) VALUES ('a'), ('b'), ('c')",
		"DELETE FROM seq WHERE a = 'c'",
	}
	for _, q := range steps {
		if err := d.Update(ctx, func(tx *Tx) error { _, err := tx.Exec(q); return err }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// A write through Query that fails half way: SQLite rolls its rows
	// back; Update must fail even though fn ignores the error.
	err := d.Update(ctx, func(tx *Tx) error {
		rows, err := tx.Query("INSERT INTO u(k, v) VALUES ('q1', 1), ('q2', 2), ('a', 3) RETURNING id")
		if err == nil {
			for rows.Next() {
			}
			rows.Close()
		}
		return nil
	})
	if err == nil {
		t.Fatal("a failed INSERT ... RETURNING through Query was committed")
	}
	err = d.Update(ctx, func(tx *Tx) error {
		var id int64
		tx.QueryRow("INSERT INTO tree(id, parent, name) VALUES (50, NULL, 'a'), (51, 999, 'b') RETURNING id").Scan(&id)
		return nil
	})
	if err == nil {
		t.Fatal("a failed INSERT ... RETURNING through QueryRow was committed")
	}
	want := dumpDB(t, d)
	for _, s := range []string{`desc_pk: i:1 | i:6 | t:"five"`, `u_log: i:1 | i:1 | t:"deleted a"`, `tree: i:111 | i:111 | i:110 | t:"k2"`} {
		if !strings.Contains(strings.Join(want, "\n"), s) {
			t.Fatalf("dump lacks %q:\n%s", s, strings.Join(want, "\n"))
		}
	}
	crashDB(d)
	d = openRawDB(t, dir, Options{CheckpointBytes: -1})
	got := dumpDB(t, d)
	requireSameDump(t, "after replay", want, got)
	// The next rowids are the same too (AUTOINCREMENT remembers 'c').
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("INSERT INTO seq(a) VALUES ('d'); INSERT INTO no_pk VALUES ('v', 5)")
		return err
	})
	var seqID, noPK int64
	d.View(ctx, func(tx *Tx) error {
		tx.QueryRow("SELECT id FROM seq WHERE a = 'd'").Scan(&seqID)
		return tx.QueryRow("SELECT rowid FROM no_pk WHERE a = 'v'").Scan(&noPK)
	})
	if seqID != 4 || noPK != 5 {
		t.Fatalf("after replay, new rowids are %d and %d, want 4 and 5", seqID, noPK)
	}
}

// TestCloseCheckpointBytes: Close leaves a redo log at or under
// CloseCheckpointBytes as it is (the next Open replays it, losing nothing)
// and checkpoints a bigger one; 0 checkpoints any non-empty log.
func TestCloseCheckpointBytes(t *testing.T) {
	dir := newFastVault(t)
	open := func(closeBytes int64) *DB {
		t.Helper()
		v, err := unlock(dir)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Open(context.Background(), v, Options{CheckpointBytes: -1, CloseCheckpointBytes: closeBytes})
		if err != nil {
			v.Close()
			t.Fatal(err)
		}
		return d
	}
	closeDB := func(d *DB) {
		t.Helper()
		if err := d.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		d.Vault().Close()
	}
	insert := func(d *DB, n int) {
		t.Helper()
		mustUpdate(t, d, func(tx *Tx) error {
			if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS things(id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
				return err
			}
			for i := range n {
				if _, err := tx.Exec("INSERT INTO things(name) VALUES (?)", fmt.Sprintf("thing %d %s", i, strings.Repeat("x", 100))); err != nil {
					return err
				}
			}
			return nil
		})
	}
	d := open(1 << 20)
	insert(d, 0) // the schema change checkpoints at once
	insert(d, 10)
	small := d.Vault().LogSize()
	if small == 0 || small > 1<<20 {
		t.Fatalf("log after a small write: %d bytes", small)
	}
	want := dumpDB(t, d)
	closeDB(d)

	d = open(1 << 20)
	if got := d.Vault().LogSize(); got != small {
		t.Fatalf("a log of %d bytes under the threshold was checkpointed at close: %d bytes after reopening", small, got)
	}
	requireSameDump(t, "small log replayed", want, dumpDB(t, d))
	insert(d, 20000) // well over 1 MiB of log
	if d.Vault().LogSize() <= 1<<20 {
		t.Fatalf("log after a big write: %d bytes, want over 1 MiB", d.Vault().LogSize())
	}
	want = dumpDB(t, d)
	closeDB(d)

	d = open(1 << 20)
	if got := d.Vault().LogSize(); got != 0 {
		t.Fatalf("a log over the threshold was not checkpointed at close: %d bytes", got)
	}
	requireSameDump(t, "big log checkpointed", want, dumpDB(t, d))
	insert(d, 1)
	closeDB(d)

	d = open(0)
	if got := d.Vault().LogSize(); got == 0 {
		t.Fatal("the small log vanished")
	}
	closeDB(d)
	d = open(0)
	defer closeDB(d)
	if got := d.Vault().LogSize(); got != 0 {
		t.Fatalf("with 0, Close left %d bytes of log", got)
	}
}
