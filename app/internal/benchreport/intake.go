package main

// The measurements of issue 12 (offline client intake), -only intake:
//
//   - import at unlock: 1,000 sealed submissions waiting beside a vault
//     of 10,000 clients and 30,000 parties, brought into the review queue
//     by the unlock (app.Open runs ImportIntake), against the same unlock
//     with nothing waiting (the peer, same copies of the vault);
//   - the review queue opening with those 1,000 waiting: Session.ListIntake
//     of the first page, with each submission's conflict hits counted
//     (target under 300 ms, median), the first time after the unlock (the
//     conflict index built) and then, against the conflict history's
//     first page (Session.ListConflictChecks, issue 11's) as the peer, and
//     one recorded check of a submission's names;
//   - from the intake server's Go benchmarks (app/intake, run with go
//     test): submission to sealed-on-disk, median and p90, against a bare
//     durable write of the same upload (write, fsync, rename, folder fsync)
//     measured here; and the load test's throughput (20 clients at once);
//     and the importer's own (app BenchmarkIntakeImport: 1,000 into an
//     empty vault).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"casevault/app"
	"casevault/app/intake/form"
	"casevault/vault"
)

type intakeResults struct {
	rows      []xrow
	checks    []check
	info      []string
	errs      []string
	started   time.Time
	elapsed   time.Duration
	loadStart string
	loadEnd   string
	size      int
	pending   int
}

type intakeRunner struct {
	c   config
	res *intakeResults
	ctx context.Context
}

func (x *intakeRunner) row(r xrow) { x.res.rows = append(x.res.rows, r) }
func (x *intakeRunner) fail(what string, err error) {
	x.res.errs = append(x.res.errs, fmt.Sprintf("%s: %v", what, err))
	progress("intake: %s: %v", what, err)
}

// intakeWindowPage is how many submissions the window's queue reads at a
// time (ui/intake_queue.go's intakePage).
const intakeWindowPage = 25

func (x *intakeRunner) samplesN() int {
	if x.c.quick {
		return 10
	}
	return 50
}

// intakeSection runs the issue-12 measurements.
func intakeSection(c config, tmp string) *intakeResults {
	x := &intakeRunner{c: c, ctx: context.Background(),
		res: &intakeResults{started: time.Now(), loadStart: loadavg(), size: 10000, pending: 1000}}
	if c.quick {
		x.res.size, x.res.pending = 1000, 200
	}
	base := filepath.Join(tmp, "intake-vault")
	progress("intake: building a vault of %s clients", fmtCount(x.res.size))
	var br buildResult
	if err := spawn(c, &br, "-child", "build", "-dir", base, "-n", fmt.Sprint(x.res.size)); err != nil {
		x.fail("build", err)
	} else if sealed, err := x.seal(base, filepath.Join(tmp, "intake-sealed")); err != nil {
		x.fail("sealing the submissions", err)
	} else {
		x.importAndQueue(base, sealed, tmp)
	}
	x.server(tmp)
	x.res.loadEnd = loadavg()
	x.res.elapsed = time.Since(x.res.started)
	return x.res
}

