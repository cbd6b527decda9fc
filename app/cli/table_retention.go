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
