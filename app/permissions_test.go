package app

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"casevault/app/access"
	"casevault/app/policy"
	"casevault/store"
)

// actAs makes the session act as a user of role (tests only: the real
// session gets its user from the vault at Open).
func actAs(s *Session, name string, r access.Role) {
	s.userMu.Lock()
	s.user = sessionUser{id: 2, name: name, role: r, owner: access.IsOwnerRole(r.Name)}
	s.userMu.Unlock()
}

func builtin(t *testing.T, name string) access.Role {
	t.Helper()
	r, ok := access.BuiltinRole(name)
	if !ok {
		t.Fatalf("no built-in role %s", name)
	}
	return r
}

// A refused operation changes nothing, says which role refused what, and is
// itself in the audit trail.
func TestDeniedIsRecorded(t *testing.T) {
	s, _, _ := testSession(t)
	id, err := s.AddClient(ctx, ClientInput{Name: ptr("Ada Quill")})
	if err != nil {
		t.Fatal(err)
	}
	actAs(s, "pat", builtin(t, access.ParalegalRole))
	err = s.DeleteClient(ctx, id)
	if !errors.Is(err, ErrDenied) || err.Error() != "Your role (Paralegal) cannot delete clients; ask the owner" {
		t.Fatalf("paralegal deletes a client: %v", err)
	}
	e := lastAudit(t, s)
	if e.Action != "denied" || e.Records != ref("client", id) || e.Detail != "tried to delete clients" {
		t.Errorf("denied entry: %+v", e)
	}
	if _, err := s.GetClient(ctx, id); err != nil {
		t.Errorf("the client after the refused delete: %v", err)
	}
	// The paralegal may edit, but not read the trail or export it.
	if err := s.EditClient(ctx, id, ClientInput{Phone: ptr("+1 555 0100")}); err != nil {
		t.Errorf("paralegal edits: %v", err)
	}
	if _, err := s.AuditList(ctx, store.AuditFilter{}); !errors.Is(err, ErrDenied) {
		t.Errorf("paralegal lists the audit trail: %v", err)
	}
	var sb strings.Builder
	if _, err := s.ExportAuditCSV(ctx, store.AuditFilter{}, &sb); !errors.Is(err, ErrDenied) || sb.Len() != 0 {
		t.Errorf("paralegal exports the trail: %v (%d bytes)", err, sb.Len())
	}
	if _, err := s.Backup(ctx, t.TempDir(), BackupOptions{}); !errors.Is(err, ErrDenied) {
		t.Errorf("paralegal backs up: %v", err)
	}
	if _, err := s.AddUser(ctx, "sam", access.AssistantRole, AddUserOptions{}); !errors.Is(err, ErrDenied) {
		t.Errorf("paralegal adds a user: %v", err)
	}

	// Read-only: reads work, every change is refused and recorded.
	actAs(s, "rita", builtin(t, access.ReadOnlyRole))
	if _, err := s.ListClients(ctx, ByName); err != nil {
		t.Errorf("read-only lists: %v", err)
	}
	before := lastAudit(t, s).ID
	for what, f := range map[string]func() error{
		"add client":  func() error { _, err := s.AddClient(ctx, ClientInput{Name: ptr("X")}); return err },
		"add matter":  func() error { _, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: "T"}); return err },
		"add note":    func() error { _, err := s.AddNote(ctx, 1, "n"); return err },
		"close":       func() error { return s.CloseMatter(ctx, 1) },
		"decide":      func() error { return s.DecideConflict(ctx, 1, "clear", "") },
		"role change": func() error { return s.SetUserRole(ctx, "pat", access.AttorneyRole) },
	} {
		if err := f(); !errors.Is(err, ErrDenied) || !strings.HasPrefix(err.Error(), "Your role (Read-only) cannot ") {
			t.Errorf("read-only %s: %v", what, err)
		}
	}
	if e := lastAudit(t, s); e.ID != before+6 || e.Action != "denied" || e.Actor != s.actor {
		t.Errorf("after six refusals the last entry is %+v (before %d)", e, before)
	}
}

