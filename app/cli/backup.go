package cli

// The backup commands: backup, snapshots, restore, verify, forget, drill.
// Everything goes through app/ (app.Backups and Session.Backup); only
// backup needs the vault unlocked, the others open the backup with the
// passphrase or recovery key alone, so they work on a new laptop.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"casevault/app"
	"casevault/app/human"
)

// saidError is an error whose words for the person are already written;
// errors.Is still sees the error it wraps, for the exit code.
type saidError struct {
	msg string
	err error
}

func (e *saidError) Error() string { return e.msg }
func (e *saidError) Unwrap() error { return e.err }

// backupFlags is r.flags plus --repo.
func (r *runner) backupFlags(name string) *flag.FlagSet {
	fs := r.flags(name)
	fs.StringVar(&r.repo, "repo", "", "the backup folder, e.g. on a USB drive (required)")
	return fs
}

// needRepo checks the command line of a backup command: no positional
// arguments and a --repo, made absolute.
func (r *runner) needRepo(cmd string, pos []string) error {
	if len(pos) > 0 {
		return usagef("unexpected argument %q (%s takes only flags; see \"casevault %s --help\")", pos[0], cmd, cmd)
	}
	if strings.TrimSpace(r.repo) == "" {
		return usagef("%s needs --repo DIR, the backup folder (for example on a USB drive)", cmd)
	}
	abs, err := filepath.Abs(r.repo)
	if err != nil {
		return err
	}
	r.repo = abs
	return nil
}

// repoThere says, before any passphrase is asked for, when --repo holds no
// backup: the drive is not plugged in, or the folder is the wrong one.
func (r *runner) repoThere() error {
	if app.IsBackupRepo(r.repo) {
		return nil
	}
	if _, err := os.Stat(r.repo); errors.Is(err, fs.ErrNotExist) {
		return &saidError{fmt.Sprintf("The backup drive is not connected: the folder %s does not exist. Plug in the backup drive (or check the folder name) and try again.", r.repo), app.ErrTargetMissing}
	}
	return &saidError{fmt.Sprintf("There is no casevault backup in %s. Check the folder name (a backup is set up by \"casevault backup --repo DIR\").", r.repo), app.ErrNotRepo}
}

// openBackups opens the backup in --repo with the passphrase or recovery
// key alone (no vault needed), runs fn and closes it.
func (r *runner) openBackups(fn func(b *app.Backups, cred app.Credential) error) error {
	if r.dry {
		return errDryRun
	}
	if err := r.repoThere(); err != nil {
		return err
	}
	var b *app.Backups
	var cred app.Credential
	err := r.unlock(r.repoStateDir(), func(c app.Credential) error {
		var err error
		b, err = app.OpenBackups(r.ctx, r.repo, c)
		cred = c
		return err
	})
	if errors.Is(err, app.ErrWrongCredential) {
		// The vault's wording ("does not open this vault") would name
		// something this command never opens.
		what := "the passphrase does not open the backup in " + quoteArg(r.repo) + "; check Caps Lock and the keyboard layout, or use the recovery key (--recovery)"
		if r.recov {
			what = "the recovery key does not open the backup in " + quoteArg(r.repo) + "; check it against the paper copy"
		}
		return &saidError{"wrong passphrase or recovery key: " + what, err}
	}
	if err != nil {
		return err
	}
	defer func() { b.Close() }()
	if b.ByUser() && r.vault != "" && app.VaultExists(r.vault) {
		// A user who is not the owner: their role is in the vault. With the
		// vault there, open the backup through it, so the role decides
		// (an Attorney may forget and restore, a Paralegal is refused and
		// the refusal recorded). Without it, or when the vault does not
		// open, the backup stays opened without a role (edits refused).
		if s, err := app.Open(r.ctx, r.vault, cred, app.Options{Store: r.env.Store, CommandLine: true}); err == nil {
			defer s.Close(r.ctx)
			sb, err := s.OpenBackups(r.ctx, r.repo)
			if errors.Is(err, app.ErrDenied) {
				return err
			}
			if err == nil {
				b.Close()
				b = sb
			}
		}
	}
	for _, f := range b.RefusedKeyFiles() {
		fmt.Fprintf(r.env.Stderr, "Warning: the key file %s in the backup was refused and not tried: casevault never writes one like it, so someone may have tampered with the backup drive. The backup opened with another key file. (Technical details: %s.)\n", f.Name, f.Reason)
	}
	return fn(b, cred)
}

