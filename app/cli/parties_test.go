package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"casevault/app"
)

// TestMatterEditCommand: matter edit changes only what is given, says so,
// and refuses a day that does not exist, a status that is none, and an
// edit of nothing, before the vault is opened.
func TestMatterEditCommand(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	v.id("matter", "add", "--client", "1", "--title", "Roe v. Acme", "--practice-area", "employment")
	out := v.ok("matter", "edit", "1", "--title", "Roe v. Acme Ltd", "--number", "2025-0099", "--opened", "2025-02-03")
	if out != "Matter 1 changed: Roe v. Acme Ltd (2025-0099)\n" {
		t.Errorf("matter edit said %q", out)
	}
	m := okJSON[matterJSON](v, "matter", "show", "1")
	if m.Title != "Roe v. Acme Ltd" || m.Number != "2025-0099" || m.PracticeArea != "employment" || !strings.HasPrefix(m.OpenedAt, "2025-02-0") || m.Status != "open" {
		t.Errorf("after the edit: %+v", m)
	}
	v.ok("matter", "edit", "1", "--closed", "2025-06-30")
	if m := okJSON[matterJSON](v, "matter", "show", "1"); m.Status != "closed" || m.ClosedAt == "" || m.Title != "Roe v. Acme Ltd" {
		t.Errorf("after --closed: %+v", m)
	}
	v.ok("matter", "edit", "1", "--status", "open")
	if m := okJSON[matterJSON](v, "matter", "show", "1"); m.Status != "open" || m.ClosedAt != "" {
		t.Errorf("after --status open: %+v", m)
	}
	if out := v.ok("matter", "show", "1"); !strings.Contains(out, "Number") || !strings.Contains(out, "2025-0099") || !strings.Contains(out, "opened 2025-02-03") {
		t.Errorf("matter show:\n%s", out)
	}
	if out := v.ok("matter", "list"); !strings.Contains(out, "NUMBER") || !strings.Contains(out, "2025-0099") {
		t.Errorf("matter list:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"matter", "edit", "1", "--opened", "1980-02-30"}, ExitUsage, "--opened: 1980-02-30 is not a real date: February 1980 has 29 days"},
		{[]string{"matter", "edit", "1", "--closed", "2025-6-30"}, ExitUsage, "--closed: 2025-6-30 is not a date: write it as YYYY-MM-DD"},
		{[]string{"matter", "edit", "1", "--status", "pending"}, ExitUsage, `--status is open or closed, not "pending"`},
		{[]string{"matter", "edit", "1", "--status", "open", "--closed", "2025-06-30"}, ExitUsage, "not both"},
		{[]string{"matter", "edit", "1"}, ExitUsage, "matter edit needs at least one thing to change"},
		{[]string{"matter", "edit", "--title", "X"}, ExitUsage, "give exactly one matter id"},
		{[]string{"matter", "edit", "1", "--closed", "2999-01-01"}, ExitError, "future"},
		{[]string{"matter", "edit", "99", "--title", "X"}, ExitError, "not found"},
	} {
		_, errs, code := v.do(c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, errs)
		}
	}
	if _, errs, _ := v.do("matter", "edit", "1", "--status", "pending"); !strings.Contains(errs, `Run "casevault matter edit --help"`) {
		t.Errorf("a usage error does not point to the command's page:\n%s", errs)
	}
}

