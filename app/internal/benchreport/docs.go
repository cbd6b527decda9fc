package main

// The measurements of issue 13 (documents with versions), -only docs,
// beside restic in the same run on the same files:
//
//   - adding a folder of mixed documents (-docs-size, default 256 MiB: small
//     and medium files of 10 KB–5 MB, part incompressible bytes, part text,
//     and one 50 MB file) through Session.AddFolder, against `restic backup
//     --compression off` of the same folder into a fresh repository:
//     throughput and peak memory (each side a process of its own, its
//     rusage Maxrss); and the peak of adding a 5 MB and a 50 MB file alone
//     (memory flat in file size);
//   - a second version of the 50 MB file, changed in one place (4 KiB
//     overwritten in the middle): the growth of the vault's objects/doc
//     against the growth of restic's repository by its second backup;
//   - opening the 50 MB document: Session.ReadDocument into a file in a
//     temporary folder, against `restic dump latest FILE > file`;
//   - the incremental backup after the new version (Session.Backup to a
//     folder): time and bytes written, against restic's second backup;
//   - opening the vault (app.Open at the test key derivation) with the
//     documents against the same vault before they were added.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"casevault/app"
)

var (
	docsSizeF = flag.String("docs-size", "256MiB", "total size of the documents added by -only docs (the issue's figure: 1GiB), with its 50 MB file")
	docsRunsF = flag.Int("docs-runs", 3, "runs of the cheap document measurements (adds, opens)")
	docIDF    = flag.Int64("doc-id", 0, "internal: document id")
)

// docsBig is the size of the one large document (the 50 MB).
const docsBig = 50_000_000

type docsResults struct {
	total, big int64
	files      int
	restic     string // "" when restic is missing
	rows       []drow
	checks     []check
	info       []string
	errs       []string
	started    time.Time
	elapsed    time.Duration
	loadStart  string
	loadEnd    string
}

// drow is one line of the documents table: casevault, restic, their
// ratio and the target.
type drow struct{ name, cv, peer, ratio, target, notes string }

// docChild is what a documents child reports.
type docChild struct {
	OpenSec float64   `json:"open_sec"`
	Sec     float64   `json:"sec"`
	Secs    []float64 `json:"secs,omitempty"`
	DocID   int64     `json:"doc_id,omitempty"`
	Files   int       `json:"files,omitempty"`
	Written int64     `json:"written,omitempty"`
	PeakKiB int64     `json:"peak_kib"`
}

func runDocsChild(kind string, o measureOpts) (res any, ok bool, err error) {
	if strings.HasPrefix(kind, "docs-") {
		defer startProfile(o.profileDir, kind+".pprof")() // -profile DIR
	}
	switch kind {
	case "docs-init":
		res, err = childDocsInit(o.dir)
	case "docs-open":
		res, err = childDocsOp(o.dir, nil)
	case "docs-add":
		res, err = childDocsOp(o.dir, func(ctx context.Context, s *app.Session, r *docChild) error {
			fr, err := s.AddFolder(ctx, app.DocTarget{ClientID: 1}, *toFlag, app.AddDocOptions{})
			if err != nil {
				return err
			}
			if len(fr.Skipped) > 0 {
				return fmt.Errorf("%d files skipped, the first %s: %s", len(fr.Skipped), fr.Skipped[0].Path, fr.Skipped[0].Reason)
			}
			r.Files = len(fr.Added)
			for _, d := range fr.Added {
				if d.Name == "big.bin" {
					r.DocID = d.ID
				}
			}
			return nil
		})
	case "docs-version":
		res, err = childDocsOp(o.dir, func(ctx context.Context, s *app.Session, r *docChild) error {
			_, err := s.AddVersion(ctx, *docIDF, *toFlag, "new-version")
			return err
		})
	case "docs-read":
		res, err = childDocsOp(o.dir, func(ctx context.Context, s *app.Session, r *docChild) error {
			for i := range max(1, *docsRunsF) {
				p := filepath.Join(*toFlag, fmt.Sprintf("copy-%d", i))
				f, err := os.Create(p)
				if err != nil {
					return err
				}
				start := time.Now()
				_, err = s.ReadDocument(ctx, *docIDF, 0, f)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				r.Secs = append(r.Secs, time.Since(start).Seconds())
				os.Remove(p)
				if err != nil {
					return err
				}
			}
			return nil
		})
	case "docs-backup":
		res, err = childDocsOp(o.dir, func(ctx context.Context, s *app.Session, r *docChild) error {
			_, err := s.Backup(ctx, *repoFlag, app.BackupOptions{})
			return err
		})
	default:
		return nil, false, nil
	}
	return res, true, err
}

