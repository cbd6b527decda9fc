// Package cli is casevault's command line. main.go hands it the process's
// arguments and standard streams; everything it does goes through app/.
package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"casevault/app"
	"casevault/app/human"
	"casevault/app/policy"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitWrongKey = 3
	ExitDamaged  = 4
	ExitLocked   = 5
	// ExitDenied: the user's role does not allow the command (the refusal
	// is in the audit trail).
	ExitDenied = 6
	// ExitMustChange: the user unlocked with a one-time (or expired)
	// passphrase and must choose their own first (casevault passwd).
	ExitMustChange = 7
)

// Env is the process environment a command runs in.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// StdinFD is the file descriptor of Stdin when it is a terminal-capable
	// file, or -1.
	StdinFD int
	// OpenTTY opens the terminal to ask for a passphrase when standard
	// input carried client data (--X-file -); nil means there is none.
	OpenTTY func() (*os.File, error)
	// Store tunes the durability engine (tests shrink the checkpoint size).
	Store app.StoreOptions
	// Volume and MissingDrive replace how the backup command identifies
	// drives (tests; nil: the real ones).
	Volume       func(string) (app.Drive, error)
	MissingDrive func(string) (bool, error)
	// Now and Sleep drive the growing wait after wrong passphrases
	// (app.Backoff); nil: the real clock and a real, cancellable sleep.
	// Tests inject both: they never sleep for real.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// StateDir holds the wrong-passphrase counts of backup repositories
	// (app.RepoUnlockStateDir); "": app.UnlockStateBase().
	StateDir string
	// OpenBrowser opens a report's page (report --open); nil:
	// app.OpenInBrowser. Tests record the path instead.
	OpenBrowser func(path string) error
	// OpenURL opens the intake form's one-time link (intake start); nil:
	// app.OpenIntakeLink. Tests never open a browser.
	OpenURL func(link string) error
	// passTries: tests ask for a new passphrase from standard input this
	// many times, as a terminal does (0: once, as a script gets).
	passTries int
	// interrupts gives intake start its context, done at Ctrl-C (SIGINT)
	// or SIGTERM; nil (tests): the command's own context only.
	interrupts func(context.Context) (context.Context, context.CancelFunc)
	// intakeLANAddr is where intake start --lan listens (tests:
	// 127.0.0.2:0 only); "": this computer's office-network address.
	intakeLANAddr string
	// terminal: tests answer a question as at a terminal (intake delete).
	terminal bool
	// progress: tests see standard error as a terminal, which is shown
	// the progress of doc add.
	progress bool
	// copyPoll: how often doc open looks at its copy (0: every second).
	copyPoll time.Duration
}

// OSEnv is the real process environment.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, StdinFD: int(os.Stdin.Fd()), OpenTTY: openTTY, interrupts: interrupts}
}

type runner struct {
	env    Env
	global globals // flags given before the command: the defaults of r.flags
	ctx    context.Context
	fs     *flag.FlagSet
	vault  string
	json   bool
	stdinP bool
	recov  bool
	repo   string // --repo of the backup commands
	lines  *bufio.Reader
	// stdinData is the flag X whose --X-file - read standard input, so a
	// passphrase must come from the terminal.
	stdinData string
	ro        bool   // --read-only: salvage a damaged vault (app.OpenReadOnly)
	user      string // --user: who unlocks ("" = the last user here, or the owner)
	userSet   bool   // --user was given (else user is the remembered one)
	keyFile   string // --key-file: the user's key file
	kf        []byte // its content, once read (for passwd, which keeps it)
	// vaultUnlock: the credential asked for is the vault's (open), whose
	// wrong attempts count against the user's lockout; a backup
	// repository's count in its own folder. The user and key file apply
	// to both: a repository holds the vault's header, every user's slot.
	vaultUnlock bool
	changing    bool // passwd: the one command a must-change user may run
	// dry: check the command line only, up to where the command would ask
	// for a passphrase or open anything (errDryRun there); the help test
	// runs every example of every page this way.
	dry bool
}

// errDryRun stops a dry run where the command would start its work.
var errDryRun = errors.New("dry run: the command line is fine")

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// Run runs one command line (args without the program name) and returns the
// exit code.
// Global flags may come before the command too (see Main).
func Run(ctx context.Context, args []string, env Env) int {
	g, rest, err := splitGlobals(args)
	if err != nil {
		fmt.Fprintln(env.Stderr, "casevault: "+human.EscapeText(err.Error()))
		fmt.Fprintln(env.Stderr, `Run "casevault --help" for usage.`)
		return ExitUsage
	}
	return runCommand(ctx, g, rest, env)
}

