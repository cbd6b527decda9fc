package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagValueMistakesInWords: a flag whose value the command checks itself
// (checkup --answer) said the flag package's `invalid value "x=maybe" for
// flag -answer: ...`, and a page written into a folder that does not exist
// said Go's "open /x/y: no such file or directory".
func TestFlagValueMistakesInWords(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	_, errs, code := v.do("checkup", "--answer", "screen-lock=maybe")
	if code != ExitUsage || !strings.Contains(errs, `--answer: the answer to screen-lock is yes or no, not "maybe"`) ||
		strings.Contains(errs, "invalid value") || strings.Contains(errs, "flag -answer") {
		t.Errorf("--answer screen-lock=maybe: exit %d\n%s", code, errs)
	}
	page := filepath.Join(t.TempDir(), "no-such-folder", "check.html")
	_, errs, code = v.do("checkup", "--out", page)
	if code == 0 || !strings.Contains(errs, "there is no folder") || strings.Contains(errs, "no such file or directory") || strings.Contains(errs, "open ") {
		t.Errorf("--out into a missing folder: exit %d\n%s", code, errs)
	}
}
