package cli

// Matters edited after they are made, their clients (joint representation)
// and their parties, and the user's display name (issue 11).

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"casevault/app"
)

// given is the set of flags given on the command line.
func given(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// matterName is "Roe v. Acme (2026-0004)": a matter's title and number.
func matterName(title, number string) string {
	if number == "" {
		return cell(title)
	}
	return cell(title) + " (" + cell(number) + ")"
}

func (r *runner) matterEdit(args []string) error {
	fs := r.flags("matter edit")
	title := fs.String("title", "", "the matter's new title")
	area := fs.String("practice-area", "", "the practice area, e.g. family, employment (\"\" to clear it)")
	number := fs.String("number", "", "the matter's number, e.g. 2026-0004 or your own scheme; unique")
	opened := fs.String("opened", "", "the day it was opened, `YYYY-MM-DD`")
	closed := fs.String("closed", "", "the day it was closed, `YYYY-MM-DD` (closes the matter)")
	status := fs.String("status", "", "open or closed (closed without --closed: today, or the day it was closed)")
	ff := newFileFlags(fs)
	ff.add("title", "the title", false)
	ff.add("practice-area", "the practice area", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("matter", pos)
	if err != nil {
		return err
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	set := given(fs)
	if t, ok := files["title"]; ok {
		*title, set["title"] = t, true
	}
	if t, ok := files["practice-area"]; ok {
		*area, set["practice-area"] = t, true
	}
	if !set["title"] && !set["practice-area"] && !set["number"] && !set["opened"] && !set["closed"] && !set["status"] {
		return usagef("matter edit needs at least one thing to change, e.g. --title \"...\" or --number 2026-0004 (\"casevault help matter edit\")")
	}
	for name, v := range map[string]string{"opened": *opened, "closed": *closed} {
		if set[name] {
			if _, err := dateFlag(name, v); err != nil {
				return err
			}
		}
	}
	switch {
	case set["status"] && *status != "open" && *status != "closed":
		return usagef("--status is open or closed, not %q", *status)
	case set["closed"] && set["status"] && *status == "open":
		return usagef("an open matter has no closing day: give --status open or --closed DAY, not both")
	}
	return r.open(func(s *app.Session) error {
		d, err := s.GetMatter(r.ctx, id)
		if err != nil {
			return err
		}
		e := app.EditOf(d.Matter)
		if set["title"] {
			e.Title = *title
		}
		if set["practice-area"] {
			e.PracticeArea = *area
		}
		if set["number"] {
			e.Number = *number
		}
		if set["opened"] {
			e.OpenedOn = *opened
		}
		if set["closed"] {
			e.Status, e.ClosedOn = "closed", *closed
		}
		if set["status"] {
			e.Status = *status
			if *status == "open" {
				e.ClosedOn = ""
			}
		}
		if err := s.EditMatter(r.ctx, id, e); err != nil {
			return err
		}
		t, n := strings.TrimSpace(e.Title), strings.TrimSpace(e.Number)
		return r.out(addedJSON{ID: id, Title: t, Number: n, ClientID: d.Matter.ClientID}, func(w io.Writer) {
			fmt.Fprintf(w, "Matter %d changed: %s\n", id, matterName(t, n))
		})
	})
}

// matterClient is "matter client add|remove MATTER-ID CLIENT-ID".
func (r *runner) matterClient(sub string, args []string) error {
	fs := r.flags("matter client " + sub)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("give the matter and the client: casevault matter client %s MATTER-ID CLIENT-ID", sub)
	}
	matter, err := parseID("matter", pos[0])
	if err != nil {
		return err
	}
	client, err := parseID("client", pos[1])
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		if sub == "add" {
			if err := s.AddMatterClient(r.ctx, matter, client); err != nil {
				return err
			}
			return r.out(addedJSON{ID: client, MatterID: matter}, func(w io.Writer) {
				fmt.Fprintf(w, "Client %d is now also a client of matter %d (joint representation).\n", client, matter)
			})
		}
		if err := s.RemoveMatterClient(r.ctx, matter, client); err != nil {
			return err
		}
		return r.out(addedJSON{ID: client, MatterID: matter}, func(w io.Writer) {
			fmt.Fprintf(w, "Client %d is no longer a client of matter %d.\n", client, matter)
		})
	})
}

