package intake

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"image/png"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casevault/app/intake/form"
)

func TestRunFileAndLock(t *testing.T) {
	s := startTest(t)
	dir := s.cfg.Dir
	info, ok := Running(dir)
	if !ok {
		t.Fatal("Running = false while a server runs")
	}
	if info.PID != os.Getpid() || info.Mode != "loopback" || info.Addr != s.Addr() || info.Started.IsZero() {
		t.Errorf("run info = %+v", info)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "intake", runName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "start/") || strings.Contains(string(raw), strings.TrimPrefix(s.Link(), "http://"+s.Addr()+"/start/")) {
		t.Errorf("the run file holds the link: %s", raw)
	}
	fi, err := os.Stat(filepath.Join(dir, "intake"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("intake folder mode = %v, %v", fi.Mode(), err)
	}
	// A folder left open to others is made private again at the next start.
	if err := StopRunning(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "intake"), 0o755); err != nil {
		t.Fatal(err)
	}
	s = startTest(t, func(c *Config) { c.Dir = dir })
	fi, err = os.Stat(filepath.Join(dir, "intake"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("intake folder mode = %v, %v", fi.Mode(), err)
	}
	// One server per vault.
	_, err = Start(context.Background(), Config{Dir: dir, Recipient: s.cfg.Recipient, Form: form.Default()})
	if !errors.Is(err, ErrRunning) {
		t.Fatalf("second Start = %v, want ErrRunning", err)
	}
	// Stopped from "outside" (StopRunning finds it in this process).
	if err := StopRunning(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed after StopRunning")
	}
	if _, ok := Running(dir); ok {
		t.Error("Running after stop")
	}
	if _, err := os.Stat(filepath.Join(dir, "intake", runName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("run file left: %v", err)
	}
	if err := StopRunning(context.Background(), dir); !errors.Is(err, ErrNotRunning) {
		t.Errorf("StopRunning when stopped = %v, want ErrNotRunning", err)
	}
	if _, err := http.Get("http://" + s.Addr() + "/form"); err == nil {
		t.Error("the server still answers after Stop")
	}
	// A new server starts, and a stale run file (a crash) is not "running".
	s2 := startTest(t, func(c *Config) { c.Dir = dir })
	s2.lock.release()
	if _, ok := Running(dir); ok {
		t.Error("Running with the lock not held")
	}
}

func testCert(t testing.TB, ips ...net.IP) (*tls.Certificate, *x509.Certificate) {
	t.Helper()
	certDER, keyDER, err := NewCertificate(ips, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(certDER)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{certDER}, PrivateKey: key, Leaf: leaf}, leaf
}

// TestLANMode runs LAN mode on 127.0.0.2 (this workplace's rule: tests use
// loopback addresses only).
func TestLANMode(t *testing.T) {
	cert, leaf := testCert(t, net.ParseIP("127.0.0.2"))
	s := startTest(t, func(c *Config) { c.LAN = true; c.LANAddr = "127.0.0.2:0"; c.Cert = cert })
	if !s.LAN() || !strings.HasPrefix(s.Link(), "https://127.0.0.2:") || !strings.HasPrefix(s.LANAddr(), "127.0.0.2:") {
		t.Fatalf("LAN %v, link %q, addr %q", s.LAN(), s.Link(), s.LANAddr())
	}
	if s.Fingerprint() != Fingerprint(cert.Certificate[0]) {
		t.Errorf("fingerprint %q", s.Fingerprint())
	}
	if info, ok := Running(s.cfg.Dir); !ok || info.Mode != "lan" || info.LANAddr != s.LANAddr() {
		t.Errorf("run info %+v", info)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	tab := newClient(t, "https://"+s.LANAddr(), &tls.Config{RootCAs: pool})
	req, _ := http.NewRequest(http.MethodGet, s.Link(), nil)
	r := tab.do(req)
	if r.status != http.StatusSeeOther {
		t.Fatalf("link = %d: %s", r.status, r.body)
	}
	ck := r.header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "Secure", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie %q lacks %s", ck, want)
		}
	}
	if r.header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS on the LAN listener")
	}
	tab.submit("Tablet Person", []upload{{"id_document", "id.jpg", []byte("\xff\xd8\xff\xe0 jpeg")}})
	if subs := sealed(t, s); len(subs) != 1 || subs[0].FullName() != "Tablet Person" {
		t.Errorf("sealed %v", subs)
	}
	// The loopback listener still serves this computer; its cookie is not Secure.
	local := localClient(t, s)
	link, _ := s.LocalLink()
	req, _ = http.NewRequest(http.MethodGet, link, nil)
	if r := local.do(req); r.status != http.StatusSeeOther || strings.Contains(r.header.Get("Set-Cookie"), "Secure") {
		t.Errorf("local link = %d, cookie %q", r.status, r.header.Get("Set-Cookie"))
	}
	// Plain HTTP on the LAN port is not served.
	plain := newClient(t, "http://"+s.LANAddr(), nil)
	req, _ = http.NewRequest(http.MethodGet, "http://"+s.LANAddr()+"/form", nil)
	if resp, err := plain.hc.Do(req); err == nil {
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP served on the LAN port")
		}
		resp.Body.Close()
	}
	// A Host of the loopback listener is refused on the LAN one.
	req, _ = http.NewRequest(http.MethodGet, "https://"+s.LANAddr()+"/form", nil)
	req.Host = s.Addr()
	if r := tab.do(req); r.status != http.StatusMisdirectedRequest {
		t.Errorf("loopback Host on LAN = %d", r.status)
	}
	// The QR code: a PNG of the link, and the same as text.
	p, err := s.QR()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(p))
	if err != nil || img.Bounds().Dx() < 100 {
		t.Errorf("QR png: %v, %v", err, img)
	}
	txt := s.QRText()
	rows := strings.Split(strings.TrimSuffix(txt, "\n"), "\n")
	if len(rows) < 10 {
		t.Fatalf("QR text %q", txt)
	}
	for _, row := range rows {
		if len([]rune(row)) != len([]rune(rows[0])) {
			t.Fatalf("QR text rows differ in width:\n%s", txt)
		}
	}
}
