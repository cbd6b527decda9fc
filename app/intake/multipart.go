package intake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"unicode/utf8"

	"casevault/app/human"
	"casevault/app/intake/form"
)

// errTooLarge: the text of a form is over its limits (files over theirs are
// a message beside the files instead).
var errTooLarge = errors.New("the form is too large")

// posted is a multipart form read into memory.
type posted struct {
	values  url.Values
	files   []form.File
	fileErr string // why files were refused, shown beside the files
}

// readForm reads a multipart body into memory, part by part, counting files
// and bytes as it goes. It never uses ParseMultipartForm, which writes large
// parts to the temporary folder: answers in plaintext on disk. Text parts
// go to values (at most maxFieldBytes each, maxTextBytes in all, maxParts
// parts); a part with a filename whose field isFile is a file: at most
// lim.MaxFiles of them, lim.MaxFileBytes each, lim.MaxTotalBytes in all; one
// over a limit is read past (the body's size is bounded by the caller) and
// leaves a message in fileErr. An empty file input (no name, no bytes) is
// skipped. A part with a filename for a field that is not a file question,
// or a file field without a filename, is dropped.
func readForm(mr *multipart.Reader, lim form.Limits, isFile func(string) bool) (*posted, error) {
	p := &posted{values: url.Values{}}
	var textBytes, fileBytes int64
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the form: %w", err)
		}
		if parts >= maxParts {
			return nil, fmt.Errorf("reading the form: more than %d parts: %w", maxParts, errTooLarge)
		}
		name := part.FormName()
		if name == "" || len(name) > maxKeyBytes || !utf8.ValidString(name) {
			if err := drain(part); err != nil {
				return nil, err
			}
			continue
		}
		filename, hasFilename := fileNameOf(part)
		if isFile(name) {
			if !hasFilename {
				if err := drain(part); err != nil {
					return nil, err
				}
				continue
			}
			data, over, err := readLimited(part, lim.MaxFileBytes)
			if err != nil {
				return nil, err
			}
			switch {
			case len(data) == 0 && !over:
				continue // an empty file input
			case over:
				p.fileErr = fmt.Sprintf("Each file can be at most %s.", human.Size(lim.MaxFileBytes))
				continue
			case len(p.files) >= lim.MaxFiles:
				p.fileErr = fmt.Sprintf("You can send at most %s.", human.Count(lim.MaxFiles, "file", "files"))
				continue
			case fileBytes+int64(len(data)) > lim.MaxTotalBytes:
				p.fileErr = fmt.Sprintf("The files can be at most %s together.", human.Size(lim.MaxTotalBytes))
				continue
			}
			fileBytes += int64(len(data))
			sum := sha256.Sum256(data)
			p.files = append(p.files, form.File{
				Meta: form.FileMeta{
					N: len(p.files) + 1, Question: name, Name: form.CleanFileName(filename),
					MediaType: mediaType(data), Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
				},
				Data: data,
			})
			continue
		}
		if hasFilename {
			if err := drain(part); err != nil {
				return nil, err
			}
			continue
		}
		data, over, err := readLimited(part, maxFieldBytes)
		if err != nil {
			return nil, err
		}
		textBytes += int64(len(data))
		if over || textBytes > maxTextBytes {
			return nil, fmt.Errorf("reading the form: %w", errTooLarge)
		}
		p.values.Add(name, string(data))
	}
}

// endReader passes a body through and notes whether the multipart body's
// closing delimiter went by. mime/multipart reports a body cut inside a
// part's header as a clean end (io.EOF): without this check a form cut short
// by a dropped connection could be sealed with answers missing.
type endReader struct {
	r     io.Reader
	mark  []byte // "\r\n--BOUNDARY--"
	carry []byte // the last len(mark)-1 bytes seen, across reads
	saw   bool
	start bool // the body may open with "--BOUNDARY--" (no parts at all)
}

func newEndReader(r io.Reader, boundary string) *endReader {
	return &endReader{r: r, mark: []byte("\r\n--" + boundary + "--"), carry: []byte("\r\n"), start: true}
}

func (e *endReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if n > 0 && !e.saw {
		buf := append(e.carry, p[:n]...)
		if bytes.Contains(buf, e.mark) {
			e.saw = true
		}
		if k := len(e.mark) - 1; len(buf) > k {
			buf = buf[len(buf)-k:]
		}
		e.carry = append(e.carry[:0:0], buf...)
	}
	return n, err
}

// readLimited reads at most max bytes; over says the part was longer (the
// rest is read past and dropped).
func readLimited(r io.Reader, max int64) ([]byte, bool, error) {
	var b bytes.Buffer
	n, err := io.Copy(&b, io.LimitReader(r, max+1))
	if err != nil {
		return nil, false, fmt.Errorf("reading the form: %w", err)
	}
	if n > max {
		return nil, true, drain(r)
	}
	return b.Bytes(), false, nil
}

func drain(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("reading the form: %w", err)
	}
	return nil
}

// fileNameOf returns the part's filename parameter and whether it has one
// (an empty file input sends filename="").
func fileNameOf(part *multipart.Part) (string, bool) {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil {
		return "", false
	}
	fn, ok := params["filename"]
	return fn, ok
}

// mediaType is what the bytes look like (never what the browser claimed).
func mediaType(data []byte) string {
	mt, _, err := mime.ParseMediaType(http.DetectContentType(data))
	if err != nil {
		return "application/octet-stream"
	}
	return mt
}
