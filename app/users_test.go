package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/app/access"
	"casevault/store"
	"casevault/vault"
)

// openUser unlocks dir as user with pass (no Actor: the session names the user).
func openUser(t *testing.T, dir, user, pass string, opts Options) (*Session, error) {
	t.Helper()
	s, err := Open(ctx, dir, vault.Passphrase([]byte(pass)).ForUser(user), opts)
	if err == nil {
		t.Cleanup(func() { s.Close(ctx) })
	}
	return s, err
}

// addUser adds a user as the owner and gives them their own passphrase
// (their first unlock); it returns that passphrase.
func addUser(t *testing.T, owner *Session, dir, name, role string) string {
	t.Helper()
	otp, err := owner.AddUser(ctx, name, role, AddUserOptions{})
	if err != nil {
		t.Fatalf("AddUser %s: %v", name, err)
	}
	if err := owner.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := openUser(t, dir, name, otp, Options{})
	if err != nil {
		t.Fatalf("%s's first unlock: %v", name, err)
	}
	own := "keeps quiet orchards humming " + string(rune('a'+len(name)))
	if err := s.ChangeOwnPassphrase(ctx, []byte(own), nil); err != nil {
		t.Fatalf("%s chooses a passphrase: %v", name, err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return own
}

// An added user gets a one-time passphrase, and at their first unlock can
// do nothing but choose their own; afterwards the one-time one is refused.
func TestAddedUserMustChangePassphrase(t *testing.T) {
	owner, dir, _ := testSession(t)
	if _, err := owner.AddClient(ctx, ClientInput{Name: ptr("Ada Quill")}); err != nil {
		t.Fatal(err)
	}
	otp, err := owner.AddUser(ctx, "Pat", access.ParalegalRole, AddUserOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.AddUser(ctx, "pat", access.AssistantRole, AddUserOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a second pat: %v", err)
	}
	if _, err := owner.AddUser(ctx, "olga", access.OwnerRole, AddUserOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a second owner: %v", err)
	}
	owner.Close(ctx)

	s, err := openUser(t, dir, "pat", otp, Options{})
	if err != nil {
		t.Fatalf("first unlock: %v", err)
	}
	u := s.User()
	if u.Name != "Pat" || u.Role != access.ParalegalRole || u.Owner || !u.MustChange {
		t.Fatalf("User() = %+v", u)
	}
	for what, f := range map[string]func() error{
		"list":   func() error { _, err := s.ListClients(ctx, ByName); return err },
		"add":    func() error { _, err := s.AddClient(ctx, ClientInput{Name: ptr("X")}); return err },
		"search": func() error { _, err := s.Search(ctx, "ada", 5); return err },
		"status": func() error { _, err := s.Status(ctx); return err },
	} {
		var mc *MustChangeError
		if err := f(); !errors.Is(err, ErrMustChangePassphrase) || !errors.As(err, &mc) || mc.Expired {
			t.Errorf("%s before choosing a passphrase: %v", what, err)
		}
	}
	if err := s.ChangeOwnPassphrase(ctx, []byte("password1234"), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("a common passphrase: %v", err)
	}
	own := []byte("quiet harbour lantern moss")
	if err := s.ChangeOwnPassphrase(ctx, own, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := s.ListClients(ctx, ByName)
	if err != nil || len(cs) != 1 {
		t.Fatalf("after the change: %d clients, %v", len(cs), err)
	}
	if err := s.DeleteClient(ctx, cs[0].ID); !errors.Is(err, ErrDenied) {
		t.Errorf("paralegal deletes: %v", err)
	}
	if e := lastAudit(t, s); e.Actor != "Pat" || e.Action != "denied" {
		t.Errorf("the refusal's entry: %+v", e)
	}
	s.Close(ctx)

	if _, err := openUser(t, dir, "pat", otp, Options{}); !errors.Is(err, ErrWrongCredential) {
		t.Errorf("the one-time passphrase again: %v", err)
	}
	s, err = openUser(t, dir, "PAT", string(own), Options{})
	if err != nil {
		t.Fatalf("pat's own passphrase: %v", err)
	}
	if s.User().MustChange || s.Actor() != "Pat" {
		t.Errorf("second unlock: %+v actor %q", s.User(), s.Actor())
	}
	s.Close(ctx)

	// The owner's list shows them; the owner still opens without a name.
	owner = openTest(t, dir)
	us, err := owner.ListUsers(ctx)
	if err != nil || len(us) != 2 || !us[0].Owner || us[1].Name != "Pat" || us[1].MustChange || us[1].Role != access.ParalegalRole {
		t.Fatalf("ListUsers: %+v %v", us, err)
	}
}

// Expiry (off by default) sends a user whose passphrase is too old to the
// change screen; reuse of the last N is refused.
func TestPassphraseExpiryAndReuse(t *testing.T) {
	owner, dir, _ := testSession(t)
	if err := owner.SetPassPolicy(ctx, PassPolicy{MinLength: 12, ExpiryDays: 30, NoReuse: 2, LockoutAfter: 5}); err != nil {
		t.Fatal(err)
	}
	first := addUser(t, owner, dir, "sam", access.AssistantRole)
	later := func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
	s, err := openUser(t, dir, "sam", first, Options{Now: later})
	if err != nil {
		t.Fatal(err)
	}
	var mc *MustChangeError
	if _, err := s.ListClients(ctx, ByName); !errors.As(err, &mc) || !mc.Expired || !s.User().Expired {
		t.Fatalf("31 days later: %v %+v", err, s.User())
	}
	if err := s.ChangeOwnPassphrase(ctx, []byte(first), nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "used this passphrase before") {
		t.Errorf("the same passphrase again: %v", err)
	}
	second := []byte("velvet cactus orbit lantern")
	if err := s.ChangeOwnPassphrase(ctx, second, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListClients(ctx, ByName); err != nil {
		t.Errorf("after the change: %v", err)
	}
	third := []byte("marble finch tundra oboe")
	if err := s.ChangeOwnPassphrase(ctx, third, nil); err != nil {
		t.Fatal(err)
	}
	// Policy 2: the first passphrase has now dropped out of the last two.
	if err := s.ChangeOwnPassphrase(ctx, second, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("the one before: %v", err)
	}
	if err := s.ChangeOwnPassphrase(ctx, []byte(first), nil); err != nil {
		t.Errorf("three passphrases ago, with a history of 2: %v", err)
	}
}

// Wrong unlocks count per user; the owner sees and clears them.
func TestLockoutClearedByOwner(t *testing.T) {
	owner, dir, _ := testSession(t)
	addUser(t, owner, dir, "rita", access.ReadOnlyRole)
	b := Backoff{User: "rita"}
	for i := 0; i < DefaultLockoutAfter+1; i++ {
		_, err := openUser(t, dir, "rita", "not her passphrase at all", Options{})
		if !errors.Is(err, ErrWrongCredential) {
			t.Fatalf("wrong passphrase: %v", err)
		}
		b.Done(dir, err)
	}
	owner = openTest(t, dir)
	us, err := owner.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := us[1]; r.Failures != DefaultLockoutAfter+1 || r.LockedUntil.IsZero() {
		t.Fatalf("rita in the list: %+v", r)
	}
	if f := LoadUnlockFailures(dir); f.Count != 0 {
		t.Errorf("the owner's count: %+v", f)
	}
	if err := owner.ClearLockout(ctx, "Rita"); err != nil {
		t.Fatal(err)
	}
	if f := LoadUserUnlockFailures(dir, "rita"); f.Count != 0 {
		t.Errorf("after ClearLockout: %+v", f)
	}
	if e := lastAudit(t, owner); e.Action != "user.unlock-clear" {
		t.Errorf("last entry %+v", e)
	}
}

// A removed user's passphrase no longer opens the vault; the others' do.
func TestRemoveUser(t *testing.T) {
	owner, dir, _ := testSession(t)
	patPass := addUser(t, owner, dir, "pat", access.ParalegalRole)
	owner = openTest(t, dir)
	samPass := addUser(t, owner, dir, "sam", access.AssistantRole)
	owner = openTest(t, dir)
	if _, err := owner.RemoveUser(ctx, "owner", false); !errors.Is(err, ErrInvalid) {
		t.Errorf("removing the owner: %v", err)
	}
	if _, err := owner.RemoveUser(ctx, "pat", false); err != nil {
		t.Fatal(err)
	}
	owner.Close(ctx)
	if _, err := openUser(t, dir, "pat", patPass, Options{}); !errors.Is(err, vault.ErrUnknownUser) && !errors.Is(err, ErrWrongCredential) {
		t.Errorf("pat after removal: %v", err)
	}
	if s, err := openUser(t, dir, "sam", samPass, Options{}); err != nil {
		t.Errorf("sam after pat's removal: %v", err)
	} else {
		s.Close(ctx)
	}
	owner = openTest(t, dir)
	us, _ := owner.ListUsers(ctx)
	if len(us) != 3 || us[1].Status != store.UserRemoved {
		t.Errorf("users after removal: %+v", us)
	}
}

// A wall hides the matter from the walled user everywhere, but their
// conflict check still says that a match exists, without whose.
func TestWallKeepsConflictHidden(t *testing.T) {
	owner, dir, _ := testSession(t)
	cid, _ := owner.AddClient(ctx, ClientInput{Name: ptr("Quentin Larkspur")})
	mid, err := owner.AddMatter(ctx, MatterInput{ClientID: cid, Title: "Larkspur merger", Adverse: []string{"Ostrava Mining"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.AddClient(ctx, ClientInput{Name: ptr("Open Client")}); err != nil {
		t.Fatal(err)
	}
	if err := owner.SetSecurityClass(ctx, "client", cid, ClassWalled, []string{"nobody"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown user on the list: %v", err)
	}
	patPass := addUser(t, owner, dir, "pat", access.AttorneyRole)
	owner = openTest(t, dir)
	if err := owner.SetSecurityClass(ctx, "client", cid, ClassWalled, []string{"pat"}); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, owner); e.Action != "class.set" || e.Records != ref("client", cid) || !strings.Contains(e.Detail, "general → walled; users: pat") {
		t.Errorf("class entry %+v", e)
	}
	owner.Close(ctx)

	s, err := openUser(t, dir, "pat", patPass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := s.ListClients(ctx, ByName)
	if len(cs) != 1 || cs[0].Name != "Open Client" {
		t.Errorf("pat's clients: %v", cs)
	}
	if hits, _ := s.Search(ctx, "larkspur", 10); len(hits) != 0 {
		t.Errorf("pat's search: %+v", hits)
	}
	if _, err := s.GetMatter(ctx, mid); !errors.Is(err, ErrNotFound) {
		t.Errorf("pat opens the walled matter: %v", err)
	}
	res, err := s.CheckConflicts(ctx, []string{"Ostrava Mining", "Quentin Larkspur"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 2 {
		t.Fatalf("hits %+v", res.Hits)
	}
	for _, h := range res.Hits {
		if !h.Hidden || h.Why != RestrictedConflict || h.Name != "" || h.ClientName != "" || h.MatterTitle != "" || h.ClientID != 0 || h.MatterID != 0 {
			t.Errorf("hidden hit shows %+v", h)
		}
	}
	s.Close(ctx)
	owner = openTest(t, dir)
	res, err = owner.CheckConflicts(ctx, []string{"Ostrava Mining"})
	if err != nil || len(res.Hits) == 0 || res.Hits[0].Hidden || res.Hits[0].MatterTitle != "Larkspur merger" {
		t.Errorf("the owner's check: %+v %v", res, err)
	}
}

// Whole-vault counts (a snapshot's, a drill's, the last change) would tell
// a walled user how many records are hidden: their backups and drills
// leave them out, the owner's keep them.
func TestBackupCountsHiddenFromWalledUser(t *testing.T) {
	owner, dir, _ := testSession(t)
	cid, _ := owner.AddClient(ctx, ClientInput{Name: ptr("Hidden Heron")})
	owner.AddClient(ctx, ClientInput{Name: ptr("Open Osprey")})
	patPass := addUser(t, owner, dir, "pat", access.AttorneyRole)
	owner = openTest(t, dir)
	if err := owner.SetSecurityClass(ctx, "client", cid, ClassRestricted, nil); err != nil {
		t.Fatal(err)
	}
	owner.Close(ctx)
	repo := filepath.Join(t.TempDir(), "backup")
	s, err := openUser(t, dir, "pat", patPass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Backup(ctx, repo, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Snapshot.Counts != nil || strings.Contains(lastAudit(t, s).Detail, "client") {
		t.Errorf("pat's backup shows counts %v / %q", rep.Snapshot.Counts, lastAudit(t, s).Detail)
	}
	st, err := s.Status(ctx)
	if err != nil || st.Counts.Clients != 1 || !st.LastWrite.IsZero() {
		t.Errorf("pat's status %+v %v", st, err)
	}
	b, err := s.OpenBackups(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	snaps, _, err := b.Snapshots(ctx)
	if err != nil || len(snaps) != 1 || snaps[0].Counts != nil {
		t.Errorf("pat's snapshots %+v %v", snaps, err)
	}
	dr, err := b.Drill(ctx, DrillOptions{ScratchDir: t.TempDir(), Session: s})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range dr.Checks {
		if c.Name == "Record counts" && (c.Detail != "as recorded" || !c.OK) {
			t.Errorf("pat's drill counts: %+v", c)
		}
	}
	b.Close()
	s.Close(ctx)
	owner = openTest(t, dir)
	b, err = owner.OpenBackups(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if snaps, _, _ := b.Snapshots(ctx); len(snaps) != 1 || snaps[0].Counts["clients"] != 2 {
		t.Errorf("the owner's snapshots %+v", snaps)
	}
}

// A key file is a second factor per user; the policy can require one.
func TestUserKeyFile(t *testing.T) {
	owner, dir, _ := testSession(t)
	kf, err := NewKeyFile()
	if err != nil || len(kf) != 64 {
		t.Fatalf("NewKeyFile: %d bytes, %v", len(kf), err)
	}
	if err := owner.SetPassPolicy(ctx, PassPolicy{MinLength: 12, RequireKeyFile: true, LockoutAfter: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.AddUser(ctx, "kim", access.AttorneyRole, AddUserOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a user without a key file under a policy that requires one: %v", err)
	}
	otp, err := owner.AddUser(ctx, "kim", access.AttorneyRole, AddUserOptions{KeyFile: kf})
	if err != nil {
		t.Fatal(err)
	}
	owner.Close(ctx)
	if need, err := UserNeedsKeyFile(dir, "kim"); err != nil || !need {
		t.Errorf("UserNeedsKeyFile(kim) = %v, %v", need, err)
	}
	if _, err := Open(ctx, dir, Passphrase([]byte(otp)).ForUser("kim"), Options{}); !errors.Is(err, ErrKeyFileNeeded) {
		t.Errorf("without the key file: %v", err)
	}
	other, _ := NewKeyFile()
	if _, err := Open(ctx, dir, Passphrase([]byte(otp)).ForUser("kim").WithKeyFile(other), Options{}); !errors.Is(err, ErrWrongCredential) || !strings.Contains(Message(err), "key file") {
		t.Errorf("another key file: %v (%s)", err, Message(err))
	}
	s, err := Open(ctx, dir, Passphrase([]byte(otp)).ForUser("kim").WithKeyFile(kf), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if u := s.User(); !u.KeyFile || !u.MustChange {
		t.Errorf("kim: %+v", u)
	}
	own := []byte("copper lantern tidal orchard")
	if err := s.ChangeOwnPassphrase(ctx, own, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("dropping the key file under the policy: %v", err)
	}
	if err := s.ChangePassphrase(ctx, own, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("the old ChangePassphrase on a key-file slot: %v", err)
	}
	if err := s.ChangeOwnPassphrase(ctx, own, kf); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	s, err = Open(ctx, dir, Passphrase(own).ForUser("kim").WithKeyFile(kf), Options{})
	if err != nil {
		t.Fatalf("kim's own passphrase and key file: %v", err)
	}
	s.Close(ctx)
	// The owner, whose slot has no key file, must add one at the next
	// unlock; the recovery key is never held to it.
	owner = openTest(t, dir)
	var mc *MustChangeError
	if _, err := owner.ListClients(ctx, ByName); !errors.As(err, &mc) || !mc.KeyFile || !owner.User().NeedKeyFile {
		t.Errorf("the owner without a key file under the policy: %v", err)
	}
	if err := owner.ChangeOwnPassphrase(ctx, []byte(testPass), kf); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.ListClients(ctx, ByName); err != nil {
		t.Errorf("after adding a key file: %v", err)
	}
}

// Custom roles: saved, given, refused while in use, deleted.
func TestCustomRoles(t *testing.T) {
	owner, dir, _ := testSession(t)
	clerk := access.Role{Name: "Clerk", Perms: access.Perms{access.Clients: access.Read, access.Notes: access.Edit}}
	if err := owner.SaveRole(ctx, clerk); err != nil {
		t.Fatal(err)
	}
	if err := owner.SaveRole(ctx, access.Role{Name: "Attorney"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("overwriting a built-in role: %v", err)
	}
	rs, err := owner.ListRoles(ctx)
	if err != nil || len(rs) != 6 || rs[5].Name != "Clerk" || rs[5].Builtin || rs[5].Perms.Level(access.Notes) != access.Edit {
		t.Fatalf("roles %+v %v", rs, err)
	}
	pass := addUser(t, owner, dir, "cleo", "clerk")
	owner = openTest(t, dir)
	if err := owner.DeleteRole(ctx, "Clerk"); !errors.Is(err, ErrInvalid) {
		t.Errorf("deleting a role in use: %v", err)
	}
	// Lower the role: cleo's next session reads notes only.
	clerk.Perms[access.Notes] = access.Read
	if err := owner.SaveRole(ctx, clerk); err != nil {
		t.Fatal(err)
	}
	owner.Close(ctx)
	s, err := openUser(t, dir, "cleo", pass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if u := s.User(); u.Role != "Clerk" || s.Can(access.Notes, access.Edit) || !s.Can(access.Notes, access.Read) {
		t.Errorf("cleo: %+v", u)
	}
	if _, err := s.AddNote(ctx, 1, "x"); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "Your role (Clerk) cannot add notes") {
		t.Errorf("cleo adds a note: %v", err)
	}
	s.Close(ctx)
	owner = openTest(t, dir)
	if err := owner.SetUserRole(ctx, "cleo", access.AssistantRole); err != nil {
		t.Fatal(err)
	}
	if err := owner.DeleteRole(ctx, "clerk"); err != nil {
		t.Errorf("deleting the unused role: %v", err)
	}
}

// A vault whose owner slot has no name (made without one, or converted)
// opens the owner's slot for a name that is no user's: the session is the
// owner's, never a user of that name, and says so.
func TestUnknownNameOpensAsOwner(t *testing.T) {
	dir, _ := newTestVault(t)
	s, err := Open(ctx, dir, Passphrase([]byte(testPass)).ForUser("Nobody"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if u := s.User(); !u.Owner || u.Name == "Nobody" || s.Actor() == "Nobody" {
		t.Errorf("session %+v actor %q", u, s.Actor())
	}
	if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], `There is no user "Nobody"`) {
		t.Errorf("notices %q", n)
	}
}

// A read-only (salvage) session keeps the user's role and view: it is not
// the owner's.
func TestReadOnlyKeepsTheUser(t *testing.T) {
	owner, dir, _ := testSession(t)
	cid, _ := owner.AddClient(ctx, ClientInput{Name: ptr("Secret Sparrow")})
	owner.AddClient(ctx, ClientInput{Name: ptr("Plain Pigeon")})
	pass := addUser(t, owner, dir, "pat", access.ParalegalRole)
	owner = openTest(t, dir)
	if err := owner.SetSecurityClass(ctx, "client", cid, ClassRestricted, nil); err != nil {
		t.Fatal(err)
	}
	owner.Close(ctx)
	s, err := OpenReadOnly(ctx, dir, Passphrase([]byte(pass)).ForUser("pat"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if u := s.User(); u.Owner || u.Role != access.ParalegalRole {
		t.Fatalf("read-only session: %+v", u)
	}
	cs, err := s.ListClients(ctx, ByName)
	if err != nil || len(cs) != 1 || cs[0].Name != "Plain Pigeon" {
		t.Errorf("pat's read-only clients: %v %v", cs, err)
	}
	if _, err := s.Backup(ctx, filepath.Join(t.TempDir(), "b"), BackupOptions{}); !errors.Is(err, ErrDenied) {
		t.Errorf("pat backs up a read-only vault: %v", err)
	}
}

func TestUserMessages(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("adding pat's key slot: %w", vault.ErrOwnerPassphraseNeeded), "needs the owner's passphrase"},
		{fmt.Errorf("changing the vault key: %w", vault.ErrRotationBusy), "A backup is running"},
		{fmt.Errorf("changing the vault key: %w", vault.ErrDocumentsBusy), "The vault key cannot be changed while a document is being added or opened. Wait until that has finished"},
		{fmt.Errorf("adding a document: %w", vault.ErrKeyChanging), "The vault's key is being changed, so this was not done. Try again in a moment"},
		// The user was removed; only the key change after it failed.
		{&KeyNotChangedError{Removed: "Pat", Err: fmt.Errorf("changing the vault key: %w", vault.ErrDocumentsBusy)},
			"Pat was removed, but the vault key was not changed: the vault key cannot be changed while a document is being added or opened."},
		{&KeyNotChangedError{Removed: "Pat", Err: vault.ErrRotationBusy}, "Pat was removed, but the vault key was not changed: a backup is running: change the vault key when it has finished."},
		{&access.DeniedError{Role: "Paralegal", Verb: "delete clients"}, "Your role (Paralegal) cannot delete clients; ask the owner."},
		{&MustChangeError{}, "one-time passphrase"},
		{&KeyChangedError{Target: "/b", Sibling: "/b after key change"}, "such as /b after key change."},
		{ErrKeyFileNeeded, "key file"},
	} {
		got := Message(c.err)
		if !strings.Contains(got, c.want) {
			t.Errorf("Message(%v) = %q, want it to contain %q", c.err, got, c.want)
		}
		if _, ok := c.err.(*KeyNotChangedError); ok && strings.Contains(got, "Nothing was changed") {
			t.Errorf("Message(%v) = %q: the user was removed", c.err, got)
		}
	}
}

// A slot that no user owns (planted by someone who held the data key) is
// pointed out to the owner at unlock, until a change of the vault key
// removes it.
func TestStraySlotNoticed(t *testing.T) {
	owner, dir, _ := testSession(t)
	patPass := addUser(t, owner, dir, "Pat", access.ParalegalRole)
	owner = openTest(t, dir)
	if n := owner.Notices(); len(n) != 0 {
		t.Fatalf("notices before: %q", n)
	}
	owner.Close(ctx)
	v, err := vault.Open(dir, vault.Passphrase([]byte(patPass)).ForUser("Pat"))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.AddUserSlot("shadow", []byte("a slot nobody was given"), nil, testKDF); err != nil {
		t.Fatal(err)
	}
	v.Close()
	s, err := openUser(t, dir, "Pat", patPass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Notices(); len(n) != 0 {
		t.Errorf("a user is told of slots: %q", n)
	}
	s.Close(ctx)
	owner = openTest(t, dir)
	n := owner.Notices()
	if len(n) != 1 || !strings.Contains(n[0], "1 key slot that no user of the vault owns") || !strings.Contains(n[0], "Change the vault key") {
		t.Fatalf("owner's notices: %q", n)
	}
	if _, err := owner.RotateDataKey(ctx); err != nil {
		t.Fatal(err)
	}
	owner.Close(ctx)
	if n := openTest(t, dir).Notices(); len(n) != 0 {
		t.Errorf("notices after the change of key: %q", n)
	}
}

// A backup opened with a user's passphrase alone lists snapshots without
// whole-vault counts (nothing says which records that user may see).
func TestUserBackupWithoutVaultHidesCounts(t *testing.T) {
	owner, dir, _ := testSession(t)
	owner.AddClient(ctx, ClientInput{Name: ptr("Counted Crane")})
	patPass := addUser(t, owner, dir, "Pat", access.AttorneyRole)
	owner = openTest(t, dir)
	repo := filepath.Join(t.TempDir(), "backup")
	if _, err := owner.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := OpenBackups(ctx, repo, vault.Passphrase([]byte(patPass)).ForUser("Pat"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if snaps, _, err := b.Snapshots(ctx); err != nil || len(snaps) != 1 || snaps[0].Counts != nil {
		t.Errorf("Pat's snapshot list: %+v %v", snaps, err)
	}
	ob, err := OpenBackups(ctx, repo, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	if snaps, _, err := ob.Snapshots(ctx); err != nil || len(snaps) != 1 || snaps[0].Counts["clients"] != 1 {
		t.Errorf("the owner's snapshot list: %+v %v", snaps, err)
	}
}
