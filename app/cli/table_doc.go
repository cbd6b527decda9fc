package cli

// The rows of the "doc" commands (issue 13): documents kept in the vault,
// with their versions. Added after table.go's rows (file order), so "doc"
// is listed with the other client-file commands.

func init() {
	commandTable = append(commandTable,
		&command{name: "doc", section: secFiles,
			summary: "add, list, show, open, export or delete the documents of a client or a matter",
			desc: `Documents (letters, scans, pleadings, e-mails saved as files) are kept encrypted in the vault, with
a client or with a matter, and in every backup. Nothing is ever overwritten: adding a file with the name
of a document that is already there can make it the document's newest version (--new-version), and
changes saved in a document opened with "casevault doc open" become a new version too. Every older version
can be opened or made the newest again.

Search ("casevault search") finds documents by their name and by the words in them (text, PDF, Word,
e-mail).`,
			examples: []example{
				{"The largest file a document may be", "casevault doc limit"},
			}},
		&command{name: "doc limit", summary: "show or set the largest file a document may be",
			usage: []string{"doc limit [SIZE]"},
			desc: `Without a size, says the largest file that can be added as a document (4 GiB until it is changed).
With one (500MB, 2GB, 1.5GiB...), sets it: from 1 MB to 1 TB. Documents already in the vault are kept
whatever their size. Setting it needs a role that may edit documents, and is recorded in the audit trail.`,
			examples: []example{
				{"What is the limit?", "casevault doc limit"},
				{"Take files up to 10 GB", "casevault doc limit 10GB"},
			},
			run: (*runner).docLimit},
	)
}
