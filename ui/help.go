package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// This file: the Help screen (last in the left bar): how to do each task
// and where it is, found by a word ("waiver", "USB", "party"), with a
// button that opens the screen the task starts on. The words are the
// window's own: a test checks that every button named in bold exists.

// helpTopic is one task: its title, the screen it starts on (a nav entry,
// or -1), and how to do it: paragraphs apart by a blank line, lines
// starting "1." or "*" as steps and points, the window's words in **bold**
// (helpSegments).
type helpTopic struct {
	title string
	nav   int
	text  string
}

var helpTopics = []helpTopic{
	{"Getting around", -1, `
casevault keeps your clients, matters, parties and notes in an encrypted vault on this computer. Nothing leaves it unless you back it up.

* The **left bar** opens each screen: Clients, Matters, Conflict check, Conflict checks, and (when your role allows them) Intake, Audit trail, Backups, Security check, Something happened, Users and Settings, then this Help.
* The **search field** at the top finds anything as you type (**Ctrl+F** puts the cursor there).
* **Lock** (top right, or **Ctrl+L**) closes the vault at once; it also locks by itself after a few minutes without activity (Settings). Unlocking needs your passphrase again.
* Buttons your role may not use are greyed out, with the reason under them. Ask the owner when you need more.`},
	{"Add a client", navClients, `
1. Open **Clients** in the left bar and click **New client** (above the list).
2. Type the name (required) and what you know: other names the client is known by (one a line), e-mail, phone, date of birth (YYYY-MM-DD), address, notes. A field with a mistake says so under it as you type.
3. Click **Save**.
4. casevault then offers **Check for conflicts** on the names you just entered; the result shows right there. Record the decision (**Clear**, **Conflict** or **Waived**), or go on with **Open the client** and run the check later from **Conflict check**.

To change a client later, open it and click **Edit**. A client with matters cannot be deleted: close the matters instead.`},
	{"Open a new matter", navClients, `
1. Open **Clients**, choose the client, and click **New matter**.
2. Give the title (required), the practice area and, if you like, your own matter number (left empty, casevault numbers it by year, e.g. 2026-0007).
3. Name every other party: adverse parties, related parties and opposing counsel, one name a line. Future conflict checks compare new names with all of them.
4. Click **Save matter**. casevault offers a conflict check on the names just entered, with the result and the decision in the same place.`},
	{"Edit a matter, its dates and status", navMatters, `
1. Open **Matters** (Open, Closed or All) and choose the matter.
2. Click **Edit matter**: title, practice area, matter number, status (open or closed), the date it was opened and, when closed, the date it closed (YYYY-MM-DD).
3. Click **Save**. **Close matter** and **Reopen matter** change the status in one click.

Every change is recorded in the audit trail.`},
	{"Add, change or remove a party", navMatters, `
A party is anyone on a matter other than your client: an adverse party, a related party, opposing counsel, co-counsel or a witness. A newly discovered party must be added, or later conflict checks will miss them.

1. Open **Matters**, choose the matter, and find **Parties**.
2. Click **Add party**: the role, whether it is a person or an organisation, the name, the organisation they belong to (e.g. opposing counsel's firm), other names they use and former names (one a line), and a note.
3. Click **Save party**. casevault offers a conflict check on the party's names; the party does not match itself.

**Edit** next to a party changes it; **Remove** takes it off the matter (after you confirm).`},
	{"Joint clients of one matter", navMatters, `
A matter can have several clients (joint representation), and a client several matters.

1. Open **Matters** and choose the matter.
2. Under **Clients of this matter**, click **Add client…** and choose the client.
3. **Remove** next to a client takes them off the matter. The first client is the lead; a matter always keeps at least one client.

Who can see a joint matter follows the lead client and the matter's own setting (**Who can see this**).`},
	{"Run a conflict check and record the decision", navConflicts, `
1. Open **Conflict check** in the left bar.
2. Type the names to check, one a line: the prospective client, the other side, related people and companies.
3. Click **Check for conflicts**. Every name is compared with every client, alias and party, in open and closed matters; close spellings count too. The best matches come first; click one to open its client or matter.
4. Under **Decision**, choose **Clear** (no conflict), **Conflict** or **Waived**, write a note, and click **Record decision** (or press Enter in the note).

A conflict **Waived** by the client's written consent (a waiver) needs a note: say where the consent is filed. A match in a record you may not see shows as "a possible conflict in a restricted matter": ask the owner before deciding.`},
	{"Take in a new client with the intake form", navIntake, `
A prospective client can type their details into your intake form themselves, in the browser of this laptop (or of a tablet). The form can only add answers: it shows nothing of the vault, even while the vault is locked.

1. Open **Intake** in the left bar and click **Start intake**.
2. Choose the practice area, or **Let the person choose**. Leave **Let a tablet on this office network open the form** off unless a tablet will be used; when on, the window shows a code for the tablet's camera and what the tablet's browser should show.
3. Click **Start intake**: the form opens in your browser. Click **Lock now and hand over the laptop**: the form keeps working while the vault is locked.
4. A banner at the top of every screen, the lock screen included, says that intake runs and how many forms came in. **Open the form again** opens a fresh form for the next person; **Stop intake** stops it (closing casevault stops it too).

What the person sends waits under **Submissions** for your review and a conflict check. Under **Form questions**, choose which questions each practice area asks and which must be answered, add your own (**Add your own question…**) and write the privacy notice; **Save the form**. A changed notice becomes a new version, and each form received records the version its sender agreed to.`},
	{"Past conflict checks and the printable report", navHistory, `
1. Open **Conflict checks** in the left bar: every check made, newest first, with the names, when, who ran it, how many possible conflicts it found and the decision.
2. Narrow the list by a name or by the decision (for example, the checks still **Undecided**).
3. Choose a check to see every possible conflict it found, the decision, its note and every earlier decision (a check decided again keeps its history).
4. **Decide again** records a new decision; the earlier ones stay.
5. **Print report** opens a printable page of the check (names, possible conflicts, decision, note, who and when) in your web browser, for the client's file.`},
	{"Search", -1, `
Type in the **search field** at the top (**Ctrl+F**). It finds clients and the other names they use, matters by title or number, parties and opposing counsel, and notes. Results show as you type, best first, and what matched is in **bold**. A word typed with a small mistake still finds close spellings, and the start of a word is enough.

Click a result to open it: a party opens its matter. Clear the field to go back.`},
	{"Notes on a matter", navMatters, `
Open **Matters**, choose the matter, write in the box under **Notes** and click **Add note**. Notes are dated and signed with your name (as **Settings** sets it), and cannot be changed afterwards.`},
	{"Back up", navBackups, `
1. Plug in a USB drive (or choose a folder on another disk).
2. Open **Backups** and click **Choose backup drive or folder…**.
3. Click **Back up now**. Backups are encrypted with your passphrase; only new data is copied each time.
4. Choose a schedule: back up when you lock or close, or every so often while the vault is open.

A banner at the top reminds you when no backup was made for a while.`},
	{"Restore drill: prove the backup restores", navBackups, `
A restore drill restores the latest backup into a temporary place, checks every part of it, and deletes it again; your vault is not touched. It also proves you remember the passphrase.

Open **Backups**, click **Run restore drill…**, type your passphrase (or recovery key) and read the report. Run one at least every month; the banner reminds you.`},
	{"Restore a backup (new laptop, lost data)", navBackups, `
* On a new laptop, or when the vault is gone: on the first screen click **Restore from a backup…**, choose the backup drive, type the passphrase or the recovery key, choose the snapshot and click **Restore**.
* With the vault open: **Backups** → **Restore…** restores a snapshot into a new folder, never over the open vault.`},
	{"Retention: when a closed file may be destroyed", navRetention, `
Closing a matter gives it a destroy-after date from the rule of its practice area (7 years after closing unless you set another rule).

* A matter's page shows it under **Retention**: the date, the rule in words and whether it is due. **Change date…** sets another date, or **Keep for ever**, with a reason kept beside the change.
* The rules are on **Retention** → **Rules**: choose a rule or **New rule**, give the practice area and the years and months after closing (or keep for ever), then **Save rule**. The default rule applies to every other area; it can be changed, never deleted (**Delete rule**).`},
	{"Legal hold: stop a file from being destroyed", navRetention, `
While a matter or a client is on legal hold (a lawsuit expected, a subpoena, an investigation), nothing of it can be destroyed, whatever its date.

1. Open the matter or the client and click **Place legal hold…**.
2. Say why, then click **Place legal hold**. The hold shows on the page with who placed it and when.
3. When it ends, **Release hold…** with the reason.

**Retention** → **Legal holds** lists every hold in place (and the released ones with **Show released holds too**).`},
	{"Destroy client files that are due", navRetention, `
Only the vault's owner destroys client files, and only what is due and not on hold, unless you say why it goes early.

1. Open **Retention** → **Due for destruction**: closed matters past their date, by client. Tick the matters (a client's name ticks all of them and, when every matter of the client is due, the client file too), or **Select all**.
2. Click **Destroy selected…**. The dialog says exactly what goes. Choose **Keep names for conflict checks** (recommended: your duties to a former client outlive the file) or **Destroy the names too**, type DESTROY, and click **Destroy**.
3. The result gives the destruction's number: **Print certificate** opens a page to print for your files. The **Destruction register** keeps an entry without client data.
4. Backups made before still hold the files: the result says which drive holds them. With that drive plugged in, **Remove them from that drive…** removes those backups (after a new backup: **Back up now first** when asked). Later, the register's **Backups…** button does the same.`},
	{"Users, roles and who can see what", navUsers, `
Only the owner (or someone the owner allowed) sees **Users** in the left bar.

* **Add user…**: the name and the role (Attorney, Paralegal, Assistant, Read-only or your own). Hand the one-time passphrase over in person or by phone; the person chooses their own at the first unlock.
* Roles decide what each person may see and change. A Paralegal may add clients, matters and parties but not decide conflict checks; a Read-only user changes nothing.
* On a client's or matter's page, **Who can see this** restricts it to some people or walls it off from others. A wall never hides a conflict: the check still says a possible conflict exists.`},
	{"Your passphrase and your name", navSettings, `
Open **Settings**. **Change passphrase** asks for the current one and the new one twice. Your name as it signs notes and reports is also set there. The recovery key you wrote down at setup opens the vault if the passphrase is forgotten.`},
	{"Audit trail", navAudit, `
Everything that reads or changes client data is recorded. Open **Audit trail**, filter by dates, person, action, client or matter; **Verify chain** proves nothing was altered; **Export CSV…** saves the list. A client's or matter's **Audit trail** button shows only its entries.`},
	{"Something happened: a lost laptop or drive, a break-in, a wrong e-mail", navIncidents, `
When something goes wrong, open **Something happened** in the left bar and click **Record what happened…**. casevault keeps a record of what you do, with the time of each step.

1. Choose what is closest: a laptop lost or stolen, a backup drive lost, a suspected break-in, ransomware or a virus, something sent to the wrong person, or something else.
2. Give the day it happened (or you noticed), the time if you know it, and a few words.
3. Click **Start the checklist**. Tick each step as you do it: the time and your name are kept. Write a note (whom you called) and click **Save note**.
4. Under **Clients affected**, click **Choose clients…** to tick the clients concerned, then tick **Told** as you tell each one.
5. **Print notification pack** opens a page to print: the record, the checklist with its times, and a letter for each client to adapt (ABA Formal Opinion 483).
6. When all is done, click **Close incident…**. The record stays.`},
	{"Security check", navSecurity, `
Open **Security check** in the left bar: casevault checks at once how the vault and this laptop are set up (passphrase, recovery key, auto-lock, backups, drills, audit trail, people, the laptop's disk encryption and screen lock) and says for each point OK, Needs attention or Please answer.

* A button under a point fixes it or opens the screen where it is fixed: **Turn on auto-lock** acts at once; **Change passphrase…**, **Back up now**, **Run restore drill…** and **Open Users** take you there.
* For what casevault cannot see by itself it asks: answer **Yes** or **No**.
* **Check again** runs it once more; the part under the points says what changed since the last check.
* **Print report** opens a dated page for your compliance file.

Run it at least once a year: the reminder at the foot of the left bar says when, with **Run security check**.`},
	{"Keyboard", -1, `
* **Ctrl+F**: search. **Ctrl+L**: lock.
* **Tab** and **Shift+Tab** move between fields and buttons; **Space** presses the button in focus.
* **Enter** in a form's last field saves it; **Escape** closes a dialog without saving.`},
	{"The command line", -1, `
Everything the window does can also be done in a terminal: run **casevault help** for the list of commands, and **casevault help conflicts** (or any command) for its details with examples.`},
}

