// Package store is casevault's SQLite database: the schema, its migrations
// and the typed queries (clients, matters, notes, search, audit trail). The
// durability underneath (an in-memory SQLite database kept durable by the
// vault's encrypted checkpoints and redo log) is store/engine's, which knows
// nothing of this schema; nothing but store uses it.
//
// The engine's rules bind the schema (store/engine's package comment has
// them): only rowid tables are written directly, virtual tables (FTS5) only
// by triggers, triggers are deterministic, and no OR IGNORE / OR REPLACE /
// OR FAIL on a table with triggers.
package store

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"

	"casevault/store/engine"
	"casevault/vault"
)

// DefaultCheckpointBytes is the redo log size that triggers a checkpoint.
const DefaultCheckpointBytes = engine.DefaultCheckpointBytes

// ErrPoisoned: a write reached the log but the in-memory database could not
// commit it. The data is safe on disk; reopening the vault replays it.
var ErrPoisoned = engine.ErrPoisoned

// Options tune the durability engine. The zero value is the production setting.
type Options struct {
	// CheckpointBytes: checkpoint when the redo log grows past this many
	// bytes. 0 means DefaultCheckpointBytes; negative disables automatic
	// checkpoints (tests).
	CheckpointBytes int64
	// Meta, if set, is called inside each checkpoint to produce the summary
	// stored in the manifest. nil: the record counts (for status and
	// backups).
	Meta func(tx *Tx) (json.RawMessage, error)
	// NoCloseCheckpoint: Close leaves the redo log as it is instead of
	// checkpointing (a restore drill's scratch copy, deleted afterwards).
	NoCloseCheckpoint bool
	// CloseCheckpointBytes: Close checkpoints only when the redo log holds
	// more than this many bytes (engine.Options.CloseCheckpointBytes); 0
	// or negative: whenever it holds anything.
	CloseCheckpointBytes int64
	// Salvage: replay stops before the first redo log record that does not
	// apply, instead of failing (with a vault opened by vault.OpenReadOnly
	// or put in salvage by Vault.Salvage; see Vault.LimitLog).
	Salvage bool
	// AuditSegment is the number of audit entries per sealed segment: a
	// checkpoint seals the oldest AuditSegment entries while the live table
	// holds more than twice as many. 0 means DefaultAuditSegment; negative
	// never seals (tests of the live table).
	AuditSegment int
	// Roles are the built-in roles (app/access's table; Perms is their
	// JSON). Open writes them into the roles table when they differ from
	// it (in the migration's transaction when it migrates to schema 3).
	// nil: the roles table is left as it is.
	Roles []Role

	upTo int // tests: migrate only this far (0: SchemaVersion)
}

// Tx is a transaction handed to Update or View: the engine's transaction
// (Exec, Query, QueryRow) with casevault's typed queries.
type Tx struct {
	*engine.Tx
	v      *vault.Vault // to read sealed audit segments; nil inside a checkpoint's hooks
	viewer Viewer       // whose visibility the queries apply (access.go)
	// vis: what filtering and hidden cached, shared by the Txs that tx.As
	// makes over the same database transaction (access.go).
	vis *txVis
}

// sysTx is the transaction of the vault's own work (checkpoint hooks,
// sealing): it sees everything.
func sysTx(etx *engine.Tx) *Tx { return &Tx{Tx: etx, viewer: Everyone, vis: &txVis{}} }

// Store is the typed database of one vault. Safe for concurrent use; calls
// are serialised.
type Store struct {
	db *engine.DB

	mu     sync.Mutex
	viewer Viewer // for View, Update and Capture

	// gen counts the write transactions that changed what visibility
	// reads (wrote: under the engine's lock, so a read transaction never
	// runs between such a write and its count); vc holds the visibility
	// that read transactions computed at one gen (access.go: viewCache).
	gen atomic.Uint64
	vc  viewCache
}

// Open opens the database over an unlocked vault and brings its schema up
// to date.
func Open(ctx context.Context, v *vault.Vault, opts Options) (*Store, error) {
	meta := opts.Meta
	if meta == nil {
		meta = countsMeta
	}
	seg := opts.AuditSegment
	if seg == 0 {
		seg = DefaultAuditSegment
	}
	d, err := engine.Open(ctx, v, engine.Options{
		CheckpointBytes:      opts.CheckpointBytes,
		Meta:                 func(tx *engine.Tx) (json.RawMessage, error) { return meta(sysTx(tx)) },
		NoCloseCheckpoint:    opts.NoCloseCheckpoint,
		CloseCheckpointBytes: opts.CloseCheckpointBytes,
		Salvage:              opts.Salvage,
		SealDue:              auditSealDue(seg),
		Seal:                 sealAudit(seg, v),
		Objects:              docObjects,
	})
	if err != nil {
		return nil, err
	}
	s := &Store{db: d, viewer: Everyone}
	if err := s.migrate(ctx, opts.Roles, opts.upTo); err != nil {
		d.Close(ctx)
		return nil, err
	}
	return s, nil
}