// childDocsInit makes a vault at the test key derivation with one client.
func childDocsInit(dir string) (*docChild, error) {
	ctx := context.Background()
	if _, err := app.Init(ctx, dir, benchPass, app.InitOptions{KDF: testKDF, Actor: "bench"}); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	if err := app.ConfirmInit(dir); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	return childDocsOp(dir, func(ctx context.Context, s *app.Session, r *docChild) error {
		name := "Ann Lee"
		_, err := s.AddClient(ctx, app.ClientInput{Name: &name})
		return err
	})
}

// childDocsOp opens the vault, times op (if any) and closes the vault.
func childDocsOp(dir string, op func(context.Context, *app.Session, *docChild) error) (*docChild, error) {
	ctx := context.Background()
	s, open, err := openSession(ctx, dir)
	if err != nil {
		return nil, err
	}
	r := &docChild{OpenSec: open}
	if op != nil {
		start := time.Now()
		err = op(ctx, s, r)
		r.Sec = time.Since(start).Seconds()
	}
	if cerr := s.Close(ctx); err == nil {
		err = cerr
	}
	r.PeakKiB = procKiB("VmHWM:")
	return r, err
}

// parseSize reads "256MiB", "1GiB", "300MB", "5000000".
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}} {
		if rest, ok := strings.CutSuffix(s, u.suf); ok {
			s, mult = strings.TrimSpace(rest), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("-docs-size: %q is not a size such as 256MiB or 1GiB", s)
	}
	return n * mult, nil
}

// genDocs writes the documents into dir: files of 10 KB–5 MB up to
// total-big bytes, then big.bin of big bytes. Nine in ten are binary
// files (.bin: their first 64 KiB random, so they have no text to index,
// like scans and pictures) made of 64 KiB pieces, about two thirds random
// bytes (incompressible) and one third words (compressible); one in ten
// is a letter (.txt, all words, at most 200 KB, indexed for search). The
// same seed makes the same files. It returns the number of files.
func genDocs(dir string, total, big int64, seed uint64) (int, error) {
	rng := rand.New(rand.NewPCG(seed, 13))
	words := strings.Fields("the client agrees to pay the sum of within thirty days of the date of this letter court hearing matter lease contract witness statement exhibit")
	piece := make([]byte, 64<<10)
	write := func(path string, size int64, text bool) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		for left := size; left > 0; {
			n := min(left, int64(len(piece)))
			b := piece[:n]
			if text || (left < size && rng.IntN(3) == 0) {
				b = b[:0]
				for int64(len(b)) < n {
					b = append(b, words[rng.IntN(len(words))]...)
					b = append(b, ' ')
				}
				b = b[:n]
			} else {
				for i := 0; i+8 <= len(b); i += 8 {
					v := rng.Uint64()
					for j := range 8 {
						b[i+j] = byte(v >> (8 * j))
					}
				}
			}
			if _, err := f.Write(b); err != nil {
				f.Close()
				return err
			}
			left -= n
		}
		return f.Close()
	}
	files := 0
	for left := total - big; left > 10_000; files++ {
		// Mostly small: a log-uniform size between 10 KB and 5 MB.
		size := int64(10_000 * math.Exp2(rng.Float64()*9)) // 2^9 × 10 KB ≈ 5 MB
		name, text := fmt.Sprintf("doc-%05d.bin", files), rng.IntN(10) == 0
		if text { // a letter: plain text, at most 200 KB
			name, size = fmt.Sprintf("letter-%05d.txt", files), min(size, 200_000)
		}
		size = min(size, left)
		if err := write(filepath.Join(dir, fmt.Sprintf("f%02d", files%16), name), size, text); err != nil {
			return 0, err
		}
		left -= size
	}
	if err := write(filepath.Join(dir, "big.bin"), big, false); err != nil {
		return 0, err
	}
	return files + 1, nil
}

// changeInPlace overwrites 4 KiB in the middle of the file at path.
func changeInPlace(path string, seed uint64) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	b := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(seed, 14))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	if _, err := f.WriteAt(b, fi.Size()/2); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type docsRunner struct {
	b   *bkRunner
	cmp cmpFigures
	res *docsResults
	tmp string
	src string
}

func (x *docsRunner) fail(what string, err error) {
	x.res.errs = append(x.res.errs, fmt.Sprintf("%s: %v", what, err))
	progress("docs: %s: %v", what, err)
}