// backupMessage words the backup errors as app.Message does for the
// window, with commands where the window has buttons. repo is --repo, and
// vault the --vault part of a suggested command that opens the vault
// ("" for the default folder).
func backupMessage(err error, repo, vault string) (string, bool) {
	dir := "DIR"
	if repo != "" {
		dir = quoteArg(repo)
	}
	switch {
	case errors.Is(err, app.ErrDrillFailed):
		return human.Capitalize(strings.TrimRight(err.Error(), ".")) + ". Until a drill passes, do not rely on this backup: run \"casevault verify --repo " + dir +
			" --read-data\" to find damaged files, and back up to another drive as well.", true
	case errors.Is(err, app.ErrConfigMissing):
		return "The backup in " + repo + " is damaged: its config file is missing, so nothing was written. Its key files, data and snapshots are there: " +
			"\"casevault snapshots --repo " + dir + "\", restore, verify and drill still work. If this is the right backup drive, write a new config file and back up with " +
			"\"casevault backup --repo " + dir + " --rebuild-config" + vault + "\".", true
	case errors.Is(err, app.ErrTargetFull):
		return "The backup drive is full, so this backup was not finished (" + err.Error() + "). Earlier backups are intact. " +
			"Free space on the drive, remove old snapshots (\"casevault forget --repo " + dir + " --keep-last 3 --prune\" keeps the 3 newest; choose how many), or use a bigger drive.", true
	case errors.As(err, new(*app.RefusedKeysError)):
		return "The backup's key files were refused: casevault never writes key files like these, so someone may have tampered with the backup drive, and no other key file is left to open it with. " +
			"Use another copy of the backup if you have one, and keep this drive as it is for inspection (technical details: " + err.Error() + ").", true
	case errors.As(err, new(*app.BackupDamagedError)) && errorsAsConfig(err):
		// The backup does not open at all: verify cannot get further.
		return "The backup in " + repo + " cannot be opened: its config file does not match its key files (" + err.Error() + "). " +
			"Key files from another backup may have been copied onto this drive, or the config file was changed. " +
			"Use another copy of the backup if you have one, and keep this drive as it is for inspection.", true
	case errors.Is(err, app.ErrBackupDamaged):
		return "Part of the backup is damaged: " + err.Error() + ". Run \"casevault verify --repo " + dir +
			" --read-data\" to see which snapshots are affected; a healthy one can still be restored with --snapshot ID.", true
	case errors.Is(err, app.ErrNoSnapshot):
		return human.Capitalize(err.Error()) + "; the snapshots are listed by \"casevault snapshots --repo " + dir + "\".", true
	case errors.Is(err, app.ErrTargetMissing), errors.Is(err, app.ErrWrongVolume), errors.Is(err, app.ErrTargetGone),
		errors.Is(err, app.ErrTargetReadOnly), errors.Is(err, app.ErrRepoBusy), errors.Is(err, app.ErrWrongVault),
		errors.Is(err, app.ErrNotEmpty), errors.Is(err, app.ErrKeyChanged):
		return app.Message(err), true
	}
	return "", false
}

// errorsAsConfig: the damaged backup file is its config file.
func errorsAsConfig(err error) bool {
	var de *app.BackupDamagedError
	return errors.As(err, &de) && de.File == "config"
}

// quoteArg quotes a path for a command the person may copy.
func quoteArg(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n'\"$`&;|<>()*?[]#~!{}\\") {
		return `"` + s + `"`
	}
	return s
}

// shortHead shortens an audit chain head for a table.
func shortHead(h string) string {
	if h == "" {
		return "(empty)"
	}
	return human.Truncate(h, 21)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// progressLine shows a long operation's progress on standard error when it
// is a terminal: one line, redrawn at most ten times a second.
type progressLine struct {
	w   io.Writer
	fd  int
	tty bool

	mu         sync.Mutex
	last       app.BackupProgress
	phaseStart time.Time
	drawn      time.Time
	shown      int // runes on the screen now
}

func (r *runner) newProgress() *progressLine {
	pl := &progressLine{w: r.env.Stderr, fd: -1}
	if f, ok := r.env.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		pl.tty, pl.fd = true, int(f.Fd())
	}
	return pl
}

func (pl *progressLine) update(p app.BackupProgress) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	now := time.Now()
	if p.Phase != pl.last.Phase || pl.phaseStart.IsZero() {
		pl.phaseStart = now
	}
	pl.last = p
	if !pl.tty || now.Sub(pl.drawn) < 100*time.Millisecond {
		return
	}
	pl.drawn = now
	line := cell(progressText(p, now.Sub(pl.phaseStart)))
	if w, _, err := term.GetSize(pl.fd); err == nil && w > 1 && utf8.RuneCountInString(line) >= w {
		line = string([]rune(line)[:w-1])
	}
	n := utf8.RuneCountInString(line)
	fmt.Fprint(pl.w, "\r"+line+strings.Repeat(" ", max(0, pl.shown-n)))
	pl.shown = n
}

// finish clears the progress line and prints msg (if any) on a line of its
// own.
func (pl *progressLine) finish(msg string) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.tty && pl.shown > 0 {
		fmt.Fprint(pl.w, "\r"+strings.Repeat(" ", pl.shown)+"\r")
		pl.shown = 0
	}
	if msg != "" {
		fmt.Fprintln(pl.w, msg)
	}
}

// progressText is one progress line: "Copying to the backup: 1.2 MB of
// 4.0 MB, 12 of 40 objects, about 20 seconds left".
func progressText(p app.BackupProgress, elapsed time.Duration) string {
	var b strings.Builder
	b.WriteString(p.Phase)
	sep := ": "
	if p.TotalBytes > 0 {
		fmt.Fprintf(&b, "%s%s of %s", sep, human.Size(p.Bytes), human.Size(p.TotalBytes))
		sep = ", "
	}
	if p.TotalObjects > 0 {
		fmt.Fprintf(&b, "%s%s", sep, human.Of(p.Objects, p.TotalObjects, "object", "objects"))
	}
	done, total := float64(p.Bytes), float64(p.TotalBytes)
	if total <= 0 {
		done, total = float64(p.Objects), float64(p.TotalObjects)
	}
	if done > 0 && done < total && elapsed >= time.Second {
		left := time.Duration(float64(elapsed) * (total - done) / done)
		fmt.Fprintf(&b, ", about %s left", human.Duration(left))
	}
	return b.String()
}

// snapshotJSON is a snapshot in --json output.
type snapshotJSON struct {
	ID         string         `json:"id"`
	Short      string         `json:"short_id"`
	Time       string         `json:"time"`
	Host       string         `json:"host"`
	AppVersion string         `json:"app_version"`
	AddedBytes int64          `json:"added_bytes"`
	AddedBlobs int            `json:"added_objects"`
	TotalBytes int64          `json:"total_bytes"`
	Counts     map[string]int `json:"counts"`
	AuditHead  string         `json:"audit_head"`
}

