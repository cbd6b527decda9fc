package store

// Offline client intake (schema 5; docs/FORMAT.md 6.3.3): the vault's
// intake key pairs and LAN certificate, the versions of the intake form,
// and the submissions imported from the sealed files beside the vault,
// with their uploads. The review queue's changes (verify, accept, decline,
// spam) are app's, over intake_queue.go.

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrIntakeDuplicate: a submission with this sealed id is already in the
// vault (the same sealed file imported twice).
var ErrIntakeDuplicate = errors.New("this intake submission is already in the vault")

// Intake submission statuses.
const (
	IntakeNew      = "new"
	IntakeAccepted = "accepted"
	IntakeDeclined = "declined"
	IntakeSpam     = "spam"
)

// IntakeKey is one of the vault's intake key pairs (age X25519): the
// newest one not retired seals new submissions; every one opens them.
type IntakeKey struct {
	ID        int64
	Recipient string // "age1…"
	Identity  string // "AGE-SECRET-KEY-1…"
	CreatedAt time.Time
	RetiredAt time.Time // zero while in use
}

// InsertIntakeKey stores a key pair.
func (tx *Tx) InsertIntakeKey(k *IntakeKey) (int64, error) {
	res, err := tx.Exec("INSERT INTO intake_keys(recipient, identity, created_at, retired_at) VALUES (?, ?, ?, ?)",
		k.Recipient, k.Identity, ms(k.CreatedAt), msOrZero(k.RetiredAt))
	if err != nil {
		return 0, fmt.Errorf("storing the intake key: %w", err)
	}
	return res.LastInsertId()
}

// IntakeKeys returns every intake key pair, newest first.
func (tx *Tx) IntakeKeys() ([]IntakeKey, error) {
	rows, err := tx.Query("SELECT id, recipient, identity, created_at, retired_at FROM intake_keys ORDER BY created_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("reading the intake keys: %w", err)
	}
	defer rows.Close()
	var out []IntakeKey
	for rows.Next() {
		var k IntakeKey
		var created, retired int64
		if err := rows.Scan(&k.ID, &k.Recipient, &k.Identity, &created, &retired); err != nil {
			return nil, fmt.Errorf("reading the intake keys: %w", err)
		}
		k.CreatedAt, k.RetiredAt = fromMS(created), fromMSOrZero(retired)
		out = append(out, k)
	}
	return out, rows.Err()
}

// CurrentIntakeKey returns the newest key pair not retired: ErrNotFound
// when there is none yet.
func (tx *Tx) CurrentIntakeKey() (*IntakeKey, error) {
	keys, err := tx.IntakeKeys()
	if err != nil {
		return nil, err
	}
	for i := range keys {
		if keys[i].RetiredAt.IsZero() {
			return &keys[i], nil
		}
	}
	return nil, fmt.Errorf("intake key: %w", ErrNotFound)
}

// IntakeTLS is LAN mode's certificate for this vault.
type IntakeTLS struct {
	ID        int64
	CertDER   []byte
	KeyDER    []byte // PKCS#8
	CreatedAt time.Time
}

