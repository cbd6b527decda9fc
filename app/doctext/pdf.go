package doctext

import (
	"bytes"
	"compress/flate"
	"compress/lzw"
	"compress/zlib"
	"context"
	"encoding/ascii85"
	"errors"
	"fmt"
	"io"
	"sort"
)

// Bounds of the PDF reader.
const (
	maxPDFObjects    = 1 << 18  // object headers remembered
	maxPDFWindow     = 8 << 20  // bytes read to parse one object (a huge /Kids array)
	maxPDFPages      = 1 << 16  // pages walked
	maxPDFFormDepth  = 8        // form XObjects inside form XObjects
	maxObjStmObjects = 1 << 16  // objects listed by one object stream
	pdfScanBlock     = 1 << 20  // bytes scanned at a time for object headers
	pdfScanOverlap   = 64       // bytes kept between blocks so a header cut by the edge is found
	pdfScanTail      = 8        // bytes at a block's end left to the next block
	maxPDFCached     = 1 << 14  // parsed objects kept
	maxPDFResolve    = 16       // references followed in a chain
	maxStreamSearch  = 64 << 20 // bytes searched for "endstream" when /Length is wrong
)

// maxPDFParse bounds the bytes of object syntax a document may parse in
// all (each parsed object is kept, at worst about 10 times its bytes): a
// file of objects that never end cannot make the reader parse it again and
// again. A variable so tests can lower it.
var maxPDFParse int64 = 16 << 20

// pdfStream is a stream object: its dictionary and where its data is.
type pdfStream struct {
	dict   pdfDict
	offset int64 // of the data's first byte in the file (or in memory: data)
	length int64
	data   []byte // set for streams held in memory
}

// objStmLoc says where an object in an object stream is.
type objStmLoc struct {
	stream int   // the object stream's number
	index  int   // its position in the stream
	at     int64 // the stream's file offset, to prefer the newer definition
}

// pdfDoc reads the objects of a PDF without its cross-reference table: a
// scan of the whole file finds every "n g obj" header (the last one of a
// number wins, as incremental updates append), and object streams add theirs.
type pdfDoc struct {
	ctx    context.Context
	r      io.ReaderAt
	size   int64
	budget int64 // bytes that may still be inflated

	offsets   map[int]int64 // object number -> offset of its header
	headers   []int64       // every header offset, in file order
	objstm    []int64       // headers of objects that mention /ObjStm
	xrefs     []int64       // headers of objects that mention /XRef
	catalogs  []int64       // headers of objects that mention /Catalog
	encrypts  []int64       // headers of objects that mention /Encrypt
	trailers  []int64       // offsets of "trailer" keywords
	inStreams map[int]objStmLoc

	cache    map[int]any    // parsed objects (pdfDict, *pdfStream...)
	objStms  map[int][]byte // decoded object streams
	objStmAt map[int][]int  // their objects' offsets
	fonts    map[pdfRef]*pdfFont
	depth    int   // object calls in progress
	parsed   int64 // bytes of object syntax parsed (maxPDFParse)
}

func newPDFDoc(ctx context.Context, r io.ReaderAt, size int64) *pdfDoc {
	return &pdfDoc{
		ctx: ctx, r: r, size: size, budget: maxInflate,
		offsets: map[int]int64{}, inStreams: map[int]objStmLoc{},
		cache: map[int]any{}, objStms: map[int][]byte{}, objStmAt: map[int][]int{},
		fonts: map[pdfRef]*pdfFont{},
	}
}

func extractPDF(ctx context.Context, w *textWriter, r io.ReaderAt, size int64) error {
	d := newPDFDoc(ctx, r, size)
	if err := d.scan(); err != nil {
		return err
	}
	if len(d.offsets) == 0 {
		return fmt.Errorf("reading the PDF: %w: no PDF objects in it", ErrDamaged)
	}
	if d.encrypted() {
		return fmt.Errorf("%w: the PDF is protected by a password or encrypted, so its text cannot be read", ErrNoText)
	}
	d.loadObjectStreams()
	p := &pdfText{doc: d, w: w}
	err := p.pages()
	if errors.Is(err, errNoPages) {
		err = p.allStreams()
	}
	if err != nil {
		return err
	}
	if w.Len() == 0 {
		return fmt.Errorf("%w: the PDF has no text layer (a scan without recognised text, perhaps)", ErrNoText)
	}
	return nil
}

