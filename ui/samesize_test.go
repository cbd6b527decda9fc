package ui

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"casevault/app/cli"
	"casevault/app/human"
)

// The same backup reads the same in the window and on the command line:
// its time and the size it added, as the window's snapshot table shows
// them, are the cells of its row in "casevault snapshots". Both go through
// app/human; a screen that wrote its own format ("1.2 MiB", "1234567
// bytes") would fail here.
func TestSameBackupReadsTheSameInWindowAndCLI(t *testing.T) {
	h := newBackupHarness(t)
	target := t.TempDir()
	h.firstBackup(target)
	b := h.backups()
	if len(b.snaps) == 0 {
		t.Fatal("the window lists no snapshot after a backup")
	}
	var out, errb bytes.Buffer
	env := cli.Env{Stdin: strings.NewReader(testPass + "\n"), Stdout: &out, Stderr: &errb, StdinFD: -1}
	if code := cli.Main(context.Background(), []string{"snapshots", "--repo", target, "--passphrase-stdin"}, env, nil); code != 0 {
		t.Fatalf("casevault snapshots: exit %d: %s", code, errb.String())
	}
	for _, s := range b.snaps {
		var row []string
		for _, line := range strings.Split(out.String(), "\n") {
			// The table's columns are two or more spaces apart; a cell holds single spaces.
			if f := regexp.MustCompile(`\s{2,}`).Split(line, -1); len(f) > 3 && f[0] == s.Short() {
				row = f
			}
		}
		if row == nil {
			t.Fatalf("snapshot %s is not in the command line's list:\n%s", s.Short(), out.String())
		}
		added := snapCell(s, 1)
		if added != human.Size(s.AddedBytes) || !strings.HasSuffix(added, "B") {
			t.Errorf("the window shows %q added for %d bytes", added, s.AddedBytes)
		}
		if row[1] != snapCell(s, 0) || row[2] != added {
			t.Errorf("snapshot %s: the window shows %q, %q added; the command line %q, %q", s.Short(), snapCell(s, 0), added, row[1], row[2])
		}
	}
}
