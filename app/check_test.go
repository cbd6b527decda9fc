package app

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"casevault/store"
	"casevault/vault"
)

func item(t *testing.T, r *CheckReport, name string) CheckItem {
	t.Helper()
	for _, it := range r.Items {
		if it.Name == name {
			return it
		}
	}
	t.Fatalf("no check %q in %+v", name, r.Items)
	return CheckItem{}
}

// atRest is the vault's files but the redo log and the lock: what a check
// must not change (its audit entry goes to the log).
func atRest(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := folderBytes(t, dir)
	for k := range m {
		if strings.HasPrefix(k, vault.LogDir+"/") || k == vault.LockFile {
			delete(m, k)
		}
	}
	return m
}

func chunkFile(t *testing.T, s *Session, i int) string {
	t.Helper()
	cp := s.v.Current()
	if i >= len(cp.Chunks) {
		t.Fatalf("only %d chunks", len(cp.Chunks))
	}
	return s.v.ObjectPath(vault.KindDBChunk, cp.Chunks[i])
}

func addNamed(t *testing.T, s *Session, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := s.AddClient(ctx, ClientInput{Name: ptr(n)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckClean(t *testing.T) {
	t.Parallel()
	s, dir := func() (*Session, string) { s, dir, _ := testSession(t); return s, dir }()
	addNamed(t, s, "Jane Roe", "Acme Ltd")
	before := atRest(t, dir)
	n := auditCount(t, s)
	var calls atomic.Int32
	var last BackupProgress
	rep, err := s.Check(ctx, func(p BackupProgress) { calls.Add(1); last = p })
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if !rep.OK || len(rep.Problems()) != 0 || rep.Advice != "" || !rep.Recorded || rep.ReadOnly {
		t.Fatalf("clean vault: %+v", rep)
	}
	for _, it := range rep.Items {
		if it.Status != CheckOK || it.Said == "" || it.Detail == "" {
			t.Errorf("check %+v", it)
		}
	}
	if it := item(t, rep, "Database consistency"); !strings.Contains(it.Said, "2 clients") {
		t.Errorf("consistency: %+v", it)
	}
	if calls.Load() < 3 || last.Phase != "Done" || last.Objects != last.TotalObjects || last.TotalObjects < 3 {
		t.Errorf("progress: %d calls, last %+v", calls.Load(), last)
	}
	if d := diffMaps(before, atRest(t, dir)); d != "" {
		t.Fatalf("the check changed the vault's files: %s", d)
	}
	if got := auditCount(t, s); got != n+1 {
		t.Fatalf("audit entries %d, want %d", got, n+1)
	}
	if e := lastAudit(t, s); e.Action != "vault.check" || e.Detail != "passed" {
		t.Fatalf("entry %+v", e)
	}
}

func diffMaps(a, b map[string]string) string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			d = append(d, k+" removed")
		} else if v != w {
			d = append(d, k+" changed")
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k+" added")
		}
	}
	return strings.Join(d, ", ")
}

// checkFails runs Check and wants it to name the check name as damaged.
func checkFails(t *testing.T, s *Session, name, want string) *CheckReport {
	t.Helper()
	rep, err := s.Check(ctx, nil)
	if !errors.Is(err, ErrCheckFailed) || rep == nil || rep.OK {
		t.Fatalf("Check: %v, %+v", err, rep)
	}
	it := item(t, rep, name)
	if it.Status != CheckDamaged || !strings.Contains(it.Detail, want) {
		t.Fatalf("%s: %+v", name, it)
	}
	if rep.Advice == "" {
		t.Fatal("no advice")
	}
	return rep
}

// Damage at rest after the open (bit rot, another program): the open
// found the vault intact, the check finds what changed since.
func TestCheckFlippedChunk(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	p := chunkFile(t, s, 0)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x08
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	rep := checkFails(t, s, "Database files", p+": object authentication failed")
	if !strings.Contains(rep.Advice, "Restore") {
		t.Errorf("advice: %s", rep.Advice)
	}
	for _, n := range []string{"Database consistency", "Audit trail", "Recent changes"} {
		if item(t, rep, n).Status != CheckOK {
			t.Errorf("%s: %+v", n, item(t, rep, n))
		}
	}
	if e := lastAudit(t, s); e.Action != "vault.check" || !strings.HasPrefix(e.Detail, "FAILED: Database files: ") {
		t.Fatalf("entry %+v", e)
	}
}

// Another authentic chunk of the same vault under this chunk's name: the
// associated data (its id) does not match, so its tag fails.
func TestCheckSwappedChunk(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	var names []string
	for i := 0; i < 40; i++ {
		names = append(names, strings.Repeat("Client with a long name ", 20)+string(rune('A'+i%26)))
	}
	addNamed(t, s, names...)
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	cp := s.v.Current()
	var a, b string
	for i := 1; i < len(cp.Chunks)-1 && b == ""; i++ { // two full-size chunks of different content
		if cp.Chunks[i] != cp.Chunks[0] {
			a, b = chunkFile(t, s, 0), chunkFile(t, s, i)
		}
	}
	if b == "" {
		t.Fatalf("no two distinct full chunks in %d", len(cp.Chunks))
	}
	ab, _ := os.ReadFile(a)
	if err := os.WriteFile(b, ab, 0o600); err != nil {
		t.Fatal(err)
	}
	checkFails(t, s, "Database files", b+": object authentication failed")
}

