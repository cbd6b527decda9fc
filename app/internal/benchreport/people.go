package main

// The measurements of issue 10 ("people and permissions"), -only people:
// unlock per user at 1 and 20 users (unlock picks the slot by the user's
// tag: its time must not grow with the users), the cost of the viewer's
// filtering (security classes) on a list of 10,000 clients and on search,
// against today's unfiltered path in the same run, and a key rotation at
// 10,000 clients against a plain checkpoint of the same vault. Every
// comparison is a ratio of medians of samples taken alternately (A, B, A,
// B, ...) in one process, so the machine's load hits both sides alike.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"casevault/store"
	"casevault/vault"
)

type peopleResults struct {
	rows      []xrow
	checks    []check
	info      []string
	errs      []string
	started   time.Time
	elapsed   time.Duration
	loadStart string
	loadEnd   string
	size      int
}

type peopleRunner struct {
	c   config
	res *peopleResults
	tmp string
	ctx context.Context
}

func (x *peopleRunner) row(r xrow)    { x.res.rows = append(x.res.rows, r) }
func (x *peopleRunner) check(c check) { x.res.checks = append(x.res.checks, c) }
func (x *peopleRunner) infof(f string, a ...any) {
	x.res.info = append(x.res.info, fmt.Sprintf(f, a...))
}
func (x *peopleRunner) fail(what string, err error) {
	x.res.errs = append(x.res.errs, fmt.Sprintf("%s: %v", what, err))
	progress("people: %s: %v", what, err)
}

// peopleSection runs the issue-10 measurements.
func peopleSection(c config, tmp string) *peopleResults {
	x := &peopleRunner{c: c, tmp: tmp, ctx: context.Background(),
		res: &peopleResults{started: time.Now(), loadStart: loadavg(), size: 10000}}
	if c.quick {
		x.res.size = 1000
	}
	x.unlockRows()
	dir := filepath.Join(tmp, "people-vault")
	progress("people: building a vault of %s clients", fmtCount(x.res.size))
	var br buildResult
	if err := spawn(c, &br, "-child", "build", "-dir", dir, "-n", fmt.Sprint(x.res.size)); err != nil {
		x.fail("build", err)
	} else {
		x.filterRows(dir)
		x.rotationRows(dir)
	}
	x.res.loadEnd = loadavg()
	x.res.elapsed = time.Since(x.res.started)
	return x.res
}

// alternate runs a and b n times each, alternately, and returns their
// durations in seconds.
func alternate(n int, a, b func() error) (sa, sb samples, err error) {
	// One untimed pair first: caches, the Go heap's growth.
	if err := a(); err != nil {
		return nil, nil, err
	}
	if err := b(); err != nil {
		return nil, nil, err
	}
	for i := 0; i < n; i++ {
		da, err := timeIt(a)
		if err != nil {
			return nil, nil, err
		}
		db, err := timeIt(b)
		if err != nil {
			return nil, nil, err
		}
		sa, sb = append(sa, da), append(sb, db)
	}
	return sa, sb, nil
}

func ratioNote(a, b samples, aName, bName string) string {
	return fmt.Sprintf("%s / %s = %.3f (medians %s / %s)", aName, bName, a.median()/b.median(), fmtDur(a.median()), fmtDur(b.median()))
}

// ---- the viewer's filtering ----

