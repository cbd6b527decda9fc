package cli

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"casevault/vault"
)

// TestDocOpen: doc open opens a temporary copy with the injected opener,
// says where it is, keeps a change saved in it as a new version, waits
// for Enter or (without a terminal) for the program to be done with it,
// deletes the copy; an older version opens; a damaged document does not.
func TestDocOpen(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t)
	v := f.v
	letter := f.file(t, "letter.txt", "Dear Ann, about the lease.\n")
	notes := docAddedID(t, v.ok("doc", "add", "--matter", f.matter, f.file(t, "notes.txt", "Meeting notes: Smith admits the debt.\n")))
	docAddedID(t, v.ok("doc", "add", "--matter", f.matter, letter)) // document 2
	os.WriteFile(letter, []byte("Dear Ann, about the lease (corrected).\n"), 0o600)
	v.ok("doc", "add", "--matter", f.matter, "--new-version", letter)

	var opened string
	var seen []byte
	edit := func(content string) func(*Env) {
		return func(e *Env) {
			e.OpenBrowser = func(p string) error {
				opened = p
				seen, _ = os.ReadFile(p)
				if content != "" {
					return os.WriteFile(p, []byte(content), 0o600)
				}
				return nil
			}
		}
	}
	// Opened and closed unchanged (Enter at once): no version.
	out, errs, code := v.withEnv(edit(""), testPass+"\n\n", "doc", "open", notes)
	if code != 0 || !strings.Contains(out, "Opened notes.txt (version 1)") || !strings.Contains(out, "each save is kept as a new version") ||
		!strings.Contains(out, "No changes were saved") || !strings.Contains(string(seen), "Smith admits") {
		t.Errorf("doc open: exit %d\n%s%s", code, out, errs)
	}
	if opened == "" || !strings.Contains(out, opened) {
		t.Errorf("doc open does not say where the copy is (%q):\n%s", opened, out)
	}
	if _, err := os.Stat(opened); err == nil {
		t.Errorf("the copy %s is still there", opened)
	}
	// Changed in the program: a new version, said.
	out, errs, code = v.withEnv(edit("Meeting notes, edited.\n"), testPass+"\n\n", "doc", "open", notes)
	if code != 0 || !strings.Contains(out, "Saved version 2 of document") {
		t.Errorf("doc open with a change: exit %d\n%s%s", code, out, errs)
	}
	vs := okJSON[[]versionJSON](v, "doc", "versions", notes)
	if len(vs) != 2 || vs[1].How != "edited" {
		t.Errorf("after an edit: %+v", vs)
	}
	// An older version.
	out, errs, code = v.withEnv(edit(""), testPass+"\n\n", "doc", "open", "2", "--version", "2")
	if code != 0 || !strings.Contains(out, "(version 2)") || !strings.Contains(string(seen), "corrected") {
		t.Errorf("doc open --version 2: exit %d\n%s%s\n%q", code, out, errs, seen)
	}
	// No terminal and nothing more on standard input: the command waits
	// until the program is done with the copy (it held it, wrote, let go).
	if runtime.GOOS == "linux" {
		program := func(e *Env) {
			e.copyPoll = 20 * time.Millisecond
			e.interrupts = func(ctx context.Context) (context.Context, context.CancelFunc) { // a hang fails, not blocks
				return context.WithTimeout(ctx, 20*time.Second)
			}
			e.OpenBrowser = func(p string) error {
				f, err := os.OpenFile(p, os.O_RDWR|os.O_TRUNC, 0)
				if err != nil {
					return err
				}
				go func() {
					f.WriteString("Written by the program.\n")
					time.Sleep(600 * time.Millisecond)
					f.Close()
				}()
				return nil
			}
		}
		out, errs, code = v.withEnv(program, testPass+"\n", "doc", "open", notes)
		if code != 0 || !strings.Contains(out, "waits until the program is done") || !strings.Contains(out, "The program is done with the document.") ||
			!strings.Contains(out, "Saved version 3 of document") {
			t.Errorf("doc open, the program done with it: exit %d\n%s%s", code, out, errs)
		}
	}
	if _, errs, code := v.do("doc", "open", "2", "--json"); code != ExitUsage || !strings.Contains(errs, "no --json") {
		t.Errorf("doc open --json: exit %d %s", code, errs)
	}
	if _, errs, code := v.withEnv(edit(""), testPass+"\n\n", "doc", "open", "999"); code != ExitError || !strings.Contains(errs, "doc list") {
		t.Errorf("doc open 999: exit %d %s", code, errs)
	}

	// A damaged document: exit 4, said, and nothing opened.
	filepath.WalkDir(filepath.Join(v.dir, vault.ObjectsDir, "doc"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 0xff
			os.WriteFile(p, b, 0o600)
		}
		return nil
	})
	launched := false
	_, errs, code = v.withEnv(func(e *Env) { e.OpenBrowser = func(string) error { launched = true; return nil } }, testPass+"\n\n", "doc", "open", "2")
	if code != ExitDamaged || launched || !strings.Contains(errs, "damaged") {
		t.Errorf("opening a damaged document: exit %d, program started %v: %s", code, launched, errs)
	}
}
