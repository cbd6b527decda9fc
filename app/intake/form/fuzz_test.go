package form

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
)

// checkOpened is what must hold of anything Open accepted: it passes the
// checks again, its files match their descriptions, and sealing it again
// gives a file that opens to the same.
func checkOpened(t *testing.T, id, rcpt string, s *Submission, files []File) {
	t.Helper()
	if err := checkSubmission(s, DefaultLimits); err != nil {
		t.Fatalf("Open accepted a submission that fails the checks: %v", err)
	}
	if len(files) != len(s.Files) {
		t.Fatalf("%d files for %d descriptions", len(files), len(s.Files))
	}
	for i, f := range files {
		if f.Meta != s.Files[i] || int64(len(f.Data)) != f.Meta.Size {
			t.Fatalf("file %d does not match its description", i+1)
		}
	}
	var buf bytes.Buffer
	if err := Seal(&buf, rcpt, s, files); err != nil {
		t.Fatalf("what Open accepted cannot be sealed again: %v", err)
	}
	if _, _, err := Open(&buf, []string{id}, Limits{}); err != nil {
		t.Fatalf("sealed again, it does not open: %v", err)
	}
}

// FuzzOpen feeds Open whole files: age's header parsing and the size
// guard. Seeds are files Seal made, cut and changed.
func FuzzOpen(f *testing.F) {
	id, rcpt := testIdentity(f)
	good := seal(f, rcpt, sampleSubmission(), sampleFiles())
	f.Add(good)
	f.Add(seal(f, rcpt, sampleSubmission(), nil))
	f.Add(good[:len(good)/2])
	f.Add(good[:120])
	f.Add([]byte("age-encryption.org/v1\n-> X25519 \n---\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, files, err := Open(bytes.NewReader(b), []string{id}, Limits{MaxSealedBytes: 1 << 20})
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotForThisVault) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("an error of no known kind: %v", err)
			}
			return
		}
		checkOpened(t, id, rcpt, s, files)
	})
}

// FuzzOpenPlaintext feeds the reader of the decrypted content (the tar and
// the JSON): what a hostile sealer controls, since anyone can seal to the
// public key. Seeds are the plaintexts of files Seal made.
func FuzzOpenPlaintext(f *testing.F) {
	id, rcpt := testIdentity(f)
	ident, _ := age.ParseX25519Identity(id)
	plainOf := func(sealed []byte) []byte {
		r, err := age.Decrypt(bytes.NewReader(sealed), ident)
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(r); err != nil {
			f.Fatal(err)
		}
		return buf.Bytes()
	}
	f.Add(plainOf(seal(f, rcpt, sampleSubmission(), sampleFiles())))
	f.Add(plainOf(seal(f, rcpt, sampleSubmission(), nil)))
	f.Add(plainOf(seal(f, rcpt, vectorSubmission(), []File{vectorFile})))
	f.Fuzz(func(t *testing.T, plain []byte) {
		lim := DefaultLimits
		s, files, err := readPlain(bytes.NewReader(plain), lim)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("an error of no known kind: %v", err)
			}
			return
		}
		checkOpened(t, id, rcpt, s, files)
	})
}

// FuzzCleanFileName: a cleaned name is stable (Open refuses a name that is
// not already clean, so the server must never write one), bounded, one
// line, without control characters or direction overrides.
func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"passport.jpg", `C:\Users\a\b.png`, "a/", "../..", "\u202e.exe", "x \x00y.pdf",
		strings.Repeat("a", 119) + " " + strings.Repeat("b", 20), strings.Repeat("é ", 100) + ".verylongextension"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c := CleanFileName(name)
		if CleanFileName(c) != c {
			t.Fatalf("CleanFileName(%q) = %q, which cleans again to %q", name, c, CleanFileName(c))
		}
		if chars(c) > MaxFileNameChars || c == "" || checkText(c, false, MaxFileNameChars) != textOK || strings.ContainsAny(c, `/\`) {
			t.Fatalf("CleanFileName(%q) = %q", name, c)
		}
	})
}
