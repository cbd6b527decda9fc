package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/backup/retention"
	"casevault/backup/volume"
	"casevault/vault"
	"casevault/vault/testkit"
)

// Tests for the dead ends of issue 8: forget and prune on a full drive,
// a damaged snapshot file that blocked every forget.

// fullRepo is a repository of three snapshots: the second shares no chunk
// with the first (forgetting the first frees a whole pack), the third
// changed two chunks of the second (forgetting the second leaves a pack
// that is partly needed, which prune rewrites when it has room). It
// returns the state of the vault at the third.
func fullRepo(t *testing.T) (tv *testVault, fv *fakeVolume, base string, snaps []*Snapshot, wantImg []byte, wantRecs [][]byte) {
	t.Helper()
	tv = newTestVault(t, 4)
	fv = &fakeVolume{id: "uuid:PRUNE"}
	r0, base := initRepo(t, tv, fv)
	snaps = append(snaps, runBackup(t, r0, tv))
	tv.bigEdit(6)
	snaps = append(snaps, runBackup(t, r0, tv))
	tv.edit(2)
	tv.edit(3)
	tv.checkpoint()
	snaps = append(snaps, runBackup(t, r0, tv))
	wantImg, wantRecs = state(t, tv.v)
	return tv, fv, base, snaps, wantImg, wantRecs
}

// TestPruneOnFullDrive: with the drive full (every write fails with ENOSPC
// until something is deleted), forget --keep-last 1 --prune must free the
// space of the forgotten snapshot, not fail with "drive full" and advise
// itself. The repository stays valid and the kept snapshot restores.
func TestPruneOnFullDrive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, fv, base, snaps, wantImg, wantRecs := fullRepo(t)
	s2 := snaps[2]
	dir := filepath.Join(t.TempDir(), "repo")
	copyDir(t, base, dir)
	fb := newFaultBackend(dir)
	opts := testOpts(fv)
	opts.Backend = fb
	r, err := Open(ctx, dir, tv.v.Keys(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// The drive is full: a backup fails so.
	fb.noRoom = true
	src, release := tv.source()
	_, err = r.Backup(ctx, src, nil)
	release()
	if !errors.Is(err, ErrTargetFull) {
		t.Fatalf("backup to a full drive: %v", err)
	}
	fb.noRoom = true
	res, err := r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, true)
	if err != nil {
		t.Fatalf("forget --keep-last 1 --prune on a full drive: %v", err)
	}
	if len(res.Removed) != 2 || res.Prune == nil || res.Prune.BytesFreed == 0 || res.Prune.PacksRemoved < 2 || res.Prune.PacksRewritten != 1 {
		t.Fatalf("forget on a full drive: %+v %+v", res, res.Prune)
	}
	fb.reset()
	verifyClean(t, "after prune on a full drive", r, []string{s2.ID})
	restoreAndCheck(t, "after prune on a full drive", r, s2, tv.v.Keys(), wantImg, wantRecs)
	// And the backup that failed now has room.
	tv.edit(1)
	s3 := runBackup(t, r, tv)
	verifyClean(t, "a backup after the prune", r, []string{s2.ID, s3.ID})
}

// TestPruneFullNothingToFree: on a full drive where every pack is needed,
// prune says the drive is full and that it could free nothing (the caller
// words what else to do), and changes nothing.
func TestPruneFullNothingToFree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, fv, base, snaps, _, _ := fullRepo(t)
	dir := filepath.Join(t.TempDir(), "repo")
	copyDir(t, base, dir)
	before := dirBytes(t, dir)
	fb := newFaultBackend(dir)
	opts := testOpts(fv)
	opts.Backend = fb
	r, err := Open(ctx, dir, tv.v.Keys(), opts)
	if err != nil {
		t.Fatal(err)
	}
	fb.noRoom = true
	res, err := r.Forget(ctx, retention.Policy{Last: 3}, time.UTC, true)
	if !errors.Is(err, ErrTargetFull) || !strings.Contains(err.Error(), "could free nothing") || res == nil || len(res.Removed) != 0 {
		t.Fatalf("prune of a full drive with nothing to free: %v %+v", err, res)
	}
	delete(before, "lock")
	after := dirBytes(t, dir)
	delete(after, "lock")
	sameDirBytes(t, "repository", before, after)
	fb.reset()
	verifyClean(t, "after", r, []string{snaps[0].ID, snaps[1].ID, snaps[2].ID})
}