// InsertIntakeTLS stores a certificate; the newest is the one in use.
func (tx *Tx) InsertIntakeTLS(c *IntakeTLS) (int64, error) {
	res, err := tx.Exec("INSERT INTO intake_tls(cert_der, key_der, created_at) VALUES (?, ?, ?)", c.CertDER, c.KeyDER, ms(c.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("storing the intake certificate: %w", err)
	}
	return res.LastInsertId()
}

// LatestIntakeTLS returns the newest certificate: ErrNotFound when there
// is none yet.
func (tx *Tx) LatestIntakeTLS() (*IntakeTLS, error) {
	var c IntakeTLS
	var created int64
	err := tx.QueryRow("SELECT id, cert_der, key_der, created_at FROM intake_tls ORDER BY id DESC LIMIT 1").Scan(&c.ID, &c.CertDER, &c.KeyDER, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("intake certificate: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the intake certificate: %w", err)
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// IntakeForm is one saved version of the intake form.
type IntakeForm struct {
	Version   int
	Config    string // JSON of app/intake/form.Config
	CreatedAt time.Time
	CreatedBy string
}

// InsertIntakeForm saves a new version of the form (the newest version
// plus one) and returns its number.
func (tx *Tx) InsertIntakeForm(config string, at time.Time, by string) (int, error) {
	var v int
	if err := tx.QueryRow("SELECT coalesce(max(version), 0) + 1 FROM intake_forms").Scan(&v); err != nil {
		return 0, fmt.Errorf("saving the intake form: %w", err)
	}
	if _, err := tx.Exec("INSERT INTO intake_forms(version, config, created_at, created_by) VALUES (?, ?, ?, ?)", v, config, ms(at), by); err != nil {
		return 0, fmt.Errorf("saving the intake form: %w", err)
	}
	return v, nil
}

// LatestIntakeForm returns the newest saved form: ErrNotFound when none
// was ever saved.
func (tx *Tx) LatestIntakeForm() (*IntakeForm, error) {
	return tx.intakeForm("ORDER BY version DESC LIMIT 1")
}

// GetIntakeForm returns one saved version of the form (ErrNotFound).
func (tx *Tx) GetIntakeForm(version int) (*IntakeForm, error) {
	return tx.intakeForm("WHERE version = ?", version)
}

func (tx *Tx) intakeForm(tail string, args ...any) (*IntakeForm, error) {
	var f IntakeForm
	var created int64
	err := tx.QueryRow("SELECT version, config, created_at, created_by FROM intake_forms "+tail, args...).Scan(&f.Version, &f.Config, &created, &f.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("intake form: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the intake form: %w", err)
	}
	f.CreatedAt = fromMS(created)
	return &f, nil
}

// IntakeName is one name of a submission that a conflict check compares
// against. Role: client (the person), alias, adverse, related,
// opposing_counsel (app/intake/form.NameRole).
type IntakeName struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// IntakeSubmission is an imported submission: the row of
// intake_submissions.
type IntakeSubmission struct {
	ID            int64
	SealedID      string // the sealed file's id (32 hex): unique
	ReceivedAt    time.Time
	ImportedAt    time.Time
	PracticeArea  string
	FullName      string
	ConflictNames []IntakeName
	Payload       string // submission.json as validated; "" once deleted as spam
	Status        string // IntakeNew, IntakeAccepted, IntakeDeclined, IntakeSpam
	DecidedAt     time.Time
	DecidedBy     string
	Reason        string
	ClientID      int64 // 0: none
	MatterID      int64
	CheckID       int64
	VerifiedDoc   string
	VerifiedBy    string
	VerifiedOn    string // YYYY-MM-DD
	VerifiedNote  string
	VerifiedAt    time.Time
	Files         int // the number of its files (read, not written)
}

// IntakeFile is an upload of a submission. Content is read only by
// IntakeFile (one file), never by the lists.
type IntakeFile struct {
	ID           int64
	SubmissionID int64
	N            int
	Question     string
	Name         string
	MediaType    string
	Size         int64
	SHA256       string
	Content      []byte
}

// InsertIntakeSubmission stores a new submission with its files and
// returns its id: ErrIntakeDuplicate when one with the same SealedID is
// already stored. Status is always "new".
func (tx *Tx) InsertIntakeSubmission(s *IntakeSubmission, files []IntakeFile) (int64, error) {
	if dup, err := tx.IntakeSealedExists(s.SealedID); err != nil {
		return 0, err
	} else if dup {
		return 0, fmt.Errorf("submission %s: %w", s.SealedID, ErrIntakeDuplicate)
	}
	names := s.ConflictNames
	if names == nil {
		names = []IntakeName{}
	}
	nj, err := json.Marshal(names)
	if err != nil {
		return 0, fmt.Errorf("storing the intake submission: %w", err)
	}
	res, err := tx.Exec(`INSERT INTO intake_submissions(sealed_id, received_at, imported_at, practice_area, full_name, conflict_names, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.SealedID, ms(s.ReceivedAt), ms(s.ImportedAt), s.PracticeArea, s.FullName, string(nj), s.Payload)
	if err != nil {
		return 0, fmt.Errorf("storing the intake submission: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, f := range files {
		content := f.Content
		if content == nil {
			content = []byte{} // NOT NULL: an empty upload is an empty blob
		}
		_, err := tx.Exec(`INSERT INTO intake_files(submission_id, n, question, name, media_type, size, sha256, content)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, f.N, f.Question, f.Name, f.MediaType, f.Size, f.SHA256, content)
		if err != nil {
			return 0, fmt.Errorf("storing file %d of the intake submission: %w", f.N, err)
		}
	}
	return id, nil
}

// IntakeSealedExists reports whether a submission with this sealed id is
// stored (whatever its status: a submission deleted as spam keeps its row).
func (tx *Tx) IntakeSealedExists(sealedID string) (bool, error) {
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM intake_submissions WHERE sealed_id = ?", sealedID).Scan(&n); err != nil {
		return false, fmt.Errorf("looking up intake submission %s: %w", sealedID, err)
	}
	return n > 0, nil
}

const intakeColumns = `s.id, s.sealed_id, s.received_at, s.imported_at, s.practice_area, s.full_name, s.conflict_names, %s,
	s.status, s.decided_at, s.decided_by, s.reason, coalesce(s.client_id, 0), coalesce(s.matter_id, 0), s.check_id,
	s.verified_doc, s.verified_by, s.verified_on, s.verified_note, s.verified_at,
	(SELECT count(*) FROM intake_files f WHERE f.submission_id = s.id)`

func scanIntake(row interface{ Scan(...any) error }) (*IntakeSubmission, error) {
	var s IntakeSubmission
	var received, imported, decided, verified int64
	var names string
	err := row.Scan(&s.ID, &s.SealedID, &received, &imported, &s.PracticeArea, &s.FullName, &names, &s.Payload,
		&s.Status, &decided, &s.DecidedBy, &s.Reason, &s.ClientID, &s.MatterID, &s.CheckID,
		&s.VerifiedDoc, &s.VerifiedBy, &s.VerifiedOn, &s.VerifiedNote, &verified, &s.Files)
	if err != nil {
		return nil, err
	}
	s.ReceivedAt, s.ImportedAt = fromMS(received), fromMS(imported)
	s.DecidedAt, s.VerifiedAt = fromMSOrZero(decided), fromMSOrZero(verified)
	if err := json.Unmarshal([]byte(names), &s.ConflictNames); err != nil {
		return nil, fmt.Errorf("intake submission %d: its names: %w", s.ID, err)
	}
	return &s, nil
}

// GetIntakeSubmission returns a submission with its payload (ErrNotFound).
func (tx *Tx) GetIntakeSubmission(id int64) (*IntakeSubmission, error) {
	s, err := scanIntake(tx.QueryRow("SELECT "+fmt.Sprintf(intakeColumns, "s.payload")+" FROM intake_submissions s WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("intake submission %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading intake submission %d: %w", id, err)
	}
	return s, nil
}

// IntakeListFilter chooses submissions: Status "" for every status, or
// one of them; Query, a part of a name (the person's full name or any
// name of conflict_names), in any case of ASCII letters, wildcards
// matched as written. Limit 0 is 50.
type IntakeListFilter struct {
	Status string
	Query  string
	Limit  int
	Offset int
}

// ListIntakeSubmissions returns a page of the submissions f chooses,
// newest received first, without their payloads, and how many it
// chooses in all.
func (tx *Tx) ListIntakeSubmissions(f IntakeListFilter) ([]IntakeSubmission, int, error) {
	where, args := "", []any{}
	if f.Status != "" && !validIntakeStatus(f.Status) {
		return nil, 0, fmt.Errorf("listing the intake submissions: no such status %q", f.Status)
	}
	var conds []string
	if f.Status != "" {
		conds, args = append(conds, "s.status = ?"), append(args, f.Status)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + likeEscape(q) + "%"
		conds = append(conds, `(s.full_name LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(s.conflict_names)
			AND json_type(s.conflict_names) = 'array' THEN s.conflict_names ELSE '[]' END) n
			WHERE n.type = 'object' AND n.value ->> '$.name' LIKE ? ESCAPE '\'))`)
		args = append(args, like, like)
	}
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := tx.QueryRow("SELECT count(*) FROM intake_submissions s"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting the intake submissions: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := tx.Query("SELECT "+fmt.Sprintf(intakeColumns, "''")+" FROM intake_submissions s"+where+
		" ORDER BY s.received_at DESC, s.id DESC LIMIT ? OFFSET ?", append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the intake submissions: %w", err)
	}
	defer rows.Close()
	var out []IntakeSubmission
	for rows.Next() {
		s, err := scanIntake(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("reading the intake submissions: %w", err)
		}
		out = append(out, *s)
	}
	return out, total, rows.Err()
}

// CountIntake counts the submissions of a status ("" = all).
func (tx *Tx) CountIntake(status string) (int, error) {
	var n int
	var err error
	if status != "" && !validIntakeStatus(status) {
		return 0, fmt.Errorf("counting the intake submissions: no such status %q", status)
	}
	if status == "" {
		err = tx.QueryRow("SELECT count(*) FROM intake_submissions").Scan(&n)
	} else {
		err = tx.QueryRow("SELECT count(*) FROM intake_submissions WHERE status = ?", status).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("counting the intake submissions: %w", err)
	}
	return n, nil
}

const intakeFileColumns = "id, submission_id, n, question, name, media_type, size, sha256"

// IntakeFiles lists a submission's files in order, without their content.
func (tx *Tx) IntakeFiles(submissionID int64) ([]IntakeFile, error) {
	rows, err := tx.Query("SELECT "+intakeFileColumns+" FROM intake_files WHERE submission_id = ? ORDER BY n, id", submissionID)
	if err != nil {
		return nil, fmt.Errorf("reading the files of intake submission %d: %w", submissionID, err)
	}
	defer rows.Close()
	var out []IntakeFile
	for rows.Next() {
		var f IntakeFile
		if err := rows.Scan(&f.ID, &f.SubmissionID, &f.N, &f.Question, &f.Name, &f.MediaType, &f.Size, &f.SHA256); err != nil {
			return nil, fmt.Errorf("reading the files of intake submission %d: %w", submissionID, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// IntakeFile returns one file of a submission with its content
// (ErrNotFound when the submission has no such file).
func (tx *Tx) IntakeFile(submissionID, fileID int64) (*IntakeFile, error) {
	var f IntakeFile
	err := tx.QueryRow("SELECT "+intakeFileColumns+", content FROM intake_files WHERE submission_id = ? AND id = ?", submissionID, fileID).
		Scan(&f.ID, &f.SubmissionID, &f.N, &f.Question, &f.Name, &f.MediaType, &f.Size, &f.SHA256, &f.Content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("file %d of intake submission %d: %w", fileID, submissionID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading file %d of intake submission %d: %w", fileID, submissionID, err)
	}
	return &f, nil
}

// validIntakeStatus reports whether s is a status of a submission.
func validIntakeStatus(s string) bool {
	switch s {
	case IntakeNew, IntakeAccepted, IntakeDeclined, IntakeSpam:
		return true
	}
	return false
}

func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

func fromMSOrZero(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}
