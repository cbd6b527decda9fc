//go:build heavy

package app

// TestHeavyReplayCost measures what a redo log left at close costs the next
// open, per KiB, to choose CommandLineCheckpointBytes: it grows the log of
// a vault with what commands write (views, edits, searches, each with its
// audit entry), never checkpointing, and times app.Open and the command's
// first audit entry against the same vault checkpointed. Run it with
//
//	CASEVAULT_HEAVY=1 go test -tags migrated_fynedo,heavy -run TestHeavyReplayCost -v ./app
//
// CASEVAULT_REPLAY_CLIENTS sets the vault's size (default 10000).

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

func TestHeavyReplayCost(t *testing.T) {
	if os.Getenv("CASEVAULT_HEAVY") != "1" {
		t.Skip("heavy: set CASEVAULT_HEAVY=1")
	}
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("CASEVAULT_REPLAY_CLIENTS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "vault")
	kdf := KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}
	if err := Demo(ctx, dir, n, kdf, nil); err != nil {
		t.Fatal(err)
	}
	cred := func() vault.Credential { return Passphrase([]byte(DemoPassphrase)) }
	keep := Options{CommandLine: true, Store: store.Options{NoCloseCheckpoint: true, CheckpointBytes: -1}}
	openTimes := func() time.Duration {
		var d []time.Duration
		for range 5 {
			// Open and one audit entry, as every command writes one: the
			// first write into a freshly loaded database costs something
			// of its own, which replay pays when there is a log and the
			// command's own entry when there is none.
			start := time.Now()
			s, err := Open(ctx, dir, cred(), keep)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetClient(ctx, 1); err != nil {
				t.Fatal(err)
			}
			d = append(d, time.Since(start))
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(d)
		return d[len(d)/2]
	}
	base := openTimes()
	// Grow the log as commands would, in steps, timing the open at each.
	s, err := Open(ctx, dir, cred(), keep)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.ListClients(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	i := 0
	for _, target := range []int64{64 << 10, 256 << 10, 1 << 20, 4 << 20} {
		s, err := Open(ctx, dir, cred(), keep)
		if err != nil {
			t.Fatal(err)
		}
		for s.v.LogSize() < target {
			c := cs[i%len(cs)]
			i++
			if _, err := s.GetClient(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			phone := "+1 555 0100 " + strconv.Itoa(100+i%900)
			if err := s.EditClient(ctx, c.ID, ClientInput{Phone: &phone}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Search(ctx, c.Name[:3], 20); err != nil {
				t.Fatal(err)
			}
		}
		size := s.v.LogSize()
		s.Close(ctx)
		d := openTimes()
		perKiB := (d - base) / time.Duration(max(size>>10, 1))
		t.Logf("%d clients: open + first entry with %7d B of redo log %8s, checkpointed %8s: replay %s per KiB (%d operations so far)",
			n, size, d.Round(time.Millisecond/10), base.Round(time.Millisecond/10), perKiB, i*3)
	}
}
