package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// init --user NAME names the owner: the owner's slot gets that name's tag
// and the owner row that name, so a made-up name is refused instead of
// opening the owner's slot, and the audit trail names the owner. (h7:
// before the fix --user was ignored by init and the vault was made with
// a zero-tag owner called "owner".)
func TestInitUserNamesTheOwner(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "v")
	_, errs, code := run(t, testPass+"\n", "init", "--vault", dir, "--user", "Ann", "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
	if code != 0 {
		t.Fatalf("init --user Ann: exit %d: %s", code, errs)
	}
	_, errs, code = run(t, testPass+"\n", "--vault", dir, "--user", "Mallory", "--passphrase-stdin", "status")
	if code == 0 || !strings.Contains(errs, "Mallory") {
		t.Errorf("a made-up name with the owner's passphrase: exit %d: %s", code, errs)
	}
	out, errs, code := run(t, testPass+"\n", "--vault", dir, "--user", "ann", "--passphrase-stdin", "user", "list")
	if code != 0 {
		t.Fatalf("the owner by name (another case): exit %d: %s", code, errs)
	}
	if strings.Contains(errs, "opened as its owner") {
		t.Errorf("the owner's own name was told it opened as the owner: %s", errs)
	}
	if !strings.Contains(out, "\nAnn ") || strings.Contains(out, "\nowner ") {
		t.Errorf("user list after init --user Ann:\n%s", out)
	}
}
