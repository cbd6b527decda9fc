package main

// The measurements of issue 11 ("a lawyer's daily work"), -only daily:
// search over 10,000 clients with 30,000 parties (a surname, the start of
// one, a surname with two letters swapped that only a correction finds,
// an adverse party's full name), in the store alone and through the app
// (role check, audit entry), under 20 ms median; the first corrected
// search after a write, which lists the words of the index's names
// again; and the conflict check history of 5,000 checks, its first page
// and total, in the store and through the app, under 200 ms.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"casevault/app"
	"casevault/store"
	"casevault/vault"
)

type dailyResults struct {
	rows      []xrow
	checks    []check
	info      []string
	errs      []string
	started   time.Time
	elapsed   time.Duration
	loadStart string
	loadEnd   string
	size      int
	checksN   int
}

type dailyRunner struct {
	c   config
	res *dailyResults
	ctx context.Context
}

func (x *dailyRunner) row(r xrow) { x.res.rows = append(x.res.rows, r) }
func (x *dailyRunner) fail(what string, err error) {
	x.res.errs = append(x.res.errs, fmt.Sprintf("%s: %v", what, err))
	progress("daily: %s: %v", what, err)
}

// dailySection runs the issue-11 measurements.
func dailySection(c config, tmp string) *dailyResults {
	x := &dailyRunner{c: c, ctx: context.Background(),
		res: &dailyResults{started: time.Now(), loadStart: loadavg(), size: 10000, checksN: 5000}}
	if c.quick {
		x.res.size, x.res.checksN = 1000, 500
	}
	dir := filepath.Join(tmp, "daily-vault")
	progress("daily: building a vault of %s clients", fmtCount(x.res.size))
	var br buildResult
	if err := spawn(c, &br, "-child", "build", "-dir", dir, "-n", fmt.Sprint(x.res.size)); err != nil {
		x.fail("build", err)
	} else if err := x.addChecks(dir); err != nil {
		x.fail("conflict checks", err)
	} else {
		x.storeRows(dir)
		x.appRows(dir)
	}
	x.res.loadEnd = loadavg()
	x.res.elapsed = time.Since(x.res.started)
	return x.res
}

// timedCPU runs f n times (after one untimed run) and returns each run's
// wall time and the calling thread's CPU time (the database runs on the
// calling goroutine, pinned to its thread).
func timedCPU(n int, f func(i int) error) (wall, cpu samples, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := f(0); err != nil {
		return nil, nil, err
	}
	for i := range n {
		c0 := threadTime()
		w, err := timeIt(func() error { return f(i) })
		if err != nil {
			return nil, nil, err
		}
		wall, cpu = append(wall, w), append(cpu, threadTime()-c0)
	}
	return wall, cpu, nil
}

// target adds the rows of a measurement and its check: the median wall
// time at most limit seconds.
func (x *dailyRunner) target(name, notes, what string, limit float64, wall, cpu samples) {
	x.row(spanRow(name, wall, "-", notes))
	if m := cpu.mean(); m > 0 {
		x.row(xrow{name + " (thread CPU, mean)", fmtDur(m), "-", fmt.Sprint(len(cpu)), "-", "the same samples: CPU time of the calling thread"})
	}
	st := "PASS"
	if wall.median() > limit {
		st = "FAIL"
	}
	x.res.checks = append(x.res.checks, check{st, what, fmt.Sprintf("median %s (of %d; slowest %s) against %s", fmtDur(wall.median()), len(wall), fmtDur(wall.sorted()[len(wall)-1]), fmtDur(limit))})
}

// dailyQueries are the searches: surnames as typed, their first four
// letters, surnames with the second and third letters swapped (found
// only by a correction), and adverse parties' full names.
func (x *dailyRunner) dailyQueries() map[string][]string {
	p := genPeople(x.res.size, x.c.seed)
	_, surnames := queries(p, x.c.qsamples, x.c.seed)
	r := rand.New(rand.NewPCG(x.c.seed, 11))
	q := map[string][]string{"surname": surnames}
	for _, s := range surnames {
		q["prefix"] = append(q["prefix"], s[:min(4, len(s))])
		w := []rune(strings.ToLower(s))
		if len(w) > 3 && w[1] != w[2] {
			w[1], w[2] = w[2], w[1]
		}
		q["typo"] = append(q["typo"], string(w))
		q["party"] = append(q["party"], p.parties[r.IntN(len(p.parties))][0])
	}
	return q
}

