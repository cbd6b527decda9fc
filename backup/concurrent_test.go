package backup

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"casevault/vault"
)

// TestBackupWhileWriting backs up repeatedly while another goroutine keeps
// appending log records and checkpointing. As in the app, writes are held
// back only while the capture is taken (the store's lock; here a mutex), not
// during the backup itself. Every snapshot must restore to a consistent
// state: an image that was checkpointed, followed by the records written
// after it, in order, with none missing in between.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv := newTestVault(t, 6)
	fv := &fakeVolume{id: "uuid:CONC"}
	r, _ := initRepo(t, tv, fv)
	backups := 6
	if isHeavy() {
		backups = 40
	}

	// The image's first 8 bytes count the records it includes (crashRecord).
	var storeMu sync.Mutex // the store's lock
	var histMu sync.Mutex
	images := map[[32]byte]uint64{} // checkpointed image -> records it includes
	img := append([]byte(nil), tv.img...)
	binary.LittleEndian.PutUint64(img, 0)
	if err := tv.v.WriteCheckpoint(ctx, img, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	images[sha256.Sum256(img)] = 0

	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	var written uint64
	go func() {
		rng := rand.New(rand.NewPCG(1, 2))
		var next uint64
		for {
			select {
			case <-stop:
				written = next // read after writerDone
				writerDone <- nil
				return
			default:
			}
			storeMu.Lock()
			err := tv.v.AppendLog(crashRecord(next))
			if err == nil {
				next++
				if rng.IntN(4) == 0 {
					binary.LittleEndian.PutUint64(img, next)
					c := rng.IntN(6)
					img[c*vault.ChunkSize+100+rng.IntN(1000)]++
					err = tv.v.WriteCheckpoint(ctx, img, []byte(`{}`))
					histMu.Lock()
					images[sha256.Sum256(img)] = next
					histMu.Unlock()
				}
			}
			storeMu.Unlock()
			if err != nil {
				writerDone <- err
				return
			}
			runtime.Gosched()
		}
	}()

	var snaps []*Snapshot
	for i := 0; i < backups; i++ {
		storeMu.Lock()
		c, release, err := tv.v.Capture()
		storeMu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		src := Source{Capture: c, ReadObject: tv.v.ReadObjectFile, ObjectName: tv.v.ObjectPath, Counts: Counts{}}
		res, err := r.Backup(ctx, src, nil)
		release()
		if err != nil {
			close(stop)
			<-writerDone
			t.Fatalf("backup %d: %v", i, err)
		}
		snaps = append(snaps, res.Snapshot)
		time.Sleep(time.Millisecond)
	}
	close(stop)
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}

	var prev uint64
	for i, s := range snaps {
		to := t.TempDir() + "/restored"
		if _, err := r.Restore(ctx, s, to, nil); err != nil {
			t.Fatalf("restore of backup %d: %v", i, err)
		}
		v, err := vault.OpenWithKeys(to, tv.v.Keys())
		if err != nil {
			t.Fatal(err)
		}
		rimg, recs := state(t, v)
		v.Close()
		histMu.Lock()
		m, ok := images[sha256.Sum256(rimg)]
		histMu.Unlock()
		if !ok {
			t.Fatalf("backup %d: the image is none of the checkpoints written", i)
		}
		total, err := checkCrashState(rimg, recs)
		if err != nil || total != m+uint64(len(recs)) {
			t.Fatalf("backup %d: %v", i, err)
		}
		if total < prev || total > written {
			t.Fatalf("backup %d holds %d records; the one before held %d, and %d were written", i, total, prev, written)
		}
		prev = total
		t.Logf("backup %d: checkpoint of %d records, then %d in the log", i, m, len(recs))
	}
	if prev == 0 {
		t.Fatal("no backup saw a write")
	}
	if rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil); err != nil {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}
