package vault

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// A checkpoint that fails after writing some chunks leaves their files in
// place until the next open. The next checkpoint reuses those files; its
// manifest must not name them before their folders are fsynced, or a power
// cut could leave a manifest that names missing chunks (and the old log is
// already gone): a vault that no longer opens.
// Not parallel: it sets the package's folder-sync hook.
func TestCheckpointSyncsFoldersOfLeftoverChunks(t *testing.T) {
	v, _, _ := newVault(t)
	load(t, v)
	image := make([]byte, 3*ChunkSize+100)
	rand.Read(image)
	defer func() { syncDirHook = nil }()
	dbDir := filepath.Join(ObjectsDir, KindDBChunk.dir())
	syncDirHook = func(dir string) error {
		if strings.Contains(dir, dbDir) {
			return errors.New("injected folder fsync failure")
		}
		return nil
	}
	if err := v.WriteCheckpoint(context.Background(), image, nil); err == nil {
		t.Fatal("checkpoint succeeded although its folder fsyncs failed")
	}
	synced := map[string]bool{}
	syncDirHook = func(dir string) error { synced[dir] = true; return nil }
	if err := v.WriteCheckpoint(context.Background(), image, nil); err != nil {
		t.Fatal(err)
	}
	syncDirHook = nil
	for _, id := range v.Current().Chunks {
		d := filepath.Dir(v.objectPath(KindDBChunk, id))
		for _, want := range []string{d, filepath.Dir(d)} {
			if !synced[want] {
				t.Errorf("manifest names chunk %s but folder %s was not fsynced", id, want)
			}
		}
	}
}

// When a redo log append fails and cutting the record back off cannot be made
// durable either, the record may still be on disk (and be replayed at the
// next open, or leave its tail behind the next record): no further writes
// may be accepted until the vault is reopened. When the cut-back is durable,
// writing goes on.
// Not parallel: it sets the package's log-sync hook.
func TestAppendLogCutBackFailureStopsWrites(t *testing.T) {
	defer func() { logSyncHook = nil }()
	for _, tc := range []struct {
		name      string
		failSyncs int // how many fdatasyncs fail, from the record's own
		wantStop  bool
	}{
		{"record sync fails, cut-back durable", 1, false},
		{"record sync and cut-back sync fail", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, _, _ := newVault(t)
			load(t, v)
			if _, err := v.ReadLog(); err != nil {
				t.Fatal(err)
			}
			if err := v.AppendLog([]byte("first")); err != nil {
				t.Fatal(err)
			}
			n := 0
			logSyncHook = func() error {
				if n++; n <= tc.failSyncs {
					return errors.New("injected fdatasync failure")
				}
				return nil
			}
			if err := v.AppendLog([]byte("second")); err == nil {
				t.Fatal("append succeeded although its fdatasync failed")
			}
			logSyncHook = nil
			err := v.AppendLog([]byte("third"))
			if tc.wantStop && err == nil {
				t.Fatal("append accepted after a failed cut-back")
			}
			if !tc.wantStop && err != nil {
				t.Fatalf("append after a durable cut-back: %v", err)
			}
		})
	}
}

// A Create that fails part way leaves the folder as it found it, so that
// creating the vault can be tried again there (the window offers no other
// folder). Not parallel: it sets the package's folder-sync hook.
func TestCreateFailureLeavesFolderEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	defer func() { syncDirHook = nil }()
	syncDirHook = func(d string) error {
		if d == dir {
			return errors.New("injected folder fsync failure")
		}
		return nil
	}
	if _, _, err := Create(dir, testPass, testOpts()); err == nil {
		t.Fatal("Create succeeded although its folder fsync failed")
	}
	syncDirHook = nil
	if Exists(dir) {
		t.Fatal("a failed Create left a header")
	}
	v, _, err := Create(dir, testPass, testOpts())
	if err != nil {
		t.Fatalf("Create again after a failed Create: %v", err)
	}
	v.Close()
}
