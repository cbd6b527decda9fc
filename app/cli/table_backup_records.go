package cli

// The rows of the commands on what the vault knows of its backups (issue
// 14): backup holding, backup forget-destroyed, backup drives. "backup"
// itself runs a backup; resolve (help.go) goes on to these words.

func init() {
	commandTable = append(commandTable,
		&command{name: "backup holding", summary: "list the snapshots that still hold destroyed client files",
			usage: []string{"backup holding [NUMBER]"},
			desc: `A destroyed client file is gone from the vault, but the snapshots made before its destruction
still hold it. This lists them, on every backup drive the vault has backed up to, oldest first: the
drive, the snapshot, when it was made and whether the drive is plugged in now. NUMBER (like
D-2026-0001, from "casevault retention register") keeps those of one destruction.`,
			examples: []example{
				{"Which backups still hold destruction D-2026-0001", "casevault backup holding D-2026-0001"},
				{"Which backups still hold any destroyed file", "casevault backup holding"},
			},
			run: (*runner).backupHolding},
		&command{name: "backup forget-destroyed", summary: "remove from a backup drive the snapshots that still hold a destroyed file",
			usage: []string{"backup forget-destroyed NUMBER [--repo DIR]"},
			desc: `Removes from the backup in --repo (default: the folder the vault backs up to) exactly the snapshots
that still hold what destruction NUMBER destroyed, and frees the space they alone took, so that nothing
of them stays on the drive. The other snapshots stay and restore as before.

The drive must first have a backup made after the destruction ("casevault backup --repo DIR"): without
one, the command refuses, so that the drive is never left without a backup of the vault as it is now.
If the drive is full, the snapshots are removed but part of their data may stay: free some space on
the drive and run the command again. Other drives that still hold the file are listed: plug each in
and run it there too.`,
			examples: []example{
				{"After a backup made since, remove the old snapshots that hold D-2026-0001", "casevault backup forget-destroyed D-2026-0001 --repo /media/jane/USB/casevault-backup"},
				{"The same on the drive the vault backs up to", "casevault backup forget-destroyed D-2026-0001"},
			},
			run: (*runner).backupForgetDestroyed},
		&command{name: "backup drives", summary: "list the backup drives the vault has backed up to, and who could open them",
			usage: []string{"backup drives [--clients ID]"},
			desc: `Lists every backup drive the vault has backed up to: its folder, its snapshots (how many, the oldest
and the newest), whether it is the laptop's own disk, whether it is plugged in now, and how it is
protected: every backup is encrypted, and it opens with the secrets listed (the owner's passphrase, the
recovery key, users' passphrases, and earlier ones while the drive keeps older copies of the keys).

If a drive is lost, --clients ID lists the clients whose data was on it: every client in a snapshot it
still held (destroyed and deleted ones too, by what the vault still knows of them).`,
			examples: []example{
				{"The drives the vault knows of", "casevault backup drives"},
				{"The clients on a lost drive", "casevault backup drives --clients 3f2a9c41"},
			},
			run: (*runner).backupDrives},
	)
}
