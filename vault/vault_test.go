package vault

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCreateOpenPassphrase(t *testing.T) {
	t.Parallel()
	v, dir, rk := newVault(t)
	if !Exists(dir) {
		t.Fatal("Exists is false after Create")
	}
	info := v.Info()
	if info.KDF != testKDF {
		t.Fatalf("Info().KDF = %v, want %v", info.KDF, testKDF)
	}
	if !info.Created.Equal(time.Unix(1700000000, 0)) {
		t.Fatalf("Info().Created = %v, want the injected clock", info.Created)
	}
	if len(info.Slots) != 2 || info.Slots[0] != SlotUser || info.Slots[1] != SlotRecoveryV2 {
		t.Fatalf("Info().Slots = %v", info.Slots)
	}
	if _, err := ParseRecoveryKey(string(rk)); err != nil {
		t.Fatalf("the printed recovery key does not parse: %v", err)
	}
	if len(rk) != 36+8 || strings.Count(string(rk), "-") != 8 {
		t.Fatalf("recovery key %q is not 9 groups of 4", rk)
	}
	// Data written under the first session is readable in the next.
	id, err := v.PutObject(KindDocument, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	mac1, err := v.MAC("test", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	v2 := reopen(t, v)
	if v2.Info().VaultID != info.VaultID {
		t.Fatal("vault id changed on reopen")
	}
	got, err := v2.GetObject(KindDocument, id)
	if err != nil || string(got) != "hello" {
		t.Fatalf("GetObject after reopen = %q, %v", got, err)
	}
	mac2, _ := v2.MAC("test", []byte("x"))
	if !bytes.Equal(mac1, mac2) {
		t.Fatal("MAC differs after reopen: the keys differ")
	}
}

func TestOpenWithRecoveryKey(t *testing.T) {
	t.Parallel()
	v, dir, rk := newVault(t)
	id, err := v.PutObject(KindDocument, []byte("kept"))
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	v2 := mustOpen(t, dir, mustRecovery(t, rk))
	if got, err := v2.GetObject(KindDocument, id); err != nil || string(got) != "kept" {
		t.Fatalf("GetObject via recovery key = %q, %v", got, err)
	}
	v2.Close()
	// The way a person types it: lower case, spaces instead of dashes.
	typed := strings.ToLower(strings.ReplaceAll(string(rk), "-", " "))
	v3 := mustOpen(t, dir, mustRecovery(t, RecoveryKey(typed)))
	v3.Close()
}

func TestWrongCredentialChangesNothing(t *testing.T) {
	t.Parallel()
	v, dir, rk := newVault(t)
	if err := v.WriteCheckpoint(context.Background(), []byte("image"), nil); err != nil {
		t.Fatal(err)
	}
	if err := v.AppendLog([]byte("record")); err != nil {
		t.Fatal(err)
	}
	v.Close()
	before := hashDir(t, dir)

	_, err := Open(dir, Passphrase([]byte("correct horse battery stapl")))
	if !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("wrong passphrase: got %v, want ErrWrongCredential", err)
	}
	if errors.Is(err, ErrDamaged) {
		t.Fatalf("wrong passphrase also reads as damage: %v", err)
	}
	if !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("message does not mention the passphrase: %v", err)
	}
	assertUnchanged(t, dir, before)

	if _, err := Open(dir, Passphrase(nil)); !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("empty passphrase: got %v, want ErrWrongCredential", err)
	}
	assertUnchanged(t, dir, before)

	// A well-formed recovery key of another vault.
	_, _, otherRK := newVault(t)
	if otherRK == rk {
		t.Fatal("two vaults got the same recovery key")
	}
	_, err = Open(dir, mustRecovery(t, otherRK))
	if !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("wrong recovery key: got %v, want ErrWrongCredential", err)
	}
	if !strings.Contains(err.Error(), "recovery key") {
		t.Errorf("message does not mention the recovery key: %v", err)
	}
	assertUnchanged(t, dir, before)

	// The passphrase as a "recovery key" or the other way round never works.
	if _, err := Open(dir, Passphrase([]byte(rk))); !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("recovery key typed as passphrase: got %v", err)
	}
	assertUnchanged(t, dir, before)

	// After all that the right one still works and nothing was lost.
	v2 := mustOpen(t, dir, Passphrase(testPass))
	img, _ := load(t, v2)
	recs, err := v2.ReadLog()
	if err != nil || string(img) != "image" || len(recs) != 1 || string(recs[0]) != "record" {
		t.Fatalf("after failed opens: image %q, log %q, %v", img, recs, err)
	}
}