// child runs a documents child (this program again) and decodes its report.
func (x *docsRunner) child(args ...string) (bkOp, docChild, error) {
	args = x.b.childArgs(args...)
	var r docChild
	op, out, err := measureCmd(exec.Command(x.b.exe, args...))
	if err == nil {
		err = json.Unmarshal(out, &r)
	}
	if err != nil {
		err = fmt.Errorf("child %v: %w", args, err)
	}
	return op, r, err
}

func (x *docsRunner) row(r drow) { x.res.rows = append(x.res.rows, r) }

// docsSection runs the issue-13 measurements.
func docsSection(c config, tmp string) *docsResults {
	res := &docsResults{started: time.Now(), loadStart: loadavg(), big: docsBig}
	defer func() { res.loadEnd, res.elapsed = loadavg(), time.Since(res.started) }()
	total, err := parseSize(*docsSizeF)
	if err != nil {
		res.errs = append(res.errs, err.Error())
		return res
	}
	res.total = total
	if total < 4*res.big {
		res.big = max(total/4, 1<<20) // a tiny run (tests, -quick): a smaller "large" file
	}
	bc := bkConfig{restic: *resticFlag}
	if bc.restic != "" {
		if p, err := exec.LookPath(bc.restic); err == nil {
			bc.restic, res.restic = p, p
		} else {
			res.info = append(res.info, fmt.Sprintf("restic (%s) not found: casevault measured alone; install the Debian package restic", bc.restic))
			bc.restic = ""
		}
	}
	b, err := newBkRunner(c, bc)
	if err != nil {
		res.errs = append(res.errs, err.Error())
		return res
	}
	x := &docsRunner{b: b, res: res, tmp: filepath.Join(tmp, "docs"), src: filepath.Join(tmp, "docs", "Documents")}
	if !c.keep {
		defer os.RemoveAll(x.tmp)
	}
	progress("docs: writing %s of documents", fmtBytes(total))
	if res.files, err = genDocs(x.src, total, res.big, c.seed); err != nil {
		x.fail("writing the documents", err)
		return res
	}
	x.run()
	x.checks()
	return res
}

func mbps(bytes int64, sec float64) float64 { return float64(bytes) / 1e6 / sec }

