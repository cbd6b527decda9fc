package doctext

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/lzw"
	"encoding/ascii85"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
	"time"
)

// lowerInflateCap sets maxInflate for one test, so bombs need not be big to
// reach it.
func lowerInflateCap(t *testing.T, n int64) {
	old := maxInflate
	maxInflate = n
	t.Cleanup(func() { maxInflate = old })
}

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func deflateBytes(p []byte) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	fw.Write(p)
	fw.Close()
	return buf.Bytes()
}

// rawZip writes one deflated entry whose header claims size bytes, whatever
// data inflates to.
func rawZip(t *testing.T, name string, data []byte, claimed uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	deflated := deflateBytes(data)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(deflated)), UncompressedSize64: claimed,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A DOCX part that inflates far beyond the cap: refused when its header says
// so, cut at the cap (or at what the header claims) when the header lies,
// and never more than a few times the cap in memory.
func TestZipBombBounded(t *testing.T) {
	const capBytes = 256 << 10
	lowerInflateCap(t, capBytes)
	doc := []byte(`<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>Bomb intro</w:t></w:r></w:p>` +
		strings.Repeat("<w:p/>", 4*capBytes/6) + `<w:p><w:r><w:t>Bomb tail</w:t></w:r></w:p></w:body></w:document>`)

	honest := rawZip(t, "word/document.xml", doc, uint64(len(doc)))
	_, err := extract(t, TypeDOCX, honest, 1000)
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "larger than this reader takes") {
		t.Fatalf("a part claiming %d bytes: err = %v, want ErrDamaged refusing it", len(doc), err)
	}

	for _, claimed := range []uint64{1000, capBytes / 2, capBytes - 1} {
		lying := rawZip(t, "word/document.xml", doc, claimed)
		var got string
		alloc := allocated(func() { got, err = extract(t, TypeDOCX, lying, 1000) })
		if err != nil && !errors.Is(err, ErrDamaged) {
			t.Fatalf("claimed %d: err = %v", claimed, err)
		}
		if err == nil && (!strings.Contains(got, "Bomb intro") || strings.Contains(got, "Bomb tail")) {
			t.Errorf("claimed %d: got %q", claimed, got)
		}
		// The XML reader allocates about 16 bytes (garbage) per byte of
		// this part; the whole part (4 times the cap) would take 64 times the cap.
		if alloc > 32*capBytes {
			t.Errorf("claimed %d: allocated %d bytes for a cap of %d", claimed, alloc, capBytes)
		}
	}

	// A part that claims a terabyte is refused before reading it.
	huge := rawZip(t, "word/document.xml", []byte("<w:document/>"), 1<<40)
	if _, err := extract(t, TypeDOCX, huge, 1000); !errors.Is(err, ErrDamaged) {
		t.Fatalf("a part claiming 1 TiB: err = %v", err)
	}
}

func TestZipDamaged(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":        nil,
		"not a zip":    []byte("this is no zip archive at all, just words"),
		"no main part": zipBytes([]zipPart{{"word/other.xml", "<x/>"}}),
		"cut":          readFixture(t, "brief.docx")[:1000],
	} {
		if _, err := extract(t, TypeDOCX, data, 1000); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: err = %v, want ErrDamaged", name, err)
		}
	}
	// Elements nested 100 000 deep: the text before them is kept.
	deep := `<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>Before the depths</w:t></w:r></w:p>` +
		strings.Repeat("<w:p>", 100000) + strings.Repeat("</w:p>", 100000) + `</w:body></w:document>`
	got, err := extract(t, TypeDOCX, zipBytes([]zipPart{{"word/document.xml", deep}}), 1000)
	if err != nil || got != "Before the depths" {
		t.Fatalf("deep: got %q, %v", got, err)
	}
}

// pdfWith returns a one-page PDF whose page's content is the stream object
// content (written as is) and whose other objects are extra.
func pdfWith(content string, extra ...string) []byte {
	var b pdfBuilder
	catalog := b.add("<< /Type /Catalog /Pages 2 0 R >>")
	b.add("<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /Font << /F1 5 0 R >> >> >>")
	b.add("<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>")
	b.add(content)
	b.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for _, e := range extra {
		b.add(e)
	}
	return b.bytes(catalog, "")
}

