package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"casevault/vault"
)

// Tamper tests: a repository of three snapshots, where one pack is needed
// by all of them, one only by the newest, and the newest was taken after a
// passphrase change (so it has its own key file). Each kind of file gets a
// flipped byte and a truncation; verify must name the file and exactly the
// snapshots it affects, the others must still restore, and the affected
// ones must fail to restore with ErrDamaged naming the file.

type tamperRepo struct {
	dir   string // the pristine repository: copy it before changing it
	fv    *fakeVolume
	snaps []*Snapshot // oldest first
	imgs  [][]byte
	recs  [][][]byte

	packAll, packNewest string // data/.. paths
	chunkAll, chunkNew  location
	manifestOld         location // the oldest snapshot's manifest, in packAll
	indexNewest         string   // the index file that lists packNewest
	keysOld, keysNew    string   // key files of s1, s2 and of s3
}

func buildTamperRepo(t *testing.T) (*testVault, *tamperRepo) {
	t.Helper()
	ctx := context.Background()
	tv := newTestVault(t, 6)
	tr := &tamperRepo{fv: &fakeVolume{id: "uuid:TAMPER"}}
	r, dir := initRepo(t, tv, tr.fv)
	tr.dir = dir
	take := func() {
		img, recs := state(t, tv.v)
		tr.snaps = append(tr.snaps, runBackup(t, r, tv))
		tr.imgs = append(tr.imgs, img)
		tr.recs = append(tr.recs, recs)
	}
	take()
	tv.edit(2)
	tv.checkpoint()
	take()
	if err := tv.v.ChangePassphrase([]byte("a new passphrase"), &testKDF); err != nil {
		t.Fatal(err)
	}
	tv.edit(4)
	tv.checkpoint()
	tv.edit(4)
	take()

	ix, err := r.loadIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := r.usage(ctx, ix)
	if err != nil {
		t.Fatal(err)
	}
	short := func(ss ...*Snapshot) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Short())
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	for name, users := range u.byPack {
		var us []string
		for s := range users {
			us = append(us, s)
		}
		sort.Strings(us)
		switch strings.Join(us, ",") {
		case short(tr.snaps...):
			tr.packAll = packPath(name)
		case short(tr.snaps[2]):
			tr.packNewest = packPath(name)
		}
	}
	if tr.packAll == "" || tr.packNewest == "" {
		t.Fatalf("packs and their snapshots: %v; the test needs one pack for all and one for the newest only", u.byPack)
	}
	// A chunk every snapshot needs, and the chunk only the newest needs.
	_, cp1, err := r.snapshotParts(ctx, ix, tr.snaps[0])
	if err != nil {
		t.Fatal(err)
	}
	_, cp3, err := r.snapshotParts(ctx, ix, tr.snaps[2])
	if err != nil {
		t.Fatal(err)
	}
	tr.chunkAll = ix.blobs[BlobKey{BlobDBChunk, cp1.Chunks[0]}]
	tr.manifestOld = ix.blobs[BlobKey{BlobManifest, tr.snaps[0].Manifest}]
	if packPath(tr.manifestOld.Pack) != tr.packAll || tr.snaps[1].Manifest == tr.snaps[0].Manifest {
		t.Fatalf("the oldest snapshot's manifest is in %s, not in the pack all need", tr.manifestOld.Pack)
	}
	tr.chunkNew = ix.blobs[BlobKey{BlobDBChunk, cp3.Chunks[4]}]
	if packPath(tr.chunkAll.Pack) != tr.packAll || packPath(tr.chunkNew.Pack) != tr.packNewest {
		t.Fatalf("chunk 0 is in %s, chunk 4 of the newest in %s", tr.chunkAll.Pack, tr.chunkNew.Pack)
	}
	for _, f := range ix.files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		var idx indexFile
		if err := openFile(r.keys, f, indexMagic, purposeIndex, b, &idx); err != nil {
			t.Fatal(err)
		}
		for _, p := range idx.Packs {
			if packPath(p.Name) == tr.packNewest {
				tr.indexNewest = f
			}
		}
	}
	tr.keysOld, tr.keysNew = tr.snaps[0].Header, tr.snaps[2].Header
	if tr.snaps[1].Header != tr.keysOld || tr.keysNew == tr.keysOld || tr.indexNewest == "" {
		t.Fatalf("key files %s %s %s, index %q", tr.snaps[0].Header, tr.snaps[1].Header, tr.snaps[2].Header, tr.indexNewest)
	}
	return tv, tr
}

