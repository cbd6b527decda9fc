// Package incident holds what casevault knows about a bad day, as plain
// data: the kinds of incident a solo lawyer meets (a lost laptop, a lost
// backup drive, a break-in, ransomware, a mistaken disclosure), each with a
// checklist of what to do, in order, every step with a one-line reason, and
// the letter to a client that ABA Formal Opinion 483 asks for. It is pure
// Go: no SQL, no I/O. The app records incidents and the time each step was
// done; the window and the command line show them.
//
// Every step that names a place in casevault names one that exists: a
// screen or button of the window ("Settings → Change passphrase") and the
// command that does the same ("casevault passwd"). TestStepsNameRealPlaces
// in app/cli checks the commands against the command table.
package incident

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is what happened.
type Kind string

// The kinds of incident, as stored (incidents.kind).
const (
	LostLaptop Kind = "lost_laptop"
	LostBackup Kind = "lost_backup"
	BreakIn    Kind = "break_in"
	Ransomware Kind = "ransomware"
	Disclosure Kind = "disclosure"
	Other      Kind = "other"
)

var kinds = []Kind{LostLaptop, LostBackup, BreakIn, Ransomware, Disclosure, Other}

// Kinds is every kind, in the order the window offers them.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }

var labels = map[Kind]string{
	LostLaptop: "Laptop lost or stolen",
	LostBackup: "Backup drive lost",
	BreakIn:    "Suspected break-in",
	Ransomware: "Ransomware or a virus",
	Disclosure: "Sent to the wrong person",
	Other:      "Something else",
}

// Label is the kind in words: "Laptop lost or stolen".
func (k Kind) Label() string {
	if l, ok := labels[k]; ok {
		return l
	}
	return "Unknown kind (" + string(k) + ")"
}

// Valid says whether k is one of Kinds.
func (k Kind) Valid() bool { _, ok := labels[k]; return ok }

// ErrUnknownKind: a kind that is none of Kinds.
var ErrUnknownKind = errors.New("unknown kind of incident")

// ErrUnknownStep: a step key that is not on the kind's checklist.
var ErrUnknownStep = errors.New("unknown step")

// ParseKind reads a kind as typed: its key ("lost_laptop", also with
// hyphens: "lost-laptop") in any case. The error lists the kinds.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_"))
	if k.Valid() {
		return k, nil
	}
	var words []string
	for _, k := range kinds {
		words = append(words, fmt.Sprintf("%s (%s)", strings.ReplaceAll(string(k), "_", "-"), strings.ToLower(k.Label())))
	}
	return "", fmt.Errorf("%w %q: choose one of %s", ErrUnknownKind, s, strings.Join(words, ", "))
}

// Step is one thing to do: Key names it in the vault (incident_steps.key)
// and on the command line, Text says what to do, Why says why, in one line.
type Step struct {
	Key  string `json:"key"`
	Text string `json:"text"`
	Why  string `json:"why"`
}

// Checklist is what to do for an incident of kind k, in order; nil for an
// unknown kind.
func Checklist(k Kind) []Step {
	c := checklists[k]
	if c == nil {
		return nil
	}
	return append([]Step(nil), c...)
}

// FindStep is the step of k's checklist with key (case-insensitive, "-"
// read as "_"). The error says which keys there are.
func FindStep(k Kind, key string) (Step, error) {
	want := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), "-", "_")
	var keys []string
	for _, s := range checklists[k] {
		if s.Key == want {
			return s, nil
		}
		keys = append(keys, strings.ReplaceAll(s.Key, "_", "-"))
	}
	return Step{}, fmt.Errorf("%w %q for %q: the steps are %s", ErrUnknownStep, key, strings.ToLower(k.Label()), strings.Join(keys, ", "))
}

// The places in casevault the steps send the lawyer to. One name each, so
// that a renamed button or command is changed here once.
const (
	placeRestore    = `in the window, "Restore from a backup…" on the first screen, or "casevault restore --repo DRIVE --to FOLDER"`
	placePassphrase = `Settings → Change passphrase, or "casevault passwd"`
	placeKeyChange  = `"casevault key change"; the window offers it only when you remove someone on the Users screen`
	placeBackup     = `Backups → Back up now, choosing the new drive, or "casevault backup --repo NEWDRIVE"`
	placeDrill      = `Backups → Run restore drill…, or "casevault drill --repo DRIVE"`
	placeAudit      = `Audit trail → Verify chain, then read the entries, or "casevault audit verify" and "casevault audit list --from DATE"`
	placePack       = `the incident's notification pack ("casevault incident pack ID --out FILE.html")`
)

