package ui

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// textPair is a text colour and what it is drawn on: a colour, with
// translucent layers drawn over it (hover, focus, the banner's tint).
type textPair struct {
	what   string
	text   fyne.ThemeColorName
	ground fyne.ThemeColorName
	layers []layer
}

// layer is a translucent colour over the ground: a theme colour, or a
// colour with its alpha replaced (tint).
type layer struct {
	name  fyne.ThemeColorName
	alpha int // -1: the theme colour's own alpha
}

// textPairs is every kind of text the window draws and what it is drawn
// on. Label importances: Low = disabled, Medium = foreground, High =
// primary, Danger = error, Warning = warning, Success = success (Fyne's
// widget.Label); entries: foreground, placeholder, disabled; buttons:
// foreground on button, foregroundOnX on X for importance X, disabled on
// disabledButton; list and table rows: selection or hover under any
// label; rich text hyperlinks: hyperlink.
func textPairs() []textPair {
	hover := layer{theme.ColorNameHover, -1}
	focus := layer{theme.ColorNameFocus, -1}
	var ps []textPair
	labels := []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNameDisabled, theme.ColorNamePrimary,
		theme.ColorNameHyperlink, theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameSuccess}
	grounds := []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameOverlayBackground,
		theme.ColorNameHeaderBackground, theme.ColorNameMenuBackground, theme.ColorNameSelection}
	for _, t := range labels {
		for _, g := range grounds {
			ps = append(ps, textPair{what: "label", text: t, ground: g})
			// a hovered list row, in the window and in a dialog
			ps = append(ps, textPair{what: "hovered row", text: t, ground: g, layers: []layer{hover}})
		}
		// the reminder banner: the warning colour, faint, over the background
		ps = append(ps, textPair{what: "banner", text: t, ground: theme.ColorNameBackground,
			layers: []layer{{theme.ColorNameWarning, bannerTint}}})
	}
	for _, t := range []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNamePlaceHolder, theme.ColorNameDisabled} {
		ps = append(ps, textPair{what: "entry", text: t, ground: theme.ColorNameInputBackground})
	}
	buttons := []struct{ text, ground fyne.ThemeColorName }{
		{theme.ColorNameForeground, theme.ColorNameButton},
		{theme.ColorNameDisabled, theme.ColorNameDisabledButton},
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{theme.ColorNameForegroundOnError, theme.ColorNameError},
		{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
		{theme.ColorNameForegroundOnWarning, theme.ColorNameWarning},
		{theme.ColorNameForeground, theme.ColorNameBackground},      // LowImportance button: no background
		{theme.ColorNameForeground, theme.ColorNameInputBackground}, // a Select
	}
	for _, b := range buttons {
		for _, ls := range [][]layer{nil, {hover}, {focus}} {
			ps = append(ps, textPair{what: "button", text: b.text, ground: b.ground, layers: ls})
		}
	}
	return ps
}

// pairRatio is the contrast ratio of p in variant v of th.
func pairRatio(th fyne.Theme, v fyne.ThemeVariant, p textPair) (float64, color.Color, color.Color) {
	g := over(th.Color(p.ground, v), th.Color(theme.ColorNameBackground, v))
	for _, l := range p.layers {
		c := color.NRGBAModel.Convert(th.Color(l.name, v)).(color.NRGBA)
		if l.alpha >= 0 {
			c.A = uint8(l.alpha)
		}
		g = over(c, g)
	}
	txt := over(th.Color(p.text, v), g)
	return contrast(txt, g), txt, g
}

// TestThemeContrast: every text colour the window uses reaches WCAG AA
// (4.5:1) against everything it is drawn on, in the dark and the light
// variant, computed from the theme's colours.
func TestThemeContrast(t *testing.T) {
	th := newVaultTheme()
	worst := math.Inf(1)
	n := 0
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		for _, p := range textPairs() {
			r, txt, g := pairRatio(th, v, p)
			n++
			worst = min(worst, r)
			if r < 4.5 {
				t.Errorf("variant %d, %s: %s on %s %v = %v on %v: ratio %.2f, below 4.5", v, p.what, p.text, p.ground,
					p.layers, colorHex(txt), colorHex(g), r)
			}
		}
	}
	t.Logf("%d pairs, lowest ratio %.2f", n, worst)
}

// TestContrastFormula: the formula gives the known values (black on white
// 21, equal colours 1, #767676 on white 4.54, the lightest AA grey), and
// the check can fail: Fyne's own default theme has pairs below 4.5.
func TestContrastFormula(t *testing.T) {
	white, black := rgb(0xffffff), rgb(0x000000)
	for _, c := range []struct {
		a, b color.Color
		want float64
	}{{black, white, 21}, {white, white, 1}, {rgb(0x767676), white, 4.54}, {rgb(0x777777), white, 4.48}} {
		if got := contrast(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%v, %v) = %.3f, want %.2f", colorHex(c.a), colorHex(c.b), got, c.want)
		}
	}
	if got := over(color.NRGBA{R: 0xff, A: 0x80}, white); got != (color.NRGBA{R: 0xff, G: 0x7f, B: 0x7f, A: 0xff}) {
		t.Errorf("half red over white = %v", got)
	}
	low := 0
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		for _, p := range textPairs() {
			if r, _, _ := pairRatio(theme.DefaultTheme(), v, p); r < 4.5 {
				low++
			}
		}
	}
	if low == 0 {
		t.Error("Fyne's default theme passes every pair: the check cannot tell a bad theme")
	}
}

// TestWindowUsesVaultTheme: the window sets the casevault theme.
func TestWindowUsesVaultTheme(t *testing.T) {
	h := newHarness(t, true)
	if _, ok := h.u.a.Settings().Theme().(vaultTheme); !ok {
		t.Fatalf("the window's theme is %T, not the casevault theme", h.u.a.Settings().Theme())
	}
}

func colorHex(c color.Color) string {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return fmt.Sprintf("#%02x%02x%02x", n.R, n.G, n.B)
}
