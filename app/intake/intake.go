package intake

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"casevault/app/intake/form"
)

// Errors callers tell apart.
var (
	// ErrRunning: another intake server (this process or another) runs for the vault.
	ErrRunning = errors.New("client intake is already running for this vault")
	// ErrNotRunning: StopRunning found no intake server for the vault.
	ErrNotRunning = errors.New("client intake is not running for this vault")
	// ErrConfig: Start was given something it cannot run with (the message says what).
	ErrConfig = errors.New("client intake cannot start")
)

// Config is everything the server gets. It never gets a key that opens anything.
type Config struct {
	Dir       string       // the vault folder; the server writes only under Dir/intake
	Recipient string       // "age1…": the vault's intake public key
	Form      *form.Config // the form to show (a copy; the server never reads the vault)
	Area      string       // "" = the person chooses the practice area first
	LAN       bool         // explicit opt-in: HTTPS on LANAddr as well as the loopback address
	LANAddr   string       // "" = LANAddress() with a port picked; tests use 127.0.0.2:0 only
	Cert      *tls.Certificate
	Addr      string // loopback listen address, default "127.0.0.1:0"; must be a loopback address
	Limits    Limits // zero fields = defaults
	Now       func() time.Time
	OnSealed  func() // after each submission is durably on disk (called from a server goroutine)
}

// Limits bound what one client can make the server do. Zero = the default.
type Limits struct {
	Form              form.Limits   // files: number, size each, size in all
	MaxBody           int64         // one request's body (default: the files' total + 1 MiB)
	LinkTTL           time.Duration // a one-time link is refused after this (default 15 minutes)
	SessionTTL        time.Duration // a browser's session ends after this long unused (default 8 hours)
	MaxSessions       int           // browser sessions and unused links at once (default 50)
	PerMinute         int           // requests per minute per session, or per address without one (default 120)
	Burst             int           // requests at once above that rate (default 40)
	Concurrent        int           // submissions read and sealed at once; the rest wait (default 4: bounds memory)
	ReadHeaderTimeout time.Duration // default 10 s
	ReadTimeout       time.Duration // a whole request, uploads included (default 5 minutes)
	WriteTimeout      time.Duration // default 5 minutes (sealing is inside it)
	IdleTimeout       time.Duration // default 1 minute
}

// Text limits of one posted form (not configurable: a form of text is small).
const (
	maxParts      = 1000      // parts in one multipart body
	maxFieldBytes = 64 << 10  // one text answer
	maxTextBytes  = 512 << 10 // every text answer together (submission.json is at most 1 MiB)
	maxNameBytes  = 200       // a file's name as kept
	maxKeyBytes   = 100       // a field's name
)