// filterRows: the 10,000-client vault with users and security classes (every
// 20th matter walled off from the paralegal, every 50th client restricted
// to another user); list and search as everyone (today's path: the owner,
// and every vault without classes) against the paralegal, whose reads are
// filtered.
func (x *peopleRunner) filterRows(dir string) {
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
	var pat int64
	walled, restricted := 0, 0
	err = st.Update(ctx, func(tx *store.Tx) error {
		now := time.Now()
		var err error
		if pat, err = tx.InsertUser(&store.User{Name: "Pat", Role: "Paralegal", Status: store.UserActive}, now); err != nil {
			return err
		}
		ida, err := tx.InsertUser(&store.User{Name: "Ida", Role: "Attorney", Status: store.UserActive}, now)
		if err != nil {
			return err
		}
		for id := int64(1); id <= int64(x.res.size); id++ {
			if id%50 == 0 {
				if err := tx.SetSecurityClass(store.KindClient, id, store.ClassRestricted, []int64{ida}); err != nil {
					return err
				}
				restricted++
			} else if id%20 == 0 {
				// build gives client i its matter i.
				if err := tx.SetSecurityClass(store.KindMatter, id, store.ClassWalled, []int64{pat}); err != nil {
					return err
				}
				walled++
			}
		}
		return nil
	})
	if err != nil {
		x.fail("classes", err)
		return
	}
	para := store.Viewer{UserID: pat}
	var nEvery, nPara int
	list := func(v store.Viewer, n *int) func() error {
		return func() error {
			return st.ViewAs(ctx, v, func(tx *store.Tx) error {
				l, err := tx.ListClientSummaries(store.ByName)
				*n = len(l)
				return err
			})
		}
	}
	n := 30
	if x.c.quick {
		n = 10
	}
	progress("people: list of %s clients, %d alternating pairs", fmtCount(x.res.size), n)
	sp, se, err := alternate(n, list(para, &nPara), list(store.Everyone, &nEvery))
	if err != nil {
		x.fail("list", err)
		return
	}
	x.infof("the filtered vault: %s clients, %d restricted to another user, %d matters walled off from the paralegal; the paralegal's list has %s clients, everyone's %s",
		fmtCount(x.res.size), restricted, walled, fmtCount(nPara), fmtCount(nEvery))
	x.row(spanRow(fmt.Sprintf("list %s clients, everyone (today's path)", fmtCount(x.res.size)), se, "-", "tx.ListClientSummaries as store.Everyone (the owner)"))
	x.row(spanRow(fmt.Sprintf("list %s clients, paralegal", fmtCount(x.res.size)), sp, "-", "the same, filtered by the paralegal's viewer"))
	x.ratioCheck("list of clients: the paralegal's filter ≤ 10 % over everyone's", sp, se, 1.10)

	_, searches := queries(genPeople(x.res.size, x.c.seed), x.c.qsamples, x.c.seed)
	i := 0
	search := func(v store.Viewer) func() error {
		return func() error {
			q := searches[i%len(searches)]
			return st.ViewAs(ctx, v, func(tx *store.Tx) error { _, err := tx.Search(q, 20); return err })
		}
	}
	var ssp, sse samples
	progress("people: search, %d queries", len(searches))
	rounds := 5
	if x.c.quick {
		rounds = 2
	}
	for round := 0; round < rounds; round++ {
		for i = 0; i < len(searches); i++ {
			a, b, err := alternate(1, search(para), search(store.Everyone))
			if err != nil {
				x.fail("search", err)
				return
			}
			ssp, sse = append(ssp, a...), append(sse, b...)
		}
	}
	x.row(spanRow("search (20 hits), everyone (today's path)", sse, "-", fmt.Sprintf("tx.Search of %d surnames, %d times each", len(searches), rounds)))
	x.row(spanRow("search (20 hits), paralegal", ssp, "-", "the same queries, filtered"))
	x.ratioCheck("search: the paralegal's filter ≤ 10 % over everyone's", ssp, sse, 1.10)
}

func (x *peopleRunner) ratioCheck(target string, a, b samples, limit float64) {
	st := "PASS"
	if a.median()/b.median() > limit {
		st = "FAIL"
	}
	x.check(check{st, target, ratioNote(a, b, "filtered", "unfiltered")})
}

// ---- rendering ----

func (r *peopleResults) header() string {
	s := fmt.Sprintf("Issue 10 (people and permissions): took %s; load average %s at the start, %s at the end.",
		r.elapsed.Round(time.Second), r.loadStart, r.loadEnd)
	if busy(r.loadStart) || busy(r.loadEnd) {
		s += "\nWARNING: the machine was busy with other work (load average above the CPU count): timings are inflated and noisy; the ratios (samples taken alternately) much less so."
	}
	return s
}

func renderPeopleText(r *peopleResults) string {
	var b strings.Builder
	b.WriteString(r.header() + "\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tmedian\trange\truns\tnotes")
	for _, x := range r.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", x.name, x.median, x.spread, x.runs, x.notes)
	}
	tw.Flush()
	for _, e := range r.errs {
		fmt.Fprintf(&b, "\nERROR: %s\n", e)
	}
	b.WriteString("\nTargets (issue 10):\n")
	for _, c := range r.checks {
		fmt.Fprintf(&b, "  %s  %s: %s\n", c.status, c.target, c.detail)
	}
	if len(r.info) > 0 {
		b.WriteString("Other figures:\n")
		for _, s := range r.info {
			fmt.Fprintf(&b, "  %s\n", s)
		}
	}
	return b.String()
}

func renderPeopleMarkdown(r *peopleResults) string {
	var b strings.Builder
	b.WriteString("\n## Issue 10: people and permissions\n\n" + strings.ReplaceAll(r.header(), "\n", "\n\n") + "\n\n")
	b.WriteString("| measurement | median | range | runs | notes |\n|---|---:|---:|---:|---|\n")
	for _, x := range r.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdEsc(x.name), x.median, x.spread, x.runs, mdEsc(x.notes))
	}
	for _, e := range r.errs {
		fmt.Fprintf(&b, "\n**ERROR**: %s\n", mdEsc(e))
	}
	b.WriteString("\n### Targets (issue 10)\n\n")
	for _, c := range r.checks {
		fmt.Fprintf(&b, "- **%s** %s: %s\n", c.status, c.target, mdEsc(c.detail))
	}
	if len(r.info) > 0 {
		b.WriteString("\nOther figures:\n\n")
		for _, s := range r.info {
			fmt.Fprintf(&b, "- %s\n", mdEsc(s))
		}
	}
	return b.String()
}
