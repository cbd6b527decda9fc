package intake

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"casevault/app/intake/form"
)

func TestSubmitSealsThenThanks(t *testing.T) {
	var onSealed atomic.Int32
	clock := newClock()
	s := startTest(t, func(c *Config) { c.OnSealed = func() { onSealed.Add(1) }; c.Now = clock.Now })
	c := localClient(t, s)
	c.open(s.Link())

	photo := bytes.Repeat([]byte("\x89PNG\r\n\x1a\nCANARY-PHOTO "), 1000)
	ct, b := body(t, c.formToken(), goodFields("Jane CANARY Roe"), []upload{
		{field: "id_document", name: `C:\Users\jane\passport.png`, data: photo},
		{field: "other_files", name: "", data: nil}, // an empty file input
	})
	r := c.post(ct, b)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/thanks" {
		t.Fatalf("POST = %d %q: %s", r.status, r.header.Get("Location"), r.body)
	}
	// A changed cookie with the redirect evicts the filled-in page from
	// Chromium's back/forward cache: a new value at every send.
	sentValue := func(r resp) string {
		for _, ck := range (&http.Response{Header: r.header}).Cookies() {
			if ck.Name == sentCookie && ck.HttpOnly && ck.SameSite == http.SameSiteStrictMode && ck.Path == "/" {
				return ck.Value
			}
		}
		return ""
	}
	first := sentValue(r)
	ct2, b2 := body(t, c.formToken(), goodFields("Second Person"), nil)
	r2 := c.post(ct2, b2)
	if first == "" || sentValue(r2) == "" || sentValue(r2) == first {
		t.Errorf("the redirects' cookies: %q then %q, want two different values", first, sentValue(r2))
	}
	if err := os.Remove(filepath.Join(s.inbox, sealedIDs(t, s, "Second Person")+".age")); err != nil {
		t.Fatal(err)
	}
	// Sealed on disk before the redirect: it is there now.
	subs, files := sealedWithFiles(t, s)
	if len(subs) != 1 {
		t.Fatalf("%d sealed submissions, want 1", len(subs))
	}
	sub := subs[0]
	if sub.FullName() != "Jane CANARY Roe" || sub.PracticeArea != "general" || !sub.Consent ||
		sub.Session != s.runID || !sub.ReceivedAt.Equal(s.now().UTC().Truncate(time.Millisecond)) {
		t.Errorf("sealed submission = %+v", sub)
	}
	if len(files[0]) != 1 || !bytes.Equal(files[0][0].Data, photo) || files[0][0].Meta.Name != "passport.png" ||
		files[0][0].Meta.Question != "id_document" || files[0][0].Meta.MediaType != "image/png" {
		t.Errorf("sealed files = %+v", files[0])
	}
	if s.Received() != 2 || onSealed.Load() != 2 {
		t.Errorf("Received = %d, OnSealed called %d times; want 2, 2", s.Received(), onSealed.Load())
	}
	// The thank-you page shows no answer; the next form is empty.
	th := c.get("/thanks")
	if th.status != http.StatusOK || strings.Contains(th.body, "CANARY") || strings.Contains(th.body, "landlord") {
		t.Errorf("GET /thanks = %d: %s", th.status, th.body)
	}
	next := c.get("/form")
	if next.status != http.StatusOK || strings.Contains(next.body, "CANARY") {
		t.Errorf("the next form is not empty: %s", next.body)
	}
	if !strings.Contains(next.body, `autocomplete="off"`) {
		t.Errorf("the form has no autocomplete=\"off\": %s", next.body)
	}
	// Nothing but the sealed file in the intake folder.
	if names := inboxNames(t, s); len(names) != 1 || !strings.HasSuffix(names[0], ".age") {
		t.Errorf("inbox = %v", names)
	}
}

func TestHeadersOnEveryResponse(t *testing.T) {
	s := startTest(t)
	c := localClient(t, s)
	check := func(what string, r resp) {
		t.Helper()
		for k, v := range securityHeaders {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", what, k, got, v)
			}
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: no Cache-Control: no-store", what)
		}
		if v := r.header.Get("Server"); v != "" {
			t.Errorf("%s: a Server header %q", what, v)
		}
		if r.status >= 400 && (strings.Contains(strings.ToLower(r.body), "vault") || strings.Contains(r.body, "casevault")) {
			t.Errorf("%s: the page mentions the vault: %s", what, r.body)
		}
	}
	check("404", c.get("/nothing"))
	check("no session", c.get("/form"))
	check("bad link", c.get("/start/nope"))
	check("css", c.get("/static/style.css"))
	link, _ := s.LocalLink()
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	check("start", c.do(req))
	check("form", c.get("/form"))
	check("thanks", c.get("/thanks"))
}