func toSnapshotJSON(s *app.Snapshot) snapshotJSON {
	return snapshotJSON{ID: s.ID, Short: s.Short(), Time: s.Time.UTC().Format(jsonTime), Host: s.Host, AppVersion: s.AppVersion,
		AddedBytes: s.AddedBytes, AddedBlobs: s.AddedBlobs, TotalBytes: s.TotalBytes, Counts: s.Counts, AuditHead: s.AuditHead}
}

func (r *runner) cmdBackup(args []string) error {
	fs := r.backupFlags("backup")
	isNew := fs.Bool("new", false, "start a new backup in --repo although one made there before is gone (a replaced or wiped drive)")
	moved := fs.Bool("moved", false, "confirm that the backup was moved to another drive on purpose")
	rebuild := fs.Bool("rebuild-config", false, "confirm that --repo is the right backup when its config file is missing: write a new one, then back up")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := r.needRepo("backup", pos); err != nil {
		return err
	}
	if within(r.repo, r.vault) {
		return usagef("--repo %s is inside the vault's own folder %s, so nothing was written: a backup there is lost with the vault it should protect. "+
			"Give a folder on your backup drive, for example: casevault backup%s --repo /media/YOU/USB-DRIVE/casevault-backup", r.repo, r.vault, r.vaultFlag())
	}
	return r.open(func(s *app.Session) error {
		pl := r.newProgress()
		rep, err := s.Backup(r.ctx, r.repo, app.BackupOptions{New: *isNew, Moved: *moved, RebuildConfig: *rebuild, Progress: pl.update,
			Volume: r.env.Volume, MissingDrive: r.env.MissingDrive})
		if rep == nil {
			pl.finish("")
			return r.backupFailed(s, err)
		}
		snap := rep.Snapshot
		pl.finish(fmt.Sprintf("Copied %s (%s) to the backup in %s.",
			human.Count(snap.AddedBlobs, "new object", "new objects"), human.Size(snap.AddedBytes), human.Duration(rep.Duration)))
		js := struct {
			Snapshot   snapshotJSON `json:"snapshot"`
			Repo       string       `json:"repo"`
			Created    bool         `json:"created"`
			SystemDisk bool         `json:"system_disk"`
			DurationNS int64        `json:"duration_ns"`
			Warnings   []string     `json:"warnings"`
		}{toSnapshotJSON(snap), rep.Target, rep.Created, rep.SystemDisk, int64(rep.Duration), append([]string{}, rep.Warnings...)}
		if rep.SystemDisk && r.json {
			// --json output is for programs: the person still hears it.
			fmt.Fprintln(r.env.Stderr, "casevault: warning: "+app.SystemDiskWarning)
		}
		if oerr := r.out(js, func(w io.Writer) {
			if rep.Created {
				fmt.Fprintf(w, "Backed up to %s (a new backup, set up there by this run).\n", cell(rep.Target))
			} else {
				fmt.Fprintf(w, "Backed up to %s.\n", cell(rep.Target))
			}
			fmt.Fprintf(w, "Snapshot\t%s\n", cell(snap.Short()))
			fmt.Fprintf(w, "Time\t%s\n", human.Time(snap.Time))
			fmt.Fprintf(w, "Added\t%s\n", human.Size(snap.AddedBytes))
			fmt.Fprintf(w, "Total size\t%s\n", human.Size(snap.TotalBytes))
			fmt.Fprintf(w, "Clients\t%d\n", snap.Counts["clients"])
			fmt.Fprintf(w, "Matters\t%d\n", snap.Counts["matters"])
			fmt.Fprintf(w, "Took\t%s\n", human.Duration(rep.Duration))
			if len(rep.Warnings) > 0 {
				fmt.Fprintln(w, "\nWarnings:")
				for _, x := range rep.Warnings {
					fmt.Fprintf(w, "  - %s\n", cell(x))
				}
			}
			switch {
			case rep.SystemDisk:
				fmt.Fprintf(w, "\nWARNING: %s (casevault backup%s --repo FOLDER-ON-THE-USB-DRIVE)\n", app.SystemDiskWarning, cell(r.vaultFlag()))
			case rep.Created:
				fmt.Fprintf(w, "\nKeep the drive away from this laptop. To prove the backup restores, run:\n  casevault drill --repo %s\n", cell(quoteArg(rep.Target)))
			}
		}); oerr != nil {
			return oerr
		}
		return err // the backup is made, but recording it in the audit trail failed
	})
}

// backupFailed words a failed backup, saying what to do about a
// remembered backup drive that is not there.
func (r *runner) backupFailed(s *app.Session, err error) error {
	if errors.Is(err, app.ErrNotMounted) {
		// Not "--new": a new backup is just what was refused here.
		return &saidError{fmt.Sprintf("Nothing was written: %s is in a folder where USB drives appear, but no drive is there: it is a folder on the laptop's own disk, so the backup drive is not plugged in or not mounted. "+
			"Plug in the backup drive, check that its files show up in %s (or use the folder where they do), and run the same command again. "+
			"To back up to the laptop's own disk on purpose (it does not protect against losing the laptop), choose a folder outside /media, /run/media and /mnt.",
			r.repo, filepath.Dir(r.repo)), err}
	}
	if !errors.Is(err, app.ErrTargetMissing) {
		return err
	}
	set := app.LoadBackupSettings(s.Dir())
	if set.RepoID == "" || filepath.Clean(set.Target) != r.repo || set.TargetPresent() {
		return err
	}
	return &saidError{fmt.Sprintf("The backup drive is not connected: there is no backup in %s any more, although one was made there before. "+
		"Plug in the backup drive and try again; nothing was written. If you replaced the drive or it was wiped, start a new backup there with \"casevault backup --repo %s --new%s\".",
		r.repo, quoteArg(r.repo), vaultOpt(r.vault)), err}
}

