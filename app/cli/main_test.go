package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mainRun runs Main in-process with a window that records its folder.
func mainRun(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int, window []string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, StdinFD: -1}
	code = Main(context.Background(), args, env, func(dir string) error {
		window = append(window, dir)
		return nil
	})
	return out.String(), errb.String(), code, window
}

// TestMainWindowOrCommand: Main opens the window for no arguments or only
// --vault DIR, and runs a command otherwise.
func TestMainWindowOrCommand(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		window string // "-" = no window
		code   int
	}{
		{nil, "", ExitOK},
		{[]string{"--vault", "/x"}, "/x", ExitOK},
		{[]string{"--vault=/y"}, "/y", ExitOK},
		{[]string{"-vault", "/z"}, "/z", ExitOK},
		{[]string{"--vault"}, "-", ExitUsage},
		{[]string{"--vault", ""}, "-", ExitUsage},
		{[]string{"--json"}, "-", ExitUsage},
		{[]string{"--vault", "/x", "--recovery"}, "-", ExitUsage},
		{[]string{"--version"}, "-", ExitOK},
		{[]string{"--vault", "/x", "--help"}, "-", ExitOK},
		{[]string{"--repo", "/x", "snapshots"}, "-", ExitUsage},
		{[]string{"--json=maybe", "status"}, "-", ExitUsage},
	} {
		_, errs, code, win := mainRun(t, "", tc.args...)
		opened := "-"
		if len(win) == 1 {
			opened = win[0]
		}
		if opened != tc.window || code != tc.code || len(win) > 1 {
			t.Errorf("Main(%q): window %q, exit %d (stderr %q); want window %q, exit %d", tc.args, opened, code, errs, tc.window, tc.code)
		}
		if code == ExitUsage && (!strings.Contains(errs, "casevault: ") || !strings.Contains(errs, "--help")) {
			t.Errorf("Main(%q): usage error without words: %q", tc.args, errs)
		}
	}
	// The example it gives keeps the folder.
	if _, errs, _, _ := mainRun(t, "", "--vault", "/x y", "--recovery"); !strings.Contains(errs, `for example: casevault --vault "/x y" --recovery client list.`) {
		t.Errorf("flags without a command: %q", errs)
	}
	if _, errs, _, _ := mainRun(t, "", "--repo", "/x", "snapshots"); !strings.Contains(errs, "after") {
		t.Errorf("an unknown flag before the command does not say where it goes: %q", errs)
	}
}

func TestMainWindowError(t *testing.T) {
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, StdinFD: -1}
	code := Main(context.Background(), nil, env, func(string) error { return errors.New("no display") })
	if code != ExitError || !strings.Contains(errb.String(), "no display") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// TestGlobalFlagsBeforeCommand: the flags every command takes work before
// the command (issue 8, item 19: "casevault --vault DIR client list" said
// unknown command "--vault"), and the same flags after it win.
func TestGlobalFlagsBeforeCommand(t *testing.T) {
	v := newTV(t)
	v.id("client", "add", "--name", "Alice Example")

	out, errs, code, win := mainRun(t, testPass+"\n", "--vault", v.dir, "--passphrase-stdin", "client", "list")
	if code != ExitOK || len(win) != 0 || !strings.Contains(out, "Alice Example") {
		t.Fatalf("--vault DIR --passphrase-stdin client list: exit %d, window %v\nstdout: %s\nstderr: %s", code, win, out, errs)
	}

	out, errs, code, _ = mainRun(t, testPass+"\n", "--vault="+v.dir, "--json", "--passphrase-stdin", "client", "list")
	var list []map[string]any
	if code != ExitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 {
		t.Fatalf("--vault=DIR --json client list: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}

	// After the command, the same flag overrides the one before it.
	out, errs, code, _ = mainRun(t, testPass+"\n", "--vault", filepath.Join(t.TempDir(), "none"), "--json", "client", "list", "--vault", v.dir, "--json=false", "--passphrase-stdin")
	if code != ExitOK || strings.HasPrefix(strings.TrimSpace(out), "[") || !strings.Contains(out, "Alice Example") {
		t.Fatalf("flags after the command do not override: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}

	// Recovery before the command.
	out, errs, code = run(t, v.rk+"\n", "--recovery", "--passphrase-stdin", "--vault", v.dir, "status")
	if code != ExitOK || !strings.Contains(out, v.dir) {
		t.Fatalf("--recovery --passphrase-stdin --vault DIR status: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}

	// demo takes its folder from a --vault before it.
	demo := filepath.Join(t.TempDir(), "demo")
	out, errs, code, _ = mainRun(t, "", "--vault", demo, "demo", "--clients", "1")
	if code != ExitOK || !strings.Contains(out, demo) {
		t.Fatalf("--vault DIR demo: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// TestProcessGlobalFlags runs the real binary: main.go hands all of argv
// to cli.Main.
func TestProcessGlobalFlags(t *testing.T) {
	sb := newSandbox(t)
	sb.ok(testPass+"\n", "init", "--kdf-memory", "8", "--kdf-time", "1")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := sb.command(ctx, testPass+"\n", "--vault", sb.vault, "--passphrase-stdin", "client", "list")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("casevault --vault DIR --passphrase-stdin client list: %v\nstdout: %s\nstderr: %s", err, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "No clients yet") {
		t.Fatalf("casevault --vault DIR --passphrase-stdin client list printed %q", out.String())
	}
}

// TestMainVaultWithoutFolder: "casevault --vault status" (the folder
// forgotten) opened the window on a vault folder named "status" under
// wherever the command ran, ready to create a new vault there, and
// "casevault --vault client list" said unknown command "list". A command
// name given as --vault's folder, where no such folder exists, is now
// refused with what is missing.
func TestMainVaultWithoutFolder(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		args []string
		cmd  string
	}{
		{[]string{"--vault", "status"}, "status"},
		{[]string{"--vault", "client", "list"}, "client list"},
		{[]string{"--json", "--vault", "backup", "--repo", "/r"}, "backup --repo /r"},
	} {
		_, errs, code, win := mainRun(t, "", tc.args...)
		if len(win) != 0 || code != ExitUsage || !strings.Contains(errs, "is a command, not a folder") || !strings.Contains(errs, "casevault --vault DIR "+tc.cmd) {
			t.Errorf("Main(%q): window %q, exit %d, %q", tc.args, win, code, errs)
		}
	}
	// A folder that is there with such a name is a folder.
	if err := os.Mkdir("status", 0o700); err != nil {
		t.Fatal(err)
	}
	if _, errs, code, win := mainRun(t, "", "--vault", "status"); code != ExitOK || len(win) != 1 {
		t.Errorf("--vault status with a folder status: exit %d %q", code, errs)
	}
}
