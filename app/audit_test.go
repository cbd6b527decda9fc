package app

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

// auditVault is a fresh vault with a dozen audit entries, unlocked.
func auditVault(t *testing.T) (*Session, string) {
	t.Helper()
	s, dir, _ := testSession(t)
	id, err := s.AddClient(ctx, ClientInput{Name: ptr("Chain Client")})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.AddMatter(ctx, MatterInput{ClientID: id, Title: "Chain matter"})
	s.AddNote(ctx, m, "a note")
	s.GetClient(ctx, id)
	s.EditClient(ctx, id, ClientInput{Email: ptr("chain@example.com")})
	s.CheckConflicts(ctx, []string{"Someone Else"})
	s.Search(ctx, "chain", 5)
	s.ListClients(ctx, store.ByName)
	if n := auditCount(t, s); n < 10 {
		t.Fatalf("only %d audit entries", n)
	}
	return s, dir
}

// tamper runs SQL through the raw store, as someone holding the data key
// could: the append-only triggers are dropped first.
func tamper(t *testing.T, s *Session, fn func(tx *store.Tx) error) {
	t.Helper()
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		for _, q := range []string{"DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return fn(tx)
	})
	if err != nil {
		t.Fatalf("tampering: %v", err)
	}
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
}

func entries(t *testing.T, s *Session) []*store.AuditEntry {
	t.Helper()
	var all []*store.AuditEntry
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		all, err = tx.ListAudit(store.AuditFilter{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return all
}

func verify(t *testing.T, s *Session) *AuditReport {
	t.Helper()
	r, err := s.AuditVerify(ctx)
	if err != nil {
		t.Fatalf("AuditVerify: %v", err)
	}
	return r
}

func TestAuditAppendOnlyTriggers(t *testing.T) {
	t.Parallel()
	s, _ := auditVault(t)
	for _, q := range []string{"UPDATE audit SET detail = 'x' WHERE id = 2", "DELETE FROM audit WHERE id = 2"} {
		err := s.st.Update(ctx, func(tx *store.Tx) error { _, err := tx.Exec(q); return err })
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only trigger to refuse", q, err)
		}
	}
	if r := verify(t, s); !r.OK {
		t.Fatalf("trail broken after refused edits: %+v", r)
	}
}

func TestAuditVerifyIntact(t *testing.T) {
	t.Parallel()
	s, dir := auditVault(t)
	n := auditCount(t, s)
	r := verify(t, s)
	if !r.OK || r.Entries != n || r.BadID != 0 || r.Problem != "" || !strings.HasPrefix(r.Head, "") {
		t.Fatalf("fresh trail: %+v (want OK with %d entries)", r, n)
	}
	last := lastAudit(t, s)
	if last.Action != "audit.verify" || last.Detail != "intact" {
		t.Errorf("verify not recorded: %+v", last)
	}
	// Still intact across a lock, an unlock and a checkpoint.
	s.Close(ctx)
	s = openTest(t, dir)
	if r := verify(t, s); !r.OK {
		t.Fatalf("after reopen: %+v", r)
	}
	// Each entry's hash chains to the previous one.
	all := entries(t, s)
	for i := 1; i < len(all); i++ {
		if string(all[i].PrevHash) != string(all[i-1].Hash) || all[i].ID != all[i-1].ID+1 {
			t.Fatalf("entry %d does not chain to %d", all[i].ID, all[i-1].ID)
		}
	}
}

func TestAuditListFilters(t *testing.T) {
	t.Parallel()
	s, _ := auditVault(t)
	list, err := s.AuditList(ctx, store.AuditFilter{Action: "client.edit"})
	if err != nil || len(list) != 1 || list[0].Action != "client.edit" || list[0].Records != "client:1" {
		t.Fatalf("by action: %+v %v", list, err)
	}
	list, _ = s.AuditList(ctx, store.AuditFilter{Record: "client:1"})
	if len(list) < 4 {
		t.Fatalf("by record: %+v", list)
	}
	for _, e := range list {
		if !strings.Contains(" "+e.Records+" ", " client:1 ") {
			t.Errorf("entry %+v is not about client:1", e)
		}
	}
	// "client:1" must not match "client:10"-style prefixes: only whole refs.
	list, _ = s.AuditList(ctx, store.AuditFilter{Record: "client:"})
	if len(list) != 0 {
		t.Errorf("partial ref matched %d entries", len(list))
	}
	list, _ = s.AuditList(ctx, store.AuditFilter{Limit: 3})
	if len(list) != 3 || list[0].ID != 1 {
		t.Errorf("limit: %+v", list)
	}
	list, _ = s.AuditList(ctx, store.AuditFilter{From: time.Now().Add(time.Hour)})
	if len(list) != 0 {
		t.Errorf("from the future: %d", len(list))
	}
	list, _ = s.AuditList(ctx, store.AuditFilter{To: time.Now().Add(-time.Hour)})
	if len(list) != 0 {
		t.Errorf("to the past: %d", len(list))
	}
	if e := lastAudit(t, s); e.Action != "audit.list" {
		t.Errorf("reading the trail was not recorded: %+v", e)
	}
}

func TestAuditVerifyDetectsEditedEntry(t *testing.T) {
	t.Parallel()
	for _, col := range []string{"detail", "actor", "action", "records", "at"} {
		t.Run(col, func(t *testing.T) {
			s, _ := auditVault(t)
			val := any("forged")
			if col == "at" {
				val = int64(1)
			}
			tamper(t, s, func(tx *store.Tx) error {
				_, err := tx.Exec("UPDATE audit SET "+col+" = ? WHERE id = 4", val)
				return err
			})
			r := verify(t, s)
			if r.OK || r.BadID != 4 || !strings.Contains(r.Problem, "4") {
				t.Fatalf("edited %s of entry 4: %+v", col, r)
			}
			if e := lastAudit(t, s); e.Action != "audit.verify" || !strings.HasPrefix(e.Detail, "BROKEN") {
				t.Errorf("broken verify recorded as %+v", e)
			}
		})
	}
}

func TestAuditVerifyDetectsInsertedEntry(t *testing.T) {
	t.Parallel()
	// A forged entry inserted in the middle, the later ids shifted up by one
	// so the numbering stays gapless. Without the audit key the forger
	// cannot compute the entry's hash; with it, the next entry's link breaks.
	for _, withKey := range []bool{false, true} {
		name := "random hash"
		if withKey {
			name = "valid hash"
		}
		t.Run(name, func(t *testing.T) {
			s, _ := auditVault(t)
			const k = 5
			all := entries(t, s)
			forged := &store.AuditEntry{ID: k, At: all[k-1].At, Actor: "tester", Action: "client.view", Records: "client:1", PrevHash: all[k-2].Hash}
			if withKey {
				if err := s.st.View(ctx, func(tx *store.Tx) error {
					var err error
					forged.Hash, err = s.auditHash(tx, forged)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			} else {
				forged.Hash = make([]byte, 32)
				rand.Read(forged.Hash)
			}
			tamper(t, s, func(tx *store.Tx) error {
				if _, err := tx.Exec("UPDATE audit SET id = -(id + 1) WHERE id >= ?", k); err != nil {
					return err
				}
				if _, err := tx.Exec("UPDATE audit SET id = -id WHERE id < 0"); err != nil {
					return err
				}
				_, err := tx.Exec("INSERT INTO audit(id, at, actor, action, records, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, '', ?, ?)",
					forged.ID, forged.At.UnixMilli(), forged.Actor, forged.Action, forged.Records, forged.PrevHash, forged.Hash)
				return err
			})
			if got := len(entries(t, s)); got != len(all)+1 {
				t.Fatalf("tampering left %d entries, want %d", got, len(all)+1)
			}
			r := verify(t, s)
			want := int64(k)
			if withKey {
				want = k + 1
			}
			if r.OK || r.BadID != want {
				t.Fatalf("inserted entry %d: %+v (want BadID %d)", k, r, want)
			}
		})
	}
}

func TestAuditVerifyDetectsDeletedMiddleEntry(t *testing.T) {
	t.Parallel()
	t.Run("gap", func(t *testing.T) {
		s, _ := auditVault(t)
		tamper(t, s, func(tx *store.Tx) error { _, err := tx.Exec("DELETE FROM audit WHERE id = 6"); return err })
		r := verify(t, s)
		if r.OK || r.BadID != 7 || !strings.Contains(r.Problem, "entry 6") {
			t.Fatalf("deleted entry 6: %+v", r)
		}
	})
	t.Run("renumbered", func(t *testing.T) {
		s, _ := auditVault(t)
		tamper(t, s, func(tx *store.Tx) error {
			if _, err := tx.Exec("DELETE FROM audit WHERE id = 6"); err != nil {
				return err
			}
			_, err := tx.Exec("UPDATE audit SET id = id - 1 WHERE id > 6")
			return err
		})
		r := verify(t, s)
		if r.OK || r.BadID != 6 {
			t.Fatalf("deleted and renumbered entry 6: %+v", r)
		}
	})
}

func TestAuditVerifyDetectsDeletedLastEntry(t *testing.T) {
	t.Parallel()
	s, _ := auditVault(t)
	n := int64(auditCount(t, s))
	tamper(t, s, func(tx *store.Tx) error { _, err := tx.Exec("DELETE FROM audit WHERE id = ?", n); return err })
	r := verify(t, s)
	if r.OK || !strings.Contains(r.Problem, "deleted") {
		t.Fatalf("deleted last entry: %+v", r)
	}
	if r.BadID != n {
		t.Errorf("BadID %d, want %d (the missing entry)", r.BadID, n)
	}

	// The deletion must stay visible after later entries are appended: the
	// CLI's `audit verify` always unlocks (and records the unlock) first.
	t.Run("after later entries", func(t *testing.T) {
		s, dir := auditVault(t)
		n := int64(auditCount(t, s))
		tamper(t, s, func(tx *store.Tx) error { _, err := tx.Exec("DELETE FROM audit WHERE id = ?", n); return err })
		s.Close(ctx) // appends "lock"
		s = openTest(t, dir)
		s.AddClient(ctx, ClientInput{Name: ptr("Later")})
		r := verify(t, s)
		if r.OK || r.BadID != n+1 {
			t.Fatalf("deleted last entry %d, then more entries: %+v", n, r)
		}
		// And it stays broken.
		if r := verify(t, s); r.OK {
			t.Fatalf("second verify: %+v", r)
		}
	})
}

func TestAuditVerifyAfterReopenStillDetects(t *testing.T) {
	t.Parallel()
	// Tampering is durable (a schema change is checkpointed) and is still
	// found by a new session.
	s, dir := auditVault(t)
	tamper(t, s, func(tx *store.Tx) error { _, err := tx.Exec("UPDATE audit SET detail = 'x' WHERE id = 3"); return err })
	s.Close(ctx)
	s2, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(ctx)
	if r := verify(t, s2); r.OK || r.BadID != 3 {
		t.Fatalf("after reopen: %+v", r)
	}
}
