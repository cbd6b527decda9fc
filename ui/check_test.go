package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"casevault/app"
	"casevault/store"
	"casevault/vault"
)

// settingsScreen shows Settings, where Check this vault… is.
func (h *harness) settingsScreen() *settingsScreen {
	h.t.Helper()
	h.u.main.show(navSettings)
	h.u.wait()
	return h.u.main.settings
}

func TestCheckVaultPasses(t *testing.T) {
	h := newBackupHarness(t)
	st := h.settingsScreen()
	test.Tap(button(t, h.u.w.Canvas(), "Check this vault…"))
	h.u.wait()
	if st.report == nil || !st.report.OK {
		t.Fatalf("report %+v; texts %q", st.report, texts(h.u.w.Canvas()))
	}
	// The count of pieces grows with the schema (3 since schema 3).
	if !contains(h.u.w.Canvas(), "pieces of the database read back intact.") || !contains(h.u.w.Canvas(), "All ") {
		t.Errorf("the result lacks the database pieces read back; texts %q", texts(h.u.w.Canvas()))
	}
	for _, want := range []string{"Vault check passed", "No damage found", "Database files",
		"Audit trail", "Technical details", "It is recorded in the audit trail."} {
		if !contains(h.u.w.Canvas(), want) {
			t.Errorf("the result lacks %q; texts %q", want, texts(h.u.w.Canvas()))
		}
	}
	if contains(h.u.w.Canvas(), "Restore a backup…") {
		t.Error("a passed check offers a restore")
	}
	// Plain words; the technical ones only under Technical details (folded).
	shown := strings.ToLower(strings.Join(visibleTexts(h.u.w.Canvas().Overlays().Top()), "\n"))
	for _, tech := range []string{"integrity_check", "redo log", "hmac", "manifest", "checkpoint", "pragma", "sqlite"} {
		if strings.Contains(shown, tech) {
			t.Errorf("the report says %q outside Technical details", tech)
		}
	}
	escape(h.u) // Escape closes it, as Close does
	h.u.wait()
	if len(h.u.w.Canvas().Overlays().List()) != 0 {
		t.Fatal("the result stayed open")
	}
	if !strings.Contains(st.checkMsg.Text, "no damage found") {
		t.Fatalf("settings say %q", st.checkMsg.Text)
	}
}

// Damage the open does not read (the manifest's spare copy): the result
// says so in words and leads to Restore a backup…, which opens the Backups
// screen's restore (here: no backup yet, so it says to make one).
func TestCheckVaultFindsDamage(t *testing.T) {
	h := newBackupHarness(t)
	copies, _ := filepath.Glob(filepath.Join(h.dir, vault.ManifestsDir, "*"))
	if len(copies) != 1 {
		t.Fatalf("manifest copies %v", copies)
	}
	b, _ := os.ReadFile(copies[0])
	b[40] ^= 1
	os.WriteFile(copies[0], b, 0o600)
	st := h.settingsScreen()
	test.Tap(button(t, h.u.w.Canvas(), "Check this vault…"))
	h.u.wait()
	if st.report == nil || st.report.OK {
		t.Fatalf("report %+v", st.report)
	}
	for _, want := range []string{"Vault check found DAMAGE", "spare copy of the list of the database's pieces is damaged", "Keep this vault folder as it is"} {
		if !contains(h.u.w.Canvas(), want) {
			t.Errorf("the result lacks %q; texts %q", want, texts(h.u.w.Canvas()))
		}
	}
	if !strings.Contains(st.checkMsg.Text, "DAMAGE FOUND") {
		t.Errorf("settings say %q", st.checkMsg.Text)
	}
	test.Tap(button(t, h.u.w.Canvas(), "Restore a backup…"))
	h.u.wait()
	if h.u.main.showing != navBackups || !contains(h.u.w.Canvas(), "Choose a backup drive or folder and back up first.") {
		t.Fatalf("Restore a backup… led to %d; texts %q", h.u.main.showing, texts(h.u.w.Canvas()))
	}
}

