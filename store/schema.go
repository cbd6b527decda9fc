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
// 4 note; since schema 4, 5 party, 6 party alias or former name; since
// schema 6, 7 document), so one FTS5 table covers every kind of record;
// see the triggers.

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
	// 3: people and permissions (users.go, access.go; docs/FORMAT.md §6.3).
	// The first user is the owner, named "owner" until app renames it; a
	// security class the store does not know becomes restricted (only the
	// owner sees it: fail closed). Built-in roles are written by Open from
	// Options.Roles, in the same transaction when it migrates.
	`
CREATE TABLE users (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL CHECK (length(trim(name)) > 0),
	name_key        TEXT NOT NULL UNIQUE,
	role            TEXT NOT NULL,
	status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
	must_change     INTEGER NOT NULL DEFAULT 0,
	key_file        INTEGER NOT NULL DEFAULT 0,
	pass_changed_at INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	removed_at      INTEGER
);
CREATE TABLE roles (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
	builtin INTEGER NOT NULL DEFAULT 0,
	perms   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(perms))
);
CREATE TABLE access_list (
	id        INTEGER PRIMARY KEY,
	kind      TEXT NOT NULL CHECK (kind IN ('client', 'matter')),
	record_id INTEGER NOT NULL,
	user_id   INTEGER NOT NULL REFERENCES users(id),
	UNIQUE (kind, record_id, user_id)
);
CREATE INDEX access_by_user ON access_list(user_id);
CREATE TABLE pass_history (
	id       INTEGER PRIMARY KEY,
	user_id  INTEGER NOT NULL REFERENCES users(id),
	at       INTEGER NOT NULL,
	verifier BLOB NOT NULL
);
CREATE INDEX pass_history_by_user ON pass_history(user_id, at);
CREATE TABLE settings (
	id    INTEGER PRIMARY KEY,
	key   TEXT NOT NULL UNIQUE,
	value TEXT NOT NULL
);
UPDATE clients SET security_class = 'restricted' WHERE security_class NOT IN ('general', 'restricted', 'walled');
UPDATE matters SET security_class = 'restricted' WHERE security_class NOT IN ('general', 'restricted', 'walled');
CREATE INDEX clients_by_class ON clients(security_class) WHERE security_class <> 'general';
CREATE INDEX matters_by_class ON matters(security_class) WHERE security_class <> 'general';
CREATE INDEX audit_by_actor ON audit(actor COLLATE NOCASE, id);
CREATE INDEX audit_by_at ON audit(at);
INSERT INTO users(id, name, name_key, role, status, must_change, key_file, pass_changed_at, created_at)
	VALUES (1, 'owner', 'owner', 'owner', 'active', 0, 0,
		CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000);
`,
	// 4: editable matters with numbers, joint clients, parties with more
	// roles, kinds, organisations, notes, aliases and former names; search
	// over matter numbers and parties (rowids 5 party, 6 party alias) with a
	// vocabulary for typo tolerance; conflict decisions kept as made; the
	// display name that signs notes (docs/FORMAT.md 6.3.2). matter_clients is
	// a rowid table (the engine replays only rowid tables).
	`
ALTER TABLE matters ADD COLUMN number TEXT NOT NULL DEFAULT '';
UPDATE matters SET number = x.n FROM (
	SELECT id, strftime('%Y', opened_at / 1000, 'unixepoch') || '-' ||
		printf('%04d', row_number() OVER (PARTITION BY strftime('%Y', opened_at / 1000, 'unixepoch') ORDER BY id)) AS n
	FROM matters) AS x WHERE x.id = matters.id;
CREATE UNIQUE INDEX matters_by_number ON matters(number COLLATE NOCASE) WHERE number <> '';
CREATE TABLE matter_clients (
	id        INTEGER PRIMARY KEY,
	matter_id INTEGER NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
	client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE RESTRICT,
	UNIQUE (matter_id, client_id)
);
CREATE INDEX matter_clients_by_client ON matter_clients(client_id, matter_id);
INSERT INTO matter_clients(matter_id, client_id) SELECT id, client_id FROM matters ORDER BY id;
CREATE TABLE parties4 (
	id           INTEGER PRIMARY KEY,
	matter_id    INTEGER NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
	role         TEXT NOT NULL CHECK (role IN ('adverse', 'related', 'opposing_counsel', 'co_counsel', 'witness')),
	name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
	kind         TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'organisation')),
	organisation TEXT NOT NULL DEFAULT '',
	note         TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL DEFAULT 0,
	updated_at   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO parties4(id, matter_id, role, name) SELECT id, matter_id, role, name FROM parties ORDER BY id;
DROP TABLE parties;
ALTER TABLE parties4 RENAME TO parties;
CREATE INDEX parties_by_matter ON parties(matter_id);
CREATE TABLE party_aliases (
	id       INTEGER PRIMARY KEY,
	party_id INTEGER NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
	alias    TEXT NOT NULL CHECK (length(trim(alias)) > 0),
	kind     TEXT NOT NULL DEFAULT 'alias' CHECK (kind IN ('alias', 'former'))
);
CREATE INDEX party_aliases_by_party ON party_aliases(party_id);
DROP TRIGGER matters_fts_ai;
DROP TRIGGER matters_fts_au;
CREATE TRIGGER matters_fts_ai AFTER INSERT ON matters BEGIN
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((3 << 40) | new.id, 'matter', new.id, new.title || ' ' || new.number, new.practice_area);
END;
CREATE TRIGGER matters_fts_au AFTER UPDATE ON matters
	WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.number IS NOT new.number OR old.practice_area IS NOT new.practice_area BEGIN
	DELETE FROM search WHERE rowid = (3 << 40) | old.id;
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((3 << 40) | new.id, 'matter', new.id, new.title || ' ' || new.number, new.practice_area);
END;
DELETE FROM search WHERE rowid BETWEEN (3 << 40) AND (4 << 40) - 1;
INSERT INTO search(rowid, kind, ref, name, body) SELECT (3 << 40) | id, 'matter', id, title || ' ' || number, practice_area FROM matters;
CREATE TRIGGER parties_fts_ai AFTER INSERT ON parties BEGIN
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((5 << 40) | new.id, 'party', new.id, new.name || ' ' || new.organisation, new.note);
END;
CREATE TRIGGER parties_fts_au AFTER UPDATE ON parties
	WHEN old.id IS NOT new.id OR old.name IS NOT new.name OR old.organisation IS NOT new.organisation OR old.note IS NOT new.note BEGIN
	DELETE FROM search WHERE rowid = (5 << 40) | old.id;
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((5 << 40) | new.id, 'party', new.id, new.name || ' ' || new.organisation, new.note);
END;
CREATE TRIGGER parties_fts_ad AFTER DELETE ON parties BEGIN
	DELETE FROM search WHERE rowid = (5 << 40) | old.id;
END;
INSERT INTO search(rowid, kind, ref, name, body) SELECT (5 << 40) | id, 'party', id, name || ' ' || organisation, note FROM parties;
CREATE TRIGGER party_aliases_fts_ai AFTER INSERT ON party_aliases BEGIN
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((6 << 40) | new.id, 'party_alias', new.party_id, new.alias, '');
END;
CREATE TRIGGER party_aliases_fts_au AFTER UPDATE ON party_aliases
	WHEN old.id IS NOT new.id OR old.alias IS NOT new.alias OR old.party_id IS NOT new.party_id BEGIN
	DELETE FROM search WHERE rowid = (6 << 40) | old.id;
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((6 << 40) | new.id, 'party_alias', new.party_id, new.alias, '');
END;
CREATE TRIGGER party_aliases_fts_ad AFTER DELETE ON party_aliases BEGIN
	DELETE FROM search WHERE rowid = (6 << 40) | old.id;
END;
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search, row);
ALTER TABLE conflict_checks ADD COLUMN context TEXT NOT NULL DEFAULT '';
ALTER TABLE conflict_checks ADD COLUMN hit_count INTEGER NOT NULL DEFAULT 0;
UPDATE conflict_checks SET hit_count = json_array_length(hits) WHERE json_valid(hits) AND json_type(hits) = 'array';
CREATE INDEX conflict_checks_by_at ON conflict_checks(at, id);
CREATE TABLE conflict_decisions (
	id       INTEGER PRIMARY KEY,
	check_id INTEGER NOT NULL REFERENCES conflict_checks(id),
	at       INTEGER NOT NULL,
	actor    TEXT NOT NULL,
	decision TEXT NOT NULL CHECK (decision IN ('clear', 'conflict', 'waived')),
	note     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX conflict_decisions_by_check ON conflict_decisions(check_id, id);
INSERT INTO conflict_decisions(check_id, at, actor, decision, note)
	SELECT id, COALESCE(decided_at, at), '', decision, decision_note FROM conflict_checks WHERE decision <> '' ORDER BY id;
CREATE TRIGGER conflict_decisions_no_update BEFORE UPDATE ON conflict_decisions BEGIN
	SELECT RAISE(ABORT, 'conflict decisions are kept as made');
END;
CREATE TRIGGER conflict_decisions_no_delete BEFORE DELETE ON conflict_decisions BEGIN
	SELECT RAISE(ABORT, 'conflict decisions are kept as made');
END;
ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
`,
	// 5: offline client intake (intake.go; docs/FORMAT.md 6.3.3): the
	// vault's intake key pairs and LAN certificate, the versions of the
	// intake form, and the submissions imported from DIR/intake/inbox with
	// their uploads. All rowid tables (the engine replays only those).
	`
CREATE TABLE intake_keys (
	id         INTEGER PRIMARY KEY,
	recipient  TEXT NOT NULL UNIQUE,
	identity   TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	retired_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE intake_tls (
	id         INTEGER PRIMARY KEY,
	cert_der   BLOB NOT NULL,
	key_der    BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE intake_forms (
	version    INTEGER PRIMARY KEY,
	config     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL
);
CREATE TABLE intake_submissions (
	id             INTEGER PRIMARY KEY,
	sealed_id      TEXT NOT NULL UNIQUE,
	received_at    INTEGER NOT NULL,
	imported_at    INTEGER NOT NULL,
	practice_area  TEXT NOT NULL DEFAULT '',
	full_name      TEXT NOT NULL,
	conflict_names TEXT NOT NULL DEFAULT '[]',
	payload        TEXT NOT NULL,
	status         TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'declined', 'spam')),
	decided_at     INTEGER NOT NULL DEFAULT 0,
	decided_by     TEXT NOT NULL DEFAULT '',
	reason         TEXT NOT NULL DEFAULT '',
	client_id      INTEGER REFERENCES clients(id) ON DELETE SET NULL,
	matter_id      INTEGER REFERENCES matters(id) ON DELETE SET NULL,
	check_id       INTEGER NOT NULL DEFAULT 0,
	verified_doc   TEXT NOT NULL DEFAULT '',
	verified_by    TEXT NOT NULL DEFAULT '',
	verified_on    TEXT NOT NULL DEFAULT '',
	verified_note  TEXT NOT NULL DEFAULT '',
	verified_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX intake_by_status ON intake_submissions(status, received_at);
CREATE TABLE intake_files (
	id            INTEGER PRIMARY KEY,
	submission_id INTEGER NOT NULL REFERENCES intake_submissions(id) ON DELETE CASCADE,
	n             INTEGER NOT NULL,
	question      TEXT NOT NULL DEFAULT '',
	name          TEXT NOT NULL,
	media_type    TEXT NOT NULL,
	size          INTEGER NOT NULL,
	sha256        TEXT NOT NULL,
	content       BLOB NOT NULL
);
CREATE INDEX intake_files_by_submission ON intake_files(submission_id);
`,
	// 6: documents with versions (documents.go; docs/FORMAT.md 6.3.5). The
	// content is in the vault's objects (kind 2), one per chunk; the
	// database holds the metadata, each version's ordered chunk list, the
	// objects with their reference counts, and each version's text for
	// search (rowids 7 << 40 | document id: the file name and folder, and
	// the current version's text, kept by the triggers below).
	`
CREATE TABLE doc_objects (
	id   INTEGER PRIMARY KEY,
	oid  BLOB NOT NULL UNIQUE,          -- vault object id (32 bytes), kind 2
	size INTEGER NOT NULL,              -- plaintext bytes
	refs INTEGER NOT NULL               -- document_chunks rows naming it; a row with 0 is deleted in the same transaction
);
CREATE TABLE documents (
	id         INTEGER PRIMARY KEY,
	client_id  INTEGER REFERENCES clients(id),
	matter_id  INTEGER REFERENCES matters(id),
	name       TEXT NOT NULL,             -- the file name shown (no '/' or NUL)
	folder     TEXT NOT NULL DEFAULT '',  -- where it was in an added folder: 'a/b', '' at the top
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	current    INTEGER NOT NULL DEFAULT 0, -- n of the current version
	CHECK ((client_id IS NULL) <> (matter_id IS NULL))
);
CREATE INDEX documents_by_matter ON documents(matter_id) WHERE matter_id IS NOT NULL;
CREATE INDEX documents_by_client ON documents(client_id) WHERE client_id IS NOT NULL;
CREATE TABLE document_versions (
	id          INTEGER PRIMARY KEY,
	document_id INTEGER NOT NULL REFERENCES documents(id),
	n           INTEGER NOT NULL,          -- 1, 2, ...
	size        INTEGER NOT NULL,
	sha256      BLOB NOT NULL,             -- 32 bytes
	media_type  TEXT NOT NULL,
	added_at    INTEGER NOT NULL,
	added_by    TEXT NOT NULL,
	how         TEXT NOT NULL CHECK (how IN ('added', 'new-version', 'edited', 'restored', 'intake')),
	note        TEXT NOT NULL DEFAULT '',  -- e.g. 'restored from version 2'
	text        TEXT NOT NULL DEFAULT '',  -- extracted text, capped (app decides the cap), for search
	UNIQUE (document_id, n)
);
CREATE TABLE document_chunks (
	version_id INTEGER NOT NULL REFERENCES document_versions(id),
	seq        INTEGER NOT NULL,
	object     INTEGER NOT NULL REFERENCES doc_objects(id),
	PRIMARY KEY (version_id, seq)
);
CREATE INDEX document_chunks_by_object ON document_chunks(object);
CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((7 << 40) | new.id, 'document', new.id, new.name || ' ' || new.folder,
		coalesce((SELECT text FROM document_versions WHERE document_id = new.id AND n = new.current), ''));
END;
CREATE TRIGGER documents_fts_au AFTER UPDATE ON documents
	WHEN old.id IS NOT new.id OR old.name IS NOT new.name OR old.folder IS NOT new.folder OR old.current IS NOT new.current BEGIN
	DELETE FROM search WHERE rowid = (7 << 40) | old.id;
	INSERT INTO search(rowid, kind, ref, name, body) VALUES ((7 << 40) | new.id, 'document', new.id, new.name || ' ' || new.folder,
		coalesce((SELECT text FROM document_versions WHERE document_id = new.id AND n = new.current), ''));
END;
CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
	DELETE FROM search WHERE rowid = (7 << 40) | old.id;
END;
`,
	// 7: the end of a client file and the bad day (issue 14; docs/FORMAT.md
	// 6.3.6): retention rules by practice area, a destroy-after date on
	// closed matters (closed ones get the default rule, 7 years after
	// closing), legal holds, destructions with their register and the
	// names kept for conflict checks (ABA Model Rule 1.9), the vault's own
	// record of the backups it made (which drive holds which snapshot),
	// incidents with their checklists, and security checkups. Times are
	// Unix milliseconds, like every other table. The audit trail's chain v2
	// (docs/FORMAT.md, "Audit trail"): audit_v2_from in meta is the first
	// entry whose MAC commits to its detail through a keyed hash;
	// audit_redactions holds, for each entry whose detail a destruction
	// removed, what still verifies it; audit_reseal the sealed segments
	// whose object must be written again without the removed details (at
	// the next checkpoint). The audit table accepts exactly one update: a
	// detail set to '' with its redaction row present; a segment row only
	// a new object while its seq is in audit_reseal.
	`
ALTER TABLE matters ADD COLUMN destroy_after INTEGER;
ALTER TABLE matters ADD COLUMN destroy_rule TEXT NOT NULL DEFAULT '';
CREATE TABLE retention_rules (
	id            INTEGER PRIMARY KEY,
	practice_area TEXT NOT NULL UNIQUE COLLATE NOCASE,
	years         INTEGER NOT NULL CHECK (years BETWEEN 0 AND 100),
	months        INTEGER NOT NULL DEFAULT 0 CHECK (months BETWEEN 0 AND 11),
	never         INTEGER NOT NULL DEFAULT 0 CHECK (never IN (0, 1)),
	note          TEXT NOT NULL DEFAULT '',
	updated_at    INTEGER NOT NULL,
	updated_by    TEXT NOT NULL
);
INSERT INTO retention_rules(practice_area, years, months, never, note, updated_at, updated_by)
	VALUES ('', 7, 0, 0, '', CAST(strftime('%s', 'now') AS INTEGER) * 1000, 'casevault');
UPDATE matters SET destroy_after = CAST(strftime('%s', closed_at / 1000, 'unixepoch', '+7 years') AS INTEGER) * 1000 + closed_at % 1000,
	destroy_rule = 'rule:'
	WHERE status = 'closed' AND closed_at IS NOT NULL;
CREATE INDEX matters_by_destroy_after ON matters(destroy_after) WHERE destroy_after IS NOT NULL;
CREATE TABLE retention_changes (
	id        INTEGER PRIMARY KEY,
	matter_id INTEGER NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
	at        INTEGER NOT NULL,
	by        TEXT NOT NULL,
	old_date  INTEGER,
	new_date  INTEGER,
	reason    TEXT NOT NULL CHECK (length(trim(reason)) > 0)
);
CREATE INDEX retention_changes_by_matter ON retention_changes(matter_id, at);
CREATE TABLE legal_holds (
	id             INTEGER PRIMARY KEY,
	kind           TEXT NOT NULL CHECK (kind IN ('client', 'matter')),
	record_id      INTEGER NOT NULL,
	reason         TEXT NOT NULL CHECK (length(trim(reason)) > 0),
	placed_at      INTEGER NOT NULL,
	placed_by      TEXT NOT NULL,
	released_at    INTEGER,
	released_by    TEXT NOT NULL DEFAULT '',
	release_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_by_record ON legal_holds(kind, record_id);
CREATE TABLE destructions (
	id         INTEGER PRIMARY KEY,
	number     TEXT NOT NULL UNIQUE,
	at         INTEGER NOT NULL,
	by         TEXT NOT NULL,
	audit_id   INTEGER NOT NULL DEFAULT 0,
	names_kept INTEGER NOT NULL CHECK (names_kept IN (0, 1)),
	reason     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE destruction_register (
	id             INTEGER PRIMARY KEY,
	destruction_id INTEGER NOT NULL REFERENCES destructions(id),
	ref            TEXT NOT NULL UNIQUE,
	kind           TEXT NOT NULL CHECK (kind IN ('client', 'matter')),
	record_id      INTEGER NOT NULL,
	matter_number  TEXT NOT NULL DEFAULT '',
	practice_area  TEXT NOT NULL DEFAULT '',
	rule           TEXT NOT NULL,
	opened_at      INTEGER,
	closed_at      INTEGER,
	destroy_after  INTEGER,
	created_at     INTEGER NOT NULL,
	items          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(items))
);
CREATE INDEX destruction_register_by_destruction ON destruction_register(destruction_id);
CREATE TABLE destroyed_names (
	id            INTEGER PRIMARY KEY,
	register_id   INTEGER NOT NULL REFERENCES destruction_register(id),
	name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
	role          TEXT NOT NULL,
	client_name   TEXT NOT NULL DEFAULT '',
	matter_number TEXT NOT NULL DEFAULT ''
);
CREATE INDEX destroyed_names_by_register ON destroyed_names(register_id);
CREATE TABLE backup_records (
	id           INTEGER PRIMARY KEY,
	at           INTEGER NOT NULL,
	repo_id      TEXT NOT NULL,
	target       TEXT NOT NULL,
	volume       TEXT NOT NULL DEFAULT '',
	system_disk  INTEGER NOT NULL DEFAULT 0 CHECK (system_disk IN (0, 1)),
	snapshot_id  TEXT NOT NULL,
	audit_id     INTEGER NOT NULL,
	slots        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(slots)),
	forgotten_at INTEGER,
	UNIQUE (repo_id, snapshot_id)
);
CREATE INDEX backup_records_by_at ON backup_records(at);
CREATE TABLE incidents (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL CHECK (kind IN ('lost_laptop', 'lost_backup', 'break_in', 'ransomware', 'disclosure', 'other')),
	opened_at   INTEGER NOT NULL,
	opened_by   TEXT NOT NULL,
	happened_at INTEGER,
	summary     TEXT NOT NULL DEFAULT '',
	repo_id     TEXT NOT NULL DEFAULT '',
	closed_at   INTEGER,
	closed_by   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE incident_steps (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents(id),
	key         TEXT NOT NULL,
	done_at     INTEGER,
	done_by     TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT '',
	UNIQUE (incident_id, key)
);
CREATE TABLE incident_clients (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents(id),
	client_id   INTEGER REFERENCES clients(id) ON DELETE SET NULL,
	record_id   INTEGER NOT NULL DEFAULT 0,
	register    TEXT NOT NULL DEFAULT '',
	label       TEXT NOT NULL DEFAULT '',
	notified_at INTEGER,
	notified_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_clients_by_incident ON incident_clients(incident_id);
-- A conflict decision stays as made, but for one change: a destruction
-- (store/destroy.go) replaces the note of a decision on a check made for a
-- destroyed record by 'removed when file D-2026-0001 was destroyed'.
DROP TRIGGER conflict_decisions_no_update;
CREATE TRIGGER conflict_decisions_no_update BEFORE UPDATE ON conflict_decisions
	WHEN NOT (new.id = old.id AND new.check_id = old.check_id AND new.at = old.at AND new.actor = old.actor
		AND new.decision = old.decision AND new.note <> old.note
		AND new.note GLOB 'removed when file D-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]* was destroyed') BEGIN
	SELECT RAISE(ABORT, 'conflict decisions are kept as made');
END;
CREATE TABLE checkups (
	id      INTEGER PRIMARY KEY,
	at      INTEGER NOT NULL,
	by      TEXT NOT NULL,
	results TEXT NOT NULL CHECK (json_valid(results))
);
CREATE TABLE audit_redactions (
	entry_id    INTEGER PRIMARY KEY,
	mac         BLOB NOT NULL CHECK (length(mac) = 32),
	destruction TEXT NOT NULL,
	at          INTEGER NOT NULL
);
CREATE TRIGGER audit_redactions_no_update BEFORE UPDATE ON audit_redactions BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_redactions_no_delete BEFORE DELETE ON audit_redactions BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TABLE audit_reseal (seq INTEGER PRIMARY KEY);
DROP TRIGGER audit_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
	WHEN NOT (new.detail = '' AND old.detail <> '' AND new.id IS old.id AND new.at IS old.at
		AND new.actor IS old.actor AND new.action IS old.action AND new.records IS old.records
		AND new.prev_hash IS old.prev_hash AND new.hash IS old.hash
		AND EXISTS (SELECT 1 FROM audit_redactions WHERE entry_id = old.id)) BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
DROP TRIGGER audit_segments_no_update;
CREATE TRIGGER audit_segments_no_update BEFORE UPDATE ON audit_segments
	WHEN NOT (new.object IS NOT old.object AND new.seq IS old.seq AND new.first_id IS old.first_id
		AND new.last_id IS old.last_id AND new.min_at IS old.min_at AND new.max_at IS old.max_at
		AND new.count IS old.count AND new.first_prev IS old.first_prev AND new.last_hash IS old.last_hash
		AND EXISTS (SELECT 1 FROM audit_reseal WHERE seq = old.seq)) BEGIN
	SELECT RAISE(ABORT, 'sealed audit segments cannot change');
END;
INSERT INTO meta(key, value) VALUES ('audit_v2_from', CAST(1 + max(
	coalesce((SELECT max(id) FROM audit), 0),
	coalesce((SELECT max(last_id) FROM audit_segments), 0),
	coalesce((SELECT CAST(substr(value, 1, instr(value, ':') - 1) AS INTEGER) FROM meta WHERE key = 'audit_head'), 0)) AS TEXT))
	ON CONFLICT(key) DO NOTHING;
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

// migrate brings the schema up to version upTo (0: SchemaVersion), each
// migration in one transaction, and the built-in roles up to date (in the
// last migration's transaction when one runs, else in a transaction of
// their own, only when they differ).
func (s *Store) migrate(ctx context.Context, roles []Role, upTo int) error {
	if upTo <= 0 || upTo > len(migrations) {
		upTo = len(migrations)
	}
	cur, err := s.version(ctx)
	if err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if cur > len(migrations) {
		return fmt.Errorf("%w (schema %d, this build knows %d)", ErrNewerSchema, cur, len(migrations))
	}
	syncRoles := len(roles) > 0 && upTo >= 3
	for i := cur; i < upTo; i++ {
		err := s.UpdateAs(ctx, Everyone, func(tx *Tx) error {
			if _, err := tx.Exec(migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			_, err := tx.Exec(`INSERT INTO meta(key, value) VALUES ('schema_version', ?)
				ON CONFLICT(key) DO UPDATE SET value = excluded.value`, strconv.Itoa(i+1))
			if err != nil || i+1 != upTo || !syncRoles {
				return err
			}
			syncRoles = false
			return tx.syncBuiltinRoles(roles)
		})
		if err != nil {
			return err
		}
	}
	if !syncRoles || cur > upTo {
		return nil
	}
	var same bool
	err = s.ViewAs(ctx, Everyone, func(tx *Tx) error {
		var err error
		same, err = tx.builtinRolesMatch(roles)
		return err
	})
	if err != nil || same {
		return err
	}
	return s.UpdateAs(ctx, Everyone, func(tx *Tx) error { return tx.syncBuiltinRoles(roles) })
}

// Counts summarises the database, for status and checkpoint manifests.
type Counts struct {
	Clients int `json:"clients"`
	Matters int `json:"matters"`
	Parties int `json:"parties"`
	Notes   int `json:"notes"`
	Audit   int `json:"audit"`
	// Documents and DocumentBytes (schema 6): the documents the viewer
	// sees and the sum of their current versions' sizes. Left out of the
	// JSON when 0, so a vault without documents writes the meta it wrote
	// before.
	Documents     int   `json:"documents,omitempty"`
	DocumentBytes int64 `json:"document_bytes,omitempty"`
}

// Counts returns row counts: of the clients, matters, parties, notes and
// documents the viewer sees (tx.As(Everyone).Counts() for the whole vault). Audit
// counts every entry of the trail, sealed or live, whatever the viewer: it
// is the trail's length, which names no record (counting only the entries
// a viewer may list would decrypt every sealed segment).
func (tx *Tx) Counts() (Counts, error) {
	var c Counts
	err := tx.QueryRow(`SELECT
		(SELECT count(*) FROM clients), (SELECT count(*) FROM matters),
		(SELECT count(*) FROM parties), (SELECT count(*) FROM notes),
		(SELECT count(*) FROM audit)`).Scan(&c.Clients, &c.Matters, &c.Parties, &c.Notes, &c.Audit)
	if err != nil {
		return c, err
	}
	// What the viewer cannot see: the hidden sets, and the parties of
	// hidden matters.
	if h, err := tx.hidden(); err != nil {
		return c, err
	} else if h.any() {
		var parties int
		if err := tx.QueryRow("SELECT count(*) FROM parties WHERE matter_id IN (SELECT value FROM json_each(?))", idsJSON(h.matters)).Scan(&parties); err != nil {
			return c, err
		}
		c.Clients -= len(h.clients)
		c.Matters -= len(h.matters)
		c.Parties -= parties
		c.Notes -= len(h.notes)
	}
	if ok, err := hasTable(tx.Tx, "documents"); err != nil {
		return c, err
	} else if ok {
		cond, err := tx.docCond("d")
		if err != nil {
			return c, err
		}
		err = tx.QueryRow(`SELECT count(*), coalesce(sum(v.size), 0) FROM documents d
			LEFT JOIN document_versions v ON v.document_id = d.id AND v.n = d.current`+where(cond)).Scan(&c.Documents, &c.DocumentBytes)
		if err != nil {
			return c, err
		}
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
