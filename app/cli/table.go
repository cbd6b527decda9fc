package cli

// The rows of commandTable (help.go): every command, its words and
// examples. The flags are the ones each run function parses.

import (
	"strings"

	"casevault/app/access"
)

func init() {
	commandTable = append(commandTable,
		&command{name: "init", section: secFiles,
			summary: "create a vault: choose a passphrase, and write down the recovery key shown once",
			usage:   []string{"init [--vault DIR] [--user NAME] [--display-name NAME] [--kdf-memory MIB] [--kdf-time N]"},
			desc: `Creates a new, empty vault in the vault folder and makes you its owner. You choose a passphrase
(asked twice; a weak one is refused with the reason and asked for again), then casevault prints the
recovery key, once: write it on paper and keep it away from the laptop. On a terminal you type one
group of it back, to show you have it. If you forget the passphrase, the recovery key opens the vault:
"casevault passwd --recovery" then lets you choose a new passphrase.

The key derivation is tuned to take about one second on this computer, unless --kdf-memory or
--kdf-time say otherwise.`,
			examples: []example{
				{"Create the vault in the usual place, signing notes as \"Jane Roe, Esq.\"", `casevault init --display-name "Jane Roe, Esq."`},
				{"Create a vault in another folder", "casevault init --vault /home/jane/firm-vault"},
			},
			run: (*runner).cmdInit},

		&command{name: "client", section: secFiles,
			summary: "add, list, show, edit or delete clients, and choose who may see one",
			desc: `A client is a person or an organisation you act for. Every client is checked in conflict checks,
under their name and every alias.`,
			examples: []example{{"List every client", "casevault client list"}}},
		&command{name: "client add", summary: "add a client",
			usage: []string{"client add --name NAME [--alias NAME]... [--email ADDRESS] [--phone NUMBER] [--dob YYYY-MM-DD] [--address TEXT] [--notes TEXT] [--check]"},
			desc: `Adds a client and prints its number ("Client 12 added: Jane Roe"); with --json, the new client as
data. --check then checks the client's name and aliases for conflicts and prints the result right there
(the new client itself left out). Each detail can also be read from a file (--name-file, --notes-file...),
so it does not stay in the shell history.`,
			examples: []example{
				{"Add a client who also goes by her maiden name", `casevault client add --name "Jane Roe" --alias "Jane Smith" --email jane@example.com`},
				{"Add a client whose notes are in a file, and check the name for conflicts", `casevault client add --name "Acme Ltd" --notes-file acme-notes.txt --check`},
			},
			run: (*runner).clientAdd},
		&command{name: "client list", summary: "list the clients you may see",
			usage:    []string{"client list [--sort name|updated]"},
			desc:     `Lists the clients with their e-mail address, phone number and when they last changed.`,
			examples: []example{{"The clients changed most recently first", "casevault client list --sort updated"}},
			run:      (*runner).clientList},
		&command{name: "client show", summary: "show one client, with their matters",
			usage:    []string{"client show CLIENT-ID"},
			desc:     `Shows every detail of one client and the matters they are a client in.`,
			examples: []example{{"Show client 12", "casevault client show 12"}},
			run:      (*runner).clientShow},
		&command{name: "client edit", summary: "change a client's details",
			usage: []string{"client edit CLIENT-ID [--name NAME] [--alias NAME]... [--email ADDRESS] [--phone NUMBER] [--dob YYYY-MM-DD] [--address TEXT] [--notes TEXT]"},
			desc: `Changes only the details given. --alias replaces all the aliases with the ones given (give
--alias "" to remove them all).`,
			examples: []example{{"Correct a client's phone number", `casevault client edit 12 --phone "+44 20 7946 0000"`}},
			run:      (*runner).clientEdit},
		&command{name: "client delete", summary: "delete a client who has no matters",
			usage: []string{"client delete CLIENT-ID"},
			desc: `Deletes a client added by mistake. A client with matters is kept, for conflict checks and
retention, and cannot be deleted.`,
			examples: []example{{"Delete client 12", "casevault client delete 12"}},
			run:      (*runner).clientDelete},
		classRow("client", "restrict"), classRow("client", "wall"), classRow("client", "open"),

		&command{name: "matter", section: secFiles,
			summary: "add, list, show, edit, close or reopen matters, and choose who may see one",
			desc: `A matter is a case or a piece of work for one or more clients (joint representation), with its
parties: adverse and related parties, opposing counsel, co-counsel and witnesses ("casevault party").
Each matter has a number, "YYYY-NNNN" by the year it was opened, which you may change to your own scheme.`,
			examples: []example{{"List the open matters", "casevault matter list --status open"}}},
		&command{name: "matter add", summary: "add a matter for a client",
			usage: []string{"matter add --client CLIENT-ID --title TITLE [--practice-area AREA] [--adverse NAME]... [--related NAME]... [--opposing-counsel NAME]... [--check]"},
			desc: `Adds a matter and prints its number ("Matter 4 added: Roe v. Acme (2026-0004)"). --check then
checks the parties' names for conflicts and prints the result right there. Parties named here can be
given more detail later with "casevault party edit"; more clients with "casevault matter client add".`,
			examples: []example{{"Open a matter against Acme Ltd, and check Acme for conflicts", `casevault matter add --client 12 --title "Roe v. Acme" --practice-area employment --adverse "Acme Ltd" --check`}},
			run:      (*runner).matterAdd},
		&command{name: "matter list", summary: "list matters",
			usage:    []string{"matter list [--client CLIENT-ID] [--status open|closed]"},
			desc:     `Lists the matters you may see; --client keeps those where that client is one of the clients.`,
			examples: []example{{"Client 12's open matters", "casevault matter list --client 12 --status open"}},
			run:      (*runner).matterList},
		&command{name: "matter show", summary: "show one matter: its clients, parties and notes",
			usage:    []string{"matter show MATTER-ID"},
			desc:     `Shows a matter with its clients, its parties with their roles, and its notes, oldest first.`,
			examples: []example{{"Show matter 4", "casevault matter show 4"}},
			run:      (*runner).matterShow},
		&command{name: "matter close", summary: "close a matter (it stays in conflict checks)",
			usage:    []string{"matter close MATTER-ID"},
			desc:     `Marks a matter closed as of today. Closed matters are still found by conflict checks and search.`,
			examples: []example{{"Close matter 4", "casevault matter close 4"}},
			run:      func(r *runner, a []string) error { return r.matterStatus(a, false) }},
		&command{name: "matter reopen", summary: "reopen a closed matter",
			usage:    []string{"matter reopen MATTER-ID"},
			desc:     `Marks a closed matter open again.`,
			examples: []example{{"Reopen matter 4", "casevault matter reopen 4"}},
			run:      func(r *runner, a []string) error { return r.matterStatus(a, true) }},
		&command{name: "matter edit", summary: "change a matter's title, practice area, number, dates or status",
			usage: []string{"matter edit MATTER-ID [--title TITLE] [--practice-area AREA] [--number NUMBER] [--opened YYYY-MM-DD] [--closed YYYY-MM-DD] [--status open|closed]"},
			desc: `Changes only what is given. --closed closes the matter on that day; --status open reopens it (its
closing day goes); --status closed closes it today, or keeps the day it was closed. Days must be real,
not in the future, and a matter cannot close before it opened. Its clients: "casevault matter client";
its parties: "casevault party".`,
			examples: []example{
				{"Correct the title and the number", `casevault matter edit 4 --title "Roe v. Acme Ltd" --number 2026-0012`},
				{"The matter was opened on 3 February 2025", "casevault matter edit 4 --opened 2025-02-03"},
			},
			run: (*runner).matterEdit},
		&command{name: "matter client",
			summary: "add or remove a client of a matter (joint representation)",
			desc: `A matter can have several clients: the first is its lead client, who decides who may see the
matter. Removing the lead client makes the next one the lead; a matter's only client cannot be removed.`,
			examples: []example{{"Jane Roe (client 12) and John Roe (client 13) are both clients in matter 4", "casevault matter client add 4 13"}}},
		&command{name: "matter client add", summary: "make a client one more client of a matter",
			usage:    []string{"matter client add MATTER-ID CLIENT-ID"},
			desc:     `Makes the client one more client of the matter (joint representation). Conflict checks find the matter under each of its clients.`,
			examples: []example{{"Client 13 joins matter 4", "casevault matter client add 4 13"}},
			run:      func(r *runner, a []string) error { return r.matterClient("add", a) }},
		&command{name: "matter client remove", summary: "take a client off a matter",
			usage:    []string{"matter client remove MATTER-ID CLIENT-ID"},
			desc:     `Takes a client off a matter. The matter's only client cannot be removed: add the other client first.`,
			examples: []example{{"Client 13 is no longer a client in matter 4", "casevault matter client remove 4 13"}},
			run:      func(r *runner, a []string) error { return r.matterClient("remove", a) }},
		classRow("matter", "restrict"), classRow("matter", "wall"), classRow("matter", "open"),

		&command{name: "party", section: secFiles,
			summary: "add, edit, remove or list the parties of a matter",
			desc: `A matter's parties are everyone on the other side or around it: adverse and related parties,
opposing counsel, co-counsel and witnesses, each a person or an organisation, with aliases and former
names. Conflict checks look for all of them, so add a newly discovered party as soon as you learn of it.`,
			examples: []example{{"Add the company on the other side", `casevault party add --matter 4 --role adverse --name "Acme Ltd" --kind organisation`}}},
		&command{name: "party add", summary: "add a party to a matter, and check its names for conflicts",
			usage: []string{"party add --matter MATTER-ID --role adverse|related|opposing-counsel|co-counsel|witness --name NAME [--kind person|organisation] [--organisation NAME] [--alias NAME]... [--former-name NAME]... [--note TEXT] [--no-check]"},
			desc: `Adds a party to a matter ("Party 17 added to matter 4: Acme Ltd (adverse party)"), then runs a
conflict check on its name, aliases and former names against everyone else, and prints the result
right there (the party itself is left out). The check is kept: record your decision with "casevault
conflicts decide". --no-check adds the party without a check.`,
			examples: []example{
				{"Add the company on the other side, with its old name", `casevault party add --matter 4 --role adverse --name "Acme Ltd" --kind organisation --former-name "Acme Holdings"`},
				{"Add opposing counsel and her firm", `casevault party add --matter 4 --role opposing-counsel --name "Sam Counsel" --organisation "Counsel & Co LLP"`},
			},
			run: (*runner).partyAdd},
		&command{name: "party edit", summary: "change a party's role, name, kind, organisation, other names or note",
			usage: []string{"party edit PARTY-ID [--role ROLE] [--name NAME] [--kind person|organisation] [--organisation NAME] [--alias NAME]... [--former-name NAME]... [--note TEXT] [--no-check]"},
			desc: `Changes only what is given ("casevault party list --matter ID" shows the parties' numbers). --alias
and --former-name replace all the aliases or former names with the ones given (--alias "" removes them
all). A changed name, alias or former name is checked for conflicts right away, as when the party was
added, unless --no-check.`,
			examples: []example{
				{"Opposing counsel moved to another firm", `casevault party edit 18 --organisation "Other & Partners LLP"`},
				{"The company on the other side changed its name", `casevault party edit 17 --name "Acme Group plc" --former-name "Acme Ltd"`},
			},
			run: (*runner).partyEdit},
		&command{name: "party remove", summary: "remove a party from its matter",
			usage:    []string{"party remove PARTY-ID"},
			desc:     `Removes a party added by mistake. Its names are no longer found by conflict checks; the audit trail keeps that it was there.`,
			examples: []example{{"Remove party 17", "casevault party remove 17"}},
			run:      (*runner).partyRemove},
		&command{name: "party list", summary: "list a matter's parties",
			usage:    []string{"party list --matter MATTER-ID"},
			desc:     `Lists a matter's parties with their numbers (for party edit and party remove), roles, kinds, organisations, aliases and former names.`,
			examples: []example{{"The parties of matter 4", "casevault party list --matter 4"}},
			run:      (*runner).partyList},

		&command{name: "note", section: secFiles,
			summary:  "add a note to a matter",
			desc:     `Notes are kept with their matter, signed with your display name and the time.`,
			examples: []example{{"Add a note typed at the terminal (end it with Ctrl-D)", "casevault note add --matter 4 --text-file -"}}},
		&command{name: "note add", summary: "add a note to a matter",
			usage: []string{"note add --matter MATTER-ID --text TEXT"},
			desc: `Adds a note to a matter and prints its number ("Note 31 added to matter 4"). A note is signed
with your display name ("casevault user display-name").`,
			examples: []example{
				{"Add a short note", `casevault note add --matter 4 --text "Called opposing counsel; hearing moved to 3 March."`},
				{"Add a note from a file", "casevault note add --matter 4 --text-file attendance-note.txt"},
			},
			run: (*runner).noteAdd},

		&command{name: "search", section: secFiles,
			summary: "find clients, parties, matters and notes by any word",
			usage:   []string{"search WORDS... [--limit N]"},
			desc: `Searches names, aliases, parties, matter titles and numbers, and notes, best matches first, with
what matched in [brackets]. A word matches the start of a word ("smi" finds Smith).`,
			examples: []example{
				{"Find everything about Acme", `casevault search acme ltd`},
				{"Find a matter by its number", "casevault search 2026-0004"},
			},
			run: (*runner).search},

		&command{name: "conflicts", section: secFiles,
			summary: "check names for conflicts of interest; list, show and decide past checks",
			desc: `A conflict check looks for names among every client, alias and party (adverse and related
parties, opposing counsel, co-counsel, witnesses, their aliases and former names), in open and closed
matters. Every check is kept, with its hits and every decision made on it, for your file.

"casevault conflicts NAME..." still checks names, as before. To check a name that is also a subcommand
word (check, list, show, decide, report), say check: casevault conflicts check list`,
			examples: []example{{"Check a new client and the other side before taking the matter on", `casevault conflicts check "Jane Roe" "Acme Ltd"`}}},
		&command{name: "conflicts check", summary: "check names against every client, alias and party",
			usage: []string{"conflicts check NAME... [--names-file FILE]"},
			desc: `Checks each name given against every client, alias and party, and prints the possible matches
with why they match. The check is kept, with a number: record your decision on it with "casevault
conflicts decide". A match in a record you may not see is shown without its details: ask the owner.`,
			examples: []example{
				{"Check two names", `casevault conflicts check "Jane Roe" "Acme Ltd"`},
				{"Check the names in a file, one per line", "casevault conflicts check --names-file names.txt"},
				{"Check someone whose name is \"List\"", "casevault conflicts check List"},
			},
			run: (*runner).conflictsCheck},
		&command{name: "conflicts list", summary: "list past conflict checks, newest first",
			usage: []string{"conflicts list [--decision undecided|clear|conflict|waived] [--name NAME] [--limit N]"},
			desc: `Lists the conflict checks made, newest first (--json too): when, by whom, the names checked,
how many possible matches, and the decision. --name keeps the checks that looked for a name (or part of
one); --decision undecided keeps those still waiting for a decision.`,
			examples: []example{
				{"The checks still waiting for a decision", "casevault conflicts list --decision undecided"},
				{"Every check that looked for Acme", "casevault conflicts list --name acme"},
			},
			run: (*runner).conflictsList},
		&command{name: "conflicts show", summary: "show one conflict check: its hits and every decision made on it",
			usage: []string{"conflicts show CHECK-ID"},
			desc: `Shows a conflict check: when and by whom it was made, what it was for, every possible match, and
every decision made on it with its note, the earlier ones too.`,
			examples: []example{{"Show conflict check 12", "casevault conflicts show 12"}},
			run:      (*runner).conflictsShow},
		&command{name: "conflicts decide", summary: "record the decision on a conflict check",
			usage: []string{"conflicts decide CHECK-ID --decision clear|conflict|waived [--note TEXT]"},
			desc: `Records your decision on a conflict check: clear (no conflict), conflict (the matter is
declined), or waived (a conflict the clients consented to in writing: --note must say where the consent
is filed). Deciding again keeps the earlier decisions in the check's history.`,
			examples: []example{
				{"No conflict", `casevault conflicts decide 12 --decision clear --note "Different Jane Roe: born 1961."`},
				{"A waived conflict", `casevault conflicts decide 12 --decision waived --note "Written consent of both clients, file 2026-0004/7."`},
			},
			run: (*runner).conflictsDecide},
		&command{name: "conflicts report", summary: "a printable report of a conflict check, for the file",
			usage: []string{"conflicts report CHECK-ID [--html FILE | --open]"},
			desc: `A report of one conflict check for the client file: the names checked, every possible match, the
decision, its note, who and when. Printed here, written as a printable page with --html FILE (a file that
exists is not overwritten), or opened in your browser with --open (from a private temporary file,
deleted afterwards).`,
			examples: []example{
				{"Open the report of check 12 to print it", "casevault conflicts report 12 --open"},
				{"Keep it as a page", "casevault conflicts report 12 --html conflict-check-12.html"},
			},
			run: (*runner).conflictsReport},

		&command{name: "report", section: secFiles,
			summary: "who read or changed a client's data, or what a user did",
			desc: `Reports from the audit trail, for a breach assessment or a client's question. Days are
YYYY-MM-DD, both included (default: from the first entry to now). Without --html, --csv or --open the
report is printed here (--json: as data); --html writes a printable page, --csv a spreadsheet file (- =
standard output); a file that exists is not overwritten. --open shows the page in your browser from a
private temporary file that is deleted afterwards.`,
			examples: []example{{"Who saw client 12's data in the first quarter, as a printable page", "casevault report access 12 --from 2026-01-01 --to 2026-03-31 --html roe-access.html"}}},
		&command{name: "report access", summary: "every read and change of one client's data, by whom and when",
			usage: []string{"report access CLIENT-ID [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--html FILE | --csv FILE | --open]"},
			desc: `Lists every read and change of one client's data: the client, its matters, their notes and
parties, and the conflict checks that named it.`,
			examples: []example{{"Open the report on client 12 in the browser", "casevault report access 12 --open"}},
			run:      func(r *runner, a []string) error { return r.reportAccess(a) }},
		&command{name: "report activity", summary: "what one user opened, changed and exported",
			usage:    []string{"report activity USER [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--html FILE | --csv FILE | --open]"},
			desc:     `Lists what one user did, for example after their laptop was lost or they left the firm.`,
			examples: []example{{"What Pat did in January, as a spreadsheet", "casevault report activity Pat --from 2026-01-01 --to 2026-01-31 --csv pat-january.csv"}},
			run:      func(r *runner, a []string) error { return r.reportActivity(a) }},

		&command{name: "status", section: secCheck,
			summary:  "where the vault is, its size, how many records, the key settings",
			usage:    []string{"status"},
			desc:     `Shows where the vault is, its size on disk, how many clients, matters, parties and notes it holds, and when it last changed.`,
			examples: []example{{"Show the vault's status", "casevault status"}},
			run:      (*runner).status},
		&command{name: "check", section: secCheck,
			summary: "read every file of the vault back and check it and its database",
			usage:   []string{"check [--read-only]"},
			desc: `Reads every file of the vault back, checks that none was damaged and that the database is
sound. Exits with 4 when something is damaged, and says what to do. With --read-only, a vault that
does not open normally is checked too.`,
			examples: []example{{"Check the vault", "casevault check"}},
			run:      (*runner).check},
		&command{name: "repair", section: secCheck,
			summary: "bring a vault that does not open back into use",
			usage:   []string{"repair"},
			desc: `Brings a vault that does not open back into use. Files that cannot be used are moved to the
vault's quarantine folder, never deleted. Back the vault up afterwards.`,
			examples: []example{{"Repair the vault in another folder", "casevault repair --vault /home/jane/firm-vault"}},
			run:      (*runner).repair},
		&command{name: "audit", section: secCheck,
			summary: "show the audit trail, or check that nothing in it was altered",
			desc: `Every read and change is recorded in the audit trail, each entry chained to the one before, so
that a change to an old entry shows.`,
			examples: []example{{"Check the audit trail", "casevault audit verify"}}},
		&command{name: "audit list", summary: "show the audit trail, oldest first",
			usage: []string{"audit list [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--user NAME] [--action ACTION] [--client CLIENT-ID | --matter MATTER-ID | --record KIND:ID] [--limit N]"},
			desc: `Shows the audit trail, oldest first. Here --user picks whose entries to show; to unlock as
someone else, give --user before the command ("casevault --user Pat audit list").`,
			examples: []example{
				{"What Pat did in January", "casevault audit list --user pat --from 2026-01-01 --to 2026-01-31"},
				{"Everything about client 12 and its matters", "casevault audit list --client 12"},
			},
			run: (*runner).auditList},
		&command{name: "audit verify", summary: "check that no entry of the audit trail was altered",
			usage:    []string{"audit verify"},
			desc:     `Checks every entry of the audit trail against the one before. Exits with 1 when the chain is broken: keep the vault as it is and restore a backup to compare.`,
			examples: []example{{"Check the audit trail", "casevault audit verify"}},
			run:      (*runner).auditVerify},

		&command{name: "backup", section: secBackups,
			summary: "back the vault up to a folder (the first backup sets the folder up)",
			usage:   []string{"backup --repo DIR [--new] [--moved] [--rebuild-config]"},
			desc: `Copies what changed since the last backup to the backup folder, as a new snapshot. The first
backup sets the folder up; later ones check that it is the same drive.`,
			examples: []example{{"Back up to a USB drive", "casevault backup --repo /media/jane/USB/casevault-backup"}},
			run:      (*runner).cmdBackup},
		&command{name: "snapshots", section: secBackups,
			summary: "list the snapshots of a backup, newest first, and the last restore drill",
			usage:   []string{"snapshots --repo DIR"},
			desc: `Lists the snapshots in the backup folder, newest first, with their size and counts, and the last
restore drill. With --json, the snapshots and the drills are listed newest first too.`,
			examples: []example{{"List the snapshots on the USB drive", "casevault snapshots --repo /media/jane/USB/casevault-backup"}},
			run:      (*runner).snapshots},
		&command{name: "restore", section: secBackups,
			summary: "recreate the vault from a snapshot in a new folder",
			usage:   []string{"restore --repo DIR --to NEWDIR [--snapshot ID]"},
			desc: `Recreates the vault from a snapshot (the latest by default) in a new or empty folder. A restore
never writes over a vault. It needs only the passphrase or the recovery key, so it works on a new laptop.`,
			examples: []example{{"Restore the latest snapshot on a new laptop", "casevault restore --repo /media/jane/USB/casevault-backup --to /home/jane/casevault"}},
			run:      (*runner).restore},
		&command{name: "verify", section: secBackups,
			summary: "check a backup for damage",
			usage:   []string{"verify --repo DIR [--read-data | --read-data-subset PERCENT]"},
			desc: `Checks the backup's structure; --read-data also reads every byte of it, --read-data-subset a
random share. Exits with 4 when damaged.`,
			examples: []example{{"Read a tenth of the backup back", "casevault verify --repo /media/jane/USB/casevault-backup --read-data-subset 10"}},
			run:      (*runner).verify},
		&command{name: "forget", section: secBackups,
			summary: "remove the snapshots no rule keeps",
			usage:   []string{"forget --repo DIR [--keep-last N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--prune]"},
			desc: `Removes the snapshots that no --keep rule keeps (give at least one rule); --prune then frees the
space they took.`,
			examples: []example{{"Keep a week of daily and a year of monthly snapshots", "casevault forget --repo /media/jane/USB/casevault-backup --keep-daily 7 --keep-monthly 12 --prune"}},
			run:      (*runner).forget},
		&command{name: "drill", section: secBackups,
			summary: "restore a snapshot to a scratch folder, check it, delete it",
			usage:   []string{"drill --repo DIR [--snapshot ID] [--scratch DIR]"},
			desc: `Proves that the backup restores: restores a snapshot (the latest by default) to a scratch
folder, checks it, deletes it, and records the result in the backup.`,
			examples: []example{{"Prove the latest backup restores", "casevault drill --repo /media/jane/USB/casevault-backup"}},
			run:      (*runner).drill},

		&command{name: "passwd", section: secPeople,
			summary: "change your own passphrase (the recovery key keeps working)",
			usage:   []string{"passwd [--new-key-file PATH | --no-key-file]"},
			desc: `Changes your own passphrase. The new one must differ from the one you have now. A user who
unlocked with a one-time passphrase must do this first. If you forgot your passphrase, the owner unlocks
with the recovery key: "casevault passwd --recovery".`,
			examples: []example{
				{"Pat chooses a passphrase after the first unlock", "casevault passwd --user Pat"},
				{"Choose a new passphrase with the recovery key", "casevault passwd --recovery"},
			},
			run: func(r *runner, a []string) error { return r.passwd("passwd", a) }},
		&command{name: "user", section: secPeople,
			summary: "add, list and remove users; reset a forgotten passphrase; your display name",
			desc: `Users of this vault each unlock with their own passphrase, and their role says what they may do
("casevault role"). The owner manages them.`,
			examples: []example{{"Add a paralegal; Pat then unlocks with Pat's own passphrase", "casevault user add Pat --role Paralegal"}}},
		&command{name: "user add", summary: "add a user; prints their one-time passphrase, once",
			usage: []string{"user add NAME --role ROLE [--new-key-file PATH]"},
			desc: `Adds a user and prints their one-time passphrase, shown only this once. Give it to them in
person: at their first unlock they must choose their own ("casevault passwd --user NAME").
--new-key-file writes a new key file at PATH (put it on their USB stick): they will need it with their
passphrase.`,
			examples: []example{{"Add Pat as a paralegal", "casevault user add Pat --role Paralegal"}},
			run:      (*runner).userAdd},
		&command{name: "user list", summary: "list the users, their roles and whether they are locked out",
			usage:    []string{"user list"},
			desc:     `Lists every user with their role, status, key file and when they last changed their passphrase.`,
			examples: []example{{"List the users", "casevault user list"}},
			run:      (*runner).userList},
		&command{name: "user role", summary: "give a user another role",
			usage:    []string{"user role NAME ROLE"},
			desc:     `Gives a user another role ("casevault role list" shows them). It takes effect at their next unlock.`,
			examples: []example{{"Make Pat an attorney", "casevault user role Pat Attorney"}},
			run:      (*runner).userRole},
		&command{name: "user reset", summary: "a new one-time passphrase for a user who forgot theirs",
			usage:    []string{"user reset NAME"},
			desc:     `Gives a user who forgot their passphrase a new one-time passphrase; the old one stops working.`,
			examples: []example{{"Reset Pat's passphrase", "casevault user reset Pat"}},
			run:      (*runner).userReset},
		&command{name: "user unlock", summary: "end a user's wait after wrong passphrases",
			usage:    []string{"user unlock NAME"},
			desc:     `Clears the growing wait that wrong passphrases put on a user, so they can try again now.`,
			examples: []example{{"Let Pat try again now", "casevault user unlock Pat"}},
			run:      (*runner).userUnlock},
		&command{name: "user remove", summary: "remove a user's key (their name stays in the audit trail)",
			usage: []string{"user remove NAME [--change-key]"},
			desc: `Removes a user's key: their passphrase no longer opens this vault. With --change-key the vault
key changes too, so a copy of the vault folder they may have taken cannot open what is written from
now on.`,
			examples: []example{{"Remove Pat and change the vault key", "casevault user remove Pat --change-key"}},
			run:      (*runner).userRemove},
		&command{name: "user display-name", summary: "the name that signs your notes and reports",
			usage: []string{"user display-name NAME"},
			desc: `Sets your own display name: the name that signs your notes and the reports you make, e.g. "Jane
Roe, Esq.". Give "" to sign with your user name again. Every user sets their own.`,
			examples: []example{{"Sign as Jane Roe, Esq.", `casevault user display-name "Jane Roe, Esq."`}},
			run:      (*runner).userDisplayName},
		&command{name: "user passwd", summary: "change your own passphrase (as casevault passwd)",
			usage:    []string{"user passwd [--new-key-file PATH | --no-key-file]"},
			desc:     `The same as "casevault passwd".`,
			examples: []example{{"Pat changes Pat's passphrase", "casevault user passwd --user Pat"}},
			run:      func(r *runner, a []string) error { return r.passwd("user passwd", a) }},
		&command{name: "role", section: secPeople,
			summary: "what each role may do with each kind of record",
			desc: `Roles say what a user may do with each kind of record (` + kindList() + `): deny, read or edit.
The built-in roles (Owner, Attorney, Paralegal, Assistant, Read-only) cannot be changed; a new role
starts from --from ROLE, or with everything denied.`,
			examples: []example{{"A paralegal role that may only read notes", `casevault role add "Paralegal, no notes" --from Paralegal --notes read`}}},
		&command{name: "role list", summary: "list the roles and what each may do",
			usage: []string{"role list"}, desc: `Lists every role with its level for each kind of record.`,
			examples: []example{{"List the roles", "casevault role list"}},
			run:      func(r *runner, a []string) error { return r.roleShow("list", a) }},
		&command{name: "role show", summary: "show one role",
			usage: []string{"role show NAME"}, desc: `Shows one role's level for each kind of record.`,
			examples: []example{{"Show the Paralegal role", "casevault role show Paralegal"}},
			run:      func(r *runner, a []string) error { return r.roleShow("show", a) }},
		&command{name: "role add", summary: "add a role",
			usage:    []string{"role add NAME [--from ROLE] [--KIND deny|read|edit]..."},
			desc:     `Adds a role, starting from --from ROLE's levels or with everything denied, then the levels given.`,
			examples: []example{{"A role like Paralegal that may only read notes", `casevault role add "Paralegal, no notes" --from Paralegal --notes read`}},
			run:      func(r *runner, a []string) error { return r.roleSave("add", a) }},
		&command{name: "role set", summary: "change what a role may do",
			usage:    []string{"role set NAME --KIND deny|read|edit [--KIND deny|read|edit]..."},
			desc:     `Changes the levels given of a role you added. It takes effect at each user's next unlock.`,
			examples: []example{{"Let the role edit notes", `casevault role set "Paralegal, no notes" --notes edit`}},
			run:      func(r *runner, a []string) error { return r.roleSave("set", a) }},
		&command{name: "role delete", summary: "delete a role no user has",
			usage: []string{"role delete NAME"}, desc: `Deletes a role you added that no user has.`,
			examples: []example{{"Delete a role", `casevault role delete "Paralegal, no notes"`}},
			run:      (*runner).roleDelete},
		&command{name: "policy", section: secPeople,
			summary:  "the passphrase policy: length, expiry, reuse, lockout, key file",
			desc:     `The passphrase policy of this vault (the owner's setting) applies to every user's passphrase.`,
			examples: []example{{"Show the policy", "casevault policy show"}}},
		&command{name: "policy show", summary: "show the passphrase policy",
			usage: []string{"policy show"}, desc: `Shows the passphrase policy.`,
			examples: []example{{"Show the policy", "casevault policy show"}},
			run:      (*runner).policyShow},
		&command{name: "policy set", summary: "change the passphrase policy",
			usage: []string{"policy set [--min-length N] [--classes N] [--expiry-days N] [--no-reuse N] [--lockout-after N] [--require-key-file true|false]"},
			desc: `Changes the settings given. An expiry is off by default, as NIST SP 800-63B advises; a new rule
applies at each user's next change of passphrase.`,
			examples: []example{{"Longer passphrases, changed every year", "casevault policy set --min-length 14 --expiry-days 365"}},
			run:      (*runner).policySet},
		&command{name: "key", section: secPeople,
			summary:  "change the vault key (everyone keeps their passphrase)",
			desc:     `The vault key seals everything in the vault; every user's passphrase opens it.`,
			examples: []example{{"Change the vault key", "casevault key change"}}},
		&command{name: "key change", summary: "change the vault key (everyone keeps their passphrase)",
			usage: []string{"key change"},
			desc: `Makes a new vault key and seals everything in the vault again under it; every user keeps their
passphrase. Do it after removing a user who may have copied the vault folder ("casevault user remove NAME
--change-key" does both). If the recovery key cannot be carried over, a new one is printed, once.`,
			examples: []example{{"Change the vault key", "casevault key change"}},
			run:      (*runner).keyChange},

		&command{name: "demo", section: secOther,
			summary: "create a demo vault of invented clients (prints its passphrase)",
			usage:   []string{"demo --vault DIR [--clients N]"},
			desc: `Creates a vault of invented clients, matters and notes in a new or empty folder, to try casevault
with. Its passphrase is printed, and its key derivation is deliberately light: never keep real client
data in it.`,
			examples: []example{{"A demo vault of 50 clients", "casevault demo --vault /tmp/casevault-demo --clients 50"}},
			run:      (*runner).cmdDemo},
		&command{name: "help", section: secOther,
			summary:  "what each command does, its flags and examples",
			usage:    []string{"help [COMMAND [SUBCOMMAND]]"},
			desc:     `Without a command, lists every command. With one, says what it does, its flags and examples, as "casevault COMMAND --help" does.`,
			examples: []example{{"How to add a party to a matter", "casevault help party add"}},
			run:      (*runner).helpCmd},
		&command{name: "version", section: secOther,
			summary:  "print casevault's version (also --version)",
			usage:    []string{"version", "--version"},
			desc:     `Prints the version of this casevault program.`,
			examples: []example{{"Print the version", "casevault --version"}},
			run:      (*runner).versionCmd},
	)
}

