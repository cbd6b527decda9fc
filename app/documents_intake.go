package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// intakeDocuments makes the files sent with intake submission id
// documents of the client it became (each version's How is "intake"; a
// name the client has already is kept beside as "name (2).ext"), when the
// user may add documents. The submission keeps its own copy (its review
// still shows it). A file that cannot be added (over the size limit, a
// full disk) is named in the error; the others are added.
func (s *Session) intakeDocuments(ctx context.Context, id, clientID int64) error {
	if !s.CanDo(access.AddDocuments) {
		return nil
	}
	var files []store.IntakeFile
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		files, err = tx.IntakeFiles(id)
		return err
	}); err != nil {
		return err
	}
	var failed []string
	var errs []error
	for _, f := range files {
		var full *store.IntakeFile
		err := s.st.View(ctx, func(tx *store.Tx) error {
			var err error
			full, err = tx.IntakeFile(id, f.ID)
			return err
		})
		if err == nil {
			_, err = s.addReader(ctx, DocTarget{ClientID: clientID}, f.Name, bytes.NewReader(full.Content), AddDocOptions{SameName: SameNameKeepBoth}, "intake")
		}
		if err != nil {
			failed = append(failed, quoteName(f.Name))
			errs = append(errs, err)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("the submission was accepted, but %s sent with it (%s) could not be added to the client's documents; they stay with the submission, where its review shows them: %w",
		human.Count(len(failed), "file", "files"), strings.Join(failed, ", "), errors.Join(errs...))
}