func (x *docsRunner) run() {
	res, runs := x.res, max(1, *docsRunsF)
	// (e, before) and (a): fresh vaults, each opened empty then filled.
	var vdir string
	var openEmpty, addSec, addPeak, addCPU samples
	var bigID int64
	for i := range runs {
		vdir = filepath.Join(x.tmp, fmt.Sprintf("vault-%d", i))
		if _, _, err := x.child("-child", "docs-init", "-dir", vdir); err != nil {
			x.fail("making a vault", err)
			return
		}
		_, r, err := x.child("-child", "docs-open", "-dir", vdir)
		if err != nil {
			x.fail("opening the vault", err)
			return
		}
		openEmpty = append(openEmpty, r.OpenSec)
		progress("docs: adding the folder (%d of %d)", i+1, runs)
		op, r, err := x.child("-child", "docs-add", "-dir", vdir, "-to", x.src)
		if err != nil {
			x.fail("adding the folder", err)
			return
		}
		if r.Files != res.files || r.DocID == 0 {
			x.fail("adding the folder", fmt.Errorf("%d documents added (want %d), big.bin's id %d", r.Files, res.files, r.DocID))
			return
		}
		bigID = r.DocID
		addSec, addPeak, addCPU = append(addSec, r.Sec), append(addPeak, float64(op.PeakKiB)), append(addCPU, op.User+op.Sys)
		if i < runs-1 {
			os.RemoveAll(vdir)
		}
	}
	stored := dirSize(filepath.Join(vdir, "objects", "doc"))
	// restic: the same folder, fresh repositories.
	var rSec, rPeak, rCPU samples
	var repo, cache string
	if x.b.bc.restic != "" {
		for i := range runs {
			repo, cache = filepath.Join(x.tmp, fmt.Sprintf("restic-%d", i)), filepath.Join(x.tmp, fmt.Sprintf("restic-cache-%d", i))
			if _, err := x.b.resticInit(repo, cache); err != nil {
				x.fail("restic init", err)
				return
			}
			progress("docs: restic backup of the folder (%d of %d)", i+1, runs)
			op, err := x.b.resticRun("backup", x.b.restic(repo, cache, "backup", "-q", "--compression", "off", x.src))
			if err != nil {
				x.fail("restic backup", err)
				return
			}
			rSec, rPeak, rCPU = append(rSec, op.Sec), append(rPeak, float64(op.PeakKiB)), append(rCPU, op.User+op.Sys)
			if i < runs-1 {
				os.RemoveAll(repo)
				os.RemoveAll(cache)
			}
		}
		// restic's default, compression auto: once.
		arepo, acache := filepath.Join(x.tmp, "restic-auto"), filepath.Join(x.tmp, "restic-auto-cache")
		if _, err := x.b.resticInit(arepo, acache); err == nil {
			if op, err := x.b.resticRun("backup", x.b.restic(arepo, acache, "backup", "-q", x.src)); err == nil {
				res.info = append(res.info, fmt.Sprintf("restic with its default compression (auto), once: %s, %.0f MB/s, repository %s (casevault's stored documents: %s)",
					fmtDur(op.Sec), mbps(res.total, op.Sec), fmtBytes(dirSize(arepo)), fmtBytes(stored)))
			}
		}
		os.RemoveAll(arepo)
		os.RemoveAll(acache)
	}
	cvT, rT := mbps(res.total, addSec.median()), 0.0
	if len(rSec) > 0 {
		rT = mbps(res.total, rSec.median())
	}
	x.row(drow{fmt.Sprintf("add %s in %d files: throughput", fmtBytes(res.total), res.files),
		fmt.Sprintf("%.0f MB/s", cvT), peerF(len(rSec) > 0, "%.0f MB/s", rT), ratio(cvT, rT), "≥ restic",
		fmt.Sprintf("median of %d; process CPU (user + system) %s vs %s; casevault: Session.AddFolder (chunked, encrypted, synced, one commit per file); restic: backup --compression off into a fresh repository, its cache in a fresh folder", runs, fmtDur(addCPU.median()), fmtDur(rCPU.median()))})
	x.row(drow{"add: peak memory (whole process)", fmtBytes(int64(addPeak.median()) << 10), peerF(len(rPeak) > 0, "%s", fmtBytes(int64(rPeak.median())<<10)),
		ratio(addPeak.median(), rPeak.median()), "flat in file size", "rusage Maxrss of each side's process; casevault's includes opening the vault"})
	x.row(drow{"add: stored on disk", fmtBytes(stored), peerF(repo != "", "%s", fmtBytes(dirSize(repo))), ratio(float64(stored), float64(dirSize(repo))), "-",
		"casevault: objects/doc; restic: the whole repository"})
	// Memory flat in file size: one 5 MB file alone, then the big one alone.
	x.peakBySize()

	// (d, first) casevault's first backup, before the change.
	bk := filepath.Join(x.tmp, "backup")
	if _, r, err := x.child("-child", "docs-backup", "-dir", vdir, "-repo", bk); err != nil {
		x.fail("first backup", err)
	} else {
		res.info = append(res.info, fmt.Sprintf("casevault's first backup of the vault with the documents: %s, %s written", fmtDur(r.Sec), fmtBytes(dirSize(bk))))
	}

	// (b) a second version of the big file, changed in one place.
	bigPath := filepath.Join(x.src, "big.bin")
	if err := changeInPlace(bigPath, x.b.c.seed); err != nil {
		x.fail("changing big.bin", err)
		return
	}
	docDir := filepath.Join(vdir, "objects", "doc")
	before, vbefore := dirSize(docDir), dirSize(vdir)
	_, rv, err := x.child("-child", "docs-version", "-dir", vdir, "-to", bigPath, "-doc-id", strconv.FormatInt(bigID, 10))
	if err != nil {
		x.fail("new version", err)
		return
	}
	grown, vgrown := dirSize(docDir)-before, dirSize(vdir)-vbefore
	var r2 bkOp
	var r2err error = errors.New("restic not run")
	if repo != "" {
		r2before := dirSize(repo)
		r2, r2err = x.b.resticRun("backup", x.b.restic(repo, cache, "backup", "-q", "--compression", "off", x.src))
		r2.Written = dirSize(repo) - r2before
		if r2err != nil {
			x.fail("restic second backup", r2err)
		}
	}
	x.row(drow{fmt.Sprintf("second version of the %s file (4 KiB changed): bytes stored", fmtBytes(res.big)),
		fmtBytes(grown), peerF(r2err == nil, "%s", fmtBytes(r2.Written)), ratio(float64(grown), float64(r2.Written)), "≤ restic",
		fmt.Sprintf("casevault: growth of objects/doc (the whole vault folder grew %s, its database and log included; the add took %s); restic: repository growth by the second backup of the folder", fmtBytes(vgrown), fmtDur(rv.Sec))})

	// (c) open the big document to a temporary copy.
	copies := filepath.Join(x.tmp, "copies")
	os.MkdirAll(copies, 0o700)
	_, rr, err := x.child("-child", "docs-read", "-dir", vdir, "-to", copies, "-doc-id", strconv.FormatInt(bigID, 10), "-docs-runs", strconv.Itoa(runs))
	if err != nil {
		x.fail("reading the document", err)
	}
	var dump, start samples
	if repo != "" {
		for i := range runs {
			out, err := os.Create(filepath.Join(copies, fmt.Sprintf("dump-%d", i)))
			if err != nil {
				x.fail("restic dump", err)
				break
			}
			cmd := x.b.restic(repo, cache, "dump", "-q", "latest", bigPath)
			cmd.Stdout = out
			op, err := x.b.resticRun("dump", cmd)
			out.Close()
			os.Remove(out.Name())
			if err != nil {
				x.fail("restic dump", err)
				break
			}
			dump = append(dump, op.Sec)
			if op, err := x.b.resticRun("snapshots", x.b.restic(repo, cache, "snapshots", "-q")); err == nil {
				start = append(start, op.Sec)
			}
		}
	}
	rd := samples(rr.Secs)
	x.row(drow{fmt.Sprintf("open the %s document: time to the temporary copy", fmtBytes(res.big)), fmtDur(rd.median()), peerF(len(dump) > 0, "%s", fmtDur(dump.median())),
		ratio(rd.median(), dump.median()), "-",
		fmt.Sprintf("median of %d; casevault: Session.ReadDocument into a file, in an open session (each chunk authenticated, the SHA-256 checked); restic: the whole `restic dump latest FILE > file` command, whose start (`restic snapshots`, median %s) is part of it", len(rd), fmtDur(start.median()))})

	// (d) the incremental backup after the new version.
	bkBefore := dirSize(bk)
	_, rb, err := x.child("-child", "docs-backup", "-dir", vdir, "-repo", bk)
	if err != nil {
		x.fail("incremental backup", err)
	}
	bkW := dirSize(bk) - bkBefore
	x.row(drow{"incremental backup after the new version: time", fmtDur(rb.Sec), peerF(r2err == nil, "%s", fmtDur(r2.Sec)), ratio(rb.Sec, r2.Sec), "-",
		"casevault: Session.Backup to a folder (in the session: opening the vault not counted); restic: the whole second backup command (it re-reads the changed file; the others by their times)"})
	x.row(drow{"incremental backup: bytes written", fmtBytes(bkW), peerF(r2err == nil, "%s", fmtBytes(r2.Written)), ratio(float64(bkW), float64(r2.Written)), "≤ restic",
		"growth of the backup folder / of the repository"})

	// (e) opening the vault with the documents.
	var openFull samples
	for range runs {
		if _, r, err := x.child("-child", "docs-open", "-dir", vdir); err == nil {
			openFull = append(openFull, r.OpenSec)
		} else {
			x.fail("opening the vault", err)
			break
		}
	}
	x.row(drow{"open the vault (app.Open, test key derivation)", fmtDur(openFull.median()), fmtDur(openEmpty.median()) + " (empty)",
		ratio(openFull.median(), openEmpty.median()), "no slower",
		fmt.Sprintf("median of %d; the peer is the same vault before the documents were added", runs)})
	x.cmp.cvT, x.cmp.rT, x.cmp.grown, x.cmp.r2, x.cmp.r2ok, x.cmp.bkW = cvT, rT, grown, r2.Written, r2err == nil, bkW
	x.cmp.openFull, x.cmp.openEmpty = openFull.median(), openEmpty.median()
}

