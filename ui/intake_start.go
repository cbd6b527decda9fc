package ui

// Running client intake from the window: Start intake (the practice area,
// the office-network option with its warning), the one-time link opened in
// the browser, the bar on the Intake screen and the banner on every screen
// and on the lock screen while it runs, Stop. The server outlives the
// session (app.Session.StartIntake): locking never stops it; closing the
// window does (shutdown). A server started from the command line
// (casevault intake start) is shown too, with Stop.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/intake/form"
)

// intakeState is client intake as the window knows it. Touched only on the
// UI goroutine.
type intakeState struct {
	run     *app.IntakeRun // started by this window; nil when none runs
	started time.Time
	area    string // the practice area's label; "" = the person chooses
	// A server of another process (casevault intake start), as
	// app.IntakeRunning last reported it; zero when none.
	other        bool
	otherLAN     bool
	otherStarted time.Time
	checkedAt    time.Time // last look for another process's server
	stopping     bool
	note         string          // said once on the Intake screen's bar: "Client intake stopped: 3 forms received."
	problem      string          // the last import of new forms failed: why (the bar says it)
	banner       *fyne.Container // the banner on the screen shown now (main window or lock screen)
}

// intakeStopTimeout bounds how long stopping the server waits for a form
// being sent to finish.
const intakeStopTimeout = 5 * time.Second

// intakeBannerTextWidth is the least width of the banner's text.
const intakeBannerTextWidth = 360

// intakeCheckEvery is how often the window looks for a server started from
// the command line.
const intakeCheckEvery = 5 * time.Second

// Words shown to the lawyer (tests check them).
const (
	intakeLANOption  = "Let a tablet on this office network open the form"
	intakeLANWarning = "Only turn this on in your own office, on a network you trust. While intake runs, any device on " +
		"this network can reach the form: it can only send answers, never read any, but stop intake as soon as the " +
		"tablet is done. The tablet's browser will warn that it does not know this laptop's certificate: check that " +
		"the fingerprint it shows is the one this window shows, then continue."
	intakeLockedLine = "Client intake is running. The vault is locked; the form can only add answers."
	intakeOpenLine   = "Client intake is running. The form can only add answers; it shows nothing of the vault."
	intakeHandOver   = "Lock now and hand over the laptop"
)

// intakeRunning reports whether a server runs for this vault, from this
// window or another process.
func (u *UI) intakeRunning() bool { return u.intake.run != nil || u.intake.other }

// receivedWords is "No forms received yet", "1 form received", "3 forms received".
func receivedWords(n int) string {
	if n == 0 {
		return "No forms received yet"
	}
	return human.Count(n, "form received", "forms received")
}

// stoppedWords is the bar's note once intake stopped: "Client intake
// stopped at 2026-12-02 19:33: no forms received." (or "3 forms received").
func stoppedWords(at time.Time, n int) string {
	got := "no forms received"
	if n > 0 {
		got = human.Count(n, "form received", "forms received")
	}
	return "Client intake stopped at " + human.Time(at) + ": " + got + "."
}

// newIntakeBanner is the banner at the top of the screen being built (main
// window or lock screen): hidden unless intake runs.
func (u *UI) newIntakeBanner() *fyne.Container {
	c := container.NewStack()
	u.intake.banner = c
	u.fillIntakeBanner()
	return c
}

// fillIntakeBanner shows in the current banner what runs now.
func (u *UI) fillIntakeBanner() {
	c := u.intake.banner
	if c == nil {
		return
	}
	if !u.intakeRunning() {
		c.Objects = nil
		c.Hide()
		c.Refresh()
		return
	}
	st := &u.intake
	text := intakeOpenLine
	if u.sess == nil {
		text = intakeLockedLine
	}
	var buttons []fyne.CanvasObject
	if st.run != nil {
		text += " " + receivedWords(st.run.Received()) + "."
		if st.run.LAN() {
			text += " Tablets on this office network can open it too."
		}
		buttons = append(buttons, u.button("Open the form again", theme.MailComposeIcon(), u.openIntakeAgain))
		if u.sess != nil {
			lockB := u.button(intakeHandOver, theme.LogoutIcon(), func() { u.lockNow("") })
			buttons = append(buttons, lockB)
		}
	} else {
		text += " It was started from the command line"
		if !st.otherStarted.IsZero() {
			text += " at " + human.Time(st.otherStarted)
		}
		text += "."
	}
	stopB := u.button("Stop intake", theme.MediaStopIcon(), u.stopIntake)
	stopB.Importance = widget.DangerImportance
	if st.stopping {
		stopB.Disable()
	}
	buttons = append(buttons, stopB)
	bg := canvas.NewRectangle(tint(theme.Color(theme.ColorNameWarning), bannerTint))
	bg.CornerRadius = theme.InputRadiusSize()
	icon := widget.NewIcon(theme.NewWarningThemedResource(theme.MailComposeIcon()))
	// The text keeps a readable width in every layout pass: a wrapped
	// label laid out narrow asks for one word a line, and the window
	// would grow to that height for good (minWidthLayout).
	row := container.NewBorder(nil, nil, icon, container.NewHBox(buttons...),
		container.New(minWidthLayout{intakeBannerTextWidth}, wrapped(text)))
	c.Objects = []fyne.CanvasObject{container.NewPadded(container.NewStack(bg, container.NewPadded(row)))}
	c.Show()
	c.Refresh()
}