func runCommand(ctx context.Context, g globals, args []string, env Env) int {
	r := &runner{env: env, ctx: ctx, global: g}
	err := r.dispatch(args)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	var qe *quietError
	if errors.As(err, &qe) {
		return qe.code
	}
	msg := message(err, r.repo, r.vault)
	switch {
	case errors.Is(err, app.ErrKeyFileNeeded):
		msg += ": give it with --key-file PATH, e.g. casevault" + r.userFlag() + " --key-file /media/usb/key client list" + vaultOpt(r.vault)
	case (errors.Is(err, app.ErrUnknownUser) || errors.Is(err, app.ErrWrongCredential)) && r.user != "" && !r.userSet && !r.recov:
		msg += ".\nThis was tried as " + r.user + ", the last user of this vault on this computer; for someone else give --user NAME (the owner too)"
	}
	// The window's words for a key change that failed after a removal.
	msg = strings.ReplaceAll(msg, "(change it again from Users)", "(change it with: casevault key change"+vaultOpt(r.vault)+")")
	if errors.Is(err, app.ErrMustChangePassphrase) {
		msg += ".\nTo choose it now: casevault passwd" + r.userFlag() + vaultOpt(r.vault)
	}
	fmt.Fprintln(env.Stderr, "casevault: "+human.EscapeText(msg))
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(env.Stderr, r.usageHint())
	}
	return exitCode(err)
}

// usageHint is where to read how a command is used: its own page when the
// command was found, else the list of commands.
func (r *runner) usageHint() string {
	if r.fs != nil {
		if c := lookup(r.fs.Name()); c != nil {
			return fmt.Sprintf("Run \"casevault %s --help\" for its flags and examples.", c.name)
		}
	}
	return `Run "casevault --help" for usage.`
}

// exitCode is the exit code of a failed command (the usage lists them).
func exitCode(err error) int {
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		return ExitUsage
	case errors.Is(err, app.ErrWrongCredential), errors.Is(err, app.ErrBadRecoveryKey), errors.Is(err, app.ErrUnknownUser),
		errors.Is(err, app.ErrKeyFileNeeded):
		return ExitWrongKey
	case errors.Is(err, app.ErrDamaged), errors.Is(err, app.ErrMixedVersions), errors.Is(err, app.ErrBackupDamaged), errors.Is(err, app.ErrDrillFailed),
		errors.Is(err, app.ErrCheckFailed), errors.Is(err, app.ErrDocDamaged):
		return ExitDamaged
	case errors.Is(err, app.ErrLocked), errors.Is(err, app.ErrRepoBusy), errors.Is(err, app.ErrIntakeRunning):
		return ExitLocked
	case errors.Is(err, app.ErrDenied), errors.Is(err, app.ErrOwnerOnly):
		return ExitDenied
	case errors.Is(err, app.ErrConfirm):
		return ExitUsage
	case errors.Is(err, app.ErrMustChangePassphrase):
		return ExitMustChange
	}
	return ExitError
}

// message turns an error into words for a person; repo is the backup
// folder of a backup command and dir the vault folder, for the commands it
// suggests.
func message(err error, repo, dir string) string {
	var fe *app.FieldError
	var se *saidError
	switch {
	case errors.As(err, &se):
		return se.msg
	case errors.Is(err, app.ErrMixedVersions):
		return err.Error() + ".\nTo bring back the newest version, run:\n    casevault repair --vault " + quoteArg(dir) +
			"\n(the other version's files are moved to the vault's quarantine folder, not deleted)"
	case errors.Is(err, app.ErrReadOnly):
		return "the vault is open read-only (--read-only), so nothing was changed; to change it again, first run: casevault repair --vault " + quoteArg(dir)
	case app.CanRepair(err) && !app.CanOpenReadOnly(err):
		return err.Error() + ".\nTo repair it: casevault repair --vault " + quoteArg(dir)
	case app.CanOpenReadOnly(err):
		v := " --vault " + quoteArg(dir)
		return err.Error() + ".\nTo see what is intact:           casevault client list --read-only" + v +
			"\nTo back it up now:               casevault backup --repo FOLDER-ON-YOUR-BACKUP-DRIVE --read-only" + v +
			"\nTo keep it and go on (the damaged part is kept aside, not deleted): casevault repair" + v
	case errors.As(err, &fe):
		return fe.Message + ". Nothing was changed."
	case errors.Is(err, app.ErrDocNotFound):
		return err.Error() + "; check the number with \"casevault doc list --matter MATTER-ID" + vaultOpt(dir) + "\" (or --client CLIENT-ID, or --all)"
	case errors.Is(err, app.ErrNotFound):
		v := vaultOpt(dir)
		switch m := err.Error(); {
		case strings.HasPrefix(m, "conflict check "):
			return m + " (check the id with \"casevault conflicts list" + v + "\")"
		case strings.HasPrefix(m, "intake submission "):
			return m + " (check the id with \"casevault intake list --status all" + v + "\")"
		case strings.HasPrefix(m, "incident "):
			return m + " (check the id with \"casevault incident list" + v + "\")"
		case strings.HasPrefix(m, "party "):
			return m + " (check the id with \"casevault matter show MATTER-ID" + v + "\", which lists its parties)"
		}
		return err.Error() + " (check the id with \"casevault client list" + v + "\" or \"casevault matter list" + v + "\")"
	case errors.Is(err, app.ErrHasMatters):
		return err.Error() + "; a client with matters is kept for conflict checks and retention, so it cannot be deleted"
	case errors.Is(err, app.ErrHasDocuments):
		return "this client has documents, so it cannot be deleted; delete or export them first (see casevault doc list --client CLIENT-ID)"
	}
	if m, ok := backupMessage(err, repo, vaultOpt(dir)); ok {
		return m
	}
	return err.Error()
}

