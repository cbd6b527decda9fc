//go:build heavy

package app

// TestHeavyAppRotateCrashKill: the key rotation through every layer (app's
// RotateDataKey: the audit MAC key kept, the store's sealed audit segments
// sealed again under the new key, the engine's checkpoint, the vault's new
// header) killed with SIGKILL at random moments. A child process (this test
// binary re-run as TestAppRotateCrashHelper) adds clients and changes the
// vault key every third one, printing each acknowledged client; the parent
// kills it and checks, after every kill: the owner's passphrase, the
// remaining user's and the recovery key each open the vault; every
// acknowledged client is there (and at most the one in flight besides);
// the audit chain verifies; the removed user's passphrase opens nothing.
//
//	CASEVAULT_HEAVY=1 go test -tags migrated_fynedo,heavy -run TestHeavyAppRotateCrashKill -v ./app
//
// CASEVAULT_APP_ROTATE_KILLS sets the number of kills (default 15).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"casevault/app/access"
	"casevault/store"
	"casevault/vault"
)

const (
	appRotDirEnv   = "CASEVAULT_APP_ROTATE_DIR"
	appRotStartEnv = "CASEVAULT_APP_ROTATE_START"
)

// appRotOptions: small sealed audit segments, so that every rotation has
// segments to seal again.
func appRotOptions() Options {
	return Options{Actor: "tester", Store: store.Options{AuditSegment: 8}}
}

// TestAppRotateCrashHelper is the child; it does nothing in a normal run.
func TestAppRotateCrashHelper(t *testing.T) {
	dir := os.Getenv(appRotDirEnv)
	if dir == "" {
		t.Skip("the child process of TestHeavyAppRotateCrashKill")
	}
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "app rotate crash helper: "+format+"\n", args...)
		os.Exit(2)
	}
	start, err := strconv.Atoi(os.Getenv(appRotStartEnv))
	if err != nil {
		fail("start: %v", err)
	}
	s, err := Open(ctx, dir, Passphrase([]byte(testPass)), appRotOptions())
	if err != nil {
		fail("open: %v", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for n := start; time.Now().Before(deadline); n++ {
		if _, err := s.AddClient(ctx, ClientInput{Name: ptr(fmt.Sprintf("Crash Client %d", n))}); err != nil {
			fail("client %d: %v", n, err)
		}
		fmt.Fprintf(os.Stdout, "ack %d\n", n)
		if n%3 == 2 {
			fmt.Fprintln(os.Stdout, "rotate")
			if _, err := s.RotateDataKey(ctx); err != nil {
				fail("rotation after client %d: %v", n, err)
			}
			fmt.Fprintln(os.Stdout, "rotated")
		}
	}
	fail("was not killed")
}

func TestHeavyAppRotateCrashKill(t *testing.T) {
	if os.Getenv("CASEVAULT_HEAVY") != "1" {
		t.Skip("heavy: set CASEVAULT_HEAVY=1")
	}
	kills := 15
	if n, err := strconv.Atoi(os.Getenv("CASEVAULT_APP_ROTATE_KILLS")); err == nil && n > 0 {
		kills = n
	}
	dir, rk := newTestVault(t)
	owner := openTest(t, dir)
	rotationReady(t, owner)
	idaPass := addUser(t, owner, dir, "ida", access.AttorneyRole)
	owner = openTest(t, dir)
	patPass := addUser(t, owner, dir, "pat", access.ParalegalRole)
	owner, err := Open(ctx, dir, Passphrase([]byte(testPass)), appRotOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 { // sealed segments before the first rotation
		if _, err := owner.AddClient(ctx, ClientInput{Name: ptr(fmt.Sprintf("Before %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := owner.RemoveUser(ctx, "pat", false); err != nil {
		t.Fatal(err)
	}
	if err := owner.Close(ctx); err != nil {
		t.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(10, 0xfeed))
	next, inRotation, inFlight := 0, 0, 0
	ackRE := regexp.MustCompile(`^ack (\d+)$`)
	for it := 0; it < kills; it++ {
		// The child's start (the unlock) takes a few hundred ms: kill
		// within 0.2–1.5 s, so both the writes and the rotations are hit.
		delay := 200*time.Millisecond + time.Duration(rng.Int64N(int64(1300*time.Millisecond)))
		cmd := exec.Command(os.Args[0], "-test.run=^TestAppRotateCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), appRotDirEnv+"="+dir, appRotStartEnv+"="+strconv.Itoa(next))
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		if strings.Contains(errb.String(), "app rotate crash helper:") {
			t.Fatalf("kill %d: the child failed: %s", it, errb.String())
		}
		acked, last := next-1, ""
		sc := bufio.NewScanner(&out)
		for sc.Scan() {
			if m := ackRE.FindStringSubmatch(sc.Text()); m != nil {
				acked, _ = strconv.Atoi(m[1])
			}
			last = sc.Text()
		}
		if last == "rotate" {
			inRotation++
		}
		// Everyone who should still opens, to the same clients.
		var names []string
		for who, cred := range map[string]Credential{
			"the owner": Passphrase([]byte(testPass)),
			"ida":       Passphrase([]byte(idaPass)).ForUser("ida"),
		} {
			s, err := Open(ctx, dir, cred, Options{Actor: "checker"})
			if err != nil {
				t.Fatalf("kill %d (last %q): %s cannot open: %v", it, last, who, err)
			}
			l, err := s.ListClients(ctx, ByName)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range l {
				if strings.HasPrefix(c.Name, "Crash Client ") {
					got = append(got, c.Name)
				}
			}
			if names != nil && strings.Join(names, ",") != strings.Join(got, ",") {
				t.Errorf("kill %d: %s sees other clients than the owner", it, who)
			}
			names = got
			if who == "the owner" {
				ar, err := s.AuditVerify(ctx)
				if err != nil || !ar.OK {
					t.Fatalf("kill %d (last %q): the audit chain: %+v %v", it, last, ar, err)
				}
			}
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
		}
		have := map[int]bool{}
		for _, n := range names {
			k, _ := strconv.Atoi(strings.TrimPrefix(n, "Crash Client "))
			have[k] = true
		}
		for k := 0; k <= acked; k++ {
			if !have[k] {
				t.Fatalf("kill %d (last %q): acknowledged client %d is lost", it, last, k)
			}
		}
		if len(have) > acked+2 {
			t.Fatalf("kill %d: %d crash clients, %d acknowledged", it, len(have), acked+1)
		}
		if have[acked+1] {
			inFlight++
			next = acked + 2
		} else {
			next = acked + 1
		}
		if s, err := Open(ctx, dir, rkCred(t, rk), Options{Actor: "checker"}); err != nil {
			t.Fatalf("kill %d: the recovery key: %v", it, err)
		} else {
			s.Close(ctx)
		}
		if _, err := Open(ctx, dir, Passphrase([]byte(patPass)).ForUser("pat"), Options{}); !errors.Is(err, ErrUnknownUser) && !errors.Is(err, ErrWrongCredential) {
			t.Fatalf("kill %d: the removed user's passphrase: %v", it, err)
		}
	}
	t.Logf("%d kills: %d during a rotation, the client in flight survived %d times, %d clients in the end", kills, inRotation, inFlight, next)
	if inRotation == 0 {
		t.Error("no kill landed during a rotation: the test did not test rotations")
	}
}

func rkCred(t *testing.T, rk vault.RecoveryKey) Credential {
	t.Helper()
	c, err := Recovery(string(rk))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
