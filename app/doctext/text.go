package doctext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// encoding of a text file or part.
type encoding int

const (
	encUTF8    encoding = iota // UTF-8; a byte that is not read as Windows-1252
	encCP1252                  // Windows-1252 (a superset of Latin-1's printable characters)
	encUTF16LE                 // UTF-16, little end first
	encUTF16BE                 // UTF-16, big end first
)

// sniffEncoding decides the encoding of text from its first bytes and says
// how many bytes of byte order mark to skip.
func sniffEncoding(head []byte) (encoding, int) {
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		return encUTF8, 3
	case bytes.HasPrefix(head, []byte("\xff\xfe")):
		return encUTF16LE, 2
	case bytes.HasPrefix(head, []byte("\xfe\xff")):
		return encUTF16BE, 2
	}
	// UTF-16 without a mark: text in Latin letters has a NUL in every other byte.
	if len(head) >= 4 {
		var even, odd int
		for i, c := range head {
			if c == 0 {
				if i%2 == 0 {
					even++
				} else {
					odd++
				}
			}
		}
		half := len(head) / 2
		switch {
		case odd*3 >= half && even*20 <= half:
			return encUTF16LE, 0
		case even*3 >= half && odd*20 <= half:
			return encUTF16BE, 0
		}
	}
	if validUTF8Prefix(head) {
		return encUTF8, 0
	}
	return encCP1252, 0
}

// validUTF8Prefix reports whether b is UTF-8 but for a character cut at its end.
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; cut < utf8.UTFMax && cut <= len(b); cut++ {
		tail := b[len(b)-cut:]
		if utf8.RuneStart(tail[0]) && !utf8.FullRune(tail) {
			return utf8.Valid(b[:len(b)-cut])
		}
	}
	return false
}

// cp1252High maps bytes 0x80-0x9F of Windows-1252; the other bytes are Latin-1.
var cp1252High = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8d, 'Ž', 0x8f,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9d, 'ž', 'Ÿ',
}

func cp1252Rune(c byte) rune {
	if c >= 0x80 && c < 0xa0 {
		return cp1252High[c-0x80]
	}
	return rune(c)
}

// textDecoder turns bytes in one encoding into characters, a block at a
// time: a character cut by the end of a block waits for the next.
type textDecoder struct {
	enc   encoding
	carry []byte
}

// decode sends the characters of p (after what was carried) to emit. With
// final, a cut character at the end is dropped instead of carried.
func (d *textDecoder) decode(p []byte, final bool, emit func(rune) error) error {
	if len(d.carry) > 0 {
		p = append(d.carry, p...)
		d.carry = nil
	}
	i := 0
	switch d.enc {
	case encUTF8:
		for i < len(p) {
			if p[i] < utf8.RuneSelf {
				if err := emit(rune(p[i])); err != nil {
					return err
				}
				i++
				continue
			}
			if !final && !utf8.FullRune(p[i:]) {
				break
			}
			r, n := utf8.DecodeRune(p[i:])
			if r == utf8.RuneError && n == 1 {
				r = cp1252Rune(p[i])
			}
			if err := emit(r); err != nil {
				return err
			}
			i += n
		}
	case encCP1252:
		for ; i < len(p); i++ {
			if err := emit(cp1252Rune(p[i])); err != nil {
				return err
			}
		}
	case encUTF16LE, encUTF16BE:
		unit := func(j int) uint16 {
			if d.enc == encUTF16LE {
				return uint16(p[j]) | uint16(p[j+1])<<8
			}
			return uint16(p[j])<<8 | uint16(p[j+1])
		}
		for i+1 < len(p) {
			u := unit(i)
			r, n := rune(u), 2
			if utf16.IsSurrogate(r) {
				if i+3 >= len(p) {
					if !final {
						break
					}
					r = utf8.RuneError
				} else {
					r, n = utf16.DecodeRune(r, rune(unit(i+2))), 4
					if r == utf8.RuneError {
						n = 2
					}
				}
			}
			if err := emit(r); err != nil {
				return err
			}
			i += n
		}
	}
	if !final && i < len(p) {
		d.carry = append([]byte(nil), p[i:]...)
	}
	return nil
}

// readBlock is the size of the blocks read from a document.
const readBlock = 64 << 10

// extractPlain writes the text of a plain text file, block by block, until
// the end or the limit.
func extractPlain(ctx context.Context, w *textWriter, r io.ReaderAt, size int64) error {
	buf := make([]byte, readBlock)
	var dec *textDecoder
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if n == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fmt.Errorf("reading the text at byte %d: %w", off, err)
		}
		p := buf[:n]
		if dec == nil {
			enc, skip := sniffEncoding(p)
			if (enc == encUTF8 || enc == encCP1252) && binaryBlock(p) {
				return fmt.Errorf("%w: the file holds binary data, not text", ErrNoText)
			}
			dec = &textDecoder{enc: enc}
			p = p[skip:]
		} else if (dec.enc == encUTF8 || dec.enc == encCP1252) && binaryBlock(p) {
			// Text that turns into binary data part way (a file that
			// starts with words, then holds pictures or random bytes):
			// the text so far is kept, the noise is not indexed.
			break
		}
		off += int64(n)
		if err := dec.decode(p, off >= size, w.WriteRune); err != nil {
			return err
		}
		if err != nil && errors.Is(err, io.EOF) {
			break
		}
	}
	return nil
}

// decodeString decodes text held in memory: charset as a MIME label
// (utf-8, iso-8859-1, windows-1252, utf-16...) or "" to guess.
func decodeString(p []byte, charset string) string {
	enc, skip := sniffEncoding(p[:min(len(p), readBlock)])
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		if skip != 3 {
			enc, skip = encUTF8, 0
		}
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "windows-1252", "cp1252", "iso-8859-15":
		enc, skip = encCP1252, 0
	case "utf-16le":
		enc, skip = encUTF16LE, 0
	case "utf-16be":
		enc, skip = encUTF16BE, 0
	}
	var b strings.Builder
	b.Grow(len(p))
	d := textDecoder{enc: enc}
	_ = d.decode(p[skip:], true, func(r rune) error { b.WriteRune(r); return nil })
	return b.String()
}

// binaryBlock reports whether a block read as UTF-8 or Windows-1252 holds
// binary data: more than 1% of its bytes are NUL, or more than 1% are NUL or control characters
// that text does not use (tab, line feed, form feed, carriage return and
// escape aside), and at least 16 of them: a stray bell in a short note is
// still text. Random bytes have about 11% of them; text almost none.
func binaryBlock(p []byte) bool {
	n := 0
	for _, c := range p {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' && c != 0x1b && c != '\v') || c == 0x7f {
			n++
		}
	}
	return bytes.Count(p, []byte{0})*100 > len(p) || n >= 16 && n*100 > len(p)
}