// fillIntakeBar is the Intake screen's top bar: Start intake, or what runs
// with its details (the office-network code, address and fingerprint).
func (u *UI) fillIntakeBar(bar *fyne.Container) {
	st := &u.intake
	var objs []fyne.CanvasObject
	switch {
	case st.run != nil:
		srv := st.run
		what := "Client intake is running on this laptop"
		if srv.LAN() {
			what = "Client intake is running on this laptop and on this office network"
		}
		if st.area != "" {
			what += ", for " + st.area
		}
		what += ", since " + human.Time(st.started) + ". " + receivedWords(srv.Received()) + "."
		objs = append(objs, bold(what))
		if srv.LAN() {
			objs = append(objs, u.intakeLANDetails(srv, srv.Link()))
		}
		// The buttons (Open the form again, Lock now…, Stop intake) are
		// the banner's, above: never twice on one screen.
		if srv.LAN() {
			objs = append(objs, container.NewHBox(u.button("New link for another tablet", theme.ContentAddIcon(), u.newIntakeLink)))
		}
	case st.other:
		what := "Client intake is running: it was started from the command line"
		if !st.otherStarted.IsZero() {
			what += " at " + human.Time(st.otherStarted)
		}
		if st.otherLAN {
			what += ", also for tablets on this office network"
		}
		objs = append(objs, bold(what+"."))
	default:
		startB := u.button("Start intake", theme.MailComposeIcon(), u.startIntakeDialog)
		startB.Importance = widget.HighImportance
		note := quiet("")
		note.Hide()
		u.allow(startB, access.Verb{Words: "start client intake", Needs: []access.Need{{Kind: access.Intake, Level: access.Edit}}}, note)
		objs = append(objs,
			wrapped("A prospective client fills in your intake form in the browser of this laptop (or of a tablet). "+
				"The form can only add answers: it shows nothing of the vault, even while the vault is locked. "+
				"Their answers wait under Submissions for your review and a conflict check."),
			container.NewHBox(startB, note))
	}
	if st.note != "" {
		objs = append(objs, quiet(st.note))
	}
	if st.problem != "" {
		l := errLabel()
		setMsg(l, st.problem)
		objs = append(objs, l)
	}
	bar.Objects = objs
	bar.Refresh()
}

// intakeChanged shows the intake's state everywhere it shows.
func (u *UI) intakeChanged() {
	u.fillIntakeBanner()
	if m := u.main; m != nil && m.intakeS != nil {
		u.fillIntakeBar(m.intakeS.bar)
	}
}

// intakeLANDetails is what a tablet needs: the code to scan, the address
// and the certificate's fingerprint, and the warning.
func (u *UI) intakeLANDetails(srv *app.IntakeRun, link string) fyne.CanvasObject {
	var code fyne.CanvasObject
	pic, err := intakeQR(srv, link)
	if err != nil {
		code = textBox(180, wrapped("The code to scan could not be drawn (technical details: "+err.Error()+"). Type the address instead."))
	} else {
		img := canvas.NewImageFromImage(pic)
		img.FillMode = canvas.ImageFillContain
		img.ScaleMode = canvas.ImageScalePixels
		img.SetMinSize(fyne.NewSize(180, 180))
		code = img
	}
	addr := widget.NewLabel(link)
	addr.Selectable = true
	addr.Wrapping = fyne.TextWrapBreak
	fp := widget.NewLabel(srv.Fingerprint())
	fp.TextStyle = fyne.TextStyle{Monospace: true}
	fp.Wrapping = fyne.TextWrapBreak
	warn := wrapped(intakeLANWarning)
	warn.Importance = widget.WarningImportance
	text := container.NewVBox(
		wrapped("On the tablet, scan this code with the camera, or type the address:"), addr,
		bold("Fingerprint of this laptop's certificate:"), fp, warn)
	return container.NewBorder(nil, nil, container.NewVBox(code, layout.NewSpacer()), nil, text)
}