func TestPDFHostile(t *testing.T) {
	words := "BT /F1 12 Tf 72 700 Td (Words that count) Tj ET"
	flated := zlibBytes([]byte(words))
	for _, c := range []struct {
		name string
		pdf  []byte
		want string // "" : any outcome but a panic or a hang
	}{
		{"a stream claiming 1 GB", pdfWith(fmt.Sprintf("<< /Length 1000000000 /Filter /FlateDecode >>\nstream\n%s\nendstream", flated)), "Words that count"},
		{"a stream claiming a negative length", pdfWith(fmt.Sprintf("<< /Length -5 >>\nstream\n%s\nendstream", words)), "Words that count"},
		{"a length referring to itself", pdfWith(fmt.Sprintf("<< /Length 4 0 R >>\nstream\n%s\nendstream", words)), "Words that count"},
		{"a length referring to a missing object", pdfWith(fmt.Sprintf("<< /Length 99 0 R >>\nstream\n%s\nendstream", words)), "Words that count"},
		{"no endstream", pdfWith("<< /Length 1000000000 >>\nstream\n" + words), "Words that count"},
		{"arrays nested 100 000 deep", pdfWith(fmt.Sprintf("<< /Length %d >>\nstream\n%s%s%s\nendstream",
			len(words)+200000, strings.Repeat("[", 100000), strings.Repeat("]", 100000), words)), "Words that count"},
		{"dictionaries nested 100 000 deep", pdfWith(fmt.Sprintf("<< /Length 10 /A %s >>\nstream\n%s\nendstream",
			strings.Repeat("<< /A ", 100000), words)), ""},
		{"a page tree that holds itself", func() []byte {
			var b pdfBuilder
			b.add("<< /Type /Catalog /Pages 2 0 R >>")
			b.add("<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 1 >>")
			b.add("<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>")
			b.add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(words), words))
			return b.bytes(1, "")
		}(), "Words that count"},
		{"a form that draws itself", pdfWith(
			"<< /Length 40 >>\nstream\nBT (Outer) Tj ET /Fm Do\nendstream",
			"<< /Type /XObject /Subtype /Form /Resources << /XObject << /Fm 6 0 R >> >> /Length 26 >>\nstream\nBT (Inner) Tj ET /Fm Do /Fm Do\nendstream",
		), "Outer"},
		{"operators without operands", pdfWith("<< /Length 40 >>\nstream\nTj TJ ' \" Td TD Tm Tf Do BI ID EI BT ET\nendstream"), ""},
		{"an inline image holding text-like bytes", pdfWith("<< /Length 80 >>\nstream\nBI /W 1 /H 1 ID (not text) Tj EI BT (After image) Tj ET\nendstream"), "After image"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			got, err := extract(t, TypePDF, c.pdf, 1000)
			if c.want != "" {
				if err != nil || !strings.Contains(got, c.want) {
					t.Fatalf("got %q, %v; want %q", got, err, c.want)
				}
				checkText(t, got, 1000)
			}
			if strings.Contains(got, "not text") {
				t.Errorf("an inline image's data read as text: %q", got)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// A content stream that inflates far beyond the cap is cut there: the
// text of the pages before it stays, nothing after it is read, and memory
// stays within a few times the cap.
func TestPDFStreamBombBounded(t *testing.T) {
	const capBytes = 256 << 10
	lowerInflateCap(t, capBytes)
	var b pdfBuilder
	catalog := b.add("<< /Type /Catalog /Pages 2 0 R >>")
	b.add("<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>")
	b.add("<< /Type /Page /Parent 2 0 R /Contents 6 0 R >>")
	b.add("<< /Type /Page /Parent 2 0 R /Contents 7 0 R >>")
	b.add("<< /Type /Page /Parent 2 0 R /Contents 8 0 R >>")
	b.stream("", []byte("BT (Early page) Tj ET"), true)
	b.stream("", []byte("BT (Bomb start) Tj ET "+strings.Repeat(" ", 8*capBytes)+"BT (Bomb end) Tj ET"), true)
	b.stream("", []byte("BT (Late page) Tj ET"), true)
	pdf := b.bytes(catalog, "")
	var got string
	var err error
	alloc := allocated(func() { got, err = extract(t, TypePDF, pdf, 1000) })
	if err != nil || !strings.Contains(got, "Early page") || !strings.Contains(got, "Bomb start") || strings.Contains(got, "Bomb end") {
		t.Fatalf("got %q, %v", got, err)
	}
	if alloc > 16*capBytes {
		t.Errorf("allocated %d bytes for a cap of %d", alloc, capBytes)
	}
}

func TestPDFEncryptedAndDamaged(t *testing.T) {
	var b pdfBuilder
	catalog := b.add("<< /Type /Catalog /Pages 2 0 R >>")
	b.add("<< /Type /Pages /Kids [] /Count 0 >>")
	b.add("<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>")
	encrypted := b.bytes(catalog, "/Encrypt 3 0 R /ID [<01> <01>] ")
	_, err := extract(t, TypePDF, encrypted, 1000)
	if !errors.Is(err, ErrNoText) || !strings.Contains(err.Error(), "password") {
		t.Fatalf("encrypted: err = %v, want ErrNoText saying why", err)
	}
	// The same through a cross-reference stream.
	xref := []byte("%PDF-1.5\n1 0 obj\n<< /Type /Catalog >>\nendobj\n2 0 obj\n<< /Type /XRef /Root 1 0 R /Encrypt 3 0 R /Length 0 >>\nstream\n\nendstream\nendobj\n")
	if _, err := extract(t, TypePDF, xref, 1000); !errors.Is(err, ErrNoText) {
		t.Fatalf("encrypted (xref stream): err = %v", err)
	}
	for name, data := range map[string][]byte{
		"empty":      nil,
		"header":     []byte("%PDF-1.7\n"),
		"garbage":    []byte("%PDF-1.4\n\x00\x01\x02 not objects at all"),
		"cut header": readFixture(t, "letter.pdf")[:20],
	} {
		if _, err := extract(t, TypePDF, data, 1000); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: err = %v, want ErrDamaged", name, err)
		}
	}
	// Pages without text: ErrNoText saying there is no text layer.
	noText := pdfWith("<< /Length 20 >>\nstream\n0 0 m 10 10 l S\nendstream")
	if _, err := extract(t, TypePDF, noText, 1000); !errors.Is(err, ErrNoText) || !strings.Contains(err.Error(), "no text layer") {
		t.Errorf("no text: err = %v", err)
	}
	// No page tree: the content streams are read in file order.
	loose := []byte("%PDF-1.4\n1 0 obj\n<< /Length 30 >>\nstream\nBT (Loose words) Tj ET\nendstream\nendobj\n")
	if got, err := extract(t, TypePDF, loose, 1000); err != nil || got != "Loose words" {
		t.Errorf("no page tree: got %q, %v", got, err)
	}
}

// Content stream details: the string escapes, hex strings, word gaps in TJ,
// line breaks from positioning, fonts with /Differences.
func TestPDFContent(t *testing.T) {
	for _, c := range []struct{ content, want string }{
		{`BT (a\051b\(c\)d\\e\nf) Tj ET`, "a)b(c)d\\e\nf"},
		{"BT (line \\\r\ncontinued) Tj ET", "line continued"},
		{`BT <48 65 6c 6C 6f> Tj <576f726c64> Tj ET`, "HelloWorld"},
		{`BT <4> Tj ET`, "@"},
		{`BT [(Ke)20(rned)-500(Gap)] TJ ET`, "Kerned Gap"},
		{`BT 10 TL (One) Tj T* (Two) Tj 0 -20 Td (Three) Tj 30 0 Td (Four) Tj ET`, "One\nTwo\nThree Four"},
		{`BT 1 0 0 1 50 700 Tm (Top) Tj 1 0 0 1 50 680 Tm (Below) Tj 1 0 0 1 90 680 Tm (Right) Tj ET`, "Top\nBelow Right"},
		{`BT 12 TL (First) Tj (Second) ' 1 2 (Third) " ET`, "First\nSecond\nThird"},
		{`BT /F2 12 Tf (\001\002) Tj ET`, "’ﬁ"},
		{`BT (caf\351 \200) Tj ET`, "café €"},
		{"% a comment (not text) Tj\nBT (After comment) Tj ET", "After comment"},
	} {
		extra := "<< /Type /Font /Subtype /Type1 /Encoding << /Differences [1 /quoteright /uniFB01] >> >>"
		pdf := pdfWith(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c.content), c.content), extra)
		pdf = bytes.Replace(pdf, []byte("/Font << /F1 5 0 R >>"), []byte("/Font << /F1 5 0 R /F2 6 0 R >>"), 1)
		got, err := extract(t, TypePDF, pdf, 1000)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.content, got, err, c.want)
		}
	}
}

