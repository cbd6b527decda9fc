package tempcopy

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitizeName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 150) + ".docx"
	for in, want := range map[string]string{
		"Lee v Smith – draft 3.docx": "Lee v Smith – draft 3.docx",
		"a/b.pdf":                    "a_b.pdf",
		`a\b.pdf`:                    "a_b.pdf",
		"":                           "document",
		".":                          "document",
		"..":                         "document",
		"  x.txt ":                   "x.txt",
		"bell\a\x1b[31mred.txt":      "bell__[31mred.txt",
		"invoice\u202Etxt.exe":       "invoice_txt.exe",
		"bad\xffutf8.txt":            "bad_utf8.txt",
		"CON.txt":                    "_CON.txt",
		"com1":                       "_com1",
		long:                         strings.Repeat("é", 97) + ".docx",
		strings.Repeat("x", 300):     strings.Repeat("x", MaxNameBytes),
	} {
		if got := SanitizeName(in); got != want {
			t.Errorf("SanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"", ".", "..", "a/b", "x.docx", "\x00", "CON", " . ", strings.Repeat("ab/", 100) + ".pdf", "\u202e", "é\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SanitizeName(in)
		switch {
		case got == "" || got == "." || got == "..":
			t.Fatalf("%q -> %q", in, got)
		case len(got) > MaxNameBytes:
			t.Fatalf("%q -> %d bytes", in, len(got))
		case !utf8.ValidString(got):
			t.Fatalf("%q -> invalid UTF-8 %q", in, got)
		case strings.ContainsAny(got, `/\`) || filepath.Base(got) != got:
			t.Fatalf("%q -> %q is not one name", in, got)
		case strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) || badRune(r) }) >= 0:
			t.Fatalf("%q -> %q holds a control character", in, got)
		case SanitizeName(got) != got:
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, SanitizeName(got))
		case reserved(got):
			t.Fatalf("%q -> reserved %q", in, got)
		}
	})
}