func (r *runner) snapshots(args []string) error {
	fs := r.backupFlags("snapshots")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := r.needRepo("snapshots", pos); err != nil {
		return err
	}
	return r.openBackups(func(b *app.Backups, _ app.Credential) error {
		snaps, bad, err := b.Snapshots(r.ctx)
		if err != nil {
			return err
		}
		drills, derr := b.Drills(r.ctx)
		// Newest first, on the terminal and in --json alike: the snapshot
		// one looks for is nearly always the latest.
		sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].Time.After(snaps[j].Time) })
		sort.SliceStable(drills, func(i, j int) bool { return drills[i].Time.After(drills[j].Time) })
		type drillJSON struct {
			Time      string   `json:"time"`
			Snapshot  string   `json:"snapshot"`
			OK        bool     `json:"ok"`
			Failures  []string `json:"failures,omitempty"`
			RestoreNS int64    `json:"restore_ns"`
			TotalNS   int64    `json:"total_ns"`
			Objects   int      `json:"objects"`
			Bytes     int64    `json:"bytes"`
		}
		js := struct {
			Repo      string         `json:"repo"`
			Drive     string         `json:"drive"`
			Snapshots []snapshotJSON `json:"snapshots"`
			Damaged   []string       `json:"damaged"`
			Drills    []drillJSON    `json:"drills"`
			NoConfig  bool           `json:"config_missing"`
		}{Repo: b.Dir(), Drive: b.Volume(), Snapshots: []snapshotJSON{}, Damaged: []string{}, Drills: []drillJSON{}, NoConfig: b.ConfigMissing()}
		for _, s := range snaps {
			js.Snapshots = append(js.Snapshots, toSnapshotJSON(s))
		}
		for _, e := range bad {
			js.Damaged = append(js.Damaged, e.Error())
		}
		for _, d := range drills {
			js.Drills = append(js.Drills, drillJSON{Time: d.Time.UTC().Format(jsonTime), Snapshot: d.Snapshot, OK: d.OK, Failures: d.Failures,
				RestoreNS: int64(d.RestoreTime), TotalNS: int64(d.TotalTime), Objects: d.Objects, Bytes: d.Bytes})
		}
		return r.out(js, func(w io.Writer) {
			where := cell(b.Dir())
			if v := b.Volume(); v != "" {
				where += " (set up on the drive at " + cell(v) + ")"
			}
			if b.OnSystemDisk() {
				fmt.Fprintf(w, "WARNING: %s\n\n", app.SystemDiskWarning)
			}
			if b.ConfigMissing() {
				fmt.Fprintf(w, "Warning: the config file of this backup is missing (the file that records the drive it was set up on). The snapshots below can still be restored and checked; "+
					"if this is the right backup drive, \"casevault backup --repo %s --rebuild-config%s\" writes a new one.\n\n", quoteArg(b.Dir()), vaultOpt(r.vault))
			}
			if len(snaps) == 0 {
				fmt.Fprintf(w, "The backup in %s has no snapshots yet.\n", where)
			} else {
				fmt.Fprintf(w, "%s in %s, newest first:\n\n", human.Count(len(snaps), "snapshot", "snapshots"), where)
				fmt.Fprintln(w, "ID\tTIME\tADDED\tTOTAL\tCLIENTS\tMATTERS\tAUDIT HEAD")
				for _, s := range snaps {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", cell(s.Short()), human.Time(s.Time), human.Size(s.AddedBytes),
						human.Size(s.TotalBytes), s.Counts["clients"], s.Counts["matters"], cell(shortHead(s.AuditHead)))
				}
			}
			if len(bad) > 0 {
				fmt.Fprintf(w, "\nDamaged snapshot files, not listed above (run \"casevault verify --repo %s\"):\n", cell(quoteArg(b.Dir())))
				for _, e := range bad {
					fmt.Fprintf(w, "  - %s\n", cell(e.Error()))
				}
			}
			switch {
			case derr != nil:
				fmt.Fprintf(w, "\nThe restore drills could not be read: %s\n", cell(derr.Error()))
			case len(drills) == 0 && len(snaps) > 0:
				fmt.Fprintf(w, "\nNo restore drill yet: run \"casevault drill --repo %s\" to prove the backup restores.\n", cell(quoteArg(b.Dir())))
			case len(drills) > 0:
				d := drills[0]
				result := "passed"
				if !d.OK {
					result = "FAILED"
					if len(d.Failures) > 0 {
						result += " (" + d.Failures[0] + ")"
					}
				}
				fmt.Fprintf(w, "\nLast restore drill: %s, of snapshot %s: %s.\n", human.Time(d.Time), cell(shortID(d.Snapshot)), cell(result))
			}
		})
	})
}