// scan reads the file block by block and notes where objects start and
// which mention the keys looked for later.
func (d *pdfDoc) scan() error {
	buf := make([]byte, min(pdfScanBlock, d.size))
	step := int64(pdfScanBlock - pdfScanOverlap)
	for start := int64(0); start < d.size; start += step {
		if err := d.ctx.Err(); err != nil {
			return err
		}
		n, err := d.r.ReadAt(buf[:min(int64(len(buf)), d.size-start)], start)
		if n == 0 && err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("reading the PDF at byte %d: %w", start, err)
		}
		block := buf[:n]
		last := start+int64(n) >= d.size || n < pdfScanBlock
		from, to := 0, len(block)
		if start > 0 {
			from = pdfScanOverlap - pdfScanTail
		}
		if !last {
			to = len(block) - pdfScanTail
		}
		d.scanBlock(block, start, from, to)
		if last {
			return nil
		}
	}
	return nil
}

// scanBlock notes the headers and keys found at block[from:to] (block
// starts at file offset base; the bytes before from are context).
func (d *pdfDoc) scanBlock(block []byte, base int64, from, to int) {
	for i := from; i < to; {
		j := bytes.Index(block[i:], []byte("obj"))
		if j < 0 {
			break
		}
		at := i + j
		i = at + 3
		if at >= to {
			break
		}
		if at+3 < len(block) && !isPDFSpace(block[at+3]) && !isPDFDelim(block[at+3]) {
			continue // "objects", "endobj" is handled below
		}
		if num, h, ok := headerBefore(block, at); ok && len(d.headers) < maxPDFObjects {
			off := base + int64(h)
			if len(d.headers) == 0 || d.headers[len(d.headers)-1] < off {
				d.headers = append(d.headers, off)
				d.offsets[num] = off
			}
		}
	}
	note := func(key string, list *[]int64) {
		for i := from; i < to; {
			j := bytes.Index(block[i:], []byte(key))
			if j < 0 || i+j >= to {
				return
			}
			i += j + len(key)
			if key == "trailer" {
				*list = append(*list, base+int64(i))
				continue
			}
			if h := d.headerAtOrBefore(base + int64(i)); h >= 0 && (len(*list) == 0 || (*list)[len(*list)-1] != h) {
				*list = append(*list, h)
			}
		}
	}
	note("/ObjStm", &d.objstm)
	note("/XRef", &d.xrefs)
	note("/Catalog", &d.catalogs)
	note("/Encrypt", &d.encrypts)
	note("trailer", &d.trailers)
}