type cmpFigures struct {
	cvT, rT         float64
	grown, r2, bkW  int64
	r2ok            bool
	openFull        float64
	openEmpty       float64
	peakSmall, peak int64
	peakOK          bool
}

// peakBySize adds a 5 MB file alone and then the big one alone, each to a
// fresh vault, and compares the peaks.
func (x *docsRunner) peakBySize() {
	small := filepath.Join(x.tmp, "one-small")
	if _, err := genDocsOne(small, 5_000_000, x.b.c.seed); err != nil {
		x.fail("peak by size", err)
		return
	}
	var peaks []int64
	for i, src := range []string{small, filepath.Join(x.src, "big.bin")} {
		vdir := filepath.Join(x.tmp, fmt.Sprintf("vault-one-%d", i))
		if _, _, err := x.child("-child", "docs-init", "-dir", vdir); err != nil {
			x.fail("peak by size", err)
			return
		}
		dir := filepath.Join(x.tmp, fmt.Sprintf("one-%d", i))
		os.MkdirAll(dir, 0o700)
		if i == 1 {
			os.Link(src, filepath.Join(dir, "big.bin"))
		} else {
			dir = small
		}
		op, _, err := x.child("-child", "docs-add", "-dir", vdir, "-to", dir)
		if err != nil {
			x.fail("peak by size", err)
			return
		}
		peaks = append(peaks, op.PeakKiB)
		os.RemoveAll(vdir)
	}
	x.cmp.peakSmall, x.cmp.peak, x.cmp.peakOK = peaks[0], peaks[1], true
	x.row(drow{fmt.Sprintf("add one file alone: peak memory, %s file vs 5 MB file", fmtBytes(x.res.big)), fmtBytes(peaks[1] << 10), fmtBytes(peaks[0]<<10) + " (5 MB)",
		ratio(float64(peaks[1]), float64(peaks[0])), "flat in file size", "each a fresh vault and process; flat: within 32 MiB"})
}

