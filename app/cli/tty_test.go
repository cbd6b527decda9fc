package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"casevault/vault/testkit"
)

// TestFieldFromStdinPassphraseAtTerminal: with --text-file - the note comes
// from a pipe on standard input (never in the command line), and the
// passphrase is asked at the terminal (/dev/tty). script(1) gives the
// process a terminal of its own.
func TestFieldFromStdinPassphraseAtTerminal(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("uses util-linux script(1) for a terminal")
	}
	script, err := exec.LookPath("script")
	if err != nil {
		testkit.SkipUnlessCI(t, "script (util-linux) is not installed: no terminal to type the passphrase in")
	}
	sb := newSandbox(t)
	p := testPass + "\n"
	if _, _, code := sb.run(p, "init", "--kdf-memory", "8", "--kdf-time", "1"); code != 0 {
		t.Fatalf("init: exit %d", code)
	}
	sb.ok(p, "client", "add", "--name", "Jane Roe")
	sb.ok(p, "matter", "add", "--client", "1", "--title", "Estate")

	note := "Settlement offer: 40,000.\nShe agrees."
	shell := "printf '" + strings.ReplaceAll(note, "\n", `\n`) + "\\n' | '" + sb.bin + "' note add --vault '" + sb.vault + "' --matter 1 --text-file -"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-qec", shell, "/dev/null")
	cmd.Env, cmd.Dir = sb.env(), sb.tmp
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte(testPass + "\r")) // typed at the terminal
	if err := cmd.Wait(); err != nil {
		t.Fatalf("note add --text-file - at a terminal: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Passphrase:") {
		t.Errorf("the passphrase was not asked at the terminal:\n%s", out.String())
	}
	var m matterJSON
	if err := json.Unmarshal([]byte(sb.ok(p, "matter", "show", "1", "--json")), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Notes) != 1 || m.Notes[0].Text != note {
		t.Errorf("notes %+v, want one with %q", m.Notes, note)
	}
}