// seal makes the vault's intake key and seals the submissions to it, in
// a folder of their own (copied into the inbox for each import). Each
// names the person, sometimes an other name, one or two on the other side
// (half of them people or companies already in the vault, so the queue
// has hits to count), sometimes other people and the other side's lawyer;
// one in ten sends a 100 KB photo.
func (x *intakeRunner) seal(dir, out string) (string, error) {
	s, _, err := openSession(x.ctx, dir)
	if err != nil {
		return "", err
	}
	recipient, err := s.IntakeRecipient(x.ctx)
	if cerr := s.Close(x.ctx); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return "", err
	}
	progress("intake: sealing %s submissions", fmtCount(x.res.pending))
	p := genPeople(x.res.size, x.c.seed)
	r := rand.New(rand.NewPCG(x.c.seed, 21))
	photo := make([]byte, 100<<10)
	for i := range photo {
		photo[i] = byte(r.IntN(256))
	}
	sum := sha256.Sum256(photo)
	known := func() string {
		i := r.IntN(x.res.size)
		if r.IntN(2) == 0 {
			return p.clients[i]
		}
		return p.parties[i][0]
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i := range x.res.pending {
		name := personName(r)
		answers := []form.Answer{{Key: form.KeyFullName, Label: "Full legal name", Kind: form.Short, Text: name},
			{Key: form.KeyPhone, Label: "Phone number", Kind: form.Phone, Text: phone(r)},
			{Key: form.KeyDescription, Label: "What would you like help with?", Kind: form.Long, Text: "A dispute that started last spring."}}
		names := func(key, label string, list []string) {
			if len(list) > 0 {
				answers = append(answers, form.Answer{Key: key, Label: label, Kind: form.Names, List: list})
			}
		}
		if r.IntN(4) == 0 {
			names(form.KeyOtherNames, "Other or former names", []string{personName(r)})
		}
		adverse := []string{known()}
		if r.IntN(2) == 0 {
			adverse = []string{personName(r)}
		}
		if r.IntN(3) == 0 {
			adverse = append(adverse, companyName(r))
		}
		names(form.KeyAdverseParties, "People or organisations on the other side", adverse)
		if r.IntN(2) == 0 {
			names(form.KeyOtherPeople, "Other people involved", []string{personName(r)})
		}
		if r.IntN(3) == 0 {
			names(form.KeyOpposingCounsel, "The other side's lawyer, if you know", []string{p.parties[r.IntN(x.res.size)][2]})
		}
		sub := &form.Submission{Format: form.FormatName, Version: form.FormatVersion, ID: form.NewID(),
			ReceivedAt: now.Add(-time.Duration(x.res.pending-i) * time.Minute), Session: form.NewSessionID(),
			PracticeArea: "general", FormVersion: 1, Notice: form.Notice{Version: 1, Text: "Privacy notice."}, Consent: true, Answers: answers}
		var files []form.File
		if i%10 == 0 {
			m := form.FileMeta{N: 1, Question: form.KeyIDDocument, Name: "id.jpg", MediaType: "image/jpeg", Size: int64(len(photo)), SHA256: hex.EncodeToString(sum[:])}
			sub.Files = []form.FileMeta{m}
			files = []form.File{{Meta: m, Data: photo}}
		}
		var b bytes.Buffer
		if err := form.Seal(&b, recipient, sub, files); err != nil {
			return "", fmt.Errorf("sealing submission %d: %w", i, err)
		}
		if err := os.WriteFile(filepath.Join(out, sub.ID+".age"), b.Bytes(), 0o600); err != nil {
			return "", err
		}
	}
	return out, nil
}

// fillInbox copies the sealed files into dir's inbox.
func fillInbox(dir, sealed string) error {
	inbox := filepath.Join(dir, vault.IntakeDir, app.IntakeInboxDir)
	if err := os.MkdirAll(inbox, 0o700); err != nil {
		return err
	}
	return os.CopyFS(inbox, os.DirFS(sealed))
}

