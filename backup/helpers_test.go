package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"casevault/backup/volume"
	"casevault/vault"
)

var testKDF = vault.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

const testPass = "correct horse battery staple"

// fakeVolume makes every folder look like it is on one drive, so tests do
// not depend on the machine's mounts; set id to simulate another drive.
type fakeVolume struct{ id string }

func (f *fakeVolume) of(path string) (volume.Volume, error) {
	return volume.Volume{ID: f.id, MountPoint: "/media/test/STICK", Label: "STICK", FSType: "vfat", Removable: true}, nil
}

// testVault is a vault with a database image of n chunks and some log records.
type testVault struct {
	t   testing.TB
	v   *vault.Vault
	dir string
	rec vault.RecoveryKey
	img []byte
}

func newTestVault(t testing.TB, chunks int) *testVault {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, rec, err := vault.Create(dir, []byte(testPass), vault.CreateOptions{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	tv := &testVault{t: t, v: v, dir: dir, rec: rec}
	t.Cleanup(func() { tv.v.Close() })
	if _, _, err := v.LoadCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.ReadLog(); err != nil {
		t.Fatal(err)
	}
	tv.img = make([]byte, chunks*vault.ChunkSize-1000)
	rand.Read(tv.img)
	tv.checkpoint()
	return tv
}

func (tv *testVault) checkpoint() {
	tv.t.Helper()
	if err := tv.v.WriteCheckpoint(context.Background(), tv.img, []byte(`{"clients":1}`)); err != nil {
		tv.t.Fatal(err)
	}
}

// edit changes one chunk of the image and appends a log record.
func (tv *testVault) edit(i int) {
	tv.t.Helper()
	rand.Read(tv.img[i*vault.ChunkSize : i*vault.ChunkSize+100])
	if err := tv.v.AppendLog([]byte(fmt.Sprintf("edit %d %x", i, tv.img[i*vault.ChunkSize:i*vault.ChunkSize+8]))); err != nil {
		tv.t.Fatal(err)
	}
}

func (tv *testVault) source() (Source, func()) {
	tv.t.Helper()
	c, release, err := tv.v.Capture()
	if err != nil {
		tv.t.Fatal(err)
	}
	return Source{
		Capture: c, ReadObject: tv.v.ReadObjectFile, ObjectName: tv.v.ObjectPath,
		Counts: Counts{"clients": 1}, AuditHead: "1:abc", ContentHash: "hash",
	}, release
}

// state is what a vault holds: its image and log records.
func state(t testing.TB, v *vault.Vault) ([]byte, [][]byte) {
	t.Helper()
	img, _, err := v.LoadCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	recs, err := v.ReadLog()
	if err != nil {
		t.Fatal(err)
	}
	return img, recs
}

func sameState(t testing.TB, label string, wantImg []byte, wantRecs [][]byte, v *vault.Vault) {
	t.Helper()
	img, recs := state(t, v)
	if !bytes.Equal(img, wantImg) {
		t.Fatalf("%s: image differs (%d vs %d bytes)", label, len(img), len(wantImg))
	}
	if len(recs) != len(wantRecs) {
		t.Fatalf("%s: %d log records, want %d", label, len(recs), len(wantRecs))
	}
	for i := range recs {
		if !bytes.Equal(recs[i], wantRecs[i]) {
			t.Fatalf("%s: log record %d differs", label, i)
		}
	}
}

func testOpts(fv *fakeVolume) Options {
	return Options{Volume: fv.of, Now: time.Now, Host: "test", AppVersion: "test"}
}

func initRepo(t testing.TB, tv *testVault, fv *fakeVolume) (*Repo, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	c, release, err := tv.v.Capture()
	if err != nil {
		t.Fatal(err)
	}
	release()
	r, err := Init(context.Background(), dir, tv.v.Keys(), c.Header, testOpts(fv))
	if err != nil {
		t.Fatal(err)
	}
	return r, dir
}

func runBackup(t testing.TB, r *Repo, tv *testVault) *Snapshot {
	t.Helper()
	src, release := tv.source()
	defer release()
	res, err := r.Backup(context.Background(), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Snapshot
}
