package app

import (
	"errors"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
	"casevault/vault/testkit"
)

// stepClock is a session clock that moves one second at every reading, so
// that no two events share a millisecond (created_at against snapshot time).
func stepClock() func() time.Time {
	var mu = make(chan struct{}, 1)
	now := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu <- struct{}{}
		defer func() { <-mu }()
		now = now.Add(time.Second)
		return now
	}
}

// recordsSession is a fresh vault opened with stepClock.
func recordsSession(t *testing.T) *Session {
	t.Helper()
	dir, _ := newTestVault(t)
	s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "tester", Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	return s
}

// destroyClient stands in for helper B's Session.Destroy until it lands:
// the client (without matters) is deleted with secure_delete on and the
// search index optimized, a destruction with its register row is written,
// then the "destroy" audit entry (its id recorded on the destruction), then
// a checkpoint.
func destroyClient(t *testing.T, s *Session, clientID int64, keepName string) string {
	t.Helper()
	var number string
	err := s.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
		c, err := tx.GetClient(clientID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM destructions").Scan(&n); err != nil {
			return err
		}
		number = "D-2026-000" + string(rune('1'+n))
		if _, err := tx.Exec("PRAGMA secure_delete = ON"); err != nil {
			return err
		}
		if err := tx.DeleteClient(clientID); err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO search(search) VALUES ('optimize')"); err != nil {
			return err
		}
		kept := 0
		if keepName != "" {
			kept = 1
		}
		res, err := tx.Exec("INSERT INTO destructions(number, at, by, names_kept) VALUES (?, ?, 'tester', ?)", number, s.now().UnixMilli(), kept)
		if err != nil {
			return err
		}
		did, _ := res.LastInsertId()
		res, err = tx.Exec("INSERT INTO destruction_register(destruction_id, ref, kind, record_id, rule, created_at) VALUES (?, ?, 'client', ?, 'rule:', ?)",
			did, number+"/1", clientID, c.CreatedAt.UnixMilli())
		if err != nil {
			return err
		}
		if keepName != "" {
			rid, _ := res.LastInsertId()
			if _, err := tx.Exec("INSERT INTO destroyed_names(register_id, name, role, client_name) VALUES (?, ?, 'former_client', ?)", rid, keepName, keepName); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.audit(ctx, "destroy", "", number+": 1 client file"); err != nil {
		t.Fatal(err)
	}
	err = s.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
		_, id, err := tx.RecordedAuditHead()
		if err != nil {
			return err
		}
		_, err = tx.Exec("UPDATE destructions SET audit_id = ? WHERE number = ?", id, number)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	return number
}

