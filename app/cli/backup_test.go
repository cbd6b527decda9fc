package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"casevault/app"
	"casevault/vault"
)

// repoDir is a backup folder (not yet there) for a test.
func repoDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(scratchDir(t), "backup")
}

// decode parses --json output.
func decode[T any](t *testing.T, what, out string) T {
	t.Helper()
	var x T
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatalf("%s --json: %v\n%s", what, err, out)
	}
	return x
}

type snapshotsOut struct {
	Repo      string         `json:"repo"`
	Snapshots []snapshotJSON `json:"snapshots"`
	Damaged   []string       `json:"damaged"`
	Drills    []struct {
		Snapshot string `json:"snapshot"`
		OK       bool   `json:"ok"`
	} `json:"drills"`
}

// packFiles lists the pack files of a backup.
func packFiles(t *testing.T, repo string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(repo, "data"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if len(out) == 0 {
		t.Fatalf("no pack files in %s", repo)
	}
	return out
}

func flipByte(t *testing.T, p string, off int) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x40
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

var shortIDRE = regexp.MustCompile(`^[0-9a-f]{8}$`)

func TestBackupSnapshotsRestore(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.id("client", "add", "--name", "Maria Gonzalez")
	v.id("client", "add", "--name", "Aaron Abel")
	v.id("matter", "add", "--client", "1", "--title", "Lease")

	out, errs, code := v.do("backup", "--repo", repo)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"Backed up to " + repo, "set up there by this run", "Snapshot", "Added", "Total size", "Clients", "Matters", "Took", "casevault drill --repo " + repo} {
		if !strings.Contains(out, want) {
			t.Errorf("backup output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "Copied ") || strings.Contains(errs, "\r") {
		t.Errorf("backup: no plain final line on a non-terminal stderr: %q", errs)
	}

	// snapshots needs no vault: only the passphrase.
	list := decode[snapshotsOut](t, "snapshots", mustRun(t, testPass+"\n", "snapshots", "--repo", repo, "--passphrase-stdin", "--json", "--vault", filepath.Join(scratchDir(t), "none")))
	if len(list.Snapshots) != 1 || list.Snapshots[0].Counts["clients"] != 2 || list.Snapshots[0].Counts["matters"] != 1 ||
		len(list.Snapshots[0].ID) != 32 || !shortIDRE.MatchString(list.Snapshots[0].Short) || len(list.Damaged) != 0 {
		t.Fatalf("snapshots --json after one backup: %+v", list)
	}
	first := list.Snapshots[0]
	out = v.ok("snapshots", "--repo", repo)
	for _, want := range []string{"1 snapshot in " + repo, "ID", "TIME", "ADDED", "TOTAL", "CLIENTS", "MATTERS", "AUDIT HEAD", first.Short, "…", "No restore drill yet"} {
		if !strings.Contains(out, want) {
			t.Errorf("snapshots lacks %q:\n%s", want, out)
		}
	}
	// The recovery key opens the backup as well.
	if out, errs, code := v.with(v.rk+"\n", "snapshots", "--repo", repo, "--recovery"); code != 0 || !strings.Contains(out, first.Short) {
		t.Errorf("snapshots --recovery: exit %d %q %q", code, out, errs)
	}

	// A second backup after an edit: not new, one more client, less added.
	v.id("client", "add", "--name", "Third Person")
	type backupOut struct {
		Snapshot   snapshotJSON `json:"snapshot"`
		Repo       string       `json:"repo"`
		Created    bool         `json:"created"`
		DurationNS int64        `json:"duration_ns"`
		Warnings   []string     `json:"warnings"`
	}
	b2 := okJSON[backupOut](v, "backup", "--repo", repo)
	if b2.Created || b2.Repo != repo || b2.Snapshot.Counts["clients"] != 3 || b2.Snapshot.AddedBytes <= 0 ||
		b2.Snapshot.TotalBytes <= 0 || b2.DurationNS <= 0 || b2.Warnings == nil || len(b2.Warnings) != 0 {
		t.Fatalf("second backup --json: %+v", b2)
	}
	list = decode[snapshotsOut](t, "snapshots", v.ok("snapshots", "--repo", repo, "--json"))
	if len(list.Snapshots) != 2 || list.Snapshots[0].ID != b2.Snapshot.ID || list.Snapshots[1].ID != first.ID {
		t.Fatalf("snapshots after two backups, newest first: %+v", list)
	}
	if out := v.ok("snapshots", "--repo", repo); !strings.Contains(out, "newest first") ||
		strings.Index(out, b2.Snapshot.Short) > strings.Index(out, first.Short) {
		t.Errorf("the snapshots are not listed newest first:\n%s", out)
	}

	// Restore the latest into a new folder: it opens with the passphrase
	// and holds the clients.
	dest := filepath.Join(scratchDir(t), "restored")
	out = v.ok("restore", "--repo", repo, "--to", dest)
	for _, want := range []string{"Restored snapshot " + b2.Snapshot.Short, dest, "casevault --vault " + dest, "authenticated"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore output lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, testPass+"\n", "client", "list", "--vault", dest, "--passphrase-stdin")
	for _, name := range []string{"Maria Gonzalez", "Aaron Abel", "Third Person"} {
		if !strings.Contains(out, name) {
			t.Errorf("restored vault lacks %s:\n%s", name, out)
		}
	}
	if out := mustRun(t, testPass+"\n", "audit", "list", "--action", "restore", "--vault", dest, "--passphrase-stdin"); !strings.Contains(out, "from snapshot "+b2.Snapshot.Short) {
		t.Errorf("the restore is not in the restored vault's audit trail:\n%s", out)
	}

	// An older snapshot by id prefix, with --json.
	dest2 := filepath.Join(scratchDir(t), "older")
	rj := decode[map[string]any](t, "restore", v.ok("restore", "--repo", repo, "--to", dest2, "--snapshot", first.Short[:6], "--json"))
	if rj["snapshot"] != first.ID || rj["dir"] != dest2 || rj["objects"].(float64) <= 0 || rj["open_with"] != "casevault --vault "+dest2 {
		t.Errorf("restore --json: %v", rj)
	}
	if l := decode[[]clientJSON](t, "client list", mustRun(t, testPass+"\n", "client", "list", "--vault", dest2, "--passphrase-stdin", "--json")); len(l) != 2 {
		t.Errorf("the first snapshot restored %d clients, want 2", len(l))
	}

	// Never over a vault, nor into a folder with files: exit 1, nothing
	// asked, nothing changed.
	before := folderBytes(t, dest)
	_, errs, code = run(t, "", "restore", "--repo", repo, "--to", dest, "--passphrase-stdin")
	if code != ExitError || !strings.Contains(errs, "already holds a vault") || !strings.Contains(errs, "nothing was restored") {
		t.Errorf("restore over a vault: exit %d %q", code, errs)
	}
	if !equalMaps(before, folderBytes(t, dest)) {
		t.Error("a refused restore changed the vault")
	}
	busy := filepath.Join(scratchDir(t), "busy")
	os.MkdirAll(busy, 0o700)
	os.WriteFile(filepath.Join(busy, "letter.txt"), []byte("hello"), 0o600)
	_, errs, code = run(t, "", "restore", "--repo", repo, "--to", busy, "--passphrase-stdin")
	if code != ExitError || !strings.Contains(errs, "has other files in it") {
		t.Errorf("restore into a folder with files: exit %d %q", code, errs)
	}
	// A file, or a folder inside a file: a plain refusal, not "mkdir: not a directory".
	file := filepath.Join(scratchDir(t), "notes.txt")
	os.WriteFile(file, []byte("hello"), 0o600)
	for _, to := range []string{file, filepath.Join(file, "sub")} {
		_, errs, code = run(t, "", "restore", "--repo", repo, "--to", to, "--passphrase-stdin")
		if code != ExitError || !strings.Contains(errs, "--to must be a new or empty folder, but ") || !strings.Contains(errs, "is a file") ||
			!strings.Contains(errs, "nothing was restored") {
			t.Errorf("restore --to %s: exit %d %q", to, code, errs)
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "hello" {
		t.Error("a refused restore changed the file")
	}
	// An unknown snapshot.
	_, errs, code = v.do("restore", "--repo", repo, "--to", filepath.Join(scratchDir(t), "x"), "--snapshot", "ffffffff")
	if code != ExitError || !strings.Contains(errs, "snapshot") || !strings.Contains(errs, "casevault snapshots --repo") {
		t.Errorf("restore of an unknown snapshot: exit %d %q", code, errs)
	}

	// verify: healthy.
	out = v.ok("verify", "--repo", repo, "--read-data")
	for _, want := range []string{"2 snapshots", "No problems found", "Healthy snapshots", first.Short, b2.Snapshot.Short, "Read and authenticated"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify lacks %q:\n%s", want, out)
		}
	}

	// forget --keep-last 1 --prune keeps the newest only.
	type forgetOut struct {
		Policy    string `json:"policy"`
		Decisions []struct {
			ID      string   `json:"id"`
			Keep    bool     `json:"keep"`
			Removed bool     `json:"removed"`
			Reasons []string `json:"reasons"`
		} `json:"decisions"`
		Removed []string `json:"removed"`
		Prune   *struct {
			PacksRemoved   int   `json:"packs_removed"`
			PacksRewritten int   `json:"packs_rewritten"`
			BytesFreed     int64 `json:"bytes_freed"`
		} `json:"prune"`
	}
	v.ok("backup", "--repo", repo)
	out = v.ok("forget", "--repo", repo, "--keep-last", "2")
	if !strings.Contains(out, "1 snapshot removed, 2 kept") || !strings.Contains(out, "last snapshot") || !strings.Contains(out, "removed") || !strings.Contains(out, "--prune") {
		t.Errorf("forget --keep-last 2:\n%s", out)
	}
	fj := decode[forgetOut](t, "forget", v.ok("forget", "--repo", repo, "--keep-last", "1", "--prune", "--json"))
	if len(fj.Decisions) != 2 || !fj.Decisions[0].Keep || fj.Decisions[1].Keep || !fj.Decisions[1].Removed || len(fj.Removed) != 1 ||
		fj.Decisions[0].Reasons[0] != "last snapshot" || fj.Prune == nil || fj.Prune.PacksRemoved+fj.Prune.PacksRewritten == 0 || fj.Policy != "last 1" {
		t.Fatalf("forget --keep-last 1 --prune --json: %+v", fj)
	}
	list = decode[snapshotsOut](t, "snapshots", v.ok("snapshots", "--repo", repo, "--json"))
	if len(list.Snapshots) != 1 || list.Snapshots[0].ID != fj.Decisions[0].ID {
		t.Fatalf("snapshots after forget: %+v", list)
	}
	v.ok("verify", "--repo", repo, "--read-data")
	out = v.ok("forget", "--repo", repo, "--keep-daily", "7", "--prune")
	if !strings.Contains(out, "0 snapshots removed, 1 kept") || !strings.Contains(out, "daily snapshot") || !strings.Contains(out, "Pruned: 0 packs removed") {
		t.Errorf("forget that removes nothing:\n%s", out)
	}
	// A policy that keeps nothing is a usage error with its own words.
	_, errs, code = v.do("forget", "--repo", repo, "--prune")
	if code != ExitUsage || !strings.Contains(errs, "keep at least one snapshot") {
		t.Errorf("forget with no rule: exit %d %q", code, errs)
	}
	_, errs, code = v.do("forget", "--repo", repo, "--keep-last", "-1")
	if code != ExitUsage || !strings.Contains(errs, "negative") {
		t.Errorf("forget --keep-last -1: exit %d %q", code, errs)
	}
}

// mustRun runs a command line and fails the test unless it exits 0.
func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errs, code := run(t, stdin, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
	}
	return out
}

func TestVerifyFindsDamage(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.id("client", "add", "--name", "Damage Test", "--notes", strings.Repeat("notes ", 200))
	v.ok("backup", "--repo", repo)
	v.id("client", "add", "--name", "Second")
	v.ok("backup", "--repo", repo)
	if out := v.ok("verify", "--repo", repo); !strings.Contains(out, "No problems found") || !strings.Contains(out, "--read-data") {
		t.Fatalf("verify of a healthy backup:\n%s", out)
	}
	packs := packFiles(t, repo)
	bad := packs[0]
	flipByte(t, bad, int(fileSize(t, bad)/2))
	rel := filepath.ToSlash(mustRel(t, repo, bad))

	// The structure check does not read packs: the same size passes.
	v.ok("verify", "--repo", repo)
	for _, args := range [][]string{{"--read-data"}, {"--read-data-subset", "100%"}} {
		out, errs, code := v.do(append([]string{"verify", "--repo", repo}, args...)...)
		if code != ExitDamaged || !strings.Contains(out, "FOUND") || !strings.Contains(out, rel) || !strings.Contains(out, "affects snapshot") ||
			!strings.Contains(errs, "damaged") || !strings.Contains(errs, "another drive") {
			t.Errorf("verify %v of a damaged pack: exit %d\nstdout %s\nstderr %s", args, code, out, errs)
		}
	}
	rep := okJSONCode[map[string]any](v, ExitDamaged, "verify", "--repo", repo, "--read-data")
	probs, _ := rep["problems"].([]any)
	if rep["ok"] != false || len(probs) == 0 || probs[0].(map[string]any)["file"] != rel {
		t.Errorf("verify --json of a damaged pack: %v", rep)
	}
	// A restore that needs the pack fails with exit 4, naming it.
	affected := probs[0].(map[string]any)["snapshots"].([]any)[0].(string)
	_, errs, code := v.do("restore", "--repo", repo, "--to", filepath.Join(scratchDir(t), "r"), "--snapshot", affected)
	if code != ExitDamaged || !strings.Contains(errs, rel) || !strings.Contains(errs, "casevault verify --repo") {
		t.Errorf("restore from a damaged pack: exit %d %q", code, errs)
	}

	// A damaged snapshot file is listed below the table.
	snaps, _ := filepath.Glob(filepath.Join(repo, "snapshots", "*"))
	if len(snaps) != 2 {
		t.Fatalf("snapshot files: %v", snaps)
	}
	flipByte(t, snaps[0], 20)
	out := v.ok("snapshots", "--repo", repo)
	if !strings.Contains(out, "1 snapshot in") || !strings.Contains(out, "Damaged snapshot files") || !strings.Contains(out, filepath.Base(snaps[0])) {
		t.Errorf("snapshots with a damaged snapshot file:\n%s", out)
	}
}

func TestDrill(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.id("client", "add", "--name", "Drill Client")
	v.id("matter", "add", "--client", "1", "--title", "Drill Matter")
	v.ok("backup", "--repo", repo)

	out := v.ok("drill", "--repo", repo, "--scratch", scratchDir(t))
	// In words; the technical names (Content hash, Audit chain) only in --json.
	if strings.Contains(out, "Content hash") || strings.Contains(out, "Audit chain") {
		t.Errorf("technical names in the drill's words:\n%s", out)
	}
	for _, want := range []string{"Restore drill of snapshot", "passed", "ok", "Files restored:", "Records unchanged", "Audit trail intact", "Copy deleted",
		"Recorded in the backup and in the audit trail of the vault at " + v.dir} {
		if !strings.Contains(out, want) {
			t.Errorf("drill output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FAILED") {
		t.Errorf("drill failed:\n%s", out)
	}
	if out := v.ok("audit", "list", "--action", "backup.drill"); !strings.Contains(out, "Ran a restore drill") || !strings.Contains(out, "passed") {
		t.Errorf("the drill is not in the audit trail:\n%s", out)
	}
	if set := app.LoadBackupSettings(v.dir); set.LastDrill.IsZero() || !set.LastDrillOK {
		t.Errorf("backup settings after a drill: %+v", set)
	}
	list := decode[snapshotsOut](t, "snapshots", v.ok("snapshots", "--repo", repo, "--json"))
	if len(list.Drills) != 1 || !list.Drills[0].OK || list.Drills[0].Snapshot != list.Snapshots[0].ID {
		t.Errorf("drill records: %+v", list.Drills)
	}
	if out := v.ok("snapshots", "--repo", repo); !strings.Contains(out, "Last restore drill") || !strings.Contains(out, "passed") {
		t.Errorf("snapshots does not show the drill:\n%s", out)
	}

	// --json.
	type drillOut struct {
		Snapshot string `json:"snapshot"`
		OK       bool   `json:"ok"`
		Checks   []struct {
			Name string `json:"name"`
			OK   bool   `json:"ok"`
		} `json:"checks"`
		InBackup bool   `json:"recorded_in_backup"`
		InVault  bool   `json:"recorded_in_vault"`
		Recorded string `json:"recorded"`
	}
	dj := decode[drillOut](t, "drill", v.ok("drill", "--repo", repo, "--json", "--scratch", scratchDir(t)))
	if !dj.OK || !dj.InBackup || !dj.InVault || len(dj.Checks) < 5 || dj.Snapshot != list.Snapshots[0].ID {
		t.Errorf("drill --json: %+v", dj)
	}

	// No vault here (a new laptop): the drill runs, recorded in the backup only.
	out = mustRun(t, testPass+"\n", "drill", "--repo", repo, "--passphrase-stdin", "--vault", filepath.Join(scratchDir(t), "none"), "--scratch", scratchDir(t))
	if !strings.Contains(out, "passed") || !strings.Contains(out, "Recorded in the backup only: there is no vault at") {
		t.Errorf("drill without a vault:\n%s", out)
	}
	// The vault open elsewhere (here: this process holds its lock).
	held, err := vault.Open(v.dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	out, errs, code := v.do("drill", "--repo", repo, "--scratch", scratchDir(t))
	held.Close()
	if code != 0 || !strings.Contains(out, "Recorded in the backup only") || !strings.Contains(out, "open in the casevault window") {
		t.Errorf("drill with the vault open elsewhere: exit %d\n%s%s", code, out, errs)
	}
	if list := decode[snapshotsOut](t, "snapshots", v.ok("snapshots", "--repo", repo, "--json")); len(list.Drills) != 4 {
		t.Errorf("drill records after 4 drills: %d", len(list.Drills))
	}

	// A wrong passphrase: exit 3, nothing run.
	_, errs, code = v.with("not the right words at all\n", "drill", "--repo", repo, "--scratch", scratchDir(t))
	if code != ExitWrongKey || !strings.Contains(errs, "wrong passphrase") {
		t.Errorf("drill with a wrong passphrase: exit %d %q", code, errs)
	}

	// A damaged backup fails the drill: exit 4, the failed check named.
	for _, p := range packFiles(t, repo) {
		flipByte(t, p, int(fileSize(t, p)/3))
	}
	out, errs, code = v.do("drill", "--repo", repo, "--scratch", scratchDir(t))
	if code != ExitDamaged || !strings.Contains(out, "FAILED") || !strings.Contains(errs, `drill of snapshot`) || !(strings.Contains(errs, `failed at "Files restored"`) && strings.Contains(out, "Technical details:")) || !strings.Contains(errs, "casevault verify") {
		t.Errorf("drill of a damaged backup: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if set := app.LoadBackupSettings(v.dir); set.LastDrillOK {
		t.Error("the settings record a failed drill as passed")
	}
}

func TestBackupTargetProblems(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.ok("backup", "--repo", repo)

	// The drive is unplugged: its mount folder is left, empty.
	os.RemoveAll(repo)
	os.Mkdir(repo, 0o700)
	out, errs, code := v.do("backup", "--repo", repo)
	if code != ExitError || !strings.Contains(errs, "not connected") || !strings.Contains(errs, "Plug in") || !strings.Contains(errs, "--new") || out != "" {
		t.Errorf("backup to a remembered but empty folder: exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	if entries, _ := os.ReadDir(repo); len(entries) != 0 {
		t.Errorf("a refused backup wrote %d entries", len(entries))
	}
	if set := app.LoadBackupSettings(v.dir); set.LastError == "" {
		t.Error("the failure is not in the backup settings")
	}
	// The folder is gone altogether: snapshots says so before asking for
	// any passphrase (stdin is empty).
	os.RemoveAll(repo)
	_, errs, code = run(t, "", "snapshots", "--repo", repo, "--passphrase-stdin")
	if code != ExitError || !strings.Contains(errs, "not connected") || !strings.Contains(errs, "does not exist") {
		t.Errorf("snapshots of a missing folder: exit %d %q", code, errs)
	}
	// A folder without a backup.
	other := scratchDir(t)
	_, errs, code = run(t, "", "verify", "--repo", other, "--passphrase-stdin")
	if code != ExitError || !strings.Contains(errs, "no casevault backup in") {
		t.Errorf("verify of a folder without a backup: exit %d %q", code, errs)
	}
	// --new starts again.
	os.Mkdir(repo, 0o700)
	if out := v.ok("backup", "--repo", repo, "--new"); !strings.Contains(out, "set up there by this run") {
		t.Errorf("backup --new:\n%s", out)
	}
	// A folder with other files is not taken over.
	full := scratchDir(t)
	os.WriteFile(filepath.Join(full, "holiday.jpg"), []byte("jpeg"), 0o600)
	_, errs, code = v.do("backup", "--repo", full)
	if code != ExitError || !strings.Contains(errs, "other files") {
		t.Errorf("backup into a folder with files: exit %d %q", code, errs)
	}
	// The vault open in the window: exit 5.
	held, err := vault.Open(v.dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	_, errs, code = v.do("backup", "--repo", repo)
	held.Close()
	if code != ExitLocked {
		t.Errorf("backup with the vault open elsewhere: exit %d %q", code, errs)
	}
	// Another casevault using the backup: exit 5.
	release, err := vault.LockPath(filepath.Join(repo, "lock"))
	if err != nil {
		t.Fatal(err)
	}
	_, errs, code = v.do("forget", "--repo", repo, "--keep-last", "1")
	release()
	if code != ExitLocked || !strings.Contains(errs, "using this backup") {
		t.Errorf("forget while the backup is busy: exit %d %q", code, errs)
	}
	// A wrong passphrase for the backup: exit 3.
	_, errs, code = v.with("not the right words at all\n", "snapshots", "--repo", repo)
	if code != ExitWrongKey {
		t.Errorf("snapshots with a wrong passphrase: exit %d %q", code, errs)
	}
}

func TestBackupUsageErrors(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(scratchDir(t), "none")
	cases := [][]string{
		{"backup"},
		{"backup", "--repo", dir, "extra"},
		{"snapshots"},
		{"restore", "--repo", dir},
		{"restore", "--to", dir},
		{"verify", "--repo", dir, "--read-data", "--read-data-subset", "10"},
		{"verify", "--repo", dir, "--read-data-subset", "0"},
		{"verify", "--repo", dir, "--read-data-subset", "101%"},
		{"verify", "--repo", dir, "--read-data-subset", "ten"},
		{"verify", "--repo", dir, "--read-data-subset", "NaN"},
		{"forget", "--repo", dir},
		{"forget", "--repo", dir, "--keep-weekly", "-2"},
		{"forget", "--keep-last", "1"},
		{"drill"},
		{"drill", "--repo", dir, "--bogus"},
		{"drill", "--repo", dir, "--scratch", filepath.Join(dir, "no such folder")},
	}
	for _, args := range cases {
		out, errs, code := run(t, "", append(args, "--passphrase-stdin")...)
		if code != ExitUsage || !strings.Contains(errs, "casevault: ") || !strings.Contains(errs, "--help") {
			t.Errorf("%v: exit %d, want %d (stdout %q, stderr %q)", args, code, ExitUsage, out, errs)
		}
	}
	if out, _, code := run(t, "", "--help"); code != 0 || !strings.Contains(out, "drill --repo DIR") || !strings.Contains(out, "restore --repo DIR --to NEWDIR") {
		t.Errorf("--help lacks the backup commands: %q", out)
	}
	for _, cmd := range []string{"backup", "snapshots", "restore", "verify", "forget", "drill"} {
		if out, _, code := run(t, "", cmd, "--help"); code != 0 || !strings.Contains(out, "--repo DIR") {
			t.Errorf("%s --help: exit %d %q", cmd, code, out)
		}
	}
}

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]float64{"10": 10, "10%": 10, " 2.5 % ": 2.5, "100": 100, "0.1%": 0.1} {
		if got, err := parsePercent(in); err != nil || got != want {
			t.Errorf("parsePercent(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "%", "0", "-5", "100.5", "abc", "Inf", "NaN", "10%%"} {
		if _, err := parsePercent(in); err == nil {
			t.Errorf("parsePercent(%q) accepted", in)
		}
	}
}

func TestProgressText(t *testing.T) {
	p := app.BackupProgress{Phase: "Copying to the backup", Bytes: 1_500_000, TotalBytes: 6_000_000, Objects: 3, TotalObjects: 12}
	if got, want := progressText(p, 10*time.Second), "Copying to the backup: 1.5 MB of 6.0 MB, 3 of 12 objects, about 30 seconds left"; got != want {
		t.Errorf("progressText = %q, want %q", got, want)
	}
	// No estimate in the first second, nor when done.
	if got := progressText(p, 500*time.Millisecond); strings.Contains(got, "left") {
		t.Errorf("estimate too early: %q", got)
	}
	p.Bytes, p.Objects = p.TotalBytes, p.TotalObjects
	if got := progressText(p, time.Minute); strings.Contains(got, "left") {
		t.Errorf("estimate when done: %q", got)
	}
	if got := progressText(app.BackupProgress{Phase: "Reading the backup", Objects: 1, TotalObjects: 4}, 2*time.Second); got != "Reading the backup: 1 of 4 objects, about 6 seconds left" {
		t.Errorf("objects only: %q", got)
	}
}

// TestForgetWithDamagedSnapshot: one damaged snapshot file used to block
// every forget while verify said to keep the drive as it is, so space
// could never be freed. Forget sets it aside (renamed, kept) and goes on.
func TestForgetWithDamagedSnapshot(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.id("client", "add", "--name", "First")
	v.ok("backup", "--repo", repo)
	v.id("client", "add", "--name", "Second")
	v.ok("backup", "--repo", repo)
	v.id("client", "add", "--name", "Third")
	v.ok("backup", "--repo", repo)
	list := decode[snapshotsOut](t, "snapshots", v.ok("snapshots", "--repo", repo, "--json"))
	if len(list.Snapshots) != 3 {
		t.Fatalf("snapshots: %+v", list)
	}
	bad := filepath.Join(repo, "snapshots", list.Snapshots[1].ID)
	flipByte(t, bad, 20)
	out, errs, code := v.do("verify", "--repo", repo)
	if code != ExitDamaged || !strings.Contains(errs, "casevault forget --repo "+repo+" --keep-last 3 --prune") || strings.Contains(errs, "Keep this drive as it is") {
		t.Fatalf("verify of a damaged snapshot file: exit %d\n%s%s", code, out, errs)
	}
	out, errs, code = v.do("forget", "--repo", repo, "--keep-last", "1", "--prune")
	if code != 0 || !strings.Contains(out, "1 damaged snapshot cannot be restored, so it was set aside") || !strings.Contains(out, "set aside, not deleted") ||
		!strings.Contains(out, "snapshots/"+list.Snapshots[1].ID+" -> snapshots/"+list.Snapshots[1].ID+".damaged") || !strings.Contains(out, "1 snapshot removed, 1 kept") {
		t.Fatalf("forget with a damaged snapshot file: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(bad + ".damaged"); err != nil {
		t.Fatalf("the damaged file was not kept: %v", err)
	}
	after := decode[snapshotsOut](t, "snapshots", v.ok("snapshots", "--repo", repo, "--json"))
	if len(after.Snapshots) != 1 || after.Snapshots[0].ID != list.Snapshots[0].ID || len(after.Damaged) != 0 { // newest first: the latest is kept
		t.Fatalf("snapshots after forget: %+v", after)
	}
	v.ok("verify", "--repo", repo, "--read-data")
}

// TestBackupConfigMissing: with the config file deleted, snapshots,
// restore and verify said "there is no casevault backup in DIR" although
// everything else was there. They work now; backup says the config is
// missing and --rebuild-config (the command it names) works.
func TestBackupConfigMissing(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.id("client", "add", "--name", "Kept Client")
	v.ok("backup", "--repo", repo)
	v.id("client", "add", "--name", "Second Client")
	v.ok("backup", "--repo", repo)
	if err := os.Remove(filepath.Join(repo, "config")); err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(scratchDir(t), "none")
	out := mustRun(t, testPass+"\n", "snapshots", "--repo", repo, "--passphrase-stdin", "--vault", none)
	if !strings.Contains(out, "2 snapshots in") || !strings.Contains(out, "config file of this backup is missing") || !strings.Contains(out, "--rebuild-config") {
		t.Errorf("snapshots without a config:\n%s", out)
	}
	dest := filepath.Join(scratchDir(t), "restored")
	mustRun(t, testPass+"\n", "restore", "--repo", repo, "--to", dest, "--passphrase-stdin", "--vault", none)
	if out := mustRun(t, testPass+"\n", "client", "list", "--vault", dest, "--passphrase-stdin"); !strings.Contains(out, "Second Client") {
		t.Errorf("restored vault:\n%s", out)
	}
	out, errs, code := v.do("verify", "--repo", repo)
	if code != ExitDamaged || !strings.Contains(out, "config: the file is missing") || !strings.Contains(errs, "casevault backup --repo "+repo+" --rebuild-config") {
		t.Errorf("verify without a config: exit %d\n%s%s", code, out, errs)
	}
	v.ok("drill", "--repo", repo, "--scratch", scratchDir(t))
	out, errs, code = v.do("backup", "--repo", repo)
	if code == 0 || !strings.Contains(errs, "config file is missing") || !strings.Contains(errs, "casevault backup --repo "+repo+" --rebuild-config") ||
		strings.Contains(errs, "no casevault backup") || strings.Contains(errs, "other files") {
		t.Errorf("backup without a config: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(repo, "config")); err == nil {
		t.Error("a refused backup wrote a config file")
	}
	out = v.ok("backup", "--repo", repo, "--rebuild-config")
	if !strings.Contains(out, "config file was missing") {
		t.Errorf("backup --rebuild-config:\n%s", out)
	}
	if out := v.ok("verify", "--repo", repo, "--read-data"); !strings.Contains(out, "3 snapshots") || !strings.Contains(out, "No problems found") {
		t.Errorf("verify after the rebuild:\n%s", out)
	}
}

// runEnv runs a command line on the vault with the passphrase, with the
// drive identification of the backup command replaced.
func (v *tv) runEnv(vol func(string) (app.Drive, error), missing func(string) (bool, error), args ...string) (string, string, int) {
	v.t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(testPass + "\n"), Stdout: &out, Stderr: &errb, StdinFD: -1, Volume: vol, MissingDrive: missing}
	code := Run(context.Background(), append(args, "--vault", v.dir, "--passphrase-stdin"), env)
	return out.String(), errb.String(), code
}

// TestBackupSystemDisk: a backup to the laptop's own disk said "keep the
// drive away from this laptop" with no warning (issue 8 item 10). Every
// backup there now warns plainly.
func TestBackupSystemDisk(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	system := func(string) (app.Drive, error) {
		return app.Drive{ID: "dev:8:1", MountPoint: "/", FSType: "ext4", System: true}, nil
	}
	for i, want := range []string{"set up there by this run", "Backed up to"} {
		out, errs, code := v.runEnv(system, nil, "backup", "--repo", repo)
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "WARNING: This backup is on the laptop's own disk") ||
			!strings.Contains(out, "does not protect against that") || strings.Contains(out, "Keep the drive away from this laptop") {
			t.Fatalf("backup %d to the system disk: exit %d\n%s%s", i+1, code, out, errs)
		}
	}
	out, errs, code := v.runEnv(system, nil, "backup", "--repo", repo, "--json")
	if code != 0 || !strings.Contains(out, `"system_disk": true`) || !strings.Contains(errs, "laptop's own disk") {
		t.Fatalf("backup --json to the system disk: exit %d\n%s%s", code, out, errs)
	}
	if out := v.ok("snapshots", "--repo", repo); !strings.Contains(out, "WARNING: This backup is on the laptop's own disk") {
		t.Fatalf("snapshots of a backup on the system disk:\n%s", out)
	}
	// A USB drive: no warning.
	usb := func(string) (app.Drive, error) {
		return app.Drive{ID: "uuid:ABCD-1234", MountPoint: "/media/anna/STICK", Label: "STICK", FSType: "vfat", Removable: true}, nil
	}
	other := repoDir(t)
	out, errs, code = v.runEnv(usb, nil, "backup", "--repo", other)
	if code != 0 || strings.Contains(out, "own disk") || !strings.Contains(out, "Keep the drive away from this laptop") {
		t.Fatalf("backup to a USB drive: exit %d\n%s%s", code, out, errs)
	}
}

// TestBackupNewInEmptyMountFolder: inside /mnt (a folder where drives
// appear) with the drive unplugged, the message said to run --new, and
// --new was refused with the same advice again (issue 8 item 10). Now
// --new says to plug the drive in, or to choose a folder outside those
// places; with the drive there, the same command works.
func TestBackupNewInEmptyMountFolder(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.ok("backup", "--repo", repo)
	// The stick is unplugged: its mount folder is left, empty, on the
	// laptop's own disk.
	os.RemoveAll(repo)
	os.Mkdir(repo, 0o700)
	unplugged := func(string) (bool, error) { return true, nil }
	_, errs, code := v.runEnv(nil, unplugged, "backup", "--repo", repo)
	if code != ExitError || !strings.Contains(errs, "--new") {
		t.Fatalf("backup to the empty mount folder: exit %d %q", code, errs)
	}
	_, errs, code = v.runEnv(nil, unplugged, "backup", "--repo", repo, "--new")
	if code != ExitError || strings.Contains(errs, "--new") || !strings.Contains(errs, "Plug in the backup drive") ||
		!strings.Contains(errs, "outside /media, /run/media and /mnt") || !strings.Contains(errs, "Nothing was written") {
		t.Fatalf("backup --new to the empty mount folder: exit %d %q", code, errs)
	}
	if entries, _ := os.ReadDir(repo); len(entries) != 0 {
		t.Fatalf("a refused backup wrote %d entries", len(entries))
	}
	// Plugged in: the same command works.
	mounted := func(string) (bool, error) { return false, nil }
	if out, errs, code := v.runEnv(nil, mounted, "backup", "--repo", repo, "--new"); code != 0 || !strings.Contains(out, "set up there by this run") {
		t.Fatalf("backup --new with the drive there: exit %d\n%s%s", code, out, errs)
	}
}

// TestSuggestedBackupCommandRunsAsPrinted: with --vault DIR, the commands
// that a backup's messages suggest ("casevault backup --repo R
// --rebuild-config") left out the vault, so running them as printed opened
// the default folder instead and failed ("no vault in this folder"). Each
// one, run exactly as printed (plus the passphrase on stdin), now works.
func TestSuggestedBackupCommandRunsAsPrinted(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.id("client", "add", "--name", "Kept Client")
	v.ok("backup", "--repo", repo)
	if err := os.Remove(filepath.Join(repo, "config")); err != nil {
		t.Fatal(err)
	}
	quoted := regexp.MustCompile(`"(casevault backup [^"]*)"`)
	for _, cmd := range [][]string{{"backup", "--repo", repo}, {"verify", "--repo", repo}, {"snapshots", "--repo", repo}} {
		out, errs, _ := v.do(cmd...)
		m := quoted.FindStringSubmatch(out + errs)
		if m == nil {
			t.Fatalf("%v suggests no backup command:\n%s%s", cmd, out, errs)
		}
		if !strings.Contains(m[1], "--vault "+v.dir) {
			t.Errorf("%v suggests %q, which opens the default vault folder, not %s", cmd, m[1], v.dir)
		}
	}
	_, errs, _ := v.do("backup", "--repo", repo)
	m := quoted.FindStringSubmatch(errs)
	args := append(strings.Fields(m[1])[1:], "--passphrase-stdin")
	if out, errs, code := run(t, testPass+"\n", args...); code != 0 || !strings.Contains(out, "config file was missing") {
		t.Errorf("the suggested %q: exit %d\n%s%s", m[1], code, out, errs)
	}
}

// TestSuggestedForgetRunsAsPrinted: the drive-full and damaged-snapshot
// messages suggested "casevault forget --repo R --keep-last N --prune";
// run as printed, that failed with the flag package's "invalid value "N"
// for flag -keep-last: parse error". The suggested command now runs as
// printed, and a word where a number belongs is refused in plain words.
func TestSuggestedForgetRunsAsPrinted(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	for _, name := range []string{"First", "Second", "Third", "Fourth"} {
		v.id("client", "add", "--name", name)
		v.ok("backup", "--repo", repo)
	}
	list := decode[snapshotsOut](t, "snapshots", v.ok("snapshots", "--repo", repo, "--json"))
	flipByte(t, filepath.Join(repo, "snapshots", list.Snapshots[0].ID), 20)
	_, verr, _ := v.do("verify", "--repo", repo)
	full, _ := backupMessage(fmt.Errorf("%w: writing a pack", app.ErrTargetFull), repo, "")
	quoted := regexp.MustCompile(`"(casevault forget [^"]*)"`)
	for _, msg := range []string{verr, full} {
		m := quoted.FindStringSubmatch(msg)
		if m == nil {
			t.Fatalf("no forget command suggested:\n%s", msg)
		}
		args := append(strings.Fields(m[1])[1:], "--passphrase-stdin")
		if out, errs, code := run(t, testPass+"\n", args...); code != 0 {
			t.Errorf("the suggested %q: exit %d\n%s%s", m[1], code, out, errs)
		}
	}
	_, errs, code := v.do("forget", "--repo", repo, "--keep-last", "N", "--prune")
	said := regexp.MustCompile(`(?m)^casevault: .*$`).FindString(errs)
	if code != ExitUsage || !strings.Contains(said, "--keep-last needs a whole number") || strings.Contains(said, "parse error") {
		t.Errorf("forget --keep-last N: exit %d, says %q\n%s", code, said, errs)
	}
}

// TestWrongPassphraseForBackupSaysBackup: a wrong passphrase or recovery key
// given to open a backup said "the passphrase does not open this vault",
// though no vault was being opened (snapshots, restore, verify, forget and
// drill need only the backup).
func TestWrongPassphraseForBackupSaysBackup(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := filepath.Join(scratchDir(t), "repo")
	v.ok("backup", "--repo", repo)
	_, errs, code := run(t, "not the passphrase\n", "snapshots", "--repo", repo, "--passphrase-stdin")
	if code != ExitWrongKey || !strings.Contains(errs, "does not open the backup in "+quoteArg(repo)) || strings.Contains(errs, "this vault") {
		t.Errorf("wrong passphrase for a backup: exit %d\n%s", code, errs)
	}
	otherKey := initVault(t, filepath.Join(scratchDir(t), "other")) // well formed, another vault's
	_, errs, code = run(t, otherKey+"\n", "snapshots", "--repo", repo, "--passphrase-stdin", "--recovery")
	if code != ExitWrongKey || !strings.Contains(errs, "does not open the backup in "+quoteArg(repo)) {
		t.Errorf("wrong recovery key for a backup: exit %d\n%s", code, errs)
	}
}

// TestNoSuchSnapshotNamesWorkingCommand: an unknown --snapshot said
// `(list them with "casevault snapshots")` — without --repo, which fails as
// printed — before the right command.
func TestNoSuchSnapshotNamesWorkingCommand(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := filepath.Join(scratchDir(t), "repo")
	v.ok("backup", "--repo", repo)
	_, errs, code := run(t, testPass+"\n", "restore", "--repo", repo, "--to", filepath.Join(scratchDir(t), "new"), "--snapshot", "zzzz", "--passphrase-stdin")
	if code == 0 || !strings.Contains(errs, "casevault snapshots --repo "+quoteArg(repo)) || strings.Contains(errs, `"casevault snapshots"`) {
		t.Errorf("unknown snapshot: exit %d\n%s", code, errs)
	}
}

// TestRestoreToUncreatableFolder: a --to folder that cannot be created (here
// under /proc) printed the raw "creating /proc/nope: mkdir /proc/nope: no
// such file or directory".
func TestRestoreToUncreatableFolder(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("needs Linux /proc")
	}
	v := newTV(t)
	repo := filepath.Join(scratchDir(t), "repo")
	v.ok("backup", "--repo", repo)
	_, errs, code := run(t, testPass+"\n", "restore", "--repo", repo, "--to", "/proc/casevault-nope/restored", "--passphrase-stdin")
	if code == 0 || !strings.Contains(errs, "could not create the folder /proc/casevault-nope") ||
		!strings.Contains(errs, "nothing was restored") || !strings.Contains(errs, "Choose a folder with --to") {
		t.Errorf("restore --to an uncreatable folder: exit %d\n%s", code, errs)
	}
}

// TestBackupInsideVaultFolderRefused: `backup --repo VAULT/bk` was accepted
// (a backup lost with the vault it is meant to protect), and --repo VAULT
// itself was refused with a suggestion of a folder inside the vault.
func TestBackupInsideVaultFolderRefused(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	for _, repo := range []string{filepath.Join(v.dir, "bk"), v.dir, v.dir + string(filepath.Separator)} {
		out, errs, code := v.do("backup", "--repo", repo)
		if code != ExitUsage || !strings.Contains(errs, "inside the vault's own folder") || strings.Contains(errs, filepath.Join(v.dir, "casevault-backup")) {
			t.Errorf("backup --repo %s: exit %d\nstdout %s\nstderr %s", repo, code, out, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(v.dir, "bk")); err == nil {
		t.Error("a backup folder was made inside the vault folder")
	}
}

// TestBackupIntoBusyFolderSaysItOnce: a backup into a folder with other
// files said "That folder has other files in it. the folder has other files
// in it: DIR; ...".
func TestBackupIntoBusyFolderSaysItOnce(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	busy := filepath.Join(scratchDir(t), "busy")
	os.MkdirAll(busy, 0o700)
	os.WriteFile(filepath.Join(busy, "letter.txt"), []byte("hello"), 0o600)
	_, errs, code := v.do("backup", "--repo", busy)
	if code == 0 || strings.Count(strings.ToLower(errs), "has other files in it") != 1 || !strings.Contains(errs, busy) {
		t.Errorf("backup into a folder with files: exit %d\n%s", code, errs)
	}
}

// TestVerifyDamageWording: verify --read-data of a damaged pack said
// "1 blob(s) fail authentication" and "affects snapshot a, b": words for
// programmers and wrong plurals. It now counts objects and snapshots.
func TestVerifyDamageWording(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.id("client", "add", "--name", "Damage Test", "--notes", strings.Repeat("notes ", 200))
	v.ok("backup", "--repo", repo)
	v.id("client", "add", "--name", "Second")
	v.ok("backup", "--repo", repo)
	bad := packFiles(t, repo)[0]
	flipByte(t, bad, int(fileSize(t, bad)/2))
	out, errs, code := v.do("verify", "--repo", repo, "--read-data")
	if code != ExitDamaged || strings.Contains(out+errs, "(s)") || strings.Contains(out, "blob") {
		t.Errorf("verify of a damaged pack: exit %d\n%s%s", code, out, errs)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "affects snapshot ") && strings.Contains(line, ",") {
			t.Errorf("one snapshot for a list: %q", line)
		}
	}
}

// TestKeyFilesFromAnotherBackup: with the key files of another backup
// (same passphrase) copied over a backup's own, snapshots and verify said
// "Part of the backup is damaged ... Run casevault verify --repo R
// --read-data", and verify --read-data said the same: a loop. They now say
// the config does not match the key files and what to do instead.
func TestKeyFilesFromAnotherBackup(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo, other := repoDir(t), repoDir(t)
	v.ok("backup", "--repo", repo)
	wdir := filepath.Join(scratchDir(t), "other-vault") // another vault, the same passphrase
	initVault(t, wdir)
	mustRun(t, testPass+"\n", "backup", "--repo", other, "--vault", wdir, "--passphrase-stdin")
	keys, _ := filepath.Glob(filepath.Join(repo, "keys", "*"))
	for _, k := range keys {
		os.Remove(k)
	}
	theirs, _ := filepath.Glob(filepath.Join(other, "keys", "*"))
	for _, k := range theirs {
		b, err := os.ReadFile(k)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, "keys", filepath.Base(k)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	none := filepath.Join(scratchDir(t), "none") // a new laptop: the passphrase opens the key files
	for _, cmd := range [][]string{{"snapshots", "--repo", repo}, {"verify", "--repo", repo, "--read-data"}} {
		_, errs, code := run(t, testPass+"\n", append(cmd, "--passphrase-stdin", "--vault", none)...)
		if code == 0 || strings.Contains(errs, "casevault verify") || !strings.Contains(errs, "does not match its key files") || !strings.Contains(errs, "another copy") {
			t.Errorf("%v with another backup's key files: exit %d\n%s", cmd, code, errs)
		}
	}
}
