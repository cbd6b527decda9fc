package cli

// Tests that run the real casevault binary as a child process: the
// no-plaintext-on-disk canary test, a crash (SIGKILL) in the middle of a
// command, and the single-process lock.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"casevault/app"
	"casevault/store"
	"casevault/vault"
	"casevault/vault/testkit"
)

var binary struct {
	once sync.Once
	path string
	skip string
	err  error
}

// casevaultBinary builds the real binary once per test run
// ($CASEVAULT_BIN, if set, is used instead). It is built to a fixed path
// per checkout and user, so that when nothing changed go build finds it up
// to date and skips the link (several seconds for this binary).
func casevaultBinary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("uses SIGKILL and flock semantics of unix")
	}
	binary.once.Do(func() {
		if p := os.Getenv("CASEVAULT_BIN"); p != "" {
			binary.path = p
			return
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			binary.skip = "go is not on PATH: cannot build the casevault binary"
			return
		}
		wd, _ := os.Getwd()
		sum := sha256.Sum256([]byte(wd))
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("casevault-test-bin-%d-%x", os.Getuid(), sum[:6]))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "casevault")
		cmd := exec.Command(goTool, "build", "-tags", "migrated_fynedo", "-o", binary.path, "casevault")
		if out, err := cmd.CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.skip != "" {
		testkit.SkipUnlessCI(t, binary.skip)
	}
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// helperMain makes the test binary act as a process that holds a vault open
// (CASEVAULT_TEST_HELPER=hold): it unlocks CASEVAULT_TEST_VAULT with the
// passphrase on stdin, adds the clients named in CASEVAULT_TEST_ADD
// (separated by "|"), prints "ready" and sleeps until killed.
func helperMain() bool {
	if os.Getenv("CASEVAULT_TEST_HELPER") != "hold" {
		return false
	}
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	ctx := context.Background()
	s, err := app.Open(ctx, os.Getenv("CASEVAULT_TEST_VAULT"), vault.Passphrase([]byte(strings.TrimRight(line, "\r\n"))), app.Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if names := os.Getenv("CASEVAULT_TEST_ADD"); names != "" {
		for _, n := range strings.Split(names, "|") {
			if _, err := s.AddClient(ctx, app.ClientInput{Name: &n}); err != nil {
				fmt.Println("error:", err)
				os.Exit(1)
			}
		}
	}
	fmt.Println("ready")
	for {
		time.Sleep(time.Hour)
	}
}

// sandbox runs the binary with its own TMPDIR and HOME.
type sandbox struct {
	t     *testing.T
	bin   string
	vault string
	tmp   string
	home  string
	// runtime is $XDG_RUNTIME_DIR, where opened documents' temporary copies
	// go (in copies): the one folder the canary scan leaves out, and
	// which must be empty once a command has finished.
	runtime string
	copies  string
}

func newSandbox(t *testing.T) *sandbox {
	root := scratchDir(t)
	sb := &sandbox{t: t, bin: casevaultBinary(t), vault: filepath.Join(root, "vault"), tmp: filepath.Join(root, "tmp"), home: filepath.Join(root, "home"),
		runtime: filepath.Join(root, "run")}
	sb.copies = filepath.Join(sb.runtime, "casevault-copies")
	for _, d := range []string{sb.tmp, sb.home, sb.runtime} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return sb
}

func (sb *sandbox) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "TMPDIR", k == "HOME", k == "LANG", strings.HasPrefix(k, "LC_"), strings.HasPrefix(k, "XDG_"), strings.HasPrefix(k, "CASEVAULT_"):
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TMPDIR="+sb.tmp, "HOME="+sb.home, "XDG_RUNTIME_DIR="+sb.runtime, "LANG=en_US.UTF-8")
}

func (sb *sandbox) command(ctx context.Context, stdin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, sb.bin, args...)
	cmd.Env = sb.env()
	cmd.Dir = sb.tmp
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// run runs the binary with args plus --vault and --passphrase-stdin.
func (sb *sandbox) run(stdin string, args ...string) (string, string, int) {
	sb.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := sb.command(ctx, stdin, append(args, "--vault", sb.vault, "--passphrase-stdin")...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		sb.t.Fatalf("running casevault %v: %v", args, err)
	}
	if strings.Contains(errb.String(), "panic:") || strings.Contains(errb.String(), "goroutine ") {
		sb.t.Fatalf("casevault %v panicked:\n%s", args, errb.String())
	}
	if strings.Contains(errb.String(), "Fyne error") {
		sb.t.Errorf("casevault %v (a command, not the window) touched Fyne:\n%s", args, errb.String())
	}
	return out.String(), errb.String(), code
}

