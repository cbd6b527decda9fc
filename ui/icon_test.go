package ui

import (
	"bufio"
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The window's icon is the 256-pixel PNG that make install and the
// packages install, drawn from the SVG; every PNG size is what its name
// says.
func TestIconIsThePackagedOne(t *testing.T) {
	packaged, err := os.ReadFile(filepath.Join("..", "packaging", "icons", "casevault-256.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(iconPNG, packaged) || !bytes.Equal(AppIcon.Content(), packaged) {
		t.Error("ui/icon.png is not packaging/icons/casevault-256.png: run make icons")
	}
	for _, n := range []int{16, 24, 32, 48, 64, 128, 256, 512} {
		b, err := os.ReadFile(filepath.Join("..", "packaging", "icons", fmt.Sprintf("casevault-%d.png", n)))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != n || cfg.Height != n {
			t.Errorf("casevault-%d.png: %dx%d, %v", n, cfg.Width, cfg.Height, err)
		}
	}
}

// desktopEntry reads a freedesktop desktop entry the way the
// specification describes it: groups, Key=Value lines, comments; a
// duplicate key or a line of another shape is an error.
func desktopEntry(b []byte) (map[string]map[string]string, []string, error) {
	groups := map[string]map[string]string{}
	var order []string
	var cur map[string]string
	keyRE := regexp.MustCompile(`^[A-Za-z0-9-]+(\[[A-Za-z_@.]+\])?$`)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			name := line[1 : len(line)-1]
			if groups[name] != nil {
				return nil, nil, fmt.Errorf("line %d: group %s twice", n, name)
			}
			cur = map[string]string{}
			groups[name] = cur
			order = append(order, name)
		default:
			k, v, ok := strings.Cut(line, "=")
			k = strings.TrimSpace(k)
			if !ok || cur == nil || !keyRE.MatchString(k) {
				return nil, nil, fmt.Errorf("line %d: %q is not Key=Value in a group", n, line)
			}
			if _, dup := cur[k]; dup {
				return nil, nil, fmt.Errorf("line %d: key %s twice", n, k)
			}
			cur[k] = strings.TrimSpace(v)
		}
	}
	return groups, order, sc.Err()
}

// The desktop entry is named after the app ID, names the icon by it, runs
// the installed program, and says which window is its own (the window's X
// class is its title: GLFW sets it so). .ci/packaging.sh also runs
// desktop-file-validate on the installed entry when it is there.
func TestDesktopEntry(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "packaging", AppID+".desktop"))
	if err != nil {
		t.Fatal(err)
	}
	groups, order, err := desktopEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 1 || order[0] != "Desktop Entry" {
		t.Fatalf("groups %v, want only [Desktop Entry]", order)
	}
	e := groups["Desktop Entry"]
	for k, want := range map[string]string{
		"Type": "Application", "Name": "casevault", "Icon": AppID, "Terminal": "false", "StartupWMClass": Title,
		"Exec": "@BINDIR@/casevault", "TryExec": "@BINDIR@/casevault", "Version": "1.4",
	} {
		if e[k] != want {
			t.Errorf("%s=%q, want %q", k, e[k], want)
		}
	}
	for _, k := range []string{"Categories", "Keywords"} {
		if v := e[k]; v == "" || !strings.HasSuffix(v, ";") {
			t.Errorf("%s=%q: a list ending in ;", k, v)
		}
	}
	if c := e["Comment"]; c == "" || strings.ContainsAny(c, "\\\t") || len(c) > 80 {
		t.Errorf("Comment=%q", c)
	}
	// install.sh substitutes @BINDIR@ in exactly these two lines.
	if strings.Count(string(b), "@BINDIR@") != 2 {
		t.Error("@BINDIR@ appears other than in Exec and TryExec")
	}
	if _, _, err := desktopEntry([]byte("[Desktop Entry]\nName=a\nName=b\n")); err == nil {
		t.Error("a duplicate key was accepted")
	}
	if _, _, err := desktopEntry([]byte("Name=a\n")); err == nil {
		t.Error("a key outside a group was accepted")
	}
}
