package human

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 1: "1 byte", 999: "999 bytes", 1000: "1.0 KB", 1500: "1.5 KB", 9949: "9.9 KB", 9950: "10 KB",
		999_499: "999 KB", 999_500: "1.0 MB", 1_500_000: "1.5 MB", 15_000_000: "15 MB", 1_500_000_000: "1.5 GB",
		2_000_000_000_000: "2.0 TB", -1500: "-1.5 KB", 1 << 62: "4.6 EB",
	} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 clients"}, {1, "1 client"}, {2, "2 clients"}, {-1, "-1 client"}} {
		if got := Count(c.n, "client", "clients"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if Noun(1, "entry", "entries") != "entry" || Noun(3, "entry", "entries") != "entries" {
		t.Error("Noun")
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "less than a second", 400 * time.Millisecond: "less than a second", time.Second: "1 second",
		1600 * time.Millisecond: "2 seconds", 45 * time.Second: "45 seconds", time.Minute: "1 minute",
		2*time.Minute + 5*time.Second: "2 minutes 5 seconds", time.Hour + 3*time.Minute + 10*time.Second: "1 hour 3 minutes",
		time.Hour + 12*time.Second: "1 hour", 74*time.Hour + 5*time.Minute: "3 days 2 hours", 48 * time.Hour: "2 days",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestTimes(t *testing.T) {
	if Time(time.Time{}) != "never" || Stamp(time.Time{}) != "never" || Date(time.Time{}) != "never" {
		t.Error("the zero time is not \"never\"")
	}
	at := time.Date(2026, 3, 14, 9, 30, 12, 0, time.Local)
	if Time(at) != "2026-03-14 09:30" || Stamp(at) != "2026-03-14 09:30:12" || Date(at) != "2026-03-14" {
		t.Errorf("got %q %q %q", Time(at), Stamp(at), Date(at))
	}
}

func TestTruncateNeverSplitsACharacter(t *testing.T) {
	for _, c := range []struct {
		s    string
		max  int
		want string
	}{
		{"abc", 3, "abc"}, {"abcd", 3, "ab…"}, {"ééééé", 3, "éé…"}, {"日本語のテキスト", 4, "日本語…"},
		{"😀😀😀😀", 2, "😀…"}, {"e\u0301e\u0301e\u0301", 4, "e\u0301…"}, {"x", 0, ""},
	} {
		got := Truncate(c.s, c.max)
		if got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.s, c.max, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q is not valid UTF-8", c.s, c.max, got)
		}
	}
	if Capitalize("élan") != "Élan" || Capitalize("") != "" {
		t.Error("Capitalize")
	}
}

// hostile are names that try to take over a terminal or a table.
var hostile = []string{"\x1b]0;pwn\x07", "\x1b[2J", "a\rb", "\u202eexe.txt", "a\nb", "\xff\xfe", "\u200b", "\ufeff", "tab\there", "\u0085", "\u2028", "\U000e0041"}

func TestEscapeLeavesNoHiddenCharacter(t *testing.T) {
	for _, h := range hostile {
		got := Escape(h)
		if !utf8.ValidString(got) {
			t.Errorf("Escape(%q) = %q: not valid UTF-8", h, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || hidden(r) {
				t.Errorf("Escape(%q) = %q keeps U+%04X", h, got, r)
			}
		}
	}
	for in, want := range map[string]string{
		"Jane Roe": "Jane Roe", "\x1b]0;pwn\x07": `\x1b]0;pwn\x07`, "a\rb": `a\rb`, "a\nb": `a\nb`, "\u202eabc": `\u202eabc`,
		"x\xffy": `x\xffy`, "\u200b": `\u200b`, "Müller 日本 👩\u200d👩\u200d👧": "Müller 日本 👩\u200d👩\u200d👧", "\U000e0041": `\U000e0041`,
		"می\u200cخواهم": "می\u200cخواهم",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := EscapeText("line one\n\tline two\r\x1b[31m"); got != "line one\n\tline two\\r\\x1b[31m" {
		t.Errorf("EscapeText = %q", got)
	}
}

func TestEscapeJSONKeepsTheData(t *testing.T) {
	in := map[string]string{"name": "\u202eevil\u200b\U000e0041\u2066x", "plain": "Müller"}
	js, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := EscapeJSON(js)
	for _, r := range string(out) {
		if hidden(r) {
			t.Fatalf("EscapeJSON left U+%04X in %s", r, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if back["name"] != in["name"] || back["plain"] != in["plain"] {
		t.Errorf("round trip changed the data: %q", back)
	}
	if !strings.Contains(string(out), `\u202e`) {
		t.Errorf("no escape in %s", out)
	}
}

func TestUnsafeAndVisible(t *testing.T) {
	for _, c := range []struct {
		s         string
		multiline bool
		bad       bool
	}{
		{"Jane Roe", false, false}, {"a\nb", false, true}, {"a\nb\tc", true, false}, {"a\rb", true, true},
		{"\x1b[2J", true, true}, {"\u202eabc", false, true}, {"\u202eabc", true, false}, {"\xff", true, true},
		{"می\u200cخواهم", false, false}, {"a\u2028b", false, true},
	} {
		if got := Unsafe(c.s, c.multiline) != ""; got != c.bad {
			t.Errorf("Unsafe(%q, %v) = %q", c.s, c.multiline, Unsafe(c.s, c.multiline))
		}
	}
	for _, s := range []string{"", " ", "\u200b", "\ufeff", "\u200b\u200c\u200d\u2060", "\u3164", "\u0301", "\ufe0f"} {
		if HasVisible(s) {
			t.Errorf("HasVisible(%q) = true", s)
		}
	}
	for _, s := range []string{"J", "日", "é", "😀", "-"} {
		if !HasVisible(s) {
			t.Errorf("HasVisible(%q) = false", s)
		}
	}
	if got := TrimInvisible("\ufeff Jane\u200b "); got != "Jane" {
		t.Errorf("TrimInvisible = %q", got)
	}
	if got := NormalizeLines("a\r\nb\rc\u2028d"); got != "a\nb\nc\nd" {
		t.Errorf("NormalizeLines = %q", got)
	}
}

func TestNumber(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := Number(n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTrimInvisibleKeepsControls(t *testing.T) {
	if got := TrimInvisible("bell\x07"); got != "bell\x07" {
		t.Errorf("TrimInvisible dropped a control character: %q", got)
	}
}

func TestOf(t *testing.T) {
	for _, c := range []struct {
		n, total int
		want     string
	}{{3, 12, "3 of 12 objects"}, {1, 1, "1 of 1 object"}, {0, 2, "0 of 2 objects"}, {0, 0, "0 of 0 objects"}} {
		if got := Of(c.n, c.total, "object", "objects"); got != c.want {
			t.Errorf("Of(%d, %d) = %q, want %q", c.n, c.total, got, c.want)
		}
	}
}
