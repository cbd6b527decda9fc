package cli

// The rows of the "incident" commands (issue 14): something happened (a
// lost laptop or backup drive, a break-in, ransomware, a mistaken
// disclosure), its checklist, the clients it affects and the letters to
// them.

func init() {
	commandTable = append(commandTable,
		&command{name: "incident", section: secCheck,
			summary: "something happened: record it, work through what to do, and tell the clients",
			desc: `When something goes wrong (a laptop lost or stolen, a backup drive lost, a suspected break-in,
ransomware or a virus, client information sent to the wrong person, something else), record it with
"incident new". Each kind comes with a checklist of what to do, in order, each step with why; tick the
steps as you do them ("incident done") and the time and your name are recorded with each.

For a lost backup drive, the vault knows which clients' files were on it from its record of the
backups it made there. For the other kinds, mark the affected clients yourself ("incident clients").
"incident pack" prints what you need to tell them (ABA Formal Opinion 483): the record, a letter per
client to adapt, and who opened each client's file.

Kinds: lost-laptop, lost-backup, break-in, ransomware, disclosure (sent to the wrong person), other.`,
			examples: []example{
				{"The laptop was stolen yesterday", "casevault incident new lost-laptop --when 2026-12-02 --summary \"taken from the car\""},
				{"What is left to do", "casevault incident show 1"},
			}},
		&command{name: "incident new", summary: "record an incident and see its checklist",
			usage: []string{"incident new KIND [--when YYYY-MM-DD] [--summary TEXT] [--repo DRIVE-ID|FOLDER]"},
			desc: `Records that something happened and prints what to do, in order. KIND is one of lost-laptop,
lost-backup, break-in, ransomware, disclosure (sent to the wrong person) or other. --when is the day
it happened (leave it out if you do not know). Keep client names out of --summary: mark the clients
with "incident clients" instead, so that nothing about a client stays in the record once the client's
file is destroyed.

For lost-backup, --repo names the lost drive (its id or its folder, as "casevault backup drives" lists
them): the clients whose files were on it are marked as affected.`,
			examples: []example{
				{"The laptop was stolen yesterday", "casevault incident new lost-laptop --when 2026-12-02 --summary \"taken from the car\""},
				{"A backup drive was lost", "casevault incident new lost-backup --repo /media/jane/USB/casevault-backup"},
				{"An e-mail went to the wrong person", "casevault incident new disclosure --summary \"letter e-mailed to the wrong address\""},
			},
			run: (*runner).incidentNew},
		&command{name: "incident list", summary: "list the incidents, open ones first",
			usage:    []string{"incident list"},
			desc:     `Lists every incident recorded: what happened, when, how many of its steps are done, and whether it is closed.`,
			examples: []example{{"Every incident", "casevault incident list"}},
			run:      (*runner).incidentList},
		&command{name: "incident show", summary: "show an incident: its checklist with what is done, and the clients it affects",
			usage:    []string{"incident show ID"},
			desc:     `Shows an incident with every step of its checklist (ticked or not, when and by whom, with its note) and the clients it affects, with whether each was told. The clients are shown only to a role that may read the audit trail.`,
			examples: []example{{"Incident 1", "casevault incident show 1"}},
			run:      (*runner).incidentShow},
		&command{name: "incident done", summary: "tick a step of an incident's checklist",
			usage:    []string{"incident done ID STEP [--note TEXT]"},
			desc:     `Ticks a step (its name in brackets in "incident show", e.g. police): the time and your name are recorded. --note adds what you want to remember with it: a report or claim number, whom you spoke to.`,
			examples: []example{{"The theft was reported to the police", "casevault incident done 1 police --note \"report 2026-4471, Officer Diaz\""}},
			run:      func(r *runner, a []string) error { return r.incidentStep("done", a) }},
		&command{name: "incident undo", summary: "untick a step ticked by mistake",
			usage:    []string{"incident undo ID STEP"},
			desc:     `Marks a step as not done. Its note stays, and the audit trail keeps both the tick and the untick.`,
			examples: []example{{"Untick the police step of incident 1", "casevault incident undo 1 police"}},
			run:      func(r *runner, a []string) error { return r.incidentStep("undo", a) }},
		&command{name: "incident clients", summary: "list or choose the clients an incident affects",
			usage:    []string{"incident clients ID [--set CLIENT-ID,CLIENT-ID...]"},
			desc:     `Lists the clients an incident affects and whether each was told. --set makes them exactly the clients given, by id ("casevault client list" shows the ids); clients whose files were destroyed since stay on the list, by the number they had.`,
			examples: []example{{"Clients 12 and 31 are affected", "casevault incident clients 2 --set 12,31"}},
			run:      (*runner).incidentClients},
		&command{name: "incident notified", summary: "record that a client was told of an incident",
			usage:    []string{"incident notified ID CLIENT-ID [--undo]"},
			desc:     `Records that the client was told (today, by you). --undo records that they were not after all.`,
			examples: []example{{"Client 12 got the letter", "casevault incident notified 2 12"}},
			run:      (*runner).incidentNotified},
		&command{name: "incident close", summary: "close an incident when nothing is left to do",
			usage:    []string{"incident close ID"},
			desc:     `Closes the incident. Its record stays in the vault, with every step and when it was done.`,
			examples: []example{{"Close incident 1", "casevault incident close 1"}},
			run:      (*runner).incidentClose},
		&command{name: "incident pack", summary: "print what you need to tell the clients: the record, a letter each, who opened their files",
			usage: []string{"incident pack ID (--out FILE.html | --open)"},
			desc: `Writes one printable page: the incident with its checklist and times, the clients it affects, a
letter to each client to adapt (what ABA Formal Opinion 483 asks you to tell: what happened and when,
what information was involved, what you are doing, what they can do, whom to contact; the places
only you can fill in are marked), and, when more than one person uses the vault, who opened each
client's file from 30 days before the incident. The page holds client data: keep it safe.`,
			examples: []example{
				{"Save the pack of incident 2", "casevault incident pack 2 --out incident-2.html"},
				{"Open it in the browser to print", "casevault incident pack 2 --open"},
			},
			run: (*runner).incidentPack},
	)
}