// vaultOpt is " --vault DIR" for a suggested command that opens the vault,
// or "" when dir is the default folder (the command finds it without).
func vaultOpt(dir string) string {
	if dir == "" || filepath.Clean(dir) == filepath.Clean(app.DefaultDir()) {
		return ""
	}
	return " --vault " + quoteArg(dir)
}

// vaultFlag is vaultOpt of the vault this command works on.
func (r *runner) vaultFlag() string { return vaultOpt(r.vault) }

func (r *runner) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(escWriter{r.env.Stderr}) // the flag package repeats a mistyped flag as typed
	dir := app.DefaultDir()
	if r.global.vaultSet {
		dir = r.global.vault
	}
	fs.StringVar(&r.vault, "vault", dir, "the vault's folder")
	fs.BoolVar(&r.json, "json", r.global.json, "print data for a program (JSON) instead of text for a person")
	fs.BoolVar(&r.stdinP, "passphrase-stdin", r.global.stdinP, "read passphrases from standard input, one per line, instead of asking at the terminal")
	fs.BoolVar(&r.recov, "recovery", r.global.recov, "unlock with the recovery key instead of the passphrase")
	fs.BoolVar(&r.ro, "read-only", false, "(after the command) open a damaged vault read-only, to see it or back it up; nothing can be changed")
	r.user, r.userSet = r.global.user, r.global.userSet
	if name != "audit list" { // there --user picks whose entries to show
		usage := "unlock as this user (default: the last user of this vault on this computer, or the owner)"
		if name == "init" {
			usage = "the owner's user name (default: owner)"
		}
		fs.Func("user", usage, func(v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("--user needs a user's name")
			}
			r.user, r.userSet = v, true
			return nil
		})
	}
	fs.StringVar(&r.keyFile, "key-file", r.global.keyFile, "the user's key file, when their passphrase needs one")
	r.fs = fs
	// --help prints the command's page from the table, with these flags.
	if c := lookup(name); c != nil {
		fs.Usage = func() { r.page(c, fs) }
	}
	return fs
}

// needVault refuses a command that needs the vault when --vault was not
// given and there is no default place for it (no home folder), instead of
// using a folder under wherever the command runs.
func (r *runner) needVault() error {
	if strings.TrimSpace(r.vault) == "" {
		return &usageError{app.ErrNoDefaultDir.Error()}
	}
	return nil
}

// parse accepts flags before and after positional arguments.
// badNumber is the flag package's error for a value it cannot parse.
var badNumber = regexp.MustCompile(`^invalid value "(.*)" for flag -([a-z-]+): parse error$`)

// badValue is the flag package's error for a value a flag's Set refused.
var badValue = regexp.MustCompile(`(?s)^invalid value "(.*)" for flag -([a-z-]+): (.*)$`)

