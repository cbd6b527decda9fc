//go:build unix

package intake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"casevault/app/intake/form"
)

// TestHelperServer is the other process of TestStopRunningOtherProcess.
func TestHelperServer(t *testing.T) {
	dir := os.Getenv("CASEVAULT_INTAKE_HELPER_DIR")
	if dir == "" {
		t.Skip("run by TestStopRunningOtherProcess")
	}
	s, err := Start(context.Background(), Config{Dir: dir, Recipient: os.Getenv("CASEVAULT_INTAKE_HELPER_RCPT"), Form: form.Default()})
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("ready\n")
	select {
	case <-s.Done():
		os.Stdout.WriteString("stopped\n")
	case <-time.After(20 * time.Second):
		t.Fatal("not stopped")
	}
}

func TestStopRunningOtherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CASEVAULT_INTAKE_HELPER_DIR="+dir, "CASEVAULT_INTAKE_HELPER_RCPT="+testIdentity(t).Recipient().String())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("helper said %q", lines.Text())
	}
	info, ok := Running(dir)
	if !ok || info.PID != cmd.Process.Pid {
		t.Fatalf("Running = %+v, %v; want the helper's pid %d", info, ok, cmd.Process.Pid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := StopRunning(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if _, ok := Running(dir); ok {
		t.Error("still running")
	}
	var rest bytes.Buffer
	for lines.Scan() {
		rest.WriteString(lines.Text() + "\n")
	}
	if err := cmd.Wait(); err != nil || !strings.Contains(rest.String(), "stopped") {
		t.Errorf("helper: %v; said %s", err, rest.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "intake", stopName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stop request left: %v", err)
	}
}

func TestStopRunningRefusesAnotherProgram(t *testing.T) {
	dir := t.TempDir()
	idir := filepath.Join(dir, "intake")
	if err := os.Mkdir(idir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Another program's pid in a run file whose lock is held (by us).
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer sleep.Process.Kill()
	lock, err := acquireRunLock(filepath.Join(idir, lockName))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.release()
	b, _ := json.Marshal(RunInfo{PID: sleep.Process.Pid, Started: time.Now(), Mode: "loopback", Addr: "127.0.0.1:1"})
	if err := os.WriteFile(filepath.Join(idir, runName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	err = StopRunning(context.Background(), dir)
	if !errors.Is(err, errNotOurs) {
		t.Errorf("StopRunning = %v, want errNotOurs", err)
	}
	time.Sleep(50 * time.Millisecond)
	if sleep.ProcessState != nil || sleep.Process.Signal(syscall.Signal(0)) != nil {
		t.Error("the other program was signalled")
	}
}

// TestRunningDoesNotBlockStart: Running takes the lock for a moment to look
// (a banner asks over and over); a Start at that moment waits for it rather
// than saying intake is already running.
func TestRunningDoesNotBlockStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, lockName)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	fd := int(f.Fd())
	unlocked := make(chan struct{})
	go func() {
		defer close(unlocked)
		time.Sleep(15 * time.Millisecond) // a slow look
		syscall.Flock(fd, syscall.LOCK_UN)
	}()
	defer func() { <-unlocked }()
	l, err := acquireRunLock(path)
	if err != nil {
		t.Fatalf("a start during a look: %v", err)
	}
	l.release()
}
