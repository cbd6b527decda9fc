package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"casevault/app"
	"casevault/app/human"
	"casevault/app/incident"
)

// "casevault incident": record that something happened, work through its
// checklist, mark the clients it affects and who was told, and print the
// notification pack (app/incidents.go).

// incidentJSON is an incident for --json: times as jsonTime, "" when not
// set.
type incidentJSON struct {
	ID         int64                `json:"id"`
	Kind       string               `json:"kind"`
	Label      string               `json:"label"`
	HappenedAt string               `json:"happened_at,omitempty"`
	OpenedAt   string               `json:"opened_at"`
	OpenedBy   string               `json:"opened_by"`
	ClosedAt   string               `json:"closed_at,omitempty"`
	ClosedBy   string               `json:"closed_by,omitempty"`
	Summary    string               `json:"summary,omitempty"`
	Drive      string               `json:"drive,omitempty"`
	Done       int                  `json:"steps_done"`
	Steps      []incidentStepJSON   `json:"steps,omitempty"`
	Affected   []affectedClientJSON `json:"affected,omitempty"`
}

type incidentStepJSON struct {
	Key    string `json:"key"`
	Text   string `json:"text"`
	Why    string `json:"why"`
	DoneAt string `json:"done_at,omitempty"`
	DoneBy string `json:"done_by,omitempty"`
	Note   string `json:"note,omitempty"`
}

type affectedClientJSON struct {
	ClientID   int64  `json:"client_id"`
	Label      string `json:"label"`
	Register   string `json:"register,omitempty"`
	Gone       bool   `json:"gone,omitempty"`
	Hidden     bool   `json:"hidden,omitempty"`
	NotifiedAt string `json:"notified_at,omitempty"`
	NotifiedBy string `json:"notified_by,omitempty"`
}

func jsonWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(jsonTime)
}

func affectedJSON(list []app.AffectedClient) []affectedClientJSON {
	out := make([]affectedClientJSON, 0, len(list))
	for _, a := range list {
		out = append(out, affectedClientJSON{ClientID: a.ClientID, Label: a.Label, Register: a.Register, Gone: a.Gone, Hidden: a.Hidden,
			NotifiedAt: jsonWhen(a.NotifiedAt), NotifiedBy: a.NotifiedBy})
	}
	return out
}

func toIncidentJSON(in *app.Incident, steps bool) incidentJSON {
	js := incidentJSON{ID: in.ID, Kind: string(in.Kind), Label: in.Label, HappenedAt: jsonWhen(in.HappenedAt), OpenedAt: jsonWhen(in.OpenedAt),
		OpenedBy: in.OpenedBy, ClosedAt: jsonWhen(in.ClosedAt), ClosedBy: in.ClosedBy, Summary: in.Summary, Drive: in.RepoID, Done: in.Done()}
	if steps {
		js.Steps = make([]incidentStepJSON, 0, len(in.Steps))
		for _, s := range in.Steps {
			js.Steps = append(js.Steps, incidentStepJSON{Key: s.Key, Text: s.Text, Why: s.Why, DoneAt: jsonWhen(s.DoneAt), DoneBy: s.DoneBy, Note: s.Note})
		}
		if in.Affected != nil {
			js.Affected = affectedJSON(in.Affected)
		}
	}
	return js
}

// stepWord is a step's key as typed on the command line: "last-seen".
func stepWord(key string) string { return strings.ReplaceAll(key, "_", "-") }

