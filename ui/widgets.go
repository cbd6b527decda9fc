package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/policy"
)

func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

func bold(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// quiet is secondary text on one line (dates, counts, list details).
func quiet(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	return l
}

// hint is an explanation that wraps to the width it is given.
func hint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Italic: true}
	l.Wrapping = fyne.TextWrapWord
	return l
}

// line is one line of text that is cut with "…" when it does not fit.
func line(text string, low bool) *widget.Label {
	l := widget.NewLabel(text)
	l.Truncation = fyne.TextTruncateEllipsis
	if low {
		l.Importance = widget.LowImportance
	}
	return l
}

// errLabel is a red message, hidden while empty.
func errLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

func setMsg(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// centered keeps a form of a readable width in the middle of the window.
func centered(width float32, o fyne.CanvasObject) fyne.CanvasObject {
	spacer := &widthBox{width: width}
	return container.NewCenter(container.NewStack(spacer, o))
}

// widthBox is an invisible object with a minimum width.
type widthBox struct {
	widget.BaseWidget
	width float32
}

func (w *widthBox) MinSize() fyne.Size { return fyne.NewSize(w.width, 0) }
func (w *widthBox) CreateRenderer() fyne.WidgetRenderer {
	w.ExtendBaseWidget(w)
	return widget.NewSimpleRenderer(layout.NewSpacer())
}

// newPassPair is a new passphrase typed twice, with a live strength meter
// and the policy's reasons (problems, placed by the screen under its
// button).
type newPassPair struct {
	p1, p2   *entry
	meter    *meter
	problems *widget.Label
	policy   app.PassPolicy // the vault's policy, when a vault is open (zero: the built-in one)
	sess     *app.Session   // the open vault's session: its policy checks (CheckNewPassphrase); nil = the built-in policy
	onChange func(ok bool)
	obj      fyne.CanvasObject
}

func (u *UI) newPassPair(onChange func(ok bool)) *newPassPair {
	np := &newPassPair{p1: u.newPassword("New passphrase"), p2: u.newPassword("The same passphrase again"),
		meter: newMeter(), problems: errLabel(), onChange: onChange}
	np.p1.OnChanged = func(string) { np.check() }
	np.p2.OnChanged = func(string) { np.check() }
	// The reasons are not in obj: each screen puts np.problems under its
	// button, so that they appearing as the person types never move it.
	np.obj = container.NewVBox(np.p1, np.p2, np.meter.obj)
	return np
}

// check updates the meter and the reasons; ok when the passphrase passes
// the policy and both fields match.
func (np *newPassPair) check() bool {
	b := []byte(np.p1.Text)
	defer clear(b)
	var msg string
	ok := false
	if len(b) == 0 {
		np.meter.set(-1, "")
	} else {
		score, label := policy.Strength(b, app.UserNames()...)
		np.meter.set(score, label)
		probs := passProblems(np.sess, b)
		for _, p := range probs {
			if msg != "" {
				msg += "\n"
			}
			msg += p
		}
		switch {
		case len(probs) > 0:
		case np.p2.Text == "":
		case np.p2.Text != np.p1.Text:
			msg = "The two passphrases differ. Type the same one in both fields."
		default:
			ok = true
		}
	}
	setMsg(np.problems, msg)
	if np.onChange != nil {
		np.onChange(ok)
	}
	return ok
}

func (np *newPassPair) clear() {
	np.p1.SetText("")
	np.p2.SetText("")
}

// meter shows a 0..4 strength score as four bars and a word.
type meter struct {
	Value int // -1 = nothing typed
	bars  []*canvas.Rectangle
	label *widget.Label
	obj   fyne.CanvasObject
}

func newMeter() *meter {
	m := &meter{label: widget.NewLabel("Strength: type a passphrase")}
	grid := container.NewGridWithColumns(4)
	for i := 0; i < 4; i++ {
		r := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		r.SetMinSize(fyne.NewSize(40, 8))
		r.CornerRadius = 3
		m.bars = append(m.bars, r)
		grid.Add(r)
	}
	m.obj = container.NewBorder(nil, nil, nil, m.label, container.NewVBox(layout.NewSpacer(), grid, layout.NewSpacer()))
	m.set(-1, "")
	return m
}

func (m *meter) set(score int, label string) {
	m.Value = score
	colors := []fyne.ThemeColorName{theme.ColorNameError, theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameSuccess, theme.ColorNameSuccess}
	for i, r := range m.bars {
		c := theme.Color(theme.ColorNameInputBackground)
		if score >= 0 && i < max(score, 1) {
			c = theme.Color(colors[score])
		}
		r.FillColor = c
		r.Refresh()
	}
	if score < 0 {
		m.label.SetText("Strength: type a passphrase")
	} else {
		m.label.SetText("Strength: " + label)
	}
}

// passProblems is why the policy refuses pass (the open vault's policy
// when s is not nil); none = accepted.
func passProblems(s *app.Session, pass []byte) []string {
	probs := policy.Check(pass, app.UserNames()...)
	if s != nil {
		probs = s.CheckNewPassphrase(context.Background(), pass)
	}
	var out []string
	for _, pr := range probs {
		out = append(out, pr.Message)
	}
	return out
}
