package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"

	"casevault/vault"
)

type row struct {
	name, median, p90, samples, notes string
}

type check struct {
	status string // PASS, FAIL, SKIP
	target string
	detail string
}

func durRow(name string, s samples, notes string) row {
	return row{name, fmtDur(s.median()), fmtDur(s.p90()), fmt.Sprint(len(s)), notes}
}

func oneRow(name string, sec float64, notes string) row {
	return row{name, fmtDur(sec), "-", "1", notes}
}

func valRow(name, value, notes string) row {
	return row{name, value, "-", "1", notes}
}

func (r *results) size(n int) *sizeRun {
	for _, s := range r.sizes {
		if s.n == n {
			return s
		}
	}
	return nil
}

func (r *results) peerAt(n int) *peerResult {
	for _, p := range r.peer {
		if p.N == n {
			return p
		}
	}
	return nil
}

func report(r *results) ([]row, []check) {
	var rows []row
	add := func(x ...row) { rows = append(rows, x...) }

	if u := r.unlockTest; u != nil {
		add(durRow("unlock, test KDF", u.fresh, fmt.Sprintf("vault.Open + Close, each in a fresh process (process start not timed); %s", u.params)))
	}
	if u := r.unlockDef; u != nil {
		add(durRow("unlock, default KDF", u.fresh, fmt.Sprintf("vault.Open + Close, each in a fresh process (as every CLI command and a new window unlock); "+
			"calibrated in a fresh process by vault.Calibrate(1 s, %d MiB): %s (Calibrate took %s)", vault.DefaultMemoryKiB/1024, u.params, fmtDur(u.calibSec))))
		add(durRow("  same, warm process", u.warm, "repeated in one process whose heap already holds the Argon2id memory: no page faults"))
	} else if !r.cfg.skipDefaults && len(r.sizes) > 0 {
		add(valRow("unlock, default KDF", "not measured", r.unlockDefEr))
	}

	var maxSize *sizeRun
	for _, s := range r.sizes {
		m := &s.m
		n := fmtCount(s.n)
		logNote := ""
		if m.EditLogShrank {
			logNote = "; an automatic checkpoint ran inside the timed edits"
		} else if m.EditLogBytes > 0 {
			logNote = fmt.Sprintf("; %.0f B of redo log per edit, so an automatic checkpoint every ~%s edits",
				m.EditLogBytes, fmtCount(int(storeCheckpointBytes/m.EditLogBytes)))
		}
		add(durRow("durable edit, "+n+" clients", m.Edit,
			"Session.EditClient (phone) on random clients: read, validate, update + FTS, audit entry, redo log append + fdatasync"+logNote))
		add(durRow("  same, store only, "+n, m.StoreEdit, "store.Update{GetClient; UpdateClient}: no audit entry"))
		add(oneRow("open vault, "+n+" clients", m.OpenSec, "app.Open: unlock (test KDF) + load checkpoint + replay + audit entry"))
		add(oneRow("  lock after the edits, "+n, m.CloseSec, "Session.Close: audit entry + checkpoint of the edits"))
		add(oneRow("bulk load, "+n+" clients", s.build.BuildSec, fmt.Sprintf("app.Init + %s clients, %s matters, %s parties in transactions of %d, then a checkpoint",
			n, n, fmtCount(s.build.Parties), buildBatch)))
		add(valRow("vault size on disk, "+n, fmtBytes(m.Size), "sum of file sizes after the run, closed (checkpoint, empty log)"))
		what := "the edits"
		if m.Full {
			what = "the edits, searches, conflict checks and a checkpoint"
		}
		add(valRow("peak memory, "+n, fmtBytes(m.VmHWM*1024),
			fmt.Sprintf("VmHWM of the child process that opened the vault and ran %s; the bulk-load child peaked at %s", what, fmtBytes(s.build.VmHWM*1024))))
		if m.Full {
			maxSize = s
		}
	}
	if len(r.sizes) >= 2 {
		small, large := r.sizes[0], r.sizes[len(r.sizes)-1]
		add(valRow(fmt.Sprintf("edit ratio %s / %s", fmtCount(large.n), fmtCount(small.n)),
			fmt.Sprintf("%.2fx", large.m.Edit.median()/small.m.Edit.median()),
			fmt.Sprintf("median %s / median %s", fmtDur(large.m.Edit.median()), fmtDur(small.m.Edit.median()))))
	}

	if s := maxSize; s != nil {
		m := &s.m
		n := fmtCount(s.n)
		parties := fmtCount(s.build.Parties)
		add(durRow(fmt.Sprintf("search, %s clients", n), m.Search, "Session.Search (one surname, FTS5 bm25, limit 20) + its audit entry (one durable write)"))
		add(durRow("  same, store only", m.SearchStore, "store.View + tx.Search: the in-memory part"))
		add(oneRow(fmt.Sprintf("conflict check, cold, %s/%s", n, parties), m.ConflictCold, "first Session.CheckConflicts of the session: loads the names, builds the index, checks, records"))
		add(durRow(fmt.Sprintf("conflict check, %s/%s", n, parties), m.Conflict,
			fmt.Sprintf("Session.CheckConflicts, one name (half exact, half with a typo; %.1f hits each): check + recorded check and audit entry (one durable write)", m.ConflictHits)))
		add(durRow("  same, index only", m.ConflictOnly, "conflict.Index.Check on a built index: the in-memory part"))
		add(durRow("  names query", m.ConflictNames, fmt.Sprintf("store tx.ConflictNames: %s names", fmtCount(m.IndexEntries))))
		add(durRow("  index build", m.IndexBuild, "conflict.NewIndex over those names"))
		amort := ""
		if m.EditLogBytes > 0 {
			perCkpt := storeCheckpointBytes / m.EditLogBytes
			amort = fmt.Sprintf("; amortised over the ~%s edits between automatic checkpoints: %s per edit", fmtCount(int(perCkpt)), fmtDur(m.Checkpoint/perCkpt))
		}
		add(oneRow("checkpoint, "+n+" clients", m.Checkpoint,
			fmt.Sprintf("explicit store Checkpoint after %d random edits: wrote %d of %d 64 KiB chunks + manifest%s",
				len(m.StoreEdit)+10, m.CheckpointChunks, m.ImageChunks, amort)))
	}

	if len(r.peer) > 0 {
		for i, p := range r.peer {
			n := fmtCount(p.N)
			walNote := "journal_mode=WAL, synchronous=FULL; same settings as above"
			insNote := fmt.Sprintf("file %s; shell peak memory %s", fmtBytes(p.Size), peerRSS(r, p))
			if i == 0 {
				walNote = fmt.Sprintf("journal_mode=WAL, synchronous=FULL. SQLCipher %s, default settings (kdf_iter %s, page %s); "+
					"one shell process, so process start and key derivation are not timed; one autocommit UPDATE of phone + updated_at per client "+
					"(its FTS trigger fires), %d edits; the shell's .timer has 1 ms resolution, so one sample = one input line of %d UPDATEs / %d. "+
					"casevault's edit does more: it also reads the client and appends an audit entry",
					p.Version, p.KDFIter, p.PageSize, p.Edits, editBatch, editBatch)
				insNote = "the same clients, matters and parties in one transaction, FTS4 with the same triggers (this SQLCipher has no FTS5); " + insNote
			}
			add(durRow("SQLCipher edit, "+n+", WAL", p.WAL, walNote))
			add(durRow("SQLCipher edit, "+n+", DELETE", p.Delete, "journal_mode=DELETE, synchronous=FULL; otherwise as above"))
			add(oneRow("SQLCipher bulk insert, "+n, p.InsertSec, insNote))
			if len(p.WALStmt) > 0 {
				add(durRow("SQLCipher edit per statement, "+n+", WAL", p.WALStmt,
					fmt.Sprintf("the same shell after the rows above, one UPDATE at a time (%d per mode): benchreport writes the UPDATE and a .print marker to the shell's standard input and reads the marker back, "+
						"timed with Go's clock; minus the median round trip of a marker alone, timed before each UPDATE (%s, p90 %s); synchronous=FULL",
						p.StmtEdits, fmtDur(p.RoundTrip.median()), fmtDur(p.RoundTrip.p90()))))
				add(durRow("SQLCipher edit per statement, "+n+", DELETE", p.DeleteStmt, "journal_mode=DELETE; otherwise as the row above"))
			}
		}
		if len(r.peer) >= 2 {
			a, b := r.peer[0], r.peer[len(r.peer)-1]
			add(valRow(fmt.Sprintf("SQLCipher WAL edit ratio %s / %s", fmtCount(b.N), fmtCount(a.N)), fmt.Sprintf("%.2fx", b.WAL.median()/a.WAL.median()), ""))
		}
	} else {
		add(valRow("SQLCipher edit", "not available", r.peerErr))
	}

	// Targets of issue 2.
	var checks []check
	has := func(n int) bool { return r.size(n) != nil }
	pass := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "FAIL"
	}
	if has(10000) {
		e := r.size(10000).m.Edit.median()
		if p := r.peerAt(10000); p != nil {
			w, d := p.WAL.median(), p.Delete.median()
			checks = append(checks, check{pass(e <= w), "durable edit at 10,000 clients no slower than SQLCipher's",
				fmt.Sprintf("casevault %s vs SQLCipher %s (WAL, synchronous=FULL; %s with DELETE)", fmtDur(e), fmtDur(w), fmtDur(d))})
		} else {
			checks = append(checks, check{"SKIP", "durable edit at 10,000 clients no slower than SQLCipher's", "SQLCipher not measured: " + r.peerErr})
		}
	} else {
		checks = append(checks, check{"SKIP", "durable edit at 10,000 clients no slower than SQLCipher's", "needs size 10000"})
	}
	if p := r.peerAt(10000); p != nil && has(10000) && len(p.WALStmt) > 0 {
		e := r.size(10000).m.Edit.median()
		w, d := p.WALStmt.median(), p.DeleteStmt.median()
		checks = append(checks, check{pass(e <= w), "durable edit at 10,000 clients no slower than SQLCipher's, each SQLCipher statement timed alone (issue 9)",
			fmt.Sprintf("casevault %s (p90 %s) vs SQLCipher %s (p90 %s; WAL, synchronous=FULL; %s with DELETE)", fmtDur(e), fmtDur(r.size(10000).m.Edit.p90()), fmtDur(w), fmtDur(p.WALStmt.p90()), fmtDur(d))})
	}
	if has(100) && has(10000) {
		a, b := r.size(100).m.Edit.median(), r.size(10000).m.Edit.median()
		checks = append(checks, check{pass(b <= 1.5*a), "durable edit at 10,000 within 1.5x of the same edit at 100",
			fmt.Sprintf("%.2fx (%s / %s)", b/a, fmtDur(b), fmtDur(a))})
	} else {
		checks = append(checks, check{"SKIP", "durable edit at 10,000 within 1.5x of the same edit at 100", "needs sizes 100 and 10000"})
	}
	if s := r.size(10000); s != nil && s.m.Full {
		m := &s.m
		c := m.Conflict.median()
		checks = append(checks, check{pass(c < 0.030), "conflict check at 10,000 clients / 30,000 parties under 30 ms median",
			fmt.Sprintf("Session.CheckConflicts %s (index alone %s, cold %s)", fmtDur(c), fmtDur(m.ConflictOnly.median()), fmtDur(m.ConflictCold))})
	} else {
		checks = append(checks, check{"SKIP", "conflict check at 10,000 clients / 30,000 parties under 30 ms median", "needs size 10000"})
	}
	if u := r.unlockDef; u != nil {
		m := u.fresh.median()
		checks = append(checks, check{pass(m >= 0.5 && m <= 1.5), "unlock at the default parameters between 0.5 and 1.5 s",
			fmt.Sprintf("%s (%s)", fmtDur(m), u.params)})
	} else {
		checks = append(checks, check{"SKIP", "unlock at the default parameters between 0.5 and 1.5 s", "not measured"})
	}
	rows = append(rows, r.window...)
	if r.windowErr != "" {
		rows = append(rows, valRow("window benchmarks", "not measured", firstLine(r.windowErr)))
	}
	return rows, checks
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// peerRSS is the shell's Maxrss, which includes the parent's peak at spawn
// (see child.go), so it is only an upper bound when the two are close.
func peerRSS(r *results, p *peerResult) string {
	if p.MaxRSSKiB <= r.parentHWM+1024 {
		return fmt.Sprintf("at most %s (rusage cannot tell it from this program's own peak)", fmtBytes(p.MaxRSSKiB*1024))
	}
	return fmtBytes(p.MaxRSSKiB * 1024)
}

