package store

// The review queue's changes to an imported intake submission (app's
// intake_queue.go and intake_accept.go): the identity verification, the
// conflict check run on review, and the one decision (accepted, declined,
// deleted as spam). Reading is intake.go's.

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrIntakeDecided: the submission was accepted, declined or deleted as
// spam already; it takes one decision only.
var ErrIntakeDecided = errors.New("this intake submission has been decided already")

// ErrIntakeDeleted: the submission was deleted as spam; nothing of it is
// left to change.
var ErrIntakeDeleted = errors.New("this intake submission was deleted as spam")

// IntakeVerification is how a prospective client's identity was checked.
type IntakeVerification struct {
	DocType   string
	CheckedBy string
	On        string // YYYY-MM-DD
	Note      string
	At        time.Time // when it was recorded
}

// intakeStatus is a submission's status: ErrNotFound when there is none.
func (tx *Tx) intakeStatus(id int64) (string, error) {
	var status string
	err := tx.QueryRow("SELECT status FROM intake_submissions WHERE id = ?", id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("intake submission %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("reading intake submission %d: %w", id, err)
	}
	return status, nil
}

// SetIntakeVerification records how the submission's person was
// identified (replacing an earlier record): ErrIntakeDeleted for one
// deleted as spam.
func (tx *Tx) SetIntakeVerification(id int64, v IntakeVerification) error {
	status, err := tx.intakeStatus(id)
	if err != nil {
		return err
	}
	if status == IntakeSpam {
		return fmt.Errorf("intake submission %d: %w", id, ErrIntakeDeleted)
	}
	_, err = tx.Exec(`UPDATE intake_submissions SET verified_doc = ?, verified_by = ?, verified_on = ?, verified_note = ?, verified_at = ?
		WHERE id = ?`, v.DocType, v.CheckedBy, v.On, v.Note, ms(v.At), id)
	if err != nil {
		return fmt.Errorf("recording the verification of intake submission %d: %w", id, err)
	}
	return nil
}

// SetIntakeCheck records the conflict check run on reviewing the
// submission (the latest one is kept): ErrIntakeDeleted for one deleted
// as spam.
func (tx *Tx) SetIntakeCheck(id, checkID int64) error {
	status, err := tx.intakeStatus(id)
	if err != nil {
		return err
	}
	if status == IntakeSpam {
		return fmt.Errorf("intake submission %d: %w", id, ErrIntakeDeleted)
	}
	if _, err := tx.Exec("UPDATE intake_submissions SET check_id = ? WHERE id = ?", checkID, id); err != nil {
		return fmt.Errorf("recording the conflict check of intake submission %d: %w", id, err)
	}
	return nil
}

// IntakeDecision is the one decision on a new submission.
type IntakeDecision struct {
	Status   string // IntakeAccepted, IntakeDeclined (IntakeSpam: WipeIntake)
	At       time.Time
	By       string
	Reason   string // declined: why
	ClientID int64  // accepted: the client and matter made from it
	MatterID int64
}

// DecideIntake records the decision on a new submission: ErrIntakeDecided
// when it was decided already, ErrNotFound when there is none.
func (tx *Tx) DecideIntake(id int64, d IntakeDecision) error {
	if d.Status != IntakeAccepted && d.Status != IntakeDeclined {
		return fmt.Errorf("deciding intake submission %d: %q is not a decision", id, d.Status)
	}
	if err := tx.mustBeNewIntake(id); err != nil {
		return err
	}
	var client, matter any
	if d.ClientID != 0 {
		client = d.ClientID
	}
	if d.MatterID != 0 {
		matter = d.MatterID
	}
	_, err := tx.Exec(`UPDATE intake_submissions SET status = ?, decided_at = ?, decided_by = ?, reason = ?, client_id = ?, matter_id = ?
		WHERE id = ? AND status = 'new'`, d.Status, ms(d.At), d.By, d.Reason, client, matter, id)
	if err != nil {
		return fmt.Errorf("recording the decision on intake submission %d: %w", id, err)
	}
	return nil
}

// mustBeNewIntake is ErrNotFound or ErrIntakeDecided unless the
// submission waits for its decision.
func (tx *Tx) mustBeNewIntake(id int64) error {
	status, err := tx.intakeStatus(id)
	if err != nil {
		return err
	}
	if status != IntakeNew {
		return fmt.Errorf("intake submission %d (%s): %w", id, status, ErrIntakeDecided)
	}
	return nil
}

// WipeIntake deletes a new submission as spam: its answers, names,
// practice area, verification and files are removed; the row stays
// (status spam, who and when) so that the audit trail's entries about it
// still name something, and the same sealed file is never imported again.
// ErrIntakeDecided when it was decided already.
func (tx *Tx) WipeIntake(id int64, at time.Time, by string) error {
	if err := tx.mustBeNewIntake(id); err != nil {
		return err
	}
	if _, err := tx.Exec("DELETE FROM intake_files WHERE submission_id = ?", id); err != nil {
		return fmt.Errorf("deleting the files of intake submission %d: %w", id, err)
	}
	_, err := tx.Exec(`UPDATE intake_submissions SET status = 'spam', decided_at = ?, decided_by = ?, reason = '',
		payload = '', full_name = '', conflict_names = '[]', practice_area = '',
		verified_doc = '', verified_by = '', verified_on = '', verified_note = '', verified_at = 0
		WHERE id = ? AND status = 'new'`, ms(at), by, id)
	if err != nil {
		return fmt.Errorf("deleting intake submission %d as spam: %w", id, err)
	}
	return nil
}

// IntakeHidden reports whether a submission was accepted as a client or
// matter the viewer cannot see: its answers are then that client's data,
// behind the same class (app shows it as not found).
func (tx *Tx) IntakeHidden(s *IntakeSubmission) (bool, error) {
	var err error
	if s.ClientID != 0 {
		err = tx.mustSeeClient(s.ClientID)
	}
	if err == nil && s.MatterID != 0 {
		err = tx.mustSeeMatter(s.MatterID)
	}
	if errors.Is(err, ErrNotFound) {
		return true, nil
	}
	return false, err
}
