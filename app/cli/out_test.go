package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// countingWriter counts the write calls that reach standard output.
type countingWriter struct {
	bytes.Buffer
	calls int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.calls++
	return c.Buffer.Write(p)
}

// TestOutBuffersTable: a long table reaches standard output in a few large
// writes, not one per cell (a 10,000-client list was 114,000 write calls).
func TestOutBuffersTable(t *testing.T) {
	var w countingWriter
	r := &runner{env: Env{Stdout: &w}}
	const rows = 5000
	err := r.out(nil, func(tw io.Writer) {
		fmt.Fprintln(tw, "ID\tNAME\tPHONE")
		for i := 1; i <= rows; i++ {
			fmt.Fprintf(tw, "%d\tClient %d\t+1 555 %04d\n", i, i, i)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(w.String(), "\n"); got != rows+1 {
		t.Fatalf("wrote %d lines, want %d", got, rows+1)
	}
	if !strings.Contains(w.String(), "5000  Client 5000  +1 555 5000\n") {
		t.Fatalf("last row not aligned as a table: %q", w.String()[w.Len()-80:])
	}
	if w.calls > 10 {
		t.Fatalf("%d write calls for %d rows: the table is not buffered", w.calls, rows)
	}
}