// TestPruneInterrupted stops a prune (full drive) at each of its deletions
// and at each of its writes, as a kill would: every time the repository
// verifies with no problem, the kept snapshot restores, and the next prune
// finishes the job.
func TestPruneInterrupted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, fv, base, snaps, wantImg, wantRecs := fullRepo(t)
	s2 := snaps[2]
	// Count the removes and saves of one whole prune first.
	dir := filepath.Join(t.TempDir(), "repo")
	copyDir(t, base, dir)
	fb := newFaultBackend(dir)
	opts := testOpts(fv)
	opts.Backend = fb
	r, err := Open(ctx, dir, tv.v.Keys(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, false); err != nil {
		t.Fatal(err)
	}
	forgotten := filepath.Join(t.TempDir(), "forgotten")
	copyDir(t, dir, forgotten)
	fb.reset()
	fb.noRoom = true
	if _, err := r.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	removes, saves := fb.removes, len(fb.savesSoFar())
	if removes < 4 || saves < 2 {
		t.Fatalf("a prune did %d removes and %d saves; the test expects more", removes, saves)
	}
	kill := errors.New("killed")
	for _, at := range []string{"remove", "save"} {
		n := removes
		if at == "save" {
			n = saves
		}
		for k := 0; k < n; k++ {
			label := fmt.Sprintf("prune killed before %s %d", at, k)
			dir := filepath.Join(t.TempDir(), "repo")
			copyDir(t, forgotten, dir)
			fb := newFaultBackend(dir)
			opts := testOpts(fv)
			opts.Backend = fb
			r, err := Open(ctx, dir, tv.v.Keys(), opts)
			if err != nil {
				t.Fatal(err)
			}
			fb.noRoom = true
			if at == "remove" {
				fb.beforeRemove = func(n int, name string) error {
					if n >= k {
						return kill
					}
					return nil
				}
			} else {
				fb.before = func(n int, name string) error {
					if n >= k {
						return kill
					}
					return nil
				}
			}
			if _, err := r.Prune(ctx); !errors.Is(err, kill) {
				t.Fatalf("%s: prune returned %v", label, err)
			}
			fb.reset()
			verifyClean(t, label, r, []string{s2.ID})
			if k == n-1 {
				restoreAndCheck(t, label, r, s2, tv.v.Keys(), wantImg, wantRecs)
			}
			if _, err := r.Prune(ctx); err != nil {
				t.Fatalf("%s, then prune again: %v", label, err)
			}
			rep := verifyClean(t, label+", then prune again", r, []string{s2.ID})
			if len(rep.Gone) > 0 || len(rep.Unreferenced) > 0 {
				t.Fatalf("%s, then prune again: left %v %v", label, rep.Gone, rep.Unreferenced)
			}
		}
	}
}

