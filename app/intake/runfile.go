package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Files of a running server in DIR/intake (docs/FORMAT.md, "The intake run file").
const (
	runName  = "server.json" // {"pid","started","mode","addr"}: no link, no token
	lockName = "server.lock" // flock held by the running server: one per vault
	stopName = "server.stop" // written by StopRunning before it signals the server
)

// RunInfo is what the run file says about a running server.
type RunInfo struct {
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Mode    string    `json:"mode"` // "loopback" or "lan"
	Addr    string    `json:"addr"` // the loopback address; in LAN mode the office-network one too, as LANAddr
	LANAddr string    `json:"lan_addr,omitempty"`
}

func (s *Server) writeRunFile() error {
	info := RunInfo{PID: os.Getpid(), Started: s.start.UTC().Truncate(time.Second), Mode: "loopback", Addr: s.localAddr}
	if s.lan != nil {
		info.Mode, info.LANAddr = "lan", s.lanAddr
	}
	b, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("writing the intake run file: %w", err)
	}
	os.Remove(filepath.Join(s.dir, stopName)) // a stop asked of a server that died before seeing it
	f, err := os.CreateTemp(s.dir, ".tmp-run-*")
	if err != nil {
		return fmt.Errorf("writing the intake run file: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(s.dir, runName))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing the intake run file: %w", err)
	}
	return nil
}

// Running reports whether an intake server runs for the vault in dir (in
// this process or another): its run file is there and its lock is held. A
// run file left by a server that crashed is not running.
func Running(dir string) (*RunInfo, bool) {
	idir := filepath.Join(dir, "intake")
	b, err := os.ReadFile(filepath.Join(idir, runName))
	if err != nil || len(b) > 4096 {
		return nil, false
	}
	var info RunInfo
	if err := json.Unmarshal(b, &info); err != nil || info.PID <= 0 {
		return nil, false
	}
	if !lockHeld(filepath.Join(idir, lockName)) {
		return nil, false
	}
	return &info, true
}

// StopRunning stops the intake server of the vault in dir, in this process
// or another one (after checking that process is this program), and waits
// until its run file is gone or ctx ends. ErrNotRunning when none runs.
func StopRunning(ctx context.Context, dir string) error {
	info, ok := Running(dir)
	if !ok {
		return ErrNotRunning
	}
	if s := registered(dir); s != nil {
		return s.Stop(ctx)
	}
	if info.PID == os.Getpid() {
		return fmt.Errorf("stopping client intake: %w", ErrNotRunning)
	}
	if err := askToStop(filepath.Join(dir, "intake"), info.PID); err != nil {
		return err
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, ok := Running(dir); !ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("client intake (process %d) did not stop: %w", info.PID, ctx.Err())
		case <-tick.C:
		}
	}
}

// The servers of this process, by vault folder, for StopRunning and the
// stop signal.
var (
	regMu  sync.Mutex
	regMap = map[string]*Server{}
)

func regKey(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Clean(dir)
}

func register(s *Server) {
	regMu.Lock()
	regMap[regKey(s.cfg.Dir)] = s
	regMu.Unlock()
	listenForStop()
}

func unregister(s *Server) {
	regMu.Lock()
	defer regMu.Unlock()
	if regMap[regKey(s.cfg.Dir)] == s {
		delete(regMap, regKey(s.cfg.Dir))
	}
}

func registered(dir string) *Server {
	regMu.Lock()
	defer regMu.Unlock()
	return regMap[regKey(dir)]
}

// stopAsked stops every server of this process whose vault has a stop
// request (StopRunning in another process wrote it, then signalled).
func stopAsked() {
	regMu.Lock()
	var asked []*Server
	for _, s := range regMap {
		if _, err := os.Lstat(filepath.Join(s.dir, stopName)); err == nil {
			asked = append(asked, s)
		}
	}
	regMu.Unlock()
	for _, s := range asked {
		os.Remove(filepath.Join(s.dir, stopName))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		s.Stop(ctx)
		cancel()
	}
}

var errNotOurs = errors.New("that process is not this program")
