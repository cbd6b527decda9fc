package backup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"casevault/backup/retention"
	"casevault/vault"
)

func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 40)
	fv := &fakeVolume{id: "uuid:AAAA"}
	r, dir := initRepo(t, tv, fv)

	s1 := runBackup(t, r, tv)
	if s1.AddedBlobs < 40 {
		t.Fatalf("first backup added %d blobs, want at least the 40 chunks", s1.AddedBlobs)
	}
	img1, recs1 := append([]byte(nil), tv.img...), [][]byte(nil)

	// One edit: only the log grows. The next backup writes a little.
	tv.edit(3)
	_, recs2 := state(t, tv.v)
	s2 := runBackup(t, r, tv)
	if s2.AddedBytes > 64<<10 {
		t.Fatalf("incremental backup after one log record wrote %d bytes", s2.AddedBytes)
	}
	if s2.AddedBlobs != 2 {
		t.Fatalf("incremental backup added %d blobs, want 2 (the log's head piece and its records)", s2.AddedBlobs)
	}
	// A checkpoint: one chunk changed.
	tv.checkpoint()
	tv.edit(5)
	img3, recs3 := state(t, tv.v)
	s3 := runBackup(t, r, tv)
	if s3.AddedBlobs != 4 { // chunk 3 (the edit before), manifest, the log's head piece and its records
		t.Fatalf("backup after a checkpoint added %d blobs, want 4", s3.AddedBlobs)
	}
	if s3.AddedBytes > 4*vault.ChunkSize {
		t.Fatalf("backup after a checkpoint wrote %d bytes", s3.AddedBytes)
	}

	// Restore each snapshot with the passphrase alone.
	rr, err := OpenWithCredential(ctx, dir, vault.Passphrase([]byte(testPass)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	for _, c := range []struct {
		s    *Snapshot
		img  []byte
		recs [][]byte
	}{{s1, img1, recs1}, {s2, img1, recs2}, {s3, img3, recs3}} {
		to := filepath.Join(t.TempDir(), "restored")
		s, err := rr.FindSnapshot(ctx, c.s.ID[:6])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rr.Restore(ctx, s, to, nil); err != nil {
			t.Fatal(err)
		}
		v, err := vault.Open(to, vault.Passphrase([]byte(testPass)))
		if err != nil {
			t.Fatal(err)
		}
		sameState(t, "snapshot "+s.Short(), c.img, c.recs, v)
		v.Close()
	}

	// The recovery key opens the repository too.
	rk, err := vault.Recovery(string(tv.rec))
	if err != nil {
		t.Fatal(err)
	}
	rr2, err := OpenWithCredential(ctx, dir, rk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rr2.Close()

	// A wrong passphrase does not.
	if _, err := OpenWithCredential(ctx, dir, vault.Passphrase([]byte("nope")), Options{}); !errors.Is(err, vault.ErrWrongCredential) {
		t.Fatalf("wrong passphrase: %v", err)
	}

	rep, err := rr.Verify(ctx, VerifyOptions{ReadData: true}, nil)
	if err != nil {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	if rep.Snapshots != 3 || len(rep.Healthy) != 3 {
		t.Fatalf("verify report: %+v", rep)
	}
}

func TestRestoreRefusesExistingVault(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 3)
	r, _ := initRepo(t, tv, &fakeVolume{id: "uuid:A"})
	s := runBackup(t, r, tv)
	if _, err := r.Restore(ctx, s, tv.dir, nil); !errors.Is(err, vault.ErrExists) {
		t.Fatalf("restore over the live vault: %v", err)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "x"), []byte("x"), 0o600)
	if _, err := r.Restore(ctx, s, other, nil); !errors.Is(err, vault.ErrExists) {
		t.Fatalf("restore into a non-empty folder: %v", err)
	}
}

func TestWrongVolumeRefused(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 2)
	fv := &fakeVolume{id: "uuid:STICK"}
	r, dir := initRepo(t, tv, fv)
	runBackup(t, r, tv)
	before := listFiles(t, dir)
	fv.id = "dev:8:1" // the stick is unplugged and the folder is on the system disk
	src, release := tv.source()
	defer release()
	_, err := r.Backup(ctx, src, nil)
	if !errors.Is(err, ErrWrongVolume) {
		t.Fatalf("backup on another drive: %v", err)
	}
	if after := listFiles(t, dir); len(after) != len(before) {
		t.Fatalf("a refused backup wrote files: %v -> %v", before, after)
	}
	// Confirming the move records the new drive.
	if err := r.AdoptVolume(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Backup(ctx, src, nil); err != nil {
		t.Fatal(err)
	}
}

func TestOpenMissingTarget(t *testing.T) {
	tv := newTestVault(t, 1)
	dir := filepath.Join(t.TempDir(), "not-plugged-in")
	if _, err := Open(context.Background(), dir, tv.v.Keys(), Options{}); !errors.Is(err, ErrTargetMissing) {
		t.Fatalf("open of a missing folder: %v", err)
	}
	empty := t.TempDir()
	if _, err := Open(context.Background(), empty, tv.v.Keys(), Options{}); !errors.Is(err, ErrNotRepo) {
		t.Fatalf("open of an empty folder: %v", err)
	}
}

func TestInitRefusesNonEmptyFolder(t *testing.T) {
	tv := newTestVault(t, 1)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "letter.docx"), []byte("x"), 0o600)
	c, release, _ := tv.v.Capture()
	release()
	if _, err := Init(context.Background(), dir, tv.v.Keys(), c.Header, Options{}); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("init in a non-empty folder: %v", err)
	}
}

