package app

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeBackups is a BackupJobs whose backups end when the test says so.
type fakeBackups struct {
	BackupJobs
	mu      sync.Mutex
	started []string // targets, in order
	release chan struct{}
	closed  chan *Session
}

func newFakeBackups() *fakeBackups {
	f := &fakeBackups{release: make(chan struct{}), closed: make(chan *Session, 4)}
	f.Backup = func(ctx context.Context, s *Session, target string, o BackupOptions) (*BackupReport, error) {
		f.mu.Lock()
		f.started = append(f.started, target)
		f.mu.Unlock()
		o.Progress(BackupProgress{Phase: "Copying", Bytes: 1, TotalBytes: 4})
		select {
		case <-f.release:
			return &BackupReport{Target: target}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.CloseSession = func(s *Session) { f.closed <- s }
	return f
}

func (f *fakeBackups) starts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.started)
}

func waitDone(t *testing.T, j *BackupJob) {
	t.Helper()
	select {
	case <-j.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the backup did not end")
	}
}

func TestBackupJobsOneAtATime(t *testing.T) {
	s, _, _ := testSession(t)
	f := newFakeBackups()
	var mu sync.Mutex
	var progress []BackupProgress
	doneRunning := make(chan *BackupJob, 1)
	h := JobHooks{
		Progress: func(_ *BackupJob, p BackupProgress) { mu.Lock(); progress = append(progress, p); mu.Unlock() },
		Done:     func(*BackupJob, *BackupReport, error) { doneRunning <- f.Running() },
	}
	j, err := f.Start(s, "/backup/one", JobManual, BackupOptions{}, h)
	if err != nil || j == nil || f.Running() != j || j.Kind() != JobManual || j.Target() != "/backup/one" || j.Session() != s {
		t.Fatalf("Start = %v, %v; running %v", j, err, f.Running())
	}
	// A second backup while one runs is refused; the running one is there to join.
	if j2, err := f.Start(s, "/backup/two", JobManual, BackupOptions{}, h); j2 != nil || !errors.Is(err, ErrBackupRunning) {
		t.Fatalf("second Start = %v, %v; want ErrBackupRunning", j2, err)
	}
	if f.Running() != j {
		t.Fatal("the refused Start replaced the running job")
	}
	if rep, err := j.Result(); rep != nil || err != nil {
		t.Fatalf("result before the end: %v, %v", rep, err)
	}
	close(f.release)
	waitDone(t, j)
	if r := <-doneRunning; r != nil {
		t.Fatalf("still running when Done was called: %v", r)
	}
	if rep, err := j.Result(); err != nil || rep == nil || rep.Target != "/backup/one" {
		t.Fatalf("Result = %v, %v", rep, err)
	}
	mu.Lock()
	if len(progress) != 1 || progress[0].Bytes != 1 {
		t.Errorf("progress hooks = %v", progress)
	}
	mu.Unlock()
	if p := j.Progress(); p.TotalBytes != 4 {
		t.Errorf("Progress() = %+v", p)
	}
	if f.starts() != 1 {
		t.Fatalf("%d backups ran, want 1", f.starts())
	}
	// After the end, the next one starts.
	j3, err := f.Start(s, "/backup/three", JobManual, BackupOptions{}, JobHooks{})
	if err != nil {
		t.Fatalf("Start after the end: %v", err)
	}
	waitDone(t, j3)
}

func TestBackupJobsCancel(t *testing.T) {
	s, _, _ := testSession(t)
	f := newFakeBackups()
	gotErr := make(chan error, 1)
	j, err := f.Start(s, "/backup", JobManual, BackupOptions{}, JobHooks{Done: func(_ *BackupJob, _ *BackupReport, err error) { gotErr <- err }})
	if err != nil {
		t.Fatal(err)
	}
	j.Cancel()
	waitDone(t, j)
	if err := <-gotErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("Done after Cancel got %v", err)
	}
	if rep, err := j.Result(); rep != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Result after Cancel = %v, %v", rep, err)
	}
	if f.Running() != nil {
		t.Fatal("a cancelled job stays running")
	}
}

