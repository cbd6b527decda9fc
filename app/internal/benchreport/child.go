package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"casevault/app"
	"casevault/app/conflict"
	"casevault/store"
	"casevault/vault"
)

// Each vault size is built by one child process and measured by another, so
// that the measuring process's peak memory is that of a session working on
// the vault, not of the bulk load. Each child reports its own VmHWM from
// /proc/self/status: the rusage Maxrss that the parent gets from wait4 is no
// use here, because Go starts children with a vfork-style clone, so the
// child's Maxrss starts at the parent's own peak.

var benchPass = []byte("correct horse battery staple, benchmark edition")

// testKDF are the parameters the tests use; unlock speed is irrelevant to
// the size benchmarks.
var testKDF = vault.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

const buildBatch = 500 // clients (with their matter and parties) per transaction

type buildResult struct {
	N        int     `json:"n"`
	Parties  int     `json:"parties"`
	BuildSec float64 `json:"build_sec"`
	Size     int64   `json:"size"`
	VmHWM    int64   `json:"vm_hwm"` // KiB, from /proc/self/status
}

// childBuild creates a vault through app.Init and bulk-loads n clients, each
// with a 1–2 KB note and one matter with three parties, through the store in
// transactions of buildBatch clients (app has no bulk API), then closes it
// (which checkpoints).
func childBuild(dir string, n int, seed uint64) (*buildResult, error) {
	ctx := context.Background()
	start := time.Now()
	if _, err := app.Init(ctx, dir, benchPass, app.InitOptions{KDF: testKDF, Actor: "bench"}); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	if err := app.ConfirmInit(dir); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	v, err := vault.Open(dir, vault.Passphrase(benchPass))
	if err != nil {
		return nil, err
	}
	defer v.Close()
	// Automatic checkpoints off during the load; Close takes one at the end.
	st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
	if err != nil {
		return nil, err
	}
	p := genPeople(n, seed)
	d := newDetails(seed)
	now := time.Now()
	parties := 0
	for i := 0; i < n; i += buildBatch {
		err := st.Update(ctx, func(tx *store.Tx) error {
			for j := i; j < min(i+buildBatch, n); j++ {
				id, err := tx.InsertClient(d.client(p.clients[j]), now)
				if err != nil {
					return err
				}
				if int64(j+1) != id {
					return fmt.Errorf("client %d got id %d; the benchmark assumes ids 1..n", j+1, id)
				}
				m := d.matter(id, p.clients[j], p.parties[j])
				if _, err := tx.InsertMatter(m, now); err != nil {
					return err
				}
				parties += len(m.Parties)
			}
			return nil
		})
		if err != nil {
			st.Close(ctx)
			return nil, fmt.Errorf("bulk insert: %w", err)
		}
	}
	if err := st.Close(ctx); err != nil {
		return nil, fmt.Errorf("closing after the load: %w", err)
	}
	return &buildResult{N: n, Parties: parties, BuildSec: time.Since(start).Seconds(), Size: dirSize(dir), VmHWM: vmHWM()}, nil
}

type measureResult struct {
	N    int  `json:"n"`
	Full bool `json:"full"` // search, conflicts and checkpoint measured too

	OpenSec float64 `json:"open_sec"` // app.Open: unlock (test KDF) + load checkpoint

	Edit          samples `json:"edit"`            // Session.EditClient (phone), durable, with audit entry
	EditLogBytes  float64 `json:"edit_log_bytes"`  // redo log bytes per edit
	EditLogShrank bool    `json:"edit_log_shrank"` // an automatic checkpoint ran during the timed edits
	StoreEdit     samples `json:"store_edit"`      // store.Update{GetClient; UpdateClient}, durable, no audit
	CloseSec      float64 `json:"close_sec"`       // Session.Close after the edits: audit "lock" + checkpoint

	Search        samples `json:"search"`         // Session.Search (FTS + durable audit entry)
	SearchStore   samples `json:"search_store"`   // store.View + tx.Search only
	ConflictCold  float64 `json:"conflict_cold"`  // first Session.CheckConflicts (builds the index)
	Conflict      samples `json:"conflict"`       // Session.CheckConflicts
	ConflictOnly  samples `json:"conflict_only"`  // conflict.Index.Check alone
	ConflictNames samples `json:"conflict_names"` // store ConflictNames query
	IndexBuild    samples `json:"index_build"`    // conflict.NewIndex over those names
	IndexEntries  int     `json:"index_entries"`
	ConflictHits  float64 `json:"conflict_hits"` // mean hits per checked name

	Checkpoint       float64 `json:"checkpoint"` // explicit store Checkpoint after the store-level edits
	CheckpointChunks int     `json:"checkpoint_chunks"`
	ImageChunks      int     `json:"image_chunks"`

	Size  int64 `json:"size"`   // vault folder after everything, closed
	VmHWM int64 `json:"vm_hwm"` // KiB, from /proc/self/status
}

type measureOpts struct {
	dir        string
	n          int
	samples    int
	qsamples   int
	seed       uint64
	full       bool
	profileDir string
}

