package doctext

import (
	"bytes"
	"path"
	"strings"
	"unicode/utf8"
)

// HeadSize is how many leading bytes of a file Detect looks at; more are ignored.
const HeadSize = 4096

// Detect returns the media type of a file from its name and its first bytes
// (HeadSize is enough; fewer work too): the bytes' signature first (a PDF
// named .docx is a PDF), then the name's extension, then a look at the
// bytes for e-mail headers, HTML and plain text. TypeOctet when unknown.
func Detect(name string, head []byte) string {
	if len(head) > HeadSize {
		head = head[:HeadSize]
	}
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	if t := magic(head, ext); t != "" {
		return t
	}
	if t, ok := byExtension[ext]; ok {
		return t
	}
	return sniffText(head)
}

// magic recognises a signature at the start of head. ext decides between
// formats that share one (a ZIP is a DOCX, an XLSX, an ODT...).
func magic(head []byte, ext string) string {
	has := func(prefix string) bool { return bytes.HasPrefix(head, []byte(prefix)) }
	switch {
	case has("%PDF-"):
		return TypePDF
	case has("\x89PNG\r\n\x1a\n"):
		return TypePNG
	case has("\xff\xd8\xff"):
		return TypeJPEG
	case has("GIF87a"), has("GIF89a"):
		return TypeGIF
	case has("II*\x00"), has("MM\x00*"):
		return TypeTIFF
	case has("BM") && len(head) >= 14 && ext == ".bmp":
		return TypeBMP
	case has("RIFF") && len(head) >= 12 && string(head[8:12]) == "WEBP":
		return TypeWebP
	case has("RIFF") && len(head) >= 12 && string(head[8:12]) == "WAVE":
		return TypeWAV
	case has("{\\rtf"):
		return TypeRTF
	case has("PK\x03\x04"):
		return zipType(head, ext)
	case has("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
		switch ext {
		case ".doc", ".dot":
			return TypeDOC
		case ".xls", ".xlt":
			return TypeXLS
		case ".ppt", ".pps":
			return TypePPT
		case ".msg":
			return TypeOutlook
		}
		return TypeOLE
	case has("\x1f\x8b"):
		return TypeGzip
	case has("7z\xbc\xaf\x27\x1c"):
		return Type7z
	case has("Rar!\x1a\x07"):
		return TypeRar
	case has("ID3"):
		return TypeMP3
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		switch brand := string(head[8:12]); brand {
		case "heic", "heix", "mif1", "msf1", "heim", "heis":
			return TypeHEIC
		case "M4A ", "M4B ":
			return TypeM4A
		case "qt  ":
			return TypeQuickTime
		}
		return TypeMP4
	}
	// %PDF- may follow some junk; readers accept it within the first KiB.
	if i := bytes.Index(head[:min(len(head), 1024)], []byte("%PDF-")); i > 0 {
		return TypePDF
	}
	return ""
}

// zipType tells the Office formats from a plain ZIP. An OpenDocument file
// begins with an uncompressed entry "mimetype" holding its media type; an
// Office Open XML one names its parts ([Content_Types].xml, word/...) in
// the first local headers; otherwise the extension decides.
func zipType(head []byte, ext string) string {
	if len(head) > 38 && string(head[30:38]) == "mimetype" {
		rest := head[38:]
		for _, t := range []string{TypeODT, TypeODS, TypeODP} {
			if bytes.HasPrefix(rest, []byte(t)) {
				return t
			}
		}
	}
	switch ext {
	case ".docx", ".docm", ".dotx":
		return TypeDOCX
	case ".xlsx", ".xlsm":
		return TypeXLSX
	case ".pptx", ".pptm":
		return TypePPTX
	case ".odt":
		return TypeODT
	case ".ods":
		return TypeODS
	case ".odp":
		return TypeODP
	}
	switch {
	case bytes.Contains(head, []byte("word/")):
		return TypeDOCX
	case bytes.Contains(head, []byte("xl/")):
		return TypeXLSX
	case bytes.Contains(head, []byte("ppt/")):
		return TypePPTX
	}
	return TypeZip
}

var byExtension = map[string]string{
	".txt":      TypeText,
	".text":     TypeText,
	".log":      TypeText,
	".md":       TypeMarkdown,
	".markdown": TypeMarkdown,
	".csv":      TypeCSV,
	".tsv":      "text/tab-separated-values",
	".json":     TypeJSON,
	".xml":      TypeXML,
	".htm":      TypeHTML,
	".html":     TypeHTML,
	".xhtml":    "application/xhtml+xml",
	".eml":      TypeEmail,
	".msg":      TypeOutlook,
	".pdf":      TypePDF,
	".rtf":      TypeRTF,
	".doc":      TypeDOC,
	".docx":     TypeDOCX,
	".xls":      TypeXLS,
	".xlsx":     TypeXLSX,
	".ppt":      TypePPT,
	".pptx":     TypePPTX,
	".odt":      TypeODT,
	".ods":      TypeODS,
	".odp":      TypeODP,
	".zip":      TypeZip,
	".gz":       TypeGzip,
	".7z":       Type7z,
	".rar":      TypeRar,
	".jpg":      TypeJPEG,
	".jpeg":     TypeJPEG,
	".png":      TypePNG,
	".gif":      TypeGIF,
	".tif":      TypeTIFF,
	".tiff":     TypeTIFF,
	".bmp":      TypeBMP,
	".webp":     TypeWebP,
	".heic":     TypeHEIC,
	".svg":      TypeSVG,
	".mp3":      TypeMP3,
	".wav":      TypeWAV,
	".m4a":      TypeM4A,
	".mp4":      TypeMP4,
	".mov":      TypeQuickTime,
}

// sniffText looks at bytes without a signature or a known extension: an
// HTML page, an e-mail (headers it always has, at the very start), other
// text (UTF-8, UTF-16 with a byte order mark, or mostly printable
// single-byte text), or TypeOctet.
func sniffText(head []byte) string {
	if len(head) == 0 {
		return TypeOctet
	}
	if bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) {
		return TypeText
	}
	body := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if !looksLikeText(body) {
		return TypeOctet
	}
	trimmed := bytes.ToLower(bytes.TrimLeft(body, " \t\r\n"))
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body"} {
		if bytes.HasPrefix(trimmed, []byte(p)) {
			return TypeHTML
		}
	}
	if looksLikeEmail(body) {
		return TypeEmail
	}
	return TypeText
}

