package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"casevault/app"
	"casevault/app/human"
)

func (r *runner) search(args []string) error {
	fs := r.flags("search")
	limit := fs.Int("limit", 50, "most hits to show")
	ff := newFileFlags(fs)
	ff.add("query", "the words to look for", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	q := strings.Join(pos, " ")
	if t, ok := files["query"]; ok {
		if q != "" {
			return usagef("give the words to look for as arguments or in --query-file, not both")
		}
		q = t
	}
	if strings.TrimSpace(q) == "" {
		return usagef("search needs words to look for (as arguments, or in --query-file FILE)")
	}
	return r.open(func(s *app.Session) error {
		hits, err := s.Search(r.ctx, q, *limit)
		if err != nil {
			return err
		}
		type hitJSON struct {
			Kind     string  `json:"kind"`
			ClientID int64   `json:"client_id"`
			MatterID int64   `json:"matter_id,omitempty"`
			PartyID  int64   `json:"party_id,omitempty"`
			DocID    int64   `json:"document_id,omitempty"`
			Role     string  `json:"role,omitempty"`
			Name     string  `json:"name,omitempty"`
			Field    string  `json:"field,omitempty"`
			Title    string  `json:"title"`
			Snippet  string  `json:"snippet"`
			Rank     float64 `json:"rank"`
			Fuzzy    bool    `json:"fuzzy,omitempty"`
		}
		js := make([]hitJSON, 0, len(hits))
		for _, h := range hits {
			js = append(js, hitJSON{h.Kind, h.ClientID, h.MatterID, h.PartyID, h.DocumentID, h.Role, h.Name, h.Field, h.Title, h.Snippet, h.Rank, h.Fuzzy})
		}
		return r.out(js, func(w io.Writer) {
			if len(hits) == 0 {
				fmt.Fprintf(w, "Nothing matches %q.\n", q)
				return
			}
			fmt.Fprintf(w, "%s, best first; what matched is in [brackets]:\n\n", human.Count(len(hits), "match", "matches"))
			fmt.Fprintln(w, "FOUND\tIN\tCLIENT\tMATTER\tMATCH")
			fuzzy := false
			for _, h := range hits {
				matter := "-"
				if h.MatterID != 0 {
					matter = fmt.Sprint(h.MatterID)
				}
				found := hitKind(h)
				if h.Fuzzy {
					found += " *"
					fuzzy = true
				}
				fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", cell(found), cell(h.Title), h.ClientID, matter, snippetText(h.Snippet))
			}
			if fuzzy {
				fmt.Fprintln(w, "\n* found through a word spelled alike, not the very word typed")
			}
		})
	})
}

// hitKind says in words what a search hit is: "client", "client's alias",
// "matter number", "note", "adverse party", "witness's former name".
func hitKind(h app.SearchHit) string {
	switch h.Kind {
	case "client":
		if h.Field != "" && h.Field != "name" {
			return "client's " + h.Field
		}
		return "client"
	case "alias":
		return "client's alias"
	case "matter":
		if h.Field != "" && h.Field != "title" {
			return "matter " + h.Field
		}
		return "matter"
	case "note":
		return "note"
	case "document":
		// Which document: its number (for doc show, doc open) and name.
		if h.DocumentID != 0 {
			return fmt.Sprintf("document %d “%s”", h.DocumentID, h.Name)
		}
		return "document"
	case "party", "party_alias":
		r := strings.ToLower(app.PartyRoleLabel(h.Role))
		if h.Field != "" && h.Field != "name" {
			r += "'s " + h.Field
		}
		if h.Name != "" && h.Kind == "party_alias" {
			r += " (" + h.Name + ")"
		}
		return r
	}
	return h.Kind
}

// snippetText is a search snippet for a terminal: each match in
// [brackets], the rest as written (a literal bracket shown as is), every
// control character escaped; the line breaks and tabs of a document's
// text are spaces, as a one-line snippet shows them.
func snippetText(s string) string {
	var b strings.Builder
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
	for _, p := range app.SnippetParts(s) {
		if p.Match {
			b.WriteString("[" + cell(p.Text) + "]")
		} else {
			b.WriteString(cell(p.Text))
		}
	}
	return b.String()
}

// hitRole says in words what a conflict hit is: "client", "client alias",
// "joint client", "adverse party", "witness, former name of Acme Holdings".
func hitRole(h app.ConflictHit) string {
	var r string
	switch h.Role {
	case "client":
		r = "client"
	case "alias":
		r = "client alias"
	case "joint_client":
		r = "joint client"
	default:
		r = strings.ToLower(app.PartyRoleLabel(h.Role))
	}
	switch h.NameKind {
	case "alias":
		r += ", alias of " + h.PartyName
	case "former":
		r += ", former name of " + h.PartyName
	}
	return r
}

// conflictLines prints a conflict check: its number, its hits name by
// name, and how to record the decision.
func (r *runner) conflictLines(w io.Writer, res *app.ConflictResult) {
	fmt.Fprintf(w, "Conflict check %d\n", res.CheckID)
	r.hitLines(w, res)
	fmt.Fprintf(w, "\nRecord the decision with: casevault conflicts decide %d%s --decision clear|conflict|waived --note \"...\"\n", res.CheckID, r.vaultFlag())
}

// hitLines prints a conflict check's hits, name by name.
func (r *runner) hitLines(w io.Writer, res *app.ConflictResult) {
	for _, q := range res.Names {
		var hits []app.ConflictHit
		for _, h := range res.Hits {
			if h.Query == q {
				hits = append(hits, h)
			}
		}
		if len(hits) == 0 {
			fmt.Fprintf(w, "\n“%s”: no matches among clients, aliases, parties or prospective clients.\n", q)
			continue
		}
		fmt.Fprintf(w, "\n“%s”: %s\n", q, human.Count(len(hits), "possible match", "possible matches"))
		fmt.Fprintln(w, "MATCH\tNAME\tROLE\tCLIENT\tMATTER\tWHY")
		for _, h := range hits {
			if h.Hidden { // no client, matter or name: only that there is something to ask about
				fmt.Fprintf(w, "%s\t-\t-\t-\t-\t%s\n", cell(h.Match), cell(h.Why))
				continue
			}
			if h.IntakeID != 0 { // a prospective client: an intake submission, no client or matter
				where := fmt.Sprintf("intake submission %d: %s (%s)", h.IntakeID, cell(h.ClientName), strings.ToLower(app.IntakeStatusWords(h.IntakeStatus)))
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t-\t%s\n", cell(h.Match), cell(h.Name), cell(hitRole(h)), where, cell(h.Why))
				continue
			}
			matter := "-"
			if h.MatterID != 0 {
				st := "open"
				if !h.MatterOpen {
					st = "closed"
				}
				matter = fmt.Sprintf("%d %s (%s)", h.MatterID, cell(h.MatterTitle), st)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%d %s\t%s\t%s\n", cell(h.Match), cell(h.Name), cell(hitRole(h)), h.ClientID, cell(h.ClientName), matter, cell(h.Why))
		}
	}
}

// conflictsCheck is "conflicts check NAME..." (and the old form
// "conflicts NAME...", when NAME is no subcommand word).
func (r *runner) conflictsCheck(args []string) error {
	fs := r.flags("conflicts check")
	ff := newFileFlags(fs)
	ff.add("names", "the names to check", true)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	if t, ok := files["names"]; ok {
		pos = append(pos, splitFileLines(t)...)
	}
	if len(pos) == 0 {
		return usagef("conflicts check needs one or more names, each in quotes: casevault conflicts check \"Jane Roe\" \"Acme Ltd\" (or one per line in --names-file FILE)")
	}
	return r.open(func(s *app.Session) error {
		res, err := s.CheckConflicts(r.ctx, pos)
		if err != nil {
			return err
		}
		return r.out(res, func(w io.Writer) { r.conflictLines(w, res) })
	})
}

func (r *runner) conflictsDecide(args []string) error {
	fs := r.flags("conflicts decide")
	decision := fs.String("decision", "", "clear (no conflict), conflict (declined) or waived (the clients consented in writing); required")
	note := fs.String("note", "", "why; for waived, where the written consent is filed (required then)")
	ff := newFileFlags(fs)
	ff.add("note", "the note", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	if t, ok := files["note"]; ok {
		*note = t
	}
	id, err := conflictID("decide", pos)
	if err != nil {
		return err
	}
	switch {
	case *decision == "":
		return usagef("conflicts decide needs --decision clear, conflict or waived")
	case !slices.Contains(app.Decisions, *decision):
		return usagef("--decision is clear, conflict or waived, not %q", *decision)
	case *decision == "waived" && strings.TrimSpace(*note) == "":
		return usagef("a waived conflict needs --note saying where the clients' written consent is filed, e.g. --note \"Consent of both clients, file 2026-0004/7\"")
	}
	return r.open(func(s *app.Session) error {
		if err := s.DecideConflict(r.ctx, id, *decision, *note); err != nil {
			return err
		}
		return r.out(struct {
			ID       int64  `json:"id"`
			Decision string `json:"decision"`
		}{id, *decision}, func(w io.Writer) {
			fmt.Fprintf(w, "Decision on conflict check %d recorded: %s.\n", id, *decision)
		})
	})
}

func (r *runner) status(args []string) error {
	fs := r.flags("status")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		st, err := s.Status(r.ctx)
		if err != nil {
			return err
		}
		return r.out(st, func(w io.Writer) {
			fmt.Fprintf(w, "Vault\t%s\n", cell(st.Dir))
			fmt.Fprintf(w, "Size on disk\t%s\n", human.Size(st.SizeOnDisk))
			fmt.Fprintf(w, "Clients\t%d\n", st.Counts.Clients)
			fmt.Fprintf(w, "Matters\t%d (%s, %s)\n", st.Counts.Matters, human.Count(st.Counts.Parties, "party", "parties"), human.Count(st.Counts.Notes, "note", "notes"))
			fmt.Fprintf(w, "Audit entries\t%d\n", st.Counts.Audit)
			fmt.Fprintf(w, "Key derivation\t%s\n", st.KDF)
			fmt.Fprintf(w, "Created\t%s\n", human.Time(st.Created))
			fmt.Fprintf(w, "Last change\t%s\n", human.Time(st.LastWrite))
			fmt.Fprintf(w, "Last checkpoint\t%s (redo log since: %s)\n", human.Time(st.LastCheckpoint), human.Size(st.LogBytes))
		})
	})
}

func (r *runner) auditList(args []string) error {
	fs := r.flags("audit list")
	from := fs.String("from", "", "first day, `YYYY-MM-DD`")
	to := fs.String("to", "", "last day, `YYYY-MM-DD` (included)")
	action := fs.String("action", "", "only this action, e.g. client.edit")
	record := fs.String("record", "", "only entries about this record, e.g. client:12")
	user := fs.String("user", "", "only what this user did (their `NAME`); to unlock as someone else, give --user before the command")
	client := fs.Int64("client", 0, "only entries about this client, its matters and their notes (casevault report access ID: as a report)")
	matter := fs.Int64("matter", 0, "only entries about this matter and its notes")
	limit := fs.Int("limit", 0, "at most this many entries")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var f app.AuditFilter
	f.Action, f.Record = *action, *record
	n := 0
	for _, set := range []bool{*record != "", *client != 0, *matter != 0} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return usagef("give one of --record, --client and --matter")
	case *client < 0 || *matter < 0:
		return usagef("--client and --matter take an id as shown by the list commands")
	}
	f.ClientID, f.MatterID = *client, *matter
	who := strings.TrimSpace(*user)
	if who == "" {
		f.Limit = *limit // else cut after choosing the user's entries
	}
	var err error
	if f.From, f.To, err = dayRange(*from, *to); err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		if !r.json {
			return r.auditLines(s, f, who, *limit)
		}
		list, err := s.AuditList(r.ctx, f)
		if err != nil {
			return err
		}
		if who != "" {
			mine := list[:0]
			for _, e := range list {
				if app.IsActor(e.Actor, who) && (*limit <= 0 || len(mine) < *limit) {
					mine = append(mine, e)
				}
			}
			list = mine
		}
		type entryJSON struct {
			ID      int64  `json:"id"`
			At      string `json:"at"`
			Actor   string `json:"actor"`
			Action  string `json:"action"`
			Records string `json:"records,omitempty"`
			Detail  string `json:"detail,omitempty"`
			Hash    string `json:"hash"`
		}
		js := make([]entryJSON, 0, len(list))
		for _, e := range list {
			js = append(js, entryJSON{e.ID, e.At.Format(jsonTime), e.Actor, e.Action, e.Records, app.AuditDetail(e), fmt.Sprintf("%x", e.Hash)})
		}
		return r.out(js, nil)
	})
}