func TestOnlyKnownPaths(t *testing.T) {
	s := startTest(t)
	c := openClient(t, s)
	for _, p := range []string{"/", "/static/", "/static", "/static/../form", "/static/style.css/", "/form/", "/thanks/x",
		"/start", "/intake/inbox", "/server.json", "/.git", "/%2e%2e/", "/static/%2e%2e/%2e%2e/server.json"} {
		r := c.get(p)
		if r.status != http.StatusNotFound && r.status != http.StatusMovedPermanently && r.status != http.StatusForbidden {
			t.Errorf("GET %s = %d, want 404: %s", p, r.status, r.body)
		}
		if r.status == http.StatusMovedPermanently && !strings.HasPrefix(r.header.Get("Location"), "/") {
			t.Errorf("GET %s redirects to %q", p, r.header.Get("Location"))
		}
	}
	if r := c.get("/static/style.css"); r.status != http.StatusOK || r.header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("style.css = %d %q", r.status, r.header.Get("Content-Type"))
	}
	req, _ := http.NewRequest(http.MethodDelete, c.origin+"/form", nil)
	if r := c.do(req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /form = %d", r.status)
	}
}

func TestLinks(t *testing.T) {
	clock := newClock()
	s := startTest(t, func(c *Config) { c.Now = clock.Now; c.Limits.LinkTTL = 10 * time.Minute })
	c := localClient(t, s)
	for _, p := range []string{"/start/", "/start/wrong", "/start/" + strings.Repeat("A", 43)} {
		if r := c.get(p); r.status != http.StatusForbidden || !strings.Contains(r.body, msgBadLink) {
			t.Errorf("GET %s = %d: %s", p, r.status, r.body)
		}
	}
	if r := c.get("/form"); r.status != http.StatusForbidden {
		t.Errorf("a wrong link gave a session: /form = %d", r.status)
	}
	// Single use.
	link := s.Link()
	c.open(link)
	if r := c.get(strings.TrimPrefix(link, c.origin)); r.status != http.StatusForbidden {
		t.Errorf("the link worked twice: %d", r.status)
	}
	// Expiry: a link works until its time is up, not after.
	late, err := s.LocalLink()
	if err != nil {
		t.Fatal(err)
	}
	soon, _ := s.LocalLink()
	clock.Add(10*time.Minute - time.Second)
	localClient(t, s).open(soon)
	clock.Add(2 * time.Second)
	c2 := localClient(t, s)
	if r := c2.get(strings.TrimPrefix(late, c.origin)); r.status != http.StatusForbidden {
		t.Errorf("an expired link = %d, want 403", r.status)
	}
	if r := c2.get("/form"); r.status != http.StatusForbidden {
		t.Errorf("an expired link gave a session: /form = %d", r.status)
	}
}

func TestSessionExpires(t *testing.T) {
	clock := newClock()
	s := startTest(t, func(c *Config) { c.Now = clock.Now; c.Limits.SessionTTL = time.Hour })
	c := openClient(t, s)
	clock.Add(59 * time.Minute)
	if r := c.get("/form"); r.status != http.StatusOK {
		t.Fatalf("/form after 59 minutes = %d", r.status)
	}
	clock.Add(61 * time.Minute)
	if r := c.get("/form"); r.status != http.StatusForbidden {
		t.Errorf("/form after an hour unused = %d, want 403", r.status)
	}
}

func TestTooManyLinksAndSessions(t *testing.T) {
	clock := newClock()
	s := startTest(t, func(c *Config) { c.Limits.MaxSessions = 3; c.Now = clock.Now; c.Limits.SessionTTL = time.Hour })
	// Link() is one.
	if _, err := s.NewLink(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewLink(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewLink(); err == nil {
		t.Error("a fourth open link was made with MaxSessions 3")
	}
	// A used link is a session: it still counts.
	c := localClient(t, s)
	c.open(s.Link())
	if _, err := s.LocalLink(); err == nil {
		t.Error("a link was made with a session and two links open (MaxSessions 3)")
	}
	// Links and sessions that ended make room.
	clock.Add(2 * time.Hour)
	if _, err := s.NewLink(); err != nil {
		t.Errorf("no link after the others expired: %v", err)
	}
}

func TestStartFailsCleanly(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	rcpt := testIdentity(t).Recipient().String()
	for _, c := range []Config{
		{Dir: dir, Recipient: rcpt, Form: form.Default(), Addr: busy.Addr().String()},
		{Dir: dir, Recipient: rcpt, Form: form.Default(), LAN: true, LANAddr: busy.Addr().String(), Cert: &tls.Certificate{Certificate: [][]byte{{1}}}},
	} {
		if s, err := Start(context.Background(), c); err == nil {
			s.Stop(context.Background())
			t.Fatalf("started on a busy address %s", busy.Addr())
		}
		if _, ok := Running(dir); ok {
			t.Fatal("running after a failed start")
		}
	}
	// The lock was released: a start on a free port works.
	s := startTest(t, func(c *Config) { c.Dir = dir })
	if _, ok := Running(dir); !ok || s.Addr() == busy.Addr().String() {
		t.Error("no server after the failed starts")
	}
}

func TestHostChecked(t *testing.T) {
	s := startTest(t)
	c := openClient(t, s)
	_, port, _ := strings.Cut(s.Addr(), ":")
	for _, host := range []string{"evil.example:" + port, "localhost:" + port, "127.0.0.1", "127.0.0.1:1", "127.0.0.1:" + port + ".evil.example"} {
		req, _ := http.NewRequest(http.MethodGet, c.origin+"/form", nil)
		req.Host = host
		r := c.do(req)
		if r.status != http.StatusMisdirectedRequest || strings.Contains(r.body, "csrf") {
			t.Errorf("Host %q: %d, want 421: %s", host, r.status, r.body)
		}
	}
	// A post through a rebound name is refused before its body is read.
	ct, b := body(t, c.formToken(), goodFields("Rebound"), nil)
	req, _ := http.NewRequest(http.MethodPost, c.origin+"/form", bytes.NewReader(b))
	req.Host = "evil.example:" + port
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", "http://evil.example:"+port)
	if r := c.do(req); r.status != http.StatusMisdirectedRequest {
		t.Errorf("rebound post = %d", r.status)
	}
	if n := len(inboxNames(t, s)); n != 0 {
		t.Errorf("%d files sealed", n)
	}
}

func TestOriginChecked(t *testing.T) {
	s := startTest(t)
	c := openClient(t, s)
	cases := []struct {
		name    string
		headers map[string]string
		ok      bool
	}{
		{"other site", map[string]string{"Origin": "http://evil.example"}, false},
		{"null", map[string]string{"Origin": "null"}, false},
		{"other port", map[string]string{"Origin": "http://127.0.0.1:1"}, false},
		{"https", map[string]string{"Origin": "https://" + s.Addr()}, false},
		{"none", map[string]string{}, false},
		{"referer elsewhere", map[string]string{"Referer": "http://evil.example/form"}, false},
		{"referer prefix trick", map[string]string{"Referer": c.origin + ".evil.example/"}, false},
		{"cross-site fetch", map[string]string{"Origin": c.origin, "Sec-Fetch-Site": "cross-site"}, false},
		{"referer ours", map[string]string{"Referer": c.origin + "/form"}, true},
		{"origin ours", map[string]string{"Origin": c.origin, "Sec-Fetch-Site": "same-origin"}, true},
	}
	sent := 0
	for _, tc := range cases {
		ct, b := body(t, c.formToken(), goodFields("Origin "+tc.name), nil)
		req, _ := http.NewRequest(http.MethodPost, c.origin+"/form", bytes.NewReader(b))
		req.Header.Set("Content-Type", ct)
		for k, v := range tc.headers {
			req.Header.Set(k, v)
		}
		r := c.do(req)
		if tc.ok {
			sent++
			if r.status != http.StatusSeeOther {
				t.Errorf("%s: %d, want 303: %s", tc.name, r.status, r.body)
			}
		} else if r.status != http.StatusForbidden || !strings.Contains(r.body, msgBadOrigin) {
			t.Errorf("%s: %d, want 403: %s", tc.name, r.status, r.body)
		}
	}
	if n := len(sealed(t, s)); n != sent {
		t.Errorf("%d sealed, want %d", n, sent)
	}
}

func TestNoSessionNoPost(t *testing.T) {
	s := startTest(t)
	c := openClient(t, s)
	tok := c.formToken()
	other := localClient(t, s) // no link used
	ct, b := body(t, tok, goodFields("Nobody"), nil)
	if r := other.post(ct, b); r.status != http.StatusForbidden || !strings.Contains(r.body, msgNoSession) {
		t.Errorf("post without a session = %d: %s", r.status, r.body)
	}
	// A token from another session is refused.
	third := openClient(t, s)
	if r := third.post(ct, b); r.status != http.StatusForbidden || !strings.Contains(r.body, msgOldForm) {
		t.Errorf("post with another session's token = %d: %s", r.status, r.body)
	}
	// No token at all.
	ct, b = body(t, "", goodFields("No token"), nil)
	if r := c.post(ct, b); r.status != http.StatusForbidden {
		t.Errorf("post without a token = %d: %s", r.status, r.body)
	}
	if n := len(inboxNames(t, s)); n != 0 {
		t.Errorf("%d files sealed", n)
	}
}

func TestSecondSubmitOfTheSameForm(t *testing.T) {
	s := startTest(t)
	c := openClient(t, s)
	ct, b := body(t, c.formToken(), goodFields("Twice"), nil)
	if r := c.post(ct, b); r.status != http.StatusSeeOther {
		t.Fatalf("first post = %d: %s", r.status, r.body)
	}
	r := c.post(ct, b)
	if r.status != http.StatusConflict || !strings.Contains(r.body, msgAlreadySent) {
		t.Errorf("second post = %d: %s", r.status, r.body)
	}
	if n := len(sealed(t, s)); n != 1 {
		t.Errorf("%d sealed, want 1", n)
	}
	// A form refused for its answers cannot be sent again from the old page
	// either: the old page is stale, the new one is shown.
	tok := c.formToken()
	ct, b = body(t, tok, [][2]string{{"consent", "yes"}}, nil)
	if r := c.post(ct, b); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("post without a name = %d: %s", r.status, r.body)
	}
	ct, b = body(t, tok, goodFields("Stale"), nil)
	if r := c.post(ct, b); r.status != http.StatusForbidden || !strings.Contains(r.body, msgOldForm) {
		t.Errorf("post from the stale page = %d: %s", r.status, r.body)
	}
}

func TestOversizeBody(t *testing.T) {
	s := startTest(t, func(c *Config) {
		c.Limits.Form = form.Limits{MaxFiles: 5, MaxFileBytes: 64 << 10, MaxTotalBytes: 128 << 10}
		c.Limits.MaxBody = 256 << 10
	})
	c := openClient(t, s)
	ct, b := body(t, c.formToken(), goodFields("Big"), []upload{{field: "id_document", name: "a.bin", data: make([]byte, 300<<10)}})
	if r := c.post(ct, b); r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, msgTooLarge) {
		t.Errorf("oversize (Content-Length) = %d: %s", r.status, r.body)
	}
	// Without a Content-Length (chunked), the reader stops at the limit.
	ct, b = body(t, c.formToken(), goodFields("Big"), []upload{{field: "id_document", name: "a.bin", data: make([]byte, 300<<10)}})
	req, _ := http.NewRequest(http.MethodPost, c.origin+"/form", struct{ *bytes.Reader }{bytes.NewReader(b)})
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", c.origin)
	req.ContentLength = -1
	if r := c.do(req); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize (chunked) = %d: %s", r.status, r.body)
	}
	// A text answer over its limit.
	ct, b = body(t, c.formToken(), append(goodFields("Long"), [2]string{"description", strings.Repeat("x", maxFieldBytes+1)}), nil)
	if r := c.post(ct, b); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize answer = %d: %s", r.status, r.body)
	}
	if n := len(inboxNames(t, s)); n != 0 {
		t.Errorf("%d files in the inbox", n)
	}
}

