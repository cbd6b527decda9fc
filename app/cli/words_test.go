package cli

import (
	"strings"
	"testing"
)

// TestDatesInWords: a day that does not exist, given to a command, is
// refused as such, naming the flag, before anything is asked or opened.
func TestDatesInWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "list", "--from", "1980-02-30"}, "--from: 1980-02-30 is not a real date: February 1980 has 29 days"},
		{[]string{"audit", "list", "--to", "2026-13-01"}, "--to: 2026-13-01 is not a real date"},
		{[]string{"report", "access", "1", "--from", "2026-2-3"}, "--from: 2026-2-3 is not a date: write it as YYYY-MM-DD"},
		{[]string{"report", "activity", "Pat", "--to", "yesterday"}, "--to: yesterday is not a date"},
	} {
		_, errs, code := run(t, "", append(c.args, "--passphrase-stdin")...)
		if code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s", c.args, code, ExitUsage, c.want, errs)
		}
	}
}