// auditLines prints the audit trail in a lawyer's words (app.AuditView:
// "Viewed client Jane Roe"); the action codes and record ids are in
// --json.
func (r *runner) auditLines(s *app.Session, f app.AuditFilter, who string, limit int) error {
	list, err := s.AuditView(r.ctx, f)
	if err != nil {
		return err
	}
	if who != "" {
		mine := list[:0]
		for _, l := range list {
			if app.IsActor(l.Who, who) && (limit <= 0 || len(mine) < limit) {
				mine = append(mine, l)
			}
		}
		list = mine
	}
	return r.out(nil, func(w io.Writer) {
		if len(list) == 0 {
			fmt.Fprintln(w, "No entries.")
			return
		}
		fmt.Fprintln(w, "NO.\tWHEN\tWHO\tWHAT HAPPENED\tDETAILS")
		for _, l := range list {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", l.ID, human.Stamp(l.At), cell(l.Who), cell(l.What), cell(l.Detail))
		}
	})
}

// errAuditBroken makes `audit verify` exit non-zero when the chain is broken.
var errAuditBroken = errors.New("the audit trail has been altered")

func (r *runner) auditVerify(args []string) error {
	fs := r.flags("audit verify")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		rep, err := s.AuditVerify(r.ctx)
		if err != nil {
			return err
		}
		if err := r.out(rep, func(w io.Writer) {
			if rep.OK {
				fmt.Fprintf(w, "Audit trail intact: %s, each one chained to the one before.\n", human.Count(rep.Entries, "entry", "entries"))
			} else {
				fmt.Fprintf(w, "AUDIT TRAIL BROKEN: %s.\n", cell(rep.Problem))
			}
		}); err != nil {
			return err
		}
		if !rep.OK {
			return fmt.Errorf("%w: %s; keep this vault as it is and restore a backup for comparison", errAuditBroken, rep.Problem)
		}
		return nil
	})
}