// importAndQueue: on fresh copies of the vault, an unlock with nothing
// waiting (the peer) then one with the submissions waiting; on the last
// copy, the review queue.
func (x *intakeRunner) importAndQueue(base, sealed, tmp string) {
	runs := 3
	if x.c.quick {
		runs = 2
	}
	var plain, withImport samples
	var s *app.Session
	for i := range runs {
		dir := filepath.Join(tmp, fmt.Sprintf("intake-copy-%d", i))
		os.RemoveAll(dir)
		if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
			x.fail("copying the vault", err)
			return
		}
		progress("intake: unlock with nothing waiting, then with %s waiting (%d of %d)", fmtCount(x.res.pending), i+1, runs)
		s0, sec, err := openSession(x.ctx, dir)
		if err != nil {
			x.fail("unlock", err)
			return
		}
		plain = append(plain, sec)
		if err := s0.Close(x.ctx); err != nil {
			x.fail("lock", err)
			return
		}
		if err := fillInbox(dir, sealed); err != nil {
			x.fail("filling the inbox", err)
			return
		}
		s1, sec, err := openSession(x.ctx, dir)
		if err != nil {
			x.fail("unlock with the inbox", err)
			return
		}
		withImport = append(withImport, sec)
		if n, err := s1.IntakeNewCount(x.ctx); err != nil || n != x.res.pending {
			x.fail("import", fmt.Errorf("%d of %d submissions in the queue after the unlock (%v); notices %q", n, x.res.pending, err, s1.Notices()))
			s1.Close(x.ctx)
			return
		}
		if left, _ := os.ReadDir(filepath.Join(dir, vault.IntakeDir, app.IntakeInboxDir)); len(left) != 0 {
			x.fail("import", fmt.Errorf("%d files left in the inbox", len(left)))
		}
		if i < runs-1 {
			s1.Close(x.ctx)
			os.RemoveAll(dir)
			continue
		}
		s = s1
	}
	defer s.Close(x.ctx)
	x.row(spanRow(fmt.Sprintf("unlock, nothing waiting (peer), %s clients", fmtCount(x.res.size)), plain, "-",
		"app.Open at the test key derivation (as every row here): the vault alone"))
	x.row(spanRow(fmt.Sprintf("unlock importing %s sealed submissions", fmtCount(x.res.pending)), withImport, "-",
		fmt.Sprintf("app.Open with the inbox full: opens each sealed file (age + tar + checks), stores them in batches, removes the files; %.1f× the peer, %s per submission over it",
			withImport.median()/plain.median(), fmtDur((withImport.median()-plain.median())/float64(x.res.pending)))))

	// The queue: the first page (as the window reads it) with each submission's hits, the
	// first time (the conflict index built first: the import changed the
	// names); then the other pages, each counted the first time it is
	// opened (the index built); then the first page again (its counts
	// kept: the window lists the queue again as submissions arrive).
	listPage := func(offset int) ([]app.IntakeSummary, int, error) {
		return s.ListIntake(x.ctx, app.IntakeFilter{Offset: offset, Limit: intakeWindowPage})
	}
	var page []app.IntakeSummary
	var total int
	first, err := timeIt(func() error { var err error; page, total, err = listPage(0); return err })
	if err != nil {
		x.fail("queue", err)
		return
	}
	hits := 0
	for _, p := range page {
		hits += max(p.Hits, 0)
	}
	x.res.info = append(x.res.info, fmt.Sprintf("the queue's first page: %d of %s submissions, %s hits in all", len(page), fmtCount(total), fmtCount(hits)))
	x.row(xrow{"review queue, first opening after the unlock", fmtDur(first), "-", "1", "-",
		fmt.Sprintf("Session.ListIntake (first %d and the total, each one's conflict hits counted, not recorded): reads every name and builds the conflict index first (the unlock's import changed the names)", intakeWindowPage)})
	var wall, cpu samples
	stop := startProfile(x.c.profile, "intake-queue.pprof")
	for off := len(page); off < total; off += len(page) {
		c0 := processTime()
		d, err := timeIt(func() error { _, _, err := listPage(off); return err })
		if err != nil {
			x.fail("queue", err)
			return
		}
		wall, cpu = append(wall, d), append(cpu, processTime()-c0)
	}
	stop()
	x.row(spanRow(fmt.Sprintf("review queue opening, %s waiting", fmtCount(x.res.pending)), wall, "-",
		fmt.Sprintf("Session.ListIntake of each next page of %d (as the window reads them), the first time: role check, store, audit entry, and each submission's names checked against every client, party and prospect (on both cores)", intakeWindowPage)))
	if m := cpu.mean(); m > 0 {
		x.row(xrow{"same (process CPU, mean)", fmtDur(m), "-", fmt.Sprint(len(cpu)), "-", "CPU time of every thread of the process over those samples"})
	}
	st := "PASS"
	if wall.median() > 0.300 {
		st = "FAIL"
	}
	if len(wall) > 0 {
		x.res.checks = append(x.res.checks, check{st, fmt.Sprintf("the review queue opens with %s submissions waiting under 300 ms median, their conflict hits included", fmtCount(x.res.pending)),
			fmt.Sprintf("median %s (of %d pages of %d, each counted the first time; slowest %s); the first opening after the unlock, with the conflict index built, %s", fmtDur(wall.median()), len(wall), intakeWindowPage, fmtDur(wall.sorted()[len(wall)-1]), fmtDur(first))})
	}
	again, _, err := timedCPU(x.samplesN(), func(int) error { _, _, err := listPage(0); return err })
	if err != nil {
		x.fail("queue", err)
		return
	}
	x.row(spanRow("review queue opening again", again, "-", "Session.ListIntake of the first page once more: the counts kept until a name in the vault changes"))
	peer, _, err := timedCPU(x.samplesN(), func(int) error { _, _, err := s.ListConflictChecks(x.ctx, app.ConflictFilter{}); return err })
	if err != nil {
		x.fail("conflict history", err)
		return
	}
	x.row(spanRow("conflict history, first page (peer)", peer, "-",
		fmt.Sprintf("Session.ListConflictChecks (50 newest): role check, store, audit entry; the queue's first opening of a page costs %.0f× it, opening it again %.1f×", wall.median()/peer.median(), again.median()/peer.median())))
	one, _, err := timedCPU(min(x.samplesN(), len(page)-1), func(i int) error { _, err := s.CheckIntakeConflicts(x.ctx, page[i].ID); return err })
	if err != nil {
		x.fail("check", err)
		return
	}
	x.row(spanRow("a submission's recorded conflict check", one, "-",
		"Session.CheckIntakeConflicts: every name of one submission, recorded with its audit entry (what opening one does)"))
}