func startProfile(dir, name string) func() {
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func childMeasure(o measureOpts) (*measureResult, error) {
	ctx := context.Background()
	r := &measureResult{N: o.n, Full: o.full}
	rng := rand.New(rand.NewPCG(o.seed, 4))
	logDir := filepath.Join(o.dir, vault.LogDir)

	var s *app.Session
	var err error
	stopOpen := startProfile(o.profileDir, fmt.Sprintf("open-%d.pprof", o.n))
	r.OpenSec, err = timeIt(func() error {
		s, err = app.Open(ctx, o.dir, vault.Passphrase(benchPass), app.Options{Actor: "bench"})
		return err
	})
	stopOpen()
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer s.Close(ctx)

	edit := func() error {
		id := int64(1 + rng.IntN(o.n))
		ph := phone(rng)
		return s.EditClient(ctx, id, app.ClientInput{Phone: &ph})
	}
	// Warm up: the first write of a session creates the redo log file.
	for range 10 {
		if err := edit(); err != nil {
			return nil, fmt.Errorf("edit: %w", err)
		}
	}
	logBefore := dirSize(logDir)
	stop := startProfile(o.profileDir, fmt.Sprintf("edit-%d.pprof", o.n))
	for range o.samples {
		d, err := timeIt(edit)
		if err != nil {
			stop()
			return nil, fmt.Errorf("edit: %w", err)
		}
		r.Edit = append(r.Edit, d)
	}
	stop()
	logAfter := dirSize(logDir)
	if logAfter < logBefore {
		r.EditLogShrank = true
	} else {
		r.EditLogBytes = float64(logAfter-logBefore) / float64(o.samples)
	}

	var conflictQ, searchQ []string
	if o.full {
		conflictQ, searchQ = queries(genPeople(o.n, o.seed), o.qsamples, o.seed)
		for i := range o.qsamples {
			q := searchQ[i]
			d, err := timeIt(func() error { _, err := s.Search(ctx, q, 20); return err })
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			r.Search = append(r.Search, d)
		}
		r.ConflictCold, err = timeIt(func() error { _, err := s.CheckConflicts(ctx, []string{conflictQ[0]}); return err })
		if err != nil {
			return nil, fmt.Errorf("conflict check: %w", err)
		}
		stop := startProfile(o.profileDir, fmt.Sprintf("conflict-%d.pprof", o.n))
		for i := range o.qsamples {
			q := conflictQ[i]
			d, err := timeIt(func() error { _, err := s.CheckConflicts(ctx, []string{q}); return err })
			if err != nil {
				stop()
				return nil, fmt.Errorf("conflict check: %w", err)
			}
			r.Conflict = append(r.Conflict, d)
		}
		stop()
	}
	r.CloseSec, err = timeIt(func() error { return s.Close(ctx) })
	if err != nil {
		return nil, fmt.Errorf("close: %w", err)
	}

	// The store under the session, without app: the engine's own share.
	v, err := vault.Open(o.dir, vault.Passphrase(benchPass))
	if err != nil {
		return nil, err
	}
	defer v.Close()
	st, err := store.Open(ctx, v, store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close(ctx)
	for i := range o.samples + 10 {
		id := int64(1 + rng.IntN(o.n))
		ph := phone(rng)
		d, err := timeIt(func() error {
			return st.Update(ctx, func(tx *store.Tx) error {
				c, err := tx.GetClient(id)
				if err != nil {
					return err
				}
				c.Phone = ph
				return tx.UpdateClient(c, time.Now())
			})
		})
		if err != nil {
			return nil, fmt.Errorf("store edit: %w", err)
		}
		if i >= 10 {
			r.StoreEdit = append(r.StoreEdit, d)
		}
	}
	if o.full {
		for i := range o.qsamples {
			q := searchQ[i]
			d, err := timeIt(func() error {
				return st.View(ctx, func(tx *store.Tx) error { _, err := tx.Search(q, 20); return err })
			})
			if err != nil {
				return nil, fmt.Errorf("store search: %w", err)
			}
			r.SearchStore = append(r.SearchStore, d)
		}
		var ix *conflict.Index
		for range 3 {
			var names []store.Name
			d, err := timeIt(func() error {
				return st.View(ctx, func(tx *store.Tx) error {
					var err error
					names, err = tx.ConflictNames()
					return err
				})
			})
			if err != nil {
				return nil, err
			}
			r.ConflictNames = append(r.ConflictNames, d)
			d, _ = timeIt(func() error {
				entries := make([]conflict.Entry, len(names))
				for i := range names {
					n := &names[i]
					entries[i] = conflict.Entry{Name: n.Name, Role: n.Role, ClientID: n.ClientID, MatterID: n.MatterID, Ref: n}
				}
				ix = conflict.NewIndex(entries)
				return nil
			})
			r.IndexBuild = append(r.IndexBuild, d)
			r.IndexEntries = len(names)
		}
		hits := 0
		for i := range o.qsamples {
			q := conflictQ[i]
			d, _ := timeIt(func() error { hits += len(ix.Check(q)); return nil })
			r.ConflictOnly = append(r.ConflictOnly, d)
		}
		r.ConflictHits = float64(hits) / float64(o.qsamples)

		objDir := filepath.Join(o.dir, vault.ObjectsDir)
		before := listFiles(objDir)
		stop := startProfile(o.profileDir, fmt.Sprintf("checkpoint-%d.pprof", o.n))
		r.Checkpoint, err = timeIt(func() error { return st.Checkpoint(ctx) })
		stop()
		if err != nil {
			return nil, fmt.Errorf("checkpoint: %w", err)
		}
		for f := range listFiles(objDir) {
			if !before[f] {
				r.CheckpointChunks++
			}
		}
		if cp := v.Current(); cp != nil {
			r.ImageChunks = len(cp.Chunks)
		}
	}
	if err := st.Close(ctx); err != nil {
		return nil, err
	}
	if err := v.Close(); err != nil {
		return nil, err
	}
	r.Size = dirSize(o.dir)
	r.VmHWM = vmHWM()
	return r, nil
}

// vmHWM is the process's peak resident set in KiB (0 if unknown).
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