func (r *runner) repair(args []string) error {
	fs := r.flags("repair")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if r.dry {
		return errDryRun
	}
	if !app.VaultExists(r.vault) {
		return fmt.Errorf("%w: %s (there is nothing to repair)", app.ErrNoVault, r.vault)
	}
	var rep *app.RepairReport
	err := r.unlock(r.vault, func(cred app.Credential) error {
		var err error
		rep, err = app.Repair(r.ctx, r.vault, cred, app.Options{Store: r.env.Store})
		return err
	})
	if rep != nil {
		for _, l := range rep.Lines() {
			fmt.Fprintln(r.env.Stdout, human.EscapeText(l))
		}
	}
	if err != nil {
		return err
	}
	if rep.Changed() {
		fmt.Fprintln(r.env.Stdout, "The vault opens again. Back it up now: casevault backup"+r.vaultFlag()+" --repo FOLDER-ON-YOUR-BACKUP-DRIVE")
	}
	return nil
}

func (r *runner) check(args []string) error {
	fs := r.flags("check")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("check takes no arguments (it checks the whole vault), not %q", strings.Join(pos, " "))
	}
	return r.open(func(s *app.Session) error {
		pl := r.newProgress()
		rep, err := s.Check(r.ctx, pl.update)
		pl.finish("")
		if rep == nil {
			return err
		}
		if oerr := r.out(rep, func(w io.Writer) {
			result := "no damage found"
			if !rep.OK {
				result = "DAMAGE FOUND"
			}
			fmt.Fprintf(w, "Vault check of %s: %s (%s).\n", cell(s.Dir()), result, human.Duration(rep.Duration))
			for _, it := range rep.Items {
				mark := "ok"
				switch it.Status {
				case app.CheckDamaged:
					mark = "DAMAGED"
				case app.CheckWarning:
					mark = "note"
				}
				fmt.Fprintf(w, "  %s\t%s: %s\n", mark, cell(it.Name), cell(it.Said))
				if it.Detail != "" {
					fmt.Fprintf(w, "  \t\tTechnical details: %s\n", cell(it.Detail))
				}
			}
			if rep.Advice != "" {
				fmt.Fprintf(w, "\n%s\n", cell(rep.Advice))
			}
			if rep.ReadOnly {
				fmt.Fprintln(w, "Not recorded in the audit trail: the vault is open read-only.")
			}
		}); oerr != nil {
			return oerr
		}
		if errors.Is(err, app.ErrCheckFailed) {
			return &saidError{msg: fmt.Sprintf("%s (listed above); %s", err.Error(), checkNext(rep, r.vaultFlag())), err: err}
		}
		return err
	})
}

