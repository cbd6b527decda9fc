package cli

// The rows of the "retention" commands (issue 14): how long client files
// are kept, legal holds, and destroying what is due with a record of it.

func init() {
	commandTable = append(commandTable,
		&command{name: "retention", section: secFiles,
			summary: "how long client files are kept: retention rules, legal holds, what is due for destruction",
			desc: `When a matter closes it gets a destroy-after date from the retention rule of its practice area (the
default rule, 7 years after closing, when its area has none). The date can be changed by hand, with the
reason. A legal hold on a client or a matter keeps everything of it until the hold is released.

"casevault retention due" lists the closed matters whose date has come and that no hold keeps. The
vault's owner can destroy them; the destruction is written in the destruction register (what was
destroyed, under which rule, when and by whom, without the client's data) and a certificate can be
printed. The names can be kept for conflict checks (the duties to former clients outlive the file).`,
			examples: []example{
				{"What is due for destruction?", "casevault retention due"},
				{"Keep family law files 10 years", `casevault retention rules --set "Family law" --years 10`},
			}},
		&command{name: "retention rules", summary: "list, set or delete the retention rules of the practice areas",
			usage: []string{"retention rules [--set AREA (--years N [--months N] | --never) [--note TEXT] | --delete AREA]"},
			desc: `Without flags, lists the rules: how long the files of each practice area are kept after a matter closes.
--set adds or changes the rule of a practice area ("default" for the default rule, which every area
without a rule follows): --years and --months say how long, --never keeps them for ever, --note says why
(the bar rule it follows). --delete takes an area's rule away: its matters then follow the default rule.
A rule applies to the matters that close after it: matters already closed keep their dates (change one
with "casevault retention set").`,
			examples: []example{
				{"The rules", "casevault retention rules"},
				{"Keep family law files 10 years and 6 months", `casevault retention rules --set "Family law" --years 10 --months 6 --note "State bar rule 1.15"`},
				{"Keep wills for ever", "casevault retention rules --set Wills --never"},
				{"Change the default rule to 6 years", "casevault retention rules --set default --years 6"},
				{"Delete the rule for tax matters", "casevault retention rules --delete Tax"},
			},
			run: (*runner).retentionRules},
		&command{name: "retention show", summary: "show a matter's destroy-after date, its rule and its holds",
			usage: []string{"retention show MATTER-ID"},
			desc: `Shows when the matter closed, its destroy-after date and where the date comes from (a rule, or a change
by hand with its reason), whether it is due, the legal holds that keep it, and every change of the date.`,
			examples: []example{{"Matter 4's retention", "casevault retention show 4"}},
			run:      (*runner).retentionShow},
		&command{name: "retention set", summary: "change a closed matter's destroy-after date, with the reason",
			usage: []string{"retention set MATTER-ID (--date YYYY-MM-DD | --keep) --reason TEXT"},
			desc: `Changes the destroy-after date of a closed matter by hand: --date gives the new day, --keep keeps the
matter for ever. The reason is required and kept with the change ("casevault retention show" lists them).`,
			examples: []example{
				{"Keep matter 4 two more years", `casevault retention set 4 --date 2035-06-30 --reason "The client may bring a claim"`},
				{"Keep matter 4 for ever", `casevault retention set 4 --keep --reason "Historic case"`},
			},
			run: (*runner).retentionSet},
		&command{name: "retention hold", summary: "put a legal hold on a client or a matter",
			usage: []string{"retention hold (--client CLIENT-ID | --matter MATTER-ID) --reason TEXT"},
			desc: `Places a legal hold: while it is in force nothing of the client (with all their matters) or of the matter
can be destroyed, whatever its date. The reason, who placed it and when are kept with the hold. It prints
the hold's number, for "casevault retention release".`,
			examples: []example{
				{"Hold matter 4 during an appeal", `casevault retention hold --matter 4 --reason "Pending appeal"`},
				{"Hold client 12's whole file", `casevault retention hold --client 12 --reason "Records request from the regulator"`},
			},
			run: (*runner).retentionHold},
		&command{name: "retention release", summary: "release a legal hold, with the reason",
			usage:    []string{"retention release HOLD-ID --reason TEXT"},
			desc:     `Releases a legal hold. The hold stays listed (with --all), with who released it, when and why.`,
			examples: []example{{"Release hold 3", `casevault retention release 3 --reason "Appeal dismissed"`}},
			run:      (*runner).retentionRelease},
		&command{name: "retention holds", summary: "list the legal holds",
			usage:    []string{"retention holds [--all]"},
			desc:     `Lists the legal holds in force: what each holds, since when, who placed it and why. --all lists the released ones too.`,
			examples: []example{{"Every hold, released ones too", "casevault retention holds --all"}},
			run:      (*runner).retentionHolds},
		&command{name: "retention due", summary: "list what is due for destruction",
			usage: []string{"retention due [--limit N] [--page N]"},
			desc: `Lists the closed matters whose destroy-after date has come and that no legal hold keeps, by client, with
what each holds (notes, parties, documents and their size, intake answers). When every matter of a client
is due, the client's own file can be destroyed with them. A long list is shown --limit matters at a time:
--page 2 shows the next ones.`,
			examples: []example{
				{"What is due?", "casevault retention due"},
				{"The next 100", "casevault retention due --page 2"},
			},
			run: (*runner).retentionDue},
	)
}

