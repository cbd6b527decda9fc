// Package ui holds the Fyne desktop window of casevault: the first-run
// setup, the unlock screen and the main window (clients, matters, conflict
// check, audit trail, backups, settings, search).
//
// It talks only to casevault/app (and app/policy): never to store or vault
// directly; layers_test.go at the module root enforces that.
//
// Threading: every slow call (key derivation, calibration, queries) runs on
// a goroutine started by u.run, and its result comes back to the UI
// goroutine through fyne.DoAndWait. A result that arrives after the vault
// was locked is dropped (u.epoch).
package ui

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	dsk "casevault/app/desktop"
	"casevault/app/human"
)

// Title is the title of the main window.
const Title = "casevault"

// ErrNoDisplay is returned by Run when there is no graphical display to open a window on.
var ErrNoDisplay = errors.New("there is no graphical display to open the casevault window on; " +
	"use the command line instead (run casevault --help)")

// Options configure the window. The zero value is the production setting
// on app.DefaultDir().
type Options struct {
	Dir     string
	Version string
	// Now is the clock for auto-lock, clipboard clearing and the unlock
	// delay; nil = time.Now. Tests inject one.
	Now func() time.Time
	// KDF, when set, is used for a new vault instead of calibrating (tests).
	KDF *app.KDFParams
	// StateDir holds the wrong-passphrase counts of backup repositories
	// (app.RepoUnlockStateDir); "": app.UnlockStateBase(). Tests set one.
	StateDir string
	// Tick is how often idle time, the clipboard and the unlock delay are
	// checked; 0 = no ticker (tests call tick themselves).
	Tick time.Duration
	// Settings overrides the settings file when set (tests).
	Settings *app.Settings
	// Desktop reports when the desktop session locks or the computer is
	// about to sleep: the vault locks then. nil = not watched (Run watches
	// the real desktop; tests pass a desktop.Fake).
	Desktop dsk.Watcher

	// SearchSettle is how long the search field must stay untouched before
	// the search is recorded in the audit trail (one entry for what was
	// typed, app.Session.SettleSearch); 0 = DefaultSearchSettle. Tests set
	// it and drive the clock (Now) and tick themselves.
	SearchSettle time.Duration

	// queued: results of background work wait until the test calls wait.
	queued bool
	// closeSession replaces app.Session.Close when the window locks
	// (tests: a slow, blocked or failing close).
	closeSession func(*app.Session) error
	// closeProgressAfter is how long closing the window waits for a
	// session still saving before it shows that it does; 0 =
	// closeProgressDelay, negative = at once (tests).
	closeProgressAfter time.Duration
	// backupVolume replaces the drive identification of backups (tests).
	backupVolume func(string) (app.Drive, error)
	// openBrowser replaces app.OpenInBrowser for report pages (tests).
	openBrowser func(path string) error
	// openLink replaces app.OpenIntakeLink (tests); intakeLANAddr is the
	// office-network address of client intake (tests: 127.0.0.2:0 only).
	openLink      func(link string) error
	intakeLANAddr string
	// pickPath replaces the file and folder dialogs of the Documents tabs
	// (tests): the path chosen, "" for none.
	pickPath func(folder bool) string
}

// Run opens the casevault window on the vault in dir ("" = the default
// place) and blocks until the user closes it.
func Run(version, dir string) error {
	if !hasDisplay() {
		return ErrNoDisplay
	}
	if dir == "" {
		dir = app.DefaultDir()
	}
	if dir == "" {
		return app.ErrNoDefaultDir
	}
	// The window's own settings live next to the vault (app.SettingsFile);
	// the ID only names Fyne's file-chooser preferences (see AppID).
	quietenFyne(os.Stderr)
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(AppIcon)
	u := New(a, Options{Dir: dir, Version: version, Tick: time.Second})
	// Without D-Bus (or on macOS and Windows) Watch gives a watcher that
	// never reports; it runs apart so that a slow bus never holds the
	// window up.
	go func() {
		w, _ := dsk.Watch()
		u.watchDesktop(w)
	}()
	u.w.SetMaster()
	u.w.ShowAndRun()
	u.shutdown()
	return nil
}

