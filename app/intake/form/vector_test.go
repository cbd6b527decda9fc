package form

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"testing/cryptotest"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/sealed-v1.age")

// The test vector of docs/FORMAT.md, "Intake submissions":
// testdata/sealed-v1.age, sealed to testdata/identity.txt, holds
// vectorSubmission and one file, vectorFile. Randomness comes from a fixed
// seed (testing/cryptotest), so TestVector rebuilds the file and fails on
// any byte that differs; `go test -run '^TestVector$' -args -update`
// rewrites it, only for a deliberate format change, together with
// docs/FORMAT.md. testdata/verify_intake.py is an independent reader
// (Python, written from FORMAT.md) that .ci/vectors.sh runs on it.
const vectorPath = "testdata/sealed-v1.age"

var vectorFile = File{Meta: FileMeta{Question: KeyIDDocument, Name: "id.txt", MediaType: "text/plain"},
	Data: []byte("IDENTITY DOCUMENT (test vector)\n")}

func vectorSubmission() *Submission {
	return &Submission{
		ID:           "5f0c3a8e9b1d47e2a6c4f8b0d2e19a37",
		ReceivedAt:   time.Date(2026, 12, 2, 19, 30, 0, 0, time.UTC),
		Session:      "a1b2c3d4e5f60718",
		PracticeArea: "family",
		FormVersion:  1,
		Notice:       Notice{Version: 1, Text: "Test notice."},
		Consent:      true,
		Answers: []Answer{
			{Key: KeyFullName, Label: "Full legal name", Kind: Short, Text: "Jane Roe"},
			{Key: KeyOtherNames, Label: "Other or former names", Kind: Names, List: []string{"Jane Smith"}},
			{Key: KeyKeyDates, Label: "Important dates", Kind: Dates, Dates: []KeyDate{{What: "Hearing", Date: "2027-01-15"}}},
			{Key: KeyAdverseParties, Label: "People or organisations on the other side", Kind: Names, List: []string{"John Roe"}},
		},
	}
}

func TestVector(t *testing.T) {
	id, rcpt := testIdentity(t)
	cryptotest.SetGlobalRandom(t, 12)
	var built bytes.Buffer
	if err := Seal(&built, rcpt, vectorSubmission(), []File{vectorFile}); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(filepath.FromSlash(vectorPath), built.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.FromSlash(vectorPath))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, built.Bytes()) {
		t.Errorf("Seal no longer writes %s byte for byte (%d bytes, built %d): a format change needs -update and docs/FORMAT.md",
			vectorPath, len(b), built.Len())
	}
	if !bytes.HasPrefix(b, []byte("age-encryption.org/v1\n-> X25519 ")) {
		t.Fatalf("the vector does not start with an age v1 header with one X25519 recipient: %q", b[:40])
	}
	got, files, err := Open(bytes.NewReader(b), []string{id}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := vectorSubmission()
	want.Format, want.Version = FormatName, FormatVersion
	if got.ID != want.ID || got.FullName() != "Jane Roe" || !got.ReceivedAt.Equal(want.ReceivedAt) ||
		got.PracticeArea != "family" || got.Notice != want.Notice || len(got.Answers) != 4 {
		t.Errorf("the vector opened as %+v", got)
	}
	sum := sha256.Sum256(vectorFile.Data)
	if len(files) != 1 || !bytes.Equal(files[0].Data, vectorFile.Data) || files[0].Meta.N != 1 ||
		files[0].Meta.SHA256 != hex.EncodeToString(sum[:]) || files[0].Meta.Size != int64(len(vectorFile.Data)) {
		t.Errorf("the vector's file: %+v", files)
	}
	if got := got.ConflictNames(); len(got) != 3 || got[2] != (NameRole{"John Roe", RoleAdverse}) {
		t.Errorf("the vector's names: %v", got)
	}
}