// TestMatterClientCommands: a second client joins a matter and leaves it;
// the only client cannot leave.
func TestMatterClientCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	v.id("client", "add", "--name", "John Roe")
	v.id("matter", "add", "--client", "1", "--title", "Roe v. Acme")
	if out := v.ok("matter", "client", "add", "1", "2"); out != "Client 2 is now also a client of matter 1 (joint representation).\n" {
		t.Errorf("matter client add said %q", out)
	}
	out := v.ok("matter", "show", "1")
	if !strings.Contains(out, "Lead client") || !strings.Contains(out, "John Roe (2)") {
		t.Errorf("matter show with two clients:\n%s", out)
	}
	if m := okJSON[[]matterJSON](v, "matter", "list", "--client", "2"); len(m) != 1 || m[0].ID != 1 {
		t.Errorf("matter list --client 2: %+v", m)
	}
	if _, errs, code := v.do("matter", "client", "add", "1", "2"); code == 0 || !strings.Contains(errs, "already a client") {
		t.Errorf("the same client twice: exit %d %s", code, errs)
	}
	v.ok("matter", "client", "remove", "1", "1")
	if m := okJSON[matterJSON](v, "matter", "show", "1"); m.ClientID != 2 {
		t.Errorf("after the lead left, the lead is %d, want 2", m.ClientID)
	}
	if _, errs, code := v.do("matter", "client", "remove", "1", "2"); code == 0 || !strings.Contains(errs, "only client") {
		t.Errorf("removing the only client: exit %d %s", code, errs)
	}
	for _, args := range [][]string{{"matter", "client"}, {"matter", "client", "add", "1"}, {"matter", "client", "add", "1", "x"}, {"matter", "client", "swap", "1", "2"}} {
		if _, errs, code := v.do(args...); code != ExitUsage {
			t.Errorf("%v: exit %d %s", args, code, errs)
		}
	}
}

// TestPartyCommands: party add says what it added and runs the conflict
// check on the names just entered, the party itself left out (--no-check:
// none); --json is JSON only; list and remove; every refusal in words;
// a name with escape codes is shown escaped.
func TestPartyCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	v.id("matter", "add", "--client", "1", "--title", "Roe v. Acme", "--adverse", "Acme Ltd")
	out := v.ok("party", "add", "--matter", "1", "--role", "adverse", "--name", "Acme Holdings", "--kind", "organisation", "--former-name", "Acme Ltd")
	if !strings.HasPrefix(out, "Party 2 added to matter 1: Acme Holdings (adverse party)\n") || !strings.Contains(out, "Conflict check 1") ||
		!strings.Contains(out, `“Acme Ltd”: 1 possible match`) || !strings.Contains(out, `“Acme Holdings”: no matches`) {
		t.Errorf("party add:\n%s", out)
	}
	if id := addedID(t, nil, out); id != "2" {
		t.Errorf("party id %s", id)
	}
	out = v.ok("party", "add", "--matter", "1", "--role", "opposing-counsel", "--name", "Sam Counsel", "--organisation", "Counsel & Co LLP", "--no-check")
	if out != "Party 3 added to matter 1: Sam Counsel (opposing counsel)\n" {
		t.Errorf("party add --no-check said %q", out)
	}
	var added partyAddedJSON
	js := v.ok("party", "add", "--matter", "1", "--role", "witness", "--name", "Roe Witness", "--json")
	if err := json.Unmarshal([]byte(js), &added); err != nil || added.Party.ID != 4 || added.Party.Role != "witness" || added.ConflictCheck == nil ||
		len(added.ConflictCheck.Names) != 1 {
		t.Errorf("party add --json (%v):\n%s", err, js)
	}
	for _, h := range added.ConflictCheck.Hits {
		if h.PartyID == 4 {
			t.Errorf("the new party matched itself: %+v", h)
		}
	}
	list := okJSON[[]partyListJSON](v, "party", "list", "--matter", "1")
	if len(list) != 4 || list[1].Kind != "organisation" || len(list[1].FormerNames) != 1 || list[2].Organisation != "Counsel & Co LLP" || list[2].Role != "opposing_counsel" {
		t.Errorf("party list --json: %+v", list)
	}
	if out := v.ok("party", "list", "--matter", "1"); !strings.Contains(out, "formerly Acme Ltd") || !strings.Contains(out, "Opposing counsel") {
		t.Errorf("party list:\n%s", out)
	}
	if out := v.ok("party", "remove", "3"); !strings.HasPrefix(out, "Party 3 removed.") {
		t.Errorf("party remove said %q", out)
	}
	if list := okJSON[[]partyListJSON](v, "party", "list", "--matter", "1"); len(list) != 3 {
		t.Errorf("after remove: %d parties", len(list))
	}
	// A name with an escape code is refused, and the code never reaches
	// the terminal (a flag's value is repeated escaped, if at all).
	out, errs, code := v.do("party", "add", "--matter", "1", "--role", "related", "--name", "Evil\x1b[2JName", "--no-check")
	if code == 0 || strings.Contains(out+errs, "\x1b") || !strings.Contains(errs, "control code") {
		t.Errorf("a party named with an escape code: exit %d %q %q", code, out, errs)
	}
	_, errs, _ = v.do("party", "add", "--matter", "1", "--role", "\x1b[2Jenemy", "--name", "X")
	if strings.Contains(errs, "\x1b") || !strings.Contains(errs, `\x1b[2Jenemy`) {
		t.Errorf("a role with an escape code reached the terminal: %q", errs)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"party", "add", "--matter", "1", "--name", "X"}, ExitUsage, "party add needs --matter ID, --role ROLE and --name"},
		{[]string{"party", "add", "--role", "adverse", "--name", "X"}, ExitUsage, "party add needs --matter ID"},
		{[]string{"party", "add", "--matter", "1", "--role", "enemy", "--name", "X"}, ExitUsage, `--role is adverse, related, opposing-counsel, co-counsel or witness, not "enemy"`},
		{[]string{"party", "add", "--matter", "1", "--role", "adverse", "--name", "X", "--kind", "company"}, ExitUsage, `--kind is person or organisation, not "company"`},
		{[]string{"party", "add", "--matter", "1", "--role", "adverse", "--name", "  "}, ExitUsage, "needs --matter ID, --role ROLE and --name"},
		{[]string{"party", "add", "--matter", "99", "--role", "adverse", "--name", "X"}, ExitError, "not found"},
		{[]string{"party", "remove"}, ExitUsage, "give exactly one party id"},
		{[]string{"party", "remove", "99"}, ExitError, "not found"},
		{[]string{"party", "list"}, ExitUsage, "party list needs --matter ID"},
		{[]string{"party"}, ExitUsage, "party needs a subcommand: add"},
		{[]string{"party", "invite"}, ExitUsage, `unknown party subcommand "invite"`},
	} {
		_, errs, code := v.do(c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, errs)
		}
	}
}

