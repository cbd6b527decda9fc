package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/app/access"
	"casevault/vault"
)

// rotationReady skips until the store can change the vault key.
func rotationReady(t *testing.T, s *Session) {
	t.Helper()
	if _, ok := any(s.st).(keyRotator); !ok {
		t.Skip("store.Store.RotateKey is not in this build yet")
	}
}

// Removing a user and changing the vault key: the removed user's
// passphrase no longer opens, nor does it open a copy of the folder made
// before for anything written after; the others' passphrases, the owner's
// and the recovery key still open; the audit chain verifies across the
// change; the old backup folder is refused with a way on.
func TestRemoveUserAndChangeKey(t *testing.T) {
	owner, dir, rk := testSession(t)
	rotationReady(t, owner)
	cid, err := owner.AddClient(ctx, ClientInput{Name: ptr("Before Rotation")})
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(t.TempDir(), "backup")
	if _, err := owner.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	patPass := addUser(t, owner, dir, "pat", access.ParalegalRole)
	owner = openTest(t, dir)
	samPass := addUser(t, owner, dir, "sam", access.AssistantRole)

	owner = openTest(t, dir)
	rep, err := owner.RemoveUser(ctx, "pat", true)
	if err != nil {
		t.Fatal(err)
	}
	if rep == nil || rep.Removed != "pat" || rep.Clients != 1 || rep.Took <= 0 || len(rep.Users) != 2 || rep.BackupNote == "" {
		t.Fatalf("report %+v", rep)
	}
	if e := lastAudit(t, owner); e.Action != "key.rotate" || !strings.Contains(e.Detail, "after removing pat") {
		t.Errorf("last entry %+v", e)
	}
	if _, err := owner.AddClient(ctx, ClientInput{Name: ptr("After Rotation")}); err != nil {
		t.Fatal(err)
	}
	ar, err := owner.AuditVerify(ctx)
	if err != nil || !ar.OK {
		t.Fatalf("the chain across the change: %+v %v", ar, err)
	}
	// The old backup is refused, with a new folder beside it offered.
	_, err = owner.Backup(ctx, repo, BackupOptions{})
	var kc *KeyChangedError
	if !errors.Is(err, ErrKeyChanged) || !errors.As(err, &kc) || kc.Sibling == "" || !strings.Contains(Message(err), "new folder") {
		t.Fatalf("backup to the old folder: %v", err)
	}
	// Its config is not damaged, only keyed by the old key: the plain words
	// do not say "damaged" (h7); err.Error() keeps what failed.
	if m := Message(err); strings.Contains(m, "damaged") || strings.Contains(m, "authentication") {
		t.Errorf("the refusal's words: %s", m)
	}
	if _, err := owner.Backup(ctx, kc.Sibling, BackupOptions{}); err != nil {
		t.Fatalf("backup to %s: %v", kc.Sibling, err)
	}
	if err := owner.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// (The test vault's owner slot has no name, so a name that is no
	// user's tries the owner's slot: a wrong passphrase.)
	if _, err := openUser(t, dir, "pat", patPass, Options{}); !errors.Is(err, vault.ErrUnknownUser) && !errors.Is(err, ErrWrongCredential) {
		t.Errorf("pat after removal: %v", err)
	}
	s, err := openUser(t, dir, "sam", samPass, Options{})
	if err != nil {
		t.Fatalf("sam after the change: %v", err)
	}
	cs, err := s.ListClients(ctx, ByName)
	if err != nil || len(cs) != 2 {
		t.Errorf("sam's clients: %d %v", len(cs), err)
	}
	s.Close(ctx)
	cred, err := vault.Recovery(string(rk))
	if err != nil {
		t.Fatal(err)
	}
	if rep.NewRecoveryKey != "" {
		cred, _ = vault.Recovery(string(rep.NewRecoveryKey))
	}
	s, err = Open(ctx, dir, cred, Options{Actor: "tester"})
	if err != nil {
		t.Fatalf("the recovery key after the change: %v", err)
	}
	if _, err := s.GetClient(ctx, cid); err != nil {
		t.Error(err)
	}
	s.Close(ctx)
	if _, err := os.Stat(filepath.Join(dir, KeyReposFile)); err != nil {
		t.Errorf("no %s: %v", KeyReposFile, err)
	}
}

func TestSiblingTarget(t *testing.T) {
	d := t.TempDir()
	old := filepath.Join(d, "Backup")
	if got := siblingTarget(old+string(filepath.Separator), pathExists); got != old+" after key change" {
		t.Errorf("sibling %q", got)
	}
	os.Mkdir(old+" after key change", 0o700)
	if got := siblingTarget(old, pathExists); got != old+" after key change 2" {
		t.Errorf("second sibling %q", got)
	}
}
