package backup

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/backup/retention"
	"casevault/vault"
)

// destroyedRepo is a repository of three snapshots: the first holds the
// canary in one chunk of a pack that is otherwise still needed (and in log
// records); the canary was then overwritten and checkpointed away before
// the second and third. Forget's ordinary prune keeps such a pack (it is
// mostly needed): only a thorough one removes the canary from the drive.
func destroyedRepo(t *testing.T) (tv *testVault, fv *fakeVolume, dir string, snaps []*Snapshot) {
	t.Helper()
	tv = newTestVault(t, 2)
	tv.img = make([]byte, 24*vault.ChunkSize)
	rand.Read(tv.img)
	copy(tv.img[5*vault.ChunkSize+100:], canaries[0])
	tv.checkpoint()
	for i := 0; i < 3; i++ {
		if err := tv.v.AppendLog([]byte(fmt.Sprintf(`{"client":%q,"n":%d}`, canaries[1], i))); err != nil {
			t.Fatal(err)
		}
	}
	fv = &fakeVolume{id: "uuid:DESTROYED"}
	r, dir := initRepo(t, tv, fv)
	snaps = append(snaps, runBackup(t, r, tv))
	rand.Read(tv.img[5*vault.ChunkSize : 6*vault.ChunkSize]) // the destruction
	tv.checkpoint()
	snaps = append(snaps, runBackup(t, r, tv))
	tv.edit(9)
	snaps = append(snaps, runBackup(t, r, tv))
	return tv, fv, dir, snaps
}

// restoredLeaks restores s and returns the canaries its plaintext (database
// image and redo log records) holds.
func restoredLeaks(t *testing.T, r *Repo, s *Snapshot, keys *vault.Keys) []string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "restored")
	if _, err := r.Restore(context.Background(), s, to, nil); err != nil {
		t.Fatalf("restore %s: %v", s.Short(), err)
	}
	v, err := vault.OpenWithKeys(to, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	img, recs := state(t, v)
	found := scanForCanaries(img)
	for _, rec := range recs {
		found = append(found, scanForCanaries(rec)...)
	}
	return found
}

func TestForgetSnapshotsThorough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, fv, base, snaps := destroyedRepo(t)

	// Before: the old snapshot holds the canary, the later ones do not.
	r0, err := Open(ctx, base, tv.v.Keys(), testOpts(fv))
	if err != nil {
		t.Fatal(err)
	}
	if leaks := restoredLeaks(t, r0, snaps[0], tv.v.Keys()); len(leaks) == 0 {
		t.Fatal("the snapshot made before the destruction holds no canary: the test proves nothing")
	}
	if leaks := restoredLeaks(t, r0, snaps[1], tv.v.Keys()); len(leaks) > 0 {
		t.Fatalf("snapshot %s, made after the destruction, holds %v", snaps[1].Short(), leaks)
	}

	// Forget's ordinary prune keeps the mostly needed pack, and with it
	// the canary's chunk.
	plain := filepath.Join(t.TempDir(), "repo")
	copyDir(t, base, plain)
	rp, err := Open(ctx, plain, tv.v.Keys(), testOpts(fv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Forget(ctx, retention.Policy{Last: 2}, time.UTC, true); err != nil {
		t.Fatal(err)
	}
	if left, err := rp.Unneeded(ctx); err != nil || left.Zero() {
		t.Fatalf("after an ordinary prune: %+v %v; the scenario should leave the canary's chunk behind", left, err)
	}

	dir := filepath.Join(t.TempDir(), "repo")
	copyDir(t, base, dir)
	r, err := Open(ctx, dir, tv.v.Keys(), testOpts(fv))
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.ForgetSnapshots(ctx, []string{strings.ToUpper(snaps[0].ID)}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Removed) != 1 || res.Removed[0] != snaps[0].ID || len(res.Missing) != 0 || res.Prune == nil || res.Prune.PacksRewritten == 0 {
		t.Fatalf("ForgetSnapshots: %+v %+v", res, res.Prune)
	}
	if !res.Left.Zero() {
		t.Fatalf("left on the drive: %+v", res.Left)
	}
	verifyClean(t, "after ForgetSnapshots", r, []string{snaps[1].ID, snaps[2].ID})
	wantImg, wantRecs := state(t, tv.v)
	restoreAndCheck(t, "after ForgetSnapshots", r, snaps[2], tv.v.Keys(), wantImg, wantRecs)
	if leaks := restoredLeaks(t, r, snaps[1], tv.v.Keys()); len(leaks) > 0 {
		t.Fatalf("snapshot %s holds %v", snaps[1].Short(), leaks)
	}
	// And the raw files: every pack's blobs are all needed (Left) and no
	// file holds the canary in any encoding.
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, f := range scanForCanaries(b) {
			t.Errorf("%s holds %s", p, f)
		}
		return nil
	})

	// Asked again: nothing to remove, the id is reported missing.
	res, err = r.ForgetSnapshots(ctx, []string{snaps[0].ID}, true)
	if err != nil || len(res.Removed) != 0 || len(res.Missing) != 1 || !res.Left.Zero() {
		t.Fatalf("ForgetSnapshots again: %v %+v", err, res)
	}
}

func TestForgetSnapshotsRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, fv, base, snaps := destroyedRepo(t)
	r, err := Open(ctx, base, tv.v.Keys(), testOpts(fv))
	if err != nil {
		t.Fatal(err)
	}
	before := dirBytes(t, base)
	for _, c := range []struct {
		label string
		ids   []string
		want  error
	}{
		{"a short id", []string{snaps[0].ID, snaps[1].Short()}, ErrNoSnapshot},
		{"not hex", []string{strings.Repeat("z", 32)}, ErrNoSnapshot},
		{"the newest", []string{snaps[0].ID, snaps[2].ID}, ErrKeepNewest},
	} {
		res, err := r.ForgetSnapshots(ctx, c.ids, true)
		if !errors.Is(err, c.want) || res != nil {
			t.Fatalf("%s: %v %+v, want %v", c.label, err, res, c.want)
		}
		after := dirBytes(t, base)
		delete(after, "lock")
		delete(before, "lock")
		sameDirBytes(t, c.label, before, after)
	}
	if msg := fmt.Sprint(r.ForgetSnapshots(ctx, []string{snaps[2].ID}, false)); !strings.Contains(msg, "make a new backup first") {
		t.Fatalf("the newest: %s", msg)
	}
}

// TestForgetSnapshotsTargetVanishes: the drive goes away before the call,
// or between the removal of the snapshot file and the prune: the error
// says the drive was disconnected and nothing is made where it was.
func TestForgetSnapshotsTargetVanishes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, fv, base, snaps := destroyedRepo(t)
	for k := -1; k < 2; k++ {
		parent := t.TempDir()
		dir := filepath.Join(parent, "repo")
		copyDir(t, base, dir)
		fb := newFaultBackend(dir)
		opts := testOpts(fv)
		opts.Backend = fb
		r, err := Open(ctx, dir, tv.v.Keys(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if k < 0 {
			os.RemoveAll(dir)
		}
		fb.beforeRemove = func(n int, name string) error {
			if n == k {
				os.RemoveAll(dir)
			}
			return nil
		}
		_, err = r.ForgetSnapshots(ctx, []string{snaps[0].ID, snaps[1].ID}, true)
		if !errors.Is(err, ErrTargetGone) && !errors.Is(err, ErrTargetMissing) {
			t.Fatalf("vanished before remove %d: %v", k, err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("vanished before remove %d: the folder was made again", k)
		}
	}
}

// TestForgetSnapshotsFullDrive: on a full drive the forgotten snapshot's
// files go, but its chunk inside a needed pack cannot be rewritten out:
// the result says what is left (and the error that the drive is full); the
// repository stays valid, and once there is room a second call (nothing
// more to forget) removes what was left.
func TestForgetSnapshotsFullDrive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, fv, base, snaps := destroyedRepo(t)
	dir := filepath.Join(t.TempDir(), "repo")
	copyDir(t, base, dir)
	fb := newFaultBackend(dir)
	opts := testOpts(fv)
	opts.Backend = fb
	r, err := Open(ctx, dir, tv.v.Keys(), opts)
	if err != nil {
		t.Fatal(err)
	}
	fb.noRoom = true
	res, err := r.ForgetSnapshots(ctx, []string{snaps[0].ID}, true)
	// Every pack is partly needed: nothing can go without room to rewrite.
	if !errors.Is(err, ErrTargetFull) || res == nil || len(res.Removed) != 1 || res.Left.Zero() {
		t.Fatalf("on a full drive: %v %+v", err, res)
	}
	fb.reset()
	verifyClean(t, "after a full drive", r, []string{snaps[1].ID, snaps[2].ID})
	res, err = r.ForgetSnapshots(ctx, nil, true)
	if err != nil || !res.Left.Zero() {
		t.Fatalf("with room again: %v %+v", err, res)
	}
	verifyClean(t, "with room again", r, []string{snaps[1].ID, snaps[2].ID})
	if leaks := restoredLeaks(t, r, snaps[1], tv.v.Keys()); len(leaks) > 0 {
		t.Fatalf("snapshot %s holds %v", snaps[1].Short(), leaks)
	}
}

// TestKeySlots: the slots of every key file, each once: a user added to
// the vault can open the backup made after that (a new key file), and the
// count of key files says an earlier header copy is still there.
func TestKeySlots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 2)
	fv := &fakeVolume{id: "uuid:SLOTS"}
	r, _ := initRepo(t, tv, fv)
	runBackup(t, r, tv)
	slots, n, err := r.KeySlots(ctx)
	if err != nil || n != 1 {
		t.Fatalf("KeySlots: %v, %d key files", err, n)
	}
	if len(slots) != len(tv.v.Slots()) {
		t.Fatalf("slots %+v, the vault's %+v", slots, tv.v.Slots())
	}
	if err := tv.v.AddUserSlot("Ann Lee", []byte("her own passphrase here"), nil, testKDF); err != nil {
		t.Fatal(err)
	}
	tv.edit(1)
	runBackup(t, r, tv)
	slots, n, err = r.KeySlots(ctx)
	if err != nil || n != 2 {
		t.Fatalf("KeySlots after a user was added: %v, %d key files", err, n)
	}
	tag := vault.UserTag(tv.v.Info().VaultID, "Ann Lee")
	users := 0
	for _, s := range slots {
		if s.Tag == tag {
			users++
		}
	}
	if users != 1 || len(slots) != len(tv.v.Slots()) {
		t.Fatalf("slots %+v (the user's %d times), the vault's now %+v", slots, users, tv.v.Slots())
	}
}
