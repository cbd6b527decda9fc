package app

// The backups a long-running front end (the window) runs by itself and on
// request, without any toolkit: at most one at a time, every so often while
// the vault is open (Tick), and before the vault locks or the program
// closes (ForLock, CloseAfter) without ever making locking wait.

import (
	"context"
	"errors"
	"sync"
	"time"

	"casevault/vault"
)

// AutoBackupCheck is how often Tick looks at the backup settings to see
// whether the interval backup is due.
const AutoBackupCheck = time.Minute

// ErrBackupRunning: BackupJobs.Start was asked for a backup while one runs.
// The running one is BackupJobs.Running; a caller that wants the person to
// see it joins it instead of starting another.
var ErrBackupRunning = errors.New("a backup is already running; wait until it has finished")

// JobKind is why a backup runs; front ends show the kinds differently.
type JobKind int

const (
	JobManual JobKind = iota // asked for: a progress dialog, then the result
	JobAuto                  // the interval backup: a status line only
	JobLock                  // before the vault locks or the program closes
)

// JobHooks receive a job's news on the backup's own goroutine; a front end
// hands them on to its UI goroutine. Either may be nil.
type JobHooks struct {
	// Progress gets every progress report, after Progress() returns it.
	Progress func(*BackupJob, BackupProgress)
	// Done gets the outcome once the job has ended and is no longer
	// Running (a new backup can start), after Result() returns it.
	Done func(*BackupJob, *BackupReport, error)
}

// BackupJobs runs backups one at a time. The zero value is ready to use;
// its methods may be called from any goroutine.
type BackupJobs struct {
	// Backup runs one backup; nil means Session.Backup (tests replace it).
	Backup func(ctx context.Context, s *Session, target string, o BackupOptions) (*BackupReport, error)
	// CloseSession closes a session once its last backup ended; nil means
	// Session.Close (tests replace it).
	CloseSession func(*Session)

	mu     sync.Mutex
	cur    *BackupJob
	holds  int       // drills, restores, checks running: no interval backup
	autoAt time.Time // when Tick last looked at the settings
}

// BackupJob is one backup started by BackupJobs.
type BackupJob struct {
	sess   *Session
	target string
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	kind JobKind
	prog BackupProgress
	rep  *BackupReport
	err  error
}

// Session is the session the job backs up.
func (j *BackupJob) Session() *Session { return j.sess }

// Target is the backup folder.
func (j *BackupJob) Target() string { return j.target }

// Kind is why the job runs now (ForLock turns a running job into JobLock).
func (j *BackupJob) Kind() JobKind {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.kind
}

// Progress is the latest progress report.
func (j *BackupJob) Progress() BackupProgress {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.prog
}

// Cancel stops the backup; it ends with an error wrapping context.Canceled
// unless it had finished already. Earlier backups are not touched.
func (j *BackupJob) Cancel() { j.cancel() }

// Done is closed when the backup has ended.
func (j *BackupJob) Done() <-chan struct{} { return j.done }

// Result is the outcome once Done is closed; nil, nil before.
func (j *BackupJob) Result() (*BackupReport, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.rep, j.err
}

// Running is the backup running now, or nil.
func (m *BackupJobs) Running() *BackupJob {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur
}

// Start starts a backup of s to target in the background. While another
// backup runs it starts nothing and returns ErrBackupRunning.
func (m *BackupJobs) Start(s *Session, target string, kind JobKind, o BackupOptions, h JobHooks) (*BackupJob, error) {
	if s == nil {
		return nil, vault.ErrClosed
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.startLocked(s, target, kind, o, h)
}

func (m *BackupJobs) startLocked(s *Session, target string, kind JobKind, o BackupOptions, h JobHooks) (*BackupJob, error) {
	if m.cur != nil {
		return nil, ErrBackupRunning
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &BackupJob{sess: s, target: target, kind: kind, cancel: cancel, done: make(chan struct{})}
	m.cur = j
	o.Progress = func(p BackupProgress) {
		j.mu.Lock()
		j.prog = p
		j.mu.Unlock()
		if h.Progress != nil {
			h.Progress(j, p)
		}
	}
	backupFn := m.Backup
	if backupFn == nil {
		backupFn = func(ctx context.Context, s *Session, target string, o BackupOptions) (*BackupReport, error) {
			return s.Backup(ctx, target, o)
		}
	}
	go func() {
		rep, err := backupFn(ctx, s, target, o)
		cancel()
		j.mu.Lock()
		j.rep, j.err = rep, err
		j.mu.Unlock()
		m.mu.Lock()
		if m.cur == j {
			m.cur = nil
		}
		m.mu.Unlock()
		close(j.done)
		if h.Done != nil {
			h.Done(j, rep, err)
		}
	}()
	return j, nil
}

// ForLock is the backup that must end before s closes: the one running
// for s (now of kind JobLock), or, when want, a new one if the settings
// ask for a backup on lock and the backup drive is there; nil when none.
// A missing drive never holds the lock up, and a backup of another
// session is none of s's business.
func (m *BackupJobs) ForLock(s *Session, want bool, o BackupOptions, h JobHooks) *BackupJob {
	if s == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if j := m.cur; j != nil {
		if j.sess != s {
			return nil
		}
		j.mu.Lock()
		j.kind = JobLock
		j.mu.Unlock()
		return j
	}
	if !want {
		return nil
	}
	set := LoadBackupSettings(s.Dir())
	if !set.OnLock || !set.TargetPresent() {
		return nil
	}
	j, _ := m.startLocked(s, set.Target, JobLock, o, h)
	return j
}

// CloseAfter closes s in the background once j (nil: none) has ended and
// returns at once, so that locking never waits for a backup; closed (may
// be nil) runs on that goroutine after s is closed.
func (m *BackupJobs) CloseAfter(s *Session, j *BackupJob, closed func()) {
	closeFn := m.CloseSession
	if closeFn == nil {
		closeFn = func(s *Session) { s.Close(context.Background()) }
	}
	go func() {
		if j != nil {
			<-j.done
		}
		closeFn(s)
		if closed != nil {
			closed()
		}
	}()
}

// Tick starts the interval backup of s when it is due at now (see
// BackupSettings.AutoBackupDue), looking at the settings at most once per
// AutoBackupCheck; never while a backup runs or Hold is in force. It
// returns the job started, or nil. A clock set back counts as due for a
// look.
func (m *BackupJobs) Tick(s *Session, now time.Time, o BackupOptions, h JobHooks) *BackupJob {
	if s == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur != nil || m.holds > 0 || (now.Sub(m.autoAt) < AutoBackupCheck && !now.Before(m.autoAt)) {
		return nil
	}
	m.autoAt = now
	set := LoadBackupSettings(s.Dir())
	if !set.AutoBackupDue(now) {
		return nil
	}
	j, _ := m.startLocked(s, set.Target, JobAuto, o, h)
	return j
}

// DeferTick makes the next look at the settings by Tick wait
// AutoBackupCheck from now (a vault was just opened).
func (m *BackupJobs) DeferTick(now time.Time) {
	m.mu.Lock()
	m.autoAt = now
	m.mu.Unlock()
}

// Hold keeps the interval backup back until release is called: a drill,
// restore or check of the backup runs. release may be called more than
// once.
func (m *BackupJobs) Hold() (release func()) {
	m.mu.Lock()
	m.holds++
	m.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			m.mu.Lock()
			m.holds--
			m.mu.Unlock()
		})
	}
}
