package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"casevault/app"
	"casevault/store"
	"casevault/vault/testkit"
)

// Issue 8, item 3, in the window: a vault whose log of recent changes is
// damaged used to leave only "restore from a backup". The unlock screen now
// explains and offers Open read-only (a read-only session with a warning on
// every screen) and Repair… (which keeps what is intact and lets the vault
// open again).
func TestUnlockDamagedLogOffersSalvage(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{Store: store.Options{CheckpointBytes: -1, NoCloseCheckpoint: true}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		n := fmt.Sprintf("Salvaged Client %d", i)
		if _, err := s.AddClient(ctx, app.ClientInput{Name: &n}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil { // no checkpoint: the clients stay in the log
		t.Fatal(err)
	}
	logs, _ := filepath.Glob(filepath.Join(h.dir, "log", "*.log"))
	if len(logs) != 1 {
		t.Fatalf("logs: %v", logs)
	}
	b, _ := os.ReadFile(logs[0])
	b[len(b)*2/3] ^= 1 // inside a record two thirds in: the clients after it are not readable
	if err := os.WriteFile(logs[0], b, 0o600); err != nil {
		t.Fatal(err)
	}

	h.unlock(testPass)
	cv := h.u.w.Canvas()
	if h.u.sess != nil || !contains(cv, "Open read-only") || !contains(cv, "never deleted") {
		t.Fatalf("damaged vault: no salvage offered; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Open read-only"))
	h.u.wait()
	if h.u.sess == nil || !h.u.sess.ReadOnly() {
		t.Fatalf("Open read-only did not open; texts %q", texts(cv))
	}
	if !contains(cv, "Read-only: this vault is damaged") {
		t.Fatalf("no read-only warning; texts %q", texts(cv))
	}
	if !contains(cv, "open read-only: nothing can be changed") {
		t.Fatalf("no notice of what was left out; texts %q", texts(cv))
	}
	clients, err := h.u.sess.ListClients(ctx, app.ByName)
	if err != nil || len(clients) == 0 || len(clients) == 8 {
		t.Fatalf("read-only session lists %d clients, %v", len(clients), err)
	}
	kept := len(clients)

	h.u.lockNow("")
	h.u.wait()
	h.unlock(testPass)
	test.Tap(button(t, cv, "Repair…"))
	test.Tap(button(t, cv, "Yes"))
	h.u.wait()
	if !contains(cv, "The vault was repaired") || !contains(cv, "quarantine") {
		t.Fatalf("no repair report; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "OK"))
	h.unlocked()
	if h.u.sess.ReadOnly() {
		t.Fatal("the repaired vault opened read-only")
	}
	clients, err = h.u.sess.ListClients(ctx, app.ByName)
	if err != nil || len(clients) != kept {
		t.Fatalf("after repair: %d clients (read-only showed %d), %v", len(clients), kept, err)
	}
	if q, _ := filepath.Glob(filepath.Join(h.dir, "quarantine", "*", "log", "*.log")); len(q) != 1 {
		t.Fatalf("quarantined log: %v", q)
	}
}

// A folder that mixes two versions of the vault (an older copy copied over
// it): the unlock screen offers Repair… (not Open read-only), which brings
// the newest version back.
func TestUnlockMixedVersionsOffersRepair(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	add := func(name string) {
		s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddClient(ctx, app.ClientInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	add("Older Client")
	old := filepath.Join(t.TempDir(), "old")
	testkit.CopyTree(t, h.dir, old)
	add("Newer Client")
	testkit.CopyTree(t, old, h.dir)

	h.unlock(testPass)
	cv := h.u.w.Canvas()
	if h.u.sess != nil || !contains(cv, "two versions") || !contains(cv, "Repair…") || contains(cv, "Open read-only") {
		t.Fatalf("mixed folder: texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "Repair…"))
	test.Tap(button(t, cv, "Yes"))
	h.u.wait()
	if !contains(cv, "newest version") {
		t.Fatalf("no repair report; texts %q", texts(cv))
	}
	test.Tap(button(t, cv, "OK"))
	h.unlocked()
	clients, err := h.u.sess.ListClients(ctx, app.ByName)
	if err != nil || len(clients) != 2 {
		t.Fatalf("after repair: %d clients, %v", len(clients), err)
	}
}

// A torn last record dropped at unlock is shown in the window.
func TestUnlockShowsDroppedTornRecord(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	s, err := app.Open(ctx, h.dir, app.Passphrase([]byte(testPass)), app.Options{Store: store.Options{CheckpointBytes: -1, NoCloseCheckpoint: true}})
	if err != nil {
		t.Fatal(err)
	}
	n := "Torn Client"
	if _, err := s.AddClient(ctx, app.ClientInput{Name: &n}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	logs, _ := filepath.Glob(filepath.Join(h.dir, "log", "*.log"))
	if len(logs) != 1 {
		t.Fatalf("logs: %v", logs)
	}
	fi, _ := os.Stat(logs[0])
	if err := os.Truncate(logs[0], fi.Size()-3); err != nil { // inside the last record (the lock's audit entry)
		t.Fatal(err)
	}
	h.unlocked()
	if cv := h.u.w.Canvas(); !contains(cv, "was stopped while it was saving a change") {
		t.Fatalf("no notice of the dropped record; texts %q", texts(cv))
	}
}
