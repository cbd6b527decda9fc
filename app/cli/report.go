package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"casevault/app"
	"casevault/app/human"
)

// The "who saw what" reports (app.AccessReport, app.ActivityReport) on the
// command line: a table on the terminal, or the printable page (--html
// FILE), CSV (--csv FILE), or the page opened in the browser (--open).

type reportOpts struct {
	from, to   string
	html, csv  string
	open       bool
	fromT, toT time.Time
}

func (r *runner) reportFlags(name string, args []string) (*reportOpts, []string, error) {
	fs := r.flags(name)
	o := &reportOpts{}
	fs.StringVar(&o.from, "from", "", "first day, `YYYY-MM-DD` (default: the first entry)")
	fs.StringVar(&o.to, "to", "", "last day, `YYYY-MM-DD`, included (default: now)")
	fs.StringVar(&o.html, "html", "", "write the printable page to FILE")
	fs.StringVar(&o.csv, "csv", "", "write the entries as CSV to FILE (- = standard output)")
	fs.BoolVar(&o.open, "open", false, "open the printable page in the browser (from a private temporary file, deleted afterwards)")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, nil, err
	}
	n := 0
	for _, b := range []bool{o.html != "", o.csv != "", o.open} {
		if b {
			n++
		}
	}
	if n > 1 {
		return nil, nil, usagef("give one of --html FILE, --csv FILE and --open")
	}
	if o.fromT, o.toT, err = dayRange(o.from, o.to); err != nil {
		return nil, nil, err
	}
	return o, pos, nil
}

// dateFlag reads the day given to --name (human.ParseDate: local
// midnight); a day that does not exist says so ("--opened: 1980-02-30 is
// not a real date: February 1980 has 29 days").
func dateFlag(name, v string) (time.Time, error) {
	d, err := human.ParseDate(v)
	if err != nil {
		return d, usagef("--%s: %v", name, err)
	}
	return d, nil
}

// dayRange reads --from and --to days (local time; to is included, so the
// range ends at the next midnight).
func dayRange(from, to string) (f, t time.Time, err error) {
	if from != "" {
		if f, err = dateFlag("from", from); err != nil {
			return f, t, err
		}
	}
	if to != "" {
		d, err := dateFlag("to", to)
		if err != nil {
			return f, t, err
		}
		t = d.AddDate(0, 0, 1)
	}
	if !f.IsZero() && !t.IsZero() && !f.Before(t) {
		return f, t, usagef("--from %s is after --to %s", from, to)
	}
	return f, t, nil
}

func (r *runner) reportAccess(args []string) error {
	o, pos, err := r.reportFlags("report access", args)
	if err != nil {
		return err
	}
	id, err := oneID("client", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		rep, err := s.AccessReport(r.ctx, id, o.fromT, o.toT)
		if err != nil {
			return err
		}
		return r.showReport(s, rep, rep.Rows, rep.Notes, o)
	})
}

func (r *runner) reportActivity(args []string) error {
	o, pos, err := r.reportFlags("report activity", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return usagef("give exactly one user name: casevault report activity NAME")
	}
	return r.open(func(s *app.Session) error {
		rep, err := s.ActivityReport(r.ctx, pos[0], o.fromT, o.toT)
		if err != nil {
			return err
		}
		return r.showReport(s, rep, rep.Rows, rep.Notes, o)
	})
}

func (r *runner) showReport(s *app.Session, rep app.Report, rows []app.ReportRow, notes []string, o *reportOpts) error {
	switch {
	case o.html != "":
		return r.saveReport(s, rep, o.html, "HTML")
	case o.csv != "":
		return r.saveReport(s, rep, o.csv, "CSV")
	case o.open:
		return r.openPage(rep.WriteHTML)
	}
	return r.out(rep, func(w io.Writer) {
		for _, n := range notes {
			fmt.Fprintf(w, "Note: %s\n", cell(n))
		}
		if len(rows) == 0 {
			fmt.Fprintln(w, "No entries in this period.")
			return
		}
		fmt.Fprintln(w, "WHEN\tWHO\tWHAT\tRECORD\tACTION")
		for _, x := range rows {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", human.Stamp(x.At), cell(x.Who), cell(x.What), cell(x.Record), cell(x.Action))
		}
	})
}

// saveReport writes the report to path ("-": standard output, for CSV)
// through s.SaveReport (which checks the role may save reports and records
// it). A file that exists is not overwritten; a failed write removes what
// it wrote.
func (r *runner) saveReport(s *app.Session, rep app.Report, path, format string) error {
	if path == "-" {
		if format != "CSV" {
			return usagef("--html needs a file name (the page is not for a terminal)")
		}
		bw := bufio.NewWriter(r.env.Stdout)
		if err := s.SaveReport(r.ctx, rep, format, bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := writeNew(path, "the report", func(w io.Writer) error { return s.SaveReport(r.ctx, rep, format, w) }); err != nil {
		return err
	}
	fmt.Fprintf(r.env.Stderr, "Report written to %s. It holds client data in plain text: keep it safe and delete it when done.\n", human.EscapeText(path))
	return nil
}

// writeNew writes a new file at path (0600, never over a file that exists)
// through write, buffered and synced; a failed write removes the file. An
// error of write is returned as it is (a refusal stays one); what (e.g.
// "the report") names the file in the others.
func writeNew(path, what string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists; give a new file name (nothing was written)", path)
	}
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: there is no folder %s; give a file in a folder that exists (nothing was written)", path, filepath.Dir(path))
	}
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("%s: you may not write in the folder %s; give a file in a folder of yours (nothing was written)", path, filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", what, err)
	}
	bw := bufio.NewWriter(f)
	if err = write(bw); err == nil {
		if err = bw.Flush(); err == nil {
			err = f.Sync()
		}
		if err != nil {
			err = fmt.Errorf("writing %s: %w", what, err)
		}
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing %s: %w", what, cerr)
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// reportKeep is how long an opened report's file stays when there is no
// terminal to say when the browser has it.
const reportKeep = 30 * time.Second

// reportKeepMax is how long it stays at most while waiting for Enter.
const reportKeepMax = 10 * time.Minute

// openPage writes a report's page (write) to a private temporary file,
// opens it in the browser and deletes it: after Enter on a terminal (or
// reportKeepMax), else after reportKeep.
func (r *runner) openPage(write func(io.Writer) error) error {
	path, remove, inMemory, err := app.ReportTempFile(write)
	if err != nil {
		return err
	}
	defer remove()
	openFn := r.env.OpenBrowser
	if openFn == nil {
		openFn = app.OpenInBrowser
	}
	if err := openFn(path); err != nil {
		return err
	}
	where := "a private temporary file"
	if !inMemory {
		where = "a private temporary file on disk"
	}
	sleep := r.env.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	if r.env.StdinFD >= 0 && term.IsTerminal(r.env.StdinFD) && !r.stdinP {
		fmt.Fprintf(r.env.Stderr, "The report is open in your browser, from %s. Print or save it there, then press Enter to delete the file (it is deleted in %s in any case).\n",
			where, human.Duration(reportKeepMax))
		ctx, cancel := context.WithTimeout(r.ctx, reportKeepMax)
		defer cancel()
		done := make(chan struct{})
		go func() {
			bufio.NewReader(r.env.Stdin).ReadString('\n')
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
		}
		return nil
	}
	fmt.Fprintf(r.env.Stderr, "The report is open in your browser, from %s that is deleted in %s.\n", where, human.Duration(reportKeep))
	_ = sleep(r.ctx, reportKeep) // Ctrl-C deletes it at once
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
