// Package engine keeps an in-memory SQLite database durable on top of the
// vault's encrypted checkpoints and redo log. It knows nothing of
// casevault's schema: store/ holds the schema, its migrations and the typed
// queries, and is the only package that uses the engine (layers_test.go).
//
// The database lives only in memory (modernc.org/sqlite has no encrypting
// VFS). Each committed write transaction is captured row by row through
// SQLite's pre-update hook, encoded as one redo log record, and appended to
// the vault's encrypted log (fdatasync) before the transaction commits. A
// checkpoint serialises the whole image into the vault's chunk store.
// Opening loads the last checkpoint and replays the log after it.
//
// Rules that keep replay exact (checked by tests):
//   - only rowid tables are written directly (no WITHOUT ROWID tables);
//   - virtual tables (FTS5) are written only by triggers;
//   - triggers are deterministic functions of the rows they see;
//   - no OR IGNORE / OR REPLACE / OR FAIL (or REPLACE INTO) on a table with
//     triggers: SQLite applies the statement's conflict clause to the
//     statements of the triggers it fires, and replay, which re-runs the
//     triggers under plain statements, would not (replay fails: the vault no
//     longer opens). REPLACE itself is fine: with recursive_triggers on, its
//     deletes fire delete triggers, as the replayed deletes do;
//   - schema changes (DDL) are followed by a checkpoint, done automatically.
package engine

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"casevault/vault"
)

// DefaultCheckpointBytes is the redo log size that triggers a checkpoint.
const DefaultCheckpointBytes = 4 << 20

// ErrPoisoned: a write reached the log but the in-memory database could not
// commit it. The data is safe on disk; reopening the vault replays it.
var ErrPoisoned = errors.New("the database needs to be reopened after an internal error; lock and unlock the vault")

// Options tune the durability engine. The zero value is the production setting.
type Options struct {
	// CheckpointBytes: checkpoint when the redo log grows past this many
	// bytes. 0 means DefaultCheckpointBytes; negative disables automatic
	// checkpoints (tests).
	CheckpointBytes int64
	// Meta, if set, is called inside each checkpoint to produce the summary
	// stored in the manifest (counts for status and backups).
	Meta func(tx *Tx) (json.RawMessage, error)
	// NoCloseCheckpoint: Close leaves the redo log as it is instead of
	// checkpointing (a restore drill's scratch copy, deleted afterwards).
	NoCloseCheckpoint bool
	// CloseCheckpointBytes: Close checkpoints only when the redo log holds
	// more than this many bytes; a smaller log stays, acknowledged and
	// durable as every record is, and the next Open replays it (a short
	// command that wrote a few records should not pay a whole checkpoint;
	// replaying a small log at the next open costs far less). 0 or
	// negative: Close checkpoints whenever the log holds anything (a
	// negative value also keeps app's command-line threshold off, for
	// tests).
	CloseCheckpointBytes int64
	// Salvage: replay stops before the first redo log record that does not
	// apply, instead of failing (with a vault opened by vault.OpenReadOnly
	// or put in salvage by Vault.Salvage; see Vault.LimitLog).
	Salvage bool
	// SealDue and Seal, if set, move rows out of the database at a
	// checkpoint. When SealDue says so, Seal runs right before the image is
	// taken, in a write transaction that the redo log does not record: it
	// may move rows into objects it stores with put (durable when put
	// returns; vault.Vault.PutObject) and then list them through Objects.
	// If the checkpoint then fails, the database is put back to the image
	// it had before the seal, so it again equals the last checkpoint plus
	// its log (the objects stay, unreferenced, for a later sweep).
	SealDue func(tx *Tx) (bool, error)
	Seal    func(tx *Tx, put func(vault.Kind, []byte) (vault.ID, error)) error
	// Objects, if set, lists the objects (other than the image's chunks)
	// that the database refers to, read in each checkpoint after Seal: the
	// manifest names them (vault.Checkpoint.Objects), so the vault keeps
	// them and backups copy them.
	Objects func(tx *Tx) ([]vault.ObjectRef, error)
}

