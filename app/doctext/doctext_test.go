package doctext

import (
	"bytes"
	"context"
	"errors"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// extract runs Extract on bytes held in memory.
func extract(t testing.TB, mediaType string, data []byte, limit int) (string, error) {
	t.Helper()
	return Extract(context.Background(), mediaType, bytes.NewReader(data), int64(len(data)), limit)
}

// checkText fails unless s keeps Extract's promises: at most limit bytes of
// UTF-8, no control or hidden characters, no doubled spaces.
func checkText(t testing.TB, s string, limit int) {
	t.Helper()
	if len(s) > limit {
		t.Fatalf("extracted %d bytes, limit %d", len(s), limit)
	}
	if !utf8.ValidString(s) {
		t.Fatalf("extracted text is not UTF-8: %q", s)
	}
	for _, r := range s {
		if r != '\n' && hiddenRune(r) {
			t.Fatalf("extracted text holds %U: %q", r, s)
		}
	}
	if strings.Contains(s, "  ") || strings.Contains(s, "\n\n\n") || strings.Contains(s, " \n") || strings.Contains(s, "\n ") {
		t.Fatalf("whitespace not normalised: %q", s)
	}
	if strings.TrimSpace(s) != s {
		t.Fatalf("leading or trailing whitespace: %q", s)
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name string
		head string
		want string
	}{
		// The signature wins over the name.
		{"contract.pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", TypePDF},
		{"contract.docx", "%PDF-1.4\n", TypePDF},
		{"scan", "junk before\n%PDF-1.4\n", TypePDF},
		{"photo.txt", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", TypePNG},
		{"id.JPG", "\xff\xd8\xff\xe0\x00\x10JFIF", TypeJPEG},
		{"x", "GIF89a\x01\x00", TypeGIF},
		{"x", "II*\x00\x08\x00", TypeTIFF},
		{"x", "RIFF\x00\x00\x00\x00WEBPVP8 ", TypeWebP},
		{"x", "\x00\x00\x00\x18ftypheic", TypeHEIC},
		{"x", "\x00\x00\x00\x18ftypisom", TypeMP4},
		{"letter.doc", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", TypeDOC},
		{"book.xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", TypeXLS},
		{"unknown.bin", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", TypeOLE},
		{"x", "{\\rtf1\\ansi", TypeRTF},
		{"x", "\x1f\x8b\x08\x00", TypeGzip},
		// ZIPs: the mimetype entry of OpenDocument, the part names of Office, the extension.
		{"anything", "PK\x03\x04" + strings.Repeat("\x00", 22) + "\x08\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.text", TypeODT},
		{"brief.docx", "PK\x03\x04" + strings.Repeat("\x00", 26) + "[Content_Types].xml", TypeDOCX},
		{"noname", "PK\x03\x04" + strings.Repeat("\x00", 26) + "word/document.xml", TypeDOCX},
		{"sheet.xlsx", "PK\x03\x04" + strings.Repeat("\x00", 26) + "[Content_Types].xml", TypeXLSX},
		{"files.zip", "PK\x03\x04" + strings.Repeat("\x00", 26) + "a.txt", TypeZip},
		// No signature: the extension.
		{"notes.TXT", "hello", TypeText},
		{"readme.md", "# Title", TypeMarkdown},
		{"costs.csv", "a,b\n1,2\n", TypeCSV},
		{"page.html", "<p>hi", TypeHTML},
		{"mail.eml", "anything", TypeEmail},
		{`C:\Users\ann\letter.pdf`, "", TypePDF},
		// Neither: the bytes.
		{"noext", "<!DOCTYPE html><html>", TypeHTML},
		{"noext", "From: Ann <ann@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: hi\r\n\r\nbody", TypeEmail},
		{"noext", "Dear Ann,\nthe hearing is on Monday.\n", TypeText},
		{"noext", "Caf\xe9 cr\xe8me, na\xefve fa\xe7ade.\n", TypeText},
		{"noext", "\xff\xfeh\x00i\x00", TypeText},
		{"noext", "\x00\x01\x02\x03binary", TypeOctet},
		{"noext", "", TypeOctet},
		{"noext", "\x01\x02\x03\x04\x05\x06\x07\x08abc", TypeOctet},
	} {
		if got := Detect(c.name, []byte(c.head)); got != c.want {
			t.Errorf("Detect(%q, %q) = %q, want %q", c.name, c.head, got, c.want)
		}
	}
}

func TestLabelAndPreviewable(t *testing.T) {
	for _, c := range []struct{ mediaType, label, preview string }{
		{TypePDF, "PDF document", ""},
		{TypeDOCX, "Word document", ""},
		{TypeDOC, "Word document", ""},
		{TypeEmail, "E-mail", ""},
		{TypeText, "Text", "text"},
		{"text/plain; charset=utf-8", "Text", "text"},
		{"TEXT/PLAIN", "Text", "text"},
		{TypeCSV, "Spreadsheet", "text"},
		{TypeXLSX, "Spreadsheet", ""},
		{TypePPTX, "Presentation", ""},
		{TypeHTML, "Web page", ""},
		{TypeJPEG, "JPEG image", "image"},
		{TypePNG, "PNG image", "image"},
		{TypeGIF, "GIF image", "image"},
		{TypeTIFF, "TIFF image", ""},
		{TypeHEIC, "HEIC image", ""},
		{"image/x-whatever", "Image", ""},
		{TypeMP3, "Audio", ""},
		{TypeMP4, "Video", ""},
		{TypeZip, "ZIP archive", ""},
		{TypeOctet, "File", ""},
		{"", "File", ""},
		{"nonsense", "File", ""},
	} {
		if got := Label(c.mediaType); got != c.label {
			t.Errorf("Label(%q) = %q, want %q", c.mediaType, got, c.label)
		}
		if got := Previewable(c.mediaType); got != c.preview {
			t.Errorf("Previewable(%q) = %q, want %q", c.mediaType, got, c.preview)
		}
	}
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	var b []byte
	if bom {
		units = append([]uint16{0xfeff}, units...)
	}
	for _, u := range units {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

const sentence = "The quick brown fox jumps over the lazy dog — Müller & Søn, §12."

func TestExtractPlain(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"utf-8", []byte(sentence + "\n"), sentence},
		{"utf-8 with mark", []byte("\xef\xbb\xbf" + sentence), sentence},
		{"utf-16le with mark", utf16Bytes(sentence, false, true), sentence},
		{"utf-16be with mark", utf16Bytes(sentence, true, true), sentence},
		{"utf-16le without mark", utf16Bytes("Plain words in UTF-16 without a mark.", false, false), "Plain words in UTF-16 without a mark."},
		{"latin-1", []byte("Caf\xe9 cr\xe8me \x80 5 \x96 na\xefve"), "Café crème € 5 – naïve"},
		{"emoji across surrogates", utf16Bytes("a 😀 b", false, true), "a 😀 b"},
		{"whitespace", []byte("  one \t two\r\n\r\n\r\n\r\nthree\rfour\n  \n five  "), "one two\n\nthree\nfour\n\nfive"},
		{"controls", []byte("bell\a esc\x1b[31mred\u202e txt\u200b."), "bell esc[31mred txt."},
		{"empty", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := extract(t, TypeText, c.data, 1000)
			if err != nil {
				t.Fatal(err)
			}
			checkText(t, got, 1000)
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// A long file: the limit holds, the cut is on a character boundary, and
// text across the reader's blocks (a character cut between them) is whole.
func TestExtractPlainLimitAndBlocks(t *testing.T) {
	line := strings.Repeat("ü", readBlock/2-1) + "x\n" // 2 bytes each: the block edge cuts a ü
	data := []byte(strings.Repeat(line, 3))
	got, err := extract(t, TypeText, data, 10*readBlock)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, got, 10*readBlock)
	if want := strings.TrimSpace(strings.Repeat(line, 3)); got != want {
		t.Fatalf("got %d bytes, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
	}
	for _, limit := range []int{1, 2, 3, 1000, 1001} {
		got, err := extract(t, TypeText, data, limit)
		if err != nil {
			t.Fatal(err)
		}
		checkText(t, got, limit)
		if len(got) < limit-1 {
			t.Errorf("limit %d: only %d bytes", limit, len(got))
		}
	}
	// Same through UTF-16 with a surrogate pair on the block edge.
	u := utf16Bytes(strings.Repeat("a", readBlock/2-2)+"😀z", false, true)
	got, err = extract(t, TypeText, u, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got, "😀z") {
		t.Errorf("UTF-16 across blocks ends %q", got[max(0, len(got)-10):])
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestExtractNoText(t *testing.T) {
	for _, mt := range []string{TypePNG, TypeJPEG, TypeZip, TypeOctet, TypeDOC, ""} {
		_, err := extract(t, mt, []byte("\x89PNG whatever"), 100)
		if !errors.Is(err, ErrNoText) {
			t.Errorf("%q: err = %v, want ErrNoText", mt, err)
		}
	}
}

// A file named .txt that holds binary data is not read as text.
func TestExtractPlainBinary(t *testing.T) {
	_, err := extract(t, TypeText, []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 program"), 100)
	if !errors.Is(err, ErrNoText) || !strings.Contains(err.Error(), "binary") {
		t.Fatalf("err = %v, want ErrNoText saying binary", err)
	}
}

// Random bytes with no NUL in them are binary all the same; a file that
// starts with words and then turns into random bytes gives its words and
// not the noise (issue 13's bench: such files indexed up to the cap of
// noise, which made the database and every backup bigger).
func TestExtractPlainRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 13))
	noise := make([]byte, 3*readBlock)
	for i := range noise {
		for noise[i] == 0 {
			noise[i] = byte(rng.Uint32())
		}
	}
	if _, err := extract(t, TypeText, noise, 1<<20); !errors.Is(err, ErrNoText) || !strings.Contains(err.Error(), "binary") {
		t.Fatalf("random bytes: err = %v, want ErrNoText saying binary", err)
	}
	words := strings.Repeat("Dear client, please find the lease enclosed. ", readBlock/45+1)[:readBlock]
	got, err := extract(t, TypeText, append([]byte(words), noise...), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "lease enclosed") || len(got) > len(words)+16 {
		t.Fatalf("words then noise: got %d bytes of text (%q...), want the %d bytes of words only", len(got), got[:min(len(got), 60)], len(words))
	}
}

func TestExtractCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := []byte(strings.Repeat("words ", 100000))
	_, err := Extract(ctx, TypeText, bytes.NewReader(data), int64(len(data)), 1<<20)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestExtractZeroLimit(t *testing.T) {
	got, err := extract(t, TypeText, []byte("text"), 0)
	if err != nil || got != "" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// The package is pure: its files import only the standard library.
func TestStandardLibraryOnly(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range f.Imports {
			p, _ := strconv.Unquote(spec.Path.Value)
			first, _, _ := strings.Cut(p, "/")
			if strings.Contains(first, ".") || first == "casevault" {
				t.Errorf("%s imports %s: doctext imports only the standard library", name, p)
			}
		}
		seen++
	}
	if seen == 0 {
		t.Fatal("no Go files found")
	}
}