func header(r *results) string {
	host, _ := os.Hostname()
	mode := "full"
	if r.cfg.quick {
		mode = "quick (smoke test: not the target sizes)"
	}
	s := fmt.Sprintf("casevault benchmark: %s run, sizes %v, seed %d, %d CPUs (%s/%s, %s), host %s, took %s; load average %s at the start, %s at the end",
		mode, r.cfg.sizes, r.cfg.seed, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), host, r.elapsed.Round(1e9), r.loadStart, r.loadEnd)
	if busy(r.loadStart) || busy(r.loadEnd) {
		s += "\nWARNING: the machine was busy with other work (load average above the CPU count): timings are inflated and noisy."
	}
	return s
}

func busy(load string) bool {
	var one float64
	if _, err := fmt.Sscan(load, &one); err != nil {
		return false
	}
	return one > float64(runtime.NumCPU())
}

func renderText(r *results, rows []row, checks []check) string {
	var b strings.Builder
	b.WriteString(header(r) + "\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tmedian\tp90\tsamples\tnotes")
	for _, x := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", x.name, x.median, x.p90, x.samples, x.notes)
	}
	tw.Flush()
	b.WriteString("\nTargets (issue 2):\n")
	for _, c := range checks {
		fmt.Fprintf(&b, "  %s  %s: %s\n", c.status, c.target, c.detail)
	}
	return b.String()
}

func mdEsc(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func renderMarkdown(r *results, rows []row, checks []check) string {
	var b strings.Builder
	b.WriteString("# casevault benchmark\n\n" + header(r) + "\n\n")
	b.WriteString("| measurement | median | p90 | samples | notes |\n|---|---:|---:|---:|---|\n")
	for _, x := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdEsc(strings.TrimSpace(x.name)), x.median, x.p90, x.samples, mdEsc(x.notes))
	}
	b.WriteString("\n## Targets (issue 2)\n\n")
	for _, c := range checks {
		fmt.Fprintf(&b, "- **%s** %s: %s\n", c.status, c.target, mdEsc(c.detail))
	}
	return b.String()
}