// DB is an open database over an unlocked vault. Safe for concurrent use;
// calls are serialised.
type DB struct {
	v    *vault.Vault
	opts Options

	mu       sync.Mutex
	sqldb    *sql.DB
	conn     *sql.Conn
	tables   map[string]*tableInfo
	capture  *capture
	poisoned bool
	noSeal   bool // the checkpoint running is a schema change's: it does not seal
	closed   bool
	lastCkpt error
}

type tableInfo struct {
	name  string
	cols  []string // in table order
	alias int      // index of the INTEGER PRIMARY KEY column, or -1
	ins   string   // replay statements
	del   string
}

type capture struct {
	changes []change
	err     error
}

// openPragmas set up the connection after an image is loaded.
// secure_delete: SQLite zeroes what a delete frees (cells, pages of the
// free list), so a deleted row leaves no bytes in the image a checkpoint
// writes (a destruction's promise: docs/FORMAT.md 6.3.6).
var openPragmas = []string{
	"PRAGMA foreign_keys = ON",
	"PRAGMA secure_delete = ON",
	"PRAGMA temp_store = MEMORY",
	"PRAGMA journal_mode = MEMORY",
	"PRAGMA recursive_triggers = ON",
}

// Open loads the vault's latest checkpoint, replays its redo log and
// returns the database. It runs no migrations (store.Open does).
func Open(ctx context.Context, v *vault.Vault, opts Options) (*DB, error) {
	if opts.CheckpointBytes == 0 {
		opts.CheckpointBytes = DefaultCheckpointBytes
	}
	sqldb, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	conn, err := sqldb.Conn(ctx)
	if err != nil {
		sqldb.Close()
		return nil, err
	}
	d := &DB{v: v, opts: opts, sqldb: sqldb, conn: conn}
	fail := func(err error) (*DB, error) {
		conn.Close()
		sqldb.Close()
		return nil, err
	}
	var size int64
	err = conn.Raw(func(dc any) error {
		var err error
		size, err = loadImage(ctx, v, dc)
		return err
	})
	if err != nil {
		return fail(err)
	}
	for _, p := range openPragmas {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return fail(fmt.Errorf("%s: %w", p, err))
		}
	}
	if size == 0 {
		if _, err := conn.ExecContext(ctx, "PRAGMA page_size = 4096"); err != nil {
			return fail(err)
		}
	}
	// No PRAGMA quick_check here: every chunk of the image was authenticated
	// (its AEAD binds the vault, the kind and the id the manifest names), so
	// the image is the one a checkpoint wrote. What quick_check would add is
	// a check of the writer, SQLite itself, at over half of an open's time
	// (FTS5's index check most of it); the restore drill runs the fuller
	// PRAGMA integrity_check on every snapshot it restores.
	if err := d.loadTables(ctx); err != nil {
		return fail(err)
	}
	err = conn.Raw(func(dc any) error {
		dc.(interface {
			RegisterPreUpdateHook(sqlite.PreUpdateHookFn)
		}).RegisterPreUpdateHook(d.preUpdate)
		return nil
	})
	if err != nil {
		return fail(err)
	}
	recs, err := v.ReadLog()
	if err != nil {
		return fail(err)
	}
	for i, rec := range recs {
		if err := d.replay(ctx, rec); err != nil {
			reason := fmt.Sprintf("redo log record %d does not apply: %v", i, err)
			if opts.Salvage {
				// Keep the records before it (each applied in its own
				// transaction): the vault reports where the log stopped.
				if lerr := v.LimitLog(i, reason); lerr != nil {
					return fail(lerr)
				}
				break
			}
			return fail(&vault.DamagedError{File: v.Dir() + "/" + vault.LogDir, Reason: reason, Salvageable: true})
		}
	}
	return d, nil
}