func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		// The flag package prints a mistake and the whole flag list; only
		// --help gets the list, a mistake gets one line in words (below).
		out := fs.Output()
		var said bytes.Buffer
		fs.SetOutput(&said)
		err := fs.Parse(args)
		fs.SetOutput(out)
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				out.Write(said.Bytes())
				return nil, err
			}
			if m := badNumber.FindStringSubmatch(err.Error()); m != nil {
				if f := fs.Lookup(m[2]); f != nil {
					if g, ok := f.Value.(flag.Getter); ok {
						switch g.Get().(type) {
						case int, int64, uint, uint64:
							example := "3"
							if m[2] == "kdf-memory" {
								example = "256" // MiB; 3 would be refused
							}
							return nil, &usageError{fmt.Sprintf("--%s needs a whole number (for example --%s %s), not %q", m[2], m[2], example, m[1])}
						}
					}
				}
			}
			if m := badValue.FindStringSubmatch(err.Error()); m != nil && m[3] != "parse error" {
				// A flag that checks its own value: its words, not the flag package's.
				return nil, &usageError{fmt.Sprintf("--%s: %s", m[2], m[3])}
			}
			if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
				name = "--" + strings.TrimLeft(name, "-")
				return nil, &usageError{fmt.Sprintf("there is no %s flag for \"casevault %s\"; \"casevault %s --help\" lists its flags", name, fs.Name(), fs.Name())}
			}
			return nil, &usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

type strList []string

func (s *strList) String() string     { return strings.Join(*s, ", ") }
func (s *strList) Set(v string) error { *s = append(*s, v); return nil }

