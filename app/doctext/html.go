package doctext

import (
	"context"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
)

// inputCap is how many bytes of a document a reader that needs them all in
// memory (HTML, e-mail) reads: a fixed multiple of the limit, at least 1 MiB
// (markup is most of a page), at most maxInflate.
func inputCap(limit int) int64 {
	return min(max(int64(limit)*16, 1<<20), maxInflate)
}

// readAllCapped reads up to max bytes of r (size bytes).
func readAllCapped(r io.ReaderAt, size, max int64) ([]byte, error) {
	n := min(size, max)
	buf := make([]byte, n)
	got, err := r.ReadAt(buf, 0)
	if got < len(buf) && err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading the document: %w", err)
	}
	return buf[:got], nil
}

func extractHTML(ctx context.Context, w *textWriter, r io.ReaderAt, size int64) error {
	p, err := readAllCapped(r, size, inputCap(w.limit))
	if err != nil {
		return err
	}
	return writeHTML(ctx, w, decodeString(p, htmlCharset(p)))
}

var metaCharsetRE = regexp.MustCompile(`(?i)<meta[^>]{0,200}?charset=["']?([a-z0-9_.:-]{1,40})`)

// htmlCharset is the charset a page declares in a meta tag near its start, or "".
func htmlCharset(p []byte) string {
	if m := metaCharsetRE.FindSubmatch(p[:min(len(p), 4096)]); m != nil {
		return string(m[1])
	}
	return ""
}

// htmlBlocks are the elements that start a new line of text; htmlCells
// those that are separated by a space.
var (
	htmlBlocks = map[string]bool{
		"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "tr": true,
		"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "table": true,
		"section": true, "article": true, "header": true, "footer": true, "blockquote": true,
		"pre": true, "hr": true, "dt": true, "dd": true, "dl": true, "title": true, "address": true,
		"form": true, "nav": true, "aside": true, "main": true, "figure": true, "figcaption": true,
		"caption": true, "body": true, "head": true, "html": true,
	}
	htmlCells = map[string]bool{"td": true, "th": true, "option": true, "img": true, "input": true}
	// htmlSkipped elements hold no text a reader sees.
	htmlSkipped = map[string]bool{"script": true, "style": true, "template": true, "svg": true, "math": true, "object": true}
)

// writeHTML writes the text of an HTML page: tags, comments, scripts and
// styles removed, character references decoded, blocks on their own lines.
// It scans once, without building a tree, so nesting costs nothing.
func writeHTML(ctx context.Context, w *textWriter, s string) error {
	for i, steps := 0, 0; i < len(s); steps++ {
		if steps%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			return w.WriteString(html.UnescapeString(s[i:]))
		}
		if lt > 0 {
			if err := w.WriteString(html.UnescapeString(s[i : i+lt])); err != nil {
				return err
			}
			i += lt
		}
		// s[i] == '<'
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return nil
			}
			i += 4 + end + 3
			continue
		case strings.HasPrefix(rest, "<!"), strings.HasPrefix(rest, "<?"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return nil
			}
			i += end + 1
			continue
		}
		name, closing, n := htmlTag(rest)
		if n == 0 {
			// A '<' that starts no tag is text.
			if err := w.WriteString("<"); err != nil {
				return err
			}
			i++
			continue
		}
		i += n
		switch {
		case htmlSkipped[name] && !closing:
			end := indexFold(s[i:], "</"+name)
			if end < 0 {
				return nil
			}
			i += end
		case htmlBlocks[name]:
			w.Break()
		case htmlCells[name]:
			w.Space()
		}
	}
	return nil
}

// htmlTag reads the tag at the start of s ("<name ...>" or "</name>"): its
// lower-case name, whether it closes, and its length; n is 0 when s does not
// start a tag. Quoted attribute values may hold '>'.
func htmlTag(s string) (name string, closing bool, n int) {
	j := 1
	if j < len(s) && s[j] == '/' {
		closing = true
		j++
	}
	start := j
	for j < len(s) && (isASCIILetter(s[j]) || j > start && (s[j] >= '0' && s[j] <= '9' || s[j] == '-' || s[j] == ':')) {
		j++
	}
	if j == start {
		return "", false, 0
	}
	name = strings.ToLower(s[start:j])
	var quote byte
	for ; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return name, closing, j + 1
		}
	}
	return name, closing, len(s) // a tag cut by the end of the page
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// indexFold is strings.Index ignoring ASCII case, without copying s.
func indexFold(s, sub string) int {
	if len(sub) == 0 {
		return 0
	}
	chars := string([]byte{lowerASCII(sub[0]), upperASCII(sub[0])})
	for i := 0; i+len(sub) <= len(s); i++ {
		k := strings.IndexAny(s[i:], chars)
		if k < 0 {
			return -1
		}
		i += k
		if i+len(sub) <= len(s) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 0x20
	}
	return c
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 0x20
	}
	return c
}