// TestForgetSetsDamagedSnapshotAside: one damaged snapshot file used to
// block every forget (and so every prune). Forget now renames it to
// <name>.damaged (kept, not deleted, no longer read as a snapshot), says
// so, and goes on.
func TestForgetSetsDamagedSnapshotAside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:ASIDE"}
	r, dir := initRepo(t, tv, fv)
	var snaps []*Snapshot
	for i := 0; i < 3; i++ {
		tv.edit(i)
		tv.checkpoint()
		snaps = append(snaps, runBackup(t, r, tv))
	}
	wantImg, wantRecs := state(t, tv.v)
	bad := filepath.Join(dir, snapDir, snaps[1].ID)
	flipAt(t, bad, -5)
	damagedBytes, err := os.ReadFile(bad)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, true)
	if err != nil {
		t.Fatalf("forget with a damaged snapshot file: %v", err)
	}
	want := snapDir + "/" + snaps[1].ID
	if len(res.SetAside) != 1 || res.SetAside[0].File != want || res.SetAside[0].To != want+".damaged" || res.SetAside[0].Reason == "" {
		t.Fatalf("set aside: %+v", res.SetAside)
	}
	if len(res.Removed) != 1 || res.Removed[0] != snaps[0].ID || res.Prune == nil || res.Prune.BytesFreed == 0 {
		t.Fatalf("forget: %+v %+v", res, res.Prune)
	}
	if b, err := os.ReadFile(bad + ".damaged"); err != nil || string(b) != string(damagedBytes) {
		t.Fatalf("the damaged file was not kept as it was: %v", err)
	}
	verifyClean(t, "after forget", r, []string{snaps[2].ID})
	restoreAndCheck(t, "after forget", r, snaps[2], tv.v.Keys(), wantImg, wantRecs)
	// A second damaged file of the same name is not overwritten.
	if err := os.WriteFile(bad, damagedBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err = r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, false)
	if err != nil || len(res.SetAside) != 1 || res.SetAside[0].To != want+".damaged-2" {
		t.Fatalf("second set-aside: %v %+v", err, res)
	}
}

// TestPruneTmpfsFull fills a real small file system (as root only) to the
// last byte and then runs forget --keep-last 1 --prune: the kernel's own
// ENOSPC, with no free byte for even a new index file.
func TestPruneTmpfsFull(t *testing.T) {
	if !canMount(t) {
		testkit.SkipUnlessCI(t, "needs to mount a tmpfs (root)")
	}
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:TMPFS"}
	mnt := mountTmpfs(t, 2<<20)
	dir := filepath.Join(mnt, "casevault-backup")
	c, release, err := tv.v.Capture()
	if err != nil {
		t.Fatal(err)
	}
	release()
	r, err := Init(ctx, dir, tv.v.Keys(), c.Header, testOpts(fv))
	if err != nil {
		t.Fatal(err)
	}
	runBackup(t, r, tv)
	tv.bigEdit(6)
	runBackup(t, r, tv)
	tv.edit(2)
	tv.edit(3)
	tv.checkpoint()
	s2 := runBackup(t, r, tv)
	wantImg, wantRecs := state(t, tv.v)
	// fill fills the drive with other files, to the last byte.
	fill := func() {
		f, err := os.OpenFile(filepath.Join(mnt, "filler"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4096)
		for {
			if _, err := f.Write(buf); err != nil {
				break
			}
		}
		f.Close()
		for _, n := range []int{512, 64, 1} {
			for {
				g, err := os.OpenFile(filepath.Join(mnt, "filler"), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				_, err = g.Write(buf[:n])
				g.Close()
				if err != nil {
					break
				}
			}
		}
	}
	fill()
	src, release := tv.source()
	_, err = r.Backup(ctx, src, nil)
	release()
	if !errors.Is(err, ErrTargetFull) {
		t.Fatalf("backup to the full tmpfs: %v", err)
	}
	fill() // again: the failed backup took back what it wrote
	res, err := r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, true)
	if err != nil {
		t.Fatalf("forget --keep-last 1 --prune on a full tmpfs: %v", err)
	}
	if res.Prune == nil || res.Prune.BytesFreed == 0 {
		t.Fatalf("prune freed nothing: %+v", res.Prune)
	}
	t.Logf("freed %d bytes, %d packs removed, %d not rewritten", res.Prune.BytesFreed, res.Prune.PacksRemoved, res.Prune.NotRewritten)
	verifyClean(t, "after prune on a full tmpfs", r, []string{s2.ID})
	restoreAndCheck(t, "full tmpfs", r, s2, tv.v.Keys(), wantImg, wantRecs)
}

// TestConfigMissing: a deleted config file made every command say "there
// is no casevault backup" although the key files, data, index and
// snapshots were intact. The key files open it; listing, restore and
// verify work (verify names the missing config), a backup is refused until
// the user confirms the drive, and RebuildConfig writes a new one.
func TestConfigMissing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:NOCONFIG"}
	r0, dir := initRepo(t, tv, fv)
	s0 := runBackup(t, r0, tv)
	tv.edit(1)
	s1 := runBackup(t, r0, tv)
	wantImg, wantRecs := state(t, tv.v)
	if err := os.Remove(filepath.Join(dir, configFile)); err != nil {
		t.Fatal(err)
	}
	if !IsRepo(dir) {
		t.Fatal("IsRepo: a backup without its config file is not recognised")
	}
	before := dirBytes(t, dir)

	// A new laptop: the passphrase alone.
	r, err := OpenWithCredential(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Volume: fv.of})
	if err != nil {
		t.Fatalf("open with the passphrase: %v", err)
	}
	defer r.Close()
	if !r.ConfigMissing() {
		t.Fatal("ConfigMissing is false")
	}
	if got := snapIDs(t, r); strings.Join(got, ",") != s0.ID+","+s1.ID {
		t.Fatalf("snapshots %v", got)
	}
	s, err := r.FindSnapshot(ctx, "latest")
	if err != nil {
		t.Fatal(err)
	}
	restoreAndCheck(t, "config missing", r, s, tv.v.Keys(), wantImg, wantRecs)
	rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil)
	if !errors.Is(err, ErrDamaged) || len(rep.Problems) != 1 || rep.Problems[0].File != configFile ||
		!strings.Contains(rep.Problems[0].Reason, "missing") || len(rep.Healthy) != 2 {
		t.Fatalf("verify: %v %+v", err, rep)
	}

	// The laptop with the vault: a backup is refused, nothing written.
	rv, err := Open(ctx, dir, tv.v.Keys(), testOpts(fv))
	if err != nil {
		t.Fatalf("open with the vault's keys: %v", err)
	}
	src, release := tv.source()
	_, err = rv.Backup(ctx, src, nil)
	release()
	if !errors.Is(err, ErrConfigMissing) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("backup without a config: %v", err)
	}
	after := dirBytes(t, dir)
	delete(before, "lock")
	delete(after, "lock")
	sameDirBytes(t, "refused backup", before, after)
	if err := rv.AdoptVolume(ctx); !errors.Is(err, ErrConfigMissing) {
		t.Fatalf("AdoptVolume without a config: %v", err)
	}

	// Another vault's keys: not its backup.
	other := newTestVault(t, 1)
	if _, err := Open(ctx, dir, other.v.Keys(), testOpts(fv)); !errors.Is(err, ErrWrongVault) {
		t.Fatalf("another vault: %v", err)
	}

	// Confirmed: a new config, then backups go on.
	if err := rv.RebuildConfig(ctx, ""); err != nil {
		t.Fatal(err)
	}
	s2 := runBackup(t, rv, tv)
	rv2, err := Open(ctx, dir, tv.v.Keys(), testOpts(fv))
	if err != nil || rv2.ConfigMissing() || len(rv2.RepoID()) != 32 {
		t.Fatalf("open after the rebuild: %v", err)
	}
	verifyClean(t, "after the rebuild", rv2, []string{s0.ID, s1.ID, s2.ID})
}

