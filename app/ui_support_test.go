package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var uiTestKDF = KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

func TestUnlockFailuresFile(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	if f := LoadUnlockFailures(dir); f.Count != 0 || f.Wait(now) != 0 {
		t.Fatalf("fresh: %+v", f)
	}
	var f UnlockFailures
	var err error
	for i := 0; i < FreeUnlockAttempts; i++ {
		if f, err = RecordUnlockFailure(dir, now); err != nil {
			t.Fatal(err)
		}
		if f.Wait(now) != 0 {
			t.Fatalf("wait after %d failures = %v", f.Count, f.Wait(now))
		}
	}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second}
	for _, w := range want {
		f, _ = RecordUnlockFailure(dir, now)
		if got := f.Wait(now); got != w {
			t.Errorf("wait after %d failures = %v, want %v", f.Count, got, w)
		}
	}
	// It survives a reload, and counts down with the clock.
	g := LoadUnlockFailures(dir)
	if g.Count != f.Count || !g.Last.Equal(now) {
		t.Fatalf("reloaded %+v, want %+v", g, f)
	}
	if got := g.Wait(now.Add(30 * time.Second)); got != 10*time.Second {
		t.Errorf("wait 30 s later = %v", got)
	}
	// Capped, and a clock set back does not make it endless.
	for i := 0; i < 30; i++ {
		f, _ = RecordUnlockFailure(dir, now)
	}
	if f.Delay() != MaxUnlockDelay {
		t.Errorf("delay after %d = %v", f.Count, f.Delay())
	}
	if got := f.Wait(now.Add(-time.Hour)); got != MaxUnlockDelay {
		t.Errorf("wait with the clock set back = %v", got)
	}
	// The file holds only the count and the time.
	b, _ := os.ReadFile(filepath.Join(dir, UnlockDelayFile))
	if !regexp.MustCompile(`^failures \d+\nlast [0-9TZ:-]+\n$`).Match(b) {
		t.Errorf("file content %q", b)
	}
	if err := ResetUnlockFailures(dir); err != nil {
		t.Fatal(err)
	}
	if LoadUnlockFailures(dir).Count != 0 {
		t.Error("not reset")
	}
	if err := ResetUnlockFailures(dir); err != nil {
		t.Errorf("reset twice: %v", err)
	}
}

func TestSettingsFile(t *testing.T) {
	dir := t.TempDir()
	if s := LoadSettings(dir); s != DefaultSettings() || s.AutoLock != 5*time.Minute || s.ClipboardClear != 30*time.Second {
		t.Fatalf("defaults %+v", s)
	}
	want := Settings{AutoLock: time.Minute, ClipboardClear: time.Minute}
	if err := SaveSettings(dir, want); err != nil {
		t.Fatal(err)
	}
	if got := LoadSettings(dir); got != want {
		t.Errorf("got %+v", got)
	}
	os.WriteFile(filepath.Join(dir, SettingsFile), []byte(`{"auto_lock": -5, "clipboard_clear": 1}`), 0o600)
	if got := LoadSettings(dir); got != DefaultSettings() {
		t.Errorf("bad values kept: %+v", got)
	}
}

func TestValidateField(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ field, value, want string }{
		{"name", "", "needs a name"},
		{"name", "Ann", ""},
		{"email", "x@", "not an e-mail"},
		{"email", "a@example.com", ""},
		{"phone", "call me", "not a phone"},
		{"dob", "1/2/1990", "YYYY-MM-DD"},
		{"dob", "2030-01-01", "future"},
		{"dob", "1990-01-02", ""},
		{"alias", "A\n\nB", ""},
	} {
		got := ValidateField(tc.field, tc.value, now)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("ValidateField(%s, %q) = %q, want %q", tc.field, tc.value, got, tc.want)
		}
	}
}

func TestMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{ErrWrongCredential, "does not open this vault"},
		{ErrLocked, "already open"},
		{&FieldError{"email", "The e-mail address is bad"}, "The e-mail address is bad. Nothing was changed."},
		{ErrHasMatters, "cannot be deleted"},
		{ErrHasDocuments, "Delete or export its documents first"},
	} {
		if got := Message(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("Message(%v) = %q", tc.err, got)
		}
	}
	if _, err := Recovery("abc"); !errors.Is(err, ErrBadRecoveryKey) || !strings.Contains(Message(err), "mistyped") {
		t.Errorf("recovery message: %v", Message(err))
	}
}

func TestDemoAndExport(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "demo")
	if err := Demo(ctx, dir, 60, uiTestKDF, nil); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir, Passphrase([]byte(DemoPassphrase)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	cs, err := s.ListClients(ctx, ByName)
	if err != nil || len(cs) != 60 {
		t.Fatalf("%d clients, %v", len(cs), err)
	}
	ms, _ := s.ListMatters(ctx, 0, "")
	if len(ms) != 20 {
		t.Errorf("%d matters", len(ms))
	}
	nameRE := regexp.MustCompile(`^[A-Z][a-z]+ [A-Z][a-z]+$`)
	for _, c := range cs {
		if !nameRE.MatchString(c.Name) || !strings.HasSuffix(c.Email, "@example.com") || !strings.Contains(c.Phone, " 555 ") {
			t.Fatalf("demo client %+v", c)
		}
	}
	var buf bytes.Buffer
	n, err := s.ExportAuditCSV(ctx, AuditFilter{}, &buf)
	if err != nil || n == 0 {
		t.Fatalf("export: %d, %v", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != n+1 || rows[0][0] != "id" {
		t.Fatalf("csv: %d rows, %v", len(rows), err)
	}
	es, _ := s.AuditList(ctx, AuditFilter{Action: "audit.export"})
	if len(es) != 1 {
		t.Errorf("export not audited: %d", len(es))
	}
	if r, err := s.AuditVerify(ctx); err != nil || !r.OK {
		t.Errorf("chain after demo: %+v %v", r, err)
	}
	// Names are deterministic per seed and never empty.
	r := rand.New(rand.NewPCG(1, 2))
	if DemoName(r) == "" {
		t.Error("empty name")
	}
}

func TestDemoMainUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := DemoMain(context.Background(), nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--vault") {
		t.Errorf("no --vault: code %d, %q", code, errb.String())
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o600)
	errb.Reset()
	if code := DemoMain(context.Background(), []string{"--vault", dir, "--clients", "1"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "other files") {
		t.Errorf("non-empty folder: code %d, %q", code, errb.String())
	}
}
