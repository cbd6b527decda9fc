package testkit

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf16"
)

// LeakForms returns the byte strings one of which is in any data that holds
// s in a common encoding: raw, lower and upper case (full-text tokens are
// lower case), UTF-16 in either byte order, hex in either case, and base64
// (standard and URL alphabets) at each of the three alignments, keeping only
// the characters that depend on s alone. Canary tests look for them in files
// that must hold no plaintext.
func LeakForms(s string) map[string][]byte {
	out := map[string][]byte{
		"raw": []byte(s), "lower": []byte(strings.ToLower(s)), "upper": []byte(strings.ToUpper(s)),
		"hex": []byte(hex.EncodeToString([]byte(s))), "HEX": []byte(strings.ToUpper(hex.EncodeToString([]byte(s)))),
	}
	var le, be []byte
	for _, u := range utf16.Encode([]rune(s)) {
		le = append(le, byte(u), byte(u>>8))
		be = append(be, byte(u>>8), byte(u))
	}
	out["utf-16le"], out["utf-16be"] = le, be
	for _, enc := range []struct {
		name string
		e    *base64.Encoding
	}{{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding}} {
		for pad := 0; pad < 3; pad++ {
			e := enc.e.EncodeToString(append(make([]byte, pad), s...))
			// The 4-character groups wholly inside s do not depend on what
			// surrounds it: drop the first group when s does not start it,
			// and the last, which may mix in what follows.
			if pad > 0 {
				e = e[4:]
			}
			e = strings.TrimRight(e, "=")
			if len(e) > 4 {
				e = e[:len(e)-4]
			}
			out[fmt.Sprintf("%s+%d", enc.name, pad)] = []byte(e)
		}
	}
	return out
}

// FindLeaks returns a description of each form of each of the values found
// in b, such as `"CANARY…" as base64+1 at 120`.
func FindLeaks(b []byte, values ...string) []string {
	var found []string
	for _, v := range values {
		for name, f := range LeakForms(v) {
			if i := bytes.Index(b, f); i >= 0 {
				found = append(found, fmt.Sprintf("%q as %s at %d", v, name, i))
			}
		}
	}
	return found
}
