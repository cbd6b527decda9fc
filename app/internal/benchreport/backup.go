package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"casevault/app"
)

// Backup measurements: casevault's backups beside restic's of the same vault
// folder, both repositories in the same temporary folder on the same disk.
// For each size (default 10,000 and 50,000 clients), the vault is built once
// by the build child, then:
//
//  1. first backup to new repositories, runs times: casevault in the open
//     session (Session.Backup with the vault unlocked and loaded, the
//     window's path on lock and on its interval) and `restic backup VAULT`
//     (after an untimed `restic init`), taking turns to go first;
//  2. incremental backup after one client edit (Session.EditClient in the
//     same session), incr times, restic backing up the same folder state
//     just before casevault;
//  3. first backup by a whole process, as a CLI command would do it
//     (app.Open + Session.Backup + Session.Close), slow times;
//  4. incremental backup after an edit in a session that locked the vault
//     (the CLI path: the lock checkpoints the edit), then restic and a
//     casevault process, slow times;
//  5. full restore of the latest snapshot into a new folder, runs times: a
//     casevault process (app.OpenBackups with the passphrase +
//     Backups.Restore) and `restic restore latest --target NEW`;
//  6. restore drill (Backups.Drill) in a process, slow times, casevault only.
//
// Time: the median, with the range. Bytes written: the repository folder's
// growth (for a restore, the restored folder). Peak memory: each process's
// rusage Maxrss; the in-app backups run in one long-lived session process
// whose VmHWM is reset (/proc/self/clear_refs) just before each backup.
// Because Go starts children with a vfork-style clone, a child's Maxrss
// starts at the parent's own peak, so the parent resets its peak too and
// records its resident set at each spawn (the floor below which Maxrss
// says nothing).

type bkConfig struct {
	sizes     []int
	runs      int
	incr      int
	slow      int    // 0: slowRuns decides
	restic    string // path; "" when restic is not measured
	resticErr string
}

// bkOp is one measured operation.
type bkOp struct {
	Sec      float64 // wall clock: the whole process from the parent, or the in-app call from the child
	Written  int64   // bytes: repository growth, or the restored folder
	PeakKiB  int64   // rusage Maxrss, or the in-app VmHWM since the reset
	FloorKiB int64   // the parent's VmRSS at spawn (0: not a process of its own)
	User     float64 // CPU seconds in user mode (the process, or the in-app call)
	Sys      float64 // CPU seconds in the kernel
	Child    bkChild // what a casevault child reported
}

type bkOps []bkOp

func (o bkOps) med(f func(*bkOp) float64) float64 {
	s := make(samples, len(o))
	for i := range o {
		s[i] = f(&o[i])
	}
	return s.median()
}

func (o bkOps) time() float64    { return o.med(func(p *bkOp) float64 { return p.Sec }) }
func (o bkOps) written() float64 { return o.med(func(p *bkOp) float64 { return float64(p.Written) }) }

// peak is the highest peak of the runs; "≤" when rusage could not tell it
// from the parent's resident set and the child did not report its own.
func (o bkOps) peak() string {
	var hi int64
	bound := false
	for _, p := range o {
		v := p.PeakKiB
		if p.FloorKiB > 0 && v <= p.FloorKiB+1024 {
			if p.Child.PeakKiB > 0 {
				v = p.Child.PeakKiB
			} else {
				bound = true
			}
		}
		hi = max(hi, v)
	}
	if len(o) == 0 {
		return "-"
	}
	if bound {
		return "≤ " + fmtBytes(hi*1024)
	}
	return fmtBytes(hi * 1024)
}

type bkSize struct {
	N           int
	Build       buildResult
	VaultBytes  int64
	VaultFiles  int
	SessionOpen float64

	FirstApp, FirstProc, FirstRestic bkOps
	IncrApp, IncrRestic              bkOps // in the open session
	IncrProc, IncrProcRestic         bkOps // after an edit in a session that locked
	ResticOpen                       bkOps // restic cat config
	RestoreCV, RestoreRestic         bkOps
	Drill                            bkOps
	ScryptParams                     []string
}

type bkResults struct {
	cfg       bkConfig
	sizes     []*bkSize
	err       string
	version   string // restic version
	fsNote    string
	tmp       string
	loadStart string
	loadEnd   string
	started   time.Time
	elapsed   time.Duration
}