// UI is one casevault window and its state. All fields are touched only on
// the UI goroutine.
type UI struct {
	a    fyne.App
	w    fyne.Window
	opts Options
	now  func() time.Time
	set  app.Settings

	sess  *app.Session
	epoch uint64 // bumped on lock: late results of the old session are dropped

	lastActivity time.Time
	pending      atomic.Int64   // background work not yet delivered
	queue        chan func()    // tests: results wait here for wait()
	closing      sync.WaitGroup // sessions being closed (closeLater)
	closingN     atomic.Int32   // how many: closing has no count to read
	closeProblem string         // what went wrong while a session closed, not shown yet (closeFailed)
	lockDamaged  bool           // a lock's checkpoint failed on damage: offer the check (closeFailed)
	quitting     bool           // closeRequested waits for closing sessions

	clipValue  string // what we put on the clipboard, to clear it later
	clipExpiry time.Time

	unlock  *unlockScreen
	change  *mustChangeScreen // a user who must choose a new passphrase first (unlock_user.go)
	setup   *setupScreen
	restore *restoreScreen // restore from a backup, before any vault is open (restore.go)
	main    *mainScreen

	// Backups (backups.go): the backups, one at a time (app.BackupJobs),
	// the one running as the window shows it, the modal of the backup
	// before locking, and when the reminder banner was last looked at.
	jobs     app.BackupJobs
	job      *backupJob
	lockWait *lockWait
	bannerAt time.Time

	// reportFiles remove the report pages opened to print (reports.go),
	// on lock; lastReport is the last report's page or file (tests).
	// escButtons are the buttons Escape presses when their dialog is on
	// top (keys.go escCloses).
	escButtons map[*widget.Button]bool

	reportFiles []func()
	lastReport  string

	intake intakeState // client intake running (intake_start.go)

	// Documents (documents*.go): the add running, the documents opened
	// (their names for the notices), and what ends the questions of
	// opened copies when the vault locks.
	docJob     *docJob
	docOpened  map[int64]app.DocumentInfo
	docAskStop chan struct{}

	stopTick chan struct{}
}

// New builds the window on a (not shown yet): the setup flow when dir
// holds no vault, else the unlock screen.
func New(a fyne.App, opts Options) *UI {
	if opts.Dir == "" {
		opts.Dir = app.DefaultDir()
	}
	u := &UI{a: a, opts: opts, now: opts.Now}
	u.jobs.CloseSession = u.closeSession
	if opts.queued {
		u.queue = make(chan func(), 64)
	}
	if u.now == nil {
		u.now = time.Now
	}
	if opts.Settings != nil {
		u.set = *opts.Settings
	} else {
		u.set = app.LoadSettings(opts.Dir)
	}
	a.Settings().SetTheme(newVaultTheme()) // readable text in both variants (theme.go)
	u.w = a.NewWindow(Title)
	u.w.Resize(fyne.NewSize(1100, 720))
	u.w.CenterOnScreen()
	u.w.SetCloseIntercept(u.closeRequested)
	u.w.SetOnDropped(u.dropped) // files dropped on the window become documents (documents_add.go)
	for _, k := range []fyne.KeyName{fyne.KeyF, fyne.KeyL} {
		u.w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault},
			func(s fyne.Shortcut) { u.shortcut(s) })
	}
	u.w.Canvas().SetOnTypedKey(u.typedKey) // keys.go: Escape closes the dialog on top
	u.w.Canvas().SetOnTypedRune(func(rune) { u.touch() })
	if opts.Desktop != nil {
		go u.watchDesktop(opts.Desktop)
	}
	if app.VaultExists(opts.Dir) {
		u.showUnlock("")
	} else {
		u.showSetup()
	}
	if opts.Tick > 0 {
		stop := make(chan struct{})
		u.stopTick = stop
		go func() {
			t := time.NewTicker(opts.Tick)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					fyne.Do(u.tick)
				case <-stop:
					return
				}
			}
		}()
	}
	return u
}

// closeRequested locks the vault and closes the window, after the backup
// on lock when one runs (see lock) and once the session has finished
// closing (its checkpoint saved: see whenClosed). It also takes back what
// we put on the clipboard when no session is open (lockNow does that for a
// session): the recovery key copied on the setup screen must not outlive
// the window.
func (u *UI) closeRequested() {
	if u.quitting {
		return
	}
	u.lock("", true, func() {
		u.clearClipboard()
		u.whenClosed(func() { u.w.Close() })
	})
}

// Window is the window.
func (u *UI) Window() fyne.Window { return u.w }

// shutdown locks the vault after the window closed and waits for
// background work.
func (u *UI) shutdown() {
	if u.stopTick != nil {
		close(u.stopTick)
		u.stopTick = nil
	}
	if u.restore != nil {
		u.restore.stop()
	}
	u.lock("", false, nil) // the window is gone: no backup on lock now
	u.stopIntakeOnExit()
	u.removeReports()
	u.closing.Wait()
}

// run does work off the UI goroutine and hands its result to done on the
// UI goroutine, unless the vault was locked meanwhile.
func run[T any](u *UI, work func(ctx context.Context) (T, error), done func(T, error)) {
	epoch := u.epoch
	u.pending.Add(1)
	go func() {
		v, err := work(context.Background())
		u.deliver(func() {
			if u.epoch == epoch {
				done(v, err)
			}
		})
	}()
}

