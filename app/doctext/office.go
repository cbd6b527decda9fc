package doctext

import (
	"archive/zip"
	"context"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Bounds of the ZIP-based formats (DOCX, XLSX, PPTX, ODT, ODS, ODP).
const (
	maxZipDirectory = 4 << 20 // bytes of central directory: Office files list tens of parts
	maxXMLDepth     = 1024    // nesting of XML elements
)

// errTooDeep stops an XML part nested deeper than maxXMLDepth.
var errTooDeep = errors.New("elements nested too deeply")

// officeKind is what differs between the ZIP-based formats: which parts hold
// the text and how their XML marks it.
type officeKind struct {
	label string
	parts func(names []string) []string // the parts to read, in order
	xml   xmlRules
}

// xmlRules say how an XML part's elements (by local name) become text.
type xmlRules struct {
	textIn     map[string]bool // character data counts only inside these; nil: everywhere
	breakAt    map[string]bool // a line break where the element starts (br)
	breakAfter map[string]bool // a line break where it ends (p)
	spaceAt    map[string]bool // a space where it starts (tab)
	spaceAfter map[string]bool // a space where it ends (a table cell)
	skipped    map[string]bool // character data inside these does not count
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

var (
	docxRules = xmlRules{
		textIn:     set("t"),
		breakAt:    set("br", "cr"),
		breakAfter: set("p"),
		spaceAt:    set("tab"),
		spaceAfter: set("tc"),
		skipped:    set("delText", "instrText"),
	}
	xlsxRules = xmlRules{
		textIn:     set("t"),
		breakAfter: set("si", "row"),
		spaceAfter: set("c"),
		skipped:    set("rPh"), // phonetic runs repeat the text in another script
	}
	pptxRules = xmlRules{
		textIn:     set("t"),
		breakAt:    set("br"),
		breakAfter: set("p"),
		spaceAt:    set("tab"),
	}
	odfRules = xmlRules{
		breakAt:    set("line-break"),
		breakAfter: set("p", "h", "table-row", "list-item"),
		spaceAt:    set("s", "tab"),
		spaceAfter: set("table-cell"),
		skipped:    set("automatic-styles", "font-face-decls", "scripts", "forms", "styles"),
	}
)

var officeKinds = map[string]officeKind{
	TypeDOCX: {"Word document", docxParts, docxRules},
	TypeXLSX: {"spreadsheet", xlsxParts, xlsxRules},
	TypePPTX: {"presentation", pptxParts, pptxRules},
	TypeODT:  {"OpenDocument text", odfParts, odfRules},
	TypeODS:  {"OpenDocument spreadsheet", odfParts, odfRules},
	TypeODP:  {"OpenDocument presentation", odfParts, odfRules},
}

func docxParts(names []string) []string {
	out := []string{"word/document.xml"}
	for _, prefix := range []string{"word/header", "word/footer", "word/footnotes", "word/endnotes"} {
		out = append(out, numbered(names, prefix, ".xml")...)
	}
	return out
}

func xlsxParts(names []string) []string {
	return append([]string{"xl/sharedStrings.xml"}, numbered(names, "xl/worksheets/sheet", ".xml")...)
}

func pptxParts(names []string) []string {
	return append(numbered(names, "ppt/slides/slide", ".xml"), numbered(names, "ppt/notesSlides/notesSlide", ".xml")...)
}

func odfParts([]string) []string { return []string{"content.xml"} }

// numbered returns the names prefix<something>suffix, those with a number in
// numeric order (slide2 before slide10), then the others by name.
func numbered(names []string, prefix, suffix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && strings.HasSuffix(n, suffix) && !strings.Contains(n[len(prefix):], "/") {
			out = append(out, n)
		}
	}
	num := func(n string) (int, bool) {
		v, err := strconv.Atoi(strings.TrimSuffix(n[len(prefix):], suffix))
		return v, err == nil
	}
	sort.Slice(out, func(i, j int) bool {
		a, aok := num(out[i])
		b, bok := num(out[j])
		if aok && bok && a != b {
			return a < b
		}
		if aok != bok {
			return aok
		}
		return out[i] < out[j]
	})
	return out
}

func extractOffice(ctx context.Context, w *textWriter, mediaType string, r io.ReaderAt, size int64) error {
	kind := officeKinds[mediaType]
	if err := checkZipDirectory(r, size); err != nil {
		return fmt.Errorf("reading the %s: %w: %v", kind.label, ErrDamaged, err)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("reading the %s: %w: %v", kind.label, ErrDamaged, err)
	}
	byName := make(map[string]*zip.File, len(zr.File))
	names := make([]string, 0, len(zr.File))
	for _, f := range zr.File {
		byName[f.Name] = f
		names = append(names, f.Name)
	}
	budget := maxInflate
	found := false
	for i, name := range kind.parts(names) {
		f := byName[name]
		if f == nil {
			if i == 0 && mediaType != TypeXLSX && mediaType != TypePPTX {
				return fmt.Errorf("reading the %s: %w: it has no %s", kind.label, ErrDamaged, name)
			}
			continue
		}
		found = true
		if f.UncompressedSize64 > uint64(budget) {
			if w.Len() > 0 {
				return nil // keep the text of the parts before
			}
			return fmt.Errorf("reading the %s: %w: its part %s claims to be larger than this reader takes",
				kind.label, ErrDamaged, name)
		}
		n, err := writeZipXML(ctx, w, f, budget, kind.xml)
		if n >= budget {
			return nil // the inflated bytes are spent: keep the text read so far
		}
		budget -= n
		if err != nil {
			if errors.Is(err, errFull) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			if w.Len() == 0 {
				return fmt.Errorf("reading the %s's part %s: %w: %v", kind.label, name, ErrDamaged, err)
			}
			// Keep the text read before the damage.
		}
		if budget <= 0 {
			break
		}
		w.Break()
		w.Break()
	}
	if !found {
		return fmt.Errorf("reading the %s: %w: it has none of the parts that hold text", kind.label, ErrDamaged)
	}
	return nil
}

// writeZipXML writes the text of one XML part of a ZIP, reading at most
// budget inflated bytes (whatever the part's header claims); it returns the
// bytes read.
func writeZipXML(ctx context.Context, w *textWriter, f *zip.File, budget int64, rules xmlRules) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	cr := &countingReader{r: io.LimitReader(rc, budget)}
	err = writeXML(ctx, w, cr, rules)
	return cr.n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// writeXML writes the text of an XML document following rules. It reads
// tokens one at a time; nesting deeper than maxXMLDepth stops it.
func writeXML(ctx context.Context, w *textWriter, r io.Reader, rules xmlRules) error {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.Entity = xml.HTMLEntity
	depth, inText, skipped := 0, 0, 0
	var stack []string
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxXMLDepth {
				return errTooDeep
			}
			name := t.Name.Local
			stack = append(stack, name)
			if rules.textIn[name] {
				inText++
			}
			if rules.skipped[name] {
				skipped++
			}
			switch {
			case rules.breakAt[name]:
				w.Break()
			case rules.spaceAt[name]:
				w.Space()
			}
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			depth--
			if rules.textIn[name] {
				inText--
			}
			if rules.skipped[name] {
				skipped--
			}
			switch {
			case rules.breakAfter[name]:
				w.Break()
			case rules.spaceAfter[name]:
				w.Space()
			}
		case xml.CharData:
			if skipped > 0 || rules.textIn != nil && inText == 0 {
				continue
			}
			if _, err := w.Write(t); err != nil {
				return err
			}
		}
	}
}

