//go:build heavy

package app

import (
	"bytes"
	"fmt"
	"testing"
)

// TestHeavyDocumentRoundTrip: a 20 MB and a 100 MB file come back byte
// for byte, and a second add of the 100 MB one stores nothing.
func TestHeavyDocumentRoundTrip(t *testing.T) {
	fx := newDocFix(t)
	for i, n := range []int{20 << 20, 100 << 20} {
		data := randBytes(uint64(40+i), n)
		path := fx.file(t, fmt.Sprintf("big %d.bin", n), data)
		d, err := fx.s.AddDocument(ctx, fx.m(), path, AddDocOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fx.read(t, d.ID, 0), data) {
			t.Errorf("%d bytes read back different", n)
		}
		before, _ := docObjects(t, fx.dir)
		if _, err := fx.s.AddDocument(ctx, fx.c(), path, AddDocOptions{}); err != nil {
			t.Fatal(err)
		}
		if after, _ := docObjects(t, fx.dir); after != before {
			t.Errorf("the same %d bytes again: %d objects → %d", n, before, after)
		}
	}
}