// deliver runs f on the UI goroutine and counts one piece of work as done.
// Under test, f waits in a queue until the test calls wait: the test
// driver would otherwise run it at once on this goroutine, concurrently
// with the test.
func (u *UI) deliver(f func()) {
	if u.queue != nil {
		u.queue <- f
		return
	}
	fyne.DoAndWait(f)
	u.pending.Add(-1)
}

// do runs f on the UI goroutine, from a background goroutine that is
// itself counted in pending.
func (u *UI) do(f func()) {
	u.pending.Add(1)
	u.deliver(f)
}

// wait runs queued results until no background work is left (tests).
func (u *UI) wait() {
	for {
		for u.queue != nil && u.pending.Load() > 0 {
			f := <-u.queue
			f()
			u.pending.Add(-1)
		}
		u.closing.Wait()
		// A close may have queued what it found (closeSession) before it ended.
		if u.queue == nil || u.pending.Load() == 0 {
			return
		}
	}
}

// touch records activity, for auto-lock.
func (u *UI) touch() { u.lastActivity = u.now() }

func (u *UI) shortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	u.touch()
	switch cs.KeyName {
	case fyne.KeyF:
		if u.main != nil {
			u.w.Canvas().Focus(u.main.search)
		}
		return true
	case fyne.KeyL:
		u.lockNow("")
		return true
	}
	return false
}

// tick checks idle time, the clipboard and the unlock delay.
func (u *UI) tick() {
	now := u.now()
	if u.sess != nil && u.set.AutoLock > 0 && now.Sub(u.lastActivity) >= u.set.AutoLock {
		u.lockNow("Locked after " + human.Duration(u.set.AutoLock) + " without activity.")
	}
	if u.clipValue != "" && !now.Before(u.clipExpiry) {
		u.clearClipboard()
	}
	if u.unlock != nil {
		u.unlock.tick(now)
	}
	if u.restore != nil {
		u.restore.tick(now)
	}
	if u.main != nil {
		u.main.searchTick(now)
	}
	u.checkOtherIntake(false)
	u.backupTick(now)
}

// copySecret puts s on the clipboard and clears it after the configured
// delay (if it is still what we put there).
func (u *UI) copySecret(s string) {
	u.touch()
	u.a.Clipboard().SetContent(s)
	u.clipValue = s
	u.clipExpiry = u.now().Add(u.set.ClipboardClear)
}

func (u *UI) clearClipboard() {
	if u.clipValue != "" && u.a.Clipboard().Content() == u.clipValue {
		u.a.Clipboard().SetContent("")
	}
	u.clipValue = ""
}

// lockNow wipes every screen showing client data, returns to the unlock
// screen and closes the session (checkpoint, keys wiped) in the background.
// When the backup settings ask for a backup on lock and the backup drive is
// there, the session closes after that backup, which a small modal over the
// unlock screen shows and lets the person skip.
func (u *UI) lockNow(reason string) { u.lock(reason, true, nil) }

// lock is lockNow; backup allows the backup on lock, and after (may be nil)
// runs on the UI goroutine once that backup ended or was skipped (at once
// when none runs).
func (u *UI) lock(reason string, backup bool, after func()) {
	if u.sess == nil {
		u.afterLock(after)
		return
	}
	s := u.sess
	u.sess = nil
	u.epoch++
	for _, o := range u.w.Canvas().Overlays().List() {
		u.w.Canvas().Overlays().Remove(o)
	}
	u.main, u.change = nil, nil
	u.stopDocAsks()
	u.escButtons = nil
	u.w.SetMainMenu(nil)
	u.removeReports()
	u.clearClipboard()
	j := u.lockBackup(s, backup)
	var aj *app.BackupJob
	if j != nil {
		aj = j.BackupJob
	}
	u.closeLater(s, aj) // never waits for the backup or the checkpoint
	u.showUnlock(reason)
	if j != nil && backup {
		u.showLockBackup(j, after)
	} else if after != nil {
		after()
	}
}

