package doctext

// The fixtures in testdata/ are made by the generators below, so every byte
// of them has a known origin. TestFixtures fails when a file differs from
// what its generator makes; to rewrite them after changing a generator:
//
//	go test ./app/doctext -run TestFixtures -update

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/ from the generators")

// fixtures maps each testdata file to its generator.
var fixtures = map[string]func() []byte{
	"letter.pdf":  genLetterPDF,
	"objstm.pdf":  genObjStmPDF,
	"brief.docx":  genDOCX,
	"notes.odt":   genODT,
	"costs.xlsx":  genXLSX,
	"offer.eml":   genEML,
	"utf16.txt":   func() []byte { return utf16Bytes(utf16Sentence, false, true) },
	"page.html":   func() []byte { return []byte(htmlPage) },
	"latin1.txt":  func() []byte { return []byte("Caf\xe9 cr\xe8me: the client paid 40 \x80 in cash.\r\n") },
	"slides.pptx": genPPTX,
	"memo.rtf":    func() []byte { return []byte(rtfMemo) },
}

// rtfMemo is RTF as WordPad and Word write it: tables of fonts and colours,
// an ignorable destination, escapes for Windows-1252 and Unicode (with
// fallbacks), a field whose instruction must not show.
const rtfMemo = `{\rtf1\ansi\ansicpg1252\deff0\nouicompat{\fonttbl{\f0\fnil\fcharset0 Calibri;}}
{\colortbl ;\red0\green0\blue255;}
{\*\generator Riched20 10.0.19041}{\info{\title Hidden title}}\viewkind4\uc1
\pard\sa200\sl276\slmult1\f0\fs22\lang9 ` + rtfSentence + `\par
Caf\'e9 \u8364? 100, \ldblquote quoted\rdblquote\tab tab\par
{\*\bkmkstart x}{\*\bkmkend x}Emoji \u-10179?\u-8704? done\line next\par
{\field{\*\fldinst{HYPERLINK "http://example.org/"}}{\fldrslt{\ul\cf1 Link text}}}\par
}
`

// The sentences each fixture must give back.
const (
	pdfPage1      = "Engagement letter for Ann Lee"
	pdfKerned     = "The fee is 250 EUR per hour."
	pdfEscapes    = "Escapes: (parens) and \\backslash and café."
	pdfCMapped    = "Hearing in Zürich on 14 March"
	pdfPlain      = "Signed: Bob Smith"
	objstmText    = "Object streams hold this font"
	docxBody      = "The tenant shall pay the rent on the first day of each month."
	docxHeader    = "Lee v. Smith — confidential"
	docxFooter    = "Page footer text"
	docxFootnote  = "See the lease of 3 May 2021."
	odtText       = "Minutes of the meeting with Ann Lee"
	xlsxText      = "Court fees paid in advance"
	pptxText      = "Timeline of the dispute"
	emlPlain      = "The defendant offers 12 000 EUR to settle, payable within 30 days. Grüße from Zürich."
	emlLatin      = "Note: the hearing is adjourned to décembre."
	emlHTMLOnly   = "This sentence is only in the HTML alternative."
	utf16Sentence = "Witness statement of Ωmega Ltd, signed in Łódź — 😀 fine."
	htmlSentence  = "The court granted the motion & awarded costs."
	rtfSentence   = "The lessee accepts the terms of clause 7."
)

const htmlPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Ruling</title>
<style>body { color: red } .hidden-style-marker {}</style>
<script>var hiddenScriptMarker = "<p>not text</p>";</script>
</head>
<body><!-- a comment marker -->
<h1>Ruling</h1>
<p>The court <b>granted</b> the mo<i>tion</i> &amp; awarded&nbsp;costs.</p>
<table><tr><td>Fee</td><td>&euro;&#8364;&#x20AC;</td></tr></table>
<p>Done at <a href="x?a=1&b=2">Z&uuml;rich</a></p>
</body></html>
`

func TestFixtures(t *testing.T) {
	for name, gen := range fixtures {
		path := filepath.Join("testdata", name)
		want := gen()
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (make the fixtures: go test ./app/doctext -run TestFixtures -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s is not what its generator makes (%d bytes, generator %d): run go test ./app/doctext -run TestFixtures -update",
				name, len(got), len(want))
		}
	}
}

// readFixture returns a testdata file.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ---- PDF ----

// pdfBuilder assembles a PDF from numbered objects (1, 2, ...) and writes a
// classic cross-reference table, so other readers open it too.
type pdfBuilder struct {
	objs    [][]byte
	version string
}

// add adds an object whose body is s; it returns its number.
func (b *pdfBuilder) add(s string) int {
	b.objs = append(b.objs, []byte(s))
	return len(b.objs)
}

// set replaces object n's body (objects referring to each other are added first, then set).
func (b *pdfBuilder) set(n int, s string) { b.objs[n-1] = []byte(s) }

// stream adds a stream object: dict's entries (without << >>), then data,
// deflated when flate.
func (b *pdfBuilder) stream(dict string, data []byte, flate bool) int {
	if flate {
		data = zlibBytes(data)
		dict += " /Filter /FlateDecode"
	}
	body := fmt.Sprintf("<< %s /Length %d >>\nstream\n", dict, len(data))
	return b.add(body + string(data) + "\nendstream")
}

func zlibBytes(p []byte) []byte {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zw.Write(p)
	zw.Close()
	return buf.Bytes()
}

// bytes writes the file with root as the catalog and extra trailer entries.
func (b *pdfBuilder) bytes(root int, trailer string) []byte {
	var out bytes.Buffer
	v := b.version
	if v == "" {
		v = "1.4"
	}
	fmt.Fprintf(&out, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", v)
	offsets := make([]int, len(b.objs))
	for i, o := range b.objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(b.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(b.objs)+1, root, trailer, xref)
	return out.Bytes()
}

// cmapFor returns a ToUnicode CMap giving codes 1, 2, ... the characters of
// s (one each, the repeated ones their first code) and the hex string of s
// in those codes. The first characters go in a bfrange, the others in bfchar.
func cmapFor(s string) (cmap string, hex string) {
	codes := map[rune]int{}
	var order []rune
	var hx strings.Builder
	for _, r := range s {
		c, ok := codes[r]
		if !ok {
			c = len(order) + 1
			codes[r] = c
			order = append(order, r)
		}
		fmt.Fprintf(&hx, "%04X", c)
	}
	utf16hex := func(r rune) string {
		var sb strings.Builder
		for _, u := range utf16Bytes(string(r), true, false) {
			fmt.Fprintf(&sb, "%02X", u)
		}
		return sb.String()
	}
	var cm strings.Builder
	cm.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n")
	cm.WriteString("/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n")
	cm.WriteString("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n")
	cm.WriteString("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	// The first three characters as one range with an array of targets.
	split := min(3, len(order))
	fmt.Fprintf(&cm, "1 beginbfrange\n<%04X> <%04X> [", 1, split)
	for _, r := range order[:split] {
		fmt.Fprintf(&cm, "<%s>", utf16hex(r))
	}
	cm.WriteString("]\nendbfrange\n")
	fmt.Fprintf(&cm, "%d beginbfchar\n", len(order)-split)
	for i, r := range order[split:] {
		fmt.Fprintf(&cm, "<%04X> <%s>\n", split+i+1, utf16hex(r))
	}
	cm.WriteString("endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return cm.String(), hx.String()
}

func genLetterPDF() []byte {
	var b pdfBuilder
	catalog := b.add("")
	pages := b.add("")
	page1 := b.add("")
	page2 := b.add("")
	helv := b.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	cid := b.add("")
	desc := b.add("")
	fd := b.add("<< /Type /FontDescriptor /FontName /Helvetica /Flags 32 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>")
	cmap, hex := cmapFor(pdfCMapped)
	tu := b.stream("", []byte(cmap), true)
	b.set(cid, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /Helvetica /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", desc, tu))
	b.set(desc, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Helvetica /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap /Identity >>", fd))
	c1 := b.stream("", []byte("q 1 0 0 1 0 0 cm\nBT\n/F1 12 Tf\n72 720 Td\n("+pdfPage1+") Tj\n0 -16 Td\n"+
		"[(The fee is 2)-20(50 EUR per hour.)] TJ\n14 TL\nT*\n"+
		"(Escapes: \\(parens\\) and \\\\backslash and caf\\351.) '\nET\nQ\n"), true)
	c2 := b.stream("", []byte("BT /F2 12 Tf 72 720 Td <"+hex+"> Tj ET\n"), true)
	c3 := b.stream("", []byte("BT\n/F1 12 Tf\n1 0 0 1 72 600 Tm\n[(Signed:)-333(Bob Smith)] TJ\nET\n"), false)
	b.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pages))
	b.set(pages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 2 /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /MediaBox [0 0 612 792] >>",
		page1, page2, helv, cid))
	b.set(page1, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Contents %d 0 R >>", pages, c1))
	b.set(page2, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Contents [%d 0 R %d 0 R] >>", pages, c2, c3))
	return b.bytes(catalog, "/Info << /Producer (casevault doctext test generator) >> ")
}

// genObjStmPDF writes a PDF 1.5 whose catalog, pages and font are in an
// object stream, with a cross-reference stream instead of a table.
func genObjStmPDF() []byte {
	// Objects 1-4 go in object stream 6; 5 is the content stream.
	inStream := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
	}
	var header, body strings.Builder
	for i, o := range inStream {
		fmt.Fprintf(&header, "%d %d ", i+1, body.Len())
		body.WriteString(o + "\n")
	}
	first := header.Len()
	objstm := zlibBytes([]byte(header.String() + body.String()))
	content := zlibBytes([]byte("BT /F1 11 Tf 72 700 Td (" + objstmText + ") Tj ET"))

	var out bytes.Buffer
	out.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	off5 := out.Len()
	fmt.Fprintf(&out, "5 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream\nendobj\n", len(content), content)
	off6 := out.Len()
	fmt.Fprintf(&out, "6 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream\nendobj\n",
		len(inStream), first, len(objstm), objstm)
	off7 := out.Len()
	// Cross-reference stream, /W [1 4 2]: type, offset or object stream, generation or index.
	var xr bytes.Buffer
	entry := func(typ byte, a uint32, b uint16) {
		xr.Write([]byte{typ, byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a), byte(b >> 8), byte(b)})
	}
	entry(0, 0, 0xffff)
	for i := range inStream {
		entry(2, 6, uint16(i))
	}
	entry(1, uint32(off5), 0)
	entry(1, uint32(off6), 0)
	entry(1, uint32(off7), 0)
	fmt.Fprintf(&out, "7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n",
		xr.Len(), xr.Bytes())
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", off7)
	return out.Bytes()
}

// ---- ZIP-based ----

var fixtureTime = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

type zipPart struct{ name, body string }

func zipBytes(parts []zipPart) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		method := zip.Deflate
		if p.name == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method, Modified: fixtureTime})
		if err != nil {
			panic(err)
		}
		w.Write([]byte(p.body))
	}
	zw.Close()
	return buf.Bytes()
}

const (
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	wNS     = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	relNS   = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	ctWord  = `application/vnd.openxmlformats-officedocument.wordprocessingml.`
)

func genDOCX() []byte {
	// The body sentence comes in runs split inside words, with a deleted
	// run and a field code that must not show.
	body := xmlDecl + `<w:document ` + wNS + `><w:body>
