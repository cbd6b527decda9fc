package app

import (
	"context"
	"path/filepath"
	"strings"

	"casevault/app/access"
	"casevault/store"
)

// lostDrive is the lost backup drive of a lost_backup incident: repo is a
// repository id (or a unique prefix of 8 digits or more) or the folder of a
// drive the vault has backed up to. It returns the repository's id and the
// clients whose files were in its snapshots (ClientsOnRepository, from the
// vault's backup records; it over-includes rather than misses). Seeing
// which clients were on it needs ViewIncidents; a live client the person
// may not see is not on the list. Clients destroyed or deleted since are
// kept by the id they had and their register row, never by a name: the
// incident names them when it is read (affectedFrom).
func (s *Session) lostDrive(ctx context.Context, repo string) (string, []store.IncidentClient, error) {
	if err := s.allow(ctx, access.ViewIncidents); err != nil {
		return "", nil, err
	}
	id := strings.TrimSpace(repo)
	if s.CanDo(access.ListBackups) {
		repos, err := s.KnownRepositories(ctx)
		if err != nil {
			return "", nil, err
		}
		if r := findRepository(repos, id); r != nil {
			id = r.RepoID
		}
	}
	exposed, err := s.ClientsOnRepository(ctx, id)
	if err != nil {
		return "", nil, err
	}
	out := make([]store.IncidentClient, 0, len(exposed))
	for _, e := range exposed {
		c := store.IncidentClient{RecordID: e.ClientID}
		switch {
		case e.Destroyed:
			c.Register = e.Register
		case e.Deleted:
		default:
			c.ClientID = e.ClientID
		}
		out = append(out, c)
	}
	return id, out, nil
}

// findRepository is the known drive repo names: by id, by a unique prefix
// of at least 8 characters, or by its folder.
func findRepository(repos []Repository, repo string) *Repository {
	want := strings.ToLower(strings.TrimSpace(repo))
	var prefix *Repository
	n := 0
	for i := range repos {
		r := &repos[i]
		switch {
		case r.RepoID == want:
			return r
		case r.Target != "" && filepath.Clean(r.Target) == filepath.Clean(repo):
			return r
		case len(want) >= 8 && strings.HasPrefix(r.RepoID, want):
			prefix = r
			n++
		}
	}
	if n == 1 {
		return prefix
	}
	return nil
}

// incidentDrive fills a lost drive's Repository (how it was protected:
// its key slots) when the person may list backups.
func (s *Session) incidentDrive(ctx context.Context, in *Incident) error {
	if in == nil || in.RepoID == "" || !s.CanDo(access.ListBackups) {
		return nil
	}
	repos, err := s.KnownRepositories(ctx)
	if err != nil {
		return err
	}
	in.Repository = findRepository(repos, in.RepoID)
	return nil
}