// flipAt flips one bit of a file at off (negative: from the end).
func flipAt(t testing.TB, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += int64(len(b))
	}
	b[off] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func truncateHalf(t testing.TB, path string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, info.Size()/2); err != nil {
		t.Fatal(err)
	}
}

func TestTamper(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tv, tr := buildTamperRepo(t)
	s1, s2, s3 := tr.snaps[0], tr.snaps[1], tr.snaps[2]
	all := []*Snapshot{s1, s2, s3}

	type tamper struct {
		name     string
		file     string // repository path
		change   func(path string)
		affected []*Snapshot
		// structure: a verify without ReadData finds it too.
		structure bool
	}
	flip := func(off int64) func(string) { return func(p string) { flipAt(t, p, off) } }
	trunc := func(p string) { truncateHalf(t, p) }
	cases := []tamper{
		{"flip in a pack only the newest needs", tr.packNewest, flip(tr.chunkNew.Offset + tr.chunkNew.Length/2), []*Snapshot{s3}, false},
		{"truncated pack only the newest needs", tr.packNewest, trunc, []*Snapshot{s3}, true},
		{"flip in a pack all need", tr.packAll, flip(tr.chunkAll.Offset + tr.chunkAll.Length/2), all, false},
		// Issue 8 item 8: a flipped byte in the oldest snapshot's manifest,
		// in the pack all snapshots use, affects the oldest snapshot only.
		{"flip in the oldest manifest, in a pack all use", tr.packAll, flip(tr.manifestOld.Offset + tr.manifestOld.Length/2), []*Snapshot{s1}, true},
		{"flip in a pack's trailer", tr.packNewest, flip(-10), nil, false},
		{"truncated pack all need", tr.packAll, trunc, all, true},
		{"flip in the newest index", tr.indexNewest, flip(40), []*Snapshot{s3}, true},
		{"truncated newest index", tr.indexNewest, trunc, []*Snapshot{s3}, true},
		{"flip in a snapshot", snapDir + "/" + s2.ID, flip(-20), []*Snapshot{s2}, true},
		{"truncated snapshot", snapDir + "/" + s2.ID, trunc, []*Snapshot{s2}, true},
		{"flip in the old key file", tr.keysOld, flip(100), []*Snapshot{s1, s2}, true},
		{"truncated old key file", tr.keysOld, trunc, []*Snapshot{s1, s2}, true},
		{"flip in the new key file", tr.keysNew, flip(-1), []*Snapshot{s3}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "repo")
			copyDir(t, tr.dir, dir)
			c.change(filepath.Join(dir, filepath.FromSlash(c.file)))
			r, err := Open(ctx, dir, tv.v.Keys(), testOpts(tr.fv))
			if err != nil {
				t.Fatal(err)
			}
			var want, healthy []string
			for _, s := range all {
				if slices.Contains(c.affected, s) {
					want = append(want, s.Short())
				} else {
					healthy = append(healthy, s.Short())
				}
			}
			sort.Strings(want)
			sort.Strings(healthy)

			rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil)
			checkDamageReport(t, "verify", rep, err, c.file, want, healthy)

			rep, err = r.Verify(ctx, VerifyOptions{}, nil)
			if c.structure {
				checkDamageReport(t, "verify without reading data", rep, err, c.file, want, healthy)
			} else if err != nil {
				// A flipped byte inside a pack keeps its size: only reading
				// the data finds it.
				t.Fatalf("verify without reading data: %v (%+v)", err, rep)
			}

			// Restores cost the most under -race: all the affected ones (they
			// must fail) and the newest unaffected one (all in heavy runs).
			restored := false
			for i := len(all) - 1; i >= 0; i-- {
				s := all[i]
				if !slices.Contains(c.affected, s) {
					if !restored || isHeavy() {
						restoreAndCheck(t, c.name, r, s, tv.v.Keys(), tr.imgs[i], tr.recs[i])
						restored = true
					}
					continue
				}
				// As the user does it: by its id.
				to := filepath.Join(t.TempDir(), "restored")
				found, err := r.FindSnapshot(ctx, s.ID[:8])
				if err == nil {
					_, err = r.Restore(ctx, found, to, nil)
				}
				var de *DamagedError
				if !errors.Is(err, ErrDamaged) || !errors.As(err, &de) || de.File != c.file {
					t.Fatalf("restore of %s: %v, want ErrDamaged naming %s", s.Short(), err, c.file)
				}
				if !strings.Contains(err.Error(), c.file) {
					t.Fatalf("restore of %s: the message does not name the file: %v", s.Short(), err)
				}
				if c.file != snapDir+"/"+s.ID && !slices.Contains(de.Snapshots, s.Short()) {
					t.Fatalf("restore of %s: %v names snapshots %v", s.Short(), err, de.Snapshots)
				}
				if entries, _ := os.ReadDir(filepath.Dir(to)); len(entries) > 0 {
					t.Fatalf("a failed restore left %v", entries)
				}
			}
		})
	}

	t.Run("config", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(tr.dir, configFile))
		if err != nil {
			t.Fatal(err)
		}
		macAt := int64(strings.Index(string(b), `"mac": "`) + len(`"mac": "`) + 10)
		for _, c := range []struct {
			name   string
			change func(string)
		}{
			{"flip in the MAC", flip(macAt)},
			{"flip in the magic", flip(2)},
			{"flip in the JSON", flip(int64(len(configMagic)) + 1)},
			{"truncated", trunc},
		} {
			dir := filepath.Join(t.TempDir(), "repo")
			copyDir(t, tr.dir, dir)
			c.change(filepath.Join(dir, configFile))
			_, err := Open(ctx, dir, tv.v.Keys(), testOpts(tr.fv))
			var de *DamagedError
			if !errors.Is(err, ErrDamaged) || !errors.As(err, &de) || de.File != configFile {
				t.Fatalf("%s: open: %v, want ErrDamaged naming the config", c.name, err)
			}
			_, err = OpenWithCredential(ctx, dir, vault.Passphrase([]byte("a new passphrase")), Options{Volume: tr.fv.of})
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("%s: open with the passphrase: %v, want ErrDamaged", c.name, err)
			}
		}
		// Every single flipped bit: opening fails with ErrDamaged (a flip
		// in the vault id too: the key files say whose backup it is), and
		// never opens with other settings.
		dir := filepath.Join(t.TempDir(), "repo")
		copyDir(t, tr.dir, dir)
		orig, _ := Open(ctx, dir, tv.v.Keys(), testOpts(tr.fv))
		kinds := map[string]int{}
		for off := range b {
			mod := append([]byte(nil), b...)
			mod[off] ^= 0x01
			if err := os.WriteFile(filepath.Join(dir, configFile), mod, 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := Open(ctx, dir, tv.v.Keys(), testOpts(tr.fv))
			switch {
			case err == nil:
				if r.cfg != orig.cfg {
					t.Fatalf("flip at %d (%q): opened with config %+v", off, b[off], r.cfg)
				}
				kinds["same meaning"]++
			case errors.Is(err, ErrDamaged):
				kinds["damaged"]++
			default:
				t.Fatalf("flip at %d: %v", off, err)
			}
		}
		t.Logf("one flipped bit at each of %d bytes of the config: %v", len(b), kinds)
	})
}

