package doctext

// Fuzz targets, one per parser of document bytes. `make test` runs their
// seeds as unit tests; `make check` fuzzes each for a while. They call
// extractText, without Extract's guard against panics, so a panic fails.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

const fuzzLimit = 300

// fuzzExtract fuzzes Extract for one media type: whatever the bytes, it
// returns text that keeps the promises (checkText), ErrNoText or ErrDamaged.
func fuzzExtract(f *testing.F, mediaType string, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := extractText(context.Background(), mediaType, bytes.NewReader(data), int64(len(data)), fuzzLimit)
		switch {
		case err == nil:
			checkText(t, s, fuzzLimit)
		case errors.Is(err, ErrDamaged), errors.Is(err, ErrNoText):
			if s != "" {
				t.Fatalf("text %q with error %v", s, err)
			}
		default:
			t.Fatalf("an error that is neither ErrDamaged nor ErrNoText: %v", err)
		}
	})
}

func fixtureSeed(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzPDF(f *testing.F) {
	words := "BT /F1 12 Tf 72 700 Td [(Wo)20(rds)] TJ T* (x) ' <4142> Tj ET"
	fuzzExtract(f, TypePDF,
		fixtureSeed(f, "letter.pdf"),
		fixtureSeed(f, "objstm.pdf"),
		pdfWith("<< /Length 80 >>\nstream\n"+words+"\nendstream"),
		pdfWith("<< /Length 99999999 /Filter /FlateDecode >>\nstream\n"+string(zlibBytes([]byte(words)))+"\nendstream"),
		pdfWith("<< /Length 40 >>\nstream\nBT (Outer) Tj ET /Fm Do\nendstream",
			"<< /Type /XObject /Subtype /Form /Resources << /XObject << /Fm 6 0 R >> >> /Length 26 >>\nstream\nBT (Inner) Tj ET /Fm Do\nendstream"),
		[]byte("%PDF-1.4\n1 0 obj\n<< /Length 30 >>\nstream\nBT (Loose words) Tj ET\nendstream\nendobj\ntrailer << /Root 1 0 R /Encrypt 2 0 R >>"),
		[]byte("%PDF-1.4\n"),
	)
}

func FuzzDOCX(f *testing.F) {
	fuzzExtract(f, TypeDOCX,
		fixtureSeed(f, "brief.docx"),
		zipBytes([]zipPart{{"word/document.xml", `<w:document xmlns:w="x"><w:p><w:r><w:t>Hi</w:t><w:tab/><w:br/></w:r></w:p></w:document>`}}),
		zipBytes([]zipPart{{"word/document.xml", "<a><b><c>"}}),
		[]byte("PK\x05\x06"+string(make([]byte, 18))),
	)
}

// FuzzODT covers the other ZIP-based formats' rules through one of them.
func FuzzODT(f *testing.F) {
	fuzzExtract(f, TypeODT, fixtureSeed(f, "notes.odt"))
}

func FuzzEML(f *testing.F) {
	fuzzExtract(f, TypeEmail,
		fixtureSeed(f, "offer.eml"),
		[]byte("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+aGk8L3A+\r\n--b--\r\n"),
		[]byte("Subject: Fwd\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@example.org\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 =80\r\n"),
		[]byte("From: a\r\n\r\n"),
	)
}

func FuzzHTML(f *testing.F) {
	fuzzExtract(f, TypeHTML,
		fixtureSeed(f, "page.html"),
		[]byte(`<p a='>' b=">">x</p><script>y<!-- </script> <!-- z --> &amp;&#x1F600;&bogus; <`),
		[]byte(`<meta charset="windows-1252"><p>caf`+"\xe9</p>"),
	)
}

func FuzzRTF(f *testing.F) {
	fuzzExtract(f, TypeRTF,
		fixtureSeed(f, "memo.rtf"),
		[]byte(`{\rtf1{{{{\u-10179\u8364\'e9\bin3 abc}}\uc0\u233 x\*\par}`),
	)
}

func FuzzText(f *testing.F) {
	fuzzExtract(f, TypeText,
		fixtureSeed(f, "utf16.txt"),
		fixtureSeed(f, "latin1.txt"),
		[]byte("\xef\xbb\xbfplain\r\n\r\n\r\ntext\t\x1b[0m"),
		[]byte("\xfe\xff\xd8\x3d"),
	)
}

func FuzzDetect(f *testing.F) {
	for name, gen := range fixtures {
		f.Add(name, gen()[:min(len(gen()), 512)])
	}
	f.Add("x", []byte("PK\x03\x04"))
	f.Add("", []byte{})
	f.Add("a.b.c.", []byte("\x00\x00\x00\x0cftyp"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		mt := Detect(name, head)
		if mt == "" || Label(mt) == "" {
			t.Fatalf("Detect(%q) = %q, label %q", name, mt, Label(mt))
		}
		switch Previewable(mt) {
		case "", "image", "text":
		default:
			t.Fatalf("Previewable(%q) = %q", mt, Previewable(mt))
		}
		// More bytes than HeadSize change nothing.
		if len(head) > HeadSize {
			if Detect(name, head[:HeadSize]) != mt {
				t.Fatal("bytes after HeadSize changed the type")
			}
		}
	})
}
