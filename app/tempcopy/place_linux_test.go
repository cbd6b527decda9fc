package tempcopy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChoosePrefersRuntimeDir(t *testing.T) {
	run := t.TempDir()
	os.Chmod(run, 0o700)
	t.Setenv("XDG_RUNTIME_DIR", run)
	r, err := Choose()
	if err != nil || r.Dir != filepath.Join(run, DirName) {
		t.Fatalf("chose %+v, %v", r, err)
	}
	if r.InMemory != inMemory(run) {
		t.Fatalf("InMemory %v for %s", r.InMemory, run)
	}
	if len(Roots()) < 2 || Roots()[0] != r {
		t.Fatalf("roots %v", Roots())
	}
	// A runtime folder others can read is passed over; so is a relative one.
	os.Chmod(run, 0o755)
	if r, err := Choose(); err != nil || strings.HasPrefix(r.Dir, run) {
		t.Fatalf("a 0755 runtime folder was chosen: %+v %v", r, err)
	}
	t.Setenv("XDG_RUNTIME_DIR", "relative/run")
	if r, err := Choose(); err != nil || !strings.HasSuffix(r.Dir, DirName+userSuffix()) {
		t.Fatalf("relative runtime folder: %+v %v", r, err)
	}
}
