//go:build heavy

package cli

// TestCommandCost measures whole casevault commands as a person runs them:
// a new process each time, paying process start, the key derivation, the
// load of the vault and the lock. It is a measurement, not a check of a
// target (the machine decides the numbers); it fails only when a command
// fails. Run it with
//
//	CASEVAULT_HEAVY=1 go test -tags migrated_fynedo,heavy -run TestCommandCost -v -timeout 30m ./app/cli
//
// Environment (all optional):
//
//	CASEVAULT_BIN              the binary to measure (default: built from this tree)
//	CASEVAULT_CMDBENCH_CLIENTS clients in the demo vault (default 10000)
//	CASEVAULT_CMDBENCH_RUNS    measured runs per command (default 7, after one warm-up)
//	CASEVAULT_CMDBENCH_KDF     "test", "default" or "test,default" (default both)
//	CASEVAULT_CMDBENCH_CACHE   a folder to keep the generated vaults in between runs
//	                           (creating a 10,000-client vault takes several seconds)
//	CASEVAULT_CMDBENCH_JSON    write the rows as JSON to this file
//	CASEVAULT_CMDBENCH_BEFORE  another binary to measure beside it (an older
//	                           commit's), taking turns run by run on its own copy
//
// The vault is make bench's data set (see buildBenchVault). Each KDF
// setting starts from a fresh copy of the same vault, so two
// binaries (before and after a change) measure the same work.

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	mrand "math/rand/v2"

	"casevault/app"
	"casevault/store"
	"casevault/vault"
)

// CommandCostRow is one measured command (the JSON rows for make bench).
type CommandCostRow struct {
	Binary    string  `json:"binary"` // "this", or "before" (CASEVAULT_CMDBENCH_BEFORE)
	Command   string  `json:"command"`
	KDF       string  `json:"kdf"`
	Clients   int     `json:"clients"`
	Runs      int     `json:"runs"`
	MedianMS  float64 `json:"median_ms"`
	MinMS     float64 `json:"min_ms"`
	MaxMS     float64 `json:"max_ms"`
	PeakRSSMB float64 `json:"peak_rss_mib"` // median of the runs' VmHWM (rusage maxrss)
	LogBytes  int64   `json:"log_bytes_after"`
}

