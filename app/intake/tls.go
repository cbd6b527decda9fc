package intake

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// CertValidity is how long a LAN certificate made by NewCertificate is valid.
const CertValidity = 365 * 24 * time.Hour

// NewCertificate makes the vault's self-signed certificate for LAN mode:
// ECDSA P-256, valid for the given addresses only (no names), for a year
// from an hour before now. keyDER is PKCS#8. The tablet's browser warns
// about it (nobody vouches for it); the lawyer compares its fingerprint.
func NewCertificate(ips []net.IP, now time.Time) (certDER, keyDER []byte, err error) {
	if len(ips) == 0 {
		return nil, nil, errors.New("making the intake certificate: no address")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("making the intake certificate's key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("making the intake certificate: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "casevault client intake"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(CertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IPAddresses:           ips,
	}
	certDER, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("making the intake certificate: %w", err)
	}
	keyDER, err = x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("making the intake certificate: %w", err)
	}
	return certDER, keyDER, nil
}

// Fingerprint is the SHA-256 of a certificate as upper-case hex pairs
// separated by colons ("AB:CD:…"), as browsers show it.
func Fingerprint(certDER []byte) string {
	sum := sha256.Sum256(certDER)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// ErrNoLAN: this computer has no private IPv4 address on the office network.
var ErrNoLAN = errors.New("this computer is not connected to an office network")

// LANAddress is this computer's first private IPv4 address (10/8,
// 172.16/12, 192.168/16), the one LAN mode listens on.
func LANAddress() (net.IP, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("finding this computer's network address: %w", err)
	}
	if ip := firstPrivate(addrs); ip != nil {
		return ip, nil
	}
	return nil, ErrNoLAN
}

func firstPrivate(addrs []net.Addr) net.IP {
	for _, a := range addrs {
		var ip net.IP
		switch v := a.(type) {
		case *net.IPNet:
			ip = v.IP
		case *net.IPAddr:
			ip = v.IP
		}
		if ip4 := ip.To4(); ip4 != nil && ip4.IsPrivate() {
			return ip4
		}
	}
	return nil
}
