// Command benchreport measures casevault for `make bench` and prints a
// table: unlock at the default and the test KDF parameters, a durable client
// edit at several vault sizes, search and conflict check at the largest size,
// vault size on disk and peak memory, and a peer row for SQLCipher measured
// in the same run. It then checks the targets of issue 2 and writes the same
// as bench-out/bench.md. Then come the backup measurements, beside restic
// (backup.go), those of issue 9 (issue9.go: unlock-to-usable,
// memory, checkpoint, years of audit, CLI commands, whole-command backups
// at the default key derivation), and last those of issue 10 (people.go:
// unlock per user, the cost of security classes on lists and search, key
// rotation), of issue 11 (daily.go: search over 10,000 clients and
// 30,000 parties, the conflict check history of 5,000 checks) and of
// issue 12 (intake.go: 1,000 sealed submissions imported at unlock, the
// review queue opening with them, the intake server's own benchmarks) and
// of issue 13 (docs.go: documents added, versioned, opened and backed up,
// beside restic on the same files).
//
//	go run ./app/internal/benchreport               # full run (about 15 minutes)
//	go run ./app/internal/benchreport -quick        # smoke test, small sizes (bench-out/bench-quick.md)
//	go run ./app/internal/benchreport -only backup  # the backups alone (bench-out/bench-backup.md)
//	go run ./app/internal/benchreport -only audit,cli -window-wait 10s
//	                                                # some sections (bench-out/bench-only.md): backup, peer,
//	                                                # open, memory, checkpoint, audit, cli, fair,
//	                                                # people (issue 10: people.go), daily (issue 11: daily.go),
//	                                                # intake (issue 12: intake.go), docs (issue 13: docs.go;
//	                                                # -docs-size 1GiB for the full size)
//
// Each vault size is built by one child process and measured by another (the
// program re-runs itself with -child), so peak memory is that process's own
// (VmHWM). All data lives in a temporary folder that is removed at the end.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"casevault/store"
	"casevault/vault"
)

type config struct {
	quick        bool
	sizes        []int
	samples      int
	qsamples     int
	unlockN      int
	unlockTestN  int
	seed         uint64
	out          string
	profile      string
	sqlcipher    string
	keep         bool
	peerEdits    int
	skipDefaults bool
	noPeer       bool
}

