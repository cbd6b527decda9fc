package app

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkCheckup measures the security check (Session.Checkup: facts,
// the live audit trail, the probes of this laptop, the save with its
// audit entry) on a vault of CASEVAULT_CHECKUP_CLIENTS invented clients
// (default 10,000; app.Demo), beside Session.Status in the same run as
// the peer. The target is under a second, without a drill. Reported per
// sub-benchmark: "median-ms" of its ops.
//
//	go test -tags migrated_fynedo -run '^$' -bench BenchmarkCheckup -benchtime 20x ./app/
func BenchmarkCheckup(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("CASEVAULT_CHECKUP_CLIENTS")); err == nil && v > 0 {
		n = v
	}
	dir := filepath.Join(b.TempDir(), "vault")
	if err := Demo(ctx, dir, n, testKDF, nil); err != nil {
		b.Fatal(err)
	}
	s, err := Open(ctx, dir, Passphrase([]byte(DemoPassphrase)), Options{Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	median := func(b *testing.B, op func() error) {
		ds := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			if err := op(); err != nil {
				b.Fatal(err)
			}
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median-ms")
	}
	b.Run("Checkup", func(b *testing.B) {
		median(b, func() error { _, err := s.Checkup(ctx); return err })
	})
	b.Run("Status", func(b *testing.B) {
		median(b, func() error { _, err := s.Status(ctx); return err })
	})
}
