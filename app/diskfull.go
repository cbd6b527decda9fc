package app

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// ErrDiskFull: the disk holding the vault has no room left, so a change was
// not made. Reading still works (see Session.DiskFull).
var ErrDiskFull = errors.New("the disk holding the vault is full")

// isDiskFull reports whether err is the operating system's "no space left
// on device" (or "disk quota exceeded").
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

type diskFullError struct{ err error }

func (e *diskFullError) Error() string {
	return "the disk holding the vault is full, so this change was not made (nothing was saved). " +
		"Free some space on that disk (empty the trash, move large files elsewhere), then try again; " +
		"meanwhile you can still read, search and back up to another drive (technical details: " + e.err.Error() + ")"
}
func (e *diskFullError) Is(target error) bool { return target == ErrDiskFull }
func (e *diskFullError) Unwrap() error        { return e.err }

// maxPendingAudit bounds the audit entries a session keeps in memory while
// the disk is full; beyond it, they are only counted.
const maxPendingAudit = 1000

// pendingAudit is an audit entry of a read (or unlock, lock, backup) that
// could not be written because the disk was full. It is written, with its
// own time, before the next entry that can be.
type pendingAudit struct {
	at                      time.Time
	action, records, detail string
}

// auditQueuedLocked appends the pending entries (and a note of the ones
// only counted) to tx. Callers hold s.auditMu.
func (s *Session) auditQueuedLocked(tx *store.Tx) error {
	for _, p := range s.pending {
		if err := s.appendAuditAt(tx, p.at, p.action, p.records, p.detail); err != nil {
			return err
		}
	}
	if s.dropped > 0 {
		detail := fmt.Sprintf("%d more entries (reads while the disk holding the vault was full) could not be kept", s.dropped)
		if err := s.appendAuditAt(tx, s.now(), "audit.gap", "", detail); err != nil {
			return err
		}
	}
	return nil
}

// queueAuditLocked keeps an entry that the full disk refused. Callers hold
// s.auditMu.
func (s *Session) queueAuditLocked(p pendingAudit) {
	s.diskFull = true
	if len(s.pending) < maxPendingAudit {
		s.pending = append(s.pending, p)
		return
	}
	s.dropped++
}

// DiskFull reports whether the disk holding the vault was found full: the
// session is read-only until space is freed (writes are refused with
// ErrDiskFull), and the audit entries of its reads wait in memory
// (UnrecordedAudit) until they can be written.
func (s *Session) DiskFull() bool {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	return s.diskFull
}

// UnrecordedAudit is how many audit entries wait in memory for disk space.
func (s *Session) UnrecordedAudit() int {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	return len(s.pending) + s.dropped
}

// UnrecordedError is returned by Close when audit entries could never be
// written because the disk stayed full: those reads are missing from the
// audit trail. Every change the session made was saved.
type UnrecordedError struct{ N int }

func (e *UnrecordedError) Error() string {
	return fmt.Sprintf("the disk holding the vault is full, so casevault worked read-only and %s of this session (the unlock, what was read or backed up, the lock) could not be saved in the audit trail; free some space on that disk",
		human.Count(e.N, "audit entry", "audit entries"))
}

// Is reports whether target is ErrDiskFull.
func (e *UnrecordedError) Is(target error) bool { return target == ErrDiskFull }

// CheckpointError is returned by Close when the final checkpoint failed.
// Nothing is lost: every change is in the redo log and replayed at the next
// unlock, which checkpoints again.
type CheckpointError struct{ Err error }

func (e *CheckpointError) Error() string {
	s := "the vault could not be compacted while locking"
	then := "is compacted at a later unlock"
	if errors.Is(e.Err, vault.ErrDamaged) {
		// A later unlock fails the same way until the damage is dealt with.
		return s + " because part of the vault is damaged; nothing is lost: every change is saved (in the vault's log), " +
			"but the vault cannot be compacted until the damaged part is put back: run casevault repair, which says what to do " +
			"(technical details: " + e.Err.Error() + ")"
	}
	if isDiskFull(e.Err) {
		s += " because the disk holding it is full"
		then += ", once that disk has free space again: free some space on it"
	}
	return s + "; nothing is lost: every change is saved (in the vault's log) and " + then + " (technical details: " + e.Err.Error() + ")"
}
func (e *CheckpointError) Unwrap() error { return e.Err }

// savedFailure wraps the error of a failed write: a full disk becomes
// ErrDiskFull with a plain message.
func savedFailure(err error) error {
	if err != nil && isDiskFull(err) && !errors.Is(err, ErrDiskFull) {
		return &diskFullError{err}
	}
	return err
}
