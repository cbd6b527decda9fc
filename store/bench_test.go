package store_test

// Benchmarks of the durability engine (make bench prints the full report
// with go run ./app/internal/benchreport; these are for go test -bench and
// pprof):
//
//	go test ./store -run '^$' -bench . -benchtime 200x
//	go test ./store -run '^$' -bench UpdateDurable/clients=10000 -cpuprofile cpu.out
//
// The vault of 10,000 clients takes several seconds to build, so -short skips it.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

var benchKDF = vault.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

var benchPass = []byte("benchmark passphrase for the store")

var benchSyllables = strings.Fields("ka lo mi ren sto bar an el vi dor tha quin mar sel ru ne fa gol ber tin os ca lin dre po shi val mon te zu")

func benchWord(r *rand.Rand, lo, hi int) string {
	var b strings.Builder
	for range lo + r.IntN(hi-lo+1) {
		b.WriteString(benchSyllables[r.IntN(len(benchSyllables))])
	}
	return b.String()
}

func benchName(r *rand.Rand) string {
	a, b := benchWord(r, 2, 3), benchWord(r, 2, 4)
	return strings.ToUpper(a[:1]) + a[1:] + " " + strings.ToUpper(b[:1]) + b[1:]
}

// benchNote is 1–2 KB of prose.
func benchNote(r *rand.Rand) string {
	target := 1024 + r.IntN(1025)
	var b strings.Builder
	for b.Len() < target {
		b.WriteString(benchWord(r, 1, 3))
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String())
}

func benchPhone(r *rand.Rand) string {
	return fmt.Sprintf("+1 555 %03d %04d", r.IntN(1000), r.IntN(10000))
}

// benchStore creates a vault of n clients (each with a 1–2 KB note and one
// matter with three parties), checkpoints it, and opens it again with opts,
// as a session would find it. Everything is removed when b ends.
func benchStore(b *testing.B, n int, opts store.Options) *store.Store {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir() + "/v"
	v, _, err := vault.Create(dir, benchPass, vault.CreateOptions{KDF: benchKDF})
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(n), 1))
	now := time.Now()
	for i := 0; i < n; i += 500 {
		err := st.Update(ctx, func(tx *store.Tx) error {
			for range min(500, n-i) {
				id, err := tx.InsertClient(&store.Client{Name: benchName(r), Phone: benchPhone(r), Notes: benchNote(r)}, now)
				if err != nil {
					return err
				}
				m := &store.Matter{ClientID: id, Title: "matter of " + benchWord(r, 2, 3), Parties: []store.Party{
					{Role: store.RoleAdverse, Name: benchName(r)},
					{Role: store.RoleRelated, Name: benchName(r)},
					{Role: store.RoleOpposingCounsel, Name: benchName(r)},
				}}
				if _, err := tx.InsertMatter(m, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Close(ctx); err != nil { // checkpoints
		b.Fatal(err)
	}
	v.Close()

	v, err = vault.Open(dir, vault.Passphrase(benchPass))
	if err != nil {
		b.Fatal(err)
	}
	st, err = store.Open(ctx, v, opts)
	if err != nil {
		v.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() {
		st.Close(ctx)
		v.Close()
	})
	return st
}

func benchEdit(ctx context.Context, st *store.Store, id int64, phone string) error {
	return st.Update(ctx, func(tx *store.Tx) error {
		c, err := tx.GetClient(id)
		if err != nil {
			return err
		}
		c.Phone = phone
		return tx.UpdateClient(c, time.Now())
	})
}

// BenchmarkUpdateDurable: one client edit (read, change the phone, update
// with its FTS trigger) committed durably: a redo log record appended and
// fdatasync'ed. Production options, so an automatic checkpoint would run
// after 4 MiB of log (some 13,000 edits: more than a usual run does).
func BenchmarkUpdateDurable(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			if n > 1000 && testing.Short() {
				b.Skip("building a vault of 10,000 clients is skipped in -short mode")
			}
			ctx := context.Background()
			st := benchStore(b, n, store.Options{})
			r := rand.New(rand.NewPCG(2, 2))
			// Warm up: the first write creates the redo log file.
			if err := benchEdit(ctx, st, 1, benchPhone(r)); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := benchEdit(ctx, st, int64(1+r.IntN(n)), benchPhone(r)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckpoint10k: a checkpoint of a 10,000-client vault after 200
// random client edits (one transaction, not timed): the image is serialised,
// the changed 64 KiB chunks encrypted and written, the manifest replaced.
func BenchmarkCheckpoint10k(b *testing.B) {
	if testing.Short() {
		b.Skip("building a vault of 10,000 clients is skipped in -short mode")
	}
	const n = 10000
	ctx := context.Background()
	st := benchStore(b, n, store.Options{CheckpointBytes: -1})
	r := rand.New(rand.NewPCG(3, 3))
	for b.Loop() {
		b.StopTimer()
		err := st.Update(ctx, func(tx *store.Tx) error {
			for range 200 {
				c, err := tx.GetClient(int64(1 + r.IntN(n)))
				if err != nil {
					return err
				}
				c.Phone = benchPhone(r)
				if err := tx.UpdateClient(c, time.Now()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := st.Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