// checkZipDirectory refuses a ZIP whose central directory is larger than
// maxZipDirectory before archive/zip reads it into memory (a directory of
// millions of tiny entries would cost gigabytes).
func checkZipDirectory(r io.ReaderAt, size int64) error {
	const eocdLen = 22
	if size < eocdLen {
		return errors.New("too short to be a ZIP archive")
	}
	tail := make([]byte, min(size, eocdLen+65535))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return err
	}
	at := -1
	for i := len(tail) - eocdLen; i >= 0; i-- {
		if string(tail[i:i+4]) == "PK\x05\x06" {
			at = i
			break
		}
	}
	if at < 0 {
		return errors.New("no end of ZIP directory")
	}
	eocd := tail[at:]
	dirSize := uint64(binary.LittleEndian.Uint32(eocd[12:]))
	entries := uint64(binary.LittleEndian.Uint16(eocd[10:]))
	if dirSize == 0xffffffff || entries == 0xffff {
		// ZIP64: the sizes are in the ZIP64 end record the locator just before points to.
		locAt := size - int64(len(tail)) + int64(at) - 20
		loc := make([]byte, 20)
		if locAt < 0 {
			return errors.New("damaged ZIP64 directory")
		}
		if _, err := r.ReadAt(loc, locAt); err != nil || string(loc[:4]) != "PK\x06\x07" {
			return errors.New("damaged ZIP64 directory")
		}
		recAt := binary.LittleEndian.Uint64(loc[8:])
		rec := make([]byte, 56)
		if recAt > uint64(size) {
			return errors.New("damaged ZIP64 directory")
		}
		if _, err := r.ReadAt(rec, int64(recAt)); err != nil || string(rec[:4]) != "PK\x06\x06" {
			return errors.New("damaged ZIP64 directory")
		}
		dirSize = binary.LittleEndian.Uint64(rec[40:])
	}
	if dirSize > maxZipDirectory {
		return fmt.Errorf("its directory lists too many parts (%d)", entries)
	}
	return nil
}
