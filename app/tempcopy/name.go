package tempcopy

import (
	"path/filepath"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes caps a copy's file name (most file systems allow 255 bytes;
// the rest is room for what programs put beside it, such as LibreOffice's
// ".~lock.NAME#").
const MaxNameBytes = 200

// defaultName is the name of a copy whose document's name has nothing left
// once sanitized.
const defaultName = "document"

// SanitizeName makes a document's name a safe single file name for its
// copy, keeping it as close to the original as it can (the program shows
// it, and picks itself by its extension): path separators, control and
// direction-changing characters and invalid UTF-8 become '_', spaces at the
// ends go, "", "." and ".." become "document", a name the system reserves
// (CON, NUL, COM1, ...) gets a '_' in front, and a name longer than
// MaxNameBytes is cut in its middle part, keeping the extension. The result
// is idempotent: SanitizeName(SanitizeName(x)) == SanitizeName(x).
func SanitizeName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(name, "\uFFFD") {
		if badRune(r) {
			r = '_'
		}
		b.WriteRune(r)
	}
	s := strings.TrimFunc(b.String(), unicode.IsSpace)
	if runtime.GOOS == "windows" {
		s = strings.TrimRight(s, ". ") // Windows drops them, and then the name is another file's
	}
	if s == "" || s == "." || s == ".." {
		return defaultName
	}
	if len(s) > MaxNameBytes {
		s = cut(s)
	}
	if reserved(s) {
		s = "_" + s
		if len(s) > MaxNameBytes {
			s = cut(s)
		}
	}
	return s
}

// badRune: characters a file name must not have, or that would make it
// read as something else (terminal escapes, bidirectional overrides).
func badRune(r rune) bool {
	switch {
	case r == '/' || r == '\\' || r == utf8.RuneError:
		return true
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true // direction marks, embeddings, overrides and isolates
	case r == 0xFEFF || r == 0x2028 || r == 0x2029:
		return true
	case runtime.GOOS == "windows" && strings.ContainsRune(`<>:"|?*`, r):
		return true
	}
	return false
}

// cut shortens s to at most MaxNameBytes on a character boundary, keeping a
// short extension.
func cut(s string) string {
	ext := filepath.Ext(s)
	if len(ext) > 16 || len(ext) == len(s) {
		ext = ""
	}
	stem := s[:len(s)-len(ext)]
	max := MaxNameBytes - len(ext)
	for len(stem) > max {
		_, size := utf8.DecodeLastRuneInString(stem)
		stem = stem[:len(stem)-size]
	}
	stem = strings.TrimRightFunc(stem, unicode.IsSpace)
	if stem == "" || stem == "." {
		stem = defaultName
	}
	return stem + ext
}

// reserved: names Windows gives to devices, whatever the extension.
func reserved(s string) bool {
	stem := strings.ToUpper(s)
	if i := strings.IndexByte(stem, '.'); i >= 0 {
		stem = stem[:i]
	}
	stem = strings.TrimRight(stem, " ")
	switch stem {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(stem) == 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) && stem[3] >= '0' && stem[3] <= '9' {
		return true
	}
	return false
}