// intakeQR is the code of link (the server's own for its first link),
// decoded: a code that does not decode is said, never shown blank.
func intakeQR(srv *app.IntakeRun, link string) (image.Image, error) {
	var b []byte
	var err error
	if link == srv.Link() {
		b, err = srv.QR()
	} else {
		b, err = app.IntakeQR(link)
	}
	if err != nil {
		return nil, err
	}
	pic, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("the code's picture: %w", err)
	}
	return pic, nil
}

// openLink opens an intake link in the browser (Options.openLink in tests).
func (u *UI) openLink(link string) error {
	if u.opts.openLink != nil {
		return u.opts.openLink(link)
	}
	return app.OpenIntakeLink(link)
}

// startIntakeDialog asks what to start: the practice area (or the person
// chooses) and whether a tablet on this office network may open the form.
func (u *UI) startIntakeDialog() {
	s := u.sess
	if s == nil || u.intakeRunning() {
		return
	}
	run(u, func(ctx context.Context) (*form.Config, error) {
		return s.IntakeForm(ctx)
	}, func(c *form.Config, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("the intake form could not be read: %s", app.Message(err)), u.w)
			return
		}
		const choose = "Let the person choose"
		opts := []string{choose}
		keys := map[string]string{choose: ""}
		for _, a := range c.Areas {
			l := human.Escape(a.Label)
			if _, dup := keys[l]; dup || l == "" {
				l = human.Escape(a.Label + " (" + a.Key + ")")
			}
			opts = append(opts, l)
			keys[l] = a.Key
		}
		area := widget.NewSelect(opts, func(string) { u.touch() })
		area.SetSelected(choose)
		const here = "The form opens in this laptop's browser. Hand the laptop over once it shows; you can lock the vault first: " +
			"the form keeps working and can only add answers."
		const tablet = "This window shows a code for the tablet's camera (and the address to type); the form opens on the tablet. " +
			"You can lock the vault meanwhile: the form keeps working and can only add answers."
		intro := wrapped(here)
		warn := wrapped(intakeLANWarning)
		warn.Importance = widget.WarningImportance
		warn.Hide()
		lan := widget.NewCheck(intakeLANOption, func(on bool) {
			u.touch()
			if on {
				intro.SetText(tablet)
				warn.Show()
			} else {
				intro.SetText(here)
				warn.Hide()
			}
		})
		content := textBox(520, container.NewVBox(intro, bold("Practice area"), area, lan, warn))
		d := dialog.NewCustomConfirm("Start client intake", "Start intake", "Cancel", content, func(ok bool) {
			if ok {
				sel := area.Selected
				label := ""
				if keys[sel] != "" {
					label = sel
				}
				u.startIntake(keys[sel], label, lan.Checked)
			}
		}, u.w)
		d.Show()
	})
}

// startIntake starts the server. It outlives the session: its result is
// kept even when the vault locked meanwhile.
func (u *UI) startIntake(area, label string, lan bool) {
	s := u.sess
	if s == nil || u.intakeRunning() {
		return
	}
	o := app.IntakeStart{Area: area, LAN: lan, LANAddr: u.opts.intakeLANAddr, OnReceived: u.intakeReceived}
	u.pending.Add(1)
	go func() {
		srv, err := s.StartIntake(context.Background(), o)
		u.deliver(func() { u.intakeStarted(srv, err, label) })
	}()
}

// intakeStarted shows the running intake, opens the form (on this laptop)
// or shows the code to scan (office network), and offers to lock.
func (u *UI) intakeStarted(srv *app.IntakeRun, err error, label string) {
	if err != nil {
		msg := app.Message(err)
		if errors.Is(err, app.ErrIntakeRunning) {
			msg = "Client intake is already running for this vault (perhaps started from the command line). Stop it first."
			u.checkOtherIntake(true)
		}
		dialog.ShowInformation("Client intake did not start", msg, u.w)
		return
	}
	u.intake.run, u.intake.started, u.intake.area = srv, u.now(), label
	u.intake.other, u.intake.note, u.intake.problem = false, "", ""
	go func() {
		<-srv.Done()
		u.post(func() { u.intakeEnded(srv) })
	}()
	u.intakeChanged()
	var body fyne.CanvasObject
	if srv.LAN() {
		body = u.intakeLANDetails(srv, srv.Link())
	} else if err := u.openLink(srv.Link()); err != nil {
		addr := widget.NewLabel(srv.Link())
		addr.Selectable = true
		addr.Wrapping = fyne.TextWrapBreak
		body = container.NewVBox(wrapped("The browser could not be opened ("+app.Message(err)+"). Open it yourself and type this address:"), addr)
	} else {
		body = wrapped("The form is open in your browser. When the person has sent it, the page thanks them and shows nothing of what they typed.")
	}
	content := textBox(560, container.NewVBox(body,
		wrapped("You can lock the vault now and hand over the laptop: the form keeps working and can only add answers. "+
			"To stop it, choose Stop intake at the top of the window (also on the lock screen), or close casevault.")))
	dialog.NewCustomConfirm("Client intake is running", intakeHandOver, "Keep working", content, func(lock bool) {
		if lock {
			u.lockNow("")
		}
	}, u.w).Show()
}

