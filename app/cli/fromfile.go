package cli

// Client data from files. What is typed as a flag (--name "...", --notes
// "...") is in the process's command line, which other users of the
// computer can read (ps, /proc/PID/cmdline) while the command runs, and
// it stays in the shell's history file. Each such flag has a --X-file
// twin that reads the value from a file, or from standard input for "-".

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"casevault/app/human"
)

// maxFileText bounds what one --X-file reads: the longest notes app/
// accepts are 1,000,000 characters of at most 4 bytes.
const maxFileText = 4_000_000

// fileFlags are the --X-file flags of one command.
type fileFlags struct {
	fs    *flag.FlagSet
	names []string           // X, in the order registered
	what  map[string]string  // X -> what the value is, for messages ("the notes")
	path  map[string]*string // X -> the path given to --X-file
}

func newFileFlags(fs *flag.FlagSet) *fileFlags {
	return &fileFlags{fs: fs, what: map[string]string{}, path: map[string]*string{}}
}

// add registers --X-file for the flag --X; what names the value in
// messages ("the notes"), lines says it holds one value per line.
func (f *fileFlags) add(x, what string, lines bool) {
	usage := "read " + what + " from FILE (- = standard input) instead of --" + x + ", so it is not in the process list or the shell history"
	if lines {
		usage = "read " + what + ", one per line, from FILE (- = standard input) instead of --" + x + ", so they are not in the process list or the shell history"
	}
	if f.fs.Lookup(x) == nil { // no --x: the value is otherwise the command's arguments
		usage = "read " + what + ", one per line, from FILE (- = standard input) instead of the command line, so they are not in the process list or the shell history"
		if !lines {
			usage = "read " + what + " from FILE (- = standard input) instead of the command line, so they are not in the process list or the shell history"
		}
	}
	f.names = append(f.names, x)
	f.what[x] = what
	f.path[x] = f.fs.String(x+"-file", "", usage)
}

// read reads the files given, after parsing: it returns X -> the text
// read. A value given both ways, two values read from standard input, or
// standard input wanted for a value and for the passphrase
// (--passphrase-stdin) are usage errors. One line break at the end of the
// text is dropped (editors add it).
func (r *runner) readFiles(f *fileFlags) (map[string]string, error) {
	given := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	out := map[string]string{}
	stdinFor := ""
	for _, x := range f.names {
		p := *f.path[x]
		if !given[x+"-file"] {
			continue
		}
		if given[x] {
			return nil, usagef("give --%s or --%s-file, not both", x, x)
		}
		if strings.TrimSpace(p) == "" {
			return nil, usagef("--%s-file needs a file name, or - for standard input", x)
		}
		if p != "-" {
			continue
		}
		if stdinFor != "" {
			return nil, usagef("--%s-file - and --%s-file - both want standard input; put one of them in a file", stdinFor, x)
		}
		if r.stdinP {
			return nil, usagef("--%s-file - and --passphrase-stdin both want standard input: put %s in a file (--%s-file FILE), or leave out --passphrase-stdin and type the passphrase at the terminal",
				x, f.what[x], x)
		}
		stdinFor = x
	}
	for _, x := range f.names {
		if !given[x+"-file"] {
			continue
		}
		p := *f.path[x]
		if r.dry { // a dry run reads no file: a value stands in
			out[x] = "value read from " + p
			continue
		}
		var src io.Reader
		if p == "-" {
			if r.env.StdinFD >= 0 && term.IsTerminal(r.env.StdinFD) {
				fmt.Fprintf(r.env.Stderr, "Type %s, then press Ctrl-D on a line of its own:\n", f.what[x])
			}
			src = r.env.Stdin
			r.stdinData = x
		} else {
			fh, err := os.Open(p)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					return nil, usagef("--%s-file: there is no file %s", x, p)
				}
				return nil, fmt.Errorf("reading %s from %s: %w", f.what[x], p, err)
			}
			defer fh.Close()
			if fi, err := fh.Stat(); err == nil && fi.IsDir() {
				return nil, usagef("--%s-file: %s is a folder; give a file", x, p)
			}
			src = fh
		}
		b, err := io.ReadAll(io.LimitReader(src, maxFileText+1))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f.what[x], err)
		}
		if len(b) > maxFileText {
			return nil, usagef("--%s-file: %s is too long (the file is larger than %s)", x, f.what[x], human.Size(maxFileText))
		}
		s := string(b)
		if strings.HasSuffix(s, "\r\n") {
			s = s[:len(s)-2]
		} else {
			s = strings.TrimSuffix(s, "\n")
		}
		out[x] = s
	}
	return out, nil
}

// splitFileLines is the values of a one-per-line file, blank lines left
// out.
func splitFileLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// openTTY is the terminal to read a passphrase from when standard input
// held client data: /dev/tty where there is one (Linux, macOS).
func openTTY() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }
