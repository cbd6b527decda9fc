package form

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

// The test key pair: testdata/identity.txt. The vector sealed-v1.age is
// sealed to it.
func testIdentity(t testing.TB) (identity, recipient string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "identity.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "AGE-SECRET-KEY-1") {
			id, err := age.ParseX25519Identity(line)
			if err != nil {
				t.Fatal(err)
			}
			return line, id.Recipient().String()
		}
	}
	t.Fatal("testdata/identity.txt has no identity")
	return "", ""
}

func sampleSubmission() *Submission {
	return &Submission{
		ID:           "0123456789abcdef0123456789abcdef",
		ReceivedAt:   time.Date(2026, 12, 2, 19, 30, 0, 0, time.UTC),
		Session:      "0011223344556677",
		PracticeArea: "personal_injury",
		FormVersion:  3,
		Notice:       Notice{Version: 2, Text: "We keep your answers safe.\nAsk us anything."},
		Consent:      true,
		Answers: []Answer{
			{Key: KeyFullName, Label: "Full legal name", Kind: Short, Text: "Jane Roe"},
			{Key: KeyOtherNames, Label: "Other or former names", Kind: Names, List: []string{"Jane Smith", "Janie"}},
			{Key: KeyDateOfBirth, Label: "Date of birth", Kind: Date, Text: "1980-02-29"},
			{Key: KeyAddress, Label: "Home address", Kind: Long, Text: "1 Main Street\nSpringfield"},
			{Key: KeySafeToLeaveMsgs, Label: "Safe?", Kind: YesNo, Text: "no"},
			{Key: KeyKeyDates, Label: "Important dates", Kind: Dates, Dates: []KeyDate{{What: "Accident", Date: "2026-03-04"}}},
			{Key: KeyAdverseParties, Label: "Other side", Kind: Names, List: []string{"Acme Haulage Ltd", "John Doe"}},
			{Key: "q1", Label: "Your own question", Kind: Choice, Text: "Blue"},
		},
	}
}

func sampleFiles() []File {
	return []File{
		{Meta: FileMeta{Question: KeyIDDocument, Name: "passport.jpg", MediaType: "image/jpeg"}, Data: []byte("\xff\xd8\xff not really a jpeg")},
		{Meta: FileMeta{Question: KeyOtherFiles, Name: "letter.pdf", MediaType: "application/pdf"}, Data: bytes.Repeat([]byte("%PDF"), 3000)},
	}
}

func seal(t testing.TB, recipient string, s *Submission, files []File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Seal(&buf, recipient, s, files); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSealOpenRoundTrip(t *testing.T) {
	id, rcpt := testIdentity(t)
	s := sampleSubmission()
	in := sampleFiles()
	sealed := seal(t, rcpt, s, in)
	if bytes.Contains(sealed, []byte("Jane")) || bytes.Contains(sealed, []byte("%PDF")) {
		t.Fatal("the sealed file holds plaintext")
	}
	got, files, err := Open(bytes.NewReader(sealed), []string{id}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := *s
	want.Format, want.Version = FormatName, FormatVersion
	for i, f := range in {
		sum := sha256.Sum256(f.Data)
		want.Files = append(want.Files, FileMeta{N: i + 1, Question: f.Meta.Question, Name: f.Meta.Name,
			MediaType: f.Meta.MediaType, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])})
	}
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("opened\n%+v\nwant\n%+v", got, &want)
	}
	if len(files) != 2 || !bytes.Equal(files[0].Data, in[0].Data) || !bytes.Equal(files[1].Data, in[1].Data) ||
		files[1].Meta != want.Files[1] {
		t.Errorf("files differ: %+v", files)
	}
	if s.Format != "" || s.Files != nil {
		t.Error("Seal changed the caller's submission")
	}
}

