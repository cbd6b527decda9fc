// Package e2e is the end-to-end test of client intake in a real browser:
// Debian's chromium, headless, driven with github.com/chromedp/chromedp
// (the Chrome DevTools Protocol; no Selenium server, no Node). It has test
// files only: nothing of it ships in the binary.
//
// From a real vault, locked while the form is filled in: open the one-time
// link, choose the practice area, fill every field, upload a file, send;
// the thank-you page and the back button show no answers; the sealed file
// is on disk and the vault stayed locked; after the unlock the submission
// is in the queue with its conflict hits; accepting it makes the client,
// the matter and the parties. Then a canary scan: no answer and no byte of
// the upload is on disk in plaintext, in the vault's folder, the temporary
// folder or (as evidence for docs/THREAT-MODEL.md) the browser's profile.
//
// Under CI=true a missing chromium fails the test; elsewhere it skips.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"casevault/app"
	"casevault/app/intake/form"
	"casevault/vault"
)

// testKDF is the cheapest Argon2id setting the vault accepts.
var testKDF = vault.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

const pass = "lantern orbit velvet cactus"

// chromium finds the browser: $CASEVAULT_CHROMIUM, else chromium or
// chromium-browser on PATH. Under CI=true a missing browser fails the
// test (CI installs it: .ci/install-deps.sh); elsewhere the test skips.
func chromium(t *testing.T) string {
	t.Helper()
	path, fail, msg := findChromium()
	switch {
	case path != "":
		return path
	case fail:
		t.Fatal(msg)
	default:
		t.Skip(msg)
	}
	return ""
}

// findChromium returns the browser's path, or whether its absence fails
// the test (under CI=true) and what to say.
func findChromium() (path string, fail bool, msg string) {
	if p := os.Getenv("CASEVAULT_CHROMIUM"); p != "" {
		return p, false, ""
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, false, ""
		}
	}
	if os.Getenv("CI") == "true" {
		return "", true, "chromium is not installed: the end-to-end intake test needs it under CI (bash .ci/install-deps.sh test)"
	}
	return "", false, "chromium is not installed; skipping the end-to-end intake test (install it: bash .ci/install-deps.sh test)"
}

func TestMissingChromiumFailsUnderCI(t *testing.T) {
	t.Setenv("CASEVAULT_CHROMIUM", "")
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CI", "true")
	if p, fail, msg := findChromium(); p != "" || !fail || !strings.Contains(msg, "install-deps") {
		t.Errorf("under CI=true without chromium: %q %v %q, want a failure", p, fail, msg)
	}
	t.Setenv("CI", "")
	if p, fail, msg := findChromium(); p != "" || fail || msg == "" {
		t.Errorf("outside CI without chromium: %q %v %q, want a skip", p, fail, msg)
	}
	t.Setenv("CASEVAULT_CHROMIUM", "/opt/chromium/chrome")
	if p, _, _ := findChromium(); p != "/opt/chromium/chrome" {
		t.Errorf("CASEVAULT_CHROMIUM is not used: %q", p)
	}
}

// browser starts a headless chromium with its own profile folder and its
// own home, cache and temporary folders (so the scan sees everything it
// writes) and returns a context to drive it.
func browser(t *testing.T, exe string, f folders) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(f.profile),
		// chromedp's default puts the browser's shared memory in the
		// temporary folder; a browser as people run it keeps it in /dev/shm
		// (memory). Keep it there, so the scan of TMPDIR sees what a real
		// browser would write.
		chromedp.Flag("disable-dev-shm-usage", false),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(390, 844), // a phone
		chromedp.Env("HOME="+f.home, "XDG_CACHE_HOME="+filepath.Join(f.home, ".cache"),
			"XDG_CONFIG_HOME="+filepath.Join(f.home, ".config"), "TMPDIR="+f.tmp),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // chromium refuses to run as root with its sandbox
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	// Start it now (without a time limit: chromedp ties the browser's life
	// to the context of this first call), so a browser that cannot start
	// fails here, clearly.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return bctx
}

