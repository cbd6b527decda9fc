package intake

import (
	"crypto/ecdsa"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"
)

func TestNewCertificate(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	ip := net.ParseIP("127.0.0.2")
	certDER, keyDER, err := NewCertificate([]net.IP{ip}, now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(certDER)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		t.Fatal(err)
	}
	if pk, ok := k.(*ecdsa.PrivateKey); !ok || pk.Curve.Params().Name != "P-256" {
		t.Errorf("key %T, want ECDSA P-256", k)
	}
	if len(c.IPAddresses) != 1 || !c.IPAddresses[0].Equal(ip) || len(c.DNSNames) != 0 {
		t.Errorf("SANs = %v %v", c.IPAddresses, c.DNSNames)
	}
	if !c.NotAfter.Equal(now.Add(CertValidity)) || c.NotBefore.After(now) {
		t.Errorf("valid %v to %v", c.NotBefore, c.NotAfter)
	}
	if _, _, err := NewCertificate(nil, now); err == nil {
		t.Error("a certificate for no address")
	}
	fp := Fingerprint(certDER)
	if len(fp) != 32*3-1 || strings.ToUpper(fp) != fp || strings.Count(fp, ":") != 31 {
		t.Errorf("fingerprint %q", fp)
	}
}

func TestFirstPrivate(t *testing.T) {
	cidr := func(s string) net.Addr {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	// Pure: no address here is listened on or sent to.
	got := firstPrivate([]net.Addr{cidr("127.0.0.1/8"), cidr("::1/128"), cidr("8.8.8.8/24"), cidr("fd00::1/64"), cidr("192.168.7.20/24"), cidr("10.1.2.3/8")})
	if got.String() != "192.168.7.20" {
		t.Errorf("firstPrivate = %v", got)
	}
	if ip := firstPrivate([]net.Addr{cidr("127.0.0.1/8")}); ip != nil {
		t.Errorf("firstPrivate of loopback only = %v", ip)
	}
}
