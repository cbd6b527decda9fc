package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"casevault/app/intake/form"
	"casevault/vault"
)

// intakeBenchCount is how many sealed submissions one op imports.
const intakeBenchCount = 1000

// BenchmarkIntakeImport: one op is the import at unlock of 1,000 sealed
// submissions (each with the sample answers; one in ten with a 100 KiB
// upload) into a fresh vault, from the listing of the inbox to the last
// file removed and the folder flushed. Reported: "ms" per op (the
// whole import) and "files/s".
func BenchmarkIntakeImport(b *testing.B) {
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, dir := benchIntakeVault(b)
		rec, err := s.IntakeRecipient(ctx)
		if err != nil {
			b.Fatal(err)
		}
		benchSeal(b, dir, rec, intakeBenchCount)
		b.StartTimer()
		start := time.Now()
		res, err := s.ImportIntake(ctx)
		elapsed += time.Since(start)
		b.StopTimer()
		if err != nil || res.Imported != intakeBenchCount {
			b.Fatalf("import = %+v, %v", res, err)
		}
		s.Close(ctx)
		b.StartTimer()
	}
	per := elapsed / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "ms")
	b.ReportMetric(float64(intakeBenchCount)/per.Seconds(), "files/s")
}

func benchIntakeVault(b *testing.B) (*Session, string) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "vault")
	if _, err := Init(ctx, dir, []byte(testPass), InitOptions{KDF: testKDF, Actor: "bench"}); err != nil {
		b.Fatal(err)
	}
	if err := ConfirmInit(dir); err != nil {
		b.Fatal(err)
	}
	s, err := Open(ctx, dir, vault.Passphrase([]byte(testPass)), Options{Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return s, dir
}

// benchSeal writes n sealed submissions into dir's inbox.
func benchSeal(b *testing.B, dir, rec string, n int) {
	b.Helper()
	if err := os.MkdirAll(inboxOf(dir), 0o700); err != nil {
		b.Fatal(err)
	}
	upload := bytes.Repeat([]byte("scan "), 100<<10/5)
	for i := range n {
		sub := importSub("Prospect Number " + strconv.Itoa(i))
		var files []form.File
		if i%10 == 0 {
			files = []form.File{{Meta: form.FileMeta{Question: form.KeyIDDocument, Name: "id.jpg", MediaType: "image/jpeg"}, Data: upload}}
		}
		var buf bytes.Buffer
		if err := form.Seal(&buf, rec, sub, files); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(inboxOf(dir), sub.ID+".age"), buf.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIntakeImportNothing: what every unlock pays when no intake
// folder exists (the common case): one failed ReadDir.
func BenchmarkIntakeImportNothing(b *testing.B) {
	s, _ := benchIntakeVault(b)
	defer s.Close(ctx)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, err := s.ImportIntake(ctx); err != nil || res.Imported != 0 {
			b.Fatal(res, err)
		}
	}
}
