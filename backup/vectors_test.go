package backup

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/cryptotest"
	"time"

	"casevault/backup/volume"
	"casevault/vault"
	"casevault/vault/testkit"
)

// Test vectors of the backup repository format (docs/FORMAT.md section 13):
// a small repository made by the real code from fixed inputs, plus the
// plaintexts it must decrypt to. testdata/vectors/verify_vectors.py reads
// them independently (make test runs it). TestRepoVectors rebuilds the
// repository and fails on any byte that differs, so a change of the format
// cannot pass unnoticed. Regenerate (only for a deliberate format change,
// with docs/FORMAT.md updated and the Python reader still passing) with
//
//	go test ./backup/ -run '^TestRepoVectors$' -update
//
// The vault that is backed up is the vault package's own test vector
// (vault/testdata/vectors/vault), copied into source/. Randomness (nonces,
// the repository id, temporary names) comes from a fixed seed through
// testing/cryptotest; the clock, host and drive are fixed options.

var updateVectors = flag.Bool("update", false, "rewrite testdata/vectors from the fixed inputs")

const (
	repoVectorsDir  = "testdata/vectors"
	vaultVectorsDir = "../vault/testdata/vectors"
	vecPassphrase   = "correct horse battery staple"
	vecSeed         = 20261202
)

var (
	vecInitTime  = time.Unix(1700000000, 0).UTC() // 2023-11-14T22:13:20Z
	vecSnapTimes = []time.Time{time.Unix(1700003600, 500000000).UTC(), time.Unix(1700086400, 0).UTC()}
	vecDrillTime = time.Unix(1700090000, 123456789).UTC()
	// A label with characters Go's JSON escapes (< > & U+2028) and one it
	// writes raw (é): the config MAC is over Go's encoding (FORMAT.md 13.4).
	vecVolume = volume.Volume{ID: "uuid:ABCD-1234", Label: "Clé <A&B>\u2028", FSType: "vfat", MountPoint: "/media/anna/STICK"}
	vecCounts = Counts{"audit": 3, "clients": 2, "matters": 0, "notes": 0, "parties": 0}
)

// vecPurposes are the key purposes of FORMAT.md 13.3, for values.txt.
var vecPurposes = []struct{ family, purpose string }{
	{"purpose:", purposeConfig}, {"purpose:", purposeBlobID}, {"aead:", purposeBlob},
	{"aead:", purposeTrailer}, {"aead:", purposeIndex}, {"aead:", purposeSnapshot}, {"aead:", purposeDrill},
}

