package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A damaged redo log (a flipped byte in record 3 of 6, or a cut deep inside
// the log) opens read-only: the checkpoint plus the intact records before
// the damage, nothing changed on disk, no write accepted, and a capture of
// it is a valid vault (its log copy authenticates with the records kept).
func TestOpenReadOnlySalvage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	recs := [][]byte{[]byte("r0"), []byte("r1"), []byte("r2"), []byte("r3"), []byte("r4"), []byte("r5")}
	dir, path := logWithRecords(t, recs...)
	full := readFile(t, path)
	frames := splitFrames(t, full)
	start3 := logHeaderLen
	for _, f := range frames[:3] {
		start3 += len(f)
	}
	for name, b := range map[string][]byte{
		"flipped byte": flipped(full, start3+30, 0x01),
		"cut deep":     full[:start3+5],
	} {
		writeFile(t, path, b)
		before := hashDir(t, dir)
		v, err := OpenReadOnly(dir, fastCred(t, dir))
		if err != nil {
			t.Fatal(err)
		}
		if img, _ := load(t, v); string(img) != "base" {
			t.Fatalf("%s: image %q", name, img)
		}
		got, err := v.ReadLog()
		if err != nil || len(got) != 3 || !bytes.Equal(got[2], recs[2]) {
			t.Fatalf("%s: salvaged %q, %v", name, got, err)
		}
		d := v.LogDamage()
		if d == nil || d.Kept != 3 || d.File != path || d.Reason == "" || d.Acked != 5 || d.FileSize != int64(len(b)) {
			t.Fatalf("%s: LogDamage = %+v", name, d)
		}
		if err := v.AppendLog([]byte("x")); !errors.Is(err, ErrReadOnly) {
			t.Fatalf("%s: AppendLog on a read-only vault: %v", name, err)
		}
		if err := v.WriteCheckpoint(ctx, []byte("x"), nil); !errors.Is(err, ErrReadOnly) {
			t.Fatalf("%s: WriteCheckpoint on a read-only vault: %v", name, err)
		}
		c, release, err := v.Capture()
		if err != nil {
			t.Fatal(err)
		}
		n, err := v.Keys().CheckLog("copy", c.LogGen, c.Log)
		release()
		if err != nil || n != 3 {
			t.Fatalf("%s: the captured log copy: %d records, %v", name, n, err)
		}
		v.Close()
		if d := diffHashes(before, hashDir(t, dir), func(n string) bool { return n == LockFile }); d != "" {
			t.Fatalf("%s: a read-only open changed the folder: %s", name, d)
		}
	}
}

// A repair's salvage: the records before the damage, the damaged log kept
// in quarantine byte for byte, a checkpoint refused until it is kept, and
// the vault goes on.
func TestSalvageRepair(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir, path := logWithRecords(t, []byte("a"), []byte("b"), []byte("c"))
	full := readFile(t, path)
	bad := flipped(full, len(full)-3, 0x04) // the tag of the last record
	writeFile(t, path, bad)
	v := mustOpen(t, dir, fastCred(t, dir))
	v.Salvage()
	load(t, v)
	got, err := v.ReadLog()
	if err != nil || len(got) != 2 || v.LogDamage() == nil {
		t.Fatalf("salvage: %q %v %+v", got, err, v.LogDamage())
	}
	if err := v.AppendLog([]byte("over the damage")); err == nil {
		t.Fatal("an append over a damaged log succeeded")
	}
	if err := v.WriteCheckpoint(ctx, []byte("base+a+b"), nil); err == nil {
		t.Fatal("a checkpoint before the damaged log was kept aside succeeded")
	}
	kept, err := v.QuarantineLog()
	if err != nil || !bytes.Equal(readFile(t, kept), bad) || filepath.Dir(filepath.Dir(filepath.Dir(kept))) != filepath.Join(dir, QuarantineDir) {
		t.Fatalf("QuarantineLog = %s, %v", kept, err)
	}
	if err := v.WriteCheckpoint(ctx, []byte("base+a+b"), nil); err != nil {
		t.Fatal(err)
	}
	if err := v.AppendLog([]byte("d")); err != nil {
		t.Fatal(err)
	}
	v = reopen(t, v)
	if img, _ := load(t, v); string(img) != "base+a+b" {
		t.Fatalf("image after repair %q", img)
	}
	if got, err := v.ReadLog(); err != nil || len(got) != 1 || string(got[0]) != "d" {
		t.Fatalf("log after repair: %q %v", got, err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("the damaged log generation is still the current one")
	}
	if !bytes.Equal(readFile(t, kept), bad) {
		t.Fatal("the quarantined log changed")
	}
}

// A damaged (or missing) manifest is put back from its copy under
// manifests/ by a repair: the error says so (Repairable), and the repair
// keeps the damaged one in quarantine.
func TestRepairDamagedManifestFromCopy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, name := range []string{"flipped", "missing"} {
		dir, _ := logWithRecords(t, []byte("after the checkpoint"))
		mpath := filepath.Join(dir, ManifestFile)
		orig := readFile(t, mpath)
		if name == "flipped" {
			writeFile(t, mpath, flipped(orig, len(orig)/2, 0x10))
		} else {
			os.Remove(mpath)
		}
		v := mustOpen(t, dir, fastCred(t, dir))
		_, _, err := v.LoadCheckpoint(ctx)
		var de *DamagedError
		if !errors.As(err, &de) || !de.Repairable || de.File != mpath {
			t.Fatalf("%s manifest: %v (%+v)", name, err, de)
		}
		v.Close()
		v = mustOpen(t, dir, fastCred(t, dir))
		rep, err := v.RepairVersions(ctx)
		if err != nil || !rep.ManifestRestored || rep.To != 1 {
			t.Fatalf("%s manifest: repair %+v, %v", name, rep, err)
		}
		if img, _ := load(t, v); string(img) != "base" {
			t.Fatalf("%s manifest: image %q", name, img)
		}
		if recs, err := v.ReadLog(); err != nil || len(recs) != 1 {
			t.Fatalf("%s manifest: log %q %v", name, recs, err)
		}
		if !bytes.Equal(readFile(t, mpath), orig) {
			t.Fatalf("%s manifest: the copy put back differs from the manifest as written", name)
		}
		if name == "flipped" {
			if rep.Quarantine == "" || !bytes.Equal(readFile(t, filepath.Join(rep.Quarantine, ManifestFile)), flipped(orig, len(orig)/2, 0x10)) {
				t.Fatalf("the damaged manifest was not kept: %+v", rep)
			}
		}
		v.Close()
	}
}