// loadTables finds the tables whose rows the redo log records: ordinary
// rowid tables that are not SQLite's own or a virtual table's shadow tables.
func (d *DB) loadTables(ctx context.Context) error {
	rows, err := d.conn.QueryContext(ctx, "SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'")
	if err != nil {
		return fmt.Errorf("listing tables: %w", err)
	}
	type tw struct {
		name string
		wr   bool
	}
	var list []tw
	for rows.Next() {
		var t tw
		if err := rows.Scan(&t.name, &t.wr); err != nil {
			rows.Close()
			return err
		}
		list = append(list, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tables := map[string]*tableInfo{}
	for _, t := range list {
		if t.wr {
			return fmt.Errorf("table %s is WITHOUT ROWID, which the redo log cannot record", t.name)
		}
		ti := &tableInfo{name: t.name, alias: -1}
		r, err := d.conn.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", t.name)
		if err != nil {
			return err
		}
		npk := 0
		aliasCand := -1
		for i := 0; r.Next(); i++ {
			var name, typ string
			var pk int
			if err := r.Scan(&name, &typ, &pk); err != nil {
				r.Close()
				return err
			}
			ti.cols = append(ti.cols, name)
			if pk > 0 {
				npk++
				if strings.EqualFold(typ, "INTEGER") {
					aliasCand = i
				}
			}
		}
		r.Close()
		if npk == 1 && aliasCand >= 0 {
			// An INTEGER PRIMARY KEY is the rowid unless it is declared
			// DESC (or the table is WITHOUT ROWID): then SQLite stores the
			// column and keeps a separate index for the key, which
			// pragma_index_list reports with origin 'pk'.
			var sep int
			if err := d.conn.QueryRowContext(ctx, "SELECT count(*) FROM pragma_index_list(?) WHERE origin = 'pk'", t.name).Scan(&sep); err != nil {
				return err
			}
			if sep == 0 {
				ti.alias = aliasCand
			}
		}
		var cols, marks []string
		for i, c := range ti.cols {
			if i == ti.alias {
				continue
			}
			cols = append(cols, quoteIdent(c))
			marks = append(marks, "?")
		}
		ti.ins = fmt.Sprintf("INSERT INTO %s(rowid%s) VALUES(?%s)", quoteIdent(t.name), prefixJoin(cols), prefixJoin(marks))
		ti.del = fmt.Sprintf("DELETE FROM %s WHERE rowid = ?", quoteIdent(t.name))
		tables[t.name] = ti
	}
	d.tables = tables
	return nil
}

func prefixJoin(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return ", " + strings.Join(s, ", ")
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// preUpdate runs inside SQLite for every row change while a write
// transaction is being captured.
func (d *DB) preUpdate(p sqlite.SQLitePreUpdateData) {
	c := d.capture
	if c == nil || c.err != nil || p.DatabaseName != "main" {
		return
	}
	ti := d.tables[p.TableName]
	if ti == nil || p.Depth() > 0 {
		return // shadow/system table, or a trigger's change: replay redoes it
	}
	n := p.Count()
	if n != len(ti.cols) {
		c.err = fmt.Errorf("table %s: pre-update hook sees %d columns, schema has %d", ti.name, n, len(ti.cols))
		return
	}
	ch := change{Table: ti.name}
	switch p.Op {
	case sqlite3.SQLITE_INSERT:
		ch.Op, ch.NewRow = opInsert, p.NewRowID
		vals := make([]any, n)
		if err := p.New(vals...); err != nil {
			c.err = err
			return
		}
		if err := exactText(&p, vals, true); err != nil {
			c.err = err
			return
		}
		for i, v := range vals {
			if i != ti.alias {
				ch.Vals = append(ch.Vals, colVal{Col: i, Val: v})
			}
		}
	case sqlite3.SQLITE_UPDATE:
		ch.Op, ch.OldRow, ch.NewRow = opUpdate, p.OldRowID, p.NewRowID
		oldv, newv := make([]any, n), make([]any, n)
		if err := p.Old(oldv...); err != nil {
			c.err = err
			return
		}
		if err := p.New(newv...); err != nil {
			c.err = err
			return
		}
		if err := exactText(&p, oldv, false); err != nil {
			c.err = err
			return
		}
		if err := exactText(&p, newv, true); err != nil {
			c.err = err
			return
		}
		for i := range newv {
			if i != ti.alias && !valuesEqual(oldv[i], newv[i]) {
				ch.Vals = append(ch.Vals, colVal{Col: i, Val: newv[i]})
			}
		}
	case sqlite3.SQLITE_DELETE:
		ch.Op, ch.OldRow = opDelete, p.OldRowID
	default:
		c.err = fmt.Errorf("unknown pre-update operation %d", p.Op)
		return
	}
	c.changes = append(c.changes, ch)
}

// preUpdateRaw: modernc's SQLitePreUpdateData.Old and New read text values
// with a C-string conversion that stops at the first NUL byte, so a text
// value with an embedded NUL would be logged truncated and replay would
// differ from what was committed. exactText re-reads text values with their
// exact length through the hook's (unexported) connection handle.
var preUpdateRaw = func() bool {
	t := reflect.TypeOf(sqlite.SQLitePreUpdateData{})
	tf, ok1 := t.FieldByName("tls")
	cf, ok2 := t.FieldByName("pCsr")
	return ok1 && ok2 && tf.Type == reflect.TypeOf((*libc.TLS)(nil)) && cf.Type.Kind() == reflect.Uintptr
}()

func exactText(p *sqlite.SQLitePreUpdateData, vals []any, isNew bool) error {
	var pp uintptr
	var tls *libc.TLS
	var db uintptr
	for i, v := range vals {
		if _, ok := v.(string); !ok {
			continue
		}
		if !preUpdateRaw {
			return errors.New("cannot read text values exactly with this version of modernc.org/sqlite")
		}
		if pp == 0 {
			rv := reflect.ValueOf(p).Elem()
			tls = (*libc.TLS)(rv.FieldByName("tls").UnsafePointer())
			db = uintptr(rv.FieldByName("pCsr").Uint())
			if pp = libc.Xmalloc(tls, 8); pp == 0 {
				return errors.New("out of memory")
			}
			defer libc.Xfree(tls, pp)
		}
		var rc int32
		if isNew {
			rc = sqlite3.Xsqlite3_preupdate_new(tls, db, int32(i), pp)
		} else {
			rc = sqlite3.Xsqlite3_preupdate_old(tls, db, int32(i), pp)
		}
		if rc != sqlite3.SQLITE_OK {
			return fmt.Errorf("reading column %d in the pre-update hook: error %d", i, rc)
		}
		var pv uintptr
		if b := libc.GoBytes(pp, strconv.IntSize/8); len(b) == 8 {
			pv = uintptr(binary.NativeEndian.Uint64(b))
		} else {
			pv = uintptr(binary.NativeEndian.Uint32(b))
		}
		if sqlite3.Xsqlite3_value_type(tls, pv) != sqlite3.SQLITE_TEXT {
			return fmt.Errorf("column %d changed type in the pre-update hook", i)
		}
		txt := sqlite3.Xsqlite3_value_text(tls, pv)
		if n := int(sqlite3.Xsqlite3_value_bytes(tls, pv)); n > 0 {
			vals[i] = string(libc.GoBytes(txt, n))
		}
	}
	return nil
}

// replay applies one redo log record in its own transaction.
func (d *DB) replay(ctx context.Context, rec []byte) error {
	changes, err := decodeRecord(rec)
	if err != nil {
		return err
	}
	tx, err := d.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// One statement that changed several rows is replayed as one statement
	// per row, so an immediate foreign key constraint that held at the end
	// of the original statement (a self-referencing table, say) may not
	// hold between the replayed rows. The original transaction committed, so
	// every constraint holds at the end of this one: check them at commit.
	if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
		return err
	}
	for _, c := range changes {
		ti := d.tables[c.Table]
		if ti == nil {
			return fmt.Errorf("unknown table %q", c.Table)
		}
		switch c.Op {
		case opInsert:
			args := make([]any, 1, len(ti.cols)+1)
			args[0] = c.NewRow
			vals := make([]any, len(ti.cols))
			for _, cv := range c.Vals {
				if cv.Col >= len(ti.cols) || cv.Col == ti.alias {
					return fmt.Errorf("table %s has no column %d", c.Table, cv.Col)
				}
				vals[cv.Col] = cv.Val
			}
			for i, v := range vals {
				if i != ti.alias {
					args = append(args, v)
				}
			}
			if _, err := tx.ExecContext(ctx, ti.ins, args...); err != nil {
				return fmt.Errorf("insert into %s row %d: %w", c.Table, c.NewRow, err)
			}
		case opUpdate:
			set := []string{"rowid = ?"}
			args := []any{c.NewRow}
			for _, cv := range c.Vals {
				if cv.Col >= len(ti.cols) || cv.Col == ti.alias {
					return fmt.Errorf("table %s has no column %d", c.Table, cv.Col)
				}
				set = append(set, quoteIdent(ti.cols[cv.Col])+" = ?")
				args = append(args, cv.Val)
			}
			args = append(args, c.OldRow)
			q := fmt.Sprintf("UPDATE %s SET %s WHERE rowid = ?", quoteIdent(c.Table), strings.Join(set, ", "))
			if err := execOne(ctx, tx, q, args...); err != nil {
				return fmt.Errorf("update %s row %d: %w", c.Table, c.OldRow, err)
			}
		case opDelete:
			if err := execOne(ctx, tx, ti.del, c.OldRow); err != nil {
				return fmt.Errorf("delete from %s row %d: %w", c.Table, c.OldRow, err)
			}
		}
	}
	return tx.Commit()
}

func execOne(ctx context.Context, tx *sql.Tx, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("row not found")
	}
	return nil
}

// Tx is a transaction handed to Update or View. Any failed statement fails
// the whole transaction, even if the caller ignores the error: the redo log
// must never record a statement SQLite rolled back.
type Tx struct {
	ctx   context.Context
	tx    *sql.Tx
	write bool
	err   error
	cap   *capture // a write transaction's row changes
}

// ChangedAny reports whether this write transaction has so far changed a
// row (by a statement; what triggers and foreign keys do follows from it)
// of a table for which match is true; true, too, when its changes could
// not all be captured (it will not commit). False in a read transaction.
// Schema changes (DDL) are not row changes.
func (t *Tx) ChangedAny(match func(table string) bool) bool {
	if t.cap == nil {
		return false
	}
	if t.cap.err != nil {
		return true
	}
	for _, ch := range t.cap.changes {
		if match(ch.Table) {
			return true
		}
	}
	return false
}

// Exec runs a statement that changes data (only inside Update).
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	if !t.write {
		return nil, errors.New("engine: Exec inside a read-only transaction")
	}
	res, err := t.tx.ExecContext(t.ctx, query, args...)
	if err != nil && t.err == nil {
		t.err = err
	}
	return res, err
}