// restoredPlain restores snapshot id of the backup into a new folder and
// returns its decrypted database image and redo log records, and the ids of
// the clients it holds.
func restoredPlain(t *testing.T, b *Backups, id string) (plain [][]byte, clients []int64) {
	t.Helper()
	to := filepath.Join(scratchDir(t), "restored")
	if _, err := b.Restore(ctx, to, RestoreOptions{Snapshot: id}); err != nil {
		t.Fatalf("restore %s: %v", id, err)
	}
	v, err := vault.OpenWithKeys(to, b.r.Keys())
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := v.LoadCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := v.ReadLog()
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	v, err = vault.OpenWithKeys(to, b.r.Keys())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, v, store.Options{NoCloseCheckpoint: true})
	if err != nil {
		v.Close()
		t.Fatal(err)
	}
	defer func() { st.Close(ctx); v.Close() }()
	err = st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		list, err := tx.ListClients(store.ByName)
		for _, c := range list {
			clients = append(clients, c.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(clients)
	return append([][]byte{img}, recs...), clients
}

func leaks(plain [][]byte, canary string) []string {
	var out []string
	for _, b := range plain {
		out = append(out, testkit.FindLeaks(b, canary)...)
	}
	return out
}

const recordsCanary = "Quillon-Destroyed-Canary-4471"

// TestForgetDestroyed: backups are recorded; after a destruction the
// snapshots made before it are listed as holding it (and the canary is in
// them); forgetting is refused until a backup was made after it; then
// exactly those snapshots go, the canary is in no snapshot left and nothing
// of theirs stays on the drive, and verify and a drill of what remains pass.
func TestForgetDestroyed(t *testing.T) {
	s := recordsSession(t)
	repo := filepath.Join(scratchDir(t), "backup")
	gone, err := s.AddClient(ctx, ClientInput{Name: ptr(recordsCanary), Notes: ptr("notes of " + recordsCanary)})
	if err != nil {
		t.Fatal(err)
	}
	addClients(t, s, "Kept", 2)
	b1, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	addClients(t, s, "Later", 1)
	b2, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []store.BackupRecord
	s.st.View(ctx, func(tx *store.Tx) error { recs, err = tx.BackupRecords(""); return err })
	if len(recs) != 2 || recs[0].SnapshotID != b1.Snapshot.ID || recs[0].AuditID != auditIDOf(b1.Snapshot.AuditHead) || recs[0].AuditID == 0 ||
		!recs[0].At.Equal(b1.Snapshot.Time) || recs[0].Target != repo || recs[1].SnapshotID != b2.Snapshot.ID {
		t.Fatalf("records after two backups: %+v (snapshots %s %s)", recs, b1.Snapshot.ID, b2.Snapshot.ID)
	}
	if !slices.Contains(recs[0].Slots, "the recovery key") || !slices.ContainsFunc(recs[0].Slots, func(w string) bool { return strings.Contains(w, "passphrase") }) {
		t.Fatalf("slots %q", recs[0].Slots)
	}

	number := destroyClient(t, s, gone, "")
	held, err := s.SnapshotsHolding(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 2 || held[0].SnapshotID != b1.Snapshot.ID || held[1].SnapshotID != b2.Snapshot.ID || !held[0].Present ||
		held[0].Short != b1.Snapshot.Short() || held[0].Numbers[0] != number {
		t.Fatalf("holding: %+v", held)
	}
	if all, err := s.SnapshotsHolding(ctx, ""); err != nil || len(all) != 2 {
		t.Fatalf("holding any: %+v %v", all, err)
	}
	if _, err := s.SnapshotsHolding(ctx, "D-2026-0999"); !errors.Is(err, ErrNoDestruction) {
		t.Fatalf("an unknown number: %v", err)
	}

	b, err := s.OpenBackups(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	before := testkit.TreeBytes(t, repo)
	if _, err := b.ForgetDestroyed(ctx, number); !errors.Is(err, ErrBackUpFirst) || !strings.Contains(err.Error(), "Back up to that drive now") {
		t.Fatalf("forget before a backup made after the destruction: %v", err)
	}
	after := testkit.TreeBytes(t, repo)
	delete(before, "lock")
	delete(after, "lock")
	if len(before) != len(after) {
		t.Fatalf("the refused forget changed the backup: %d files, then %d", len(before), len(after))
	}
	if _, err := b.ForgetDestroyed(ctx, " "); err == nil {
		t.Fatal("no number was accepted")
	}

	// The canary is in the old snapshots: the scan below can fail.
	for _, id := range []string{b1.Snapshot.ID, b2.Snapshot.ID} {
		plain, clients := restoredPlain(t, b, id)
		if len(leaks(plain, recordsCanary)) == 0 || !slices.Contains(clients, gone) {
			t.Fatalf("snapshot %s, made before the destruction, does not hold the destroyed client", id[:8])
		}
	}

	b3, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if held, _ := s.SnapshotsHolding(ctx, number); len(held) != 2 {
		t.Fatalf("a backup after the destruction holds it: %+v", held)
	}
	res, err := b.ForgetDestroyed(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Removed) != 2 || !res.Left.Zero() || res.Prune == nil || len(res.ElsewhereHolding) != 0 || res.Number != number {
		t.Fatalf("ForgetDestroyed: %+v", res)
	}
	if held, err := s.SnapshotsHolding(ctx, number); err != nil || len(held) != 0 {
		t.Fatalf("still holding after the forget: %+v %v", held, err)
	}
	s.st.View(ctx, func(tx *store.Tx) error { recs, err = tx.BackupRecords(""); return err })
	if len(recs) != 3 || recs[0].Forgotten.IsZero() || recs[1].Forgotten.IsZero() || !recs[2].Forgotten.IsZero() {
		t.Fatalf("records after the forget: %+v", recs)
	}
	a := lastAudit(t, s)
	if a.Action != "backup.forget-destroyed" || !strings.Contains(a.Detail, number+": 2 snapshots removed") || !strings.Contains(a.Detail, b1.Snapshot.Short()) {
		t.Fatalf("audit: %s %q", a.Action, a.Detail)
	}

	// The canary scan: no snapshot left holds it, and the drive holds
	// nothing that no snapshot needs.
	snaps, _, err := b.Snapshots(ctx)
	if err != nil || len(snaps) != 1 || snaps[0].ID != b3.Snapshot.ID {
		t.Fatalf("snapshots left: %v %v", snaps, err)
	}
	plain, clients := restoredPlain(t, b, b3.Snapshot.ID)
	if l := leaks(plain, recordsCanary); len(l) > 0 || slices.Contains(clients, gone) {
		t.Fatalf("the snapshot made after the destruction holds the destroyed client: %v %v", l, clients)
	}
	if left, err := b.r.Unneeded(ctx); err != nil || !left.Zero() {
		t.Fatalf("left on the drive: %+v %v", left, err)
	}
	for name, content := range testkit.TreeBytes(t, repo) {
		if l := testkit.FindLeaks([]byte(content), recordsCanary); len(l) > 0 {
			t.Fatalf("%s holds %v", name, l)
		}
	}
	if rep, err := b.Verify(ctx, VerifyOptions{ReadData: true}, nil); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("verify after the forget: %v %+v", err, rep)
	}
	if rep, err := b.Drill(ctx, DrillOptions{Session: s, ScratchDir: scratchDir(t)}); err != nil || !rep.OK {
		t.Fatalf("drill after the forget: %v %+v", err, rep)
	}
	// Run again: nothing more to remove.
	res, err = b.ForgetDestroyed(ctx, number)
	if err != nil || len(res.Removed) != 0 || !res.Left.Zero() {
		t.Fatalf("again: %+v %v", res, err)
	}
}

// TestClientsOnRepository: the clients listed for a drive are exactly
// those in its snapshots' contents (each snapshot restored and read with
// the existing restore code), live, deleted and destroyed alike; a
// snapshot forgotten no longer counts.
func TestClientsOnRepository(t *testing.T) {
	s := recordsSession(t)
	repo := filepath.Join(scratchDir(t), "backup")
	destroyed, err := s.AddClient(ctx, ClientInput{Name: ptr("Dora Destroyed")})
	if err != nil {
		t.Fatal(err)
	}
	deleted, err := s.AddClient(ctx, ClientInput{Name: ptr("Del Deleted")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	backupNow := func() {
		t.Helper()
		rep, err := s.Backup(ctx, repo, BackupOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rep.Snapshot.ID)
	}
	backupNow()
	addClients(t, s, "Bravo", 2)
	backupNow()
	if err := s.DeleteClient(ctx, deleted); err != nil {
		t.Fatal(err)
	}
	addClients(t, s, "Charlie", 1)
	backupNow()
	number := destroyClient(t, s, destroyed, "Dora Destroyed")
	addClients(t, s, "Delta", 1) // after every backup: on no snapshot

	repos, err := s.KnownRepositories(ctx)
	if err != nil || len(repos) != 1 || repos[0].Snapshots != 3 || !repos[0].Present || len(repos[0].Slots) == 0 || repos[0].Target != repo {
		t.Fatalf("KnownRepositories: %+v %v", repos, err)
	}
	list, err := s.ClientsOnRepository(ctx, repos[0].RepoID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]ExposedClient{}
	for _, c := range list {
		got[c.ClientID] = c
	}
	b, err := s.OpenBackups(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want := map[int64]int{}
	for _, id := range ids {
		_, clients := restoredPlain(t, b, id)
		for _, c := range clients {
			want[c]++
		}
	}
	if len(got) != len(want) {
		t.Fatalf("listed %+v; the snapshots hold %v", list, want)
	}
	for id, n := range want {
		if got[id].Snapshots != n {
			t.Fatalf("client %d: listed in %d snapshots, held by %d (%+v)", id, got[id].Snapshots, n, list)
		}
	}
	if d := got[destroyed]; !d.Destroyed || d.Register != number+"/1" || !strings.Contains(d.Label, "Dora Destroyed") {
		t.Fatalf("destroyed client: %+v", d)
	}
	if d := got[deleted]; !d.Deleted || d.Snapshots != 2 || strings.Contains(d.Label, "Del") && !strings.Contains(d.Label, "deleted") {
		t.Fatalf("deleted client: %+v", d)
	}
	if _, err := s.ClientsOnRepository(ctx, "0123456789abcdef"); !errors.Is(err, ErrUnknownDrive) {
		t.Fatalf("an unknown drive: %v", err)
	}

	// A forgotten snapshot no longer counts: the deleted client was in the
	// first two only.
	b.Close()
	if err := backupAndForgetFirst(t, s, repo, ids); err != nil {
		t.Fatal(err)
	}
	list, err = s.ClientsOnRepository(ctx, repos[0].RepoID[:8])
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, c := range list {
		if c.ClientID == deleted && c.Deleted && c.Snapshots != 1 {
			t.Fatalf("deleted client after the first snapshot was forgotten: %+v", c)
		}
		labels = append(labels, c.Label)
	}
	sort.Strings(labels)
	if !slices.ContainsFunc(labels, func(l string) bool { return strings.HasPrefix(l, "Delta") }) {
		t.Fatalf("a client added after the last backup is missing after a new one: %q", labels)
	}
}

// backupAndForgetFirst makes one more backup and forgets the oldest
// snapshot with the retention policy (Backups.Forget), then backs up again
// so that the records catch up with what the drive holds.
func backupAndForgetFirst(t *testing.T, s *Session, repo string, ids []string) error {
	t.Helper()
	b, err := s.OpenBackups(ctx, repo)
	if err != nil {
		return err
	}
	defer b.Close()
	if _, err := b.Forget(ctx, RetentionPolicy{Last: len(ids) - 1}, false); err != nil {
		return err
	}
	_, err = s.Backup(ctx, repo, BackupOptions{})
	return err
}
