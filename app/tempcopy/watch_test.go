package tempcopy

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestWatchSeesSavesOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "brief.txt")
	os.WriteFile(p, []byte("first draft"), 0o600)
	w, err := NewWatch(p)
	if err != nil {
		t.Fatal(err)
	}
	poll := func(want Event) State {
		t.Helper()
		ev, st, err := w.Poll()
		if err != nil || ev != want {
			t.Fatalf("poll: %v %v, want %v", ev, err, want)
		}
		return st
	}
	poll(Unchanged)
	// In place: seen after it stayed put for a poll.
	os.WriteFile(p, []byte("second draft!"), 0o600)
	poll(Unchanged)
	st := poll(Changed)
	if st.Size != 13 || !st.Hashed {
		t.Fatalf("state %+v", st)
	}
	poll(Changed) // not accepted: asked again
	w.Accept(st)
	poll(Unchanged)
	// Written beside and renamed over (LibreOffice, most editors).
	tmp := filepath.Join(dir, ".brief.txt.tmp")
	os.WriteFile(tmp, []byte("third draft"), 0o600)
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	poll(Unchanged)
	w.Accept(poll(Changed))
	// Saved again with the same bytes (and a new time): no change.
	later := time.Now().Add(time.Hour)
	os.Chtimes(p, later, later)
	poll(Unchanged)
	poll(Unchanged)
	if ev, _, _ := w.Final(); ev != Unchanged {
		t.Fatalf("final after no change: %v", ev)
	}
	// A change Final sees at once.
	os.WriteFile(p, []byte("fourth"), 0o600)
	if ev, st, err := w.Final(); ev != Changed || st.Size != 6 || err != nil {
		t.Fatalf("final: %v %+v %v", ev, st, err)
	}
	// Missing for a moment (a save in progress) is not gone.
	os.Rename(p, p+"~")
	poll(Unchanged)
	os.Rename(p+"~", p)
	poll(Unchanged)
	// Vanished: told once.
	os.Remove(p)
	poll(Unchanged)
	poll(Gone)
	poll(Unchanged)
	poll(Unchanged)
	if ev, _, _ := w.Final(); ev != Unchanged {
		t.Fatalf("final after gone: %v", ev)
	}
}

func TestNewWatchAs(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(p, []byte("abc"), 0o600)
	known, _ := Snapshot(p)
	w, err := NewWatchAs(p, known.SHA256)
	if err != nil || w.Accepted() != known {
		t.Fatalf("%+v %v, want %+v", w.Accepted(), err, known)
	}
}

func TestWatchRefusesNonFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	os.WriteFile(p, []byte("a"), 0o600)
	w, err := NewWatch(p)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(p)
	os.Symlink("/etc/passwd", p)
	if _, _, err := w.Poll(); err == nil {
		t.Fatal("a symbolic link in the copy's place was read")
	}
	if _, err := NewWatch(dir); err == nil {
		t.Fatal("a folder was watched")
	}
}

func TestInUse(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "contract.odt")
	os.WriteFile(p, []byte("x"), 0o600)
	if runtime.GOOS != "linux" {
		if in, known := InUse(p); in || known {
			t.Fatalf("InUse %v %v off Linux", in, known)
		}
		return
	}
	if in, known := InUse(p); in || !known {
		t.Fatalf("closed file: %v %v", in, known)
	}
	f, err := os.Open(p) // this process holds it: /proc/self/fd
	if err != nil {
		t.Fatal(err)
	}
	if in, _ := InUse(p); !in {
		t.Fatal("an open file is not in use")
	}
	other := filepath.Join(filepath.Dir(p), "other.odt")
	os.WriteFile(other, nil, 0o600)
	if m, known := InUseAll([]string{p, other}); !known || !m[p] || m[other] {
		t.Fatalf("InUseAll: %v %v", m, known)
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	if h := Holders(p); !slices.Contains(h, string(comm[:len(comm)-1])) {
		t.Fatalf("holders %v", h)
	}
	// Renamed over while open: the old file is still held, under "(deleted)".
	os.WriteFile(p+".new", []byte("y"), 0o600)
	os.Rename(p+".new", p)
	if in, _ := InUse(p); !in {
		t.Fatal("a file held after a rename-over is not in use")
	}
	f.Close()
	if in, _ := InUse(p); in {
		t.Fatal("closed file in use")
	}
	os.WriteFile(officeLock(p), []byte("LibreOffice"), 0o600)
	if in, _ := InUse(p); !in || !slices.Equal(Holders(p), []string{"LibreOffice"}) {
		t.Fatalf("LibreOffice's lock: %v", Holders(p))
	}
}
