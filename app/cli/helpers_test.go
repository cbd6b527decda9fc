package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"casevault/app"
	"casevault/store"
	"casevault/vault"
	"casevault/vault/testkit"
)

const testPass = "lantern orbit velvet cactus"

// run runs one command line in-process with stdin as standard input (not a
// terminal) and returns what it printed and its exit code.
func run(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runStore(t, app.StoreOptions{}, stdin, args...)
}

// runStore is run with the durability engine tuned by so.
func runStore(t *testing.T, so app.StoreOptions, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, StdinFD: -1,
		Sleep: noSleep, StateDir: t.TempDir(), Store: so}
	code = Run(context.Background(), args, env)
	return out.String(), errb.String(), code
}

// noSleep is the tests' sleeper for the wait after wrong passphrases: they
// never sleep for real (TestBackoff checks the waits asked for).
func noSleep(context.Context, time.Duration) error { return nil }

var recoveryRE = regexp.MustCompile(`\b([0-9A-Z]{4}-){8}[0-9A-Z]{4}\b`)

// initVault runs `casevault init` with the cheap KDF and returns the
// recovery key it printed.
func initVault(t *testing.T, dir string) string {
	t.Helper()
	out, errs, code := run(t, testPass+"\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, errs)
	}
	rk := recoveryRE.FindString(out)
	if rk == "" {
		t.Fatalf("init printed no recovery key:\n%s", out)
	}
	return rk
}

var template struct {
	once sync.Once
	dir  string
	rk   string
	err  string
}

// tv is a test vault driven through the command line.
type tv struct {
	t   *testing.T
	dir string
	rk  string
	// closeCheckpoints: every command checkpoints when it closes, as
	// every command did before command-line sessions left a small redo log
	// for the next open (app.CommandLineCheckpointBytes): for tests whose
	// story needs a vault whose manifest moves on with each command
	// (folders copied over each other) or a checkpoint to fail.
	closeCheckpoints bool
}

// checkpointing makes every command of v checkpoint at its close.
func (v *tv) checkpointing() *tv {
	v.closeCheckpoints = true
	return v
}

// newTV returns a fresh, empty vault (a copy of one made by init once per
// test binary).
func newTV(t *testing.T) *tv {
	t.Helper()
	template.once.Do(func() {
		parent, err := os.MkdirTemp(scratchBase(), "casevault-cli-test")
		if err != nil {
			template.err = err.Error()
			return
		}
		template.dir = filepath.Join(parent, "vault")
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader(testPass + "\n"), Stdout: &out, Stderr: &errb, StdinFD: -1}
		if code := Run(context.Background(), []string{"init", "--vault", template.dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1"}, env); code != 0 {
			template.err = errb.String()
			return
		}
		template.rk = recoveryRE.FindString(out.String())
	})
	if template.err != "" {
		t.Fatalf("init: %s", template.err)
	}
	dir := filepath.Join(scratchDir(t), "vault")
	if err := os.CopyFS(dir, os.DirFS(template.dir)); err != nil {
		t.Fatal(err)
	}
	return &tv{t: t, dir: dir, rk: template.rk}
}

// with runs a command on the vault, unlocking with stdin.
func (v *tv) with(stdin string, args ...string) (string, string, int) {
	v.t.Helper()
	var so app.StoreOptions
	if v.closeCheckpoints {
		so.CloseCheckpointBytes = -1
	}
	return runStore(v.t, so, stdin, append(args, "--vault", v.dir, "--passphrase-stdin")...)
}

// do runs a command with the passphrase.
func (v *tv) do(args ...string) (string, string, int) {
	v.t.Helper()
	return v.with(testPass+"\n", args...)
}

// ok runs a command with the passphrase and fails the test unless it exits 0.
func (v *tv) ok(args ...string) string {
	v.t.Helper()
	out, errs, code := v.do(args...)
	if code != 0 {
		v.t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
	}
	return out
}

// id runs a command that prints a new id.
func (v *tv) id(args ...string) string {
	v.t.Helper()
	return addedID(v.t, args, v.ok(args...))
}

// addedRE is what an add command says: "Client 12 added: Jane Roe".
var addedRE = regexp.MustCompile(`^(Client|Matter|Note|Party) ([0-9]+) added[ :.]`)

// addedID is the id in what an add command said.
func addedID(t *testing.T, args []string, out string) string {
	t.Helper()
	m := addedRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("%v printed %q, want \"... N added...\"", args, out)
	}
	return m[2]
}

// json runs a command with --json and decodes its output into a value of T.
func okJSON[T any](v *tv, args ...string) T {
	v.t.Helper()
	out := v.ok(append(args, "--json")...)
	var x T
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		v.t.Fatalf("%v --json: %v\n%s", args, err, out)
	}
	return x
}

func TestMain(m *testing.M) {
	if helperMain() {
		return
	}
	// Tests never touch the real ~/.config (the last user of a vault, wrong-
	// passphrase counts): every test binary gets its own config folder.
	cfg, err := os.MkdirTemp("", "casevault-test-config")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", cfg)
	code := m.Run()
	os.RemoveAll(cfg)
	if template.dir != "" {
		os.RemoveAll(filepath.Dir(template.dir))
	}
	os.Exit(code)
}

func timeNow() time.Time { return time.Now() }

// folderBytes reads every file under dir.
var folderBytes = testkit.TreeBytes

func equalMaps(a, b map[string]string) bool { return reflect.DeepEqual(a, b) }

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func mustRel(t *testing.T, base, p string) string {
	t.Helper()
	rel, err := filepath.Rel(base, p)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func fileSize(t *testing.T, p string) int64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// objectFiles lists the vault's object files.
func objectFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(dir, vault.ObjectsDir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// copyTV copies a (locked) test vault to a fresh folder.
func copyTV(t *testing.T, v *tv) *tv {
	t.Helper()
	dir := filepath.Join(scratchDir(t), "vault")
	if err := os.CopyFS(dir, os.DirFS(v.dir)); err != nil {
		t.Fatal(err)
	}
	return &tv{t: t, dir: dir, rk: v.rk, closeCheckpoints: v.closeCheckpoints}
}

// withStore opens the vault's store directly (no app layer, so nothing is
// recorded in the audit trail) and runs fn.
func withStore(t *testing.T, dir, pass string, fn func(st *store.Store) error) {
	t.Helper()
	ctx := context.Background()
	vt, err := vault.Open(dir, vault.Passphrase([]byte(pass)))
	if err != nil {
		t.Fatal(err)
	}
	defer vt.Close()
	st, err := store.Open(ctx, vt, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	if err := fn(st); err != nil {
		t.Fatal(err)
	}
}

// audit counts the audit entries straight from the store, recording nothing.
func (v *tv) audit() int {
	v.t.Helper()
	var c store.Counts
	withStore(v.t, v.dir, testPass, func(st *store.Store) error {
		return st.View(context.Background(), func(tx *store.Tx) error {
			var err error
			c, err = tx.Counts()
			return err
		})
	})
	return c.Audit
}

// scratchBase and scratchDir: test vaults live on tmpfs when there is one.
var (
	scratchBase = testkit.ScratchBase
	scratchDir  = testkit.ScratchDir
)
