package intake

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"casevault/app/intake/form"
)

// tempFile is what sealing writes to; a test replaces createTemp to inject
// faults (a full disk) without filling one.
type tempFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

func osCreateTemp(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// seal writes one submission to DIR/intake/inbox/<id>.age: sealed into a
// .tmp- file in the same folder, synced, renamed, the folder synced. Only
// then is the browser told. On any failure nothing is left: the temporary
// file is removed (and a renamed file whose folder could not be synced,
// since the browser is told it was not saved).
func (s *Server) seal(sub *form.Submission, files []form.File) error {
	if err := mkdirPrivate(s.dir); err != nil {
		return fmt.Errorf("saving a submission: the intake folder: %w", err)
	}
	if err := mkdirPrivate(s.inbox); err != nil {
		return fmt.Errorf("saving a submission: the intake inbox: %w", err)
	}
	f, err := s.createTemp(s.inbox, ".tmp-*")
	if err != nil {
		return fmt.Errorf("saving a submission: %w", err)
	}
	tmp := f.Name()
	bw := bufio.NewWriterSize(f, 64<<10)
	err = form.Seal(bw, s.cfg.Recipient, sub, files)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving a submission: %w", err)
	}
	final := filepath.Join(s.inbox, sub.ID+".age")
	if _, err := os.Lstat(final); !errors.Is(err, os.ErrNotExist) {
		os.Remove(tmp)
		return fmt.Errorf("saving a submission: %s is already there", final)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving a submission: %w", err)
	}
	if err := s.syncDir(s.inbox); err != nil {
		os.Remove(final)
		return fmt.Errorf("saving a submission: making it durable: %w", err)
	}
	return nil
}