// classRow is the row of "client|matter restrict|wall|open".
func classRow(kind, sub string) *command {
	c := &command{name: kind + " " + sub, run: func(r *runner, a []string) error { return r.classCmd(kind, sub, a) }}
	switch sub {
	case "restrict":
		c.summary = "only the users named (and the owner) may see this " + kind
		c.usage = []string{kind + " restrict ID --users NAME[,NAME...]"}
		c.examples = []example{{"Only Pat and the owner see " + kind + " 7", "casevault " + kind + " restrict 7 --users Pat"}}
	case "wall":
		c.summary = "an ethical wall: everyone but the users named may see this " + kind
		c.usage = []string{kind + " wall ID --users NAME[,NAME...]"}
		c.examples = []example{{"Keep Pat away from " + kind + " 7", "casevault " + kind + " wall 7 --users Pat"}}
	default:
		c.summary = "everyone whose role allows may see this " + kind + " again"
		c.usage = []string{kind + " open ID"}
		c.examples = []example{{"Lift the restriction on " + kind + " 7", "casevault " + kind + " open 7"}}
	}
	c.desc = "Chooses who may see a " + kind
	if kind == "client" {
		c.desc += " (and its matters)"
	}
	c.desc += `. A conflict check still reports a match inside a ` + kind + ` a user cannot see, without names
or details ("a possible conflict in a restricted matter: ask the owner").`
	return c
}

// kindList is the kinds of records a role sets levels for ("clients, matters, ...").
func kindList() string {
	kinds := make([]string, len(access.Kinds))
	for i, k := range access.Kinds {
		kinds[i] = string(k)
	}
	return strings.Join(kinds, ", ")
}

func (r *runner) helpCmd(args []string) error {
	fs := r.flags("help")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	return r.help(pos)
}

func (r *runner) versionCmd(args []string) error {
	fs := r.flags("version")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("version takes no arguments, not %q", pos[0])
	}
	return r.version(nil)
}