// helpScreen: a list of tasks with a search box, and the chosen task.
type helpScreen struct {
	u      *UI
	obj    fyne.CanvasObject
	find   *entry
	shown  []int // indexes into helpTopics
	list   *widget.List
	cur    int
	title  *widget.Label
	body   *widget.RichText
	goB    *widget.Button
	notFor *widget.Label
}

func newHelpScreen(u *UI) *helpScreen {
	h := &helpScreen{u: u, cur: -1, title: heading(""), body: widget.NewRichText(), notFor: hint("")}
	h.body.Wrapping = fyne.TextWrapWord
	h.find = u.newEntry("Find a task: backup, waiver, party…")
	h.find.OnChanged = func(string) { h.filter() }
	h.list = widget.NewList(func() int { return len(h.shown) },
		func() fyne.CanvasObject { return line("Help topic", false) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(h.shown) {
				o.(*widget.Label).SetText(helpTopics[h.shown[id]].title)
			}
		})
	h.list.OnSelected = func(id widget.ListItemID) {
		u.touch()
		if id < len(h.shown) {
			h.open(h.shown[id])
		}
	}
	h.goB = u.button("", theme.NavigateNextIcon(), func() {
		if h.cur >= 0 && u.main != nil {
			u.main.show(helpTopics[h.cur].nav)
		}
	})
	h.goB.Importance = widget.HighImportance
	h.notFor.Hide()
	left := container.NewBorder(container.NewVBox(heading("Help"), h.find), nil, nil, nil, h.list)
	right := container.NewBorder(h.title, container.NewVBox(h.notFor, container.NewHBox(h.goB)), nil, nil,
		container.NewVScroll(h.body))
	split := container.NewHSplit(left, container.NewPadded(right))
	split.Offset = 0.36
	h.obj = split
	h.filter()
	return h
}

