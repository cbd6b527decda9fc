package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"casevault/app"
)

// backupOf makes a vault with the canary client, backs it up to a new
// folder through the Backups screen, and returns that folder.
func backupOf(t *testing.T) string {
	t.Helper()
	h := newBackupHarness(t)
	h.addClient(canary)
	target := filepath.Join(t.TempDir(), "usb")
	h.firstBackup(target)
	return target
}

// restoreScreenOf taps "Restore from a backup…" on the screen shown.
func restoreScreenOf(t *testing.T, h *harness) *restoreScreen {
	t.Helper()
	test.Tap(button(t, h.u.w.Canvas(), RestoreButtonLabel))
	r := h.u.restore
	if r == nil || h.u.unlock != nil || h.u.setup != nil {
		t.Fatalf("no restore screen; texts %q", texts(h.u.w.Canvas()))
	}
	return r
}

// TestRestoreOnNewLaptop: the first-run screen restores the vault from a
// backup into the default vault folder, then unlocks it (issue 8, item 18).
func TestRestoreOnNewLaptop(t *testing.T) {
	target := backupOf(t)
	h := newHarness(t, false) // a new laptop: no vault
	if h.u.setup == nil {
		t.Fatal("not on the first-run screen")
	}
	r := restoreScreenOf(t, h)
	cv := h.u.w.Canvas()

	// No folder, then a folder that holds no backup, then a wrong passphrase.
	test.Type(r.cred.pass, testPass)
	test.Tap(r.openB)
	if !strings.Contains(r.errMsg.Text, "backup folder first") {
		t.Fatalf("no folder: %q", r.errMsg.Text)
	}
	r.repo.SetText(t.TempDir())
	test.Tap(r.openB)
	h.u.wait()
	if !strings.Contains(r.errMsg.Text, "There is no casevault backup in") || r.step2.Visible() {
		t.Fatalf("not a backup: %q", r.errMsg.Text)
	}
	r.repo.SetText(target)
	test.Type(r.cred.pass, "not the passphrase")
	test.Tap(r.openB)
	h.u.wait()
	if !strings.Contains(r.errMsg.Text, "does not open this backup") || r.step2.Visible() || r.bk != nil {
		t.Fatalf("wrong passphrase: %q", r.errMsg.Text)
	}

	test.Type(r.cred.pass, testPass)
	r.cred.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter opens the backup
	h.u.wait()
	if !r.step2.Visible() || r.bk == nil || len(r.snaps) != 1 || !strings.Contains(r.snapSel.Selected, "(latest)") || !strings.Contains(r.snapSel.Selected, "1 client") {
		t.Fatalf("snapshots not listed: %q; texts %q", r.errMsg.Text, texts(cv))
	}
	if got := filepath.Join(r.parent, r.name.Text); got != h.dir {
		t.Fatalf("default destination = %q, want the vault folder %q", got, h.dir)
	}
	test.Tap(r.runB)
	h.u.wait()
	if r.result == nil || h.u.unlock == nil || h.u.restore != nil || r.bk != nil {
		t.Fatalf("after the restore: result %v, error %q; texts %q", r.result, r.errMsg.Text, texts(cv))
	}
	if info := h.u.unlock.info.Text; !strings.Contains(info, "Restored the backup") || strings.Contains(info, "--vault") {
		t.Errorf("unlock message = %q", info)
	}
	h.unlocked()
	h.u.wait()
	if cs := h.u.main.clients.all; len(cs) != 1 || cs[0].Name != canary {
		t.Fatalf("restored clients = %v", cs)
	}
}

// TestRestoreFromUnlockScreen: with a vault in the folder, the restore goes
// to a new folder beside it, never into it, and the window moves to it;
// Back returns to the unlock screen.
func TestRestoreFromUnlockScreen(t *testing.T) {
	target := backupOf(t)
	h := newHarness(t, true)
	r := restoreScreenOf(t, h)
	test.Tap(r.backB)
	if h.u.unlock == nil || h.u.restore != nil {
		t.Fatal("Back does not return to the unlock screen")
	}
	r = restoreScreenOf(t, h)
	r.repo.SetText(target)
	test.Type(r.cred.pass, testPass)
	test.Tap(r.openB)
	h.u.wait()
	if !r.step2.Visible() || !strings.HasPrefix(r.name.Text, "casevault-restored-") {
		t.Fatalf("step 2: %q, name %q", r.errMsg.Text, r.name.Text)
	}
	// Left idle as long as the auto-lock time, the opened backup is closed.
	h.clock.Add(h.u.set.AutoLock)
	h.u.tick()
	if r.bk != nil || r.step2.Visible() || !strings.Contains(r.errMsg.Text, "without activity") {
		t.Fatalf("idle: backup still open %v, message %q", r.bk != nil, r.errMsg.Text)
	}
	test.Type(r.cred.pass, testPass)
	test.Tap(r.openB)
	h.u.wait()
	if !r.step2.Visible() {
		t.Fatalf("reopened: %q", r.errMsg.Text)
	}
	// Not into the vault's folder.
	r.name.SetText(filepath.Base(h.dir))
	test.Tap(r.runB)
	h.u.wait()
	if r.result != nil || !strings.Contains(r.errMsg.Text, "own folder") {
		t.Fatalf("restore into the vault: %q", r.errMsg.Text)
	}
	old := h.dir
	r.name.SetText("restored")
	test.Tap(r.runB)
	h.u.wait()
	dest := filepath.Join(filepath.Dir(old), "restored")
	if r.result == nil || h.u.unlock == nil || h.u.opts.Dir != dest {
		t.Fatalf("after the restore: dir %q, error %q", h.u.opts.Dir, r.errMsg.Text)
	}
	if info := h.u.unlock.info.Text; !strings.Contains(info, "casevault --vault "+dest) {
		t.Errorf("unlock message = %q", info)
	}
	if !contains(h.u.w.Canvas(), "Vault folder: "+dest) {
		t.Errorf("the unlock screen does not name the restored folder; texts %q", texts(h.u.w.Canvas()))
	}
	s, err := app.Open(context.Background(), dest, app.Passphrase([]byte(testPass)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close(context.Background())
	if _, err := os.Stat(filepath.Join(old, "restored")); err == nil {
		t.Error("restored inside the old vault")
	}
}
