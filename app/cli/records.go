package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"casevault/app"
	"casevault/app/human"
)

type clientFlags struct {
	name, email, phone, dob, address, notes *string
	aliases                                 strList
	fs                                      *flag.FlagSet
	files                                   *fileFlags
}

func (r *runner) clientFlagSet(name string) *clientFlags {
	fs := r.flags(name)
	c := &clientFlags{fs: fs}
	c.name = fs.String("name", "", "client name (required for add)")
	fs.Var(&c.aliases, "alias", "another name the client goes by (repeatable)")
	c.email = fs.String("email", "", "e-mail address")
	c.phone = fs.String("phone", "", "phone number")
	c.dob = fs.String("dob", "", "date of birth, YYYY-MM-DD")
	c.address = fs.String("address", "", "postal address")
	c.notes = fs.String("notes", "", "notes")
	c.files = newFileFlags(fs)
	c.files.add("name", "the name", false)
	c.files.add("alias", "the aliases", true)
	c.files.add("email", "the e-mail address", false)
	c.files.add("phone", "the phone number", false)
	c.files.add("dob", "the date of birth", false)
	c.files.add("address", "the address", false)
	c.files.add("notes", "the notes", false)
	return c
}

// input returns only the fields given on the command line, as flags or
// read from their --X-file.
func (c *clientFlags) input(r *runner) (app.ClientInput, error) {
	var in app.ClientInput
	files, err := r.readFiles(c.files)
	if err != nil {
		return in, err
	}
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	pick := func(name string, v *string) *string {
		if t, ok := files[name]; ok {
			return &t
		}
		if set[name] {
			return v
		}
		return nil
	}
	in.Name = pick("name", c.name)
	in.Email = pick("email", c.email)
	in.Phone = pick("phone", c.phone)
	in.DOB = pick("dob", c.dob)
	in.Address = pick("address", c.address)
	in.Notes = pick("notes", c.notes)
	if t, ok := files["alias"]; ok {
		a := splitFileLines(t)
		in.Aliases = &a
	} else if set["alias"] {
		a := []string(c.aliases)
		in.Aliases = &a
	}
	return in, nil
}

func (r *runner) clientAdd(args []string) error {
	c := r.clientFlagSet("client add")
	check := c.fs.Bool("check", false, "then check the client's name and aliases for conflicts, and print the result")
	pos, err := parse(c.fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q (put the name in --name \"...\")", pos[0])
	}
	in, err := c.input(r)
	if err != nil {
		return err
	}
	if in.Name == nil {
		return usagef("client add needs --name \"...\" (or --name-file FILE)")
	}
	return r.open(func(s *app.Session) error {
		id, err := s.AddClient(r.ctx, in)
		if err != nil {
			return err
		}
		name := strings.TrimSpace(*in.Name)
		line := fmt.Sprintf("Client %d added: %s\n", id, cell(name))
		if !*check {
			return r.out(addedJSON{ID: id, Name: name}, func(w io.Writer) { io.WriteString(w, line) })
		}
		names := []string{name}
		if in.Aliases != nil {
			names = append(names, *in.Aliases...)
		}
		res, cerr := s.CheckConflictsFor(r.ctx, names, app.CheckFor{Context: fmt.Sprintf("client:%d", id), ExcludeClient: id})
		return r.addedAndChecked("client", addedJSON{ID: id, Name: name}, line, res, cerr)
	})
}

func (r *runner) clientEdit(args []string) error {
	c := r.clientFlagSet("client edit")
	pos, err := parse(c.fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("client", pos)
	if err != nil {
		return err
	}
	in, err := c.input(r)
	if err != nil {
		return err
	}
	if in == (app.ClientInput{}) {
		return usagef("client edit needs at least one field to change, e.g. --email")
	}
	return r.open(func(s *app.Session) error {
		if err := s.EditClient(r.ctx, id, in); err != nil {
			return err
		}
		return r.done(changed{Kind: "client", ID: id, Change: "updated"}, fmt.Sprintf("Client %d updated.", id))
	})
}

func (r *runner) clientDelete(args []string) error {
	fs := r.flags("client delete")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("client", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		if err := s.DeleteClient(r.ctx, id); err != nil {
			return err
		}
		return r.done(changed{Kind: "client", ID: id, Change: "deleted"}, fmt.Sprintf("Client %d deleted.", id))
	})
}

// addedJSON is what "add" commands print with --json: the new record's id
// and what names it.
type addedJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name,omitempty"`
	Title    string `json:"title,omitempty"`
	Number   string `json:"number,omitempty"`
	ClientID int64  `json:"client_id,omitempty"`
	MatterID int64  `json:"matter_id,omitempty"`
	Role     string `json:"role,omitempty"`
}

