package form

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"casevault/app/human"

	"filippo.io/age"
)

// Limits bound a submission's files and its sealed file. A zero field
// means the DefaultLimits value.
type Limits struct {
	MaxFiles       int
	MaxFileBytes   int64
	MaxTotalBytes  int64
	MaxSealedBytes int64
}

// DefaultLimits: 5 files of at most 10 MiB each, 20 MiB in all; a sealed
// file of at most 24 MiB.
var DefaultLimits = Limits{MaxFiles: 5, MaxFileBytes: 10 << 20, MaxTotalBytes: 20 << 20, MaxSealedBytes: 24 << 20}

// WithDefaults returns l with every zero field set from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultLimits.MaxFiles
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultLimits.MaxFileBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = DefaultLimits.MaxTotalBytes
	}
	if l.MaxSealedBytes <= 0 {
		l.MaxSealedBytes = DefaultLimits.MaxSealedBytes
	}
	return l
}

// MaxJSONBytes bounds submission.json in a sealed file.
const MaxJSONBytes = 1 << 20

// The entry names of the tar inside a sealed file.
const (
	jsonEntry  = "submission.json"
	filePrefix = "files/"
)

// Open's errors, for callers that must tell them apart (errors.Is).
var (
	// ErrNotForThisVault: the file was sealed to another intake key (another
	// vault's, or a key this vault no longer has).
	ErrNotForThisVault = errors.New("this submission was not made for this vault")
	// ErrMalformed: the file is damaged, cut short, or not a submission
	// this program writes.
	ErrMalformed = errors.New("this file is not a readable intake submission")
	// ErrTooLarge: the file, or something in it, is over the limits.
	ErrTooLarge = errors.New("this submission is larger than the limits allow")
)

