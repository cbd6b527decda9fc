package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/store"
	"casevault/vault"
)

func TestInit(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(scratchDir(t), "vault")
	out, errs, code := run(t, testPass+"\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, errs)
	}
	rk := recoveryRE.FindString(out)
	if len(strings.Split(rk, "-")) != 9 {
		t.Fatalf("recovery key not printed in 9 groups of 4:\n%s", out)
	}
	for _, want := range []string{"RECOVERY KEY", "shown only this once", "away from this laptop", dir, "m=8 MiB"} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "Warning") || !strings.Contains(errs, "64 MiB") {
		t.Errorf("no warning about 8 MiB: %q", errs)
	}
	if strings.Contains(out+errs, testPass) {
		t.Error("the passphrase was echoed")
	}
	// The vault opens with the passphrase and with the recovery key.
	v := &tv{t: t, dir: dir, rk: rk}
	v.ok("status")
	if _, errs, code := v.with(rk+"\n", "status", "--recovery"); code != 0 {
		t.Fatalf("recovery key from init: exit %d %s", code, errs)
	}

	// Init over an existing vault is refused and changes nothing.
	before := folderBytes(t, dir)
	_, errs, code = run(t, "quiet harbour amber violin\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
	if code == 0 || !strings.Contains(errs, "already holds a vault") {
		t.Fatalf("init over a vault: exit %d %s", code, errs)
	}
	if after := folderBytes(t, dir); !equalMaps(before, after) {
		t.Fatal("refused init changed the vault")
	}
	v.ok("status")
}

func TestInitPolicyRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct{ pass, want string }{
		{"short pass", "too short"},
		{"mailcreated5240", "common passwords"},
		{"my own casevault passphrase", `"casevault"`},
		{"", "too short"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			dir := filepath.Join(scratchDir(t), "vault")
			out, errs, code := run(t, c.pass+"\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
			if code == 0 || code == ExitUsage {
				t.Fatalf("passphrase %q: exit %d", c.pass, code)
			}
			if !strings.Contains(errs, c.want) || !strings.Contains(errs, "Nothing was created") {
				t.Errorf("passphrase %q: stderr %q lacks %q", c.pass, errs, c.want)
			}
			if recoveryRE.MatchString(out) || vault.Exists(dir) {
				t.Errorf("a vault was created for %q", c.pass)
			}
		})
	}
	// KDF flags out of range are usage errors.
	dir := filepath.Join(scratchDir(t), "vault")
	for _, args := range [][]string{{"--kdf-memory", "4"}, {"--kdf-time", "-1"}} {
		_, errs, code := run(t, testPass+"\n", append([]string{"init", "--vault", dir, "--passphrase-stdin"}, args...)...)
		if code != ExitUsage {
			t.Errorf("init %v: exit %d %s", args, code, errs)
		}
	}
}

func TestClientCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	id := v.id("client", "add", "--name", "Maria Gonzalez", "--alias", "Mia", "--alias", "M. G.", "--email", "maria@example.com",
		"--phone", "+1 555 0100", "--dob", "1980-04-23", "--address", "1 Main St", "--notes", "prefers mornings")
	if id != "1" {
		t.Fatalf("first client id %s", id)
	}
	v.id("client", "add", "--name", "Aaron Abel")

	out := v.ok("client", "list")
	if !strings.Contains(out, "Maria Gonzalez") || !strings.Contains(out, "maria@example.com") || strings.Index(out, "Aaron") > strings.Index(out, "Maria") {
		t.Errorf("client list:\n%s", out)
	}
	list := okJSON[[]map[string]any](v, "client", "list")
	if len(list) != 2 || list[0]["name"] != "Aaron Abel" || list[1]["email"] != "maria@example.com" || list[1]["security_class"] != "general" || list[1]["id"] != float64(1) {
		t.Errorf("client list --json: %v", list)
	}
	if l := okJSON[[]map[string]any](v, "client", "list", "--sort", "updated"); len(l) != 2 || l[0]["name"] != "Aaron Abel" {
		t.Errorf("--sort updated: %v", l)
	}

	out = v.ok("client", "show", "1")
	for _, want := range []string{"Maria Gonzalez", "Mia; M. G.", "maria@example.com", "+1 555 0100", "1980-04-23", "1 Main St", "prefers mornings", "general"} {
		if !strings.Contains(out, want) {
			t.Errorf("client show lacks %q:\n%s", want, out)
		}
	}
	c := okJSON[clientJSON](v, "client", "show", "1")
	if c.ID != 1 || c.Name != "Maria Gonzalez" || len(c.Aliases) != 2 || c.Email != "maria@example.com" || c.Phone != "+1 555 0100" ||
		c.DOB != "1980-04-23" || c.Address != "1 Main St" || c.Notes != "prefers mornings" || c.SecurityClass != "general" || c.CreatedAt == "" {
		t.Errorf("client show --json: %+v", c)
	}

	// Edit one field: only it changes.
	if out := v.ok("client", "edit", "1", "--email", "mia@example.org"); !strings.Contains(out, "Client 1 updated") {
		t.Errorf("edit: %q", out)
	}
	c2 := okJSON[clientJSON](v, "client", "show", "1")
	want := c
	want.Email, want.UpdatedAt = "mia@example.org", c2.UpdatedAt
	if !equalJSON(t, c2, want) {
		t.Errorf("edit of e-mail changed more:\n got %+v\nwant %+v", c2, want)
	}
	// Clearing a field with an empty value.
	v.ok("client", "edit", "1", "--notes", "")
	if c3 := okJSON[clientJSON](v, "client", "show", "1"); c3.Notes != "" || c3.Phone != "+1 555 0100" {
		t.Errorf("after clearing notes: %+v", c3)
	}

	// Validation errors say which field and change nothing.
	refused := []struct {
		args []string
		want string // the words that name the field
	}{
		{[]string{"client", "add", "--name", "X Y", "--email", "nope"}, "is not an e-mail address"},
		{[]string{"client", "add", "--name", "X Y", "--phone", "call me"}, "is not a phone number"},
		{[]string{"client", "add", "--name", "X Y", "--dob", "1980-13-01"}, "1980-13-01 is not a real date: there is no month 13"},
		{[]string{"client", "add", "--name", "X Y", "--dob", "1980-02-30"}, "1980-02-30 is not a real date: February 1980 has 29 days"},
		{[]string{"client", "add", "--name", "X Y", "--dob", "2999-01-01"}, "The date of birth is in the future"},
		{[]string{"client", "add", "--name", "  "}, "A client needs a name"},
		{[]string{"client", "add", "--name", "X Y", "--alias", ""}, "An alias cannot be empty"},
		{[]string{"client", "edit", "1", "--email", "bad@"}, "is not an e-mail address"},
	}
	before := v.audit()
	for _, tc := range refused {
		_, errs, code := v.do(tc.args...)
		if code != ExitError || !strings.HasPrefix(errs, "casevault: ") || !strings.Contains(errs, tc.want) || !strings.Contains(errs, "Nothing was changed.") {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errs)
		}
	}
	if after := v.audit(); after != before+len(refused) { // the unlock only
		t.Errorf("%d refused commands: audit grew by %d, want %d (an unlock each)", len(refused), after-before, len(refused))
	}
	unlocks := okJSON[[]map[string]any](v, "audit", "list", "--action", "unlock")
	if len(unlocks) < len(refused) || unlocks[len(unlocks)-1]["detail"] != "command line, with the passphrase" {
		t.Errorf("a refused command's unlock in the audit trail: %v", unlocks)
	}
	if l := okJSON[[]clientJSON](v, "client", "list"); len(l) != 2 {
		t.Errorf("refused adds added clients: %d", len(l))
	}

	// Delete.
	if out := v.ok("client", "delete", "2"); !strings.Contains(out, "Client 2 deleted") {
		t.Errorf("delete: %q", out)
	}
	_, errs, code := v.do("client", "show", "2")
	if code != ExitError || !strings.Contains(errs, "not found") || !strings.Contains(errs, "client list") {
		t.Errorf("show of a deleted client: exit %d %q", code, errs)
	}
	_, errs, code = v.do("client", "delete", "2")
	if code != ExitError || !strings.Contains(errs, "not found") {
		t.Errorf("second delete: exit %d %q", code, errs)
	}
	// A client with matters is kept.
	v.id("matter", "add", "--client", "1", "--title", "Lease")
	_, errs, code = v.do("client", "delete", "1")
	if code != ExitError || !strings.Contains(errs, "cannot be deleted") {
		t.Errorf("delete of a client with matters: exit %d %q", code, errs)
	}
	if l := okJSON[[]clientJSON](v, "client", "list"); len(l) != 1 {
		t.Errorf("clients after refused delete: %d", len(l))
	}
}

func TestMatterAndNoteCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "First Client")
	v.id("client", "add", "--name", "Second Client")
	m1 := v.id("matter", "add", "--client", "1", "--title", "Custody", "--practice-area", "family",
		"--adverse", "Ex Spouse", "--related", "Child One", "--related", "Child Two", "--opposing-counsel", "Sharp & Co")
	m2 := v.id("matter", "add", "--title", "Dismissal", "--client", "2")
	if m1 != "1" || m2 != "2" {
		t.Fatalf("matter ids %s %s", m1, m2)
	}
	_, errs, code := v.do("matter", "add", "--client", "99", "--title", "Ghost")
	if code != ExitError || !strings.Contains(errs, "not found") {
		t.Errorf("matter for a missing client: exit %d %q", code, errs)
	}

	if n := v.id("note", "add", "--matter", "1", "--text", "First call; client worried about school holidays."); n != "1" {
		t.Errorf("note id %s", n)
	}
	_, errs, code = v.do("note", "add", "--matter", "99", "--text", "x")
	if code != ExitError || !strings.Contains(errs, "not found") {
		t.Errorf("note on a missing matter: exit %d %q", code, errs)
	}
	_, errs, code = v.do("note", "add", "--matter", "1", "--text", "   ")
	if code != ExitError || !strings.Contains(errs, "A note cannot be empty. Nothing was changed.") {
		t.Errorf("blank note: exit %d %q", code, errs)
	}

	out := v.ok("matter", "show", "1")
	for _, want := range []string{"Custody", "First Client (1)", "family", "open", "Adverse party", "Ex Spouse", "Related party", "Child Two",
		"Opposing counsel", "Sharp & Co", "school holidays"} {
		if !strings.Contains(out, want) {
			t.Errorf("matter show lacks %q:\n%s", want, out)
		}
	}
	m := okJSON[matterJSON](v, "matter", "show", "1")
	roles := map[string]int{}
	for _, p := range m.Parties {
		roles[p.Role]++
	}
	if m.ID != 1 || m.ClientID != 1 || m.ClientName != "First Client" || m.Title != "Custody" || m.PracticeArea != "family" || m.Status != "open" ||
		m.SecurityClass != "general" || m.ClosedAt != "" || roles[store.RoleAdverse] != 1 || roles[store.RoleRelated] != 2 || roles[store.RoleOpposingCounsel] != 1 ||
		len(m.Notes) != 1 || m.Notes[0].Author == "" {
		t.Errorf("matter show --json: %+v", m)
	}

	ids := func(args ...string) []int64 {
		var out []int64
		for _, m := range okJSON[[]matterJSON](v, append([]string{"matter", "list"}, args...)...) {
			out = append(out, m.ID)
		}
		return out
	}
	if got := ids(); len(got) != 2 {
		t.Errorf("matter list: %v", got)
	}
	if got := ids("--client", "2"); len(got) != 1 || got[0] != 2 {
		t.Errorf("matter list --client 2: %v", got)
	}
	if out := v.ok("matter", "list", "--client", "1"); !strings.Contains(out, "Custody") || strings.Contains(out, "Dismissal") {
		t.Errorf("matter list --client 1:\n%s", out)
	}

	if out := v.ok("matter", "close", "1"); !strings.Contains(out, "Matter 1 closed") {
		t.Errorf("close: %q", out)
	}
	if got := ids("--status", "closed"); len(got) != 1 || got[0] != 1 {
		t.Errorf("closed matters: %v", got)
	}
	if got := ids("--status", "open"); len(got) != 1 || got[0] != 2 {
		t.Errorf("open matters: %v", got)
	}
	if got := ids("--status", "closed", "--client", "2"); len(got) != 0 {
		t.Errorf("closed matters of client 2: %v", got)
	}
	if m := okJSON[matterJSON](v, "matter", "show", "1"); m.Status != "closed" || m.ClosedAt == "" {
		t.Errorf("closed matter: %+v", m)
	}
	if c := okJSON[clientJSON](v, "client", "show", "1"); len(c.Matters) != 1 || c.Matters[0].Status != "closed" {
		t.Errorf("client's matters: %+v", c.Matters)
	}
	if out := v.ok("matter", "reopen", "1"); !strings.Contains(out, "Matter 1 reopened") {
		t.Errorf("reopen: %q", out)
	}
	if got := ids("--status", "open"); len(got) != 2 {
		t.Errorf("open after reopen: %v", got)
	}
	_, errs, code = v.do("matter", "close", "99")
	if code != ExitError || !strings.Contains(errs, "not found") {
		t.Errorf("close of a missing matter: exit %d %q", code, errs)
	}
	if out := v.ok("matter", "list", "--status", "closed"); !strings.Contains(out, "No matters") {
		t.Errorf("empty list: %q", out)
	}
}