<w:p><w:r><w:t xml:space="preserve">The tenant shall pay the </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>re</w:t></w:r><w:r><w:t xml:space="preserve">nt on the first day of each month.</w:t></w:r><w:del w:id="1" w:author="x"><w:r><w:delText>DELETED MARKER</w:delText></w:r></w:del><w:r><w:footnoteReference w:id="1"/></w:r></w:p>
<w:p><w:r><w:instrText> PAGE FIELDCODE MARKER </w:instrText></w:r><w:r><w:t>Rent:</w:t></w:r><w:r><w:tab/><w:t>1 200 EUR</w:t><w:br/><w:t>Second line</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell one</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Cell two</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:sectPr><w:headerReference w:type="default" r:id="rId1"/><w:footerReference w:type="default" r:id="rId2"/><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>
</w:body></w:document>`
	header := xmlDecl + `<w:hdr ` + wNS + `><w:p><w:r><w:t>` + docxHeader + `</w:t></w:r></w:p></w:hdr>`
	footer := xmlDecl + `<w:ftr ` + wNS + `><w:p><w:r><w:t>` + docxFooter + `</w:t></w:r></w:p></w:ftr>`
	footnotes := xmlDecl + `<w:footnotes ` + wNS + `>` +
		`<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>` +
		`<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>` +
		`<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> ` + docxFootnote + `</w:t></w:r></w:p></w:footnote></w:footnotes>`
	return zipBytes([]zipPart{
		{"[Content_Types].xml", xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="` + ctWord + `document.main+xml"/>` +
			`<Override PartName="/word/header1.xml" ContentType="` + ctWord + `header+xml"/>` +
			`<Override PartName="/word/footer1.xml" ContentType="` + ctWord + `footer+xml"/>` +
			`<Override PartName="/word/footnotes.xml" ContentType="` + ctWord + `footnotes+xml"/></Types>`},
		{"_rels/.rels", xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + relNS + `/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/_rels/document.xml.rels", xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + relNS + `/header" Target="header1.xml"/>` +
			`<Relationship Id="rId2" Type="` + relNS + `/footer" Target="footer1.xml"/>` +
			`<Relationship Id="rId3" Type="` + relNS + `/footnotes" Target="footnotes.xml"/></Relationships>`},
		{"word/document.xml", body},
		{"word/header1.xml", header},
		{"word/footer1.xml", footer},
		{"word/footnotes.xml", footnotes},
	})
}