// server runs the intake server's Go benchmarks and the bare durable
// write they are compared with.
func (x *intakeRunner) server(tmp string) {
	dw, err := durableWrites(filepath.Join(tmp, "intake-fsync"), 200<<10, x.samplesN())
	if err != nil {
		x.fail("durable write", err)
	}
	n := 100
	if x.c.quick {
		n = 20
	}
	progress("intake: the server's benchmarks (go test -bench, %d submissions one after another, then the load test)", n)
	cmd := exec.Command("go", "test", "-tags", "migrated_fynedo", "-run", "^$", "-bench", "^BenchmarkIntakeSubmit$", "-benchtime", fmt.Sprintf("%dx", n), "./app/intake")
	submit, serr := runBench(cmd)
	cmd = exec.Command("go", "test", "-tags", "migrated_fynedo", "-run", "^$", "-bench", "^BenchmarkIntakeLoad$", "-benchtime", "1x", "./app/intake")
	load, lerr := runBench(cmd)
	progress("intake: the importer's benchmark (go test -bench BenchmarkIntakeImport: 1,000 into an empty vault)")
	cmd = exec.Command("go", "test", "-tags", "migrated_fynedo", "-run", "^$", "-bench", "^BenchmarkIntakeImport$", "-benchtime", "1x", "./app")
	if imp, err := runBench(cmd); err != nil {
		x.fail("BenchmarkIntakeImport", err)
	} else {
		x.row(xrow{"import of 1,000 into an empty vault", fmtDur(imp["ms"] / 1e3), "-", "1", "-",
			fmt.Sprintf("app BenchmarkIntakeImport: Session.ImportIntake alone (one in ten with a 100 KiB upload), %.0f submissions/s; against the unlock's import above, what 10,000 clients add", imp["files/s"])})
	}
	if serr != nil {
		x.fail("BenchmarkIntakeSubmit", serr)
	} else {
		p50, p90 := submit["p50-ms"]/1e3, submit["p90-ms"]/1e3
		x.row(xrow{"submission to sealed-on-disk (loopback)", fmtDur(p50), "p90 " + fmtDur(p90), fmt.Sprint(n), "-",
			fmt.Sprintf("app/intake BenchmarkIntakeSubmit: one client, the whole form with a 200 KB photo, from sending to the redirect (sent once the sealed file and its folder are on disk); %.1f× the bare durable write", p50/dw.median())})
	}
	if len(dw) > 0 {
		x.row(spanRow("bare durable write of 200 KB (peer)", dw, "-", "write a new file, fsync it, rename it, fsync the folder: the floor under a sealed submission"))
	}
	if lerr != nil {
		x.fail("BenchmarkIntakeLoad", lerr)
	} else {
		notes := "app/intake BenchmarkIntakeLoad: 20 clients at once, 10 submissions each with a 64 KB upload, every one sealed and on disk"
		if serr == nil && submit["p50-ms"] > 0 {
			notes += fmt.Sprintf("; %.1f× one client's rate (1 / the median above)", load["submissions/s"]/(1e3/submit["p50-ms"]))
		}
		x.row(xrow{"load test throughput", fmt.Sprintf("%.0f submissions/s", load["submissions/s"]), "-", "200", "-", notes})
	}
}

var benchMetricRE = regexp.MustCompile(`([0-9.]+) ([a-z0-9/-]+)`)

// runBench runs a go test -bench command from the module's root and
// returns the metrics of its benchmark line (unit → value).
func runBench(cmd *exec.Cmd) (map[string]float64, error) {
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, lastLines(string(out), 5))
	}
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "BenchmarkIntake") {
			continue
		}
		m := map[string]float64{}
		for _, f := range benchMetricRE.FindAllStringSubmatch(line, -1) {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				m[f[2]] = v
			}
		}
		return m, nil
	}
	return nil, fmt.Errorf("no benchmark line in: %s", lastLines(string(out), 5))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}

// durableWrites times n durable writes of size bytes: a new file written
// and synced, renamed, its folder synced (how the server stores a sealed
// submission, without the sealing).
func durableWrites(dir string, size, n int) (samples, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	data := bytes.Repeat([]byte{0x5a}, size)
	var out samples
	for i := range n {
		d, err := timeIt(func() error {
			tmp := filepath.Join(dir, fmt.Sprintf(".tmp-%d", i))
			f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return err
			}
			if _, err := f.Write(data); err != nil {
				f.Close()
				return err
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			if err := os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("%d.age", i))); err != nil {
				return err
			}
			d, err := os.Open(dir)
			if err != nil {
				return err
			}
			defer d.Close()
			return d.Sync()
		})
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

// ---- rendering ----

func (r *intakeResults) section() rowsSection {
	return rowsSection{header: timedHeader("Issue 12 (offline client intake)", r.elapsed, r.loadStart, r.loadEnd), issue: "issue 12",
		rows: r.rows, errs: r.errs, checks: r.checks, info: r.info}
}

func renderIntakeText(r *intakeResults) string { return r.section().text() }

func renderIntakeMarkdown(r *intakeResults) string {
	return r.section().markdown("Issue 12: offline client intake")
}