// partyFlags are the flags of party add and party edit.
type partyFlags struct {
	fs                                   *flag.FlagSet
	files                                *fileFlags
	matter                               *int64
	role, name, kind, organisation, note *string
	aliases, former                      strList
	noCheck                              *bool
}

func (r *runner) partyFlagSet(name string) *partyFlags {
	fs := r.flags(name)
	p := &partyFlags{fs: fs}
	if name == "party add" {
		p.matter = fs.Int64("matter", 0, "the matter the party is in (required)")
	}
	p.role = fs.String("role", "", "adverse, related, opposing-counsel, co-counsel or witness")
	p.name = fs.String("name", "", "the party's name: a person's or an organisation's")
	p.kind = fs.String("kind", "", "person or organisation (default: person)")
	p.organisation = fs.String("organisation", "", "the firm or company a person is with, e.g. opposing counsel's firm")
	fs.Var(&p.aliases, "alias", "another name the party goes by (repeatable)")
	fs.Var(&p.former, "former-name", "a name the party had before, e.g. a maiden name or a company's old name (repeatable)")
	p.note = fs.String("note", "", "a note about the party")
	p.noCheck = fs.Bool("no-check", false, "do not run a conflict check on the party's names")
	p.files = newFileFlags(fs)
	p.files.add("name", "the name", false)
	p.files.add("organisation", "the organisation", false)
	p.files.add("alias", "the aliases", true)
	p.files.add("former-name", "the former names", true)
	p.files.add("note", "the note", false)
	return p
}

// input is the party as given: the flags and files given, on top of base
// (a party's fields now, for edit). set says which were given.
func (p *partyFlags) input(r *runner, base app.PartyInput) (app.PartyInput, map[string]bool, error) {
	files, err := r.readFiles(p.files)
	if err != nil {
		return base, nil, err
	}
	set := given(p.fs)
	in := base
	str := func(name string, v *string, dst *string) {
		if t, ok := files[name]; ok {
			*dst, set[name] = t, true
		} else if set[name] {
			*dst = *v
		}
	}
	str("role", p.role, &in.Role)
	str("name", p.name, &in.Name)
	str("kind", p.kind, &in.Kind)
	str("organisation", p.organisation, &in.Organisation)
	str("note", p.note, &in.Note)
	list := func(name string, v strList, dst *[]string) {
		if t, ok := files[name]; ok {
			*dst, set[name] = splitFileLines(t), true
		} else if set[name] {
			*dst = []string(v)
		}
	}
	list("alias", p.aliases, &in.Aliases)
	list("former-name", p.former, &in.FormerNames)
	if set["role"] && partyRoleWord(in.Role) == "" {
		return in, set, usagef("--role is adverse, related, opposing-counsel, co-counsel or witness, not %q", in.Role)
	}
	if set["kind"] && in.Kind != "person" && in.Kind != "organisation" {
		return in, set, usagef("--kind is person or organisation, not %q", in.Kind)
	}
	return in, set, nil
}

// partyRoleWord is the stored role of a --role value ("" when none).
func partyRoleWord(role string) string {
	r := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(role)), "-", "_")
	for _, known := range app.PartyRoles {
		if r == known {
			return r
		}
	}
	return ""
}

// roleWords is a role in words, lower case: "adverse party".
func roleWords(role string) string { return strings.ToLower(app.PartyRoleLabel(partyRoleWord(role))) }

// partyNames are the names a conflict check on a party looks for: its
// name, aliases and former names.
func partyNames(in app.PartyInput) []string {
	return append(append([]string{in.Name}, in.Aliases...), in.FormerNames...)
}

// addedAndChecked prints what an add command added (line) and the conflict
// check run on the names just entered; --json: {KIND: added,
// "conflict_check": res}. A check that did not run (cerr) fails the
// command after the record is said to be added.
func (r *runner) addedAndChecked(kind string, added addedJSON, line string, res *app.ConflictResult, cerr error) error {
	js := map[string]any{kind: added}
	if res != nil {
		js["conflict_check"] = res
	}
	if err := r.out(js, func(w io.Writer) {
		io.WriteString(w, line)
		if res != nil {
			fmt.Fprintln(w)
			r.conflictLines(w, res)
		}
	}); err != nil {
		return err
	}
	if cerr != nil {
		return fmt.Errorf("the %s was added, but the conflict check on its names did not run: %w", kind, cerr)
	}
	return nil
}