func TestFileLimits(t *testing.T) {
	s := startTest(t, func(c *Config) {
		c.Limits.Form = form.Limits{MaxFiles: 2, MaxFileBytes: 10 << 10, MaxTotalBytes: 15 << 10}
	})
	c := openClient(t, s)
	small := bytes.Repeat([]byte("x"), 8<<10)
	cases := []struct {
		name  string
		files []upload
		msg   string
	}{
		{"too many files", []upload{{"id_document", "1", []byte("a")}, {"other_files", "2", []byte("b")}, {"other_files", "3", []byte("c")}}, "at most 2 files"},
		{"one too large", []upload{{"id_document", "big", make([]byte, 10<<10+1)}}, "Each file can be at most"},
		{"too large together", []upload{{"id_document", "1", small}, {"other_files", "2", small}}, "together"},
	}
	for _, tc := range cases {
		ct, b := body(t, c.formToken(), goodFields("Files NAMEKEPT"), tc.files)
		r := c.post(ct, b)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.msg) {
			t.Errorf("%s: %d, want 422 with %q: %s", tc.name, r.status, tc.msg, r.body)
		}
		if !strings.Contains(r.body, "NAMEKEPT") {
			t.Errorf("%s: the answers were not kept on the page shown again", tc.name)
		}
	}
	if n := len(inboxNames(t, s)); n != 0 {
		t.Errorf("%d files in the inbox", n)
	}
	// Exactly at the limits is fine.
	c.submit("At the limit", []upload{{"id_document", "1", make([]byte, 10<<10)}, {"other_files", "2", make([]byte, 5<<10)}})
}

