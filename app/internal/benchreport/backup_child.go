package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"time"

	"casevault/app"
	"casevault/vault"
)

// The child processes of the backup measurements (see backup.go). Each
// reports its own times (the parts of what it did) and its own VmHWM as
// JSON on stdout; the parent times the whole process and reads its rusage.

var (
	onlyFlag     = flag.String("only", "", "run only these sections, comma-separated: backup (alone: bench-out/bench-backup.md), peer (SQLCipher), open, memory, checkpoint, audit, cli, fair (issue 9), people (issue 10), daily (issue 11), intake (issue 12), docs (issue 13); written to bench-out/bench-only.md")
	noBackup     = flag.Bool("no-backup", false, "do not measure backups")
	noI9         = flag.Bool("no-i9", false, "do not run the issue-9 sections (open, memory, checkpoint, audit, cli, fair)")
	backupSizesF = flag.String("backup-sizes", "", "client counts for the backup measurements (default 10000,50000; -quick: 300)")
	backupRunsF  = flag.Int("backup-runs", 0, "first backups (each to fresh repositories) and restores per size (default 3; -quick: 2)")
	backupIncrF  = flag.Int("backup-incr", 0, "in-app incremental backups per size (default 5; -quick: 2)")
	backupSlowF  = flag.Int("backup-slow-runs", 0, "first backups by a whole process, incrementals after a locked edit and drills per size (default 3 up to 10,000 clients, 1 above; -quick: 1)")
	resticFlag   = flag.String("restic", "restic", "the restic program (Debian package restic); \"\" to measure casevault alone")
	// Internal: the backup child processes.
	repoFlag  = flag.String("repo", "", "internal: backup repository")
	toFlag    = flag.String("to", "", "internal: restore target, or the folder for the drill's scratch copy")
	labelFlag = flag.String("label", "", "internal: name of the CPU profile")
	iterFlag  = flag.Int("iter", 0, "internal: edit number")
)

// bkChild is what a backup child reports.
type bkChild struct {
	OpenSec    float64 `json:"open_sec,omitempty"`    // app.Open or app.OpenBackups
	Sec        float64 `json:"sec"`                   // the operation itself
	CloseSec   float64 `json:"close_sec,omitempty"`   // Session.Close
	RestoreSec float64 `json:"restore_sec,omitempty"` // a drill's restore part
	Added      int64   `json:"added,omitempty"`       // Snapshot.AddedBytes, or restored bytes
	Objects    int     `json:"objects,omitempty"`
	OK         bool    `json:"ok,omitempty"`
	PeakKiB    int64   `json:"peak_kib"`           // VmHWM: of the process, or since the reset before the operation
	BaseKiB    int64   `json:"base_kib,omitempty"` // VmRSS before the operation (in-app)
	User       float64 `json:"user,omitempty"`     // CPU seconds of the in-app operation (all threads)
	Sys        float64 `json:"sys,omitempty"`
}

// cpuTimes is this process's CPU time so far, user and system, in seconds.
func cpuTimes() (user, sys float64) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()).Seconds(), time.Duration(ru.Stime.Nano()).Seconds()
}

// runBackupChild runs the backup child kind; ok is false for another kind.
func runBackupChild(kind string, o measureOpts) (res any, ok bool, err error) {
	switch kind {
	case "bk-session":
		res, err = childBackupSession(o)
	case "bk-process":
		res, err = childBackupProcess(o)
	case "bk-edit":
		res, err = childBackupEdit(o)
	case "bk-restore":
		res, err = childRestore(o)
	case "bk-drill":
		res, err = childDrill(o)
	default:
		return nil, false, nil
	}
	return res, true, err
}

// openSession opens the vault in dir as the window does.
func openSession(ctx context.Context, dir string) (*app.Session, float64, error) {
	return openSessionOpts(ctx, dir, app.Options{Actor: "bench"})
}

func openSessionOpts(ctx context.Context, dir string, opts app.Options) (*app.Session, float64, error) {
	var s *app.Session
	sec, err := timeIt(func() error {
		var err error
		s, err = app.Open(ctx, dir, vault.Passphrase(benchPass), opts)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("open: %w", err)
	}
	return s, sec, nil
}

// editOne changes the phone of a random client through the app, one durable
// write with its audit entry, as the window does.
func editOne(ctx context.Context, s *app.Session, rng *rand.Rand, n int) error {
	ph := phone(rng)
	if err := s.EditClient(ctx, int64(1+rng.IntN(n)), app.ClientInput{Phone: &ph}); err != nil {
		return fmt.Errorf("edit: %w", err)
	}
	return nil
}

// childBackupSession is the window's side: it opens the vault once and then
// obeys lines on stdin, answering each with a JSON line on stdout:
//
//	backup\tREPO\tLABEL  Session.Backup to REPO (set up on the first run)
//	edit                one client edit
//	close               Session.Close (as locking does), then exit
//
// The peak memory of a backup is the VmHWM after a reset just before it
// (/proc/self/clear_refs), so it is this session's peak during that backup,
// loaded vault included.
func childBackupSession(o measureOpts) (*bkChild, error) {
	ctx := context.Background()
	s, open, err := openSession(ctx, o.dir)
	if err != nil {
		return nil, err
	}
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(bkChild{OpenSec: open, PeakKiB: procKiB("VmHWM:")}); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(o.seed, 6))
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t") // paths may hold spaces
		var r bkChild
		switch {
		case len(f) == 3 && f[0] == "backup":
			r.BaseKiB = resetPeak(false)
			stop := startProfile(o.profileDir, fmt.Sprintf("backup-%s-%d.pprof", f[2], o.n))
			var rep *app.BackupReport
			u0, s0 := cpuTimes()
			r.Sec, err = timeIt(func() error {
				var err error
				rep, err = s.Backup(ctx, f[1], app.BackupOptions{})
				return err
			})
			u1, s1 := cpuTimes()
			r.User, r.Sys = u1-u0, s1-s0
			stop()
			if err != nil {
				return nil, fmt.Errorf("backup to %s: %w", f[1], err)
			}
			r.PeakKiB, r.Added = procKiB("VmHWM:"), rep.Snapshot.AddedBytes
		case len(f) == 1 && f[0] == "edit":
			if r.Sec, err = timeIt(func() error { return editOne(ctx, s, rng, o.n) }); err != nil {
				return nil, err
			}
		case len(f) == 1 && f[0] == "close":
			if r.CloseSec, err = timeIt(func() error { return s.Close(ctx) }); err != nil {
				return nil, fmt.Errorf("close: %w", err)
			}
			r.PeakKiB = procKiB("VmHWM:")
			return &r, nil // runChild prints it
		default:
			return nil, fmt.Errorf("bk-session: unknown command %q", sc.Text())
		}
		if err := out.Encode(r); err != nil {
			return nil, err
		}
	}
	// The parent went away: leave without locking, as a killed window would.
	return nil, errors.New("bk-session: stdin closed")
}