func main() {
	var (
		c        config
		sizes    string
		child    string
		dir      string
		n        int
		full     bool
		seed     uint64
		peerOnly bool
	)
	flag.BoolVar(&c.quick, "quick", false, "smoke test: small sizes and few samples")
	flag.StringVar(&sizes, "sizes", "", "comma-separated client counts (default 100,1000,10000; -quick: 100,300)")
	flag.IntVar(&c.samples, "samples", 0, "timed durable edits per size (default 200; -quick: 30)")
	flag.IntVar(&c.qsamples, "qsamples", 0, "timed searches and conflict checks (default 50; -quick: 10)")
	flag.IntVar(&c.unlockN, "unlock-n", 0, "unlocks at the default KDF parameters (default 5; -quick: 1)")
	flag.BoolVar(&c.skipDefaults, "skip-default-unlock", false, "do not calibrate and measure unlock at the default parameters")
	flag.Uint64Var(&seed, "seed", 1, "seed of the invented data set")
	flag.StringVar(&c.out, "out", "bench-out", "folder for bench.md")
	flag.StringVar(&c.profile, "profile", "", "write CPU profiles of the edit and conflict loops to this folder")
	flag.StringVar(&c.sqlcipher, "sqlcipher", "sqlcipher", "the SQLCipher shell")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary folder (its path is printed)")
	flag.BoolVar(&peerOnly, "peer-only", false, "measure only the SQLCipher peer")
	flag.BoolVar(&c.noPeer, "no-peer", false, "do not measure the SQLCipher peer")
	// Internal: the child processes.
	flag.StringVar(&child, "child", "", "internal: build or measure")
	flag.StringVar(&dir, "dir", "", "internal: vault folder")
	flag.IntVar(&n, "n", 0, "internal: clients")
	flag.BoolVar(&full, "full", false, "internal: also measure search, conflicts and checkpoint")
	flag.Parse()
	c.seed = seed

	if child != "" {
		os.Exit(runChild(child, measureOpts{dir: dir, n: n, samples: c.samples, qsamples: c.qsamples, seed: seed, full: full, profileDir: c.profile}))
	}

	def := func(p *int, normal, quick int) {
		if *p <= 0 {
			*p = normal
			if c.quick {
				*p = quick
			}
		}
	}
	def(&c.samples, 200, 30)
	def(&c.qsamples, 50, 10)
	def(&c.unlockN, 5, 1)
	c.unlockTestN = 20
	if c.quick {
		c.unlockTestN = 5
	}
	c.peerEdits = max(200, c.samples*2)
	if c.quick {
		c.peerEdits = 40
	}
	if sizes == "" {
		sizes = "100,1000,10000"
		if c.quick {
			sizes = "100,300"
		}
	}
	for _, f := range strings.Split(sizes, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			fatalf("-sizes: %q is not a positive number", f)
		}
		c.sizes = append(c.sizes, v)
	}
	slices.Sort(c.sizes)
	c.sizes = slices.Compact(c.sizes)
	if c.profile != "" {
		if err := os.MkdirAll(c.profile, 0o755); err != nil {
			fatalf("%v", err)
		}
		if abs, err := filepath.Abs(c.profile); err == nil {
			c.profile = abs
		}
	}
	if *onlyFlag != "" {
		only := map[string]bool{}
		for _, f := range strings.Split(*onlyFlag, ",") {
			f = strings.TrimSpace(f)
			if f != "backup" && f != "peer" && f != "people" && f != "daily" && f != "intake" && f != "docs" && !slices.Contains(i9Sections, f) {
				fatalf("-only: %q is not a section (backup, peer, people, daily, intake, docs, %s)", f, strings.Join(i9Sections, ", "))
			}
			only[f] = true
		}
		if len(only) == 1 && only["backup"] {
			if err := runBackupOnly(c); err != nil {
				fatalf("%v", err)
			}
			return
		}
		if err := runOnly(c, only); err != nil {
			fatalf("%v", err)
		}
		return
	}
	if err := run(c, peerOnly); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "benchreport: "+format+"\n", a...)
	os.Exit(1)
}

func progress(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}

