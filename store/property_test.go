package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"casevault/store/internal/dbtest"
	"casevault/vault"
)

// ---- helpers (store/internal/dbtest has the shared ones) ----

var (
	newFastVault    = func(t testing.TB) string { return dbtest.NewVault(t, true) }
	unlock          = dbtest.Unlock
	raceEnabled     = dbtest.RaceEnabled
	requireSameDump = dbtest.RequireSameDump
)

func storeView(s *Store) dbtest.View {
	return func(fn func(tx dbtest.Querier) error) error {
		return s.View(context.Background(), func(tx *Tx) error { return fn(tx) })
	}
}

// dumpDB is a full logical dump (dbtest.Dump) with the full-text queries
// and integrity checks; dumpRows is without them.
func dumpDB(t testing.TB, s *Store) []string { t.Helper(); return dbtest.Dump(t, storeView(s), true) }
func dumpRows(t testing.TB, s *Store) []string {
	t.Helper()
	return dbtest.Dump(t, storeView(s), false)
}

var errRollback = errors.New("roll back on purpose")

// ftsIntegrity runs FTS5's own integrity check; it is issued as an INSERT,
// so it runs in an Update that is then rolled back.
func ftsIntegrity(t testing.TB, d *Store) {
	t.Helper()
	err := d.Update(context.Background(), func(tx *Tx) error {
		if _, err := tx.Exec("INSERT INTO search(search) VALUES ('integrity-check')"); err != nil {
			return fmt.Errorf("fts integrity-check: %w", err)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// ---- the property test ----

var propWords = []string{
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
	"juliet", "kilo", "lima", "Zoë", "Łukasz", "straße", "café", "日本", "tribunal", "O'Brien",
}

type prop struct {
	rng   *rand.Rand
	now   time.Time
	step  int
	users int // users added so far (their names are unique)
}

func (p *prop) words(lo, hi int) string {
	n := lo + p.rng.IntN(hi-lo+1)
	w := make([]string, n)
	for i := range w {
		w[i] = propWords[p.rng.IntN(len(propWords))]
	}
	return strings.Join(w, " ")
}

func (p *prop) name() string {
	s := p.words(1, 3)
	if p.rng.IntN(3) == 0 {
		s += " " + strconv.Itoa(p.rng.IntN(100))
	}
	return s
}

// pick returns a random id from q (ids in order), or ok false when none.
func (p *prop) pick(tx *Tx, q string, args ...any) (int64, bool, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return 0, false, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, false, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[p.rng.IntN(len(ids))], true, nil
}

func (p *prop) aliases() []string {
	a := make([]string, p.rng.IntN(4))
	for i := range a {
		a[i] = p.words(1, 2)
	}
	return a
}

// op applies one random operation inside tx.
func (p *prop) op(tx *Tx) error {
	now := p.now
	switch k := p.rng.IntN(20); k {
	case 0, 1, 2:
		_, err := tx.InsertClient(&Client{
			Name: p.name(), Aliases: p.aliases(), Email: p.words(0, 1), Phone: strconv.Itoa(p.rng.IntN(1e6)),
			Notes: p.words(0, 12), SecurityClass: []string{"", "general", "walled", "restricted"}[p.rng.IntN(4)],
		}, now)
		return err
	case 3, 4:
		id, ok, err := p.pick(tx, "SELECT id FROM clients ORDER BY id")
		if !ok {
			return err
		}
		c, err := tx.GetClient(id)
		if err != nil {
			return err
		}
		if p.rng.IntN(2) == 0 {
			c.Name = p.name()
		}
		if p.rng.IntN(2) == 0 {
			c.Notes = p.words(0, 15)
		}
		switch p.rng.IntN(4) {
		case 0:
			c.Aliases = p.aliases()
		case 1:
			c.Aliases = append(c.Aliases, p.words(1, 1))
		case 2:
			if len(c.Aliases) > 0 {
				c.Aliases = c.Aliases[1:]
			}
		}
		return tx.UpdateClient(c, now)
	case 5:
		id, ok, err := p.pick(tx, "SELECT id FROM clients WHERE id NOT IN (SELECT client_id FROM matters) ORDER BY id")
		if !ok {
			return err
		}
		return tx.DeleteClient(id)
	case 6, 7:
		id, ok, err := p.pick(tx, "SELECT id FROM clients ORDER BY id")
		if !ok {
			return err
		}
		m := &Matter{ClientID: id, Title: p.words(1, 4), PracticeArea: p.words(0, 2)}
		for range p.rng.IntN(4) {
			role := []string{RoleAdverse, RoleRelated, RoleOpposingCounsel}[p.rng.IntN(3)]
			m.Parties = append(m.Parties, Party{Role: role, Name: p.name()})
		}
		_, err = tx.InsertMatter(m, now)
		return err
	case 8:
		id, ok, err := p.pick(tx, "SELECT id FROM matters ORDER BY id")
		if !ok {
			return err
		}
		return tx.SetMatterStatus(id, []string{"open", "closed"}[p.rng.IntN(2)], now)
	case 9, 10:
		id, ok, err := p.pick(tx, "SELECT id FROM matters ORDER BY id")
		if !ok {
			return err
		}
		_, err = tx.InsertNote(&Note{MatterID: id, Text: p.words(1, 30), Author: "lawyer"}, now)
		return err
	case 11:
		id, err := tx.InsertConflictCheck(&ConflictCheck{At: now, Actor: "lawyer",
			Names: fmt.Sprintf(`[%q]`, p.name()), Hits: fmt.Sprintf(`[{"name":%q}]`, p.name())})
		if err != nil || p.rng.IntN(2) == 0 {
			return err
		}
		return tx.DecideConflictCheck(id, ConflictDecision{At: now, Actor: "owner", Decision: "clear", Note: p.words(0, 3)})
	case 12:
		id, ok, err := p.pick(tx, "SELECT id FROM conflict_checks WHERE decision = '' ORDER BY id")
		if !ok {
			return err
		}
		return tx.DecideConflictCheck(id, ConflictDecision{At: now, Actor: "owner", Decision: []string{"clear", "conflict", "waived"}[p.rng.IntN(3)], Note: p.words(0, 5)})
	case 13:
		head, prev, err := tx.AuditHead()
		if err != nil {
			return err
		}
		if prev == nil {
			prev = []byte{}
		}
		h := make([]byte, 32)
		for i := range h {
			h[i] = byte(p.rng.Uint32())
		}
		return tx.InsertAudit(&AuditEntry{ID: head + 1, At: now, Actor: "lawyer", Action: "test",
			Records: fmt.Sprintf("client:%d", p.rng.IntN(50)), Detail: p.words(0, 3), PrevHash: prev, Hash: h})
	case 14:
		_, err := tx.Exec(`INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
			fmt.Sprintf("k%d", p.rng.IntN(5)), p.words(1, 3))
		return err
	case 15:
		p.users++
		_, err := tx.InsertUser(&User{Name: fmt.Sprintf("User %d", p.users), Role: "paralegal",
			MustChange: p.rng.IntN(2) == 0}, now)
		return err
	case 16:
		kind, q := KindClient, "SELECT id FROM clients ORDER BY id"
		if p.rng.IntN(2) == 0 {
			kind, q = KindMatter, "SELECT id FROM matters ORDER BY id"
		}
		id, ok, err := p.pick(tx, q)
		if !ok {
			return err
		}
		var users []int64
		for range p.rng.IntN(3) {
			u, _, err := p.pick(tx, "SELECT id FROM users ORDER BY id")
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		return tx.SetSecurityClass(kind, id, []string{ClassGeneral, ClassRestricted, ClassWalled}[p.rng.IntN(3)], users)
	default:
		return p.raw(tx)
	}
}

// rawStatements are multi-row statements; ?1 and ?2 are a number below 7
// and a word.
var rawStatements = []string{
	`UPDATE clients SET notes = notes || ' ' || ?2 WHERE id % 3 = ?1 % 3`,
	`UPDATE clients SET name = name || ' jr' WHERE id % 4 = ?1 % 4`,
	`DELETE FROM client_aliases WHERE id % 5 = ?1 % 5`,
	`UPDATE client_aliases SET alias = upper(alias) WHERE client_id % 2 = ?1 % 2`,
	`UPDATE matters SET practice_area = ?2 WHERE id % 2 = ?1 % 2`,
	`DELETE FROM notes WHERE id % 4 = ?1 % 4`,
	`UPDATE parties SET name = name || ' x' WHERE id % 3 = ?1 % 3`,
	`DELETE FROM matters WHERE id % 7 = ?1`,
	`UPDATE notes SET text = text || ' ' || ?2 WHERE matter_id % 2 = ?1 % 2`,
	`UPDATE clients SET updated_at = updated_at + 1, email = lower(name) || '@example.test'`,
	`DELETE FROM clients WHERE id NOT IN (SELECT client_id FROM matters) AND id % 5 = ?1 % 5`,
	`INSERT INTO clients(name, notes, created_at, updated_at) SELECT name || ' copy', notes || ?2, created_at, ?1 FROM clients WHERE id % 6 = ?1 % 6`,
	// moves a row to a new rowid (the alias of its INTEGER PRIMARY KEY)
	`UPDATE clients SET id = (SELECT max(id) FROM clients) + 1 + ?1 WHERE id = (SELECT max(id) FROM clients
		WHERE id NOT IN (SELECT client_id FROM matters) AND id NOT IN (SELECT client_id FROM client_aliases))`,
	`UPDATE conflict_checks SET hits = json_array(?2, ?1) WHERE decision = ''`,
	`DELETE FROM meta WHERE key = 'k' || ?1`,
	`UPDATE matters SET status = CASE status WHEN 'open' THEN 'closed' ELSE 'open' END, closed_at = NULL WHERE client_id % 3 = ?1 % 3`,
}

func (p *prop) raw(tx *Tx) error {
	q := rawStatements[p.rng.IntN(len(rawStatements))]
	_, err := tx.Exec(q, p.rng.IntN(7), p.words(1, 1))
	return err
}

func TestPropertyReplay(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6}
	nops := 300
	switch {
	case os.Getenv("CASEVAULT_HEAVY") == "1":
		seeds, nops = nil, 400
		for s := range uint64(24) {
			seeds = append(seeds, s+1)
		}
	case raceEnabled || testing.Short():
		// Three seeds that still cover the three checkpoint settings and
		// both ways of reopening (seed%3 and seed%2 in runProperty).
		seeds, nops = seeds[3:], 150
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			t.Parallel()
			runProperty(t, seed, nops)
		})
	}
}

func runProperty(t *testing.T, seed uint64, nops int) {
	ctx := context.Background()
	var opts Options
	switch seed % 3 {
	case 0:
		opts.CheckpointBytes = 8 << 10 // automatic checkpoints mid-sequence
	case 1:
		opts.CheckpointBytes = -1 // only explicit ones
	}
	cleanClose := seed%2 == 0 // even seeds reopen after a clean Close half the time; odd ones only crash
	p := &prop{rng: rand.New(rand.NewPCG(seed, 0x5eed)), now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	dir := newFastVault(t)
	s := openStore(t, dir, opts)
	var reopens, fails, ckpts int
	verify := func() {
		t.Helper()
		want := dumpDB(t, s)
		ftsIntegrity(t, s)
		how := "crash"
		if cleanClose && p.rng.IntN(2) == 0 {
			how = "close"
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if s.Vault().LogSize() != 0 {
				t.Fatal("close left a redo log behind")
			}
			s.Vault().Close()
		} else {
			crash(s)
		}
		s = openStore(t, dir, opts)
		reopens++
		requireSameDump(t, fmt.Sprintf("step %d, reopened after %s", p.step, how), want, dumpDB(t, s))
		ftsIntegrity(t, s)
	}
	for p.step = 0; p.step < nops; p.step++ {
		p.now = p.now.Add(time.Duration(1+p.rng.IntN(3600)) * time.Second)
		switch r := p.rng.IntN(100); {
		case r < 8: // a transaction that fails half way: no trace
			before := dumpRows(t, s)
			logBefore := s.Vault().LogSize()
			ignoreStatementError := p.rng.IntN(2) == 0
			err := s.Update(ctx, func(tx *Tx) error {
				for range 1 + p.rng.IntN(4) {
					if err := p.op(tx); err != nil {
						return err
					}
				}
				if ignoreStatementError {
					// The caller ignores a failed statement: Update must
					// still fail, and log nothing.
					tx.Exec("INSERT INTO clients(name, created_at, updated_at) VALUES ('   ', 0, 0)")
					tx.QueryRow("INSERT INTO matters(client_id, title, opened_at, created_at, updated_at) VALUES (-1, 't', 0, 0, 0) RETURNING id")
					return nil
				}
				return errRollback
			})
			if err == nil {
				t.Fatalf("step %d: the failing transaction succeeded", p.step)
			}
			if s.Vault().LogSize() != logBefore {
				t.Fatalf("step %d: the failing transaction reached the redo log", p.step)
			}
			requireSameDump(t, fmt.Sprintf("step %d: after a failed transaction (%v)", p.step, err), before, dumpRows(t, s))
			fails++
		case r < 11:
			if err := s.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			if s.Vault().LogSize() != 0 {
				t.Fatal("log not empty after a checkpoint")
			}
			ckpts++
		case r < 14:
			verify()
		default:
			n := 1
			if p.rng.IntN(4) == 0 {
				n = 2 + p.rng.IntN(4)
			}
			err := s.Update(ctx, func(tx *Tx) error {
				for range n {
					if err := p.op(tx); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("step %d: %v", p.step, err)
			}
			if err := s.LastCheckpointError(); err != nil {
				t.Fatalf("step %d: automatic checkpoint: %v", p.step, err)
			}
		}
	}
	verify()
	var counts Counts
	s.View(ctx, func(tx *Tx) error {
		var err error
		counts, err = tx.Counts()
		return err
	})
	if counts.Clients == 0 || counts.Matters == 0 || counts.Notes == 0 {
		t.Errorf("the sequence built too little to be a test: %+v", counts)
	}
	t.Logf("seed %d: %d ops, %d reopens, %d failed transactions, %d explicit checkpoints, checkpoint seq %d, final %+v",
		seed, nops, reopens, fails, ckpts, seqOf(s.Vault()), counts)
}

func seqOf(v *vault.Vault) uint64 {
	if cp := v.Current(); cp != nil {
		return cp.Seq
	}
	return 0
}