// A user's role that does not read notes or matters gets no such search
// hits and no notes with a matter.
func TestSearchAndShowKeepToTheRole(t *testing.T) {
	s, _, _ := testSession(t)
	cid, _ := s.AddClient(ctx, ClientInput{Name: ptr("Bramble Hatch")})
	mid, err := s.AddMatter(ctx, MatterInput{ClientID: cid, Title: "Bramble lease", Adverse: []string{"Corvin Bramble"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, mid, "bramble hedge dispute"); err != nil {
		t.Fatal(err)
	}
	clerk, err := access.ValidateCustom(access.Role{Name: "Clerk", Perms: access.Perms{access.Clients: access.Read, access.Matters: access.Read}})
	if err != nil {
		t.Fatal(err)
	}
	actAs(s, "cleo", clerk)
	hits, err := s.Search(ctx, "bramble", 50)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, h := range hits {
		kinds[h.Kind] = true
	}
	if kinds["note"] || !kinds["client"] || !kinds["matter"] {
		t.Errorf("clerk's hit kinds: %v", kinds)
	}
	d, err := s.GetMatter(ctx, mid)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Notes) != 0 || len(d.Parties) != 0 {
		t.Errorf("clerk sees %d notes and %d parties", len(d.Notes), len(d.Parties))
	}
	if _, err := s.CheckConflicts(ctx, []string{"Bramble"}); !errors.Is(err, ErrDenied) {
		t.Errorf("clerk without conflicts runs a check: %v", err)
	}
	if !s.Can(access.Clients, access.Read) || s.Can(access.Clients, access.Edit) || s.CanDo(access.DeleteClient) {
		t.Error("Can/CanDo disagree with the role")
	}
}

func TestOneTimePassphrase(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		p := newOneTimePassphrase()
		if !regexp.MustCompile(`^[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){4}$`).Match(p) {
			t.Fatalf("one-time passphrase %q", p)
		}
		if ps := policy.CheckWith(p, DefaultPassPolicy().Rules()); len(ps) > 0 {
			t.Errorf("%q fails the default policy: %v", p, ps)
		}
		if seen[string(p)] {
			t.Fatalf("%q twice", p)
		}
		seen[string(p)] = true
	}
}

func TestPassPolicyValidate(t *testing.T) {
	if err := DefaultPassPolicy().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []PassPolicy{
		{MinLength: 7, LockoutAfter: 5}, {MinLength: 12, MinClasses: 5, LockoutAfter: 5},
		{MinLength: 12, ExpiryDays: -1, LockoutAfter: 5}, {MinLength: 12, NoReuse: 99, LockoutAfter: 5},
		{MinLength: 12, LockoutAfter: 0},
	} {
		if err := p.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v accepted: %v", p, err)
		}
	}
}

// Each user of a vault has their own wrong-unlock count; the owner's is the
// file vaults had before users; the vault's lockout-after applies to all.
func TestPerUserUnlockFailures(t *testing.T) {
	// Pat and sam must be users: a name that is no user's reaches the
	// owner's zero-tag slot and counts as the owner's (TestLockoutCountsTheSlotNotTheTypedName).
	owner, dir, _ := testSession(t)
	for _, name := range []string{"Pat", "sam"} {
		if _, err := owner.AddUser(ctx, name, access.ParalegalRole, AddUserOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	owner.Close(ctx)
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for i := 0; i < DefaultLockoutAfter+1; i++ {
		RecordUserUnlockFailure(dir, "Pat", now)
	}
	if f := LoadUserUnlockFailures(dir, "pat"); f.Count != DefaultLockoutAfter+1 || f.Wait(now) != 5*time.Second {
		t.Errorf("pat (any case): %+v wait %v", f, f.Wait(now))
	}
	if f := LoadUserUnlockFailures(dir, "sam"); f.Count != 0 {
		t.Errorf("sam counts pat's failures: %+v", f)
	}
	if f := LoadUnlockFailures(dir); f.Count != 0 {
		t.Errorf("the owner counts pat's failures: %+v", f)
	}
	name := unlockDelayFile(dir, "Pat")
	if !regexp.MustCompile(`^unlock-delay-[0-9a-f]{16}$`).MatchString(name) || strings.Contains(strings.ToLower(name), "pat") {
		t.Errorf("file name %q", name)
	}
	// The vault's setting moves the free attempts.
	if err := writeLockoutAfter(dir, 10); err != nil {
		t.Fatal(err)
	}
	if f := LoadUserUnlockFailures(dir, "pat"); f.Free != 10 || f.Wait(now) != 0 {
		t.Errorf("lockout after 10: %+v wait %v", f, f.Wait(now))
	}
	os.WriteFile(filepath.Join(dir, UnlockPolicyFile), []byte("lockout-after 0\n"), 0o600)
	if got := lockoutAfter(dir); got != DefaultLockoutAfter {
		t.Errorf("a bad lockout-after reads as %d", got)
	}
	// A Backoff for pat counts pat.
	b := Backoff{Now: func() time.Time { return now }, User: "pat"}
	b.Done(dir, nil)
	if f := LoadUserUnlockFailures(dir, "pat"); f.Count != 0 {
		t.Errorf("after pat's success: %+v", f)
	}
	b.Done(dir, ErrWrongCredential)
	if f := LoadUserUnlockFailures(dir, "pat"); f.Count != 1 {
		t.Errorf("after pat's failure: %+v", f)
	}
}

func TestLastUser(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	if LastUser(a) != "" {
		t.Fatal("a fresh computer remembers a user")
	}
	if err := RememberUser(a, "Pat Quill"); err != nil {
		t.Fatal(err)
	}
	if got := LastUser(a); got != "Pat Quill" {
		t.Errorf("LastUser(a) = %q", got)
	}
	if got := LastUser(b); got != "" {
		t.Errorf("LastUser(b) = %q", got)
	}
	if err := RememberUser(a, ""); err != nil || LastUser(a) != "" {
		t.Errorf("forget: %v %q", err, LastUser(a))
	}
}
