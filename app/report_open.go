package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// ReportTempFile writes a report page (write) to a private file for the
// browser: a 0600 file in a new 0700 folder, in $XDG_RUNTIME_DIR when
// there is one (on Linux a per-user folder in memory, so the page never
// reaches the disk) or else the system's temporary folder. remove deletes
// the file and its folder; call it once the browser has had time to read
// the page. inMemory says whether the folder is in memory.
func ReportTempFile(write func(io.Writer) error) (path string, remove func(), inMemory bool, err error) {
	base := os.TempDir()
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			base, inMemory = d, true
		}
	}
	dir, err := os.MkdirTemp(base, "casevault-report-")
	if err != nil {
		return "", nil, false, fmt.Errorf("making a private folder for the report: %w", err)
	}
	remove = func() { os.RemoveAll(dir) }
	if err := os.Chmod(dir, 0o700); err != nil {
		remove()
		return "", nil, false, fmt.Errorf("making the report's folder private: %w", err)
	}
	path = filepath.Join(dir, "report.html")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		remove()
		return "", nil, false, fmt.Errorf("writing the report: %w", err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		remove()
		return "", nil, false, fmt.Errorf("writing the report: %w", err)
	}
	return path, remove, inMemory, nil
}

// ErrNoBrowser: there is no program to open a page with on this computer.
var ErrNoBrowser = errors.New("no program to open the page with was found")

// OpenInBrowser opens a local file in the desktop's default browser
// (xdg-open on Linux, open on macOS, the URL handler on Windows) and
// returns once the opener has started; the browser may read the file a
// little later.
func OpenInBrowser(path string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", path)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
	default:
		p, err := exec.LookPath("xdg-open")
		if err != nil {
			return fmt.Errorf("%w (xdg-open is not installed): open %s in your browser yourself", ErrNoBrowser, path)
		}
		cmd = exec.Command(p, path)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%w: %v", ErrNoBrowser, err)
	}
	go cmd.Wait() // reap it; xdg-open returns at once, a browser may stay
	return nil
}
