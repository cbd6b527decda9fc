package cli

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"casevault/app"
)

// syncBuffer is a buffer written by a command's goroutines and read by the
// test while the command runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startIntake runs intake start on v in the background until ctx is done
// or the form is stopped; it returns its output and its exit code (on the
// channel) once it has printed the link.
type started struct {
	out, errs *syncBuffer
	code      chan int
	mu        sync.Mutex
	links     []string // the links the browser was asked to open
}

// opened is the links the browser was asked to open so far.
func (st *started) opened() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]string(nil), st.links...)
}

func startIntake(t *testing.T, v *tv, ctx context.Context, lanAddr string, args ...string) *started {
	t.Helper()
	return startIntakeTyped(t, v, ctx, lanAddr, false, "", args...)
}

// startIntakeTyped is startIntake at a terminal (when terminal) where
// typed follows the passphrase.
func startIntakeTyped(t *testing.T, v *tv, ctx context.Context, lanAddr string, terminal bool, typed string, args ...string) *started {
	t.Helper()
	st := &started{out: &syncBuffer{}, errs: &syncBuffer{}, code: make(chan int, 1)}
	env := Env{Stdin: strings.NewReader(testPass + "\n" + typed), terminal: terminal, Stdout: st.out, Stderr: st.errs, StdinFD: -1, Sleep: noSleep, StateDir: t.TempDir(),
		intakeLANAddr: lanAddr, OpenURL: func(link string) error {
			st.mu.Lock()
			defer st.mu.Unlock()
			st.links = append(st.links, link)
			return nil
		}}
	go func() {
		st.code <- Run(ctx, append(append([]string{"intake", "start"}, args...), "--vault", v.dir, "--passphrase-stdin"), env)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(st.out.String(), "To stop it") {
		select {
		case code := <-st.code:
			t.Fatalf("intake start ended at once: exit %d\n%s\n%s", code, st.out, st.errs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("intake start printed no link in 20 s:\n%s\n%s", st.out, st.errs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return st
}

// wait is the exit code of a started intake start, once it has ended.
func (st *started) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-st.code:
		return code
	case <-time.After(20 * time.Second):
		t.Fatalf("intake start did not stop in 20 s:\n%s", st.out)
	}
	return -1
}

// TestIntakeStartStop: intake start prints the one-time link, says the
// vault is locked and how to stop, opens the browser only when asked to,
// and runs until intake stop (another command, no passphrase) or Ctrl-C
// (its context); then it says how many submissions came. A second start
// is refused while one runs; stop with none running says so.
func TestIntakeStartStop(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	linkRE := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+/start/[A-Za-z0-9_-]+`)

	st := startIntake(t, v, context.Background(), "", "--no-browser", "--practice-area", "general")
	out := st.out.String()
	for _, w := range []string{"The vault is locked", "cannot show anything in the vault", "press Ctrl-C here", "casevault intake stop --vault "} {
		if !strings.Contains(out, w) {
			t.Errorf("intake start lacks %q:\n%s", w, out)
		}
	}
	if linkRE.FindString(out) == "" {
		t.Errorf("intake start printed no link:\n%s", out)
	}
	if len(st.opened()) != 0 {
		t.Errorf("--no-browser opened %v", st.opened())
	}
	if _, ok := app.IntakeRunning(v.dir); !ok {
		t.Error("no intake form runs for the vault after intake start")
	}
	// A second one is refused.
	if _, errs, code := v.do("intake", "start", "--no-browser"); code != ExitLocked || !strings.Contains(errs, "already runs") {
		t.Errorf("second intake start: exit %d %s", code, errs)
	}
	// The vault is not held: other commands run meanwhile.
	v.ok("client", "list")
	// A person sends the form; the command says so.
	sendForm(t, linkRE.FindString(out), "Quinn Lessee")
	if !strings.Contains(st.out.String(), "A submission was received and sealed (1 so far).") {
		t.Errorf("intake start did not say a submission came:\n%s", st.out)
	}
	// intake stop, from "another terminal": no passphrase.
	out, errs, code := run(t, "", "intake", "stop", "--vault", v.dir)
	if code != 0 || out != "The intake form has stopped.\n" {
		t.Errorf("intake stop: exit %d %q %q", code, out, errs)
	}
	if code := st.wait(t); code != 0 {
		t.Errorf("intake start after stop: exit %d\n%s", code, st.errs)
	}
	if !strings.Contains(st.out.String(), "The intake form has stopped. 1 submission was received.\nThe next unlock brings it into the vault: see it with \"casevault intake list --vault ") {
		t.Errorf("intake start's last words:\n%s", st.out)
	}
	// The next unlock brings it in.
	v.want(0, []string{"1 new submission is waiting for review.", "Quinn Lessee"}, "intake", "list")
	if _, ok := app.IntakeRunning(v.dir); ok {
		t.Error("an intake form still runs after intake stop")
	}
	out, _, code = run(t, "", "intake", "stop", "--vault", v.dir, "--json")
	if code != 0 || strings.TrimSpace(out) != "{\n  \"stopped\": false\n}" {
		t.Errorf("intake stop with none running --json: exit %d %q", code, out)
	}
	if out, _, _ := run(t, "", "intake", "stop", "--vault", v.dir); out != "No intake form is running.\n" {
		t.Errorf("intake stop with none running: %q", out)
	}

	// Without --no-browser the link is opened (here: recorded); Ctrl-C
	// (the context) stops it.
	// At a terminal, Enter gives a new link, opened too.
	ctx, cancel := context.WithCancel(context.Background())
	st = startIntakeTyped(t, v, ctx, "", true, "\n")
	if link := linkRE.FindString(st.out.String()); len(st.opened()) == 0 || st.opened()[0] != link {
		t.Errorf("opened %v, printed %q", st.opened(), link)
	}
	if !strings.Contains(st.out.String(), "For a new link (another device, or when this one has expired), press Enter here.") {
		t.Errorf("at a terminal intake start does not offer a new link:\n%s", st.out)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(st.out.String(), "A new link, open in your browser"); {
		if time.Now().After(deadline) {
			t.Fatalf("Enter gave no new link:\n%s", st.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if links := linkRE.FindAllString(st.out.String(), -1); len(links) != 2 || links[0] == links[1] || len(st.opened()) != 2 || st.opened()[1] != links[1] {
		t.Errorf("the new link: printed %v, opened %v", links, st.opened())
	}
	cancel()
	if code := st.wait(t); code != 0 || !strings.Contains(st.out.String(), "No submissions were received.") {
		t.Errorf("intake start after Ctrl-C: exit %d\n%s\n%s", code, st.out, st.errs)
	}

	// An area the form does not have: refused, nothing runs.
	tctx, tcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer tcancel()
	var o, e bytes.Buffer
	env := Env{Stdin: strings.NewReader(testPass + "\n"), Stdout: &o, Stderr: &e, StdinFD: -1, Sleep: noSleep, StateDir: t.TempDir(),
		OpenURL: func(string) error { return nil }}
	if code := Run(tctx, []string{"intake", "start", "--practice-area", "tax", "--no-browser", "--vault", v.dir, "--passphrase-stdin"}, env); code != ExitError ||
		!strings.Contains(e.String(), `The form has no practice area "tax"`) {
		t.Errorf("intake start --practice-area tax: exit %d\n%s\n%s", code, &o, &e)
	}
	if _, ok := app.IntakeRunning(v.dir); ok {
		t.Error("an intake form runs after a refused start")
	}

	// Refused command lines.
	v.want(ExitUsage, []string{"takes no --json"}, "intake", "start", "--json")
	v.want(ExitUsage, []string{"takes no arguments"}, "intake", "start", "family")
}

// sendForm fills in and sends the form at link as a browser does (its
// cookie, the form's token, our Origin), with the answers the general
// area needs.
func sendForm(t *testing.T, link, name string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	r, err := hc.Get(link) // follows the redirect to /form
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if r.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("the link led to %d: %s", r.StatusCode, page)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", string(m[1]))
	mw.WriteField("full_name", name)
	mw.WriteField("phone", "+1 555 010 0199")
	mw.WriteField("description", "A question about a lease.")
	mw.WriteField("consent", "yes")
	mw.Close()
	origin := r.Request.URL.Scheme + "://" + r.Request.URL.Host
	req, _ := http.NewRequest(http.MethodPost, origin+"/form", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", origin)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/thanks" {
		t.Fatalf("after sending: %d at %s", resp.StatusCode, resp.Request.URL)
	}
}

// TestIntakeStartLAN: --lan says the form can be reached from the network,
// prints the QR code and the certificate's fingerprint, and opens no
// browser here (the link is the tablet's). Tests listen on 127.0.0.2 only.
func TestIntakeStartLAN(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := startIntake(t, v, ctx, "127.0.0.2:0", "--lan", "--practice-area", "family")
	out := st.out.String()
	for _, w := range []string{"Warning: anyone on the office network can reach the form", "https://127.0.0.2:", "scan this code", "fingerprint"} {
		if !strings.Contains(out, w) {
			t.Errorf("intake start --lan lacks %q:\n%s", w, out)
		}
	}
	if !regexp.MustCompile(`([0-9A-F]{2}:){31}[0-9A-F]{2}`).MatchString(out) {
		t.Errorf("intake start --lan printed no SHA-256 fingerprint:\n%s", out)
	}
	if len(st.opened()) != 0 {
		t.Errorf("--lan opened this laptop's browser at %v", st.opened())
	}
	cancel()
	if code := st.wait(t); code != 0 {
		t.Errorf("intake start --lan: exit %d\n%s", code, st.errs)
	}
}
