package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// exportVault makes a vault with a checkpoint and two log records.
func exportVault(t *testing.T) (*Vault, []byte, [][]byte) {
	t.Helper()
	v, _, _ := newVault(t)
	img := bytes.Repeat([]byte("page"), 3*ChunkSize/4+100)
	if err := v.WriteCheckpoint(context.Background(), img, nil); err != nil {
		t.Fatal(err)
	}
	recs := [][]byte{[]byte("one"), []byte("two")}
	for _, r := range recs {
		if err := v.AppendLog(r); err != nil {
			t.Fatal(err)
		}
	}
	return v, img, recs
}

// objectsOf is an ObjectSource over a live vault's current chunks.
func objectsOf(v *Vault, c *Capture) ObjectSource {
	return func(ctx context.Context, put func(Kind, ID, []byte) error) error {
		for _, id := range c.Checkpoint.Chunks {
			raw, err := v.ReadObjectFile(KindDBChunk, id)
			if err != nil {
				return err
			}
			if err := put(KindDBChunk, id, raw); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestCaptureInstallRoundTrip(t *testing.T) {
	ctx := context.Background()
	v, img, recs := exportVault(t)
	c, release, err := v.Capture()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if len(c.Log) != int(v.LogSize()) {
		t.Fatalf("captured %d log bytes, the log has %d", len(c.Log), v.LogSize())
	}
	// Keys from the header copy alone, as a backup keeps it.
	k, err := UnlockHeader("copy", c.Header, Passphrase(testPass))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if _, err := UnlockHeader("copy", c.Header, Passphrase([]byte("wrong"))); !errors.Is(err, ErrWrongCredential) {
		t.Fatalf("wrong passphrase on a header copy: %v", err)
	}
	// Keys agree with the vault's own.
	m1, _ := v.MAC("x", []byte("y"))
	m2, _ := k.MAC("x", []byte("y"))
	if !bytes.Equal(m1, m2) {
		t.Fatal("MAC differs between the vault and its header copy")
	}
	sealed, err := k.Seal("p", []byte("secret"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := v.Keys().Open("p", sealed, []byte("ad")); err != nil || string(pt) != "secret" {
		t.Fatalf("open: %q %v", pt, err)
	}
	for _, bad := range []struct{ purpose, ad string }{{"q", "ad"}, {"p", "other"}} {
		if _, err := k.Open(bad.purpose, sealed, []byte(bad.ad)); !errors.Is(err, ErrAuth) {
			t.Fatalf("open with purpose %q ad %q: %v", bad.purpose, bad.ad, err)
		}
	}

	dir := filepath.Join(t.TempDir(), "restored")
	p := Parts{Header: c.Header, Manifest: c.Manifest, LogGen: c.LogGen, Log: c.Log}
	if err := Install(ctx, dir, k, p, objectsOf(v, c)); err != nil {
		t.Fatal(err)
	}
	if err := Install(ctx, dir, k, p, objectsOf(v, c)); !errors.Is(err, ErrExists) {
		t.Fatalf("install over a vault: %v", err)
	}
	// Opens with the keys and with the passphrase, holding the same state.
	for _, open := range []func() (*Vault, error){
		func() (*Vault, error) { return OpenWithKeys(dir, k) },
		func() (*Vault, error) { return Open(dir, Passphrase(testPass)) },
	} {
		r, err := open()
		if err != nil {
			t.Fatal(err)
		}
		gotImg, _, err := r.LoadCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		gotRecs, err := r.ReadLog()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotImg, img) || len(gotRecs) != len(recs) || string(gotRecs[1]) != "two" {
			t.Fatal("restored vault differs")
		}
		r.Close()
	}
	// No temporary folder is left beside it.
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Fatalf("install left %d entries beside the vault", len(entries))
	}
}

func TestInstallRejectsDamage(t *testing.T) {
	ctx := context.Background()
	v, _, _ := exportVault(t)
	c, release, err := v.Capture()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	k := v.Keys()
	flip := func(b []byte, i int) []byte {
		b = append([]byte(nil), b...)
		b[i] ^= 1
		return b
	}
	good := Parts{Header: c.Header, Manifest: c.Manifest, LogGen: c.LogGen, Log: c.Log}
	cases := map[string]struct {
		p       Parts
		objects ObjectSource
	}{
		"header":          {Parts{flip(c.Header, 40), c.Manifest, c.LogGen, c.Log}, objectsOf(v, c)},
		"manifest":        {Parts{c.Header, flip(c.Manifest, len(c.Manifest)-3), c.LogGen, c.Log}, objectsOf(v, c)},
		"log":             {Parts{c.Header, c.Manifest, c.LogGen, flip(c.Log, len(c.Log)-3)}, objectsOf(v, c)},
		"truncated log":   {Parts{c.Header, c.Manifest, c.LogGen, c.Log[:len(c.Log)-5]}, objectsOf(v, c)},
		"wrong log gen":   {Parts{c.Header, c.Manifest, c.LogGen + 1, c.Log}, objectsOf(v, c)},
		"missing objects": {good, func(context.Context, func(Kind, ID, []byte) error) error { return nil }},
		"object": {good, func(ctx context.Context, put func(Kind, ID, []byte) error) error {
			for _, id := range c.Checkpoint.Chunks {
				raw, _ := v.ReadObjectFile(KindDBChunk, id)
				if err := put(KindDBChunk, id, flip(raw, len(raw)/2)); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "restored")
			err := Install(ctx, dir, k, tc.p, tc.objects)
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("install with damaged %s: %v", name, err)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Fatalf("a failed install left %d entries", len(entries))
			}
		})
	}
	// Keys of another vault are refused.
	other, _, _ := newVault(t)
	if err := Install(ctx, filepath.Join(t.TempDir(), "x"), other.Keys(), good, objectsOf(v, c)); !errors.Is(err, ErrDamaged) {
		t.Fatalf("install with another vault's keys: %v", err)
	}
}

func TestCapturePinsAcrossCheckpoint(t *testing.T) {
	ctx := context.Background()
	v, img, _ := exportVault(t)
	c, release, err := v.Capture()
	if err != nil {
		t.Fatal(err)
	}
	img2 := append([]byte(nil), img...)
	copy(img2, "changed")
	if err := v.WriteCheckpoint(ctx, img2, nil); err != nil {
		t.Fatal(err)
	}
	// The captured chunks are still there for the backup to copy.
	for _, id := range c.Checkpoint.Chunks {
		if _, err := v.ReadObjectFile(KindDBChunk, id); err != nil {
			t.Fatalf("pinned chunk deleted by a checkpoint: %v", err)
		}
	}
	release()
	release() // twice is harmless
}

func TestKeysClosed(t *testing.T) {
	v, _, _ := exportVault(t)
	k := v.Keys()
	v.Close()
	if _, err := k.MAC("x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("keys of a closed vault: %v", err)
	}
	k.Close() // no-op for a vault's own keys
}
