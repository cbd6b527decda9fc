package app

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pkg/browser"

	"casevault/app/access"
)

func init() {
	matrixMore = append(matrixMore, func() []matrixOp {
		return []matrixOp{{name: "Session.StartIntake", verbs: vs(access.EditIntake), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
			run, err := s.StartIntake(ctx, IntakeStart{})
			if err == nil {
				err = run.Stop(ctx)
			}
			return err
		}}}
	})
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole], "Session.StartIntake")
}

var intakeCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// sendIntakeForm is a browser: it opens link, fills in a name and sends.
func sendIntakeForm(t *testing.T, link, name string, tlsConf *tls.Config) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 20 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConf}}
	r, err := hc.Get(link) // follows the redirect to /form
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	m := intakeCSRF.FindSubmatch(page)
	if r.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("the link led to %d: %s", r.StatusCode, page)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", string(m[1]))
	mw.WriteField("full_name", name)
	mw.WriteField("phone", "+1 555 010 0199")
	mw.WriteField("description", "A question about a lease.")
	mw.WriteField("consent", "yes")
	mw.Close()
	origin := r.Request.URL.Scheme + "://" + r.Request.URL.Host
	req, _ := http.NewRequest(http.MethodPost, origin+"/form", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", origin)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	thanks, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/thanks" || bytes.Contains(thanks, []byte(name)) {
		t.Fatalf("after sending: %d at %s: %s", resp.StatusCode, resp.Request.URL, thanks)
	}
}

func sealedFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "intake", "inbox", "*.age"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestStartIntakeWorksLocked: intake starts from an unlocked session, is
// audited, keeps taking submissions after the vault is locked, and stops
// from anywhere.
func TestStartIntakeWorksLocked(t *testing.T) {
	s, dir, _ := testSession(t)
	var got atomic.Int32
	run, err := s.StartIntake(ctx, IntakeStart{Area: "general", OnReceived: func() { got.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Stop(ctx)
	if e := lastAudit(t, s); e.Action != "intake.start" || !strings.Contains(e.Detail, "this computer only") {
		t.Errorf("audit %s %q", e.Action, e.Detail)
	}
	if _, err := s.StartIntake(ctx, IntakeStart{}); !errors.Is(err, ErrIntakeRunning) {
		t.Errorf("a second start = %v, want ErrIntakeRunning", err)
	}
	if !strings.Contains(Message(ErrIntakeRunning), "already running") {
		t.Errorf("Message = %q", Message(ErrIntakeRunning))
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if info, ok := IntakeRunning(dir); !ok || info.Mode != "loopback" {
		t.Fatalf("IntakeRunning = %+v, %v after the lock", info, ok)
	}
	sendIntakeForm(t, run.Link(), "Locked Vault Client", nil)
	if n := len(sealedFiles(t, dir)); n != 1 || got.Load() != 1 || run.Received() != 1 {
		t.Errorf("%d sealed, OnReceived %d, Received %d; want 1", n, got.Load(), run.Received())
	}
	if err := StopIntake(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if _, ok := IntakeRunning(dir); ok {
		t.Error("running after StopIntake")
	}
	// The next unlock brings it into the review queue.
	s2 := openTest(t, dir)
	list, total, err := s2.ListIntake(ctx, IntakeFilter{})
	if err != nil || total != 1 || len(list) != 1 || list[0].FullName != "Locked Vault Client" {
		t.Errorf("queue after unlock = %+v, %d, %v", list, total, err)
	}
	if err := StopIntake(ctx, dir); !errors.Is(err, ErrIntakeNotRunning) {
		t.Errorf("StopIntake again = %v", err)
	}
}

func TestStartIntakeUnknownArea(t *testing.T) {
	s, dir, _ := testSession(t)
	_, err := s.StartIntake(ctx, IntakeStart{Area: "no\x1b[31marea"})
	var fe *FieldError
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, "family") {
		t.Fatalf("unknown area = %v", err)
	}
	if _, ok := IntakeRunning(dir); ok {
		t.Error("running after a refused start")
	}
}

// TestStartIntakeLAN uses 127.0.0.2 (tests never touch the office network).
func TestStartIntakeLAN(t *testing.T) {
	s, dir, _ := testSession(t)
	run, err := s.StartIntake(ctx, IntakeStart{Area: "family", LAN: true, LANAddr: "127.0.0.2:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Stop(ctx)
	if !run.LAN() || !strings.HasPrefix(run.Link(), "https://127.0.0.2:") || run.Fingerprint() == "" {
		t.Fatalf("LAN %v link %q fingerprint %q", run.LAN(), run.Link(), run.Fingerprint())
	}
	if e := lastAudit(t, s); !strings.Contains(e.Detail, "office network (127.0.0.2:") {
		t.Errorf("audit detail %q", e.Detail)
	}
	if png, err := IntakeQR(run.Link()); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("IntakeQR: %v", err)
	}
	sendIntakeForm(t, run.Link(), "Tablet Client", &tls.Config{InsecureSkipVerify: true}) // the fingerprint is checked by a person
	if n := len(sealedFiles(t, dir)); n != 1 {
		t.Errorf("%d sealed", n)
	}
}

func TestOpenIntakeLink(t *testing.T) {
	var opened []string
	openURL = func(u string) error {
		opened = append(opened, u)
		browser.Stdout.Write([]byte("opener noise with the token"))
		return nil
	}
	defer func() { openURL = browser.OpenURL }()
	saved := browser.Stdout
	var out bytes.Buffer
	browser.Stdout = &out
	defer func() { browser.Stdout = saved }()
	for _, bad := range []string{"file:///etc/passwd", "javascript:alert(1)", "/start/x", "http://", "ftp://127.0.0.1/x"} {
		if err := OpenIntakeLink(bad); err == nil {
			t.Errorf("OpenIntakeLink(%q) = nil", bad)
		}
	}
	if err := OpenIntakeLink("http://127.0.0.1:1234/start/TOKEN"); err != nil {
		t.Fatal(err)
	}
	if len(opened) != 1 || opened[0] != "http://127.0.0.1:1234/start/TOKEN" {
		t.Errorf("opened %v", opened)
	}
	if out.Len() != 0 || browser.Stdout != &out {
		t.Errorf("the opener's output went to %q; Stdout restored: %v", out.String(), browser.Stdout == &out)
	}
	openURL = func(string) error { return os.ErrNotExist }
	if err := OpenIntakeLink("http://127.0.0.1:1/start/T"); !errors.Is(err, ErrNoBrowser) || strings.Contains(err.Error(), "/start/T") {
		t.Errorf("no browser = %v", err)
	}
}

var _ = context.Background
