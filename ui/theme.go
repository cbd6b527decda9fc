package ui

// The casevault theme: Fyne's default theme with the colours of text and
// of what text is drawn on chosen so that every text the window shows is
// readable (WCAG AA, a contrast ratio of at least 4.5:1) in both the dark
// and the light variant. theme_test.go computes the ratio of every pair.
//
// Text is dimmed or coloured only through the theme: a label's Importance
// (LowImportance = ColorNameDisabled, DangerImportance = ColorNameError…)
// or a rich text segment's ColorName, never by a colour or an alpha chosen
// in a screen. Fyne's own disabled and placeholder greys, and its bright
// green, orange and red used as text on white, are below 4.5:1; so is the
// primary colour when the desktop's accent colour is yellow or orange:
// the primary colour here does not follow the desktop's accent.

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// vaultTheme is Fyne's default theme with the palette below.
type vaultTheme struct{ base fyne.Theme }

func newVaultTheme() fyne.Theme { return vaultTheme{base: theme.DefaultTheme()} }

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// palettes are the colours that differ from Fyne's default theme. Colours
// not named here (hover, pressed, focus, shadow, scroll bars…) are Fyne's;
// those drawn under text are translucent and taken into account by the
// contrast test.
var palettes = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantDark: {
		theme.ColorNameBackground:          rgb(0x171718),
		theme.ColorNameOverlayBackground:   rgb(0x181d25),
		theme.ColorNameInputBackground:     rgb(0x202023),
		theme.ColorNameMenuBackground:      rgb(0x28292e),
		theme.ColorNameHeaderBackground:    rgb(0x1b1b1b),
		theme.ColorNameButton:              rgb(0x28292e),
		theme.ColorNameDisabledButton:      rgb(0x222326),
		theme.ColorNameForeground:          rgb(0xf3f3f3),
		theme.ColorNameDisabled:            rgb(0xb0b0b5), // LowImportance text: quieter, still 5:1 on every background
		theme.ColorNamePlaceHolder:         rgb(0xb2b2b2),
		theme.ColorNamePrimary:             rgb(0x8db2ff), // a light blue: readable as text and under dark text
		theme.ColorNameForegroundOnPrimary: rgb(0x111318),
		theme.ColorNameHyperlink:           rgb(0x9cbcff),
		theme.ColorNameSelection:           rgb(0x22355a),
		theme.ColorNameError:               rgb(0xff8f85),
		theme.ColorNameForegroundOnError:   rgb(0x111318),
		theme.ColorNameSuccess:             rgb(0x5fd479),
		theme.ColorNameForegroundOnSuccess: rgb(0x111318),
		theme.ColorNameWarning:             rgb(0xffae42),
		theme.ColorNameForegroundOnWarning: rgb(0x111318),
	},
	theme.VariantLight: {
		theme.ColorNameBackground:          rgb(0xffffff),
		theme.ColorNameOverlayBackground:   rgb(0xffffff),
		theme.ColorNameInputBackground:     rgb(0xf3f3f3),
		theme.ColorNameMenuBackground:      rgb(0xf5f5f5),
		theme.ColorNameHeaderBackground:    rgb(0xf5f5f5),
		theme.ColorNameButton:              rgb(0xf0f0f0),
		theme.ColorNameDisabledButton:      rgb(0xf5f5f5),
		theme.ColorNameForeground:          rgb(0x262626),
		theme.ColorNameDisabled:            rgb(0x5e5e5e),
		theme.ColorNamePlaceHolder:         rgb(0x5e5e5e),
		theme.ColorNamePrimary:             rgb(0x1a53b8),
		theme.ColorNameForegroundOnPrimary: rgb(0xffffff),
		theme.ColorNameHyperlink:           rgb(0x174ba6),
		theme.ColorNameSelection:           rgb(0xe2eafa),
		theme.ColorNameError:               rgb(0xb3261e),
		theme.ColorNameForegroundOnError:   rgb(0xffffff),
		theme.ColorNameSuccess:             rgb(0x17622c),
		theme.ColorNameForegroundOnSuccess: rgb(0xffffff),
		theme.ColorNameWarning:             rgb(0x8a4b00),
		theme.ColorNameForegroundOnWarning: rgb(0xffffff),
	},
}

func (t vaultTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if v != theme.VariantLight {
		v = theme.VariantDark
	}
	if c, ok := palettes[v][n]; ok {
		return c
	}
	return t.base.Color(n, v)
}

func (t vaultTheme) Font(s fyne.TextStyle) fyne.Resource     { return t.base.Font(s) }
func (t vaultTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }
func (t vaultTheme) Size(n fyne.ThemeSizeName) float32       { return t.base.Size(n) }

// luminance is the WCAG 2 relative luminance of c (its alpha ignored).
func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// contrast is the WCAG 2 contrast ratio of two opaque colours (1 to 21).
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over is top drawn over the opaque colour under (source-over blending).
func over(top, under color.Color) color.NRGBA {
	t := color.NRGBAModel.Convert(top).(color.NRGBA)
	u := color.NRGBAModel.Convert(under).(color.NRGBA)
	a := float64(t.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*a + float64(y)*(1-a) + 0.5) }
	return color.NRGBA{R: mix(t.R, u.R), G: mix(t.G, u.G), B: mix(t.B, u.B), A: 0xff}
}
