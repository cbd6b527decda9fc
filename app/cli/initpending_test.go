package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestInitKeyNotShownLeavesNoVault: when init cannot show the recovery key
// (standard output is gone, as when the terminal is closed or init is
// killed), the folder does not become a vault that opens with the
// passphrase, and the next init starts over instead of refusing.
func TestInitKeyNotShownLeavesNoVault(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(scratchDir(t), "vault")
	var errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(testPass + "\n"), Stdout: brokenWriter{}, Stderr: &errb, StdinFD: -1}
	code := Run(context.Background(), []string{"init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1"}, env)
	if code == 0 {
		t.Fatal("init exited 0 although the recovery key could not be shown")
	}
	if !strings.Contains(errb.String(), "recovery key could not be shown") {
		t.Errorf("init: %s", errb.String())
	}
	v := &tv{t: t, dir: dir}
	_, errs, code := v.do("client", "list")
	if code == 0 || !strings.Contains(errs, "interrupted") || !strings.Contains(errs, "init") {
		t.Fatalf("client list on a half-made vault: exit %d: %s", code, errs)
	}
	v.rk = initVault(t, dir)
	v.ok("client", "list")
	if _, errs, code := v.with(v.rk+"\n", "status", "--recovery"); code != 0 {
		t.Fatalf("the recovery key of the second init: exit %d %s", code, errs)
	}
}

// TestConfirmRecoveryKeyReadsLikeUnlock: the group typed back at init is
// read as an unlock reads the key (case, I and L as 1, O as 0, spaces and
// dashes ignored). Before, "LOLO" for the group "1010" was refused three
// times and init failed, although --recovery accepts exactly that.
func TestConfirmRecoveryKeyReadsLikeUnlock(t *testing.T) {
	t.Parallel()
	key := "ABCD-1010-1010-1010-1010-1010-1010-1010-1010" // every group but the first is 1010
	for _, typed := range []string{"1010", "lolo", "LOLO", "IoIo", " 10-10 "} {
		var errb bytes.Buffer
		r := &runner{stdinP: true, env: Env{Stdin: strings.NewReader(typed + "\n"), Stdout: &bytes.Buffer{}, Stderr: &errb, StdinFD: -1}}
		if err := r.confirmRecoveryKey(key); err != nil {
			t.Errorf("typed %q for 1010: %v (%s)", typed, err, errb.String())
		}
	}
	r := &runner{stdinP: true, env: Env{Stdin: strings.NewReader("1011\n1011\n1011\n"), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, StdinFD: -1}}
	if err := r.confirmRecoveryKey(key); err == nil {
		t.Error("a wrong group was accepted")
	}
}
