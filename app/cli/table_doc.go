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
				{"Add two files to matter 4", "casevault doc add --matter 4 engagement-letter.pdf id-scan.jpg"},
				{"The documents of matter 4", "casevault doc list --matter 4"},
			}},
		&command{name: "doc add", summary: "add files or folders to a client or a matter",
			usage: []string{"doc add (--client CLIENT-ID | --matter MATTER-ID) [--new-version | --keep-both] [--folder-as PATH] FILE|FOLDER..."},
			desc: `Adds each file to the client or the matter, encrypted. A folder adds every file in it, filed under
the folder's name and keeping where each was in it; links, hidden files and files it cannot take are
listed with the reason. The files themselves are left as they are: delete them yourself once added, if
they should not stay on this computer unencrypted.

When a document of the same name is already there, give --new-version to make the file its newest
version, or --keep-both to add it beside it under a name of its own ("contract (2).docx"). Without
either, that file is not added and the command says so. --folder-as PATH files what is added under
that folder ("Correspondence/2026").

If some files cannot be added (too large, unreadable, changed while being added), the others still
are: the command lists what failed and why, and exits with 1.`,
			examples: []example{
				{"Add two files to matter 4", "casevault doc add --matter 4 engagement-letter.pdf id-scan.jpg"},
				{"Add a folder of scans to client 12", "casevault doc add --client 12 ~/Scans/Roe"},
				{"A corrected contract: the newest version of the one already there", "casevault doc add --matter 4 --new-version contract.docx"},
			},
			run: (*runner).docAdd},
		&command{name: "doc list", summary: "list the documents of a client, a matter, or all you may see",
			usage: []string{"doc list (--client CLIENT-ID | --matter MATTER-ID | --all) [--name TEXT] [--limit N] [--page N]"},
			desc: `Lists documents with their number (for the other doc commands), name, type, size, number of versions,
when they last changed and who added them. --name keeps those whose name holds the text, in any case.
A long list is shown --limit at a time: --page 2 shows the next ones.`,
			examples: []example{
				{"The documents of matter 4", "casevault doc list --matter 4"},
				{"Every document you may see with \"invoice\" in its name", "casevault doc list --all --name invoice"},
			},
			run: (*runner).docList},
		&command{name: "doc show", summary: "show a document and its versions",
			usage:    []string{"doc show DOCUMENT-ID"},
			desc:     `Shows a document: its name, where it is kept, its type and size, who added it and when, and its versions.`,
			examples: []example{{"Show document 31", "casevault doc show 31"}},
			run:      (*runner).docShow},
		&command{name: "doc versions", summary: "list a document's versions",
			usage: []string{"doc versions DOCUMENT-ID"},
			desc: `Lists every version of a document, oldest first: when it was made and by whom, its size and how it
came (added, edited in its program, restored from an older version). The newest is the current one.`,
			examples: []example{{"The versions of document 31", "casevault doc versions 31"}},
			run:      (*runner).docVersions},
		&command{name: "doc open", summary: "open a document in its usual program; saved changes become a new version",
			usage: []string{"doc open DOCUMENT-ID [--version N]"},
			desc: `Opens the document (or its version N) in the program your computer uses for it, from a private
temporary copy. While the command waits, every change you save in the program is kept as a new version
of the document. Press Enter here when you are done (without a terminal the command waits until the
program is done with the copy): the copy is then deleted, and the command says which versions were
saved.`,
			examples: []example{
				{"Open document 31", "casevault doc open 31"},
				{"Open its first version", "casevault doc open 31 --version 1"},
			},
			run: (*runner).docOpen},
		&command{name: "doc restore-version", summary: "make an older version of a document the newest again",
			usage: []string{"doc restore-version DOCUMENT-ID N"},
			desc: `Makes a new version of the document with the content of its version N. Nothing is overwritten: every
version, the one that was newest too, is kept.`,
			examples: []example{{"Go back to version 2 of document 31", "casevault doc restore-version 31 2"}},
			run:      (*runner).docRestore},
		&command{name: "doc export", summary: "copy documents out of the vault to a folder",
			usage: []string{"doc export (DOCUMENT-ID... | --matter MATTER-ID | --client CLIENT-ID) --to FOLDER"},
			desc: `Writes the current version of documents, unencrypted, into a new folder made inside FOLDER (named
after what is exported and the day): the documents named, a matter's documents, or a client's whole
file (their own documents and a folder for each of their matters), to hand to the client or to
successor counsel. Nothing there is overwritten, and a failed export leaves nothing behind. The export
is recorded in the audit trail. What is written is no longer protected by the vault: keep it safe, and
delete it once it has been handed over.`,
			examples: []example{
				{"Export matter 4's documents to a USB stick", "casevault doc export --matter 4 --to /media/usb/roe-file"},
				{"Export two documents", "casevault doc export 31 32 --to ~/handover"},
			},
			run: (*runner).docExport},
		&command{name: "doc delete", summary: "delete a document and all its versions",
			usage: []string{"doc delete DOCUMENT-ID [--yes]"},
			desc: `Deletes a document with all its versions from the vault. At a terminal it asks first; otherwise give
--yes. Backups made before keep it until they are deleted.`,
			examples: []example{{"Delete document 31", "casevault doc delete 31"}},
			run:      (*runner).docDelete},
		&command{name: "doc limit", summary: "show or set the largest file a document may be",
			usage: []string{"doc limit [SIZE]"},
			desc: `Without a size, says the largest file that can be added as a document (4.3 GB until it is changed).
With one (500MB, 2GB, 1.5GiB...), sets it: from 1.0 MB to 1.0 TB. Documents already in the vault are kept
whatever their size. Setting it needs a role that may edit documents, and is recorded in the audit trail.`,
			examples: []example{
				{"What is the limit?", "casevault doc limit"},
				{"Take files up to 10 GB", "casevault doc limit 10GB"},
			},
			run: (*runner).docLimit},
	)
}