// TestInitNotMountedAndSystemDisk: Init in a folder where drives appear
// but none is mounted says so with ErrNotMounted (the CLI must not offer
// --new again); a repository on the system disk says so (OnSystemDisk).
func TestInitNotMountedAndSystemDisk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 1)
	c, release, err := tv.v.Capture()
	if err != nil {
		t.Fatal(err)
	}
	release()
	dir := filepath.Join(t.TempDir(), "repo")
	opts := testOpts(&fakeVolume{id: "uuid:X"})
	opts.MissingDrive = func(string) (bool, error) { return true, nil }
	if _, err := Init(ctx, dir, tv.v.Keys(), c.Header, opts); !errors.Is(err, ErrNotMounted) || !errors.Is(err, ErrTargetMissing) {
		t.Fatalf("Init with no drive mounted: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused Init made the folder: %v", err)
	}
	r, _ := initRepo(t, tv, &fakeVolume{id: "uuid:X"})
	if r.OnSystemDisk() {
		t.Fatal("a USB stick is the system disk")
	}
	opts = testOpts(nil)
	opts.Volume = func(string) (volume.Volume, error) {
		return volume.Volume{ID: "dev:8:1", MountPoint: "/", System: true}, nil
	}
	r2, err := Init(ctx, filepath.Join(t.TempDir(), "repo"), tv.v.Keys(), c.Header, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !r2.OnSystemDisk() {
		t.Fatal("a repository on the system disk: OnSystemDisk is false")
	}
}