func TestSealNoFilesWritesEmptyList(t *testing.T) {
	id, rcpt := testIdentity(t)
	got, files, err := Open(bytes.NewReader(seal(t, rcpt, sampleSubmission(), nil)), []string{id}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 || got.Files == nil || len(got.Files) != 0 {
		t.Errorf("files %v, meta %#v", files, got.Files)
	}
}

func TestOpenTellsWrongVaultApart(t *testing.T) {
	_, rcpt := testIdentity(t)
	other, _ := age.GenerateX25519Identity()
	sealed := seal(t, rcpt, sampleSubmission(), nil)
	_, _, err := Open(bytes.NewReader(sealed), []string{other.String()}, Limits{})
	if !errors.Is(err, ErrNotForThisVault) {
		t.Fatalf("other key: %v, want ErrNotForThisVault", err)
	}
	if _, _, err := Open(bytes.NewReader(sealed), nil, Limits{}); !errors.Is(err, ErrNotForThisVault) {
		t.Fatalf("no key: %v, want ErrNotForThisVault", err)
	}
	// Several keys (an old one retired): the right one is found.
	id, _ := testIdentity(t)
	if _, _, err := Open(bytes.NewReader(sealed), []string{other.String(), id}, Limits{}); err != nil {
		t.Fatalf("second key of two: %v", err)
	}
	_, _, err = Open(bytes.NewReader(sealed), []string{"AGE-SECRET-KEY-1NOTAKEY"}, Limits{})
	if err == nil || errors.Is(err, ErrMalformed) || errors.Is(err, ErrNotForThisVault) {
		t.Fatalf("a bad key of ours: %v, want an error of its own", err)
	}
}

func TestOpenRefusesEveryCut(t *testing.T) {
	id, rcpt := testIdentity(t)
	sealed := seal(t, rcpt, sampleSubmission(), sampleFiles())
	cuts := []int{0, 1, 20, 100, 200, len(sealed) / 2, len(sealed) - 17, len(sealed) - 1}
	for i := 0; i < len(sealed); i += 997 {
		cuts = append(cuts, i)
	}
	for _, n := range cuts {
		_, _, err := Open(bytes.NewReader(sealed[:n]), []string{id}, Limits{})
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("cut at %d of %d: %v, want ErrMalformed", n, len(sealed), err)
		}
	}
	// A flipped byte anywhere after the header is caught by age.
	for _, at := range []int{len(sealed) / 3, len(sealed) - 5} {
		bad := bytes.Clone(sealed)
		bad[at] ^= 1
		if _, _, err := Open(bytes.NewReader(bad), []string{id}, Limits{}); !errors.Is(err, ErrMalformed) {
			t.Fatalf("flipped byte %d: %v", at, err)
		}
	}
	// Extra bytes after the end.
	if _, _, err := Open(bytes.NewReader(append(bytes.Clone(sealed), 0)), []string{id}, Limits{}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a byte appended: %v", err)
	}
}

