package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// The search index's rowids are kind<<40 | id (1 client, 2 alias, 3 matter,
// 4 note), so one FTS5 table covers every kind of record; see the triggers.

// migrations[i] brings the schema from version i to i+1. Never edit a
// migration that has shipped; add a new one.
var migrations = []string{
	`
CREATE TABLE meta (
	id    INTEGER PRIMARY KEY,
	key   TEXT NOT NULL UNIQUE,
	value TEXT NOT NULL
);
CREATE TABLE clients (
	id             INTEGER PRIMARY KEY,
	name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
	email          TEXT NOT NULL DEFAULT '',
	phone          TEXT NOT NULL DEFAULT '',
	dob            TEXT NOT NULL DEFAULT '',
	address        TEXT NOT NULL DEFAULT '',
	notes          TEXT NOT NULL DEFAULT '',
	security_class TEXT NOT NULL DEFAULT 'general',
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
);
CREATE INDEX clients_by_name ON clients(name COLLATE NOCASE);
CREATE INDEX clients_by_updated ON clients(updated_at);
CREATE TABLE client_aliases (
	id        INTEGER PRIMARY KEY,
	client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
	alias     TEXT NOT NULL CHECK (length(trim(alias)) > 0)
);
CREATE INDEX aliases_by_client ON client_aliases(client_id);
CREATE TABLE matters (
	id             INTEGER PRIMARY KEY,
	client_id      INTEGER NOT NULL REFERENCES clients(id) ON DELETE RESTRICT,
	title          TEXT NOT NULL CHECK (length(trim(title)) > 0),
	practice_area  TEXT NOT NULL DEFAULT '',
	status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
	opened_at      INTEGER NOT NULL,
	closed_at      INTEGER,
	security_class TEXT NOT NULL DEFAULT 'general',
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
);
CREATE INDEX matters_by_client ON matters(client_id);
CREATE TABLE parties (
	id        INTEGER PRIMARY KEY,
	matter_id INTEGER NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
	role      TEXT NOT NULL CHECK (role IN ('adverse', 'related', 'opposing_counsel')),
	name      TEXT NOT NULL CHECK (length(trim(name)) > 0)
);
CREATE INDEX parties_by_matter ON parties(matter_id);
CREATE TABLE notes (
	id         INTEGER PRIMARY KEY,
	matter_id  INTEGER NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
	text       TEXT NOT NULL CHECK (length(trim(text)) > 0),
	author     TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX notes_by_matter ON notes(matter_id, created_at);
CREATE TABLE conflict_checks (
	id            INTEGER PRIMARY KEY,
	at            INTEGER NOT NULL,
	actor         TEXT NOT NULL,
	names         TEXT NOT NULL,
	hits          TEXT NOT NULL,
	decision      TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'clear', 'conflict', 'waived')),
	decision_note TEXT NOT NULL DEFAULT '',
	decided_at    INTEGER
);
CREATE TABLE audit (
	id        INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	records   TEXT NOT NULL,
	detail    TEXT NOT NULL DEFAULT '',
	prev_hash BLOB NOT NULL,
	hash      BLOB NOT NULL
);
CREATE VIRTUAL TABLE search USING fts5(
	kind UNINDEXED, ref UNINDEXED, name, body,
	tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER clients_fts_ai AFTER INSERT ON clients BEGIN
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((1 << 40) | new.id, 'client', new.id, new.name, new.notes);
END;
CREATE TRIGGER clients_fts_au AFTER UPDATE ON clients
	WHEN old.id IS NOT new.id OR old.name IS NOT new.name OR old.notes IS NOT new.notes BEGIN
	DELETE FROM search WHERE rowid = (1 << 40) | old.id;
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((1 << 40) | new.id, 'client', new.id, new.name, new.notes);
END;
CREATE TRIGGER clients_fts_ad AFTER DELETE ON clients BEGIN
	DELETE FROM search WHERE rowid = (1 << 40) | old.id;
END;
CREATE TRIGGER aliases_fts_ai AFTER INSERT ON client_aliases BEGIN
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((2 << 40) | new.id, 'alias', new.client_id, new.alias, '');
END;
CREATE TRIGGER aliases_fts_au AFTER UPDATE ON client_aliases
	WHEN old.id IS NOT new.id OR old.client_id IS NOT new.client_id OR old.alias IS NOT new.alias BEGIN
	DELETE FROM search WHERE rowid = (2 << 40) | old.id;
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((2 << 40) | new.id, 'alias', new.client_id, new.alias, '');
END;
CREATE TRIGGER aliases_fts_ad AFTER DELETE ON client_aliases BEGIN
	DELETE FROM search WHERE rowid = (2 << 40) | old.id;
END;
CREATE TRIGGER matters_fts_ai AFTER INSERT ON matters BEGIN
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((3 << 40) | new.id, 'matter', new.id, new.title, new.practice_area);
END;
CREATE TRIGGER matters_fts_au AFTER UPDATE ON matters
	WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.practice_area IS NOT new.practice_area BEGIN
	DELETE FROM search WHERE rowid = (3 << 40) | old.id;
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((3 << 40) | new.id, 'matter', new.id, new.title, new.practice_area);
END;
CREATE TRIGGER matters_fts_ad AFTER DELETE ON matters BEGIN
	DELETE FROM search WHERE rowid = (3 << 40) | old.id;
END;
CREATE TRIGGER notes_fts_ai AFTER INSERT ON notes BEGIN
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((4 << 40) | new.id, 'note', new.id, '', new.text);
END;
CREATE TRIGGER notes_fts_au AFTER UPDATE ON notes
	WHEN old.id IS NOT new.id OR old.text IS NOT new.text BEGIN
	DELETE FROM search WHERE rowid = (4 << 40) | old.id;
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((4 << 40) | new.id, 'note', new.id, '', new.text);
END;
CREATE TRIGGER notes_fts_ad AFTER DELETE ON notes BEGIN
	DELETE FROM search WHERE rowid = (4 << 40) | old.id;
END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
`,
	// 2: sealed audit segments (segments.go). Entries leave the live table
	// only once a segment row covers them, and segment rows never change.
	`
CREATE TABLE audit_segments (
	seq        INTEGER PRIMARY KEY,
	first_id   INTEGER NOT NULL,
	last_id    INTEGER NOT NULL,
	min_at     INTEGER NOT NULL,
	max_at     INTEGER NOT NULL,
	count      INTEGER NOT NULL,
	object     BLOB NOT NULL,
	first_prev BLOB NOT NULL,
	last_hash  BLOB NOT NULL
);
CREATE TRIGGER audit_segments_no_update BEFORE UPDATE ON audit_segments BEGIN
	SELECT RAISE(ABORT, 'sealed audit segments cannot change');
END;
CREATE TRIGGER audit_segments_no_delete BEFORE DELETE ON audit_segments BEGIN
	SELECT RAISE(ABORT, 'sealed audit segments cannot change');
END;
DROP TRIGGER audit_no_delete;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
	WHEN NOT EXISTS (SELECT 1 FROM audit_segments WHERE old.id BETWEEN first_id AND last_id) BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
`,
}