var dailyKinds = []struct{ key, what string }{
	{"surname", "a client's surname as typed"},
	{"prefix", "its first four letters"},
	{"typo", "the surname with two letters swapped: only the corrected tier finds it"},
	{"party", "an adverse party's full name (a person or a company)"},
}

// addChecks records the conflict check history: checks of 1–3 names
// with up to 20 hits each naming real clients and matters, a third of
// them decided (one in ten twice), one transaction, in the store.
func (x *dailyRunner) addChecks(dir string) error {
	progress("daily: recording %s conflict checks", fmtCount(x.res.checksN))
	v, err := vault.Open(dir, vault.Passphrase(benchPass))
	if err != nil {
		return err
	}
	defer v.Close()
	st, err := store.Open(x.ctx, v, store.Options{CheckpointBytes: -1})
	if err != nil {
		return err
	}
	defer st.Close(x.ctx)
	p := genPeople(x.res.size, x.c.seed)
	r := rand.New(rand.NewPCG(x.c.seed, 12))
	start := time.Now().Add(-time.Duration(x.res.checksN) * time.Hour)
	return st.Update(x.ctx, func(tx *store.Tx) error {
		for i := range x.res.checksN {
			names := make([]string, 1+r.IntN(3))
			for j := range names {
				names[j] = p.clients[r.IntN(len(p.clients))]
			}
			hits := make([]app.ConflictHit, r.IntN(21))
			for j := range hits {
				id := int64(1 + r.IntN(x.res.size))
				hits[j] = app.ConflictHit{Query: names[0], Name: p.parties[id-1][0], Role: store.RoleAdverse, Match: "similar", Score: 0.8,
					Why: "similar spelling", ClientID: id, ClientName: p.clients[id-1], MatterID: id, MatterTitle: "matter", MatterOpen: true}
			}
			nj, _ := json.Marshal(names)
			hj, _ := json.Marshal(hits)
			at := start.Add(time.Duration(i) * time.Hour)
			id, err := tx.InsertConflictCheck(&store.ConflictCheck{At: at, Actor: "bench", Names: string(nj), Hits: string(hj)})
			if err != nil {
				return err
			}
			for k := range 1 + i%10/9 {
				if i%3 == 0 {
					d := []string{"clear", "conflict", "waived"}[(i/3+k)%3]
					if err := tx.DecideConflictCheck(id, store.ConflictDecision{At: at.Add(time.Minute), Actor: "bench", Decision: d, Note: "bench"}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

func (x *dailyRunner) samplesN() int {
	if x.c.quick {
		return 10
	}
	return 50
}

// storeRows: tx.Search and tx.ListConflictChecks in the store alone.
func (x *dailyRunner) storeRows(dir string) {
	ctx := x.ctx
	v, err := vault.Open(dir, vault.Passphrase(benchPass))
	if err != nil {
		x.fail("open", err)
		return
	}
	defer v.Close()
	st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
	if err != nil {
		x.fail("store open", err)
		return
	}
	defer st.Close(ctx)
	var counts store.Counts
	if err := st.View(ctx, func(tx *store.Tx) error { var err error; counts, err = tx.Counts(); return err }); err == nil {
		x.res.info = append(x.res.info, fmt.Sprintf("the vault: %s clients, %s matters, %s parties, %s notes; %s conflict checks",
			fmtCount(counts.Clients), fmtCount(counts.Matters), fmtCount(counts.Parties), fmtCount(counts.Notes), fmtCount(x.res.checksN)))
	}
	qs := x.dailyQueries()
	for _, k := range dailyKinds {
		progress("daily: store search, %s", k.key)
		found := 0
		wall, cpu, err := timedCPU(len(qs[k.key]), func(i int) error {
			return st.View(ctx, func(tx *store.Tx) error {
				hits, err := tx.Search(qs[k.key][i], 20)
				if len(hits) > 0 {
					found++
				}
				return err
			})
		})
		if err != nil {
			x.fail("store search "+k.key, err)
			continue
		}
		x.target(fmt.Sprintf("store: search (20 hits), %s", k.key), "tx.Search of "+k.what+fmt.Sprintf("; %d of %d found something", found, len(qs[k.key])+1),
			fmt.Sprintf("store: search of %s clients with %s parties (%s) under 20 ms median", fmtCount(x.res.size), fmtCount(counts.Parties), k.key), 0.020, wall, cpu)
	}
	// The first corrected search after a write lists the words of the
	// index's names again (the write not timed).
	r := rand.New(rand.NewPCG(x.c.seed, 13))
	var after samples
	for i := range min(x.samplesN()/5, len(qs["typo"])) {
		err := st.Update(ctx, func(tx *store.Tx) error {
			c, err := tx.GetClient(int64(1 + r.IntN(x.res.size)))
			if err != nil {
				return err
			}
			c.Phone = fmt.Sprintf("+1 555 %04d", r.IntN(10000))
			return tx.UpdateClient(c, time.Now())
		})
		if err != nil {
			x.fail("edit", err)
			break
		}
		d, err := timeIt(func() error {
			return st.View(ctx, func(tx *store.Tx) error { _, err := tx.Search(qs["typo"][i], 20); return err })
		})
		if err != nil {
			x.fail("search after a write", err)
			break
		}
		after = append(after, d)
	}
	x.row(spanRow("store: corrected search, first after a write", after, "-", "a client edited (not timed), then tx.Search of a misspelt surname: lists the words of every name again (once per write)"))
	progress("daily: store conflict history")
	for _, f := range []store.ConflictFilter{{}, {Query: "an"}, {Decision: "undecided"}} {
		var n int
		wall, cpu, err := timedCPU(x.samplesN(), func(int) error {
			return st.View(ctx, func(tx *store.Tx) error { _, t, err := tx.ListConflictChecks(f); n = t; return err })
		})
		if err != nil {
			x.fail("store history", err)
			continue
		}
		name, what := "store: conflict history, first page + total", "everyone's, newest first"
		if f.Query != "" {
			name, what = "store: conflict history by a name", fmt.Sprintf("checked names containing %q", f.Query)
		} else if f.Decision != "" {
			name, what = "store: conflict history, undecided", "the checks not decided yet"
		}
		x.target(name, fmt.Sprintf("tx.ListConflictChecks (50 of %s: %s)", fmtCount(n), what),
			fmt.Sprintf("store: %s with %s checks under 200 ms", strings.TrimPrefix(name, "store: "), fmtCount(x.res.checksN)), 0.200, wall, cpu)
	}
}

// appRows: Session.Search and Session.ListConflictChecks (role check,
// store, audit entry: a durable write each).
func (x *dailyRunner) appRows(dir string) {
	ctx := x.ctx
	s, _, err := openSession(ctx, dir)
	if err != nil {
		x.fail("session", err)
		return
	}
	defer s.Close(ctx)
	qs := x.dailyQueries()
	for _, k := range dailyKinds {
		progress("daily: app search, %s", k.key)
		wall, cpu, err := timedCPU(len(qs[k.key]), func(i int) error { _, err := s.Search(ctx, qs[k.key][i], 20); return err })
		if err != nil {
			x.fail("app search "+k.key, err)
			continue
		}
		x.target(fmt.Sprintf("app: search (20 hits), %s", k.key), "Session.Search of "+k.what+": role check, store, audit entry",
			fmt.Sprintf("app: search of %s clients (%s) under 20 ms median", fmtCount(x.res.size), k.key), 0.020, wall, cpu)
	}
	progress("daily: app conflict history")
	wall, cpu, err := timedCPU(x.samplesN(), func(int) error { _, _, err := s.ListConflictChecks(ctx, app.ConflictFilter{}); return err })
	if err != nil {
		x.fail("app history", err)
		return
	}
	x.target("app: conflict history, first page + total", "Session.ListConflictChecks (50 newest and the total): role check, store, audit entry",
		fmt.Sprintf("app: conflict history of %s checks opens under 200 ms", fmtCount(x.res.checksN)), 0.200, wall, cpu)
	wall, cpu, err = timedCPU(x.samplesN(), func(i int) error { _, err := s.GetConflictCheck(ctx, int64(1+i*7%x.res.checksN)); return err })
	if err != nil {
		x.fail("app check", err)
		return
	}
	x.row(spanRow("app: one conflict check with its hits and decisions", wall, "-", "Session.GetConflictCheck: role check, store, audit entry"))
	_ = cpu
}

// ---- rendering ----

func (r *dailyResults) section() rowsSection {
	return rowsSection{header: timedHeader("Issue 11 (a lawyer's daily work: search, conflict history)", r.elapsed, r.loadStart, r.loadEnd), issue: "issue 11",
		rows: r.rows, errs: r.errs, checks: r.checks, info: r.info}
}

func renderDailyText(r *dailyResults) string { return r.section().text() }

func renderDailyMarkdown(r *dailyResults) string {
	return r.section().markdown("Issue 11: a lawyer's daily work (search, conflict history)")
}
