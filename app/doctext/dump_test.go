package doctext

import (
	"os"
	"testing"
)

// TestDumpFile prints the media type and text of the file named by
// DOCTEXT_DUMP, to look at what a real document gives:
//
//	DOCTEXT_DUMP=~/letter.pdf go test ./app/doctext -run TestDumpFile -v
func TestDumpFile(t *testing.T) {
	name := os.Getenv("DOCTEXT_DUMP")
	if name == "" {
		t.Skip("DOCTEXT_DUMP names no file")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	mt := Detect(name, data)
	s, err := extract(t, mt, data, 1<<20)
	t.Logf("%s (%s), error %v:\n%s", mt, Label(mt), err, s)
}