// Streams through the other filters: LZW (old PDFs), ASCIIHex and ASCII85
// (chained before Flate), and raw deflate without the zlib header.
func TestPDFFilters(t *testing.T) {
	words := "BT (Filtered words) Tj ET"
	var lz bytes.Buffer
	lw := lzw.NewWriter(&lz, lzw.MSB, 8)
	lw.Write([]byte(words))
	lw.Close()
	var a85 bytes.Buffer
	aw := ascii85.NewEncoder(&a85)
	aw.Write(zlibBytes([]byte(words)))
	aw.Close()
	for name, stream := range map[string]string{
		"LZW":         fmt.Sprintf("<< /Length %d /Filter /LZWDecode >>\nstream\n%s\nendstream", lz.Len(), lz.Bytes()),
		"ASCIIHex":    fmt.Sprintf("<< /Length %d /Filter /AHx >>\nstream\n%x>\nendstream", 2*len(words)+1, words),
		"ASCII85+Fl":  fmt.Sprintf("<< /Length %d /Filter [/ASCII85Decode /FlateDecode] >>\nstream\n%s~>\nendstream", a85.Len()+2, a85.Bytes()),
		"raw deflate": fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(deflateBytes([]byte(words))), deflateBytes([]byte(words))),
	} {
		got, err := extract(t, TypePDF, pdfWith(stream), 1000)
		if err != nil || got != "Filtered words" {
			t.Errorf("%s: got %q, %v", name, got, err)
		}
	}
}

