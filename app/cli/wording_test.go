package cli

import (
	"os"
	"strings"
	"testing"
)

// TestNoHomeNoDefaultVault: with HOME unset, init used to create the vault
// under .local/share/casevault of whatever folder it ran in, silently.
func TestNoHomeNoDefaultVault(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	t.Setenv("HOME", "")
	t.Setenv("XDG_DATA_HOME", "")
	for _, args := range [][]string{
		{"init", "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1"},
		{"client", "list", "--passphrase-stdin"},
	} {
		_, errs, code := run(t, testPass+"\n", args...)
		if code != ExitUsage || !strings.Contains(errs, "HOME is not set") || !strings.Contains(errs, "--vault DIR") {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Errorf("files were created in the current folder: %v", entries)
	}
	// --vault still works.
	initVault(t, cwd+"/vault")
}

// TestFieldMessageReadsAsASentence: "name a client needs a name" was the
// field's key glued in front of its message.
func TestFieldMessageReadsAsASentence(t *testing.T) {
	v := newTV(t)
	_, errs, code := v.do("client", "add", "--name", " ")
	if code != ExitError || errs != "casevault: A client needs a name. Nothing was changed.\n" {
		t.Errorf("exit %d %q", code, errs)
	}
	_, errs, _ = v.do("client", "add", "--name", strings.Repeat("😀", 10001))
	if !strings.Contains(errs, "The name is too long (10,001 characters; at most 10,000)") {
		t.Errorf("%q", errs)
	}
}

// TestNotUTF8PassphraseRefusedAsNotText: init with a passphrase of bytes
// that are not UTF-8 used to say it was "the same character over and over".
func TestNotUTF8PassphraseRefusedAsNotText(t *testing.T) {
	dir := t.TempDir() + "/vault"
	_, errs, code := run(t, strings.Repeat("\xff", 16)+"\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "8", "--kdf-time", "1")
	if code == 0 || !strings.Contains(errs, "not valid text") || strings.Contains(errs, "over and over") {
		t.Errorf("exit %d %q", code, errs)
	}
}
