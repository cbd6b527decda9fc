package tempcopy

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func testRoot(t *testing.T) Root {
	t.Helper()
	return Root{Dir: filepath.Join(t.TempDir(), DirName)}
}

func write(b string) func(*os.File) error {
	return func(f *os.File) error { _, err := f.WriteString(b); return err }
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestCreateWritesPrivateCopies(t *testing.T) {
	t.Parallel()
	r := testRoot(t)
	s, err := Start(r)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Wipe()
	p1, err := s.Create("Engagement letter.docx", write("one"))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := s.Create("Engagement letter.docx", write("two")) // the same name twice: each its own folder
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p1) != "Engagement letter.docx" || p1 == p2 || filepath.Dir(filepath.Dir(p1)) != s.Dir() {
		t.Fatalf("paths %s, %s (session %s)", p1, p2, s.Dir())
	}
	if b, _ := os.ReadFile(p1); string(b) != "one" {
		t.Fatalf("copy holds %q", b)
	}
	for _, d := range []string{r.Dir, s.Dir(), filepath.Dir(p1)} {
		if m := mode(t, d); m != 0o700 {
			t.Errorf("%s has mode %v", d, m)
		}
	}
	if m := mode(t, p1); m != 0o600 {
		t.Errorf("copy has mode %v", m)
	}
	// A failed write leaves nothing.
	boom := errors.New("boom")
	if _, err := s.Create("x.txt", func(*os.File) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("failed write: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "3")); !os.IsNotExist(err) {
		t.Fatalf("a failed copy's folder stayed: %v", err)
	}
	// A hostile name stays one file in the copy's folder.
	p, err := s.Create("../../etc/passwd", write("x"))
	if err != nil || filepath.Dir(filepath.Dir(p)) != s.Dir() || filepath.Base(p) != ".._.._etc_passwd" {
		t.Fatalf("hostile name: %s %v", p, err)
	}
	// Remove deletes the copy, its folder and what a program put beside it.
	os.WriteFile(officeLock(p1), []byte("lock"), 0o600)
	if left, err := s.Remove(p1); err != nil || left != nil {
		t.Fatal(left, err)
	}
	if _, err := os.Stat(filepath.Dir(p1)); !os.IsNotExist(err) {
		t.Fatal("the copy's folder stayed")
	}
	if _, err := s.Remove(filepath.Join(t.TempDir(), "1", "x")); !errors.Is(err, ErrNotMine) {
		t.Fatalf("a path elsewhere: %v", err)
	}
	if _, err := s.Remove(filepath.Join(s.Dir(), lockName)); !errors.Is(err, ErrNotMine) {
		t.Fatalf("the lock file: %v", err)
	}
	// Wipe leaves nothing, once and for all.
	if left, err := s.Wipe(); err != nil || left != nil {
		t.Fatal(left, err)
	}
	if _, err := os.Stat(s.Dir()); !os.IsNotExist(err) {
		t.Fatal("the session folder stayed")
	}
	if left, err := s.Wipe(); err != nil || left != nil {
		t.Fatal("second wipe:", left, err)
	}
	if _, err := s.Create("y.txt", write("y")); !errors.Is(err, ErrWiped) {
		t.Fatalf("create after wipe: %v", err)
	}
	if ents, _ := os.ReadDir(r.Dir); len(ents) != 0 {
		t.Fatalf("copies folder holds %v", ents)
	}
}

func TestEnsurePrivateRefusesOthers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	os.Symlink(t.TempDir(), link)
	if err := ensurePrivate(link); err == nil {
		t.Fatal("a symbolic link was taken as the copies folder")
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	if err := ensurePrivate(file); err == nil {
		t.Fatal("a file was taken as the copies folder")
	}
	open := filepath.Join(dir, "open")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	if err := ensurePrivate(open); err != nil || mode(t, open) != 0o700 {
		t.Fatalf("own folder not made private: %v %v", err, mode(t, open))
	}
}

// crash leaves s as a killed process would: its folder and copies, with
// the lock released.
func crash(s *Session) {
	dropLock(s.lock)
	s.lock = nil
}

func TestWipeStale(t *testing.T) {
	t.Parallel()
	r := testRoot(t)
	live, err := Start(r)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Wipe()
	livePath, _ := live.Create("live.txt", write("live"))
	dead, _ := Start(r)
	deadPath, _ := dead.Create("dead.odt", write("dead"))
	os.WriteFile(officeLock(deadPath), []byte("LibreOffice was here"), 0o600)
	crash(dead)

	// A session held from another open file (as another process would).
	other := filepath.Join(r.Dir, "held-elsewhere")
	os.Mkdir(other, 0o700)
	held, _, err := takeLock(filepath.Join(other, lockName), true)
	if err != nil || held == nil {
		t.Fatal(err)
	}
	defer dropLock(held)
	// A folder being started (no lock file yet), and one so left long ago.
	starting := filepath.Join(r.Dir, "starting")
	os.Mkdir(starting, 0o700)
	old := filepath.Join(r.Dir, "old")
	os.Mkdir(old, 0o700)
	long := time.Now().Add(-2 * lockless)
	os.Chtimes(old, long, long)

	removed, left, err := WipeStale(r)
	if err != nil || left != nil || removed != 2 {
		t.Fatalf("removed %d, left %v, %v", removed, left, err)
	}
	for _, p := range []string{dead.Dir(), old} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s stayed", p)
		}
	}
	for _, p := range []string{livePath, other, starting} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s went: %v", p, err)
		}
	}
	// Nothing there: nothing to do.
	if n, _, err := WipeStale(Root{Dir: filepath.Join(t.TempDir(), "none")}); n != 0 || err != nil {
		t.Fatal(n, err)
	}
}

// TestWipeStaleAfterKill: a process killed with SIGKILL (it cannot clean
// up) leaves its copies; the next start's WipeStale removes them.
func TestWipeStaleAfterKill(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL is unix's")
	}
	r := testRoot(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldCopies$")
	cmd.Env = append(os.Environ(), "TEMPCOPY_HELPER_ROOT="+r.Dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	path := strings.TrimSpace(strings.TrimPrefix(line, "copy "))
	if err != nil || !strings.HasPrefix(line, "copy ") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q: %v", line, err)
	}
	// While it lives, its copies stay.
	if n, _, _ := WipeStale(r); n != 0 {
		t.Fatal("a live process's copies were wiped")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the killed process's copy is not there to wipe: %v", err)
	}
	if n, left, err := WipeStale(r); n != 1 || left != nil || err != nil {
		t.Fatalf("after the kill: removed %d, left %v, %v", n, left, err)
	}
	if ents, _ := os.ReadDir(r.Dir); len(ents) != 0 {
		t.Fatalf("copies folder holds %v", ents)
	}
}

func TestHelperHoldCopies(t *testing.T) {
	dir := os.Getenv("TEMPCOPY_HELPER_ROOT")
	if dir == "" {
		t.Skip("helper process for TestWipeStaleAfterKill")
	}
	s, err := Start(Root{Dir: dir})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	p, err := s.Create("client letter.txt", write("secret"))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("copy", p)
	time.Sleep(time.Minute)
	os.Exit(1)
}
