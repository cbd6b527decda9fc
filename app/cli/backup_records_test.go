package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"casevault/store"
)

// addDestruction writes a destruction as helper B's Destroy does (its
// audit entry is the next one), straight into the store: every snapshot
// made before now holds it, every one made after does not.
func addDestruction(t *testing.T, v *tv, number string) {
	t.Helper()
	withStore(t, v.dir, testPass, func(st *store.Store) error {
		return st.Update(context.Background(), func(tx *store.Tx) error {
			_, head, err := tx.RecordedAuditHead()
			if err != nil {
				return err
			}
			now := time.Now().UnixMilli()
			res, err := tx.Exec("INSERT INTO destructions(number, at, by, audit_id, names_kept) VALUES (?, ?, 'owner', ?, 0)", number, now, head+1)
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			_, err = tx.Exec("INSERT INTO destruction_register(destruction_id, ref, kind, record_id, rule, created_at) VALUES (?, ?, 'client', 99, 'rule:', ?)",
				id, number+"/1", now-int64(24*time.Hour/time.Millisecond))
			return err
		})
	})
}

func TestBackupRecordsCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.id("client", "add", "--name", "Maria Gonzalez")
	v.id("client", "add", "--name", "Aaron Abel")
	v.ok("backup", "--repo", repo)

	out := v.ok("backup", "drives")
	for _, want := range []string{"Folder", repo, "1 snapshot, from", "encrypted; opens with", "the recovery key", "Plugged in", "yes", "backup drives --clients ID"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup drives lacks %q:\n%s", want, out)
		}
	}
	drives := decode[[]driveJSON](t, "backup drives", v.ok("backup", "drives", "--json"))
	if len(drives) != 1 || drives[0].Folder != repo || drives[0].Snapshots != 1 || !drives[0].Encrypted || !drives[0].PluggedIn || len(drives[0].Repo) != 32 {
		t.Fatalf("backup drives --json: %+v", drives)
	}
	out = v.ok("backup", "drives", "--clients", drives[0].Repo[:8])
	for _, want := range []string{"2 clients on the drive", "Maria Gonzalez", "Aaron Abel", "CLIENT"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup drives --clients lacks %q:\n%s", want, out)
		}
	}
	if out := v.ok("backup", "holding"); !strings.Contains(out, "No backup the vault knows of still holds a destroyed client file.") {
		t.Errorf("holding before any destruction: %q", out)
	}

	addDestruction(t, v, "D-2026-0001")
	out = v.ok("backup", "holding", "d-2026-0001")
	for _, want := range []string{"1 snapshot still holds D-2026-0001", "DRIVE", repo, "yes", "casevault backup forget-destroyed D-2026-0001 --repo FOLDER"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup holding lacks %q:\n%s", want, out)
		}
	}
	held := decode[[]heldJSON](t, "backup holding", v.ok("backup", "holding", "--json"))
	if len(held) != 1 || held[0].Destructions[0] != "D-2026-0001" || !held[0].PluggedIn {
		t.Fatalf("backup holding --json: %+v", held)
	}

	// No backup made after the destruction yet: refused, in words.
	out, errs, code := v.do("backup", "forget-destroyed", "D-2026-0001")
	if code != ExitError || !strings.Contains(errs, "Back up now first") || !strings.Contains(errs, repo) {
		t.Fatalf("forget-destroyed before a new backup: exit %d %q %q", code, out, errs)
	}
	v.ok("backup", "--repo", repo)
	out = v.ok("backup", "forget-destroyed", "D-2026-0001", "--repo", repo)
	for _, want := range []string{"Removed 1 snapshot that held D-2026-0001 from " + repo, held[0].Snapshot[:8], "Nothing of them is left on this drive"} {
		if !strings.Contains(out, want) {
			t.Errorf("forget-destroyed lacks %q:\n%s", want, out)
		}
	}
	if out := v.ok("backup", "holding"); !strings.Contains(out, "No backup the vault knows of") {
		t.Errorf("holding after the forget: %q", out)
	}
	if d := decode[[]driveJSON](t, "backup drives", v.ok("backup", "drives", "--json")); len(d) != 1 || d[0].Snapshots != 1 || d[0].Forgotten != 1 {
		t.Fatalf("drives after the forget: %+v", d)
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"backup", "forget-destroyed"}, ExitUsage, "needs one destruction number"},
		{[]string{"backup", "holding", "D-2026-0001", "D-2026-0002"}, ExitUsage, "at most one destruction number"},
		{[]string{"backup", "drives", "extra"}, ExitUsage, "unexpected argument"},
		{[]string{"backup", "holding", "D-2026-0999"}, ExitError, "no destruction \"D-2026-0999\""},
		{[]string{"backup", "drives", "--clients", "0123456789"}, ExitError, "knows of no snapshot on the backup drive"},
	} {
		out, errs, code := v.do(c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want %d with %q: %q %q", c.args, code, c.code, c.want, out, errs)
		}
	}
}
