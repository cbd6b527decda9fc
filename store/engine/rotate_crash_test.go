//go:build heavy

package engine

// TestHeavyRotateCrashKill: a child process (this test binary, re-executed
// to run TestRotateCrashHelper) writes rows and changes the vault key every
// few writes, reporting each acknowledged write and each finished rotation
// on stdout; the parent kills it (SIGKILL) at a random moment and checks,
// after every kill: the vault opens with every remaining user's passphrase
// (Carol's with her key file) and with the recovery key, each to the same
// state; every acknowledged write is there, and at most the one in flight
// besides; the objects the database names read back; the removed user's
// passphrase opens nothing, and once a rotation finished, neither does the
// header copy the removed user kept from before. Run it with
//
//	CASEVAULT_HEAVY=1 go test -tags migrated_fynedo,heavy -run TestHeavyRotateCrashKill -v ./store/engine
//
// CASEVAULT_ROTATE_KILLS sets the number of kills (default 40).

import (
	"bufio"
	"bytes"
	"context"
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

const (
	rotDirEnv   = "CASEVAULT_ROTATE_DIR"
	rotStartEnv = "CASEVAULT_ROTATE_START"
	rotKeyEnv   = "CASEVAULT_ROTATE_KEY"
)

var (
	rotOwner   = dbtest.Pass
	rotCarol   = []byte("carol's passphrase for the crash test")
	rotKeyFile = []byte("carol's key file for the crash test")
	rotBob     = []byte("bob's passphrase for the crash test")
)

// rotOpts lists the objects of table objs in each checkpoint.
func rotOpts() Options {
	return Options{
		CheckpointBytes: 8 << 10, // automatic checkpoints too
		Objects: func(tx *Tx) ([]vault.ObjectRef, error) {
			rows, err := tx.Query("SELECT oid FROM objs ORDER BY id")
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []vault.ObjectRef
			for rows.Next() {
				var b []byte
				if err := rows.Scan(&b); err != nil {
					return nil, err
				}
				o := vault.ObjectRef{Kind: vault.KindAuditSegment}
				copy(o.ID[:], b)
				out = append(out, o)
			}
			return out, rows.Err()
		},
	}
}

// TestRotateCrashHelper is the child; it does nothing in a normal run.
func TestRotateCrashHelper(t *testing.T) {
	dir := os.Getenv(rotDirEnv)
	if dir == "" {
		t.Skip("the child process of TestHeavyRotateCrashKill")
	}
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "rotate crash helper: "+format+"\n", args...)
		os.Exit(2)
	}
	start, err := strconv.Atoi(os.Getenv(rotStartEnv))
	if err != nil {
		fail("start: %v", err)
	}
	cred, err := vault.Recovery(os.Getenv(rotKeyEnv))
	if err != nil {
		fail("%v", err)
	}
	ctx := context.Background()
	v, err := vault.Open(dir, cred)
	if err != nil {
		fail("opening the vault: %v", err)
	}
	d, err := Open(ctx, v, rotOpts())
	if err != nil {
		fail("opening the database: %v", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for n := start; time.Now().Before(deadline); n++ {
		err := d.Update(ctx, func(tx *Tx) error {
			_, err := tx.Exec("INSERT INTO t(id, v) VALUES (?, ?)", n, strings.Repeat("x", 300))
			return err
		})
		if err != nil {
			fail("write %d: %v", n, err)
		}
		fmt.Fprintf(os.Stdout, "ack %d\n", n)
		if n%3 == 2 {
			fmt.Fprintf(os.Stdout, "rotate\n")
			if _, err := d.RotateKey(ctx, rekeyHook(new(int))); err != nil {
				fail("rotation after write %d: %v", n, err)
			}
			fmt.Fprintf(os.Stdout, "rotated\n")
		}
	}
	fail("was not killed")
}

func TestHeavyRotateCrashKill(t *testing.T) {
	if os.Getenv("CASEVAULT_HEAVY") != "1" {
		t.Skip("heavy: set CASEVAULT_HEAVY=1")
	}
	kills := 40
	if n, err := strconv.Atoi(os.Getenv("CASEVAULT_ROTATE_KILLS")); err == nil && n > 0 {
		kills = n
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "v")
	o := vault.CreateOptions{KDF: dbtest.KDF, Owner: "Ann"}
	v, rk, err := vault.Create(dir, rotOwner, o)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string][]byte{"Bob": rotBob, "Carol": rotCarol} {
		var kf []byte
		if name == "Carol" {
			kf = rotKeyFile
		}
		if err := v.AddUserSlot(name, p, kf, dbtest.KDF); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Open(ctx, v, rotOpts())
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, d, func(tx *Tx) error {
		if _, err := tx.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
			return err
		}
		_, err := tx.Exec("CREATE TABLE objs(id INTEGER PRIMARY KEY, oid BLOB, pt BLOB)")
		return err
	})
	for i := range 2 {
		pt := []byte(fmt.Sprintf("sealed segment %d", i))
		id, err := v.PutObject(vault.KindAuditSegment, pt)
		if err != nil {
			t.Fatal(err)
		}
		mustUpdate(t, d, func(tx *Tx) error {
			_, err := tx.Exec("INSERT INTO objs(oid, pt) VALUES (?, ?)", id[:], pt)
			return err
		})
	}
	if err := d.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	bobHeader, err := os.ReadFile(filepath.Join(dir, vault.HeaderFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.RemoveUserSlot("Bob"); err != nil {
		t.Fatal(err)
	}
	d.Close(ctx)
	v.Close()

	rng := rand.New(rand.NewPCG(10, 0xbeef))
	next, rotatedEver, inRotation, inFlight := 0, false, 0, 0
	t0 := time.Now()
	for it := 0; it < kills; it++ {
		delay := time.Duration(rng.Int64N(int64(400*time.Millisecond) + 1))
		acked, rotated, last := runRotateChild(t, dir, rk, next, delay)
		rotatedEver = rotatedEver || rotated
		if last == "rotate" {
			inRotation++
		}
		k := verifyRotateCrash(t, dir, rk, acked, bobHeader, rotatedEver)
		if k == acked+1 {
			inFlight++
		}
		next = k + 1
	}
	t.Logf("%d kills in %v: %d during a rotation, %d writes survived, the write in flight survived %d times",
		kills, time.Since(t0).Round(time.Millisecond), inRotation, next, inFlight)
	if inRotation == 0 {
		t.Log("no kill landed inside a rotation this run")
	}
}

// verifyRotateCrash opens dir with every remaining credential and returns
// the highest write present, the same for each.
func verifyRotateCrash(t *testing.T, dir string, rk vault.RecoveryKey, acked int, bobHeader []byte, rotatedEver bool) int {
	t.Helper()
	ctx := context.Background()
	rec, err := vault.Recovery(string(rk))
	if err != nil {
		t.Fatal(err)
	}
	creds := []vault.Credential{
		vault.Passphrase(rotOwner).ForUser("ann"),
		vault.Passphrase(rotCarol).ForUser("Carol").WithKeyFile(rotKeyFile),
		rec,
	}
	got := -2
	opts := rotOpts()
	opts.NoCloseCheckpoint = true
	for _, cred := range creds {
		v, err := vault.Open(dir, cred)
		if err != nil {
			t.Fatalf("after a kill (acked %d), opening as %q: %v", acked, cred.User(), err)
		}
		d, err := Open(ctx, v, opts)
		if err != nil {
			v.Close()
			t.Fatalf("after a kill (acked %d), the database as %q: %v", acked, cred.User(), err)
		}
		var n, maxID int
		err = d.View(ctx, func(tx *Tx) error {
			if err := tx.QueryRow("SELECT count(*), coalesce(max(id), -1) FROM t").Scan(&n, &maxID); err != nil {
				return err
			}
			rows, err := tx.Query("SELECT oid, pt FROM objs")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var oid, pt []byte
				if err := rows.Scan(&oid, &pt); err != nil {
					return err
				}
				b, err := v.GetObject(vault.KindAuditSegment, vault.ID(oid))
				if err != nil {
					return fmt.Errorf("object %x: %w", oid[:6], err)
				}
				if !bytes.Equal(b, pt) {
					return fmt.Errorf("object %x holds %q, want %q", oid[:6], b, pt)
				}
			}
			return rows.Err()
		})
		d.Close(ctx)
		v.Close()
		if err != nil {
			t.Fatalf("after a kill (acked %d), as %q: %v", acked, cred.User(), err)
		}
		if n != maxID+1 {
			t.Fatalf("after a kill: %d rows up to %d: a write is missing", n, maxID)
		}
		if maxID < acked || maxID > acked+1 {
			t.Fatalf("after a kill: writes 0..%d present, %d acknowledged", maxID, acked)
		}
		if got != -2 && got != maxID {
			t.Fatalf("after a kill, credentials see different states: %d and %d", got, maxID)
		}
		got = maxID
	}
	if _, err := vault.Open(dir, vault.Passphrase(rotBob).ForUser("Bob")); !errors.Is(err, vault.ErrUnknownUser) {
		t.Fatalf("the removed user: %v", err)
	}
	k, err := vault.UnlockHeader("bob's copy", bobHeader, vault.Passphrase(rotBob).ForUser("Bob"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := os.ReadFile(filepath.Join(dir, vault.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	_, merr := k.OpenManifest("manifest", m)
	k.Close()
	if rotatedEver && merr == nil {
		t.Fatal("after a finished rotation, the removed user's old header copy opens the manifest")
	}
	return got
}

// runRotateChild runs a child from write start and kills it delay after its
// first acknowledgement. It returns the last write acknowledged, whether a
// rotation finished, and the child's last line.
func runRotateChild(t *testing.T, dir string, rk vault.RecoveryKey, start int, delay time.Duration) (acked int, rotated bool, last string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRotateCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), rotDirEnv+"="+dir, rotStartEnv+"="+strconv.Itoa(start), rotKeyEnv+"="+string(rk))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	acked = start - 1
	var kill <-chan time.Time
	killed := false
	timeout := time.After(2 * time.Minute)
	for lines != nil {
		select {
		case l, ok := <-lines:
			if !ok {
				if !killed {
					cmd.Wait()
					t.Fatalf("child exited before it was killed (last line %q): %s", last, stderr.String())
				}
				lines = nil
				continue
			}
			last = l
			if s, ok := strings.CutPrefix(l, "ack "); ok {
				n, err := strconv.Atoi(s)
				if err != nil || n != acked+1 {
					t.Fatalf("child printed %q after ack %d", l, acked)
				}
				acked = n
				if kill == nil && !killed {
					kill = time.After(delay)
				}
			}
			if l == "rotated" {
				rotated = true
			}
		case <-kill:
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
			kill = nil
		case <-timeout:
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child made no progress (last line %q): %s", last, stderr.String())
		}
	}
	cmd.Wait()
	return acked, rotated, last
}
