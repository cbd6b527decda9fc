package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

// logicalDump is every row of every table (rowid order) and the search
// index's content, read without recording anything.
func logicalDump(t *testing.T, st *store.Store) []string {
	t.Helper()
	var out []string
	err := st.View(ctx, func(tx *store.Tx) error {
		var tables []string
		rows, err := tx.Query("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
		if err != nil {
			return err
		}
		for rows.Next() {
			var n string
			rows.Scan(&n)
			tables = append(tables, n)
		}
		rows.Close()
		tables = append(tables, "search")
		for _, tb := range tables {
			rows, err := tx.Query(`SELECT rowid, * FROM "` + tb + `" ORDER BY rowid`)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				parts := make([]string, len(vals))
				for i, v := range vals {
					switch x := v.(type) {
					case []byte:
						parts[i] = fmt.Sprintf("x'%x'", x)
					case string:
						parts[i] = fmt.Sprintf("%q", x)
					default:
						parts[i] = fmt.Sprint(x)
					}
				}
				out = append(out, tb+": ["+strings.Join(parts, " ")+"]")
			}
			rows.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func addClients(t *testing.T, s *Session, prefix string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		id, err := s.AddClient(ctx, ClientInput{Name: ptr(fmt.Sprintf("%s %d", prefix, i)), Email: ptr(fmt.Sprintf("c%d@example.org", i))})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			mid, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: prefix + " matter", Adverse: []string{"Adverse " + prefix}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddNote(ctx, mid, "note for "+prefix); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func stateDump(t *testing.T, s *Session) []string {
	t.Helper()
	return logicalDump(t, s.st)
}

func TestBackupRestoreSameLogicalContent(t *testing.T) {
	s, dir, rk := testSession(t)
	repo := filepath.Join(scratchDir(t), "backup")
	addClients(t, s, "Alpha", 12)

	rep1, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep1.Created {
		t.Fatal("the first backup did not report setting up the repository")
	}
	// The state at snapshot time is the state before the "backup" entry.
	want1 := dumpBefore(t, s, "backup")
	addClients(t, s, "Bravo", 5)
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	addClients(t, s, "Charlie", 2)
	rep2, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want2 := dumpBefore(t, s, "backup")
	if rep2.Snapshot.AddedBytes >= rep1.Snapshot.AddedBytes {
		t.Fatalf("second backup wrote %d bytes, the first %d: not incremental", rep2.Snapshot.AddedBytes, rep1.Snapshot.AddedBytes)
	}
	if got := lastAudit(t, s); got.Action != "backup" || !strings.Contains(got.Detail, rep2.Snapshot.Short()) {
		t.Fatalf("last audit entry %q %q", got.Action, got.Detail)
	}
	set := LoadBackupSettings(dir)
	if set.Target != repo || set.LastSnapshot != rep2.Snapshot.ID || set.LastBackup.IsZero() {
		t.Fatalf("settings after backup: %+v", set)
	}

	// Restore both with the recovery key alone, as on a new laptop.
	cred, err := vault.Recovery(string(rk))
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenBackups(ctx, repo, cred)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, c := range []struct {
		id   string
		want []string
	}{{rep1.Snapshot.ID, want1}, {rep2.Snapshot.ID, want2}} {
		to := filepath.Join(scratchDir(t), "restored")
		rr, err := b.Restore(ctx, to, RestoreOptions{Snapshot: c.id[:8]})
		if err != nil {
			t.Fatal(err)
		}
		if rr.Objects == 0 {
			t.Fatal("restore wrote no objects")
		}
		// The restored vault opens with the passphrase too (the header
		// copy keeps both slots), holds the snapshot's content plus one
		// "restore" entry, and its audit chain verifies.
		rs, err := Open(ctx, to, vault.Passphrase([]byte(testPass)), Options{Actor: "tester"})
		if err != nil {
			t.Fatal(err)
		}
		got := dumpBefore(t, rs, "restore")
		requireSame(t, "snapshot "+c.id[:8], c.want, got)
		ar, err := rs.AuditVerify(ctx)
		if err != nil || !ar.OK {
			t.Fatalf("audit chain of the restored vault: %v %+v", err, ar)
		}
		rs.Close(ctx)
	}
	if _, err := b.Restore(ctx, dir, RestoreOptions{}); !errors.Is(err, vault.ErrExists) {
		t.Fatalf("restore over the live vault: %v", err)
	}
	// Into a file: a plain refusal (it was "mkdir ...: not a directory").
	file := filepath.Join(scratchDir(t), "letter.txt")
	os.WriteFile(file, []byte("hello"), 0o600)
	if _, err := b.Restore(ctx, file, RestoreOptions{}); !errors.Is(err, vault.ErrExists) || !strings.Contains(err.Error(), "is a file") {
		t.Fatalf("restore into a file: %v", err)
	}
}

// dumpBefore is the logical dump without the audit entries from the last
// one with action on (and the audit head recorded with them): the state
// just before that action was recorded.
func dumpBefore(t *testing.T, s *Session, action string) []string {
	t.Helper()
	var cut int64
	s.st.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow("SELECT max(id) FROM audit WHERE action = ?", action).Scan(&cut)
	})
	if cut == 0 {
		t.Fatalf("no audit entry %q", action)
	}
	var out []string
	for _, l := range stateDump(t, s) {
		if strings.HasPrefix(l, "meta: ") && strings.Contains(l, `"audit_head"`) {
			continue
		}
		if strings.HasPrefix(l, "backup_records: ") {
			continue // written just after each snapshot (backup_records.go), so never in it; TestForgetDestroyed checks them
		}
		if strings.HasPrefix(l, "audit: ") {
			var id int64
			fmt.Sscanf(strings.TrimPrefix(l, "audit: "), "[%d", &id)
			if id >= cut {
				continue
			}
		}
		out = append(out, l)
	}
	return out
}

func requireSame(t *testing.T, label string, want, got []string) {
	t.Helper()
	n := min(len(want), len(got))
	for i := 0; i < n; i++ {
		if want[i] != got[i] {
			t.Fatalf("%s: line %d differs:\nwant %s\ngot  %s", label, i, want[i], got[i])
		}
	}
	if len(want) != len(got) {
		t.Fatalf("%s: %d lines, want %d", label, len(got), len(want))
	}
}

func TestDrillPassesAndIsRecorded(t *testing.T) {
	s, dir, _ := testSession(t)
	repo := filepath.Join(scratchDir(t), "backup")
	addClients(t, s, "Delta", 6)
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := OpenBackups(ctx, repo, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	scratch := scratchDir(t)
	rep, err := b.Drill(ctx, DrillOptions{Session: s, ScratchDir: scratch})
	if err != nil {
		t.Fatalf("drill: %v %+v", err, rep)
	}
	if !rep.OK || !rep.InBackup || !rep.InVault {
		t.Fatalf("drill report: %+v", rep)
	}
	names := map[string]bool{}
	for _, c := range rep.Checks {
		names[c.Name] = c.OK
	}
	for _, n := range []string{"Restore", "Restored vault opens", "Database integrity check", "Record counts", "Content hash", "Audit chain head", "Audit chain", "Scratch copy deleted"} {
		if !names[n] {
			t.Fatalf("check %q missing or failed: %+v", n, rep.Checks)
		}
	}
	if entries, _ := os.ReadDir(scratch); len(entries) != 0 {
		t.Fatalf("the drill left %d entries in its scratch folder", len(entries))
	}
	drills, err := b.Drills(ctx)
	if err != nil || len(drills) != 1 || !drills[0].OK {
		t.Fatalf("drill records: %v %+v", err, drills)
	}
	if a := lastAudit(t, s); a.Action != "backup.drill" || !strings.Contains(a.Detail, "passed") {
		t.Fatalf("audit: %s %s", a.Action, a.Detail)
	}
	if set := LoadBackupSettings(dir); set.LastDrill.IsZero() || !set.LastDrillOK {
		t.Fatalf("settings after drill: %+v", set)
	}
}

func TestDrillFailsOnDamagedBackup(t *testing.T) {
	s, dir, _ := testSession(t)
	repo := filepath.Join(scratchDir(t), "backup")
	addClients(t, s, "Echo", 4)
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	// Flip a byte in the middle of every pack.
	var packs []string
	filepath.Walk(filepath.Join(repo, "data"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			packs = append(packs, p)
		}
		return nil
	})
	if len(packs) == 0 {
		t.Fatal("no packs")
	}
	for _, p := range packs {
		b, _ := os.ReadFile(p)
		b[len(b)/3] ^= 0x40
		os.WriteFile(p, b, 0o600)
	}
	b, err := OpenBackups(ctx, repo, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rep, err := b.Drill(ctx, DrillOptions{Session: s, ScratchDir: scratchDir(t)})
	if !errors.Is(err, ErrDrillFailed) {
		t.Fatalf("drill of a damaged backup: %v", err)
	}
	if rep.OK || rep.Checks[0].OK || !strings.Contains(rep.Checks[0].Detail, "data/") {
		t.Fatalf("drill report does not name the damaged pack: %+v", rep.Checks)
	}
	if set := LoadBackupSettings(dir); set.LastDrillOK {
		t.Fatal("settings record a failed drill as passed")
	}
	if a := lastAudit(t, s); a.Action != "backup.drill" || !strings.Contains(a.Detail, "FAILED") {
		t.Fatalf("audit: %s %s", a.Action, a.Detail)
	}
}

func TestBackupWhileEditingIsConsistent(t *testing.T) {
	s, _, _ := testSession(t)
	repo := filepath.Join(scratchDir(t), "backup")
	addClients(t, s, "Foxtrot", 3)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.AddClient(ctx, ClientInput{Name: ptr(fmt.Sprintf("Golf %d", i))}); err != nil {
				t.Error(err)
				return
			}
			if i%7 == 0 {
				s.st.Checkpoint(ctx)
			}
		}
	}()
	var ids []string
	for i := 0; i < 4; i++ {
		rep, err := s.Backup(ctx, repo, BackupOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rep.Snapshot.ID)
	}
	close(stop)
	wg.Wait()
	b, err := s.OpenBackups(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, id := range ids {
		// A drill compares the restored content with the keyed hash taken
		// at capture time: a torn capture fails it.
		rep, err := b.Drill(ctx, DrillOptions{Snapshot: id, ScratchDir: scratchDir(t)})
		if err != nil {
			t.Fatalf("snapshot %s: %v %+v", id[:8], err, rep)
		}
	}
}

func TestBackupTargetMissing(t *testing.T) {
	s, _, _ := testSession(t)
	repo := filepath.Join(scratchDir(t), "stick")
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	// The stick is unplugged: its folder is gone or empty.
	os.RemoveAll(repo)
	os.Mkdir(repo, 0o700)
	_, err := s.Backup(ctx, repo, BackupOptions{})
	if !errors.Is(err, ErrTargetMissing) {
		t.Fatalf("backup to a remembered but empty target: %v", err)
	}
	if entries, _ := os.ReadDir(repo); len(entries) != 0 {
		t.Fatal("a refused backup wrote into the empty folder")
	}
	if a := lastAudit(t, s); a.Action != "backup.failed" {
		t.Fatalf("the failure was not audited: %s", a.Action)
	}
	if !strings.Contains(Message(err), "Plug it in") {
		t.Fatalf("message: %s", Message(err))
	}
	// The user says it is a new drive.
	if _, err := s.Backup(ctx, repo, BackupOptions{New: true}); err != nil {
		t.Fatal(err)
	}
	// The vault folder itself is refused as a target.
	if _, err := s.Backup(ctx, filepath.Join(s.Dir(), "bk"), BackupOptions{}); err == nil {
		t.Fatal("a backup inside the vault folder was accepted")
	}
}

func TestBackupHasNoPlaintext(t *testing.T) {
	s, _, _ := testSession(t)
	repo := filepath.Join(scratchDir(t), "backup")
	canary := "Marguerite Okonkwo-Canary 7731"
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr(canary), Email: ptr("okonkwo.canary@example.org"), Notes: ptr("canary-note-5521")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	s.st.Checkpoint(ctx)
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, content := range folderBytes(t, repo) {
		for _, c := range []string{"Okonkwo", "okonkwo.canary", "canary-note-5521", utf16(canary)} {
			if strings.Contains(content, c) {
				t.Fatalf("%s holds %q in plaintext", name, c)
			}
		}
	}
}

func utf16(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
		b.WriteByte(0)
	}
	return b.String()
}

func TestReminders(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.Local)
	s := DefaultBackupSettings()
	if r := s.Reminder(now); r == nil || !r.BackupDue || r.DrillDue {
		t.Fatalf("no backup yet: %+v", r)
	}
	s.Target, s.LastBackup = "/media/x", now.Add(-2*24*time.Hour)
	s.LastDrill, s.LastDrillOK = now.Add(-3*24*time.Hour), true
	if r := s.Reminder(now); r != nil {
		t.Fatalf("nothing due: %+v", r)
	}
	s.LastBackup = now.Add(-8 * 24 * time.Hour)
	if r := s.Reminder(now); r == nil || !r.BackupDue || !strings.Contains(r.Text, "8 days") {
		t.Fatalf("8 days without backup: %+v", r)
	}
	s.LastBackup = now
	s.LastDrill = now.Add(-31 * 24 * time.Hour)
	if r := s.Reminder(now); r == nil || !r.DrillDue || r.BackupDue {
		t.Fatalf("drill due: %+v", r)
	}
	s.LastDrill, s.LastDrillOK = now, false
	if r := s.Reminder(now); r == nil || !r.DrillDue || !strings.Contains(r.Text, "failed") {
		t.Fatalf("failed drill: %+v", r)
	}

	// Dismissed until tomorrow, not forever.
	dir := t.TempDir()
	SaveBackupSettings(dir, s)
	if err := DismissReminder(dir, now); err != nil {
		t.Fatal(err)
	}
	got := LoadBackupSettings(dir)
	if r := got.Reminder(now.Add(time.Hour)); r != nil {
		t.Fatalf("dismissed reminder shown the same day: %+v", r)
	}
	tomorrow := time.Date(2026, 11, 24, 0, 1, 0, 0, time.Local)
	if r := got.Reminder(tomorrow); r == nil {
		t.Fatal("dismissed reminder did not come back the next day")
	}
}

func TestBackupSettingsDefaultsAndRanges(t *testing.T) {
	dir := t.TempDir()
	if got := LoadBackupSettings(dir); got != DefaultBackupSettings() {
		t.Fatalf("missing file: %+v", got)
	}
	os.WriteFile(filepath.Join(dir, BackupSettingsFile), []byte(`{"interval": 1000, "remind_after_days": -3, "drill_every_days": 9999, "target": "/x"}`), 0o600)
	got := LoadBackupSettings(dir)
	d := DefaultBackupSettings()
	if got.Interval != d.Interval || got.RemindAfterDays != 7 || got.DrillEveryDays != 30 || got.Target != "/x" {
		t.Fatalf("out-of-range values kept: %+v", got)
	}
	os.WriteFile(filepath.Join(dir, BackupSettingsFile), []byte(`not json`), 0o600)
	if got := LoadBackupSettings(dir); got != DefaultBackupSettings() {
		t.Fatalf("bad file: %+v", got)
	}
}