// jsonTime is how --json output writes times: UTC, millisecond precision.
const jsonTime = "2006-01-02T15:04:05.000Z"

type clientJSON struct {
	ID            int64        `json:"id"`
	Name          string       `json:"name"`
	Aliases       []string     `json:"aliases,omitempty"`
	Email         string       `json:"email,omitempty"`
	Phone         string       `json:"phone,omitempty"`
	DOB           string       `json:"dob,omitempty"`
	Address       string       `json:"address,omitempty"`
	Notes         string       `json:"notes,omitempty"`
	SecurityClass string       `json:"security_class"`
	CreatedAt     string       `json:"created_at"`
	UpdatedAt     string       `json:"updated_at"`
	Matters       []matterJSON `json:"matters,omitempty"`
}

func toClientJSON(c *app.Client) clientJSON {
	return clientJSON{ID: c.ID, Name: c.Name, Aliases: c.Aliases, Email: c.Email, Phone: c.Phone, DOB: c.DOB,
		Address: c.Address, Notes: c.Notes, SecurityClass: c.SecurityClass,
		CreatedAt: c.CreatedAt.Format(jsonTime), UpdatedAt: c.UpdatedAt.Format(jsonTime)}
}

func (r *runner) clientList(args []string) error {
	fs := r.flags("client list")
	sortBy := fs.String("sort", "name", "sort by name or updated")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	order := app.ByName
	switch *sortBy {
	case "name":
	case "updated":
		order = app.ByUpdated
	default:
		return usagef("--sort must be name or updated")
	}
	return r.open(func(s *app.Session) error {
		listFn := s.ListClientSummaries // the table shows no notes
		if r.json {
			listFn = s.ListClients // the JSON has always carried them
		}
		list, err := listFn(r.ctx, order)
		if err != nil {
			return err
		}
		js := make([]clientJSON, 0, len(list))
		for _, c := range list {
			js = append(js, toClientJSON(c))
		}
		return r.out(js, func(w io.Writer) {
			if len(list) == 0 {
				fmt.Fprintln(w, "No clients yet. Add one with: casevault client add"+r.vaultFlag()+" --name \"...\"")
				return
			}
			fmt.Fprintln(w, "ID\tNAME\tE-MAIL\tPHONE\tUPDATED")
			for _, c := range list {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", c.ID, cell(c.Name), cell(c.Email), cell(c.Phone), human.Time(c.UpdatedAt))
			}
		})
	})
}

func (r *runner) clientShow(args []string) error {
	fs := r.flags("client show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("client", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		d, err := s.GetClient(r.ctx, id)
		if err != nil {
			return err
		}
		js := toClientJSON(d.Client)
		for _, m := range d.Matters {
			js.Matters = append(js.Matters, toMatterJSON(m))
		}
		return r.out(js, func(w io.Writer) {
			c := d.Client
			fmt.Fprintf(w, "Client %d\t%s\n", c.ID, cell(c.Name))
			if len(c.Aliases) > 0 {
				var as []string
				for _, a := range c.Aliases {
					as = append(as, cell(a))
				}
				fmt.Fprintf(w, "Also known as\t%s\n", strings.Join(as, "; "))
			}
			for _, f := range [][2]string{{"E-mail", cell(c.Email)}, {"Phone", cell(c.Phone)}, {"Date of birth", cell(c.DOB)},
				{"Address", lines(c.Address)}, {"Notes", lines(c.Notes)}} {
				if f[1] != "" {
					fmt.Fprintf(w, "%s\t%s\n", f[0], f[1])
				}
			}
			fmt.Fprintf(w, "Security class\t%s\n", cell(c.SecurityClass))
			fmt.Fprintf(w, "Added / changed\t%s / %s\n", human.Time(c.CreatedAt), human.Time(c.UpdatedAt))
			if len(d.Matters) == 0 {
				fmt.Fprintln(w, "Matters\tnone")
			}
			for _, m := range d.Matters {
				fmt.Fprintf(w, "Matter %d\t%s (%s)\n", m.ID, cell(m.Title), cell(m.Status))
			}
		})
	})
}

type matterJSON struct {
	ID            int64       `json:"id"`
	ClientID      int64       `json:"client_id"`
	ClientName    string      `json:"client_name"`
	Clients       []clientRef `json:"clients,omitempty"`
	Number        string      `json:"number,omitempty"`
	Title         string      `json:"title"`
	PracticeArea  string      `json:"practice_area,omitempty"`
	Status        string      `json:"status"`
	OpenedAt      string      `json:"opened_at"`
	ClosedAt      string      `json:"closed_at,omitempty"`
	SecurityClass string      `json:"security_class"`
	Parties       []partyJSON `json:"parties,omitempty"`
	Notes         []noteJSON  `json:"notes,omitempty"`
}

