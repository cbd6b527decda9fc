package vault

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// TestKDFMemoryReturned: a derivation's Argon2id memory goes back to the
// operating system when it ends, instead of staying resident until the
// garbage collector gets to it (minutes after an unlock, and on top of a
// second derivation's). Not parallel: other tests' allocations would move
// the resident set it measures.
func TestKDFMemoryReturned(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/status")
	}
	if raceBuild() {
		t.Skip("the race detector's shadow memory of the buffer stays resident")
	}
	const mib = 64
	p := KDFParams{Time: 1, MemoryKiB: mib * 1024, Threads: 1}
	runtime.GC()
	before := vmRSS(t)
	for range 2 {
		p.derive([]byte("secret"), make([]byte, 16))
		if grew := vmRSS(t) - before; grew > mib/2*1024 {
			t.Fatalf("the resident set grew by %d KiB after a derivation with %d MiB; its memory was not returned", grew, mib)
		}
	}
}

func raceBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

func vmRSS(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
