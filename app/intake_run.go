package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"

	"github.com/pkg/browser"

	"casevault/app/access"
	"casevault/app/intake"
)

// IntakeRun is a running intake server (package intake): Link, LocalLink,
// NewLink, QR, QRText, Fingerprint, Received, Stop, Done. It outlives the
// session that started it: the vault can lock while clients fill in the form.
type IntakeRun = intake.Server

// IntakeRunInfo is what IntakeRunning tells of a server (maybe another process's).
type IntakeRunInfo = intake.RunInfo

// Errors front ends tell apart (they do not import package intake).
var (
	ErrIntakeRunning    = intake.ErrRunning    // another intake server runs for this vault
	ErrIntakeNotRunning = intake.ErrNotRunning // none runs
	ErrNoOfficeNetwork  = intake.ErrNoLAN      // LAN mode on a computer with no office-network address
)

// IntakeStart says how to start intake.
type IntakeStart struct {
	Area       string // a practice area of the form; "" = the person chooses
	LAN        bool   // also serve the office network (HTTPS with the vault's certificate)
	LANAddr    string // "" = this computer's own office-network address; tests give 127.0.0.2:0
	OnReceived func() // after each submission is on disk (from a server goroutine)
}

// StartIntake starts the intake form for this vault: the server gets the
// vault's intake public key, a copy of the current form and, in LAN mode,
// the vault's certificate; nothing that opens the vault. It needs the right
// to handle intake, is recorded in the audit trail (intake.start), and runs
// until stopped (Stop, StopIntake, or the program's end), past this
// session's lock or close.
func (s *Session) StartIntake(ctx context.Context, o IntakeStart) (*IntakeRun, error) {
	if err := s.allow(ctx, access.EditIntake); err != nil {
		return nil, err
	}
	if _, ok := intake.Running(s.Dir()); ok {
		return nil, fmt.Errorf("starting client intake: %w", ErrIntakeRunning)
	}
	recipient, err := s.IntakeRecipient(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting client intake: %w", err)
	}
	f, err := s.IntakeForm(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting client intake: %w", err)
	}
	area := "the person chooses the practice area"
	if o.Area != "" {
		a, ok := f.Area(o.Area)
		if !ok {
			keys := make([]string, len(f.Areas))
			for i, a := range f.Areas {
				keys[i] = a.Key
			}
			return nil, &FieldError{Field: "practice_area", Message: fmt.Sprintf("The form has no practice area %q (it has %s)", o.Area, strings.Join(keys, ", "))}
		}
		area = "practice area " + a.Label
	}
	c := intake.Config{Dir: s.Dir(), Recipient: recipient, Form: f, Area: o.Area, OnSealed: o.OnReceived}
	if o.LAN {
		addr, ip, err := lanListenAddr(o.LANAddr)
		if err != nil {
			return nil, fmt.Errorf("starting client intake on the office network: %w", err)
		}
		cert, err := s.IntakeTLS(ctx, []net.IP{ip})
		if err != nil {
			return nil, fmt.Errorf("starting client intake on the office network: %w", err)
		}
		c.LAN, c.LANAddr, c.Cert = true, addr, cert
	}
	run, err := intake.Start(context.WithoutCancel(ctx), c)
	if err != nil {
		return nil, fmt.Errorf("starting client intake: %w", err)
	}
	where := "on this computer only (" + run.Addr() + ")"
	if run.LAN() {
		where = "on this computer and the office network (" + run.LANAddr() + ")"
	}
	if err := s.audit(ctx, "intake.start", "", area+"; "+where); err != nil {
		run.Stop(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("starting client intake: %w", err)
	}
	return run, nil
}

// lanListenAddr is where LAN mode listens: the given address, or this
// computer's office-network address with a port picked.
func lanListenAddr(given string) (string, net.IP, error) {
	if given == "" {
		ip, err := intake.LANAddress()
		if err != nil {
			return "", nil, err
		}
		return net.JoinHostPort(ip.String(), "0"), ip, nil
	}
	host, _, err := net.SplitHostPort(given)
	if err != nil {
		return "", nil, err
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return "", nil, fmt.Errorf("%q is not an address", host)
	}
	return given, ip, nil
}

// IntakeRunning reports whether an intake server runs for the vault in dir,
// in this program or another (no session needed: the lock screen shows it).
func IntakeRunning(dir string) (*IntakeRunInfo, bool) { return intake.Running(dir) }

// StopIntake stops the intake server of the vault in dir, wherever it runs
// (another casevault process is asked, after checking it is casevault), and
// waits until it has stopped or ctx ends. ErrIntakeNotRunning when none runs.
func StopIntake(ctx context.Context, dir string) error { return intake.StopRunning(ctx, dir) }

// IntakeQR is a QR code image (PNG) of a link, e.g. a new link for another tablet.
func IntakeQR(link string) ([]byte, error) { return intake.QRCode(link) }

// browserMu guards pkg/browser's output settings (package variables).
var browserMu sync.Mutex

// openURL opens a link in the desktop's browser; tests replace it.
var openURL = browser.OpenURL

// OpenIntakeLink opens an intake link (http or https only) in the desktop's
// default browser. Whatever the opener prints is dropped: the link carries
// its one-time token.
func OpenIntakeLink(link string) error {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("opening the intake form: that is not a web link")
	}
	browserMu.Lock()
	defer browserMu.Unlock()
	out, errOut := browser.Stdout, browser.Stderr
	browser.Stdout, browser.Stderr = io.Discard, io.Discard
	defer func() { browser.Stdout, browser.Stderr = out, errOut }()
	if err := openURL(link); err != nil {
		return fmt.Errorf("%w: open the link in your browser yourself", ErrNoBrowser)
	}
	return nil
}
