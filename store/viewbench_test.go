package store_test

// Benchmarks of reading a 10,000-client vault as the owner and as a user
// whose queries are filtered (issue 10: the permission check's cost on the
// list of 10,000 clients and on search). The vault is built once per test
// binary (several seconds) and removed by TestMain:
//
//	go test ./store -run '^$' -bench View10k -count 6 | tee new.txt
//	benchstat old.txt new.txt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"casevault/store"
	"casevault/vault"
)

var view10k struct {
	once    sync.Once
	dir     string
	st      *store.Store
	v       *vault.Vault
	viewers map[string]benchViewFunc
	queries []string
	err     error
}

// benchViewFunc runs fn in a read transaction for one viewer.
type benchViewFunc func(ctx context.Context, fn func(tx *store.Tx) error) error

func TestMain(m *testing.M) {
	code := m.Run()
	if view10k.st != nil {
		view10k.st.Close(context.Background())
		view10k.v.Close()
	}
	if view10k.dir != "" {
		os.RemoveAll(view10k.dir)
	}
	os.Exit(code)
}

// buildView10k is benchStore's vault of 10,000 clients (a 1–2 KB note and
// one matter with three parties each), built outside any b so that every
// -count round reads the same one.
func buildView10k() error {
	const n = 10000
	ctx := context.Background()
	var err error
	if view10k.dir, err = os.MkdirTemp("", "casevault-bench-"); err != nil {
		return err
	}
	dir := view10k.dir + "/v"
	v, _, err := vault.Create(dir, benchPass, vault.CreateOptions{KDF: benchKDF})
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(n, 1))
	now := time.Now()
	var names []string
	for i := 0; i < n; i += 500 {
		err := st.Update(ctx, func(tx *store.Tx) error {
			for range min(500, n-i) {
				name := benchName(r)
				names = append(names, name)
				id, err := tx.InsertClient(&store.Client{Name: name, Phone: benchPhone(r), Notes: benchNote(r)}, now)
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
			return err
		}
	}
	if view10k.viewers, err = benchViewers(ctx, st); err != nil {
		return err
	}
	if err := st.Close(ctx); err != nil {
		return err
	}
	v.Close()
	if view10k.v, err = vault.Open(dir, vault.Passphrase(benchPass)); err != nil {
		return err
	}
	if view10k.st, err = store.Open(ctx, view10k.v, store.Options{}); err != nil {
		return err
	}
	if view10k.viewers, err = benchViewers(ctx, view10k.st); err != nil {
		return err
	}
	// Queries as people type them: a first name, a surname, a three-letter
	// prefix, a word of a matter title.
	for i := range 12 {
		full := strings.Fields(names[r.IntN(len(names))])
		switch i % 4 {
		case 0:
			view10k.queries = append(view10k.queries, full[0])
		case 1:
			view10k.queries = append(view10k.queries, full[1])
		case 2:
			view10k.queries = append(view10k.queries, strings.ToLower(full[0][:3]))
		case 3:
			view10k.queries = append(view10k.queries, "matter "+benchWord(r, 1, 1))
		}
	}
	return nil
}

// BenchmarkView10k: the list of 10,000 clients (with and without their
// notes) and a full-text search, each in its own read transaction, for
// every viewer benchViewers gives.
func BenchmarkView10k(b *testing.B) {
	if testing.Short() {
		b.Skip("building a vault of 10,000 clients is skipped in -short mode")
	}
	view10k.once.Do(func() { view10k.err = buildView10k() })
	if view10k.err != nil {
		b.Fatal(view10k.err)
	}
	ctx := context.Background()
	var who []string
	for w := range view10k.viewers {
		who = append(who, w)
	}
	sort.Strings(who)
	for _, w := range who {
		view := view10k.viewers[w]
		b.Run("who="+w+"/op=ListClients", func(b *testing.B) {
			defer threadCPU(b)()
			for b.Loop() {
				err := view(ctx, func(tx *store.Tx) error {
					l, err := tx.ListClients(store.ByName)
					if err == nil && len(l) < 9790 {
						err = fmt.Errorf("%d clients listed", len(l))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("who="+w+"/op=ListClientSummaries", func(b *testing.B) {
			defer threadCPU(b)()
			for b.Loop() {
				err := view(ctx, func(tx *store.Tx) error {
					l, err := tx.ListClientSummaries(store.ByName)
					if err == nil && len(l) < 9790 {
						err = fmt.Errorf("%d clients listed", len(l))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("who="+w+"/op=Search", func(b *testing.B) {
			defer threadCPU(b)()
			i := 0
			for b.Loop() {
				q := view10k.queries[i%len(view10k.queries)]
				i++
				err := view(ctx, func(tx *store.Tx) error { _, err := tx.Search(q, 20); return err })
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// threadCPU pins the benchmark to its OS thread and, when the returned
// function runs, reports the thread's CPU time per operation (cpu-ns/op):
// on a machine shared with other work, wall time per operation swings
// with the load while the CPU time the reads themselves take (the
// database runs on the calling goroutine) stays near what it costs.
func threadCPU(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadTime()
	return func() {
		used := threadTime() - start
		runtime.UnlockOSThread()
		if b.N > 0 && used > 0 {
			b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
		}
	}
}
