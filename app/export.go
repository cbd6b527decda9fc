package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
)

// ExportAuditCSV writes the entries matching f as CSV (id, time, actor,
// action, records, detail, hash) and records the export in the trail. The
// detail of an entry a destruction removed reads "removed when file
// D-2026-0001 was destroyed". It
// returns the number of entries written.
func (s *Session) ExportAuditCSV(ctx context.Context, f store.AuditFilter, w io.Writer) (int, error) {
	if err := s.allow(ctx, access.ExportAudit); err != nil {
		return 0, err
	}
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
	if err := s.audit(ctx, "audit.export", "", human.Count(len(entries), "entry", "entries")+" as CSV"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "time", "actor", "action", "records", "detail", "hash"})
	for _, e := range entries {
		row := []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Records, AuditDetail(e), fmt.Sprintf("%x", e.Hash)}
		for i := range row {
			row[i] = CSVCell(row[i])
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, err
	}
	return len(entries), nil
}

// CSVCell makes one value safe for a CSV file that a spreadsheet opens and
// a terminal may print: control characters, text-direction controls,
// invisible format characters and bytes that are not UTF-8 become visible
// escapes (\x1b, \n, \u202e, \xff; one line per row, whatever a naive
// reader does with quoted line breaks), and a value that starts with = + -
// @ (or a tab or carriage return, before escaping) gets a leading ' so the
// spreadsheet shows it as text instead of running it as a formula (the
// OWASP advice on CSV injection). Every cell goes through it, whatever the
// column: the defence does not rest on a column's usual first word.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + human.Escape(s)
	}
	return human.Escape(s)
}