// TestDisplayNameCommands: init --display-name and user display-name set
// the name that signs notes.
func TestDisplayNameCommands(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(scratchDir(t), "vault")
	if _, errs, code := run(t, testPass+"\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1", "--display-name", "Jane Roe, Esq."); code != 0 {
		t.Fatalf("init --display-name: exit %d %s", code, errs)
	}
	v := &tv{t: t, dir: dir}
	v.id("client", "add", "--name", "A Client")
	v.id("matter", "add", "--client", "1", "--title", "M")
	v.id("note", "add", "--matter", "1", "--text", "first")
	if out := v.ok("user", "display-name", "J. Roe"); out != "Your display name is now J. Roe: it signs your notes and reports.\n" {
		t.Errorf("user display-name said %q", out)
	}
	v.id("note", "add", "--matter", "1", "--text", "second")
	m := okJSON[matterJSON](v, "matter", "show", "1")
	if len(m.Notes) != 2 || m.Notes[0].Author != "Jane Roe, Esq." || m.Notes[1].Author != "J. Roe" {
		t.Errorf("notes signed %+v", m.Notes)
	}
	if out := v.ok("user", "display-name", ""); !strings.Contains(out, "signed with your user name again") {
		t.Errorf("user display-name \"\" said %q", out)
	}
	for _, args := range [][]string{{"user", "display-name"}, {"user", "display-name", "a", "b"}, {"user", "display-name", strings.Repeat("x", 101)}, {"user", "display-name", "two\nlines"}} {
		if _, errs, code := v.do(args...); code != ExitUsage {
			t.Errorf("%q: exit %d %s", args, code, errs)
		}
	}
	if _, errs, code := run(t, "", "init", "--vault", filepath.Join(scratchDir(t), "v"), "--passphrase-stdin", "--display-name", strings.Repeat("x", 101)); code != ExitUsage || !strings.Contains(errs, "--display-name") {
		t.Errorf("init with a display name too long: exit %d %s", code, errs)
	}
}