func genDocsOne(dir string, size int64, seed uint64) (int, error) {
	return genDocs(dir, size+1, size, seed+1)
}

func peerF(ok bool, format string, a ...any) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf(format, a...)
}

func (x *docsRunner) checks() {
	r, f := x.res, x.cmp
	add := func(ok bool, skip bool, target, detail string) {
		st := passIf(ok)
		if skip {
			st = "SKIP"
		}
		r.checks = append(r.checks, check{st, target, detail})
	}
	noPeer := r.restic == ""
	add(f.cvT >= f.rT, noPeer || f.rT == 0, "adding documents at least as fast as restic (--compression off)", fmt.Sprintf("%.0f MB/s vs %.0f MB/s", f.cvT, f.rT))
	add(f.peak-f.peakSmall <= 32<<10, !f.peakOK, "peak memory flat in file size", fmt.Sprintf("adding a %s file peaks at %s, a 5 MB file at %s", fmtBytes(r.big), fmtBytes(f.peak<<10), fmtBytes(f.peakSmall<<10)))
	add(f.grown <= f.r2, noPeer || !f.r2ok, "bytes stored by a one-place change no more than restic's", fmt.Sprintf("%s vs %s", fmtBytes(f.grown), fmtBytes(f.r2)))
	add(f.bkW <= f.r2, noPeer || !f.r2ok, "bytes written by the incremental backup no more than restic's", fmt.Sprintf("%s vs %s", fmtBytes(f.bkW), fmtBytes(f.r2)))
	add(f.openFull <= f.openEmpty*1.10+0.005, f.openEmpty == 0, "opening the vault with the documents no slower than without", fmt.Sprintf("%s vs %s (allowed: 10%% + 5 ms of noise)", fmtDur(f.openFull), fmtDur(f.openEmpty)))
}

func (r *docsResults) header() string {
	peer := "restic " + r.restic
	if r.restic == "" {
		peer = "no restic (casevault alone)"
	}
	return timedHeader(fmt.Sprintf("Documents (issue 13): %s in %d files (one of %s), beside %s on the same files", fmtBytes(r.total), r.files, fmtBytes(r.big), peer),
		r.elapsed, r.loadStart, r.loadEnd)
}

func renderDocsText(r *docsResults) string {
	var b strings.Builder
	b.WriteString(r.header() + "\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tcasevault\trestic\tratio\ttarget\tnotes")
	for _, x := range r.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", x.name, x.cv, x.peer, x.ratio, x.target, x.notes)
	}
	tw.Flush()
	writeTailText(&b, "issue 13", r.errs, r.checks, r.info)
	return b.String()
}

func renderDocsMarkdown(r *docsResults) string {
	var b strings.Builder
	b.WriteString("\n## Issue 13: documents with versions\n\n" + strings.ReplaceAll(r.header(), "\n", "\n\n") + "\n\n")
	b.WriteString("| measurement | casevault | restic | ratio | target | notes |\n|---|---:|---:|---:|---|---|\n")
	for _, x := range r.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdEsc(x.name), x.cv, x.peer, x.ratio, x.target, mdEsc(x.notes))
	}
	writeTailMarkdown(&b, "issue 13", r.errs, r.checks, r.info)
	return b.String()
}
