package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/browser"
)

// ReportTempFile writes a report page (write) to a private file for the
// browser: a 0600 file in a new 0700 folder, in $XDG_RUNTIME_DIR when
// there is one (on Linux a per-user folder in memory, so the page never
// reaches the disk) or else the system's temporary folder. remove deletes
// the file and its folder; call it once the browser has had time to read
// the page. inMemory says whether the folder is in memory.
func ReportTempFile(write func(io.Writer) error) (path string, remove func(), inMemory bool, err error) {
	return PrivateTempFile("report.html", write)
}

// ErrTempName: PrivateTempFile was given a name that is not a plain file
// name.
var ErrTempName = errors.New("not a plain file name")

// PrivateTempFile is ReportTempFile for a file of another kind (an intake
// upload opened in the browser): name is the file's name in the private
// folder, a fixed name the caller chooses (never one from the data: its
// extension tells the browser what the file is).
func PrivateTempFile(name string, write func(io.Writer) error) (path string, remove func(), inMemory bool, err error) {
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name {
		return "", nil, false, fmt.Errorf("a private file named %q: %w", name, ErrTempName)
	}
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
	path = filepath.Join(dir, name)
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

// ErrNoBrowser: the page could not be opened in a browser.
var ErrNoBrowser = errors.New("the page could not be opened in a browser")

// OpenInBrowser opens a local file (a report's page from ReportTempFile)
// in the desktop's default browser, through github.com/pkg/browser
// (xdg-open or x-www-browser on Linux, open on macOS, the URL handler on
// Windows). It returns once the opener is done; a browser may read the
// file a little later. Never hand it client data in any other way:
// browser.OpenReader would leave a world-readable copy in /tmp.
func OpenInBrowser(path string) error {
	browserMu.Lock() // pkg/browser's output is a package variable OpenIntakeLink changes too
	defer browserMu.Unlock()
	browser.Stdout = os.Stderr // keep standard output for the command's own
	if err := browser.OpenFile(path); err != nil {
		return fmt.Errorf("%w (%v): open %s in your browser yourself", ErrNoBrowser, err, path)
	}
	return nil
}
