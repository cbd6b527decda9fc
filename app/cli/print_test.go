package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"casevault/app"
	"casevault/store"
)

// hostile are names that try to take over a terminal (OSC retitle, ANSI
// clear, carriage return), reorder the text (RLO), add a row or a column
// (newline, tab), break alignment (0xff), or hide (zero-width space, BOM).
var hostile = []string{
	"Zed \x1b]0;pwn\x07", "Zed \x1b[2J\x1b[H", "Zed\rMallory", "Zed \u202eexe.txt", "Zed\n999\tFake Row\tx\ty",
	"Zed\tcolumn", "Zed \xff\xfe", "Zed\u200b", "Zed \ufeff", "Zed \u009b31m",
}

// seedRaw puts records with hostile text straight into the store, as data
// from before input was checked (or written by another tool) would be.
func seedRaw(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	withStore(t, dir, testPass, func(st *store.Store) error {
		return st.Update(ctx, func(tx *store.Tx) error {
			var first int64
			for i, h := range hostile {
				id, err := tx.InsertClient(&store.Client{Name: h, Email: h, Phone: h, Address: h + "\nline two", Notes: "Security class\tpublic\n" + h,
					Aliases: []string{h}}, timeNow())
				if err != nil {
					return err
				}
				if i == 0 {
					first = id
				}
			}
			m := &store.Matter{ClientID: first, Title: hostile[0] + " v " + hostile[3], PracticeArea: hostile[4],
				Parties: []store.Party{{Role: store.RoleAdverse, Name: hostile[2]}, {Role: store.RoleRelated, Name: hostile[6]}}}
			mid, err := tx.InsertMatter(m, timeNow())
			if err != nil {
				return err
			}
			_, err = tx.InsertNote(&store.Note{MatterID: mid, Text: "Zed note\n" + strings.Join(hostile, "\n"), Author: hostile[3]}, timeNow())
			return err
		})
	})
	// An actor with escapes in the audit trail.
	s, err := app.Open(ctx, dir, app.Passphrase([]byte(testPass)), app.Options{Actor: hostile[0] + hostile[4]})
	if err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
}

// clean fails the test when out holds anything a terminal would act on or
// hide: a control character other than a line break, a text-direction
// control or invisible format character, or a byte that is not UTF-8.
func clean(t *testing.T, what, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: output is not valid UTF-8:\n%q", what, out)
	}
	for _, r := range out {
		if (unicode.Is(unicode.Cc, r) && r != '\n') || unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Cf, r) || r == '\u2028' {
			t.Errorf("%s: raw U+%04X reached the output:\n%q", what, r, out)
			return
		}
	}
}

func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	v := newTV(t)
	seedRaw(t, v.dir)
	cmds := [][]string{
		{"client", "list"}, {"matter", "list"}, {"matter", "show", "1"}, {"search", "Zed"}, {"conflicts", "Zed Mallory"},
		{"audit", "list"}, {"status"},
	}
	for i := range hostile {
		cmds = append(cmds, []string{"client", "show", fmt.Sprint(i + 1)})
	}
	for _, c := range cmds {
		out, errs, code := v.do(c...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c, code, errs)
		}
		clean(t, strings.Join(c, " "), out)
		clean(t, strings.Join(c, " ")+" (stderr)", errs)
		if strings.Contains(out, "Fake Row") && !strings.Contains(out, `\n999\tFake Row`) {
			t.Errorf("%v: the newline and tab of a name were printed raw:\n%s", c, out)
		}
	}
	// One line per client, each with the table's five columns.
	out := v.ok("client", "list")
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(rows) != 1+len(hostile) {
		t.Errorf("client list: %d lines for %d clients:\n%s", len(rows), len(hostile), out)
	}
	for _, row := range rows[1:] {
		if !strings.HasPrefix(strings.TrimSpace(row), fmt.Sprint(strings.Fields(row)[0])) || !strings.Contains(row, "Zed") {
			t.Errorf("client list row %q", row)
		}
	}
	// A note's second line cannot pose as a row of client show: it starts
	// in the value column.
	out = v.ok("client", "show", "1")
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Security class") && strings.Contains(l, "public") {
			t.Errorf("a line of the notes poses as a row: %q", l)
		}
	}
	// --json keeps the data exactly, with nothing hidden on the terminal.
	js := v.ok("client", "list", "--json")
	clean(t, "client list --json", js)
	var list []clientJSON
	if err := json.Unmarshal([]byte(js), &list); err != nil {
		t.Fatal(err)
	}
	for i, c := range list {
		var want string // what encoding/json makes of the name (each bad byte is U+FFFD)
		b, _ := json.Marshal(hostile[c.ID-1])
		json.Unmarshal(b, &want)
		if c.Name != want {
			t.Errorf("json %d: name %q, want %q", i, c.Name, hostile[c.ID-1])
		}
	}
}

// TestHostileTextRefusedOnInput: the command line refuses what the window
// refuses (the rules live in app), and changes nothing.
func TestHostileTextRefusedOnInput(t *testing.T) {
	v := newTV(t)
	before := v.audit()
	for _, h := range []string{"\x1b]0;pwn\x07Eve", "Eve\rX", "E\u202eve", "Eve\nX", "Eve \xff", "\u200b", "\ufeff"} {
		_, errs, code := v.do("client", "add", "--name", h)
		if code != ExitError || !strings.Contains(errs, "Nothing was changed.") {
			t.Errorf("client add --name %q: exit %d %q", h, code, errs)
		}
		clean(t, fmt.Sprintf("refusal of %q", h), errs)
	}
	if n := len(okJSON[[]clientJSON](v, "client", "list")); n != 0 {
		t.Errorf("%d clients added", n)
	}
	if after := v.audit(); after != before+7+1 { // the unlock of each refused add; the list
		t.Errorf("audit grew by %d", after-before)
	}
}

// TestErrorMessagesAreEscaped: an error that repeats a path from the
// command line does not pass its escapes to the terminal.
func TestErrorMessagesAreEscaped(t *testing.T) {
	_, errs, code := run(t, "", "snapshots", "--repo", t.TempDir()+"/\x1b]0;pwn\x07\u202e", "--passphrase-stdin")
	if code == 0 {
		t.Fatal("snapshots of a missing folder succeeded")
	}
	clean(t, "snapshots error", errs)
	if !strings.Contains(errs, `\x1b]0;pwn\x07\u202e`) {
		t.Errorf("the path is not shown escaped: %q", errs)
	}
	// A mistyped flag is repeated by the flag package itself.
	for _, args := range [][]string{{"client", "list", "--\x1b]0;pwn\x07"}, {"--\x1b[2J", "client", "list"}} {
		_, errs, code = run(t, "", args...)
		if code != ExitUsage {
			t.Errorf("%q: exit %d", args, code)
		}
		clean(t, "unknown flag", strings.ReplaceAll(errs, "\t", " ")) // the flag list is indented with tabs
	}
}

func TestSafeWriterHoldsSplitCharacters(t *testing.T) {
	var b strings.Builder
	sw := &safeWriter{w: &b}
	e := []byte("é日😀\x1b")
	for i := range e {
		sw.Write(e[i : i+1])
	}
	sw.Write([]byte{0xe6}) // a character that never ends
	sw.flush()
	if got := b.String(); got != `é日😀\x1b\xe6` {
		t.Errorf("got %q", got)
	}
}
