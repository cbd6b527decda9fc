package ui

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"casevault/app"
	_ "casevault/ui/locale" // no "locale C" noise from Fyne when LANG is unset
)

func TestMain(m *testing.M) {
	// Tests never touch the real ~/.config (the last user of a vault, wrong-
	// passphrase counts): every test binary gets its own config folder.
	cfg, err := os.MkdirTemp("", "casevault-test-config")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", cfg)
	code := m.Run()
	os.RemoveAll(cfg)
	if bigVault.dir != "" {
		os.RemoveAll(filepath.Dir(bigVault.dir))
	}
	os.Exit(code)
}

// The 10,000-client demo vault, made once per test binary.
var bigVault struct {
	once sync.Once
	dir  string
	err  error
}

func demoVault10k(b *testing.B) string {
	bigVault.once.Do(func() {
		tmp, err := os.MkdirTemp("", "casevault-bench-")
		if err != nil {
			bigVault.err = err
			return
		}
		bigVault.dir = filepath.Join(tmp, "vault")
		bigVault.err = app.Demo(context.Background(), bigVault.dir, 10000, cheapKDF, nil)
	})
	if bigVault.err != nil {
		b.Fatal(bigVault.err)
	}
	return bigVault.dir
}

func benchUI(b *testing.B, dir string) *UI {
	set := app.DefaultSettings()
	u := New(test.NewApp(), Options{Dir: dir, Settings: &set, queued: true})
	u.w.Resize(fyne.NewSize(1100, 720))
	u.w.Show()
	return u
}

// BenchmarkFirstScreen10k: from Enter on the unlock screen to the client
// list of 10,000 clients shown (cheap KDF: this measures the window and the
// database, not Argon2id).
func BenchmarkFirstScreen10k(b *testing.B) {
	dir := demoVault10k(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		u := benchUI(b, dir)
		u.unlock.pass.SetText(app.DemoPassphrase)
		b.StartTimer()
		u.unlock.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		u.wait()
		b.StopTimer()
		if u.main == nil || len(u.main.clients.all) != 10000 {
			b.Fatal("client list not loaded")
		}
		u.shutdown()
	}
}

// BenchmarkSearchUpdate10k: one key press in the search field to the
// results shown, over 10,000 clients.
func BenchmarkSearchUpdate10k(b *testing.B) {
	dir := demoVault10k(b)
	u := benchUI(b, dir)
	defer u.shutdown()
	u.unlock.pass.SetText(app.DemoPassphrase)
	u.unlock.submit()
	u.wait()
	queries := []string{"b", "br", "bra", "brai"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u.main.search.SetText(queries[i%len(queries)])
		u.wait()
	}
	b.StopTimer()
	if u.main.results == nil {
		b.Fatal("no results screen")
	}
}