func (l Limits) withDefaults() Limits {
	d := form.DefaultLimits
	if l.Form.MaxFiles == 0 {
		l.Form.MaxFiles = d.MaxFiles
	}
	if l.Form.MaxFileBytes == 0 {
		l.Form.MaxFileBytes = d.MaxFileBytes
	}
	if l.Form.MaxTotalBytes == 0 {
		l.Form.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.Form.MaxSealedBytes == 0 {
		l.Form.MaxSealedBytes = d.MaxSealedBytes
	}
	set := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	seti := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	if l.MaxBody == 0 {
		l.MaxBody = l.Form.MaxTotalBytes + maxTextBytes + 512<<10
	}
	set(&l.LinkTTL, 15*time.Minute)
	set(&l.SessionTTL, 8*time.Hour)
	seti(&l.MaxSessions, 50)
	seti(&l.PerMinute, 120)
	seti(&l.Burst, 40)
	seti(&l.Concurrent, 4)
	set(&l.ReadHeaderTimeout, 10*time.Second)
	set(&l.ReadTimeout, 5*time.Minute)
	set(&l.WriteTimeout, 5*time.Minute)
	set(&l.IdleTimeout, time.Minute)
	return l
}

// Server is a running intake server. Stop it with Stop; it also stops when
// the context given to Start ends, or when StopRunning asks (another process).
type Server struct {
	cfg   Config
	lim   Limits
	runID string // 16 hex: this run, recorded in every submission
	dir   string // Dir/intake
	inbox string // Dir/intake/inbox
	start time.Time

	lock      *runLock
	local     *http.Server
	lan       *http.Server
	localAddr string // 127.0.0.1:PORT
	lanAddr   string // IP:PORT in LAN mode
	link      string
	finger    string

	mu       sync.Mutex
	links    []*pendingLink
	sessions map[string]*session // by SHA-256 of the cookie
	anon     *limiter            // requests without a session, per remote address

	received atomic.Int64
	sem      chan struct{}

	createTemp func(dir, pattern string) (tempFile, error) // test hook (fault injection)
	syncDir    func(dir string) error                      // test hook

	done     chan struct{}
	stopOnce sync.Once
	stopErr  error
}

// Start checks c, takes the vault's intake lock (ErrRunning when another
// server holds it), listens, writes the run file and serves until Stop. The
// server runs past ctx's end only if ctx cannot end: app passes a context
// without cancel, so the run outlives the session that started it.
func Start(ctx context.Context, c Config) (*Server, error) {
	if err := checkConfig(&c); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        c,
		lim:        c.Limits.withDefaults(),
		runID:      form.NewSessionID(),
		dir:        filepath.Join(c.Dir, "intake"),
		sessions:   map[string]*session{},
		createTemp: osCreateTemp,
		syncDir:    syncDir,
		done:       make(chan struct{}),
	}
	s.inbox = filepath.Join(s.dir, "inbox")
	s.anon = newLimiter(s.lim.PerMinute, s.lim.Burst, 1024)
	s.sem = make(chan struct{}, s.lim.Concurrent)
	s.start = s.now()

	if err := mkdirPrivate(s.dir); err != nil {
		return nil, fmt.Errorf("making the intake folder in the vault folder: %w", err)
	}
	lock, err := acquireRunLock(filepath.Join(s.dir, lockName))
	if err != nil {
		return nil, err
	}
	s.lock = lock
	fail := func(err error) (*Server, error) {
		s.closeListeners()
		s.lock.release()
		return nil, err
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fail(fmt.Errorf("starting the intake server on %s: %w", c.Addr, err))
	}
	s.localAddr = ln.Addr().String()
	s.local = s.newHTTPServer(s.localAddr, false)
	var lanLn net.Listener
	if c.LAN {
		lanLn, err = net.Listen("tcp", c.LANAddr)
		if err != nil {
			ln.Close()
			return fail(fmt.Errorf("starting the intake server on the office network (%s): %w", c.LANAddr, err))
		}
		s.lanAddr = lanLn.Addr().String()
		s.lan = s.newHTTPServer(s.lanAddr, true)
		s.lan.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*c.Cert}}
		s.finger = Fingerprint(c.Cert.Certificate[0])
	}
	if err := s.writeRunFile(); err != nil {
		ln.Close()
		if lanLn != nil {
			lanLn.Close()
		}
		return fail(err)
	}
	link, err := s.NewLink()
	if err != nil {
		ln.Close()
		if lanLn != nil {
			lanLn.Close()
		}
		os.Remove(filepath.Join(s.dir, runName))
		return fail(err)
	}
	s.link = link
	register(s)

	go s.local.Serve(newLimitListener(ln, maxConns))
	if lanLn != nil {
		go s.lan.Serve(tls.NewListener(newLimitListener(lanLn, maxConns), s.lan.TLSConfig))
	}
	go func() {
		select {
		case <-ctx.Done():
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			s.Stop(stopCtx)
			cancel()
		case <-s.done:
		}
	}()
	return s, nil
}

