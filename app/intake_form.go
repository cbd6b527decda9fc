package app

// The intake form's questions, practice areas and privacy notice: every
// saved version is kept (intake_forms), the newest is the one shown. A
// submission carries each question's wording and kind with its answer, so
// changing the form never changes how an earlier submission reads.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"casevault/app/access"
	"casevault/app/intake/form"
	"casevault/store"
)

// IntakeForm returns the current intake form: the newest saved version,
// or form.Default() (version 0) when none was ever saved. The caller gets
// its own copy. Needs intake read.
func (s *Session) IntakeForm(ctx context.Context) (*form.Config, error) {
	if err := s.allow(ctx, access.ViewIntake); err != nil {
		return nil, err
	}
	var c *form.Config
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		c, err = currentIntakeForm(tx)
		return err
	})
	return c, err
}

// currentIntakeForm reads the newest saved form, or the default.
func currentIntakeForm(tx *store.Tx) (*form.Config, error) {
	f, err := tx.LatestIntakeForm()
	if errors.Is(err, store.ErrNotFound) {
		return form.Default(), nil
	}
	if err != nil {
		return nil, err
	}
	var c form.Config
	if err := json.Unmarshal([]byte(f.Config), &c); err != nil {
		return nil, fmt.Errorf("reading version %d of the intake form: %w", f.Version, err)
	}
	c.Version = f.Version
	return &c, nil
}

// SaveIntakeForm checks c (form.Config.Validate: the error is a
// *form.FieldError, errors.Is form.ErrInvalid) and saves it as the next
// version of the form, which it returns. The privacy notice's version is
// the program's to keep: the current one when its text is unchanged, one
// more when it changed (whatever c says). c itself is not changed. Needs
// intake edit; audited intake.form.
func (s *Session) SaveIntakeForm(ctx context.Context, c *form.Config) (int, error) {
	if err := s.allow(ctx, access.EditIntake); err != nil {
		return 0, err
	}
	if c == nil {
		return 0, fmt.Errorf("saving the intake form: %w", form.ErrInvalid)
	}
	var version int
	err := s.update(ctx, "intake.form", func(tx *store.Tx) (string, string, error) {
		cur, err := currentIntakeForm(tx)
		if err != nil {
			return "", "", err
		}
		next := c.Clone()
		next.Notice.Version = cur.Notice.Version
		noticeChanged := next.Notice.Text != cur.Notice.Text
		if noticeChanged {
			next.Notice.Version++
		}
		if next.Notice.Version < 1 {
			next.Notice.Version = 1
		}
		if err := next.Validate(); err != nil {
			return "", "", err
		}
		var last int
		if f, err := tx.LatestIntakeForm(); err == nil {
			last = f.Version
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", "", err
		}
		next.Version = last + 1
		b, err := json.Marshal(next)
		if err != nil {
			return "", "", err
		}
		if version, err = tx.InsertIntakeForm(string(b), s.now(), s.actor); err != nil {
			return "", "", err
		}
		if version != next.Version {
			return "", "", fmt.Errorf("the intake form was saved as version %d, not %d", version, next.Version)
		}
		detail := fmt.Sprintf("version %d", version)
		if noticeChanged {
			detail += fmt.Sprintf("; privacy notice changed (now version %d)", next.Notice.Version)
		}
		return "", detail, nil
	})
	if err != nil {
		var fe *form.FieldError
		if errors.As(err, &fe) {
			return 0, err // the lawyer's words, as they are
		}
		return 0, fmt.Errorf("saving the intake form: %w", err)
	}
	return version, nil
}
