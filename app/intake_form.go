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
	"regexp"
	"strconv"

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
// version of the form, which it returns. A question of the lawyer's own
// given a key an earlier version used for another question is saved
// under a new key (renumberReused): read the form again after saving. The privacy notice's version is
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
		if err := renumberReused(tx, cur, next); err != nil {
			return "", "", err
		}
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

var customKeyRE = regexp.MustCompile(`^q([1-9][0-9]{0,8})$`)

// customNumber is n of a custom question key "qN" (0 for any other key).
func customNumber(key string) int {
	m := customKeyRE.FindStringSubmatch(key)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// renumberReused keeps the lawyer's own question keys from ever meaning
// two questions: a key in next that the current form does not have but
// that an earlier version used (form.Config.NextCustomKey counts only the
// form in hand, so deleting the last question and adding one reuses its
// key) becomes the next key never used, in the questions and in every
// area that asks or requires it. A question the current form has keeps
// its key, whatever its wording became.
func renumberReused(tx *store.Tx, cur, next *form.Config) error {
	inCur := map[string]bool{}
	hist := 0 // the highest custom key number any saved version had
	for _, q := range cur.Questions {
		inCur[q.Key] = true
		hist = max(hist, customNumber(q.Key))
	}
	for v := cur.Version - 1; v >= 1; v-- {
		f, err := tx.GetIntakeForm(v)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		var old struct {
			Questions []struct {
				Key string `json:"key"`
			} `json:"questions"`
		}
		if err := json.Unmarshal([]byte(f.Config), &old); err != nil {
			return fmt.Errorf("reading version %d of the intake form: %w", v, err)
		}
		for _, q := range old.Questions {
			hist = max(hist, customNumber(q.Key))
		}
	}
	count := map[string]int{}
	for _, q := range next.Questions {
		count[q.Key]++
	}
	// (a key twice in next is left for Validate to refuse)
	reused := func(k string) bool { n := customNumber(k); return n != 0 && n <= hist && !inCur[k] && count[k] == 1 }
	used := hist
	for _, q := range next.Questions {
		if !reused(q.Key) {
			used = max(used, customNumber(q.Key))
		}
	}
	rename := map[string]string{}
	for i := range next.Questions {
		k := next.Questions[i].Key
		if !reused(k) {
			continue
		}
		used++
		rename[k] = "q" + strconv.Itoa(used)
		next.Questions[i].Key = rename[k]
	}
	if len(rename) == 0 {
		return nil
	}
	for i := range next.Areas {
		a := &next.Areas[i]
		for j, k := range a.Questions {
			if r, ok := rename[k]; ok {
				a.Questions[j] = r
			}
		}
		for j, k := range a.Required {
			if r, ok := rename[k]; ok {
				a.Required[j] = r
			}
		}
	}
	return nil
}
