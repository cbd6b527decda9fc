package cli

import (
	"casevault/app"
)

// withUser makes a passphrase credential the user's (their key slot, by
// name; "" = the owner) with their key file, if any.
func withUser(c app.Credential, user string, keyFile []byte) (app.Credential, error) {
	if user != "" {
		c = c.ForUser(user)
	}
	if keyFile != nil {
		c = c.WithKeyFile(keyFile)
	}
	return c, nil
}