func TestOtherVaultRefused(t *testing.T) {
	tv := newTestVault(t, 1)
	_, dir := initRepo(t, tv, &fakeVolume{id: "x"})
	other := newTestVault(t, 1)
	if _, err := Open(context.Background(), dir, other.v.Keys(), Options{}); !errors.Is(err, ErrWrongVault) {
		t.Fatalf("another vault's repository: %v", err)
	}
}

func TestForgetAndPrune(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 20)
	fv := &fakeVolume{id: "v"}
	r, _ := initRepo(t, tv, fv)
	day := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var snaps []*Snapshot
	for i := 0; i < 6; i++ {
		now := day.Add(time.Duration(i) * 24 * time.Hour)
		r.opts.Now = func() time.Time { return now }
		tv.edit(i)
		tv.checkpoint()
		snaps = append(snaps, runBackup(t, r, tv))
	}
	wantImg, wantRecs := state(t, tv.v)
	res, err := r.Forget(ctx, retention.Policy{Last: 2}, time.UTC, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Removed) != 4 {
		t.Fatalf("removed %d snapshots, want 4", len(res.Removed))
	}
	if res.Prune == nil || res.Prune.BytesFreed == 0 {
		t.Fatalf("prune freed nothing: %+v", res.Prune)
	}
	rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil)
	if err != nil {
		t.Fatalf("verify after prune: %v %+v", err, rep)
	}
	latest, err := r.FindSnapshot(ctx, "latest")
	if err != nil {
		t.Fatal(err)
	}
	if latest.ID != snaps[5].ID {
		t.Fatalf("latest is %s, want %s", latest.ID, snaps[5].ID)
	}
	to := filepath.Join(t.TempDir(), "r")
	if _, err := r.Restore(ctx, latest, to, nil); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(to, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	sameState(t, "after prune", wantImg, wantRecs, v)
	if _, err := r.Forget(ctx, retention.Policy{}, time.UTC, false); err == nil {
		t.Fatal("forget with an empty policy succeeded")
	}
}

func listFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestManyIndexFilesAreMerged(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 4)
	r, dir := initRepo(t, tv, &fakeVolume{id: "v"})
	for i := 0; i < maxIndexFiles+3; i++ {
		tv.edit(i % 4)
		runBackup(t, r, tv)
	}
	entries, err := os.ReadDir(filepath.Join(dir, indexDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > maxIndexFiles {
		t.Fatalf("%d index files after %d backups", len(entries), maxIndexFiles+3)
	}
	if rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil); err != nil || rep.Snapshots != maxIndexFiles+3 {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}

func TestBackupRewritesMissingPack(t *testing.T) {
	ctx := context.Background()
	tv := newTestVault(t, 6)
	r, dir := initRepo(t, tv, &fakeVolume{id: "v"})
	runBackup(t, r, tv)
	var packs []string
	filepath.Walk(filepath.Join(dir, dataDir), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			packs = append(packs, p)
		}
		return nil
	})
	for _, p := range packs {
		os.Remove(p)
	}
	src, release := tv.source()
	defer release()
	res, err := r.Backup(ctx, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) == 0 {
		t.Fatal("no warning about the missing pack")
	}
	wantImg, wantRecs := state(t, tv.v)
	to := filepath.Join(t.TempDir(), "r")
	if _, err := r.Restore(ctx, res.Snapshot, to, nil); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(to, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	sameState(t, "after rewriting a lost pack", wantImg, wantRecs, v)
}

// TestLogPiecesShared: the redo log only grows, so a backup after a small
// append stores only the new tail. The log's file header is the exception:
// its acknowledgement mark (log format 2) is rewritten at every append, so
// it is a piece of its own; before it was, every backup stored the first
// 64 KiB of the log again.
func TestLogPiecesShared(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t, 2)
	r, _ := initRepo(t, tv, &fakeVolume{id: "uuid:LOG"})
	for range 30 { // about 150 KB: three full pieces and a partial one
		if err := tv.v.AppendLog(bytes.Repeat([]byte("x"), 5000)); err != nil {
			t.Fatal(err)
		}
	}
	s1 := runBackup(t, r, tv)
	if err := tv.v.AppendLog([]byte("one more record")); err != nil {
		t.Fatal(err)
	}
	s2 := runBackup(t, r, tv)
	if len(s1.Log) < 3 || len(s2.Log) != len(s1.Log) {
		t.Fatalf("log pieces: %d then %d (log %d then %d bytes)", len(s1.Log), len(s2.Log), s1.LogSize, s2.LogSize)
	}
	for i := 1; i < len(s1.Log)-1; i++ {
		if s1.Log[i] != s2.Log[i] {
			t.Errorf("log piece %d of %d was stored again after a small append", i, len(s1.Log))
		}
	}
	if s2.AddedBytes >= SegmentSize {
		t.Errorf("a backup after a %d-byte append added %d bytes", s2.LogSize-s1.LogSize, s2.AddedBytes)
	}
}