// slowRuns is the number of the slow rows at n clients (process first
// backups, CLI-path incrementals, drills): each costs an unlock and a load
// of the whole vault, about 10 s at 50,000 clients.
func (bc bkConfig) slowRuns(n int) int {
	switch {
	case bc.slow > 0:
		return bc.slow
	case n > 10000:
		return 1
	}
	return 3
}

// parseBackupConfig reads the backup flags.
func parseBackupConfig(c config) (bkConfig, error) {
	bc := bkConfig{runs: *backupRunsF, incr: *backupIncrF, slow: *backupSlowF}
	if c.quick && bc.slow <= 0 {
		bc.slow = 1
	}
	sizes := *backupSizesF
	if sizes == "" {
		sizes = "10000,50000"
		if c.quick {
			sizes = "300"
		}
	}
	for _, f := range strings.Split(sizes, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return bc, fmt.Errorf("-backup-sizes: %q is not a positive number", f)
		}
		bc.sizes = append(bc.sizes, v)
	}
	slices.Sort(bc.sizes)
	bc.sizes = slices.Compact(bc.sizes)
	if bc.runs <= 0 {
		bc.runs = 3
		if c.quick {
			bc.runs = 2
		}
	}
	if bc.incr <= 0 {
		bc.incr = 5
		if c.quick {
			bc.incr = 2
		}
	}
	if *resticFlag == "" {
		bc.resticErr = "not measured (-restic \"\")"
	} else if p, err := exec.LookPath(*resticFlag); err != nil {
		bc.resticErr = fmt.Sprintf("%s not found; install the Debian package restic (make deps)", *resticFlag)
	} else {
		bc.restic = p
	}
	return bc, nil
}

// procKiB reads a "Vm...:" line of /proc/self/status in KiB (0 if unknown).
func procKiB(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// resetPeak sets this process's peak resident set (VmHWM) to its current
// one and returns that, in KiB. free first returns freed heap to the system.
func resetPeak(free bool) int64 {
	if free {
		debug.FreeOSMemory()
	}
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return procKiB("VmRSS:")
}

// measureCmd runs cmd (timed from start to exit) with this process's peak
// reset first, and returns its standard output.
func measureCmd(cmd *exec.Cmd) (bkOp, []byte, error) {
	op := bkOp{FloorKiB: resetPeak(true)}
	start := time.Now()
	out, err := runCmd(cmd)
	op.Sec = time.Since(start).Seconds()
	if ps := cmd.ProcessState; ps != nil {
		op.User, op.Sys = ps.UserTime().Seconds(), ps.SystemTime().Seconds()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			op.PeakKiB = ru.Maxrss
		}
	}
	return op, out, err
}

type bkRunner struct {
	c   config
	bc  bkConfig
	exe string
	env []string // restic's environment, without the cache folder
	// built, if set, is called with each vault built, before its
	// measurements (the issue-9 rows copy the large ones).
	built func(n int, vdir string)
}

func newBkRunner(c config, bc bkConfig) (*bkRunner, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b := &bkRunner{c: c, bc: bc, exe: exe}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "RESTIC_") {
			b.env = append(b.env, e)
		}
	}
	b.env = append(b.env, "RESTIC_PASSWORD="+string(benchPass))
	return b, nil
}

func (b *bkRunner) childArgs(args ...string) []string {
	args = append(args, "-seed", strconv.FormatUint(b.c.seed, 10))
	if b.c.profile != "" {
		args = append(args, "-profile", b.c.profile)
	}
	return args
}

// spawn runs a casevault child and decodes its report.
func (b *bkRunner) spawn(args ...string) (bkOp, error) {
	args = b.childArgs(args...)
	op, out, err := measureCmd(exec.Command(b.exe, args...))
	if err != nil {
		return op, fmt.Errorf("child %v: %w", args, err)
	}
	if err := json.Unmarshal(out, &op.Child); err != nil {
		return op, fmt.Errorf("child %v: %w", args, err)
	}
	return op, nil
}

// backupProcess runs app.Open + Session.Backup + Session.Close in a child.
func (b *bkRunner) backupProcess(vdir, repo string, n int, label string) (bkOp, error) {
	before := dirSize(repo)
	op, err := b.spawn("-child", "bk-process", "-dir", vdir, "-repo", repo, "-n", strconv.Itoa(n), "-label", label)
	op.Written = dirSize(repo) - before
	return op, err
}

func (b *bkRunner) restic(repo, cache string, args ...string) *exec.Cmd {
	cmd := exec.Command(b.bc.restic, append([]string{"-r", repo}, args...)...)
	cmd.Env = append(slices.Clip(b.env), "RESTIC_CACHE_DIR="+cache)
	return cmd
}

