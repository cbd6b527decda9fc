package app

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"casevault/store"
	"casevault/vault"
)

// A failed Init must not leave a vault behind: its recovery key was never
// shown, and a second init in the same folder would be refused.
func TestInitFailureLeavesNoVault(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(scratchDir(t), "vault")
	boom := errors.New("checkpoint meta failed")
	bad := store.Options{Meta: func(*store.Tx) (json.RawMessage, error) { return nil, boom }}
	rk, err := Init(ctx, dir, []byte(testPass), InitOptions{KDF: testKDF, Store: bad})
	if err == nil {
		t.Fatal("Init succeeded although every checkpoint fails")
	}
	if rk != "" {
		t.Fatalf("Init failed but returned a recovery key")
	}
	if vault.Exists(dir) || vault.HalfMade(dir) {
		t.Fatal("a failed Init left a vault whose recovery key nobody has seen")
	}
	if _, err := Init(ctx, dir, []byte(testPass), InitOptions{KDF: testKDF}); err != nil {
		t.Fatalf("Init again after a failed Init: %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// An export is recorded in the audit trail even when writing it fails part
// way: some client data may already be in the file.
func TestExportRecordedEvenWhenWriteFails(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	if _, err := s.ExportAuditCSV(ctx, store.AuditFilter{}, failingWriter{}); err == nil {
		t.Fatal("export to a failing writer succeeded")
	}
	if e := lastAudit(t, s); e.Action != "audit.export" || !strings.Contains(e.Detail, "CSV") {
		t.Fatalf("last audit entry %q %q, want the export", e.Action, e.Detail)
	}
}
