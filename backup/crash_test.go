package backup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"casevault/backup/retention"
	"casevault/vault"
)

// Crash test: a child process (this test binary, re-executed to run
// TestBackupCrashHelper) opens a vault and its repository and loops:
// append a log record, now and then checkpoint, back up, now and then
// forget and prune. The parent kills it with SIGKILL at a random moment
// and checks that the vault and the repository open, that the repository
// verifies (packs of the interrupted backup may be unreferenced), that the
// last backup the child finished is still there, and that a new backup
// restores to exactly the vault's state.

const (
	bcrashVaultEnv = "CASEVAULT_BACKUP_CRASH_VAULT"
	bcrashRepoEnv  = "CASEVAULT_BACKUP_CRASH_REPO"
	bcrashKeyEnv   = "CASEVAULT_BACKUP_CRASH_KEY" // recovery key: no Argon2 in each child
	bcrashSeedEnv  = "CASEVAULT_BACKUP_CRASH_CHILD_SEED"
)

const bcrashChunks = 6

var bcrashVolume = &fakeVolume{id: "uuid:CRASH"}

// vaultSource captures an open vault for a backup.
func vaultSource(v *vault.Vault) (Source, func(), error) {
	c, release, err := v.Capture()
	if err != nil {
		return Source{}, nil, err
	}
	return Source{Capture: c, ReadObject: v.ReadObjectFile, ObjectName: v.ObjectPath,
		Counts: Counts{"clients": 1}, AuditHead: "1:abc", ContentHash: "hash"}, release, nil
}

// crashRecord is log record number n (counted over the vault's life). The
// image's first 8 bytes hold how many records it includes, so the state
// is consistent when the log holds exactly the records that follow.
func crashRecord(n uint64) []byte { return []byte(fmt.Sprintf("rec %d", n)) }

// checkCrashState checks that a vault's image and log agree and returns
// the number of records so far.
func checkCrashState(img []byte, recs [][]byte) (uint64, error) {
	if len(img) < 8 {
		return 0, fmt.Errorf("image of %d bytes", len(img))
	}
	n := binary.LittleEndian.Uint64(img)
	for i, r := range recs {
		if !bytes.Equal(r, crashRecord(n+uint64(i))) {
			return 0, fmt.Errorf("log record %d is %q, want %q", i, r, crashRecord(n+uint64(i)))
		}
	}
	return n + uint64(len(recs)), nil
}

// TestBackupCrashHelper is the child process of TestBackupCrashKill; it
// does nothing in a normal test run.
func TestBackupCrashHelper(t *testing.T) {
	vdir := os.Getenv(bcrashVaultEnv)
	if vdir == "" {
		t.Skip("the child process of TestBackupCrashKill")
	}
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "backup crash helper: "+format+"\n", args...)
		os.Exit(2)
	}
	ctx := context.Background()
	seed, _ := strconv.ParseUint(os.Getenv(bcrashSeedEnv), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 0xb4c))
	cred, err := vault.Recovery(os.Getenv(bcrashKeyEnv))
	if err != nil {
		fail("recovery key: %v", err)
	}
	v, err := vault.Open(vdir, cred)
	if err != nil {
		fail("opening the vault: %v", err)
	}
	img, _, err := v.LoadCheckpoint(ctx)
	if err != nil {
		fail("loading the vault: %v", err)
	}
	recs, err := v.ReadLog()
	if err != nil {
		fail("reading the log: %v", err)
	}
	next, err := checkCrashState(img, recs)
	if err != nil {
		fail("%v", err)
	}
	opts := testOpts(bcrashVolume)
	r, err := Open(ctx, os.Getenv(bcrashRepoEnv), v.Keys(), opts)
	if err != nil {
		fail("opening the repository: %v", err)
	}
	fmt.Println("ready")
	deadline := time.Now().Add(60 * time.Second) // a parent that died
	for i := 0; time.Now().Before(deadline); i++ {
		if err := v.AppendLog(crashRecord(next)); err != nil {
			fail("append: %v", err)
		}
		next++
		if rng.IntN(3) == 0 {
			binary.LittleEndian.PutUint64(img, next)
			c := rng.IntN(bcrashChunks)
			for j := 0; j < 64; j++ {
				img[c*vault.ChunkSize+8+rng.IntN(vault.ChunkSize-8)] = byte(rng.Uint32())
			}
			fmt.Println("checkpoint")
			if err := v.WriteCheckpoint(ctx, img, []byte(`{}`)); err != nil {
				fail("checkpoint: %v", err)
			}
		}
		src, release, err := vaultSource(v)
		if err != nil {
			fail("capture: %v", err)
		}
		fmt.Println("backup")
		res, err := r.Backup(ctx, src, nil)
		release()
		if err != nil {
			fail("backup: %v", err)
		}
		// os.Stdout is unbuffered: one write(2) per line.
		fmt.Println("done " + res.Snapshot.ID)
		if i%6 == 5 {
			fmt.Println("prune")
			if _, err := r.Forget(ctx, retention.Policy{Last: 3}, time.UTC, true); err != nil {
				fail("forget: %v", err)
			}
			fmt.Println("pruned")
		}
	}
	fail("was not killed")
}