func (r *runner) restore(args []string) error {
	fs := r.backupFlags("restore")
	to := fs.String("to", "", "a new or empty folder for the restored vault (required; a restore never writes over a vault)")
	snap := fs.String("snapshot", "", "the snapshot to restore: its id, at least 4 digits (default: the latest)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := r.needRepo("restore", pos); err != nil {
		return err
	}
	if strings.TrimSpace(*to) == "" {
		return usagef("restore needs --to NEWDIR, a new folder for the restored vault")
	}
	dest, err := filepath.Abs(*to)
	if err != nil {
		return err
	}
	if err := freeFolder(dest); err != nil {
		return err
	}
	return r.openBackups(func(b *app.Backups, _ app.Credential) error {
		pl := r.newProgress()
		rep, err := b.Restore(r.ctx, dest, app.RestoreOptions{Snapshot: *snap, Progress: pl.update})
		pl.finish("")
		if err != nil {
			if errors.Is(err, app.ErrExists) {
				return &saidError{human.Capitalize(err.Error()) + "; nothing was restored. Choose a new folder with --to.", err}
			}
			if pe := mkdirOf(err, dest); pe != nil {
				return &saidError{fmt.Sprintf("casevault could not create the folder %s (%v), so nothing was restored. "+
					"Choose a folder with --to on a drive that is connected and that you can write to, for example one in your home folder.", pe.Path, pe.Err), err}
			}
			return err
		}
		open := "casevault --vault " + quoteArg(rep.Dir)
		js := struct {
			Snapshot     string `json:"snapshot"`
			SnapshotTime string `json:"snapshot_time"`
			Dir          string `json:"dir"`
			Objects      int    `json:"objects"`
			Bytes        int64  `json:"bytes"`
			DurationNS   int64  `json:"duration_ns"`
			Open         string `json:"open_with"`
		}{rep.Snapshot.ID, rep.Snapshot.Time.UTC().Format(jsonTime), rep.Dir, rep.Objects, rep.Bytes, int64(rep.Duration), open}
		return r.out(js, func(w io.Writer) {
			fmt.Fprintf(w, "Restored snapshot %s of %s to %s:\n", cell(rep.Snapshot.Short()), human.Time(rep.Snapshot.Time), cell(rep.Dir))
			fmt.Fprintf(w, "%s (%s), each one decrypted and authenticated, in %s.\n\n",
				human.Count(rep.Objects, "object", "objects"), human.Size(rep.Bytes), human.Duration(rep.Duration))
			fmt.Fprintf(w, "Open it with:\n  %s\n", cell(open))
			fmt.Fprintln(w, "It opens with the passphrase or recovery key of the backup. Its first unlock records the restore in its audit trail.")
		})
	})
}

// within reports whether p is dir or inside it (symbolic links resolved
// where they exist).
func within(p, dir string) bool {
	abs := func(x string) string {
		if a, err := filepath.Abs(x); err == nil {
			x = a
		}
		if e, err := filepath.EvalSymlinks(x); err == nil {
			x = e
		} else if e, err := filepath.EvalSymlinks(filepath.Dir(x)); err == nil {
			x = filepath.Join(e, filepath.Base(x))
		}
		return filepath.Clean(x)
	}
	p, dir = abs(p), abs(dir)
	return p == dir || strings.HasPrefix(p, dir+string(filepath.Separator))
}

// mkdirOf is the failure to create dest or a folder above it that err
// holds, or nil.
func mkdirOf(err error, dest string) *fs.PathError {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "mkdir" && (pe.Path == dest || strings.HasPrefix(dest, pe.Path+string(filepath.Separator))) {
		return pe
	}
	return nil
}

// freeFolder refuses a restore into a vault or a folder with files in it,
// before any passphrase is asked for.
func freeFolder(dir string) error {
	// The folder, or the nearest folder above it that exists, must be a
	// folder: "mkdir ...: not a directory" says nothing to a lawyer.
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil && !fi.IsDir() {
			what := fmt.Sprintf("%s is a file", p)
			if p != dir {
				what = fmt.Sprintf("%s is inside %s, which is a file", dir, p)
			}
			return &saidError{fmt.Sprintf("--to must be a new or empty folder, but %s, so nothing was restored. Choose a new folder with --to, for example %s.",
				what, quoteArg(filepath.Join(filepath.Dir(p), "casevault-restored"))), app.ErrExists}
		}
		if err == nil || filepath.Dir(p) == p {
			break
		}
	}
	if app.VaultExists(dir) {
		return &saidError{fmt.Sprintf("%s already holds a vault, so nothing was restored: a restore never writes over a vault. Choose a new folder with --to, for example %s.",
			dir, quoteArg(dir+"-restored")), app.ErrExists}
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return &saidError{fmt.Sprintf("%s has other files in it, so nothing was restored. Choose a new or empty folder with --to, for example %s.",
			dir, quoteArg(filepath.Join(dir, "casevault-restored"))), app.ErrExists}
	}
	return nil
}

// parsePercent reads "10" or "10%" in (0, 100].
func parsePercent(s string) (float64, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	p, err := strconv.ParseFloat(t, 64)
	if err != nil || !(p > 0 && p <= 100) {
		return 0, usagef("--read-data-subset %q is not a percentage above 0 and at most 100, like 10 or 10%%", s)
	}
	return p, nil
}