// readSecret reads one secret: from the terminal without echo, or one line
// from standard input with --passphrase-stdin.
func (r *runner) readSecret(prompt string) ([]byte, error) {
	if r.dry {
		return nil, errDryRun
	}
	if r.stdinP {
		if r.lines == nil {
			r.lines = bufio.NewReader(r.env.Stdin)
		}
		line, err := r.lines.ReadBytes('\n')
		if err != nil && (err != io.EOF || len(line) == 0) {
			return nil, fmt.Errorf("reading %s from standard input: %w", strings.ToLower(strings.TrimSuffix(prompt, ": ")), err)
		}
		line = bytes.TrimRight(line, "\r\n")
		return line, nil
	}
	fd := r.env.StdinFD
	if (fd < 0 || !term.IsTerminal(fd)) && r.stdinData != "" && r.env.OpenTTY != nil {
		// Standard input held client data (--X-file -): ask at the terminal.
		if tty, err := r.env.OpenTTY(); err == nil {
			defer tty.Close()
			fd = int(tty.Fd())
		}
	}
	if fd < 0 || !term.IsTerminal(fd) {
		if r.stdinData != "" {
			return nil, usagef("standard input held the value of --%s-file, and there is no terminal to type the passphrase in: put that value in a file (--%s-file FILE) and pass --passphrase-stdin",
				r.stdinData, r.stdinData)
		}
		return nil, usagef("standard input is not a terminal: type the passphrase in a terminal, or pass --passphrase-stdin to read it from standard input")
	}
	fmt.Fprint(r.env.Stderr, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(r.env.Stderr)
	if err != nil {
		return nil, fmt.Errorf("reading passphrase: %w", err)
	}
	return b, nil
}

func (r *runner) credential() (app.Credential, error) {
	if r.recov {
		b, err := r.readSecret("Recovery key: ")
		if err != nil {
			return app.Credential{}, err
		}
		return app.Recovery(string(b))
	}
	prompt := "Passphrase: "
	if r.user != "" {
		prompt = "Passphrase for " + human.Escape(r.user) + ": "
	}
	if r.keyFile != "" && r.kf == nil {
		kf, err := readKeyFile(r.keyFile)
		if err != nil {
			return app.Credential{}, err
		}
		r.kf = kf
	}
	b, err := r.readSecret(prompt)
	if err != nil {
		return app.Credential{}, err
	}
	if len(b) == 0 {
		return app.Credential{}, fmt.Errorf("%w: the passphrase is empty", app.ErrWrongCredential)
	}
	return withUser(app.Passphrase(b), r.user, r.kf)
}

// userFlag is " --user NAME" for a suggested command when a user unlocked
// (or was asked for), else "".
func (r *runner) userFlag() string {
	if r.user == "" {
		return ""
	}
	return " --user " + quoteArg(r.user)
}

// pickUser settles who unlocks: --user, else the last user of this vault
// on this computer (said on standard error), else the owner. Remembering
// is off in tests (Env.StateDir set), which must not touch the real
// configuration folder.
func (r *runner) pickUser() {
	if r.userSet || r.recov || r.env.StateDir != "" {
		return
	}
	if last := app.LastUser(r.vault); last != "" {
		r.user = last
		fmt.Fprintf(r.env.Stderr, "Unlocking as %s, the last user of this vault on this computer (--user NAME for someone else).\n", human.Escape(last))
	}
}

// rememberUser keeps the user who unlocked for the next command: their
// name as the vault knows it, or nothing for the owner (the default).
func (r *runner) rememberUser(u app.UserInfo) {
	if r.recov || r.env.StateDir != "" {
		return
	}
	name := u.Name
	if u.Owner {
		name = ""
	}
	_ = app.RememberUser(r.vault, name) // a convenience: failing to keep it changes nothing else
}

// open unlocks the vault, runs fn and locks it again.
func (r *runner) open(fn func(s *app.Session) error) error {
	if r.dry {
		return errDryRun
	}
	if err := r.needVault(); err != nil {
		return err
	}
	if !app.VaultExists(r.vault) {
		if app.VaultHalfMade(r.vault) {
			return fmt.Errorf("%w: %s: creating a vault there was interrupted before its recovery key was confirmed; run \"casevault init --vault %s\" again, which starts over", app.ErrNoVault, r.vault, quoteArg(r.vault))
		}
		return fmt.Errorf("%w: %s (create one with \"casevault init --vault %s\")", app.ErrNoVault, r.vault, r.vault)
	}
	open := app.Open
	if r.ro {
		open = app.OpenReadOnly
	}
	var s *app.Session
	r.pickUser()
	r.vaultUnlock = true
	err := r.unlock(r.vault, func(cred app.Credential) error {
		var err error
		s, err = open(r.ctx, r.vault, cred, app.Options{Store: r.env.Store, CommandLine: true})
		return err
	})
	r.vaultUnlock = false
	if err != nil {
		return err
	}
	r.rememberUser(s.User())
	if u := s.User(); u.MustChange || u.Expired {
		if !r.changing {
			defer s.Close(r.ctx)
			return &app.MustChangeError{Expired: u.Expired && !u.MustChange}
		}
	}
	for _, n := range s.Notices() {
		// The notes are shared with the window and name "casevault repair"
		// bare; this vault may not be the default one.
		n = strings.ReplaceAll(n, "casevault repair", "casevault repair"+r.vaultFlag())
		fmt.Fprintln(r.env.Stderr, "Note: "+human.EscapeText(n))
	}
	err = fn(s)
	if cerr := s.Close(r.ctx); cerr != nil {
		// What the command printed stands: every acknowledged change is in
		// the vault's log before it is acknowledged, so a failure while
		// locking (a checkpoint on a full disk, audit entries a full disk
		// refused) is a warning, never a failed command that a script
		// would retry and so duplicate.
		// As the notices, it may name "casevault repair" bare.
		msg := strings.ReplaceAll(message(cerr, r.repo, r.vault), "casevault repair", "casevault repair"+r.vaultFlag())
		fmt.Fprintln(r.env.Stderr, "Warning: "+human.EscapeText(msg)+".")
	}
	return err
}

// out prints v as JSON with --json, else the text that text writes, through
// the printing layer (print.go): values go through cell or lines, and
// whatever is left is escaped before it reaches the terminal.
// backoff is the growing wait after wrong passphrases, as in the window.
func (r *runner) backoff() app.Backoff {
	user := ""
	if r.vaultUnlock {
		user = r.user
	}
	return app.Backoff{Now: r.env.Now, Sleep: r.env.Sleep, User: user, Notify: func(w time.Duration, n int) {
		fmt.Fprintf(r.env.Stderr, "%s in a row: waiting %s before this attempt (press Ctrl-C to stop).\n",
			human.Count(n, "wrong passphrase or recovery key", "wrong passphrases or recovery keys"), human.Duration(w))
	}}
}

// unlock waits out the growing delay that earlier wrong attempts recorded
// in stateDir, asks for the credential, runs try with it and records the
// outcome there (app.Backoff). stateDir "" counts nothing.
func (r *runner) unlock(stateDir string, try func(cred app.Credential) error) error {
	if r.dry {
		return errDryRun
	}
	b := r.backoff()
	if stateDir != "" {
		if err := b.Wait(r.ctx, stateDir); err != nil {
			return err
		}
	}
	cred, err := r.credential()
	if err != nil {
		return err
	}
	err = try(cred)
	if stateDir != "" {
		b.Done(stateDir, err)
	}
	return err
}

// repoStateDir is where wrong passphrases for --repo are counted.
func (r *runner) repoStateDir() string {
	base := r.env.StateDir
	if base == "" {
		base = app.UnlockStateBase()
	}
	if base == "" {
		return "" // no configuration folder (HOME unset): no count
	}
	return app.RepoUnlockStateDir(base, r.repo)
}

// done reports a change that was made: under --json only v (what changed,
// by id), otherwise the sentence (already escaped where it holds names).
func (r *runner) done(v any, sentence string) error {
	return r.out(v, func(w io.Writer) { fmt.Fprintln(w, sentence) })
}

// changed is done's JSON for a record that changed: its kind, id and what
// happened to it.
type changed struct {
	Kind   string `json:"kind"`
	ID     int64  `json:"id,omitempty"`
	Name   string `json:"name,omitempty"`
	Change string `json:"change"`
}

func (r *runner) out(v any, text func(w io.Writer)) error {
	if r.json {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		return safeJSON(r.env.Stdout, buf.Bytes())
	}
	// tabwriter hands each cell to its writer separately: without a buffer,
	// a 10,000-client list was 114,000 write calls (0.3 s of a 0.5 s command).
	bw := bufio.NewWriterSize(r.env.Stdout, 64<<10)
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	sw := &safeWriter{w: tw}
	text(sw)
	if err := sw.flush(); err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q is not a %s id (a whole number, as shown by the list command)", s, what)
	}
	return id, nil
}