func TestRecoveryKeyParsing(t *testing.T) {
	t.Parallel()
	allZero := make([]byte, 20)
	// 0x08 0x42 0x10 0x84 0x21 is 00001 repeated eight times: "11111111".
	allOne := bytes.Repeat([]byte{0x08, 0x42, 0x10, 0x84, 0x21}, 4)
	for _, raw := range [][]byte{allZero, allOne} {
		text := formatRecovery(raw)
		got, err := ParseRecoveryKey(text)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("ParseRecoveryKey(%q) = %x, %v", text, got, err)
		}
	}
	if s := formatRecovery(allOne); !strings.HasPrefix(s, "1111-1111-1111-1111-1111-1111-1111-1111-") {
		t.Fatalf("formatRecovery(allOne) = %q", s)
	}

	// Look-alike letters: I, i, L, l read as 1; O, o read as 0.
	one := formatRecovery(allOne)
	for _, c := range []string{"I", "i", "L", "l"} {
		s := strings.Replace(one, "1111", c+c+c+c, 4)
		if got, err := ParseRecoveryKey(s); err != nil || !bytes.Equal(got, allOne) {
			t.Errorf("ParseRecoveryKey(%q) = %x, %v", s, got, err)
		}
	}
	zero := formatRecovery(allZero)
	for _, c := range []string{"O", "o"} {
		s := strings.Replace(zero, "0000", c+c+c+c, 5)
		if got, err := ParseRecoveryKey(s); err != nil || !bytes.Equal(got, allZero) {
			t.Errorf("ParseRecoveryKey(%q) = %x, %v", s, got, err)
		}
	}

	raw := []byte("0123456789abcdefghij")
	good := formatRecovery(raw)
	variants := []string{
		good,
		strings.ToLower(good),
		strings.ReplaceAll(good, "-", ""),
		strings.ReplaceAll(good, "-", " "),
		"  " + strings.ReplaceAll(good, "-", " - ") + "\n",
		strings.ReplaceAll(good, "-", "\t"),
		strings.ReplaceAll(good, "-", "\r\n"),
		strings.ReplaceAll(good, "-", "--"),
	}
	for _, s := range variants {
		got, err := ParseRecoveryKey(s)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("ParseRecoveryKey(%q) = %x, %v", s, got, err)
		}
	}
	if _, err := Recovery(strings.ToLower(good)); err != nil {
		t.Errorf("Recovery(lower case) = %v", err)
	}

	compact := strings.ReplaceAll(good, "-", "")
	bad := map[string]string{
		"empty":          "",
		"one short":      compact[:35],
		"one long":       compact + "0",
		"group missing":  compact[:32],
		"only checksum":  compact[32:],
		"U is not used":  "U" + compact[1:],
		"punctuation":    compact[:10] + "*" + compact[11:],
		"accented":       compact[:10] + "é" + compact[11:],
		"invalid utf8":   compact[:10] + "\xff" + compact[11:],
		"nul":            compact[:10] + "\x00" + compact[11:],
		"underscore sep": strings.ReplaceAll(good, "-", "_"),
	}
	for name, s := range bad {
		if _, err := ParseRecoveryKey(s); !errors.Is(err, ErrBadRecoveryKey) {
			t.Errorf("%s: ParseRecoveryKey(%q) = %v, want ErrBadRecoveryKey", name, s, err)
		}
		if _, err := Recovery(s); !errors.Is(err, ErrBadRecoveryKey) {
			t.Errorf("%s: Recovery(%q) = %v, want ErrBadRecoveryKey", name, s, err)
		}
	}

	// The checksum catches every single-character typo and every swap of
	// two neighbouring characters of these keys (a 20-bit checksum misses a
	// random typo with probability 2^-20; for fixed keys the result is fixed).
	for _, raw := range [][]byte{raw, allZero, allOne, bytes.Repeat([]byte{0xff}, 20)} {
		c := []byte(strings.ReplaceAll(formatRecovery(raw), "-", ""))
		for i := range c {
			for _, r := range []byte(crockford) {
				if r == c[i] {
					continue
				}
				typo := bytes.Clone(c)
				typo[i] = r
				if _, err := ParseRecoveryKey(string(typo)); !errors.Is(err, ErrBadRecoveryKey) {
					t.Fatalf("typo %q of %q: got %v, want ErrBadRecoveryKey", typo, c, err)
				}
			}
			if i+1 < len(c) && c[i] != c[i+1] {
				swap := bytes.Clone(c)
				swap[i], swap[i+1] = swap[i+1], swap[i]
				if _, err := ParseRecoveryKey(string(swap)); !errors.Is(err, ErrBadRecoveryKey) {
					t.Fatalf("swap %q of %q: got %v, want ErrBadRecoveryKey", swap, c, err)
				}
			}
		}
	}
}