func (r *runner) verify(args []string) error {
	fs := r.backupFlags("verify")
	readData := fs.Bool("read-data", false, "also read and authenticate every pack (reads the whole backup)")
	subset := fs.String("read-data-subset", "", "also read this share of the packs, chosen at random: PERCENT, e.g. 10 or 10%")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := r.needRepo("verify", pos); err != nil {
		return err
	}
	o := app.VerifyOptions{ReadData: *readData}
	if *subset != "" {
		if *readData {
			return usagef("give --read-data or --read-data-subset, not both")
		}
		if o.SubsetPercent, err = parsePercent(*subset); err != nil {
			return err
		}
	}
	return r.openBackups(func(b *app.Backups, cred app.Credential) error {
		pl := r.newProgress()
		rep, err := b.Verify(r.ctx, o, pl.update)
		pl.finish("")
		if rep == nil {
			return err
		}
		if !b.InSession() && app.DamagedDocumentChunks(rep) && app.VaultExists(r.vault) {
			// The owner's backup was opened with the passphrase alone: the
			// vault (when it opens: not locked by a window, same passphrase)
			// says which documents the damaged chunks hold, as restore does.
			if s, oerr := app.Open(r.ctx, r.vault, cred, app.Options{Store: r.env.Store, CommandLine: true}); oerr == nil {
				err = s.NameDamagedDocuments(r.ctx, rep, err)
				s.Close(r.ctx)
			}
		}
		js := struct {
			OK   bool   `json:"ok"`
			Repo string `json:"repo"`
			*app.VerifyReport
		}{len(rep.Problems) == 0 && err == nil, b.Dir(), rep}
		if js.Healthy == nil {
			js.Healthy = []string{}
		}
		dir := cell(quoteArg(b.Dir()))
		if oerr := r.out(js, func(w io.Writer) {
			fmt.Fprintf(w, "Checked the backup in %s in %s: %s, %s, %s.\n", cell(b.Dir()), human.Duration(rep.Duration),
				human.Count(rep.Snapshots, "snapshot", "snapshots"), human.Count(rep.Packs, "pack", "packs"), human.Count(rep.Blobs, "object", "objects"))
			if o.ReadData || o.SubsetPercent > 0 {
				fmt.Fprintf(w, "Read and authenticated %s (%s).\n", human.Count(rep.PacksRead, "pack", "packs"), human.Size(rep.BytesRead))
			} else {
				fmt.Fprintln(w, "The packs' contents were not read: add --read-data to read every pack, or --read-data-subset 10 for a random tenth.")
			}
			if len(rep.Problems) == 0 {
				fmt.Fprintln(w, "\nNo problems found.")
			} else {
				fmt.Fprintf(w, "\n%s FOUND:\n", strings.ToUpper(human.Count(len(rep.Problems), "problem", "problems")))
				for _, p := range rep.Problems {
					fmt.Fprintf(w, "  - %s: %s\n", cell(p.File), cell(p.Reason))
					if len(p.Snapshots) > 0 {
						fmt.Fprintf(w, "    affects %s %s\n", human.Noun(len(p.Snapshots), "snapshot", "snapshots"), cell(strings.Join(p.Snapshots, ", ")))
					} else {
						fmt.Fprintln(w, "    no snapshot is known to need it")
					}
				}
			}
			if rep.Snapshots > 0 {
				if len(rep.Healthy) == 0 {
					fmt.Fprintln(w, "\nHealthy snapshots: none.")
				} else {
					fmt.Fprintf(w, "\nHealthy snapshots (no problem found): %s\n", cell(strings.Join(rep.Healthy, ", ")))
				}
			}
			if len(rep.Unreferenced) > 0 {
				fmt.Fprintf(w, "\n%s left by an interrupted backup (harmless; \"casevault forget --repo %s ... --prune\" removes them):\n",
					human.Count(len(rep.Unreferenced), "unreferenced pack", "unreferenced packs"), dir)
				for _, u := range rep.Unreferenced {
					fmt.Fprintf(w, "  - %s\n", cell(u))
				}
			}
			if len(rep.Gone) > 0 {
				fmt.Fprintf(w, "\n%s listed in the index %s gone, but no snapshot needs anything from them: a prune was interrupted (harmless; the next \"casevault forget --repo %s ... --prune\" tidies the index).\n",
					human.Capitalize(human.Count(len(rep.Gone), "pack", "packs")), human.Noun(len(rep.Gone), "is", "are"), dir)
			}
		}); oerr != nil {
			return oerr
		}
		if err != nil && errors.Is(err, app.ErrBackupDamaged) {
			msg := fmt.Sprintf("The backup in %s is damaged (%s, listed above). ", b.Dir(), human.Count(len(rep.Problems), "problem", "problems"))
			if len(rep.Healthy) > 0 {
				msg += "The healthy snapshots can still be restored with \"casevault restore --repo " + dir + " --snapshot ID --to NEWDIR\". "
			}
			if b.ConfigMissing() && len(rep.Problems) == 1 {
				return &saidError{fmt.Sprintf("The backup in %s is damaged: its config file is missing (the only problem found). Every snapshot can still be restored. "+
					"If this is the right backup drive, write a new config file and back up with \"casevault backup --repo %s --rebuild-config%s\".", b.Dir(), dir, vaultOpt(r.vault)), err}
			}
			msg += "Back up to another drive now, and do not delete files from this one by hand."
			for _, p := range rep.Problems {
				if strings.HasPrefix(p.File, "snapshots/") {
					msg += " To free space on it, \"casevault forget --repo " + dir + " --keep-last 3 --prune\" sets damaged snapshot files aside (it keeps them) and removes all but the 3 newest snapshots (choose how many)."
					break
				}
			}
			return &saidError{msg, err}
		}
		return err
	})
}

