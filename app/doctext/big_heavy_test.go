//go:build heavy

package doctext

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A 256 MiB PDF (a scan: one large image stream, then a page of text):
// Extract reads it whole in bounded memory and in reasonable time.
func TestBigPDFHeavy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.pdf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const imageBytes = 256 << 20
	words := "BT /F1 12 Tf 72 700 Td (Text after the scan) Tj ET"
	fmt.Fprintf(f, "%%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	fmt.Fprintf(f, "3 0 obj\n<< /Type /Page /Parent 2 0 R /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>\nendobj\n")
	fmt.Fprintf(f, "4 0 obj\n<< /Type /XObject /Subtype /Image /Width 8192 /Height 8192 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode /Length %d >>\nstream\n", imageBytes)
	buf := make([]byte, 1<<20)
	for range imageBytes >> 20 {
		rand.Read(buf)
		f.Write(buf)
	}
	fmt.Fprintf(f, "\nendstream\nendobj\n5 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%%%EOF\n", len(words), words)
	fi, _ := f.Stat()
	start := time.Now()
	var got string
	alloc := allocated(func() { got, err = Extract(t.Context(), TypePDF, f, fi.Size(), 1<<20) })
	d := time.Since(start)
	f.Close()
	t.Logf("%d MiB PDF: %v, %d MiB allocated", fi.Size()>>20, d, alloc>>20)
	if err != nil || !strings.Contains(got, "Text after the scan") {
		t.Fatalf("got %q, %v", got, err)
	}
	if alloc > 64<<20 {
		t.Errorf("allocated %d MiB", alloc>>20)
	}
}