func TestMalformedMultipart(t *testing.T) {
	s := startTest(t, benchLimits) // many posts
	c := openClient(t, s)
	tok := c.formToken()
	ct, good := body(t, tok, goodFields("Malformed"), nil)
	cases := []struct {
		name, ctype string
		body        []byte
	}{
		{"not multipart", "application/x-www-form-urlencoded", []byte("csrf=" + tok + "&full_name=X&consent=yes")},
		{"no boundary", "multipart/form-data", good},
		{"wrong boundary", "multipart/form-data; boundary=nothere", good},
		{"cut short", ct, good[:len(good)/2]},
		{"garbage", ct, []byte("\x00\x01\x02--garbage")},
		{"bad content type", "multipart/form-data; boundary=\"", good},
		{"empty", ct, nil},
	}
	for _, tc := range cases {
		r := c.post(tc.ctype, tc.body)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, msgUnreadable) {
			t.Errorf("%s: %d, want 400: %s", tc.name, r.status, r.body)
		}
	}
	// Cut anywhere (a dropped connection), even inside a part's header where
	// mime/multipart sees a clean end: never sealed, never a refusal of the
	// answers (which would spend the token).
	for cut := 0; cut < len(good)-2; cut += 3 { // the last 2 bytes: the CRLF after the closing delimiter
		if r := c.post(ct, good[:cut]); r.status != http.StatusBadRequest {
			t.Fatalf("cut at %d of %d: %d, want 400: %s", cut, len(good), r.status, r.body)
		}
	}
	if n := len(inboxNames(t, s)); n != 0 {
		t.Errorf("%d files in the inbox", n)
	}
	// The token was never used: the good body still goes through.
	if r := c.post(ct, good); r.status != http.StatusSeeOther {
		t.Errorf("the good body after the bad ones = %d: %s", r.status, r.body)
	}
}

func TestBadTextShownBesideTheField(t *testing.T) {
	s := startTest(t)
	c := openClient(t, s)
	for _, v := range []string{"Jane \xff\xfe Roe", "Jane \x1b[31mRoe", "Jane\x00Roe"} {
		ct, b := body(t, c.formToken(), [][2]string{{"full_name", v}, {"consent", "yes"}}, nil)
		r := c.post(ct, b)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("full_name %q: %d, want 422: %s", v, r.status, r.body)
		}
		if !strings.Contains(r.body, `id="e-full_name"`) {
			t.Errorf("full_name %q: no error beside the field: %s", v, r.body)
		}
		if strings.Contains(r.body, "\x1b") || strings.Contains(r.body, "\x00") || strings.Contains(r.body, "\xff") {
			t.Errorf("full_name %q: the page repeats the bad bytes", v)
		}
	}
	if n := len(inboxNames(t, s)); n != 0 {
		t.Errorf("%d files in the inbox", n)
	}
}

