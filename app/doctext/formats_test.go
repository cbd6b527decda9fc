package doctext

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// wantText checks that the fixture's text holds each of want and none of notWant.
func wantText(t *testing.T, file string, want, notWant []string) string {
	t.Helper()
	data := readFixture(t, file)
	mt := Detect(file, data[:min(len(data), HeadSize)])
	got, err := extract(t, mt, data, 1<<20)
	if err != nil {
		t.Fatalf("%s (%s): %v", file, mt, err)
	}
	checkText(t, got, 1<<20)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: text lacks %q; text:\n%s", file, w, got)
		}
	}
	for _, w := range notWant {
		if strings.Contains(got, w) {
			t.Errorf("%s: text holds %q; text:\n%s", file, w, got)
		}
	}
	return got
}

func TestExtractFixtures(t *testing.T) {
	t.Run("docx", func(t *testing.T) {
		got := wantText(t, "brief.docx",
			[]string{docxBody, docxHeader, docxFooter, docxFootnote, "Rent: 1 200 EUR\nSecond line", "Cell one\nCell two"},
			[]string{"DELETED", "FIELDCODE"})
		if !strings.HasPrefix(got, docxBody+"\n") {
			t.Errorf("the body's first paragraph does not come first, on its own line: %q", got)
		}
	})
	t.Run("odt", func(t *testing.T) {
		wantText(t, "notes.odt", []string{"Minutes\n" + odtText + "\n", "Next steps\nagreed."}, []string{"P1"})
	})
	t.Run("xlsx", func(t *testing.T) {
		wantText(t, "costs.xlsx", []string{xlsxText, "Amount", "Inline note"}, nil)
	})
	t.Run("pptx", func(t *testing.T) {
		got := wantText(t, "slides.pptx", []string{pptxText}, nil)
		if i, j, k := strings.Index(got, pptxText), strings.Index(got, "Second slide"), strings.Index(got, "Tenth slide"); !(i < j && j < k) {
			t.Errorf("slides out of order: %q", got)
		}
	})
	t.Run("eml", func(t *testing.T) {
		got := wantText(t, "offer.eml",
			[]string{"From: Jürgen Müller <juergen@example.org>", "To: Ann Lee <ann@example.org>",
				"Subject: Settlement offer — Lee v. Smith", "Date: Mon, 02 Nov 2026 09:30:00 +0100",
				emlPlain, emlLatin, "Attachment: offer.pdf"},
			[]string{emlHTMLOnly, "not really", "multi-part message"})
		_ = got
	})
	t.Run("html", func(t *testing.T) {
		wantText(t, "page.html", []string{htmlSentence, "Ruling", "Fee €€€", "Done at Zürich"},
			[]string{"hidden", "marker", "color", "<", "not text"})
	})
	t.Run("rtf", func(t *testing.T) {
		wantText(t, "memo.rtf", []string{rtfSentence + "\nCafé € 100, “quoted” tab\nEmoji 😀 done\nnext\nLink text"},
			[]string{"Calibri", "Hidden", "HYPERLINK", "Riched", "?", "blue"})
	})
	t.Run("utf16", func(t *testing.T) {
		wantText(t, "utf16.txt", []string{utf16Sentence}, nil)
	})
	t.Run("latin1", func(t *testing.T) {
		wantText(t, "latin1.txt", []string{"Café crème: the client paid 40 € in cash."}, nil)
	})
}