// Seal writes s and files as one sealed file to w: an age v1 file for the
// one X25519 recipient (the vault's intake key, "age1…") whose plaintext
// is a tar of submission.json and then files/1, files/2, … (see
// docs/FORMAT.md, "Intake submissions").
//
// Seal works on a copy of s: it fills in Format and Version, puts
// ReceivedAt in UTC to the millisecond, and describes the files from
// files (N, size and SHA-256 from the bytes; question, name and media type
// from each File.Meta). It refuses a submission that Open would refuse
// (with DefaultLimits), so whatever it writes can be read back. Nothing
// is written to w when it refuses. w gets ciphertext only.
func Seal(w io.Writer, recipient string, s *Submission, files []File) error {
	rcpt, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		return fmt.Errorf("sealing a submission: the intake key is not valid: %w", err)
	}
	sub := *s
	sub.Format, sub.Version = FormatName, FormatVersion
	sub.ReceivedAt = utcMillis(sub.ReceivedAt)
	sub.Files = make([]FileMeta, len(files))
	for i, f := range files {
		sum := sha256.Sum256(f.Data)
		sub.Files[i] = FileMeta{N: i + 1, Question: f.Meta.Question, Name: f.Meta.Name, MediaType: f.Meta.MediaType,
			Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])}
	}
	if sub.Answers == nil {
		sub.Answers = []Answer{}
	}
	if err := checkSubmission(&sub, DefaultLimits); err != nil {
		return fmt.Errorf("sealing a submission: %w", err)
	}
	js, err := json.Marshal(&sub)
	if err != nil {
		return fmt.Errorf("sealing a submission: %w", err)
	}
	if len(js) > MaxJSONBytes {
		return fmt.Errorf("sealing a submission: the answers take %s, more than %s: %w", human.Size(int64(len(js))), human.Size(MaxJSONBytes), ErrTooLarge)
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	enc, err := age.Encrypt(bw, rcpt)
	if err != nil {
		return fmt.Errorf("sealing a submission: %w", err)
	}
	tw := tar.NewWriter(enc)
	mtime := sub.ReceivedAt.Truncate(1e9)
	entry := func(name string, data []byte) error {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o600, Size: int64(len(data)),
			ModTime: mtime, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := entry(jsonEntry, js); err != nil {
		return fmt.Errorf("sealing a submission: %w", err)
	}
	for i, f := range files {
		if err := entry(filePrefix+strconv.Itoa(i+1), f.Data); err != nil {
			return fmt.Errorf("sealing a submission: file %d: %w", i+1, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("sealing a submission: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("sealing a submission: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sealing a submission: %w", err)
	}
	return nil
}

// sizeGuard reads at most max bytes from r; reading more is ErrTooLarge.
type sizeGuard struct {
	r    io.Reader
	left int64
	over bool
}

func (g *sizeGuard) Read(p []byte) (int, error) {
	if g.left <= 0 {
		// Is there more? Probe one byte.
		var one [1]byte
		n, err := g.r.Read(one[:])
		if n > 0 {
			g.over = true
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.r.Read(p)
	g.left -= int64(n)
	return n, err
}

// Open reads a sealed submission from r with the vault's intake keys
// ("AGE-SECRET-KEY-1…") and returns it with its files. It treats every
// byte as hostile: anyone can seal a file to the public key. It enforces
// lim (zero fields: DefaultLimits) while it reads, so a file never costs
// more memory than the limits allow, and it checks everything: the tar
// holds submission.json first and then files/1…N, nothing else, only
// regular files; the JSON is version 1 with no unknown fields; every text
// is UTF-8 without control characters or direction overrides and within
// its bounds; each file's size and SHA-256 match. The errors wrap
// ErrNotForThisVault, ErrTooLarge or ErrMalformed (anything else wrong
// with the file); a bad identity is an error of its own.
func Open(r io.Reader, identities []string, lim Limits) (*Submission, []File, error) {
	lim = lim.WithDefaults()
	ids := make([]age.Identity, 0, len(identities))
	for i, s := range identities {
		id, err := age.ParseX25519Identity(s)
		if err != nil {
			return nil, nil, fmt.Errorf("opening a submission: intake key %d is not valid: %w", i+1, err)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, nil, fmt.Errorf("opening a submission: no intake key: %w", ErrNotForThisVault)
	}
	g := &sizeGuard{r: r, left: lim.MaxSealedBytes}
	sub, files, err := open(g, ids, lim)
	if err != nil {
		if g.over || errors.Is(err, ErrTooLarge) {
			if !errors.Is(err, ErrTooLarge) {
				err = fmt.Errorf("%w (%v)", ErrTooLarge, err)
			}
			return nil, nil, fmt.Errorf("opening a submission: %w", err)
		}
		return nil, nil, fmt.Errorf("opening a submission: %w", err)
	}
	return sub, files, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func open(r io.Reader, ids []age.Identity, lim Limits) (*Submission, []File, error) {
	plain, err := age.Decrypt(r, ids...)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return nil, nil, fmt.Errorf("%w: %v", ErrNotForThisVault, err)
		}
		return nil, nil, malformed("%v", err)
	}
	return readPlain(plain, lim)
}

// readPlain reads and checks the plaintext of a sealed file: the tar.
func readPlain(plain io.Reader, lim Limits) (*Submission, []File, error) {
	tr := tar.NewReader(plain)
	next := func(name string, max int64) (*tar.Header, error) {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, malformed("%s is missing", name)
		}
		if err != nil {
			return nil, malformed("reading %s: %v", name, err)
		}
		if hdr.Name != name {
			return nil, malformed("found %q where %s should be", truncName(hdr.Name), name)
		}
		if hdr.Typeflag != tar.TypeReg { // (the reader turns old writers' TypeRegA into TypeReg)
			return nil, malformed("%s is not a regular file", name)
		}
		if hdr.Size < 0 {
			return nil, malformed("%s has a negative size", name)
		}
		if hdr.Size > max {
			return nil, fmt.Errorf("%s is %s, more than %s: %w", name, human.Size(hdr.Size), human.Size(max), ErrTooLarge)
		}
		return hdr, nil
	}
	readAll := func(hdr *tar.Header) ([]byte, error) {
		buf := make([]byte, hdr.Size)
		if _, err := io.ReadFull(tr, buf); err != nil {
			return nil, malformed("reading %s: %v", hdr.Name, err)
		}
		return buf, nil
	}

	hdr, err := next(jsonEntry, MaxJSONBytes)
	if err != nil {
		return nil, nil, err
	}
	js, err := readAll(hdr)
	if err != nil {
		return nil, nil, err
	}
	var sub Submission
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sub); err != nil {
		return nil, nil, malformed("the answers cannot be read: %v", err)
	}
	if dec.More() {
		return nil, nil, malformed("the answers are followed by something else")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, malformed("the answers are followed by something else")
	}
	if err := checkSubmission(&sub, lim); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, nil, err
		}
		return nil, nil, malformed("%v", err)
	}

	files := make([]File, 0, len(sub.Files))
	for _, m := range sub.Files {
		name := filePrefix + strconv.Itoa(m.N)
		hdr, err := next(name, lim.MaxFileBytes)
		if err != nil {
			return nil, nil, err
		}
		if hdr.Size != m.Size {
			return nil, nil, malformed("%s is not the size the answers say (%s against %s, %d apart)", name, human.Size(hdr.Size), human.Size(m.Size), hdr.Size-m.Size)
		}
		data, err := readAll(hdr)
		if err != nil {
			return nil, nil, err
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != m.SHA256 {
			return nil, nil, malformed("%s does not match its checksum", name)
		}
		files = append(files, File{Meta: m, Data: data})
	}
	if hdr, err := tr.Next(); err != io.EOF {
		if err != nil {
			return nil, nil, malformed("after the last file: %v", err)
		}
		return nil, nil, malformed("an unexpected entry %q after the last file", truncName(hdr.Name))
	}
	// Read the rest of the plaintext (the tar's zero padding) to the end:
	// age checks the last chunk only when it is reached, so this is what
	// proves the file was not cut short or extended.
	var buf [4096]byte
	for {
		n, err := plain.Read(buf[:])
		for _, b := range buf[:n] {
			if b != 0 {
				return nil, nil, malformed("data after the end of the archive")
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, malformed("after the end of the archive: %v", err)
		}
	}
	return &sub, files, nil
}

func truncName(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}