// buildRepoVectors makes the vector files: source/ (the vault backed up),
// repo/ (the repository, without its lock file) and expected/ (plaintexts
// and intermediate values). Paths are relative to testdata/vectors.
func buildRepoVectors(t *testing.T) map[string][]byte {
	t.Helper()
	cryptotest.SetGlobalRandom(t, vecSeed)
	ctx := context.Background()
	files := map[string][]byte{}
	read := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join(vaultVectorsDir, rel))
		if err != nil {
			t.Fatalf("reading the vault vectors: %v", err)
		}
		return b
	}

	// The source vault: the vault package's vector, as it is on disk.
	header, manifest := read("vault/header"), read("vault/manifest")
	logFile := read("vault/log/0000000000000001.log")
	files["source/header"], files["source/manifest"] = header, manifest
	files["source/log/0000000000000001.log"] = logFile
	keys, err := vault.UnlockHeader("header", header, vault.Passphrase([]byte(vecPassphrase)))
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	cp, err := keys.OpenManifest("manifest", manifest)
	if err != nil {
		t.Fatal(err)
	}
	objects := map[vault.ID][]byte{}
	for _, id := range cp.Chunks {
		rel := "vault/objects/db/" + id.String()[:2] + "/" + id.String()
		objects[id] = read(rel)
		files["source/"+strings.TrimPrefix(rel, "vault/")] = objects[id]
	}

	// The repository: set up, then two backups: the first with the log up
	// to its first record, the second with the whole log (it shares the
	// manifest and the chunk, and adds one log piece).
	dir := filepath.Join(t.TempDir(), "repo")
	clock := vecInitTime
	opts := Options{
		Volume:     func(string) (volume.Volume, error) { return vecVolume, nil },
		Now:        func() time.Time { return clock },
		Host:       "vectors-host",
		AppVersion: "vectors",
	}
	r, err := Init(ctx, dir, keys, header, opts)
	if err != nil {
		t.Fatal(err)
	}
	hdrLen := 64 // redo log format 2 (FORMAT.md section 7)
	firstRecordEnd := hdrLen + 8 + int(binary.LittleEndian.Uint32(logFile[hdrLen:hdrLen+4]))
	var snaps []*Snapshot
	for i, logBytes := range [][]byte{logFile[:firstRecordEnd], logFile} {
		clock = vecSnapTimes[i]
		src := Source{
			Capture: &vault.Capture{Header: header, Manifest: manifest, Checkpoint: cp, LogGen: cp.LogGen, Log: logBytes},
			ReadObject: func(k vault.Kind, id vault.ID) ([]byte, error) {
				if b, ok := objects[id]; ok && k == vault.KindDBChunk {
					return b, nil
				}
				return nil, fmt.Errorf("no object %v %s", k, id)
			},
			ObjectName:  func(k vault.Kind, id vault.ID) string { return id.String() },
			Counts:      vecCounts,
			AuditHead:   fmt.Sprintf("%d:%s", 3, strings.Repeat("ab", 32)),
			ContentHash: strings.Repeat("cd", 32),
		}
		res, err := r.Backup(ctx, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, res.Snapshot)
	}
	drill := &DrillRecord{
		Time: vecDrillTime, Snapshot: snaps[1].ID, OK: true,
		Checks:      []string{"counts: 5 rows", "content hash: equal"},
		RestoreTime: 1500 * time.Millisecond, TotalTime: 2 * time.Second, Objects: 1, Bytes: int64(len(objects[cp.Chunks[0]])),
	}
	if err := r.RecordDrill(ctx, drill); err != nil {
		t.Fatal(err)
	}
	r.Close()

	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "lock" {
			return nil // empty once released; not part of the format's data
		}
		b, err := os.ReadFile(p)
		files["repo/"+filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// Expected plaintexts of every sealed file, by the real code's reader.
	plain := func(name, magic, purpose string) {
		b := files["repo/"+name]
		pt, err := keys.Open(purpose, b[len(magic):], adFor(magic, keys.VaultID()))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		files["expected/"+name+".json"] = pt
	}
	for name := range files {
		rel, ok := strings.CutPrefix(name, "repo/")
		switch {
		case !ok:
		case strings.HasPrefix(rel, indexDir+"/"):
			plain(rel, indexMagic, purposeIndex)
		case strings.HasPrefix(rel, snapDir+"/"):
			plain(rel, snapMagic, purposeSnapshot)
		case strings.HasPrefix(rel, drillDir+"/"):
			plain(rel, drillMagic, purposeDrill)
		case strings.HasPrefix(rel, dataDir+"/"):
			b := files[name]
			n := int(binary.LittleEndian.Uint32(b[len(b)-4:]))
			pt, err := keys.Open(purposeTrailer, b[len(b)-4-n:len(b)-4], adFor(packMagic, keys.VaultID()))
			if err != nil {
				t.Fatalf("%s trailer: %v", rel, err)
			}
			files["expected/"+rel+".trailer.json"] = pt
		}
	}
	var cfg repoConfig
	if err := json.Unmarshal(files["repo/config"][len(configMagic):], &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.MAC = ""
	c, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	files["expected/config-mac-input.json"] = c

	// Intermediate values: the purpose keys of 13.3 from the vault's MAC root.
	var macRoot []byte
	for _, line := range strings.Split(string(read("expected/values.txt")), "\n") {
		if v, ok := strings.CutPrefix(line, "mac_root "); ok {
			macRoot, _ = hex.DecodeString(v)
		}
	}
	if len(macRoot) != 32 {
		t.Fatal("no mac_root in the vault vectors' values.txt")
	}
	var kv strings.Builder
	fmt.Fprintf(&kv, "mac_root %x\n", macRoot)
	for _, p := range vecPurposes {
		m := hmac.New(sha256.New, macRoot)
		m.Write([]byte(p.family + p.purpose))
		fmt.Fprintf(&kv, "%s%s %x\n", p.family, strings.ReplaceAll(p.purpose, " ", "_"), m.Sum(nil))
	}
	for i, s := range snaps {
		fmt.Fprintf(&kv, "snapshot_%d %s\n", i+1, s.ID)
	}
	files["expected/values.txt"] = []byte(kv.String())
	return files
}

var repoVectorSubs = []string{"source", "repo", "expected"}

// repoVectorsOutEnv, set in a child process of the test binary, makes
// TestRepoVectors only build the vectors and write them to that folder.
const repoVectorsOutEnv = "CASEVAULT_TEST_REPO_VECTORS_OUT"

// buildRepoVectorsInChild builds the vectors in a child process that runs
// TestRepoVectors alone: testing/cryptotest makes crypto/rand deterministic
// for the whole process, and in this one other tests' goroutines may draw
// from it meanwhile (seen once under a loaded make test: the two builds
// differed).
func buildRepoVectorsInChild(t *testing.T) map[string][]byte {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRepoVectors$", "-test.count=1")
	cmd.Env = append(os.Environ(), repoVectorsOutEnv+"="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the vectors in a child process: %v\n%s", err, b)
	}
	files, err := testkit.ReadTree(out, repoVectorSubs...)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestRepoVectors(t *testing.T) {
	if out := os.Getenv(repoVectorsOutEnv); out != "" {
		testkit.WriteTree(t, out, buildRepoVectors(t), repoVectorSubs...)
		return
	}
	t.Parallel() // the builds run in child processes
	stored, err := testkit.ReadTree(repoVectorsDir, repoVectorSubs...)
	if err != nil && !*updateVectors {
		t.Fatalf("reading %s: %v (run: go test ./backup/ -run '^TestRepoVectors$' -update)", repoVectorsDir, err)
	}
	// memguard re-keys its own key every 500 ms from crypto/rand, which the
	// child's deterministic source also feeds: a re-key inside a build (a
	// slow, loaded machine) shifts every random byte after it. So a build
	// that differs from the stored vectors is made again, up to three
	// times; a writer that really changed differs every time. With -update,
	// two builds must agree before they are stored.
	var built map[string][]byte
	for try := 1; try <= 3; try++ {
		built = buildRepoVectorsInChild(t)
		if *updateVectors {
			if again := buildRepoVectorsInChild(t); !sameTree(built, again) {
				if try == 3 {
					t.Fatal("two builds from the same inputs differ three times: the vectors are not deterministic")
				}
				continue
			}
			break
		}
		if sameTree(built, stored) {
			break
		}
	}
	if *updateVectors {
		testkit.WriteTree(t, repoVectorsDir, built, repoVectorSubs...)
		if stored, err = testkit.ReadTree(repoVectorsDir, repoVectorSubs...); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for n := range built {
		names = append(names, n)
	}
	for n := range stored {
		if _, ok := built[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b, inBuilt := built[n]
		s, inStored := stored[n]
		switch {
		case !inStored:
			t.Errorf("%s: the code writes it but testdata/vectors lacks it", n)
		case !inBuilt:
			t.Errorf("%s: in testdata/vectors but the code no longer writes it", n)
		case !bytes.Equal(b, s):
			t.Errorf("%s differs from what the fixed inputs give", n)
		}
	}
	if t.Failed() {
		t.Log("the backup repository format changed: if on purpose, update docs/FORMAT.md section 13, run " +
			"go test ./backup/ -run '^TestRepoVectors$' -update, and check that " +
			"python3 backup/testdata/vectors/verify_vectors.py still passes")
		return
	}

	// The stored repository reads back through the real code: it verifies
	// (every pack read) and each snapshot restores to the source vault.
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "repo")
	for rel, b := range stored {
		if rest, ok := strings.CutPrefix(rel, "repo/"); ok {
			p := filepath.Join(dir, filepath.FromSlash(rest))
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	r, err := OpenWithCredential(ctx, dir, vault.Passphrase([]byte(vecPassphrase)), Options{
		Volume: func(string) (volume.Volume, error) { return vecVolume, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Snapshots != 2 || len(rep.Healthy) != 2 || len(rep.Unreferenced) > 0 || rep.PacksRead != rep.Packs {
		t.Fatalf("the vector repository does not verify: %+v", rep)
	}
	snaps, bad, err := r.Snapshots(ctx)
	if err != nil || len(bad) > 0 || len(snaps) != 2 {
		t.Fatalf("snapshots: %d, damaged %v, %v", len(snaps), bad, err)
	}
	for i, s := range snaps {
		out := filepath.Join(t.TempDir(), "restored")
		if _, err := r.Restore(ctx, s, out, nil); err != nil {
			t.Fatalf("restoring snapshot %d: %v", i+1, err)
		}
		for _, rel := range []string{"header", "manifest"} {
			got, err := os.ReadFile(filepath.Join(out, rel))
			if err != nil || !bytes.Equal(got, stored["source/"+rel]) {
				t.Errorf("snapshot %d: restored %s differs from the source (%v)", i+1, rel, err)
			}
		}
		got, err := os.ReadFile(filepath.Join(out, "log", "0000000000000001.log"))
		if want := stored["source/log/0000000000000001.log"][:s.LogSize]; err != nil || !bytes.Equal(got, want) {
			t.Errorf("snapshot %d: restored log differs from the source's first %d bytes (%v)", i+1, s.LogSize, err)
		}
	}
}

func sameTree(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