func checkConfig(c *Config) error {
	if c.Dir == "" {
		return fmt.Errorf("%w: no vault folder", ErrConfig)
	}
	fi, err := os.Stat(c.Dir)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("%w: the vault folder %s is missing", ErrConfig, c.Dir)
	}
	if c.Form == nil {
		return fmt.Errorf("%w: no form", ErrConfig)
	}
	if c.Area != "" {
		if _, ok := c.Form.Area(c.Area); !ok {
			return fmt.Errorf("%w: the form has no practice area %q", ErrConfig, c.Area)
		}
	}
	if len(c.Form.Areas) == 0 {
		return fmt.Errorf("%w: the form has no practice areas", ErrConfig)
	}
	// A trial seal checks the recipient now rather than at the first client.
	trial := &form.Submission{ID: form.NewID(), ReceivedAt: time.Now(), Session: form.NewSessionID(),
		Notice: form.Notice{Version: 1, Text: "Trial."}, Consent: true,
		Answers: []form.Answer{{Key: "full_name", Label: "Full legal name", Kind: form.Short, Text: "Trial"}}}
	if err := form.Seal(io.Discard, c.Recipient, trial, nil); err != nil {
		// Not err's text: it may quote what was given, a secret key by mistake.
		return fmt.Errorf("%w: the vault's intake key cannot be used", ErrConfig)
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	if !isLoopback(c.Addr) {
		return fmt.Errorf("%w: %s is not this computer's own (loopback) address; use LAN mode for the office network", ErrConfig, c.Addr)
	}
	if c.LAN {
		if c.Cert == nil || len(c.Cert.Certificate) == 0 {
			return fmt.Errorf("%w: the office network needs the vault's certificate", ErrConfig)
		}
		if c.LANAddr == "" {
			ip, err := LANAddress()
			if err != nil {
				return err
			}
			c.LANAddr = net.JoinHostPort(ip.String(), "0")
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) newHTTPServer(addr string, tlsOn bool) *http.Server {
	return &http.Server{
		Handler:           &handler{s: s, host: addr, tls: tlsOn},
		ReadHeaderTimeout: s.lim.ReadHeaderTimeout,
		ReadTimeout:       s.lim.ReadTimeout,
		WriteTimeout:      s.lim.WriteTimeout,
		IdleTimeout:       s.lim.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.New(io.Discard, "", 0), // nothing on the lawyer's terminal, no client details in logs
	}
}

func (s *Server) closeListeners() {
	if s.local != nil {
		s.local.Close()
	}
	if s.lan != nil {
		s.lan.Close()
	}
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// Link is the first one-time link, made by Start: in LAN mode the https link
// on the office network (for the tablet and the QR code), else the loopback one.
func (s *Server) Link() string { return s.link }

// NewLink makes another one-time link of the same kind as Link (another device).
func (s *Server) NewLink() (string, error) {
	if s.lan != nil {
		return s.newLink("https", s.lanAddr)
	}
	return s.newLink("http", s.localAddr)
}

// LocalLink makes a one-time http://127.0.0.1 link for this computer's own
// browser (in LAN mode Link is the tablet's: opening it here would use it up).
func (s *Server) LocalLink() (string, error) { return s.newLink("http", s.localAddr) }

// Addr is the loopback address the server listens on (127.0.0.1:PORT).
func (s *Server) Addr() string { return s.localAddr }

// LANAddr is the office-network address in LAN mode, "" otherwise.
func (s *Server) LANAddr() string { return s.lanAddr }

// LAN reports whether the server also listens on the office network.
func (s *Server) LAN() bool { return s.lan != nil }

// Fingerprint is the SHA-256 of the LAN certificate as "AB:CD:…" ("" on loopback).
func (s *Server) Fingerprint() string { return s.finger }

// Received is how many submissions were sealed during this run.
func (s *Server) Received() int { return int(s.received.Load()) }

// Area is the practice area of this run ("" = the person chooses).
func (s *Server) Area() string { return s.cfg.Area }

// Started is when the server started.
func (s *Server) Started() time.Time { return s.start }

// Done is closed once the server has stopped, whatever stopped it.
func (s *Server) Done() <-chan struct{} { return s.done }

// Stop stops taking requests, waits (until ctx ends) for submissions being
// sealed, removes the run file and releases the lock. Safe to call twice.
func (s *Server) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		unregister(s)
		var errs []error
		for _, h := range []*http.Server{s.local, s.lan} {
			if h == nil {
				continue
			}
			if err := h.Shutdown(ctx); err != nil {
				h.Close()
				errs = append(errs, fmt.Errorf("stopping the intake server: %w", err))
			}
		}
		if err := os.Remove(filepath.Join(s.dir, runName)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing the intake run file: %w", err))
		}
		if err := s.lock.release(); err != nil {
			errs = append(errs, fmt.Errorf("releasing the intake lock: %w", err))
		}
		s.mu.Lock()
		s.links, s.sessions = nil, map[string]*session{}
		s.mu.Unlock()
		s.stopErr = errors.Join(errs...)
		close(s.done)
	})
	<-s.done
	return s.stopErr
}

// mkdirPrivate makes dir (0700) if missing, or makes it private; never its parents: when the vault
// folder is gone (a drive unplugged), nothing is made in its place.
func mkdirPrivate(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}
