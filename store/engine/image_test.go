package engine

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// serialize returns a copy of d's database image.
func (d *DB) serialize() ([]byte, error) {
	var out []byte
	err := d.conn.Raw(func(dc any) error {
		return withImage(dc, func(image []byte) error {
			out = bytes.Clone(image)
			return nil
		})
	})
	return out, err
}

// TestRawHandle: the driver in go.mod has the fields the raw image paths
// read, so opens and checkpoints take them (without it, they would fall
// back to the copying ones, correct but slower, and no other test would
// notice).
func TestRawHandle(t *testing.T) {
	d := openRawDB(t, newFastVault(t), Options{})
	err := d.conn.Raw(func(dc any) error {
		if _, _, ok := rawHandle(dc); !ok {
			t.Fatalf("rawHandle(%T) failed: modernc.org/sqlite's connection changed; update store/engine/image.go", dc)
		}
		if _, _, ok := rawHandle(&struct{ tls, db int }{}); ok {
			t.Fatal("rawHandle accepted another type")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestImagePaths: an image written through either path (in place or
// copied) opens through either, and a database loaded in place grows past
// the memory it was given (SQLite reallocates it).
func TestImagePaths(t *testing.T) {
	defer rawImage.Store(true)
	ctx := context.Background()
	dir := newFastVault(t)
	var want []string
	rows := 0
	for round, raw := range []bool{true, false, false, true, true} {
		rawImage.Store(raw)
		d := openRawDB(t, dir, Options{CheckpointBytes: -1})
		if round > 0 {
			requireSameDump(t, fmt.Sprintf("round %d (raw %v)", round, raw), want, dumpDB(t, d))
		}
		mustUpdate(t, d, func(tx *Tx) error {
			if round == 0 {
				if _, err := tx.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
					return err
				}
			}
			// Each round more than triples the image, so a database
			// loaded in place outgrows the memory it was given.
			n := 50
			if round > 0 {
				n = 3 * rows
			}
			rows += n
			for i := range n {
				if _, err := tx.Exec("INSERT INTO t(v) VALUES (?)", strings.Repeat(string(rune('a'+round)), 1000+i%100)); err != nil {
					return err
				}
			}
			return nil
		})
		img, err := d.serialize()
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Checkpoint(ctx); err != nil {
			t.Fatalf("round %d (raw %v): checkpoint: %v", round, raw, err)
		}
		if cp := d.v.Current(); cp.ImageSize != int64(len(img)) {
			t.Fatalf("round %d: checkpoint of %d bytes, image %d", round, cp.ImageSize, len(img))
		}
		want = dumpDB(t, d)
		crashDB(d)
	}
}
