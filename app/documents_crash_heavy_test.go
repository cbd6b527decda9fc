//go:build heavy

package app

// TestHeavyDocumentCrashLoop: adds and new versions of a 12 MiB file killed
// with SIGKILL at random moments (CASEVAULT_DOC_KILLS times, default 15).
// After each kill the vault opens, every acknowledged add is there (and at
// most the one in flight besides), every version reads whole, and the
// first checkpoint leaves objects/doc holding exactly the live objects.
//
//	CASEVAULT_HEAVY=1 go test -tags migrated_fynedo,heavy -run TestHeavyDocumentCrashLoop -v ./app

import (
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"
)

func TestHeavyDocumentCrashLoop(t *testing.T) {
	if os.Getenv("CASEVAULT_HEAVY") != "1" {
		t.Skip("heavy: set CASEVAULT_HEAVY=1")
	}
	kills := 15
	if n, err := strconv.Atoi(os.Getenv("CASEVAULT_DOC_KILLS")); err == nil && n > 0 {
		kills = n
	}
	dir, path := crashVault(t, 31, 12<<20)
	rng := rand.New(rand.NewPCG(13, 0xd0c))
	ackRE := regexp.MustCompile(`(?m)^ack (\d+) (.+)$`)
	next, versions := 0, 1
	acked := map[string]bool{}
	for it := 0; it < kills; it++ {
		delay := 300*time.Millisecond + time.Duration(rng.Int64N(int64(2*time.Second)))
		out := crashChild(t, []string{docCrashDirEnv + "=" + dir, docCrashFileEnv + "=" + path, docCrashModeEnv + "=loop",
			docCrashNextEnv + "=" + strconv.Itoa(next)}, "", delay)
		for _, m := range ackRE.FindAllStringSubmatch(out, -1) {
			n, _ := strconv.Atoi(m[1])
			next = n + 1
			if m[2] == "first.bin" {
				versions++
			} else {
				acked[m[2]] = true
			}
		}
		got := checkAfterCrash(t, dir, "kill "+strconv.Itoa(it))
		for name := range acked {
			if got[name] != 1 {
				t.Fatalf("kill %d: the acknowledged %s is missing", it, name)
			}
		}
		if v := got["first.bin"]; v < versions || v > versions+1 {
			t.Fatalf("kill %d: first.bin has %d versions, %d acknowledged", it, v, versions)
		}
		versions = got["first.bin"]
		if extra := len(got) - 1 - len(acked); extra > 1 {
			t.Fatalf("kill %d: %d documents beyond the acknowledged ones", it, extra)
		}
		for name := range got {
			if name != "first.bin" {
				acked[name] = true // the one in flight that made it
			}
		}
		next++ // the name in flight is used: skip it
	}
	if len(acked) == 0 || versions < 2 {
		t.Errorf("the children acknowledged %d documents and %d versions: the kills came before any add", len(acked), versions)
	}
}