// Query runs a query. Inside Update, a failed query fails the transaction
// like a failed Exec: a statement with RETURNING writes, and SQLite rolls
// back its rows when it fails after the pre-update hook has seen them.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil && t.write && t.err == nil {
		t.err = err
	}
	return rows, err
}

// QueryRow runs a query that returns at most one row. Inside Update, a
// failed query fails the transaction (see Query); no row is not a failure.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	row := t.tx.QueryRowContext(t.ctx, query, args...)
	if err := row.Err(); err != nil && t.write && t.err == nil {
		t.err = err
	}
	return row
}

// Context is the transaction's context.
func (t *Tx) Context() context.Context { return t.ctx }

func (d *DB) check() error {
	switch {
	case d.closed:
		return vault.ErrClosed
	case d.poisoned:
		return ErrPoisoned
	}
	return nil
}

// View runs fn in a read-only transaction.
func (d *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return err
	}
	return d.viewLocked(ctx, fn)
}

func (d *DB) viewLocked(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := d.conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: false})
	if err != nil {
		return err
	}
	defer stx.Rollback()
	return fn(&Tx{ctx: ctx, tx: stx})
}

// Update runs fn in a write transaction. It returns nil only when the change
// is durable: recorded in the redo log and flushed to disk. If fn or any of
// its statements fails, nothing changes.
//
// The vault's write keys (the redo log's, the MAC root) stay decrypted in
// locked memory for the whole transaction (vault.Vault.Hold): fn, the log
// record and an automatic checkpoint open them once, not once per use, and
// callers need not reach past the database to the vault to get that.
func (d *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return err
	}
	return d.v.Hold(func() error { return d.updateLocked(ctx, fn) })
}

