package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casevault/app"
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

// Every command a message suggests must work as printed. With a vault
// given by --vault (not the default folder), the suggested commands used to
// leave --vault out, so running them as printed worked on the default
// vault (or found none): after `client list` on an empty vault, after an
// unknown id, after a conflict check, and after a repair ("Back it up now").
func TestSuggestedCommandsNameTheVault(t *testing.T) {
	t.Parallel()
	v := newTV(t).checkpointing() // the repair below needs two versions of the manifest
	flag := "--vault " + quoteArg(v.dir)
	if out := v.ok("client", "list"); !strings.Contains(out, "casevault client add "+flag) {
		t.Errorf("empty client list suggests a command without %s:\n%s", flag, out)
	}
	if _, errs, _ := v.do("client", "show", "99"); !strings.Contains(errs, "casevault client list "+flag) {
		t.Errorf("unknown id suggests a command without %s:\n%s", flag, errs)
	}
	v.id("client", "add", "--name", "Ada Roe")
	if out := v.ok("conflicts", "Ada Roe"); !strings.Contains(out, "casevault conflicts decide 1 "+flag) {
		t.Errorf("conflict check suggests a command without %s:\n%s", flag, out)
	}
	old := copyTV(t, v)
	v.id("client", "add", "--name", "Bea New")
	copyOver(t, old.dir, v.dir)
	if out := v.ok("repair"); !strings.Contains(out, "casevault backup "+flag+" --repo") {
		t.Errorf("repair suggests a backup without %s:\n%s", flag, out)
	}
	if out := v.ok("backup", "--repo", filepath.Join(t.TempDir(), "repo")); !strings.Contains(out, "casevault backup "+flag+" --repo FOLDER-ON-THE-USB-DRIVE") {
		t.Errorf("backup on the system disk suggests a backup without %s:\n%q", flag, out)
	}
	// The default vault needs no --vault.
	r := &runner{vault: app.DefaultDir()}
	if got := r.vaultFlag(); got != "" {
		t.Errorf("vaultFlag for the default vault = %q, want empty", got)
	}
}

// TestFlagMistakesInWords: an unknown flag said "flag provided but not
// defined: -bogus", and a word for a 64-bit number flag (--kdf-memory 64MiB)
// "invalid value ... parse error".
func TestFlagMistakesInWords(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	_, errs, code := v.do("client", "list", "--bogus")
	if code != ExitUsage || !strings.Contains(errs, `there is no --bogus flag for "casevault client list"`) || !strings.Contains(errs, `"casevault client list --help"`) ||
		strings.Contains(errs, "flag provided but not defined") {
		t.Errorf("unknown flag: exit %d\n%s", code, errs)
	}
	dir := filepath.Join(t.TempDir(), "v")
	_, errs, code = run(t, testPass+"\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "64MiB")
	if code != ExitUsage || !strings.Contains(errs, `--kdf-memory needs a whole number (for example --kdf-memory 256), not "64MiB"`) || strings.Contains(errs, "parse error") {
		t.Errorf("--kdf-memory 64MiB: exit %d\n%s", code, errs)
	}
}
