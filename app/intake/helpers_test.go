package intake

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"casevault/app/intake/form"
)

// The test identity: a real X25519 key pair, made once (it is cheap).
var (
	testIDOnce sync.Once
	testID     *age.X25519Identity
)

func testIdentity(t testing.TB) *age.X25519Identity {
	t.Helper()
	testIDOnce.Do(func() {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			panic(err)
		}
		testID = id
	})
	return testID
}

// fakeClock is a settable Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 12, 2, 19, 30, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// startTest starts a server on a new vault folder on 127.0.0.1 with the
// default form and the "general" area; mod changes the config first.
func startTest(t testing.TB, mod ...func(*Config)) *Server {
	t.Helper()
	c := Config{
		Dir:       t.TempDir(),
		Recipient: testIdentity(t).Recipient().String(),
		Form:      form.Default(),
		Area:      "general",
		Addr:      "127.0.0.1:0",
	}
	for _, m := range mod {
		m(&c)
	}
	s, err := Start(context.Background(), c)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Stop(ctx)
	})
	return s
}

// client is one browser: a cookie jar, no redirects followed, our Origin
// on posts.
type client struct {
	t      testing.TB
	hc     *http.Client
	origin string
}

func newClient(t testing.TB, origin string, tlsConf *tls.Config) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{TLSClientConfig: tlsConf, MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{t: t, origin: origin, hc: &http.Client{
		Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// resp is a response read whole.
type resp struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(req *http.Request) resp {
	c.t.Helper()
	r, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		c.t.Fatalf("%s %s: reading: %v", req.Method, req.URL, err)
	}
	return resp{status: r.StatusCode, header: r.Header, body: string(b)}
}

func (c *client) get(path string) resp {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.origin+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// open uses a one-time link and checks it leads to the form.
func (c *client) open(link string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, link, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	r := c.do(req)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/form" {
		c.t.Fatalf("GET %s = %d %q, want 303 to /form; body %s", link, r.status, r.header.Get("Location"), r.body)
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formToken shows the form and returns its CSRF token.
func (c *client) formToken() string {
	c.t.Helper()
	r := c.get("/form")
	if r.status != http.StatusOK {
		c.t.Fatalf("GET /form = %d: %s", r.status, r.body)
	}
	m := csrfRE.FindStringSubmatch(r.body)
	if m == nil {
		c.t.Fatalf("the form page has no csrf token: %s", r.body)
	}
	return m[1]
}

type upload struct {
	field, name string
	data        []byte
}

// body builds a multipart body: csrf first, then fields, then files.
func body(t testing.TB, csrf string, fields [][2]string, files []upload) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	for _, u := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, u.field, u.name))
		h.Set("Content-Type", "application/octet-stream")
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(u.data)
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// post sends a body to /form with our Origin.
func (c *client) post(ctype string, b []byte) resp {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.origin+"/form", bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Origin", c.origin)
	return c.do(req)
}

// goodFields are answers the default form accepts in the general area.
func goodFields(name string) [][2]string {
	return [][2]string{{"full_name", name}, {"phone", "+1 555 010 0199"}, {"description", "A dispute with a landlord."}, {"consent", "yes"}}
}

// submit sends one good form with files and checks it was received.
func (c *client) submit(name string, files []upload) {
	c.t.Helper()
	ct, b := body(c.t, c.formToken(), goodFields(name), files)
	r := c.post(ct, b)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/thanks" {
		c.t.Fatalf("POST /form = %d %q, want 303 to /thanks: %s", r.status, r.header.Get("Location"), r.body)
	}
}

// sealed opens every sealed file of the inbox with the test identity.
func sealed(t testing.TB, s *Server) []*form.Submission {
	t.Helper()
	subs, _ := sealedWithFiles(t, s)
	return subs
}

func sealedWithFiles(t testing.TB, s *Server) ([]*form.Submission, [][]form.File) {
	t.Helper()
	ents, err := os.ReadDir(s.inbox)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var subs []*form.Submission
	var files [][]form.File
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".age") {
			t.Errorf("unexpected file in the inbox: %s", e.Name())
			continue
		}
		f, err := os.Open(filepath.Join(s.inbox, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sub, fs, err := form.Open(f, []string{testIdentity(t).String()}, s.lim.Form)
		f.Close()
		if err != nil {
			t.Fatalf("opening %s: %v", e.Name(), err)
		}
		if e.Name() != sub.ID+".age" {
			t.Errorf("file %s holds submission %s", e.Name(), sub.ID)
		}
		subs = append(subs, sub)
		files = append(files, fs)
	}
	return subs, files
}

// inboxNames lists the inbox (nil when it does not exist).
func inboxNames(t testing.TB, s *Server) []string {
	t.Helper()
	ents, err := os.ReadDir(s.inbox)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func localClient(t testing.TB, s *Server) *client {
	return newClient(t, "http://"+s.Addr(), nil)
}

// openClient is a client that has used a fresh one-time link.
func openClient(t testing.TB, s *Server) *client {
	t.Helper()
	c := localClient(t, s)
	link, err := s.LocalLink()
	if err != nil {
		t.Fatal(err)
	}
	c.open(link)
	return c
}

var _ = url.Values{}

// sealedIDs is the id of the sealed submission of the person named.
func sealedIDs(t testing.TB, s *Server, name string) string {
	t.Helper()
	for _, sub := range sealed(t, s) {
		if sub.FullName() == name {
			return sub.ID
		}
	}
	t.Fatalf("no submission of %s", name)
	return ""
}