func genODT() []byte {
	const office = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"`
	return zipBytes([]zipPart{
		{"mimetype", TypeODT},
		{"META-INF/manifest.xml", xmlDecl + `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">` +
			`<manifest:file-entry manifest:full-path="/" manifest:media-type="` + TypeODT + `"/>` +
			`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`},
		{"content.xml", xmlDecl + `<office:document-content ` + office + ` office:version="1.2">` +
			`<office:automatic-styles><style:style style:name="P1" style:family="paragraph"/></office:automatic-styles>` +
			`<office:body><office:text><text:h text:outline-level="1">Minutes</text:h>` +
			`<text:p text:style-name="P1">Minutes of the <text:span>meeting</text:span> with<text:s/>Ann Lee</text:p>` +
			`<text:p>Next<text:tab/>steps<text:line-break/>agreed.</text:p></office:text></office:body></office:document-content>`},
	})
}

func genXLSX() []byte {
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	return zipBytes([]zipPart{
		{"[Content_Types].xml", xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + relNS + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/_rels/workbook.xml.rels", xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + relNS + `/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="` + relNS + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/workbook.xml", xmlDecl + `<workbook ` + ns + ` xmlns:r="` + relNS + `"><sheets><sheet name="Costs" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/sharedStrings.xml", xmlDecl + `<sst ` + ns + ` count="2" uniqueCount="2"><si><t>` + xlsxText + `</t></si><si><r><t>Amo</t></r><r><t>unt</t></r></si></sst>`},
		{"xl/worksheets/sheet1.xml", xmlDecl + `<worksheet ` + ns + `><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>` +
			`<row r="2"><c r="A2" t="inlineStr"><is><t>Inline note</t></is></c><c r="B2"><v>350</v></c></row></sheetData></worksheet>`},
	})
}

func genPPTX() []byte {
	const ns = `xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"`
	slide := func(text string) string {
		return xmlDecl + `<p:sld ` + ns + `><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>` + text + `</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`
	}
	return zipBytes([]zipPart{
		{"[Content_Types].xml", xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`},
		{"ppt/slides/slide10.xml", slide("Tenth slide")},
		{"ppt/slides/slide2.xml", slide("Second slide")},
		{"ppt/slides/slide1.xml", slide(pptxText)},
	})
}

// ---- e-mail ----

func genEML() []byte {
	b64 := func(s string) string {
		e := base64.StdEncoding.EncodeToString([]byte(s))
		var out strings.Builder
		for len(e) > 76 {
			out.WriteString(e[:76] + "\r\n")
			e = e[76:]
		}
		return out.String() + e
	}
	html := "<html><body><p>" + emlHTMLOnly + "</p></body></html>"
	latin := "Note: the hearing is adjourned to d\xe9cembre."
	lines := []string{
		"Return-Path: <juergen@example.org>",
		"From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>",
		"To: Ann Lee <ann@example.org>",
		"Subject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("Settlement offer — Lee v. Smith")) + "?=",
		"Date: Mon, 02 Nov 2026 09:30:00 +0100",
		"Message-ID: <fixture-1@example.org>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="outer-boundary"`,
		"",
		"This is a multi-part message in MIME format.",
		"--outer-boundary",
		`Content-Type: multipart/alternative; boundary="alt-boundary"`,
		"",
		"--alt-boundary",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: quoted-printable",
		"",
		"The defendant offers 12 000 EUR to settle, payable within 30 days. Gr=C3=BC=",
		"=C3=9Fe from Z=C3=BCrich.",
		"--alt-boundary",
		"Content-Type: text/html; charset=utf-8",
		"Content-Transfer-Encoding: base64",
		"",
		b64(html),
		"--alt-boundary--",
		"--outer-boundary",
		"Content-Type: text/plain; charset=iso-8859-1",
		"Content-Transfer-Encoding: base64",
		"Content-Disposition: inline",
		"",
		b64(latin),
		"--outer-boundary",
		`Content-Type: application/pdf; name="offer.pdf"`,
		`Content-Disposition: attachment; filename="offer.pdf"`,
		"Content-Transfer-Encoding: base64",
		"",
		b64("%PDF-1.4\nnot really\n"),
		"--outer-boundary--",
		"",
	}
	return []byte(strings.Join(lines, "\r\n"))
}
