//go:build ignore

// render draws casevault.svg into the PNG icons beside it (the sizes
// desktops look for) and into ui/icon.png (the window's icon), with the
// same SVG renderer Fyne uses. Run from the repository root after changing
// the SVG:
//
//	go run packaging/icons/render.go
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
)

// Sizes are the hicolor icon theme's usual application icon sizes.
var Sizes = []int{16, 24, 32, 48, 64, 128, 256, 512}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := filepath.Join("packaging", "icons")
	svg, err := os.ReadFile(filepath.Join(dir, "casevault.svg"))
	if err != nil {
		return err
	}
	for _, n := range Sizes {
		b, err := render(svg, n)
		if err != nil {
			return fmt.Errorf("%d px: %w", n, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("casevault-%d.png", n)), b, 0o644); err != nil {
			return err
		}
		if n == 256 {
			if err := os.WriteFile(filepath.Join("ui", "icon.png"), b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func render(svg []byte, n int) ([]byte, error) {
	icon, err := oksvg.ReadIconStream(bytes.NewReader(svg), oksvg.StrictErrorMode)
	if err != nil {
		return nil, err
	}
	icon.SetTarget(0, 0, float64(n), float64(n))
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	scanner := rasterx.NewScannerGV(n, n, img, img.Bounds())
	icon.Draw(rasterx.NewDasher(n, n, scanner), 1)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
