package app

// TestDocumentCrashKill: SIGKILL in the middle of an add and in the middle
// of a new version. A child process (this test binary re-run as
// TestDocCrashHelper) adds a 2 MiB file and stops itself half way
// through reading it; the parent kills it there and reopens the vault:
// it opens, no document or version of the killed add is there, every
// version that is there reads whole (each chunk authenticated, its SHA-256
// compared), and the first checkpoint sweeps the chunks the killed add
// wrote (objects/doc holds exactly the live objects again).
// documents_crash_heavy_test.go kills at random moments many times.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"casevault/store"
)

const (
	docCrashDirEnv  = "CASEVAULT_DOC_CRASH_DIR"
	docCrashFileEnv = "CASEVAULT_DOC_CRASH_FILE"
	docCrashModeEnv = "CASEVAULT_DOC_CRASH_MODE" // "mid": stop half way; "loop": add until killed
	docCrashNextEnv = "CASEVAULT_DOC_CRASH_NEXT"
)

// TestDocCrashHelper is the child; it does nothing in a normal run.
func TestDocCrashHelper(t *testing.T) {
	dir := os.Getenv(docCrashDirEnv)
	if dir == "" {
		t.Skip("the child process of TestDocumentCrashKill")
	}
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "doc crash helper: "+format+"\n", args...)
		os.Exit(2)
	}
	s, err := Open(ctx, dir, Passphrase([]byte(testPass)), Options{Actor: "tester"})
	if err != nil {
		fail("open: %v", err)
	}
	list, _, err := s.ListDocuments(ctx, DocTarget{}, DocFilter{Name: "first.bin"})
	if err != nil || len(list) != 1 {
		fail("the setup's document: %v", err)
	}
	target := DocTarget{MatterID: list[0].MatterID}
	path := os.Getenv(docCrashFileEnv)
	switch os.Getenv(docCrashModeEnv) {
	case "mid":
		var said atomic.Bool
		stop := func(done, total int64) {
			if done > total/2 && !said.Swap(true) {
				fmt.Fprintln(os.Stdout, "mid")
				time.Sleep(time.Minute)
			}
		}
		name := os.Getenv(docCrashNextEnv) // a new document's name, or the existing one's: a new version
		if _, err := s.AddDocument(ctx, target, path, AddDocOptions{Name: name, SameName: SameNameNewVersion, Progress: stop}); err != nil {
			fail("add: %v", err)
		}
		fail("the add finished")
	case "loop":
		n, _ := strconv.Atoi(os.Getenv(docCrashNextEnv))
		for ; ; n++ {
			// Every third add is a new version of the first document.
			name := fmt.Sprintf("crash %d.bin", n)
			if n%3 == 2 {
				name = list[0].Name
			}
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				fail("%v", err)
			}
			fmt.Fprintf(f, "version %08d", n) // each add a different first chunk
			f.Close()
			if _, err := s.AddDocument(ctx, target, path, AddDocOptions{Name: name, SameName: SameNameNewVersion}); err != nil {
				fail("add %d: %v", n, err)
			}
			fmt.Fprintf(os.Stdout, "ack %d %s\n", n, name)
		}
	}
	fail("no mode")
}

// crashChild runs the helper with env and returns its stdout once it
// printed want (or after wait when want is ""), killing it then.
func crashChild(t *testing.T, env []string, want string, wait time.Duration) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDocCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			got.WriteString(sc.Text() + "\n")
			if want != "" && sc.Text() == want {
				cmd.Process.Kill()
			}
		}
	}()
	if want == "" {
		time.Sleep(wait)
		cmd.Process.Kill()
	} else {
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
		}
	}
	<-done
	cmd.Wait()
	if strings.Contains(errb.String(), "doc crash helper:") {
		t.Fatalf("the child failed: %s", errb.String())
	}
	return got.String()
}

// checkAfterCrash opens dir and checks every document reads whole and,
// after the first checkpoint, that objects/doc holds exactly the live
// objects. It returns the documents' names and version counts.
func checkAfterCrash(t *testing.T, dir, what string) map[string]int {
	t.Helper()
	s, err := Open(ctx, dir, Passphrase([]byte(testPass)), Options{Actor: "checker"})
	if err != nil {
		t.Fatalf("%s: the vault does not open: %v", what, err)
	}
	defer s.Close(ctx)
	list, _, err := s.ListDocuments(ctx, DocTarget{}, DocFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, d := range list {
		vs, err := s.DocumentVersions(ctx, d.ID)
		if err != nil || len(vs) != d.Versions || d.Current != len(vs) {
			t.Fatalf("%s: %s has %d versions listed, %d counted, current %d: %v", what, d.Name, len(vs), d.Versions, d.Current, err)
		}
		for _, v := range vs {
			if _, err := s.ReadDocument(ctx, d.ID, v.N, io.Discard); err != nil {
				t.Fatalf("%s: %s version %d: %v", what, d.Name, v.N, err)
			}
		}
		out[d.Name] = len(vs)
	}
	if err := s.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	var live int
	if err := s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		refs, err := tx.DocumentObjects()
		live = len(refs)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n, _ := docObjects(t, dir); n != live {
		t.Errorf("%s: objects/doc holds %d files after the first checkpoint, %d live", what, n, live)
	}
	return out
}

func TestDocumentCrashKill(t *testing.T) {
	dir, path := crashVault(t, 21, 2<<20)
	// The file changes so that the killed adds write chunks of their own.
	if err := os.WriteFile(path, randBytes(22, 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"new.bin", "first.bin"} { // a new document; a new version
		out := crashChild(t, []string{docCrashDirEnv + "=" + dir, docCrashFileEnv + "=" + path, docCrashModeEnv + "=mid", docCrashNextEnv + "=" + name}, "mid", 0)
		if !strings.Contains(out, "mid") {
			t.Fatalf("%s: the child never got half way: %q", name, out)
		}
		got := checkAfterCrash(t, dir, "killed adding "+name)
		if len(got) != 1 || got["first.bin"] != 1 {
			t.Errorf("killed adding %s: the vault holds %v, want only first.bin with one version", name, got)
		}
	}
}

// crashVault makes a vault with one matter holding document "first.bin"
// (size random bytes from seed, also left at path) and closes it: where
// the crash tests start.
func crashVault(t *testing.T, seed uint64, size int) (dir, path string) {
	t.Helper()
	dir, _ = newTestVault(t)
	s := openTest(t, dir)
	c, err := s.AddClient(ctx, ClientInput{Name: ptr("Ann Lee")})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.AddMatter(ctx, MatterInput{ClientID: c, Title: "Lee v. Smith"})
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "scan.bin")
	if err := os.WriteFile(path, randBytes(seed, size), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDocument(ctx, DocTarget{MatterID: m}, path, AddDocOptions{Name: "first.bin"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return dir, path
}