// incidentNew is "incident new KIND [--when DATE] [--summary T] [--repo ID|DIR]".
func (r *runner) incidentNew(args []string) error {
	fs := r.flags("incident new")
	when := fs.String("when", "", "the day it happened, `YYYY-MM-DD` (default: not known)")
	summary := fs.String("summary", "", "what happened, in a few words (no client names: they would stay in the record if the client's file is destroyed)")
	repo := fs.String("repo", "", "for a lost backup drive: the drive, by its id or its folder (\"casevault backup drives\" lists them)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one kind of incident: casevault incident new KIND, where KIND is one of %s", kindWords())
	}
	kind, err := incident.ParseKind(pos[0])
	if err != nil {
		return usagef("%s", human.Capitalize(err.Error()))
	}
	var at time.Time
	if *when != "" {
		if at, err = dateFlag("when", *when); err != nil {
			return err
		}
	}
	if strings.TrimSpace(*repo) != "" && kind != incident.LostBackup {
		return usagef("--repo names a lost backup drive; it is only for \"casevault incident new lost-backup\"")
	}
	return r.open(func(s *app.Session) error {
		id, err := s.StartIncident(r.ctx, app.IncidentInput{Kind: kind, HappenedAt: at, Summary: *summary, RepoID: *repo})
		if err != nil {
			return err
		}
		in, err := s.Incident(r.ctx, id)
		if err != nil {
			return err
		}
		return r.out(toIncidentJSON(in, true), func(w io.Writer) {
			fmt.Fprintf(w, "Incident %d recorded: %s.\n", id, in.Label)
			if in.RepoID != "" && in.Affected != nil {
				fmt.Fprintf(w, "%s had files on that drive (see them with: casevault incident clients %d).\n",
					human.Capitalize(human.Count(len(in.Affected), "client", "clients")), id)
			}
			fmt.Fprintf(w, "\nWhat to do now, in order (tick each with: casevault incident done %d STEP):\n", id)
			for i, st := range in.Steps {
				fmt.Fprintf(w, "%2d. %s [%s]\n    Why: %s\n", i+1, cell(st.Text), stepWord(st.Key), cell(st.Why))
			}
		})
	})
}

func kindWords() string {
	var out []string
	for _, k := range incident.Kinds() {
		out = append(out, stepWord(string(k)))
	}
	return strings.Join(out, ", ")
}

// incidentList is "incident list".
func (r *runner) incidentList(args []string) error {
	fs := r.flags("incident list")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("incident list takes no arguments, not %q (to see one: casevault incident show ID)", pos[0])
	}
	return r.open(func(s *app.Session) error {
		list, err := s.Incidents(r.ctx)
		if err != nil {
			return err
		}
		js := make([]incidentJSON, 0, len(list))
		for _, in := range list {
			js = append(js, toIncidentJSON(in, false))
		}
		return r.out(js, func(w io.Writer) {
			if len(list) == 0 {
				fmt.Fprintln(w, "No incidents recorded. If something happened: casevault incident new KIND (casevault incident new --help lists the kinds).")
				return
			}
			fmt.Fprintln(w, "ID\tWHAT\tHAPPENED\tRECORDED\tSTEPS DONE\tSTATUS")
			for _, in := range list {
				status := "open"
				if in.Closed() {
					status = "closed " + human.Date(in.ClosedAt)
				}
				happened := "not known"
				if !in.HappenedAt.IsZero() {
					happened = human.Date(in.HappenedAt)
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s by %s\t%d of %d\t%s\n", in.ID, in.Label, happened, human.Date(in.OpenedAt), cell(in.OpenedBy), in.Done(), len(in.Steps), status)
			}
		})
	})
}

