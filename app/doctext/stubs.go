package doctext

import (
	"context"
	"fmt"
	"io"
)

// The extractors below land next; until then these kinds are indexed by name only.

func extractHTML(ctx context.Context, w *textWriter, r io.ReaderAt, size int64) error {
	return fmt.Errorf("%w (web page: not read yet)", ErrNoText)
}

func extractEmail(ctx context.Context, w *textWriter, r io.ReaderAt, size int64) error {
	return fmt.Errorf("%w (e-mail: not read yet)", ErrNoText)
}

func extractPDF(ctx context.Context, w *textWriter, r io.ReaderAt, size int64) error {
	return fmt.Errorf("%w (PDF: not read yet)", ErrNoText)
}

func extractOffice(ctx context.Context, w *textWriter, mediaType string, r io.ReaderAt, size int64) error {
	return fmt.Errorf("%w (office document: not read yet)", ErrNoText)
}