// runChild runs one child job and prints its result as JSON on stdout.
func runChild(kind string, o measureOpts) int {
	var res any
	var err error
	switch kind {
	case "build":
		res, err = childBuild(o.dir, o.n, o.seed)
	case "measure":
		res, err = childMeasure(o)
	case "calibrate":
		res, err = childCalibrate(o.dir)
	case "unlock":
		res, err = childUnlock(o.dir)
	default:
		var ok bool
		if res, ok, err = runBackupChild(kind, o); !ok {
			if res, ok, err = runI9Child(kind, o); !ok {
				if res, ok, err = runDocsChild(kind, o); !ok {
					err = fmt.Errorf("unknown child %q", kind)
				}
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport child:", err)
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport child:", err)
		return 1
	}
	return 0
}

// running is the child process of the moment, killed on an interrupt.
var running struct {
	sync.Mutex
	p  *os.Process
	bg []*os.Process // children that run beside the others (the window-like ones)
}

// spawn runs this program as a child and decodes its JSON result.
func spawn(c config, out any, args ...string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args = append(args, "-seed", strconv.FormatUint(c.seed, 10), "-samples", strconv.Itoa(c.samples), "-qsamples", strconv.Itoa(c.qsamples))
	if c.profile != "" {
		args = append(args, "-profile", c.profile)
	}
	b, err := runCmd(exec.Command(exe, args...))
	if err != nil {
		return fmt.Errorf("child %v: %w", args, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("child %v: %w", args, err)
	}
	return nil
}

// runCmd runs cmd (registered in running) and returns its standard output;
// its standard error goes to ours.
func runCmd(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	running.Lock()
	err := cmd.Start()
	if err == nil {
		running.p = cmd.Process
	}
	running.Unlock()
	if err != nil {
		return nil, err
	}
	err = cmd.Wait()
	running.Lock()
	running.p = nil
	running.Unlock()
	return out.Bytes(), err
}

type unlockResult struct {
	params   vault.KDFParams
	fresh    samples // one unlock per fresh child process, as a CLI command or a new window does
	warm     samples // repeated unlocks in one process (its heap already holds the Argon2 memory)
	calibSec float64
}

type calibrateResult struct {
	Params vault.KDFParams `json:"params"`
	Sec    float64         `json:"sec"`
}

// childCalibrate calibrates as "casevault init" does, in a fresh process,
// and creates a vault in dir with the result.
func childCalibrate(dir string) (*calibrateResult, error) {
	r := &calibrateResult{}
	var err error
	r.Sec, err = timeIt(func() error {
		r.Params, err = vault.Calibrate(context.Background(), vault.DefaultCalibrateFor, vault.DefaultMemoryKiB)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, createVault(dir, r.Params)
}

func createVault(dir string, params vault.KDFParams) error {
	v, _, err := vault.Create(dir, benchPass, vault.CreateOptions{KDF: params})
	if err != nil {
		return err
	}
	return v.Close()
}

func openClose(dir string) (float64, error) {
	return timeIt(func() error {
		v, err := vault.Open(dir, vault.Passphrase(benchPass))
		if err != nil {
			return err
		}
		return v.Close()
	})
}

// childUnlock times one vault.Open + Close in this fresh process.
func childUnlock(dir string) (float64, error) { return openClose(dir) }

// measureUnlock times n unlocks, each in a fresh child process (process
// start not counted), then warm more in this process.
func measureUnlock(c config, dir string, params vault.KDFParams, n, warm int) (*unlockResult, error) {
	r := &unlockResult{params: params}
	for range n {
		var d float64
		if err := spawn(c, &d, "-child", "unlock", "-dir", dir); err != nil {
			return nil, err
		}
		r.fresh = append(r.fresh, d)
	}
	for range warm {
		d, err := openClose(dir)
		if err != nil {
			return nil, err
		}
		r.warm = append(r.warm, d)
	}
	return r, nil
}

type sizeRun struct {
	n     int
	build buildResult
	m     measureResult
}

type results struct {
	cfg         config
	started     time.Time
	elapsed     time.Duration
	unlockTest  *unlockResult
	unlockDef   *unlockResult
	unlockDefEr string
	sizes       []*sizeRun
	peer        []*peerResult
	peerErr     string
	parentHWM   int64 // KiB, the parent's peak before it started the SQLCipher shells
	loadStart   string
	loadEnd     string
	window      []row
	windowErr   string
	backup      *bkResults
	i9          *i9Results
	people      *peopleResults
	daily       *dailyResults
	intake      *intakeResults
	docs        *docsResults
}

func run(c config, peerOnly bool) error {
	res := &results{cfg: c, started: time.Now(), loadStart: loadavg()}
	tmp, err := os.MkdirTemp("", "casevault-bench-")
	if err != nil {
		return err
	}
	if c.keep {
		progress("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
		// An interrupted run removes its data too.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		go func() {
			<-sig
			killRunning()
			os.RemoveAll(tmp)
			os.Exit(130)
		}()
	}
	if !peerOnly {
		maxN := c.sizes[len(c.sizes)-1]
		for _, n := range c.sizes {
			sr := &sizeRun{n: n}
			dir := filepath.Join(tmp, fmt.Sprintf("vault-%d", n))
			progress("building a vault of %s clients", fmtCount(n))
			if err := spawn(c, &sr.build, "-child", "build", "-dir", dir, "-n", strconv.Itoa(n)); err != nil {
				return err
			}
			progress("  built in %s, %s on disk; measuring", fmtDur(sr.build.BuildSec), fmtBytes(sr.build.Size))
			args := []string{"-child", "measure", "-dir", dir, "-n", strconv.Itoa(n)}
			if n == maxN {
				args = append(args, "-full")
			}
			if err := spawn(c, &sr.m, args...); err != nil {
				return err
			}
			progress("  durable edit median %s", fmtDur(sr.m.Edit.median()))
			res.sizes = append(res.sizes, sr)
			os.RemoveAll(dir)
		}
	}

	res.parentHWM = vmHWM()
	bin, err := exec.LookPath(c.sqlcipher)
	if c.noPeer {
		res.peerErr = "skipped (-no-peer)"
	} else if err != nil {
		res.peerErr = fmt.Sprintf("%s not found (%v); install the Debian package sqlcipher", c.sqlcipher, errors.Unwrap(err))
	} else {
		for _, n := range c.sizes {
			progress("SQLCipher peer at %s clients", fmtCount(n))
			p, err := runPeer(bin, tmp, n, c.peerEdits, c.seed)
			if err != nil {
				res.peerErr = err.Error()
				res.peer = nil
				break
			}
			res.peer = append(res.peer, p)
			for _, f := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(filepath.Join(tmp, fmt.Sprintf("peer-%d.db%s", n, f)))
			}
		}
	}
	// Unlock last: Argon2id at the defaults makes this process's resident
	// set grow by hundreds of MiB, which the SQLCipher shells' Maxrss would
	// otherwise inherit.
	if !peerOnly {
		progress("unlock at the test parameters (%s), %d times", testKDF, c.unlockTestN)
		dir := filepath.Join(tmp, "unlock-test")
		if err := createVault(dir, testKDF); err != nil {
			return err
		}
		if res.unlockTest, err = measureUnlock(c, dir, testKDF, c.unlockTestN, 0); err != nil {
			return fmt.Errorf("unlock at test parameters: %w", err)
		}
		if !c.skipDefaults {
			progress("calibrating Argon2id to 1 s with %d MiB (in a fresh process, as casevault init)", vault.DefaultMemoryKiB/1024)
			dir := filepath.Join(tmp, "unlock-default")
			var cal calibrateResult
			if err := spawn(c, &cal, "-child", "calibrate", "-dir", dir); err != nil {
				return fmt.Errorf("calibrate: %w", err)
			}
			progress("unlock at the defaults (%s), %d times", cal.Params, c.unlockN)
			if res.unlockDef, err = measureUnlock(c, dir, cal.Params, c.unlockN, c.unlockN); err != nil {
				return fmt.Errorf("unlock at default parameters: %w", err)
			}
			res.unlockDef.calibSec = cal.Sec
		}
	}
	if !peerOnly && !c.quick {
		progress("the window over 10,000 clients (ui benchmarks)")
		if res.window, err = windowBench(5); err != nil {
			res.windowErr = err.Error()
		}
	}
	large := map[int]string{}
	if !peerOnly && !*noBackup {
		res.backup = backupSection(c, tmp, i9Keep(c, tmp, large))
	}
	if !peerOnly && !*noI9 {
		all := map[string]bool{}
		for _, s := range i9Sections {
			all[s] = true
		}
		var params *vault.KDFParams
		if res.unlockDef != nil {
			params = &res.unlockDef.params
		}
		res.i9 = i9Section(c, tmp, all, params, large)
	}
	if !peerOnly {
		res.people = peopleSection(c, tmp)
		res.daily = dailySection(c, tmp)
		res.intake = intakeSection(c, tmp)
		res.docs = docsSection(c, tmp)
	}
	res.loadEnd = loadavg()
	res.elapsed = time.Since(res.started)

	rows, checks := report(res)
	text := renderText(res, rows, checks)
	md := renderMarkdown(res, rows, checks)
	if res.backup != nil {
		text += "\n" + renderBackupText(res.backup)
		md += renderBackupMarkdown(res.backup)
	}
	if res.i9 != nil {
		text += "\n" + renderI9Text(res.i9)
		md += renderI9Markdown(res.i9)
	}
	if res.people != nil {
		text += "\n" + renderPeopleText(res.people)
		md += renderPeopleMarkdown(res.people)
	}
	if res.daily != nil {
		text += "\n" + renderDailyText(res.daily)
		md += renderDailyMarkdown(res.daily)
	}
	if res.intake != nil {
		text += "\n" + renderIntakeText(res.intake)
		md += renderIntakeMarkdown(res.intake)
	}
	if res.docs != nil {
		text += "\n" + renderDocsText(res.docs)
		md += renderDocsMarkdown(res.docs)
	}
	fmt.Print(text)
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	name := "bench.md"
	if c.quick {
		name = "bench-quick.md" // a smoke test does not replace the full report
	}
	if err := os.WriteFile(filepath.Join(c.out, name), []byte(md), 0o644); err != nil {
		return err
	}
	progress("wrote %s", filepath.Join(c.out, name))
	return nil
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// storeCheckpointBytes is the automatic checkpoint threshold in force.
var storeCheckpointBytes = float64(store.DefaultCheckpointBytes)

// benchTmp makes the temporary folder of a run; done removes it (unless
// -keep), as an interrupt does too, after killing the child of the moment.
func benchTmp(c config) (tmp string, done func(), err error) {
	tmp, err = os.MkdirTemp("", "casevault-bench-")
	if err != nil {
		return "", nil, err
	}
	if c.keep {
		progress("keeping %s", tmp)
		return tmp, func() {}, nil
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		killRunning()
		os.RemoveAll(tmp)
		os.Exit(130)
	}()
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// killRunning kills the child of the moment and the background ones.
func killRunning() {
	running.Lock()
	defer running.Unlock()
	for _, p := range append([]*os.Process{running.p}, running.bg...) {
		if p != nil {
			p.Kill()
			p.Wait()
		}
	}
}

// runOnly runs the sections named in only (-only), prints them and writes
// bench-only.md.
func runOnly(c config, only map[string]bool) error {
	tmp, done, err := benchTmp(c)
	if err != nil {
		return err
	}
	defer done()
	res := &results{cfg: c, started: time.Now(), loadStart: loadavg()}
	large := map[int]string{}
	if only["backup"] {
		res.backup = backupSection(c, tmp, i9Keep(c, tmp, large))
	}
	if only["peer"] {
		bin, err := exec.LookPath(c.sqlcipher)
		if err != nil {
			res.peerErr = fmt.Sprintf("%s not found (%v)", c.sqlcipher, errors.Unwrap(err))
		}
		for _, n := range c.sizes {
			if err != nil {
				break
			}
			progress("SQLCipher peer at %s clients", fmtCount(n))
			p, perr := runPeer(bin, tmp, n, c.peerEdits, c.seed)
			if perr != nil {
				res.peerErr, res.peer = perr.Error(), nil
				break
			}
			res.peer = append(res.peer, p)
		}
	}
	sections := map[string]bool{}
	for _, s := range i9Sections {
		if only[s] {
			sections[s] = true
		}
	}
	if len(sections) > 0 {
		res.i9 = i9Section(c, tmp, sections, nil, large)
	}
	if only["people"] {
		res.people = peopleSection(c, tmp)
	}
	if only["daily"] {
		res.daily = dailySection(c, tmp)
	}
	if only["intake"] {
		res.intake = intakeSection(c, tmp)
	}
	if only["docs"] {
		res.docs = docsSection(c, tmp)
	}
	res.loadEnd = loadavg()
	res.elapsed = time.Since(res.started)
	var text, md string
	if only["peer"] {
		rows, checks := report(res)
		text, md = renderText(res, rows, checks), renderMarkdown(res, rows, checks)
	} else {
		text = header(res) + "\n"
		md = "# casevault benchmark\n\n" + header(res) + "\n"
	}
	if res.backup != nil {
		text += "\n" + renderBackupText(res.backup)
		md += renderBackupMarkdown(res.backup)
	}
	if res.i9 != nil {
		text += "\n" + renderI9Text(res.i9)
		md += renderI9Markdown(res.i9)
	}
	if res.people != nil {
		text += "\n" + renderPeopleText(res.people)
		md += renderPeopleMarkdown(res.people)
	}
	if res.daily != nil {
		text += "\n" + renderDailyText(res.daily)
		md += renderDailyMarkdown(res.daily)
	}
	if res.intake != nil {
		text += "\n" + renderIntakeText(res.intake)
		md += renderIntakeMarkdown(res.intake)
	}
	if res.docs != nil {
		text += "\n" + renderDocsText(res.docs)
		md += renderDocsMarkdown(res.docs)
	}
	fmt.Print(text)
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	name := "bench-only.md"
	if c.quick {
		name = "bench-only-quick.md"
	}
	if err := os.WriteFile(filepath.Join(c.out, name), []byte(md), 0o644); err != nil {
		return err
	}
	progress("wrote %s", filepath.Join(c.out, name))
	return nil
}
