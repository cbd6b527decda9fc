package cli

// "intake start" and "intake stop": the intake form in the browser, run
// in the foreground with the vault locked, and stopped from another
// terminal without a passphrase.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"casevault/app"
	"casevault/app/human"
)

// intakeStopWait bounds how long stopping the form may take (a submission
// being sealed is finished first).
const intakeStopWait = 15 * time.Second

// interrupts is the context of a command that runs until Ctrl-C: done at
// SIGINT or SIGTERM. main.go lets memguard catch those signals to wipe the
// keys and exit at once; intake start has no key left once its session is
// closed, and must stop the form cleanly (its run file removed, the count
// said), so it takes the signals over from there.
func interrupts(ctx context.Context) (context.Context, context.CancelFunc) {
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// lockedWriter lets the form's goroutine say that a submission came while
// the command's own goroutine writes too.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (r *runner) intakeStart(args []string) error {
	fs := r.flags("intake start")
	area := fs.String("practice-area", "", "show only this practice area's questions (default: the person chooses)")
	lan := fs.Bool("lan", false, "also serve the form on the office network, over HTTPS, for a tablet (prints a QR code of the link)")
	noBrowser := fs.Bool("no-browser", false, "do not open the browser; only print the link")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("intake start takes no arguments, not %q (the practice area is --practice-area AREA)", pos[0])
	}
	if r.json {
		return usagef("intake start runs until it is stopped and prints for a person: it takes no --json")
	}
	if r.dry {
		return errDryRun
	}
	if err := r.needVault(); err != nil {
		return err
	}
	if info, ok := app.IntakeRunning(r.vault); ok {
		return &saidError{fmt.Sprintf("an intake form already runs for this vault (since %s): stop it first with \"casevault intake stop%s\"",
			human.Time(info.Started), r.vaultFlag()), app.ErrLocked}
	}
	runCtx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	out := &lockedWriter{w: r.env.Stdout}
	var run *app.IntakeRun
	var got atomic.Int64 // the form's goroutines count here: run is not theirs to read
	err = r.open(func(s *app.Session) error {
		var err error
		run, err = s.StartIntake(runCtx, app.IntakeStart{Area: *area, LAN: *lan, LANAddr: r.env.intakeLANAddr, OnReceived: func() {
			fmt.Fprintf(out, "%s A submission was received and sealed (%s so far).\n", human.Time(time.Now()), human.Number(got.Add(1)))
		}})
		return err
	})
	if err != nil {
		return err
	}
	// The session is closed: the vault is locked, the form runs.
	notify := r.env.interrupts
	if notify == nil {
		notify = func(ctx context.Context) (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }
	}
	waitCtx, stopSignals := notify(runCtx)
	defer stopSignals()

	link := run.Link()
	var opened error
	if !*noBrowser && !run.LAN() { // in LAN mode the link is the tablet's: opening it here would use it up
		opened = r.openLink(link)
	}
	var b strings.Builder
	b.WriteString("The intake form is running. The vault is locked: the form can only add new\n")
	b.WriteString("submissions, and cannot show anything in the vault, not even earlier ones.\n\n")
	switch {
	case run.LAN():
		b.WriteString("Warning: anyone on the office network can reach the form while it runs.\n")
		b.WriteString("Stop it as soon as the tablet is done.\n\n")
		b.WriteString("On the tablet, scan this code or type the link (it works once):\n\n")
		b.WriteString(run.QRText())
		fmt.Fprintf(&b, "\n    %s\n\n", link)
		b.WriteString("The tablet's browser will warn that it does not know the certificate. Go on\n")
		fmt.Fprintf(&b, "only if the fingerprint (SHA-256) it shows is:\n    %s\n\n", run.Fingerprint())
	case *noBrowser:
		fmt.Fprintf(&b, "Open this link in the browser (it works once):\n    %s\n\n", link)
	case opened != nil:
		fmt.Fprintf(&b, "The browser could not be opened (%s).\nOpen this link in it yourself (it works once):\n    %s\n\n", opened, link)
	default:
		fmt.Fprintf(&b, "The form is open in your browser. Its link (it works once):\n    %s\n\n", link)
	}
	b.WriteString("To stop it: press Ctrl-C here, or run \"casevault intake stop" + r.vaultFlag() + "\" in\n")
	b.WriteString("another terminal. What was sent is brought into the vault at the next unlock.\n")
	ask := r.isTerminal()
	if ask {
		b.WriteString("For a new link (another device, or when this one has expired), press Enter here.\n")
	}
	fmt.Fprint(out, human.EscapeText(b.String()))
	if ask {
		go r.newLinks(run, out, !*noBrowser)
	}

	select {
	case <-waitCtx.Done():
	case <-run.Done():
	}
	stopCtx, cancelStop := context.WithTimeout(context.Background(), intakeStopWait)
	defer cancelStop()
	stopErr := run.Stop(stopCtx)
	n := run.Received()
	if n == 0 {
		fmt.Fprintln(out, "\nThe intake form has stopped. No submissions were received.")
	} else {
		it := map[bool]string{true: "it", false: "them"}[n == 1]
		fmt.Fprintf(out, "\nThe intake form has stopped. %s received.\nThe next unlock brings %s into the vault: see %s with \"casevault intake list%s\".\n",
			human.Count(n, "submission was", "submissions were"), it, it, r.vaultFlag())
	}
	if stopErr != nil {
		return fmt.Errorf("stopping the intake form: %w", stopErr)
	}
	return nil
}