// A read-only (salvage) session is checked too; its damaged log leads to
// Lock, to repair…, and the unlock screen then offers Repair….
func TestCheckVaultReadOnly(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{Store: store.Options{CheckpointBytes: -1, NoCloseCheckpoint: true}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		n := fmt.Sprintf("Logged Client %d", i)
		if _, err := s.AddClient(ctx, app.ClientInput{Name: &n}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	logs, _ := filepath.Glob(filepath.Join(h.dir, "log", "*.log"))
	if len(logs) != 1 {
		t.Fatalf("logs: %v", logs)
	}
	b, _ := os.ReadFile(logs[0])
	b[len(b)*2/3] ^= 1
	os.WriteFile(logs[0], b, 0o600)
	h.unlock(testPass)
	cv := h.u.w.Canvas()
	test.Tap(button(t, cv, "Open read-only"))
	h.u.wait()
	if h.u.sess == nil || !h.u.sess.ReadOnly() {
		t.Fatalf("not open read-only; texts %q", texts(cv))
	}
	st := h.settingsScreen()
	test.Tap(button(t, cv, "Check this vault…"))
	h.u.wait()
	if st.report == nil || st.report.OK || !st.report.ReadOnly || st.report.Recorded {
		t.Fatalf("report %+v", st.report)
	}
	if !contains(cv, "The log of changes since the last save is damaged.") || contains(cv, "It is recorded in the audit trail.") {
		t.Fatalf("texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Lock, to repair…"))
	h.u.wait()
	if h.u.sess != nil {
		t.Fatal("still unlocked")
	}
	h.unlock(testPass)
	if !contains(cv, "Repair…") {
		t.Fatalf("no Repair… after locking; texts %q", texts(cv))
	}
}

// TestLockWithMissingSegmentLeadsToCheck: with a sealed audit segment
// deleted, the vault opens and works, but its lock cannot checkpoint. The
// unlock screen says so in the window's words (no command to type) and
// offers Unlock and check…, which unlocks and checks the vault: the result
// names the damaged part and offers Restore a backup….
func TestLockWithMissingSegmentLeadsToCheck(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	vt, err := vault.Open(h.dir, vault.Passphrase([]byte(testPass)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, vt, store.Options{AuditSegment: 16})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := app.BulkAudit(ctx, vt, st, 100, 0, func(i int) app.BulkAuditEntry {
		return app.BulkAuditEntry{At: at.Add(time.Duration(i) * time.Minute), Actor: "t", Action: "client.view", Records: "client:1"}
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(ctx); err != nil { // seals
		t.Fatal(err)
	}
	vt.Close()
	segs, _ := filepath.Glob(filepath.Join(h.dir, vault.ObjectsDir, "audit", "*", "*"))
	if len(segs) < 2 {
		t.Fatalf("sealed segments: %v", segs)
	}
	if err := os.Remove(segs[0]); err != nil {
		t.Fatal(err)
	}
	cv := h.u.w.Canvas()
	if contains(cv, "Unlock and check…") && h.u.unlock.checkB.Visible() {
		t.Fatal("Unlock and check… offered before any lock failed")
	}
	h.unlocked()
	h.addClient("Still Saved")
	h.u.lockNow("")
	h.u.wait()
	us := h.u.unlock
	info := us.info.Text
	if !us.info.Visible() || !strings.Contains(info, "part of the vault is damaged") || !strings.Contains(info, "Nothing is lost") ||
		!strings.Contains(info, "Unlock and check…") || strings.Contains(info, "casevault repair") || strings.Contains(info, "run casevault") {
		t.Fatalf("the lock's notice: visible %v, %q", us.info.Visible(), info)
	}
	if !us.checkB.Visible() {
		t.Fatal("the notice offers no Unlock and check…")
	}
	test.Type(us.pass, testPass)
	test.Tap(button(t, cv, "Unlock and check…"))
	h.u.wait()
	if h.u.sess == nil || h.u.main == nil || h.u.main.showing != navSettings {
		t.Fatalf("not unlocked into Settings; texts %q", texts(cv))
	}
	rep := h.u.main.settings.report
	if rep == nil || rep.OK {
		t.Fatalf("report %+v; texts %q", rep, texts(cv))
	}
	rel, _ := filepath.Rel(h.dir, segs[0])
	for _, want := range []string{"Vault check found DAMAGE", "of the audit trail is damaged", rel, "Restore a backup…"} {
		if !contains(cv, want) {
			t.Errorf("the result lacks %q; texts %q", want, texts(cv))
		}
	}
	test.Tap(button(t, cv, "Restore a backup…"))
	h.u.wait()
	if h.u.main.showing != navBackups {
		t.Fatalf("Restore a backup… led to %d", h.u.main.showing)
	}
}