func TestSearchRanked(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Other Person")
	v.id("matter", "add", "--client", "1", "--title", "Estate")
	v.id("note", "add", "--matter", "1", "--text", "Called about the Gorblesby inheritance and her aunt's will, at some length.")
	v.id("client", "add", "--name", "Quentin Gorblesby")

	type hit struct {
		Kind     string `json:"kind"`
		ClientID int64  `json:"client_id"`
		MatterID int64  `json:"matter_id"`
		Title    string `json:"title"`
		Snippet  string `json:"snippet"`
	}
	hits := okJSON[[]hit](v, "search", "gorblesby")
	if len(hits) != 2 || hits[0].Kind != "client" || hits[0].ClientID != 2 || hits[1].Kind != "note" || hits[1].MatterID != 1 || hits[1].ClientID != 1 {
		t.Fatalf("a name match must rank above a note-only match: %+v", hits)
	}
	if !strings.Contains(hits[1].Snippet, "[Gorblesby]") {
		t.Errorf("snippet %q", hits[1].Snippet)
	}
	out := v.ok("search", "gorblesby")
	if !strings.Contains(out, "Quentin") || strings.Index(out, "Quentin") > strings.Index(out, "Estate") {
		t.Errorf("text output order:\n%s", out)
	}
	// Several words, flags after them.
	if h := okJSON[[]hit](v, "search", "aunt", "will"); len(h) != 1 || h[0].Kind != "note" {
		t.Errorf("two words: %+v", h)
	}
	if out := v.ok("search", "zzyzx"); !strings.Contains(out, "Nothing matches") {
		t.Errorf("no hits: %q", out)
	}
	if _, _, code := v.do("search"); code != ExitUsage {
		t.Errorf("search without words: exit %d", code)
	}
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "John Smith")
	v.id("client", "add", "--name", "Widget Buyer")
	v.id("matter", "add", "--client", "2", "--title", "Supply dispute", "--adverse", "ACME Corporation, Inc.", "--related", "Wendell Pruitt")
	v.ok("matter", "close", "1")

	res := okJSON[struct {
		CheckID int64 `json:"check_id"`
		Names   []string
		Hits    []struct {
			Query, Name, Role, Match string
			ClientID                 int64  `json:"client_id"`
			ClientName               string `json:"client_name"`
			MatterID                 int64  `json:"matter_id"`
			MatterTitle              string `json:"matter_title"`
			MatterOpen               bool   `json:"matter_open"`
		}
	}](v, "conflicts", "Jon Smtih", "Acme Corp", "Wendell Pruitt", "Nobody Known")
	if res.CheckID != 1 || len(res.Names) != 4 {
		t.Fatalf("check: %+v", res)
	}
	found := map[string]bool{}
	for _, h := range res.Hits {
		switch {
		case h.Query == "Jon Smtih" && h.Name == "John Smith" && h.Match == "fuzzy" && h.Role == "client" && h.ClientID == 1:
			found["fuzzy"] = true
		case h.Query == "Acme Corp" && h.Name == "ACME Corporation, Inc." && h.Match == "normalised" && h.Role == "adverse" &&
			h.MatterID == 1 && h.MatterTitle == "Supply dispute" && !h.MatterOpen && h.ClientName == "Widget Buyer":
			found["normalised"] = true
		case h.Query == "Wendell Pruitt" && h.Name == "Wendell Pruitt" && h.Match == "exact" && h.Role == "related" && h.MatterID == 1:
			found["exact"] = true
		case h.Query == "Nobody Known":
			t.Errorf("unexpected hit %+v", h)
		}
	}
	if len(found) != 3 {
		t.Fatalf("hits %+v (found %v)", res.Hits, found)
	}

	out := v.ok("conflicts", "Acme Corp", "Nobody Known")
	for _, want := range []string{"Conflict check 2", "ACME Corporation, Inc.", "adverse party", "1 Supply dispute (closed)", "2 Widget Buyer", "normalised",
		`“Nobody Known”: no matches`, "conflicts decide 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("conflicts output lacks %q:\n%s", want, out)
		}
	}

	// The check is recorded in the audit trail with the names.
	entries := okJSON[[]map[string]any](v, "audit", "list", "--action", "conflict.check")
	if len(entries) != 2 || !strings.HasPrefix(entries[0]["records"].(string), "conflict_check:1 client:") || !strings.Contains(entries[0]["detail"].(string), "Jon Smtih") {
		t.Errorf("conflict checks in the audit trail: %v", entries)
	}

	// Decide.
	if out := v.ok("conflicts", "decide", "1", "--decision", "clear", "--note", "different person"); !strings.Contains(out, "recorded: clear") {
		t.Errorf("decide: %q", out)
	}
	if out := v.ok("conflicts", "decide", "--decision", "waived", "--note", "consent in the file", "2"); !strings.Contains(out, "check 2 recorded: waived") {
		t.Errorf("decide with flags first: %q", out)
	}
	if e := okJSON[[]map[string]any](v, "audit", "list", "--action", "conflict.decide"); len(e) != 2 || e[0]["detail"] != "command line, with the passphrase; clear" {
		t.Errorf("decisions in the audit trail: %v", e)
	}
	_, errs, code := v.do("conflicts", "decide", "1", "--decision", "maybe")
	if code != ExitUsage || !strings.Contains(errs, `--decision is clear, conflict or waived, not "maybe"`) { // refused before the vault opens
		t.Errorf("unknown decision: exit %d %q", code, errs)
	}
	_, errs, code = v.do("conflicts", "decide", "99", "--decision", "clear")
	if code != ExitError || !strings.Contains(errs, "not found") {
		t.Errorf("decision on a missing check: exit %d %q", code, errs)
	}
	if _, _, code := v.do("conflicts", "decide", "1"); code != ExitUsage {
		t.Errorf("decide without --decision: exit %d", code)
	}
	if _, _, code := v.do("conflicts"); code != ExitUsage {
		t.Errorf("conflicts without names: exit %d", code)
	}
}

