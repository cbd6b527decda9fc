package app

import (
	"errors"
	"strings"
	"testing"
)

// TestDocumentLimit: 4 GiB until set; a value outside 1 MB–1 TB is refused
// in words with both sizes and changes nothing; a change is audited with
// the old and new limit and survives a reopen.
func TestDocumentLimit(t *testing.T) {
	s, dir, _ := testSession(t)
	if got := s.DocumentLimit(); got != 4<<30 {
		t.Fatalf("default limit %d", got)
	}
	for _, n := range []int64{0, -1, MinDocumentLimit - 1, MaxDocumentLimit + 1} {
		before := auditCount(t, s)
		err := s.SetDocumentLimit(ctx, n)
		var fe *FieldError
		if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) || !strings.Contains(fe.Message, "1.0 MB to 1.0 TB") {
			t.Errorf("SetDocumentLimit(%d) = %v, want a FieldError naming the range", n, err)
		}
		if s.DocumentLimit() != DefaultDocumentLimit || auditCount(t, s) != before {
			t.Errorf("a refused limit changed something: %d", s.DocumentLimit())
		}
	}
	if err := s.SetDocumentLimit(ctx, 2_000_000_000); err != nil {
		t.Fatal(err)
	}
	e := lastAudit(t, s)
	if e.Action != "document.limit" || e.Detail != "the size limit for documents from 4.3 GB to 2.0 GB" {
		t.Errorf("audit %s %q", e.Action, e.Detail)
	}
	s.Close(ctx)
	s = openTest(t, dir)
	if got := s.DocumentLimit(); got != 2_000_000_000 {
		t.Errorf("after reopening the limit is %d", got)
	}
}
