package main_test

// Words a lawyer reads are written by app/human: no "(s)" plurals and no
// hand-made units in the program's strings. This reads every string
// literal of the non-test Go files of ui/ and app/ (app/cli included).

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var handWritten = []struct {
	re  *regexp.Regexp
	why string
}{
	{regexp.MustCompile(`[a-z]\((s|es)\)`), `a "(s)" plural: use human.Count or human.Noun`},
	{regexp.MustCompile(`%d bytes|%\.[0-9]f ?[KMGT]i?B\b|%d ?[KMGT]B\b`), "a hand-made size: use human.Size"},
	{regexp.MustCompile(`%\.[0-9]f ?(s|seconds|minutes|hours)\b`), "a hand-made duration: use human.Duration"},
}

func TestNoHandWrittenWords(t *testing.T) {
	root, _ := moduleRoot(t)
	literals := 0
	for _, dir := range []string{"ui", "app"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				if d != nil && d.IsDir() && (d.Name() == "testdata" || d.Name() == "internal") {
					return filepath.SkipDir // internal: the benchmark report, for developers
				}
				return err
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				literals++
				for _, h := range handWritten {
					if m := h.re.FindString(s); m != "" {
						rel, _ := filepath.Rel(root, path)
						t.Errorf("%s:%d: %q: %s", rel, fset.Position(lit.Pos()).Line, m, h.why)
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if literals < 1000 {
		t.Fatalf("read only %d string literals: the test is not looking where it should", literals)
	}
}

func TestHandWrittenWordsAreFound(t *testing.T) {
	for _, s := range []string{"%d snapshot(s)", "2 match(es)", "%d bytes", "%.1f MB", "%.2f MiB", "%.1f hours", "%.1fs"} {
		found := false
		for _, h := range handWritten {
			found = found || h.re.MatchString(s)
		}
		if !found {
			t.Errorf("%q is not caught", s)
		}
	}
	for _, s := range []string{"Added 1.5 MB", "(see docs)", "callers(s.ID)", "%d of %d"} {
		for _, h := range handWritten {
			if h.re.MatchString(s) {
				t.Errorf("%q is caught by %s", s, h.re)
			}
		}
	}
}
