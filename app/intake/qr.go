package intake

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// QR is Link() as a QR code image (PNG), for the tablet's camera.
func (s *Server) QR() ([]byte, error) { return QRCode(s.link) }

// QRText is Link() as a QR code drawn with block characters, two rows of
// modules per line, dark on light, with the quiet zone a reader needs.
func (s *Server) QRText() string { return qrText(s.link) }

func qrText(text string) string {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return ""
	}
	const quiet = 2
	dark := func(x, y int) bool {
		if x < 0 || y < 0 || x >= c.Size || y >= c.Size {
			return false
		}
		return c.Black(x, y)
	}
	var b strings.Builder
	for y := -quiet; y < c.Size+quiet; y += 2 {
		for x := -quiet; x < c.Size+quiet; x++ {
			top, bottom := dark(x, y), dark(x, y+1)
			// Light modules are drawn, dark ones left blank: a terminal's
			// background is usually dark.
			switch {
			case !top && !bottom:
				b.WriteRune('█')
			case !top && bottom:
				b.WriteRune('▀')
			case top && !bottom:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// QRCode is any text (another device's link) as a QR code image (PNG).
func QRCode(text string) ([]byte, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("making the QR code: %w", err)
	}
	c.Scale = 8
	return c.PNG(), nil
}
