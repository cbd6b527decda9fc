package app

import (
	"errors"
	"path/filepath"
	"testing"

	"casevault/app/access"
	"casevault/vault"
)

// Every user's passphrase opens a backup's copy of the header, but the
// user's role is in the vault: a repository opened without the vault by a
// user who is not the owner lists and verifies, and refuses to forget,
// prune or restore. (h7: a Paralegal, whose role denies backups, ran
// "casevault --user Pat forget --repo DIR --keep-last 1 --prune" and
// removed the owner's snapshots.) The owner's passphrase still does all.
func TestBackupsOpenedByAUserWithoutTheVault(t *testing.T) {
	owner, dir, _ := testSession(t)
	patPass := addUser(t, owner, dir, "Pat", access.ParalegalRole)
	owner = openTest(t, dir)
	repo := filepath.Join(scratchDir(t), "backup")
	for i := 0; i < 2; i++ {
		if _, err := owner.Backup(ctx, repo, BackupOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := OpenBackups(ctx, repo, vault.Passphrase([]byte(patPass)).ForUser("Pat"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if snaps, _, err := b.Snapshots(ctx); err != nil || len(snaps) != 2 {
		t.Fatalf("Pat lists: %d, %v", len(snaps), err)
	}
	if _, err := b.Forget(ctx, RetentionPolicy{Last: 1}, true); !errors.Is(err, ErrDenied) {
		t.Errorf("Pat forgets and prunes: %v, want ErrDenied", err)
	}
	if _, err := b.Restore(ctx, filepath.Join(scratchDir(t), "r"), RestoreOptions{}); !errors.Is(err, ErrDenied) {
		t.Errorf("Pat restores: %v, want ErrDenied", err)
	}
	if snaps, _, err := b.Snapshots(ctx); err != nil || len(snaps) != 2 {
		t.Fatalf("after the refusals: %d snapshots, %v", len(snaps), err)
	}
	ob, err := OpenBackups(ctx, repo, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	if _, err := ob.Forget(ctx, RetentionPolicy{Last: 1}, true); err != nil {
		t.Errorf("the owner forgets: %v", err)
	}
}