func init() {
	commandTable = append(commandTable,
		&command{name: "retention destroy", summary: "destroy closed matters (and whole client files) for good, with a record",
			usage: []string{"retention destroy --matter MATTER-ID... [--client CLIENT-ID...] (--keep-names | --destroy-names) [--reason TEXT] --confirm DESTROY"},
			desc: `Destroys the matters named (notes, parties, documents with every version, intake answers, conflict
check details), and with --client the client's whole file (their own documents, aliases, intake answers)
when every matter of theirs is destroyed with it. Only the vault's owner can do it. It cannot be undone:
--confirm DESTROY says you mean it; without --confirm, the command only says what it would destroy.

Choose what becomes of the names: --keep-names keeps the client and party names for conflict checks (they
are then found as former clients and parties: the duties to former clients outlive the file);
--destroy-names destroys them too.

A matter that is not due yet needs --reason (the register says it was destroyed by hand before its date).
A legal hold, an open matter or a client with other matters stops it, and nothing is destroyed.

The destruction is written in the destruction register ("casevault retention register") without the
client's data, and recorded in the audit trail, whose entries about the destroyed records stay without
their details. The vault's files are rewritten without the destroyed data before the command ends. Backups
made before still hold it: the command lists them (see "casevault backup forget-destroyed").`,
			examples: []example{
				{"See what destroying matters 4 and 9 would remove", "casevault retention destroy --matter 4,9 --keep-names"},
				{"Destroy them, keeping the names for conflict checks", "casevault retention destroy --matter 4 --matter 9 --keep-names --confirm DESTROY"},
				{"Destroy client 12's whole file, names too", "casevault retention destroy --matter 4 --client 12 --destroy-names --confirm DESTROY"},
				{"Destroy matter 7 before its date", `casevault retention destroy --matter 7 --keep-names --reason "The client asked us to" --confirm DESTROY`},
			},
			run: (*runner).retentionDestroy},
		&command{name: "retention register", summary: "list the destruction register",
			usage: []string{"retention register [DESTRUCTION] [--limit N] [--page N]"},
			desc: `Lists what was destroyed, newest first: the register number of each record, what it was (a matter's
number, a client file's number), its practice area and rule, its dates, when and by whom it was destroyed,
whether the names were kept, and what it held (in counts). It holds no client data. DESTRUCTION (such as
D-2026-0001) lists one destruction only.`,
			examples: []example{
				{"The whole register", "casevault retention register"},
				{"One destruction", "casevault retention register D-2026-0001"},
			},
			run: (*runner).retentionRegister},
		&command{name: "retention certificate", summary: "the certificate of a destruction, printable",
			usage: []string{"retention certificate DESTRUCTION [--out FILE.html | --text]"},
			desc: `Makes the certificate of a destruction: when, by whom, what was destroyed under which rule (the register's
rows, in counts), whether the names were kept, its audit entry, and the backups that still hold it with
what to do about them. --out writes a printable page to a new file; otherwise it is printed as text.`,
			examples: []example{
				{"Print the certificate of D-2026-0001 from a browser", "casevault retention certificate D-2026-0001 --out D-2026-0001.html"},
				{"As text", "casevault retention certificate D-2026-0001 --text"},
			},
			run: (*runner).retentionCertificate},
	)
}