func (b *bkRunner) resticRun(what string, cmd *exec.Cmd) (bkOp, error) {
	var stderr strings.Builder
	cmd.Stderr = &stderr
	op, _, err := measureCmd(cmd)
	if err != nil {
		return op, fmt.Errorf("restic %s: %v: %s", what, err, strings.TrimSpace(stderr.String()))
	}
	return op, nil
}

// resticInit sets up a repository (not timed) and returns its scrypt parameters.
func (b *bkRunner) resticInit(repo, cache string) (string, error) {
	if _, err := b.resticRun("init", b.restic(repo, cache, "init", "-q")); err != nil {
		return "", err
	}
	keys, _ := filepath.Glob(filepath.Join(repo, "keys", "*"))
	if len(keys) == 0 {
		return "?", nil
	}
	var k struct {
		KDF     string `json:"kdf"`
		N, R, P int
	}
	raw, err := os.ReadFile(keys[0])
	if err != nil || json.Unmarshal(raw, &k) != nil {
		return "?", nil
	}
	return fmt.Sprintf("%s N=%d r=%d p=%d", k.KDF, k.N, k.R, k.P), nil
}

func (b *bkRunner) resticBackup(repo, cache, vdir string) (bkOp, error) {
	before := dirSize(repo)
	op, err := b.resticRun("backup", b.restic(repo, cache, "backup", "-q", vdir))
	op.Written = dirSize(repo) - before
	return op, err
}

func (b *bkRunner) resticRestore(repo, cache, to string) (bkOp, error) {
	op, err := b.resticRun("restore", b.restic(repo, cache, "restore", "latest", "-q", "--target", to))
	op.Written = dirSize(to)
	return op, err
}