// checkDamageReport checks a verify result: ErrDamaged, a problem naming
// file and exactly the snapshots want, no problem naming another snapshot,
// and healthy the rest.
func checkDamageReport(t *testing.T, label string, rep *VerifyReport, err error, file string, want, healthy []string) {
	t.Helper()
	if !errors.Is(err, ErrDamaged) || rep == nil {
		t.Fatalf("%s: %v, want ErrDamaged", label, err)
	}
	var named bool
	for _, p := range rep.Problems {
		if p.File == file {
			named = true
			if strings.Join(p.Snapshots, ",") != strings.Join(want, ",") {
				t.Fatalf("%s: problem %v names snapshots %v, want %v", label, p, p.Snapshots, want)
			}
		}
		for _, s := range p.Snapshots {
			if !slices.Contains(want, s) {
				t.Fatalf("%s: problem %v names snapshot %s, which is not affected", label, p, s)
			}
		}
	}
	if !named {
		t.Fatalf("%s: no problem names %s: %v", label, file, problemList(rep))
	}
	got := slices.Sorted(slices.Values(rep.Healthy))
	if strings.Join(got, ",") != strings.Join(healthy, ",") {
		t.Fatalf("%s: healthy %v, want %v (problems %v)", label, rep.Healthy, healthy, problemList(rep))
	}
}

func problemList(rep *VerifyReport) string {
	var out []string
	for _, p := range rep.Problems {
		out = append(out, p.String())
	}
	return fmt.Sprintf("%q", out)
}