func TestCommandCost(t *testing.T) {
	if os.Getenv("CASEVAULT_HEAVY") != "1" {
		t.Skip("heavy: set CASEVAULT_HEAVY=1")
	}
	bin := casevaultBinary(t)
	clients := envInt(t, "CASEVAULT_CMDBENCH_CLIENTS", 10000)
	runs := envInt(t, "CASEVAULT_CMDBENCH_RUNS", 7)
	kdfs := strings.Split(envStr("CASEVAULT_CMDBENCH_KDF", "test,default"), ",")
	cache := os.Getenv("CASEVAULT_CMDBENCH_CACHE")
	if cache == "" {
		cache = t.TempDir()
	}
	var rows []CommandCostRow
	for _, kind := range kdfs {
		var kdf app.KDFParams
		switch kind {
		case "test":
			kdf = app.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}
		case "default":
			// The default memory (256 MiB) with two passes, fixed rather
			// than calibrated so that every machine and run does the same work.
			kdf = app.KDFParams{Time: 2, MemoryKiB: vault.DefaultMemoryKiB, Threads: vault.DefaultThreads()}
		default:
			t.Fatalf("CASEVAULT_CMDBENCH_KDF: %q is neither test nor default", kind)
		}
		base := filepath.Join(cache, fmt.Sprintf("base-%s-%d", kind, clients))
		if !app.VaultExists(base) {
			os.RemoveAll(base)
			start := time.Now()
			buildBenchVault(t, base, clients, kdf)
			t.Logf("vault of %d clients (%s) made in %s", clients, kdf, time.Since(start).Round(time.Millisecond))
		}
		name := searchName(t, base)
		type side struct {
			label, bin, work string
		}
		sides := []side{{"this", bin, filepath.Join(t.TempDir(), "vault-"+kind)}}
		if before := os.Getenv("CASEVAULT_CMDBENCH_BEFORE"); before != "" {
			sides = append([]side{{"before", before, filepath.Join(t.TempDir(), "before-"+kind)}}, sides...)
		}
		for _, sd := range sides {
			copyTree(t, base, sd.work)
		}
		for _, c := range []struct {
			label string
			args  []string
		}{{"status", []string{"status"}}, {"client list", []string{"client", "list"}}, {"search NAME", []string{"search", name}}} {
			wall := make([][]time.Duration, len(sides))
			rss := make([][]int64, len(sides))
			// The sides take turns, run by run, so that a change in the
			// machine's load falls on both alike.
			for i := 0; i <= runs; i++ {
				for k, sd := range sides {
					d, maxrss := runMeasured(t, sd.bin, sd.work, c.args)
					if i == 0 {
						continue // warm-up: page cache, first checkpoint after copying
					}
					wall[k], rss[k] = append(wall[k], d), append(rss[k], maxrss)
				}
			}
			for k, sd := range sides {
				w, r := wall[k], rss[k]
				slices.Sort(w)
				slices.Sort(r)
				row := CommandCostRow{Binary: sd.label, Command: c.label, KDF: kind, Clients: clients, Runs: runs,
					MedianMS: ms(w[len(w)/2]), MinMS: ms(w[0]), MaxMS: ms(w[len(w)-1]),
					PeakRSSMB: float64(r[len(r)/2]) / 1024, LogBytes: logBytes(sd.work)}
				rows = append(rows, row)
				t.Logf("%-6s %-12s kdf=%-7s %d clients: median %7.1f ms (min %7.1f, max %7.1f), peak RSS %6.1f MiB, redo log after %d B",
					sd.label, row.Command, kind, clients, row.MedianMS, row.MinMS, row.MaxMS, row.PeakRSSMB, row.LogBytes)
			}
		}
	}
	if l, err := os.ReadFile("/proc/loadavg"); err == nil {
		t.Logf("load average at the end: %s", strings.TrimSpace(string(l)))
	}
	if p := os.Getenv("CASEVAULT_CMDBENCH_JSON"); p != "" {
		b, _ := json.MarshalIndent(rows, "", "  ")
		if err := os.WriteFile(p, append(b, '\n'), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// runMeasured runs one command with the bench passphrase on standard input
// and returns its wall time and peak resident memory (KiB). The command is
// started by a small helper process (this test binary, spawnMain): Go starts
// children with a vfork-style clone, and Linux then carries the parent's
// own peak into the child's rusage, so measured from this big test process
// every command would "peak" at least at this process's high-water mark.
// The helper's own (a few MiB) is the floor instead.
func runMeasured(t *testing.T, bin, dir string, args []string) (time.Duration, int64) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	spawnArgs, _ := json.Marshal(append([]string{bin, "--vault", dir, "--passphrase-stdin"}, args...))
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), "CASEVAULT_TEST_HELPER=spawn", "LANG=C.UTF-8",
		"CASEVAULT_SPAWN_ARGS="+string(spawnArgs))
	cmd.Stdin = strings.NewReader(string(benchPass) + "\n")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, stderr.String())
	}
	var r spawnResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("spawn helper: %v: %q", err, out)
	}
	return time.Duration(r.WallNS), r.MaxRSSKiB
}

type spawnResult struct {
	WallNS    int64 `json:"wall_ns"`
	MaxRSSKiB int64 `json:"maxrss_kib"`
}

// spawnMain is the helper of runMeasured (CASEVAULT_TEST_HELPER=spawn): it
// runs the command in CASEVAULT_SPAWN_ARGS (a JSON list) with this
// process's standard input, discards its output, and prints its wall time
// and peak memory as JSON; a failed command fails the helper with its
// output on standard error.
func spawnMain() {
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv("CASEVAULT_SPAWN_ARGS")), &args); err != nil || len(args) == 0 {
		fmt.Fprintln(os.Stderr, "CASEVAULT_SPAWN_ARGS:", err)
		os.Exit(2)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin = os.Stdin
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n%s", err, out.String())
		os.Exit(1)
	}
	var maxrss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxrss = int64(ru.Maxrss)
	}
	json.NewEncoder(os.Stdout).Encode(spawnResult{WallNS: d.Nanoseconds(), MaxRSSKiB: maxrss})
	os.Exit(0)
}

