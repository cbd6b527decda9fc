package backup

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fuzz targets for every parser of bytes read from the drive: the pack
// trailer, the sealed snapshot and index files, the config. Arbitrary bytes
// must give a *DamagedError naming the file, never a panic. Behind the
// authentication, the decrypted trailer and index lists are fuzzed too (by
// sealing the fuzzer's bytes with the real keys): what passes must not point
// outside its pack.

// fuzzRepo is a small repository of two snapshots for the seeds.
type fuzzRepo struct {
	tv  *testVault
	r   *Repo
	dir string
}

func newFuzzRepo(f *testing.F) *fuzzRepo {
	f.Helper()
	tv := newTestVault(f, 2)
	r, dir := initRepo(f, tv, &fakeVolume{id: "uuid:FUZZ"})
	runBackup(f, r, tv)
	tv.edit(1)
	runBackup(f, r, tv)
	return &fuzzRepo{tv: tv, r: r, dir: dir}
}

// files returns the repository's files under sub, smallest first.
func (fr *fuzzRepo) files(f *testing.F, sub string) [][]byte {
	f.Helper()
	list, err := fr.r.be.List(context.Background(), sub)
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, fi := range list {
		b, err := os.ReadFile(filepath.Join(fr.dir, filepath.FromSlash(fi.Name)))
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		f.Fatalf("no files under %s", sub)
	}
	return out
}

// mutations are a few damaged versions of b, as seeds.
func mutations(b []byte) [][]byte {
	out := [][]byte{b, b[:len(b)/2], b[:min(len(b), 8)], {}, append(append([]byte(nil), b...), 0)}
	flipped := append([]byte(nil), b...)
	flipped[len(flipped)/2] ^= 0x80
	out = append(out, flipped)
	if len(b) > 12 {
		lenFlip := append([]byte(nil), b...)
		lenFlip[len(lenFlip)-1] ^= 0xff // a pack's trailer length
		out = append(out, lenFlip)
	}
	return out
}

func checkDamaged(t *testing.T, err error, name string) {
	t.Helper()
	var de *DamagedError
	if !errors.Is(err, ErrDamaged) || !errors.As(err, &de) || de.File != name {
		t.Fatalf("error %v (%T), want a *DamagedError naming %s", err, err, name)
	}
	if de.Reason == "" || strings.Contains(de.Reason, "%!") {
		t.Fatalf("unclear reason %q", de.Reason)
	}
}

// checkTrailer checks that decoded blobs lie between the magic and the trailer.
func checkTrailer(t *testing.T, b []byte, blobs []blobEntry) {
	t.Helper()
	end := int64(len(b)) - 4
	n := int64(binary.LittleEndian.Uint32(b[end:]))
	limit := end - n
	for _, bl := range blobs {
		if bl.Offset < int64(len(packMagic)) || bl.Length < 0 || bl.Offset > limit || bl.Length > limit-bl.Offset {
			t.Fatalf("blob %+v outside the pack's data (%d..%d)", bl, len(packMagic), limit)
		}
	}
}

func FuzzPackTrailer(f *testing.F) {
	fr := newFuzzRepo(f)
	for _, b := range fr.files(f, dataDir) {
		for _, m := range mutations(b) {
			f.Add(m)
		}
	}
	f.Add([]byte(packMagic + "\x00\x00\x00\x00"))
	f.Add([]byte(packMagic + "\xff\xff\xff\xff"))
	keys := fr.tv.v.Keys()
	const name = "data/00/0000"
	f.Fuzz(func(t *testing.T, b []byte) {
		blobs, err := decodePackTrailer(keys, name, b)
		if err != nil {
			checkDamaged(t, err, name)
			return
		}
		checkTrailer(t, b, blobs)
	})
}

// FuzzPackTrailerContent fuzzes the trailer's plaintext: sealed with the
// real keys, so that it passes authentication and reaches the JSON and the
// bounds checks.
func FuzzPackTrailerContent(f *testing.F) {
	fr := newFuzzRepo(f)
	keys := fr.tv.v.Keys()
	const name = "data/00/0000"
	id := strings.Repeat("ab", 32)
	f.Add([]byte(`[{"t":1,"id":"`+id+`","off":8,"len":10}]`), 40)
	f.Add([]byte(`[{"t":4,"id":"`+id+`","off":8,"len":0}]`), 0)
	f.Add([]byte(`[{"t":1,"id":"`+id+`","off":4611686018427387904,"len":4611686018427387904}]`), 40)
	f.Add([]byte(`[{"t":1,"id":"`+id+`","off":9223372036854775807,"len":1}]`), 40)
	f.Add([]byte(`[{"t":1,"id":"`+id+`","off":-8,"len":16}]`), 40)
	f.Add([]byte(`[{"t":1,"id":"`+id+`","off":8,"len":-1}]`), 40)
	f.Add([]byte(`[]`), 3)
	f.Add([]byte(`null`), 3)
	f.Add([]byte(`{}`), 3)
	f.Fuzz(func(t *testing.T, trailer []byte, dataLen int) {
		dataLen = max(0, min(dataLen, 4096))
		sealed, err := keys.Seal(purposeTrailer, trailer, adFor(packMagic, keys.VaultID()))
		if err != nil {
			t.Fatal(err)
		}
		b := append([]byte(packMagic), make([]byte, dataLen)...)
		b = append(b, sealed...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(sealed)))
		blobs, err := decodePackTrailer(keys, name, b)
		if err != nil {
			checkDamaged(t, err, name)
			return
		}
		checkTrailer(t, b, blobs)
	})
}

