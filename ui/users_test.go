package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
)

func TestOwnerSeesUsersScreen(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	m := h.u.main
	if !contains(h.u.w.Canvas(), "Users") {
		t.Fatalf("the owner's sidebar has no Users; texts %q", texts(h.u.w.Canvas()))
	}
	m.show(navUsers)
	h.u.wait()
	us := m.users
	if us == nil || len(us.users) == 0 || !us.users[0].Owner {
		t.Fatalf("users screen: %+v", us)
	}
	// The built-in roles are listed and cannot be changed.
	us.tabs.SelectIndex(1)
	r := us.rolesTab
	if len(r.pick.Options) < 5 {
		t.Fatalf("roles = %v", r.pick.Options)
	}
	r.pick.SetSelected("Paralegal")
	if r.cur == nil || !r.cur.Builtin || !r.saveB.Disabled() || !r.radios[access.Clients].Disabled() {
		t.Fatalf("a built-in role is editable: %+v", r.cur)
	}
	if got := r.radios[access.Users].Selected; got != levelWords[0] {
		t.Errorf("Paralegal on users = %q, want %q", got, levelWords[0])
	}
	// The policy tab shows the vault's policy (the default).
	if p := us.policyTab; p.minLen.Selected != "12 characters" || p.expiry.Selected != "never (recommended)" {
		t.Errorf("policy shown: %q, %q", p.minLen.Selected, p.expiry.Selected)
	}
}

func TestAddUserShowsOneTimePassphrase(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.u.main.show(navUsers)
	h.u.wait()
	cv := h.u.w.Canvas()
	test.Tap(button(t, cv, "Add user…"))
	var name *entry
	for _, o := range test.LaidOutObjects(cv.Overlays().Top()) {
		if e, ok := o.(*entry); ok && strings.Contains(e.PlaceHolder, "Maria") {
			name = e
		}
	}
	if name == nil {
		t.Fatalf("no name field; texts %q", texts(cv))
	}
	test.Type(name, "Pat Jones")
	test.Tap(button(t, cv, "Add"))
	h.u.wait()
	us := h.u.main.users
	if us.oneTime == "" {
		t.Fatalf("no one-time passphrase shown; texts %q", texts(cv))
	}
	if !contains(cv, us.oneTime) || !contains(cv, "in person or by phone") {
		t.Fatalf("the one-time passphrase or its hand-over words are not shown; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Copy"))
	if h.u.a.Clipboard().Content() != us.oneTime {
		t.Error("Copy did not copy the one-time passphrase")
	}
	test.Tap(button(t, cv, "Done: I have handed it over"))
	if h.u.a.Clipboard().Content() != "" || contains(cv, "in person or by phone") {
		t.Error("the one-time passphrase stays on the clipboard or on screen")
	}
	found := false
	for _, x := range us.users {
		found = found || (x.Name == "Pat Jones" && x.Role == "Paralegal" && x.MustChange)
	}
	if !found {
		t.Fatalf("users after add: %+v", us.users)
	}
}