// TestForgetSetAsideDriveGone: the drive goes away while forget looks for
// a free ".damaged" name: forget stops with ErrTargetGone (it looped
// forever before).
func TestForgetSetAsideDriveGone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 1)
	fv := &fakeVolume{id: "uuid:GONE"}
	r0, base := initRepo(t, tv, fv)
	s := runBackup(t, r0, tv)
	flipAt(t, filepath.Join(base, snapDir, s.ID), -5)
	fb := newFaultBackend(base)
	opts := testOpts(fv)
	opts.Backend = fb
	r, err := Open(ctx, base, tv.v.Keys(), opts)
	if err != nil {
		t.Fatal(err)
	}
	fb.beforeRead = func(op, name string) {
		if strings.HasSuffix(name, damagedSuffix) {
			os.RemoveAll(base)
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, false)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrTargetGone) {
			t.Fatalf("forget with the drive gone: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("forget did not stop when the drive went away")
	}
}

// TestForgetPruneSetsUnrestorableAside: the newest snapshot's manifest blob
// is damaged, so prune could not tell what it needs and refused every time
// while --keep-last always kept that snapshot. forget --prune sets it aside
// (it cannot be restored) and frees the space; the others still restore.
func TestForgetPruneSetsUnrestorableAside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:MANIFEST"}
	r, dir := initRepo(t, tv, fv)
	s0 := runBackup(t, r, tv)
	tv.bigEdit(6)
	wantImg, wantRecs := state(t, tv.v)
	s1 := runBackup(t, r, tv)
	tv.edit(2)
	tv.checkpoint()
	s2 := runBackup(t, r, tv)
	ix, err := r.loadIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loc := ix.blobs[BlobKey{BlobManifest, s2.Manifest}]
	flipAt(t, filepath.Join(dir, packPath(loc.Pack)), loc.Offset+loc.Length/2)
	if _, err := r.Prune(ctx); err == nil || !strings.Contains(err.Error(), "cannot be read") {
		t.Fatalf("prune with a damaged manifest: %v", err)
	}
	// Without --prune nothing is set aside.
	if res, err := r.Forget(ctx, retention.Policy{Last: 3}, time.UTC, false); err != nil || len(res.SetAside) != 0 {
		t.Fatalf("forget without prune: %v %+v", err, res)
	}
	res, err := r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, true)
	if err != nil {
		t.Fatalf("forget --keep-last 1 --prune: %v", err)
	}
	want := snapDir + "/" + s2.ID
	if len(res.SetAside) != 1 || res.SetAside[0].File != want || res.SetAside[0].To != want+damagedSuffix ||
		!strings.Contains(res.SetAside[0].Reason, "cannot be restored") {
		t.Fatalf("set aside: %+v", res.SetAside)
	}
	if len(res.Removed) != 1 || res.Removed[0] != s0.ID || res.Prune == nil || res.Prune.BytesFreed == 0 {
		t.Fatalf("forget: removed %v, prune %+v", res.Removed, res.Prune)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(want+damagedSuffix))); err != nil {
		t.Fatal(err)
	}
	verifyClean(t, "after forget", r, []string{s1.ID})
	restoreAndCheck(t, "after forget", r, s1, tv.v.Keys(), wantImg, wantRecs)
}