func (r *runner) forget(args []string) error {
	fs := r.backupFlags("forget")
	var p app.RetentionPolicy
	fs.IntVar(&p.Last, "keep-last", 0, "keep the N newest snapshots")
	fs.IntVar(&p.Daily, "keep-daily", 0, "keep the newest snapshot of each of the N most recent days that have one")
	fs.IntVar(&p.Weekly, "keep-weekly", 0, "keep the newest snapshot of each of the N most recent weeks that have one")
	fs.IntVar(&p.Monthly, "keep-monthly", 0, "keep the newest snapshot of each of the N most recent months that have one")
	prune := fs.Bool("prune", false, "then free the space that what no snapshot needs takes on the drive")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := r.needRepo("forget", pos); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return usagef("%s", err)
	}
	return r.openBackups(func(b *app.Backups, _ app.Credential) error {
		res, err := b.Forget(r.ctx, p, *prune)
		if errors.Is(err, app.ErrTargetFull) {
			// Not "remove old snapshots": that is what just ran.
			err = &saidError{fmt.Sprintf("The backup drive is full, and prune could free nothing on it: everything there is needed by the snapshots that are kept (%s). "+
				"Delete other files from the drive if it has any, or start a new backup on a bigger drive (\"casevault backup --repo NEWDIR\") and keep this one as it is until that backup is made.",
				err), err}
		}
		if res == nil {
			return err
		}
		removed := map[string]bool{}
		for _, id := range res.Removed {
			removed[id] = true
		}
		type decisionJSON struct {
			ID      string   `json:"id"`
			Time    string   `json:"time"`
			Keep    bool     `json:"keep"`
			Removed bool     `json:"removed"`
			Reasons []string `json:"reasons"`
		}
		type pruneJSON struct {
			PacksRemoved   int   `json:"packs_removed"`
			PacksRewritten int   `json:"packs_rewritten"`
			BytesFreed     int64 `json:"bytes_freed"`
			KeysRemoved    int   `json:"key_files_removed"`
			NotRewritten   int   `json:"packs_not_rewritten"`
			KeptDamaged    int   `json:"packs_kept_damaged"`
		}
		type setAsideJSON struct {
			File   string `json:"file"`
			To     string `json:"to"`
			Reason string `json:"reason"`
		}
		js := struct {
			Policy    string         `json:"policy"`
			SetAside  []setAsideJSON `json:"set_aside"`
			Decisions []decisionJSON `json:"decisions"`
			Removed   []string       `json:"removed"`
			Prune     *pruneJSON     `json:"prune"`
		}{Policy: p.String(), SetAside: []setAsideJSON{}, Decisions: []decisionJSON{}, Removed: append([]string{}, res.Removed...)}
		for _, a := range res.SetAside {
			js.SetAside = append(js.SetAside, setAsideJSON{a.File, a.To, a.Reason})
		}
		for _, d := range res.Decisions {
			js.Decisions = append(js.Decisions, decisionJSON{d.Item.ID, d.Item.Time.UTC().Format(jsonTime), d.Keep, removed[d.Item.ID],
				append([]string{}, d.Reasons...)})
		}
		if pr := res.Prune; pr != nil {
			js.Prune = &pruneJSON{pr.PacksRemoved, pr.PacksRewritten, pr.BytesFreed, pr.KeysRemoved, pr.NotRewritten, pr.KeptDamaged}
		}
		if oerr := r.out(js, func(w io.Writer) {
			if len(res.SetAside) > 0 {
				fmt.Fprintf(w, "%s cannot be restored, so %s set aside, not deleted: renamed so that %s no longer read as %s.\n",
					human.Capitalize(human.Count(len(res.SetAside), "damaged snapshot", "damaged snapshots")),
					human.Noun(len(res.SetAside), "it was", "they were"), human.Noun(len(res.SetAside), "it is", "they are"),
					human.Noun(len(res.SetAside), "a snapshot", "snapshots"))
				for _, a := range res.SetAside {
					fmt.Fprintf(w, "  - %s -> %s (%s)\n", a.File, a.To, cell(a.Reason))
				}
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "Keeping: %s (newest first).\n\n", p)
			if len(res.Decisions) == 0 {
				fmt.Fprintln(w, "The backup has no snapshots.")
			} else {
				fmt.Fprintln(w, "SNAPSHOT\tTIME\tDECISION\tWHY")
				for _, d := range res.Decisions {
					what, why := "keep", strings.Join(d.Reasons, ", ")
					if !d.Keep {
						what, why = "remove", "no rule keeps it"
						if removed[d.Item.ID] {
							what = "removed"
						}
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", cell(shortID(d.Item.ID)), human.Time(d.Item.Time), what, cell(why))
				}
			}
			fmt.Fprintf(w, "\n%s removed, %d kept.\n", human.Count(len(res.Removed), "snapshot", "snapshots"), len(res.Decisions)-len(res.Removed))
			switch pr := res.Prune; {
			case pr != nil:
				fmt.Fprintf(w, "Pruned: %s removed, %d rewritten, %s freed", human.Count(pr.PacksRemoved, "pack", "packs"), pr.PacksRewritten, human.Size(pr.BytesFreed))
				if pr.KeysRemoved > 0 {
					fmt.Fprintf(w, " (and %s no snapshot needs)", human.Count(pr.KeysRemoved, "old key file", "old key files"))
				}
				fmt.Fprintln(w, ".")
				if pr.KeptDamaged > 0 {
					fmt.Fprintf(w, "%s damaged data that a kept snapshot needs, so %s kept as %s: \"casevault verify --repo %s --read-data\" shows which snapshots %s.\n",
						human.Capitalize(human.Count(pr.KeptDamaged, "pack holds", "packs hold")), human.Noun(pr.KeptDamaged, "it was", "they were"),
						human.Noun(pr.KeptDamaged, "it is", "they are"), cell(quoteArg(b.Dir())), human.Noun(pr.KeptDamaged, "it spoils", "they spoil"))
				}
				if pr.NotRewritten > 0 {
					fmt.Fprintf(w, "%s partly needed by the kept snapshots %s kept as they are: the drive had no room to rewrite them. Running the same command again once there is more room frees the rest.\n",
						human.Capitalize(human.Count(pr.NotRewritten, "pack", "packs")), human.Noun(pr.NotRewritten, "was", "were"))
				}
			case len(res.Removed) > 0:
				fmt.Fprintln(w, "Their data is still on the drive: add --prune to free the space.")
			}
		}); oerr != nil {
			return oerr
		}
		return err
	})
}