// updateLocked is Update under d.mu with the keys held.
func (d *DB) updateLocked(ctx context.Context, fn func(tx *Tx) error) error {
	schemaBefore, err := schemaVersion(ctx, d.conn)
	if err != nil {
		return err
	}
	stx, err := d.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	d.capture = &capture{}
	t := &Tx{ctx: ctx, tx: stx, write: true, cap: d.capture}
	ferr := fn(t)
	c := d.capture
	d.capture = nil
	switch {
	case ferr != nil:
		stx.Rollback()
		return ferr
	case t.err != nil:
		stx.Rollback()
		return fmt.Errorf("a statement failed, so nothing was saved: %w", t.err)
	}
	schemaAfter, err := schemaVersion(ctx, stx)
	if err != nil {
		stx.Rollback()
		return err
	}
	if schemaAfter == schemaBefore && c.err != nil {
		stx.Rollback()
		return fmt.Errorf("recording the change: %w", c.err)
	}
	if schemaAfter != schemaBefore {
		// DDL is not row changes: make it durable with a checkpoint.
		if err := stx.Commit(); err != nil {
			return err
		}
		if err := d.loadTables(ctx); err != nil {
			d.poisoned = true
			return err
		}
		// No seal in this one: a migration's checkpoint runs while the vault
		// is being opened, and a first seal of a long trail would lengthen
		// the unlock; the next checkpoint (lock, close) seals.
		d.noSeal = true
		err := d.checkpointLocked(ctx)
		d.noSeal = false
		if err != nil {
			d.poisoned = true
			return fmt.Errorf("saving a schema change: %w", err)
		}
		return nil
	}
	if len(c.changes) == 0 {
		return stx.Commit()
	}
	rec, err := encodeRecord(c.changes)
	if err != nil {
		stx.Rollback()
		return err
	}
	if err := d.v.AppendLog(rec); err != nil {
		stx.Rollback()
		return fmt.Errorf("saving to disk failed, so the change was not made: %w", err)
	}
	if err := stx.Commit(); err != nil {
		d.poisoned = true
		return fmt.Errorf("%w: %v", ErrPoisoned, err)
	}
	if d.opts.CheckpointBytes > 0 && d.v.LogSize() > d.opts.CheckpointBytes {
		// The write is already durable; a failed checkpoint only delays
		// compaction, so it is remembered, not returned.
		d.lastCkpt = d.checkpointLocked(ctx)
	}
	return nil
}