// bkSession is the long-lived child that plays the window (childBackupSession).
type bkSession struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func (b *bkRunner) startSession(vdir string, n int) (*bkSession, bkChild, error) {
	var first bkChild
	cmd := exec.Command(b.exe, b.childArgs("-child", "bk-session", "-dir", vdir, "-n", strconv.Itoa(n))...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, first, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, first, err
	}
	if err := cmd.Start(); err != nil {
		return nil, first, err
	}
	s := &bkSession{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	if err := s.read(&first); err != nil {
		s.kill()
		return nil, first, err
	}
	return s, first, nil
}

func (s *bkSession) read(r *bkChild) error {
	if !s.out.Scan() {
		err := s.out.Err()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("the session child stopped: %w", err)
	}
	return json.Unmarshal(s.out.Bytes(), r)
}

func (s *bkSession) do(line string) (bkChild, error) {
	var r bkChild
	if _, err := fmt.Fprintln(s.in, line); err != nil {
		return r, fmt.Errorf("the session child stopped: %w", err)
	}
	err := s.read(&r)
	return r, err
}

// backup runs one in-app backup; the time is the child's, around the call.
func (s *bkSession) backup(repo, label string) (bkOp, error) {
	before := dirSize(repo)
	r, err := s.do("backup\t" + repo + "\t" + label)
	return bkOp{Sec: r.Sec, Written: dirSize(repo) - before, PeakKiB: r.PeakKiB, User: r.User, Sys: r.Sys, Child: r}, err
}

// close locks the vault (Session.Close) and waits for the child to exit.
func (s *bkSession) close() error {
	_, err := s.do("close")
	s.in.Close()
	if werr := s.cmd.Wait(); err == nil && werr != nil {
		err = fmt.Errorf("the session child: %w", werr)
	}
	return err
}

func (s *bkSession) kill() {
	s.in.Close()
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// measureSize runs the four measurements at n clients in tmp/backup-n.
func (b *bkRunner) measureSize(tmp string, n int) (r *bkSize, err error) {
	r = &bkSize{N: n}
	base := filepath.Join(tmp, fmt.Sprintf("backup-%d", n))
	defer os.RemoveAll(base)
	path := func(name string, i int) string { return filepath.Join(base, fmt.Sprintf("%s-%d", name, i)) }
	vdir := filepath.Join(base, "vault")
	hasRestic := b.bc.restic != ""
	runs, slow, nArg := b.bc.runs, b.bc.slowRuns(n), strconv.Itoa(n)

	progress("backups: building a vault of %s clients", fmtCount(n))
	if err := spawn(b.c, &r.Build, "-child", "build", "-dir", vdir, "-n", nArg); err != nil {
		return nil, err
	}
	r.VaultBytes, r.VaultFiles = dirSize(vdir), len(listFiles(vdir))
	progress("  built in %s: %s in %d files", fmtDur(r.Build.BuildSec), fmtBytes(r.VaultBytes), r.VaultFiles)
	if b.built != nil {
		b.built(n, vdir)
	}

	var s *bkSession
	defer func() {
		if s != nil {
			s.kill()
		}
	}()
	add := func(ops *bkOps, op bkOp, err error) error {
		if err == nil {
			*ops = append(*ops, op)
		}
		return err
	}
	// turns runs f and g, g first on even runs.
	turns := func(i int, f, g func() error) error {
		if i%2 == 0 {
			f, g = g, f
		}
		if err := f(); err != nil {
			return err
		}
		return g()
	}
	// The repositories of the last first-backup run carry on into the
	// incremental backups. Before each series both are brought up to the
	// vault's current state (not timed), so that each timed backup has the
	// same changes to save.
	rRepo, rCache := path("restic", runs), path("restic-cache", runs)
	cvRepo, cvpRepo := path("cv", runs), path("cvproc", slow)
	resticSync := func() error {
		if !hasRestic {
			return nil
		}
		_, err := b.resticBackup(rRepo, rCache, vdir)
		return err
	}

	// 1. First backups to fresh repositories, in the open session and by
	// restic, taking turns to go first.
	var first bkChild
	if s, first, err = b.startSession(vdir, n); err != nil {
		return nil, err
	}
	r.SessionOpen = first.OpenSec
	for i := 1; i <= runs; i++ {
		progress("  first backup %d/%d", i, runs)
		app := func() error {
			op, err := s.backup(path("cv", i), fmt.Sprintf("first-%d", i))
			return add(&r.FirstApp, op, err)
		}
		restic := func() error {
			if !hasRestic {
				return nil
			}
			kdf, err := b.resticInit(path("restic", i), path("restic-cache", i))
			if err != nil {
				return err
			}
			r.ScryptParams = append(r.ScryptParams, kdf)
			op, err := b.resticBackup(path("restic", i), path("restic-cache", i), vdir)
			return add(&r.FirstRestic, op, err)
		}
		if err := turns(i, app, restic); err != nil {
			return nil, err
		}
	}

	// 2. Incremental backups in the open session: one edit, then restic
	// (which only reads the folder) and the session's backup of that state.
	if err := resticSync(); err != nil {
		return nil, err
	}
	if _, err := s.backup(cvRepo, "sync"); err != nil {
		return nil, err
	}
	for j := 1; j <= b.bc.incr; j++ {
		progress("  incremental backup after one edit, in the open session, %d/%d", j, b.bc.incr)
		if _, err := s.do("edit"); err != nil {
			return nil, err
		}
		if hasRestic {
			op, err := b.resticBackup(rRepo, rCache, vdir)
			if err := add(&r.IncrRestic, op, err); err != nil {
				return nil, err
			}
		}
		op, err := s.backup(cvRepo, fmt.Sprintf("incr-%d", j))
		if err := add(&r.IncrApp, op, err); err != nil {
			return nil, err
		}
	}
	err = s.close()
	s = nil
	if err != nil {
		return nil, err
	}

	// 3. First backups by a whole process, as a CLI command; restic catches
	// up just before the last, whose repository carries on.
	for i := 1; i <= slow; i++ {
		progress("  first backup, casevault process, %d/%d", i, slow)
		if i == slow {
			if err := resticSync(); err != nil {
				return nil, err
			}
		}
		op, err := b.backupProcess(vdir, path("cvproc", i), n, fmt.Sprintf("first-%d", i))
		if err := add(&r.FirstProc, op, err); err != nil {
			return nil, err
		}
	}

	// 4. The CLI path: an edit in a session that locks (checkpoints) the
	// vault, then restic and a casevault backup process.
	for j := 1; j <= slow; j++ {
		progress("  incremental backup after a locked edit, process, %d/%d", j, slow)
		if _, err := b.spawn("-child", "bk-edit", "-dir", vdir, "-n", nArg, "-iter", strconv.Itoa(j)); err != nil {
			return nil, err
		}
		if hasRestic {
			op, err := b.resticBackup(rRepo, rCache, vdir)
			if err := add(&r.IncrProcRestic, op, err); err != nil {
				return nil, err
			}
		}
		op, err := b.backupProcess(vdir, cvpRepo, n, fmt.Sprintf("incr-%d", j))
		if err := add(&r.IncrProc, op, err); err != nil {
			return nil, err
		}
	}

	// restic's fixed cost in every command: start, scrypt, read the config.
	if hasRestic {
		for range runs {
			op, err := b.resticRun("cat config", b.restic(rRepo, rCache, "cat", "config"))
			if err := add(&r.ResticOpen, op, err); err != nil {
				return nil, err
			}
		}
	}

	// 5. Full restores of the latest snapshot, the same vault state in both
	// repositories, into new folders, taking turns to go first.
	for i := 1; i <= runs; i++ {
		progress("  restore %d/%d", i, runs)
		cvTo, rTo := path("restore-cv", i), path("restore-restic", i)
		cv := func() error {
			op, err := b.spawn("-child", "bk-restore", "-repo", cvpRepo, "-to", cvTo, "-n", nArg, "-label", strconv.Itoa(i))
			op.Written = dirSize(cvTo)
			return add(&r.RestoreCV, op, err)
		}
		restic := func() error {
			if !hasRestic {
				return nil
			}
			op, err := b.resticRestore(rRepo, rCache, rTo)
			return add(&r.RestoreRestic, op, err)
		}
		if err := turns(i, cv, restic); err != nil {
			return nil, err
		}
		os.RemoveAll(cvTo)
		os.RemoveAll(rTo)
	}

	// 6. Restore drills.
	for i := 1; i <= slow; i++ {
		progress("  drill %d/%d", i, slow)
		before := dirSize(cvpRepo)
		op, err := b.spawn("-child", "bk-drill", "-repo", cvpRepo, "-to", base, "-n", nArg, "-label", strconv.Itoa(i))
		op.Written = dirSize(cvpRepo) - before
		if err := add(&r.Drill, op, err); err != nil {
			return nil, err
		}
		if !op.Child.OK {
			return nil, fmt.Errorf("drill %d at %s clients did not pass", i, fmtCount(n))
		}
	}
	return r, nil
}

// fsName names the file system of dir (the common Linux ones).
func fsName(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "?"
	}
	switch uint32(st.Type) {
	case 0xEF53:
		return "ext4"
	case 0x01021994:
		return "tmpfs"
	case 0x58465342:
		return "xfs"
	case 0x9123683E:
		return "btrfs"
	case 0x794C7630:
		return "overlayfs"
	}
	return fmt.Sprintf("file system 0x%x", uint32(st.Type))
}

// backupSection runs the backup measurements in tmp.
func backupSection(c config, tmp string, built func(n int, vdir string)) *bkResults {
	res := &bkResults{started: time.Now(), loadStart: loadavg(), tmp: tmp}
	defer func() {
		res.loadEnd = loadavg()
		res.elapsed = time.Since(res.started)
	}()
	bc, err := parseBackupConfig(c)
	res.cfg = bc
	if err != nil {
		res.err = err.Error()
		return res
	}
	res.fsNote = fsName(tmp)
	if bc.restic != "" {
		out, err := exec.Command(bc.restic, "version").Output()
		if err != nil {
			res.cfg.restic, res.cfg.resticErr = "", fmt.Sprintf("%s version: %v", bc.restic, err)
		} else {
			res.version = strings.TrimSpace(string(out))
		}
	}
	b, err := newBkRunner(c, res.cfg)
	if err != nil {
		res.err = err.Error()
		return res
	}
	b.built = built
	for _, n := range bc.sizes {
		r, err := b.measureSize(tmp, n)
		if err != nil {
			res.err = fmt.Sprintf("at %s clients: %v", fmtCount(n), err)
			return res
		}
		res.sizes = append(res.sizes, r)
	}
	return res
}

// runBackupOnly is -only backup: the backup measurements alone, printed and
// written to bench-backup.md.
func runBackupOnly(c config) error {
	tmp, done, err := benchTmp(c)
	if err != nil {
		return err
	}
	defer done()
	res := backupSection(c, tmp, nil)
	host, _ := os.Hostname()
	head := fmt.Sprintf("casevault benchmark, backups only: %d CPUs (%s/%s, %s), host %s, %s",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), host, time.Now().Format("2006-01-02"))
	fmt.Print(head + "\n\n" + renderBackupText(res))
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	name := "bench-backup.md"
	if c.quick {
		name = "bench-backup-quick.md"
	}
	md := "# casevault benchmark\n\n" + head + "\n" + renderBackupMarkdown(res)
	if err := os.WriteFile(filepath.Join(c.out, name), []byte(md), 0o644); err != nil {
		return err
	}
	progress("wrote %s", filepath.Join(c.out, name))
	if res.err != "" {
		return fmt.Errorf("backups: %s", res.err)
	}
	return nil
}

