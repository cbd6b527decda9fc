package store

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
	"testing"
	"time"

	"casevault/store/internal/dbtest"
	"casevault/vault"
)

// Crash tests: a child process (this test binary, re-executed to run
// TestCrashHelper) writes to a vault and reports each acknowledged write on
// stdout; the parent kills it with SIGKILL at a random moment and checks
// that the vault opens with every acknowledged write and nothing else but,
// possibly, the one write in flight.

const (
	crashDirEnv   = "CASEVAULT_CRASH_DIR"
	crashModeEnv  = "CASEVAULT_CRASH_MODE"
	crashStartEnv = "CASEVAULT_CRASH_START"
	crashKeyEnv   = "CASEVAULT_CRASH_KEY" // the vault's recovery key: no Argon2 in each child
)

const (
	modeLog        = "log"        // tiny checkpoint threshold: automatic checkpoints every few writes
	modeCheckpoint = "checkpoint" // explicit checkpoints of a larger image between writes
)

// crashBulkRows is the number of rows every write of the checkpoint mode
// rewrites, so that each checkpoint writes many chunk files.
const crashBulkRows = 200

var crashWords = []string{"estate", "lease", "deposition", "affidavit", "probate", "custody", "tort",
	"escrow", "lien", "subpoena", "settlement", "appeal", "hearing", "motion", "brief", "statute"}

// crashNotes is the notes of client c-n: 0-3000 bytes, derived from n.
func crashNotes(n int) string {
	r := rand.New(rand.NewPCG(uint64(n), 0xc0ffee))
	size := r.IntN(3001)
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(crashWords[r.IntN(len(crashWords))])
		b.WriteByte(' ')
	}
	return b.String()[:size]
}

// crashPhone is the phone of client c-m once writes 0..k are done: write n
// sets the phone of c-(n/2) to "p<n>".
func crashPhone(m, k int) string {
	switch {
	case 2*m+1 <= k:
		return "p" + strconv.Itoa(2*m+1)
	case 2*m <= k:
		return "p" + strconv.Itoa(2*m)
	}
	return ""
}

// crashWrite is write number n.
func crashWrite(tx *Tx, mode string, n int) error {
	now := time.Unix(1_800_000_000+int64(n), 0)
	_, err := tx.InsertClient(&Client{Name: fmt.Sprintf("c-%d", n), Notes: crashNotes(n)}, now)
	if err != nil {
		return err
	}
	switch mode {
	case modeLog:
		_, err = tx.Exec("UPDATE clients SET phone = ? WHERE name = ?", "p"+strconv.Itoa(n), fmt.Sprintf("c-%d", n/2))
	case modeCheckpoint:
		_, err = tx.Exec("UPDATE conflict_checks SET decision_note = ?", "e"+strconv.Itoa(n))
	}
	return err
}

// TestCrashHelper is the child process of the crash tests; it does nothing
// in a normal test run.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("the child process of TestCrashKill")
	}
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "crash helper: "+format+"\n", args...)
		os.Exit(2)
	}
	mode := os.Getenv(crashModeEnv)
	start, err := strconv.Atoi(os.Getenv(crashStartEnv))
	if err != nil {
		fail("start: %v", err)
	}
	ctx := context.Background()
	dbtest.RememberKey(dir, vault.RecoveryKey(os.Getenv(crashKeyEnv)))
	v, err := unlock(dir)
	if err != nil {
		fail("opening the vault: %v", err)
	}
	opts := Options{CheckpointBytes: 4096}
	if mode == modeCheckpoint {
		opts.CheckpointBytes = -1
	}
	s, err := Open(ctx, v, opts)
	if err != nil {
		fail("opening the store: %v", err)
	}
	// Stop by itself if nobody kills it (a parent that died).
	deadline := time.Now().Add(60 * time.Second)
	for n := start; time.Now().Before(deadline); n++ {
		if err := s.Update(ctx, func(tx *Tx) error { return crashWrite(tx, mode, n) }); err != nil {
			fail("write %d: %v", n, err)
		}
		if err := s.LastCheckpointError(); err != nil {
			fail("automatic checkpoint after write %d: %v", n, err)
		}
		// os.Stdout is unbuffered: each line is one write(2) to the pipe.
		fmt.Fprintf(os.Stdout, "ack %d\n", n)
		if mode == modeCheckpoint {
			fmt.Fprintf(os.Stdout, "checkpoint\n")
			if err := s.Checkpoint(ctx); err != nil {
				fail("checkpoint after write %d: %v", n, err)
			}
			fmt.Fprintf(os.Stdout, "checkpointed\n")
		}
	}
	fail("was not killed")
}