func TestPasswd(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Kept Client")
	const newPass = "quiet harbour amber violin"
	// A new passphrase that fails the policy is refused.
	_, errs, code := v.with(testPass+"\nshort\n", "passwd")
	if code != ExitError || !strings.Contains(errs, "too short") || !strings.Contains(errs, "not changed") {
		t.Fatalf("passwd to a short one: exit %d %q", code, errs)
	}
	v.ok("status")
	// Wrong old passphrase.
	_, errs, code = v.with("not the passphrase at all\n"+newPass+"\n", "passwd")
	if code != ExitWrongKey {
		t.Fatalf("passwd with a wrong old passphrase: exit %d %q", code, errs)
	}
	out, errs, code := v.with(testPass+"\n"+newPass+"\n", "passwd")
	if code != 0 || !strings.Contains(out, "Passphrase changed") || !strings.Contains(out, "recovery key still works") {
		t.Fatalf("passwd: exit %d %q %q", code, out, errs)
	}
	_, errs, code = v.do("status")
	if code != ExitWrongKey || !strings.Contains(errs, "wrong passphrase") {
		t.Fatalf("old passphrase after passwd: exit %d %q", code, errs)
	}
	out, errs, code = v.with(newPass+"\n", "client", "list")
	if code != 0 || !strings.Contains(out, "Kept Client") {
		t.Fatalf("new passphrase: exit %d %q", code, errs)
	}
	out, errs, code = v.with(v.rk+"\n", "client", "list", "--recovery")
	if code != 0 || !strings.Contains(out, "Kept Client") {
		t.Fatalf("recovery key after passwd: exit %d %q", code, errs)
	}
	// passwd unlocked with the recovery key: the forgotten-passphrase path.
	out, errs, code = v.with(v.rk+"\n"+testPass+"\n", "passwd", "--recovery")
	if code != 0 {
		t.Fatalf("passwd --recovery: exit %d %q %q", code, out, errs)
	}
	v.ok("status")
	if e := okJSON[[]map[string]any](v, "audit", "list", "--action", "passphrase.change"); len(e) != 2 {
		t.Errorf("passphrase changes in the audit trail: %v", e)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "A Client")
	v.id("matter", "add", "--client", "1", "--title", "M", "--adverse", "X Y")
	v.id("note", "add", "--matter", "1", "--text", "hello")
	out := v.ok("status")
	for _, want := range []string{v.dir, "Clients", "Matters", "1 (1 party, 1 note)", "Argon2id", "m=8 MiB", "Last checkpoint"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	st := okJSON[map[string]any](v, "status")
	counts, _ := st["counts"].(map[string]any)
	kdf, _ := st["kdf"].(map[string]any)
	if st["dir"] != v.dir || counts["clients"] != float64(1) || counts["matters"] != float64(1) || counts["parties"] != float64(1) ||
		counts["notes"] != float64(1) || counts["audit"].(float64) < 5 || kdf["memory_kib"] != float64(8192) || kdf["time"] != float64(1) ||
		st["size_on_disk"].(float64) <= 0 {
		t.Errorf("status --json: %v", st)
	}
	for _, k := range []string{"created", "last_write", "last_checkpoint", "log_bytes"} {
		if _, ok := st[k]; !ok {
			t.Errorf("status --json lacks %q", k)
		}
	}
}

func TestAuditCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "A Client")
	v.id("client", "add", "--name", "B Client")
	v.ok("client", "edit", "2", "--email", "b@example.com")
	v.ok("client", "show", "1")

	// One entry per command, saying where it came from (no unlock and
	// lock around it): init, two adds, an edit, a view.
	all := okJSON[[]map[string]any](v, "audit", "list")
	if len(all) != 5 || all[0]["action"] != "vault.init" || all[0]["id"] != float64(1) {
		t.Fatalf("audit list: %v", all)
	}
	for _, e := range all[1:] {
		if d, _ := e["detail"].(string); !strings.HasPrefix(d, "command line, with the passphrase") {
			t.Errorf("entry without its origin: %v", e)
		}
	}
	for _, e := range all {
		if e["actor"] == "" || e["at"] == "" || len(e["hash"].(string)) != 64 {
			t.Errorf("entry %v", e)
		}
	}
	adds := okJSON[[]map[string]any](v, "audit", "list", "--action", "client.add")
	if len(adds) != 2 || adds[1]["records"] != "client:2" {
		t.Errorf("--action client.add: %v", adds)
	}
	rec := okJSON[[]map[string]any](v, "audit", "list", "--record", "client:2")
	if len(rec) != 2 || rec[0]["action"] != "client.add" || rec[1]["action"] != "client.edit" || rec[1]["detail"] != "command line, with the passphrase; fields: email" {
		t.Errorf("--record client:2: %v", rec)
	}
	if l := okJSON[[]map[string]any](v, "audit", "list", "--limit", "2"); len(l) != 2 {
		t.Errorf("--limit 2: %d", len(l))
	}
	if l := okJSON[[]map[string]any](v, "audit", "list", "--from", "2999-01-01"); len(l) != 0 {
		t.Errorf("--from the future: %d", len(l))
	}
	if l := okJSON[[]map[string]any](v, "audit", "list", "--to", "2000-01-01"); len(l) != 0 {
		t.Errorf("--to the past: %d", len(l))
	}
	// The access report finds a search that showed the record.
	v.ok("search", "B Client")
	if rec := okJSON[[]map[string]any](v, "audit", "list", "--record", "client:2"); len(rec) != 3 || rec[2]["action"] != "search" ||
		!strings.Contains(rec[2]["detail"].(string), "command line, with the passphrase; query") {
		t.Errorf("--record client:2 after a search: %v", rec)
	}
	out := v.ok("audit", "list", "--action", "client.view")
	// In words: what happened to whom; the codes only in --json.
	if !strings.Contains(out, "Viewed client A Client") || strings.Contains(out, "Added a client") || strings.Contains(out, "client.view") || strings.Contains(out, "client:1") {
		t.Errorf("audit list text:\n%s", out)
	}
	for _, bad := range [][]string{{"--from", "yesterday"}, {"--to", "2026-13-45"}} {
		if _, _, code := v.do(append([]string{"audit", "list"}, bad...)...); code != ExitUsage {
			t.Errorf("audit list %v: exit %d", bad, code)
		}
	}

	out = v.ok("audit", "verify")
	if !strings.Contains(out, "Audit trail intact") {
		t.Errorf("verify: %q", out)
	}
	rep := okJSON[map[string]any](v, "audit", "verify")
	if rep["ok"] != true || rep["entries"].(float64) < 8 {
		t.Errorf("verify --json: %v", rep)
	}
}