func TestCheckDamagedSegment(t *testing.T) {
	t.Parallel()
	s, dir, _ := sealedVault(t)
	p := segmentFile(t, s, dir, 2)
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 0x40
	os.WriteFile(p, b, 0o600)
	rep := checkFails(t, s, "Sealed audit trail", p+": object authentication failed")
	if it := item(t, rep, "Audit trail"); it.Status != CheckDamaged {
		t.Errorf("audit trail: %+v", it)
	}
	if it := item(t, rep, "Database files"); it.Status != CheckOK {
		t.Errorf("database files: %+v", it)
	}
}

// A database that SQLite's integrity check rejects, in authentic chunks
// (what a bug in casevault or SQLite could write): one index entry points
// at the wrong row. The open accepts it; the check does not.
func TestCheckCorruptDatabase(t *testing.T) {
	t.Parallel()
	dir, _ := newTestVault(t)
	s := openTest(t, dir)
	addNamed(t, s, "Ann", "Bob", "Cyd", "Dee")
	var root, pageSize int
	err := s.st.View(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = 'clients_by_name'").Scan(&root); err != nil {
			return err
		}
		return tx.QueryRow("PRAGMA page_size").Scan(&pageSize)
	})
	if err != nil || root < 2 {
		t.Fatalf("root page %d: %v", root, err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	v, err := vault.Open(dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	img, cp, err := v.LoadCheckpoint(ctx)
	if err != nil {
		v.Close()
		t.Fatal(err)
	}
	page := img[(root-1)*pageSize : root*pageSize]
	if page[0] != 0x0a || binary.BigEndian.Uint16(page[3:5]) < 4 {
		v.Close()
		t.Fatalf("page %d is not an index leaf with the 4 clients: type %#x, %d cells", root, page[0], binary.BigEndian.Uint16(page[3:5]))
	}
	cell := int(binary.BigEndian.Uint16(page[8:10]))
	size := int(page[cell]) // one-byte varint: a short name and a rowid
	page[cell+size] ^= 0x40 // the last byte of the record: the row id
	if err := v.WriteCheckpoint(ctx, img, cp.Meta, cp.Objects...); err != nil {
		v.Close()
		t.Fatal(err)
	}
	v.Close()

	s = openTest(t, dir)
	rep := checkFails(t, s, "Database consistency", "PRAGMA integrity_check")
	if it := item(t, rep, "Database files"); it.Status != CheckOK {
		t.Errorf("database files: %+v", it)
	}
}

// A read-only (salvage) session is checked too, and records nothing.
func TestCheckReadOnly(t *testing.T) {
	t.Parallel()
	dir, _ := newTestVault(t)
	v, err := vault.Open(dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
	if err != nil {
		v.Close()
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if err := st.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertClient(&store.Client{Name: "Logged " + string(rune('A'+i))}, segBase)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(dir, vault.LogDir, "*.log"))
	v.Close()
	st.Close(ctx)
	if len(logs) != 1 {
		t.Fatalf("logs %v", logs)
	}
	b, _ := os.ReadFile(logs[0])
	b[len(b)-150] ^= 0x20
	os.WriteFile(logs[0], b, 0o600)
	before := folderBytes(t, dir)

	s, err := OpenReadOnly(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	rep := checkFails(t, s, "Recent changes", "redo log")
	if !rep.ReadOnly || rep.Recorded || !strings.Contains(rep.Advice, "repair") {
		t.Fatalf("read-only report: %+v", rep)
	}
	for _, n := range []string{"Database files", "Database consistency", "Audit trail"} {
		if item(t, rep, n).Status != CheckOK {
			t.Errorf("%s: %+v", n, item(t, rep, n))
		}
	}
	s.Close(ctx)
	after := folderBytes(t, dir)
	delete(before, vault.LockFile)
	delete(after, vault.LockFile)
	if d := diffMaps(before, after); d != "" {
		t.Fatalf("a read-only check changed the folder: %s", d)
	}
}

func TestCheckCancelled(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	c, cancel := context.WithCancel(ctx)
	cancel()
	if rep, err := s.Check(c, nil); err == nil || rep != nil {
		t.Fatalf("cancelled check: %v, %+v", err, rep)
	}
}

// A check beside writes and checkpoints (the window's auto-save, a lock):
// the checkpoint it reads is pinned, so the chunks a newer checkpoint
// replaces are not deleted under it, and every check passes.
func TestCheckDuringCheckpoints(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	stop := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			n := strings.Repeat("Busy client ", 200) + string(rune('A'+i%26))
			if _, err := s.AddClient(ctx, ClientInput{Name: ptr(n)}); err != nil {
				errc <- err
				return
			}
			if err := s.st.Checkpoint(ctx); err != nil {
				errc <- err
				return
			}
		}
	}()
	seqs := map[uint64]bool{}
	for i := 0; i < 15; i++ {
		rep, err := s.Check(ctx, nil)
		if err != nil || !rep.OK {
			close(stop)
			t.Fatalf("check %d beside checkpoints: %v %+v", i, err, rep)
		}
		seqs[s.v.Current().Seq] = true
	}
	close(stop)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if len(seqs) < 2 {
		t.Fatalf("no checkpoint ran beside the checks (%v)", seqs)
	}
}
