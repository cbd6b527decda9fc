package vault

import (
	"bytes"
	"context"
	"crypto/cipher"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Issue 8, item 2: a redo log cut inside the log lost acknowledged records
// without a word (a cut at any record boundary read as a clean end). The
// acknowledgement mark in the log header, written with each record and made
// durable by the same fdatasync, says how many records were acknowledged
// before the last append: a cut can now hide at most the last record, and
// any deeper cut is damage.
func TestLogCutDetected(t *testing.T) {
	t.Parallel()
	recs := [][]byte{[]byte("first"), []byte("second"), bytes.Repeat([]byte("third "), 20), []byte("fourth")}
	dir, path := logWithRecords(t, recs...)
	full := readFile(t, path)
	frames := splitFrames(t, full)
	lastStart := len(full) - len(frames[len(frames)-1])

	v := mustOpen(t, dir, fastCred(t, dir))
	load(t, v)
	for size := 0; size < len(full); size++ {
		writeFile(t, path, full[:size])
		got, err := v.ReadLog()
		switch {
		case size < logHeaderLen:
			// A torn header of a new log: can only be damage once a record
			// was acknowledged, but a file this short has lost its mark
			// too. It reads as empty (the documented limit).
			if err != nil || len(got) != 0 {
				t.Fatalf("cut to %d bytes (inside the header): %d records, %v", size, len(got), err)
			}
		case size >= lastStart:
			// The last record (being appended, or cut off): dropped.
			if err != nil || len(got) != len(recs)-1 {
				t.Fatalf("cut to %d bytes (inside the last record): %d records, %v", size, len(got), err)
			}
			if tt := v.TornTail(); (size > lastStart) != (tt != nil) || (tt != nil && (tt.Record != len(recs)-1 || tt.Bytes != int64(size-lastStart))) {
				t.Fatalf("cut to %d bytes: TornTail = %+v", size, tt)
			}
		default:
			// Acknowledged records are missing: damage, never a quiet success.
			if err == nil {
				t.Fatalf("cut to %d bytes (before the last record at %d): ReadLog returned %d records and no error", size, lastStart, len(got))
			}
			wantDamaged(t, err, path)
			if fi, _ := os.Stat(path); fi.Size() != int64(size) {
				t.Fatalf("cut to %d bytes: a damaged log was changed (now %d bytes)", size, fi.Size())
			}
		}
	}
}

// A torn tail is reported (which record, how many bytes, when the log was
// last written), once: the tail is cut off.
func TestLogTornTailReported(t *testing.T) {
	t.Parallel()
	dir, path := logWithRecords(t, []byte("one"), []byte("two"))
	full := readFile(t, path)
	writeFile(t, path, full[:len(full)-5])
	when := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
	v := mustOpen(t, dir, fastCred(t, dir))
	load(t, v)
	if got, err := v.ReadLog(); err != nil || len(got) != 1 {
		t.Fatalf("%d records, %v", len(got), err)
	}
	tt := v.TornTail()
	if tt == nil || tt.Record != 1 || tt.Bytes != int64(len(splitFrames(t, full)[1])-5) || !tt.Written.Equal(when) {
		t.Fatalf("TornTail = %+v", tt)
	}
	v = reopen(t, v)
	load(t, v)
	if _, err := v.ReadLog(); err != nil || v.TornTail() != nil {
		t.Fatalf("second open: %v, TornTail %+v", err, v.TornTail())
	}
}

// A format-1 log (written by an older casevault) is still read, continued
// in its format, and the next checkpoint starts a format-2 log.
func TestLogFormat1StillRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, dir, _ := newVault(t)
	if err := v.WriteCheckpoint(ctx, []byte("base"), nil); err != nil {
		t.Fatal(err)
	}
	gen := v.Current().LogGen
	var old []byte
	err := v.keys.withAEAD(func(a cipher.AEAD) error {
		old = buildLog(1, a, nil, v.hdr.VaultID, gen, func(pt, ad []byte) []byte {
			b, _ := seal(a, pt, ad)
			return b
		}, []byte("old 1"), []byte("old 2"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	path := filepath.Join(dir, LogDir, logName(gen))
	writeFile(t, path, old)
	v = mustOpen(t, dir, fastCred(t, dir))
	load(t, v)
	if got, err := v.ReadLog(); err != nil || len(got) != 2 || string(got[1]) != "old 2" {
		t.Fatalf("format-1 log: %q %v", got, err)
	}
	if err := v.AppendLog([]byte("new 3")); err != nil {
		t.Fatal(err)
	}
	v = reopen(t, v)
	load(t, v)
	if got, err := v.ReadLog(); err != nil || len(got) != 3 || string(got[2]) != "new 3" {
		t.Fatalf("format-1 log continued: %q %v", got, err)
	}
	if b := readFile(t, path); string(b[:8]) != logMagicV1 {
		t.Fatalf("the continued log changed format: %q", b[:8])
	}
	if err := v.WriteCheckpoint(ctx, []byte("next"), nil); err != nil {
		t.Fatal(err)
	}
	if err := v.AppendLog([]byte("after")); err != nil {
		t.Fatal(err)
	}
	if b := readFile(t, v.logPath(v.Current().LogGen)); string(b[:8]) != logMagic {
		t.Fatalf("the log after a checkpoint is format %q", b[:8])
	}
}

// The mark is written with every record, by the same fdatasync: an append
// makes exactly one fdatasync call.
func TestAppendOneSync(t *testing.T) {
	t.Parallel()
	v, f := newFaultyVault(t)
	if err := v.AppendLog([]byte("creates the log")); err != nil {
		t.Fatal(err)
	}
	n := 0
	f.set(nil, func(string) error { n++; return nil })
	for i := 0; i < 5; i++ {
		if err := v.AppendLog([]byte(fmt.Sprint("record ", i))); err != nil {
			t.Fatal(err)
		}
	}
	if n != 5 {
		t.Fatalf("%d fdatasyncs for 5 appends", n)
	}
}