// checkNext is the command-line form of what to do after a failed check.
func checkNext(rep *app.CheckReport, vflag string) string {
	if rep.ReadOnly {
		return "back it up (casevault backup --repo FOLDER-ON-YOUR-BACKUP-DRIVE --read-only" + vflag + "), then repair it (casevault repair" + vflag + ")"
	}
	for _, it := range rep.Problems() {
		if it.Name != "Recent changes" {
			return "keep this folder as it is and restore your latest backup into a new folder: casevault restore --repo FOLDER-ON-YOUR-BACKUP-DRIVE --to NEW-FOLDER"
		}
	}
	return "keep this folder as it is and run: casevault repair" + vflag
}

// cmdDemo is "casevault demo --vault DIR [--clients N]": a vault of
// invented clients (app.Demo), with a light key derivation.
func (r *runner) cmdDemo(args []string) error {
	fs := r.flags("demo")
	n := fs.Int("clients", 200, "how many invented clients")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	switch {
	case len(pos) > 0:
		return usagef("demo takes only --vault DIR and --clients N, not %q", pos[0])
	case !given["vault"] && !r.global.vaultSet:
		return usagef("demo needs the folder for the new demo vault: casevault demo --vault DIR (never your own vault's folder)")
	case *n < 0 || *n > 1_000_000:
		return usagef("--clients must be between 0 and 1000000, not %d", *n)
	}
	if r.dry {
		return errDryRun
	}
	if code := app.DemoMain(r.ctx, []string{"--vault", r.vault, "--clients", fmt.Sprint(*n)}, r.env.Stdout, r.env.Stderr); code != 0 {
		return &quietError{code} // app.DemoMain said why
	}
	return nil
}

// quietError is a failure already said on standard error: only its exit
// code is left.
type quietError struct{ code int }

func (e *quietError) Error() string { return fmt.Sprintf("exit %d", e.code) }