// SchemaVersion is the version this build's migrations reach.
var SchemaVersion = len(migrations)

// ErrNewerSchema: the vault was written by a newer casevault.
var ErrNewerSchema = errors.New("this vault was written by a newer casevault; install the newer version to open it")

func (s *Store) version(ctx context.Context) (int, error) {
	var n int
	err := s.View(ctx, func(tx *Tx) error {
		var exists int
		if err := tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return nil
		}
		var v string
		err := tx.QueryRow("SELECT value FROM meta WHERE key = 'schema_version'").Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		n, err = strconv.Atoi(v)
		return err
	})
	return n, err
}

func (s *Store) migrate(ctx context.Context) error {
	cur, err := s.version(ctx)
	if err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if cur > len(migrations) {
		return fmt.Errorf("%w (schema %d, this build knows %d)", ErrNewerSchema, cur, len(migrations))
	}
	for i := cur; i < len(migrations); i++ {
		err := s.Update(ctx, func(tx *Tx) error {
			if _, err := tx.Exec(migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			_, err := tx.Exec(`INSERT INTO meta(key, value) VALUES ('schema_version', ?)
				ON CONFLICT(key) DO UPDATE SET value = excluded.value`, strconv.Itoa(i+1))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Counts summarises the database, for status and checkpoint manifests.
type Counts struct {
	Clients int `json:"clients"`
	Matters int `json:"matters"`
	Parties int `json:"parties"`
	Notes   int `json:"notes"`
	Audit   int `json:"audit"`
}

// Counts returns row counts. Audit counts every entry of the trail, sealed
// or live.
func (tx *Tx) Counts() (Counts, error) {
	var c Counts
	err := tx.QueryRow(`SELECT
		(SELECT count(*) FROM clients), (SELECT count(*) FROM matters),
		(SELECT count(*) FROM parties), (SELECT count(*) FROM notes),
		(SELECT count(*) FROM audit)`).Scan(&c.Clients, &c.Matters, &c.Parties, &c.Notes, &c.Audit)
	if err != nil {
		return c, err
	}
	if ok, err := hasTable(tx.Tx, "audit_segments"); err != nil || !ok {
		return c, err
	}
	var sealed int
	err = tx.QueryRow("SELECT coalesce(sum(count), 0) FROM audit_segments").Scan(&sealed)
	c.Audit += sealed
	return c, err
}

func countsMeta(tx *Tx) (json.RawMessage, error) {
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'audit'").Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	c, err := tx.Counts()
	if err != nil {
		return nil, err
	}
	return json.Marshal(c)
}
