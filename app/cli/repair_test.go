package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/store"
	"casevault/vault"
	"casevault/vault/testkit"
)

// copyOver copies every file below src into dst, overwriting files of the
// same name and leaving dst's other files alone: `cp -a src/. dst/`.
var copyOver = testkit.CopyTree

// Issue 8, item 1: an older vault folder copied over the live one. Before,
// the next command loaded the old manifest, exited 0 without a word and
// deleted the newer log and chunks. Now it refuses (exit 4), changes
// nothing, and says how to get the newest state out; `repair` does.
func TestCopyBackOlderFolderCLI(t *testing.T) {
	t.Parallel()
	v := newTV(t).checkpointing() // each command moves the manifest on
	for _, n := range []string{"Ada Old", "Bea Old"} {
		v.id("client", "add", "--name", n)
	}
	old := copyTV(t, v)
	for _, n := range []string{"Cy New", "Di New", "Ed New"} {
		v.id("client", "add", "--name", n)
	}
	copyOver(t, old.dir, v.dir)

	skipLock := func(m map[string]string) map[string]string {
		delete(m, vault.LockFile)
		return m
	}
	before := skipLock(folderBytes(t, v.dir))
	out, errs, code := v.do("client", "list")
	if code != ExitDamaged || !strings.Contains(errs, "mixes two versions") || !strings.Contains(errs, "casevault repair --vault") ||
		!strings.Contains(errs, "Nothing was changed") || strings.Contains(out, "Old") {
		t.Fatalf("client list on a mixed folder: exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	if after := skipLock(folderBytes(t, v.dir)); !equalMaps(before, after) {
		t.Fatal("a refused open changed the vault folder")
	}

	out = v.ok("repair")
	if !strings.Contains(out, "newest version") || !strings.Contains(out, "quarantine") {
		t.Fatalf("repair said:\n%s", out)
	}
	list := v.ok("client", "list")
	for _, n := range []string{"Ada Old", "Bea Old", "Cy New", "Di New", "Ed New"} {
		if !strings.Contains(list, n) {
			t.Fatalf("after repair, %s is missing:\n%s", n, list)
		}
	}
	if out := v.ok("audit", "list"); !strings.Contains(out, "Repaired the vault") {
		t.Fatalf("repair not in the audit trail:\n%s", out)
	}
	if out := v.ok("audit", "verify"); !strings.Contains(strings.ToLower(out), "intact") {
		t.Fatalf("audit verify after repair:\n%s", out)
	}
	// Nothing to repair: says so, changes nothing.
	if out := v.ok("repair"); !strings.Contains(out, "Nothing needed repair") {
		t.Fatalf("second repair said:\n%s", out)
	}
}

// addInLog adds clients, one transaction each, and leaves them in the redo
// log (no checkpoint), as a process that crashed after them would.
func addInLog(t *testing.T, dir string, names ...string) string {
	t.Helper()
	ctx := context.Background()
	vt, err := vault.Open(dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, vt, store.Options{CheckpointBytes: -1})
	if err != nil {
		vt.Close()
		t.Fatal(err)
	}
	for _, n := range names {
		err = st.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertClient(&store.Client{Name: n}, timeNow())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(dir, vault.LogDir, "*.log"))
	vt.Close()    // no checkpoint: the records stay in the log
	st.Close(ctx) // fails to checkpoint on the closed vault; frees the database
	if len(logs) != 1 {
		t.Fatalf("log files: %v", logs)
	}
	return logs[0]
}

// Issue 8, item 2: a redo log cut inside the log lost acknowledged writes
// with exit 0 and no message. Now a cut that removes more than the last
// record is damage (exit 4, and nothing is changed), and a dropped torn last
// record is reported on stderr and in the audit trail.
func TestLogCutCLI(t *testing.T) {
	t.Parallel()
	base := newTV(t)
	var names []string
	for i := 0; i < 30; i++ {
		names = append(names, fmt.Sprintf("Logged Client %02d", i))
	}
	logPath := addInLog(t, base.dir, names...)
	rel := mustRel(t, base.dir, logPath)
	size := fileSize(t, logPath)

	// One byte: only the last record can be hidden, and it is reported.
	v := copyTV(t, base)
	if err := os.Truncate(filepath.Join(v.dir, rel), size-1); err != nil {
		t.Fatal(err)
	}
	out, errs, code := v.do("client", "list")
	if code != 0 || !strings.Contains(errs, "Note: casevault was stopped while it was saving a change") ||
		!strings.Contains(out, names[28]) || strings.Contains(out, names[29]) {
		t.Fatalf("log cut by one byte: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if out := v.ok("audit", "list"); !strings.Contains(out, "Found an unfinished save") {
		t.Fatalf("the dropped record is not in the audit trail:\n%s", out)
	}
	if _, errs, _ := v.do("client", "list"); strings.Contains(errs, "Note:") {
		t.Fatalf("the note is repeated on the next open: %s", errs)
	}

	// A third: acknowledged records are missing. Damage, nothing changed.
	v = copyTV(t, base)
	if err := os.Truncate(filepath.Join(v.dir, rel), size*2/3); err != nil {
		t.Fatal(err)
	}
	before := folderBytes(t, v.dir)
	delete(before, vault.LockFile)
	out, errs, code = v.do("client", "list")
	if code != ExitDamaged || !strings.Contains(errs, "confirmed saved") || strings.Contains(out, "Logged") {
		t.Fatalf("log cut by a third: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	after := folderBytes(t, v.dir)
	delete(after, vault.LockFile)
	if !equalMaps(before, after) {
		t.Fatal("opening a cut log changed the vault folder")
	}
}

// Issue 8, item 3: one bad byte near the end of the redo log locked the
// user out of everything, backup included, and the advice ("restore from a
// backup") lost the intact acknowledged records before it. Now the damaged
// vault opens read-only (the checkpoint and every record before the bad
// one), a backup of it restores, and `repair` keeps the damaged log in the
// quarantine folder and lets the vault go on.
func TestDamagedLogSalvageCLI(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	var names []string
	for i := 0; i < 30; i++ {
		names = append(names, fmt.Sprintf("Logged Client %02d", i))
	}
	logPath := addInLog(t, v.dir, names...)
	damaged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	damaged[len(damaged)-150] ^= 0x20 // inside one of the last records (each is a few hundred bytes)
	if err := os.WriteFile(logPath, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	snapshot := func() map[string]string {
		m := folderBytes(t, v.dir)
		delete(m, vault.LockFile)
		return m
	}
	before := snapshot()

	out, errs, code := v.do("client", "list")
	if code != ExitDamaged || !strings.Contains(errs, "--read-only") || !strings.Contains(errs, "casevault repair --vault") ||
		!strings.Contains(errs, "casevault backup --repo") || strings.Contains(out, "Logged") {
		t.Fatalf("client list on a damaged log: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}

	// Read-only: everything before the bad record, and a clear note.
	out, errs, code = v.do("client", "list", "--read-only")
	if code != 0 || !strings.Contains(errs, "read-only") || !strings.Contains(out, names[0]) || strings.Contains(out, names[29]) {
		t.Fatalf("client list --read-only: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	// The note's command works as printed for this (not the default) vault.
	if !strings.Contains(errs, "casevault repair --vault "+quoteArg(v.dir)) {
		t.Errorf("the read-only note names repair without --vault:\n%s", errs)
	}
	kept := 0
	for _, n := range names {
		if strings.Contains(out, n) {
			kept++
		}
	}
	if kept < 25 || kept == 30 {
		t.Fatalf("read-only open shows %d of the 30 logged clients", kept)
	}
	if _, errs, code := v.do("client", "add", "--name", "Not Saved", "--read-only"); code == 0 || !strings.Contains(errs, "read-only") {
		t.Fatalf("client add --read-only: exit %d %s", code, errs)
	}
	// The backup path works on a salvaged open, and the backup restores.
	repo := repoDir(t)
	v.ok("backup", "--repo", repo, "--read-only")
	dest := filepath.Join(scratchDir(t), "restored")
	v.ok("restore", "--repo", repo, "--to", dest)
	restored := mustRun(t, testPass+"\n", "client", "list", "--vault", dest, "--passphrase-stdin")
	if !strings.Contains(restored, names[kept-1]) || strings.Contains(restored, names[kept]) {
		t.Fatalf("the backup of the read-only vault restores to:\n%s", restored)
	}
	after := snapshot()
	delete(after, "backup.json") // the backup settings beside the vault: where and when the last backup went
	for k, h := range before {
		if after[k] != h {
			t.Errorf("read-only opens (and a backup of one) changed %s", k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("read-only opens (and a backup of one) added %s", k)
		}
	}

	// Repair: keeps the salvaged state, keeps the damaged log aside.
	out = v.ok("repair")
	if !strings.Contains(out, fmt.Sprintf("%d changes saved after it", kept)) || !strings.Contains(out, "quarantine") {
		t.Fatalf("repair said:\n%s", out)
	}
	qs, _ := filepath.Glob(filepath.Join(v.dir, "quarantine", "*", "log", filepath.Base(logPath)))
	if len(qs) != 1 {
		t.Fatalf("damaged log in quarantine: %v", qs)
	}
	if b, _ := os.ReadFile(qs[0]); string(b) != string(damaged) {
		t.Fatal("the quarantined log is not the damaged log as it was")
	}
	list := v.ok("client", "list")
	if !strings.Contains(list, names[kept-1]) || strings.Contains(list, names[kept]) {
		t.Fatalf("after repair:\n%s", list)
	}
	v.id("client", "add", "--name", "After Repair")
	if out := v.ok("audit", "list"); !strings.Contains(out, "Repaired the vault") {
		t.Fatalf("repair not in the audit trail:\n%s", out)
	}
	if out := v.ok("audit", "verify"); !strings.Contains(strings.ToLower(out), "intact") {
		t.Fatalf("audit verify after repair:\n%s", out)
	}
}

// A damaged manifest (the vault's list of its contents) used to leave only a
// restore from a backup: casevault keeps a copy of it, which repair puts back.
func TestDamagedManifestRepairCLI(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Kept Client")
	p := filepath.Join(v.dir, vault.ManifestFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x08
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, code := v.do("client", "list")
	if code != ExitDamaged || !strings.Contains(errs, "keeps a copy") || !strings.Contains(errs, "casevault repair --vault") {
		t.Fatalf("damaged manifest: exit %d %s", code, errs)
	}
	out := v.ok("repair")
	if !strings.Contains(out, "was put back") || !strings.Contains(out, "quarantine") {
		t.Fatalf("repair said:\n%s", out)
	}
	if out := v.ok("client", "list"); !strings.Contains(out, "Kept Client") {
		t.Fatalf("after repair:\n%s", out)
	}
}

// TestRepairKeepsTheOtherVersionsChunks: two copies of a vault that went
// different ways (a sync tool, two laptops) and were then copied together:
// repair keeps the newest version and says the other version's files were
// moved to quarantine, "not deleted" — but the other version's chunk
// objects were then deleted by the next checkpoint's sweep, so the
// quarantined manifest could no longer be read and its changes were gone.
func TestRepairKeepsTheOtherVersionsChunks(t *testing.T) {
	t.Parallel()
	v := newTV(t).checkpointing() // each copy's manifest moves on with its commands
	v.id("client", "add", "--name", "Base Client")
	old := copyTV(t, v)
	old.id("client", "add", "--name", "Only In The Other Copy")
	for _, n := range []string{"Live One", "Live Two", "Live Three"} {
		v.id("client", "add", "--name", n)
	}
	oldChunks := objectFiles(t, old.dir)
	copyOver(t, old.dir, v.dir)
	if out := v.ok("repair"); strings.Contains(out, "objects/") || !strings.Contains(out, "data file") {
		t.Errorf("repair lists chunk objects by name (or not at all):\n%s", out)
	}
	v.ok("client", "list") // a checkpoint after the repair
	for _, p := range oldChunks {
		rel := mustRel(t, old.dir, p)
		if _, err := os.Stat(filepath.Join(v.dir, rel)); err == nil {
			continue
		}
		found, _ := filepath.Glob(filepath.Join(v.dir, vault.QuarantineDir, "*", rel))
		if len(found) == 0 {
			t.Errorf("%s of the other version was deleted, not kept in quarantine", rel)
		}
	}
}
