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
func TestCheckpointSyncsFoldersOfLeftoverChunks(t *testing.T) {
	t.Parallel()
	v, f := newFaultyVault(t)
	load(t, v)
	image := make([]byte, 3*ChunkSize+100)
	rand.Read(image)
	dbDir := filepath.Join(ObjectsDir, KindDBChunk.dir())
	f.set(func(dir string) error {
		if strings.Contains(dir, dbDir) {
			return errors.New("injected folder fsync failure")
		}
		return nil
	}, nil)
	if err := v.WriteCheckpoint(context.Background(), image, nil); err == nil {
		t.Fatal("checkpoint succeeded although its folder fsyncs failed")
	}
	synced := map[string]bool{}
	f.set(func(dir string) error { synced[dir] = true; return nil }, nil)
	if err := v.WriteCheckpoint(context.Background(), image, nil); err != nil {
		t.Fatal(err)
	}
	f.set(nil, nil)
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
func TestAppendLogCutBackFailureStopsWrites(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		failSyncs int // how many fdatasyncs fail, from the record's own
		wantStop  bool
	}{
		{"record sync fails, cut-back durable", 1, false},
		{"record sync and cut-back sync fail", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, f := newFaultyVault(t)
			load(t, v)
			if _, err := v.ReadLog(); err != nil {
				t.Fatal(err)
			}
			if err := v.AppendLog([]byte("first")); err != nil {
				t.Fatal(err)
			}
			n := 0
			f.set(nil, func(string) error {
				if n++; n <= tc.failSyncs {
					return errors.New("injected fdatasync failure")
				}
				return nil
			})
			if err := v.AppendLog([]byte("second")); err == nil {
				t.Fatal("append succeeded although its fdatasync failed")
			}
			f.set(nil, nil)
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
// folder).
func TestCreateFailureLeavesFolderEmpty(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "vault")
	f := newFaultFS()
	f.set(func(d string) error {
		if d == dir {
			return errors.New("injected folder fsync failure")
		}
		return nil
	}, nil)
	if _, _, err := Create(dir, testPass, faultyOpts(f)); err == nil {
		t.Fatal("Create succeeded although its folder fsync failed")
	}
	if Exists(dir) {
		t.Fatal("a failed Create left a header")
	}
	v, _, err := Create(dir, testPass, testOpts())
	if err != nil {
		t.Fatalf("Create again after a failed Create: %v", err)
	}
	v.Close()
}
