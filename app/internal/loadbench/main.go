//go:build unix

// Command loadbench measures what issue 9 asks of opening a vault, of its
// memory and of a checkpoint, on a vault built by benchreport's build child
// (go run ./app/internal/benchreport -child build -dir DIR -n 10000):
//
//	loadbench -dir DIR -mode open [-runs 7] [-cpuprofile F]   # unlock (KDF) and load, apart
//	loadbench -dir DIR -mode app                              # app.Open: unlock to usable
//	loadbench -dir DIR -mode checkpoint [-edits 200]          # checkpoint after random edits
//	loadbench -dir DIR -mode mem [-wait 60s]                  # VmRSS / VmHWM after unlock and checkpoint
//	loadbench -dir DIR -mode passwd                           # VmHWM of a passphrase change
//	loadbench -dir DIR -default-kdf OUT                       # copy DIR to OUT at Argon2id m=256 MiB
//
// Each run is a fresh process (the program re-runs itself), so memory
// figures are that process's own and nothing is warm but the page cache.
// The parent prints each run and the medians.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"casevault/app"
	"casevault/store"
	"casevault/vault"
)

// benchPass is benchreport's passphrase.
var benchPass = []byte("correct horse battery staple, benchmark edition")

type result struct {
	KDF        float64 `json:"kdf_ms,omitempty"`        // vault.Open
	Load       float64 `json:"load_ms,omitempty"`       // store.Open after it
	LoadCPU    float64 `json:"load_cpu_ms,omitempty"`   // its CPU time, user + system, all threads
	CkptCPU    float64 `json:"ckpt_cpu_ms,omitempty"`   // the checkpoint's CPU time
	App        float64 `json:"app_ms,omitempty"`        // app.Open, unlock to usable
	Checkpoint float64 `json:"checkpoint_ms,omitempty"` // store Checkpoint after the edits
	Written    int     `json:"written,omitempty"`       // chunks the checkpoint wrote
	Chunks     int     `json:"chunks,omitempty"`        // chunks of the image
	RSSUnlock  int64   `json:"rss_unlock_kib,omitempty"`
	HWMUnlock  int64   `json:"hwm_unlock_kib,omitempty"`
	RSSWait    int64   `json:"rss_wait_kib,omitempty"`
	RSSCkpt    int64   `json:"rss_ckpt_kib,omitempty"`
	HWMCkpt    int64   `json:"hwm_ckpt_kib,omitempty"`
	HWM        int64   `json:"hwm_kib,omitempty"`
}