// intakeReceived is the server's OnReceived (a server goroutine): a form
// was sealed to disk. The window counts it and, while unlocked, adds it to
// the queue.
func (u *UI) intakeReceived() {
	u.post(func() {
		u.intakeChanged()
		u.importIntake()
	})
}

// importIntake adds the forms waiting beside the vault to the queue (the
// unlock does it too) and shows them.
func (u *UI) importIntake() {
	s := u.sess
	if s == nil || !u.can(access.Intake, access.Edit) {
		return
	}
	run(u, func(ctx context.Context) (*app.IntakeImport, error) {
		return s.ImportIntake(ctx)
	}, func(_ *app.IntakeImport, err error) {
		u.intake.problem = ""
		if err != nil {
			u.intake.problem = "The forms received could not be added to Submissions yet (" + app.Message(err) +
				"). They are safe beside the vault, sealed, and are added at the next unlock."
		}
		u.intakeChanged()
		u.refreshIntake()
		u.refreshIntakeBadge()
	})
}

// intakeEnded: the server stopped (Stop, or on its own).
func (u *UI) intakeEnded(srv *app.IntakeRun) {
	if u.intake.run != srv {
		return
	}
	u.intake.run, u.intake.stopping = nil, false
	u.intake.note = stoppedWords(u.now(), srv.Received())
	u.intakeChanged()
}

// openIntakeAgain opens the form once more in this laptop's browser: a new
// one-time link on this laptop (the first was used, or in office-network
// mode is the tablet's).
func (u *UI) openIntakeAgain() {
	srv := u.intake.run
	if srv == nil {
		return
	}
	link, err := srv.LocalLink()
	if err == nil {
		err = u.openLink(link)
	}
	if err != nil {
		dialog.ShowInformation("The form could not be opened", app.Message(err), u.w)
	}
}

// newIntakeLink shows a new one-time link for another tablet, with its
// code to scan.
func (u *UI) newIntakeLink() {
	srv := u.intake.run
	if srv == nil || !srv.LAN() {
		return
	}
	link, err := srv.NewLink()
	if err != nil {
		dialog.ShowInformation("No new link", app.Message(err), u.w)
		return
	}
	dialog.ShowCustom("A link for another tablet", "Close", textBox(560, u.intakeLANDetails(srv, link)), u.w)
}

// stopIntake stops the server: this window's, or another process's.
func (u *UI) stopIntake() {
	st := &u.intake
	if st.stopping || !u.intakeRunning() {
		return
	}
	st.stopping = true
	u.intakeChanged()
	srv, dir := st.run, u.opts.Dir
	u.pending.Add(1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), intakeStopTimeout)
		defer cancel()
		var err error
		if srv != nil {
			err = srv.Stop(ctx)
		} else {
			err = app.StopIntake(ctx, dir)
		}
		u.deliver(func() {
			st.stopping = false
			if err != nil && !errors.Is(err, app.ErrIntakeNotRunning) {
				dialog.ShowInformation("Client intake did not stop", app.Message(err), u.w)
			}
			if srv != nil {
				u.intakeEnded(srv)
			} else {
				st.other = false
				st.note = "Client intake stopped at " + human.Time(u.now()) + "."
				u.checkOtherIntake(true)
			}
			u.intakeChanged()
		})
	}()
}

// checkOtherIntake looks for a server started from the command line
// (every intakeCheckEvery, or now when force).
func (u *UI) checkOtherIntake(force bool) {
	st := &u.intake
	now := u.now()
	if st.run != nil || (!force && now.Sub(st.checkedAt) < intakeCheckEvery && !now.Before(st.checkedAt)) {
		return
	}
	st.checkedAt = now
	info, ok := app.IntakeRunning(u.opts.Dir)
	var started time.Time
	lan := false
	if ok && info != nil {
		started, lan = info.Started, info.Mode == "lan"
	}
	if ok != st.other || started != st.otherStarted || lan != st.otherLAN {
		st.other, st.otherStarted, st.otherLAN = ok, started, lan
		u.intakeChanged()
	}
}

// stopIntakeOnExit stops this window's server when the program closes
// (shutdown). A server of another process keeps running.
func (u *UI) stopIntakeOnExit() {
	srv := u.intake.run
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), intakeStopTimeout)
	defer cancel()
	_ = srv.Stop(ctx) // the program ends: nobody is left to tell; the run file goes with the server
	u.intake.run = nil
}