func oneID(what string, pos []string) (int64, error) {
	if len(pos) != 1 {
		return 0, usagef("give exactly one %s id", what)
	}
	return parseID(what, pos[0])
}

func (r *runner) cmdInit(args []string) error {
	fs := r.flags("init")
	mem := fs.Int64("kdf-memory", 0, fmt.Sprintf("Argon2id memory in MiB, %d to %d (default: 256)", app.MinMemoryKiB/1024, app.MaxMemoryKiB/1024))
	tm := fs.Int64("kdf-time", 0, fmt.Sprintf("Argon2id passes, 1 to %d (default: calibrated to about one second)", app.MaxTime))
	display := fs.String("display-name", "", "the name that signs your notes and reports, e.g. \"Jane Roe, Esq.\" (default: your user name)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := r.needVault(); err != nil {
		return err
	}
	if app.VaultExists(r.vault) {
		return fmt.Errorf("%w: %s already holds a vault; to use it, leave out init", app.ErrExists, r.vault)
	}
	if _, err := app.ValidateDisplayName(*display); err != nil {
		var fe *app.FieldError
		if errors.As(err, &fe) {
			return usagef("--display-name: %s", fe.Message)
		}
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	memKiB, passes, err := kdfFlags(*mem, *tm, given["kdf-memory"], given["kdf-time"])
	if err != nil {
		return err
	}
	if memKiB != 0 && memKiB < app.WarnMemoryKiB {
		fmt.Fprintf(r.env.Stderr, "Warning: %d MiB of memory makes the passphrase much cheaper to guess; use at least %d MiB (%d MiB is the default).\n",
			memKiB/1024, app.WarnMemoryKiB/1024, app.DefaultMemoryKiB/1024)
	}
	pass, err := r.newPassphrase("nothing was created", func(p []byte) []policy.Problem { return policy.Check(p, app.UserNames()...) })
	if err != nil {
		return err
	}
	params, err := r.kdf(memKiB, passes)
	if err != nil {
		return err
	}
	rk, err := app.Init(r.ctx, r.vault, pass, app.InitOptions{KDF: params, Store: r.env.Store, Owner: r.user, DisplayName: *display})
	if err != nil {
		return err
	}
	// The folder becomes the vault only once the key has been shown (and,
	// on a terminal, a group of it typed back): a killed or failed init
	// leaves an unfinished vault that cannot be opened and that the next
	// init starts over (app.ConfirmInit).
	var w bytes.Buffer
	fmt.Fprintf(&w, "Your vault is ready in %s\n(key derivation: %s)\n\n", r.vault, params)
	fmt.Fprintf(&w, "RECOVERY KEY - shown only this once. Write it on paper now:\n\n    %s\n\n", rk)
	fmt.Fprintf(&w, "If you forget the passphrase, this key opens the vault and lets you choose a new one:\n    casevault passwd --recovery%s\n", r.vaultFlag())
	fmt.Fprintln(&w, "Keep it away from this laptop - in a safe or a sealed envelope at the office:")
	fmt.Fprintln(&w, "anyone who has both the laptop and this key can read every client file.")
	if _, err := r.env.Stdout.Write(w.Bytes()); err != nil {
		return fmt.Errorf("the recovery key could not be shown (%v), so the vault was not finished; run init again", err)
	}
	if !r.stdinP {
		if err := r.confirmRecoveryKey(string(rk)); err != nil {
			return err
		}
	}
	if err := app.ConfirmInit(r.vault); err != nil {
		return fmt.Errorf("finishing the vault: %w", err)
	}
	return nil
}

// keyGroup reads a typed group of the recovery key as an unlock reads the
// whole key (Crockford base32): case, spaces and dashes ignored, I and L
// read as 1, O as 0.
func keyGroup(s string) string {
	return strings.Map(func(c rune) rune {
		switch c {
		case '-', ' ', '\t':
			return -1
		case 'I', 'L':
			return '1'
		case 'O':
			return '0'
		}
		return c
	}, strings.ToUpper(s))
}

// confirmRecoveryKey asks, on a terminal, for one group of the recovery key
// (never the first, the one people glance at), three tries.
func (r *runner) confirmRecoveryKey(key string) error {
	groups := strings.Split(key, "-")
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(groups)-1)))
	if err != nil {
		return err
	}
	g := int(n.Int64()) + 2
	for try := 0; try < 3; try++ {
		typed, err := r.readSecret(fmt.Sprintf("To check that you have it, type group %d of the recovery key: ", g))
		if err != nil {
			return err
		}
		if keyGroup(string(typed)) == keyGroup(groups[g-1]) {
			return nil
		}
		fmt.Fprintf(r.env.Stderr, "That is not group %d. Check your paper copy.\n", g)
	}
	return fmt.Errorf("the recovery key was not confirmed, so the vault was not finished: run init again (it starts over) and write the new key down")
}