// run runs browser steps with a time limit.
func run(t *testing.T, bctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v\nthe page shows: %s", what, err, pageText(bctx))
	}
}

// waitPage waits until the browser shows a loaded page whose address
// passes ok, and returns its HTML.
func waitPage(t *testing.T, bctx context.Context, ok func(loc string) bool) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		// While the page loads, the script may fail (no document yet): try again.
		ctx, cancel := context.WithTimeout(bctx, 5*time.Second)
		st, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`[location.href, document.readyState, document.documentElement ? document.documentElement.outerHTML : ""]`))
		cancel()
		if err == nil && len(st) == 3 && st[1] == "complete" && ok(st[0]) {
			return st[2]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not change: %.200q %v", st, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pageText is the text of the page the browser shows, for a failure message.
func pageText(bctx context.Context) string {
	ctx, cancel := context.WithTimeout(bctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	h, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		return loc + ": (cannot read it: " + err.Error() + ")"
	}
	return loc + ": " + strings.Join(strings.Fields(stripTags(h)), " ")
}

// get runs one browser action that returns a value, with a time limit.
func get[T any](t *testing.T, bctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(bctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

type folders struct {
	root, vault, tmp, profile, home, uploads string
}

func newFolders(t *testing.T) folders {
	root := t.TempDir()
	f := folders{root: root, vault: filepath.Join(root, "vault"), tmp: filepath.Join(root, "tmp"),
		profile: filepath.Join(root, "chromium-profile"), home: filepath.Join(root, "home"),
		uploads: filepath.Join(root, "uploads")}
	for _, d := range []string{f.tmp, f.profile, f.home, f.uploads, filepath.Join(root, "config")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// This process (the app and the intake server) uses the test's own
	// temporary and configuration folders too.
	t.Setenv("TMPDIR", f.tmp)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "config"))
	return f
}

// lockIsFree reports whether nobody holds the vault's lock: no session is
// open on it, in this process or another.
func lockIsFree(t *testing.T, dir string) bool {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, vault.LockFile), os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("the vault's lock file: %v", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return true
}

// The canaries: a unique word in every answer that can hold one, and in
// the uploaded file's name and content. Dates, yes/no and choices cannot
// hold one; they are fixed values a scan could not tell from other bytes.
const canary = "Qzvkanary"

func can(field string) string { return canary + strings.ReplaceAll(field, "_", "") }

type answer struct{ field, value string }

var typed = []answer{
	{"full_name", "Jane " + can("fullname") + " Roe"},
	{"other_names", "Jane " + can("othername") + " Smith"},
	{"address", "1 " + can("address") + " Street\nSpringfield"},
	{"phone", "+1 555 0173 9461"},
	{"email", strings.ToLower(can("email")) + "@example.com"},
	{"injuries", "Broken arm " + can("injuries")},
	{"medical_treatment", "City hospital " + can("medical")},
	{"insurance", "Acme insurance " + can("insurance")},
	{"description", "A lorry hit my car " + can("description")},
	{"key_dates.1.what", "Accident " + can("keydate")},
	{"adverse_parties", "John Doe\nWide Load " + can("adverse") + " Haulage"},
	{"other_people", "Witness " + can("otherpeople")},
	{"opposing_counsel", "Law " + can("counsel") + " LLP"},
	{"heard_about", "A friend " + can("heardabout")},
}

var fixed = []answer{
	{"date_of_birth", "1980-02-29"},
	{"key_dates.1.date", "2026-03-04"},
}

// radios: the id of the option to click.
var radios = []string{"f-contact_method-3", "f-safe_to_leave_messages-2", "f-police_report-1", "f-consent"}

var uploadContent = bytes.Repeat([]byte(canary+"upload content "), 4096) // 100 KB

const uploadName = "passport-" + canary + "file.txt"

func sel(name string) chromedp.CSS { return chromedp.CSS(`[name="` + name + `"]`) }

func byID(id string) chromedp.CSS { return chromedp.CSS(`[id="` + id + `"]`) }

func TestIntakeInARealBrowser(t *testing.T) {
	exe := chromium(t)
	f := newFolders(t)
	ctx := context.Background()

	// A real vault with a client whose name is one of the adverse parties
	// the prospective client will name.
	if _, err := app.Init(ctx, f.vault, []byte(pass), app.InitOptions{KDF: testKDF, Actor: "lawyer"}); err != nil {
		t.Fatal(err)
	}
	if err := app.ConfirmInit(f.vault); err != nil {
		t.Fatal(err)
	}
	s, err := app.Open(ctx, f.vault, vault.Passphrase([]byte(pass)), app.Options{Actor: "lawyer"})
	if err != nil {
		t.Fatal(err)
	}
	johnDoe := "John Doe"
	if _, err := s.AddClient(ctx, app.ClientInput{Name: &johnDoe}); err != nil {
		t.Fatal(err)
	}
	runServer, err := s.StartIntake(ctx, app.IntakeStart{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = runServer.Stop(context.Background()) })
	link := runServer.Link()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// From here until the unlock below, no session is open: the vault is
	// locked and the server holds only the public key.
	if !lockIsFree(t, f.vault) {
		t.Fatal("the vault is still open after Close")
	}
	if info, ok := app.IntakeRunning(f.vault); !ok || info.Mode != "loopback" {
		t.Fatalf("the intake server is not seen running: %+v %v", info, ok)
	}

	if err := os.WriteFile(filepath.Join(f.uploads, uploadName), uploadContent, 0o600); err != nil {
		t.Fatal(err)
	}
	b := browser(t, exe, f)
	fillAndSend(t, b, link, f, func() {
		if !lockIsFree(t, f.vault) {
			t.Error("the vault was opened while the form was filled in")
		}
	})

	// The sealed file is on disk; the vault stayed locked.
	sealed, _ := filepath.Glob(filepath.Join(f.vault, "intake", "inbox", "*.age"))
	if len(sealed) != 1 {
		t.Fatalf("%d sealed files in the inbox, want 1", len(sealed))
	}
	if runServer.Received() != 1 {
		t.Errorf("the server counts %d received", runServer.Received())
	}
	if !lockIsFree(t, f.vault) {
		t.Error("the vault was opened while the form was sent")
	}

	// Close the browser, stop the server; then nothing on disk may hold a
	// canary in plaintext.
	chromedp.Cancel(b)
	if err := runServer.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{f.vault, f.tmp} {
		if hits := scan(t, dir); len(hits) > 0 {
			t.Errorf("plaintext of an answer or the upload on disk under %s:\n%s", dir, strings.Join(hits, "\n"))
		}
	}
	// The browser's own folders: evidence for THREAT-MODEL (what a browser
	// keeps after a form like this). Reported, and a failure: autocomplete
	// is off on every field and every page is no-store, so the browser
	// should keep nothing.
	for _, dir := range []string{f.profile, f.home} {
		hits := scan(t, dir)
		files := countFiles(dir)
		t.Logf("browser folder %s: %d files, %d with a canary", filepath.Base(dir), files, len(hits))
		if len(hits) > 0 {
			t.Errorf("the browser kept plaintext of the answers:\n%s", strings.Join(hits, "\n"))
		}
	}

	// Unlock: the submission is imported, in the queue with its conflict hits.
	s, err = app.Open(ctx, f.vault, vault.Passphrase([]byte(pass)), app.Options{Actor: "lawyer"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if left, _ := filepath.Glob(filepath.Join(f.vault, "intake", "inbox", "*.age")); len(left) != 0 {
		t.Errorf("the sealed file is still in the inbox after the import: %v", left)
	}
	list, total, err := s.ListIntake(ctx, app.IntakeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(list) != 1 {
		t.Fatalf("the queue has %d submissions (%d listed), want 1", total, len(list))
	}
	sub := list[0]
	if sub.FullName != typed[0].value || sub.PracticeArea == "" || sub.Files != 1 || sub.Hits < 1 {
		t.Errorf("the queue lists %+v", sub)
	}
	res, err := s.CheckIntakeConflicts(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Hits, func(h app.ConflictHit) bool { return h.Name == johnDoe && h.Role == "client" }) {
		t.Errorf("the conflict check does not find the client John Doe: %+v", res.Hits)
	}
	detail, err := s.GetIntake(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range typed {
		key, _, _ := strings.Cut(a.field, ".")
		ans, ok := detail.Submission.Answer(key)
		if !ok {
			t.Errorf("the imported submission has no answer to %s", key)
			continue
		}
		got := ans.Text + strings.Join(ans.List, "\n")
		for _, d := range ans.Dates {
			got += d.What
		}
		if !strings.Contains(got, strings.ReplaceAll(a.value, "\n", "")) && !strings.Contains(got, a.value) {
			t.Errorf("%s arrived as %q, typed %q", a.field, got, a.value)
		}
	}
	if len(detail.FileList) != 1 || detail.FileList[0].Name != uploadName || detail.FileList[0].Size != int64(len(uploadContent)) {
		t.Errorf("the upload arrived as %+v", detail.FileList)
	} else if _, data, err := s.IntakeFileData(ctx, sub.ID, detail.FileList[0].ID); err != nil || !bytes.Equal(data, uploadContent) {
		t.Errorf("the upload's bytes: %d bytes, %v", len(data), err)
	}

	// Accept: the client, the matter and the parties exist.
	draft, err := s.IntakeDraft(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	draft.CheckID = res.CheckID
	draft.Decision, draft.DecisionNote = "waived", "Written consent of both clients on file (e2e test)."
	clientID, matterID, err := s.AcceptIntake(ctx, sub.ID, *draft)
	if err != nil {
		t.Fatal(err)
	}
	client, err := s.GetClient(ctx, clientID)
	if err != nil {
		t.Fatal(err)
	}
	if client.Name != typed[0].value || client.DOB != "1980-02-29" || !strings.Contains(client.Email, strings.ToLower(canary)) {
		t.Errorf("the new client: %+v", client.Client)
	}
	matter, err := s.GetMatter(ctx, matterID)
	if err != nil {
		t.Fatal(err)
	}
	if matter.ClientID != clientID {
		t.Errorf("the matter's client is %d, want %d", matter.ClientID, clientID)
	}
	var parties []string
	for _, p := range matter.Parties {
		parties = append(parties, p.Role+":"+p.Name)
	}
	defer func() {
		// After the import, the review and the accept, and the lock: still
		// no plaintext on disk.
		if err := s.Close(ctx); err != nil {
			t.Error(err)
		}
		for _, dir := range []string{f.vault, f.tmp} {
			if hits := scan(t, dir); len(hits) > 0 {
				t.Errorf("after the import and accept, plaintext on disk under %s:\n%s", dir, strings.Join(hits, "\n"))
			}
		}
	}()
	for _, want := range []string{"adverse:John Doe", "adverse:Wide Load " + can("adverse") + " Haulage",
		"related:Witness " + can("otherpeople"), "opposing_counsel:Law " + can("counsel") + " LLP"} {
		if !slices.Contains(parties, want) {
			t.Errorf("the matter has no party %s (it has %v)", want, parties)
		}
	}
}

// fillAndSend drives the browser through the form from the one-time link:
// the area choice, every field, the upload, Send; then checks the
// thank-you page and the back button show no answer. during runs before
// Send.
func fillAndSend(t *testing.T, b context.Context, link string, f folders, during func()) {
	t.Helper()

	// The one-time link: the person chooses the practice area first.
	run(t, b, "opening the one-time link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(byID("f-area-2")))
	loc := get(t, b, "reading the address", chromedp.Location())
	if !strings.HasSuffix(loc, "/form") {
		t.Errorf("the one-time link led to %s, not the form", loc)
	}
	run(t, b, "choosing personal injury",
		chromedp.Click(chromedp.CSS(`input[value="personal_injury"]`)),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(sel("full_name")))

	// Fill in every field: the text ones by typing (key events, as a
	// person would), the date ones by value (the date picker's keys depend
	// on the locale), the choices by clicking.
	var actions []chromedp.Action[chromedp.Void]
	for _, a := range typed {
		actions = append(actions, chromedp.SendKeys(sel(a.field), a.value))
	}
	for _, a := range fixed {
		actions = append(actions, chromedp.SetValue(sel(a.field), a.value))
	}
	for _, id := range radios {
		actions = append(actions, chromedp.Click(byID(id)))
	}
	actions = append(actions, chromedp.SetUploadFiles(sel("id_document"), []string{filepath.Join(f.uploads, uploadName)}))
	run(t, b, "filling in the form", actions...)

	// Every question of the area was given a value (so none is missed when
	// the form grows).
	area, _ := form.Default().Area("personal_injury")
	for _, k := range area.Questions {
		q, _ := form.Default().Question(k)
		filled := slices.ContainsFunc(append(slices.Clone(typed), fixed...), func(a answer) bool {
			return a.field == k || strings.HasPrefix(a.field, k+".")
		}) || slices.ContainsFunc(radios, func(id string) bool { return strings.HasPrefix(id, "f-"+k+"-") })
		if !filled && k != form.KeyIDDocument && !(q.Kind == form.Upload) {
			t.Errorf("the test does not fill in %s", k)
		}
	}
	during()

	// A mark in the page's memory: if Back shows this very page again, it
	// came from the back/forward cache (kept in memory), not the server.
	get(t, b, "marking the page", chromedp.Evaluate[chromedp.Void](`window.casevaultMark = "still here"`))
	run(t, b, "sending",
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.button`)))
	loc = get(t, b, "reading the address", chromedp.Location())
	thanks := waitPage(t, b, func(string) bool { return true })
	if !strings.HasSuffix(loc, "/thanks") || !strings.Contains(thanks, "Thank you") || !strings.Contains(thanks, "Start a new form") {
		t.Fatalf("after Send: %s\n%s", loc, thanks)
	}
	if strings.Contains(thanks, canary) || strings.Contains(thanks, "Roe") {
		t.Error("the thank-you page shows an answer")
	}

	// The back button: the form comes back empty (POST-redirect-GET, no-store:
	// nothing from the browser's cache or back/forward cache).
	// chromedp's NavigateBack and DOM queries lose track of the page after a
	// history navigation; the page itself is read with Runtime.evaluate.
	get(t, b, "pressing the back button", chromedp.Evaluate[chromedp.Void](`history.back()`))
	back := waitPage(t, b, func(loc string) bool { return !strings.HasSuffix(loc, "/thanks") })
	values := get(t, b, "reading the fields after going back", chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll('input:not([type=hidden]),textarea'))
			.map(e => (e.type === 'radio' || e.type === 'checkbox') ? (e.checked ? e.id : '') : e.value).join('|')`))
	fromMemory := get(t, b, "reading the mark", chromedp.Evaluate[bool](`window.casevaultMark === "still here"`))
	if strings.Contains(back, canary) || strings.Contains(values, canary) || strings.Contains(values, "1980-02-29") ||
		strings.Contains(values, "f-consent") {
		how := "the browser restored what was typed into a fresh page"
		if fromMemory {
			how = "the browser kept the filled-in page in its back/forward cache"
		}
		t.Errorf("the back button shows answers (%s): %.300q", how, values)
	}
	t.Logf("after the back button: %.120s", strings.Join(strings.Fields(stripTags(back)), " "))

}

// scan lists the files under dir that hold a canary: as typed (UTF-8) or
// as UTF-16 (what browsers use inside), in any case.
func scan(t *testing.T, dir string) []string {
	t.Helper()
	needles := [][]byte{[]byte(strings.ToLower(canary)), utf16le(strings.ToLower(canary))}
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone while walking (the browser's files)
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
				return nil
			}
			return err
		}
		low := bytes.ToLower(b)
		for _, n := range needles {
			if i := bytes.Index(low, n); i >= 0 {
				rel, _ := filepath.Rel(dir, path)
				hits = append(hits, fmt.Sprintf("  %s (%d bytes, at %d)", rel, len(b), i))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scanning %s: %v", dir, err)
	}
	return hits
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

func countFiles(dir string) int {
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
