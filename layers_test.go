package main_test

// The layering test: arrows point down only, ui -> app -> {store, backup} -> vault
// (see DESIGN.md), and only store imports store/engine (the durability engine); the command line (app/cli), like ui, talks only to app. It reads the import lines of every .go file in the module with
// go/parser, so it is fast and works while some packages do not compile.
//
// Only non-test files are checked: the rules are about what ships in the binary.
// Files are read whatever their build tags, so a tag-gated file cannot hide an import.
//
// `go test .` must compile package main and so everything it imports; to run the
// layering test alone, even while some package does not compile, run
// `go test ./layers_test.go` (make test does that first).

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// layerRule says which module packages a layer (a top-level folder and
// everything under it) must not import.
type layerRule struct {
	layer string   // e.g. "ui"
	deny  []string // layers it must not import; "*" = every module package outside its own tree
	why   string
}

var layerRules = []layerRule{
	{"ui", []string{"store", "vault", "backup"}, "ui talks only to app"},
	{"vault", []string{"*"}, "vault knows nothing of the rest of casevault"},
	{"store", []string{"app", "ui", "backup"}, "store sits below app and beside backup"},
	{"backup", []string{"app", "ui", "store"}, "backup sits below app and beside store"},
	{"app", []string{"ui"}, "app is below ui"},
	{"app/cli", []string{"store", "vault", "backup"}, "app/cli talks only to app, like ui"},
	{"app/access", []string{"*"}, "the permission model is pure: no database, no keys"},
	{"app/doctext", []string{"*"}, "text extraction is pure: it reads untrusted files and needs nothing of casevault"},
	{"app/tempcopy", []string{"*"}, "temporary copies are pure: the standard library only, no store, vault or app"},
	{"app/intake", []string{"app", "store", "vault", "backup", "ui"}, "the intake server holds no vault key by construction: it never sees the app, the store or the vault"},
	{"app/incident", []string{"app", "store", "vault", "backup", "ui"}, "the incident checklists and letters are pure words: no database, no keys"},
}

// layerAllows are packages a layer may import although a rule of that layer
// denies their tree: app/intake may use its own packages and app/human (pure
// words for sizes and counts) although both are under app/.
var layerAllows = map[string][]string{
	"app/intake":   {"app/intake", "app/human"},
	"app/incident": {"app/incident", "app/human"},
}

// privateTrees are package trees that only their owner's tree may import.
var privateTrees = []struct{ tree, owner, why string }{
	{"store/engine", "store", "the durability engine is store's own; everything else uses store"},
}

// mustFind are the layers the test must see, so it cannot pass vacuously.
var mustFind = []string{"ui", "vault", "store", "app"}

