package cli

// The "retention" commands (issue 14): retention rules, a matter's
// destroy-after date, legal holds, the list of what is due for
// destruction, destroying it, the destruction register and certificates.

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"casevault/app"
	"casevault/app/human"
)

type ruleJSON struct {
	PracticeArea string    `json:"practice_area"` // "" = the default rule
	Years        int       `json:"years"`
	Months       int       `json:"months"`
	Never        bool      `json:"never"`
	Words        string    `json:"words"`
	Note         string    `json:"note,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedBy    string    `json:"updated_by"`
}

// ruleArea is the practice area --set and --delete name: "default" is the
// default rule.
func ruleArea(s string) string {
	if strings.EqualFold(strings.TrimSpace(s), "default") {
		return ""
	}
	return s
}

func ruleAreaWords(area string) string {
	if area == "" {
		return "(default)"
	}
	return cell(area)
}

func (r *runner) retentionRules(args []string) error {
	fs := r.flags("retention rules")
	set := fs.String("set", "", "add or change the rule of this practice area (`AREA`; \"default\" for the default rule)")
	years := fs.Int("years", 0, "with --set: keep the files this many years after the matter closes (0 to 100)")
	months := fs.Int("months", 0, "with --set: and this many months more (0 to 11)")
	never := fs.Bool("never", false, "with --set: keep the files of this practice area for ever")
	note := fs.String("note", "", "with --set: a note, such as the bar rule the rule follows")
	del := fs.String("delete", "", "delete the rule of this practice area (`AREA`): its matters then follow the default rule")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("retention rules takes no arguments, not %q (a practice area is --set AREA or --delete AREA)", pos[0])
	}
	g := given(fs)
	switch {
	case g["set"] && g["delete"]:
		return usagef("give --set or --delete, not both")
	case !g["set"] && (g["years"] || g["months"] || g["never"] || g["note"]):
		return usagef("--years, --months, --never and --note go with --set AREA (the practice area whose rule they are)")
	case g["set"] && !g["years"] && !g["months"] && !*never:
		return usagef("--set needs how long: --years N (and --months N), or --never")
	case g["set"] && *never && (g["years"] || g["months"]):
		return usagef("--never keeps the files for ever: leave out --years and --months")
	}
	return r.open(func(s *app.Session) error {
		switch {
		case g["set"]:
			rule := app.RetentionRule{PracticeArea: ruleArea(*set), Years: *years, Months: *months, Never: *never, Note: *note}
			if err := s.SetRetentionRule(r.ctx, rule); err != nil {
				return err
			}
			fmt.Fprintf(r.env.Stdout, "%s: %s. Matters already closed keep their dates.\n", app.RuleName(strings.TrimSpace(ruleArea(*set))), app.RuleWords(rule))
			return nil
		case g["delete"]:
			if err := s.DeleteRetentionRule(r.ctx, ruleArea(*del)); err != nil {
				return err
			}
			fmt.Fprintf(r.env.Stdout, "%s is deleted: its matters follow the default rule when they close. Matters already closed keep their dates.\n", app.RuleName(strings.TrimSpace(*del)))
			return nil
		}
		rules, err := s.RetentionRules(r.ctx)
		if err != nil {
			return err
		}
		js := struct {
			Rules []ruleJSON `json:"rules"`
		}{[]ruleJSON{}}
		for _, x := range rules {
			js.Rules = append(js.Rules, ruleJSON{x.PracticeArea, x.Years, x.Months, x.Never, app.RuleWords(x), x.Note, x.UpdatedAt, x.UpdatedBy})
		}
		return r.out(js, func(w io.Writer) {
			fmt.Fprintln(w, "PRACTICE AREA\tKEEP\tNOTE\tCHANGED")
			for _, x := range rules {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s by %s\n", ruleAreaWords(x.PracticeArea), app.RuleWords(x), cell(x.Note), human.Date(x.UpdatedAt), cell(x.UpdatedBy))
			}
			fmt.Fprintf(w, "\nA matter gets its destroy-after date when it closes, from the rule of its practice area (the default\nrule when its area has none). Change a rule with: casevault retention rules --set AREA --years N%s\n", r.vaultFlag())
		})
	})
}

type holdJSON struct {
	ID            int64      `json:"id"`
	Kind          string     `json:"kind"`
	RecordID      int64      `json:"record_id"`
	Label         string     `json:"label"`
	Reason        string     `json:"reason,omitempty"`
	PlacedAt      time.Time  `json:"placed_at"`
	PlacedBy      string     `json:"placed_by,omitempty"`
	ReleasedAt    *time.Time `json:"released_at,omitempty"`
	ReleasedBy    string     `json:"released_by,omitempty"`
	ReleaseReason string     `json:"release_reason,omitempty"`
}

func toHoldJSON(h app.Hold) holdJSON {
	return holdJSON{h.ID, h.Kind, h.RecordID, h.Label, h.Reason, h.PlacedAt, h.PlacedBy, h.ReleasedAt, h.ReleasedBy, h.ReleaseReason}
}

type changeJSON struct {
	At     time.Time  `json:"at"`
	By     string     `json:"by"`
	Old    *time.Time `json:"old,omitempty"`
	New    *time.Time `json:"new,omitempty"`
	Reason string     `json:"reason"`
}

func dateOr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return human.Date(*t)
}

func (r *runner) retentionShow(args []string) error {
	fs := r.flags("retention show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("matter", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		m, err := s.MatterRetention(r.ctx, id)
		if err != nil {
			return err
		}
		num, err := s.MatterNumber(r.ctx, id)
		if err != nil {
			return err
		}
		js := struct {
			MatterID     int64        `json:"matter_id"`
			Number       string       `json:"number"`
			Closed       bool         `json:"closed"`
			ClosedAt     *time.Time   `json:"closed_at,omitempty"`
			DestroyAfter *time.Time   `json:"destroy_after,omitempty"`
			KeepForever  bool         `json:"keep_forever"`
			Rule         string       `json:"rule"`
			Due          bool         `json:"due"`
			Holds        []holdJSON   `json:"holds"`
			Changes      []changeJSON `json:"changes"`
		}{MatterID: id, Number: num, Closed: m.Closed, KeepForever: m.KeepForever, Rule: m.Rule, Due: m.Due, Holds: []holdJSON{}, Changes: []changeJSON{}}
		if m.Closed {
			js.ClosedAt = &m.ClosedAt
		}
		if !m.DestroyAfter.IsZero() {
			js.DestroyAfter = &m.DestroyAfter
		}
		for _, h := range m.Holds {
			js.Holds = append(js.Holds, toHoldJSON(h))
		}
		for _, c := range m.Changes {
			js.Changes = append(js.Changes, changeJSON(c))
		}
		return r.out(js, func(w io.Writer) {
			fmt.Fprintf(w, "Matter\t%s\n", cell(num))
			switch {
			case !m.Closed:
				fmt.Fprintln(w, "Status\topen")
			default:
				fmt.Fprintf(w, "Closed\t%s\n", human.Date(m.ClosedAt))
			}
			switch {
			case m.KeepForever:
				fmt.Fprintln(w, "Destroy after\tnever: kept for ever")
			case !m.DestroyAfter.IsZero():
				fmt.Fprintf(w, "Destroy after\t%s\n", human.Date(m.DestroyAfter))
			}
			fmt.Fprintf(w, "Rule\t%s\n", cell(m.Rule))
			switch {
			case len(m.Holds) > 0:
				fmt.Fprintf(w, "Due\tno: %s\n", human.Count(len(m.Holds), "legal hold blocks it", "legal holds block it"))
			case m.Due:
				fmt.Fprintf(w, "Due\tyes: see casevault retention due%s\n", r.vaultFlag())
			case m.Closed && !m.DestroyAfter.IsZero():
				fmt.Fprintln(w, "Due\tnot yet")
			}
			for _, h := range m.Holds {
				fmt.Fprintf(w, "Legal hold %d\t%s\n", h.ID, cell(h.Words()))
			}
			if len(m.Changes) > 0 {
				fmt.Fprintln(w, "\nCHANGED\tBY\tFROM\tTO\tREASON")
				for _, c := range m.Changes {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", human.Date(c.At), cell(c.By), dateOr(c.Old, "none"), dateOr(c.New, "kept for ever"), cell(c.Reason))
				}
			}
		})
	})
}

func (r *runner) retentionSet(args []string) error {
	fs := r.flags("retention set")
	date := fs.String("date", "", "the new destroy-after date, `YYYY-MM-DD`")
	keep := fs.Bool("keep", false, "keep the matter for ever (no destroy-after date)")
	reason := fs.String("reason", "", "why the date changes (kept with the change)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("matter", pos)
	if err != nil {
		return err
	}
	g := given(fs)
	switch {
	case g["date"] == *keep:
		return usagef("give the new date (--date YYYY-MM-DD) or --keep to keep the matter for ever, one of them")
	case strings.TrimSpace(*reason) == "":
		return usagef("say why the date changes with --reason TEXT: the reason is kept with the change")
	}
	var d time.Time
	if !*keep {
		if d, err = human.ParseDate(*date); err != nil {
			return usagef("--date: %s", err.Error())
		}
	}
	return r.open(func(s *app.Session) error {
		if err := s.SetDestroyAfter(r.ctx, id, d, *keep, *reason); err != nil {
			return err
		}
		num, _ := s.MatterNumber(r.ctx, id)
		if *keep {
			fmt.Fprintf(r.env.Stdout, "Matter %s is kept for ever: it will not be due for destruction.\n", cell(num))
		} else {
			fmt.Fprintf(r.env.Stdout, "Matter %s may be destroyed after %s.\n", cell(num), human.Date(d))
		}
		return nil
	})
}

func (r *runner) retentionHold(args []string) error {
	fs := r.flags("retention hold")
	client := fs.Int64("client", 0, "hold this client's whole file (`CLIENT-ID`), with all their matters")
	matter := fs.Int64("matter", 0, "hold this matter (`MATTER-ID`)")
	reason := fs.String("reason", "", "why it is held: the claim, investigation or request it is kept for")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("retention hold takes no arguments, not %q (give --client ID or --matter ID)", pos[0])
	}
	if (*client != 0) == (*matter != 0) {
		return usagef("give the client (--client ID) or the matter (--matter ID) to hold, one of them")
	}
	if *client < 0 || *matter < 0 {
		return usagef("an id is a whole number from 1 up, as shown by the list commands")
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("say why it is held with --reason TEXT: the reason is kept with the hold")
	}
	kind, id := "client", *client
	if *matter != 0 {
		kind, id = "matter", *matter
	}
	return r.open(func(s *app.Session) error {
		hid, err := s.PlaceHold(r.ctx, kind, id, *reason)
		if err != nil {
			return err
		}
		hs, err := s.HoldsOn(r.ctx, kind, id)
		if err != nil {
			return err
		}
		label := fmt.Sprintf("%s %d", kind, id)
		for _, h := range hs {
			if h.ID == hid {
				label = h.Label
			}
		}
		fmt.Fprintf(r.env.Stdout, "Legal hold %d placed on %s: nothing of it can be destroyed until it is released (casevault retention release %d --reason TEXT%s).\n",
			hid, cell(label), hid, r.vaultFlag())
		return nil
	})
}

func (r *runner) retentionRelease(args []string) error {
	fs := r.flags("retention release")
	reason := fs.String("reason", "", "why the hold is released (the case settled, the appeal ended)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("legal hold", pos)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("say why the hold is released with --reason TEXT: the reason is kept with the hold")
	}
	return r.open(func(s *app.Session) error {
		if err := s.ReleaseHold(r.ctx, id, *reason); err != nil {
			if errors.Is(err, app.ErrNotFound) {
				return &saidError{fmt.Sprintf("there is no legal hold %d you may see (the holds are listed by \"casevault retention holds --all%s\")", id, r.vaultFlag()), err}
			}
			return err
		}
		fmt.Fprintf(r.env.Stdout, "Legal hold %d released.\n", id)
		return nil
	})
}

func (r *runner) retentionHolds(args []string) error {
	fs := r.flags("retention holds")
	all := fs.Bool("all", false, "list the released holds too")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("retention holds takes no arguments, not %q", pos[0])
	}
	return r.open(func(s *app.Session) error {
		hs, err := s.Holds(r.ctx, !*all)
		if err != nil {
			return err
		}
		js := struct {
			Holds []holdJSON `json:"holds"`
		}{[]holdJSON{}}
		for _, h := range hs {
			js.Holds = append(js.Holds, toHoldJSON(h))
		}
		return r.out(js, func(w io.Writer) {
			if len(hs) == 0 {
				if *all {
					fmt.Fprintln(w, "No legal holds.")
				} else {
					fmt.Fprintln(w, "No legal hold is in force.")
				}
				return
			}
			head := "HOLD\tON\tSINCE\tBY\tREASON"
			if *all {
				head += "\tRELEASED"
			}
			fmt.Fprintln(w, head)
			for _, h := range hs {
				line := fmt.Sprintf("%d\t%s\t%s\t%s\t%s", h.ID, cell(h.Label), human.Date(h.PlacedAt), cell(h.PlacedBy), cell(h.Reason))
				if *all {
					rel := "in force"
					if h.ReleasedAt != nil {
						rel = fmt.Sprintf("%s by %s: %s", human.Date(*h.ReleasedAt), cell(h.ReleasedBy), cell(h.ReleaseReason))
					}
					line += "\t" + rel
				}
				fmt.Fprintln(w, line)
			}
		})
	})
}

// maxDuePage is the most due matters one page shows.
const maxDuePage = 1000

type dueMatterJSON struct {
	MatterID     int64     `json:"matter_id"`
	Number       string    `json:"number"`
	Title        string    `json:"title"`
	PracticeArea string    `json:"practice_area,omitempty"`
	ClosedAt     time.Time `json:"closed_at"`
	DestroyAfter time.Time `json:"destroy_after"`
	Notes        int       `json:"notes"`
	Parties      int       `json:"parties"`
	Documents    int       `json:"documents"`
	Versions     int       `json:"versions"`
	Intake       int       `json:"intake"`
	Bytes        int64     `json:"bytes"`
}

type dueJSON struct {
	ClientID        int64           `json:"client_id"`
	ClientName      string          `json:"client_name"`
	WholeClient     bool            `json:"whole_client"`
	ClientDocuments int             `json:"client_documents"`
	ClientIntake    int             `json:"client_intake"`
	Matters         []dueMatterJSON `json:"matters"`
}

// holds is "3 notes, 2 documents (1.2 MB)": what a due matter holds.
func holdsWords(notes, parties, docs, versions, intake int, bytes int64) string {
	var parts []string
	add := func(n int, one, many string) {
		if n > 0 {
			parts = append(parts, human.Count(n, one, many))
		}
	}
	add(notes, "note", "notes")
	add(parties, "party", "parties")
	if docs > 0 {
		d := human.Count(docs, "document", "documents")
		if versions > docs {
			d += " in " + human.Count(versions, "version", "versions")
		}
		parts = append(parts, d+" ("+human.Size(bytes)+")")
	}
	add(intake, "intake answer", "intake answers")
	if len(parts) == 0 {
		return "nothing but the matter"
	}
	return strings.Join(parts, ", ")
}

func (r *runner) retentionDue(args []string) error {
	fs := r.flags("retention due")
	limit := fs.Int("limit", 100, fmt.Sprintf("most matters to show (at most %s)", human.Number(maxDuePage)))
	page := fs.Int("page", 1, "which page of --limit matters to show: 2 for the next ones")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("retention due takes no arguments, not %q", pos[0])
	}
	if *limit < 1 || *limit > maxDuePage {
		return usagef("--limit is a number from 1 to %s, not %d", human.Number(maxDuePage), *limit)
	}
	if *page < 1 {
		return usagef("--page is a number from 1 up, not %d", *page)
	}
	return r.open(func(s *app.Session) error {
		items, err := s.DueForDestruction(r.ctx)
		if err != nil {
			return err
		}
		total := 0
		for _, it := range items {
			total += len(it.Matters)
		}
		// The page: matters offset to offset+limit, by client.
		offset := (*page - 1) * *limit
		js := struct {
			Total   int       `json:"total"`
			Offset  int       `json:"offset"`
			Clients []dueJSON `json:"clients"`
		}{total, offset, []dueJSON{}}
		n := 0
		for _, it := range items {
			var ms []dueMatterJSON
			for _, d := range it.Matters {
				if n >= offset && n < offset+*limit {
					m := d.Matter
					dm := dueMatterJSON{MatterID: m.ID, Number: m.Number, Title: m.Title, PracticeArea: m.PracticeArea,
						Notes: d.Notes, Parties: d.Parties, Documents: d.Documents, Versions: d.Versions, Intake: d.Intake, Bytes: d.Bytes}
					if m.ClosedAt != nil {
						dm.ClosedAt = *m.ClosedAt
					}
					if m.DestroyAfter != nil {
						dm.DestroyAfter = *m.DestroyAfter
					}
					ms = append(ms, dm)
				}
				n++
			}
			if len(ms) > 0 {
				js.Clients = append(js.Clients, dueJSON{it.ClientID, it.ClientName, it.WholeClient, it.ClientDocuments, it.ClientIntake, ms})
			}
		}
		return r.out(js, func(w io.Writer) {
			if total == 0 {
				fmt.Fprintln(w, "Nothing is due for destruction today.")
				return
			}
			if len(js.Clients) == 0 {
				fmt.Fprintf(w, "There are only %s due: page %d is empty.\n", human.Count(total, "matter", "matters"), *page)
				return
			}
			fmt.Fprintln(w, "CLIENT\tMATTER\tNUMBER\tTITLE\tCLOSED\tDESTROY AFTER\tCONTENTS")
			for _, c := range js.Clients {
				for _, m := range c.Matters {
					fmt.Fprintf(w, "%d %s\t%d\t%s\t%s\t%s\t%s\t%s\n", c.ClientID, cell(c.ClientName), m.MatterID, cell(m.Number), cell(m.Title),
						human.Date(m.ClosedAt), human.Date(m.DestroyAfter), holdsWords(m.Notes, m.Parties, m.Documents, m.Versions, m.Intake, m.Bytes))
				}
				if c.WholeClient {
					var parts []string
					if c.ClientDocuments > 0 {
						parts = append(parts, human.Count(c.ClientDocuments, "document", "documents"))
					}
					if c.ClientIntake > 0 {
						parts = append(parts, human.Count(c.ClientIntake, "intake answer", "intake answers"))
					}
					own := ""
					if len(parts) > 0 {
						own = " (" + strings.Join(parts, ", ") + ")"
					}
					fmt.Fprintf(w, "%d %s\t(client file)\t\t\t\t\tevery matter is due: the client's own file%s can go too (--client %d)\n", c.ClientID, cell(c.ClientName), own, c.ClientID)
				}
			}
			if rest := total - offset - n0(js.Clients); rest > 0 {
				fmt.Fprintf(w, "\n%s not shown: see them with --page %d.\n", human.Count(rest, "more matter", "more matters"), *page+1)
			}
			fmt.Fprintf(w, "\nTo destroy: casevault retention destroy --matter ID... [--client ID...] --keep-names|--destroy-names --confirm DESTROY%s\n", r.vaultFlag())
		})
	})
}

func n0(cs []dueJSON) int {
	n := 0
	for _, c := range cs {
		n += len(c.Matters)
	}
	return n
}

type int64List []int64

func (l *int64List) String() string { return fmt.Sprint(*l) }
func (l *int64List) Set(v string) error {
	for _, f := range strings.Split(v, ",") {
		id, err := parseID("record", strings.TrimSpace(f))
		if err != nil {
			return err
		}
		*l = append(*l, id)
	}
	return nil
}

type registerJSON struct {
	Ref          string           `json:"ref"`
	Number       string           `json:"destruction"`
	Kind         string           `json:"kind"`
	RecordID     int64            `json:"record_id"`
	MatterNumber string           `json:"matter_number,omitempty"`
	PracticeArea string           `json:"practice_area,omitempty"`
	Rule         string           `json:"rule"`
	OpenedAt     *time.Time       `json:"opened_at,omitempty"`
	ClosedAt     *time.Time       `json:"closed_at,omitempty"`
	DestroyAfter *time.Time       `json:"destroy_after,omitempty"`
	DestroyedAt  time.Time        `json:"destroyed_at"`
	By           string           `json:"by"`
	Items        map[string]int64 `json:"items"`
	NamesKept    bool             `json:"names_kept"`
	KeptNames    []string         `json:"kept_names,omitempty"`
}

func toRegisterJSON(e app.RegisterEntry) registerJSON {
	items := e.Items
	if items == nil {
		items = map[string]int64{}
	}
	return registerJSON{e.Ref, e.Number, e.Kind, e.RecordID, e.MatterNumber, e.PracticeArea, e.Rule,
		e.OpenedAt, e.ClosedAt, e.DestroyAfter, e.At, e.By, items, e.NamesKept, e.KeptNames}
}

// planWords is what a destruction removes, in counts.
func planWords(p *app.DestructionPlan) string {
	parts := []string{human.Count(p.Matters, "matter", "matters")}
	if p.Clients > 0 {
		parts = append(parts, human.Count(p.Clients, "client file", "client files"))
	}
	return strings.Join(parts, " and ") + " (" + holdsWords(p.Notes, p.Parties, p.Documents, p.Versions, p.Intake, p.Bytes) + ")"
}

func (r *runner) retentionDestroy(args []string) error {
	fs := r.flags("retention destroy")
	var matters, clients int64List
	fs.Var(&matters, "matter", "a matter to destroy (`MATTER-ID`; repeat it, or give several separated by commas)")
	fs.Var(&clients, "client", "a client whose whole file goes too (`CLIENT-ID`): every matter of theirs must be destroyed with it")
	keep := fs.Bool("keep-names", false, "keep the client and party names for conflict checks, as former clients and parties")
	drop := fs.Bool("destroy-names", false, "destroy the names too: conflict checks will no longer find them")
	reason := fs.String("reason", "", "why something is destroyed before its destroy-after date (the register keeps it)")
	confirm := fs.String("confirm", "", "type "+app.DestroyConfirmWord+" to confirm: the destruction cannot be undone")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("retention destroy takes no arguments, not %q (the matters are --matter ID, the clients --client ID)", pos[0])
	}
	switch {
	case len(matters)+len(clients) == 0:
		return usagef("say what to destroy with --matter ID (and --client ID for whole client files); \"casevault retention due%s\" lists what is due", r.vaultFlag())
	case *keep == *drop:
		return usagef("choose what becomes of the names: --keep-names keeps the client and party names for conflict checks (as former clients), --destroy-names destroys them too")
	}
	req := app.DestroyRequest{MatterIDs: matters, ClientIDs: clients, KeepNames: *keep, Reason: *reason, Confirm: *confirm}
	g := given(fs)
	if g["confirm"] && !strings.EqualFold(strings.TrimSpace(*confirm), app.DestroyConfirmWord) {
		return usagef("--confirm must be the word %s, not %q: nothing was destroyed", app.DestroyConfirmWord, *confirm)
	}
	return r.open(func(s *app.Session) error {
		if !g["confirm"] {
			plan, err := s.PlanDestruction(r.ctx, req)
			if err != nil {
				return err
			}
			w := r.env.Stdout
			fmt.Fprintf(w, "This would destroy %s.\n", planWords(plan))
			for _, it := range plan.Items {
				for _, d := range it.Matters {
					fmt.Fprintf(w, "  Matter %s (%s) of client %d (%s)\n", cell(d.Matter.Number), cell(d.Matter.Title), it.ClientID, cell(it.ClientName))
				}
				if it.WholeClient {
					fmt.Fprintf(w, "  The client file of client %d (%s)\n", it.ClientID, cell(it.ClientName))
				}
			}
			for _, p := range plan.Problems {
				fmt.Fprintf(w, "It cannot, now: %s.\n", cell(p))
			}
			for _, n := range plan.NotDue {
				fmt.Fprintf(w, "Not due yet: %s (give --reason TEXT to destroy it before its date).\n", cell(n))
			}
			return usagef("nothing was destroyed: to destroy it, add --confirm %s", app.DestroyConfirmWord)
		}
		res, err := s.Destroy(r.ctx, req, nil)
		if res == nil && err != nil {
			return err
		}
		w := r.env.Stdout
		var matters, clients int
		for _, e := range res.Register {
			if e.Kind == "client" {
				clients++
			} else {
				matters++
			}
		}
		what := human.Count(matters, "matter", "matters")
		if clients > 0 {
			what += " and " + human.Count(clients, "client file", "client files")
		}
		fmt.Fprintf(w, "Destroyed %s: %s, recorded in the destruction register.\n", res.Number, what)
		if *keep {
			fmt.Fprintln(w, "The client and party names are kept for conflict checks, as former clients and parties.")
		} else {
			fmt.Fprintln(w, "The names were destroyed too.")
		}
		fmt.Fprintf(w, "%s of the audit trail lost their details (the entries stay).\n", human.Capitalize(human.Count(res.Redacted, "entry", "entries")))
		if len(res.Holding) > 0 {
			fmt.Fprintf(w, "%s still hold what was destroyed:\n", human.Capitalize(human.Count(len(res.Holding), "backup", "backups")))
			for _, h := range res.Holding {
				fmt.Fprintf(w, "  %s  backup %s of %s\n", cell(h.Target), cell(h.Short), human.Time(h.At))
			}
			fmt.Fprintf(w, "Remove it from them: make a new backup on each drive, then: casevault backup forget-destroyed %s --repo FOLDER%s\n", res.Number, r.vaultFlag())
		}
		fmt.Fprintf(w, "The certificate: casevault retention certificate %s --out %s.html%s\n", res.Number, res.Number, r.vaultFlag())
		return err
	})
}

// maxRegisterPage is the most register rows one page shows.
const maxRegisterPage = 1000

func (r *runner) retentionRegister(args []string) error {
	fs := r.flags("retention register")
	limit := fs.Int("limit", 100, fmt.Sprintf("most rows to show (at most %s)", human.Number(maxRegisterPage)))
	page := fs.Int("page", 1, "which page of --limit rows to show: 2 for the next ones")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("give at most one destruction number (such as D-2026-0001), not %d", len(pos))
	}
	number := ""
	if len(pos) == 1 {
		number = strings.ToUpper(strings.TrimSpace(pos[0]))
	}
	if *limit < 1 || *limit > maxRegisterPage {
		return usagef("--limit is a number from 1 to %s, not %d", human.Number(maxRegisterPage), *limit)
	}
	if *page < 1 {
		return usagef("--page is a number from 1 up, not %d", *page)
	}
	offset := (*page - 1) * *limit
	return r.open(func(s *app.Session) error {
		rows, total, err := s.DestructionRegister(r.ctx, number, offset, *limit)
		if err != nil {
			return err
		}
		js := struct {
			Total  int            `json:"total"`
			Offset int            `json:"offset"`
			Rows   []registerJSON `json:"rows"`
		}{total, offset, []registerJSON{}}
		for _, e := range rows {
			js.Rows = append(js.Rows, toRegisterJSON(e))
		}
		return r.out(js, func(w io.Writer) {
			switch {
			case len(rows) == 0 && total > 0:
				fmt.Fprintf(w, "There are only %s: page %d is empty.\n", human.Count(total, "row", "rows"), *page)
				return
			case len(rows) == 0 && number != "":
				fmt.Fprintf(w, "No destruction %s in the register (\"casevault retention register%s\" lists them all).\n", cell(number), r.vaultFlag())
				return
			case len(rows) == 0:
				fmt.Fprintln(w, "Nothing has been destroyed.")
				return
			}
			fmt.Fprintln(w, "REGISTER\tWHAT\tPRACTICE AREA\tRULE\tCLOSED\tDESTROY AFTER\tDESTROYED\tBY\tNAMES\tDESTROYED ITEMS")
			for _, e := range rows {
				names := "destroyed"
				if e.NamesKept {
					names = "kept"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(e.Ref), cell(app.EntryName(e)), cell(e.PracticeArea), cell(e.Rule),
					dateOr(e.ClosedAt, "none"), dateOr(e.DestroyAfter, "none"), human.Date(e.At), cell(e.By), names, app.ItemWords(e.Items))
			}
			if rest := total - offset - len(rows); rest > 0 {
				fmt.Fprintf(w, "\n%s not shown: see them with --page %d.\n", human.Count(rest, "more row", "more rows"), *page+1)
			}
		})
	})
}

func (r *runner) retentionCertificate(args []string) error {
	fs := r.flags("retention certificate")
	out := fs.String("out", "", "write the printable page to this new file (`FILE.html`)")
	text := fs.Bool("text", false, "print the certificate as text")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give the destruction's number, such as D-2026-0001 (\"casevault retention register\" lists them)")
	}
	if *out != "" && *text {
		return usagef("give --out FILE.html or --text, not both")
	}
	return r.open(func(s *app.Session) error {
		c, err := s.DestructionCertificate(r.ctx, pos[0])
		if err != nil {
			if errors.Is(err, app.ErrNotFound) {
				return &saidError{fmt.Sprintf("there is no destruction %s (\"casevault retention register%s\" lists them)", cell(strings.TrimSpace(pos[0])), r.vaultFlag()), err}
			}
			return err
		}
		if *out == "" {
			return c.WriteText(r.env.Stdout)
		}
		if err := writeNew(*out, "the certificate", c.WriteHTML); err != nil {
			return err
		}
		fmt.Fprintf(r.env.Stderr, "Certificate %s written to %s: open it in a browser to print it.\n", c.Number, human.EscapeText(*out))
		return nil
	})
}
