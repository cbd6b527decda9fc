package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

func auditEntries(t *testing.T, s *Session, f store.AuditFilter) []*store.AuditEntry {
	t.Helper()
	var all []*store.AuditEntry
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		all, err = tx.ListAudit(f)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return all
}

// TestSearchAsYouType: keystrokes write nothing; SettleSearch writes one
// entry with the last query and every record any of the searches showed,
// sorted by number; a second SettleSearch writes nothing; Close settles a
// burst still open, before its lock.
func TestSearchAsYouType(t *testing.T) {
	t.Parallel()
	s, dir, _ := testSession(t)
	var ids []int64
	for _, n := range []string{"Gwendolyn Amberley", "Gwen Amberson", "Gustav Amberg"} {
		id, err := s.AddClient(ctx, ClientInput{Name: ptr(n)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for i := 0; i < 7; i++ { // client 10 sorts after client 9
		s.AddClient(ctx, ClientInput{Name: ptr(fmt.Sprintf("Filler Person%d", i))})
	}
	m, _ := s.AddMatter(ctx, MatterInput{ClientID: ids[2], Title: "Amber trading dispute"})
	tenth, _ := s.AddClient(ctx, ClientInput{Name: ptr("Gwendolyn Tenth")})
	before := len(auditEntries(t, s, store.AuditFilter{}))
	var shown int
	for _, q := range []string{"g", "gw", "gwe", "gwen", "gwend", "gwendolyn"} {
		hits, err := s.SearchAsYouType(ctx, q, 100)
		if err != nil {
			t.Fatal(err)
		}
		shown += len(hits)
	}
	if _, err := s.SearchAsYouType(ctx, "amber", 100); err != nil {
		t.Fatal(err)
	}
	if n := len(auditEntries(t, s, store.AuditFilter{})); n != before {
		t.Fatalf("search-as-you-type wrote %d audit entries before settling, want none", n-before)
	}
	if err := s.SettleSearch(ctx); err != nil {
		t.Fatal(err)
	}
	all := auditEntries(t, s, store.AuditFilter{})
	if len(all) != before+1 {
		t.Fatalf("settling wrote %d entries, want 1", len(all)-before)
	}
	e := all[len(all)-1]
	want := fmt.Sprintf("client:%d client:%d client:%d client:%d matter:%d", ids[0], ids[1], ids[2], tenth, m)
	if e.Action != "search" || e.Records != want || !strings.Contains(e.Detail, `"amber"`) || !strings.Contains(e.Detail, "7 searches") ||
		strings.Contains(e.Detail, "gwendolyn") {
		t.Errorf("settled search: %+v\nwant records %q, the last query and the count of searches", e, want)
	}
	// The access report finds it for each record shown.
	for _, r := range strings.Fields(want) {
		got := auditEntries(t, s, store.AuditFilter{Record: r, Action: "search"})
		if len(got) != 1 {
			t.Errorf("--record %s: %d search entries, want 1", r, len(got))
		}
	}
	if err := s.SettleSearch(ctx); err != nil || len(auditEntries(t, s, store.AuditFilter{})) != len(all) {
		t.Errorf("a second settle wrote again (%v)", err)
	}

	// A burst still open when the session closes is recorded before the lock.
	if _, err := s.SearchAsYouType(ctx, "gustav", 100); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SearchAsYouType(ctx, "gustav", 100); err == nil {
		t.Error("a closed session searched")
	}
	s2 := openTest(t, dir)
	all = auditEntries(t, s2, store.AuditFilter{})
	// ..., search (settled at close), lock, unlock
	if n := len(all); n < 3 || all[n-3].Action != "search" || all[n-3].Records != fmt.Sprintf("client:%d", ids[2]) || all[n-2].Action != "lock" {
		t.Errorf("close did not record the open burst before the lock: %+v %+v", all[len(all)-3], all[len(all)-2])
	}
}

// TestCommandLineSession: a command-line session writes no unlock and lock
// entries; its own entries say where they came from and which credential
// unlocked; a session that recorded nothing leaves one unlock; and its
// close leaves a small redo log for the next open instead of
// checkpointing, but checkpoints a big one.
func TestCommandLineSession(t *testing.T) {
	t.Parallel()
	dir, rk := newTestVault(t)
	cli := Options{Actor: "tester", CommandLine: true}
	open := func(cred vault.Credential) *Session {
		t.Helper()
		s, err := Open(ctx, dir, cred, cli)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pass := func() vault.Credential { return vault.Passphrase([]byte(testPass)) }
	s := open(pass())
	before := len(auditEntries(t, s, store.AuditFilter{}))
	id, err := s.AddClient(ctx, ClientInput{Name: ptr("Ada Lovelace")})
	if err != nil {
		t.Fatal(err)
	}
	logAfterAdd := s.v.LogSize()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	r, err := Recovery(string(rk))
	if err != nil {
		t.Fatal(err)
	}
	s = open(r)
	if got := s.v.LogSize(); got < logAfterAdd || got == 0 {
		t.Errorf("the command's close checkpointed a %d-byte log (now %d), under CommandLineCheckpointBytes", logAfterAdd, got)
	}
	if _, err := s.GetClient(ctx, id); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)

	s = open(pass()) // a command that reads nothing and fails: only its unlock
	s.Close(ctx)

	s = openTest(t, dir)
	all := auditEntries(t, s, store.AuditFilter{})[before:]
	type row struct{ action, records, detail string }
	want := []row{
		{"client.add", fmt.Sprintf("client:%d", id), "command line, with the passphrase"},
		{"client.view", fmt.Sprintf("client:%d", id), "command line, with the recovery key"},
		{"unlock", "", "command line, with the passphrase"},
		{"unlock", "", "with the passphrase"}, // the window's own
	}
	if len(all) != len(want) {
		t.Fatalf("audit entries: %d, want %d: %+v", len(all), len(want), all)
	}
	for i, w := range want {
		if g := (row{all[i].Action, all[i].Records, all[i].Detail}); g != w {
			t.Errorf("entry %d: %+v, want %+v", i, g, w)
		}
	}
	// The window's session checkpoints at close whatever the log's size.
	s.Close(ctx)
	s = open(pass())
	if got := s.v.LogSize(); got != 0 {
		t.Errorf("the window's close left %d bytes of log", got)
	}
	// Past the threshold a command's close checkpoints.
	for s.v.LogSize() <= CommandLineCheckpointBytes {
		if err := s.EditClient(ctx, id, ClientInput{Notes: ptr(strings.Repeat("n", 4000) + fmt.Sprint(s.v.LogSize()))}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close(ctx)
	s = open(pass())
	defer s.Close(ctx)
	if got := s.v.LogSize(); got != 0 {
		t.Errorf("a command's close left %d bytes of log, over CommandLineCheckpointBytes", got)
	}
}

// TestSettleSearchRacesClose: a settle that has taken the burst but not yet
// written it when the session closes (the window's settle timer firing as
// the person locks) is written before the close: Close waits for it.
// Before, Close found no burst, closed the store, and the settle's write
// failed: the records the results showed were never recorded.
func TestSettleSearchRacesClose(t *testing.T) {
	s, dir, _ := testSession(t)
	id, err := s.AddClient(ctx, ClientInput{Name: ptr("Rosalind Quarry")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SearchAsYouType(ctx, "rosalind", 100); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	settleTaken = func() {
		go func() { closed <- s.Close(ctx) }()
		// Give the close the time it needs to finish, unless it waits
		// for this settle (as it must).
		select {
		case err := <-closed:
			closed <- err
		case <-time.After(500 * time.Millisecond):
		}
	}
	defer func() { settleTaken = nil }()
	serr := s.SettleSearch(ctx)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if serr != nil {
		t.Fatalf("SettleSearch racing Close: %v", serr)
	}
	settleTaken = nil
	got := auditEntries(t, openTest(t, dir), store.AuditFilter{Record: fmt.Sprintf("client:%d", id), Action: "search"})
	if len(got) != 1 {
		t.Fatalf("%d search entries for the record shown, want 1", len(got))
	}
}

// TestSearchLongQueryAudited: a very long query (something pasted by
// mistake) is recorded cut at MaxAuditQuery characters, with how long it
// was, by Search and by a settled search-as-you-type; the records its
// results showed are all recorded; a query of MaxAuditQuery characters is
// recorded whole.
func TestSearchLongQueryAudited(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	var ids []int64
	for _, n := range []string{"Gwendolyn Amberley", "Gwen Amberson"} {
		id, err := s.AddClient(ctx, ClientInput{Name: ptr(n)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	wantRecs := fmt.Sprintf("client:%d client:%d", ids[0], ids[1])
	long := "gwen" + strings.Repeat(" ", 299_996) // 300,000 characters
	last := func() *store.AuditEntry {
		all := auditEntries(t, s, store.AuditFilter{})
		return all[len(all)-1]
	}
	check := func(how string, e *store.AuditEntry) {
		t.Helper()
		if e.Action != "search" || e.Records != wantRecs || len(e.Detail) > 2*MaxAuditQuery ||
			!strings.Contains(e.Detail, `"gwen`) || !strings.Contains(e.Detail, `…" (300,000 characters in all)`) {
			t.Errorf("%s: %d-byte detail %.300q…, records %q; want it cut with the whole length, records %q", how, len(e.Detail), e.Detail, e.Records, wantRecs)
		}
	}
	hits, err := s.Search(ctx, long, 100)
	if err != nil || len(hits) != 2 {
		t.Fatalf("Search: %d hits, %v", len(hits), err)
	}
	check("Search", last())
	if _, err := s.SearchAsYouType(ctx, long, 100); err != nil {
		t.Fatal(err)
	}
	if err := s.SettleSearch(ctx); err != nil {
		t.Fatal(err)
	}
	check("SettleSearch", last())
	if !strings.Contains(last().Detail, "typed: 1 search, 2 records shown") {
		t.Errorf("settled: %.300q", last().Detail)
	}
	whole := "gwen" + strings.Repeat("é", MaxAuditQuery-4)
	if _, err := s.Search(ctx, whole, 100); err != nil {
		t.Fatal(err)
	}
	if e := last(); !strings.Contains(e.Detail, fmt.Sprintf("%q,", whole)) || strings.Contains(e.Detail, "in all") {
		t.Errorf("a %d-character query: %q", MaxAuditQuery, e.Detail)
	}
}
