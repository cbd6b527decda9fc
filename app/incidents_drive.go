package app

import (
	"context"
	"fmt"
	"strings"

	"casevault/store"
)

// lostDrive is the lost backup drive of a lost_backup incident: repo is a
// repository id or the folder of a drive the vault has backed up to; it
// returns the repository's id and the clients whose files were on it.
//
// Waiting on helper C's KnownRepositories and ClientsOnRepository (the
// backup records): until they land, naming a drive is refused in words
// and the clients are chosen by hand (SetAffectedClients).
func (s *Session) lostDrive(ctx context.Context, repo string) (string, []store.IncidentClient, error) {
	_ = ctx
	return "", nil, &FieldError{"repo", fmt.Sprintf("This version of casevault cannot yet tell which clients were on backup drive %s; record the incident without the drive and choose the clients by hand", strings.TrimSpace(repo))}
}