func TestLayers(t *testing.T) {
	root, module := moduleRoot(t)
	pkgs, err := moduleImports(root, module)
	if err != nil {
		t.Fatal(err)
	}

	var missing []string
	for _, l := range mustFind {
		if _, ok := pkgs[module+"/"+l]; !ok {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		t.Errorf("layering test found no Go package in %v (found %v); it would pass without checking them",
			missing, sortedKeys(pkgs))
	}

	for _, v := range violations(module, pkgs) {
		t.Error(v)
	}
	t.Logf("checked the imports of %d packages: %v", len(pkgs), sortedKeys(pkgs))
}

// TestLayerRulesCatchViolations checks the checker on made-up imports.
func TestLayerRulesCatchViolations(t *testing.T) {
	const m = "example.org/cv"
	pkgs := map[string][]string{
		m + "/ui":              {"fmt", m + "/app", m + "/store"},
		m + "/ui/widgets":      {m + "/vault/keys"},
		m + "/vault":           {"crypto/rand", m + "/vault/keys", m + "/internal/log"},
		m + "/vault/keys":      {m + "/store"},
		m + "/store":           {m + "/vault", m + "/backup", m + "/store/engine"},
		m + "/store/engine":    {m + "/vault"},
		m + "/backup":          {m + "/vault", m + "/store"},
		m + "/app":             {m + "/store", m + "/backup", m + "/vault", m + "/store/engine"},
		m + "/app/policy":      {m + "/ui"},
		m + "/app/cli":         {"flag", m + "/app", m + "/app/policy", m + "/backup", m + "/store", m + "/vault/keys"},
		m + "/uikit":           {m + "/store"}, // not under ui/
		m:                      {m + "/ui", m + "/app", m + "/store", m + "/vault"},
		m + "/internal/log":    {"log"},
		m + "/app/intake":      {"net/http", m + "/app", m + "/app/human", m + "/app/intake/form"},
		m + "/app/intake/form": {m + "/app/human", m + "/store", m + "/vault/keys"},
	}
	got := violations(m, pkgs)
	want := []string{
		m + "/app imports " + m + "/store/engine",
		m + "/app/cli imports " + m + "/backup",
		m + "/app/cli imports " + m + "/store",
		m + "/app/cli imports " + m + "/vault/keys",
		m + "/app/intake imports " + m + "/app",
		m + "/app/intake/form imports " + m + "/store",
		m + "/app/intake/form imports " + m + "/vault/keys",
		m + "/app/policy imports " + m + "/ui",
		m + "/backup imports " + m + "/store",
		m + "/store imports " + m + "/backup",
		m + "/ui imports " + m + "/store",
		m + "/ui/widgets imports " + m + "/vault/keys",
		m + "/vault imports " + m + "/internal/log",
		m + "/vault/keys imports " + m + "/store",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d violations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]+" ") {
			t.Errorf("violation %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
}

// violations returns one line per forbidden import, sorted.
func violations(module string, pkgs map[string][]string) []string {
	var out []string
	for pkg, imports := range pkgs {
		for _, r := range layerRules {
			if !inLayer(module, pkg, r.layer) {
				continue
			}
			for _, imp := range imports {
				if imp != module && !strings.HasPrefix(imp, module+"/") {
					continue // not a module package
				}
				if slices.ContainsFunc(layerAllows[r.layer], func(a string) bool { return inLayer(module, imp, a) }) {
					continue
				}
				for _, d := range r.deny {
					bad := false
					if d == "*" {
						bad = !inLayer(module, imp, r.layer)
					} else {
						bad = inLayer(module, imp, d)
					}
					if bad {
						out = append(out, fmt.Sprintf("%s imports %s (not allowed: %s)", pkg, imp, r.why))
						break
					}
				}
			}
		}
	}
	for pkg, imports := range pkgs {
		for _, imp := range imports {
			for _, p := range privateTrees {
				if inLayer(module, imp, p.tree) && !inLayer(module, pkg, p.owner) {
					out = append(out, fmt.Sprintf("%s imports %s (not allowed: %s)", pkg, imp, p.why))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// inLayer reports whether pkg is the top-level folder layer of module or under it.
func inLayer(module, pkg, layer string) bool {
	p := module + "/" + layer
	return pkg == p || strings.HasPrefix(pkg, p+"/")
}

// moduleRoot returns the folder holding go.mod (this file's folder) and the module path.
func moduleRoot(t *testing.T) (string, string) {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			mod := fields[1]
			if uq, err := strconv.Unquote(mod); err == nil {
				mod = uq
			}
			return root, mod
		}
	}
	t.Fatal("go.mod has no module line")
	return "", ""
}

// moduleImports maps each package (by import path) of the module at root to the
// sorted, de-duplicated imports of its non-test .go files.
func moduleImports(root, module string) (map[string][]string, error) {
	pkgs := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root {
				if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
					name == "testdata" || name == "vendor" || name == "node_modules" {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir // a nested module is not part of this one
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") ||
			strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		file, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return fmt.Errorf("reading the imports of %s: %w", p, err)
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		pkg := module
		if rel != "." {
			pkg = path.Join(module, filepath.ToSlash(rel))
		}
		imports := pkgs[pkg]
		for _, spec := range file.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: bad import %s", p, spec.Path.Value)
			}
			if !slices.Contains(imports, imp) {
				imports = append(imports, imp)
			}
		}
		sort.Strings(imports)
		pkgs[pkg] = imports
		return nil
	})
	return pkgs, err
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
