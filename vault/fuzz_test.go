package vault

import (
	"bytes"
	"crypto/cipher"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// Fuzz targets for every parser of bytes read from disk. They must never
// panic, and every rejection must be the documented error kind. Run one with
//
//	go test -run='^$' -fuzz=FuzzParseHeader -fuzztime=15s ./vault/
//
// Crashers land in testdata/fuzz/<target>/ and then run as regression seeds.

var (
	fuzzVaultID = [16]byte{0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff}
	fuzzGen     = uint64(1)
)

func fuzzAEAD(t testing.TB) cipher.AEAD {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fixedSeal seals with a nonce derived from n, so seeds are the same on
// every run.
func fixedSeal(a cipher.AEAD, n byte, pt, ad []byte) []byte {
	nonce := bytes.Repeat([]byte{n}, a.NonceSize())
	return a.Seal(nonce, nonce, pt, ad)
}

func isDamaged(err error) bool {
	var de *DamagedError
	return errors.As(err, &de) && errors.Is(err, ErrDamaged) && de.File != "" && de.Reason != ""
}

func sampleHeader(nslots int) []byte {
	h := &header{VaultID: fuzzVaultID, Created: 1700000000}
	for i := 0; i < nslots; i++ {
		s := slot{Type: SlotPassphrase, KDF: kdfArgon2id, Params: testKDF}
		if i%2 == 1 {
			s = slot{Type: SlotRecovery, KDF: kdfHKDFSHA256}
		}
		for j := range s.Salt {
			s.Salt[j] = byte(i*16 + j)
		}
		for j := range s.Nonce {
			s.Nonce[j] = byte(0x80 + i + j)
		}
		for j := range s.Wrapped {
			s.Wrapped[j] = byte(0x40 + i*3 + j)
		}
		h.Slots = append(h.Slots, s)
	}
	for j := range h.MAC {
		h.MAC[j] = byte(0xc0 + j)
	}
	return h.marshal()
}

// sampleHeaderV2 is a version 2 header: the owner's slot, a version 2
// recovery slot, nusers more user slots (every third with a key file) and,
// with legacy, a version 1 recovery slot instead of the version 2 one.
func sampleHeaderV2(nusers int, legacy bool) []byte {
	h := &header{Version: headerVersion2, VaultID: fuzzVaultID, Created: 1700000000}
	fill := func(b []byte, start int) {
		for j := range b {
			b[j] = byte(start + j)
		}
	}
	owner := slot{Type: SlotUser, KDF: kdfArgon2id, Params: testKDF, Flags: flagOwner}
	h.Slots = append(h.Slots, owner)
	if legacy {
		h.Slots = append(h.Slots, slot{Type: SlotRecovery, KDF: kdfHKDFSHA256})
	} else {
		h.Slots = append(h.Slots, slot{Type: SlotRecoveryV2, KDF: kdfHKDFSHA256})
	}
	for i := 0; i < nusers; i++ {
		s := slot{Type: SlotUser, KDF: kdfArgon2id, Params: testKDF, Tag: UserTag(fuzzVaultID, userName(i))}
		if i%3 == 2 {
			s.Flags = flagKeyFile
		}
		h.Slots = append(h.Slots, s)
	}
	for i := range h.Slots {
		s := &h.Slots[i]
		fill(s.Salt[:], i*16)
		fill(s.Nonce[:], 0x80+i)
		fill(s.Wrapped[:], 0x40+i*3)
		if s.v2() {
			fill(s.Pub[:], 0x20+i)
			fill(s.Sealed[:], 0x90+i)
		}
	}
	for j := range h.MAC {
		h.MAC[j] = byte(0xc0 + j)
	}
	return h.marshal()
}

func FuzzParseHeader(f *testing.F) {
	for _, n := range []int{1, 2, 3, maxSlots} {
		f.Add(sampleHeader(n))
	}
	for _, n := range []int{0, 1, 3, maxSlotsV2 - 2} {
		f.Add(sampleHeaderV2(n, false))
		f.Add(sampleHeaderV2(n, true))
	}
	v2 := sampleHeaderV2(2, true)
	f.Add(v2[:len(v2)-1])
	f.Add(v2[:headerFixedLen+slotV2Len+headerTrailer])
	two := sampleHeader(2)
	f.Add(two[:len(two)-1])
	f.Add(two[:headerFixedLen+headerTrailer])
	f.Add([]byte(headerMagic))
	f.Add([]byte("not a header at all"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHeader("header", b)
		if err != nil {
			if h != nil {
				t.Fatal("header and error")
			}
			if !isDamaged(err) && !errors.Is(err, ErrNoVault) {
				t.Fatalf("rejection is neither ErrDamaged nor ErrNoVault: %v", err)
			}
			return
		}
		if n := len(h.Slots); n < 1 || n > maxSlotsV2 || (h.Version == headerVersion && n > maxSlots) {
			t.Fatalf("%d slots in a version %d header", n, h.Version)
		}
		if h.Version == headerVersion2 {
			if h.ownerIndex() < 0 {
				t.Fatal("a version 2 header without an owner slot")
			}
			tags := map[[16]byte]bool{}
			for _, s := range h.Slots {
				if s.Type == SlotPassphrase {
					t.Fatal("a version 1 passphrase slot in a version 2 header")
				}
				if s.Type == SlotUser && tags[s.Tag] {
					t.Fatal("two user slots with one tag")
				}
				tags[s.Tag] = s.Type == SlotUser
			}
		}
		// Whatever parses re-marshals to the same bytes: no field is lost
		// or normalised, so the MAC covers exactly what was read.
		if out := h.marshal(); !bytes.Equal(out, b) {
			t.Fatalf("re-marshal differs:\n in %x\nout %x", b, out)
		}
		for _, s := range h.Slots {
			if s.Type == SlotPassphrase || s.Type == SlotUser {
				if err := s.Params.Validate(); err != nil {
					t.Fatalf("accepted a passphrase slot with %v", err)
				}
			}
		}
	})
}

var fuzzMarkKey = bytes.Repeat([]byte{0x5a}, 32)

func sampleLog(a cipher.AEAD, recs ...[]byte) []byte {
	i := byte(0)
	return buildLog(2, a, fuzzMarkKey, fuzzVaultID, fuzzGen, func(pt, ad []byte) []byte {
		i++
		return fixedSeal(a, i, pt, ad)
	}, recs...)
}

func FuzzParseLog(f *testing.F) {
	a := fuzzAEAD(f)
	full := sampleLog(a, []byte("first record"), []byte("second"), []byte{})
	f.Add(full)
	f.Add(full[:len(full)-3])
	f.Add(full[:logHeaderLen+5])
	f.Add(full[:logHeaderLen])
	f.Add(full[:10])
	f.Add(append(bytes.Clone(full), make([]byte, 64)...))
	v1 := buildLog(1, a, nil, fuzzVaultID, fuzzGen, func(pt, ad []byte) []byte { return fixedSeal(a, 7, pt, ad) }, []byte("old format"))
	f.Add(v1)
	f.Add(v1[:len(v1)-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := parseLog(a, fuzzMarkKey, fuzzVaultID, fuzzGen, "log", b)
		if err != nil {
			if !isDamaged(err) {
				t.Fatalf("rejection is not ErrDamaged: %v", err)
			}
			if sc == nil || sc.good > int64(len(b)) {
				t.Fatalf("damage without a scan of what is intact: %+v", sc)
			}
			return
		}
		recs, good := sc.recs, sc.good
		if good < 0 || good > int64(len(b)) {
			t.Fatalf("good = %d for %d bytes", good, len(b))
		}
		if len(recs) > 0 && good < logPrefixLen {
			t.Fatal("records without a header")
		}
		if sc.format == 2 && uint64(len(recs)) < sc.acked {
			t.Fatalf("accepted %d records with %d acknowledged", len(recs), sc.acked)
		}
		// The valid prefix parses to the same records with nothing cut.
		sc2, err := parseLog(a, fuzzMarkKey, fuzzVaultID, fuzzGen, "log", b[:good])
		if err != nil || sc2.good != good || len(sc2.recs) != len(recs) {
			t.Fatalf("prefix reparse: %+v, %v (was %d, %d)", sc2, err, len(recs), good)
		}
		for i := range recs {
			if !bytes.Equal(recs[i], sc2.recs[i]) {
				t.Fatalf("record %d differs on reparse", i)
			}
		}
	})
}

func sampleManifest(a cipher.AEAD, json string) []byte {
	return append([]byte(manifestMagic), fixedSeal(a, 9, []byte(json), manifestAD(fuzzVaultID))...)
}

const sampleManifestJSON = `{"format":1,"seq":3,"log_gen":3,"created":"2023-11-14T22:13:20Z","image_size":65537,"chunk_size":65536,` +
	`"chunks":["0000000000000000000000000000000000000000000000000000000000000000","ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],"meta":{"clients":2}}`

func FuzzDecodeManifest(f *testing.F) {
	a := fuzzAEAD(f)
	m := sampleManifest(a, sampleManifestJSON)
	f.Add(m)
	f.Add(m[:len(m)-1])
	f.Add(m[:8+24+16])
	f.Add([]byte(manifestMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		cp, err := decodeManifest(a, fuzzVaultID, "manifest", b)
		if err != nil {
			if cp != nil || !isDamaged(err) {
				t.Fatalf("rejection: %v, %v", cp, err)
			}
			return
		}
		if cp.validate() != nil {
			t.Fatal("accepted a manifest that does not validate")
		}
	})
}

// FuzzManifestJSON reaches the JSON decoding and validation behind the AEAD:
// it seals the fuzzed plaintext with the test key first.
func FuzzManifestJSON(f *testing.F) {
	a := fuzzAEAD(f)
	f.Add([]byte(sampleManifestJSON))
	f.Add([]byte(`{"format":1,"seq":1,"log_gen":1,"image_size":0,"chunk_size":65536,"chunks":[]}`))
	f.Add([]byte(`{"format":1,"image_size":1,"chunk_size":1,"chunks":["00"]}`))
	f.Add([]byte(`{"format":1,"image_size":9223372036854775807,"chunk_size":67108864,"chunks":[]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, pt []byte) {
		cp, err := decodeManifest(a, fuzzVaultID, "manifest", sampleManifest(a, string(pt)))
		if err != nil {
			// A manifest of a format above this version's is refused as
			// newer, not damaged (and never both); anything else is damage.
			var nv *NewerVersionError
			if errors.As(err, &nv) {
				if isDamaged(err) {
					t.Fatalf("a newer format is also reported as damage: %v", err)
				}
				return
			}
			if !isDamaged(err) {
				t.Fatalf("rejection is neither ErrDamaged nor ErrNewerVersion: %v", err)
			}
			return
		}
		if (cp.Format != manifestFormat && cp.Format != manifestFormatObjects) || cp.ChunkSize <= 0 || cp.ImageSize < 0 {
			t.Fatalf("accepted %+v", cp)
		}
		if (cp.Format == manifestFormatObjects) != (len(cp.Objects) > 0) {
			t.Fatalf("accepted format %d with %d objects", cp.Format, len(cp.Objects))
		}
		want := (cp.ImageSize + int64(cp.ChunkSize) - 1) / int64(cp.ChunkSize)
		if int64(len(cp.Chunks)) != want {
			t.Fatalf("accepted %d chunks for %d bytes", len(cp.Chunks), cp.ImageSize)
		}
		// Every full chunk plus the last one adds up to the image size.
		if n := int64(len(cp.Chunks)); n > 0 && (cp.ImageSize <= (n-1)*int64(cp.ChunkSize) || cp.ImageSize > n*int64(cp.ChunkSize)) {
			t.Fatalf("chunk arithmetic: %d chunks of %d for %d bytes", n, cp.ChunkSize, cp.ImageSize)
		}
	})
}

func FuzzOpenObject(f *testing.F) {
	a := fuzzAEAD(f)
	id := ID{1, 2, 3}
	pt := []byte("a chunk of the database image")
	nonce := bytes.Repeat([]byte{5}, a.NonceSize())
	obj := append([]byte(objectMagic), byte(KindDBChunk))
	obj = append(obj, a.Seal(nonce, nonce, pt, objectAD(fuzzVaultID, KindDBChunk, id))...)
	f.Add(obj)
	f.Add(obj[:objectHeader+24+16])
	f.Add(obj[:objectHeader])
	f.Add(append(bytes.Clone(obj[:8]), byte(KindDocument)))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := openObject(a, fuzzVaultID, KindDBChunk, id, b)
		if err != nil {
			if got != nil {
				t.Fatal("plaintext and error")
			}
			return
		}
		// Only the authentic object opens; a forgery is a 2^-128 event.
		if !bytes.Equal(b, obj) || !bytes.Equal(got, pt) {
			t.Fatalf("opened a different object: %x", b)
		}
	})
}

func FuzzParseRecoveryKey(f *testing.F) {
	f.Add(formatRecovery([]byte("0123456789abcdefghij")))
	f.Add(strings.ToLower(formatRecovery(make([]byte, 20))))
	f.Add("IIII LLLL oooo OOOO 0000 1111 2222 3333 4444")
	f.Add("")
	f.Add("ü")
	f.Fuzz(func(t *testing.T, s string) {
		raw, err := ParseRecoveryKey(s)
		if err != nil {
			if !errors.Is(err, ErrBadRecoveryKey) || raw != nil {
				t.Fatalf("rejection: %x, %v", raw, err)
			}
			return
		}
		if len(raw) != recoveryKeyBytes {
			t.Fatalf("%d bytes", len(raw))
		}
		// The input is the canonical text up to case, separators and
		// look-alike letters.
		canon := formatRecovery(raw)
		norm := strings.NewReplacer("-", "", " ", "", "\t", "", "\n", "", "\r", "", "I", "1", "L", "1", "O", "0").Replace(strings.ToUpper(s))
		if norm != strings.ReplaceAll(canon, "-", "") {
			t.Fatalf("%q parsed as %q", s, canon)
		}
		back, err := ParseRecoveryKey(canon)
		if err != nil || !bytes.Equal(back, raw) {
			t.Fatalf("canonical form %q does not round-trip", canon)
		}
	})
}