// Capture copies the vault's bytes at rest (header, manifest, redo log) and
// pins the checkpoint's chunk objects until release is called, under the
// database's own lock: no write is half applied while it runs, so the captured
// log ends at the last acknowledged record and replays to exactly the state
// that fn, if not nil, reads in a read-only transaction under the same lock
// (counts, hashes to record beside the capture). A backup of the capture is
// a state that was committed. release may be called more than once.
//
// A capture holds the objects its checkpoint lists, not those that only the
// redo log's records name (a document added since the last checkpoint): when
// the database refers to objects (Options.Objects) that the current
// checkpoint does not list, Capture first writes a checkpoint, under the
// same lock, so that the capture holds every object its state needs.
func (d *DB) Capture(ctx context.Context, fn func(tx *Tx) error) (c *vault.Capture, release func(), err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return nil, nil, err
	}
	if err := d.checkpointForObjectsLocked(ctx); err != nil {
		return nil, nil, err
	}
	if fn != nil {
		if err := d.viewLocked(ctx, fn); err != nil {
			return nil, nil, err
		}
	}
	return d.v.Capture()
}

// checkpointForObjectsLocked writes a checkpoint when the database refers
// to an object (Options.Objects) that the current checkpoint does not list.
func (d *DB) checkpointForObjectsLocked(ctx context.Context) error {
	if d.opts.Objects == nil || d.v.ReadOnly() {
		return nil
	}
	var objects []vault.ObjectRef
	if err := d.viewLocked(ctx, func(tx *Tx) (err error) { objects, err = d.opts.Objects(tx); return err }); err != nil {
		return fmt.Errorf("listing the objects the database refers to: %w", err)
	}
	cp := d.v.Current()
	listed := make(map[vault.ObjectRef]bool, len(objects))
	if cp != nil {
		for _, o := range cp.Objects {
			listed[o] = true
		}
	}
	for _, o := range objects {
		if !listed[o] {
			return d.checkpointLocked(ctx)
		}
	}
	return nil
}