type partyAddedJSON struct {
	Party         addedJSON           `json:"party"`
	ConflictCheck *app.ConflictResult `json:"conflict_check,omitempty"`
}

func (r *runner) partyAdd(args []string) error {
	p := r.partyFlagSet("party add")
	pos, err := parse(p.fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q (put the name in --name \"...\")", pos[0])
	}
	in, set, err := p.input(r, app.PartyInput{})
	if err != nil {
		return err
	}
	if *p.matter <= 0 || !set["role"] || strings.TrimSpace(in.Name) == "" {
		return usagef("party add needs --matter ID, --role ROLE and --name \"...\", e.g. casevault party add --matter 4 --role adverse --name \"Acme Ltd\" --kind organisation")
	}
	matter := *p.matter
	return r.open(func(s *app.Session) error {
		id, err := s.AddParty(r.ctx, matter, in)
		if err != nil {
			return err
		}
		name := strings.TrimSpace(in.Name)
		added := addedJSON{ID: id, MatterID: matter, Name: name, Role: partyRoleWord(in.Role)}
		var res *app.ConflictResult
		var cerr error
		if !*p.noCheck {
			res, cerr = s.CheckConflictsFor(r.ctx, partyNames(in), app.CheckFor{Context: fmt.Sprintf("party:%d matter:%d", id, matter), ExcludeParties: []int64{id}})
		}
		return r.partyDone(added, fmt.Sprintf("Party %d added to matter %d: %s (%s)", id, matter, cell(name), roleWords(in.Role)), "added", res, cerr)
	})
}

// partyDone prints what was done to a party (line; p under --json) and
// the conflict check on its names when one ran (res). A check that could
// not run (cerr) is the command's error, said after the change (what:
// "added", "changed") that was made all the same.
func (r *runner) partyDone(p addedJSON, line, what string, res *app.ConflictResult, cerr error) error {
	if err := r.out(partyAddedJSON{Party: p, ConflictCheck: res}, func(w io.Writer) {
		fmt.Fprintln(w, line)
		if res != nil {
			fmt.Fprintln(w)
			r.conflictLines(w, res)
		}
	}); err != nil {
		return err
	}
	if cerr != nil {
		return fmt.Errorf("the party was %s, but the conflict check on its names did not run: %w", what, cerr)
	}
	return nil
}

func (r *runner) partyRemove(args []string) error {
	fs := r.flags("party remove")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("party", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		if err := s.RemoveParty(r.ctx, id); err != nil {
			return err
		}
		return r.out(addedJSON{ID: id}, func(w io.Writer) {
			fmt.Fprintf(w, "Party %d removed. Its names are no longer found by conflict checks.\n", id)
		})
	})
}

