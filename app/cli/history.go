package cli

// The conflict check history (issue 11, h2's app functions): conflicts
// list, show and report.

import (
	"fmt"
	"io"
	"strings"

	"casevault/app"
	"casevault/app/human"
)

// conflictID is the one check id of "conflicts show|decide|report", with
// the way to check a name that is that word.
func conflictID(sub string, pos []string) (int64, error) {
	if len(pos) != 1 {
		return 0, usagef("give exactly one conflict check id, as conflicts list shows (to check the name %q for conflicts: casevault conflicts check %s)", sub, sub)
	}
	return parseID("conflict check", pos[0])
}

// decisionWords is a decision in a list's cell: "undecided", "clear",
// "conflict", "waived".
func decisionWords(d string) string {
	if d == "" {
		return "undecided"
	}
	return d
}

// contextWords says what a check was for: "by hand", "new party 17 in
// matter 4".
func contextWords(c string) string {
	if c == "" {
		return "by hand"
	}
	var parts []string
	for _, f := range strings.Fields(c) {
		kind, id, _ := strings.Cut(f, ":")
		switch kind {
		case "client", "party":
			parts = append(parts, "new "+kind+" "+id)
		default:
			parts = append(parts, kind+" "+id)
		}
	}
	return "on saving " + strings.Join(parts, " in ")
}

func (r *runner) conflictsList(args []string) error {
	fs := r.flags("conflicts list")
	decision := fs.String("decision", "", "only checks decided so: undecided, clear, conflict or waived")
	name := fs.String("name", "", "only checks that looked for this `NAME` (or part of it)")
	limit := fs.Int("limit", 50, "at most this many checks, newest first")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("conflicts list takes only flags, not %q (to check it for conflicts: casevault conflicts check %s)", pos[0], quoteArg(pos[0]))
	}
	switch *decision {
	case "", "undecided", "clear", "conflict", "waived":
	default:
		return usagef("--decision is undecided, clear, conflict or waived, not %q", *decision)
	}
	if *limit <= 0 {
		return usagef("--limit needs a whole number above 0, not %d", *limit)
	}
	return r.open(func(s *app.Session) error {
		list, total, err := s.ListConflictChecks(r.ctx, app.ConflictFilter{Query: *name, Decision: *decision, Limit: *limit})
		if err != nil {
			return err
		}
		type checkJSON struct {
			ID        int64    `json:"id"`
			At        string   `json:"at"`
			Actor     string   `json:"actor"`
			Names     []string `json:"names"`
			HitCount  int      `json:"hit_count"`
			Decision  string   `json:"decision"`
			DecidedAt string   `json:"decided_at,omitempty"`
			Context   string   `json:"context,omitempty"`
		}
		js := struct {
			Total  int         `json:"total"`
			Checks []checkJSON `json:"checks"`
		}{Total: total, Checks: []checkJSON{}}
		for _, c := range list {
			j := checkJSON{ID: c.ID, At: c.At.UTC().Format(jsonTime), Actor: c.Actor, Names: c.Names, HitCount: c.HitCount, Decision: c.Decision, Context: c.Context}
			if !c.DecidedAt.IsZero() {
				j.DecidedAt = c.DecidedAt.UTC().Format(jsonTime)
			}
			js.Checks = append(js.Checks, j)
		}
		return r.out(js, func(w io.Writer) {
			if len(list) == 0 {
				fmt.Fprintln(w, "No conflict checks match.")
				return
			}
			shown := human.Count(len(list), "conflict check", "conflict checks")
			if total > len(list) {
				shown = human.Of(len(list), total, "conflict check", "conflict checks")
			}
			fmt.Fprintf(w, "%s, newest first:\n\n", shown)
			fmt.Fprintln(w, "ID\tWHEN\tWHO\tNAMES\tMATCHES\tDECISION")
			for _, c := range list {
				var names []string
				for _, n := range c.Names {
					names = append(names, cell(n))
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%s\n", c.ID, human.Stamp(c.At), cell(c.Actor), human.Truncate(strings.Join(names, "; "), 60), c.HitCount, decisionWords(c.Decision))
			}
			if total > len(list) {
				fmt.Fprintf(w, "\nMore with --limit %d, or narrow with --name NAME or --decision.\n", total)
			}
		})
	})
}

func (r *runner) conflictsShow(args []string) error {
	fs := r.flags("conflicts show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := conflictID("show", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		d, err := s.GetConflictCheck(r.ctx, id)
		if err != nil {
			return err
		}
		return r.out(d, func(w io.Writer) {
			res := &app.ConflictResult{CheckID: d.ID, Names: d.Names, Hits: d.Hits}
			fmt.Fprintf(w, "Conflict check %d\n", d.ID)
			fmt.Fprintf(w, "Checked\t%s by %s, %s\n", human.Stamp(d.At), cell(d.Actor), contextWords(d.Context))
			if len(d.History) == 0 {
				fmt.Fprintln(w, "Decision\tnot decided yet")
			}
			for i, h := range d.History {
				label := "Decision"
				if i < len(d.History)-1 {
					label = "Earlier decision"
				}
				fmt.Fprintf(w, "%s\t%s, %s by %s\n", label, app.DecisionLabel(h.Decision), human.Stamp(h.At), cell(app.DecisionActor(h.Actor)))
				if h.Note != "" {
					fmt.Fprintf(w, "\t  Note: %s\n", lines(h.Note))
				}
			}
			r.hitLines(w, res)
			verb := "Record the decision"
			if len(d.History) > 0 {
				verb = "To decide again (the decisions above are kept)"
			}
			fmt.Fprintf(w, "\n%s: casevault conflicts decide %d%s --decision clear|conflict|waived --note \"...\"\n", verb, d.ID, r.vaultFlag())
		})
	})
}

func (r *runner) conflictsReport(args []string) error {
	fs := r.flags("conflicts report")
	html := fs.String("html", "", "write the printable page to `FILE` (a file that exists is not overwritten)")
	open := fs.Bool("open", false, "open the printable page in the browser (from a private temporary file, deleted afterwards)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := conflictID("report", pos)
	if err != nil {
		return err
	}
	if *html != "" && *open {
		return usagef("give --html FILE or --open, not both")
	}
	return r.open(func(s *app.Session) error {
		rep, err := s.ConflictReport(r.ctx, id)
		if err != nil {
			return err
		}
		if *html == "" && !*open {
			return r.out(rep, func(w io.Writer) { rep.WriteText(w) })
		}
		if *open {
			return r.openPage(rep.WriteHTML)
		}
		if err := writeNew(*html, "the conflict check report", func(w io.Writer) error {
			return s.SaveConflictReport(r.ctx, rep, w)
		}); err != nil {
			return err
		}
		return r.out(struct {
			ID   int64  `json:"id"`
			File string `json:"file"`
		}{id, *html}, func(w io.Writer) {
			fmt.Fprintf(w, "Conflict check report %d written to %s. It names clients and parties: keep it with the file, and delete other copies.\n", id, cell(*html))
		})
	})
}