// schemaVersion reads PRAGMA schema_version through the connection or, inside
// a transaction, through the transaction (which sees its own DDL).
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&v)
	return v, err
}

// Checkpoint writes the whole database image to the vault and starts a new
// redo log.
func (d *DB) Checkpoint(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return err
	}
	return d.checkpointLocked(ctx)
}

// LastCheckpointError is the error of the last automatic checkpoint, if it failed.
func (d *DB) LastCheckpointError() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastCkpt
}

func (d *DB) checkpointLocked(ctx context.Context) error {
	var pre []byte // the image before a seal, to go back to if the checkpoint fails
	if d.opts.Seal != nil && d.opts.SealDue != nil && !d.noSeal && !d.v.ReadOnly() {
		var due bool
		err := d.viewLocked(ctx, func(tx *Tx) (err error) { due, err = d.opts.SealDue(tx); return err })
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if due {
			err := d.conn.Raw(func(dc any) error {
				return withImage(dc, func(image []byte) error { pre = bytes.Clone(image); return nil })
			})
			if err != nil {
				return err
			}
			if err := d.sealLocked(ctx); err != nil {
				// Its transaction may have committed before the
				// failure (the VACUUM after it, a cancelled context).
				return d.undoSealLocked(ctx, pre, fmt.Errorf("checkpoint: %w", err))
			}
		}
	}
	err := d.writeCheckpointLocked(ctx)
	if err != nil && pre != nil {
		return d.undoSealLocked(ctx, pre, err)
	}
	return err
}

// undoSealLocked puts back the image from before a seal whose checkpoint
// failed with err, and returns err. It does so even when ctx has ended (a
// cancelled checkpoint): the database must not stay sealed without its
// checkpoint.
func (d *DB) undoSealLocked(ctx context.Context, pre []byte, err error) error {
	if rerr := d.restoreLocked(context.WithoutCancel(ctx), pre); rerr != nil {
		d.poisoned = true
		return fmt.Errorf("%w: %v (putting back the database after: %v)", ErrPoisoned, err, rerr)
	}
	return err
}

