package cli

// The rows of the "intake" commands (issue 12): the client intake form in
// the browser, and the review of what it received.

func init() {
	commandTable = append(commandTable,
		&command{name: "intake", section: secFiles,
			summary: "the client intake form in the browser, and the review of what it received",
			desc: `A prospective client fills in an intake form in the browser, on this laptop (or, with --lan, on a
tablet on the office network). "casevault intake start" asks for your passphrase, starts the form and
locks the vault: while the form runs it can add submissions but cannot read anything in the vault, not
even earlier submissions. Each submission is sealed as it is sent and brought into the vault at the next
unlock.

Then review them: "casevault intake list" shows the new ones, "intake show" a submission with a conflict
check on every name in it, and "intake accept", "intake decline" or "intake delete" decide it. A declined
prospective client stays in conflict checks.`,
			examples: []example{
				{"Start the form for a family law client, in the browser of this laptop", "casevault intake start --practice-area family"},
				{"The submissions waiting for review", "casevault intake list"},
			}},
		&command{name: "intake start", summary: "start the intake form and lock the vault until it stops",
			usage: []string{"intake start [--practice-area AREA] [--lan] [--no-browser]"},
			desc: `Asks for your passphrase, starts the intake form and opens it in the browser (the link works once;
it is printed too). The vault is locked while the form runs: hand the laptop over without exposing
anything. The form runs until you press Ctrl-C here or run "casevault intake stop" in another terminal;
then it says how many submissions were received. They are brought into the vault at the next unlock.
At a terminal, Enter gives a new link (for another device, or when the first has expired).

--lan also serves the form on the office network, over HTTPS with this vault's own certificate, for a
tablet: it prints a QR code of the link and the certificate's fingerprint (check it on the tablet); the link
is the tablet's, so this laptop's browser is not opened.
Anyone on the network can reach the form while it runs, so only turn it on for the time it is needed.`,
			examples: []example{
				{"Start the form; the person chooses the practice area", "casevault intake start"},
				{"Start the form for a tablet on the office network", "casevault intake start --practice-area personal_injury --lan"},
			},
			run: (*runner).intakeStart},
		&command{name: "intake stop", summary: "stop the intake form that runs for this vault",
			usage:    []string{"intake stop"},
			desc:     `Stops the intake form started by "casevault intake start" or by the window, from another terminal. It needs no passphrase.`,
			examples: []example{{"Stop the form", "casevault intake stop"}},
			run:      (*runner).intakeStop},
		&command{name: "intake list", summary: "list intake submissions, newest first",
			usage: []string{"intake list [--status new|accepted|declined|spam|all] [--name TEXT] [--limit N]"},
			desc: `Lists the submissions of the intake form, newest first: when each was received, the name given, the
practice area, how many files came with it and how many possible conflicts its names have. Without
--status, the new ones (not yet accepted, declined or deleted). --name keeps those with a name (the
person's, or any name they gave) holding the text.`,
			examples: []example{
				{"The submissions waiting for review", "casevault intake list"},
				{"Every submission ever received", "casevault intake list --status all"},
			},
			run: (*runner).intakeList},
		&command{name: "intake show", summary: "show a submission and check every name in it for conflicts",
			usage: []string{"intake show SUBMISSION-ID"},
			desc: `Shows a submission's answers, its files, how the person's identity was verified and what was
decided. It checks every name in it (the person, their other names, the other side, other people
involved, opposing counsel) for conflicts, and keeps the check: it prints the possible matches.`,
			examples: []example{{"Show submission 3", "casevault intake show 3"}},
			run:      (*runner).intakeShow},
		&command{name: "intake verify", summary: "record how the person's identity was verified",
			usage: []string{"intake verify SUBMISSION-ID --document TYPE --checked-by NAME --on YYYY-MM-DD [--note TEXT]"},
			desc: `Records how the person's identity was checked: the document seen, who checked it and on which day.
Recording it again replaces what was recorded.`,
			examples: []example{{"A passport seen by Jane Roe on 2 December 2026", `casevault intake verify 3 --document passport --checked-by "Jane Roe" --on 2026-12-02`}},
			run:      (*runner).intakeVerify},
		&command{name: "intake accept", summary: "take the person on: create the client, the matter and its parties",
			usage: []string{"intake accept SUBMISSION-ID [--title TITLE] [--practice-area AREA] [--decision clear|waived] [--note TEXT] [--no-parties]"},
			desc: `Creates the client from the answers (name, other names, date of birth, address, phone, e-mail), a
matter for them and its parties (the other side, other people involved, opposing counsel), and records
your decision on the submission's conflict check, all at once. --decision waived needs --note saying
where the written consent is filed. --no-parties creates no parties (add them with "casevault party
add"). It prints what was created.`,
			examples: []example{
				{"Accept submission 3: no conflict", `casevault intake accept 3 --title "Roe divorce" --decision clear`},
				{"Accept it with a waived conflict", `casevault intake accept 3 --decision waived --note "Written consent of both, file 2026-0004/7"`},
			},
			run: (*runner).intakeAccept},
		&command{name: "intake decline", summary: "decline a submission (the person stays in conflict checks)",
			usage: []string{"intake decline SUBMISSION-ID --reason TEXT"},
			desc: `Declines a submission with your reason. The person stays in conflict checks as a declined
prospective client, with the names they gave (ABA Model Rule 1.18).`,
			examples: []example{{"Decline submission 3", `casevault intake decline 3 --reason "Conflict with an existing client"`}},
			run:      (*runner).intakeDecline},
		&command{name: "intake delete", summary: "delete a submission as spam (its answers and files are erased)",
			usage: []string{"intake delete SUBMISSION-ID [--yes]"},
			desc: `Deletes a submission as spam: its answers and files are erased, and only that one was received and
deleted is kept. It asks first at a terminal; elsewhere give --yes.`,
			examples: []example{{"Delete submission 9 as spam without being asked", "casevault intake delete 9 --yes"}},
			run:      (*runner).intakeDelete},
		&command{name: "intake summary", summary: "a printable summary of a submission, for the paper file",
			usage: []string{"intake summary SUBMISSION-ID [--out FILE | --open]"},
			desc: `A summary of one submission for the paper file: the answers, the files, the verification, the
conflict check and the decision. Printed here, written as a printable page with --out FILE (a file that
exists is not overwritten), or opened in your browser with --open (from a private temporary file,
deleted afterwards).`,
			examples: []example{
				{"Open the summary of submission 3 to print it", "casevault intake summary 3 --open"},
				{"Keep it as a page", "casevault intake summary 3 --out intake-3.html"},
			},
			run: (*runner).intakeSummary},
		&command{name: "intake file", summary: "save a file that came with a submission",
			usage: []string{"intake file SUBMISSION-ID N --out FILE"},
			desc: `Saves the file numbered N (as "casevault intake show" lists them) to a new file. It needs the
right to export client data; a file that exists is not overwritten.`,
			examples: []example{{"Save the first file of submission 3", "casevault intake file 3 1 --out roe-passport.jpg"}},
			run:      (*runner).intakeFile},

		&command{name: "intake form", summary: "the questions of the intake form, by practice area, and its privacy notice",
			desc: `The intake form asks the questions chosen for the practice area the person picks (or the one given
to "casevault intake start"). Every area starts from a template; you can add your own questions, choose
which appear for each area and which must be answered, and set the privacy notice the person agrees
to. Changing the form never changes submissions already received.`,
			examples: []example{{"Show the questions of every area", "casevault intake form show"}}},
		&command{name: "intake form show", summary: "show the form: its areas, questions and privacy notice",
			usage:    []string{"intake form show [AREA]"},
			desc:     `Shows every practice area (or only the one given) with its questions, those that must be answered marked *, then your own questions and the privacy notice.`,
			examples: []example{{"Show the form", "casevault intake form show"}, {"Show the family law questions", "casevault intake form show family"}},
			run:      (*runner).intakeFormShow},
		&command{name: "intake form notice", summary: "set the privacy notice the person agrees to",
			usage: []string{"intake form notice --text TEXT"},
			desc: `Sets the text of the privacy notice shown at the end of the form. Each submission records the
version of the notice the person agreed to.`,
			examples: []example{{"Set the notice from a file", "casevault intake form notice --text-file privacy-notice.txt"}},
			run:      (*runner).intakeFormNotice},
		&command{name: "intake form add-question", summary: "add a question of your own",
			usage: []string{"intake form add-question --label TEXT --kind short|long|date|yesno|choice [--choices A,B,...] [--hint TEXT] --areas AREA[,AREA...]"},
			desc: `Adds a question of your own to the practice areas given (or every area with --areas all), at the
end: short or long text, a date, yes or no, or a choice among --choices. It prints the question's key,
for "intake form area" and "intake form remove-question".`,
			examples: []example{
				{"Ask family clients about children", `casevault intake form add-question --label "Do you have children under 18?" --kind yesno --areas family`},
				{"A choice, in every area", `casevault intake form add-question --label "Preferred language" --kind choice --choices "English,Spanish,Other" --areas all`},
			},
			run: (*runner).intakeFormAddQuestion},
		&command{name: "intake form remove-question", summary: "remove a question of your own from the form",
			usage:    []string{"intake form remove-question KEY"},
			desc:     `Removes a question you added, from every area. Submissions that answered it keep their answers.`,
			examples: []example{{"Remove question q2", "casevault intake form remove-question q2"}},
			run:      (*runner).intakeFormRemoveQuestion},
		&command{name: "intake form area", summary: "choose the questions of a practice area and which must be answered",
			usage: []string{"intake form area AREA --questions KEY[,KEY...] [--required KEY[,KEY...]] [--label TEXT]"},
			desc: `Sets the questions of one practice area, in the order given (full_name always comes first and must
always be answered), and which of them must be answered. An area that does not exist yet is added,
named by --label. "casevault intake form show" lists the keys.`,
			examples: []example{{"A short form for criminal matters", "casevault intake form area criminal --questions full_name,date_of_birth,phone,description,key_dates --required phone"}},
			run:      (*runner).intakeFormArea},
	)
}
