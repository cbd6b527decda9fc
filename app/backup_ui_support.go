package app

// What the window (ui/) needs about backups beyond app/backup.go, which
// it cannot get from backup/ itself (ui talks only to app).

import "casevault/backup/volume"

// DriveOf describes the drive the existing folder path is on, for showing
// where the backups go ("USB drive "KINGSTON" (/media/anna/KINGSTON)").
// It fails when path does not exist (the drive is not plugged in).
func DriveOf(path string) (Drive, error) { return volume.Of(path) }