// An e-mail with only HTML gives the HTML's text; nested messages and their
// headers come through; the nesting is bounded.
func TestExtractEmailShapes(t *testing.T) {
	htmlOnly := "From: a@example.org\r\nSubject: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Only <b>HTML</b> here &amp; there</p>"
	got, err := extract(t, TypeEmail, []byte(htmlOnly), 1000)
	if err != nil || !strings.Contains(got, "Only HTML here & there") {
		t.Fatalf("got %q, %v", got, err)
	}
	altHTMLFirst := "Subject: alt\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--b\r\nContent-Type: text/plain\r\n\r\nplain words\r\n--b--\r\n"
	got, err = extract(t, TypeEmail, []byte(altHTMLFirst), 1000)
	if err != nil || !strings.Contains(got, "plain words") || strings.Contains(got, "html words") {
		t.Fatalf("alternative with HTML first: got %q, %v", got, err)
	}
	altHTMLOnly := "Subject: alt\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>html =\r\nwords</p>\r\n--b--\r\n"
	got, err = extract(t, TypeEmail, []byte(altHTMLOnly), 1000)
	if err != nil || !strings.Contains(got, "html words") {
		t.Fatalf("alternative with HTML only: got %q, %v", got, err)
	}
	forwarded := "Subject: Fwd\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: inner@example.org\r\nSubject: Inner subject\r\n\r\nInner body.\r\n--b--\r\n"
	got, err = extract(t, TypeEmail, []byte(forwarded), 1000)
	if err != nil || !strings.Contains(got, "See below.") || !strings.Contains(got, "Subject: Inner subject") || !strings.Contains(got, "Inner body.") {
		t.Fatalf("forwarded: got %q, %v", got, err)
	}
	// 200 multiparts, each inside the last: the walk stops at maxMailDepth.
	var deep strings.Builder
	deep.WriteString("Subject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := range 200 {
		deep.WriteString("--b" + itoa(i) + "\r\nContent-Type: multipart/mixed; boundary=b" + itoa(i+1) + "\r\n\r\n")
	}
	deep.WriteString("--b200\r\nContent-Type: text/plain\r\n\r\nthe bottom\r\n")
	got, err = extract(t, TypeEmail, []byte(deep.String()), 1000)
	if err != nil || !strings.Contains(got, "Subject: deep") || strings.Contains(got, "the bottom") {
		t.Fatalf("deep: got %q, %v", got, err)
	}
	// Saved from a mailbox: the "From " line before the headers.
	mbox := "From ann@example.org Mon Nov  2 09:30:00 2026\nFrom: ann@example.org\nSubject: From a mailbox\n\nBody words.\n"
	got, err = extract(t, TypeEmail, []byte(mbox), 1000)
	if err != nil || got != "From: ann@example.org\nSubject: From a mailbox\n\nBody words." {
		t.Fatalf("mbox: got %q, %v", got, err)
	}
	// Not an e-mail at all.
	if _, err := extract(t, TypeEmail, []byte("no headers here, just words"), 1000); !errors.Is(err, ErrDamaged) {
		t.Fatalf("not an e-mail: err = %v, want ErrDamaged", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestExtractLimitEveryFormat(t *testing.T) {
	for _, file := range []string{"letter.pdf", "objstm.pdf", "brief.docx", "notes.odt", "costs.xlsx", "slides.pptx", "offer.eml", "page.html", "utf16.txt", "latin1.txt", "memo.rtf"} {
		data := readFixture(t, file)
		mt := Detect(file, data)
		full, err := extract(t, mt, data, 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, limit := range []int{1, 7, 20, len(full) - 1} {
			got, err := extract(t, mt, data, limit)
			if err != nil {
				t.Fatalf("%s limit %d: %v", file, limit, err)
			}
			checkText(t, got, limit)
			if !strings.HasPrefix(full, got) {
				t.Errorf("%s limit %d: %q is not the start of %q", file, limit, got, full)
			}
		}
	}
}

func TestExtractPDFFixtures(t *testing.T) {
	got := wantText(t, "letter.pdf", []string{pdfPage1 + "\n" + pdfKerned + "\n" + pdfEscapes, pdfCMapped, pdfPlain}, nil)
	if i, j := strings.Index(got, pdfCMapped), strings.Index(got, pdfPlain); i > j {
		t.Errorf("page 2's streams out of order: %q", got)
	}
	wantText(t, "objstm.pdf", []string{objstmText}, nil)
	// Without the cross-reference stream's /Root, the catalog is found among
	// the objects of the object stream.
	noRoot := bytes.Replace(readFixture(t, "objstm.pdf"), []byte("/Root 1 0 R"), []byte("           "), 1)
	if got, err := extract(t, TypePDF, noRoot, 1000); err != nil || got != objstmText {
		t.Errorf("no /Root: got %q, %v", got, err)
	}
	d := newPDFDoc(t.Context(), bytes.NewReader(noRoot), int64(len(noRoot)))
	if err := d.scan(); err != nil {
		t.Fatal(err)
	}
	d.loadObjectStreams()
	if c := d.findCatalog(); c == nil || c.name("Type") != "Catalog" {
		t.Errorf("no /Root: catalog %v", c)
	}
}
