package cli

import (
	"fmt"

	"casevault/app"
)

// withUser makes a passphrase credential the user's (their key slot) and
// adds their key file. Until the vault has user slots, only the owner
// (no --user) unlocks, and a key file is refused.
func withUser(c app.Credential, user string, keyFile []byte) (app.Credential, error) {
	if user != "" || keyFile != nil {
		return c, fmt.Errorf("%w: this version of the vault has no user slots or key files yet", app.ErrUsersUnavailable)
	}
	return c, nil
}