// clientRef is one of a matter's clients (the lead first).
type clientRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type partyJSON struct {
	ID           int64    `json:"id,omitempty"`
	Role         string   `json:"role"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind,omitempty"`
	Organisation string   `json:"organisation,omitempty"`
	Note         string   `json:"note,omitempty"`
	Aliases      []string `json:"aliases,omitempty"`
	FormerNames  []string `json:"former_names,omitempty"`
}

type noteJSON struct {
	ID        int64  `json:"id"`
	Text      string `json:"text"`
	Author    string `json:"author"`
	CreatedAt string `json:"created_at"`
}

func toMatterJSON(m *app.Matter) matterJSON {
	j := matterJSON{ID: m.ID, ClientID: m.ClientID, ClientName: m.ClientName, Number: m.Number, Title: m.Title, PracticeArea: m.PracticeArea,
		Status: m.Status, OpenedAt: m.OpenedAt.Format(jsonTime), SecurityClass: m.SecurityClass}
	for _, c := range m.Clients {
		j.Clients = append(j.Clients, clientRef{c.ID, c.Name})
	}
	if m.ClosedAt != nil {
		j.ClosedAt = m.ClosedAt.Format(jsonTime)
	}
	for _, p := range m.Parties {
		j.Parties = append(j.Parties, partyJSON{ID: p.ID, Role: p.Role, Name: p.Name, Kind: orPerson(p.Kind), Organisation: p.Organisation,
			Note: p.Note, Aliases: p.Aliases, FormerNames: p.FormerNames})
	}
	return j
}

func (r *runner) matterAdd(args []string) error {
	fs := r.flags("matter add")
	client := fs.Int64("client", 0, "id of the client (required)")
	title := fs.String("title", "", "matter title (required)")
	area := fs.String("practice-area", "", "practice area, e.g. family, employment")
	check := fs.Bool("check", false, "then check the parties' names for conflicts, and print the result")
	var adverse, related, counsel strList
	fs.Var(&adverse, "adverse", "adverse party (repeatable)")
	fs.Var(&related, "related", "related party (repeatable)")
	fs.Var(&counsel, "opposing-counsel", "opposing counsel (repeatable)")
	ff := newFileFlags(fs)
	ff.add("title", "the title", false)
	ff.add("practice-area", "the practice area", false)
	ff.add("adverse", "the adverse parties", true)
	ff.add("related", "the related parties", true)
	ff.add("opposing-counsel", "the opposing counsel", true)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	if t, ok := files["title"]; ok {
		*title = t
	}
	if t, ok := files["practice-area"]; ok {
		*area = t
	}
	for name, l := range map[string]*strList{"adverse": &adverse, "related": &related, "opposing-counsel": &counsel} {
		if t, ok := files[name]; ok {
			*l = splitFileLines(t)
		}
	}
	if *client <= 0 || *title == "" {
		return usagef("matter add needs --client ID and --title \"...\" (or --title-file FILE)")
	}
	return r.open(func(s *app.Session) error {
		id, err := s.AddMatter(r.ctx, app.MatterInput{ClientID: *client, Title: *title, PracticeArea: *area,
			Adverse: adverse, Related: related, OpposingCounsel: counsel})
		if err != nil {
			return err
		}
		t := strings.TrimSpace(*title)
		n, err := s.MatterNumber(r.ctx, id)
		if err != nil {
			n = "" // the matter is added; its number is in matter show
		}
		added := addedJSON{ID: id, Title: t, Number: n, ClientID: *client}
		line := fmt.Sprintf("Matter %d added: %s\n", id, matterName(t, n))
		names := append(append(append([]string{}, adverse...), related...), counsel...)
		if !*check || len(names) == 0 {
			if *check {
				line += "No parties were given, so there was nothing to check for conflicts.\n"
			}
			return r.out(added, func(w io.Writer) { io.WriteString(w, line) })
		}
		// The parties just made must not match themselves.
		d, err := s.GetMatter(r.ctx, id)
		if err != nil {
			return r.addedAndChecked("matter", added, line, nil, err)
		}
		var made []int64
		for _, p := range d.Matter.Parties {
			made = append(made, p.ID)
		}
		res, cerr := s.CheckConflictsFor(r.ctx, names, app.CheckFor{Context: fmt.Sprintf("matter:%d", id), ExcludeParties: made})
		return r.addedAndChecked("matter", added, line, res, cerr)
	})
}