// passphraseTries is how many times a new passphrase is asked for at a
// terminal when it is refused or mistyped.
const passphraseTries = 3

// refusedPassphrase says why a new passphrase cannot be used.
func refusedPassphrase(probs []policy.Problem) string {
	var msgs []string
	for _, p := range probs {
		msgs = append(msgs, "  - "+p.Message)
	}
	return "this passphrase cannot protect client files:\n" + strings.Join(msgs, "\n") +
		"\nA good passphrase is four or five unrelated words, e.g. \"lantern orbit velvet cactus\" (not this one)"
}

// passTries is how many times a new passphrase is asked for.
func (r *runner) passTries() int {
	switch {
	case !r.stdinP:
		return passphraseTries
	case r.env.passTries > 0:
		return r.env.passTries
	}
	return 1
}

// newPassphrase reads a new passphrase, checks it with check (the
// problems the policy finds) before asking for it again, and then (on a
// terminal) asks for it a second time. On a terminal a refused or
// mistyped passphrase is asked for again, up to passphraseTries times,
// and nothing else is retyped; from standard input (--passphrase-stdin)
// it is refused at once. outcome says what did not happen when it is
// refused.
func (r *runner) newPassphrase(outcome string, check func(pass []byte) []policy.Problem) ([]byte, error) {
	for try := 1; ; try++ {
		pass, err := r.readSecret("New passphrase: ")
		if err != nil {
			return nil, err
		}
		why := ""
		if probs := check(pass); len(probs) > 0 {
			why = refusedPassphrase(probs)
		} else if !r.stdinP {
			again, err := r.readSecret("Repeat the new passphrase: ")
			if err != nil {
				return nil, err
			}
			if string(again) != string(pass) {
				why = "the two passphrases differ"
			}
		}
		if why == "" {
			return pass, nil
		}
		if try >= r.passTries() {
			return nil, fmt.Errorf("%s.\n%s", why, human.Capitalize(outcome))
		}
		fmt.Fprintf(r.env.Stderr, "%s.\nChoose another one (try %d of %d).\n", human.Capitalize(why), try+1, r.passTries())
	}
}

// kdfFlags checks --kdf-memory (MiB) and --kdf-time against the bounds that
// every header is held to (docs/FORMAT.md, "KDF bounds") before anything is
// asked or made, in 64-bit arithmetic, and returns the memory in KiB and
// the passes (0: not given).
// memSet and timeSet say whether each flag was given: given as 0 it is out of
// range, not the default.
func kdfFlags(memMiB, passes int64, memSet, timeSet bool) (memKiB, t uint32, err error) {
	const minMiB, maxMiB = app.MinMemoryKiB / 1024, app.MaxMemoryKiB / 1024
	switch {
	case memMiB < 0 || (memSet || memMiB != 0) && memMiB < minMiB:
		return 0, 0, usagef("--kdf-memory %d is below the floor of %d MiB; give %d to %d (MiB), or leave it out for %d", memMiB, minMiB, minMiB, maxMiB, app.DefaultMemoryKiB/1024)
	case memMiB > maxMiB:
		return 0, 0, usagef("--kdf-memory %d is above the limit of %d MiB; give %d to %d (MiB), or leave it out for %d", memMiB, maxMiB, minMiB, maxMiB, app.DefaultMemoryKiB/1024)
	case passes < 0 || passes > app.MaxTime || timeSet && passes == 0:
		return 0, 0, usagef("--kdf-time %d is outside 1 to %d; or leave it out to calibrate", passes, app.MaxTime)
	}
	mem := uint64(memMiB) * 1024
	if passes > 0 {
		m := mem
		if m == 0 {
			m = app.DefaultMemoryKiB
		}
		if uint64(passes)*m > app.MaxCost {
			return 0, 0, usagef("--kdf-time %d with %d MiB of memory is above the limit of %d passes at that memory; give fewer passes or less memory", passes, m/1024, app.MaxCost/m)
		}
	}
	return uint32(mem), uint32(passes), nil
}