type partyListJSON struct {
	ID           int64    `json:"id"`
	MatterID     int64    `json:"matter_id"`
	Role         string   `json:"role"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Organisation string   `json:"organisation,omitempty"`
	Note         string   `json:"note,omitempty"`
	Aliases      []string `json:"aliases,omitempty"`
	FormerNames  []string `json:"former_names,omitempty"`
}

func (r *runner) partyList(args []string) error {
	fs := r.flags("party list")
	matter := fs.Int64("matter", 0, "the matter whose parties to list (required)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && *matter == 0 {
		if *matter, err = parseID("matter", pos[0]); err != nil {
			return err
		}
	} else if len(pos) > 0 {
		return usagef("unexpected argument %q (give the matter with --matter ID)", pos[0])
	}
	if *matter <= 0 {
		return usagef("party list needs --matter ID (\"casevault matter list\" shows the matters)")
	}
	return r.open(func(s *app.Session) error {
		d, err := s.GetMatter(r.ctx, *matter)
		if err != nil {
			return err
		}
		m := d.Matter
		js := make([]partyListJSON, 0, len(m.Parties))
		for _, p := range m.Parties {
			js = append(js, partyListJSON{ID: p.ID, MatterID: m.ID, Role: p.Role, Name: p.Name, Kind: orPerson(p.Kind), Organisation: p.Organisation,
				Note: p.Note, Aliases: p.Aliases, FormerNames: p.FormerNames})
		}
		return r.out(js, func(w io.Writer) {
			if len(m.Parties) == 0 {
				fmt.Fprintf(w, "Matter %d, %s, has no parties yet. Add one with: casevault party add --matter %d --role adverse --name \"...\"%s\n",
					m.ID, matterName(m.Title, m.Number), m.ID, r.vaultFlag())
				return
			}
			fmt.Fprintf(w, "Parties of matter %d, %s:\n\n", m.ID, matterName(m.Title, m.Number))
			fmt.Fprintln(w, "ID\tROLE\tNAME\tKIND\tORGANISATION\tALSO KNOWN AS")
			for _, p := range m.Parties {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", p.ID, cell(app.PartyRoleLabel(p.Role)), cell(p.Name), orPerson(p.Kind),
					cell(p.Organisation), otherNames(p.Aliases, p.FormerNames))
			}
		})
	})
}

// orPerson is a party's kind, a person when none was recorded.
func orPerson(kind string) string {
	if kind == "" {
		return "person"
	}
	return kind
}

// otherNames are a party's aliases and former names in one cell.
func otherNames(aliases, former []string) string {
	var out []string
	for _, a := range aliases {
		out = append(out, cell(a))
	}
	for _, f := range former {
		out = append(out, "formerly "+cell(f))
	}
	return strings.Join(out, "; ")
}

func (r *runner) userDisplayName(args []string) error {
	fs := r.flags("user display-name")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give your display name in quotes: casevault user display-name \"Jane Roe, Esq.\" (\"\" for your user name)")
	}
	name := pos[0]
	if _, err := app.ValidateDisplayName(name); err != nil {
		var fe *app.FieldError
		if errors.As(err, &fe) {
			return usagef("%s", fe.Message)
		}
		return err
	}
	return r.open(func(s *app.Session) error {
		if err := s.SetDisplayName(r.ctx, name); err != nil {
			return err
		}
		shown := s.DisplayName()
		return r.out(struct {
			DisplayName string `json:"display_name"`
		}{shown}, func(w io.Writer) {
			if strings.TrimSpace(name) == "" {
				fmt.Fprintf(w, "Your notes are signed with your user name again: %s\n", cell(shown))
				return
			}
			fmt.Fprintf(w, "Your display name is now %s: it signs your notes and reports.\n", cell(shown))
		})
	})
}

func (r *runner) partyEdit(args []string) error {
	p := r.partyFlagSet("party edit")
	pos, err := parse(p.fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("party", pos)
	if err != nil {
		return err
	}
	// What was given, applied on top of the party as it is, in one
	// transaction (EditPartyWith).
	given, set, err := p.input(r, app.PartyInput{})
	if err != nil {
		return err
	}
	changes := 0
	for _, f := range []string{"role", "name", "kind", "organisation", "note", "alias", "former-name"} {
		if set[f] {
			changes++
		}
	}
	if changes == 0 {
		return usagef("party edit needs at least one thing to change, e.g. --organisation \"...\" or --alias \"...\" (\"casevault help party edit\")")
	}
	if set["name"] && strings.TrimSpace(given.Name) == "" {
		return usagef("--name cannot be empty: a party needs a name")
	}
	return r.open(func(s *app.Session) error {
		var after app.PartyInput
		err := s.EditPartyWith(r.ctx, id, func(in *app.PartyInput) {
			if set["role"] {
				in.Role = given.Role
			}
			if set["name"] {
				in.Name = given.Name
			}
			if set["kind"] {
				in.Kind = given.Kind
			}
			if set["organisation"] {
				in.Organisation = given.Organisation
			}
			if set["note"] {
				in.Note = given.Note
			}
			if set["alias"] {
				in.Aliases = given.Aliases
			}
			if set["former-name"] {
				in.FormerNames = given.FormerNames
			}
			after = *in
		})
		if err != nil {
			return err
		}
		name := strings.TrimSpace(after.Name)
		edited := addedJSON{ID: id, Name: name, Role: partyRoleWord(after.Role)}
		// New names are checked, as when the party was added.
		var res *app.ConflictResult
		var cerr error
		if !*p.noCheck && (set["name"] || set["alias"] || set["former-name"]) {
			res, cerr = s.CheckConflictsFor(r.ctx, partyNames(after), app.CheckFor{Context: fmt.Sprintf("party:%d", id), ExcludeParties: []int64{id}})
		}
		return r.partyDone(edited, fmt.Sprintf("Party %d changed: %s (%s)", id, cell(name), roleWords(after.Role)), "changed", res, cerr)
	})
}
