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
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"casevault/app"
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

// timed is a pair of measurements taken alternately: wall time, and the
// calling thread's CPU time (the database runs on the calling goroutine,
// pinned to its thread), which the machine's load moves far less.
type timed struct{ wa, wb, ca, cb samples }

func (t *timed) add(u timed) {
	t.wa, t.wb = append(t.wa, u.wa...), append(t.wb, u.wb...)
	t.ca, t.cb = append(t.ca, u.ca...), append(t.cb, u.cb...)
}

// alternateCPU is alternate with the thread's CPU time beside the wall
// time.
func alternateCPU(n int, a, b func() error) (timed, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var t timed
	one := func(f func() error) (wall, cpu float64, err error) {
		c0 := threadTime()
		wall, err = timeIt(f)
		return wall, threadTime() - c0, err
	}
	if err := a(); err != nil {
		return t, err
	}
	if err := b(); err != nil {
		return t, err
	}
	for i := 0; i < n; i++ {
		w, c, err := one(a)
		if err != nil {
			return t, err
		}
		t.wa, t.ca = append(t.wa, w), append(t.ca, c)
		if w, c, err = one(b); err != nil {
			return t, err
		}
		t.wb, t.cb = append(t.wb, w), append(t.cb, c)
	}
	return t, nil
}

// pairRows adds the wall rows of a and b, and their CPU rows when measured,
// and the check of a against b on CPU time (wall time when the CPU time
// is not there).
func (x *peopleRunner) pairRows(t timed, aName, bName, aNote, bNote, target string, limit float64) {
	x.row(spanRow(bName, t.wb, "-", bNote))
	x.row(spanRow(aName, t.wa, "-", aNote))
	ca, cb := t.ca.mean(), t.cb.mean()
	cpu := ca > 0 && cb > 0
	if cpu {
		// The thread's CPU clock moves in steps of a scheduler tick: one
		// sample may read 0 or a whole tick, so the mean of many is the
		// figure, not the median.
		x.row(xrow{bName + " (thread CPU, mean)", fmtDur(cb), "-", fmt.Sprint(len(t.cb)), "-", "the same samples: CPU time of the calling thread"})
		x.row(xrow{aName + " (thread CPU, mean)", fmtDur(ca), "-", fmt.Sprint(len(t.ca)), "-", "the same samples: CPU time of the calling thread"})
	}
	ratio := t.wa.median() / t.wb.median()
	detail := "wall time: " + ratioNote(t.wa, t.wb, "filtered", "unfiltered")
	if cpu {
		ratio = ca / cb
		detail = fmt.Sprintf("thread CPU time: filtered / unfiltered = %.3f (means %s / %s); %s", ratio, fmtDur(ca), fmtDur(cb), detail)
	}
	st := "PASS"
	if ratio > limit {
		st = "FAIL"
	}
	x.check(check{st, target, detail})
}

func ratioNote(a, b samples, aName, bName string) string {
	return fmt.Sprintf("%s / %s = %.3f (medians %s / %s)", aName, bName, a.median()/b.median(), fmtDur(a.median()), fmtDur(b.median()))
}

// ---- the viewer's filtering ----

// filterRows: the 10,000-client vault with users and security classes (every
// 20th matter walled off from the paralegal, every 50th client restricted
// to another user), set up through the app as the owner would; then list
// and search as everyone (today's path: the owner, and every vault without
// classes) against the paralegal, whose reads are filtered: in the store
// alone, and through app sessions (the role's check, the audit entry).
func (x *peopleRunner) filterRows(dir string) {
	ctx := x.ctx
	walled, restricted, err := x.classify(dir)
	if err != nil {
		x.fail("users and classes", err)
		return
	}
	// The store alone.
	v, err := vault.Open(dir, vault.Passphrase(benchPass))
	if err != nil {
		x.fail("open", err)
		return
	}
	st, err := store.Open(ctx, v, store.Options{CheckpointBytes: -1})
	if err != nil {
		v.Close()
		x.fail("store open", err)
		return
	}
	var para store.Viewer
	err = st.View(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByName(benchParalegal)
		if err == nil {
			para.UserID = u.ID
		}
		return err
	})
	if err != nil {
		x.fail("the paralegal", err)
	} else {
		x.storeRows(st, para, walled, restricted)
	}
	st.Close(ctx)
	v.Close()
	// Through the app: the owner's session on the vault, the paralegal's
	// on a copy (a vault has one session at a time), side by side.
	x.appRows(dir)
}

const benchParalegal = "Paula"

var benchParalegalPass = []byte("copper kettle winter orchard 42")