func main() {
	dir := flag.String("dir", "", "vault folder (benchreport's build child makes one)")
	mode := flag.String("mode", "open", "open, app, checkpoint, mem or passwd")
	runs := flag.Int("runs", 5, "runs, each in a fresh process")
	edits := flag.Int("edits", 200, "random client edits before the checkpoint")
	wait := flag.Duration("wait", 0, "mem: how long to wait after the unlock before reading VmRSS again")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measured part (open: the load; checkpoint: the checkpoint)")
	defaultKDF := flag.String("default-kdf", "", "copy -dir to this folder and set its passphrase slot to Argon2id t=1 m=256 MiB p=2")
	child := flag.Bool("child", false, "internal: one run")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "seed of the random edits")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "loadbench: -dir is required")
		os.Exit(2)
	}
	if *defaultKDF != "" {
		if err := copyDefaultKDF(*dir, *defaultKDF); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			os.Exit(1)
		}
		return
	}
	if *child {
		r, err := run(*mode, *dir, *edits, *wait, *cpuprofile, *seed)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	var all []result
	for i := range *runs {
		args := []string{"-child", "-dir", *dir, "-mode", *mode, "-edits", strconv.Itoa(*edits), "-wait", wait.String(), "-seed", strconv.Itoa(i + 1)}
		if *cpuprofile != "" {
			args = append(args, "-cpuprofile", fmt.Sprintf("%s.%d", *cpuprofile, i))
		}
		cmd := exec.Command(os.Args[0], args...)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench: run", i, err)
			os.Exit(1)
		}
		var r result
		if err := json.Unmarshal(out, &r); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			os.Exit(1)
		}
		fmt.Print(string(out))
		all = append(all, r)
	}
	med := func(f func(r result) float64) float64 {
		var xs []float64
		for _, r := range all {
			xs = append(xs, f(r))
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	fmt.Printf("median of %d: kdf %.1f ms, load %.1f ms (CPU %.1f ms), app %.1f ms, checkpoint %.1f ms (CPU %.1f ms, %.0f of %.0f chunks); "+
		"after unlock RSS %.1f MiB HWM %.1f MiB; after wait RSS %.1f MiB; after checkpoint RSS %.1f MiB HWM %.1f MiB; peak %.1f MiB\n",
		len(all), med(func(r result) float64 { return r.KDF }), med(func(r result) float64 { return r.Load }), med(func(r result) float64 { return r.LoadCPU }),
		med(func(r result) float64 { return r.App }), med(func(r result) float64 { return r.Checkpoint }), med(func(r result) float64 { return r.CkptCPU }),
		med(func(r result) float64 { return float64(r.Written) }), med(func(r result) float64 { return float64(r.Chunks) }),
		med(func(r result) float64 { return float64(r.RSSUnlock) / 1024 }), med(func(r result) float64 { return float64(r.HWMUnlock) / 1024 }),
		med(func(r result) float64 { return float64(r.RSSWait) / 1024 }),
		med(func(r result) float64 { return float64(r.RSSCkpt) / 1024 }), med(func(r result) float64 { return float64(r.HWMCkpt) / 1024 }),
		med(func(r result) float64 { return float64(r.HWM) / 1024 }))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func profile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	pprof.StartCPUProfile(f)
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func run(mode, dir string, edits int, wait time.Duration, cpuprofile string, seed uint64) (*result, error) {
	ctx := context.Background()
	r := &result{}
	switch mode {
	case "open":
		t0 := time.Now()
		v, err := vault.Open(dir, vault.Passphrase(benchPass))
		if err != nil {
			return nil, err
		}
		defer v.Close()
		t1 := time.Now()
		c0 := cpuTime()
		stop := profile(cpuprofile)
		st, err := store.Open(ctx, v, store.Options{})
		stop()
		if err != nil {
			return nil, err
		}
		r.KDF, r.Load, r.LoadCPU = ms(t1.Sub(t0)), ms(time.Since(t1)), ms(cpuTime()-c0)
		r.HWM = status("VmHWM")
		return r, st.Close(ctx)
	case "app", "mem", "passwd":
		t0 := time.Now()
		s, err := app.Open(ctx, dir, vault.Passphrase(benchPass), app.Options{Actor: "bench"})
		if err != nil {
			return nil, err
		}
		r.App = ms(time.Since(t0))
		r.RSSUnlock, r.HWMUnlock = status("VmRSS"), status("VmHWM")
		switch mode {
		case "mem":
			time.Sleep(wait)
			r.RSSWait = status("VmRSS")
			rng := rand.New(rand.NewPCG(seed, 4))
			for range edits {
				ph := fmt.Sprintf("+1 555 %03d %04d", rng.IntN(1000), rng.IntN(10000))
				id := int64(1 + rng.IntN(1000))
				if err := s.EditClient(ctx, id, app.ClientInput{Phone: &ph}); err != nil {
					return nil, err
				}
			}
			if err := s.Close(ctx); err != nil {
				return nil, err
			}
			r.RSSCkpt, r.HWMCkpt = status("VmRSS"), status("VmHWM")
		case "passwd":
			// Change it and back, as two passwd commands would do in one process.
			if err := s.ChangePassphrase(ctx, []byte("an interim passphrase for the benchmark"), nil); err != nil {
				return nil, err
			}
			if err := s.ChangePassphrase(ctx, benchPass, nil); err != nil {
				return nil, err
			}
			if err := s.Close(ctx); err != nil {
				return nil, err
			}
		default:
			if err := s.Close(ctx); err != nil {
				return nil, err
			}
		}
		r.HWM = status("VmHWM")
		return r, nil
	case "checkpoint":
		v, err := vault.Open(dir, vault.Passphrase(benchPass))
		if err != nil {
			return nil, err
		}
		defer v.Close()
		st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
		if err != nil {
			return nil, err
		}
		defer st.Close(ctx)
		var n int64
		if err := st.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRow("SELECT max(id) FROM clients").Scan(&n)
		}); err != nil {
			return nil, err
		}
		rng := rand.New(rand.NewPCG(seed, 4))
		for range edits {
			id := 1 + rng.Int64N(n)
			ph := fmt.Sprintf("+1 555 %03d %04d", rng.IntN(1000), rng.IntN(10000))
			err := st.Update(ctx, func(tx *store.Tx) error {
				c, err := tx.GetClient(id)
				if err != nil {
					return err
				}
				c.Phone = ph
				return tx.UpdateClient(c, time.Now())
			})
			if err != nil {
				return nil, err
			}
		}
		before := map[vault.ID]bool{}
		for _, id := range v.Current().Chunks {
			before[id] = true
		}
		stop := profile(cpuprofile)
		c0 := cpuTime()
		t0 := time.Now()
		err = st.Checkpoint(ctx)
		r.Checkpoint, r.CkptCPU = ms(time.Since(t0)), ms(cpuTime()-c0)
		stop()
		if err != nil {
			return nil, err
		}
		cp := v.Current()
		r.Chunks = len(cp.Chunks)
		for _, id := range cp.Chunks {
			if !before[id] {
				r.Written++
			}
		}
		r.HWM = status("VmHWM")
		return r, nil
	}
	return nil, fmt.Errorf("unknown mode %q", mode)
}

// cpuTime is the process's CPU time so far, user + system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// status reads one KiB figure of /proc/self/status.
func status(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func copyDefaultKDF(src, dst string) error {
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o700)
		}
		if d.Name() == vault.LockFile {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		o, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(o, in); err != nil {
			o.Close()
			return err
		}
		return o.Close()
	})
	if err != nil {
		return err
	}
	v, err := vault.Open(dst, vault.Passphrase(benchPass))
	if err != nil {
		return err
	}
	defer v.Close()
	p := vault.KDFParams{Time: 1, MemoryKiB: vault.DefaultMemoryKiB, Threads: 2}
	return v.ChangePassphrase(benchPass, &p)
}