// filter shows the topics whose title or text holds every word typed.
func (h *helpScreen) filter() {
	words := strings.Fields(strings.ToLower(h.find.Text))
	h.shown = h.shown[:0]
	for i, t := range helpTopics {
		text := strings.ToLower(t.title + " " + t.text)
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(text, w)
		}
		if ok {
			h.shown = append(h.shown, i)
		}
	}
	h.list.UnselectAll()
	h.list.Refresh()
	switch {
	case len(h.shown) == 0:
		h.cur = -1
		h.title.SetText("Nothing found")
		h.body.Segments = helpSegments("No task mentions “" + h.find.Text + "”. Try another word, or clear the field to see every task.")
		h.body.Refresh()
		h.goB.Hide()
		h.notFor.Hide()
	case !h.has(h.cur):
		h.list.Select(0)
	default:
		for i, x := range h.shown {
			if x == h.cur {
				h.list.Select(i)
			}
		}
	}
}

func (h *helpScreen) has(topic int) bool {
	for _, x := range h.shown {
		if x == topic {
			return true
		}
	}
	return false
}

// open shows a topic, with a button to the screen it starts on when the
// user's role opens it.
func (h *helpScreen) open(topic int) {
	h.cur = topic
	t := helpTopics[topic]
	h.title.SetText(t.title)
	h.body.Segments = helpSegments(t.text)
	h.body.Refresh()
	h.goB.Hide()
	h.notFor.Hide()
	if t.nav < 0 {
		return
	}
	if h.u.main != nil && h.u.main.offers(t.nav) {
		h.goB.SetText("Open " + navNames[t.nav])
		h.goB.Show()
		return
	}
	h.notFor.SetText("Your role does not open " + navNames[t.nav] + "; ask the owner if you need it.")
	h.notFor.Show()
}

// helpSegments lays a topic's text out: one paragraph a line, an empty line
// between blocks, "* " points as "• ", **bold** parts strong. (Fyne's
// Markdown glues a paragraph after a list to the list's last line.)
func helpSegments(text string) []widget.RichTextSegment {
	var lines [][]part
	for _, ln := range strings.Split(strings.TrimSpace(text), "\n") {
		ln = strings.TrimSpace(ln)
		if ln == "" {
			lines = append(lines, nil)
			continue
		}
		if rest, ok := strings.CutPrefix(ln, "* "); ok {
			ln = "•  " + rest
		}
		var ps []part
		for i, piece := range strings.Split(ln, "**") {
			if piece == "" {
				continue
			}
			if i%2 == 1 {
				ps = append(ps, strong(piece))
			} else {
				ps = append(ps, plain(piece))
			}
		}
		lines = append(lines, ps)
	}
	return richSegments(lines...)
}
