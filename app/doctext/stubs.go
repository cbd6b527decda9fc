package doctext

import (
	"context"
	"fmt"
	"io"
)

// The extractors below land next; until then these kinds are indexed by name only.

func extractPDF(ctx context.Context, w *textWriter, r io.ReaderAt, size int64) error {
	return fmt.Errorf("%w (PDF: not read yet)", ErrNoText)
}
