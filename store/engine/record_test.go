package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// sampleValues covers every value type a redo log record carries, with the
// edge cases of each.
func sampleValues() []any {
	return []any{
		nil,
		int64(0), int64(1), int64(-1), int64(63), int64(-64), int64(64), int64(1 << 40),
		int64(math.MaxInt64), int64(math.MinInt64),
		float64(0), math.Copysign(0, -1), 1.5, -2.25, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0x7ff8000000000001), // a NaN with payload: bits must survive
		"", "a", "unicode: Zoë Łukasz straße 日本語 ✓ 🙂", "a\x00b", "\x00", "\xff\xfe not UTF-8",
		strings.Repeat("long text ", 5000),
		[]byte{}, []byte(nil), []byte{0}, []byte{0, 1, 2, 0xff}, bytes.Repeat([]byte{0xa5}, 70000),
	}
}

func sampleChanges() []change {
	vals := sampleValues()
	var cvs []colVal
	for i, v := range vals {
		cvs = append(cvs, colVal{Col: i, Val: v})
	}
	return []change{
		{Op: opInsert, Table: "items", NewRow: 1, Vals: cvs},
		{Op: opInsert, Table: "t", NewRow: math.MinInt64},
		{Op: opInsert, Table: "", NewRow: math.MaxInt64, Vals: []colVal{{Col: maxColumns - 1, Val: "last column"}}},
		{Op: opUpdate, Table: "items", OldRow: 1, NewRow: 2, Vals: cvs[3:9]},
		{Op: opUpdate, Table: "ünïcode table", OldRow: -5, NewRow: -5},
		{Op: opDelete, Table: "items", OldRow: 2},
		{Op: opDelete, Table: "x", OldRow: math.MinInt64},
	}
}

func changesEqual(a, b []change) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d changes, want %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Op != y.Op || x.Table != y.Table || x.OldRow != y.OldRow || x.NewRow != y.NewRow || len(x.Vals) != len(y.Vals) {
			return fmt.Errorf("change %d: %+v, want %+v", i, x, y)
		}
		for j := range x.Vals {
			if x.Vals[j].Col != y.Vals[j].Col || !valuesEqual(x.Vals[j].Val, y.Vals[j].Val) {
				return fmt.Errorf("change %d value %d: %#v, want %#v", i, j, x.Vals[j], y.Vals[j])
			}
		}
	}
	return nil
}

func TestRecordRoundTrip(t *testing.T) {
	cases := [][]change{nil, {}, sampleChanges()}
	for _, v := range sampleValues() {
		cases = append(cases, []change{{Op: opInsert, Table: "t", NewRow: 7, Vals: []colVal{{Col: 1, Val: v}}}})
	}
	for i, want := range cases {
		b, err := encodeRecord(want)
		if err != nil {
			t.Fatalf("case %d: encode: %v", i, err)
		}
		got, err := decodeRecord(b)
		if err != nil {
			t.Fatalf("case %d: decode: %v", i, err)
		}
		if err := changesEqual(got, want); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		// Type fidelity: a blob stays a blob (even empty), text stays text.
		for ci, c := range got {
			for vi, cv := range c.Vals {
				w := want[ci].Vals[vi].Val
				if fmt.Sprintf("%T", cv.Val) != fmt.Sprintf("%T", w) && !(w == nil && cv.Val == nil) {
					t.Errorf("case %d: value %#v decoded as %T", i, w, cv.Val)
				}
			}
		}
		// Every strict prefix of a record is malformed, never a shorter valid record.
		for n := 0; n < len(b); n++ {
			if n > 300 && n < len(b)-300 && n%997 != 0 {
				continue // long values: a sample of the prefixes
			}
			if _, err := decodeRecord(b[:n]); err == nil {
				t.Fatalf("case %d: prefix of %d/%d bytes decodes", i, n, len(b))
			}
		}
		if _, err := decodeRecord(append(b[:len(b):len(b)], 0)); err == nil {
			t.Fatalf("case %d: trailing byte accepted", i)
		}
	}
}