func FuzzOpenFile(f *testing.F) {
	fr := newFuzzRepo(f)
	for _, b := range fr.files(f, snapDir) {
		for _, m := range mutations(b) {
			f.Add(m, true)
		}
	}
	for _, b := range fr.files(f, indexDir) {
		for _, m := range mutations(b) {
			f.Add(m, false)
		}
	}
	f.Add([]byte(snapMagic), true)
	f.Add([]byte(indexMagic), false)
	keys := fr.tv.v.Keys()
	f.Fuzz(func(t *testing.T, b []byte, snapshot bool) {
		var err error
		name := indexDir + "/00"
		if snapshot {
			name = snapDir + "/00"
			var s Snapshot
			err = openFile(keys, name, snapMagic, purposeSnapshot, b, &s)
		} else {
			var idx indexFile
			err = openFile(keys, name, indexMagic, purposeIndex, b, &idx)
		}
		if err != nil {
			checkDamaged(t, err, name)
		}
	})
}

// FuzzIndexContent fuzzes the plaintext of an index file, sealed with the
// real keys: what the index accepts must point inside its packs.
func FuzzIndexContent(f *testing.F) {
	fr := newFuzzRepo(f)
	keys := fr.tv.v.Keys()
	for _, b := range fr.files(f, indexDir) {
		pt, err := keys.Open(purposeIndex, b[len(indexMagic):], adFor(indexMagic, keys.VaultID()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pt)
	}
	pack, id := strings.Repeat("cd", 16), strings.Repeat("ab", 32)
	for _, bl := range []string{
		`{"t":1,"id":"` + id + `","off":8,"len":10}`,
		`{"t":1,"id":"` + id + `","off":-8,"len":10}`,
		`{"t":1,"id":"` + id + `","off":8,"len":-10}`,
		`{"t":1,"id":"` + id + `","off":8,"len":1000}`,
		`{"t":1,"id":"` + id + `","off":4611686018427387904,"len":4611686018427387904}`,
	} {
		f.Add([]byte(`{"packs":[{"name":"` + pack + `","size":100,"blobs":[` + bl + `]}]}`))
	}
	f.Add([]byte(`{"packs":[{"name":"` + pack + `","size":-1,"blobs":[]}]}`))
	f.Add([]byte(`{"packs":[{"name":"../../../etc","size":1,"blobs":[]}]}`))
	f.Add([]byte(`{"packs":null}`))
	dir := filepath.Join(f.TempDir(), "repo")
	if err := os.MkdirAll(filepath.Join(dir, indexDir), 0o700); err != nil {
		f.Fatal(err)
	}
	r := &Repo{dir: dir, be: NewLocal(dir), keys: keys}
	f.Fuzz(func(t *testing.T, pt []byte) {
		sealed, err := keys.Seal(purposeIndex, pt, adFor(indexMagic, keys.VaultID()))
		if err != nil {
			t.Fatal(err)
		}
		b := append([]byte(indexMagic), sealed...)
		p := filepath.Join(dir, indexDir, fileName(b))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(p)
		ix, err := r.loadIndex(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ix.bad {
			checkDamaged(t, e, indexDir+"/"+fileName(b))
		}
		for k, loc := range ix.blobs {
			pe := ix.packs[loc.Pack]
			if pe == nil || !isHexName(loc.Pack, 32) {
				t.Fatalf("blob %v in pack %q, which the index does not list", k, loc.Pack)
			}
			if loc.Offset < int64(len(packMagic)) || loc.Length < 0 || loc.Offset > pe.Size || loc.Length > pe.Size-loc.Offset {
				t.Fatalf("blob %v at %+v, outside its pack of %d bytes", k, loc, pe.Size)
			}
		}
	})
}

// FuzzConfig writes arbitrary bytes as the config and opens the repository:
// it must not panic, and must fail unless the bytes mean the real config
// (JSON allows other spellings of the same content: spaces, the case of
// the field names; the MAC covers the content).
func FuzzConfig(f *testing.F) {
	fr := newFuzzRepo(f)
	real, err := os.ReadFile(filepath.Join(fr.dir, configFile))
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range mutations(real) {
		f.Add(m)
	}
	var cfg map[string]any
	if err := json.Unmarshal(real[len(configMagic):], &cfg); err != nil {
		f.Fatal(err)
	}
	cfg["format"] = 99
	newer, _ := json.Marshal(cfg)
	f.Add(append([]byte(configMagic), newer...))
	cfg["format"], cfg["vault_id"] = 1, strings.Repeat("0", 32)
	other, _ := json.Marshal(cfg)
	f.Add(append([]byte(configMagic), other...))
	f.Add([]byte(configMagic + "{}"))
	f.Add([]byte(configMagic + "null"))
	f.Add([]byte(configMagic + `{"format":-1}`))

	keys := fr.tv.v.Keys()
	opts := testOpts(&fakeVolume{id: "uuid:FUZZ"})
	ctx := context.Background()
	r0, err := Open(ctx, fr.dir, keys, opts)
	if err != nil {
		f.Fatal(err)
	}
	want, _ := json.Marshal(r0.cfg)
	path := filepath.Join(fr.dir, configFile)
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := Open(ctx, fr.dir, keys, opts)
		switch {
		case err == nil:
			if got, _ := json.Marshal(r.cfg); string(got) != string(want) {
				t.Fatalf("opened with the config %s, want %s", got, want)
			}
		case errors.Is(err, ErrNewerFormat):
		case errors.Is(err, ErrDamaged):
			checkDamaged(t, err, configFile)
		default:
			t.Fatalf("open: %v", err)
		}
	})
}
