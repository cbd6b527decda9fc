package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"casevault/app"
)

// A vault with 5,000 conflict checks, made once per test binary.
var checksVault struct {
	once sync.Once
	dir  string
	err  error
}

func vault5kChecks(b *testing.B) string {
	checksVault.once.Do(func() {
		tmp, err := os.MkdirTemp("", "casevault-bench-checks-")
		if err != nil {
			checksVault.err = err
			return
		}
		dir := filepath.Join(tmp, "vault")
		ctx := context.Background()
		if err = app.Demo(ctx, dir, 200, cheapKDF, nil); err != nil {
			checksVault.err = err
			return
		}
		s, err := app.Open(ctx, dir, app.Passphrase([]byte(app.DemoPassphrase)), app.Options{})
		if err != nil {
			checksVault.err = err
			return
		}
		start := time.Now()
		for i := range 5000 {
			if _, err = s.CheckConflicts(ctx, []string{fmt.Sprintf("Prospect %d", i), "Baibo Geithesu"}); err != nil {
				break
			}
		}
		b.Logf("5,000 checks made in %v", time.Since(start))
		if cerr := s.Close(ctx); err == nil {
			err = cerr
		}
		checksVault.dir, checksVault.err = dir, err
	})
	if checksVault.err != nil {
		b.Fatal(checksVault.err)
	}
	return checksVault.dir
}

// BenchmarkHistoryOpen5k: from the "Conflict checks" entry clicked to the
// list of 5,000 checks shown (its first page read and laid out).
func BenchmarkHistoryOpen5k(b *testing.B) {
	dir := vault5kChecks(b)
	u := benchUI(b, dir)
	defer u.shutdown()
	u.unlock.pass.SetText(app.DemoPassphrase)
	u.unlock.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u.main.history = nil
		u.main.show(navHistory)
		u.wait()
		if h := u.main.history; h.total != 5000 || len(h.checks) != historyPage {
			b.Fatalf("history: total %d, %d read", h.total, len(h.checks))
		}
		b.StopTimer()
		u.main.show(navClients)
		b.StartTimer()
	}
}
