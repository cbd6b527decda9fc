package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"casevault/vault"
	"casevault/vault/testkit"
)

// fillAudit appends n entries chained with a plain hash (the store does not
// compute MACs; app/ does, and checks them).
func fillAudit(t testing.TB, s *Store, n int) {
	t.Helper()
	err := s.Update(context.Background(), func(tx *Tx) error {
		id, prev, err := tx.AuditHead()
		if err != nil {
			return err
		}
		if prev == nil {
			prev = make([]byte, 32)
		}
		for i := 0; i < n; i++ {
			e := &AuditEntry{ID: id + 1, At: time.UnixMilli(1700000000000 + id*60000).UTC(), Actor: "a", Action: "client.view",
				Records: fmt.Sprintf("client:%d", id%7), Detail: "d\x00etail", PrevHash: prev}
			h := sha256.Sum256(append(bytes.Clone(prev), byte(id)))
			e.Hash = h[:]
			if err := tx.InsertAudit(e); err != nil {
				return err
			}
			id, prev = e.ID, e.Hash
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func allAudit(t testing.TB, s *Store) []*AuditEntry {
	t.Helper()
	var out []*AuditEntry
	if err := s.View(context.Background(), func(tx *Tx) error {
		var err error
		out, err = tx.ListAudit(AuditFilter{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	fs, _ := filepath.Glob(filepath.Join(dir, vault.ObjectsDir, "audit", "*", "*"))
	return fs
}

// A crash after the segment objects are written but before the manifest:
// the vault opens as before the seal (every entry live), the objects are
// orphans, and the next checkpoint seals again, reusing them.
func TestAuditSealCrashBeforeManifest(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	opts := Options{CheckpointBytes: -1, AuditSegment: 8}
	s := openStore(t, dir, opts)
	fillAudit(t, s, 50)
	want := allAudit(t, s)
	crashed := filepath.Join(t.TempDir(), "crashed")
	testkit.CopyTree(t, dir, crashed)
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	objs := segmentFiles(t, dir)
	if len(objs) == 0 {
		t.Fatal("the checkpoint sealed nothing")
	}
	for _, o := range objs {
		rel, _ := filepath.Rel(dir, o)
		os.MkdirAll(filepath.Dir(filepath.Join(crashed, rel)), 0o700)
		b, _ := os.ReadFile(o)
		os.WriteFile(filepath.Join(crashed, rel), b, 0o600)
	}
	os.Remove(filepath.Join(crashed, vault.LockFile))

	c := openStore(t, crashed, opts)
	if got := allAudit(t, c); !reflect.DeepEqual(got, want) {
		t.Fatal("the crashed vault does not hold the entries from before the seal")
	}
	var live int
	c.View(ctx, func(tx *Tx) error { return tx.QueryRow("SELECT count(*) FROM audit").Scan(&live) })
	if live != len(want) {
		t.Fatalf("%d live entries after the crash, want all %d", live, len(want))
	}
	fillAudit(t, c, 1)
	if err := c.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if got := segmentFiles(t, crashed); len(got) != len(objs) {
		t.Fatalf("%d segment objects after sealing again, want the same %d", len(got), len(objs))
	}
	if got := allAudit(t, c); !reflect.DeepEqual(got[:len(want)], want) || len(got) != len(want)+1 {
		t.Fatal("entries changed by sealing again")
	}
	// An orphan no manifest names is swept by the next checkpoint.
	orphan := filepath.Join(crashed, vault.ObjectsDir, "audit", "ab", "ab"+fmt.Sprintf("%062d", 0))
	os.MkdirAll(filepath.Dir(orphan), 0o700)
	os.WriteFile(orphan, []byte("leftover"), 0o600)
	closeStore(c)
	c = openStore(t, crashed, opts)
	fillAudit(t, c, 1)
	if err := c.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("orphan segment object not swept: %v", err)
	}
}

// Sealing keeps the live table between S and 2S entries, leaves the head
// and the counts alone, and ListAudit reads across segments.
func TestAuditSealKeepsTail(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t)
	s := openStore(t, dir, Options{CheckpointBytes: -1, AuditSegment: 10})
	fillAudit(t, s, 95)
	want := allAudit(t, s)
	var before Counts
	s.View(ctx, func(tx *Tx) (err error) { before, err = tx.Counts(); return })
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		var live int
		tx.QueryRow("SELECT count(*) FROM audit").Scan(&live)
		segs, _ := tx.AuditSegments()
		if live < 10 || live > 20 || len(segs) != 8 {
			t.Errorf("%d live, %d segments; want 15 live, 8 segments", live, len(segs))
		}
		c, _ := tx.Counts()
		if c != before {
			t.Errorf("counts %+v, were %+v", c, before)
		}
		id, h, _ := tx.AuditHead()
		if id != 95 || !bytes.Equal(h, want[94].Hash) {
			t.Errorf("head %d after the seal", id)
		}
		return nil
	})
	if got := allAudit(t, s); !reflect.DeepEqual(got, want) {
		t.Fatal("ListAudit across segments differs")
	}
	// With the live table emptied (as by tampering), the head falls back to
	// the last segment.
	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Exec("DROP TRIGGER audit_no_delete; DELETE FROM audit")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		id, h, err := tx.AuditHead()
		if err != nil || id != 80 || !bytes.Equal(h, want[79].Hash) {
			t.Errorf("head with an empty live table: %d %v", id, err)
		}
		return nil
	})
}

func FuzzDecodeAuditSegment(f *testing.F) {
	es := []*AuditEntry{
		{ID: 7, At: time.UnixMilli(1700000000000).UTC(), Actor: "a", Action: "x", Records: "client:1", Detail: "", PrevHash: make([]byte, 32), Hash: bytes.Repeat([]byte{1}, 32)},
		{ID: 8, At: time.UnixMilli(-5).UTC(), Actor: "", Action: "y", Records: "", Detail: "d\x00", PrevHash: bytes.Repeat([]byte{1}, 32), Hash: []byte{2}},
	}
	good := EncodeAuditSegment(3, es)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte(auditSegmentMagic))
	f.Add(append(bytes.Clone(good), 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		seq, got, err := DecodeAuditSegment(b)
		if err != nil {
			if !errors.Is(err, ErrBadSegment) {
				t.Fatalf("error %v is not ErrBadSegment", err)
			}
			return
		}
		// What decodes encodes back to the same bytes: one encoding per segment.
		if again := EncodeAuditSegment(seq, got); !bytes.Equal(again, b) {
			t.Fatalf("decode/encode is not the identity")
		}
	})
}

func TestAuditSegmentRoundTrip(t *testing.T) {
	es := []*AuditEntry{{ID: 1, At: time.UnixMilli(1).UTC(), Actor: "ä", Action: "b", Records: "c", Detail: "d", PrevHash: make([]byte, 32), Hash: []byte{9}}}
	b := EncodeAuditSegment(1, es)
	seq, got, err := DecodeAuditSegment(b)
	if err != nil || seq != 1 || !reflect.DeepEqual(got, es) {
		t.Fatalf("round trip: %d %+v %v", seq, got, err)
	}
	for i := range b {
		if _, _, err := DecodeAuditSegment(b[:i]); err == nil {
			t.Fatalf("a segment cut to %d bytes decodes", i)
		}
	}
}

// The segment in the vault's test vectors (encoded there from
// docs/FORMAT.md, independently of this package) decodes to its two
// entries and encodes back to the same bytes.
func TestAuditSegmentVector(t *testing.T) {
	b, err := os.ReadFile("../vault/testdata/vectors/expected/audit-segment.bin")
	if err != nil {
		t.Fatal(err)
	}
	seq, es, err := DecodeAuditSegment(b)
	if err != nil {
		t.Fatal(err)
	}
	if seq != 1 || len(es) != 2 || es[0].ID != 1 || es[1].Records != "client:1" || es[0].Action != "vault.init" ||
		!bytes.Equal(es[0].PrevHash, make([]byte, 32)) || !bytes.Equal(es[1].PrevHash, es[0].Hash) || es[1].At.UnixMilli() != 1700000001500 {
		t.Fatalf("vector segment: %d %+v %+v", seq, es[0], es[1])
	}
	if !bytes.Equal(EncodeAuditSegment(seq, es), b) {
		t.Fatal("the vector segment does not encode back to its bytes")
	}
}