func TestRecordRejects(t *testing.T) {
	if _, err := encodeRecord([]change{{Op: opInsert, Table: "t", Vals: []colVal{{Col: 0, Val: int32(1)}}}}); err == nil {
		t.Error("encodeRecord accepted an int32 value")
	}
	if _, err := encodeRecord([]change{{Op: opInsert, Table: "t", Vals: []colVal{{Col: 0, Val: true}}}}); err == nil {
		t.Error("encodeRecord accepted a bool value")
	}
	bad := [][]byte{
		nil,
		{2, 0},                                 // unknown version
		{1, 1, 0},                              // operation 0
		{1, 1, 4},                              // operation 4
		{1, 0xff, 0xff, 0xff, 0xff, 0x0f},      // change count larger than the record
		{1, 1, 1, 1, 't', 2, 1, 0, 9},          // unknown value tag
		{1, 1, 1, 1, 't', 2, 0xa0, 0x1f},       // 4000 columns
		{1, 1, 1, 1, 't', 2, 1, 0xd0, 0x0f, 0}, // column 2000
		{1, 1, 1, 1, 't', 2, 1, 0, 2, 1, 2, 3}, // float cut short
		{1, 1, 1, 1, 't', 2, 1, 0, 3, 5, 'a'},  // text cut short
	}
	for i, b := range bad {
		if got, err := decodeRecord(b); err == nil {
			t.Errorf("case %d (%x): decoded as %+v", i, b, got)
		} else if !errors.Is(err, errRecord) {
			t.Errorf("case %d: error %v is not errRecord", i, err)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	// Small seeds: the fuzzer minimises every input it finds interesting,
	// and the sample's 70 KB values would keep it busy for minutes.
	var small []change
	for _, c := range sampleChanges() {
		var vals []colVal
		for _, cv := range c.Vals {
			if s, ok := cv.Val.(string); ok && len(s) > 100 {
				continue
			}
			if b, ok := cv.Val.([]byte); ok && len(b) > 100 {
				continue
			}
			vals = append(vals, cv)
		}
		c.Vals = vals
		small = append(small, c)
	}
	seeds := [][]change{nil, small}
	for _, c := range small {
		seeds = append(seeds, []change{c})
	}
	for _, s := range seeds {
		b, err := encodeRecord(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{1, 1, 3, 1, 't', 0x80, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		changes, err := decodeRecord(b)
		if err != nil {
			if changes != nil {
				t.Fatal("error with changes")
			}
			return
		}
		re, err := encodeRecord(changes)
		if err != nil {
			t.Fatalf("a decoded record does not encode: %v", err)
		}
		again, err := decodeRecord(re)
		if err != nil {
			t.Fatalf("a re-encoded record does not decode: %v", err)
		}
		if err := changesEqual(again, changes); err != nil {
			t.Fatal(err)
		}
		if len(re) > len(b) {
			t.Fatalf("re-encoding grew the record from %d to %d bytes", len(b), len(re))
		}
	})
}

// TestReplayValueTypes: every kind of value SQLite can hold, written through
// the engine, comes back bit for bit after a crash (redo log replay) and
// after a checkpoint. Text with a NUL byte is the case modernc's pre-update
// accessor used to truncate.
func TestReplayValueTypes(t *testing.T) {
	ctx := context.Background()
	dir := newFastVault(t)
	d := openRawDB(t, dir, Options{CheckpointBytes: -1})
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec(`CREATE TABLE v(id INTEGER PRIMARY KEY, x, r REAL, i INTEGER, s TEXT, b BLOB)`)
		return err
	})
	vals := sampleValues()
	mustUpdate(t, d, func(tx *Tx) error {
		for _, v := range vals {
			if _, err := tx.Exec("INSERT INTO v(x, r, i, s, b) VALUES (?, ?, ?, ?, ?)", v, v, v, v, v); err != nil {
				return err
			}
		}
		// Values SQL itself makes, not bound by Go.
		_, err := tx.Exec(`INSERT INTO v(x, s, b) VALUES ('a' || char(0) || 'b', char(0, 0, 65), zeroblob(3)),
			(x'', CAST(x'00ff' AS TEXT), randomblob(0)), (-0.0, 1e308 * 10, 9223372036854775807 + 1)`)
		return err
	})
	// Updates from every type to every other type (only changed columns
	// are logged, so type changes with "equal looking" values matter).
	mustUpdate(t, d, func(tx *Tx) error {
		for i := range vals {
			w := vals[(i*7+3)%len(vals)]
			if _, err := tx.Exec("UPDATE v SET x = ?, s = ? WHERE id = ?", w, w, i+1); err != nil {
				return err
			}
		}
		_, err := tx.Exec("UPDATE v SET b = CAST(b AS TEXT) WHERE id % 2 = 0")
		return err
	})
	mustUpdate(t, d, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE v SET x = CAST(x AS BLOB) WHERE typeof(x) = 'text'")
		return err
	})
	want := dumpDB(t, d)
	if !strings.Contains(strings.Join(want, "\n"), `t:"a\x00b"`) {
		t.Fatal("the dump does not show the text with a NUL byte")
	}
	crashDB(d)
	d = openRawDB(t, dir, Options{CheckpointBytes: -1})
	requireSameDump(t, "after replay", want, dumpDB(t, d))
	if err := d.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	crashDB(d)
	d = openRawDB(t, dir, Options{CheckpointBytes: -1})
	requireSameDump(t, "after checkpoint", want, dumpDB(t, d))
}