// looksLikeText: no NUL, and valid UTF-8 (a character cut at the end of
// head allowed) or at most 1 in 16 control bytes (Latin-1/Windows-1252).
func looksLikeText(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	valid := utf8.Valid(b)
	if !valid && len(b) >= utf8.UTFMax {
		// A character cut by the end of head is still UTF-8.
		for cut := 1; cut < utf8.UTFMax && !valid; cut++ {
			valid = utf8.Valid(b[:len(b)-cut]) && !utf8.FullRune(b[len(b)-cut:])
		}
	}
	controls := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			controls++
		}
	}
	if valid {
		return controls*16 <= len(b)
	}
	return controls*16 <= len(b) && cp1252Plausible(b)
}

// cp1252Plausible: bytes that are not UTF-8 read as Windows-1252 text when
// most of them are ASCII letters, digits, punctuation or spaces.
func cp1252Plausible(b []byte) bool {
	ascii := 0
	for _, c := range b {
		if c >= 0x20 && c < 0x7f || c == '\t' || c == '\n' || c == '\r' {
			ascii++
		}
	}
	return ascii*10 >= len(b)*8
}

// looksLikeEmail: the first line is a header an e-mail file starts with,
// and the first lines are headers.
func looksLikeEmail(b []byte) bool {
	lines := strings.Split(string(b[:min(len(b), 2048)]), "\n")
	if len(lines) < 2 {
		return false
	}
	starts := []string{"from:", "return-path:", "received:", "message-id:", "mime-version:",
		"delivered-to:", "date:", "to:", "subject:", "x-", "from "}
	first := strings.ToLower(lines[0])
	ok := false
	for _, s := range starts {
		if strings.HasPrefix(first, s) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	// The next few lines are headers or their continuations, up to a blank line.
	headers := 0
	for _, l := range lines[1:min(len(lines), 8)] {
		l = strings.TrimRight(l, "\r")
		switch {
		case l == "":
			return headers >= 1
		case l[0] == ' ' || l[0] == '\t':
		default:
			colon := strings.IndexByte(l, ':')
			if colon <= 0 || strings.ContainsAny(l[:colon], " \t") {
				return false
			}
			headers++
		}
	}
	return headers >= 2
}