// childBackupProcess is what a "casevault backup" command does: unlock and
// load the vault as a command-line session (app.Options.CommandLine), back
// it up, lock it (its audit entry; a checkpoint only past
// app.CommandLineCheckpointBytes of redo log).
func childBackupProcess(o measureOpts) (*bkChild, error) {
	ctx := context.Background()
	stop := startProfile(o.profileDir, fmt.Sprintf("bkproc-%s-%d.pprof", *labelFlag, o.n))
	defer stop()
	s, open, err := openSessionOpts(ctx, o.dir, app.Options{Actor: "bench", CommandLine: true})
	if err != nil {
		return nil, err
	}
	r := &bkChild{OpenSec: open}
	var rep *app.BackupReport
	r.Sec, err = timeIt(func() error {
		var err error
		rep, err = s.Backup(ctx, *repoFlag, app.BackupOptions{})
		return err
	})
	if err != nil {
		s.Close(ctx)
		return nil, fmt.Errorf("backup to %s: %w", *repoFlag, err)
	}
	r.Added = rep.Snapshot.AddedBytes
	if r.CloseSec, err = timeIt(func() error { return s.Close(ctx) }); err != nil {
		return nil, fmt.Errorf("close: %w", err)
	}
	r.PeakKiB = procKiB("VmHWM:")
	return r, nil
}

// childBackupEdit edits one client in a session of its own and locks the
// vault, as a short window session would (the lock checkpoints the edit).
func childBackupEdit(o measureOpts) (*bkChild, error) {
	ctx := context.Background()
	s, open, err := openSession(ctx, o.dir)
	if err != nil {
		return nil, err
	}
	r := &bkChild{OpenSec: open}
	rng := rand.New(rand.NewPCG(o.seed, 100+uint64(*iterFlag)))
	if r.Sec, err = timeIt(func() error { return editOne(ctx, s, rng, o.n) }); err != nil {
		s.Close(ctx)
		return nil, err
	}
	if r.CloseSec, err = timeIt(func() error { return s.Close(ctx) }); err != nil {
		return nil, fmt.Errorf("close: %w", err)
	}
	r.PeakKiB = procKiB("VmHWM:")
	return r, nil
}

// openBackups opens the repository with the passphrase alone, as a restore
// on a new laptop does: Argon2id over a key-file copy of the vault header.
func openBackups(ctx context.Context) (*app.Backups, float64, error) {
	var b *app.Backups
	sec, err := timeIt(func() error {
		var err error
		b, err = app.OpenBackups(ctx, *repoFlag, app.Passphrase(benchPass))
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("opening the backup %s: %w", *repoFlag, err)
	}
	return b, sec, nil
}

// childRestore restores the latest snapshot into a new folder.
func childRestore(o measureOpts) (*bkChild, error) {
	ctx := context.Background()
	stop := startProfile(o.profileDir, fmt.Sprintf("restore-%s-%d.pprof", *labelFlag, o.n))
	defer stop()
	b, open, err := openBackups(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	r := &bkChild{OpenSec: open}
	var rep *app.RestoreReport
	r.Sec, err = timeIt(func() error {
		var err error
		rep, err = b.Restore(ctx, *toFlag, app.RestoreOptions{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("restore to %s: %w", *toFlag, err)
	}
	r.Added, r.Objects, r.PeakKiB = rep.Bytes, rep.Objects, procKiB("VmHWM:")
	return r, nil
}

// childDrill runs a restore drill of the latest snapshot, its scratch copy
// in a new folder inside -to.
func childDrill(o measureOpts) (*bkChild, error) {
	ctx := context.Background()
	stop := startProfile(o.profileDir, fmt.Sprintf("drill-%s-%d.pprof", *labelFlag, o.n))
	defer stop()
	b, open, err := openBackups(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	r := &bkChild{OpenSec: open}
	var rep *app.DrillReport
	r.Sec, err = timeIt(func() error {
		var err error
		rep, err = b.Drill(ctx, app.DrillOptions{ScratchDir: *toFlag})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("drill: %w", err)
	}
	r.RestoreSec, r.Added, r.Objects, r.OK = rep.RestoreTime.Seconds(), rep.Bytes, rep.Objects, rep.OK
	r.PeakKiB = procKiB("VmHWM:")
	return r, nil
}