func crashIterations(normal, heavy int) int {
	if os.Getenv("CASEVAULT_HEAVY") == "1" {
		return heavy
	}
	return normal
}

// crashVaultIterations: a new vault every so many kills, so that a heavy run
// does not slow down as its vault grows.
const crashVaultIterations = 30

func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test (re-executes the test binary)")
	}
	t.Parallel()
	runCrashLoop(t, modeLog, 0, crashIterations(12, 300), func() string {
		dir := newFastVault(t) // a kill, unlike a power cut, loses nothing fsync would keep
		// The schema exists before the first child starts.
		closeStore(openStore(t, dir, Options{}))
		return dir
	})
}

// TestCrashKillCheckpoint kills the child while it checkpoints a database of
// a few hundred rows of 2 KB, all of which every write changes, so that each
// checkpoint writes several chunk files: the kill lands inside
// WriteCheckpoint most of the time, at any point of it.
func TestCrashKillCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test (re-executes the test binary)")
	}
	t.Parallel()
	runCrashLoop(t, modeCheckpoint, 1, crashIterations(5, 100), func() string {
		ctx := context.Background()
		dir := newFastVault(t)
		s := openStore(t, dir, Options{})
		err := s.Update(ctx, func(tx *Tx) error {
			for range crashBulkRows {
				// Not clients: rewriting client rows would also rewrite
				// their full-text index entries, which is slow under -race.
				if _, err := tx.InsertConflictCheck(&ConflictCheck{At: time.Unix(1_700_000_000, 0), Actor: "setup",
					Names: strings.Repeat("n", 2048), Hits: "[]"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if cp := s.Vault().Current(); cp.ImageSize < 8*vault.ChunkSize {
			t.Fatalf("image of %d KiB in %d chunks: too small for this test", cp.ImageSize>>10, len(cp.Chunks))
		}
		closeStore(s)
		return dir
	})
}

// runCrashLoop kills children writing to a vault made by setup.
func runCrashLoop(t *testing.T, mode string, seed uint64, iterations int, setup func() string) {
	rng := rand.New(rand.NewPCG(seed, 0xdead))
	next := 0 // the first write the next child makes
	var inFlight, inCheckpoint int
	var childCPU, longestCkpt, verifyTime, startup time.Duration
	maxDelay := 150 * time.Millisecond
	t0 := time.Now()
	var dir string
	written := 0
	for it := 0; it < iterations; it++ {
		if it%crashVaultIterations == 0 {
			written += next
			dir, next = setup(), 0
		}
		delay := time.Duration(rng.Int64N(int64(maxDelay) + 1))
		r := runCrashChild(t, dir, mode, next, delay)
		tv := time.Now()
		// FTS5's own integrity check reads the whole index: after every
		// kill where the index was rebuilt by replay, else at each vault's end.
		deep := mode == modeLog || it == iterations-1 || (it+1)%crashVaultIterations == 0
		k := verifyCrashVault(t, dir, mode, next, r.acked, deep)
		if mode == modeLog && it%3 == 0 {
			checkDeepCutDetected(t, dir)
		}
		verifyTime += time.Since(tv)
		if k == r.acked+1 {
			inFlight++
		}
		if r.lastLine == "checkpoint" {
			inCheckpoint++
		}
		childCPU += r.cpu
		startup += r.firstAck
		if mode == modeCheckpoint {
			// Spread the kills over the whole checkpoint, however long it
			// takes on this machine: up to 1.5 times the longest one seen.
			longestCkpt = max(longestCkpt, r.longestCkpt)
			switch {
			case longestCkpt > 0:
				maxDelay = max(150*time.Millisecond, longestCkpt*3/2)
			case r.lastLine == "checkpoint":
				maxDelay = min(maxDelay*3/2, 5*time.Second)
			}
		}
		next = k + 1
	}
	written += next
	t.Logf("%s mode: %d kills in %v (children used %v of CPU; children took %v to their first write; checks after the kills took %v), %d writes survived; the write in flight survived %d times",
		mode, iterations, time.Since(t0).Round(time.Millisecond), childCPU.Round(time.Millisecond), startup.Round(time.Millisecond), verifyTime.Round(time.Millisecond), written, inFlight)
	if mode == modeCheckpoint {
		t.Logf("killed during a checkpoint %d times of %d; longest checkpoint seen %v, kills up to %v after the first write",
			inCheckpoint, iterations, longestCkpt.Round(time.Millisecond), maxDelay.Round(time.Millisecond))
	}
}

type childResult struct {
	acked       int    // the highest acknowledged write
	lastLine    string // the last line the child printed
	longestCkpt time.Duration
	cpu         time.Duration
	firstAck    time.Duration // from the start of the child
}

// runCrashChild starts a child writing from write start on and kills it
// delay after its first acknowledgement.
func runCrashChild(t *testing.T, dir, mode string, start int, delay time.Duration) (r childResult) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	key, _ := dbtest.Key(dir)
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashModeEnv+"="+mode, crashStartEnv+"="+strconv.Itoa(start),
		crashKeyEnv+"="+string(key))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
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
	acked, lastLine := -1, ""
	var ckptStart time.Time
	take := func(l string) {
		lastLine = l
		switch l {
		case "checkpoint":
			ckptStart = time.Now()
		case "checkpointed":
			r.longestCkpt = max(r.longestCkpt, time.Since(ckptStart))
		}
		if n, ok := strings.CutPrefix(l, "ack "); ok {
			v, err := strconv.Atoi(n)
			if err != nil {
				t.Fatalf("child printed %q", l)
			}
			if v != acked+1 && !(acked == -1 && v == start) {
				t.Fatalf("child acknowledged %d after %d", v, acked)
			}
			acked = v
		}
	}
	t0 := time.Now()
	var firstAck time.Time
	defer func() { r.firstAck = firstAck.Sub(t0) }()
	var kill <-chan time.Time
	timeout := time.After(2 * time.Minute)
	for kill == nil || lines != nil {
		select {
		case l, ok := <-lines:
			if !ok {
				if !killed {
					cmd.Wait()
					t.Fatalf("child exited before it was killed (last line %q): %s", lastLine, stderr.String())
				}
				lines = nil
				continue
			}
			take(l)
			if acked >= 0 && kill == nil {
				firstAck = time.Now()
				kill = time.After(delay)
			}
		case <-kill:
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
			kill = make(chan time.Time) // never again
		case <-timeout:
			cmd.Process.Kill()
			cmd.Wait()
			killed = true
			t.Fatalf("child made no progress (last line %q): %s", lastLine, stderr.String())
		}
	}
	cmd.Wait() // the lines were all read: the pipe is closed
	if acked < start {
		t.Fatalf("child acknowledged nothing: %s", stderr.String())
	}
	r.acked, r.lastLine = acked, lastLine
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return r
}

// verifyCrashVault opens the vault after a kill and checks it; it returns the
// highest write present.
func verifyCrashVault(t *testing.T, dir, mode string, start, acked int, deep bool) int {
	t.Helper()
	ctx := context.Background()
	v, err := unlock(dir)
	if err != nil {
		t.Fatalf("after a kill (acked %d): %v", acked, err)
	}
	s, err := Open(ctx, v, Options{CheckpointBytes: -1})
	if err != nil {
		v.Close()
		t.Fatalf("after a kill (acked %d): the vault does not open: %v", acked, err)
	}
	defer crash(s) // leave the vault as the killed child left it
	k := -1
	err = s.View(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, name, notes FROM clients WHERE name LIKE 'c-%' ORDER BY id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name, notes string
			if err := rows.Scan(&id, &name, &notes); err != nil {
				return err
			}
			if want := fmt.Sprintf("c-%d", k+1); name != want {
				return fmt.Errorf("client %d is %q, want %q: not a prefix of the writes", id, name, want)
			}
			k++
			if notes != crashNotes(k) {
				return fmt.Errorf("client %s has notes of %d bytes, want %d", name, len(notes), len(crashNotes(k)))
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if k < acked || k > acked+1 {
			return fmt.Errorf("writes c-0..c-%d are present, but %d was acknowledged (and at most one more may be)", k, acked)
		}
		switch mode {
		case modeLog:
			rows, err := tx.Query("SELECT name, phone FROM clients ORDER BY id")
			if err != nil {
				return err
			}
			defer rows.Close()
			for m := 0; rows.Next(); m++ {
				var name, phone string
				if err := rows.Scan(&name, &phone); err != nil {
					return err
				}
				if want := crashPhone(m, k); phone != want {
					return fmt.Errorf("client %s has phone %q, want %q (writes up to %d)", name, phone, want, k)
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
		case modeCheckpoint:
			var n, bad int
			if err := tx.QueryRow("SELECT count(*), count(*) FILTER (WHERE decision_note != ?) FROM conflict_checks", "e"+strconv.Itoa(k)).Scan(&n, &bad); err != nil {
				return err
			}
			if n != crashBulkRows || bad != 0 {
				return fmt.Errorf("%d conflict checks, %d of them not updated by write %d: a mix of states", n, bad, k)
			}
		}
		var ok string
		if err := tx.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			return fmt.Errorf("integrity check: %q %v", ok, err)
		}
		var id, ref int64
		if err := tx.QueryRow("SELECT id FROM clients WHERE name = ?", fmt.Sprintf("c-%d", k)).Scan(&id); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT ref FROM search WHERE search MATCH ? AND kind = 'client'", fmt.Sprintf(`name : "c-%d"`, k)).Scan(&ref); err != nil || ref != id {
			return fmt.Errorf("full-text search for c-%d: ref %d, want %d (%v)", k, ref, id, err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("after a kill (writes %d.. started, %d acknowledged): %v", start, acked, err)
	}
	if deep {
		ftsIntegrity(t, s)
	}
	return k
}

// checkDeepCutDetected: after a kill, the redo log's acknowledgement mark
// (docs/FORMAT.md section 7) must protect every record it calls
// acknowledged. On a copy of the vault, the log is cut inside the last of
// those records: opening must report damage, never drop them quietly. And
// the mark must be where a kill can leave it: at the last intact record, or
// one before it (killed between the record's write and the mark's), or past
// it (a torn record, cut off by the open that verified the vault).
func checkDeepCutDetected(t *testing.T, dir string) {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(dir, vault.LogDir, "*.log"))
	if len(logs) != 1 {
		return // between a checkpoint and the first append after it
	}
	b, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 64 || string(b[:8]) != "CVLOG002" {
		return
	}
	acked := int(binary.LittleEndian.Uint64(b[32:40]))
	var starts []int
	for off := 64; off+8 <= len(b); {
		starts = append(starts, off)
		off += 8 + int(binary.LittleEndian.Uint32(b[off:]))
	}
	n := len(starts)
	if acked > n || acked < n-2 {
		t.Fatalf("after a kill: the log's mark says %d records were acknowledged, the log holds %d", acked, n)
	}
	if acked == 0 {
		return
	}
	cp := filepath.Join(t.TempDir(), "cut")
	if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if k, ok := dbtest.Key(dir); ok {
		dbtest.RememberKey(cp, k)
	}
	if err := os.Truncate(filepath.Join(cp, vault.LogDir, filepath.Base(logs[0])), int64(starts[acked-1]+1)); err != nil {
		t.Fatal(err)
	}
	v, err := unlock(cp)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, _, err := v.LoadCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if recs, err := v.ReadLog(); !errors.Is(err, vault.ErrDamaged) {
		t.Fatalf("a log cut inside acknowledged record %d of %d: %d records, %v; want damage", acked-1, n, len(recs), err)
	}
}
