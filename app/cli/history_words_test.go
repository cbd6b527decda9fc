package cli

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestConflictCommandsJSON: conflicts decide and conflicts report --html
// print JSON alone under --json (they printed a sentence), saying which
// check and what was recorded or written.
func TestConflictCommandsJSON(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	v.ok("conflicts", "check", "Jane Roe")
	d := okJSON[struct {
		ID       int64  `json:"id"`
		Decision string `json:"decision"`
	}](v, "conflicts", "decide", "1", "--decision", "waived", "--note", "consent in file 7")
	if d.ID != 1 || d.Decision != "waived" {
		t.Errorf("conflicts decide --json: %+v", d)
	}
	page := filepath.Join(t.TempDir(), "check.html")
	r := okJSON[struct {
		ID   int64  `json:"id"`
		File string `json:"file"`
	}](v, "conflicts", "report", "1", "--html", page)
	if r.ID != 1 || r.File != page {
		t.Errorf("conflicts report --html --json: %+v", r)
	}
}

// TestNotFoundHintNamesTheList: an unknown conflict check or party points
// to the list that has its ids, not to the client and matter lists.
func TestNotFoundHintNamesTheList(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"conflicts", "show", "99"}, `conflict check 99: not found (check the id with "casevault conflicts list`},
		{[]string{"conflicts", "decide", "99", "--decision", "clear"}, `(check the id with "casevault conflicts list`},
		{[]string{"party", "remove", "99"}, `party 99: not found (check the id with "casevault matter show MATTER-ID`},
		{[]string{"matter", "show", "99"}, `matter 99: not found (check the id with "casevault client list`},
	} {
		_, errs, code := v.do(c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %q", c.args, code, errs, c.want)
		}
	}
}

// TestMatterShowOtherNames: matter show names a party's aliases after
// "also" and its former names after "formerly", never "also formerly".
func TestMatterShowOtherNames(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.id("client", "add", "--name", "Jane Roe")
	v.id("matter", "add", "--client", "1", "--title", "Roe v. Acme")
	v.ok("party", "add", "--matter", "1", "--role", "adverse", "--name", "Acme Ltd", "--former-name", "Acme Holdings", "--no-check")
	v.ok("party", "add", "--matter", "1", "--role", "witness", "--name", "John Smith", "--alias", "Johnny", "--former-name", "John Smyth", "--no-check")
	out := v.ok("matter", "show", "1")
	for _, want := range []string{"Acme Ltd (formerly Acme Holdings)", "John Smith (also Johnny; formerly John Smyth)"} {
		if !strings.Contains(out, want) {
			t.Errorf("matter show lacks %q:\n%s", want, out)
		}
	}
}

// TestChangeCommandsJSON: commands that change a record print JSON alone
// under --json (they printed a sentence), and the sentence otherwise.
func TestChangeCommandsJSON(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	c := v.id("client", "add", "--name", "Odile Brannagh")
	m := v.id("matter", "add", "--client", c, "--title", "Brannagh lease")
	for _, tc := range []struct {
		args   []string
		change string
	}{
		{[]string{"client", "edit", c, "--email", "odile@example.com"}, "updated"},
		{[]string{"matter", "close", m}, "closed"},
		{[]string{"matter", "reopen", m}, "reopened"},
		{[]string{"matter", "open", m}, "general"},
	} {
		out := v.ok(append(tc.args, "--json")...)
		var got struct {
			Kind   string `json:"kind"`
			ID     int64  `json:"id"`
			Change string `json:"change"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil || got.Change != tc.change || strconv.FormatInt(got.ID, 10) != tc.args[2] {
			t.Errorf("%v --json: %+v, %v\n%s", tc.args, got, err, out)
		}
	}
	if out := v.ok("matter", "close", m); !strings.Contains(out, "Matter "+m+" closed.") {
		t.Errorf("matter close without --json: %q", out)
	}
	mc := v.id("client", "add", "--name", "Temp Client")
	out := v.ok("client", "delete", mc, "--json")
	if !json.Valid([]byte(out)) || !strings.Contains(out, `"deleted"`) {
		t.Errorf("client delete --json: %s", out)
	}
}