func (sb *sandbox) ok(stdin string, args ...string) string {
	sb.t.Helper()
	out, errs, code := sb.run(stdin, args...)
	if code != 0 {
		sb.t.Fatalf("casevault %v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
	}
	return out
}

// leftCopies lists what is left in the temporary copies' folder (opened
// documents' copies, or anything else): after a command finished, nothing.
func (sb *sandbox) leftCopies() []string {
	var left []string
	err := filepath.WalkDir(sb.copies, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if p != sb.copies {
			left = append(left, p)
		}
		return nil
	})
	if err != nil {
		left = append(left, err.Error())
	}
	return left
}

// canaries are unique random values given to every field; none may appear
// in any file, in any of a few cheap encodings.
type canaries struct {
	vals  map[string]string            // label -> value
	forms map[string]map[string][]byte // label -> form name -> bytes
	skip  string                       // a folder left out (opened documents' copies)
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

func randDigits(n int) string {
	var sb strings.Builder
	for sb.Len() < n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		sb.WriteString(d.String())
	}
	return sb.String()
}

func (c *canaries) add(label, val string) string {
	if c.vals == nil {
		c.vals, c.forms = map[string]string{}, map[string]map[string][]byte{}
	}
	c.vals[label] = val
	c.forms[label] = testkit.LeakForms(val)
	return val
}

func (c *canaries) word(label string) string { return c.add(label, "CANARY"+randHex(12)) }

// find reads every byte of every file under roots and reports each canary
// found, in any of its forms.
func (c *canaries) find(roots ...string) (files int, leaks []string) {
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					leaks = append(leaks, fmt.Sprintf("walking %s: %v", p, err))
				}
				return nil
			}
			if d.IsDir() {
				if c.skip != "" && p == c.skip {
					return filepath.SkipDir
				}
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) { // a temp file renamed meanwhile
					leaks = append(leaks, fmt.Sprintf("reading %s: %v", p, err))
				}
				return nil
			}
			files++
			for label, forms := range c.forms {
				for name, f := range forms {
					if bytes.Contains(b, f) {
						leaks = append(leaks, fmt.Sprintf("%s holds the %s canary %q (as %s: %q)", p, label, c.vals[label], name, f))
					}
				}
			}
			return nil
		})
	}
	return files, leaks
}

// scan fails the test for any canary found under roots.
func (c *canaries) scan(t *testing.T, step string, roots ...string) (files int) {
	t.Helper()
	files, leaks := c.find(roots...)
	for _, l := range leaks {
		t.Errorf("after %s: %s", step, l)
	}
	return files
}

// TestCanaryScanFindsLeaks proves the scanner can fail.
func TestCanaryScanFindsLeaks(t *testing.T) {
	t.Parallel()
	var c canaries
	val := c.word("name")
	dir := scratchDir(t)
	if n, leaks := c.find(dir); n != 0 || len(leaks) != 0 {
		t.Fatalf("empty folder: %d files, %v", n, leaks)
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), append(append([]byte("some prefix \x00"), b...), " suffix"...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var le []byte
	for _, r := range val {
		le = append(le, byte(r), 0)
	}
	forms := map[string][]byte{
		"raw": []byte(val), "lower": []byte(strings.ToLower(val)), "utf16": le, "hex": []byte(hex.EncodeToString([]byte(val))),
		"b64": []byte(base64.StdEncoding.EncodeToString([]byte(val))), "b64+1": []byte(base64.StdEncoding.EncodeToString([]byte("x" + val))),
		"b64+2": []byte(base64.URLEncoding.EncodeToString([]byte("xy" + val + "z"))),
	}
	for name, b := range forms {
		os.RemoveAll(dir)
		os.MkdirAll(filepath.Join(dir, "sub"), 0o700)
		write(filepath.Join("sub", name), b)
		if _, leaks := c.find(dir); len(leaks) == 0 {
			t.Errorf("the %s form of the canary was not found", name)
		}
	}
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o700)
	write("clean", []byte("CANARY"+randHex(12)))
	if _, leaks := c.find(dir); len(leaks) != 0 {
		t.Errorf("false positive: %v", leaks)
	}
	// The copies folder alone is left out, and must be empty after a
	// command: a copy left there is found.
	sb := &sandbox{copies: filepath.Join(dir, "run", "casevault-copies")}
	copy1 := filepath.Join(sb.copies, "s1", "1", "letter.txt")
	os.MkdirAll(filepath.Dir(copy1), 0o700)
	os.WriteFile(copy1, []byte(val), 0o600)
	c.skip = sb.copies
	if _, leaks := c.find(dir); len(leaks) != 0 {
		t.Errorf("the copies folder was scanned: %v", leaks)
	}
	os.WriteFile(filepath.Join(dir, "run", "beside.txt"), []byte(val), 0o600)
	if _, leaks := c.find(dir); len(leaks) == 0 {
		t.Error("a file beside the copies folder was not scanned")
	}
	if left := sb.leftCopies(); len(left) != 3 || left[2] != copy1 {
		t.Errorf("left in the copies folder: %v", left)
	}
	os.RemoveAll(filepath.Join(sb.copies, "s1"))
	if left := sb.leftCopies(); len(left) != 0 {
		t.Errorf("an empty copies folder: %v", left)
	}
}