func TestHostileFileNames(t *testing.T) {
	s := startTest(t)
	c := openClient(t, s)
	names := []string{"../../etc/passwd", "\x1b]0;pwned\x07evil.pdf", "a\u202egpj.exe", "", "..", `C:\x\..\y.png`, strings.Repeat("é", 300)}
	var files []upload
	for i, n := range names[:4] {
		files = append(files, upload{field: "other_files", name: n, data: []byte(fmt.Sprint("file ", i))})
	}
	c.submit("Names", files)
	_, fs := sealedWithFiles(t, s)
	for _, f := range fs[0] {
		n := f.Meta.Name
		if strings.ContainsAny(n, "/\\\x1b\x07\u202e") || n == "" || n == ".." {
			t.Errorf("a file kept the name %q", n)
		}
	}
}

// failingFile fails its writes after n bytes, as a full disk does.
type failingFile struct {
	*os.File
	n int
}

func (f *failingFile) Write(p []byte) (int, error) {
	if len(p) > f.n {
		w, _ := f.File.Write(p[:f.n])
		f.n = 0
		return w, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	f.n -= len(p)
	return f.File.Write(p)
}

func TestDiskFullWhileSealing(t *testing.T) {
	s := startTest(t)
	s.createTemp = func(dir, pattern string) (tempFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		return &failingFile{File: f, n: 300}, nil
	}
	c := openClient(t, s)
	ct, b := body(t, c.formToken(), goodFields("Disk Full"), []upload{{"id_document", "p.png", make([]byte, 100<<10)}})
	r := c.post(ct, b)
	if r.status != http.StatusInternalServerError || !strings.Contains(r.body, msgNotSaved) {
		t.Errorf("disk full = %d: %s", r.status, r.body)
	}
	if names := inboxNames(t, s); len(names) != 0 {
		t.Errorf("half-written files left: %v", names)
	}
	if s.Received() != 0 {
		t.Errorf("Received = %d", s.Received())
	}
	// Space again: the same page can be sent (the token was not spent as sent).
	s.createTemp = osCreateTemp
	ct, b = body(t, c.formToken(), goodFields("Disk Full"), nil)
	if r := c.post(ct, b); r.status != http.StatusSeeOther {
		t.Errorf("after the disk had room again: %d: %s", r.status, r.body)
	}
}

func TestFolderSyncFailsLeavesNothing(t *testing.T) {
	s := startTest(t)
	s.syncDir = func(string) error { return syscall.EIO }
	c := openClient(t, s)
	ct, b := body(t, c.formToken(), goodFields("No Sync"), nil)
	if r := c.post(ct, b); r.status != http.StatusInternalServerError || !strings.Contains(r.body, msgNotSaved) {
		t.Errorf("folder sync failed = %d: %s", r.status, r.body)
	}
	if names := inboxNames(t, s); len(names) != 0 {
		t.Errorf("files left: %v", names)
	}
}

func TestVaultFolderGone(t *testing.T) {
	s := startTest(t)
	c := openClient(t, s)
	tok := c.formToken()
	if err := os.RemoveAll(s.cfg.Dir); err != nil {
		t.Fatal(err)
	}
	ct, b := body(t, tok, goodFields("Gone"), nil)
	r := c.post(ct, b)
	if r.status != http.StatusInternalServerError || !strings.Contains(r.body, msgNotSaved) {
		t.Errorf("vault folder gone = %d: %s", r.status, r.body)
	}
	if _, err := os.Lstat(s.cfg.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the vault folder was made again: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	clock := newClock()
	s := startTest(t, func(c *Config) { c.Now = clock.Now; c.Limits.PerMinute = 60; c.Limits.Burst = 3 })
	// Without a session: per address.
	anon := localClient(t, s)
	for i := 0; i < 3; i++ {
		if r := anon.get("/start/guess"); r.status != http.StatusForbidden {
			t.Fatalf("guess %d = %d", i, r.status)
		}
	}
	if r := anon.get("/start/guess"); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("fourth guess = %d, want 429", r.status)
	}
	// The link itself is refused too: guessing cannot go faster than the limit.
	req, _ := http.NewRequest(http.MethodGet, s.Link(), nil)
	if r := anon.do(req); r.status != http.StatusTooManyRequests {
		t.Errorf("link while limited = %d", r.status)
	}
	clock.Add(2 * time.Second) // two requests' worth
	c := localClient(t, s)
	c.open(s.Link())
	// With a session: its own bucket (3), refilled with time.
	for i := 0; i < 3; i++ {
		if r := c.get("/form"); r.status != http.StatusOK {
			t.Fatalf("form %d = %d", i, r.status)
		}
	}
	if r := c.get("/form"); r.status != http.StatusTooManyRequests {
		t.Errorf("fourth form = %d, want 429", r.status)
	}
	clock.Add(time.Second)
	if r := c.get("/form"); r.status != http.StatusOK {
		t.Errorf("after a second = %d, want 200", r.status)
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	l := newLimiter(60, 2, 100)
	now := time.Unix(0, 0)
	for i := 0; i < 10000; i++ {
		l.take(fmt.Sprint("10.0.", i/256, ".", i%256), now)
		if len(l.buckets) > 100 {
			t.Fatalf("%d buckets, max 100", len(l.buckets))
		}
	}
	// A limited address stays limited while others come and go, as long as
	// its bucket has not refilled.
	l = newLimiter(60, 2, 3)
	l.take("a", now)
	l.take("a", now)
	if l.take("a", now) {
		t.Fatal("third take allowed")
	}
	l.take("b", now)
	l.take("c", now)
	if l.take("a", now) {
		t.Error("a limited address was forgotten while its bucket was empty")
	}
}

func TestStartRefuses(t *testing.T) {
	good := func() Config {
		return Config{Dir: t.TempDir(), Recipient: testIdentity(t).Recipient().String(), Form: form.Default()}
	}
	cases := []struct {
		name string
		mod  func(*Config)
	}{
		{"no folder", func(c *Config) { c.Dir = filepath.Join(c.Dir, "missing") }},
		{"no form", func(c *Config) { c.Form = nil }},
		{"unknown area", func(c *Config) { c.Area = "no-such-area" }},
		{"bad key", func(c *Config) { c.Recipient = "age1notakey" }},
		{"identity instead of recipient", func(c *Config) { c.Recipient = testIdentity(t).String() }},
		{"all addresses", func(c *Config) { c.Addr = "0.0.0.0:0" }},
		{"a name", func(c *Config) { c.Addr = "localhost:0" }},
		{"LAN without certificate", func(c *Config) { c.LAN = true; c.LANAddr = "127.0.0.2:0" }},
	}
	for _, tc := range cases {
		c := good()
		tc.mod(&c)
		s, err := Start(context.Background(), c)
		if err == nil {
			s.Stop(context.Background())
			t.Errorf("%s: started", tc.name)
			continue
		}
		if !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", tc.name, err)
		}
		if strings.Contains(err.Error(), "AGE-SECRET-KEY") {
			t.Errorf("%s: the error shows a key: %v", tc.name, err)
		}
		if _, ok := Running(c.Dir); ok {
			t.Errorf("%s: Running after a refused start", tc.name)
		}
	}
}

func TestContextEndStops(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, Config{Dir: dir, Recipient: testIdentity(t).Recipient().String(), Form: form.Default()})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop when its context ended")
	}
	if _, ok := Running(dir); ok {
		t.Error("Running after the context ended")
	}
	if _, err := s.NewLink(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("NewLink after stop = %v", err)
	}
}

