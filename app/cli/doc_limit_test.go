package cli

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"500MB": 500e6, "2 GB": 2e9, "1.5GiB": 1.5 * (1 << 30), "4000000": 4e6, "10gb": 10e9, "3 bytes": 3, "1TB": 1e12} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "2 parsecs", "-1GB", "1e3MB", "1.2.3GB", "99999999999TB"} {
		if n, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, n)
		}
	}
}

// TestDocLimit: doc limit says the limit and sets it within its bounds;
// a refused size changes nothing.
func TestDocLimit(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.want(0, []string{"Documents may be up to 4.3 GB; a larger file is not added."}, "doc", "limit")
	if l := okJSON[struct{ Limit int64 }](v, "doc", "limit"); l.Limit != 4<<30 {
		t.Errorf("doc limit --json: %+v", l)
	}
	v.want(0, []string{"Documents may now be up to 500 MB."}, "doc", "limit", "500MB")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"10KB"}, "the size limit for documents is from 1.0 MB to 1.0 TB, not 10 KB"},
		{[]string{"2TB"}, "not 2.0 TB"},
		{[]string{"lots"}, `"lots" is not a size: write it as a number and a unit, e.g. 500MB or 2GB`},
		{[]string{"1GB", "2GB"}, "give one size"},
	} {
		if _, errs, code := v.do(append([]string{"doc", "limit"}, c.args...)...); code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("doc limit %v: exit %d %s", c.args, code, errs)
		}
	}
	if out := v.ok("doc", "limit"); !strings.Contains(out, "500 MB") {
		t.Errorf("after refusals the limit changed:\n%s", out)
	}
	if n := len(okJSON[[]map[string]any](v, "audit", "list", "--action", "document.limit")); n != 1 {
		t.Errorf("%d document.limit entries in the audit trail, want 1", n)
	}
}