// headerBefore reads "num gen " backwards from the "obj" at block[at]; it
// returns the number and where the header starts.
func headerBefore(block []byte, at int) (num, start int, ok bool) {
	i := at - 1
	skipSpaces := func() bool {
		n := 0
		for i >= 0 && isPDFSpace(block[i]) {
			i--
			n++
		}
		return n > 0
	}
	digits := func() (int, bool) {
		end := i
		for i >= 0 && end-i < 10 && block[i] >= '0' && block[i] <= '9' {
			i--
		}
		if i == end {
			return 0, false
		}
		v := 0
		for _, c := range block[i+1 : end+1] {
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	if !skipSpaces() {
		return 0, 0, false
	}
	if _, ok := digits(); !ok {
		return 0, 0, false
	}
	if !skipSpaces() {
		return 0, 0, false
	}
	num, ok = digits()
	if !ok || (i >= 0 && !isPDFSpace(block[i]) && !isPDFDelim(block[i])) {
		return 0, 0, false
	}
	return num, i + 1, true
}

// headerAtOrBefore is the last object header at or before off, or -1.
func (d *pdfDoc) headerAtOrBefore(off int64) int64 {
	k := sort.Search(len(d.headers), func(i int) bool { return d.headers[i] > off })
	if k == 0 {
		return -1
	}
	return d.headers[k-1]
}

// encrypted reports whether a trailer or a cross-reference stream names an
// /Encrypt dictionary.
func (d *pdfDoc) encrypted() bool {
	for _, off := range d.trailers {
		if dict, ok := d.parseAt(off, false).(pdfDict); ok && dict["Encrypt"] != nil {
			return true
		}
	}
	for _, h := range d.encrypts {
		var dict pdfDict
		switch v := d.parseAt(h, true).(type) {
		case pdfDict:
			dict = v
		case *pdfStream:
			dict = v.dict
		}
		if dict["Encrypt"] != nil && (dict.name("Type") == "XRef" || dict["Root"] != nil) {
			return true
		}
	}
	return false
}

// parseAt parses what is at off: with header, an "n g obj" object (a
// *pdfStream for a stream), without, a bare object (a trailer's
// dictionary). nil when it cannot be read.
func (d *pdfDoc) parseAt(off int64, header bool) any {
	for window := int64(4 << 10); ; window *= 8 {
		n := min(window, d.size-off)
		if n <= 0 || d.parsed >= maxPDFParse {
			return nil
		}
		buf := make([]byte, n)
		got, err := d.r.ReadAt(buf, off)
		if got == 0 && err != nil {
			return nil
		}
		buf = buf[:got]
		v, used, err := d.parseObject(buf, off, header)
		d.parsed += int64(used)
		if err == nil {
			return v
		}
		if !errors.Is(err, errPDFEnd) || int64(got) < n || window >= maxPDFWindow || off+n >= d.size {
			return v
		}
	}
}

// parseObject parses an object from buf (at file offset off); used is the
// bytes it read.
func (d *pdfDoc) parseObject(buf []byte, off int64, header bool) (v any, used int, err error) {
	l := &pdfLexer{b: buf, refs: true}
	if header {
		for range 3 { // num gen obj
			if _, err := l.token(); err != nil {
				return nil, l.pos, err
			}
		}
	}
	v, err = l.object(0)
	if err != nil {
		return v, l.pos, err
	}
	dict, ok := v.(pdfDict)
	if !ok || !header {
		return v, l.pos, nil
	}
	save := l.pos
	if t, err := l.token(); err != nil || t != pdfKeyword("stream") {
		return v, save, nil
	}
	// The data starts after the end of line that follows "stream".
	if l.pos < len(buf) && buf[l.pos] == '\r' {
		l.pos++
	}
	if l.pos < len(buf) && buf[l.pos] == '\n' {
		l.pos++
	}
	return &pdfStream{dict: dict, offset: off + int64(l.pos), length: -1}, l.pos, nil
}

// resolve follows references to the object they name (nil when missing).
func (d *pdfDoc) resolve(v any) any {
	for range maxPDFResolve {
		ref, ok := v.(pdfRef)
		if !ok {
			return v
		}
		v = d.object(ref.num)
	}
	return nil
}

// dict resolves v and returns it as a dictionary (a stream's dictionary too).
func (d *pdfDoc) dict(v any) pdfDict {
	switch t := d.resolve(v).(type) {
	case pdfDict:
		return t
	case *pdfStream:
		return t.dict
	}
	return nil
}

// object returns object num: parsed from the file or an object stream.
func (d *pdfDoc) object(num int) any {
	if v, ok := d.cache[num]; ok {
		return v
	}
	if d.depth >= maxPDFResolve {
		return nil // a chain of streams whose /Length is the next stream
	}
	d.depth++
	defer func() { d.depth-- }()
	d.cache[num] = nil // while it is read, a reference back to it finds nothing
	var v any
	off, direct := d.offsets[num]
	loc, packed := d.inStreams[num]
	switch {
	case packed && (!direct || loc.at > off):
		v = d.packedObject(loc)
	case direct:
		v = d.parseAt(off, true)
	}
	if s, ok := v.(*pdfStream); ok {
		d.measure(s)
	}
	if len(d.cache) <= maxPDFCached {
		d.cache[num] = v
	} else {
		delete(d.cache, num)
	}
	return v
}

// measure sets a stream's length: its /Length when "endstream" follows
// there, else the distance to the next "endstream".
func (d *pdfDoc) measure(s *pdfStream) {
	if n, ok := pdfInt(d.resolve(s.dict["Length"])); ok && n >= 0 && s.offset+n <= d.size {
		tail := make([]byte, 32)
		got, _ := d.r.ReadAt(tail, s.offset+n)
		if bytes.HasPrefix(bytes.TrimLeft(tail[:got], "\r\n \t\f\x00"), []byte("endstream")) {
			s.length = n
			return
		}
	}
	// Search for "endstream", a block at a time.
	buf := make([]byte, min(256<<10, max(d.size-s.offset, 16)))
	for at := s.offset; at < d.size && at-s.offset < maxStreamSearch; at += int64(len(buf) - 16) {
		if d.ctx.Err() != nil {
			break
		}
		got, _ := d.r.ReadAt(buf[:min(int64(len(buf)), d.size-at)], at)
		if got == 0 {
			break
		}
		if i := bytes.Index(buf[:got], []byte("endstream")); i >= 0 {
			end := at + int64(i)
			// Drop the end of line before it.
			for end > s.offset {
				c := make([]byte, 1)
				if _, err := d.r.ReadAt(c, end-1); err != nil || (c[0] != '\n' && c[0] != '\r') {
					break
				}
				end--
			}
			s.length = end - s.offset
			return
		}
		if int64(got) < int64(len(buf)) || len(buf) <= 16 {
			break
		}
	}
	s.length = min(d.size-s.offset, maxStreamSearch)
}

// loadObjectStreams reads the object streams the scan found and notes the
// objects they hold.
func (d *pdfDoc) loadObjectStreams() {
	for _, h := range d.objstm {
		if d.ctx.Err() != nil {
			return
		}
		s, ok := d.parseAt(h, true).(*pdfStream)
		if !ok || s.dict.name("Type") != "ObjStm" {
			continue
		}
		num := d.numberAt(h)
		if num < 0 {
			continue
		}
		d.measure(s)
		n, _ := pdfInt(s.dict["N"])
		first, _ := pdfInt(s.dict["First"])
		if n <= 0 || n > maxObjStmObjects || first < 0 {
			continue
		}
		data, err := d.streamData(s)
		if err != nil || int64(len(data)) < first {
			continue
		}
		l := &pdfLexer{b: data[:first]}
		var offs []int
		for i := int64(0); i < n; i++ {
			a, err1 := l.token()
			b, err2 := l.token()
			on, ok1 := pdfInt(a)
			oo, ok2 := pdfInt(b)
			if err1 != nil || err2 != nil || !ok1 || !ok2 || on < 0 || oo < 0 || first+oo > int64(len(data)) {
				break
			}
			offs = append(offs, int(first+oo))
			if prev, ok := d.inStreams[int(on)]; !ok || prev.at < h {
				d.inStreams[int(on)] = objStmLoc{stream: num, index: len(offs) - 1, at: h}
			}
		}
		d.objStms[num] = data
		d.objStmAt[num] = offs
	}
}

// numberAt is the object number of the header at off, or -1.
func (d *pdfDoc) numberAt(off int64) int {
	buf := make([]byte, 32)
	got, _ := d.r.ReadAt(buf, off)
	l := &pdfLexer{b: buf[:got]}
	t, err := l.token()
	if n, ok := pdfInt(t); err == nil && ok && n >= 0 && n < 1<<31 {
		return int(n)
	}
	return -1
}

// packedObject parses an object held in an object stream.
func (d *pdfDoc) packedObject(loc objStmLoc) any {
	data, offs := d.objStms[loc.stream], d.objStmAt[loc.stream]
	if loc.index >= len(offs) {
		return nil
	}
	if d.parsed >= maxPDFParse {
		return nil
	}
	l := &pdfLexer{b: data[offs[loc.index]:], refs: true}
	v, _ := l.object(0)
	d.parsed += int64(l.pos)
	return v
}

// errBudget says the bytes a document may inflate are spent.
var errBudget = errors.New("the PDF holds more data than this reader inflates")

// streamData decodes a stream's data through its filters, within the
// document's budget: the data read is cut where the budget runs out.
func (d *pdfDoc) streamData(s *pdfStream) ([]byte, error) {
	if d.budget <= 0 {
		return nil, errBudget
	}
	var raw io.Reader
	if s.data != nil {
		raw = bytes.NewReader(s.data)
	} else {
		if s.length < 0 {
			d.measure(s)
		}
		raw = io.NewSectionReader(d.r, s.offset, max(s.length, 0))
	}
	filters := d.resolve(s.dict["Filter"])
	var list []any
	switch f := filters.(type) {
	case pdfName:
		list = []any{f}
	case pdfArray:
		list = f
	}
	if len(list) > 4 {
		return nil, errors.New("too many filters")
	}
	r := raw
	for _, f := range list {
		name, _ := d.resolve(f).(pdfName)
		switch name {
		case "FlateDecode", "Fl":
			r = inflater(r)
		case "ASCIIHexDecode", "AHx":
			r = &asciiHexReader{r: r}
		case "LZWDecode", "LZW":
			// Go's LZW is the PDF one (MSB first, 8-bit literals, code width
			// growing one code early); /EarlyChange 0 is not read.
			r = lzw.NewReader(r, lzw.MSB, 8)
		case "ASCII85Decode", "A85":
			r = ascii85.NewDecoder(&a85Cleaner{r: r})
		default:
			return nil, fmt.Errorf("a stream filter this reader does not decode (%s)", name)
		}
	}
	// A predictor (used by cross-reference streams and images) is not undone:
	// text streams do not use one.
	data, err := io.ReadAll(io.LimitReader(r, d.budget))
	d.budget -= int64(len(data))
	if err != nil && len(data) == 0 {
		return nil, err
	}
	return data, nil // damaged compressed data keeps what was inflated before it
}

// inflater reads zlib data, or raw deflate data when the zlib header is missing.
func inflater(r io.Reader) io.Reader {
	var head [2]byte
	n, _ := io.ReadFull(r, head[:])
	joined := io.MultiReader(bytes.NewReader(head[:n]), r)
	if n == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		if zr, err := zlib.NewReader(joined); err == nil {
			return zr
		}
		return bytes.NewReader(nil)
	}
	return flate.NewReader(joined)
}

// asciiHexReader decodes ASCIIHexDecode data up to its '>'.
type asciiHexReader struct {
	r    io.Reader
	hi   byte
	half bool
	done bool
	buf  [512]byte
}

func (a *asciiHexReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && !a.done {
		m, err := a.r.Read(a.buf[:min(len(a.buf), 2*(len(p)-n)+1)])
		for _, c := range a.buf[:m] {
			if c == '>' {
				a.done = true
				break
			}
			v, ok := unhexDigit(c)
			if !ok {
				continue
			}
			if a.half {
				p[n] = a.hi<<4 | v
				n++
			} else {
				a.hi = v
			}
			a.half = !a.half
		}
		if err != nil {
			a.done = true
		}
		if m == 0 && err == nil {
			continue
		}
		if n > 0 {
			break
		}
	}
	if n == 0 && a.done {
		return 0, io.EOF
	}
	return n, nil
}

// a85Cleaner passes ASCII85 data up to its "~>" end.
type a85Cleaner struct {
	r    io.Reader
	done bool
}

func (c *a85Cleaner) Read(p []byte) (int, error) {
	if c.done {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	if i := bytes.IndexByte(p[:n], '~'); i >= 0 {
		c.done = true
		return i, nil
	}
	return n, err
}
