package intake

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"rsc.io/qr"
)

// TestQRTextIsTheCode: every module of the code is drawn where it belongs
// in the text (two rows per line, a quiet zone of 2 around), light ones as
// ink, and the PNG is the same code.
func TestQRTextIsTheCode(t *testing.T) {
	link := "https://127.0.0.2:41235/start/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	c, err := qr.Encode(link, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSuffix(qrText(link), "\n"), "\n")
	const quiet = 2
	if len(rows) != (c.Size+2*quiet+1)/2 {
		t.Fatalf("%d lines for a code of %d modules", len(rows), c.Size)
	}
	dark := func(x, y int) bool { return x >= 0 && y >= 0 && x < c.Size && y < c.Size && c.Black(x, y) }
	for ly, row := range rows {
		rs := []rune(row)
		if len(rs) != c.Size+2*quiet {
			t.Fatalf("line %d is %d wide, want %d", ly, len(rs), c.Size+2*quiet)
		}
		for lx, r := range rs {
			x, y := lx-quiet, 2*ly-quiet
			top := r == '█' || r == '▀'    // light
			bottom := r == '█' || r == '▄' // light
			if top == dark(x, y) || bottom == dark(x, y+1) {
				t.Fatalf("module (%d,%d) drawn as %q", x, y, r)
			}
		}
	}
	p, err := QRCode(link)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(p))
	if err != nil {
		t.Fatal(err)
	}
	scale := img.Bounds().Dx() / (c.Size + 8) // rsc.io/qr's PNG has a 4-module border
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			r, _, _, _ := img.At((x+4)*scale+scale/2, (y+4)*scale+scale/2).RGBA()
			if (r < 0x8000) != c.Black(x, y) {
				t.Fatalf("PNG module (%d,%d) differs from the code", x, y)
			}
		}
	}
}