func TestRecoveryKeyRoundTripRandom(t *testing.T) {
	t.Parallel()
	for i := 0; i < 200; i++ {
		raw, text, err := newRecoveryKey()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseRecoveryKey(string(text))
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("round trip of %q: %x, %v (want %x)", text, got, err, raw)
		}
	}
}

func TestChangePassphrase(t *testing.T) {
	t.Parallel()
	v, dir, rk := newVault(t)
	ctx := context.Background()
	image := bytes.Repeat([]byte("page"), 40000)
	if err := v.WriteCheckpoint(ctx, image, []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"a", "b"} {
		if err := v.AppendLog([]byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	docID, err := v.PutObject(KindDocument, []byte("letter"))
	if err != nil {
		t.Fatal(err)
	}
	before := hashDir(t, dir)
	headerBefore := readFile(t, filepath.Join(dir, HeaderFile))

	if err := v.ChangePassphrase(nil, nil); err == nil {
		t.Fatal("ChangePassphrase accepted an empty passphrase")
	}
	if err := v.ChangePassphrase([]byte("x"), &KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}); err == nil {
		t.Fatal("ChangePassphrase accepted KDF params below the floor")
	}
	if !bytes.Equal(headerBefore, readFile(t, filepath.Join(dir, HeaderFile))) {
		t.Fatal("a refused ChangePassphrase rewrote the header")
	}

	newPass := []byte("a much better passphrase")
	if err := v.ChangePassphrase(newPass, nil); err != nil {
		t.Fatal(err)
	}
	// Only the header changed: no data was re-encrypted.
	if d := diffHashes(before, hashDir(t, dir), func(n string) bool { return n == HeaderFile }); d != "" {
		t.Fatalf("ChangePassphrase touched more than the header: %s", d)
	}
	headerAfter := readFile(t, filepath.Join(dir, HeaderFile))
	if bytes.Equal(headerBefore, headerAfter) {
		t.Fatal("header unchanged")
	}
	// The recovery slot is kept byte for byte.
	hb, _ := parseHeader("before", headerBefore)
	ha, _ := parseHeader("after", headerAfter)
	if hb.Slots[1] != ha.Slots[1] || hb.VaultID != ha.VaultID || hb.Created != ha.Created {
		t.Fatal("ChangePassphrase changed the recovery slot or the vault's identity")
	}
	if hb.Slots[0].Salt == ha.Slots[0].Salt || hb.Slots[0].Nonce == ha.Slots[0].Nonce {
		t.Fatal("the new passphrase slot reuses the old salt or nonce")
	}
	v.Close()

	if _, err := Open(dir, Passphrase(testPass)); !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("old passphrase after change: got %v, want ErrWrongCredential", err)
	}
	for _, cred := range []Credential{Passphrase(newPass), mustRecovery(t, rk)} {
		v2 := mustOpen(t, dir, cred)
		img, cp := load(t, v2)
		recs, err := v2.ReadLog()
		if err != nil || !bytes.Equal(img, image) || string(cp.Meta) != `{"n":1}` || len(recs) != 2 {
			t.Fatalf("data after change (%v): %d bytes, %q, %v", cred.Type(), len(img), recs, err)
		}
		if got, err := v2.GetObject(KindDocument, docID); err != nil || string(got) != "letter" {
			t.Fatalf("document after change: %q, %v", got, err)
		}
		v2.Close()
	}

	// New KDF parameters are stored and used.
	v3 := mustOpen(t, dir, Passphrase(newPass))
	p := KDFParams{Time: 2, MemoryKiB: 9 * 1024, Threads: 2}
	if err := v3.ChangePassphrase(testPass, &p); err != nil {
		t.Fatal(err)
	}
	if v3.Info().KDF != p {
		t.Fatalf("Info().KDF = %v, want %v", v3.Info().KDF, p)
	}
	v3.Close()
	v4 := mustOpen(t, dir, Passphrase(testPass))
	if v4.Info().KDF != p {
		t.Fatalf("after reopen Info().KDF = %v, want %v", v4.Info().KDF, p)
	}
	v4.Close()
	if err := v4.ChangePassphrase([]byte("z"), nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("ChangePassphrase after Close: %v", err)
	}
}