// TestPruneKeepsPackWithDamagedNeededBlob: a pack prune wants to rewrite
// holds a damaged blob a kept snapshot needs. Prune used to stop ("prune
// stopped before deleting anything"), so space could not be freed; now it
// keeps that pack as it is (the damage stays visible to verify) and frees
// the rest.
func TestPruneKeepsPackWithDamagedNeededBlob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 4)
	fv := &fakeVolume{id: "uuid:DAMAGEDCHUNK"}
	r, dir := initRepo(t, tv, fv)
	s0 := runBackup(t, r, tv)
	tv.bigEdit(6)
	s1 := runBackup(t, r, tv) // s0's pack is not needed any more
	tv.edit(2)
	tv.edit(3)
	tv.checkpoint()
	s2 := runBackup(t, r, tv) // s1's pack is partly needed: a rewrite
	ix, err := r.loadIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, cp, err := r.snapshotParts(ctx, ix, s2)
	if err != nil {
		t.Fatal(err)
	}
	loc := ix.blobs[BlobKey{BlobDBChunk, cp.Chunks[0]}] // unchanged since s1: in s1's pack
	flipAt(t, filepath.Join(dir, packPath(loc.Pack)), loc.Offset+loc.Length/2)
	res, err := r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, true)
	if err != nil {
		t.Fatalf("forget --keep-last 1 --prune with a damaged needed blob: %v", err)
	}
	if len(res.Removed) != 2 || res.Prune == nil || res.Prune.KeptDamaged != 1 || res.Prune.BytesFreed == 0 || res.Prune.PacksRewritten != 0 {
		t.Fatalf("forget: removed %v (%s, %s), prune %+v", res.Removed, s0.Short(), s1.Short(), res.Prune)
	}
	if _, err := os.Stat(filepath.Join(dir, packPath(loc.Pack))); err != nil {
		t.Fatalf("the damaged pack was deleted: %v", err)
	}
	rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil)
	checkDamageReport(t, "verify after prune", rep, err, packPath(loc.Pack), []string{s2.Short()}, nil)
}

// onePackRepo is a repository where the newest of four snapshots (the one
// kept) needs a part of each older snapshot's pack (pack 0 chunks 8-11,
// pack 1 chunks 2-3, pack 2 chunks 4-5), after forget without prune; dir
// holds it. room is enough free space to rewrite the largest of those
// packs alone, not all three at once.
func onePackRepo(t *testing.T) (tv *testVault, fv *fakeVolume, dir string, kept *Snapshot, wantImg []byte, wantRecs [][]byte, room int64, partly int) {
	t.Helper()
	ctx := context.Background()
	tv = newTestVault(t, 4)
	fv = &fakeVolume{id: "uuid:ONEBYONE"}
	r, dir := initRepo(t, tv, fv)
	tv.bigEdit(12)
	runBackup(t, r, tv)
	for _, chunks := range [][]int{{0, 1, 2, 3}, {0, 1, 4, 5}, {0, 1, 6, 7}} {
		for _, i := range chunks {
			tv.edit(i)
		}
		tv.checkpoint()
		kept = runBackup(t, r, tv)
	}
	wantImg, wantRecs = state(t, tv.v)
	res, err := r.Forget(ctx, retention.Policy{Last: 1}, time.UTC, false)
	if err != nil || len(res.Removed) != 3 {
		t.Fatalf("forget: %v", err)
	}
	// What prune will rewrite, and how much of each pack is needed.
	ix, err := r.loadIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := r.usage(ctx, ix)
	if err != nil {
		t.Fatal(err)
	}
	var needs []int64
	var sum, most int64
	for _, pe := range ix.packs {
		var n, used int64
		for _, bl := range pe.Blobs {
			if k := (BlobKey{bl.Type, bl.ID}); ix.blobs[k].Pack == pe.Name && u.need[k] != nil {
				n += bl.Length
				used++
			}
		}
		if used > 0 && used < int64(len(pe.Blobs)) {
			needs = append(needs, n)
			sum += n
			most = max(most, n)
		}
	}
	room = most + 8<<10 // the largest needed part and a new index
	if len(needs) < 2 || sum <= room {
		t.Fatalf("the test needs at least two partly needed packs that do not fit at once: needed parts %v, room %d", needs, room)
	}
	return tv, fv, dir, kept, wantImg, wantRecs, room, len(needs)
}