func TestCMap(t *testing.T) {
	m := parseCMap([]byte(`
1 begincodespacerange <00> <7F> <8000> <FFFF> endcodespacerange
2 beginbfchar <41> <0058> <8001> /quoteright endbfchar
2 beginbfrange <42> <44> <0061> <9000> <9002> [<D83DDE00> <0031> <00410042>] endbfrange`))
	var w = newTextWriter(100)
	if err := m.decode(pdfString("\x41\x42\x44\x80\x01\x90\x00\x90\x02\x90\x01\x45"), w, winAnsi); err != nil {
		t.Fatal(err)
	}
	if got, want := w.String(), "Xac’😀AB1E"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Arrays of millions of numbers, in a content stream and in objects the
// fallback reads one after another, cost a bounded amount of memory and
// time: an object keeps maxPDFElements elements, and a document parses at
// most maxPDFParse bytes of objects.
func TestPDFHugeArraysBounded(t *testing.T) {
	numbers := strings.Repeat("1 ", maxPDFElements+10)
	content := "BT (Before) Tj [" + numbers + "] TJ (After) Tj ET"
	pdf := pdfWith(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(zlibBytes([]byte(content))), zlibBytes([]byte(content))))
	got, err := extract(t, TypePDF, pdf, 1000)
	if err != nil || !strings.Contains(got, "Before") || !strings.Contains(got, "After") {
		t.Fatalf("got %q, %v", got, err)
	}
	l := &pdfLexer{b: []byte("[" + numbers + "] (next)")}
	v, err := l.object(0)
	if arr, _ := v.(pdfArray); err != nil || len(arr) != maxPDFElements {
		t.Fatalf("parsed %T with %d elements, %v; want %d", v, len(arr), err, maxPDFElements)
	}
	if next, err := l.object(0); err != nil || string(next.(pdfString)) != "next" {
		t.Errorf("after the huge object: %v, %v", next, err)
	}

	// 64 headers, 16 KiB apart, inside one array that never ends: each one
	// read alone would parse to the end of the file, 32 MiB in all.
	old := maxPDFParse
	maxPDFParse = 128 << 10
	t.Cleanup(func() { maxPDFParse = old })
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	for i := range 64 {
		fmt.Fprintf(&b, "%d 0 obj\n[", i+1)
		b.WriteString(strings.Repeat("1 ", 8<<10))
	}
	start := time.Now()
	alloc := allocated(func() { _, err = extract(t, TypePDF, []byte(b.String()), 1000) })
	if err != nil && !errors.Is(err, ErrNoText) && !errors.Is(err, ErrDamaged) {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second || alloc > 64<<20 {
		t.Errorf("took %v and %d bytes", d, alloc)
	}
	t.Logf("endless array: %v, %d bytes allocated", time.Since(start), alloc)
}
