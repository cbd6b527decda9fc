package app

// Names the command line (app/cli) needs from backup/ without importing it.

import "casevault/backup"

// IsBackupRepo reports whether dir holds a backup repository, so that a
// command can say "the drive is not there" before asking for a passphrase.
func IsBackupRepo(dir string) bool { return backup.IsRepo(dir) }
