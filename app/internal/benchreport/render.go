package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// ---- rendering ----

// timedHeader is a section's first line: what it measured, how long it
// took, and the load around it (with the busy-machine warning).
func timedHeader(what string, elapsed time.Duration, loadStart, loadEnd string) string {
	s := fmt.Sprintf("%s: took %s; load average %s at the start, %s at the end.", what, elapsed.Round(time.Second), loadStart, loadEnd)
	if busy(loadStart) || busy(loadEnd) {
		s += "\nWARNING: the machine was busy with other work (load average above the CPU count): wall times are inflated and noisy; the thread CPU times much less so."
	}
	return s
}

// rowsSection is what the daily and intake sections print: a table of
// rows, the errors, the targets checked and other figures.
type rowsSection struct {
	header, issue string // issue: "issue 11", as the targets' heading says it
	rows          []xrow
	errs          []string
	checks        []check
	info          []string
}

func (r rowsSection) text() string {
	var b strings.Builder
	b.WriteString(r.header + "\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tmedian\trange\truns\tnotes")
	for _, x := range r.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", x.name, x.median, x.spread, x.runs, x.notes)
	}
	tw.Flush()
	writeTailText(&b, r.issue, r.errs, r.checks, r.info)
	return b.String()
}

// writeTailText writes what follows a section's table in the text report:
// its errors, the targets checked for issue ("issue 11") and other figures,
// each in parentheses. writeTailMarkdown is the same in markdown.
func writeTailText(b *strings.Builder, issue string, errs []string, checks []check, info []string) {
	for _, e := range errs {
		fmt.Fprintf(b, "\nERROR: %s\n", e)
	}
	b.WriteString("\nTargets (" + issue + "):\n")
	for _, c := range checks {
		fmt.Fprintf(b, "  %s  %s: %s\n", c.status, c.target, c.detail)
	}
	for _, s := range info {
		fmt.Fprintf(b, "  (%s)\n", s)
	}
}

func (r rowsSection) markdown(title string) string {
	var b strings.Builder
	b.WriteString("\n## " + title + "\n\n" + strings.ReplaceAll(r.header, "\n", "\n\n") + "\n\n")
	b.WriteString("| measurement | median | range | runs | notes |\n|---|---:|---:|---:|---|\n")
	for _, x := range r.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdEsc(x.name), x.median, x.spread, x.runs, mdEsc(x.notes))
	}
	writeTailMarkdown(&b, r.issue, r.errs, r.checks, r.info)
	return b.String()
}

func writeTailMarkdown(b *strings.Builder, issue string, errs []string, checks []check, info []string) {
	for _, e := range errs {
		fmt.Fprintf(b, "\n**ERROR**: %s\n", mdEsc(e))
	}
	b.WriteString("\n### Targets (" + issue + ")\n\n")
	for _, c := range checks {
		fmt.Fprintf(b, "- **%s** %s: %s\n", c.status, c.target, mdEsc(c.detail))
	}
	for _, s := range info {
		fmt.Fprintf(b, "- %s\n", mdEsc(s))
	}
}