// Steps that end most checklists: who must be told, and the record.
var (
	stepAudit = Step{"audit",
		"Check the audit trail for anything you did not do around and since that day (" + placeAudit + ").",
		"It shows who unlocked, opened and exported what and when, and proves no entry was changed."}
	stepClients = Step{"clients",
		"Decide which clients are affected and whether they must be told, and write down why; mark them in this incident.",
		"ABA Formal Opinion 483: current clients must be told when their confidential information was, or probably was, accessed or lost; state breach-notification laws may add duties and deadlines."}
	stepInsurer = Step{"insurer",
		"Tell your malpractice (professional liability) insurer, and your cyber insurer if you have one; write the claim number in the note.",
		"Policies often require prompt notice, and many pay for an expert or a breach coach."}
	stepNotify = Step{"notify",
		"Send each client you decided to tell a letter adapted from " + placePack + ", and mark each one notified.",
		"The pack holds a letter per client to adapt and the record of who opened their file."}
	stepRecord = Step{"record",
		"Keep this record: add what you learn in the notes and close the incident when nothing is left to do.",
		"If a client, the bar or an insurer asks later, it shows what you knew, what you did and when."}
)

var checklists = map[Kind][]Step{
	LostLaptop: {
		{"last_seen", "Write down when and where you last had the laptop and how it went missing.",
			"The police, your insurer and your clients will ask; details fade within days."},
		{"police", "If it may have been stolen, report it to the police and write the report number in the note.",
			"Insurers and clients expect a report number, and it shows you acted at once."},
		{"protection", "Write down whether the laptop's disk was encrypted (FileVault, BitLocker or LUKS) and whether casevault was locked when it went missing.",
			"A locked vault on an encrypted disk shows a thief only scrambled data; this decides how serious the loss is."},
		{"remote_wipe", "If you set up Find My Mac or Find My Device, lock or erase the laptop remotely.",
			"It closes the laptop to whoever has it, if it goes online."},
		{"restore", "Restore the vault from your backup drive on another computer (" + placeRestore + ").",
			"Your files come back from the backup; you do not need the lost laptop's copy."},
		{"passphrase", "On the restored vault, change your passphrase (" + placePassphrase + ").",
			"The lost copy still opens with the old passphrase; the vault you use from now on will not."},
		{"vault_key", "Change the vault key (" + placeKeyChange + ") and write down the new recovery key it shows.",
			"If someone opens the lost copy, its old key will not open anything you write from now on; old backups stay restorable with the passphrases of their time."},
		{"new_backup", "Back up to a new folder after the key change (casevault offers one beside the old) and run a restore drill (" + placeDrill + ").",
			"After a key change the old backup folder takes no new backups, and a drill proves the new one restores."},
		{"accounts", "From a safe computer, change the passwords the laptop kept (email, bank, court e-filing, cloud storage) and sign it out of them.",
			"Email and other accounts may have been open on the laptop; casevault protects only its own vault."},
		stepAudit, stepClients, stepInsurer, stepNotify, stepRecord,
	},
	LostBackup: {
		{"last_seen", "Write down when and where you last had the drive and how it went missing.",
			"The police, your insurer and your clients will ask; details fade within days."},
		{"which_clients", "Look at the clients this incident lists: their files were in the backups on that drive, by the vault's own record of the backups it made there.",
			"Only those clients' information was on the drive; the list is the start of deciding who to tell."},
		{"protection", "Look at how the drive was protected: every casevault backup is encrypted and opens only with the passphrases and recovery key it lists. Write down whether any of them was kept with the drive or could be known to someone.",
			"If none of them could be, the files on the drive cannot be read and the loss likely exposed nothing."},
		{"police", "If it may have been stolen, report it to the police and write the report number in the note.",
			"Insurers and clients expect a report number."},
		{"new_backup", "Back up to another drive now (" + placeBackup + ").",
			"Until you do, you have one copy fewer than you think."},
		{"drill", "Run a restore drill on the new drive (" + placeDrill + ").",
			"It proves the new backup restores before you need it."},
		{"keys", "If a passphrase or recovery key that opens the lost drive could be known to someone, change your passphrase (" + placePassphrase + ") and the vault key (" + placeKeyChange + ").",
			"Nothing changes the lost drive: it keeps opening with the keys it was made with; new keys protect the vault and the backups you make from now on."},
		stepAudit, stepClients, stepInsurer, stepNotify, stepRecord,
	},
	BreakIn: {
		{"what_seen", "Write down what you noticed (an unknown sign-in, files moved or missing, a forced door), when, and on which computer.",
			"An expert, the police and your insurer will need it, and details fade."},
		{"isolate", "Disconnect the computer from the network (Wi-Fi off, cable out), but do not switch it off or wipe it yet.",
			"It stops further access and keeps the evidence an expert needs."},
		{"lock", "Lock casevault and keep it locked on that computer until it has been checked.",
			"A locked vault holds its key nowhere in memory for an intruder to take."},
		{"expert", "Call your insurer's incident line or an IT security professional before you clean anything up.",
			"Cleaning up first can destroy what shows how they got in and what they took."},
		{"police", "Report it to the police and write the report number in the note.",
			"A crime report supports insurance claims and what you tell clients."},
		{"audit_check", "Check the audit trail for unlocks, views or exports you did not make (" + placeAudit + ").",
			"It shows which clients' files were opened or exported, if any, and when."},
		{"accounts", "From a safe computer, change your email and other account passwords and turn on two-step sign-in.",
			"Intruders often go after email first, to reset everything else."},
		{"passphrase", "From a clean computer, change your casevault passphrase (" + placePassphrase + ") and the vault key (" + placeKeyChange + ").",
			"If the intruder recorded your passphrase, the new one and the new key shut them out of what you write from now on."},
		{"backup_check", "Make sure you have a backup made before the break-in and that it restores (" + placeDrill + ").",
			"If files were changed, that backup is your clean copy."},
		stepClients, stepInsurer, stepNotify, stepRecord,
	},
	Ransomware: {
		{"disconnect", "Disconnect the computer from the network and unplug every backup drive, now.",
			"Ransomware scrambles everything it can reach, backup drives included."},
		{"no_payment", "Do not pay and do not answer the attackers without advice from your insurer or a security professional.",
			"Paying does not guarantee your files back, may be unlawful, and your insurer may need to approve it."},
		{"evidence", "Photograph the ransom message and write down when it appeared and what you were doing.",
			"The expert, the police and your insurer will ask for it."},
		{"expert", "Call your insurer's incident line or an IT security professional, and report it to the police (in the United States, also to the FBI's IC3).",
			"They can tell what the attack reached and whether data was taken as well as scrambled."},
		{"clean_computer", "Have the computer wiped and set up again, or use another one, before you restore anything.",
			"Restoring onto an infected computer hands the attackers your files again."},
		{"restore", "Restore from a backup drive that was not connected during the attack (" + placeRestore + ").",
			"A drive that was plugged in may be scrambled too; one that was not holds your clean files."},
		{"drill", "Run a restore drill on that drive and verify the audit trail (" + placeDrill + "; \"casevault audit verify\").",
			"It proves the restored vault is whole and that its record was not altered."},
		{"passphrase", "From the clean computer, change your casevault passphrase (" + placePassphrase + ") and the vault key (" + placeKeyChange + "), then your other passwords.",
			"Ransomware often steals passwords before it shows itself."},
		stepClients, stepInsurer, stepNotify, stepRecord,
	},
	Disclosure: {
		{"what_sent", "Write down what was sent, to whom, when and how (email, post, a shared link).",
			"You need the facts to ask for it back and to decide who must be told."},
		{"recall", "If it can be undone, undo it now: recall the email, remove access to the shared link or folder.",
			"Every minute it stays open is a minute it can be read or forwarded."},
		{"ask_delete", "Ask the recipient not to read further, to delete every copy (deleted items and downloads too) and to confirm in writing.",
			"A written confirmation is the best evidence that it went no further; a lawyer who receives it must tell you (ABA Model Rule 4.4(b))."},
		{"reply", "Write their reply in the note and keep a copy of it in the client's file.",
			"It is what you will show the client, and the insurer if it goes wrong."},
		stepClients, stepInsurer, stepNotify,
		{"prevent", "Change what led to it: check the address before sending, turn off address autocomplete for client mail, share links only with named people.",
			"The same slip is easy to make twice."},
		stepRecord,
	},
	Other: {
		{"what_happened", "Write down what happened, when, and what may be affected.",
			"You need the facts to decide what to do, and details fade."},
		{"contain", "Stop it getting worse: lock casevault, disconnect what may be affected, keep any evidence.",
			"Containing it first limits what can be lost."},
		{"help", "Ask for help if you are unsure: your insurer's incident line, an IT security professional, your bar's ethics hotline.",
			"They deal with this every day; you do not have to decide alone."},
		stepAudit,
		{"backup_check", "Make sure your latest backup restores (" + placeDrill + ").",
			"If anything was damaged, the backup is your clean copy."},
		stepClients, stepInsurer, stepNotify, stepRecord,
	},
}
