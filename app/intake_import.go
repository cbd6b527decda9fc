package app

// Importing the sealed submissions that the intake server left beside the
// vault (DIR/intake/inbox/<id>.age; docs/FORMAT.md, "Intake submissions")
// into the review queue. Open runs it after every unlock; a failure there
// is a notice, never a failed unlock. A submission leaves the disk only
// once it is durably in the vault; a file that cannot be read is moved to
// DIR/intake/unreadable and kept (docs/THREAT-MODEL.md, "Intake: what is
// on disk and for how long").

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"casevault/app/human"
	"casevault/app/intake/form"
	"casevault/store"
	"casevault/vault"
	"casevault/vault/atomicfile"
)

// The folders inside DIR/intake (vault.IntakeDir).
const (
	IntakeInboxDir      = "inbox"      // sealed submissions waiting for the next unlock
	IntakeUnreadableDir = "unreadable" // files the importer could not open: kept, never deleted
)

// IntakeStaleTemp is how old a half-written file of the intake server
// (".tmp-…", never acknowledged to the browser) must be before the
// importer removes it: younger ones may still be being written.
const IntakeStaleTemp = time.Hour

// A batch of submissions goes into the vault in one transaction: at most
// this many, and at most this many bytes of uploads.
const (
	intakeBatchFiles = 100
	intakeBatchBytes = 64 << 20
)

// intakeImportMu runs one import at a time in this process (the window
// may ask for one each time a submission arrives while another runs).
var intakeImportMu sync.Mutex

// errNothingNew: every submission of a batch was stored meanwhile; the
// transaction is dropped rather than audited as importing none.
var errNothingNew = errors.New("nothing new to store")

// The importer's file operations: tests make them fail (a read-only
// folder, a kill between the commit and the removal) whoever runs them.
var (
	intakeRemove = os.Remove
	intakeRename = os.Rename
)

var sealedNameRE = regexp.MustCompile(`^[0-9a-f]{32}\.age$`)

// IntakeImport says what ImportIntake did.
type IntakeImport struct {
	Imported   int // new submissions now in the review queue
	Duplicates int // files of submissions already in the vault: removed
	Unreadable int // files moved to UnreadableDir, kept there
	// UnreadableDir is DIR/intake/unreadable when Unreadable > 0.
	UnreadableDir string
	// StaleRemoved: half-written files over IntakeStaleTemp old, removed.
	StaleRemoved int
}

// sealedFile is a submission opened from the inbox.
type sealedFile struct {
	path  string
	sub   *form.Submission
	files []form.File
	bytes int64
}