func TestCreateRefuses(t *testing.T) {
	t.Parallel()
	if _, _, err := Create(filepath.Join(t.TempDir(), "v"), testPass, CreateOptions{KDF: KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}}); err == nil {
		t.Fatal("Create accepted KDF memory below the floor")
	}
	if _, _, err := Create(filepath.Join(t.TempDir(), "v"), testPass, CreateOptions{}); err == nil {
		t.Fatal("Create accepted zero KDF params (no hidden defaults)")
	}
	if _, _, err := Create(filepath.Join(t.TempDir(), "v"), nil, testOpts()); err == nil {
		t.Fatal("Create accepted an empty passphrase")
	}

	// A folder with someone else's files in it.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "notes.txt"), []byte("mine"))
	before := hashDir(t, dir)
	_, _, err := Create(dir, testPass, testOpts())
	if !errors.Is(err, ErrExists) {
		t.Fatalf("Create on a non-empty folder: got %v, want ErrExists", err)
	}
	assertUnchanged(t, dir, before)

	// A folder that already holds a vault (even one that is open).
	v, vdir, _ := newVault(t)
	_, _, err = Create(vdir, testPass, testOpts())
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "already holds a vault") {
		t.Fatalf("Create over an open vault: got %v, want ErrExists", err)
	}
	v.Close()
	before = hashDir(t, vdir)
	_, _, err = Create(vdir, testPass, testOpts())
	if !errors.Is(err, ErrExists) {
		t.Fatalf("Create over a vault: got %v, want ErrExists", err)
	}
	assertUnchanged(t, vdir, before)

	// An empty existing folder is fine.
	empty := t.TempDir()
	v2, _, err := Create(empty, testPass, testOpts())
	if err != nil {
		t.Fatalf("Create in an empty folder: %v", err)
	}
	v2.Close()
}

func TestOpenNoVault(t *testing.T) {
	t.Parallel()
	for name, dir := range map[string]string{
		"empty":   t.TempDir(),
		"missing": filepath.Join(t.TempDir(), "nope"),
	} {
		_, err := Open(dir, Passphrase(testPass))
		if !errors.Is(err, ErrNoVault) {
			t.Errorf("%s folder: got %v, want ErrNoVault", name, err)
		}
		if errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongCredential) {
			t.Errorf("%s folder: %v is also another kind", name, err)
		}
		if Exists(dir) {
			t.Errorf("%s folder: Exists is true", name)
		}
	}
	// Open did not create anything in the empty folder.
	dir := t.TempDir()
	Open(dir, Passphrase(testPass))
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("Open on an empty folder left %d files", len(entries))
	}
}

func TestClosedVault(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["PutObject"] = v.PutObject(KindDocument, []byte("x"))
	_, checks["GetObject"] = v.GetObject(KindDocument, ID{})
	_, _, checks["LoadCheckpoint"] = v.LoadCheckpoint(ctx)
	checks["WriteCheckpoint"] = v.WriteCheckpoint(ctx, []byte("x"), nil)
	checks["AppendLog"] = v.AppendLog([]byte("x"))
	_, checks["ReadLog"] = v.ReadLog()
	_, checks["MAC"] = v.MAC("p")
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: got %v, want ErrClosed", name, err)
		}
	}
}