// lockTarget backs s up for real once, so that its settings name a backup
// folder that is there, and returns the settings.
func lockTarget(t *testing.T, s *Session) BackupSettings {
	t.Helper()
	repo := filepath.Join(scratchDir(t), "repo")
	if _, err := s.Backup(ctx, repo, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	set := LoadBackupSettings(s.Dir())
	if !set.OnLock || !set.TargetPresent() {
		t.Fatalf("settings after a backup: %+v", set)
	}
	return set
}

func TestBackupJobsLockDoesNotWait(t *testing.T) {
	s, _, _ := testSession(t)
	set := lockTarget(t, s)
	f := newFakeBackups()

	// Without a backup on lock asked for, nothing starts.
	if j := f.ForLock(s, false, BackupOptions{}, JobHooks{}); j != nil {
		t.Fatalf("ForLock(want=false) started %v", j)
	}
	j := f.ForLock(s, true, BackupOptions{}, JobHooks{})
	if j == nil || j.Kind() != JobLock || j.Target() != set.Target {
		t.Fatalf("ForLock = %v", j)
	}
	returned := make(chan struct{})
	closedHook := make(chan struct{})
	go func() {
		f.CloseAfter(s, j, func() { close(closedHook) })
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("CloseAfter waited for the backup")
	}
	select {
	case <-f.closed:
		t.Fatal("the session was closed while its backup ran")
	case <-time.After(50 * time.Millisecond):
	}
	close(f.release)
	select {
	case got := <-f.closed:
		if got != s {
			t.Fatal("another session was closed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the session was not closed after its backup")
	}
	<-closedHook
	if _, err := j.Result(); err != nil {
		t.Fatal(err)
	}
}

func TestBackupJobsLockJoinsRunning(t *testing.T) {
	s, _, _ := testSession(t)
	lockTarget(t, s)
	other, _, _ := testSession(t)
	f := newFakeBackups()
	j, err := f.Start(s, "/backup", JobAuto, BackupOptions{}, JobHooks{})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ForLock(other, true, BackupOptions{}, JobHooks{}); got != nil {
		t.Fatalf("locking another session waits for this one's backup: %v", got)
	}
	if got := f.ForLock(s, false, BackupOptions{}, JobHooks{}); got != j || j.Kind() != JobLock {
		t.Fatalf("ForLock with a backup running = %v (kind %v), want the running job as JobLock", got, j.Kind())
	}
	j.Cancel()
	waitDone(t, j)
	if f.starts() != 1 {
		t.Fatalf("%d backups ran, want 1", f.starts())
	}
}

func TestBackupJobsLockWithoutDrive(t *testing.T) {
	s, _, _ := testSession(t)
	set := lockTarget(t, s)
	f := newFakeBackups()
	set.Target = filepath.Join(scratchDir(t), "unplugged")
	if err := SaveBackupSettings(s.Dir(), set); err != nil {
		t.Fatal(err)
	}
	if j := f.ForLock(s, true, BackupOptions{}, JobHooks{}); j != nil {
		t.Fatalf("a backup started on lock without the drive: %v", j)
	}
	set = lockTarget(t, s)
	set.OnLock = false
	if err := SaveBackupSettings(s.Dir(), set); err != nil {
		t.Fatal(err)
	}
	if j := f.ForLock(s, true, BackupOptions{}, JobHooks{}); j != nil {
		t.Fatalf("a backup started on lock with on_lock off: %v", j)
	}
	// No backup: the session closes at once.
	f.CloseAfter(s, nil, nil)
	select {
	case <-f.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the session was not closed")
	}
}

func TestBackupJobsInterval(t *testing.T) {
	s, _, _ := testSession(t)
	set := lockTarget(t, s)
	if set.Interval != time.Hour {
		t.Fatalf("interval %v", set.Interval)
	}
	f := newFakeBackups()
	t0 := set.LastBackup
	tick := func(now time.Time) *BackupJob { return f.Tick(s, now, BackupOptions{}, JobHooks{}) }

	if j := tick(t0.Add(59*time.Minute + 30*time.Second)); j != nil {
		t.Fatal("the interval backup started before the interval passed")
	}
	// Due now, but the settings were looked at less than a minute ago.
	if j := tick(t0.Add(60*time.Minute + 10*time.Second)); j != nil {
		t.Fatal("the settings were looked at twice within a minute")
	}
	// A drill, restore or check holds it back.
	release := f.Hold()
	if j := tick(t0.Add(61 * time.Minute)); j != nil {
		t.Fatal("the interval backup started during a drill")
	}
	release()
	release() // twice is harmless
	j := tick(t0.Add(61 * time.Minute))
	if j == nil || j.Kind() != JobAuto || j.Target() != set.Target {
		t.Fatalf("interval backup at 61 minutes = %v", j)
	}
	// Never two at once, whatever the time.
	if j2 := tick(t0.Add(3 * time.Hour)); j2 != nil {
		t.Fatal("a second interval backup started while one runs")
	}
	close(f.release)
	waitDone(t, j)
	if f.starts() != 1 {
		t.Fatalf("%d backups ran, want 1", f.starts())
	}
	// Due (the fake recorded no backup), but looked at less than a minute ago.
	if j := tick(t0.Add(61*time.Minute + 30*time.Second)); j != nil {
		t.Fatal("the settings were looked at twice within a minute")
	}
	// A clock set back is looked at again at once.
	j = tick(t0.Add(61*time.Minute - time.Second))
	if j == nil {
		t.Fatal("no look at the settings after the clock was set back")
	}
	waitDone(t, j)

	// A vault just opened: the first look waits a minute.
	f.DeferTick(t0.Add(3 * time.Hour))
	if j := tick(t0.Add(3*time.Hour + 59*time.Second)); j != nil {
		t.Fatal("the interval backup started within a minute of DeferTick")
	}
	j = tick(t0.Add(3*time.Hour + time.Minute))
	if j == nil {
		t.Fatal("no interval backup a minute after DeferTick")
	}
	waitDone(t, j)
}