func init() {
	if os.Getenv("CASEVAULT_TEST_HELPER") == "spawn" {
		spawnMain()
	}
}

var benchPass = []byte("correct horse battery staple, benchmark edition")

// buildBenchVault makes the data set of make bench (app/internal/benchreport):
// n invented clients, each with a 1–2 KB note and one matter with an
// adverse party, a related party and opposing counsel, loaded through the
// store in transactions of 500 and closed (one checkpoint).
func buildBenchVault(t *testing.T, dir string, n int, kdf app.KDFParams) {
	t.Helper()
	ctx := context.Background()
	if _, err := app.Init(ctx, dir, benchPass, app.InitOptions{KDF: kdf, Actor: "bench"}); err != nil {
		t.Fatal(err)
	}
	if err := app.ConfirmInit(dir); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(dir, vault.Passphrase(benchPass))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	r := mrand.New(mrand.NewPCG(uint64(n), 7))
	word := func(lo, hi int) string {
		syl := []string{"ka", "lo", "mi", "ren", "sto", "bar", "an", "el", "vi", "dor", "tha", "quin", "mar", "sel", "ru", "ne",
			"fa", "gol", "ber", "tin", "os", "ca", "lin", "dre", "po", "shi", "val", "mon", "te", "zu", "gra", "hal"}
		var b strings.Builder
		for range lo + r.IntN(hi-lo+1) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		w := b.String()
		return strings.ToUpper(w[:1]) + w[1:]
	}
	person := func() string { return word(2, 3) + " " + word(2, 4) }
	now := time.Now()
	for i := 0; i < n; i += 500 {
		err := st.Update(ctx, func(tx *store.Tx) error {
			for j := i; j < min(i+500, n); j++ {
				name := person()
				var note strings.Builder
				for target := 1024 + r.IntN(1025); note.Len() < target; {
					note.WriteString(strings.ToLower(word(1, 3)) + " ")
				}
				c := &store.Client{Name: name, Email: fmt.Sprintf("client%d@example.com", j), Phone: fmt.Sprintf("+1 555 %03d %04d", r.IntN(1000), r.IntN(10000)),
					Address: fmt.Sprintf("%d %s Street, %s", 1+r.IntN(999), word(2, 3), word(2, 3)), Notes: strings.TrimSpace(note.String())}
				id, err := tx.InsertClient(c, now)
				if err != nil {
					return err
				}
				m := &store.Matter{ClientID: id, Title: strings.Fields(name)[1] + " v. " + person(), PracticeArea: "family",
					Parties: []store.Party{{Role: store.RoleAdverse, Name: person()}, {Role: store.RoleRelated, Name: person()},
						{Role: store.RoleOpposingCounsel, Name: person() + ", " + word(2, 3) + " LLP"}}}
				if _, err := tx.InsertMatter(m, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			st.Close(ctx)
			t.Fatal(err)
		}
	}
	if err := st.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// searchName is the surname of a client in the middle of the vault. It
// reads a copy: opening the vault with this tree's code may upgrade its
// format, which an older binary measured beside it could not open.
func searchName(t *testing.T, base string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "names")
	copyTree(t, base, dir)
	s, err := app.Open(context.Background(), dir, app.Passphrase(benchPass), app.Options{Actor: "bench"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	cs, err := s.ListClients(context.Background(), store.ClientOrder(0))
	if err != nil || len(cs) == 0 {
		t.Fatalf("no clients to search for: %v", err)
	}
	f := strings.Fields(cs[len(cs)/2].Name)
	return f[len(f)-1]
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func logBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(filepath.Join(dir, vault.LogDir), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func envInt(t *testing.T, k string, def int) int {
	if v := os.Getenv(k); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive number", k, v)
		}
		return n
	}
	return def
}

func envStr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