// closeSession closes a locked session (off the UI goroutine, once its
// backup ended): the lock entry, the checkpoint, the keys wiped. A failure
// while locking loses no saved change (every change is in the vault's
// log); what it means for the person (a checkpoint that failed, reads a
// full disk kept out of the audit trail) is shown on the next screen: the
// unlock screen, or the window after the next unlock (closeFailed).
func (u *UI) closeSession(s *app.Session) {
	closeFn := u.opts.closeSession
	if closeFn == nil {
		closeFn = func(s *app.Session) error { return s.Close(context.Background()) }
	}
	if err := closeFn(s); err != nil {
		msg, damaged := lockFailure(err)
		// Never wait for the UI goroutine here: when the window closes, it
		// waits for this close to end (u.closing).
		u.post(func() { u.closeFailed(msg, damaged) })
	}
	if notes := s.CopyNotices(); len(notes) > 0 {
		// What locking did with the opened documents' copies (a version
		// kept from a change saved just before; a copy still open in its
		// program), on the unlock screen (documents_actions.go).
		u.post(func() { u.copiesClosed(notes) })
	}
}

// opened is called on the UI goroutine with a fresh session.
func (u *UI) opened(s *app.Session) {
	u.sess = s
	u.unlock, u.setup, u.restore = nil, nil, nil
	u.touch()
	u.main = newMainScreen(u)
	u.w.SetContent(newActivityArea(u.main.obj, u.touch))
	u.main.show(navClients)
	u.checkOtherIntake(true)
	u.refreshIntakeBadge()
	notes := s.Notices()
	damaged := false
	if u.closeProblem != "" {
		// closeFailed while no unlock screen showed (closeFailed)
		notes = append([]string{u.closeProblem}, notes...)
		u.closeProblem = ""
		damaged = u.lockDamaged
	}
	u.lockDamaged = false
	switch {
	case damaged:
		// The lock's notice leads to the check, as the unlock screen's
		// Unlock and check… does.
		dialog.ShowCustomConfirm("Found while opening the vault", "Check this vault…", "Close", wrapped(strings.Join(notes, "\n\n")),
			func(ok bool) {
				if ok && u.sess == s && u.main != nil {
					u.checkNow()
				}
			}, u.w)
	case len(notes) > 0:
		dialog.ShowInformation("Found while opening the vault", strings.Join(notes, "\n\n"), u.w)
	}
}

// entry is a widget.Entry that records activity and lets the window's
// shortcuts (Ctrl+F, Ctrl+L) through while it has the focus.
type entry struct {
	widget.Entry
	u *UI
}

func (u *UI) newEntry(placeholder string) *entry {
	e := &entry{u: u}
	e.Wrapping = fyne.TextWrapOff
	e.PlaceHolder = placeholder
	e.ExtendBaseWidget(e)
	return e
}

func (u *UI) newMultiLine(placeholder string) *entry {
	e := &entry{u: u}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.PlaceHolder = placeholder
	e.ExtendBaseWidget(e)
	return e
}

func (u *UI) newPassword(placeholder string) *entry {
	e := u.newEntry(placeholder)
	e.Password = true
	return e
}

func (e *entry) TypedRune(r rune) { e.u.touch(); e.Entry.TypedRune(r) }

func (e *entry) TypedKey(k *fyne.KeyEvent) {
	e.u.touch()
	if k.Name == fyne.KeyEscape && e.u.closeTopDialog() {
		return
	}
	e.Entry.TypedKey(k)
}

func (e *entry) TypedShortcut(s fyne.Shortcut) {
	if e.u.shortcut(s) {
		return
	}
	e.u.touch()
	e.Entry.TypedShortcut(s)
	// Text copied out of a field while the vault is open is client data:
	// clear it from the clipboard after the delay, like the copy buttons.
	switch sc := s.(type) {
	case *fyne.ShortcutCopy:
		e.u.trackClipboard(sc.Clipboard)
	case *fyne.ShortcutCut:
		e.u.trackClipboard(sc.Clipboard)
	}
}

func (u *UI) trackClipboard(c fyne.Clipboard) {
	if u.sess == nil || c == nil {
		return
	}
	if v := c.Content(); v != "" {
		u.clipValue = v
		u.clipExpiry = u.now().Add(u.set.ClipboardClear)
	}
}

// AcceptsTab: Tab moves to the next field, also from multi-line fields
// (nobody types a tab character into a client record).
func (e *entry) AcceptsTab() bool { return false }

// button makes a button whose taps count as activity.
func (u *UI) button(label string, icon fyne.Resource, fn func()) *widget.Button {
	return widget.NewButtonWithIcon(label, icon, func() { u.touch(); fn() })
}

// hasDisplay reports whether a window can be opened. On X11/Wayland systems
// that means DISPLAY or WAYLAND_DISPLAY is set; elsewhere (macOS, Windows)
// there is always a display when a user runs the program.
func hasDisplay() bool {
	if !usesDisplayEnv() {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// usesDisplayEnv reports whether this platform finds its display through
// the DISPLAY / WAYLAND_DISPLAY environment variables.
func usesDisplayEnv() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return true
	}
	return false
}
