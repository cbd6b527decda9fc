package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"casevault/store"
)

// ExportAuditCSV writes the entries matching f as CSV (id, time, actor,
// action, records, detail, hash) and records the export in the trail. It
// returns the number of entries written.
func (s *Session) ExportAuditCSV(ctx context.Context, f store.AuditFilter, w io.Writer) (int, error) {
	var entries []*store.AuditEntry
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		entries, err = tx.ListAudit(f)
		return err
	})
	if err != nil {
		return 0, err
	}
	// Record the export before writing it: a write that fails part way may
	// already have put entries (search queries and conflict-check names are
	// client data) in the file, and an export that cannot be recorded must
	// not happen at all.
	if err := s.audit(ctx, "audit.export", "", fmt.Sprintf("%d entries as CSV", len(entries))); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "time", "actor", "action", "records", "detail", "hash"})
	for _, e := range entries {
		cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Records, e.Detail, fmt.Sprintf("%x", e.Hash)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, err
	}
	return len(entries), nil
}
