package cli

// doc open: a document opened in its usual program from a private
// temporary copy (app.OpenDocument), watched while the command waits so
// that every save becomes a new version, and closed (the copy deleted)
// when the person is done or the program is.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"casevault/app"
	"casevault/app/human"
)

// copyPoll is how often doc open looks at the opened copy.
const copyPoll = time.Second

func (r *runner) docOpen(args []string) error {
	fs := r.flags("doc open")
	version := fs.Int("version", 0, "open this version (default: the current one)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("document", pos)
	if err != nil {
		return err
	}
	if *version < 0 {
		return usagef("--version is a version number (1, 2, ... as \"casevault doc versions %d\" lists them), not %d", id, *version)
	}
	if r.json {
		return usagef("doc open waits while the document is open and prints for a person: it takes no --json")
	}
	return r.open(func(s *app.Session) error {
		out := &lockedWriter{w: r.env.Stdout}
		var mu sync.Mutex
		var saved []int
		note := func(v app.VersionInfo) {
			mu.Lock()
			seen := slices.Contains(saved, v.N)
			if !seen {
				saved = append(saved, v.N)
			}
			mu.Unlock()
			if !seen {
				fmt.Fprintf(out, "%s Your changes were saved as version %d (%s).\n", human.Time(v.At), v.N, human.Size(v.Size))
			}
		}
		problem := func(err error) {
			fmt.Fprintln(r.env.Stderr, "Warning: "+human.EscapeText(message(err, "", r.vault))+".")
		}
		c, err := s.OpenDocument(r.ctx, id, app.OpenOptions{Version: *version, OnVersion: note, OnProblem: problem, Open: r.env.OpenBrowser})
		if err != nil {
			return err
		}
		terminal := r.isTerminal()
		var b strings.Builder
		fmt.Fprintf(&b, "Opened %s (version %d) in its program, from a temporary copy:\n    %s\n", docName(c.Document), c.Version, cell(c.Path))
		b.WriteString("Save your changes in the program as usual: each save is kept as a new version.\n")
		if terminal {
			b.WriteString("Press Enter here when you are done with it; the copy is then deleted.\n")
		} else {
			b.WriteString("This command waits until the program is done with it, then deletes the copy.\n")
		}
		fmt.Fprint(out, b.String())

		closed := r.waitForCopy(s, out, c.Path, terminal, note, problem)
		if !closed {
			v, err := s.CloseCopy(r.ctx, c.Path)
			if v != nil {
				note(*v)
			}
			if err != nil && !errors.Is(err, app.ErrCopyGone) {
				return err
			}
			if err != nil {
				problem(err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		slices.Sort(saved)
		switch len(saved) {
		case 0:
			fmt.Fprintln(out, "No changes were saved; the temporary copy is deleted.")
		case 1:
			fmt.Fprintf(out, "Saved version %d of document %d; the temporary copy is deleted.\n", saved[0], id)
		default:
			ns := make([]string, len(saved))
			for i, n := range saved {
				ns[i] = fmt.Sprint(n)
			}
			fmt.Fprintf(out, "Saved versions %s and %s of document %d; the temporary copy is deleted.\n",
				strings.Join(ns[:len(ns)-1], ", "), ns[len(ns)-1], id)
		}
		return nil
	})
}

// waitForCopy waits until Enter is pressed (a line on standard input;
// without a terminal, the end of standard input is no answer), the
// program is done with the copy (the app closed it: it is no longer one
// of the open copies), or Ctrl-C; meanwhile it looks at the copy every
// copyPoll, saving each change as a version. It says whether the app
// closed the copy itself.
func (r *runner) waitForCopy(s *app.Session, out io.Writer, path string, terminal bool, note func(app.VersionInfo), problem func(error)) bool {
	ctx := r.ctx
	if r.env.interrupts != nil {
		var stop context.CancelFunc
		ctx, stop = r.env.interrupts(ctx)
		defer stop()
	}
	enter := make(chan struct{})
	go func() {
		in := r.lines // after --passphrase-stdin, the lines after the passphrase
		if in == nil {
			in = bufio.NewReader(r.env.Stdin)
		}
		line, err := in.ReadString('\n')
		if err == nil || (err == io.EOF && (terminal || line != "")) {
			close(enter)
		}
	}()
	every := copyPoll
	if r.env.copyPoll > 0 {
		every = r.env.copyPoll
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-enter:
			return false
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
		vs, err := s.CheckCopies(r.ctx)
		for _, v := range vs {
			note(v)
		}
		if err != nil {
			problem(err)
		}
		open := false
		for _, c := range s.OpenCopies() {
			open = open || c.Path == path
		}
		if !open {
			fmt.Fprintln(out, "The program is done with the document.")
			return true
		}
	}
}