// incidentShow is "incident show ID".
func (r *runner) incidentShow(args []string) error {
	fs := r.flags("incident show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("incident", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		in, err := s.Incident(r.ctx, id)
		if err != nil {
			return err
		}
		return r.out(toIncidentJSON(in, true), func(w io.Writer) {
			fmt.Fprintf(w, "Incident %d\t%s\n", in.ID, in.Label)
			if in.HappenedAt.IsZero() {
				fmt.Fprintln(w, "Happened\tnot known")
			} else {
				fmt.Fprintf(w, "Happened\t%s\n", human.Date(in.HappenedAt))
			}
			fmt.Fprintf(w, "Recorded\t%s by %s\n", human.Stamp(in.OpenedAt), cell(in.OpenedBy))
			if in.Closed() {
				fmt.Fprintf(w, "Closed\t%s by %s\n", human.Stamp(in.ClosedAt), cell(in.ClosedBy))
			} else {
				fmt.Fprintln(w, "Status\topen")
			}
			if r := in.Repository; r != nil {
				fmt.Fprintf(w, "Lost drive\t%s (%s)\n", cell(r.Target), cell(r.RepoID))
				if len(r.Slots) > 0 {
					fmt.Fprintf(w, "Opens with\t%s. Nothing else opens it: every backup is encrypted.\n", cell(strings.Join(r.Slots, ", ")))
				}
			} else if in.RepoID != "" {
				fmt.Fprintf(w, "Lost drive\t%s\n", cell(in.RepoID))
			}
			if in.Summary != "" {
				fmt.Fprintf(w, "Summary\t%s\n", lines(in.Summary))
			}
			fmt.Fprintf(w, "\nSteps (%d of %d done; tick with: casevault incident done %d STEP):\n", in.Done(), len(in.Steps), in.ID)
			for i, st := range in.Steps {
				mark := "[ ]"
				if !st.DoneAt.IsZero() {
					mark = "[x]"
				}
				fmt.Fprintf(w, "%s %2d. %s [%s]\n", mark, i+1, cell(st.Text), stepWord(st.Key))
				if !st.DoneAt.IsZero() {
					fmt.Fprintf(w, "        done %s by %s\n", human.Stamp(st.DoneAt), cell(st.DoneBy))
				}
				if st.Note != "" {
					fmt.Fprintf(w, "        note: %s\n", cell(st.Note))
				}
			}
			switch {
			case in.Affected == nil:
				fmt.Fprintln(w, "\nThe clients this incident affects are not shown: your role may not see them.")
			case len(in.Affected) == 0:
				fmt.Fprintf(w, "\nNo clients marked as affected yet (casevault incident clients %d --set CLIENT,CLIENT).\n", in.ID)
			default:
				fmt.Fprintf(w, "\nClients affected (%d):\n", len(in.Affected))
				writeAffected(w, in.Affected)
			}
		})
	})
}

func writeAffected(w io.Writer, list []app.AffectedClient) {
	for _, a := range list {
		told := "not told yet"
		if !a.NotifiedAt.IsZero() {
			told = "told " + human.Date(a.NotifiedAt) + " by " + cell(a.NotifiedBy)
		}
		fmt.Fprintf(w, "  %d\t%s\t%s\n", a.ClientID, cell(a.Label), told)
	}
}

// incidentStep is "incident done ID STEP [--note T]" and "incident undo ID STEP".
func (r *runner) incidentStep(sub string, args []string) error {
	fs := r.flags("incident " + sub)
	var note *string
	if sub == "done" {
		note = fs.String("note", "", "a note on the step: a report or claim number, who you spoke to")
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("give the incident and the step: casevault incident %s ID STEP (casevault incident show ID lists the steps)", sub)
	}
	id, err := parseID("incident", pos[0])
	if err != nil {
		return err
	}
	done := sub == "done"
	text := ""
	if note != nil {
		text = *note
	}
	return r.open(func(s *app.Session) error {
		if err := s.MarkIncidentStep(r.ctx, id, pos[1], done, text); err != nil {
			return err
		}
		in, err := s.Incident(r.ctx, id)
		if err != nil {
			return err
		}
		if done {
			fmt.Fprintf(r.env.Stdout, "Step %s of incident %d done (%d of %d).\n", cell(strings.ToLower(pos[1])), id, in.Done(), len(in.Steps))
			for i, st := range in.Steps {
				if st.DoneAt.IsZero() {
					fmt.Fprintf(r.env.Stdout, "Next: %d. %s [%s]\n", i+1, cell(st.Text), stepWord(st.Key))
					break
				}
			}
			return nil
		}
		fmt.Fprintf(r.env.Stdout, "Step %s of incident %d marked as not done (%d of %d done).\n", cell(strings.ToLower(pos[1])), id, in.Done(), len(in.Steps))
		return nil
	})
}