func TestRecoveryUnlock(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Someone")
	for _, rk := range []string{v.rk, strings.ToLower(v.rk), strings.ReplaceAll(v.rk, "-", " ")} {
		out, errs, code := v.with(rk+"\n", "client", "list", "--recovery")
		if code != 0 || !strings.Contains(out, "Someone") {
			t.Errorf("recovery key %q: exit %d %q", rk, code, errs)
		}
	}
	// A mistyped key (checksum fails) and a well-formed key of another vault.
	bad := []byte(v.rk)
	if bad[0] == 'A' {
		bad[0] = 'B'
	} else {
		bad[0] = 'A'
	}
	_, errs, code := v.with(string(bad)+"\n", "status", "--recovery")
	if code != ExitWrongKey || !strings.Contains(errs, "recovery key") {
		t.Errorf("mistyped recovery key: exit %d %q", code, errs)
	}
	other := initVault(t, filepath.Join(scratchDir(t), "other"))
	before := folderBytes(t, v.dir)
	_, errs, code = v.with(other+"\n", "status", "--recovery")
	if code != ExitWrongKey || !strings.Contains(errs, "recovery key does not open this vault") {
		t.Errorf("foreign recovery key: exit %d %q", code, errs)
	}
	// Only the count of wrong attempts (the back-off) changes.
	if !equalMaps(withoutUnlockDelay(before), withoutUnlockDelay(folderBytes(t, v.dir))) {
		t.Error("a wrong recovery key changed the vault")
	}
}