func TestNoPlaintextOnDisk(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	var c canaries
	pass1 := c.add("passphrase", "lantern orbit "+strings.ToLower(randHex(6)))
	pass2 := c.add("new passphrase", "velvet cactus "+strings.ToLower(randHex(6)))
	name := c.word("client name")
	alias := c.word("alias")
	alias2 := c.word("second alias")
	emailUser := strings.ToLower(c.word("e-mail user"))
	email := c.add("e-mail", emailUser+"@x.example")
	phone := c.add("phone", "+"+randDigits(24))
	address := c.word("address") + " " + c.word("address line 2")
	notes := c.word("client notes")
	address2 := c.word("edited address")
	notes2 := c.word("edited notes")
	delName := c.word("deleted client")
	title := c.word("matter title")
	area := c.word("practice area")
	adverse := c.word("adverse party")
	related := c.word("related party")
	counsel := c.word("opposing counsel")
	noteText := "Met " + c.word("note word") + " at the office; " + c.word("note word 2")
	query := c.word("search query")
	conf1 := c.word("conflict name 1")
	conf2 := c.word("conflict name 2")
	decisionNote := c.word("decision note")
	killName := c.word("killed add")
	killName2 := c.word("killed add 2")
	heldName := c.word("held add")

	roots := []string{sb.vault, sb.tmp, sb.home, sb.runtime}
	c.skip = sb.copies // the one place plaintext may be, while a document is open
	step := func(desc string) {
		t.Helper()
		c.scan(t, desc, roots...)
		for _, p := range sb.leftCopies() {
			t.Errorf("after %s: %s is left in the temporary copies' folder", desc, p)
		}
	}
	p1 := pass1 + "\n"

	// init
	out, _, code := sb.run(p1, "init", "--kdf-memory", "8", "--kdf-time", "1")
	if code != 0 {
		t.Fatalf("init: exit %d", code)
	}
	rk := recoveryRE.FindString(out)
	if rk == "" {
		t.Fatalf("no recovery key in %q", out)
	}
	c.add("recovery key", rk)
	c.add("recovery key without dashes", strings.ReplaceAll(rk, "-", ""))
	step("init")

	// clients
	cid := addedID(t, nil, sb.ok(p1, "client", "add", "--name", name, "--alias", alias, "--alias", alias2, "--email", email,
		"--phone", phone, "--dob", "1980-04-23", "--address", address, "--notes", notes))
	step("client add")
	did := addedID(t, nil, sb.ok(p1, "client", "add", "--name", delName))
	sb.ok(p1, "client", "delete", did)
	step("client add + delete")
	for _, args := range [][]string{{"client", "list"}, {"client", "list", "--json"}, {"client", "show", cid}, {"client", "show", cid, "--json"}} {
		out := sb.ok(p1, args...)
		for _, want := range []string{name, email, phone} {
			if !strings.Contains(out, want) {
				t.Errorf("%v does not give back %q:\n%s", args, want, out)
			}
		}
		step(strings.Join(args, " "))
	}
	out = sb.ok(p1, "client", "show", cid)
	for _, want := range []string{alias, alias2, address, notes, "1980-04-23"} {
		if !strings.Contains(out, want) {
			t.Errorf("client show does not give back %q:\n%s", want, out)
		}
	}
	sb.ok(p1, "client", "edit", cid, "--address", address2, "--notes", notes2)
	step("client edit")
	if out := sb.ok(p1, "client", "show", cid); !strings.Contains(out, address2) || !strings.Contains(out, notes2) || strings.Contains(out, notes) {
		t.Errorf("edit not stored:\n%s", out)
	}

	// matters and notes
	mid := addedID(t, nil, sb.ok(p1, "matter", "add", "--client", cid, "--title", title, "--practice-area", area,
		"--adverse", adverse, "--related", related, "--opposing-counsel", counsel))
	step("matter add")
	sb.ok(p1, "note", "add", "--matter", mid, "--text", noteText)
	step("note add")
	for _, args := range [][]string{{"matter", "list"}, {"matter", "list", "--client", cid, "--status", "open", "--json"}, {"matter", "show", mid}, {"matter", "show", mid, "--json"}} {
		out := sb.ok(p1, args...)
		if !strings.Contains(out, title) {
			t.Errorf("%v does not give back the title:\n%s", args, out)
		}
		step(strings.Join(args, " "))
	}
	out = sb.ok(p1, "matter", "show", mid)
	for _, want := range []string{area, adverse, related, counsel, noteText} {
		if !strings.Contains(out, want) {
			t.Errorf("matter show does not give back %q:\n%s", want, out)
		}
	}

	// search and conflicts
	if out := sb.ok(p1, "search", query); !strings.Contains(out, "Nothing matches") {
		t.Errorf("search for the query canary: %s", out)
	}
	step("search (no hits)")
	if out := sb.ok(p1, "search", c.vals["note word"], "--json"); !strings.Contains(out, c.vals["note word"]) {
		t.Errorf("search does not find the note:\n%s", out)
	}
	step("search (note)")
	if out := sb.ok(p1, "search", name); !strings.Contains(out, name) {
		t.Errorf("search does not find the client:\n%s", out)
	}
	step("search (name)")
	out = sb.ok(p1, "conflicts", conf1, conf2)
	checkID := strings.TrimPrefix(strings.SplitN(out, "\n", 2)[0], "Conflict check ")
	step("conflicts (no hits)")
	if out := sb.ok(p1, "conflicts", adverse, "--json"); !strings.Contains(out, `"role": "adverse"`) || !strings.Contains(out, title) {
		t.Errorf("conflicts does not find the adverse party:\n%s", out)
	}
	step("conflicts (hit)")
	sb.ok(p1, "conflicts", "decide", checkID, "--decision", "clear", "--note", decisionNote)
	step("conflicts decide")

	// the rest
	for _, args := range [][]string{
		{"matter", "close", mid}, {"matter", "list", "--status", "closed"}, {"matter", "reopen", mid},
		{"status"}, {"status", "--json"},
		{"audit", "list"}, {"audit", "list", "--json", "--action", "search"}, {"audit", "list", "--record", "client:" + cid},
		{"audit", "verify"}, {"audit", "verify", "--json"},
	} {
		sb.ok(p1, args...)
		step(strings.Join(args, " "))
	}
	// The search query and the conflict names are stored (in the audit trail).
	out = sb.ok(p1, "audit", "list")
	for _, want := range []string{query, conf1, conf2} {
		if !strings.Contains(out, want) {
			t.Errorf("audit list does not give back %q", want)
		}
	}

	// passwd
	sb.ok(p1+pass2+"\n", "passwd")
	step("passwd")
	if _, errs, code := sb.run(p1, "status"); code != ExitWrongKey || !strings.Contains(errs, "wrong passphrase") {
		t.Errorf("old passphrase after passwd: exit %d %q", code, errs)
	}
	p2 := pass2 + "\n"
	sb.ok(rk+"\n", "status", "--recovery")
	step("status --recovery")

	// A run killed right after it acknowledged a write (the id is printed
	// before the vault is locked and checkpointed), and one killed at a
	// random moment.
	killedID := addedID(t, nil, killRun(t, sb, p2, true, "client", "add", "--name", killName, "--notes", notes2))
	step("client add, killed after the id")
	killRun(t, sb, p2, false, "client", "add", "--name", killName2, "--address", address2)
	step("client add, killed at a random moment")
	if out := sb.ok(p2, "client", "show", killedID); !strings.Contains(out, killName) {
		t.Errorf("an acknowledged write was lost in the crash:\n%s", out)
	}
	step("client show after the crash")

	// A process killed while it holds the vault, after writes.
	held := startHolder(t, sb, p2, heldName)
	held.kill()
	if out := sb.ok(p2, "client", "list"); !strings.Contains(out, heldName) {
		t.Errorf("write of the killed holder lost:\n%s", out)
	}
	step("holder killed")

	// Finally: the data is all there, so the scans could have failed.
	out = sb.ok(p2, "client", "show", cid, "--json") + sb.ok(p2, "matter", "show", mid, "--json")
	for _, want := range []string{name, alias, alias2, email, phone, address2, notes2, title, area, adverse, related, counsel, c.vals["note word 2"]} {
		if !strings.Contains(out, want) {
			t.Errorf("final show does not give back %q", want)
		}
	}
	// The decision note is shown by no command yet: read it from the store.
	var got string
	withStore(t, sb.vault, pass2, func(st *store.Store) error {
		return st.View(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow("SELECT decision_note FROM conflict_checks WHERE id = ?", checkID).Scan(&got)
		})
	})
	if got != decisionNote {
		t.Errorf("decision note stored as %q, want %q", got, decisionNote)
	}
	if n := c.scan(t, "the end", roots...); n < 4 {
		t.Fatalf("scanned only %d files", n)
	}
}