// incidentClients is "incident clients ID [--set ID,ID]".
func (r *runner) incidentClients(args []string) error {
	fs := r.flags("incident clients")
	set := fs.String("set", "", "make the affected clients exactly these, by id, separated by commas (\"\" for none)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("incident", pos)
	if err != nil {
		return err
	}
	var ids []int64
	setting := given(fs)["set"]
	if setting {
		for _, f := range strings.Split(*set, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			c, err := parseID("client", f)
			if err != nil {
				return err
			}
			ids = append(ids, c)
		}
	}
	return r.open(func(s *app.Session) error {
		if setting {
			if err := s.SetAffectedClients(r.ctx, id, ids); err != nil {
				return err
			}
		}
		affected, err := s.IncidentClients(r.ctx, id)
		if err != nil {
			return err
		}
		return r.out(affectedJSON(affected), func(w io.Writer) {
			if len(affected) == 0 {
				fmt.Fprintf(w, "No clients marked as affected by incident %d (mark them with: casevault incident clients %d --set CLIENT,CLIENT).\n", id, id)
				return
			}
			fmt.Fprintf(w, "%s affected by incident %d:\n", human.Capitalize(human.Count(len(affected), "client", "clients")), id)
			writeAffected(w, affected)
		})
	})
}

// incidentNotified is "incident notified ID CLIENT [--undo]".
func (r *runner) incidentNotified(args []string) error {
	fs := r.flags("incident notified")
	undo := fs.Bool("undo", false, "the client was not told after all")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("give the incident and the client: casevault incident notified ID CLIENT")
	}
	id, err := parseID("incident", pos[0])
	if err != nil {
		return err
	}
	client, err := parseID("client", pos[1])
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		if err := s.MarkNotified(r.ctx, id, client, !*undo); err != nil {
			return err
		}
		if *undo {
			fmt.Fprintf(r.env.Stdout, "Client %d marked as not told of incident %d.\n", client, id)
		} else {
			fmt.Fprintf(r.env.Stdout, "Client %d marked as told of incident %d.\n", client, id)
		}
		return nil
	})
}

// incidentClose is "incident close ID".
func (r *runner) incidentClose(args []string) error {
	fs := r.flags("incident close")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("incident", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		if err := s.CloseIncident(r.ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(r.env.Stdout, "Incident %d closed. Its record stays in the vault (casevault incident show %d).\n", id, id)
		in, err := s.Incident(r.ctx, id)
		if err != nil {
			return nil // closed; what is left is only a reminder
		}
		left, untold := len(in.Steps)-in.Done(), 0
		for _, a := range in.Affected {
			if a.NotifiedAt.IsZero() && !a.Gone {
				untold++
			}
		}
		switch {
		case left == len(in.Steps) && left > 0:
			fmt.Fprintf(r.env.Stdout, "Note: none of its %d steps is ticked as done.\n", left)
		case left > 0:
			fmt.Fprintf(r.env.Stdout, "Note: %d of its %d steps %s not ticked as done.\n", left, len(in.Steps), map[bool]string{true: "is", false: "are"}[left == 1])
		}
		if untold > 0 {
			fmt.Fprintf(r.env.Stdout, "Note: %s it affects %s not marked as told (casevault incident clients %d).\n",
				human.Count(untold, "client", "clients"), map[bool]string{true: "was", false: "were"}[untold == 1], id)
		}
		switch {
		case left > 0 && untold > 0:
			fmt.Fprintln(r.env.Stdout, "You can still tick steps and mark clients as told on a closed incident.")
		case left > 0:
			fmt.Fprintln(r.env.Stdout, "You can still tick steps on a closed incident.")
		case untold > 0:
			fmt.Fprintln(r.env.Stdout, "You can still mark clients as told on a closed incident.")
		}
		return nil
	})
}

// incidentPack is "incident pack ID (--out FILE.html | --open)".
func (r *runner) incidentPack(args []string) error {
	fs := r.flags("incident pack")
	out := fs.String("out", "", "write the printable page to `FILE.html` (a new file)")
	open := fs.Bool("open", false, "open the page in the browser (from a private temporary file, deleted afterwards)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("incident", pos)
	if err != nil {
		return err
	}
	if (*out == "") == !*open {
		return usagef("give one of --out FILE.html and --open")
	}
	if *out == "-" {
		return usagef("--out needs a file name (the page is not for a terminal)")
	}
	return r.open(func(s *app.Session) error {
		if *open {
			p, err := s.IncidentPack(r.ctx, id)
			if err != nil {
				return err
			}
			return r.openPage(p.WriteHTML)
		}
		var letters int
		err := writeNew(*out, "the incident pack", func(w io.Writer) error {
			p, err := s.IncidentPack(r.ctx, id)
			if err != nil {
				return err
			}
			letters = len(p.Letters)
			return p.WriteHTML(w)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(r.env.Stderr, "The incident pack (%s to adapt) is written to %s. It holds client data in plain text: keep it safe and delete it when done.\n",
			human.Count(letters, "letter", "letters"), human.EscapeText(*out))
		return nil
	})
}