// classify adds the paralegal and an attorney through the app, restricts
// every 50th client to the attorney and walls every 20th other matter off
// from the paralegal, then has the paralegal choose her passphrase.
func (x *peopleRunner) classify(dir string) (walled, restricted int, err error) {
	ctx := x.ctx
	s, _, err := openSession(ctx, dir)
	if err != nil {
		return 0, 0, err
	}
	one, err := s.AddUser(ctx, benchParalegal, "Paralegal", app.AddUserOptions{KDF: &testKDF})
	if err == nil {
		_, err = s.AddUser(ctx, "Ida", "Attorney", app.AddUserOptions{KDF: &testKDF})
	}
	for id := int64(1); err == nil && id <= int64(x.res.size); id++ {
		if id%50 == 0 {
			err = s.SetSecurityClass(ctx, store.KindClient, id, app.ClassRestricted, []string{"Ida"})
			restricted++
		} else if id%20 == 0 { // build gives client i its matter i
			err = s.SetSecurityClass(ctx, store.KindMatter, id, app.ClassWalled, []string{benchParalegal})
			walled++
		}
	}
	if cerr := s.Close(ctx); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, err
	}
	p, err := app.Open(ctx, dir, app.Passphrase([]byte(one)).ForUser(benchParalegal), app.Options{})
	if err != nil {
		return 0, 0, err
	}
	err = p.ChangeOwnPassphrase(ctx, benchParalegalPass, nil)
	if cerr := p.Close(ctx); err == nil {
		err = cerr
	}
	return walled, restricted, err
}

func (x *peopleRunner) storeRows(st2 *store.Store, para store.Viewer, walled, restricted int) {
	ctx := x.ctx
	var nEvery, nPara int
	list := func(v store.Viewer, n *int) func() error {
		return func() error {
			return st2.ViewAs(ctx, v, func(tx *store.Tx) error {
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
	lt, err := alternateCPU(n, list(para, &nPara), list(store.Everyone, &nEvery))
	if err != nil {
		x.fail("list", err)
		return
	}
	x.infof("the filtered vault: %s clients, %d restricted to another user, %d matters walled off from the paralegal; the paralegal's list has %s clients, everyone's %s",
		fmtCount(x.res.size), restricted, walled, fmtCount(nPara), fmtCount(nEvery))
	x.pairRows(lt, fmt.Sprintf("store: list %s clients, paralegal", fmtCount(x.res.size)), fmt.Sprintf("store: list %s clients, everyone (today's path)", fmtCount(x.res.size)),
		"the same, filtered by the paralegal's viewer", "tx.ListClientSummaries as store.Everyone (the owner)",
		"store: list of clients, the paralegal's filter ≤ 10 % over everyone's", 1.10)

	searches, rounds := x.searches()
	var st timed
	progress("people: search, %d queries", len(searches))
	for round := 0; round < rounds; round++ {
		for _, q := range searches {
			search := func(v store.Viewer) func() error {
				return func() error {
					return st2.ViewAs(ctx, v, func(tx *store.Tx) error { _, err := tx.Search(q, 20); return err })
				}
			}
			u, err := alternateCPU(1, search(para), search(store.Everyone))
			if err != nil {
				x.fail("search", err)
				return
			}
			st.add(u)
		}
	}
	x.pairRows(st, "store: search (20 hits), paralegal", "store: search (20 hits), everyone (today's path)",
		"the same queries, filtered", fmt.Sprintf("tx.Search of %d surnames, %d times each", len(searches), rounds),
		"store: search, the paralegal's filter ≤ 10 % over everyone's", 1.10)
}

func (x *peopleRunner) searches() ([]string, int) {
	_, searches := queries(genPeople(x.res.size, x.c.seed), x.c.qsamples, x.c.seed)
	if x.c.quick {
		return searches, 2
	}
	return searches, 5
}

// appRows: Session.ListClientSummaries and Session.Search (each with its
// role check and its audit entry, a durable write) as the owner and as the
// paralegal, alternately.
func (x *peopleRunner) appRows(dir string) {
	ctx := x.ctx
	copyDir := dir + "-paralegal"
	if err := copyTree(dir, copyDir); err != nil {
		x.fail("copy", err)
		return
	}
	owner, _, err := openSession(ctx, dir)
	if err != nil {
		x.fail("owner's session", err)
		return
	}
	defer owner.Close(ctx)
	para, err := app.Open(ctx, copyDir, app.Passphrase(benchParalegalPass).ForUser(benchParalegal), app.Options{})
	if err != nil {
		x.fail("paralegal's session", err)
		return
	}
	defer para.Close(ctx)
	list := func(s *app.Session) func() error {
		return func() error { _, err := s.ListClientSummaries(ctx, store.ByName); return err }
	}
	n := 20
	if x.c.quick {
		n = 5
	}
	progress("people: app list, %d alternating pairs", n)
	lt, err := alternateCPU(n, list(para), list(owner))
	if err != nil {
		x.fail("app list", err)
		return
	}
	x.pairRows(lt, fmt.Sprintf("app: list %s clients, paralegal", fmtCount(x.res.size)), fmt.Sprintf("app: list %s clients, owner", fmtCount(x.res.size)),
		"the same as the paralegal (a copy of the vault)", "Session.ListClientSummaries: role check, store, audit entry",
		"app: list of clients, the paralegal ≤ 10 % over the owner", 1.10)
	searches, _ := x.searches()
	var st timed
	for _, q := range searches {
		search := func(s *app.Session) func() error {
			return func() error { _, err := s.Search(ctx, q, 20); return err }
		}
		u, err := alternateCPU(1, search(para), search(owner))
		if err != nil {
			x.fail("app search", err)
			return
		}
		st.add(u)
	}
	x.pairRows(st, "app: search (20 hits), paralegal", "app: search (20 hits), owner",
		"the same as the paralegal", fmt.Sprintf("Session.Search of %d surnames: role check, store, audit entry", len(searches)),
		"app: search, the paralegal ≤ 10 % over the owner", 1.10)
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
