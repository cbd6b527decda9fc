package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"casevault/vault"
)

// TestUpdateHoldsKeys: Update keeps the vault's write keys open for the whole
// transaction (fn, the log record, an automatic checkpoint), so that callers
// (app's audit MAC) need not reach past the store to the vault for it.
func TestUpdateHoldsKeys(t *testing.T) {
	ctx := context.Background()
	d := openRawDB(t, newFastVault(t), Options{CheckpointBytes: 1})
	var inFn, inMeta bool
	d.opts.Meta = func(tx *Tx) (json.RawMessage, error) { inMeta = d.Vault().Held(); return nil, nil }
	mustUpdate(t, d, func(tx *Tx) error {
		inFn = d.Vault().Held()
		_, err := tx.Exec("CREATE TABLE k(id INTEGER PRIMARY KEY, x TEXT)")
		return err
	})
	if !inFn || !inMeta {
		t.Fatalf("keys held in fn: %v, in the schema change's checkpoint: %v; want both", inFn, inMeta)
	}
	inFn, inMeta = false, false
	mustUpdate(t, d, func(tx *Tx) error {
		inFn = d.Vault().Held()
		_, err := tx.Exec("INSERT INTO k(x) VALUES ('a')")
		return err
	})
	if !inFn || !inMeta {
		t.Fatalf("keys held in fn: %v, in the automatic checkpoint: %v; want both", inFn, inMeta)
	}
	if d.Vault().Held() {
		t.Fatal("keys still held after Update")
	}
	d.View(ctx, func(tx *Tx) error { inFn = d.Vault().Held(); return nil })
	if inFn {
		t.Error("View holds the keys; only writes need them")
	}
	// A closed vault: Update fails, fn does not run.
	d.Vault().Close()
	ran := false
	if err := d.Update(ctx, func(tx *Tx) error { ran = true; return nil }); !errors.Is(err, vault.ErrClosed) || ran {
		t.Fatalf("Update over a closed vault: %v (fn ran: %v)", err, ran)
	}
}

// TestCaptureConsistent: a capture taken while writers commit holds a state
// that was committed, and exactly the one its fn saw. Writers insert rows
// concurrently (with automatic checkpoints, so captures also race with them);
// each capture counts the rows inside DB.Capture, installs the captured
// header, manifest, log and chunk objects as a new vault folder and opens it:
// replay must give the same count. A capture taken outside the store's lock
// (fn in one critical section, the vault's bytes in another, or the log read
// between a write's append and its commit) holds a log that does not match
// what fn saw.
func TestCaptureConsistent(t *testing.T) {
	ctx := context.Background()
	dir := newFastVault(t)
	d := openRawDB(t, dir, Options{CheckpointBytes: 16 << 10})
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, w INTEGER NOT NULL, v TEXT NOT NULL)")
		return err
	})
	writers, per, captures := 3, 100, 40
	if raceEnabled || testing.Short() {
		per, captures = 25, 15
	}
	keys := d.Vault().Keys()
	base := filepath.Dir(dir) // on a memory file system when there is one

	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				err := d.Update(ctx, func(tx *Tx) error {
					if _, err := tx.Exec("INSERT INTO t(w, v) VALUES(?, ?)", w, strings.Repeat("x", 200+i)); err != nil {
						return err
					}
					// A second row change in the same record: a capture
					// must see both or neither.
					_, err := tx.Exec("INSERT INTO t(w, v) VALUES(?, ?)", -w-1, "pair")
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d, write %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); done.Store(true) }()

	// The objects are read while the capture pins them; installing and
	// replaying wait until the writers are done, so that captures are
	// quick and many fall between writes.
	type taken struct {
		parts   vault.Parts
		objects map[vault.ID][]byte
		rows    int
	}
	var got []taken
	for i := 0; i < captures || !done.Load(); i++ {
		var rows int
		c, release, err := d.Capture(ctx, func(tx *Tx) error {
			return tx.QueryRow("SELECT count(*) FROM t").Scan(&rows)
		})
		if err != nil {
			t.Fatalf("capture %d: %v", i, err)
		}
		k := taken{parts: vault.Parts{Header: c.Header, Manifest: c.Manifest, LogGen: c.LogGen, Log: c.Log}, objects: map[vault.ID][]byte{}, rows: rows}
		for _, id := range c.Checkpoint.Chunks {
			raw, err := d.Vault().ReadObjectFile(vault.KindDBChunk, id)
			if err != nil {
				t.Fatalf("capture %d: %v", i, err)
			}
			k.objects[id] = raw
		}
		release()
		got = append(got, k)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	prev, grew := -1, 0
	for i, c := range got {
		to := filepath.Join(base, fmt.Sprint(i))
		err := vault.Install(ctx, to, keys, c.parts, func(ctx context.Context, put func(vault.Kind, vault.ID, []byte) error) error {
			for id, raw := range c.objects {
				if err := put(vault.KindDBChunk, id, raw); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("installing capture %d: %v", i, err)
		}
		v, err := vault.OpenWithKeys(to, keys)
		if err != nil {
			t.Fatalf("capture %d: %v", i, err)
		}
		r, err := Open(ctx, v, Options{NoCloseCheckpoint: true})
		if err != nil {
			v.Close()
			t.Fatalf("capture %d does not open: %v", i, err)
		}
		var n int
		err = r.View(ctx, func(tx *Tx) error { return tx.QueryRow("SELECT count(*) FROM t").Scan(&n) })
		r.Close(ctx)
		v.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n != c.rows {
			t.Errorf("capture %d replays to %d rows; inside the capture there were %d", i, n, c.rows)
		}
		if n%2 != 0 {
			t.Errorf("capture %d replays to %d rows: half a write", i, n)
		}
		if c.rows < prev {
			t.Errorf("capture %d saw %d rows, an earlier one %d", i, c.rows, prev)
		}
		if c.rows > prev && prev >= 0 {
			grew++
		}
		prev = c.rows
	}
	if grew == 0 {
		t.Errorf("no capture was taken while the writers wrote (%d captures): the test tested nothing", len(got))
	}
	t.Logf("%d captures, %d of them after new writes", len(got), grew)
}