func (r *runner) matterList(args []string) error {
	fs := r.flags("matter list")
	client := fs.Int64("client", 0, "only this client's matters")
	status := fs.String("status", "", "open or closed (default: both)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *status != "" && *status != "open" && *status != "closed" {
		return usagef("--status must be open or closed")
	}
	return r.open(func(s *app.Session) error {
		list, err := s.ListMatters(r.ctx, *client, *status)
		if err != nil {
			return err
		}
		js := make([]matterJSON, 0, len(list))
		for _, m := range list {
			js = append(js, toMatterJSON(m))
		}
		return r.out(js, func(w io.Writer) {
			if len(list) == 0 {
				fmt.Fprintln(w, "No matters.")
				return
			}
			fmt.Fprintln(w, "ID\tNUMBER\tTITLE\tCLIENT\tSTATUS\tOPENED")
			for _, m := range list {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s (%d)\t%s\t%s\n", m.ID, cell(m.Number), cell(m.Title), cell(m.ClientName), m.ClientID, cell(m.Status), human.Date(m.OpenedAt))
			}
		})
	})
}

func (r *runner) matterShow(args []string) error {
	fs := r.flags("matter show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("matter", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		d, err := s.GetMatter(r.ctx, id)
		if err != nil {
			return err
		}
		js := toMatterJSON(d.Matter)
		for _, n := range d.Notes {
			js.Notes = append(js.Notes, noteJSON{ID: n.ID, Text: n.Text, Author: n.Author, CreatedAt: n.CreatedAt.Format(jsonTime)})
		}
		return r.out(js, func(w io.Writer) {
			m := d.Matter
			fmt.Fprintf(w, "Matter %d\t%s\n", m.ID, cell(m.Title))
			if m.Number != "" {
				fmt.Fprintf(w, "Number\t%s\n", cell(m.Number))
			}
			if len(m.Clients) > 1 {
				for i, c := range m.Clients {
					label := "Client"
					if i == 0 {
						label = "Lead client"
					}
					fmt.Fprintf(w, "%s\t%s (%d)\n", label, cell(c.Name), c.ID)
				}
			} else {
				fmt.Fprintf(w, "Client\t%s (%d)\n", cell(m.ClientName), m.ClientID)
			}
			if m.PracticeArea != "" {
				fmt.Fprintf(w, "Practice area\t%s\n", cell(m.PracticeArea))
			}
			st := m.Status + ", opened " + human.Date(m.OpenedAt)
			if m.ClosedAt != nil {
				st += ", closed " + human.Date(*m.ClosedAt)
			}
			fmt.Fprintf(w, "Status\t%s\n", cell(st))
			for _, p := range m.Parties {
				name := cell(p.Name)
				if p.Organisation != "" {
					name += ", " + cell(p.Organisation)
				}
				if o := otherNames(p.Aliases, p.FormerNames); o != "" {
					if len(p.Aliases) > 0 {
						o = "also " + o
					}
					name += " (" + o + ")"
				}
				fmt.Fprintf(w, "%s\t%s [party %d]\n", cell(app.PartyRoleLabel(p.Role)), name, p.ID)
			}
			for _, n := range d.Notes {
				fmt.Fprintf(w, "Note %s\t%s\n", human.Time(n.CreatedAt), lines(n.Text))
			}
		})
	})
}

func (r *runner) matterStatus(args []string, reopen bool) error {
	name := "matter close"
	if reopen {
		name = "matter reopen"
	}
	fs := r.flags(name)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("matter", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		if reopen {
			if err := s.ReopenMatter(r.ctx, id); err != nil {
				return err
			}
			return r.done(changed{Kind: "matter", ID: id, Change: "reopened"}, fmt.Sprintf("Matter %d reopened.", id))
		}
		if err := s.CloseMatter(r.ctx, id); err != nil {
			return err
		}
		return r.done(changed{Kind: "matter", ID: id, Change: "closed"}, fmt.Sprintf("Matter %d closed.", id))
	})
}

func (r *runner) noteAdd(args []string) error {
	fs := r.flags("note add")
	matter := fs.Int64("matter", 0, "id of the matter (required)")
	text := fs.String("text", "", "the note (required)")
	ff := newFileFlags(fs)
	ff.add("text", "the note", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q (put the note in --text \"...\" or --text-file FILE)", pos[0])
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	if t, ok := files["text"]; ok {
		*text = t
	}
	if *matter <= 0 || *text == "" {
		return usagef("note add needs --matter ID and --text \"...\" (or --text-file FILE)")
	}
	return r.open(func(s *app.Session) error {
		id, err := s.AddNote(r.ctx, *matter, *text)
		if err != nil {
			return err
		}
		return r.out(addedJSON{ID: id, MatterID: *matter}, func(w io.Writer) {
			fmt.Fprintf(w, "Note %d added to matter %d.\n", id, *matter)
		})
	})
}
