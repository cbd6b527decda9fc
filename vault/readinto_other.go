//go:build !unix

package vault

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// readInto reads the file at path into buf and returns the bytes read. A
// file that fills buf is reported as damage (too long): buf is one byte
// larger than the longest valid file.
func readInto(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, damaged(path, "object is missing")
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	switch {
	case err == nil:
		return nil, damaged(path, "object is longer than its manifest allows")
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return buf[:n], nil
	default:
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
}
