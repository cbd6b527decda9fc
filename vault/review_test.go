package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"sync"
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
	var mu sync.Mutex // the checkpoint syncs folders in parallel
	f.set(func(dir string) error { mu.Lock(); synced[dir] = true; mu.Unlock(); return nil }, nil)
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

// A checkpoint whose chunk files cannot be made durable (their fsync fails,
// for any one of them, while the others are flushed in parallel) fails and
// leaves the previous checkpoint as it was: the same manifest, loading the
// same image, with no temp files behind; the next checkpoint succeeds.
func TestCheckpointChunkFsyncFailureKeepsOld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, f := newFaultyVault(t)
	load(t, v)
	first := make([]byte, 40*ChunkSize+100)
	rand.Read(first)
	if err := v.WriteCheckpoint(ctx, first, nil); err != nil {
		t.Fatal(err)
	}
	manifest := readFile(t, filepath.Join(v.Dir(), ManifestFile))
	for _, failAt := range []int{1, 7, 20} {
		second := bytes.Clone(first)
		for i := 0; i < 40; i += 2 {
			second[i*ChunkSize] ^= byte(failAt) // 20 changed chunks, new in each round
		}
		second = append(second, 1, 2, 3)
		var mu sync.Mutex
		n := 0
		f.setFsync(func(name string) error {
			mu.Lock()
			defer mu.Unlock()
			if n++; n == failAt {
				return errors.New("injected fsync failure")
			}
			return nil
		})
		err := v.WriteCheckpoint(ctx, second, nil)
		f.setFsync(nil)
		if err == nil || !strings.Contains(err.Error(), "injected fsync failure") {
			t.Fatalf("fsync %d failing: checkpoint returned %v", failAt, err)
		}
		if got := readFile(t, filepath.Join(v.Dir(), ManifestFile)); !bytes.Equal(got, manifest) {
			t.Fatalf("fsync %d failing: the manifest changed", failAt)
		}
		for _, p := range chunkFiles(t, v.Dir()) {
			if strings.HasPrefix(filepath.Base(p), ".tmp-") {
				t.Fatalf("fsync %d failing: temp file %s left", failAt, p)
			}
		}
		v = reopen(t, v)
		v.fs = f // Open gives the operating system's
		if img, _ := load(t, v); !bytes.Equal(img, first) {
			t.Fatalf("fsync %d failing: the previous checkpoint does not load as it was", failAt)
		}
	}
	second := append(bytes.Clone(first), 9)
	if err := v.WriteCheckpoint(ctx, second, nil); err != nil {
		t.Fatal(err)
	}
	v = reopen(t, v)
	if img, _ := load(t, v); !bytes.Equal(img, second) {
		t.Fatal("the checkpoint after the failures does not load")
	}
}