// Rendering.

type bkRow struct {
	name, median, spread, runs, written, peak, cpu, notes string
}

func bkOpRow(name string, o bkOps, notes string) bkRow {
	if len(o) == 0 {
		return bkRow{name, "-", "-", "0", "-", "-", "-", notes}
	}
	t := make(samples, len(o))
	for i := range o {
		t[i] = o[i].Sec
	}
	c := t.sorted()
	cpu := fmt.Sprintf("%.2f + %.2f s", o.med(func(p *bkOp) float64 { return p.User }), o.med(func(p *bkOp) float64 { return p.Sys }))
	return bkRow{name, fmtDur(t.median()), fmtDur(c[0]) + " – " + fmtDur(c[len(c)-1]), strconv.Itoa(len(o)),
		fmtBytes(int64(o.written())), o.peak(), cpu, notes}
}

func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

func passIf(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func (r *bkResults) header() string {
	bc := r.cfg
	var b strings.Builder
	var slow []string
	for _, n := range bc.sizes {
		slow = append(slow, fmt.Sprintf("%d at %s", bc.slowRuns(n), fmtCount(n)))
	}
	fmt.Fprintf(&b, "Backups: sizes %v; per size %d first backups (each to new repositories) and %d restores, %d in-app incrementals; runs of the slow rows (process first backup, incremental after a locked edit, drill): %s; took %s; load average %s at the start, %s at the end.\n",
		bc.sizes, bc.runs, bc.runs, bc.incr, strings.Join(slow, ", "), r.elapsed.Round(time.Second), r.loadStart, r.loadEnd)
	if busy(r.loadStart) || busy(r.loadEnd) {
		b.WriteString("WARNING: the machine was busy with other work (load average above the CPU count): timings are inflated and noisy.\n")
	}
	fmt.Fprintf(&b, "Bench vaults: %s (benchreport's test KDF; every casevault unlock, of the vault or of a repository with the passphrase, pays it). ", testKDF)
	if bc.restic != "" {
		var kdf, carry []string
		for _, s := range r.sizes {
			kdf = append(kdf, s.ScryptParams...)
			if len(s.ScryptParams) > 0 {
				carry = append(carry, fmt.Sprintf("%s at %s", s.ScryptParams[len(s.ScryptParams)-1], fmtCount(s.N)))
			}
		}
		slices.Sort(kdf)
		fmt.Fprintf(&b, "%s; its repositories' keys: %s (calibrated by each restic init on this machine, aiming at 0.5 s; the repository that carries on into the incrementals and restores: %s), paid by every restic command; password in RESTIC_PASSWORD, one RESTIC_CACHE_DIR per repository (empty at the first backup, warm afterwards).\n",
			r.version, strings.Join(slices.Compact(kdf), ", "), strings.Join(carry, ", "))
	} else {
		fmt.Fprintf(&b, "restic: %s.\n", bc.resticErr)
	}
	fmt.Fprintf(&b, "Vaults, repositories, restore targets and restic's caches all in %s (%s, the same disk); the files just written are in the page cache for both programs (caches are not dropped). CPU user + sys: medians, of the whole process (rusage), or of the in-app call (getrusage of the session process around it, all its threads).\n", r.tmp, r.fsNote)
	if r.fsNote == "tmpfs" {
		b.WriteString("WARNING: the temporary folder is on tmpfs, not a disk: set TMPDIR to a folder on a disk.\n")
	}
	return b.String()
}

func (r *bkResults) rows() []bkRow {
	var rows []bkRow
	add := func(x ...bkRow) { rows = append(rows, x...) }
	for _, s := range r.sizes {
		n := fmtCount(s.N)
		med := func(o bkOps, f func(*bkOp) float64) string { return fmtDur(o.med(f)) }
		open := func(p *bkOp) float64 { return p.Child.OpenSec }
		work := func(p *bkOp) float64 { return p.Child.Sec }
		closeT := func(p *bkOp) float64 { return p.Child.CloseSec }
		base := func(o bkOps) string {
			var hi int64
			for _, p := range o {
				hi = max(hi, p.Child.BaseKiB)
			}
			return fmtBytes(hi * 1024)
		}
		add(bkRow{"vault, " + n + " clients", fmtDur(s.Build.BuildSec), "-", "1", fmtBytes(s.VaultBytes), fmtBytes(s.Build.VmHWM * 1024), "-",
			fmt.Sprintf("built once by benchreport's build child (app.Init + bulk load, then a checkpoint): time and peak of the build; written = the vault folder, %d files", s.VaultFiles)})
		add(bkOpRow("first backup, casevault in-app, "+n, s.FirstApp,
			fmt.Sprintf("Session.Backup to a new repository (set up in the call) with the vault unlocked and loaded, as the window does on lock or on its interval (opening it took %s, not timed); "+
				"time from the session's clock around the call; peak = the session's VmHWM during the backup, the loaded vault included (its resident set before: up to %s)", fmtDur(s.SessionOpen), base(s.FirstApp))))
		add(bkOpRow("first backup, casevault process, "+n, s.FirstProc,
			fmt.Sprintf("a new process, as a CLI command (app.Options.CommandLine): app.Open (Argon2id + load the checkpoint) %s + Session.Backup %s + Session.Close (its audit entry; a checkpoint only past %s of redo log) %s (medians); wall clock from the parent, process start included",
				med(s.FirstProc, open), med(s.FirstProc, work), fmtBytes(app.CommandLineCheckpointBytes), med(s.FirstProc, closeT))))
		add(bkOpRow("first backup, restic, "+n, s.FirstRestic,
			"restic backup VAULT to a new repository (restic init not timed), empty cache: scrypt, scan, chunking, zstd, encryption, packs (fsynced); wall clock, process start included"))
		add(bkOpRow("incremental backup, casevault in-app, "+n, s.IncrApp,
			fmt.Sprintf("one Session.EditClient (phone) in the open session, then Session.Backup to the same repository (the edit not timed); peak as above (resident set before: up to %s)", base(s.IncrApp))))
		add(bkOpRow("incremental backup, restic, "+n, s.IncrRestic,
			"restic backup of the same folder state (run just before casevault's backup, after the edit), parent snapshot found, warm cache: scans every file's metadata, rereads the changed ones"))
		add(bkOpRow("incremental after a locked edit, casevault process, "+n, s.IncrProc,
			fmt.Sprintf("one edit in a window-like session that then locked the vault (its checkpoint rewrote the changed chunks), then a new process as a CLI command (as above): app.Open %s + Session.Backup %s + Session.Close %s (medians)",
				med(s.IncrProc, open), med(s.IncrProc, work), med(s.IncrProc, closeT))))
		add(bkOpRow("incremental after a locked edit, restic, "+n, s.IncrProcRestic, "restic backup of the same folder state, just before casevault's"))
		add(bkOpRow("restic fixed cost per command, "+n, s.ResticOpen,
			"restic cat config: process start + scrypt + reading the config, paid by every restic command above"))
		add(bkOpRow("restore, casevault process, "+n, s.RestoreCV,
			fmt.Sprintf("a new process: app.OpenBackups with the passphrase (Argon2id over a key file) %s + Backups.Restore of the latest snapshot into a new folder %s (medians): every object authenticated, the files fsynced before the folder is renamed into place; written = the restored folder",
				med(s.RestoreCV, open), med(s.RestoreCV, work))))
		add(bkOpRow("restore, restic, "+n, s.RestoreRestic,
			"restic restore latest --target NEW, warm cache; restic does not fsync what it restores; written = the restored folder"))
		dr := s.Drill.med(func(p *bkOp) float64 { return p.Child.RestoreSec })
		add(bkOpRow("drill, casevault, "+n, s.Drill,
			fmt.Sprintf("a new process: app.OpenBackups %s + Backups.Drill %s (medians): restore into a scratch folder (%s), open it, integrity check, counts, content hash, audit chain, delete it, record the result; written = the drill record in the repository",
				med(s.Drill, open), med(s.Drill, work), fmtDur(dr))))
	}
	return rows
}

func (r *bkResults) checks() ([]check, []string) {
	var checks []check
	var info []string
	for _, s := range r.sizes {
		n := fmtCount(s.N)
		if r.cfg.restic == "" {
			checks = append(checks, check{"SKIP", "backup targets at " + n + " clients", "restic " + r.cfg.resticErr})
			continue
		}
		fixed := s.ResticOpen.time()
		// without is restic's time less its fixed cost, and our ratio to it.
		without := func(ours, restic float64) string {
			if restic-fixed <= 0 {
				return "n/a (the fixed cost measured more than the command)"
			}
			return fmt.Sprintf("%s, ratio %s", fmtDur(restic-fixed), ratio(ours, restic-fixed))
		}
		a, b := s.IncrApp.time(), s.IncrRestic.time()
		checks = append(checks, check{passIf(a <= b), "incremental backup at " + n + " clients at least as fast as restic's",
			fmt.Sprintf("ours/restic %s: casevault in-app %s vs restic %s (restic without its fixed cost of %s: %s)",
				ratio(a, b), fmtDur(a), fmtDur(b), fmtDur(fixed), without(a, b))})
		wa, wb := s.IncrApp.written(), s.IncrRestic.written()
		checks = append(checks, check{passIf(wa <= wb), "incremental backup at " + n + " clients writes no more than restic's",
			fmt.Sprintf("ours/restic %s: %s vs %s to the repository", ratio(wa, wb), fmtBytes(int64(wa)), fmtBytes(int64(wb)))})
		a, b = s.RestoreCV.time(), s.RestoreRestic.time()
		ra := s.RestoreCV.med(func(p *bkOp) float64 { return p.Child.Sec })
		checks = append(checks, check{passIf(a <= b), "restore at " + n + " clients at least as fast as restic's",
			fmt.Sprintf("ours/restic %s: casevault process %s vs restic %s; without key derivation and process start, Backups.Restore alone %s vs restic without its fixed cost %s",
				ratio(a, b), fmtDur(a), fmtDur(b), fmtDur(ra), without(ra, b))})

		info = append(info,
			fmt.Sprintf("first backup, %s: in-app/restic %s (time), process/restic %s (time), written %s vs %s (%s)", n,
				ratio(s.FirstApp.time(), s.FirstRestic.time()), ratio(s.FirstProc.time(), s.FirstRestic.time()),
				fmtBytes(int64(s.FirstApp.written())), fmtBytes(int64(s.FirstRestic.written())), ratio(s.FirstApp.written(), s.FirstRestic.written())),
			fmt.Sprintf("incremental after a locked edit, %s: process/restic %s (time), written %s vs %s (%s)", n,
				ratio(s.IncrProc.time(), s.IncrProcRestic.time()),
				fmtBytes(int64(s.IncrProc.written())), fmtBytes(int64(s.IncrProcRestic.written())), ratio(s.IncrProc.written(), s.IncrProcRestic.written())),
			fmt.Sprintf("restore, %s: written %s vs %s; drill/restic restore %s (time)", n,
				fmtBytes(int64(s.RestoreCV.written())), fmtBytes(int64(s.RestoreRestic.written())), ratio(s.Drill.time(), s.RestoreRestic.time())))
	}
	return checks, info
}

func renderBackupText(r *bkResults) string {
	var b strings.Builder
	b.WriteString(r.header() + "\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tmedian\trange\truns\twritten\tpeak RSS\tCPU user + sys\tnotes")
	for _, x := range r.rows() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.name, x.median, x.spread, x.runs, x.written, x.peak, x.cpu, x.notes)
	}
	tw.Flush()
	if r.err != "" {
		fmt.Fprintf(&b, "\nERROR: the backup measurements stopped %s\n", r.err)
	}
	checks, info := r.checks()
	b.WriteString("\nTargets (backups):\n")
	for _, c := range checks {
		fmt.Fprintf(&b, "  %s  %s: %s\n", c.status, c.target, c.detail)
	}
	b.WriteString("Other ratios (ours/restic):\n")
	for _, s := range info {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	return b.String()
}

func renderBackupMarkdown(r *bkResults) string {
	var b strings.Builder
	b.WriteString("\n## Backups\n\n" + strings.ReplaceAll(strings.TrimSpace(r.header()), "\n", "\n\n") + "\n\n")
	b.WriteString("| measurement | median | range | runs | written | peak RSS | CPU user + sys | notes |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, x := range r.rows() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", mdEsc(x.name), x.median, x.spread, x.runs, x.written, x.peak, x.cpu, mdEsc(x.notes))
	}
	if r.err != "" {
		fmt.Fprintf(&b, "\n**ERROR**: the backup measurements stopped %s\n", mdEsc(r.err))
	}
	checks, info := r.checks()
	b.WriteString("\n### Targets (backups)\n\n")
	for _, c := range checks {
		fmt.Fprintf(&b, "- **%s** %s: %s\n", c.status, c.target, mdEsc(c.detail))
	}
	b.WriteString("\nOther ratios (ours/restic):\n\n")
	for _, s := range info {
		fmt.Fprintf(&b, "- %s\n", mdEsc(s))
	}
	return b.String()
}