// sealLocked runs Seal in a write transaction that is not logged: it is
// durable only through the checkpoint that follows.
func (d *DB) sealLocked(ctx context.Context) error {
	stx, err := d.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	t := &Tx{ctx: ctx, tx: stx, write: true, cap: d.capture}
	if err := d.opts.Seal(t, d.v.PutObject); err != nil {
		return err
	}
	if t.err != nil {
		return t.err
	}
	if err := stx.Commit(); err != nil {
		return err
	}
	// Rows moved out leave free pages, which later inserts reuse. When they
	// are a large part of the image (the first seal of a long trail, a
	// small vault), rewrite it without them: the image, the memory and the
	// chunks written shrink. VACUUM keeps every rowid a table's INTEGER
	// PRIMARY KEY names, and the log after this checkpoint starts from the
	// vacuumed image anyway; if the checkpoint fails, the image from before
	// the seal is put back.
	var free, pages int64
	if err := d.conn.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
		return err
	}
	if err := d.conn.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return err
	}
	if free*4 > pages {
		if _, err := d.conn.ExecContext(ctx, "VACUUM"); err != nil {
			return fmt.Errorf("compacting the database after the seal: %w", err)
		}
	}
	return nil
}

// restoreLocked puts the in-memory database back to image (taken by
// serialize on this connection) after a seal whose checkpoint failed.
func (d *DB) restoreLocked(ctx context.Context, image []byte) error {
	err := d.conn.Raw(func(dc any) error {
		return dc.(interface{ Deserialize([]byte) error }).Deserialize(image)
	})
	if err != nil {
		return err
	}
	for _, p := range openPragmas {
		if _, err := d.conn.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return d.loadTables(ctx)
}

// checkpointInputsLocked reads what a checkpoint records besides the image:
// the meta (Options.Meta) and the objects it keeps (Options.Objects).
func (d *DB) checkpointInputsLocked(ctx context.Context) (meta json.RawMessage, objects []vault.ObjectRef, err error) {
	if d.opts.Meta == nil && d.opts.Objects == nil {
		return nil, nil, nil
	}
	err = d.viewLocked(ctx, func(tx *Tx) error {
		var err error
		if d.opts.Meta != nil {
			if meta, err = d.opts.Meta(tx); err != nil {
				return err
			}
		}
		if d.opts.Objects != nil {
			objects, err = d.opts.Objects(tx)
		}
		return err
	})
	return meta, objects, err
}

func (d *DB) writeCheckpointLocked(ctx context.Context) error {
	meta, objects, err := d.checkpointInputsLocked(ctx)
	if err != nil {
		return err
	}
	// The image is read in place (withImage): nothing writes while d.mu is
	// held, and WriteCheckpoint keeps no reference to it.
	return d.conn.Raw(func(dc any) error {
		return withImage(dc, func(image []byte) error {
			return d.v.WriteCheckpoint(ctx, image, meta, objects...)
		})
	})
}

// Close checkpoints when the log holds changes (more than
// Options.CloseCheckpointBytes of them), then closes the database. It does
// not close the vault.
func (d *DB) Close(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	var err error
	if !d.poisoned && !d.opts.NoCloseCheckpoint && !d.v.ReadOnly() && d.v.LogSize() > max(d.opts.CloseCheckpointBytes, 0) {
		err = d.checkpointLocked(ctx)
	}
	d.closed = true
	d.conn.Close()
	d.sqldb.Close()
	return err
}

// Abandon drops the database without a checkpoint, as a killed process
// would: the redo log stays as it is, to be replayed at the next Open. It
// does not close the vault. For crash tests.
func (d *DB) Abandon() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.closed = true
	d.conn.Close()
	d.sqldb.Close()
}

// Vault returns the vault under the database.
func (d *DB) Vault() *vault.Vault { return d.v }