func TestLockSameProcess(t *testing.T) {
	t.Parallel()
	v, dir, rk := newVault(t)
	host, _ := os.Hostname()
	for _, cred := range []Credential{Passphrase(testPass), mustRecovery(t, rk), Passphrase([]byte("wrong"))} {
		_, err := Open(dir, cred)
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("second Open: got %v, want ErrLocked", err)
		}
		var le *LockedError
		if !errors.As(err, &le) || le.PID != os.Getpid() || le.Host != host {
			t.Fatalf("LockedError = %+v, want pid %d host %q", le, os.Getpid(), host)
		}
		msg := err.Error()
		if !strings.Contains(msg, strconv.Itoa(os.Getpid())) || !strings.Contains(msg, host) {
			t.Fatalf("message %q lacks pid %d or host %q", msg, os.Getpid(), host)
		}
	}
	// The lock is held by v, and v still works.
	if _, err := v.PutObject(KindDocument, []byte("x")); err != nil {
		t.Fatal(err)
	}
	v.Close()
	// Released on Close; the lock file is left, empty.
	if b := readFile(t, filepath.Join(dir, LockFile)); len(b) != 0 {
		t.Fatalf("lock file after Close holds %q", b)
	}
	v2 := mustOpen(t, dir, Passphrase(testPass))
	// A failed Open (wrong passphrase) does not keep the lock either.
	v2.Close()
	if _, err := Open(dir, Passphrase([]byte("wrong"))); !errors.Is(err, ErrWrongCredential) {
		t.Fatal(err)
	}
	v3 := mustOpen(t, dir, Passphrase(testPass))
	v3.Close()
}

const helperEnv = "CASEVAULT_TEST_HELPER_DIR"

// TestHelperProcess is not a test: TestLockOtherProcess runs the test binary
// again with only this function, to hold a vault open in another process.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process for TestLockOtherProcess")
	}
	v, err := Open(dir, Passphrase(testPass))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	_ = v
	fmt.Println("locked")
	time.Sleep(time.Minute) // the parent kills us long before
	os.Exit(3)
}

func TestLockOtherProcess(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("flock semantics are unix-only")
	}
	v, dir, _ := newVault(t)
	v.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if l := s.Text(); l == "locked" || strings.HasPrefix(l, "error:") {
				line <- l
				return
			}
		}
		line <- "EOF"
	}()
	select {
	case l := <-line:
		if l != "locked" {
			t.Fatalf("helper process: %s", l)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("helper process did not open the vault in 20 s")
	}

	_, err = Open(dir, Passphrase(testPass))
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Open while another process holds the vault: got %v, want ErrLocked", err)
	}
	var le *LockedError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
		t.Fatalf("LockedError = %+v, want pid %d", le, cmd.Process.Pid)
	}
	if !strings.Contains(err.Error(), strconv.Itoa(cmd.Process.Pid)) {
		t.Fatalf("message %q lacks the holder's pid", err)
	}

	// The holder crashes: the kernel drops its flock; the stale lock file
	// (still naming the dead process) is taken over.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killed = true
	stale := readFile(t, filepath.Join(dir, LockFile))
	if !strings.HasPrefix(string(stale), strconv.Itoa(cmd.Process.Pid)+" ") {
		t.Fatalf("lock file after the crash holds %q, expected the dead pid", stale)
	}
	v2, err := Open(dir, Passphrase(testPass))
	if err != nil {
		t.Fatalf("Open after the holder died: %v", err)
	}
	defer v2.Close()
	now := readFile(t, filepath.Join(dir, LockFile))
	if !strings.HasPrefix(string(now), strconv.Itoa(os.Getpid())+" ") {
		t.Fatalf("lock file after takeover holds %q, want our pid", now)
	}
}

func TestHold(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	var macIn []byte
	err := v.Hold(func() error {
		return v.Hold(func() error { // nested
			if err := v.AppendLog([]byte("held")); err != nil {
				return err
			}
			var err error
			macIn, err = v.MAC("audit", []byte("x"))
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.keys.holds != 0 || len(v.keys.held) != 0 {
		t.Fatalf("keys still held after Hold: %d %d", v.keys.holds, len(v.keys.held))
	}
	macOut, err := v.MAC("audit", []byte("x"))
	if err != nil || string(macIn) != string(macOut) {
		t.Fatalf("MAC under Hold differs: %x %x %v", macIn, macOut, err)
	}
	if recs, err := v.ReadLog(); err != nil || len(recs) != 1 || string(recs[0]) != "held" {
		t.Fatalf("log written under Hold: %q %v", recs, err)
	}
	// Close inside a Hold wipes the held keys; the Hold then returns cleanly.
	err = v.Hold(func() error {
		if err := v.Close(); err != nil {
			return err
		}
		if err := v.AppendLog([]byte("after close")); !errors.Is(err, ErrClosed) {
			t.Errorf("append after close: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Hold(func() error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Hold on a closed vault: %v", err)
	}
}
