package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"casevault/app"
)

// fakeClock is a clock that only the sleeper moves.
type fakeClock struct {
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return nil
}

// TestBackoff: wrong passphrases on the command line cost the same
// persisted, growing wait as in the window (none for the first five at a vault and three at a repository, then
// 5 s, 10 s, 20 s ...), for the vault and for a backup repository; the
// right one clears the count. The clock and the sleeper are injected: the
// test never sleeps.
func TestBackoff(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	repo := repoDir(t)
	v.ok("backup", "--repo", repo)
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	state := t.TempDir()
	try := func(pass string, args ...string) (string, int) {
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader(pass + "\n"), Stdout: &out, Stderr: &errb, StdinFD: -1,
			Now: clock.Now, Sleep: clock.Sleep, StateDir: state}
		code := Run(context.Background(), append(args, "--vault", v.dir, "--passphrase-stdin"), env)
		return errb.String(), code
	}
	for _, c := range []struct {
		name string
		args []string
		free int // wrong attempts without a wait: a vault's lockout-after (5), a repository's 3
	}{
		{"vault", []string{"status"}, app.DefaultLockoutAfter},
		{"backup repository", []string{"snapshots", "--repo", repo}, app.FreeUnlockAttempts},
	} {
		clock.slept = nil
		n := c.free + 3
		for i := 0; i < n; i++ {
			if _, code := try("wrong guess number "+string(rune('a'+i)), c.args...); code != ExitWrongKey {
				t.Fatalf("%s: wrong passphrase %d: exit %d", c.name, i+1, code)
			}
		}
		want := []time.Duration{5 * time.Second, 10 * time.Second}
		if len(clock.slept) != 2 || clock.slept[0] != want[0] || clock.slept[1] != want[1] {
			t.Fatalf("%s: waits after %d wrong passphrases: %v, want %v", c.name, n, clock.slept, want)
		}
		errs, code := try(testPass, c.args...)
		if code != 0 {
			t.Fatalf("%s: the right passphrase: exit %d %s", c.name, code, errs)
		}
		if len(clock.slept) != 3 || clock.slept[2] != 20*time.Second || !strings.Contains(errs, fmt.Sprintf("%d wrong passphrases or recovery keys in a row: waiting 20", n)) {
			t.Fatalf("%s: before attempt %d: waits %v, stderr %q", c.name, n+1, clock.slept, errs)
		}
		if _, code := try("wrong again", c.args...); code != ExitWrongKey || len(clock.slept) != 3 {
			t.Fatalf("%s: a success did not clear the count: waits %v", c.name, clock.slept)
		}
	}
}

// withoutUnlockDelay is a folder's files without the back-off's count.
func withoutUnlockDelay(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if k != "unlock-delay" {
			out[k] = v
		}
	}
	return out
}
