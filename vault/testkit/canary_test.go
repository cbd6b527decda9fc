package testkit

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// TestFindLeaks checks the scanner itself: each encoding, at each alignment,
// inside random bytes, is found; random bytes alone are not.
func TestFindLeaks(t *testing.T) {
	for _, c := range []string{"CANARY-Marguerite-Okonkwo-7731", "canary-matter-2026-CV-00417-custody", "CANARY-Zoë-Ørsted"} {
		plain := func(pre int) []byte {
			b := make([]byte, pre)
			rand.Read(b)
			b = append(b, c...)
			tail := make([]byte, 7)
			rand.Read(tail)
			return append(b, tail...)
		}
		for pre := 0; pre < 3; pre++ {
			for name, enc := range map[string][]byte{
				"raw":       plain(pre),
				"lower":     []byte(strings.ToLower(string(plain(pre)))),
				"base64":    []byte(base64.StdEncoding.EncodeToString(plain(pre))),
				"base64url": []byte(base64.RawURLEncoding.EncodeToString(plain(pre))),
				"hex":       []byte(hex.EncodeToString(plain(pre))),
				"HEX":       []byte(strings.ToUpper(hex.EncodeToString(plain(pre)))),
			} {
				if len(FindLeaks(enc, c)) == 0 {
					t.Fatalf("the scan misses %q as %s after %d bytes", c, name, pre)
				}
			}
		}
		var le, be []byte
		for _, r := range "x" + c + "y" {
			le = append(le, byte(r), byte(r>>8))
			be = append(be, byte(r>>8), byte(r))
		}
		if len(FindLeaks(le, c)) == 0 || len(FindLeaks(be, c)) == 0 {
			t.Fatalf("the scan misses %q as UTF-16", c)
		}
		noise := make([]byte, 1<<16)
		rand.Read(noise)
		if found := FindLeaks(noise, c); len(found) > 0 {
			t.Fatalf("false positive in random bytes: %v", found)
		}
	}
}