func TestChooseAreaFirst(t *testing.T) {
	s := startTest(t, func(c *Config) { c.Area = "" })
	c := openClient(t, s)
	r := c.get("/form")
	if r.status != http.StatusOK || csrfRE.MatchString(r.body) || !strings.Contains(r.body, `name="area"`) {
		t.Fatalf("GET /form without an area should offer the areas: %d %s", r.status, r.body)
	}
	r = c.get("/form?area=general")
	m := csrfRE.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("GET /form?area=general: no form: %s", r.body)
	}
	ct, b := body(t, m[1], append(goodFields("Area Chosen"), [2]string{"area", "general"}), nil)
	if r := c.post(ct, b); r.status != http.StatusSeeOther {
		t.Fatalf("post = %d: %s", r.status, r.body)
	}
	if subs := sealed(t, s); len(subs) != 1 || subs[0].PracticeArea != "general" {
		t.Errorf("sealed %+v", subs)
	}
	// An unknown area posted: the choice again, nothing sealed.
	r = c.get("/form?area=general")
	m = csrfRE.FindStringSubmatch(r.body)
	ct, b = body(t, m[1], append(goodFields("Area Unknown"), [2]string{"area", "<script>"}), nil)
	if r := c.post(ct, b); r.status != http.StatusUnprocessableEntity || strings.Contains(r.body, "<script>") {
		t.Errorf("unknown area = %d: %s", r.status, r.body)
	}
	if n := len(sealed(t, s)); n != 1 {
		t.Errorf("%d sealed", n)
	}
}

