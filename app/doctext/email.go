package doctext

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Bounds of the e-mail walk: how deep messages and multiparts may nest, and
// how many parts are looked at in all.
const (
	maxMailDepth = 8
	maxMailParts = 500
)

// mailHeaders are the headers written before a message's body, in this order.
var mailHeaders = []string{"From", "To", "Cc", "Date", "Subject"}

// emailWalker writes the text of a message and of the parts it holds.
type emailWalker struct {
	ctx    context.Context
	w      *textWriter
	parts  int
	budget int64 // bytes the parts' bodies may still read in all
}

func extractEmail(ctx context.Context, w *textWriter, r io.ReaderAt, size int64) error {
	limit := inputCap(w.limit)
	in := bufio.NewReader(io.NewSectionReader(r, 0, min(size, limit)))
	// A message saved from a mailbox starts with its "From sender date" line.
	if head, _ := in.Peek(5); string(head) == "From " {
		if _, err := in.ReadSlice('\n'); err != nil {
			return fmt.Errorf("reading the e-mail's headers: %w: %v", ErrDamaged, err)
		}
	}
	msg, err := mail.ReadMessage(in)
	if err != nil {
		return fmt.Errorf("reading the e-mail's headers: %w: %v", ErrDamaged, err)
	}
	e := &emailWalker{ctx: ctx, w: w, budget: limit}
	return e.message(textproto.MIMEHeader(msg.Header), msg.Body, 0)
}

// wordDecoder decodes =?charset?Q?...?= words in headers; it knows UTF-8,
// ISO-8859-1 and US-ASCII, and Windows-1252 and UTF-16 through decodeString.
var wordDecoder = &mime.WordDecoder{
	CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "windows-1252", "cp1252", "iso-8859-15", "utf-16", "utf-16le", "utf-16be":
			p, err := io.ReadAll(io.LimitReader(input, 1<<16))
			if err != nil {
				return nil, err
			}
			return strings.NewReader(decodeString(p, charset)), nil
		}
		return nil, fmt.Errorf("unknown character set %q", charset)
	},
}

func decodeHeader(v string) string {
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// message writes a message's headers then its body.
func (e *emailWalker) message(h textproto.MIMEHeader, body io.Reader, depth int) error {
	for _, k := range mailHeaders {
		v := h.Get(k)
		if v == "" {
			continue
		}
		if err := e.w.WriteString(k + ": " + decodeHeader(v)); err != nil {
			return err
		}
		e.w.Break()
	}
	e.w.Break()
	e.w.Break()
	return e.entity(h, body, depth)
}

// entity writes the text of one MIME entity (a message's body or a part).
func (e *emailWalker) entity(h textproto.MIMEHeader, body io.Reader, depth int) error {
	if err := e.ctx.Err(); err != nil {
		return err
	}
	if depth > maxMailDepth {
		return nil
	}
	e.parts++
	if e.parts > maxMailParts {
		return nil
	}
	ctype, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ctype, params = "text/plain", nil
	}
	if name := attachmentName(h, params); name != "" && !strings.HasPrefix(ctype, "multipart/") {
		if err := e.w.WriteString("Attachment: " + name); err != nil {
			return err
		}
		e.w.Break()
		return nil
	}
	body = transferDecoder(h.Get("Content-Transfer-Encoding"), body)
	switch {
	case ctype == "multipart/alternative":
		return e.alternative(params["boundary"], body, depth)
	case strings.HasPrefix(ctype, "multipart/"):
		return e.multipart(params["boundary"], body, depth)
	case ctype == "message/rfc822" || ctype == "message/global":
		m, err := mail.ReadMessage(bufio.NewReader(body))
		if err != nil {
			return nil // a damaged attached message: keep the text found so far
		}
		e.w.Break()
		e.w.Break()
		return e.message(textproto.MIMEHeader(m.Header), m.Body, depth+1)
	case ctype == "text/html":
		p, err := e.read(body)
		if err != nil {
			return err
		}
		return writeHTML(e.ctx, e.w, decodeString(p, params["charset"]))
	case strings.HasPrefix(ctype, "text/") && ctype != "text/calendar" && ctype != "text/x-vcard" && ctype != "text/vcard":
		p, err := e.read(body)
		if err != nil {
			return err
		}
		return e.w.WriteString(decodeString(p, params["charset"]))
	}
	return nil
}

// read reads a part's body within the walk's budget. A damaged encoding
// keeps what was decoded before it.
func (e *emailWalker) read(body io.Reader) ([]byte, error) {
	p, _ := io.ReadAll(io.LimitReader(body, max(e.budget, 0)))
	e.budget -= int64(len(p))
	if err := e.ctx.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// attachmentName is the file name of an attached part, or "" for a part
// shown in the message (text without a name, or marked inline).
func attachmentName(h textproto.MIMEHeader, ctypeParams map[string]string) string {
	disp, dparams, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := ""
	if err == nil {
		name = dparams["filename"]
	}
	if name == "" {
		name = ctypeParams["name"]
	}
	name = strings.TrimSpace(decodeHeader(name))
	switch {
	case disp == "attachment":
		if name == "" {
			return "(no name)"
		}
		return name
	case disp == "inline":
		return ""
	}
	return name
}

// transferDecoder undoes a Content-Transfer-Encoding.
func transferDecoder(cte string, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: body})
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	}
	return body
}

// base64Cleaner drops what is not base64 (spaces, stray characters) so a
// sloppy encoder's part still decodes; padding ends it.
type base64Cleaner struct{ r io.Reader }

func (c *base64Cleaner) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		j := 0
		for _, b := range p[:n] {
			if b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=' {
				p[j] = b
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// multipart writes each part in turn.
func (e *emailWalker) multipart(boundary string, body io.Reader, depth int) error {
	if boundary == "" {
		return nil
	}
	mr := multipart.NewReader(body, boundary)
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			return nil // the end, or a damaged part: keep the text found so far
		}
		if err := e.part(p, depth); err != nil {
			return err
		}
		e.w.Break()
		e.w.Break()
	}
}

// part writes one part (its header keeps its transfer encoding: NextRawPart).
func (e *emailWalker) part(p *multipart.Part, depth int) error {
	return e.entity(p.Header, p, depth+1)
}

// alternative writes one of the parts that say the same thing: the first
// plain text one, or else the first other one (HTML, or a multipart holding
// it), kept in memory (within the budget) until the end shows there is no
// plain text.
func (e *emailWalker) alternative(boundary string, body io.Reader, depth int) error {
	if boundary == "" {
		return nil
	}
	mr := multipart.NewReader(body, boundary)
	var fallback textproto.MIMEHeader
	var fallbackBody []byte
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			break
		}
		ctype, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			ctype = "text/plain"
		}
		if ctype == "text/plain" {
			return e.part(p, depth)
		}
		if fallback == nil {
			b, err := e.read(p)
			if err != nil {
				return err
			}
			fallback, fallbackBody = p.Header, b
		}
	}
	if fallback == nil {
		return nil
	}
	return e.entity(fallback, bytes.NewReader(fallbackBody), depth+1)
}