// killRun starts the binary and SIGKILLs it: right after its first line of
// output when afterOutput, else after a random delay. It returns that first
// line, if any.
func killRun(t *testing.T, sb *sandbox, stdin string, afterOutput bool, args ...string) string {
	t.Helper()
	cmd := sb.command(context.Background(), stdin, append(args, "--vault", sb.vault, "--passphrase-stdin")...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- strings.TrimSpace(l)
		io.Copy(io.Discard, stdout)
	}()
	var first string
	if afterOutput {
		select {
		case first = <-lines:
		case <-time.After(60 * time.Second):
			t.Error("no output within a minute")
		}
	} else {
		d, _ := rand.Int(rand.Reader, big.NewInt(150))
		time.Sleep(time.Duration(d.Int64()) * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if afterOutput && first == "" {
		t.Fatalf("casevault %v printed nothing before it was killed; stderr %q", args, errb.String())
	}
	return first
}

type holder struct {
	t   *testing.T
	cmd *exec.Cmd
}

// startHolder starts the test binary as a process that unlocks the vault,
// adds clients and then holds the vault open.
func startHolder(t *testing.T, sb *sandbox, stdin string, add ...string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(sb.env(), "CASEVAULT_TEST_HELPER=hold", "CASEVAULT_TEST_VAULT="+sb.vault, "CASEVAULT_TEST_ADD="+strings.Join(add, "|"))
	cmd.Stdin = strings.NewReader(stdin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &holder{t: t, cmd: cmd}
	t.Cleanup(h.kill)
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(l)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-line:
		if l != "ready" {
			h.kill()
			t.Fatalf("holder process: %q %s", l, errb.String())
		}
	case <-time.After(60 * time.Second):
		h.kill()
		t.Fatalf("holder process not ready after a minute: %s", errb.String())
	}
	return h
}

func (h *holder) pid() int { return h.cmd.Process.Pid }

func (h *holder) kill() {
	if h.cmd.ProcessState == nil {
		h.cmd.Process.Signal(syscall.SIGKILL)
		h.cmd.Wait()
	}
}

func TestVaultOpenInAnotherProcess(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	p := testPass + "\n"
	sb.ok(p, "init", "--kdf-memory", "8", "--kdf-time", "1")
	sb.ok(p, "client", "add", "--name", "Before The Lock")

	h := startHolder(t, sb, p, "Added By The Holder")
	host, _ := os.Hostname()
	for _, args := range [][]string{{"status"}, {"client", "add", "--name", "Must Not Land"}} {
		out, errs, code := sb.run(p, args...)
		if code != ExitLocked || !strings.Contains(errs, "vault is open in another process") || !strings.Contains(errs, strconv.Itoa(h.pid())) || !strings.Contains(errs, host) {
			t.Errorf("%v while another process holds the vault: exit %d\nstdout %q\nstderr %q", args, code, out, errs)
		}
	}
	// The in-process command line sees the same.
	_, errs, code := run(t, p, "status", "--vault", sb.vault, "--passphrase-stdin")
	if code != ExitLocked || !strings.Contains(errs, strconv.Itoa(h.pid())) {
		t.Errorf("in-process status: exit %d %q", code, errs)
	}
	// A wrong passphrase does not get past the lock either, and gives no hint.
	if _, _, code := sb.run("wrong wrong wrong wrong\n", "status"); code != ExitLocked {
		t.Errorf("wrong passphrase while locked: exit %d", code)
	}

	// The holder dies without unlocking: its lock is stale and is taken over.
	h.kill()
	if out := sb.ok(p, "status"); !regexp.MustCompile(`(?m)^Clients\s+2$`).MatchString(out) {
		t.Errorf("status after the holder died:\n%s", out)
	}
	out := sb.ok(p, "client", "list")
	if !strings.Contains(out, "Before The Lock") || !strings.Contains(out, "Added By The Holder") || strings.Contains(out, "Must Not Land") {
		t.Errorf("after the holder died:\n%s", out)
	}
	if out := sb.ok(p, "audit", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("audit after the crash: %s", out)
	}
}
