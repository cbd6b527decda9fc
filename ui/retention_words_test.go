package ui

import (
	"strings"
	"testing"
)

func TestDestroyCounts(t *testing.T) {
	for _, c := range []struct {
		m, c, n, d, v, i int
		b                int64
		want             string
	}{
		{1, 0, 0, 0, 0, 0, 0, "1 matter"},
		{2, 1, 6, 4, 6, 3, 246912, "2 matters, 1 client file, 6 notes, 4 documents (6 versions, 247 KB) and 3 intake answers"},
		{1, 0, 1, 1, 1, 0, 10, "1 matter, 1 note and 1 document (10 bytes)"},
		{3, 2, 0, 0, 0, 1, 0, "3 matters, 2 client files and 1 intake answer"},
	} {
		if got := destroyCounts(c.m, c.c, c.n, c.d, c.v, c.i, c.b); got != c.want {
			t.Errorf("destroyCounts = %q, want %q", got, c.want)
		}
	}
}

func TestKeepForWords(t *testing.T) {
	for _, c := range []struct {
		y, m  int
		never bool
		want  string
	}{{10, 0, false, "10 years"}, {1, 0, false, "1 year"}, {7, 6, false, "7 years and 6 months"}, {0, 1, false, "1 month"}, {3, 0, true, "for ever"}} {
		if got := keepForWords(c.y, c.m, c.never); got != c.want {
			t.Errorf("keepForWords(%d, %d, %v) = %q, want %q", c.y, c.m, c.never, got, c.want)
		}
	}
	if ruleAreaWords("") == "" || ruleAreaWords("Family\x1blaw") != `Family\x1blaw` {
		t.Errorf("area words: %q %q", ruleAreaWords(""), ruleAreaWords("Family\x1blaw"))
	}
}

func TestParseKeepFor(t *testing.T) {
	if y, m, err := parseKeepFor(" 10 ", ""); err != nil || y != 10 || m != 0 {
		t.Fatalf("10 years: %d %d %v", y, m, err)
	}
	if y, m, err := parseKeepFor("", "6"); err != nil || y != 0 || m != 6 {
		t.Fatalf("6 months: %d %d %v", y, m, err)
	}
	for _, c := range []struct{ y, m, want string }{
		{"ten", "", "Years: “ten” is not a whole number from 0 to 100"},
		{"101", "", "Years"},
		{"-1", "", "Years"},
		{"2", "12", "Months: “12” is not a whole number from 0 to 11"},
		{"2", "1.5", "Months"},
	} {
		_, _, err := parseKeepFor(c.y, c.m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseKeepFor(%q, %q) = %v, want %q", c.y, c.m, err, c.want)
		}
	}
}

func TestHoldingWords(t *testing.T) {
	if got := holdingWords(3, "KINGSTON", "/media/k/casevault-backup"); got != "3 backups on drive “KINGSTON” still hold these files" {
		t.Errorf("got %q", got)
	}
	if got := holdingWords(1, "", "/srv/backup"); got != "1 backup in /srv/backup still holds these files" {
		t.Errorf("got %q", got)
	}
}

func TestRuleShortAndContents(t *testing.T) {
	for rule, want := range map[string]string{"": "", "rule:": "default rule", "rule:Family law": "Family law rule",
		"changed": "date set by hand", "never:Probate": "kept for ever (Probate rule)", "rule:Evil\x1b[2J": `Evil\x1b[2J rule`} {
		if got := ruleShort(rule); got != want {
			t.Errorf("ruleShort(%q) = %q, want %q", rule, got, want)
		}
	}
	if got := contentsWords(0, 0, 0, 0, 0); got != "no notes or documents" {
		t.Errorf("empty matter: %q", got)
	}
	if got := contentsWords(3, 2, 3, 0, 2048); got != "3 notes and 2 documents (3 versions, 2.0 KB)" {
		t.Errorf("contents: %q", got)
	}
}
