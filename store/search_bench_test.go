package store_test

// Benchmarks of search and of the conflict check history at 10,000
// clients with 30,000 parties (benchStore: one matter of three parties per
// client, a 1–2 KB note each). make bench measures the same through the
// app (benchreport -only daily).
//
//	go test -tags migrated_fynedo ./store -run '^$' -bench 'Search10k|ConflictHistory5k' -benchtime 200x

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"casevault/store"
)

// benchQueries are words of the vault: a surname as typed, its first
// letters, the surname with two letters swapped, and a party's name.
func benchQueries(b *testing.B, st *store.Store) (exact, prefix, typo, party []string) {
	b.Helper()
	err := st.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Query("SELECT c.name, p.name FROM clients c JOIN matters m ON m.client_id = c.id JOIN parties p ON p.matter_id = m.id WHERE p.role = 'adverse' ORDER BY c.id LIMIT 50")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c, p string
			if err := rows.Scan(&c, &p); err != nil {
				return err
			}
			sur := strings.Fields(c)[1]
			exact = append(exact, sur)
			prefix = append(prefix, sur[:min(len(sur), 4)])
			r := []rune(strings.ToLower(sur))
			r[1], r[2] = r[2], r[1]
			typo = append(typo, string(r))
			party = append(party, p)
		}
		return rows.Err()
	})
	if err != nil {
		b.Fatal(err)
	}
	return
}

// BenchmarkSearch10k: tx.Search (limit 20) of a surname, a prefix, a typo
// (two letters swapped: only the corrected tier finds it) and an adverse
// party's full name, at 10,000 clients and 30,000 parties.
func BenchmarkSearch10k(b *testing.B) {
	if testing.Short() {
		b.Skip("building a vault of 10,000 clients is skipped in -short mode")
	}
	ctx := context.Background()
	st := benchStore(b, 10000, store.Options{CheckpointBytes: -1})
	exact, prefix, typo, party := benchQueries(b, st)
	for _, c := range []struct {
		name string
		qs   []string
	}{{"surname", exact}, {"prefix", prefix}, {"typo", typo}, {"party", party}} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				q := c.qs[i%len(c.qs)]
				i++
				err := st.View(ctx, func(tx *store.Tx) error {
					hits, err := tx.Search(q, 20)
					if err == nil && len(hits) == 0 {
						err = fmt.Errorf("%q: no hit", q)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The first corrected search after a write, which lists the words of
	// the index's names again (the write itself not timed).
	b.Run("typo-after-write", func(b *testing.B) {
		r := rand.New(rand.NewPCG(9, 9))
		i := 0
		for b.Loop() {
			b.StopTimer()
			if err := benchEdit(ctx, st, int64(1+r.IntN(10000)), benchPhone(r)); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			q := typo[i%len(typo)]
			i++
			if err := st.View(ctx, func(tx *store.Tx) error { _, err := tx.Search(q, 20); return err }); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Every word of the index through search_vocab (fts5vocab), the other
	// way to list them, for comparison.
	b.Run("search_vocab", func(b *testing.B) {
		for b.Loop() {
			err := st.View(ctx, func(tx *store.Tx) error {
				rows, err := tx.Query("SELECT term FROM search_vocab")
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
				}
				return rows.Err()
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkConflictHistory5k: the first page (50) of the conflict check
// history and its total, newest first, at 5,000 recorded checks of up to
// 20 hits each, for everyone and filtered by a name.
func BenchmarkConflictHistory5k(b *testing.B) {
	ctx := context.Background()
	st := benchStore(b, 100, store.Options{CheckpointBytes: -1})
	r := rand.New(rand.NewPCG(7, 7))
	now := time.Now()
	err := st.Update(ctx, func(tx *store.Tx) error {
		for i := range 5000 {
			names, _ := json.Marshal([]string{benchName(r), benchName(r)})
			type hit struct {
				Query, Name, Role, Why string
				ClientID               int64 `json:"client_id"`
				MatterID               int64 `json:"matter_id"`
			}
			hits := make([]hit, r.IntN(21))
			for j := range hits {
				hits[j] = hit{Query: "q", Name: benchName(r), Role: "adverse", Why: "similar", ClientID: int64(1 + r.IntN(100)), MatterID: int64(1 + r.IntN(100))}
			}
			hj, _ := json.Marshal(hits)
			id, err := tx.InsertConflictCheck(&store.ConflictCheck{At: now.Add(time.Duration(i) * time.Second), Actor: "owner", Names: string(names), Hits: string(hj)})
			if err != nil {
				return err
			}
			if i%3 == 0 {
				if err := tx.DecideConflictCheck(id, store.ConflictDecision{At: now, Actor: "owner", Decision: "clear"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []store.ConflictFilter{{}, {Query: "ka"}, {Decision: "undecided"}} {
		b.Run(fmt.Sprintf("query=%q,decision=%q", f.Query, f.Decision), func(b *testing.B) {
			for b.Loop() {
				err := st.View(ctx, func(tx *store.Tx) error {
					cs, n, err := tx.ListConflictChecks(f)
					if err == nil && (len(cs) == 0 || n == 0) {
						err = fmt.Errorf("%+v: nothing listed", f)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