type bcrashChild struct {
	lastLine string
	lastDone string // the id of the last snapshot the child finished
	backups  int
	startup  time.Duration
}

// runBackupCrashChild starts a child and kills it delay after it is ready.
func runBackupCrashChild(t *testing.T, vdir, rdir string, rec vault.RecoveryKey, seed uint64, delay time.Duration) (res bcrashChild) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBackupCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), bcrashVaultEnv+"="+vdir, bcrashRepoEnv+"="+rdir,
		bcrashKeyEnv+"="+string(rec), bcrashSeedEnv+"="+strconv.FormatUint(seed, 10))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var kill <-chan time.Time
	timeout := time.After(2 * time.Minute)
	for lines != nil {
		select {
		case l, ok := <-lines:
			if !ok {
				lines = nil
				if !killed {
					cmd.Wait()
					t.Fatalf("the child exited before it was killed (last line %q): %s", res.lastLine, stderr.String())
				}
				continue
			}
			res.lastLine = l
			switch {
			case l == "ready":
				res.startup = time.Since(t0)
				kill = time.After(delay)
			case strings.HasPrefix(l, "done "):
				res.lastDone = strings.TrimPrefix(l, "done ")
				res.backups++
			}
		case <-kill:
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			killed, kill = true, nil
		case <-timeout:
			t.Fatalf("the child hung (last line %q): %s", res.lastLine, stderr.String())
		}
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed by SIGKILL: %v: %s", cmd.ProcessState, stderr.String())
	}
	return res
}

func TestBackupCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test (re-executes the test binary)")
	}
	t.Parallel()
	ctx := context.Background()
	iterations := 20
	if isHeavy() {
		iterations = 200
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CASEVAULT_BACKUP_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set CASEVAULT_BACKUP_CRASH_SEED to repeat the delays)", seed)
	rng := rand.New(rand.NewPCG(seed, 0xdead))

	// The vault and a repository with one snapshot.
	vdir := filepath.Join(t.TempDir(), "vault")
	v, rec, err := vault.Create(vdir, []byte(testPass), vault.CreateOptions{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.LoadCheckpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v.ReadLog(); err != nil {
		t.Fatal(err)
	}
	img := make([]byte, bcrashChunks*vault.ChunkSize)
	for i := 8; i < len(img); i++ {
		img[i] = byte(rng.Uint32())
	}
	if err := v.WriteCheckpoint(ctx, img, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	c, release, err := v.Capture()
	if err != nil {
		t.Fatal(err)
	}
	release()
	rdir := filepath.Join(t.TempDir(), "repo")
	r, err := Init(ctx, rdir, v.Keys(), c.Header, testOpts(bcrashVolume))
	if err != nil {
		t.Fatal(err)
	}
	src, release, err := vaultSource(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Backup(ctx, src, nil); err != nil {
		t.Fatal(err)
	}
	release()
	v.Close()

	cred, err := vault.Recovery(string(rec))
	if err != nil {
		t.Fatal(err)
	}
	maxDelay := 120 * time.Millisecond // a child backs up every 30-50 ms
	lastLines := map[string]int{}
	var withUnref, backups int
	var startup, checks time.Duration
	t0 := time.Now()
	for it := 0; it < iterations; it++ {
		delay := time.Duration(rng.Int64N(int64(maxDelay)))
		ch := runBackupCrashChild(t, vdir, rdir, rec, rng.Uint64(), delay)
		tc := time.Now()
		label := fmt.Sprintf("kill %d (after %v, last line %q)", it, delay, ch.lastLine)
		kind := ch.lastLine
		if strings.HasPrefix(kind, "done ") {
			kind = "done"
		}
		lastLines[kind]++
		backups += ch.backups
		startup += ch.startup

		v, err := vault.Open(vdir, cred)
		if err != nil {
			t.Fatalf("%s: opening the vault: %v", label, err)
		}
		img, recs := state(t, v)
		if _, err := checkCrashState(img, recs); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		r, err := Open(ctx, rdir, v.Keys(), testOpts(bcrashVolume))
		if err != nil {
			t.Fatalf("%s: opening the repository: %v", label, err)
		}
		rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil)
		if err != nil || len(rep.Problems) > 0 || len(rep.Healthy) != rep.Snapshots {
			t.Fatalf("%s: verify: %v %+v", label, err, rep)
		}
		if len(rep.Unreferenced) > 0 {
			withUnref++
		}
		if ch.lastDone != "" {
			if _, err := r.FindSnapshot(ctx, ch.lastDone); err != nil {
				t.Fatalf("%s: the last snapshot the child finished: %v", label, err)
			}
		}
		src, release, err := vaultSource(v)
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Backup(ctx, src, nil)
		release()
		if err != nil {
			t.Fatalf("%s: backup after the kill: %v", label, err)
		}
		for _, f := range listFiles(t, rdir) {
			if strings.Contains(f, ".tmp-") {
				t.Fatalf("%s: temp file %s left after a backup", label, f)
			}
		}
		latest, err := r.FindSnapshot(ctx, "latest")
		if err != nil || latest.ID != res.Snapshot.ID {
			t.Fatalf("%s: latest snapshot %v, %v; want %s", label, latest, err, res.Snapshot.ID)
		}
		restoreAndCheck(t, label, r, latest, v.Keys(), img, recs)
		// Keep the repository small, so that each check costs the same.
		if _, err := r.Forget(ctx, retention.Policy{Last: 2}, time.UTC, true); err != nil {
			t.Fatalf("%s: forget: %v", label, err)
		}
		v.Close()
		checks += time.Since(tc)
	}

	// Prune removes what interrupted backups left. The checks above prune
	// after each kill, so one more backup is interrupted here for sure:
	// the drive fills up when its index is saved.
	v, err = vault.Open(vdir, cred)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	img, recs := state(t, v)
	total, err := checkCrashState(img, recs)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint64(img, total) // the log folded into the image
	img[len(img)-1]++
	if err := v.WriteCheckpoint(ctx, img, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	recs = nil // the new checkpoint starts an empty log
	fb := newFaultBackend(rdir)
	opts := testOpts(bcrashVolume)
	opts.Backend = fb
	if r, err = Open(ctx, rdir, v.Keys(), opts); err != nil {
		t.Fatal(err)
	}
	fb.before = func(n int, name string) error {
		if strings.HasPrefix(name, indexDir+"/") {
			return fb.local.classify(name, syscall.ENOSPC)
		}
		return nil
	}
	if src, release, err = vaultSource(v); err != nil {
		t.Fatal(err)
	}
	_, err = r.Backup(ctx, src, nil)
	release()
	if !errors.Is(err, ErrTargetFull) {
		t.Fatalf("backup with a full drive: %v", err)
	}
	fb.reset()
	rep, err := r.Verify(ctx, VerifyOptions{ReadData: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := len(rep.Unreferenced)
	if before == 0 {
		t.Fatalf("no unreferenced pack after an interrupted backup: %+v", rep)
	}
	src, release, err = vaultSource(v)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Backup(ctx, src, nil)
	release()
	if err != nil {
		t.Fatal(err)
	}
	pr, err := r.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err = r.Verify(ctx, VerifyOptions{ReadData: true}, nil)
	if err != nil || len(rep.Unreferenced) > 0 || len(rep.Healthy) != rep.Snapshots {
		t.Fatalf("verify after prune: %v %+v", err, rep)
	}
	latest, err := r.FindSnapshot(ctx, "latest")
	if err != nil {
		t.Fatal(err)
	}
	restoreAndCheck(t, "after prune", r, latest, v.Keys(), img, recs)
	t.Logf("%d kills in %v (children took %v to start; checks took %v); the children finished %d backups; last line before the kill: %v; %d times the repository had unreferenced packs; at the end %d unreferenced, prune removed %d packs",
		iterations, time.Since(t0).Round(time.Millisecond), startup.Round(time.Millisecond), checks.Round(time.Millisecond),
		backups, lastLines, withUnref, before, pr.PacksRemoved)
}
