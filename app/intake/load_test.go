package intake

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"casevault/app/intake/form"
)

// heavy: CASEVAULT_HEAVY=1 (make check) runs the full-size load test.
func heavy() bool { return os.Getenv("CASEVAULT_HEAVY") == "1" }

// heapWatch samples the live heap until stopped and reports its peak.
func heapWatch() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// uploadData is a client's upload, recognisable when opened.
func uploadData(client, n, size int) []byte {
	head := []byte(fmt.Sprintf("client %d submission %d;", client, n))
	return append(head, bytes.Repeat([]byte{byte('a' + client%26)}, size-len(head))...)
}

// TestLoadOnLoopback: 20 clients send 200 submissions (100 in make test,
// 200 of 1 MB each under CASEVAULT_HEAVY=1) at once, each with an upload; every accepted one is on disk, opens with the vault's key and is
// the one sent (none torn), and the heap stays bounded however many clients
// send at once (Limits.Concurrent bodies are held at a time).
func TestLoadOnLoopback(t *testing.T) {
	clients, each, size := 20, 10, 64<<10
	switch {
	case heavy():
		size = 1 << 20 // 200 submissions of 1 MB from 20 clients at once
	case testing.Short():
		each = 2
	default:
		each = 5 // 100 in make test, to keep it a few seconds on a busy machine
	}
	s := startTest(t)
	cs := make([]*client, clients)
	for i := range cs {
		cs[i] = openClient(t, s)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := heapWatch()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range cs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := 0; n < each; n++ {
				name := fmt.Sprintf("Client %d Number %d", i, n)
				if err := streamSubmit(cs[i], name, i, n, size); err != nil {
					errs <- fmt.Errorf("client %d submission %d: %w", i, n, err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	peak := stop()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := clients * each
	subs, files := sealedWithFiles(t, s)
	if len(subs) != total || s.Received() != total {
		t.Fatalf("%d on disk, %d received; want %d", len(subs), s.Received(), total)
	}
	seen := map[string]bool{}
	for k, sub := range subs {
		var i, n int
		if _, err := fmt.Sscanf(sub.FullName(), "Client %d Number %d", &i, &n); err != nil {
			t.Fatalf("a submission of %q", sub.FullName())
		}
		if seen[sub.FullName()] {
			t.Errorf("%s arrived twice", sub.FullName())
		}
		seen[sub.FullName()] = true
		if len(files[k]) != 1 || !bytes.Equal(files[k][0].Data, uploadData(i, n, size)) {
			t.Errorf("%s: its upload is not the one sent", sub.FullName())
		}
	}
	grew := int64(peak) - int64(base.HeapInuse)
	// The clients stream their bodies (streamSubmit), so the heap is the
	// server's: each submission in flight holds its upload and a copy or two
	// (reading, sealing); Concurrent (4) are in flight. Twenty clients
	// sending at once must not make it hold twenty.
	bound := int64(32<<20) + int64(s.lim.Concurrent)*int64(size)*6
	t.Logf("%d submissions of %d KB from %d clients in %v (%.0f/s); heap peak %d MB above the %d MB at start (bound %d MB)",
		total, size>>10, clients, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), grew>>20, base.HeapInuse>>20, bound>>20)
	if grew > bound {
		t.Errorf("the heap grew %d MB, more than %d MB", grew>>20, bound>>20)
	}
	if names := inboxNames(t, s); len(names) != total {
		t.Errorf("%d files in the inbox (temporary files left?)", len(names))
	}
}

// streamSubmit sends the form with an upload of size bytes made while it is
// sent (uploadData's bytes), so the client holds no copy of the body.
func streamSubmit(c *client, name string, client, n, size int) error {
	r := c.get("/form")
	m := csrfRE.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		return fmt.Errorf("GET /form = %d", r.status)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("csrf", m[1])
		for _, f := range goodFields(name) {
			mw.WriteField(f[0], f[1])
		}
		w, err := mw.CreateFormFile("id_document", "scan.pdf")
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		// uploadData's bytes, 32 KB at a time.
		head := []byte(fmt.Sprintf("client %d submission %d;", client, n))
		chunk := bytes.Repeat([]byte{byte('a' + client%26)}, 32<<10)
		w.Write(head)
		for left := size - len(head); left > 0; left -= len(chunk) {
			if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	req, err := http.NewRequest(http.MethodPost, c.origin+"/form", pr)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.origin)
	if r := c.do(req); r.status != http.StatusSeeOther {
		return fmt.Errorf("POST = %d: %s", r.status, r.body)
	}
	return nil
}

func trySubmit(c *client, name string, data []byte) error {
	r := c.get("/form")
	m := csrfRE.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		return fmt.Errorf("GET /form = %d", r.status)
	}
	ct, b := body(c.t, m[1], goodFields(name), []upload{{"id_document", "scan.pdf", data}})
	r = c.post(ct, b)
	if r.status != http.StatusSeeOther {
		return fmt.Errorf("POST = %d: %s", r.status, r.body)
	}
	return nil
}

// ---- fuzz ----

func fuzzSeeds(f *testing.F) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.SetBoundary("XyZ")
	mw.WriteField("full_name", "Jane Roe")
	mw.WriteField("consent", "yes")
	w, _ := mw.CreateFormFile("id_document", "p\x1b.png")
	w.Write([]byte("\x89PNG\r\n\x1a\n"))
	mw.Close()
	f.Add(b.Bytes())
	f.Add([]byte("--XyZ\r\nContent-Disposition: form-data; name=\"full_name\"\r\n\r\n\xff\xfe\r\n--XyZ--\r\n"))
	f.Add([]byte("--XyZ\r\nContent-Disposition: form-data; name=\"id_document\"; filename=\"\"\r\n\r\n\r\n--XyZ--\r\n"))
	f.Add([]byte("--XyZ\r\nContent-Disposition: form-data; name=\"other_files\"; filename=\"../../x\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=41=\r\n--XyZ--\r\n"))
	f.Add([]byte("--XyZ\r\n\r\n--XyZ--"))
	f.Add([]byte(""))
}

var fuzzLimits = form.Limits{MaxFiles: 3, MaxFileBytes: 1 << 10, MaxTotalBytes: 2 << 10, MaxSealedBytes: 1 << 20}

// FuzzReadForm: any body is read within the limits or refused; never more
// files, bytes or parts than allowed, never a file name with a folder or a
// control character.
func FuzzReadForm(f *testing.F) {
	fuzzSeeds(f)
	isFile := func(k string) bool { return k == "id_document" || k == "other_files" }
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := readForm(multipart.NewReader(bytes.NewReader(b), "XyZ"), fuzzLimits, isFile)
		if err != nil {
			return
		}
		if len(p.files) > fuzzLimits.MaxFiles {
			t.Fatalf("%d files", len(p.files))
		}
		var total int64
		for i, fl := range p.files {
			total += int64(len(fl.Data))
			if int64(len(fl.Data)) > fuzzLimits.MaxFileBytes || fl.Meta.N != i+1 || fl.Meta.Size != int64(len(fl.Data)) ||
				fl.Meta.Name != form.CleanFileName(fl.Meta.Name) || strings.ContainsAny(fl.Meta.Name, "/\\\x00\x1b") || !isFile(fl.Meta.Question) {
				t.Fatalf("file %+v", fl.Meta)
			}
		}
		if total > fuzzLimits.MaxTotalBytes {
			t.Fatalf("%d bytes of files", total)
		}
		var text int
		for k, vs := range p.values {
			if isFile(k) {
				t.Fatalf("a file field %q among the text", k)
			}
			for _, v := range vs {
				text += len(v)
			}
		}
		if text > maxTextBytes {
			t.Fatalf("%d bytes of text", text)
		}
	})
}