// TestPruneOnePackAtATime: on a drive with a little room, less than all
// the partly needed packs' needed blobs together but enough for the
// largest of them, prune rewrote none of them and said it could free
// nothing (a dead end: the backup that failed for lack of room still had
// none). It now rewrites them one at a time, each old pack deleted before
// the next is copied, and frees what they held.
func TestPruneOnePackAtATime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, fv, dir, kept, wantImg, wantRecs, room, partly := onePackRepo(t)
	fb := newFaultBackend(dir)
	opts := testOpts(fv)
	opts.Backend = fb
	r, err := Open(ctx, dir, tv.v.Keys(), opts)
	if err != nil {
		t.Fatal(err)
	}
	fb.room = room
	res, err := r.Prune(ctx)
	if err != nil {
		t.Fatalf("prune with %d bytes of room: %v", room, err)
	}
	if res.NotRewritten != 0 || res.PacksRewritten != partly {
		t.Errorf("prune with room for one pack at a time: %d of %d packs rewritten, %d not (%+v)", res.PacksRewritten, partly, res.NotRewritten, res)
	}
	fb.reset()
	verifyClean(t, "after prune one pack at a time", r, []string{kept.ID})
	restoreAndCheck(t, "after prune one pack at a time", r, kept, tv.v.Keys(), wantImg, wantRecs)
	// Nothing left for another prune to rewrite or delete.
	again, err := r.Prune(ctx)
	if err != nil || again.PacksRewritten != 0 || again.PacksRemoved != 0 {
		t.Errorf("a second prune: %v %+v", err, again)
	}
	// With room for none of them, none is rewritten and the repository
	// is as valid as before.
	tv, fv, dir, kept, _, _, _, partly = onePackRepo(t)
	fb = newFaultBackend(dir)
	opts = testOpts(fv)
	opts.Backend = fb
	if r, err = Open(ctx, dir, tv.v.Keys(), opts); err != nil {
		t.Fatal(err)
	}
	fb.room = 20 << 10
	res, err = r.Prune(ctx)
	if !errors.Is(err, ErrTargetFull) || res == nil || res.NotRewritten != partly || res.PacksRewritten != 0 {
		t.Errorf("prune with no room to rewrite: %v %+v", err, res)
	}
	fb.reset()
	verifyClean(t, "after prune with no room", r, []string{kept.ID})
}

// TestPruneOnePackAtATimeInterrupted kills the one-pack-at-a-time prune
// before each of its removes and saves: the repository verifies, the kept
// snapshot restores, and the next prune (with room) tidies up.
func TestPruneOnePackAtATimeInterrupted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, fv, base, kept, wantImg, wantRecs, room, _ := onePackRepo(t)
	open := func() (*Repo, *faultBackend) {
		dir := filepath.Join(t.TempDir(), "repo")
		copyDir(t, base, dir)
		fb := newFaultBackend(dir)
		opts := testOpts(fv)
		opts.Backend = fb
		r, err := Open(ctx, dir, tv.v.Keys(), opts)
		if err != nil {
			t.Fatal(err)
		}
		fb.room = room
		return r, fb
	}
	r, fb := open()
	if _, err := r.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	removes, saves := fb.removes, len(fb.savesSoFar())
	kill := errors.New("killed")
	for _, at := range []string{"remove", "save"} {
		n := removes
		if at == "save" {
			n = saves
		}
		for k := 0; k < n; k++ {
			label := fmt.Sprintf("prune killed before %s %d", at, k)
			r, fb := open()
			stop := func(n int, name string) error {
				if n >= k {
					return kill
				}
				return nil
			}
			if at == "remove" {
				fb.beforeRemove = stop
			} else {
				fb.before = stop
			}
			if _, err := r.Prune(ctx); !errors.Is(err, kill) {
				t.Fatalf("%s: prune returned %v", label, err)
			}
			fb.reset()
			verifyClean(t, label, r, []string{kept.ID})
			restoreAndCheck(t, label, r, kept, tv.v.Keys(), wantImg, wantRecs)
			if _, err := r.Prune(ctx); err != nil {
				t.Fatalf("%s, then prune again: %v", label, err)
			}
			rep := verifyClean(t, label+", then prune again", r, []string{kept.ID})
			if len(rep.Gone) > 0 || len(rep.Unreferenced) > 0 {
				t.Fatalf("%s, then prune again: left %v %v", label, rep.Gone, rep.Unreferenced)
			}
		}
	}
}
