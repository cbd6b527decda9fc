package app

// Opening a document in its usual program, through a temporary plain copy
// (docopen_copies.go, app/tempcopy), and keeping what the person saves
// there as new versions.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/app/tempcopy"
	"casevault/store"
)

// OpenOptions for OpenDocument.
type OpenOptions struct {
	Version int // 0: the current one
	// Ask is asked before a change saved in the copy becomes a version
	// (nil: every saved change does). It runs on a goroutine of its own;
	// locking does not wait for an answer, and does not ask: a change
	// saved just before is kept.
	Ask func(d DocumentInfo) bool
	// OnVersion is told each version saved from the copy; OnProblem each
	// problem (a vanished copy: ErrCopyGone; a change that could not be
	// kept: *CopySaveError; an unreadable copy). Both run on the watcher's
	// goroutine (or the caller's of CheckCopies and CloseCopy).
	OnVersion func(v VersionInfo)
	OnProblem func(err error)
	// Open opens the copy in its program; nil: OpenInBrowser (the desktop's
	// program for the file, through pkg/browser).
	Open func(path string) error
}

// OpenCopy is an opened document's temporary copy.
type OpenCopy struct {
	Path     string
	InMemory bool // in a folder in memory (false: on the disk)
	Document DocumentInfo
	Version  int // made from this version; after a save, the version saved
	// Notice is set on the first copy of a session made on disk (no
	// folder in memory): what to tell the person, once.
	Notice string
}

// OpenDocument writes version o.Version of a document to a new private
// temporary copy, opens it in its program and watches it: each change
// saved there becomes a new version ("edited"). The opening is recorded
// (document.open) before a byte is written. When the program cannot be
// started, the copy stays open and watched and both are returned: the
// error says where the copy is, to open it by hand.
func (s *Session) OpenDocument(ctx context.Context, id int64, o OpenOptions) (*OpenCopy, error) {
	if err := s.allow(ctx, access.ReadDocuments, ref("document", id)); err != nil {
		return nil, err
	}
	var info DocumentInfo
	var v *store.DocumentVersion
	err := s.view(ctx, "document.open", func(tx *store.Tx) (string, string, error) {
		d, where, recs, err := s.document(tx, id)
		if err != nil {
			return "", "", err
		}
		if _, v, _, err = s.version(tx, id, o.Version); err != nil {
			return "", "", err
		}
		info = infoOf(d, where)
		return recs, fmt.Sprintf("%s, version %d, %s, opened in its program", quoteName(d.Name), v.N, human.Size(v.Size)), nil
	})
	if err != nil {
		return nil, err
	}
	path, root, notice, err := s.copies.create(info.Name, func(f *os.File) error {
		if err := s.v.ReadDocument(ctx, v.Chunks, v.SHA256, f); err != nil {
			return damaged(info.Name, v.N, err)
		}
		return nil
	})
	if isDiskFull(err) {
		return nil, fmt.Errorf("there is not enough room for the temporary copy of %s (%s, in %s): "+
			"close other opened documents or free some space there, then open it again; nothing in the vault changed: %w",
			quoteName(info.Name), human.Size(v.Size), human.Escape(s.copies.where()), err)
	}
	if err != nil {
		return nil, err
	}
	w, err := tempcopy.NewWatchAs(path, v.SHA256)
	if err != nil {
		s.copies.discard(path)
		return nil, fmt.Errorf("watching the copy of %s: %w", quoteName(info.Name), err)
	}
	out := OpenCopy{Path: path, InMemory: root.InMemory, Document: info, Version: v.N, Notice: notice}
	oc := &openCopy{path: path, docID: id, name: info.Name, version: v.N, w: w, hooks: s.copyHooks(id, info, o), meta: out}
	if err := s.copies.add(oc); err != nil {
		return nil, err
	}
	open := o.Open
	if open == nil {
		open = OpenInBrowser
	}
	if err := open(path); err != nil {
		return &out, err
	}
	return &out, nil
}

// copyHooks: a saved change becomes a version through AddVersion.
func (s *Session) copyHooks(id int64, info DocumentInfo, o OpenOptions) copyHooks {
	h := copyHooks{
		save: func(ctx context.Context, path string) (any, int, [32]byte, error) {
			v, err := s.AddVersion(ctx, id, path, "edited")
			if errors.Is(err, ErrDocChanged) {
				return nil, 0, [32]byte{}, errCopyRetry // still being written
			}
			if err != nil {
				return nil, 0, [32]byte{}, err
			}
			var sum [32]byte
			hex.Decode(sum[:], []byte(v.SHA256))
			return *v, v.N, sum, nil
		},
		problem: o.OnProblem,
	}
	if o.Ask != nil {
		h.ask = func() bool { return o.Ask(info) }
	}
	if o.OnVersion != nil {
		h.saved = func(r any) { o.OnVersion(r.(VersionInfo)) }
	}
	return h
}

// OpenCopies are the session's open copies, oldest first.
func (s *Session) OpenCopies() []OpenCopy {
	var out []OpenCopy
	s.copies.each(func(oc *openCopy, version int) {
		c := oc.meta.(OpenCopy)
		c.Version, c.Notice = version, ""
		out = append(out, c)
	})
	return out
}

// CheckCopies looks at every open copy once (the watcher does, every
// second): the versions saved from changes, and every problem (also told
// to each copy's OnProblem).
func (s *Session) CheckCopies(ctx context.Context) ([]VersionInfo, error) {
	rs, err := s.copies.check(ctx)
	return versionsOf(rs), err
}

// CloseCopy keeps a last change of the copy at path as a version (after
// Ask), then deletes the copy. It returns the version saved, if any.
func (s *Session) CloseCopy(ctx context.Context, path string) (*VersionInfo, error) {
	r, err := s.copies.closeOne(ctx, path)
	if v, ok := r.(VersionInfo); ok {
		return &v, err
	}
	return nil, err
}

func versionsOf(rs []any) []VersionInfo {
	var out []VersionInfo
	for _, r := range rs {
		if v, ok := r.(VersionInfo); ok {
			out = append(out, v)
		}
	}
	return out
}
