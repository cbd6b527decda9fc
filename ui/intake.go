package ui

// The Intake screen (issue 12): a top bar that starts client intake or
// shows it running (intake_start.go), and two tabs: Submissions, the
// review queue (intake_queue.go), and Form questions, the form editor
// (intake_formedit.go). The sidebar's Intake entry carries a badge with the
// number of new submissions.

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app/access"
)

// intakeScreen is the Intake screen: the bar and the two tabs.
type intakeScreen struct {
	u         *UI
	bar       *fyne.Container // Start intake, or intake running (intake_start.go fillIntakeBar)
	tabs      *container.AppTabs
	subs      *container.TabItem
	questions *container.TabItem
	editor    *formEditor // the Form questions tab, built when first shown
	obj       fyne.CanvasObject
}

func newIntakeScreen(u *UI) *intakeScreen {
	s := &intakeScreen{u: u, bar: container.NewVBox()}
	s.subs = container.NewTabItem("Submissions", u.intakeQueue())
	s.questions = container.NewTabItem("Form questions", container.NewStack())
	s.tabs = container.NewAppTabs(s.subs, s.questions)
	s.tabs.OnSelected = func(t *container.TabItem) {
		u.touch()
		if t == s.questions {
			s.showEditor()
		}
	}
	s.obj = container.NewBorder(container.NewVBox(s.bar, widget.NewSeparator()), nil, nil, nil, s.tabs)
	u.fillIntakeBar(s.bar)
	return s
}

// showSubmissions selects the Submissions tab (the sidebar's Intake entry
// opens on it).
func (s *intakeScreen) showSubmissions() {
	if s.tabs.Selected() != s.subs {
		s.tabs.Select(s.subs)
	}
}

// showEditor builds the form editor the first time its tab is shown.
func (s *intakeScreen) showEditor() {
	if s.editor != nil {
		return
	}
	s.editor = newFormEditor(s.u)
	s.questions.Content = s.editor.obj
	s.tabs.Refresh()
}

// showIntakeScreen is the sidebar's Intake entry: the screen, on its
// Submissions tab, with the badge re-read.
func (m *mainScreen) showIntakeScreen() fyne.CanvasObject {
	if m.intakeS == nil {
		m.intakeS = newIntakeScreen(m.u)
	} else {
		m.u.refreshIntake() // decided or arrived meanwhile (the command line)
	}
	m.intakeS.showSubmissions()
	m.u.fillIntakeBar(m.intakeS.bar)
	m.u.refreshIntakeBadge()
	return m.intakeS.obj
}

// refreshIntakeBadge re-reads how many submissions are new and shows it
// on the sidebar's Intake entry; nothing while locked or for a role that
// does not see the queue.
func (u *UI) refreshIntakeBadge() {
	m := u.main
	if m == nil || !m.offers(navIntake) || !u.can(access.Intake, access.Read) {
		return
	}
	s := u.sess
	run(u, func(ctx context.Context) (int, error) {
		return s.IntakeNewCount(ctx)
	}, func(n int, err error) {
		if u.main != m || err != nil {
			return // the badge is a hint: the queue itself says what went wrong
		}
		if n != m.intakeNew {
			m.intakeNew = n
			m.nav.Refresh()
		}
	})
}

// badge is the count on a sidebar entry: a number on a small coloured
// pill, hidden while zero.
type badge struct {
	widget.BaseWidget
	n int
}

func newBadge() *badge {
	b := &badge{}
	b.ExtendBaseWidget(b)
	b.Hide()
	return b
}

// set shows n (99+ above 99); hides the badge for 0.
func (b *badge) set(n int) {
	b.n = n
	if n <= 0 {
		b.Hide()
		return
	}
	b.Show()
	b.Refresh()
}

// Text is what the badge shows.
func (b *badge) Text() string {
	if b.n > 99 {
		return "99+"
	}
	return strconv.Itoa(b.n)
}

func (b *badge) CreateRenderer() fyne.WidgetRenderer {
	r := &badgeRenderer{b: b, text: canvas.NewText("", theme.Color(theme.ColorNameForegroundOnPrimary)),
		bg: canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))}
	r.text.TextStyle = fyne.TextStyle{Bold: true}
	r.text.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type badgeRenderer struct {
	b    *badge
	text *canvas.Text
	bg   *canvas.Rectangle
}

func (r *badgeRenderer) Layout(size fyne.Size) {
	h := r.pill()
	r.bg.Resize(h)
	r.bg.Move(fyne.NewPos(0, (size.Height-h.Height)/2))
	r.bg.CornerRadius = h.Height / 2
	t := r.text.MinSize()
	r.text.Resize(fyne.NewSize(h.Width, t.Height))
	r.text.Move(fyne.NewPos(0, (size.Height-t.Height)/2))
}

// pill is the coloured shape's size: at least as wide as it is high (a
// round pill for one digit).
func (r *badgeRenderer) pill() fyne.Size {
	t := r.text.MinSize()
	h := t.Height + 2
	return fyne.NewSize(max(t.Width+12, h), h)
}

func (r *badgeRenderer) MinSize() fyne.Size { return r.pill() }

func (r *badgeRenderer) Refresh() {
	r.text.Text = r.b.Text()
	r.text.Color = theme.Color(theme.ColorNameForegroundOnPrimary)
	r.bg.FillColor = theme.Color(theme.ColorNamePrimary)
	r.text.Refresh()
	r.bg.Refresh()
}

func (r *badgeRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.text} }
func (r *badgeRenderer) Destroy()                     {}