// kdf is the key derivation setting from the checked flags (0: not given).
func (r *runner) kdf(memKiB, passes uint32) (app.KDFParams, error) {
	mem := uint32(app.DefaultMemoryKiB)
	if memKiB != 0 {
		mem = memKiB
	}
	if passes != 0 {
		return app.KDFParams{Time: passes, MemoryKiB: mem, Threads: app.DefaultThreads()}, nil
	}
	fmt.Fprintln(r.env.Stderr, "Tuning the key derivation to take about one second on this computer...")
	return app.CalibrateFor(r.ctx, app.DefaultCalibrateFor, mem)
}

func (r *runner) passwd(name string, args []string) error {
	fs := r.flags(name)
	newKF := fs.String("new-key-file", "", "also need a new key file from now on: write one at PATH (put it on a USB stick)")
	noKF := fs.Bool("no-key-file", false, "no longer need a key file (unless the policy requires one)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *newKF != "" && *noKF {
		return usagef("give --new-key-file PATH or --no-key-file, not both")
	}
	r.changing = true
	return r.open(func(s *app.Session) error {
		u := s.User()
		if u.MustChange {
			fmt.Fprintln(r.env.Stderr, "You unlocked with a one-time passphrase: choose your own now.")
		} else if u.Expired {
			fmt.Fprintln(r.env.Stderr, "Your passphrase has expired: choose a new one now.")
		}
		kf := r.kf // keep the key file the user unlocked with
		if *noKF {
			kf = nil
		}
		written := false
		for try := 1; ; try++ {
			pass, err := r.newPassphrase("the passphrase was not changed", func(p []byte) []policy.Problem { return s.CheckNewPassphrase(r.ctx, p) })
			if err != nil {
				if written {
					os.Remove(*newKF)
				}
				return err
			}
			if *newKF != "" && !written {
				if kf, err = writeNewKeyFile(*newKF); err != nil {
					return err
				}
				written = true
			}
			err = s.ChangeOwnPassphrase(r.ctx, pass, kf)
			if err == nil {
				break
			}
			// What only the vault can say (the passphrase the user has now,
			// or one of their last ones): at a terminal, asked again.
			var pe *app.PolicyError
			var fe *app.FieldError
			refused := errors.As(err, &pe) || errors.As(err, &fe) && fe.Field == "passphrase"
			if refused && try < r.passTries() {
				why := err.Error()
				if fe != nil {
					why = fe.Message
				}
				fmt.Fprintf(r.env.Stderr, "%s.\nChoose another one (try %d of %d).\n", strings.TrimSuffix(why, "."), try+1, r.passTries())
				continue
			}
			if written {
				os.Remove(*newKF)
			}
			if pe != nil {
				return &saidError{strings.TrimSuffix(err.Error(), ".") + ". The passphrase was not changed.", err}
			}
			if refused {
				return &saidError{strings.TrimSuffix(fe.Message, ".") + ". The passphrase was not changed.", err}
			}
			return err
		}
		switch {
		case u.Owner && !r.recov:
			fmt.Fprintln(r.env.Stdout, "Passphrase changed. Your recovery key still works.")
		case u.Owner:
			fmt.Fprintln(r.env.Stdout, "Passphrase changed; unlock with it from now on. Your recovery key still works.")
		default:
			fmt.Fprintf(r.env.Stdout, "Passphrase changed; unlock with it from now on: casevault --user %s ...\n", human.Escape(quoteArg(u.Name)))
		}
		if *newKF != "" {
			fmt.Fprintf(r.env.Stdout, "From now on you also need the key file %s (--key-file PATH). Keep it on a USB stick, not on this computer.\n", human.Escape(*newKF))
		}
		return nil
	})
}