// ImportIntake brings the sealed submissions waiting in DIR/intake/inbox
// into the vault's review queue. With no intake folder, or an empty one,
// it reads one folder and does nothing else. Each batch of submissions is
// stored in one transaction (audited intake.import) and only once that is
// durable are their files removed and the folder flushed: a crash in
// between leaves files that the next import finds already in the vault
// (Duplicates) and removes. A file that is not for this vault, damaged,
// not of this program, or over form.DefaultLimits.MaxSealedBytes (not
// even read) is moved to DIR/intake/unreadable, never deleted. Temporary
// files of the server older than IntakeStaleTemp are removed.
//
// It needs no permission: it shows nothing (only counts), and whoever
// unlocks the vault moves what clients sent off the disk into the vault
// (a read-only user included). A vault opened read-only imports nothing.
// The result counts what was done even when the error is not nil (a file
// that could not be removed or moved: it is tried again next time).
func (s *Session) ImportIntake(ctx context.Context) (*IntakeImport, error) {
	res := &IntakeImport{}
	if s.readOnly {
		return res, nil
	}
	intakeImportMu.Lock()
	defer intakeImportMu.Unlock()
	inbox := filepath.Join(s.Dir(), vault.IntakeDir, IntakeInboxDir)
	entries, err := os.ReadDir(inbox)
	if errors.Is(err, fs.ErrNotExist) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("reading the intake folder %s: %w", inbox, err)
	}
	if len(entries) == 0 {
		return res, nil
	}
	ids, err := s.intakeIdentities(ctx)
	if err != nil {
		return res, err
	}
	lim := form.DefaultLimits
	var (
		errs       []error
		batch      []*sealedFile
		batchBytes int64
		unreadable []string // paths
		whys       []string
		inboxDirty bool
	)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		n, dup, removed, err := s.importBatch(ctx, batch)
		res.Imported += n
		res.Duplicates += dup
		inboxDirty = inboxDirty || removed
		if err != nil {
			errs = append(errs, err)
		}
		batch, batchBytes = nil, 0
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		name := e.Name()
		path := filepath.Join(inbox, name)
		if atomicfile.IsTemp(name) {
			info, err := e.Info()
			if err != nil || !info.Mode().IsRegular() || s.now().Sub(info.ModTime()) < IntakeStaleTemp {
				continue
			}
			if err := intakeRemove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fileErr("removing the half-written intake file", name, err))
				continue
			}
			res.StaleRemoved++
			inboxDirty = true
			continue
		}
		if !strings.HasSuffix(name, ".age") {
			continue // not the server's: left as it is
		}
		sf, why, err := openSealed(path, e, ids, lim)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if why != nil {
			unreadable = append(unreadable, path)
			whys = append(whys, showName(name)+": "+why.Error())
			continue
		}
		batch = append(batch, sf)
		batchBytes += sf.bytes
		if len(batch) >= intakeBatchFiles || batchBytes >= intakeBatchBytes {
			flush()
		}
	}
	flush()
	if len(unreadable) > 0 {
		dir := filepath.Join(s.Dir(), vault.IntakeDir, IntakeUnreadableDir)
		moved, err := moveUnreadable(dir, unreadable)
		res.Unreadable = moved
		if moved > 0 {
			res.UnreadableDir = dir
			inboxDirty = true
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if inboxDirty {
		if err := atomicfile.SyncDir(inbox); err != nil {
			errs = append(errs, fmt.Errorf("flushing the intake folder: %w", err))
		}
	}
	if res.Unreadable > 0 || res.StaleRemoved > 0 {
		var parts []string
		if res.Unreadable > 0 {
			parts = append(parts, fmt.Sprintf("moved %s that could not be read to %s (%s)",
				human.Count(res.Unreadable, "file", "files"), res.UnreadableDir, firstFew(whys, "; ")))
		}
		if res.StaleRemoved > 0 {
			parts = append(parts, fmt.Sprintf("removed %s left half-written by the intake form",
				human.Count(res.StaleRemoved, "file", "files")))
		}
		if err := s.audit(ctx, "intake.import", "", strings.Join(parts, "; ")); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("bringing in intake submissions: %w", joinFew(errs))
	}
	return res, nil
}

// maxListed is how many files or failures a message names one by one;
// the rest are counted ("and 997 more"), so a folder of thousands of bad
// files makes neither a huge notice nor a huge audit entry.
const maxListed = 5

// firstFew joins the first maxListed items and counts the rest.
func firstFew(items []string, sep string) string {
	if len(items) <= maxListed {
		return strings.Join(items, sep)
	}
	return strings.Join(items[:maxListed], sep) + sep + fmt.Sprintf("and %d more", len(items)-maxListed)
}

// joinFew is errors.Join of the first maxListed errors (every one still
// matches errors.Is through them), with the rest counted.
func joinFew(errs []error) error {
	if len(errs) <= maxListed {
		return errors.Join(errs...)
	}
	return fmt.Errorf("%w (and %d more)", errors.Join(errs[:maxListed]...), len(errs)-maxListed)
}

// showName is a file name of the inbox as a message may show it: anyone
// who can write to the folder chose it, so escape codes and direction
// overrides are written visibly, and it is cut short.
func showName(name string) string { return human.Truncate(human.Escape(name), 80) }

// fileErr says what failed on which file (its name shown safely) and
// why, without the operating system's copy of the path (which holds the
// name as it is): err's cause is kept for errors.Is.
func fileErr(what, name string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return fmt.Errorf("%s %s: %w", what, showName(name), err)
}

// openSealed opens one sealed file. why says, in plain words, why the
// file is unreadable (to be moved aside); err is a failure to try (the
// file stays for the next import).
func openSealed(path string, e fs.DirEntry, ids []string, lim form.Limits) (sf *sealedFile, why, err error) {
	info, err := e.Info() // of the entry itself: a link is not followed
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil // gone meanwhile
	}
	if err != nil {
		return nil, nil, fileErr("reading the intake file", e.Name(), err)
	}
	switch {
	case !info.Mode().IsRegular():
		return nil, errors.New("not a plain file"), nil
	case !sealedNameRE.MatchString(e.Name()):
		return nil, errors.New("not named as the intake form names its files"), nil
	case info.Size() > lim.MaxSealedBytes:
		return nil, fmt.Errorf("%s, more than %s", human.Size(info.Size()), human.Size(lim.MaxSealedBytes)), nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fileErr("opening the intake file", e.Name(), err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, nil, fileErr("reading the intake file", e.Name(), err)
	} else if !os.SameFile(fi, info) {
		return nil, nil, nil // replaced meanwhile: the next import looks again
	}
	sub, files, err := form.Open(f, ids, lim)
	switch {
	case errors.Is(err, form.ErrNotForThisVault):
		return nil, errors.New("not made for this vault"), nil
	case errors.Is(err, form.ErrTooLarge):
		return nil, errors.New("larger than the limits allow"), nil
	case errors.Is(err, form.ErrMalformed):
		return nil, errors.New("damaged, or not an intake submission"), nil
	case err != nil:
		return nil, nil, fileErr("opening the intake file", e.Name(), err)
	case sub.ID+".age" != e.Name():
		return nil, errors.New("its name does not match the submission inside"), nil
	}
	var n int64
	for _, fl := range files {
		n += int64(len(fl.Data))
	}
	return &sealedFile{path: path, sub: sub, files: files, bytes: n}, nil, nil
}

// importBatch stores the submissions of batch not yet in the vault in one
// transaction (audited intake.import), then removes every file of the
// batch (new and duplicate). removed: a file was removed.
func (s *Session) importBatch(ctx context.Context, batch []*sealedFile) (imported, dups int, removed bool, err error) {
	fresh := make([]*sealedFile, 0, len(batch))
	err = s.st.View(ctx, func(tx *store.Tx) error {
		for _, sf := range batch {
			dup, err := tx.IntakeSealedExists(sf.sub.ID)
			if err != nil {
				return err
			}
			if !dup {
				fresh = append(fresh, sf)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, false, err
	}
	done := batch // the files to remove once the vault holds them
	if len(fresh) > 0 {
		var ids []string
		err = s.update(ctx, "intake.import", func(tx *store.Tx) (string, string, error) {
			ids = ids[:0]
			for _, sf := range fresh {
				row, files, err := intakeRow(sf, s.now())
				if err != nil {
					return "", "", err
				}
				id, err := tx.InsertIntakeSubmission(row, files)
				if errors.Is(err, store.ErrIntakeDuplicate) {
					continue
				}
				if err != nil {
					return "", "", err
				}
				ids = append(ids, fmt.Sprintf("intake:%d", id))
			}
			if len(ids) == 0 {
				return "", "", errNothingNew
			}
			return strings.Join(ids, " "), fmt.Sprintf("%s from the intake form", human.Count(len(ids), "submission", "submissions")), nil
		})
		if errors.Is(err, errNothingNew) {
			ids, err = nil, nil
		}
		if err != nil {
			return 0, 0, false, fmt.Errorf("storing intake submissions in the vault: %w", err)
		}
		imported = len(ids)
	}
	dups = len(batch) - imported
	var errs []error
	for _, sf := range done {
		if err := intakeRemove(sf.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fileErr("removing the intake file (already in the vault)", filepath.Base(sf.path), err))
			continue
		}
		removed = true
	}
	return imported, dups, removed, joinFew(errs)
}

// intakeRow is the row of a submission opened from a sealed file.
func intakeRow(sf *sealedFile, now time.Time) (*store.IntakeSubmission, []store.IntakeFile, error) {
	payload, err := json.Marshal(sf.sub)
	if err != nil {
		return nil, nil, err
	}
	row := &store.IntakeSubmission{
		SealedID:     sf.sub.ID,
		ReceivedAt:   sf.sub.ReceivedAt,
		ImportedAt:   now,
		PracticeArea: sf.sub.PracticeArea,
		FullName:     sf.sub.FullName(),
		Payload:      string(payload),
	}
	for _, n := range sf.sub.ConflictNames() {
		row.ConflictNames = append(row.ConflictNames, store.IntakeName{Name: n.Name, Role: n.Role})
	}
	files := make([]store.IntakeFile, len(sf.files))
	for i, f := range sf.files {
		files[i] = store.IntakeFile{N: f.Meta.N, Question: f.Meta.Question, Name: f.Meta.Name, MediaType: f.Meta.MediaType,
			Size: f.Meta.Size, SHA256: f.Meta.SHA256, Content: f.Data}
	}
	return row, files, nil
}

// moveUnreadable moves files into dir (made if missing), each under its
// own name or, when that is taken, with a random suffix: never over
// another. It returns how many it moved.
func moveUnreadable(dir string, paths []string) (int, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("making the folder for unreadable intake files: %w", err)
	}
	moved := 0
	var errs []error
	for _, p := range paths {
		name := filepath.Base(p)
		dst := filepath.Join(dir, name)
		if _, err := os.Lstat(dst); err == nil {
			var rnd [4]byte
			if _, err := rand.Read(rnd[:]); err != nil {
				return moved, err
			}
			dst = filepath.Join(dir, strings.TrimSuffix(name, ".age")+"-"+hex.EncodeToString(rnd[:])+".age")
		}
		if err := intakeRename(p, dst); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fileErr("moving aside the unreadable intake file", name, err))
			}
			continue
		}
		moved++
	}
	if moved > 0 {
		if err := atomicfile.SyncDir(dir); err != nil {
			errs = append(errs, fmt.Errorf("flushing the folder of unreadable intake files: %w", err))
		}
	}
	return moved, joinFew(errs)
}

// IntakeImportNotice is what to tell the lawyer after an import (Open
// puts it among the session's notices; the window shows it when it
// imports while unlocked): what could not be read and where it is kept,
// or why importing did not finish. "" when there is nothing to tell. dir
// is the vault folder.
func IntakeImportNotice(dir string, res *IntakeImport, err error) string {
	var parts []string
	if res != nil && res.Unreadable > 0 {
		parts = append(parts, fmt.Sprintf("%s in the intake folder could not be read: %s not made for this vault, damaged, or too large. "+
			"%s kept in %s; nothing in %s was added to the vault.",
			human.Count(res.Unreadable, "file", "files"), human.Noun(res.Unreadable, "it was", "they were"),
			human.Noun(res.Unreadable, "It is", "They are"), res.UnreadableDir, human.Noun(res.Unreadable, "it", "them")))
	}
	if err != nil {
		parts = append(parts, fmt.Sprintf("casevault could not finish bringing in the intake submissions waiting beside the vault (%v). "+
			"Nothing is lost: what was not brought in stays in %s and is tried again at the next unlock.",
			err, filepath.Join(dir, vault.IntakeDir, IntakeInboxDir)))
	}
	return strings.Join(parts, " ")
}