// FuzzSubmit posts any body, with a valid session and form token, through
// the whole handler: the answer is a redirect (and then exactly one more
// sealed file that opens) or a refusal page, never a server error; nothing
// half-written is left.
func FuzzSubmit(f *testing.F) {
	fuzzSeeds(f)
	dir := f.TempDir()
	s, err := Start(f.Context(), Config{Dir: dir, Recipient: testIdentity(f).Recipient().String(), Form: form.Default(), Area: "general",
		Limits: Limits{Form: fuzzLimits, MaxBody: 16 << 10, PerMinute: 1 << 30, Burst: 1 << 30}})
	if err != nil {
		f.Fatal(err)
	}
	h := s.local.Handler
	f.Fuzz(func(t *testing.T, b []byte) {
		s.mu.Lock()
		clear(s.sessions) // one session per run
		s.mu.Unlock()
		cookie := s.newSession()
		req := httptest.NewRequest(http.MethodPost, "http://"+s.Addr()+"/form", bytes.NewReader(b))
		req.Host = s.Addr()
		req.Header.Set("Origin", "http://"+s.Addr())
		req.Header.Set("Content-Type", "multipart/form-data; boundary=XyZ")
		req.AddCookie(&http.Cookie{Name: cookieName, Value: cookie})
		sess := s.session(req)
		tok := s.newFormToken(sess)
		// The token goes first, as the page puts it.
		req.Body = httpBody(append([]byte("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"+tok+"\r\n"), b...))
		req.ContentLength = -1
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		// The inbox is emptied after each run, so what is there is this run's.
		after := inboxNames(t, s)
		for _, n := range after {
			if strings.HasPrefix(n, ".tmp-") {
				t.Fatalf("a temporary file is left: %s", n)
			}
		}
		switch rec.Code {
		case http.StatusSeeOther:
			if len(after) != 1 {
				t.Fatalf("redirected with %d files in the inbox, want 1", len(after))
			}
			fh, err := os.Open(filepath.Join(s.inbox, after[0]))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = form.Open(fh, []string{testIdentity(t).String()}, fuzzLimits)
			fh.Close()
			if err != nil {
				t.Fatalf("the new file %s does not open: %v", after[0], err)
			}
		case http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			if len(after) != 0 {
				t.Fatalf("refused (%d) but %d files in the inbox", rec.Code, len(after))
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		for _, n := range after {
			os.Remove(filepath.Join(s.inbox, n))
		}
		if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Content-Security-Policy") == "" {
			t.Fatal("headers missing")
		}
	})
}

func httpBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
