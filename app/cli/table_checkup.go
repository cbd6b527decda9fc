package cli

// The row of "casevault checkup" (issue 14): the security check.

func init() {
	commandTable = append(commandTable,
		&command{name: "checkup", section: secCheck,
			summary: "run the security check: what is OK, what needs attention and what to do",
			usage:   []string{"checkup [--answer KEY=yes|no]... [--fix auto-lock|clipboard|verify-audit|kdf] [--out FILE.html]"},
			desc: `Looks at the vault, its settings, its backups and this laptop, and says for each item whether it is
OK, needs attention, or needs your answer, and what to do: the passphrase's strength (rated when it was
set; the check never sees it), how slow a guess at it is on this laptop, the recovery key, the key file,
the automatic lock and the clipboard clearing, the last backup and its age, a backup drive that is not
this laptop's disk, a second backup drive swapped in the last 30 days, the last restore drill, the audit
trail, other users' expired, weak or locked passphrases, and this laptop's disk encryption and screen
lock. It takes about a second: it runs no drill and no restore.

What the laptop does not tell (disk encryption on some systems, the screen lock) is asked: answer with
--answer disk-encryption=yes; the answer is kept with its date and asked again after a year.
--fix puts an item right first: auto-lock (lock after 5 minutes without activity), clipboard (clear
copied data after 30 seconds), verify-audit (verify the whole audit trail), or kdf (choose a new
passphrase, changed with settings measured on this laptop now).

Each check is kept, so the next one says what changed. --out writes the dated, printable page for your
compliance file. The command exits with 0 whenever the check ran, whatever it found; run it once a year
at least (the window reminds you).`,
			examples: []example{
				{"Run the check", "casevault checkup"},
				{"Say the laptop's disk is encrypted, and keep the printable page", "casevault checkup --answer disk-encryption=yes --out security-check-2026.html"},
				{"Turn on the automatic lock, then check again", "casevault checkup --fix auto-lock"},
			},
			run: (*runner).cmdCheckup},
	)
}