// TestConflictsCommandWords: "conflicts check" checks any name, even a
// subcommand word; the old form still checks; a waived decision needs a
// note, and a decision must be one of the three, before anything opens.
func TestConflictsCommandWords(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	if out := v.ok("conflicts", "check", "decide"); !strings.Contains(out, `“decide”: no matches`) {
		t.Errorf("conflicts check decide:\n%s", out)
	}
	if out := v.ok("conflicts", "Jane Roe"); !strings.Contains(out, `“Jane Roe”: 1 possible match`) {
		t.Errorf("the old form:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"conflicts", "decide", "1", "--decision", "waived"}, "a waived conflict needs --note saying where the clients' written consent is filed"},
		{[]string{"conflicts", "decide", "1", "--decision", "waived", "--note", "  "}, "a waived conflict needs --note"},
		{[]string{"conflicts", "decide", "1", "--decision", "maybe"}, `--decision is clear, conflict or waived, not "maybe"`},
		{[]string{"conflicts", "check"}, "conflicts check needs one or more names"},
	} {
		_, errs, code := v.do(c.args...)
		if code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, ExitUsage, c.want, errs)
		}
	}
	if _, errs, code := run(t, "", "conflicts"); code != ExitUsage || !strings.Contains(errs, "conflicts needs a subcommand: check, list, show, decide, report") {
		t.Errorf("conflicts alone: exit %d %s", code, errs)
	}
	if out := v.ok("conflicts", "decide", "1", "--decision", "waived", "--note", "Consent on file 7"); !strings.Contains(out, "recorded") {
		t.Errorf("a waived decision with its note: %q", out)
	}
}

// TestAddWithCheck: client add --check and matter add --check check the
// names just entered, the new records left out, and print the result
// right there; --json holds both.
func TestAddWithCheck(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	out := v.ok("client", "add", "--name", "Janet Roe", "--alias", "Jane Roe", "--check")
	if !strings.HasPrefix(out, "Client 2 added: Janet Roe\n") || !strings.Contains(out, "Conflict check 1") ||
		!strings.Contains(out, `“Jane Roe”: 1 possible match`) || !strings.Contains(out, `“Janet Roe”`) {
		t.Errorf("client add --check:\n%s", out)
	}
	if strings.Contains(out, "client alias") { // the new client's own alias is left out
		t.Errorf("the new client matched itself:\n%s", out)
	}
	out = v.ok("matter", "add", "--client", "1", "--title", "Roe v. Roe", "--adverse", "Janet Roe", "--check")
	if !strings.HasPrefix(out, "Matter 1 added: Roe v. Roe (") || !strings.Contains(out, "Conflict check 2") || !strings.Contains(out, "exact  Janet Roe  client") ||
		strings.Contains(out, "adverse party") {
		t.Errorf("matter add --check (the new adverse party must not match itself):\n%s", out)
	}
	var js struct {
		Client        addedJSON           `json:"client"`
		ConflictCheck *app.ConflictResult `json:"conflict_check"`
	}
	if err := json.Unmarshal([]byte(v.ok("client", "add", "--name", "Third", "--check", "--json")), &js); err != nil || js.Client.ID != 3 || js.ConflictCheck == nil {
		t.Errorf("client add --check --json (%v): %+v", err, js)
	}
	if out := v.ok("matter", "add", "--client", "1", "--title", "No parties", "--check"); !strings.Contains(out, "nothing to check") {
		t.Errorf("matter add --check without parties:\n%s", out)
	}
}
