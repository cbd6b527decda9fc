package cli

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"casevault/app"
	"casevault/store"
	"casevault/vault"
)

// TestMissingSegment: with a sealed audit segment deleted from the vault
// folder, a command still works and its lock warns that the vault cannot
// be compacted until the damaged part is put back, naming the repair for
// this vault; the repair names the file, says how to put it back and
// changes nothing (exit 4).
func TestMissingSegment(t *testing.T) {
	t.Parallel()
	v := newTV(t).checkpointing()
	ctx := context.Background()
	vt, err := vault.Open(v.dir, vault.Passphrase([]byte(testPass)))
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
	segs := objectFiles(t, v.dir)
	var seg string
	for _, f := range segs {
		if strings.Contains(f, "/audit/") {
			seg = f
		}
	}
	if seg == "" {
		t.Fatalf("no sealed segment among %v", segs)
	}
	if err := os.Remove(seg); err != nil {
		t.Fatal(err)
	}
	_, errs, code := v.do("client", "add", "--name", "Still Saved")
	if code != 0 || !strings.Contains(errs, "cannot be compacted until the damaged part is put back") ||
		!strings.Contains(errs, "casevault repair --vault "+quoteArg(v.dir)) {
		t.Fatalf("client add: exit %d, %s", code, errs)
	}
	out, errs, code := v.do("repair")
	rel := mustRel(t, v.dir, seg)
	if code != ExitDamaged || strings.Contains(out, "Nothing needed repair") || !strings.Contains(errs, rel) || !strings.Contains(errs, "Nothing was changed") {
		t.Fatalf("repair: exit %d\n%s\n%s", code, out, errs)
	}
	if out := v.ok("client", "list"); !strings.Contains(out, "Still Saved") {
		t.Fatalf("client list:\n%s", out)
	}
}
