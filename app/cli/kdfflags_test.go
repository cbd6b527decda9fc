package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKDFFlagBounds: --kdf-memory and --kdf-time are checked in 64-bit
// arithmetic against the bounds every header is held to, before anything
// is asked or made: 4194312 MiB used to wrap around to 8 MiB (without the
// weak-KDF warning), 4194304 to 0.
func TestKDFFlagBounds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--kdf-memory", "4194312", "--kdf-time", "1"}, "above the limit of 1024 MiB"},
		{[]string{"--kdf-memory", "4194304"}, "above the limit of 1024 MiB"},
		{[]string{"--kdf-memory", "1025"}, "above the limit of 1024 MiB"},
		{[]string{"--kdf-memory", "18014398509481984"}, "above the limit of 1024 MiB"},
		{[]string{"--kdf-memory", "99999999999999999999"}, "out of range"},
		{[]string{"--kdf-memory", "-8"}, "below the floor of 8 MiB"},
		{[]string{"--kdf-memory", "7"}, "below the floor of 8 MiB"},
		{[]string{"--kdf-memory", "0"}, "--kdf-memory 0 is below the floor of 8 MiB"}, // was the default, silently
		{[]string{"--kdf-time", "0", "--kdf-memory", "8"}, "--kdf-time 0 is outside 1 to 1000"},
		{[]string{"--kdf-time", "1001", "--kdf-memory", "8"}, "outside 1 to 1000"},
		{[]string{"--kdf-time", "-1", "--kdf-memory", "8"}, "outside 1 to 1000"},
		{[]string{"--kdf-time", "65"}, "limit of 64 passes"},
		{[]string{"--kdf-time", "17", "--kdf-memory", "1024"}, "limit of 16 passes"},
	} {
		dir := filepath.Join(t.TempDir(), "vault")
		_, errs, code := run(t, testPass+"\n", append([]string{"init", "--vault", dir, "--passphrase-stdin"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("init %v: exit %d, want %d with %q:\n%s", c.args, code, ExitUsage, c.want, errs)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("init %v made %s", c.args, dir)
		}
	}
	// Inside the bounds: made, with the exact setting printed and the warning.
	dir := filepath.Join(scratchDir(t), "vault")
	out, errs, code := run(t, testPass+"\n", "init", "--vault", dir, "--passphrase-stdin", "--kdf-memory", "9", "--kdf-time", "2")
	if code != 0 || !strings.Contains(out, "t=2 m=9 MiB") || !strings.Contains(errs, "Warning: 9 MiB") {
		t.Fatalf("init at 9 MiB, t=2: exit %d\n%s%s", code, out, errs)
	}
}