// SetViewer makes v the viewer of every later View, Update and Capture
// transaction (a session sets its user's viewer once, right after
// unlocking). Until then a Store reads as Everyone.
func (s *Store) SetViewer(v Viewer) {
	s.mu.Lock()
	s.viewer = v
	s.mu.Unlock()
}

// Viewer is the viewer SetViewer set (Everyone before).
func (s *Store) Viewer() Viewer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viewer
}

// readTx is a read-only transaction's Tx: its visibility comes from, and
// goes to, the Store's cache at the current generation.
func (s *Store) readTx(etx *engine.Tx, v Viewer) *Tx {
	return &Tx{Tx: etx, v: s.db.Vault(), viewer: v, vis: s.vc.reader(s.gen.Load())}
}

// writeTx is a write transaction's Tx: it starts from what the cache knew
// of the state before it, and keeps what it learns to itself (its changes
// may not commit).
func (s *Store) writeTx(etx *engine.Tx, v Viewer) *Tx {
	return &Tx{Tx: etx, v: s.db.Vault(), viewer: v, vis: s.vc.writer(s.gen.Load())}
}

// wrote ends a write transaction's fn (under the engine's lock, before the
// commit): a new generation when it changed rows of a table that
// visibility reads, or the schema, so that no read transaction after it
// uses hidden sets of the state before (whether it commits or not). A
// write of the audit trail alone (every read's audit entry) keeps them.
func (s *Store) wrote(tx *Tx) {
	if tx.vis.ddl || tx.Tx.ChangedAny(func(table string) bool { return !visibilityNeutral[table] }) {
		s.gen.Add(1)
	}
}

// visibilityNeutral are the tables whose rows decide nothing of who sees
// what (access.go): changing them keeps the cached hidden sets. Every
// other table, and any table added later, counts as a change.
var visibilityNeutral = map[string]bool{
	"meta": true, "conflict_checks": true, "audit": true, "audit_segments": true,
	"roles": true, "pass_history": true, "settings": true,
	// Intake (schema 5): no visibility reads them; prospects' names in a
	// conflict check are app's to hide (by the intake permission).
	"intake_keys": true, "intake_tls": true, "intake_forms": true, "intake_submissions": true, "intake_files": true,
	// Documents (schema 6): their visibility is their client's or
	// matter's; the hidden sets read documents (its search rows), not
	// these.
	"doc_objects": true, "document_versions": true, "document_chunks": true,
	// Retention (schema 7): no visibility reads them (holds and dates are
	// filtered by their records' visibility, which these do not change).
	"retention_rules": true, "retention_changes": true, "legal_holds": true,
	"destructions": true, "destruction_register": true, "destroyed_names": true,
}

// View runs fn in a read-only transaction for the Store's viewer.
func (s *Store) View(ctx context.Context, fn func(tx *Tx) error) error {
	return s.ViewAs(ctx, s.Viewer(), fn)
}

// ViewAs is View for the viewer v.
func (s *Store) ViewAs(ctx context.Context, v Viewer, fn func(tx *Tx) error) error {
	return s.db.View(ctx, func(tx *engine.Tx) error { return fn(s.readTx(tx, v)) })
}

// Update runs fn in a write transaction. It returns nil only when the change
// is durable: recorded in the redo log and flushed to disk. If fn or any of
// its statements fails, nothing changes. The vault's write keys stay open
// for the whole transaction (engine.DB.Update).
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return s.UpdateAs(ctx, s.Viewer(), fn)
}

// UpdateAs is Update for the viewer v.
func (s *Store) UpdateAs(ctx context.Context, v Viewer, fn func(tx *Tx) error) error {
	return s.db.Update(ctx, func(etx *engine.Tx) error {
		tx := s.writeTx(etx, v)
		defer s.wrote(tx)
		return fn(tx)
	})
}

// Capture copies the vault's bytes at rest for a backup under the
// database's lock, after fn (if not nil) has read, under the same lock,
// exactly the state they replay to; release unpins the checkpoint's chunk
// objects (engine.DB.Capture).
func (s *Store) Capture(ctx context.Context, fn func(tx *Tx) error) (c *vault.Capture, release func(), err error) {
	var efn func(tx *engine.Tx) error
	if fn != nil {
		v := s.Viewer()
		efn = func(tx *engine.Tx) error { return fn(s.readTx(tx, v)) }
	}
	return s.db.Capture(ctx, efn)
}

// Checkpoint writes the whole database image to the vault and starts a new
// redo log.
func (s *Store) Checkpoint(ctx context.Context) error { return s.db.Checkpoint(ctx) }

// LastCheckpointError is the error of the last automatic checkpoint, if it failed.
func (s *Store) LastCheckpointError() error { return s.db.LastCheckpointError() }

// Close checkpoints when the log holds changes, then closes the database.
// It does not close the vault.
func (s *Store) Close(ctx context.Context) error { return s.db.Close(ctx) }

// Vault returns the vault under the database.
func (s *Store) Vault() *vault.Vault { return s.db.Vault() }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