func TestAccessReportOpensInBrowser(t *testing.T) {
	var opened []string
	h := newHarness(t, true, func(o *Options) {
		o.openBrowser = func(p string) error { opened = append(opened, p); return nil }
	})
	h.unlocked()
	h.u.wait()
	h.addClient(canary)
	cv := h.u.w.Canvas()
	test.Tap(button(t, cv, "Access report…"))
	if !contains(cv, "Every time someone opened or changed") {
		t.Fatalf("no report dialog; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Open to print"))
	h.u.wait()
	if len(opened) != 1 {
		t.Fatalf("pages opened: %v", opened)
	}
	b, err := os.ReadFile(opened[0])
	if err != nil || !strings.Contains(string(b), canary) {
		t.Fatalf("the report page does not name the client (%v): %.300s", err, b)
	}
	// Locking removes the page.
	h.u.lockNow("")
	h.u.wait()
	if _, err := os.Stat(opened[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the report page outlived the lock: %v", err)
	}
}

func TestWhoCanSeeThis(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.addClient(canary)
	cv := h.u.w.Canvas()
	sb := h.u.main.clients.security
	if sb == nil || !strings.Contains(sb.line.Text, "Everyone") {
		t.Fatalf("who-can-see line: %+v", sb)
	}
	test.Tap(button(t, cv, "Who can see this…"))
	h.u.wait()
	if sb.class == nil || sb.class.Selected != seeEveryone || !sb.pick.Disabled() {
		t.Fatalf("class dialog: %+v", sb.class)
	}
	sb.class.SetSelected(seeOnly)
	if sb.pick.Disabled() {
		t.Error("the people picker stays disabled for Only these people")
	}
	test.Tap(button(t, cv, "Apply"))
	h.u.wait()
	if !strings.Contains(sb.line.Text, "Only") {
		t.Fatalf("after Apply: %q; texts %q", sb.line.Text, texts(cv))
	}
}

func TestDeniedHintWords(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	b := widget.NewButton("x", nil)
	note := hint("")
	note.Hide()
	h.u.allow(b, access.DeleteClient, note)
	if b.Disabled() || note.Visible() {
		t.Fatal("the owner is refused deleting clients")
	}
	if got, want := (&access.DeniedError{Role: "Paralegal", Verb: access.DeleteClient.Words}).Error(),
		"Your role (Paralegal) cannot delete clients; ask the owner"; got != want {
		t.Fatalf("denied words = %q", got)
	}
}

// addUsers adds users (name → role) through the app as the owner and
// returns their one-time passphrases.
func addUsers(t *testing.T, dir string, users ...[2]string) map[string]string {
	t.Helper()
	ctx := context.Background()
	s, err := app.Open(ctx, dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	out := map[string]string{}
	for _, u := range users {
		p, err := s.AddUser(ctx, u[0], u[1], app.AddUserOptions{})
		if err != nil {
			t.Fatalf("AddUser %s: %v", u[0], err)
		}
		out[u[0]] = p
	}
	return out
}

// unlockAs unlocks the window as user name with pass.
func (h *harness) unlockAs(name, pass string) {
	h.t.Helper()
	s := h.u.unlock
	if s == nil {
		h.t.Fatalf("not on the unlock screen; texts %q", texts(h.u.w.Canvas()))
	}
	s.user.SetText(name)
	h.u.wait()
	h.unlock(pass)
}

const patPass = "quartz meadow plover lantern"

func TestUnlockAsUserForcedChange(t *testing.T) {
	h := newHarness(t, true)
	one := addUsers(t, h.dir, [2]string{"Pat Jones", "Paralegal"})["Pat Jones"]
	// An unknown name is refused, and the message says to check the name.
	h.unlockAs("Nobody Here", one)
	if h.u.sess != nil || !strings.Contains(h.u.unlock.errMsg.Text, "Nobody Here") {
		t.Fatalf("unknown user: session %v, message %q", h.u.sess != nil, h.u.unlock.errMsg.Text)
	}
	// Pat with the one-time passphrase: the change screen and nothing else.
	h.unlockAs("Pat Jones", one)
	if h.u.sess == nil || h.u.change == nil || h.u.main != nil {
		t.Fatalf("not on the forced change screen; texts %q", texts(h.u.w.Canvas()))
	}
	cv := h.u.w.Canvas()
	if contains(cv, "Clients") || !contains(cv, "one-time passphrase") || !contains(cv, "At least 12 characters") {
		t.Fatalf("change screen shows: %q", texts(cv))
	}
	c := h.u.change
	test.Type(c.np.p1, "short")
	if !c.saveB.Disabled() || !c.np.problems.Visible() {
		t.Fatal("a too-short passphrase can be saved")
	}
	c.np.p1.SetText(patPass)
	c.np.p2.SetText(patPass)
	if c.np.meter.Value < 3 || c.saveB.Disabled() {
		t.Fatalf("good passphrase refused: meter %d, %q", c.np.meter.Value, c.np.problems.Text)
	}
	test.Tap(c.saveB)
	h.u.wait()
	if h.u.main == nil || h.u.change != nil {
		t.Fatalf("not in the main window after the change; texts %q", texts(cv))
	}
	if !contains(cv, "Pat Jones (Paralegal)") {
		t.Errorf("the top bar does not say who is signed in; texts %q", texts(cv))
	}
	// The Users screen is not offered to a paralegal.
	for _, id := range h.u.main.items {
		if id == navUsers {
			t.Fatal("a paralegal's sidebar has Users")
		}
	}
	h.u.main.show(navUsers)
	if h.u.main.users != nil {
		t.Fatal("the Users screen opened for a paralegal")
	}
	// The next unlock remembers Pat, and Pat's own passphrase works.
	h.u.lockNow("")
	h.u.wait()
	if got := h.u.unlock.user.Text; got != "Pat Jones" {
		t.Errorf("remembered user = %q", got)
	}
	h.unlock(patPass)
	if h.u.main == nil {
		t.Fatalf("Pat's new passphrase did not unlock: %q", h.u.unlock.errMsg.Text)
	}
}

func TestParalegalDeniedAndWall(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	// The owner: a client with a matter, walled off from Pat; another client Pat may see.
	one := addUsers(t, h.dir, [2]string{"Pat Jones", "Paralegal"})["Pat Jones"]
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	walled, err := s.AddClient(ctx, app.ClientInput{Name: ptr(canary)})
	if err == nil {
		_, err = s.AddMatter(ctx, app.MatterInput{ClientID: walled, Title: "Secret merger", Adverse: []string{"Brightwater Holdings"}})
	}
	if err == nil {
		_, err = s.AddClient(ctx, app.ClientInput{Name: ptr("Anna Keller")})
	}
	if err == nil {
		err = s.SetSecurityClass(ctx, "client", walled, app.ClassWalled, []string{"Pat Jones"})
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)

	h.unlockAs("Pat Jones", one)
	c := h.u.change
	if c == nil {
		t.Fatalf("no change screen; texts %q", texts(h.u.w.Canvas()))
	}
	c.np.p1.SetText(patPass)
	c.np.p2.SetText(patPass)
	test.Tap(c.saveB)
	h.u.wait()
	cv := h.u.w.Canvas()
	if contains(cv, "No backup has been made yet") {
		t.Error("a paralegal, who may not back up, is reminded to back up")
	}
	cl := h.u.main.clients
	if len(cl.all) != 1 || cl.all[0].Name != "Anna Keller" || contains(cv, canary) {
		t.Fatalf("Pat's client list: %v", cl.all)
	}
	cl.list.Select(0)
	h.u.wait()
	// Deleting is not for a paralegal: disabled, with the reason beside it.
	if !button(t, cv, "Delete").Disabled() || !contains(cv, "Your role (Paralegal) cannot delete clients; ask the owner") {
		t.Fatalf("delete not disabled with its reason; texts %q", texts(cv))
	}
	if b := button(t, cv, "Edit"); b.Disabled() {
		t.Error("a paralegal cannot edit clients")
	}
	// No "Who can see this…" for a paralegal.
	for _, o := range test.LaidOutObjects(cv.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Who can see this…" && b.Visible() {
			t.Fatal("a paralegal is offered Who can see this…")
		}
	}
	// A denied call says the plain message (the app refuses it whatever the window shows).
	cur := cl.cur
	cl.confirmDelete(cur)
	test.Tap(button(t, cv, "Delete")) // the confirmation's
	h.u.wait()
	if !strings.Contains(cl.msg.Text, "Your role (Paralegal) cannot delete clients; ask the owner") {
		t.Fatalf("denied message = %q", cl.msg.Text)
	}
	// The conflict check still says a match exists behind the wall, without names.
	h.u.main.show(navConflicts)
	cs := h.u.main.conflicts
	test.Type(cs.names, "Brightwater Holdings")
	test.Tap(cs.checkB)
	h.u.wait()
	if !contains(cv, "possible conflict in a restricted matter: ask the owner") {
		t.Fatalf("no restricted-conflict row; texts %q", texts(cv))
	}
	for _, t2 := range texts(cv) {
		if strings.Contains(t2, canary) || strings.Contains(t2, "Secret merger") {
			t.Fatalf("the walled client shows in the conflict check: %q", t2)
		}
	}
}

func TestRemoveUserAndChangeKey(t *testing.T) {
	h := newHarness(t, true)
	one := addUsers(t, h.dir, [2]string{"Pat Jones", "Paralegal"}, [2]string{"Sam Lee", "Attorney"})
	h.unlocked()
	h.u.wait()
	h.u.main.show(navUsers)
	h.u.wait()
	us := h.u.main.users
	cv := h.u.w.Canvas()
	row := -1
	for i, x := range us.users {
		if x.Name == "Pat Jones" {
			row = i
		}
	}
	if row < 0 {
		t.Fatalf("Pat not listed: %+v", us.users)
	}
	us.table.Select(widget.TableCellID{Row: row, Col: 0})
	test.Tap(button(t, cv, "Remove…"))
	if !contains(cv, "Remove and change the vault key") || !contains(cv, "copied the vault folder") {
		t.Fatalf("the remove dialog does not explain the choice; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Remove and change the vault key"))
	if !us.rotating || !contains(cv, "Changing the vault key") {
		t.Fatalf("no progress while the key changes; texts %q", texts(cv))
	}
	h.u.wait()
	if us.rotating {
		t.Fatal("still changing the key after the work ended")
	}
	switch {
	case us.newKey != "":
		// A new recovery key: Done only once it is confirmed written down.
		done := button(t, cv, "Done")
		if !done.Disabled() {
			t.Fatal("Done enabled before the new recovery key was confirmed")
		}
	case !contains(cv, "Vault key changed"):
		t.Fatalf("no result after the key change; texts %q", texts(cv))
	}
	for _, x := range us.users {
		if x.Name == "Pat Jones" && !x.Removed {
			t.Fatalf("Pat still active: %+v", x)
		}
	}
	// Pat's one-time passphrase no longer opens the vault; Sam's does.
	h.u.lockNow("")
	h.u.wait()
	h.unlockAs("Pat Jones", one["Pat Jones"])
	if h.u.sess != nil {
		t.Fatal("the removed user's passphrase still opens the vault")
	}
	h.unlockAs("Sam Lee", one["Sam Lee"])
	if h.u.sess == nil || h.u.change == nil {
		t.Fatalf("Sam cannot unlock after the key change: %q", h.u.unlock.errMsg.Text)
	}
}

func TestAuditFiltersByClientAndUser(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.addClient("Anna Keller")
	h.addClient(canary)
	cv := h.u.w.Canvas()
	// From the client's page: only entries naming this client.
	test.Tap(button(t, cv, "Audit trail"))
	h.u.wait()
	a := h.u.main.audit
	if a.client.Text != canary || len(a.entries) == 0 {
		t.Fatalf("client filter %q, %d entries; %q", a.client.Text, len(a.entries), a.status.Text)
	}
	id := h.u.main.clients.cur.ID
	for _, e := range a.entries {
		if !strings.Contains(" "+e.Records+" ", fmt.Sprintf(" client:%d ", id)) {
			t.Fatalf("entry not about the client: %+v", e)
		}
	}
	// By name, typed; a name that is no client's is said so.
	a.client.SetText("Anna Keller")
	a.reload()
	h.u.wait()
	if len(a.entries) == 0 || a.filtErr.Visible() {
		t.Fatalf("typed client name: %d entries, %q", len(a.entries), a.filtErr.Text)
	}
	a.client.SetText("Nobody Known")
	a.reload()
	h.u.wait()
	if !a.filtErr.Visible() || !strings.Contains(a.filtErr.Text, "no client named") {
		t.Fatalf("unknown client: %q", a.filtErr.Text)
	}
	// Who: someone who did nothing has no entries.
	a.client.SetText("")
	a.who.SetText("Pat Jones")
	a.reload()
	h.u.wait()
	if len(a.entries) != 0 {
		t.Fatalf("entries of a user who did nothing: %d", len(a.entries))
	}
}

func TestPolicyRequiresKeyFile(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.PassPolicy(ctx)
	if err == nil {
		p.RequireKeyFile = true
		err = s.SetPassPolicy(ctx, p)
	}
	s.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The owner's next unlock: only the change screen, asking for a key file.
	h.unlock(testPass)
	c := h.u.change
	if c == nil || !c.kf.obj.Visible() || h.u.main != nil {
		t.Fatalf("no change screen with a key file; texts %q", texts(h.u.w.Canvas()))
	}
	c.np.p1.SetText(patPass)
	c.np.p2.SetText(patPass)
	test.Tap(c.saveB)
	if !strings.Contains(c.errMsg.Text, "key file") || h.u.main != nil {
		t.Fatalf("saved without a key file: %q", c.errMsg.Text)
	}
	key := []byte("the content of a key file on a USB stick")
	c.kf.set("usb.key", append([]byte(nil), key...))
	c.np.p1.SetText(patPass)
	c.np.p2.SetText(patPass)
	test.Tap(c.saveB)
	h.u.wait()
	if h.u.main == nil {
		t.Fatalf("not opened after choosing a key file: %q", c.errMsg.Text)
	}
	// From now on the unlock screen asks for the key file by itself.
	h.u.lockNow("")
	h.u.wait()
	us := h.u.unlock
	if !us.keyFile.obj.Visible() || !us.keyFile.needed {
		t.Fatalf("the unlock screen does not ask for the key file; texts %q", texts(h.u.w.Canvas()))
	}
	h.unlock(patPass)
	if h.u.sess != nil || !strings.Contains(h.u.unlock.errMsg.Text, "key file") {
		t.Fatalf("unlocked without the key file, or no word of it: %q", h.u.unlock.errMsg.Text)
	}
	h.u.unlock.keyFile.set("usb.key", append([]byte(nil), key...))
	h.unlock(patPass)
	if h.u.main == nil {
		t.Fatalf("the passphrase and key file did not unlock: %q", h.u.unlock.errMsg.Text)
	}
}

func TestCustomRoleAndPolicySaved(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.u.main.show(navUsers)
	h.u.wait()
	us := h.u.main.users
	cv := h.u.w.Canvas()
	us.tabs.SelectIndex(1)
	r := us.rolesTab
	r.pick.SetSelected("Paralegal")
	test.Tap(button(t, cv, "New role…"))
	var name *entry
	for _, o := range test.LaidOutObjects(cv.Overlays().Top()) {
		if e, ok := o.(*entry); ok && strings.Contains(e.PlaceHolder, "Bookkeeper") {
			name = e
		}
	}
	if name == nil {
		t.Fatalf("no role name field; texts %q", texts(cv))
	}
	test.Type(name, "Bookkeeper")
	test.Tap(button(t, cv, "Create"))
	if r.cur == nil || r.cur.Name != "Bookkeeper" || r.radios[access.Clients].Disabled() {
		t.Fatalf("new role not editable: %+v", r.cur)
	}
	r.radios[access.Clients].SetSelected(levelWords[1])
	r.radios[access.Audit].SetSelected(levelWords[1])
	test.Tap(r.saveB)
	h.u.wait()
	var saved *access.Role
	for i := range us.roles {
		if us.roles[i].Name == "Bookkeeper" {
			saved = &us.roles[i]
		}
	}
	if saved == nil || saved.Builtin || saved.Perms[access.Clients] != access.Read || saved.Perms[access.Audit] != access.Read {
		t.Fatalf("saved role = %+v (%q)", saved, r.msg.Text)
	}
	// The passphrase rules: a longer minimum, saved in the vault.
	p := us.policyTab
	p.minLen.SetSelected("16 characters")
	p.reuse.SetSelected("not one of the last 5")
	test.Tap(p.saveB)
	h.u.wait()
	got, err := h.u.sess.PassPolicy(context.Background())
	if err != nil || got.MinLength != 16 || got.NoReuse != 5 {
		t.Fatalf("policy after save = %+v, %v (%q)", got, err, p.msg.Text)
	}
}

func TestAddUserWithKeyFile(t *testing.T) {
	h := newHarness(t, true)
	h.unlocked()
	h.u.wait()
	h.u.main.show(navUsers)
	h.u.wait()
	cv := h.u.w.Canvas()
	test.Tap(button(t, cv, "Add user…"))
	var name *entry
	var needKF *widget.Check
	for _, o := range test.LaidOutObjects(cv.Overlays().Top()) {
		if e, ok := o.(*entry); ok && strings.Contains(e.PlaceHolder, "Maria") {
			name = e
		}
		if c, ok := o.(*widget.Check); ok && strings.Contains(c.Text, "key file") {
			needKF = c
		}
	}
	if name == nil || needKF == nil {
		t.Fatalf("no name field or key file choice; texts %q", texts(cv))
	}
	test.Type(name, "Sam Lee")
	needKF.SetChecked(true)
	test.Tap(button(t, cv, "Add"))
	h.u.wait()
	us := h.u.main.users
	one := us.oneTime
	if one == "" || us.keyFileSave == nil {
		t.Fatalf("no one-time passphrase or key file to save; texts %q", texts(cv))
	}
	done := button(t, cv, "Done: I have handed it over")
	if !done.Disabled() {
		t.Fatal("Done before the key file was saved")
	}
	path := filepath.Join(t.TempDir(), "sam.key")
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	us.keyFileSave(w)
	if done.Disabled() {
		t.Fatal("Done still disabled after the key file was saved")
	}
	test.Tap(done)
	key, err := os.ReadFile(path)
	if err != nil || len(key) < 32 {
		t.Fatalf("key file: %d bytes, %v", len(key), err)
	}
	// Sam: the unlock screen asks for the key file; with it, the change screen.
	h.u.lockNow("")
	h.u.wait()
	h.u.unlock.user.SetText("Sam Lee")
	h.u.wait()
	if !h.u.unlock.keyFile.obj.Visible() {
		t.Fatalf("no key file row for Sam; texts %q", texts(cv))
	}
	h.u.unlock.keyFile.set("sam.key", []byte("not the key file"))
	h.unlock(one)
	if h.u.sess != nil || !strings.Contains(h.u.unlock.errMsg.Text, "key file") {
		t.Fatalf("a wrong key file: session %v, %q", h.u.sess != nil, h.u.unlock.errMsg.Text)
	}
	h.u.unlock.keyFile.set("sam.key", key)
	h.unlock(one)
	if h.u.change == nil {
		t.Fatalf("Sam with the key file is not on the change screen: %q", h.u.unlock.errMsg.Text)
	}
}

func TestActivityReportFromUsers(t *testing.T) {
	var opened []string
	h := newHarness(t, true, func(o *Options) {
		o.openBrowser = func(p string) error { opened = append(opened, p); return nil }
	})
	h.unlocked()
	h.u.wait()
	h.addClient(canary)
	h.u.main.show(navUsers)
	h.u.wait()
	us := h.u.main.users
	us.table.Select(widget.TableCellID{Row: 0, Col: 0}) // the owner
	cv := h.u.w.Canvas()
	test.Tap(button(t, cv, "Activity report…"))
	// The window's clock is the test's (March 2026), the trail's the real one:
	// no dates = the whole trail.
	n := 0
	for _, o := range test.LaidOutObjects(cv.Overlays().Top()) {
		if e, ok := o.(*entry); ok && e.PlaceHolder == "YYYY-MM-DD" {
			e.SetText("")
			n++
		}
	}
	if n != 2 {
		t.Fatalf("date fields = %d; texts %q", n, texts(cv))
	}
	test.Tap(button(t, cv, "Open to print"))
	h.u.wait()
	if len(opened) != 1 {
		t.Fatalf("pages opened: %v; texts %q", opened, texts(cv))
	}
	b, err := os.ReadFile(opened[0])
	if err != nil || !strings.Contains(string(b), canary) {
		t.Fatalf("the owner's activity does not show adding the client (%v): %.300s", err, b)
	}
}

func TestLockoutPerUserAndCleared(t *testing.T) {
	h := newHarness(t, true)
	addUsers(t, h.dir, [2]string{"Pat Jones", "Paralegal"})
	for i := 0; i <= app.DefaultLockoutAfter; i++ {
		h.unlockAs("Pat Jones", "not pat's passphrase at all")
	}
	s := h.u.unlock
	if !s.unlockB.Disabled() || !strings.Contains(s.status.Text, "for Pat Jones") {
		t.Fatalf("Pat not waiting: disabled %v, %q", s.unlockB.Disabled(), s.status.Text)
	}
	// Pat's wrong attempts do not make the owner wait.
	s.user.SetText("")
	h.u.wait()
	if s.unlockB.Disabled() {
		t.Fatalf("the owner waits for Pat's attempts: %q", s.status.Text)
	}
	h.unlocked()
	h.u.wait()
	h.u.main.show(navUsers)
	h.u.wait()
	us := h.u.main.users
	row := -1
	for i, x := range us.users {
		if x.Name == "Pat Jones" {
			row = i
		}
	}
	if row < 0 || us.users[row].Failures == 0 || !strings.Contains(userCell(us.users[row], 5, h.u.now()), "wrong") {
		t.Fatalf("Pat's attempts not shown: %+v", us.users)
	}
	us.table.Select(widget.TableCellID{Row: row, Col: 0})
	test.Tap(button(t, h.u.w.Canvas(), "Clear lockout"))
	h.u.wait()
	for _, x := range us.users {
		if x.Name == "Pat Jones" && (x.Failures != 0 || x.LockedFor != 0) {
			t.Fatalf("lockout not cleared: %+v", x)
		}
	}
	h.u.lockNow("")
	h.u.wait()
	h.u.unlock.user.SetText("Pat Jones")
	h.u.wait()
	if h.u.unlock.unlockB.Disabled() {
		t.Fatalf("Pat still waits after Clear lockout: %q", h.u.unlock.status.Text)
	}
}
