package tempcopy

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// InUse reports whether a program has path open: LibreOffice's lock file
// beside it, or an open file of any process this user may look at
// (/proc/PID/fd). known is true on Linux; a program that reads a file and
// closes it (most editors) is not in use between saves.
func InUse(path string) (inUse, known bool) {
	if hasOfficeLock(path) {
		return true, true
	}
	return len(holders(path, "/proc", true)) > 0, true
}

// InUseAll is InUse for several paths with one look at /proc: the paths
// in use (known is false off Linux).
func InUseAll(paths []string) (inUse map[string]bool, known bool) {
	inUse = map[string]bool{}
	want := map[string]string{}
	for _, p := range paths {
		if hasOfficeLock(p) {
			inUse[p] = true
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			want[abs], want[abs+" (deleted)"] = p, p
		}
	}
	if len(want) == 0 {
		return inUse, true
	}
	forEachFD("/proc", func(pid, target string) bool {
		if p, ok := want[target]; ok {
			inUse[p] = true
		}
		return true
	})
	return inUse, true
}

// Holders names the programs that have path open (their command names, and
// "LibreOffice" for its lock file), for a notice; nil when none is known.
func Holders(path string) []string {
	var out []string
	if hasOfficeLock(path) {
		out = append(out, "LibreOffice")
	}
	seen := map[string]bool{}
	for _, n := range holders(path, "/proc", false) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out[min(len(out), 1):])
	return out
}

// holders lists the command names of the processes under proc with an open
// file descriptor on path (this process included); first stops at the
// first one.
func holders(path, proc string, first bool) []string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	forEachFD(proc, func(pid, target string) bool {
		if (target != abs && target != abs+" (deleted)") || seen[pid] {
			return true
		}
		seen[pid] = true
		comm, _ := os.ReadFile(filepath.Join(proc, pid, "comm"))
		name := strings.TrimSpace(string(comm))
		if name == "" {
			name = "process " + pid
		}
		out = append(out, name)
		return !first
	})
	return out
}

// forEachFD calls fn with the target of every open file descriptor of the
// processes under proc this user may look at (another user's are
// refused, and skipped), until fn returns false.
func forEachFD(proc string, fn func(pid, target string) bool) {
	pids, err := os.ReadDir(proc)
	if err != nil {
		return
	}
	for _, p := range pids {
		if !isPID(p.Name()) {
			continue
		}
		fdDir := filepath.Join(proc, p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil {
				continue
			}
			if !fn(p.Name(), target) {
				return
			}
		}
	}
}

func isPID(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
