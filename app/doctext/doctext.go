// Package doctext tells what kind of file a document is and extracts its
// text for search: plain text, HTML, e-mail (.eml), Word (DOCX), RTF, the
// OpenDocument and other Office XML formats, and the text layer of PDFs.
//
// It is pure: it imports only the standard library, reads through an
// io.ReaderAt, and never writes anywhere. Every parser is written for
// hostile input: the bytes it inflates are capped (maxInflate in total),
// what it keeps is capped by the caller's limit, nesting is bounded, the
// context is checked in every loop, and damaged input gives an error,
// never a panic.
package doctext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Media types this package names. Callers store them; Label turns them into words.
const (
	TypeOctet     = "application/octet-stream"
	TypeText      = "text/plain"
	TypeMarkdown  = "text/markdown"
	TypeCSV       = "text/csv"
	TypeHTML      = "text/html"
	TypeEmail     = "message/rfc822"
	TypeOutlook   = "application/vnd.ms-outlook"
	TypePDF       = "application/pdf"
	TypeRTF       = "application/rtf"
	TypeDOCX      = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX      = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypePPTX      = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	TypeDOC       = "application/msword"
	TypeXLS       = "application/vnd.ms-excel"
	TypePPT       = "application/vnd.ms-powerpoint"
	TypeODT       = "application/vnd.oasis.opendocument.text"
	TypeODS       = "application/vnd.oasis.opendocument.spreadsheet"
	TypeODP       = "application/vnd.oasis.opendocument.presentation"
	TypeOLE       = "application/x-ole-storage"
	TypeZip       = "application/zip"
	TypeGzip      = "application/gzip"
	Type7z        = "application/x-7z-compressed"
	TypeRar       = "application/vnd.rar"
	TypeJPEG      = "image/jpeg"
	TypePNG       = "image/png"
	TypeGIF       = "image/gif"
	TypeTIFF      = "image/tiff"
	TypeBMP       = "image/bmp"
	TypeWebP      = "image/webp"
	TypeHEIC      = "image/heic"
	TypeSVG       = "image/svg+xml"
	TypeMP3       = "audio/mpeg"
	TypeWAV       = "audio/wav"
	TypeM4A       = "audio/mp4"
	TypeMP4       = "video/mp4"
	TypeQuickTime = "video/quicktime"
	TypeXML       = "application/xml"
	TypeJSON      = "application/json"
)

// ErrNoText is returned (possibly wrapped with the reason) by Extract for a
// file that has no text to index: an image, an archive, an encrypted PDF, a
// kind of file this package does not read.
var ErrNoText = errors.New("this kind of file has no text to index")

// ErrDamaged is returned (wrapped with what was wrong) by Extract when the
// file is not what its kind says: a PDF or a Word document that cannot be
// read. Callers index the document without text.
var ErrDamaged = errors.New("the file's contents could not be read")

// maxInflate caps the bytes Extract decompresses or reads into memory for
// one document, whatever the limit: zip bombs and PDFs that claim huge
// streams stop there. A variable so tests can lower it.
var maxInflate int64 = 64 << 20