func TestOpenEnforcesLimitsWhileReading(t *testing.T) {
	id, rcpt := testIdentity(t)
	sealed := seal(t, rcpt, sampleSubmission(), sampleFiles())
	// The whole file over the limit: refused without reading it all.
	r := &countingReader{r: bytes.NewReader(sealed)}
	_, _, err := Open(r, []string{id}, Limits{MaxSealedBytes: 1000})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("sealed file over the limit: %v, want ErrTooLarge", err)
	}
	if r.n > 1000+64<<10 {
		t.Errorf("read %d bytes of a file over a 1000-byte limit", r.n)
	}
	for name, lim := range map[string]Limits{
		"a file over MaxFileBytes":   {MaxFileBytes: 1000},
		"files over MaxTotalBytes":   {MaxTotalBytes: 12000},
		"more files than MaxFiles":   {MaxFiles: 1},
		"files over every file size": {MaxFileBytes: 10, MaxTotalBytes: 10},
	} {
		_, _, err := Open(bytes.NewReader(sealed), []string{id}, lim)
		want := ErrTooLarge
		if name == "more files than MaxFiles" {
			want = ErrMalformed
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// rawTar builds a tar from entries (name, type, body).
type rawEntry struct {
	name string
	typ  byte
	body []byte
}

func rawTar(t testing.TB, entries ...rawEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		size := int64(len(e.body))
		if e.typ != tar.TypeReg {
			size = 0
		}
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Size: size, Mode: 0o600, Linkname: "x"}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if size > 0 {
			if _, err := tw.Write(e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ageSeal(t testing.TB, recipient string, plain []byte) []byte {
	t.Helper()
	r, _ := age.ParseX25519Recipient(recipient)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sampleJSON is the submission.json Seal writes for the sample with the
// sample files, changed by edit.
func sampleJSON(t testing.TB, edit func(m map[string]any)) []byte {
	t.Helper()
	s := *sampleSubmission()
	s.Format, s.Version = FormatName, FormatVersion
	for i, f := range sampleFiles() {
		sum := sha256.Sum256(f.Data)
		s.Files = append(s.Files, FileMeta{N: i + 1, Question: f.Meta.Question, Name: f.Meta.Name,
			MediaType: f.Meta.MediaType, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])})
	}
	js, _ := json.Marshal(&s)
	if edit == nil {
		return js
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func answers(m map[string]any) []any { return m["answers"].([]any) }
func answer(m map[string]any, i int) map[string]any {
	return answers(m)[i].(map[string]any)
}

func TestOpenRefusesHostileContent(t *testing.T) {
	id, rcpt := testIdentity(t)
	f := sampleFiles()
	good := sampleJSON(t, nil)
	reg := func(name string, body []byte) rawEntry { return rawEntry{name: name, typ: tar.TypeReg, body: body} }
	withJSON := func(edit func(m map[string]any)) []rawEntry {
		return []rawEntry{reg("submission.json", sampleJSON(t, edit)), reg("files/1", f[0].Data), reg("files/2", f[1].Data)}
	}
	cases := map[string][]rawEntry{
		"nothing":                  {},
		"files first":              {reg("files/1", f[0].Data), reg("submission.json", good), reg("files/2", f[1].Data)},
		"files swapped":            {reg("submission.json", good), reg("files/2", f[1].Data), reg("files/1", f[0].Data)},
		"a file missing":           {reg("submission.json", good), reg("files/1", f[0].Data)},
		"an extra entry":           {reg("submission.json", good), reg("files/1", f[0].Data), reg("files/2", f[1].Data), reg("files/3", []byte("x"))},
		"a path in the name":       {reg("./submission.json", good), reg("files/1", f[0].Data), reg("files/2", f[1].Data)},
		"a symlink":                {reg("submission.json", good), {name: "files/1", typ: tar.TypeSymlink}, reg("files/2", f[1].Data)},
		"a folder":                 {{name: "submission.json", typ: tar.TypeDir}},
		"a wrong checksum":         {reg("submission.json", good), reg("files/1", append([]byte("X"), f[0].Data[1:]...)), reg("files/2", f[1].Data)},
		"a wrong size":             {reg("submission.json", good), reg("files/1", f[0].Data[1:]), reg("files/2", f[1].Data)},
		"json trailing":            {reg("submission.json", append(bytes.Clone(good), []byte(" {}")...)), reg("files/1", f[0].Data), reg("files/2", f[1].Data)},
		"json not an object":       {reg("submission.json", []byte(`[1,2]`))},
		"json empty":               {reg("submission.json", nil)},
		"unknown field":            withJSON(func(m map[string]any) { m["extra"] = 1 }),
		"version 2":                withJSON(func(m map[string]any) { m["version"] = 2 }),
		"another format":           withJSON(func(m map[string]any) { m["format"] = "something" }),
		"no consent":               withJSON(func(m map[string]any) { m["consent"] = false }),
		"short id":                 withJSON(func(m map[string]any) { m["id"] = "0123" }),
		"id with a path":           withJSON(func(m map[string]any) { m["id"] = "../../../../etc/passwd0123456789" }),
		"upper-case id":            withJSON(func(m map[string]any) { m["id"] = "0123456789ABCDEF0123456789ABCDEF" }),
		"no time":                  withJSON(func(m map[string]any) { delete(m, "received_at") }),
		"bad session":              withJSON(func(m map[string]any) { m["session"] = "zz" }),
		"area key with a space":    withJSON(func(m map[string]any) { m["practice_area"] = "family law" }),
		"notice version 0":         withJSON(func(m map[string]any) { m["notice"].(map[string]any)["version"] = 0 }),
		"notice with ESC":          withJSON(func(m map[string]any) { m["notice"].(map[string]any)["text"] = "ok\x1b[2J" }),
		"no full name":             withJSON(func(m map[string]any) { m["answers"] = answers(m)[1:] }),
		"blank full name":          withJSON(func(m map[string]any) { answer(m, 0)["text"] = " \u200b " }),
		"full name of a list kind": withJSON(func(m map[string]any) { answer(m, 0)["kind"] = "names" }),
		"two full names": withJSON(func(m map[string]any) {
			m["answers"] = append(answers(m), answer(m, 0))
		}),
		"escape code in a name":   withJSON(func(m map[string]any) { answer(m, 0)["text"] = "Jane\x1b]0;pwned\x07" }),
		"newline in a short text": withJSON(func(m map[string]any) { answer(m, 0)["text"] = "Jane\nRoe" }),
		"CR in long text":         withJSON(func(m map[string]any) { answer(m, 3)["text"] = "1 Main St\rX" }),
		"direction override":      withJSON(func(m map[string]any) { answer(m, 1)["list"] = []any{"evil\u202egpj.exe"} }),
		"an empty name in a list": withJSON(func(m map[string]any) { answer(m, 1)["list"] = []any{""} }),
		"too many names": withJSON(func(m map[string]any) {
			l := make([]any, MaxNames+1)
			for i := range l {
				l[i] = "N"
			}
			answer(m, 1)["list"] = l
		}),
		"a name too long":        withJSON(func(m map[string]any) { answer(m, 1)["list"] = []any{strings.Repeat("é", MaxNameChars+1)} }),
		"a short text too long":  withJSON(func(m map[string]any) { answer(m, 0)["text"] = strings.Repeat("a", MaxShortChars+1) }),
		"not a real date":        withJSON(func(m map[string]any) { answer(m, 2)["text"] = "1981-02-29" }),
		"a date written loosely": withJSON(func(m map[string]any) { answer(m, 2)["text"] = "1980-2-3" }),
		"maybe for yes or no":    withJSON(func(m map[string]any) { answer(m, 4)["text"] = "maybe" }),
		"key date not a date": withJSON(func(m map[string]any) {
			answer(m, 5)["dates"] = []any{map[string]any{"what": "x", "date": "soon"}}
		}),
		"a text and a list":     withJSON(func(m map[string]any) { answer(m, 1)["text"] = "x" }),
		"an unknown kind":       withJSON(func(m map[string]any) { answer(m, 7)["kind"] = "script" }),
		"a file kind answer":    withJSON(func(m map[string]any) { answer(m, 7)["kind"] = "file" }),
		"a key with a dot":      withJSON(func(m map[string]any) { answer(m, 7)["key"] = "q.1" }),
		"an empty label":        withJSON(func(m map[string]any) { answer(m, 7)["label"] = "" }),
		"file numbered wrong":   withJSON(func(m map[string]any) { m["files"].([]any)[1].(map[string]any)["n"] = 3 }),
		"file name with a path": withJSON(func(m map[string]any) { m["files"].([]any)[0].(map[string]any)["name"] = "../x.jpg" }),
		"file media type odd": withJSON(func(m map[string]any) {
			m["files"].([]any)[0].(map[string]any)["media_type"] = "text/html; charset=\"x\""
		}),
		"file checksum short": withJSON(func(m map[string]any) { m["files"].([]any)[0].(map[string]any)["sha256"] = "abcd" }),
		"file size negative":  withJSON(func(m map[string]any) { m["files"].([]any)[0].(map[string]any)["size"] = -1 }),
		"file question empty": withJSON(func(m map[string]any) { m["files"].([]any)[0].(map[string]any)["question"] = "" }),
	}
	for name, entries := range cases {
		t.Run(name, func(t *testing.T) {
			sealed := ageSeal(t, rcpt, rawTar(t, entries...))
			_, _, err := Open(bytes.NewReader(sealed), []string{id}, Limits{})
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
	// Not a tar at all, and a tar followed by other data.
	for name, plain := range map[string][]byte{
		"not a tar":           []byte("just some text"),
		"data after the tar":  append(rawTar(t, reg("submission.json", good), reg("files/1", f[0].Data), reg("files/2", f[1].Data)), "tail"...),
		"json 1 MiB and more": rawTar(t, reg("submission.json", bytes.Repeat([]byte(" "), MaxJSONBytes+1))),
	} {
		_, _, err := Open(bytes.NewReader(ageSeal(t, rcpt, plain)), []string{id}, Limits{})
		want := ErrMalformed
		if strings.HasPrefix(name, "json 1 MiB") {
			want = ErrTooLarge
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
	}
	// And the hand-built good one opens, so the cases above fail for their own reason.
	good3 := []rawEntry{reg("submission.json", good), reg("files/1", f[0].Data), reg("files/2", f[1].Data)}
	if _, _, err := Open(bytes.NewReader(ageSeal(t, rcpt, rawTar(t, good3...))), []string{id}, Limits{}); err != nil {
		t.Fatalf("the hand-built good file: %v", err)
	}
	// A passphrase-protected (scrypt) age file is not ours.
	sr, _ := age.NewScryptRecipient("pass")
	sr.SetWorkFactor(1)
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, sr)
	_, _ = w.Write(rawTar(t, good3...))
	_ = w.Close()
	if _, _, err := Open(&buf, []string{id}, Limits{}); err == nil {
		t.Fatal("a passphrase file opened")
	}
}

func TestSealRefusesWhatOpenWouldRefuse(t *testing.T) {
	_, rcpt := testIdentity(t)
	for name, edit := range map[string]func(s *Submission, f []File){
		"no consent":          func(s *Submission, f []File) { s.Consent = false },
		"bad id":              func(s *Submission, f []File) { s.ID = "nope" },
		"escape in a name":    func(s *Submission, f []File) { s.Answers[0].Text = "a\x1bb" },
		"a file name unclean": func(s *Submission, f []File) { f[0].Meta.Name = "a/b" },
		"too many files":      func(s *Submission, f []File) {},
	} {
		s, f := sampleSubmission(), sampleFiles()
		if name == "too many files" {
			for len(f) <= DefaultLimits.MaxFiles {
				f = append(f, f[0])
			}
		}
		edit(s, f)
		var buf bytes.Buffer
		if err := Seal(&buf, rcpt, s, f); err == nil {
			t.Errorf("%s: sealed", name)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written though Seal refused", name, buf.Len())
		}
	}
	if err := Seal(io.Discard, "age1notakey", sampleSubmission(), nil); err == nil {
		t.Error("sealed to a bad recipient")
	}
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"passport.jpg":                    "passport.jpg",
		`C:\Users\jane\Pictures\id.png`:   "id.png",
		"../../etc/passwd":                "passwd",
		"evil\u202egpj.exe":               "evilgpj.exe",
		"a\x1b[31mb.txt":                  "a[31mb.txt",
		"":                                "file",
		"..":                              "file",
		"/":                               "file",
		"\u200b":                          "file",
		"\xff\xfe.pdf":                    ".pdf",
		strings.Repeat("x", 300) + ".pdf": strings.Repeat("x", MaxFileNameChars-4) + ".pdf",
	} {
		if got := CleanFileName(in); got != want {
			t.Errorf("CleanFileName(%q) = %q, want %q", in, got, want)
		}
		if got := CleanFileName(in); CleanFileName(got) != got {
			t.Errorf("CleanFileName is not stable on %q", in)
		}
	}
}

func TestNewIDs(t *testing.T) {
	a, b := NewID(), NewID()
	if !hex32RE.MatchString(a) || a == b {
		t.Errorf("NewID: %q %q", a, b)
	}
	if s := NewSessionID(); !hex16RE.MatchString(s) {
		t.Errorf("NewSessionID: %q", s)
	}
}

func TestConflictNames(t *testing.T) {
	s := sampleSubmission()
	s.Answers = append(s.Answers,
		Answer{Key: KeyOtherPeople, Label: "x", Kind: Names, List: []string{"Witness One", "Witness One"}},
		Answer{Key: KeyOpposingCounsel, Label: "x", Kind: Names, List: []string{"Law & Co"}})
	got := s.ConflictNames()
	want := []NameRole{{"Jane Roe", RoleClient}, {"Jane Smith", RoleAlias}, {"Janie", RoleAlias},
		{"Acme Haulage Ltd", RoleAdverse}, {"John Doe", RoleAdverse}, {"Witness One", RoleRelated}, {"Law & Co", RoleOpposingCounsel}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ConflictNames = %v, want %v", got, want)
	}
	if (&Submission{}).ConflictNames() != nil {
		t.Error("an empty submission has names")
	}
}
