package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/app"
	"casevault/store"
	"casevault/vault"
)

type checkJSON struct {
	OK     bool   `json:"ok"`
	Advice string `json:"advice"`
	Checks []struct {
		Name, Status, Said, Detail string
	} `json:"checks"`
	ReadOnly bool `json:"read_only"`
	Recorded bool `json:"recorded_in_audit_trail"`
}

func TestCheckCLI(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.ok("client", "add", "--name", "Jane Roe")
	out := v.ok("check")
	for _, want := range []string{"Vault check of " + v.dir + ": no damage found", "ok  Database files: All ", "Database consistency: The database is consistent: 1 client",
		"Audit trail: The audit trail is intact", "Technical details: ", "XChaCha20-Poly1305", "PRAGMA integrity_check"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "DAMAGED") {
		t.Errorf("clean vault:\n%s", out)
	}
	// Global flags before the command, as for the other commands.
	stdout, errs, code := run(t, testPass+"\n", "--json", "--vault", v.dir, "--passphrase-stdin", "check")
	var js checkJSON
	if code != 0 || json.Unmarshal([]byte(stdout), &js) != nil || !js.OK || len(js.Checks) != 6 || !js.Recorded || js.ReadOnly {
		t.Fatalf("check --json: exit %d %+v\n%s\n%s", code, js, stdout, errs)
	}
	if out := v.ok("audit", "list", "--action", "vault.check"); strings.Count(out, "Checked the vault") != 2 || !strings.Contains(out, "passed") {
		t.Fatalf("audit trail:\n%s", out)
	}
	if _, errs, code := v.do("check", "extra"); code != ExitUsage {
		t.Fatalf("check extra: exit %d %s", code, errs)
	}
}

// The manifest's spare copy is not read by an open; the check reads it.
func TestCheckCLIDamagedManifestCopy(t *testing.T) {
	t.Parallel()
	v := newTV(t).checkpointing()
	v.ok("client", "add", "--name", "Jane Roe")
	damage := func() {
		copies, _ := filepath.Glob(filepath.Join(v.dir, vault.ManifestsDir, "*"))
		if len(copies) != 1 {
			t.Fatalf("manifest copies %v", copies)
		}
		b, _ := os.ReadFile(copies[0])
		b[40] ^= 1
		os.WriteFile(copies[0], b, 0o600)
	}
	damage()
	out, errs, code := v.do("check")
	if code != ExitDamaged || !strings.Contains(out, "DAMAGE FOUND") || !strings.Contains(out, "DAMAGED  List of the vault's files") ||
		!strings.Contains(errs, "the vault check found damage") || !strings.Contains(errs, "casevault restore --repo") {
		t.Fatalf("check: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	damage() // this test's commands checkpoint at their close, which writes a new copy
	stdout, _, code := v.do("check", "--json")
	var js checkJSON
	if code != ExitDamaged || json.Unmarshal([]byte(stdout), &js) != nil || js.OK || js.Advice == "" {
		t.Fatalf("check --json: exit %d %+v\n%s", code, js, stdout)
	}
}

// Sealed audit segments are read by no open either: a damaged one is found
// by the check (and by audit verify), exit 4.
func TestCheckCLIDamagedSegment(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	ctx := context.Background()
	s, err := app.Open(ctx, v.dir, vault.Passphrase([]byte(testPass)), app.Options{Store: store.Options{AuditSegment: 16}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 60; i++ {
		if _, err := s.AddClient(ctx, app.ClientInput{Name: ptr(fmt.Sprintf("Client %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(v.dir, vault.ObjectsDir, "audit", "*", "*"))
	if len(segs) == 0 {
		t.Fatal("nothing sealed")
	}
	b, _ := os.ReadFile(segs[0])
	b[len(b)/2] ^= 0x20
	os.WriteFile(segs[0], b, 0o600)
	out, errs, code := v.do("check")
	if code != ExitDamaged || !strings.Contains(out, "DAMAGED  Sealed audit trail") || !strings.Contains(out, "DAMAGED  Audit trail") ||
		!strings.Contains(out, "ok       Database files") {
		t.Fatalf("check: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}

// A damaged vault opened read-only (salvage) is checked too: exit 4, the
// damaged log named, nothing recorded or changed, repair suggested.
func TestCheckCLIReadOnly(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	logPath := addInLog(t, v.dir, "A", "B", "C", "D", "E", "F", "G", "H")
	b, _ := os.ReadFile(logPath)
	b[len(b)-150] ^= 0x20
	os.WriteFile(logPath, b, 0o600)
	before := folderBytes(t, v.dir)
	out, errs, code := v.do("check", "--read-only")
	if code != ExitDamaged || !strings.Contains(out, "DAMAGED  Recent changes") || !strings.Contains(out, "Not recorded in the audit trail") ||
		!strings.Contains(errs, "casevault repair --vault "+quoteArg(v.dir)) || !strings.Contains(errs, "--read-only --vault") {
		t.Fatalf("check --read-only: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	after := folderBytes(t, v.dir)
	delete(before, vault.LockFile)
	delete(after, vault.LockFile)
	if !equalMaps(before, after) {
		t.Fatal("a read-only check changed the folder")
	}
}
func ptr[T any](v T) *T { return &v }