// newLinks gives a new one-time link each time Enter is pressed, until
// standard input ends or the form stops: the tablet's as a QR code too in
// LAN mode, else opened in the browser when open says so.
func (r *runner) newLinks(run *app.IntakeRun, out io.Writer, open bool) {
	in := r.lines // after --passphrase-stdin, the lines after the passphrase
	if in == nil {
		in = bufio.NewReader(r.env.Stdin)
	}
	for {
		if _, err := in.ReadString('\n'); err != nil {
			return
		}
		select {
		case <-run.Done():
			return
		default:
		}
		link, err := run.NewLink()
		if err != nil {
			fmt.Fprintf(out, "No new link: %s\n", human.EscapeText(err.Error()))
			continue
		}
		var b strings.Builder
		switch {
		case run.LAN():
			fmt.Fprintf(&b, "A new link for the tablet (it works once):\n\n%s\n    %s\n", run.QRText(), link)
		case open && r.openLink(link) == nil:
			fmt.Fprintf(&b, "A new link, open in your browser (it works once):\n    %s\n", link)
		default:
			fmt.Fprintf(&b, "A new link (it works once):\n    %s\n", link)
		}
		fmt.Fprint(out, human.EscapeText(b.String()))
	}
}

// openLink opens an intake link in the browser (Env.OpenURL in tests).
func (r *runner) openLink(link string) error {
	if r.env.OpenURL != nil {
		return r.env.OpenURL(link)
	}
	return app.OpenIntakeLink(link)
}

func (r *runner) intakeStop(args []string) error {
	fs := r.flags("intake stop")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("intake stop takes no arguments, not %q", pos[0])
	}
	if r.dry {
		return errDryRun
	}
	if err := r.needVault(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.ctx, intakeStopWait)
	defer cancel()
	err = app.StopIntake(ctx, r.vault)
	stopped := err == nil
	if errors.Is(err, app.ErrIntakeNotRunning) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("stopping the intake form: %w", err)
	}
	return r.out(struct {
		Stopped bool `json:"stopped"`
	}{stopped}, func(w io.Writer) {
		if stopped {
			fmt.Fprintln(w, "The intake form has stopped.")
		} else {
			fmt.Fprintln(w, "No intake form is running.")
		}
	})
}