// Extract returns the text of a document of the given media type (as
// Detect names it), read from r (size bytes): whitespace normalised,
// control characters removed, at most limit bytes of UTF-8 (cut on a
// character boundary). A document whose kind has no text returns
// ErrNoText (errors.Is), wrapped with the reason; one too damaged to read
// an error wrapping ErrDamaged, and no text (callers index its name only).
// Where the formats allow it (PDF, e-mail, the Office formats) the text
// read before a damage, or before the bytes inflated reach their cap, is
// returned without an error. ctx cancels. Safe for concurrent use.
func Extract(ctx context.Context, mediaType string, r io.ReaderAt, size int64, limit int) (string, error) {
	if limit <= 0 {
		return "", nil
	}
	if size < 0 {
		return "", fmt.Errorf("reading the document's text: %w: negative size %d", ErrDamaged, size)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return extractGuarded(ctx, mediaType, r, size, limit)
}

// extractGuarded turns a panic of a parser (a bug the fuzz targets look
// for; they call extract directly) into an error, so a document that
// finds one cannot stop the program.
func extractGuarded(ctx context.Context, mediaType string, r io.ReaderAt, size int64, limit int) (text string, err error) {
	defer func() {
		if p := recover(); p != nil {
			text, err = "", fmt.Errorf("reading the %s: %w (the reader failed: %v)", Label(mediaType), ErrDamaged, p)
		}
	}()
	return extractText(ctx, mediaType, r, size, limit)
}

// extractText is Extract without the guard.
func extractText(ctx context.Context, mediaType string, r io.ReaderAt, size int64, limit int) (string, error) {
	w := newTextWriter(limit)
	var err error
	switch base := baseType(mediaType); {
	case base == TypeText || base == TypeMarkdown || base == TypeCSV || base == TypeJSON ||
		base == "text/x-markdown" || base == "text/tab-separated-values":
		err = extractPlain(ctx, w, r, size)
	case base == TypeHTML || base == "application/xhtml+xml":
		err = extractHTML(ctx, w, r, size)
	case base == TypeEmail:
		err = extractEmail(ctx, w, r, size)
	case base == TypeRTF || base == "text/rtf":
		err = extractRTF(ctx, w, r, size)
	case base == TypePDF:
		err = extractPDF(ctx, w, r, size)
	case base == TypeDOCX || base == TypeXLSX || base == TypePPTX ||
		base == TypeODT || base == TypeODS || base == TypeODP:
		err = extractOffice(ctx, w, base, r, size)
	default:
		return "", fmt.Errorf("%w (%s)", ErrNoText, Label(mediaType))
	}
	if errors.Is(err, errFull) {
		err = nil
	}
	if err != nil {
		return "", err
	}
	return w.String(), nil
}

// baseType is mediaType lower-cased without parameters.
func baseType(mediaType string) string {
	if i := strings.IndexByte(mediaType, ';'); i >= 0 {
		mediaType = mediaType[:i]
	}
	return strings.ToLower(strings.TrimSpace(mediaType))
}

// Label returns plain words for a media type, for the type column of a
// document list: "PDF document", "Word document", "E-mail", "Text",
// "JPEG image", "Spreadsheet"; "File" when the type means nothing to a reader.
func Label(mediaType string) string {
	base := baseType(mediaType)
	switch base {
	case TypePDF:
		return "PDF document"
	case TypeDOCX, TypeDOC, "application/vnd.openxmlformats-officedocument.wordprocessingml.template":
		return "Word document"
	case TypeODT:
		return "Text document"
	case TypeRTF, "text/rtf":
		return "Rich text document"
	case TypeXLSX, TypeXLS, TypeODS, TypeCSV, "text/tab-separated-values":
		return "Spreadsheet"
	case TypePPTX, TypePPT, TypeODP:
		return "Presentation"
	case TypeEmail, TypeOutlook:
		return "E-mail"
	case TypeText, TypeJSON, TypeXML, "text/xml":
		return "Text"
	case TypeMarkdown, "text/x-markdown":
		return "Markdown text"
	case TypeHTML, "application/xhtml+xml":
		return "Web page"
	case TypeJPEG:
		return "JPEG image"
	case TypePNG:
		return "PNG image"
	case TypeGIF:
		return "GIF image"
	case TypeTIFF:
		return "TIFF image"
	case TypeBMP:
		return "BMP image"
	case TypeWebP:
		return "WebP image"
	case TypeHEIC:
		return "HEIC image"
	case TypeSVG:
		return "SVG image"
	case TypeZip:
		return "ZIP archive"
	case TypeGzip, Type7z, TypeRar:
		return "Archive"
	}
	switch {
	case strings.HasPrefix(base, "image/"):
		return "Image"
	case strings.HasPrefix(base, "audio/"):
		return "Audio"
	case strings.HasPrefix(base, "video/"):
		return "Video"
	case strings.HasPrefix(base, "text/"):
		return "Text"
	}
	return "File"
}

// Previewable says how the window can preview a document of this type:
// "image" for the formats Go's image package decodes (PNG, JPEG, GIF),
// "text" for plain text (shown through Extract), "" for the rest.
func Previewable(mediaType string) string {
	switch baseType(mediaType) {
	case TypePNG, TypeJPEG, TypeGIF:
		return "image"
	case TypeText, TypeMarkdown, "text/x-markdown", TypeCSV, "text/tab-separated-values", TypeJSON:
		return "text"
	}
	return ""
}