// TestConcurrentSubmissionsBounded: however many clients post at once, at
// most Limits.Concurrent bodies are read and sealed at a time.
func TestConcurrentSubmissionsBounded(t *testing.T) {
	s := startTest(t, func(c *Config) { c.Limits.Concurrent = 2 })
	var inside, most atomic.Int32
	release := make(chan struct{})
	s.createTemp = func(dir, pattern string) (tempFile, error) {
		n := inside.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		inside.Add(-1)
		return os.CreateTemp(dir, pattern)
	}
	const posts = 6
	cs := make([]*client, posts)
	bodies := make([][]byte, posts)
	ctypes := make([]string, posts)
	for i := range cs {
		cs[i] = openClient(t, s)
		ctypes[i], bodies[i] = body(t, cs[i].formToken(), goodFields(fmt.Sprint("Person ", i)), nil)
	}
	done := make(chan int, posts)
	for i := range cs {
		go func(i int) { done <- cs[i].post(ctypes[i], bodies[i]).status }(i)
	}
	// Let the posts pile up, then let them through one by one.
	deadline := time.After(10 * time.Second)
	for inside.Load() < 2 {
		select {
		case <-deadline:
			t.Fatal("no post reached sealing")
		case <-time.After(5 * time.Millisecond):
		}
	}
	time.Sleep(50 * time.Millisecond) // time for any unbounded post to get in too
	for i := 0; i < posts; i++ {
		release <- struct{}{}
	}
	for i := 0; i < posts; i++ {
		if st := <-done; st != http.StatusSeeOther {
			t.Errorf("post = %d", st)
		}
	}
	if most.Load() != 2 {
		t.Errorf("%d submissions were sealed at once, limit 2", most.Load())
	}
}

// TestConnectionsBounded: connections beyond the limit wait for a free
// slot; closing one lets the next in.
func TestConnectionsBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newLimitListener(ln, 2)
	defer l.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	var dialed []net.Conn
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		dialed = append(dialed, c)
	}
	first := <-accepted
	<-accepted
	select {
	case <-accepted:
		t.Fatal("a third connection was accepted with a limit of 2")
	case <-time.After(100 * time.Millisecond):
	}
	first.Close()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("closing a connection did not let the next in")
	}
	_ = dialed
}

// TestSlowClientCut: a client that sends its headers too slowly is cut off
// (ReadHeaderTimeout), and one that sends its body too slowly too (ReadTimeout).
func TestSlowClientCut(t *testing.T) {
	s := startTest(t, func(c *Config) {
		c.Limits.ReadHeaderTimeout = 200 * time.Millisecond
		c.Limits.ReadTimeout = 400 * time.Millisecond
	})
	for _, start := range []string{
		"GET /form HTTP/1.1\r\nHost: " + s.Addr() + "\r\n", // headers never end
		"POST /form HTTP/1.1\r\nHost: " + s.Addr() + "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 1000\r\n\r\n--x", // body never ends
	} {
		conn, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		conn.Write([]byte(start))
		began := time.Now()
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = io.ReadAll(conn)
		conn.Close()
		if err != nil || time.Since(began) > 3*time.Second {
			t.Errorf("%q: not cut off in time (%v, %v)", start[:20], time.Since(began), err)
		}
	}
}

// TestNoPlaintextOnDisk: after a submission with a large upload, no byte
// of an answer or of the upload is anywhere under the vault folder or in
// the temporary folder (a private one for this test).
func TestNoPlaintextOnDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s := startTest(t)
	c := openClient(t, s)
	const canary = "CANARY-7f3a9c"
	data := bytes.Repeat([]byte(canary+" upload "), (3<<20)/len(canary+" upload "))
	c.submit("Jane "+canary+" Roe", []upload{{"id_document", canary + ".png", data}})
	if n := len(sealed(t, s)); n != 1 {
		t.Fatalf("%d sealed", n)
	}
	for _, root := range []string{s.cfg.Dir, tmp} {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(canary)) || strings.Contains(p, canary) {
				t.Errorf("plaintext in %s", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
