package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/incident"
	"casevault/store"
)

// Incidents (issue 14, "Something happened"): what happened, a checklist
// of what to do with the time and the person as each step is done, the
// clients it affects with when each was told, and the notification pack
// (incidents_pack.go). The checklists and the letter are app/incident's;
// the rows are store's (store/incidents.go). Every change is one audit
// entry whose records start with "incident:N" and whose detail holds no
// client data (the step's key, a count), so an entry about an incident
// says nothing about a client that a destruction would have to remove.

// The limits of what a person types into an incident.
const (
	MaxIncidentSummary = 4000 // characters
	MaxIncidentNote    = 2000 // characters, per step
)

// ErrIncidentClosed: the incident was closed already.
var ErrIncidentClosed = store.ErrIncidentClosed

// IncidentInput is a new incident.
type IncidentInput struct {
	Kind       incident.Kind
	HappenedAt time.Time // zero: not known
	Summary    string    // what happened, in the lawyer's words (no client names: see THREAT-MODEL)
	RepoID     string    // lost_backup: the lost drive's repository (its id, or the folder of a known drive)
}

// IncidentStep is a step of the checklist with when it was done (zero:
// not done), by whom, and the note written on it.
type IncidentStep struct {
	incident.Step
	DoneAt time.Time `json:"done_at"`
	DoneBy string    `json:"done_by,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// AffectedClient is a client an incident affects. ClientID is the id the
// client had when it was recorded (a destroyed client keeps it here);
// Label names it as the viewer may see it: "Client 12 (Ann Lee)", "Former
// client 12 (file destroyed, D-2026-0001/2)".
type AffectedClient struct {
	ClientID   int64     `json:"client_id"`
	Label      string    `json:"label"`
	Name       string    `json:"name,omitempty"`     // the live client's name, or the name kept for conflict checks
	Register   string    `json:"register,omitempty"` // the destruction register's ref, when destroyed
	Gone       bool      `json:"gone,omitempty"`     // destroyed or deleted since
	Hidden     bool      `json:"hidden,omitempty"`   // a client you may not see
	NotifiedAt time.Time `json:"notified_at"`
	NotifiedBy string    `json:"notified_by,omitempty"`
}

// Incident is one incident with its checklist and (for a person who may
// see them) the clients it affects.
type Incident struct {
	ID         int64            `json:"id"`
	Kind       incident.Kind    `json:"kind"`
	Label      string           `json:"label"`
	OpenedAt   time.Time        `json:"opened_at"`
	HappenedAt time.Time        `json:"happened_at"`
	ClosedAt   time.Time        `json:"closed_at"`
	OpenedBy   string           `json:"opened_by"`
	ClosedBy   string           `json:"closed_by,omitempty"`
	Summary    string           `json:"summary,omitempty"`
	RepoID     string           `json:"repo_id,omitempty"`
	Repository *Repository      `json:"repository,omitempty"` // lost_backup: the drive and who could open it (with ListBackups)
	Steps      []IncidentStep   `json:"steps"`
	Affected   []AffectedClient `json:"affected,omitempty"` // only with ViewIncidents
}

// Done is how many steps of the checklist are done.
func (in *Incident) Done() int {
	n := 0
	for _, s := range in.Steps {
		if !s.DoneAt.IsZero() {
			n++
		}
	}
	return n
}

// Closed says whether the incident was closed.
func (in *Incident) Closed() bool { return !in.ClosedAt.IsZero() }

func validIncidentText(field, what, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", &FieldError{field, human.Capitalize(what) + " is not valid text (UTF-8); type it again"}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", &FieldError{field, fmt.Sprintf("%s is too long (%s; at most %s)", human.Capitalize(what),
			human.Count(n, "character", "characters"), human.Count(max, "character", "characters"))}
	}
	return s, nil
}

// StartIncident records that something happened and returns the
// incident's id. HappenedAt may not be in the future. A lost backup drive
// names its repository: its affected clients are those whose files were in
// the drive's snapshots, from the vault's backup records (lostDrive).
func (s *Session) StartIncident(ctx context.Context, in IncidentInput) (int64, error) {
	if !in.Kind.Valid() {
		_, err := incident.ParseKind(string(in.Kind))
		return 0, &FieldError{"kind", human.Capitalize(err.Error())}
	}
	summary, err := validIncidentText("summary", "the summary", in.Summary, MaxIncidentSummary)
	if err != nil {
		return 0, err
	}
	now := s.now()
	if in.HappenedAt.After(now.Add(time.Minute)) {
		return 0, &FieldError{"happened", fmt.Sprintf("When it happened (%s) is in the future; give the day it happened, or leave it out if you do not know", human.Date(in.HappenedAt))}
	}
	repo := strings.TrimSpace(in.RepoID)
	if repo != "" && in.Kind != incident.LostBackup {
		return 0, &FieldError{"repo", "Only a lost backup drive names a backup drive; leave the drive out for " + strings.ToLower(in.Kind.Label())}
	}
	if err := s.allow(ctx, access.RecordIncident); err != nil {
		return 0, err
	}
	var affected []store.IncidentClient
	if repo != "" {
		if repo, affected, err = s.lostDrive(ctx, repo); err != nil {
			return 0, err
		}
	}
	var id int64
	err = s.update(ctx, "incident.start", func(tx *store.Tx) (string, string, error) {
		var err error
		id, err = tx.InsertIncident(&store.Incident{Kind: string(in.Kind), OpenedAt: now, OpenedBy: s.actor, HappenedAt: in.HappenedAt, Summary: summary, RepoID: repo})
		if err != nil {
			return "", "", err
		}
		detail := string(in.Kind)
		if repo != "" {
			if err := tx.SetIncidentClients(id, affected); err != nil {
				return "", "", err
			}
			detail += fmt.Sprintf(", backup drive %s, %s on it", repo, human.Count(len(affected), "client", "clients"))
		}
		return ref("incident", id), detail, nil
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// Incidents lists every incident, open ones first, then newest first, with
// their checklists but not the clients they affect.
func (s *Session) Incidents(ctx context.Context) ([]*Incident, error) {
	if err := s.allow(ctx, access.RecordIncident); err != nil {
		return nil, err
	}
	var out []*Incident
	err := s.view(ctx, "incident.list", func(tx *store.Tx) (string, string, error) {
		list, err := tx.ListIncidents()
		if err != nil {
			return "", "", err
		}
		for _, r := range list {
			in, err := incidentFrom(tx, r)
			if err != nil {
				return "", "", err
			}
			out = append(out, in)
		}
		return "", human.Count(len(out), "incident", "incidents"), nil
	})
	return out, err
}

// Incident returns one incident with its checklist, and the clients it
// affects when the person may see them (ViewIncidents).
func (s *Session) Incident(ctx context.Context, id int64) (*Incident, error) {
	if err := s.allow(ctx, access.RecordIncident, ref("incident", id)); err != nil {
		return nil, err
	}
	withClients := s.CanDo(access.ViewIncidents)
	var in *Incident
	err := s.view(ctx, "incident.view", func(tx *store.Tx) (string, string, error) {
		var err error
		if in, err = s.loadIncident(tx, id, withClients); err != nil {
			return "", "", err
		}
		return ref("incident", id), "", nil
	})
	if err != nil {
		return nil, err
	}
	return in, s.incidentDrive(ctx, in)
}

func (s *Session) loadIncident(tx *store.Tx, id int64, withClients bool) (*Incident, error) {
	r, err := tx.GetIncident(id)
	if err != nil {
		return nil, incidentNotFound(id, err)
	}
	in, err := incidentFrom(tx, r)
	if err != nil || !withClients {
		return in, err
	}
	cs, err := tx.IncidentClients(id)
	if err != nil {
		return nil, err
	}
	in.Affected = make([]AffectedClient, 0, len(cs))
	for _, c := range cs {
		in.Affected = append(in.Affected, affectedFrom(c))
	}
	return in, nil
}

// IncidentClients returns the clients an incident affects, as the person
// may see them (ViewIncidents: Incident leaves them out otherwise).
func (s *Session) IncidentClients(ctx context.Context, id int64) ([]AffectedClient, error) {
	if err := s.allow(ctx, access.ViewIncidents, ref("incident", id)); err != nil {
		return nil, err
	}
	var out []AffectedClient
	err := s.view(ctx, "incident.view", func(tx *store.Tx) (string, string, error) {
		in, err := s.loadIncident(tx, id, true)
		if err != nil {
			return "", "", err
		}
		out = in.Affected
		return ref("incident", id), "", nil
	})
	return out, err
}

// incidentNotFound: "incident 9: not found" (ErrNotFound).
func incidentNotFound(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
	}
	return err
}

// closedError is an incident closed already (Is ErrIncidentClosed).
type closedError struct {
	id int64
	at time.Time
	by string
}

func (e *closedError) Error() string {
	return fmt.Sprintf("incident %d was closed already, on %s by %s", e.id, human.Date(e.at), e.by)
}

func (e *closedError) Is(target error) bool { return target == ErrIncidentClosed }

// incidentFrom is a stored incident with its checklist: the kind's steps
// in order, each with what was recorded of it; steps recorded under a key
// the checklist no longer has follow, so nothing recorded is lost.
func incidentFrom(tx *store.Tx, r *store.Incident) (*Incident, error) {
	k := incident.Kind(r.Kind)
	in := &Incident{ID: r.ID, Kind: k, Label: k.Label(), OpenedAt: r.OpenedAt, HappenedAt: r.HappenedAt, ClosedAt: r.ClosedAt,
		OpenedBy: r.OpenedBy, ClosedBy: r.ClosedBy, Summary: r.Summary, RepoID: r.RepoID}
	done, err := tx.IncidentSteps(r.ID)
	if err != nil {
		return nil, err
	}
	for _, st := range incident.Checklist(k) {
		d := done[st.Key]
		delete(done, st.Key)
		in.Steps = append(in.Steps, IncidentStep{Step: st, DoneAt: d.DoneAt, DoneBy: d.DoneBy, Note: d.Note})
	}
	var rest []string
	for key := range done {
		rest = append(rest, key)
	}
	slices.Sort(rest)
	for _, key := range rest {
		d := done[key]
		in.Steps = append(in.Steps, IncidentStep{Step: incident.Step{Key: key, Text: "A step this version of casevault does not know (" + key + ")."}, DoneAt: d.DoneAt, DoneBy: d.DoneBy, Note: d.Note})
	}
	return in, nil
}

// affectedFrom names a stored affected client as the viewer may see it.
func affectedFrom(c store.IncidentClient) AffectedClient {
	a := AffectedClient{ClientID: c.RecordID, Register: c.Register, NotifiedAt: c.NotifiedAt, NotifiedBy: c.NotifiedBy}
	switch {
	case c.Hidden:
		a.Hidden = true
		a.Label = fmt.Sprintf("Client %d (you may not see this client)", c.RecordID)
	case c.ClientID != 0:
		a.Name = c.Name
		a.Label = fmt.Sprintf("Client %d (%s)", c.RecordID, c.Name)
	case c.Label != "": // gone before it was recorded: the backup records' words
		a.Gone = true
		a.Label = c.Label
	case c.Register != "":
		a.Gone = true
		a.Name = c.KeptName
		if c.KeptName != "" {
			a.Label = fmt.Sprintf("Former client %d, %s (file destroyed, %s)", c.RecordID, c.KeptName, c.Register)
		} else {
			a.Label = fmt.Sprintf("Former client %d (file destroyed, %s)", c.RecordID, c.Register)
		}
	default:
		a.Gone = true
		a.Label = fmt.Sprintf("Client %d (deleted)", c.RecordID)
	}
	return a
}

// MarkIncidentStep ticks (done) or unticks a step of an incident's
// checklist by its key ("police"); ticking records the session's time and
// person, and note (if not empty) replaces the step's note.
func (s *Session) MarkIncidentStep(ctx context.Context, id int64, key string, done bool, note string) error {
	note, err := validIncidentText("note", "the note", note, MaxIncidentNote)
	if err != nil {
		return err
	}
	if err := s.allow(ctx, access.RecordIncident, ref("incident", id)); err != nil {
		return err
	}
	return s.update(ctx, "incident.step", func(tx *store.Tx) (string, string, error) {
		r, err := tx.GetIncident(id)
		if err != nil {
			return "", "", incidentNotFound(id, err)
		}
		st, err := incident.FindStep(incident.Kind(r.Kind), key)
		if err != nil {
			return "", "", &FieldError{"step", human.Capitalize(err.Error())}
		}
		if err := tx.SetIncidentStep(id, st.Key, done, note, s.actor, s.now()); err != nil {
			return "", "", err
		}
		detail := "step " + st.Key + " done"
		if !done {
			detail = "step " + st.Key + " not done after all"
		}
		if note != "" {
			detail += ", with a note"
		}
		return ref("incident", id), detail, nil
	})
}

// SetAffectedClients makes the clients an incident affects these (by id,
// each one you may see); clients already gone and clients you may not see
// stay as they were. A client that stays keeps when it was told.
func (s *Session) SetAffectedClients(ctx context.Context, id int64, clientIDs []int64) error {
	if err := s.allow(ctx, access.ViewIncidents, ref("incident", id)); err != nil {
		return err
	}
	return s.update(ctx, "incident.clients", func(tx *store.Tx) (string, string, error) {
		if _, err := tx.GetIncident(id); err != nil {
			return "", "", incidentNotFound(id, err)
		}
		old, err := tx.IncidentClients(id)
		if err != nil {
			return "", "", err
		}
		var list []store.IncidentClient
		seen := map[int64]bool{}
		for _, c := range old {
			if c.ClientID == 0 || c.Hidden {
				list = append(list, c)
				seen[c.RecordID] = true
			}
		}
		records := []string{ref("incident", id)}
		chosen := 0
		for _, cid := range clientIDs {
			if seen[cid] {
				continue
			}
			if _, err := tx.GetClient(cid); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return "", "", &FieldError{"clients", fmt.Sprintf("There is no client %d that you may see (\"casevault client list\" lists them)", cid)}
				}
				return "", "", err
			}
			seen[cid] = true
			chosen++
			list = append(list, store.IncidentClient{ClientID: cid, RecordID: cid})
			records = append(records, ref("client", cid))
		}
		if err := tx.SetIncidentClients(id, list); err != nil {
			return "", "", err
		}
		return strings.Join(records, " "), human.Count(chosen, "client", "clients") + " chosen", nil
	})
}

// MarkNotified records that a client the incident affects was told of it
// (or, notified false, that it was not after all).
func (s *Session) MarkNotified(ctx context.Context, id, clientID int64, notified bool) error {
	if err := s.allow(ctx, access.ViewIncidents, ref("incident", id)); err != nil {
		return err
	}
	return s.update(ctx, "incident.notified", func(tx *store.Tx) (string, string, error) {
		if _, err := tx.GetIncident(id); err != nil {
			return "", "", incidentNotFound(id, err)
		}
		cs, err := tx.IncidentClients(id)
		if err != nil {
			return "", "", err
		}
		i := slices.IndexFunc(cs, func(c store.IncidentClient) bool { return c.RecordID == clientID && !c.Hidden })
		if i < 0 {
			return "", "", &FieldError{"client", fmt.Sprintf("Client %d is not among the clients incident %d affects (\"casevault incident clients %d\" lists them)", clientID, id, id)}
		}
		at := time.Time{}
		detail := "client told"
		if notified {
			at = s.now()
		} else {
			detail = "client not told after all"
		}
		if err := tx.SetIncidentNotified(id, clientID, at, s.actor); err != nil {
			return "", "", err
		}
		return ref("incident", id) + " " + ref("client", clientID), detail, nil
	})
}

// CloseIncident closes an incident: nothing is left to do. Its record
// stays; steps can still be ticked and clients marked as told.
func (s *Session) CloseIncident(ctx context.Context, id int64) error {
	if err := s.allow(ctx, access.RecordIncident, ref("incident", id)); err != nil {
		return err
	}
	return s.update(ctx, "incident.close", func(tx *store.Tx) (string, string, error) {
		r, err := tx.GetIncident(id)
		if err != nil {
			return "", "", incidentNotFound(id, err)
		}
		if !r.ClosedAt.IsZero() {
			return "", "", &closedError{id, r.ClosedAt, r.ClosedBy}
		}
		done, err := tx.IncidentSteps(id)
		if err != nil {
			return "", "", err
		}
		n := 0
		for _, st := range incident.Checklist(incident.Kind(r.Kind)) {
			if !done[st.Key].DoneAt.IsZero() {
				n++
			}
		}
		if err := tx.CloseIncident(id, s.actor, s.now()); err != nil {
			return "", "", err
		}
		return ref("incident", id), fmt.Sprintf("%d of %s done", n, human.Count(len(incident.Checklist(incident.Kind(r.Kind))), "step", "steps")), nil
	})
}
