package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/vault/testkit"
)

// copyOver copies every file below src into dst, overwriting files of the
// same name and leaving dst's other files alone: what `cp -a src/. dst/`,
// rsync without --delete, a file-history restore or a sync tool do.
var copyOver = testkit.CopyTree

// An older copy of the vault folder copied over the live one must never
// destroy the newer data: open refuses, naming both versions, and changes
// nothing; RepairVersions brings the newest version back and sets the older
// one's files aside. (Before: open loaded the old manifest, exited 0 and
// deleted the newer log and chunks.)
func TestCopyBackOlderFolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		newerLog   bool // records after the newer checkpoint
		dropCopies bool // the live folder has no manifest copies (an older casevault made it)
		recovered  bool
	}{
		{"newer log", true, false, true},
		{"newer checkpoint only", false, false, true},
		{"newer log without manifest copy", true, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, dir, _ := newVault(t)
			img1, img2 := detRand(1, 2*ChunkSize+10), detRand(2, 3*ChunkSize)
			if err := v.WriteCheckpoint(ctx, img1, nil); err != nil {
				t.Fatal(err)
			}
			if err := v.AppendLog([]byte("old record")); err != nil {
				t.Fatal(err)
			}
			v.Close()
			old := filepath.Join(t.TempDir(), "old")
			copyOver(t, dir, old)

			v = mustOpen(t, dir, fastCred(t, dir))
			load(t, v)
			if _, err := v.ReadLog(); err != nil {
				t.Fatal(err)
			}
			if err := v.WriteCheckpoint(ctx, img2, nil); err != nil {
				t.Fatal(err)
			}
			var want [][]byte
			if tc.newerLog {
				want = [][]byte{[]byte("new 1"), []byte("new 2")}
				for _, r := range want {
					if err := v.AppendLog(r); err != nil {
						t.Fatal(err)
					}
				}
			}
			newSeq := v.Current().Seq
			v.Close()
			if tc.dropCopies {
				os.RemoveAll(filepath.Join(dir, ManifestsDir))
			}
			copyOver(t, old, dir)

			before := hashDir(t, dir)
			v = mustOpen(t, dir, fastCred(t, dir))
			_, _, err := v.LoadCheckpoint(ctx)
			var me *MixedVersionsError
			if !errors.Is(err, ErrMixedVersions) || !errors.As(err, &me) {
				t.Fatalf("open of a mixed folder: got %v, want ErrMixedVersions", err)
			}
			if me.Current != 1 || me.Newer != newSeq || len(me.Files) == 0 ||
				!strings.Contains(err.Error(), "mixes two versions") || !strings.Contains(err.Error(), "Nothing was changed") {
				t.Fatalf("error = %+v (%v)", me, err)
			}
			if _, err := v.ReadLog(); err == nil {
				t.Fatal("ReadLog after a refused load succeeded")
			}
			v.Close()
			if d := diffHashes(before, hashDir(t, dir), func(n string) bool { return n == LockFile }); d != "" {
				t.Fatalf("a refused open changed the folder: %s", d)
			}

			v = mustOpen(t, dir, fastCred(t, dir))
			rep, err := v.RepairVersions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Recovered != tc.recovered || rep.Newest != newSeq || rep.Quarantine == "" || len(rep.SetAside) == 0 {
				t.Fatalf("repair = %+v", rep)
			}
			img, cp := load(t, v)
			recs, err := v.ReadLog()
			if err != nil {
				t.Fatal(err)
			}
			if tc.recovered {
				if !bytes.Equal(img, img2) || cp.Seq != newSeq || len(recs) != len(want) {
					t.Fatalf("after repair: seq %d, %d records; want the newest version", cp.Seq, len(recs))
				}
				for i := range want {
					if !bytes.Equal(recs[i], want[i]) {
						t.Fatalf("record %d = %q", i, recs[i])
					}
				}
				// The older version's manifest and log are kept, not deleted.
				for _, name := range []string{ManifestFile, LogDir + "/" + logName(1)} {
					if _, err := os.Stat(filepath.Join(rep.Quarantine, name)); err != nil {
						t.Fatalf("older %s not kept aside: %v", name, err)
					}
				}
			} else {
				if !bytes.Equal(img, img1) || len(recs) != 1 || string(recs[0]) != "old record" {
					t.Fatalf("after repair: seq %d, records %q; want the older version", cp.Seq, recs)
				}
				if _, err := os.Stat(filepath.Join(rep.Quarantine, LogDir, logName(newSeq))); err != nil {
					t.Fatalf("newer log not kept aside: %v", err)
				}
			}
			// The repaired folder goes on: a checkpoint and a reopen work.
			if err := v.WriteCheckpoint(ctx, img2, nil); err != nil {
				t.Fatal(err)
			}
			v = reopen(t, v)
			if img, _ := load(t, v); !bytes.Equal(img, img2) {
				t.Fatal("image after repair and checkpoint differs")
			}
		})
	}
}

// Open deletes only what is provably older: a log generation below the
// manifest's. A later generation is refused, not deleted, and so is a chunk
// that no manifest names (only a checkpoint of this process sweeps those).
func TestOpenDeletesOnlyOlder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, dir, _ := newVault(t)
	if err := v.WriteCheckpoint(ctx, []byte("committed"), nil); err != nil {
		t.Fatal(err)
	}
	orphan, err := v.PutObject(KindDBChunk, []byte("not named by the manifest"))
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	writeFile(t, filepath.Join(dir, LogDir, logName(0)), []byte("older"))
	writeFile(t, filepath.Join(dir, LogDir, logName(7)), []byte("newer"))
	v = mustOpen(t, dir, fastCred(t, dir))
	if _, _, err := v.LoadCheckpoint(ctx); !errors.Is(err, ErrMixedVersions) {
		t.Fatalf("a log of a later generation: got %v, want ErrMixedVersions", err)
	}
	v.Close()
	for _, p := range []string{logName(0), logName(7)} {
		if _, err := os.Stat(filepath.Join(dir, LogDir, p)); err != nil {
			t.Fatalf("refused open deleted %s", p)
		}
	}
	os.Remove(filepath.Join(dir, LogDir, logName(7)))
	v = mustOpen(t, dir, fastCred(t, dir))
	load(t, v)
	if _, err := v.ReadLog(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, LogDir, logName(0))); err == nil {
		t.Fatal("an older log generation was not deleted")
	}
	if _, err := os.Stat(v.objectPath(KindDBChunk, orphan)); err != nil {
		t.Fatal("open deleted a chunk the manifest does not name")
	}
	if err := v.WriteCheckpoint(ctx, []byte("again"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(v.objectPath(KindDBChunk, orphan)); err == nil {
		t.Fatal("the first checkpoint did not sweep an unreferenced chunk")
	}
}