func TestWrongPassphrase(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Someone")
	before := folderBytes(t, v.dir)
	for _, p := range []string{"lantern orbit velvet cactuz", "", testPass + " "} {
		_, errs, code := v.with(p+"\n", "client", "list")
		if code != ExitWrongKey || !strings.Contains(errs, "wrong passphrase") {
			t.Errorf("passphrase %q: exit %d %q", p, code, errs)
		}
	}
	// No input at all.
	_, errs, code := v.with("", "client", "list")
	if code == 0 || !strings.Contains(errs, "standard input") {
		t.Errorf("empty stdin: exit %d %q", code, errs)
	}
	// Only the count of wrong attempts (the back-off) changes.
	after := folderBytes(t, v.dir)
	if !equalMaps(withoutUnlockDelay(before), withoutUnlockDelay(after)) {
		t.Error("a wrong passphrase changed the vault")
	}
	if !strings.Contains(after["unlock-delay"], "failures 2") {
		t.Errorf("unlock-delay after two wrong passphrases: %q", after["unlock-delay"])
	}
	// CRLF line ends are accepted.
	if _, errs, code := v.with(testPass+"\r\n", "client", "list"); code != 0 {
		t.Errorf("CRLF: exit %d %q", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Someone")
	cases := [][]string{
		{},
		{"frobnicate"},
		{"client"},
		{"client", "--json"},
		{"client", "bogus"},
		{"client", "show"},
		{"client", "show", "abc"},
		{"client", "show", "0"},
		{"client", "show", "1", "2"},
		{"client", "add"},
		{"client", "add", "--name", "X", "extra"},
		{"client", "edit", "1"},
		{"client", "list", "--sort", "size"},
		{"client", "list", "--bogus"},
		{"matter", "add", "--client", "1"},
		{"matter", "add", "--title", "T"},
		{"matter", "list", "--status", "pending"},
		{"matter", "list", "--client", "one"},
		{"matter", "frob"},
		{"note", "add", "--matter", "1"},
		{"note", "edit"},
		{"audit"},
		{"audit", "frob"},
		{"status", "--kdf-memory", "8"},
	}
	for _, args := range cases {
		out, errs, code := run(t, testPass+"\n", append(args, "--vault", v.dir, "--passphrase-stdin")...)
		if len(args) == 0 {
			out, errs, code = run(t, "")
		}
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (stdout %q, stderr %q)", args, code, ExitUsage, out, errs)
			continue
		}
		if !strings.Contains(errs, "casevault: ") || !strings.Contains(errs, "--help") {
			t.Errorf("%v: stderr %q", args, errs)
		}
	}
	// Help is not an error.
	out, _, code := run(t, "", "--help")
	if code != 0 || !strings.Contains(out, "Client files:") || !strings.Contains(out, "--passphrase-stdin") {
		t.Errorf("--help: exit %d %q", code, out)
	}
	if _, _, code := run(t, "", "client", "add", "--help"); code != 0 {
		t.Errorf("client add --help: exit %d", code)
	}
}

func TestFlagsAfterPositionalArgs(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Someone", "--email", "s@example.com")
	// --vault and --passphrase-stdin come last (see tv.with); --json after the id.
	c := okJSON[clientJSON](v, "client", "show", "1")
	if c.Name != "Someone" {
		t.Fatalf("client show 1 --json: %+v", c)
	}
	// A flag between command and subcommand is a usage error, not a guess.
	if _, errs, code := run(t, testPass+"\n", "client", "--vault", v.dir, "show", "--passphrase-stdin", "1", "--json"); code != ExitUsage {
		t.Errorf("flag before subcommand: exit %d %q", code, errs)
	}
	out, errs, code := run(t, testPass+"\n", "client", "show", "--vault", v.dir, "1", "--passphrase-stdin", "--json")
	if code != 0 || !strings.Contains(out, `"name": "Someone"`) {
		t.Errorf("interleaved flags: exit %d %q %q", code, out, errs)
	}
}

func TestStdinNotATerminal(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	for _, args := range [][]string{{"status"}, {"client", "list"}, {"passwd"}} {
		_, errs, code := run(t, testPass+"\n", append(args, "--vault", v.dir)...)
		if code != ExitUsage || !strings.Contains(errs, "standard input is not a terminal") || !strings.Contains(errs, "--passphrase-stdin") {
			t.Errorf("%v without --passphrase-stdin: exit %d %q", args, code, errs)
		}
	}
	dir := filepath.Join(scratchDir(t), "new")
	_, errs, code := run(t, testPass+"\n", "init", "--vault", dir, "--kdf-memory", "8", "--kdf-time", "1")
	if code != ExitUsage || !strings.Contains(errs, "not a terminal") || vault.Exists(dir) {
		t.Errorf("init without --passphrase-stdin: exit %d %q", code, errs)
	}
}

func TestNoVault(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(scratchDir(t), "none")
	_, errs, code := run(t, testPass+"\n", "status", "--vault", dir, "--passphrase-stdin")
	if code != ExitError || !strings.Contains(errs, "no vault") || !strings.Contains(errs, "casevault init") {
		t.Errorf("status without a vault: exit %d %q", code, errs)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("status created the folder")
	}
}

// TestDamagedVault flips one byte of each kind of vault file and checks that
// status exits 4 naming the file.
func TestDamagedVault(t *testing.T) {
	t.Parallel()
	base := newTV(t)
	base.id("client", "add", "--name", "Damage Test", "--notes", strings.Repeat("some notes ", 50))
	base.id("matter", "add", "--client", "1", "--title", "M", "--adverse", "Z")
	appendLogRecord(t, base.dir)
	logs, _ := filepath.Glob(filepath.Join(base.dir, vault.LogDir, "*"))
	objs := objectFiles(t, base.dir)
	if len(logs) != 1 || len(objs) == 0 {
		t.Fatalf("logs %v, objects %d", logs, len(objs))
	}
	// The undamaged copy holds the log record's client.
	if out := base.ok("client", "show", "2"); !strings.Contains(out, "From the log") {
		t.Fatalf("log record not replayed:\n%s", out)
	}
	appendLogRecord(t, base.dir) // that status checkpointed; write a fresh record
	logs, _ = filepath.Glob(filepath.Join(base.dir, vault.LogDir, "*"))
	objs = objectFiles(t, base.dir)
	logRel, _ := filepath.Rel(base.dir, logs[0])
	hsize := fileSize(t, filepath.Join(base.dir, vault.HeaderFile))
	msize := fileSize(t, filepath.Join(base.dir, vault.ManifestFile))
	lsize := fileSize(t, logs[0])

	type flip struct {
		file string
		off  int64
	}
	var flips []flip
	for _, off := range []int64{0, 9, 20, 34, 40, 60, hsize / 2, hsize - 40, hsize - 1} {
		flips = append(flips, flip{vault.HeaderFile, off})
	}
	for _, off := range []int64{0, 10, msize / 2, msize - 1} {
		flips = append(flips, flip{vault.ManifestFile, off})
	}
	for _, off := range []int64{0, 20, 32, 36, 50, lsize - 1} { // file header, record length, CRC, nonce, tag
		flips = append(flips, flip{logRel, off})
	}
	for i, o := range objs {
		if i < 3 {
			rel, _ := filepath.Rel(base.dir, o)
			flips = append(flips, flip{rel, fileSize(t, o) / 2}, flip{rel, 0})
		}
	}
	seen := map[string]bool{}
	for _, f := range flips {
		v := copyTV(t, base)
		p := filepath.Join(v.dir, f.file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b[f.off] ^= 0x40
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, errs, code := v.do("status")
		if code != ExitDamaged || !strings.Contains(errs, "vault damaged") || !strings.Contains(errs, filepath.Base(f.file)) || !strings.Contains(errs, "backup") {
			t.Errorf("%s byte %d flipped: exit %d\nstdout %q\nstderr %q", f.file, f.off, code, out, errs)
		}
		// Still damaged the second time: nothing "repaired" it silently.
		if !seen[f.file] {
			seen[f.file] = true
			if _, _, code := v.do("client", "list"); code != ExitDamaged {
				t.Errorf("%s byte %d flipped: second run exit %d", f.file, f.off, code)
			}
		}
	}

	// Truncated files.
	for _, f := range []string{vault.HeaderFile, vault.ManifestFile} {
		v := copyTV(t, base)
		p := filepath.Join(v.dir, f)
		if err := os.Truncate(p, fileSize(t, p)-7); err != nil {
			t.Fatal(err)
		}
		if _, errs, code := v.do("status"); code != ExitDamaged || !strings.Contains(errs, "vault damaged") || !strings.Contains(errs, f) {
			t.Errorf("%s truncated: exit %d %q", f, code, errs)
		}
	}
	// A missing object.
	v := copyTV(t, base)
	os.Remove(filepath.Join(v.dir, mustRel(t, base.dir, objs[0])))
	if _, errs, code := v.do("status"); code != ExitDamaged || !strings.Contains(errs, "vault damaged") {
		t.Errorf("missing object: exit %d %q", code, errs)
	}
}

// appendLogRecord leaves one committed, uncheckpointed write in the redo log,
// as a process that crashed after a write would.
func appendLogRecord(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	vt, err := vault.Open(dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, vt, store.Options{CheckpointBytes: -1})
	if err != nil {
		vt.Close()
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertClient(&store.Client{Name: "From the log"}, timeNow())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if vt.LogSize() == 0 {
		t.Fatal("no log record written")
	}
	vt.Close()    // no checkpoint: the record stays in the log
	st.Close(ctx) // fails to checkpoint on the closed vault; frees the database
}

// tamperAudit edits the audit table through the raw store, as someone with
// the data key could, after dropping the append-only triggers.
func tamperAudit(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	vt, err := vault.Open(dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	defer vt.Close()
	st, err := store.Open(ctx, vt, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	err = st.Update(ctx, func(tx *store.Tx) error {
		for _, q := range append([]string{"DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete"}, stmts...) {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerifyBroken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		stmts []string
	}{
		{"edited", []string{"UPDATE audit SET detail = 'nothing to see' WHERE id = 3"}},
		{"deleted middle", []string{"DELETE FROM audit WHERE id = 3"}},
		// The CLI unlocks (and records the unlock) before it verifies: the
		// gap left by a deleted last entry must survive that.
		{"deleted last", []string{"DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)"}},
		{"inserted", []string{"UPDATE audit SET id = -(id + 1) WHERE id >= 3", "UPDATE audit SET id = -id WHERE id < 0",
			"INSERT INTO audit(id, at, actor, action, records, detail, prev_hash, hash) SELECT 3, at, actor, action, records, 'forged', prev_hash, hash FROM audit WHERE id = 4"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := newTV(t)
			v.id("client", "add", "--name", "A Client")
			v.ok("client", "show", "1")
			v.ok("audit", "verify")
			tamperAudit(t, v.dir, c.stmts...)
			out, errs, code := v.do("audit", "verify")
			if code != ExitError || !strings.Contains(out, "AUDIT TRAIL BROKEN") || !strings.Contains(errs, "altered") {
				t.Fatalf("audit verify after the trail was %s: exit %d\nstdout %q\nstderr %q", c.name, code, out, errs)
			}
			// Still broken next time, after more entries.
			v.ok("client", "add", "--name", "Another")
			if rep := okJSONCode[map[string]any](v, ExitError, "audit", "verify"); rep["ok"] != false || rep["bad_id"].(float64) <= 0 {
				t.Fatalf("second verify: %v", rep)
			}
		})
	}
}

// okJSONCode runs a command with --json that must exit with code.
func okJSONCode[T any](v *tv, code int, args ...string) T {
	v.t.Helper()
	out, errs, got := v.do(append(args, "--json")...)
	if got != code {
		v.t.Fatalf("%v: exit %d, want %d: %s", args, got, code, errs)
	}
	var x T
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		v.t.Fatalf("%v --json: %v\n%s", args, err, out)
	}
	return x
}