func (r *runner) drill(args []string) error {
	fs := r.backupFlags("drill")
	snap := fs.String("snapshot", "", "the snapshot to restore: its id, at least 4 digits (default: the latest)")
	scratch := fs.String("scratch", "", "folder for the temporary restored copy, deleted afterwards (default: the system's temporary folder)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := r.needRepo("drill", pos); err != nil {
		return err
	}
	if *scratch != "" {
		if *scratch, err = filepath.Abs(*scratch); err != nil {
			return err
		}
		if fi, err := os.Stat(*scratch); err != nil || !fi.IsDir() {
			return usagef("--scratch %s: there is no such folder; create it first, or leave --scratch out to use the system's temporary folder", quoteArg(*scratch))
		}
	}
	if r.vault != "" { // no vault (no HOME, no --vault): the drill is recorded in the backup only
		if r.vault, err = filepath.Abs(r.vault); err != nil {
			return err
		}
	}
	return r.openBackups(func(b *app.Backups, cred app.Credential) error {
		s, why := r.drillSession(cred)
		pl := r.newProgress()
		rep, err := b.Drill(r.ctx, app.DrillOptions{Snapshot: *snap, ScratchDir: *scratch, Progress: pl.update, Session: s})
		pl.finish("")
		if s != nil {
			if cerr := s.Close(r.ctx); cerr != nil && err == nil && rep != nil {
				rep.RecordNote = strings.TrimSpace(rep.RecordNote + " Locking the vault afterwards failed: " + message(cerr, r.repo, r.vault))
			}
		}
		if rep == nil {
			return err
		}
		var recorded string
		switch {
		case rep.InBackup && rep.InVault:
			recorded = "Recorded in the backup and in the audit trail of the vault at " + r.vault + "."
		case rep.InBackup && why != "":
			recorded = "Recorded in the backup only: " + why + "."
		case rep.InBackup:
			recorded = "Recorded in the backup only: the vault at " + r.vault + " is not the vault this backup was made from, or its audit trail could not be written."
		case rep.InVault:
			recorded = "Recorded in the audit trail of the vault at " + r.vault + " only."
		default:
			recorded = "The result was not recorded anywhere."
		}
		if rep.RecordNote != "" {
			recorded += " " + rep.RecordNote
		}
		js := struct {
			*app.DrillReport
			SnapshotTime string `json:"snapshot_time"`
			Recorded     string `json:"recorded"`
		}{rep, rep.Snapshot.Time.UTC().Format(jsonTime), recorded}
		if oerr := r.out(js, func(w io.Writer) {
			result := "passed"
			if !rep.OK {
				result = "FAILED"
			}
			fmt.Fprintf(w, "Restore drill of snapshot %s (%s): %s\n", cell(rep.Snapshot.Short()), human.Time(rep.Snapshot.Time), result)
			for _, c := range rep.Checks {
				mark := "ok"
				if !c.OK {
					mark = "FAILED"
				}
				title, said := drillWords(c)
				fmt.Fprintf(w, "  %s\t%s: %s\n", mark, cell(title), cell(said))
				if !c.OK && c.Detail != "" && c.Detail != said {
					fmt.Fprintf(w, "  \t  Technical details: %s\n", cell(c.Detail))
				}
			}
			if rep.RestoreTime > 0 {
				fmt.Fprintf(w, "\nThe restore took %s; the whole drill %s.\n", human.Duration(rep.RestoreTime), human.Duration(rep.TotalTime))
			} else {
				fmt.Fprintf(w, "\nThe drill took %s.\n", human.Duration(rep.TotalTime))
			}
			fmt.Fprintln(w, cell(recorded))
		}); oerr != nil {
			return oerr
		}
		if errors.Is(err, app.ErrDrillFailed) {
			var failed []string
			for _, c := range rep.Checks {
				if !c.OK {
					title, _ := drillWords(c)
					failed = append(failed, "\""+title+"\"")
				}
			}
			return &saidError{fmt.Sprintf("The restore drill of snapshot %s failed at %s (see above). Until a drill passes, do not rely on this backup: "+
				"run \"casevault verify --repo %s --read-data\" to find the damaged files, and back up to another drive as well.",
				rep.Snapshot.Short(), strings.Join(failed, ", "), quoteArg(b.Dir())), err}
		}
		return err
	})
}

// drillWords is a drill check in a person's words (its title and what it
// found), or its technical name and detail when it has no words.
func drillWords(c app.DrillCheck) (title, said string) {
	title, said = c.Title, c.Said
	if title == "" {
		title = c.Name
	}
	if said == "" {
		said = c.Detail
	}
	return title, said
}

// drillSession opens the vault at --vault with the credential that opened
// the backup, so the drill is recorded in its audit trail too. When it
// cannot, it says why and the drill is recorded in the backup only.
func (r *runner) drillSession(cred app.Credential) (*app.Session, string) {
	if r.vault == "" {
		return nil, "no vault was given with --vault, and there is no default place for one (HOME is not set)"
	}
	if !app.VaultExists(r.vault) {
		return nil, "there is no vault at " + r.vault
	}
	s, err := app.Open(r.ctx, r.vault, cred, app.Options{Store: r.env.Store, CommandLine: true})
	r.backoff().Done(r.vault, err) // a wrong one here is a guess at the vault too
	switch {
	case err == nil:
		return s, ""
	case errors.Is(err, app.ErrLocked):
		return nil, "the vault at " + r.vault + " is open in the casevault window or another command"
	case errors.Is(err, app.ErrWrongCredential):
		return nil, "what you typed opens the backup but not the vault at " + r.vault
	}
	return nil, "the vault at " + r.vault + " could not be opened (" + message(err, r.repo, r.vault) + ")"
}
